// tcpsim — counts without the trace (tcpsim/counts.hpp).
//
// The simulation keeps per-host state counts whatever the sink wants
// (Sim::count_state) and, given a CountSeries, one sample per bucket of
// time in which they changed (trace_emit.cpp). This file drives a run
// without events and keeps that series bounded: the window's start is found
// with one bucket that covers all the time before it, and when the samples
// outgrow the cap the buckets grow and merge. The simulation itself is
// untouched: only the recording is coarser.
#include "tcpsim/counts.hpp"

#include <algorithm>
#include <ostream>

namespace tcpsim {

namespace {

// Wants nothing: the simulation builds no Event at all.
class NoEvents : public TraceSink {
 public:
  void on_event(const Event&) override {}
  bool wants_events() const override { return false; }
  bool wants_tcb() const override { return false; }
};

StateCounts sum_hosts(const std::vector<StateCounts>& per_host) {
  StateCounts total{};
  for (const auto& c : per_host)
    for (int s = 0; s < kNumTcpStates; ++s) total[s] += c[s];
  return total;
}

// The window's start: the counts at `from` and nothing else (no peak of the
// time before the window).
void make_start(CountSeries::Sample& smp, Time from) {
  smp.t = from;
  smp.peak = smp.counts;
  smp.total_peak = sum_hosts(smp.counts);
}

}  // namespace

Time coarser_resolution(Time r) {
  if (r <= 1) return 2;
  Time decade = 1;
  while (decade * 10 <= r) decade *= 10;
  return r == decade ? 2 * r : 5 * r;  // 1 -> 2 -> 10 -> 20 -> 100 ... (r is on the ladder)
}

void coarsen(CountSeries& s, Time resolution) {
  s.resolution = resolution;
  std::size_t out = 0;
  for (std::size_t i = 0; i < s.samples.size(); ++i) {
    CountSeries::Sample& cur = s.samples[i];
    const Time b = s.bucket(cur.t);
    if (out > 0 && s.samples[out - 1].t == b) {
      CountSeries::Sample& m = s.samples[out - 1];
      for (std::size_t h = 0; h < m.peak.size(); ++h)
        for (int k = 0; k < kNumTcpStates; ++k) m.peak[h][k] = std::max(m.peak[h][k], cur.peak[h][k]);
      for (int k = 0; k < kNumTcpStates; ++k) m.total_peak[k] = std::max(m.total_peak[k], cur.total_peak[k]);
      m.counts.swap(cur.counts);  // the last counts of the bucket
    } else {
      if (out != i) s.samples[out] = std::move(cur);
      s.samples[out].t = b;
      ++out;
    }
  }
  s.samples.resize(out);
}

CountsRun run_counts(const Scenario& scenario, const CountsOptions& o) {
  CountsRun r;
  CountSeries& s = r.series;
  const Time from = std::max<Time>(0, o.from);
  const Time fine = std::max<Time>(1, o.resolution);
  const std::size_t cap = std::max<std::size_t>(o.max_samples, 4);

  NoEvents sink;
  RunOptions ro;
  ro.seed = o.seed;
  ro.until = o.to;
  ro.max_events = o.max_events;
  Simulation sim(scenario, sink, ro);

  // Before the window: one bucket, (from - resolution, from] with a
  // resolution beyond `from`, holds everything up to `from`, updated in
  // place; its counts at the end are the window's start.
  s.origin = from;
  s.resolution = std::max(fine, from + 1);
  sim.sample_counts(&s);  // samples[0]: the counts at time 0, in the bucket named `from`
  bool before = true;
  auto start_window = [&]() {
    before = false;
    make_start(s.samples.front(), from);
    s.resolution = fine;
    // A step past `from` opened the bucket after it, named at the old
    // resolution: name it at the fine one.
    if (s.samples.size() > 1) s.samples.back().t = s.bucket(sim.now());
  };
  while (sim.step()) {
    if (before && sim.now() > from) start_window();
    if (!before && s.samples.size() > cap + 1)
      while (s.samples.size() > cap) coarsen(s, coarser_resolution(s.resolution));
  }
  if (before) start_window();
  sim.run();  // nothing left to step: fills the summary's final states
  r.summary = sim.summary();
  r.end = std::max(from, std::min(o.to, r.summary.virtual_time));
  // A last bucket reaching past the end holds the counts at the end.
  if (s.samples.size() > 1 && s.samples.back().t > r.end) s.samples.back().t = r.end;
  sim.sample_counts(nullptr);
  return r;
}

void write_counts_csv(const CountSeries& s, std::ostream& out) {
  const std::size_t nhosts = s.hosts.size();
  out << "t,host";
  for (int k = 1; k < kNumTcpStates; ++k) out << ',' << state_name(static_cast<TcpState>(k));
  out << ",total\n";
  // CLOSED has no column: a closed socket is gone, as in `ss`.
  auto same = [](const StateCounts& a, const StateCounts& b) {
    return std::equal(a.begin() + 1, a.end(), b.begin() + 1);
  };
  std::vector<StateCounts> written(nhosts);
  auto row = [&](Time t, std::size_t h, const StateCounts& c) {
    out << format_time(t) << ',' << s.hosts[h];
    std::int64_t total = 0;
    for (int k = 1; k < kNumTcpStates; ++k) {
      out << ',' << c[k];
      total += c[k];
    }
    out << ',' << total << '\n';
    written[h] = c;
  };
  for (std::size_t i = 0; i < s.samples.size(); ++i) {
    const auto& smp = s.samples[i];
    for (std::size_t h = 0; h < nhosts && h < smp.counts.size(); ++h)
      if (i == 0 || !same(smp.counts[h], written[h])) row(smp.t, h, smp.counts[h]);
  }
}

}  // namespace tcpsim
