// tcpsim — the socket table at a moment (tcpsim/ss.hpp): the simulation is
// run up to T and its sockets are read as Linux's inet_diag reports them.
//
// Read first: net/ipv4/inet_diag.c (inet_sk_diag_fill: the timer column;
// inet_twsk_diag_fill, inet_req_diag_fill: time-wait and request socks),
// net/ipv4/tcp_diag.c (tcp_diag_get_info: Recv-Q and Send-Q),
// net/ipv4/tcp_ipv4.c (get_tcp4_sock: /proc/net/tcp, which netstat reads),
// and iproute2's misc/ss.c (column layout, print_ms_timer, users order).
#include "tcpsim/ss.hpp"

#include <algorithm>
#include <array>
#include <cinttypes>
#include <cstdio>
#include <map>

#include "sim.hpp"

namespace tcpsim {

const char* ss_timer_name(SsTimer t) {
  switch (t) {
    case SsTimer::Off: return "off";
    case SsTimer::On: return "on";
    case SsTimer::Keepalive: return "keepalive";
    case SsTimer::TimeWait: return "timewait";
    case SsTimer::Persist: return "persist";
  }
  return "unknown";
}

// ss.c sstate_name[] (TCP_CLOSE is "UNCONN").
const char* ss_state_name(TcpState s) {
  switch (s) {
    case TcpState::Closed: return "UNCONN";
    case TcpState::Listen: return "LISTEN";
    case TcpState::SynSent: return "SYN-SENT";
    case TcpState::SynReceived: return "SYN-RECV";
    case TcpState::Established: return "ESTAB";
    case TcpState::FinWait1: return "FIN-WAIT-1";
    case TcpState::FinWait2: return "FIN-WAIT-2";
    case TcpState::CloseWait: return "CLOSE-WAIT";
    case TcpState::Closing: return "CLOSING";
    case TcpState::LastAck: return "LAST-ACK";
    case TcpState::TimeWait: return "TIME-WAIT";
  }
  return "UNKNOWN";
}

// net-tools netstat.c tcp_state[].
const char* netstat_state_name(TcpState s) {
  switch (s) {
    case TcpState::Closed: return "CLOSE";
    case TcpState::Listen: return "LISTEN";
    case TcpState::SynSent: return "SYN_SENT";
    case TcpState::SynReceived: return "SYN_RECV";
    case TcpState::Established: return "ESTABLISHED";
    case TcpState::FinWait1: return "FIN_WAIT1";
    case TcpState::FinWait2: return "FIN_WAIT2";
    case TcpState::CloseWait: return "CLOSE_WAIT";
    case TcpState::Closing: return "CLOSING";
    case TcpState::LastAck: return "LAST_ACK";
    case TcpState::TimeWait: return "TIME_WAIT";
  }
  return "UNKNOWN";
}

// ss.c print_ms_timer(), to the letter (so "1.500ms" means 1.5 s, as ss prints it).
std::string ss_ms_timer(std::int64_t timeout) {
  if (timeout < 0) timeout = 0;
  char buf[64];
  buf[0] = 0;
  std::int64_t secs = timeout / 1000, minutes = secs / 60, msecs = timeout % 1000;
  secs %= 60;
  std::size_t n = 0;
  if (minutes) {
    msecs = 0;
    n += std::snprintf(buf + n, sizeof buf - n, "%" PRId64 "min", minutes);
    if (minutes > 9) secs = 0;
  }
  if (secs) {
    if (secs > 9) msecs = 0;
    n += std::snprintf(buf + n, sizeof buf - n, "%" PRId64 "%s", secs, msecs ? "." : "sec");
  }
  if (msecs) n += std::snprintf(buf + n, sizeof buf - n, "%03" PRId64 "ms", msecs);
  return buf;
}

namespace {

// Watches the run: labels (which the simulation names only when events are
// recorded), segments retransmitted per socket, and whether the FIN a
// socket received has been consumed by a read (copied_seq passed it).
class SsSink : public TraceSink {
 public:
  Sim* sim = nullptr;
  std::vector<std::string> labels;          // by socket id - 1
  std::vector<std::uint32_t> retrans;       // by socket id - 1
  std::vector<bool> fin_read;               // by socket id - 1

  void on_socket(const SocketInfo& s) override {
    if (s.id > labels.size()) grow(s.id);
    labels[s.id - 1] = s.label;
  }
  bool wants_tcb() const override { return false; }
  void on_event(const Event& e) override {
    if (!e.sock) return;
    if (e.sock > labels.size()) grow(e.sock);
    if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send && e.retrans) ++retrans[e.sock - 1];
    // tcp_recvmsg() moves copied_seq over the FIN ("found_fin_ok") when a
    // read reaches it: a read that returns 0, or one that takes the last
    // bytes of an skb the FIN was coalesced into (the FIN came while data
    // was still unread). Either way: a read after the FIN that leaves
    // nothing unread. A FIN that arrived after the last read stays in
    // Recv-Q (1) until the next read returns 0 (measured: CLOSE-WAIT with
    // 100 unread bytes shows 101, after recv(100) it shows 0).
    if (e.kind == EventKind::Call && e.ret >= 0 && (e.call == "recv" || e.call == "read")) {
      const Sock& s = sim->sock(e.sock);
      if (s.done && s.rcv_buf() == 0) fin_read[e.sock - 1] = true;
    }
  }

 private:
  void grow(std::size_t n) {
    labels.resize(n);
    retrans.resize(n, 0);
    fin_read.resize(n, false);
  }
};

bool armed(const Sock& s, TimerKind k) { return s.timers[static_cast<int>(k)] != 0; }
Time deadline(const Sock& s, TimerKind k) { return s.timers[static_cast<int>(k)]; }

std::int64_t left_ms(Time deadline, Time now) { return deadline > now ? (deadline - now) / 1000 : 0; }

}  // namespace

SsTable socket_table(const Scenario& sc, Time at, RunOptions options) {
  SsTable t;
  t.at = at;
  options.until = at;
  SsSink sink;
  Sim sim(sc, sink, options);
  sink.sim = &sim;
  while (sim.step()) {
  }
  if (sim.summary.limit) t.stopped_by = sim.summary.limit->message();
  t.reached = sim.now;
  const Time now = std::min(sim.now, at);
  for (const auto& h : sim.hosts) t.hosts.push_back({h.name, h.ip});

  // Descriptors: socket id -> owners, in ss -p's order. ss hashes the
  // (pid, fd) it finds scanning /proc in ascending order and prepends each
  // to its bucket, so a socket's users come out highest pid first, then
  // highest fd first (measured with fork() + dup()).
  std::map<std::uint32_t, std::vector<SsOwner>> owners;
  for (auto p = sim.procs.rbegin(); p != sim.procs.rend(); ++p) {
    if (!p->alive) continue;
    for (std::size_t fd = p->fds.size(); fd-- > 0;)
      if (p->fds[fd].sock && p->fds[fd].sock != kEpollInstance)
        // The kernel's comm is at most 15 characters (TASK_COMM_LEN).
        owners[p->fds[fd].sock].push_back({p->name.substr(0, 15), p->pid, static_cast<int>(fd)});
  }

  for (const Sock& s : sim.socks) {
    // CLOSED sockets are in no hash table inet_diag walks (ss 6.1 lists no
    // bound-only socket; ss >= 6.8 would with --bound-inactive).
    if (s.state == TcpState::Closed) continue;
    SsRow r;
    r.sock = s.id;
    r.host = s.host;
    r.label = s.id <= sink.labels.size() ? sink.labels[s.id - 1] : std::string();
    r.state = s.state;
    r.listening = s.listening;
    // SOCK_DEAD: closed by its application (a child not yet accepted is not).
    r.orphan = s.orphan && (s.listener == 0 || s.accepted);
    r.lip = s.lip;
    r.rip = s.listening ? 0 : s.rip;
    r.lport = s.lport;
    r.rport = s.listening ? 0 : s.rport;
    const Sysctls& y = sim.hosts[s.host].sys;
    const bool request = s.state == TcpState::SynReceived && s.listener != 0;
    // Linux: an orphan entering FIN_WAIT_2 becomes a time-wait sock with
    // substate FIN_WAIT2 (tcp_time_wait(sk, TCP_FIN_WAIT2, tmo)).
    const bool tw_fw2 = s.state == TcpState::FinWait2 && s.orphan && armed(s, TimerKind::FinWait2);
    r.minisock = request || s.state == TcpState::TimeWait || tw_fw2;

    if (s.listening) {
      const ListenQueues& lq = sim.listens[s.listen_idx - 1];
      r.recv_q = static_cast<std::uint32_t>(lq.accept_q.size());  // sk_ack_backlog
      r.send_q = static_cast<std::uint32_t>(lq.backlog);           // sk_max_ack_backlog
      r.info.unacked = r.recv_q;
      r.info.backlog = r.send_q;
    } else if (!r.minisock) {
      // rcv_nxt - copied_seq: unread bytes, plus the FIN until a read consumes it.
      const bool fin_unread = s.done && !(s.id <= sink.fin_read.size() && sink.fin_read[s.id - 1]);
      r.recv_q = s.rcv_buf() + (fin_unread ? 1u : 0u);
      // write_seq - snd_una: the SYN, the bytes written and the FIN, less what is acknowledged.
      const std::uint32_t write_seq = s.iss + 1u + static_cast<std::uint32_t>(s.written) + (s.fin_queued ? 1u : 0u);
      const std::int32_t sendq = static_cast<std::int32_t>(write_seq - s.snd_una);
      r.send_q = sendq > 0 ? static_cast<std::uint32_t>(sendq) : 0u;
    }

    // inet_sk_diag_fill(): the retransmission (or probe) timer first, then sk_timer (keepalive).
    if (s.state == TcpState::TimeWait) {
      r.timer = SsTimer::TimeWait;
      r.expires_ms = left_ms(deadline(s, TimerKind::TimeWait), now);
    } else if (tw_fw2) {
      // tcp_close(): a tcp_fin_timeout longer than TIME_WAIT's 60 s runs the
      // excess on the keepalive timer first, then the rest as a time-wait sock.
      const Time left = deadline(s, TimerKind::FinWait2) - now;
      if (y.tcp_fin_timeout > y.time_wait && left > y.time_wait) {
        r.timer = SsTimer::Keepalive;
        r.expires_ms = (left - y.time_wait) / 1000;
      } else {
        r.timer = SsTimer::TimeWait;
        r.expires_ms = left_ms(deadline(s, TimerKind::FinWait2), now);
      }
    } else if (armed(s, TimerKind::Retransmit)) {
      // tcp_probe_timer (ICSK_TIME_PROBE0) when nothing is in flight and data
      // waits behind a zero window (tcp_timers.cpp probes from the RTO timer).
      const bool probe0 = s.snd_una == s.snd_max && s.written > s.sent && s.snd_wnd == 0;
      r.timer = probe0 ? SsTimer::Persist : SsTimer::On;
      r.expires_ms = left_ms(deadline(s, TimerKind::Retransmit), now);
      r.retrans = s.retransmits;
    } else if (armed(s, TimerKind::Keepalive)) {
      r.timer = SsTimer::Keepalive;
      r.expires_ms = left_ms(deadline(s, TimerKind::Keepalive), now);
      r.retrans = s.probes;
    }

    if (!r.minisock) {
      auto it = owners.find(s.id);
      if (it != owners.end()) r.users = it->second;
      // tcp_get_info(): rto and ato in microseconds, rtt from srtt/rttvar.
      SsInfo& i = r.info;
      if (!s.listening) {
        i.rto = s.rto;
        i.srtt = s.srtt;
        i.rttvar = s.rttvar;
        i.ato = s.ato;
        i.mss = y.mss;
        i.cwnd = y.mss ? s.cwnd / y.mss : 0;  // the model counts bytes, tcp_info segments
        i.snd_wnd = s.snd_wnd;
        // tcp_snd_una_update / tcp_rcv_nxt_update: an active opener counts its
        // acknowledged SYN, a passive one does not; the FIN counts as received.
        if (s.state != TcpState::SynSent) {
          const std::int32_t acked = static_cast<std::int32_t>(s.snd_una - s.iss - (s.listener ? 1u : 0u));
          i.bytes_acked = acked > 0 ? static_cast<std::uint64_t>(acked) : 0;
          const std::int32_t rcvd = static_cast<std::int32_t>(s.rcv_nxt - s.irs - 1u);
          i.bytes_received = rcvd > 0 ? static_cast<std::uint64_t>(rcvd) : 0;
        }
        const std::uint32_t flight = s.snd_max - s.snd_una;
        i.unacked = flight == 0 ? 0 : (flight + y.mss - 1) / y.mss;
        i.retransmits = s.retransmits;
        i.total_retrans = s.id <= sink.retrans.size() ? sink.retrans[s.id - 1] : 0;
      }
    }
    t.rows.push_back(std::move(r));
  }
  // Per host: listeners first (inet_diag walks the listening hash before
  // the established one), then in the order the sockets were made.
  std::stable_sort(t.rows.begin(), t.rows.end(), [](const SsRow& a, const SsRow& b) {
    if (a.host != b.host) return a.host < b.host;
    if (a.listening != b.listening) return a.listening;
    return a.sock < b.sock;
  });
  return t;
}

// ---- formatting ----

namespace {

bool shown(const SsRow& r, const SsFormat& f) {
  if (f.host >= 0 && r.host != f.host) return false;
  if (f.listening) return r.state == TcpState::Listen;
  if (!f.all)  // ss's default filter: connections only (SS_CONN)
    return r.state != TcpState::Listen && r.state != TcpState::TimeWait && r.state != TcpState::Closed;
  return true;
}

std::string pad_right(const std::string& s, std::size_t w) {
  return s.size() >= w ? s : s + std::string(w - s.size(), ' ');
}
std::string pad_left(const std::string& s, std::size_t w) {
  return s.size() >= w ? s : std::string(w - s.size(), ' ') + s;
}
void rstrip(std::string& s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
}

std::string ms_value(Time us) {  // ss prints tcp_info's microseconds as %g milliseconds
  char b[32];
  std::snprintf(b, sizeof b, "%g", static_cast<double>(us) / 1000.0);
  return b;
}

std::string info_line(const SsRow& r) {
  const SsInfo& i = r.info;
  std::string o = "\t";
  auto add = [&](const std::string& x) { o += " " + x; };
  if (r.listening) {
    // tcp_get_info() on a listener: tcpi_unacked is the accept queue, tcpi_sacked the backlog.
    if (i.unacked) add("unacked:" + std::to_string(i.unacked));
    return o;
  }
  if (i.rto) add("rto:" + ms_value(i.rto));
  if (i.srtt) add("rtt:" + ms_value(i.srtt) + "/" + ms_value(i.rttvar));
  if (i.ato) add("ato:" + ms_value(i.ato));
  if (i.mss) add("mss:" + std::to_string(i.mss));
  if (i.cwnd) add("cwnd:" + std::to_string(i.cwnd));
  if (i.bytes_acked) add("bytes_acked:" + std::to_string(i.bytes_acked));
  if (i.bytes_received) add("bytes_received:" + std::to_string(i.bytes_received));
  if (i.unacked) add("unacked:" + std::to_string(i.unacked));
  if (i.retransmits || i.total_retrans)
    add("retrans:" + std::to_string(i.retransmits) + "/" + std::to_string(i.total_retrans));
  if (i.snd_wnd) add("snd_wnd:" + std::to_string(i.snd_wnd));
  return o;
}

std::string users_field(const SsRow& r) {
  if (r.users.empty()) return {};
  // users:(("a",pid=2,fd=3),("a",pid=1,fd=3))
  std::string o = " users:(";
  for (std::size_t k = 0; k < r.users.size(); ++k) {
    if (k) o += ",";
    o += "(\"" + r.users[k].process + "\",pid=" + std::to_string(r.users[k].pid) +
         ",fd=" + std::to_string(r.users[k].fd) + ")";
  }
  return o + ")";
}

template <typename F>
void per_host(const SsTable& t, const SsFormat& f, std::string& out, F section) {
  const bool many = f.host < 0 && t.hosts.size() > 1;
  for (std::size_t h = 0; h < t.hosts.size(); ++h) {
    if (f.host >= 0 && static_cast<int>(h) != f.host) continue;
    if (many) {
      if (!out.empty()) out += "\n";
      out += "# host " + t.hosts[h].name + " (" + ip_string(t.hosts[h].ip) + ")\n";
    }
    section(static_cast<int>(h));
  }
}

}  // namespace

std::string format_ss(const SsTable& t, const SsFormat& f) {
  std::string out;
  per_host(t, f, out, [&](int h) {
    struct Line {
      std::string state, rq, sq, la, lp, pa, pp, extra, info;
    };
    std::vector<Line> lines;
    for (const auto& r : t.rows) {
      if (r.host != h || !shown(r, f)) continue;
      Line l;
      l.state = ss_state_name(r.state);
      l.rq = std::to_string(r.recv_q);
      l.sq = std::to_string(r.send_q);
      l.la = ip_string(r.lip);
      l.lp = r.lport ? std::to_string(r.lport) : "*";
      l.pa = ip_string(r.rip);
      l.pp = r.rport ? std::to_string(r.rport) : "*";
      if (f.processes) l.extra += users_field(r);
      if (f.timers && r.timer != SsTimer::Off)
        l.extra += std::string(" timer:(") + ss_timer_name(r.timer) + "," + ss_ms_timer(r.expires_ms) + "," +
                   std::to_string(r.retrans) + ")";
      if (f.info) l.info = info_line(r);
      lines.push_back(std::move(l));
    }
    // ss sizes each column to its widest cell; addresses are right-aligned
    // against the ':' and ports left-aligned after it.
    std::size_t ws = 5, wr = 6, wq = 6, wla = 13, wlp = 4, wpa = 12, wpp = 4;
    for (const auto& l : lines) {
      ws = std::max(ws, l.state.size());
      wr = std::max(wr, l.rq.size());
      wq = std::max(wq, l.sq.size());
      wla = std::max(wla, l.la.size());
      wlp = std::max(wlp, l.lp.size());
      wpa = std::max(wpa, l.pa.size());
      wpp = std::max(wpp, l.pp.size());
    }
    std::string head = pad_right("State", ws) + " " + pad_right("Recv-Q", wr) + " " + pad_right("Send-Q", wq) +
                       " " + pad_left("Local Address", wla) + ":" + pad_right("Port", wlp) + " " +
                       pad_left("Peer Address", wpa) + ":" + pad_right("Port", wpp) + "Process";
    rstrip(head);
    out += head + "\n";
    for (const auto& l : lines) {
      std::string row = pad_right(l.state, ws) + " " + pad_right(l.rq, wr) + " " + pad_right(l.sq, wq) + " " +
                        pad_left(l.la, wla) + ":" + pad_right(l.lp, wlp) + " " + pad_left(l.pa, wpa) + ":" +
                        pad_right(l.pp, wpp) + l.extra;
      rstrip(row);
      out += row + "\n";
      if (f.info) {
        std::string i = l.info;
        rstrip(i);
        out += i + "\n";
      }
    }
  });
  return out;
}

std::string format_netstat(const SsTable& t, const SsFormat& f) {
  std::string out;
  per_host(t, f, out, [&](int h) {
    out += f.listening ? "Active Internet connections (only servers)\n"
                       : "Active Internet connections (servers and established)\n";
    out += "Proto Recv-Q Send-Q Local Address           Foreign Address         State\n";
    for (const auto& r : t.rows) {
      if (r.host != h || !shown(r, f)) continue;
      // get_tcp4_sock(): a listener's rx_queue is its accept queue and its
      // tx_queue write_seq - snd_una, which is 0.
      const std::uint32_t sendq = r.listening ? 0 : r.send_q;
      const std::string la = ip_string(r.lip) + ":" + (r.lport ? std::to_string(r.lport) : "*");
      const std::string pa = ip_string(r.rip) + ":" + (r.rport ? std::to_string(r.rport) : "*");
      char b[256];
      std::snprintf(b, sizeof b, "tcp   %6u %6u %-23s %-23s %s", r.recv_q, sendq, la.c_str(), pa.c_str(),
                    netstat_state_name(r.state));
      out += b;
      out += "\n";
    }
  });
  return out;
}

std::string format_ss_summary(const SsTable& t, const SsFormat& f) {
  std::string out;
  per_host(t, f, out, [&](int h) {
    std::array<int, kNumTcpStates> n{};
    int total = 0, estab = 0, orphaned = 0, tw = 0;
    for (const auto& r : t.rows) {
      if (r.host != h) continue;
      ++total;
      ++n[static_cast<int>(r.state)];
      // tcpCurrEstab (RFC 1213): ESTABLISHED and CLOSE-WAIT.
      if (r.state == TcpState::Established || r.state == TcpState::CloseWait) ++estab;
      // Time-wait socks: TIME-WAIT and orphaned FIN-WAIT-2 alike (/proc/net/sockstat "tw").
      if (r.minisock && r.state != TcpState::SynReceived) ++tw;
      else if (r.orphan)
        ++orphaned;
    }
    char b[160];
    std::snprintf(b, sizeof b, "Total: %d\nTCP:   %d (estab %d, closed 0, orphaned %d, timewait %d)\n", total, total,
                  estab, orphaned, tw);
    out += b;
    out += "\nState       Sockets\n";
    for (int k = 0; k < kNumTcpStates; ++k) {
      if (!n[k]) continue;
      std::snprintf(b, sizeof b, "%-11s %d\n", ss_state_name(static_cast<TcpState>(k)), n[k]);
      out += b;
    }
  });
  return out;
}

}  // namespace tcpsim
