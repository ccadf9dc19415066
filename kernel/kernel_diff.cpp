// tcpsim::kernel — normalising and comparing traces (kernel_diff.hpp).
#include "kernel_diff.hpp"

#include "kernel_run.hpp"
#include "tcpsim/simulation.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <sstream>
#include <tuple>

namespace tcpsim::kernel {

namespace {

std::string host_name(const TraceMeta& m, std::uint32_t ip) {
  for (const auto& h : m.hosts)
    if (h.ip == ip) return h.name;
  return ip_string(ip);
}

std::string process_name(const TraceMeta& m, std::int32_t pid) {
  const ProcessInfo* p = m.process(pid);
  return p ? p->name : "pid" + std::to_string(pid);
}

Time tolerance(const DiffOptions& o, Time t) {
  return o.tol_abs + static_cast<Time>(o.tol_rel * static_cast<double>(t));
}

// A time as people write it, for the summary: "0.617 s", "60 s".
std::string secs(Time t) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3f", static_cast<double>(t) / 1e6);
  std::string x = b;
  while (x.back() == '0') x.pop_back();
  if (x.back() == '.') x.pop_back();
  return x + " s";
}

std::string fmt_time(Time t) {
  char b[32];
  std::snprintf(b, sizeof b, "%.6f", static_cast<double>(t) / 1e6);
  return b;
}

}  // namespace

Normalized normalize(const Trace& trace, const DiffOptions& opt) {
  Normalized n;
  const TraceMeta& m = trace.meta;
  using End = std::pair<std::uint32_t, std::uint16_t>;
  std::map<std::pair<End, End>, std::uint32_t> isn;     // (from, to) -> ISN of that direction
  std::map<std::uint32_t, std::string> unlabelled;      // socket id -> synthetic key
  std::map<std::string, int> unlabelled_count;
  std::map<std::uint32_t, std::string> last_state;      // socket -> last distinct state

  // Connections are numbered in order of first appearance, a new number for
  // each incarnation: a SYN with a new ISN on a 4-tuple seen before (the port
  // a TIME_WAIT holds, reused) starts a new connection, so the numbering does
  // not depend on which port each run picked. A pre-pass, so that a socket's
  // states (which start before its first segment) can be keyed by it.
  int nconn = 0;
  std::map<std::pair<End, End>, std::vector<std::pair<Time, int>>> lives;  // pair -> (start, number)
  std::vector<int> seg_conn(trace.events.size(), 0);
  for (std::size_t i = 0; i < trace.events.size(); ++i) {
    const Event& e = trace.events[i];
    if (e.t > opt.horizon) break;
    if (e.kind != EventKind::Segment || e.seg_op != SegOp::Send) continue;
    const Segment& s = e.seg;
    End a{s.src_ip, s.sport}, b{s.dst_ip, s.dport};
    auto key = a < b ? std::make_pair(a, b) : std::make_pair(b, a);
    auto& l = lives[key];
    // A crafted SYN (`inject:`, "injected" in its send event) opens no connection.
    const bool injected = e.text.rfind("injected", 0) == 0;
    const bool syn = (s.flags & kSyn) && !(s.flags & kAck) && !(s.flags & kRst) && !injected;
    auto mine = isn.find({a, b});
    if (l.empty() || (syn && mine != isn.end() && mine->second != s.seq)) {
      l.push_back({e.t, ++nconn});
      isn.erase({b, a});
    }
    if ((s.flags & kSyn) && !(s.flags & kRst) && !injected) isn[{a, b}] = s.seq;
    seg_conn[i] = l.back().second;
  }
  isn.clear();
  // The connection a socket's state change belongs to: the incarnation of
  // its 4-tuple that had begun by then (else the first one); 0 for none.
  auto conn_at = [&](const Event& e) -> int {
    if (!e.lport || !e.rport) return 0;
    End a{e.lip, e.lport}, b{e.rip, e.rport};
    auto it = lives.find(a < b ? std::make_pair(a, b) : std::make_pair(b, a));
    if (it == lives.end()) return 0;
    int c = it->second.front().second;
    for (const auto& [t0, num] : it->second)
      if (t0 <= e.t) c = num;
    return c;
  };
  std::map<std::uint32_t, std::string> by_conn;  // socket -> its connection key
  auto concurrent = [&](const Event& e) {
    const ProcessInfo* p = m.process(e.pid);
    const SocketInfo* si = m.socket(e.sock);
    std::string owner = p ? p->name : "";
    if (si && !si->label.empty()) owner = si->label.substr(0, si->label.find('/'));
    return !owner.empty() && std::find(opt.concurrent_processes.begin(), opt.concurrent_processes.end(),
                                       owner) != opt.concurrent_processes.end();
  };

  auto sock_key = [&](const Event& e) -> std::string {
    const SocketInfo* s = m.socket(e.sock);
    if (s && !s->label.empty()) return s->label;
    auto it = unlabelled.find(e.sock);
    if (it != unlabelled.end() && e.sock) return it->second;
    // A socket no script named (e.g. a connection never accepted): key it by
    // host and local port role, numbered in order of appearance.
    std::string base = (e.host < m.hosts.size() ? m.hosts[e.host].name : "?") + "/~" +
                       std::to_string(e.lport);
    std::string key = base + "#" + std::to_string(++unlabelled_count[base]);
    if (e.sock) unlabelled[e.sock] = key;
    return key;
  };

  for (std::size_t ei = 0; ei < trace.events.size(); ++ei) {
    const Event& e = trace.events[ei];
    if (e.t > opt.horizon) break;
    NormItem it;
    it.t = e.t;
    switch (e.kind) {
      case EventKind::Segment: {
        if (e.seg_op != SegOp::Send) continue;
        const Segment& s = e.seg;
        End a{s.src_ip, s.sport}, b{s.dst_ip, s.dport};
        auto key = a < b ? std::make_pair(a, b) : std::make_pair(b, a);
        const int cnum = seg_conn[ei];
        if ((s.flags & kSyn) && !(s.flags & kRst) && e.text.rfind("injected", 0) != 0) {
          if (!(s.flags & kAck) && isn.count({a, b}) && isn[{a, b}] != s.seq) isn.erase({b, a});
          isn[{a, b}] = s.seq;
        }
        std::ostringstream w;
        w << "[" << flags_string(s.flags) << "]";
        auto mine = isn.find({a, b});
        if (mine != isn.end())
          w << " seq " << static_cast<std::uint32_t>(s.seq - mine->second);
        else if (s.flags & kRst)
          w << " seq " << s.seq;  // RST to a SYN (no ACK field taken): both give 0
        else
          w << " seq ?";
        if (s.flags & kAck) {
          auto theirs = isn.find({b, a});
          if (theirs != isn.end())
            w << " ack " << static_cast<std::uint32_t>(s.ack - theirs->second);
          else
            w << " ack ?";
        }
        w << " len " << s.len;
        it.kind = NormItem::Kind::Segment;
        it.who = "c" + std::to_string(cnum) + " " + host_name(m, s.src_ip) + ">" +
                 host_name(m, s.dst_ip);
        it.what = w.str();
        it.stream = it.who;
        n.segments.push_back(it);
        break;
      }
      case EventKind::State: {
        // A socket of a process with concurrent threads is keyed by its
        // connection ("c45 client"), not its label: which of two connect()s
        // made within a millisecond got which label (and which kernel socket
        // the runner attributes a port-less SYN_SENT to) is a race. Its
        // CLOSED -> SYN_SENT, made before the port is chosen, is left out
        // (on both sides).
        // A socket keeps the connection of its first keyed change (its
        // TIME_WAIT that a reusing connect() ends belongs to the old one).
        std::string key;
        if (concurrent(e)) {
          if (e.from == TcpState::Closed && e.to == TcpState::SynSent) continue;
          auto st = by_conn.find(e.sock);
          if (st != by_conn.end() && e.sock) {
            key = st->second;
          } else if (int c = conn_at(e)) {
            key = "c" + std::to_string(c) + " " + (e.host < m.hosts.size() ? m.hosts[e.host].name : "?");
            if (e.sock) by_conn[e.sock] = key;
          }
        }
        if (key.empty()) key = sock_key(e);
        auto& list = n.states[key];
        it.kind = NormItem::Kind::State;
        it.who = key;
        if (list.empty()) {
          NormItem first = it;
          first.what = state_name(e.from);
          list.push_back(first);
          n.all.push_back(first);
        }
        it.what = state_name(e.to);
        if (list.back().what == it.what) continue;
        list.push_back(it);
        break;
      }
      case EventKind::Call: {
        it.kind = NormItem::Kind::Call;
        it.who = process_name(m, e.pid);
        std::ostringstream w;
        std::int64_t ret = e.ret;
        w << e.call << " = ";
        if (e.call == "fork" && ret > 0)
          w << "<pid>";
        else
          w << ret;
        if (ret < 0 && e.err) w << " " << (errno_name(e.err) ? errno_name(e.err) : std::to_string(e.err));
        // getsockopt: the value read is compared too, except TCP_INFO's rto
        // (the kernel counts it in jiffies, 4 ms at HZ=250).
        const auto arrow = e.call == "getsockopt" ? e.args.find(" -> ") : std::string::npos;
        if (arrow != std::string::npos) {
          std::istringstream in(e.args.substr(arrow + 4));
          std::string kv;
          w << " ->";
          while (in >> kv)
            if (kv.rfind("rto=", 0) != 0) w << " " << kv;
        }
        it.what = w.str();
        if (const SocketInfo* si = m.socket(e.sock)) it.stream = si->label;
        n.calls[it.who].push_back(it);
        break;
      }
      case EventKind::Signal: {
        it.kind = NormItem::Kind::Signal;
        it.who = process_name(m, e.pid);
        it.what = std::string(e.signo == 13 ? "SIGPIPE" : "signal " + std::to_string(e.signo)) +
                  " " + e.text;
        n.calls[it.who].push_back(it);
        break;
      }
      case EventKind::Process: {
        if (e.proc_op == ProcOp::Start) continue;
        it.kind = NormItem::Kind::Process;
        it.who = process_name(m, e.pid);
        it.what = e.proc_op == ProcOp::Exit ? "exit " + std::to_string(e.status)
                                            : std::string(proc_op_name(e.proc_op));
        n.calls[it.who].push_back(it);
        break;
      }
      default:
        continue;
    }
    n.all.push_back(it);
  }
  return n;
}

namespace {

struct Div {
  bool found = false;
  Time t = kNever;          // when it happens (sim time, or kernel time if the sim has nothing)
  std::string category;
  std::string expected, actual;
  std::vector<NormItem> sim, ker;
  std::size_t at = 0;
  const NormItem* anchor = nullptr;  // the sim item (for the event number)
};

void consider(Div& best, Div d) {
  if (d.found && (!best.found || d.t < best.t)) best = std::move(d);
}

// Compares two lists in order; adjacent items of different `who` within
// swap_window may appear in either order (crossing segments).
Div compare_lists(std::vector<NormItem> sim, std::vector<NormItem> ker, const std::string& category,
                  const DiffOptions& o, bool timing) {
  Div d;
  std::size_t n = std::max(sim.size(), ker.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (i < sim.size() && i < ker.size() && sim[i].text() != ker[i].text()) {
      // The kernel's item j (up to two further on) may move up to i when it
      // crossed the items it jumps over: each of another stream (connection
      // direction, or socket of a call), each within swap_window of it, and
      // it is no call without a socket. The items jumped
      // over keep their order (a rotation: swapping i and j would reorder
      // them, and misplace a third item as a divergence).
      for (std::size_t j = i + 1; j < ker.size() && j <= i + 2; ++j) {
        if (ker[j].text() != sim[i].text()) continue;
        bool crossed = true;
        for (std::size_t k = i; k < j; ++k)
          crossed = crossed && !ker[j].stream.empty() && ker[k].stream != ker[j].stream &&
                    std::llabs(ker[j].t - ker[k].t) <= o.swap_window;
        if (!crossed) continue;
        std::rotate(ker.begin() + static_cast<std::ptrdiff_t>(i),
                    ker.begin() + static_cast<std::ptrdiff_t>(j),
                    ker.begin() + static_cast<std::ptrdiff_t>(j + 1));
        break;
      }
    }
    bool has_s = i < sim.size(), has_k = i < ker.size();
    bool differ = !has_s || !has_k || sim[i].text() != ker[i].text();
    std::string cat = category;
    if (!differ && timing && o.check_timing &&
        std::llabs(sim[i].t - ker[i].t) > tolerance(o, sim[i].t)) {
      differ = true;
      cat = "timing of " + category;
    }
    if (!differ) continue;
    d.found = true;
    d.category = cat;
    d.at = i;
    d.t = has_s ? sim[i].t : ker[i].t;
    if (has_s && has_k) d.t = std::min(sim[i].t, ker[i].t);
    d.expected = has_s ? fmt_time(sim[i].t) + " " + sim[i].text() : "(nothing)";
    d.actual = has_k ? fmt_time(ker[i].t) + " " + ker[i].text() : "(nothing)";
    d.sim = sim;
    d.ker = ker;
    return d;
  }
  return d;
}

}  // namespace

DiffResult diff_traces(const Trace& sim, const Trace& kernel, const DiffOptions& opt) {
  Normalized a = normalize(sim, opt), b = normalize(kernel, opt);
  Div best;
  // Segments are compared per connection, in order and each in time: the
  // kernel's connections run concurrently (processes, threads, timers that
  // fire within a 4 ms tick), so two connections' segments a few ms apart
  // may interleave either way; across connections only the timing
  // tolerance relates them. A single connection is one list, as before.
  std::map<std::string, std::vector<NormItem>> sim_conn, ker_conn;
  auto conn_of = [](const NormItem& it) { return it.who.substr(0, it.who.find(' ')); };
  for (const NormItem& it : a.segments) sim_conn[conn_of(it)].push_back(it);
  for (const NormItem& it : b.segments) ker_conn[conn_of(it)].push_back(it);
  std::map<std::string, bool> keys;
  for (auto& [k, v] : sim_conn) keys[k] = true;
  for (auto& [k, v] : ker_conn) keys[k] = true;
  for (auto& [k, v] : keys) {
    (void)v;
    consider(best, compare_lists(sim_conn[k], ker_conn[k], keys.size() == 1 ? "segments" : "segments of " + k,
                                 opt, true));
  }
  keys.clear();
  for (auto& [k, v] : a.states) keys[k] = true;
  for (auto& [k, v] : b.states) keys[k] = true;
  for (auto& [k, v] : keys) {
    (void)v;
    consider(best, compare_lists(a.states[k], b.states[k], "states of " + k, opt, false));
  }
  // Calls per process; a process with concurrent threads per socket (calls
  // on no socket, its signals and exit stay in the process's list).
  auto split = [&](std::map<std::string, std::vector<NormItem>>& calls) {
    std::map<std::string, std::vector<NormItem>> out;
    for (auto& [proc, list] : calls) {
      const bool concurrent = std::find(opt.concurrent_processes.begin(), opt.concurrent_processes.end(),
                                        proc) != opt.concurrent_processes.end();
      for (const NormItem& it : list)
        out[concurrent && !it.stream.empty() ? proc + " on " + it.stream : proc].push_back(it);
    }
    return out;
  };
  auto sim_calls = split(a.calls), ker_calls = split(b.calls);
  keys.clear();
  for (auto& [k, v] : sim_calls) keys[k] = true;
  for (auto& [k, v] : ker_calls) keys[k] = true;
  for (auto& [k, v] : keys) {
    (void)v;
    consider(best, compare_lists(sim_calls[k], ker_calls[k], "calls of " + k, opt, false));
  }
  DiffResult r;
  if (!best.found) return r;
  r.match = false;
  r.category = best.category;
  r.expected = best.expected;
  r.actual = best.actual;
  // Event number: position in the simulator's merged list of the first item
  // at or after the divergence time.
  r.event = a.all.size();
  for (std::size_t i = 0; i < a.all.size(); ++i)
    if (a.all[i].t >= best.t) {
      r.event = i;
      break;
    }
  r.side_by_side = "first divergence in " + best.category + ":\n" +
                   side_by_side(best.sim, best.ker, best.at);
  return r;
}

std::string summary_line(const std::string& scenario, const DiffResult& r) {
  if (r.match) return scenario + ": match";
  return scenario + ": diverged at event " + std::to_string(r.event) + " (" + r.category +
         ": tcpsim " + r.expected + " | kernel " + r.actual + ")";
}

std::string side_by_side(const std::vector<NormItem>& sim, const std::vector<NormItem>& kernel,
                         std::size_t at, std::size_t context, std::size_t width) {
  auto cell = [&](const std::vector<NormItem>& v, std::size_t i) {
    std::string s = i < v.size() ? fmt_time(v[i].t) + " " + v[i].text() : "";
    if (s.size() > width) s = s.substr(0, width - 1) + "~";
    return s + std::string(width - s.size(), ' ');
  };
  std::ostringstream o;
  std::string head = "tcpsim";
  o << "     " << head << std::string(width - head.size(), ' ') << " | kernel\n";
  std::size_t from = at > context ? at - context : 0;
  std::size_t to = std::min(std::max(sim.size(), kernel.size()), at + context + 1);
  for (std::size_t i = from; i < to; ++i) {
    bool differ = i >= sim.size() || i >= kernel.size() || sim[i].text() != kernel[i].text();
    o << (i == at ? ">> " : differ ? " ! " : "   ") << (i < 10 ? " " : "") << i % 100 << " "
      << cell(sim, i).substr(0, width) << " | " << cell(kernel, i) << "\n";
  }
  std::string s = o.str();
  // Trim trailing blanks on each line.
  std::string out;
  std::istringstream is(s);
  std::string line;
  while (std::getline(is, line)) {
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace tcpsim::kernel

namespace tcpsim::kernel {

const char* stop_name(ComparisonPlan::Stop s) {
  switch (s) {
    case ComparisonPlan::Stop::ScenarioEnd: return "scenario end";
    case ComparisonPlan::Stop::Duration: return "duration";
    case ComparisonPlan::Stop::ScenarioHorizon: return "kernel horizon";
    case ComparisonPlan::Stop::MaxDuration: return "max-duration";
  }
  return "?";
}

ComparisonPlan plan_comparison(const Scenario& sc, const Normalized& model, Time scripts_end,
                               Time max_duration) {
  ComparisonPlan p;
  p.events_total = model.all.size();
  for (const NormItem& it : model.all) p.model_last = std::max(p.model_last, it.t);
  p.scripts_end = scripts_end;
  // The scenario's own end: its last event, or later when a script still
  // sleeps (a sleep leaves nothing in the trace, but the kernel may act
  // meanwhile: its timers run), cut by `duration:`.
  Time end = std::max(p.model_last, scripts_end);
  const bool by_duration = sc.duration > 0 && end >= sc.duration;
  if (by_duration) end = sc.duration;
  // The kernel run may last max_duration; keep a second for it to catch up
  // with the model's last compared event.
  const Time cap = max_duration - sec(1);
  const Time limit = std::min(cap, sc.kernel_horizon);
  auto s = secs;
  if (end <= limit) {
    p.stop = by_duration ? ComparisonPlan::Stop::Duration : ComparisonPlan::Stop::ScenarioEnd;
    if (by_duration) {
      p.horizon = p.kernel_until = sc.duration;
      p.why = "whole scenario: its duration (" + s(sc.duration) + ")";
    } else {
      // Half a second after the end is watched in the kernel too: a late
      // retransmission or state change there is still a divergence.
      p.horizon = end + msec(500);
      p.kernel_until = end + sec(1);
      p.why = "whole scenario: the model's last event at " + s(p.model_last);
      if (scripts_end > p.model_last)
        p.why += ", the scripts' last sleep ends at " + s(scripts_end);
      p.why += "; the kernel was watched to " + s(p.horizon);
    }
  } else if (sc.kernel_horizon <= cap) {
    p.stop = ComparisonPlan::Stop::ScenarioHorizon;
    p.horizon = sc.kernel_horizon;
    p.kernel_until = std::min(p.horizon + sec(1), max_duration);
  } else {
    p.stop = ComparisonPlan::Stop::MaxDuration;
    Time last = 0, next = kNever;
    for (const NormItem& it : model.all) {
      if (it.t <= cap) last = std::max(last, it.t);
      else next = std::min(next, it.t);
    }
    if (next == kNever) next = end;
    p.horizon = last + std::min<Time>(msec(500), (next - last) / 2);
    p.kernel_until = std::min(last + sec(1), max_duration);
  }
  for (const NormItem& it : model.all) {
    if (it.t <= p.horizon) ++p.events_compared;
    else p.next_model_event = std::min(p.next_model_event, it.t);
  }
  if (!p.whole()) {
    std::string next = p.next_model_event != kNever
                           ? "the model's next event at " + s(p.next_model_event)
                           : "a script still runs until " + s(end);
    if (p.stop == ComparisonPlan::Stop::ScenarioHorizon)
      p.why = "stopped by the scenario's kernel horizon (" + s(sc.kernel_horizon) + ")" +
              (sc.kernel_skip_reason.empty() ? "" : ": " + sc.kernel_skip_reason) + "; " + next;
    else
      p.why = "stopped by --max-duration (" + s(max_duration) + "): " + next +
              " is past what the kernel run may last";
  }
  return p;
}

namespace {

// A script that runs threads: spawn:, or a loop with concurrent: true.
bool has_threads(const std::vector<Step>& steps) {
  for (const Step& st : steps)
    if (st.kind == StepKind::Spawn || (st.kind == StepKind::Loop && st.concurrent) || has_threads(st.body))
      return true;
  return false;
}

std::string coverage(const ComparisonPlan& p) {
  return std::to_string(p.events_compared) + (p.whole() ? "" : " of " + std::to_string(p.events_total)) +
         " model events up to " + secs(p.horizon);
}

}  // namespace

std::string variant_text(const Scenario& sc) {
  if (sc.kernel_variant_overrides.empty()) return {};
  std::string o = "kernel variant {";
  for (std::size_t i = 0; i < sc.kernel_variant_overrides.size(); ++i)
    o += (i ? ", " : "") + sc.kernel_variant_overrides[i].path + ": " + sc.kernel_variant_overrides[i].value;
  return o + "}";
}

ScenarioDiff diff_scenario(const Scenario& full, const ScenarioDiffOptions& opt) {
  ScenarioDiff r;
  if (!full.kernel_comparable && !opt.force) {
    r.outcome = ScenarioDiff::Outcome::Skipped;
    r.reason = full.kernel_skip_reason.empty() ? "marked not kernel-comparable" : full.kernel_skip_reason;
    r.summary = full.name + ": skipped: " + r.reason;
    return r;
  }
  if (std::string why = kernel_unavailable_reason(); !why.empty()) {
    r.outcome = ScenarioDiff::Outcome::Skipped;
    r.reason = why;
    r.summary = full.name + ": skipped: " + why;
    return r;
  }
  // kernel: {variant:}: the model and the kernel both run the smaller
  // scenario, and every line of the report names it with its overrides
  // (a match of the variant is not a match of the full scenario).
  r.variant = opt.use_variant && full.kernel_variant != nullptr;
  const Scenario& sc = r.variant ? *full.kernel_variant : full;
  const std::string name = r.variant ? full.name + ", compared as its " + variant_text(full) : full.name;
  try {
    r.sim = run_scenario(sc);
  } catch (const std::exception& e) {
    r.reason = std::string("simulator: ") + e.what();
    r.summary = name + ": error: " + r.reason;
    return r;
  }
  r.plan = plan_comparison(sc, normalize(r.sim), scripted_end(sc), opt.max_duration);
  if (r.variant) {
    // plan_comparison() speaks of "the scenario": here it is the variant,
    // whose reason the horizon's explanation quotes, or else this does.
    if (r.plan.why.rfind("whole scenario", 0) == 0) r.plan.why.replace(0, 14, "whole variant");
    if (r.plan.stop != ComparisonPlan::Stop::ScenarioHorizon && !sc.kernel_skip_reason.empty())
      r.plan.why += "; variant: " + sc.kernel_skip_reason;
  }
  KernelOptions kopt;
  kopt.max_duration = opt.max_duration;
  kopt.until = r.plan.kernel_until;
  kopt.congestion = opt.congestion;
  DiffOptions dopt = opt.diff;
  for (const auto& p : sc.processes)
    if (has_threads(p.script)) dopt.concurrent_processes.push_back(p.name);
  r.horizon = r.plan.horizon;
  dopt.horizon = r.horizon;
  KernelResult kr = kernel_run(sc, r.kernel, kopt);
  if (!kr.ok) {
    r.reason = "kernel: " + kr.error;
    r.summary = name + ": error: " + r.reason;
    return r;
  }
  r.diff = diff_traces(r.sim, r.kernel, dopt);
  r.outcome = r.diff.match ? ScenarioDiff::Outcome::Match : ScenarioDiff::Outcome::Diverged;
  // Never a bare "match" for part of a scenario: the summary says how far
  // (time, the model's events) and why it stopped.
  if (r.diff.match)
    r.summary = name + (r.plan.whole() ? ": match, " : ": match up to " + secs(r.horizon) + " only, ") +
                coverage(r.plan) + " (" + r.plan.why + ")";
  else
    r.summary = summary_line(name, r.diff) + " [compared " + coverage(r.plan) + ": " + r.plan.why + "]";
  // A divergence in a run the machine disturbed is not evidence about the
  // kernel: the summary says so (kernel-diff users run it again).
  r.disturbed = kr.disturbed;
  if (!r.diff.match && !r.disturbed.empty()) r.summary += " [disturbed run: " + r.disturbed + "]";
  return r;
}

ScenarioDiff diff_scenario_settled(const Scenario& sc, const ScenarioDiffOptions& opt, int runs) {
  std::vector<std::string> earlier;
  ScenarioDiff d = diff_scenario(sc, opt);
  for (int run = 1; run < runs && d.outcome == ScenarioDiff::Outcome::Diverged &&
                    (!d.disturbed.empty() || d.diff.category.rfind("timing", 0) == 0);
       ++run) {
    earlier.push_back(d.summary);
    d = diff_scenario(sc, opt);
  }
  d.earlier = std::move(earlier);
  return d;
}

}  // namespace tcpsim::kernel
