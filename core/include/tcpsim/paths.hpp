// tcpsim — where the installed data is. A packaged tcpsim (the .deb, or
// `cmake --install`) finds its catalogue beside its program:
// <prefix>/bin/tcpsim -> <prefix>/share/tcpsim/scenarios. A program run from
// the build tree has no such folder and uses the source tree's catalogue.
#pragma once

#include <string>

namespace tcpsim {
// <dir of this program>/../share/tcpsim/scenarios if it is a directory
// (read from /proc/self/exe), else "".
std::string installed_catalogue_dir();
// installed_catalogue_dir(), or else `fallback` (the source tree's).
std::string catalogue_dir(const std::string& fallback);
}  // namespace tcpsim
