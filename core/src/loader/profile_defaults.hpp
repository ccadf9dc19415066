// tcpsim — the values a host starts from, by profile (docs/model.md, "The
// rfc9293 profile"). The loader applies them before the host's `sysctl:` and
// `time_wait:`; the writer compares against them, so a file written back
// states only what the scenario changed.
#pragma once

#include "tcpsim/scenario.hpp"

namespace tcpsim::loader {

// Deviation (Linux, TCP_TIMEWAIT_LEN): the linux profile's TIME_WAIT is 60 s
// (Sysctls::time_wait), where RFC 9293 §3.4.2 asks for 2·MSL with MSL = 2 minutes.
inline Sysctls profile_defaults(Profile p) {
  Sysctls y;
  if (p == Profile::Rfc9293) {
    y.time_wait = sec(240);          // 2MSL, MSL = 2 minutes (RFC 9293 §3.4.2)
    y.rto_min = sec(1);              // RFC 6298 (2.4): RTO at least 1 s
    y.tcp_syn_linear_timeouts = 0;   // RFC 6298 (5.5): SYN retries back off from the first
  }
  return y;
}

}  // namespace tcpsim::loader
