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

std::uint16_t Sim::adv_window(Sock& s) {
  // Linux advertises about half the receive buffer (tcp_adv_win_scale = 1),
  // rounded down to a multiple of the MSS (tcp_select_initial_window).
  // Deviation: no window scaling option; the window is capped at 65535.
  const Sysctls& y = sys(s);
  std::int64_t space = static_cast<std::int64_t>(y.rcvbuf / 2) - static_cast<std::int64_t>(s.rcv_buf());
  if (space < 0) space = 0;
  if (space > 65535) space = 65535;
  std::uint32_t w = static_cast<std::uint32_t>(space);
  if (w >= y.mss) w = (w / y.mss) * y.mss;
  s.rcv_wnd = w;
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
  return g;
}

void Sim::send_segment(Sock& s, Segment seg, bool retrans) {
  if (hosts[s.host].crashed) return;
  if (seq_gt(seg.seq + seg.seg_len(), s.snd_max) || s.snd_max == 0) {
    if (seg.seg_len() > 0) s.snd_max = seg.seq + seg.seg_len();
  }
  if (seg.flags & kAck) on_ack_sent(s);
  transmit(s.host, seg, retrans, &s);
  if (!retrans && (seg.len > 0 || (seg.flags & (kSyn | kFin)))) {
    on_data_sent(s);
    if (s.rtt_start < 0) {  // time one segment per RTT (Karn: never a retransmission)
      s.rtt_start = now;
      s.rtt_seq = seg.seq + seg.seg_len();
    }
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
  for (;;) {
    const std::uint64_t unsent = s.written - s.sent;
    const std::uint32_t in_flight = s.snd_nxt - s.snd_una;
    const std::uint32_t wnd = std::min(s.snd_wnd, s.cwnd);
    if (unsent > 0 && !s.fin_sent) {
      std::uint64_t room = wnd > in_flight ? wnd - in_flight : 0;
      std::uint32_t len = static_cast<std::uint32_t>(std::min<std::uint64_t>({unsent, y.mss, room}));
      if (len == 0) {
        // Window full. With nothing in flight no ACK will come to reopen it:
        // the retransmission timer doubles as the persist timer (RFC 9293
        // §3.8.6.1, Linux tcp_probe_timer) and sends zero-window probes.
        if (in_flight == 0 && !s.timers[static_cast<int>(TimerKind::Retransmit)]) rearm_rto(s);
        break;
      }
      // Nagle (RFC 1122 §4.2.3.4): a small segment waits while data is
      // unacknowledged. Deviation: Linux uses Minshall's variant
      // (tcp_nagle_check(), tcp_minshall_check()): it waits only while an
      // earlier small segment is unacknowledged, so the short tail of a
      // large write goes out with the rest; and a segment carrying the FIN
      // never waits (tcp_nagle_test()).
      const bool last = s.sent + len == s.written;
      const bool linux_nagle = hosts[s.host].profile == Profile::Linux;
      if (len < y.mss && !s.nodelay && in_flight > 0 && len == unsent &&
          (!linux_nagle || (s.sml > s.acked && !(last && s.fin_queued))))
        break;
      std::uint8_t flags = kAck;
      if (last) flags |= kPsh;  // Linux marks the end of a write with PSH
      // Linux tcp_send_fin: the FIN rides on the last queued data segment.
      if (last && s.fin_queued) flags |= kFin;
      const bool retrans = seq_lt(s.snd_nxt, s.snd_max);
      Segment g = make_segment(s, flags, s.snd_nxt, len);
      s.snd_nxt += len;
      s.sent += len;
      if (len < y.mss) s.sml = s.sent;
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
  const bool more_than_one_mss = (s.rcv_nxt - s.rcv_wup) > sys(s).mss;
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
