// A fresh folder under /tmp for one test, removed with everything in it.
#pragma once

#include <stdlib.h>

#include <cstddef>
#include <filesystem>
#include <string>

namespace tcpsim::testing {

struct TempDir {
  std::filesystem::path p;
  explicit TempDir(const char* tag = "robust") {
    std::string tmpl = std::string("/tmp/tcpsim-") + tag + "-XXXXXX";
    p = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(p, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::size_t entries() const {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(p)) ++n;
    return n;
  }
};

}  // namespace tcpsim::testing
