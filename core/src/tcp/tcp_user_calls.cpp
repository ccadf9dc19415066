// tcpsim — user calls at the TCP level (RFC 9293 §3.10.1–§3.10.6: OPEN,
// SEND, RECEIVE, CLOSE, ABORT) and the bookkeeping when a connection ends.
// The socket-API semantics around them (descriptors, errno, blocking) are
// in socket_api.cpp.
#include <algorithm>
#include <cerrno>

#include "sim.hpp"
#include "tcpsim/seq.hpp"

namespace tcpsim {

std::uint32_t Sim::new_socket(std::uint16_t host, std::int32_t pid) {
  // Ends the run after this step; the socket is still made, so the caller
  // needs no failure path.
  within_limit(socks_made, opt.limits.sockets, "sockets", "--max-sockets", "sockets created", host);
  Sock s;
  s.id = ++socks_made;
  s.host = host;
  s.owner_pid = pid;
  s.lip = hosts[host].ip;
  s.cwnd = 10 * hosts[host].sys.mss;  // RFC 6928 initial window
  s.rcv_wnd = 65535;
  std::uint32_t slot;
  if (!socks_free.empty()) {
    slot = socks_free.back();
    socks_free.pop_back();
    socks[slot] = std::move(s);
  } else {
    slot = static_cast<std::uint32_t>(socks.size());
    socks.push_back(std::move(s));
  }
  slot_of.push_back(slot + 1);
  ++summary.sockets_created;
  summary.sockets_peak = std::max<std::uint64_t>(summary.sockets_peak, socks.size() - socks_free.size());
  Sock& r = socks[slot];
  count_state(r, TcpState::Closed, TcpState::Closed);
  return r.id;
}

int Sim::tcp_listen(Sock& s, int backlog) {
  HostRt& h = hosts[s.host];
  if (!s.bound) {
    std::uint16_t port = 0;
    if (int e = pick_port(s.host, 0, 0, &port)) return e;
    s.lport = port;
    s.bound = true;
  }
  if (h.listeners.count(s.lport)) return EADDRINUSE;
  listens.emplace_back();
  s.listen_idx = static_cast<std::uint32_t>(listens.size());
  // listen(): sk_max_ack_backlog = min(backlog, net.core.somaxconn).
  listens.back().backlog = std::min(std::max(backlog, 0), h.sys.somaxconn);
  s.listening = true;
  h.listeners[s.lport] = s.id;
  fsm(s, FsmEvent::Listen);
  return 0;
}

int Sim::tcp_connect(Sock& s, std::uint32_t rip, std::uint16_t rport) {
  s.rip = rip;
  s.rport = rport;
  // The source address the route gives (Linux ip_route_connect()): a
  // loopback destination is reached from 127.0.0.1, over lo.
  if (is_loopback_ip(rip)) s.lip = 0x7f000001;
  if (!s.bound) {
    std::uint16_t port = 0;
    if (int e = pick_port(s.host, rip, rport, &port)) return e;
    s.lport = port;
  } else if (hosts[s.host].conns.contains(conn_key(s.lport, rip, rport))) {
    // Deviation (tcpsim): Linux (__inet_check_established() -> tcp_twsk_unique() with
    // twp == NULL) lets an explicitly bound socket take over a TIME_WAIT
    // 4-tuple that used TCP timestamps, with ISN tw_snd_nxt + 65537; the model
    // has no timestamps and refuses (docs/kernel-facts.md §16, issue #14.7).
    return EADDRNOTAVAIL;
  }
  s.iss = new_iss(s);
  hash_conn(s);
  s.accepted = true;
  fsm(s, FsmEvent::Connect);
  return 0;
}

void Sim::tcp_send(Sock& s, std::uint64_t bytes) {
  // tcp_sendmsg_locked() copies a long write into skbs of size_goal bytes
  // and sends each one as it fills, when it heads the unsent data
  // (tcp_push_one()): so each chunk leaves as its own burst, its last
  // segment with PSH (output()). size_goal, measured (docs/kernel-facts.md
  // §48): 5 segments, at most half the peer's window (tcp_bound_to_half_wnd()),
  // at least one segment.
  const std::uint32_t mss = sys(s).mss;
  const std::uint64_t goal =
      static_cast<std::uint64_t>(mss) * std::max<std::uint32_t>(1, std::min<std::uint32_t>(5, s.snd_wnd / 2 / mss));
  const std::uint64_t end = s.written + bytes;
  cwnd_restart(s);  // tcp_skb_entail() -> tcp_slow_start_after_idle_check()
  while (end - s.written > goal) {
    s.written += goal;
    if (s.sent == s.written - goal) output(s);  // the chunk heads the unsent data
  }
  s.written = end;
  output(s);
}

// shutdown(): Linux inet_shutdown / tcp_shutdown. The caller has ruled out
// CLOSED (ENOTCONN); a listener is handled by shutdown_listener().
void Sim::tcp_shutdown(Sock& s, std::uint8_t how) {
  if (s.state == TcpState::SynSent) {
    // inet_shutdown(): in SYN_SENT any shutdown, SHUT_RD included, calls
    // tcp_disconnect(): the connect is abandoned, sk_err = ECONNRESET and
    // sk_shutdown is cleared, so the next send() fails with ECONNRESET and
    // recv() with ENOTCONN (measured, docs/kernel-facts.md §24).
    s.err = ECONNRESET;
    s.shutdown = 0;
    fsm(s, FsmEvent::Close, "shutdown() in SYN_SENT: tcp_disconnect()");
    return;
  }
  s.shutdown |= how;
  if (!(how & kSendShutdown)) return;  // SHUT_RD sends nothing
  switch (s.state) {
    case TcpState::Established:
    case TcpState::SynReceived:
    case TcpState::CloseWait:
      fsm(s, FsmEvent::Close, "shutdown(SHUT_WR)");
      break;
    default:
      break;
  }
}

// shutdown() on a listening socket (inet_shutdown(), case TCP_LISTEN):
// SHUT_WR does nothing and returns 0; SHUT_RD or SHUT_RDWR calls
// tcp_disconnect(), which stops listening (inet_csk_listen_stop) like
// close() does, and wakes a blocked accept(), which fails with EINVAL
// (measured, docs/kernel-facts.md §25). The descriptor stays open.
void Sim::shutdown_listener(Sock& s, std::uint8_t how) {
  if (!(how & kRcvShutdown)) return;
  close_listener(s, "shutdown(SHUT_RD) of a listener: tcp_disconnect()");
}

// ABORT (RFC 9293 §3.10.5): optional RST, then CLOSED. The event names the
// cause: AbortSndRst when an RST goes out (its row says "snd RST"), GiveUp
// for a timer's give-up, Discard when the state is dropped silently.
void Sim::tcp_abort(Sock& s, const char* cause, bool send_rst, int err, FsmEvent why) {
  if (s.state == TcpState::Closed) return;
  std::string c = cause;
  FsmEvent ev = why;
  if (send_rst) {
    send_rst_for(s);
    if (why == FsmEvent::Discard)
      ev = FsmEvent::AbortSndRst;
    else
      c += " / snd RST";  // a give-up that resets: the row itself sends nothing
  }
  if (err) s.err = err;
  s.shutdown = kRcvShutdown | kSendShutdown;
  s.written = s.acked;  // unsent data is discarded
  s.sent = s.acked;
  fsm(s, ev, c.c_str());
}

// The socket reached CLOSED: release its 4-tuple and port; if no descriptor
// refers to it, it is destroyed (Linux inet_csk_destroy_sock).
void Sim::tcp_done(Sock& s) {
  unhash(s);
  if (Sock* lp = sock_if(s.listener)) {
    Sock& l = *lp;
    if (l.listen_idx) {
      ListenQueues& lq = listens[l.listen_idx - 1];
      lq.syn_q.erase(std::remove(lq.syn_q.begin(), lq.syn_q.end(), s.id), lq.syn_q.end());
      // A connection reset before accept() stays in the accept queue on Linux
      // and accept() returns it; we keep it there too.
    }
  }
  if (s.orphan) {
    // Destroyed: its bind() port is free again (inet_put_port).
    if (s.holds_bind) {
      auto& b = hosts[s.host].bound;
      auto it = b.find(s.lport);
      if (it != b.end() && --it->second == 0) b.erase(it);
      s.holds_bind = false;
    }
    // It no longer counts as a CLOSED socket.
    if (s.counted) {
      --hosts[s.host].counts[static_cast<int>(TcpState::Closed)];
      --all_counts[static_cast<int>(TcpState::Closed)];
      s.counted = false;
      if (series) sample_counts();
    }
    std::vector<std::pair<std::uint32_t, std::uint32_t>>().swap(s.ooo);
  }
  wake(s);
  if (s.orphan) release_socket(s);
}

void Sim::release_socket(Sock& s) { dying.push_back(s.id); }

// Called at the top of an engine step, when no Sock& is held anywhere. A
// released socket is recycled only if nothing can reach it any more: no
// descriptor, no waiting thread, no hash table, no listener's accept queue
// (a child reset before accept() stays there; accept() returns it).
void Sim::recycle_sockets() {
  for (std::uint32_t id : dying) {
    Sock* sp = sock_if(id);
    if (!sp) continue;  // released twice
    Sock& s = *sp;
    if (s.state != TcpState::Closed || !s.orphan || s.fd_refs > 0 || !s.waiters.empty() || s.in_table ||
        s.listening || s.counted)
      continue;
    if (Sock* l = sock_if(s.listener); l && l->listen_idx) {
      const auto& aq = listens[l->listen_idx - 1].accept_q;
      if (std::find(aq.begin(), aq.end(), id) != aq.end()) continue;
    }
    // A lingering close() keeps its socket non-orphan until it returns, and
    // a thread woken by wake() runs before the step ends: neither can still
    // refer to a socket that gets here.
    pending_isn.erase(id);
    const std::uint32_t slot = slot_of[id - 1] - 1;
    slot_of[id - 1] = 0;
    socks[slot] = Sock{};  // id 0: a free slot; frees its vectors
    socks_free.push_back(slot);
  }
  dying.clear();
}

void Sim::wake(Sock& s) {
  if (s.waiters.empty()) return;
  for (std::uint32_t tid : s.waiters) make_runnable(tid);
  s.waiters.clear();
}

// ---- transition actions (called from the table in tcp_fsm.cpp) ----

void Sim::act_snd_syn(Sock& s) {
  s.snd_una = s.iss;
  s.snd_nxt = s.iss + 1;
  s.snd_max = s.iss + 1;
  s.rto = sys(s).rto_initial;
  s.rto_stamp = now;  // tcp_connect(): retrans_stamp, the connect give-up clock
  send_segment(s, make_segment(s, kSyn, s.iss, 0), false);
  arm(s, TimerKind::Retransmit, now + syn_backoff(s, 1));
}

void Sim::act_snd_synack(Sock& s) {
  if (s.cookie_child) {  // its SYN,ACK was the cookie, sent by the listener
    fsm_action = nullptr;
    return;
  }
  // In a simultaneous open the SYN,ACK repeats our SYN's sequence number:
  // already-sent sequence space, which Wireshark marks as a retransmission.
  const bool again = s.snd_max != 0 && seq_gt(s.snd_max, s.iss);
  if (s.snd_nxt == 0 && s.snd_una == 0) {  // passive open: a fresh ISS
    s.snd_una = s.iss;
    s.snd_nxt = s.iss + 1;
    s.snd_max = s.iss + 1;
  }
  s.rto = sys(s).rto_initial;
  s.retransmits = 0;
  s.rto_stamp = 0;
  send_segment(s, make_segment(s, kSyn | kAck, s.iss, 0), again);
  arm(s, TimerKind::Retransmit, now + sys(s).rto_initial);
}

void Sim::act_snd_ack(Sock& s) {
  s.ack_pending = true;
  send_ack_now(s);
}

// Linux tcp_fin() in ESTABLISHED: "inet_csk_enter_pingpong_mode(sk)": the
// ACK of the FIN is delayed, hoping to ride on the application's own FIN
// (which is why Linux captures often show FIN, FIN-ACK, ACK).
// Deviation (Linux, tcp_fin()): RFC 9293 §3.10.7.4 says "send an acknowledgment
// for the FIN"; RFC 1122 §4.2.3.2 (delayed ACK) permits the delay.
void Sim::act_ack_fin(Sock& s) {
  s.ack_pending = true;
  if (hosts[s.host].profile == Profile::Linux) {
    s.pingpong = true;
  } else {
    send_ack_now(s);
  }
}

void Sim::act_snd_fin(Sock& s) {
  s.fin_queued = true;
  output(s);
}

void Sim::act_snd_rst(Sock& s) { send_rst_for(s); }

}  // namespace tcpsim
