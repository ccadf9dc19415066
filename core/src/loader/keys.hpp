// tcpsim — the vocabulary of the scenario format, as the loader accepts it.
// Tests use these lists to check that scenarios/README.md documents every
// key the loader accepts (so the documentation cannot drift from the code).
#pragma once

#include <string>
#include <vector>

namespace tcpsim::loader {

const std::vector<std::string>& top_level_keys();
const std::vector<std::string>& step_actions();
const std::vector<std::string>& sysctl_names();
const std::vector<std::string>& call_names();

}  // namespace tcpsim::loader
