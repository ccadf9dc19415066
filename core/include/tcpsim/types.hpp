// tcpsim — basic vocabulary shared by the core, the trace and every consumer.
//
// Read first: RFC 9293 §3.3.2 (the state diagram), §3.1 (header format).
// Nothing here depends on Boost.MSM: the TCP state enum below is the trace's
// vocabulary; the MSM state types in core/src/tcp/ each name the enum value
// they stand for (see tcp_fsm.cpp), so names live beside the states.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tcpsim {

// Virtual time in microseconds since the start of the simulation.
using Time = std::int64_t;
constexpr Time kNever = INT64_MAX;
constexpr Time usec(std::int64_t v) { return v; }
constexpr Time msec(std::int64_t v) { return v * 1000; }
constexpr Time sec(std::int64_t v) { return v * 1000000; }
// "12.345678" (seconds, 6 decimals, as tcpdump prints).
std::string format_time(Time t);
// "41.3 s", "200 ms", "15 us": human readable duration for labels.
std::string format_duration(Time d);

// Text safe to print anywhere: control characters (C0, DEL, C1) become
// \xNN (\n, \r, \t as such), invisible format characters (BOM, zero-width,
// bidi controls) become U+XXXX, and invalid UTF-8 bytes \xNN. Printable
// text, Chinese included, is unchanged.
std::string visible_text(const std::string& s);
// "1.5s", "200ms", "40us", "2min", "1h", or a bare number of seconds ("0.25").
// nullopt when malformed, negative or out of range.
std::optional<Time> parse_duration(std::string_view s);

// The eleven states of RFC 793 Figure 6 / RFC 9293 §3.3.2.
enum class TcpState : std::uint8_t {
  Closed,
  Listen,
  SynSent,
  SynReceived,
  Established,
  FinWait1,
  FinWait2,
  CloseWait,
  Closing,
  LastAck,
  TimeWait,
};
constexpr int kNumTcpStates = 11;

// Linux / netstat spelling used in traces, scenario files and the CLI:
// "FIN_WAIT_1". (The kernel's ss prints "FIN-WAIT-1"; parse accepts both.)
const char* state_name(TcpState s);
// RFC 9293 spelling for display in diagrams: "FIN-WAIT-1".
const char* state_rfc_name(TcpState s);
std::optional<TcpState> parse_state(std::string_view s);

// TCP header control bits (RFC 9293 §3.1).
enum TcpFlag : std::uint8_t {
  kFin = 0x01,
  kSyn = 0x02,
  kRst = 0x04,
  kPsh = 0x08,
  kAck = 0x10,
  kUrg = 0x20,
};
// tcpdump notation: "S", "S.", ".", "P.", "F.", "FP.", "R", "R.".
std::string flags_string(std::uint8_t flags);
// Inverse of flags_string; nullopt for anything else.
std::optional<std::uint8_t> parse_flags(std::string_view s);

// IPv4 address helpers (host byte order).
std::string ip_string(std::uint32_t ip);
std::optional<std::uint32_t> parse_ip(std::string_view s);
std::string endpoint_string(std::uint32_t ip, std::uint16_t port);  // "10.0.0.1:80"

// One TCP segment as it travels. Payload bytes are not carried: the content
// of a stream is a pure function of its stream offset (see data_byte()), so
// a segment is fully described by seq and len. This keeps a million
// connections cheap and still lets tests check every delivered byte.
struct Segment {
  std::uint32_t src_ip = 0;
  std::uint32_t dst_ip = 0;
  std::uint16_t sport = 0;
  std::uint16_t dport = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint32_t len = 0;  // payload bytes (SYN and FIN not counted)
  std::uint16_t win = 0;
  std::uint8_t flags = 0;
  // The ACK reports a duplicate segment (a D-SACK block, RFC 2883): the
  // linux profile's one piece of SACK, not drawn and not in exports.
  bool dsack = false;
  // Sequence space the segment occupies: len + SYN + FIN (RFC 9293 §3.4).
  std::uint32_t seg_len() const {
    return len + ((flags & kSyn) ? 1u : 0u) + ((flags & kFin) ? 1u : 0u);
  }
  bool has(std::uint8_t f) const { return (flags & f) == f; }
};

// The byte at stream offset `off` of the stream identified by `stream_key`.
inline std::uint8_t data_byte(std::uint64_t stream_key, std::uint64_t off) {
  std::uint64_t x = stream_key * 0x9E3779B97F4A7C15ull + off;
  x ^= x >> 29;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 32;
  return static_cast<std::uint8_t>(x);
}

// Errno names used by the socket layer (values as on Linux x86-64).
const char* errno_name(int err);  // "EPIPE"; nullptr for 0
std::optional<int> parse_errno(std::string_view name);

}  // namespace tcpsim
