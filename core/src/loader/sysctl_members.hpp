// tcpsim — the Linux sysctls that set one Sysctls member each (a count, or a
// time in seconds), as the loader reads them (loader.cpp sysctl_defs()).
// Shared by the scenario writer (writer.cpp) and the packetdrill runner's
// `sysctl -q` lines (packetdrill/run.cpp), so that the two cannot drift.
#pragma once

#include <vector>

#include "tcpsim/scenario.hpp"

namespace tcpsim {

struct SysctlMember {
  const char* name;
  int Sysctls::*i;   // a count, or nullptr
  Time Sysctls::*t;  // seconds, or nullptr
};

inline const std::vector<SysctlMember>& sysctl_members() {
  static const std::vector<SysctlMember> d = {
      {"net.ipv4.tcp_fin_timeout", nullptr, &Sysctls::tcp_fin_timeout},
      {"net.ipv4.tcp_syn_retries", &Sysctls::tcp_syn_retries, nullptr},
      {"net.ipv4.tcp_synack_retries", &Sysctls::tcp_synack_retries, nullptr},
      {"net.ipv4.tcp_retries2", &Sysctls::tcp_retries2, nullptr},
      {"net.ipv4.tcp_orphan_retries", &Sysctls::tcp_orphan_retries, nullptr},
      {"net.ipv4.tcp_syn_linear_timeouts", &Sysctls::tcp_syn_linear_timeouts, nullptr},
      {"net.ipv4.tcp_tw_reuse", &Sysctls::tcp_tw_reuse, nullptr},
      {"net.ipv4.tcp_max_tw_buckets", &Sysctls::tcp_max_tw_buckets, nullptr},
      {"net.ipv4.tcp_keepalive_time", nullptr, &Sysctls::tcp_keepalive_time},
      {"net.ipv4.tcp_keepalive_intvl", nullptr, &Sysctls::tcp_keepalive_intvl},
      {"net.ipv4.tcp_keepalive_probes", &Sysctls::tcp_keepalive_probes, nullptr},
      {"net.ipv4.tcp_rfc1337", &Sysctls::tcp_rfc1337, nullptr},
      {"net.ipv4.tcp_abort_on_overflow", &Sysctls::tcp_abort_on_overflow, nullptr},
      {"net.ipv4.tcp_syncookies", &Sysctls::tcp_syncookies, nullptr},
      {"net.core.somaxconn", &Sysctls::somaxconn, nullptr},
      {"net.netfilter.nf_conntrack_tcp_timeout_established", nullptr, &Sysctls::ct_established},
      {"net.netfilter.nf_conntrack_tcp_timeout_syn_sent", nullptr, &Sysctls::ct_syn_sent},
      {"net.netfilter.nf_conntrack_tcp_timeout_syn_recv", nullptr, &Sysctls::ct_syn_recv},
      {"net.netfilter.nf_conntrack_tcp_timeout_fin_wait", nullptr, &Sysctls::ct_fin_wait},
      {"net.netfilter.nf_conntrack_tcp_timeout_close_wait", nullptr, &Sysctls::ct_close_wait},
      {"net.netfilter.nf_conntrack_tcp_timeout_last_ack", nullptr, &Sysctls::ct_last_ack},
      {"net.netfilter.nf_conntrack_tcp_timeout_time_wait", nullptr, &Sysctls::ct_time_wait},
      {"net.netfilter.nf_conntrack_tcp_timeout_close", nullptr, &Sysctls::ct_close},
  };
  return d;
}

}  // namespace tcpsim
