#include "helpers.hpp"

namespace tcpsim::test {

Scenario load_yaml(const std::string& processes, const std::string& extra) {
  const std::string y = "title: t\nhosts:\n  client: {ip: 10.0.0.1}\n  server: {ip: 10.0.0.2}\n" + extra +
                        "processes:\n" + processes;
  return load_scenario_string(y, "test.yaml");
}

Trace run_yaml(const std::string& processes, const std::string& extra) {
  return run_scenario(load_yaml(processes, extra));
}

std::vector<TcpState> states(const Trace& t, const std::string& label) {
  const std::uint32_t id = find_socket(t.meta, label);
  return id ? state_history(t, id) : std::vector<TcpState>{};
}

void expectStates(const Trace& t, const std::string& label, const std::vector<TcpState>& want) {
  const auto got = states(t, label);
  std::string g, w;
  for (auto s : got) g += std::string(state_name(s)) + " ";
  for (auto s : want) w += std::string(state_name(s)) + " ";
  EXPECT_EQ(g, w) << "states of " << label;
}

std::vector<std::string> segments(const Trace& t, const std::string& host) {
  std::vector<std::string> out;
  for (const auto& e : t.events) {
    if (e.kind != EventKind::Segment || e.seg_op != SegOp::Send) continue;
    if (!host.empty() && t.meta.hosts[e.host].name != host) continue;
    out.push_back(flags_string(e.seg.flags));
  }
  return out;
}

const Event* callResult(const Trace& t, const std::string& proc, const std::string& call, int nth) {
  int n = 0;
  for (const auto& e : t.events) {
    if (e.kind != EventKind::Call || e.call != call) continue;
    const ProcessInfo* p = t.meta.process(e.pid);
    if (!p || p->name != proc) continue;
    if (++n == nth) return &e;
  }
  return nullptr;
}

std::string errnoOf(const Event* e) {
  if (!e) return "(no such call)";
  const char* n = errno_name(e->err);
  return n ? n : "none";
}

const Event* stateEvent(const Trace& t, const std::string& label, TcpState to) {
  const std::uint32_t id = find_socket(t.meta, label);
  for (const auto& e : t.events)
    if (e.kind == EventKind::State && e.sock == id && e.to == to) return &e;
  return nullptr;
}

int count_signals(const Trace& t, const std::string& proc) {
  int n = 0;
  for (const auto& e : t.events) {
    if (e.kind != EventKind::Signal) continue;
    const ProcessInfo* p = t.meta.process(e.pid);
    if (p && p->name == proc) ++n;
  }
  return n;
}

bool killed_by_sigpipe(const Trace& t, const std::string& proc) {
  for (const auto& e : t.events) {
    if (e.kind != EventKind::Process || e.proc_op != ProcOp::Killed) continue;
    const ProcessInfo* p = t.meta.process(e.pid);
    if (p && p->name == proc) return true;
  }
  return false;
}

std::vector<Time> send_times(const Trace& t, const std::string& host, const std::string& flags) {
  std::vector<Time> out;
  for (const auto& e : t.events)
    if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send && t.meta.hosts[e.host].name == host &&
        flags_string(e.seg.flags) == flags)
      out.push_back(e.t);
  return out;
}

const char* const kServerAcceptOnly = R"(  server:
    host: server
    run:
      - listen: {port: 80, as: lsock}
      - accept: {socket: lsock, as: conn}
)";

}  // namespace tcpsim::test
