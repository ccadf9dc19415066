// tcpsim — the lab's action grammar (docs/lab.md): parse_action, action_text,
// segment_action. One small strict grammar shared by the GUI's actions at the
// cursor, `tcpsim run --inject` and `tcpsim diff --inject-b`:
//
//   drop ORD FLAGS from HOST
//   delay ORD FLAGS from HOST by DURATION
//   duplicate ORD FLAGS from HOST [by DURATION]
//   TIME: PROCESS close SOCK
//   TIME: PROCESS shutdown SOCK rd|wr|rdwr
//   TIME: PROCESS send SOCK BYTES
//   TIME: PROCESS abort SOCK
//   TIME: PROCESS exit [STATUS]
//   TIME: crash HOST
//   TIME: link down [between HOST HOST] for DURATION
//
// ORD is an English ordinal (1st 2nd 3rd 4th ... 11th 12th 13th ... 21st),
// FLAGS tcpdump's notation ("F.", "S.", ".", "P.", "R", "R."), TIME and
// DURATION as in scenario files ("150ms", "1.5s"; types.cpp parse_duration).
#include <algorithm>
#include <cctype>
#include <vector>

#include "tcpsim/lab.hpp"
#include "tcpsim/spelling.hpp"

namespace tcpsim {

ActionError::ActionError(int col, std::string message)
    : std::runtime_error(col > 0 ? "column " + std::to_string(col) + ": " + message : message),
      col_(col),
      message_(std::move(message)) {}

const char* action_kind_name(ActionKind k) {
  switch (k) {
    case ActionKind::Drop: return "drop";
    case ActionKind::Delay: return "delay";
    case ActionKind::Duplicate: return "duplicate";
    case ActionKind::Close: return "close";
    case ActionKind::Shutdown: return "shutdown";
    case ActionKind::Send: return "send";
    case ActionKind::Abort: return "abort";
    case ActionKind::Exit: return "exit";
    case ActionKind::Crash: return "crash";
    case ActionKind::LinkDown: return "link down";
  }
  return "?";
}

bool Action::operator==(const Action& o) const {
  return kind == o.kind && from == o.from && flags == o.flags && nth == o.nth && by == o.by && at == o.at &&
         process == o.process && socket == o.socket && how == o.how && bytes == o.bytes && status == o.status &&
         host == o.host && link_a == o.link_a && link_b == o.link_b && duration == o.duration;
}

namespace {

struct Tok {
  std::string s;
  int col;  // 1-based
};

std::vector<Tok> tokenize(const std::string& text) {
  std::vector<Tok> out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == ' ' || text[i] == '\t') {
      ++i;
      continue;
    }
    const std::size_t b = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
    out.push_back({text.substr(b, i - b), static_cast<int>(b + 1)});
  }
  return out;
}

// "; did you mean 'close'?" when `word` is a likely typo of one of `words`.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& words) {
  std::string best;
  // Two edits (a transposition is two) for words of four letters or more.
  std::size_t best_d = word.size() <= 3 ? 2 : std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& w : words) {
    const std::size_t d = edit_distance(word, w);
    if (d < best_d) {
      best_d = d;
      best = w;
    }
  }
  return best.empty() ? std::string() : "; did you mean '" + best + "'?";
}

std::string quoted(const std::string& s) { return "'" + visible_text(s) + "'"; }

class Parser {
 public:
  explicit Parser(const std::string& text) : text_(text), toks_(tokenize(text)) {}

  Action parse() {
    Action a;
    if (toks_.empty()) throw ActionError(1, "empty action: expected 'drop', 'delay', 'duplicate' or 'TIME:' (e.g. 150ms: server close conn)");
    const Tok& first = toks_[0];
    if (first.s == "drop" || first.s == "delay" || first.s == "duplicate") {
      a.kind = first.s == "drop" ? ActionKind::Drop : first.s == "delay" ? ActionKind::Delay : ActionKind::Duplicate;
      ++pos_;
      segment(a);
      end();
      return a;
    }
    // TIME: ...
    if (first.s.back() != ':' && first.s.find(':') == std::string::npos) {
      if (!first.s.empty() && std::isdigit(static_cast<unsigned char>(first.s[0])))
        throw ActionError(first.col + static_cast<int>(first.s.size()),
                          "expected ':' right after the time " + quoted(first.s) + " (e.g. 150ms: server close conn)");
      throw ActionError(first.col, "expected 'drop', 'delay', 'duplicate' or a time such as '150ms:', got " +
                                       quoted(first.s) +
                                       did_you_mean(first.s, {"drop", "delay", "duplicate", "crash", "link"}));
    }
    const std::size_t colon = first.s.find(':');
    if (colon + 1 != first.s.size())
      throw ActionError(first.col + static_cast<int>(colon) + 1, "expected a space after 'TIME:', got " + quoted(first.s.substr(colon + 1)));
    a.at = duration(first.s.substr(0, colon), first.col, "a time (e.g. 150ms, 1.5s)");
    ++pos_;
    const Tok& w = need("a process name, 'crash' or 'link'");
    if (w.s == "crash") {
      a.kind = ActionKind::Crash;
      a.host = need("a host name after 'crash'").s;
      end();
      return a;
    }
    if (w.s == "link") {
      a.kind = ActionKind::LinkDown;
      keyword("down", "'down' after 'link'");
      if (peek() && peek()->s == "between") {
        ++pos_;
        a.link_a = need("a host name after 'between'").s;
        const Tok& b = need("a second host name after 'between " + a.link_a + "'");
        if (b.s == "for") throw ActionError(b.col, "expected a second host name after 'between " + a.link_a + "', got 'for'");
        a.link_b = b.s;
        if (a.link_a == a.link_b) throw ActionError(toks_[pos_ - 1].col, "a link joins two different hosts");
      }
      keyword("for", a.link_a.empty() ? "'between HOST HOST' or 'for DURATION'" : "'for DURATION'");
      const Tok& d = need("a duration after 'for' (e.g. 5s)");
      a.duration = duration(d.s, d.col, "a duration (e.g. 5s)");
      if (a.duration <= 0) throw ActionError(d.col, "the link must stay down for more than 0 s");
      end();
      return a;
    }
    if (w.s == "drop" || w.s == "delay" || w.s == "duplicate")
      throw ActionError(first.col, "segment actions take no time: they name the segment by its rank (e.g. drop 1st F. from server)");
    a.process = w.s;
    const Tok& verb = need("a call after the process name: close, shutdown, send, abort or exit");
    static const std::vector<std::string> verbs = {"close", "shutdown", "send", "abort", "exit"};
    if (std::find(verbs.begin(), verbs.end(), verb.s) == verbs.end())
      throw ActionError(verb.col, "expected close, shutdown, send, abort or exit, got " + quoted(verb.s) +
                                      did_you_mean(verb.s, verbs));
    if (verb.s == "exit") {
      a.kind = ActionKind::Exit;
      if (peek()) {
        const Tok& n = toks_[pos_++];
        a.status = static_cast<int>(number(n, 255, "an exit status from 0 to 255"));
      }
      end();
      return a;
    }
    a.kind = verb.s == "close" ? ActionKind::Close
             : verb.s == "shutdown" ? ActionKind::Shutdown
             : verb.s == "send" ? ActionKind::Send
                                : ActionKind::Abort;
    const Tok& sk = need("a socket name (the binding given with 'as:', e.g. conn or conn#2)");
    a.socket = socket_name(sk);
    if (a.kind == ActionKind::Shutdown) {
      const Tok& h = need("rd, wr or rdwr after the socket");
      if (h.s == "rd") a.how = ShutHow::Rd;
      else if (h.s == "wr") a.how = ShutHow::Wr;
      else if (h.s == "rdwr") a.how = ShutHow::RdWr;
      else throw ActionError(h.col, "expected rd, wr or rdwr, got " + quoted(h.s) + did_you_mean(h.s, {"rd", "wr", "rdwr"}));
    }
    if (a.kind == ActionKind::Send) {
      const Tok& n = need("a number of bytes after the socket");
      a.bytes = number(n, std::uint64_t{1} << 40, "a number of bytes from 1 to 2^40");
      if (a.bytes == 0) throw ActionError(n.col, "send at least 1 byte");
    }
    end();
    return a;
  }

 private:
  const std::string& text_;
  std::vector<Tok> toks_;
  std::size_t pos_ = 0;

  int end_col() const { return static_cast<int>(text_.size()) + 1; }
  const Tok* peek() const { return pos_ < toks_.size() ? &toks_[pos_] : nullptr; }
  const Tok& need(const std::string& what) {
    if (pos_ >= toks_.size()) throw ActionError(end_col(), "expected " + what + ", got the end of the action");
    return toks_[pos_++];
  }
  void keyword(const std::string& kw, const std::string& what) {
    const Tok& t = need(what);
    if (t.s != kw) throw ActionError(t.col, "expected " + what + ", got " + quoted(t.s) + did_you_mean(t.s, {kw}));
  }
  void end() {
    if (pos_ < toks_.size())
      throw ActionError(toks_[pos_].col, "unexpected " + quoted(toks_[pos_].s) + " after a complete action");
  }
  static Time duration(const std::string& s, int col, const std::string& what) {
    auto d = parse_duration(s);
    if (!d) throw ActionError(col, "expected " + what + ", got " + quoted(s));
    return *d;
  }
  static std::uint64_t number(const Tok& t, std::uint64_t max, const std::string& what) {
    if (t.s.empty() || t.s.size() > 15 || t.s.find_first_not_of("0123456789") != std::string::npos)
      throw ActionError(t.col, "expected " + what + ", got " + quoted(t.s));
    const std::uint64_t v = std::stoull(t.s);
    if (v > max) throw ActionError(t.col, "expected " + what + ", got " + t.s);
    return v;
  }
  static std::string socket_name(const Tok& t) {
    const std::size_t hash = t.s.find('#');
    if (hash == std::string::npos) return t.s;
    if (hash == 0) throw ActionError(t.col, "expected a socket name before '#'");
    const std::string n = t.s.substr(hash + 1);
    if (n.empty() || n.size() > 9 || n.find_first_not_of("0123456789") != std::string::npos || n[0] == '0')
      throw ActionError(t.col + static_cast<int>(hash) + 1, "expected a socket number from 1 after '#', got " + quoted(n));
    return n == "1" ? t.s.substr(0, hash) : t.s;  // conn#1 is conn
  }
  static const char* suffix(int n) {
    if (n % 100 >= 11 && n % 100 <= 13) return "th";
    switch (n % 10) {
      case 1: return "st";
      case 2: return "nd";
      case 3: return "rd";
      default: return "th";
    }
  }
  static int ordinal(const Tok& t) {
    std::size_t i = 0;
    while (i < t.s.size() && std::isdigit(static_cast<unsigned char>(t.s[i]))) ++i;
    if (i == 0 || i > 6 || t.s[0] == '0')
      throw ActionError(t.col, "expected an ordinal (1st, 2nd, 3rd, 4th, ...), got " + quoted(t.s));
    const int n = std::stoi(t.s.substr(0, i));
    const std::string suf = t.s.substr(i);
    if (suf != suffix(n))
      throw ActionError(t.col + static_cast<int>(i), "expected the ordinal " + std::to_string(n) + suffix(n) + ", got " + quoted(t.s));
    return n;
  }
  void segment(Action& a) {
    const Tok& o = need("an ordinal (1st, 2nd, ...) naming which segment");
    a.nth = ordinal(o);
    const Tok& f = need("the segment's flags in tcpdump notation (S, S., ., P., F., R, R.)");
    auto fl = parse_flags(f.s);
    if (!fl || f.s == "none")
      throw ActionError(f.col, "expected flags in tcpdump notation (S, S., ., P., F., FP., R, R.), got " + quoted(f.s) +
                                   (f.s == "F" || f.s == "P" || f.s == "FP" ? "; did you mean '" + f.s + ".'?" : ""));
    a.flags = f.s;
    keyword("from", "'from HOST'");
    a.from = need("a host name after 'from'").s;
    if (a.kind == ActionKind::Drop) return;
    if (!peek()) {
      if (a.kind == ActionKind::Delay) throw ActionError(end_col(), "expected 'by DURATION' (how long the segment is held back)");
      return;
    }
    keyword("by", "'by DURATION'");
    const Tok& d = need("a duration after 'by' (e.g. 2s)");
    a.by = duration(d.s, d.col, "a duration (e.g. 2s)");
    if (a.kind == ActionKind::Delay && a.by <= 0) throw ActionError(d.col, "a delay must be longer than 0 s");
  }
};

std::string ordinal_text(int n) {
  const char* s = "th";
  if (!(n % 100 >= 11 && n % 100 <= 13)) {
    if (n % 10 == 1) s = "st";
    else if (n % 10 == 2) s = "nd";
    else if (n % 10 == 3) s = "rd";
  }
  return std::to_string(n) + s;
}

}  // namespace

std::string lab_did_you_mean(const std::string& word, const std::vector<std::string>& words) {
  return did_you_mean(word, words);
}

// A duration as parse_duration reads it back exactly: "150ms", "2s", "1.5s", "40us".
std::string lab_duration_text(Time d) {
  if (d % 1000000 == 0) return std::to_string(d / 1000000) + "s";
  // A decimal in the largest unit it is at least one of ("1.5s", "2.25ms"),
  // kept only if parse_duration reads it back exactly; else whole units.
  auto decimal = [d](Time unit, const char* name) -> std::string {
    const int digits = unit == 1000000 ? 6 : 3;
    std::string frac = std::to_string(d % unit);
    frac = std::string(static_cast<std::size_t>(digits) - frac.size(), '0') + frac;
    while (!frac.empty() && frac.back() == '0') frac.pop_back();
    const std::string t = std::to_string(d / unit) + (frac.empty() ? "" : "." + frac) + name;
    return parse_duration(t) == d ? t : std::string();
  };
  if (d >= 1000000) {
    const std::string t = decimal(1000000, "s");
    if (!t.empty()) return t;
  }
  if (d % 1000 == 0) return std::to_string(d / 1000) + "ms";
  if (d >= 1000) {
    const std::string t = decimal(1000, "ms");
    if (!t.empty()) return t;
  }
  return std::to_string(d) + "us";
}

std::string lab_ordinal_text(int n) { return ordinal_text(n); }

Action parse_action(const std::string& text) {
  if (text.find_first_of("\n\r") != std::string::npos)
    throw ActionError(static_cast<int>(text.find_first_of("\n\r")) + 1, "an action is one line");
  return Parser(text).parse();
}

std::string action_text(const Action& a) {
  const std::string t = lab_duration_text(a.at) + ": ";
  switch (a.kind) {
    case ActionKind::Drop:
      return "drop " + ordinal_text(a.nth) + " " + a.flags + " from " + a.from;
    case ActionKind::Delay:
      return "delay " + ordinal_text(a.nth) + " " + a.flags + " from " + a.from + " by " + lab_duration_text(a.by);
    case ActionKind::Duplicate:
      return "duplicate " + ordinal_text(a.nth) + " " + a.flags + " from " + a.from +
             (a.by > 0 ? " by " + lab_duration_text(a.by) : "");
    case ActionKind::Close: return t + a.process + " close " + a.socket;
    case ActionKind::Shutdown:
      return t + a.process + " shutdown " + a.socket + " " +
             (a.how == ShutHow::Rd ? "rd" : a.how == ShutHow::Wr ? "wr" : "rdwr");
    case ActionKind::Send: return t + a.process + " send " + a.socket + " " + std::to_string(a.bytes);
    case ActionKind::Abort: return t + a.process + " abort " + a.socket;
    case ActionKind::Exit: return t + a.process + " exit" + (a.status ? " " + std::to_string(a.status) : "");
    case ActionKind::Crash: return t + "crash " + a.host;
    case ActionKind::LinkDown:
      return t + "link down" + (a.link_a.empty() ? "" : " between " + a.link_a + " " + a.link_b) + " for " +
             lab_duration_text(a.duration);
  }
  return "";
}

// Whether the send event at `send_index` reached the scripted segment
// faults in network.cpp's transmit(): a segment with no route or no link is
// dropped before them, and one an earlier fault rule drops never reaches a
// later rule. Returns the drop event that stopped it, or nullptr.
const Event* lab_dropped_before_faults(const Trace& t, std::size_t send_index) {
  const Event& s = t.events[send_index];
  for (std::size_t j = send_index + 1; j < t.events.size() && t.events[j].t == s.t; ++j) {
    const Event& d = t.events[j];
    if (d.kind != EventKind::Segment || d.seg_op != SegOp::Drop || d.seg_id != s.seg_id) continue;
    if (d.text.rfind("no route", 0) == 0 || d.text.rfind("no link", 0) == 0 ||
        d.text.rfind("the scenario's fault rule", 0) == 0)
      return &d;
    break;
  }
  return nullptr;
}

Action segment_action(const Trace& trace, std::size_t event_index, ActionKind kind, Time by) {
  if (kind != ActionKind::Drop && kind != ActionKind::Delay && kind != ActionKind::Duplicate)
    throw ActionError(0, std::string("'") + action_kind_name(kind) + "' is not an action on a segment");
  if (event_index >= trace.events.size()) throw ActionError(0, "no event " + std::to_string(event_index) + " in the trace");
  const Event& e = trace.events[event_index];
  if (e.kind != EventKind::Segment) throw ActionError(0, "event " + std::to_string(event_index) + " is not a segment");
  // The transmission this event belongs to: its send event.
  std::size_t si = event_index;
  if (e.seg_op != SegOp::Send) {
    bool found = false;
    for (std::size_t j = event_index + 1; j-- > 0;) {
      const Event& x = trace.events[j];
      if (x.kind == EventKind::Segment && x.seg_op == SegOp::Send && x.seg_id == e.seg_id) {
        si = j;
        found = true;
        break;
      }
    }
    if (!found) throw ActionError(0, "the segment of event " + std::to_string(event_index) + " was never sent");
  }
  const Event& s = trace.events[si];
  Action a;
  a.kind = kind;
  a.from = s.host < trace.meta.hosts.size() ? trace.meta.hosts[s.host].name : "";
  a.flags = flags_string(s.seg.flags);
  a.by = by;
  // nth: every transmission (retransmissions included) from that host with
  // exactly these flags, as transmit() counts them. apply_action() turns it
  // into the rule's own count, which skips what earlier rules drop.
  int n = 1;
  for (std::size_t j = 0; j < si; ++j) {
    const Event& x = trace.events[j];
    if (x.kind == EventKind::Segment && x.seg_op == SegOp::Send && x.host == s.host && x.seg.flags == s.seg.flags) ++n;
  }
  a.nth = n;
  return a;
}

}  // namespace tcpsim
