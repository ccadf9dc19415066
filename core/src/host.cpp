// tcpsim — a host's kernel: demultiplexing by 4-tuple, listening sockets,
// ephemeral ports, and the RST for segments that match no socket
// (RFC 9293 §3.10.7.1). Crash and reboot.
#include <cerrno>

#include "sim.hpp"

namespace tcpsim {

int Sim::host_index(const std::string& name) const {
  for (std::size_t i = 0; i < hosts.size(); ++i)
    if (hosts[i].name == name) return static_cast<int>(i);
  return -1;
}

namespace {
std::uint64_t dest_key(std::uint32_t rip, std::uint16_t rport) {
  return (static_cast<std::uint64_t>(rip) << 16) | rport;
}
bool ephemeral(const HostRt& h, std::uint16_t port) { return port >= h.sys.port_lo && port <= h.sys.port_hi; }
}  // namespace

void Sim::hash_conn(Sock& s) {
  HostRt& h = hosts[s.host];
  const std::uint64_t key = conn_key(s.lport, s.rip, s.rport);
  if (!h.conns.contains(key) && ephemeral(h, s.lport)) ++h.dest_ports[dest_key(s.rip, s.rport)];
  h.conns.insert_or_assign(key, s.id);
  s.in_table = true;
}

void Sim::unhash(Sock& s) {
  if (!s.in_table) return;
  HostRt& h = hosts[s.host];
  if (h.conns.erase_if_value(conn_key(s.lport, s.rip, s.rport), s.id) && ephemeral(h, s.lport)) {
    auto it = h.dest_ports.find(dest_key(s.rip, s.rport));
    if (it != h.dest_ports.end() && --it->second == 0) h.dest_ports.erase(it);
  }
  s.in_table = false;
}

std::uint32_t Sim::lookup(std::uint16_t host, const Segment& seg) {
  auto& h = hosts[host];
  if (const std::uint32_t* id = h.conns.find(conn_key(seg.dport, seg.src_ip, seg.sport))) return *id;
  auto l = h.listeners.find(seg.dport);
  if (l != h.listeners.end()) return l->second;
  return 0;
}

// Ephemeral port for connect() (rip != 0) or an autobind (rip == 0).
// Linux __inet_hash_connect may share a local port among different
// destinations; a port is usable for (rip, rport) when that 4-tuple is
// free. A TIME_WAIT socket holding it may be reused when tcp_tw_reuse = 1,
// or = 2 (the default) for a loopback connection only, and it has been quiet
// for a second (tcp_twsk_unique(): with 2 it requires that the TIME_WAIT
// socket's source or destination address is in 127.0.0.0/8 —
// "ipv4_is_loopback(tw->tw_daddr) || ipv4_is_loopback(tw->tw_rcv_saddr)" —
// so a connection to the host's own ip, which also goes over lo, does not
// qualify).
// Deviation (tcpsim): ports are tried in order from a seeded offset, not with
// Linux's keyed hash (RFC 6056 algorithm 3); the kernel diff ignores ports.
int Sim::pick_port(std::uint16_t host, std::uint32_t rip, std::uint16_t rport, std::uint16_t* out) {
  HostRt& h = hosts[host];
  const std::uint32_t lo = h.sys.port_lo, hi = h.sys.port_hi;
  const std::uint32_t range = hi >= lo ? hi - lo + 1 : 1;
  if (h.port_cursor == 0) h.port_cursor = static_cast<std::uint32_t>(rng() % range) + 1;
  // Every port of the range already holds a connection to this destination:
  // no need to look at each (unless tcp_tw_reuse may take a TIME_WAIT one).
  const bool may_reuse = h.sys.tcp_tw_reuse == 1 || (h.sys.tcp_tw_reuse == 2 && is_loopback_ip(rip));
  if (rip != 0 && !may_reuse) {
    auto it = h.dest_ports.find(dest_key(rip, rport));
    if (it != h.dest_ports.end() && it->second >= range) return EADDRNOTAVAIL;
  }
  for (std::uint32_t n = 0; n < range; ++n) {
    const std::uint16_t port = static_cast<std::uint16_t>(lo + (h.port_cursor - 1 + n) % range);
    if (h.listeners.count(port) || h.bound.count(port)) continue;
    if (rip == 0) {
      // autobind: the port must be unused by any connection
      if (h.conns.any_of([port](std::uint64_t key, std::uint32_t) { return (key >> 48) == port; })) continue;
    } else {
      if (const std::uint32_t* id = h.conns.find(conn_key(port, rip, rport))) {
        Sock& old = sock(*id);
        const bool loopback = is_loopback_ip(old.rip) || is_loopback_ip(old.lip);
        const bool reuse = old.state == TcpState::TimeWait &&
                           (h.sys.tcp_tw_reuse == 1 || (h.sys.tcp_tw_reuse == 2 && loopback)) &&
                           now - old.last_rcv >= sec(1);
        if (!reuse) continue;
        fsm(old, FsmEvent::Discard,
            h.sys.tcp_tw_reuse == 1 ? "TIME_WAIT socket reused for a new connection (tcp_tw_reuse=1)"
                                    : "TIME_WAIT socket reused for a new loopback connection (tcp_tw_reuse=2)");
      }
    }
    h.port_cursor = (h.port_cursor - 1 + n + 1) % range + 1;
    *out = port;
    return 0;
  }
  return EADDRNOTAVAIL;
}

// The initial sequence number (RFC 9293 §3.4.1, RFC 6528): ISN = M + F(local
// address and port, remote address and port, secret), where M is a clock.
// Linux secure_tcp_seq(): a siphash of the 4-tuple keyed with the host's boot
// secret, plus ktime_get_real_ns() >> 6 (a 64 ns clock). So a new connection
// on a 4-tuple starts beyond everything the previous one sent, unless that one
// sent more than the clock advanced, and a SYN for a 4-tuple in TIME_WAIT
// reopens it (tcp_timewait_state_process, docs/kernel-facts.md §30). The
// secret comes from the scenario's seed: the same seed gives the same ISNs.
std::uint32_t Sim::new_iss(const Sock& s) {
  if (forced_iss) return forced_iss;
  auto it = pending_isn.find(s.id);
  if (it != pending_isn.end()) {
    const std::uint32_t v = it->second;
    pending_isn.erase(it);
    return v;
  }
  std::uint64_t x = (opt.seed ? *opt.seed : sc.seed) ^ 0x6a09e667f3bcc908ull;
  auto mix = [&x](std::uint64_t v) {
    x ^= v + 0x9e3779b97f4a7c15ull + (x << 6) + (x >> 2);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    x ^= x >> 31;
  };
  mix(hosts[s.host].ip);  // each host has its own secret (net_secret)
  mix(s.lip);
  mix(s.rip);
  mix((static_cast<std::uint64_t>(s.lport) << 16) | s.rport);
  const std::uint64_t clock = static_cast<std::uint64_t>(now) * 1000 / 64;  // now is in microseconds
  return static_cast<std::uint32_t>(x + clock);
}

// A segment reached this host (after the link).
void Sim::host_receive(std::uint16_t host, const Segment& seg) {
  if (static_cast<int>(host) == raw_host && raw_receive) {
    raw_receive(seg);
    return;
  }
  const std::uint32_t id = lookup(host, seg);
  if (!id) {
    // RFC 9293 §3.10.7.1: "all data in the incoming segment is discarded.
    // An incoming segment containing a RST is discarded. An incoming segment
    // not containing a RST causes a RST to be sent in response."
    if (seg.flags & kRst) {
      trace_note(host, nullptr, "RST for no socket: discarded");
      return;
    }
    send_reset_reply(host, seg, "no socket for this segment");
    return;
  }
  segment_arrives(sock(id), seg);
}

// Power loss: every socket and process of the host vanishes without a
// segment; the peers are left half-open.
void Sim::crash_host(std::uint16_t host) {
  HostRt& h = hosts[host];
  for (auto& p : procs)
    if (p.host == host && p.alive) kill_process(p, ProcOp::Crash, 0, "host crashed");
  for (auto& s : socks) {
    if (s.host != host || s.state == TcpState::Closed) continue;
    s.orphan = true;
    s.listening = false;
    fsm(s, FsmEvent::HostCrash, "state lost");
  }
  h.conns.clear();
  h.dest_ports.clear();
  h.listeners.clear();
  h.bound.clear();
  h.crashed = true;
}

void Sim::reboot_host(std::uint16_t host) {
  hosts[host].crashed = false;
  hosts[host].port_cursor = 0;
}

}  // namespace tcpsim
