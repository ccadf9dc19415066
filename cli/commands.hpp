// tcpsim command line: each command family registers its subcommands here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tcpsim/scenario.hpp"
#include "tcpsim/simulation.hpp"

namespace CLI {
class App;
}

namespace tcpsim::cli {

// Exit statuses shared by every subcommand.
constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;   // an expectation, comparison or export failed
constexpr int kExitBadInput = 2; // bad scenario file, option or argument
constexpr int kExitLimit = 3;    // a run limit (--max-events, --max-time, ...) ended a run
constexpr int kExitNoMemory = 4; // out of memory (std::bad_alloc)

// The status main() returns; subcommand callbacks set it.
int& exit_status();

// Loads a scenario; on error prints "file:line:col: message" to stderr, sets
// exit_status() to kExitBadInput and returns nullopt.
std::optional<Scenario> load_or_report(const std::string& path);

// Scenario file arguments of a command that takes several (a shell glob
// such as scenarios/*.yaml): every file but the catalogue's generated index
// (tcpsim::is_catalogue_index, loader.hpp), which is skipped
// with a note on stdout unless `quiet`. When only the index is left, says
// so on stderr and sets exit_status() to kExitBadInput. (cli/scenario_args.cpp)
std::vector<std::string> scenario_file_args(const std::vector<std::string>& args, bool quiet);

// Output folders (cli/export_cmd.cpp): is `path` a directory; is it an
// existing directory with nothing in it.
bool is_dir(const std::string& path);
bool dir_empty(const std::string& path);

void add_core_commands(CLI::App& app);    // run, check, list, replay (cli/core_cmds.cpp)
void add_export_command(CLI::App& app);   // export (cli/export_cmd.cpp)
void add_kernel_commands(CLI::App& app);  // kernel-run, kernel-diff (cli/kernel_cmd.cpp)
void add_lab_commands(CLI::App& app);     // diff (cli/lab_cmd.cpp)
void add_packetdrill_command(CLI::App& app);  // packetdrill (cli/packetdrill_cmd.cpp)
void add_ss_command(CLI::App& app);       // ss (cli/ss_cmd.cpp)

// run --inject ACTION... --save-scenario OUT.yaml [--force] (cli/lab_cmd.cpp).
struct LabRunOptions {
  std::vector<std::string> inject;
  std::string save;
  bool force = false;
};
LabRunOptions& lab_run_options();
void add_inject_options(CLI::App* run);
// The scenario `run` should run: `sc` with every --inject written in (and
// saved if --save-scenario). nullopt, with exit_status() set, on an error.
std::optional<Scenario> prepare_injected_run(const std::string& file, Scenario sc, const RunOptions& opt);

}  // namespace tcpsim::cli
