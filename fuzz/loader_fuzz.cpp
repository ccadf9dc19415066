// libFuzzer target for the scenario loader (tcpsim::load_scenario_string).
//
// Every input must either load or be rejected with a LoadError that carries
// a real position (line >= 1, col >= 1, within the input) and a message.
// Anything else -- another exception, a crash, a hang, a leak, a sanitizer
// report -- is a bug. Build and run: see fuzz/build.sh, fuzz/run.sh and
// docs/robustness.md.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tcpsim/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    tcpsim::Scenario s = tcpsim::load_scenario_string(text, "fuzz.yaml");
    // A loaded scenario always has hosts and processes (both are required).
    if (s.hosts.empty() || s.processes.empty()) {
      std::fprintf(stderr, "loaded a scenario without hosts or processes\n");
      std::abort();
    }
  } catch (const tcpsim::LoadError& e) {
    const tcpsim::Loc& l = e.loc();
    // Lines end at \n, \r\n or a lone \r, as in the loader (and YAML).
    long lines = 1;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') ++lines;
      else if (text[i] == '\r' && !(i + 1 < text.size() && text[i + 1] == '\n')) ++lines;
    }
    bool ok = l.file == "fuzz.yaml" && l.line >= 1 && l.col >= 1 && l.line <= lines + 1 &&
              !e.message().empty() && std::string(e.what()) == l.str() + ": " + e.message();
    if (!ok) {
      std::fprintf(stderr, "LoadError without a proper position: %s\n", e.what());
      std::abort();
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "unexpected exception: %s\n", e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "unexpected non-std exception\n");
    std::abort();
  }
  return 0;
}
