// tcpsim — loading scenario files (YAML, format in scenarios/README.md).
//
// Every problem is reported as "file:line:col: message" and nothing is
// silently accepted: unknown keys, wrong types, duplicate keys, unknown hosts
// or socket names, impossible times, unterminated strings.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "tcpsim/scenario.hpp"

namespace tcpsim {

class LoadError : public std::runtime_error {
 public:
  LoadError(Loc loc, const std::string& message)
      : std::runtime_error(loc.str() + ": " + message), loc_(std::move(loc)), message_(message) {}
  const Loc& loc() const { return loc_; }
  const std::string& message() const { return message_; }  // without the location

 private:
  Loc loc_;
  std::string message_;
};

// Loads and validates a scenario file. Throws LoadError.
Scenario load_scenario_file(const std::string& path);
// Loads from text; `path` is used for messages and the scenario name.
Scenario load_scenario_string(const std::string& text, const std::string& path);

// One entry of the catalogue index (scenarios/index.yaml is generated from
// the files themselves; list_catalogue reads the files).
struct CatalogueEntry {
  std::string name, path;
  Text title, summary;
  std::vector<std::string> tags;
};
// Every *.yaml scenario in `dir` (not recursive), sorted by name. Files that
// fail to load are reported in `errors` ("file:line:col: message").
std::vector<CatalogueEntry> list_catalogue(const std::string& dir, std::vector<std::string>* errors);

}  // namespace tcpsim
