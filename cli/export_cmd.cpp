// tcpsim export — diagrams, captures and data of one scenario run, without
// a display. Text formats (pcap, Mermaid, PlantUML, DOT, JSONL, CSV) come
// from the Qt-free writers in core (tcpsim/export.hpp); graphic formats
// (ladder, state diagram, charts, frames as SVG/PDF/PNG) from the render
// library the GUI draws with (gui/render/render_export.hpp), when the
// program was built with Qt.
//
// Every option is checked before the scenario runs: an unknown format, a
// path that cannot be written, an existing file without --force or a bad
// time window is an error naming the option (exit 2). Files are written to
// a temporary name and renamed into place, so a failed export never leaves
// half a file nor destroys one that was there. docs/exports.md.
//
// When every requested output is made of socket counts alone (--chart states,
// --csv), the scenario runs without recording its trace (tcpsim/counts.hpp):
// the same run, with memory bounded whatever its size, so the bench
// workloads of a million connections chart too.
#include <CLI/CLI.hpp>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "commands.hpp"
#include "limits.hpp"
#include "gif_writer.hpp"
#include "tcpsim/counts.hpp"
#include "tcpsim/export.hpp"
#include "tcpsim/packetdrill_writer.hpp"
#include "tcpsim/simulation.hpp"
#ifdef TCPSIM_HAVE_RENDER
#include "html_export.hpp"
#include "render_export.hpp"
#endif
#include "site_cmd.hpp"

namespace tcpsim::cli {

namespace {

struct ExportArgs {
  std::string file;
  std::string ladder;
  std::vector<std::string> diagrams;  // WHICH:OUT
  std::vector<std::string> charts;    // NAME:OUT
  std::string frames;
  std::string slides, animation;
  std::string html;  // the self-contained HTML player (docs/html.md)
  std::string slides_per = "step";
  int frames_max = 300;
  std::string time_scale = "compressed";
  bool no_calls = false;
  std::string capture_at;
  std::string pcap, mermaid, plantuml, dot, jsonl, csv;
  std::string packetdrill;  // HOST:OUT.pkt (docs/packetdrill.md)
  bool packetdrill_for_kernel = false;
  std::string from, to;
  std::string resolution;
  std::string lang = "en";
  bool force = false;
  bool no_dropped = false;
  bool raw_payload = false;
  std::string size;
  int dpi = 96;
  std::string page;
  std::optional<std::uint64_t> seed;
  RunLimits limits;
};

// One file (or folder, for --frames) to produce.
struct Output {
  std::string option;  // "--pcap"
  std::string what;    // client/server/both/label (diagram, dot) or chart name
  std::string path;
  bool graphic = false;
};

// Thrown for bad options: printed as "tcpsim export: OPTION: message", exit 2.
struct BadOption {
  std::string option, message;
};

// --slides and --animation: at most this many pages/frames (--frames-max),
// whatever the trace: one page per event of a million-connection workload
// would be a file no one can open (issue #17).
constexpr int kFramesMaxLimit = 5000;
// --animation: how long each frame is shown, and the last one.
constexpr int kFrameDelayCs = 100, kLastFrameDelayCs = 400;

std::string extension(const std::string& path) {
  auto slash = path.rfind('/');
  auto dot = path.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string e = path.substr(dot + 1);
  for (auto& c : e) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return e;
}

void require_extension(const std::string& option, const std::string& path,
                       const std::vector<std::string>& allowed) {
  const std::string e = extension(path);
  if (std::find(allowed.begin(), allowed.end(), e) != allowed.end()) return;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "." : ", .") + a;
  throw BadOption{option, "unknown format '" + (e.empty() ? std::string("(no extension)") : "." + e) +
                              "' of '" + path + "' (expected " + list + ")"};
}

// "WHICH:OUT" -> {WHICH, OUT}; WHICH never holds ':' (labels are proc/name#n).
std::pair<std::string, std::string> split_spec(const std::string& option, const std::string& spec,
                                               const std::string& expected) {
  auto colon = spec.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == spec.size())
    throw BadOption{option, "expected " + expected + ", got '" + spec + "'"};
  return {spec.substr(0, colon), spec.substr(colon + 1)};
}

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

Time parse_time_option(const std::string& option, const std::string& v) {
  auto t = parse_duration(v);
  if (!t)
    throw BadOption{option, "'" + v + "' is not a time (a non-negative duration such as 1.5s, 200ms, 40us, 2min)"};
  return *t;
}

void check_output(const Output& o, bool force) {
  std::string err;
  if (o.option == "--frames") {
    if (is_dir(o.path)) {
      if (!dir_empty(o.path) && !force)
        throw BadOption{o.option, "folder '" + o.path + "' is not empty (use --force to write frames into it)"};
      if (::access(o.path.c_str(), W_OK) != 0)
        throw BadOption{o.option, "folder '" + o.path + "' is not writable"};
      return;
    }
    if (exists(o.path)) throw BadOption{o.option, "'" + o.path + "' exists and is not a folder"};
    // The folder itself is created: its parent must be writable.
    if (!check_writable(o.path, &err)) throw BadOption{o.option, err};
    return;
  }
  if (!check_writable(o.path, &err)) throw BadOption{o.option, err};
  if (exists(o.path) && !force)
    throw BadOption{o.option, "'" + o.path + "' exists (use --force to overwrite it)"};
}

// Removes a temporary frames folder and the files in it (all ours).
#ifdef TCPSIM_HAVE_RENDER
void remove_tree(const std::string& dir) {
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d))
      if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
        ::unlink((dir + "/" + e->d_name).c_str());
    ::closedir(d);
  }
  ::rmdir(dir.c_str());
}
#endif

std::string strip_slashes(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

std::string human_size(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return "";
  return std::to_string(st.st_size) + " bytes";
}

// Whether every output is made of socket counts alone.
bool counts_only(const std::vector<Output>& outs) {
  return std::all_of(outs.begin(), outs.end(), [](const Output& o) {
    return o.option == "--csv" || (o.option == "--chart" && o.what == "states");
  });
}

void report_written(const Output& o, bool ok, const std::string& err, int* status) {
  if (ok) {
    std::printf("wrote %s (%s)\n", o.path.c_str(), human_size(o.path).c_str());
  } else {
    std::fprintf(stderr, "tcpsim export: %s: %s\n", o.option.c_str(), err.c_str());
    *status = kExitFailed;
  }
}

// --chart states and --csv only: the run keeps counts, not events.
int export_counts(const ExportArgs& a, const Scenario& scenario, const std::vector<Output>& outs,
                  const TimeWindow& window, Time resolution, int width, int height, const std::string& lang) {
  CountsOptions co;
  co.seed = a.seed;
  co.from = window.from;
  co.to = window.to;
  co.resolution = resolution;
  const CountsRun run = run_counts(scenario, co);
  std::printf("counted %llu events without keeping them: %zu samples at %s resolution\n",
              static_cast<unsigned long long>(run.summary.events), run.series.samples.size(),
              format_duration(run.series.resolution).c_str());
#ifdef TCPSIM_HAVE_RENDER
  render::ExportOptions ropt;
  ropt.from = window.from;
  ropt.to = window.to == kNever ? run.end : window.to;
  ropt.width = width;
  ropt.height = height;
  ropt.dpi = a.dpi;
  ropt.page = a.page;
  ropt.lang = lang;
#else
  (void)width;
  (void)height;
  (void)lang;
#endif
  int status = kExitOk;
  for (const auto& o : outs) {
    std::string err;
    bool ok = false;
    if (o.option == "--csv") {
      ok = write_stream_atomically(o.path, a.force, [&](std::ostream& f) { write_counts_csv(run.series, f); }, &err);
    }
#ifdef TCPSIM_HAVE_RENDER
    else {
      static int argc = 1;
      static char name[] = "tcpsim";
      static char* argv[] = {name, nullptr};
      render::ensure_gui_app(argc, argv);
      ok = write_file_atomically(
          o.path, a.force,
          [&](const std::string& tmp, std::string* e) {
            render::ExportOptions r = ropt;
            r.path = tmp;
            return render::export_counts_chart(scenario, run.series, r, e);
          },
          &err);
    }
#endif
    report_written(o, ok, err, &status);
  }
  return status;
}

int run_export(const ExportArgs& a) {
  // ---- 1. options, before anything runs ----
  std::vector<Output> outs;
  TimeWindow window;
  Time resolution = usec(1);
  int width = 0, height = 0;
  std::string lang = a.lang;
  try {
    if (!a.ladder.empty()) {
      require_extension("--ladder", a.ladder, {"svg", "pdf", "png"});
      outs.push_back({"--ladder", "", a.ladder, true});
    }
    for (const auto& d : a.diagrams) {
      auto [which, path] = split_spec("--diagram", d, "client|server|both:OUT.svg|pdf|png");
      require_extension("--diagram", path, {"svg", "pdf", "png"});
      outs.push_back({"--diagram", which, path, true});
    }
    for (const auto& c : a.charts) {
      auto [name, path] = split_spec("--chart", c, "states|seq|endpoint|cwnd:OUT.svg|pdf|png");
      if (name != "states" && name != "seq" && name != "endpoint" && name != "cwnd")
        throw BadOption{"--chart", "unknown chart '" + name + "' (expected states, seq, endpoint or cwnd)"};
      require_extension("--chart", path, {"svg", "pdf", "png"});
      outs.push_back({"--chart", name, path, true});
    }
    if (!a.frames.empty()) outs.push_back({"--frames", "", strip_slashes(a.frames), true});
    if (!a.slides.empty()) {
      require_extension("--slides", a.slides, {"pdf"});
      outs.push_back({"--slides", "", a.slides, true});
    }
    if (!a.animation.empty()) {
      require_extension("--animation", a.animation, {"gif"});
      outs.push_back({"--animation", "", a.animation, true});
    }
    if (!a.html.empty()) {
      require_extension("--html", a.html, {"html", "htm"});
      outs.push_back({"--html", "", a.html, true});
      if (!a.from.empty() || !a.to.empty())
        throw BadOption{"--html", "the player holds the whole run and steps through it; --from/--to do not apply "
                                  "(open it at a step with OUT.html#step=N)"};
    }
    if (!a.pcap.empty()) {
      require_extension("--pcap", a.pcap, {"pcap"});
      outs.push_back({"--pcap", "", a.pcap, false});
    }
    if (!a.mermaid.empty()) {
      require_extension("--mermaid", a.mermaid, {"mmd", "mermaid", "md"});
      outs.push_back({"--mermaid", "", a.mermaid, false});
    }
    if (!a.plantuml.empty()) {
      require_extension("--plantuml", a.plantuml, {"puml", "plantuml", "pu", "txt"});
      outs.push_back({"--plantuml", "", a.plantuml, false});
    }
    if (!a.dot.empty()) {
      // --dot [WHICH:]OUT.dot (default: client and server side by side).
      std::string which = "both", path = a.dot;
      if (auto colon = a.dot.find(':'); colon != std::string::npos)
        std::tie(which, path) = split_spec("--dot", a.dot, "[client|server|both|LABEL:]OUT.dot");
      require_extension("--dot", path, {"dot", "gv"});
      outs.push_back({"--dot", which, path, false});
    }
    if (!a.jsonl.empty()) {
      require_extension("--jsonl", a.jsonl, {"jsonl", "json", "ndjson"});
      outs.push_back({"--jsonl", "", a.jsonl, false});
    }
    if (!a.csv.empty()) {
      require_extension("--csv", a.csv, {"csv"});
      outs.push_back({"--csv", "", a.csv, false});
    }
    if (!a.packetdrill.empty()) {
      auto [host, path] = split_spec("--packetdrill", a.packetdrill, "HOST:OUT.pkt");
      require_extension("--packetdrill", path, {"pkt"});
      outs.push_back({"--packetdrill", host, path, false});
    }
    if (outs.empty())
      throw BadOption{"", "nothing to export: give at least one of --ladder, --diagram, --chart, "
                                "--frames, --slides, --animation, --html, --pcap, --mermaid, --plantuml, --dot, --jsonl, --csv, --packetdrill"};

    if (!a.from.empty()) window.from = parse_time_option("--from", a.from);
    if (!a.to.empty()) window.to = parse_time_option("--to", a.to);
    if (window.from > window.to)
      throw BadOption{"--from", "the window is empty: --from " + a.from + " is after --to " + a.to};
    if (!a.resolution.empty()) {
      resolution = parse_time_option("--resolution", a.resolution);
      if (resolution < 1) throw BadOption{"--resolution", "expected at least 1us, got '" + a.resolution + "'"};
    }

    if (!a.size.empty()) {
      unsigned w = 0, h = 0;
      char x = 0, rest = 0;
      if (std::sscanf(a.size.c_str(), "%u%c%u%c", &w, &x, &h, &rest) != 3 || (x != 'x' && x != 'X') ||
          w == 0 || h == 0 || w > 20000 || h > 20000)
        throw BadOption{"--size", "expected WIDTHxHEIGHT in pixels (1..20000), e.g. 1600x900, got '" + a.size + "'"};
      width = static_cast<int>(w);
      height = static_cast<int>(h);
    }
    if (a.dpi < 10 || a.dpi > 2400)
      throw BadOption{"--dpi", "expected 10..2400, got " + std::to_string(a.dpi)};
    if (!a.page.empty() && a.page != "A4" && a.page != "Letter")
      throw BadOption{"--page", "expected A4 or Letter, got '" + a.page + "'"};
    if (a.time_scale != "compressed" && a.time_scale != "linear" && a.time_scale != "textbook")
      throw BadOption{"--time", "unknown time scale '" + a.time_scale +
                                    "' (expected compressed, linear or textbook)"};
    if (!a.capture_at.empty() && a.pcap.empty())
      throw BadOption{"--capture-at", "only with --pcap (it chooses the capture point)"};
    if (a.slides_per != "step" && a.slides_per != "state")
      throw BadOption{"--slides-per", "expected step or state, got '" + a.slides_per + "'"};
    if (a.frames_max < 1 || a.frames_max > kFramesMaxLimit)
      throw BadOption{"--frames-max", "expected 1.." + std::to_string(kFramesMaxLimit) + ", got " +
                                          std::to_string(a.frames_max)};
    if (lang == "zh" || lang == "zh-CN") lang = "zh_CN";
    if (lang != "en" && lang != "zh_CN")
      throw BadOption{"--lang", "expected en or zh_CN, got '" + a.lang + "'"};

    if (!a.resolution.empty() && !counts_only(outs))
      throw BadOption{"--resolution", "only with --chart states and --csv alone (the other outputs need the "
                                      "whole trace, at every instant)"};

    std::set<std::string> seen;
    for (const auto& o : outs) {
      if (!seen.insert(o.path).second)
        throw BadOption{o.option, "'" + o.path + "' is named by two options"};
      check_output(o, a.force);
    }
#ifndef TCPSIM_HAVE_RENDER
    for (const auto& o : outs)
      if (o.graphic)
        throw BadOption{o.option, "graphic exports need the Qt build (this tcpsim was built "
                                  "without the GUI; configure with -DTCPSIM_BUILD_GUI=ON)"};
#endif
  } catch (const BadOption& e) {
    if (e.option.empty()) std::fprintf(stderr, "tcpsim export: %s\n", e.message.c_str());
    else std::fprintf(stderr, "tcpsim export: %s: %s\n", e.option.c_str(), e.message.c_str());
    return kExitBadInput;
  }

  // ---- 2. the scenario and its run ----
  auto scenario = load_or_report(a.file);
  if (!scenario) return kExitBadInput;
  // Counts alone: run without the trace.
  if (counts_only(outs))
    return export_counts(a, *scenario, outs, window, resolution, width, height, lang);

  RunOptions ro;
  ro.seed = a.seed;
  ro.limits = a.limits;
  Trace trace = run_bounded(*scenario, ro, a.file);
  if (!trace.meta.stopped_by.empty()) return kExitLimit;  // a cut run is no figure of the scenario

  const std::string title_text = scenario->title.get(lang).empty() ? scenario->name : scenario->title.get(lang);

  // --capture-at names a host of this run (default: the first).
  int capture_host = 0;
  if (!a.capture_at.empty()) {
    capture_host = -2;
    if (a.capture_at == "senders") capture_host = PcapOptions::kEverySender;
    for (std::size_t i = 0; i < trace.meta.hosts.size() && capture_host == -2; ++i)
      if (trace.meta.hosts[i].name == a.capture_at || ip_string(trace.meta.hosts[i].ip) == a.capture_at)
        capture_host = static_cast<int>(i);
    if (capture_host == -2) {
      std::string names;
      for (const auto& h : trace.meta.hosts) names += (names.empty() ? "" : ", ") + h.name;
      std::fprintf(stderr, "tcpsim export: --capture-at: no host '%s' in this scenario (expected one of: %s, or senders)\n",
                   a.capture_at.c_str(), names.c_str());
      return kExitBadInput;
    }
  }

  // --slides / --animation: their pages, bounded by --frames-max.
#ifdef TCPSIM_HAVE_RENDER
  std::vector<std::size_t> slide_cursors;
  if (!a.slides.empty() || !a.animation.empty()) {
    slide_cursors = render::slide_cursors(trace, a.slides_per, window.from, window.to);
    const std::string opt = !a.slides.empty() ? "--slides" : "--animation";
    if (slide_cursors.empty()) {
      std::fprintf(stderr, "tcpsim export: %s: no %s in this time window\n", opt.c_str(),
                   a.slides_per == "step" ? "event" : "state change");
      return kExitBadInput;
    }
    if (slide_cursors.size() > static_cast<std::size_t>(a.frames_max)) {
      std::fprintf(stderr,
                   "tcpsim export: %s: %zu %s (one per %s) exceed --frames-max %d: narrow the window with "
                   "--from/--to, use --slides-per state, or raise --frames-max (at most %d)\n",
                   opt.c_str(), slide_cursors.size(), !a.slides.empty() ? "pages" : "frames",
                   a.slides_per == "step" ? "step" : "state change", a.frames_max, kFramesMaxLimit);
      return kExitBadInput;
    }
  }
#endif

  // --frames: one PNG per event in the window, bounded by --frames-max too
  // (churn-10k would write 4,586 frames, 1.4 GB).
  if (!a.frames.empty()) {
    const auto at_or_before = [&](Time t) {
      return static_cast<std::size_t>(
          std::upper_bound(trace.events.begin(), trace.events.end(), t,
                           [](Time x, const Event& e) { return x < e.t; }) -
          trace.events.begin());
    };
    const std::size_t first = std::max<std::size_t>(at_or_before(window.from - 1), 1);
    const std::size_t last = window.to == kNever ? trace.events.size() : at_or_before(window.to);
    const std::size_t n = last >= first ? last - first + 1 : 0;
    if (n > static_cast<std::size_t>(a.frames_max)) {
      std::fprintf(stderr,
                   "tcpsim export: --frames: %zu frames (one per event) exceed --frames-max %d: narrow the window "
                   "with --from/--to, use --animation --slides-per state, or raise --frames-max (at most %d)\n",
                   n, a.frames_max, kFramesMaxLimit);
      return kExitBadInput;
    }
  }

  // Endpoints named by --diagram and --dot must exist in this run.
  for (const auto& o : outs)
    if (o.option == "--dot" || o.option == "--diagram") {
      std::string err;
      if (resolve_endpoints(trace, o.what, &err).empty()) {
        std::fprintf(stderr, "tcpsim export: %s: %s\n", o.option.c_str(), err.c_str());
        return kExitBadInput;
      }
    }

#ifdef TCPSIM_HAVE_RENDER
  render::ExportOptions ropt;
  ropt.from = window.from;
  ropt.to = window.to;
  ropt.width = width;
  ropt.height = height;
  ropt.dpi = a.dpi;
  ropt.page = a.page;
  ropt.lang = lang;
  ropt.time_scale = a.time_scale;
  ropt.calls_and_timers = !a.no_calls;
  bool gui_ready = false;
  auto ensure_gui = [&]() {
    if (gui_ready) return;
    static int argc = 1;
    static char name[] = "tcpsim";
    static char* argv[] = {name, nullptr};
    render::ensure_gui_app(argc, argv);
    gui_ready = true;
  };
#else
  (void)width;
  (void)height;
#endif

  // ---- 3. the files ----
  int status = kExitOk;
  for (const auto& o : outs) {
    std::string err;
    bool ok = false;
    std::string detail;
    if (o.option == "--pcap") {
      std::size_t n = 0;
      PcapOptions po;
      po.window = window;
      po.capture_host = capture_host;
      po.include_dropped = !a.no_dropped;
      po.payload = a.raw_payload ? PcapOptions::Payload::Raw : PcapOptions::Payload::Text;
      ok = write_stream_atomically(o.path, a.force, [&](std::ostream& f) { n = write_pcap(trace, f, po); }, &err);
      detail = std::to_string(n) + " packets";
    } else if (o.option == "--mermaid" || o.option == "--plantuml") {
      DiagramOptions dopt;
      dopt.window = window;
      dopt.title = title_text;
      dopt.lang = lang;
      ok = write_stream_atomically(
          o.path, a.force,
          [&](std::ostream& f) {
            if (o.option == "--mermaid") write_mermaid(trace, f, dopt);
            else write_plantuml(trace, f, dopt);
          },
          &err);
    } else if (o.option == "--dot") {
      DotOptions dopt;
      dopt.window = window;
      dopt.sockets = resolve_endpoints(trace, o.what, &err);
      dopt.title = title_text;
      dopt.lang = lang;
      ok = write_stream_atomically(o.path, a.force, [&](std::ostream& f) { write_dot(trace, f, dopt); }, &err);
    } else if (o.option == "--jsonl") {
      ok = write_stream_atomically(o.path, a.force, [&](std::ostream& f) { write_jsonl(trace, f, window); }, &err);
    } else if (o.option == "--csv") {
      ok = write_stream_atomically(o.path, a.force, [&](std::ostream& f) { write_counts_csv(trace, f, window); }, &err);
    } else if (o.option == "--packetdrill") {
      packetdrill::WriteOptions pw;
      pw.for_kernel = a.packetdrill_for_kernel;
      const auto pd = packetdrill::write_packetdrill(*scenario, trace, o.what, pw);
      if (pd.ok) ok = write_stream_atomically(o.path, a.force, [&](std::ostream& f) { f << pd.script; }, &err);
      else err = "cannot write host '" + o.what + "' of " + a.file + " as a packetdrill script: " + pd.error;
    }
#ifdef TCPSIM_HAVE_RENDER
    else if (o.option == "--frames") {
      ensure_gui();
      // Render into a fresh folder beside the target (unpredictable name,
      // removed on SIGINT/SIGTERM), then move the frames in.
      const std::string tmp = make_temp_dir_beside(o.path, &err);
      if (!tmp.empty()) {
        ok = render::export_frames(*scenario, trace, tmp, ropt, &err);
        if (ok && !is_dir(o.path)) {
          if (::rename(tmp.c_str(), o.path.c_str()) != 0) {
            err = "cannot rename '" + tmp + "' to '" + o.path + "': " + std::strerror(errno);
            ok = false;
          }
        } else if (ok) {
          int moved = 0;
          if (DIR* d = ::opendir(tmp.c_str())) {
            while (dirent* e = ::readdir(d)) {
              if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
              const std::string from = tmp + "/" + e->d_name, to = o.path + "/" + e->d_name;
              if (::rename(from.c_str(), to.c_str()) != 0) {
                err = "cannot move '" + from + "' to '" + to + "': " + std::strerror(errno);
                ok = false;
                break;
              }
              ++moved;
            }
            ::closedir(d);
          }
          (void)moved;
        }
        if (is_dir(tmp)) remove_tree(tmp);
        release_temp_dir();
      }
    } else if (o.option == "--slides") {
      ensure_gui();
      ok = write_file_atomically(
          o.path, a.force,
          [&](const std::string& tmp, std::string* e) {
            render::ExportOptions r = ropt;
            r.path = tmp;
            return render::export_slides(*scenario, trace, slide_cursors, r, e);
          },
          &err);
      detail = std::to_string(slide_cursors.size()) + " pages, one per " +
               (a.slides_per == "step" ? "step" : "state change");
    } else if (o.option == "--html") {
      ensure_gui();
      ok = write_file_atomically(
          o.path, a.force,
          [&](const std::string& tmp, std::string* e) {
            render::ExportOptions r = ropt;
            r.path = tmp;
            return render::export_html(*scenario, trace, r, e);
          },
          &err);
    } else if (o.option == "--animation") {
      ensure_gui();
      ok = write_file_atomically(
          o.path, a.force,
          [&](const std::string& tmp, std::string* e) {
            GifWriter gif;
            bool opened = false;
            std::size_t n = 0;
            const bool rendered = render::render_slide_frames(
                *scenario, trace, slide_cursors, ropt,
                [&](int w, int h, const std::uint8_t* rgba, std::string* fe) {
                  if (!opened && !(opened = gif.open(tmp, w, h, fe))) return false;
                  ++n;
                  return gif.add_frame(rgba, n == slide_cursors.size() ? kLastFrameDelayCs : kFrameDelayCs, fe);
                },
                e);
            return gif.close(e) && rendered;
          },
          &err);
      detail = std::to_string(slide_cursors.size()) + " frames, one per " +
               (a.slides_per == "step" ? "step" : "state change");
    } else {
      ensure_gui();
      ok = write_file_atomically(
          o.path, a.force,
          [&](const std::string& tmp, std::string* e) {
            render::ExportOptions r = ropt;
            r.path = tmp;
            if (o.option == "--ladder") return render::export_ladder(*scenario, trace, r, e);
            if (o.option == "--diagram") return render::export_state_diagram(*scenario, trace, o.what, r, e);
            return render::export_chart(*scenario, trace, o.what, r, e);
          },
          &err);
    }
#endif
    if (ok) {
      std::printf("wrote %s%s\n", o.path.c_str(),
                  detail.empty() ? (o.option == "--frames" ? "/" : (" (" + human_size(o.path) + ")").c_str())
                                 : (" (" + detail + ")").c_str());
    } else {
      std::fprintf(stderr, "tcpsim export: %s: %s\n", o.option.c_str(), err.c_str());
      status = kExitFailed;
    }
  }
  return status;
}

}  // namespace

bool is_dir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool dir_empty(const std::string& path) {
  DIR* d = ::opendir(path.c_str());
  if (!d) return false;
  bool empty = true;
  while (dirent* e = ::readdir(d))
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) {
      empty = false;
      break;
    }
  ::closedir(d);
  return empty;
}


void add_export_command(CLI::App& app) {
  auto a = std::make_shared<ExportArgs>();
  CLI::App* sub = app.add_subcommand(
      "export",
      "Run a scenario and export diagrams (SVG/PDF/PNG), a pcap capture, text diagrams "
      "(Mermaid, PlantUML, Graphviz DOT) and trace data (JSONL, CSV). See docs/exports.md.");
  sub->add_option("FILE", a->file, "scenario file (scenarios/*.yaml)")->required();
  sub->add_option("--ladder", a->ladder, "ladder diagram (packet timeline): OUT.svg|pdf|png");
  sub->add_option("--diagram", a->diagrams,
                  "state diagram with the visited path: client|server|both|LABEL:OUT.svg|pdf|png (repeatable)")
      ->allow_extra_args(false);
  sub->add_option("--chart", a->charts, "chart: states|seq|endpoint:OUT.svg|pdf|png (repeatable)")
      ->allow_extra_args(false);
  sub->add_option("--frames", a->frames, "animation: numbered PNG frames into DIR (frame-0001.png ...)");
  sub->add_option("--slides", a->slides,
                  "slides for a lecture: OUT.pdf, one 16:9 page per step (or per state change, "
                  "--slides-per state) with both state diagrams and the ladder up to that step");
  sub->add_option("--slides-per", a->slides_per, "--slides/--animation: a page per step (default) or per state");
  sub->add_option("--animation", a->animation, "the same pages as an animated GIF: OUT.gif");
  sub->add_option("--html", a->html,
                  "a self-contained web page that steps through the run (both state diagrams, the ladder, "
                  "the log, the lesson, the TCB; EN/zh_CN; no network): OUT.html (docs/html.md)");
  sub->add_option("--frames-max", a->frames_max,
                  "--frames/--slides/--animation: refuse more frames or pages than this (default 300, at most 5000)");
  sub->add_option("--time", a->time_scale,
                  "ladder time axis (--ladder, --frames, --slides, --animation): compressed (default), "
                  "linear or textbook");
  sub->add_flag("--no-calls", a->no_calls,
                "ladders (--ladder, --frames, --slides, --animation) without successful calls and timers: "
                "arrows, states and flags, as in a textbook figure (failed calls, drops and notes stay)");
  sub->add_option("--pcap", a->pcap, "capture for Wireshark/tshark: OUT.pcap");
  sub->add_option("--capture-at", a->capture_at,
                  "--pcap: the host whose interface is captured, as tcpdump there would see it (default: "
                  "the scenario's first host), or 'senders' (every packet once, stamped when sent: a "
                  "router's copy on the next link is not repeated)");
  sub->add_flag("--no-dropped", a->no_dropped,
                "leave segments the network dropped out of the pcap (default: keep the ones the capture "
                "point saw leave before the link lost them)");
  sub->add_flag("--raw-payload", a->raw_payload,
                "pcap payload: the exact stream bytes (default: letters derived from them, which "
                "Wireshark's HTTP and other port-based dissectors leave alone)");
  sub->add_option("--mermaid", a->mermaid, "Mermaid sequenceDiagram: OUT.mmd");
  sub->add_option("--plantuml", a->plantuml, "PlantUML sequence diagram: OUT.puml");
  sub->add_option("--dot", a->dot,
                  "Graphviz state machine with the visited path: [client|server|both|LABEL:]OUT.dot "
                  "(default both)");
  sub->add_option("--jsonl", a->jsonl, "the trace as JSON lines: OUT.jsonl");
  sub->add_option("--csv", a->csv, "socket counts per host and state over time: OUT.csv");
  sub->add_option("--packetdrill", a->packetdrill,
                  "one host's side as a packetdrill script (its calls, the peer's segments as <, its own "
                  "as >, its sysctls): HOST:OUT.pkt (docs/packetdrill.md)");
  sub->add_flag("--packetdrill-for-kernel", a->packetdrill_for_kernel,
                "--packetdrill: leave the host's own windows and SYN options unchecked, to play the script on a "
                "real kernel (tcpsim packetdrill --kernel)");
  sub->add_option("--from", a->from, "start of the time window (e.g. 1.5s, 200ms)");
  sub->add_option("--to", a->to, "end of the time window");
  sub->add_option("--resolution", a->resolution,
                  "--chart states and --csv alone: the finest time step of the counts (default 1us; "
                  "coarser as needed to keep at most 4096 samples)");
  sub->add_option("--lang", a->lang, "language of graphic labels: en or zh_CN");
  sub->add_flag("--force", a->force, "overwrite existing output files");
  sub->add_option("--size", a->size, "PNG size WIDTHxHEIGHT in pixels (e.g. 1600x900)");
  sub->add_option("--dpi", a->dpi, "PNG/SVG resolution (default 96)");
  sub->add_option("--page", a->page, "PDF: split over A4 or Letter pages (default: one page)");
  add_seed_option(sub, a->seed);
  add_limit_options(sub, a->limits);
  sub->callback([a]() { exit_status() = run_export(*a); });
  // `tcpsim site` shares the export machinery (cli/site_cmd.cpp).
  add_site_command(app);
}

}  // namespace tcpsim::cli
