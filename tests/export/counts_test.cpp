// Socket counts without the trace (tcpsim/counts.hpp): the counts-only run
// gives exactly the trace's counts (the CSV byte for byte, for every
// catalogue scenario, with and without a window), keeps a bounded number of
// samples on long runs with coarser buckets whose counts are still exact at
// their times and whose peaks are those of the fine buckets they merge, and
// `tcpsim export --chart states --csv` on a bench workload goes this way and
// makes a valid SVG and CSV.
#include <gtest/gtest.h>
#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "tcpsim/counts.hpp"
#include "tcpsim/export.hpp"
#include "tcpsim/loader.hpp"
#include "tools.hpp"

using namespace tcpsim;
using namespace tcpsim::testing;

namespace {

const std::string kScenarios = TCPSIM_SCENARIOS;
const std::string kWorkloads = std::string(TCPSIM_SOURCE_DIR) + "/bench/workloads";

std::vector<std::string> catalogue() {
  std::vector<std::string> errors;
  std::vector<std::string> paths;
  for (const auto& e : list_catalogue(kScenarios, &errors)) paths.push_back(e.path);
  return paths;
}

std::string trace_csv(const Trace& t, const TimeWindow& w) {
  std::ostringstream s;
  write_counts_csv(t, s, w);
  return s.str();
}

std::string counts_csv(const Scenario& sc, Time from, Time to) {
  CountsOptions o;
  o.from = from;
  o.to = to;
  std::ostringstream s;
  write_counts_csv(run_counts(sc, o).series, s);
  return s.str();
}

std::size_t lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

// The counts at time t from a fine series: the last sample at or before t.
const CountSeries::Sample& at(const CountSeries& s, Time t) {
  std::size_t i = 0;
  while (i + 1 < s.samples.size() && s.samples[i + 1].t <= t) ++i;
  return s.samples[i];
}

Scenario workload(const std::string& name) { return load_scenario_file(kWorkloads + "/" + name + ".yaml"); }

}  // namespace

// ---- exactness: the same counts as the trace ----

TEST(CountsCsv, IsTheTraceCsvForEveryCatalogueScenario) {
  const auto paths = catalogue();
  ASSERT_GE(paths.size(), 20u);
  for (const auto& path : paths) {
    SCOPED_TRACE(path);
    const Scenario sc = load_scenario_file(path);
    const Trace t = run_scenario(sc);
    const std::string want = trace_csv(t, {});
    EXPECT_GT(lines(want), 1 + sc.hosts.size()) << "no state change to compare";
    EXPECT_EQ(counts_csv(sc, 0, kNever), want);
  }
}

TEST(CountsCsv, IsTheTraceCsvInATimeWindow) {
  for (const auto& path : catalogue()) {
    SCOPED_TRACE(path);
    const Scenario sc = load_scenario_file(path);
    const Trace t = run_scenario(sc);
    if (t.events.empty()) continue;
    const Time end = t.events.back().t;
    // A window starting on an event's time (the counts after every event
    // at that instant) and one between events, ending mid-run.
    const Time on_event = t.events[t.events.size() / 3].t;
    for (TimeWindow w : {TimeWindow{on_event, end / 2 + end / 4}, TimeWindow{end / 3 + 1, kNever}}) {
      if (w.from > w.to) continue;
      SCOPED_TRACE("window " + format_time(w.from) + " .. " + (w.to == kNever ? "end" : format_time(w.to)));
      EXPECT_EQ(counts_csv(sc, w.from, w.to), trace_csv(t, w));
    }
  }
}

TEST(CountsRun, RunsTheSameSimulationAsTheTrace) {
  const Scenario sc = load_scenario_file(kScenarios + "/time-wait-pileup.yaml");
  Trace t = run_scenario(sc);
  const CountsRun c = run_counts(sc);
  std::uint64_t segments = 0;
  for (const auto& e : t.events)
    if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send) ++segments;
  EXPECT_EQ(c.summary.segments_sent, segments);
  EXPECT_GE(c.end, t.events.back().t);
  for (int k = 1; k < kNumTcpStates; ++k) {
    std::int64_t n = 0;
    for (const auto& h : c.series.samples.back().counts) n += h[k];
    EXPECT_EQ(static_cast<std::uint64_t>(n), c.summary.final_states[k]) << state_name(static_cast<TcpState>(k));
  }
}

// At 1 us every sample is one instant: its peak is the highest count at any
// moment of it, the level before it included, as the trace's state events
// give it (the trace chart draws every one of those steps).
TEST(CountsPeaks, AreTheTraceStepsHighestForEveryCatalogueScenario) {
  for (const auto& path : catalogue()) {
    SCOPED_TRACE(path);
    const Scenario sc = load_scenario_file(path);
    const Trace t = run_scenario(sc);
    CountsOptions o;
    o.max_samples = 1'000'000;
    const CountSeries s = run_counts(sc, o).series;
    ASSERT_EQ(s.resolution, 1);
    const std::size_t nh = t.meta.hosts.size();
    std::vector<StateCounts> cur(nh, StateCounts{});
    std::map<std::uint32_t, TcpState> in;  // live sockets
    std::size_t e = 0, checked = 0;
    for (std::size_t i = 1; i < s.samples.size(); ++i) {
      const auto& smp = s.samples[i];
      // The levels entering this instant, then every step in it.
      for (; e < t.events.size() && t.events[e].t < smp.t; ++e) {
        const Event& ev = t.events[e];
        if (ev.kind != EventKind::State) continue;
        if (auto it = in.find(ev.sock); it != in.end()) --cur[ev.host][static_cast<int>(it->second)], in.erase(it);
        if (ev.to != TcpState::Closed) ++cur[ev.host][static_cast<int>(ev.to)], in[ev.sock] = ev.to;
      }
      std::vector<StateCounts> pk = cur;
      StateCounts total{}, tpk{};
      for (const auto& c : cur)
        for (int k = 0; k < kNumTcpStates; ++k) total[k] += c[k];
      tpk = total;
      for (; e < t.events.size() && t.events[e].t == smp.t; ++e) {
        const Event& ev = t.events[e];
        if (ev.kind != EventKind::State) continue;
        if (auto it = in.find(ev.sock); it != in.end()) {
          const int k = static_cast<int>(it->second);
          --cur[ev.host][k], --total[k], in.erase(it);
        }
        if (ev.to != TcpState::Closed) {
          const int k = static_cast<int>(ev.to);
          ++cur[ev.host][k], ++total[k], in[ev.sock] = ev.to;
          pk[ev.host][k] = std::max(pk[ev.host][k], cur[ev.host][k]);
          tpk[k] = std::max(tpk[k], total[k]);
        }
      }
      for (int k = 1; k < kNumTcpStates; ++k) {  // CLOSED has no column
        EXPECT_EQ(smp.total_peak[k], tpk[k]) << "at " << format_time(smp.t) << " " << state_name(static_cast<TcpState>(k));
        for (std::size_t h = 0; h < nh; ++h)
          EXPECT_EQ(smp.peak[h][k], pk[h][k]) << "at " << format_time(smp.t) << " host " << h << " "
                                              << state_name(static_cast<TcpState>(k));
      }
      ++checked;
    }
    // Every scenario changes state at two instants at least after the first
    // (connect-timeout: SYN_SENT at 10 ms, CLOSED at 7 s).
    EXPECT_GE(checked, 2u);
  }
}

// ---- bounded memory: coarser buckets, exact counts, peaks kept ----

TEST(CountsResolution, ClimbsTheOneTwoTenLadder) {
  std::vector<Time> got;
  for (Time r = 1; r <= sec(1); r = coarser_resolution(r)) got.push_back(r);
  const std::vector<Time> want = {1, 2, 10, 20, 100, 200, 1000, 2000, 10000, 20000, 100000, 200000, 1000000};
  EXPECT_EQ(got, want);
}

TEST(CountsResolution, MergingKeepsTheLastCountsAndTheHighestPeak) {
  CountSeries s;
  s.resolution = 1;
  s.hosts = {"a"};
  auto sample = [](Time t, std::int64_t v, std::int64_t pk) {
    CountSeries::Sample smp;
    smp.t = t;
    StateCounts c{}, p{};
    c[static_cast<int>(TcpState::TimeWait)] = v;
    p[static_cast<int>(TcpState::TimeWait)] = pk;
    smp.counts = {c};
    smp.peak = {p};
    smp.total_peak = p;
    return smp;
  };
  s.samples = {sample(0, 1, 1), sample(3, 2, 2), sample(4, 0, 9), sample(7, 5, 5), sample(12, 3, 6)};
  coarsen(s, 10);
  ASSERT_EQ(s.samples.size(), 3u);
  const int tw = static_cast<int>(TcpState::TimeWait);
  EXPECT_EQ(s.samples[0].t, 0);  // the start stays apart: (-10, 0]
  EXPECT_EQ(s.samples[1].t, 10);
  EXPECT_EQ(s.samples[1].counts[0][tw], 5);  // the last of (0, 10]
  EXPECT_EQ(s.samples[1].peak[0][tw], 9);    // the spike at 4 survives
  EXPECT_EQ(s.samples[1].total_peak[tw], 9);
  EXPECT_EQ(s.samples[2].t, 20);
  EXPECT_EQ(s.samples[2].counts[0][tw], 3);
}

TEST(CountsResolution, ALongRunStaysUnderTheCapWithExactCountsAndPeaks) {
  if (!file_exists(kWorkloads + "/churn-10k.yaml")) GTEST_SKIP() << "run bench/workloads/gen.sh";
  const Scenario sc = workload("churn-10k");
  CountsOptions fine_o;
  fine_o.max_samples = 1'000'000;
  const CountsRun fine = run_counts(sc, fine_o);
  ASSERT_EQ(fine.series.resolution, 1) << "the reference must be exact";
  ASSERT_GT(fine.series.samples.size(), 1000u);

  CountsOptions o;
  o.max_samples = 200;
  const CountsRun coarse = run_counts(sc, o);
  const CountSeries& s = coarse.series;
  EXPECT_LE(s.samples.size(), 201u);
  EXPECT_GT(s.samples.size(), 20u);
  EXPECT_GT(s.resolution, 1000);  // 20 s of churn in 200 samples: 100 ms or more
  EXPECT_EQ(coarse.summary.events, fine.summary.events);
  for (std::size_t i = 1; i < s.samples.size(); ++i) {
    const auto& smp = s.samples[i];
    SCOPED_TRACE("sample at " + format_time(smp.t));
    EXPECT_LT(s.samples[i - 1].t, smp.t);
    // Exact: the counts at t, as the fine series has them.
    EXPECT_EQ(smp.counts, at(fine.series, smp.t).counts);
    // Peaks: the highest of the fine buckets merged into this one.
    StateCounts pk{};
    for (const auto& f : fine.series.samples)
      if (f.t > s.samples[i - 1].t && f.t <= smp.t)
        for (int k = 0; k < kNumTcpStates; ++k) pk[k] = std::max(pk[k], f.total_peak[k]);
    EXPECT_EQ(smp.total_peak, pk);
  }
  // ~10,000 client sockets in TIME_WAIT at once (bench/README.md): the
  // peak is seen in the coarse series too.
  std::int64_t tw_peak = 0, fine_tw_peak = 0;
  const int tw = static_cast<int>(TcpState::TimeWait);
  for (const auto& smp : s.samples) tw_peak = std::max(tw_peak, smp.total_peak[tw]);
  for (const auto& smp : fine.series.samples) fine_tw_peak = std::max(fine_tw_peak, smp.total_peak[tw]);
  EXPECT_EQ(tw_peak, fine_tw_peak);
  EXPECT_GT(tw_peak, 5000);
}

TEST(CountsResolution, AWindowStartsWithTheCountsAtItsStart) {
  if (!file_exists(kWorkloads + "/pileup-10k.yaml")) GTEST_SKIP() << "run bench/workloads/gen.sh";
  const Scenario sc = workload("pileup-10k");
  CountsOptions all;
  all.max_samples = 1'000'000;
  const CountsRun fine = run_counts(sc, all);
  CountsOptions o;
  o.from = msec(100) + 7;  // while the 40 clients connect, one per ms each
  o.to = msec(200);
  o.max_samples = 50;
  const CountsRun w = run_counts(sc, o);
  ASSERT_GE(w.series.samples.size(), 2u);
  EXPECT_EQ(w.series.samples.front().t, o.from);
  EXPECT_EQ(w.series.samples.front().counts, at(fine.series, o.from).counts);
  EXPECT_EQ(w.series.samples.back().t, o.to);
  EXPECT_EQ(w.series.samples.back().counts, at(fine.series, o.to).counts);
  EXPECT_EQ(w.end, o.to);
  EXPECT_GT(w.series.resolution, 1);
  for (const auto& smp : w.series.samples) {
    EXPECT_GE(smp.t, o.from);
    EXPECT_LE(smp.t, o.to);
  }
}

// ---- the command line ----

#ifdef TCPSIM_EXE
namespace {
RunResult run_tcpsim(std::vector<std::string> args) {
  args.insert(args.begin(), TCPSIM_EXE);
  return run_tool(args);
}
}  // namespace

TEST(CountsCli, CsvAloneIsTheTraceCsv) {
  const std::string dir = temp_dir("counts-cli-csv");
  for (const char* name : {"normal-close", "time-wait-pileup", "close-wait-pileup", "syn-backlog-full",
                           "simultaneous-close"}) {
    SCOPED_TRACE(name);
    const std::string sc = kScenarios + "/" + name + ".yaml";
    const std::string a = dir + "/" + name + "-counts.csv", b = dir + "/" + name + "-trace.csv";
    // --csv alone: counts without the trace; with --jsonl: from the trace.
    RunResult r1 = run_tcpsim({"export", sc, "--csv", a});
    ASSERT_EQ(r1.status, 0) << r1.err;
    EXPECT_NE(r1.out.find("without keeping them"), std::string::npos) << r1.out;
    RunResult r2 = run_tcpsim({"export", sc, "--csv", b, "--jsonl", dir + "/" + name + ".jsonl"});
    ASSERT_EQ(r2.status, 0) << r2.err;
    EXPECT_EQ(r2.out.find("without keeping them"), std::string::npos) << r2.out;
    EXPECT_EQ(read_file(a), read_file(b));
    EXPECT_GT(lines(read_file(a)), 3u);
  }
}

TEST(CountsCli, CsvInAWindowIsTheTraceCsv) {
  const std::string dir = temp_dir("counts-cli-window");
  const std::string sc = kScenarios + "/time-wait-pileup.yaml";
  const std::string a = dir + "/counts.csv", b = dir + "/trace.csv";
  RunResult r1 = run_tcpsim({"export", sc, "--csv", a, "--from", "5ms", "--to", "3s"});
  ASSERT_EQ(r1.status, 0) << r1.err;
  EXPECT_NE(r1.out.find("without keeping them"), std::string::npos) << r1.out;
  RunResult r2 = run_tcpsim({"export", sc, "--csv", b, "--from", "5ms", "--to", "3s", "--jsonl", dir + "/t.jsonl"});
  ASSERT_EQ(r2.status, 0) << r2.err;
  EXPECT_EQ(read_file(a), read_file(b));
  EXPECT_EQ(read_file(a).find("\n0.000000,"), std::string::npos) << "rows before the window";
  EXPECT_NE(read_file(a).find("\n0.005000,"), std::string::npos) << "no rows at the window's start";
}

TEST(CountsCli, ABadResolutionIsAnOptionError) {
  RunResult r = run_tcpsim({"export", kScenarios + "/normal-close.yaml", "--csv", temp_dir("counts-res") + "/x.csv",
                            "--resolution", "soon"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--resolution"), std::string::npos) << r.err;
  // The trace's outputs are at every instant: a resolution means nothing there.
  const std::string dir = temp_dir("counts-res-trace");
  r = run_tcpsim({"export", kScenarios + "/normal-close.yaml", "--csv", dir + "/x.csv", "--jsonl", dir + "/x.jsonl",
                  "--resolution", "1ms"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--resolution: only with"), std::string::npos) << r.err;
  EXPECT_FALSE(file_exists(dir + "/x.csv"));
}

TEST(CountsCli, PileupWorkloadChartsAndCsvWithoutTheTrace) {
  if (!file_exists(kWorkloads + "/pileup-10k.yaml")) GTEST_SKIP() << "run bench/workloads/gen.sh";
  const std::string dir = temp_dir("counts-cli-pileup");
  const std::string csv = dir + "/p.csv";
#ifdef TCPSIM_TEST_HAVE_RENDER
  const std::string svg = dir + "/p.svg";
  RunResult r = run_tcpsim({"export", kWorkloads + "/pileup-10k.yaml", "--chart", "states:" + svg, "--csv", csv});
#else
  RunResult r = run_tcpsim({"export", kWorkloads + "/pileup-10k.yaml", "--csv", csv});
#endif
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("without keeping them"), std::string::npos) << r.out;

  // The CSV: the server ends with every one of its 10,000 sockets in
  // CLOSE_WAIT (and the listener); the clients' FIN_WAIT_2 all expired.
  const std::string text = read_file(csv);
  std::istringstream in(text);
  std::string header, line, last_server;
  std::getline(in, header);
  EXPECT_EQ(header,
            "t,host,LISTEN,SYN_SENT,SYN_RECEIVED,ESTABLISHED,FIN_WAIT_1,FIN_WAIT_2,CLOSE_WAIT,CLOSING,"
            "LAST_ACK,TIME_WAIT,total");
  std::size_t rows = 0;
  std::int64_t max_fw2 = 0;
  while (std::getline(in, line)) {
    ++rows;
    std::vector<std::string> f;
    std::stringstream ls(line);
    for (std::string x; std::getline(ls, x, ',');) f.push_back(x);
    ASSERT_EQ(f.size(), 13u) << line;
    if (f[1] == "server") last_server = line;
    else max_fw2 = std::max<std::int64_t>(max_fw2, std::stoll(f[7]));
  }
  EXPECT_GT(rows, 41u);
  EXPECT_LT(rows, 41u * 4200u) << "the samples are bounded";
  EXPECT_NE(last_server.find(",server,1,0,0,0,0,0,10000,0,0,0,10001"), std::string::npos) << last_server;
  EXPECT_GT(max_fw2, 100);  // 10,000 over 40 hosts: 250 each at the peak

#ifdef TCPSIM_TEST_HAVE_RENDER
  ASSERT_TRUE(file_exists(svg));
  const std::string s = read_file(svg);
  EXPECT_NE(s.find("CLOSE_WAIT"), std::string::npos);
  EXPECT_NE(s.find("FIN_WAIT_2"), std::string::npos);
  if (have_tool("xmllint")) {
    RunResult x = run_tool({"xmllint", "--noout", svg});
    EXPECT_EQ(x.status, 0) << x.err;
  }
  if (!have_tool("rsvg-convert")) GTEST_SKIP() << "rsvg-convert is not installed (librsvg2-bin)";
  RunResult c = run_tool({"rsvg-convert", "-b", "white", "-o", svg + ".png", svg});
  ASSERT_EQ(c.status, 0) << c.err;
  if (have_tool("identify")) {
    EXPECT_GT(image_colours(svg + ".png"), 2) << "blank rendering";  // 0: unreadable
  }
#endif
}
#endif
