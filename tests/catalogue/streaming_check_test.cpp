// tcpsim — `tcpsim check` streams (issue #15, point 5): the ExpectChecker
// reads the run as it happens and keeps no event. These tests hold it to the
// same verdicts as checking the recorded trace, for every catalogue scenario,
// both with its real expectations and with every one of them made wrong.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tcpsim/check.hpp"
#include "tcpsim/loader.hpp"
#include "tcpsim/simulation.hpp"

namespace fs = std::filesystem;
using namespace tcpsim;

namespace {

const std::string kScenarios = TCPSIM_SCENARIOS;

std::vector<std::string> scenario_files() {
  std::vector<std::string> v;
  for (const auto& e : fs::directory_iterator(kScenarios))
    if (e.path().extension() == ".yaml" && e.path().filename() != "index.yaml") v.push_back(e.path().string());
  std::sort(v.begin(), v.end());
  return v;
}

TcpState next_state(TcpState s) { return s == TcpState::TimeWait ? TcpState::Closed : TcpState::TimeWait; }

// Every expectation of the block, changed so that it cannot hold as written.
void make_every_expectation_wrong(Expect& x) {
  for (auto& s : x.states) s.states.push_back(TcpState::Listen);
  for (auto& s : x.segments) s.flags.push_back("R");
  for (auto& c : x.calls) c.ret = c.ret ? *c.ret + 7 : 7;
  for (auto& a : x.at) {
    for (auto& kv : a.state) kv.second = next_state(kv.second);
    for (auto& hc : a.count)
      for (auto& sc : hc.second) sc.second += 1;
  }
  for (auto& s : x.signals) s.absent = !s.absent;
  for (auto& e : x.exits) e.status = e.status ? *e.status + 1 : 99;
  for (auto& c : x.counts) {
    c.min = c.max == INT64_MAX ? c.min + 1000000 : c.max + 1;
    c.max = INT64_MAX;
  }
  for (auto& d : x.durations) {
    d.duration += sec(1000);
    d.tolerance = 0;
  }
}

std::string streamed(const Scenario& sc) {
  ExpectChecker checker(sc);
  Simulation sim(sc, checker);
  sim.run();
  return format_failures(checker.finish());
}

std::string recorded(const Scenario& sc) {
  Trace t;
  t.meta.scenario = sc.name;
  Simulation sim(sc, t);
  sim.run();
  return format_failures(check_expectations(sc, t));
}

TEST(StreamingCheck, GivesTheRecordedTracesVerdictForEveryCatalogueScenario) {
  for (const auto& f : scenario_files()) {
    auto sc = std::make_unique<Scenario>(load_scenario_file(f));
    EXPECT_EQ(streamed(*sc), "") << f;
    EXPECT_EQ(streamed(*sc), recorded(*sc)) << f;
  }
}

TEST(StreamingCheck, ReportsTheSameFailuresWhenEveryExpectationIsWrong) {
  std::size_t failures = 0;
  for (const auto& f : scenario_files()) {
    auto sc = std::make_unique<Scenario>(load_scenario_file(f));
    make_every_expectation_wrong(sc->expect);
    const std::string s = streamed(*sc);
    EXPECT_FALSE(s.empty()) << f << ": made-wrong expectations all held";
    EXPECT_EQ(s, recorded(*sc)) << f;
    failures += static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')) / 3;
  }
  EXPECT_GT(failures, 100u);  // the catalogue has well over a hundred expectations
}

TEST(StreamingCheck, AsksForNoEventsWhenThereIsNothingToCheck) {
  auto sc = std::make_unique<Scenario>(load_scenario_file(kScenarios + "/normal-close.yaml"));
  EXPECT_TRUE(ExpectChecker(*sc).wants_events());
  sc->expect = Expect{};
  EXPECT_FALSE(ExpectChecker(*sc).wants_events());
}

TEST(StreamingCheck, AsksForTcbSnapshotsOnlyForSocketStatesAtATime) {
  auto sc = std::make_unique<Scenario>(load_scenario_file(kScenarios + "/time-wait-pileup.yaml"));
  ASSERT_FALSE(sc->expect.at.empty());
  bool any_state = false;
  for (const auto& a : sc->expect.at) any_state |= !a.state.empty() || !a.state_gone.empty();
  EXPECT_EQ(ExpectChecker(*sc).wants_tcb(), any_state);
  ExpectAt a;
  a.t = msec(5);
  a.state["client/sock"] = TcpState::Closed;
  sc->expect.at.push_back(a);
  EXPECT_TRUE(ExpectChecker(*sc).wants_tcb());
}

}  // namespace
