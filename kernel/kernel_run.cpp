// tcpsim::kernel — kernel_run(): a scenario on the real kernel (kernel_run.hpp).
//
// Order of a run: namespaces and TUN devices (Lab::setup), the scenario
// processes are forked and wait for t0, the tracer, samplers and wire start,
// t0 is sent, the runner collects reports until the stop condition, then
// stops the wire (nothing after the stop time is recorded), kills the
// processes, tears the lab down and turns what it saw into trace events.
#include "kernel_run.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <thread>
#include <tuple>

#include "lab.hpp"
#include "stall_watch.hpp"
#include "report.hpp"
#include "script_runner.hpp"

namespace tcpsim::kernel {

namespace {

TcpState to_tcp_state(int linux_state) {
  switch (linux_state) {
    case 1: return TcpState::Established;
    case 2: return TcpState::SynSent;
    case 3: return TcpState::SynReceived;
    case 4: return TcpState::FinWait1;
    case 5: return TcpState::FinWait2;
    case 6: return TcpState::TimeWait;
    case 8: return TcpState::CloseWait;
    case 9: return TcpState::LastAck;
    case 10: return TcpState::Listen;
    case 11: return TcpState::Closing;
    case 12: return TcpState::SynReceived;
    default: return TcpState::Closed;
  }
}

// A timed sysctl fault: writes /proc/sys in the host's namespace from a
// helper thread that joins it (setns() moves only the calling thread), so
// the write takes well under a millisecond. "" or what failed.
std::string write_sysctls(int ns_fd, const std::map<std::string, std::string>& values) {
  std::string err;
  std::thread([&] {
    if (setns(ns_fd, CLONE_NEWNET) != 0) {
      err = std::string("setns: ") + std::strerror(errno);
      return;
    }
    for (const auto& [name, value] : values) {
      std::string path = "/proc/sys/" + name;
      std::replace(path.begin() + 10, path.end(), '.', '/');
      const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
      const std::string text = value + "\n";
      if (fd < 0 || write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
        err += (err.empty() ? "" : "; ") + path + ": " + std::strerror(errno);
      if (fd >= 0) close(fd);
    }
  }).join();
  return err;
}

// The latest time at which a script still has a timed step to run, assuming
// calls take no time (used so a quiet period does not end a run early).
Time scripted_until(const std::vector<Step>& steps, Time t) {
  for (const auto& s : steps) {
    if (s.at) t = std::max(t, *s.at);
    if (s.after) t += *s.after;
    if (s.kind == StepKind::Sleep) t += s.duration;
    if (s.kind == StepKind::Loop && s.count > 0) {
      Time one = scripted_until(s.body, 0);
      t += static_cast<Time>(s.count) * std::max(one, s.every);
    }
    if (s.kind == StepKind::Spawn || s.kind == StepKind::Fork) t = scripted_until(s.body, t);
  }
  return t;
}

using Tuple = std::tuple<std::uint32_t, std::uint16_t, std::uint32_t, std::uint16_t>;

struct SockRec {
  std::uint32_t id = 0;
  std::string label;
  int host = 0;
  std::int32_t pid = 0;
};

}  // namespace

Time scripted_end(const Scenario& sc) {
  Time t = 0;
  for (const auto& p : sc.processes) t = std::max(t, scripted_until(p.script, p.start));
  return t;
}

std::string kernel_unavailable_reason() {
  if (geteuid() != 0) return "not running as root (network namespaces need CAP_SYS_ADMIN)";
  if (access("/dev/net/tun", R_OK | W_OK) != 0) return "/dev/net/tun is not available";
  std::string out;
  std::string probe = "tcpsim-probe-" + std::to_string(getpid());
  if (run_command({"ip", "netns", "add", probe}, &out) != 0)
    return "cannot create a network namespace: " + out;
  run_command({"ip", "netns", "del", probe});
  struct stat st{};
  if (stat("/sys/kernel/tracing/events", &st) != 0 &&
      run_command({"mount", "-t", "tracefs", "nodev", "/sys/kernel/tracing"}, &out) != 0)
    return "tracefs is not available: " + out;
  if (stat("/sys/kernel/tracing/events/sock/inet_sock_set_state", &st) != 0)
    return "the kernel has no sock:inet_sock_set_state tracepoint";
  return {};
}

std::string congestion_text(const std::string& congestion) {
  if (!congestion.empty() && congestion != "system") return congestion + " (TCP_CONGESTION on each socket)";
  std::string def;
  if (FILE* f = std::fopen("/proc/sys/net/ipv4/tcp_congestion_control", "r")) {
    char buf[64] = {};
    if (std::fgets(buf, sizeof buf, f)) def = buf;
    std::fclose(f);
  }
  while (!def.empty() && (def.back() == '\n' || def.back() == ' ')) def.pop_back();
  return (def.empty() ? std::string("?") : def) + " (the system default)";
}

KernelResult kernel_run(const Scenario& sc, TraceSink& sink, const KernelOptions& opt) {
  KernelResult res;
  if (std::string why = kernel_unavailable_reason(); !why.empty()) {
    res.error = why;
    return res;
  }
  for (const auto& f : sc.faults)
    if (f.kind == FaultKind::Crash || f.kind == FaultKind::Reboot)
      res.notes.push_back("crash/reboot: the host's processes are killed and the wire drops "
                          "its traffic; reboot gives it a fresh namespace");

  // One kernel run at a time on this machine: runs in parallel (ctest -j)
  // would see each other's sockets in the tracepoint (same scenario addresses).
  int lock_fd = open("/run/lock/tcpsim-kernel-run.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0600);
  if (lock_fd < 0) lock_fd = open("/tmp/tcpsim-kernel-run.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0600);
  if (lock_fd >= 0) flock(lock_fd, LOCK_EX);
  struct LockRelease {
    int fd;
    ~LockRelease() {
      if (fd >= 0) close(fd);
    }
  } lock_release{lock_fd};
  Lab lab(sc, sc.seed);
  std::string err = lab.setup(&res.notes);
  if (!err.empty()) {
    res.error = err;
    return res;
  }
  prctl(PR_SET_CHILD_SUBREAPER, 1);

  int report[2], startp[2];
  if (pipe2(report, O_CLOEXEC) != 0 || pipe2(startp, O_CLOEXEC) != 0) {
    res.error = "pipe failed";
    return res;
  }
  std::map<std::string, int> host_index;
  for (std::size_t i = 0; i < sc.hosts.size(); ++i) host_index[sc.hosts[i].name] = static_cast<int>(i);

  std::vector<pid_t> children;
  std::map<pid_t, const ProcessSpec*> child_spec;
  for (const auto& p : sc.processes) {
    int hi = host_index.count(p.host) ? host_index[p.host] : 0;
    pid_t pid = fork();
    if (pid == 0) {
      ChildSetup cs;
      cs.scenario = &sc;
      cs.process = &p;
      cs.netns_fd = lab.hosts()[hi]->ns_fd;
      cs.report_fd = report[1];
      cs.start_fd = startp[0];
      cs.bind_any = binds_any_address(sc, p.host);
      cs.congestion = opt.congestion == "system" ? std::string() : opt.congestion;
      run_process_child(cs);
    }
    if (pid > 0) {
      children.push_back(pid);
      child_spec[pid] = &p;
    }
  }
  close(report[1]);
  close(startp[0]);

  // Wait until every process has joined its namespace (setns can take a
  // while when the kernel is still cleaning up a previous run's namespace),
  // so that t0 is not already past when they get it.
  std::vector<Record> early;
  bool late_start = false;  // a process had not joined its namespace in 10 s
  {
    std::size_t ready = 0, got = 0;
    Record rr;
    std::int64_t deadline = mono_ns() + 10'000'000'000;
    while (ready < children.size() && mono_ns() < deadline) {
      pollfd p{report[0], POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      ssize_t n = read(report[0], reinterpret_cast<char*>(&rr) + got, sizeof rr - got);
      if (n <= 0) break;
      got += static_cast<std::size_t>(n);
      if (got == sizeof rr) {
        got = 0;
        if (rr.type == RecType::Ready) ++ready;
        else early.push_back(rr);
      }
    }
    late_start = ready < children.size() && mono_ns() >= deadline;
  }
  err = lab.start();
  if (!err.empty()) {
    res.error = "tracer: " + err;
    for (pid_t c : children) kill(c, SIGKILL);
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    return res;
  }
  std::int64_t t0 = mono_ns() + 50'000'000;  // 50 ms for the processes to get ready
  lab.set_t0(t0);
  StallWatch stall_watch(t0);  // started after the fork()s: see stall_watch.hpp
  for (std::size_t i = 0; i < children.size(); ++i) {
    ssize_t n = write(startp[1], &t0, sizeof t0);
    (void)n;
  }
  close(startp[1]);

  // ---- collect reports until the stop condition ----
  Time limit = std::min(opt.max_duration, opt.until);
  if (sc.duration > 0) limit = std::min(limit, sc.duration);
  const Time scripted = scripted_end(sc);
  std::vector<Record> recs = early;
  std::int64_t last_report = t0;
  std::vector<std::pair<Time, const FaultSpec*>> host_faults;
  for (const auto& f : sc.faults)
    if (f.kind == FaultKind::Crash || f.kind == FaultKind::Reboot || f.kind == FaultKind::Inject)
      host_faults.push_back({f.at, &f});
  std::sort(host_faults.begin(), host_faults.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::size_t next_host_fault = 0;
  std::map<pid_t, std::string> pid_host;  // os pid -> host name
  std::set<pid_t> done;
  int fl = fcntl(report[0], F_GETFL);
  fcntl(report[0], F_SETFL, fl | O_NONBLOCK);
  Record r;
  std::size_t have = 0;
  std::int64_t stop_t = 0;
  std::vector<Time> ss_at = opt.ss_at;
  std::sort(ss_at.begin(), ss_at.end());
  std::size_t next_ss = 0;
  std::vector<const FaultSpec*> sysctl_faults;  // {at, sysctl: {host, ...}}, by time
  for (const auto& f : sc.faults)
    if (f.kind == FaultKind::Sysctl) sysctl_faults.push_back(&f);
  std::stable_sort(sysctl_faults.begin(), sysctl_faults.end(),
                   [](const FaultSpec* a, const FaultSpec* b) { return a->at < b->at; });
  std::size_t next_sysctl = 0;
  for (;;) {
    pollfd p{report[0], POLLIN, 0};
    poll(&p, 1, 5);
    for (;;) {
      ssize_t n = read(report[0], reinterpret_cast<char*>(&r) + have, sizeof r - have);
      if (n <= 0) break;
      have += static_cast<std::size_t>(n);
      if (have == sizeof r) {
        recs.push_back(r);
        have = 0;
        last_report = mono_ns();
        if (r.type == RecType::ProcStart) {
          auto it = child_spec.find(r.os_pid);
          pid_host[r.os_pid] = it != child_spec.end() ? it->second->host
                                                      : pid_host[r.parent_os_pid];
        }
        if (r.type == RecType::Done) done.insert(r.os_pid);
      }
    }
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    std::int64_t now = mono_ns();
    Time t = (now - t0) / 1000;
    while (next_host_fault < host_faults.size() && t >= host_faults[next_host_fault].first) {
      const FaultSpec& f = *host_faults[next_host_fault++].second;
      if (f.kind == FaultKind::Inject) {
        // The target socket's addresses, from its process's latest report.
        Injection in;
        in.spec = f.inject;
        for (const auto& rec : recs)
          if ((rec.type == RecType::Socket || rec.type == RecType::Call) && in.spec.to == rec.label &&
              rec.lport && rec.rport && std::string(rec.args) != "connecting") {
            in.lip = rec.lip;
            in.lport = rec.lport;
            in.rip = rec.rip;
            in.rport = rec.rport;
          }
        in.to = lab.host_by_ip(in.lip);
        in.from = f.inject.from.empty() ? lab.host_by_ip(in.rip)
                                        : (host_index.count(f.inject.from) ? host_index[f.inject.from] : -1);
        if (in.lport && in.to >= 0 && in.from >= 0)
          lab.inject(in);
        else
          res.notes.push_back("inject at " + format_duration(f.at) + ": " + f.inject.to + " is not connected");
        continue;
      }
      int hi = host_index.count(f.host) ? host_index[f.host] : -1;
      if (hi < 0) continue;
      if (f.kind == FaultKind::Crash) {
        lab.set_down(hi, true);
        for (auto& [op, hn] : pid_host)
          if (hn == f.host) kill(op, SIGKILL);
      } else {
        std::string e = lab.replace_namespace(hi);
        if (!e.empty()) res.notes.push_back("reboot: " + e);
        lab.set_down(hi, false);
      }
    }
    // ss -tanoip in each host's namespace at the moments asked for.
    while (next_ss < ss_at.size() && t >= ss_at[next_ss]) {
      for (const auto& h : lab.hosts()) {
        SsCapture c;
        c.asked = ss_at[next_ss];
        c.host = h->name;
        c.t = (mono_ns() - t0) / 1000;
        run_command({"ip", "netns", "exec", h->ns, "ss", "-tanoip"}, &c.output);
        c.t_end = (mono_ns() - t0) / 1000;
        res.ss_captures.push_back(std::move(c));
      }
      ++next_ss;
    }
    while (next_sysctl < sysctl_faults.size() && t >= sysctl_faults[next_sysctl]->at) {
      const FaultSpec& f = *sysctl_faults[next_sysctl++];
      const int hi = host_index.count(f.host) ? host_index[f.host] : -1;
      const std::string e = hi < 0 ? "no such host" : write_sysctls(lab.hosts()[hi]->ns_fd, f.sysctls);
      if (!e.empty()) res.notes.push_back("sysctl on " + f.host + " at " + format_duration(f.at) + ": " + e);
    }
    if (t >= limit) {
      res.capped = true;
      stop_t = now;
      break;
    }
    std::int64_t quiet_ns = opt.quiet * 1000;
    bool quiet = opt.until == kNever && sc.duration == 0 && t > scripted + opt.quiet &&
                 now - std::max(lab.last_packet_time(), last_report) > quiet_ns &&
                 lab.busy_sockets() == 0;
    if (quiet) {
      stop_t = now - quiet_ns + 1000000;  // the trace ends shortly after the last activity
      break;
    }
  }
  lab.stop_wire();
  stall_watch.stop();
  res.disturbed = stall_watch.describe();
  // A process that had not joined its namespace when the run started runs its
  // script late: the run is the machine's, as a stalled CPU makes it.
  if (late_start)
    res.disturbed = "a process had not joined its namespace after 10 s" +
                    (res.disturbed.empty() ? std::string() : "; " + res.disturbed);
  for (pid_t c : children) kill(c, SIGKILL);
  for (auto& [op, hn] : pid_host) kill(op, SIGKILL);
  // Collect what was written before the stop.
  for (;;) {
    ssize_t n = read(report[0], reinterpret_cast<char*>(&r) + have, sizeof r - have);
    if (n <= 0) break;
    have += static_cast<std::size_t>(n);
    if (have == sizeof r) {
      recs.push_back(r);
      have = 0;
    }
  }
  close(report[0]);
  while (waitpid(-1, nullptr, WNOHANG) > 0) {
  }
  auto packets = lab.packets();
  lab.teardown();
  auto lines = lab.trace_lines();
  auto samples = lab.samples();
  while (waitpid(-1, nullptr, WNOHANG) > 0) {
  }
  prctl(PR_SET_CHILD_SUBREAPER, 0);
  res.ran_for = (stop_t - t0) / 1000;

  if (std::getenv("TCPSIM_KERNEL_DEBUG")) {
    for (const auto& l : lines)
      std::fprintf(stderr, "trace %.6f %s:%u>%s:%u %d->%d\n", (l.t - t0) / 1e9,
                   ip_string(l.saddr).c_str(), l.sport, ip_string(l.daddr).c_str(), l.dport,
                   l.oldstate, l.newstate);
    for (const auto& s : samples)
      std::fprintf(stderr, "sample %.6f h%d %s:%u>%s:%u tw=%d state=%d\n", (s.t - t0) / 1e9, s.host,
                   ip_string(s.lip).c_str(), s.lport, ip_string(s.rip).c_str(), s.rport, s.tw,
                   s.state);
  }
  // ---- turn observations into trace events ----
  auto T = [&](std::int64_t ns) -> Time { return (ns - t0) / 1000; };
  std::vector<Event> events;
  auto in_run = [&](std::int64_t ns) { return ns >= t0 - 1000000 && ns <= stop_t; };

  for (std::size_t i = 0; i < sc.hosts.size(); ++i) sink.on_host({sc.hosts[i].name, sc.hosts[i].ip});

  // Processes: scenario processes first, in declaration order (pids 1..N),
  // then forked ones in the order they started.
  std::map<pid_t, std::int32_t> pid_of;
  std::vector<ProcessInfo> procs;
  for (std::size_t i = 0; i < sc.processes.size(); ++i) {
    pid_t os = 0;
    for (auto& [c, spec] : child_spec)
      if (spec == &sc.processes[i]) os = c;
    pid_of[os] = static_cast<std::int32_t>(i + 1);
    procs.push_back({static_cast<std::int32_t>(i + 1),
                     static_cast<std::uint16_t>(host_index[sc.processes[i].host]),
                     sc.processes[i].name});
  }
  for (const auto& rec : recs)
    if (rec.type == RecType::ProcStart && !pid_of.count(rec.os_pid)) {
      std::int32_t pid = static_cast<std::int32_t>(procs.size() + 1);
      pid_of[rec.os_pid] = pid;
      procs.push_back({pid, static_cast<std::uint16_t>(host_index[pid_host[rec.os_pid]]), rec.name});
    }
  for (const auto& p : procs) sink.on_process(p);

  // Sockets by label, in order of first report.
  std::map<std::string, SockRec> socks;
  std::vector<SocketInfo> sock_infos;
  auto sock_for_label = [&](const std::string& label, int host, std::int32_t pid) -> std::uint32_t {
    if (label.empty()) return 0;
    auto it = socks.find(label);
    if (it != socks.end()) return it->second.id;
    SockRec s{static_cast<std::uint32_t>(sock_infos.size() + 1), label, host, pid};
    socks[label] = s;
    sock_infos.push_back({s.id, static_cast<std::uint16_t>(host), pid, label});
    return s.id;
  };
  // Known (tuple, time) -> socket, from the processes' reports.
  struct Claim {
    std::int64_t t;
    Tuple tuple;
    std::uint32_t sock;
    int host = -1;
  };
  std::vector<Claim> claims;
  struct ConnectWindow {
    std::int64_t t0, t1;
    int host;
    std::uint32_t dst;
    std::uint16_t dport;
    std::uint32_t sock;
  };
  std::vector<ConnectWindow> connects;
  for (const auto& rec : recs) {
    std::int32_t pid = pid_of.count(rec.os_pid) ? pid_of[rec.os_pid] : 0;
    int host = pid ? procs[pid - 1].host : 0;
    std::uint32_t sid = sock_for_label(rec.label, host, pid);
    bool connecting = rec.type == RecType::Socket && std::string(rec.args) == "connecting";
    if ((rec.type == RecType::Socket || rec.type == RecType::Call) && sid && rec.lport && !connecting)
      claims.push_back({rec.t_end, Tuple{rec.lip, rec.lport, rec.rip, rec.rport}, sid, host});
    if (connecting && sid)  // open until the connect() call returns (it may never)
      connects.push_back({rec.t_start, INT64_MAX, host, rec.rip, rec.rport, sid});
    if (rec.type == RecType::Call && std::string(rec.call) == "connect" && sid) {
      for (auto& w : connects)
        if (w.sock == sid && w.t1 == INT64_MAX) w.t1 = rec.t_end;
      connects.push_back({rec.t_start, rec.t_end, host, rec.rip, rec.rport, sid});
    }
  }

  // Owner of a tuple at a time: the first claim made at or after the life
  // began (the connect() that returns, the accept() that returns), else the
  // latest claim before it (a listener, a socket bound before connect()).
  auto owner = [&](const Tuple& tu, std::int64_t t, int host, bool syn_sent) -> std::uint32_t {
    const Claim* best = nullptr;
    for (const auto& c : claims)
      if (c.tuple == tu && c.t >= t - 1000000 && (!best || c.t < best->t)) best = &c;
    if (best) return best->sock;
    for (const auto& c : claims)
      if (c.tuple == tu && c.t < t && (!best || c.t > best->t)) best = &c;
    if (best) return best->sock;
    // Bound only by port (bind before connect): local part matches.
    for (const auto& c : claims)
      if (std::get<0>(c.tuple) == std::get<0>(tu) && std::get<1>(c.tuple) == std::get<1>(tu) &&
          std::get<3>(c.tuple) == 0 && c.t <= t + 1000000 && (!best || c.t > best->t))
        best = &c;
    if (best && syn_sent) return best->sock;
    if (syn_sent)
      for (const auto& w : connects)
        if (w.host == host && w.dst == std::get<2>(tu) && w.dport == std::get<3>(tu) &&
            t >= w.t0 - 1000000 && (w.t1 == INT64_MAX || t <= w.t1 + 1000000))
          return w.sock;
    return 0;
  };

  // Lives of kernel sockets, from the tracepoint.
  std::sort(lines.begin(), lines.end(), [](const TraceLine& a, const TraceLine& b) { return a.t < b.t; });
  std::sort(samples.begin(), samples.end(), [](const SampleChange& a, const SampleChange& b) { return a.t < b.t; });
  std::map<Tuple, std::uint32_t> live;  // tuple -> socket id of the current life
  std::map<Tuple, int> live_state;      // tuple -> its latest Linux state
  int unlabelled = 0;
  std::map<std::uint32_t, int> children_of;  // listener socket -> children so far
  auto emit_state = [&](std::int64_t ns, int host, const Tuple& tu, std::uint32_t sid, TcpState from,
                        TcpState to, const std::string& cause) {
    if (!in_run(ns) || from == to) return;
    Event e;
    e.kind = EventKind::State;
    e.t = std::max<Time>(0, T(ns));
    e.host = static_cast<std::uint16_t>(host);
    e.sock = sid;
    e.lip = std::get<0>(tu);
    e.lport = std::get<1>(tu);
    e.rip = std::get<2>(tu);
    e.rport = std::get<3>(tu);
    e.from = from;
    e.to = to;
    e.text = cause;
    const SocketInfo* si = sid ? &sock_infos[sid - 1] : nullptr;
    e.pid = si ? si->pid : 0;
    events.push_back(e);
  };
  // Host crashes: the host's sockets lose their state at that instant (the
  // kernel's sockets live on in the abandoned namespace, cut off from the
  // wire; what they do after the crash is not part of the scenario).
  std::vector<std::pair<std::int64_t, int>> crashes;
  for (const auto& f : sc.faults)
    if (f.kind == FaultKind::Crash && host_index.count(f.host))
      crashes.push_back({t0 + f.at * 1000, host_index[f.host]});
  std::sort(crashes.begin(), crashes.end());
  std::size_t next_crash = 0;
  auto apply_crashes = [&](std::int64_t until_ns) {
    while (next_crash < crashes.size() && crashes[next_crash].first <= until_ns) {
      auto [tc, h] = crashes[next_crash++];
      for (auto it2 = live.begin(); it2 != live.end();) {
        if (lab.host_by_ip(std::get<0>(it2->first)) != h) {
          ++it2;
          continue;
        }
        emit_state(tc, h, it2->first, it2->second, to_tcp_state(live_state[it2->first]),
                   TcpState::Closed, "host crashed: state lost");
        live_state.erase(it2->first);
        it2 = live.erase(it2);
      }
    }
  };
  // The host of a traced socket: by its address; a 127.x or 0.0.0.0 socket
  // (a listener on INADDR_ANY, a loopback connection: every namespace has
  // these addresses) by the host of the script call that names its tuple,
  // or of its listener; -1: no scenario socket.
  auto host_of_line = [&](const TraceLine& l) -> int {
    int h = lab.host_by_ip(l.saddr);
    if (h >= 0) return h;
    const Tuple tu{l.saddr, l.sport, l.daddr, l.dport};
    for (const auto& c : claims)
      if (c.tuple == tu) return c.host;
    for (const auto& c : claims)
      if (std::get<1>(c.tuple) == l.sport && std::get<3>(c.tuple) == 0 &&
          (std::get<0>(c.tuple) == 0 || std::get<0>(c.tuple) == l.saddr))
        return c.host;
    for (const auto& w : connects)
      if (w.dst == l.daddr && w.dport == l.dport && l.t >= w.t0 - 1000000 &&
          (w.t1 == INT64_MAX || l.t <= w.t1 + 1000000))
        return w.host;
    return -1;
  };
  for (const auto& l : lines) {
    if (!in_run(l.t)) continue;
    apply_crashes(l.t);
    int host = host_of_line(l);
    if (host < 0) continue;
    Tuple tu{l.saddr, l.sport, l.daddr, l.dport};
    bool starts = l.oldstate == 7 || (l.oldstate == 10 && l.newstate == 3);
    auto it = live.find(tu);
    if (!starts && it == live.end()) {
      // connect() enters SYN_SENT before it picks the local port: that life
      // was keyed with port 0.
      // (Or with the port of an earlier, failed connect() on the same socket.)
      for (auto z = live.begin(); z != live.end(); ++z)
        if (std::get<0>(z->first) == l.saddr && std::get<2>(z->first) == l.daddr &&
            std::get<3>(z->first) == l.dport && live_state[z->first] == 2 && l.oldstate == 2) {
          std::uint32_t moved = z->second;
          live_state.erase(z->first);
          live.erase(z);
          it = live.emplace(tu, moved).first;
          break;
        }
    }
    // A change of a socket this run never saw begin belongs to a socket made
    // before the run (e.g. an orphan of a previous run's namespace): not ours.
    if (!starts && it == live.end()) continue;
    std::uint32_t sid;
    if (starts || it == live.end()) {
      sid = owner(tu, l.t, host, l.newstate == 2);
      std::string label;
      if (l.oldstate == 10) {
        // A listener's child: numbered per listener like the simulator's
        // "server/lsock~1" (the name it has until accept() gives it one).
        std::uint32_t lsid = owner(Tuple{l.saddr, l.sport, 0, 0}, l.t, host, false);
        if (!lsid) lsid = owner(Tuple{0, l.sport, 0, 0}, l.t, host, false);  // on INADDR_ANY
        int n = ++children_of[lsid];
        if (lsid) label = sock_infos[lsid - 1].label + "~" + std::to_string(n);
      }
      if (!sid) {
        // A socket no script call names (a connection never accepted).
        sid = static_cast<std::uint32_t>(sock_infos.size() + 1);
        sock_infos.push_back({sid, static_cast<std::uint16_t>(host), 0, label});
        ++unlabelled;
      }
      live[tu] = sid;
    } else {
      sid = it->second;
    }
    TcpState from = to_tcp_state(l.oldstate), to = to_tcp_state(l.newstate);
    if (l.newstate == 7 && (l.oldstate == 4 || l.oldstate == 5 || l.oldstate == 11)) {
      // The full socket hands over to a time-wait sock (TIME_WAIT, or an
      // orphaned FIN_WAIT_2): the sampler sees it right after.
      const SampleChange* tw = nullptr;
      int hi = host;
      for (const auto& s : samples)
        if (s.t >= l.t && s.t <= l.t + 1'000'000'000 && s.host == hi && s.tw && s.state > 0 &&
            s.lip == l.saddr && s.lport == l.sport && s.rip == l.daddr && s.rport == l.dport) {
          tw = &s;
          break;
        }
      if (tw) {
        TcpState cur = to_tcp_state(tw->state);
        emit_state(l.t, host, tu, sid, from, cur, "kernel");
        // A new connection on the same 4-tuple (a SYN that reopened TIME_WAIT,
        // tcp_timewait_state_process -> TCP_TW_SYN) ends the time-wait sock;
        // the sampler then sees the new socket under the same 4-tuple.
        std::int64_t reused = -1;
        for (const auto& l2 : lines)
          if (l2.t > tw->t && l2.saddr == l.saddr && l2.sport == l.sport && l2.daddr == l.daddr &&
              l2.dport == l.dport && (l2.oldstate == 10 || l2.oldstate == 7)) {
            reused = l2.t;
            break;
          }
        // Or a connect() took it over (tcp_tw_reuse, tcp_twsk_unique()): that
        // socket's CLOSE -> SYN_SENT line still has port 0 (the port is picked
        // after it), its next line has the tuple.
        for (std::size_t k = 0; reused < 0 && k < lines.size(); ++k) {
          const auto& l2 = lines[k];
          if (l2.t <= tw->t || l2.oldstate != 2 || l2.saddr != l.saddr || l2.sport != l.sport ||
              l2.daddr != l.daddr || l2.dport != l.dport)
            continue;
          reused = l2.t;
          for (std::size_t j = k; j-- > 0;)
            if (lines[j].t > tw->t && lines[j].oldstate == 7 && lines[j].newstate == 2 &&
                lines[j].saddr == l.saddr && (lines[j].sport == 0 || lines[j].sport == l.sport) &&
                lines[j].daddr == l.daddr && lines[j].dport == l.dport) {
              reused = lines[j].t;
              break;
            }
        }
        for (const auto& s : samples) {
          if (s.t <= tw->t || s.host != hi || !s.tw || s.lip != l.saddr || s.lport != l.sport ||
              s.rip != l.daddr || s.rport != l.dport)
            continue;
          if (reused >= 0 && s.t > reused) break;
          TcpState nx = s.state < 0 ? TcpState::Closed : to_tcp_state(s.state);
          emit_state(s.t, host, tu, sid, cur, nx, s.state < 0 ? "expired" : "kernel");
          cur = nx;
          if (s.state < 0) break;
        }
        if (reused >= 0 && cur != TcpState::Closed)
          emit_state(reused, host, tu, sid, cur, TcpState::Closed, "reopened by a new SYN");
        live.erase(tu);
        continue;
      }
    }
    emit_state(l.t, host, tu, sid, from, to, "kernel");
    live_state[tu] = l.newstate;
    if (l.newstate == 7) {
      live.erase(tu);
      live_state.erase(tu);
    }
  }
  apply_crashes(stop_t);
  // connect() moves to SYN_SENT before it picks the local port: the first
  // state event has port 0. Fill in the port the socket got.
  for (std::size_t i = 0; i < events.size(); ++i) {
    Event& e = events[i];
    if (e.kind != EventKind::State || e.lport != 0 || !e.sock) continue;
    for (std::size_t j = i + 1; j < events.size(); ++j)
      if (events[j].kind == EventKind::State && events[j].sock == e.sock && events[j].lport) {
        e.lport = events[j].lport;
        break;
      }
  }
  if (unlabelled)
    res.notes.push_back(std::to_string(unlabelled) + " kernel socket(s) without a script label");
  for (const auto& s : sock_infos) sink.on_socket(s);

  // Segments: one send (and a deliver or a drop) per packet on the wire.
  auto sock_of_segment = [&](const WirePacket& w) -> std::uint32_t {
    (void)w;
    return 0;
  };
  for (const auto& w : packets) {
    if (!in_run(w.t_send)) continue;
    // A crashed host sends nothing: what its abandoned sockets emit after the
    // crash (the killed processes' FINs) never reached a wire.
    if (w.dropped && w.reason == "sender crashed") continue;
    Event e;
    e.kind = EventKind::Segment;
    e.seg_op = SegOp::Send;
    e.t = T(w.t_send);
    e.host = static_cast<std::uint16_t>(w.from);
    e.seg.src_ip = w.src_ip;
    e.seg.dst_ip = w.dst_ip;
    e.seg.sport = w.sport;
    e.seg.dport = w.dport;
    e.seg.seq = w.seq;
    e.seg.ack = w.ack;
    e.seg.len = w.len;
    e.seg.win = w.win;
    e.seg.flags = w.flags;
    e.seg_id = w.id;
    e.hop = static_cast<std::int16_t>(w.to);  // the link's far end (the host itself over lo)
    e.forwarded = w.forwarded;
    e.lip = w.src_ip;
    e.lport = w.sport;
    e.rip = w.dst_ip;
    e.rport = w.dport;
    e.sock = sock_of_segment(w);
    e.text = w.injected;
    events.push_back(e);
    e.text.clear();
    if (w.dropped) {
      Event d = e;
      d.seg_op = SegOp::Drop;
      d.text = w.reason;
      d.hop = -1;
      d.forwarded = false;
      events.push_back(d);
    } else if (w.t_deliver && in_run(w.t_deliver)) {
      Event d = e;
      d.seg_op = SegOp::Deliver;
      d.t = T(w.t_deliver);
      d.host = static_cast<std::uint16_t>(w.to);
      d.hop = -1;
      d.forwarded = w.passed_on;
      events.push_back(d);
    }
  }

  // Calls, signals, processes.
  for (const auto& rec : recs) {
    if (!in_run(rec.t_end)) continue;
    std::int32_t pid = pid_of.count(rec.os_pid) ? pid_of[rec.os_pid] : 0;
    Event e;
    e.t = std::max<Time>(0, T(rec.t_end));
    e.pid = pid;
    e.host = pid ? procs[pid - 1].host : 0;
    switch (rec.type) {
      case RecType::Call: {
        e.kind = EventKind::Call;
        e.call = rec.call;
        e.args = rec.args;
        e.ret = rec.ret;
        e.err = rec.err;
        e.start = std::max<Time>(0, T(rec.t_start));
        e.sock = socks.count(rec.label) ? socks[rec.label].id : 0;
        e.lip = rec.lip;
        e.lport = rec.lport;
        e.rip = rec.rip;
        e.rport = rec.rport;
        break;
      }
      case RecType::Signal:
        e.kind = EventKind::Signal;
        e.signo = static_cast<int>(rec.ret);
        e.text = rec.args;
        break;
      case RecType::ProcStart:
        e.kind = EventKind::Process;
        e.proc_op = ProcOp::Start;
        break;
      case RecType::Exit:
        e.kind = EventKind::Process;
        e.proc_op = ProcOp::Exit;
        e.status = static_cast<int>(rec.ret);
        break;
      case RecType::Killed:
        e.kind = EventKind::Process;
        e.proc_op = ProcOp::Killed;
        e.status = static_cast<int>(rec.ret);
        e.text = "SIGPIPE";
        break;
      case RecType::Error:
        e.kind = EventKind::Note;
        e.text = rec.args;
        break;
      default:
        continue;
    }
    events.push_back(e);
  }
  for (const auto& f : sc.faults) {
    if (f.kind == FaultKind::Crash && f.at <= res.ran_for)
      for (const auto& p : procs)
        if (host_index.count(f.host) && p.host == host_index[f.host]) {
          Event e;
          e.kind = EventKind::Process;
          e.proc_op = ProcOp::Crash;
          e.t = f.at;
          e.pid = p.pid;
          e.host = p.host;
          events.push_back(e);
        }
    if (f.kind == FaultKind::Drop || f.kind == FaultKind::Delay || f.kind == FaultKind::Duplicate)
      continue;
    if (f.at > res.ran_for) continue;
    Event e;
    e.kind = EventKind::Fault;
    e.t = f.at;
    static const char* names[] = {"", "", "", "link_down", "link_up", "crash", "reboot", "inject"};
    e.text = f.kind == FaultKind::Sysctl ? "sysctl" : names[static_cast<int>(f.kind)];
    if (!f.host.empty()) e.host = static_cast<std::uint16_t>(host_index[f.host]);
    events.push_back(e);
  }

  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.t < b.t; });
  for (auto& e : events) sink.on_event(e);
  // A socket that could not get the asked congestion control (script_runner.cpp,
  // set_congestion()) would run another algorithm than the one compared: the run fails.
  for (const auto& rec : recs)
    if (rec.type == RecType::Error && std::strncmp(rec.args, "TCP_CONGESTION ", 15) == 0) {
      res.error = std::string(rec.args) + " (--congestion system keeps the namespace's default)";
      return res;
    }
  res.ok = true;
  return res;
}

SettledRun kernel_run_settled(const Scenario& sc, const KernelOptions& opt,
                              const std::function<bool(const Trace&, const KernelResult&)>& good, int runs) {
  SettledRun r;
  for (int run = 1; run <= runs; ++run) {
    r.trace = Trace{};
    r.result = kernel_run(sc, r.trace, opt);
    r.good = r.result.ok && good(r.trace, r.result);
    if (r.good || !r.result.ok || r.result.disturbed.empty() || run == runs) break;
    r.earlier.push_back("run " + std::to_string(run) + ": " + r.result.disturbed);
  }
  return r;
}

}  // namespace tcpsim::kernel
