// The Linux behaviours of issue 2, each against docs/kernel-facts.md.
#include <gtest/gtest.h>

#include <algorithm>

#include "helpers.hpp"

namespace tcpsim {
namespace {
using test::callResult;
using test::errnoOf;
using test::expectStates;
using test::run_yaml;
using test::segments;
using S = TcpState;

using test::kServerAcceptOnly;

// §6, RFC 2525 §2.17.
TEST(EstablishedTest, CloseWithUnreadDataSendsRstNotFin) {
  const Trace t = run_yaml(std::string(kServerAcceptOnly) + R"(      - after: 100ms
        close: conn
  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - send: {socket: sock, bytes: 100}
      - after: 500ms
        recv: {socket: sock}
        on_error: continue
      - recv: {socket: sock}
      - send: {socket: sock, bytes: 10, nosignal: true}
        on_error: continue
)");
  const auto srv = segments(t, "server");
  EXPECT_EQ(std::count(srv.begin(), srv.end(), "R."), 1);
  EXPECT_EQ(std::count(srv.begin(), srv.end(), "F."), 0);
  expectStates(t, "server/conn", {S::Listen, S::SynReceived, S::Established, S::Closed});
  EXPECT_EQ(errnoOf(callResult(t, "client", "recv", 1)), "ECONNRESET");
  const Event* r2 = callResult(t, "client", "recv", 2);
  ASSERT_NE(r2, nullptr);
  EXPECT_EQ(r2->ret, 0);
  EXPECT_EQ(errnoOf(callResult(t, "client", "send", 2)), "EPIPE");
}

// §7.
TEST(EstablishedTest, SoLingerZeroAbortsWithRstAndNoTimeWait) {
  const Trace t = run_yaml(std::string(kServerAcceptOnly) + R"(      - recv: {socket: conn}
        on_error: continue
      - recv: {socket: conn}
  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - setsockopt: {socket: sock, linger: 0}
      - after: 100ms
        close: sock
)");
  EXPECT_EQ(segments(t, "client").back(), "R.");
  expectStates(t, "client/sock", {S::Closed, S::SynSent, S::Established, S::Closed});
  EXPECT_EQ(errnoOf(callResult(t, "server", "recv", 1)), "ECONNRESET");
  ASSERT_NE(callResult(t, "server", "recv", 2), nullptr);
  EXPECT_EQ(callResult(t, "server", "recv", 2)->ret, 0);
}

// §8, RFC 9293 §3.10.7.1.
TEST(SynSentTest, ConnectToClosedPortGetsRstAndEconnrefused) {
  const Trace t = run_yaml(R"(  client:
    host: client
    run:
      - connect: {to: "server:81", as: sock}
)");
  EXPECT_EQ(segments(t), (std::vector<std::string>{"S", "R."}));
  EXPECT_EQ(errnoOf(callResult(t, "client", "connect")), "ECONNREFUSED");
  expectStates(t, "client/sock", {S::Closed, S::SynSent, S::Closed});
}

// §12 row 1: ECONNRESET, then EPIPE with SIGPIPE (kills by default).
TEST(EstablishedTest, SendAfterRstIsEconnresetThenEpipeWithSigpipe) {
  const Trace t = run_yaml(std::string(kServerAcceptOnly) + R"(      - setsockopt: {socket: conn, linger: 0}
      - after: 50ms
        close: conn
  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - after: 200ms
        send: {socket: sock, bytes: 10}
        on_error: continue
      - send: {socket: sock, bytes: 10}
        on_error: continue
)");
  EXPECT_EQ(errnoOf(callResult(t, "client", "send", 1)), "ECONNRESET");
  EXPECT_EQ(errnoOf(callResult(t, "client", "send", 2)), "EPIPE");
  EXPECT_TRUE(test::killed_by_sigpipe(t, "client"));
}

TEST(EstablishedTest, MsgNosignalGivesEpipeWithoutSignal) {
  const Trace t = run_yaml(std::string(kServerAcceptOnly) + R"(      - setsockopt: {socket: conn, linger: 0}
      - after: 50ms
        close: conn
  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - after: 200ms
        send: {socket: sock, bytes: 10, nosignal: true}
        on_error: continue
      - send: {socket: sock, bytes: 10, nosignal: true}
        on_error: continue
)");
  EXPECT_EQ(errnoOf(callResult(t, "client", "send", 2)), "EPIPE");
  EXPECT_EQ(test::count_signals(t, "client"), 0);
  EXPECT_FALSE(test::killed_by_sigpipe(t, "client"));
}

// §12 row 3: in CLOSE_WAIT the first send succeeds and draws [R]; the next is EPIPE.
TEST(CloseWaitTest, SendToGonePeerSucceedsThenEpipe) {
  const Trace t = run_yaml(std::string(kServerAcceptOnly) + R"(      - recv: {socket: conn, until: eof}
      - after: 200ms
        send: {socket: conn, bytes: 10}
      - after: 100ms
        send: {socket: conn, bytes: 10}
        on_error: continue
  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - close: sock
)");
  const Event* s1 = callResult(t, "server", "send", 1);
  ASSERT_NE(s1, nullptr);
  EXPECT_EQ(s1->ret, 10);
  EXPECT_EQ(errnoOf(callResult(t, "server", "send", 2)), "EPIPE");
  const auto cli = segments(t, "client");
  EXPECT_EQ(cli.back(), "R");
}

TEST(CloseWaitTest, RecvReturnsZeroAtEof) {
  const Trace t = run_yaml(std::string(kServerAcceptOnly) + R"(      - recv: {socket: conn}
  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - close: sock
)");
  const Event* r = callResult(t, "server", "recv");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->ret, 0);
  EXPECT_EQ(r->err, 0);
  expectStates(t, "server/conn", {S::Listen, S::SynReceived, S::Established, S::CloseWait});
}

// §10: SYN retransmissions at 1,2,3,4,5,7,11 s and ETIMEDOUT with tcp_syn_retries = 3.
TEST(SynSentTest, SynRetriesEndInEtimedoutWithMeasuredTiming) {
  const Trace t = run_yaml(R"(  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
)", "faults:\n  - drop: {from: client, flags: S, count: 0}\n");
  (void)t;
  const Scenario sc = test::load_yaml(R"(  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
)", "faults:\n  - drop: {from: client, flags: S, count: 0}\n");
  Scenario s2 = sc;
  s2.hosts[0].sysctls.tcp_syn_retries = 3;
  const Trace tr = run_scenario(s2);
  std::vector<Time> syn;
  for (const auto& e : tr.events)
    if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send && e.seg.flags == kSyn) syn.push_back(e.t);
  ASSERT_EQ(syn.size(), 8u);  // the SYN and 3 + 4 retransmissions
  const std::vector<Time> want = {0, sec(1), sec(2), sec(3), sec(4), sec(5), sec(7), sec(11)};
  EXPECT_EQ(syn, want);
  const Event* c = callResult(tr, "client", "connect");
  EXPECT_EQ(errnoOf(c), "ETIMEDOUT");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->t, sec(19));  // measured 19.7 s; model: last RTO of 8 s after 11 s
}

// §10: connect() gives up by TIME (tcp_model_timeout(tcp_syn_retries, 1 s)
// since the first SYN), not only by count: measured on Linux 6.18,
// tcp_syn_retries = 2 -> SYNs at 0..5 s, ETIMEDOUT at 7 s (a count of
// 2 + 4 retransmissions would send one more SYN at 7 s and fail at 11 s);
// tcp_syn_retries = 1 -> SYNs at 0, 1, 2 s, ETIMEDOUT at 3 s.
TEST(SynSentTest, ConnectGivesUpByTimeSinceTheFirstSyn) {
  const Scenario sc = test::load_yaml(R"(  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
)", "faults:\n  - drop: {from: client, flags: S, count: 0}\n");
  struct Case { int retries; std::vector<Time> syns; Time fail; };
  for (const Case& c : {Case{2, {0, sec(1), sec(2), sec(3), sec(4), sec(5)}, sec(7)},
                        Case{1, {0, sec(1), sec(2)}, sec(3)}}) {
    Scenario s2 = sc;
    s2.hosts[0].sysctls.tcp_syn_retries = c.retries;
    const Trace tr = run_scenario(s2);
    std::vector<Time> syn;
    for (const auto& e : tr.events)
      if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send && e.seg.flags == kSyn) syn.push_back(e.t);
    EXPECT_EQ(syn, c.syns) << "tcp_syn_retries = " << c.retries;
    const Event* r = callResult(tr, "client", "connect");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(errnoOf(r), "ETIMEDOUT");
    EXPECT_EQ(r->t, c.fail) << "tcp_syn_retries = " << c.retries;
  }
}

// §8: a non-blocking send() while connect() is still in SYN_SENT fails with
// EAGAIN at once (sk_stream_wait_connect with a zero timeout), as recv() does;
// measured on Linux 6.18 with the SYNs dropped.
TEST(SynSentTest, NonBlockingSendDuringTheHandshakeFailsWithEagain) {
  const Trace t = run_yaml(R"(  client:
    host: client
    run:
      - socket: {as: sock}
      - setsockopt: {socket: sock, nonblock: true}
      - connect: {socket: sock, to: "server:80"}
        on_error: continue
      - send: {socket: sock, bytes: 100}
        on_error: continue
      - recv: {socket: sock}
        on_error: continue
)", "faults:\n  - drop: {from: client, flags: S, count: 0}\n");
  const Event* c = callResult(t, "client", "connect");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(errnoOf(c), "EINPROGRESS");
  const Event* s = callResult(t, "client", "send");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->ret, -1);
  EXPECT_EQ(errnoOf(s), "EAGAIN");
  EXPECT_EQ(s->t, c->t);  // at once, not when the handshake ends
  const Event* r = callResult(t, "client", "recv");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(errnoOf(r), "EAGAIN");
}

// §2: the ACK of a FIN received in ESTABLISHED waits for ato: 40 ms once data
// has arrived (TCP_ATO_MIN), but only a timer tick (4 ms) on a connection that
// never carried data, where Linux's ato is still 0.
TEST(DelayedAckTest, FinAckWaitsFortyMsAfterDataButOnlyATickWithout) {
  for (const bool data : {false, true}) {
    std::string client = R"(  client:
    host: client
    run:
      - at: 10ms
        connect: {to: "server:80", as: sock}
)";
    if (data) client += "      - send: {socket: sock, bytes: 100}\n";
    client += "      - at: 100ms\n        close: sock\n";
    const Trace t = run_yaml(std::string(kServerAcceptOnly) + client, "");
    Time fin_in = -1, ack_out = -1;
    for (const auto& e : t.events)
      if (e.kind == EventKind::Segment && e.seg_op == SegOp::Deliver && (e.seg.flags & kFin)) {
        fin_in = e.t;
        break;
      }
    ASSERT_GE(fin_in, 0);
    // The server's first pure ACK after the FIN arrived.
    for (const auto& e : t.events)
      if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send && e.seg.flags == kAck && e.t >= fin_in &&
          t.meta.hosts[e.host].name == "server") {
        ack_out = e.t;
        break;
      }
    ASSERT_GE(ack_out, 0) << "data " << data;
    EXPECT_EQ(ack_out - fin_in, data ? msec(40) : msec(4)) << "data " << data;
  }
}

// §3: the orphaned FIN_WAIT_2 expires after tcp_fin_timeout, silently.
TEST(FinWait2Test, OrphanExpiresAfterTcpFinTimeout) {
  const Trace t = run_yaml(std::string(kServerAcceptOnly) + R"(  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - after: 1s
        close: sock
)", "");
  const Event* fw2 = test::stateEvent(t, "client/sock", S::FinWait2);
  ASSERT_NE(fw2, nullptr);
  const Event* gone = nullptr;
  for (const auto& e : t.events)
    if (e.kind == EventKind::State && e.sock == fw2->sock && e.from == S::FinWait2) gone = &e;
  ASSERT_NE(gone, nullptr);
  EXPECT_EQ(gone->to, S::Closed);
  EXPECT_EQ(gone->t - fw2->t, sec(60));
  EXPECT_EQ(gone->text.rfind("tcp_fin_timeout", 0), 0u) << gone->text;
  expectStates(t, "server/conn", {S::Listen, S::SynReceived, S::Established, S::CloseWait});
}

TEST(FinWait2Test, ShutdownWithoutCloseNeverTimesOut) {
  const Trace t = run_yaml(std::string(kServerAcceptOnly) + R"(  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - after: 1s
        shutdown: {socket: sock, how: wr}
)");
  expectStates(t, "client/sock", {S::Closed, S::SynSent, S::Established, S::FinWait1, S::FinWait2});
  for (const auto& e : t.events)
    EXPECT_FALSE(e.kind == EventKind::Timer && e.timer == TimerKind::FinWait2) << "FIN_WAIT_2 timer after shutdown";
}

// §27 (issue #14.11): an orphaned FIN_WAIT_2 socket answers a SYN in its
// window with RST and is gone (tcp_timewait_state_process: TCP_TW_RST), no
// challenge ACK. Real sockets cannot aim a SYN into the window (Linux's ISN
// moves on with the clock), so the ISNs are fixed here: the client aborts with
// SO_LINGER {on, 0}, its RST is lost, and it connects again from port 40000.
TEST(FinWait2Test, OrphanAnswersASynInItsWindowWithRstAndIsGone) {
  const Trace t = run_yaml(R"(  server:
    host: server
    run:
      - listen: {port: 80, as: lsock}
      - accept: {socket: lsock, as: conn}
      - after: 100ms
        close: conn
  client:
    host: client
    run:
      - connect: {to: "server:80", from_port: 40000, as: sock}
      - recv: {socket: sock, until: eof}
      - after: 400ms
        setsockopt: {socket: sock, linger: 0}
      - close: sock
      - connect: {to: "server:80", from_port: 40000, as: s2}
        on_error: continue
)", "isn: {client/sock: 1000, client/s2: 5000}\nfaults:\n  - drop: {from: client, has: R}\n");
  expectStates(t, "server/conn",
               {S::Listen, S::SynReceived, S::Established, S::FinWait1, S::FinWait2, S::Closed});
  const Event* closed = test::stateEvent(t, "server/conn", S::Closed);
  ASSERT_NE(closed, nullptr);
  EXPECT_NE(closed->text.find("rcv SYN after close()"), std::string::npos) << closed->text;
  const auto srv = segments(t, "server");
  ASSERT_FALSE(srv.empty());
  EXPECT_EQ(srv.back(), "R.");
  EXPECT_EQ(errnoOf(callResult(t, "client", "connect", 2)), "ECONNREFUSED");
}

// Issue #14.12: the rfc9293 profile uses the RFC's own values (docs/model.md).
namespace {
Trace run_profile(const char* profile, const std::string& faults, const std::string& client_steps) {
  const std::string y = std::string("title: t\nhosts:\n  client: {ip: 10.0.0.1, profile: ") + profile +
                        "}\n  server: {ip: 10.0.0.2, profile: " + profile + "}\nlink: {delay: 1ms}\n" +
                        faults + "processes:\n" + kServerAcceptOnly +
                        "      - recv: {socket: conn, until: eof}\n      - close: conn\n" +
                        "  client:\n    host: client\n    run:\n" + client_steps;
  return run_scenario(load_scenario_string(y, "test.yaml"));
}
using test::send_times;
}  // namespace

TEST(Rfc9293ProfileTest, TimeWaitLastsTwoMslOfFourMinutes) {
  const std::string steps = "      - connect: {to: \"server:80\", as: sock}\n      - close: sock\n";
  for (const char* profile : {"linux", "rfc9293"}) {
    const Trace t = run_profile(profile, "", steps);
    const Event* tw = test::stateEvent(t, "client/sock", S::TimeWait);
    ASSERT_NE(tw, nullptr) << profile;
    const Event* gone = nullptr;
    for (const auto& e : t.events)
      if (e.kind == EventKind::State && e.sock == tw->sock && e.from == S::TimeWait) gone = &e;
    ASSERT_NE(gone, nullptr) << profile;
    EXPECT_EQ(gone->t - tw->t, std::string(profile) == "linux" ? sec(60) : sec(240)) << profile;
  }
}

TEST(Rfc9293ProfileTest, SynRetransmissionsBackOffFromTheFirst) {
  const std::string steps = "      - connect: {to: \"server:80\", as: sock}\n        on_error: continue\n";
  const std::string drop = "faults:\n  - drop: {from: client, flags: S, count: 0}\n";
  const Trace t = run_profile("rfc9293", drop, steps);
  const auto syn = send_times(t, "client", "S");
  ASSERT_GE(syn.size(), 5u);
  // RFC 6298 (5.5): 1, 2, 4, 8 s between SYNs; Linux waits 1 s five times first.
  EXPECT_EQ(syn[1] - syn[0], sec(1));
  EXPECT_EQ(syn[2] - syn[1], sec(2));
  EXPECT_EQ(syn[3] - syn[2], sec(4));
  EXPECT_EQ(syn[4] - syn[3], sec(8));
  const auto lin = send_times(run_profile("linux", drop, steps), "client", "S");
  ASSERT_GE(lin.size(), 3u);
  EXPECT_EQ(lin[2] - lin[1], sec(1));
}

TEST(Rfc9293ProfileTest, RetransmissionTimeoutIsRfc6298sFlooredAtOneSecond) {
  const std::string steps =
      "      - connect: {to: \"server:80\", as: sock}\n      - send: {socket: sock, bytes: 100}\n"
      "      - after: 5s\n        close: sock\n";
  const std::string drop = "faults:\n  - drop: {from: client, has: P, nth: 1}\n";
  for (const char* profile : {"linux", "rfc9293"}) {
    const auto data = send_times(run_profile(profile, drop, steps), "client", "P.");
    ASSERT_GE(data.size(), 2u) << profile;
    if (std::string(profile) == "linux")
      EXPECT_LT(data[1] - data[0], msec(500)) << "tail loss probe, RTO 200 ms + SRTT";
    else {
      // RFC 6298 (2.3), (2.4): RTO = max(SRTT + 4 RTTVAR, 1 s). On this 2 ms
      // path SRTT + 4 RTTVAR is a few ms, so the RTO is exactly 1 s (Linux's
      // SRTT + max(4 RTTVAR, rto_min) would give 1 s + SRTT).
      EXPECT_EQ(data[1] - data[0], sec(1));
    }
  }
}

// §2: first data is ACKed at once; the FIN's ACK is delayed ~40 ms.
TEST(EstablishedTest, FirstDataQuickAckedFinAckDelayed) {
  const Trace t = run_yaml(std::string(kServerAcceptOnly) + R"(  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - send: {socket: sock, bytes: 100}
      - after: 100ms
        close: sock
)", "link: {delay: 2ms}\n");
  Time data_in = -1, data_ack = -1, fin_in = -1, fin_ack = -1;
  for (const auto& e : t.events) {
    if (e.kind != EventKind::Segment) continue;
    const std::string host = t.meta.hosts[e.host].name;
    if (e.seg_op == SegOp::Deliver && host == "server" && e.seg.len == 100) data_in = e.t;
    if (e.seg_op == SegOp::Deliver && host == "server" && (e.seg.flags & kFin)) fin_in = e.t;
    if (e.seg_op == SegOp::Send && host == "server" && e.seg.flags == kAck) {
      if (data_in >= 0 && data_ack < 0) data_ack = e.t;
      if (fin_in >= 0 && fin_ack < 0) fin_ack = e.t;
    }
  }
  EXPECT_EQ(data_ack, data_in);
  ASSERT_GE(fin_ack, 0);
  EXPECT_GE(fin_ack - fin_in, msec(40));
  EXPECT_LE(fin_ack - fin_in, msec(45));
}

// tcp_rcv_state_process(), FIN_WAIT_1, an orphan: a segment that
// acknowledges our FIN and carries the peer's FIN keeps the full socket
// ("Bad case. We could lose such FIN otherwise"), which ACKs the FIN; past
// tcp_max_tw_buckets it then closes instead of entering TIME_WAIT. Measured
// by the kernel variant of time-wait-server-active-close (docs/fidelity.md).
TEST(FinWait1Test, OrphanPastMaxTwBucketsAcksAFinThatComesWithTheAckOfItsOwn) {
  const Scenario sc = load_scenario_string(R"(title: t
hosts:
  client: {ip: 10.0.0.1}
  server:
    ip: 10.0.0.2
    sysctl: {net.ipv4.tcp_max_tw_buckets: 0}
link: {delay: 1ms}
processes:
  server:
    host: server
    run:
      - listen: {port: 80, as: lsock}
      - accept: {socket: lsock, as: conn}
      - recv: {socket: conn, bytes: 100}
      - send: {socket: conn, bytes: 1000}
      - close: conn
  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - send: {socket: sock, bytes: 100}
      - recv: {socket: sock, until: eof}
      - close: sock
)", "test.yaml");
  const Trace t = run_scenario(sc);
  expectStates(t, "server/conn", {S::Listen, S::SynReceived, S::Established, S::FinWait1, S::FinWait2, S::Closed});
  expectStates(t, "client/sock", {S::Closed, S::SynSent, S::Established, S::CloseWait, S::LastAck, S::Closed});
  // The client's FIN carried the ACK of the server's FIN, and the server ACKed it: no RST, no retransmitted FIN.
  const auto server = segments(t, "server");
  const auto client = segments(t, "client");
  EXPECT_EQ(std::count(server.begin(), server.end(), "R"), 0);
  EXPECT_EQ(std::count(server.begin(), server.end(), "R."), 0);
  EXPECT_EQ(std::count(client.begin(), client.end(), "F."), 1);
  const Event* closed = test::stateEvent(t, "server/conn", S::Closed);
  ASSERT_NE(closed, nullptr);
  EXPECT_EQ(closed->text, "rcv FIN [tcp_max_tw_buckets reached] / snd ACK");
}

}  // namespace
}  // namespace tcpsim
