// tcpsim property tests — the long sweep (issue 6): many random scenarios,
// shrinking and printing each failure.
//   tcpsim_property_sweep [--count N] [--first SEED] [--max-conns N] [--determinism-every K] [--reports N]
//   tcpsim_property_sweep --print SEED   (the generated scenario file, for tcpsim run)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "known_bugs.hpp"
#include "runner.hpp"

int main(int argc, char** argv) {
  std::uint64_t count = 100000, first = 1;
  int max_conns = 50, det = 10;
  std::size_t reports = 5;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "tcpsim_property_sweep: option %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    auto number = [&](const char* v) -> std::uint64_t {
      char* end = nullptr;
      const unsigned long long n = std::strtoull(v, &end, 10);
      if (!*v || *end) {
        std::fprintf(stderr, "tcpsim_property_sweep: option %s wants a number, got '%s'\n", a.c_str(), v);
        std::exit(2);
      }
      return n;
    };
    if (a == "--count") count = number(value());
    else if (a == "--first") first = number(value());
    else if (a == "--max-conns") max_conns = static_cast<int>(number(value()));
    else if (a == "--determinism-every") det = static_cast<int>(number(value()));
    else if (a == "--reports") reports = number(value());
    else if (a == "--print") {
      std::printf("%s", tcpsim::prop::to_yaml(tcpsim::prop::generate(number(value()), max_conns)).c_str());
      return 0;
    } else if (a == "--help" || a == "-h") {
      std::printf("usage: tcpsim_property_sweep [--count N] [--first SEED] [--max-conns N] "
                  "[--determinism-every K] [--reports N] [--print SEED]\n");
      return 0;
    } else {
      std::fprintf(stderr, "tcpsim_property_sweep: unknown option '%s' (see --help)\n", a.c_str());
      return 2;
    }
  }
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::string> known;
  const auto r = tcpsim::prop::sweep(first, count, max_conns, det, tcpsim::prop::known_core_bug, &known, reports);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (const auto& rep : r.reports) std::printf("%s\n", rep.c_str());
  std::printf("scenarios: %llu (seeds %llu..%llu), failed: %llu, known core bugs hit: %zu, events: %llu, %.1f s\n",
              static_cast<unsigned long long>(r.scenarios), static_cast<unsigned long long>(first),
              static_cast<unsigned long long>(first + count - 1), static_cast<unsigned long long>(r.failed),
              known.size(), static_cast<unsigned long long>(r.events), secs);
  for (std::size_t i = 0; i < known.size() && i < 20; ++i) std::printf("  known: %s\n", known[i].c_str());
  return r.failed == 0 ? 0 : 1;
}
