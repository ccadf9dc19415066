// tcpsim — the simulated segments as a classic pcap file.
//
// Format: https://wiki.wireshark.org/Development/LibpcapFileFormat (global
// header, then per record: ts_sec, ts_usec, incl_len, orig_len, bytes).
// Link type LINKTYPE_RAW (101): each record starts with the IPv4 header.
// IPv4 header: RFC 791 §3.1; header checksum: RFC 1071. TCP header and its
// checksum over the pseudo-header: RFC 9293 §3.1.
//
// Capture point: one host's interface (PcapOptions::capture_host), as
// tcpdump on that host: what it sends is stamped when it leaves, what it
// receives when it arrives, so Wireshark's RTT analysis (tcp.analysis.ack_rtt)
// shows the real round trip. A segment the host sent and the link lost is
// still in the file (it left the interface); one lost on its way to the host
// is not. Or every sender's interface (kEverySender), each packet once,
// stamped when sent. See docs/exports.md.
//
// Forwarding (forwarding.cpp): a router or NAT host records the segment's
// arrival and then a new transmission on the next link, with its own seg_id.
// On the wire that is the same IP packet with the TTL one less (RFC 1812
// §5.3.1, Linux ip_forward(): ip_decrease_ttl()) and the same IP ID; a NAT
// also rewrites an address and a port (nf_nat_masquerade.c).
#include <algorithm>
#include <ostream>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "tcpsim/export.hpp"

namespace tcpsim {

namespace {

void put16(std::vector<std::uint8_t>& b, std::size_t at, std::uint16_t v) {  // network order
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}
void put32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
  put16(b, at, static_cast<std::uint16_t>(v >> 16));
  put16(b, at + 2, static_cast<std::uint16_t>(v));
}
void le32(std::ostream& o, std::uint32_t v) {  // pcap headers: little-endian, magic says so
  const char b[4] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 24)};
  o.write(b, 4);
}
void le16(std::ostream& o, std::uint16_t v) {
  const char b[2] = {static_cast<char>(v), static_cast<char>(v >> 8)};
  o.write(b, 2);
}

// RFC 1071 one's-complement sum of 16-bit words.
std::uint32_t sum16(const std::uint8_t* p, std::size_t n, std::uint32_t acc) {
  for (std::size_t i = 0; i + 1 < n; i += 2) acc += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
  if (n & 1) acc += static_cast<std::uint32_t>(p[n - 1] << 8);
  return acc;
}
std::uint16_t fold(std::uint32_t acc) {
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<std::uint16_t>(~acc);
}

constexpr std::uint32_t kLinktypeRaw = 101;
constexpr std::uint32_t kSnaplen = 262144;
constexpr std::size_t kIpHdr = 20, kTcpHdr = 20;
constexpr std::uint32_t kMaxPayload = 65535 - kIpHdr - kTcpHdr;
constexpr std::uint8_t kTtl = 64;  // net.ipv4.ip_default_ttl

}  // namespace

std::uint8_t pcap_payload_byte(std::uint64_t key, std::uint64_t off, PcapOptions::Payload p) {
  const std::uint8_t b = data_byte(key, off);
  return p == PcapOptions::Payload::Raw ? b : static_cast<std::uint8_t>('a' + b % 26);
}

std::size_t write_pcap(const Trace& t, std::ostream& out, const PcapOptions& o) {
  le32(out, 0xa1b2c3d4);  // microsecond timestamps
  le16(out, 2);
  le16(out, 4);
  le32(out, 0);  // thiszone: UTC
  le32(out, 0);  // sigfigs
  le32(out, kSnaplen);
  le32(out, kLinktypeRaw);

  std::unordered_set<std::uint32_t> dropped;
  for (const auto& e : t.events)
    if (e.kind == EventKind::Segment && e.seg_op == SegOp::Drop && e.seg_id != 0)
      dropped.insert(e.seg_id);

  // Every transmission feeds the sequence bases in trace order, also outside
  // the window, so payload offsets are those of the whole stream. Its IP
  // header fields are fixed in trace order too: a host's IP ID counter
  // advances with every packet it sends, whether a capture point sees it or
  // not, and a forwarded copy keeps the ID of the packet it passes on.
  RelativeSeq rel;
  std::unordered_map<std::uint32_t, RelativeSeq::Rel> rels;  // seg_id -> its offsets
  struct Wire {
    std::uint16_t ip_id = 0;
    std::uint8_t ttl = kTtl;
    // A forwarded copy whose addresses and ports are those of the packet it
    // passes on (a router; not a NAT, which rewrites them).
    bool same_packet = false;
  };
  std::unordered_map<const Event*, Wire> wire_of_send;
  std::unordered_map<std::uint32_t, Wire> wire_of_id;  // seg_id -> the packet on that link
  std::unordered_map<std::uint32_t, std::uint16_t> ip_ids;  // per source address
  std::unordered_map<std::uint16_t, const Event*> arrived_to_forward;  // per host: its last forwarded arrival
  // What the capture point sees: (time, event), stably sorted by time (an
  // arrival recorded in the trace before a later send keeps its place).
  std::vector<std::pair<Time, const Event*>> seen;
  const bool every = o.capture_host == PcapOptions::kEverySender;
  for (const auto& e : t.events) {
    if (e.kind != EventKind::Segment) continue;
    if (e.seg_op == SegOp::Send) {
      Segment numbered = e.seg;  // a crafted SYN (`inject:`) is no ISN
      if (e.text.rfind("injected", 0) == 0) numbered.flags &= static_cast<std::uint8_t>(~kSyn);
      const RelativeSeq::Rel r = rel.add(numbered);
      if (e.seg_id != 0) rels[e.seg_id] = r;
      else rels[0] = r;
      Wire w;
      const auto in = e.forwarded ? arrived_to_forward.find(e.host) : arrived_to_forward.end();
      if (in != arrived_to_forward.end()) {
        // The host passes on the packet it just received (route_arrived()
        // records the arrival, then forward_segment() the new transmission).
        const Event& a = *in->second;
        const auto wi = wire_of_id.find(a.seg_id);
        const Wire from = wi != wire_of_id.end() ? wi->second : Wire{++ip_ids[a.seg.src_ip], kTtl, false};
        w.ip_id = from.ip_id;
        w.ttl = static_cast<std::uint8_t>(from.ttl > 1 ? from.ttl - 1 : 1);
        w.same_packet = e.seg.src_ip == a.seg.src_ip && e.seg.sport == a.seg.sport &&
                        e.seg.dst_ip == a.seg.dst_ip && e.seg.dport == a.seg.dport;
        arrived_to_forward.erase(in);
      } else {
        w.ip_id = ++ip_ids[e.seg.src_ip];
      }
      wire_of_send[&e] = w;
      if (e.seg_id != 0) wire_of_id[e.seg_id] = w;
      if (!every && e.host != o.capture_host) continue;
      if (!o.include_dropped && e.seg_id != 0 && dropped.count(e.seg_id)) continue;
      // Every sender's interface: a router's copy is the packet its sender
      // already put on the wire, again, one link later. Written twice,
      // Wireshark takes the copy for a retransmission (and its ACKs for
      // duplicate ACKs): the packet is written once, when it was first sent.
      // A NAT's copy carries other addresses: a packet of its own.
      if (every && w.same_packet) continue;
    } else if (e.seg_op == SegOp::Deliver) {
      if (e.forwarded) arrived_to_forward[e.host] = &e;
      if (every || e.host != o.capture_host) continue;
    } else {
      continue;  // a drop is where a packet stops being seen, not a packet
    }
    if (o.window.contains(e.t)) seen.emplace_back(e.t, &e);
  }
  std::stable_sort(seen.begin(), seen.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });

  std::vector<std::uint8_t> pkt;
  std::size_t records = 0;
  for (const auto& [when, ep] : seen) {
    const Event& e = *ep;
    const Segment& s = e.seg;
    const RelativeSeq::Rel r = rels[e.seg_id];

    // The packet's IP ID and TTL: its send's; an arrival, those of the
    // transmission that arrives (a routed packet comes in with a lower TTL).
    Wire w;
    if (e.seg_op == SegOp::Send) {
      w = wire_of_send[&e];
    } else if (auto it = wire_of_id.find(e.seg_id); e.seg_id != 0 && it != wire_of_id.end()) {
      w = it->second;
    } else {
      w.ip_id = ++ip_ids[s.src_ip];
    }
    const std::uint16_t ip_id = w.ip_id;

    const std::uint32_t len = s.len > kMaxPayload ? kMaxPayload : s.len;
    const std::size_t total = kIpHdr + kTcpHdr + len;
    pkt.assign(total, 0);
    // IPv4 header (RFC 791 §3.1).
    pkt[0] = 0x45;  // version 4, IHL 5 words
    put16(pkt, 2, static_cast<std::uint16_t>(total));
    put16(pkt, 4, ip_id);
    put16(pkt, 6, 0x4000);  // DF, as Linux sets on TCP (path MTU discovery)
    pkt[8] = w.ttl;         // TTL: net.ipv4.ip_default_ttl, less one per router passed
    pkt[9] = 6;             // TCP
    put32(pkt, 12, s.src_ip);
    put32(pkt, 16, s.dst_ip);
    put16(pkt, 10, fold(sum16(pkt.data(), kIpHdr, 0)));
    // TCP header (RFC 9293 §3.1); the flag bits of types.hpp are the wire bits.
    std::uint8_t* tcp = pkt.data() + kIpHdr;
    put16(pkt, kIpHdr + 0, s.sport);
    put16(pkt, kIpHdr + 2, s.dport);
    put32(pkt, kIpHdr + 4, s.seq);
    put32(pkt, kIpHdr + 8, s.ack);
    tcp[12] = 5 << 4;  // data offset: 5 words, no options
    tcp[13] = s.flags;
    put16(pkt, kIpHdr + 14, s.win);
    // Payload: the stream's content at its offsets (data_byte()).
    for (std::uint32_t i = 0; i < len; ++i)
      pkt[kIpHdr + kTcpHdr + i] =
          pcap_payload_byte(r.stream, static_cast<std::uint64_t>(r.data_off) + i, o.payload);
    // Checksum over the pseudo-header (src, dst, zero, protocol, TCP length).
    std::uint32_t acc = 0;
    acc = sum16(pkt.data() + 12, 8, acc);
    acc += 6;
    acc += static_cast<std::uint32_t>(kTcpHdr + len);
    acc = sum16(tcp, kTcpHdr + len, acc);
    put16(pkt, kIpHdr + 16, fold(acc));

    const Time ts = when < 0 ? 0 : when;
    le32(out, static_cast<std::uint32_t>(ts / 1000000));
    le32(out, static_cast<std::uint32_t>(ts % 1000000));
    le32(out, static_cast<std::uint32_t>(total));
    le32(out, static_cast<std::uint32_t>(total));
    out.write(reinterpret_cast<const char*>(pkt.data()), static_cast<std::streamsize>(total));
    ++records;
  }
  return records;
}

}  // namespace tcpsim
