// tcpsim — a scenario as plain data: hosts, sysctls, links, faults,
// processes with their scripts, and expectations. Loaded once (loader.hpp)
// and used by both the simulator and the kernel runner, so the two traces
// are comparable by construction. The file format is documented in
// scenarios/README.md.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tcpsim/types.hpp"

namespace tcpsim {

// Where something came from in a scenario file (1-based line and column).
struct Loc {
  std::string file;
  int line = 0;
  int col = 0;
  std::string str() const;  // "file:line:col"
};

// Behaviour profile of a host's TCP. Linux is the default; rfc9293 turns off
// the Linux deviations that the lessons discuss (RST on unread data, the
// orphaned FIN_WAIT_2 timeout, ...). Each deviation in the code is marked
// "Deviation:" and consults the profile where it matters.
enum class Profile : std::uint8_t { Linux, Rfc9293 };

// Per-host sysctls, Linux names and defaults (Documentation/networking/ip-sysctl.rst).
struct Sysctls {
  Time tcp_fin_timeout = sec(60);        // net.ipv4.tcp_fin_timeout
  int tcp_syn_retries = 6;               // net.ipv4.tcp_syn_retries
  int tcp_synack_retries = 5;            // net.ipv4.tcp_synack_retries
  int tcp_retries2 = 15;                 // net.ipv4.tcp_retries2
  int tcp_orphan_retries = 0;            // net.ipv4.tcp_orphan_retries (0 means 8)
  int tcp_syn_linear_timeouts = 4;       // net.ipv4.tcp_syn_linear_timeouts (Linux 6.x)
  int tcp_tw_reuse = 2;                  // net.ipv4.tcp_tw_reuse (2 = loopback only)
  int tcp_max_tw_buckets = 262144;       // net.ipv4.tcp_max_tw_buckets
  Time tcp_keepalive_time = sec(7200);   // net.ipv4.tcp_keepalive_time
  Time tcp_keepalive_intvl = sec(75);    // net.ipv4.tcp_keepalive_intvl
  int tcp_keepalive_probes = 9;          // net.ipv4.tcp_keepalive_probes
  int tcp_rfc1337 = 0;                   // net.ipv4.tcp_rfc1337
  int tcp_abort_on_overflow = 0;         // net.ipv4.tcp_abort_on_overflow
  int tcp_syncookies = 1;                // net.ipv4.tcp_syncookies (0 never, 1 when the request queue is full, 2 always)
  int somaxconn = 4096;                  // net.core.somaxconn
  std::uint16_t port_lo = 32768;         // net.ipv4.ip_local_port_range
  std::uint16_t port_hi = 60999;
  Time time_wait = sec(60);              // TIME_WAIT length, 2MSL (TCP_TIMEWAIT_LEN on Linux)
  Time rto_min = msec(200);              // TCP_RTO_MIN
  Time rto_initial = sec(1);             // TCP_TIMEOUT_INIT
  Time rto_max = sec(120);               // TCP_RTO_MAX
  Time delack_min = msec(40);            // TCP_DELACK_MIN / TCP_ATO_MIN
  // Payload per segment. Linux negotiates TCP timestamps by default
  // (net.ipv4.tcp_timestamps = 1, RFC 7323): the 12-byte option comes off the
  // 1460-byte MSS of a 1500-byte link, so data segments carry 1448 bytes
  // (tcp_current_mss(); docs/kernel-facts.md).
  std::uint32_t mss = 1448;
  std::uint32_t rcvbuf = 131072;         // receive window the host offers (bytes)
  std::uint32_t sndbuf = 16384 * 4;      // send buffer limit (bytes)
  // Connection tracking (a `nat:` host), net.netfilter.nf_conntrack_tcp_timeout_*
  // (Linux nf_conntrack_proto_tcp.c tcp_timeouts[]): how long a flow's entry
  // lives after its last packet, by the flow's conntrack state.
  Time ct_established = sec(432000);     // ..._established (5 days)
  Time ct_syn_sent = sec(120);           // ..._syn_sent
  Time ct_syn_recv = sec(60);            // ..._syn_recv
  Time ct_fin_wait = sec(120);           // ..._fin_wait
  Time ct_close_wait = sec(60);          // ..._close_wait
  Time ct_last_ack = sec(30);            // ..._last_ack
  Time ct_time_wait = sec(120);          // ..._time_wait
  Time ct_close = sec(10);               // ..._close
};

// `nat:` on a forwarding host: masquerading and a stateful firewall
// (Linux nf_conntrack + MASQUERADE). Flows from the `inside` hosts to any
// other host leave with this host's ip as their source (the port kept when
// free); packets of a flow the conntrack table does not know (forgotten after
// its timeout, or never seen) get `policy`.
enum class NatPolicy : std::uint8_t {
  Drop,  // dropped silently (iptables: -m conntrack --ctstate NEW ! --syn -j DROP)
  Rst,   // answered with RST to the sender (-j REJECT --reject-with tcp-reset)
};
struct NatSpec {
  std::vector<std::string> inside;  // host names masqueraded behind this host
  NatPolicy policy = NatPolicy::Drop;
  Loc loc;
};

struct HostSpec {
  std::string name;
  std::uint32_t ip = 0;
  Profile profile = Profile::Linux;
  Sysctls sysctls;
  // Sysctls the scenario set explicitly, by their Linux name
  // ("net.ipv4.tcp_fin_timeout" -> "30"), for the kernel runner.
  std::map<std::string, std::string> sysctl_overrides;
  // `forward: true`: a router (net.ipv4.ip_forward = 1). A segment for another
  // host goes hop by hop along the shortest path of links (routing.hpp); every
  // host in the middle of a path must forward.
  bool forward = false;
  std::optional<NatSpec> nat;     // only on a forwarding host
  Loc loc;
};

struct LinkSpec {
  std::string a, b;               // host names
  Time delay = msec(1);           // one-way propagation delay
  Time jitter = 0;                // uniform extra delay in [0, jitter]
  double loss = 0;                // probability in [0, 1]
  double duplicate = 0;           // probability in [0, 1]
  double reorder = 0;             // probability that a segment is held back by `reorder_gap`
  Time reorder_gap = msec(1);
  std::uint64_t rate_bps = 0;     // 0 = unlimited; otherwise serialisation delay per byte
  Loc loc;
};

// Which segments a segment fault applies to.
struct SegmentMatch {
  std::string from;               // sending host name ("" = any)
  std::optional<std::uint8_t> flags;  // exact flags (tcpdump notation in the file)
  std::uint8_t has = 0;           // flags that must all be set
  std::optional<bool> data;       // true: len > 0, false: len == 0
  int nth = 1;                    // 1-based index among matching segments
  int count = 1;                  // how many consecutive matches (0 = all from nth on)
};

enum class FaultKind : std::uint8_t {
  Drop,        // drop matching segments
  Delay,       // hold matching segments back by `delay` (old duplicates)
  Duplicate,   // deliver matching segments twice, the copy `delay` later
  LinkDown,    // at `at`: every segment on the link is lost until LinkUp
  LinkUp,
  Crash,       // at `at`: host loses all TCP state and processes, sends nothing
  Reboot,      // at `at`: the crashed host is back, with empty tables
  Inject,      // at `at`: a crafted segment (InjectSpec) enters the network
  Sysctl,      // at `at`: `host` writes new values of some sysctls (/proc/sys)
};

// A sequence or acknowledgement number of an injected segment: a number, or
// one of the target socket's TCB variables at the moment of injection plus
// an offset ("rcv_nxt+1000", "snd_una-100000"), modulo 2^32.
struct SeqRef {
  enum class Base : std::uint8_t { Number, RcvNxt, SndNxt, SndUna } base = Base::RcvNxt;
  std::int64_t offset = 0;        // Number: the number itself
};

// `inject:`: one crafted segment addressed to an existing socket, as an
// off-path attacker (RFC 5961 §1) or a stale duplicate would deliver it.
struct InjectSpec {
  std::string to;                 // the receiving socket's label ("server/conn")
  std::string from;               // the host it is sent from ("" = the peer's host)
  bool spoof = true;              // source = the connection's peer (false: `from`'s own address)
  std::uint8_t flags = 0;
  SeqRef seq{SeqRef::Base::RcvNxt, 0};
  SeqRef ack{SeqRef::Base::SndNxt, 0};
  std::uint32_t len = 0;          // payload bytes
  std::optional<std::uint16_t> win;  // window field (default: the peer's last one)
};

struct FaultSpec {
  FaultKind kind = FaultKind::Drop;
  SegmentMatch match;             // Drop, Delay, Duplicate
  Time delay = 0;                 // Delay, Duplicate
  Time at = 0;                    // LinkDown/Up, Crash, Reboot
  std::string host;               // Crash, Reboot, Sysctl
  // Sysctl: Linux name -> value as written to /proc/sys ("5", "32768 60999").
  std::map<std::string, std::string> sysctls;
  std::string link_a, link_b;     // LinkDown/Up ("" = every link)
  InjectSpec inject;              // Inject
  // `label:` names the rule in the trace instead of its file and line (a
  // branch made in the lab (docs/lab.md) labels its fault with the action's
  // text, so the branch and the scenario file saved from it trace alike).
  std::string label;
  Loc loc;
};

// ---- process scripts ----
// A process runs a script: a list of steps executed in order by its main
// thread. Calls block as real blocking sockets do (accept waits for a
// connection, connect for the handshake, recv for data or EOF, close with
// SO_LINGER > 0 for the FIN to be acknowledged). A process whose script ends
// stays alive and keeps its descriptors (like a server that leaks sockets);
// `exit` ends it and closes every descriptor it holds.

enum class StepKind : std::uint8_t {
  Socket,      // socket(): as
  Bind,        // bind(sock, port)
  Listen,      // [socket+bind+]listen(port, backlog): as
  Accept,      // accept(sock): as
  Connect,     // [socket+]connect(to host:port [from port]): as
  Send,        // send(sock, bytes) [nosignal]
  Recv,        // recv(sock, [bytes | until eof])
  Shutdown,    // shutdown(sock, how)
  Close,       // close(sock)
  SetSockOpt,  // setsockopt(sock, option, value)
  Dup,         // dup(sock): as
  Fork,        // fork(): the child runs `body`; the parent goes on
  Exec,        // execve(): descriptors marked FD_CLOEXEC are closed
  Exit,        // exit(status): closes all descriptors
  Sleep,       // sleep(duration)
  Wait,        // block until `trigger` holds
  Epoll,       // an epoll_wait() loop over one socket (see EpollSpec)
  Loop,        // repeat `body` `count` times (0 = forever), every `every`
  Spawn,       // run `body` in a new thread of this process; go on at once
  Signal,      // signal(SIGPIPE, SIG_IGN | SIG_DFL)
  GetSockOpt,  // getsockopt(sock, SO_ERROR | TCP_INFO): the value is traced
};
const char* step_kind_name(StepKind k);

enum class ShutHow : std::uint8_t { Rd, Wr, RdWr };

enum class SockOpt : std::uint8_t {
  Linger,       // SO_LINGER {on, seconds}
  ReuseAddr,    // SO_REUSEADDR
  KeepAlive,    // SO_KEEPALIVE
  NoDelay,      // TCP_NODELAY
  CloExec,      // fcntl(F_SETFD, FD_CLOEXEC)
  NonBlock,     // fcntl(F_SETFL, O_NONBLOCK)
  RcvBuf,       // SO_RCVBUF
  KeepIdle,     // TCP_KEEPIDLE (seconds)
  KeepIntvl,    // TCP_KEEPINTVL (seconds)
  KeepCnt,      // TCP_KEEPCNT (probes)
  UserTimeout,  // TCP_USER_TIMEOUT (value: microseconds, whole milliseconds; 0 = off)
  RcvTimeo,     // SO_RCVTIMEO (value: microseconds; 0 = block forever)
  SndTimeo,     // SO_SNDTIMEO (value: microseconds; 0 = block forever)
  QuickAck,     // TCP_QUICKACK
  Linger2,      // TCP_LINGER2 (seconds; -1 = RST instead of FIN_WAIT_2; 0 = tcp_fin_timeout)
};

// What getsockopt reads.
enum class GetOpt : std::uint8_t {
  Error,        // SO_ERROR: the pending error, cleared by reading it
  TcpInfo,      // TCP_INFO: state, retransmits, probes, rto, unacked, total_retrans, cwnd, ssthresh
};

// A condition a thread can wait for (`when:` on a step, or `wait:`).
struct Trigger {
  // Writable: poll() reports POLLOUT, POLLERR or POLLHUP, as select() for
  // writing does after a non-blocking connect() (done, or failed).
  enum class Kind : std::uint8_t { None, State, Eof, Readable, Closed, Reset, Writable } kind = Kind::None;
  std::string sock;               // binding name of the socket
  TcpState state = TcpState::Closed;  // Kind::State: the socket has entered this state
};

// A level- or edge-triggered epoll loop on one socket: each wake-up is
// traced as an epoll_wait call with the ready mask; on EPOLLIN the loop
// reads (recv), and on read() == 0 it closes the socket if close_on_eof
// (the fix) or keeps looping (the spin bug) until max_wakeups. The epoll
// instance holds a descriptor while the loop runs, as epoll_create() does.
// `on_in` picks what a wake-up with EPOLLIN does: read (above), accept() on
// a listener (the accepted connection is bound to the step's `as`), or
// nothing at all (a handler that ignores the event: level-triggered, it
// wakes again at once).
enum class EpollOnIn : std::uint8_t { Read, Accept, Ignore };
struct EpollSpec {
  EpollOnIn on_in = EpollOnIn::Read;
  std::string sock;
  bool edge = false;              // EPOLLET
  std::uint32_t events = 0;       // EPOLLIN|EPOLLRDHUP|... requested (Linux values)
  bool close_on_eof = false;
  int max_wakeups = 100;          // stop after this many (the spin is bounded)
  Time timeout = 0;               // epoll_wait timeout (0 = block)
};

// What a thread does when a call in its script fails (returns -1).
enum class OnError : std::uint8_t {
  Stop,      // the thread stops here (like code that bails out); the process lives on
  Continue,  // go on with the next step (like code that ignores the error)
  Exit,      // the process exits with status 1 (closing its descriptors)
};

struct Step {
  StepKind kind = StepKind::Sleep;
  Loc loc;
  OnError on_error = OnError::Stop;   // `on_error: stop | continue | exit`
  // `retry: {count, backoff, factor}`: an application-level retry. When the
  // call fails, wait backoff, backoff*factor, ... and run the step again, at
  // most `count` more times (a socket the failed attempt made is closed
  // first); on_error applies to the last failure only.
  int retry_count = 0;
  Time retry_backoff = sec(1);
  int retry_factor = 2;

  // Timing, before the step runs: at an absolute time, after a delay from
  // the end of the previous step, and/or once a trigger holds.
  std::optional<Time> at;
  std::optional<Time> after;
  Trigger when;

  std::string sock;               // binding of the socket the call uses
  std::string as;                 // binding the call's result gets

  // Connect/Bind/Listen
  std::string to_host;            // Connect: peer host name
  // Connect: the address when `to` names one instead of a host: 127.0.0.1
  // (any 127.x.x.x, loopback; to_host is then the process's own host) or a
  // host's ip. 0: the ip of to_host.
  std::uint32_t to_ip = 0;
  std::uint16_t port = 0;         // Connect: peer port; Bind/Listen: local port
  std::uint16_t from_port = 0;    // Connect: bind() to this local port first (0 = ephemeral)
  int backlog = 128;              // Listen
  // Send / Recv
  std::uint64_t bytes = 0;        // Send: bytes to write; Recv: bytes to read in total (0 = once)
  bool until_eof = false;         // Recv: read until read() returns 0 (or an error)
  bool nosignal = false;          // Send: MSG_NOSIGNAL
  // Shutdown
  ShutHow how = ShutHow::Wr;
  // SetSockOpt
  SockOpt opt = SockOpt::Linger;
  bool on = true;
  std::int64_t value = 0;         // Linger: seconds; RcvBuf: bytes; see SockOpt
  // GetSockOpt
  GetOpt getopt = GetOpt::Error;
  // Exit
  int status = 0;
  // Sleep
  Time duration = 0;
  // Signal: SIGPIPE ignored?
  bool ignore = false;
  // Epoll
  EpollSpec epoll;
  // Loop/Spawn/Fork
  std::uint64_t count = 1;        // Loop: iterations (0 = forever)
  Time every = 0;                 // Loop: start iterations this far apart (0 = back to back)
  bool concurrent = false;        // Loop: each iteration in its own thread (spawn)
  std::vector<Step> body;
};

struct ProcessSpec {
  std::string name;
  std::string host;
  bool ignore_sigpipe = false;
  int fd_limit = 1024;            // RLIMIT_NOFILE
  Time start = 0;
  std::vector<Step> script;
  Loc loc;
};

// ---- expectations (`expect:`), verified by `tcpsim check` ----
struct ExpectStates {            // the distinct states a socket went through
  std::string sock;              // socket label: "client/sock", "server/conn#2"
  std::vector<TcpState> states;
  Loc loc;
};
struct ExpectSegments {          // flags of every segment sent, in order
  std::string from;              // "" = all hosts
  std::vector<std::string> flags;  // tcpdump notation
  Loc loc;
};
struct ExpectCall {              // the nth matching call returned this
  std::string process;
  std::string call;
  int nth = 1;                   // 1-based; 0 = every matching call
  std::optional<std::int64_t> ret;
  std::optional<std::string> err;  // errno name, or "none"
  // getsockopt: fields of the value read, as the trace writes them after
  // "->" ("error" -> "ECONNREFUSED", "state" -> "ESTABLISHED", "unacked" -> "1").
  std::map<std::string, std::string> fields;
  std::optional<Time> rto;       // TCP_INFO rto, within `tolerance`
  Time tolerance = 0;
  Loc loc;
};
struct ExpectAt {                // at a time: a socket's state, or a host's counts
  Time t = 0;
  std::map<std::string, TcpState> state;      // socket label -> state
  std::string state_gone;                     // or: socket label that no longer exists
  std::map<std::string, std::map<TcpState, std::int64_t>> count;  // host -> state -> sockets
  Loc loc;
};
struct ExpectSignal {
  std::string process;
  std::string signal = "SIGPIPE";
  std::string action;            // "killed" | "ignored" | "" (any)
  bool absent = false;           // expect no such signal
  Loc loc;
};
struct ExpectExit {
  std::string process;
  std::optional<int> status;
  std::string killed_by;         // "SIGPIPE", ...
  Loc loc;
};
struct ExpectCount {             // over the whole run
  std::string what;              // "segments" | "retransmissions" | "rst" | "wakeups" | "peak"
  std::string host;              // for "peak": host; for segment counts: sender ("" = any)
  std::optional<TcpState> state; // for "peak"
  std::optional<std::string> flags;  // for "segments": exact flags
  std::int64_t min = 0, max = INT64_MAX;
  Loc loc;
};
struct ExpectDuration {          // how long a socket stayed in a state
  std::string sock;
  TcpState state = TcpState::TimeWait;
  Time duration = 0;
  Time tolerance = 0;
  Loc loc;
};

struct Expect {
  std::vector<ExpectStates> states;
  std::vector<ExpectSegments> segments;
  std::vector<ExpectCall> calls;
  std::vector<ExpectAt> at;
  std::vector<ExpectSignal> signals;
  std::vector<ExpectExit> exits;
  std::vector<ExpectCount> counts;
  std::vector<ExpectDuration> durations;
  bool empty() const {
    return states.empty() && segments.empty() && calls.empty() && at.empty() &&
           signals.empty() && exits.empty() && counts.empty() && durations.empty();
  }
};

struct Text {                    // a text in English and Simplified Chinese
  std::string en, zh;
  const std::string& get(const std::string& lang) const {
    return (lang.rfind("zh", 0) == 0 && !zh.empty()) ? zh : en;
  }
};

// One entry of `kernel: {variant:}`: the value a YAML path of the file is
// given in the kernel variant ("processes.server.fd_limit" -> "10").
struct KernelOverride {
  std::string path;
  std::string value;              // the scalar as written
  bool quoted = false;            // written in quotes
};

struct Scenario {
  std::string name;               // file stem: "normal-close"
  std::string path;               // file it was loaded from
  Text title;
  Text summary;
  Text lesson;
  std::vector<std::string> tags;
  std::vector<std::string> references;
  // `kernel:` — how `tcpsim kernel-diff` compares the scenario with Linux
  // (docs/fidelity.md). compare: false skips it; horizon: compares it only up
  // to that scenario time (e.g. before a 60 s TIME_WAIT expires); reason: says
  // why, and is printed with the result.
  bool kernel_comparable = true;
  std::string kernel_skip_reason;
  Time kernel_horizon = kNever;
  // variant: the scenario made smaller for the kernel run (fewer
  // connections, lower limits, wider spacing): the same file with these
  // values replaced. kernel-diff runs the model and the kernel on it; its
  // horizon and reason are the ones above; it has no expect:. Null without.
  std::vector<KernelOverride> kernel_variant_overrides;
  std::shared_ptr<const Scenario> kernel_variant;
  std::uint64_t seed = 1;
  Time duration = 0;              // stop at this time (0 = run until nothing is left to do)
  std::map<std::string, std::uint32_t> isn;  // optional fixed ISS per socket label

  std::vector<HostSpec> hosts;
  std::vector<LinkSpec> links;
  std::vector<FaultSpec> faults;
  std::vector<ProcessSpec> processes;
  Expect expect;

  const HostSpec* host(const std::string& n) const {
    for (const auto& h : hosts)
      if (h.name == n) return &h;
    return nullptr;
  }
};

}  // namespace tcpsim
