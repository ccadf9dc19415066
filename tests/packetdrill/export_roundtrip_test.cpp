// tcpsim export --packetdrill (issue #16 point 3): every catalogue scenario,
// every host. Where the host's side is one process with one connection, the
// script written from the model's run parses and passes when played back
// with the model (tcpsim packetdrill); everywhere else the writer refuses
// with a reason. A script changed by one number fails, so the round trip is
// not vacuous.
#include <gtest/gtest.h>

#include <dirent.h>

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "tcpsim/loader.hpp"
#include "tcpsim/packetdrill.hpp"
#include "tcpsim/packetdrill_run.hpp"
#include "tcpsim/packetdrill_writer.hpp"
#include "tcpsim/simulation.hpp"

using namespace tcpsim;
using namespace tcpsim::packetdrill;

namespace {

std::vector<std::string> catalogue() {
  std::vector<std::string> files;
  if (DIR* d = opendir(TCPSIM_SCENARIOS)) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n.size() > 5 && n.compare(n.size() - 5, 5, ".yaml") == 0 && n != "index.yaml") files.push_back(n);
    }
    closedir(d);
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

struct Export {
  Scenario sc;
  Trace trace;
};

Export run(const std::string& name) {
  Export x{load_scenario_file(std::string(TCPSIM_SCENARIOS) + "/" + name), {}};
  x.trace = run_scenario(x.sc);
  return x;
}

RunResult play(const std::string& text, const std::string& file) {
  ParseResult pr = parse_packetdrill(text, file);
  EXPECT_TRUE(pr.ok()) << file << ": " << (pr.error ? pr.error->str() : "") << "\n" << text;
  if (!pr.ok()) return {};
  return run_packetdrill(*pr.script);
}

std::string script_of(const std::string& scenario, const std::string& host, bool for_kernel = false) {
  Export x = run(scenario);
  WriteOptions o;
  o.for_kernel = for_kernel;
  WriteResult w = write_packetdrill(x.sc, x.trace, host, o);
  EXPECT_TRUE(w.ok) << scenario << " " << host << ": " << w.error;
  return w.script;
}

}  // namespace

class ExportRoundTrip : public ::testing::TestWithParam<std::string> {};

// Each host of each scenario: written and passing in the model, or refused
// with a reason. Both forms (the full one and --packetdrill-for-kernel).
TEST_P(ExportRoundTrip, WrittenScriptPassesInTheModelOrIsRefusedWithAReason) {
  Export x = run(GetParam());
  for (const auto& h : x.sc.hosts) {
    for (bool for_kernel : {false, true}) {
      WriteOptions o;
      o.for_kernel = for_kernel;
      WriteResult w = write_packetdrill(x.sc, x.trace, h.name, o);
      if (!w.ok) {
        EXPECT_FALSE(w.error.empty()) << GetParam() << " " << h.name;
        continue;
      }
      const std::string file = GetParam() + ":" + h.name + (for_kernel ? " (for kernel)" : "") + ".pkt";
      RunResult r = play(w.script, file);
      EXPECT_EQ(r.status, RunResult::Status::Pass) << file << ": " << r.message << "\n--- script:\n" << w.script;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Catalogue, ExportRoundTrip, ::testing::ValuesIn(catalogue()),
                         [](const ::testing::TestParamInfo<std::string>& i) {
                           std::string n = i.param.substr(0, i.param.size() - 5);
                           for (auto& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

// The single-socket sides of the catalogue are written (not refused): the
// round trip above covers them.
TEST(ExportPacketdrill, SingleSocketSidesOfTheCatalogueAreWritten) {
  const std::vector<std::pair<std::string, std::string>> sides = {
      {"normal-close.yaml", "client"},       {"normal-close.yaml", "server"},
      {"three-way-handshake.yaml", "client"}, {"three-way-handshake.yaml", "server"},
      {"simultaneous-close.yaml", "client"}, {"simultaneous-close.yaml", "server"},
      {"simultaneous-open.yaml", "a"},       {"simultaneous-open.yaml", "b"},
      {"half-close.yaml", "server"},         {"so-linger-zero.yaml", "client"},
      {"so-linger-zero.yaml", "server"},     {"rst-on-unread-data.yaml", "client"},
      {"rst-on-unread-data.yaml", "server"}, {"lost-final-ack.yaml", "client"},
      {"lost-final-ack.yaml", "server"},     {"write-after-peer-gone.yaml", "client"},
      {"server-never-closes.yaml", "server"}, {"epoll-close-wait-spin.yaml", "client"},
      {"epoll-close-wait-spin.yaml", "server"}, {"epoll-close-wait-fixed.yaml", "client"},
      {"epoll-close-wait-fixed.yaml", "server"}, {"connect-refused.yaml", "client"},
  };
  int written = 0;
  for (const auto& [sc, host] : sides) {
    Export x = run(sc);
    WriteResult w = write_packetdrill(x.sc, x.trace, host);
    EXPECT_TRUE(w.ok) << sc << " " << host << ": " << w.error;
    written += w.ok;
  }
  EXPECT_EQ(written, static_cast<int>(sides.size()));
}

TEST(ExportPacketdrill, RefusesWhatAScriptCannotExpress) {
  struct Case {
    std::string scenario, host, reason;
  };
  const std::vector<Case> cases = {
      {"fork-inherited-socket.yaml", "server", "'fork'"},
      {"half-open-connection.yaml", "server", "crashes"},
      {"connect-refused.yaml", "server", "runs 0 processes"},
      {"time-wait-pileup.yaml", "server", "'spawn'"},
      {"old-duplicate-segment.yaml", "client", "2 connections"},
      {"write-after-peer-gone.yaml", "server", "killed by a signal"},
      {"normal-close.yaml", "nobody", "no host 'nobody'"},
  };
  for (const auto& c : cases) {
    Export x = run(c.scenario);
    WriteResult w = write_packetdrill(x.sc, x.trace, c.host);
    EXPECT_FALSE(w.ok) << c.scenario << " " << c.host;
    EXPECT_TRUE(contains(w.error, c.reason)) << c.scenario << " " << c.host << ": " << w.error;
  }
}

// The shape packetdrill writes: times relative to the previous line, a
// blocking call as START...END with the end from the same base, sequence
// numbers relative to each ISN, errno with its text, sysctls as shell lines.
TEST(ExportPacketdrill, ClientSideOfNormalCloseReadsAsPacketdrillWritesIt) {
  const std::string s = script_of("normal-close.yaml", "client");
  EXPECT_TRUE(contains(s, "\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n")) << s;
  EXPECT_TRUE(contains(s, "\n+0...0.002 connect(3, ..., ...) = 0\n+0 > S 0:0(0) win 65160 <mss 1448>\n")) << s;
  EXPECT_TRUE(contains(s, "\n+0.002 < S. 0:0(0) ack 1 win 65160 <mss 1448>\n")) << s;
  EXPECT_TRUE(contains(s, "\n+0 write(3, ..., 100) = 100\n+0 > P. 1:101(100) ack 1 win 65160\n")) << s;
  EXPECT_TRUE(contains(s, "\n+0.1 close(3) = 0\n+0 > F. 101:101(0) ack 101 win 65160\n")) << s;
  EXPECT_TRUE(contains(s, "< F. 101:101(0) ack 102")) << s;
}

TEST(ExportPacketdrill, ErrorsCarryErrnoAndTextAndSysctlsBecomeShellLines) {
  const std::string reset = script_of("so-linger-zero.yaml", "server");
  EXPECT_TRUE(contains(reset, "read(4, ..., 1000) = -1 ECONNRESET (Connection reset by peer)")) << reset;
  const std::string hc = script_of("half-close.yaml", "client");
  EXPECT_TRUE(contains(hc, "`sysctl -q net.ipv4.tcp_fin_timeout=3`\n")) << hc;
  EXPECT_TRUE(contains(hc, "shutdown(3, SHUT_WR) = 0")) << hc;
}

TEST(ExportPacketdrill, ForKernelLeavesTheHostsOwnWindowAndSynOptionsUnchecked) {
  const std::string s = script_of("normal-close.yaml", "server", true);
  EXPECT_TRUE(contains(s, "> S. 0:0(0) ack 1 <...>\n")) << s;
  EXPECT_TRUE(contains(s, "< S 0:0(0) win 65160 <mss 1448>\n")) << s;  // the peer's stay as sent
  for (std::size_t p = s.find("\n+"); p != std::string::npos; p = s.find("\n+", p + 1)) {
    const std::string line = s.substr(p + 1, s.find('\n', p + 1) - p - 1);
    if (contains(line, " > ")) {
      EXPECT_FALSE(contains(line, " win ")) << line;
    }
  }
}

// One changed number in a written script makes the model's run fail at that
// line: the round trip checks what it claims to check.
TEST(ExportPacketdrill, AChangedAckOrTimeInTheWrittenScriptFails) {
  const std::string s = script_of("normal-close.yaml", "server");
  std::string bad_ack = s;
  const std::string fin = "> F. 101:101(0) ack 102";
  ASSERT_NE(bad_ack.find(fin), std::string::npos) << s;
  bad_ack.replace(bad_ack.find(fin), fin.size(), "> F. 101:101(0) ack 103");
  RunResult r = play(bad_ack, "bad-ack.pkt");
  EXPECT_EQ(r.status, RunResult::Status::Mismatch);
  EXPECT_TRUE(contains(r.message, "tcp_ack_seq")) << r.message;

  std::string late = s;
  const std::string close_line = "+0 close(4) = 0";
  ASSERT_NE(late.find(close_line), std::string::npos) << s;
  late.replace(late.find(close_line), close_line.size(), "+0.5 close(4) = 0");
  RunResult r2 = play(late, "late.pkt");
  EXPECT_EQ(r2.status, RunResult::Status::Mismatch) << late;
}

// The epoll loop is written as the calls it made: the instance and its
// registration once, then every wake-up with the events it reported and the
// read after it (50 of each in the spin). One changed event mask fails.
TEST(ExportPacketdrill, EpollLoopIsWrittenCallByCallAndAChangedMaskFails) {
  const std::string spin = script_of("epoll-close-wait-spin.yaml", "server");
  EXPECT_TRUE(contains(spin, "\n+0 accept(3, ..., ...) = 4\n")) << spin;
  EXPECT_TRUE(contains(spin, "\n+0 epoll_create(1) = 5\n"
                             "+0 epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLIN|EPOLLRDHUP, fd=4}) = 0\n"
                             "+0 epoll_wait(5, {events=EPOLLIN, fd=4}, 1, -1) = 1\n")) << spin;
  EXPECT_TRUE(contains(spin, "...0.1 epoll_wait(5, {events=EPOLLIN|EPOLLRDHUP, fd=4}, 1, -1) = 1\n")) << spin;
  int waits = 0, eofs = 0;
  for (std::size_t p = spin.find("epoll_wait("); p != std::string::npos; p = spin.find("epoll_wait(", p + 1)) ++waits;
  for (std::size_t p = spin.find("read(4, ..., 1000) = 0"); p != std::string::npos;
       p = spin.find("read(4, ..., 1000) = 0", p + 1))
    ++eofs;
  EXPECT_EQ(waits, 50);  // max_wakeups in the scenario
  EXPECT_EQ(eofs, 49);   // the first wake-up reads the 100 bytes
  EXPECT_FALSE(contains(spin, "close(4)")) << spin;

  const std::string fixed = script_of("epoll-close-wait-fixed.yaml", "server");
  EXPECT_TRUE(contains(fixed, "+0 read(4, ..., 1000) = 0\n+0 close(4) = 0\n+0 > F. 1:1(0) ack 102")) << fixed;

  std::string bad = fixed;
  const std::string first = "epoll_wait(5, {events=EPOLLIN, fd=4}";
  ASSERT_NE(bad.find(first), std::string::npos) << fixed;
  bad.replace(bad.find(first), first.size(), "epoll_wait(5, {events=EPOLLIN|EPOLLRDHUP, fd=4}");
  RunResult r = play(bad, "bad-epoll-mask.pkt");
  EXPECT_EQ(r.status, RunResult::Status::Mismatch) << bad;
  EXPECT_TRUE(contains(r.message, "epoll events")) << r.message;
}

// connect-refused: one socket, two connect() attempts, each SYN answered by
// the closed port's RST/ACK; the second leaves from a new local port with a
// new ISN, so both SYNs are written 0:0 and both RSTs ack 1. An RST that
// does not acknowledge the SYN is not acceptable in SYN_SENT (RFC 9293
// §3.10.7.3), so changing its ack leaves connect() blocked: a mismatch.
TEST(ExportPacketdrill, TwoRefusedConnectsOnOneSocketAreWrittenAndAWrongRstAckFails) {
  const std::string s = script_of("connect-refused.yaml", "client");
  const std::string attempt =
      "connect(3, ..., ...) = -1 ECONNREFUSED (Connection refused)\n+0 > S 0:0(0) win 65160 <mss 1448>\n"
      "+0.002 < R. 0:0(0) ack 1 win 0\n";
  const auto first = s.find(attempt);
  ASSERT_NE(first, std::string::npos) << s;
  EXPECT_NE(s.find(attempt, first + 1), std::string::npos) << s;
  EXPECT_TRUE(contains(s, "\n+1...1.002 connect(3,")) << s;

  std::string bad = s;
  const std::string rst = "< R. 0:0(0) ack 1 win 0";
  bad.replace(bad.rfind(rst), rst.size(), "< R. 0:0(0) ack 2 win 0");
  RunResult r = play(bad, "bad-rst-ack.pkt");
  EXPECT_EQ(r.status, RunResult::Status::Mismatch) << bad;
}

// What the writer still cannot say about epoll: one registration per
// process, made once. A loop that would register again on each turn, or a
// second epoll loop, is refused with the step's place in the file.
TEST(ExportPacketdrill, EpollLoopInsideALoopOrASecondOneIsRefusedWithItsPlace) {
  const std::string head = R"(title: {en: "epoll writer limits", zh: "epoll writer limits"}
hosts:
  client: {ip: 10.0.0.1}
  server: {ip: 10.0.0.2}
link: {delay: 1ms}
processes:
  client:
    host: client
    run:
      - at: 10ms
        connect: {to: "server:80", as: sock}
      - send: {socket: sock, bytes: 100}
      - after: 100ms
        close: sock
  server:
    host: server
    run:
      - listen: {port: 80, backlog: 128, as: lsock}
      - accept: {socket: lsock, as: conn}
)";
  const std::string in_loop = head + R"(      - loop:
          count: 2
          run:
            - epoll: {socket: conn, events: [in, rdhup], close_on_eof: false, max_wakeups: 2}
)";
  const std::string twice = head + R"(      - epoll: {socket: conn, events: [in], close_on_eof: false, max_wakeups: 1}
      - epoll: {socket: conn, events: [in, rdhup], close_on_eof: true, max_wakeups: 5}
)";
  // The line of the step refused: the last epoll step in the text.
  auto where = [](const std::string& file, const std::string& text) {
    const auto p = text.rfind("- epoll:");
    return file + ":" + std::to_string(std::count(text.begin(), text.begin() + p, '\n') + 1) + ":";
  };
  for (const auto& [text, reason, file] :
       {std::tuple<std::string, std::string, std::string>{in_loop, "inside a 'loop' step", "in-loop.yaml"},
        {twice, "a second epoll loop", "twice.yaml"}}) {
    const std::string line = where(file, text);
    const Scenario sc = load_scenario_string(text, file);
    const Trace tr = run_scenario(sc);
    const WriteResult w = write_packetdrill(sc, tr, "server");
    EXPECT_FALSE(w.ok) << file << "\n" << w.script;
    EXPECT_TRUE(contains(w.error, reason)) << w.error;
    EXPECT_TRUE(contains(w.error, line)) << w.error;
  }
}
