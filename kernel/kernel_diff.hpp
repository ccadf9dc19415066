// tcpsim::kernel — comparing a simulated trace with a kernel trace.
//
// Normalising removes what legitimately differs between two runs of the same
// scenario: absolute sequence numbers become relative to each direction's ISN
// (the seq of that direction's SYN), ports become connection numbers in order
// of first appearance, window values are dropped, and times are compared only
// within a tolerance. What stays is compared:
//   - the segments sent (connection, direction, flags, relative seq/ack, length),
//     pure ACKs included, in order;
//   - each socket's sequence of distinct states (by label, e.g. "client/sock");
//   - each process's calls (call, return value, errno), signals and exit.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "tcpsim/scenario.hpp"
#include "tcpsim/trace.hpp"

namespace tcpsim::kernel {

struct NormItem {
  enum class Kind { Segment, State, Call, Signal, Process };
  Kind kind = Kind::Segment;
  Time t = 0;
  std::string who;   // segment: "c1 client>server"; state: socket label; call etc.: process
  std::string what;  // the compared text: "[S.] seq 0 ack 1 len 0", "SYN_SENT", "send = -1 EPIPE"
  std::string text() const { return who + " " + what; }
};

struct Normalized {
  std::vector<NormItem> segments;                          // in time order
  std::map<std::string, std::vector<NormItem>> states;     // socket -> its distinct states
  std::map<std::string, std::vector<NormItem>> calls;      // process -> calls, signals, exit
  std::vector<NormItem> all;                               // everything, by time ("event N")
};

struct DiffOptions {
  Time horizon = kNever;        // ignore events after this time (in both traces)
  Time tol_abs = msec(25);      // timing tolerance: tol_abs + tol_rel * t
  double tol_rel = 0.13;        // (Linux's timer wheel rounds long timers up by up to 12.5%)
  bool check_timing = true;
  Time swap_window = msec(3);   // adjacent segments of different directions this close may swap
};

Normalized normalize(const Trace& trace, const DiffOptions& opt = {});

struct DiffResult {
  bool match = true;
  std::size_t event = 0;        // index in the simulated trace's merged normalised list
  std::string category;         // "segments" | "states of client/sock" | "calls of server" | "timing"
  std::string expected;         // simulator side of the first divergence
  std::string actual;           // kernel side
  std::string side_by_side;     // a window of both lists around the divergence
};

DiffResult diff_traces(const Trace& sim, const Trace& kernel, const DiffOptions& opt = {});

// "<name>: match" / "<name>: diverged at event N (category: sim X, kernel Y)"
std::string summary_line(const std::string& scenario, const DiffResult& r);

// Two columns (simulator | kernel) of items around index `at`, the diverging
// row marked with ">>".
std::string side_by_side(const std::vector<NormItem>& sim, const std::vector<NormItem>& kernel,
                         std::size_t at, std::size_t context = 4, std::size_t width = 58);

}  // namespace tcpsim::kernel

namespace tcpsim::kernel {

struct ScenarioDiffOptions {
  Time max_duration = sec(20);  // longest kernel run; later events are not compared
  DiffOptions diff;             // horizon is computed per scenario
  bool force = false;           // compare scenarios marked kernel: {compare: false} too
};

struct ScenarioDiff {
  enum class Outcome { Match, Diverged, Skipped, Error } outcome = Outcome::Error;
  std::string reason;           // Skipped / Error: why
  DiffResult diff;
  Time horizon = kNever;        // events after this time were not compared
  Trace sim, kernel;
  std::string summary;          // the one-line summary
};

// Runs the scenario in the simulator and on the kernel and compares them.
// Not kernel-comparable scenarios are skipped with their reason. The kernel
// run lasts until 1 s after the simulator's last event (at most
// max_duration); events after half a second before that are not compared.
ScenarioDiff diff_scenario(const Scenario& sc, const ScenarioDiffOptions& opt = {});

}  // namespace tcpsim::kernel
