// tcpsim — writing a Scenario back as a scenario file (format in
// scenarios/README.md, read by loader.hpp).
//
// Used by the lab (issue #13, docs/lab.md) to save a branch, and by
// `tcpsim run F --save-scenario OUT.yaml`. The output is the scenario in
// canonical form: fixed key order, every string quoted so that any text
// loads back exactly, durations in the loader's syntax at microsecond
// resolution, and only what the loader would not default anyway. The
// original file's comments, key order and spelling are not kept.
//
// Guarantees (tests/lab/writer_test.cpp checks them on the whole catalogue):
//  - load_scenario_string(scenario_to_yaml(s)) runs to the same trace, byte
//    for byte, and checks the same as `s`;
//  - the output is deterministic, and writing a reloaded scenario gives the
//    same bytes again (scenario_to_yaml is idempotent through the loader).
#pragma once

#include <string>

#include "tcpsim/scenario.hpp"

namespace tcpsim {

// The scenario file for `s`. `header_comment` (any text, may be multi-line)
// is written first as `#` comment lines, e.g. "branch of normal-close.yaml:
// drop 1st F. from server". Only the explicitly set sysctls
// (HostSpec::sysctl_overrides) are written, under their Linux names.
// Throws std::invalid_argument, naming the host/process/step, when `s` holds
// something the file format cannot express (a fault that matches by a field
// the loader cannot set, a value out of the loader's range, ...), rather
// than writing a file that would load differently.
std::string scenario_to_yaml(const Scenario& s, const std::string& header_comment = "");

}  // namespace tcpsim
