// tcpsim — the lab (issue #13): change a run at one instant and compare.
//
// An *action* is one change written in a small grammar (docs/lab.md):
//   drop 1st F. from server            drop / delay / duplicate a segment
//   delay 2nd P. from client by 2s
//   duplicate 1st S. from client [by 10ms]
//   150ms: server close conn           a call by a process on one of its sockets
//   1s: server shutdown conn wr        (rd | wr | rdwr)
//   1s: client send sock 1000          (bytes)
//   1s: server abort conn              SO_LINGER {on, 0} then close(): RST
//   2s: client exit [STATUS]
//   3s: crash server
//   3s: link down [between client server] for 5s
// The GUI's actions at the cursor build this text and parse it with the
// same parse_action() as `tcpsim run --inject` and `tcpsim diff`.
//
// A *branch* is the scenario with the action written into it as an ordinary
// fault (segment actions, crash, link down/up) or an ordinary step (a
// `spawn` thread placed right after the step that binds the socket, whose
// body waits with `at:` and makes the call), run again from the start. Its
// scenario can be saved (scenario_writer.hpp) and reproduces the branch's
// trace byte for byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "tcpsim/scenario.hpp"
#include "tcpsim/simulation.hpp"
#include "tcpsim/trace.hpp"

namespace tcpsim {

// A malformed or impossible action. col is 1-based in the action's text
// (0 when the whole action is meant, e.g. "changes nothing").
class ActionError : public std::runtime_error {
 public:
  ActionError(int col, std::string message);
  int col() const { return col_; }
  const std::string& message() const { return message_; }

 private:
  int col_;
  std::string message_;
};

enum class ActionKind : std::uint8_t {
  Drop, Delay, Duplicate,              // a segment
  Close, Shutdown, Send, Abort,        // a call on a socket (Abort = SO_LINGER 0 + close)
  Exit,                                // a process exits
  Crash,                               // a host loses power
  LinkDown,                            // links down for `duration`, then up
};
const char* action_kind_name(ActionKind k);  // "drop", "close", "link down", ...

struct Action {
  ActionKind kind = ActionKind::Drop;
  // Segment actions: the nth segment sent by `from` with exactly `flags`
  // (tcpdump notation, "F."), counted from the start of the run over every
  // transmission, retransmissions included (as network.cpp's transmit()
  // counts them; apply_action() turns it into the rule's own count).
  std::string from;
  std::string flags;
  int nth = 1;
  Time by = 0;                   // Delay (> 0), Duplicate (>= 0)
  // Timed actions (every kind but Drop/Delay/Duplicate).
  Time at = 0;
  std::string process;           // Close/Shutdown/Send/Abort/Exit
  std::string socket;            // binding name, optionally "#N" ("conn", "conn#2")
  ShutHow how = ShutHow::Wr;     // Shutdown
  std::uint64_t bytes = 0;       // Send
  int status = 0;                // Exit
  std::string host;              // Crash
  std::string link_a, link_b;    // LinkDown ("" = every link)
  Time duration = 0;             // LinkDown
  bool operator==(const Action& o) const;
};

// Parses one action; throws ActionError naming the column (what() reads
// "column 12: expected ..."). Strict: the same
// duration and number rules as scenario files (docs/lab.md).
Action parse_action(const std::string& text);
// The canonical text of an action: parse_action(action_text(a)) == a.
std::string action_text(const Action& a);

// The action on the segment of trace event `event_index` (a segment send,
// deliver or drop event): works out from/flags/nth from the trace (nth = 1 +
// the earlier sends from that host with exactly those flags). Throws
// ActionError when the event is not a segment. A segment the scenario's own
// rules drop gets an action too; apply_action() then refuses it (a later
// rule never sees it).
Action segment_action(const Trace& trace, std::size_t event_index, ActionKind kind, Time by = 0);

// The scenario with the action written in (see above). Throws ActionError
// (col 0, the reason in words) when it cannot be: unknown process, socket,
// host or link; a socket the process does not hold at that time according
// to `base_trace`; a socket bound inside a loop (a step there would run in
// every iteration) or a process forked in a loop; a process that has not
// started or has ended; a time after the end of the run; a segment the
// scenario's own rules already drop. docs/lab.md lists the messages.
Scenario apply_action(const Scenario& base, const Trace& base_trace, const Action& a);

// The same scenario with every host under `profile`.
Scenario with_profile(const Scenario& base, Profile profile);

// Where two traces part: the first index whose JSONL lines (without the
// index) differ. identical when neither has an event the other lacks.
struct Divergence {
  bool identical = true;
  std::size_t index = 0;         // first differing event index (same in both)
  Time t = 0;                    // time of that event in the earlier of the two
};
Divergence first_divergence(const Trace& a, const Trace& b);

// What differs, for people: one line per difference, e.g.
//   "client/sock: states CLOSED → SYN_SENT → … → TIME_WAIT | … → CLOSED"
//   "server sends R. instead of F."   "TIME_WAIT of client/sock: 60 s | 240 s"
// Both traces' sides in order a | b. lang "en" or "zh_CN".
std::vector<std::string> describe_differences(const Trace& a, const Trace& b, const std::string& lang = "en");

// An alignment of two lists of lines (a longest common subsequence after
// the common head and tail): one row per line, a and b the line's index on
// each side, -1 where that side has none. Rows with both indexes are equal
// lines. A middle part with more than `max_cells` (n+1)*(m+1) cells is not
// aligned but listed as one block (a's lines, then b's), so big traces stay
// bounded in time and memory.
struct DiffRow {
  long a = -1, b = -1;
};
std::vector<DiffRow> diff_lines(const std::vector<std::string>& a, const std::vector<std::string>& b,
                                std::size_t max_cells = std::size_t{1} << 22);
// The JSONL line of an event without its index (what first_divergence compares).
std::string event_line_without_index(const Event& e, const TraceMeta& m);

// Expectations that describe a run: the distinct states of each labelled
// socket (the first 24) and the flags of every segment sent (up to 120).
// A branch carries these instead of its parent's, which describe the run
// without the change, so a saved branch passes `tcpsim check`.
Expect expect_from_run(const Trace& t);

struct Branch {
  std::string name;              // shown on its tab; default: the action's text
  std::vector<Action> actions;   // from the root scenario, in order (a branch of a branch adds one)
  Scenario scenario;             // the root scenario with every action written in
  Trace trace;
  Divergence from_parent;        // against the trace it was branched from
};

// Applies `a` to `parent_scenario`, runs it (with `opt`: limits, cancel)
// and compares with parent_trace. Throws ActionError(0, "<action> changes
// nothing: <why>") when the run is identical, and ActionError when a call
// written in acted on another socket than the one named (checked in the
// branch's trace). A run stopped by a limit or cancelled is returned as is
// (Branch::trace.meta.stopped_by says so).
Branch make_branch(const Scenario& parent_scenario, const Trace& parent_trace,
                   std::vector<Action> parent_actions, const Action& a, const RunOptions& opt = {});

}  // namespace tcpsim
