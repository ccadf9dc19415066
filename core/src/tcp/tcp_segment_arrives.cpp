// tcpsim — SEGMENT ARRIVES (RFC 9293 §3.10.7).
//
// Organised as the RFC's steps. Each step first does its bookkeeping
// (sequence variables, data, timers), then names what happened as an event
// for the transition table (tcp_fsm.cpp): RcvSyn, RcvSynAck, RcvAckOfSyn,
// RcvFin, RcvAckOfFin, RcvRst. A segment that changes nothing is dropped
// with a reason in the trace.
//
// Linux behaviour is followed where it differs, each marked
// "Deviation (Linux, function()):" (docs/model.md).
#include <algorithm>
#include <cerrno>

#include "sim.hpp"
#include "tcpsim/fsm_table.hpp"
#include "tcpsim/seq.hpp"

namespace tcpsim {

// RFC 9293 §3.10.7.4, first step: the acceptability test.
//   Segment Length  Receive Window  Test
//   0               0               SEG.SEQ = RCV.NXT
//   0               >0              RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND
//   >0              0               not acceptable
//   >0              >0              RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND
//                                or RCV.NXT =< SEG.SEQ+SEG.LEN-1 < RCV.NXT+RCV.WND
bool Sim::acceptable(const Sock& s, const Segment& seg) const {
  const std::uint32_t len = seg.seg_len();
  const std::uint32_t wnd = std::max<std::uint32_t>(s.rcv_wnd, 1);  // RST/ACK-only tests use >0
  if (len == 0) {
    if (s.rcv_wnd == 0) return seg.seq == s.rcv_nxt;
    return seq_in(seg.seq, s.rcv_nxt, s.rcv_nxt + wnd);
  }
  if (s.rcv_wnd == 0) return false;
  return seq_in(seg.seq, s.rcv_nxt, s.rcv_nxt + wnd) ||
         seq_in(seg.seq + len - 1, s.rcv_nxt, s.rcv_nxt + wnd);
}

// RFC 9293 §3.10.7.2: LISTEN.
void Sim::listen_arrives(Sock& l, const Segment& seg) {
  if (seg.flags & kRst) {  // "An incoming RST segment could not be valid ... ignore it."
    trace_note(l.host, &l, "RST to a listening socket: ignored");
    return;
  }
  if (seg.flags & kAck) {  // "Any acknowledgment is bad if it arrives on a connection still in LISTEN"
    if (!(seg.flags & kSyn) && cookie_ack_arrives(l, seg)) return;
    send_reset_reply(l.host, seg, "ACK to a listening socket with no such connection");
    return;
  }
  if (!(seg.flags & kSyn)) {
    trace_note(l.host, &l, "segment without SYN to a listening socket: dropped");
    return;
  }
  ListenQueues& lq = listens[l.listen_idx - 1];
  // Linux tcp_conn_request: "if (sk_acceptq_is_full(sk)) goto drop", where
  // full means more than the backlog (sk_ack_backlog > sk_max_ack_backlog),
  // so listen(fd, 1) holds two connections. The SYN is dropped silently and
  // the client retransmits it.
  if (static_cast<int>(lq.accept_q.size()) > lq.backlog) {
    trace_note(l.host, &l,
               "SYN dropped: accept queue full (" + std::to_string(lq.accept_q.size()) +
                   " waiting, backlog " + std::to_string(lq.backlog) + ")");
    return;
  }
  // Deviation (Linux, tcp_conn_request()): with tcp_syncookies = 1, the
  // default, when the request queue holds more than the backlog
  // (inet_csk_reqsk_queue_is_full: qlen > sk_max_ack_backlog) the SYN is
  // answered with a SYN cookie and nothing is kept, so that SYN,ACK is never
  // retransmitted; RFC 9293 has no such queue. Not for a SYN that reopens a
  // TIME_WAIT 4-tuple ("TW buckets are converted to open requests without
  // limitations"). Measured, docs/kernel-facts.md §29.
  // net.ipv4.tcp_syncookies (tcp_conn_request: "if ((syncookies == 2 ||
  // inet_csk_reqsk_queue_is_full(sk)) && !isn)"): 2 sends a cookie for every
  // SYN; 0 makes tcp_syn_flood_action() refuse the cookie and the SYN is
  // dropped, so the client retransmits it (docs/kernel-facts.md §31).
  // Deviation (tcpsim): with 0, Linux also keeps the last quarter of
  // tcp_max_syn_backlog (2048) for peers it has seen; not modelled.
  const int syncookies = hosts[l.host].sys.tcp_syncookies;
  const bool reqsk_queue_full = static_cast<int>(lq.syn_q.size()) > lq.backlog;
  if ((syncookies == 2 || reqsk_queue_full) && !forced_iss && hosts[l.host].profile == Profile::Linux) {
    if (syncookies == 0) {
      trace_note(l.host, &l,
                 "SYN dropped: request queue full (" + std::to_string(lq.syn_q.size()) + " waiting, backlog " +
                     std::to_string(lq.backlog) + ") and no SYN cookies (tcp_syncookies=0)");
      return;
    }
    Segment g;
    g.src_ip = hosts[l.host].ip;
    g.dst_ip = seg.src_ip;
    g.sport = seg.dport;
    g.dport = seg.sport;
    g.seq = syn_cookie(l, seg, seg.seq);
    g.ack = seg.seq + 1;
    g.flags = kSyn | kAck;
    g.win = static_cast<std::uint16_t>(initial_window(l));  // the listener's buffer and MSS
    trace_note(l.host, &l,
               (reqsk_queue_full ? "request queue full (" + std::to_string(lq.syn_q.size()) + " waiting, backlog " +
                                       std::to_string(lq.backlog) + ")"
                                 : std::string("tcp_syncookies=2")) +
                   ": SYN,ACK with a SYN cookie, no request socket kept");
    transmit(l.host, g, false, &l);
    return;
  }
  const std::uint32_t cid = new_child(l, seg);
  Sock& c = sock(cid);
  c.irs = seg.seq;
  c.rcv_nxt = seg.seq + 1;
  c.rcv_wup = c.rcv_nxt;
  c.snd_wnd = seg.win;
  c.snd_wl1 = seg.seq;
  c.iss = new_iss(c);
  lq.syn_q.push_back(cid);
  // The child starts as a copy of the listener (RFC 9293: the LISTEN TCB
  // itself moves on), so its first transition is LISTEN -> SYN_RECEIVED.
  count_state(c, TcpState::Closed, TcpState::Listen);
  c.state = TcpState::Listen;
  fsm(c, FsmEvent::RcvSyn);
}

// A socket for the 4-tuple of `seg`, inheriting the listener's options, not
// yet in any queue (Linux inet_csk_clone_lock).
std::uint32_t Sim::new_child(Sock& l, const Segment& seg) {
  ListenQueues& lq = listens[l.listen_idx - 1];
  const std::uint32_t cid = new_socket(l.host, 0);
  Sock& c = sock(cid);
  const Sock& lis = l;  // socks is a deque: references stay valid
  c.lip = seg.dst_ip;  // the address the SYN came to (127.0.0.1 over loopback); the listener has any
  c.lport = lis.lport;
  c.rip = seg.src_ip;
  c.rport = seg.sport;
  c.listener = lis.id;
  c.nodelay = lis.nodelay;
  c.keepalive = lis.keepalive;
  c.reuseaddr = lis.reuseaddr;  // sk_clone_lock() copies sk_reuse: the child's TIME_WAIT keeps it
  c.linger_on = lis.linger_on;
  c.linger_secs = lis.linger_secs;
  c.rcvbuf = lis.rcvbuf;    // sk_clone_lock() copies sk_rcvbuf (SO_RCVBUF on the listener)
  c.orphan = true;  // no descriptor until accept()
  c.last_rcv = now;
  ++lq.children;
  register_socket(c, 0, lq.label + "~" + std::to_string(lq.children));
  hash_conn(c);
  return cid;
}

// The SYN cookie (Linux __cookie_v4_init_sequence): a keyed hash of the
// 4-tuple and the client's ISN, so the ACK can be checked without any state.
// Deterministic from the scenario's seed; the MSS and minute counter Linux
// folds in are left out (one MSS, cookies never expire here).
std::uint32_t Sim::syn_cookie(const Sock& l, const Segment& seg, std::uint32_t irs) const {
  std::uint64_t x = (opt.seed ? *opt.seed : sc.seed) ^ 0x9e3779b97f4a7c15ull;
  auto mix = [&x](std::uint64_t v) {
    x ^= v + 0x9e3779b97f4a7c15ull + (x << 6) + (x >> 2);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    x ^= x >> 31;
  };
  mix(hosts[l.host].ip);
  mix(seg.src_ip);
  mix((static_cast<std::uint64_t>(seg.sport) << 16) | seg.dport);
  mix(irs);
  return static_cast<std::uint32_t>(x);
}

// The ACK of a SYN cookie reaching the listener (Linux tcp_v4_cookie_check ->
// cookie_v4_check -> tcp_get_cookie_sock): a valid cookie rebuilds the
// connection at once, ESTABLISHED, if the accept queue has room
// (tcp_v4_syn_recv_sock: sk_acceptq_is_full); otherwise the ACK is dropped
// and the client, which believes it is connected, is not told.
bool Sim::cookie_ack_arrives(Sock& l, const Segment& seg) {
  // cookie_v4_check: "if (!READ_ONCE(net->ipv4.sysctl_tcp_syncookies) ...) goto out".
  if (hosts[l.host].profile != Profile::Linux || hosts[l.host].sys.tcp_syncookies == 0) return false;
  const std::uint32_t irs = seg.seq - 1;
  if (seg.ack - 1 != syn_cookie(l, seg, irs)) return false;
  ListenQueues& lq = listens[l.listen_idx - 1];
  if (static_cast<int>(lq.accept_q.size()) > lq.backlog) {
    trace_note(l.host, &l,
               "ACK of a SYN cookie dropped: accept queue full (" + std::to_string(lq.accept_q.size()) +
                   " waiting, backlog " + std::to_string(lq.backlog) + ")");
    return true;
  }
  const std::uint32_t cid = new_child(l, seg);
  Sock& c = sock(cid);
  c.cookie_child = true;
  c.irs = irs;
  c.rcv_nxt = seg.seq;
  c.rcv_wup = c.rcv_nxt;
  c.iss = seg.ack - 1;
  c.snd_una = c.iss;
  c.snd_nxt = seg.ack;
  c.snd_max = seg.ack;
  c.rto = sys(c).rto_initial;  // no RTT sample from a cookie handshake
  count_state(c, TcpState::Closed, TcpState::Listen);
  c.state = TcpState::Listen;
  fsm(c, FsmEvent::RcvSyn, "rcv SYN (in the ACK of a SYN cookie: cookie_v4_check rebuilds the request)");
  c.snd_una = seg.ack;
  c.snd_wnd = seg.win;
  c.snd_wl1 = seg.seq;
  c.snd_wl2 = seg.ack;
  lq.accept_q.push_back(cid);
  fsm(c, FsmEvent::RcvAckOfSyn);
  wake(sock(c.listener));
  if (seg.len > 0 || (seg.flags & kFin)) segment_arrives(c, seg);
  return true;
}

// RFC 9293 §3.10.7.3: SYN-SENT.
void Sim::synsent_arrives(Sock& s, const Segment& seg) {
  // First, check the ACK bit.
  if (seg.flags & kAck) {
    if (seq_le(seg.ack, s.iss) || seq_gt(seg.ack, s.snd_nxt)) {
      if (!(seg.flags & kRst)) send_reset_reply(s.host, seg, "unacceptable ACK in SYN_SENT");
      else trace_note(s.host, &s, "RST with unacceptable ACK in SYN_SENT: dropped");
      return;
    }
  }
  // Second, the RST bit.
  if (seg.flags & kRst) {
    if (!(seg.flags & kAck)) {
      trace_note(s.host, &s, "RST without ACK in SYN_SENT: dropped");
      return;
    }
    // "the user should be warned with 'error: connection reset'": Linux
    // tcp_reset() reports ECONNREFUSED in SYN_SENT (the row's action).
    fsm(s, FsmEvent::RcvRst);
    return;
  }
  // Fourth, the SYN bit.
  if (!(seg.flags & kSyn)) {
    trace_note(s.host, &s, "segment without SYN or RST in SYN_SENT: dropped");
    return;
  }
  s.irs = seg.seq;
  s.rcv_nxt = seg.seq + 1;
  s.rcv_wup = s.rcv_nxt;
  s.last_rcv = now;
  if (seg.flags & kAck) {
    s.snd_una = seg.ack;
    s.snd_wnd = seg.win;
    s.snd_wl1 = seg.seq;
    s.snd_wl2 = seg.ack;
    if (s.rtt_start >= 0 && s.retransmits == 0) rtt_sample(s, now - s.rtt_start);
    else s.rto = sys(s).rto_initial;
    s.rtt_start = -1;
    // "If SND.UNA > ISS (our SYN has been ACKed), change the connection
    // state to ESTABLISHED, form an ACK segment and send it."
    fsm(s, FsmEvent::RcvSynAck);
    output(s);
    return;
  }
  // "Otherwise, enter SYN-RECEIVED, form a SYN,ACK segment and send it":
  // simultaneous open.
  s.snd_wnd = seg.win;
  s.snd_wl1 = seg.seq;
  fsm(s, FsmEvent::RcvSyn);
}

// TIME_WAIT, and Linux's orphaned FIN_WAIT_2 which lives in the same
// timewait socket (tcp_timewait_state_process in tcp_minisocks.c).
void Sim::timewait_arrives(Sock& s, const Segment& seg) {
  const Sysctls& y = sys(s);
  s.last_rcv = now;
  const bool bare_in_window =
      seg.seq == s.rcv_nxt && (seg.seg_len() == 0 || (seg.flags & kRst));
  if (bare_in_window) {
    if (seg.flags & kRst) {
      // RFC 1337 "TIME-WAIT assassination": the row's guard [tcp_rfc1337=0]
      // (tcp_fsm.cpp) decides; with tcp_rfc1337 = 1 the RST is ignored
      // (RFC 1337 fix TW1) and the note names the guard.
      fsm(s, FsmEvent::RcvRst, "rcv RST (TIME-WAIT assassination)");
      return;
    }
    arm(s, TimerKind::TimeWait, now + y.time_wait);  // inet_twsk_reschedule
    return;
  }
  // A new SYN with a higher sequence number may reopen the connection
  // (RFC 1122 §4.2.2.13), when a listener is there.
  if ((seg.flags & kSyn) && !(seg.flags & (kRst | kAck)) && seq_gt(seg.seq, s.rcv_nxt)) {
    auto it = hosts[s.host].listeners.find(s.lport);
    if (it != hosts[s.host].listeners.end()) {
      const std::uint32_t lid = it->second;
      const std::uint32_t next_iss = s.snd_nxt + 65535 + 2;
      fsm(s, FsmEvent::Discard, "new SYN for the same 4-tuple (RFC 1122 §4.2.2.13)");
      forced_iss = next_iss ? next_iss : 1;
      listen_arrives(sock(lid), seg);
      forced_iss = 0;
      return;
    }
  }
  if (seg.flags & kRst) {
    trace_note(s.host, &s, "out-of-window RST in TIME_WAIT: ignored");
    return;
  }
  // "Out of window segment. All the segments are ACKed immediately", and an
  // ACK-bearing one (a retransmitted FIN) restarts the 2MSL timer.
  if (seg.flags & kAck) arm(s, TimerKind::TimeWait, now + y.time_wait);
  trace_note(s.host, &s,
             (seg.flags & kFin) ? "retransmitted FIN in TIME_WAIT: ACK it again, restart 2MSL"
                                : "old segment in TIME_WAIT: ACK it (it cannot reach a new connection)");
  send_ack_now(s);
}

// Linux tcp_time_wait(): when inet_twsk_alloc() finds tcp_max_tw_buckets
// timewait sockets already ("TCP: time wait bucket table overflow"), the
// socket is closed at once instead of entering TIME_WAIT.
bool Sim::tw_overflow(const Sock& s) const {
  return hosts[s.host].tw_count >= hosts[s.host].sys.tcp_max_tw_buckets;
}

// Where the RST being dispatched falls (the guards of RcvRst, tcp_fsm.cpp).
Sim::RstSeq Sim::rst_seq(const Sock& s) const {
  if (!fsm_seg || !(fsm_seg->flags & kRst)) return RstSeq::NoSegment;
  if (!acceptable(s, *fsm_seg)) return RstSeq::OutsideWindow;
  return fsm_seg->seq == s.rcv_nxt ? RstSeq::AtRcvNxt : RstSeq::InWindow;
}

bool Sim::rst_kills_orphan(const Sock& s) const {
  return s.state == TcpState::FinWait2 && s.orphan && hosts[s.host].profile == Profile::Linux;
}

// The action of an RST's rows to CLOSED: Linux tcp_reset().
void Sim::act_reset_tcb(Sock& s) {
  // Deviation (Linux, tcp_check_req()): an RST for a request socket drops it
  // (inet_csk_reqsk_queue_drop); the listener is unaffected and nobody is
  // told (RFC 9293 §3.10.7.4 would return a passive TCB to LISTEN).
  if (s.state == TcpState::SynReceived && s.listener) return;
  // The error the application will see.
  switch (s.state) {
    case TcpState::SynSent: s.err = ECONNREFUSED; break;  // RFC 9293: "connection reset"
    case TcpState::CloseWait: s.err = EPIPE; break;
    default: s.err = ECONNRESET; break;
  }
  s.reset_rcvd = true;
  s.shutdown = kRcvShutdown | kSendShutdown;
  // tcp_write_queue_purge: unsent data is gone.
  s.written = s.acked;
  s.sent = s.acked;
}

// Deviation (Linux, __tcp_oow_rate_limited()): RFC 5961 §7 "ACK throttling".
// A socket sends at most one challenge ACK or out-of-window duplicate ACK
// per net.ipv4.tcp_invalid_ratelimit (500 ms); the others are dropped
// silently (LINUX_MIB_TCPACKSKIPPEDCHALLENGE / ...SKIPPEDSEQ). Data segments
// are never limited (tcp_oow_rate_limited(): "Data packets without SYNs are
// not likely part of an ACK loop"). Measured: tests/kernel/facts/
// challenge-ack-rate-limit.yaml. The global tcp_challenge_ack_limit is
// INT_MAX (off) since Linux 6.0.
namespace {
constexpr Time kInvalidRatelimit = msec(500);  // net.ipv4.tcp_invalid_ratelimit
bool oow_rate_limited(Sock& s, Time now, Profile profile) {
  if (profile != Profile::Linux) return false;
  if (s.last_oow_ack >= 0 && now - s.last_oow_ack < kInvalidRatelimit) return true;
  s.last_oow_ack = now;
  return false;
}
}  // namespace

// The actions of the rows that change no state (tcp_fsm.cpp, internal_rows).
// RFC 9293 §3.10.7.4, first step: "If an incoming segment is not acceptable,
// an acknowledgment should be sent in reply ... After sending the
// acknowledgment, drop the unacceptable segment and return." Linux
// tcp_validate_incoming() -> tcp_send_dupack(): a pure ACK's answer is
// rate-limited, data's is not.
void Sim::act_ack_unacceptable(Sock& s) {
  const Segment* seg = fsm_seg;
  const bool data = seg && seg->len > 0 && !(seg->flags & kSyn);
  if (!data && oow_rate_limited(s, now, hosts[s.host].profile)) {
    trace_note(s.host, &s, fsm_loop_notes::kUnacceptableLimited.note);
    return;
  }
  trace_note(s.host, &s, fsm_loop_notes::kUnacceptableAck.note);
  // tcp_send_dupack(): data wholly below RCV.NXT (a spurious retransmission)
  // is reported with a D-SACK (RFC 2883), which the sender counts as
  // delivered (tcp_check_dsack()).
  if (data && seq_lt(seg->seq, s.rcv_nxt) && hosts[s.host].profile == Profile::Linux) s.dsack_pending = true;
  send_ack_now(s);
  s.dsack_pending = false;
}

// RFC 9293 §3.10.7.4, second step: "If the RST bit is set ... drop the
// segment and return" when it is outside the window.
void Sim::act_drop_rst(Sock& s) { trace_note(s.host, &s, fsm_loop_notes::kRstOutsideWindow.note); }

// RFC 5961 §3.2 (an RST in the window but not at RCV.NXT) and §4.2 (a SYN on
// a synchronized connection): a challenge ACK, at most one per
// tcp_invalid_ratelimit (§7; Linux tcp_send_challenge_ack()).
void Sim::act_challenge_ack(Sock& s) {
  namespace n = fsm_loop_notes;
  const bool rst = fsm_seg && (fsm_seg->flags & kRst);
  if (oow_rate_limited(s, now, hosts[s.host].profile)) {
    trace_note(s.host, &s, (rst ? n::kRstChallengeLimited : n::kSynChallengeLimited).note);
    return;
  }
  trace_note(s.host, &s, (rst ? n::kRstChallenge : n::kSynChallenge).note);
  send_ack_now(s);
}

// RFC 9293 §3.10.7.4, fifth step: the ACK field.
void Sim::process_ack(Sock& s, const Segment& seg) {
  // RFC 5961 §5.2 (blind data injection): an ACK further below SND.UNA than
  // the peer could have seen is a guess. Linux tcp_ack(): "do not accept ACK
  // for bytes we never sent": below SND.UNA - min(max_window, bytes_acked)
  // it sends a challenge ACK (rate-limited) and drops the segment, data and
  // all. Deviation (tcpsim): max_window (the largest window the peer ever offered) is
  // taken as the current SND.WND. bytes_acked counts the SYN (and our FIN).
  if (hosts[s.host].profile == Profile::Linux && seq_lt(seg.ack, s.snd_una)) {
    const std::uint64_t bytes_acked = s.acked + 1 + (s.fin_acked ? 1 : 0);
    const std::uint32_t reach = static_cast<std::uint32_t>(std::min<std::uint64_t>(s.snd_wnd, bytes_acked));
    if (seq_lt(seg.ack, s.snd_una - reach)) {
      if (oow_rate_limited(s, now, hosts[s.host].profile)) {
        trace_note(s.host, &s, "ACK older than the peer could have sent (RFC 5961 §5.2): dropped, no challenge ACK "
                               "(one per 500 ms: tcp_invalid_ratelimit)");
      } else {
        trace_note(s.host, &s, "ACK older than the peer could have sent (RFC 5961 §5.2): challenge ACK, dropped");
        send_ack_now(s);
      }
      seg_done = true;
      return;
    }
  }
  // SND.NXT may have been moved back by an RTO (go-back-N); what was ever
  // sent is SND.MAX (Linux's snd_nxt never moves back).
  if (seq_gt(seg.ack, s.snd_max)) {
    // "If the ACK acks something not yet sent (SEG.ACK > SND.NXT), then
    // send an ACK, drop the segment, and return."
    trace_note(s.host, &s, "ACK for data not yet sent: ACK and drop");
    send_ack_now(s);
    seg_done = true;
    return;
  }
  if (seq_gt(seg.ack, s.snd_una)) {
    const std::uint32_t delta = seg.ack - s.snd_una;
    const std::uint32_t prior_flight = s.snd_max - s.snd_una;
    s.snd_una = seg.ack;
    if (seq_lt(s.snd_nxt, s.snd_una)) s.snd_nxt = s.snd_una;  // the ACK covers retransmitted ground
    // Bytes acknowledged: the sequence space minus our FIN.
    std::uint64_t bytes = delta;
    if (s.fin_ever && !s.fin_acked && seq_ge(seg.ack, s.fin_seq + 1)) {
      s.fin_acked = true;
      s.fin_sent = true;
      --bytes;
    }
    s.acked = std::min<std::uint64_t>(s.acked + bytes, s.written);
    if (s.sent < s.acked) s.sent = s.acked;
    if (s.rtt_start >= 0 && seq_ge(seg.ack, s.rtt_seq)) {
      rtt_sample(s, now - s.rtt_start);
      s.rtt_start = -1;
    }
    s.retransmits = 0;
    s.rto_stamp = 0;
    s.probes = 0;
    // Slow start, congestion avoidance, NewReno recovery and the loss
    // probe's bookkeeping (tcp_congestion.cpp), then the RTO or a loss probe.
    cong_on_ack(s, seg.ack, static_cast<std::uint32_t>(bytes), prior_flight, seg.dsack ? 1u : 0u);
    set_xmit_timer(s);
    wake(s);  // room in the send buffer
  } else if (seq_lt(seg.ack, s.snd_una)) {
    // "If the ACK is a duplicate (SEG.ACK < SND.UNA), it can be ignored."
  } else if (is_dup_ack(s, seg)) {
    cong_dup_ack(s);  // RFC 5681 §2 "DUPLICATE ACKNOWLEDGMENT": SEG.ACK == SND.UNA
  }
  // Window update (RFC 9293 §3.10.7.4: SND.WL1 / SND.WL2 rule).
  if (seq_lt(s.snd_wl1, seg.seq) || (s.snd_wl1 == seg.seq && seq_le(s.snd_wl2, seg.ack))) {
    if (s.snd_wnd == 0 && seg.win > 0 && s.snd_una == s.snd_max) s.retransmits = 0;  // window reopened
    s.snd_wnd = seg.win;
    s.snd_wl1 = seg.seq;
    s.snd_wl2 = seg.ack;
  }
  // tcp_ack_probe(): an ACK while data waits and nothing is in flight (the
  // answer to a zero-window probe). A window that takes the next segment
  // ends the probing (backoff 0, the probe timer cleared; output() below
  // sends); a window still closed restarts the probe timer from now.
  if (s.snd_una == s.snd_max && s.written > s.sent && !s.fin_sent && s.timers[static_cast<int>(TimerKind::Retransmit)]) {
    const std::uint64_t next = std::min<std::uint64_t>(s.written - s.sent, sys(s).mss);
    if (s.snd_wnd >= next) {
      s.retransmits = 0;
      s.probes_stamp = 0;  // icsk_probes_tstamp (TCP_USER_TIMEOUT)
      cancel(s, TimerKind::Retransmit);
    } else if (s.snd_wnd == 0) {
      arm(s, TimerKind::Retransmit, now + probe0_when(s));
    }
  }
  // Our FIN acknowledged: FIN-WAIT-1 -> FIN-WAIT-2, CLOSING -> TIME-WAIT,
  // LAST-ACK -> CLOSED.
  if (s.fin_acked && (s.state == TcpState::FinWait1 || s.state == TcpState::Closing ||
                      s.state == TcpState::LastAck)) {
    // CLOSING -> TIME_WAIT, or CLOSED past tcp_max_tw_buckets (the row's guard).
    fsm(s, FsmEvent::RcvAckOfFin);
    if (s.state == TcpState::FinWait2 && s.orphan && s.linger2 < 0 &&
        hosts[s.host].profile == Profile::Linux) {
      // TCP_LINGER2 < 0 (tcp_rcv_state_process(), FIN_WAIT_1): "if
      // (READ_ONCE(tp->linger2) < 0) { tcp_done(sk); ... return 1; }": the
      // orphan is destroyed and the ACK of its FIN answered with an RST.
      fsm(s, FsmEvent::Discard, "TCP_LINGER2 < 0: the orphan is closed when its FIN is acknowledged");
      send_reset_reply(s.host, seg, "TCP_LINGER2 < 0: the ACK of our FIN is answered with an RST");
    }
    // Linux tcp_rcv_state_process(), FIN_WAIT_1, an orphan: "else if
    // (th->fin || sock_owned_by_user(sk)) { /* Bad case. We could lose such
    // FIN otherwise. */ inet_csk_reset_keepalive_timer(sk, tmo); }": when
    // the segment also carries the peer's FIN, the full socket stays to
    // ACK it (the FIN step below: TIME_WAIT, or CLOSED past
    // tcp_max_tw_buckets); only a bare ACK hands the orphan to the
    // FIN_WAIT_2 time-wait sock at once.
    if (s.state == TcpState::FinWait2 && !(seg.flags & kFin)) {
      orphan_fin_wait2_timer(s);
    } else if (s.state == TcpState::FinWait2 && s.orphan && hosts[s.host].profile == Profile::Linux &&
               !s.timers[static_cast<int>(TimerKind::FinWait2)]) {
      arm(s, TimerKind::FinWait2, now + fin_wait2_timeout(s));  // the FIN may wait behind a hole
    }
    if (s.state == TcpState::Closed) {
      seg_done = true;
      return;
    }
  }
  output(s);
}

// RFC 9293 §3.10.7.4, seventh step: segment text.
void Sim::process_text(Sock& s, const Segment& seg) {
  if (seg.len == 0) return;
  if (s.state != TcpState::Established && s.state != TcpState::FinWait1 &&
      s.state != TcpState::FinWait2) {
    // "This should not occur since a FIN has been received from the remote
    // side. Ignore the segment text."
    return;
  }
  std::uint32_t seq = seg.seq;
  std::uint32_t end = seg.seq + seg.len;
  // Linux tcp_rcv_state_process (FIN_WAIT1/2): "RFC 793 says to queue data
  // in these states, RFC 1122 says we MUST send a reset" — new data after
  // the application closed its receive side aborts the connection
  // (RFC 1122 §4.2.2.13).
  if ((s.shutdown & kRcvShutdown) && seq_gt(end, s.rcv_nxt) &&
      (s.state == TcpState::FinWait1 || s.state == TcpState::FinWait2)) {
    send_reset_reply(s.host, seg, "data arrived after close(): the application can never read it");
    s.err = ECONNRESET;
    fsm(s, FsmEvent::AbortSndRst, "rcv data after close()");
    seg_done = true;
    return;
  }
  // tcp_event_data_recv: the delayed-ACK estimator.
  const Sysctls& y = sys(s);
  if (s.ato == 0) {
    // "The _first_ data packet received, initialize delayed ACK engine."
    s.quick = static_cast<std::uint8_t>(std::min<std::uint32_t>(
        std::max<std::uint32_t>(s.rcv_wnd / (2 * y.mss), 2), 16));
    s.ato = y.delack_min;
  } else {
    const Time m = now - s.lrcvtime;
    if (m <= y.delack_min / 2) {
      s.ato = s.ato / 2 + y.delack_min / 2;
    } else if (m < s.ato) {
      s.ato = std::min<Time>(s.ato / 2 + m, s.rto ? s.rto : y.rto_initial);
    } else if (m > (s.rto ? s.rto : y.rto_initial)) {
      s.quick = std::max<std::uint8_t>(s.quick, 16);
    }
  }
  s.lrcvtime = now;
  s.ack_pending = true;

  if (seq_lt(seq, s.rcv_nxt)) seq = s.rcv_nxt;  // trim what we already have
  if (seq == s.rcv_nxt) {
    s.rcv_total += end - seq;
    s.rcv_nxt = end;
    // Pull in out-of-order data that now fits.
    bool progressed = true;
    while (progressed && !s.ooo.empty()) {
      progressed = false;
      for (auto it = s.ooo.begin(); it != s.ooo.end(); ++it) {
        if (seq_le(it->first, s.rcv_nxt)) {
          if (seq_gt(it->second, s.rcv_nxt)) {
            s.rcv_total += it->second - s.rcv_nxt;
            s.rcv_nxt = it->second;
          }
          s.ooo.erase(it);
          progressed = true;
          break;
        }
      }
    }
    wake(s);
  } else if (seq_gt(seq, s.rcv_nxt)) {
    // Out of order: keep it for later and ACK at once (a duplicate ACK).
    s.ooo.emplace_back(seq, end);
    trace_note(s.host, &s, "out-of-order segment queued");
  }
}

// RFC 9293 §3.10.7.4, eighth step: the FIN bit.
void Sim::process_fin(Sock& s) {
  // Linux tcp_fin(): RCV_SHUTDOWN and SOCK_DONE; recv() now returns 0.
  s.done = true;
  s.shutdown |= kRcvShutdown;
  s.rcv_nxt += 1;
  s.ack_pending = true;
  switch (s.state) {
    case TcpState::SynReceived:
    case TcpState::Established:
      fsm(s, FsmEvent::RcvFin);  // -> CLOSE_WAIT
      break;
    case TcpState::FinWait1:
      fsm(s, FsmEvent::RcvFin);  // our FIN not yet acknowledged -> CLOSING
      break;
    case TcpState::FinWait2:
      // -> TIME_WAIT, or CLOSED past tcp_max_tw_buckets (the row's guard).
      fsm(s, FsmEvent::RcvFin);
      break;
    default:
      // CLOSE-WAIT, CLOSING, LAST-ACK: "Remain in the state" (a retransmitted FIN).
      send_ack_now(s);
      break;
  }
  wake(s);
}

void Sim::segment_arrives(Sock& s, const Segment& seg) {
  switch (s.state) {
    case TcpState::Listen:
      listen_arrives(s, seg);
      return;
    case TcpState::SynSent:
      synsent_arrives(s, seg);
      return;
    case TcpState::TimeWait:
      timewait_arrives(s, seg);
      return;
    case TcpState::Closed:
      send_reset_reply(s.host, seg, "socket is CLOSED");
      return;
    default:
      break;
  }
  seg_done = false;
  s.last_rcv = now;
  s.probes = 0;
  // The guards of the rows below read the segment (RFC 5961: where an RST falls).
  struct SegScope {
    Sim& sim;
    const Segment* saved;
    SegScope(Sim& m, const Segment* seg) : sim(m), saved(m.fsm_seg) { m.fsm_seg = seg; }
    ~SegScope() { sim.fsm_seg = saved; }
  } seg_scope(*this, &seg);
  const std::uint32_t seg_end = seg.seq + seg.seg_len();

  // Linux's orphaned FIN_WAIT_2 is a timewait socket (tcp_time_wait(sk,
  // TCP_FIN_WAIT2, tmo)): new data draws an RST and the socket is gone
  // (tcp_timewait_state_process: "New data or FIN. If new data arrive after
  // half-duplex close, reset.").
  // The same function's other checks, before RFC 5961: any RST in the window
  // kills it ("if (th->rst) goto kill", no challenge ACK), and a SYN at or
  // beyond RCV.NXT draws an RST (TCP_TW_RST) and ends it.
  // Deviation (Linux, tcp_timewait_state_process()): RFC 9293 would challenge both (RFC 5961 §3, §4).
  const bool orphan_fw2 =
      s.state == TcpState::FinWait2 && s.orphan && hosts[s.host].profile == Profile::Linux;
  // The RST is judged by the rows' guards ([RST at RCV.NXT, or in the window
  // after close()], tcp_fsm.cpp); the SYN and the data here.
  if (orphan_fw2 && acceptable(s, seg) && !(seg.flags & kRst)) {
    if ((seg.flags & kSyn) && seq_ge(seg.seq, s.rcv_nxt)) {
      send_reset_reply(s.host, seg, "SYN for an orphaned FIN_WAIT_2 socket");
      fsm(s, FsmEvent::AbortSndRst, "rcv SYN after close()");
      return;
    }
  }
  if (orphan_fw2 && !(seg.flags & kRst) && seg.len > 0 && acceptable(s, seg) &&
      seq_gt(seg_end, s.rcv_nxt)) {
    send_reset_reply(s.host, seg, "data for an orphaned FIN_WAIT_2 socket");
    s.err = ECONNRESET;
    fsm(s, FsmEvent::AbortSndRst, "rcv data after close()");
    return;
  }

  // Deviation (Linux, tcp_check_req()): a retransmitted SYN (same ISN, no ACK) reaching a
  // request socket re-sends the SYN,ACK at once (inet_rtx_syn_ack), without
  // touching the SYN,ACK timer. RFC 9293 §3.10.7.4 would find it outside the
  // window and answer with a bare ACK. Measured, docs/kernel-facts.md §23.
  if (s.state == TcpState::SynReceived && s.listener && hosts[s.host].profile == Profile::Linux &&
      (seg.flags & (kSyn | kAck | kRst | kFin)) == kSyn && seg.seq == s.irs) {
    trace_note(s.host, &s, "retransmitted SYN for a request socket: SYN,ACK sent again (tcp_check_req)");
    send_segment(s, make_segment(s, kSyn | kAck, s.iss, 0), true);
    return;
  }

  // Simultaneous open: the peer's SYN,ACK reaches us in SYN_RECEIVED. Its
  // SYN is old news (seq + 1 == RCV.NXT) but its ACK acknowledges our SYN;
  // Linux tcp_validate_incoming() lets it pass ("goto pass") and answers
  // with an ACK (docs/kernel-facts.md §4).
  const bool simopen_synack = s.state == TcpState::SynReceived && !s.listener &&
                              (seg.flags & (kSyn | kAck | kRst)) == (kSyn | kAck) &&
                              seg.seq + 1 == s.rcv_nxt && seg.ack == s.snd_nxt;

  // Data that finds a zero window. RFC 9293 §3.10.7.4: "If the RCV.WND is
  // zero, no segments will be acceptable, but special allowance should be
  // made to accept valid ACKs, URGs, and RSTs." Linux lets a segment at
  // RCV.NXT through (tcp_sequence(): "!after(seq, rcv_nxt +
  // tcp_receive_window())"), so tcp_ack() takes its ACK field and window,
  // and tcp_data_queue() then drops the text ("goto out_of_window", an ACK
  // at once). A bare FIN is taken ("Accepting this FIN does not hurt").
  const bool into_zero_window = s.rcv_wnd == 0 && seg.len > 0 && seg.seq == s.rcv_nxt &&
                                !(seg.flags & (kSyn | kRst)) && s.state != TcpState::SynReceived;

  // Second: RST, whatever its sequence number. The rows' guards judge it
  // (tcp_fsm.cpp): outside the window it is dropped; at exactly RCV.NXT it
  // resets the connection; anywhere else in the window it draws a challenge
  // ACK (RFC 5961 §3.2; RFC 9293 §3.10.7.4 makes RFC 5961 a SHOULD, MUST-?).
  if (seg.flags & kRst) {
    fsm(s, FsmEvent::RcvRst,
        orphan_fw2 && acceptable(s, seg) ? "rcv RST (orphaned FIN_WAIT_2: any RST in the window)" : nullptr);
    return;
  }
  // First: sequence number. An unacceptable segment is ACKed and dropped
  // (the row's action). Linux: a SYN goes to the challenge ACK
  // (syn_challenge), a pure ACK's answer is rate-limited, data's is not
  // (tcp_validate_incoming()).
  if (!simopen_synack && !into_zero_window && !acceptable(s, seg)) {
    fsm(s, FsmEvent::RcvUnacceptable);
    return;
  }
  // Fourth: SYN. RFC 5961 §4.2: a SYN in the window draws a challenge ACK
  // (the row's action).
  const bool syn_as_ack = simopen_synack;
  if ((seg.flags & kSyn) && !syn_as_ack) {
    fsm(s, FsmEvent::RcvSyn);
    return;
  }
  // Fifth: ACK. "if the ACK bit is off, drop the segment and return".
  if (!(seg.flags & kAck)) {
    trace_note(s.host, &s, "segment without ACK: dropped");
    return;
  }
  if (s.state == TcpState::SynReceived) {
    if (!(seq_lt(s.snd_una, seg.ack) && seq_le(seg.ack, s.snd_nxt))) {
      send_reset_reply(s.host, seg, "unacceptable ACK in SYN_RECEIVED");
      return;
    }
    // Linux tcp_check_req -> syn_recv_sock: the accept queue must have room.
    // The rows' guards decide (tcp_fsm.cpp): ESTABLISHED [accept queue has
    // room], CLOSED / snd RST [accept queue full, tcp_abort_on_overflow=1],
    // or no row: the ACK is dropped.
    if (!accept_queue_has_room(s)) {
      if (!fsm(s, FsmEvent::RcvAckOfSyn)) {
        // "inet_rsk(req)->acked = 1": the ACK is ignored; the SYN,ACK
        // timer keeps retransmitting and the client believes it is
        // connected.
        s.synack_acked = true;
        trace_note(s.host, &s, "accept queue full: handshake ACK dropped (tcp_abort_on_overflow=0)");
      }
      return;
    }
    s.snd_una = seg.ack;
    s.snd_wnd = seg.win;
    s.snd_wl1 = seg.seq;
    s.snd_wl2 = seg.ack;
    if (s.rtt_start >= 0 && s.retransmits == 0) rtt_sample(s, now - s.rtt_start);
    else s.rto = sys(s).rto_initial;
    s.rtt_start = -1;
    fsm(s, FsmEvent::RcvAckOfSyn);  // the guard sees the queue before this connection joins it
    if (Sock* lp = sock_if(s.listener); lp && lp->listening) {
      ListenQueues& lq = listens[lp->listen_idx - 1];
      lq.syn_q.erase(std::remove(lq.syn_q.begin(), lq.syn_q.end(), s.id), lq.syn_q.end());
      lq.accept_q.push_back(s.id);
    }
    if (Sock* l = sock_if(s.listener)) wake(*l);  // accept() can go on
    if (syn_as_ack) {
      // Linux answers the crossing SYN,ACK with an ACK.
      send_ack_now(s);
      return;
    }
  } else {
    if (into_zero_window) s.ack_pending = true;  // tcp_data_queue: out_of_window -> inet_csk_schedule_ack
    process_ack(s, seg);
    if (seg_done) return;
  }
  if (into_zero_window) {
    // The ACK owed goes out at once (quick-ACK mode), unless data the ACK
    // released already carried it (tcp_data_snd_check before
    // tcp_ack_snd_check).
    trace_note(s.host, &s, "data into a zero window: text dropped, its ACK processed");
    if (s.ack_pending) send_ack_now(s);
    return;
  }
  // Seventh: segment text.
  const bool had_ofo = !s.ooo.empty() || s.ooo_fin;
  process_text(s, seg);
  if (seg_done || s.state == TcpState::Closed) return;
  // Eighth: FIN, processed only once everything before it has arrived.
  // Linux keeps an out-of-order FIN in the out-of-order queue with its
  // segment (tcp_data_queue_ofo) and tcp_ofo_queue() processes it (tcp_fin)
  // when the gap is filled; RFC 9293 §3.10.7.4 leaves a FIN beyond RCV.NXT
  // to the retransmission. Measured, docs/kernel-facts.md §22.
  if ((seg.flags & kFin) && seg.seq + seg.len != s.rcv_nxt && !s.ooo_fin && !s.done &&
      seq_gt(seg.seq + seg.len, s.rcv_nxt)) {
    s.ooo_fin = true;
    s.ooo_fin_seq = seg.seq + seg.len;
    s.ack_pending = true;  // a duplicate ACK at once, as for out-of-order data
    trace_note(s.host, &s, "FIN out of order: queued until the missing data arrives");
  }
  if (((seg.flags & kFin) && seg.seq + seg.len == s.rcv_nxt && !s.done) ||
      (s.ooo_fin && s.rcv_nxt == s.ooo_fin_seq)) {
    s.ooo_fin = false;
    process_fin(s);
  }
  // RFC 5681 §4.2 (tcp_data_queue: ICSK_ACK_NOW when the out-of-order queue
  // empties): an ACK at once while segments are out of order and when a gap
  // is filled.
  const bool ofo_now = !s.ooo.empty() || s.ooo_fin;
  if (s.state != TcpState::Closed && s.state != TcpState::TimeWait)
    ack_snd_check(s, ofo_now || had_ofo);
}

}  // namespace tcpsim
