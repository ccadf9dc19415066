// tcpsim — "did you mean": the edit distance that the CLI (subcommands and
// options) and the lab's action grammar (docs/lab.md) use to suggest the word
// a user probably meant.
#pragma once

#include <cstddef>
#include <string>

namespace tcpsim {
// Levenshtein distance: insertions, deletions and substitutions cost 1.
std::size_t edit_distance(const std::string& a, const std::string& b);
}  // namespace tcpsim
