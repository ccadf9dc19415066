// tcpsim — command-line front end: run, check, list, replay, export,
// kernel-run, kernel-diff, diff. `tcpsim SUBCOMMAND --help` documents each.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>
#include <iostream>

#include "commands.hpp"
#include "tcpsim/version.hpp"
#include "tcpsim/loader.hpp"
#include "tcpsim/spelling.hpp"

namespace tcpsim::cli {

int& exit_status() {
  static int status = kExitOk;
  return status;
}

std::optional<Scenario> load_or_report(const std::string& path) {
  try {
    return load_scenario_file(path);
  } catch (const LoadError& e) {
    std::fprintf(stderr, "%s\n", e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), e.what());
  }
  exit_status() = kExitBadInput;
  return std::nullopt;
}

namespace {

// "unknown command 'rnu'; did you mean 'run'?" before CLI11's generic message.
bool unknown_subcommand(const CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return false;
  const std::string word = argv[1];
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
    if (sub->get_name() == word) return false;
  }
  std::string msg = "tcpsim: unknown command '" + tcpsim::visible_text(word) + "'";
  const std::string guess = closest_word(word, names);
  if (!guess.empty()) msg += "; did you mean '" + guess + "'?";
  std::string all;
  for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
  std::fprintf(stderr, "%s\nCommands: %s. Run 'tcpsim --help'.\n", msg.c_str(), all.c_str());
  return true;
}

// For each --option on the command line that its subcommand does not know:
// the closest one it has. Returns how many there were.
int suggest_options(CLI::App& app, int argc, char** argv) {
  if (argc < 2) return 0;
  const CLI::App* sub = nullptr;
  for (const CLI::App* s : app.get_subcommands([](const CLI::App*) { return true; }))
    if (s->get_name() == argv[1]) sub = s;
  if (!sub) return 0;
  int unknown = 0;
  std::vector<std::string> names;
  for (const CLI::Option* o : sub->get_options())
    for (const auto& l : o->get_lnames()) names.push_back("--" + l);
  for (int i = 2; i < argc; ++i) {
    const std::string x = argv[i];
    if (x.rfind("--", 0) != 0 || x == "--") continue;
    const std::string word = x.substr(0, x.find('='));
    if (word == "--help" || std::find(names.begin(), names.end(), word) != names.end()) continue;
    ++unknown;
    const std::string guess = closest_word(word, names);
    if (!guess.empty())
      std::fprintf(stderr, "tcpsim: unknown option '%s'; did you mean '%s'?\n", tcpsim::visible_text(word).c_str(),
                   guess.c_str());
    else
      std::fprintf(stderr, "tcpsim: unknown option '%s' for 'tcpsim %s'\n", tcpsim::visible_text(word).c_str(),
                   sub->get_name().c_str());
  }
  return unknown;
}

}  // namespace

}  // namespace tcpsim::cli

int main(int argc, char** argv) {
  using namespace tcpsim::cli;
  CLI::App app{"tcpsim: a TCP state-machine simulator faithful to Linux"};
  app.set_version_flag("--version", tcpsim::version_line("tcpsim"));
  app.require_subcommand(1, 1);
  app.fallthrough(false);
  add_core_commands(app);
  add_export_command(app);
  add_kernel_commands(app);
  add_lab_commands(app);
  add_packetdrill_command(app);
  add_ss_command(app);
  if (unknown_subcommand(app, argc, argv)) return kExitBadInput;
  try {
    app.parse(argc, argv);
  } catch (const std::bad_alloc&) {
    // A run too big for this machine's memory (e.g. a trace of a huge send):
    // say so instead of aborting.
    std::fflush(stdout);
    std::fprintf(stderr,
                 "tcpsim: out of memory; the run's trace did not fit. Bound it with --max-events or "
                 "--max-time, or use 'tcpsim run --format summary', which keeps no trace\n");
    return kExitNoMemory;
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ExtrasError& e) {
    std::cerr << "tcpsim: " << tcpsim::visible_text(e.what()) << "\n";
    suggest_options(app, argc, argv);
    std::cerr << "Run 'tcpsim --help' or 'tcpsim SUBCOMMAND --help'.\n";
    return kExitBadInput;
  } catch (const CLI::ParseError& e) {
    // Unknown options, missing arguments, bad values: name them, exit 2.
    // An unknown option comes first: it is the cause when its value was
    // taken for the FILE ("--sede 1 x.yaml": "FILE: File does not exist: 1").
    if (suggest_options(app, argc, argv) == 0) std::cerr << "tcpsim: " << tcpsim::visible_text(e.what()) << "\n";
    std::cerr << "Run 'tcpsim --help' or 'tcpsim SUBCOMMAND --help'.\n";
    return kExitBadInput;
  }
  return exit_status();
}
