// `tcpsim run` filters (issue #15 point 5): --host, --socket, --kinds, --from,
// and --tcb in the text format. A filtered run prints exactly the lines of
// the whole trace that match, never others, and a filter naming nothing in
// the run is refused with the name and a suggestion.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "tools.hpp"

using tcpsim::testing::run_tool;

namespace {

const std::string kExe = TCPSIM_EXE;
const std::string kRst = std::string(TCPSIM_SCENARIOS) + "/rst-on-unread-data.yaml";

tcpsim::testing::RunResult tcpsim(std::vector<std::string> args) {
  std::vector<std::string> argv = {"timeout", "60", kExe};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_tool(argv);
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> v;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

bool has(const std::string& line, const std::string& part) { return line.find(part) != std::string::npos; }

TEST(RunFilters, JsonlFilterKeepsExactlyTheMatchingLinesOfTheWholeTrace) {
  const auto all = tcpsim({"run", kRst, "--format", "jsonl"});
  ASSERT_EQ(all.status, 0) << all.err;
  const auto some = tcpsim({"run", kRst, "--format", "jsonl", "--host", "server", "--kinds", "state,call"});
  ASSERT_EQ(some.status, 0) << some.err;
  std::vector<std::string> want;
  for (const auto& l : lines(all.out))
    if (has(l, "\"host\":\"server\"") && (has(l, "\"kind\":\"state\"") || has(l, "\"kind\":\"call\"")))
      want.push_back(l);
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(lines(some.out), want);  // same lines, same indices "i" as in the whole trace
}

TEST(RunFilters, SocketByLabelOrIdGivesTheSameEvents) {
  const auto by_label = tcpsim({"run", kRst, "--format", "jsonl", "--socket", "server/conn"});
  ASSERT_EQ(by_label.status, 0) << by_label.err;
  const auto l = lines(by_label.out);
  ASSERT_FALSE(l.empty());
  const std::size_t p = l.front().find("\"sid\":");
  ASSERT_NE(p, std::string::npos) << l.front();
  const std::string sid = l.front().substr(p + 6, l.front().find_first_of(",}", p) - p - 6);
  for (const auto& x : l) EXPECT_TRUE(has(x, "\"sid\":" + sid + ",") || has(x, "\"sid\":" + sid + "}")) << x;
  const auto by_id = tcpsim({"run", kRst, "--format", "jsonl", "--socket", sid});
  EXPECT_EQ(by_id.out, by_label.out);
}

TEST(RunFilters, FromDropsEarlierEventsAndKindsSelects) {
  const auto r = tcpsim({"run", kRst, "--from", "100ms", "--kinds", "segment"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto l = lines(r.out);
  ASSERT_FALSE(l.empty());
  for (const auto& x : l) {
    EXPECT_GE(std::stod(x.substr(0, x.find(' '))), 0.1) << x;
    EXPECT_TRUE(has(x, "Flags [")) << x;
  }
  EXPECT_TRUE(has(r.out, "Flags [R.]"));  // the reset itself is in the window
}

TEST(RunFilters, TcbInTextShowsTheUnreadBytesBehindTheReset) {
  const auto r = tcpsim({"run", kRst, "--socket", "server/conn", "--kinds", "call", "--tcb"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto l = lines(r.out);
  bool close_seen = false;
  for (std::size_t i = 0; i + 1 < l.size(); ++i) {
    if (!has(l[i], " close(")) continue;
    close_seen = true;
    // The TCB at close(): 100 bytes the application never read.
    EXPECT_TRUE(has(l[i + 1], "    tcb: ")) << l[i + 1];
    EXPECT_TRUE(has(l[i + 1], "rcv_buf=100")) << l[i + 1];
  }
  EXPECT_TRUE(close_seen) << r.out;
}

TEST(RunFilters, FiltersNamingNothingAreRefusedWithASuggestion) {
  auto r = tcpsim({"run", kRst, "--host", "sever"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(has(r.err, "--host")) << r.err;
  EXPECT_TRUE(has(r.err, "did you mean 'server'")) << r.err;
  r = tcpsim({"run", kRst, "--socket", "server/con"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(has(r.err, "did you mean 'server/conn'")) << r.err;
  r = tcpsim({"run", kRst, "--kinds", "segment,stat"});
  EXPECT_NE(r.status, 0);
  EXPECT_TRUE(has(r.err, "--kinds")) << r.err;
  EXPECT_TRUE(has(r.err, "'stat'")) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  r = tcpsim({"run", kRst, "--format", "summary", "--host", "server"});
  EXPECT_NE(r.status, 0);
  EXPECT_TRUE(has(r.err, "summary")) << r.err;
}

}  // namespace
