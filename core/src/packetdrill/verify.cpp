// tcpsim — one outbound segment checked against a packetdrill `>` line
// (tcpsim/packetdrill_verify.hpp): google/packetdrill run_packet.c,
// verify_outbound_live_packet() and verify_tcp().
#include "tcpsim/packetdrill_verify.hpp"

#include <cstdio>
#include <utility>

namespace tcpsim::packetdrill {

std::string packetdrill_secs(Time t) {
  char b[48];
  std::snprintf(b, sizeof b, "%s%lld.%06lld", t < 0 ? "-" : "", static_cast<long long>((t < 0 ? -t : t) / 1000000),
                static_cast<long long>((t < 0 ? -t : t) % 1000000));
  return b;
}

std::optional<std::string> check_outbound(const OutboundView& got, const OutboundExpect& want) {
  const Segment& sg = *want.script;
  auto field = [](const char* name, std::uint32_t e, std::uint32_t a) {
    return std::string("live packet field ") + name + ": expected: " + std::to_string(e) + " vs actual: " +
           std::to_string(a);
  };
  // verify_tcp(): the flag bits one by one, in the header's order.
  static const std::pair<std::uint8_t, const char*> bits[] = {
      {0x01, "tcp_fin"}, {0x02, "tcp_syn"}, {0x04, "tcp_rst"}, {0x08, "tcp_psh"},
      {0x10, "tcp_ack"}, {0x20, "tcp_urg"}, {0x40, "tcp_ece"}, {0x80, "tcp_cwr"}};
  for (const auto& [bit, name] : bits) {
    if (!(want.flag_mask & bit)) continue;
    const int e = (want.flags & bit) ? 1 : 0, a = (got.flags & bit) ? 1 : 0;
    if (e != a)
      return std::string("live packet field ") + name + ": expected: " + std::to_string(e) + " (0x" +
             std::to_string(e) + ") vs actual: " + std::to_string(a) + " (0x" + std::to_string(a) + ")";
  }
  if (want.ports && sg.src_port && *sg.src_port != got.sport) return field("tcp_src_port", *sg.src_port, got.sport);
  if (want.ports && sg.dst_port && *sg.dst_port != got.dport) return field("tcp_dst_port", *sg.dst_port, got.dport);
  if (got.seq != sg.seq_start) return field("tcp_seq", sg.seq_start, got.seq);
  if (sg.ack && got.ack != *sg.ack) return field("tcp_ack_seq", *sg.ack, got.ack);
  if (sg.win) {
    if (!want.window) {
      if (want.on_window_unchecked) want.on_window_unchecked();
    } else if (*sg.win != got.win) {
      return field("tcp_window", *sg.win, got.win);
    }
  }
  if (sg.options && want.options_match && !want.options_match()) return std::string("bad outbound TCP options");
  // The payload: its length (the bytes are the zeros the script's calls wrote).
  if (got.len != sg.len)
    return "live packet payload: expected " + std::to_string(sg.len) + " bytes vs actual " + std::to_string(got.len) +
           " bytes";
  // Then the time, within --tolerance_usecs of the line's time or range.
  const Time lo = want.any_time ? 0 : want.t - want.tolerance;
  const Time hi = want.any_time ? kNever : want.t_end + want.tolerance;
  if (got.t < lo || got.t > hi) {
    const std::string exp = want.t == want.t_end
                                ? "at " + packetdrill_secs(want.t) + " sec"
                                : "in " + packetdrill_secs(want.t) + " ~ " + packetdrill_secs(want.t_end) + " sec";
    return "timing error: expected outbound packet " + exp + " but happened at " + packetdrill_secs(got.t) +
           " sec; tolerance " + packetdrill_secs(want.tolerance) + " sec";
  }
  return std::nullopt;
}

}  // namespace tcpsim::packetdrill
