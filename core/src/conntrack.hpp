// tcpsim — connection tracking for `nat:` hosts (forwarding.cpp): the Linux
// nf_conntrack TCP tracker reduced to what a NAT's memory of a flow needs.
//
// Read first: Linux net/netfilter/nf_conntrack_proto_tcp.c (tcp_conntracks[],
// the state table, and tcp_timeouts[]), net/netfilter/nf_nat_masquerade.c,
// net/netfilter/nf_nat_core.c (get_unique_tuple(): the source port is kept
// when the tuple it makes is free).
#pragma once

#include <cstdint>
#include <map>
#include <tuple>
#include <vector>

#include "tcpsim/scenario.hpp"

namespace tcpsim {

// Conntrack's TCP states (enum tcp_conntrack), the ones with a timeout sysctl.
enum class CtState : std::uint8_t { SynSent, SynRecv, Established, FinWait, CloseWait, LastAck, TimeWait, Close };
const char* ct_state_name(CtState s);  // Linux spelling: "SYN_SENT", "ESTABLISHED", ...
Time ct_timeout(const Sysctls& y, CtState s);

// One tracked flow: the original direction is inside host -> remote host.
struct CtFlow {
  std::uint32_t in_ip = 0, rem_ip = 0;   // inside host, remote host
  std::uint16_t in_port = 0, rem_port = 0;
  std::uint16_t nat_port = 0;            // source port after masquerading
  std::uint16_t in_host = 0;             // host index of the inside host
  std::uint16_t nat = 0;                 // index into Sim::nats
  CtState state = CtState::SynSent;
  std::uint8_t fin_dir = 0;              // 1: the first FIN came from the inside, 2: from the remote side
  bool live = true;                      // false once expired (kept for the drop reason)
  Time last = 0;                         // last packet
  Time expires = 0;
  Time next_check = 0;                   // the earliest expiry event queued for it (0 = none)
};

struct NatRt {
  std::uint16_t host = 0;
  NatPolicy policy = NatPolicy::Drop;
  std::vector<bool> inside;              // per host index
  // Live and expired flows by their original tuple (in ip, in port, remote ip,
  // remote port) and by the tuple a reply carries (nat port, remote ip,
  // remote port): ids (index + 1 into Sim::ct_flows).
  std::map<std::tuple<std::uint32_t, std::uint16_t, std::uint32_t, std::uint16_t>, std::uint32_t> by_orig;
  std::map<std::tuple<std::uint16_t, std::uint32_t, std::uint16_t>, std::uint32_t> by_reply;
};

}  // namespace tcpsim
