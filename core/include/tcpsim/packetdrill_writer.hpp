// tcpsim — writes one host's side of a scenario run as a packetdrill script
// (issue #16, point 3): `tcpsim export F --packetdrill HOST:out.pkt`.
//
// The host under test is the packetdrill "local" side: its process's calls
// become system call lines (`+0 close(4) = 0`, errors as
// `= -1 ECONNRESET (Connection reset by peer)`), the segments delivered to it
// become `<` lines at the time they arrived, and the segments it sent become
// `>` lines at the time they left, with sequence numbers relative to each
// side's ISN as packetdrill counts them. Sysctls the scenario set on the
// host become `sysctl -q` shell lines. docs/packetdrill.md says what is
// refused and why.
#pragma once

#include <string>

#include "tcpsim/scenario.hpp"
#include "tcpsim/trace.hpp"

namespace tcpsim::packetdrill {

struct WriteResult {
  bool ok = false;
  std::string script;  // the .pkt text (when ok)
  std::string error;   // why this host's side cannot be written (when !ok)
};

struct WriteOptions {
  // Write the host's own segments (`>` lines) without `win` and with
  // `<...>` (options not checked) on its SYNs, so that the script can be
  // played on a real kernel (`tcpsim packetdrill --kernel`): the model's
  // windows assume the TCP timestamps and window scaling Linux negotiates
  // with a Linux peer, which the script's peer (`<mss N>` only) does not offer.
  bool for_kernel = false;
};

// `trace` is the run of `scenario` (run_scenario()). Refuses, with the
// reason, when the host's side is not one process with one connection (a
// listener and the one connection it accepts count as one), or uses what a
// packetdrill script cannot express (fork, dup, exec, threads, epoll loops,
// a crash of the host, model-only settings such as the TIME_WAIT length).
WriteResult write_packetdrill(const Scenario& scenario, const Trace& trace,
                              const std::string& host, const WriteOptions& options = {});

}  // namespace tcpsim::packetdrill
