// catalogue_index DIR: prints the catalogue index (scenarios/index.yaml) of
// the scenario files in DIR. Used by scripts/gen-index.sh.
#include <cstdio>
#include <iostream>

#include "catalogue_index.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: catalogue_index SCENARIO_DIR > index.yaml\n";
    return 2;
  }
  std::vector<std::string> errors;
  const std::string text = tcpsim::catalogue::render_index(argv[1], &errors);
  for (const auto& e : errors) std::cerr << e << "\n";
  if (!errors.empty()) return 2;
  std::cout << text;
  return 0;
}
