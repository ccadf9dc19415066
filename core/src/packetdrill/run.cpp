// tcpsim — the packetdrill runner (issue #16): a script played against the
// model as the local kernel.
//
// Read first: google/packetdrill run.c (event loop, relative times),
// run_packet.c (verify_outbound_live_packet) and run_system_call.c; then
// docs/packetdrill.md for what tcpsim supports.
//
// The model runs two hosts: "local" (192.168.0.1, the kernel under test,
// one process holding the script's descriptors) and "remote" (192.0.2.1), a
// scripted raw peer (Sim::raw_host) that runs no TCP: the runner injects
// the script's `<` segments from it and collects what reaches it, which the
// `>` lines consume in order. The link between them has no delay, so a
// segment is "on the wire" at the instant the model sends it, as on
// packetdrill's tun device.
//
// Each system call runs as a one-step thread of the local process through
// the model's socket API (socket_api.cpp), so it blocks exactly as the
// model's blocking calls do; poll, epoll, getsockopt(SO_ERROR), fcntl(F_GETFL)
// and ioctl(FIONREAD) are answered here from the socket's state.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>

#include "loader/sysctl_members.hpp"
#include "sim.hpp"
#include "tcpsim/packetdrill_run.hpp"
#include "tcpsim/packetdrill_verify.hpp"

namespace tcpsim::packetdrill {

namespace {

constexpr std::uint32_t kLocalIp = 0xC0A80001;   // 192.168.0.1
constexpr std::uint32_t kRemoteIp = 0xC0000201;  // 192.0.2.1
constexpr std::uint16_t kScriptPort = 8080;      // packetdrill's default port
constexpr std::uint16_t kRemoteEphemeral = 40000;
constexpr std::uint32_t kRemoteIsn = 1000000;    // the raw peer's ISN (any value works)
constexpr Time kNoPacketWait = sec(3600);        // how far `*` waits for a segment

// Linux values (include/uapi/...).
constexpr std::uint32_t kPollIn = 0x001, kPollPri = 0x002, kPollOut = 0x004, kPollErr = 0x008,
                        kPollHup = 0x010, kPollNval = 0x020, kPollRdNorm = 0x040, kPollRdBand = 0x080,
                        kPollWrNorm = 0x100, kPollWrBand = 0x200, kPollRdHup = 0x2000;
constexpr std::uint32_t kEpollEt = 1u << 31, kEpollOneShot = 1u << 30;

const std::map<std::string, std::int64_t>& symbols() {
  static const std::map<std::string, std::int64_t> m = {
      {"AF_INET", 2}, {"PF_INET", 2}, {"SOCK_STREAM", 1}, {"SOCK_NONBLOCK", 0x800}, {"SOCK_CLOEXEC", 0x80000},
      {"IPPROTO_TCP", 6}, {"IPPROTO_IP", 0}, {"SOL_SOCKET", 1}, {"SOL_TCP", 6},
      {"SO_REUSEADDR", 2}, {"SO_KEEPALIVE", 9}, {"SO_LINGER", 13}, {"SO_ERROR", 4}, {"SO_RCVBUF", 8},
      {"SO_SNDBUF", 7}, {"SO_REUSEPORT", 15}, {"TCP_NODELAY", 1},
      {"O_RDONLY", 0}, {"O_WRONLY", 1}, {"O_RDWR", 2}, {"O_NONBLOCK", 0x800},
      {"F_GETFD", 1}, {"F_SETFD", 2}, {"F_GETFL", 3}, {"F_SETFL", 4}, {"FD_CLOEXEC", 1},
      {"SHUT_RD", 0}, {"SHUT_WR", 1}, {"SHUT_RDWR", 2},
      {"MSG_NOSIGNAL", 0x4000}, {"MSG_DONTWAIT", 0x40}, {"MSG_PEEK", 2}, {"MSG_WAITALL", 0x100},
      {"FIONREAD", 0x541B}, {"SIOCINQ", 0x541B},
      {"EPOLL_CTL_ADD", 1}, {"EPOLL_CTL_DEL", 2}, {"EPOLL_CTL_MOD", 3},
      {"EPOLLIN", kPollIn}, {"EPOLLPRI", kPollPri}, {"EPOLLOUT", kPollOut}, {"EPOLLERR", kPollErr},
      {"EPOLLHUP", kPollHup}, {"EPOLLRDNORM", kPollRdNorm}, {"EPOLLRDBAND", kPollRdBand},
      {"EPOLLWRNORM", kPollWrNorm}, {"EPOLLWRBAND", kPollWrBand}, {"EPOLLRDHUP", kPollRdHup},
      {"EPOLLET", kEpollEt}, {"EPOLLONESHOT", kEpollOneShot},
      {"POLLIN", kPollIn}, {"POLLPRI", kPollPri}, {"POLLOUT", kPollOut}, {"POLLERR", kPollErr},
      {"POLLHUP", kPollHup}, {"POLLNVAL", kPollNval}, {"POLLRDNORM", kPollRdNorm},
      {"POLLRDBAND", kPollRdBand}, {"POLLWRNORM", kPollWrNorm}, {"POLLWRBAND", kPollWrBand},
      {"POLLRDHUP", kPollRdHup}, {"NULL", 0},
  };
  return m;
}

// strerror() texts for the notes packetdrill prints.
const char* strerror_text(int e) {
  switch (e) {
    case EPIPE: return "Broken pipe";
    case ECONNRESET: return "Connection reset by peer";
    case ECONNREFUSED: return "Connection refused";
    case EAGAIN: return "Resource temporarily unavailable";
    case EINPROGRESS: return "Operation now in progress";
    case EALREADY: return "Operation already in progress";
    case EISCONN: return "Transport endpoint is already connected";
    case ENOTCONN: return "Transport endpoint is not connected";
    case EBADF: return "Bad file descriptor";
    case EINVAL: return "Invalid argument";
    case EADDRINUSE: return "Address already in use";
    case ETIMEDOUT: return "Connection timed out";
    case EFAULT: return "Bad address";
    case EMFILE: return "Too many open files";
    case EADDRNOTAVAIL: return "Cannot assign requested address";
    case ENOENT: return "No such file or directory";
    case EEXIST: return "File exists";
  }
  return "";
}

std::string secs(Time t) { return packetdrill_secs(t); }

struct Unsupported {
  int line, col;
  std::string what;
};

// Captures the model's calls (for return values) and forwards everything.
class RunSink : public TraceSink {
 public:
  explicit RunSink(Trace& t) : trace_(t) {}
  void on_host(const HostInfo& h) override { trace_.on_host(h); }
  void on_process(const ProcessInfo& p) override { trace_.on_process(p); }
  void on_socket(const SocketInfo& s) override { trace_.on_socket(s); }
  void on_event(const Event& e) override {
    if (e.kind == EventKind::Call) calls.push_back(e);
    trace_.on_event(e);
  }
  std::vector<Event> calls;

 private:
  Trace& trace_;
};

struct Captured {
  tcpsim::Segment seg;
  Time t;
};

// A system call in progress on the model (a one-step thread).
struct Pending {
  const Line* line = nullptr;
  std::uint32_t tid = 0;
  std::size_t call_mark = 0;       // RunSink::calls index when it started
  Time start = 0;
  bool blocking_spec = false;      // the line has `...END`
  // Runner-side blocking calls (poll, epoll_wait) have no thread:
  bool runner = false;
  Time deadline = kNever;
  std::int64_t read_cap = -1;      // read()/recv() of at most this many bytes
  std::uint32_t read_sock = 0;
  int script_fd = -1;              // close(): the script's descriptor
};

class Runner {
 public:
  Runner(const Script& script, const RunConfig& cfg, RunResult& res)
      : sc_(script), cfg_(cfg), res_(res), sink_(res.trace) {
    tol_ = cfg.tolerance;
    for (const auto& o : script.options) {
      if (o.name == "tolerance_usecs") {
        tol_ = std::strtoll(o.value.c_str(), nullptr, 10);
      } else if (o.name == "ip_version" && o.value != "ipv4") {
        throw Unsupported{o.pos.line, o.pos.col, "--ip_version=" + o.value + ": tcpsim runs IPv4 scripts only"};
      } else {
        warn(o.pos, "option --" + o.name + (o.value.empty() ? "" : "=" + o.value) + " ignored by tcpsim");
      }
    }
    Scenario s;
    s.name = "packetdrill " + script.file;
    s.seed = 1;
    HostSpec local;
    local.name = "local";
    local.ip = kLocalIp;
    local.profile = cfg.profile;
    HostSpec remote;
    remote.name = "remote";
    remote.ip = kRemoteIp;
    s.hosts = {local, remote};
    LinkSpec l;
    l.a = "local";
    l.b = "remote";
    l.delay = 0;
    s.links = {l};
    ProcessSpec p;
    p.name = "packetdrill";
    p.host = "local";
    p.ignore_sigpipe = true;  // packetdrill: signal(SIGPIPE, SIG_IGN)
    s.processes = {p};
    res_.trace.meta.scenario = s.name;
    sim_ = std::make_unique<Sim>(s, sink_, RunOptions{});
    sim_->raw_host = 1;
    sim_->raw_receive = [this](const tcpsim::Segment& g) {
      wire_.push_back(Captured{g, sim_->now});
      if (g.flags & kSyn) {
        isn_[g.dport] = g.seq;  // the ISN packetdrill counts this connection's sequence numbers from
        if (!(g.flags & kAck)) {  // connect(): the script's default connection
          local_port_ = g.sport;
          remote_port_ = g.dport;
        }
      }
    };
    run_until(0);  // starts the (empty) process
  }

  void run() {
    Time prev_script = 0;     // script time of the previous event
    Time last_done = 0;       // when the previous event completed ("now" for relative times)
    bool prev_inbound = false;
    bool first = true;
    for (const Line& ln : sc_.lines) {
      if (!ln.time) {  // init / cleanup command
        shell_or_python(ln);
        continue;
      }
      const TimeSpec& ts = *ln.time;
      const bool inbound = ln.kind == Line::Kind::Segment && ln.segment.dir == Direction::Inbound;
      Time t = 0, t_end = 0;
      if (ts.kind == TimeKind::Absolute) {
        t = ts.value;
        t_end = ts.range_end ? *ts.range_end : t;
        if (first && t != 0) throw Unsupported{ln.pos.line, ln.pos.col, "first event should be at time 0"};
        if (!first && t < prev_script)
          mismatch(ln, "time goes backward in script from " + std::to_string(prev_script) + " usec to " +
                           std::to_string(t) + " usec");
      } else if (ts.kind == TimeKind::Relative) {
        // run.c adjust_relative_event_times(): consecutive inbound packets
        // are anchored on the previous packet's script time; anything else
        // on the moment the previous event completed.
        const Time base = (inbound && prev_inbound) ? prev_script : last_done;
        t = base + ts.value;
        t_end = base + (ts.range_end ? *ts.range_end : ts.value);
      }
      first = false;
      if (done_) return;
      switch (ln.kind) {
        case Line::Kind::Shell:
        case Line::Kind::Python:
          run_until(t);
          shell_or_python(ln);
          last_done = t;
          break;
        case Line::Kind::Segment:
          if (inbound) {
            run_until(t);
            inject(ln);
            last_done = t;
          } else {
            last_done = expect_outbound(ln, ts.kind == TimeKind::Any, t, t_end);
          }
          break;
        case Line::Kind::Syscall:
          last_done = syscall(ln, t);
          break;
      }
      if (done_) return;
      prev_script = ts.kind == TimeKind::Any ? last_done : t;
      prev_inbound = inbound;
    }
    // The script ended: a blocking call still running must return (run.c
    // waits for the syscall thread).
    if (pending_) finish_pending(kNever);
  }

  bool done() const { return done_; }

 private:
  // ---- messages ----
  std::string where(const SourcePos& p) const {
    return sc_.file + ":" + std::to_string(p.line) + ":" + std::to_string(p.col);
  }
  void warn(const SourcePos& p, const std::string& m) { res_.warnings.push_back(where(p) + ": warning: " + m); }
  void log(const std::string& m) {
    if (cfg_.verbose) res_.log.push_back(secs(sim_->now) + " " + m);
  }
  void mismatch(const Line& ln, const std::string& m) {
    if (done_) return;
    done_ = true;
    res_.status = RunResult::Status::Mismatch;
    res_.line = ln.pos.line;
    res_.at = sim_->now;
    res_.message = sc_.file + ":" + std::to_string(ln.pos.line) + ": " + m;
  }

  // ---- engine ----
  // Runs every engine event up to and including time t; now = t after.
  void run_until(Time t) {
    if (t < sim_->now) return;
    sim_->stop_at = t;
    while (sim_->step()) {
      poll_pending();
      if (done_) return;
    }
    sim_->now = t;
    sim_->stop_at = kNever;
    poll_pending();
  }
  // One engine event at or before `limit`; false when none is left.
  bool step_once(Time limit) {
    sim_->stop_at = limit;
    const bool r = sim_->step();
    sim_->stop_at = kNever;
    if (r) poll_pending();
    return r;
  }

  // ---- shell, python ----
  void shell_or_python(const Line& ln) {
    if (ln.kind == Line::Kind::Python) {
      warn(ln.pos, ln.python.warning);
      return;
    }
    for (const auto& [name, value] : ln.shell.sysctls) set_sysctl(ln, name, value);
    if (!ln.shell.warning.empty()) warn(ln.pos, ln.shell.warning);
  }

  void set_sysctl(const Line& ln, const std::string& name, const std::string& value) {
    Sysctls& y = sim_->hosts[0].sys;
    char* end = nullptr;
    const long long v = std::strtoll(value.c_str(), &end, 10);
    const bool num = end && *end == '\0' && !value.empty();
    for (const auto& d : sysctl_members()) {
      if (name != d.name) continue;
      if (!num || v < 0) {
        warn(ln.pos, "sysctl " + name + "=" + value + ": not a number, skipped");
        return;
      }
      if (d.i) y.*(d.i) = static_cast<int>(v);
      if (d.t) y.*(d.t) = sec(v);
      log("sysctl " + name + "=" + value);
      return;
    }
    if (name == "net.ipv4.tcp_timestamps") {
      timestamps_ = num && v != 0;
      if (timestamps_) warn(ln.pos, "sysctl " + name + "=" + value + ": TCP timestamps are not modelled; only the 12 bytes they take off the MSS are");
      return;
    }
    if (name == "net.ipv4.tcp_sack" || name == "net.ipv4.tcp_window_scaling" || name == "net.ipv4.tcp_ecn" ||
        name == "net.ipv4.tcp_dsack" || name == "net.ipv4.tcp_fack") {
      if (num && v == 0) return;  // the model has none of these anyway
      warn(ln.pos, "sysctl " + name + "=" + value + ": the option is not modelled, so it stays off");
      return;
    }
    warn(ln.pos, "sysctl " + name + "=" + value + " is not known to the model: skipped");
  }

  // ---- segments ----
  std::uint16_t local_port() const { return local_port_; }

  void note_options(const Line& ln, const Segment& sg) {
    if (!sg.options) return;
    std::string nm;
    for (const auto& o : *sg.options) {
      if (o.kind == TcpOption::Kind::Mss || o.kind == TcpOption::Kind::Nop || o.kind == TcpOption::Kind::Eol) continue;
      if (nm.find(o.name) != std::string::npos) continue;
      nm += (nm.empty() ? "" : ", ") + o.name;
    }
    if (!nm.empty())
      warn(sg.options_pos.line ? sg.options_pos : ln.pos,
           "TCP option(s) " + nm + " parsed but not modelled (" +
               (sg.dir == Direction::Inbound ? "the model ignores them" : "not checked") + ")");
  }

  void inject(const Line& ln) {
    const Segment& sg = ln.segment;
    note_options(ln, sg);
    tcpsim::Segment g;
    g.src_ip = kRemoteIp;
    g.dst_ip = kLocalIp;
    g.sport = sg.src_port ? *sg.src_port : remote_port_;
    g.dport = sg.dst_port ? *sg.dst_port : local_port();
    g.seq = kRemoteIsn + sg.seq_start;
    g.len = sg.len;
    g.flags = sg.flags;
    if (sg.ack) g.ack = isn_for(g.sport) + *sg.ack;
    std::uint32_t win = sg.win ? *sg.win : 65535;
    if (!(sg.flags & kSyn) && peer_wscale_ > 0) {
      // Window scaling is not modelled: the peer's scaled window (RFC 7323
      // §2.3, "SEG.WND << Snd.Wind.Shift") is handed to the model as the
      // real number of bytes, capped at the 16 bits the model carries.
      win = static_cast<std::uint32_t>(std::min<std::uint64_t>(static_cast<std::uint64_t>(win) << std::min(peer_wscale_, 14), 65535));
    }
    g.win = static_cast<std::uint16_t>(win);
    if (sg.flags & kSyn) {
      // MSS honoured (RFC 9293 §3.7.1): the model's segment size becomes
      // the peer's MSS (536 when the SYN has none, RFC 9293 MUST-15),
      // capped by 1460 on a 1500-byte link, less the 12 bytes of the
      // timestamp option Linux would negotiate when the peer offers it.
      std::uint32_t mss = 536;
      bool ts = false;
      if (sg.options)
        for (const auto& o : *sg.options) {
          if (o.kind == TcpOption::Kind::Mss) mss = o.value;
          if (o.kind == TcpOption::Kind::Timestamp) ts = true;
          if (o.kind == TcpOption::Kind::WindowScale) peer_wscale_ = static_cast<int>(o.value);
        }
      mss = std::min<std::uint32_t>(mss, 1460);
      if (ts && timestamps_) mss -= 12;
      sim_->hosts[0].sys.mss = std::max<std::uint32_t>(mss, 64);
    }
    log("inject line " + std::to_string(ln.pos.line) + ": < " + describe(g, false));
    sim_->transmit(1, g, false, nullptr);
    run_until(sim_->now);
  }

  std::string describe(const tcpsim::Segment& g, bool outbound) const {
    // packetdrill's notation, sequence numbers relative to the sender's ISN.
    const std::uint32_t isn = outbound ? isn_for(g.dport) : kRemoteIsn;
    const std::uint32_t aisn = outbound ? kRemoteIsn : isn_for(g.sport);
    std::string f;
    if (g.flags & kSyn) f += 'S';
    if (g.flags & kFin) f += 'F';
    if (g.flags & kRst) f += 'R';
    if (g.flags & kPsh) f += 'P';
    if (g.flags & kUrg) f += 'U';
    if (g.flags & kAck) f += '.';
    if (f.empty()) f = "-";
    const std::uint32_t s = g.seq - isn;
    std::string r = f + " " + std::to_string(s) + ":" + std::to_string(s + g.len) + "(" + std::to_string(g.len) + ")";
    if (g.flags & kAck) r += " ack " + std::to_string(g.ack - aisn);
    r += " win " + std::to_string(g.win);
    return r;
  }

  static std::string describe_script(const Segment& sg) {
    std::string r = sg.flags_text + " " + std::to_string(sg.seq_start) + ":" + std::to_string(sg.seq_end) + "(" +
                    std::to_string(sg.len) + ")";
    if (sg.ack) r += " ack " + std::to_string(*sg.ack);
    if (sg.win) r += " win " + std::to_string(*sg.win);
    if (sg.options) {
      r += " <";
      for (std::size_t i = 0; i < sg.options->size(); ++i) r += (i ? "," : "") + (*sg.options)[i].text;
      r += ">";
    }
    return r;
  }

  Time expect_outbound(const Line& ln, bool any, Time t, Time t_end) {
    const Segment& sg = ln.segment;
    const Time hi = any ? kNever : t_end + tol_;
    // Wait for the next segment the model sends: up to the end of the
    // window, or (to say when it came) a while past it.
    const Time limit = any ? sim_->now + kNoPacketWait : hi + sec(60);
    while (wire_.empty()) {
      if (!step_once(limit)) break;
      if (done_) return sim_->now;
    }
    if (wire_.empty()) {
      mismatch(ln, "error handling packet: timing error: expected outbound packet at " + secs(t) +
                       " sec but none was sent" + (any ? "" : " (waited until " + secs(std::min(limit, sim_->now)) + " sec)") +
                       "\nscript packet: " + secs(t) + " " + describe_script(sg));
      return sim_->now;
    }
    // Everything else the model sends at this instant reaches the wire too.
    if (!done_) run_until(sim_->now);
    if (done_) return sim_->now;
    Captured c = wire_.front();
    wire_.pop_front();
    tcpsim::Segment& g = c.seg;
    // packetdrill's tun device takes GSO: Linux hands it one large segment
    // where the model (and the wire) have several MSS-sized ones sent at the
    // same instant. Join those back while the script's line asks for more.
    int joined = 0;
    while (g.len < sg.len && !wire_.empty() && !(g.flags & (kSyn | kFin | kRst))) {
      const tcpsim::Segment& n = wire_.front().seg;
      if (wire_.front().t != c.t || n.seq != g.seq + g.len || n.ack != g.ack || n.dport != g.dport ||
          (n.flags & ~(kPsh | kFin)) != (g.flags & ~kPsh) || g.len + n.len > sg.len)
        break;
      g.len += n.len;
      g.flags |= n.flags & (kPsh | kFin);
      g.win = n.win;
      wire_.pop_front();
      ++joined;
    }
    if (joined) log("line " + std::to_string(ln.pos.line) + ": " + std::to_string(joined + 1) +
                    " segments sent at once joined into one, as packetdrill's GSO tun device would see them");
    log("line " + std::to_string(ln.pos.line) + ": > " + describe(g, true));
    note_options(ln, sg);
    auto fail = [&](const std::string& what) {
      mismatch(ln, "error handling packet: " + what + "\nscript packet:  " + secs(t) + " " + describe_script(sg) +
                       "\nactual packet:  " + secs(c.t) + " " + describe(g, true));
      res_.at = c.t;
    };
    // run_packet.c verify_outbound_live_packet(), shared with the kernel
    // player (tcpsim/packetdrill_verify.hpp).
    OutboundView got;
    got.t = c.t;
    got.flags = g.flags;
    got.sport = g.sport;
    got.dport = g.dport;
    got.seq = g.seq - isn_for(g.dport);
    got.ack = g.ack - kRemoteIsn;
    got.win = g.win;
    got.len = g.len;
    OutboundExpect want;
    want.script = &sg;
    want.flags = sg.flags;
    want.flag_mask = 0x3F;  // the model sends no ECE/CWR: the line's E and W are not compared
    want.t = t;
    want.t_end = t_end;
    want.any_time = any;
    want.tolerance = tol_;
    want.ports = false;  // not compared here (the kernel player compares them): the model uses the script's ports
    want.window = !(peer_wscale_ >= 0 && !(g.flags & kSyn));
    want.on_window_unchecked = [&] {
      if (win_noted_) return;
      win_noted_ = true;
      warn(sg.win_pos, "window not checked: the connection negotiated window scaling, which the model does not do");
    };
    if (auto what = check_outbound(got, want)) fail(*what);
    return c.t;
  }

  // ---- system calls ----
  [[noreturn]] void unsupported(const Line& ln, const SourcePos& p, const std::string& what) {
    throw Unsupported{p.line ? p.line : ln.pos.line, p.line ? p.col : ln.pos.col, what};
  }

  std::int64_t eval(const Line& ln, const Expr& e) {
    switch (e.kind) {
      case Expr::Kind::Integer: return e.integer;
      case Expr::Kind::Symbol: {
        if (e.text == "htons" && e.items.size() == 1) return eval(ln, e.items[0]);
        auto it = symbols().find(e.text);
        if (it == symbols().end()) unsupported(ln, e.pos, "symbol " + e.text + " is not known to tcpsim");
        return it->second;
      }
      case Expr::Kind::BitOr: {
        std::int64_t v = 0;
        for (const auto& x : e.items) v |= eval(ln, x);
        return v;
      }
      case Expr::Kind::List:
        if (e.items.size() == 1) return eval(ln, e.items[0]);  // [1]: a pointer to an int
        break;
      default:
        break;
    }
    unsupported(ln, e.pos, "expected a number here, found " + to_string(e));
  }

  const Expr& arg(const Line& ln, std::size_t i) {
    const Syscall& c = ln.syscall;
    if (i >= c.args.size())
      unsupported(ln, c.name_pos, c.name + "() needs at least " + std::to_string(i + 1) + " arguments");
    return c.args[i];
  }
  // Script descriptors are names: packetdrill maps the number a script
  // expects from socket()/accept() to the one the kernel returned
  // (run_system_call.c, to_live_fd()); numbers it never saw pass unchanged.
  int live_fd(std::int64_t script_fd) const {
    auto it = fdmap_.find(static_cast<int>(script_fd));
    return it == fdmap_.end() ? static_cast<int>(script_fd) : it->second;
  }
  int script_fd(int live) const {
    for (const auto& [sfd, lfd] : fdmap_)
      if (lfd == live) return sfd;
    return live;
  }
  int fd_arg(const Line& ln, std::size_t i) { return live_fd(eval(ln, arg(ln, i))); }

  Process& proc() { return sim_->procs[0]; }
  Sock* sock_of(int fd) { return sim_->sock_of_fd(proc(), fd); }

  // Starts a model call as a one-step thread of the local process.
  void start_step(const Line& ln, Step st, int fd, Time t, std::int64_t read_cap = -1) {
    st.on_error = OnError::Continue;
    st.loc.line = ln.pos.line;
    steps_.push_back(std::make_unique<std::vector<Step>>(1, std::move(st)));
    std::vector<std::pair<std::uint16_t, std::int32_t>> bind;
    if (fd >= 0) bind.emplace_back(sim_->intern("fd" + std::to_string(fd)), fd);
    Pending p;
    p.line = &ln;
    p.start = t;
    p.blocking_spec = ln.syscall.end_time.has_value();
    p.call_mark = sink_.calls.size();
    if (ln.syscall.name == "close") p.script_fd = close_script_fd_;
    p.read_cap = read_cap;
    if (fd >= 0)
      if (Sock* s = sock_of(fd)) p.read_sock = s->id;
    p.tid = sim_->new_thread(1, steps_.back().get(), bind);
    pending_ = p;
    sim_->make_runnable(p.tid);
    sim_->run_runnable();
    poll_pending();
  }

  void start_runner_call(const Line& ln, Time t, Time timeout) {
    Pending p;
    p.line = &ln;
    p.start = t;
    p.blocking_spec = ln.syscall.end_time.has_value();
    p.runner = true;
    p.deadline = timeout < 0 ? kNever : t + timeout;
    pending_ = p;
    // An engine event at the deadline, which no handler knows (Sim::step
    // ignores it), so that the clock stops there and the call times out.
    if (p.deadline != kNever) sim_->schedule(p.deadline, static_cast<QKind>(0x7F), 0);
    poll_pending();
  }

  // Checks whether the call in progress has returned (after every engine event).
  void poll_pending() {
    if (!pending_ || in_poll_) return;
    in_poll_ = true;
    Pending& p = *pending_;
    if (p.runner) {
      std::int64_t ret = 0;
      std::string ev;
      const bool ready = runner_ready(*p.line, &ret);
      if (ready || sim_->now >= p.deadline) {
        const Pending done = p;
        pending_.reset();
        complete(done, ret, 0);
      }
      in_poll_ = false;
      return;
    }
    const Thread& th = sim_->threads[p.tid];
    if (th.state == ThreadState::Done || sink_.calls.size() > p.call_mark) {
      if (sink_.calls.size() <= p.call_mark) {
        in_poll_ = false;
        return;  // finished without a call (cannot happen for one-step threads)
      }
      const Event e = sink_.calls[p.call_mark];
      const Pending done = p;
      pending_.reset();
      std::int64_t ret = e.ret;
      if (done.read_cap >= 0 && ret > done.read_cap) {
        // read(fd, buf, N) returns at most N bytes: the rest stays queued.
        Sock& s = sim_->sock(done.read_sock);
        s.rcv_read -= static_cast<std::uint64_t>(ret - done.read_cap);
        ret = done.read_cap;
      }
      complete(done, ret, e.err);
    }
    in_poll_ = false;
  }

  // epoll_wait / poll readiness (Linux tcp_poll via Sim::poll_mask).
  bool runner_ready(const Line& ln, std::int64_t* ret) {
    const Syscall& c = ln.syscall;
    if (c.name == "epoll_wait" || c.name == "epoll_pwait") {
      const int ep = fd_arg(ln, 0);
      const int maxev = static_cast<int>(eval(ln, arg(ln, 2)));
      auto it = epolls_.find(ep);
      int n = 0;
      ready_events_.clear();
      if (it != epolls_.end()) {
        for (auto& [fd, reg] : it->second) {
          Sock* s = sock_of(fd);
          if (!s) continue;
          const std::uint32_t mask = sim_->poll_mask(*s) & (reg.events | kPollErr | kPollHup);
          if (!mask) {
            reg.last = 0;
            continue;
          }
          if ((reg.events & kEpollEt) && mask == reg.last) continue;  // edge-triggered: nothing new
          if (n < maxev) {
            ready_events_.push_back({fd, mask});
            if (reg.events & kEpollEt) reg.last = mask;
            ++n;
          }
        }
      }
      *ret = n;
      return n > 0;
    }
    // poll([{fd=.., events=.., revents=..}, ...], nfds, timeout)
    const Expr& list = arg(ln, 0);
    int n = 0;
    ready_events_.clear();
    for (const auto& item : list.items) {
      if (item.kind != Expr::Kind::Struct) continue;
      int fd = -1;
      std::uint32_t events = 0;
      for (std::size_t i = 0; i < item.items.size() && i < item.names.size(); ++i) {
        if (item.names[i] == "fd") fd = live_fd(eval(ln, item.items[i]));
        if (item.names[i] == "events") events = static_cast<std::uint32_t>(eval(ln, item.items[i]));
      }
      Sock* s = sock_of(fd);
      const std::uint32_t mask = s ? sim_->poll_mask(*s) & (events | kPollErr | kPollHup) : kPollNval;
      ready_events_.push_back({fd, mask});
      if (mask) ++n;
    }
    *ret = n;
    return n > 0;
  }

  // A call returned: check it against its line (run_system_call.c).
  void complete(const Pending& p, std::int64_t ret, int err) {
    const Line& ln = *p.line;
    const Syscall& c = ln.syscall;
    const Time now = sim_->now;
    last_call_end_ = now;
    log("line " + std::to_string(ln.pos.line) + ": " + c.name + "() = " + std::to_string(ret) +
        (err ? std::string(" ") + (errno_name(err) ? errno_name(err) : "?") : ""));
    if (c.name == "accept" || c.name == "accept4") {
      if (ret >= 0)
        if (Sock* s = sock_of(static_cast<int>(ret))) {
          local_port_ = s->lport;
          remote_port_ = s->rport;
        }
    }
    const std::string rt = "runtime error in " + c.name + " call: ";
    const bool makes_fd = c.name == "socket" || c.name == "accept" || c.name == "accept4" ||
                          c.name == "epoll_create" || c.name == "epoll_create1";
    if (makes_fd && ret >= 0 && c.result.kind == Expr::Kind::Integer && c.result.integer >= 0) {
      fdmap_[static_cast<int>(c.result.integer)] = static_cast<int>(ret);
      ret = c.result.integer;
    }
    if (c.name == "close" && ret == 0 && p.script_fd >= 0) fdmap_.erase(p.script_fd);
    // Return value and errno.
    if (c.result.kind != Expr::Kind::Ellipsis) {
      const std::int64_t want = eval(ln, c.result);
      if (want != ret) {
        std::string got = "got " + std::to_string(ret);
        if (ret == -1 && err) got += " with errno " + std::to_string(err) + " (" + strerror_text(err) + ")";
        mismatch(ln, rt + "Expected result " + std::to_string(want) + " but " + got);
        return;
      }
    }
    if (!c.errno_name.empty() && ret == -1) {
      const char* an = errno_name(err);
      if (!an || c.errno_name != an) {
        mismatch(ln, rt + "Expected errno " + c.errno_name + " but got " + (an ? an : "no errno") + " (" +
                         std::to_string(err) + ")" + (err ? std::string(" (") + strerror_text(err) + ")" : ""));
        return;
      }
    }
    // Values returned through pointers / structs.
    check_out_values(ln);
    if (done_) return;
    // Timing: a blocking call must return at its end time; a call written
    // without one must not block.
    if (p.blocking_spec) {
      // run.c adjust_relative_event_times(): the end time of a blocking
      // call on a relative line moves by the same offset as its start.
      const TimeSpec& e = *c.end_time;
      Time endt = e.value;
      if (e.kind == TimeKind::Relative) endt = p.start + e.value;
      else if (ln.time->kind == TimeKind::Relative) endt = p.start - ln.time->value + e.value;
      if (now < endt - tol_ || now > endt + tol_)
        mismatch(ln, rt + "expected blocking call to return at " + secs(endt) + " sec but it returned at " +
                         secs(now) + " sec; tolerance " + secs(tol_) + " sec");
    } else if (now > p.start + tol_) {
      mismatch(ln, rt + "expected the call to return at once, at " + secs(p.start) +
                       " sec (no '...END' time on the line), but it blocked until " + secs(now) + " sec");
    }
    if (done_) res_.at = now;
  }

  void check_out_values(const Line& ln) {
    const Syscall& c = ln.syscall;
    auto cmp = [&](const char* what, std::int64_t want, std::int64_t got) {
      if (want != got)
        mismatch(ln, "runtime error in " + c.name + " call: Bad " + what + ": expected: " + std::to_string(want) +
                         " actual: " + std::to_string(got));
    };
    if (c.name == "epoll_wait" || c.name == "epoll_pwait" || c.name == "poll") {
      if (c.name == "poll") {
        const Expr& list = arg(ln, 0);
        std::size_t k = 0;
        for (const auto& item : list.items) {
          if (item.kind != Expr::Kind::Struct) continue;
          for (std::size_t i = 0; i < item.items.size() && i < item.names.size(); ++i)
            if (item.names[i] == "revents" && k < ready_events_.size() && item.items[i].kind != Expr::Kind::Ellipsis)
              cmp("revents", eval(ln, item.items[i]), ready_events_[k].second);
          ++k;
          if (done_) return;
        }
        return;
      }
      const Expr& evs = arg(ln, 1);
      std::vector<const Expr*> want;
      if (evs.kind == Expr::Kind::Struct) want.push_back(&evs);
      if (evs.kind == Expr::Kind::List)
        for (const auto& x : evs.items)
          if (x.kind == Expr::Kind::Struct) want.push_back(&x);
      for (std::size_t k = 0; k < want.size() && k < ready_events_.size(); ++k) {
        const Expr& w = *want[k];
        for (std::size_t i = 0; i < w.items.size() && i < w.names.size(); ++i) {
          if (w.items[i].kind == Expr::Kind::Ellipsis) continue;
          if (w.names[i] == "events") cmp("epoll events", eval(ln, w.items[i]), ready_events_[k].second);
          if (w.names[i] == "fd") cmp("epoll fd", eval(ln, w.items[i]), script_fd(ready_events_[k].first));
          if (done_) return;
        }
      }
    }
  }

  // Waits for the call in progress, if any (the next call, or the end of
  // the script, waits for it as packetdrill's syscall thread does).
  void finish_pending(Time limit) {
    while (pending_ && !done_) {
      if (!step_once(limit)) break;
    }
    if (pending_ && !done_) {
      const Line& ln = *pending_->line;
      mismatch(ln, "runtime error in " + ln.syscall.name + " call: the call never returned (it blocked from " +
                       secs(pending_->start) + " sec and nothing left in the model could wake it)");
    }
  }

  Time syscall(const Line& ln, Time t) {
    if (pending_) {
      finish_pending(kNever);
      if (done_) return sim_->now;
    }
    run_until(std::max(t, sim_->now));
    if (done_) return sim_->now;
    const Time at = sim_->now;
    const Syscall& c = ln.syscall;
    const std::string& n = c.name;
    if (n == "socket") {
      const std::int64_t type = eval(ln, arg(ln, 1));
      if ((type & 0xF) != 1) unsupported(ln, arg(ln, 1).pos, "socket(): only SOCK_STREAM (TCP) is supported");
      Step st;
      st.kind = StepKind::Socket;
      st.as = "new";
      start_step(ln, st, -1, at);
      nonblock_after_socket_ = (type & 0x800) != 0;
    } else if (n == "bind") {
      Step st;
      st.kind = StepKind::Bind;
      st.sock = "fd" + std::to_string(fd_arg(ln, 0));
      st.port = port_of(ln, 1, kScriptPort);
      start_step(ln, st, fd_arg(ln, 0), at);
    } else if (n == "listen") {
      Step st;
      st.kind = StepKind::Listen;
      st.sock = "fd" + std::to_string(fd_arg(ln, 0));
      st.backlog = static_cast<int>(eval(ln, arg(ln, 1)));
      start_step(ln, st, fd_arg(ln, 0), at);
    } else if (n == "accept" || n == "accept4") {
      Step st;
      st.kind = StepKind::Accept;
      st.sock = "fd" + std::to_string(fd_arg(ln, 0));
      st.as = "new";
      start_step(ln, st, fd_arg(ln, 0), at);
    } else if (n == "connect") {
      Step st;
      st.kind = StepKind::Connect;
      st.sock = "fd" + std::to_string(fd_arg(ln, 0));
      st.to_host = "remote";
      st.port = port_of(ln, 1, kScriptPort);
      start_step(ln, st, fd_arg(ln, 0), at);
    } else if ((n == "write" || n == "send" || n == "sendto" || n == "read" || n == "recv" || n == "recvfrom") &&
               arg(ln, 1).kind == Expr::Kind::Symbol && arg(ln, 1).text == "NULL" && eval(ln, arg(ln, 2)) > 0) {
      // A NULL buffer: copying from/to it faults (EFAULT) and nothing is
      // queued or consumed (tcp_sendmsg / tcp_recvmsg, skb_copy_datagram_msg).
      Pending p;
      p.line = &ln;
      p.start = at;
      if (!sock_of(fd_arg(ln, 0))) complete(p, -1, EBADF);
      else complete(p, -1, EFAULT);
    } else if (n == "write" || n == "send" || n == "sendto") {
      Step st;
      st.kind = StepKind::Send;
      st.sock = "fd" + std::to_string(fd_arg(ln, 0));
      st.bytes = static_cast<std::uint64_t>(eval(ln, arg(ln, 2)));
      if ((n == "send" || n == "sendto") && c.args.size() > 3) {
        const std::int64_t fl = eval(ln, arg(ln, 3));
        if (fl & ~0x4000ll) unsupported(ln, arg(ln, 3).pos, "send() flags other than MSG_NOSIGNAL are not modelled");
        st.nosignal = (fl & 0x4000) != 0;
      }
      start_step(ln, st, fd_arg(ln, 0), at);
    } else if (n == "read" || n == "recv" || n == "recvfrom") {
      const int fd = fd_arg(ln, 0);
      const std::int64_t cap = eval(ln, arg(ln, 2));
      if ((n == "recv" || n == "recvfrom") && c.args.size() > 3) {
        const std::int64_t fl = eval(ln, arg(ln, 3));
        if (fl != 0) unsupported(ln, arg(ln, 3).pos, "recv() flags are not modelled (only 0)");
      }
      Step st;
      st.kind = StepKind::Recv;
      st.sock = "fd" + std::to_string(fd);
      // read(fd, buf, N) takes at most N bytes: with data queued, the model's
      // Recv reads exactly min(N, queued), so that the window the read frees
      // (tcp_cleanup_rbuf()) is that of the partial read. With nothing queued
      // the call blocks, and the runner hands back what the model read past N
      // when it returns (read_cap).
      if (Sock* s = sock_of(fd); s && cap > 0 && s->rcv_buf() > 0)
        st.bytes = std::min<std::uint64_t>(static_cast<std::uint64_t>(cap), s->rcv_buf());
      start_step(ln, st, fd, at, cap);
    } else if (n == "close") {
      const int fd = fd_arg(ln, 0);
      close_script_fd_ = static_cast<int>(eval(ln, arg(ln, 0)));
      if (epolls_.count(fd)) {
        close_epoll(fd);
        Pending p;
        p.line = &ln;
        p.start = at;
        p.script_fd = close_script_fd_;
        complete(p, 0, 0);
      } else {
        Step st;
        st.kind = StepKind::Close;
        st.sock = "fd" + std::to_string(fd);
        start_step(ln, st, fd, at);
      }
    } else if (n == "shutdown") {
      Step st;
      st.kind = StepKind::Shutdown;
      st.sock = "fd" + std::to_string(fd_arg(ln, 0));
      const std::int64_t how = eval(ln, arg(ln, 1));
      st.how = how == 0 ? ShutHow::Rd : how == 1 ? ShutHow::Wr : ShutHow::RdWr;
      start_step(ln, st, fd_arg(ln, 0), at);
    } else if (n == "setsockopt") {
      setsockopt(ln, at);
    } else if (n == "getsockopt") {
      getsockopt(ln, at);
    } else if (n == "fcntl") {
      fcntl(ln, at);
    } else if (n == "ioctl") {
      const int fd = fd_arg(ln, 0);
      if (eval(ln, arg(ln, 1)) != 0x541B) unsupported(ln, arg(ln, 1).pos, "ioctl(): only FIONREAD / SIOCINQ is modelled");
      Sock* s = sock_of(fd);
      Pending p;
      p.line = &ln;
      p.start = at;
      if (!s) {
        complete(p, -1, EBADF);
      } else if (s->listening) {
        complete(p, -1, EINVAL);  // tcp_ioctl: SIOCINQ on a listener
      } else {
        const Expr& out = arg(ln, 2);
        if (out.kind != Expr::Kind::Ellipsis) {
          const std::int64_t want = eval(ln, out);
          if (want != static_cast<std::int64_t>(s->rcv_buf())) {
            mismatch(ln, "runtime error in ioctl call: Bad ioctl FIONREAD value: expected: " + std::to_string(want) +
                             " actual: " + std::to_string(s->rcv_buf()));
            return at;
          }
        }
        complete(p, 0, 0);
      }
    } else if (n == "epoll_create" || n == "epoll_create1") {
      const std::uint32_t id = sim_->new_socket(0, 1);
      const int fd = sim_->fd_alloc(proc(), id, false);
      epolls_[fd];
      epoll_socks_[fd] = id;
      Pending p;
      p.line = &ln;
      p.start = at;
      complete(p, fd, 0);
    } else if (n == "epoll_ctl") {
      const int ep = fd_arg(ln, 0);
      const std::int64_t op = eval(ln, arg(ln, 1));
      const int fd = fd_arg(ln, 2);
      Pending p;
      p.line = &ln;
      p.start = at;
      auto it = epolls_.find(ep);
      if (it == epolls_.end()) {
        complete(p, -1, EBADF);
        return sim_->now;
      }
      if (!sock_of(fd)) {
        complete(p, -1, EBADF);
        return sim_->now;
      }
      std::uint32_t events = 0;
      const Expr& ev = arg(ln, 3);
      if (ev.kind == Expr::Kind::Struct)
        for (std::size_t i = 0; i < ev.items.size() && i < ev.names.size(); ++i)
          if (ev.names[i] == "events") events = static_cast<std::uint32_t>(eval(ln, ev.items[i]));
      auto& set = it->second;
      if (op == 1) {  // ADD
        if (set.count(fd)) {
          complete(p, -1, EEXIST);
          return sim_->now;
        }
        set[fd] = EpollReg{events, 0};
      } else if (op == 3) {  // MOD
        if (!set.count(fd)) {
          complete(p, -1, ENOENT);
          return sim_->now;
        }
        set[fd] = EpollReg{events, 0};
      } else if (op == 2) {  // DEL
        if (!set.erase(fd)) {
          complete(p, -1, ENOENT);
          return sim_->now;
        }
      } else {
        complete(p, -1, EINVAL);
        return sim_->now;
      }
      complete(p, 0, 0);
    } else if (n == "epoll_wait" || n == "epoll_pwait") {
      const std::int64_t timeout_ms = eval(ln, arg(ln, 3));
      start_runner_call(ln, at, timeout_ms < 0 ? -1 : msec(timeout_ms));
    } else if (n == "poll") {
      const std::int64_t timeout_ms = eval(ln, arg(ln, 2));
      start_runner_call(ln, at, timeout_ms < 0 ? -1 : msec(timeout_ms));
    } else {
      unsupported(ln, c.name_pos, "system call " + n + "() is not supported by tcpsim (see docs/packetdrill.md)");
    }
    if (n == "socket" && !pending_ && nonblock_after_socket_) {
      nonblock_after_socket_ = false;
      const Event& e = sink_.calls.back();
      if (e.ret >= 0)
        if (Sock* s = sock_of(static_cast<int>(e.ret))) s->nonblock = true;
    }
    if (pending_ && !pending_->blocking_spec) {
      // Written without `...END`: the script waits for it (and reports
      // that it blocked).
      finish_pending(kNever);
    }
    if (pending_) return at;  // a blocking call runs on; the script goes on
    return sim_->now;
  }

  std::uint16_t port_of(const Line& ln, std::size_t i, std::uint16_t dflt) {
    const Syscall& c = ln.syscall;
    if (i >= c.args.size()) return dflt;
    const Expr& a = c.args[i];
    if (a.kind == Expr::Kind::Struct)
      for (std::size_t k = 0; k < a.items.size() && k < a.names.size(); ++k)
        if (a.names[k] == "sin_port") return static_cast<std::uint16_t>(eval(ln, a.items[k]));
    return dflt;
  }

  void setsockopt(const Line& ln, Time at) {
    const int fd = fd_arg(ln, 0);
    const std::int64_t level = eval(ln, arg(ln, 1));
    const std::int64_t opt = eval(ln, arg(ln, 2));
    const Expr& val = arg(ln, 3);
    Step st;
    st.kind = StepKind::SetSockOpt;
    st.sock = "fd" + std::to_string(fd);
    if (level == 1 && opt == 13) {  // SO_LINGER {onoff=1, linger=0}
      if (val.kind != Expr::Kind::Struct || val.items.size() != 2)
        unsupported(ln, val.pos, "SO_LINGER needs {onoff=N, linger=N}");
      st.opt = SockOpt::Linger;
      st.on = eval(ln, val.items[0]) != 0;
      st.value = eval(ln, val.items[1]);
    } else {
      const std::int64_t v = eval(ln, val);
      st.on = v != 0;
      st.value = v;
      if (level == 1 && opt == 2) {
        st.opt = SockOpt::ReuseAddr;
      } else if (level == 1 && opt == 9) {
        st.opt = SockOpt::KeepAlive;
      } else if (level == 6 && opt == 1) {
        st.opt = SockOpt::NoDelay;
      } else if (level == 1 && opt == 8) {
        st.opt = SockOpt::RcvBuf;
      } else {
        // Not modelled: the call succeeds and changes nothing.
        warn(ln.pos, "setsockopt option " + to_string(arg(ln, 2)) +
                         " is not modelled: the call returns 0 and the model goes on without it");
        Pending p;
        p.line = &ln;
        p.start = at;
        complete(p, sock_of(fd) ? 0 : -1, sock_of(fd) ? 0 : EBADF);
        return;
      }
    }
    start_step(ln, st, fd, at);
  }

  void getsockopt(const Line& ln, Time at) {
    const int fd = fd_arg(ln, 0);
    const std::int64_t level = eval(ln, arg(ln, 1));
    const std::int64_t opt = eval(ln, arg(ln, 2));
    Pending p;
    p.line = &ln;
    p.start = at;
    Sock* s = sock_of(fd);
    if (!s) {
      complete(p, -1, EBADF);
      return;
    }
    std::int64_t got = 0;
    if (level == 1 && opt == 4) {  // SO_ERROR: reads and clears sk_err (sock_error())
      got = s->err;
      s->err = 0;
    } else if (level == 1 && opt == 2) {
      got = s->reuseaddr;
    } else if (level == 1 && opt == 9) {
      got = s->keepalive;
    } else if (level == 6 && opt == 1) {
      got = s->nodelay;
    } else {
      unsupported(ln, arg(ln, 2).pos, "getsockopt option " + to_string(arg(ln, 2)) + " is not modelled");
    }
    const Expr& out = arg(ln, 3);
    if (out.kind != Expr::Kind::Ellipsis) {
      const std::int64_t want = eval(ln, out);
      if (want != got) {
        mismatch(ln, "runtime error in getsockopt call: Bad getsockopt optval: expected: " + std::to_string(want) +
                         " actual: " + std::to_string(got));
        return;
      }
    }
    complete(p, 0, 0);
  }

  void fcntl(const Line& ln, Time at) {
    const int fd = fd_arg(ln, 0);
    const std::int64_t cmd = eval(ln, arg(ln, 1));
    Sock* s = sock_of(fd);
    Pending p;
    p.line = &ln;
    p.start = at;
    if (cmd == 3) {  // F_GETFL
      if (!s) return complete(p, -1, EBADF);
      return complete(p, 2 | (s->nonblock ? 0x800 : 0), 0);
    }
    if (cmd == 1) {  // F_GETFD
      if (!s) return complete(p, -1, EBADF);
      return complete(p, proc().fds[fd].cloexec ? 1 : 0, 0);
    }
    if (cmd == 4 || cmd == 2) {
      Step st;
      st.kind = StepKind::SetSockOpt;
      st.sock = "fd" + std::to_string(fd);
      const std::int64_t v = eval(ln, arg(ln, 2));
      st.opt = cmd == 4 ? SockOpt::NonBlock : SockOpt::CloExec;
      st.on = cmd == 4 ? (v & 0x800) != 0 : (v & 1) != 0;
      return start_step(ln, st, fd, at);
    }
    unsupported(ln, arg(ln, 1).pos, "fcntl command " + to_string(arg(ln, 1)) + " is not modelled");
  }

  void close_epoll(int fd) {
    Process& p = proc();
    const std::uint32_t id = epoll_socks_[fd];
    p.fds[fd] = FdEntry{};
    if (static_cast<std::size_t>(fd) < p.fd_hint) p.fd_hint = static_cast<std::size_t>(fd);
    --sim_->fds_open;
    --sim_->sock(id).fd_refs;
    epolls_.erase(fd);
    epoll_socks_.erase(fd);
  }

  struct EpollReg {
    std::uint32_t events = 0;
    std::uint32_t last = 0;  // EPOLLET: the mask last reported
  };

  const Script& sc_;
  const RunConfig& cfg_;
  RunResult& res_;
  RunSink sink_;
  std::unique_ptr<Sim> sim_;
  Time tol_ = 4000;
  bool done_ = false;
  bool timestamps_ = true;  // net.ipv4.tcp_timestamps (its MSS cost only)
  std::deque<Captured> wire_;
  std::map<std::uint16_t, std::uint32_t> isn_;  // remote port -> the model's ISN on that connection
  std::uint32_t isn_for(std::uint16_t rport) const {
    auto it = isn_.find(rport);
    return it == isn_.end() ? 0 : it->second;
  }
  std::uint16_t local_port_ = kScriptPort;
  std::uint16_t remote_port_ = kRemoteEphemeral;
  std::optional<Pending> pending_;
  bool in_poll_ = false;
  bool win_noted_ = false;
  bool nonblock_after_socket_ = false;
  Time last_call_end_ = 0;
  std::vector<std::unique_ptr<std::vector<Step>>> steps_;
  std::map<int, std::map<int, EpollReg>> epolls_;
  std::map<int, std::uint32_t> epoll_socks_;
  std::map<int, int> fdmap_;  // script fd -> live fd
  int close_script_fd_ = -1;
  int peer_wscale_ = -1;      // the shift in the peer's SYN (-1: none)
  std::vector<std::pair<int, std::uint32_t>> ready_events_;
};

}  // namespace

RunResult run_packetdrill(const Script& script, const RunConfig& config) {
  RunResult res;
  try {
    Runner r(script, config, res);
    r.run();
  } catch (const Unsupported& u) {
    res.status = RunResult::Status::Unsupported;
    res.line = u.line;
    res.message = script.file + ":" + std::to_string(u.line) + ":" + std::to_string(u.col) + ": not supported: " + u.what;
  }
  return res;
}

}  // namespace tcpsim::packetdrill
