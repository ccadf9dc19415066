// Every row of the transition table (tcpsim::fsm_rows()): a fixture places
// a socket directly in the row's source state, feeds the row's event to the
// state machine, and checks the traced state change and its cause. Plus
// scenario-level checks of the rows whose paths the lessons turn on.
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>

#include "helpers.hpp"
#include "sim.hpp"
#include "tcpsim/fsm_table.hpp"

namespace tcpsim {
namespace {

std::optional<FsmEvent> event_named(const std::string& n) {
  for (int i = 0; i <= static_cast<int>(kLastFsmEvent); ++i)
    if (n == fsm_event_name(static_cast<FsmEvent>(i))) return static_cast<FsmEvent>(i);
  return std::nullopt;
}

// A listener with backlog 0 and one connection waiting: full. Made before
// the socket that uses it (a new socket may move the others in memory).
std::uint32_t full_listener(Sim& sim) {
  Sock& l = sim.sock(sim.new_socket(0, 0));
  l.listening = true;
  sim.listens.emplace_back();
  l.listen_idx = static_cast<std::uint32_t>(sim.listens.size());
  sim.listens.back().backlog = 0;
  sim.listens.back().accept_q.push_back(l.id);
  return l.id;
}

class FsmRowTest : public ::testing::TestWithParam<std::size_t> {};

TEST_P(FsmRowTest, RowMovesTheSocketAndTracesEventAndAction) {
  const FsmRow row = fsm_rows().at(GetParam());
  SCOPED_TRACE(std::string(state_name(row.from)) + " --" + row.label() + "--> " + state_name(row.to));
  const auto ev = event_named(row.event);
  ASSERT_TRUE(ev) << "no FsmEvent named '" << row.event << "'";

  const Scenario sc = test::load_yaml("  p: {host: client, run: [{sleep: 1s}]}\n");
  Trace trace;
  Sim sim(sc, trace, RunOptions{});
  const bool full_queue = row.guard == "accept queue full, tcp_abort_on_overflow=1";
  const std::uint32_t listener = full_queue ? full_listener(sim) : 0;
  Sock& s = sim.sock(sim.new_socket(0, 0));
  s.listener = listener;
  sim.register_socket(s, 0, "fixture/sock");
  s.lport = 40000;
  s.rip = sim.hosts[1].ip;
  s.rport = 80;
  s.iss = 1000;
  s.snd_una = s.snd_nxt = s.snd_max = 1001;
  s.irs = 5000;
  s.rcv_nxt = 5001;
  s.snd_wnd = 65535;
  s.rcv_wnd = 65535;
  s.state = row.from;
  sim.hash_conn(s);
  // Make the row's guard hold (the defaults hold the ordinary path's).
  if (row.guard == "tcp_max_tw_buckets reached") sim.hosts[0].sys.tcp_max_tw_buckets = 0;
  if (full_queue) sim.hosts[0].sys.tcp_abort_on_overflow = 1;
  // The segment a segment's row judges (RFC 5961: where an RST falls).
  Segment seg;
  seg.src_ip = s.rip;
  seg.dst_ip = sim.hosts[0].ip;
  seg.sport = s.rport;
  seg.dport = s.lport;
  seg.ack = s.snd_nxt;
  seg.seq = s.rcv_nxt;
  seg.flags = kAck;
  if (row.event == "rcv RST") {
    seg.flags = kRst | kAck;
    if (row.guard == "RST outside the window") seg.seq = s.rcv_nxt + 100000;
    if (row.guard.rfind("RST in the window, not at RCV.NXT", 0) == 0) seg.seq = s.rcv_nxt + 100;
  }
  if (row.event == "rcv SYN") seg.flags = kSyn;
  if (row.event == "rcv unacceptable segment") seg.seq = s.rcv_nxt - 100;
  sim.fsm_seg = &seg;

  if (row.internal) {
    // A row that changes no state: the socket stays, nothing is traced as a
    // state change, and the action is what happens.
    EXPECT_EQ(row.to, row.from);
    EXPECT_FALSE(sim.fsm(s, *ev));
    EXPECT_EQ(s.state, row.from);
    for (const auto& e : trace.events) EXPECT_FALSE(e.kind == EventKind::State && e.sock == s.id) << e.text;
    bool acked = false, dropped = false;
    for (const auto& e : trace.events) {
      acked |= e.kind == EventKind::Segment && e.seg_op == SegOp::Send && e.seg.flags == kAck;
      dropped |= e.kind == EventKind::Note && e.text.find("dropped") != std::string::npos;
      EXPECT_FALSE(e.kind == EventKind::Note && e.text.find("ignored") != std::string::npos) << e.text;
    }
    if (row.action.find("ACK") != std::string::npos) {
      EXPECT_TRUE(acked) << "a row whose action is '" << row.action << "' sends an ACK";
    } else {
      EXPECT_FALSE(acked);
      EXPECT_TRUE(dropped) << "the trace says the segment was dropped";
    }
    EXPECT_FALSE(fsm_has_row(row.from, row.to));
    return;
  }

  EXPECT_TRUE(sim.fsm(s, *ev));
  EXPECT_EQ(s.state, row.to);
  const Event* last = nullptr;
  for (const auto& e : trace.events)
    if (e.kind == EventKind::State && e.sock == s.id) last = &e;
  ASSERT_NE(last, nullptr) << "no state event traced";
  EXPECT_EQ(last->from, row.from);
  EXPECT_EQ(last->to, row.to);
  EXPECT_EQ(last->text.rfind(row.event, 0), 0u) << "cause '" << last->text << "'";
  if (!row.action.empty()) {
    EXPECT_NE(last->text.find(row.action), std::string::npos) << "cause '" << last->text << "'";
  }
  // A traced guard names the row taken; an untraced one leaves the cause short.
  if (!row.guard.empty()) {
    EXPECT_EQ(last->text.find("[" + row.guard + "]") != std::string::npos, row.guard_traced)
        << "cause '" << last->text << "'";
  }
  if (row.action == "snd RST") {
    EXPECT_TRUE(std::any_of(trace.events.begin(), trace.events.end(), [](const Event& e) {
      return e.kind == EventKind::Segment && e.seg_op == SegOp::Send && (e.seg.flags & kRst);
    }) || row.event == "ABORT") << "a row whose own action is snd RST sends it";
  }
  // A row that sends a SYN, SYN,ACK or FIN puts it on the wire at once.
  auto sent = [&](std::uint8_t flag) {
    for (const auto& e : trace.events)
      if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send && (e.seg.flags & flag)) return true;
    return false;
  };
  if (row.action == "snd SYN") {
    EXPECT_TRUE(sent(kSyn));
  }
  if (row.action == "snd SYN,ACK") {
    EXPECT_TRUE(sent(kSyn) && sent(kAck));
  }
  if (row.action == "snd FIN") {
    EXPECT_TRUE(sent(kFin));
  }
  // An RST's row to CLOSED is Linux's tcp_reset(): the error the
  // application will see (ECONNREFUSED in SYN_SENT, EPIPE in CLOSE_WAIT).
  if (row.event == "rcv RST" && row.from != TcpState::TimeWait) {
    EXPECT_TRUE(s.reset_rcvd);
    EXPECT_EQ(s.err, row.from == TcpState::SynSent ? ECONNREFUSED
                     : row.from == TcpState::CloseWait ? EPIPE : ECONNRESET);
  }
  EXPECT_TRUE(fsm_has_row(row.from, row.to));
}

INSTANTIATE_TEST_SUITE_P(AllRows, FsmRowTest, ::testing::Range<std::size_t>(0, fsm_rows().size()),
                         [](const ::testing::TestParamInfo<std::size_t>& i) {
                           const FsmRow& r = fsm_rows()[i.param];
                           std::string n = std::string(state_name(r.from)) + "_" + r.event + "_" + state_name(r.to);
                           for (auto& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return std::to_string(i.param) + "_" + n;
                         });

TEST(FsmTable, HasNoImpossibleArrows) {
  EXPECT_FALSE(fsm_has_row(TcpState::Closed, TcpState::Established));
  EXPECT_FALSE(fsm_has_row(TcpState::TimeWait, TcpState::Established));
  EXPECT_FALSE(fsm_has_row(TcpState::CloseWait, TcpState::FinWait1));
  EXPECT_TRUE(fsm_has_row(TcpState::FinWait1, TcpState::Closing));
}

// Boost.MSM tries the rows of one event in one state in an order of its own:
// they must not overlap, so each carries a guard, and the guards differ.
TEST(FsmTable, RowsOfOneEventInOneStateAllHaveDistinctGuards) {
  const auto& rows = fsm_rows();
  int guarded = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    guarded += !rows[i].guard.empty();
    for (std::size_t j = i + 1; j < rows.size(); ++j) {
      if (rows[i].from != rows[j].from || rows[i].event != rows[j].event) continue;
      SCOPED_TRACE(rows[i].label() + " vs " + rows[j].label());
      EXPECT_FALSE(rows[i].guard.empty());
      EXPECT_FALSE(rows[j].guard.empty());
      EXPECT_NE(rows[i].guard, rows[j].guard);
    }
  }
  EXPECT_GE(guarded, 7);  // rfc1337, the accept queue (2), the TIME_WAIT buckets (4)
}

// RFC 5961 §3.2 in the table: in every synchronized state (TIME_WAIT answers
// in timewait_arrives()), each place an RST can fall takes exactly one row of
// rcv RST: outside the window dropped, at RCV.NXT to CLOSED, elsewhere in
// the window a challenge ACK; a SYN draws a challenge ACK; an unacceptable
// segment an ACK.
TEST(FsmTable, EverySynchronizedStateJudgesAnRstByItsSequenceNumberInItsRows) {
  const TcpState synced[] = {TcpState::SynReceived, TcpState::Established, TcpState::FinWait1, TcpState::FinWait2,
                             TcpState::CloseWait,   TcpState::Closing,     TcpState::LastAck};
  for (TcpState st : synced) {
    SCOPED_TRACE(state_name(st));
    int rst_rows = 0, to_closed = 0, challenge = 0, drop = 0, syn = 0, unacceptable = 0;
    for (const auto& r : fsm_rows()) {
      if (r.from != st) continue;
      if (r.event == "rcv RST") {
        ++rst_rows;
        EXPECT_FALSE(r.guard.empty()) << r.label();
        to_closed += !r.internal && r.to == TcpState::Closed;
        challenge += r.internal && r.action == "snd challenge ACK";
        drop += r.internal && r.action.empty() && r.guard == "RST outside the window";
      }
      syn += r.event == "rcv SYN" && r.internal && r.action == "snd challenge ACK";
      unacceptable += r.event == "rcv unacceptable segment" && r.internal && r.action == "snd ACK";
    }
    EXPECT_EQ(rst_rows, 3);
    EXPECT_EQ(to_closed, 1);
    EXPECT_EQ(challenge, 1);
    EXPECT_EQ(drop, 1);
    EXPECT_EQ(syn, 1);
    EXPECT_EQ(unacceptable, 1);
  }
}

// The same RST (in the window, not at RCV.NXT) through the table: a
// challenge ACK on an ESTABLISHED connection, the end of an orphaned
// FIN_WAIT_2 (Linux's timewait socket, kernel-facts), a challenge ACK on a
// FIN_WAIT_2 whose application has not closed.
TEST(FsmTable, InWindowRstChallengesUnlessTheFinWait2IsAnOrphan) {
  struct Case {
    TcpState st;
    bool orphan;
    TcpState after;
  };
  for (const Case c : {Case{TcpState::Established, false, TcpState::Established},
                       Case{TcpState::FinWait2, false, TcpState::FinWait2},
                       Case{TcpState::FinWait2, true, TcpState::Closed}}) {
    SCOPED_TRACE(std::string(state_name(c.st)) + (c.orphan ? " orphan" : ""));
    const Scenario sc = test::load_yaml("  p: {host: client, run: [{sleep: 1s}]}\n");
    Trace trace;
    Sim sim(sc, trace, RunOptions{});
    Sock& s = sim.sock(sim.new_socket(0, 0));
    sim.register_socket(s, 0, "fixture/sock");
    s.rip = sim.hosts[1].ip;
    s.lport = 40000;
    s.rport = 80;
    s.iss = 1000;
    s.snd_una = s.snd_nxt = s.snd_max = 1001;
    s.rcv_nxt = 5001;
    s.rcv_wnd = 65535;
    s.state = c.st;
    s.orphan = c.orphan;
    sim.hash_conn(s);
    Segment rst;
    rst.flags = kRst | kAck;
    rst.seq = s.rcv_nxt + 100;
    sim.fsm_seg = &rst;
    sim.fsm(s, FsmEvent::RcvRst);
    EXPECT_EQ(s.state, c.after);
    bool acked = false;
    for (const auto& e : trace.events) acked |= e.kind == EventKind::Segment && e.seg_op == SegOp::Send;
    EXPECT_EQ(acked, c.after != TcpState::Closed) << "a challenge ACK exactly when the socket lives";
    EXPECT_EQ(s.reset_rcvd, c.after == TcpState::Closed);
  }
}

TEST(FsmTable, RowLabelsReadEventGuardAction) {
  bool seen = false;
  for (const auto& r : fsm_rows())
    if (r.from == TcpState::FinWait2 && r.to == TcpState::Closed && r.event == "rcv FIN") {
      EXPECT_EQ(r.label(), "rcv FIN [tcp_max_tw_buckets reached] / snd ACK");
      seen = true;
    }
  EXPECT_TRUE(seen);
}

// Every guard of the event held false: no row is taken, and the note says which rules failed.
TEST(FsmTable, RstInTimeWaitWithRfc1337IsIgnoredAndTheNoteNamesTheGuard) {
  const Scenario sc = test::load_yaml("  p: {host: client, run: [{sleep: 1s}]}\n");
  Trace trace;
  Sim sim(sc, trace, RunOptions{});
  sim.hosts[0].sys.tcp_rfc1337 = 1;
  Sock& s = sim.sock(sim.new_socket(0, 0));
  s.state = TcpState::TimeWait;
  EXPECT_FALSE(sim.fsm(s, FsmEvent::RcvRst));
  EXPECT_EQ(s.state, TcpState::TimeWait);
  ASSERT_FALSE(trace.events.empty());
  EXPECT_EQ(trace.events.back().kind, EventKind::Note);
  EXPECT_EQ(trace.events.back().text, "event 'rcv RST' in state TIME_WAIT: guard [tcp_rfc1337=0] is false: ignored");
}

TEST(FsmTable, AckOfSynIntoAFullAcceptQueueWithoutAbortOnOverflowTakesNoRow) {
  const Scenario sc = test::load_yaml("  p: {host: client, run: [{sleep: 1s}]}\n");
  Trace trace;
  Sim sim(sc, trace, RunOptions{});
  const std::uint32_t listener = full_listener(sim);
  Sock& s = sim.sock(sim.new_socket(0, 0));
  s.listener = listener;
  s.state = TcpState::SynReceived;
  EXPECT_FALSE(sim.fsm(s, FsmEvent::RcvAckOfSyn));
  EXPECT_EQ(s.state, TcpState::SynReceived);
  const std::string note = trace.events.back().text;
  EXPECT_NE(note.find("[accept queue has room]"), std::string::npos) << note;
  EXPECT_NE(note.find("[accept queue full, tcp_abort_on_overflow=1]"), std::string::npos) << note;
  // Room again: the same event completes the handshake.
  sim.listens.back().accept_q.clear();
  EXPECT_TRUE(sim.fsm(s, FsmEvent::RcvAckOfSyn));
  EXPECT_EQ(s.state, TcpState::Established);
}

TEST(FsmTable, EventIsNotInTheTableIsTracedAsIgnored) {
  const Scenario sc = test::load_yaml("  p: {host: client, run: [{sleep: 1s}]}\n");
  Trace trace;
  Sim sim(sc, trace, RunOptions{});
  Sock& s = sim.sock(sim.new_socket(0, 0));
  s.state = TcpState::CloseWait;
  EXPECT_FALSE(sim.fsm(s, FsmEvent::Timeout2Msl));
  EXPECT_EQ(s.state, TcpState::CloseWait);
  ASSERT_FALSE(trace.events.empty());
  EXPECT_EQ(trace.events.back().kind, EventKind::Note);
  EXPECT_NE(trace.events.back().text.find("ignored"), std::string::npos);
}

// Scenario-level: simultaneous open and simultaneous close (kernel-facts §4, §5).
TEST(SynSentTest, SimultaneousOpenGoesThroughSynReceived) {
  const Trace t = test::run_yaml(R"(  a:
    host: client
    run:
      - connect: {to: "server:2000", from_port: 1000, as: sock}
  b:
    host: server
    run:
      - connect: {to: "client:1000", from_port: 2000, as: sock}
)", "link: {delay: 5ms}\n");
  test::expectStates(t, "a/sock", {TcpState::Closed, TcpState::SynSent, TcpState::SynReceived, TcpState::Established});
  test::expectStates(t, "b/sock", {TcpState::Closed, TcpState::SynSent, TcpState::SynReceived, TcpState::Established});
}

TEST(FinWait1Test, CrossingFinsGoThroughClosingToTimeWait) {
  const Trace t = test::run_yaml(R"(  server:
    host: server
    run:
      - listen: {port: 80, as: lsock}
      - accept: {socket: lsock, as: conn}
      - at: 1s
        close: conn
  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - at: 1s
        close: sock
)", "link: {delay: 20ms}\n");
  test::expectStates(t, "client/sock", {TcpState::Closed, TcpState::SynSent, TcpState::Established, TcpState::FinWait1,
                                        TcpState::Closing, TcpState::TimeWait, TcpState::Closed});
  test::expectStates(t, "server/conn", {TcpState::Listen, TcpState::SynReceived, TcpState::Established,
                                        TcpState::FinWait1, TcpState::Closing, TcpState::TimeWait, TcpState::Closed});
}

}  // namespace
}  // namespace tcpsim
