// tcpsim — the expect checker: compares a scenario's `expect:` block with a
// trace and explains every difference.
#include "tcpsim/check.hpp"

#include <algorithm>
#include <sstream>

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

int process_pid(const TraceMeta& m, const std::string& name) {
  for (const auto& p : m.processes)
    if (p.name == name) return p.pid;
  return 0;
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

SockAt socket_at(const Trace& tr, std::uint32_t id, Time t) {
  SockAt r;
  bool seen = false;
  for (const auto& e : tr.events) {
    if (e.t > t) break;
    if (e.sock != id) continue;
    if (!seen) {
      seen = true;
      r.exists = true;
    }
    if (e.kind == EventKind::State) r.state = e.to;
    if (e.has_tcb) r.state = e.tcb.state;
  }
  if (seen && r.state == TcpState::Closed) {
    // A CLOSED socket that no process holds is gone.
    r.exists = false;
    for (auto it = tr.events.rbegin(); it != tr.events.rend(); ++it) {
      if (it->t > t || it->sock != id || !it->has_tcb) continue;
      r.exists = !it->tcb.orphan;
      break;
    }
  }
  return r;
}

std::map<TcpState, std::int64_t> counts_at(const Trace& tr, int host, Time t) {
  std::map<std::uint32_t, TcpState> st;
  for (const auto& e : tr.events) {
    if (e.t > t) break;
    if (e.kind != EventKind::State || e.host != host) continue;
    st[e.sock] = e.to;
  }
  std::map<TcpState, std::int64_t> c;
  for (const auto& kv : st)
    if (kv.second != TcpState::Closed) ++c[kv.second];
  return c;
}

}  // namespace

std::vector<CheckFailure> check_expectations(const Scenario& s, const Trace& tr) {
  std::vector<CheckFailure> out;
  const TraceMeta& m = tr.meta;
  const Expect& x = s.expect;

  for (const auto& es : x.states) {
    const std::uint32_t id = find_socket(m, es.sock);
    if (!id) {
      out.push_back({es.loc, "states of " + es.sock, join_states(es.states), "no such socket in the run"});
      continue;
    }
    auto h = state_history(tr, id);
    if (h != es.states) out.push_back({es.loc, "states of " + es.sock, join_states(es.states), join_states(h)});
  }

  for (const auto& sg : x.segments) {
    std::vector<std::string> got;
    const int hi = sg.from.empty() ? -1 : host_idx(m, sg.from);
    for (const auto& e : tr.events) {
      if (e.kind != EventKind::Segment || e.seg_op != SegOp::Send) continue;
      if (hi >= 0 && e.host != hi) continue;
      got.push_back(flags_string(e.seg.flags));
    }
    if (got != sg.flags)
      out.push_back({sg.loc, sg.from.empty() ? "segment flags" : "segment flags from " + sg.from,
                     join(sg.flags), join(got)});
  }

  for (const auto& ec : x.calls) {
    const int pid = process_pid(m, ec.process);
    std::vector<const Event*> calls;
    // The scenario's step names ("exec") and the traced system calls
    // ("execve") are the same call.
    const std::string call_name = ec.call == "exec" ? "execve" : ec.call;
    for (const auto& e : tr.events)
      if (e.kind == EventKind::Call && e.call == call_name) {
        const ProcessInfo* p = m.process(e.pid);
        if (e.pid == pid || (p && p->name == ec.process)) calls.push_back(&e);
      }
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

  for (const auto& ea : x.at) {
    for (const auto& kv : ea.state) {
      const std::uint32_t id = find_socket(m, kv.first);
      const SockAt sa = id ? socket_at(tr, id, ea.t) : SockAt{};
      const std::string what = "state of " + kv.first + " at " + format_time(ea.t) + " s";
      if (!id) out.push_back({ea.loc, what, state_name(kv.second), "no such socket in the run"});
      else if (!sa.exists && kv.second != TcpState::Closed)
        out.push_back({ea.loc, what, state_name(kv.second), "the socket does not exist then"});
      else if (sa.state != kv.second)
        out.push_back({ea.loc, what, state_name(kv.second), state_name(sa.state)});
    }
    if (!ea.state_gone.empty()) {
      const std::uint32_t id = find_socket(m, ea.state_gone);
      const SockAt sa = id ? socket_at(tr, id, ea.t) : SockAt{};
      if (sa.exists)
        out.push_back({ea.loc, ea.state_gone + " at " + format_time(ea.t) + " s", "gone",
                       std::string("still exists in ") + state_name(sa.state)});
    }
    for (const auto& hc : ea.count) {
      const int hi = host_idx(m, hc.first);
      auto c = counts_at(tr, hi, ea.t);
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
    for (const auto& e : tr.events) {
      if (e.kind != EventKind::Signal) continue;
      const ProcessInfo* p = m.process(e.pid);
      if (!p || p->name != sg.process) continue;
      if (!sg.action.empty() && e.text != sg.action) continue;
      found = &e;
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
    for (const auto& e : tr.events) {
      if (e.kind != EventKind::Process) continue;
      if (e.proc_op != ProcOp::Exit && e.proc_op != ProcOp::Killed) continue;
      const ProcessInfo* p = m.process(e.pid);
      if (p && p->name == ex.process) {
        found = &e;
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
      for (const auto& e : tr.events) {
        if (e.kind != EventKind::Segment || e.seg_op != SegOp::Send) continue;
        if (hi >= 0 && e.host != hi) continue;
        if (ct.what == "retransmissions" && !e.retrans) continue;
        if (ct.what == "rst" && !(e.seg.flags & kRst)) continue;
        if (ct.flags && flags_string(e.seg.flags) != *ct.flags) continue;
        ++n;
      }
    } else if (ct.what == "wakeups") {
      for (const auto& e : tr.events)
        if (e.kind == EventKind::Call && e.call == "epoll_wait" && (hi < 0 || e.host == hi)) ++n;
    } else if (ct.what == "peak") {
      std::map<std::uint32_t, TcpState> st;
      std::int64_t cur = 0;
      for (const auto& e : tr.events) {
        if (e.kind != EventKind::State || (hi >= 0 && e.host != hi)) continue;
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
    const std::uint32_t id = find_socket(m, d.sock);
    Time entered = -1, left = -1;
    for (const auto& e : tr.events) {
      if (e.kind != EventKind::State || e.sock != id) continue;
      if (e.to == d.state && entered < 0) entered = e.t;
      else if (entered >= 0 && e.from == d.state && left < 0) left = e.t;
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
