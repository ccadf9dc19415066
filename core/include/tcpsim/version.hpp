// tcpsim — what this build is: the version (CMake's project version), the git
// commit it was built from ("unknown" outside a git checkout, "-dirty" with
// uncommitted changes) and the licence. Linked from the tcpsim_version
// library, which is regenerated at every build (cmake/version.cmake).
#pragma once

#include <string>

namespace tcpsim {
const char* version();     // "0.1.0"
const char* git_commit();  // "6057273a1b2c" or "6057273a1b2c-dirty" or "unknown"
const char* licence();     // "MIT"
// "tcpsim 0.1.0 (commit 6057273a1b2c), MIT licence"
inline std::string version_line(const std::string& program = "tcpsim") {
  return program + " " + version() + " (commit " + git_commit() + "), " + licence() + " licence";
}
}  // namespace tcpsim
