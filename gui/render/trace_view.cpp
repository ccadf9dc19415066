// tcpsim — read-only index over a Trace (see trace_view.hpp).
#include "trace_view.hpp"

#include <QCoreApplication>
#include <QString>
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <unordered_map>

#include "i18n.hpp"
#include "tcpsim/export.hpp"  // localize_label

namespace tcpsim::render {

namespace {
std::uint64_t key(std::uint32_t ip, std::uint16_t port) {
  return (static_cast<std::uint64_t>(ip) << 16) | port;
}
}  // namespace

TraceView::TraceView(std::shared_ptr<const Trace> trace) : trace_(std::move(trace)) {
  const auto& ev = trace_->events;
  event_arrow_.assign(ev.size(), -1);
  std::unordered_map<std::uint32_t, int> by_id;  // seg_id -> arrow
  std::map<std::uint32_t, bool> seen_sock;
  for (std::size_t i = 0; i < ev.size(); ++i) {
    const Event& e = ev[i];
    if (e.kind == EventKind::Segment) {
      if (e.seg_op == SegOp::Send) {
        SegArrow a;
        a.send = i;
        a.from_host = e.host;
        // The link's far end: a router on the way (routing.hpp) or the destination.
        a.to_host = e.hop >= 0 ? e.hop : host_of_ip(e.seg.dst_ip);
        by_id[e.seg_id] = static_cast<int>(arrows_.size());
        event_arrow_[i] = static_cast<int>(arrows_.size());
        arrows_.push_back(a);
        // First SYN of a direction fixes its ISN (tcpdump's relative numbers).
        // A crafted SYN (`inject:`, "injected" in its send event) is no ISN.
        if ((e.seg.flags & kSyn) && e.text.rfind("injected", 0) != 0) {
          auto& m = isn_[key(e.seg.src_ip, e.seg.sport)];
          auto& isns = m[key(e.seg.dst_ip, e.seg.dport)];
          if (isns.empty() || isns.back().second != e.seg.seq) isns.emplace_back(i, e.seg.seq);  // a new SYN restarts the numbering
        }
      } else {
        auto it = by_id.find(e.seg_id);
        if (it != by_id.end()) {
          auto& a = arrows_[it->second];
          if (e.seg_op == SegOp::Deliver && a.deliver < 0) a.deliver = static_cast<std::ptrdiff_t>(i);
          if (e.seg_op == SegOp::Drop && a.drop < 0) a.drop = static_cast<std::ptrdiff_t>(i);
          event_arrow_[i] = it->second;
        }
      }
    }
    if (e.sock != 0 && e.has_tcb) sock_tcb_[e.sock].push_back(i);
    if (e.kind == EventKind::State && e.sock != 0) {
      state_changes_.push_back(i);
      sock_states_[e.sock].push_back(i);
      if (!seen_sock[e.sock]) {
        seen_sock[e.sock] = true;
        sockets_.push_back(e.sock);
      }
    }
  }
  // Pair sockets of one connection by their reversed 4-tuples. A 4-tuple
  // used again (TIME_WAIT reused by connect(), tcp_tw_reuse) has several
  // sockets on each side: the peer is the one whose first state change is
  // nearest to this socket's (the connection's handshake).
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::vector<std::uint32_t>> tuple_socks;
  for (auto s : sockets_) {
    for (auto i : sock_states_[s]) {
      const Event& e = ev[i];
      if (e.rport == 0) continue;
      auto& v = tuple_socks[{key(e.lip, e.lport), key(e.rip, e.rport)}];
      if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
    }
  }
  auto first_state = [&](std::uint32_t s) { return sock_states_[s].empty() ? 0 : sock_states_[s].front(); };
  for (auto s : sockets_) {
    for (auto i : sock_states_[s]) {
      const Event& e = ev[i];
      if (e.rport == 0) continue;
      auto it = tuple_socks.find({key(e.rip, e.rport), key(e.lip, e.lport)});
      if (it == tuple_socks.end()) continue;
      std::uint32_t best = 0;
      std::size_t best_d = 0;
      const std::size_t f = first_state(s);
      for (auto c : it->second) {
        if (c == s) continue;
        const std::size_t g = first_state(c), d = f > g ? f - g : g - f;
        if (!best || d < best_d) best = c, best_d = d;
      }
      if (best) {
        peer_[s] = best;
        break;
      }
    }
  }
  std::map<std::uint32_t, bool> used;
  for (auto s : sockets_) {
    if (used[s]) continue;
    auto p = peer_of(s);
    bool has_tuple = false;
    for (auto i : sock_states_[s]) has_tuple |= ev[i].rport != 0;
    if (!has_tuple && p == 0) continue;  // listening sockets are not connections
    used[s] = true;
    if (p) used[p] = true;
    connections_.push_back({s, p});
  }
  if (connections_.empty() && !sockets_.empty()) connections_.push_back({sockets_[0], 0});
}

Time TraceView::time_at(std::size_t cursor) const {
  if (cursor == 0 || trace_->events.empty()) return 0;
  return trace_->events[std::min(cursor, size()) - 1].t;
}
Time TraceView::end_time() const { return trace_->events.empty() ? 0 : trace_->events.back().t; }

std::size_t TraceView::cursor_for_time(Time time) const {
  const auto& ev = trace_->events;
  auto it = std::upper_bound(ev.begin(), ev.end(), time,
                             [](Time t, const Event& e) { return t < e.t; });
  return static_cast<std::size_t>(it - ev.begin());
}

std::size_t TraceView::arrows_before(std::size_t cursor) const {
  auto it = std::lower_bound(arrows_.begin(), arrows_.end(), cursor,
                             [](const SegArrow& a, std::size_t c) { return a.send < c; });
  return static_cast<std::size_t>(it - arrows_.begin());
}
int TraceView::arrow_of_event(std::size_t i) const {
  return i < event_arrow_.size() ? event_arrow_[i] : -1;
}

std::optional<std::size_t> TraceView::next_state_change(std::size_t cursor) const {
  // The change at index >= cursor; the cursor after it is index + 1.
  auto it = std::lower_bound(state_changes_.begin(), state_changes_.end(), cursor);
  if (it == state_changes_.end()) return std::nullopt;
  return *it + 1;
}
std::optional<std::size_t> TraceView::prev_state_change(std::size_t cursor) const {
  // The last change with index + 1 < cursor.
  if (cursor < 2) return std::nullopt;
  auto it = std::lower_bound(state_changes_.begin(), state_changes_.end(), cursor - 1);
  if (it == state_changes_.begin()) return std::nullopt;
  --it;
  return *it + 1;
}

std::vector<Transition> TraceView::transitions(std::uint32_t sock, std::size_t cursor) const {
  std::vector<Transition> out;
  auto it = sock_states_.find(sock);
  if (it == sock_states_.end()) return out;
  for (auto i : it->second) {
    if (i >= cursor) break;
    const Event& e = trace_->events[i];
    out.push_back({i, e.t, e.from, e.to, e.text});
  }
  return out;
}

std::optional<TcpState> TraceView::state_at(std::uint32_t sock, std::size_t cursor) const {
  auto it = sock_states_.find(sock);
  if (it == sock_states_.end()) return std::nullopt;
  std::optional<TcpState> s;
  for (auto i : it->second) {
    if (i >= cursor) break;
    s = trace_->events[i].to;
  }
  return s;
}

const Event* TraceView::tcb_at(std::uint32_t sock, std::size_t cursor) const {
  auto it = sock_tcb_.find(sock);
  if (it == sock_tcb_.end()) return nullptr;
  auto jt = std::lower_bound(it->second.begin(), it->second.end(), cursor);
  if (jt == it->second.begin()) return nullptr;
  return &trace_->events[*(jt - 1)];
}

std::uint32_t TraceView::peer_of(std::uint32_t sock) const {
  auto it = peer_.find(sock);
  return it == peer_.end() ? 0 : it->second;
}

std::string TraceView::socket_label(std::uint32_t sock) const {
  if (auto* s = trace_->meta.socket(sock); s && !s->label.empty()) return s->label;
  return "socket " + std::to_string(sock);
}
std::string TraceView::host_name(std::size_t host) const {
  if (host < trace_->meta.hosts.size()) return trace_->meta.hosts[host].name;
  return "host " + std::to_string(host);
}
int TraceView::host_of_ip(std::uint32_t ip) const {
  const auto& h = trace_->meta.hosts;
  for (std::size_t i = 0; i < h.size(); ++i)
    if (h[i].ip == ip) return static_cast<int>(i);
  return -1;
}

std::size_t TraceView::index_of(const Event& e) const {
  const auto& ev = trace_->events;
  if (ev.empty() || &e < ev.data() || &e >= ev.data() + ev.size()) return ev.size();
  return static_cast<std::size_t>(&e - ev.data());
}
std::uint32_t TraceView::isn_of(std::uint32_t sip, std::uint16_t sp, std::uint32_t dip,
                                std::uint16_t dp, std::size_t at) const {
  auto it = isn_.find(key(sip, sp));
  if (it == isn_.end()) return 0;
  auto jt = it->second.find(key(dip, dp));
  if (jt == it->second.end() || jt->second.empty()) return 0;
  // The latest SYN of this direction at or before the event (the first one
  // for an event before any: a segment of an earlier, unseen connection).
  const auto& isns = jt->second;
  auto k = std::upper_bound(isns.begin(), isns.end(), at,
                            [](std::size_t a, const std::pair<std::size_t, std::uint32_t>& p) { return a < p.first; });
  return k == isns.begin() ? isns.front().second : std::prev(k)->second;
}
std::uint32_t TraceView::relative_seq(const Event& e) const {
  return e.seg.seq - isn_of(e.seg.src_ip, e.seg.sport, e.seg.dst_ip, e.seg.dport, index_of(e));
}
std::uint32_t TraceView::relative_ack(const Event& e) const {
  return e.seg.ack - isn_of(e.seg.dst_ip, e.seg.dport, e.seg.src_ip, e.seg.sport, index_of(e));
}

std::string TraceView::segment_label(const Event& e) const {
  std::string s = flags_string(e.seg.flags);
  std::uint32_t rs = relative_seq(e);
  char buf[96];
  if (e.seg.len > 0)
    std::snprintf(buf, sizeof buf, " seq %u:%u", rs, rs + e.seg.len);
  else
    std::snprintf(buf, sizeof buf, " seq %u", rs);
  s += buf;
  if (e.seg.flags & kAck) s += " ack " + std::to_string(relative_ack(e));
  if (e.seg.len > 0) s += " len " + std::to_string(e.seg.len);
  return s;
}

const char* timer_display_name(TimerKind k) {
  switch (k) {
    case TimerKind::Retransmit: return "RTO";
    case TimerKind::DelayedAck: return "delayed ACK";
    case TimerKind::TimeWait: return "TIME_WAIT";
    case TimerKind::FinWait2: return "FIN_WAIT_2";
    case TimerKind::Keepalive: return "keepalive";
    case TimerKind::Linger: return "linger";
  }
  return "timer";
}

std::string event_kind_label(EventKind k) { return event_kind_name(k); }  // core/src/trace.cpp

namespace {
// Words of the event log, translated with the installed translator (English
// when none is installed, so exports and tests without one are unchanged).
constexpr const char* kCtx = "tcpsim::render::describe";
std::string tr_(const char* en) { return QCoreApplication::translate(kCtx, en).toStdString(); }

std::string seg_op_label(SegOp op) {
  switch (op) {
    case SegOp::Send: return tr_(QT_TRANSLATE_NOOP("tcpsim::render::describe", "send"));
    case SegOp::Deliver: return tr_(QT_TRANSLATE_NOOP("tcpsim::render::describe", "deliver"));
    case SegOp::Drop: return tr_(QT_TRANSLATE_NOOP("tcpsim::render::describe", "DROP"));
  }
  return "?";
}
std::string timer_op_label(TimerOp op) {
  switch (op) {
    case TimerOp::Arm: return tr_(QT_TRANSLATE_NOOP("tcpsim::render::describe", "armed"));
    case TimerOp::Fire: return tr_(QT_TRANSLATE_NOOP("tcpsim::render::describe", "fired"));
    case TimerOp::Cancel: return tr_(QT_TRANSLATE_NOOP("tcpsim::render::describe", "cancelled"));
  }
  return "?";
}
std::string proc_op_label(ProcOp op) {
  switch (op) {
    case ProcOp::Start: return tr_(QT_TRANSLATE_NOOP("tcpsim::render::describe", "started"));
    case ProcOp::Exit: return tr_(QT_TRANSLATE_NOOP("tcpsim::render::describe", "exited"));
    case ProcOp::Killed: return tr_(QT_TRANSLATE_NOOP("tcpsim::render::describe", "killed"));
    case ProcOp::Crash: return tr_(QT_TRANSLATE_NOOP("tcpsim::render::describe", "crashed"));
    case ProcOp::Reboot: return tr_(QT_TRANSLATE_NOOP("tcpsim::render::describe", "rebooted"));
  }
  return "?";
}
std::string timer_label(TimerKind k) {
  switch (k) {
    case TimerKind::DelayedAck: return tr_(QT_TRANSLATE_NOOP("tcpsim::render::describe", "delayed ACK"));
    case TimerKind::Keepalive: return tr_(QT_TRANSLATE_NOOP("tcpsim::render::describe", "keepalive"));
    case TimerKind::Linger: return tr_(QT_TRANSLATE_NOOP("tcpsim::render::describe", "linger"));
    default: return timer_display_name(k);
  }
}

// Words of the ladder that are looked up in this context elsewhere
// (ladder.cpp: a signal's action), listed here so lupdate sees them.
[[maybe_unused]] const char* const kMoreWords[] = {
    QT_TRANSLATE_NOOP("tcpsim::render::describe", "ignored"),
};

bool chinese() { return current_language().startsWith("zh"); }

// "(text)" in the log's language: a Chinese line uses full-width brackets.
std::string in_parens(const std::string& s) { return chinese() ? "（" + s + "）" : " (" + s + ")"; }
}  // namespace

// The core's causes, notes, faults and drop reasons are English; their
// Chinese is the core's own table (core/src/export/labels_zh.cpp,
// localize_label), the one the text exports, replay and slide captions use,
// so the GUI, the ladder and every export say the same thing in the same words.
std::string translate_text(const std::string& english) {
  if (english.empty() || !chinese()) return english;
  return localize_label(english, "zh_CN");
}

std::string call_text(const Event& e) {
  std::string s = e.call + "(" + e.args + ")";
  s += " = " + std::to_string(e.ret);
  if (e.err != 0) {
    const char* n = errno_name(e.err);
    s += " ";
    s += n ? n : std::to_string(e.err);
  }
  return s;
}

std::string describe_event(const TraceView& v, const Event& e) {
  const auto& m = v.trace().meta;
  std::string proc;
  if (auto* p = m.process(e.pid)) proc = p->name;
  auto fmt = [](const char* en, std::initializer_list<std::string> args) {
    QString s = QCoreApplication::translate(kCtx, en);
    for (const auto& a : args) s = s.arg(QString::fromStdString(a));
    return s.toStdString();
  };
  switch (e.kind) {
    case EventKind::Segment: {
      std::string s = fmt(QT_TRANSLATE_NOOP("tcpsim::render::describe", "%1 %2 > %3 [%4] win %5"),
                          {seg_op_label(e.seg_op), endpoint_string(e.seg.src_ip, e.seg.sport),
                           endpoint_string(e.seg.dst_ip, e.seg.dport), v.segment_label(e),
                           std::to_string(e.seg.win)});
      if (e.retrans) s += (chinese() ? "" : " ") + tr_(QT_TRANSLATE_NOOP("tcpsim::render::describe", "(retransmission)"));
      if (!e.text.empty()) s += in_parens(translate_text(e.text));
      return s;
    }
    case EventKind::State: {
      std::string s = v.socket_label(e.sock) + " " + state_name(e.from) + " -> " + state_name(e.to);
      if (!e.text.empty()) s += in_parens(translate_text(e.text));
      return s;
    }
    case EventKind::Timer: {
      // Chinese sets a Latin name apart with spaces, not a Chinese one
      // ("的 TIME_WAIT 定时器", "的保活定时器"): the translation has none.
      std::string name = timer_label(e.timer);
      if (chinese() && std::all_of(name.begin(), name.end(), [](char c) { return (c & 0x80) == 0; }))
        name = " " + name + " ";
      std::string s = fmt(QT_TRANSLATE_NOOP("tcpsim::render::describe", "%1 %2 timer %3"),
                          {v.socket_label(e.sock), name, timer_op_label(e.timer_op)});
      if (e.timer_op == TimerOp::Arm)
        s += fmt(QT_TRANSLATE_NOOP("tcpsim::render::describe", ", fires at %1"), {format_time(e.deadline)});
      return s;
    }
    case EventKind::Call: return fmt(QT_TRANSLATE_NOOP("tcpsim::render::describe", "%1: %2"), {proc, call_text(e)});
    case EventKind::Signal:
      return fmt(QT_TRANSLATE_NOOP("tcpsim::render::describe", "%1: signal %2"), {proc, std::to_string(e.signo)}) +
             (e.signo == 13 ? in_parens("SIGPIPE") : "") +
             (e.text.empty() ? "" : (chinese() ? "，" : ", ") + tr_(e.text.c_str()));
    case EventKind::Process:
      // The detail says why ("killed by SIGPIPE", "send() failed with EPIPE").
      return proc + " " + proc_op_label(e.proc_op) +
             (e.proc_op == ProcOp::Exit
                  ? fmt(QT_TRANSLATE_NOOP("tcpsim::render::describe", " status %1"), {std::to_string(e.status)})
                  : "") +
             (e.text.empty() ? "" : in_parens(translate_text(e.text)));
    case EventKind::Fault: {
      // A link fault's detail names only the link ("all links"): say what
      // happened to it, as the text exports do.
      std::string what = e.text;
      if (e.call == "link_down" || e.call == "link_up")
        what = std::string(e.call == "link_down" ? "link down" : "link up") + ": " + e.text;
      return fmt(QT_TRANSLATE_NOOP("tcpsim::render::describe", "fault: %1"), {translate_text(what)});
    }
    case EventKind::Note: return translate_text(e.text);
  }
  return e.text;
}

}  // namespace tcpsim::render
