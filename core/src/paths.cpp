// tcpsim — finding the installed catalogue (paths.hpp).
#include "tcpsim/paths.hpp"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

namespace tcpsim {

std::string installed_catalogue_dir() {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return {};
  std::string exe(buf, static_cast<std::size_t>(n));
  const auto slash = exe.rfind('/');
  if (slash == std::string::npos) return {};
  const std::string dir = exe.substr(0, slash) + "/../share/tcpsim/scenarios";
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return {};
  return dir;
}

std::string catalogue_dir(const std::string& fallback) {
  std::string d = installed_catalogue_dir();
  return d.empty() ? fallback : d;
}

}  // namespace tcpsim
