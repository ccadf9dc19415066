// tcpsim — running a packetdrill script with the model as the kernel under
// test (issue #16; `tcpsim packetdrill FILE.pkt`, docs/packetdrill.md).
//
// The model is the local host 192.168.0.1 (packetdrill's default local
// address); the script's `<` segments come from a scripted raw peer at
// 192.0.2.1, which runs no TCP and records what the model sends. Each
// outbound segment is checked against the next `>` line, each system call's
// return value and errno against its line, as packetdrill checks them
// (gtests/net/packetdrill/run_packet.c, run_system_call.c).
#pragma once

#include <string>
#include <vector>

#include "tcpsim/packetdrill.hpp"
#include "tcpsim/scenario.hpp"
#include "tcpsim/trace.hpp"

namespace tcpsim::packetdrill {

struct RunConfig {
  Profile profile = Profile::Linux;
  // packetdrill's --tolerance_usecs default; a script's own
  // --tolerance_usecs=N line overrides it.
  Time tolerance = 4000;
  bool verbose = false;  // log every event and segment (RunResult::log)
};

struct RunResult {
  enum class Status : std::uint8_t {
    Pass,         // every line held
    Mismatch,     // a segment, return value, errno or time differed (exit 1)
    Unsupported,  // the script needs something tcpsim does not model (exit 2)
  };
  Status status = Status::Pass;
  int exit_code() const { return status == Status::Pass ? 0 : status == Status::Mismatch ? 1 : 2; }
  // The first mismatch, as packetdrill words it: "file:line: error handling
  // packet: ..." then the script's and the model's packet, or "file:line:
  // runtime error in close call: Expected result 0 but got -1 with errno
  // 104 (Connection reset by peer)"; or why the script cannot run.
  std::string message;
  int line = 0;                   // the script line of the mismatch (0: none)
  Time at = 0;                    // virtual time of the mismatch
  std::vector<std::string> warnings;  // "file:line:col: warning: ..." (skipped shell/python, options not modelled)
  std::vector<std::string> log;       // with RunConfig::verbose: each line as it ran, each segment
  Trace trace;                        // the model's run (both hosts), for export or inspection
};

RunResult run_packetdrill(const Script& script, const RunConfig& config = {});

}  // namespace tcpsim::packetdrill
