// tcpsim — the run limits every simulating subcommand takes (issue #17):
// --max-events, --max-time, ... , and how a run that reached one is reported.
#include "limits.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>

#include "commands.hpp"

namespace tcpsim::cli {

namespace {
// A count option: a whole number from 1 up (CLI11 refuses the rest with the option's name).
void count_option(CLI::App* c, const char* name, std::uint64_t& v, const char* what) {
  c->add_option(name, v, std::string(what) + " (default " + std::to_string(v) + ")")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40))
      ->group("Run limits");
}
}  // namespace

void add_limit_options(CLI::App* c, RunLimits& l) {
  count_option(c, "--max-events", l.events, "stop after this many engine events");
  static std::string max_time;
  c->add_option_function<std::string>(
       "--max-time",
       [&l](const std::string& s) {
         auto d = parse_duration(s);
         if (!d || *d <= 0) throw CLI::ValidationError("--max-time", "'" + s + "' is not a duration like 30d, 2h or 90s");
         l.time = *d;
       },
       "stop when virtual time passes this (default 366d; e.g. 2h, 90s)")
      ->group("Run limits");
  count_option(c, "--max-processes", l.processes, "processes (fork included)");
  count_option(c, "--max-threads", l.threads, "threads alive at once");
  count_option(c, "--max-sockets", l.sockets, "sockets created");
  count_option(c, "--max-fds", l.descriptors, "descriptors open in all processes");
  count_option(c, "--max-steps", l.steps_per_instant, "script steps one thread runs without virtual time passing");
  c->add_option_function<std::uint64_t>(
       "--max-memory", [&l](std::uint64_t mib) { l.memory = mib << 20; },
       "resident memory in MiB (default 16384, or 3/4 of ulimit -v; 0 = no limit)")
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{1} << 24))
      ->group("Run limits");
}

void add_seed_option(CLI::App* c, std::optional<std::uint64_t>& seed) {
  c->add_option_function<std::string>(
      "--seed",
      [&seed](const std::string& s) {
        // Decimal digits only, 0 .. 2^64-1: no sign, no exponent, no wrap-around.
        bool ok = !s.empty() && s.size() <= 20 &&
                  s.find_first_not_of("0123456789") == std::string::npos;
        unsigned __int128 v = 0;
        for (char ch : s) v = v * 10 + static_cast<unsigned>(ch - '0');
        if (!ok || v > static_cast<unsigned __int128>(UINT64_MAX))
          throw CLI::ValidationError("--seed", "'" + visible_text(s) +
                                                   "' is not a seed: a whole number from 0 to 18446744073709551615");
        seed = static_cast<std::uint64_t>(v);
      },
      "random seed, 0 .. 2^64-1 (default: the scenario's)");
}

bool report_limit(const std::string& file, const RunSummary& r) {
  if (!r.limit) return false;
  std::fprintf(stderr, "%s: %s\n", visible_text(file).c_str(), r.limit->message().c_str());
  exit_status() = kExitLimit;
  return true;
}

Trace run_bounded(const Scenario& sc, const RunOptions& opt, const std::string& file) {
  Trace t;
  t.meta.scenario = sc.name;
  Simulation sim(sc, t, opt);
  sim.run();
  if (report_limit(file, sim.summary())) t.meta.stopped_by = sim.summary().limit->message();
  return t;
}

}  // namespace tcpsim::cli
