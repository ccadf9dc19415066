// tcpsim — timers, and the state entry/exit hooks that own them.
//
// Each socket has one deadline per TimerKind (Sock::timers). Arming pushes
// an engine event; a fired event whose deadline no longer matches was
// cancelled or re-armed and is ignored (lazy cancellation keeps arming O(log n)).
//
// References: RFC 6298 (RTO), RFC 9293 §3.8.1, RFC 1122 §4.2.3.5 (R1/R2),
// §4.2.3.6 (keepalive); Linux tcp_timer.c (tcp_retransmit_timer,
// tcp_write_timeout, tcp_delack_timer_handler, tcp_keepalive_timer) and
// tcp_minisocks.c (TIME_WAIT).
#include <algorithm>
#include <cerrno>

#include "sim.hpp"
#include "tcpsim/seq.hpp"

namespace tcpsim {

void Sim::arm(Sock& s, TimerKind k, Time deadline) {
  s.timers[static_cast<int>(k)] = deadline;
  schedule(deadline, QTimer, s.id, static_cast<std::uint32_t>(k));
  trace_timer(s, k, TimerOp::Arm, deadline);
}

void Sim::cancel(Sock& s, TimerKind k) {
  if (!s.timers[static_cast<int>(k)]) return;
  s.timers[static_cast<int>(k)] = 0;
  trace_timer(s, k, TimerOp::Cancel, 0);
}

void Sim::cancel_all(Sock& s) {
  for (int k = 0; k < kNumTimerKinds; ++k) cancel(s, static_cast<TimerKind>(k));
}

void Sim::timer_fired(std::uint32_t id, TimerKind k, Time when) {
  Sock& s = sock(id);
  if (s.timers[static_cast<int>(k)] != when || when == 0) return;  // cancelled or re-armed
  s.timers[static_cast<int>(k)] = 0;
  if (hosts[s.host].crashed) return;
  trace_timer(s, k, TimerOp::Fire, when);
  switch (k) {
    case TimerKind::Retransmit:
      on_retransmit_timer(s);
      break;
    case TimerKind::DelayedAck:
      on_delack_timer(s);
      break;
    case TimerKind::TimeWait:
      // RFC 9293 §3.10.8: "If the time-wait timeout expires on a connection,
      // delete the TCB, enter the CLOSED state, and return."
      fsm(s, FsmEvent::Timeout2Msl);
      break;
    case TimerKind::FinWait2:
      // Deviation (Linux, "a useful BSD violation of the RFC", tcp_close()):
      // an orphaned FIN_WAIT_2 socket is destroyed after tcp_fin_timeout
      // instead of waiting forever for the peer's FIN. No segment is sent.
      fsm(s, FsmEvent::FinWait2Timeout);
      break;
    case TimerKind::Keepalive:
      on_keepalive_timer(s);
      break;
    case TimerKind::Linger:
      wake(s);  // close() with SO_LINGER gives up waiting
      break;
  }
}

// ---- state entry / exit: the one place timers follow states ----
void Sim::on_enter_state(Sock& s, TcpState to) {
  const Sysctls& y = sys(s);
  switch (to) {
    case TcpState::Established:
      if (!s.listener) ++summary.connections;
      if (s.keepalive) arm(s, TimerKind::Keepalive, now + y.tcp_keepalive_time);
      break;
    case TcpState::FinWait1:
      // close() in SYN_RECEIVED: the row's "snd FIN" ran before the state
      // changed, when output() may not send yet; send the queued FIN now.
      if (s.fin_queued && !s.fin_sent) output(s);
      break;
    case TcpState::FinWait2:
      // An orphan's timeout and timewait bucket: orphan_fin_wait2_timer(),
      // called by process_ack() once the transition is over (it may destroy
      // the socket at once).
      cancel(s, TimerKind::Retransmit);
      break;
    case TcpState::TimeWait: {
      cancel(s, TimerKind::Retransmit);
      cancel(s, TimerKind::DelayedAck);
      cancel(s, TimerKind::Keepalive);
      cancel(s, TimerKind::FinWait2);
      ++hosts[s.host].tw_count;
      arm(s, TimerKind::TimeWait, now + y.time_wait);
      break;
    }
    case TcpState::Closed:
      cancel_all(s);
      tcp_done(s);
      break;
    default:
      break;
  }
  wake(s);
}

void Sim::on_leave_state(Sock& s, TcpState from) {
  switch (from) {
    case TcpState::SynSent:
    case TcpState::SynReceived:
      // Our SYN (or SYN,ACK) is acknowledged or the attempt is over.
      cancel(s, TimerKind::Retransmit);
      s.retransmits = 0;
      break;
    case TcpState::FinWait2:
      cancel(s, TimerKind::FinWait2);
      if (s.tw_bucket) {  // TIME_WAIT entered next takes its own
        s.tw_bucket = false;
        --hosts[s.host].tw_count;
      }
      break;
    case TcpState::TimeWait:
      --hosts[s.host].tw_count;
      cancel(s, TimerKind::TimeWait);
      break;
    default:
      // The keepalive timer outlives ESTABLISHED: Linux probes in
      // CLOSE_WAIT, FIN_WAIT_2 and the other synchronized states too
      // (tcp_keepalive_timer() stops only in CLOSE and SYN_SENT); entering
      // TIME_WAIT or CLOSED cancels it.
      break;
  }
}

// ---- retransmission (RFC 6298, Linux tcp_retransmit_timer) ----

void Sim::rtt_sample(Sock& s, Time m) {
  const Sysctls& y = sys(s);
  if (m <= 0) m = 1;
  if (s.srtt == 0) {  // RFC 6298 (2.2)
    s.srtt = m;
    s.rttvar = m / 2;
  } else {            // (2.3)
    Time err = m - s.srtt;
    s.srtt += err / 8;
    s.rttvar += ((err < 0 ? -err : err) - s.rttvar) / 4;
  }
  // Deviation (Linux, tcp_set_rto): RTO = srtt + max(4*rttvar, tcp_rto_min):
  // the minimum applies to the variance term, so a 2 ms path gets about
  // 202 ms. The rfc9293 profile keeps this formula with RFC 6298's 1 s
  // minimum (rto_min = 1 s), which is at most one SRTT above RFC 6298
  // (2.4)'s max(SRTT + 4*RTTVAR, 1 s) (docs/model.md).
  s.rto = std::min(s.srtt + std::max(4 * s.rttvar, y.rto_min), y.rto_max);
}

void Sim::rearm_rto(Sock& s) {
  if (s.rto == 0) s.rto = sys(s).rto_initial;
  arm(s, TimerKind::Retransmit, now + s.rto);
}

int Sim::max_retries(const Sock& s) const {
  const Sysctls& y = hosts[s.host].sys;
  // tcp_write_timeout(): in SYN_SENT "max_retransmits = retry_until +
  // syn_linear_timeouts" (measured: 10 SYN retransmissions with the defaults).
  if (s.state == TcpState::SynSent) return y.tcp_syn_retries + y.tcp_syn_linear_timeouts;
  if (s.state == TcpState::SynReceived && s.listener) return y.tcp_synack_retries;
  // tcp_orphan_retries(): 0 means 8 for a socket no process holds.
  if (s.orphan) return y.tcp_orphan_retries ? y.tcp_orphan_retries : 8;
  return y.tcp_retries2;
}

// SYN timeouts (measured on Linux 6.18, docs/kernel-facts.md §10): the first
// tcp_syn_linear_timeouts + 1 waits are the initial RTO (1 s), then the RTO
// doubles: retransmissions at 1, 2, 3, 4, 5, 7, 11, 19, 35, 69 s; ETIMEDOUT at 133 s.
Time Sim::syn_backoff(const Sock& s, int k) const {
  const Sysctls& y = hosts[s.host].sys;
  if (k <= y.tcp_syn_linear_timeouts + 1) return y.rto_initial;
  const int shift = std::min(k - y.tcp_syn_linear_timeouts - 1, 20);
  return std::min<Time>(y.rto_initial << shift, y.rto_max);
}

// tcp_model_timeout(): how long `boundary` retransmissions take when the
// RTO starts at `base` and doubles, linear once it reaches TCP_RTO_MAX.
namespace {
Time model_timeout(int boundary, Time base, Time rto_max) {
  int thresh = 0;
  while ((base << (thresh + 1)) <= rto_max) ++thresh;  // ilog2(TCP_RTO_MAX / base)
  if (boundary <= thresh) return ((Time{2} << boundary) - 1) * base;
  return ((Time{2} << thresh) - 1) * base + static_cast<Time>(boundary - thresh) * rto_max;
}
}  // namespace

// retransmits_timed_out() / tcp_model_timeout(): Linux gives up on a
// connection by time, not by count: when the time since the first RTO
// retransmission reaches what `boundary` doubling retransmissions from
// TCP_RTO_MIN would take, linear once the RTO hits TCP_RTO_MAX
// (boundary 15 -> 924.6 s; orphan boundary 2 -> 1.4 s).
Time Sim::give_up_after(const Sock& s, int boundary) const {
  const Sysctls& y = hosts[s.host].sys;
  return model_timeout(boundary, y.rto_min, y.rto_max);
}

void Sim::on_retransmit_timer(Sock& s) {
  const int limit = max_retries(s);
  if (s.state == TcpState::SynSent) {
    // tcp_write_timeout() in SYN_SENT: connect() gives up by time as well as
    // by count: once tcp_model_timeout(tcp_syn_retries, TCP_TIMEOUT_INIT) has
    // passed since the first SYN (retrans_stamp, set by tcp_connect()).
    // Measured on Linux 6.18 (docs/kernel-facts.md): tcp_syn_retries=2 gives
    // SYNs at 0, 1, 2, 3, 4, 5 s and ETIMEDOUT at 7 s; tcp_syn_retries=1,
    // SYNs at 0, 1, 2 s and ETIMEDOUT at 3 s. The count
    // (tcp_syn_retries + tcp_syn_linear_timeouts) still caps it.
    const Sysctls& y = sys(s);
    const bool timed_out =
        s.retransmits > 0 && now - s.rto_stamp >= model_timeout(y.tcp_syn_retries, y.rto_initial, y.rto_max);
    if (s.retransmits >= limit || timed_out) {
      // connect() fails with ETIMEDOUT; nothing is sent.
      tcp_abort(s, "SYN retries exhausted (tcp_syn_retries)", false, ETIMEDOUT, FsmEvent::GiveUp);
      return;
    }
    ++s.retransmits;
    s.rtt_start = -1;
    send_segment(s, make_segment(s, kSyn, s.iss, 0), true);
    arm(s, TimerKind::Retransmit, now + syn_backoff(s, s.retransmits + 1));
    return;
  }
  if (s.state == TcpState::SynReceived) {
    if (s.retransmits >= limit) {
      tcp_abort(s, "SYN,ACK retries exhausted (tcp_synack_retries)", false, ETIMEDOUT, FsmEvent::GiveUp);
      return;
    }
    ++s.retransmits;
    s.rtt_start = -1;
    send_segment(s, make_segment(s, kSyn | kAck, s.iss, 0), true);
    // reqsk_timeout: exponential from the initial RTO.
    const Time t = std::min<Time>(sys(s).rto_initial << std::min<int>(s.retransmits, 20), sys(s).rto_max);
    arm(s, TimerKind::Retransmit, now + t);
    return;
  }
  if (s.snd_una == s.snd_max) {
    // Nothing outstanding. If data waits behind a zero window, probe it
    // (tcp_probe_timer): an ACK-only segment below SND.UNA that the peer must
    // answer with its current window; give up like a retransmission would.
    if (s.written > s.sent && s.snd_wnd == 0 &&
        (s.state == TcpState::Established || s.state == TcpState::CloseWait ||
         s.state == TcpState::FinWait1 || s.state == TcpState::LastAck || s.state == TcpState::Closing)) {
      if (s.retransmits >= limit) {
        tcp_abort(s, s.orphan ? "zero-window probes unanswered (tcp_orphan_retries)"
                              : "zero-window probes unanswered (tcp_retries2)",
                  false, ETIMEDOUT, FsmEvent::GiveUp);
        return;
      }
      ++s.retransmits;
      trace_note(s.host, &s, "zero-window probe " + std::to_string(s.retransmits));
      send_segment(s, make_segment(s, kAck, s.snd_una - 1, 0), false);
      s.rto = std::min<Time>(s.rto * 2, sys(s).rto_max);
      arm(s, TimerKind::Retransmit, now + s.rto);
    }
    return;
  }
  // Linux sends a tail loss probe (RFC 8985 §7) before the first real RTO:
  // it retransmits the last segment after about 2*SRTT + 200 ms and re-arms
  // the RTO without backing off (docs/kernel-facts.md §14).
  const bool probe = hosts[s.host].profile == Profile::Linux && s.srtt > 0 && !s.tlp_done;
  if (!probe && s.rto_stamp == 0) s.rto_stamp = now;
  if (!probe && s.rto_stamp && now - s.rto_stamp >= give_up_after(s, limit) && s.retransmits > 0) {
    // tcp_write_err(): the connection times out; Linux sends nothing.
    tcp_abort(s, s.orphan ? "retransmissions exhausted (tcp_orphan_retries)"
                          : "retransmissions exhausted (tcp_retries2)",
              false, ETIMEDOUT, FsmEvent::GiveUp);
    return;
  }
  s.rtt_start = -1;  // Karn's algorithm
  if (probe) {
    s.tlp_done = true;
  } else {
    ++s.retransmits;
    // RFC 6298 (5.5): back off the timer.
    s.rto = std::min<Time>(s.rto * 2, sys(s).rto_max);
  }
  // (5.4) retransmit the earliest unacknowledged segment. Go back to snd_una
  // with a one-segment window (RFC 5681 §3.1: cwnd = 1 MSS after an RTO).
  s.cwnd = sys(s).mss;
  s.snd_nxt = s.snd_una;
  s.sent = s.acked;
  if (s.fin_sent && !s.fin_acked) s.fin_sent = false;
  if (probe) trace_note(s.host, &s, "tail loss probe: the last segment is sent again before the RTO (RFC 8985)");
  output(s);
  if (!s.timers[static_cast<int>(TimerKind::Retransmit)]) arm(s, TimerKind::Retransmit, now + s.rto);
}

// ---- delayed ACK (tcp_delack_timer_handler) ----
void Sim::on_delack_timer(Sock& s) {
  if (!s.ack_pending) return;
  const Sysctls& y = sys(s);
  if (s.pingpong) {
    // "Delayed ACK missed: leave pingpong mode and deflate ATO."
    s.pingpong = false;
    s.ato = y.delack_min;
  } else {
    // "Delayed ACK missed: inflate ATO."
    s.ato = std::min<Time>(std::max<Time>(s.ato, y.delack_min) * 2, s.rto ? s.rto : y.rto_initial);
  }
  send_ack_now(s);
}

// ---- keepalive (RFC 1122 §4.2.3.6, tcp_keepalive_timer) ----
// Linux runs it in every state but CLOSE and SYN_SENT (and LISTEN, where it
// is the SYN-ACK timer), so a leaked CLOSE_WAIT socket with SO_KEEPALIVE
// probes its peer and an RST from a peer that forgot the connection closes it
// (measured, docs/kernel-facts.md §20). The orphaned FIN_WAIT_2 is left to
// the tcp_fin_timeout timer (Linux uses this timer for both).
void Sim::on_keepalive_timer(Sock& s) {
  const Sysctls& y = sys(s);
  if (!s.keepalive || s.listening || s.state == TcpState::Closed || s.state == TcpState::SynSent ||
      s.state == TcpState::TimeWait || (s.state == TcpState::FinWait2 && s.orphan))
    return;
  // "It is alive without keepalive": data or a FIN still unacknowledged, or
  // data waiting to be sent, has its own timers.
  if (s.snd_una != s.snd_max || s.written > s.sent) {
    arm(s, TimerKind::Keepalive, now + y.tcp_keepalive_time);
    return;
  }
  const Time idle = now - s.last_rcv;
  if (s.probes == 0 && idle < y.tcp_keepalive_time) {
    arm(s, TimerKind::Keepalive, s.last_rcv + y.tcp_keepalive_time);
    return;
  }
  if (s.probes >= y.tcp_keepalive_probes) {
    // tcp_send_active_reset() then tcp_write_err(): an RST (seq = SND.NXT,
    // with ACK) goes out, and the socket fails with ETIMEDOUT (measured:
    // two unanswered probes, then [R.] at the third interval).
    tcp_abort(s, "keepalive: peer not answering (tcp_keepalive_probes)", true, ETIMEDOUT, FsmEvent::GiveUp);
    return;
  }
  // A probe is an ACK carrying the last acknowledged sequence number minus
  // one (tcp_xmit_probe_skb), which the peer must answer with an ACK.
  ++s.probes;
  trace_note(s.host, &s, "keepalive probe " + std::to_string(s.probes));
  send_segment(s, make_segment(s, kAck, s.snd_una - 1, 0), false);
  arm(s, TimerKind::Keepalive, now + y.tcp_keepalive_intvl);
}

}  // namespace tcpsim
