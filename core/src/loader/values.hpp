// tcpsim — typed reading of YAML values for the scenario loader. Every
// reader names the key and what it expected in its error message, at the
// position of the offending value.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "loader/yaml_tree.hpp"
#include "tcpsim/loader.hpp"
#include "tcpsim/types.hpp"

namespace tcpsim::loader {

struct Ctx {
  std::string file;
  Loc loc(const YNode* n) const { return Loc{file, n->line, n->col}; }
  [[noreturn]] void fail(const YNode* n, const std::string& msg) const {
    throw LoadError(loc(n), msg);
  }
};

std::string join(const std::vector<std::string>& v, const char* sep = ", ");
// How a value is shown in a message: 'text' (shortened), a list, a map, nothing.
std::string shown(const YNode* n);

// A YAML map with a fixed set of allowed keys. `what` names it in messages
// ("listen", "process 'server'"); `owner` is the node that a "missing key"
// error points at (the map's own key, usually).
class MapIn {
 public:
  MapIn(const Ctx& c, const YNode* n, std::string what, std::vector<std::string> keys,
        const YNode* owner = nullptr);
  const YNode* get(const std::string& key) const { return n_->find(key); }
  const YNode* key(const std::string& key) const { return n_->key_node(key); }
  const YNode* need(const std::string& key) const;
  const YNode* node() const { return n_; }
  const YNode* owner() const { return owner_; }
  const std::string& what() const { return what_; }

 private:
  const Ctx& c_;
  const YNode* n_;
  const YNode* owner_;
  std::string what_;
};

std::string get_string(const Ctx& c, const YNode* n, const std::string& key);
// Integer in [lo, hi], strict decimal.
std::int64_t get_int(const Ctx& c, const YNode* n, const std::string& key, std::int64_t lo,
                     std::int64_t hi);
std::uint64_t get_uint(const Ctx& c, const YNode* n, const std::string& key, std::uint64_t hi);
bool get_bool(const Ctx& c, const YNode* n, const std::string& key);
// A duration ("200ms", "1.5s", bare number = seconds), at least `min_us`.
Time get_duration(const Ctx& c, const YNode* n, const std::string& key, Time min_us = 0);
// A probability: 0..1 or "5%".
double get_probability(const Ctx& c, const YNode* n, const std::string& key);
TcpState get_state(const Ctx& c, const YNode* n, const std::string& key);
std::uint8_t get_flags(const Ctx& c, const YNode* n, const std::string& key);
// One of `choices`; returns its index.
std::size_t get_choice(const Ctx& c, const YNode* n, const std::string& key,
                       const std::vector<std::string>& choices);
// A name usable in labels and `to:` (letters, digits, '_', '-', '.').
std::string get_name(const Ctx& c, const YNode* n, const std::string& key);
bool valid_name(const std::string& s);
const std::vector<const YNode*>& get_list(const Ctx& c, const YNode* n, const std::string& key);
Text get_text(const Ctx& c, const YNode* n, const std::string& key);
// "1Gbit", "10Mbit", "100kbit", "9600bit" or a number of bits per second.
std::uint64_t get_rate(const Ctx& c, const YNode* n, const std::string& key);

}  // namespace tcpsim::loader
