// tcpsim — the TCP transition table as data, read from the Boost.MSM table
// itself (core/src/tcp/tcp_fsm.cpp), so the GUI's diagram, the DOT export and
// the invariant "every state change is a row of the table" all use the one
// table the simulation runs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tcpsim/types.hpp"

namespace tcpsim {

struct FsmRow {
  TcpState from;
  TcpState to;
  std::string event;   // "rcv FIN", "close()", "2MSL timeout", "ABORT", "give up"
  std::string guard;   // the row's condition ("tcp_rfc1337=0"), "" when it has none
  std::string action;  // "snd ACK", "snd RST", "" when the row sends nothing
  // Whether the traced cause names the guard ("rcv FIN [tcp_max_tw_buckets
  // reached] / snd ACK"); the ordinary path's guards are not traced.
  bool guard_traced = false;
  // A row that changes no state (Boost.MSM internal transition, Next is
  // none): `to` is `from`, no state is left or entered and nothing is traced
  // as a state change; the action is all it does (a challenge ACK, an RST
  // dropped). Not an arrow of RFC 9293's diagram.
  bool internal = false;
  // "event [guard] / action", as UML and the trace write it.
  std::string label() const {
    std::string l = event;
    if (!guard.empty()) l += " [" + guard + "]";
    if (!action.empty()) l += " / " + action;
    return l;
  }
};

const std::vector<FsmRow>& fsm_rows();
// Whether a row moves a socket from `from` to `to` (internal rows never do).
bool fsm_has_row(TcpState from, TcpState to);

// The event (FsmRow::event) of the row a traced state change took, read
// from its cause: every cause the core traces begins with its event's name
// ("rcv FIN / snd ACK", "give up: retransmissions exhausted (tcp_retries2)",
// "ABORT: close() with unread data / snd RST", "host crashed: state lost");
// shutdown(SHUT_WR) is "close()". Empty when the cause names no event.
// A row with a guard traces it in brackets after the event's own words
// ("rcv FIN [tcp_max_tw_buckets reached] / snd ACK").
// The aborts' events: "ABORT" (an RST was sent), "discard" (dropped with no
// segment), "give up" (a retransmission, SYN or keepalive timer gave up),
// "host crashed".
std::string fsm_event_of_cause(std::string_view cause);

// The notes the actions of the rows that change no state trace
// (tcp_segment_arrives.cpp), each with the self-loop it stands for: the
// row's event and action ("rcv RST / snd challenge ACK"). A rate-limited
// answer is a loop of its own, saying no ACK went out. One place for each
// text, so that the trace and the loops cannot drift apart.
struct FsmLoopNote {
  const char* note;
  const char* loop;
};
namespace fsm_loop_notes {
inline constexpr FsmLoopNote kRstChallenge{"in-window RST with unexpected sequence number: challenge ACK (RFC 5961)",
                                           "rcv RST / snd challenge ACK"};
inline constexpr FsmLoopNote kRstChallengeLimited{
    "in-window RST with unexpected sequence number: no challenge ACK (one per 500 ms: tcp_invalid_ratelimit)",
    "rcv RST, challenge ACK rate-limited"};
inline constexpr FsmLoopNote kSynChallenge{"SYN on a synchronized connection: challenge ACK (RFC 5961 §4.2)",
                                           "rcv SYN / snd challenge ACK"};
inline constexpr FsmLoopNote kSynChallengeLimited{
    "SYN on a synchronized connection: no challenge ACK (one per 500 ms: tcp_invalid_ratelimit)",
    "rcv SYN, challenge ACK rate-limited"};
inline constexpr FsmLoopNote kRstOutsideWindow{"RST outside the receive window: dropped", "rcv RST outside the window"};
inline constexpr FsmLoopNote kUnacceptableAck{"segment not acceptable (outside the receive window): ACK and drop",
                                              "rcv out-of-window segment / snd ACK"};
inline constexpr FsmLoopNote kUnacceptableLimited{
    "segment not acceptable (outside the receive window): dropped, no ACK (one per 500 ms: tcp_invalid_ratelimit)",
    "rcv out-of-window segment, ACK rate-limited"};
inline constexpr FsmLoopNote kAll[] = {kRstChallenge,      kRstChallengeLimited, kSynChallenge,       kSynChallengeLimited,
                                       kRstOutsideWindow, kUnacceptableAck,     kUnacceptableLimited};
}  // namespace fsm_loop_notes

// The self-loop a traced note stands for (one of fsm_loop_notes), empty for
// any other note. The GUI's diagram and the DOT export draw these loops.
std::string fsm_loop_of_note(std::string_view note);

}  // namespace tcpsim
