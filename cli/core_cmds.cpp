// tcpsim run | check | list | replay
#include <CLI/CLI.hpp>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <iostream>
#include <thread>

#include "commands.hpp"
#include "limits.hpp"
#include "run_filter.hpp"
#include "tcpsim/check.hpp"
#include "tcpsim/export.hpp"
#include "tcpsim/loader.hpp"
#include "tcpsim/paths.hpp"
#include "tcpsim/simulation.hpp"

namespace tcpsim::cli {

namespace {

// A CLI11 validator for durations ("200ms", "1.5s", "3").
struct DurationValidator : public CLI::Validator {
  DurationValidator() {
    name_ = "DURATION";
    func_ = [](std::string& s) -> std::string {
      if (!parse_duration(s)) return "'" + s + "' is not a duration (e.g. 200ms, 1.5s, 2min)";
      return {};
    };
  }
};

std::string default_catalogue() {
  if (::access("scenarios", R_OK) == 0) return "scenarios";
  // Installed (the .deb): <prefix>/share/tcpsim/scenarios; else the source tree's.
  return catalogue_dir(std::string(TCPSIM_SOURCE_DIR) + "/scenarios");
}

long peak_rss_kib() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// --format summary: counts only, no event is kept.
class NullSink : public TraceSink {
 public:
  void on_event(const Event&) override {}
  bool wants_events() const override { return false; }
};

void print_summary(const Scenario& s, Simulation& sim, double wall) {
  const RunSummary& r = sim.summary();
  std::printf("scenario:            %s\n", s.name.c_str());
  std::printf("events processed:    %" PRIu64 "\n", r.events);
  std::printf("segments sent:       %" PRIu64 " (%" PRIu64 " dropped)\n", r.segments_sent, r.segments_dropped);
  std::printf("sockets created:     %" PRIu64 " (at most %" PRIu64 " in memory at once)\n", r.sockets_created,
              r.sockets_peak);
  std::printf("connections opened:  %" PRIu64 "\n", r.connections);
  std::printf("virtual time:        %s s\n", format_time(r.virtual_time).c_str());
  std::printf("wall time:           %.3f s\n", wall);
  std::printf("events per second:   %.0f\n", wall > 0 ? r.events / wall : 0.0);
  std::printf("peak memory:         %.1f MiB\n", peak_rss_kib() / 1024.0);
  std::printf("sockets at the end, by state (all hosts):\n");
  for (int i = 0; i < kNumTcpStates; ++i)
    if (r.final_states[i]) std::printf("  %-13s %" PRIu64 "\n", state_name(static_cast<TcpState>(i)), r.final_states[i]);
  std::printf("peak concurrent sockets per state (all hosts):\n");
  for (int i = 0; i < kNumTcpStates; ++i)
    if (r.peak[i] && i != static_cast<int>(TcpState::Closed))
      std::printf("  %-13s %" PRId64 "\n", state_name(static_cast<TcpState>(i)), r.peak[i]);
}

RunLimits g_limits;  // --max-* of run, check and replay

void cmd_run(const std::string& file, const std::string& format, std::optional<std::uint64_t> seed,
             const std::string& until, bool tcb, const RunFilter& filter) {
  auto sc = load_or_report(file);
  if (!sc) return;
  RunOptions opt;
  opt.limits = g_limits;
  opt.seed = seed;
  if (!until.empty()) opt.until = *parse_duration(until);
  sc = prepare_injected_run(file, std::move(*sc), opt);  // --inject, --save-scenario (lab_cmd.cpp)
  if (!sc) return;
  const auto t0 = std::chrono::steady_clock::now();
  if (format == "summary") {
    NullSink sink;
    Simulation sim(*sc, sink, opt);
    sim.run();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    print_summary(*sc, sim, wall);
    report_limit(file, sim.summary());
    return;
  }
  if (filter.active() || (tcb && format == "text")) {
    FilteredPrinter sink(stdout, format == "jsonl", tcb, filter);
    Simulation sim(*sc, sink, opt);
    sim.run();
    std::fflush(stdout);
    report_limit(file, sim.summary());
    const std::string unmatched = sink.unmatched();
    if (!unmatched.empty()) {  // a filter that names nothing in the run is a mistake, not "no events"
      std::fprintf(stderr, "%s: %s\n", visible_text(file).c_str(), unmatched.c_str());
      exit_status() = kExitBadInput;
    }
    return;
  }
  StreamSink sink(stdout, format == "jsonl" ? StreamSink::Format::Jsonl : StreamSink::Format::Text, tcb);
  Simulation sim(*sc, sink, opt);
  sim.run();
  std::fflush(stdout);
  report_limit(file, sim.summary());
}

void cmd_check(const std::vector<std::string>& args, bool quiet) {
  int failed = 0, bad = 0, passed = 0;
  // `tcpsim check scenarios/*.yaml` also names the catalogue's index.
  const std::vector<std::string> files = scenario_file_args(args, quiet);
  if (files.empty()) return;
  for (const auto& f : files) {
    auto sc = load_or_report(f);
    if (!sc) {
      ++bad;
      continue;
    }
    if (sc->expect.empty()) {  // nothing to check: no need to run it
      std::printf("%s: no expectations (nothing checked)\n", f.c_str());
      continue;
    }
    RunOptions opt;
    opt.limits = g_limits;
    // Expectations are checked as the run streams by: no event is kept, so a
    // million-connection workload checks in the memory of a summary run.
    ExpectChecker checker(*sc);
    Simulation sim(*sc, checker, opt);
    sim.run();
    if (report_limit(f, sim.summary())) {  // a cut run proves nothing either way
      ++bad;
      continue;
    }
    auto fails = checker.finish();
    if (fails.empty()) {
      ++passed;
      if (!quiet) std::printf("%s: ok\n", f.c_str());
    } else {
      ++failed;
      std::printf("%s: FAILED (%zu expectation%s)\n%s", f.c_str(), fails.size(), fails.size() == 1 ? "" : "s",
                  format_failures(fails).c_str());
    }
  }
  std::printf("%d passed, %d failed\n", passed, failed + bad);
  if (exit_status() == kExitLimit) return;
  if (bad) exit_status() = kExitBadInput;
  else if (failed) exit_status() = kExitFailed;
}

void cmd_list(const std::string& dir, const std::string& lang) {
  std::vector<std::string> errors;
  auto entries = list_catalogue(dir, &errors);
  std::size_t w = 4;
  for (const auto& e : entries) w = std::max(w, e.name.size());
  for (const auto& e : entries) {
    std::string tags;
    for (const auto& t : e.tags) tags += (tags.empty() ? "" : ",") + t;
    std::printf("%-*s  %s  [%s]\n", static_cast<int>(w), e.name.c_str(), e.title.get(lang).c_str(), tags.c_str());
  }
  for (const auto& err : errors) std::fprintf(stderr, "%s\n", err.c_str());
  if (!errors.empty()) exit_status() = kExitBadInput;
}

// Replays a scenario in the terminal at a watchable pace: idle gaps are
// compressed (at most `max_gap` wall seconds), state changes stand out.
void cmd_replay(const std::string& file, double max_gap, const std::string& lang) {
  auto sc = load_or_report(file);
  if (!sc) return;
  RunOptions opt;
  opt.limits = g_limits;
  Trace t = run_bounded(*sc, opt, file);
  const bool zh = lang.rfind("zh", 0) == 0;
  const bool tty = ::isatty(STDOUT_FILENO);
  const char* bold = tty ? "\033[1m" : "";
  const char* dim = tty ? "\033[2m" : "";
  const char* off = tty ? "\033[0m" : "";
  std::printf("%s%s%s\n%s\n\n", bold, sc->title.get(lang).c_str(), off, sc->summary.get(lang).c_str());
  Time last = 0;
  for (const auto& e : t.events) {
    if (e.kind == EventKind::Timer || (e.kind == EventKind::Segment && e.seg_op == SegOp::Deliver)) continue;
    if (max_gap > 0 && e.t > last) {
      const double gap = std::min(max_gap, (e.t - last) / 1e6);
      std::fflush(stdout);
      std::this_thread::sleep_for(std::chrono::duration<double>(std::max(gap, 0.05)));
    }
    last = e.t;
    const bool st = e.kind == EventKind::State;
    // Every line in the reader's language: causes, notes, faults, drop
    // reasons, tcpsim's words around a segment or a call; tcpdump's segment
    // format, calls and names stay as the tools print them (localize_label
    // keeps them).
    const std::string line = localize_label(format_text(e, t.meta), zh ? "zh_CN" : "en");
    std::printf("%s%s%s\n", st ? bold : (e.kind == EventKind::Note ? dim : ""), line.c_str(),
                (st || e.kind == EventKind::Note) ? off : "");
  }
  std::printf("\n%s%s%s\n%s\n", bold, zh ? "要点" : "Lesson", off, sc->lesson.get(lang).c_str());
  auto fails = check_expectations(*sc, t);
  if (!sc->expect.empty())
    std::printf("%s\n", fails.empty() ? (zh ? "本场景的所有预期均成立。" : "All expectations of this scenario hold.")
                                       : format_failures(fails).c_str());
}

}  // namespace

void add_core_commands(CLI::App& app) {
  static DurationValidator duration;
  // run
  {
    auto* c = app.add_subcommand("run", "Replay a scenario and print its trace");
    static std::string file, format = "text", until;
    static std::optional<std::uint64_t> seed;
    static bool tcb = false;
    static RunFilter filter;
    static std::string kinds, from;
    c->add_option("FILE", file, "Scenario file (.yaml)")->required()->check(CLI::ExistingFile);
    c->add_option("--format", format, "text | jsonl | summary (counts only, for big workloads)")
        ->check(CLI::IsMember({"text", "jsonl", "summary"}));
    add_seed_option(c, seed);
    c->add_option("--until", until, "Stop at this virtual time (e.g. 30s)")->check(duration);
    c->add_flag("--tcb", tcb, "the TCB at each socket event (text: a line under it; jsonl: a \"tcb\" object)");
    c->add_option("--host", filter.host, "Only this host's events (a host name of the scenario)")->group("Filters");
    c->add_option("--socket", filter.socket, "Only this socket's events: a label (client/sock, server/conn#2) or a socket id (sid)")
        ->group("Filters");
    c->add_option("--kinds", kinds, "Only these kinds, comma-separated: segment,state,timer,call,signal,process,fault,note")
        ->group("Filters");
    c->add_option("--from", from, "Only events from this virtual time on (e.g. 2s); --until also stops the run")
        ->check(duration)
        ->group("Filters");
    add_limit_options(c, g_limits);
    add_inject_options(c);
    c->callback([] {
      filter.kinds.clear();
      for (std::size_t a = 0; !kinds.empty() && a <= kinds.size();) {
        std::size_t b = kinds.find(',', a);
        if (b == std::string::npos) b = kinds.size();
        filter.kinds.push_back(kinds.substr(a, b - a));
        a = b + 1;
      }
      const std::string bad = check_kinds(filter.kinds);
      if (!bad.empty()) throw CLI::ValidationError(bad);
      if (!from.empty()) filter.from = *parse_duration(from);
      if (format == "summary" && filter.active())
        throw CLI::ValidationError("--host/--socket/--kinds/--from", "filters choose events to print; --format summary prints none");
      cmd_run(file, format, seed, until, tcb, filter);
    });
  }
  // check
  {
    auto* c = app.add_subcommand("check", "Run scenarios and verify their expect blocks (exit 1 if any fails)");
    static std::vector<std::string> files;
    static bool quiet = false;
    c->add_option("FILE", files, "Scenario files")->required()->check(CLI::ExistingFile);
    c->add_flag("-q,--quiet", quiet, "Print only failures");
    add_limit_options(c, g_limits);
    c->callback([] { cmd_check(files, quiet); });
  }
  // list
  {
    auto* c = app.add_subcommand("list", "List the scenario catalogue");
    static std::string dir, lang = "en";
    c->add_option("DIR", dir, "Folder of scenarios (default: scenarios/)")->check(CLI::ExistingDirectory);
    c->add_option("--lang", lang, "en | zh_CN")->check(CLI::IsMember({"en", "zh", "zh_CN"}));
    c->callback([] { cmd_list(dir.empty() ? default_catalogue() : dir, lang); });
  }
  // replay
  {
    auto* c = app.add_subcommand("replay", "Replay a scenario in the terminal at a watchable pace, with its lesson");
    static std::string file, lang = "en";
    static double max_gap = -1;
    static bool fast = false;
    c->add_option("FILE", file, "Scenario file")->required()->check(CLI::ExistingFile);
    c->add_option("--max-gap", max_gap, "Longest pause between events, wall seconds (default 0.6 on a terminal)")
        ->check(CLI::Range(0.0, 10.0));
    c->add_flag("--fast", fast, "No pauses");
    c->add_option("--lang", lang, "en | zh_CN")->check(CLI::IsMember({"en", "zh", "zh_CN"}));
    add_limit_options(c, g_limits);
    c->callback([] {
      double gap = max_gap >= 0 ? max_gap : (::isatty(STDOUT_FILENO) ? 0.6 : 0.0);
      if (fast) gap = 0;
      cmd_replay(file, gap, lang);
    });
  }
}

}  // namespace tcpsim::cli
