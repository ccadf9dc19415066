// Crafted segments (fault `inject:`) against an established connection —
// RFC 5961's blind RST and SYN checks as Linux tcp_validate_incoming() does
// them — and the application patterns of the epoll step (accept at the fd
// limit, a handler that ignores EPOLLIN) and of restarting a listener next
// to its TIME_WAIT connections.
#include <gtest/gtest.h>

#include "helpers.hpp"

namespace tcpsim {
namespace {
using test::callResult;
using test::errnoOf;

// The server reads until EOF; the client connects at 10 ms and sends 1000
// bytes, so by 1 s server/conn is ESTABLISHED with RCV.NXT = IRS + 1001.
const char* kPair = R"(  server:
    host: server
    run:
      - listen: {port: 80, as: lsock}
      - accept: {socket: lsock, as: conn}
      - recv: {socket: conn, until: eof}
  client:
    host: client
    run:
      - at: 10ms
        connect: {to: "server:80", as: sock}
      - send: {socket: sock, bytes: 1000}
)";

Trace run_with_faults(const std::string& faults) { return test::run_yaml(kPair, "faults:\n" + faults); }

// Segments sent by `host` at or after `from` (send events).
std::vector<const Event*> sent_after(const Trace& t, const std::string& host, Time from) {
  std::vector<const Event*> out;
  for (const auto& e : t.events)
    if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send && e.t >= from &&
        t.meta.hosts[e.host].name == host)
      out.push_back(&e);
  return out;
}

const Event* injected_send(const Trace& t) {
  for (const auto& e : t.events)
    if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send && e.text.rfind("injected", 0) == 0) return &e;
  return nullptr;
}

// The server's last segment before `before`: its SND.NXT / RCV.NXT.
const Event* last_sent_before(const Trace& t, const std::string& host, Time before) {
  const Event* last = nullptr;
  for (const auto& e : t.events)
    if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send && e.t < before &&
        t.meta.hosts[e.host].name == host)
      last = &e;
  return last;
}

TEST(EstablishedInjectTest, InWindowRstNotAtRcvNxtDrawsChallengeAckAndKeepsTheConnection) {
  const Trace t = run_with_faults("  - {at: 1s, inject: {to: server/conn, flags: R, seq: rcv_nxt+1000}}\n");
  const Event* before = last_sent_before(t, "server", sec(1));
  ASSERT_NE(before, nullptr);
  const auto answers = sent_after(t, "server", sec(1));
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(flags_string(answers[0]->seg.flags), ".");
  EXPECT_EQ(answers[0]->seg.ack, before->seg.ack);  // RCV.NXT unchanged: nothing accepted
  EXPECT_EQ(answers[0]->seg.seq, before->seg.seq);
  test::expectStates(t, "server/conn", {TcpState::Listen, TcpState::SynReceived, TcpState::Established});
}

TEST(EstablishedInjectTest, RstAtExactlyRcvNxtResetsAndRecvFailsWithEconnreset) {
  const Trace t = run_with_faults("  - {at: 1s, inject: {to: server/conn, flags: R}}\n");
  test::expectStates(t, "server/conn",
                     {TcpState::Listen, TcpState::SynReceived, TcpState::Established, TcpState::Closed});
  const Event* r = callResult(t, "server", "recv", 2);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(errnoOf(r), "ECONNRESET");
  EXPECT_GE(r->t, sec(1));
  EXPECT_TRUE(sent_after(t, "server", sec(1)).empty());  // a reset is never answered
}

TEST(EstablishedInjectTest, SynOnTheConnectionDrawsChallengeAckNotReset) {
  const Trace t = run_with_faults("  - {at: 1s, inject: {to: server/conn, flags: S, seq: rcv_nxt+500}}\n");
  const auto answers = sent_after(t, "server", sec(1));
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(flags_string(answers[0]->seg.flags), ".");
  EXPECT_EQ(test::states(t, "server/conn").back(), TcpState::Established);
}

TEST(EstablishedInjectTest, OldDuplicateLeftOfTheWindowIsDroppedWithADuplicateAck) {
  const Trace t =
      run_with_faults("  - {at: 1s, inject: {to: server/conn, flags: \"P.\", seq: rcv_nxt-1000, bytes: 500}}\n");
  const Event* before = last_sent_before(t, "server", sec(1));
  const auto answers = sent_after(t, "server", sec(1));
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0]->seg.ack, before->seg.ack);
  // The 500 old bytes never reach the application: one recv of 1000 only.
  EXPECT_EQ(callResult(t, "server", "recv", 2), nullptr);
}

TEST(EstablishedInjectTest, SecondChallengeWithin500msIsNotSentButOneAfterItIs) {
  const Trace t = run_with_faults(
      "  - {at: 1s, inject: {to: server/conn, flags: R, seq: rcv_nxt+1000}}\n"
      "  - {at: 1100ms, inject: {to: server/conn, flags: R, seq: rcv_nxt+2000}}\n"
      "  - {at: 1200ms, inject: {to: server/conn, flags: S, seq: rcv_nxt+100}}\n"
      "  - {at: 1600ms, inject: {to: server/conn, flags: S, seq: rcv_nxt+100}}\n");
  const auto answers = sent_after(t, "server", sec(1));
  ASSERT_EQ(answers.size(), 2u);  // at 1 s and at 1.6 s (tcp_invalid_ratelimit 500 ms)
  EXPECT_LT(answers[0]->t, msec(1100));
  EXPECT_GT(answers[1]->t, msec(1600));
}

TEST(EstablishedInjectTest, DataOutsideTheWindowIsAnsweredEvenWithin500ms) {
  const Trace t = run_with_faults(
      "  - {at: 1s, inject: {to: server/conn, flags: R, seq: rcv_nxt+1000}}\n"
      "  - {at: 1100ms, inject: {to: server/conn, flags: \"P.\", seq: rcv_nxt-1000, bytes: 500}}\n");
  EXPECT_EQ(sent_after(t, "server", sec(1)).size(), 2u);
}

TEST(EstablishedInjectTest, AckFarBelowSndUnaDrawsChallengeAckAndIsDropped) {
  const Trace t = run_with_faults("  - {at: 1s, inject: {to: server/conn, flags: \".\", ack: snd_una-100000}}\n");
  const auto answers = sent_after(t, "server", sec(1));
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(flags_string(answers[0]->seg.flags), ".");
}

TEST(InjectTest, SegmentCarriesThePeersAddressAndSaysItWasInjected) {
  const Trace t = run_with_faults("  - {at: 1s, inject: {to: server/conn, flags: R, seq: rcv_nxt+1000}}\n");
  const Event* e = injected_send(t);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(ip_string(e->seg.src_ip), "10.0.0.1");  // spoofed as the client
  EXPECT_EQ(ip_string(e->seg.dst_ip), "10.0.0.2");
  EXPECT_EQ(e->seg.dport, 80);
  EXPECT_EQ(t.meta.hosts[e->host].name, "client");  // leaves over the client's link
  EXPECT_NE(e->text.find("spoofed as 10.0.0.1:"), std::string::npos) << e->text;
  EXPECT_NE(format_text(*e, t.meta).find("[injected, spoofed as 10.0.0.1:"), std::string::npos);
}

TEST(InjectTest, TargetThatIsNotConnectedYetGetsNothing) {
  const Trace t = run_with_faults("  - {at: 1ms, inject: {to: server/conn, flags: R}}\n");
  EXPECT_EQ(injected_send(t), nullptr);
  bool noted = false;
  for (const auto& e : t.events)
    if (e.kind == EventKind::Fault && e.text.find("nothing injected") != std::string::npos) noted = true;
  EXPECT_TRUE(noted);
  EXPECT_EQ(test::states(t, "server/conn").back(), TcpState::Established);
}

TEST(InjectTest, TargetThatIsGoneGetsNothing) {
  const Trace t = test::run_yaml(R"(  server:
    host: server
    run:
      - listen: {port: 80, as: lsock}
      - accept: {socket: lsock, as: conn}
      - recv: {socket: conn, until: eof}
        on_error: continue
      - close: conn
  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
)",
                                 R"(faults:
  - {at: 1s, inject: {to: server/conn, flags: R}}
  - {at: 2s, inject: {to: server/conn, flags: R}}
)");
  int injected = 0;
  bool gone = false;
  for (const auto& e : t.events) {
    if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send && e.text.rfind("injected", 0) == 0) ++injected;
    if (e.kind == EventKind::Fault && e.text.find("server/conn is gone") != std::string::npos) gone = true;
  }
  EXPECT_EQ(injected, 1);
  EXPECT_TRUE(gone);
}

// ---- epoll application patterns ----

TEST(EpollAcceptTest, AcceptAtTheFdLimitFailsWithEmfileAndTheConnectionStaysQueued) {
  const Trace t = test::run_yaml(R"(  server:
    host: server
    fd_limit: 5
    run:
      - listen: {port: 80, as: lsock}
      - epoll: {socket: lsock, on_in: accept, as: conn, max_wakeups: 7}
  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
)");
  int accepts = 0, wakeups = 0;
  for (const auto& e : t.events) {
    if (e.kind != EventKind::Call) continue;
    if (e.call == "accept") {
      ++accepts;
      EXPECT_EQ(errnoOf(&e), "EMFILE");
    }
    if (e.call == "epoll_wait") ++wakeups;
  }
  EXPECT_EQ(wakeups, 7);  // level-triggered: the listener stays readable
  EXPECT_EQ(accepts, 7);
  // The kernel finished the handshake: the client is connected all the same.
  EXPECT_EQ(test::states(t, "client/sock").back(), TcpState::Established);
}

TEST(EpollAcceptTest, EpollInstanceHoldsADescriptorSoAcceptGetsTheNextOne) {
  const Trace t = test::run_yaml(R"(  server:
    host: server
    run:
      - listen: {port: 80, as: lsock}
      - epoll: {socket: lsock, on_in: accept, as: conn, max_wakeups: 1}
      - close: conn
      - socket: {as: after}
  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
)");
  const Event* a = callResult(t, "server", "accept");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->ret, 5);  // 3 the listener, 4 the epoll instance
  const Event* s = callResult(t, "server", "socket", 2);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->ret, 4);  // the loop ended: its epoll descriptor was released
}

TEST(EpollAcceptTest, NoDescriptorForTheEpollInstanceFailsWithEmfile) {
  const Trace t = test::run_yaml(R"(  server:
    host: server
    fd_limit: 4
    run:
      - listen: {port: 80, as: lsock}
      - epoll: {socket: lsock, on_in: accept, as: conn}
)");
  const Event* e = callResult(t, "server", "epoll_create");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(errnoOf(e), "EMFILE");
  EXPECT_EQ(callResult(t, "server", "epoll_wait"), nullptr);
}

TEST(EpollIgnoreTest, HandlerThatNeverReadsWakesUntilMaxWakeupsAndDataStaysQueued) {
  const Trace t = test::run_yaml(R"(  server:
    host: server
    run:
      - listen: {port: 80, as: lsock}
      - accept: {socket: lsock, as: conn}
      - epoll: {socket: conn, events: [in], on_in: ignore, max_wakeups: 9}
  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - send: {socket: sock, bytes: 300}
)");
  int wakeups = 0;
  for (const auto& e : t.events)
    if (e.kind == EventKind::Call) {
      EXPECT_NE(e.call, "recv");
      if (e.call == "epoll_wait") ++wakeups;
    }
  EXPECT_EQ(wakeups, 9);
  const Event* last = nullptr;
  for (const auto& e : t.events)
    if (e.has_tcb && e.sock && t.meta.socket(e.sock)->label == "server/conn") last = &e;
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(last->tcb.rcv_buf, 300u);
}

// ---- restarting a listener (bind rules, docs/kernel-facts.md §16) ----

const char* kOldServer = R"(  old:
    host: server
    run:
      - socket: {as: lsock}
      - setsockopt: {socket: lsock, reuseaddr: true}
      - bind: {socket: lsock, port: 80}
      - listen: {socket: lsock}
      - accept: {socket: lsock, as: conn}
      - close: conn
      - at: 500ms
        exit: 0
  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - recv: {socket: sock, until: eof}
      - close: sock
)";

TEST(ListenRestartTest, ListenWithoutReuseaddrNextToATimeWaitConnectionIsEaddrinuse) {
  const Trace t = test::run_yaml(std::string(kOldServer) + R"(  new:
    host: server
    start: 1s
    run:
      - listen: {port: 80, as: lsock}
)");
  const Event* b = callResult(t, "new", "bind");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(errnoOf(b), "EADDRINUSE");
  EXPECT_EQ(callResult(t, "new", "listen"), nullptr);
}

TEST(ListenRestartTest, ReuseaddrOnTheNewAndTheOldListenerLetsTheRestartBind) {
  const Trace t = test::run_yaml(std::string(kOldServer) + R"(  new:
    host: server
    start: 1s
    run:
      - socket: {as: lsock}
      - setsockopt: {socket: lsock, reuseaddr: true}
      - bind: {socket: lsock, port: 80}
      - listen: {socket: lsock}
)");
  const Event* b = callResult(t, "new", "bind");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->ret, 0);
  // ... while the old connection was in TIME_WAIT on port 80.
  const Event* tw = test::stateEvent(t, "old/conn", TcpState::TimeWait);
  const Event* gone = test::stateEvent(t, "old/conn", TcpState::Closed);
  ASSERT_NE(tw, nullptr);
  ASSERT_NE(gone, nullptr);
  EXPECT_LT(tw->t, b->t);
  EXPECT_GT(gone->t, b->t);
}

}  // namespace
}  // namespace tcpsim

namespace tcpsim {
namespace {

// ---- retry: an application-level retry with backoff ----

TEST(RetryTest, RefusedConnectIsRetriedWithGrowingPausesUntilTheServerListens) {
  const Trace t = test::run_yaml(R"(  server:
    host: server
    start: 2500ms
    run:
      - listen: {port: 80, as: lsock}
      - accept: {socket: lsock, as: conn}
  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
        retry: {count: 4, backoff: 1s, factor: 2}
)");
  std::vector<const Event*> connects, closes;
  for (const auto& e : t.events)
    if (e.kind == EventKind::Call && t.meta.process(e.pid)->name == "client") {
      if (e.call == "connect") connects.push_back(&e);
      if (e.call == "close") closes.push_back(&e);
    }
  ASSERT_EQ(connects.size(), 3u);  // 0 s refused, +1 s refused, +2 s accepted
  EXPECT_EQ(errnoOf(connects[0]), "ECONNREFUSED");
  EXPECT_EQ(errnoOf(connects[1]), "ECONNREFUSED");
  EXPECT_EQ(connects[2]->ret, 0);
  EXPECT_NEAR(static_cast<double>(connects[1]->start - connects[0]->t), static_cast<double>(sec(1)), 1000.0);
  EXPECT_NEAR(static_cast<double>(connects[2]->start - connects[1]->t), static_cast<double>(sec(2)), 1000.0);
  EXPECT_EQ(closes.size(), 2u);  // each refused socket is closed before the next try
  EXPECT_EQ(connects[2]->ret, 0);
  EXPECT_EQ(test::states(t, "client/sock#3").back(), TcpState::Established);
}

TEST(RetryTest, AfterTheLastRetryOnErrorDecides) {
  const Trace t = test::run_yaml(R"(  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
        retry: {count: 2, backoff: 100ms}
        on_error: exit
)");
  int refused = 0;
  for (const auto& e : t.events)
    if (e.kind == EventKind::Call && e.call == "connect" && errnoOf(&e) == "ECONNREFUSED") ++refused;
  EXPECT_EQ(refused, 3);
  bool exited = false;
  for (const auto& e : t.events)
    if (e.kind == EventKind::Process && e.proc_op == ProcOp::Exit && e.status == 1) exited = true;
  EXPECT_TRUE(exited);
}

}  // namespace
}  // namespace tcpsim
