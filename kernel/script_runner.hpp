// tcpsim::kernel — runs one scenario process's script with real system calls.
// Called in a freshly forked child of the runner; never returns.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "tcpsim/scenario.hpp"

namespace tcpsim::kernel {

struct ChildSetup {
  const Scenario* scenario = nullptr;
  const ProcessSpec* process = nullptr;
  int netns_fd = -1;    // the host's namespace (setns)
  int report_fd = -1;   // write end of the report pipe
  int start_fd = -1;    // read end of the start pipe: the run's t0 (CLOCK_MONOTONIC ns) arrives here
  bool bind_any = false;  // bind() and listen() on INADDR_ANY, not the host's address
  // TCP_CONGESTION set on every TCP socket the script creates (KernelOptions::congestion);
  // empty: the namespace's default (net.ipv4.tcp_congestion_control) is kept.
  std::string congestion;
};

[[noreturn]] void run_process_child(const ChildSetup& setup);

std::int64_t mono_ns();

}  // namespace tcpsim::kernel
