// Every run is bounded and says why it stopped (issue #17).
#include <gtest/gtest.h>

#include <string>

#include "tcpsim/loader.hpp"
#include "tcpsim/simulation.hpp"

using namespace tcpsim;

namespace {

Scenario load(const std::string& body) {
  return load_scenario_string("title: limits\nhosts:\n  a: {ip: 10.0.0.1}\n  b: {ip: 10.0.0.2}\n" + body,
                              "limits.yaml");
}

RunSummary run(const Scenario& sc, RunLimits l) {
  Trace t;
  RunOptions o;
  o.limits = l;
  Simulation sim(sc, t, o);
  sim.run();
  // The limit is in the trace too, as a note of the step that reached it.
  if (sim.summary().limit) {
    bool noted = false;
    for (auto it = t.events.rbegin(); it != t.events.rend() && it->t == sim.summary().limit->t; ++it)
      noted = noted || (it->kind == EventKind::Note &&
                        it->text.find(sim.summary().limit->option) != std::string::npos);
    EXPECT_TRUE(noted) << "no note of the limit at the end of the trace";
  }
  return sim.summary();
}

const char* kChatter = R"(processes:
  srv:
    host: b
    run:
      - listen: {port: 80, as: l}
      - accept: {socket: l, as: c}
      - recv: {socket: c, bytes: 100000000}
  cli:
    host: a
    run:
      - connect: {to: b:80, as: s}
      - send: {socket: s, bytes: 100000000}
)";

}  // namespace

TEST(RunLimits, CatalogueSizedRunReachesNoLimit) {
  RunSummary r = run(load(kChatter), RunLimits{});
  EXPECT_FALSE(r.limit.has_value());
}

TEST(RunLimits, EventLimitStopsTheRunAndNamesTheOption) {
  RunLimits l;
  l.events = 500;
  RunSummary r = run(load(kChatter), l);
  ASSERT_TRUE(r.limit.has_value());
  EXPECT_EQ(r.limit->limit, "events");
  EXPECT_EQ(r.limit->option, "--max-events");
  EXPECT_EQ(r.events, 500u);
  EXPECT_EQ(r.limit->event, 500u);
  const std::string m = r.limit->message();
  EXPECT_NE(m.find("--max-events"), std::string::npos) << m;
  EXPECT_NE(m.find("500"), std::string::npos) << m;
}

TEST(RunLimits, VirtualTimeLimitStopsBeforeTheEventPastIt) {
  RunLimits l;
  l.time = sec(2);
  RunSummary r = run(load(R"(processes:
  p:
    host: a
    run:
      - sleep: 10s
      - connect: {to: b:80, as: s}
)"),
                     l);
  ASSERT_TRUE(r.limit.has_value());
  EXPECT_EQ(r.limit->limit, "virtual time");
  EXPECT_LE(r.virtual_time, sec(2));
  EXPECT_NE(r.limit->detail.find("10.000"), std::string::npos) << r.limit->detail;
}

TEST(RunLimits, LongLoopWithLongPeriodNeverWrapsVirtualTime) {
  // 10^9 iterations every 10^6 s would pass 2^63 us: time must not go negative.
  RunSummary r = run(load(R"(processes:
  p:
    host: a
    run:
      - loop:
          count: 1000000000
          every: 1000000s
          run:
            - socket: {as: s}
            - close: s
)"),
                     RunLimits{});
  ASSERT_TRUE(r.limit.has_value());
  EXPECT_EQ(r.limit->limit, "virtual time");
  EXPECT_GE(r.virtual_time, 0);
}

TEST(RunLimits, LoopThatNeverLetsTimePassIsStoppedWithItsIteration) {
  RunLimits l;
  l.steps_per_instant = 1000;
  RunSummary r = run(load(R"(processes:
  p:
    host: a
    run:
      - loop:
          count: 1000000000
          run:
            - socket: {as: s}
            - close: s
)"),
                     l);
  ASSERT_TRUE(r.limit.has_value());
  EXPECT_EQ(r.limit->option, "--max-steps");
  EXPECT_NE(r.limit->detail.find("iteration"), std::string::npos) << r.limit->detail;
  EXPECT_NE(r.limit->detail.find("of p"), std::string::npos) << r.limit->detail;
}

TEST(RunLimits, ForkExplosionHitsTheProcessLimit) {
  RunLimits l;
  l.processes = 50;
  RunSummary r = run(load(R"(processes:
  p:
    host: a
    run:
      - loop:
          count: 0
          every: 1ms
          run:
            - fork:
                run:
                  - sleep: 1h
)"),
                     l);
  ASSERT_TRUE(r.limit.has_value());
  EXPECT_EQ(r.limit->limit, "processes");
  EXPECT_EQ(r.limit->option, "--max-processes");
}

TEST(RunLimits, SocketAndDescriptorLimits) {
  const char* many = R"(processes:
  p:
    host: a
    fd_limit: 1000000
    run:
      - loop:
          count: 0
          every: 1ms
          run:
            - socket: {as: s}
)";
  RunLimits l;
  l.sockets = 100;
  RunSummary r = run(load(many), l);
  ASSERT_TRUE(r.limit.has_value());
  EXPECT_EQ(r.limit->option, "--max-sockets");
  RunLimits d;
  d.descriptors = 100;
  r = run(load(many), d);
  ASSERT_TRUE(r.limit.has_value());
  EXPECT_EQ(r.limit->option, "--max-fds");
}
