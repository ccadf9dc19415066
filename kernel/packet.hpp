// tcpsim::kernel — crafting and parsing IPv4/TCP packets for TUN devices:
// the packetdrill player writes its `<` segments with it, the scenario
// runner's wire writes `inject:` segments with it (one builder, one
// checksum).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "tcpsim/types.hpp"

namespace tcpsim::kernel::pkt {

std::uint16_t csum(const std::uint8_t* p, std::size_t n, std::uint32_t sum = 0);
void put16(std::uint8_t* p, std::uint32_t v);
void put32(std::uint8_t* p, std::uint32_t v);
inline std::uint32_t get16(const std::uint8_t* p) { return (p[0] << 8) | p[1]; }
inline std::uint32_t get32(const std::uint8_t* p) { return (get16(p) << 16) | get16(p + 2); }

struct Opt {
  std::uint8_t kind = 0;
  std::vector<std::uint8_t> data;  // without kind and length
};

struct Packet {
  std::uint32_t src = 0, dst = 0;
  std::uint16_t sport = 0, dport = 0;
  std::uint32_t seq = 0, ack = 0;
  std::uint8_t flags = 0;  // FIN SYN RST PSH ACK URG ECE CWR (the TCP header byte)
  std::uint16_t win = 0;
  std::uint32_t len = 0;   // payload bytes (zeros)
  std::uint8_t tos = 0;
  std::vector<Opt> opts;
  Time t = 0;  // script time it was read (outbound)
};

// The packet's bytes: IPv4 header (DF, TTL 64) and TCP header with options,
// both checksums, `len` zero bytes of payload.
std::vector<std::uint8_t> build(const Packet& k);
// false when it is not an IPv4/TCP packet of consistent lengths.
bool parse(const std::uint8_t* p, std::size_t n, Packet& k);

}  // namespace tcpsim::kernel::pkt
