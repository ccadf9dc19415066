// tcpsim — Qt Charts over a trace: each endpoint's state over time
// ("endpoint"), socket counts per state per host over time ("states"), and
// sequence / acknowledgement numbers over time ("seq"), each sender's cwnd,
// ssthresh, SRTT and RTO over time ("cwnd"); and the "states"
// chart of a run too big to record, from its CountSeries (tcpsim/counts.hpp).
#pragma once

#include <QString>
#include <string>
#include <vector>

#include "tcpsim/scenario.hpp"
#include "tcpsim/simulation.hpp"
#include "theme.hpp"
#include "trace_view.hpp"

QT_BEGIN_NAMESPACE
class QChart;
class QLineSeries;
QT_END_NAMESPACE

namespace tcpsim::render {

// Chart names accepted by build_chart / export_chart.
const std::vector<std::string>& chart_names();
// A new chart (caller owns it); nullptr and *error for an unknown name.
// `sockets`: the endpoints for "endpoint" (empty = every connected socket, up to 4).
QChart* build_chart(const TraceView& v, const std::string& name, const Theme& th, Time from, Time to,
                    const std::vector<std::uint32_t>& sockets, QString* error);
struct CountsChartOptions {
  bool per_host = false;  // one line per host and state (default: all hosts together, per state)
};
// Socket counts per state over time, as the trace-based "states" chart draws
// them, from a series made by run_counts (tcpsim/counts.hpp): one line per
// state that has sockets in [from, to] (to = kNever: the last sample). Each
// sample's peak is drawn as a spike at its time, so coarse buckets never
// hide a peak; at 1 us resolution the lines are the trace chart's. A new
// chart (caller owns it); nullptr and *error for an empty series.
QChart* build_counts_chart(const Scenario& scenario, const CountSeries& series, const Theme& th,
                           Time from, Time to, QString* error, const CountsChartOptions& options = {});
// Adds (or moves) a vertical "now" line on a chart built above.
void set_chart_cursor(QChart* chart, Time now);

}  // namespace tcpsim::render
