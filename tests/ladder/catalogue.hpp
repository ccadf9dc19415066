// The catalogue as the ladder tests use it: scenario names (no .yaml, not
// the index), sorted, and one scenario's trace.
#pragma once

#include <dirent.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "tcpsim/loader.hpp"
#include "tcpsim/simulation.hpp"

namespace tcpsim::testing {

inline std::vector<std::string> catalogue_names() {
  std::vector<std::string> v;
  if (DIR* d = ::opendir(TCPSIM_SCENARIOS)) {
    while (dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n.size() > 5 && n.substr(n.size() - 5) == ".yaml" && n != "index.yaml") v.push_back(n.substr(0, n.size() - 5));
    }
    ::closedir(d);
  }
  std::sort(v.begin(), v.end());
  return v;
}

inline std::shared_ptr<const Trace> catalogue_trace(const std::string& name) {
  return std::make_shared<const Trace>(
      run_scenario(load_scenario_file(std::string(TCPSIM_SCENARIOS) + "/" + name + ".yaml")));
}

}  // namespace tcpsim::testing
