// tcpsim — building trace events. Every event the simulation emits is made
// here, so the shape of the trace is decided in one file.
#include <algorithm>
#include <csignal>

#include "sim.hpp"

namespace tcpsim {

TcbSnapshot Sim::snapshot(const Sock& s) const {
  TcbSnapshot t;
  t.state = s.state;
  t.iss = s.iss;
  t.irs = s.irs;
  t.snd_una = s.snd_una;
  t.snd_nxt = s.snd_nxt;
  t.snd_wnd = s.snd_wnd;
  t.rcv_nxt = s.rcv_nxt;
  t.rcv_wnd = s.rcv_wnd;
  t.snd_buf = s.snd_buf();
  t.rcv_buf = s.rcv_buf();
  t.rto = static_cast<std::uint32_t>(s.rto);
  t.retransmits = s.retransmits;
  t.orphan = s.orphan;
  t.timers = s.timers;
  t.ca_state = s.ca_state;
  t.dupacks = s.dupacks;
  t.cwnd = s.cwnd;
  t.ssthresh = s.ssthresh;
  t.srtt = static_cast<std::uint32_t>(s.srtt);
  t.rttvar = static_cast<std::uint32_t>(s.rttvar);
  return t;
}

void Sim::fill_sock(Event& e, const Sock& s) {
  e.sock = s.id;
  e.host = s.host;
  e.lip = s.lip;
  e.lport = s.lport;
  e.rip = s.rip;
  e.rport = s.rport;
  if (tcb_on) {
    e.has_tcb = true;
    e.tcb = snapshot(s);
  }
}

void Sim::emit(Event& e) {
  e.t = now;
  sink.on_event(e);
}

void Sim::register_socket(Sock& s, std::int32_t pid, const std::string& label) {
  SocketInfo info;
  info.id = s.id;
  info.host = s.host;
  info.pid = pid;
  info.label = label;
  if (labels_wanted && !label.empty()) sock_by_label[label] = s.id;
  sink.on_socket(info);
}

void Sim::trace_segment(SegOp op, const Segment& seg, std::uint16_t host, std::uint32_t seg_id,
                        bool retrans, const std::string& reason, const Sock* s) {
  if (!ev(EventKind::Segment) || (op != SegOp::Send && !(ev_kinds & TraceSink::kArrivals))) return;
  Event e;
  e.kind = EventKind::Segment;
  e.seg_op = op;
  e.seg = seg;
  e.host = host;
  e.seg_id = seg_id;
  e.retrans = retrans;
  e.text = reason;
  // Routing: the link's far end on a send; a router's forward is marked.
  if (op == SegOp::Send) e.hop = static_cast<std::int16_t>(hop_for(host, seg.dst_ip));
  e.forwarded = forwarding_ && op != SegOp::Drop;
  if (s) fill_sock(e, *s);
  e.host = host;
  emit(e);
}

void Sim::trace_state(Sock& s, TcpState from, TcpState to, const std::string& cause) {
  if (!ev(EventKind::State)) return;
  Event e;
  e.kind = EventKind::State;
  e.from = from;
  e.to = to;
  e.text = cause;
  fill_sock(e, s);
  e.pid = s.owner_pid;
  emit(e);
}

void Sim::trace_timer(Sock& s, TimerKind k, TimerOp op, Time deadline) {
  if (!ev(EventKind::Timer)) return;
  Event e;
  e.kind = EventKind::Timer;
  e.timer = k;
  e.timer_op = op;
  e.deadline = deadline;
  fill_sock(e, s);
  emit(e);
}

void Sim::trace_call(const Thread& t, const Step& st, const char* call, const std::string& args,
                     std::int64_t ret, int err, const Sock* s) {
  if (!ev(EventKind::Call)) return;
  Event e;
  e.kind = EventKind::Call;
  e.pid = t.pid;
  e.host = procs[t.pid - 1].host;
  e.call = call;
  e.args = args;
  e.ret = ret;
  e.err = err;
  e.start = t.call_start ? t.call_start : now;
  if (s) fill_sock(e, *s);
  e.host = procs[t.pid - 1].host;
  emit(e);
}

void Sim::trace_note(std::uint16_t host, const Sock* s, const std::string& text) {
  if (!ev(EventKind::Note)) return;
  Event e;
  e.kind = EventKind::Note;
  e.host = host;
  e.text = text;
  if (s) fill_sock(e, *s);
  emit(e);
}

void Sim::trace_signal(const Process& p, int signo, const char* action) {
  if (!ev(EventKind::Signal)) return;
  Event e;
  e.kind = EventKind::Signal;
  e.pid = p.pid;
  e.host = p.host;
  e.signo = signo;
  e.text = action;
  emit(e);
}

void Sim::trace_process(const Process& p, ProcOp op, int status, const std::string& detail) {
  if (!ev(EventKind::Process)) return;
  Event e;
  e.kind = EventKind::Process;
  e.pid = p.pid;
  e.host = p.host;
  e.proc_op = op;
  e.status = status;
  e.text = detail;
  emit(e);
}

void Sim::trace_fault(std::uint16_t host, const std::string& what, const std::string& detail) {
  if (!ev(EventKind::Fault)) return;
  Event e;
  e.kind = EventKind::Fault;
  e.host = host;
  e.call = what;
  e.text = detail;
  emit(e);
}

// ---- per-host state counts (kept even when no events are recorded) ----
void Sim::count_state(Sock& s, TcpState from, TcpState to) {
  HostRt& h = hosts[s.host];
  if (s.counted) {
    --h.counts[static_cast<int>(from)];
    --all_counts[static_cast<int>(from)];
  }
  s.counted = true;
  std::int64_t& c = h.counts[static_cast<int>(to)];
  ++c;
  // Peak over all hosts, per state (all_counts keeps the sum, so this is
  // O(1) however many hosts there are). A listener's child passes through
  // LISTEN only until its LISTEN -> SYN_RECEIVED a moment later
  // (listen_arrives): not a second listener, so not a LISTEN peak.
  const std::int64_t total = ++all_counts[static_cast<int>(to)];
  const bool child_blip = to == TcpState::Listen && s.listener != 0;
  if (!child_blip && total > summary.peak[static_cast<int>(to)]) summary.peak[static_cast<int>(to)] = total;
  if (series) {
    // Only this host changed: within the same bucket, update its entry alone.
    const bool fresh = series->samples.empty() || series->samples.back().t != series->bucket(now);
    if (fresh)
      sample_counts();
    else
      series->samples.back().counts[s.host] = h.counts;
    // The bucket's peaks. A listener's child is counted in LISTEN only until
    // its LISTEN -> SYN_RECEIVED a moment later (listen_arrives): no peak.
    CountSeries::Sample& smp = series->samples.back();
    const int k = static_cast<int>(to);
    if (child_blip) {
      if (fresh) --smp.peak[s.host][k], --smp.total_peak[k];
    } else {
      smp.peak[s.host][k] = std::max(smp.peak[s.host][k], c);
      smp.total_peak[k] = std::max(smp.total_peak[k], total);
    }
  }
}

void Sim::sample_counts() {
  const Time bucket = series->bucket(now);
  if (series->samples.empty() || series->samples.back().t != bucket) {
    CountSeries::Sample smp;
    smp.t = bucket;
    smp.counts.reserve(hosts.size());
    for (const auto& h : hosts) smp.counts.push_back(h.counts);
    // A bucket's peaks start at the higher of its entering level (the
    // previous sample's counts) and the counts now.
    smp.peak = smp.counts;
    smp.total_peak = all_counts;
    if (!series->samples.empty()) {
      const std::vector<StateCounts>& prev = series->samples.back().counts;
      StateCounts entering{};
      for (std::size_t i = 0; i < prev.size() && i < hosts.size(); ++i)
        for (int k = 0; k < kNumTcpStates; ++k) {
          smp.peak[i][k] = std::max(smp.peak[i][k], prev[i][k]);
          entering[k] += prev[i][k];
        }
      for (int k = 0; k < kNumTcpStates; ++k) smp.total_peak[k] = std::max(smp.total_peak[k], entering[k]);
    }
    series->samples.push_back(std::move(smp));
  } else {  // only decrements come here (tcp_done's CLOSED): the peaks stand
    auto& c = series->samples.back().counts;
    for (std::size_t i = 0; i < hosts.size(); ++i) c[i] = hosts[i].counts;
  }
}

}  // namespace tcpsim
