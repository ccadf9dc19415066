// tcpsim::kernel — plays a packetdrill script against the REAL Linux TCP of
// this machine (issue #16 point 4; `tcpsim packetdrill FILE --kernel`).
//
// As packetdrill does in its local mode (gtests/net/packetdrill/run.c,
// run_packet.c, run_system_call.c, netdev.c):
//  - a network namespace of our own ("tcpsim-pd-<pid>-<n>") with a TUN
//    device carrying the local address 192.168.0.1 and a route to the
//    remote 192.0.2.0/24 through it; IPv6 off, so nothing else is on it;
//  - the script's system calls run as real calls on sockets made in that
//    namespace (each call in its own thread, so a blocking call blocks while
//    the script goes on), at their times; script descriptor numbers are
//    mapped to the live ones;
//  - `<` segments are crafted (IPv4 + TCP + options, checksums) and written
//    into the TUN device at their times; sequence numbers as written,
//    acknowledgement numbers offset by the kernel's ISN (learned from its
//    first SYN or SYN-ACK), as packetdrill's map_inbound_packet();
//  - segments the kernel sends are read from the TUN device and checked
//    against the `>` lines in order (flags, seq and ack relative to the
//    ISNs, window and options when given, payload length, time within the
//    tolerance), as verify_outbound_live_packet();
//  - `sysctl -q NAME=VALUE` shell lines are applied inside the namespace.
// The namespace (and with it every socket and the TUN device) is removed
// afterwards, also on failure. Nothing leaves the namespace.
#pragma once

#include <string>
#include <vector>

#include "tcpsim/packetdrill.hpp"
#include "tcpsim/types.hpp"

namespace tcpsim::kernel {

struct PktKernelOptions {
  // packetdrill's --tolerance_usecs default; a script's own
  // --tolerance_usecs=N line overrides it.
  Time tolerance = 4000;
  bool verbose = false;  // log every event and segment (PktKernelResult::log)
};

struct PktKernelResult {
  enum class Status : std::uint8_t {
    Pass,         // every line held on the kernel
    Mismatch,     // a segment, return value, errno or time differed (exit 1)
    Unsupported,  // the script needs something the player cannot do (exit 2)
    Unavailable,  // this machine cannot run it (not root, no netns/TUN) or setup failed (exit 3)
  };
  Status status = Status::Pass;
  int exit_code() const {
    return status == Status::Pass ? 0 : status == Status::Mismatch ? 1 : status == Status::Unsupported ? 2 : 3;
  }
  // The first mismatch as packetdrill words it ("file:line: error handling
  // packet: live packet field tcp_ack_seq: expected: 1 vs actual: 2" and the
  // script's and the actual packet), or why it could not run.
  std::string message;
  int line = 0;
  std::vector<std::string> warnings;  // skipped shell/python lines, options
  std::vector<std::string> log;       // verbose: each line as it ran, each segment
  // "" when nothing took the CPU from the run; else what StallWatch saw
  // (stall_watch.hpp). A timing miss in a disturbed run is the machine's.
  std::string disturbed;
};

// "" when this machine can play scripts on its kernel (root, `ip netns`,
// /dev/net/tun); otherwise the reason it cannot.
std::string pkt_kernel_unavailable_reason();

PktKernelResult play_on_kernel(const packetdrill::Script& script, const PktKernelOptions& options = {});

}  // namespace tcpsim::kernel
