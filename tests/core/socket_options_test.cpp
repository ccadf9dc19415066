// Socket options and getsockopt (issue #15.3), each against the Linux 6.18
// behaviour measured in docs/kernel-facts.md §40-§47: TCP_KEEPIDLE/INTVL/CNT,
// TCP_USER_TIMEOUT, SO_RCVTIMEO/SO_SNDTIMEO, TCP_QUICKACK, TCP_LINGER2,
// getsockopt(SO_ERROR) after a non-blocking connect(), getsockopt(TCP_INFO),
// and a sysctl written while the hosts run.
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
using test::send_times;

// The "name=value" pairs a getsockopt call traced after "->".
std::string field(const Event* e, const std::string& name) {
  if (!e) return "(no such call)";
  const auto arrow = e->args.find(" -> ");
  if (arrow == std::string::npos) return "(no value)";
  const std::string key = " " + name + "=";
  const std::string rest = " " + e->args.substr(arrow + 4) + " ";
  const auto p = rest.find(key);
  if (p == std::string::npos) return "(no " + name + ")";
  const auto b = p + key.size();
  return rest.substr(b, rest.find(' ', b) - b);
}

// ---- keepalive (§40) ----

TEST(KeepaliveTest, KeepIdleIntvlCntOverrideTheSysctlsForOneSocket) {
  // The host keeps tcp_keepalive_time 7200 s; the socket probes after 2 s of
  // silence, then every 1 s, and gives up after 3 probes with an RST.
  const Trace t = run_yaml(std::string(kServerAcceptOnly) + R"(  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - setsockopt: {socket: sock, keepidle: 2}
      - setsockopt: {socket: sock, keepintvl: 1}
      - setsockopt: {socket: sock, keepcnt: 3}
      - setsockopt: {socket: sock, keepalive: true}
      - recv: {socket: sock}
        on_error: continue
)", "faults:\n  - drop: {from: server, flags: \".\", count: 0}\n");
  const auto probes = send_times(t, "client", ".");
  ASSERT_EQ(probes.size(), 4u);  // the handshake's ACK, then three probes
  const Time est = probes[0];
  EXPECT_EQ(probes[1] - est, sec(2));
  EXPECT_EQ(probes[2] - probes[1], sec(1));
  EXPECT_EQ(probes[3] - probes[2], sec(1));
  const auto rst = send_times(t, "client", "R.");
  ASSERT_EQ(rst.size(), 1u);
  EXPECT_EQ(rst[0] - probes[3], sec(1));
  EXPECT_EQ(errnoOf(callResult(t, "client", "recv")), "ETIMEDOUT");
}

TEST(KeepaliveTest, KeepIdleSetOnAnIdleSocketCountsTheTimeAlreadyIdle) {
  // tcp_sock_set_keepidle_locked(): the timer is re-armed for keepidle minus
  // the time since the last segment received (3 s of 5 s already passed).
  const Trace t = run_yaml(std::string(kServerAcceptOnly) + R"(  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - setsockopt: {socket: sock, keepalive: true}
      - after: 3s
        setsockopt: {socket: sock, keepidle: 5}
)", "duration: 10s\n");
  const auto acks = send_times(t, "client", ".");
  ASSERT_GE(acks.size(), 2u);
  EXPECT_EQ(acks[1] - acks[0], sec(5));  // the first probe, 5 s after the handshake
}

TEST(KeepaliveTest, UserTimeoutReplacesKeepCntWhenSet) {
  // tcp_keepalive_timer(): with TCP_USER_TIMEOUT the probes stop when the
  // peer has been silent that long (3.5 s: at the 4th probe time), not after
  // tcp_keepalive_probes (9).
  const Trace t = run_yaml(std::string(kServerAcceptOnly) + R"(  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - setsockopt: {socket: sock, keepidle: 1}
      - setsockopt: {socket: sock, keepintvl: 1}
      - setsockopt: {socket: sock, user_timeout: 3500ms}
      - setsockopt: {socket: sock, keepalive: true}
      - recv: {socket: sock}
        on_error: continue
)", "faults:\n  - drop: {from: server, flags: \".\", count: 0}\n");
  EXPECT_EQ(send_times(t, "client", ".").size(), 4u);  // handshake ACK + 3 probes
  EXPECT_EQ(send_times(t, "client", "R.").size(), 1u);
  EXPECT_EQ(errnoOf(callResult(t, "client", "recv")), "ETIMEDOUT");
}

// ---- TCP_USER_TIMEOUT (§41) ----

TEST(EstablishedTest, UserTimeoutEndsRetransmissionWithEtimedoutAndNoRst) {
  const Trace t = run_yaml(std::string(kServerAcceptOnly) + R"(  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - setsockopt: {socket: sock, user_timeout: 1500ms}
      - after: 200ms
        send: {socket: sock, bytes: 100}
      - recv: {socket: sock}
        on_error: continue
)", "faults:\n  - drop: {from: server, flags: \".\", count: 0}\n");
  const Event* r = callResult(t, "client", "recv");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(errnoOf(r), "ETIMEDOUT");
  // Counted from the first RTO retransmission (the tail loss probe does not
  // start the clock), and the clamped timer fires exactly then.
  const auto data = send_times(t, "client", "P.");
  ASSERT_GE(data.size(), 3u);  // original, loss probe, first retransmission
  EXPECT_EQ(r->t - data[2], msec(1500));
  EXPECT_TRUE(send_times(t, "client", "R.").empty());
  EXPECT_TRUE(send_times(t, "client", "R").empty());
}

TEST(SynSentTest, UserTimeoutCutsTheSynRetriesShort) {
  // retransmits_timed_out() in SYN_SENT counts from the first SYN: SYNs at
  // 0, 1, 2 s, then the clamped timer fires at 2.5 s with ETIMEDOUT.
  const Trace t = run_yaml(std::string(kServerAcceptOnly) + R"(  client:
    host: client
    run:
      - socket: {as: sock}
      - setsockopt: {socket: sock, user_timeout: 2500ms}
      - connect: {socket: sock, to: "server:80"}
        on_error: continue
)", "faults:\n  - drop: {from: client, flags: S, count: 0}\n");
  const auto syns = send_times(t, "client", "S");
  ASSERT_EQ(syns.size(), 3u);
  const Event* c = callResult(t, "client", "connect");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(errnoOf(c), "ETIMEDOUT");
  EXPECT_EQ(c->t - syns[0], msec(2500));
}

TEST(EstablishedTest, UserTimeoutEndsZeroWindowProbingEvenWhenTheProbesAreAnswered) {
  // The server never reads, so its window closes; every probe is answered
  // (window 0), which alone would never end the connection (RFC 1122
  // §4.2.2.17). TCP_USER_TIMEOUT 3 s ends it 3 s after the first probe
  // (tcp_probe_timer(): icsk_probes_tstamp), the last interval clamped.
  const Trace t = run_yaml(std::string(kServerAcceptOnly) + R"(      - sleep: 100s
  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - setsockopt: {socket: sock, user_timeout: 3s}
      - send: {socket: sock, bytes: 100000}
)", "duration: 60s\n");
  std::vector<Time> probe_at;
  for (const auto& e : t.events)
    if (e.kind == EventKind::Note && e.text.rfind("zero-window probe (", 0) == 0) probe_at.push_back(e.t);
  ASSERT_GE(probe_at.size(), 2u);
  const Event* closed = test::stateEvent(t, "client/sock", S::Closed);
  ASSERT_NE(closed, nullptr);
  EXPECT_EQ(closed->t - probe_at.front(), sec(3));
  EXPECT_NE(closed->text.find("TCP_USER_TIMEOUT"), std::string::npos) << closed->text;
}

// ---- SO_RCVTIMEO / SO_SNDTIMEO (§42) ----

TEST(EstablishedTest, RecvWithRcvtimeoFailsWithEagainWhenNothingArrives) {
  const Trace t = run_yaml(std::string(kServerAcceptOnly) + R"(      - setsockopt: {socket: conn, rcvtimeo: 300ms}
      - recv: {socket: conn}
        on_error: continue
      - recv: {socket: conn}
  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - at: 500ms
        send: {socket: sock, bytes: 100}
)");
  const Event* r1 = callResult(t, "server", "recv", 1);
  const Event* set = callResult(t, "server", "setsockopt", 1);
  ASSERT_NE(r1, nullptr);
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(r1->ret, -1);
  EXPECT_EQ(errnoOf(r1), "EAGAIN");
  EXPECT_EQ(r1->t - set->t, msec(300));
  const Event* r2 = callResult(t, "server", "recv", 2);
  ASSERT_NE(r2, nullptr);
  EXPECT_EQ(r2->ret, 100);  // the second call waits afresh: its 300 ms run to 0.6 s
}

TEST(EstablishedTest, RecvThatGetsDataInTimeKeepsNoStaleDeadline) {
  // Data at 200 ms ends the first recv (timeout 300 ms); the second recv's
  // own 300 ms start then, so it fails at 0.5 s, not at 0.3 s.
  const Trace t = run_yaml(std::string(kServerAcceptOnly) + R"(      - setsockopt: {socket: conn, rcvtimeo: 300ms}
      - recv: {socket: conn}
      - recv: {socket: conn}
        on_error: continue
  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - at: 200ms
        send: {socket: sock, bytes: 100}
)");
  const Event* r1 = callResult(t, "server", "recv", 1);
  const Event* r2 = callResult(t, "server", "recv", 2);
  ASSERT_NE(r1, nullptr);
  ASSERT_NE(r2, nullptr);
  EXPECT_EQ(r1->ret, 100);
  EXPECT_EQ(errnoOf(r2), "EAGAIN");
  EXPECT_EQ(r2->t - r1->t, msec(300));
}

TEST(SynSentTest, BlockingConnectWithSndtimeoReturnsEinprogressAndTheHandshakeGoesOn) {
  const Trace t = run_yaml(std::string(kServerAcceptOnly) + R"(  client:
    host: client
    run:
      - socket: {as: sock}
      - setsockopt: {socket: sock, sndtimeo: 300ms}
      - connect: {socket: sock, to: "server:80"}
        on_error: continue
      - send: {socket: sock, bytes: 100}
        on_error: continue
)", "faults:\n  - drop: {from: client, flags: S, nth: 1, count: 1}\n");
  const Event* c = callResult(t, "client", "connect");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(errnoOf(c), "EINPROGRESS");
  EXPECT_EQ(c->t, msec(300));
  // send() waits for the handshake (the SYN retransmitted at 1 s): it ends
  // with EAGAIN at 0.6 s, before the connection is established.
  const Event* s = callResult(t, "client", "send");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(errnoOf(s), "EAGAIN");
  EXPECT_EQ(s->t, msec(600));
  expectStates(t, "client/sock", {S::Closed, S::SynSent, S::Established});
}

// ---- TCP_QUICKACK (§46) ----

TEST(EstablishedTest, QuickAckOffDelaysEvenTheFirstAck) {
  const Trace t = run_yaml(std::string(kServerAcceptOnly) + R"(      - setsockopt: {socket: conn, quickack: false}
      - recv: {socket: conn}
  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - at: 500ms
        send: {socket: sock, bytes: 100}
)");
  const auto acks = send_times(t, "server", ".");
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0], msec(501) + msec(40));  // the delayed-ACK timer (TCP_ATO_MIN)
}

TEST(EstablishedTest, WithoutQuickAckOffTheFirstAckIsImmediate) {
  const Trace t = run_yaml(std::string(kServerAcceptOnly) + R"(      - recv: {socket: conn}
  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - at: 500ms
        send: {socket: sock, bytes: 100}
)");
  const auto acks = send_times(t, "server", ".");
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0], msec(501));
}

// ---- TCP_LINGER2 (§44) ----

TEST(FinWait1Test, Linger2NegativeAnswersTheAckOfTheFinWithRst) {
  const Trace t = run_yaml(std::string(kServerAcceptOnly) + R"(  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - setsockopt: {socket: sock, linger2: -1}
      - after: 100ms
        close: sock
)");
  EXPECT_EQ(segments(t, "client"), (std::vector<std::string>{"S", ".", "F.", "R"}));
  expectStates(t, "client/sock", {S::Closed, S::SynSent, S::Established, S::FinWait1, S::FinWait2, S::Closed});
  expectStates(t, "server/conn", {S::Listen, S::SynReceived, S::Established, S::CloseWait, S::Closed});
}

TEST(FinWait2Test, Linger2NegativeCloseAfterShutdownResetsAtOnce) {
  // __tcp_close() in FIN_WAIT_2 with linger2 < 0: CLOSE and an active RST.
  const Trace t = run_yaml(std::string(kServerAcceptOnly) + R"(  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - setsockopt: {socket: sock, linger2: -1}
      - shutdown: {socket: sock, how: wr}
      - after: 100ms
        close: sock
)");
  EXPECT_EQ(segments(t, "client"), (std::vector<std::string>{"S", ".", "F.", "R."}));
  const Event* c = callResult(t, "client", "close");
  const auto rst = send_times(t, "client", "R.");
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(rst.size(), 1u);
  EXPECT_EQ(rst[0], c->t);
}

TEST(FinWait2Test, Linger2PositiveReplacesTcpFinTimeoutForOneSocket) {
  const Trace t = run_yaml(std::string(kServerAcceptOnly) + R"(  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - setsockopt: {socket: sock, linger2: 3}
      - after: 100ms
        close: sock
)");
  const Event* in = test::stateEvent(t, "client/sock", S::FinWait2);
  const Event* out = test::stateEvent(t, "client/sock", S::Closed);
  ASSERT_NE(in, nullptr);
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->t - in->t, sec(3));
}

// ---- getsockopt (§43, §47) ----

TEST(SynSentTest, NonBlockingConnectRefusedReportsEconnrefusedOnceThroughSoError) {
  const Trace t = run_yaml(std::string(kServerAcceptOnly) + R"(  client:
    host: client
    run:
      - socket: {as: s}
      - setsockopt: {socket: s, nonblock: true}
      - connect: {socket: s, to: "server:81"}
        on_error: continue
      - wait: {socket: s, event: writable}
      - getsockopt: {socket: s, option: so_error}
      - getsockopt: {socket: s, option: so_error}
)");
  EXPECT_EQ(errnoOf(callResult(t, "client", "connect")), "EINPROGRESS");
  const Event* g1 = callResult(t, "client", "getsockopt", 1);
  const Event* g2 = callResult(t, "client", "getsockopt", 2);
  ASSERT_NE(g1, nullptr);
  EXPECT_EQ(g1->ret, 0);
  EXPECT_EQ(field(g1, "error"), "ECONNREFUSED");
  EXPECT_EQ(g1->t, msec(2));  // the RST's arrival makes the socket writable
  EXPECT_EQ(field(g2, "error"), "0");
}

TEST(SynSentTest, NonBlockingConnectThatSucceedsReportsNoError) {
  const Trace t = run_yaml(std::string(kServerAcceptOnly) + R"(  client:
    host: client
    run:
      - socket: {as: s}
      - setsockopt: {socket: s, nonblock: true}
      - connect: {socket: s, to: "server:80"}
        on_error: continue
      - wait: {socket: s, event: writable}
      - getsockopt: {socket: s, option: so_error}
)");
  const Event* g = callResult(t, "client", "getsockopt");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(field(g, "error"), "0");
  EXPECT_EQ(g->t, msec(2));  // the SYN,ACK arrives
}

TEST(EstablishedTest, TcpInfoReportsRetransmitsUnackedAndTheBackedOffRto) {
  const Trace t = run_yaml(std::string(kServerAcceptOnly) + R"(      - recv: {socket: conn, until: eof}
  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - getsockopt: {socket: sock, option: tcp_info}
      - at: 200ms
        send: {socket: sock, bytes: 100}
      - at: 800ms
        getsockopt: {socket: sock, option: tcp_info}
      - at: 5s
        getsockopt: {socket: sock, option: tcp_info}
)", "faults:\n  - drop: {from: server, flags: \".\", nth: 1, count: 3}\n");
  const Event* before = callResult(t, "client", "getsockopt", 1);
  const Event* during = callResult(t, "client", "getsockopt", 2);
  const Event* after = callResult(t, "client", "getsockopt", 3);
  ASSERT_NE(before, nullptr);
  ASSERT_NE(during, nullptr);
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(field(before, "state"), "ESTABLISHED");
  EXPECT_EQ(field(before, "unacked"), "0");
  EXPECT_EQ(field(before, "retransmits"), "0");
  // During (0.8 s): the original (0.2 s), the loss probe (0.41 s) and one RTO
  // retransmission (0.61 s) are out, the next (1.01 s) will be acknowledged.
  const auto data = send_times(t, "client", "P.");
  const auto n_before = std::count_if(data.begin(), data.end(), [&](Time x) { return x < during->t; });
  EXPECT_EQ(field(during, "unacked"), "1");
  EXPECT_EQ(field(during, "retransmits"), std::to_string(n_before - 2));
  EXPECT_EQ(field(during, "total_retrans"), std::to_string(n_before - 1));
  EXPECT_NE(field(before, "rto"), field(during, "rto"));
  EXPECT_EQ(field(after, "unacked"), "0");
  EXPECT_EQ(field(after, "retransmits"), "0");
  EXPECT_EQ(field(after, "total_retrans"), std::to_string(data.size() - 1));
}

TEST(CheckTest, CallFieldsAreMatchedAgainstTheTracedValue) {
  const Scenario sc = test::load_yaml(std::string(kServerAcceptOnly) + R"(  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - getsockopt: {socket: sock, option: tcp_info}
)", R"(expect:
  calls:
    - {process: client, call: getsockopt, fields: {state: ESTABLISHED, unacked: 0}, ret: 0}
    - {process: client, call: getsockopt, fields: {state: CLOSE_WAIT}}
    - {process: client, call: getsockopt, fields: {rto: 1s}, tolerance: 1ms}
)");
  const auto failures = check_expectations(sc, run_scenario(sc));
  ASSERT_EQ(failures.size(), 2u);  // CLOSE_WAIT, and the rto of ~202 ms
  EXPECT_NE(failures[0].actual.find("state=ESTABLISHED"), std::string::npos);
}

// ---- a sysctl written at a time (§45) ----

TEST(SysctlFaultTest, FinTimeoutChangedMidRunAppliesToLaterOrphans) {
  const Trace t = run_yaml(std::string(kServerAcceptOnly) + R"(  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - at: 2s
        close: sock
)", "faults:\n  - {at: 1s, sysctl: {host: client, net.ipv4.tcp_fin_timeout: 4}}\n");
  const Event* in = test::stateEvent(t, "client/sock", S::FinWait2);
  const Event* out = test::stateEvent(t, "client/sock", S::Closed);
  ASSERT_NE(in, nullptr);
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->t - in->t, sec(4));
  bool traced = false;
  for (const auto& e : t.events)
    if (e.kind == EventKind::Fault && e.t == sec(1) && e.text.find("client writes sysctl net.ipv4.tcp_fin_timeout = 4") != std::string::npos)
      traced = true;
  EXPECT_TRUE(traced) << "the sysctl change is in the trace";
}

}  // namespace
}  // namespace tcpsim
