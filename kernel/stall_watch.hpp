// StallWatch: notices when this machine takes the CPU away from a kernel run.
//
// A kernel run (kernel_run(), play_on_kernel()) compares the real kernel's
// timing with the model's to within a few milliseconds, and its scripts and
// wire are real-time threads so that nothing of ours delays them. What a
// shared or virtual machine does (another guest on the host's cores, a
// real-time thread of someone else, an interrupt storm) can still take a core
// for tens of milliseconds: a script's thread then calls late, a close()
// happens after the next socket() and the kernel hands out another fd, a
// packetdrill line misses its 4 ms tolerance. That is the machine, not TCP.
//
// While it lives, a StallWatch keeps one thread on each CPU at a real-time
// priority above every thread of the run (scripts 10, wire 20; this 30). Each
// sleeps 1 ms and measures how late it woke. Nothing of the run can delay it,
// so a late wake-up means the CPU was not the run's. A run whose watch saw a
// stall of `kStallThreshold` or more was disturbed: a divergence it shows is
// not evidence about the kernel (tests run it again, and say so).
// Best effort: without real-time scheduling (no CAP_SYS_NICE) the threads run
// at normal priority and then also measure ordinary load; `realtime()` says.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tcpsim::kernel {

class StallWatch {
 public:
  static constexpr std::int64_t kTickNs = 1'000'000;       // each thread's sleep
  static constexpr std::int64_t kStallThreshold = 2'000'000;  // late by this much: a stall

  // t0: CLOCK_MONOTONIC ns that times are reported from (the run's t0; 0 =
  // from the watch's start).
  explicit StallWatch(std::int64_t t0 = 0);
  ~StallWatch();
  StallWatch(const StallWatch&) = delete;
  StallWatch& operator=(const StallWatch&) = delete;

  void set_t0(std::int64_t t0) { t0_.store(t0); }
  void stop();

  struct Stall {
    int cpu = -1;
    std::int64_t at_ns = 0;   // when the thread should have woken, from t0
    std::int64_t late_ns = 0; // how late it woke
  };
  // The longest stall seen (late_ns 0 when none reached the threshold), on
  // any CPU or on the one given.
  Stall longest() const;
  Stall longest_on(int cpu) const;
  int stalls() const { return count_.load(); }
  bool disturbed() const { return longest().late_ns >= kStallThreshold; }
  bool realtime() const { return realtime_.load(); }
  // "" when undisturbed; else "the machine took CPU 1 from the run for 23.4 ms
  // at 0.310 s (3 stalls of 2 ms or more)".
  std::string describe() const;

 private:
  void watch(int cpu, std::int64_t start);
  std::atomic<bool> stop_{false};
  std::atomic<std::int64_t> t0_{0};
  std::atomic<bool> realtime_{true};
  std::atomic<int> count_{0};
  mutable std::mutex mu_;
  std::vector<Stall> longest_;  // per CPU
  std::vector<std::thread> threads_;
};

}  // namespace tcpsim::kernel
