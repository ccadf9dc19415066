// tcpsim packetdrill (issue #16): the parser (times, segments, calls,
// errors at file:line:col) and the runner (the project's scripts pass; a
// wrong expectation fails at its line; MSS honoured; options and shell lines
// reported, not failed; profiles matter).
#include <gtest/gtest.h>

#include <dirent.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tcpsim/packetdrill.hpp"
#include "tcpsim/packetdrill_run.hpp"

using namespace tcpsim;
using namespace tcpsim::packetdrill;

namespace {

const char* kHandshake =
    "0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
    "+0  setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n"
    "+0  bind(3, ..., ...) = 0\n"
    "+0  listen(3, 1) = 0\n"
    "+0  < S 0:0(0) win 65535 <mss 1460>\n"
    "+0  > S. 0:0(0) ack 1 <...>\n"
    "+.1 < . 1:1(0) ack 1 win 65535\n"
    "+0  accept(3, ..., ...) = 4\n";  // 8 lines

Script parse_ok(const std::string& text) {
  ParseResult r = parse_packetdrill(text, "t.pkt");
  EXPECT_TRUE(r.ok()) << (r.error ? r.error->str() : "");
  return r.ok() ? *r.script : Script{};
}

RunResult run_text(const std::string& text, Profile p = Profile::Linux) {
  RunConfig cfg;
  cfg.profile = p;
  return run_packetdrill(parse_ok(text), cfg);
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

// ---- parser ----

TEST(PacketdrillParse, TimesAbsoluteRelativeAnyRangeAndBlockingEnd) {
  const Script s = parse_ok(
      "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
      "+.25 listen(3, 1) = 0\n"
      "0.500...0.750 accept(3, ..., ...) = 4\n"
      "* > S. 0:0(0) ack 1\n"
      "1.0~1.2 > . 1:1(0) ack 1\n"
      "+0.1~+0.3 > F. 1:1(0) ack 1\n");
  ASSERT_EQ(s.lines.size(), 6u);
  EXPECT_EQ(s.lines[0].time->kind, TimeKind::Absolute);
  EXPECT_EQ(s.lines[1].time->kind, TimeKind::Relative);
  EXPECT_EQ(s.lines[1].time->value, 250000);
  EXPECT_EQ(s.lines[2].time->value, 500000);
  ASSERT_TRUE(s.lines[2].syscall.end_time);
  EXPECT_EQ(s.lines[2].syscall.end_time->value, 750000);
  EXPECT_EQ(s.lines[3].time->kind, TimeKind::Any);
  EXPECT_EQ(*s.lines[4].time->range_end, 1200000);
  EXPECT_EQ(s.lines[5].time->kind, TimeKind::Relative);
  EXPECT_EQ(*s.lines[5].time->range_end, 300000);
}

TEST(PacketdrillParse, SegmentFlagsSequenceAckWindowOptionsAndPorts) {
  const Script s = parse_ok(
      "0 < 40001>8080 S 0:0(0) win 32792 <mss 1000,sackOK,TS val 100 ecr 0,nop,wscale 7>\n"
      "+0 > P. 1:1001(1000) ack 1 <...>\n"
      "+0 > R 5:5(0)\n");
  const packetdrill::Segment& a = s.lines[0].segment;
  EXPECT_EQ(a.dir, Direction::Inbound);
  EXPECT_EQ(a.flags, kSyn);
  EXPECT_EQ(*a.win, 32792u);
  EXPECT_EQ(*a.src_port, 40001);
  EXPECT_EQ(*a.dst_port, 8080);
  ASSERT_TRUE(a.options);
  ASSERT_EQ(a.options->size(), 5u);
  EXPECT_EQ((*a.options)[0].kind, TcpOption::Kind::Mss);
  EXPECT_EQ((*a.options)[0].value, 1000u);
  EXPECT_EQ((*a.options)[2].kind, TcpOption::Kind::Timestamp);
  EXPECT_EQ((*a.options)[2].value2, 0u);
  EXPECT_EQ((*a.options)[4].value, 7u);
  const packetdrill::Segment& b = s.lines[1].segment;
  EXPECT_EQ(b.dir, Direction::Outbound);
  EXPECT_EQ(b.flags, kPsh | kAck);
  EXPECT_EQ(b.seq_start, 1u);
  EXPECT_EQ(b.seq_end, 1001u);
  EXPECT_EQ(b.len, 1000u);
  EXPECT_EQ(*b.ack, 1u);
  EXPECT_FALSE(b.options) << "<...> means options are not checked";
  EXPECT_FALSE(b.win);
  EXPECT_EQ(s.lines[2].segment.flags, kRst);
  EXPECT_FALSE(s.lines[2].segment.ack);
}

TEST(PacketdrillParse, SyscallArgumentsResultErrnoAndNote) {
  const Script s = parse_ok(
      "0 setsockopt(4, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0\n"
      "+0 write(4, ..., 10) = -1 EPIPE (Broken pipe)\n"
      "+0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n"
      "+0 poll([{fd=4, events=POLLIN, revents=POLLIN}], 1, 0) = 1\n");
  const Syscall& a = s.lines[0].syscall;
  EXPECT_EQ(a.name, "setsockopt");
  ASSERT_EQ(a.args.size(), 5u);
  EXPECT_EQ(a.args[3].kind, Expr::Kind::Struct);
  EXPECT_EQ(to_string(a.args[3]), "{onoff=1, linger=0}");
  const Syscall& b = s.lines[1].syscall;
  EXPECT_EQ(b.result.integer, -1);
  EXPECT_EQ(b.errno_name, "EPIPE");
  EXPECT_EQ(b.note, "Broken pipe");
  EXPECT_EQ(s.lines[2].syscall.args[2].kind, Expr::Kind::BitOr);
  EXPECT_EQ(to_string(s.lines[3].syscall.args[0]), "[{fd=4, events=POLLIN, revents=POLLIN}]");
}

TEST(PacketdrillParse, ShellSysctlIsUnderstoodOtherCommandsCarryAWarning) {
  const Script s = parse_ok(
      "`sysctl -q net.ipv4.tcp_fin_timeout=5`\n"
      "0 `../common/defaults.sh; sysctl -q net.ipv4.tcp_rfc1337=1`\n"
      "+0 %{ assert tcpi_rto == 1000000 }%\n");
  ASSERT_EQ(s.lines.size(), 3u);
  EXPECT_FALSE(s.lines[0].time) << "an init command has no time";
  ASSERT_EQ(s.lines[0].shell.sysctls.size(), 1u);
  EXPECT_EQ(s.lines[0].shell.sysctls[0].first, "net.ipv4.tcp_fin_timeout");
  EXPECT_EQ(s.lines[0].shell.sysctls[0].second, "5");
  EXPECT_TRUE(s.lines[0].shell.warning.empty());
  EXPECT_EQ(s.lines[1].shell.sysctls.size(), 1u);
  EXPECT_TRUE(contains(s.lines[1].shell.warning, "../common/defaults.sh"));
  EXPECT_EQ(s.lines[2].kind, Line::Kind::Python);
  EXPECT_FALSE(s.lines[2].python.warning.empty());
}

TEST(PacketdrillParse, ErrorsNameFileLineAndColumn) {
  struct Case {
    const char* text;
    int line, col;
    const char* says;
  };
  const Case cases[] = {
      {"0 close(3) = 0\nclose(3) = 0\n", 2, 1, "time"},
      {"0 < Q 0:0(0) win 1\n", 1, 5, "unknown TCP flag"},
      {"0 < P. 1:11(100) ack 1\n", 1, 8, "inconsistent"},
      {"* < S 0:0(0)\n", 1, 1, "outbound"},
      {"0.1~0.2 close(3) = 0\n", 1, 1, "range"},
      {"0 close(3  = 0\n", 1, 12, "')'"},
      {"0 < S 0:0(0) <mss 1460,bogus>\n", 1, 24, "unknown TCP option"},
      {"0 `sysctl -q x=1\n", 1, 3, "unterminated"},
      {"0 < . 1:1(0) <...>\n", 1, 14, "outbound"},
      {"0 close(3) = 0\n+0 < udp (10)\n", 2, 6, "not supported"},
      {"", 1, 1, "no events"},
  };
  for (const Case& c : cases) {
    const ParseResult r = parse_packetdrill(c.text, "bad.pkt");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.error->line, c.line) << c.text << " -> " << r.error->str();
    EXPECT_EQ(r.error->col, c.col) << c.text << " -> " << r.error->str();
    EXPECT_TRUE(contains(r.error->message, c.says)) << c.text << " -> " << r.error->str();
    EXPECT_EQ(r.error->str().rfind("bad.pkt:" + std::to_string(c.line) + ":" + std::to_string(c.col) + ": ", 0), 0u);
  }
}

// ---- runner ----

// Every script of tests/packetdrill/ passes against the model (Linux profile).
TEST(PacketdrillRun, ProjectScriptsPass) {
  std::vector<std::string> files;
  DIR* d = opendir(PKT_DIR);
  ASSERT_NE(d, nullptr);
  while (dirent* e = readdir(d)) {
    const std::string n = e->d_name;
    if (n.size() > 4 && n.compare(n.size() - 4, 4, ".pkt") == 0) files.push_back(n);
  }
  closedir(d);
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 9u);
  for (const auto& f : files) {
    const ParseResult p = parse_packetdrill_file(std::string(PKT_DIR) + "/" + f);
    ASSERT_TRUE(p.ok()) << p.error->str();
    const RunResult r = run_packetdrill(*p.script);
    EXPECT_EQ(r.status, RunResult::Status::Pass) << f << ": " << r.message;
  }
}

TEST(PacketdrillRun, WrongSegmentFailsAtItsLineWithScriptAndActualPacket) {
  const RunResult r = run_text(std::string(kHandshake) +
                               "+0  < P. 1:101(100) ack 1 win 65535\n"
                               "+0  > . 1:1(0) ack 101\n"
                               "+.1 close(4) = 0\n"
                               "+0  > F. 1:1(0) ack 101\n");  // line 12: really R.
  EXPECT_EQ(r.status, RunResult::Status::Mismatch);
  EXPECT_EQ(r.exit_code(), 1);
  EXPECT_EQ(r.line, 12);
  EXPECT_EQ(r.at, 200000);
  EXPECT_TRUE(contains(r.message, "t.pkt:12: error handling packet")) << r.message;
  EXPECT_TRUE(contains(r.message, "script packet:  0.200000 F. 1:1(0) ack 101")) << r.message;
  EXPECT_TRUE(contains(r.message, "actual packet:  0.200000 R. 1:1(0) ack 101")) << r.message;
}

TEST(PacketdrillRun, WrongReturnValueNamesTheCallAndTheErrno) {
  const RunResult r = run_text(std::string(kHandshake) +
                               "+0  < R. 1:1(0) ack 1 win 0\n"
                               "+0  read(4, ..., 10) = 0\n");  // really -1 ECONNRESET
  EXPECT_EQ(r.status, RunResult::Status::Mismatch);
  EXPECT_EQ(r.line, 10);
  EXPECT_TRUE(contains(r.message, "runtime error in read call: Expected result 0 but got -1 with errno 104 "
                                  "(Connection reset by peer)"))
      << r.message;
}

TEST(PacketdrillRun, SegmentOutsideTheToleranceIsATimingError) {
  const RunResult r = run_text(std::string(kHandshake) +
                               "+0  close(4) = 0\n"
                               "+0  > F. 1:1(0) ack 1\n"
                               "+.2 > F. 1:1(0) ack 1\n");  // retransmitted after RTO 300 ms, not 200
  EXPECT_EQ(r.status, RunResult::Status::Mismatch);
  EXPECT_EQ(r.line, 11);
  EXPECT_TRUE(contains(r.message, "timing error: expected outbound packet at 0.300000 sec but happened at 0.400000 sec"))
      << r.message;
}

TEST(PacketdrillRun, CallWrittenWithoutEndTimeThatBlocksIsReported) {
  const RunResult r = run_text(
      "0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
      "+0  bind(3, ..., ...) = 0\n"
      "+0  listen(3, 1) = 0\n"
      "+0  accept(3, ..., ...) = 4\n");  // nothing ever connects
  EXPECT_EQ(r.status, RunResult::Status::Mismatch);
  EXPECT_EQ(r.line, 4);
  EXPECT_TRUE(contains(r.message, "never returned")) << r.message;
}

TEST(PacketdrillRun, BlockingAcceptReturnsWhenTheHandshakeCompletes) {
  const RunResult ok = run_text(
      "0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
      "+0  bind(3, ..., ...) = 0\n"
      "+0  listen(3, 1) = 0\n"
      "+0...0.200 accept(3, ..., ...) = 4\n"
      "0.100 < S 0:0(0) win 65535 <mss 1460>\n"
      "+0  > S. 0:0(0) ack 1 <...>\n"
      "0.200 < . 1:1(0) ack 1 win 65535\n"
      "+0  close(4) = 0\n"
      "+0  > F. 1:1(0) ack 1\n");
  EXPECT_EQ(ok.status, RunResult::Status::Pass) << ok.message;
  const RunResult late = run_text(
      "0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
      "+0  bind(3, ..., ...) = 0\n"
      "+0  listen(3, 1) = 0\n"
      "+0...0.100 accept(3, ..., ...) = 4\n"
      "0.100 < S 0:0(0) win 65535 <mss 1460>\n"
      "+0  > S. 0:0(0) ack 1 <...>\n"
      "0.200 < . 1:1(0) ack 1 win 65535\n"
      "+0  close(4) = 0\n");
  EXPECT_EQ(late.status, RunResult::Status::Mismatch);
  EXPECT_EQ(late.line, 4);
  EXPECT_TRUE(contains(late.message, "expected blocking call to return at 0.100000 sec but it returned at 0.200000"))
      << late.message;
}

TEST(PacketdrillRun, PeerMssSetsTheSegmentSizeLessTimestamps) {
  const RunResult r = run_text(
      "0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
      "+0  bind(3, ..., ...) = 0\n"
      "+0  listen(3, 1) = 0\n"
      "+0  < S 0:0(0) win 65535 <mss 500,sackOK,TS val 100 ecr 0,nop,wscale 7>\n"
      "+0  > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 100 ecr 100,nop,wscale 8>\n"
      "+.1 < . 1:1(0) ack 1 win 65535\n"
      "+0  accept(3, ..., ...) = 4\n"
      "+0  write(4, ..., 976) = 976\n"
      "+0  > . 1:489(488) ack 1\n"
      "+0  > P. 489:977(488) ack 1\n");
  EXPECT_EQ(r.status, RunResult::Status::Pass) << r.message;
  // sackOK, TS and wscale are parsed and reported, not failed.
  bool noted = false;
  for (const auto& w : r.warnings) noted |= contains(w, "sackOK") && contains(w, "not modelled");
  EXPECT_TRUE(noted);
}

TEST(PacketdrillRun, SysctlShellLineIsHonouredAndUnknownOnesWarned) {
  const std::string body = std::string(kHandshake) +
                           "+0  close(4) = 0\n"
                           "+0  > F. 1:1(0) ack 1\n"
                           "+.1 < . 1:1(0) ack 2 win 65535\n"
                           "+3  < F. 1:1(0) ack 2 win 65535\n"
                           "+0  > R 2:2(0)\n";
  // tcp_fin_timeout=2: the orphan is gone after 2 s and the FIN gets RST.
  const RunResult two = run_text("`sysctl -q net.ipv4.tcp_fin_timeout=2 net.ipv4.tcp_bogus=1`\n" + body);
  EXPECT_EQ(two.status, RunResult::Status::Pass) << two.message;
  bool warned = false;
  for (const auto& w : two.warnings) warned |= contains(w, "net.ipv4.tcp_bogus");
  EXPECT_TRUE(warned);
  // Default 60 s: the FIN_WAIT_2 socket is still there and ACKs the FIN.
  const RunResult dflt = run_text(body);
  EXPECT_EQ(dflt.status, RunResult::Status::Mismatch);
  EXPECT_EQ(dflt.line, 13);
}

TEST(PacketdrillRun, Rfc9293ProfileSendsFinWhereLinuxResets) {
  const std::string s = std::string(kHandshake) +
                        "+0  < P. 1:101(100) ack 1 win 65535\n"
                        "+0  > . 1:1(0) ack 101\n"
                        "+.1 close(4) = 0\n"
                        "+0  > R. 1:1(0) ack 101\n";
  EXPECT_EQ(run_text(s, Profile::Linux).status, RunResult::Status::Pass);
  const RunResult rfc = run_text(s, Profile::Rfc9293);
  EXPECT_EQ(rfc.status, RunResult::Status::Mismatch);
  EXPECT_EQ(rfc.line, 12);
}

TEST(PacketdrillRun, UnsupportedCallIsExitTwoWithItsPlace) {
  const RunResult r = run_text("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 sendfile(3, 4, ..., 10) = 10\n");
  EXPECT_EQ(r.status, RunResult::Status::Unsupported);
  EXPECT_EQ(r.exit_code(), 2);
  EXPECT_TRUE(contains(r.message, "t.pkt:2:4: not supported")) << r.message;
}

TEST(PacketdrillRun, ScriptDescriptorsAreNamesMappedToTheModelsDescriptors) {
  // The model returns 3; the script calls it 4 from then on (packetdrill's to_live_fd).
  const RunResult r = run_text(
      "0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 4\n"
      "+0  fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n"
      "+0  fcntl(4, F_GETFL) = 0x802\n"
      "+0  connect(4, ..., ...) = -1 EINPROGRESS (Operation now in progress)\n"
      "+0  > S 0:0(0) <...>\n"
      "+0  close(4) = 0\n"
      "+0  close(4) = -1 EBADF (Bad file descriptor)\n");
  EXPECT_EQ(r.status, RunResult::Status::Pass) << r.message;
}

TEST(PacketdrillRun, SegmentsSentAtOneInstantAreJoinedAsGsoWhenTheLineAsksForMore) {
  const std::string open =
      "0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
      "+0  bind(3, ..., ...) = 0\n"
      "+0  listen(3, 1) = 0\n"
      "+0  < S 0:0(0) win 65535 <mss 1000>\n"
      "+0  > S. 0:0(0) ack 1 <...>\n"
      "+.1 < . 1:1(0) ack 1 win 65535\n"
      "+0  accept(3, ..., ...) = 4\n"
      "+0  write(4, ..., 2000) = 2000\n";
  EXPECT_EQ(run_text(open + "+0  > P. 1:2001(2000) ack 1\n").status, RunResult::Status::Pass);
  EXPECT_EQ(run_text(open + "+0  > . 1:1001(1000) ack 1\n+0  > P. 1001:2001(1000) ack 1\n").status,
            RunResult::Status::Pass);
  // Never beyond what the model sent: 3000 bytes is a payload mismatch.
  const RunResult r = run_text(open + "+0  > P. 1:3001(3000) ack 1\n");
  EXPECT_EQ(r.status, RunResult::Status::Mismatch);
  EXPECT_TRUE(contains(r.message, "live packet payload: expected 3000 bytes vs actual 2000 bytes")) << r.message;
}
