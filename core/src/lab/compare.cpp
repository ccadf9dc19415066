// tcpsim — comparing two runs: where they part (first_divergence), an
// alignment of their event lines (diff_lines), and what differs in words
// (describe_differences), per socket, per sender and per process.
#include <algorithm>
#include <cstring>
#include <map>

#include "tcpsim/lab.hpp"

namespace tcpsim {

std::string lab_ordinal_text(int n);

std::string event_line_without_index(const Event& e, const TraceMeta& m) {
  std::string l = format_jsonl(e, 0, m);
  // {"i":0,"t":... -> {"t":...
  const std::size_t comma = l.find(',');
  return comma == std::string::npos ? l : "{" + l.substr(comma + 1);
}

Divergence first_divergence(const Trace& a, const Trace& b) {
  Divergence d;
  const std::size_t n = std::min(a.events.size(), b.events.size());
  for (std::size_t i = 0; i < n; ++i) {
    const Event& x = a.events[i];
    const Event& y = b.events[i];
    // Cheap field checks first; the JSONL line decides.
    if (x.t == y.t && x.kind == y.kind && event_line_without_index(x, a.meta) == event_line_without_index(y, b.meta))
      continue;
    d.identical = false;
    d.index = i;
    d.t = std::min(x.t, y.t);
    return d;
  }
  if (a.events.size() != b.events.size()) {
    d.identical = false;
    d.index = n;
    d.t = a.events.size() > n ? a.events[n].t : b.events[n].t;
  }
  return d;
}

std::vector<DiffRow> diff_lines(const std::vector<std::string>& a, const std::vector<std::string>& b,
                                std::size_t max_cells) {
  std::vector<DiffRow> rows;
  std::size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
  std::size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre && a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) ++suf;
  for (std::size_t i = 0; i < pre; ++i) rows.push_back({static_cast<long>(i), static_cast<long>(i)});
  const std::size_t n = a.size() - pre - suf, m = b.size() - pre - suf;
  if (n > 0 && m > 0 && (n + 1) * (m + 1) <= max_cells) {
    // Longest common subsequence of the middle, then walk it.
    std::vector<std::uint32_t> L((n + 1) * (m + 1), 0);
    auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& { return L[i * (m + 1) + j]; };
    for (std::size_t i = n; i-- > 0;)
      for (std::size_t j = m; j-- > 0;)
        at(i, j) = a[pre + i] == b[pre + j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
    std::size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[pre + i] == b[pre + j]) {
        rows.push_back({static_cast<long>(pre + i), static_cast<long>(pre + j)});
        ++i, ++j;
      } else if (j < m && (i == n || at(i, j + 1) >= at(i + 1, j))) {
        rows.push_back({-1, static_cast<long>(pre + j)});
        ++j;
      } else {
        rows.push_back({static_cast<long>(pre + i), -1});
        ++i;
      }
    }
  } else {  // too big to align (or one side empty): one block
    for (std::size_t i = 0; i < n; ++i) rows.push_back({static_cast<long>(pre + i), -1});
    for (std::size_t j = 0; j < m; ++j) rows.push_back({-1, static_cast<long>(pre + j)});
  }
  for (std::size_t k = 0; k < suf; ++k)
    rows.push_back({static_cast<long>(a.size() - suf + k), static_cast<long>(b.size() - suf + k)});
  return rows;
}

namespace {

struct Words {
  bool zh;
  std::string none() const { return zh ? "无" : "none"; }
  std::string dash() const { return "—"; }
  std::string sep() const { return zh ? "：" : ": "; }
};

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

// Per socket label: the states it went through and its time in each state.
struct SockRun {
  std::vector<std::string> path;
  std::map<TcpState, Time> spent;
  std::map<TcpState, bool> at_end;
};

std::vector<std::pair<std::string, SockRun>> sockets_of(const Trace& t) {
  std::vector<std::pair<std::string, SockRun>> out;
  std::map<std::uint32_t, std::size_t> idx;
  std::map<std::uint32_t, std::pair<TcpState, Time>> cur;
  const Time end = t.events.empty() ? 0 : t.events.back().t;
  for (const auto& e : t.events) {
    if (e.kind != EventKind::State || !e.sock) continue;
    auto it = idx.find(e.sock);
    if (it == idx.end()) {
      const SocketInfo* si = t.meta.socket(e.sock);
      out.push_back({si && !si->label.empty() ? si->label : socket_string(e), {}});
      out.back().second.path.push_back(state_name(e.from));
      it = idx.emplace(e.sock, out.size() - 1).first;
    }
    SockRun& r = out[it->second].second;
    r.path.push_back(state_name(e.to));
    auto c = cur.find(e.sock);
    if (c != cur.end()) r.spent[c->second.first] += e.t - c->second.second;
    cur[e.sock] = {e.to, e.t};
  }
  for (const auto& [id, st] : cur) {
    if (st.first == TcpState::Closed) continue;
    SockRun& r = out[idx[id]].second;
    r.spent[st.first] += end - st.second;
    r.at_end[st.first] = true;
  }
  return out;
}

// Per process (by name, in order of appearance): calls, signals, end.
struct ProcRun {
  std::vector<std::string> calls;
  std::vector<std::string> signals;
  std::string end;
};

std::string call_result(const Event& e) {
  std::string s = e.call + "() = " + std::to_string(e.ret);
  if (e.err) s += std::string(" ") + (errno_name(e.err) ? errno_name(e.err) : std::to_string(e.err).c_str());
  return s;
}

const char* signal_name(int s) {
  switch (s) {
    case 13: return "SIGPIPE";
    case 9: return "SIGKILL";
    case 15: return "SIGTERM";
    default: return "signal";
  }
}

std::vector<std::pair<std::string, ProcRun>> processes_of(const Trace& t, const Words& w) {
  std::vector<std::pair<std::string, ProcRun>> out;
  std::map<std::int32_t, std::size_t> idx;
  auto get = [&](std::int32_t pid) -> ProcRun& {
    auto it = idx.find(pid);
    if (it != idx.end()) return out[it->second].second;
    const ProcessInfo* p = t.meta.process(pid);
    out.push_back({p ? p->name : "pid " + std::to_string(pid), {}});
    idx[pid] = out.size() - 1;
    return out.back().second;
  };
  for (const auto& e : t.events) {
    if (!e.pid) continue;
    if (e.kind == EventKind::Call) {
      if (e.call == "epoll_wait") continue;  // wake-ups: counted, not listed
      get(e.pid).calls.push_back(call_result(e));
    } else if (e.kind == EventKind::Signal) {
      get(e.pid).signals.push_back(std::string(signal_name(e.signo)) + " (" + (w.zh ? (e.text == "killed" ? "被杀死" : "被忽略") : e.text) + ")");
    } else if (e.kind == EventKind::Process) {
      ProcRun& r = get(e.pid);
      const std::string at = format_time(e.t) + " s";
      switch (e.proc_op) {
        case ProcOp::Exit:
          r.end = w.zh ? "在 " + at + " 退出（状态 " + std::to_string(e.status) + "）"
                       : "exits with status " + std::to_string(e.status) + " at " + at;
          break;
        case ProcOp::Killed:
          r.end = w.zh ? "在 " + at + " 被信号杀死" : "is killed by a signal at " + at;
          break;
        case ProcOp::Crash:
          r.end = w.zh ? "在 " + at + " 随主机崩溃" : "dies with its host at " + at;
          break;
        default:
          break;
      }
    }
  }
  for (auto& [n, r] : out)
    if (r.end.empty()) r.end = w.zh ? "结束时仍在运行" : "still running at the end";
  return out;
}

// The differing blocks of two lists (a's part, b's part), at most `max`.
std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> blocks(
    const std::vector<std::string>& a, const std::vector<std::string>& b, std::size_t* more) {
  std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> out;
  const auto rows = diff_lines(a, b, 1u << 20);
  std::pair<std::vector<std::string>, std::vector<std::string>> cur;
  auto flush = [&] {
    if (!cur.first.empty() || !cur.second.empty()) out.push_back(cur);
    cur = {};
  };
  for (const auto& r : rows) {
    if (r.a >= 0 && r.b >= 0) {
      flush();
      continue;
    }
    if (r.a >= 0) cur.first.push_back(a[r.a]);
    if (r.b >= 0) cur.second.push_back(b[r.b]);
  }
  flush();
  *more = 0;
  if (out.size() > 4) {
    *more = out.size() - 4;
    out.resize(4);
  }
  return out;
}

std::string list_or(const std::vector<std::string>& v, const Words& w, std::size_t cap = 8) {
  if (v.empty()) return w.dash();
  std::vector<std::string> x(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(std::min(cap, v.size())));
  std::string s = join(x, ", ");
  if (v.size() > cap) s += ", … (+" + std::to_string(v.size() - cap) + ")";
  return s;
}

}  // namespace

std::vector<std::string> describe_differences(const Trace& a, const Trace& b, const std::string& lang) {
  const Words w{lang.rfind("zh", 0) == 0};
  std::vector<std::string> out;
  const std::string arrow = " → ";

  // ---- sockets ----
  const auto sa = sockets_of(a), sb = sockets_of(b);
  std::vector<std::string> labels;
  for (const auto& x : sa) labels.push_back(x.first);
  for (const auto& x : sb)
    if (std::find(labels.begin(), labels.end(), x.first) == labels.end()) labels.push_back(x.first);
  auto find_sock = [](const std::vector<std::pair<std::string, SockRun>>& v, const std::string& l) -> const SockRun* {
    for (const auto& x : v)
      if (x.first == l) return &x.second;
    return nullptr;
  };
  std::size_t sock_lines = 0, sock_more = 0;
  for (const auto& l : labels) {
    const SockRun* x = find_sock(sa, l);
    const SockRun* y = find_sock(sb, l);
    std::vector<std::string> lines;
    const std::string px = x ? join(x->path, arrow) : (w.zh ? "（不存在）" : "(no such socket)");
    const std::string py = y ? join(y->path, arrow) : (w.zh ? "（不存在）" : "(no such socket)");
    if (px != py) lines.push_back(l + w.sep() + (w.zh ? "状态 " : "states ") + px + " | " + py);
    for (TcpState s : {TcpState::TimeWait, TcpState::FinWait2}) {
      auto spent = [&](const SockRun* r) -> std::string {
        if (!r || !r->spent.count(s)) return w.none();
        std::string d = format_duration(r->spent.at(s));
        if (r->at_end.count(s)) d += w.zh ? "（结束时仍处于该状态）" : " (still in it at the end)";
        return d;
      };
      const std::string dx = spent(x), dy = spent(y);
      // Passing through a state in no time (both at one instant) is no stay.
      auto stays = [&](const SockRun* r) { return r && r->spent.count(s) && (r->spent.at(s) > 0 || r->at_end.count(s)); };
      if (dx != dy && (stays(x) || stays(y)))
        lines.push_back(l + w.sep() + (w.zh ? std::string("在 ") + state_name(s) + " 停留 " : std::string("time in ") + state_name(s) + " ") +
                        dx + " | " + dy);
    }
    if (lines.empty()) continue;
    if (sock_lines >= 24) {
      ++sock_more;
      continue;
    }
    sock_lines += lines.size();
    out.insert(out.end(), lines.begin(), lines.end());
  }
  if (sock_more)
    out.push_back(w.zh ? "… 另有 " + std::to_string(sock_more) + " 个套接字不同"
                       : "… and " + std::to_string(sock_more) + " more sockets that differ");

  // ---- segments, per sender ----
  auto flags_by_host = [](const Trace& t) {
    std::map<std::string, std::vector<std::string>> m;
    std::vector<std::string> order;
    for (const auto& e : t.events)
      if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send && e.host < t.meta.hosts.size()) {
        const std::string& h = t.meta.hosts[e.host].name;
        if (!m.count(h)) order.push_back(h);
        m[h].push_back(flags_string(e.seg.flags));
      }
    return std::make_pair(m, order);
  };
  auto [fa, oa] = flags_by_host(a);
  auto [fb, ob] = flags_by_host(b);
  for (const auto& h : ob)
    if (std::find(oa.begin(), oa.end(), h) == oa.end()) oa.push_back(h);
  for (const auto& h : oa) {
    const auto& x = fa[h];
    const auto& y = fb[h];
    if (x == y) continue;
    std::size_t more = 0;
    for (const auto& [pa, pb] : blocks(x, y, &more)) {
      const std::string ja = list_or(pa, w), jb = list_or(pb, w);
      if (!pa.empty() && !pb.empty())
        out.push_back(w.zh ? h + " 发送 " + ja + "，而另一次运行发送 " + jb
                           : h + " sends " + ja + " where the other run sends " + jb);
      else if (!pa.empty())
        out.push_back(w.zh ? h + " 发送 " + ja + "，另一次运行没有" : h + " sends " + ja + ", which the other run does not");
      else
        out.push_back(w.zh ? h + " 没有发送另一次运行发送的 " + jb : h + " does not send " + jb + ", which the other run sends");
    }
    if (more)
      out.push_back(w.zh ? h + " 的报文段还有 " + std::to_string(more) + " 处不同"
                         : "… and " + std::to_string(more) + " more differences in " + h + "'s segments");
    if (x.size() != y.size())
      out.push_back(h + w.sep() + (w.zh ? "发送的报文段 " : "segments sent ") + std::to_string(x.size()) + " | " +
                    std::to_string(y.size()));
  }

  // ---- processes ----
  const auto pa = processes_of(a, w), pb = processes_of(b, w);
  std::vector<std::string> names;
  for (const auto& x : pa) names.push_back(x.first);
  for (const auto& x : pb)
    if (std::find(names.begin(), names.end(), x.first) == names.end()) names.push_back(x.first);
  auto find_proc = [](const std::vector<std::pair<std::string, ProcRun>>& v, const std::string& n) -> const ProcRun* {
    for (const auto& x : v)
      if (x.first == n) return &x.second;
    return nullptr;
  };
  std::size_t proc_lines = 0;
  for (const auto& n : names) {
    if (proc_lines >= 30) break;
    static const ProcRun kNone{};
    const ProcRun* x = find_proc(pa, n);
    const ProcRun* y = find_proc(pb, n);
    const ProcRun& rx = x ? *x : kNone;
    const ProcRun& ry = y ? *y : kNone;
    if (rx.calls != ry.calls) {
      std::size_t more = 0;
      for (const auto& [ca, cb] : blocks(rx.calls, ry.calls, &more)) {
        out.push_back(n + w.sep() + list_or(ca, w, 4) + " | " + list_or(cb, w, 4));
        ++proc_lines;
      }
      if (more)
        out.push_back(w.zh ? n + " 的调用还有 " + std::to_string(more) + " 处不同"
                           : "… and " + std::to_string(more) + " more differences in " + n + "'s calls");
    }
    if (rx.signals != ry.signals)
      out.push_back(n + w.sep() + (w.zh ? "信号 " : "signals ") + list_or(rx.signals, w) + " | " + list_or(ry.signals, w));
    const std::string ex = x ? rx.end : (w.zh ? "（不存在）" : "(no such process)");
    const std::string ey = y ? ry.end : (w.zh ? "（不存在）" : "(no such process)");
    if (ex != ey) out.push_back(n + w.sep() + ex + " | " + ey);
  }
  if (out.empty() && first_divergence(a, b).identical == false)
    out.push_back(w.zh ? "状态、报文段标志和调用结果都相同；区别在于时间、序号或其他字段（见第一处分歧）"
                       : "the same states, segment flags and call results; they differ in times, sequence numbers or "
                         "other fields (see the first divergence)");
  return out;
}

}  // namespace tcpsim
