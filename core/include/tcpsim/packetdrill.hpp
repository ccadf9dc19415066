// tcpsim — packetdrill scripts (issue #16): the parsed script and its parser.
//
// Read first: google/packetdrill's README and gtests/net/packetdrill/parser.y
// (the grammar this follows), and the kernel's
// tools/testing/selftests/net/packetdrill/*.pkt for real scripts.
//
// A script is a list of lines, each with a time and one of: a system call
// on the local socket API (`+0 close(4) = 0`), a segment the remote injects
// (`< F. 1:1(0) ack 1 win 257`), a segment the local stack must send
// (`> R. 1:1(0) ack 1`), a backquoted shell command or a %{ }% Python block.
// This header is plain data plus the parser; the runner that plays a script
// against the model lives in core/src/packetdrill/run.cpp (see
// docs/packetdrill.md). Additive changes only: the exporter and the
// real-kernel player build on these types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tcpsim/types.hpp"

namespace tcpsim::packetdrill {

// 1-based line and column in the script.
struct SourcePos {
  int line = 0;
  int col = 0;
};

// ---- time (parser.y: event_time, opt_end_time) ----
enum class TimeKind : std::uint8_t {
  Absolute,  // `0.100`: from the start of the script
  Relative,  // `+0.1`: from the time of the previous line
  Any,       // `*`: whenever it happens (outbound segments only, in practice)
};

// One time as written. `0.1~0.2` and `+0.1~+0.2` are ranges: the event may
// happen anywhere in [start, end] (both ends of the same kind).
struct TimeSpec {
  TimeKind kind = TimeKind::Absolute;
  Time value = 0;                 // microseconds (absolute, or the offset)
  std::optional<Time> range_end;  // `~END`, microseconds, same kind as value
  SourcePos pos;
};

// ---- expressions: system call arguments and return values ----
// packetdrill's expression language as far as the supported calls need:
// `...`, integers (decimal, 0x hex, negative), symbols (`SOL_SOCKET`,
// `O_NONBLOCK`), `A|B`, strings, `[x]` (a pointer to a value or an array)
// and `{name=value, ...}` (a struct: linger, epoll_event, pollfd).
struct Expr {
  enum class Kind : std::uint8_t {
    Ellipsis,  // ...
    Integer,   // 42, -1, 0x802
    Symbol,    // SOL_SOCKET, EPOLLIN, NULL
    String,    // "abc" (text holds the unescaped bytes)
    BitOr,     // items[0] | items[1] | ...
    List,      // [a, b]
    Struct,    // {name=value, ...}; names[i] names items[i] ("" if positional)
  };
  Kind kind = Kind::Ellipsis;
  std::int64_t integer = 0;
  std::string text;               // Symbol name / String content
  std::vector<Expr> items;
  std::vector<std::string> names;
  SourcePos pos;
};
// The expression as packetdrill would print it ("{l_onoff=1, l_linger=0}").
std::string to_string(const Expr& e);

struct Syscall {
  std::string name;               // "close", "setsockopt", ...
  SourcePos name_pos;
  std::vector<Expr> args;
  // `0...0.100 accept(...)`: a blocking call that starts at the line's time
  // and must return at end_time (packetdrill's syscall->end_usecs).
  std::optional<TimeSpec> end_time;
  Expr result;                    // `= -1`, `= 4`, `= 0x802`, `= ...`
  SourcePos result_pos;
  std::string errno_name;         // "ECONNRESET" ("" when none)
  SourcePos errno_pos;
  std::string note;               // "(Connection reset by peer)" without parentheses
};

// ---- TCP segments ----
enum class Direction : std::uint8_t {
  Inbound,   // `<`: the remote sends it; the runner injects it
  Outbound,  // `>`: the local stack must send it; the runner checks it
};

struct TcpOption {
  enum class Kind : std::uint8_t {
    Nop, Eol, Mss, SackOk, Sack, Timestamp, WindowScale, FastOpen, Md5, Other,
  };
  Kind kind = Kind::Other;
  std::string name;               // as written: "mss", "TS", "wscale", "sack", "FO", ...
  std::uint32_t value = 0;        // Mss: mss; WindowScale: shift; Timestamp: val
  std::uint32_t value2 = 0;       // Timestamp: ecr
  std::vector<std::pair<std::uint32_t, std::uint32_t>> blocks;  // Sack: left:right
  std::string text;               // the option as written
  SourcePos pos;
};

struct Segment {
  Direction dir = Direction::Inbound;
  std::string flags_text;         // as written: "S.", "F.", "P.", "R"
  std::uint8_t flags = 0;         // TcpFlag bits ('.' = kAck)
  bool ece = false, cwr = false;  // 'E', 'W'
  SourcePos flags_pos;
  // `seq_start:seq_end(len)`, relative to the sender's ISN as packetdrill
  // counts them (the SYN is at 0, the first data byte at 1).
  std::uint32_t seq_start = 0;
  std::uint32_t seq_end = 0;
  std::uint32_t len = 0;
  SourcePos seq_pos;
  std::optional<std::uint32_t> ack;  // relative to the other side's ISN
  SourcePos ack_pos;
  std::optional<std::uint32_t> win;  // not given: not checked on `>` lines
  SourcePos win_pos;
  // `<...>`: not given (nullopt) means "not checked" on `>` lines and "no
  // options" on `<` lines; given and empty is `<>`.
  std::optional<std::vector<TcpOption>> options;
  SourcePos options_pos;
  std::string ecn;                // `[ect0]`, `[ce]`, ... as written ("" when none)
  // `< 40001>8080 S ...`: ports as written (source>destination), for scripts
  // with more than one connection; not given: the runner's defaults.
  std::optional<std::uint16_t> src_port, dst_port;
};

// A backquoted shell command. The runner honours `sysctl -q NAME=VALUE`
// (each setting listed in `sysctls`) when the model knows NAME, and skips
// everything else with `warning`.
struct Shell {
  std::string command;            // without the backquotes
  std::vector<std::pair<std::string, std::string>> sysctls;  // "net.ipv4.tcp_fin_timeout", "5"
  std::string warning;            // "" when every part of the command is understood
};

// A %{ ... }% Python block: never run, skipped with `warning`.
struct Python {
  std::string code;
  std::string warning;
};

struct Line {
  enum class Kind : std::uint8_t { Syscall, Segment, Shell, Python };
  Kind kind = Kind::Syscall;
  SourcePos pos;                  // where the line starts (its time, or its first token)
  // Absent for a shell command or Python block written without a time (the
  // init and cleanup commands of parser.y); always present otherwise.
  std::optional<TimeSpec> time;
  Syscall syscall;                // Kind::Syscall
  Segment segment;                // Kind::Segment
  Shell shell;                    // Kind::Shell
  Python python;                  // Kind::Python
  std::string text;               // the source text of the line (first line of a block)
};

// `--name=value` lines at the top of a script (packetdrill's command-line
// options written into the script, e.g. --tolerance_usecs=10000).
struct ScriptOption {
  std::string name;               // "tolerance_usecs"
  std::string value;              // "10000" ("" when written without =)
  SourcePos pos;
};

struct Script {
  std::string file;
  std::vector<ScriptOption> options;
  std::vector<Line> lines;
};

struct ParseError {
  std::string file;
  int line = 0;
  int col = 0;
  std::string message;
  std::string str() const;        // "file:line:col: message"
};

struct ParseResult {
  std::optional<Script> script;   // set on success
  std::optional<ParseError> error;  // set on failure (the first error)
  bool ok() const { return script.has_value(); }
};

// Parses a whole script. `filename` names it in errors and in Script::file.
// Unsupported constructs (UDP/ICMP packets, unknown line shapes) are errors
// that say so; unknown system call names parse (the runner refuses them).
ParseResult parse_packetdrill(const std::string& text, const std::string& filename);

// Reads and parses a file (an error names the file when it cannot be read).
ParseResult parse_packetdrill_file(const std::string& path);

}  // namespace tcpsim::packetdrill
