// Engine ordering and determinism, sequence arithmetic modulo 2^32, and the
// RFC 9293 §3.10.7.4 acceptability test.
#include <gtest/gtest.h>

#include "engine.hpp"
#include "helpers.hpp"
#include "sim.hpp"
#include "tcpsim/seq.hpp"

namespace tcpsim {
namespace {

TEST(Engine, PopsByTimeThenInsertionOrder) {
  Engine q;
  q.push(30, 0, 1, 0);
  q.push(10, 0, 2, 0);
  q.push(20, 0, 3, 0);
  q.push(10, 0, 4, 0);
  q.push(10, 0, 5, 0);
  std::vector<std::uint32_t> got;
  while (!q.empty()) got.push_back(q.pop().a);
  EXPECT_EQ(got, (std::vector<std::uint32_t>{2, 4, 5, 3, 1}));
}

TEST(Engine, TiesStayFifoAcrossManyEvents) {
  Engine q;
  for (std::uint32_t i = 0; i < 1000; ++i) q.push(static_cast<Time>(i % 7), 1, i, 0);
  Time last_t = -1;
  std::uint32_t last_a = 0;
  while (!q.empty()) {
    const QItem it = q.pop();
    if (it.t == last_t) {
      EXPECT_GT(it.a, last_a);
    }
    EXPECT_GE(it.t, last_t);
    last_t = it.t;
    last_a = it.a;
  }
}

TEST(Engine, SameScenarioAndSeedGiveIdenticalJsonl) {
  const Scenario sc = test::load_yaml(R"(  server:
    host: server
    run:
      - listen: {port: 80, as: lsock}
      - accept: {socket: lsock, as: conn}
      - recv: {socket: conn, until: eof}
      - close: conn
  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - send: {socket: sock, bytes: 20000}
      - close: sock
)", "link: {delay: 3ms, loss: 0.2, jitter: 2ms, reorder: 0.2, duplicate: 0.1}\n");
  auto jsonl = [&](std::uint64_t seed) {
    RunOptions o;
    o.seed = seed;
    const Trace t = run_scenario(sc, o);
    std::string s;
    for (std::size_t i = 0; i < t.events.size(); ++i) s += format_jsonl(t.events[i], i, t.meta) + "\n";
    return s;
  };
  EXPECT_EQ(jsonl(7), jsonl(7));
  EXPECT_NE(jsonl(7), jsonl(8));
}

TEST(SeqArithmetic, ComparesAcrossTheWrap) {
  EXPECT_TRUE(seq_lt(0xFFFFFFF0u, 0x10u));
  EXPECT_TRUE(seq_gt(0x10u, 0xFFFFFFF0u));
  EXPECT_TRUE(seq_le(5u, 5u));
  EXPECT_TRUE(seq_ge(5u, 5u));
  EXPECT_FALSE(seq_lt(5u, 5u));
  EXPECT_TRUE(seq_lt(0xFFFFFFFFu, 0u));
  EXPECT_TRUE(seq_lt(0x7FFFFFFFu, 0x80000000u));
  EXPECT_TRUE(seq_lt(1u, 0x7FFFFFFFu + 1u));  // 2^31 - 1 apart: still ordered
}

TEST(SeqArithmetic, InWindowAcrossTheWrap) {
  EXPECT_TRUE(seq_in(0xFFFFFFFFu, 0xFFFFFFF0u, 0x10u));
  EXPECT_TRUE(seq_in(0x0u, 0xFFFFFFF0u, 0x10u));
  EXPECT_TRUE(seq_in(0xFFFFFFF0u, 0xFFFFFFF0u, 0x10u));  // lo included
  EXPECT_FALSE(seq_in(0x10u, 0xFFFFFFF0u, 0x10u));       // hi excluded
  EXPECT_FALSE(seq_in(0xFFFFFFEFu, 0xFFFFFFF0u, 0x10u));
}

TEST(SeqArithmetic, ConnectionWithIsnNearTheWrapDeliversEveryByte) {
  const Trace t = test::run_yaml(R"(  server:
    host: server
    run:
      - listen: {port: 80, as: lsock}
      - accept: {socket: lsock, as: conn}
      - recv: {socket: conn, until: eof}
      - close: conn
  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - send: {socket: sock, bytes: 10000}
      - close: sock
)", "isn: {client/sock: 4294967000}\n");
  std::int64_t read = 0;
  for (const auto& e : t.events)
    if (e.kind == EventKind::Call && e.call == "recv" && e.ret > 0) read += e.ret;
  EXPECT_EQ(read, 10000);
  test::expectStates(t, "client/sock", {TcpState::Closed, TcpState::SynSent, TcpState::Established,
                                        TcpState::FinWait1, TcpState::FinWait2, TcpState::TimeWait,
                                        TcpState::Closed});
}

// RFC 9293 §3.10.7.4 table, one case per row, with RCV.NXT near 2^32.
class Acceptability : public ::testing::Test {
 protected:
  Scenario sc = test::load_yaml("  p: {host: client, run: [{sleep: 1s}]}\n");
  Trace sink;
  Sim sim{sc, sink, RunOptions{}};
  Sock s;
  Segment seg(std::uint32_t seq, std::uint32_t len, std::uint8_t flags = kAck) {
    Segment g;
    g.seq = seq;
    g.len = len;
    g.flags = flags;
    return g;
  }
  void SetUp() override { s.rcv_nxt = 0xFFFFFF00u; }
};

TEST_F(Acceptability, ZeroLengthZeroWindowNeedsSeqEqualRcvNxt) {
  s.rcv_wnd = 0;
  EXPECT_TRUE(sim.acceptable(s, seg(0xFFFFFF00u, 0)));
  EXPECT_FALSE(sim.acceptable(s, seg(0xFFFFFF01u, 0)));
}
TEST_F(Acceptability, ZeroLengthOpenWindowNeedsSeqInWindow) {
  s.rcv_wnd = 0x200;
  EXPECT_TRUE(sim.acceptable(s, seg(0x50u, 0)));           // wrapped, inside
  EXPECT_FALSE(sim.acceptable(s, seg(0x100u, 0)));         // RCV.NXT + RCV.WND excluded
  EXPECT_FALSE(sim.acceptable(s, seg(0xFFFFFEFFu, 0)));    // just before
}
TEST_F(Acceptability, DataIntoZeroWindowIsNeverAcceptable) {
  s.rcv_wnd = 0;
  EXPECT_FALSE(sim.acceptable(s, seg(0xFFFFFF00u, 10)));
}
TEST_F(Acceptability, DataAcceptableWhenStartOrEndIsInWindow) {
  s.rcv_wnd = 0x200;
  EXPECT_TRUE(sim.acceptable(s, seg(0xFFFFFF00u, 100)));   // starts at RCV.NXT
  EXPECT_TRUE(sim.acceptable(s, seg(0xFFFFFEF0u, 0x20)));  // old start, end inside
  EXPECT_FALSE(sim.acceptable(s, seg(0xFFFFFE00u, 0x10))); // entirely old
  EXPECT_FALSE(sim.acceptable(s, seg(0x100u, 10)));        // entirely beyond the window
}

}  // namespace
}  // namespace tcpsim
