// tcpsim — one host's side of a run written as a packetdrill script
// (packetdrill_writer.hpp, issue #16 point 3).
//
// Read first: google/packetdrill's parser.y (the line shapes written here)
// and run.c adjust_relative_event_times(): a `+T` time counts from the
// previous line, and the end of a blocking call (`+A...B`) counts from the
// same base as its start.
//
// What the script holds, in time order:
//  - the host's calls at the time they began (a call that blocked is written
//    `+A...B name(...)` with B its return time), with the return value and,
//    for a failure, the errno and its strerror() text as packetdrill wants;
//  - `<` the segments delivered to the host (at their arrival time: the link
//    delay and any fault are already in it; a segment the wire lost is not
//    written, since the host never saw it);
//  - `>` the segments the host sent (at the time they left, lost or not);
// sequence numbers relative to each side's ISN (SYN at 0, first byte at 1),
// the window as sent, and `<mss N>` on SYNs (the model's segment size).
#include "tcpsim/packetdrill_writer.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <sstream>

namespace tcpsim::packetdrill {

namespace {

struct Refused {
  std::string why;
};

// "0.0015" from 1500 us; "0" for zero (packetdrill reads both as seconds).
std::string seconds(Time us) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%lld.%06lld", us < 0 ? "-" : "",
                static_cast<long long>(std::llabs(us) / 1000000),
                static_cast<long long>(std::llabs(us) % 1000000));
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s.empty() ? "0" : s;
}

// The number after "fd=" in the trace's call arguments ("fd=3, 100 bytes").
long arg_number(const std::string& args, const std::string& key) {
  auto p = args.find(key);
  if (p == std::string::npos) return -1;
  return std::strtol(args.c_str() + p + key.size(), nullptr, 10);
}

std::string result_text(const Event& e) {
  if (e.ret >= 0 || e.err == 0) return std::to_string(e.ret);
  const char* name = errno_name(e.err);
  if (!name) throw Refused{"a " + e.call + "() failed with errno " + std::to_string(e.err) +
                           ", which has no name packetdrill knows"};
  // parser.y opt_errno: the errno macro must be followed by a (note).
  return "-1 " + std::string(name) + " (" + std::strerror(e.err) + ")";
}

struct Line {
  Time t = 0;        // when it starts
  Time end = -1;     // blocking call: when it returned
  long order = 0;    // ties at the same time: where it happened in the trace (see call_order)
  std::string text;  // without the time
};

// epoll_ctl's event mask in packetdrill's names (Linux values, as EpollSpec
// holds them; the model's default is EPOLLIN|EPOLLRDHUP).
std::string epoll_events_text(const EpollSpec& ep) {
  static const std::pair<std::uint32_t, const char*> names[] = {
      {0x001, "EPOLLIN"},     {0x002, "EPOLLPRI"},    {0x004, "EPOLLOUT"},  {0x008, "EPOLLERR"},
      {0x010, "EPOLLHUP"},    {0x040, "EPOLLRDNORM"}, {0x080, "EPOLLRDBAND"}, {0x100, "EPOLLWRNORM"},
      {0x200, "EPOLLWRBAND"}, {0x2000, "EPOLLRDHUP"}};
  const std::uint32_t m = ep.events ? ep.events : 0x001 | 0x2000;
  std::string s;
  std::uint32_t known = 0;
  for (const auto& [bit, n] : names) {
    known |= bit;
    if (m & bit) s += (s.empty() ? "" : "|") + std::string(n);
  }
  if (m & ~known) throw Refused{"the epoll loop asks for events 0x" + std::to_string(m) + ", not all of "
                                "which have a packetdrill name"};
  if (ep.edge) s += (s.empty() ? "" : "|") + std::string("EPOLLET");
  return s.empty() ? "0" : s;
}

// The steps of a script that packetdrill cannot express.
void check_steps(const std::vector<Step>& steps, const std::string& where, const EpollSpec** epoll,
                 bool in_loop = false) {
  for (const auto& st : steps) {
    switch (st.kind) {
      case StepKind::Fork:
      case StepKind::Exec:
      case StepKind::Spawn:
      case StepKind::Dup:
        throw Refused{where + ": " + st.loc.str() + ": '" + step_kind_name(st.kind) +
                      "' makes more than one descriptor or process for the socket; a packetdrill "
                      "script has one process and one socket under test"};
      case StepKind::Epoll:
        // Written as the calls the loop made (see epoll_lines): one
        // epoll_create + epoll_ctl, then each epoll_wait and read as traced.
        if (in_loop)
          throw Refused{where + ": " + st.loc.str() + ": an epoll loop inside a 'loop' step (each turn "
                        "would need its own epoll_ctl registration)"};
        if (*epoll)
          throw Refused{where + ": " + st.loc.str() + ": a second epoll loop in the same process (the "
                        "writer registers one socket in one epoll instance)"};
        *epoll = &st.epoll;
        break;
      case StepKind::Loop:
        if (st.concurrent) throw Refused{where + ": " + st.loc.str() + ": a loop of threads"};
        check_steps(st.body, where, epoll, true);
        break;
      case StepKind::SetSockOpt:
        if (st.opt == SockOpt::RcvBuf)
          throw Refused{where + ": " + st.loc.str() + ": SO_RCVBUF is recorded but not modelled, so "
                        "the script's window would not follow it"};
        if (st.opt >= SockOpt::KeepIdle)
          throw Refused{where + ": " + st.loc.str() + ": this socket option is not written for "
                        "packetdrill yet"};
        break;
      case StepKind::GetSockOpt:
        throw Refused{where + ": " + st.loc.str() + ": getsockopt is not written for packetdrill yet"};
      default:
        break;
    }
  }
}

}  // namespace

WriteResult write_packetdrill(const Scenario& sc, const Trace& tr, const std::string& host,
                              const WriteOptions& wo) {
  WriteResult res;
  try {
    // ---- the host, its one process, its one connection ----
    int hi = -1;
    for (std::size_t i = 0; i < tr.meta.hosts.size(); ++i)
      if (tr.meta.hosts[i].name == host) hi = static_cast<int>(i);
    if (hi < 0) {
      std::string names;
      for (const auto& h : tr.meta.hosts) names += (names.empty() ? "" : ", ") + h.name;
      throw Refused{"no host '" + host + "' in this scenario (expected one of: " + names + ")"};
    }
    const HostSpec* hs = sc.host(host);
    const std::uint32_t lip = tr.meta.hosts[hi].ip;
    std::vector<const ProcessSpec*> procs;
    for (const auto& p : sc.processes)
      if (p.host == host) procs.push_back(&p);
    if (procs.size() != 1)
      throw Refused{"host '" + host + "' runs " + std::to_string(procs.size()) +
                    " processes; a packetdrill script plays exactly one (choose a host with one process)"};
    const ProcessSpec& proc = *procs.front();
    if (proc.fd_limit != ProcessSpec{}.fd_limit)
      throw Refused{"process '" + proc.name + "' has fd_limit " + std::to_string(proc.fd_limit) +
                    "; a packetdrill script cannot set RLIMIT_NOFILE"};
    const EpollSpec* epoll = nullptr;  // the process's one epoll loop, if any
    check_steps(proc.script, "process '" + proc.name + "'", &epoll);
    for (const auto& f : sc.faults)
      if ((f.kind == FaultKind::Crash || f.kind == FaultKind::Reboot) && f.host == host)
        throw Refused{f.loc.str() + ": host '" + host + "' crashes; packetdrill cannot crash the "
                      "kernel under test"};
    for (const auto& f : sc.faults)
      if (f.kind == FaultKind::Sysctl && f.host == host)
        throw Refused{f.loc.str() + ": host '" + host + "' changes sysctls while it runs; the "
                      "packetdrill writer does not write timed sysctl lines yet"};
    Sysctls def;
    if (hs) {
      const Sysctls& y = hs->sysctls;
      if (y.time_wait != def.time_wait || y.rto_min != def.rto_min || y.rto_initial != def.rto_initial ||
          y.rto_max != def.rto_max || y.delack_min != def.delack_min || y.mss != def.mss ||
          y.rcvbuf != def.rcvbuf || y.sndbuf != def.sndbuf)
        throw Refused{"host '" + host + "' changes a model-only setting (TIME_WAIT length, RTO "
                      "bounds, delayed ACK, MSS or buffers) that no sysctl sets on Linux"};
      if (hs->profile != Profile::Linux)
        throw Refused{"host '" + host + "' uses the rfc9293 profile; a packetdrill script runs "
                      "against Linux (run `tcpsim packetdrill --profile rfc9293` on a linux export instead)"};
    }
    std::set<std::uint32_t> conns, listeners;
    std::int32_t pid = 0;
    for (const auto& p : tr.meta.processes)
      if (p.name == proc.name) pid = p.pid;
    for (const auto& s : tr.meta.sockets) {
      if (s.host != hi) continue;
      if (s.pid != 0 && s.pid != pid)
        throw Refused{"socket " + s.label + " belongs to another process"};
    }
    for (const auto& e : tr.events) {
      if (e.host != hi || e.kind != EventKind::State || !e.sock) continue;
      if (e.to == TcpState::Listen) listeners.insert(e.sock);
      else if (!listeners.count(e.sock)) conns.insert(e.sock);
    }
    if (listeners.size() > 1) throw Refused{"host '" + host + "' listens on more than one socket"};
    if (conns.size() > 1)
      throw Refused{"host '" + host + "' has " + std::to_string(conns.size()) +
                    " connections; a packetdrill script tests one socket (choose a scenario or host "
                    "with a single connection)"};
    const std::uint32_t conn = conns.empty() ? 0 : *conns.begin();

    // ---- the peer and the ISNs ----
    std::uint32_t rip = 0;
    std::uint16_t lport = 0, rport = 0;
    // The ISNs by local port: one pair per connection attempt (a second
    // connect() on the same socket leaves from a new port, see below).
    std::map<std::uint16_t, std::uint32_t> local_isns, remote_isns;
    std::set<std::uint16_t> retired;  // local ports of earlier connect() attempts
    for (const auto& e : tr.events) {
      if (e.kind != EventKind::Segment) continue;
      const Segment& g = e.seg;
      const bool out = e.seg_op == SegOp::Send && g.src_ip == lip;
      const bool in = e.seg_op == SegOp::Deliver && g.dst_ip == lip && e.host == hi;
      if (!out && !in) continue;
      const std::uint32_t peer = out ? g.dst_ip : g.src_ip;
      const std::uint16_t lp = out ? g.sport : g.dport, rp = out ? g.dport : g.sport;
      if (rip == 0) {
        rip = peer;
        lport = lp;
        rport = rp;
      } else if (out && lp != lport && peer == rip && rp == rport && (g.flags & kSyn) &&
                 !(g.flags & kAck) && !retired.count(lp)) {
        // connect() again on the same socket (after ECONNREFUSED): Linux
        // binds a new ephemeral port (inet_hash_connect()), and packetdrill
        // takes the local port of a connect()ing socket from its latest SYN
        // (run_packet.c find_connect_for_live_packet()), as the model's
        // runner does. The earlier attempt must be over: no segment of it
        // may follow.
        retired.insert(lport);
        lport = lp;
      } else if (peer != rip || lp != lport || rp != rport) {
        throw Refused{"host '" + host + "' exchanges segments on more than one connection (" +
                      endpoint_string(lip, lport) + "<->" + endpoint_string(rip, rport) + " and " +
                      endpoint_string(lip, lp) + "<->" + endpoint_string(peer, rp) +
                      "); a packetdrill script has one remote"};
      }
      if (out && (g.flags & kSyn) && !local_isns.count(lp)) local_isns[lp] = g.seq;
      if (in && (g.flags & kSyn) && !remote_isns.count(lp)) remote_isns[lp] = g.seq;
    }

    // ---- the lines ----
    std::vector<Line> lines;
    std::map<int, bool> open_fds;  // descriptors the process holds
    int epoll_fd = -1;             // the epoll instance, once written
    bool started = false;
    Time exit_time = -1;
    long exit_order = 0;
    // A call is traced when it returns; its line goes where it began: before
    // the segments it made at its start time, after the segments that reached
    // the host at that time before it (and after the previous call).
    auto delivered_here = [&](const Event& x) {
      return x.kind == EventKind::Segment && x.seg_op == SegOp::Deliver && x.seg.dst_ip == lip && x.host == hi;
    };
    auto call_order = [&](std::size_t i) -> long {
      const Time start = tr.events[i].start;
      std::size_t j = i;
      while (j > 0) {
        const Event& x = tr.events[j - 1];
        if (x.t < start) break;
        if (x.t == start && (delivered_here(x) || (x.kind == EventKind::Call && x.pid == pid))) break;
        --j;
      }
      return 2 * static_cast<long>(j) - 1;
    };
    for (std::size_t ei = 0; ei < tr.events.size(); ++ei) {
      const Event& e = tr.events[ei];
      const long order = 2 * static_cast<long>(ei);
      if (e.kind == EventKind::Process && e.pid == pid) {
        if (e.proc_op == ProcOp::Killed)
          throw Refused{"process '" + proc.name + "' is killed by a signal at " + format_time(e.t) +
                        "; packetdrill cannot express a death by signal"};
        if (e.proc_op == ProcOp::Exit) {
          exit_time = e.t;
          exit_order = order;
        }
        continue;
      }
      if (e.kind == EventKind::Call && e.pid == pid) {
        started = true;
        Line l;
        l.t = e.start;
        l.end = e.t > e.start ? e.t : -1;
        l.order = call_order(ei);
        const long fd = arg_number(e.args, "fd=");
        const std::string res_s = result_text(e);
        const std::string c = e.call;
        if ((c == "socket" || c == "accept") && epoll_fd >= 0 && e.ret == epoll_fd)
          throw Refused{c + "() at " + format_time(e.t) + " returns descriptor " + std::to_string(e.ret) +
                        " in the model, which the epoll instance written before it holds on Linux"};
        if (c == "epoll_wait") {
          // The model's epoll step (socket_api.cpp StepKind::Epoll) traces
          // each wake-up, not the setup: the instance is created and the
          // socket registered when the loop begins, as its code would do.
          // Linux gives epoll_create() the lowest free descriptor (__alloc_fd()).
          if (!epoll) throw Refused{"epoll_wait() at " + format_time(e.t) + " without an epoll step"};
          if (e.ret < 0)
            throw Refused{"epoll_wait() at " + format_time(e.t) + " fails in the model (" + e.args +
                          "); on Linux the loop's socket would not be registered at all"};
          if (epoll_fd < 0) {
            epoll_fd = 3;
            while (open_fds.count(epoll_fd)) ++epoll_fd;
            open_fds[epoll_fd] = true;
            Line a = l;
            a.end = -1;
            a.text = "epoll_create(1) = " + std::to_string(epoll_fd);
            lines.push_back(a);
            a.text = "epoll_ctl(" + std::to_string(epoll_fd) + ", EPOLL_CTL_ADD, " + std::to_string(fd) +
                     ", {events=" + epoll_events_text(*epoll) + ", fd=" + std::to_string(fd) + "}) = 0";
            lines.push_back(a);
          }
          const std::string timeout =
              epoll->timeout > 0 ? std::to_string(epoll->timeout / 1000) : std::string("-1");
          std::string evs = "...";
          if (e.ret > 0) {
            const auto p = e.args.find("events=");
            if (p == std::string::npos)
              throw Refused{"epoll_wait() at " + format_time(e.t) + " returns " + std::to_string(e.ret) +
                            " without the events it reported"};
            const auto q = e.args.find(',', p);
            evs = "{events=" + e.args.substr(p + 7, q == std::string::npos ? std::string::npos : q - p - 7) +
                  ", fd=" + std::to_string(fd) + "}";
          }
          l.text = "epoll_wait(" + std::to_string(epoll_fd) + ", " + evs + ", 1, " + timeout + ") = " + res_s;
        } else if (c == "socket") {
          l.text = "socket(..., SOCK_STREAM, IPPROTO_TCP) = " + res_s;
          if (e.ret >= 0) open_fds[static_cast<int>(e.ret)] = true;
        } else if (c == "bind") {
          l.text = "bind(" + std::to_string(fd) + ", ..., ...) = " + res_s;
        } else if (c == "listen") {
          long backlog = arg_number(e.args, "backlog ");
          l.text = "listen(" + std::to_string(fd) + ", " + std::to_string(backlog < 0 ? 1 : backlog) +
                   ") = " + res_s;
        } else if (c == "accept") {
          l.text = "accept(" + std::to_string(fd) + ", ..., ...) = " + res_s;
          if (e.ret >= 0) open_fds[static_cast<int>(e.ret)] = true;
        } else if (c == "connect") {
          l.text = "connect(" + std::to_string(fd) + ", ..., ...) = " + res_s;
        } else if (c == "send") {
          long n = arg_number(e.args, ", ");
          if (n < 0) n = e.ret > 0 ? e.ret : 1;
          l.text = "write(" + std::to_string(fd) + ", ..., " + std::to_string(n) + ") = " + res_s;
        } else if (c == "recv") {
          const long n = e.ret > 0 ? static_cast<long>(e.ret) : 1000;
          l.text = "read(" + std::to_string(fd) + ", ..., " + std::to_string(n) + ") = " + res_s;
        } else if (c == "shutdown") {
          const auto p = e.args.find("SHUT_");
          l.text = "shutdown(" + std::to_string(fd) + ", " +
                   (p == std::string::npos ? std::string("SHUT_WR") : e.args.substr(p)) + ") = " + res_s;
        } else if (c == "close") {
          int cfd = static_cast<int>(fd);
          if (cfd < 0) {  // a lingering close() reports "SO_LINGER N s": the fd it began with
            throw Refused{"a lingering close() (SO_LINGER with a timeout) at " + format_time(e.t) +
                          " is not written yet"};
          }
          l.text = "close(" + std::to_string(cfd) + ") = " + res_s;
          open_fds.erase(cfd);
        } else if (c == "setsockopt") {
          std::string a;
          if (e.args.find("SO_LINGER") != std::string::npos) {
            const bool on = e.args.find("{on") != std::string::npos;
            const long secs = arg_number(e.args, on ? "{on, " : "{off, ");
            a = "SOL_SOCKET, SO_LINGER, {l_onoff=" + std::string(on ? "1" : "0") +
                ", l_linger=" + std::to_string(secs < 0 ? 0 : secs) + "}, 8";
          } else {
            static const char* opts[][2] = {{"SO_REUSEADDR", "SOL_SOCKET"},
                                            {"SO_KEEPALIVE", "SOL_SOCKET"},
                                            {"TCP_NODELAY", "IPPROTO_TCP"}};
            for (const auto& o : opts)
              if (e.args.find(o[0]) != std::string::npos) {
                const long v = arg_number(e.args, std::string(o[0]) + " ");
                a = std::string(o[1]) + ", " + o[0] + ", [" + std::to_string(v) + "], 4";
              }
            if (a.empty()) throw Refused{"setsockopt(" + e.args + ") has no packetdrill form here"};
          }
          l.text = "setsockopt(" + std::to_string(fd) + ", " + a + ") = " + res_s;
        } else if (c == "fcntl") {
          if (e.args.find("O_NONBLOCK") != std::string::npos) {
            const bool on = e.args.find("O_NONBLOCK 1") != std::string::npos;
            l.text = "fcntl(" + std::to_string(fd) + ", F_SETFL, " +
                     (on ? "O_RDWR|O_NONBLOCK" : "O_RDWR") + ") = " + res_s;
          } else {
            const bool on = e.args.find("FD_CLOEXEC 1") != std::string::npos;
            l.text = "fcntl(" + std::to_string(fd) + ", F_SETFD, " + (on ? "FD_CLOEXEC" : "0") +
                     ") = " + res_s;
          }
        } else if (c == "signal") {
          continue;  // SIGPIPE disposition: packetdrill's own; a kill is refused above
        } else if (c == "exit") {
          continue;  // its descriptors are closed below, as exit() does
        } else {
          throw Refused{"process '" + proc.name + "' calls " + c + "() at " + format_time(e.t) +
                        ", which is not written as a packetdrill line"};
        }
        lines.push_back(l);
        continue;
      }
      if (e.kind == EventKind::Segment) {
        const Segment& g = e.seg;
        const bool out = e.seg_op == SegOp::Send && g.src_ip == lip;
        const bool in = e.seg_op == SegOp::Deliver && g.dst_ip == lip && e.host == hi;
        if (!out && !in) continue;
        if (out && e.text.rfind("injected", 0) == 0)  // scenario fault `inject:`, spoofed as this host
          throw Refused{"the segment injected at " + format_time(e.t) + " carries host '" + host +
                        "''s address, but its TCP never sends it; a packetdrill script has no such line"};
        if (!started)
          throw Refused{"a segment " + std::string(out ? "leaves" : "reaches") + " host '" + host +
                        "' at " + format_time(e.t) + " before its process makes any call"};
        const std::uint16_t seg_lport = out ? g.sport : g.dport;
        auto isn_of = [&](const std::map<std::uint16_t, std::uint32_t>& m) -> std::optional<std::uint32_t> {
          auto it = m.find(seg_lport);
          if (it == m.end()) return std::nullopt;
          return it->second;
        };
        const std::optional<std::uint32_t> own_isn = isn_of(out ? local_isns : remote_isns);
        const std::optional<std::uint32_t> other_isn = isn_of(out ? remote_isns : local_isns);
        // The RST that refuses a SYN (RFC 9293 §3.10.7.1 <SEQ=0><ACK=SEG.SEQ+SEG.LEN>)
        // comes from a side that sent no SYN: its sequence number is written
        // as sent (0), which packetdrill adds to its remote ISN; Linux in
        // SYN_SENT checks only the ACK of such an RST (tcp_rcv_synsent_state_process()).
        const bool refusal = in && !own_isn && (g.flags & kRst) && (g.flags & kAck) && g.seq == 0;
        if (!own_isn && !refusal)
          throw Refused{"the " + std::string(out ? "local" : "remote") + " side's segment at " +
                        format_time(e.t) + " comes before any SYN of its own, so it has no "
                        "sequence number relative to an ISN"};
        const std::uint32_t seq = own_isn ? g.seq - *own_isn : g.seq;
        std::string s = std::string(out ? "> " : "< ") + flags_string(g.flags) + " " + std::to_string(seq) +
                        ":" + std::to_string(seq + g.len) + "(" + std::to_string(g.len) + ")";
        if (g.flags & kAck) {
          if (!other_isn)
            throw Refused{"the segment at " + format_time(e.t) + " acknowledges a sequence number "
                          "before the other side's SYN was seen"};
          s += " ack " + std::to_string(g.ack - *other_isn);
        }
        if (!(out && wo.for_kernel)) s += " win " + std::to_string(g.win);
        if ((g.flags & kSyn) && out && wo.for_kernel) {
          s += " <...>";
        } else if (g.flags & kSyn) {
          const HostSpec* sender = nullptr;
          for (const auto& h : sc.hosts)
            if (h.ip == g.src_ip) sender = &h;
          s += " <mss " + std::to_string(sender ? sender->sysctls.mss : def.mss) + ">";
        }
        Line l;
        l.t = e.t;
        l.order = order;
        l.text = s;
        lines.push_back(l);
        continue;
      }
    }
    if (!started) throw Refused{"process '" + proc.name + "' makes no call"};
    if (exit_time >= 0)
      for (const auto& [fd, open] : open_fds) {
        if (!open) continue;
        Line l;
        l.t = exit_time;
        l.order = exit_order;
        l.text = "close(" + std::to_string(fd) + ") = 0";
        lines.push_back(l);
      }
    (void)conn;
    std::stable_sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) {
      return a.t != b.t ? a.t < b.t : a.order < b.order;
    });

    // ---- the text ----
    std::ostringstream o;
    o << "// " << sc.name << ": host " << host << " (" << ip_string(lip) << ") as the kernel under test,\n"
      << "// written by tcpsim export --packetdrill from the model's run (seed " << sc.seed << ")"
      << (wo.for_kernel ? ";\n// the host's own windows and SYN options are left unchecked (--packetdrill-for-kernel).\n" : ".\n")
      << "// Play it: tcpsim packetdrill FILE (the model) or tcpsim packetdrill FILE --kernel (Linux).\n";
    if (hs)
      for (const auto& [key, value] : hs->sysctl_overrides) {
        std::string v = value;
        if (!v.empty() && !std::isdigit(static_cast<unsigned char>(v.back())) &&
            v.find(' ') == std::string::npos)
          if (auto d = parse_duration(v)) v = std::to_string(*d / 1000000);
        if (v.find(' ') != std::string::npos) v = "\"" + v + "\"";
        o << "`sysctl -q " << key << "=" << v << "`\n";
      }
    o << "\n";
    const Time t0 = lines.front().t;
    Time prev = t0;
    bool first = true;
    for (const auto& l : lines) {
      std::string when = first ? seconds(l.t - t0) : "+" + seconds(l.t - prev);
      if (l.end >= 0) when += "..." + seconds(l.end - (first ? t0 : prev));
      o << when << " " << l.text << "\n";
      prev = l.t;
      first = false;
    }
    res.ok = true;
    res.script = o.str();
  } catch (const Refused& r) {
    res.error = r.why;
  }
  return res;
}

}  // namespace tcpsim::packetdrill
