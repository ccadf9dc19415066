// tcpsim::kernel — the records a scenario process sends to the runner.
// Each record is written with one write(2) of less than PIPE_BUF bytes to a
// pipe shared by every process, so records from concurrent processes and
// threads never interleave.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

namespace tcpsim::kernel {

enum class RecType : std::uint8_t {
  ProcStart = 1,  // a process began (name, parent_os_pid)
  Call = 2,       // a system call returned (call, args, ret, err, t_start, t_end, label, tuple)
  Signal = 3,     // SIGPIPE delivered: args = "killed" | "ignored"
  Exit = 4,       // the process calls exit(ret)
  Killed = 5,     // the process is about to die of signal ret
  Done = 6,       // the process's main script ended (the process lives on)
  Socket = 7,     // a socket's label and addresses (after bind/listen/connect/accept)
  Error = 8,      // the runner could not execute a step (args = message)
  Ready = 9,      // a scenario process is set up and waits for t0
};

struct Record {
  RecType type = RecType::Call;
  std::int32_t os_pid = 0;
  std::int32_t parent_os_pid = 0;
  std::int32_t err = 0;
  std::int64_t ret = 0;
  std::int64_t t_start = 0;   // CLOCK_MONOTONIC ns
  std::int64_t t_end = 0;
  std::uint32_t lip = 0, rip = 0;   // host byte order
  std::uint16_t lport = 0, rport = 0;
  char call[16] = {};
  char name[32] = {};         // process name
  char label[64] = {};        // socket label
  char args[128] = {};

  static void put(char* dst, std::size_t n, const std::string& s) {
    std::size_t k = s.size() < n - 1 ? s.size() : n - 1;
    std::memcpy(dst, s.data(), k);
    dst[k] = 0;
  }
};
static_assert(sizeof(Record) < 512, "a record must be written atomically");

}  // namespace tcpsim::kernel
