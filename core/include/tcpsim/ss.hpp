// tcpsim — the socket table at a moment: what `ss -tanoip` (or `netstat
// -ant`, or `ss -s`) would print on a host at virtual time T (issue #15).
//
// The table is read from the model itself (core/src/ss.cpp runs the
// simulation up to T and looks at its sockets, listen queues and descriptor
// tables), and every column follows what Linux reports, not what the RFC
// would suggest:
//   - Recv-Q / Send-Q of a connection are rcv_nxt - copied_seq and
//     write_seq - snd_una (tcp_diag_get_info(), net/ipv4/tcp_diag.c): an
//     unread FIN counts 1 in Recv-Q until a read consumes it, a SYN or FIN
//     not yet acknowledged counts 1 in Send-Q;
//   - a listener shows its accept queue (sk_ack_backlog) and its backlog
//     (sk_max_ack_backlog = min(backlog, somaxconn)) instead;
//   - SYN-RECV (request socks), TIME-WAIT and orphaned FIN-WAIT-2 (time-wait
//     socks) have 0 / 0 and no owner (inet_req_diag_fill(),
//     inet_twsk_diag_fill());
//   - the timer column is inet_diag's idiag_timer: "on" (retransmission,
//     also SYN-ACK), "persist" (zero-window probe), "keepalive" (sk_timer),
//     "timewait"; a delayed ACK is never shown;
//   - a socket in CLOSED (bound only, or dead with a descriptor) is not in
//     the kernel's hash tables: ss 6.1 does not list it.
// docs/cli.md ("tcpsim ss") shows the outputs and the measurements behind
// these rules (Linux 6.18, iproute2 6.1).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tcpsim/scenario.hpp"
#include "tcpsim/simulation.hpp"

namespace tcpsim {

// inet_diag's idiag_timer values, as ss names them (tmr_name[] in ss.c).
enum class SsTimer : std::uint8_t { Off = 0, On = 1, Keepalive = 2, TimeWait = 3, Persist = 4 };
const char* ss_timer_name(SsTimer t);       // "off", "on", "keepalive", "timewait", "persist"
const char* ss_state_name(TcpState s);      // ss's spelling: "ESTAB", "SYN-SENT", "UNCONN", ...
const char* netstat_state_name(TcpState s); // netstat's: "ESTABLISHED", "FIN_WAIT1", "CLOSE", ...
// ss's print_ms_timer(): "188ms", "1.500ms", "59sec", "5min30sec", "119min".
std::string ss_ms_timer(std::int64_t ms);

struct SsOwner {
  std::string process;  // the process name (ss: comm)
  std::int32_t pid = 0;
  int fd = 0;
};

// What `ss -i` adds (tcp_info), for the values the model keeps.
struct SsInfo {
  Time rto = 0, srtt = 0, rttvar = 0, ato = 0;  // microseconds
  std::uint32_t mss = 0, cwnd = 0, snd_wnd = 0;
  std::uint64_t bytes_acked = 0, bytes_received = 0;
  std::uint32_t unacked = 0;          // segments in flight (tcpi_unacked); a listener: its accept queue
  std::uint32_t retransmits = 0;      // consecutive RTO expirations (tcpi_retransmits)
  std::uint32_t total_retrans = 0;    // segments retransmitted so far (tcpi_total_retrans)
  std::uint32_t backlog = 0;          // a listener: its backlog (tcpi_sacked)
};

struct SsRow {
  std::uint32_t sock = 0;    // the socket's stable id ("sid" in the JSONL trace)
  std::uint16_t host = 0;    // index into SsTable::hosts
  std::string label;         // "server/conn", "server/lsock~3" (not yet accepted)
  TcpState state = TcpState::Closed;
  bool listening = false;
  bool orphan = false;       // closed by its application (SOCK_DEAD; not a child awaiting accept())
  bool minisock = false;     // a request sock (SYN-RECV child) or time-wait sock
  std::uint32_t lip = 0, rip = 0;
  std::uint16_t lport = 0, rport = 0;
  std::uint32_t recv_q = 0, send_q = 0;
  SsTimer timer = SsTimer::Off;
  std::int64_t expires_ms = 0;  // time left on the timer, milliseconds
  int retrans = 0;              // the timer's count (retransmits, probes)
  std::vector<SsOwner> users;   // ss -p order: highest pid first, then highest fd
  SsInfo info;
};

struct SsHost {
  std::string name;
  std::uint32_t ip = 0;
};

struct SsTable {
  Time at = 0;               // the moment asked for
  Time reached = 0;          // virtual time the run reached (< at when the run ended before)
  std::vector<SsHost> hosts;
  std::vector<SsRow> rows;   // per host: listeners first, then by socket id
  std::string stopped_by;    // a run limit cut the run before `at` (LimitStop::message())
};

// Runs `sc` up to virtual time `at` (every event at `at` included) and reads
// its socket table. Options: seed and limits as for `tcpsim run` (`until`
// is replaced by `at`).
SsTable socket_table(const Scenario& sc, Time at, RunOptions options = {});

struct SsFormat {
  int host = -1;             // index into SsTable::hosts; -1 = every host, one section each
  bool listening = false;    // ss -l: only LISTEN sockets
  bool all = true;           // ss -a: every state (false: ss's default, connections only)
  bool processes = false;    // ss -p: users:((...))
  bool timers = false;       // ss -o: timer:(...)
  bool info = false;         // ss -i: a second line with tcp_info values
};

// ss -tan[l][o][i][p]'s layout: adaptive columns as ss computes them, no
// trailing blanks. With several hosts, each section starts "# host NAME (IP)".
std::string format_ss(const SsTable& t, const SsFormat& f);
// netstat -ant's layout (/proc/net/tcp values: a listener's Send-Q is 0).
std::string format_netstat(const SsTable& t, const SsFormat& f);
// ss -s's TCP lines, then the number of sockets in each state.
std::string format_ss_summary(const SsTable& t, const SsFormat& f);

}  // namespace tcpsim
