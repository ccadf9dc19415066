// The pcap export, opened with the real tshark. Captured at every sender
// (kEverySender): every transmission is one packet whose flags, raw and
// relative seq/ack, length, payload, checksums and timestamp agree with the
// trace, and Wireshark's own analysis marks exactly the trace's
// retransmissions, with no other warnings. Captured at one host (the
// default): what tcpdump there would see, each packet stamped when it left
// or arrived there.
#include <gtest/gtest.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "tcpsim/export.hpp"
#include "tools.hpp"
#include "trace_fixtures.hpp"

using namespace tcpsim;
using namespace tcpsim::testing;

namespace {

struct Expected {
  const char* flags;
  std::uint32_t seq, ack, len;
  bool retrans;
};

PcapOptions at_senders() {
  PcapOptions o;
  o.capture_host = PcapOptions::kEverySender;
  return o;
}

std::string write_pcap_file(const Trace& t, const std::string& name, const PcapOptions& o = at_senders()) {
  const std::string path = temp_dir("pcap") + "/" + name + ".pcap";
  std::ofstream f(path, std::ios::binary);
  write_pcap(t, f, o);
  return path;
}

std::vector<const Event*> sends(const Trace& t) {
  std::vector<const Event*> v;
  for (const auto& e : t.events)
    if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send) v.push_back(&e);
  return v;
}

class PcapInTshark : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_tool("tshark")) GTEST_SKIP() << "tshark is not installed (apt-get install tshark)";
  }
  std::vector<TsharkPacket> read(const std::string& path) {
    std::string err;
    auto p = tshark_read(path, &err);
    EXPECT_EQ(err, "");
    return p;
  }
  // Per packet: the trace's own segment and the expected relative numbers.
  void compare(const Trace& t, const std::vector<TsharkPacket>& got,
               const std::vector<Expected>& want) {
    auto s = sends(t);
    ASSERT_EQ(got.size(), s.size());
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      SCOPED_TRACE("packet " + std::to_string(i + 1) + " (" + want[i].flags + ")");
      const Segment& seg = s[i]->seg;
      EXPECT_EQ(got[i].flags, seg.flags);
      EXPECT_EQ(flags_string(static_cast<std::uint8_t>(got[i].flags)), want[i].flags);
      EXPECT_EQ(got[i].src, endpoint_string(seg.src_ip, seg.sport));
      EXPECT_EQ(got[i].dst, endpoint_string(seg.dst_ip, seg.dport));
      EXPECT_EQ(got[i].seq_raw, seg.seq);
      EXPECT_EQ(got[i].seq, want[i].seq);
      if (seg.has(kAck)) {
        EXPECT_EQ(got[i].ack_raw, seg.ack);
        EXPECT_EQ(got[i].ack, want[i].ack);
      }
      EXPECT_EQ(got[i].len, seg.len);
      EXPECT_EQ(got[i].len, want[i].len);
      EXPECT_EQ(got[i].retransmission, s[i]->retrans);
      EXPECT_EQ(got[i].retransmission, want[i].retrans);
      EXPECT_TRUE(got[i].ip_checksum_good);
      EXPECT_TRUE(got[i].tcp_checksum_good);
      EXPECT_NEAR(got[i].time, static_cast<double>(s[i]->t) / 1e6, 1e-7);
      for (const auto& w : got[i].warnings) EXPECT_TRUE(expected_warning(w)) << w;
    }
  }
};

}  // namespace

TEST_F(PcapInTshark, NormalCloseMatchesTheTracePacketByPacket) {
  const Trace t = normal_close_trace();
  auto got = read(write_pcap_file(t, "normal-close"));
  compare(t, got,
          {{"S", 0, 0, 0, false},
           {"S.", 0, 1, 0, false},
           {".", 1, 1, 0, false},
           {"P.", 1, 1, 100, false},
           {".", 1, 101, 0, false},
           {"F.", 101, 1, 0, false},
           {".", 1, 102, 0, false},
           {"F.", 1, 102, 0, false},
           {".", 102, 2, 0, false}});
  for (const auto& p : got) EXPECT_TRUE(p.warnings.empty());
}

TEST_F(PcapInTshark, LostSegmentRetransmissionAndRstMatchTheTrace) {
  const Trace t = retransmit_rst_trace();
  auto got = read(write_pcap_file(t, "retransmit-rst"));
  // The lost P. is in the capture (sender-side capture point), so Wireshark
  // sees the resend as a retransmission, as the trace says. Relative
  // numbers cross 2^32 (client ISS 4294967000). The refused SYN's R. has no
  // SYN in its direction: Wireshark shows its seq as 1.
  compare(t, got,
          {{"S", 0, 0, 0, false},
           {"S.", 0, 1, 0, false},
           {".", 1, 1, 0, false},
           {"P.", 1, 1, 500, false},
           {"P.", 1, 1, 500, true},
           {".", 1, 501, 0, false},
           {"P.", 1, 501, 50, false},
           {".", 501, 51, 0, false},
           {"R.", 501, 51, 0, false},
           {"S", 0, 0, 0, false},
           {"R.", 1, 1, 0, false}});
  int rst_warnings = 0;
  for (const auto& p : got) rst_warnings += static_cast<int>(p.warnings.size());
  EXPECT_EQ(rst_warnings, 2);  // one "Connection reset (RST)" per R.
}

TEST_F(PcapInTshark, RelativeSeqAgreesWithWiresharkForEveryPacket) {
  for (const Trace& t : {normal_close_trace(), retransmit_rst_trace()}) {
    auto got = read(write_pcap_file(t, t.meta.scenario));
    auto s = sends(t);
    ASSERT_EQ(got.size(), s.size());
    RelativeSeq rel;
    for (std::size_t i = 0; i < s.size(); ++i) {
      auto r = rel.add(s[i]->seg);
      EXPECT_EQ(r.seq, got[i].seq) << t.meta.scenario << " packet " << i + 1;
      if (s[i]->seg.has(kAck)) {
        EXPECT_EQ(r.ack, got[i].ack) << t.meta.scenario << " packet " << i + 1;
      }
    }
  }
}

class PcapPayload : public PcapInTshark, public ::testing::WithParamInterface<PcapOptions::Payload> {};

TEST_P(PcapPayload, IsTheStreamContentAtItsOffsets) {
  const Trace t = retransmit_rst_trace();
  PcapOptions o = at_senders();
  o.payload = GetParam();
  auto got = read(write_pcap_file(t, "payload", o));
  auto s = sends(t);
  ASSERT_EQ(got.size(), s.size());
  int data_packets = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const Segment& seg = s[i]->seg;
    if (seg.len == 0) continue;
    ++data_packets;
    // Offset 0 is ISS + 1; the client's ISS is 4294967000, the server's 7000.
    const std::uint32_t iss = seg.sport == 49152 ? 4294967000u : 7000u;
    const std::uint64_t key = stream_key(seg.src_ip, seg.sport, seg.dst_ip, seg.dport);
    std::string want;
    for (std::uint32_t k = 0; k < seg.len; ++k) {
      std::uint8_t b = data_byte(key, static_cast<std::uint32_t>(seg.seq - iss - 1) + k);
      if (GetParam() == PcapOptions::Payload::Text) b = static_cast<std::uint8_t>('a' + b % 26);
      EXPECT_EQ(b, pcap_payload_byte(key, static_cast<std::uint32_t>(seg.seq - iss - 1) + k, GetParam()));
      char hex[3];
      std::snprintf(hex, sizeof hex, "%02x", b);
      want += hex;
    }
    std::string have = got[i].payload_hex;
    have.erase(std::remove(have.begin(), have.end(), ':'), have.end());
    EXPECT_EQ(have, want) << "packet " << i + 1;
  }
  EXPECT_EQ(data_packets, 3);
  // The retransmission carries the same bytes as the lost original.
  EXPECT_EQ(got[3].payload_hex, got[4].payload_hex);
}
INSTANTIATE_TEST_SUITE_P(Kinds, PcapPayload,
                         ::testing::Values(PcapOptions::Payload::Text, PcapOptions::Payload::Raw),
                         [](const auto& info) {
                           return info.param == PcapOptions::Payload::Text ? "Text" : "Raw";
                         });

// Port 80 hands the payload to Wireshark's HTTP dissector: the default
// (letters) payload must not make it report malformed HTTP.
TEST_F(PcapInTshark, HttpPortDataRaisesNoDissectorWarnings) {
  TraceBuilder b("http-bulk");
  const auto c = b.host("client", "10.0.0.1");
  const auto s = b.host("server", "10.0.0.2");
  const std::string C = "10.0.0.1:40000", S_ = "10.0.0.2:80";
  b.send(0, c, C, S_, "S", 100, 0, 0);
  b.send(1000, s, S_, C, "S.", 900, 101, 0);
  std::uint32_t seq = 101;
  for (int i = 0; i < 40; ++i, seq += 1460) b.send(2000 + i, c, C, S_, ".", seq, 901, 1460);
  b.send(3000, s, S_, C, ".", 901, seq, 0);
  auto got = read(write_pcap_file(b.finish(), "http"));
  ASSERT_EQ(got.size(), 43u);
  for (std::size_t i = 0; i < got.size(); ++i)
    for (const auto& w : got[i].warnings) ADD_FAILURE() << "packet " << i + 1 << ": " << w;
}

TEST_F(PcapInTshark, WithoutDropsTheLostSegmentIsLeftOut) {
  const Trace t = retransmit_rst_trace();
  PcapOptions o = at_senders();
  o.include_dropped = false;
  auto got = read(write_pcap_file(t, "no-drops", o));
  EXPECT_EQ(got.size(), sends(t).size() - 1);
  for (const auto& p : got) {
    EXPECT_TRUE(p.ip_checksum_good);
    EXPECT_TRUE(p.tcp_checksum_good);
  }
}

TEST_F(PcapInTshark, TimeWindowKeepsOnlyItsPackets) {
  const Trace t = normal_close_trace();
  PcapOptions o = at_senders();
  o.window = {msec(100), msec(200)};  // the close
  auto got = read(write_pcap_file(t, "window", o));
  ASSERT_EQ(got.size(), 4u);
  for (const auto& p : got) {
    EXPECT_GE(p.time, 0.1);
    EXPECT_LE(p.time, 0.2);
  }
  // The sequence bases still come from the SYNs before the window: raw
  // numbers are the trace's, and the stream offsets are right.
  EXPECT_EQ(got[0].seq_raw, 1101u);
}

// ---- capture point: one host's interface ----

namespace {
// What tcpdump on `host` sees: its sends at their time, its deliveries at
// theirs, in time order.
struct Seen {
  double t;
  const Event* e;
};
std::vector<Seen> seen_at(const Trace& t, std::uint16_t host, bool with_dropped = true) {
  std::vector<std::uint32_t> dropped;
  for (const auto& e : t.events)
    if (e.kind == EventKind::Segment && e.seg_op == SegOp::Drop) dropped.push_back(e.seg_id);
  std::vector<Seen> v;
  for (const auto& e : t.events) {
    if (e.kind != EventKind::Segment || e.host != host || e.seg_op == SegOp::Drop) continue;
    if (!with_dropped && e.seg_op == SegOp::Send &&
        std::find(dropped.begin(), dropped.end(), e.seg_id) != dropped.end())
      continue;
    v.push_back({static_cast<double>(e.t) / 1e6, &e});
  }
  std::stable_sort(v.begin(), v.end(), [](const Seen& a, const Seen& b) { return a.t < b.t; });
  return v;
}
}  // namespace

TEST_F(PcapInTshark, AtTheClientEachPacketIsStampedWhenItPassesTheClient) {
  const Trace t = normal_close_trace();
  PcapOptions o;  // default: the first host, the client
  auto got = read(write_pcap_file(t, "at-client", o));
  auto want = seen_at(t, 0);
  ASSERT_EQ(got.size(), want.size());
  ASSERT_EQ(got.size(), 9u);  // every segment of the run passes the client once
  for (std::size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE("packet " + std::to_string(i + 1));
    EXPECT_NEAR(got[i].time, want[i].t, 1e-7);
    EXPECT_EQ(got[i].src, endpoint_string(want[i].e->seg.src_ip, want[i].e->seg.sport));
    EXPECT_EQ(got[i].seq_raw, want[i].e->seg.seq);
    EXPECT_TRUE(got[i].tcp_checksum_good);
    if (i > 0) {
      EXPECT_GE(got[i].time, got[i - 1].time);
    }
  }
  // The SYN leaves at 10 ms, the SYN-ACK arrives 2 ms later (1 ms each way),
  // where the sender-side capture stamped it at 11 ms.
  EXPECT_NEAR(got[0].time, 0.010, 1e-7);
  EXPECT_EQ(got[1].flags, kSyn | kAck);
  EXPECT_NEAR(got[1].time, 0.012, 1e-7);
}

TEST_F(PcapInTshark, AtTheServerTheSegmentLostOnItsWayIsNotSeen) {
  const Trace t = retransmit_rst_trace();
  PcapOptions o;
  o.capture_host = 1;  // the server
  auto got = read(write_pcap_file(t, "at-server", o));
  auto want = seen_at(t, 1);
  ASSERT_EQ(got.size(), want.size());
  ASSERT_EQ(got.size(), sends(t).size() - 1);  // all but the client's lost P.
  int data = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_NEAR(got[i].time, want[i].t, 1e-7) << "packet " << i + 1;
    if (got[i].len == 500) {
      ++data;
      EXPECT_NEAR(got[i].time, 0.213, 1e-7);  // the resend, at its arrival
    }
  }
  EXPECT_EQ(data, 1);
}

TEST_F(PcapInTshark, AtTheClientItsOwnLostSegmentIsSeenUnlessNoDropped) {
  const Trace t = retransmit_rst_trace();
  PcapOptions o;
  auto got = read(write_pcap_file(t, "at-client-lost", o));
  int data = 0;
  for (const auto& p : got) data += p.len == 500;
  EXPECT_EQ(data, 2);  // the lost P. left the client, then its retransmission
  EXPECT_EQ(got.size(), seen_at(t, 0).size());
  o.include_dropped = false;
  auto kept = read(write_pcap_file(t, "at-client-no-dropped", o));
  EXPECT_EQ(kept.size(), got.size() - 1);
  EXPECT_EQ(kept.size(), seen_at(t, 0, false).size());
}

TEST(RelativeSeq, SimultaneousOpenKeepsBothBases) {
  RelativeSeq rel;
  auto seg = [](const char* src, const char* dst, std::uint8_t flags, std::uint32_t seq, std::uint32_t ack) {
    Segment s;
    s.src_ip = *parse_ip(src);
    s.dst_ip = *parse_ip(dst);
    s.sport = std::string(src) == "10.0.0.1" ? 5000 : 5001;
    s.dport = s.sport == 5000 ? 5001 : 5000;
    s.flags = flags;
    s.seq = seq;
    s.ack = ack;
    return s;
  };
  rel.add(seg("10.0.0.1", "10.0.0.2", kSyn, 3000, 0));
  rel.add(seg("10.0.0.2", "10.0.0.1", kSyn, 9000, 0));  // crosses the first SYN
  auto r = rel.add(seg("10.0.0.2", "10.0.0.1", kSyn | kAck, 9000, 3001));
  EXPECT_EQ(r.seq, 0u);
  EXPECT_EQ(r.ack, 1u);
  r = rel.add(seg("10.0.0.1", "10.0.0.2", kSyn | kAck, 3000, 9001));
  EXPECT_EQ(r.seq, 0u);
  EXPECT_EQ(r.ack, 1u);
}

TEST(RelativeSeq, NewSynWithNewIsnStartsANewIncarnation) {
  RelativeSeq rel;
  Segment syn;
  syn.src_ip = 1;
  syn.dst_ip = 2;
  syn.sport = 40000;
  syn.dport = 80;
  syn.flags = kSyn;
  syn.seq = 100;
  Segment synack = syn;
  std::swap(synack.src_ip, synack.dst_ip);
  std::swap(synack.sport, synack.dport);
  synack.flags = kSyn | kAck;
  synack.seq = 500;
  synack.ack = 101;
  rel.add(syn);
  rel.add(synack);
  // The same SYN again (a retransmission) keeps the bases.
  EXPECT_EQ(rel.add(syn).seq, 0u);
  EXPECT_EQ(rel.add(synack).ack, 1u);
  // Port reuse: a new ISN from the same side; the old server base is gone.
  syn.seq = 7000;
  EXPECT_EQ(rel.add(syn).seq, 0u);
  Segment rst = synack;
  rst.flags = kRst | kAck;
  rst.seq = 0;
  rst.ack = 7001;
  auto r = rel.add(rst);
  EXPECT_EQ(r.seq, 1u);
  EXPECT_EQ(r.ack, 1u);
}

TEST(PcapFormat, GlobalHeaderIsClassicMicrosecondRawIpv4) {
  std::ostringstream out;
  const std::size_t n = write_pcap(normal_close_trace(), out);
  const std::string b = out.str();
  ASSERT_GE(b.size(), 24u);
  EXPECT_EQ(n, 9u);
  auto le32 = [&](std::size_t at) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) |
           static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 2])) << 16 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 3])) << 24;
  };
  EXPECT_EQ(le32(0), 0xa1b2c3d4u);
  EXPECT_EQ(le32(20), 101u);  // LINKTYPE_RAW
  // 9 records of 16-byte headers + 40 bytes, one with 100 bytes of payload.
  EXPECT_EQ(b.size(), 24u + 9 * (16 + 40) + 100);
  // The first record's timestamp is the SYN's virtual time, 10 ms.
  EXPECT_EQ(le32(24), 0u);
  EXPECT_EQ(le32(28), 10000u);
}
