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
  std::map<std::pair<End, End>, int> conn;              // unordered endpoint pair -> number
  std::map<std::pair<End, End>, std::uint32_t> isn;     // (from, to) -> ISN of that direction
  std::map<std::uint32_t, std::string> unlabelled;      // socket id -> synthetic key
  std::map<std::string, int> unlabelled_count;
  std::map<std::uint32_t, std::string> last_state;      // socket -> last distinct state

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

  for (const Event& e : trace.events) {
    if (e.t > opt.horizon) break;
    NormItem it;
    it.t = e.t;
    switch (e.kind) {
      case EventKind::Segment: {
        if (e.seg_op != SegOp::Send) continue;
        const Segment& s = e.seg;
        End a{s.src_ip, s.sport}, b{s.dst_ip, s.dport};
        auto key = a < b ? std::make_pair(a, b) : std::make_pair(b, a);
        auto c = conn.find(key);
        if (c == conn.end()) c = conn.emplace(key, static_cast<int>(conn.size()) + 1).first;
        if ((s.flags & kSyn) && !(s.flags & kRst)) isn[{a, b}] = s.seq;
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
        it.who = "c" + std::to_string(c->second) + " " + host_name(m, s.src_ip) + ">" +
                 host_name(m, s.dst_ip);
        it.what = w.str();
        n.segments.push_back(it);
        break;
      }
      case EventKind::State: {
        std::string key = sock_key(e);
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
        it.what = w.str();
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
      for (std::size_t j = i + 1; j < ker.size() && j <= i + 2; ++j)
        if (ker[j].text() == sim[i].text() && std::llabs(ker[j].t - ker[i].t) <= o.swap_window &&
            ker[j].who != ker[i].who) {
          std::swap(ker[i], ker[j]);
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
  consider(best, compare_lists(a.segments, b.segments, "segments", opt, true));
  std::map<std::string, bool> keys;
  for (auto& [k, v] : a.states) keys[k] = true;
  for (auto& [k, v] : b.states) keys[k] = true;
  for (auto& [k, v] : keys) {
    (void)v;
    consider(best, compare_lists(a.states[k], b.states[k], "states of " + k, opt, false));
  }
  keys.clear();
  for (auto& [k, v] : a.calls) keys[k] = true;
  for (auto& [k, v] : b.calls) keys[k] = true;
  for (auto& [k, v] : keys) {
    (void)v;
    consider(best, compare_lists(a.calls[k], b.calls[k], "calls of " + k, opt, false));
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

ScenarioDiff diff_scenario(const Scenario& sc, const ScenarioDiffOptions& opt) {
  ScenarioDiff r;
  if (!sc.kernel_comparable && !opt.force) {
    r.outcome = ScenarioDiff::Outcome::Skipped;
    r.reason = sc.kernel_skip_reason.empty() ? "marked not kernel-comparable" : sc.kernel_skip_reason;
    r.summary = sc.name + ": skipped: " + r.reason;
    return r;
  }
  if (std::string why = kernel_unavailable_reason(); !why.empty()) {
    r.outcome = ScenarioDiff::Outcome::Skipped;
    r.reason = why;
    r.summary = sc.name + ": skipped: " + why;
    return r;
  }
  try {
    r.sim = run_scenario(sc);
  } catch (const std::exception& e) {
    r.reason = std::string("simulator: ") + e.what();
    r.summary = sc.name + ": error: " + r.reason;
    return r;
  }
  // The last simulated event the kernel run can reach.
  Time last = 0;
  for (const Event& e : r.sim.events)
    if (e.kind != EventKind::Timer && e.t <= opt.max_duration - sec(1)) last = std::max(last, e.t);
  KernelOptions kopt;
  kopt.max_duration = opt.max_duration;
  kopt.until = std::min(last + sec(1), opt.max_duration);
  DiffOptions dopt = opt.diff;
  r.horizon = kopt.until - msec(500);
  dopt.horizon = r.horizon;
  KernelResult kr = kernel_run(sc, r.kernel, kopt);
  if (!kr.ok) {
    r.reason = "kernel: " + kr.error;
    r.summary = sc.name + ": error: " + r.reason;
    return r;
  }
  r.diff = diff_traces(r.sim, r.kernel, dopt);
  r.outcome = r.diff.match ? ScenarioDiff::Outcome::Match : ScenarioDiff::Outcome::Diverged;
  r.summary = summary_line(sc.name, r.diff);
  Time sim_end = r.sim.events.empty() ? 0 : r.sim.events.back().t;
  if (sim_end > r.horizon) r.summary += " [compared up to " + format_time(r.horizon) + " s]";
  return r;
}

}  // namespace tcpsim::kernel
