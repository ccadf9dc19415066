// tcpsim — `tcpsim run` filters (run_filter.hpp).
#include "run_filter.hpp"

#include "commands.hpp"
#include "tcpsim/spelling.hpp"

namespace tcpsim::cli {

namespace {
constexpr EventKind kAllKinds[] = {EventKind::Segment, EventKind::State,   EventKind::Timer, EventKind::Call,
                                   EventKind::Signal,  EventKind::Process, EventKind::Fault, EventKind::Note};

bool is_number(const std::string& s) {
  return !s.empty() && s.size() <= 9 && s.find_first_not_of("0123456789") == std::string::npos;
}

// "server/conn#1" is the first "server/conn" (as expectations name it).
std::string canonical_label(std::string l) {
  if (l.size() > 2 && l.compare(l.size() - 2, 2, "#1") == 0) l.resize(l.size() - 2);
  return l;
}
}  // namespace

std::string check_kinds(const std::vector<std::string>& kinds) {
  for (const auto& k : kinds) {
    bool ok = false;
    for (EventKind e : kAllKinds) ok |= k == event_kind_name(e);
    if (ok) continue;
    std::string list;
    for (EventKind e : kAllKinds) list += std::string(list.empty() ? "" : ", ") + event_kind_name(e);
    return "--kinds: '" + visible_text(k) + "' is not an event kind; expected one of: " + list;
  }
  return "";
}

std::string format_tcb_text(const TcbSnapshot& t) {
  std::string o = "    tcb: ";
  o += state_name(t.state);
  char b[320];
  std::snprintf(b, sizeof b,
                " iss=%u irs=%u snd_una=%u snd_nxt=%u snd_wnd=%u rcv_nxt=%u rcv_wnd=%u snd_buf=%u rcv_buf=%u "
                "rto=%s retransmits=%u",
                t.iss, t.irs, t.snd_una, t.snd_nxt, t.snd_wnd, t.rcv_nxt, t.rcv_wnd, t.snd_buf, t.rcv_buf,
                format_duration(static_cast<Time>(t.rto)).c_str(), static_cast<unsigned>(t.retransmits));
  o += b;
  // Congestion control and RTT (RFC 5681, RFC 6298).
  const std::string ssthresh =
      t.ssthresh >= kInfiniteSsthresh ? std::string("inf") : std::to_string(t.ssthresh);
  std::snprintf(b, sizeof b, " cwnd=%u ssthresh=%s srtt=%s rttvar=%s ca=%s", t.cwnd, ssthresh.c_str(),
                format_duration(static_cast<Time>(t.srtt)).c_str(),
                format_duration(static_cast<Time>(t.rttvar)).c_str(), ca_state_name(t.ca_state));
  o += b;
  if (t.orphan) o += " orphan";
  std::string timers;
  for (int k = 0; k < kNumTimerKinds; ++k)
    if (t.timers[k])
      timers += std::string(" ") + timer_name(static_cast<TimerKind>(k)) + "@" + format_time(t.timers[k]);
  if (!timers.empty()) o += " timers:" + timers;
  return o;
}

FilteredPrinter::FilteredPrinter(std::FILE* out, bool jsonl, bool tcb, RunFilter f)
    : out_(out), jsonl_(jsonl), tcb_(tcb), f_(std::move(f)) {
  if (!f_.kinds.empty()) {
    kind_mask_ = 0;
    for (EventKind e : kAllKinds)
      for (const auto& k : f_.kinds)
        if (k == event_kind_name(e)) kind_mask_ |= 1u << static_cast<unsigned>(e);
  }
  if (is_number(f_.socket)) sid_ = static_cast<std::uint32_t>(std::stoul(f_.socket));
}

std::uint32_t FilteredPrinter::event_kinds() const {
  // JSONL numbers every event of the whole trace: all of them are built.
  if (jsonl_) return ~0u;
  return kind_mask_ | TraceSink::kArrivals | TraceSink::kDetails;
}

void FilteredPrinter::on_host(const HostInfo& h) {
  if (h.name == f_.host) host_ = static_cast<int>(meta_.hosts.size());
  meta_.hosts.push_back(h);
}
void FilteredPrinter::on_process(const ProcessInfo& p) {
  if (static_cast<std::size_t>(p.pid) > meta_.processes.size()) meta_.processes.resize(p.pid);
  meta_.processes[p.pid - 1] = p;
}
void FilteredPrinter::on_socket(const SocketInfo& s) {
  if (s.id > meta_.sockets.size()) meta_.sockets.resize(s.id);
  meta_.sockets[s.id - 1] = s;
  if (f_.socket.empty() || sid_) return;
  auto it = unaccepted_.find(s.id);
  if (it == unaccepted_.end() || s.pid == 0) return;
  // Accepted: its label is now final.
  if (canonical_label(s.label) == canonical_label(f_.socket))
    std::fwrite(it->second.data(), 1, it->second.size(), out_);
  unaccepted_.erase(it);
}

bool FilteredPrinter::pass_but_socket(const Event& e) const {
  if (!(kind_mask_ >> static_cast<unsigned>(e.kind) & 1u)) return false;
  if (e.t < f_.from) return false;
  if (!f_.host.empty() && static_cast<int>(e.host) != host_) return false;
  return true;
}

bool FilteredPrinter::pass(const Event& e) const {
  if (!pass_but_socket(e)) return false;
  if (!f_.socket.empty()) {
    if (!e.sock) return false;
    if (sid_) return e.sock == sid_;
    const SocketInfo* s = meta_.socket(e.sock);
    return s && canonical_label(s->label) == canonical_label(f_.socket);
  }
  return true;
}

std::string FilteredPrinter::format(const Event& e, std::size_t i) const {
  std::string line = jsonl_ ? format_jsonl(e, i, meta_) : format_text(e, meta_);
  line += '\n';
  if (!jsonl_ && tcb_ && e.has_tcb) line += format_tcb_text(e.tcb) + '\n';
  return line;
}

void FilteredPrinter::on_event(const Event& e) {
  const std::size_t i = index_++;
  if (!pass(e)) {
    // A socket not yet accepted may still turn out to be the one asked for.
    const SocketInfo* s = e.sock && !f_.socket.empty() && !sid_ ? meta_.socket(e.sock) : nullptr;
    if (s && s->pid == 0 && pass_but_socket(e)) unaccepted_[e.sock] += format(e, i);
    return;
  }
  if (!f_.socket.empty()) socket_seen_ = true;
  const std::string line = format(e, i);
  std::fwrite(line.data(), 1, line.size(), out_);
}

std::string FilteredPrinter::unmatched() const {
  if (!f_.host.empty() && host_ < 0) {
    std::vector<std::string> names;
    for (const auto& h : meta_.hosts) names.push_back(h.name);
    std::string list;
    for (const auto& n : names) list += std::string(list.empty() ? "" : ", ") + n;
    std::string m = "--host: no host '" + visible_text(f_.host) + "' in this scenario; its hosts: " + list;
    const std::string near = closest_word(f_.host, names);
    if (!near.empty()) m += " (did you mean '" + near + "'?)";
    return m;
  }
  if (!f_.socket.empty() && !socket_seen_) {
    bool exists = false;
    std::vector<std::string> labels;
    for (const auto& s : meta_.sockets) {
      if (s.id == 0) continue;
      labels.push_back(s.label);
      exists |= sid_ ? s.id == sid_ : canonical_label(s.label) == canonical_label(f_.socket);
    }
    if (!exists) {
      std::string m = "--socket: no socket '" + visible_text(f_.socket) + "' in this run (a label such as " +
                      (labels.empty() ? std::string("server/conn") : labels.front()) + ", or a socket id)";
      const std::string near = closest_word(f_.socket, labels);
      if (!near.empty()) m += "; did you mean '" + near + "'?";
      return m;
    }
  }
  return "";
}

}  // namespace tcpsim::cli
