// tcpsim — the expect checker: compares a scenario's `expect:` block with a
// trace and explains every difference.
#include "tcpsim/check.hpp"

#include <algorithm>
#include <map>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace tcpsim {

std::uint32_t find_socket(const TraceMeta& m, const std::string& label) {
  std::string want = label;
  // "server/conn#1" is the first "server/conn".
  if (want.size() > 2 && want.compare(want.size() - 2, 2, "#1") == 0) want.resize(want.size() - 2);
  for (const auto& s : m.sockets)
    if (s.label == want) return s.id;
  return 0;
}

std::vector<TcpState> state_history(const Trace& t, std::uint32_t sock) {
  std::vector<TcpState> h;
  for (const auto& e : t.events) {
    if (e.kind != EventKind::State || e.sock != sock) continue;
    if (h.empty()) h.push_back(e.from);
    if (h.back() != e.to) h.push_back(e.to);
  }
  return h;
}

namespace {

std::string join_states(const std::vector<TcpState>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) s += ", ";
    s += state_name(v[i]);
  }
  return s + "]";
}

std::string join(const std::vector<std::string>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) s += ", ";
    s += v[i];
  }
  return s + "]";
}

// Where one socket is, as the stream goes by.
struct SockRun {
  TcpState state = TcpState::Closed;    // from State events and TCB snapshots (socket_at)
  TcpState counted = TcpState::Closed;  // from State events only (host counts, peaks)
  bool seen = false;                    // any event named it
  bool stated = false;                  // a State event named it
  std::int8_t orphan = -1;              // last TCB snapshot: -1 none, 0 held, 1 orphan
};

// Kept only when a `states:` or `durations:` expectation exists (out of
// SockRun, so a million-socket run without them costs 8 bytes a socket).
struct SockPast {
  std::vector<TcpState> history;             // `states:`
  std::vector<std::pair<Time, Time>> spans;  // per duration state: first entered, then left
};

struct SockAt {
  bool exists = false;
  TcpState state = TcpState::Closed;
};

// What a `calls:` expectation has seen so far.
struct CallRun {
  std::string call, process;
  std::size_t seen = 0;
  std::string failed;  // description of the call that decides the failure
};

struct EndRun {
  bool found = false;
  ProcOp op = ProcOp::Exit;
  std::string text;
  int status = 0;
};

}  // namespace

struct ExpectChecker::Impl {
  const Scenario& sc;
  const Expect& x;
  std::vector<std::string> hosts, procs;  // by host index, pid - 1
  // Socket labels the expectations name (only those: a big run has a million
  // others), by socket id; a relabel to a name no expectation uses drops it.
  std::unordered_set<std::string> wanted;
  std::unordered_map<std::uint32_t, std::string> labels;
  std::vector<SockRun> socks;                     // by socket id - 1
  std::unordered_map<std::uint32_t, SockPast> past;  // by socket id, see SockPast
  std::vector<std::map<TcpState, std::int64_t>> host_counts;
  bool any_at_state = false;
  std::vector<TcpState> duration_states;

  // `at:` snapshots, taken when the stream passes each time.
  std::vector<Time> at_times;  // sorted, unique
  std::size_t next_at = 0;
  std::map<Time, std::unordered_map<std::uint32_t, SockAt>> at_socks;
  std::map<Time, std::vector<std::map<TcpState, std::int64_t>>> at_counts;

  std::vector<std::vector<std::uint8_t>> seg_flags;  // per `segments:` expectation
  std::vector<CallRun> calls;
  std::vector<std::optional<std::pair<std::string, Time>>> signals;  // first match: text, time
  std::map<std::string, EndRun> ends;                                 // by process name
  std::vector<std::int64_t> count_n, count_cur;
  std::vector<int> count_host;                                        // resolved lazily
  bool resolved = false;

  explicit Impl(const Scenario& s) : sc(s), x(s.expect) {
    for (const auto& ea : x.at) {
      if (!ea.state.empty() || !ea.state_gone.empty()) any_at_state = true;
      at_times.push_back(ea.t);
    }
    std::sort(at_times.begin(), at_times.end());
    at_times.erase(std::unique(at_times.begin(), at_times.end()), at_times.end());
    for (const auto& d : x.durations)
      if (std::find(duration_states.begin(), duration_states.end(), d.state) == duration_states.end())
        duration_states.push_back(d.state);
    seg_flags.resize(x.segments.size());
    for (const auto& ec : x.calls) calls.push_back({ec.call == "exec" ? "execve" : ec.call, ec.process, 0, {}});
    signals.resize(x.signals.size());
    for (const auto& ex : x.exits) ends.emplace(ex.process, EndRun{});
    count_n.assign(x.counts.size(), 0);
    count_cur.assign(x.counts.size(), 0);
    auto want = [&](std::string l) {
      // "server/conn#1" is the first "server/conn".
      if (l.size() > 2 && l.compare(l.size() - 2, 2, "#1") == 0) l.resize(l.size() - 2);
      wanted.insert(std::move(l));
    };
    for (const auto& es : x.states) want(es.sock);
    for (const auto& ea : x.at) {
      for (const auto& kv : ea.state) want(kv.first);
      if (!ea.state_gone.empty()) want(ea.state_gone);
    }
    for (const auto& d : x.durations) want(d.sock);
  }

  int host_idx(const std::string& name) const {
    for (std::size_t i = 0; i < hosts.size(); ++i)
      if (hosts[i] == name) return static_cast<int>(i);
    return -1;
  }
  const std::string& proc_name(std::int32_t pid) const {
    static const std::string none;
    return pid >= 1 && static_cast<std::size_t>(pid) <= procs.size() ? procs[pid - 1] : none;
  }
  SockRun& sock(std::uint32_t id) {
    if (id > socks.size()) {
      socks.resize(id);
    }
    return socks[id - 1];
  }
  // socket_at: a CLOSED socket that no process holds is gone.
  static SockAt at_of(const SockRun& r) {
    SockAt a;
    if (!r.seen) return a;
    a.state = r.state;
    a.exists = r.state != TcpState::Closed || r.orphan == 0;
    return a;
  }
  void snapshot(Time t) {
    if (any_at_state) {
      auto& m = at_socks[t];
      for (std::size_t i = 0; i < socks.size(); ++i) {
        const SockAt a = at_of(socks[i]);
        if (a.exists || a.state != TcpState::Closed) m.emplace(static_cast<std::uint32_t>(i + 1), a);
      }
    }
    at_counts[t] = host_counts;
  }
  void pass_to(Time t) {  // events at time t follow: every `at:` time before t is complete
    while (next_at < at_times.size() && at_times[next_at] < t) snapshot(at_times[next_at++]);
  }
  void resolve_hosts() {
    if (resolved) return;
    resolved = true;
    for (const auto& ct : x.counts) count_host.push_back(ct.host.empty() ? -1 : host_idx(ct.host));
  }

  void event(const Event& e) {
    resolve_hosts();
    pass_to(e.t);
    if (e.sock) {
      SockRun& r = sock(e.sock);
      r.seen = true;
      if (e.kind == EventKind::State) r.state = e.to;
      if (e.has_tcb) {
        r.state = e.tcb.state;
        r.orphan = e.tcb.orphan ? 1 : 0;
      }
    }
    switch (e.kind) {
      case EventKind::State: on_state(e); break;
      case EventKind::Segment:
        if (e.seg_op == SegOp::Send) on_send(e);
        break;
      case EventKind::Call: on_call(e); break;
      case EventKind::Signal: {
        const std::string& name = proc_name(e.pid);
        for (std::size_t i = 0; i < x.signals.size(); ++i) {
          const auto& sg = x.signals[i];
          if (signals[i] || name != sg.process || (!sg.action.empty() && e.text != sg.action)) continue;
          signals[i] = std::make_pair(e.text, e.t);
        }
        break;
      }
      case EventKind::Process:
        if (e.proc_op == ProcOp::Exit || e.proc_op == ProcOp::Killed) {
          auto it = ends.find(proc_name(e.pid));
          if (it != ends.end() && !it->second.found) it->second = {true, e.proc_op, e.text, e.status};
        }
        break;
      default: break;
    }
  }

  void on_state(const Event& e) {
    SockRun& r = sock(e.sock);
    if (!x.states.empty()) {
      auto& history = past[e.sock].history;
      if (history.empty()) history.push_back(e.from);
      if (history.back() != e.to) history.push_back(e.to);
    }
    if (!duration_states.empty()) {
      auto& spans = past[e.sock].spans;
      if (spans.empty()) spans.assign(duration_states.size(), {Time(-1), Time(-1)});
      for (std::size_t i = 0; i < duration_states.size(); ++i) {
        auto& sp = spans[i];
        if (e.to == duration_states[i] && sp.first < 0) sp.first = e.t;
        else if (sp.first >= 0 && e.from == duration_states[i] && sp.second < 0) sp.second = e.t;
      }
    }
    // Peaks: sockets of a host in a state, as each state event lands.
    for (std::size_t i = 0; i < x.counts.size(); ++i) {
      const auto& ct = x.counts[i];
      if (ct.what != "peak") continue;
      if (count_host[i] >= 0 && e.host != count_host[i]) continue;
      const bool was = r.stated && ct.state && r.counted == *ct.state;
      const bool is = ct.state && e.to == *ct.state;
      count_cur[i] += (is ? 1 : 0) - (was ? 1 : 0);
      count_n[i] = std::max(count_n[i], count_cur[i]);
    }
    if (e.host >= host_counts.size()) host_counts.resize(e.host + 1u);
    auto& hc = host_counts[e.host];
    if (r.stated && r.counted != TcpState::Closed && --hc[r.counted] == 0) hc.erase(r.counted);
    if (e.to != TcpState::Closed) ++hc[e.to];
    r.counted = e.to;
    r.stated = true;
  }

  void on_send(const Event& e) {
    // A router passing a segment on sends no new segment: expectations
    // count what TCPs send (and a NAT's own RST), once.
    if (e.forwarded) return;
    for (std::size_t i = 0; i < x.segments.size(); ++i) {
      const auto& sg = x.segments[i];
      const int hi = sg.from.empty() ? -1 : host_idx(sg.from);
      if (hi >= 0 && e.host != hi) continue;
      seg_flags[i].push_back(e.seg.flags);
    }
    for (std::size_t i = 0; i < x.counts.size(); ++i) {
      const auto& ct = x.counts[i];
      if (ct.what != "segments" && ct.what != "retransmissions" && ct.what != "rst") continue;
      if (count_host[i] >= 0 && e.host != count_host[i]) continue;
      if (ct.what == "retransmissions" && !e.retrans) continue;
      if (ct.what == "rst" && !(e.seg.flags & kRst)) continue;
      if (ct.flags && flags_string(e.seg.flags) != *ct.flags) continue;
      ++count_n[i];
    }
  }

  void on_call(const Event& e) {
    for (std::size_t i = 0; i < x.counts.size(); ++i)
      if (x.counts[i].what == "wakeups" && e.call == "epoll_wait" && (count_host[i] < 0 || e.host == count_host[i]))
        ++count_n[i];
    const std::string& name = proc_name(e.pid);
    for (std::size_t i = 0; i < calls.size(); ++i) {
      CallRun& c = calls[i];
      if (c.call != e.call || c.process != name) continue;
      const auto& ec = x.calls[i];
      ++c.seen;
      const bool decides = ec.nth > 0 ? c.seen == static_cast<std::size_t>(ec.nth) : c.failed.empty();
      if (!decides || call_ok(ec, e)) continue;
      c.failed = std::to_string(e.ret);
      if (e.err) c.failed += std::string(" ") + errno_name(e.err);
      const auto arrow = e.args.find(" -> ");
      if ((!ec.fields.empty() || ec.rto) && arrow != std::string::npos) c.failed += " (" + e.args.substr(arrow + 4) + ")";
      c.failed += " at " + format_time(e.t);
    }
  }
  // getsockopt's value, traced after " -> " as "name=value" pairs.
  static std::map<std::string, std::string> call_fields(const std::string& args) {
    std::map<std::string, std::string> out;
    const auto arrow = args.find(" -> ");
    if (arrow == std::string::npos) return out;
    std::istringstream in(args.substr(arrow + 4));
    std::string kv;
    while (in >> kv) {
      const auto eq = kv.find('=');
      if (eq != std::string::npos) out[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    return out;
  }
  static bool call_ok(const ExpectCall& ec, const Event& e) {
    if (ec.ret && e.ret != *ec.ret) return false;
    if (!ec.fields.empty() || ec.rto) {
      const auto got = call_fields(e.args);
      for (const auto& [k, v] : ec.fields) {
        auto it = got.find(k);
        if (it == got.end() || it->second != v) return false;
      }
      if (ec.rto) {
        auto it = got.find("rto");
        const auto rto = it == got.end() ? std::nullopt : parse_duration(it->second);
        if (!rto || *rto < *ec.rto - ec.tolerance || *rto > *ec.rto + ec.tolerance) return false;
      }
    }
    if (ec.err) {
      if (*ec.err == "none") return e.err == 0;
      const char* n = errno_name(e.err);
      return n && *ec.err == n;
    }
    return true;
  }

  std::vector<CheckFailure> finish();
};

std::vector<CheckFailure> ExpectChecker::Impl::finish() {
  resolve_hosts();
  while (next_at < at_times.size()) snapshot(at_times[next_at++]);
  std::vector<CheckFailure> out;
  // Labels resolve once, at the end (an accepted child gets its label late),
  // and only those the expectations name: the first socket that carries it.
  std::unordered_map<std::string, std::uint32_t> by_label;
  auto socket_id = [&](const std::string& label) -> std::uint32_t {
    std::string want = label;
    // "server/conn#1" is the first "server/conn".
    if (want.size() > 2 && want.compare(want.size() - 2, 2, "#1") == 0) want.resize(want.size() - 2);
    auto it = by_label.find(want);
    if (it != by_label.end()) return it->second;
    std::uint32_t id = 0;
    for (const auto& [sid, l] : labels)
      if (l == want && (!id || sid < id)) id = sid;
    by_label.emplace(want, id);
    return id;
  };
  static const SockPast unseen;
  auto run_of = [&](std::uint32_t id) -> const SockPast& {
    auto it = past.find(id);
    return it == past.end() ? unseen : it->second;
  };

  for (const auto& es : x.states) {
    const std::uint32_t id = socket_id(es.sock);
    if (!id) {
      out.push_back({es.loc, "states of " + es.sock, join_states(es.states), "no such socket in the run"});
      continue;
    }
    const auto& h = run_of(id).history;
    if (h != es.states) out.push_back({es.loc, "states of " + es.sock, join_states(es.states), join_states(h)});
  }

  for (std::size_t i = 0; i < x.segments.size(); ++i) {
    const auto& sg = x.segments[i];
    std::vector<std::string> got;
    got.reserve(seg_flags[i].size());
    for (std::uint8_t f : seg_flags[i]) got.push_back(flags_string(f));
    if (got != sg.flags)
      out.push_back({sg.loc, sg.from.empty() ? "segment flags" : "segment flags from " + sg.from, join(sg.flags),
                     join(got)});
  }

  for (std::size_t i = 0; i < x.calls.size(); ++i) {
    const auto& ec = x.calls[i];
    const CallRun& c = calls[i];
    std::string expected = ec.ret ? std::to_string(*ec.ret) : std::string("any");
    if (ec.err) expected += " " + *ec.err;
    if (!ec.fields.empty() || ec.rto) {
      std::string f;
      for (const auto& [k, v] : ec.fields) f += (f.empty() ? "" : " ") + k + "=" + v;
      if (ec.rto)
        f += (f.empty() ? "" : " ") + std::string("rto=") + format_duration(*ec.rto) +
             (ec.tolerance ? "±" + format_duration(ec.tolerance) : std::string());
      expected += " (" + f + ")";
    }
    const std::string what =
        ec.process + " " + ec.call + "()" + (ec.nth > 0 ? " #" + std::to_string(ec.nth) : " (every call)");
    if (ec.nth > 0 && static_cast<std::size_t>(ec.nth) > c.seen)
      out.push_back({ec.loc, what, expected, "only " + std::to_string(c.seen) + " such call(s) happened"});
    else if (ec.nth == 0 && c.seen == 0)
      out.push_back({ec.loc, what, expected, "no such call happened"});
    else if (!c.failed.empty())
      out.push_back({ec.loc, what, expected, c.failed});
  }

  for (const auto& ea : x.at) {
    const auto& snap = at_socks[ea.t];
    auto sock_at = [&](std::uint32_t id) {
      auto it = snap.find(id);
      return it == snap.end() ? SockAt{} : it->second;
    };
    for (const auto& kv : ea.state) {
      const std::uint32_t id = socket_id(kv.first);
      const SockAt sa = id ? sock_at(id) : SockAt{};
      const std::string what = "state of " + kv.first + " at " + format_time(ea.t) + " s";
      if (!id) out.push_back({ea.loc, what, state_name(kv.second), "no such socket in the run"});
      else if (!sa.exists && kv.second != TcpState::Closed)
        out.push_back({ea.loc, what, state_name(kv.second), "the socket does not exist then"});
      else if (sa.state != kv.second)
        out.push_back({ea.loc, what, state_name(kv.second), state_name(sa.state)});
    }
    if (!ea.state_gone.empty()) {
      const std::uint32_t id = socket_id(ea.state_gone);
      const SockAt sa = id ? sock_at(id) : SockAt{};
      if (sa.exists)
        out.push_back({ea.loc, ea.state_gone + " at " + format_time(ea.t) + " s", "gone",
                       std::string("still exists in ") + state_name(sa.state)});
    }
    const auto& counts = at_counts[ea.t];
    for (const auto& hc : ea.count) {
      const int hi = host_idx(hc.first);
      static const std::map<TcpState, std::int64_t> none;
      const auto& c = hi >= 0 && static_cast<std::size_t>(hi) < counts.size() ? counts[hi] : none;
      for (const auto& sc : hc.second) {
        auto it = c.find(sc.first);
        const std::int64_t got = it == c.end() ? 0 : it->second;
        if (got != sc.second)
          out.push_back({ea.loc,
                         std::string("sockets in ") + state_name(sc.first) + " on " + hc.first + " at " +
                             format_time(ea.t) + " s",
                         std::to_string(sc.second), std::to_string(got)});
      }
    }
  }

  for (std::size_t i = 0; i < x.signals.size(); ++i) {
    const auto& sg = x.signals[i];
    const std::string what = sg.signal + " to " + sg.process;
    if (sg.absent && signals[i])
      out.push_back({sg.loc, what, "none", signals[i]->first + " at " + format_time(signals[i]->second)});
    if (!sg.absent && !signals[i])
      out.push_back({sg.loc, what, sg.action.empty() ? "delivered" : sg.action, "not delivered"});
  }

  for (const auto& ex : x.exits) {
    const EndRun& found = ends[ex.process];
    std::string expected = !ex.killed_by.empty() ? "killed by " + ex.killed_by
                           : ex.status           ? "exit status " + std::to_string(*ex.status)
                                                 : "exits";
    if (!found.found) {
      out.push_back({ex.loc, "end of " + ex.process, expected, "still running at the end"});
      continue;
    }
    if (!ex.killed_by.empty()) {
      if (found.op != ProcOp::Killed || found.text.find(ex.killed_by) == std::string::npos)
        out.push_back({ex.loc, "end of " + ex.process, expected,
                       std::string(proc_op_name(found.op)) + " (" + found.text + ")"});
    } else if (ex.status && (found.op != ProcOp::Exit || found.status != *ex.status)) {
      out.push_back({ex.loc, "end of " + ex.process, expected,
                     std::string(proc_op_name(found.op)) + " status " + std::to_string(found.status)});
    }
  }

  for (std::size_t i = 0; i < x.counts.size(); ++i) {
    const auto& ct = x.counts[i];
    const std::int64_t n = count_n[i];
    if (n < ct.min || n > ct.max) {
      std::string range = ct.min == ct.max       ? std::to_string(ct.min)
                          : ct.max == INT64_MAX ? "at least " + std::to_string(ct.min)
                                                : std::to_string(ct.min) + ".." + std::to_string(ct.max);
      std::string what = "count of " + ct.what;
      if (ct.flags) what += " [" + *ct.flags + "]";
      if (ct.state) what += std::string(" in ") + state_name(*ct.state);
      if (!ct.host.empty()) what += " on " + ct.host;
      out.push_back({ct.loc, what, range, std::to_string(n)});
    }
  }

  for (const auto& d : x.durations) {
    const std::uint32_t id = socket_id(d.sock);
    const auto& spans = run_of(id).spans;
    const std::size_t k =
        std::find(duration_states.begin(), duration_states.end(), d.state) - duration_states.begin();
    const Time entered = k < spans.size() ? spans[k].first : -1, left = k < spans.size() ? spans[k].second : -1;
    const std::string what = "time " + d.sock + " spent in " + state_name(d.state);
    if (entered < 0) {
      out.push_back({d.loc, what, format_duration(d.duration), "never entered"});
    } else if (left < 0) {
      out.push_back({d.loc, what, format_duration(d.duration), "never left"});
    } else {
      const Time got = left - entered;
      const Time diff = got > d.duration ? got - d.duration : d.duration - got;
      if (diff > d.tolerance) out.push_back({d.loc, what, format_duration(d.duration), format_time(got) + " s"});
    }
  }
  return out;
}

ExpectChecker::ExpectChecker(const Scenario& s) : impl_(std::make_unique<Impl>(s)) {}
ExpectChecker::~ExpectChecker() = default;
void ExpectChecker::on_host(const HostInfo& h) { impl_->hosts.push_back(h.name); }
void ExpectChecker::on_process(const ProcessInfo& p) {
  if (static_cast<std::size_t>(p.pid) > impl_->procs.size()) impl_->procs.resize(p.pid);
  impl_->procs[p.pid - 1] = p.name;
}
void ExpectChecker::on_socket(const SocketInfo& s) {
  // A second call relabels.
  if (impl_->wanted.count(s.label)) impl_->labels[s.id] = s.label;
  else impl_->labels.erase(s.id);
}
void ExpectChecker::on_event(const Event& e) { impl_->event(e); }
bool ExpectChecker::wants_events() const { return !impl_->x.empty(); }
bool ExpectChecker::wants_tcb() const { return impl_->any_at_state; }
std::uint32_t ExpectChecker::event_kinds() const {
  // A socket's existence at a time reads the last TCB snapshot of any event
  // naming it: then every kind counts.
  if (impl_->any_at_state) return ~0u;
  // Segments: only those sent (no kArrivals).
  auto bit = [](EventKind k) { return 1u << static_cast<unsigned>(k); };
  return bit(EventKind::Segment) | bit(EventKind::State) | bit(EventKind::Call) | bit(EventKind::Signal) |
         bit(EventKind::Process);
}
std::vector<CheckFailure> ExpectChecker::finish() { return impl_->finish(); }

std::vector<CheckFailure> check_expectations(const Scenario& s, const Trace& tr) {
  ExpectChecker c(s);
  for (const auto& h : tr.meta.hosts) c.on_host(h);
  for (const auto& p : tr.meta.processes)
    if (p.pid >= 1) c.on_process(p);
  for (const auto& so : tr.meta.sockets)
    if (so.id >= 1) c.on_socket(so);
  for (const auto& e : tr.events) c.on_event(e);
  return c.finish();
}

std::string format_failures(const std::vector<CheckFailure>& f) {
  std::ostringstream o;
  for (const auto& x : f) {
    o << x.loc.str() << ": expectation failed: " << x.what << "\n"
      << "    expected: " << x.expected << "\n"
      << "    actual:   " << x.actual << "\n";
  }
  return o.str();
}

}  // namespace tcpsim
