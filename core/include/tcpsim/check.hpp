// tcpsim — verifying a scenario's `expect:` block against a trace.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tcpsim/scenario.hpp"
#include "tcpsim/trace.hpp"

namespace tcpsim {

struct CheckFailure {
  Loc loc;               // the expectation in the scenario file
  std::string what;      // "states of client/sock"
  std::string expected;
  std::string actual;
};

// Checks a scenario's expectations while its run streams by (issue #15): a
// sink that keeps only what the expectations read (a few numbers per
// expectation, and per socket its current state; per-socket histories only
// when a `states:` or `durations:` expectation needs them), never the events.
// Feed it to a Simulation, then call finish() once.
class ExpectChecker : public TraceSink {
 public:
  explicit ExpectChecker(const Scenario& s);
  ~ExpectChecker() override;
  void on_host(const HostInfo& h) override;
  void on_process(const ProcessInfo& p) override;
  void on_socket(const SocketInfo& s) override;
  void on_event(const Event& e) override;
  bool wants_events() const override;  // false when there is nothing to check
  bool wants_tcb() const override;     // only `at:` socket states read snapshots
  std::uint32_t event_kinds() const override;  // no timer, note, fault or arrival
  // Every expectation that does not hold, in the order of the expect block's
  // kinds (states, segments, calls, at, signals, exits, counts, durations).
  std::vector<CheckFailure> finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Every expectation that does not hold. Empty = all hold. (The recorded
// trace replayed through an ExpectChecker.)
std::vector<CheckFailure> check_expectations(const Scenario& s, const Trace& t);
// Human-readable report of the failures (a readable diff).
std::string format_failures(const std::vector<CheckFailure>& f);

// Helpers shared with the GUI and the exporters.
// The distinct states a socket went through, from the first state event.
std::vector<TcpState> state_history(const Trace& t, std::uint32_t sock);
// Socket id by label ("server/conn" or "server/conn#2"), 0 if none.
std::uint32_t find_socket(const TraceMeta& m, const std::string& label);

}  // namespace tcpsim
