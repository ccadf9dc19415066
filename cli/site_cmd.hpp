// tcpsim site — a static web site of scenarios (cli/site_cmd.cpp, docs/html.md).
#pragma once

namespace CLI {
class App;
}

namespace tcpsim::cli {

// Registers `tcpsim site OUT/ [FILES...]` (called by add_export_command:
// the site is made of the same exports).
void add_site_command(CLI::App& app);

}  // namespace tcpsim::cli
