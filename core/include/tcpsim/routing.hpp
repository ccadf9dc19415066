// tcpsim — static routes over a scenario's links (`forward: true` hosts,
// scenarios/README.md "Routing and NAT"). Shared by the simulator (which
// forwards hop by hop), the loader (which refuses a connect() whose path needs
// a host that does not forward) and the kernel runner (which can write the
// same routes with `ip route`).
//
// A route is the shortest path in hops through the link graph; among paths of
// equal length the one found first by a breadth-first search that visits
// neighbours in host declaration order wins. Routes are static, like routes
// written with `ip route add`: a link going down does not reroute.
#pragma once

#include <cstdint>
#include <vector>

#include "tcpsim/scenario.hpp"

namespace tcpsim {

struct Routes {
  // next[a][b]: the host that host a hands a segment for host b to (host
  // indices in Scenario::hosts); b itself when a and b share a link; a when
  // a == b (loopback); -1 when no path joins them.
  std::vector<std::vector<int>> next;
  // The hosts a segment from `from` to `to` passes, both ends included,
  // following next[][] hop by hop; empty when no path joins them.
  std::vector<int> path(int from, int to) const;
};

Routes compute_routes(const Scenario& s);

// 127.0.0.0/8 (ipv4_is_loopback()).
inline bool is_loopback_ip(std::uint32_t ip) { return (ip >> 24) == 127; }

// The loopback device's one-way delay. Linux's lo has no link delay at all
// (loopback_xmit() hands the skb straight to netif_rx()); a segment still
// takes the softirq's few microseconds. tcpsim uses 10 us so that a send and
// its delivery are two instants in the trace (docs/model.md).
constexpr Time kLoopbackDelay = 10;

}  // namespace tcpsim
