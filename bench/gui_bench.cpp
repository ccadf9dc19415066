// tcpsim — GUI benchmark (issue 4): a large trace (churn-10k: 10,000
// connections, over 100,000 segments) loaded into the GUI's trace view and
// ladder layout, and frames of the ladder painted while playing (the cursor
// moves) and while scrolling. Targets: load and layout under 1 s, a frame
// under 16 ms. Benchmarks, not tests: nothing here asserts a time.
//   build/default/bench/tcpsim_gui_bench
#include <benchmark/benchmark.h>

#include <QApplication>
#include <QImage>
#include <QPainter>
#include <cmath>
#include <cstdlib>
#include <memory>

#include "compare_view.hpp"
#include "ladder.hpp"
#include "tcpsim/lab.hpp"
#include "tcpsim/loader.hpp"
#include "tcpsim/simulation.hpp"
#include "theme.hpp"
#include "trace_view.hpp"

using namespace tcpsim;

namespace {

std::shared_ptr<const Trace> big_trace() {
  static std::shared_ptr<const Trace> t = [] {
    Scenario s = load_scenario_file(std::string(TCPSIM_WORKLOADS) + "/churn-10k.yaml");
    return std::make_shared<const Trace>(run_scenario(s));
  }();
  return t;
}

std::size_t segments(const Trace& t) {
  std::size_t n = 0;
  for (const auto& e : t.events) n += e.kind == EventKind::Segment && e.seg_op == SegOp::Send;
  return n;
}

// Trace view + ladder layout of the whole trace: what opening a scenario costs
// once the simulation has run.
void BM_GuiLoadAndLayout(benchmark::State& st) {
  auto trace = big_trace();
  for (auto _ : st) {
    render::TraceView v(trace);
    render::LadderLayout layout(v, render::default_theme(), render::LadderOptions{});
    benchmark::DoNotOptimize(layout.size());
  }
  st.counters["events"] = static_cast<double>(trace->events.size());
  st.counters["segments"] = static_cast<double>(segments(*trace));
}
BENCHMARK(BM_GuiLoadAndLayout)->Unit(benchmark::kMillisecond);

// The simulation of the same workload with every event recorded (the rest of "load").
void BM_GuiSimulateRecorded(benchmark::State& st) {
  Scenario s = load_scenario_file(std::string(TCPSIM_WORKLOADS) + "/churn-10k.yaml");
  for (auto _ : st) {
    Trace t = run_scenario(s);
    benchmark::DoNotOptimize(t.events.size());
  }
}
BENCHMARK(BM_GuiSimulateRecorded)->Unit(benchmark::kMillisecond);

// One frame of a 1040x700 viewport following the cursor, as during playback.
void paint_frames(benchmark::State& st, bool playing) {
  auto trace = big_trace();
  render::TraceView v(trace);
  render::LadderLayout layout(v, render::default_theme(), render::LadderOptions{});
  QImage img(1040, 700, QImage::Format_ARGB32_Premultiplied);
  const std::size_t n = v.size();
  std::size_t cursor = n / 2;
  double scroll = 0;
  for (auto _ : st) {
    if (playing) cursor = (cursor + 7) % n;
    else scroll = std::fmod(scroll + 350, std::max(1.0, layout.size().height() - 700));
    const Time now = v.time_at(cursor);
    const double y = playing ? std::max(0.0, layout.y_of(now) - 350) : scroll;
    img.fill(Qt::white);
    QPainter p(&img);
    p.translate(0, -y);
    p.setClipRect(QRectF(0, y, 1040, 700));
    layout.paint(p, playing ? cursor : n, now, -1, playing);
    p.end();
    benchmark::ClobberMemory();
  }
}
void BM_GuiFramePlaying(benchmark::State& st) { paint_frames(st, true); }
void BM_GuiFrameScrolling(benchmark::State& st) { paint_frames(st, false); }
BENCHMARK(BM_GuiFramePlaying)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GuiFrameScrolling)->Unit(benchmark::kMillisecond);

// The lab (issue #13): branching a catalogue scenario and showing the branch
// beside the original: make_branch (apply the action, run, first
// difference), the differences worded, and the comparison view built (two
// trace views, two ladders laid out on one time axis, four diagrams) at
// 1600x900. Target: under 200 ms.
void BM_LabBranchAndView(benchmark::State& st) {
  const Scenario s = load_scenario_file(std::string(TCPSIM_WORKLOADS) + "/../../scenarios/normal-close.yaml");
  const auto base = std::make_shared<const Trace>(run_scenario(s));
  const Action a = parse_action("drop 3rd . from client");
  render::CompareView view;
  view.resize(1600, 900);
  view.setAttribute(Qt::WA_DontShowOnScreen);
  view.show();
  for (auto _ : st) {
    Branch b = make_branch(s, *base, {}, a);
    const auto diffs = describe_differences(*base, b.trace, "en");
    auto bt = std::make_shared<const Trace>(std::move(b.trace));
    view.setRuns({"Original", base}, {QString::fromStdString(b.name), bt}, b.from_parent.identical,
                 b.from_parent.index, diffs);
    view.setCursor(bt->events.size(), bt->events.back().t, 0);
    QApplication::processEvents();
  }
  st.counters["events"] = static_cast<double>(base->events.size());
}
BENCHMARK(BM_LabBranchAndView)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  if (!std::getenv("DISPLAY") && !std::getenv("WAYLAND_DISPLAY")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
