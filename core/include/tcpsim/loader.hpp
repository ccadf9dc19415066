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
      // Shown visibly: a file name or a quoted value may hold ESC, a newline
      // that would fake a second "file:1:1:" line, a BOM or a NUL.
      : std::runtime_error(visible_text(loc.str()) + ": " + visible_text(message)),
        loc_(std::move(loc)),
        message_(visible_text(message)) {}
  const Loc& loc() const { return loc_; }
  const std::string& message() const { return message_; }  // without the location

  // Every error found in one file: what() has one "file:line:col: message"
  // line for each, in file order, then `note` (if any) on a line of its own;
  // loc() and message() are the first error's.
  static LoadError several(std::vector<LoadError> errors, const std::string& note);
  std::size_t count() const { return count_; }  // errors in what()

 private:
  LoadError(const std::string& what, Loc loc, std::string message, std::size_t count)
      : std::runtime_error(what), loc_(std::move(loc)), message_(std::move(message)), count_(count) {}
  Loc loc_;
  std::string message_;
  std::size_t count_ = 1;
};

// "" when `path` is a regular file; otherwise why it cannot be a scenario
// ("is a FIFO (named pipe), not a scenario file; ..."). Never opens it.
std::string check_regular_file(const std::string& path);

// Loads and validates a scenario file (regular files only). Throws LoadError.
Scenario load_scenario_file(const std::string& path);
// Loads from text; `path` is used for messages and the scenario name.
Scenario load_scenario_string(const std::string& text, const std::string& path);

// Whether `path` names the catalogue's generated index (scenarios/index.yaml,
// scripts/gen-index.sh): the name index.yaml is reserved for it in any
// folder of scenarios. Every place that takes a folder or a glob of
// scenarios skips the index with this (list_catalogue; tcpsim check,
// kernel-diff, ... through cli/scenario_args.cpp).
bool is_catalogue_index(const std::string& path);

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
