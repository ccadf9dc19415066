// tcpsim — run limits on the command line (cli/limits.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "tcpsim/simulation.hpp"

namespace CLI {
class App;
}

namespace tcpsim::cli {

// --max-events, --max-time, --max-processes, --max-threads, --max-sockets,
// --max-fds, --max-steps, --max-memory, written into `l`.
void add_limit_options(CLI::App* c, RunLimits& l);
// --seed N, range-checked (no sign, no exponent, at most 2^64-1).
void add_seed_option(CLI::App* c, std::optional<std::uint64_t>& seed);
// When a limit ended the run: prints "FILE: stopped: the ... limit ..." to
// stderr, sets exit_status() to kExitLimit and returns true.
bool report_limit(const std::string& file, const RunSummary& r);
// run_scenario, bounded by `opt`, reporting a limit reached.
Trace run_bounded(const Scenario& sc, const RunOptions& opt, const std::string& file);

}  // namespace tcpsim::cli
