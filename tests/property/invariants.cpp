// tcpsim property tests — the invariant checker (see invariants.hpp).
#include "invariants.hpp"

#include <algorithm>
#include <sstream>
#include <tuple>

#include "tcpsim/fsm_table.hpp"
#include "tcpsim/seq.hpp"

namespace tcpsim::prop {

namespace {
bool starts_with(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }
bool synchronized(TcpState s) {
  switch (s) {
    case TcpState::Closed:
    case TcpState::Listen:
    case TcpState::SynSent:
      return false;
    default:
      return true;
  }
}
}  // namespace

InvariantChecker::InvariantChecker(const Scenario& sc) : sc_(sc) {}

void InvariantChecker::on_process(const ProcessInfo& p) {
  if (static_cast<std::size_t>(p.pid) > meta_.processes.size()) meta_.processes.resize(p.pid);
  meta_.processes[p.pid - 1] = p;
}

void InvariantChecker::on_socket(const SocketInfo& s) {
  if (s.id > meta_.sockets.size()) meta_.sockets.resize(s.id);
  meta_.sockets[s.id - 1] = s;
}

std::string InvariantChecker::label(std::uint32_t sock) const {
  const SocketInfo* si = meta_.socket(sock);
  if (!si) return "socket " + std::to_string(sock);
  return si->label.empty() ? "socket " + std::to_string(sock) : si->label;
}

void InvariantChecker::fail(const std::string& inv, const Event& e, const std::string& what) {
  if (v_.size() >= 20) return;
  std::ostringstream o;
  o << "t=" << format_time(e.t);
  if (e.sock) o << " " << label(e.sock) << " (" << socket_string(e) << ")";
  o << ": " << what;
  v_.push_back({inv, o.str()});
}

std::pair<std::uint64_t, std::uint64_t> InvariantChecker::pair_key(std::uint32_t ip1, std::uint16_t p1,
                                                                   std::uint32_t ip2, std::uint16_t p2) {
  const std::uint64_t a = (static_cast<std::uint64_t>(ip1) << 16) | p1;
  const std::uint64_t b = (static_cast<std::uint64_t>(ip2) << 16) | p2;
  return a < b ? std::make_pair(a, b) : std::make_pair(b, a);
}

InvariantChecker::Track& InvariantChecker::track(const Event& e) {
  Track& k = t_[e.sock];
  k.host = e.host;
  if (e.lport && e.rport) {
    k.lip = e.lip;
    k.lport = e.lport;
    k.rip = e.rip;
    k.rport = e.rport;
  }
  return k;
}

void InvariantChecker::on_event(const Event& e) {
  // RSTs on the wire, whoever sent them (a reply for no socket has no sock).
  if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send && (e.seg.flags & kRst))
    reset_pairs_.insert(pair_key(e.seg.src_ip, e.seg.sport, e.seg.dst_ip, e.seg.dport));
  if (e.kind == EventKind::Note && e.text.rfind("ACK for data not yet sent", 0) == 0) ++ack_not_sent_;
  if (!e.sock) return;
  Track& k = track(e);
  const HostSpec& hs = sc_.hosts.at(e.host);

  switch (e.kind) {
    case EventKind::State: {
      // I1: a row of the table, from the state the socket was in.
      if (!fsm_has_row(e.from, e.to))
        fail("I1", e, std::string("state change ") + state_name(e.from) + " -> " + state_name(e.to) +
                          " (" + e.text + ") is not a row of the transition table");
      if (k.has_state && k.state != e.from)
        fail("I1", e, std::string("state change from ") + state_name(e.from) + " but the socket was in " +
                          state_name(k.state));
      // I5: leaving TIME_WAIT / orphaned FIN_WAIT_2 by their timers.
      if (e.from == TcpState::TimeWait && starts_with(e.text, "2MSL timeout")) {
        const Time tw = hs.sysctls.time_wait;
        if (k.tw_armed < 0)
          fail("I5", e, "left TIME_WAIT by its timer, but the timer was never armed");
        else if (e.t != k.tw_deadline || e.t - k.tw_armed != tw)
          fail("I5", e, "TIME_WAIT timer fired " + format_duration(e.t - k.tw_armed) +
                            " after it was last armed, expected 2MSL = " + format_duration(tw));
        if (e.t - k.entered < tw)
          fail("I5", e, "TIME_WAIT lasted " + format_duration(e.t - k.entered) + ", less than 2MSL = " +
                            format_duration(tw));
      }
      if (e.from == TcpState::FinWait2 && starts_with(e.text, "tcp_fin_timeout")) {
        const Time ft = k.fw2_len;
        if (e.has_tcb && !e.tcb.orphan)
          fail("I5", e, "FIN_WAIT_2 timed out on a socket a process still holds (shutdown without close)");
        if (k.fw2_armed < 0 || e.t - k.fw2_armed != ft)
          fail("I5", e, "orphaned FIN_WAIT_2 ended " +
                            (k.fw2_armed < 0 ? std::string("without its timer armed")
                                             : format_duration(e.t - k.fw2_armed) + " after its timer was armed") +
                            ", expected max(tcp_fin_timeout, 3.5 RTO) = " + format_duration(ft));
      }
      if (e.text.find("rcv FIN") != std::string::npos) k.fin_rcvd = true;
      if (e.to == TcpState::Closed && e.from != TcpState::Listen && !starts_with(e.text, "2MSL timeout") &&
          !starts_with(e.text, "rcv ACK of FIN") && !starts_with(e.text, "tcp_fin_timeout"))
        k.unclean = true;
      k.has_state = true;
      k.state = e.to;
      k.entered = e.t;
      break;
    }
    case EventKind::Timer: {
      if (e.timer_op != TimerOp::Arm) break;
      if (e.timer == TimerKind::TimeWait) {
        if (e.deadline - e.t != hs.sysctls.time_wait)
          fail("I5", e, "TIME_WAIT timer armed for " + format_duration(e.deadline - e.t) + ", expected 2MSL = " +
                            format_duration(hs.sysctls.time_wait));
        k.tw_armed = e.t;
        k.tw_deadline = e.deadline;
      }
      if (e.timer == TimerKind::FinWait2) {
        if (e.has_tcb && (!e.tcb.orphan || e.tcb.state != TcpState::FinWait2))
          fail("I5", e, std::string("FIN_WAIT_2 timer armed on a ") + (e.tcb.orphan ? "" : "non-orphaned ") +
                            "socket in " + state_name(e.tcb.state) +
                            " (tcp_fin_timeout applies only to orphans in FIN_WAIT_2)");
        // tcp_fin_time(): tcp_fin_timeout, but at least 3.5 RTO (kernel-facts §26).
        const Time rto = e.has_tcb && e.tcb.rto ? static_cast<Time>(e.tcb.rto) : hs.sysctls.rto_initial;
        const Time want = std::max(hs.sysctls.tcp_fin_timeout, rto * 4 - rto / 2);
        if (e.deadline - e.t != want)
          fail("I5", e, "FIN_WAIT_2 timer armed for " + format_duration(e.deadline - e.t) +
                            ", expected max(tcp_fin_timeout, 3.5 RTO) = " + format_duration(want));
        k.fw2_armed = e.t;
        k.fw2_len = e.deadline - e.t;
      }
      break;
    }
    case EventKind::Call: {
      if (e.call == "send" && e.ret > 0) k.sent += static_cast<std::uint64_t>(e.ret);
      if (e.call == "recv") {
        if (e.ret > 0) k.read += static_cast<std::uint64_t>(e.ret);
        if (e.ret == 0 && e.err == 0) (k.fin_rcvd ? k.eof_after_fin : k.eof_early) = true;
      }
      break;
    }
    default:
      break;
  }

  // I2: sequence-space sanity from the TCB snapshot after the event.
  if (e.has_tcb && e.tcb.state != TcpState::Listen) {
    const TcbSnapshot& b = e.tcb;
    if (!seq_le(b.snd_una, b.snd_nxt)) {
      std::ostringstream o;
      o << "SND.UNA " << b.snd_una << " > SND.NXT " << b.snd_nxt << " in " << state_name(b.state);
      fail("I2", e, o.str());
    }
    if (b.state != TcpState::Closed) {
      if (k.una_known && !seq_ge(b.snd_una, k.snd_una)) {
        std::ostringstream o;
        o << "SND.UNA went back from " << k.snd_una << " to " << b.snd_una;
        fail("I2", e, o.str());
      }
      k.una_known = true;
      k.snd_una = b.snd_una;
    }
    if (k.synced && !seq_ge(b.rcv_nxt, k.rcv_nxt)) {
      std::ostringstream o;
      o << "RCV.NXT went back from " << k.rcv_nxt << " to " << b.rcv_nxt << " in " << state_name(b.state);
      fail("I2", e, o.str());
    }
    if (k.synced || synchronized(b.state)) {
      k.synced = true;
      k.rcv_nxt = b.rcv_nxt;
    }
  }
}

void InvariantChecker::finish(const Simulation& sim) {
  Event none;
  // I4: what is left once the event queue is empty (no timer is pending).
  std::map<std::string, Simulation::SocketView> by_label;
  std::vector<Simulation::SocketView> all;
  sim.for_each_socket([&](const Simulation::SocketView& v) {
    all.push_back(v);
    const SocketInfo* si = meta_.socket(v.id);
    if (si && !si->label.empty()) by_label.emplace(si->label, v);
  });
  for (const auto& v : all) {
    Event e;
    e.t = sim.now();
    e.sock = v.id;
    auto it = t_.find(v.id);
    if (it != t_.end()) {
      e.lip = it->second.lip;
      e.lport = it->second.lport;
      e.rip = it->second.rip;
      e.rport = it->second.rport;
    }
    const TcpState st = v.tcb.state;
    const bool held = v.fd_refs > 0;
    switch (st) {
      case TcpState::Closed:
        break;
      case TcpState::Listen:
        if (!v.listening || !held) fail("I4", e, "left in LISTEN with no process holding it");
        break;
      case TcpState::Established:
      case TcpState::CloseWait: {
        if (held) break;  // a process keeps it (the CLOSE_WAIT leak is on purpose)
        // Reason: a connection waiting in the accept queue of a listener a
        // process still holds (never accepted).
        const SocketInfo* si = meta_.socket(v.id);
        bool queued = false;
        if (si && si->pid == 0) {
          const auto tilde = si->label.find('~');
          if (tilde != std::string::npos) {
            auto l = by_label.find(si->label.substr(0, tilde));
            queued = l != by_label.end() && l->second.listening && l->second.fd_refs > 0;
          }
        }
        if (!queued)
          fail("I4", e, std::string("left in ") + state_name(st) + " with no process holding it");
        break;
      }
      case TcpState::FinWait2:
        if (!held)
          fail("I4", e, std::string("orphaned FIN_WAIT_2 still there after every timer ran (tcp_fin_timeout should end it)") +
                            (v.tcb.orphan ? "" : "; not marked orphan although no descriptor refers to it"));
        break;
      case TcpState::FinWait1:
      case TcpState::Closing:
      case TcpState::LastAck:
        // Reason: the peer's window is closed and a process holds the socket;
        // Linux would sit there too (persist probes answered forever).
        if (held && v.tcb.snd_wnd == 0) break;
        fail("I4", e, std::string("stuck in ") + state_name(st) + (held ? " (held)" : " (orphan)") +
                          " with no timer left to move it" + (v.tcb.snd_wnd == 0 ? " (peer window 0)" : ""));
        break;
      default:
        fail("I4", e, std::string("stuck in ") + state_name(st) + (held ? " (held)" : " (orphan)") +
                          " with no timer left to move it");
        break;
    }
  }

  // I3: bytes read = bytes written, per direction, when the direction ended
  // with a FIN that the reader saw and no RST or abort touched the connection.
  std::map<std::tuple<std::uint32_t, std::uint16_t, std::uint32_t, std::uint16_t>, std::vector<std::uint32_t>> by_tuple;
  for (const auto& kv : t_)
    if (kv.second.lport && kv.second.rport)
      by_tuple[{kv.second.lip, kv.second.lport, kv.second.rip, kv.second.rport}].push_back(kv.first);
  for (const auto& kv : t_) {
    const Track& rcv = kv.second;
    if (!rcv.lport || !rcv.rport || !rcv.eof_after_fin || rcv.eof_early || rcv.unclean) continue;
    if (reset_pairs_.count(pair_key(rcv.lip, rcv.lport, rcv.rip, rcv.rport))) continue;
    auto peer = by_tuple.find({rcv.rip, rcv.rport, rcv.lip, rcv.lport});
    auto self = by_tuple.find({rcv.lip, rcv.lport, rcv.rip, rcv.rport});
    if (peer == by_tuple.end() || peer->second.size() != 1 || self->second.size() != 1) continue;
    const Track& snd = t_.at(peer->second.front());
    if (snd.unclean) continue;
    if (rcv.read != snd.sent) {
      Event e;
      e.t = sim.now();
      e.sock = kv.first;
      e.lip = rcv.lip;
      e.lport = rcv.lport;
      e.rip = rcv.rip;
      e.rport = rcv.rport;
      fail("I3", e, "the application read " + std::to_string(rcv.read) + " bytes up to EOF, but " +
                        label(peer->second.front()) + " wrote " + std::to_string(snd.sent));
    }
  }
}

}  // namespace tcpsim::prop
