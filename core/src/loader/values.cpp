// tcpsim — typed reading of YAML values for the scenario loader.
#include "loader/values.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace tcpsim::loader {

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) s += sep;
    s += v[i];
  }
  return s;
}

std::string shown(const YNode* n) {
  if (n->is_null()) return "nothing";
  if (n->kind == YNode::Kind::Seq) return "a list";
  if (n->kind == YNode::Kind::Map) return "a map";
  std::string s;
  for (char ch : n->value) {
    if (s.size() >= 40) {
      s += "...";
      break;
    }
    if (ch == '\n') s += "\\n";
    else if (ch == '\t') s += "\\t";
    else if (ch == '\r') s += "\\r";
    else s += ch;
  }
  // Do not cut a UTF-8 sequence in half.
  if (s.size() > 3 && s.compare(s.size() - 3, 3, "...") == 0) {
    std::size_t end = s.size() - 3;
    std::size_t k = end;
    while (k > 0 && (static_cast<unsigned char>(s[k - 1]) & 0xC0) == 0x80) --k;
    if (k > 0 && static_cast<unsigned char>(s[k - 1]) >= 0xC0) {
      unsigned char lead = static_cast<unsigned char>(s[k - 1]);
      std::size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
      if (end - (k - 1) < need) s.erase(k - 1, end - (k - 1));
    }
  }
  return "'" + s + "'";
}

MapIn::MapIn(const Ctx& c, const YNode* n, std::string what, std::vector<std::string> keys,
             const YNode* owner)
    : c_(c), n_(n), owner_(owner ? owner : n), what_(std::move(what)) {
  if (!n->is_map())
    c.fail(n, what_ + " must be a map (keys: " + join(keys) + "), got " + shown(n));
  for (const auto& [k, v] : n->pairs) {
    bool ok = false;
    for (const auto& a : keys)
      if (k->value == a) ok = true;
    if (!ok)
      c.fail(k, "unknown key '" + k->value.substr(0, 60) + "' in " + what_ +
                    "; expected one of: " + join(keys));
  }
}

const YNode* MapIn::need(const std::string& key) const {
  const YNode* v = n_->find(key);
  if (!v) c_.fail(owner_, "missing key '" + key + "' in " + what_);
  return v;
}

static const YNode* scalar_or_fail(const Ctx& c, const YNode* n, const std::string& key,
                                   const std::string& expected) {
  if (!n->is_scalar()) c.fail(n, "'" + key + "' must be " + expected + ", got " + shown(n));
  return n;
}

std::string get_string(const Ctx& c, const YNode* n, const std::string& key) {
  return scalar_or_fail(c, n, key, "text")->value;
}

// Strict decimal integer: [+-]digits. Sets `neg`, `mag` (saturated).
static bool parse_decimal(const std::string& s, bool& neg, unsigned __int128& mag) {
  std::size_t i = 0;
  neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  if (i >= s.size()) return false;
  // YAML 1.2 core schema integers: no leading zeros (YAML 1.1 read 017 as octal 15).
  if (s[i] == '0' && i + 1 < s.size()) return false;
  mag = 0;
  const unsigned __int128 cap = static_cast<unsigned __int128>(1) << 100;
  for (; i < s.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    if (mag < cap) mag = mag * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return true;
}

// A number written in quotes is text, not a number ("80" is not a port).
static void not_quoted(const Ctx& c, const YNode* n, const std::string& key) {
  if (n->quoted)
    c.fail(n, "'" + key + "' must be a whole number, not text in quotes; write it without quotes, got " +
                  shown(n));
}

// Leading zeros and other near-misses get a message that names them.
static void integer_or_fail(const Ctx& c, const YNode* n, const std::string& key) {
  const std::string& v = n->value;
  std::size_t i = !v.empty() && (v[0] == '-' || v[0] == '+') ? 1 : 0;
  if (i + 1 < v.size() && v[i] == '0' &&
      std::all_of(v.begin() + static_cast<std::ptrdiff_t>(i), v.end(),
                  [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); }))
    c.fail(n, "'" + key + "' must be a whole number without leading zeros, got " + shown(n));
  c.fail(n, "'" + key + "' must be a whole number, got " + shown(n));
}

std::int64_t get_int(const Ctx& c, const YNode* n, const std::string& key, std::int64_t lo,
                     std::int64_t hi) {
  scalar_or_fail(c, n, key, "a whole number");
  not_quoted(c, n, key);
  bool neg;
  unsigned __int128 mag;
  if (!parse_decimal(n->value, neg, mag)) integer_or_fail(c, n, key);
  bool below, above;
  __int128 v = 0;
  if (neg) {
    below = mag > static_cast<unsigned __int128>(1) << 63 ||
            -static_cast<__int128>(mag) < static_cast<__int128>(lo);
    above = false;
    if (!below) v = -static_cast<__int128>(mag);
  } else {
    above = mag > static_cast<unsigned __int128>(std::numeric_limits<std::int64_t>::max()) ||
            static_cast<__int128>(mag) > static_cast<__int128>(hi);
    below = !above && static_cast<__int128>(mag) < static_cast<__int128>(lo);
    if (!above) v = static_cast<__int128>(mag);
  }
  if (below || above) {
    std::string range;
    if (below && lo == 0) range = "must not be negative";
    else if (below && hi == std::numeric_limits<std::int64_t>::max())
      range = "must be at least " + std::to_string(lo);
    else if (above && lo == std::numeric_limits<std::int64_t>::min())
      range = "must be at most " + std::to_string(hi);
    else range = "must be between " + std::to_string(lo) + " and " + std::to_string(hi);
    c.fail(n, "'" + key + "' " + range + ", got " + shown(n));
  }
  return static_cast<std::int64_t>(v);
}

std::uint64_t get_uint(const Ctx& c, const YNode* n, const std::string& key, std::uint64_t hi) {
  scalar_or_fail(c, n, key, "a whole number");
  not_quoted(c, n, key);
  bool neg;
  unsigned __int128 mag;
  if (!parse_decimal(n->value, neg, mag)) integer_or_fail(c, n, key);
  if (neg && mag != 0) c.fail(n, "'" + key + "' must not be negative, got " + shown(n));
  if (mag > hi)
    c.fail(n, "'" + key + "' must be between 0 and " + std::to_string(hi) + ", got " + shown(n));
  return static_cast<std::uint64_t>(mag);
}

bool get_bool(const Ctx& c, const YNode* n, const std::string& key) {
  scalar_or_fail(c, n, key, "true or false");
  const std::string& v = n->value;
  if (v == "true" || v == "True" || v == "TRUE" || v == "yes" || v == "Yes") return true;
  if (v == "false" || v == "False" || v == "FALSE" || v == "no" || v == "No") return false;
  c.fail(n, "'" + key + "' must be true or false, got " + shown(n));
}

Time get_duration(const Ctx& c, const YNode* n, const std::string& key, Time min_us) {
  const std::string expected = "a duration like 200ms or 1.5s";
  scalar_or_fail(c, n, key, expected);
  std::string v = n->value;
  bool neg = !v.empty() && v[0] == '-';
  std::optional<Time> d = parse_duration(neg ? std::string_view(v).substr(1) : v);
  if (!d) {
    // A well-formed number with a known unit that parse_duration refused is out of range.
    std::size_t i = neg ? 1 : 0;
    while (i < v.size() && (std::isdigit(static_cast<unsigned char>(v[i])) || v[i] == '.')) ++i;
    std::string unit = v.substr(i);
    const std::string num = v.substr(neg ? 1 : 0, i - (neg ? 1 : 0));
    bool digits = !num.empty() && num.front() != '.' && num.back() != '.';
    if (digits && (unit.empty() || unit == "s" || unit == "ms" || unit == "us" ||
                   unit == "min" || unit == "m" || unit == "h" || unit == "d" || unit == "sec") &&
        std::count(v.begin(), v.end(), '.') <= 1 && v.find_first_of("0123456789") != std::string::npos)
      c.fail(n, "'" + key + "' is too long (at most 1000000000s), got " + shown(n));
    c.fail(n, "'" + key + "' must be " + expected + ", got " + shown(n));
  }
  if (neg && *d != 0) c.fail(n, "'" + key + "' must not be negative");
  if (*d < min_us) {
    if (min_us == 1) c.fail(n, "'" + key + "' must be more than 0");
    c.fail(n, "'" + key + "' must be at least " + format_duration(min_us) + ", got " + shown(n));
  }
  return *d;
}

double get_probability(const Ctx& c, const YNode* n, const std::string& key) {
  const std::string expected = "a probability from 0 to 1 (or a percentage like 5%)";
  scalar_or_fail(c, n, key, expected);
  std::string v = n->value;
  double scale = 1;
  if (!v.empty() && v.back() == '%') {
    v.pop_back();
    scale = 100;
  }
  bool ok = !v.empty();
  for (char ch : v)
    if (!std::isdigit(static_cast<unsigned char>(ch)) && ch != '.') ok = false;
  if (ok && std::count(v.begin(), v.end(), '.') > 1) ok = false;
  if (ok && v == ".") ok = false;
  if (!ok) {
    if (!v.empty() && v[0] == '-') c.fail(n, "'" + key + "' must not be negative, got " + shown(n));
    c.fail(n, "'" + key + "' must be " + expected + ", got " + shown(n));
  }
  double p = std::strtod(v.c_str(), nullptr) / scale;
  if (!std::isfinite(p) || p > 1)
    c.fail(n, "'" + key + "' must be between 0 and 1 (100%), got " + shown(n));
  return p;
}

TcpState get_state(const Ctx& c, const YNode* n, const std::string& key) {
  const std::string expected = "a TCP state like ESTABLISHED or FIN_WAIT_1";
  scalar_or_fail(c, n, key, expected);
  auto s = parse_state(n->value);
  if (!s) c.fail(n, "'" + key + "' must be " + expected + ", got " + shown(n));
  return *s;
}

std::uint8_t get_flags(const Ctx& c, const YNode* n, const std::string& key) {
  const std::string expected = "TCP flags in tcpdump notation like S, S., ., P., F., R";
  scalar_or_fail(c, n, key, expected);
  auto f = parse_flags(n->value);
  if (!f) c.fail(n, "'" + key + "' must be " + expected + ", got " + shown(n));
  return *f;
}

std::size_t get_choice(const Ctx& c, const YNode* n, const std::string& key,
                       const std::vector<std::string>& choices) {
  const std::string expected = "one of: " + join(choices);
  scalar_or_fail(c, n, key, expected);
  for (std::size_t i = 0; i < choices.size(); ++i)
    if (n->value == choices[i]) return i;
  c.fail(n, "'" + key + "' must be " + expected + "; got " + shown(n));
}

bool valid_name(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char ch : s)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_' && ch != '-' && ch != '.' &&
        static_cast<unsigned char>(ch) < 0x80)  // letters of other scripts are fine
      return false;
  return true;
}

std::string get_name(const Ctx& c, const YNode* n, const std::string& key) {
  const std::string expected = "a name of letters, digits, '_', '-' or '.'";
  scalar_or_fail(c, n, key, expected);
  if (!valid_name(n->value))
    c.fail(n, "'" + key + "' must be " + expected + " (at most 64 bytes), got " + shown(n));
  return n->value;
}

const std::vector<const YNode*>& get_list(const Ctx& c, const YNode* n, const std::string& key) {
  if (!n->is_seq()) c.fail(n, "'" + key + "' must be a list, got " + shown(n));
  return n->items;
}

Text get_text(const Ctx& c, const YNode* n, const std::string& key) {
  Text t;
  if (n->is_map()) {
    MapIn m(c, n, "'" + key + "'", {"en", "zh"});
    t.en = get_string(c, m.need("en"), "en");
    if (auto z = m.get("zh")) t.zh = get_string(c, z, "zh");
    return t;
  }
  if (!n->is_scalar())
    c.fail(n, "'" + key + "' must be text or {en: ..., zh: ...}, got " + shown(n));
  t.en = n->value;
  return t;
}

std::uint64_t get_rate(const Ctx& c, const YNode* n, const std::string& key) {
  const std::string expected = "a rate like 1Gbit, 10Mbit, 100kbit or a number of bits/s";
  scalar_or_fail(c, n, key, expected);
  std::string v = n->value;
  std::size_t i = 0;
  while (i < v.size() && (std::isdigit(static_cast<unsigned char>(v[i])) || v[i] == '.')) ++i;
  std::string num = v.substr(0, i), unit = v.substr(i);
  if (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  double mult = 0;
  if (unit.empty() || unit == "bit") mult = 1;
  else if (unit == "kbit" || unit == "Kbit") mult = 1e3;
  else if (unit == "mbit" || unit == "Mbit") mult = 1e6;
  else if (unit == "gbit" || unit == "Gbit") mult = 1e9;
  if (num.empty() || num == "." || std::count(num.begin(), num.end(), '.') > 1 || mult == 0) {
    if (!v.empty() && v[0] == '-') c.fail(n, "'" + key + "' must not be negative, got " + shown(n));
    c.fail(n, "'" + key + "' must be " + expected + ", got " + shown(n));
  }
  double bps = std::strtod(num.c_str(), nullptr) * mult;
  if (!std::isfinite(bps) || bps > 1e13)
    c.fail(n, "'" + key + "' must be at most 10000Gbit, got " + shown(n));
  if (bps > 0 && bps < 1) c.fail(n, "'" + key + "' must be at least 1 bit/s (or 0 = unlimited)");
  return static_cast<std::uint64_t>(std::llround(bps));
}

}  // namespace tcpsim::loader
