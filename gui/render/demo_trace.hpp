// tcpsim — a hand-built trace of a normal connection and four-way close,
// with TCB snapshots. Tests use it to check the views without running the
// core, and `tcpsim-gui --demo` shows it. It is data, not a simulation: every
// value here was written down from a Linux capture of the same exchange.
#pragma once

#include <memory>

#include "tcpsim/scenario.hpp"
#include "tcpsim/trace.hpp"

namespace tcpsim::render {

std::shared_ptr<Trace> demo_normal_close_trace();
Scenario demo_normal_close_scenario();

}  // namespace tcpsim::render
