// tcpsim — the socket API as a Linux process sees it: descriptors with
// reference counts (fork, dup, FD_CLOEXEC), blocking calls, errno values,
// SIGPIPE, and epoll readiness (tcp_poll).
//
// The errno rules follow Linux (net/ipv4/tcp.c tcp_sendmsg/tcp_recvmsg,
// net/core/stream.c sk_stream_error/sk_stream_wait_connect): sk_err is
// reported once, by the next call that looks at it; after that a send on a
// dead connection fails with EPIPE and raises SIGPIPE unless MSG_NOSIGNAL.
#include <algorithm>
#include <cerrno>
#include <csignal>

#include "sim.hpp"

namespace tcpsim {

namespace {
constexpr std::uint32_t kEpollIn = 0x001, kEpollOut = 0x004, kEpollErr = 0x008, kEpollHup = 0x010,
                        kEpollRdNorm = 0x040, kEpollWrNorm = 0x100, kEpollRdHup = 0x2000;
constexpr Time kSpinCost = 10;  // virtual microseconds one turn of a busy epoll loop takes

std::string epoll_mask_string(std::uint32_t m) {
  std::string s;
  auto add = [&](std::uint32_t bit, const char* n) {
    if (m & bit) {
      if (!s.empty()) s += '|';
      s += n;
    }
  };
  add(kEpollIn, "EPOLLIN");
  add(kEpollOut, "EPOLLOUT");
  add(kEpollErr, "EPOLLERR");
  add(kEpollHup, "EPOLLHUP");
  add(kEpollRdHup, "EPOLLRDHUP");
  return s.empty() ? "0" : s;
}

int take_err(Sock& s) {
  const int e = s.err;
  s.err = 0;
  return e;
}

// A blocking call's SO_RCVTIMEO / SO_SNDTIMEO deadline (Thread::deadline)
// belongs to that one call: it is cleared whenever the call returns.
struct CallDeadline {
  Thread& t;
  bool keep = false;
  ~CallDeadline() {
    if (!keep) t.deadline = 0;
  }
};

// A duration as one word ("404ms"), for the name=value pairs of getsockopt.
std::string compact_duration(Time t) {
  std::string d = format_duration(t);
  d.erase(std::remove(d.begin(), d.end(), ' '), d.end());
  return d;
}

// The text of a socket option in the trace: "TCP_KEEPIDLE 5".
std::string sockopt_text(const Step& st) {
  switch (st.opt) {
    case SockOpt::Linger: return "SO_LINGER {" + std::string(st.on ? "on" : "off") + ", " + std::to_string(st.value) + "}";
    case SockOpt::ReuseAddr: return std::string("SO_REUSEADDR ") + (st.on ? "1" : "0");
    case SockOpt::KeepAlive: return std::string("SO_KEEPALIVE ") + (st.on ? "1" : "0");
    case SockOpt::NoDelay: return std::string("TCP_NODELAY ") + (st.on ? "1" : "0");
    case SockOpt::CloExec: return std::string("FD_CLOEXEC ") + (st.on ? "1" : "0");
    case SockOpt::NonBlock: return std::string("O_NONBLOCK ") + (st.on ? "1" : "0");
    case SockOpt::RcvBuf: return "SO_RCVBUF " + std::to_string(st.value);
    case SockOpt::KeepIdle: return "TCP_KEEPIDLE " + std::to_string(st.value);
    case SockOpt::KeepIntvl: return "TCP_KEEPINTVL " + std::to_string(st.value);
    case SockOpt::KeepCnt: return "TCP_KEEPCNT " + std::to_string(st.value);
    case SockOpt::UserTimeout: return "TCP_USER_TIMEOUT " + std::to_string(st.value / 1000) + " ms";
    case SockOpt::RcvTimeo: return "SO_RCVTIMEO " + format_duration(st.value);
    case SockOpt::SndTimeo: return "SO_SNDTIMEO " + format_duration(st.value);
    case SockOpt::QuickAck: return std::string("TCP_QUICKACK ") + (st.on ? "1" : "0");
    case SockOpt::Linger2: return "TCP_LINGER2 " + std::to_string(st.value);
  }
  return "?";
}
}  // namespace

// A blocking call with a timeout (SO_RCVTIMEO, SO_SNDTIMEO; 0 = none):
// true once it has expired; else the call's deadline is set (the first time
// it blocks) and a wake-up scheduled for it.
bool Sim::timed_out(Thread& t, Time timeo) {
  if (timeo == 0) return false;
  if (t.deadline != 0) return now >= t.deadline;
  t.deadline = now + timeo;
  schedule(t.deadline, QWake, t.id + 1);
  return false;
}

// ---- per-socket keepalive settings (tcp.h keepalive_time_when() & co) ----
Time Sim::keepalive_time(const Sock& s) const {
  return s.keepidle ? s.keepidle : hosts[s.host].sys.tcp_keepalive_time;
}
Time Sim::keepalive_intvl(const Sock& s) const {
  return s.keepintvl ? s.keepintvl : hosts[s.host].sys.tcp_keepalive_intvl;
}
int Sim::keepalive_probes(const Sock& s) const {
  return s.keepcnt ? s.keepcnt : hosts[s.host].sys.tcp_keepalive_probes;
}

// bind(): a port a listener or another bind() holds, or any connection such
// as a TIME_WAIT socket, is EADDRINUSE (inet_csk_bind_conflict(),
// inet_bind_conflict()) unless SO_REUSEADDR is set on BOTH sockets: the new
// one and the holder (a TIME_WAIT socket keeps its owner's flag, tw_reuse).
// Measured on Linux 6.18 (docs/kernel-facts.md §16).
bool Sim::bind_conflict(const HostRt& h, const Sock& s, std::uint16_t port) const {
  if (h.listeners.count(port) || (h.bound.count(port) && !s.reuseaddr)) return true;
  return h.conns.any_of([&](std::uint64_t key, std::uint32_t id) {
    return (key >> 48) == port && (!s.reuseaddr || !socks[slot_of[id - 1] - 1].reuseaddr);  // sock(id), const
  });
}

void Sim::bind_port(HostRt& h, Sock& s, std::uint16_t port) {
  s.lport = port;
  s.bound = true;
  s.holds_bind = true;
  ++h.bound[port];
}

// Linux tcp_poll().
std::uint32_t Sim::poll_mask(const Sock& s) const {
  std::uint32_t m = 0;
  if (s.listening) {
    const ListenQueues& lq = listens[s.listen_idx - 1];
    return lq.accept_q.empty() ? 0 : (kEpollIn | kEpollRdNorm);
  }
  if (s.shutdown == (kRcvShutdown | kSendShutdown) || s.state == TcpState::Closed) m |= kEpollHup;
  if (s.shutdown & kRcvShutdown) m |= kEpollIn | kEpollRdNorm | kEpollRdHup;
  if (s.state != TcpState::SynSent && s.state != TcpState::SynReceived) {
    if (s.rcv_buf() > 0) m |= kEpollIn | kEpollRdNorm;
    if (!(s.shutdown & kSendShutdown)) {
      if (s.snd_buf() < hosts[s.host].sys.sndbuf) m |= kEpollOut | kEpollWrNorm;
    } else {
      m |= kEpollOut | kEpollWrNorm;
    }
  }
  if (s.err) m |= kEpollErr;
  return m;
}

StepResult Sim::fail(Thread& t, const Step& st, const char* call, const std::string& args, int err,
                     const Sock* s) {
  trace_call(t, st, call, args, -1, err, s);
  if (t.attempt < st.retry_count) {
    // `retry:` — the program tries again after a pause that grows by
    // `factor` each time. A connect/listen that made its own socket closes
    // it first (close(); sleep(); socket(); connect() in the program).
    Process& p = procs[t.pid - 1];
    if ((st.kind == StepKind::Connect || st.kind == StepKind::Listen) && st.sock.empty() &&
        std::string(call) != "socket") {
      const std::int32_t fd = binding(t, st.as);
      if (const Sock* made = sock_of_fd(p, fd)) {
        t.call_start = now;  // close() does not block
        fd_close(p, fd);
        trace_call(t, st, "close", text_on() ? "fd=" + std::to_string(fd) : std::string(), 0, 0, made);
      }
    }
    Time delay = st.retry_backoff;
    for (int k = 0; k < t.attempt && delay < sec(86400); ++k) delay *= st.retry_factor;
    ++t.attempt;
    trace_note(p.host, s,
               p.name + ": " + call + "() failed with " + errno_name(err) + "; retry " + std::to_string(t.attempt) +
                   " of " + std::to_string(st.retry_count) + " in " + format_duration(delay));
    t.phase = 1;  // the step's trigger and call again, not its timing
    t.progress = 0;
    t.call_start = 0;
    sleep_until(t, now + delay);
    return StepResult::Wait;
  }
  switch (st.on_error) {
    case OnError::Continue:
      return StepResult::Done;
    case OnError::Exit:
      kill_process(procs[t.pid - 1], ProcOp::Exit, 1, std::string(call) + "() failed");
      return StepResult::Wait;
    case OnError::Stop:
      break;
  }
  trace_note(procs[t.pid - 1].host, s,
             procs[t.pid - 1].name + ": " + call + "() failed with " + errno_name(err) +
                 "; this thread stops (on_error: stop)");
  finish_thread(t);
  return StepResult::Wait;
}

// send() hit EPIPE: SIGPIPE kills the process unless it is ignored
// (sk_stream_error: "if (err == -EPIPE && !(flags & MSG_NOSIGNAL)) send_sig(SIGPIPE, current, 0)").
StepResult Sim::sigpipe(Thread& t, const Step& st, const char* call, const std::string& args,
                        const Sock* s) {
  Process& p = procs[t.pid - 1];
  if (st.nosignal) return fail(t, st, call, args + ", MSG_NOSIGNAL", EPIPE, s);
  if (p.ignore_sigpipe) {
    trace_call(t, st, call, args, -1, EPIPE, s);
    trace_signal(p, SIGPIPE, "ignored");
    if (st.on_error == OnError::Continue) return StepResult::Done;
    if (st.on_error == OnError::Exit) {
      kill_process(p, ProcOp::Exit, 1, "send() failed with EPIPE");
      return StepResult::Wait;
    }
    trace_note(p.host, s, p.name + ": send() failed with EPIPE; this thread stops (on_error: stop)");
    finish_thread(t);
    return StepResult::Wait;
  }
  trace_call(t, st, call, args, -1, EPIPE, s);
  trace_signal(p, SIGPIPE, "killed");
  kill_process(p, ProcOp::Killed, 128 + SIGPIPE, "killed by SIGPIPE");
  return StepResult::Wait;
}

// accept() takes the first connection of the accept queue, now held by
// descriptor `nfd` of `p` and bound to the step's `as` (the accept step and
// an epoll loop's on_in: accept).
Sock& Sim::take_accepted(Process& p, Thread& t, const Step& st, ListenQueues& lq, std::int32_t nfd) {
  const std::uint32_t cid = lq.accept_q.front();
  lq.accept_q.erase(lq.accept_q.begin());
  Sock& c = sock(cid);
  c.orphan = false;
  c.accepted = true;
  c.owner_pid = p.pid;
  register_socket(c, p.pid, label_for(p, st.as));
  set_binding(t, st.as, nfd);
  return c;
}

// Linux tcp_cleanup_rbuf(), after a read of `copied` bytes (the linux
// profile):
// - an ACK owed for more than one full segment goes out: the one
//   __tcp_ack_snd_check() held back while the window shrank ("Once-per-two-
//   segments ACK was not sent by tcp_input.c");
// - otherwise a window update goes out only when the window the free space
//   now allows is non-zero and at least twice the window still offered
//   ("'Lots' means 'at least twice' here"), and never once a FIN arrived or
//   the read side is shut down (RCV_SHUTDOWN).
// Deviation (tcpsim): the ACK Linux sends when a read empties the buffer
// after a pushed small segment (ICSK_ACK_PUSHED) is not modelled.
void Sim::cleanup_rbuf(Sock& s, std::uint64_t copied) {
  if (s.state == TcpState::Closed || s.state == TcpState::Listen || s.state == TcpState::SynSent) return;
  bool time_to_ack = s.ack_pending && (s.rcv_nxt - s.rcv_wup) > sys(s).mss;
  if (copied > 0 && !time_to_ack && !s.done && !(s.shutdown & kRcvShutdown)) {
    const std::int64_t offered = receive_window(s);
    const std::int64_t clamp = std::min<std::int64_t>(rcvbuf_of(s) / 2, 65535);  // tp->window_clamp
    if (2 * offered <= clamp) {
      const std::int64_t w = select_window(s);
      if (w > 0 && w >= 2 * offered) time_to_ack = true;
    }
  }
  if (time_to_ack) send_ack_now(s);
}

StepResult Sim::do_call(Thread& t, const Step& st) {
  Process& p = procs[t.pid - 1];
  HostRt& h = hosts[p.host];
  auto fd_of = [&](const std::string& name) { return binding(t, name); };
  // Argument texts exist only for the trace: not built when no events are recorded.
  auto fdarg = [&](std::int32_t fd) { return text_on() ? "fd=" + std::to_string(fd) : std::string(); };

  switch (st.kind) {
    case StepKind::Socket: {
      const std::uint32_t id = new_socket(p.host, p.pid);
      const int fd = fd_alloc(p, id, false);
      if (fd < 0) return fail(t, st, "socket", "AF_INET, SOCK_STREAM", EMFILE, nullptr);
      register_socket(sock(id), p.pid, label_for(p, st.as));
      set_binding(t, st.as, fd);
      trace_call(t, st, "socket", "AF_INET, SOCK_STREAM", fd, 0, &sock(id));
      return StepResult::Done;
    }
    case StepKind::Bind: {
      const std::int32_t fd = fd_of(st.sock);
      Sock* s = sock_of_fd(p, fd);
      const std::string args = fdarg(fd) + ", port " + std::to_string(st.port);
      if (!s) return fail(t, st, "bind", args, EBADF, nullptr);
      if (s->bound) return fail(t, st, "bind", args, EINVAL, s);
      if (bind_conflict(h, *s, st.port)) return fail(t, st, "bind", args, EADDRINUSE, s);
      bind_port(h, *s, st.port);
      trace_call(t, st, "bind", args, 0, 0, s);
      return StepResult::Done;
    }
    case StepKind::Listen: {
      std::int32_t fd;
      Sock* s;
      if (st.sock.empty()) {  // listen: {port, backlog, as}: socket() + bind() + listen()
        const std::uint32_t id = new_socket(p.host, p.pid);
        fd = fd_alloc(p, id, false);
        if (fd < 0) return fail(t, st, "socket", "AF_INET, SOCK_STREAM", EMFILE, nullptr);
        s = &sock(id);
        register_socket(*s, p.pid, label_for(p, st.as));
        set_binding(t, st.as, fd);
        trace_call(t, st, "socket", "AF_INET, SOCK_STREAM", fd, 0, s);
        const std::string bargs = fdarg(fd) + ", port " + std::to_string(st.port);
        // bind()'s rules: a listener, a bound port or a connection (TIME_WAIT too) on it.
        if (bind_conflict(h, *s, st.port)) return fail(t, st, "bind", bargs, EADDRINUSE, s);
        bind_port(h, *s, st.port);
        trace_call(t, st, "bind", bargs, 0, 0, s);
      } else {
        fd = fd_of(st.sock);
        s = sock_of_fd(p, fd);
        if (!s) return fail(t, st, "listen", fdarg(fd), EBADF, nullptr);
      }
      const std::string args = fdarg(fd) + ", backlog " + std::to_string(st.backlog);
      if (s->state != TcpState::Closed && !s->listening) return fail(t, st, "listen", args, EINVAL, s);
      if (s->holds_bind && h.bound.count(s->lport)) {  // the listener table holds the port now
        if (--h.bound[s->lport] == 0) h.bound.erase(s->lport);
        s->holds_bind = false;
      }
      const int e = tcp_listen(*s, st.backlog);
      if (e) return fail(t, st, "listen", args, e, s);
      listens[s->listen_idx - 1].label = ev_on ? p.name + "/" + (st.as.empty() ? st.sock : st.as) : "";
      trace_call(t, st, "listen", args, 0, 0, s);
      return StepResult::Done;
    }
    case StepKind::Accept: {
      const std::int32_t fd = fd_of(st.sock);
      Sock* l = sock_of_fd(p, fd);
      // __sys_accept4_file() takes the lowest free descriptor
      // (get_unused_fd_flags()) *before* do_accept() waits for a connection:
      // a thread blocked in accept() holds that number, so a descriptor
      // another thread closes meanwhile is not the one accept() returns
      // (kernel-facts §17), and at the fd limit accept() fails with EMFILE at
      // once, even with an empty queue. t.progress = reserved fd + 1.
      int nfd = t.progress ? static_cast<int>(t.progress - 1) : -1;
      auto unreserve = [&] {
        if (nfd < 0) return;
        p.fds[nfd] = FdEntry{};
        if (static_cast<std::size_t>(nfd) < p.fd_hint) p.fd_hint = static_cast<std::size_t>(nfd);
      };
      if (!l) return unreserve(), fail(t, st, "accept", fdarg(fd), EBADF, nullptr);
      if (!l->listening) return unreserve(), fail(t, st, "accept", fdarg(fd), EINVAL, l);
      ListenQueues& lq = listens[l->listen_idx - 1];
      if (nfd < 0) {
        // The number is taken as fd_alloc() takes it, then left without a
        // socket until the connection is installed (fd_install()).
        nfd = fd_alloc(p, l->id, false);
        if (nfd < 0) return fail(t, st, "accept", fdarg(fd), EMFILE, l);
        p.fds[nfd] = FdEntry{};
        p.fds[nfd].reserved = true;
        --l->fd_refs;
        --fds_open;
      }
      if (lq.accept_q.empty()) {
        if (l->nonblock) return unreserve(), fail(t, st, "accept", fdarg(fd), EAGAIN, l);
        t.progress = static_cast<std::uint64_t>(nfd) + 1;
        block_on(t, l);
        return StepResult::Wait;
      }
      const std::uint32_t cid = lq.accept_q.front();
      p.fds[nfd] = FdEntry{cid, false};  // fd_install()
      ++sock(cid).fd_refs;
      ++fds_open;
      Sock& c = take_accepted(p, t, st, lq, nfd);
      trace_call(t, st, "accept", text_on() ? fdarg(fd) + " -> " + endpoint_string(c.rip, c.rport) : std::string(),
                 nfd, 0, &c);
      wake(*l);  // room in the accept queue
      return StepResult::Done;
    }
    case StepKind::Connect: {
      const int dh = host_index(st.to_host);
      const std::uint32_t rip = st.to_ip ? st.to_ip : dh >= 0 ? hosts[dh].ip : 0;  // to: 127.0.0.1 or an ip
      const std::string dest = text_on() ? endpoint_string(rip, st.port) : std::string();
      if (t.progress == 0) {
        std::int32_t fd;
        Sock* s;
        if (st.sock.empty()) {
          const std::uint32_t id = new_socket(p.host, p.pid);
          fd = fd_alloc(p, id, false);
          if (fd < 0) return fail(t, st, "socket", "AF_INET, SOCK_STREAM", EMFILE, nullptr);
          s = &sock(id);
          const std::string lbl = label_for(p, st.as);
          register_socket(*s, p.pid, lbl);
          if (!sc.isn.empty()) {
            auto it = sc.isn.find(p.name + "/" + st.as);
            if (it != sc.isn.end()) pending_isn[id] = it->second;
          }
          set_binding(t, st.as, fd);
          trace_call(t, st, "socket", "AF_INET, SOCK_STREAM", fd, 0, s);
        } else {
          fd = fd_of(st.sock);
          s = sock_of_fd(p, fd);
          if (!s) return fail(t, st, "connect", fdarg(fd) + ", " + dest, EBADF, nullptr);
        }
        if (st.from_port && !s->bound) {
          // connect: {from_port: N} is bind(N) first, with bind()'s checks.
          const std::string bargs = fdarg(fd) + ", port " + std::to_string(st.from_port);
          if (bind_conflict(h, *s, st.from_port)) return fail(t, st, "bind", bargs, EADDRINUSE, s);
          bind_port(h, *s, st.from_port);
          trace_call(t, st, "bind", bargs, 0, 0, s);
        }
        if (s->state != TcpState::Closed)
          return fail(t, st, "connect", fdarg(fd) + ", " + dest,
                      s->state == TcpState::SynSent ? EALREADY : EISCONN, s);
        const int e = tcp_connect(*s, rip, st.port);
        if (e == EADDRNOTAVAIL) {
          // tcp_v4_connect() sets SYN_SENT before inet_hash_connect() looks
          // for a port, and CLOSE again when it finds none: Linux's
          // sock:inet_sock_set_state shows CLOSED -> SYN_SENT -> CLOSED at
          // the failing call, with nothing sent. Traced alike; the model's
          // socket itself never leaves CLOSED.
          // The per-state counts follow the trace (a SYN_SENT peak of one).
          count_state(*s, TcpState::Closed, TcpState::SynSent);
          trace_state(*s, TcpState::Closed, TcpState::SynSent, "connect(): tcp_v4_connect()");
          count_state(*s, TcpState::SynSent, TcpState::Closed);
          trace_state(*s, TcpState::SynSent, TcpState::Closed, "connect(): no free port (inet_hash_connect() fails)");
        }
        if (e) return fail(t, st, "connect", fdarg(fd) + ", " + dest, e, s);
        t.progress = 1;
        t.wait_sock = 0;
        if (s->nonblock) {
          trace_call(t, st, "connect", fdarg(fd) + ", " + dest, -1, EINPROGRESS, s);
          return StepResult::Done;
        }
      }
      const std::int32_t fd = fd_of(st.as.empty() ? st.sock : st.as);
      Sock* s = sock_of_fd(p, fd);
      CallDeadline dl{t};
      if (!s) return fail(t, st, "connect", fdarg(fd) + ", " + dest, EBADF, nullptr);
      if (s->state == TcpState::SynSent || s->state == TcpState::SynReceived) {
        // __inet_stream_connect(): a blocking connect() waits sock_sndtimeo();
        // when SO_SNDTIMEO expires it returns EINPROGRESS and the handshake
        // goes on without it.
        if (timed_out(t, s->sndtimeo))
          return fail(t, st, "connect", fdarg(fd) + ", " + dest, EINPROGRESS, s);
        dl.keep = true;
        block_on(t, s);
        return StepResult::Wait;
      }
      if (s->state == TcpState::Closed) {
        const int e = take_err(*s);
        // __inet_stream_connect(): a blocking connect() that fails calls
        // tcp_disconnect(), which clears sk_shutdown; so a later read() is
        // ENOTCONN, where after a failed non-blocking connect it returns 0
        // (measured on Linux 6.18; tests/packetdrill/connect-refused.pkt).
        s->shutdown = 0;
        s->done = false;
        return fail(t, st, "connect", fdarg(fd) + ", " + dest, e ? e : ECONNREFUSED, s);
      }
      trace_call(t, st, "connect", fdarg(fd) + ", " + dest, 0, 0, s);
      return StepResult::Done;
    }
    case StepKind::Send: {
      const std::int32_t fd = fd_of(st.sock);
      Sock* s = sock_of_fd(p, fd);
      const std::string args = text_on() ? fdarg(fd) + ", " + std::to_string(st.bytes) + " bytes" : std::string();
      CallDeadline dl{t};
      if (!s) return fail(t, st, "send", args, EBADF, nullptr);
      // tcp_sendmsg: wait for the connection; a dead one reports sk_err, else EPIPE.
      if (s->state != TcpState::Established && s->state != TcpState::CloseWait) {
        if (s->state == TcpState::SynSent || s->state == TcpState::SynReceived) {
          // sk_stream_wait_connect() with a zero timeout (O_NONBLOCK): -EAGAIN
          // while the handshake is in progress (measured, docs/kernel-facts.md §8);
          // with SO_SNDTIMEO, -EAGAIN once it expires.
          if (s->nonblock || timed_out(t, s->sndtimeo)) return fail(t, st, "send", args, EAGAIN, s);
          dl.keep = true;
          block_on(t, s);
          return StepResult::Wait;
        }
        const int e = s->err ? take_err(*s) : EPIPE;
        if (e == EPIPE) return sigpipe(t, st, "send", args, s);
        return fail(t, st, "send", args, e, s);
      }
      if (s->err || (s->shutdown & kSendShutdown)) {
        const int e = s->err ? take_err(*s) : EPIPE;
        if (e == EPIPE) return sigpipe(t, st, "send", args, s);
        return fail(t, st, "send", args, e, s);
      }
      // Queue what the send buffer takes; a blocking send waits for room.
      const std::uint32_t limit = h.sys.sndbuf;
      while (t.progress < st.bytes) {
        const std::uint32_t used = s->snd_buf();
        if (used >= limit) {
          // sk_stream_wait_memory(): O_NONBLOCK or an expired SO_SNDTIMEO
          // returns what was queued so far, or -EAGAIN.
          if (s->nonblock || timed_out(t, s->sndtimeo)) {
            if (t.progress) break;
            return fail(t, st, "send", args, EAGAIN, s);
          }
          dl.keep = true;
          block_on(t, s);
          return StepResult::Wait;
        }
        const std::uint64_t n = std::min<std::uint64_t>(st.bytes - t.progress, limit - used);
        t.progress += n;
        tcp_send(*s, n);
      }
      trace_call(t, st, "send", args, static_cast<std::int64_t>(t.progress), 0, s);
      return StepResult::Done;
    }
    case StepKind::Recv: {
      const std::int32_t fd = fd_of(st.sock);
      Sock* s = sock_of_fd(p, fd);
      const std::string args = fdarg(fd);
      CallDeadline dl{t};
      if (!s) return fail(t, st, "recv", args, EBADF, nullptr);
      for (;;) {
        if (s->listening) return fail(t, st, "recv", args, ENOTCONN, s);
        if (s->rcv_buf() > 0) {
          std::uint64_t want = s->rcv_buf();
          if (st.bytes) want = std::min<std::uint64_t>(want, st.bytes - t.progress);
          s->rcv_read += want;
          t.progress += want;
          trace_call(t, st, "recv", args, static_cast<std::int64_t>(want), 0, s);
          if (hosts[s->host].profile == Profile::Linux) {
            cleanup_rbuf(*s, want);
          } else if (s->rcv_wnd < hosts[s->host].sys.mss && s->state != TcpState::Closed) {
            // RFC 9293 §3.8.6.2.2: reading may reopen a closed window; tell
            // the peer.
            send_ack_now(*s);
          }
          if (st.until_eof || (st.bytes && t.progress < st.bytes)) {
            t.call_start = now;
            t.deadline = 0;  // the next read() has its own SO_RCVTIMEO
            continue;
          }
          return StepResult::Done;
        }
        // tcp_recvmsg: SOCK_DONE (a FIN arrived) first, then sk_err, then
        // RCV_SHUTDOWN, then "not connected".
        if (s->done) {
          trace_call(t, st, "recv", args, 0, 0, s);
          return StepResult::Done;
        }
        if (s->err) {
          const int e = take_err(*s);
          return fail(t, st, "recv", args, e, s);
        }
        if (s->shutdown & kRcvShutdown) {
          trace_call(t, st, "recv", args, 0, 0, s);
          return StepResult::Done;
        }
        // tcp_recvmsg(): TCP_CLOSE without RCV_SHUTDOWN (never connected, or
        // disconnected by shutdown() in SYN_SENT) is "not connected"; a
        // connection that ended by reset or FIN has RCV_SHUTDOWN and reads 0.
        if (s->state == TcpState::Closed && !(s->shutdown & kRcvShutdown))
          return fail(t, st, "recv", args, ENOTCONN, s);
        if (s->state == TcpState::Closed) {
          trace_call(t, st, "recv", args, 0, 0, s);
          return StepResult::Done;
        }
        // SO_RCVTIMEO (sock_rcvtimeo()): tcp_recvmsg() returns -EAGAIN once
        // it expires with nothing read.
        if (s->nonblock || timed_out(t, s->rcvtimeo)) return fail(t, st, "recv", args, EAGAIN, s);
        dl.keep = true;
        block_on(t, s);
        return StepResult::Wait;
      }
    }
    case StepKind::Shutdown: {
      const std::int32_t fd = fd_of(st.sock);
      Sock* s = sock_of_fd(p, fd);
      static const char* hows[] = {"SHUT_RD", "SHUT_WR", "SHUT_RDWR"};
      const std::string args = fdarg(fd) + ", " + hows[static_cast<int>(st.how)];
      if (!s) return fail(t, st, "shutdown", args, EBADF, nullptr);
      const std::uint8_t how = st.how == ShutHow::Rd   ? kRcvShutdown
                               : st.how == ShutHow::Wr ? kSendShutdown
                                                       : (kRcvShutdown | kSendShutdown);
      if (s->listening) {
        shutdown_listener(*s, how);
        trace_call(t, st, "shutdown", args, 0, 0, s);
        return StepResult::Done;
      }
      if (s->state == TcpState::Closed || s->state == TcpState::Listen) {
        s->shutdown |= how;
        return fail(t, st, "shutdown", args, ENOTCONN, s);
      }
      tcp_shutdown(*s, how);
      trace_call(t, st, "shutdown", args, 0, 0, s);
      return StepResult::Done;
    }
    case StepKind::Close: {
      const std::int32_t fd = fd_of(st.sock);
      Sock* s = sock_of_fd(p, fd);
      if (t.progress == 0) {
        if (!s) return fail(t, st, "close", fdarg(fd), EBADF, nullptr);
        const bool last = s->fd_refs == 1;
        const bool lingering = last && s->linger_on && s->linger_secs > 0;
        linger_close = true;  // only an explicit close() blocks for SO_LINGER
        fd_close(p, fd);
        linger_close = false;
        if (lingering && (s->state == TcpState::FinWait1 || s->state == TcpState::Closing ||
                          s->state == TcpState::LastAck)) {
          // SO_LINGER {on, N}: close() blocks until the FIN is acknowledged
          // or N seconds pass (sk_stream_wait_close).
          t.progress = 1;
          t.linger_sock = s->id;
          arm(*s, TimerKind::Linger, now + sec(s->linger_secs));
          block_on(t, s);
          return StepResult::Wait;
        }
        if (lingering) {
          s->orphan = true;
          orphan_fin_wait2_timer(*s);
        }
        trace_call(t, st, "close", fdarg(fd), 0, 0, s);
        if (!last)
          trace_note(p.host, s,
                     "fd " + std::to_string(fd) + " closed, but " + std::to_string(s->fd_refs) +
                         " other descriptor(s) (dup() or a forked child) still refer to the socket: no FIN is sent");
        return StepResult::Done;
      }
      // Lingering close(), woken by a state change or the linger timer.
      Sock& ls = sock(t.linger_sock);
      const bool closing = ls.state == TcpState::FinWait1 || ls.state == TcpState::Closing ||
                           ls.state == TcpState::LastAck;
      if (closing && ls.timers[static_cast<int>(TimerKind::Linger)]) {
        block_on(t, &ls);
        return StepResult::Wait;
      }
      cancel(ls, TimerKind::Linger);
      ls.orphan = true;
      orphan_fin_wait2_timer(ls);
      if (ls.state == TcpState::Closed) tcp_done(ls);
      trace_call(t, st, "close", "SO_LINGER " + std::to_string(ls.linger_secs) + " s", 0, 0, &ls);
      return StepResult::Done;
    }
    case StepKind::SetSockOpt: {
      const std::int32_t fd = fd_of(st.sock);
      Sock* s = sock_of_fd(p, fd);
      const std::string args = fdarg(fd) + ", " + sockopt_text(st);
      const char* call = st.opt == SockOpt::CloExec || st.opt == SockOpt::NonBlock ? "fcntl" : "setsockopt";
      if (!s) return fail(t, st, call, args, EBADF, nullptr);
      switch (st.opt) {
        case SockOpt::Linger:
          s->linger_on = st.on;
          s->linger_secs = static_cast<std::uint16_t>(std::min<std::int64_t>(std::max<std::int64_t>(st.value, 0), 65535));
          break;
        case SockOpt::ReuseAddr: s->reuseaddr = st.on; break;
        case SockOpt::KeepAlive:
          s->keepalive = st.on;
          // tcp_set_keepalive(): armed in any state but CLOSE and LISTEN; a
          // socket still connecting gets it when it is established.
          if (st.on && !s->listening && s->state != TcpState::Closed && s->state != TcpState::SynSent &&
              s->state != TcpState::TimeWait && !s->timers[static_cast<int>(TimerKind::Keepalive)])
            arm(*s, TimerKind::Keepalive, now + keepalive_time(*s));
          if (!st.on) cancel(*s, TimerKind::Keepalive);
          break;
        case SockOpt::NoDelay:
          s->nodelay = st.on;
          output(*s);
          break;
        case SockOpt::CloExec: p.fds[fd].cloexec = st.on; break;
        case SockOpt::NonBlock: s->nonblock = st.on; break;
        case SockOpt::RcvBuf: {
          // __sock_set_rcvbuf(): the value, capped at net.core.rmem_max
          // (212992), is doubled for the kernel's bookkeeping overhead and
          // locked (SOCK_RCVBUF_LOCK: no autotuning, which the model has
          // not anyway); at least SOCK_MIN_RCVBUF (2048 + sizeof(sk_buff)).
          // The window offered is half of it (tcp_select_initial_window(),
          // __tcp_select_window()).
          const std::int64_t v = std::clamp<std::int64_t>(st.value, 0, 212992);
          s->rcvbuf = static_cast<std::uint32_t>(std::max<std::int64_t>(2 * v, 2304));
          break;
        }
        case SockOpt::KeepIdle:
          // tcp_sock_set_keepidle_locked(): with SO_KEEPALIVE on, the timer is
          // re-armed for the new idle time, less the time already idle.
          s->keepidle = sec(st.value);
          if (s->keepalive && !s->listening && s->state != TcpState::Closed && s->state != TcpState::SynSent &&
              s->state != TcpState::TimeWait) {
            const Time idle = now - s->last_rcv;
            arm(*s, TimerKind::Keepalive, now + std::max<Time>(s->keepidle - idle, 0));
          }
          break;
        case SockOpt::KeepIntvl: s->keepintvl = sec(st.value); break;
        case SockOpt::KeepCnt: s->keepcnt = static_cast<std::uint8_t>(st.value); break;
        case SockOpt::UserTimeout: s->user_timeout = st.value; break;
        case SockOpt::RcvTimeo: s->rcvtimeo = st.value; break;
        case SockOpt::SndTimeo: s->sndtimeo = st.value; break;
        case SockOpt::QuickAck:
          // __tcp_sock_set_quickack(): 0 enters pingpong (delayed-ACK) mode;
          // 1 leaves it, and an ACK already owed goes out now if everything
          // received has been read (tcp_cleanup_rbuf with ICSK_ACK_PUSHED).
          // Not sticky: the stack re-enters pingpong on its own.
          s->pingpong = !st.on;
          if (st.on && s->ack_pending && s->rcv_buf() == 0 &&
              (s->state == TcpState::Established || s->state == TcpState::CloseWait))
            send_ack_now(*s);
          break;
        case SockOpt::Linger2:
          // do_tcp_setsockopt(TCP_LINGER2): negative is -1; above
          // TCP_FIN_TIMEOUT_MAX (120 s) is 120 s; 0 means tcp_fin_timeout.
          s->linger2 = static_cast<std::int32_t>(st.value < 0 ? -1 : std::min<std::int64_t>(st.value, 120));
          break;
      }
      trace_call(t, st, call, args, 0, 0, s);
      return StepResult::Done;
    }
    case StepKind::GetSockOpt: {
      // getsockopt(): the value read is traced after "->" as name=value
      // pairs, which `expect: calls: {fields: ...}` matches.
      const std::int32_t fd = fd_of(st.sock);
      Sock* s = sock_of_fd(p, fd);
      const bool info = st.getopt == GetOpt::TcpInfo;
      std::string args = fdarg(fd) + (info ? ", TCP_INFO" : ", SO_ERROR");
      if (!s) return fail(t, st, "getsockopt", args, EBADF, nullptr);
      if (!info) {
        // sock_getsockopt(SO_ERROR): sock_error() reads sk_err and clears it.
        const int e = take_err(*s);
        args += std::string(" -> error=") + (e ? errno_name(e) : "0");
      } else {
        // tcp_get_info(): tcpi_retransmits = icsk_retransmits, tcpi_probes =
        // icsk_probes_out (keepalive probes here), tcpi_rto = icsk_rto,
        // tcpi_unacked = packets_out. Approximation: packets_out counts the
        // data in flight in MSS-sized segments, plus a SYN or a FIN sent on
        // its own (Linux counts the skbs queued).
        const std::uint32_t in_flight = s->snd_max - s->snd_una;
        std::uint32_t ctl = 0;
        if (in_flight && (s->state == TcpState::SynSent || s->state == TcpState::SynReceived)) ctl = 1;
        if (s->fin_ever && !s->fin_acked) ctl = 1;
        const std::uint32_t data = in_flight > ctl ? in_flight - ctl : 0;
        const std::uint32_t mss = sys(*s).mss;
        const std::uint32_t unacked = s->listening ? 0 : (data + mss - 1) / mss + (data == 0 ? ctl : 0);
        // Zero-window probing keeps its backoff in `retransmits`; Linux's
        // icsk_retransmits stays 0 then (the probes count in icsk_probes_out).
        const bool zero_window_probing = in_flight == 0 && s->written > s->sent && s->snd_wnd == 0;
        args += std::string(" -> state=") + state_name(s->listening ? TcpState::Listen : s->state) +
                " retransmits=" + std::to_string(zero_window_probing ? 0 : s->retransmits) +
                " probes=" + std::to_string(s->probes) +
                " rto=" + compact_duration(s->rto ? s->rto : sys(*s).rto_initial) +
                " unacked=" + std::to_string(unacked) + " total_retrans=" + std::to_string(s->total_retrans) +
                // tcpi_snd_cwnd, tcpi_snd_ssthresh: in segments, as Linux counts them.
                " cwnd=" + std::to_string(s->cwnd / mss) + " ssthresh=" +
                (s->ssthresh >= kInfiniteSsthresh ? std::string("inf") : std::to_string(s->ssthresh / mss));
      }
      trace_call(t, st, "getsockopt", args, 0, 0, s);
      return StepResult::Done;
    }
    case StepKind::Dup: {
      const std::int32_t fd = fd_of(st.sock);
      Sock* s = sock_of_fd(p, fd);
      if (!s) return fail(t, st, "dup", fdarg(fd), EBADF, nullptr);
      const int nfd = fd_alloc(p, s->id, false);
      if (nfd < 0) return fail(t, st, "dup", fdarg(fd), EMFILE, s);
      set_binding(t, st.as, nfd);
      trace_call(t, st, "dup", fdarg(fd), nfd, 0, s);
      return StepResult::Done;
    }
    case StepKind::Fork: {
      if (!within_limit(procs.size(), opt.limits.processes, "processes", "--max-processes",
                        "fork in " + p.name, p.host))
        return StepResult::Wait;
      Process child;
      child.pid = static_cast<std::int32_t>(procs.size() + 1);
      child.host = p.host;
      child.name = st.as.empty() ? p.name + "-child" : st.as;
      child.ignore_sigpipe = p.ignore_sigpipe;
      child.fd_limit = p.fd_limit;
      child.fds = p.fds;  // the child inherits every descriptor
      child.spec = p.spec;
      for (auto& e : child.fds)
        if (e.sock) {
          if (e.sock != kEpollInstance) ++sock(e.sock).fd_refs;
          ++fds_open;
        }
      procs.push_back(std::move(child));
      Process& c = procs.back();
      sink.on_process(ProcessInfo{c.pid, c.host, c.name});
      trace_call(t, st, "fork", "", c.pid, 0, nullptr);
      trace_process(c, ProcOp::Start, 0, "forked from " + procs[t.pid - 1].name);
      const std::uint32_t tid = new_thread(c.pid, &st.body, t.bind);
      make_runnable(tid);
      return StepResult::Done;
    }
    case StepKind::Exec: {
      int closed = 0;
      for (std::size_t fd = 0; fd < p.fds.size(); ++fd)
        if (p.fds[fd].sock && p.fds[fd].cloexec) {
          fd_close(p, static_cast<int>(fd));
          ++closed;
        }
      trace_call(t, st, "execve", std::to_string(closed) + " FD_CLOEXEC descriptors closed", 0, 0, nullptr);
      return StepResult::Done;
    }
    case StepKind::Exit: {
      trace_call(t, st, "exit", std::to_string(st.status), 0, 0, nullptr);
      kill_process(p, ProcOp::Exit, st.status, "");
      return StepResult::Wait;
    }
    case StepKind::Sleep: {
      if (t.progress == 0 && st.duration > 0) {
        t.progress = 1;
        sleep_until(t, now + st.duration);
        return StepResult::Wait;
      }
      return StepResult::Done;
    }
    case StepKind::Wait:
      return StepResult::Done;  // the trigger (st.when) held in the timing phase
    case StepKind::Signal: {
      p.ignore_sigpipe = st.ignore;
      trace_call(t, st, "signal", std::string("SIGPIPE, ") + (st.ignore ? "SIG_IGN" : "SIG_DFL"), 0, 0, nullptr);
      return StepResult::Done;
    }
    case StepKind::Spawn: {
      const std::uint32_t tid = new_thread(t.pid, &st.body, t.bind);
      make_runnable(tid);
      return StepResult::Done;
    }
    case StepKind::Loop: {
      if (!st.concurrent) {
        t.frames.push_back(Frame{&st.body, 0, 0, now, &st});
        if (st.count == 0 && st.body.empty()) return StepResult::Done;
        return StepResult::Pushed;
      }
      // Concurrent: start one thread per iteration, `every` apart.
      if (t.progress == 0) t.call_start = now;
      for (;;) {
        if (st.count != 0 && t.progress >= st.count) return StepResult::Done;
        const std::uint32_t tid = new_thread(t.pid, &st.body, t.bind);
        make_runnable(tid);
        ++t.progress;
        if (st.every > 0) {
          if (st.count != 0 && t.progress >= st.count) return StepResult::Done;
          sleep_until(t, t.call_start + static_cast<Time>(t.progress) * st.every);
          return StepResult::Wait;
        }
        if (st.count == 0) {
          trace_note(p.host, nullptr, "a concurrent loop without count or every would never end: stopped");
          return StepResult::Done;
        }
      }
    }
    case StepKind::Epoll: {
      const EpollSpec& ep = st.epoll;
      const std::int32_t fd = fd_of(ep.sock);
      Sock* s = sock_of_fd(p, fd);
      if (!s) return fail(t, st, "epoll_wait", fdarg(fd), EBADF, nullptr);
      // epoll_create() when the loop begins: the instance holds a descriptor
      // (RLIMIT_NOFILE counts it) until the loop ends.
      if (t.epoll_fd < 0) {
        t.epoll_fd = fd_alloc(p, kEpollInstance, false);
        if (t.epoll_fd < 0) return fail(t, st, "epoll_create", "", EMFILE, s);
      }
      auto end_loop = [&] {
        if (t.epoll_fd >= 0) fd_close(p, t.epoll_fd);
        t.epoll_fd = -1;
        return StepResult::Done;
      };
      const std::uint32_t want = (ep.events ? ep.events : (kEpollIn | kEpollRdHup)) | kEpollErr | kEpollHup;
      const std::uint32_t ready = poll_mask(*s) & want;
      const bool report = ready != 0 && (!ep.edge || ready != t.last_mask);
      if (!report) {
        if (ep.edge) t.last_mask = ready;
        if (ep.timeout > 0) {
          // epoll_wait(..., timeout): nothing ready when the timeout expires
          // returns 0, and the loop calls it again; each return counts as a
          // wake-up (max_wakeups), as in the kernel runner.
          if (t.deadline != 0 && now >= t.deadline) {
            t.deadline = 0;
            ++t.progress;
            trace_call(t, st, "epoll_wait",
                       fdarg(fd) + ", timeout " + format_duration(ep.timeout) + ", wake-up " +
                           std::to_string(t.progress),
                       0, 0, s);
            if (ep.max_wakeups > 0 && t.progress >= static_cast<std::uint64_t>(ep.max_wakeups)) {
              trace_note(p.host, s,
                         p.name + ": epoll loop stopped after " + std::to_string(t.progress) +
                             " wake-ups (max_wakeups)");
              return end_loop();
            }
            t.call_start = now;
          }
          block_on(t, s);
          if (t.deadline == 0) {
            t.deadline = now + ep.timeout;
            schedule(t.deadline, QWake, t.id + 1);
          }
          return StepResult::Wait;
        }
        block_on(t, s);
        return StepResult::Wait;
      }
      t.deadline = 0;
      t.last_mask = ready;
      ++t.progress;
      trace_call(t, st, "epoll_wait",
                 fdarg(fd) + ", events=" + epoll_mask_string(ready) + ", wake-up " + std::to_string(t.progress),
                 1, 0, s);
      t.call_start = now;  // the read below does not block
      if ((ready & kEpollIn) && ep.on_in == EpollOnIn::Accept && s->listening) {
        // accept() on the ready listener. The descriptor comes first
        // (__sys_accept4_file -> get_unused_fd_flags): at RLIMIT_NOFILE it
        // fails with EMFILE and the connection stays in the accept queue, so
        // the listener stays readable and a level-triggered loop wakes again
        // at once: the accept busy loop.
        ListenQueues& lq = listens[s->listen_idx - 1];
        const std::uint32_t cid = lq.accept_q.front();
        const int nfd = fd_alloc(p, cid, false);
        if (nfd < 0) {
          trace_call(t, st, "accept", fdarg(fd), -1, EMFILE, s);
        } else {
          Sock& c = take_accepted(p, t, st, lq, nfd);
          trace_call(t, st, "accept",
                     text_on() ? fdarg(fd) + " -> " + endpoint_string(c.rip, c.rport) : std::string(), nfd, 0, &c);
          wake(*s);  // room in the accept queue
        }
      } else if ((ready & kEpollIn) && ep.on_in == EpollOnIn::Ignore) {
        // The handler does not read: nothing changes, the socket stays ready.
      } else if (ready & kEpollIn) {
        const std::uint32_t avail = s->rcv_buf();
        if (avail > 0) {
          s->rcv_read += avail;
          trace_call(t, st, "recv", fdarg(fd), avail, 0, s);
        } else if (s->err) {
          const int e = take_err(*s);
          trace_call(t, st, "recv", fdarg(fd), -1, e, s);
        } else {
          trace_call(t, st, "recv", fdarg(fd), 0, 0, s);
          if (ep.close_on_eof) {
            fd_close(p, fd);
            trace_call(t, st, "close", fdarg(fd) + " (read() returned 0)", 0, 0, s);
            return end_loop();
          }
        }
      }
      if (ep.max_wakeups > 0 && t.progress >= static_cast<std::uint64_t>(ep.max_wakeups)) {
        trace_note(p.host, s,
                   p.name + ": epoll loop stopped after " + std::to_string(t.progress) +
                       " wake-ups (max_wakeups)");
        return end_loop();
      }
      // Level-triggered: still ready, so epoll_wait returns again at once.
      t.call_start = now + kSpinCost;
      sleep_until(t, now + kSpinCost);
      return StepResult::Wait;
    }
  }
  return StepResult::Done;
}

}  // namespace tcpsim
