// tcpsim::kernel — replays a Scenario with real sockets on the Linux kernel of
// this machine and records the same trace events (trace.hpp) as the simulator.
//
// How it works (docs/fidelity.md has the full story):
//  - one network namespace per scenario host ("tcpsim-<pid>-<run>-<host>"),
//    each with a TUN device that carries the host's IP address;
//  - the runner itself is the wire between the TUN devices: it reads every IP
//    packet, records it (this is the capture), applies the scenario's link
//    delay / rate and its faults (drop the nth FIN, delay, duplicate, link
//    down/up) exactly, and writes it to the destination host's TUN;
//  - each scenario process is a real forked process that setns() into its
//    host's namespace and runs its script with blocking system calls,
//    reporting every call (return value, errno, times), signal and exit to
//    the runner over a pipe;
//  - socket states come from the kernel's sock:inet_sock_set_state tracepoint
//    (a private tracefs instance, CLOCK_MONOTONIC), completed by sampling
//    /proc/net/tcp in each namespace every ~2 ms for time-wait sockets, which
//    the tracepoint does not report.
// Namespaces, TUN devices and the tracefs instance are removed afterwards,
// also on failure. Traffic never leaves the namespaces.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "tcpsim/scenario.hpp"
#include "tcpsim/trace.hpp"

namespace tcpsim::kernel {

struct KernelOptions {
  // Stop the run at this scenario time. kNever: the scenario's duration, or
  // when the run is quiet (every script done, no segment for `quiet`, no
  // socket in a state that still has a timer other than TIME_WAIT).
  Time until = kNever;
  Time max_duration = sec(30);  // hard cap on wall-clock run time
  Time quiet = msec(1500);
  bool keep_going_on_sysctl_error = false;
  bool verbose = false;          // progress on stderr
  // Scenario times at which to capture `ss -tanoip` in every host's
  // namespace (KernelResult::ss_captures), for tcpsim ss's kernel test.
  std::vector<Time> ss_at;
  // Congestion control of every TCP socket a script creates (setsockopt
  // TCP_CONGESTION; accepted sockets inherit their listener's). "cubic",
  // Linux's default, is what the model follows (docs/model.md); a namespace
  // inherits the machine's default (bbr here) and may not make cubic its own
  // (tcp_set_default_congestion_control(): -EPERM outside the init namespace
  // for an algorithm not in tcp_allowed_congestion_control), but a socket may
  // with CAP_NET_ADMIN. "" or "system": the namespace's default is kept.
  std::string congestion = "cubic";
};

// The algorithm a run with `congestion` uses, as a header says it:
// "cubic (TCP_CONGESTION on each socket)" or "bbr (the system default)".
std::string congestion_text(const std::string& congestion);

// Real `ss -tanoip` output of one host at a scenario moment.
struct SsCapture {
  Time asked = 0;                // the moment asked for (KernelOptions::ss_at)
  Time t = 0;                    // scenario time when ss started
  Time t_end = 0;                // ... and when it had finished
  std::string host;
  std::string output;
};

struct KernelResult {
  bool ok = false;
  std::string error;             // why the run could not be made (setup failure)
  Time ran_for = 0;              // scenario time covered by the trace
  bool capped = false;           // stopped by max_duration / until, not by quiet
  std::vector<std::string> notes;  // approximations applied (e.g. unsupported faults)
  std::vector<SsCapture> ss_captures;  // KernelOptions::ss_at, in order
  // "" when nothing took the CPU from the run; else what StallWatch saw
  // (stall_watch.hpp): the run's timing, and what follows from it (which fd a
  // socket() got while another thread's close() was late), is the machine's.
  std::string disturbed;
};

// The latest scenario time at which a script still has a timed step to run
// (at:, after:, sleep:, loops with every:), assuming calls take no time: a
// script that ends in a sleep keeps the scenario going until then.
Time scripted_end(const Scenario& scenario);

// "" when this machine can run kernel scenarios (root, network namespaces,
// /dev/net/tun, tracefs); otherwise the reason it cannot.
std::string kernel_unavailable_reason();

// Runs the scenario and streams its trace (sorted by time) into `sink`.
KernelResult kernel_run(const Scenario& scenario, TraceSink& sink,
                        const KernelOptions& options = {});

// A kernel run judged by `good`, and run again while it is not and the
// machine disturbed it (KernelResult::disturbed), at most `runs` times, as
// diff_scenario_settled() does for a whole comparison: a disturbed run is no
// verdict; an undisturbed one is final.
struct SettledRun {
  KernelResult result;             // the last run's
  Trace trace;                     // ... and its trace
  bool good = false;               // `good` took the last run
  std::vector<std::string> earlier;  // why each run set aside was (its disturbance)
  // Not good, and the last run disturbed too: no verdict either way.
  bool unsettled() const { return result.ok && !good && !result.disturbed.empty(); }
};
SettledRun kernel_run_settled(const Scenario& scenario, const KernelOptions& options,
                              const std::function<bool(const Trace&, const KernelResult&)>& good, int runs = 3);

}  // namespace tcpsim::kernel
