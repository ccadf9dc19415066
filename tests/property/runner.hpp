// tcpsim property tests — running a generated scenario under the invariant
// checker, the determinism check, shrinking, and the sweep driver shared by
// the CTest quick sweep and the long-sweep executable.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "generator.hpp"
#include "invariants.hpp"

namespace tcpsim::prop {

struct Outcome {
  bool load_error = false;          // the generated file did not load (a generator bug)
  std::string load_message;
  std::vector<Violation> violations;
  std::uint64_t events = 0;
};

// Loads and runs one scenario with the checker; `determinism` runs it a
// second time and compares the JSONL traces byte for byte (I6) over their
// first kDeterminismLines lines, and the two runs' event counts. A run that
// goes on to the year-long time limit (a zero window probed for ever: 1.5
// million events) repeats itself after that; formatting all of it twice cost
// the quick sweep minutes, nearly all of its time.
constexpr std::size_t kDeterminismLines = 100'000;
Outcome check(const GenScenario& g, bool determinism);

// Drops connections, steps, faults and link impairments while the scenario
// still violates `invariant`. At most `budget` runs.
GenScenario shrink(const GenScenario& g, const std::string& invariant, int budget = 400);

struct SweepResult {
  std::uint64_t scenarios = 0;
  std::uint64_t failed = 0;
  std::uint64_t events = 0;
  std::vector<std::string> reports;  // one per failing scenario (shrunk YAML + violations)
};

// Runs scenarios for generator seeds [first, first + count). Every
// `determinism_every`-th scenario is run twice (I6). `skip` may exclude
// violations caused by reported, still-open core bugs (it gets the
// violation and returns the bug's one-line description, or "").
SweepResult sweep(std::uint64_t first, std::uint64_t count, int max_conns, int determinism_every,
                  const std::function<std::string(const Violation&)>& known_bug = nullptr,
                  std::vector<std::string>* known_hits = nullptr, std::size_t max_reports = 3);

std::string report(const GenScenario& shrunk, const Outcome& o);

}  // namespace tcpsim::prop
