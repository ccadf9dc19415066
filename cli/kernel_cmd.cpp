// Placeholder: `tcpsim kernel-run` / `kernel-diff` are being built (issue 3).
#include <CLI/CLI.hpp>

#include "commands.hpp"

namespace tcpsim::cli {
void add_kernel_commands(CLI::App& app) { (void)app; }
}  // namespace tcpsim::cli
