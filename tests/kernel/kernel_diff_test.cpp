// The kernel diff's normaliser and printer, on hand-made traces: what is
// normalised away (ISNs, ports, windows, small timing differences), what is
// compared (flags, relative seq/ack, lengths, distinct states, call results),
// and how the first divergence is shown.
#include <gtest/gtest.h>

#include <string>

#include "kernel_diff.hpp"

using namespace tcpsim;
using namespace tcpsim::kernel;

namespace {

constexpr std::uint32_t kClient = 0x0A000001;  // 10.0.0.1
constexpr std::uint32_t kServer = 0x0A000002;  // 10.0.0.2

// A two-host trace builder: segments by direction, states by label, calls by process.
struct TraceBuilder {
  Trace t;
  std::uint16_t cport = 40000, sport = 80;
  std::uint32_t c_isn = 1000, s_isn = 5000;
  std::uint16_t win = 64240;

  TraceBuilder() {
    t.on_host({"client", kClient});
    t.on_host({"server", kServer});
    t.on_process({1, 1, "server"});
    t.on_process({2, 0, "client"});
    t.on_socket({1, 0, 2, "client/sock"});
    t.on_socket({2, 1, 1, "server/conn"});
  }
  // rel_seq / rel_ack are relative to the ISNs; from_client picks the direction.
  TraceBuilder& seg(Time at, bool from_client, const std::string& flags, std::uint32_t rel_seq,
                    std::uint32_t rel_ack, std::uint32_t len = 0) {
    Event e;
    e.kind = EventKind::Segment;
    e.seg_op = SegOp::Send;
    e.t = at;
    e.host = from_client ? 0 : 1;
    e.seg.src_ip = from_client ? kClient : kServer;
    e.seg.dst_ip = from_client ? kServer : kClient;
    e.seg.sport = from_client ? cport : sport;
    e.seg.dport = from_client ? sport : cport;
    e.seg.flags = *parse_flags(flags);
    e.seg.seq = (from_client ? c_isn : s_isn) + rel_seq;
    e.seg.ack = (e.seg.flags & kAck) ? (from_client ? s_isn : c_isn) + rel_ack : 0;
    e.seg.len = len;
    e.seg.win = win;
    t.on_event(e);
    return *this;
  }
  TraceBuilder& state(Time at, std::uint32_t sock, TcpState from, TcpState to) {
    Event e;
    e.kind = EventKind::State;
    e.t = at;
    e.sock = sock;
    e.host = sock == 1 ? 0 : 1;
    e.from = from;
    e.to = to;
    t.on_event(e);
    return *this;
  }
  TraceBuilder& call(Time at, std::int32_t pid, const std::string& name, std::int64_t ret, int err = 0) {
    Event e;
    e.kind = EventKind::Call;
    e.t = at;
    e.pid = pid;
    e.call = name;
    e.ret = ret;
    e.err = err;
    t.on_event(e);
    return *this;
  }
  TraceBuilder& handshake(Time at = msec(10)) {
    return seg(at, true, "S", 0, 0).seg(at + msec(1), false, "S.", 0, 1).seg(at + msec(2), true, ".", 1, 1);
  }
};

}  // namespace

TEST(KernelNormalise, SeqAndAckBecomeRelativeToEachDirectionsIsn) {
  TraceBuilder b;
  b.handshake().seg(msec(13), true, "P.", 1, 1, 100).seg(msec(14), false, ".", 1, 101);
  Normalized n = normalize(b.t);
  ASSERT_EQ(n.segments.size(), 5u);
  EXPECT_EQ(n.segments[0].text(), "c1 client>server [S] seq 0 len 0");
  EXPECT_EQ(n.segments[1].text(), "c1 server>client [S.] seq 0 ack 1 len 0");
  EXPECT_EQ(n.segments[3].text(), "c1 client>server [P.] seq 1 ack 1 len 100");
  EXPECT_EQ(n.segments[4].text(), "c1 server>client [.] seq 1 ack 101 len 0");
}

TEST(KernelNormalise, RelativeSequenceNumbersSurviveWrapAround) {
  TraceBuilder b;
  b.c_isn = 4294967290u;  // 2^32 - 6: the data crosses zero
  b.handshake().seg(msec(13), true, "P.", 1, 1, 100).seg(msec(14), false, ".", 1, 101);
  Normalized n = normalize(b.t);
  EXPECT_EQ(n.segments[3].what, "[P.] seq 1 ack 1 len 100");
  EXPECT_EQ(n.segments[4].what, "[.] seq 1 ack 101 len 0");
}

TEST(KernelNormalise, RstWithoutAckFieldKeepsItsSeqAndShowsNoAck) {
  TraceBuilder b;
  b.handshake().seg(msec(20), false, "R", 1, 0);
  Normalized n = normalize(b.t);
  EXPECT_EQ(n.segments.back().what, "[R] seq 1 len 0");
}

TEST(KernelNormalise, StatesAreTheDistinctSequencePerSocketLabel) {
  TraceBuilder b;
  b.state(msec(10), 1, TcpState::Closed, TcpState::SynSent)
      .state(msec(12), 1, TcpState::SynSent, TcpState::Established)
      .state(msec(20), 1, TcpState::Established, TcpState::FinWait1);
  Normalized n = normalize(b.t);
  ASSERT_EQ(n.states["client/sock"].size(), 4u);
  EXPECT_EQ(n.states["client/sock"][0].what, "CLOSED");
  EXPECT_EQ(n.states["client/sock"][3].what, "FIN_WAIT_1");
}

TEST(KernelNormalise, CallsCarryReturnValueAndErrnoName) {
  TraceBuilder b;
  b.call(msec(30), 2, "send", -1, 104).call(msec(31), 2, "send", -1, 32);
  Normalized n = normalize(b.t);
  ASSERT_EQ(n.calls["client"].size(), 2u);
  EXPECT_EQ(n.calls["client"][0].what, "send = -1 ECONNRESET");
  EXPECT_EQ(n.calls["client"][1].what, "send = -1 EPIPE");
}

TEST(KernelDiff, DifferentPortsIsnsAndWindowsStillMatch) {
  TraceBuilder sim, ker;
  ker.cport = 51234;
  ker.c_isn = 777777;
  ker.s_isn = 3000000000u;
  ker.win = 502;
  sim.handshake().seg(msec(13), true, "F.", 1, 1);
  ker.handshake(msec(11)).seg(msec(14), true, "F.", 1, 1);
  DiffResult d = diff_traces(sim.t, ker.t);
  EXPECT_TRUE(d.match) << d.side_by_side;
  EXPECT_EQ(summary_line("normal-close", d), "normal-close: match");
}

TEST(KernelDiff, AnExtraPureAckIsTheFirstDivergence) {
  TraceBuilder sim, ker;
  sim.handshake().seg(msec(20), true, "F.", 1, 1).seg(msec(21), false, "F.", 1, 2);
  ker.handshake().seg(msec(20), true, "F.", 1, 1).seg(msec(21), false, ".", 1, 2).seg(msec(22), false, "F.", 1, 2);
  DiffResult d = diff_traces(sim.t, ker.t);
  ASSERT_FALSE(d.match);
  EXPECT_EQ(d.category, "segments");
  EXPECT_NE(d.expected.find("[F.] seq 1 ack 2"), std::string::npos) << d.expected;
  EXPECT_NE(d.actual.find("[.] seq 1 ack 2"), std::string::npos) << d.actual;
  EXPECT_EQ(d.event, 4u);  // the 5th normalised event of the simulated trace
}

TEST(KernelDiff, TimingWithinToleranceMatchesAndBeyondItDiverges) {
  TraceBuilder sim, near, far;
  sim.handshake().seg(msec(100), true, "F.", 1, 1);
  near.handshake().seg(msec(115), true, "F.", 1, 1);
  far.handshake().seg(msec(300), true, "F.", 1, 1);
  EXPECT_TRUE(diff_traces(sim.t, near.t).match);
  DiffResult d = diff_traces(sim.t, far.t);
  ASSERT_FALSE(d.match);
  EXPECT_EQ(d.category, "timing of segments");
  DiffOptions order_only;
  order_only.check_timing = false;
  EXPECT_TRUE(diff_traces(sim.t, far.t, order_only).match);
}

TEST(KernelDiff, CrossingSegmentsOfBothDirectionsMayComeInEitherOrder) {
  TraceBuilder sim, ker;
  sim.handshake().seg(msec(50), true, "F.", 1, 1).seg(msec(50) + 200, false, "F.", 1, 1);
  ker.handshake().seg(msec(50), false, "F.", 1, 1).seg(msec(50) + 300, true, "F.", 1, 1);
  EXPECT_TRUE(diff_traces(sim.t, ker.t).match);
}

TEST(KernelDiff, AStateMissingOnOneSideIsReportedWithTheSocketLabel) {
  TraceBuilder sim, ker;
  for (TraceBuilder* b : {&sim, &ker})
    b->state(msec(10), 1, TcpState::Closed, TcpState::SynSent)
        .state(msec(12), 1, TcpState::SynSent, TcpState::Established)
        .state(msec(20), 1, TcpState::Established, TcpState::FinWait1)
        .state(msec(22), 1, TcpState::FinWait1, TcpState::FinWait2);
  sim.state(msec(24), 1, TcpState::FinWait2, TcpState::TimeWait);
  ker.state(msec(24), 1, TcpState::FinWait2, TcpState::Closed);
  DiffResult d = diff_traces(sim.t, ker.t);
  ASSERT_FALSE(d.match);
  EXPECT_EQ(d.category, "states of client/sock");
  EXPECT_NE(d.expected.find("TIME_WAIT"), std::string::npos);
  EXPECT_NE(d.actual.find("CLOSED"), std::string::npos);
}

TEST(KernelDiff, ADifferentErrnoOfTheSecondSendIsADivergence) {
  TraceBuilder sim, ker;
  sim.call(msec(30), 2, "send", -1, 32).call(msec(31), 2, "send", -1, 32);
  ker.call(msec(30), 2, "send", -1, 104).call(msec(31), 2, "send", -1, 32);
  DiffResult d = diff_traces(sim.t, ker.t);
  ASSERT_FALSE(d.match);
  EXPECT_EQ(d.category, "calls of client");
  EXPECT_NE(d.expected.find("EPIPE"), std::string::npos);
  EXPECT_NE(d.actual.find("ECONNRESET"), std::string::npos);
}

TEST(KernelDiff, EventsAfterTheHorizonAreNotCompared) {
  TraceBuilder sim, ker;
  sim.handshake().state(sec(60), 1, TcpState::TimeWait, TcpState::Closed);
  ker.handshake();
  DiffOptions o;
  EXPECT_FALSE(diff_traces(sim.t, ker.t, o).match);
  o.horizon = sec(5);
  EXPECT_TRUE(diff_traces(sim.t, ker.t, o).match);
}

TEST(KernelDiffPrinter, SideBySideMarksTheDivergingRowAndShowsBothSides) {
  TraceBuilder sim, ker;
  sim.handshake().seg(msec(20), true, "F.", 1, 1);
  ker.handshake().seg(msec(20), true, "R.", 1, 1);
  DiffResult d = diff_traces(sim.t, ker.t);
  ASSERT_FALSE(d.match);
  const std::string& s = d.side_by_side;
  EXPECT_NE(s.find("tcpsim"), std::string::npos) << s;
  EXPECT_NE(s.find("| kernel"), std::string::npos) << s;
  auto row = s.find(">>");
  ASSERT_NE(row, std::string::npos) << s;
  std::string line = s.substr(row, s.find('\n', row) - row);
  EXPECT_NE(line.find("[F.] seq 1 ack 1"), std::string::npos) << line;
  EXPECT_NE(line.find("| "), std::string::npos) << line;
  EXPECT_NE(line.find("[R.] seq 1 ack 1"), std::string::npos) << line;
  // The rows before it are shown unmarked.
  EXPECT_NE(s.find("   0 0.010000 c1 client>server [S] seq 0 len 0"), std::string::npos) << s;
}

TEST(KernelDiffPrinter, SummaryLineNamesTheEventAndBothSides) {
  DiffResult d;
  d.match = false;
  d.event = 7;
  d.category = "segments";
  d.expected = "0.1 [F.]";
  d.actual = "0.1 [R.]";
  EXPECT_EQ(summary_line("x", d), "x: diverged at event 7 (segments: tcpsim 0.1 [F.] | kernel 0.1 [R.])");
}

// ---- how far a scenario is compared, and why it stops (issue #14) ----

namespace {

Normalized model_at(std::initializer_list<Time> times) {
  Normalized n;
  for (Time t : times) {
    NormItem it;
    it.t = t;
    n.all.push_back(it);
  }
  return n;
}

}  // namespace

TEST(KernelPlan, AScenarioThatEndsBeforeTheCapIsComparedWhole) {
  Scenario sc;
  ComparisonPlan p = plan_comparison(sc, model_at({msec(10), msec(300)}), msec(100), sec(20));
  EXPECT_EQ(p.stop, ComparisonPlan::Stop::ScenarioEnd);
  EXPECT_TRUE(p.whole());
  EXPECT_EQ(p.horizon, msec(800));
  EXPECT_EQ(p.kernel_until, msec(1300));
  EXPECT_EQ(p.events_compared, 2u);
  EXPECT_EQ(p.events_total, 2u);
  EXPECT_NE(p.why.find("whole scenario"), std::string::npos) << p.why;
}

TEST(KernelPlan, AScriptEndingInASleepExtendsTheComparisonToTheSleepsEnd) {
  // Nothing in the model after 0.3 s, but a script sleeps until 5 s: the
  // kernel must be watched until then, not only until the last event.
  Scenario sc;
  ComparisonPlan p = plan_comparison(sc, model_at({msec(10), msec(300)}), sec(5), sec(20));
  EXPECT_EQ(p.stop, ComparisonPlan::Stop::ScenarioEnd);
  EXPECT_EQ(p.horizon, sec(5) + msec(500));
  EXPECT_EQ(p.kernel_until, sec(6));
  EXPECT_NE(p.why.find("sleep ends at 5 s"), std::string::npos) << p.why;
}

TEST(KernelPlan, TheScenariosKernelHorizonStopsItAndSaysWhy) {
  Scenario sc;
  sc.kernel_horizon = sec(5);
  sc.kernel_skip_reason = "TIME_WAIT lasts 60 s";
  ComparisonPlan p = plan_comparison(sc, model_at({msec(10), sec(2), sec(60)}), sec(1), sec(20));
  EXPECT_EQ(p.stop, ComparisonPlan::Stop::ScenarioHorizon);
  EXPECT_FALSE(p.whole());
  EXPECT_EQ(p.horizon, sec(5));
  EXPECT_EQ(p.kernel_until, sec(6));
  EXPECT_EQ(p.events_compared, 2u);
  EXPECT_EQ(p.events_total, 3u);
  EXPECT_EQ(p.next_model_event, sec(60));
  EXPECT_NE(p.why.find("TIME_WAIT lasts 60 s"), std::string::npos) << p.why;
  EXPECT_NE(p.why.find("next event at 60 s"), std::string::npos) << p.why;
}

TEST(KernelPlan, AnEventPastMaxDurationMakesAPartialComparison) {
  Scenario sc;
  ComparisonPlan p = plan_comparison(sc, model_at({msec(10), msec(100), sec(60)}), 0, sec(20));
  EXPECT_EQ(p.stop, ComparisonPlan::Stop::MaxDuration);
  EXPECT_FALSE(p.whole());
  EXPECT_EQ(p.horizon, msec(600));
  EXPECT_EQ(p.events_compared, 2u);
  EXPECT_NE(p.why.find("--max-duration"), std::string::npos) << p.why;
}

TEST(KernelPlan, TheScenariosDurationEndsItWhole) {
  Scenario sc;
  sc.duration = sec(3);
  ComparisonPlan p = plan_comparison(sc, model_at({msec(10), sec(2)}), sec(10), sec(20));
  EXPECT_EQ(p.stop, ComparisonPlan::Stop::Duration);
  EXPECT_TRUE(p.whole());
  EXPECT_EQ(p.horizon, sec(3));
}

TEST(KernelDiff, AnItemThatCrossedTwoOthersMovesUpWithoutReorderingThem) {
  // Three streams within a millisecond: the kernel's third item belongs
  // first; the two it jumped over keep their order.
  TraceBuilder sim, ker;
  sim.handshake().seg(msec(50), true, "F.", 1, 1).seg(msec(50) + 100, false, ".", 1, 2)
      .seg(msec(50) + 200, false, "F.", 1, 2);
  ker.handshake().seg(msec(50), false, ".", 1, 2).seg(msec(50) + 100, false, "F.", 1, 2)
      .seg(msec(50) + 300, true, "F.", 1, 1);
  // The two server items are one stream: the client's FIN may cross both.
  EXPECT_TRUE(diff_traces(sim.t, ker.t).match);
}

TEST(KernelNormalise, ANewIsnOnAReusedFourTupleIsANewConnection) {
  TraceBuilder b;
  b.handshake(msec(10)).seg(msec(20), true, "F.", 1, 1);
  b.c_isn += 100000;  // the port is reused: a new incarnation
  b.handshake(msec(100));
  Normalized n = normalize(b.t);
  ASSERT_EQ(n.segments.size(), 7u);
  EXPECT_EQ(n.segments[0].who.substr(0, 3), "c1 ");
  EXPECT_EQ(n.segments[4].who.substr(0, 3), "c2 ");
  EXPECT_EQ(n.segments[4].what, "[S] seq 0 len 0");
  EXPECT_EQ(n.segments[5].what, "[S.] seq 0 ack 1 len 0");
}

TEST(KernelNormalise, ARetransmittedSynStaysTheSameConnection) {
  TraceBuilder b;
  b.seg(msec(10), true, "S", 0, 0).seg(sec(1), true, "S", 0, 0);
  Normalized n = normalize(b.t);
  ASSERT_EQ(n.segments.size(), 2u);
  EXPECT_EQ(n.segments[1].who.substr(0, 3), "c1 ");
}
