// tcpsim — scenario file arguments shared by every command that takes
// several (check, kernel-diff, ...): `tcpsim check scenarios/*.yaml` also
// names the catalogue's generated index, scenarios/index.yaml, which lists
// the scenarios and is not one. Every command skips it the same way, here
// (is_catalogue_index() is the loader's, which list_catalogue uses too).
#include <cstdio>
#include <string>
#include <vector>

#include "commands.hpp"
#include "tcpsim/loader.hpp"

namespace tcpsim::cli {

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
