// tcpsim — what close() does when the last descriptor goes: Linux
// tcp_close() (net/ipv4/tcp.c), an ordered policy:
//   1. a listening socket: stop listening, reset the queued connections;
//   2. unread received data: send RST, not FIN (RFC 1122 §4.2.2.13,
//      RFC 2525 §2.17 "Failure to RST on close with data pending");
//   3. SO_LINGER on with a zero timeout: abort with RST, no TIME_WAIT;
//   4. otherwise the new_state[] table: which state follows and whether a
//      FIN goes out (ESTABLISHED -> FIN_WAIT_1, CLOSE_WAIT -> LAST_ACK, ...);
//   5. the socket is orphaned; an orphan in FIN_WAIT_2 gets tcp_fin_timeout.
#include <algorithm>
#include <cerrno>

#include "sim.hpp"

namespace tcpsim {

void Sim::close_listener(Sock& s, const char* cause) {
  HostRt& h = hosts[s.host];
  auto it = h.listeners.find(s.lport);
  if (it != h.listeners.end() && it->second == s.id) h.listeners.erase(it);
  s.listening = false;
  if (s.listen_idx) {
    // inet_csk_listen_stop(): pending requests are dropped, and connections
    // waiting in the accept queue are disconnected (tcp_disconnect sends RST).
    ListenQueues lq = listens[s.listen_idx - 1];
    listens[s.listen_idx - 1].accept_q.clear();
    listens[s.listen_idx - 1].syn_q.clear();
    for (std::uint32_t cid : lq.syn_q) {
      Sock& c = sock(cid);
      if (c.state != TcpState::Closed) tcp_abort(c, "listener closed", false, 0);
    }
    for (std::uint32_t cid : lq.accept_q) {
      Sock& c = sock(cid);
      if (c.state != TcpState::Closed)
        tcp_abort(c, "listener closed before accept()", true, ECONNABORTED);
    }
  }
  fsm(s, FsmEvent::Close, cause);
}

void Sim::tcp_close(Sock& s) {
  const Profile profile = hosts[s.host].profile;
  s.shutdown = kRcvShutdown | kSendShutdown;
  const bool lingering = linger_close && s.linger_on && s.linger_secs > 0;
  s.orphan = !lingering;  // a lingering close() holds the socket until it returns

  if (s.listening || s.state == TcpState::Listen) {
    close_listener(s);
    s.orphan = true;
    return;
  }
  if (s.state == TcpState::Closed) {
    s.orphan = true;
    tcp_done(s);
    return;
  }
  // Deviation (Linux, tcp_time_wait(), __tcp_close()): RFC 9293 §3.10.4 answers
  // CLOSE in TIME-WAIT with "error: connection closing"; a socket already in TIME_WAIT (the peer's FIN came after
  // shutdown(SHUT_WR), or after CLOSING) is no longer the process's socket on
  // Linux: tcp_time_wait() handed the connection to a time-wait sock and
  // tcp_done() left the full socket in TCP_CLOSE, so __tcp_close() goes
  // straight to adjudge_to_death: no RST for unread data, no SO_LINGER abort,
  // TIME_WAIT runs on (measured, docs/kernel-facts.md §21).
  if (s.state == TcpState::TimeWait) {
    s.orphan = true;
    return;
  }
  // 2. Unread data: "RFC 2525, section 2.17: We MUST send a reset."
  // Deviation (Linux, tcp_close()): RFC 9293 §3.10.4 sends a FIN (RFC 1122
  // §4.2.2.13 allows the RST); the rfc9293 profile sends the FIN.
  if (s.rcv_buf() > 0 && profile == Profile::Linux) {
    tcp_abort(s, "close() with unread data", true, 0);
    s.orphan = true;
    return;
  }
  // 3. SO_LINGER {on, 0}: disconnect (tcp_disconnect): RST when the state
  // needs one (tcp_need_reset), never TIME_WAIT.
  if (s.linger_on && s.linger_secs == 0) {
    const bool need_reset = s.state == TcpState::Established || s.state == TcpState::CloseWait ||
                            s.state == TcpState::FinWait1 || s.state == TcpState::FinWait2 ||
                            s.state == TcpState::SynReceived;
    tcp_abort(s, "close() with SO_LINGER {on, 0}", need_reset, 0);
    s.orphan = true;
    return;
  }
  // 4. new_state[]: SYN_SENT -> CLOSED; SYN_RECEIVED, ESTABLISHED -> FIN_WAIT_1;
  // CLOSE_WAIT -> LAST_ACK (with FIN); the others already sent their FIN.
  switch (s.state) {
    case TcpState::SynSent:
    case TcpState::SynReceived:
    case TcpState::Established:
    case TcpState::CloseWait:
      fsm(s, FsmEvent::Close);
      break;
    default:
      break;
  }
  // 5. An orphan already in FIN_WAIT_2 (after shutdown(SHUT_WR)) starts its
  // tcp_fin_timeout now (tcp_close: "tcp_time_wait(sk, TCP_FIN_WAIT2, tmo)").
  orphan_fin_wait2_timer(s);
  if (s.orphan && s.state == TcpState::Closed) tcp_done(s);
}

// Deviation (Linux, tcp_close(), tcp_fin_time()): an orphan in FIN_WAIT_2 gets tcp_fin_timeout; the
// rfc9293 profile waits for the peer's FIN for ever.
// Linux turns the orphan into a time-wait sock (tcp_time_wait(sk,
// TCP_FIN_WAIT2, tmo)), which takes one of the tcp_max_tw_buckets like a
// TIME_WAIT socket; when inet_twsk_alloc() finds none left the socket is
// simply destroyed (tcp_done, "TCPTimeWaitOverflow"), and the peer's later FIN
// draws an RST from the host (measured, docs/kernel-facts.md §28).
void Sim::orphan_fin_wait2_timer(Sock& s) {
  if (!(s.orphan && s.state == TcpState::FinWait2 && hosts[s.host].profile == Profile::Linux)) return;
  if (s.linger2 < 0) {
    // TCP_LINGER2 < 0 (__tcp_close()): a socket closed in FIN_WAIT_2 does not
    // wait for the peer's FIN at all: CLOSE, and an RST to the peer. (When our
    // FIN is acknowledged after close(), process_ack() answers that ACK with
    // an RST instead: tcp_rcv_state_process() returns 1.)
    tcp_abort(s, "TCP_LINGER2 < 0: no orphaned FIN_WAIT_2", true, 0);
    return;
  }
  if (!s.tw_bucket) {
    if (tw_overflow(s)) {
      fsm(s, FsmEvent::Discard, "orphaned FIN_WAIT_2 destroyed at once: tcp_max_tw_buckets reached");
      return;
    }
    s.tw_bucket = true;
    ++hosts[s.host].tw_count;
  }
  if (!s.timers[static_cast<int>(TimerKind::FinWait2)])
    arm(s, TimerKind::FinWait2, now + fin_wait2_timeout(s));
}

// tcp_fin_time(): tcp_fin_timeout, but never less than 3.5 RTO
// ("(rto << 2) - (rto >> 1)"), so a slow path keeps the orphan long enough
// for the peer's FIN (measured on a 200 ms RTT path, docs/kernel-facts.md §26).
Time Sim::fin_wait2_timeout(const Sock& s) const {
  const Time rto = s.rto ? s.rto : hosts[s.host].sys.rto_initial;
  // tcp_fin_time(): "tp->linger2 ? : sysctl_tcp_fin_timeout" (TCP_LINGER2 > 0).
  const Time fin_timeout = s.linger2 > 0 ? sec(s.linger2) : hosts[s.host].sys.tcp_fin_timeout;
  return std::max(fin_timeout, rto * 4 - rto / 2);
}

}  // namespace tcpsim
