// tcpsim run --inject / --save-scenario, and tcpsim diff (issue #13, docs/lab.md).
//
// An injection is an action in the lab's grammar (tcpsim/lab.hpp), parsed by
// the same parse_action() as the GUI's actions at the cursor; each is
// written into the scenario (apply_action) and the run made again, in order.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "limits.hpp"
#include "tcpsim/export.hpp"
#include "tcpsim/lab.hpp"
#include "tcpsim/scenario_writer.hpp"

namespace tcpsim::cli {

namespace {

// "tcpsim: --inject "150ms: sever close conn": column 7: ..." plus the text
// with a caret under the column.
void report_action_error(const std::string& option, const std::string& text, const ActionError& e) {
  std::fprintf(stderr, "tcpsim: %s \"%s\": %s\n", option.c_str(), visible_text(text).c_str(), e.what());
  if (e.col() > 0) {
    const std::string shown = visible_text(text);
    std::fprintf(stderr, "  %s\n  %*s^\n", shown.c_str(), e.col() - 1, "");
  }
}

bool is_noop_refusal(const ActionError& e) {
  return e.col() == 0 && e.message().find(" changes nothing: ") != std::string::npos;
}

std::vector<Action> parse_all(const std::string& option, const std::vector<std::string>& texts, bool* ok) {
  std::vector<Action> out;
  *ok = true;
  for (const auto& t : texts) {
    try {
      out.push_back(parse_action(t));
    } catch (const ActionError& e) {
      report_action_error(option, t, e);
      *ok = false;
    }
  }
  return out;
}

// Applies `actions` in order, each to the run the previous ones made.
// `noop_ok`: an action that changes nothing is noted, not refused.
bool branch_all(Scenario* sc, Trace* trace, const std::vector<Action>& actions, const std::vector<std::string>& texts,
                const std::string& option, const RunOptions& opt, const std::string& file, bool noop_ok) {
  std::vector<Action> done;
  for (std::size_t i = 0; i < actions.size(); ++i) {
    try {
      Branch b = make_branch(*sc, *trace, done, actions[i], opt);
      if (!b.trace.meta.stopped_by.empty()) {
        std::fprintf(stderr, "%s (with %s \"%s\"): %s\n", visible_text(file).c_str(), option.c_str(),
                     visible_text(texts[i]).c_str(), b.trace.meta.stopped_by.c_str());
        exit_status() = kExitLimit;
        return false;
      }
      *sc = std::move(b.scenario);
      *trace = std::move(b.trace);
      done = std::move(b.actions);
    } catch (const ActionError& e) {
      if (noop_ok && is_noop_refusal(e)) {
        std::fprintf(stderr, "note: %s \"%s\": %s\n", option.c_str(), visible_text(texts[i]).c_str(), e.what());
        continue;
      }
      report_action_error(option, texts[i], e);
      exit_status() = kExitBadInput;
      return false;
    }
  }
  return true;
}

bool file_exists(const std::string& p) { return ::access(p.c_str(), F_OK) == 0; }

}  // namespace

// ---- tcpsim run --inject / --save-scenario ----

LabRunOptions& lab_run_options() {
  static LabRunOptions o;
  return o;
}

void add_inject_options(CLI::App* run) {
  LabRunOptions& o = lab_run_options();
  run->add_option("--inject", o.inject,
                  "Change the run: an action such as \"150ms: server close conn\" or \"drop 1st F. from server\" "
                  "(repeatable, applied in order; grammar in docs/lab.md)")
      ->group("Lab");
  run->add_option("--save-scenario", o.save, "Write the scenario with the injections written in to this .yaml file")
      ->group("Lab");
  run->add_flag("--force", o.force, "--save-scenario: overwrite an existing file")->group("Lab");
}

std::optional<Scenario> prepare_injected_run(const std::string& file, Scenario sc, const RunOptions& opt) {
  const LabRunOptions& o = lab_run_options();
  if (o.inject.empty() && o.save.empty()) return sc;
  if (!o.save.empty()) {
    std::string err;
    if (!check_writable(o.save, &err)) {
      std::fprintf(stderr, "tcpsim: --save-scenario: %s\n", err.c_str());
      exit_status() = kExitBadInput;
      return std::nullopt;
    }
    if (file_exists(o.save) && !o.force) {
      std::fprintf(stderr, "tcpsim: --save-scenario: '%s' exists (use --force to overwrite it)\n",
                   visible_text(o.save).c_str());
      exit_status() = kExitBadInput;
      return std::nullopt;
    }
  }
  bool ok = true;
  const std::vector<Action> actions = parse_all("--inject", o.inject, &ok);
  if (!ok) {
    exit_status() = kExitBadInput;
    return std::nullopt;
  }
  if (!actions.empty()) {
    Trace base = run_bounded(sc, opt, file);
    if (exit_status() == kExitLimit) return std::nullopt;
    if (!branch_all(&sc, &base, actions, o.inject, "--inject", opt, file, false)) return std::nullopt;
  }
  if (!o.save.empty()) {
    Scenario out = sc;
    // The original's expectations describe the run without the injections:
    // a branch carries expectations written from its own run instead
    // (make_branch), so the saved file passes `tcpsim check`.
    std::string header = "branch of " + file;
    if (!o.inject.empty())
      header += " (its expect: block is written from the branch's own run, not the original's)";
    if (opt.seed) out.seed = *opt.seed;
    if (opt.until != kNever) out.duration = out.duration > 0 ? std::min(out.duration, opt.until) : opt.until;
    for (const auto& t : o.inject) header += "\n  " + action_text(parse_action(t));
    std::string yaml, err;
    try {
      yaml = scenario_to_yaml(out, header);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "tcpsim: --save-scenario: %s\n", e.what());
      exit_status() = kExitFailed;
      return std::nullopt;
    }
    if (!write_stream_atomically(o.save, o.force, [&](std::ostream& f) { f << yaml; }, &err)) {
      std::fprintf(stderr, "tcpsim: --save-scenario: %s\n", err.c_str());
      exit_status() = kExitFailed;
      return std::nullopt;
    }
  }
  return sc;
}

// ---- tcpsim diff ----

namespace {

struct DiffArgs {
  std::string a, b, profile_b, lang = "en";
  std::vector<std::string> inject_b;
  std::size_t width = 160;
  std::size_t rows = 200;
  std::size_t context = 2;
  std::optional<std::uint64_t> seed;
  RunLimits limits;
};

// Cuts `s` to `w` characters (UTF-8 aware), ending in "…" when cut; pads to w.
std::string fit(const std::string& s, std::size_t w) {
  std::string out;
  std::size_t chars = 0, i = 0;
  auto len = [](unsigned char c) { return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4; };
  std::size_t total = 0;
  for (std::size_t k = 0; k < s.size(); k += len(static_cast<unsigned char>(s[k]))) ++total;
  while (i < s.size()) {
    const std::size_t n = len(static_cast<unsigned char>(s[i]));
    if (total > w && chars + 1 >= w) {
      out += "…";
      ++chars;
      break;
    }
    out += s.substr(i, n);
    i += n;
    ++chars;
  }
  if (chars < w) out += std::string(w - chars, ' ');
  return out;
}

std::string describe_side(const std::string& file, const std::string& profile, const std::vector<std::string>& inj) {
  std::string s = file;
  if (!profile.empty()) s += " under profile " + profile;
  for (const auto& i : inj) s += " + \"" + i + "\"";
  return s;
}

void cmd_diff(const DiffArgs& d) {
  if (d.b.empty() && d.profile_b.empty() && d.inject_b.empty()) {
    std::fprintf(stderr,
                 "tcpsim diff: nothing to compare: give a second scenario B, --profile-b PROFILE or --inject-b ACTION\n");
    exit_status() = kExitBadInput;
    return;
  }
  bool ok = true;
  const std::vector<Action> actions = parse_all("--inject-b", d.inject_b, &ok);
  if (!ok) {
    exit_status() = kExitBadInput;
    return;
  }
  auto sa = load_or_report(d.a);
  if (!sa) return;
  std::optional<Scenario> sb = d.b.empty() ? sa : load_or_report(d.b);
  if (!sb) return;
  if (!d.profile_b.empty()) sb = with_profile(*sb, d.profile_b == "linux" ? Profile::Linux : Profile::Rfc9293);
  RunOptions opt;
  opt.limits = d.limits;
  opt.seed = d.seed;
  Trace ta = run_bounded(*sa, opt, d.a);
  if (exit_status() == kExitLimit) return;
  const std::string fb = d.b.empty() ? d.a : d.b;
  Trace tb = run_bounded(*sb, opt, fb);
  if (exit_status() == kExitLimit) return;
  if (!branch_all(&*sb, &tb, actions, d.inject_b, "--inject-b", opt, fb, true)) return;

  const bool zh = d.lang.rfind("zh", 0) == 0;
  const std::string lang = zh ? "zh_CN" : "en";
  auto text = [&](const Trace& t, std::size_t i) {
    return localize_label(format_text(t.events[i], t.meta), lang);
  };
  std::printf("a: %s\nb: %s\n", visible_text(d.a).c_str(),
              visible_text(describe_side(fb, d.profile_b, d.inject_b)).c_str());
  const Divergence dv = first_divergence(ta, tb);
  if (dv.identical) {
    std::printf("identical: the same %zu events\n", ta.events.size());
    exit_status() = kExitOk;
    return;
  }
  std::printf("first divergence: event %zu at t=%s s\n", dv.index, format_time(dv.t).c_str());
  std::printf("  a: %s\n", dv.index < ta.events.size() ? text(ta, dv.index).c_str() : "(the run has ended)");
  std::printf("  b: %s\n", dv.index < tb.events.size() ? text(tb, dv.index).c_str() : "(the run has ended)");

  // Side by side: the two traces aligned on equal event lines (index left out).
  std::vector<std::string> la, lb;
  la.reserve(ta.events.size());
  lb.reserve(tb.events.size());
  for (const auto& e : ta.events) la.push_back(event_line_without_index(e, ta.meta));
  for (const auto& e : tb.events) lb.push_back(event_line_without_index(e, tb.meta));
  const std::vector<DiffRow> rows = diff_lines(la, lb);
  const std::size_t col = d.width > 20 ? (d.width - 16) / 2 : 20;
  std::vector<bool> show(rows.size(), false);
  for (std::size_t r = 0; r < rows.size(); ++r)
    if (rows[r].a < 0 || rows[r].b < 0)
      for (std::size_t k = r >= d.context ? r - d.context : 0; k <= std::min(rows.size() - 1, r + d.context); ++k)
        show[k] = true;
  std::printf("\nside by side (a | b; '<' only in a, '>' only in b, '|' differ):\n");
  std::size_t printed = 0, hidden_rows = 0;
  bool gap = false;
  auto line = [&](long ia, long ib, char mark) {
    if (printed >= d.rows) {
      ++hidden_rows;
      return;
    }
    if (gap && printed) std::printf("%6s...\n", "");
    gap = false;
    char xa[24] = "", xb[24] = "";
    if (ia >= 0) std::snprintf(xa, sizeof xa, "%ld", ia);
    if (ib >= 0) std::snprintf(xb, sizeof xb, "%ld", ib);
    const std::string left = ia >= 0 ? text(ta, static_cast<std::size_t>(ia)) : "";
    const std::string right = ib >= 0 ? text(tb, static_cast<std::size_t>(ib)) : "";
    std::printf("%5s %s %c %5s %s\n", xa, fit(left, col).c_str(), mark, xb, fit(right, col).c_str());
    ++printed;
  };
  for (std::size_t r = 0; r < rows.size();) {
    if (rows[r].a >= 0 && rows[r].b >= 0) {
      if (show[r]) line(rows[r].a, rows[r].b, ' ');
      else gap = true;
      ++r;
      continue;
    }
    // A block of differing rows: a's lines beside b's, paired in order.
    std::vector<long> A, B;
    for (; r < rows.size() && (rows[r].a < 0 || rows[r].b < 0); ++r) {
      if (rows[r].a >= 0) A.push_back(rows[r].a);
      if (rows[r].b >= 0) B.push_back(rows[r].b);
    }
    for (std::size_t j = 0; j < std::max(A.size(), B.size()); ++j) {
      const long ia = j < A.size() ? A[j] : -1, ib = j < B.size() ? B[j] : -1;
      line(ia, ib, ia >= 0 && ib >= 0 ? '|' : ia >= 0 ? '<' : '>');
    }
  }
  if (hidden_rows) std::printf("... %zu more rows (raise --rows)\n", hidden_rows);
  std::printf("\n%s\n", zh ? "不同之处（a | b）：" : "differences (a | b):");
  for (const auto& l : describe_differences(ta, tb, lang)) std::printf("  %s\n", l.c_str());
  exit_status() = kExitFailed;
}

}  // namespace

void add_lab_commands(CLI::App& app) {
  auto* c = app.add_subcommand(
      "diff", "Run two scenarios (or one under --profile-b / with --inject-b) and compare their traces (exit 1 if they differ)");
  static DiffArgs d;
  c->add_option("A", d.a, "Scenario file (.yaml)")->required()->check(CLI::ExistingFile);
  c->add_option("B", d.b, "Second scenario file (default: A again)")->check(CLI::ExistingFile);
  c->add_option("--profile-b", d.profile_b, "Run B (or A) with every host under this profile: linux | rfc9293")
      ->check(CLI::IsMember({"linux", "rfc9293"}));
  c->add_option("--inject-b", d.inject_b, "An action written into B before it runs (repeatable; docs/lab.md)");
  c->add_option("--lang", d.lang, "en | zh_CN")->check(CLI::IsMember({"en", "zh", "zh_CN"}));
  c->add_option("--width", d.width, "Width of the side-by-side view in characters (default 160)")
      ->check(CLI::Range(std::size_t{40}, std::size_t{1000}));
  c->add_option("--rows", d.rows, "Most rows of the side-by-side view (default 200)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30));
  c->add_option("--context", d.context, "Equal events shown around each difference (default 2)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1000}));
  add_seed_option(c, d.seed);
  add_limit_options(c, d.limits);
  c->callback([] { cmd_diff(d); });
}

}  // namespace tcpsim::cli
