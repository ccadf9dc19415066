// tcpsim — the packetdrill script parser (issue #16).
//
// Follows google/packetdrill's grammar (gtests/net/packetdrill/lexer.l and
// parser.y) for the subset TCP close, shutdown, reset, blocking and epoll
// tests use; see docs/packetdrill.md. Hand-written: a lexer that keeps the
// line and column of every token, then a recursive-descent parser with one
// function per rule of parser.y (event, event_time, tcp_packet_spec,
// syscall_spec, expression, tcp_option). The first error ends the parse and
// names file:line:col.
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tcpsim/packetdrill.hpp"

namespace tcpsim::packetdrill {

std::string ParseError::str() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " + message;
}

std::string to_string(const Expr& e) {
  auto list = [&](const char* open, const char* close) {
    std::string s = open;
    for (std::size_t i = 0; i < e.items.size(); ++i) {
      if (i) s += ", ";
      if (i < e.names.size() && !e.names[i].empty()) s += e.names[i] + "=";
      s += to_string(e.items[i]);
    }
    return s + close;
  };
  switch (e.kind) {
    case Expr::Kind::Ellipsis: return "...";
    case Expr::Kind::Integer: return std::to_string(e.integer);
    case Expr::Kind::Symbol: return e.items.empty() ? e.text : e.text + list("(", ")");
    case Expr::Kind::String: return "\"" + e.text + "\"";
    case Expr::Kind::BitOr: {
      std::string s;
      for (std::size_t i = 0; i < e.items.size(); ++i) s += (i ? "|" : "") + to_string(e.items[i]);
      return s;
    }
    case Expr::Kind::List: return list("[", "]");
    case Expr::Kind::Struct: return list("{", "}");
  }
  return "?";
}

namespace {

// ---- lexer (lexer.l) ----
enum class Tok : std::uint8_t {
  End,
  Integer,   // 123, 0x1f
  Float,     // 0.100, .1, 1.5
  Word,      // names, flags letters, keywords
  Option,    // --name
  String,    // "..."
  Shell,     // `...`
  Code,      // %{ ... }%
  Ellipsis,  // ...
  Punct,     // one of < > ( ) [ ] { } , = | : ~ * + - . ;
};

struct Token {
  Tok kind = Tok::End;
  std::string text;       // as written (String/Shell/Code: the content)
  std::int64_t ival = 0;  // Integer
  double fval = 0;        // Float
  int line = 0, col = 0;
  bool hex = false;
};

struct Fail {
  int line, col;
  std::string message;
};

class Lexer {
 public:
  explicit Lexer(const std::string& text) : s_(text) {}

  std::vector<Token> run() {
    std::vector<Token> out;
    for (;;) {
      skip_space();
      Token t;
      t.line = line_;
      t.col = col_;
      if (i_ >= s_.size()) {
        t.kind = Tok::End;
        out.push_back(t);
        return out;
      }
      const char c = s_[i_];
      if (c == '`') {
        adv();
        const std::size_t b = i_;
        while (i_ < s_.size() && s_[i_] != '`') adv();
        if (i_ >= s_.size()) throw Fail{t.line, t.col, "unterminated backquoted shell command (no closing `)"};
        t.kind = Tok::Shell;
        t.text = s_.substr(b, i_ - b);
        adv();
      } else if (c == '%' && peek(1) == '{') {
        adv();
        adv();
        const std::size_t b = i_;
        while (i_ < s_.size() && !(s_[i_] == '}' && peek(1) == '%')) adv();
        if (i_ >= s_.size()) throw Fail{t.line, t.col, "unterminated %{ }% code block (no closing }%)"};
        t.kind = Tok::Code;
        t.text = s_.substr(b, i_ - b);
        adv();
        adv();
      } else if (c == '"') {
        adv();
        std::string v;
        while (i_ < s_.size() && s_[i_] != '"') {
          if (s_[i_] == '\n') throw Fail{t.line, t.col, "unterminated string (no closing \" on this line)"};
          if (s_[i_] == '\\' && i_ + 1 < s_.size()) {
            adv();
            const char e = s_[i_];
            v += e == 'n' ? '\n' : e == 't' ? '\t' : e == '0' ? '\0' : e;
            adv();
            continue;
          }
          v += s_[i_];
          adv();
        }
        if (i_ >= s_.size()) throw Fail{t.line, t.col, "unterminated string (no closing \")"};
        adv();
        t.kind = Tok::String;
        t.text = v;
      } else if (c == '.' && peek(1) == '.' && peek(2) == '.') {
        adv();
        adv();
        adv();
        t.kind = Tok::Ellipsis;
        t.text = "...";
      } else if (c == '-' && peek(1) == '-' && std::isalpha(static_cast<unsigned char>(peek(2)))) {
        const std::size_t b = i_;
        adv();
        adv();
        while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_' || s_[i_] == '-'))
          adv();
        t.kind = Tok::Option;
        t.text = s_.substr(b + 2, i_ - b - 2);
      } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                 (c == '.' && std::isdigit(static_cast<unsigned char>(peek(1))))) {
        number(t);
      } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        const std::size_t b = i_;
        while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_')) adv();
        t.kind = Tok::Word;
        t.text = s_.substr(b, i_ - b);
      } else if (std::string("<>()[]{},=|:~*+-.;").find(c) != std::string::npos) {
        adv();
        t.kind = Tok::Punct;
        t.text = std::string(1, c);
      } else {
        std::string shown(1, c);
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
          shown = buf;
        }
        throw Fail{t.line, t.col, "unexpected character '" + shown + "'"};
      }
      out.push_back(std::move(t));
    }
  }

 private:
  char peek(std::size_t k) const { return i_ + k < s_.size() ? s_[i_ + k] : '\0'; }
  void adv() {
    if (s_[i_] == '\n') {
      ++line_;
      col_ = 1;
    } else {
      ++col_;
    }
    ++i_;
  }
  void skip_space() {
    for (;;) {
      while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) adv();
      if (i_ + 1 < s_.size() && s_[i_] == '/' && s_[i_ + 1] == '/') {
        while (i_ < s_.size() && s_[i_] != '\n') adv();
        continue;
      }
      if (i_ + 1 < s_.size() && s_[i_] == '/' && s_[i_ + 1] == '*') {
        const int l = line_, c = col_;
        adv();
        adv();
        while (i_ + 1 < s_.size() && !(s_[i_] == '*' && s_[i_ + 1] == '/')) adv();
        if (i_ + 1 >= s_.size()) throw Fail{l, c, "unterminated /* comment"};
        adv();
        adv();
        continue;
      }
      return;
    }
  }
  void number(Token& t) {
    const std::size_t b = i_;
    if (s_[i_] == '0' && (peek(1) == 'x' || peek(1) == 'X') && std::isxdigit(static_cast<unsigned char>(peek(2)))) {
      adv();
      adv();
      while (i_ < s_.size() && std::isxdigit(static_cast<unsigned char>(s_[i_]))) adv();
      t.kind = Tok::Integer;
      t.hex = true;
      t.text = s_.substr(b, i_ - b);
      t.ival = static_cast<std::int64_t>(std::strtoull(t.text.c_str() + 2, nullptr, 16));
      return;
    }
    int dots = 0;
    while (i_ < s_.size()) {
      if (std::isdigit(static_cast<unsigned char>(s_[i_]))) {
        adv();
      } else if (s_[i_] == '.' && std::isdigit(static_cast<unsigned char>(peek(1))) && !(peek(1) == '.')) {
        ++dots;
        adv();
      } else {
        break;
      }
    }
    t.text = s_.substr(b, i_ - b);
    if (dots == 0) {
      t.kind = Tok::Integer;
      errno = 0;
      t.ival = static_cast<std::int64_t>(std::strtoull(t.text.c_str(), nullptr, 10));
      if (errno == ERANGE || t.text.size() > 19) throw Fail{t.line, t.col, "number " + t.text + " is too large"};
    } else if (dots == 1) {
      t.kind = Tok::Float;
      t.fval = std::strtod(t.text.c_str(), nullptr);
    } else {
      t.kind = Tok::Word;  // an IPv4 address (192.0.2.1), as lexer.l's IPV4_ADDR
    }
  }

  const std::string& s_;
  std::size_t i_ = 0;
  int line_ = 1, col_ = 1;
};

const char* tok_desc(const Token& t) {
  switch (t.kind) {
    case Tok::End: return "the end of the script";
    case Tok::Integer: return "a number";
    case Tok::Float: return "a number";
    case Tok::Word: return "a word";
    case Tok::Option: return "an option";
    case Tok::String: return "a string";
    case Tok::Shell: return "a shell command";
    case Tok::Code: return "a code block";
    case Tok::Ellipsis: return "'...'";
    case Tok::Punct: return "a symbol";
  }
  return "?";
}

std::string shown(const Token& t) {
  if (t.kind == Tok::End) return "the end of the script";
  if (t.kind == Tok::Shell) return "a `shell` command";
  if (t.kind == Tok::Code) return "a %{ }% block";
  if (t.kind == Tok::String) return "\"" + t.text + "\"";
  if (t.kind == Tok::Option) return "'--" + t.text + "'";
  (void)tok_desc;
  return "'" + t.text + "'";
}

// ---- parser (parser.y) ----
class Parser {
 public:
  Parser(std::vector<Token> toks, const std::string& text) : t_(std::move(toks)) {
    std::istringstream in(text);
    std::string l;
    while (std::getline(in, l)) lines_.push_back(l);
  }

  Script run(const std::string& file) {
    Script sc;
    sc.file = file;
    while (cur().kind == Tok::Option) {  // opt_options
      ScriptOption o;
      o.name = cur().text;
      o.pos = pos(cur());
      next();
      if (is_punct("=")) {
        next();
        // option_value: one token, or WORD=WORD / WORD="..."
        const Token& v = cur();
        if (v.kind == Tok::End || v.kind == Tok::Option)
          throw Fail{v.line, v.col, "expected a value after '--" + o.name + "='"};
        o.value = v.text;
        next();
        if (v.kind == Tok::Word && is_punct("=") && cur().line == v.line) {
          next();
          o.value += "=" + cur().text;
          next();
        }
      }
      sc.options.push_back(std::move(o));
    }
    while (cur().kind != Tok::End) sc.lines.push_back(event());
    return sc;
  }

 private:
  const Token& cur() const { return t_[k_]; }
  const Token& ahead(std::size_t n) const { return t_[std::min(k_ + n, t_.size() - 1)]; }
  void next() {
    if (k_ + 1 < t_.size()) ++k_;
  }
  bool is_punct(const char* p) const { return cur().kind == Tok::Punct && cur().text == p; }
  bool is_word(const char* w) const { return cur().kind == Tok::Word && cur().text == w; }
  static SourcePos pos(const Token& t) { return SourcePos{t.line, t.col}; }
  [[noreturn]] void fail(const std::string& expected) const {
    throw Fail{cur().line, cur().col, "expected " + expected + ", found " + shown(cur())};
  }
  void expect_punct(const char* p, const std::string& what) {
    if (!is_punct(p)) fail(what);
    next();
  }
  std::string line_text(int line) const {
    return line >= 1 && static_cast<std::size_t>(line) <= lines_.size() ? lines_[line - 1] : std::string();
  }

  // time: FLOAT | INTEGER, in seconds -> microseconds (parser.y: time).
  Time time_value(const char* what) {
    const Token& t = cur();
    if (t.kind == Tok::Integer) {
      if (t.ival > 1000000000) throw Fail{t.line, t.col, "time " + t.text + " s is too large"};
      next();
      return static_cast<Time>(t.ival) * 1000000;
    }
    if (t.kind == Tok::Float) {
      if (t.fval > 1e9) throw Fail{t.line, t.col, "time " + t.text + " s is too large"};
      next();
      return static_cast<Time>(t.fval * 1e6 + (t.fval >= 0 ? 0.5 : -0.5));
    }
    fail(what);
  }

  bool at_time() const {
    const Token& t = cur();
    return t.kind == Tok::Integer || t.kind == Tok::Float ||
           (t.kind == Tok::Punct && (t.text == "+" || t.text == "*"));
  }

  // event_time
  TimeSpec event_time() {
    TimeSpec ts;
    ts.pos = pos(cur());
    if (is_punct("*")) {
      next();
      ts.kind = TimeKind::Any;
      return ts;
    }
    if (is_punct("+")) {
      next();
      ts.kind = TimeKind::Relative;
      ts.value = time_value("a time after '+' (like +0.1)");
      if (is_punct("~")) {
        next();
        if (!is_punct("+")) fail("'+' and the end of a relative time range (like +0.1~+0.2)");
        next();
        ts.range_end = time_value("the end of the time range");
      }
      return ts;
    }
    ts.kind = TimeKind::Absolute;
    ts.value = time_value("a time (like 0, 0.100, +0.1 or *)");
    if (is_punct("~")) {
      next();
      if (is_punct("+")) fail("an absolute time after '~' (both ends of a range are absolute or both relative)");
      ts.range_end = time_value("the end of the time range");
    }
    return ts;
  }

  Line event() {
    Line ln;
    ln.pos = pos(cur());
    ln.text = line_text(cur().line);
    if (cur().kind == Tok::Shell || cur().kind == Tok::Code) {
      // init / cleanup command (parser.y: opt_init_command, opt_cleanup_command)
      action(ln);
      return ln;
    }
    if (!at_time())
      fail("a time at the start of the line (like 0, +0.1, 0.100 or *)");
    ln.time = event_time();
    action(ln);
    // parser.y (event): `*` and time ranges only for outbound packets.
    const bool outbound = ln.kind == Line::Kind::Segment && ln.segment.dir == Direction::Outbound;
    if (ln.time->kind == TimeKind::Any && !outbound)
      throw Fail{ln.time->pos.line, ln.time->pos.col, "event time <star> can only be used with outbound packets"};
    if (ln.time->range_end && !outbound)
      throw Fail{ln.time->pos.line, ln.time->pos.col, "event time range can only be used with outbound packets"};
    if (ln.time->range_end && *ln.time->range_end < ln.time->value)
      throw Fail{ln.time->pos.line, ln.time->pos.col, "time range is backwards"};
    return ln;
  }

  void action(Line& ln) {
    const Token& t = cur();
    if (t.kind == Tok::Shell) {
      ln.kind = Line::Kind::Shell;
      ln.shell = parse_shell(t.text);
      next();
      return;
    }
    if (t.kind == Tok::Code) {
      ln.kind = Line::Kind::Python;
      ln.python.code = t.text;
      ln.python.warning = "%{ }% Python block skipped: tcpsim does not run packetdrill's Python code";
      next();
      return;
    }
    if (t.kind == Tok::Punct && (t.text == "<" || t.text == ">")) {
      ln.kind = Line::Kind::Segment;
      ln.segment = packet();
      return;
    }
    if (t.kind == Tok::Ellipsis || t.kind == Tok::Word) {
      ln.kind = Line::Kind::Syscall;
      ln.syscall = syscall();
      return;
    }
    fail("a system call, a packet ('<' or '>'), a `shell` command or a %{ }% block");
  }

  // ---- shell commands: sysctl settings are understood, the rest skipped ----
  static Shell parse_shell(const std::string& cmd) {
    Shell sh;
    sh.command = cmd;
    std::vector<std::string> skipped;
    // Split on ; && || and newlines.
    std::vector<std::string> parts;
    std::string curp;
    for (std::size_t i = 0; i < cmd.size(); ++i) {
      const char c = cmd[i];
      if (c == ';' || c == '\n' || ((c == '&' || c == '|') && i + 1 < cmd.size() && cmd[i + 1] == c)) {
        parts.push_back(curp);
        curp.clear();
        if (c == '&' || c == '|') ++i;
        continue;
      }
      curp += c;
    }
    parts.push_back(curp);
    for (auto& p : parts) {
      std::istringstream in(p);
      std::vector<std::string> w;
      std::string x;
      while (in >> x) w.push_back(x);
      if (w.empty()) continue;
      if (w[0] == "sysctl") {
        bool any = false, bad = false;
        for (std::size_t i = 1; i < w.size(); ++i) {
          if (w[i][0] == '-') {
            if (w[i] != "-q" && w[i] != "-w" && w[i] != "-e" && w[i] != "-qw" && w[i] != "-wq") bad = true;
            continue;
          }
          const auto eq = w[i].find('=');
          if (eq == std::string::npos || eq == 0) {
            bad = true;
            continue;
          }
          std::string name = w[i].substr(0, eq), value = w[i].substr(eq + 1);
          if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front())
            value = value.substr(1, value.size() - 2);
          for (auto& ch : name)
            if (ch == '/') ch = '.';
          sh.sysctls.emplace_back(name, value);
          any = true;
        }
        if (bad || !any) skipped.push_back(p);
        continue;
      }
      // echo N > /proc/sys/net/ipv4/NAME
      if (w[0] == "echo" && w.size() == 4 && w[2] == ">" && w[3].rfind("/proc/sys/", 0) == 0) {
        std::string name = w[3].substr(10);
        for (auto& ch : name)
          if (ch == '/') ch = '.';
        sh.sysctls.emplace_back(name, w[1]);
        continue;
      }
      skipped.push_back(p);
    }
    if (!skipped.empty()) {
      std::string s;
      for (auto& p : skipped) {
        std::string q = p;
        while (!q.empty() && std::isspace(static_cast<unsigned char>(q.front()))) q.erase(q.begin());
        while (!q.empty() && std::isspace(static_cast<unsigned char>(q.back()))) q.pop_back();
        s += (s.empty() ? "" : "; ") + q;
      }
      sh.warning = "shell command skipped (tcpsim runs no shell commands; only `sysctl -q NAME=VALUE` is understood): " + s;
    }
    return sh;
  }

  // ---- packets (tcp_packet_spec) ----
  std::uint32_t u32(const char* what) {
    const Token& t = cur();
    if (t.kind != Tok::Integer) fail(what);
    if (t.ival > 0xFFFFFFFFll) throw Fail{t.line, t.col, std::string(what) + " out of range: " + t.text};
    next();
    return static_cast<std::uint32_t>(t.ival);
  }

  Segment packet() {
    Segment sg;
    sg.dir = cur().text == "<" ? Direction::Inbound : Direction::Outbound;
    next();
    // opt_ip_info: [ect0] / [ce] / (tos 0x..)
    if (is_punct("[") || (is_punct("(") && ahead(1).kind == Tok::Word)) {
      const std::string close = is_punct("[") ? "]" : ")";
      std::string ecn = cur().text;
      next();
      while (!(cur().kind == Tok::Punct && cur().text == close)) {
        if (cur().kind == Tok::End) fail("'" + close + "'");
        ecn += cur().text;
        next();
      }
      ecn += close;
      next();
      sg.ecn = ecn;
    }
    if (is_word("udp") || is_word("icmp") || is_word("ipv4") || is_word("ipv6") || is_word("gre") ||
        is_word("mpls"))
      throw Fail{cur().line, cur().col,
                 "'" + cur().text + "' packets are not supported by tcpsim (TCP segments only)"};
    // opt_port_info: INTEGER '>' INTEGER
    if (cur().kind == Tok::Integer && ahead(1).kind == Tok::Punct && ahead(1).text == ">") {
      const Token& sp = cur();
      if (sp.ival > 65535) throw Fail{sp.line, sp.col, "src port out of range"};
      sg.src_port = static_cast<std::uint16_t>(sp.ival);
      next();
      next();
      const Token& dp = cur();
      const std::uint32_t d = u32("a destination port");
      if (d > 65535) throw Fail{dp.line, dp.col, "dst port out of range"};
      sg.dst_port = static_cast<std::uint16_t>(d);
    }
    // flags
    sg.flags_pos = pos(cur());
    std::string fl;
    if (is_punct(".")) {
      fl = ".";
      next();
    } else if (is_punct("-")) {
      fl = "";
      next();
    } else if (cur().kind == Tok::Word) {
      fl = cur().text;
      const int l = cur().line, c = cur().col;
      next();
      if (is_punct(".") && cur().line == l && cur().col == c + static_cast<int>(fl.size())) {
        fl += ".";
        next();
      }
    } else {
      fail("TCP flags (S, S., ., P., F., R, R. ...)");
    }
    sg.flags_text = fl.empty() ? "-" : fl;
    for (char c : fl) {
      switch (c) {
        case 'S': sg.flags |= kSyn; break;
        case 'F': sg.flags |= kFin; break;
        case 'R': sg.flags |= kRst; break;
        case 'P': sg.flags |= kPsh; break;
        case '.': sg.flags |= kAck; break;
        case 'U': sg.flags |= kUrg; break;
        case 'E': sg.ece = true; break;
        case 'W': sg.cwr = true; break;
        default:
          throw Fail{sg.flags_pos.line, sg.flags_pos.col,
                     "unknown TCP flag '" + std::string(1, c) + "' in '" + fl +
                         "' (packetdrill's flags: S F R P . U E W)"};
      }
    }
    // seq: INTEGER ':' INTEGER '(' INTEGER ')'
    sg.seq_pos = pos(cur());
    sg.seq_start = u32("the sequence numbers start:end(length), like 1:1(0)");
    expect_punct(":", "':' in start:end(length)");
    sg.seq_end = u32("the end sequence number of start:end(length)");
    expect_punct("(", "'(' and the payload length in start:end(length)");
    sg.len = u32("the payload length in start:end(length)");
    if (sg.len > 65535) throw Fail{sg.seq_pos.line, sg.seq_pos.col, "TCP payload size out of range"};
    expect_punct(")", "')' after the payload length");
    if (sg.seq_end != static_cast<std::uint32_t>(sg.seq_start + sg.len))
      throw Fail{sg.seq_pos.line, sg.seq_pos.col,
                 "inconsistent TCP sequence numbers and payload size: " + std::to_string(sg.seq_start) + ":" +
                     std::to_string(sg.seq_end) + "(" + std::to_string(sg.len) + ") (end must be start + length)"};
    if (is_word("ack")) {
      sg.ack_pos = pos(cur());
      next();
      sg.ack = u32("an acknowledgement number after 'ack'");
    }
    if (is_word("win")) {
      sg.win_pos = pos(cur());
      next();
      const std::uint32_t w = u32("a window after 'win'");
      if (w > 65535) throw Fail{sg.win_pos.line, sg.win_pos.col, "TCP window value out of range"};
      sg.win = w;
    }
    if (is_word("urg")) {
      next();
      u32("an urgent pointer after 'urg'");
    }
    if (is_punct("<")) {
      sg.options_pos = pos(cur());
      next();
      if (cur().kind == Tok::Ellipsis) {
        if (sg.dir != Direction::Outbound)
          throw Fail{sg.options_pos.line, sg.options_pos.col,
                     "<...> for TCP options can only be used with outbound packets"};
        next();
        expect_punct(">", "'>' after <...");
        // <...>: options not checked (FLAG_OPTIONS_NOCHECK), same as not given.
      } else {
        std::vector<TcpOption> opts;
        if (!is_punct(">")) {
          for (;;) {
            opts.push_back(tcp_option());
            if (is_punct(",")) {
              next();
              continue;
            }
            break;
          }
        }
        expect_punct(">", "',' or '>' in the TCP option list");
        sg.options = std::move(opts);
      }
    }
    return sg;
  }

  TcpOption tcp_option() {
    TcpOption o;
    o.pos = pos(cur());
    if (cur().kind != Tok::Word) fail("a TCP option (mss N, sackOK, TS val N ecr N, nop, wscale N, sack L:R ...)");
    o.name = cur().text;
    const std::string n = o.name;
    next();
    auto val = [&](const char* what, std::uint32_t max) {
      const Token& t = cur();
      const std::uint32_t v = u32(what);
      if (v > max) throw Fail{t.line, t.col, std::string(what) + " out of range: " + t.text};
      return v;
    };
    if (n == "nop") {
      o.kind = TcpOption::Kind::Nop;
      o.text = "nop";
    } else if (n == "eol") {
      o.kind = TcpOption::Kind::Eol;
      o.text = "eol";
    } else if (n == "mss") {
      o.kind = TcpOption::Kind::Mss;
      o.value = val("mss value", 65535);
      o.text = "mss " + std::to_string(o.value);
    } else if (n == "wscale") {
      o.kind = TcpOption::Kind::WindowScale;
      o.value = val("window scale shift count", 255);
      o.text = "wscale " + std::to_string(o.value);
    } else if (n == "sackOK") {
      o.kind = TcpOption::Kind::SackOk;
      o.text = "sackOK";
    } else if (n == "sack") {
      o.kind = TcpOption::Kind::Sack;
      o.text = "sack";
      while (cur().kind == Tok::Integer) {
        const std::uint32_t l = u32("SACK left edge");
        expect_punct(":", "':' in a SACK block left:right");
        const std::uint32_t r = u32("SACK right edge");
        o.blocks.emplace_back(l, r);
        o.text += " " + std::to_string(l) + ":" + std::to_string(r);
      }
      if (o.blocks.empty()) fail("a SACK block left:right after 'sack'");
    } else if (n == "TS") {
      o.kind = TcpOption::Kind::Timestamp;
      if (!is_word("val")) fail("'val' after TS (TS val N ecr N)");
      next();
      o.value = u32("ts val");
      if (!is_word("ecr")) fail("'ecr' after TS val N (TS val N ecr N)");
      next();
      o.value2 = u32("ts ecr");
      o.text = "TS val " + std::to_string(o.value) + " ecr " + std::to_string(o.value2);
    } else if (n == "FO" || n == "FOEXP" || n == "md5") {
      o.kind = n == "md5" ? TcpOption::Kind::Md5 : TcpOption::Kind::FastOpen;
      o.text = n;
      if (cur().kind == Tok::Word || cur().kind == Tok::Integer) {
        o.text += " " + cur().text;
        next();
      }
    } else {
      throw Fail{o.pos.line, o.pos.col,
                 "unknown TCP option '" + n + "' (known: nop, eol, mss, wscale, sackOK, sack, TS, FO, md5)"};
    }
    return o;
  }

  // ---- system calls (syscall_spec) ----
  Syscall syscall() {
    Syscall sc;
    if (cur().kind == Tok::Ellipsis) {  // opt_end_time: ...END
      next();
      TimeSpec end;
      end.pos = pos(cur());
      end.kind = TimeKind::Absolute;
      if (is_punct("+")) {  // tolerated: the end of a relative start read as relative
        next();
        end.kind = TimeKind::Relative;
      }
      end.value = time_value("the end time of a blocking call after '...' (like 0...0.100 accept(...))");
      sc.end_time = end;
    }
    if (cur().kind != Tok::Word) fail("a system call name");
    sc.name = cur().text;
    sc.name_pos = pos(cur());
    next();
    expect_punct("(", "'(' after the system call name " + sc.name);
    if (!is_punct(")")) {
      for (;;) {
        sc.args.push_back(expression());
        if (is_punct(",")) {
          next();
          continue;
        }
        break;
      }
    }
    expect_punct(")", "',' or ')' in the arguments of " + sc.name + "()");
    expect_punct("=", "'=' and the expected return value after " + sc.name + "(...)");
    sc.result_pos = pos(cur());
    const int result_line = cur().line;
    sc.result = expression();
    // opt_errno: WORD note, on the line of the result (a word on the next
    // line starts a new event, which needs its time).
    if (cur().kind == Tok::Word && cur().line == result_line) {
      sc.errno_name = cur().text;
      sc.errno_pos = pos(cur());
      next();
    }
    if (is_punct("(") && cur().line == result_line) {  // note: '(' word_list ')' 
      const int l = cur().line;
      next();
      std::string note;
      while (!is_punct(")")) {
        if (cur().kind == Tok::End || cur().line != l) fail("')' closing the note");
        if (!note.empty() && cur().kind != Tok::Punct) note += " ";
        note += cur().text;
        next();
      }
      next();
      sc.note = note;
    }
    return sc;
  }

  Expr expression() {
    Expr first = primary();
    if (!is_punct("|")) return first;
    Expr e;
    e.kind = Expr::Kind::BitOr;
    e.pos = first.pos;
    e.items.push_back(std::move(first));
    while (is_punct("|")) {
      next();
      e.items.push_back(primary());
    }
    return e;
  }

  Expr primary() {
    Expr e;
    e.pos = pos(cur());
    const Token& t = cur();
    if (t.kind == Tok::Ellipsis) {
      next();
      e.kind = Expr::Kind::Ellipsis;
      return e;
    }
    if (t.kind == Tok::Integer) {
      next();
      e.kind = Expr::Kind::Integer;
      e.integer = t.ival;
      return e;
    }
    if (t.kind == Tok::Punct && t.text == "-" && ahead(1).kind == Tok::Integer) {
      next();
      e.kind = Expr::Kind::Integer;
      e.integer = -cur().ival;
      next();
      return e;
    }
    if (t.kind == Tok::String) {
      e.kind = Expr::Kind::String;
      while (cur().kind == Tok::String) {  // string concatenation
        e.text += cur().text;
        next();
      }
      if (cur().kind == Tok::Ellipsis) next();  // "abc"...
      return e;
    }
    if (t.kind == Tok::Word) {
      e.kind = Expr::Kind::Symbol;
      e.text = t.text;
      next();
      if (is_punct("(")) {  // htons(8080), inet_addr("192.0.2.1")
        next();
        if (!is_punct(")")) {
          for (;;) {
            e.items.push_back(expression());
            if (is_punct(",")) {
              next();
              continue;
            }
            break;
          }
        }
        expect_punct(")", "',' or ')' after the arguments of " + e.text + "(...)");
      }
      return e;
    }
    if (t.kind == Tok::Punct && (t.text == "[" || t.text == "{")) {
      const bool brace = t.text == "{";
      const char* close = brace ? "}" : "]";
      e.kind = brace ? Expr::Kind::Struct : Expr::Kind::List;
      next();
      if (!is_punct(close)) {
        for (;;) {
          std::string name;
          if (cur().kind == Tok::Word && ahead(1).kind == Tok::Punct && ahead(1).text == "=") {
            name = cur().text;
            next();
            next();
          }
          Expr item = expression();
          if (name.empty() && is_punct("=")) {  // msg_name(...)=..., msg_iov(1)=[...]
            name = to_string(item);
            next();
            item = expression();
          }
          e.names.push_back(name);
          e.items.push_back(std::move(item));
          if (is_punct(",")) {
            next();
            continue;
          }
          break;
        }
      }
      expect_punct(close, std::string("',' or '") + close + "'");
      bool named = false;
      for (auto& n : e.names) named |= !n.empty();
      if (!named) e.names.clear();
      return e;
    }
    fail("an expression (a number, a name, \"string\", [..], {..} or ...)");
  }

  std::vector<Token> t_;
  std::size_t k_ = 0;
  std::vector<std::string> lines_;
};

}  // namespace

ParseResult parse_packetdrill(const std::string& text, const std::string& filename) {
  ParseResult r;
  try {
    Lexer lx(text);
    Parser p(lx.run(), text);
    r.script = p.run(filename);
    if (r.script->lines.empty() && r.script->options.empty()) {
      r.script.reset();
      r.error = ParseError{filename, 1, 1, "the script has no events"};
    }
  } catch (const Fail& f) {
    r.script.reset();
    r.error = ParseError{filename, f.line, f.col, f.message};
  }
  return r;
}

ParseResult parse_packetdrill_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ParseResult r;
    r.error = ParseError{path, 0, 0, "cannot read the file"};
    return r;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_packetdrill(ss.str(), path);
}

}  // namespace tcpsim::packetdrill
