// tcpsim — the YAML layer of the scenario loader.
//
// yaml-cpp's Node API hides what a strict loader needs (it keeps duplicate
// keys silently, gives a missing key no position, accepts an unclosed quote
// at the end of the file, reports byte columns, and recurses as deep as the
// input asks). So the loader drives yaml-cpp's event parser itself and
// builds its own small tree, checking on the way:
//   - the raw text first: valid UTF-8, no control characters, a size limit;
//   - one document, nesting at most kMaxDepth levels, at most kMaxNodes
//     values after expanding aliases (no "billion laughs");
//   - keys are plain scalars and never repeated in one map;
//   - every quoted scalar is really closed in the text;
//   - no explicit YAML tags (`!!int`, `!foo`): the loader decides types.
// Every position is 1-based, and the column counts characters (not bytes),
// as an editor shows it.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "tcpsim/scenario.hpp"

namespace tcpsim::loader {

constexpr int kMaxDepth = 64;
constexpr std::size_t kMaxNodes = 200000;
constexpr std::size_t kMaxFileBytes = 4u << 20;  // 4 MiB

struct YNode {
  enum class Kind { Null, Scalar, Seq, Map } kind = Kind::Null;
  int line = 1, col = 1;
  std::string value;         // Scalar
  bool quoted = false;       // Scalar written in quotes or as a block (| or >)
  std::vector<const YNode*> items;                             // Seq
  std::vector<std::pair<const YNode*, const YNode*>> pairs;    // Map (key is a Scalar)
  std::size_t weight = 1;    // values in this subtree, aliases expanded

  bool is_null() const {
    return kind == Kind::Null ||
           (kind == Kind::Scalar && !quoted &&
            (value == "~" || value == "null" || value == "Null" || value == "NULL"));
  }
  bool is_scalar() const { return kind == Kind::Scalar && !is_null(); }
  bool is_seq() const { return kind == Kind::Seq; }
  bool is_map() const { return kind == Kind::Map; }
  // nullptr when absent.
  const YNode* find(const std::string& key) const;
  const YNode* key_node(const std::string& key) const;
};

// The parsed document; owns every node.
struct YDoc {
  std::vector<std::unique_ptr<YNode>> arena;
  const YNode* root = nullptr;   // nullptr: the file holds no document
};

// Parses `text` (the file's bytes). Throws LoadError with `file` and the
// position of the problem.
YDoc parse_yaml(const std::string& text, const std::string& file);

}  // namespace tcpsim::loader
