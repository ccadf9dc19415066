// tcpsim: lab tests (issue #13): the action grammar, actions written into
// scenarios, branches and their first divergence, profiles side by side,
// saved branches that trace byte for byte, and the command line
// (run --inject, --save-scenario, diff).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "tcpsim/export.hpp"
#include "tcpsim/check.hpp"
#include "tcpsim/lab.hpp"
#include "tcpsim/loader.hpp"
#include "tcpsim/scenario_writer.hpp"
#include "tools.hpp"

using namespace tcpsim;
using tcpsim::testing::run_tool;

namespace {

const std::string kScenarios = TCPSIM_SCENARIOS;

Scenario load(const std::string& name) { return load_scenario_file(kScenarios + "/" + name + ".yaml"); }

std::string jsonl(const Trace& t) {
  std::ostringstream o;
  write_jsonl(t, o);
  return o.str();
}

// The first index at which the two traces' JSONL lines differ, computed
// without the lab: every event formatted with the same index 0.
std::size_t first_difference(const Trace& a, const Trace& b) {
  const std::size_t n = std::min(a.events.size(), b.events.size());
  for (std::size_t i = 0; i < n; ++i)
    if (format_jsonl(a.events[i], 0, a.meta) != format_jsonl(b.events[i], 0, b.meta)) return i;
  return n;
}

// A branch and the checks every branch must pass: it differs, and the
// divergence it reports is the first event that differs.
Branch branch(const Scenario& sc, const Trace& base, const std::string& text) {
  Branch b = make_branch(sc, base, {}, parse_action(text));
  EXPECT_FALSE(b.from_parent.identical) << text;
  const std::size_t first = first_difference(base, b.trace);
  EXPECT_EQ(b.from_parent.index, first) << text;
  for (std::size_t i = 0; i < b.from_parent.index; ++i) EXPECT_EQ(base.events[i].t, b.trace.events[i].t);
  const Time ta = first < base.events.size() ? base.events[first].t : kNever;
  const Time tb = first < b.trace.events.size() ? b.trace.events[first].t : kNever;
  EXPECT_EQ(b.from_parent.t, std::min(ta, tb)) << text;
  return b;
}

std::string error_of(const std::function<void()>& f, int* col = nullptr) {
  try {
    f();
  } catch (const ActionError& e) {
    if (col) *col = e.col();
    return e.what();
  }
  return "(no error)";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// A time in the grammar's spelling, rounded down to the millisecond.
std::string lab_duration_text_for_test(Time t) { return std::to_string(t / 1000) + "ms"; }

const Event* find_call(const Trace& t, const std::string& process, const std::string& call, Time at) {
  for (const auto& e : t.events) {
    const ProcessInfo* p = t.meta.process(e.pid);
    if (e.kind == EventKind::Call && p && p->name == process && e.call == call && (e.start == at || e.t == at))
      return &e;
  }
  return nullptr;
}

std::string label_of(const Trace& t, const Event& e) {
  const SocketInfo* s = t.meta.socket(e.sock);
  return s ? s->label : "";
}

}  // namespace

// ---- the grammar ----

TEST(ActionGrammar, EveryKindRoundTripsThroughItsCanonicalText) {
  const std::vector<std::string> texts = {
      "drop 1st F. from server",
      "drop 2nd S from client",
      "drop 3rd R. from server",
      "drop 11th . from client",
      "drop 22nd P. from client",
      "delay 2nd P. from client by 2s",
      "delay 1st F. from server by 1.5s",
      "duplicate 1st S. from server",
      "duplicate 4th . from client by 10ms",
      "150ms: server close conn",
      "1s: server shutdown conn wr",
      "1s: server shutdown conn#2 rd",
      "2.25s: client shutdown sock rdwr",
      "1s: client send sock 1000",
      "40us: server abort conn",
      "12.5065s: server abort conn",
      "2.25ms: server abort conn",
      "2s: client exit",
      "2s: client exit 3",
      "3s: crash server",
      "3s: link down for 5s",
      "0s: link down between client server for 250ms",
  };
  for (const auto& t : texts) {
    const Action a = parse_action(t);
    EXPECT_EQ(action_text(a), t);
    EXPECT_EQ(parse_action(action_text(a)), a) << t;
  }
  // Every kind is covered above.
  std::set<ActionKind> kinds;
  for (const auto& t : texts) kinds.insert(parse_action(t).kind);
  EXPECT_EQ(kinds.size(), 10u);
}

TEST(ActionGrammar, ParsedFieldsAndCanonicalSpelling) {
  Action a = parse_action("delay 12th P. from client by 1500ms");
  EXPECT_EQ(a.kind, ActionKind::Delay);
  EXPECT_EQ(a.nth, 12);
  EXPECT_EQ(a.flags, "P.");
  EXPECT_EQ(a.from, "client");
  EXPECT_EQ(a.by, msec(1500));
  EXPECT_EQ(action_text(a), "delay 12th P. from client by 1.5s");
  a = parse_action("  100ms:   server   close   conn#1 ");
  EXPECT_EQ(a.socket, "conn");  // conn#1 is conn, as in the trace's labels
  EXPECT_EQ(a.at, msec(100));
  EXPECT_EQ(action_text(a), "100ms: server close conn");
  a = parse_action("3s: link down between a b for 5s");
  EXPECT_EQ(a.link_a, "a");
  EXPECT_EQ(a.link_b, "b");
  EXPECT_EQ(a.duration, sec(5));
  a = parse_action("1s: server send conn 1448");
  EXPECT_EQ(a.bytes, 1448u);
  EXPECT_EQ(action_text(parse_action("12506500us: crash a")), "12.5065s: crash a");
  EXPECT_EQ(action_text(parse_action("1500us: crash a")), "1.5ms: crash a");
  EXPECT_EQ(action_text(parse_action("1000001us: crash a")), "1.000001s: crash a");
  a = parse_action("7us: server shutdown conn rdwr");
  EXPECT_EQ(a.how, ShutHow::RdWr);
  EXPECT_EQ(action_text(a), "7us: server shutdown conn rdwr");
}

TEST(ActionGrammar, MalformedActionsNameTheColumnAndWhatWasExpected) {
  struct Case {
    std::string text;
    int col;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"", 1, "empty action"},
      {"dorp 1st F. from server", 1, "did you mean 'drop'?"},
      {"drop 1th F. from server", 7, "expected the ordinal 1st"},
      {"drop 2st F. from server", 7, "2nd"},
      {"drop 12nd F. from server", 8, "12th"},
      {"drop first F. from server", 6, "expected an ordinal"},
      {"drop 0th F. from server", 6, "expected an ordinal"},
      {"drop 1st F from", 16, "a host name after 'from'"},
      {"drop 1st FIN from server", 10, "tcpdump notation"},
      {"drop 1st .F from server", 10, "tcpdump notation"},
      {"drop 1st F. form server", 13, "did you mean 'from'?"},
      {"drop 1st F. from server by 2s", 25, "unexpected 'by'"},
      {"delay 1st F. from server", 25, "'by DURATION'"},
      {"delay 1st F. from server by 2 s", 31, "unexpected 's'"},
      {"delay 1st F. from server by 0s", 29, "longer than 0"},
      {"delay 1st F. from server by soon", 29, "expected a duration"},
      {"150ms server close conn", 6, "expected ':' right after the time"},
      {"150: server close conn", 1, ""},  // a bare number is seconds, as in scenario files: valid
      {"1.s: server close conn", 1, "expected a time"},
      {"150ms:server close conn", 7, "expected a space after 'TIME:'"},
      {"150ms: server clsoe conn", 15, "did you mean 'close'?"},
      {"150ms: server close", 20, "a socket name"},
      {"150ms: server close conn#0", 26, "socket number"},
      {"150ms: server close conn extra", 26, "unexpected 'extra'"},
      {"1s: server shutdown conn both", 26, "expected rd, wr or rdwr"},
      {"1s: server shutdown conn", 25, "rd, wr or rdwr"},
      {"1s: client send sock", 21, "number of bytes"},
      {"1s: client send sock 0", 22, "at least 1 byte"},
      {"1s: client send sock -5", 22, "number of bytes"},
      {"2s: client exit 256", 17, "exit status from 0 to 255"},
      {"3s: crash", 10, "a host name after 'crash'"},
      {"3s: link up for 5s", 10, "'down' after 'link'"},
      {"3s: link down for 0s", 19, "more than 0"},
      {"3s: link down between a for 5s", 25, "a second host name after 'between a'"},
      {"3s: link down between a a for 5s", 25, "two different hosts"},
      {"3s: link down", 14, "'between HOST HOST' or 'for DURATION'"},
      {"3s: drop 1st F. from server", 1, "segment actions take no time"},
      {"1s: server close conn\nx", 22, "one line"},
  };
  for (const auto& c : cases) {
    int col = -1;
    const std::string what = error_of([&] { parse_action(c.text); }, &col);
    if (c.says.empty()) {
      EXPECT_EQ(what, "(no error)") << c.text;
      continue;
    }
    EXPECT_EQ(col, c.col) << c.text << " -> " << what;
    EXPECT_TRUE(contains(what, c.says)) << c.text << " -> " << what;
    EXPECT_TRUE(contains(what, "column " + std::to_string(c.col) + ": ")) << what;
  }
}

// ---- segment actions from the trace ----

// For every transmission in scenarios with retransmissions and faults of
// their own: the action segment_action() names, applied as a drop, drops
// exactly that transmission (the rank agrees with network.cpp's count).
TEST(SegmentAction, DropFromTheTraceDropsExactlyThatTransmission) {
  for (const std::string name : {"lost-fin-retransmission", "lost-final-ack", "normal-close", "old-duplicate-segment"}) {
    const Scenario sc = load(name);
    const Trace base = run_scenario(sc);
    int checked = 0;
    for (std::size_t i = 0; i < base.events.size(); ++i) {
      const Event& e = base.events[i];
      if (e.kind != EventKind::Segment || e.seg_op != SegOp::Send) continue;
      const Action a = segment_action(base, i, ActionKind::Drop);
      if (i + 1 < base.events.size() && base.events[i + 1].kind == EventKind::Segment &&
          base.events[i + 1].seg_op == SegOp::Drop && base.events[i + 1].seg_id == e.seg_id) {
        // Dropped by the scenario's own rule: the lab's rule never sees it.
        const std::string err = error_of([&] { make_branch(sc, base, {}, a); });
        EXPECT_TRUE(contains(err, "is already dropped before a rule of the lab sees it (the scenario's fault rule")) << err;
        continue;
      }
      // The deliver event of the same transmission names the same action.
      for (std::size_t j = i + 1; j < base.events.size(); ++j)
        if (base.events[j].kind == EventKind::Segment && base.events[j].seg_id == e.seg_id) {
          EXPECT_EQ(segment_action(base, j, ActionKind::Drop), a);
          break;
        }
      const Branch b = branch(sc, base, action_text(a));
      // Everything up to and including the send (and the notes of the
      // scenario's own rules on it) is unchanged; then it is dropped by
      // the labelled rule.
      std::size_t next = i + 1;
      while (next < base.events.size() && base.events[next].kind == EventKind::Note &&
             contains(base.events[next].text, "by a fault rule"))
        ++next;
      ASSERT_GT(b.trace.events.size(), next);
      EXPECT_EQ(b.from_parent.index, next) << name << ": " << action_text(a);
      const Event& d = b.trace.events[next];
      EXPECT_EQ(d.kind, EventKind::Segment);
      EXPECT_EQ(d.seg_op, SegOp::Drop);
      EXPECT_EQ(d.seg_id, e.seg_id);
      EXPECT_TRUE(contains(d.text, "(" + action_text(a) + ")")) << d.text;
      ++checked;
    }
    EXPECT_GE(checked, 5) << name;
  }
}

TEST(SegmentAction, RefusesAnEventThatIsNoSegment) {
  const Scenario sc = load("normal-close");
  const Trace base = run_scenario(sc);
  std::size_t state = 0;
  while (base.events[state].kind != EventKind::State) ++state;
  EXPECT_TRUE(contains(error_of([&] { segment_action(base, state, ActionKind::Drop); }), "not a segment"));
  EXPECT_TRUE(contains(error_of([&] { segment_action(base, 0, ActionKind::Close); }), "not an action on a segment"));
}

// ---- every action kind changes a catalogue run, first divergence exact ----

TEST(ApplyAction, EveryKindChangesTheRunAndTheDivergenceIsTheFirstDifferentEvent) {
  const Scenario sc = load("normal-close");
  const Trace base = run_scenario(sc);
  const Time send_t = find_call(base, "client", "send", msec(12))->t;
  ASSERT_EQ(send_t, msec(12));

  {  // drop the client's FIN: it is retransmitted
    const Branch b = branch(sc, base, "drop 1st F. from client");
    int fins = 0;
    for (const auto& e : b.trace.events)
      if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send && e.seg.flags == (kFin | kAck) && base.meta.hosts[e.host].name == "client")
      {
        ++fins;
        EXPECT_EQ(fins > 1, e.retrans);
      }
    EXPECT_EQ(fins, 2);
  }
  {  // delay: the note names the rule by the action's text
    const Branch b = branch(sc, base, "delay 1st F. from client by 2s");
    bool note = false;
    for (const auto& e : b.trace.events)
      note |= e.kind == EventKind::Note && contains(e.text, "held back 2.0 s by a fault rule (delay 1st F. from client by 2s)");
    EXPECT_TRUE(note);
  }
  {  // duplicate: the FIN arrives twice
    const Branch b = branch(sc, base, "duplicate 1st F. from client by 10ms");
    int delivered = 0;
    for (const auto& e : b.trace.events)
      if (e.kind == EventKind::Segment && e.seg_op == SegOp::Deliver && e.seg.flags == (kFin | kAck) && e.host == 1) ++delivered;
    EXPECT_EQ(delivered, 2);
  }
  {  // close before the client's close: the server closes first, the client ends in CLOSE_WAIT -> LAST_ACK
    const Branch b = branch(sc, base, "50ms: server close conn");
    const Event* c = find_call(b.trace, "server", "close", msec(50));
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->ret, 0);
    EXPECT_EQ(label_of(b.trace, *c), "server/conn");
    EXPECT_EQ(b.from_parent.t, msec(50));
  }
  {
    const Branch b = branch(sc, base, "50ms: server shutdown conn wr");
    const Event* c = find_call(b.trace, "server", "shutdown", msec(50));
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(label_of(b.trace, *c), "server/conn");
  }
  {
    const Branch b = branch(sc, base, "50ms: client send sock 3000");
    const Event* c = find_call(b.trace, "client", "send", msec(50));
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->ret, 3000);
  }
  {  // abort: SO_LINGER 0 + close sends RST instead of FIN
    const Branch b = branch(sc, base, "50ms: client abort sock");
    ASSERT_NE(find_call(b.trace, "client", "setsockopt", msec(50)), nullptr);
    bool rst = false;
    for (const auto& e : b.trace.events)
      rst |= e.kind == EventKind::Segment && e.seg_op == SegOp::Send && (e.seg.flags & kRst) && e.t == msec(50);
    EXPECT_TRUE(rst);
  }
  {
    const Branch b = branch(sc, base, "50ms: client exit 7");
    bool exited = false;
    for (const auto& e : b.trace.events)
      exited |= e.kind == EventKind::Process && e.proc_op == ProcOp::Exit && e.status == 7 && e.t == msec(50);
    EXPECT_TRUE(exited);
  }
  {
    const Branch b = branch(sc, base, "50ms: crash server");
    EXPECT_EQ(b.trace.events[b.from_parent.index].kind, EventKind::Fault);
    EXPECT_EQ(b.from_parent.t, msec(50));
  }
  {  // link down across the client's FIN: it is lost and retransmitted after the link is up
    const Branch b = branch(sc, base, "100ms: link down between client server for 500ms");
    int up = 0, down = 0;
    for (const auto& e : b.trace.events) {
      if (e.kind == EventKind::Fault && e.call == "link_down") {
        ++down;
        EXPECT_EQ(e.t, msec(100));
      }
      if (e.kind == EventKind::Fault && e.call == "link_up") {
        ++up;
        EXPECT_EQ(e.t, msec(600));
      }
    }
    EXPECT_EQ(up, 1);
    EXPECT_EQ(down, 1);
  }
}

TEST(ApplyAction, TheRunIsUnchangedBeforeTheActionsTime) {
  // A spawn is not traced and its thread only sleeps: for a late close the
  // branch equals the base up to T.
  const Scenario sc = load("rst-on-unread-data");
  const Trace base = run_scenario(sc);
  const Branch b = branch(sc, base, "60ms: server close conn");
  EXPECT_EQ(b.from_parent.t, msec(60));
  for (std::size_t i = 0; i < b.from_parent.index; ++i) EXPECT_LT(base.events[i].t, msec(60) + 1);
}

TEST(ApplyAction, ABranchOfABranchStacks) {
  const Scenario sc = load("lost-final-ack");
  const Trace base = run_scenario(sc);
  const Branch b1 = make_branch(sc, base, {}, parse_action("drop 1st F. from server"));
  const Branch b2 = make_branch(b1.scenario, b1.trace, b1.actions, parse_action("drop 2nd F. from server"));
  ASSERT_EQ(b2.actions.size(), 2u);
  EXPECT_EQ(b2.from_parent.index, first_difference(b1.trace, b2.trace));
  EXPECT_EQ(b2.scenario.faults.size(), sc.faults.size() + 2);
}

// ---- refusals ----

TEST(ApplyAction, RefusesWhatCannotBeDoneWithAReason) {
  const Scenario sc = load("normal-close");
  const Trace base = run_scenario(sc);
  auto refuse = [&](const std::string& text) { return error_of([&] { make_branch(sc, base, {}, parse_action(text)); }); };
  EXPECT_TRUE(contains(refuse("drop 3rd F. from server"), "drop 3rd F. from server changes nothing: the 3rd F. from server is never sent (only 1 is)"));
  EXPECT_TRUE(contains(refuse("drop 1st R. from server"), "never sent (none is)"));
  EXPECT_TRUE(contains(refuse("drop 1st F. from sever"), "no host 'sever'"));
  EXPECT_TRUE(contains(refuse("drop 1st F. from sever"), "did you mean 'server'?"));
  EXPECT_TRUE(contains(refuse("1s: sevrer close conn"), "no process 'sevrer'"));
  EXPECT_TRUE(contains(refuse("1s: server close con"), "binds no socket named 'con'"));
  EXPECT_TRUE(contains(refuse("1s: server close conn#2"), "there is no socket server/conn#2 in this run (server/conn is made 1 time)"));
  EXPECT_TRUE(contains(refuse("5ms: server close conn"), "does not hold server/conn yet at t=0.005000 s (it gets it at t=0.013000 s)"));
  EXPECT_TRUE(contains(refuse("1s: server close conn"), "has already closed server/conn at t=0.115000 s"));
  EXPECT_TRUE(contains(refuse("5ms: client close sock"), "does not hold client/sock yet"));
  EXPECT_TRUE(contains(refuse("100s: client close sock"), "after the end of the run"));
  EXPECT_TRUE(contains(refuse("100s: crash server"), "after the end of the run"));
  EXPECT_TRUE(contains(refuse("1s: crash nobody"), "no host 'nobody'"));
  EXPECT_TRUE(contains(refuse("1s: link down between client nobody for 1s"), "no host 'nobody'"));
  // A process that has exited.
  const Branch gone = make_branch(sc, base, {}, parse_action("50ms: client exit"));
  EXPECT_TRUE(contains(error_of([&] { make_branch(gone.scenario, gone.trace, gone.actions, parse_action("60ms: client exit")); }),
                       "client exits at t=0.050000 s, before t=0.060000 s"));
  // A link that does not exist.
  Scenario three = sc;
  HostSpec other;
  other.name = "other";
  other.ip = 0x0a000003u;
  three.hosts.push_back(other);
  LinkSpec l;
  l.a = "client";
  l.b = "server";
  three.links = {l};
  const Trace t3 = run_scenario(three);
  EXPECT_TRUE(contains(error_of([&] { apply_action(three, t3, parse_action("10ms: link down between client other for 1s")); }),
                       "there is no link between client and other"));
}

// The kernel variant's paths name the file's own steps; a branch inserts
// and changes steps, so it keeps no variant (a saved branch must load).
TEST(ApplyAction, ABranchHasNoKernelVariant) {
  const Scenario sc = load("nat-idle-timeout-keepalive");
  ASSERT_TRUE(sc.kernel_variant);
  const Trace base = run_scenario(sc);
  const Scenario b = apply_action(sc, base, parse_action("30s: client close sock"));
  EXPECT_FALSE(b.kernel_variant);
  EXPECT_TRUE(b.kernel_variant_overrides.empty());
  EXPECT_EQ(b.kernel_horizon, sc.kernel_horizon);  // the rest of the kernel: block stays
}

TEST(ApplyAction, ABindingMadeOnceInSequenceTargetsItsNumber) {
  // conn is bound twice by two accept steps: conn#2 is the second.
  const char* yaml = R"(title: two accepts
hosts:
  a: {ip: 10.0.0.1}
  b: {ip: 10.0.0.2}
processes:
  srv:
    host: b
    run:
      - listen: {port: 80, as: l}
      - accept: {socket: l, as: conn}
      - accept: {socket: l, as: conn}
      - recv: {socket: conn, until: eof}
  cli:
    host: a
    run:
      - connect: {to: "b:80", as: s1}
      - after: 10ms
        connect: {to: "b:80", as: s2}
      - after: 1s
        close: s2
)";
  const Scenario sc = load_scenario_string(yaml, "two.yaml");
  const Trace base = run_scenario(sc);
  for (const std::string which : {"conn", "conn#2"}) {
    const Branch b = branch(sc, base, "500ms: srv close " + which);
    const Event* c = find_call(b.trace, "srv", "close", msec(500));
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(label_of(b.trace, *c), which == "conn" ? "srv/conn" : "srv/conn#2");
  }
}

TEST(ApplyAction, ASocketMadeInALoopIsRefusedHonestly) {
  const char* yaml = R"(title: accepts in a loop
hosts:
  a: {ip: 10.0.0.1}
  b: {ip: 10.0.0.2}
processes:
  srv:
    host: b
    run:
      - listen: {port: 80, as: l}
      - loop:
          count: 3
          run:
            - accept: {socket: l, as: conn}
  cli:
    host: a
    run:
      - loop:
          count: 3
          every: 10ms
          run:
            - connect: {to: "b:80", as: s}
)";
  const Scenario sc = load_scenario_string(std::string(yaml) + "duration: 2s\n", "loop.yaml");
  const Trace base = run_scenario(sc);
  const std::string e = error_of([&] { make_branch(sc, base, {}, parse_action("500ms: srv close conn#2")); });
  EXPECT_TRUE(contains(e, "'conn' is bound inside a loop")) << e;
  EXPECT_TRUE(contains(e, "cannot target srv/conn#2 alone")) << e;
  EXPECT_TRUE(contains(error_of([&] { make_branch(sc, base, {}, parse_action("500ms: srv close conn#4")); }),
                       "there is no socket srv/conn#4 in this run (srv/conn is made 3 times)"));
  // The process itself can still exit, and segments can still be dropped.
  branch(sc, base, "500ms: srv exit");
  branch(sc, base, "drop 2nd S from a");
}

TEST(ApplyAction, ASocketIsHeldOnlyOnceItsBlockingCallReturns) {
  // simultaneous-open: peer-a's connect() blocks from 10 ms to 20 ms; the
  // step written after it can act from 20 ms on.
  const Scenario sc = load("simultaneous-open");
  const Trace base = run_scenario(sc);
  const std::string e = error_of([&] { make_branch(sc, base, {}, parse_action("15ms: peer-a close sock")); });
  EXPECT_TRUE(contains(e, "peer-a does not hold peer-a/sock yet at t=0.015000 s (it gets it at t=0.020000 s)")) << e;
  const Branch b = branch(sc, base, "25ms: peer-a close sock");
  ASSERT_NE(find_call(b.trace, "peer-a", "close", msec(25)), nullptr);
}

TEST(ApplyAction, AForkedChildClosesTheDescriptorItInherited) {
  // fork-inherited-socket: after the parent's close() the helper still
  // holds server/conn; its close() is the last one, so the FIN goes at once.
  const Scenario sc = load("fork-inherited-socket");
  const Trace base = run_scenario(sc);
  Time parent_close = 0;
  for (const auto& e : base.events)
    if (e.kind == EventKind::Call && e.call == "close" && base.meta.process(e.pid)->name == "server") parent_close = e.t;
  ASSERT_GT(parent_close, 0);
  Action a;
  a.kind = ActionKind::Close;
  a.at = parent_close + msec(100);
  a.process = "helper";
  a.socket = "conn";
  const Branch b = branch(sc, base, action_text(a));
  const Event* c = find_call(b.trace, "helper", "close", a.at);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->ret, 0);
  EXPECT_EQ(label_of(b.trace, *c), "server/conn");
  bool fin = false;
  for (const auto& e : b.trace.events)
    fin |= e.kind == EventKind::Segment && e.seg_op == SegOp::Send && e.t == a.at && (e.seg.flags & kFin);
  EXPECT_TRUE(fin);
}

// ---- profiles side by side ----

TEST(Profiles, RstOnUnreadDataSendsRstUnderLinuxAndFinUnderRfc9293) {
  const Scenario sc = load("rst-on-unread-data");
  const Trace lx = run_scenario(sc);
  const Trace rfc = run_scenario(with_profile(sc, Profile::Rfc9293));
  for (const auto& h : with_profile(sc, Profile::Rfc9293).hosts) EXPECT_EQ(h.profile, Profile::Rfc9293);
  const Divergence d = first_divergence(lx, rfc);
  ASSERT_FALSE(d.identical);
  EXPECT_EQ(d.index, first_difference(lx, rfc));
  // The runs part first at the client's retransmission timer for its data:
  // the rfc9293 host takes RFC 6298's RTO, max(SRTT + 4 RTTVAR, 1 s) = 1 s on
  // this 1 ms link, where Linux arms SRTT + 200 ms (or its tail loss probe).
  ASSERT_EQ(rfc.events[d.index].kind, EventKind::Timer);
  const Event* rto = nullptr;
  for (std::size_t i = d.index; i < rfc.events.size() && !rto; ++i) {
    const Event& e = rfc.events[i];
    if (e.kind == EventKind::Timer && e.timer == TimerKind::Retransmit && e.timer_op == TimerOp::Arm) rto = &e;
  }
  ASSERT_NE(rto, nullptr);
  EXPECT_EQ(rto->deadline - rto->t, sec(1));
  // The lesson's difference: the first segment that differs is the server's
  // R. (Linux, RFC 2525 §2.17) where the RFC's close sends F.
  std::vector<const Event*> sa, sb;
  for (const auto& e : lx.events)
    if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send) sa.push_back(&e);
  for (const auto& e : rfc.events)
    if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send) sb.push_back(&e);
  std::size_t k = 0;
  while (k < sa.size() && k < sb.size() && sa[k]->seg.flags == sb[k]->seg.flags && sa[k]->seg.len == sb[k]->seg.len) ++k;
  ASSERT_LT(k, sa.size());
  ASSERT_LT(k, sb.size());
  const Event& a = *sa[k];
  const Event& b = *sb[k];
  EXPECT_EQ(flags_string(a.seg.flags), "R.");
  EXPECT_EQ(flags_string(b.seg.flags), "F.");
  const auto lines = describe_differences(lx, rfc);
  auto has = [&](const std::string& s) {
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return contains(l, s); });
  };
  EXPECT_TRUE(has("server sends R. where the other run sends F.")) << ::testing::PrintToString(lines);
  EXPECT_TRUE(has("server/conn: states LISTEN → SYN_RECEIVED → ESTABLISHED → CLOSED | LISTEN → SYN_RECEIVED → ESTABLISHED → FIN_WAIT_1"));
  // The rfc9293 host takes the profile's own 2MSL, 4 minutes (RFC 9293 §3.4.2).
  EXPECT_TRUE(has("server/conn: time in TIME_WAIT none | 240.0 s")) << ::testing::PrintToString(lines);
  EXPECT_TRUE(has("client: recv() = -1 ECONNRESET | recv() = 0"));
  const auto zh = describe_differences(lx, rfc, "zh_CN");
  EXPECT_EQ(zh.size(), lines.size());
  EXPECT_TRUE(std::any_of(zh.begin(), zh.end(), [](const std::string& l) { return contains(l, "server 发送 R.，而另一次运行发送 F."); }))
      << ::testing::PrintToString(zh);
  // Identical runs: nothing to say, and the divergence says identical.
  EXPECT_TRUE(first_divergence(lx, run_scenario(sc)).identical);
  EXPECT_TRUE(describe_differences(lx, run_scenario(sc)).empty());
}

TEST(Profiles, ServerNeverClosesShowsTheOrphanedFinWait2Timeout) {
  const Scenario sc = load("server-never-closes");
  const Trace lx = run_scenario(sc);
  const Trace rfc = run_scenario(with_profile(sc, Profile::Rfc9293));
  ASSERT_FALSE(first_divergence(lx, rfc).identical);
  const auto lines = describe_differences(lx, rfc);
  EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [](const std::string& l) { return contains(l, "time in FIN_WAIT_2"); }))
      << ::testing::PrintToString(lines);
}

TEST(Describe, ProcessesExitsAndSignalsDiffer) {
  const Scenario sc = load("normal-close");
  const Trace base = run_scenario(sc);
  const Branch b = make_branch(sc, base, {}, parse_action("50ms: client exit 7"));
  const auto lines = describe_differences(base, b.trace);
  EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [](const std::string& l) {
    return l == "client: still running at the end | exits with status 7 at 0.050000 s";
  })) << ::testing::PrintToString(lines);
  const Trace killed = run_scenario(load("write-after-peer-gone"));
  const Trace ignored = run_scenario(load("write-after-peer-gone-sigpipe-ignored"));
  const auto sig = describe_differences(killed, ignored);
  EXPECT_TRUE(std::any_of(sig.begin(), sig.end(), [](const std::string& l) {
    return contains(l, "signals SIGPIPE (killed) | SIGPIPE (ignored)");
  })) << ::testing::PrintToString(sig);
}

TEST(DiffLines, AlignsOnTheLongestCommonSubsequenceAndStaysBounded) {
  const std::vector<std::string> a = {"x", "a", "b", "c", "y"}, b = {"x", "a", "c", "d", "y"};
  const auto rows = diff_lines(a, b);
  std::string shape;
  for (const auto& r : rows) shape += r.a >= 0 && r.b >= 0 ? '=' : r.a >= 0 ? '<' : '>';
  EXPECT_EQ(shape, "==<=>=");
  // Too big to align: one block, every line once.
  std::vector<std::string> big_a(3000), big_b(3000);
  for (int i = 0; i < 3000; ++i) big_a[i] = "a" + std::to_string(i), big_b[i] = "b" + std::to_string(i);
  const auto t0 = std::chrono::steady_clock::now();
  const auto big = diff_lines(big_a, big_b, 1000);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 1.0);
  EXPECT_EQ(big.size(), 6000u);
}

// ---- cancel ----

TEST(Cancel, ARunStopsAtOnceWhenCancelled) {
  const Scenario sc = load("normal-close");
  std::atomic<bool> cancel{true};
  RunOptions opt;
  opt.cancel = &cancel;
  const Trace t = run_scenario(sc, opt);
  EXPECT_TRUE(contains(t.meta.stopped_by, "cancelled")) << t.meta.stopped_by;
  EXPECT_LE(t.events.size(), 2u);  // only the note that says so
  cancel = false;
  EXPECT_TRUE(run_scenario(sc, opt).meta.stopped_by.empty());
}

TEST(Cancel, AnotherThreadStopsABigBranchPromptly) {
  // churn-10k: 590,000 events, seconds of work; cancelled after 50 ms.
  const Scenario sc = load_scenario_file(std::string(TCPSIM_SOURCE_DIR) + "/bench/workloads/churn-10k.yaml");
  std::atomic<bool> cancel{false};
  RunOptions opt;
  opt.cancel = &cancel;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    cancel = true;
  });
  const auto t0 = std::chrono::steady_clock::now();
  const Trace t = run_scenario(sc, opt);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  stopper.join();
  EXPECT_TRUE(contains(t.meta.stopped_by, "stopped: cancelled at t=")) << t.meta.stopped_by;
  EXPECT_LT(t.events.size(), 590000u);
  EXPECT_EQ(t.events.back().kind, EventKind::Note);
  EXPECT_LT(wall, 5.0);
}

// ---- saved branches trace byte for byte, for the whole catalogue ----

TEST(SavedBranch, EveryCatalogueScenarioAndSeveralInjectionPointsReproduceTheBranchByteForByte) {
  const auto files = tcpsim::testing::scenario_files(kScenarios);
  ASSERT_GT(files.size(), 20u);
  int branches = 0, refused = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (const auto& f : files) {
    const Scenario sc = load_scenario_file(f);
    const Trace base = run_scenario(sc);
    std::vector<std::string> actions;
    // Drop the 1st segment of each flag kind from each host.
    std::set<std::pair<std::uint16_t, std::uint8_t>> seen;
    for (std::size_t i = 0; i < base.events.size(); ++i) {
      const Event& e = base.events[i];
      if (e.kind != EventKind::Segment || e.seg_op != SegOp::Send || !seen.insert({e.host, e.seg.flags}).second) continue;
      try {
        actions.push_back(action_text(segment_action(base, i, ActionKind::Drop)));
      } catch (const ActionError&) {
      }
    }
    // Delay and duplicate the first segment; take the links down a while.
    for (std::size_t i = 0; i < base.events.size(); ++i)
      if (base.events[i].kind == EventKind::Segment && base.events[i].seg_op == SegOp::Send) {
        actions.push_back(action_text(segment_action(base, i, ActionKind::Delay, msec(5))));
        actions.push_back(action_text(segment_action(base, i, ActionKind::Duplicate)));
        break;
      }
    actions.push_back(lab_duration_text_for_test(base.events.empty() ? 0 : base.events.back().t / 3) +
                      ": link down for 10ms");
    // Close the first socket a process made, at a few times (and shut it
    // down, send on it, abort it); and each
    // process exits half-way; and the first host crashes half-way.
    const Time end = base.events.empty() ? 0 : base.events.back().t;
    for (const auto& s : base.meta.sockets) {
      if (!s.pid || s.label.empty()) continue;
      const std::string proc = s.label.substr(0, s.label.find('/'));
      const std::string sock = s.label.substr(s.label.find('/') + 1);
      Time made = -1;
      for (const auto& e : base.events)
        if (e.sock == s.id && e.kind == EventKind::Call) {
          made = e.t;
          break;
        }
      if (made < 0) continue;
      for (Time t : {made, made + msec(1), made + (end - made) / 2}) {
        Action a;
        a.kind = ActionKind::Close;
        a.at = t;
        a.process = proc;
        a.socket = sock;
        actions.push_back(action_text(a));
      }
      for (ActionKind k : {ActionKind::Shutdown, ActionKind::Send, ActionKind::Abort}) {
        Action a;
        a.kind = k;
        a.at = made + msec(1);
        a.process = proc;
        a.socket = sock;
        a.bytes = 500;
        actions.push_back(action_text(a));
      }
      break;
    }
    for (const auto& p : sc.processes) actions.push_back(lab_duration_text_for_test(end / 2) + ": " + p.name + " exit");
    actions.push_back(lab_duration_text_for_test(end / 2) + ": crash " + sc.hosts.front().name);
    // The four pile-up scenarios (5,000-10,000 events) take a spread of five
    // actions, so the test stays fast under ASan.
    if (base.events.size() > 2000 && actions.size() > 5) {
      std::vector<std::string> some;
      for (std::size_t k = 0; k < 5; ++k) some.push_back(actions[k * (actions.size() - 1) / 4]);
      actions = some;
    }
    for (const auto& text : actions) {
      Branch b;
      try {
        b = make_branch(sc, base, {}, parse_action(text));
      } catch (const ActionError&) {
        ++refused;
        continue;
      }
      ASSERT_EQ(b.from_parent.index, first_difference(base, b.trace)) << f << ": " << text;
      const std::string yaml = scenario_to_yaml(b.scenario, "branch: " + text);
      const Scenario back = load_scenario_string(yaml, f);
      const Trace again = run_scenario(back);
      ASSERT_EQ(jsonl(again), jsonl(b.trace)) << f << ": " << text << "\n" << yaml;
      // It checks like any other scenario: its expectations (written from
      // its own run, not the parent's) hold.
      const auto failures = check_expectations(back, again);
      ASSERT_TRUE(failures.empty()) << f << ": " << text << "\n" << format_failures(failures);
      ASSERT_FALSE(back.expect.empty()) << f << ": " << text;
      ++branches;
    }
  }
  std::printf("%d saved branches reproduced, %d actions refused\n", branches, refused);
  EXPECT_GT(branches, 300);
  EXPECT_LT(refused, branches);
  
}

// ---- the command line ----

namespace {
const std::string kExe = TCPSIM_EXE;
tcpsim::testing::RunResult tcpsim_cli(std::vector<std::string> args) {
  std::vector<std::string> argv = {"timeout", "60", kExe};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_tool(argv);
}
}  // namespace

TEST(Cli, RunInjectAppliesEveryActionKindInOrder) {
  const std::string f = kScenarios + "/normal-close.yaml";
  const auto plain = tcpsim_cli({"run", f, "--format", "jsonl"});
  ASSERT_EQ(plain.status, 0) << plain.err;
  for (const std::string text :
       {"drop 1st F. from client", "delay 1st F. from client by 2s", "duplicate 1st F. from client by 10ms",
        "50ms: server close conn", "50ms: server shutdown conn rdwr", "50ms: client send sock 2000",
        "50ms: client abort sock", "50ms: client exit", "50ms: crash server", "50ms: link down for 1s"}) {
    const auto r = tcpsim_cli({"run", f, "--format", "jsonl", "--inject", text});
    EXPECT_EQ(r.status, 0) << text << ": " << r.err;
    EXPECT_NE(r.out, plain.out) << text;
    // The same as the library's branch, streamed as `run` streams.
    const Scenario sc = load_scenario_file(f);
    const Branch b = make_branch(sc, run_scenario(sc), {}, parse_action(text));
    char* buf = nullptr;
    std::size_t len = 0;
    std::FILE* mem = open_memstream(&buf, &len);
    {
      StreamSink sink(mem, StreamSink::Format::Jsonl);
      Simulation sim(b.scenario, sink);
      sim.run();
    }
    std::fclose(mem);
    EXPECT_EQ(r.out, std::string(buf, len)) << text;
    std::free(buf);
  }
  // Two in order: the second is applied to the first's run.
  const auto two = tcpsim_cli({"run", f, "--inject", "drop 1st F. from client", "--inject", "drop 2nd F. from client"});
  EXPECT_EQ(two.status, 0) << two.err;
  EXPECT_TRUE(contains(two.out, "(drop 2nd F. from client)")) << two.out;
}

TEST(Cli, MalformedOrImpossibleInjectionsExitTwoNamingTheOptionAndColumn) {
  const std::string f = kScenarios + "/normal-close.yaml";
  auto r = tcpsim_cli({"run", f, "--inject", "150ms: server clsoe conn"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "--inject \"150ms: server clsoe conn\": column 15: expected close, shutdown, send, abort or exit, got 'clsoe'; did you mean 'close'?")) << r.err;
  EXPECT_TRUE(contains(r.err, "\n  150ms: server clsoe conn\n                ^")) << r.err;
  EXPECT_TRUE(r.out.empty());
  r = tcpsim_cli({"run", f, "--inject", "drop 1st F. from server by 2s"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "column 25")) << r.err;
  r = tcpsim_cli({"run", f, "--inject", "drop 5th F. from server"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "changes nothing: the 5th F. from server is never sent (only 1 is)")) << r.err;
  r = tcpsim_cli({"run", f, "--inject", "1s: server close conn"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "has already closed server/conn")) << r.err;
  r = tcpsim_cli({"diff", f, "--inject-b", "drop 1st X from server"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "--inject-b \"drop 1st X from server\": column 10")) << r.err;
}

TEST(Cli, SaveScenarioWritesABranchThatRunsTheSame) {
  const std::string dir = tcpsim::testing::temp_dir("lab-save");
  const std::string out = dir + "/branch.yaml";
  const std::string f = kScenarios + "/lost-final-ack.yaml";
  auto r = tcpsim_cli({"run", f, "--format", "jsonl", "--inject", "drop 2nd F. from server", "--save-scenario", out});
  ASSERT_EQ(r.status, 0) << r.err;
  ASSERT_TRUE(tcpsim::testing::file_exists(out));
  EXPECT_TRUE(contains(tcpsim::testing::read_file(out), "drop 2nd F. from server"));
  const auto again = tcpsim_cli({"run", out, "--format", "jsonl"});
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(again.out, r.out);
  // ... and checks like any other: expectations from the branch's own run.
  const auto checked = tcpsim_cli({"check", out});
  EXPECT_EQ(checked.status, 0) << checked.out << checked.err;
  EXPECT_TRUE(contains(checked.out, "ok")) << checked.out;
  // Not overwritten without --force; overwritten with it.
  const std::string before = tcpsim::testing::read_file(out);
  r = tcpsim_cli({"run", f, "--inject", "drop 1st F. from server", "--save-scenario", out});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "exists (use --force to overwrite it)")) << r.err;
  EXPECT_EQ(tcpsim::testing::read_file(out), before);
  r = tcpsim_cli({"run", f, "--inject", "drop 1st F. from server", "--save-scenario", out, "--force"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(tcpsim::testing::read_file(out), before);
  r = tcpsim_cli({"run", f, "--save-scenario", dir + "/no/such/dir/x.yaml"});
  EXPECT_EQ(r.status, 2);
}

TEST(Cli, DiffExitsZeroWhenIdenticalOneWhenNotTwoOnBadInput) {
  const std::string f = kScenarios + "/rst-on-unread-data.yaml";
  auto r = tcpsim_cli({"diff", f, f});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "identical")) << r.out;
  r = tcpsim_cli({"diff", f, "--profile-b", "linux"});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  r = tcpsim_cli({"diff", f, "--profile-b", "rfc9293"});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_TRUE(contains(r.out, "first divergence: event ")) << r.out;
  EXPECT_TRUE(contains(r.out, "Flags [R.]")) << r.out;
  EXPECT_TRUE(contains(r.out, "Flags [F.]")) << r.out;
  EXPECT_TRUE(contains(r.out, "server sends R. where the other run sends F.")) << r.out;
  // The index printed is the library's.
  const Scenario sc = load_scenario_file(f);
  const Divergence d = first_divergence(run_scenario(sc), run_scenario(with_profile(sc, Profile::Rfc9293)));
  EXPECT_TRUE(contains(r.out, "first divergence: event " + std::to_string(d.index) + " at t=" + format_time(d.t) + " s"))
      << r.out;
  // Two different files.
  r = tcpsim_cli({"diff", f, kScenarios + "/rst-on-unread-data-rfc9293.yaml"});
  EXPECT_EQ(r.status, 1) << r.err;
  r = tcpsim_cli({"diff", f, "--inject-b", "50ms: server close conn", "--lang", "zh_CN"});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_TRUE(contains(r.out, "不同之处")) << r.out;
  // A no-op injection: noted, and the runs are identical.
  r = tcpsim_cli({"diff", f, "--inject-b", "drop 9th F. from server"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "changes nothing")) << r.err;
  // Bad input.
  r = tcpsim_cli({"diff", f});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "nothing to compare")) << r.err;
  r = tcpsim_cli({"diff", f, "--profile-b", "bsd"});
  EXPECT_EQ(r.status, 2);
  r = tcpsim_cli({"diff", f, "/no/such.yaml"});
  EXPECT_EQ(r.status, 2);
  const auto help = tcpsim_cli({"--help"});
  EXPECT_TRUE(contains(help.out, "diff")) << help.out;
}
