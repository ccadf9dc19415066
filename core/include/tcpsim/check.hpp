// tcpsim — verifying a scenario's `expect:` block against a trace.
#pragma once

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

// Every expectation that does not hold. Empty = all hold.
std::vector<CheckFailure> check_expectations(const Scenario& s, const Trace& t);
// Human-readable report of the failures (a readable diff).
std::string format_failures(const std::vector<CheckFailure>& f);

// Helpers shared with the GUI and the exporters.
// The distinct states a socket went through, from the first state event.
std::vector<TcpState> state_history(const Trace& t, std::uint32_t sock);
// Socket id by label ("server/conn" or "server/conn#2"), 0 if none.
std::uint32_t find_socket(const TraceMeta& m, const std::string& label);

}  // namespace tcpsim
