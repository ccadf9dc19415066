// tcpsim — the trace: names, sinks and the text / JSONL formats.
#include "tcpsim/trace.hpp"

#include <cinttypes>
#include <cstdio>

namespace tcpsim {

const char* event_kind_name(EventKind k) {
  switch (k) {
    case EventKind::Segment: return "segment";
    case EventKind::State: return "state";
    case EventKind::Timer: return "timer";
    case EventKind::Call: return "call";
    case EventKind::Signal: return "signal";
    case EventKind::Process: return "process";
    case EventKind::Fault: return "fault";
    case EventKind::Note: return "note";
  }
  return "?";
}

const char* seg_op_name(SegOp op) {
  switch (op) {
    case SegOp::Send: return "send";
    case SegOp::Deliver: return "deliver";
    case SegOp::Drop: return "drop";
  }
  return "?";
}

const char* timer_name(TimerKind k) {
  switch (k) {
    case TimerKind::Retransmit: return "retransmit";
    case TimerKind::DelayedAck: return "delack";
    case TimerKind::TimeWait: return "time_wait";
    case TimerKind::FinWait2: return "fin_wait_2";
    case TimerKind::Keepalive: return "keepalive";
    case TimerKind::Linger: return "linger";
  }
  return "?";
}

const char* timer_op_name(TimerOp op) {
  switch (op) {
    case TimerOp::Arm: return "arm";
    case TimerOp::Fire: return "fire";
    case TimerOp::Cancel: return "cancel";
  }
  return "?";
}

const char* proc_op_name(ProcOp op) {
  switch (op) {
    case ProcOp::Start: return "start";
    case ProcOp::Exit: return "exit";
    case ProcOp::Killed: return "killed";
    case ProcOp::Crash: return "crash";
    case ProcOp::Reboot: return "reboot";
  }
  return "?";
}

const char* ca_state_name(CaState s) {
  switch (s) {
    case CaState::Open: return "Open";
    case CaState::Disorder: return "Disorder";
    case CaState::Recovery: return "Recovery";
    case CaState::Loss: return "Loss";
  }
  return "?";
}

void Trace::on_process(const ProcessInfo& p) {
  if (static_cast<std::size_t>(p.pid) > meta.processes.size()) meta.processes.resize(p.pid);
  meta.processes[p.pid - 1] = p;
}

void Trace::on_socket(const SocketInfo& s) {
  if (s.id > meta.sockets.size()) meta.sockets.resize(s.id);
  meta.sockets[s.id - 1] = s;  // a second call relabels (an accepted child gets its binding)
}

bool TeeSink::wants_events() const {
  for (auto* s : sinks_)
    if (s->wants_events()) return true;
  return false;
}
bool TeeSink::wants_tcb() const {
  for (auto* s : sinks_)
    if (s->wants_tcb()) return true;
  return false;
}

std::string socket_string(const Event& e) {
  return endpoint_string(e.lip, e.lport) + ">" + endpoint_string(e.rip, e.rport);
}

namespace {

std::string json_escape(const std::string& s) {
  std::string o;
  o.reserve(s.size() + 2);
  o += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': o += "\\\""; break;
      case '\\': o += "\\\\"; break;
      case '\n': o += "\\n"; break;
      case '\t': o += "\\t"; break;
      case '\r': o += "\\r"; break;
      default:
        if (c < 0x20) {
          char b[8];
          std::snprintf(b, sizeof b, "\\u%04x", c);
          o += b;
        } else {
          o += static_cast<char>(c);
        }
    }
  }
  o += '"';
  return o;
}

std::string host_name(const Event& e, const TraceMeta& m) {
  return e.host < m.hosts.size() ? m.hosts[e.host].name : std::to_string(e.host);
}

std::string label_of(const Event& e, const TraceMeta& m) {
  const SocketInfo* s = m.socket(e.sock);
  return s ? s->label : std::string();
}

std::string proc_name(const Event& e, const TraceMeta& m) {
  const ProcessInfo* p = m.process(e.pid);
  return p ? p->name : std::to_string(e.pid);
}

std::string tcpdump_endpoint(std::uint32_t ip, std::uint16_t port) {
  return ip_string(ip) + "." + std::to_string(port);
}

void append_tcb_json(std::string& o, const TcbSnapshot& t) {
  char b[512];
  std::snprintf(b, sizeof b,
                ",\"tcb\":{\"state\":\"%s\",\"iss\":%u,\"irs\":%u,\"snd_una\":%u,\"snd_nxt\":%u,"
                "\"snd_wnd\":%u,\"rcv_nxt\":%u,\"rcv_wnd\":%u,\"snd_buf\":%u,\"rcv_buf\":%u,"
                "\"rto\":%u,\"orphan\":%s",
                state_name(t.state), t.iss, t.irs, t.snd_una, t.snd_nxt, t.snd_wnd, t.rcv_nxt,
                t.rcv_wnd, t.snd_buf, t.rcv_buf, t.rto, t.orphan ? "true" : "false");
  o += b;
  // Congestion control and RTT (added later: after the original keys).
  if (t.ssthresh >= kInfiniteSsthresh)
    std::snprintf(b, sizeof b, ",\"cwnd\":%u,\"ssthresh\":null", t.cwnd);
  else
    std::snprintf(b, sizeof b, ",\"cwnd\":%u,\"ssthresh\":%u", t.cwnd, t.ssthresh);
  o += b;
  std::snprintf(b, sizeof b, ",\"srtt\":%u,\"rttvar\":%u,\"ca_state\":\"%s\",\"timers\":{", t.srtt, t.rttvar,
                ca_state_name(t.ca_state));
  o += b;
  bool first = true;
  for (int k = 0; k < kNumTimerKinds; ++k) {
    if (!t.timers[k]) continue;
    if (!first) o += ',';
    first = false;
    o += '"';
    o += timer_name(static_cast<TimerKind>(k));
    o += "\":";
    o += format_time(t.timers[k]);
  }
  o += "}}";
}

}  // namespace

std::string format_text(const Event& e, const TraceMeta& m) {
  std::string o = format_time(e.t) + " ";
  char b[256];
  switch (e.kind) {
    case EventKind::Segment: {
      const Segment& s = e.seg;
      if (e.seg_op != SegOp::Send) o += e.seg_op == SegOp::Deliver ? "deliver " : "DROP ";
      o += tcpdump_endpoint(s.src_ip, s.sport) + " > " + tcpdump_endpoint(s.dst_ip, s.dport) +
           ": Flags [" + flags_string(s.flags) + "]";
      if (s.len > 0 || (s.flags & (kSyn | kFin | kRst)) || !(s.flags & kAck)) {
        if (s.len > 0)
          std::snprintf(b, sizeof b, ", seq %u:%u", s.seq, s.seq + s.len);
        else
          std::snprintf(b, sizeof b, ", seq %u", s.seq);
        o += b;
      }
      if (s.flags & kAck) {
        std::snprintf(b, sizeof b, ", ack %u", s.ack);
        o += b;
      }
      std::snprintf(b, sizeof b, ", win %u, length %u", s.win, s.len);
      o += b;
      if (e.retrans) o += " (retransmission)";
      // Routing: a send that crosses a link to a router, not to its
      // destination; a router's own part (routing.hpp, forwarding.cpp).
      if (e.seg_op == SegOp::Send && e.hop >= 0 && static_cast<std::size_t>(e.hop) < m.hosts.size() &&
          e.hop != e.host && m.hosts[e.hop].ip != s.dst_ip)
        o += " (via " + m.hosts[e.hop].name + ")";
      if (e.forwarded)
        o += e.seg_op == SegOp::Send ? " (forwarded by " + host_name(e, m) + ")"
                                     : " (" + host_name(e, m) + " passes it on)";
      if (e.seg_op == SegOp::Drop) o += " [dropped: " + e.text + "]";
      else if (e.seg_op == SegOp::Send && !e.text.empty()) o += " [" + e.text + "]";  // inject:
      break;
    }
    case EventKind::State:
      o += host_name(e, m) + " " + endpoint_string(e.lip, e.lport) + " " + state_name(e.from) +
           " -> " + state_name(e.to) + " (" + e.text + ")";
      break;
    case EventKind::Timer:
      o += host_name(e, m) + " " + endpoint_string(e.lip, e.lport) + " timer " +
           timer_name(e.timer) + " " + timer_op_name(e.timer_op);
      if (e.timer_op == TimerOp::Arm) o += " (fires at " + format_time(e.deadline) + ")";
      break;
    case EventKind::Call: {
      o += host_name(e, m) + " " + proc_name(e, m) + "[" + std::to_string(e.pid) + "] " + e.call +
           "(" + e.args + ") = " + std::to_string(e.ret);
      if (e.err) o += std::string(" ") + errno_name(e.err);
      if (e.start != e.t) o += " (blocked " + format_duration(e.t - e.start) + ")";
      break;
    }
    case EventKind::Signal:
      o += host_name(e, m) + " " + proc_name(e, m) + "[" + std::to_string(e.pid) + "] signal " +
           (e.signo == 13 ? "SIGPIPE" : std::to_string(e.signo)) + " " + e.text;
      break;
    case EventKind::Process:
      o += host_name(e, m) + " " + proc_name(e, m) + "[" + std::to_string(e.pid) + "] " +
           proc_op_name(e.proc_op);
      if (e.proc_op == ProcOp::Exit) o += " status " + std::to_string(e.status);
      if (!e.text.empty()) o += " (" + e.text + ")";
      break;
    case EventKind::Fault:
      o += "fault " + e.text;
      break;
    case EventKind::Note:
      o += host_name(e, m);
      if (e.sock) o += " " + endpoint_string(e.lip, e.lport);
      o += " note: " + e.text;
      break;
  }
  return o;
}

std::string format_jsonl(const Event& e, std::size_t index, const TraceMeta& m) {
  std::string o;
  o.reserve(256);
  char b[256];
  std::snprintf(b, sizeof b, "{\"i\":%zu,\"t\":%s,\"kind\":\"%s\",\"host\":", index,
                format_time(e.t).c_str(), event_kind_name(e.kind));
  o += b;
  o += json_escape(host_name(e, m));
  auto sock_fields = [&] {
    if (!e.sock) return;
    o += ",\"socket\":" + json_escape(socket_string(e)) + ",\"label\":" + json_escape(label_of(e, m));
    // The socket's id: the same for its whole life, across accept() and
    // label changes (tcpsim ss prints it too).
    o += ",\"sid\":" + std::to_string(e.sock);
  };
  switch (e.kind) {
    case EventKind::Segment: {
      const Segment& s = e.seg;
      std::snprintf(b, sizeof b,
                    ",\"event\":\"%s\",\"src\":\"%s\",\"dst\":\"%s\",\"flags\":\"%s\",\"seq\":%u,"
                    "\"ack\":%u,\"win\":%u,\"len\":%u,\"seg_id\":%u",
                    seg_op_name(e.seg_op), endpoint_string(s.src_ip, s.sport).c_str(),
                    endpoint_string(s.dst_ip, s.dport).c_str(), flags_string(s.flags).c_str(), s.seq,
                    s.ack, s.win, s.len, e.seg_id);
      o += b;
      if (e.sock) o += ",\"sid\":" + std::to_string(e.sock);  // the sending or receiving socket
      if (e.retrans) o += ",\"retrans\":true";
      // "hop" only when the link's far end is not the destination (a router).
      if (e.seg_op == SegOp::Send && e.hop >= 0 && static_cast<std::size_t>(e.hop) < m.hosts.size() &&
          e.hop != e.host && m.hosts[e.hop].ip != s.dst_ip)
        o += ",\"hop\":" + json_escape(m.hosts[e.hop].name);
      if (e.forwarded) o += ",\"fwd\":true";
      if (!e.text.empty()) o += ",\"reason\":" + json_escape(e.text);
      break;
    }
    case EventKind::State:
      sock_fields();
      o += ",\"from\":\"" + std::string(state_name(e.from)) + "\",\"to\":\"" + state_name(e.to) +
           "\",\"cause\":" + json_escape(e.text);
      break;
    case EventKind::Timer:
      sock_fields();
      o += std::string(",\"timer\":\"") + timer_name(e.timer) + "\",\"op\":\"" +
           timer_op_name(e.timer_op) + "\"";
      if (e.timer_op == TimerOp::Arm) o += ",\"deadline\":" + format_time(e.deadline);
      break;
    case EventKind::Call:
      std::snprintf(b, sizeof b, ",\"pid\":%d", e.pid);
      o += b;
      o += ",\"process\":" + json_escape(proc_name(e, m));
      sock_fields();
      o += ",\"call\":" + json_escape(e.call) + ",\"args\":" + json_escape(e.args);
      std::snprintf(b, sizeof b, ",\"ret\":%" PRId64 ",\"errno\":", e.ret);
      o += b;
      o += e.err ? json_escape(errno_name(e.err)) : std::string("null");
      o += ",\"start\":" + format_time(e.start);
      break;
    case EventKind::Signal:
      std::snprintf(b, sizeof b, ",\"pid\":%d", e.pid);
      o += b;
      o += ",\"process\":" + json_escape(proc_name(e, m)) + ",\"signal\":" +
           json_escape(e.signo == 13 ? "SIGPIPE" : std::to_string(e.signo)) +
           ",\"action\":" + json_escape(e.text);
      break;
    case EventKind::Process:
      std::snprintf(b, sizeof b, ",\"pid\":%d", e.pid);
      o += b;
      o += ",\"process\":" + json_escape(proc_name(e, m)) + ",\"event\":\"" +
           proc_op_name(e.proc_op) + "\",\"status\":" + std::to_string(e.status);
      if (!e.text.empty()) o += ",\"detail\":" + json_escape(e.text);
      break;
    case EventKind::Fault:
      o += ",\"event\":" + json_escape(e.call) + ",\"detail\":" + json_escape(e.text);
      break;
    case EventKind::Note:
      sock_fields();
      o += ",\"text\":" + json_escape(e.text);
      break;
  }
  if (e.has_tcb) append_tcb_json(o, e.tcb);
  o += '}';
  return o;
}

void StreamSink::on_process(const ProcessInfo& p) {
  if (static_cast<std::size_t>(p.pid) > meta_.processes.size()) meta_.processes.resize(p.pid);
  meta_.processes[p.pid - 1] = p;
}

void StreamSink::on_socket(const SocketInfo& s) {
  if (s.id > meta_.sockets.size()) meta_.sockets.resize(s.id);
  meta_.sockets[s.id - 1] = s;
}

void StreamSink::on_event(const Event& e) {
  std::string line = format_ == Format::Text ? format_text(e, meta_) : format_jsonl(e, index_, meta_);
  ++index_;
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), out_);
}

}  // namespace tcpsim
