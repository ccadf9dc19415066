// The scenario loader: valid files map onto the right Scenario values, and
// each kind of error gives its exact message at the right position.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "loader/keys.hpp"
#include "tcpsim/loader.hpp"

using namespace tcpsim;
namespace fs = std::filesystem;

namespace {

// Every part of the format, once.
const char* kFull = R"(title: {en: "Normal close", zh: "正常关闭"}
summary: A client connects, sends, and closes
tags: [close, timers]
lesson:
  en: |
    The side that closes first waits in **TIME_WAIT**.
  zh: 先关闭的一方进入 TIME_WAIT。
references: ["RFC 9293 §3.6", "Linux: tcp_close() in net/ipv4/tcp.c"]
kernel: {compare: false, reason: "60 s TIME_WAIT"}
seed: 42
duration: 200s
isn: {client/sock: 4294967000}
hosts:
  client:
    ip: 10.0.0.1
  server:
    ip: 10.0.0.2
    profile: rfc9293
    sysctl:
      net.ipv4.tcp_fin_timeout: 30
      net.ipv4.tcp_tw_reuse: 1
      net.ipv4.ip_local_port_range: "32768 32800"
      net.core.somaxconn: 4096
      net.ipv4.tcp_keepalive_time: 2min
    time_wait: 30s
link:
  delay: 1ms
  jitter: 100us
  loss: 5%
  duplicate: 0.01
  reorder: 0
  rate: 10Mbit
faults:
  - drop: {from: server, flags: "F.", nth: 1, count: 1}
  - drop: {from: client, has: F}
  - drop: {from: client, data: false, flags: ".", nth: 3}
  - delay: {from: client, has: P, nth: 1, by: 70s}
  - duplicate: {from: client, has: P, by: 10ms}
  - {at: 5s, link: down}
  - {at: 9s, link: up, between: [client, server]}
  - {at: 10s, crash: server}
  - {at: 12s, reboot: server}
processes:
  server:
    host: server
    sigpipe: ignore
    fd_limit: 64
    run:
      - listen: {port: 80, backlog: 16, as: lsock}
      - accept: {socket: lsock, as: conn}
      - recv: {socket: conn, until: eof}
      - when: {socket: conn, state: CLOSE-WAIT}
        shutdown: {socket: conn, how: rdwr}
      - close: conn
  client:
    host: client
    start: 1ms
    run:
      - at: 10ms
        connect: {to: server:80, as: sock, from_port: 40000}
      - send: {socket: sock, bytes: 100, nosignal: true}
        on_error: continue
      - after: 100ms
        close: {socket: sock}
  worker:
    host: client
    run:
      - socket: {as: s}
      - setsockopt: {socket: s, linger: 0}
      - setsockopt: {socket: s, linger: off}
      - setsockopt: {socket: s, rcvbuf: 4096}
      - setsockopt: {socket: s, cloexec: true}
      - bind: {socket: s, port: 0}
      - connect: {socket: s, to: server, port: 80}
      - dup: {socket: s, as: s2}
      - fork:
          name: kid
          run:
            - exec: true
            - close: s2
            - exit: 3
      - signal: {sigpipe: default}
      - wait: {socket: s, event: eof}
      - epoll: {socket: s, events: [in, rdhup], edge: true, close_on_eof: true, max_wakeups: 20, timeout: 1s}
      - loop:
          count: 1000
          every: 1ms
          concurrent: true
          run:
            - connect: {to: "server:80", as: c}
            - recv: {socket: c, bytes: 10}
            - close: c
      - spawn: {run: [sleep: 2s, exec: {}]}
      - sleep: 1.5s
      - exit: 0
expect:
  states:
    client/sock: [CLOSED, SYN_SENT, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT, CLOSED]
    worker/c#1000: [CLOSED]
  segments: [S, S., ., P., ., F., F., .]
  segments_from: {server: [S., ., F.]}
  calls:
    - {process: client, call: connect, ret: 0}
    - {process: server, call: send, nth: 2, ret: -1, errno: EPIPE}
    - {process: kid, call: close, errno: none}
  at:
    - time: 30s
      state: {client/sock: FIN_WAIT_2, server/conn: CLOSE_WAIT}
      gone: kid/s2
      count: {server: {CLOSE_WAIT: 1}}
  signals:
    - {process: server, signal: SIGPIPE, action: killed}
    - {process: client, signal: SIGPIPE, absent: true}
  exits:
    - {process: server, killed_by: SIGPIPE}
    - {process: worker, status: 0}
  counts:
    - {what: segments, flags: "R.", min: 1, max: 1}
    - {what: peak, host: server, state: CLOSE_WAIT, min: 100}
  durations:
    - {socket: client/sock, state: TIME_WAIT, equals: 60s, tolerance: 1ms}
)";

const char* kMinimal = R"(title: Minimal
hosts:
  a: {ip: 10.0.0.1}
  b: {ip: 10.0.0.2}
processes:
  p:
    host: a
    run:
      - connect: {to: b:80, as: s}
)";

LoadError error_of(const std::string& text, const std::string& file = "x.yaml") {
  try {
    load_scenario_string(text, file);
  } catch (const LoadError& e) {
    return e;
  }
  ADD_FAILURE() << "loaded without error:\n" << text;
  return LoadError(Loc{}, "");
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  auto p = s.find(from);
  EXPECT_NE(p, std::string::npos) << from;
  if (p != std::string::npos) s.replace(p, from.size(), to);
  return s;
}

class FullScenario : public ::testing::Test {
 protected:
  void SetUp() override { s = load_scenario_string(kFull, "dir/normal-close.yaml"); }
  const ProcessSpec& proc(const std::string& n) {
    for (const auto& p : s.processes)
      if (p.name == n) return p;
    throw std::runtime_error("no process " + n);
  }
  Scenario s;
};

TEST_F(FullScenario, TopLevelKeysMapOntoScenario) {
  EXPECT_EQ(s.name, "normal-close");
  EXPECT_EQ(s.path, "dir/normal-close.yaml");
  EXPECT_EQ(s.title.en, "Normal close");
  EXPECT_EQ(s.title.zh, "正常关闭");
  EXPECT_EQ(s.summary.en, "A client connects, sends, and closes");
  EXPECT_EQ(s.lesson.en, "The side that closes first waits in **TIME_WAIT**.\n");
  EXPECT_EQ(s.lesson.get("zh_CN"), "先关闭的一方进入 TIME_WAIT。");
  EXPECT_EQ(s.tags, (std::vector<std::string>{"close", "timers"}));
  ASSERT_EQ(s.references.size(), 2u);
  EXPECT_EQ(s.references[0], "RFC 9293 §3.6");
  EXPECT_FALSE(s.kernel_comparable);
  EXPECT_EQ(s.kernel_skip_reason, "60 s TIME_WAIT");
  EXPECT_EQ(s.seed, 42u);
  EXPECT_EQ(s.duration, sec(200));
  EXPECT_EQ(s.isn.at("client/sock"), 4294967000u);
}

TEST_F(FullScenario, HostsKeepOrderIpProfileSysctlsAndOverrides) {
  ASSERT_EQ(s.hosts.size(), 2u);
  EXPECT_EQ(s.hosts[0].name, "client");
  EXPECT_EQ(s.hosts[0].ip, 0x0A000001u);
  EXPECT_EQ(s.hosts[0].profile, Profile::Linux);
  EXPECT_TRUE(s.hosts[0].sysctl_overrides.empty());
  const HostSpec& h = s.hosts[1];
  EXPECT_EQ(h.profile, Profile::Rfc9293);
  EXPECT_EQ(h.sysctls.tcp_fin_timeout, sec(30));
  EXPECT_EQ(h.sysctls.tcp_tw_reuse, 1);
  EXPECT_EQ(h.sysctls.port_lo, 32768);
  EXPECT_EQ(h.sysctls.port_hi, 32800);
  EXPECT_EQ(h.sysctls.tcp_keepalive_time, sec(120));
  EXPECT_EQ(h.sysctls.time_wait, sec(30));
  EXPECT_EQ(h.sysctls.tcp_syn_retries, 6);  // untouched default
  std::map<std::string, std::string> want = {
      {"net.ipv4.tcp_fin_timeout", "30"},
      {"net.ipv4.tcp_tw_reuse", "1"},
      {"net.ipv4.ip_local_port_range", "32768 32800"},
      {"net.core.somaxconn", "4096"},
      {"net.ipv4.tcp_keepalive_time", "120"}};
  EXPECT_EQ(h.sysctl_overrides, want);
  EXPECT_EQ(h.loc.line, 16);
  EXPECT_EQ(h.loc.col, 3);
}

TEST_F(FullScenario, LinkPropertiesAreParsed) {
  ASSERT_EQ(s.links.size(), 1u);
  const LinkSpec& l = s.links[0];
  EXPECT_EQ(l.a, "client");
  EXPECT_EQ(l.b, "server");
  EXPECT_EQ(l.delay, msec(1));
  EXPECT_EQ(l.jitter, usec(100));
  EXPECT_DOUBLE_EQ(l.loss, 0.05);
  EXPECT_DOUBLE_EQ(l.duplicate, 0.01);
  EXPECT_EQ(l.rate_bps, 10000000u);
}

TEST_F(FullScenario, FaultsOfEveryKind) {
  ASSERT_EQ(s.faults.size(), 9u);
  EXPECT_EQ(s.faults[0].kind, FaultKind::Drop);
  EXPECT_EQ(s.faults[0].match.from, "server");
  EXPECT_EQ(s.faults[0].match.flags, std::optional<std::uint8_t>(kFin | kAck));
  EXPECT_EQ(s.faults[0].match.nth, 1);
  EXPECT_EQ(s.faults[0].match.count, 1);
  EXPECT_EQ(s.faults[1].match.has, kFin);
  EXPECT_FALSE(s.faults[1].match.flags.has_value());
  EXPECT_EQ(s.faults[2].match.data, std::optional<bool>(false));
  EXPECT_EQ(s.faults[2].match.nth, 3);
  EXPECT_EQ(s.faults[3].kind, FaultKind::Delay);
  EXPECT_EQ(s.faults[3].delay, sec(70));
  EXPECT_EQ(s.faults[4].kind, FaultKind::Duplicate);
  EXPECT_EQ(s.faults[4].delay, msec(10));
  EXPECT_EQ(s.faults[5].kind, FaultKind::LinkDown);
  EXPECT_EQ(s.faults[5].at, sec(5));
  EXPECT_EQ(s.faults[5].link_a, "");
  EXPECT_EQ(s.faults[6].kind, FaultKind::LinkUp);
  EXPECT_EQ(s.faults[6].link_a, "client");
  EXPECT_EQ(s.faults[6].link_b, "server");
  EXPECT_EQ(s.faults[7].kind, FaultKind::Crash);
  EXPECT_EQ(s.faults[7].host, "server");
  EXPECT_EQ(s.faults[8].kind, FaultKind::Reboot);
  EXPECT_EQ(s.faults[8].at, sec(12));
  EXPECT_EQ(s.faults[0].loc.line, 34);
  EXPECT_EQ(s.faults[0].loc.col, 5);
}

TEST_F(FullScenario, ServerScriptStepsAndTriggers) {
  const ProcessSpec& p = proc("server");
  EXPECT_EQ(p.host, "server");
  EXPECT_TRUE(p.ignore_sigpipe);
  EXPECT_EQ(p.fd_limit, 64);
  ASSERT_EQ(p.script.size(), 5u);
  EXPECT_EQ(p.script[0].kind, StepKind::Listen);
  EXPECT_EQ(p.script[0].port, 80);
  EXPECT_EQ(p.script[0].backlog, 16);
  EXPECT_EQ(p.script[0].as, "lsock");
  EXPECT_EQ(p.script[0].loc.line, 49);
  EXPECT_EQ(p.script[0].loc.col, 9);
  EXPECT_EQ(p.script[1].kind, StepKind::Accept);
  EXPECT_EQ(p.script[1].sock, "lsock");
  EXPECT_EQ(p.script[1].as, "conn");
  EXPECT_TRUE(p.script[2].until_eof);
  EXPECT_EQ(p.script[3].kind, StepKind::Shutdown);
  EXPECT_EQ(p.script[3].how, ShutHow::RdWr);
  EXPECT_EQ(p.script[3].when.kind, Trigger::Kind::State);
  EXPECT_EQ(p.script[3].when.sock, "conn");
  EXPECT_EQ(p.script[3].when.state, TcpState::CloseWait);
  EXPECT_EQ(p.script[4].kind, StepKind::Close);
  EXPECT_EQ(p.script[4].sock, "conn");
}

TEST_F(FullScenario, ClientTimingConnectAndSendOptions) {
  const ProcessSpec& p = proc("client");
  EXPECT_EQ(p.start, msec(1));
  ASSERT_EQ(p.script.size(), 3u);
  EXPECT_EQ(p.script[0].at, std::optional<Time>(msec(10)));
  EXPECT_EQ(p.script[0].to_host, "server");
  EXPECT_EQ(p.script[0].port, 80);
  EXPECT_EQ(p.script[0].from_port, 40000);
  EXPECT_EQ(p.script[1].bytes, 100u);
  EXPECT_TRUE(p.script[1].nosignal);
  EXPECT_EQ(p.script[1].on_error, OnError::Continue);
  EXPECT_EQ(p.script[0].on_error, OnError::Stop);
  EXPECT_EQ(p.script[2].after, std::optional<Time>(msec(100)));
  EXPECT_FALSE(p.script[2].at.has_value());
  EXPECT_EQ(p.script[2].sock, "sock");
}

TEST_F(FullScenario, WorkerCoversEveryOtherAction) {
  const auto& st = proc("worker").script;
  ASSERT_EQ(st.size(), 16u);
  EXPECT_EQ(st[0].kind, StepKind::Socket);
  EXPECT_EQ(st[0].as, "s");
  EXPECT_EQ(st[1].opt, SockOpt::Linger);
  EXPECT_TRUE(st[1].on);
  EXPECT_EQ(st[1].value, 0);
  EXPECT_EQ(st[2].opt, SockOpt::Linger);
  EXPECT_FALSE(st[2].on);
  EXPECT_EQ(st[3].opt, SockOpt::RcvBuf);
  EXPECT_EQ(st[3].value, 4096);
  EXPECT_EQ(st[4].opt, SockOpt::CloExec);
  EXPECT_TRUE(st[4].on);
  EXPECT_EQ(st[5].kind, StepKind::Bind);
  EXPECT_EQ(st[5].port, 0);
  EXPECT_EQ(st[6].kind, StepKind::Connect);
  EXPECT_EQ(st[6].sock, "s");
  EXPECT_EQ(st[6].port, 80);
  EXPECT_EQ(st[7].kind, StepKind::Dup);
  EXPECT_EQ(st[7].as, "s2");
  EXPECT_EQ(st[8].kind, StepKind::Fork);
  EXPECT_EQ(st[8].as, "kid");  // the child's process name
  ASSERT_EQ(st[8].body.size(), 3u);
  EXPECT_EQ(st[8].body[0].kind, StepKind::Exec);
  EXPECT_EQ(st[8].body[2].status, 3);
  EXPECT_EQ(st[9].kind, StepKind::Signal);
  EXPECT_FALSE(st[9].ignore);
  EXPECT_EQ(st[10].kind, StepKind::Wait);
  EXPECT_EQ(st[10].when.kind, Trigger::Kind::Eof);
  EXPECT_EQ(st[11].kind, StepKind::Epoll);
  EXPECT_EQ(st[11].epoll.sock, "s");
  EXPECT_EQ(st[11].epoll.events, 0x001u | 0x2000u | (1u << 31));
  EXPECT_TRUE(st[11].epoll.edge);
  EXPECT_TRUE(st[11].epoll.close_on_eof);
  EXPECT_EQ(st[11].epoll.max_wakeups, 20);
  EXPECT_EQ(st[11].epoll.timeout, sec(1));
  EXPECT_EQ(st[12].kind, StepKind::Loop);
  EXPECT_EQ(st[12].count, 1000u);
  EXPECT_EQ(st[12].every, msec(1));
  EXPECT_TRUE(st[12].concurrent);
  ASSERT_EQ(st[12].body.size(), 3u);
  EXPECT_EQ(st[12].body[1].bytes, 10u);
  EXPECT_EQ(st[13].kind, StepKind::Spawn);
  ASSERT_EQ(st[13].body.size(), 2u);
  EXPECT_EQ(st[14].duration, msec(1500));
  EXPECT_EQ(st[15].kind, StepKind::Exit);
}

TEST_F(FullScenario, ExpectationsOfEveryKind) {
  const Expect& e = s.expect;
  ASSERT_EQ(e.states.size(), 2u);
  EXPECT_EQ(e.states[0].sock, "client/sock");
  EXPECT_EQ(e.states[0].states.size(), 7u);
  EXPECT_EQ(e.states[0].states[5], TcpState::TimeWait);
  EXPECT_EQ(e.states[1].sock, "worker/c#1000");
  ASSERT_EQ(e.segments.size(), 2u);
  EXPECT_EQ(e.segments[0].from, "");
  EXPECT_EQ(e.segments[0].flags,
            (std::vector<std::string>{"S", "S.", ".", "P.", ".", "F.", "F.", "."}));
  EXPECT_EQ(e.segments[1].from, "server");
  ASSERT_EQ(e.calls.size(), 3u);
  EXPECT_EQ(e.calls[1].nth, 2);
  EXPECT_EQ(e.calls[1].ret, std::optional<std::int64_t>(-1));
  EXPECT_EQ(e.calls[1].err, std::optional<std::string>("EPIPE"));
  EXPECT_EQ(e.calls[2].err, std::optional<std::string>("none"));
  ASSERT_EQ(e.at.size(), 1u);
  EXPECT_EQ(e.at[0].t, sec(30));
  EXPECT_EQ(e.at[0].state.at("server/conn"), TcpState::CloseWait);
  EXPECT_EQ(e.at[0].state_gone, "kid/s2");
  EXPECT_EQ(e.at[0].count.at("server").at(TcpState::CloseWait), 1);
  ASSERT_EQ(e.signals.size(), 2u);
  EXPECT_EQ(e.signals[0].action, "killed");
  EXPECT_TRUE(e.signals[1].absent);
  ASSERT_EQ(e.exits.size(), 2u);
  EXPECT_EQ(e.exits[0].killed_by, "SIGPIPE");
  EXPECT_EQ(e.exits[1].status, std::optional<int>(0));
  ASSERT_EQ(e.counts.size(), 2u);
  EXPECT_EQ(e.counts[0].flags, std::optional<std::string>("R."));
  EXPECT_EQ(e.counts[0].max, 1);
  EXPECT_EQ(e.counts[1].state, std::optional<TcpState>(TcpState::CloseWait));
  EXPECT_EQ(e.counts[1].max, INT64_MAX);
  ASSERT_EQ(e.durations.size(), 1u);
  EXPECT_EQ(e.durations[0].duration, sec(60));
  EXPECT_EQ(e.durations[0].tolerance, msec(1));
}

TEST(LoaderDefaults, MinimalScenarioGetsDefaults) {
  Scenario s = load_scenario_string(kMinimal, "min.yaml");
  EXPECT_EQ(s.seed, 1u);
  EXPECT_EQ(s.duration, 0);
  EXPECT_TRUE(s.kernel_comparable);
  EXPECT_EQ(s.title.zh, "");
  ASSERT_EQ(s.links.size(), 1u);  // two hosts: one default link
  EXPECT_EQ(s.links[0].delay, msec(1));
  EXPECT_EQ(s.processes[0].fd_limit, 1024);
  EXPECT_FALSE(s.processes[0].ignore_sigpipe);
  EXPECT_TRUE(s.expect.empty());
}

TEST(LoaderDefaults, ThreeHostsWithoutLinksGetOneLinkPerPair) {
  Scenario s = load_scenario_string(
      replace(kMinimal, "  b: {ip: 10.0.0.2}\n", "  b: {ip: 10.0.0.2}\n  c: {ip: 10.0.0.3}\n"),
      "three.yaml");
  ASSERT_EQ(s.links.size(), 3u);
  EXPECT_EQ(s.links[2].a, "b");
  EXPECT_EQ(s.links[2].b, "c");
}

TEST(LoaderValues, DurationUnitsAndBareSeconds) {
  for (auto [text, want] : std::vector<std::pair<std::string, Time>>{
           {"40us", 40}, {"200ms", msec(200)}, {"1.5s", msec(1500)}, {"2min", sec(120)},
           {"1h", sec(3600)}, {"0.25", msec(250)}, {"3", sec(3)}, {"0", 0}}) {
    Scenario s = load_scenario_string(replace(kMinimal, "  p:\n", "  p:\n    start: " + text + "\n"),
                                      "d.yaml");
    EXPECT_EQ(s.processes[0].start, want) << text;
  }
}

TEST(LoaderValues, RatesInBitsPerSecond) {
  for (auto [text, want] : std::vector<std::pair<std::string, std::uint64_t>>{
           {"1Gbit", 1000000000}, {"10Mbit", 10000000}, {"100kbit", 100000},
           {"9600", 9600}, {"1.5Mbit", 1500000}, {"0", 0}}) {
    Scenario s = load_scenario_string(std::string(kMinimal) + "link: {rate: " + text + "}\n", "r.yaml");
    EXPECT_EQ(s.links[0].rate_bps, want) << text;
  }
}

TEST(LoaderValues, EverySysctlIsAcceptedAndRecordedAsOverride) {
  std::string sys;
  for (const auto& n : loader::sysctl_names())
    sys += "      " + n + ": " + (n == "net.ipv4.ip_local_port_range" ? "\"1000  2000\"" : "1") + "\n";
  Scenario s = load_scenario_string(
      replace(kMinimal, "  a: {ip: 10.0.0.1}\n", "  a:\n    ip: 10.0.0.1\n    sysctl:\n" + sys),
      "s.yaml");
  const HostSpec& h = s.hosts[0];
  EXPECT_EQ(h.sysctl_overrides.size(), loader::sysctl_names().size());
  EXPECT_EQ(h.sysctl_overrides.at("net.ipv4.ip_local_port_range"), "1000 2000");
  EXPECT_EQ(h.sysctl_overrides.at("net.ipv4.tcp_keepalive_intvl"), "1");
  EXPECT_EQ(h.sysctls.tcp_fin_timeout, sec(1));
  EXPECT_EQ(h.sysctls.tcp_keepalive_intvl, sec(1));
  EXPECT_EQ(h.sysctls.tcp_keepalive_probes, 1);
  EXPECT_EQ(h.sysctls.tcp_syn_linear_timeouts, 1);
  EXPECT_EQ(h.sysctls.tcp_orphan_retries, 1);
  EXPECT_EQ(h.sysctls.tcp_max_tw_buckets, 1);
  EXPECT_EQ(h.sysctls.tcp_rfc1337, 1);
  EXPECT_EQ(h.sysctls.tcp_abort_on_overflow, 1);
  EXPECT_EQ(h.sysctls.somaxconn, 1);
  EXPECT_EQ(h.sysctls.tcp_retries2, 1);
  EXPECT_EQ(h.sysctls.tcp_synack_retries, 1);
  EXPECT_EQ(h.sysctls.port_lo, 1000);
}

TEST(LoaderValues, PercentagesAndNamesInOtherScripts) {
  Scenario s = load_scenario_string(
      replace(std::string(kMinimal) + "link: {loss: 50%}\n", "as: s}", "as: 连接}"), "u.yaml");
  EXPECT_DOUBLE_EQ(s.links[0].loss, 0.5);
  EXPECT_EQ(s.processes[0].script[0].as, "连接");
}

TEST(LoaderValues, UtfBomAndCrlfAreAccepted) {
  std::string crlf;
  for (char c : std::string(kMinimal)) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  Scenario s = load_scenario_string("\xEF\xBB\xBF" + crlf, "w.yaml");
  EXPECT_EQ(s.title.en, "Minimal");
}

TEST(LoaderBindings, ParentBindingsAreVisibleInBodiesButBodyBindingsStayInside) {
  std::string ok = replace(kMinimal, "      - connect: {to: b:80, as: s}\n",
                           "      - connect: {to: b:80, as: s}\n"
                           "      - loop: {count: 2, run: [socket: {as: t}, close: t, close: s]}\n"
                           "      - fork: {run: [close: s]}\n"
                           "      - spawn: {run: [close: s]}\n");
  EXPECT_NO_THROW(load_scenario_string(ok, "b.yaml"));
  LoadError e = error_of(ok + "      - close: t\n");
  EXPECT_EQ(std::string(e.what()), "x.yaml:13:16: socket 't' is not bound here (bindings: s)");
}

TEST(LoaderBindings, ForkChildDefaultNameAndInheritedLabels) {
  std::string text = std::string(kMinimal) +
                     "      - fork: {run: [close: s]}\n"
                     "expect:\n  states:\n    p-child/s: [CLOSED]\n";
  Scenario s = load_scenario_string(text, "f.yaml");
  EXPECT_EQ(s.processes[0].script[1].as, "p-child");
}

// ---- each error kind: exact message and position ----

TEST(LoaderErrors, UnknownKeyListsTheExpectedKeys) {
  LoadError e = error_of(replace(kMinimal, "{to: b:80, as: s}", "{to: b:80, as: s, port: 1, tu: 3}"));
  EXPECT_EQ(e.loc().line, 9);
  EXPECT_EQ(e.loc().col, 45);
  EXPECT_EQ(e.message(), "unknown key 'tu' in connect; expected one of: to, port, as, socket, from_port");
}

TEST(LoaderErrors, BadDurationNamesTheKeyAndTheValue) {
  LoadError e = error_of(std::string(kMinimal) + "link:\n  delay: fast\n");
  EXPECT_EQ(std::string(e.what()), "x.yaml:11:10: 'delay' must be a duration like 200ms or 1.5s, got 'fast'");
}

TEST(LoaderErrors, UnknownHostListsTheHosts) {
  LoadError e = error_of(replace(kMinimal, "to: b:80", "to: srv:80"));
  EXPECT_EQ(std::string(e.what()), "x.yaml:9:23: unknown host 'srv' (hosts: a, b)");
}

TEST(LoaderErrors, UnboundSocketListsTheBindings) {
  LoadError e = error_of(std::string(kMinimal) + "      - close: conn\n");
  EXPECT_EQ(std::string(e.what()), "x.yaml:10:16: socket 'conn' is not bound here (bindings: s)");
  LoadError e2 = error_of(replace(kMinimal, "connect: {to: b:80, as: s}", "send: {socket: s, bytes: 1}"));
  EXPECT_EQ(e2.message(), "socket 's' is not bound here (no socket is bound yet)");
}

TEST(LoaderErrors, NegativeTimeIsRejected) {
  LoadError e = error_of(replace(kMinimal, "      - connect", "      - at: -2ms\n        connect"));
  EXPECT_EQ(std::string(e.what()), "x.yaml:9:13: 'at' must not be negative");
}

TEST(LoaderErrors, DuplicateKeyPointsAtTheSecondOne) {
  LoadError e = error_of(std::string(kMinimal) + "title: again\n");
  EXPECT_EQ(std::string(e.what()), "x.yaml:10:1: duplicate key 'title' (first at line 1)");
}

TEST(LoaderErrors, MissingKeyPointsAtTheOwningKey) {
  LoadError e = error_of(replace(kMinimal, "    host: a\n", ""));
  EXPECT_EQ(std::string(e.what()), "x.yaml:6:3: missing key 'host' in process 'p'");
}

TEST(LoaderErrors, UnterminatedQuoteAtEndOfFile) {
  LoadError e = error_of(std::string(kMinimal) + "summary: \"oops\n");
  EXPECT_EQ(std::string(e.what()), "x.yaml:10:10: unterminated string: the \" that opens it is never closed");
}

TEST(LoaderErrors, ColumnsCountCharactersNotBytes) {
  LoadError e = error_of(replace(kMinimal, "title: Minimal", "title: {zh: 最小, en: 5, xx: 1}"));
  EXPECT_EQ(std::string(e.what()), "x.yaml:1:24: unknown key 'xx' in 'title'; expected one of: en, zh");
}

TEST(LoaderErrors, SameIpTwice) {
  LoadError e = error_of(replace(kMinimal, "b: {ip: 10.0.0.2}", "b: {ip: 10.0.0.1}"));
  EXPECT_EQ(std::string(e.what()), "x.yaml:4:11: host 'b' has the same IP 10.0.0.1 as host 'a'");
}

TEST(LoaderErrors, ExpectLabelsMustNameADeclaredProcessAndBinding) {
  EXPECT_EQ(error_of(std::string(kMinimal) + "expect: {states: {q/s: [CLOSED]}}\n").message(),
            "unknown process 'q' in socket label 'q/s' (processes: p)");
  EXPECT_EQ(error_of(std::string(kMinimal) + "expect: {states: {p/z: [CLOSED]}}\n").message(),
            "process 'p' makes no socket 'z' (bindings: s)");
}

TEST(LoaderErrors, NestingDepthIsLimited) {
  std::string deep = std::string(kMinimal) + "tags: " + std::string(10000, '[') + "\n";
  LoadError e = error_of(deep);
  EXPECT_EQ(e.message(), "nesting is deeper than 64 levels");
  EXPECT_EQ(e.loc().line, 10);
}

TEST(LoaderErrors, HugeIntegersAreRangeChecked) {
  EXPECT_EQ(error_of(replace(kMinimal, "b:80", "b:8000000000000000000000000000000")).message(),
            "'to' must be host:port with a port from 1 to 65535, like server:80, got "
            "'b:8000000000000000000000000000000'");
  EXPECT_EQ(error_of(std::string(kMinimal) + "      - send: {socket: s, bytes: 99999999999999999999999}\n").message(),
            "'bytes' must be between 0 and 1099511627776, got '99999999999999999999999'");
  EXPECT_EQ(error_of(std::string(kMinimal) + "      - exit: -99999999999999999999999\n").message(),
            "'exit' must not be negative, got '-99999999999999999999999'");
}

TEST(LoaderFiles, MissingFileIsALoadErrorNamingTheFile) {
  try {
    load_scenario_file("/nonexistent/dir/x.yaml");
    FAIL();
  } catch (const LoadError& e) {
    EXPECT_EQ(e.loc().file, "/nonexistent/dir/x.yaml");
    EXPECT_EQ(std::string(e.what()).rfind("/nonexistent/dir/x.yaml: cannot open", 0), 0u) << e.what();
  }
}

TEST(LoaderFiles, LocStrIsFileLineColumn) {
  EXPECT_EQ((Loc{"a/b.yaml", 12, 7}).str(), "a/b.yaml:12:7");
  EXPECT_EQ((Loc{"a/b.yaml", 0, 0}).str(), "a/b.yaml");
}

TEST(LoaderCatalogue, ListsYamlFilesSortedAndCollectsErrors) {
  fs::path dir = fs::path(TCPSIM_BINARY_DIR) / "loader-catalogue-test";
  fs::remove_all(dir);
  fs::create_directories(dir / "sub");
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
  };
  write("b-second.yaml", replace(kMinimal, "title: Minimal", "title: {en: Second, zh: 第二}\ntags: [x]"));
  write("a-first.yaml", kMinimal);
  write("c-broken.yaml", "title: [\n");
  write("index.yaml", "generated: true\n");
  write("notes.txt", "not yaml");
  write("sub/d.yaml", kMinimal);
  std::vector<std::string> errors;
  auto entries = list_catalogue(dir.string(), &errors);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].name, "a-first");
  EXPECT_EQ(entries[1].name, "b-second");
  EXPECT_EQ(entries[1].title.zh, "第二");
  EXPECT_EQ(entries[1].tags, std::vector<std::string>{"x"});
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("c-broken.yaml:2:1: "), std::string::npos) << errors[0];
  std::vector<std::string> errors2;
  EXPECT_TRUE(list_catalogue((dir / "missing").string(), &errors2).empty());
  EXPECT_EQ(errors2.size(), 1u);
  fs::remove_all(dir);
}

}  // namespace

// Issue #15 point 6: the loader reports every error of a file (up to 20),
// in file order, not only the first.
namespace tcpsim {
namespace {

TEST(LoaderErrors, EveryIndependentErrorOfAFileIsReportedInFileOrder) {
  const std::string y = R"(title: Several mistakes
hosts:
  a: {ip: 10.0.0.1}
  b: {ip: 10.0.0.300}
processes:
  p:
    host: a
    run:
      - connect: {to: b:80, as: s}
      - send: {socket: s, bytez: 10}
      - sleep: soon
      - close: s
faults:
  - drop: {from: a, nth: zero}
expect:
  states: {p/s: [SYN_SENT, ESTABLISHD]}
)";
  const LoadError e = error_of(y);
  EXPECT_EQ(e.count(), 5u);
  EXPECT_EQ(std::string(e.what()),
            "x.yaml:4:11: 'ip' must be an IPv4 address like 10.0.0.1, got '10.0.0.300'\n"
            "x.yaml:10:27: unknown key 'bytez' in send; expected one of: socket, bytes, nosignal\n"
            "x.yaml:11:16: 'sleep' must be a duration like 200ms or 1.5s, got 'soon'\n"
            "x.yaml:14:26: 'nth' must be a whole number, got 'zero'\n"
            "x.yaml:16:28: 'states' must be a TCP state like ESTABLISHED or FIN_WAIT_1, got 'ESTABLISHD'");
  // loc() and message() are the first error's.
  EXPECT_EQ(e.loc().line, 4);
  EXPECT_EQ(e.message(), "'ip' must be an IPv4 address like 10.0.0.1, got '10.0.0.300'");
}

TEST(LoaderErrors, AStepThatFailsStillBindsItsNameSoLaterStepsAreNotReportedAsUnbound) {
  const LoadError e = error_of(std::string(kMinimal) +
                               "      - listen: {port: 99999, as: l}\n"
                               "      - accept: {socket: l, as: c}\n"
                               "      - close: c\n");
  EXPECT_EQ(e.count(), 1u) << e.what();
  EXPECT_NE(std::string(e.what()).find("'port'"), std::string::npos) << e.what();
}

TEST(LoaderErrors, ReportingStopsAfterTwentyErrorsAndSaysSo) {
  std::string y = kMinimal;
  for (int i = 0; i < 30; ++i) y += "      - sleep: never\n";
  const LoadError e = error_of(y);
  EXPECT_EQ(e.count(), 20u);
  const std::string w = e.what();
  EXPECT_EQ(std::count(w.begin(), w.end(), '\n'), 20) << w;  // 20 errors + the note
  EXPECT_NE(w.find("\nx.yaml: stopped after 20 errors"), std::string::npos) << w;
}

}  // namespace
}  // namespace tcpsim
