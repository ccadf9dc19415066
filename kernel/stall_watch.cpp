#include "stall_watch.hpp"

#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

namespace tcpsim::kernel {

namespace {

std::int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace

StallWatch::StallWatch(std::int64_t t0) {
  const std::int64_t start = now_ns();
  t0_.store(t0 ? t0 : start);
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 1) n = 1;
  longest_.resize(static_cast<std::size_t>(n));
  for (int cpu = 0; cpu < n; ++cpu) threads_.emplace_back([this, cpu, start] { watch(cpu, start); });
}

StallWatch::~StallWatch() { stop(); }

void StallWatch::stop() {
  stop_.store(true);
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

// The first tick is due one tick after the watch was made, not after the
// thread first ran: a CPU already taken when the watch starts is a stall too.
void StallWatch::watch(int cpu, std::int64_t start) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
  sched_param sp{};
  sp.sched_priority = 30;  // above the run's wire (20) and scripts (10)
  if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) != 0) realtime_.store(false);
  std::int64_t next = start + kTickNs;
  // Measures at least once, and after stop() once more: a thread that first
  // runs, or wakes, only after the run ended still reports the CPU it waited for.
  for (;;) {
    timespec ts{static_cast<time_t>(next / 1000000000), static_cast<long>(next % 1000000000)};
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
    const std::int64_t woke = now_ns();
    const std::int64_t late = woke - next;
    if (late >= kStallThreshold) {
      count_.fetch_add(1);
      std::lock_guard<std::mutex> g(mu_);
      Stall& l = longest_[static_cast<std::size_t>(cpu)];
      if (late > l.late_ns) l = {cpu, next - t0_.load(), late};
    }
    if (stop_.load(std::memory_order_relaxed)) break;
    next = woke + kTickNs;
  }
}

StallWatch::Stall StallWatch::longest() const {
  std::lock_guard<std::mutex> g(mu_);
  Stall out;
  for (const Stall& l : longest_)
    if (l.late_ns > out.late_ns) out = l;
  return out;
}

StallWatch::Stall StallWatch::longest_on(int cpu) const {
  std::lock_guard<std::mutex> g(mu_);
  return cpu >= 0 && static_cast<std::size_t>(cpu) < longest_.size() ? longest_[static_cast<std::size_t>(cpu)]
                                                                      : Stall{};
}

std::string StallWatch::describe() const {
  const Stall s = longest();
  if (s.late_ns < kStallThreshold) return {};
  char b[200];
  std::snprintf(b, sizeof b, "the machine took CPU %d from the run for %.1f ms at %.3f s (%d stall%s of %lld ms or more%s)",
                s.cpu, static_cast<double>(s.late_ns) / 1e6, static_cast<double>(s.at_ns) / 1e9, stalls(),
                stalls() == 1 ? "" : "s", static_cast<long long>(kStallThreshold / 1000000),
                realtime() ? "" : "; no real-time priority here, so ordinary load counts too");
  return b;
}

}  // namespace tcpsim::kernel
