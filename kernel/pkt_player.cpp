// tcpsim::kernel — a packetdrill script played against the real Linux TCP
// (pkt_player.hpp). Read first: google/packetdrill run.c (the event loop,
// adjust_relative_event_times()), run_packet.c (map_inbound_packet(),
// verify_outbound_live_packet()), run_system_call.c, and netdev.c (the TUN
// device). docs/packetdrill.md ("On the real kernel") says what differs.
//
// Time: script time 0 is when the first timed line is played; every time
// below is in script microseconds unless named *_ns (CLOCK_MONOTONIC).
// Relative times follow the model runner (core/src/packetdrill/run.cpp) so
// that one script means the same thing on both: a `+T` inbound segment after
// an inbound segment counts from that segment's script time, anything else
// from the moment the previous event completed (an outbound segment: when
// it was read from the TUN device; a call or a shell line: its script time).
#include "pkt_player.hpp"
#include "stall_watch.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "lab.hpp"            // run_command
#include "packet.hpp"
#include "script_runner.hpp"  // mono_ns
#include "tcpsim/packetdrill_verify.hpp"

namespace tcpsim::kernel {

namespace pd = tcpsim::packetdrill;

namespace {

constexpr std::uint32_t kLocalIp = 0xC0A80001;   // 192.168.0.1 (packetdrill's live_local_ip)
constexpr std::uint32_t kRemoteIp = 0xC0000201;  // 192.0.2.1 (live_remote_ip)
constexpr std::uint16_t kScriptPort = 8080;      // live_bind_port / live_connect_port
constexpr std::uint16_t kRemotePort = 40000;     // the remote's port for a passive open
constexpr Time kAnyWait = sec(60);               // how long `*` waits for a segment
constexpr int kBadFd = 1 << 20;                  // a descriptor number that is never open

struct Unsupported {
  int line = 0, col = 0;
  std::string what;
};

std::string secs(Time us) { return pd::packetdrill_secs(us); }

const std::map<std::string, std::int64_t>& symbols() {
  static const std::map<std::string, std::int64_t> m = {
      {"AF_INET", AF_INET}, {"PF_INET", AF_INET}, {"SOCK_STREAM", SOCK_STREAM},
      {"SOCK_NONBLOCK", SOCK_NONBLOCK}, {"SOCK_CLOEXEC", SOCK_CLOEXEC},
      {"IPPROTO_TCP", IPPROTO_TCP}, {"IPPROTO_IP", IPPROTO_IP}, {"SOL_SOCKET", SOL_SOCKET}, {"SOL_TCP", IPPROTO_TCP},
      {"SO_REUSEADDR", SO_REUSEADDR}, {"SO_KEEPALIVE", SO_KEEPALIVE}, {"SO_LINGER", SO_LINGER},
      {"SO_ERROR", SO_ERROR}, {"SO_RCVBUF", SO_RCVBUF}, {"SO_SNDBUF", SO_SNDBUF}, {"SO_REUSEPORT", SO_REUSEPORT},
      {"TCP_NODELAY", TCP_NODELAY}, {"TCP_KEEPIDLE", TCP_KEEPIDLE}, {"TCP_KEEPINTVL", TCP_KEEPINTVL},
      {"TCP_KEEPCNT", TCP_KEEPCNT}, {"TCP_LINGER2", TCP_LINGER2}, {"TCP_USER_TIMEOUT", TCP_USER_TIMEOUT},
      {"TCP_CORK", TCP_CORK}, {"TCP_MAXSEG", TCP_MAXSEG},
      {"O_RDONLY", O_RDONLY}, {"O_WRONLY", O_WRONLY}, {"O_RDWR", O_RDWR}, {"O_NONBLOCK", O_NONBLOCK},
      {"F_GETFD", F_GETFD}, {"F_SETFD", F_SETFD}, {"F_GETFL", F_GETFL}, {"F_SETFL", F_SETFL},
      {"FD_CLOEXEC", FD_CLOEXEC}, {"SHUT_RD", SHUT_RD}, {"SHUT_WR", SHUT_WR}, {"SHUT_RDWR", SHUT_RDWR},
      {"MSG_NOSIGNAL", MSG_NOSIGNAL}, {"MSG_DONTWAIT", MSG_DONTWAIT}, {"MSG_PEEK", MSG_PEEK},
      {"MSG_WAITALL", MSG_WAITALL}, {"FIONREAD", FIONREAD}, {"SIOCINQ", FIONREAD},
      {"EPOLL_CTL_ADD", EPOLL_CTL_ADD}, {"EPOLL_CTL_DEL", EPOLL_CTL_DEL}, {"EPOLL_CTL_MOD", EPOLL_CTL_MOD},
      {"EPOLLIN", EPOLLIN}, {"EPOLLPRI", EPOLLPRI}, {"EPOLLOUT", EPOLLOUT}, {"EPOLLERR", EPOLLERR},
      {"EPOLLHUP", EPOLLHUP}, {"EPOLLRDNORM", EPOLLRDNORM}, {"EPOLLRDBAND", EPOLLRDBAND},
      {"EPOLLWRNORM", EPOLLWRNORM}, {"EPOLLWRBAND", EPOLLWRBAND}, {"EPOLLRDHUP", EPOLLRDHUP},
      {"EPOLLET", static_cast<std::int64_t>(static_cast<std::uint32_t>(EPOLLET))}, {"EPOLLONESHOT", EPOLLONESHOT},
      {"POLLIN", POLLIN}, {"POLLPRI", POLLPRI}, {"POLLOUT", POLLOUT}, {"POLLERR", POLLERR},
      {"POLLHUP", POLLHUP}, {"POLLNVAL", POLLNVAL}, {"POLLRDNORM", POLLRDNORM}, {"POLLRDBAND", POLLRDBAND},
      {"POLLWRNORM", POLLWRNORM}, {"POLLWRBAND", POLLWRBAND}, {"POLLRDHUP", POLLRDHUP}, {"NULL", 0},
  };
  return m;
}

std::int64_t eval(const pd::Expr& e) {
  switch (e.kind) {
    case pd::Expr::Kind::Integer: return e.integer;
    case pd::Expr::Kind::Symbol: {
      if (e.text == "htons" && e.items.size() == 1) return eval(e.items[0]);
      auto it = symbols().find(e.text);
      if (it == symbols().end())
        throw Unsupported{e.pos.line, e.pos.col, "symbol " + e.text + " is not known to the kernel player"};
      return it->second;
    }
    case pd::Expr::Kind::BitOr: {
      std::int64_t v = 0;
      for (const auto& x : e.items) v |= eval(x);
      return v;
    }
    case pd::Expr::Kind::List:
      if (e.items.size() == 1) return eval(e.items[0]);
      break;
    default:
      break;
  }
  throw Unsupported{e.pos.line, e.pos.col, "expected a number, got " + pd::to_string(e)};
}

// A struct field by name ("events", "l_linger" or "linger").
const pd::Expr* field(const pd::Expr& s, const std::string& a, const std::string& b = "") {
  for (std::size_t i = 0; i < s.items.size() && i < s.names.size(); ++i)
    if (s.names[i] == a || (!b.empty() && s.names[i] == b)) return &s.items[i];
  return nullptr;
}

// IPv4 + TCP packets: packet.hpp (shared with the scenario runner's `inject:`).
using pkt::build;
using pkt::get16;
using pkt::get32;
using pkt::Opt;
using pkt::Packet;
using pkt::parse;
using pkt::put16;
using pkt::put32;

std::string flag_text(std::uint8_t f) {
  std::string s;
  if (f & 0x02) s += 'S';
  if (f & 0x01) s += 'F';
  if (f & 0x04) s += 'R';
  if (f & 0x08) s += 'P';
  if (f & 0x20) s += 'U';
  if (f & 0x40) s += 'E';
  if (f & 0x80) s += 'W';
  if (f & 0x10) s += '.';
  return s.empty() ? "-" : s;
}

std::string opts_text(const std::vector<Opt>& opts) {
  std::string s;
  for (const auto& o : opts) {
    std::string x;
    switch (o.kind) {
      case 1: x = "nop"; break;
      case 2: x = o.data.size() == 2 ? "mss " + std::to_string(get16(o.data.data())) : "mss ?"; break;
      case 3: x = o.data.size() == 1 ? "wscale " + std::to_string(o.data[0]) : "wscale ?"; break;
      case 4: x = "sackOK"; break;
      case 5: x = "sack"; break;
      case 8:
        x = o.data.size() == 8 ? "TS val " + std::to_string(get32(o.data.data())) + " ecr " +
                                     std::to_string(get32(o.data.data() + 4))
                               : "TS ?";
        break;
      default: x = "opt " + std::to_string(o.kind); break;
    }
    s += (s.empty() ? "" : ",") + x;
  }
  return s.empty() ? "" : " <" + s + ">";
}

std::uint8_t script_flags(const pd::Segment& sg) {
  std::uint8_t f = sg.flags;
  if (sg.ece) f |= 0x40;
  if (sg.cwr) f |= 0x80;
  return f;
}

// ---- one system call in flight ----
struct Call {
  const pd::Line* line = nullptr;
  Time start = 0;
  std::optional<Time> end;  // blocking: when it must return
  std::atomic<bool> done{false};
  std::int64_t ret = 0;
  int err = 0;
  Time returned = 0;
  std::string check_error;  // an output value differed (getsockopt, poll, epoll_wait, ioctl)
  std::optional<Unsupported> unsupported;
  bool reported = false;
};

class Player {
 public:
  Player(const pd::Script& s, const PktKernelOptions& o, PktKernelResult& r) : sc_(s), opt_(o), res_(r) {
    tol_ = o.tolerance;
    for (const auto& x : s.options) {
      if (x.name == "tolerance_usecs") tol_ = std::strtoll(x.value.c_str(), nullptr, 10);
      else if (x.name == "ip_version" && x.value != "ipv4")
        throw Unsupported{x.pos.line, x.pos.col, "--ip_version=" + x.value + ": IPv4 scripts only"};
      else warn(x.pos, "option --" + x.name + " ignored by the kernel player");
    }
  }
  ~Player() { teardown(); }

  std::string setup() {
    static std::atomic<int> n{0};
    ns_ = "tcpsim-pd-" + std::to_string(getpid()) + "-" + std::to_string(n.fetch_add(1));
    std::string out;
    if (run_command({"ip", "netns", "add", ns_}, &out) != 0) return "ip netns add " + ns_ + ": " + out;
    made_ns_ = true;
    ns_fd_ = open(("/var/run/netns/" + ns_).c_str(), O_RDONLY | O_CLOEXEC);
    if (ns_fd_ < 0) return "open namespace " + ns_ + ": " + std::strerror(errno);
    const std::string err = open_tun_in_namespace(ns_fd_, &tun_);
    if (!err.empty()) return err;
    const std::vector<std::vector<std::string>> cmds = {
        {"ip", "netns", "exec", ns_, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"},
        {"ip", "netns", "exec", ns_, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"},
        {"ip", "-n", ns_, "link", "set", "lo", "up"},
        {"ip", "-n", ns_, "link", "set", "tun0", "up"},
        {"ip", "-n", ns_, "addr", "add", "192.168.0.1/32", "dev", "tun0"},
        {"ip", "-n", ns_, "route", "add", "192.0.2.0/24", "dev", "tun0"},
    };
    for (const auto& c : cmds)
      if (run_command(c, &out) != 0) {
        std::string line;
        for (const auto& a : c) line += a + " ";
        return line + ": " + out;
      }
    return {};
  }

  void run() {
    // Untimed shell lines (packetdrill's init commands) first.
    for (const auto& ln : sc_.lines)
      if (!ln.time && ln.kind == pd::Line::Kind::Shell) shell(ln);
    sched_param sp{};
    sp.sched_priority = 10;  // best effort: keep our timing within the tolerance on a busy machine
    pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
    t0_ns_ = mono_ns();
    Time prev_script = 0, last_done = 0;
    bool prev_inbound = false, first = true;
    for (const auto& ln : sc_.lines) {
      if (failed_) break;
      if (!ln.time) {
        if (ln.kind == pd::Line::Kind::Python) warn(ln.pos, "%{ }% Python block skipped");
        continue;
      }
      const pd::TimeSpec& ts = *ln.time;
      const bool inbound = ln.kind == pd::Line::Kind::Segment && ln.segment.dir == pd::Direction::Inbound;
      Time t = 0, t_end = 0;
      if (ts.kind == pd::TimeKind::Absolute) {
        t = ts.value;
        t_end = ts.range_end ? *ts.range_end : t;
        if (first && t != 0) throw Unsupported{ln.pos.line, ln.pos.col, "first event should be at time 0"};
        if (!first && t < prev_script) {
          mismatch(ln, "time goes backward in script from " + std::to_string(prev_script) + " usec to " +
                           std::to_string(t) + " usec");
          break;
        }
      } else if (ts.kind == pd::TimeKind::Relative) {
        const Time base = (inbound && prev_inbound) ? prev_script : last_done;
        t = base + ts.value;
        t_end = base + (ts.range_end ? *ts.range_end : ts.value);
      } else {
        t = t_end = now();
      }
      first = false;
      switch (ln.kind) {
        case pd::Line::Kind::Shell:
          wait_until(t);
          shell(ln);
          last_done = t;
          break;
        case pd::Line::Kind::Python:
          warn(ln.pos, "%{ }% Python block skipped");
          last_done = t;
          break;
        case pd::Line::Kind::Segment:
          if (inbound) {
            wait_until(t);
            if (failed_) break;
            inject(ln);
            last_done = t;
          } else {
            last_done = expect_outbound(ln, ts.kind == pd::TimeKind::Any, t, t_end);
          }
          break;
        case pd::Line::Kind::Syscall:
          last_done = syscall(ln, t);
          break;
      }
      prev_script = t;
      prev_inbound = inbound;
    }
    // Blocking calls still in flight must return at their end times.
    while (!failed_) {
      bool any = false;
      for (auto& c : calls_)
        if (!c->reported) any = true;
      if (!any) break;
      pump(1);
    }
  }

  void teardown() {
    if (torn_) return;
    torn_ = true;
    {
      std::lock_guard<std::mutex> g(mu_);
      // Wake calls still blocked (accept, read) so their threads end.
      for (const auto& [s, live] : fds_) shutdown(live, SHUT_RDWR);
    }
    for (int i = 0; i < 100; ++i) {
      bool all = true;
      for (auto& c : calls_) all = all && c->done.load();
      if (all) break;
      usleep(2000);
    }
    {
      std::lock_guard<std::mutex> g(mu_);
      for (const auto& [s, live] : fds_) close(live);
      fds_.clear();
    }
    if (tun_ >= 0) close(tun_);
    if (ns_fd_ >= 0) close(ns_fd_);
    tun_ = ns_fd_ = -1;
    if (made_ns_) {
      run_command({"ip", "netns", "exec", ns_, "ss", "-K", "-t", "-a"});
      run_command({"ip", "netns", "del", ns_});
    }
  }

  bool failed() const { return failed_; }
  bool all_calls_returned() const {
    for (const auto& c : calls_)
      if (!c->done.load()) return false;
    return true;
  }

 private:
  Time now() const { return (mono_ns() - t0_ns_) / 1000; }

  void warn(const pd::SourcePos& p, const std::string& w) {
    res_.warnings.push_back(sc_.file + ":" + std::to_string(p.line) + ":" + std::to_string(p.col) +
                            ": warning: " + w);
  }
  void log(const std::string& s) {
    if (opt_.verbose) res_.log.push_back(secs(now()) + " " + s);
  }
  void mismatch(const pd::Line& ln, const std::string& what) {
    if (failed_) return;
    failed_ = true;
    res_.status = PktKernelResult::Status::Mismatch;
    res_.line = ln.pos.line;
    res_.message = sc_.file + ":" + std::to_string(ln.pos.line) + ": " + what;
  }

  // ---- shell lines: sysctls inside our namespace ----
  void shell(const pd::Line& ln) {
    const auto& sh = ln.shell;
    // `./defaults.sh` (the kernel selftests' first line): a shell script
    // beside the .pkt file runs inside our namespace, as packetdrill runs it
    // inside the selftest's. Nothing else from a shell line is executed.
    bool ran = false;
    std::size_t b = 0;
    while (b <= sh.command.size()) {
      std::size_t e = sh.command.find('\n', b);
      if (e == std::string::npos) e = sh.command.size();
      std::string cmd = sh.command.substr(b, e - b);
      b = e + 1;
      while (!cmd.empty() && std::isspace(static_cast<unsigned char>(cmd.back()))) cmd.pop_back();
      while (!cmd.empty() && std::isspace(static_cast<unsigned char>(cmd.front()))) cmd.erase(0, 1);
      if (cmd.size() <= 3 || cmd.compare(cmd.size() - 3, 3, ".sh") != 0 ||
          cmd.find_first_of(" ;|&$`<>") != std::string::npos)
        continue;
      const auto slash = sc_.file.rfind('/');
      const std::string dir = slash == std::string::npos ? "." : sc_.file.substr(0, slash);
      const std::string path = cmd[0] == '/' ? cmd : dir + "/" + cmd;
      struct stat st{};
      if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      std::string out;
      const int rc = run_command({"ip", "netns", "exec", ns_, "sh", "-c", "cd \"$1\" && sh \"$2\"", "sh", dir, path}, &out);
      if (rc != 0) warn(ln.pos, "`" + cmd + "` exited with status " + std::to_string(rc) + ": " + out);
      log("ran " + path + " in the namespace");
      ran = true;
    }
    if (ran && sh.sysctls.empty()) return;
    if (!ran && (!sh.warning.empty() || sh.sysctls.empty())) {
      warn(ln.pos, "shell command `" + sh.command + "` skipped" + (sh.warning.empty() ? "" : ": " + sh.warning));
    }
    for (const auto& [name, value] : sh.sysctls) {
      // Only settings that belong to the network namespace: anything global
      // (net.ipv4.tcp_mem, net.core.rmem_max, ...) would change this machine.
      const bool per_ns = (name.rfind("net.ipv4.tcp_", 0) == 0 && name != "net.ipv4.tcp_mem") ||
                          name == "net.core.somaxconn" || name == "net.ipv4.ip_local_port_range";
      if (!per_ns) {
        warn(ln.pos, "sysctl " + name + " is not a per-namespace setting: not applied on the kernel");
        continue;
      }
      std::string out;
      if (run_command({"ip", "netns", "exec", ns_, "sysctl", "-qw", name + "=" + value}, &out) != 0)
        throw Unsupported{ln.pos.line, ln.pos.col, "sysctl " + name + "=" + value + " failed: " + out};
      log("sysctl " + name + "=" + value);
    }
  }

  // ---- the wire ----
  // Reads what the kernel sent, checks calls in flight; returns after
  // `max_ms` milliseconds at most (0: do not wait).
  void pump(int max_ms) {
    pollfd p{tun_, POLLIN, 0};
    poll(&p, 1, max_ms);
    std::uint8_t buf[70000];
    for (;;) {
      ssize_t n = read(tun_, buf, sizeof buf);
      if (n <= 0) break;
      Packet k;
      if (!parse(buf, static_cast<std::size_t>(n), k)) continue;
      if (k.src != kLocalIp || k.dst != kRemoteIp) continue;
      k.t = now();
      log("sniffed > " + describe(k, true));
      outq_.push_back(std::move(k));
    }
    check_calls();
  }

  void wait_until(Time t) {
    for (;;) {
      const Time d = t - now();
      if (d <= 0 || failed_) break;
      if (d > 1500) pump(static_cast<int>(std::min<Time>(d / 1000 - 1, 5)));
      else pump(0);
    }
  }

  // The kernel's ISN (minus the script's) on the connection with this remote
  // port: each connection counts from its own, as packetdrill's sockets do.
  std::uint32_t local_offset(std::uint16_t remote_port) const {
    auto it = local_isn_.find(remote_port);
    return it == local_isn_.end() ? 0 : it->second;
  }

  std::string describe(const Packet& k, bool outbound) const {
    const std::uint32_t seq = outbound ? k.seq - local_offset(k.dport) : k.seq;
    const std::uint32_t ack = outbound ? k.ack : k.ack - local_offset(k.sport);
    std::string s = flag_text(k.flags) + " " + std::to_string(seq) + ":" + std::to_string(seq + k.len) + "(" +
                    std::to_string(k.len) + ")";
    if (k.flags & 0x10) s += " ack " + std::to_string(ack);
    s += " win " + std::to_string(k.win) + opts_text(k.opts);
    return s;
  }

  std::string describe_script(const pd::Segment& sg) const {
    std::string s = flag_text(script_flags(sg)) + " " + std::to_string(sg.seq_start) + ":" +
                    std::to_string(sg.seq_end) + "(" + std::to_string(sg.len) + ")";
    if (sg.ack) s += " ack " + std::to_string(*sg.ack);
    if (sg.win) s += " win " + std::to_string(*sg.win);
    if (sg.options) {
      std::string o;
      for (const auto& x : *sg.options) o += (o.empty() ? "" : ",") + x.text;
      s += " <" + o + ">";
    }
    return s;
  }

  void inject(const pd::Line& ln) {
    const pd::Segment& sg = ln.segment;
    Packet k;
    k.src = kRemoteIp;
    k.dst = kLocalIp;
    k.sport = active_ ? kScriptPort : kRemotePort;
    k.dport = active_ ? local_port_ : kScriptPort;
    if (sg.src_port) k.sport = *sg.src_port;  // `< 40001>8080 S ...`
    if (sg.dst_port) k.dport = *sg.dst_port;
    k.seq = sg.seq_start;  // remote sequence numbers as written (remote ISN = the script's)
    k.flags = script_flags(sg);
    if (sg.ack) {
      k.ack = *sg.ack + local_offset(k.sport);
      k.flags |= 0x10;
    }
    k.win = static_cast<std::uint16_t>(sg.win ? *sg.win : 65535);
    k.len = sg.len;
    if (sg.ecn == "[ect0]") k.tos = 2;
    else if (sg.ecn == "[ect1]") k.tos = 1;
    else if (sg.ecn == "[ce]") k.tos = 3;
    if (sg.options)
      for (const auto& o : *sg.options) {
        Opt x;
        switch (o.kind) {
          case pd::TcpOption::Kind::Nop: x.kind = 1; break;
          case pd::TcpOption::Kind::Eol: x.kind = 0; break;
          case pd::TcpOption::Kind::Mss:
            x.kind = 2;
            x.data = {static_cast<std::uint8_t>(o.value >> 8), static_cast<std::uint8_t>(o.value)};
            break;
          case pd::TcpOption::Kind::WindowScale:
            x.kind = 3;
            x.data = {static_cast<std::uint8_t>(o.value)};
            break;
          case pd::TcpOption::Kind::SackOk: x.kind = 4; break;
          case pd::TcpOption::Kind::Sack:
            x.kind = 5;
            for (const auto& [l, r] : o.blocks) {
              x.data.resize(x.data.size() + 8);
              put32(x.data.data() + x.data.size() - 8, l + local_offset(k.sport));
              put32(x.data.data() + x.data.size() - 4, r + local_offset(k.sport));
            }
            break;
          case pd::TcpOption::Kind::Timestamp: {
            x.kind = 8;
            x.data.resize(8);
            // run_packet.c map_inbound_packet(): the echo maps script TS
            // values to the kernel's, from the first outbound TS val seen.
            std::uint32_t ecr = o.value2;
            if (ecr != 0 && ts_first_) ecr = ecr - ts_first_->first + ts_first_->second;
            put32(x.data.data(), o.value);
            put32(x.data.data() + 4, ecr);
            break;
          }
          default:
            throw Unsupported{o.pos.line, o.pos.col, "TCP option " + o.name + " is not injected by the kernel player"};
        }
        k.opts.push_back(x);
      }
    const auto bytes = build(k);
    log("line " + std::to_string(ln.pos.line) + ": inject < " + describe(k, false));
    if (write(tun_, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size()))
      mismatch(ln, std::string("error handling packet: could not write to the TUN device: ") + std::strerror(errno));
    pump(0);
  }

  Time expect_outbound(const pd::Line& ln, bool any, Time t, Time t_end) {
    const pd::Segment& sg = ln.segment;
    const Time hi = any ? kNever : t_end + tol_;
    const Time limit = any ? now() + kAnyWait : hi;
    while (outq_.empty() && !failed_ && now() <= limit) pump(1);
    if (failed_) return now();
    if (outq_.empty()) {
      mismatch(ln, "error handling packet: timing error: expected outbound packet at " + secs(t) +
                       " sec but none was sent (waited until " + secs(now()) + " sec)\nscript packet: " + secs(t) +
                       " " + describe_script(sg));
      return now();
    }
    Packet k = outq_.front();
    outq_.pop_front();
    // The kernel's ISN: from its first SYN (connect) or SYN-ACK (accept),
    // and again from the SYN of a new connect() from another local port (a
    // second attempt on the socket after ECONNREFUSED: inet_hash_connect()
    // picks a new port and the ISN is new; packetdrill relearns it too).
    const bool new_connect = (k.flags & 0x02) && !(k.flags & 0x10) && active_ && k.sport != local_port_;
    if ((k.flags & 0x02) && (!local_isn_.count(k.dport) || new_connect)) {
      local_isn_[k.dport] = k.seq - sg.seq_start;
      if (!(k.flags & 0x10)) {
        active_ = true;
        local_port_ = k.sport;
      }
    }
    // run_packet.c verify_packet_fragments(): a `>` line with more payload
    // than the segment read (a TSO/GSO burst the script writes as one) is
    // matched by the consecutive segments that continue it, joined; the PSH
    // of the last one counts.
    while (k.len > 0 && k.len < sg.len && !failed_) {
      while (outq_.empty() && !failed_ && now() <= limit) pump(1);
      if (outq_.empty()) break;
      const Packet& n = outq_.front();
      if (n.seq != k.seq + k.len || n.ack != k.ack || (n.flags & ~0x08) != (k.flags & ~0x08) ||
          n.len == 0 || k.len + n.len > sg.len)
        break;
      k.len += n.len;
      k.flags = static_cast<std::uint8_t>((k.flags & ~0x08) | (n.flags & 0x08));
      k.t = n.t;
      outq_.pop_front();
    }
    auto fail = [&](const std::string& what) {
      mismatch(ln, "error handling packet: " + what + "\nscript packet:  " + secs(t) + " " + describe_script(sg) +
                       "\nactual packet:  " + secs(k.t) + " " + describe(k, true));
    };
    // run_packet.c verify_tcp(): flags, ports, seq, ack, window; then
    // options, payload (length: the kernel sends the zeros packetdrill's
    // calls write), then the time; shared with the model runner
    // (tcpsim/packetdrill_verify.hpp).
    pd::OutboundView got;
    got.t = k.t;
    got.flags = k.flags;
    got.sport = k.sport;
    got.dport = k.dport;
    got.seq = k.seq - local_offset(k.dport);
    got.ack = k.ack;  // the script's peer: its ISN is 0
    got.win = k.win;
    got.len = k.len;
    pd::OutboundExpect want;
    want.script = &sg;
    want.flags = script_flags(sg) | (sg.ack ? 0x10 : 0);
    want.t = t;
    want.t_end = t_end;
    want.any_time = any;
    want.tolerance = tol_;
    // verify_outbound_live_tcp_options(): same kinds in the same order,
    // same values except the TS val (tcp_ts_tick_usecs is 0 by default).
    want.options_match = [&] {
      const auto& want_o = *sg.options;
      std::vector<const Opt*> opts;
      for (const auto& o : k.opts) opts.push_back(&o);
      bool ok = want_o.size() == opts.size();
      for (std::size_t i = 0; ok && i < want_o.size(); ++i) {
        const auto& w = want_o[i];
        const Opt& g = *opts[i];
        switch (w.kind) {
          case pd::TcpOption::Kind::Nop: ok = g.kind == 1; break;
          case pd::TcpOption::Kind::Eol: ok = g.kind == 0; break;
          case pd::TcpOption::Kind::Mss: ok = g.kind == 2 && g.data.size() == 2 && get16(g.data.data()) == w.value; break;
          case pd::TcpOption::Kind::WindowScale: ok = g.kind == 3 && g.data.size() == 1 && g.data[0] == w.value; break;
          case pd::TcpOption::Kind::SackOk: ok = g.kind == 4; break;
          case pd::TcpOption::Kind::Sack: {
            ok = g.kind == 5 && g.data.size() == 8 * w.blocks.size();
            for (std::size_t b = 0; ok && b < w.blocks.size(); ++b)
              ok = get32(g.data.data() + 8 * b) == w.blocks[b].first && get32(g.data.data() + 8 * b + 4) == w.blocks[b].second;
            break;
          }
          case pd::TcpOption::Kind::Timestamp:
            ok = g.kind == 8 && g.data.size() == 8;
            if (ok && !ts_first_) ts_first_ = std::make_pair(w.value, get32(g.data.data()));
            break;
          default: ok = false; break;
        }
      }
      return ok;
    };
    if (auto what = pd::check_outbound(got, want)) {
      fail(*what);
      return k.t;
    }
    log("line " + std::to_string(ln.pos.line) + ": > " + describe(k, true) + " matches");
    return k.t;
  }

  // ---- system calls ----
  int live_fd(std::int64_t script_fd) {
    std::lock_guard<std::mutex> g(mu_);
    auto it = fds_.find(static_cast<int>(script_fd));
    return it == fds_.end() ? kBadFd : it->second;
  }
  void map_fd(int script_fd, int live) {
    std::lock_guard<std::mutex> g(mu_);
    fds_[script_fd] = live;
  }

  static const pd::Expr& arg(const pd::Line& ln, std::size_t i) {
    const auto& a = ln.syscall.args;
    if (i >= a.size())
      throw Unsupported{ln.syscall.name_pos.line, ln.syscall.name_pos.col,
                        ln.syscall.name + "() needs at least " + std::to_string(i + 1) + " arguments"};
    return a[i];
  }

  // A buffer argument: `...` is a buffer of ours; NULL or a number is that
  // address, so the kernel reports EFAULT as for packetdrill.
  static char* buffer_arg(const pd::Expr& e, char* ours) {
    if (e.kind == pd::Expr::Kind::Ellipsis || e.kind == pd::Expr::Kind::String) return ours;
    return reinterpret_cast<char*>(static_cast<std::uintptr_t>(eval(e)));
  }

  // Runs in the call's own thread (in our namespace).
  void perform(Call& c) {
    const pd::Line& ln = *c.line;
    const pd::Syscall& s = ln.syscall;
    const std::string& n = s.name;
    auto done = [&](std::int64_t r) {
      c.err = r < 0 ? errno : 0;
      c.ret = r;
      c.returned = now();
    };
    auto result_fd = [&](std::int64_t r) {
      // A new descriptor: the script's number stands for it from now on.
      if (r >= 0 && s.result.kind != pd::Expr::Kind::Ellipsis) {
        const auto want = eval(s.result);
        map_fd(static_cast<int>(want), static_cast<int>(r));
        return want;
      }
      return r;
    };
    sockaddr_in local{}, remote{};
    local.sin_family = remote.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl(kLocalIp);
    local.sin_port = htons(kScriptPort);
    remote.sin_addr.s_addr = htonl(kRemoteIp);
    remote.sin_port = htons(kScriptPort);
    if (n == "socket") {
      // `...` for the domain: packetdrill's own address family (AF_INET here).
      const int dom = arg(ln, 0).kind == pd::Expr::Kind::Ellipsis ? AF_INET : static_cast<int>(eval(arg(ln, 0)));
      const int r = socket(dom, static_cast<int>(eval(arg(ln, 1))),
                           static_cast<int>(eval(arg(ln, 2))));
      done(r);
      c.ret = result_fd(r);
    } else if (n == "bind") {
      done(bind(live_fd(eval(arg(ln, 0))), reinterpret_cast<sockaddr*>(&local), sizeof local));
    } else if (n == "listen") {
      done(listen(live_fd(eval(arg(ln, 0))), static_cast<int>(eval(arg(ln, 1)))));
    } else if (n == "accept" || n == "accept4") {
      const int fl = n == "accept4" && s.args.size() > 3 ? static_cast<int>(eval(s.args[3])) : 0;
      const int r = accept4(live_fd(eval(arg(ln, 0))), nullptr, nullptr, fl);
      done(r);
      c.ret = result_fd(r);
    } else if (n == "connect") {
      active_ = true;
      done(connect(live_fd(eval(arg(ln, 0))), reinterpret_cast<sockaddr*>(&remote), sizeof remote));
    } else if (n == "read" || n == "recv" || n == "recvfrom") {
      const auto len = arg(ln, 2).kind == pd::Expr::Kind::Ellipsis ? 65536 : eval(arg(ln, 2));
      std::vector<char> b(static_cast<std::size_t>(std::max<std::int64_t>(len, 1)));
      const int fd = live_fd(eval(arg(ln, 0)));
      char* buf = buffer_arg(arg(ln, 1), b.data());
      if (n == "read") done(read(fd, buf, static_cast<std::size_t>(len)));
      else done(recv(fd, buf, static_cast<std::size_t>(len), s.args.size() > 3 ? static_cast<int>(eval(s.args[3])) : 0));
    } else if (n == "write" || n == "send" || n == "sendto") {
      const auto len = eval(arg(ln, 2));
      std::vector<char> b(static_cast<std::size_t>(std::max<std::int64_t>(len, 1)), 0);
      const int fd = live_fd(eval(arg(ln, 0)));
      char* buf = buffer_arg(arg(ln, 1), b.data());
      if (n == "write") done(write(fd, buf, static_cast<std::size_t>(len)));
      else done(send(fd, buf, static_cast<std::size_t>(len), s.args.size() > 3 ? static_cast<int>(eval(s.args[3])) : 0));
    } else if (n == "close") {
      const auto sfd = eval(arg(ln, 0));
      const int fd = live_fd(sfd);
      done(close(fd));
      if (c.ret == 0) {
        std::lock_guard<std::mutex> g(mu_);
        fds_.erase(static_cast<int>(sfd));
      }
    } else if (n == "shutdown") {
      done(shutdown(live_fd(eval(arg(ln, 0))), static_cast<int>(eval(arg(ln, 1)))));
    } else if (n == "setsockopt") {
      const int fd = live_fd(eval(arg(ln, 0)));
      const int level = static_cast<int>(eval(arg(ln, 1))), name = static_cast<int>(eval(arg(ln, 2)));
      const pd::Expr& v = arg(ln, 3);
      if (v.kind == pd::Expr::Kind::Struct) {
        linger l{};
        const pd::Expr* on = field(v, "l_onoff", "onoff");
        const pd::Expr* secs_ = field(v, "l_linger", "linger");
        l.l_onoff = on ? static_cast<int>(eval(*on)) : 0;
        l.l_linger = secs_ ? static_cast<int>(eval(*secs_)) : 0;
        done(setsockopt(fd, level, name, &l, sizeof l));
      } else {
        const int x = static_cast<int>(eval(v));
        done(setsockopt(fd, level, name, &x, sizeof x));
      }
    } else if (n == "getsockopt") {
      const int fd = live_fd(eval(arg(ln, 0)));
      const int level = static_cast<int>(eval(arg(ln, 1))), name = static_cast<int>(eval(arg(ln, 2)));
      const pd::Expr& v = arg(ln, 3);
      if (v.kind == pd::Expr::Kind::Struct) {
        linger l{};
        socklen_t len = sizeof l;
        done(getsockopt(fd, level, name, &l, &len));
        const pd::Expr* on = field(v, "l_onoff", "onoff");
        const pd::Expr* sec_ = field(v, "l_linger", "linger");
        if (c.ret == 0 && on && on->kind != pd::Expr::Kind::Ellipsis && eval(*on) != (l.l_onoff != 0))
          c.check_error = "Bad getsockopt l_onoff: expected: " + std::to_string(eval(*on)) + " actual: " + std::to_string(l.l_onoff);
        if (c.ret == 0 && sec_ && sec_->kind != pd::Expr::Kind::Ellipsis && eval(*sec_) != l.l_linger)
          c.check_error = "Bad getsockopt l_linger: expected: " + std::to_string(eval(*sec_)) + " actual: " + std::to_string(l.l_linger);
      } else {
        int x = 0;
        socklen_t len = sizeof x;
        done(getsockopt(fd, level, name, &x, &len));
        if (c.ret == 0 && v.kind != pd::Expr::Kind::Ellipsis && eval(v) != x)
          c.check_error = "Bad getsockopt optval: expected: " + std::to_string(eval(v)) + " actual: " + std::to_string(x);
      }
    } else if (n == "fcntl") {
      const int fd = live_fd(eval(arg(ln, 0)));
      const int cmd = static_cast<int>(eval(arg(ln, 1)));
      if (s.args.size() > 2) done(fcntl(fd, cmd, static_cast<long>(eval(s.args[2]))));
      else done(fcntl(fd, cmd));
    } else if (n == "ioctl") {
      const int fd = live_fd(eval(arg(ln, 0)));
      int x = 0;
      done(ioctl(fd, static_cast<unsigned long>(eval(arg(ln, 1))), &x));
      if (c.ret == 0 && s.args.size() > 2 && s.args[2].kind != pd::Expr::Kind::Ellipsis && eval(s.args[2]) != x)
        c.check_error = "Bad ioctl value: expected: " + std::to_string(eval(s.args[2])) + " actual: " + std::to_string(x);
    } else if (n == "epoll_create" || n == "epoll_create1") {
      const int r = n == "epoll_create" ? epoll_create(static_cast<int>(eval(arg(ln, 0))))
                                        : epoll_create1(static_cast<int>(eval(arg(ln, 0))));
      done(r);
      c.ret = result_fd(r);
    } else if (n == "epoll_ctl") {
      const int ep = live_fd(eval(arg(ln, 0)));
      const int op = static_cast<int>(eval(arg(ln, 1)));
      const auto sfd = eval(arg(ln, 2));
      epoll_event ev{};
      if (s.args.size() > 3 && s.args[3].kind == pd::Expr::Kind::Struct) {
        const pd::Expr* e = field(s.args[3], "events");
        const pd::Expr* d = field(s.args[3], "fd", "u32");
        ev.events = e ? static_cast<std::uint32_t>(eval(*e)) : 0;
        ev.data.u64 = d ? static_cast<std::uint64_t>(eval(*d)) : static_cast<std::uint64_t>(sfd);
      }
      done(epoll_ctl(ep, op, live_fd(sfd), &ev));
    } else if (n == "epoll_wait") {
      const int ep = live_fd(eval(arg(ln, 0)));
      const int maxev = static_cast<int>(eval(arg(ln, 2)));
      const int timeout = static_cast<int>(eval(arg(ln, 3)));
      std::vector<epoll_event> evs(static_cast<std::size_t>(std::max(maxev, 1)));
      done(epoll_wait(ep, evs.data(), maxev, timeout));
      std::vector<const pd::Expr*> want;
      const pd::Expr& w = arg(ln, 1);
      if (w.kind == pd::Expr::Kind::Struct) want.push_back(&w);
      if (w.kind == pd::Expr::Kind::List)
        for (const auto& x : w.items)
          if (x.kind == pd::Expr::Kind::Struct) want.push_back(&x);
      for (std::size_t k = 0; c.ret > 0 && k < want.size() && k < static_cast<std::size_t>(c.ret); ++k) {
        const pd::Expr* e = field(*want[k], "events");
        const pd::Expr* d = field(*want[k], "fd", "u32");
        if (e && e->kind != pd::Expr::Kind::Ellipsis && eval(*e) != evs[k].events)
          c.check_error = "Bad epoll events: expected: " + std::to_string(eval(*e)) + " actual: " + std::to_string(evs[k].events);
        if (d && d->kind != pd::Expr::Kind::Ellipsis && static_cast<std::uint64_t>(eval(*d)) != evs[k].data.u64)
          c.check_error = "Bad epoll fd: expected: " + std::to_string(eval(*d)) + " actual: " + std::to_string(evs[k].data.u64);
      }
    } else if (n == "poll") {
      const pd::Expr& list = arg(ln, 0);
      std::vector<pollfd> pf;
      std::vector<const pd::Expr*> items;
      std::vector<pd::Expr> src = list.kind == pd::Expr::Kind::List ? list.items : std::vector<pd::Expr>{list};
      for (const auto& x : src) {
        if (x.kind != pd::Expr::Kind::Struct) continue;
        const pd::Expr* fd = field(x, "fd");
        const pd::Expr* ev = field(x, "events");
        pf.push_back({fd ? live_fd(eval(*fd)) : kBadFd, static_cast<short>(ev ? eval(*ev) : 0), 0});
        items.push_back(&x);
      }
      done(poll(pf.data(), pf.size(), static_cast<int>(eval(arg(ln, 2)))));
      for (std::size_t k = 0; k < pf.size(); ++k) {
        const pd::Expr* r = field(*items[k], "revents");
        if (r && r->kind != pd::Expr::Kind::Ellipsis && eval(*r) != pf[k].revents)
          c.check_error = "Bad revents: expected: " + std::to_string(eval(*r)) + " actual: " + std::to_string(pf[k].revents);
      }
    } else {
      throw Unsupported{s.name_pos.line, s.name_pos.col,
                        "system call " + n + "() is not played on the kernel (supported: socket, bind, listen, "
                        "accept, connect, read, recv, write, send, close, shutdown, setsockopt, getsockopt, "
                        "fcntl, ioctl, epoll_create, epoll_ctl, epoll_wait, poll)"};
    }
  }

  Time syscall(const pd::Line& ln, Time t) {
    auto c = std::make_shared<Call>();
    c->line = &ln;
    c->start = t;
    if (ln.syscall.end_time) {
      const pd::TimeSpec& e = *ln.syscall.end_time;
      // run.c adjust_relative_event_times(): the end of a blocking call on a
      // relative line moves by the same offset as its start.
      Time endt = e.value;
      if (e.kind == pd::TimeKind::Relative) endt = t + e.value;
      else if (ln.time->kind == pd::TimeKind::Relative) endt = t - ln.time->value + e.value;
      c->end = endt;
    }
    wait_until(t);
    await_idle_calls(ln);
    if (failed_) return t;
    calls_.push_back(c);
    log("line " + std::to_string(ln.pos.line) + ": " + ln.syscall.name + "()");
    const int ns_fd = ns_fd_;
    std::thread([this, c, ns_fd] {
      setns(ns_fd, CLONE_NEWNET);
      try {
        perform(*c);
      } catch (const Unsupported& u) {
        c->unsupported = u;
        c->returned = now();
      }
      c->done = true;
    }).detach();
    if (!c->end) {
      // Written without ...END: it must return at once (within the tolerance).
      while (!c->done.load() && now() <= t + tol_ && !failed_) pump(0);
      check_calls();
      if (!c->reported && !failed_)
        mismatch(ln, "runtime error in " + ln.syscall.name + " call: expected the call to return at once, at " +
                         secs(t) + " sec (no '...END' time on the line), but it is still blocked at " +
                         secs(now()) + " sec; tolerance " + secs(tol_) + " sec");
    } else {
      pump(0);
    }
    return t;
  }

  // packetdrill runs one system call at a time (run_system_call.c,
  // await_idle_thread()): a call waits for a blocking one before it to
  // return, for a second at most. Without it a read() at the moment a RST
  // wakes a blocked connect() could run first and take the connect()'s
  // ECONNREFUSED from sk_err (a race seen on a loaded 2-core machine).
  void await_idle_calls(const pd::Line& ln) {
    const auto busy = [this] {
      for (const auto& c : calls_)
        if (!c->done.load()) return true;
      return false;
    };
    const Time limit = now() + 1000000;
    while (!failed_ && busy() && now() < limit) pump(1);
    check_calls();
    if (!failed_ && busy())
      mismatch(ln, "runtime error in " + ln.syscall.name +
                       " call: a blocking system call before it is still executing (packetdrill runs one at a time)");
  }

  void check_calls() {
    for (auto& cp : calls_) {
      Call& c = *cp;
      if (c.reported || failed_) continue;
      if (!c.done.load()) {
        if (c.end && now() > *c.end + tol_) {
          c.reported = true;
          mismatch(*c.line, "runtime error in " + c.line->syscall.name + " call: expected blocking call to return at " +
                                secs(*c.end) + " sec but it is still blocked at " + secs(now()) + " sec; tolerance " +
                                secs(tol_) + " sec");
        }
        continue;
      }
      c.reported = true;
      const pd::Line& ln = *c.line;
      const pd::Syscall& s = ln.syscall;
      if (c.unsupported) {
        failed_ = true;
        res_.status = PktKernelResult::Status::Unsupported;
        res_.line = c.unsupported->line ? c.unsupported->line : ln.pos.line;
        res_.message = sc_.file + ":" + std::to_string(res_.line) + ":" + std::to_string(c.unsupported->col) + ": " +
                       c.unsupported->what;
        return;
      }
      log("line " + std::to_string(ln.pos.line) + ": " + s.name + "() = " + std::to_string(c.ret) +
          (c.ret < 0 ? std::string(" ") + (errno_name(c.err) ? errno_name(c.err) : "?") : ""));
      const std::string rt = "runtime error in " + s.name + " call: ";
      if (s.result.kind != pd::Expr::Kind::Ellipsis) {
        std::int64_t want = 0;
        try {
          want = eval(s.result);
        } catch (const Unsupported& u) {
          failed_ = true;
          res_.status = PktKernelResult::Status::Unsupported;
          res_.line = ln.pos.line;
          res_.message = sc_.file + ":" + std::to_string(u.line) + ":" + std::to_string(u.col) + ": " + u.what;
          return;
        }
        if (want != c.ret) {
          std::string got = "got " + std::to_string(c.ret);
          if (c.ret == -1 && c.err)
            got += " with errno " + std::to_string(c.err) + " (" + std::strerror(c.err) + ")";
          mismatch(ln, rt + "Expected result " + std::to_string(want) + " but " + got);
          return;
        }
      }
      if (!s.errno_name.empty() && c.ret == -1) {
        const char* an = errno_name(c.err);
        if (!an || s.errno_name != an) {
          mismatch(ln, rt + "Expected errno " + s.errno_name + " but got " + (an ? an : "no errno") + " (" +
                           std::to_string(c.err) + ")");
          return;
        }
      }
      if (!c.check_error.empty()) {
        mismatch(ln, rt + c.check_error);
        return;
      }
      if (c.end && (c.returned < *c.end - tol_ || c.returned > *c.end + tol_)) {
        mismatch(ln, rt + "expected blocking call to return at " + secs(*c.end) + " sec but it returned at " +
                         secs(c.returned) + " sec; tolerance " + secs(tol_) + " sec");
        return;
      }
      if (!c.end && c.returned > c.start + tol_) {
        mismatch(ln, rt + "expected the call to return at once, at " + secs(c.start) +
                         " sec (no '...END' time on the line), but it blocked until " + secs(c.returned) + " sec");
        return;
      }
    }
  }

  const pd::Script& sc_;
  PktKernelOptions opt_;
  PktKernelResult& res_;
  Time tol_ = 4000;
  std::string ns_;
  bool made_ns_ = false, torn_ = false;
  int ns_fd_ = -1, tun_ = -1;
  std::int64_t t0_ns_ = 0;
  bool failed_ = false;
  std::deque<Packet> outq_;
  std::mutex mu_;
  std::map<int, int> fds_;  // script descriptor -> live descriptor
  std::vector<std::shared_ptr<Call>> calls_;
  std::map<std::uint16_t, std::uint32_t> local_isn_;  // remote port -> live ISN minus the script's
  std::atomic<bool> active_{false};          // connect(): the remote is the one listening
  std::uint16_t local_port_ = kScriptPort;
  std::optional<std::pair<std::uint32_t, std::uint32_t>> ts_first_;  // script TS val, live TS val
};

}  // namespace

std::string pkt_kernel_unavailable_reason() {
  if (geteuid() != 0) return "needs root (network namespaces and a TUN device)";
  struct stat st{};
  if (stat("/dev/net/tun", &st) != 0) return "no /dev/net/tun on this machine";
  std::string out;
  if (run_command({"ip", "-V"}, &out) != 0) return "the ip command (iproute2) is not installed";
  return {};
}

PktKernelResult play_on_kernel(const pd::Script& script, const PktKernelOptions& options) {
  PktKernelResult res;
  const std::string why = pkt_kernel_unavailable_reason();
  if (!why.empty()) {
    res.status = PktKernelResult::Status::Unavailable;
    res.message = why;
    return res;
  }
  // packetdrill ignores SIGPIPE: a write() on a reset connection returns EPIPE.
  int old_policy = 0;
  sched_param old_param{};
  pthread_getschedparam(pthread_self(), &old_policy, &old_param);
  struct sigaction old{}, ign{};
  ign.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ign, &old);
  auto player = std::make_unique<Player>(script, options, res);
  try {
    const std::string err = player->setup();
    if (!err.empty()) {
      res.status = PktKernelResult::Status::Unavailable;
      res.message = "setting up the namespace: " + err;
    } else {
      StallWatch watch;  // stall_watch.hpp: did the machine take the CPU from the run?
      player->run();
      watch.stop();
      res.disturbed = watch.describe();
    }
  } catch (const Unsupported& u) {
    res.status = PktKernelResult::Status::Unsupported;
    res.line = u.line;
    res.message = script.file + ":" + std::to_string(u.line) + ":" + std::to_string(u.col) + ": " + u.what;
  }
  player->teardown();  // wakes blocked calls (shutdown), removes the namespace
  // A call thread that still has not returned refers to the player: leave it
  // alive rather than free memory under it (never seen; a small leak at worst).
  if (!player->all_calls_returned()) {
    res.warnings.push_back(script.file + ": warning: a system call was still blocked after the namespace was removed");
    (void)player.release();
  }
  sigaction(SIGPIPE, &old, nullptr);
  pthread_setschedparam(pthread_self(), old_policy, &old_param);  // run() raised it
  return res;
}

}  // namespace tcpsim::kernel
