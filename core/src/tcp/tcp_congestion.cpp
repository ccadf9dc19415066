// tcpsim — congestion control and loss recovery: slow start, congestion
// avoidance, fast retransmit and recovery, the window after an RTO, and the
// tail loss probe.
//
// Read first: RFC 5681 (slow start, congestion avoidance, fast retransmit /
// fast recovery), RFC 6582 (NewReno), RFC 8985 §7 (tail loss probe), RFC
// 6928 (initial window); Linux tcp_input.c (tcp_ack, tcp_fastretrans_alert,
// tcp_enter_loss, tcp_process_tlp_ack), tcp_output.c
// (tcp_schedule_loss_probe, tcp_send_loss_probe), tcp_cong.c
// (tcp_slow_start, tcp_cong_avoid_ai) and tcp_cubic.c
// (bictcp_recalc_ssthresh).
//
// Windows are counted in bytes (the model's MSS is the segment size); Linux
// counts packets. The congestion state follows Linux's icsk_ca_state: Open,
// Disorder (duplicate ACKs seen), Recovery (after a fast retransmit), Loss
// (after an RTO).
//
// Deviation (tcpsim): Linux negotiates SACK and finds losses with RACK; tcpsim has no
// TCP options: losses are found by counting duplicate ACKs (three, Linux's
// tcp_reordering) and recovery is RFC 6582 NewReno with RFC 5681 window
// inflation, where Linux uses SACK scoreboard + RACK and proportional rate
// reduction (RFC 6937). The segments on the wire match Linux for one loss in
// a flight (docs/kernel-facts.md §56); cwnd during recovery reads higher
// than Linux's (inflated, where PRR lets it fall towards ssthresh). After
// recovery and after an RTO the model grows cwnd as Reno (RFC 5681 (3)),
// not with CUBIC's cubic function.
#include <algorithm>

#include "sim.hpp"
#include "tcpsim/seq.hpp"

namespace tcpsim {

namespace {

bool sends_data(TcpState st) {
  switch (st) {
    case TcpState::Established:
    case TcpState::CloseWait:
    case TcpState::FinWait1:
    case TcpState::Closing:
    case TcpState::LastAck:
      return true;
    default:
      return false;
  }
}

// Linux's timers count jiffies (HZ = 250 on the kernel the model was
// measured against: 4 ms). The loss probe's timeout is
// usecs_to_jiffies(2*SRTT) + TCP_TIMEOUT_MIN (2 jiffies) with two or more
// segments out: measured, a 10-segment burst on a 3 ms path sends its probe
// 12-16 ms later, never after 8 ms (docs/kernel-facts.md §57).
constexpr Time kJiffy = msec(4);
constexpr Time kTimeoutMin = 2 * kJiffy;  // TCP_TIMEOUT_MIN
Time to_jiffies(Time t) { return (t + kJiffy - 1) / kJiffy * kJiffy; }  // usecs_to_jiffies() rounds up

// Segments in flight (Linux tp->packets_out): a FIN riding on the last data
// segment is not a segment of its own.
std::uint32_t packets_out(const Sock& s, std::uint32_t mss) {
  std::uint32_t bytes = s.snd_max - s.snd_una;
  if (bytes > 1 && s.fin_ever && !s.fin_acked) --bytes;
  return (bytes + mss - 1) / mss;
}

}  // namespace

// The slow-start threshold after a loss.
// Deviation (Linux, bictcp_recalc_ssthresh()): CUBIC is the default
// congestion control: ssthresh = max(cwnd * 717/1024, 2) packets (bictcp_recalc_ssthresh, beta = 0.7),
// where RFC 5681 (4) says max(FlightSize / 2, 2*SMSS); the rfc9293 profile
// follows the RFC.
std::uint32_t Sim::loss_ssthresh(const Sock& s) {
  const std::uint32_t mss = sys(s).mss;
  if (hosts[s.host].profile == Profile::Linux) {
    const std::uint32_t pkts = s.cwnd / mss;
    return std::max<std::uint32_t>(pkts * 717 / 1024, 2) * mss;
  }
  const std::uint32_t flight = s.snd_max - s.snd_una;
  return std::max<std::uint32_t>(flight / 2, 2 * mss);
}

// RFC 5681 §2: "DUPLICATE ACKNOWLEDGMENT: An acknowledgment is considered a
// 'duplicate' ... when (a) the receiver of the ACK has outstanding data, (b)
// the incoming acknowledgment carries no data, (c) the SYN and FIN bits are
// both off, (d) the acknowledgment number is equal to the greatest
// acknowledgment received on the given connection (TCP.UNA ...) and (e) the
// advertised window in the incoming acknowledgment equals the advertised
// window in the last incoming acknowledgment." (Linux: !FLAG_NOT_DUP.)
// Deviation (Linux, tcp_ack()): with SACK (FLAG_NOT_DUP) a Linux sender
// counts every ACK that SACKs new data, whatever window it carries; without SACK the linux profile
// drops rule (e), since a receiver's window moves as its application reads
// (the first duplicate ACK often carries a larger window). The rfc9293
// profile keeps (e).
bool Sim::is_dup_ack(const Sock& s, const Segment& seg) const {
  const bool same_window = seg.win == s.snd_wnd || hosts[s.host].profile == Profile::Linux;
  return s.snd_una != s.snd_max && seg.len == 0 && !(seg.flags & (kSyn | kFin)) && seg.ack == s.snd_una &&
         same_window && sends_data(s.state);
}

// One segment from `seq`, as it was first sent (data up to an MSS, the FIN
// if it reaches it), without moving SND.NXT: a fast retransmission, a
// partial-ACK retransmission or a loss probe's tail.
void Sim::retransmit_at(Sock& s, std::uint32_t seq) {
  const std::uint32_t data_end = s.iss + 1 + static_cast<std::uint32_t>(s.written);
  std::uint32_t len = seq_lt(seq, data_end) ? std::min<std::uint32_t>(data_end - seq, sys(s).mss) : 0;
  // Never beyond what was sent (snd_max counts the FIN).
  const std::uint32_t room = s.snd_max - seq;
  if (len > room) len = room;
  std::uint8_t flags = kAck;
  // The segment keeps the PSH it was first sent with (Linux retransmits the skb).
  if (len > 0 && (seq + len == data_end ||
                  std::find(s.psh_ends.begin(), s.psh_ends.end(), seq + len) != s.psh_ends.end()))
    flags |= kPsh;
  if (s.fin_ever && !s.fin_acked && seq + len == s.fin_seq) flags |= kFin;
  if (len == 0 && !(flags & kFin)) return;
  if (s.rtt_start >= 0 && seq_lt(seq, s.rtt_seq)) s.rtt_start = -1;  // Karn (linux: timed again, send_segment())
  send_segment(s, make_segment(s, flags, seq, len), true);
}

// An ACK of new data (tcp_ack -> tcp_process_tlp_ack, tcp_fastretrans_alert,
// tcp_cong_control).
void Sim::cong_on_ack(Sock& s, std::uint32_t ack, std::uint32_t acked, std::uint32_t prior_flight) {
  const Sysctls& y = sys(s);
  const std::uint32_t mss = y.mss;
  s.dupacks = 0;
  s.psh_ends.erase(std::remove_if(s.psh_ends.begin(), s.psh_ends.end(),
                                  [&](std::uint32_t end) { return seq_le(end, ack); }),
                   s.psh_ends.end());
  // tcp_process_tlp_ack(): the probe's episode ends with an ACK at or past
  // it. An ACK beyond it after a re-sent tail means the probe repaired a
  // loss: reduce the window once (CWR), as for a fast retransmit.
  if (s.tlp_high_seq && seq_ge(ack, s.tlp_high_seq)) {
    if (s.tlp_retrans && seq_gt(ack, s.tlp_high_seq)) {
      s.ssthresh = loss_ssthresh(s);
      s.cwnd = s.ssthresh;
      trace_note(s.host, &s, "the loss probe repaired a loss: cwnd reduced once (tcp_process_tlp_ack)");
    }
    s.tlp_high_seq = 0;
  }
  switch (s.ca_state) {
    case CaState::Recovery:
      if (seq_ge(ack, s.recover)) {
        // RFC 6582 §3.2 step 3, full acknowledgment: "Set cwnd to ...
        // ssthresh" (deflate) and leave fast recovery.
        s.cwnd = s.ssthresh;
        s.ca_state = CaState::Open;
        s.cwnd_acc = 0;
        return;
      }
      // Partial acknowledgment: "retransmit the first unacknowledged
      // segment ... deflate the congestion window by the amount of new data
      // acknowledged ... add back SMSS bytes" and stay in recovery.
      retransmit_at(s, s.snd_una);
      s.cwnd = (s.cwnd > acked ? s.cwnd - acked : 0) + (acked >= mss ? mss : 0);
      if (s.cwnd < mss) s.cwnd = mss;
      return;
    case CaState::Loss:
      // tcp_try_undo_recovery(): everything sent before the RTO is
      // acknowledged: back to Open (the window keeps growing below).
      if (seq_ge(ack, s.recover)) s.ca_state = CaState::Open;
      break;
    case CaState::Disorder:
      s.ca_state = CaState::Open;
      break;
    case CaState::Open:
      break;
  }
  // tcp_cong_control -> tcp_cong_avoid: grow only a window that limits the
  // sender (tcp_is_cwnd_limited(): in slow start, cwnd < 2 * what was in
  // flight; in congestion avoidance, a flight that filled cwnd), so a
  // sender the application starves does not inflate it.
  const bool cwnd_limited = s.cwnd < s.ssthresh ? static_cast<std::uint64_t>(s.cwnd) < 2ull * prior_flight
                                                : prior_flight + mss > s.cwnd;
  if (!cwnd_limited) return;
  if (s.cwnd < s.ssthresh) {
    // RFC 5681 (2) slow start, Linux tcp_slow_start(): one MSS per MSS
    // acknowledged, up to ssthresh; the rest counts for congestion avoidance.
    const std::uint32_t room = s.ssthresh - s.cwnd;
    const std::uint32_t grow = std::min(acked, room);
    s.cwnd += grow;
    acked -= grow;
    if (acked == 0) return;
  }
  // RFC 5681 (3) congestion avoidance (byte counting), Linux
  // tcp_cong_avoid_ai(): one MSS per window of acknowledged bytes.
  s.cwnd_acc += acked;
  while (s.cwnd_acc >= s.cwnd && s.cwnd > 0) {
    s.cwnd_acc -= s.cwnd;
    s.cwnd += mss;
  }
}

// A duplicate ACK (tcp_fastretrans_alert with !FLAG_SND_UNA_ADVANCED).
void Sim::cong_dup_ack(Sock& s) {
  const std::uint32_t mss = sys(s).mss;
  if (s.dupacks < 255) ++s.dupacks;
  // Traced (as Wireshark's "Dup ACK #n"), which also records the window
  // after the ACK: the delivery event's snapshot is the one before it.
  const std::string dup = "duplicate ACK " + std::to_string(s.dupacks);
  // tcp_process_tlp_ack(): a pure duplicate ACK while a re-sent tail is
  // outstanding means the original and the probe both arrived: no loss.
  if (s.tlp_high_seq && s.tlp_retrans && s.snd_una == s.snd_max) s.tlp_high_seq = 0;
  switch (s.ca_state) {
    case CaState::Recovery:
      // RFC 5681 §3.2 step 4 / RFC 6582: each further duplicate ACK inflates
      // the window by one segment, which may let new data out.
      s.cwnd += mss;
      trace_note(s.host, &s, dup + " in recovery: cwnd + 1 MSS (RFC 5681 §3.2)");
      output(s);
      return;
    case CaState::Loss:
      // After an RTO the go-back-N retransmission is under way.
      trace_note(s.host, &s, dup + " after an RTO: no fast retransmit");
      return;
    case CaState::Open:
      s.ca_state = CaState::Disorder;
      [[fallthrough]];
    case CaState::Disorder:
      if (s.dupacks < 3) trace_note(s.host, &s, dup);
      break;
  }
  // net.ipv4.tcp_reordering = 3. (RFC 6582's check of `recover` against
  // duplicate ACKs of an earlier episode is the Loss state here, as in
  // Linux: they are ignored until everything sent before the RTO is acked.)
  if (s.dupacks < 3) return;
  // Fast retransmit (RFC 5681 §3.2 steps 2-3): ssthresh, retransmit the
  // first unacknowledged segment, cwnd = ssthresh + 3*SMSS.
  s.ssthresh = loss_ssthresh(s);
  s.recover = s.snd_max;
  s.ca_state = CaState::Recovery;
  s.cwnd_acc = 0;
  s.tlp_high_seq = 0;
  trace_note(s.host, &s,
             "fast retransmit: 3 duplicate ACKs (RFC 5681 §3.2); ssthresh " + std::to_string(s.ssthresh) +
                 ", NewReno recovery until " + std::to_string(s.recover - s.iss) + " (RFC 6582)");
  retransmit_at(s, s.snd_una);
  s.cwnd = s.ssthresh + 3 * mss;
  rearm_rto(s);
  output(s);
}

// An RTO (tcp_enter_loss): ssthresh once per episode, cwnd = 1 MSS (RFC
// 5681 §3.1 "LW"), the Loss state until everything then outstanding is
// acknowledged.
void Sim::enter_loss(Sock& s) {
  // tcp_enter_loss(): ssthresh is recomputed on the first RTO of an episode
  // (from Open or Disorder, or once everything of the last episode is
  // acknowledged), not on each backed-off one nor during fast recovery.
  if (s.ca_state == CaState::Open || s.ca_state == CaState::Disorder || !seq_gt(s.recover, s.snd_una))
    s.ssthresh = loss_ssthresh(s);
  s.cwnd = sys(s).mss;
  s.cwnd_acc = 0;
  s.dupacks = 0;
  s.ca_state = CaState::Loss;
  s.recover = s.snd_max;
  s.tlp_high_seq = 0;
}

// After an ACK of new data (tcp_set_xmit_timer): nothing outstanding stops
// the timer; else a loss probe if one may be sent, else the RTO from now.
void Sim::set_xmit_timer(Sock& s) {
  if (s.snd_una == s.snd_max) {
    cancel(s, TimerKind::Retransmit);
    s.probe_armed = false;
    return;
  }
  if (!schedule_loss_probe(s, true)) rearm_rto(s);
}

// RFC 8985 §7.2, Linux tcp_schedule_loss_probe(): PTO = 2*SRTT, plus
// TCP_RTO_MIN when one segment is out (room for the peer's delayed ACK) or
// two jiffies otherwise (RFC 8985 says 2*SRTT, and max(PTO, 10 ms)); 1 s
// without an RTT sample; never later than the RTO would fire. Only in Open
// (not during recovery or after an RTO).
// Deviation (Linux, tcp_schedule_loss_probe()): Linux requires SACK for a loss
// probe (tcp_is_sack()); tcpsim has no options, so the linux profile probes
// as Linux does between two Linux hosts, which always negotiate SACK. The
// rfc9293 profile never probes.
bool Sim::schedule_loss_probe(Sock& s, bool advancing_rto) {
  if (hosts[s.host].profile != Profile::Linux || !sends_data(s.state)) return false;
  if (s.snd_una == s.snd_max || s.ca_state != CaState::Open) return false;
  const Sysctls& y = sys(s);
  Time pto = y.rto_initial;
  if (s.srtt > 0) pto = to_jiffies(2 * s.srtt) + (packets_out(s, y.mss) == 1 ? y.rto_min : kTimeoutMin);
  if (s.rto == 0) s.rto = y.rto_initial;
  const Time rto_left = advancing_rto ? s.rto : s.rto_due - now;
  if (rto_left > 0) pto = std::min(pto, rto_left);
  if (advancing_rto) s.rto_due = now + s.rto;
  // Re-arming for the same instant changes nothing (and traces nothing).
  if (s.timers[static_cast<int>(TimerKind::Retransmit)] != now + pto) arm(s, TimerKind::Retransmit, now + pto);
  s.probe_armed = true;
  return true;
}

// The probe timer fired (tcp_send_loss_probe): new data if the peer's
// window has room for it (cwnd is not consulted: "force out a loss probe
// pkt"), else the last segment again; then the RTO from now. cwnd is not
// touched, nothing counts as an RTO and the timer does not back off.
void Sim::send_loss_probe(Sock& s) {
  if (!sends_data(s.state) || s.snd_una == s.snd_max) return;
  if (s.tlp_high_seq == 0) {  // "At most one outstanding TLP"
    const std::uint32_t mss = sys(s).mss;
    const std::uint64_t unsent = s.written - s.sent;
    const std::uint32_t in_flight = s.snd_nxt - s.snd_una;
    const std::uint32_t len = static_cast<std::uint32_t>(std::min<std::uint64_t>(unsent, mss));
    const std::uint32_t before = s.snd_max;
    // New data, or a FIN held back by cwnd (tcp_send_head(): the FIN's skb).
    const bool fin_waits = unsent == 0 && s.fin_queued && !s.fin_sent;
    if ((unsent > 0 || fin_waits) && !s.fin_sent && s.snd_nxt == s.snd_max && in_flight + len <= s.snd_wnd) {
      const std::uint32_t cwnd = s.cwnd;
      const bool nodelay = s.nodelay;
      s.cwnd = std::max(cwnd, fin_waits ? ((in_flight + mss - 1) / mss + 1) * mss : in_flight + len);  // one segment past cwnd
      s.nodelay = true;                          // TCP_NAGLE_OFF
      trace_note(s.host, &s, "tail loss probe: new data, before the RTO (RFC 8985 §7.3)");
      output(s);
      s.cwnd = cwnd;
      s.nodelay = nodelay;
    }
    if (s.snd_max != before) {
      s.tlp_retrans = false;
    } else {
      const std::uint32_t tail = seq_lt(s.tail_seq, s.snd_una) ? s.snd_una : s.tail_seq;
      trace_note(s.host, &s, "tail loss probe: the last segment is sent again before the RTO (RFC 8985 §7.3)");
      retransmit_at(s, tail);
      s.tlp_retrans = true;
    }
    s.tlp_high_seq = s.snd_max;
  }
  rearm_rto(s);
}

}  // namespace tcpsim
