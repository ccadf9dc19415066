// tcpsim benchmarks (Google Benchmark). Figures and how to read them:
// bench/README.md.
//
//   BM_Engine              raw event-queue throughput (push + pop, events/s)
//   BM_ConnectionLife      one connection's full life: handshake, 100 bytes
//                          each way, close, TIME_WAIT expiry (events/s, and
//                          heap bytes per connection at the peak)
//   BM_ConnectionsHeld/N   N connections held open (a CLOSE_WAIT pile-up):
//                          heap bytes per socket
//   BM_BranchCatalogueScenario/<name>  the lab (issue #13): parse an action,
//                          write it into a catalogue scenario, run the branch
//                          with its full trace, find the first divergence
//   BM_Workload/<name>     a whole bench/workloads/<name>.yaml run with no
//                          events kept (as `tcpsim run --format summary`);
//                          churn-10k and pileup-10k by default, others with
//                          TCPSIM_BENCH_WORKLOADS=churn-100k,pileup-1m
//
// Heap bytes are counted exactly by replacing the global operator new and
// delete in this program (live bytes and their high-water mark).
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <malloc.h>
#include <new>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "engine.hpp"
#include "tcpsim/lab.hpp"
#include "tcpsim/loader.hpp"
#include "tcpsim/simulation.hpp"

// ---- heap accounting ----
namespace {
std::atomic<long long> g_live{0};
std::atomic<long long> g_peak{0};

void note_alloc(void* p) {
  if (!p) return;
  const long long n = g_live.fetch_add(static_cast<long long>(malloc_usable_size(p))) +
                      static_cast<long long>(malloc_usable_size(p));
  long long pk = g_peak.load(std::memory_order_relaxed);
  while (n > pk && !g_peak.compare_exchange_weak(pk, n)) {
  }
}
void note_free(void* p) {
  if (p) g_live.fetch_sub(static_cast<long long>(malloc_usable_size(p)));
}
struct HeapWindow {  // live-bytes high-water mark above the level at construction
  long long base;
  HeapWindow() : base(g_live.load()) { g_peak.store(base); }
  long long peak() const { return g_peak.load() - base; }
};
}  // namespace

void* operator new(std::size_t n) {
  void* p = std::malloc(n ? n : 1);
  if (!p) throw std::bad_alloc();
  note_alloc(p);
  return p;
}
void* operator new[](std::size_t n) { return operator new(n); }
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // our new is malloc: free is its match
void operator delete(void* p) noexcept {
  note_free(p);
  std::free(p);
}
#pragma GCC diagnostic pop
void operator delete[](void* p) noexcept { operator delete(p); }
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }
void operator delete[](void* p, std::size_t) noexcept { operator delete(p); }

namespace {
using namespace tcpsim;

// Counts only: the simulation builds no Event objects (like --format summary).
class NullSink : public TraceSink {
 public:
  void on_event(const Event&) override {}
  bool wants_events() const override { return false; }
};

// ---- the engine alone ----
// A queue holding `depth` pending events; each iteration pops the earliest
// and pushes a new one a pseudo-random time later (the steady state of a
// simulation).
void BM_Engine(benchmark::State& state) {
  const auto depth = static_cast<std::size_t>(state.range(0));
  Engine q;
  std::mt19937_64 rng(1);
  for (std::size_t i = 0; i < depth; ++i) q.push(static_cast<Time>(rng() % 1000000), 1, 1, 0);
  std::uint64_t n = 0;
  for (auto _ : state) {
    const QItem it = q.pop();
    q.push(it.t + 1 + static_cast<Time>(rng() % 100000), it.kind(), it.a, it.arg());
    ++n;
  }
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Engine)->Arg(1000)->Arg(100000)->Arg(1000000);

// ---- scenarios written inline ----
std::string conn_scenario(int count, bool server_closes, const char* time_wait) {
  std::ostringstream y;
  y << "title: bench\n"
       "hosts:\n"
       "  client: {ip: 10.0.0.1, time_wait: " << time_wait << "}\n"
       "  server: {ip: 10.0.0.2, time_wait: " << time_wait << "}\n"
       "link: {delay: 1ms, rate: 1Gbit}\n"
       "processes:\n"
       "  server:\n"
       "    host: server\n"
       "    fd_limit: 1048576\n"
       "    run:\n"
       "      - listen: {port: 80, backlog: 4096, as: lsock}\n"
       "      - loop:\n"
       "          run:\n"
       "            - accept: {socket: lsock, as: conn}\n"
       "            - spawn:\n"
       "                run:\n"
       "                  - recv: {socket: conn, bytes: 100}\n"
       "                  - send: {socket: conn, bytes: 100}\n";
  if (server_closes)
    y << "                  - recv: {socket: conn, until: eof}\n"
         "                  - close: conn\n";
  y << "  client:\n"
       "    host: client\n"
       "    fd_limit: 1048576\n"
       "    run:\n"
       "      - at: 1ms\n"
       "        loop:\n"
       "          count: " << count << "\n"
       "          every: 1ms\n"
       "          concurrent: true\n"
       "          run:\n"
       "            - connect: {to: server:80, as: sock}\n"
       "            - send: {socket: sock, bytes: 100}\n"
       "            - recv: {socket: sock, bytes: 100}\n";
  if (server_closes) y << "            - close: sock\n";
  return y.str();
}

// One connection's full life, from connect() to the end of TIME_WAIT.
void BM_ConnectionLife(benchmark::State& state) {
  const Scenario sc = load_scenario_string(conn_scenario(1, true, "60s"), "connection-life.yaml");
  std::uint64_t events = 0;
  long long heap = 0;
  for (auto _ : state) {
    NullSink sink;
    HeapWindow w;
    {
      Simulation sim(sc, sink);
      sim.run();
      events += sim.summary().events;
      // Completed: the client's socket went through TIME_WAIT and nothing is left open.
      if (sim.summary().peak[static_cast<int>(TcpState::TimeWait)] != 1)
        state.SkipWithError("the connection did not complete");
    }
    heap = w.peak();
  }
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["events/conn"] = static_cast<double>(events) / static_cast<double>(state.iterations());
  state.counters["conn/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["heap_peak_bytes"] = static_cast<double>(heap);
}
BENCHMARK(BM_ConnectionLife);

// Branching a catalogue scenario (issue #13, target < 200 ms): what the GUI
// does when an action is chosen at the cursor, minus drawing. The parent's
// trace is computed once, outside the loop, as the GUI already holds it.
void BM_BranchCatalogueScenario(benchmark::State& state, const std::string& name, const std::string& text) {
  const Scenario sc = load_scenario_file(std::string(TCPSIM_WORKLOADS) + "/../../scenarios/" + name + ".yaml");
  const Trace parent = run_scenario(sc);
  std::size_t index = 0;
  for (auto _ : state) {
    const Action a = parse_action(text);
    const Scenario branch = apply_action(sc, parent, a);
    const Trace t = run_scenario(branch);
    const Divergence d = first_divergence(parent, t);
    if (d.identical) state.SkipWithError("the branch changed nothing");
    index = d.index;
    benchmark::DoNotOptimize(index);
  }
  state.counters["divergence_index"] = static_cast<double>(index);
}
BENCHMARK_CAPTURE(BM_BranchCatalogueScenario, lost_final_ack, std::string("lost-final-ack"),
                  std::string("drop 2nd F. from server"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_BranchCatalogueScenario, rst_on_unread_data, std::string("rst-on-unread-data"),
                  std::string("50ms: server close conn"))
    ->Unit(benchmark::kMillisecond);

// N connections that stay open (the server never closes): heap bytes per
// socket at the peak, everything included (sockets, fd tables, timers in the
// queue, demux tables, threads).
void BM_ConnectionsHeld(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const Scenario sc = load_scenario_string(conn_scenario(n, false, "60s"), "connections-held.yaml");
  long long heap = 0;
  std::uint64_t sockets = 0, events = 0;
  for (auto _ : state) {
    NullSink sink;
    HeapWindow w;
    {
      Simulation sim(sc, sink);
      sim.run();
      sockets = sim.summary().sockets_created;
      events += sim.summary().events;
    }
    heap = w.peak();
  }
  state.counters["sockets"] = static_cast<double>(sockets);
  state.counters["bytes/socket"] = static_cast<double>(heap) / static_cast<double>(sockets ? sockets : 1);
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
// At most 28,232 connections: one client host's ephemeral ports (32768-60999).
BENCHMARK(BM_ConnectionsHeld)->Arg(1000)->Arg(10000)->Arg(25000)->Unit(benchmark::kMillisecond);

// ---- whole workloads from bench/workloads/ ----
void BM_Workload(benchmark::State& state, const std::string& name) {
  Scenario sc;
  try {
    sc = load_scenario_file(std::string(TCPSIM_WORKLOADS) + "/" + name + ".yaml");
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  std::uint64_t events = 0, conns = 0, sockets = 0;
  long long heap = 0;
  for (auto _ : state) {
    NullSink sink;
    HeapWindow w;
    {
      Simulation sim(sc, sink);
      sim.run();
      events += sim.summary().events;
      // Every workload socket is one end of a connection, plus one listener.
      // (RunSummary::connections is not filled in by the core yet.)
      conns += (sim.summary().sockets_created - 1) / 2;
      sockets = sim.summary().sockets_created;
    }
    heap = w.peak();
  }
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["conn/s"] = benchmark::Counter(static_cast<double>(conns), benchmark::Counter::kIsRate);
  state.counters["sockets"] = static_cast<double>(sockets);
  state.counters["heap_bytes/socket"] = static_cast<double>(heap) / static_cast<double>(sockets ? sockets : 1);
}

// The same run keeping per-host socket counts per state over time
// (Simulation::sample_counts, what the GUI's charts and `export --chart`
// draw) instead of events: its cost in time and memory.
void BM_WorkloadCounts(benchmark::State& state, const std::string& name, Time resolution) {
  Scenario sc;
  try {
    sc = load_scenario_file(std::string(TCPSIM_WORKLOADS) + "/" + name + ".yaml");
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  std::uint64_t events = 0, samples = 0, sockets = 0;
  long long heap = 0, series_bytes = 0;
  std::int64_t last_close_wait = 0;
  for (auto _ : state) {
    NullSink sink;
    HeapWindow w;
    {
      CountSeries series;
      series.resolution = resolution;
      Simulation sim(sc, sink);
      sim.sample_counts(&series);
      sim.run();
      events += sim.summary().events;
      sockets = sim.summary().sockets_created;
      samples = series.samples.size();
      series_bytes = static_cast<long long>(series.samples.capacity() * sizeof(CountSeries::Sample));
      for (const auto& smp : series.samples)
        series_bytes += static_cast<long long>(smp.counts.capacity() * sizeof(StateCounts));
      if (!series.samples.empty())
        for (const auto& c : series.samples.back().counts)
          last_close_wait += c[static_cast<int>(TcpState::CloseWait)];
    }
    heap = w.peak();
  }
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["samples"] = static_cast<double>(samples);
  state.counters["series_MiB"] = static_cast<double>(series_bytes) / (1024.0 * 1024.0);
  state.counters["heap_bytes/socket"] = static_cast<double>(heap) / static_cast<double>(sockets ? sockets : 1);
  state.counters["last_CLOSE_WAIT"] = static_cast<double>(last_close_wait);
}

}  // namespace

int main(int argc, char** argv) {
  std::string list = "churn-10k,pileup-10k";
  if (const char* env = std::getenv("TCPSIM_BENCH_WORKLOADS")) list = env;
  std::stringstream ss(list);
  std::string name;
  while (std::getline(ss, name, ','))
    if (!name.empty())
      benchmark::RegisterBenchmark(("BM_Workload/" + name).c_str(), BM_Workload, name)
          ->Unit(benchmark::kMillisecond)
          ->Iterations(1);
  // Count series: pileup-10k by default, or TCPSIM_BENCH_COUNTS=pileup-1m.
  std::string counts = "pileup-10k";
  if (const char* env = std::getenv("TCPSIM_BENCH_COUNTS")) counts = env;
  std::stringstream cs(counts);
  while (std::getline(cs, name, ','))
    if (!name.empty())
      for (Time res : {msec(1), msec(100)})
        benchmark::RegisterBenchmark(
            ("BM_WorkloadCounts/" + name + "/res_ms:" + std::to_string(res / 1000)).c_str(),
            BM_WorkloadCounts, name, res)
            ->Unit(benchmark::kMillisecond)
            ->Iterations(1);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
