// The socket table at a moment (tcpsim/ss.hpp): what each column holds at
// chosen instants of small scenarios, the rules Linux follows for Recv-Q
// and Send-Q (measured on Linux 6.18, docs/cli.md), and the three layouts.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "tcpsim/loader.hpp"
#include "tcpsim/simulation.hpp"
#include "tcpsim/ss.hpp"

using namespace tcpsim;

namespace {

Scenario load(const std::string& name) { return load_scenario_file(std::string(TCPSIM_SCENARIOS) + "/" + name); }

const SsRow* find(const SsTable& t, const std::string& label) {
  for (const auto& r : t.rows)
    if (r.label == label) return &r;
  return nullptr;
}
// A row of a temporary table would dangle: keep the table in a variable.
const SsRow* find(SsTable&&, const std::string&) = delete;

std::vector<const SsRow*> in_state(const SsTable& t, TcpState s, int host = -1) {
  std::vector<const SsRow*> v;
  for (const auto& r : t.rows)
    if (r.state == s && (host < 0 || r.host == host)) v.push_back(&r);
  return v;
}
std::vector<const SsRow*> in_state(SsTable&&, TcpState, int = -1) = delete;

// A server that accepts one connection and reads it only when told; the
// client sends 100 bytes and closes at 50 ms.
Scenario reader(const std::string& server_steps) {
  return load_scenario_string(R"(
title: {en: "FIN in Recv-Q", zh: "接收队列中的 FIN"}
hosts:
  client: {ip: 10.0.0.1}
  server: {ip: 10.0.0.2}
link: {delay: 1ms}
processes:
  server:
    host: server
    run:
      - listen: {port: 80, backlog: 4, as: lsock}
      - accept: {socket: lsock, as: conn}
)" + server_steps + R"(
  client:
    host: client
    run:
      - at: 10ms
        connect: {to: "server:80", as: sock}
      - send: {socket: sock, bytes: 100}
      - at: 50ms
        close: sock
)",
                              "fin-in-recvq.yaml");
}

}  // namespace

// ---- the names and the timer text, as ss prints them ----

TEST(SsNames, StatesUseSsAndNetstatSpellings) {
  EXPECT_STREQ(ss_state_name(TcpState::Established), "ESTAB");
  EXPECT_STREQ(ss_state_name(TcpState::SynReceived), "SYN-RECV");
  EXPECT_STREQ(ss_state_name(TcpState::FinWait1), "FIN-WAIT-1");
  EXPECT_STREQ(ss_state_name(TcpState::Closed), "UNCONN");
  EXPECT_STREQ(netstat_state_name(TcpState::FinWait2), "FIN_WAIT2");
  EXPECT_STREQ(netstat_state_name(TcpState::Established), "ESTABLISHED");
  EXPECT_STREQ(netstat_state_name(TcpState::Closed), "CLOSE");
}

TEST(SsNames, TimerTextFollowsPrintMsTimer) {
  // Values seen in real ss output on Linux 6.18 / iproute2 6.1.
  EXPECT_EQ(ss_ms_timer(188), "188ms");
  EXPECT_EQ(ss_ms_timer(84), "084ms");
  EXPECT_EQ(ss_ms_timer(59'400), "59sec");
  EXPECT_EQ(ss_ms_timer(119 * 60'000 + 59'000), "119min");
  // And the quirks of print_ms_timer().
  EXPECT_EQ(ss_ms_timer(1'500), "1.500ms");
  EXPECT_EQ(ss_ms_timer(5 * 60'000 + 30'000), "5min30sec");
  EXPECT_EQ(ss_ms_timer(0), "");
}

// ---- columns at chosen moments ----

TEST(SsTable, ListenerShowsAcceptQueueAndBacklog) {
  // syn-backlog-full: backlog 1, never accept(): Linux lets backlog + 1 in.
  const Scenario sc = load("syn-backlog-full.yaml");
  const SsTable t = socket_table(sc, sec(5));
  auto ls = in_state(t, TcpState::Listen);
  ASSERT_EQ(ls.size(), 1u);
  EXPECT_EQ(ls[0]->send_q, 1u);
  EXPECT_EQ(ls[0]->recv_q, 2u);
  // The two queued children are full sockets nobody owns yet.
  auto est = in_state(t, TcpState::Established, ls[0]->host);
  EXPECT_EQ(est.size(), 2u);
  for (auto* r : est) EXPECT_TRUE(r->users.empty());
  // The third client is still in SYN-SENT with its SYN counted in Send-Q.
  auto syn = in_state(t, TcpState::SynSent);
  ASSERT_EQ(syn.size(), 1u);
  EXPECT_EQ(syn[0]->send_q, 1u);
  EXPECT_EQ(syn[0]->timer, SsTimer::On);
  EXPECT_GT(syn[0]->retrans, 0);
}

TEST(SsTable, SynSentAndSynRecvDuringTheHandshake) {
  const Scenario sc = load("normal-close.yaml");
  const SsTable t = socket_table(sc, 11'500);  // the SYN,ACK is on the wire
  const SsRow* c = find(t, "client/sock");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->state, TcpState::SynSent);
  EXPECT_EQ(c->send_q, 1u);
  EXPECT_EQ(c->timer, SsTimer::On);
  ASSERT_EQ(c->users.size(), 1u);
  EXPECT_EQ(c->users[0].process, "client");
  auto req = in_state(t, TcpState::SynReceived);
  ASSERT_EQ(req.size(), 1u);
  // A request sock: no queues, no owner, the SYN,ACK timer.
  EXPECT_TRUE(req[0]->minisock);
  EXPECT_EQ(req[0]->recv_q + req[0]->send_q, 0u);
  EXPECT_TRUE(req[0]->users.empty());
  EXPECT_EQ(req[0]->timer, SsTimer::On);
}

TEST(SsTable, UnackedDataAndFinCountInSendQ) {
  const Scenario sc = load("normal-close.yaml");
  const SsTable table1 = socket_table(sc, 12'500);
  const SsRow* c = find(table1, "client/sock");  // 100 bytes in flight
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->state, TcpState::Established);
  EXPECT_EQ(c->send_q, 100u);
  const SsTable table2 = socket_table(sc, 114'500);
  const SsRow* f = find(table2, "client/sock");  // FIN sent, not acked
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->state, TcpState::FinWait1);
  EXPECT_EQ(f->send_q, 1u);
  EXPECT_TRUE(f->users.empty());  // close() released the descriptor
  EXPECT_TRUE(f->orphan);
}

TEST(SsTable, TimeWaitIsAMinisockWithTheTimewaitTimer) {
  const Scenario sc = load("normal-close.yaml");
  const SsTable t = socket_table(sc, sec(10));
  const SsRow* c = find(t, "client/sock");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->state, TcpState::TimeWait);
  EXPECT_EQ(c->timer, SsTimer::TimeWait);
  // Entered at 116 ms, 60 s long: about 50.1 s left at 10 s.
  EXPECT_NEAR(static_cast<double>(c->expires_ms), 50'116.0, 1.0);
  EXPECT_EQ(c->recv_q + c->send_q, 0u);
  // The server's side is gone (CLOSED is not listed).
  EXPECT_EQ(find(t, "server/conn"), nullptr);
}

TEST(SsTable, UnreadFinCountsOneUntilAReadConsumesIt) {
  // Never read: 100 bytes and the FIN: 101, as measured on Linux.
  {
    const SsTable table3 = socket_table(reader("      - sleep: 10s\n"), sec(1));
    const SsRow* r = find(table3, "server/conn");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->state, TcpState::CloseWait);
    EXPECT_EQ(r->recv_q, 101u);
  }
  // Read the 100 bytes after the FIN came: the read reaches the FIN too (0).
  {
    const SsTable table4 = socket_table(reader("      - at: 100ms\n        recv: {socket: conn, bytes: 100}\n"), sec(1));
    const SsRow* r = find(table4,
                          "server/conn");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->recv_q, 0u);
  }
  // Read the data before the FIN came: the FIN alone waits (1) ...
  {
    const SsTable table5 = socket_table(reader("      - recv: {socket: conn, bytes: 100}\n"), sec(1));
    const SsRow* r = find(table5, "server/conn");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->state, TcpState::CloseWait);
    EXPECT_EQ(r->recv_q, 1u);
  }
  // ... until a read returns 0.
  {
    const SsTable table6 = socket_table(reader("      - recv: {socket: conn, bytes: 100}\n"
                                              "      - at: 200ms\n        recv: {socket: conn}\n"),
                                       sec(1));
    const SsRow* r = find(table6,
                          "server/conn");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->recv_q, 0u);
  }
}

TEST(SsTable, OrphanedFinWait2IsShownAsATimeWaitSock) {
  // close-wait-pileup: every client closed and the server never did.
  const Scenario sc = load("close-wait-pileup.yaml");
  const SsTable t = socket_table(sc, sec(5));
  int fw2 = 0;
  for (const auto& r : t.rows)
    if (r.state == TcpState::FinWait2) {
      ++fw2;
      EXPECT_EQ(r.timer, SsTimer::TimeWait) << r.label;
      EXPECT_TRUE(r.users.empty());
      EXPECT_LE(r.expires_ms, 60'000);
    }
  EXPECT_GT(fw2, 0);
  // Every CLOSE-WAIT socket the server accepted has an owner; the others none.
  for (const auto& r : t.rows)
    if (r.state == TcpState::CloseWait) EXPECT_EQ(r.users.empty(), r.label.find('~') != std::string::npos) << r.label;
}

TEST(SsTable, CountsAgreeWithTheSimulationsStateCounts) {
  // The table and the per-host counts the simulation keeps must agree for
  // every state ss lists, at many instants of a busy scenario.
  const Scenario sc = load("time-wait-pileup.yaml");
  for (Time at : {msec(5), msec(150), sec(1), sec(30), sec(65)}) {
    RunOptions o;
    o.until = at;
    Trace tr;
    Simulation sim(sc, tr, o);
    sim.run();
    const SsTable t = socket_table(sc, at);
    for (std::size_t h = 0; h < sim.host_count(); ++h)
      for (int k = 1; k < kNumTcpStates; ++k) {
        const auto n = in_state(t, static_cast<TcpState>(k), static_cast<int>(h)).size();
        EXPECT_EQ(static_cast<std::int64_t>(n), sim.counts(h)[k])
            << "t=" << at << " host " << h << " " << state_name(static_cast<TcpState>(k));
      }
  }
}

TEST(SsTable, ForkedOwnersAreListedHighestPidFirst) {
  const Scenario sc = load("fork-inherited-socket.yaml");
  bool shared = false;
  for (Time at = msec(1); at < sec(3) && !shared; at += msec(20)) {
    for (const auto& r : socket_table(sc, at).rows)
      if (r.users.size() > 1) {
        shared = true;
        for (std::size_t k = 1; k < r.users.size(); ++k) {
          EXPECT_TRUE(r.users[k - 1].pid > r.users[k].pid ||
                      (r.users[k - 1].pid == r.users[k].pid && r.users[k - 1].fd > r.users[k].fd));
        }
      }
  }
  EXPECT_TRUE(shared) << "no moment with a socket held by two processes";
}

// ---- the layouts ----

TEST(SsFormat, ColumnsAlignOnTheColonsAndCarryUsersAndTimers) {
  const Scenario sc = load("normal-close.yaml");
  const SsTable t = socket_table(sc, 11'500);
  SsFormat f;
  f.host = 1;  // server
  f.processes = f.timers = true;
  const std::string out = format_ss(t, f);
  std::istringstream is(out);
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(is, line)) lines.push_back(line);
  ASSERT_EQ(lines.size(), 3u) << out;
  EXPECT_EQ(lines[0].rfind("State", 0), 0u);
  // The local address column ends at the same ':' in every line.
  const std::size_t colon = lines[0].find(':');
  for (const auto& l : lines) EXPECT_EQ(l.find(':'), colon) << l;
  EXPECT_NE(lines[1].find("LISTEN"), std::string::npos);
  EXPECT_NE(lines[1].find("users:((\"server\",pid=1,fd=3))"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find("SYN-RECV"), std::string::npos);
  EXPECT_NE(lines[2].find("timer:(on,"), std::string::npos) << lines[2];
  for (const auto& l : lines) EXPECT_TRUE(l.empty() || l.back() != ' ');
  // Without -p/-o neither appears.
  const std::string bare = format_ss(t, SsFormat{1});
  EXPECT_EQ(bare.find("users:"), std::string::npos);
  EXPECT_EQ(bare.find("timer:"), std::string::npos);
}

TEST(SsFormat, ListeningAndDefaultFilters) {
  const Scenario sc = load("normal-close.yaml");
  const SsTable t = socket_table(sc, sec(10));
  SsFormat l;
  l.listening = true;
  const std::string o = format_ss(t, l);
  EXPECT_NE(o.find("LISTEN"), std::string::npos);
  EXPECT_EQ(o.find("TIME-WAIT"), std::string::npos);
  SsFormat conn;
  conn.all = false;  // ss without -a: neither LISTEN nor TIME-WAIT
  const std::string c = format_ss(t, conn);
  EXPECT_EQ(c.find("LISTEN"), std::string::npos);
  EXPECT_EQ(c.find("TIME-WAIT"), std::string::npos);
  EXPECT_NE(format_ss(t, SsFormat{}).find("TIME-WAIT"), std::string::npos);
}

TEST(SsFormat, InfoLineFollowsEachSocket) {
  const Scenario sc = load("normal-close.yaml");
  SsFormat f;
  f.host = 0;
  f.info = true;
  const std::string o = format_ss(socket_table(sc, 12'500), f);
  EXPECT_NE(o.find("\n\t rto:"), std::string::npos) << o;
  EXPECT_NE(o.find(" mss:1448"), std::string::npos) << o;
  EXPECT_NE(o.find(" unacked:1"), std::string::npos) << o;
}

TEST(SsFormat, NetstatLayoutAndListenerSendQ) {
  const Scenario sc = load("syn-backlog-full.yaml");
  const std::string o = format_netstat(socket_table(sc, sec(5)), SsFormat{});
  EXPECT_NE(o.find("Proto Recv-Q Send-Q Local Address           Foreign Address         State"), std::string::npos);
  // /proc/net/tcp: a listener's rx_queue is its accept queue, tx_queue 0.
  EXPECT_NE(o.find("tcp        2      0 10.0.0.2:80             0.0.0.0:*               LISTEN"), std::string::npos)
      << o;
  EXPECT_NE(o.find("SYN_SENT"), std::string::npos);
  EXPECT_NE(o.find("ESTABLISHED"), std::string::npos);
}

TEST(SsFormat, SummaryCountsEveryStateListed) {
  const Scenario sc = load("close-wait-pileup.yaml");
  const SsTable t = socket_table(sc, sec(5));
  SsFormat f;
  f.host = 1;
  const std::string o = format_ss_summary(t, f);
  const auto cw = in_state(t, TcpState::CloseWait, 1).size();
  EXPECT_NE(o.find("CLOSE-WAIT  " + std::to_string(cw) + "\n"), std::string::npos) << o;
  EXPECT_NE(o.find("TCP:   " + std::to_string(cw + 1) + " (estab " + std::to_string(cw)), std::string::npos) << o;
}

// ---- the trace's socket ids ----

TEST(TraceSid, SidIsStableAcrossAcceptAndRelabel) {
  const Scenario sc = load("normal-close.yaml");
  const Trace t = run_scenario(sc);
  std::map<std::uint32_t, std::set<std::string>> labels;
  for (std::size_t i = 0; i < t.events.size(); ++i) {
    const std::string l = format_jsonl(t.events[i], i, t.meta);
    if (!t.events[i].sock) continue;
    ASSERT_NE(l.find("\"sid\":" + std::to_string(t.events[i].sock)), std::string::npos) << l;
  }
  // The accepted child: one id whose events carried its listener-child
  // label before accept() and "server/conn" after (a Trace relabels, so
  // check through a streaming sink, which prints labels as they were).
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    StreamSink sink(f, StreamSink::Format::Jsonl);
    Simulation sim(sc, sink);
    sim.run();
  }
  std::rewind(f);
  char buf[4096];
  std::map<std::string, std::set<std::string>> by_sid;
  while (std::fgets(buf, sizeof buf, f)) {
    std::string l = buf;
    auto s = l.find("\"sid\":"), lb = l.find("\"label\":\"");
    if (s == std::string::npos || lb == std::string::npos) continue;
    const std::string sid = l.substr(s + 6, l.find_first_of(",}", s) - s - 6);
    const std::string label = l.substr(lb + 9, l.find('"', lb + 9) - lb - 9);
    by_sid[sid].insert(label);
  }
  std::fclose(f);
  bool relabelled = false;
  for (const auto& [sid, ls] : by_sid)
    if (ls.count("server/conn")) {
      relabelled = ls.size() == 2;
      EXPECT_EQ(ls.size(), 2u) << "sid " << sid;
    }
  EXPECT_TRUE(relabelled);
}
