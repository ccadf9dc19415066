// tcpsim — command-line front end: run, check, list, replay, export,
// kernel-run, kernel-diff. `tcpsim SUBCOMMAND --help` documents each.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "tcpsim/loader.hpp"

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

}  // namespace tcpsim::cli

int main(int argc, char** argv) {
  using namespace tcpsim::cli;
  CLI::App app{"tcpsim: a TCP state-machine simulator faithful to Linux"};
  app.set_version_flag("--version", std::string("tcpsim ") + TCPSIM_VERSION);
  app.require_subcommand(1, 1);
  app.fallthrough(false);
  add_core_commands(app);
  add_export_command(app);
  add_kernel_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // Unknown options, missing arguments, bad values: name them, exit 2.
    std::cerr << "tcpsim: " << e.what() << "\n";
    std::cerr << "Run 'tcpsim --help' or 'tcpsim SUBCOMMAND --help'.\n";
    return kExitBadInput;
  }
  return exit_status();
}
