// tcpsim — the trace: the one contract between the simulation (or the kernel
// runner) and every consumer (CLI text/jsonl, the expect checker, exporters,
// the GUI, the kernel diff).
//
// A trace is an append-only sequence of events. Each event carries the values
// a viewer needs at that moment (TCB snapshot after the event, timer
// deadlines, buffer sizes), so stepping backwards in the GUI is moving a
// cursor, never re-simulating.
//
// JSONL schema (tcpsim run --format jsonl), one object per event:
//   common   : i (index), t (seconds, number), kind, host (name)
//   segment  : event (send|deliver|drop), src, dst ("ip:port"), flags
//              (tcpdump notation), seq, ack, win, len, [sid], [retrans], [reason],
//              [hop] (host at the link's far end), [fwd] (a router passes it on)
//   state    : socket ("ip:port>ip:port"), label, sid, from, to, cause
//   (every event with a socket carries socket, label and sid: the socket's
//   id, fixed for its whole life, across accept() and label changes; a
//   label names the socket as of the event)
//   timer    : socket, label, timer, op (arm|fire|cancel), deadline
//   call     : pid, process, call, args, ret, errno (name or null), [socket,
//              label], start (seconds, when a blocking call began)
//   signal   : pid, process, signal, action (killed|ignored)
//   process  : pid, process, event (start|exit|killed|crash|reboot), status
//   fault    : event (link_down|link_up|crash|reboot), detail
//   note     : text (e.g. a segment ignored by an endpoint, with reason)
//   Socket events also carry "tcb": {state, iss, irs, snd_una, snd_nxt,
//   snd_wnd, rcv_nxt, rcv_wnd, snd_buf, rcv_buf, rto, orphan, cwnd,
//   ssthresh (null = infinite), srtt, rttvar (microseconds, 0 = no RTT
//   sample yet), ca_state, timers{...}} when recorded (fields are only ever
//   added; a reader ignores keys it does not know).
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "tcpsim/types.hpp"

namespace tcpsim {

enum class EventKind : std::uint8_t { Segment, State, Timer, Call, Signal, Process, Fault, Note };
const char* event_kind_name(EventKind k);

enum class SegOp : std::uint8_t { Send, Deliver, Drop };
const char* seg_op_name(SegOp op);

// Linux-like TCP timers (one deadline each per socket).
enum class TimerKind : std::uint8_t {
  Retransmit,  // RTO: data, FIN, SYN and SYN-ACK retransmission (icsk_retransmit_timer)
  DelayedAck,  // delayed ACK (icsk_delack_timer, ~40 ms)
  TimeWait,    // 2MSL in TIME_WAIT (inet_twsk_schedule)
  FinWait2,    // orphaned FIN_WAIT_2 (tcp_fin_timeout)
  Keepalive,   // keepalive probes (tcp_keepalive_time/intvl/probes)
  Linger,      // SO_LINGER with a timeout: close() waits at most this long
};
constexpr int kNumTimerKinds = 6;
const char* timer_name(TimerKind k);

enum class TimerOp : std::uint8_t { Arm, Fire, Cancel };
const char* timer_op_name(TimerOp op);

enum class ProcOp : std::uint8_t { Start, Exit, Killed, Crash, Reboot };
const char* proc_op_name(ProcOp op);

// Linux's congestion-avoidance states (icsk_ca_state, tcp_set_ca_state()):
// Open (normal), Disorder (duplicate ACKs seen), Recovery (fast recovery
// after a fast retransmit), Loss (after an RTO).
enum class CaState : std::uint8_t { Open, Disorder, Recovery, Loss };
const char* ca_state_name(CaState s);  // "Open", "Disorder", "Recovery", "Loss"

constexpr std::uint32_t kInfiniteSsthresh = 0x7fffffff;  // TCP_INFINITE_SSTHRESH

// TCB values after an event (RFC 9293 §3.3.1 names).
struct TcbSnapshot {
  TcpState state = TcpState::Closed;
  std::uint32_t iss = 0, irs = 0;
  std::uint32_t snd_una = 0, snd_nxt = 0, snd_wnd = 0;
  std::uint32_t rcv_nxt = 0, rcv_wnd = 0;
  std::uint32_t snd_buf = 0;  // bytes in the send queue (unsent + unacknowledged)
  std::uint32_t rcv_buf = 0;  // bytes received and not yet read by the application
  std::uint32_t rto = 0;      // current retransmission timeout (us)
  std::uint8_t retransmits = 0;
  bool orphan = false;        // no file descriptor refers to it any more
  CaState ca_state = CaState::Open;
  std::uint8_t dupacks = 0;   // duplicate ACKs counted since the last new ACK
  // Congestion control (RFC 5681) and RTT estimation (RFC 6298).
  std::uint32_t cwnd = 0;     // congestion window (bytes)
  std::uint32_t ssthresh = kInfiniteSsthresh;  // slow-start threshold (bytes)
  std::uint32_t srtt = 0, rttvar = 0;          // smoothed RTT and its variation (us)
  std::array<Time, kNumTimerKinds> timers{};  // absolute deadlines, 0 = not armed
};

struct Event {
  Time t = 0;
  EventKind kind = EventKind::Note;
  std::uint16_t host = 0;      // index into TraceMeta::hosts
  std::uint32_t sock = 0;      // socket id (TraceMeta::sockets), 0 = none
  std::int32_t pid = 0;        // process id, 0 = none

  // Socket endpoints at the time of the event (socket-related events).
  std::uint32_t lip = 0, rip = 0;
  std::uint16_t lport = 0, rport = 0;

  // segment
  SegOp seg_op = SegOp::Send;
  Segment seg{};
  bool retrans = false;        // a retransmission of already-sent sequence space
  std::uint32_t seg_id = 0;    // identifies one transmission: send, deliver and drop share it
  // Routing (routing.hpp): on a send, the host at the far end of the link the
  // segment crosses (a router on the way, or the destination; the host
  // itself over loopback), -1 when it crosses none. `forwarded`: a send by a
  // router passing on a segment it received (not its TCP's own), or a
  // delivery to a router that passes it on; JSONL "hop", "fwd".
  std::int16_t hop = -1;
  bool forwarded = false;

  // state
  TcpState from = TcpState::Closed, to = TcpState::Closed;

  // timer
  TimerKind timer = TimerKind::Retransmit;
  TimerOp timer_op = TimerOp::Arm;
  Time deadline = 0;

  // call
  std::string call;            // "connect", "send", "close", ...
  std::string args;            // human-readable arguments: "fd=3, 100 bytes"
  std::int64_t ret = 0;
  int err = 0;                 // errno value, 0 = none
  Time start = 0;              // when the (possibly blocking) call began

  // signal
  int signo = 0;

  // process
  ProcOp proc_op = ProcOp::Start;
  int status = 0;

  // state: cause; segment drop / note: reason; signal: action; fault: detail
  std::string text;

  bool has_tcb = false;
  TcbSnapshot tcb{};
};

struct HostInfo {
  std::string name;
  std::uint32_t ip = 0;
};
struct ProcessInfo {
  std::int32_t pid = 0;
  std::uint16_t host = 0;
  std::string name;
};
struct SocketInfo {
  std::uint32_t id = 0;
  std::uint16_t host = 0;
  std::int32_t pid = 0;     // process that created it (0 for kernel-created children)
  std::string label;        // "client/sock", "server/conn#3": expectations name sockets so
};

// Receives events as they happen. The simulation calls the on_* methods in
// order; a sink decides what to keep.
class TraceSink {
 public:
  virtual ~TraceSink() = default;
  virtual void on_host(const HostInfo&) {}
  virtual void on_process(const ProcessInfo&) {}
  virtual void on_socket(const SocketInfo&) {}
  virtual void on_event(const Event& e) = 0;
  // False: the simulation skips building Event objects (summary / counts
  // runs). State counts are still maintained by the simulation itself.
  virtual bool wants_events() const { return true; }
  // False: events are built without TCB snapshots (cheaper).
  virtual bool wants_tcb() const { return true; }
  // Which kinds of event to build, one bit per EventKind (1u << kind), and
  // kArrivals for the segment events of a segment's delivery or drop (a
  // Segment bit alone: only segments sent). A sink that reads no timer,
  // note or arrival saves their cost (`check`).
  static constexpr std::uint32_t kArrivals = 1u << 16;
  // kDetails: the words for people — call arguments ("fd=3, 100 bytes") and
  // a state change's cause. Without it those fields are empty.
  static constexpr std::uint32_t kDetails = 1u << 17;
  virtual std::uint32_t event_kinds() const { return ~0u; }
};

struct TraceMeta {
  std::string scenario;  // scenario name
  std::vector<HostInfo> hosts;
  std::vector<ProcessInfo> processes;  // indexed by pid - 1
  std::vector<SocketInfo> sockets;     // indexed by id - 1
  // Set when a run limit cut the run short (LimitStop::message()); the
  // trace's last note says the same. Empty for a run that ended by itself.
  std::string stopped_by;
  const SocketInfo* socket(std::uint32_t id) const {
    return id >= 1 && id <= sockets.size() ? &sockets[id - 1] : nullptr;
  }
  const ProcessInfo* process(std::int32_t pid) const {
    return pid >= 1 && static_cast<std::size_t>(pid) <= processes.size() ? &processes[pid - 1]
                                                                          : nullptr;
  }
};

// The recorded, immutable-after-run trace.
class Trace : public TraceSink {
 public:
  TraceMeta meta;
  std::vector<Event> events;

  void on_host(const HostInfo& h) override { meta.hosts.push_back(h); }
  void on_process(const ProcessInfo& p) override;
  void on_socket(const SocketInfo& s) override;
  void on_event(const Event& e) override { events.push_back(e); }
};

// Fans events out to several sinks.
class TeeSink : public TraceSink {
 public:
  explicit TeeSink(std::vector<TraceSink*> sinks) : sinks_(std::move(sinks)) {}
  void on_host(const HostInfo& h) override { for (auto* s : sinks_) s->on_host(h); }
  void on_process(const ProcessInfo& p) override { for (auto* s : sinks_) s->on_process(p); }
  void on_socket(const SocketInfo& x) override { for (auto* s : sinks_) s->on_socket(x); }
  void on_event(const Event& e) override { for (auto* s : sinks_) s->on_event(e); }
  bool wants_events() const override;
  bool wants_tcb() const override;

 private:
  std::vector<TraceSink*> sinks_;
};

// ---- formatting (core/src/trace_format.cpp) ----
// tcpdump-like text, one line per event, e.g.
//   0.001000 10.0.0.1.49152 > 10.0.0.2.80: Flags [S], seq 0, win 64240, length 0
//   0.001000 client 10.0.0.1:49152 CLOSED -> SYN_SENT (connect)
std::string format_text(const Event& e, const TraceMeta& m);
// One JSON object (no trailing newline), schema above.
std::string format_jsonl(const Event& e, std::size_t index, const TraceMeta& m);
std::string socket_string(const Event& e);  // "10.0.0.1:49152>10.0.0.2:80"

// Streams text or jsonl to a FILE* while the simulation runs.
class StreamSink : public TraceSink {
 public:
  enum class Format { Text, Jsonl };
  StreamSink(std::FILE* out, Format f, bool tcb = false) : out_(out), format_(f), tcb_(tcb) {}
  void on_host(const HostInfo& h) override { meta_.hosts.push_back(h); }
  void on_process(const ProcessInfo& p) override;
  void on_socket(const SocketInfo& s) override;
  void on_event(const Event& e) override;
  bool wants_tcb() const override { return tcb_; }
  const TraceMeta& meta() const { return meta_; }

 private:
  std::FILE* out_;
  Format format_;
  bool tcb_;
  TraceMeta meta_;
  std::size_t index_ = 0;
};

}  // namespace tcpsim
