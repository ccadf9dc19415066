// tcpsim — the simulation: a deterministic discrete-event run of a Scenario.
//
// Identical (scenario, seed) give a byte-identical trace. Virtual time is
// the only clock; nothing here reads the wall clock.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tcpsim/scenario.hpp"
#include "tcpsim/trace.hpp"

namespace tcpsim {

// Every run is bounded (issue #17): reaching a limit ends the run at once
// with RunSummary::limit saying which, when and at which event, instead of
// hanging, overflowing virtual time or dying of memory. The defaults suit a
// 2-core, 24 GiB machine and are far above every catalogue scenario and
// bench workload; each has a command-line option to raise it.
struct RunLimits {
  std::uint64_t events = 200'000'000;            // engine events       --max-events
  Time time = 366LL * 24 * 3600 * 1'000'000;      // virtual time (1 y)  --max-time
  std::uint64_t processes = 100'000;             // processes started   --max-processes
  std::uint64_t threads = 200'000;               // threads started     --max-threads
  std::uint64_t sockets = 5'000'000;             // sockets created     --max-sockets
  std::uint64_t descriptors = 5'000'000;         // descriptors open    --max-fds
  std::uint64_t steps_per_instant = 100'000;     // script steps of one thread at one instant --max-steps
  // Resident memory of this process (0: off); lowered to 3/4 of RLIMIT_AS
  // when that is set. Bytes queued need no limit of their own: a socket
  // queues at most its send buffer (net.ipv4.tcp_wmem), and what a huge
  // send() costs is events and trace, bounded here.
  std::uint64_t memory = std::uint64_t{16} << 30;  // --max-memory
};

// Why a run ended early: the limit (its RunLimits name and option), its
// value, and where the run was.
struct LimitStop {
  std::string limit;    // "events", "virtual time", "sockets", ...
  std::string option;   // "--max-events"
  std::string value;    // the limit, as the option takes it ("200000000", "366d")
  Time t = 0;           // virtual time when it was reached
  std::uint64_t event = 0;  // engine events processed by then
  std::string detail;   // what reached it ("thread 1 of server")
  std::string message() const;  // one line for users
};

struct RunOptions {
  std::optional<std::uint64_t> seed;   // default: the scenario's seed
  Time until = kNever;                 // stop at this virtual time (and the scenario's duration)
  RunLimits limits;
  // Kept for callers that bound only events (tests, counts): min'd with limits.events.
  std::uint64_t max_events = 200'000'000;
  // Set to true (from another thread) to stop the run at the next event, as
  // a limit does (RunSummary::limit->limit == "cancelled"): the GUI cancels
  // a long branch with it. Must outlive the run.
  const std::atomic<bool>* cancel = nullptr;
};

// Sockets per state on one host (the CLOSE_WAIT / TIME_WAIT pile-ups).
using StateCounts = std::array<std::int64_t, kNumTcpStates>;

// Sampled socket counts per host and state over time, kept without keeping
// events. Time is cut into buckets of `resolution` aligned on `origin` and
// closed on the right, (origin + (k-1)*resolution, origin + k*resolution];
// a bucket in which a count changed has one sample, named by the bucket's
// end: `counts` are exactly the counts at time t (after every event at t),
// `peak` the highest count at any moment of the bucket (its entering level
// included; a listener's child is not counted in LISTEN). tcpsim/counts.hpp
// runs a scenario into a series of bounded size.
struct CountSeries {
  Time resolution = msec(1);
  Time origin = 0;
  std::vector<std::string> hosts;
  struct Sample {
    Time t;
    std::vector<StateCounts> counts;  // per host, at t
    std::vector<StateCounts> peak;    // per host, the highest in the bucket (after any event)
    StateCounts total_peak{};         // all hosts together, the highest in the bucket
  };
  std::vector<Sample> samples;
  // The bucket holding time t, named by its end.
  Time bucket(Time t) const {
    if (resolution <= 1) return t;
    const Time d = t - origin;
    const Time k = d > 0 ? (d + resolution - 1) / resolution : -(-d / resolution);
    return origin + k * resolution;
  }
};

struct RunSummary {
  std::uint64_t events = 0;            // engine events processed
  std::uint64_t segments_sent = 0;
  std::uint64_t segments_dropped = 0;
  std::uint64_t connections = 0;       // connections that reached ESTABLISHED (per active opener)
  std::array<std::uint64_t, kNumTcpStates> final_states{};  // sockets in each state at the end
  std::array<std::int64_t, kNumTcpStates> peak{};           // peak concurrent sockets per state (all hosts)
  std::uint64_t sockets_created = 0;
  std::uint64_t sockets_peak = 0;      // most sockets in memory at once (destroyed ones are recycled)
  Time virtual_time = 0;
  std::optional<LimitStop> limit;      // set when a RunLimits limit ended the run
};

class Simulation {
 public:
  Simulation(const Scenario& scenario, TraceSink& sink, RunOptions options = {});
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  // Processes one engine event. False when nothing is left to do or the
  // stop time is reached.
  bool step();
  void run();
  Time now() const;
  const RunSummary& summary() const;
  const StateCounts& counts(std::size_t host) const;
  std::size_t host_count() const;
  // Keep sampled per-host state counts while running (for charts of big runs).
  void sample_counts(CountSeries* series);

  // Read-only views for invariant checkers and tests.
  struct SocketView {
    std::uint32_t id;
    std::uint16_t host;
    TcbSnapshot tcb;
    int fd_refs;          // descriptors referring to it
    bool listening;
  };
  void for_each_socket(const std::function<void(const SocketView&)>& f) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Runs a scenario to the end and returns its trace.
Trace run_scenario(const Scenario& scenario, RunOptions options = {});

}  // namespace tcpsim
