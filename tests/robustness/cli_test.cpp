// The command line on hostile input (issue #17): nothing hangs, nothing
// aborts, every refusal names what is wrong and exits non-zero.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include <string>

#include "tools.hpp"

using tcpsim::testing::run_tool;
using tcpsim::testing::temp_dir;
using tcpsim::testing::write_file;

namespace {

const std::string kExe = TCPSIM_EXE;
const std::string kScenarios = TCPSIM_SCENARIOS;

// Every command runs under `timeout`: a hang fails the test instead of CI.
tcpsim::testing::RunResult tcpsim_run(std::vector<std::string> args, const std::string& prefix = "") {
  std::vector<std::string> argv = {"timeout", "60"};
  if (!prefix.empty()) {
    argv.insert(argv.end(), {"prlimit", prefix, "--"});
  }
  argv.push_back(kExe);
  argv.insert(argv.end(), args.begin(), args.end());
  return run_tool(argv);
}

const char* kHugeSend = R"(title: a huge send
hosts:
  a: {ip: 10.0.0.1}
  b: {ip: 10.0.0.2}
processes:
  srv:
    host: b
    run:
      - listen: {port: 80, as: l}
      - accept: {socket: l, as: c}
      - recv: {socket: c, until: eof}
  cli:
    host: a
    run:
      - connect: {to: b:80, as: s}
      - send: {socket: s, bytes: 1099511627776}
)";

}  // namespace

TEST(HostileCli, FifoAsScenarioIsRefusedAtOnceByEveryCommand) {
  const std::string dir = temp_dir("fifo");
  const std::string fifo = dir + "/s.yaml";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"run", fifo}, {"check", fifo}, {"replay", "--fast", fifo},
                                             {"export", fifo, "--jsonl", dir + "/o.jsonl"}}) {
    auto r = tcpsim_run(args);
    EXPECT_EQ(r.status, 2) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find("FIFO"), std::string::npos) << r.err;
  }
}

TEST(HostileCli, UnknownCommandAndOptionGetASuggestion) {
  auto r = tcpsim_run({"rnu", kScenarios + "/normal-close.yaml"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("unknown command 'rnu'; did you mean 'run'?"), std::string::npos) << r.err;
  r = tcpsim_run({"bogus"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("unknown command 'bogus'"), std::string::npos) << r.err;
  r = tcpsim_run({"run", kScenarios + "/normal-close.yaml", "--formt", "jsonl"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("did you mean '--format'"), std::string::npos) << r.err;
}

// A mistyped option before the file: its value must not be reported as the
// missing FILE ("FILE: File does not exist: 1"); the option is the error.
TEST(HostileCli, MistypedOptionBeforeTheFileIsNamedNotItsValue) {
  auto r = tcpsim_run({"run", "--sede", "1", kScenarios + "/normal-close.yaml"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("unknown option '--sede'; did you mean '--seed'?"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("File does not exist"), std::string::npos) << r.err;
  r = tcpsim_run({"check", "--zzzz", "1", kScenarios + "/normal-close.yaml"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("unknown option '--zzzz' for 'tcpsim check'"), std::string::npos) << r.err;
  // A real missing file is still reported as one.
  r = tcpsim_run({"run", "--seed", "1", kScenarios + "/no-such-scenario.yaml"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("File does not exist"), std::string::npos) << r.err;
}

TEST(HostileCli, SeedIsRangeChecked) {
  for (const char* bad : {"-1", "18446744073709551616", "1e23", "0x10", "12abc"}) {
    auto r = tcpsim_run({"run", kScenarios + "/normal-close.yaml", "--seed", bad});
    EXPECT_EQ(r.status, 2) << bad;
    EXPECT_NE(r.err.find("--seed"), std::string::npos) << r.err;
  }
  auto r = tcpsim_run({"run", kScenarios + "/normal-close.yaml", "--seed", "18446744073709551615"});
  EXPECT_EQ(r.status, 0) << r.err;
}

TEST(HostileCli, ReachingARunLimitSaysWhichAndExitsThree) {
  const std::string dir = temp_dir("limit");
  write_file(dir + "/huge.yaml", kHugeSend);
  auto r = tcpsim_run({"run", "--format", "summary", "--max-events", "20000", dir + "/huge.yaml"});
  EXPECT_EQ(r.status, 3) << r.err;
  EXPECT_NE(r.err.find("events limit (20000)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--max-events"), std::string::npos) << r.err;
  // check: a cut run is neither passed nor failed.
  r = tcpsim_run({"check", "--max-time", "1s", kScenarios + "/normal-close.yaml"});
  EXPECT_EQ(r.status, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("virtual time limit (1.0 s)"), std::string::npos) << r.err;
}

// `export` records the whole trace before writing it (`check` streams and
// keeps none, `run` prints as it goes).
TEST(HostileCli, HugeSendWithATraceStopsAtTheMemoryLimitInsteadOfAborting) {
  const std::string dir = temp_dir("memory");
  write_file(dir + "/huge.yaml", kHugeSend);
  auto r = tcpsim_run({"export", "--max-memory", "300", dir + "/huge.yaml", "--pcap", dir + "/huge.pcap"});
  EXPECT_EQ(r.status, 3) << r.err;
  EXPECT_NE(r.err.find("memory limit (300 MiB)"), std::string::npos) << r.err;
}

#ifdef TCPSIM_TEST_ADDRESS_LIMIT
TEST(HostileCli, OutOfMemoryUnderUlimitIsReportedNotAnAbort) {
  const std::string dir = temp_dir("ulimit");
  write_file(dir + "/huge.yaml", kHugeSend);
  // 1 GiB of address space; the memory limit follows it down to 3/4.
  auto r = tcpsim_run({"export", dir + "/huge.yaml", "--pcap", dir + "/huge.pcap"}, "--as=1073741824");
  EXPECT_TRUE(r.status == 3 || r.status == 4) << r.status << " " << r.err;
  EXPECT_TRUE(r.err.find("memory") != std::string::npos) << r.err;
}
#endif

TEST(HostileCli, ControlCharactersNeverReachTheTerminal) {
  const std::string dir = temp_dir("ctl");
  write_file(dir + "/esc.yaml", "title: \"\\e]52;c;ZXZpbA==\\a clear\"\nhosts: {}\n");
  auto r = tcpsim_run({"run", dir + "/esc.yaml"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\x07'), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("control character"), std::string::npos) << r.err;
  // A file that is not a scenario is not echoed.
  write_file(dir + "/shadow.yaml", "root:$6$secrethash:19000:0:99999:7:::\n");
  r = tcpsim_run({"run", dir + "/shadow.yaml"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err.find("secrethash"), std::string::npos) << r.err;
}

TEST(HostileCli, ScenarioTextIsEscapedForEveryExportFormat) {
  const std::string dir = temp_dir("escape");
  std::string yaml = tcpsim::testing::read_file(kScenarios + "/three-way-handshake.yaml");
  // Replace the title block (title: {en:..., zh:...} or title: text) with a hostile one.
  const auto t0 = yaml.find("title:");
  const auto t1 = yaml.find("\nsummary:");
  ASSERT_NE(t0, std::string::npos);
  ASSERT_NE(t1, std::string::npos);
  yaml.replace(t0, t1 - t0, "title: \"Evil <script>alert(1)</script> & 'x' ]]> <img:http://example/a.png> @enduml\"");
  write_file(dir + "/evil.yaml", yaml);
  std::vector<std::string> args = {"export", dir + "/evil.yaml", "--mermaid", dir + "/e.mmd", "--plantuml",
                                   dir + "/e.puml", "--dot", dir + "/e.dot"};
#ifdef TCPSIM_TEST_HAVE_RENDER
  args.insert(args.end(), {"--ladder", dir + "/e.svg", "--diagram", "client:" + dir + "/d.svg"});
#endif
  auto r = tcpsim_run(args);
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string mmd = tcpsim::testing::read_file(dir + "/e.mmd");
  EXPECT_EQ(mmd.find("<script"), std::string::npos) << mmd;
  EXPECT_NE(mmd.find("#60;script#62;"), std::string::npos) << mmd;
  const std::string puml = tcpsim::testing::read_file(dir + "/e.puml");
  EXPECT_EQ(puml.find(" <img"), std::string::npos) << puml;
  EXPECT_NE(puml.find("~<img"), std::string::npos) << puml;
  EXPECT_EQ(run_tool({"dot", "-Tsvg", "-o", "/dev/null", dir + "/e.dot"}).status, 0);
#ifdef TCPSIM_TEST_HAVE_RENDER
  for (const char* f : {"/e.svg", "/d.svg"}) {
    const std::string svg = tcpsim::testing::read_file(dir + f);
    EXPECT_EQ(svg.find("<script"), std::string::npos) << f;
    auto x = run_tool({"xmllint", "--noout", dir + f});
    EXPECT_EQ(x.status, 0) << f << ": " << x.err;
  }
#endif
}

#ifdef TCPSIM_TEST_HAVE_RENDER
TEST(HostileCli, SigintMidExportLeavesNoTemporaryBehind) {
  const std::string dir = temp_dir("sigint");
  const std::string out = dir + "/frames";
  for (int sig : {SIGINT, SIGTERM}) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::setenv("QT_QPA_PLATFORM", "offscreen", 1);
      ::execl(kExe.c_str(), kExe.c_str(), "export", (kScenarios + "/time-wait-pileup.yaml").c_str(), "--frames",
              out.c_str(), "--frames-max", "5000", "--to", "1s", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    // Wait until frames are being written into the temporary folder, then interrupt.
    bool writing = false;
    for (int i = 0; i < 600 && !writing; ++i) {
      ::usleep(50000);
      for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().filename().string().rfind(".tcpsim-frames-", 0) == 0 &&
            std::filesystem::exists(e.path() / "frame-0003.png"))
          writing = true;
    }
    ASSERT_TRUE(writing) << "no frames appeared in 30 s";
    ::kill(pid, sig);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == sig) << status;
    std::size_t left = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++left;
    EXPECT_EQ(left, 0u) << "files or folders left in " << dir;
  }
}
#endif
