// tcpsim — "did you mean": the edit distance that the CLI (subcommands and
// options) and the lab's action grammar (docs/lab.md) use to suggest the word
// a user probably meant.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace tcpsim {
// Levenshtein distance: insertions, deletions and substitutions cost 1.
std::size_t edit_distance(const std::string& a, const std::string& b);
// The closest of `names` to `word` if it is close enough to be a typo (or
// `word` begins it), else "".
std::string closest_word(const std::string& word, const std::vector<std::string>& names);
}  // namespace tcpsim
