// tcpsim::kernel — the script interpreter that runs inside each scenario
// process (a forked child of the runner, in its host's network namespace).
// Steps become real blocking system calls; each call is reported to the
// runner (report.hpp) with its return value, errno and start/end times.
//
// Descriptor layout: fd 0 and 1 are /dev/null and fd 2 is the report pipe,
// so the first socket a script makes is fd 3, as in an ordinary process.
#include "script_runner.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <memory>
#include <new>
#include <mutex>
#include <thread>
#include <vector>

#include "report.hpp"
#include "tcpsim/types.hpp"

namespace tcpsim::kernel {

std::int64_t mono_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

namespace {

std::atomic<int> g_sigpipes{0};
void on_sigpipe(int) { g_sigpipes.fetch_add(1); }

// Bindings made by `as:`; a loop/spawn/fork body sees the bindings made
// before it, and names made inside a body stay in that body.
struct Scope {
  Scope* parent = nullptr;
  std::map<std::string, int> fds;
  // A copy of every binding visible here: a thread started from a loop body
  // must not refer to the body's scope, which ends before the thread does.
  std::shared_ptr<Scope> snapshot() const {
    auto s = std::make_shared<Scope>();
    std::vector<const Scope*> chain;
    for (const Scope* x = this; x; x = x->parent) chain.push_back(x);
    for (auto it = chain.rbegin(); it != chain.rend(); ++it)
      for (const auto& [k, v] : (*it)->fds) s->fds[k] = v;
    return s;
  }
  int* find(const std::string& n) {
    for (Scope* s = this; s; s = s->parent) {
      auto it = s->fds.find(n);
      if (it != s->fds.end()) return &it->second;
    }
    return nullptr;
  }
};

struct Proc {
  const Scenario* sc = nullptr;
  std::string name;
  std::string congestion;  // ChildSetup::congestion
  int report_fd = 2;
  std::int64_t t0 = 0;
  std::recursive_mutex mu;
  std::map<int, std::string> fd_label;        // open socket fds -> socket label
  std::map<std::string, int> label_count;     // "server/conn" -> sockets so far
  std::atomic<bool> sigpipe_ignored{false};
};

Proc* g_proc = nullptr;

void send_record(Record& r) {
  r.os_pid = getpid();
  Record::put(r.name, sizeof r.name, g_proc->name);
  const char* p = reinterpret_cast<const char*>(&r);
  ssize_t n = write(g_proc->report_fd, p, sizeof r);
  (void)n;
}

void fill_tuple(Record& r, int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  if (fd >= 0 && getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0 &&
      a.sin_family == AF_INET) {
    r.lip = ntohl(a.sin_addr.s_addr);
    r.lport = ntohs(a.sin_port);
  }
  len = sizeof a;
  sockaddr_in b{};
  if (fd >= 0 && getpeername(fd, reinterpret_cast<sockaddr*>(&b), &len) == 0 &&
      b.sin_family == AF_INET) {
    r.rip = ntohl(b.sin_addr.s_addr);
    r.rport = ntohs(b.sin_port);
  }
}

std::string label_of(int fd) {
  std::lock_guard<std::recursive_mutex> g(g_proc->mu);
  auto it = g_proc->fd_label.find(fd);
  return it == g_proc->fd_label.end() ? std::string() : it->second;
}

void report_socket(int fd) {
  Record r;
  r.type = RecType::Socket;
  Record::put(r.label, sizeof r.label, label_of(fd));
  r.ret = fd;
  fill_tuple(r, fd);
  r.t_start = r.t_end = mono_ns();
  send_record(r);
}

// A new TCP socket runs the runner's congestion control (KernelOptions::congestion):
// setsockopt(TCP_CONGESTION) as tcp_set_congestion_control() allows it with
// CAP_NET_ADMIN even for an algorithm not in tcp_allowed_congestion_control.
// Not a traced call (the model makes none). Failure is reported as an Error
// record that the runner turns into a failed run (kernel_run.cpp), not ignored.
// Accepted sockets inherit the listener's algorithm (tcp_ca_openreq_child() keeps
// the icsk_ca_ops cloned from the listener unless the route sets one).
bool set_congestion(int fd) {
  if (fd < 0 || g_proc->congestion.empty()) return true;
  const std::string& alg = g_proc->congestion;
  if (setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, alg.data(), static_cast<socklen_t>(alg.size())) == 0)
    return true;
  const int e = errno;
  Record r;
  r.type = RecType::Error;
  Record::put(r.args, sizeof r.args, "TCP_CONGESTION " + alg + ": setsockopt failed: " + std::strerror(e));
  r.err = e;
  r.t_start = r.t_end = mono_ns();
  send_record(r);
  close(fd);
  errno = e;
  return false;
}

void report_call(const char* call, const std::string& args, std::int64_t ret, int err,
                 std::int64_t t_start, int fd, const std::string& label = {}) {
  Record r;
  r.type = RecType::Call;
  r.t_start = t_start;
  r.t_end = mono_ns();
  r.ret = ret;
  r.err = ret < 0 ? err : 0;
  Record::put(r.call, sizeof r.call, call);
  Record::put(r.args, sizeof r.args, args);
  Record::put(r.label, sizeof r.label, label.empty() ? label_of(fd) : label);
  fill_tuple(r, fd);
  send_record(r);
}

// After a send(): SIGPIPE was raised (the handler counted it) or would have
// been (ignored). Reports the signal and, by default, dies of it.
void after_send(int before, std::int64_t ret, int err, bool nosignal) {
  if (ret >= 0 || err != EPIPE || nosignal) return;
  Record r;
  r.type = RecType::Signal;
  r.ret = SIGPIPE;
  r.t_start = r.t_end = mono_ns();
  if (g_proc->sigpipe_ignored.load()) {
    Record::put(r.args, sizeof r.args, "ignored");
    send_record(r);
    return;
  }
  if (g_sigpipes.load() == before) return;  // not raised (should not happen)
  Record::put(r.args, sizeof r.args, "killed");
  send_record(r);
  Record k;
  k.type = RecType::Killed;
  k.ret = SIGPIPE;
  k.t_start = k.t_end = mono_ns();
  send_record(k);
  signal(SIGPIPE, SIG_DFL);
  raise(SIGPIPE);
  _exit(128 + SIGPIPE);
}

void sleep_until(std::int64_t t_ns) {
  for (;;) {
    std::int64_t d = t_ns - mono_ns();
    if (d <= 0) return;
    timespec ts{static_cast<time_t>(d / 1000000000), static_cast<long>(d % 1000000000)};
    nanosleep(&ts, nullptr);
  }
}

int linux_state(int fd) {
  tcp_info ti{};
  socklen_t len = sizeof ti;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0) return -1;
  return ti.tcpi_state;
}

int linux_state_of(TcpState s) {
  switch (s) {
    case TcpState::Established: return 1;
    case TcpState::SynSent: return 2;
    case TcpState::SynReceived: return 3;
    case TcpState::FinWait1: return 4;
    case TcpState::FinWait2: return 5;
    case TcpState::TimeWait: return 6;
    case TcpState::Closed: return 7;
    case TcpState::CloseWait: return 8;
    case TcpState::LastAck: return 9;
    case TcpState::Listen: return 10;
    case TcpState::Closing: return 11;
  }
  return -1;
}

// Polls (1 ms) until the trigger holds.
void wait_trigger(const Trigger& tr, Scope& scope) {
  if (tr.kind == Trigger::Kind::None) return;
  int fd = -1;
  {
    std::lock_guard<std::recursive_mutex> g(g_proc->mu);
    if (int* p = scope.find(tr.sock)) fd = *p;
  }
  if (fd < 0) return;
  for (;;) {
    int st = linux_state(fd);
    pollfd p{fd, static_cast<short>(POLLIN | POLLRDHUP), 0};
    poll(&p, 1, 0);
    bool ok = false;
    switch (tr.kind) {
      case Trigger::Kind::State: ok = st == linux_state_of(tr.state); break;
      case Trigger::Kind::Eof: {
        char c;
        ok = (p.revents & (POLLIN | POLLRDHUP | POLLHUP)) &&
             recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
        break;
      }
      case Trigger::Kind::Readable: ok = p.revents & (POLLIN | POLLHUP | POLLERR); break;
      case Trigger::Kind::Closed: ok = st == 7 || st < 0; break;
      case Trigger::Kind::Reset: ok = (p.revents & POLLERR) || (st == 7 && (p.revents & POLLHUP)); break;
      case Trigger::Kind::Writable: {  // as select() for writing sees it
        pollfd w{fd, POLLOUT, 0};
        poll(&w, 1, 0);
        ok = w.revents & (POLLOUT | POLLERR | POLLHUP);
        break;
      }
      case Trigger::Kind::None: ok = true; break;
    }
    if (ok) return;
    usleep(1000);
  }
}

std::string new_label(const std::string& binding) {
  std::lock_guard<std::recursive_mutex> g(g_proc->mu);
  std::string base = g_proc->name + "/" + binding;
  int n = ++g_proc->label_count[base];
  return n == 1 ? base : base + "#" + std::to_string(n);
}

void bind_fd(Scope& scope, const std::string& as, int fd, const std::string& label) {
  std::lock_guard<std::recursive_mutex> g(g_proc->mu);
  scope.fds[as] = fd;
  if (!label.empty()) g_proc->fd_label[fd] = label;
}

int fd_of(Scope& scope, const std::string& name) {
  std::lock_guard<std::recursive_mutex> g(g_proc->mu);
  int* p = scope.find(name);
  return p ? *p : -1;
}

std::uint32_t host_ip(const std::string& host) {
  const HostSpec* h = g_proc->sc->host(host);
  return h ? h->ip : 0;
}

std::uint32_t my_ip() {
  for (const auto& p : g_proc->sc->processes)
    if (p.name == g_proc->name) return host_ip(p.host);
  return 0;
}

sockaddr_in addr(std::uint32_t ip, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(ip);
  a.sin_port = htons(port);
  return a;
}

std::string fdarg(int fd) { return "fd=" + std::to_string(fd); }

// A duration as one word ("404ms"), as the model traces getsockopt's values.
std::string compact_duration(Time t) {
  std::string d = format_duration(t);
  d.erase(std::remove(d.begin(), d.end(), ' '), d.end());
  return d;
}

class Runner {
 public:
  std::uint32_t ip = 0;  // this process's host address

  // Runs steps in order; false when the thread must stop (on_error: stop).
  bool run(const std::vector<Step>& steps, Scope& scope, std::int64_t& last_end) {
    for (const Step& st : steps) {
      if (st.at) sleep_until(g_proc->t0 + *st.at * 1000);
      if (st.after) sleep_until(last_end + *st.after * 1000);
      wait_trigger(st.when, scope);
      bool failed = !exec(st, scope);
      // retry: as the model (socket_api.cpp Sim::fail): close what the failed
      // attempt made, sleep backoff * factor^k, run the step again.
      Time delay = st.retry_backoff;
      for (int attempt = 0; failed && attempt < st.retry_count; ++attempt) {
        if ((st.kind == StepKind::Connect || st.kind == StepKind::Listen) && st.sock.empty()) {
          int fd = fd_of(scope, st.as);
          std::string label = label_of(fd);
          if (fd >= 0 && !label.empty()) {
            std::int64_t tc = mono_ns();
            int r = close(fd);
            {
              std::lock_guard<std::recursive_mutex> g(g_proc->mu);
              g_proc->fd_label.erase(fd);
            }
            report_call("close", fdarg(fd), r, errno, tc, -1, label);
          }
        }
        sleep_until(mono_ns() + delay * 1000);
        delay *= st.retry_factor;
        wait_trigger(st.when, scope);
        failed = !exec(st, scope);
      }
      last_end = mono_ns();
      if (failed) {
        if (st.on_error == OnError::Stop) return false;
        if (st.on_error == OnError::Exit) do_exit(1);
      }
    }
    return true;
  }

  [[noreturn]] void do_exit(int status) {
    report_call("exit", std::to_string(status), 0, 0, mono_ns(), -1);
    Record r;
    r.type = RecType::Exit;
    r.ret = status;
    r.t_start = r.t_end = mono_ns();
    send_record(r);
    _exit(status);
  }

  // false when the step's call failed
  bool exec(const Step& st, Scope& scope) {
    std::int64_t t = mono_ns();
    switch (st.kind) {
      case StepKind::Socket: {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (!set_congestion(fd)) fd = -1;  // errno: setsockopt's
        int e = errno;
        std::string label = fd >= 0 ? new_label(st.as) : std::string();
        if (fd >= 0) bind_fd(scope, st.as, fd, label);
        report_call("socket", "AF_INET, SOCK_STREAM", fd, e, t, fd, label);
        return fd >= 0;
      }
      case StepKind::Bind: {
        int fd = fd_of(scope, st.sock);
        sockaddr_in a = addr(ip, st.port);
        int r = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
        int e = errno;
        report_call("bind", fdarg(fd) + ", port " + std::to_string(st.port), r, e, t, fd);
        if (r == 0) report_socket(fd);
        return r == 0;
      }
      case StepKind::Listen: {
        int fd;
        if (!st.as.empty() && st.sock.empty()) {
          // listen: {port, as}: socket() + bind() + listen(), each a call.
          fd = socket(AF_INET, SOCK_STREAM, 0);
          if (!set_congestion(fd)) fd = -1;  // errno: setsockopt's
          int e = errno;
          std::string label = fd >= 0 ? new_label(st.as) : std::string();
          if (fd >= 0) bind_fd(scope, st.as, fd, label);
          report_call("socket", "AF_INET, SOCK_STREAM", fd, e, t, fd, label);
          if (fd < 0) return false;
          sockaddr_in a = addr(ip, st.port);
          std::int64_t t1 = mono_ns();
          int r = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
          e = errno;
          report_call("bind", fdarg(fd) + ", port " + std::to_string(st.port), r, e, t1, fd);
          if (r != 0) return false;
          t = mono_ns();
        } else {
          fd = fd_of(scope, st.sock);
        }
        int r = listen(fd, st.backlog);
        int e = errno;
        report_call("listen", fdarg(fd) + ", backlog " + std::to_string(st.backlog), r, e, t, fd);
        if (r == 0) report_socket(fd);
        return r == 0;
      }
      case StepKind::Accept: {
        int lfd = fd_of(scope, st.sock);
        int fd = accept(lfd, nullptr, nullptr);
        int e = errno;
        std::string label;
        if (fd >= 0) {
          label = new_label(st.as);
          bind_fd(scope, st.as, fd, label);
          report_socket(fd);
        }
        report_call("accept", fdarg(lfd), fd, e, t, fd >= 0 ? fd : lfd, label);
        return fd >= 0;
      }
      case StepKind::Connect: {
        int fd;
        if (st.sock.empty()) {
          // connect: {to, as}: socket() [+ bind()] + connect(), each a call.
          fd = socket(AF_INET, SOCK_STREAM, 0);
          if (!set_congestion(fd)) fd = -1;  // errno: setsockopt's
          int e = errno;
          std::string label = fd >= 0 ? new_label(st.as) : std::string();
          if (fd >= 0) bind_fd(scope, st.as, fd, label);
          report_call("socket", "AF_INET, SOCK_STREAM", fd, e, t, fd, label);
          if (fd < 0) return false;
          t = mono_ns();
        } else {
          fd = fd_of(scope, st.sock);
        }
        std::uint32_t dst = st.to_ip ? st.to_ip : host_ip(st.to_host);  // 127.0.0.1: over lo
        if (st.from_port) {
          // from_port: bind() first (traced, as the simulator does), unless bound.
          sockaddr_in cur{};
          socklen_t cl = sizeof cur;
          bool bound = getsockname(fd, reinterpret_cast<sockaddr*>(&cur), &cl) == 0 && cur.sin_port != 0;
          if (!bound) {
            sockaddr_in a = addr(ip, st.from_port);
            int br = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
            int be = errno;
            report_call("bind", fdarg(fd) + ", port " + std::to_string(st.from_port), br, be, t, fd);
            if (br != 0) return false;
            t = mono_ns();
          }
        }
        // Tell the runner which socket this is, and where it connects to,
        // before connect() blocks: the states it goes through during the
        // handshake get its label even if connect() never returns.
        {
          Record pre;
          pre.type = RecType::Socket;
          Record::put(pre.label, sizeof pre.label, label_of(fd));
          Record::put(pre.args, sizeof pre.args, "connecting");
          fill_tuple(pre, fd);
          pre.rip = dst;
          pre.rport = st.port;
          pre.t_start = pre.t_end = mono_ns();
          send_record(pre);
        }
        sockaddr_in a = addr(dst, st.port);
        int r = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
        int e = errno;
        Record rec;
        rec.type = RecType::Call;
        rec.t_start = t;
        rec.t_end = mono_ns();
        rec.ret = r;
        rec.err = r < 0 ? e : 0;
        Record::put(rec.call, sizeof rec.call, "connect");
        Record::put(rec.args, sizeof rec.args,
                    fdarg(fd) + ", " + ip_string(dst) + ":" + std::to_string(st.port));
        Record::put(rec.label, sizeof rec.label, label_of(fd));
        fill_tuple(rec, fd);
        rec.rip = dst;  // the destination, even when connect() failed
        rec.rport = st.port;
        send_record(rec);
        if (r == 0) report_socket(fd);
        return r == 0;
      }
      case StepKind::Send: {
        int fd = fd_of(scope, st.sock);
        std::vector<char> buf(st.bytes ? st.bytes : 1, 'x');
        int before = g_sigpipes.load();
        ssize_t r = send(fd, buf.data(), st.bytes, st.nosignal ? MSG_NOSIGNAL : 0);
        int e = errno;
        report_call("send", fdarg(fd) + ", " + std::to_string(st.bytes) + " bytes", r, e, t, fd);
        after_send(before, r, e, st.nosignal);
        return r >= 0;
      }
      case StepKind::Recv: {
        int fd = fd_of(scope, st.sock);
        std::vector<char> buf(65536);
        std::uint64_t total = 0;
        for (;;) {
          std::int64_t t1 = mono_ns();
          ssize_t r = recv(fd, buf.data(), buf.size(), 0);
          int e = errno;
          report_call("recv", fdarg(fd), r, e, t1, fd);
          if (r < 0) return false;
          if (r == 0) return true;
          total += static_cast<std::uint64_t>(r);
          if (st.until_eof) continue;
          if (st.bytes && total < st.bytes) continue;
          return true;
        }
      }
      case StepKind::Shutdown: {
        int fd = fd_of(scope, st.sock);
        int how = st.how == ShutHow::Rd ? SHUT_RD : st.how == ShutHow::Wr ? SHUT_WR : SHUT_RDWR;
        int r = shutdown(fd, how);
        int e = errno;
        static const char* hows[] = {"SHUT_RD", "SHUT_WR", "SHUT_RDWR"};
        report_call("shutdown", fdarg(fd) + ", " + hows[static_cast<int>(st.how)], r, e, t, fd);
        return r == 0;
      }
      case StepKind::Close: {
        int fd = fd_of(scope, st.sock);
        std::string label = label_of(fd);
        int r = close(fd);
        int e = errno;
        if (r == 0) {
          std::lock_guard<std::recursive_mutex> g(g_proc->mu);
          g_proc->fd_label.erase(fd);
        }
        report_call("close", fdarg(fd), r, e, t, -1, label);
        return r == 0;
      }
      case StepKind::SetSockOpt: {
        int fd = fd_of(scope, st.sock);
        int r = 0;
        std::string what;
        int one = st.on ? 1 : 0;
        switch (st.opt) {
          case SockOpt::Linger: {
            linger l{st.on ? 1 : 0, static_cast<int>(st.value)};
            r = setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
            what = st.on ? "SO_LINGER " + std::to_string(st.value) : "SO_LINGER off";
            break;
          }
          case SockOpt::ReuseAddr:
            r = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
            what = "SO_REUSEADDR";
            break;
          case SockOpt::KeepAlive:
            r = setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
            what = "SO_KEEPALIVE";
            break;
          case SockOpt::NoDelay:
            r = setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            what = "TCP_NODELAY";
            break;
          case SockOpt::CloExec: {
            int f = fcntl(fd, F_GETFD);
            r = f < 0 ? -1 : fcntl(fd, F_SETFD, st.on ? (f | FD_CLOEXEC) : (f & ~FD_CLOEXEC));
            what = "FD_CLOEXEC";
            break;
          }
          case SockOpt::NonBlock: {
            int f = fcntl(fd, F_GETFL);
            r = f < 0 ? -1 : fcntl(fd, F_SETFL, st.on ? (f | O_NONBLOCK) : (f & ~O_NONBLOCK));
            what = "O_NONBLOCK";
            break;
          }
          case SockOpt::RcvBuf: {
            int v = static_cast<int>(st.value);
            r = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
            what = "SO_RCVBUF " + std::to_string(st.value);
            break;
          }
          case SockOpt::KeepIdle:
          case SockOpt::KeepIntvl:
          case SockOpt::KeepCnt:
          case SockOpt::Linger2: {
            int v = static_cast<int>(st.value);
            const int opt = st.opt == SockOpt::KeepIdle    ? TCP_KEEPIDLE
                            : st.opt == SockOpt::KeepIntvl ? TCP_KEEPINTVL
                            : st.opt == SockOpt::KeepCnt   ? TCP_KEEPCNT
                                                           : TCP_LINGER2;
            r = setsockopt(fd, IPPROTO_TCP, opt, &v, sizeof v);
            what = std::string(st.opt == SockOpt::KeepIdle    ? "TCP_KEEPIDLE "
                               : st.opt == SockOpt::KeepIntvl ? "TCP_KEEPINTVL "
                               : st.opt == SockOpt::KeepCnt   ? "TCP_KEEPCNT "
                                                              : "TCP_LINGER2 ") +
                   std::to_string(st.value);
            break;
          }
          case SockOpt::UserTimeout: {
            unsigned int ms = static_cast<unsigned int>(st.value / 1000);
            r = setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof ms);
            what = "TCP_USER_TIMEOUT " + std::to_string(ms) + " ms";
            break;
          }
          case SockOpt::RcvTimeo:
          case SockOpt::SndTimeo: {
            timeval tv{static_cast<time_t>(st.value / 1000000), static_cast<suseconds_t>(st.value % 1000000)};
            r = setsockopt(fd, SOL_SOCKET, st.opt == SockOpt::RcvTimeo ? SO_RCVTIMEO : SO_SNDTIMEO, &tv, sizeof tv);
            what = std::string(st.opt == SockOpt::RcvTimeo ? "SO_RCVTIMEO " : "SO_SNDTIMEO ") + format_duration(st.value);
            break;
          }
          case SockOpt::QuickAck:
            r = setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
            what = std::string("TCP_QUICKACK ") + (st.on ? "1" : "0");
            break;
        }
        int e = errno;
        const char* call =
            st.opt == SockOpt::CloExec || st.opt == SockOpt::NonBlock ? "fcntl" : "setsockopt";
        report_call(call, fdarg(fd) + ", " + what, r, e, t, fd);
        return r == 0;
      }
      case StepKind::GetSockOpt: {
        // The value read is reported after "->" as the model traces it.
        int fd = fd_of(scope, st.sock);
        std::string args = fdarg(fd);
        int r;
        if (st.getopt == GetOpt::Error) {
          int v = 0;
          socklen_t len = sizeof v;
          r = getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &len);
          args += ", SO_ERROR";
          if (r == 0) args += std::string(" -> error=") + (v ? errno_name(v) : "0");
        } else {
          tcp_info ti{};
          socklen_t len = sizeof ti;
          r = getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len);
          args += ", TCP_INFO";
          if (r == 0) {
            const char* state = "?";
            for (int k = 0; k < 11; ++k)
              if (linux_state_of(static_cast<TcpState>(k)) == ti.tcpi_state) state = state_name(static_cast<TcpState>(k));
            args += std::string(" -> state=") + state + " retransmits=" + std::to_string(ti.tcpi_retransmits) +
                    " probes=" + std::to_string(ti.tcpi_probes) + " rto=" + compact_duration(ti.tcpi_rto) +
                    " unacked=" + std::to_string(ti.tcpi_unacked) +
                    " total_retrans=" + std::to_string(ti.tcpi_total_retrans) +
                    " cwnd=" + std::to_string(ti.tcpi_snd_cwnd) + " ssthresh=" +
                    (ti.tcpi_snd_ssthresh >= 0x7fffffffu ? std::string("inf") : std::to_string(ti.tcpi_snd_ssthresh));
          }
        }
        int e = errno;
        report_call("getsockopt", args, r, e, t, fd);
        return r == 0;
      }
      case StepKind::Dup: {
        int fd = fd_of(scope, st.sock);
        int nfd = dup(fd);
        int e = errno;
        std::string label = label_of(fd);
        if (nfd >= 0) bind_fd(scope, st.as, nfd, label);
        report_call("dup", fdarg(fd), nfd, e, t, fd);
        return nfd >= 0;
      }
      case StepKind::Fork: {
        std::lock_guard<std::recursive_mutex> g(g_proc->mu);  // no other thread holds it across fork
        std::string child_name = st.as.empty() ? g_proc->name + "-child" : st.as;
        pid_t pid = fork();
        if (pid == 0) {
          // The lock was taken by the parent's thread: give the child a fresh one.
          new (&g_proc->mu) std::recursive_mutex();
          g_proc->name = child_name;
          prctl(PR_SET_NAME, child_name.substr(0, 15).c_str(), 0, 0, 0);
          Record r;
          r.type = RecType::ProcStart;
          r.parent_os_pid = getppid();
          r.t_start = r.t_end = mono_ns();
          send_record(r);
          Scope child{&scope, {}};
          std::int64_t last = mono_ns();
          run(st.body, child, last);
          Record d;
          d.type = RecType::Done;
          d.t_start = d.t_end = mono_ns();
          send_record(d);
          for (;;) pause();
        }
        int e = errno;
        report_call("fork", "", pid, e, t, -1);
        return pid > 0;
      }
      case StepKind::Exec: {
        // execve() without leaving the interpreter: close what FD_CLOEXEC marks.
        std::lock_guard<std::recursive_mutex> g(g_proc->mu);
        std::vector<int> gone;
        for (auto& [fd, label] : g_proc->fd_label) {
          int f = fcntl(fd, F_GETFD);
          if (f >= 0 && (f & FD_CLOEXEC)) gone.push_back(fd);
        }
        for (int fd : gone) {
          close(fd);
          g_proc->fd_label.erase(fd);
        }
        report_call("execve", std::to_string(gone.size()) + " FD_CLOEXEC descriptors closed", 0, 0, t, -1);
        return true;
      }
      case StepKind::Exit:
        do_exit(st.status);
      case StepKind::Sleep:
        sleep_until(t + st.duration * 1000);
        return true;
      case StepKind::Wait:
        wait_trigger(st.when, scope);
        return true;
      case StepKind::Epoll:
        return epoll_loop(st.epoll, st.as, scope);
      case StepKind::Loop:
        return loop(st, scope);
      case StepKind::Spawn: {
        std::shared_ptr<Scope> child;
        {
          std::lock_guard<std::recursive_mutex> g(g_proc->mu);
          child = scope.snapshot();
        }
        std::thread([this, &st, child] {
          std::int64_t last = mono_ns();
          run(st.body, *child, last);
        }).detach();
        return true;
      }
      case StepKind::Signal:
        g_proc->sigpipe_ignored = st.ignore;
        signal(SIGPIPE, st.ignore ? SIG_IGN : on_sigpipe);
        report_call("signal", st.ignore ? "SIGPIPE, SIG_IGN" : "SIGPIPE, SIG_DFL", 0, 0, t, -1);
        return true;
    }
    return true;
  }

  bool loop(const Step& st, Scope& scope) {
    std::int64_t start = mono_ns();
    for (std::uint64_t i = 0; st.count == 0 || i < st.count; ++i) {
      if (st.every) sleep_until(start + static_cast<std::int64_t>(i) * st.every * 1000);
      if (st.concurrent) {
        std::shared_ptr<Scope> child;
        {
          std::lock_guard<std::recursive_mutex> g(g_proc->mu);
          child = scope.snapshot();
        }
        std::thread([this, &st, child] {
          std::int64_t last = mono_ns();
          run(st.body, *child, last);
        }).detach();
      } else {
        Scope child{&scope, {}};
        std::int64_t last = mono_ns();
        if (!run(st.body, child, last)) return false;
      }
    }
    return true;
  }

  bool epoll_loop(const EpollSpec& ep, const std::string& st_as, Scope& scope) {
    int fd = fd_of(scope, ep.sock);
    std::int64_t t = mono_ns();
    int efd = epoll_create1(0);
    if (efd < 0) {  // EMFILE at RLIMIT_NOFILE, as the model's epoll step
      report_call("epoll_create", "", -1, errno, t, fd);
      return false;
    }
    epoll_event ev{};
    ev.events = ep.events | (ep.edge ? EPOLLET : 0u);
    ev.data.fd = fd;
    if (epoll_ctl(efd, EPOLL_CTL_ADD, fd, &ev) != 0) {
      report_call("epoll_ctl", fdarg(fd), -1, errno, t, fd);
      close(efd);
      return false;
    }
    std::vector<char> buf(65536);
    bool ok = true;
    for (int w = 0; w < ep.max_wakeups; ++w) {
      std::int64_t t1 = mono_ns();
      epoll_event out{};
      int n = epoll_wait(efd, &out, 1, ep.timeout ? static_cast<int>(ep.timeout / 1000) : -1);
      int e = errno;
      char mask[64];
      std::snprintf(mask, sizeof mask, "events=0x%x", n > 0 ? out.events : 0u);
      report_call("epoll_wait", fdarg(fd) + ", " + mask, n, e, t1, fd);
      if (n < 0) { ok = false; break; }
      if (n == 0) continue;
      if ((out.events & EPOLLIN) && ep.on_in == EpollOnIn::Accept) {
        // accept() on the ready listener; EMFILE leaves the connection queued.
        std::int64_t t2 = mono_ns();
        int nfd = accept(fd, nullptr, nullptr);
        int e2 = errno;
        std::string label;
        if (nfd >= 0) {
          label = new_label(st_as);
          bind_fd(scope, st_as, nfd, label);
          report_socket(nfd);
        }
        report_call("accept", fdarg(fd), nfd, e2, t2, nfd >= 0 ? nfd : fd, label);
      } else if ((out.events & EPOLLIN) && ep.on_in == EpollOnIn::Ignore) {
        // the handler ignores the event: level-triggered, it is reported again
      } else if (out.events & EPOLLIN) {
        std::int64_t t2 = mono_ns();
        ssize_t r = recv(fd, buf.data(), buf.size(), 0);
        int e2 = errno;
        report_call("recv", fdarg(fd), r, e2, t2, fd);
        if (r == 0 && ep.close_on_eof) {
          std::int64_t t3 = mono_ns();
          std::string label = label_of(fd);
          int c = close(fd);
          report_call("close", fdarg(fd), c, errno, t3, -1, label);
          break;
        }
      }
    }
    close(efd);
    return ok;
  }
};

}  // namespace

void run_process_child(const ChildSetup& setup) {
  static Proc proc;
  g_proc = &proc;
  proc.sc = setup.scenario;
  proc.name = setup.process->name;
  proc.congestion = setup.congestion;
  // The process's name as ss -p and ps show it (comm, 15 characters), so
  // that `ss -tanoip` in the namespace names the scenario's process.
  prctl(PR_SET_NAME, proc.name.substr(0, 15).c_str(), 0, 0, 0);
  // Descriptors: 0, 1 = /dev/null, 2 = the report pipe, nothing else.
  int null_fd = open("/dev/null", O_RDWR);
  if (setns(setup.netns_fd, CLONE_NEWNET) != 0) _exit(120);
  proc.report_fd = setup.report_fd;
  {
    Record ready;
    ready.type = RecType::Ready;
    ready.t_start = ready.t_end = mono_ns();
    send_record(ready);
  }
  std::int64_t t0 = 0;
  if (read(setup.start_fd, &t0, sizeof t0) != static_cast<ssize_t>(sizeof t0)) _exit(121);
  dup2(setup.report_fd, 100);
  dup2(null_fd, 0);
  dup2(null_fd, 1);
  dup2(100, 2);
  for (int fd = 3; fd < 1024; ++fd) close(fd);
  proc.report_fd = 2;
  proc.t0 = t0;
  rlimit rl{static_cast<rlim_t>(setup.process->fd_limit), static_cast<rlim_t>(setup.process->fd_limit)};
  setrlimit(RLIMIT_NOFILE, &rl);
  proc.sigpipe_ignored = setup.process->ignore_sigpipe;
  signal(SIGPIPE, setup.process->ignore_sigpipe ? SIG_IGN : on_sigpipe);
  signal(SIGCHLD, SIG_IGN);  // forked script processes are reaped automatically
  signal(SIGTERM, SIG_DFL);

  // The machine is shared with compilers: a real-time priority (below the
  // wire's) keeps the scripts' timing within tens of microseconds.
  sched_param sp{};
  sp.sched_priority = 10;
  sched_setscheduler(0, SCHED_FIFO, &sp);
  sleep_until(t0 + setup.process->start * 1000);
  Record r;
  r.type = RecType::ProcStart;
  r.t_start = r.t_end = mono_ns();
  send_record(r);

  Runner runner;
  runner.ip = setup.bind_any ? 0 : my_ip();  // INADDR_ANY: see binds_any_address() (lab.hpp)
  Scope top;
  std::int64_t last = mono_ns();
  runner.run(setup.process->script, top, last);
  Record d;
  d.type = RecType::Done;
  d.t_start = d.t_end = mono_ns();
  send_record(d);
  for (;;) pause();
}

}  // namespace tcpsim::kernel
