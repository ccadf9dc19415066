// The pcap of a run with a router or a NAT between the TCPs, opened with the
// real tshark. A forwarding host passes each segment on as a new
// transmission on the next link (forwarding.cpp); on the wire that is the
// same IP packet, its TTL one less (RFC 1812 §5.3.1), its IP ID unchanged, and
// behind a NAT with another source or destination address and port.
//  - Captured at every sender (`--capture-at senders`), a router's copy is
//    not written again: written twice, tshark marks the copy a retransmission
//    and its ACKs duplicate ACKs, which the TCPs never sent. A NAT's copy
//    carries other addresses, a packet of its own, and is kept.
//  - Captured at one host, a routed packet arrives with the TTL it has after
//    the routers, and the IP ID its sender gave it.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tcpsim/export.hpp"
#include "tcpsim/loader.hpp"
#include "tcpsim/simulation.hpp"
#include "tools.hpp"

using namespace tcpsim;
using namespace tcpsim::testing;

namespace {

// Scenarios whose segments cross a forwarding host (`forward: true`).
const char* const kRouted[] = {
    "scenarios/nat-idle-timeout.yaml",
    "scenarios/nat-idle-timeout-keepalive.yaml",
    "tests/kernel/facts/router-forwards-link-by-link.yaml",
    "tests/kernel/facts/nat-forgets-idle-flow-drop.yaml",
    "tests/kernel/facts/nat-forgets-idle-flow-rst.yaml",
};

Trace run_file(const std::string& rel) {
  return run_scenario(load_scenario_file(std::string(TCPSIM_SOURCE_DIR) + "/" + rel));
}

std::string write_file_pcap(const Trace& t, const std::string& name, const PcapOptions& o) {
  const std::string path = temp_dir("pcap-routed") + "/" + name + ".pcap";
  std::ofstream f(path, std::ios::binary);
  write_pcap(t, f, o);
  return path;
}

struct Packet {
  std::string src, dst;  // "ip:port"
  unsigned ttl = 0, ip_id = 0;
  std::uint32_t seq_raw = 0;
  bool retransmission = false, dup_ack = false;
};

std::vector<Packet> read_packets(const std::string& pcap) {
  RunResult r = run_tool({"tshark", "-n", "-r", pcap, "-o", "tcp.analyze_sequence_numbers:TRUE", "-T", "fields",
                          "-E", "separator=/t", "-E", "occurrence=f", "-e", "ip.src", "-e", "tcp.srcport", "-e",
                          "ip.dst", "-e", "tcp.dstport", "-e", "ip.ttl", "-e", "ip.id", "-e", "tcp.seq_raw", "-e",
                          "tcp.analysis.retransmission", "-e", "tcp.analysis.fast_retransmission", "-e",
                          "tcp.analysis.spurious_retransmission", "-e", "tcp.analysis.duplicate_ack"});
  EXPECT_EQ(r.status, 0) << r.err;
  std::vector<Packet> out;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    std::vector<std::string> f;
    std::string cell;
    std::istringstream ls(line);
    while (std::getline(ls, cell, '\t')) f.push_back(cell);
    f.resize(11);
    Packet p;
    p.src = f[0] + ":" + f[1];
    p.dst = f[2] + ":" + f[3];
    p.ttl = static_cast<unsigned>(std::stoul(f[4]));
    p.ip_id = static_cast<unsigned>(std::stoul(f[5], nullptr, 16));
    p.seq_raw = static_cast<std::uint32_t>(std::stoul(f[6]));
    p.retransmission = !f[7].empty() || !f[8].empty() || !f[9].empty();
    p.dup_ack = !f[10].empty();
    out.push_back(p);
  }
  return out;
}

std::string src_of(const Segment& s) { return endpoint_string(s.src_ip, s.sport); }
std::string dst_of(const Segment& s) { return endpoint_string(s.dst_ip, s.dport); }

class PcapRouted : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_tool("tshark")) GTEST_SKIP() << "tshark is not installed (apt-get install tshark)";
  }
};

}  // namespace

// Wireshark marks as retransmissions exactly the TCPs' own retransmissions,
// and as duplicate ACKs none: a clean routed run has neither.
TEST_F(PcapRouted, AtSendersWiresharkFindsOnlyTheTracesRetransmissions) {
  for (const char* file : kRouted) {
    SCOPED_TRACE(file);
    const Trace t = run_file(file);
    int forwarded = 0, retrans = 0;
    for (const Event& e : t.events)
      if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send) {
        forwarded += e.forwarded;
        retrans += !e.forwarded && e.retrans;
      }
    ASSERT_GT(forwarded, 0) << "no segment crosses a forwarding host: the case this test is about is gone";
    PcapOptions o;
    o.capture_host = PcapOptions::kEverySender;
    const auto got = read_packets(write_file_pcap(t, "senders", o));
    int marked = 0, dup_acks = 0;
    for (const Packet& p : got) {
      marked += p.retransmission;
      dup_acks += p.dup_ack;
    }
    EXPECT_EQ(marked, retrans);
    EXPECT_EQ(dup_acks, 0);
  }
}

// Through a plain router: one packet per TCP transmission, in the order and
// at the time its TCP sent it, with the TTL it left with.
TEST_F(PcapRouted, AtSendersARoutersCopyIsNotWrittenAgain) {
  const Trace t = run_file("tests/kernel/facts/router-forwards-link-by-link.yaml");
  std::vector<const Event*> own;
  for (const Event& e : t.events)
    if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send && !e.forwarded) own.push_back(&e);
  PcapOptions o;
  o.capture_host = PcapOptions::kEverySender;
  const auto got = read_packets(write_file_pcap(t, "router-senders", o));
  ASSERT_EQ(got.size(), own.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE("packet " + std::to_string(i + 1));
    EXPECT_EQ(got[i].src, src_of(own[i]->seg));
    EXPECT_EQ(got[i].dst, dst_of(own[i]->seg));
    EXPECT_EQ(got[i].seq_raw, own[i]->seg.seq);
    EXPECT_EQ(got[i].ttl, 64u);
  }
}

// Behind a NAT the outside link carries the translated packet: it is in the
// capture, with the NAT's address, one TTL less and its sender's IP ID.
TEST_F(PcapRouted, AtSendersANatsTranslatedPacketIsKeptWithItsTtlOneLess) {
  const Trace t = run_file("scenarios/nat-idle-timeout.yaml");
  PcapOptions o;
  o.capture_host = PcapOptions::kEverySender;
  const auto got = read_packets(write_file_pcap(t, "nat-senders", o));
  int nat_copies = 0;
  for (const Event& e : t.events)
    if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send && e.forwarded) ++nat_copies;
  ASSERT_GT(nat_copies, 0);
  std::size_t own = 0;
  for (const Event& e : t.events) own += e.kind == EventKind::Segment && e.seg_op == SegOp::Send && !e.forwarded;
  EXPECT_EQ(got.size(), own + static_cast<std::size_t>(nat_copies));
  int ttl63 = 0;
  for (const Packet& p : got) {
    EXPECT_TRUE(p.ttl == 64 || p.ttl == 63) << p.src << " > " << p.dst << " ttl " << p.ttl;
    ttl63 += p.ttl == 63;
  }
  EXPECT_EQ(ttl63, nat_copies);
  // Each translated packet keeps the IP ID of the packet it translates: the
  // same seq, sent earlier from the other side of the NAT.
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (got[i].ttl != 63) continue;
    bool found = false;
    for (std::size_t j = 0; j < i && !found; ++j)
      found = got[j].ttl == 64 && got[j].seq_raw == got[i].seq_raw && got[j].ip_id == got[i].ip_id &&
              (got[j].src == got[i].src) != (got[j].dst == got[i].dst);
    EXPECT_TRUE(found) << "packet " << i + 1 << " " << got[i].src << " > " << got[i].dst;
  }
}

// At the server, behind one router: what the client sent arrives with TTL 63
// and the IP ID the client gave it; what the server sends leaves with 64.
TEST_F(PcapRouted, AtTheServerARoutedPacketArrivesWithItsTtlOneLessAndItsSendersIpId) {
  const Trace t = run_file("tests/kernel/facts/router-forwards-link-by-link.yaml");
  int server = -1;
  for (std::size_t h = 0; h < t.meta.hosts.size(); ++h)
    if (t.meta.hosts[h].name == "server") server = static_cast<int>(h);
  ASSERT_GE(server, 0);
  PcapOptions senders;
  senders.capture_host = PcapOptions::kEverySender;
  PcapOptions at;
  at.capture_host = server;
  const auto all = read_packets(write_file_pcap(t, "router-senders", senders));
  const auto got = read_packets(write_file_pcap(t, "router-at-server", at));
  const std::string server_ip = ip_string(t.meta.hosts[static_cast<std::size_t>(server)].ip);
  int in = 0;
  for (const Packet& p : got) {
    const bool from_server = p.src.rfind(server_ip + ":", 0) == 0;
    EXPECT_EQ(p.ttl, from_server ? 64u : 63u) << p.src << " > " << p.dst;
    if (from_server) continue;
    ++in;
    bool same = false;
    for (const Packet& q : all) same |= q.src == p.src && q.seq_raw == p.seq_raw && q.ip_id == p.ip_id;
    EXPECT_TRUE(same) << "no packet of the client with IP ID " << p.ip_id;
  }
  EXPECT_GT(in, 3);
}
