// The CSV of socket-state counts, the JSONL trace, and the safe file output
// every export goes through.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <sstream>

#include "tcpsim/export.hpp"
#include "tools.hpp"
#include "trace_fixtures.hpp"

using namespace tcpsim;
using namespace tcpsim::testing;

namespace {

std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::string cell;
    std::istringstream l(line);
    while (std::getline(l, cell, ',')) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

std::string csv(const Trace& t, TimeWindow w = {}) {
  std::ostringstream out;
  write_counts_csv(t, out, w);
  return out.str();
}

const char* kHeader =
    "t,host,LISTEN,SYN_SENT,SYN_RECEIVED,ESTABLISHED,FIN_WAIT_1,FIN_WAIT_2,CLOSE_WAIT,CLOSING,"
    "LAST_ACK,TIME_WAIT,total";

// The counts per host after the state events up to and including `at`,
// computed independently from the trace.
std::map<std::string, std::map<std::string, long>> counts_at(const Trace& t, Time at) {
  std::map<std::uint32_t, const Event*> last;
  for (const auto& e : t.events)
    if (e.kind == EventKind::State && e.t <= at) last[e.sock] = &e;
  std::map<std::string, std::map<std::string, long>> c;
  for (auto& [sock, e] : last)
    if (e->to != TcpState::Closed) ++c[t.meta.hosts[e->host].name][state_name(e->to)];
  return c;
}

}  // namespace

TEST(CountsCsv, HeaderThenRowsThatAgreeWithTheStateEvents) {
  for (const Trace& t : {normal_close_trace(), retransmit_rst_trace()}) {
    SCOPED_TRACE(t.meta.scenario);
    auto rows = parse_csv(csv(t));
    ASSERT_GE(rows.size(), 3u);
    std::string header;
    for (const auto& c : rows[0]) header += (header.empty() ? "" : ",") + c;
    EXPECT_EQ(header, kHeader);
    Time prev = 0;
    for (std::size_t i = 1; i < rows.size(); ++i) {
      const auto& r = rows[i];
      ASSERT_EQ(r.size(), 13u);
      const Time at = *parse_duration(r[0]);
      EXPECT_GE(at, prev);  // in time order
      prev = at;
      auto want = counts_at(t, at);
      long total = 0;
      for (int s = 1; s < kNumTcpStates; ++s) {
        const long v = std::stol(r[static_cast<std::size_t>(s) + 1]);
        EXPECT_GE(v, 0);
        EXPECT_EQ(v, want[r[1]][rows[0][static_cast<std::size_t>(s) + 1]])
            << "row " << i << " column " << rows[0][static_cast<std::size_t>(s) + 1];
        total += v;
      }
      EXPECT_EQ(std::stol(r[12]), total);
    }
  }
}

TEST(CountsCsv, NormalCloseStartsAndEndsEmptyAndPeaksWithTwoServerSockets) {
  auto rows = parse_csv(csv(normal_close_trace()));
  // Start: one row per host at 0 (the listener is already there).
  EXPECT_EQ(rows[1][0] + "," + rows[1][1] + "," + rows[1][2], "0.000000,client,0");
  EXPECT_EQ(rows[2][0] + "," + rows[2][1] + "," + rows[2][2], "0.000000,server,1");
  EXPECT_EQ(rows.back()[0], "60.124000");  // TIME_WAIT ends
  EXPECT_EQ(rows.back()[1], "client");
  EXPECT_EQ(rows.back()[12], "0");
  long peak = 0;
  for (std::size_t i = 1; i < rows.size(); ++i)
    if (rows[i][1] == "server") peak = std::max(peak, std::stol(rows[i][12]));
  EXPECT_EQ(peak, 2);
}

TEST(CountsCsv, WindowStartsWithTheCountsAtItsStart) {
  auto rows = parse_csv(csv(normal_close_trace(), {sec(1), sec(100)}));
  ASSERT_EQ(rows.size(), 4u);  // header, two start rows, TIME_WAIT -> CLOSED
  EXPECT_EQ(rows[1][0], "1.000000");
  EXPECT_EQ(rows[1][1], "client");
  EXPECT_EQ(rows[1][11], "1");  // in TIME_WAIT at 1 s
  EXPECT_EQ(rows[2][2], "1");   // the server still listens
  EXPECT_EQ(rows[3][0], "60.124000");
}

TEST(Jsonl, OneLinePerEventInTheWindowWithTheirTraceIndexes) {
  const Trace t = normal_close_trace();
  std::ostringstream all, part;
  write_jsonl(t, all);
  write_jsonl(t, part, {msec(100), msec(200)});
  auto lines = [](const std::string& s) {
    std::vector<std::string> v;
    std::istringstream in(s);
    std::string l;
    while (std::getline(in, l)) v.push_back(l);
    return v;
  };
  auto a = lines(all.str()), p = lines(part.str());
  EXPECT_EQ(a.size(), t.events.size());
  std::size_t in_window = 0;
  for (const auto& e : t.events) in_window += (e.t >= msec(100) && e.t <= msec(200)) ? 1 : 0;
  ASSERT_EQ(p.size(), in_window);
  for (const auto& l : a) {
    EXPECT_EQ(l.front(), '{');
    EXPECT_EQ(l.back(), '}');
  }
  // The window's lines are the same lines as in the whole trace.
  std::size_t first = 0;
  while (t.events[first].t < msec(100)) ++first;
  EXPECT_EQ(p.front(), a[first]);
  EXPECT_NE(p.front().find("\"i\":" + std::to_string(first)), std::string::npos) << p.front();
}

TEST(AtomicWrite, RefusesAnExistingFileWithoutOverwrite) {
  const std::string dir = temp_dir("atomic");
  const std::string path = dir + "/out.mmd";
  write_file(path, "the user's file");
  std::string err;
  EXPECT_FALSE(write_stream_atomically(path, false, [](std::ostream& o) { o << "new"; }, &err));
  EXPECT_NE(err.find("exists"), std::string::npos);
  EXPECT_NE(err.find("--force"), std::string::npos);
  EXPECT_EQ(read_file(path), "the user's file");
  EXPECT_TRUE(write_stream_atomically(path, true, [](std::ostream& o) { o << "new"; }, &err)) << err;
  EXPECT_EQ(read_file(path), "new");
}

TEST(AtomicWrite, AFailedWriterLeavesTheOldFileAndNoTemporary) {
  const std::string dir = temp_dir("atomic");
  const std::string path = dir + "/out.svg";
  write_file(path, "old");
  std::string err, tmp_seen;
  EXPECT_FALSE(write_file_atomically(
      path, true,
      [&](const std::string& tmp, std::string* e) {
        tmp_seen = tmp;
        write_file(tmp, "half");
        *e = "renderer failed";
        return false;
      },
      &err));
  EXPECT_EQ(err, "renderer failed");
  EXPECT_EQ(read_file(path), "old");
  EXPECT_EQ(tmp_seen.substr(tmp_seen.size() - 4), ".svg");  // same extension: writers pick formats by it
  EXPECT_EQ(tmp_seen.rfind(dir + "/", 0), 0u);              // same directory: rename is atomic
  EXPECT_NE(::access(tmp_seen.c_str(), F_OK), 0);
}

TEST(AtomicWrite, NamesAMissingOrReadOnlyDirectory) {
  std::string err;
  EXPECT_FALSE(check_writable("/nonexistent-dir-tcpsim/x.pcap", &err));
  EXPECT_NE(err.find("does not exist"), std::string::npos) << err;
  const std::string dir = temp_dir("atomic");
  EXPECT_FALSE(check_writable(dir, &err));
  EXPECT_NE(err.find("is a directory"), std::string::npos) << err;
  if (::geteuid() != 0) {  // root writes anywhere
    const std::string ro = dir + "/ro";
    ::mkdir(ro.c_str(), 0500);
    EXPECT_FALSE(check_writable(ro + "/x.pcap", &err));
    EXPECT_NE(err.find("not writable"), std::string::npos) << err;
  }
}
