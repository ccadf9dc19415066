// tcpsim core tests — helpers to run small scenarios and read their traces.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tcpsim/check.hpp"
#include "tcpsim/loader.hpp"
#include "tcpsim/simulation.hpp"

namespace tcpsim::test {

// Two hosts (client 10.0.0.1, server 10.0.0.2, 1 ms link) and the given
// `processes:` block (YAML, indented by two spaces), plus optional extra
// top-level YAML.
Trace run_yaml(const std::string& processes, const std::string& extra = "");
Scenario load_yaml(const std::string& processes, const std::string& extra = "");

std::vector<TcpState> states(const Trace& t, const std::string& label);
void expectStates(const Trace& t, const std::string& label, const std::vector<TcpState>& want);
// Flags of every segment sent (optionally by one host), tcpdump notation.
std::vector<std::string> segments(const Trace& t, const std::string& host = "");
// The nth (1-based) call `call` of process `proc`; nullptr if none.
const Event* callResult(const Trace& t, const std::string& proc, const std::string& call, int nth = 1);
std::string errnoOf(const Event* e);
// The state event of `label` entering `to` (first), or nullptr.
const Event* stateEvent(const Trace& t, const std::string& label, TcpState to);
int count_signals(const Trace& t, const std::string& proc);
bool killed_by_sigpipe(const Trace& t, const std::string& proc);
// Times at which `host` sent segments with exactly these flags (tcpdump notation).
std::vector<Time> send_times(const Trace& t, const std::string& host, const std::string& flags);
// A `server` process that listens on port 80 and accepts one connection, nothing more.
extern const char* const kServerAcceptOnly;

}  // namespace tcpsim::test
