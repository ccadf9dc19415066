// tcpsim — sending: building segments, the output loop (window, Nagle,
// FIN), and Linux's ACK policy (quick ACKs, delayed ACKs, pingpong mode).
//
// References: RFC 9293 §3.8.6.2 (Nagle, SWS), §3.8.6.3 (delayed ACK, RFC 1122
// §4.2.3.2), Linux tcp_output.c (tcp_write_xmit, tcp_send_fin, tcp_send_ack,
// tcp_send_delayed_ack) and tcp_input.c (__tcp_ack_snd_check,
// tcp_event_data_recv).
#include <algorithm>

#include "sim.hpp"
#include "tcpsim/seq.hpp"

namespace tcpsim {

// The window still offered by the last advertisement: its right edge,
// RCV.WUP + RCV.WND, less what arrived since (tcp_receive_window()). Before
// the handshake is complete nothing is offered yet (a SYN's window is the
// initial one, tcp_select_initial_window()).
std::uint32_t Sim::receive_window(const Sock& s) const {
  const bool offered = s.state != TcpState::Closed && s.state != TcpState::Listen &&
                       s.state != TcpState::SynSent && s.state != TcpState::SynReceived;
  const std::uint32_t since = s.rcv_nxt - s.rcv_wup;
  return offered && s.rcv_wnd > since ? s.rcv_wnd - since : 0;
}

// The window of a SYN or SYN,ACK: about half the receive buffer
// (tcp_adv_win_scale = 1), rounded down to a multiple of the MSS
// (tcp_select_initial_window(): space = rounddown(space, mss)).
// Deviation (tcpsim): no window scaling option; the window is capped at
// 65535. Linux rounds to its own MSS (advmss, less the timestamp option);
// the model to Sysctls::mss, which `tcpsim packetdrill` makes the peer's.
std::uint32_t Sim::initial_window(const Sock& s) {
  const std::uint32_t full = std::min<std::uint32_t>(rcvbuf_of(s) / 2, 65535);
  const std::uint32_t mss = sys(s).mss;
  return mss && full >= mss ? full / mss * mss : full;
}

// The window the free receive space allows now, before the never-shrink
// rule (Linux __tcp_select_window(); RFC 9293 §3.8.6.2.2). No side effects:
// tcp_cleanup_rbuf() and __tcp_ack_snd_check() ask it too.
std::int64_t Sim::select_window(const Sock& s) {
  const Sysctls& y = sys(s);
  const std::int64_t half = rcvbuf_of(s) / 2;
  const std::int64_t full = std::min<std::int64_t>(half, 65535);
  std::int64_t space = half - static_cast<std::int64_t>(s.rcv_buf());
  if (space < 0) space = 0;
  if (space > 65535) space = 65535;
  const std::int64_t mss = std::min<std::int64_t>(y.mss, full);
  const std::int64_t cur = receive_window(s);
  std::int64_t w = space;
  if (hosts[s.host].profile == Profile::Linux) {
    // Receiver silly-window avoidance.
    // Deviation (Linux, __tcp_select_window()): with less than half the
    // buffer free, a free space under one MSS, or under a sixteenth of the
    // buffer, is offered as a zero window (RFC 9293 §3.8.6.2.2 holds the
    // right edge until the increase reaches min(RCV.BUFF/2, MSS), below).
    if (space < full / 2 && (space < full / 16 || space < mss)) w = 0;
    // Deviation (tcpsim): the free space is rounded down to the MSS every
    // time; Linux keeps its last offer while that is within one MSS of the
    // free space, rounds to rcv_mss (the peer's segment size as measured,
    // tcp_measure_rcv_mss()), caps the offer at rcv_ssthresh, and counts
    // the free space in skb->truesize (not modelled).
    else if (w >= mss && mss > 0) w = (w / mss) * mss;
  } else {
    // RFC 9293 §3.8.6.2.2: keep RCV.NXT + RCV.WND fixed until the free
    // space exceeds it by min(Fr * RCV.BUFF, Eff.snd.MSS), Fr = 1/2.
    if (space - cur < std::min(full / 2, mss)) w = 0;
    else if (w >= mss && mss > 0) w = (w / mss) * mss;
  }
  return w;
}

std::uint16_t Sim::adv_window(Sock& s) {
  const bool offered = s.state != TcpState::Closed && s.state != TcpState::Listen &&
                       s.state != TcpState::SynSent && s.state != TcpState::SynReceived;
  const std::int64_t cur = receive_window(s);
  std::int64_t w = offered ? select_window(s) : initial_window(s);
  // Never shrink the window (tcp_select_window(), RFC 9293 §3.8.6.2.2):
  // a smaller value keeps the right edge offered before.
  if (w < cur) w = cur;
  s.rcv_wnd = static_cast<std::uint32_t>(w);
  return static_cast<std::uint16_t>(w);
}

Segment Sim::make_segment(const Sock& s, std::uint8_t flags, std::uint32_t seq, std::uint32_t len) {
  Segment g;
  g.src_ip = s.lip;
  g.dst_ip = s.rip;
  g.sport = s.lport;
  g.dport = s.rport;
  g.seq = seq;
  g.flags = flags;
  g.len = len;
  if (flags & kAck) g.ack = s.rcv_nxt;
  g.win = adv_window(const_cast<Sock&>(s));
  if (flags & kRst) g.win = 0;
  if ((flags & kAck) && !(flags & kRst)) g.dsack = s.dsack_pending;
  return g;
}

void Sim::send_segment(Sock& s, Segment seg, bool retrans) {
  if (hosts[s.host].crashed) return;
  if (seq_gt(seg.seq + seg.seg_len(), s.snd_max) || s.snd_max == 0) {
    if (seg.seg_len() > 0) s.snd_max = seg.seq + seg.seg_len();
  }
  if (seg.flags & kAck) on_ack_sent(s);
  if (retrans) ++s.total_retrans;  // tp->total_retrans (TCP_INFO)
  if (seg.len > 0 || (seg.flags & kFin)) {
    if (s.ca_state == CaState::Recovery) ++s.prr_out;  // PRR: sent during recovery
    if (seg.len > 0 && hosts[s.host].profile == Profile::Linux) {
      // tcp_event_data_sent(): data leaving an empty pipe
      // (CA_EVENT_TX_START).
      if (!retrans && seg.seq == s.snd_una) cubic_tx_start(s);
      s.lsndtime = now;
    }
  }
  transmit(s.host, seg, retrans, &s);
  if (!retrans && (seg.len > 0 || (seg.flags & (kSyn | kFin)))) {
    s.tail_seq = seg.seq;  // the newest segment: what a tail loss probe re-sends
    if (seg.flags & kPsh) s.psh_ends.push_back(seg.seq + seg.len);
    on_data_sent(s);
    if (s.rtt_start < 0) {  // time one segment per RTT (Karn: never a retransmission)
      s.rtt_start = now;
      s.rtt_seq = seg.seq + seg.seg_len();
    }
  } else if (retrans && s.rtt_start < 0 && !(seg.flags & kSyn) && (seg.len > 0 || (seg.flags & kFin)) &&
             hosts[s.host].profile == Profile::Linux) {
    // Deviation (Linux, tcp_ack_update_rtt()): Karn's algorithm (RFC 6298
    // §3) takes no sample from a retransmitted segment, so the backed-off
    // RTO stays until new data is timed (the rfc9293 profile). Linux has TCP
    // timestamps on (net.ipv4.tcp_timestamps = 1): the ACK of a
    // retransmission echoes the retransmission's TSval, tcp_rtt_tsopt_us()
    // turns it into a sample, then tcp_set_rto() and icsk_backoff = 0. The
    // model has no options: it times the retransmission itself (measured,
    // docs/kernel-facts.md §58).
    s.rtt_start = now;
    s.rtt_seq = seg.seq + seg.seg_len();
  }
  s.idle_since = now;
}

// The output loop (tcp_write_xmit): send new data as the peer's window, the
// congestion window and Nagle allow; then the FIN when it is queued.
void Sim::output(Sock& s) {
  switch (s.state) {
    case TcpState::Established:
    case TcpState::CloseWait:
    case TcpState::FinWait1:
    case TcpState::LastAck:
    case TcpState::Closing:
      break;
    default:
      return;
  }
  const Sysctls& y = sys(s);
  const std::uint32_t prior_max = s.snd_max;
  // tcp_write_xmit() runs only with something queued (tcp_send_head()).
  const bool queued = s.written > s.sent || (s.fin_queued && !s.fin_sent);
  if (s.snd_wnd > s.max_sndwnd) s.max_sndwnd = s.snd_wnd;  // tcp_ack_update_window()
  const bool linux_nagle = hosts[s.host].profile == Profile::Linux;
  // Sender silly-window avoidance. Deviation (Linux, tcp_bound_to_half_wnd(),
  // called by tcp_sync_mss() when the peer's largest window grows): segments
  // are at most half the largest window the peer offered (when that is over
  // 536 bytes), so a 1000-byte window gets two 500-byte segments (measured,
  // tests/packetdrill/sws-sender-half-window.pkt); RFC 9293 §3.8.6.2.1 would
  // send one 1000-byte segment (at least Fs = 1/2 of the largest window).
  std::uint32_t mss = y.mss;
  if (linux_nagle) {
    const std::uint32_t cutoff = s.max_sndwnd > 536 ? s.max_sndwnd / 2 : s.max_sndwnd;
    if (cutoff && mss > cutoff) mss = std::max<std::uint32_t>(cutoff, 48);  // 68 - TCP header
  }
  // The room the peer's window and cwnd leave with `in_flight` bytes
  // out: the peer's window counts every byte, cwnd the flight as
  // cwnd_pipe() counts it (with the linux profile, less what duplicate
  // ACKs say the peer holds).
  const auto room_for = [&](std::uint32_t in_flight) -> std::uint64_t {
    const std::uint32_t held = (s.snd_nxt - s.snd_una) - cwnd_pipe(s);
    const std::uint32_t pipe = in_flight > held ? in_flight - held : 0;
    const std::uint64_t by_wnd = s.snd_wnd > in_flight ? s.snd_wnd - in_flight : 0;
    const std::uint64_t by_cwnd = s.cwnd > pipe ? s.cwnd - pipe : 0;
    return std::min(by_wnd, by_cwnd);
  };
  for (;;) {
    const std::uint64_t unsent = s.written - s.sent;
    const std::uint32_t in_flight = s.snd_nxt - s.snd_una;
    if (unsent > 0 && !s.fin_sent) {
      std::uint64_t room = room_for(in_flight);
      std::uint32_t len = static_cast<std::uint32_t>(std::min<std::uint64_t>({unsent, mss, room}));
      if (len == 0) {
        // Window full. With nothing in flight no ACK will come to reopen it:
        // the retransmission timer doubles as the persist timer (RFC 9293
        // §3.8.6.1, Linux tcp_probe_timer) and sends zero-window probes.
        if (in_flight == 0 && !s.timers[static_cast<int>(TimerKind::Retransmit)]) rearm_rto(s);
        break;
      }
      // RFC 9293 §3.8.6.2.1: a segment shorter than the MSS that is not all
      // the queued data waits unless it is at least half the peer's largest
      // window; the ACK of the data in flight reopens the window (with
      // nothing in flight it goes: the model has no override timer).
      if (!linux_nagle && len < mss && len < unsent && in_flight > 0 &&
          static_cast<std::uint64_t>(len) * 2 < s.max_sndwnd)
        break;
      // Nagle (RFC 1122 §4.2.3.4): a small segment waits while data is
      // unacknowledged.
      // Deviation (Linux, tcp_nagle_check(), tcp_minshall_check()): Linux
      // uses Minshall's variant: it waits only while an
      // earlier small segment is unacknowledged, so the short tail of a
      // large write goes out with the rest; and a segment carrying the FIN
      // never waits (tcp_nagle_test()).
      const bool last = s.sent + len == s.written;
      if (len < mss && !s.nodelay && in_flight > 0 && len == unsent &&
          (!linux_nagle || (s.sml > s.acked && !(last && s.fin_queued))))
        break;
      std::uint8_t flags = kAck;
      if (last) flags |= kPsh;  // Linux marks the end of a write with PSH
      // Linux also sets PSH on the last segment of every burst it sends
      // while more data waits (measured with packetdrill on Linux 6.18,
      // docs/kernel-facts.md §48: each burst the window or cwnd ends, and
      // each size-goal chunk a long write pushes, see tcp_send()). Look ahead:
      // would this loop send another segment after this one? (Not for a
      // retransmission: Linux re-sends a piece of the skb, without PSH.)
      if (!last && !seq_lt(s.snd_nxt, s.snd_max)) {
        const std::uint64_t unsent2 = unsent - len;
        const std::uint32_t in_flight2 = in_flight + len;
        const std::uint64_t room2 = room_for(in_flight2);
        const std::uint32_t len2 = static_cast<std::uint32_t>(std::min<std::uint64_t>({unsent2, mss, room2}));
        const std::uint64_t sml2 = len < mss ? s.sent + len : s.sml;
        const bool last2 = len2 == unsent2;
        const bool nagle2 = len2 < mss && !s.nodelay && len2 == unsent2 &&
                            (!linux_nagle || (sml2 > s.acked && !(last2 && s.fin_queued)));
        if (len2 == 0 || nagle2) flags |= kPsh;
      }
      // Linux tcp_send_fin: the FIN rides on the last queued data segment
      // when that is not sent yet. A retransmission carries it only if the
      // FIN went out before (tcp_retrans_try_collapse() merges the FIN's skb
      // into it); a FIN still held back stays its own segment (measured,
      // docs/kernel-facts.md §60).
      const bool retrans = seq_lt(s.snd_nxt, s.snd_max);
      if (last && s.fin_queued && (!retrans || s.fin_ever)) flags |= kFin;
      Segment g = make_segment(s, flags, s.snd_nxt, len);
      s.snd_nxt += len;
      s.sent += len;
      if (len < mss) s.sml = s.sent;
      if (flags & kFin) {
        s.fin_seq = s.snd_nxt;
        s.snd_nxt += 1;
        s.fin_sent = true;
        s.fin_ever = true;
      }
      send_segment(s, g, retrans);
      if (!s.timers[static_cast<int>(TimerKind::Retransmit)]) rearm_rto(s);
      continue;
    }
    if (s.fin_queued && !s.fin_sent && unsent == 0) {
      // Deviation (Linux, tcp_cwnd_test()): a FIN of its own waits behind
      // cwnd like data: nothing goes out while the packets in flight fill
      // the window (6.18 has no exemption for the final FIN), so a close()
      // after a burst that filled cwnd, or during an RTO episode (cwnd 1
      // MSS, the retransmission in flight), sends the FIN only when an ACK
      // opens the window (measured, docs/kernel-facts.md §60). RFC 9293
      // §3.10.4 sends it once the data is segmentized (rfc9293 profile).
      if (linux_nagle) {
        const std::uint32_t pipe = cwnd_pipe(s);
        const std::uint32_t pkts_in_flight = (pipe + y.mss - 1) / y.mss;
        if (pkts_in_flight >= std::max<std::uint32_t>(s.cwnd / y.mss, 1)) break;
      }
      const bool retrans = seq_lt(s.snd_nxt, s.snd_max);
      Segment g = make_segment(s, kFin | kAck, s.snd_nxt, 0);
      s.fin_seq = s.snd_nxt;
      s.snd_nxt += 1;
      s.fin_sent = true;
      s.fin_ever = true;
      send_segment(s, g, retrans);
      if (!s.timers[static_cast<int>(TimerKind::Retransmit)]) rearm_rto(s);
    }
    break;
  }
  if (queued) cwnd_validate(s, s.snd_max != prior_max);
  // tcp_write_xmit(): "Send one loss probe per tail loss episode": new data
  // went out, so the timer may become a loss probe (tcp_congestion.cpp).
  if (s.snd_max != prior_max) schedule_loss_probe(s, false);
}

void Sim::send_ack_now(Sock& s) {
  Segment g = make_segment(s, kAck, s.snd_nxt, 0);
  send_segment(s, g, false);
}

// An RST on a synchronized connection (tcp_send_active_reset): RST|ACK with
// the next sequence number.
void Sim::send_rst_for(Sock& s) {
  Segment g = make_segment(s, kRst | kAck, s.snd_nxt, 0);
  transmit(s.host, g, false, &s);
}

// RFC 9293 §3.10.7.1: a segment for no connection. "If the ACK bit is off,
// sequence number zero is used, <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
// If the ACK bit is on, <SEQ=SEG.ACK><CTL=RST>." Never answer an RST.
void Sim::send_reset_reply(std::uint16_t host, const Segment& in, const char* why) {
  if (in.flags & kRst) return;
  Segment g;
  g.src_ip = in.dst_ip;
  g.dst_ip = in.src_ip;
  g.sport = in.dport;
  g.dport = in.sport;
  if (in.flags & kAck) {
    g.seq = in.ack;
    g.flags = kRst;
  } else {
    g.seq = 0;
    g.ack = in.seq + in.seg_len();
    g.flags = kRst | kAck;
  }
  trace_note(host, nullptr, std::string("RST in reply: ") + why);
  transmit(host, g, false, nullptr);
}

// ---- ACK policy (Linux) ----

// After any segment carrying an ACK (tcp_event_ack_sent).
void Sim::on_ack_sent(Sock& s) {
  if (s.quick > 0) {
    if (--s.quick == 0) s.ato = sys(s).delack_min;
  }
  s.ack_pending = false;
  s.rcv_wup = s.rcv_nxt;
  if (s.timers[static_cast<int>(TimerKind::DelayedAck)]) cancel(s, TimerKind::DelayedAck);
}

// tcp_event_data_sent: a reply within ato of the last received data means
// an interactive (request/response) connection: enter pingpong mode, where
// ACKs are delayed to ride on replies.
void Sim::on_data_sent(Sock& s) {
  if (s.lrcvtime && now - s.lrcvtime < s.ato) s.pingpong = true;
}

// __tcp_ack_snd_check: ACK now, or arm the delayed-ACK timer.
void Sim::ack_snd_check(Sock& s, bool ofo) {
  if (!s.ack_pending) return;
  const bool quick = s.quick > 0 && !s.pingpong;
  bool more_than_one_mss = (s.rcv_nxt - s.rcv_wup) > sys(s).mss;
  // Deviation (Linux, __tcp_ack_snd_check()): the ACK for more than one
  // full segment goes out only while the data is all read (rcv_nxt -
  // copied_seq < SO_RCVLOWAT) or the right edge can advance
  // (__tcp_select_window() >= rcv_wnd); while the window shrinks, the read
  // (tcp_cleanup_rbuf()) or the delayed ACK sends it. RFC 9293 §3.8.6.3
  // (RFC 1122 §4.2.3.2) ACKs every second full segment.
  if (more_than_one_mss && hosts[s.host].profile == Profile::Linux && s.rcv_buf() > 0 &&
      select_window(s) < static_cast<std::int64_t>(s.rcv_wnd))
    more_than_one_mss = false;
  if (more_than_one_mss || quick || ofo) {
    send_ack_now(s);
  } else {
    schedule_delack(s);
  }
}

void Sim::schedule_delack(Sock& s) {
  s.ack_pending = true;
  if (s.timers[static_cast<int>(TimerKind::DelayedAck)]) return;
  // Linux sets ato (TCP_ATO_MIN, 40 ms) on the first data segment received
  // (tcp_event_data_recv). Before any data it is 0, and tcp_send_delayed_ack()
  // arms the timer for "now": it fires at the next timer tick. Measured on
  // Linux 6.18 (CONFIG_HZ=250): the ACK of a FIN on a connection that never
  // carried data goes out 2-8 ms after the FIN, not 40 ms (docs/kernel-facts.md
  // §2). Modelled as one tick, 4 ms.
  constexpr Time kOneTick = msec(4);
  const Time ato = s.ato ? s.ato : kOneTick;
  arm(s, TimerKind::DelayedAck, now + ato);
}

}  // namespace tcpsim
