// tcpsim — checking one segment the stack under test sent against a
// packetdrill `>` line. One check for both players of a script: the model
// runner (core/src/packetdrill/run.cpp) and the real-kernel player
// (kernel/pkt_player.cpp), so that a mismatch is found in the same order and
// worded the same way on both, as packetdrill words it.
//
// Read first: google/packetdrill run_packet.c, verify_outbound_live_packet()
// and verify_tcp(): the TCP header fields, then the options, then the
// payload, then the time.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "tcpsim/packetdrill.hpp"
#include "tcpsim/types.hpp"

namespace tcpsim::packetdrill {

// A segment the stack under test sent, in the script's terms: each player
// fills it from its own packet (the model's Segment, the kernel's parsed
// IPv4/TCP packet), GSO/TSO pieces already joined.
struct OutboundView {
  Time t = 0;              // when it left, script time (microseconds)
  std::uint8_t flags = 0;  // TCP header bits: FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 ECE 0x40 CWR 0x80
  std::uint16_t sport = 0, dport = 0;
  std::uint32_t seq = 0;  // relative to the local ISN, as the script writes it
  std::uint32_t ack = 0;  // relative to the remote's ISN
  std::uint16_t win = 0;
  std::uint32_t len = 0;  // payload bytes
};

// The `>` line a segment is checked against, and what the player can check.
struct OutboundExpect {
  const Segment* script = nullptr;
  std::uint8_t flags = 0;          // the header bits the line asks for
  std::uint8_t flag_mask = 0xFF;   // the bits compared (the model sends no ECN bits: 0x3F)
  Time t = 0, t_end = 0;           // the line's time, or its range `t~t_end`
  bool any_time = false;           // `*`: any time
  Time tolerance = 0;              // --tolerance_usecs
  bool ports = true;               // compare the line's explicit ports (`> 8080>40000 ...`)
  bool window = true;              // compare `win` when the line gives one
  // Called where the window would be compared, when the line gives one but
  // `window` is false (the model: window scaling is not modelled).
  std::function<void()> on_window_unchecked;
  // The TCP options, compared after the window when set: false is "bad
  // outbound TCP options" (verify_outbound_live_tcp_options()).
  std::function<bool()> options_match;
};

// The first difference, worded as packetdrill words it ("live packet field
// tcp_seq: expected: 1 vs actual: 0", "timing error: expected outbound
// packet at 0.100000 sec but happened at 0.300000 sec; tolerance 0.004000
// sec"); nothing when the segment matches the line.
std::optional<std::string> check_outbound(const OutboundView& got, const OutboundExpect& want);

// Microseconds as packetdrill prints seconds: "0.100000".
std::string packetdrill_secs(Time us);

}  // namespace tcpsim::packetdrill
