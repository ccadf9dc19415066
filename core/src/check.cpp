// tcpsim — the expect checker: compares a scenario's `expect:` block with a
// trace and explains every difference.
#include "tcpsim/check.hpp"

#include <algorithm>
#include <map>
#include <sstream>
#include <unordered_map>

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

int host_idx(const TraceMeta& m, const std::string& name) {
  for (std::size_t i = 0; i < m.hosts.size(); ++i)
    if (m.hosts[i].name == name) return static_cast<int>(i);
  return -1;
}

// State of a socket at time t (after all events at t). nullopt: not yet
// created or already destroyed.
struct SockAt {
  bool exists = false;
  TcpState state = TcpState::Closed;
};

std::map<TcpState, std::int64_t> counts_at(const std::vector<const Event*>& states, int host, Time t) {
  std::map<std::uint32_t, TcpState> st;
  for (const Event* e : states) {
    if (e->t > t) break;
    if (e->host != host) continue;
    st[e->sock] = e->to;
  }
  std::map<TcpState, std::int64_t> c;
  for (const auto& kv : st)
    if (kv.second != TcpState::Closed) ++c[kv.second];
  return c;
}

// One pass over the trace sorts out what every kind of expectation reads, so
// checking costs O(events + expectations), not their product (20,000 calls
// expectations on a 20,000-connection run took minutes).
struct TraceIndex {
  std::unordered_map<std::uint32_t, std::vector<const Event*>> by_sock;    // events naming a socket
  std::unordered_map<std::uint32_t, std::vector<const Event*>> states;     // state events per socket
  std::map<std::pair<std::string, std::string>, std::vector<const Event*>> calls;  // (call, process)
  std::vector<const Event*> sends;                                          // segments sent
  std::vector<const Event*> signals, ends, state_events;

  explicit TraceIndex(const Trace& tr) {
    for (const auto& e : tr.events) {
      if (e.sock) by_sock[e.sock].push_back(&e);
      switch (e.kind) {
        case EventKind::State:
          states[e.sock].push_back(&e);
          state_events.push_back(&e);
          break;
        case EventKind::Segment:
          if (e.seg_op == SegOp::Send) sends.push_back(&e);
          break;
        case EventKind::Call: {
          const ProcessInfo* p = tr.meta.process(e.pid);
          calls[{e.call, p ? p->name : std::string()}].push_back(&e);
          break;
        }
        case EventKind::Signal: signals.push_back(&e); break;
        case EventKind::Process:
          if (e.proc_op == ProcOp::Exit || e.proc_op == ProcOp::Killed) ends.push_back(&e);
          break;
        default: break;
      }
    }
  }
  const std::vector<const Event*>& of(const std::unordered_map<std::uint32_t, std::vector<const Event*>>& m,
                                      std::uint32_t id) const {
    static const std::vector<const Event*> none;
    auto it = m.find(id);
    return it == m.end() ? none : it->second;
  }
};

// socket_at over the socket's own events only.
SockAt socket_at(const TraceIndex& ix, std::uint32_t id, Time t) {
  SockAt r;
  const auto& ev = ix.of(ix.by_sock, id);
  auto end = std::upper_bound(ev.begin(), ev.end(), t, [](Time x, const Event* e) { return x < e->t; });
  if (end == ev.begin()) return r;
  r.exists = true;
  for (auto it = ev.begin(); it != end; ++it) {
    const Event& e = **it;
    if (e.kind == EventKind::State) r.state = e.to;
    if (e.has_tcb) r.state = e.tcb.state;
  }
  if (r.state == TcpState::Closed) {
    // A CLOSED socket that no process holds is gone.
    r.exists = false;
    for (auto it = end; it != ev.begin();) {
      --it;
      if (!(*it)->has_tcb) continue;
      r.exists = !(*it)->tcb.orphan;
      break;
    }
  }
  return r;
}

}  // namespace

std::vector<CheckFailure> check_expectations(const Scenario& s, const Trace& tr) {
  std::vector<CheckFailure> out;
  const TraceMeta& m = tr.meta;
  const Expect& x = s.expect;
  const TraceIndex ix(tr);
  auto history = [&](std::uint32_t id) {
    std::vector<TcpState> h;
    for (const Event* e : ix.of(ix.states, id)) {
      if (h.empty()) h.push_back(e->from);
      if (h.back() != e->to) h.push_back(e->to);
    }
    return h;
  };
  // find_socket by label, through a map built once.
  std::unordered_map<std::string, std::uint32_t> by_label;
  for (const auto& si : m.sockets) by_label.emplace(si.label, si.id);
  auto socket_id = [&](const std::string& label) -> std::uint32_t {
    std::string want = label;
    if (want.size() > 2 && want.compare(want.size() - 2, 2, "#1") == 0) want.resize(want.size() - 2);
    auto it = by_label.find(want);
    return it == by_label.end() ? 0 : it->second;
  };

  for (const auto& es : x.states) {
    const std::uint32_t id = socket_id(es.sock);
    if (!id) {
      out.push_back({es.loc, "states of " + es.sock, join_states(es.states), "no such socket in the run"});
      continue;
    }
    auto h = history(id);
    if (h != es.states) out.push_back({es.loc, "states of " + es.sock, join_states(es.states), join_states(h)});
  }

  for (const auto& sg : x.segments) {
    std::vector<std::string> got;
    const int hi = sg.from.empty() ? -1 : host_idx(m, sg.from);
    for (const Event* e : ix.sends) {
      if (hi >= 0 && e->host != hi) continue;
      got.push_back(flags_string(e->seg.flags));
    }
    if (got != sg.flags)
      out.push_back({sg.loc, sg.from.empty() ? "segment flags" : "segment flags from " + sg.from,
                     join(sg.flags), join(got)});
  }

  for (const auto& ec : x.calls) {
    // The scenario's step names ("exec") and the traced system calls
    // ("execve") are the same call.
    const std::string call_name = ec.call == "exec" ? "execve" : ec.call;
    static const std::vector<const Event*> no_calls;
    auto found_calls = ix.calls.find({call_name, ec.process});
    const std::vector<const Event*>& calls = found_calls == ix.calls.end() ? no_calls : found_calls->second;
    auto describe = [](const Event* e) {
      std::string d = std::to_string(e->ret);
      if (e->err) d += std::string(" ") + errno_name(e->err);
      return d + " at " + format_time(e->t);
    };
    auto expected_str = [&] {
      std::string d = ec.ret ? std::to_string(*ec.ret) : std::string("any");
      if (ec.err) d += " " + *ec.err;
      return d;
    };
    auto ok = [&](const Event* e) {
      if (ec.ret && e->ret != *ec.ret) return false;
      if (ec.err) {
        if (*ec.err == "none") return e->err == 0;
        const char* n = errno_name(e->err);
        return n && *ec.err == n;
      }
      return true;
    };
    const std::string what = ec.process + " " + ec.call + "()" +
                             (ec.nth > 0 ? " #" + std::to_string(ec.nth) : " (every call)");
    if (ec.nth > 0) {
      if (static_cast<std::size_t>(ec.nth) > calls.size()) {
        out.push_back({ec.loc, what, expected_str(),
                       "only " + std::to_string(calls.size()) + " such call(s) happened"});
      } else if (!ok(calls[ec.nth - 1])) {
        out.push_back({ec.loc, what, expected_str(), describe(calls[ec.nth - 1])});
      }
    } else {
      if (calls.empty()) out.push_back({ec.loc, what, expected_str(), "no such call happened"});
      for (const Event* e : calls)
        if (!ok(e)) {
          out.push_back({ec.loc, what, expected_str(), describe(e)});
          break;
        }
    }
  }

  std::map<std::pair<int, Time>, std::map<TcpState, std::int64_t>> count_cache;
  for (const auto& ea : x.at) {
    for (const auto& kv : ea.state) {
      const std::uint32_t id = socket_id(kv.first);
      const SockAt sa = id ? socket_at(ix, id, ea.t) : SockAt{};
      const std::string what = "state of " + kv.first + " at " + format_time(ea.t) + " s";
      if (!id) out.push_back({ea.loc, what, state_name(kv.second), "no such socket in the run"});
      else if (!sa.exists && kv.second != TcpState::Closed)
        out.push_back({ea.loc, what, state_name(kv.second), "the socket does not exist then"});
      else if (sa.state != kv.second)
        out.push_back({ea.loc, what, state_name(kv.second), state_name(sa.state)});
    }
    if (!ea.state_gone.empty()) {
      const std::uint32_t id = socket_id(ea.state_gone);
      const SockAt sa = id ? socket_at(ix, id, ea.t) : SockAt{};
      if (sa.exists)
        out.push_back({ea.loc, ea.state_gone + " at " + format_time(ea.t) + " s", "gone",
                       std::string("still exists in ") + state_name(sa.state)});
    }
    for (const auto& hc : ea.count) {
      const int hi = host_idx(m, hc.first);
      auto cached = count_cache.find({hi, ea.t});
      if (cached == count_cache.end())
        cached = count_cache.emplace(std::make_pair(hi, ea.t), counts_at(ix.state_events, hi, ea.t)).first;
      auto c = cached->second;
      for (const auto& sc : hc.second) {
        const std::int64_t got = c.count(sc.first) ? c[sc.first] : 0;
        if (got != sc.second)
          out.push_back({ea.loc,
                         std::string("sockets in ") + state_name(sc.first) + " on " + hc.first + " at " +
                             format_time(ea.t) + " s",
                         std::to_string(sc.second), std::to_string(got)});
      }
    }
  }

  for (const auto& sg : x.signals) {
    const Event* found = nullptr;
    for (const Event* e : ix.signals) {
      const ProcessInfo* p = m.process(e->pid);
      if (!p || p->name != sg.process) continue;
      if (!sg.action.empty() && e->text != sg.action) continue;
      found = e;
      break;
    }
    const std::string what = sg.signal + " to " + sg.process;
    if (sg.absent && found)
      out.push_back({sg.loc, what, "none", found->text + " at " + format_time(found->t)});
    if (!sg.absent && !found)
      out.push_back({sg.loc, what, sg.action.empty() ? "delivered" : sg.action, "not delivered"});
  }

  for (const auto& ex : x.exits) {
    const Event* found = nullptr;
    for (const Event* e : ix.ends) {
      const ProcessInfo* p = m.process(e->pid);
      if (p && p->name == ex.process) {
        found = e;
        break;
      }
    }
    std::string expected = !ex.killed_by.empty() ? "killed by " + ex.killed_by
                           : ex.status           ? "exit status " + std::to_string(*ex.status)
                                                 : "exits";
    if (!found) {
      out.push_back({ex.loc, "end of " + ex.process, expected, "still running at the end"});
      continue;
    }
    if (!ex.killed_by.empty()) {
      if (found->proc_op != ProcOp::Killed || found->text.find(ex.killed_by) == std::string::npos)
        out.push_back({ex.loc, "end of " + ex.process, expected,
                       std::string(proc_op_name(found->proc_op)) + " (" + found->text + ")"});
    } else if (ex.status && (found->proc_op != ProcOp::Exit || found->status != *ex.status)) {
      out.push_back({ex.loc, "end of " + ex.process, expected,
                     std::string(proc_op_name(found->proc_op)) + " status " + std::to_string(found->status)});
    }
  }

  for (const auto& ct : x.counts) {
    std::int64_t n = 0;
    const int hi = ct.host.empty() ? -1 : host_idx(m, ct.host);
    if (ct.what == "segments" || ct.what == "retransmissions" || ct.what == "rst") {
      for (const Event* e : ix.sends) {
        if (hi >= 0 && e->host != hi) continue;
        if (ct.what == "retransmissions" && !e->retrans) continue;
        if (ct.what == "rst" && !(e->seg.flags & kRst)) continue;
        if (ct.flags && flags_string(e->seg.flags) != *ct.flags) continue;
        ++n;
      }
    } else if (ct.what == "wakeups") {
      for (const auto& e : tr.events)
        if (e.kind == EventKind::Call && e.call == "epoll_wait" && (hi < 0 || e.host == hi)) ++n;
    } else if (ct.what == "peak") {
      std::map<std::uint32_t, TcpState> st;
      std::int64_t cur = 0;
      for (const Event* ep : ix.state_events) {
        const Event& e = *ep;
        if (hi >= 0 && e.host != hi) continue;
        auto it = st.find(e.sock);
        const bool was = it != st.end() && ct.state && it->second == *ct.state;
        const bool is = ct.state && e.to == *ct.state;
        st[e.sock] = e.to;
        cur += (is ? 1 : 0) - (was ? 1 : 0);
        n = std::max(n, cur);
      }
    }
    if (n < ct.min || n > ct.max) {
      std::string range = ct.min == ct.max ? std::to_string(ct.min)
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
    Time entered = -1, left = -1;
    for (const Event* e : ix.of(ix.states, id)) {
      if (e->to == d.state && entered < 0) entered = e->t;
      else if (entered >= 0 && e->from == d.state && left < 0) left = e->t;
    }
    const std::string what = "time " + d.sock + " spent in " + state_name(d.state);
    if (entered < 0) {
      out.push_back({d.loc, what, format_duration(d.duration), "never entered"});
    } else if (left < 0) {
      out.push_back({d.loc, what, format_duration(d.duration), "never left"});
    } else {
      const Time got = left - entered;
      const Time diff = got > d.duration ? got - d.duration : d.duration - got;
      if (diff > d.tolerance)
        out.push_back({d.loc, what, format_duration(d.duration), format_time(got) + " s"});
    }
  }
  return out;
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
