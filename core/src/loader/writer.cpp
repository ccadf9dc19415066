// tcpsim — the scenario writer: tcpsim::Scenario -> a scenario file in
// canonical form (format in scenarios/README.md; the inverse of loader.cpp).
//
// Canonical form: keys in one fixed order, two-space indentation, names
// written plain, free text always in double quotes (or a `|` block for
// multi-line text that a block holds exactly), durations at the loader's
// microsecond resolution, and a key only when its value differs from the
// loader's default. Nothing of the original file's layout survives: not its
// comments, nor its key order, nor `link:` (always `links:`), nor the short
// spellings it chose.
//
// Correctness before beauty: scenario_to_yaml() loads what it wrote and
// writes that again; if the two texts differ, or the text does not load,
// it throws std::invalid_argument instead of handing back a file that would
// load as a different scenario.
#include "tcpsim/scenario_writer.hpp"

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "tcpsim/loader.hpp"
#include "loader/profile_defaults.hpp"
#include "loader/sysctl_members.hpp"

namespace tcpsim {

namespace {

[[noreturn]] void cannot(const std::string& what) {
  throw std::invalid_argument("cannot write the scenario as a file: " + what);
}

// ---- scalars ----

bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// A value that reads back as itself when written without quotes, in block
// and in flow context: an ASCII word that YAML gives no other meaning
// (not a boolean, null or number; no ':', '#', ',', brackets, quotes).
bool plain_ok(const std::string& s) {
  if (s.empty() || s.size() > 120) return false;
  if (!is_ascii_alpha(s[0]) && s[0] != '_') return false;
  for (char c : s)
    if (!is_ascii_alpha(c) && !is_ascii_digit(c) && c != '_' && c != '-' && c != '.' && c != '/')
      return false;
  static const char* const kReserved[] = {"true", "false", "yes", "no", "on", "off", "y",
                                          "n",    "null",  "inf", "nan"};
  const std::string l = lower(s);
  for (const char* r : kReserved)
    if (l == r) return false;
  return true;
}

// Control characters cannot be held by a scenario file at all (the loader
// refuses them, even written as escapes): say so, naming the field.
void check_text(const std::string& s, const std::string& field) {
  const auto* b = reinterpret_cast<const unsigned char*>(s.data());
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned c = b[i];
    bool bad = (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f;
    if (!bad && c == 0xC2 && i + 1 < s.size() && b[i + 1] >= 0x80 && b[i + 1] <= 0x9F) bad = true;
    if (bad) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "0x%02x", c);
      cannot(field + " holds the control character " + std::string(buf) +
             "; a scenario file holds tabs and newlines only");
    }
  }
}

// A YAML double-quoted scalar (one line): every character reads back as
// itself. Line and paragraph separators and the BOM are escaped, since YAML
// readers may take them as line breaks or drop them.
std::string dq(const std::string& s) {
  std::string o = "\"";
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"') o += "\\\"";
    else if (c == '\\') o += "\\\\";
    else if (c == '\n') o += "\\n";
    else if (c == '\t') o += "\\t";
    else if (s.compare(i, 3, "\xE2\x80\xA8") == 0) { o += "\\u2028"; i += 2; }
    else if (s.compare(i, 3, "\xE2\x80\xA9") == 0) { o += "\\u2029"; i += 2; }
    else if (s.compare(i, 3, "\xEF\xBB\xBF") == 0) { o += "\\uFEFF"; i += 2; }
    else o += c;
  }
  return o + "\"";
}

std::string str(const std::string& s, const std::string& field) {
  check_text(s, field);
  return plain_ok(s) ? s : dq(s);
}

// A name used as a map key: keys are plain in a scenario file, so a name
// that YAML would read as something else cannot be written.
std::string key(const std::string& s, const std::string& field) {
  check_text(s, field);
  if (s.empty()) cannot(field + " is empty");
  for (char c : s)
    if (c == ' ' || c == '\t' || c == '\n' || c == ':' || c == '"' || c == '\'' || c == ',' ||
        c == '[' || c == ']' || c == '{' || c == '}')
      cannot(field + " '" + s + "' cannot be written as a YAML key");
  return s;
}

// Whether `s` can be a `|` block with the exact same text: several lines of
// printable text, the first not starting with a space (the block's
// indentation is taken from it), no line ending in a space or tab (editors
// strip those), no tab, no separator characters.
bool block_ok(const std::string& s) {
  if (s.find('\n') == std::string::npos) return false;
  if (s[0] == ' ' || s[0] == '\n') return false;
  if (s.find('\t') != std::string::npos) return false;
  for (const char* sep : {"\xE2\x80\xA8", "\xE2\x80\xA9", "\xEF\xBB\xBF", "\xC2\x85"})
    if (s.find(sep) != std::string::npos) return false;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find('\n', start);
    if (end == std::string::npos) end = s.size();
    if (end > start && s[end - 1] == ' ') return false;
    start = end + 1;
  }
  return true;
}

// `key: value` for free text, at `indent`; multi-line text as a block.
void text_line(std::ostream& o, int indent, const std::string& k, const std::string& v,
               const std::string& field) {
  check_text(v, field);
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  if (!block_ok(v)) {
    o << pad << k << ": " << dq(v) << "\n";
    return;
  }
  std::size_t trailing = 0;
  while (trailing < v.size() && v[v.size() - 1 - trailing] == '\n') ++trailing;
  // Chomping: "|-" strips the final line break, "|" keeps one, "|+" all.
  o << pad << k << ": " << (trailing == 0 ? "|-" : trailing == 1 ? "|" : "|+") << "\n";
  const std::string body = v.substr(0, v.size() - trailing);
  std::size_t start = 0;
  while (start <= body.size()) {
    std::size_t end = body.find('\n', start);
    if (end == std::string::npos) end = body.size();
    if (end > start) o << pad << "  " << body.substr(start, end - start);
    o << "\n";
    start = end + 1;
  }
  for (std::size_t i = 1; i < trailing; ++i) o << "\n";
}

// Durations in the loader's syntax (parse_duration), exact to the
// microsecond: whole seconds as "5s", whole milliseconds as "200ms", the
// rest as "1500us".
std::string dur(Time t, const std::string& field) {
  if (t < 0) cannot(field + " is negative (" + std::to_string(t) + " us)");
  if (t > 1000000000000000LL) cannot(field + " is longer than 1000000000s");
  if (t % sec(1) == 0) return std::to_string(t / sec(1)) + "s";
  if (t % msec(1) == 0) return std::to_string(t / msec(1)) + "ms";
  return std::to_string(t) + "us";
}

// The shortest plain decimal (no exponent: the loader takes digits and one
// '.') that strtod reads back as exactly `p`.
std::string prob(double p, const std::string& field) {
  if (!std::isfinite(p) || p < 0 || p > 1)
    cannot(field + " must be a probability from 0 to 1, it is " + std::to_string(p));
  char buf[1200];
  for (int prec = 0; prec <= 1100; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*f", prec, p);
    if (std::strtod(buf, nullptr) == p) return buf;
  }
  cannot(field + ": no exact decimal for " + std::to_string(p));  // unreachable
}

std::string flags_out(std::uint8_t f, const std::string& field) {
  std::string s = flags_string(f);
  auto back = parse_flags(s);
  if (!back || *back != f) cannot(field + " has flags (0x" + std::to_string(f) + ") that tcpdump notation cannot name");
  return plain_ok(s) ? s : dq(s);
}

std::string boolean(bool b) { return b ? "true" : "false"; }

// A flow map "{k: v, k: v}" from already written values.
std::string flow(const std::vector<std::pair<std::string, std::string>>& kv) {
  std::string o = "{";
  for (std::size_t i = 0; i < kv.size(); ++i) {
    if (i) o += ", ";
    o += kv[i].first + ": " + kv[i].second;
  }
  return o + "}";
}

std::string flow_list(const std::vector<std::string>& items) {
  std::string o = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) o += ", ";
    o += items[i];
  }
  return o + "]";
}

std::string pad(int n) { return std::string(static_cast<std::size_t>(n), ' '); }

// ---- the document ----

class Writer {
 public:
  explicit Writer(const Scenario& s) : s_(s) {}
  std::string write(const std::string& header);

 private:
  const Scenario& s_;
  std::ostringstream o_;

  void text(const std::string& k, const Text& t, bool required);
  void hosts();
  void links();
  void faults();
  void processes();
  void script(const std::vector<Step>& steps, int indent, const std::string& proc,
              const std::string& where);
  void step(const Step& st, int indent, const std::string& proc, const std::string& where);
  std::string trigger(const Trigger& t, const std::string& where) const;
  void expect();
};

void Writer::text(const std::string& k, const Text& t, bool required) {
  if (!required && t.en.empty() && t.zh.empty()) return;
  if (t.zh.empty()) {
    text_line(o_, 0, k, t.en, "'" + k + "'");
    return;
  }
  o_ << k << ":\n";
  text_line(o_, 2, "en", t.en, "'" + k + "' (en)");
  text_line(o_, 2, "zh", t.zh, "'" + k + "' (zh)");
}

// Linux sysctls as the loader reads them: one member each, then the port range.
using SysctlOut = SysctlMember;
const std::vector<SysctlOut>& sysctl_outs() {
  static const std::vector<SysctlOut> d = [] {
    std::vector<SysctlOut> v = sysctl_members();
    v.push_back({"net.ipv4.ip_local_port_range", nullptr, nullptr});
    return v;
  }();
  return d;
}

void Writer::hosts() {
  o_ << "hosts:\n";
  for (const HostSpec& h : s_.hosts) {
    const Sysctls def = loader::profile_defaults(h.profile);  // what the loader starts from
    const std::string where = "host '" + h.name + "'";
    // The sysctls a file cannot set must have their defaults.
    const Sysctls& y = h.sysctls;
    struct Fixed { const char* name; bool same; };
    const Fixed fixed[] = {{"rto_min", y.rto_min == def.rto_min},
                           {"rto_initial", y.rto_initial == def.rto_initial},
                           {"rto_max", y.rto_max == def.rto_max},
                           {"delack_min", y.delack_min == def.delack_min},
                           {"mss", y.mss == def.mss},
                           {"rcvbuf", y.rcvbuf == def.rcvbuf},
                           {"sndbuf", y.sndbuf == def.sndbuf}};
    for (const auto& f : fixed)
      if (!f.same)
        cannot(where + " has " + f.name + " changed from its default; scenario files cannot set it");
    for (const auto& [name, value] : h.sysctl_overrides) {
      bool known = false;
      for (const auto& d : sysctl_outs()) known = known || name == d.name;
      if (!known) cannot(where + " overrides the unknown sysctl '" + name + "'");
    }
    // Explicitly set sysctls, and any other that differs from Linux's
    // default, with the value the host really has.
    std::vector<std::pair<std::string, std::string>> sysctls;
    for (const auto& d : sysctl_outs()) {
      const bool explicit_set = h.sysctl_overrides.count(d.name) > 0;
      std::string value;
      bool differs;
      if (d.i) {
        value = std::to_string(y.*(d.i));
        differs = y.*(d.i) != def.*(d.i);
      } else if (d.t) {
        const Time t = y.*(d.t);
        if (t % sec(1) != 0 || t < 0)
          cannot(where + ": " + d.name + " must be whole seconds (Linux counts it in seconds), it is " +
                 std::to_string(t) + " us");
        value = std::to_string(t / sec(1));
        differs = t != def.*(d.t);
      } else {
        value = dq(std::to_string(y.port_lo) + " " + std::to_string(y.port_hi));
        differs = y.port_lo != def.port_lo || y.port_hi != def.port_hi;
      }
      if (explicit_set || differs) sysctls.emplace_back(d.name, value);
    }
    std::vector<std::pair<std::string, std::string>> kv;
    kv.emplace_back("ip", ip_string(h.ip));
    if (h.profile != Profile::Linux) kv.emplace_back("profile", "rfc9293");
    if (y.time_wait != def.time_wait) kv.emplace_back("time_wait", dur(y.time_wait, where + " time_wait"));
    if (h.forward) kv.emplace_back("forward", "true");
    if (h.nat) {
      std::string in;
      for (const std::string& n : h.nat->inside) in += (in.empty() ? "" : ", ") + key(n, "nat inside");
      kv.emplace_back("nat", "{inside: [" + in + "]" +
                                 (h.nat->policy == NatPolicy::Rst ? ", policy: rst}" : "}"));
    }
    if (sysctls.empty()) {
      o_ << "  " << key(h.name, "host name") << ": " << flow(kv) << "\n";
      continue;
    }
    o_ << "  " << key(h.name, "host name") << ":\n";
    for (const auto& [k, v] : kv) o_ << "    " << k << ": " << v << "\n";
    o_ << "    sysctl:\n";
    for (const auto& [k, v] : sysctls) o_ << "      " << k << ": " << v << "\n";
  }
}

void Writer::links() {
  // The loader's default: one default link between every pair of hosts.
  const LinkSpec def;
  bool is_default = true;
  std::size_t n = 0;
  for (std::size_t i = 0; i < s_.hosts.size() && is_default; ++i)
    for (std::size_t j = i + 1; j < s_.hosts.size() && is_default; ++j, ++n) {
      if (n >= s_.links.size()) { is_default = false; break; }
      const LinkSpec& l = s_.links[n];
      is_default = l.a == s_.hosts[i].name && l.b == s_.hosts[j].name && l.delay == def.delay &&
                   l.jitter == def.jitter && l.loss == def.loss && l.duplicate == def.duplicate &&
                   l.reorder == def.reorder && l.reorder_gap == def.reorder_gap &&
                   l.rate_bps == def.rate_bps;
    }
  if (is_default && n == s_.links.size()) return;
  if (s_.links.empty()) {
    o_ << "links: []\n";
    return;
  }
  o_ << "links:\n";
  for (std::size_t i = 0; i < s_.links.size(); ++i) {
    const LinkSpec& l = s_.links[i];
    const std::string where = "link " + std::to_string(i + 1) + " (" + l.a + " - " + l.b + ")";
    std::vector<std::pair<std::string, std::string>> kv;
    kv.emplace_back("between", flow_list({str(l.a, where), str(l.b, where)}));
    if (l.delay != def.delay) kv.emplace_back("delay", dur(l.delay, where + " delay"));
    if (l.jitter != def.jitter) kv.emplace_back("jitter", dur(l.jitter, where + " jitter"));
    if (l.loss != def.loss) kv.emplace_back("loss", prob(l.loss, where + " loss"));
    if (l.duplicate != def.duplicate) kv.emplace_back("duplicate", prob(l.duplicate, where + " duplicate"));
    if (l.reorder != def.reorder) kv.emplace_back("reorder", prob(l.reorder, where + " reorder"));
    if (l.reorder_gap != def.reorder_gap)
      kv.emplace_back("reorder_gap", dur(l.reorder_gap, where + " reorder_gap"));
    if (l.rate_bps != def.rate_bps) {
      if (l.rate_bps > 10000000000000ULL) cannot(where + " rate is above 10000Gbit");
      // In the largest unit that keeps it exact (get_rate multiplies a
      // whole number by 1e3, 1e6 or 1e9: exact in a double up to 1e13).
      const std::uint64_t r = l.rate_bps;
      kv.emplace_back("rate", r % 1000000000 == 0 ? std::to_string(r / 1000000000) + "Gbit"
                              : r % 1000000 == 0  ? std::to_string(r / 1000000) + "Mbit"
                              : r % 1000 == 0     ? std::to_string(r / 1000) + "kbit"
                                                  : std::to_string(r));
    }
    o_ << "  - " << flow(kv) << "\n";
  }
}

void Writer::faults() {
  if (s_.faults.empty()) return;
  o_ << "faults:\n";
  for (std::size_t i = 0; i < s_.faults.size(); ++i) {
    const FaultSpec& f = s_.faults[i];
    const std::string where = "fault " + std::to_string(i + 1);
    std::vector<std::pair<std::string, std::string>> kv;
    std::string label = f.label;
    switch (f.kind) {
      case FaultKind::Drop:
      case FaultKind::Delay:
      case FaultKind::Duplicate: {
        // An unlabelled segment rule is named in the trace by its file and
        // line (network.cpp); keep that name, so the trace stays the same
        // wherever the written file lives.
        if (label.empty()) {
          if (f.loc.line <= 0)
            cannot(where + " has neither a label nor a place in a file, so its trace cannot be "
                           "reproduced; give it a label");
          const auto slash = f.loc.file.rfind('/');
          label = (slash == std::string::npos ? f.loc.file : f.loc.file.substr(slash + 1)) + ":" +
                  std::to_string(f.loc.line);
        }
        const SegmentMatch& m = f.match;
        std::vector<std::pair<std::string, std::string>> mk;
        if (!m.from.empty()) mk.emplace_back("from", str(m.from, where + " from"));
        if (m.flags) mk.emplace_back("flags", flags_out(*m.flags, where + " flags"));
        if (m.has) mk.emplace_back("has", flags_out(m.has, where + " has"));
        if (m.data) mk.emplace_back("data", boolean(*m.data));
        if (m.nth < 1) cannot(where + " nth must be 1 or more, it is " + std::to_string(m.nth));
        if (m.count < 0) cannot(where + " count must not be negative");
        if (m.nth != 1) mk.emplace_back("nth", std::to_string(m.nth));
        if (m.count != 1) mk.emplace_back("count", std::to_string(m.count));
        const char* kind = f.kind == FaultKind::Drop ? "drop" : f.kind == FaultKind::Delay ? "delay" : "duplicate";
        if (f.kind == FaultKind::Delay || (f.kind == FaultKind::Duplicate && f.delay != 0))
          mk.emplace_back("by", dur(f.delay, where + " by"));
        kv.emplace_back(kind, flow(mk));
        break;
      }
      case FaultKind::LinkDown:
      case FaultKind::LinkUp:
        kv.emplace_back("at", dur(f.at, where + " at"));
        kv.emplace_back("link", f.kind == FaultKind::LinkDown ? "down" : "up");
        if (f.link_a.empty() != f.link_b.empty())
          cannot(where + " names one end of a link only");
        if (!f.link_a.empty())
          kv.emplace_back("between", flow_list({str(f.link_a, where), str(f.link_b, where)}));
        break;
      case FaultKind::Inject: {
        const InjectSpec& in = f.inject;
        kv.emplace_back("at", dur(f.at, where + " at"));
        auto ref = [&](const SeqRef& r, const char* k) {
          if (r.base == SeqRef::Base::Number) {
            if (r.offset < 0 || r.offset > 4294967295LL) cannot(where + " " + k + " is out of range");
            return std::to_string(r.offset);
          }
          std::string t = r.base == SeqRef::Base::RcvNxt ? "rcv_nxt" : r.base == SeqRef::Base::SndNxt ? "snd_nxt" : "snd_una";
          if (r.offset) t += (r.offset > 0 ? "+" : "-") + std::to_string(r.offset > 0 ? r.offset : -r.offset);
          return t;
        };
        std::vector<std::pair<std::string, std::string>> ik;
        ik.emplace_back("to", str(in.to, where + " to"));
        ik.emplace_back("flags", flags_out(in.flags, where + " flags"));
        if (!(in.seq.base == SeqRef::Base::RcvNxt && in.seq.offset == 0)) ik.emplace_back("seq", ref(in.seq, "seq"));
        if (in.flags & kAck) {
          if (!(in.ack.base == SeqRef::Base::SndNxt && in.ack.offset == 0)) ik.emplace_back("ack", ref(in.ack, "ack"));
        } else if (!(in.ack.base == SeqRef::Base::Number && in.ack.offset == 0)) {
          cannot(where + " has an acknowledgement number without the ACK flag");
        }
        if (!in.from.empty()) ik.emplace_back("from", str(in.from, where + " from"));
        if (!in.spoof) ik.emplace_back("spoof", "false");
        if (in.len) ik.emplace_back("bytes", std::to_string(in.len));
        if (in.win) ik.emplace_back("window", std::to_string(*in.win));
        kv.emplace_back("inject", flow(ik));
        break;
      }
      case FaultKind::Sysctl: {
        kv.emplace_back("at", dur(f.at, where + " at"));
        std::vector<std::pair<std::string, std::string>> sk;
        sk.emplace_back("host", str(f.host, where + " host"));
        if (f.sysctls.empty()) cannot(where + " changes no sysctl");
        for (const auto& [name, value] : f.sysctls) {
          check_text(value, where + " " + name);
          sk.emplace_back(name, value.find(' ') != std::string::npos ? dq(value) : value);
        }
        kv.emplace_back("sysctl", flow(sk));
        break;
      }
      case FaultKind::Crash:
      case FaultKind::Reboot:
        kv.emplace_back("at", dur(f.at, where + " at"));
        kv.emplace_back(f.kind == FaultKind::Crash ? "crash" : "reboot", str(f.host, where + " host"));
        break;
    }
    if (!label.empty()) {
      check_text(label, where + " label");
      kv.emplace_back("label", dq(label));
    }
    o_ << "  - " << flow(kv) << "\n";
  }
}

std::string Writer::trigger(const Trigger& t, const std::string& where) const {
  static const char* const kEvents[] = {"", "", "eof", "readable", "closed", "reset", "writable"};
  std::vector<std::pair<std::string, std::string>> kv;
  kv.emplace_back("socket", str(t.sock, where + " socket"));
  switch (t.kind) {
    case Trigger::Kind::None: cannot(where + " has no condition");
    case Trigger::Kind::State: kv.emplace_back("state", state_name(t.state)); break;
    default: kv.emplace_back("event", kEvents[static_cast<int>(t.kind)]); break;
  }
  return flow(kv);
}

void Writer::processes() {
  o_ << "processes:\n";
  for (const ProcessSpec& p : s_.processes) {
    const std::string where = "process '" + p.name + "'";
    o_ << "  " << key(p.name, "process name") << ":\n";
    o_ << "    host: " << str(p.host, where + " host") << "\n";
    if (p.ignore_sigpipe) o_ << "    sigpipe: ignore\n";
    if (p.fd_limit != 1024) o_ << "    fd_limit: " << p.fd_limit << "\n";
    if (p.start != 0) o_ << "    start: " << dur(p.start, where + " start") << "\n";
    o_ << "    run:\n";
    script(p.script, 6, p.name, where);
  }
}

void Writer::script(const std::vector<Step>& steps, int indent, const std::string& proc,
                    const std::string& where) {
  if (steps.empty()) {
    // `run: []`: rewrite the line just written ("run:\n") in flow form.
    std::string s = o_.str();
    s.pop_back();
    o_.str("");
    o_ << s << " []\n";
    return;
  }
  for (std::size_t i = 0; i < steps.size(); ++i)
    step(steps[i], indent, proc, where + ", step " + std::to_string(i + 1));
}

void Writer::step(const Step& st, int indent, const std::string& proc, const std::string& where0) {
  const std::string where = where0 + " (" + step_kind_name(st.kind) + ")";
  // Timing and error policy first, then the action (as the catalogue does).
  std::vector<std::pair<std::string, std::string>> head;
  if (st.at && st.after) cannot(where + " has both 'at' and 'after'");
  if (st.at) head.emplace_back("at", dur(*st.at, where + " at"));
  if (st.after) head.emplace_back("after", dur(*st.after, where + " after"));
  if (st.kind != StepKind::Wait && st.when.kind != Trigger::Kind::None)
    head.emplace_back("when", trigger(st.when, where + " when"));
  if (st.on_error != OnError::Stop)
    head.emplace_back("on_error", st.on_error == OnError::Continue ? "continue" : "exit");
  if (st.retry_count > 0) {
    std::vector<std::pair<std::string, std::string>> rk;
    rk.emplace_back("count", std::to_string(st.retry_count));
    if (st.retry_backoff != sec(1)) rk.emplace_back("backoff", dur(st.retry_backoff, where + " retry backoff"));
    if (st.retry_factor != 2) rk.emplace_back("factor", std::to_string(st.retry_factor));
    head.emplace_back("retry", flow(rk));
  }

  const std::string sock = st.sock.empty() ? std::string() : str(st.sock, where + " socket");
  auto need_sock = [&] {
    if (st.sock.empty()) cannot(where + " names no socket");
  };
  auto need_as = [&] {
    if (st.as.empty()) cannot(where + " binds its result to no name ('as')");
    return str(st.as, where + " as");
  };
  std::string action;   // the action key
  std::string value;    // its value on the same line, or empty for a nested map
  std::vector<std::pair<std::string, std::string>> nested;  // nested map before `run:`
  const std::vector<Step>* body = nullptr;
  std::string body_proc = proc;
  std::vector<std::pair<std::string, std::string>> kv;

  switch (st.kind) {
    case StepKind::Socket:
      kv.emplace_back("as", need_as());
      break;
    case StepKind::Bind:
      need_sock();
      kv.emplace_back("socket", sock);
      kv.emplace_back("port", std::to_string(st.port));
      break;
    case StepKind::Listen:
      if (!st.sock.empty()) {
        kv.emplace_back("socket", sock);
      } else {
        if (st.port == 0) cannot(where + " listens on port 0");
        kv.emplace_back("port", std::to_string(st.port));
      }
      if (st.backlog < 0) cannot(where + " backlog is negative");
      if (st.backlog != 128) kv.emplace_back("backlog", std::to_string(st.backlog));
      if (st.sock.empty()) kv.emplace_back("as", need_as());
      break;
    case StepKind::Accept:
      need_sock();
      kv.emplace_back("socket", sock);
      kv.emplace_back("as", need_as());
      break;
    case StepKind::Connect: {
      if (st.port == 0) cannot(where + " connects to port 0");
      check_text(st.to_host, where + " to");
      // An address written as one (127.0.0.1, a host's ip) is written back so.
      const std::string to = (st.to_ip ? ip_string(st.to_ip) : st.to_host) + ":" + std::to_string(st.port);
      kv.emplace_back("to", dq(to));
      if (!st.sock.empty()) kv.emplace_back("socket", sock);
      else kv.emplace_back("as", need_as());
      if (st.from_port) kv.emplace_back("from_port", std::to_string(st.from_port));
      break;
    }
    case StepKind::Send:
      need_sock();
      kv.emplace_back("socket", sock);
      kv.emplace_back("bytes", std::to_string(st.bytes));
      if (st.nosignal) kv.emplace_back("nosignal", "true");
      break;
    case StepKind::Recv:
      need_sock();
      kv.emplace_back("socket", sock);
      if (st.bytes && st.until_eof) cannot(where + " reads both a byte count and until EOF");
      if (st.bytes) kv.emplace_back("bytes", std::to_string(st.bytes));
      if (st.until_eof) kv.emplace_back("until", "eof");
      break;
    case StepKind::Shutdown:
      need_sock();
      kv.emplace_back("socket", sock);
      kv.emplace_back("how", st.how == ShutHow::Rd ? "rd" : st.how == ShutHow::Wr ? "wr" : "rdwr");
      break;
    case StepKind::Close:
      need_sock();
      action = "close";
      value = sock;
      break;
    case StepKind::SetSockOpt:
      need_sock();
      kv.emplace_back("socket", sock);
      switch (st.opt) {
        case SockOpt::Linger:
          if (!st.on) {
            if (st.value != 0) cannot(where + ": SO_LINGER off with a time");
            kv.emplace_back("linger", "off");
          } else {
            if (st.value < 0 || st.value > INT32_MAX) cannot(where + ": linger time out of range");
            kv.emplace_back("linger", std::to_string(st.value));
          }
          break;
        case SockOpt::RcvBuf:
          if (!st.on || st.value < 1 || st.value > INT32_MAX)
            cannot(where + ": rcvbuf must be from 1 to 2147483647 bytes");
          kv.emplace_back("rcvbuf", std::to_string(st.value));
          break;
        case SockOpt::KeepIdle:
        case SockOpt::KeepIntvl:
          if (st.value < 1 || st.value > 32767) cannot(where + ": keepidle/keepintvl must be 1 to 32767 s");
          kv.emplace_back(st.opt == SockOpt::KeepIdle ? "keepidle" : "keepintvl", std::to_string(st.value));
          break;
        case SockOpt::KeepCnt:
          if (st.value < 1 || st.value > 127) cannot(where + ": keepcnt must be 1 to 127");
          kv.emplace_back("keepcnt", std::to_string(st.value));
          break;
        case SockOpt::UserTimeout:
          if (st.value % 1000 != 0) cannot(where + ": user_timeout must be whole milliseconds");
          kv.emplace_back("user_timeout", dur(st.value, where + " user_timeout"));
          break;
        case SockOpt::RcvTimeo:
        case SockOpt::SndTimeo:
          kv.emplace_back(st.opt == SockOpt::RcvTimeo ? "rcvtimeo" : "sndtimeo", dur(st.value, where));
          break;
        case SockOpt::Linger2:
          if (st.value < INT32_MIN || st.value > INT32_MAX) cannot(where + ": linger2 out of range");
          kv.emplace_back("linger2", std::to_string(st.value));
          break;
        case SockOpt::QuickAck:
          kv.emplace_back("quickack", boolean(st.on));
          break;
        default: {
          static const char* const kNames[] = {"linger", "reuseaddr", "keepalive", "nodelay",
                                               "cloexec", "nonblock",  "rcvbuf"};
          if (st.value != (st.on ? 1 : 0))
            cannot(where + ": a true/false option with the value " + std::to_string(st.value));
          kv.emplace_back(kNames[static_cast<int>(st.opt)], boolean(st.on));
        }
      }
      break;
    case StepKind::GetSockOpt:
      need_sock();
      kv.emplace_back("socket", sock);
      kv.emplace_back("option", st.getopt == GetOpt::Error ? "so_error" : "tcp_info");
      break;
    case StepKind::Dup:
      need_sock();
      kv.emplace_back("socket", sock);
      kv.emplace_back("as", need_as());
      break;
    case StepKind::Fork:
      action = "fork";
      if (st.as.empty()) cannot(where + " gives the child no name");
      if (st.as != proc + "-child") nested.emplace_back("name", str(st.as, where + " name"));
      body = &st.body;
      body_proc = st.as;
      break;
    case StepKind::Exec:
      action = "exec";
      value = "true";
      break;
    case StepKind::Exit:
      if (st.status < 0 || st.status > 255) cannot(where + " status must be from 0 to 255");
      action = "exit";
      value = std::to_string(st.status);
      break;
    case StepKind::Sleep:
      action = "sleep";
      value = dur(st.duration, where + " duration");
      break;
    case StepKind::Wait:
      action = "wait";
      value = trigger(st.when, where);
      break;
    case StepKind::Epoll: {
      const EpollSpec& e = st.epoll;
      if (e.sock != st.sock) cannot(where + " watches a socket other than its own");
      need_sock();
      kv.emplace_back("socket", sock);
      constexpr std::uint32_t kEt = 1u << 31;
      if (e.edge != ((e.events & kEt) != 0))
        cannot(where + ": edge-triggered and the EPOLLET bit disagree");
      static const std::pair<const char*, std::uint32_t> kBits[] = {
          {"in", 0x001}, {"out", 0x004}, {"rdhup", 0x2000}, {"hup", 0x010}, {"err", 0x008}};
      std::uint32_t rest = e.events & ~kEt;
      if (rest != 0x001) {
        std::vector<std::string> names;
        for (const auto& [n, b] : kBits)
          if (rest & b) {
            names.push_back(n);
            rest &= ~b;
          }
        if (rest) cannot(where + " asks for epoll events the file format cannot name");
        kv.emplace_back("events", flow_list(names));
      }
      if (e.edge) kv.emplace_back("edge", "true");
      if (e.close_on_eof) kv.emplace_back("close_on_eof", "true");
      if (e.max_wakeups != 100) kv.emplace_back("max_wakeups", std::to_string(e.max_wakeups));
      if (e.timeout != 0) kv.emplace_back("timeout", dur(e.timeout, where + " timeout"));
      if (e.on_in == EpollOnIn::Accept) {
        kv.emplace_back("on_in", "accept");
        kv.emplace_back("as", need_as());
      } else if (e.on_in == EpollOnIn::Ignore) {
        kv.emplace_back("on_in", "ignore");
      }
      break;
    }
    case StepKind::Loop:
      action = "loop";
      if (st.count != 0) nested.emplace_back("count", std::to_string(st.count));
      if (st.every != 0) nested.emplace_back("every", dur(st.every, where + " every"));
      if (st.concurrent) nested.emplace_back("concurrent", "true");
      body = &st.body;
      break;
    case StepKind::Spawn:
      action = "spawn";
      body = &st.body;
      break;
    case StepKind::Signal:
      action = "signal";
      value = flow({{"sigpipe", st.ignore ? "ignore" : "default"}});
      break;
  }
  if (action.empty()) {
    action = step_kind_name(st.kind);
    value = flow(kv);
  }

  // "- " then the first key; later keys line up under it.
  const std::string first = pad(indent) + "- ";
  const std::string rest = pad(indent + 2);
  bool first_line = true;
  auto line = [&](const std::string& text) {
    o_ << (first_line ? first : rest) << text << "\n";
    first_line = false;
  };
  for (const auto& [k, v] : head) line(k + ": " + v);
  if (!body) {
    line(action + ": " + value);
    return;
  }
  line(action + ":");
  for (const auto& [k, v] : nested) o_ << rest << "  " << k << ": " << v << "\n";
  o_ << rest << "  run:\n";
  script(*body, indent + 6, body_proc, where);
}

void Writer::expect() {
  const Expect& e = s_.expect;
  if (e.empty()) return;
  o_ << "expect:\n";
  if (!e.states.empty()) {
    o_ << "  states:\n";
    for (const auto& es : e.states) {
      std::vector<std::string> st;
      for (TcpState x : es.states) st.push_back(state_name(x));
      o_ << "    " << key(es.sock, "expect.states socket") << ": " << flow_list(st) << "\n";
    }
  }
  bool any_from = false;
  int all_hosts = 0;
  for (const auto& sg : e.segments) {
    if (sg.from.empty()) ++all_hosts;
    else any_from = true;
  }
  if (all_hosts > 1) cannot("expect has more than one list of segment flags for all hosts");
  auto flag_list = [&](const ExpectSegments& sg) {
    std::vector<std::string> f;
    for (const auto& x : sg.flags) {
      auto b = parse_flags(x);
      if (!b) cannot("expect.segments has '" + x + "', which is not tcpdump flag notation");
      f.push_back(flags_out(*b, "expect.segments"));
    }
    return flow_list(f);
  };
  for (const auto& sg : e.segments)
    if (sg.from.empty()) o_ << "  segments: " << flag_list(sg) << "\n";
  if (any_from) {
    o_ << "  segments_from:\n";
    for (const auto& sg : e.segments)
      if (!sg.from.empty()) o_ << "    " << key(sg.from, "expect.segments_from host") << ": " << flag_list(sg) << "\n";
  }
  if (!e.calls.empty()) {
    o_ << "  calls:\n";
    for (const auto& c : e.calls) {
      const std::string where = "expect.calls (" + c.process + " " + c.call + ")";
      std::vector<std::pair<std::string, std::string>> kv;
      kv.emplace_back("process", str(c.process, where));
      kv.emplace_back("call", str(c.call, where));
      if (c.nth < 0) cannot(where + " nth is negative");
      if (c.nth != 1) kv.emplace_back("nth", std::to_string(c.nth));
      if (!c.ret && !c.err && c.fields.empty() && !c.rto)
        cannot(where + " expects neither a return value, an errno nor fields");
      if (c.ret) kv.emplace_back("ret", std::to_string(*c.ret));
      if (c.err) kv.emplace_back("errno", str(*c.err, where + " errno"));
      if (!c.fields.empty() || c.rto) {
        std::vector<std::pair<std::string, std::string>> fk;
        // Counts (and SO_ERROR's 0) are numbers in the file, not quoted text.
        for (const auto& [k, v] : c.fields)
          fk.emplace_back(k, !v.empty() && v.find_first_not_of("0123456789") == std::string::npos ? v
                                                                                                  : str(v, where + " " + k));
        if (c.rto) fk.emplace_back("rto", dur(*c.rto, where + " rto"));
        kv.emplace_back("fields", flow(fk));
      }
      if (c.tolerance) kv.emplace_back("tolerance", dur(c.tolerance, where + " tolerance"));
      o_ << "    - " << flow(kv) << "\n";
    }
  }
  if (!e.at.empty()) {
    o_ << "  at:\n";
    for (const auto& a : e.at) {
      const std::string where = "expect.at " + dur(a.t, "expect.at time");
      o_ << "    - time: " << dur(a.t, where) << "\n";
      if (!a.state.empty()) {
        o_ << "      state:\n";
        for (const auto& [l, s] : a.state) o_ << "        " << key(l, where + " socket") << ": " << state_name(s) << "\n";
      }
      if (!a.state_gone.empty()) o_ << "      gone: " << str(a.state_gone, where + " gone") << "\n";
      if (!a.count.empty()) {
        o_ << "      count:\n";
        for (const auto& [h, m] : a.count) {
          std::vector<std::pair<std::string, std::string>> kv;
          for (const auto& [s, n] : m) {
            if (n < 0) cannot(where + " count is negative");
            kv.emplace_back(state_name(s), std::to_string(n));
          }
          o_ << "        " << key(h, where + " host") << ": " << flow(kv) << "\n";
        }
      }
    }
  }
  if (!e.signals.empty()) {
    o_ << "  signals:\n";
    for (const auto& sg : e.signals) {
      const std::string where = "expect.signals (" + sg.process + ")";
      if (sg.signal != "SIGPIPE") cannot(where + " expects " + sg.signal + "; only SIGPIPE is known");
      if (!sg.action.empty() && sg.action != "killed" && sg.action != "ignored")
        cannot(where + " action must be killed or ignored, it is " + sg.action);
      std::vector<std::pair<std::string, std::string>> kv;
      kv.emplace_back("process", str(sg.process, where));
      kv.emplace_back("signal", "SIGPIPE");
      if (!sg.action.empty()) kv.emplace_back("action", sg.action);
      if (sg.absent) kv.emplace_back("absent", "true");
      o_ << "    - " << flow(kv) << "\n";
    }
  }
  if (!e.exits.empty()) {
    o_ << "  exits:\n";
    for (const auto& x : e.exits) {
      const std::string where = "expect.exits (" + x.process + ")";
      std::vector<std::pair<std::string, std::string>> kv;
      kv.emplace_back("process", str(x.process, where));
      if (x.status) kv.emplace_back("status", std::to_string(*x.status));
      if (!x.killed_by.empty()) {
        if (x.killed_by != "SIGPIPE") cannot(where + " killed_by must be SIGPIPE");
        kv.emplace_back("killed_by", "SIGPIPE");
      }
      o_ << "    - " << flow(kv) << "\n";
    }
  }
  if (!e.counts.empty()) {
    o_ << "  counts:\n";
    for (const auto& c : e.counts) {
      const std::string where = "expect.counts (" + c.what + ")";
      std::vector<std::pair<std::string, std::string>> kv;
      kv.emplace_back("what", str(c.what, where));
      if (!c.host.empty()) kv.emplace_back("host", str(c.host, where + " host"));
      if (c.state) kv.emplace_back("state", state_name(*c.state));
      if (c.flags) {
        auto b = parse_flags(*c.flags);
        if (!b) cannot(where + " flags '" + *c.flags + "' are not tcpdump flag notation");
        kv.emplace_back("flags", flags_out(*b, where + " flags"));
      }
      if (c.min < 0 || c.max < 0) cannot(where + " min and max must not be negative");
      if (c.min != 0 || c.max == INT64_MAX) kv.emplace_back("min", std::to_string(c.min));
      if (c.max != INT64_MAX) kv.emplace_back("max", std::to_string(c.max));
      o_ << "    - " << flow(kv) << "\n";
    }
  }
  if (!e.durations.empty()) {
    o_ << "  durations:\n";
    for (const auto& d : e.durations) {
      const std::string where = "expect.durations (" + d.sock + ")";
      std::vector<std::pair<std::string, std::string>> kv;
      kv.emplace_back("socket", str(d.sock, where));
      kv.emplace_back("state", state_name(d.state));
      kv.emplace_back("equals", dur(d.duration, where + " equals"));
      if (d.tolerance != 0) kv.emplace_back("tolerance", dur(d.tolerance, where + " tolerance"));
      o_ << "    - " << flow(kv) << "\n";
    }
  }
}

std::string Writer::write(const std::string& header) {
  if (!header.empty()) {
    // Every line a comment; visible_text keeps control characters (which
    // the loader refuses even in comments) out of the file.
    std::size_t start = 0;
    while (start <= header.size()) {
      std::size_t end = header.find('\n', start);
      if (end == std::string::npos) end = header.size();
      std::string l = visible_text(header.substr(start, end - start));
      o_ << (l.empty() ? "#" : "# " + l) << "\n";
      start = end + 1;
    }
  }
  if (s_.title.en.empty()) cannot("the title (en) is empty");
  text("title", s_.title, true);
  text("summary", s_.summary, false);
  if (!s_.tags.empty()) {
    std::vector<std::string> t;
    for (const auto& x : s_.tags) t.push_back(str(x, "a tag"));
    o_ << "tags: " << flow_list(t) << "\n";
  }
  text("lesson", s_.lesson, false);
  if (!s_.references.empty()) {
    o_ << "references:\n";
    for (const auto& r : s_.references) {
      check_text(r, "a reference");
      o_ << "  - " << dq(r) << "\n";
    }
  }
  if (!s_.kernel_comparable || !s_.kernel_skip_reason.empty() || s_.kernel_horizon != kNever ||
      !s_.kernel_variant_overrides.empty()) {
    o_ << "kernel:\n";
    if (!s_.kernel_comparable) o_ << "  compare: false\n";
    if (s_.kernel_horizon != kNever) o_ << "  horizon: " << dur(s_.kernel_horizon, "kernel.horizon") << "\n";
    if (!s_.kernel_skip_reason.empty()) text_line(o_, 2, "reason", s_.kernel_skip_reason, "kernel.reason");
    // The paths name places in the file as it was written; the written file
    // has the same shape for them (scenario_to_yaml reloads it, so a path
    // that no longer fits is refused there).
    if (!s_.kernel_variant_overrides.empty()) o_ << "  variant:\n";
    for (const auto& ov : s_.kernel_variant_overrides) {
      check_text(ov.value, "kernel.variant value");
      o_ << "    " << key(ov.path, "kernel.variant path") << ": "
         << (ov.quoted || ov.value.find('\n') != std::string::npos ? dq(ov.value) : ov.value) << "\n";
    }
  }
  if (s_.seed != 1) o_ << "seed: " << s_.seed << "\n";
  if (s_.duration != 0) o_ << "duration: " << dur(s_.duration, "duration") << "\n";
  hosts();
  links();
  processes();
  faults();
  if (!s_.isn.empty()) {
    o_ << "isn:\n";
    for (const auto& [l, v] : s_.isn) o_ << "  " << key(l, "isn socket") << ": " << v << "\n";
  }
  expect();
  return o_.str();
}

}  // namespace

std::string scenario_to_yaml(const Scenario& s, const std::string& header_comment) {
  const std::string text = Writer(s).write(header_comment);
  // Load what was written and write that again: a file that does not load,
  // or loads as something else, is refused here rather than saved.
  const std::string path = (s.name.empty() ? std::string("scenario") : s.name) + ".yaml";
  Scenario back;
  try {
    back = load_scenario_string(text, path);
  } catch (const LoadError& e) {
    throw std::invalid_argument("cannot write the scenario as a file: the written text would not load: " +
                                std::string(e.what()));
  }
  back.name = s.name;
  // Faults keep the place they were written from only through their label
  // (see faults()); the reloaded ones carry it already.
  const std::string again = Writer(back).write(header_comment);
  if (again != text) {
    std::size_t i = 0;
    while (i < text.size() && i < again.size() && text[i] == again[i]) ++i;
    std::size_t line = 1;
    for (std::size_t k = 0; k < i; ++k) line += text[k] == '\n';
    throw std::invalid_argument("cannot write the scenario as a file: line " + std::to_string(line) +
                                " of the written text loads back as a different value");
  }
  return text;
}

}  // namespace tcpsim
