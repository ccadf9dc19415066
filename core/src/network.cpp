// tcpsim — links between hosts: serialisation at the link rate, one-way
// delay with jitter, random loss, duplication and reordering, and the
// scenario's scripted faults (drop/delay/duplicate a matching segment,
// link down/up, host crash/reboot).
#include <algorithm>
#include <cstdio>

#include "loader/sysctl_members.hpp"
#include "sim.hpp"

namespace tcpsim {

int Sim::find_link(std::uint16_t a, std::uint16_t b) const { return link_of[a][b]; }

namespace {
bool matches(const SegmentMatch& m, const Segment& seg, const std::string& from_host) {
  if (!m.from.empty() && m.from != from_host) return false;
  if (m.flags && *m.flags != seg.flags) return false;
  if ((seg.flags & m.has) != m.has) return false;
  if (m.data && *m.data != (seg.len > 0)) return false;
  return true;
}
}  // namespace

void Sim::transmit(std::uint16_t from, const Segment& seg0, bool retrans, const Sock* s,
                   const std::string& injected) {
  Segment seg = seg0;
  const std::uint32_t seg_id = ++next_seg_id;
  if (!forwarding_) ++summary.segments_sent;  // a router passing a segment on sends no new one
  trace_segment(SegOp::Send, seg, from, seg_id, retrans, injected, s);

  // Which host owns the destination address, and which host is at the far
  // end of the link it crosses first (the destination, or a router on the
  // way: routing.hpp)?
  int dst = -1;
  const int hop = hop_for(from, seg.dst_ip, &dst);
  auto drop = [&](const std::string& why) {
    ++summary.segments_dropped;
    trace_segment(SegOp::Drop, seg, from, seg_id, retrans, why, s);
  };
  if (dst < 0) {
    drop("no route to " + ip_string(seg.dst_ip));
    return;
  }
  if (hop == from) {  // for this host itself: the loopback device, no link
    loopback_transmit(from, seg, seg_id, retrans);
    return;
  }
  const int li = hop < 0 ? -1 : find_link(from, static_cast<std::uint16_t>(hop));
  if (li < 0) {
    drop("no link between " + hosts[from].name + " and " + hosts[dst].name);
    return;
  }
  LinkRt& link = links[li];

  // Scripted segment faults, in file order.
  Time extra_delay = 0;
  Time dup_delay = -1;
  // (A crafted segment is the fault itself: the segment rules are for what TCPs send.)
  for (std::size_t f = 0; injected.empty() && f < sc.faults.size(); ++f) {
    const FaultSpec& fs = sc.faults[f];
    if (fs.kind != FaultKind::Drop && fs.kind != FaultKind::Delay && fs.kind != FaultKind::Duplicate)
      continue;
    // A rule acts on a segment once, on its first link: `from` names the
    // host whose TCP sent it, not a router passing it on.
    if (forwarding_) break;
    if (!matches(fs.match, seg, hosts[from].name)) continue;
    const int n = ++fault_matches[f];
    const bool hit = n >= fs.match.nth && (fs.match.count == 0 || n < fs.match.nth + fs.match.count);
    if (!hit) continue;
    // The rule's place in its file, by file name only: the same label on
    // every machine, and short enough for a ladder diagram.
    std::string where;
    if (!fs.label.empty()) {
      where = " (" + fs.label + ")";
    } else if (fs.loc.line) {
      const auto slash = fs.loc.file.rfind('/');
      where = " (" + (slash == std::string::npos ? fs.loc.file : fs.loc.file.substr(slash + 1)) + ":" +
              std::to_string(fs.loc.line) + ")";
    }
    if (fs.kind == FaultKind::Drop) {
      drop("the scenario's fault rule" + where);
      return;
    }
    if (fs.kind == FaultKind::Delay) {
      extra_delay += fs.delay;
      trace_note(from, s, "segment held back " + format_duration(fs.delay) + " by a fault rule" + where);
    }
    if (fs.kind == FaultKind::Duplicate) dup_delay = fs.delay;
  }
  if (link.down) {
    drop("link down");
    return;
  }
  std::uniform_real_distribution<double> u(0.0, 1.0);
  if (link.spec.loss > 0 && u(rng) < link.spec.loss) {
    drop("random loss on the link");
    return;
  }
  const int dir = from == link.a ? 0 : 1;
  Time depart = now;
  if (link.spec.rate_bps > 0) {
    // Serialisation: IPv4 (20) + TCP (20) headers + payload.
    const std::uint64_t bits = (40ull + seg.len) * 8ull;
    const Time tx = static_cast<Time>((bits * 1000000ull + link.spec.rate_bps - 1) / link.spec.rate_bps);
    depart = std::max(now, link.busy_until[dir]) + tx;
    link.busy_until[dir] = depart;
  }
  Time arrive = depart + link.spec.delay + extra_delay;
  if (link.spec.jitter > 0) {
    std::uniform_int_distribution<Time> j(0, link.spec.jitter);
    arrive += j(rng);
  }
  if (link.spec.reorder > 0 && u(rng) < link.spec.reorder) arrive += link.spec.reorder_gap;

  // To the link's far end: a router or the destination.
  auto put = [&](Time at) { put_in_flight(seg, seg_id, static_cast<std::uint16_t>(hop), retrans, at); };
  put(arrive);
  if (link.spec.duplicate > 0 && u(rng) < link.spec.duplicate) put(arrive + 1);
  if (dup_delay >= 0) put(arrive + std::max<Time>(dup_delay, 1));
}

void Sim::put_in_flight(const Segment& seg, std::uint32_t seg_id, std::uint16_t dst_host, bool retrans, Time at) {
  std::uint32_t slot;
  if (!inflight_free.empty()) {
    slot = inflight_free.back();
    inflight_free.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(inflight.size());
    inflight.emplace_back();
  }
  InFlight& f = inflight[slot];
  f.seg = seg;
  f.seg_id = seg_id;
  f.dst_host = dst_host;
  f.retrans = retrans;
  f.used = true;
  schedule(at, QArrive, slot);
}

void Sim::deliver(std::uint32_t slot) {
  InFlight f = inflight[slot];
  inflight[slot].used = false;
  inflight_free.push_back(slot);
  if (hosts[f.dst_host].crashed) {
    ++summary.segments_dropped;
    trace_segment(SegOp::Drop, f.seg, f.dst_host, f.seg_id, f.retrans, "host " + hosts[f.dst_host].name + " is down", nullptr);
    return;
  }
  if (route_arrived(f)) return;  // a router's or a NAT's (forwarding.cpp)
  if (ev(EventKind::Segment) && (ev_kinds & TraceSink::kArrivals)) {  // the demux lookup only names the socket in the trace
    const std::uint32_t id = lookup(f.dst_host, f.seg);
    trace_segment(SegOp::Deliver, f.seg, f.dst_host, f.seg_id, f.retrans, "", id ? &sock(id) : nullptr);
  }
  host_receive(f.dst_host, f.seg);
}

void Sim::fault_at(std::uint32_t idx) {
  const FaultSpec& fs = sc.faults[idx];
  switch (fs.kind) {
    case FaultKind::Sysctl: {
      // A write to /proc/sys: later reads of the sysctl see the new value
      // (Linux reads most TCP sysctls when it uses them; timers already
      // armed keep their deadlines).
      const int h = host_index(fs.host);
      if (h < 0) break;
      Sysctls& y = hosts[h].sys;
      std::string what;
      for (const auto& [name, value] : fs.sysctls) {
        if (name == "net.ipv4.ip_local_port_range") {
          unsigned lo = 0, hi = 0;
          if (std::sscanf(value.c_str(), "%u %u", &lo, &hi) == 2) {
            y.port_lo = static_cast<std::uint16_t>(lo);
            y.port_hi = static_cast<std::uint16_t>(hi);
          }
        }
        for (const auto& m : sysctl_members()) {
          if (name != m.name) continue;
          if (m.i) y.*(m.i) = static_cast<int>(std::stoll(value));
          if (m.t) y.*(m.t) = sec(std::stoll(value));
        }
        what += (what.empty() ? "" : ", ") + name + " = " + value;
      }
      trace_fault(static_cast<std::uint16_t>(h), "sysctl", fs.host + " writes sysctl " + what);
      break;
    }
    case FaultKind::LinkDown:
    case FaultKind::LinkUp: {
      const bool down = fs.kind == FaultKind::LinkDown;
      for (auto& l : links) {
        if (!fs.link_a.empty()) {
          const std::string& a = hosts[l.a].name;
          const std::string& b = hosts[l.b].name;
          if (!((a == fs.link_a && b == fs.link_b) || (a == fs.link_b && b == fs.link_a))) continue;
        }
        l.down = down;
      }
      trace_fault(0, down ? "link_down" : "link_up",
                  fs.link_a.empty() ? "all links" : fs.link_a + " <-> " + fs.link_b);
      break;
    }
    case FaultKind::Crash: {
      const int h = host_index(fs.host);
      trace_fault(static_cast<std::uint16_t>(h), "crash", fs.host + " loses power: all TCP state is gone");
      crash_host(static_cast<std::uint16_t>(h));
      break;
    }
    case FaultKind::Reboot: {
      const int h = host_index(fs.host);
      trace_fault(static_cast<std::uint16_t>(h), "reboot", fs.host + " is back, with no connections");
      reboot_host(static_cast<std::uint16_t>(h));
      break;
    }
    case FaultKind::Inject:
      inject_segment(fs);
      break;
    default:
      break;
  }
}

// `inject:` — a segment no TCP sent: an off-path attacker's guess (RFC 5961
// §1: "blind" RST and SYN attacks) or a stale copy, addressed to an existing
// socket. Its numbers are taken from that socket's TCB now, so a scenario
// can say "exactly RCV.NXT" or "1000 bytes into the window". By default it
// carries the connection's peer address and port (spoofed), and leaves from
// the peer's host over the peer's link; the receiving TCP cannot tell it
// from a real segment.
void Sim::inject_segment(const FaultSpec& fs) {
  const InjectSpec& in = fs.inject;
  auto it = sock_by_label.find(in.to);
  const int from_named = in.from.empty() ? -1 : host_index(in.from);
  Sock* s = it == sock_by_label.end() ? nullptr : sock_if(it->second);  // nullptr: not yet, or destroyed
  if (!s || !s->rport || s->state == TcpState::Closed || s->state == TcpState::Listen) {
    trace_fault(from_named >= 0 ? static_cast<std::uint16_t>(from_named) : 0, "inject",
                "nothing injected: " + in.to +
                    (s ? " is not connected" : it == sock_by_label.end() ? " does not exist yet" : " is gone"));
    return;
  }
  int from = from_named;
  if (from < 0) {
    auto h = host_by_ip.find(s->rip);
    from = h == host_by_ip.end() ? s->host : h->second;
  }
  auto value = [&](const SeqRef& r) -> std::uint32_t {
    std::uint32_t base = 0;
    switch (r.base) {
      case SeqRef::Base::Number: base = 0; break;
      case SeqRef::Base::RcvNxt: base = s->rcv_nxt; break;
      case SeqRef::Base::SndNxt: base = s->snd_nxt; break;
      case SeqRef::Base::SndUna: base = s->snd_una; break;
    }
    return base + static_cast<std::uint32_t>(r.offset);  // modulo 2^32
  };
  Segment seg;
  seg.src_ip = in.spoof ? s->rip : hosts[from].ip;
  seg.sport = s->rport;
  seg.dst_ip = s->lip;
  seg.dport = s->lport;
  seg.flags = in.flags;
  seg.seq = value(in.seq);
  seg.ack = value(in.ack);
  seg.len = in.len;
  // The window the peer last advertised, as the peer would write it.
  seg.win = in.win ? *in.win : static_cast<std::uint16_t>(std::min<std::uint32_t>(s->snd_wnd, 65535));
  const std::string who = in.spoof ? "spoofed as " + endpoint_string(s->rip, s->rport)
                                   : "from " + endpoint_string(seg.src_ip, seg.sport);
  trace_fault(static_cast<std::uint16_t>(from), "inject",
              "crafted " + flags_string(seg.flags) + " → " + in.to + " (" + who + ")");
  transmit(static_cast<std::uint16_t>(from), seg, false, nullptr, "injected, " + who);
}

}  // namespace tcpsim
