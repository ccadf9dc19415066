// tcpsim ss on the command line: every layout exits 0 with its header, and
// every bad option exits 2 with a message that names it.
#include <gtest/gtest.h>

#include "tools.hpp"

using tcpsim::testing::run_tool;

namespace {
const std::string kExe = TCPSIM_EXE;
const std::string kNormal = std::string(TCPSIM_SCENARIOS) + "/normal-close.yaml";

tcpsim::testing::RunResult ss(std::vector<std::string> args) {
  args.insert(args.begin(), {kExe, "ss"});
  return run_tool(args);
}
}  // namespace

TEST(SsCli, EachLayoutPrintsItsHeader) {
  auto r = ss({kNormal, "--at", "11.5ms", "--host", "server", "-p", "-o", "-i"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.rfind("State", 0), 0u) << r.out;  // one host: no section header
  EXPECT_NE(r.out.find("SYN-RECV"), std::string::npos);
  EXPECT_NE(r.out.find("users:((\"server\",pid=1,fd=3))"), std::string::npos);
  r = ss({kNormal, "--at", "10s", "--netstat"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("# host client (10.0.0.1)\nActive Internet connections"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("TIME_WAIT"), std::string::npos);
  r = ss({kNormal, "--at", "10s", "--summary", "--host", "client"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("timewait 1)"), std::string::npos) << r.out;
  r = ss({kNormal, "--at", "12ms", "--ids"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("# sid 1  server  10.0.0.2:80 *:*  LISTEN  server/lsock"), std::string::npos) << r.out;
}

TEST(SsCli, ListeningOnly) {
  auto r = ss({kNormal, "--at", "10s", "-l"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("LISTEN"), std::string::npos);
  EXPECT_EQ(r.out.find("TIME-WAIT"), std::string::npos);
}

TEST(SsCli, MissingAtIsRefusedNamingIt) {
  auto r = ss({kNormal});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--at"), std::string::npos) << r.err;
}

TEST(SsCli, BadTimeIsRefusedNamingTheOption) {
  auto r = ss({kNormal, "--at", "soon"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--at"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("soon"), std::string::npos) << r.err;
}

TEST(SsCli, UnknownHostIsRefusedWithTheHostsAndAGuess) {
  auto r = ss({kNormal, "--at", "1s", "--host", "sever"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--host"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean 'server'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("hosts: client, server"), std::string::npos) << r.err;
}

TEST(SsCli, NetstatAndSummaryExcludeEachOther) {
  auto r = ss({kNormal, "--at", "1s", "--netstat", "--summary"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--netstat"), std::string::npos) << r.err;
}

TEST(SsCli, BadSeedAndMissingFileAreRefused) {
  auto r = ss({kNormal, "--at", "1s", "--seed", "-1"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--seed"), std::string::npos) << r.err;
  r = ss({"/nonexistent.yaml", "--at", "1s"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("/nonexistent.yaml"), std::string::npos) << r.err;
}

TEST(SsCli, AMistypedOptionGetsASuggestion) {
  auto r = ss({kNormal, "--at", "1s", "--listenning"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--listening"), std::string::npos) << r.err;
}

TEST(SsCli, ALimitReachedBeforeTheMomentExits3) {
  auto r = ss({kNormal, "--at", "10s", "--max-events", "5"});
  EXPECT_EQ(r.status, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("--max-events"), std::string::npos) << r.err;
}

// Issue #15.6: a sysctl Linux removed is refused with the reason, at its line.
TEST(LoaderCli, TcpTwRecycleIsRefusedAsRemovedFromLinux) {
  const std::string dir = tcpsim::testing::temp_dir("tw-recycle");
  const std::string f = dir + "/tw.yaml";
  tcpsim::testing::write_file(f, R"(title: {en: "tw_recycle", zh: "tw_recycle"}
hosts:
  client: {ip: 10.0.0.1}
  server:
    ip: 10.0.0.2
    sysctl: {net.ipv4.tcp_tw_recycle: 1}
processes:
  server:
    host: server
    run:
      - listen: {port: 80, as: lsock}
)");
  auto r = run_tool({kExe, "check", f});
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("tw.yaml:6:14: sysctl 'net.ipv4.tcp_tw_recycle' was removed in Linux 4.12"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("net.ipv4.tcp_tw_reuse"), std::string::npos) << r.err;
  r = run_tool({kExe, "ss", f, "--at", "1s"});
  EXPECT_EQ(r.status, 2);
}
