// tcpsim — the simulation's internal state (Simulation::Impl).
//
// Read first: RFC 9293 (TCP), RFC 1122 §4.2 (host requirements), RFC 6298
// (RTO), and Linux net/ipv4/tcp.c, tcp_input.c, tcp_output.c, tcp_timer.c,
// tcp_minisocks.c. The code is split by event family, as Linux and OMNeT++
// INET split it:
//   engine.hpp                the event queue (virtual clock)
//   network.cpp               links, loss, faults, delivery
//   host.cpp                  demultiplexing, ports, listen queues, RST for no socket
//   tcp/tcp_fsm.cpp           the Boost.MSM transition table (RFC 9293 §3.3.2)
//   tcp/tcp_segment_arrives.cpp  SEGMENT ARRIVES (RFC 9293 §3.10.7): classify, then transition
//   tcp/tcp_output.cpp        building and sending segments, ACK policy (delayed/quick ACK)
//   tcp/tcp_timers.cpp        retransmission, delayed ACK, TIME_WAIT, FIN_WAIT_2, keepalive
//   tcp/tcp_user_calls.cpp    OPEN/SEND/RECEIVE/CLOSE/ABORT (RFC 9293 §3.10.1-6)
//   tcp/tcp_close_policy.cpp  Linux tcp_close(): RST on unread data, SO_LINGER, new_state[]
//   socket_api.cpp            file descriptors, errno, SIGPIPE, epoll readiness
//   process.cpp               the script interpreter (processes and threads)
//   trace_emit.cpp            every trace event is built here
#pragma once

#include <array>
#include <deque>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine.hpp"
#include "flat_map.hpp"
#include "tcpsim/scenario.hpp"
#include "tcpsim/simulation.hpp"
#include "tcpsim/trace.hpp"
#include "tcpsim/routing.hpp"
#include "conntrack.hpp"

namespace tcpsim {

// Events of the TCP state machine (the columns of the transition table).
enum class FsmEvent : std::uint8_t {
  Listen,        // listen()
  Connect,       // connect(): OPEN active
  RcvSyn,        // SYN (LISTEN child, or simultaneous open in SYN_SENT)
  RcvSynAck,     // SYN,ACK acknowledging our SYN (SYN_SENT)
  RcvAckOfSyn,   // ACK of our SYN (SYN_RECEIVED)
  Close,         // close() / shutdown(SHUT_WR): CLOSE (RFC 9293 §3.10.4)
  RcvFin,        // FIN in sequence
  RcvAckOfFin,   // ACK covering our FIN
  RcvRst,        // RST (SYN_SENT: with an acceptable ACK); the rows' guards judge its sequence number
  // ABORT and its kin: the state is dropped at once (RFC 9293 §3.10.5). One
  // event per cause, so that the diagram and the DOT export draw the arrow
  // that was taken; every cause traced begins with the event's name.
  AbortSndRst,   // ABORT with RST: close() with unread data, SO_LINGER {on, 0}, data after close()
  Discard,       // dropped with no segment: SO_LINGER 0 where no RST is due, TIME_WAIT reuse
  GiveUp,        // a timer gave up: tcp_syn_retries, tcp_retries2, keepalive, zero-window probes
  HostCrash,     // the host lost power: every socket vanishes, nothing is sent
  Timeout2Msl,   // TIME_WAIT timer
  FinWait2Timeout,  // orphaned FIN_WAIT_2 timer (tcp_fin_timeout)
  // A segment that fails the acceptability test (RFC 9293 §3.10.7.4, first
  // step) on a synchronized connection, other than an RST (an RST is always
  // RcvRst: the rows' guards judge its sequence number, RFC 5961 §3).
  RcvUnacceptable,
};
constexpr FsmEvent kLastFsmEvent = FsmEvent::RcvUnacceptable;
const char* fsm_event_name(FsmEvent e);

// Shutdown bits (Linux sk_shutdown).
constexpr std::uint8_t kRcvShutdown = 1;
constexpr std::uint8_t kSendShutdown = 2;

// Linux's tcp_jiffies32 at simulated time t (HZ = 250 on the kernel the
// model was measured against: 4 ms), offset by one so it is never 0 (0
// means "not started" in CUBIC's state).
constexpr std::uint32_t jiffies32(Time t) { return static_cast<std::uint32_t>(t / msec(4)) + 1; }

// One TCP socket: the TCB of RFC 9293 §3.3.1 plus the Linux socket fields
// the lessons turn on. Kept small: a million of these must fit in well
// under 1 KiB each.
struct Sock {
  std::uint32_t id = 0;           // trace id (never reused)
  std::uint16_t host = 0;
  TcpState state = TcpState::Closed;
  std::uint8_t shutdown = 0;      // kRcvShutdown | kSendShutdown
  bool listening = false;
  bool orphan = false;            // no descriptor refers to it (SOCK_DEAD)
  bool done = false;              // SOCK_DONE: FIN received (recv returns 0)
  bool fin_queued = false;        // a FIN follows the queued data
  bool fin_sent = false;          // the FIN occupies sequence space (snd_nxt counts it)
  bool in_table = false;          // hashed in the host's connection table
  bool bound = false;
  bool holds_bind = false;        // counted in HostRt::bound until the socket is destroyed
  bool linger_on = false;
  bool keepalive = false;
  bool nodelay = false;
  bool nonblock = false;
  bool reuseaddr = false;
  bool pingpong = false;          // Linux interactive (delayed-ACK) mode
  bool ack_pending = false;       // an ACK is owed (delayed)
  bool dsack_pending = false;     // the ACK being built reports a duplicate segment (D-SACK)
  bool accepted = false;          // returned by accept() (or an active socket)
  bool synack_acked = false;      // Linux inet_rsk(req)->acked: ACK came while the accept queue was full
  bool counted = false;           // included in the host's per-state counts
  bool reset_rcvd = false;        // an RST reset this connection
  bool tw_bucket = false;         // an orphaned FIN_WAIT_2 holding one of tcp_max_tw_buckets
  bool cookie_child = false;      // made from the ACK of a SYN cookie: no SYN,ACK of its own
  std::uint8_t retransmits = 0;   // consecutive RTO expirations (icsk_retransmits)
  std::uint8_t probes = 0;        // keepalive probes sent without answer
  std::uint8_t quick = 0;         // quick-ACK credit (icsk_ack.quick)
  std::uint16_t linger_secs = 0;
  // setsockopt overrides (tcp_sock / inet_connection_sock fields); 0 = none.
  std::uint8_t keepcnt = 0;       // TCP_KEEPCNT (0: net.ipv4.tcp_keepalive_probes)
  std::int32_t linger2 = 0;       // TCP_LINGER2 in s (-1: no orphaned FIN_WAIT_2; 0: tcp_fin_timeout)
  Time keepidle = 0;              // TCP_KEEPIDLE (0: net.ipv4.tcp_keepalive_time)
  Time keepintvl = 0;             // TCP_KEEPINTVL (0: net.ipv4.tcp_keepalive_intvl)
  Time user_timeout = 0;          // TCP_USER_TIMEOUT, icsk_user_timeout (0: off)
  Time rcvtimeo = 0, sndtimeo = 0;  // SO_RCVTIMEO / SO_SNDTIMEO (0: block forever)
  Time probes_stamp = 0;          // first unanswered zero-window probe (icsk_probes_tstamp)
  std::uint32_t total_retrans = 0;  // segments retransmitted (tp->total_retrans, TCP_INFO)
  std::uint16_t visited = 0;      // bit per TcpState this socket has been in
  int err = 0;                    // sk_err: reported once by the next call
  std::int32_t fd_refs = 0;       // descriptors (in all processes) that refer to it
  std::int32_t owner_pid = 0;

  std::uint32_t lip = 0, rip = 0;
  std::uint16_t lport = 0, rport = 0;

  // RFC 9293 §3.3.1 send and receive sequence variables.
  std::uint32_t iss = 0, snd_una = 0, snd_nxt = 0, snd_wnd = 0, snd_wl1 = 0, snd_wl2 = 0;
  std::uint32_t irs = 0, rcv_nxt = 0, rcv_wnd = 0, rcv_wup = 0;
  std::uint32_t snd_max = 0;      // highest sequence sent (for retransmission marking)
  // Congestion control (RFC 5681, RFC 6582; Linux tcp_input.c): see
  // core/src/tcp/tcp_congestion.cpp.
  std::uint32_t cwnd = 0;
  std::uint32_t ssthresh = kInfiniteSsthresh;
  std::uint32_t cwnd_acc = 0;     // bytes acknowledged towards the next congestion-avoidance MSS
  std::uint32_t recover = 0;      // RFC 6582 "recover": SND.MAX when recovery began
  std::uint32_t tlp_high_seq = 0; // Linux tp->tlp_high_seq: SND.MAX when the loss probe went out
  CaState ca_state = CaState::Open;
  std::uint8_t dupacks = 0;       // duplicate ACKs since the last ACK of new data
  bool probe_armed = false;       // the retransmission timer is armed as a loss probe (ICSK_TIME_LOSS_PROBE)
  bool tlp_retrans = false;       // the loss probe re-sent the tail (tp->tlp_retrans), not new data
  std::uint32_t tail_seq = 0;     // first sequence number of the last new segment sent (the TLP's tail)
  // Linux profile, in packets (tcp_congestion.cpp): segments the peer holds
  // above SND.UNA, one per duplicate ACK (tp->sacked_out as
  // tcp_add_reno_sack() counts it), and proportional rate reduction's
  // counters (RFC 6937; tp->prior_cwnd, prr_delivered, prr_out).
  std::uint32_t sacked_out = 0;
  std::uint32_t prior_cwnd = 0, prr_delivered = 0, prr_out = 0;
  std::uint32_t snd_cwnd_cnt = 0; // packets acknowledged towards the next increase (tp->snd_cwnd_cnt)
  // tcp_cwnd_validate(): whether cwnd limited the sender in the current
  // window of data (until SND.UNA passes cwnd_usage_seq), else the most
  // packets it had out; cwnd grows only when it limits (tcp_is_cwnd_limited()).
  bool is_cwnd_limited = false;
  std::uint32_t max_packets_out = 0, cwnd_usage_seq = 0;
  // CUBIC's state (Linux tcp_cubic.c struct bictcp): windows in packets,
  // times in jiffies (4 ms) as the kernel keeps them; 0 = not started.
  struct Cubic {
    std::uint32_t cnt = 0, last_max_cwnd = 0, last_cwnd = 0, last_time = 0, origin_point = 0, k = 0;
    std::uint32_t epoch_start = 0, ack_cnt = 0, tcp_cwnd = 0;
    Time delay_min = 0;
  } cubic;
  Time lsndtime = 0;              // last data segment sent (tp->lsndtime), -> idle restart and CUBIC's epoch
  Time rto_due = 0;               // when the RTO would fire: a loss probe is never later (tcp_rto_delta_us)
  std::vector<std::uint32_t> psh_ends;  // ends of unacknowledged segments sent with PSH (a retransmission keeps it)
  // Stream bookkeeping (bytes), 64-bit so they never wrap. Data byte k of
  // the stream has sequence number iss + 1 + k.
  std::uint64_t written = 0;      // bytes the application wrote
  std::uint64_t sent = 0;         // bytes sent at least once up to snd_nxt
  std::uint64_t acked = 0;        // bytes acknowledged by the peer
  std::uint32_t max_sndwnd = 0;   // the largest window the peer offered (Linux tp->max_window)
  std::uint64_t sml = 0;          // stream end of the last segment shorter than the MSS (Linux snd_sml)
  std::uint32_t fin_seq = 0;      // sequence number of our FIN (valid once fin_ever)
  bool fin_ever = false;          // our FIN was sent at least once
  bool fin_acked = false;
  std::uint64_t rcv_total = 0;    // bytes received in order
  std::uint64_t rcv_read = 0;     // bytes the application read
  // Receive buffer: SO_RCVBUF v sets sk_rcvbuf = 2 * v and locks it, no
  // autotuning (Linux sk_setsockopt(), SOCK_RCVBUF_LOCK); 0 = the host's
  // Sysctls::rcvbuf. A child inherits its listener's (sk_clone_lock()).
  std::uint32_t rcvbuf = 0;
  // RTT estimation (RFC 6298, Linux tcp_rtt_estimator).
  Time srtt = 0, rttvar = 0, rto = 0;
  Time rtt_start = -1;            // when the timed segment was sent (-1 = none)
  std::uint32_t rtt_seq = 0;
  Time ato = 0;                   // delayed-ACK timeout (icsk_ack.ato)
  Time lrcvtime = 0;              // last data received
  Time last_rcv = 0;              // last segment received (TIME_WAIT reuse, keepalive)
  Time idle_since = 0;            // last activity (keepalive)
  Time rto_stamp = 0;             // first RTO retransmission of this flight (give-up clock)
  std::array<Time, kNumTimerKinds> timers{};  // armed deadlines, 0 = off
  Time last_oow_ack = -1;         // tp->last_oow_ack_time: the last challenge / out-of-window ACK (-1 = none)

  std::uint32_t listener = 0;     // for children: the listening socket
  std::uint32_t listen_idx = 0;   // for listeners: index into Sim::listens (+1)
  std::vector<std::pair<std::uint32_t, std::uint32_t>> ooo;  // out-of-order [seq, end) ranges
  bool ooo_fin = false;           // an out-of-order FIN at the end of ooo
  std::uint32_t ooo_fin_seq = 0;
  std::vector<std::uint32_t> waiters;  // blocked threads to wake on change

  std::uint32_t snd_buf() const { return static_cast<std::uint32_t>(written - acked); }
  std::uint32_t rcv_buf() const { return static_cast<std::uint32_t>(rcv_total - rcv_read); }
};

// Per-listener queues (kept out of Sock so ordinary sockets stay small).
struct ListenQueues {
  int backlog = 0;                       // sk_max_ack_backlog
  std::vector<std::uint32_t> accept_q;   // established children not yet accepted
  std::vector<std::uint32_t> syn_q;      // children in SYN_RECEIVED
  std::uint32_t children = 0;            // labels: server/lsock~N
  std::string label;                     // the listener's label
};

struct HostRt {
  std::string name;
  std::uint32_t ip = 0;
  Profile profile = Profile::Linux;
  Sysctls sys;
  bool crashed = false;
  ConnTable conns;  // 4-tuple key -> socket id (flat_map.hpp)
  std::unordered_map<std::uint16_t, std::uint32_t> listeners;  // port -> socket id
  std::unordered_map<std::uint16_t, std::uint32_t> bound;      // explicitly bound ports -> count
  std::uint32_t port_cursor = 0;
  // (remote ip << 16 | remote port) -> connections to it holding a port of
  // ip_local_port_range: a connect() finds the range exhausted in O(1).
  std::unordered_map<std::uint64_t, std::uint32_t> dest_ports;
  StateCounts counts{};
  std::int32_t tw_count = 0;
};

struct LinkRt {
  std::uint16_t a = 0, b = 0;
  LinkSpec spec;
  bool down = false;
  std::array<Time, 2> busy_until{};  // serialisation, per direction
};

struct InFlight {
  Segment seg;
  std::uint32_t seg_id = 0;
  std::uint16_t dst_host = 0;
  bool retrans = false;
  bool used = false;
};

// ---- processes ----
struct FdEntry {
  std::uint32_t sock = 0;   // 0 = free; kEpollInstance = an epoll instance, not a socket
  bool cloexec = false;
  // No socket yet, but the number is taken: accept() reserves it before it
  // blocks (get_unused_fd_flags() in __sys_accept4_file()).
  bool reserved = false;
};
// The descriptor an epoll step's epoll_create() takes while the loop runs:
// it counts towards RLIMIT_NOFILE and takes the lowest free number, as on
// Linux, but refers to no socket.
constexpr std::uint32_t kEpollInstance = 0xFFFFFFFFu;

enum class ThreadState : std::uint8_t { Ready, Sleeping, Blocked, Done };

struct Frame {
  const std::vector<Step>* steps = nullptr;
  std::uint32_t pc = 0;
  std::uint64_t iter = 0;        // Loop: iterations started
  Time loop_start = 0;
  const Step* loop = nullptr;    // the Loop step owning this frame (nullptr = script/body)
};

struct Thread {
  std::uint32_t id = 0;
  std::int32_t pid = 0;
  ThreadState state = ThreadState::Ready;
  std::uint8_t phase = 0;        // 0 timing, 1 trigger, 2 action
  std::vector<Frame> frames;
  std::vector<std::pair<std::uint16_t, std::int32_t>> bind;  // name id -> fd
  Time wake_at = 0;
  Time deadline = 0;             // a blocking call's timeout (epoll_wait), 0 = none
  Time call_start = 0;           // blocking call began
  std::uint64_t progress = 0;    // Recv: bytes so far; Epoll: wake-ups so far
  std::uint32_t wait_sock = 0;   // socket it is blocked on
  std::uint32_t last_mask = 0;   // Epoll: the last reported readiness (edge-triggered)
  std::int32_t epoll_fd = -1;    // Epoll: the running loop's epoll instance
  std::uint16_t attempt = 0;     // retry: failed attempts of the current step
  std::uint32_t linger_sock = 0; // Close: the socket a lingering close() waits for
  std::uint64_t spins = 0;       // steps run without virtual time passing
  Time spin_time = -1;
};

enum class StepResult : std::uint8_t { Done, Wait, Pushed };

struct Process {
  std::int32_t pid = 0;
  std::uint16_t host = 0;
  std::string name;
  bool alive = true;
  bool ignore_sigpipe = false;
  int fd_limit = 1024;
  std::vector<FdEntry> fds;
  std::size_t fd_hint = 3;       // every descriptor in [3, fd_hint) is in use (Linux files->next_fd)
  std::uint32_t threads_live = 0;
  const ProcessSpec* spec = nullptr;
  std::unordered_map<std::uint16_t, std::uint32_t> label_counts;  // binding -> sockets bound so far
};

// Engine event kinds.
enum QKind : std::uint8_t { QArrive, QTimer, QWake, QFault, QProcStart, QConntrack };

struct Sim {
  Sim(const Scenario& sc, TraceSink& sink, RunOptions opt);

  Scenario sc;
  TraceSink& sink;
  RunOptions opt;
  bool ev_on;        // sink wants events
  std::uint32_t ev_kinds = ~0u;  // TraceSink::event_kinds()
  bool ev(EventKind k) const { return ev_on && (ev_kinds >> static_cast<unsigned>(k) & 1u); }
  bool text_on() const { return ev_on && (ev_kinds & TraceSink::kDetails); }  // call args, causes
  bool tcb_on;       // sink wants TCB snapshots
  std::mt19937_64 rng;
  Engine q;
  Time now = 0;
  Time stop_at = kNever;
  RunSummary summary;
  StateCounts all_counts{};  // sum of hosts[*].counts (the peak needs it on every change)
  CountSeries* series = nullptr;

  std::vector<HostRt> hosts;
  std::unordered_map<std::uint32_t, std::uint16_t> host_by_ip;  // IPv4 address -> host index
  std::vector<LinkRt> links;
  std::vector<std::vector<std::int32_t>> link_of;  // [a][b] -> link index or -1
  // Socket storage. Ids (the trace's) are never reused; slots are: a
  // destroyed socket's slot is recycled at the next engine step (never in
  // the middle of one, so a Sock& held up the call stack stays valid), and
  // memory follows the live sockets, not every socket ever made.
  std::deque<Sock> socks;                          // slots (a deque: references stay valid)
  std::vector<std::uint32_t> slot_of;              // id - 1 -> slot + 1; 0 = destroyed
  std::vector<std::uint32_t> socks_free;           // recyclable slots
  std::vector<std::uint32_t> dying;                // ids released, recycled at the next step
  std::uint32_t socks_made = 0;                    // sockets created (the last id)
  std::vector<ListenQueues> listens;
  std::vector<InFlight> inflight;
  std::vector<std::uint32_t> inflight_free;
  std::uint32_t next_seg_id = 0;
  std::vector<int> fault_matches;                  // per fault: matching segments seen
  std::deque<Process> procs;                       // pid - 1
  std::deque<Thread> threads;
  std::vector<std::uint32_t> threads_free;
  std::vector<std::string> names;                  // interned binding names
  std::unordered_map<std::string, std::uint16_t> name_ids;
  std::vector<std::uint32_t> runnable;             // threads to run at `now`
  bool run_scheduled = false;
  std::uint64_t fds_open = 0;                      // descriptors open in all processes
  bool limit_hit = false;                          // a RunLimits limit ended the run

  // Ends the run at the end of this step: records which limit, when and
  // where (RunSummary::limit) and leaves a note in the trace. Only the
  // first limit reached counts.
  void hit_limit(const char* limit, const char* option, const std::string& value,
                 const std::string& detail, std::uint16_t host = 0);
  // Checks run before a process, thread, socket or descriptor is made; false
  // (and hit_limit) when it would pass its limit.
  bool within_limit(std::uint64_t have, std::uint64_t limit, const char* name, const char* option,
                    const std::string& detail, std::uint16_t host);

  // The FSM dispatch context: which socket the flyweight machine serves.
  Sock* fsm_sock = nullptr;
  TcpState fsm_from = TcpState::Closed;
  const char* fsm_cause = "";
  const char* fsm_action = nullptr;
  const char* fsm_guard = nullptr;   // the guard of the row taken ("tcp_rfc1337=0"), if it has one
  std::string fsm_guards_false;      // guards that held false during this dispatch, for the note
  bool fsm_no_transition = false;
  // The guards' conditions (tcp_fsm.cpp), one function each so that a
  // reader finds every rule in one place.
  bool accept_queue_has_room(const Sock& s);  // tcp_check_req -> syn_recv_sock
  bool tw_bucket_free(const Sock& s);         // tcp_time_wait -> inet_twsk_alloc
  // The segment being processed, for the guards that judge it (RFC 5961);
  // nullptr when the event comes from a call or a timer.
  const Segment* fsm_seg = nullptr;
  enum class RstSeq : std::uint8_t { NoSegment, OutsideWindow, InWindow, AtRcvNxt };
  RstSeq rst_seq(const Sock& s) const;        // where fsm_seg's RST falls (tcp_validate_incoming)
  bool rst_kills_orphan(const Sock& s) const;  // Linux's orphaned FIN_WAIT_2: any RST in the window
  bool linger_close = false;      // tcp_close() called from a close() that may block (SO_LINGER)
  bool seg_done = false;          // segment processing ended early (dropped, reset)
  std::uint32_t forced_iss = 0;   // ISS for a connection reopened from TIME_WAIT

  // A scripted raw peer (the packetdrill runner, core/src/packetdrill/run.cpp):
  // segments that reach host `raw_host` go to `raw_receive` instead of its
  // TCP, which then never answers by itself. -1: no such host.
  int raw_host = -1;
  std::function<void(const Segment&)> raw_receive;

  Sock& sock(std::uint32_t id) { return socks[slot_of[id - 1] - 1]; }
  // nullptr once the socket is destroyed (a stale timer, a child's listener).
  Sock* sock_if(std::uint32_t id) {
    return id && id <= slot_of.size() && slot_of[id - 1] ? &socks[slot_of[id - 1] - 1] : nullptr;
  }
  void release_socket(Sock& s);   // destroyed: recycle its slot at the next step
  void recycle_sockets();
  HostRt& host_of(const Sock& s) { return hosts[s.host]; }
  const Sysctls& sys(const Sock& s) { return hosts[s.host].sys; }

  // engine
  bool step();
  void schedule(Time t, QKind k, std::uint32_t a, std::uint32_t b = 0) { q.push(t, k, a, b); }

  // ---- trace_emit.cpp ----
  void emit(Event& e);
  void fill_sock(Event& e, const Sock& s);
  void trace_segment(SegOp op, const Segment& seg, std::uint16_t host, std::uint32_t seg_id,
                     bool retrans, const std::string& reason, const Sock* s);  // + hop, forwarding_
  void trace_state(Sock& s, TcpState from, TcpState to, const std::string& cause);
  void trace_timer(Sock& s, TimerKind k, TimerOp op, Time deadline);
  void trace_call(const Thread& t, const Step& st, const char* call, const std::string& args,
                  std::int64_t ret, int err, const Sock* s);
  void trace_note(std::uint16_t host, const Sock* s, const std::string& text);
  void trace_signal(const Process& p, int signo, const char* action);
  void trace_process(const Process& p, ProcOp op, int status, const std::string& detail = "");
  void trace_fault(std::uint16_t host, const std::string& what, const std::string& detail);
  TcbSnapshot snapshot(const Sock& s) const;
  void register_socket(Sock& s, std::int32_t pid, const std::string& label);

  // ---- state counts ----
  void count_state(Sock& s, TcpState from, TcpState to);
  void sample_counts();

  // ---- tcp/tcp_fsm.cpp ----
  // Feeds one event to the socket's state machine; returns true if the
  // state changed. `cause` overrides the event's name in the trace.
  bool fsm(Sock& s, FsmEvent ev, const char* cause = nullptr);
  // Called by the MSM on entering a state (the one place that traces a
  // state change), and by the state types' entry/exit hooks.
  void fsm_entered(TcpState to);
  void on_enter_state(Sock& s, TcpState to);
  void on_leave_state(Sock& s, TcpState from);
  // transition actions (RFC diagram's "snd ..." part)
  void act_snd_syn(Sock& s);
  void act_snd_synack(Sock& s);
  void act_snd_ack(Sock& s);
  void act_ack_fin(Sock& s);
  void act_snd_fin(Sock& s);
  void act_snd_rst(Sock& s);
  // the rows of an RST and of segments that change no state (tcp_segment_arrives.cpp)
  void act_reset_tcb(Sock& s);          // tcp_reset(): the error the application sees, queues purged
  void act_challenge_ack(Sock& s);      // RFC 5961 §3.2, §4.2 (rate-limited, §7)
  void act_ack_unacceptable(Sock& s);   // RFC 9293 §3.10.7.4: "send an acknowledgment ... drop"
  void act_drop_rst(Sock& s);           // "If the RST bit is set, drop the segment and return"

  // ---- tcp/tcp_segment_arrives.cpp ----
  void segment_arrives(Sock& s, const Segment& seg);
  void listen_arrives(Sock& l, const Segment& seg);
  std::uint32_t new_child(Sock& l, const Segment& seg);  // a passive socket for this 4-tuple
  std::uint32_t syn_cookie(const Sock& l, const Segment& seg, std::uint32_t irs) const;
  bool cookie_ack_arrives(Sock& l, const Segment& seg);  // false: not a valid cookie
  void synsent_arrives(Sock& s, const Segment& seg);
  void timewait_arrives(Sock& s, const Segment& seg);
  bool acceptable(const Sock& s, const Segment& seg) const;
  void process_ack(Sock& s, const Segment& seg);
  void process_text(Sock& s, const Segment& seg);
  void process_fin(Sock& s);
  bool tw_overflow(const Sock& s) const;

  // ---- tcp/tcp_output.cpp ----
  Segment make_segment(const Sock& s, std::uint8_t flags, std::uint32_t seq, std::uint32_t len);
  void send_segment(Sock& s, Segment seg, bool retrans);
  void output(Sock& s);                       // send what the window and Nagle allow
  void send_ack_now(Sock& s);
  void send_rst_for(Sock& s);                 // RST on an established connection
  void send_reset_reply(std::uint16_t host, const Segment& in, const char* why);  // RFC 9293 §3.10.7.1
  void ack_snd_check(Sock& s, bool ofo);      // __tcp_ack_snd_check
  void schedule_delack(Sock& s);
  void on_ack_sent(Sock& s);
  void on_data_sent(Sock& s);
  std::uint16_t adv_window(Sock& s);
  std::uint32_t rcvbuf_of(const Sock& s) { return s.rcvbuf ? s.rcvbuf : hosts[s.host].sys.rcvbuf; }
  std::uint32_t initial_window(const Sock& s);
  std::int64_t select_window(const Sock& s);
  std::uint32_t receive_window(const Sock& s) const;
  void cleanup_rbuf(Sock& s, std::uint64_t copied);

  // ---- tcp/tcp_timers.cpp ----
  void arm(Sock& s, TimerKind k, Time deadline);
  void cancel(Sock& s, TimerKind k);
  void cancel_all(Sock& s);
  void timer_fired(std::uint32_t sock, TimerKind k, Time when);
  void on_retransmit_timer(Sock& s);
  void on_delack_timer(Sock& s);
  void on_keepalive_timer(Sock& s);
  void rearm_rto(Sock& s);
  void rtt_sample(Sock& s, Time rtt);
  int max_retries(const Sock& s) const;
  Time probe0_when(const Sock& s) const;      // tcp_probe0_when: the zero-window probe interval
  void send_zero_window_probe(Sock& s);       // tcp_probe_timer -> tcp_send_probe0
  Time syn_backoff(const Sock& s, int retransmits) const;
  Time give_up_after(const Sock& s, int boundary) const;
  // keepalive_time_when() / keepalive_intvl_when() / keepalive_probes():
  // the socket's TCP_KEEP* value, else the host's sysctl.
  Time keepalive_time(const Sock& s) const;
  Time keepalive_intvl(const Sock& s) const;
  int keepalive_probes(const Sock& s) const;
  Time clamp_to_user_timeout(const Sock& s, Time rto) const;  // TCP_USER_TIMEOUT

  // ---- tcp/tcp_congestion.cpp ----
  void cong_on_ack(Sock& s, std::uint32_t ack, std::uint32_t acked, std::uint32_t prior_flight,
                   std::uint32_t dsack);
  bool is_dup_ack(const Sock& s, const Segment& seg) const;
  void cong_dup_ack(Sock& s);
  void enter_loss(Sock& s);                   // an RTO: ssthresh, cwnd = 1 MSS, Loss
  std::uint32_t loss_ssthresh(Sock& s);       // ssthresh after a loss (CUBIC beta or RFC 5681 (4))
  void cwnd_reduction(Sock& s, std::uint32_t delivered, bool una_advanced, bool newly_lost);  // PRR
  void cubic_cong_avoid(Sock& s, std::uint32_t acked_pkts);  // CUBIC's congestion avoidance
  void cubic_tx_start(Sock& s);                // CUBIC: the epoch skips idle time (CA_EVENT_TX_START)
  void cubic_rtt_sample(Sock& s, Time rtt);    // CUBIC's minimum RTT (cubictcp_acked())
  std::uint32_t cwnd_pipe(const Sock& s) const;  // bytes in flight as cwnd counts them (tcp_packets_in_flight)
  void cwnd_restart(Sock& s);                 // tcp_slow_start_after_idle_check() on a write
  void cwnd_validate(Sock& s, bool sent);     // tcp_cwnd_validate() after output()
  bool cwnd_limited(const Sock& s) const;     // tcp_is_cwnd_limited()
  void retransmit_at(Sock& s, std::uint32_t seq);  // one segment from `seq`, not moving SND.NXT
  void set_xmit_timer(Sock& s);               // after an ACK of new data: loss probe or RTO
  bool schedule_loss_probe(Sock& s, bool advancing_rto);
  void send_loss_probe(Sock& s);

  // ---- tcp/tcp_user_calls.cpp ----
  std::uint32_t new_socket(std::uint16_t host, std::int32_t pid);
  int tcp_listen(Sock& s, int backlog);
  int tcp_connect(Sock& s, std::uint32_t rip, std::uint16_t rport);
  void tcp_send(Sock& s, std::uint64_t bytes);
  void tcp_shutdown(Sock& s, std::uint8_t how);
  void shutdown_listener(Sock& s, std::uint8_t how);  // shutdown() of a listening socket
  // ABORT: `why` is GiveUp for a timer's give-up, else Discard; with
  // send_rst an RST goes out first and the event is AbortSndRst.
  void tcp_abort(Sock& s, const char* cause, bool send_rst, int err, FsmEvent why = FsmEvent::Discard);
  void tcp_done(Sock& s);                     // the socket reached CLOSED: unhash, release
  void wake(Sock& s);

  // ---- tcp/tcp_close_policy.cpp ----
  void tcp_close(Sock& s);                    // last descriptor closed
  void close_listener(Sock& s, const char* cause = nullptr);
  // An orphan in FIN_WAIT_2 takes a timewait bucket and starts its timeout,
  // or is destroyed at once when tcp_max_tw_buckets are all taken.
  void orphan_fin_wait2_timer(Sock& s);
  Time fin_wait2_timeout(const Sock& s) const;  // tcp_fin_time(): max(tcp_fin_timeout, 3.5 RTO)

  // ---- host.cpp ----
  static std::uint64_t conn_key(std::uint16_t lport, std::uint32_t rip, std::uint16_t rport) {
    return (static_cast<std::uint64_t>(lport) << 48) | (static_cast<std::uint64_t>(rip) << 16) | rport;
  }
  void hash_conn(Sock& s);
  void unhash(Sock& s);
  std::uint32_t lookup(std::uint16_t host, const Segment& seg);
  void host_receive(std::uint16_t host, const Segment& seg);
  int pick_port(std::uint16_t host, std::uint32_t rip, std::uint16_t rport, std::uint16_t* port);
  std::uint32_t new_iss(const Sock& s);
  void crash_host(std::uint16_t host);
  void reboot_host(std::uint16_t host);
  int host_index(const std::string& name) const;

  // ---- network.cpp ----
  // `injected`: a crafted segment (fault `inject:`), not sent by a TCP; the
  // text goes into the send event and the scripted segment rules skip it.
  void transmit(std::uint16_t from_host, const Segment& seg, bool retrans, const Sock* s,
                const std::string& injected = {});
  void inject_segment(const FaultSpec& fs);
  // Sockets by label, for `inject:` targets (filled only when the scenario injects).
  bool labels_wanted = false;
  std::unordered_map<std::string, std::uint32_t> sock_by_label;
  void deliver(std::uint32_t slot);
  void fault_at(std::uint32_t idx);
  int find_link(std::uint16_t a, std::uint16_t b) const;

  // ---- forwarding.cpp: routers, loopback, NAT (conntrack) ----
  Routes routes;                    // static next hops (routing.hpp)
  std::vector<NatRt> nats;          // one per `nat:` host
  std::vector<std::int16_t> nat_of; // host -> index into nats, -1 = none
  std::vector<CtFlow> ct_flows;     // every conntrack entry made (id - 1)
  std::uint32_t ct_pending = 0;     // conntrack expiry events queued (they alone keep no run going)
  // True while a router passes a segment on: transmit() then neither counts
  // it as a segment sent nor applies the scenario's segment rules again, and
  // its trace events are marked `forwarded`.
  bool forwarding_ = false;
  void setup_forwarding();
  // The host a segment from `from` for `dst_ip` crosses a link to (`from`
  // itself over loopback, -1 none); *dst = the host owning dst_ip (-1 none).
  int hop_for(std::uint16_t from, std::uint32_t dst_ip, int* dst = nullptr) const;
  void loopback_transmit(std::uint16_t host, const Segment& seg, std::uint32_t seg_id, bool retrans);
  // A segment on its way to dst_host, arriving at `at` (network.cpp).
  void put_in_flight(const Segment& seg, std::uint32_t seg_id, std::uint16_t dst_host, bool retrans, Time at);
  // A segment reached host f.dst_host over a link: true when it was not for
  // that host's own TCP (forwarded, translated, dropped or refused here).
  bool route_arrived(const InFlight& f);
  void forward_segment(std::uint16_t host, const Segment& seg, bool retrans);
  void conntrack_expire(std::uint32_t flow, Time when);
  void ct_update(CtFlow& c, std::uint32_t id, bool from_inside, const Segment& seg);
  void ct_note(const CtFlow& c, const std::string& what);
  void ct_refused(std::uint16_t host, const NatRt& n, const Segment& seg, std::uint32_t seg_id,
                  bool retrans, const std::string& why);

  // ---- socket_api.cpp / process.cpp ----
  void start_process(std::uint32_t idx);
  std::uint32_t new_thread(std::int32_t pid, const std::vector<Step>* steps,
                           const std::vector<std::pair<std::uint16_t, std::int32_t>>& bind);
  void run_thread(std::uint32_t tid);
  void make_runnable(std::uint32_t tid);
  void run_runnable();
  StepResult exec_step(Thread& t, const Step& st);
  StepResult do_call(Thread& t, const Step& st);
  Sock& take_accepted(Process& p, Thread& t, const Step& st, ListenQueues& lq, std::int32_t nfd);   // socket_api.cpp: the step's action
  StepResult fail(Thread& t, const Step& st, const char* call, const std::string& args, int err,
                  const Sock* s);
  StepResult sigpipe(Thread& t, const Step& st, const char* call, const std::string& args,
                     const Sock* s);
  void sleep_until(Thread& t, Time when);
  std::unordered_map<std::uint32_t, std::uint32_t> pending_isn;  // socket id -> scenario ISN
  void finish_thread(Thread& t);
  void kill_process(Process& p, ProcOp how, int status, const std::string& why);
  int fd_alloc(Process& p, std::uint32_t sock, bool cloexec);
  void fd_close(Process& p, int fd);
  std::int32_t binding(const Thread& t, const std::string& name) const;
  void set_binding(Thread& t, const std::string& name, std::int32_t fd);
  std::uint16_t intern(const std::string& n);
  Sock* sock_of_fd(const Process& p, std::int32_t fd);
  std::uint32_t poll_mask(const Sock& s) const;   // Linux tcp_poll()
  bool bind_conflict(const HostRt& h, const Sock& s, std::uint16_t port) const;
  void bind_port(HostRt& h, Sock& s, std::uint16_t port);
  bool trigger_holds(const Thread& t, const Trigger& tr);
  bool timed_out(Thread& t, Time timeo);  // SO_RCVTIMEO / SO_SNDTIMEO of a blocking call
  void block_on(Thread& t, Sock* s);
  std::string label_for(Process& p, const std::string& binding);
};

}  // namespace tcpsim
