// tcpsim::kernel — IPv4/TCP packets for TUN devices (packet.hpp).
#include "packet.hpp"

#include <netinet/in.h>

#include <algorithm>

namespace tcpsim::kernel::pkt {

std::uint16_t csum(const std::uint8_t* p, std::size_t n, std::uint32_t sum) {
  for (std::size_t i = 0; i + 1 < n; i += 2) sum += (p[i] << 8) | p[i + 1];
  if (n & 1) sum += p[n - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}
void put16(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
void put32(std::uint8_t* p, std::uint32_t v) {
  put16(p, v >> 16);
  put16(p + 2, v & 0xffff);
}

std::vector<std::uint8_t> build(const Packet& k) {
  std::vector<std::uint8_t> o;
  for (const auto& x : k.opts) {
    o.push_back(x.kind);
    if (x.kind == 0 || x.kind == 1) continue;
    o.push_back(static_cast<std::uint8_t>(2 + x.data.size()));
    o.insert(o.end(), x.data.begin(), x.data.end());
  }
  while (o.size() % 4) o.push_back(0);  // EOL padding
  const std::size_t thl = 20 + o.size(), tot = 20 + thl + k.len;
  std::vector<std::uint8_t> b(tot, 0);
  std::uint8_t* ip = b.data();
  ip[0] = 0x45;
  ip[1] = k.tos;
  put16(ip + 2, static_cast<std::uint32_t>(tot));
  put16(ip + 6, 0x4000);  // DF
  ip[8] = 64;
  ip[9] = IPPROTO_TCP;
  put32(ip + 12, k.src);
  put32(ip + 16, k.dst);
  put16(ip + 10, csum(ip, 20));
  std::uint8_t* t = ip + 20;
  put16(t, k.sport);
  put16(t + 2, k.dport);
  put32(t + 4, k.seq);
  put32(t + 8, k.ack);
  t[12] = static_cast<std::uint8_t>((thl / 4) << 4);
  t[13] = k.flags;
  put16(t + 14, k.win);
  std::copy(o.begin(), o.end(), t + 20);
  // RFC 9293 §3.1: the checksum covers a pseudo header (addresses, protocol, TCP length).
  std::uint32_t sum = (k.src >> 16) + (k.src & 0xffff) + (k.dst >> 16) + (k.dst & 0xffff) + IPPROTO_TCP +
                      static_cast<std::uint32_t>(thl + k.len);
  put16(t + 16, csum(t, thl + k.len, sum));
  return b;
}

bool parse(const std::uint8_t* p, std::size_t n, Packet& k) {
  if (n < 40 || (p[0] >> 4) != 4 || p[9] != IPPROTO_TCP) return false;
  const std::size_t ihl = (p[0] & 15u) * 4u, tot = get16(p + 2);
  if (tot > n || tot < ihl + 20) return false;
  k.tos = p[1];
  k.src = get32(p + 12);
  k.dst = get32(p + 16);
  const std::uint8_t* t = p + ihl;
  k.sport = static_cast<std::uint16_t>(get16(t));
  k.dport = static_cast<std::uint16_t>(get16(t + 2));
  k.seq = get32(t + 4);
  k.ack = get32(t + 8);
  const std::size_t doff = (t[12] >> 4) * 4u;
  if (doff < 20 || ihl + doff > tot) return false;
  k.flags = t[13];
  k.win = static_cast<std::uint16_t>(get16(t + 14));
  k.len = static_cast<std::uint32_t>(tot - ihl - doff);
  for (std::size_t i = 20; i < doff;) {
    Opt o;
    o.kind = t[i];
    if (o.kind == 0) break;
    if (o.kind == 1) {
      k.opts.push_back(o);
      ++i;
      continue;
    }
    if (i + 1 >= doff || t[i + 1] < 2 || i + t[i + 1] > doff) break;
    o.data.assign(t + i + 2, t + i + t[i + 1]);
    i += t[i + 1];
    k.opts.push_back(o);
  }
  return true;
}

}  // namespace tcpsim::kernel::pkt
