// tcpsim — names and small conversions for the basic vocabulary.
#include "tcpsim/types.hpp"

#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <cctype>

namespace tcpsim {

namespace {
struct StateNames {
  TcpState s;
  const char* linux_name;
  const char* rfc_name;
};
constexpr StateNames kStateNames[kNumTcpStates] = {
    {TcpState::Closed, "CLOSED", "CLOSED"},
    {TcpState::Listen, "LISTEN", "LISTEN"},
    {TcpState::SynSent, "SYN_SENT", "SYN-SENT"},
    {TcpState::SynReceived, "SYN_RECEIVED", "SYN-RECEIVED"},
    {TcpState::Established, "ESTABLISHED", "ESTABLISHED"},
    {TcpState::FinWait1, "FIN_WAIT_1", "FIN-WAIT-1"},
    {TcpState::FinWait2, "FIN_WAIT_2", "FIN-WAIT-2"},
    {TcpState::CloseWait, "CLOSE_WAIT", "CLOSE-WAIT"},
    {TcpState::Closing, "CLOSING", "CLOSING"},
    {TcpState::LastAck, "LAST_ACK", "LAST-ACK"},
    {TcpState::TimeWait, "TIME_WAIT", "TIME-WAIT"},
};
}  // namespace

const char* state_name(TcpState s) { return kStateNames[static_cast<int>(s)].linux_name; }
const char* state_rfc_name(TcpState s) { return kStateNames[static_cast<int>(s)].rfc_name; }

std::optional<TcpState> parse_state(std::string_view v) {
  std::string u(v);
  for (auto& c : u) {
    if (c == '-') c = '_';
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (u == "SYN_RECV") u = "SYN_RECEIVED";      // ss spelling
  if (u == "ESTAB") u = "ESTABLISHED";
  if (u == "FIN_WAIT1") u = "FIN_WAIT_1";
  if (u == "FIN_WAIT2") u = "FIN_WAIT_2";
  if (u == "CLOSE") u = "CLOSED";
  for (const auto& n : kStateNames)
    if (u == n.linux_name) return n.s;
  return std::nullopt;
}

std::string flags_string(std::uint8_t f) {
  // tcpdump's order: F S R P . U (print-tcp.c tcp_flag_values).
  std::string s;
  if (f & kFin) s += 'F';
  if (f & kSyn) s += 'S';
  if (f & kRst) s += 'R';
  if (f & kPsh) s += 'P';
  if (f & kAck) s += '.';
  if (f & kUrg) s += 'U';
  if (s.empty()) s = "none";
  return s;
}

std::optional<std::uint8_t> parse_flags(std::string_view s) {
  std::uint8_t f = 0;
  if (s == "none") return 0;
  if (s.empty()) return std::nullopt;
  for (char c : s) {
    std::uint8_t bit = 0;
    switch (c) {
      case 'F': bit = kFin; break;
      case 'S': bit = kSyn; break;
      case 'R': bit = kRst; break;
      case 'P': bit = kPsh; break;
      case '.': bit = kAck; break;
      case 'U': bit = kUrg; break;
      default: return std::nullopt;
    }
    if (f & bit) return std::nullopt;
    f |= bit;
  }
  if (flags_string(f) != s) return std::nullopt;  // only the canonical order
  return f;
}

std::string format_time(Time t) {
  char buf[40];
  const char* sign = t < 0 ? "-" : "";
  std::uint64_t a = t < 0 ? static_cast<std::uint64_t>(-(t + 1)) + 1 : static_cast<std::uint64_t>(t);
  std::snprintf(buf, sizeof buf, "%s%" PRIu64 ".%06" PRIu64, sign, a / 1000000, a % 1000000);
  return buf;
}

std::string format_duration(Time d) {
  char buf[48];
  double v = static_cast<double>(d);
  if (d >= sec(1) || d <= -sec(1)) std::snprintf(buf, sizeof buf, "%.1f s", v / 1e6);
  else if (d >= msec(1) || d <= -msec(1)) std::snprintf(buf, sizeof buf, "%.0f ms", v / 1e3);
  else std::snprintf(buf, sizeof buf, "%" PRId64 " us", d);
  return buf;
}

std::string visible_text(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  const auto* b = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  auto hex = [&](unsigned v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02x", v);
    out += buf;
  };
  for (std::size_t i = 0; i < n;) {
    unsigned char c = b[i];
    if (c < 0x80) {
      if (c == '\n') out += "\\n";
      else if (c == '\r') out += "\\r";
      else if (c == '\t') out += "\\t";
      else if (c < 0x20 || c == 0x7f) hex(c);
      else out += static_cast<char>(c);
      ++i;
      continue;
    }
    std::size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (c >= 0xF5) len = 0;
    bool ok = len != 0 && i + len <= n;
    for (std::size_t k = 1; ok && k < len; ++k) ok = (b[i + k] & 0xC0) == 0x80;
    if (!ok) {
      hex(c);
      ++i;
      continue;
    }
    unsigned cp = len == 2 ? (c & 0x1Fu) : len == 3 ? (c & 0x0Fu) : (c & 0x07u);
    for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (b[i + k] & 0x3Fu);
    bool invisible = (cp >= 0x80 && cp <= 0x9F) || cp == 0xAD || cp == 0xFEFF ||
                     (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
                     (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFFF9 || cp == 0xFFFA || cp == 0xFFFB;
    if (invisible) {
      char buf[12];
      std::snprintf(buf, sizeof buf, "U+%04X", cp);
      out += buf;
    } else {
      out.append(s, i, len);
    }
    i += len;
  }
  return out;
}

std::optional<Time> parse_duration(std::string_view s) {
  if (s.empty() || s.size() > 40) return std::nullopt;
  std::string str(s);
  // Split number and unit.
  // One grammar (scenarios/README.md): digits, optionally '.' and more
  // digits, then the unit with no space: 200ms, 1.5s. Not "1 s", "5.s", ".5s".
  std::size_t i = 0;
  while (i < str.size() && (std::isdigit(static_cast<unsigned char>(str[i])) || str[i] == '.')) ++i;
  std::string num = str.substr(0, i), unit = str.substr(i);
  if (num.empty() || std::count(num.begin(), num.end(), '.') > 1) return std::nullopt;
  if (num.front() == '.' || num.back() == '.') return std::nullopt;
  double mult;
  if (unit.empty() || unit == "s" || unit == "sec") mult = 1e6;
  else if (unit == "ms") mult = 1e3;
  else if (unit == "us") mult = 1;
  else if (unit == "min" || unit == "m") mult = 60e6;
  else if (unit == "h") mult = 3600e6;
  else if (unit == "d") mult = 86400e6;
  else return std::nullopt;
  errno = 0;
  double v = std::strtod(num.c_str(), nullptr);
  if (errno != 0 || !std::isfinite(v)) return std::nullopt;
  double us = v * mult;
  if (us > 1e15) return std::nullopt;  // ~31 years: beyond any scenario
  return static_cast<Time>(std::llround(us));
}

std::string ip_string(std::uint32_t ip) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
  return buf;
}

std::optional<std::uint32_t> parse_ip(std::string_view s) {
  std::uint32_t ip = 0;
  int parts = 0;
  std::size_t i = 0;
  while (parts < 4) {
    if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
    unsigned v = 0;
    int digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      v = v * 10 + static_cast<unsigned>(s[i] - '0');
      if (++digits > 3 || v > 255) return std::nullopt;
      ++i;
    }
    ip = (ip << 8) | v;
    ++parts;
    if (parts < 4) {
      if (i >= s.size() || s[i] != '.') return std::nullopt;
      ++i;
    }
  }
  if (i != s.size()) return std::nullopt;
  return ip;
}

std::string endpoint_string(std::uint32_t ip, std::uint16_t port) {
  return ip_string(ip) + ":" + std::to_string(port);
}

namespace {
struct ErrnoName {
  int v;
  const char* name;
};
constexpr ErrnoName kErrnos[] = {
    {EPERM, "EPERM"},           {ENOENT, "ENOENT"},         {EINTR, "EINTR"},
    {EBADF, "EBADF"},           {EAGAIN, "EAGAIN"},         {ENOMEM, "ENOMEM"},
    {EFAULT, "EFAULT"},         {EINVAL, "EINVAL"},         {EMFILE, "EMFILE"},
    {ENFILE, "ENFILE"},         {EPIPE, "EPIPE"},           {ENOTSOCK, "ENOTSOCK"},
    {EOPNOTSUPP, "EOPNOTSUPP"}, {EADDRINUSE, "EADDRINUSE"}, {EADDRNOTAVAIL, "EADDRNOTAVAIL"},
    {ENETUNREACH, "ENETUNREACH"}, {ECONNABORTED, "ECONNABORTED"}, {ECONNRESET, "ECONNRESET"},
    {EISCONN, "EISCONN"},       {ENOTCONN, "ENOTCONN"},     {ETIMEDOUT, "ETIMEDOUT"},
    {ECONNREFUSED, "ECONNREFUSED"}, {EHOSTUNREACH, "EHOSTUNREACH"}, {EALREADY, "EALREADY"},
    {EINPROGRESS, "EINPROGRESS"}, {EDESTADDRREQ, "EDESTADDRREQ"},
};
}  // namespace

const char* errno_name(int err) {
  if (err == 0) return nullptr;
  for (const auto& e : kErrnos)
    if (e.v == err) return e.name;
  return "E?";
}

std::optional<int> parse_errno(std::string_view name) {
  for (const auto& e : kErrnos)
    if (name == e.name) return e.v;
  if (name == "EWOULDBLOCK") return EAGAIN;
  return std::nullopt;
}

}  // namespace tcpsim
