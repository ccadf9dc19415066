// tcpsim ss FILE --at T: what `ss -tan[l][o][i][p]`, `netstat -ant` or
// `ss -s` would print on a scenario's host at virtual time T (issue #15;
// core/include/tcpsim/ss.hpp says how each column follows Linux).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include "commands.hpp"
#include "limits.hpp"
#include "tcpsim/spelling.hpp"
#include "tcpsim/ss.hpp"

namespace tcpsim::cli {

namespace {

struct SsArgs {
  std::string file, at, host;
  std::optional<std::uint64_t> seed;
  bool listening = false, processes = false, timers = false, info = false;
  bool netstat = false, summary = false, ids = false;
  RunLimits limits;
};

void cmd_ss(const SsArgs& a) {
  const auto at = parse_duration(a.at);
  if (!at) {  // the validator refuses it first; kept for safety
    std::fprintf(stderr, "tcpsim ss: --at: '%s' is not a time (e.g. 1.5s, 200ms)\n", visible_text(a.at).c_str());
    exit_status() = kExitBadInput;
    return;
  }
  auto sc = load_or_report(a.file);
  if (!sc) return;
  SsFormat f;
  if (!a.host.empty()) {
    for (std::size_t i = 0; i < sc->hosts.size(); ++i)
      if (sc->hosts[i].name == a.host) f.host = static_cast<int>(i);
    if (f.host < 0) {
      std::string names, guess;
      std::size_t best = a.host.size() / 2 + 2;
      for (const auto& h : sc->hosts) {
        names += (names.empty() ? "" : ", ") + h.name;
        const std::size_t d = edit_distance(a.host, h.name);
        if (d < best) best = d, guess = h.name;
      }
      std::fprintf(stderr, "tcpsim ss: --host: %s has no host '%s'%s (hosts: %s)\n", visible_text(a.file).c_str(),
                   visible_text(a.host).c_str(), guess.empty() ? "" : ("; did you mean '" + guess + "'?").c_str(),
                   names.c_str());
      exit_status() = kExitBadInput;
      return;
    }
  }
  f.listening = a.listening;
  f.processes = a.processes;
  f.timers = a.timers;
  f.info = a.info;
  RunOptions opt;
  opt.limits = a.limits;
  opt.seed = a.seed;
  const SsTable t = socket_table(*sc, *at, opt);
  std::string out;
  if (a.summary)
    out = format_ss_summary(t, f);
  else if (a.netstat)
    out = format_netstat(t, f);
  else
    out = format_ss(t, f);
  if (a.ids && !a.summary) {
    // One line per socket: its id in the trace ("sid") and its label.
    out += "\n# tcpsim socket ids (JSONL \"sid\") and labels\n";
    for (const auto& r : t.rows) {
      if (f.host >= 0 && r.host != f.host) continue;
      if (f.listening && r.state != TcpState::Listen) continue;
      out += "# sid " + std::to_string(r.sock) + "  " + t.hosts[r.host].name + "  " + endpoint_string(r.lip, r.lport) +
             " " + (r.listening ? std::string("*:*") : endpoint_string(r.rip, r.rport)) + "  " + ss_state_name(r.state) +
             "  " + (r.label.empty() ? std::string("-") : r.label) + "\n";
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  if (!t.stopped_by.empty()) {
    std::fprintf(stderr, "%s: %s; the table is the one at t=%s s\n", visible_text(a.file).c_str(),
                 t.stopped_by.c_str(), format_time(t.reached).c_str());
    exit_status() = kExitLimit;
  }
}

}  // namespace

void add_ss_command(CLI::App& app) {
  static SsArgs a;
  auto* c = app.add_subcommand(
      "ss", "What ss -tanoip (or netstat -ant, ss -s) would print on a host at a virtual time");
  c->add_option("FILE", a.file, "Scenario file (.yaml)")->required()->check(CLI::ExistingFile);
  c->add_option("--at", a.at, "Virtual time of the snapshot (e.g. 1.5s, 200ms); every event at that time included")
      ->required()
      ->check(CLI::Validator(
          [](std::string& s) -> std::string {
            if (!parse_duration(s)) return "'" + visible_text(s) + "' is not a time (e.g. 1.5s, 200ms, 2min)";
            return {};
          },
          "TIME"));
  c->add_option("--host", a.host, "Only this host (default: every host, one section each)");
  c->add_flag("-l,--listening", a.listening, "Only listening sockets (ss -l)");
  c->add_flag("-p,--processes", a.processes, "Owners: users:((\"proc\",pid=N,fd=N)) (ss -p)");
  c->add_flag("-o,--timers", a.timers, "Timers: timer:(on|keepalive|timewait|persist,left,count) (ss -o)");
  c->add_flag("-i,--info", a.info, "A second line of TCP information per socket (ss -i)");
  auto* ns = c->add_flag("--netstat", a.netstat, "netstat -ant's layout");
  auto* sm = c->add_flag("--summary", a.summary, "ss -s-like counts, and sockets per state");
  ns->excludes(sm);
  c->add_flag("--ids", a.ids, "Also list each socket's trace id (JSONL \"sid\") and label");
  add_seed_option(c, a.seed);
  add_limit_options(c, a.limits);
  c->callback([] { cmd_ss(a); });
}

}  // namespace tcpsim::cli
