// Placeholder: `tcpsim export` is being built (issue 5).
#include <CLI/CLI.hpp>

#include "commands.hpp"

namespace tcpsim::cli {
void add_export_command(CLI::App& app) { (void)app; }
}  // namespace tcpsim::cli
