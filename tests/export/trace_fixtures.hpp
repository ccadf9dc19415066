// Hand-built traces for the exporter tests: they do not need the simulation
// core, and they pin down exactly which segments an export must contain.
#pragma once

#include <string>

#include "tcpsim/trace.hpp"

namespace tcpsim::testing {

// Builds a Trace the way the simulation records one: state events, segment
// sends with their delivery or drop one link delay later.
class TraceBuilder {
 public:
  explicit TraceBuilder(std::string scenario);
  std::uint16_t host(const std::string& name, const std::string& ip);
  std::uint32_t socket(std::uint16_t host, const std::string& label);
  void state(Time t, std::uint32_t sock, TcpState from, TcpState to, const std::string& cause);
  // A transmission from `sock`'s host; delivered `delay` later, or dropped.
  void send(Time t, std::uint16_t from_host, const std::string& src, const std::string& dst,
            const std::string& flags, std::uint32_t seq, std::uint32_t ack, std::uint32_t len,
            bool retrans = false, bool dropped = false);
  void fault(Time t, const std::string& detail);
  // Sorts the events by time (stable: same-time events keep their order).
  Trace finish();

 private:
  Trace t_;
  std::uint32_t next_seg_ = 0;
  Time delay_ = 1000;
};

// Handshake, 100 bytes client -> server, four-way close, TIME_WAIT.
// client 10.0.0.1:49152, server 10.0.0.2:80, ISS 1000 (client) / 5000 (server).
Trace normal_close_trace();
// Handshake; the client's first data segment is lost and retransmitted
// after the RTO; the server sends 50 bytes the client never reads, so the
// client's close() sends R. (RFC 2525 §2.17); plus a SYN to a closed port
// (server:81) answered by R. (connection refused).
Trace retransmit_rst_trace();

}  // namespace tcpsim::testing
