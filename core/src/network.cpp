// tcpsim — links between hosts: serialisation at the link rate, one-way
// delay with jitter, random loss, duplication and reordering, and the
// scenario's scripted faults (drop/delay/duplicate a matching segment,
// link down/up, host crash/reboot).
#include <algorithm>

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

void Sim::transmit(std::uint16_t from, const Segment& seg0, bool retrans, const Sock* s) {
  Segment seg = seg0;
  const std::uint32_t seg_id = ++next_seg_id;
  ++summary.segments_sent;
  trace_segment(SegOp::Send, seg, from, seg_id, retrans, "", s);

  // Which host owns the destination address?
  int dst = -1;
  if (auto hit = host_by_ip.find(seg.dst_ip); hit != host_by_ip.end()) dst = hit->second;
  auto drop = [&](const std::string& why) {
    ++summary.segments_dropped;
    trace_segment(SegOp::Drop, seg, from, seg_id, retrans, why, s);
  };
  if (dst < 0) {
    drop("no route to " + ip_string(seg.dst_ip));
    return;
  }
  const int li = find_link(from, static_cast<std::uint16_t>(dst));
  if (li < 0) {
    drop("no link between " + hosts[from].name + " and " + hosts[dst].name);
    return;
  }
  LinkRt& link = links[li];

  // Scripted segment faults, in file order.
  Time extra_delay = 0;
  Time dup_delay = -1;
  for (std::size_t f = 0; f < sc.faults.size(); ++f) {
    const FaultSpec& fs = sc.faults[f];
    if (fs.kind != FaultKind::Drop && fs.kind != FaultKind::Delay && fs.kind != FaultKind::Duplicate)
      continue;
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

  auto put = [&](Time at) {
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
    f.dst_host = static_cast<std::uint16_t>(dst);
    f.retrans = retrans;
    f.used = true;
    schedule(at, QArrive, slot);
  };
  put(arrive);
  if (link.spec.duplicate > 0 && u(rng) < link.spec.duplicate) put(arrive + 1);
  if (dup_delay >= 0) put(arrive + std::max<Time>(dup_delay, 1));
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
  if (ev(EventKind::Segment) && (ev_kinds & TraceSink::kArrivals)) {  // the demux lookup only names the socket in the trace
    const std::uint32_t id = lookup(f.dst_host, f.seg);
    trace_segment(SegOp::Deliver, f.seg, f.dst_host, f.seg_id, f.retrans, "", id ? &sock(id) : nullptr);
  }
  host_receive(f.dst_host, f.seg);
}

void Sim::fault_at(std::uint32_t idx) {
  const FaultSpec& fs = sc.faults[idx];
  switch (fs.kind) {
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
    default:
      break;
  }
}

}  // namespace tcpsim
