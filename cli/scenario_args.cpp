// tcpsim — scenario file arguments shared by every command that takes
// several (check, kernel-diff, ...): `tcpsim check scenarios/*.yaml` also
// names the catalogue's generated index, scenarios/index.yaml, which lists
// the scenarios and is not one. Every command skips it the same way, here.
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "tcpsim/loader.hpp"

namespace tcpsim::cli {

bool is_catalogue_index(const std::string& path) {
  const auto slash = path.find_last_of('/');
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (base != "index.yaml") return false;
  // A scenario someone named index.yaml is still a scenario: the index is
  // the file whose top level is `scenarios:` (scripts/gen-index.sh). Only
  // regular files are opened (a FIFO would block).
  if (!check_regular_file(path).empty()) return false;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  for (int n = 0; n < 200 && std::getline(in, line); ++n)
    if (line.rfind("scenarios:", 0) == 0) return true;
  return false;
}

std::vector<std::string> scenario_file_args(const std::vector<std::string>& args, bool quiet) {
  std::vector<std::string> files;
  for (const auto& f : args) {
    if (is_catalogue_index(f)) {
      if (!quiet)
        std::printf("%s: the catalogue index, not a scenario (skipped)\n", visible_text(f).c_str());
      continue;
    }
    files.push_back(f);
  }
  if (files.empty() && !args.empty()) {
    std::fprintf(stderr, "tcpsim: no scenario file among the arguments (%s is the catalogue index); give "
                         "scenario files such as scenarios/normal-close.yaml\n",
                 visible_text(args.front()).c_str());
    exit_status() = kExitBadInput;
  }
  return files;
}

}  // namespace tcpsim::cli
