// tcpsim — sequence number arithmetic modulo 2^32 (RFC 9293 §3.4, RFC 1982).
// Comparisons are valid for numbers less than 2^31 apart, as in Linux's
// before()/after() (include/net/tcp.h).
#pragma once

#include <cstdint>

namespace tcpsim {

constexpr bool seq_lt(std::uint32_t a, std::uint32_t b) {
  return static_cast<std::int32_t>(a - b) < 0;
}
constexpr bool seq_le(std::uint32_t a, std::uint32_t b) {
  return static_cast<std::int32_t>(a - b) <= 0;
}
constexpr bool seq_gt(std::uint32_t a, std::uint32_t b) { return seq_lt(b, a); }
constexpr bool seq_ge(std::uint32_t a, std::uint32_t b) { return seq_le(b, a); }
// lo <= x < hi, modulo 2^32 (RFC 9293 §3.4's "=<" and "<" chain).
constexpr bool seq_in(std::uint32_t x, std::uint32_t lo, std::uint32_t hi) {
  return x - lo < hi - lo;
}

}  // namespace tcpsim
