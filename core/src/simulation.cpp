// tcpsim — the Simulation facade: builds the runtime from a Scenario and
// runs the engine. Identical (scenario, seed) give a byte-identical trace.
#include "tcpsim/simulation.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "sim.hpp"

namespace tcpsim {

const char* step_kind_name(StepKind k) {
  switch (k) {
    case StepKind::Socket: return "socket";
    case StepKind::Bind: return "bind";
    case StepKind::Listen: return "listen";
    case StepKind::Accept: return "accept";
    case StepKind::Connect: return "connect";
    case StepKind::Send: return "send";
    case StepKind::Recv: return "recv";
    case StepKind::Shutdown: return "shutdown";
    case StepKind::Close: return "close";
    case StepKind::SetSockOpt: return "setsockopt";
    case StepKind::Dup: return "dup";
    case StepKind::Fork: return "fork";
    case StepKind::Exec: return "exec";
    case StepKind::Exit: return "exit";
    case StepKind::Sleep: return "sleep";
    case StepKind::Wait: return "wait";
    case StepKind::Epoll: return "epoll";
    case StepKind::Loop: return "loop";
    case StepKind::Spawn: return "spawn";
    case StepKind::Signal: return "signal";
    case StepKind::GetSockOpt: return "getsockopt";
  }
  return "?";
}

struct Simulation::Impl : Sim {
  using Sim::Sim;
};

Sim::Sim(const Scenario& scenario, TraceSink& s, RunOptions o)
    : sc(scenario), sink(s), opt(o), ev_on(s.wants_events()), ev_kinds(s.event_kinds()), tcb_on(s.wants_events() && s.wants_tcb()) {
  rng.seed(opt.seed ? *opt.seed : sc.seed);
  if (opt.limits.memory) {
    struct rlimit as {};
    if (::getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY)
      opt.limits.memory = std::min<std::uint64_t>(opt.limits.memory, as.rlim_cur / 4 * 3);
  }
  stop_at = opt.until;
  if (sc.duration > 0) stop_at = std::min(stop_at, sc.duration);

  for (const auto& hs : sc.hosts) {
    HostRt h;
    h.name = hs.name;
    h.ip = hs.ip;
    h.profile = hs.profile;
    h.sys = hs.sysctls;
    host_by_ip.emplace(hs.ip, static_cast<std::uint16_t>(hosts.size()));  // the first host with this IP
    hosts.push_back(std::move(h));
    sink.on_host(HostInfo{hs.name, hs.ip});
  }
  link_of.assign(hosts.size(), std::vector<std::int32_t>(hosts.size(), -1));
  auto add_link = [&](std::uint16_t a, std::uint16_t b, const LinkSpec& spec) {
    LinkRt l;
    l.a = a;
    l.b = b;
    l.spec = spec;
    links.push_back(l);
    link_of[a][b] = link_of[b][a] = static_cast<std::int32_t>(links.size() - 1);
  };
  for (const auto& ls : sc.links) {
    const int a = host_index(ls.a), b = host_index(ls.b);
    if (a < 0 || b < 0) continue;  // the loader rejects unknown hosts
    add_link(static_cast<std::uint16_t>(a), static_cast<std::uint16_t>(b), ls);
  }
  if (sc.links.empty()) {  // no link given: every pair of hosts, 1 ms apart
    for (std::size_t a = 0; a < hosts.size(); ++a)
      for (std::size_t b = a + 1; b < hosts.size(); ++b)
        add_link(static_cast<std::uint16_t>(a), static_cast<std::uint16_t>(b), LinkSpec{});
  }
  fault_matches.assign(sc.faults.size(), 0);
  for (std::size_t f = 0; f < sc.faults.size(); ++f) {
    const FaultKind k = sc.faults[f].kind;
    if (k == FaultKind::LinkDown || k == FaultKind::LinkUp || k == FaultKind::Crash || k == FaultKind::Reboot ||
        k == FaultKind::Inject)
      schedule(sc.faults[f].at, QFault, static_cast<std::uint32_t>(f));
    if (k == FaultKind::Inject) labels_wanted = true;
  }
  for (std::size_t i = 0; i < sc.processes.size(); ++i) {
    const ProcessSpec& ps = sc.processes[i];
    Process p;
    p.pid = static_cast<std::int32_t>(i + 1);
    const int h = host_index(ps.host);
    p.host = static_cast<std::uint16_t>(h < 0 ? 0 : h);
    p.name = ps.name;
    p.ignore_sigpipe = ps.ignore_sigpipe;
    p.fd_limit = ps.fd_limit;
    p.spec = &sc.processes[i];
    procs.push_back(std::move(p));
    sink.on_process(ProcessInfo{procs.back().pid, procs.back().host, ps.name});
    schedule(ps.start, QProcStart, static_cast<std::uint32_t>(i));
  }
  setup_forwarding();  // routes and NAT tables (forwarding.cpp)
  // Timed sysctl changes: `faults: [{at: 5s, sysctl: {host: h, net...: v}}]`.
  for (std::size_t f = 0; f < sc.faults.size(); ++f)
    if (sc.faults[f].kind == FaultKind::Sysctl) schedule(sc.faults[f].at, QFault, static_cast<std::uint32_t>(f));
}

std::string LimitStop::message() const {
  if (limit == "cancelled")
    return "stopped: cancelled at t=" + format_time(t) + " s, after " + std::to_string(event) + " events";
  return "stopped: the " + limit + " limit (" + value + ") was reached at t=" + format_time(t) +
         " s, after " + std::to_string(event) + " events" + (detail.empty() ? "" : " (" + detail + ")") +
         "; raise it with " + option;
}

void Sim::hit_limit(const char* limit, const char* option, const std::string& value,
                    const std::string& detail, std::uint16_t host) {
  if (limit_hit) return;
  limit_hit = true;
  LimitStop l;
  l.limit = limit;
  l.option = option;
  l.value = value;
  l.t = now;
  l.event = summary.events;
  l.detail = detail;
  if (!hosts.empty()) trace_note(host, nullptr, "run " + l.message());
  summary.limit = std::move(l);
}

bool Sim::within_limit(std::uint64_t have, std::uint64_t limit, const char* name, const char* option,
                       const std::string& detail, std::uint16_t host) {
  if (have < limit) return true;
  hit_limit(name, option, std::to_string(limit), detail, host);
  return false;
}

namespace {
// Resident memory of this process, from /proc (0 when unknown).
std::uint64_t resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long long size = 0, rss = 0;
  const int n = std::fscanf(f, "%llu %llu", &size, &rss);
  std::fclose(f);
  return n == 2 ? rss * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE)) : 0;
}
}  // namespace

bool Sim::step() {
  if (limit_hit) return false;
  if (!dying.empty()) recycle_sockets();
  // A cancelled or re-armed timer left in the queue (lazy cancellation, see
  // tcp_timers.cpp) is not an event: drop it here, without moving the clock,
  // so it neither counts as an event nor stretches the run past its end.
  // Same test as timer_fired(), which would ignore it.
  while (!q.empty() && q.top().kind() == QTimer) {
    const QItem& it = q.top();
    const Sock* ts = sock_if(it.a);  // nullptr: the socket was destroyed
    if (ts && ts->timers[it.arg()] == it.t && it.t != 0) break;
    q.pop();
  }
  if (q.empty()) return false;
  // Only conntrack expiries left: nothing more will happen to any socket, and
  // a NAT's 5-day ESTABLISHED timeout must not stretch the run.
  if (ct_pending && q.size() == ct_pending) return false;
  if (opt.cancel && opt.cancel->load(std::memory_order_relaxed)) {
    hit_limit("cancelled", "", "", "");
    return false;
  }
  if (summary.events >= std::min(opt.max_events, opt.limits.events)) {
    hit_limit("events", "--max-events", std::to_string(std::min(opt.max_events, opt.limits.events)), "");
    return false;
  }
  if (q.top().t > stop_at) {
    now = stop_at;
    summary.virtual_time = now;
    return false;
  }
  if (q.top().t > opt.limits.time) {
    const Time day = sec(86400);
    hit_limit("virtual time", "--max-time",
              opt.limits.time % day == 0 ? std::to_string(opt.limits.time / day) + "d"
                                         : format_duration(opt.limits.time),
              "the next event is at " + (q.top().t == kNever ? std::string("the end of time")
                                                              : format_time(q.top().t) + " s"));
    return false;
  }
  // Memory: sampled every 2^16 events (reading /proc is not free).
  if (opt.limits.memory && (summary.events & 0xFFFF) == 0xFFFF) {
    const std::uint64_t rss = resident_bytes();
    if (rss > opt.limits.memory) {
      hit_limit("memory", "--max-memory", std::to_string(opt.limits.memory >> 20) + " MiB",
                std::to_string(rss >> 20) + " MiB resident" +
                    (ev_on ? "; the trace is kept in memory: --format summary keeps none" : ""));
      return false;
    }
  }
  const QItem it = q.pop();
  now = it.t;
  ++summary.events;
  switch (it.kind()) {
    case QArrive:
      deliver(it.a);
      break;
    case QTimer:
      timer_fired(it.a, static_cast<TimerKind>(it.arg()), it.t);
      break;
    case QWake: {
      Thread& t = threads[it.a - 1];
      if (t.state == ThreadState::Sleeping && t.wake_at == it.t) make_runnable(t.id);
      // A blocking call with a timeout (epoll_wait): stop waiting on the
      // socket and run the step again, which sees the deadline has passed.
      if (t.state == ThreadState::Blocked && t.deadline != 0 && t.deadline == it.t) make_runnable(t.id);
      break;
    }
    case QFault:
      fault_at(it.a);
      break;
    case QProcStart:
      start_process(it.a);
      break;
    case QConntrack:
      --ct_pending;
      conntrack_expire(it.a, it.t);
      break;
    default:
      break;
  }
  if (!runnable.empty()) run_runnable();
  summary.virtual_time = now;
  return true;
}

Simulation::Simulation(const Scenario& scenario, TraceSink& sink, RunOptions options)
    : impl_(std::make_unique<Impl>(scenario, sink, options)) {}
Simulation::~Simulation() = default;

bool Simulation::step() { return impl_->step(); }

void Simulation::run() {
  while (impl_->step()) {
  }
  // Final per-state socket counts.
  auto& s = impl_->summary;
  s.final_states.fill(0);
  for (const auto& h : impl_->hosts)
    for (int i = 0; i < kNumTcpStates; ++i) s.final_states[i] += static_cast<std::uint64_t>(h.counts[i]);
}

Time Simulation::now() const { return impl_->now; }
const RunSummary& Simulation::summary() const { return impl_->summary; }
const StateCounts& Simulation::counts(std::size_t host) const { return impl_->hosts.at(host).counts; }
std::size_t Simulation::host_count() const { return impl_->hosts.size(); }

void Simulation::sample_counts(CountSeries* series) {
  impl_->series = series;
  if (series) {
    series->hosts.clear();
    for (const auto& h : impl_->hosts) series->hosts.push_back(h.name);
    impl_->sample_counts();
  }
}

void Simulation::for_each_socket(const std::function<void(const SocketView&)>& f) const {
  for (const auto& s : impl_->socks) {
    if (!s.id) continue;  // a free slot
    SocketView v{s.id, s.host, impl_->snapshot(s), s.fd_refs, s.listening};
    f(v);
  }
}

Trace run_scenario(const Scenario& scenario, RunOptions options) {
  Trace t;
  t.meta.scenario = scenario.name;
  Simulation sim(scenario, t, options);
  sim.run();
  if (sim.summary().limit) t.meta.stopped_by = sim.summary().limit->message();
  return t;
}

}  // namespace tcpsim
