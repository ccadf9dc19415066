// The two data structures behind the scale work (issue 7), checked against
// the obvious reference implementations on random operation sequences:
// the event queue (heap + FIFO lanes) must pop exactly what one ordered set
// by (time, insertion order) pops, and the demux table (open addressing,
// backward-shift erase) must answer exactly what std::unordered_map does.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <tuple>
#include <unordered_map>

#include "engine.hpp"
#include "flat_map.hpp"

namespace tcpsim {
namespace {

// Pushes happen at the time of the last pop, as in the simulator. Delays
// mix short varied ones (the heap), a few repeated long ones (lanes), and
// more distinct long delays than there are lanes (lanes reused, then the
// heap again).
TEST(EngineQueue, PopsExactlyInTimeThenInsertionOrderLikeOneOrderedSet) {
  for (std::uint32_t seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 rng(seed);
    Engine q;
    std::set<std::tuple<Time, std::uint64_t, std::uint32_t>> ref;
    std::uint64_t order = 0;
    Time now = 0;
    std::uint32_t next_id = 0;
    const Time lane_delays[] = {10000, 40000, 200000, 1000000, 60000000};
    for (int op = 0; op < 20000; ++op) {
      const int what = static_cast<int>(rng() % 10);
      if (what < 6 || ref.empty()) {
        Time d;
        switch (rng() % 4) {
          case 0: d = static_cast<Time>(rng() % 3000); break;                      // segments
          case 1: d = lane_delays[rng() % 5]; break;                               // timers of one length
          case 2: d = 10000 + static_cast<Time>(rng() % 40) * 1000; break;         // many distinct lanes
          default: d = static_cast<Time>(rng() % 2'000'000); break;                // anything
        }
        const std::uint32_t id = next_id++;
        q.push(now + d, 1, id, 0);
        ref.emplace(now + d, order++, id);
      } else {
        ASSERT_FALSE(q.empty());
        ASSERT_EQ(q.size(), ref.size());
        const QItem& top = q.top();
        const auto& [t, o, id] = *ref.begin();
        ASSERT_EQ(top.t, t) << "seed " << seed << " op " << op;
        ASSERT_EQ(top.a, id) << "seed " << seed << " op " << op;
        const QItem it = q.pop();
        ASSERT_EQ(it.a, id);
        now = it.t;
        ref.erase(ref.begin());
      }
    }
    while (!ref.empty()) {
      const QItem it = q.pop();
      ASSERT_EQ(it.a, std::get<2>(*ref.begin()));
      ref.erase(ref.begin());
    }
    EXPECT_TRUE(q.empty());
  }
}

// Keys drawn from a small space so that probe runs are long and wrap
// around the end of the array, which is where backward-shift erase is
// easy to get wrong.
TEST(ConnTable, AgreesWithUnorderedMapUnderInsertEraseAndReuse) {
  for (std::uint32_t seed = 1; seed <= 10; ++seed) {
    std::mt19937_64 rng(seed);
    ConnTable t;
    std::unordered_map<std::uint64_t, std::uint32_t> ref;
    auto random_key = [&] {
      const std::uint64_t port = 40000 + rng() % 300;
      const std::uint64_t ip = 0x0A000001 + rng() % 4;
      return (port << 48) | (ip << 16) | 80;
    };
    for (int op = 0; op < 50000; ++op) {
      const std::uint64_t k = random_key();
      switch (rng() % 4) {
        case 0:
        case 1: {
          const std::uint32_t v = static_cast<std::uint32_t>(rng() % 1000) + 1;
          t.insert_or_assign(k, v);
          ref[k] = v;
          break;
        }
        case 2: {
          // Erase only when the value matches, as unhash() does.
          const std::uint32_t v = ref.count(k) && rng() % 2 ? ref[k] : 999999;
          const bool removed = t.erase_if_value(k, v);
          auto it = ref.find(k);
          const bool should = it != ref.end() && it->second == v;
          ASSERT_EQ(removed, should) << "seed " << seed << " op " << op;
          if (should) ref.erase(it);
          break;
        }
        default: {
          const std::uint32_t* got = t.find(k);
          auto it = ref.find(k);
          ASSERT_EQ(got != nullptr, it != ref.end()) << "seed " << seed << " op " << op;
          if (got) ASSERT_EQ(*got, it->second);
        }
      }
      ASSERT_EQ(t.size(), ref.size());
    }
    // Every entry is still reachable after all that churn.
    for (const auto& [k, v] : ref) {
      const std::uint32_t* got = t.find(k);
      ASSERT_NE(got, nullptr);
      EXPECT_EQ(*got, v);
    }
    std::size_t seen = 0;
    t.any_of([&](std::uint64_t k, std::uint32_t v) {
      ++seen;
      EXPECT_EQ(ref.at(k), v);
      return false;
    });
    EXPECT_EQ(seen, ref.size());
  }
}

TEST(ConnTable, AnyOfStopsAtTheFirstMatchAndClearEmpties) {
  ConnTable t;
  for (std::uint64_t p = 1; p <= 100; ++p) t.insert_or_assign(p << 48, static_cast<std::uint32_t>(p));
  EXPECT_TRUE(t.any_of([](std::uint64_t k, std::uint32_t) { return (k >> 48) == 42; }));
  EXPECT_FALSE(t.any_of([](std::uint64_t k, std::uint32_t) { return (k >> 48) == 101; }));
  t.clear();
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.find(std::uint64_t{42} << 48), nullptr);
}

}  // namespace
}  // namespace tcpsim
