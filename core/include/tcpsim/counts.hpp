// tcpsim — socket counts per state over time for runs too big to record:
// the scenario runs exactly as `tcpsim run` runs it (the same events, in the
// same order), but no event is built or kept; only a CountSeries (see
// simulation.hpp) of bounded size is. The GUI's "big workload" charts, and
// `tcpsim export --chart states / --csv` when nothing else needs the trace,
// are drawn from it. docs/exports.md, "Counts without the trace".
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>

#include "tcpsim/scenario.hpp"
#include "tcpsim/simulation.hpp"

namespace tcpsim {

struct CountsOptions {
  std::optional<std::uint64_t> seed;                 // default: the scenario's seed
  std::uint64_t max_events = RunOptions{}.max_events;
  Time from = 0;                                     // the window [from, to] of virtual time
  Time to = kNever;
  Time resolution = usec(1);                         // the finest bucket (1 us: every instant)
  // At most this many samples are kept (plus one while a bucket fills): when
  // a run has more, buckets grow to the next step of 1-2-10 (1 us, 2 us,
  // 10 us, 20 us, ..., 1 ms, 2 ms, 10 ms, ...) and neighbours merge, keeping
  // each merged bucket's last counts and its peak. Memory is then about
  // max_samples * hosts * 176 bytes whatever the length of the run.
  std::size_t max_samples = 4096;
};

struct CountsRun {
  // origin = from. samples[0] is at `from` with the counts after every event
  // at or before it (its peak is those counts); the others follow in time,
  // each with the counts at its t (the run's end for a last bucket that
  // reaches past it) and the peak of its bucket.
  CountSeries series;
  RunSummary summary;  // as `tcpsim run --format summary` gives it (for the window's end)
  Time end = 0;        // where the counts stop: `to`, or the run's end when earlier
};

CountsRun run_counts(const Scenario& scenario, const CountsOptions& options = {});

// The step after `r` on the 1-2-10 ladder (1 -> 2 -> 10 -> 20 -> 100 ...).
Time coarser_resolution(Time r);
// Re-buckets `s` at `resolution` (a multiple of s.resolution, same origin):
// the samples of one new bucket become one, with the last one's counts, the
// highest peaks and the new bucket's name.
void coarsen(CountSeries& s, Time resolution);

// The counts CSV of export.hpp's write_counts_csv(Trace) from a series made
// by run_counts: the same columns; one row per host at samples[0] (the
// window's start), then a row for each host whose counts differ from its
// previous row, at the sample's time. At 1 us resolution the file is
// byte-identical to the one made from the full trace.
void write_counts_csv(const CountSeries& s, std::ostream& out);

}  // namespace tcpsim
