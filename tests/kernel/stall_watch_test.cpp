// StallWatch (kernel/stall_watch.hpp): a CPU taken from the run is seen, on
// the CPU it was taken from, for at least about as long as it was taken.
#include <gtest/gtest.h>

#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <thread>

#include "stall_watch.hpp"

using tcpsim::kernel::StallWatch;

namespace {

std::int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// Busy on `cpu` for `ns` at a real-time priority above the watch's (what a
// noisy neighbour or someone else's real-time thread does to a run).
bool hog(int cpu, std::int64_t ns) {
  bool ok = true;
  std::thread t([&] {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_param sp{};
    sp.sched_priority = 50;
    ok = pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0 &&
         pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0;
    const std::int64_t end = now_ns() + ns;
    while (ok && now_ns() < end) {
    }
  });
  t.join();
  return ok;
}

}  // namespace

// Noise (a machine that takes CPUs of its own) can only add stalls, so the
// test asserts what its own hog must have caused, on the CPU it hogged.
TEST(StallWatch, ACpuTakenByAHigherPriorityThreadIsSeenOnThatCpuForAboutThatLong) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root for real-time priorities";
  StallWatch w;
  usleep(20'000);
  const int cpu = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)) - 1;
  ASSERT_TRUE(hog(cpu, 15'000'000)) << "could not make a real-time thread";
  usleep(20'000);
  w.stop();
  ASSERT_TRUE(w.realtime());
  EXPECT_TRUE(w.disturbed());
  const StallWatch::Stall s = w.longest_on(cpu);
  EXPECT_EQ(s.cpu, cpu);
  EXPECT_GE(s.late_ns, 12'000'000);  // 15 ms taken, less the tick the watch slept into it
  EXPECT_GE(w.longest().late_ns, s.late_ns);
  EXPECT_NE(w.describe().find("the machine took CPU " + std::to_string(w.longest().cpu) + " from the run for "),
            std::string::npos)
      << w.describe();
}
