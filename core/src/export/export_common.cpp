// tcpsim — pieces every exporter shares: stream keys, Wireshark-style
// relative sequence numbers, and safe (temporary file + rename) output.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "tcpsim/export.hpp"

namespace tcpsim {

std::uint64_t stream_key(std::uint32_t src_ip, std::uint16_t sport, std::uint32_t dst_ip,
                         std::uint16_t dport) {
  // splitmix64 over the packed 4-tuple: distinct for each direction, stable
  // across runs and platforms (documented in docs/exports.md).
  std::uint64_t x = (static_cast<std::uint64_t>(src_ip) << 32) | dst_ip;
  x ^= (static_cast<std::uint64_t>(sport) << 16 | dport) * 0x9E3779B97F4A7C15ull;
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

RelativeSeq::Dir* RelativeSeq::find(std::uint64_t key) {
  for (auto& d : dirs_)
    if (d.key == key) return &d;
  return nullptr;
}

RelativeSeq::Rel RelativeSeq::add(const Segment& s) {
  const std::uint64_t fwd = stream_key(s.src_ip, s.sport, s.dst_ip, s.dport);
  const std::uint64_t rev = stream_key(s.dst_ip, s.dport, s.src_ip, s.sport);
  Dir* d = find(fwd);
  if (s.has(kSyn)) {
    if (!s.has(kAck) && d && d->syn && d->base != s.seq) {
      // A SYN with a new ISN from a side that already opened this 4-tuple:
      // a new incarnation (port reuse; Wireshark starts a new session too).
      // Forget both old bases. A SYN from the other side with no base yet is
      // a simultaneous open and keeps ours.
      dirs_.erase(dirs_.begin() + (d - dirs_.data()));
      if (Dir* back = find(rev)) dirs_.erase(dirs_.begin() + (back - dirs_.data()));
      d = nullptr;
    }
    if (!d) {
      dirs_.push_back({fwd, s.seq, true});
      d = &dirs_.back();
    } else {
      d->base = s.seq;
      d->syn = true;
    }
  } else if (!d) {
    // No SYN from this side (an RST to a closed port, or a capture that
    // starts mid-connection): Wireshark takes the first seq seen as ISN + 1,
    // so that segment shows relative seq 1.
    dirs_.push_back({fwd, s.seq - 1, false});
    d = &dirs_.back();
  }
  Rel r;
  r.stream = fwd;
  r.seq = s.seq - d->base;
  const Dir* back = find(rev);
  r.ack = back ? s.ack - back->base : s.ack;
  // The first data byte follows the SYN: stream offset 0 is ISN + 1.
  const std::uint32_t first_data = s.seq + (s.has(kSyn) ? 1u : 0u);
  r.data_off = first_data - d->base - 1u;
  return r;
}

// check_writable, write_file_atomically, write_stream_atomically: safe_write.cpp.

}  // namespace tcpsim
