// tcpsim — Qt Charts over a trace: each endpoint's state over time
// ("endpoint"), socket counts per state per host over time ("states"), and
// sequence / acknowledgement numbers over time ("seq").
#pragma once

#include <QString>
#include <string>
#include <vector>

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
// Adds (or moves) a vertical "now" line on a chart built above.
void set_chart_cursor(QChart* chart, Time now);

}  // namespace tcpsim::render
