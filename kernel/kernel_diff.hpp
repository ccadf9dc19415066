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
  // Items of different streams may come in either order when they are close
  // in time: a connection's direction for segments, a process's socket for
  // calls (concurrent threads of one process race within a millisecond).
  std::string stream;
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
  // Processes whose threads run concurrently (spawn:, concurrent loops):
  // their calls are compared per socket (each socket's calls in order), since
  // which thread's call comes first within a few ms is the scheduler's choice.
  std::vector<std::string> concurrent_processes;
  Time swap_window = msec(3);   // items of different streams this close may come in either order
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

// How far a scenario is compared with the kernel, and why the comparison stops
// there. A comparison that stops before the scenario's end is never reported
// as a plain "match": the summary says "match up to T s only", how many of the
// model's events that covers, and why it stopped.
struct ComparisonPlan {
  enum class Stop {
    ScenarioEnd,      // nothing happens in the model after model_end: whole scenario
    Duration,         // the scenario's `duration:` ends it: whole scenario
    ScenarioHorizon,  // the scenario's `kernel: {horizon:}`: partial
    MaxDuration,      // the model's next event is past --max-duration: partial
  };
  Stop stop = Stop::ScenarioEnd;
  Time horizon = kNever;         // events after this time are compared in neither trace
  Time kernel_until = kNever;    // the kernel run stops at this scenario time
  Time model_last = 0;           // the model's last normalised event
  Time scripts_end = 0;          // when the scripts' last timed step (a trailing sleep) ends
  Time next_model_event = kNever;  // the model's first event after the horizon
  std::size_t events_compared = 0;  // the model's normalised events up to the horizon
  std::size_t events_total = 0;     // ... and in the whole model run
  std::string why;               // one line: where and why the comparison stops
  bool whole() const { return stop == Stop::ScenarioEnd || stop == Stop::Duration; }
};

// Plans the comparison of `model` (the simulator's normalised trace of `sc`,
// without horizon). scripts_end: scripted_end(sc) (a script ending in a sleep
// keeps the scenario going after the model's last event). The kernel run may
// last max_duration; the horizon leaves it a second to catch up.
ComparisonPlan plan_comparison(const Scenario& sc, const Normalized& model, Time scripts_end,
                               Time max_duration);

const char* stop_name(ComparisonPlan::Stop s);

struct ScenarioDiffOptions {
  Time max_duration = sec(20);  // longest kernel run; later events are not compared
  DiffOptions diff;             // horizon is computed per scenario
  bool force = false;           // compare scenarios marked kernel: {compare: false} too
  // A scenario with a kernel: {variant:} is compared through its variant
  // (both the model and the kernel run it); false compares the full one.
  bool use_variant = true;
  std::string congestion = "cubic";  // KernelOptions::congestion
};

// "kernel variant {processes.server.fd_limit: 10, ...}": the overrides a
// scenario's kernel variant makes, as the reports name them ("" without).
std::string variant_text(const Scenario& sc);

struct ScenarioDiff {
  enum class Outcome { Match, Diverged, Skipped, Error } outcome = Outcome::Error;
  std::string reason;           // Skipped / Error: why
  DiffResult diff;
  Time horizon = kNever;        // events after this time were not compared
  ComparisonPlan plan;          // how far it was compared and why it stopped
  Trace sim, kernel;
  std::string summary;          // the one-line summary
  bool variant = false;         // the scenario's kernel variant was compared, not the full one
  std::string disturbed;        // KernelResult::disturbed of the kernel run ("" if not)
  // diff_scenario_settled(): the summaries of the runs set aside, in order.
  std::vector<std::string> earlier;
  // Diverged, and the machine disturbed the run: no verdict about the kernel.
  bool unsettled() const { return outcome == Outcome::Diverged && !disturbed.empty(); }
};

// Runs the scenario in the simulator and on the kernel and compares them up
// to the horizon of plan_comparison(). Not kernel-comparable scenarios are
// skipped with their reason. A scenario with a kernel variant is compared
// through it (opt.use_variant): the summary names the variant and its
// overrides, and the plan is the variant's.
ScenarioDiff diff_scenario(const Scenario& sc, const ScenarioDiffOptions& opt = {});

// diff_scenario() until its run is evidence. A run that diverged while the
// machine took the CPU from it (ScenarioDiff::disturbed), or diverged only in
// timing, is run again, up to `runs` runs in all; the runs set aside are in
// ScenarioDiff::earlier. Any other divergence is final at once: the model is
// deterministic and the kernel, undisturbed, too, so a real difference shows
// in every run. The result is the last run's (unsettled() when every run was
// disturbed and diverged).
ScenarioDiff diff_scenario_settled(const Scenario& sc, const ScenarioDiffOptions& opt = {}, int runs = 3);

}  // namespace tcpsim::kernel
