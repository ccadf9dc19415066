// tcpsim — the YAML layer of the scenario loader (see yaml_tree.hpp).
#include "loader/yaml_tree.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>
#include <unordered_map>

#include "tcpsim/loader.hpp"

namespace tcpsim::loader {

const YNode* YNode::find(const std::string& key) const {
  for (const auto& [k, v] : pairs)
    if (k->value == key) return v;
  return nullptr;
}

const YNode* YNode::key_node(const std::string& key) const {
  for (const auto& [k, v] : pairs)
    if (k->value == key) return k;
  return nullptr;
}

namespace {

// Byte offset -> 1-based line and character column.
class Positions {
 public:
  explicit Positions(const std::string& text) : text_(text) {
    starts_.push_back(0);
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') {
        starts_.push_back(i + 1);
      } else if (text[i] == '\r') {
        if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
        starts_.push_back(i + 1);
      }
    }
  }
  std::pair<int, int> at(long pos) const {
    if (pos < 0) pos = 0;
    std::size_t p = std::min(static_cast<std::size_t>(pos), text_.size());
    auto it = std::upper_bound(starts_.begin(), starts_.end(), p);
    std::size_t line = static_cast<std::size_t>(it - starts_.begin());  // 1-based
    std::size_t start = starts_[line - 1];
    // Positions mostly come in increasing order: continue counting from the
    // last one on the same line, so a very long line is not rescanned.
    std::size_t from = start;
    int col = 1;
    if (cache_line_ == line && cache_pos_ <= p) {
      from = cache_pos_;
      col = cache_col_;
    }
    for (std::size_t i = from; i < p; ++i)
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++col;
    cache_line_ = line;
    cache_pos_ = p;
    cache_col_ = col;
    return {static_cast<int>(line), col};
  }

 private:
  const std::string& text_;
  std::vector<std::size_t> starts_;
  mutable std::size_t cache_line_ = 0, cache_pos_ = 0;
  mutable int cache_col_ = 1;
};

[[noreturn]] void fail_at(const std::string& file, const Positions& pos, long at,
                          const std::string& msg) {
  auto [l, c] = pos.at(at);
  throw LoadError(Loc{file, l, c}, msg);
}

std::string hex_byte(unsigned char b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", b);
  return buf;
}

// Valid UTF-8, no control characters other than tab and line breaks.
void check_raw_text(const std::string& t, const std::string& file, const Positions& pos) {
  const auto* s = reinterpret_cast<const unsigned char*>(t.data());
  std::size_t n = t.size();
  for (std::size_t i = 0; i < n;) {
    unsigned char b = s[i];
    if (b < 0x80) {
      if ((b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == 0x7f)
        fail_at(file, pos, static_cast<long>(i),
                "control character " + hex_byte(b) +
                    " is not allowed in a scenario file (is this a binary file?)");
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) len = 2;
    else if (b == 0xE0) { len = 3; lo = 0xA0; }
    else if (b >= 0xE1 && b <= 0xEC) len = 3;
    else if (b == 0xED) { len = 3; hi = 0x9F; }
    else if (b >= 0xEE && b <= 0xEF) len = 3;
    else if (b == 0xF0) { len = 4; lo = 0x90; }
    else if (b >= 0xF1 && b <= 0xF3) len = 4;
    else if (b == 0xF4) { len = 4; hi = 0x8F; }
    bool ok = len != 0 && i + len <= n;
    for (std::size_t k = 1; ok && k < len; ++k) {
      unsigned char c = s[i + k];
      unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
      if (c < l || c > h) ok = false;
    }
    if (!ok)
      fail_at(file, pos, static_cast<long>(i),
              "invalid UTF-8 (byte " + hex_byte(b) + "); save the file as UTF-8 text");
    i += len;
  }
}

std::string friendly_yaml_error(const std::string& msg) {
  static const std::map<std::string, std::string> kFriendly = {
      {YAML::ErrorMsg::END_OF_SEQ_FLOW, "a '[' list is not closed with ']'"},
      {YAML::ErrorMsg::END_OF_MAP_FLOW, "a '{' map is not closed with '}'"},
      {YAML::ErrorMsg::FLOW_END, "a ']' or '}' that closes nothing"},
      {YAML::ErrorMsg::EOF_IN_SCALAR, "unterminated string: the file ends inside quotes"},
      {YAML::ErrorMsg::DOC_IN_SCALAR, "unterminated string: a document marker inside quotes"},
      {YAML::ErrorMsg::MAP_VALUE, "unexpected ':' (check the indentation, or quote the value)"},
      {YAML::ErrorMsg::MAP_KEY, "unexpected key (check the indentation)"},
      {YAML::ErrorMsg::BLOCK_ENTRY,
       "unexpected '- ' list entry (check the indentation)"},
      {YAML::ErrorMsg::TAB_IN_INDENTATION, "tab in indentation; indent with spaces"},
      {YAML::ErrorMsg::END_OF_MAP, "a map is not closed (check the indentation)"},
      {YAML::ErrorMsg::END_OF_SEQ, "a list is not closed (check the indentation)"},
      {YAML::ErrorMsg::UNKNOWN_ANCHOR, "alias '*' names an anchor '&' that is not defined"},
  };
  auto it = kFriendly.find(msg);
  if (it != kFriendly.end()) return "YAML syntax error: " + it->second;
  return "YAML syntax error: " + msg;
}

class Builder : public YAML::EventHandler {
 public:
  Builder(YDoc& doc, const std::string& text, const std::string& file, const Positions& pos)
      : doc_(doc), text_(text), file_(file), pos_(pos) {}

  int documents = 0;

  void OnDocumentStart(const YAML::Mark& m) override {
    if (++documents > 1)
      fail(m, "a scenario file holds one YAML document; remove the second one ('---')");
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& m, YAML::anchor_t anchor) override {
    YNode* n = make(m, YNode::Kind::Null);
    // yaml-cpp marks an empty value where the next token starts (often the
    // next line); point at its key instead, where the value is missing.
    if (!stack_.empty() && stack_.back().node->kind == YNode::Kind::Map && stack_.back().key) {
      n->line = stack_.back().key->line;
      n->col = stack_.back().key->col;
    }
    remember(anchor, n);
    attach(m, n);
  }

  void OnAlias(const YAML::Mark& m, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end())
      fail(m, "alias '*' names an anchor '&' that is not defined");
    const YNode* target = it->second;
    for (const auto& f : stack_)
      if (f.node == target) fail(m, "an alias cannot refer to a value that contains it");
    if (static_cast<int>(stack_.size()) + height_of(target) > kMaxDepth)
      fail(m, "nesting is deeper than " + std::to_string(kMaxDepth) + " levels");
    attach(m, target);
  }

  void OnScalar(const YAML::Mark& m, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    check_tag(m, tag);
    YNode* n = make(m, YNode::Kind::Scalar);
    n->value = value;
    n->quoted = tag == "!";
    if (n->quoted) check_closed_quote(m);
    check_scalar_text(m, value);
    remember(anchor, n);
    attach(m, n);
  }

  void OnSequenceStart(const YAML::Mark& m, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(m, tag, anchor, YNode::Kind::Seq);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& m, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(m, tag, anchor, YNode::Kind::Map);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Frame {
    YNode* node;
    const YNode* key = nullptr;  // Map: key waiting for its value
    YAML::Mark mark;
    std::unordered_map<std::string, int> keys;  // Map: key -> line, to find duplicates
  };

  [[noreturn]] void fail(const YAML::Mark& m, const std::string& msg) {
    fail_at(file_, pos_, m.pos, msg);
  }

  YNode* make(const YAML::Mark& m, YNode::Kind k) {
    if (static_cast<int>(stack_.size()) + 1 > kMaxDepth)
      fail(m, "nesting is deeper than " + std::to_string(kMaxDepth) + " levels");
    doc_.arena.push_back(std::make_unique<YNode>());
    YNode* n = doc_.arena.back().get();
    n->kind = k;
    auto [l, c] = pos_.at(m.pos);
    n->line = l;
    n->col = c;
    return n;
  }

  // Escapes such as "\e", "\a", "\r", "\x00" or "\u009b" put control
  // characters into a value that the raw-text check never saw; they would
  // reach terminals (screen clears, OSC 52 clipboard writes) and make SVG/DOT
  // invalid. Tab and newline are text; nothing else below 0x20 is.
  void check_scalar_text(const YAML::Mark& m, const std::string& v) {
    const auto* b = reinterpret_cast<const unsigned char*>(v.data());
    for (std::size_t i = 0; i < v.size(); ++i) {
      unsigned c = b[i];
      bool bad = (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f;
      if (!bad && c == 0xC2 && i + 1 < v.size() && b[i + 1] >= 0x80 && b[i + 1] <= 0x9F) {
        bad = true;  // C1 controls U+0080..U+009F (e.g. CSI U+009B)
        c = b[i + 1];
      }
      if (bad)
        fail(m, "control character " + hex_byte(static_cast<unsigned char>(c)) +
                    " in a value (written as an escape); scenario text may hold tabs and newlines only");
    }
  }

  void check_tag(const YAML::Mark& m, const std::string& tag) {
    // `! Base` has the non-specific tag "!", as a quoted scalar does: tell
    // them apart by the text at the node.
    if (tag == "!" && m.pos >= 0 && static_cast<std::size_t>(m.pos) < text_.size() &&
        text_[static_cast<std::size_t>(m.pos)] == '!')
      fail(m, "YAML tags such as '!' are not used in scenario files; remove the tag");
    if (!tag.empty() && tag != "?" && tag != "!") {
      std::string shown = tag.rfind("tag:yaml.org,2002:", 0) == 0 ? "!!" + tag.substr(18) : tag;
      fail(m, "YAML tags such as '" + shown.substr(0, 40) +
                  "' are not used in scenario files; remove the tag");
    }
  }

  // yaml-cpp accepts `key: "text` at the end of the file as if the quote
  // were closed. Look at the text itself.
  void check_closed_quote(const YAML::Mark& m) {
    if (m.pos < 0 || static_cast<std::size_t>(m.pos) >= text_.size()) return;
    std::size_t i = static_cast<std::size_t>(m.pos);
    char q = text_[i];
    if (q != '"' && q != '\'') return;  // a block scalar (| or >)
    for (++i; i < text_.size(); ++i) {
      char c = text_[i];
      if (q == '"' && c == '\\') { ++i; continue; }
      if (c == q) {
        if (q == '\'' && i + 1 < text_.size() && text_[i + 1] == '\'') { ++i; continue; }
        return;
      }
    }
    fail(m, std::string("unterminated string: the ") + (q == '"' ? "\"" : "'") +
                " that opens it is never closed");
  }

  void remember(YAML::anchor_t anchor, const YNode* n) {
    if (anchor != YAML::NullAnchor) anchors_[anchor] = n;
  }

  int height_of(const YNode* n) const {
    auto it = heights_.find(n);
    return it == heights_.end() ? 1 : it->second;
  }

  void open(const YAML::Mark& m, const std::string& tag, YAML::anchor_t anchor, YNode::Kind k) {
    check_tag(m, tag);
    YNode* n = make(m, k);
    remember(anchor, n);
    stack_.push_back(Frame{n, nullptr, m, {}});
  }

  void close() {
    Frame f = std::move(stack_.back());
    if (f.node->kind == YNode::Kind::Map && f.key)  // cannot happen: yaml-cpp pairs them
      fail(f.mark, "a key without a value");
    stack_.pop_back();
    int h = 1;
    for (const YNode* c : f.node->items) h = std::max(h, 1 + height_of(c));
    for (const auto& [k, v] : f.node->pairs) h = std::max(h, 1 + height_of(v));
    if (h > 1) heights_[f.node] = h;
    attach(f.mark, f.node);
  }

  void attach(const YAML::Mark& m, const YNode* n) {
    if (stack_.empty()) {
      doc_.root = n;
      return;
    }
    Frame& top = stack_.back();
    YNode* parent = top.node;
    parent->weight += n->weight;
    if (parent->weight > kMaxNodes)
      fail(m, "the document is too large: more than " + std::to_string(kMaxNodes) +
                  " values (after expanding aliases)");
    if (parent->kind == YNode::Kind::Seq) {
      parent->items.push_back(n);
      return;
    }
    if (!top.key) {
      if (n->kind != YNode::Kind::Scalar || n->is_null())
        fail(m, n->kind == YNode::Kind::Seq   ? "a key must be a name, not a list"
                : n->kind == YNode::Kind::Map ? "a key must be a name, not a map"
                                              : "a key is missing before ':'");
      auto [it, fresh] = top.keys.emplace(n->value, n->line);
      if (!fresh)
        fail(m, "duplicate key '" + n->value.substr(0, 60) + "' (first at line " +
                    std::to_string(it->second) + ")");
      top.key = n;
      return;
    }
    parent->pairs.emplace_back(top.key, n);
    top.key = nullptr;
  }

  YDoc& doc_;
  const std::string& text_;
  const std::string& file_;
  const Positions& pos_;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, const YNode*> anchors_;
  std::map<const YNode*, int> heights_;
};

}  // namespace

// One document and nothing around it: no directives (%YAML, %TAG), no text
// after the end marker `...`. `text` has LF line ends.
void check_document_frame(const std::string& text, const std::string& file, const Positions& pos) {
  bool ended = false;
  std::size_t ended_at = 0;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    std::size_t first = line.find_first_not_of(" \t");
    bool blank = first == std::string_view::npos || line[first] == '#';
    if (!line.empty() && line[0] == '%')
      fail_at(file, pos, static_cast<long>(start),
              "YAML directives such as '%YAML' or '%TAG' are not used in scenario files; remove the line");
    if (ended && !blank)
      fail_at(file, pos, static_cast<long>(start),
              "text after the document end marker '...' (line " +
                  std::to_string(pos.at(static_cast<long>(ended_at)).first) +
                  "); a scenario file holds one document");
    if (line.substr(0, 3) == "..." && (line.size() == 3 || line[3] == ' ' || line[3] == '\t')) {
      ended = true;
      ended_at = start;
    }
    start = end + 1;
  }
}

YDoc parse_yaml(const std::string& raw, const std::string& file) {
  // A UTF-8 byte order mark is allowed and ignored (editors on Windows add it).
  std::string text =
      raw.compare(0, 3, "\xEF\xBB\xBF") == 0 ? raw.substr(3) : raw;
  if (text.size() > kMaxFileBytes) {
    Positions pos(text);
    fail_at(file, pos, 0, "the file is larger than 4 MiB; a scenario file is a few KiB");
  }
  // CRLF (Windows) and CR (old Mac) line ends read as LF; yaml-cpp knows
  // only LF. Lines and columns are unchanged by this.
  if (text.find('\r') != std::string::npos) {
    std::string lf;
    lf.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\r') {
        lf += '\n';
        if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
      } else {
        lf += text[i];
      }
    }
    text.swap(lf);
  }
  Positions pos(text);
  check_raw_text(text, file, pos);
  check_document_frame(text, file, pos);

  YDoc doc;
  Builder b(doc, text, file, pos);
  std::istringstream in(text);
  try {
    YAML::Parser parser(in);
    if (parser.HandleNextDocument(b)) parser.HandleNextDocument(b);
  } catch (const YAML::DeepRecursion& e) {
    fail_at(file, pos, e.mark.pos,
            "nesting is deeper than " + std::to_string(kMaxDepth) + " levels");
  } catch (const YAML::ParserException& e) {
    // yaml-cpp rarely says so when a tab indents a line: look for one up to
    // the line of the error, and report it rather than the symptom.
    long err = e.mark.is_null() ? static_cast<long>(text.size()) : e.mark.pos;
    std::size_t line_start = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
      if (i == text.size() || text[i] == '\n') {
        std::size_t j = line_start;
        while (j < i && text[j] == ' ') ++j;
        if (j < i && text[j] == '\t')
          fail_at(file, pos, static_cast<long>(j), "tab in indentation; indent with spaces");
        if (static_cast<long>(i) >= err) break;
        line_start = i + 1;
      }
    }
    fail_at(file, pos, e.mark.is_null() ? static_cast<long>(text.size()) : e.mark.pos,
            friendly_yaml_error(e.msg));
  } catch (const YAML::Exception& e) {
    fail_at(file, pos, e.mark.is_null() ? 0 : e.mark.pos, friendly_yaml_error(e.msg));
  }
  return doc;
}

}  // namespace tcpsim::loader
