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
  if (k == TimerKind::Retransmit) s.probe_armed = false;  // schedule_loss_probe() sets it after arming
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
  Sock* sp = sock_if(id);
  if (!sp) return;  // the socket was destroyed
  Sock& s = *sp;
  if (s.timers[static_cast<int>(k)] != when || when == 0) return;  // cancelled or re-armed
  s.timers[static_cast<int>(k)] = 0;
  if (hosts[s.host].crashed) return;
  trace_timer(s, k, TimerOp::Fire, when);
  switch (k) {
    case TimerKind::Retransmit:
      // One timer, two uses, as Linux's icsk_retransmit_timer (icsk_pending
      // is ICSK_TIME_LOSS_PROBE or ICSK_TIME_RETRANS).
      if (s.probe_armed) {
        s.probe_armed = false;
        send_loss_probe(s);
      } else {
        on_retransmit_timer(s);
      }
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
      // Deviation (Linux, tcp_close()): "a useful BSD violation of the RFC":
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
      if (s.keepalive) arm(s, TimerKind::Keepalive, now + keepalive_time(s));
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
      // Our SYN (or SYN,ACK) is acknowledged or the attempt is over; the
      // give-up clock of the handshake (retrans_stamp) stops with it, so a
      // later data retransmission (and TCP_USER_TIMEOUT) counts from its own
      // first retransmission (measured, docs/kernel-facts.md §41).
      cancel(s, TimerKind::Retransmit);
      s.retransmits = 0;
      s.rto_stamp = 0;
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
  cubic_rtt_sample(s, m);
  if (hosts[s.host].profile == Profile::Rfc9293) {
    // RFC 6298 (2.3) "RTO <- SRTT + max (G, K*RTTVAR)" with K = 4 (G, the
    // clock granularity, is nil for the model's clock), then (2.4) "Whenever
    // RTO is computed, if it is less than 1 second, then the RTO SHOULD be
    // rounded up to 1 second" (rto_min = 1 s in this profile), and (2.5) a
    // maximum of at least 60 s (rto_max).
    s.rto = std::min(std::max(s.srtt + 4 * s.rttvar, y.rto_min), y.rto_max);
    return;
  }
  // Deviation (Linux, tcp_set_rto()): RTO = srtt + max(4*rttvar, tcp_rto_min):
  // the minimum applies to the variance term, so a 2 ms path gets about
  // 202 ms, where RFC 6298 (2.4) would floor the whole RTO (rfc9293 profile
  // above; docs/model.md).
  s.rto = std::min(s.srtt + std::max(4 * s.rttvar, y.rto_min), y.rto_max);
}

void Sim::rearm_rto(Sock& s) {
  if (s.rto == 0) s.rto = sys(s).rto_initial;
  s.rto_due = now + s.rto;
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

// Deviation (Linux, tcp_retransmit_timer(), tcp_write_timeout()): RFC 6298
// (5.5) backs off from the first SYN retransmission (the rfc9293 profile sets
// tcp_syn_linear_timeouts = 0). SYN timeouts (measured on Linux 6.18,
// docs/kernel-facts.md §10): the first tcp_syn_linear_timeouts + 1 waits are
// the initial RTO (1 s), then the RTO doubles: retransmissions at 1, 2, 3,
// 4, 5, 7, 11, 19, 35, 69 s; ETIMEDOUT at 133 s.
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

// TCP_USER_TIMEOUT (RFC 5482; Linux tcp_clamp_rto_to_user_timeout()): the
// retransmission timer never runs past the moment the user timeout expires,
// counted from the first retransmission (retrans_stamp); once it has passed,
// the timer fires at the next jiffy (1 jiffy = 4 ms at HZ=250).
Time Sim::clamp_to_user_timeout(const Sock& s, Time rto) const {
  if (!s.user_timeout) return rto;
  const Time remaining = s.user_timeout - (now - s.rto_stamp);
  if (remaining <= 0) return msec(4);
  return std::min(rto, remaining);
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
    // retransmits_timed_out(): TCP_USER_TIMEOUT, when set, replaces that time.
    const Sysctls& y = sys(s);
    const Time give_up = s.user_timeout ? s.user_timeout : model_timeout(y.tcp_syn_retries, y.rto_initial, y.rto_max);
    const bool timed_out = s.retransmits > 0 && now - s.rto_stamp >= give_up;
    if (s.retransmits >= limit || timed_out) {
      // connect() fails with ETIMEDOUT; nothing is sent.
      tcp_abort(s, s.retransmits < limit && s.user_timeout ? "SYN retries stopped by TCP_USER_TIMEOUT"
                                                           : "SYN retries exhausted (tcp_syn_retries)",
                false, ETIMEDOUT, FsmEvent::GiveUp);
      return;
    }
    ++s.retransmits;
    s.rtt_start = -1;
    send_segment(s, make_segment(s, kSyn, s.iss, 0), true);
    arm(s, TimerKind::Retransmit, now + clamp_to_user_timeout(s, syn_backoff(s, s.retransmits + 1)));
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
    // answer with its current window.
    if (s.written > s.sent && s.snd_wnd == 0 &&
        (s.state == TcpState::Established || s.state == TcpState::CloseWait ||
         s.state == TcpState::FinWait1 || s.state == TcpState::LastAck || s.state == TcpState::Closing))
      send_zero_window_probe(s);
    return;
  }
  // The tail loss probe (RFC 8985 §7) has its own path, send_loss_probe()
  // in tcp_congestion.cpp: this expiry is an RTO.
  if (s.rto_stamp == 0) s.rto_stamp = now;
  // retransmits_timed_out(sk, retry_until, icsk_user_timeout): TCP_USER_TIMEOUT,
  // when set, replaces the time tcp_retries2 (or tcp_orphan_retries) gives.
  const Time give_up = s.user_timeout ? s.user_timeout : give_up_after(s, limit);
  if (s.rto_stamp && now - s.rto_stamp >= give_up && s.retransmits > 0) {
    // tcp_write_err(): the connection times out; Linux sends nothing.
    tcp_abort(s, s.user_timeout ? "retransmissions stopped by TCP_USER_TIMEOUT"
                 : s.orphan     ? "retransmissions exhausted (tcp_orphan_retries)"
                                : "retransmissions exhausted (tcp_retries2)",
              false, ETIMEDOUT, FsmEvent::GiveUp);
    return;
  }
  s.rtt_start = -1;  // Karn's algorithm (linux: the retransmission is timed, send_segment())
  ++s.retransmits;
  // RFC 6298 (5.5): back off the timer.
  s.rto = std::min<Time>(s.rto * 2, sys(s).rto_max);
  // (5.4) retransmit the earliest unacknowledged segment. Go back to snd_una
  // with a one-segment window (RFC 5681 §3.1: cwnd = 1 MSS after an RTO;
  // ssthresh and Linux's Loss state: enter_loss()).
  enter_loss(s);
  s.snd_nxt = s.snd_una;
  s.sent = s.acked;
  if (s.fin_sent && !s.fin_acked) s.fin_sent = false;
  output(s);
  if (s.user_timeout)
    arm(s, TimerKind::Retransmit, now + clamp_to_user_timeout(s, s.rto));
  else if (!s.timers[static_cast<int>(TimerKind::Retransmit)])
    arm(s, TimerKind::Retransmit, now + s.rto);
}

// ---- zero-window probes (RFC 9293 §3.8.6.1, RFC 1122 §4.2.2.17; Linux
// tcp_probe_timer, tcp_send_probe0, tcp_ack_probe) ----

// tcp_probe0_when(): max(RTO, TCP_RTO_MIN) doubled per probe sent
// (icsk_backoff, here `retransmits`: the probes leave `rto` itself alone), at
// most TCP_RTO_MAX.
Time Sim::probe0_when(const Sock& s) const {
  const Sysctls& y = hosts[s.host].sys;
  const Time base = std::max(s.rto ? s.rto : y.rto_initial, y.rto_min);
  const Time when = std::min<Time>(base << std::min<int>(s.retransmits, 20), y.rto_max);
  if (!s.user_timeout || !s.probes_stamp) return when;
  // tcp_clamp_probe0_to_user_timeout(): not past TCP_USER_TIMEOUT counted
  // from the first probe, but at least TCP_TIMEOUT_MIN (2 jiffies, 8 ms).
  return std::min(when, std::max<Time>(s.user_timeout - (now - s.probes_stamp), msec(8)));
}

// RFC 1122 §4.2.2.17: "the transmitting host MUST NOT close the window
// [connection] ... as long as the receiving TCP continues to send
// acknowledgments in response to the probe segments". Linux counts the
// probes in icsk_probes_out, which every ACK resets (tcp_ack(); here
// `probes`, reset by every segment that arrives), so tcp_retries2 ends a
// connection only when that many probes in a row go unanswered. An orphan
// also dies once the interval reaches TCP_RTO_MAX and its backoff passes
// tcp_orphan_retries (0 then means 0: "!alive").
void Sim::send_zero_window_probe(Sock& s) {
  const Sysctls& y = sys(s);
  // TCP_USER_TIMEOUT (tcp_probe_timer(), Linux 5.11+): probing ends that long
  // after the first probe (icsk_probes_tstamp), answered or not, unless the
  // window opens first (tcp_ack_probe() clears the stamp).
  if (!s.probes_stamp) {
    s.probes_stamp = now;
  } else if (s.user_timeout && now - s.probes_stamp >= s.user_timeout) {
    tcp_abort(s, "zero-window probes stopped by TCP_USER_TIMEOUT", false, ETIMEDOUT, FsmEvent::GiveUp);
    return;
  }
  int max_probes = y.tcp_retries2;
  if (s.orphan) {
    const bool alive = probe0_when(s) < y.rto_max;
    max_probes = y.tcp_orphan_retries ? y.tcp_orphan_retries : (alive ? 8 : 0);
    if (!alive && s.retransmits >= max_probes) {
      tcp_abort(s, "zero-window probes: orphan backed off to TCP_RTO_MAX (tcp_orphan_retries)", false, ETIMEDOUT,
                FsmEvent::GiveUp);
      return;
    }
  }
  if (s.probes >= max_probes) {
    tcp_abort(s, s.orphan ? "zero-window probes unanswered (tcp_orphan_retries)"
                          : "zero-window probes unanswered (tcp_retries2)",
              false, ETIMEDOUT, FsmEvent::GiveUp);
    return;
  }
  ++s.probes;
  trace_note(s.host, &s, "zero-window probe (" + std::to_string(s.probes) + " since the last ACK)");
  send_segment(s, make_segment(s, kAck, s.snd_una - 1, 0), false);
  if (s.retransmits < y.tcp_retries2) ++s.retransmits;  // icsk_backoff, capped at tcp_retries2
  arm(s, TimerKind::Retransmit, now + probe0_when(s));
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
  if (!s.keepalive || s.listening || s.state == TcpState::Closed || s.state == TcpState::SynSent ||
      s.state == TcpState::TimeWait || (s.state == TcpState::FinWait2 && s.orphan))
    return;
  // "It is alive without keepalive": data or a FIN still unacknowledged, or
  // data waiting to be sent, has its own timers.
  const Time ka_time = keepalive_time(s);
  if (s.snd_una != s.snd_max || s.written > s.sent) {
    arm(s, TimerKind::Keepalive, now + ka_time);
    return;
  }
  const Time idle = now - s.last_rcv;
  if (s.probes == 0 && idle < ka_time) {
    arm(s, TimerKind::Keepalive, s.last_rcv + ka_time);
    return;
  }
  // With TCP_USER_TIMEOUT set, keepalive gives up when the connection has
  // been silent that long and at least one probe went out, whatever
  // TCP_KEEPCNT says (tcp_keepalive_timer(), Linux 6.x).
  const bool give_up = s.user_timeout ? idle >= s.user_timeout && s.probes > 0 : s.probes >= keepalive_probes(s);
  if (give_up) {
    // tcp_send_active_reset() then tcp_write_err(): an RST (seq = SND.NXT,
    // with ACK) goes out, and the socket fails with ETIMEDOUT (measured:
    // two unanswered probes, then [R.] at the third interval).
    tcp_abort(s, s.user_timeout ? "keepalive: peer silent for TCP_USER_TIMEOUT"
                 : s.keepcnt    ? "keepalive: peer not answering (TCP_KEEPCNT)"
                                : "keepalive: peer not answering (tcp_keepalive_probes)",
              true, ETIMEDOUT, FsmEvent::GiveUp);
    return;
  }
  // A probe is an ACK carrying the last acknowledged sequence number minus
  // one (tcp_xmit_probe_skb), which the peer must answer with an ACK.
  ++s.probes;
  trace_note(s.host, &s, "keepalive probe " + std::to_string(s.probes));
  send_segment(s, make_segment(s, kAck, s.snd_una - 1, 0), false);
  arm(s, TimerKind::Keepalive, now + keepalive_intvl(s));
}

}  // namespace tcpsim
