// tcpsim — a read-only index over an immutable Trace for the views.
//
// The GUI and the exporters render a Trace and a cursor; nothing here decides
// protocol behaviour. The cursor is the number of events that have happened
// (0 = before the first event, events.size() = the end), so "the state at the
// cursor" is what the events [0, cursor) recorded. Stepping back is moving
// the cursor; no view keeps history of its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tcpsim/trace.hpp"

namespace tcpsim::render {

// One transmission: its send event and, when they exist, the deliver or drop.
struct SegArrow {
  std::size_t send = 0;            // event index of the send
  std::ptrdiff_t deliver = -1;     // event index of the delivery, -1 none
  std::ptrdiff_t drop = -1;        // event index of the drop, -1 none
  std::uint16_t from_host = 0;
  int to_host = -1;                // -1: no host with the destination address
};

// One state change of a socket.
struct Transition {
  std::size_t index = 0;           // event index
  Time t = 0;
  TcpState from = TcpState::Closed, to = TcpState::Closed;
  std::string cause;
};

// Two sockets of one connection (b = 0 when the peer is not in the trace).
struct Connection {
  std::uint32_t a = 0, b = 0;
};

class TraceView {
 public:
  explicit TraceView(std::shared_ptr<const Trace> trace);

  const Trace& trace() const { return *trace_; }
  std::shared_ptr<const Trace> shared() const { return trace_; }
  std::size_t size() const { return trace_->events.size(); }
  const Event& event(std::size_t i) const { return trace_->events[i]; }

  // Time at a cursor: the time of the last event that happened (0 at start).
  Time time_at(std::size_t cursor) const;
  Time end_time() const;
  // Number of events with t <= time.
  std::size_t cursor_for_time(Time time) const;

  const std::vector<SegArrow>& arrows() const { return arrows_; }
  // Arrows whose send happened before the cursor.
  std::size_t arrows_before(std::size_t cursor) const;
  // Arrow index whose send/deliver/drop is event i, or -1.
  int arrow_of_event(std::size_t i) const;

  // Event indices of all state changes, in order.
  const std::vector<std::size_t>& state_changes() const { return state_changes_; }
  // Next / previous state change strictly after / before the cursor
  // (returned as the cursor just after that event).
  std::optional<std::size_t> next_state_change(std::size_t cursor) const;
  std::optional<std::size_t> prev_state_change(std::size_t cursor) const;

  // Transitions of a socket among events [0, cursor).
  std::vector<Transition> transitions(std::uint32_t sock, std::size_t cursor) const;
  // State at the cursor; nullopt before its first state event.
  std::optional<TcpState> state_at(std::uint32_t sock, std::size_t cursor) const;
  // The latest event at or before the cursor carrying this socket's TCB.
  const Event* tcb_at(std::uint32_t sock, std::size_t cursor) const;

  // Sockets that have state events, in order of first appearance.
  const std::vector<std::uint32_t>& sockets() const { return sockets_; }
  const std::vector<Connection>& connections() const { return connections_; }
  std::uint32_t peer_of(std::uint32_t sock) const;
  std::string socket_label(std::uint32_t sock) const;
  std::string host_name(std::size_t host) const;
  int host_of_ip(std::uint32_t ip) const;

  // tcpdump-like label of a segment with relative seq/ack:
  // "S seq 0", "P. seq 1:101 ack 1 len 100".
  std::string segment_label(const Event& e) const;
  std::uint32_t relative_seq(const Event& e) const;
  std::uint32_t relative_ack(const Event& e) const;

 private:
  // The ISN of a direction as of event `at` (its latest SYN at or before it).
  std::uint32_t isn_of(std::uint32_t sip, std::uint16_t sp, std::uint32_t dip,
                       std::uint16_t dp, std::size_t at) const;
  std::size_t index_of(const Event& e) const;  // e's index in the trace, size() if not one of its events
  std::shared_ptr<const Trace> trace_;
  std::vector<SegArrow> arrows_;
  std::vector<int> event_arrow_;
  std::vector<std::size_t> state_changes_;
  std::map<std::uint32_t, std::vector<std::size_t>> sock_states_;
  std::map<std::uint32_t, std::vector<std::size_t>> sock_tcb_;
  std::vector<std::uint32_t> sockets_;
  std::vector<Connection> connections_;
  std::map<std::uint32_t, std::uint32_t> peer_;
  // (src ip, src port, dst ip, dst port) -> (event index of a SYN, its
  // initial sequence number), in order: a 4-tuple used again (TIME_WAIT
  // reuse, tcp_tw_reuse) numbers each connection from its own ISN.
  std::map<std::uint64_t, std::map<std::uint64_t, std::vector<std::pair<std::size_t, std::uint32_t>>>> isn_;
};

// Short names used in the views (plain ASCII; the GUI translates around them).
const char* timer_display_name(TimerKind k);  // "TIME_WAIT", "RTO", "FIN_WAIT_2", ...
// One log line, in the installed language (English without a translator).
std::string describe_event(const TraceView& v, const Event& e);
// A core cause or reason ("rcv FIN / snd ACK", "retransmissions exhausted
// (tcp_retries2)") with its known phrases translated into the installed
// language; flags, states, sysctl and errno names stay as they are.
std::string translate_text(const std::string& english);
std::string call_text(const Event& e);  // "send(fd=3, 100 bytes) = -1 EPIPE"
std::string event_kind_label(EventKind k);

}  // namespace tcpsim::render
