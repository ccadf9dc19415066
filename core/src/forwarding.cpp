// tcpsim — what happens between the TCPs when the path is more than one
// link: routers (`forward: true`), the loopback device, and NAT with
// connection tracking (`nat:`). network.cpp moves a segment over one link;
// this file decides where a segment goes next when it reaches a host that
// is not its destination, and what a NAT does to it.
//
// Read first: RFC 1812 §5.2 (forwarding), Linux net/ipv4/ip_forward.c,
// drivers/net/loopback.c (loopback_xmit()), net/netfilter/nf_conntrack_proto_tcp.c
// (tcp_conntracks[], tcp_timeouts[]), net/netfilter/nf_nat_masquerade.c and
// nf_nat_core.c (get_unique_tuple()). conntrack.hpp holds the NAT's tables.

#include "sim.hpp"

namespace tcpsim {

const char* ct_state_name(CtState s) {
  switch (s) {
    case CtState::SynSent: return "SYN_SENT";
    case CtState::SynRecv: return "SYN_RECV";
    case CtState::Established: return "ESTABLISHED";
    case CtState::FinWait: return "FIN_WAIT";
    case CtState::CloseWait: return "CLOSE_WAIT";
    case CtState::LastAck: return "LAST_ACK";
    case CtState::TimeWait: return "TIME_WAIT";
    case CtState::Close: return "CLOSE";
  }
  return "?";
}

Time ct_timeout(const Sysctls& y, CtState s) {
  switch (s) {
    case CtState::SynSent: return y.ct_syn_sent;
    case CtState::SynRecv: return y.ct_syn_recv;
    case CtState::Established: return y.ct_established;
    case CtState::FinWait: return y.ct_fin_wait;
    case CtState::CloseWait: return y.ct_close_wait;
    case CtState::LastAck: return y.ct_last_ack;
    case CtState::TimeWait: return y.ct_time_wait;
    case CtState::Close: return y.ct_close;
  }
  return y.ct_close;
}

namespace {
// The notes name a state, not its sysctl: the timeout of state X is
// net.netfilter.nf_conntrack_tcp_timeout_x (ct_timeout()), which the lessons name.
bool pure_syn(const Segment& g) { return (g.flags & kSyn) && !(g.flags & (kAck | kRst)); }
}  // namespace

void Sim::setup_forwarding() {
  routes = compute_routes(sc);
  nat_of.assign(hosts.size(), -1);
  for (std::size_t i = 0; i < sc.hosts.size() && i < hosts.size(); ++i) {
    if (!sc.hosts[i].nat) continue;
    NatRt n;
    n.host = static_cast<std::uint16_t>(i);
    n.policy = sc.hosts[i].nat->policy;
    n.inside.assign(hosts.size(), false);
    for (const std::string& name : sc.hosts[i].nat->inside)
      if (const int h = host_index(name); h >= 0) n.inside[h] = true;
    nat_of[i] = static_cast<std::int16_t>(nats.size());
    nats.push_back(std::move(n));
  }
}

int Sim::hop_for(std::uint16_t from, std::uint32_t dst_ip, int* dst) const {
  int owner = -1;
  if (is_loopback_ip(dst_ip)) {
    owner = from;  // 127.0.0.0/8 never leaves the host (ipv4_is_loopback())
  } else if (auto hit = host_by_ip.find(dst_ip); hit != host_by_ip.end()) {
    owner = hit->second;
  }
  if (dst) *dst = owner;
  if (owner < 0) return -1;
  if (owner == from) return from;  // the host's own address goes over lo too (local routing table)
  if (from >= routes.next.size()) return -1;
  return routes.next[from][owner];
}

// Linux loopback_xmit() hands the packet straight back to the receive path:
// no link, no loss, no queue. Segment rules and link faults act on links, so
// none applies here. The one-way time is kLoopbackDelay (routing.hpp).
void Sim::loopback_transmit(std::uint16_t host, const Segment& seg, std::uint32_t seg_id, bool retrans) {
  put_in_flight(seg, seg_id, host, retrans, now + kLoopbackDelay);
}

// A router passes a segment on: a new transmission on the next link, marked
// `forwarded` in the trace (the ladder draws one arrow per link).
void Sim::forward_segment(std::uint16_t host, const Segment& seg, bool retrans) {
  forwarding_ = true;
  transmit(host, seg, retrans, nullptr);
  forwarding_ = false;
}

bool Sim::route_arrived(const InFlight& f) {
  const std::uint16_t h = f.dst_host;
  const Segment& seg = f.seg;
  const HostRt& hr = hosts[h];
  const int ni = h < nat_of.size() ? nat_of[h] : -1;
  const bool local = seg.dst_ip == hr.ip || is_loopback_ip(seg.dst_ip);
  auto arrived = [&] {  // the segment reached the router (the end of one arrow)
    forwarding_ = true;
    trace_segment(SegOp::Deliver, seg, h, f.seg_id, f.retrans, "", nullptr);
    forwarding_ = false;
  };

  if (local) {
    if (ni < 0 || seg.dst_ip != hr.ip) return false;
    NatRt& n = nats[ni];
    // A reply to a masqueraded flow carries the NAT's address and port: turn
    // it back (nf_nat: the reply tuple) and pass it to the inside host.
    auto it = n.by_reply.find({seg.dport, seg.src_ip, seg.sport});
    if (it != n.by_reply.end() && ct_flows[it->second - 1].live) {
      CtFlow& c = ct_flows[it->second - 1];
      arrived();
      ct_update(c, it->second, false, seg);
      Segment out = seg;
      out.dst_ip = c.in_ip;
      out.dport = c.in_port;
      forward_segment(h, out, f.retrans);
      return true;
    }
    if (lookup(h, seg)) return false;  // one of the NAT host's own sockets
    std::string why = "conntrack on " + hr.name + " has no entry for " + endpoint_string(seg.src_ip, seg.sport) +
                      " > " + endpoint_string(seg.dst_ip, seg.dport);
    if (it != n.by_reply.end())
      why += " (it expired at " + format_time(ct_flows[it->second - 1].expires) + " s)";
    ct_refused(h, n, seg, f.seg_id, f.retrans, why);
    return true;
  }

  // Not for this host. RFC 1812 §5.2: a router forwards it; a host does not
  // (Linux ip_forward = 0: ip_route_input() finds no route and drops it).
  if (!sc.hosts[h].forward) {
    ++summary.segments_dropped;
    trace_segment(SegOp::Drop, seg, h, f.seg_id, f.retrans,
                  "host " + hr.name + " does not forward (forward: false): a segment for " + ip_string(seg.dst_ip),
                  nullptr);
    return true;
  }
  if (ni >= 0) {
    NatRt& n = nats[ni];
    const auto src = host_by_ip.find(seg.src_ip);
    const auto dst = host_by_ip.find(seg.dst_ip);
    const bool from_in = src != host_by_ip.end() && n.inside[src->second];
    const bool to_in = dst != host_by_ip.end() && n.inside[dst->second];
    if (from_in && !to_in) {
      // Masquerade (nf_nat_masquerade.c): the source becomes the NAT's
      // address; get_unique_tuple() keeps the port when no other flow to the
      // same destination uses it.
      const auto key = std::make_tuple(seg.src_ip, seg.sport, seg.dst_ip, seg.dport);
      auto it = n.by_orig.find(key);
      CtFlow* c = it != n.by_orig.end() ? &ct_flows[it->second - 1] : nullptr;
      std::uint32_t id = c ? it->second : 0;
      if (!c || !c->live) {
        if (!pure_syn(seg)) {
          // Short: a ladder writes it under the crossed arrow.
          const std::string why =
              c ? "the NAT forgot the flow at " + format_time(c->expires) + " s"
                : "conntrack on " + hr.name + " has no entry for " + endpoint_string(seg.src_ip, seg.sport) + " > " +
                      endpoint_string(seg.dst_ip, seg.dport);
          ct_refused(h, n, seg, f.seg_id, f.retrans, why);
          return true;
        }
        auto used = [&](std::uint16_t port) {
          auto r = n.by_reply.find({port, seg.dst_ip, seg.dport});
          return r != n.by_reply.end() && ct_flows[r->second - 1].live;
        };
        std::uint16_t port = seg.sport;
        for (std::uint32_t k = 0; used(port) && k < 64512; ++k)
          port = static_cast<std::uint16_t>(1024 + (seg.sport - 1024 + 1 + k) % 64512);
        CtFlow nc;
        nc.in_ip = seg.src_ip;
        nc.in_port = seg.sport;
        nc.rem_ip = seg.dst_ip;
        nc.rem_port = seg.dport;
        nc.nat_port = port;
        nc.in_host = src->second;
        nc.nat = static_cast<std::uint16_t>(ni);
        nc.state = CtState::SynSent;
        ct_flows.push_back(nc);
        id = static_cast<std::uint32_t>(ct_flows.size());
        c = &ct_flows.back();
        n.by_orig[key] = id;
        n.by_reply[{port, seg.dst_ip, seg.dport}] = id;
        arrived();
        ct_note(*c, "new flow, leaves as " + endpoint_string(hr.ip, c->nat_port) + " (SYN_SENT, idle timeout " +
                        format_duration(ct_timeout(hr.sys, CtState::SynSent)) + ")");
      } else {
        arrived();
      }
      ct_update(*c, id, true, seg);
      Segment out = seg;
      out.src_ip = hr.ip;
      out.sport = c->nat_port;
      forward_segment(h, out, f.retrans);
      return true;
    }
    if (to_in && !from_in) {
      // Only replies to the inside hosts' own flows come in (to the NAT's
      // address, above); a segment addressed to an inside host is a flow the
      // stateful firewall never saw.
      ct_refused(h, n, seg, f.seg_id, f.retrans,
                 "conntrack on " + hr.name + " has no entry for " + endpoint_string(seg.src_ip, seg.sport) + " > " +
                     endpoint_string(seg.dst_ip, seg.dport) + " (a flow from outside to an inside host)");
      return true;
    }
  }
  arrived();
  forward_segment(h, seg, f.retrans);
  return true;
}

// The NAT's policy for a segment of a flow it does not know: drop it, as a
// `--ctstate NEW ! --syn -j DROP` rule does, or answer RST to the sender, as
// `-j REJECT --reject-with tcp-reset` does (the RST carries the address the
// segment was sent to). Deviation (tcpsim): Linux conntrack alone, with
// nf_conntrack_tcp_loose = 1 (the default) and no such rule, would pick the
// flow up again mid-stream and forward it (docs/model.md).
void Sim::ct_refused(std::uint16_t host, const NatRt& n, const Segment& seg, std::uint32_t seg_id, bool retrans,
                     const std::string& why) {
  ++summary.segments_dropped;
  const bool rst = n.policy == NatPolicy::Rst;
  trace_segment(SegOp::Drop, seg, host, seg_id, retrans,
                why + (rst ? "; nat policy: rst" : "; nat policy: drop"), nullptr);
  if (rst) send_reset_reply(host, seg, "the NAT does not know the flow (nat policy: rst)");
}

// The state of a tracked flow after a segment (nf_conntrack_proto_tcp.c
// tcp_conntracks[], reduced to the rows a normal connection takes), and its
// new timeout. Deviation (tcpsim): Linux also tracks windows and sequence numbers
// (tcp_in_window()) and uses the shorter _unacknowledged/_max_retrans
// timeouts while data is outstanding; the model does not.
void Sim::ct_update(CtFlow& c, std::uint32_t id, bool from_inside, const Segment& seg) {
  const CtState old = c.state;
  const std::uint8_t dir = from_inside ? 1 : 2;
  const std::uint8_t fl = seg.flags;
  if (fl & kRst) {
    c.state = CtState::Close;
  } else if (pure_syn(seg)) {
    if (from_inside && (c.state == CtState::TimeWait || c.state == CtState::Close)) {
      c.state = CtState::SynSent;  // a new connection on the same tuple
      c.fin_dir = 0;
    }
  } else if ((fl & kSyn) && (fl & kAck)) {
    if (!from_inside && c.state == CtState::SynSent) c.state = CtState::SynRecv;
  } else {
    switch (c.state) {
      case CtState::SynRecv:
        if (from_inside && (fl & kAck)) c.state = CtState::Established;
        break;
      case CtState::Established:
        if (fl & kFin) {
          c.state = CtState::FinWait;
          c.fin_dir = dir;
        }
        break;
      case CtState::FinWait:
      case CtState::CloseWait:
        if (dir != c.fin_dir && (fl & kFin)) c.state = CtState::LastAck;
        else if (dir != c.fin_dir && c.state == CtState::FinWait && (fl & kAck)) c.state = CtState::CloseWait;
        break;
      case CtState::LastAck:
        if (dir == c.fin_dir && (fl & kAck)) c.state = CtState::TimeWait;
        break;
      default:
        break;
    }
  }
  const Time timeout = ct_timeout(hosts[nats[c.nat].host].sys, c.state);
  c.last = now;
  c.expires = now + timeout;
  if (c.state != old)
    ct_note(c, std::string(ct_state_name(old)) + " -> " + ct_state_name(c.state) + " (idle timeout " +
                   format_duration(timeout) + ")");
  // One expiry event per flow at a time: a later refresh is found when it
  // fires (conntrack_expire), an earlier deadline gets its own event.
  if (c.next_check == 0 || c.expires < c.next_check) {
    c.next_check = c.expires;
    ++ct_pending;
    schedule(c.expires, QConntrack, id);
  }
}

void Sim::conntrack_expire(std::uint32_t id, Time when) {
  if (id == 0 || id > ct_flows.size()) return;
  CtFlow& c = ct_flows[id - 1];
  if (!c.live || when != c.next_check) return;  // a stale event
  if (c.expires > when) {  // refreshed since: look again then
    c.next_check = c.expires;
    ++ct_pending;
    schedule(c.expires, QConntrack, id);
    return;
  }
  c.live = false;
  c.next_check = 0;
  ct_note(c, "the NAT forgot the flow, idle " + format_duration(when - c.last) + " (" +
                 ct_state_name(c.state) + ")");
}

void Sim::ct_note(const CtFlow& c, const std::string& what) {
  if (!ev(EventKind::Note)) return;
  const NatRt& n = nats[c.nat];
  // The news first: a ladder shows the start of a long note.
  trace_note(n.host, nullptr,
             "conntrack: " + what + "; flow " + endpoint_string(c.in_ip, c.in_port) + " > " +
                 endpoint_string(c.rem_ip, c.rem_port));
}

}  // namespace tcpsim
