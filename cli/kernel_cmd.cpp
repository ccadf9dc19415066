// tcpsim kernel-run / kernel-diff: a scenario on the real Linux kernel, and
// its comparison with the simulator (kernel/kernel_run.hpp, kernel_diff.hpp).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "kernel_diff.hpp"
#include "kernel_run.hpp"
#include "tcpsim/simulation.hpp"

namespace tcpsim::cli {

namespace {

struct KernelRunArgs {
  std::string file;
  std::string format = "text";
  std::string until;
  std::string max_duration = "30s";
  bool variant = false;
  std::string congestion = "cubic";
};

struct KernelDiffArgs {
  std::vector<std::string> files;
  std::string max_duration = "20s";
  std::string tolerance = "25ms";
  double tolerance_rel = 0.13;
  bool no_timing = false;
  bool quiet = false;
  bool force = false;
  bool require_whole = false;
  bool no_variant = false;
  std::string congestion = "cubic";
};

bool parse_time_option(const std::string& name, const std::string& value, Time* out) {
  auto d = parse_duration(value);
  if (!d) {
    std::fprintf(stderr, "tcpsim: %s: '%s' is not a duration (e.g. 200ms, 1.5s)\n", name.c_str(),
                 value.c_str());
    exit_status() = kExitBadInput;
    return false;
  }
  *out = *d;
  return true;
}

void kernel_run_cmd(const KernelRunArgs& a) {
  kernel::KernelOptions opt;
  if (!a.until.empty() && !parse_time_option("--until", a.until, &opt.until)) return;
  if (!parse_time_option("--max-duration", a.max_duration, &opt.max_duration)) return;
  opt.congestion = a.congestion;
  auto sc = load_or_report(a.file);
  if (!sc) return;
  if (a.variant && !sc->kernel_variant) {
    std::fprintf(stderr, "tcpsim kernel-run: %s has no kernel: {variant:}\n", a.file.c_str());
    exit_status() = kExitBadInput;
    return;
  }
  if (a.variant) {
    std::fprintf(stderr, "note: running %s's %s\n", sc->name.c_str(), kernel::variant_text(*sc).c_str());
    Scenario variant = *sc->kernel_variant;  // a copy: sc owns the variant it points to
    sc = std::move(variant);
  }
  if (std::string why = kernel::kernel_unavailable_reason(); !why.empty()) {
    std::fprintf(stderr, "tcpsim kernel-run: cannot run on the kernel here: %s\n", why.c_str());
    exit_status() = kExitFailed;
    return;
  }
  std::fprintf(stderr, "note: kernel congestion control: %s\n", kernel::congestion_text(a.congestion).c_str());
  StreamSink sink(stdout, a.format == "jsonl" ? StreamSink::Format::Jsonl : StreamSink::Format::Text);
  kernel::KernelResult r = kernel::kernel_run(*sc, sink, opt);
  std::fflush(stdout);
  for (const auto& n : r.notes) std::fprintf(stderr, "note: %s\n", n.c_str());
  if (!r.ok) {
    std::fprintf(stderr, "tcpsim kernel-run: %s: %s\n", a.file.c_str(), r.error.c_str());
    exit_status() = kExitFailed;
  }
}

void kernel_diff_cmd(const KernelDiffArgs& a) {
  kernel::ScenarioDiffOptions opt;
  if (!parse_time_option("--max-duration", a.max_duration, &opt.max_duration)) return;
  if (!parse_time_option("--tolerance", a.tolerance, &opt.diff.tol_abs)) return;
  opt.diff.tol_rel = a.tolerance_rel;
  opt.diff.check_timing = !a.no_timing;
  opt.force = a.force;
  opt.use_variant = !a.no_variant;
  opt.congestion = a.congestion;
  std::vector<Scenario> scenarios;
  // `kernel-diff scenarios/*.yaml` (the README's command) also names the
  // catalogue's index: skipped as `check` skips it.
  const std::vector<std::string> files = scenario_file_args(a.files, a.quiet);
  if (files.empty()) return;
  for (const auto& f : files) {
    auto sc = load_or_report(f);
    if (!sc) return;  // bad input: nothing is run
    scenarios.push_back(std::move(*sc));
  }
  // Which algorithm the kernel side ran: the model follows Linux's default, CUBIC.
  std::printf("kernel congestion control: %s\n", kernel::congestion_text(a.congestion).c_str());
  int compared = 0, diverged = 0, not_run = 0, partial = 0, skipped = 0;
  std::vector<std::string> summary;
  for (const auto& sc : scenarios) {
    // A run the machine disturbed, or one off only in timing, is run again.
    kernel::ScenarioDiff d = kernel::diff_scenario_settled(sc, opt);
    for (const auto& e : d.earlier) summary.push_back("  set aside, run again: " + e);
    summary.push_back(d.summary);
    switch (d.outcome) {
      case kernel::ScenarioDiff::Outcome::Match:
        ++compared;
        if (!d.plan.whole()) ++partial;
        break;
      case kernel::ScenarioDiff::Outcome::Diverged:
        ++compared;
        ++diverged;
        if (!a.quiet) std::printf("== %s\n%s\n", sc.name.c_str(), d.diff.side_by_side.c_str());
        break;
      case kernel::ScenarioDiff::Outcome::Skipped:
        if (sc.kernel_comparable) ++not_run;  // the machine cannot run it
        else ++skipped;                        // kernel: {compare: false}
        break;
      case kernel::ScenarioDiff::Outcome::Error: ++not_run; break;
    }
    std::fflush(stdout);
  }
  for (const auto& s : summary) std::printf("%s\n", s.c_str());
  // A match up to a horizon is a match of that part only: counted apart.
  std::printf("%d compared, %d matched (%d of them up to a horizon only), %d diverged, %d not run, "
              "%d skipped by the scenario\n",
              compared, compared - diverged, partial, diverged, not_run, skipped);
  if (diverged || not_run || (a.require_whole && partial)) exit_status() = kExitFailed;
}

}  // namespace

void add_kernel_commands(CLI::App& app) {
  auto run_args = std::make_shared<KernelRunArgs>();
  CLI::App* run = app.add_subcommand(
      "kernel-run",
      "Run a scenario with real sockets on this machine's Linux kernel (root; network "
      "namespaces) and print its trace in the same format as `tcpsim run`");
  run->add_option("FILE", run_args->file, "scenario file")->required();
  run->add_option("--format", run_args->format, "text or jsonl")
      ->check(CLI::IsMember({"text", "jsonl"}));
  run->add_option("--until", run_args->until, "stop at this scenario time (e.g. 5s)");
  run->add_option("--max-duration", run_args->max_duration,
                  "never run longer than this (wall clock; default 30s)");
  run->add_flag("--variant", run_args->variant,
                "run the scenario's kernel variant (its kernel: {variant:} overrides) instead of it");
  run->add_option("--congestion", run_args->congestion,
                  "congestion control of the kernel's TCP sockets (setsockopt TCP_CONGESTION on each "
                  "socket the script creates; accepted ones inherit it): default cubic, Linux's default "
                  "and the model's; \"system\" keeps the namespace's default (net.ipv4.tcp_congestion_control)");
  run->callback([run_args] { kernel_run_cmd(*run_args); });

  auto diff_args = std::make_shared<KernelDiffArgs>();
  CLI::App* diff = app.add_subcommand(
      "kernel-diff",
      "Run scenarios in tcpsim and on the real kernel and compare segments (flags, relative "
      "seq/ack, length), socket states and call results; exit 0 only when all compared match");
  diff->add_option("FILE", diff_args->files, "scenario files")->required();
  diff->add_option("--max-duration", diff_args->max_duration,
                   "longest kernel run per scenario; later events are not compared (default 20s)");
  diff->add_option("--tolerance", diff_args->tolerance,
                   "timing tolerance, absolute part (default 25ms)");
  diff->add_option("--tolerance-rel", diff_args->tolerance_rel,
                   "timing tolerance, part proportional to the time (default 0.13)");
  diff->add_flag("--no-timing", diff_args->no_timing, "compare order only, not times");
  diff->add_flag("--quiet", diff_args->quiet, "summary lines only");
  diff->add_flag("--force", diff_args->force,
                 "also compare scenarios marked kernel: {compare: false} (up to --max-duration)");
  diff->add_flag("--require-whole", diff_args->require_whole,
                 "exit 1 also when a scenario matched only up to a horizon (its kernel: {horizon:} "
                 "or --max-duration), not to its end");
  diff->add_flag("--no-variant", diff_args->no_variant,
                 "compare the full scenario even when it declares a smaller kernel: {variant:} "
                 "(which is compared by default, and named in the summary)");
  diff->add_option("--congestion", diff_args->congestion,
                   "congestion control of the kernel's TCP sockets (setsockopt TCP_CONGESTION on each "
                   "socket the script creates; accepted ones inherit it): default cubic, Linux's default "
                   "and the model's; \"system\" keeps the namespace's default (net.ipv4.tcp_congestion_control)");
  diff->callback([diff_args] { kernel_diff_cmd(*diff_args); });
}

}  // namespace tcpsim::cli
