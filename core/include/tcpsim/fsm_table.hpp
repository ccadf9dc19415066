// tcpsim — the TCP transition table as data, read from the Boost.MSM table
// itself (core/src/tcp/tcp_fsm.cpp), so the GUI's diagram, the DOT export and
// the invariant "every state change is a row of the table" all use the one
// table the simulation runs.
#pragma once

#include <string>
#include <vector>

#include "tcpsim/types.hpp"

namespace tcpsim {

struct FsmRow {
  TcpState from;
  TcpState to;
  std::string event;   // "rcv FIN", "close()", "2MSL timeout"
  std::string action;  // "snd ACK", "" when the row sends nothing by itself
  std::string label() const { return action.empty() ? event : event + " / " + action; }
};

const std::vector<FsmRow>& fsm_rows();
bool fsm_has_row(TcpState from, TcpState to);

}  // namespace tcpsim
