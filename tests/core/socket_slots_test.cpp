// tcpsim core tests — socket slots are recycled (issue #15 point 5): memory
// follows the sockets alive at once, not every socket ever made, while the
// trace's socket ids are never reused.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "helpers.hpp"

namespace tcpsim::test {
namespace {

// `n` connections, one per ms, each closed by the client at once after the
// server's data; TIME_WAIT 50 ms, so about 50 client sockets wait at a time.
std::string churn(int n) {
  return R"(title: churn
hosts:
  client: {ip: 10.0.0.1, time_wait: 50ms}
  server: {ip: 10.0.0.2, time_wait: 50ms}
processes:
  server:
    host: server
    run:
      - listen: {port: 80, as: lsock}
      - loop:
          run:
            - accept: {socket: lsock, as: conn}
            - spawn:
                run:
                  - send: {socket: conn, bytes: 10}
                  - recv: {socket: conn, until: eof}
                  - close: conn
  client:
    host: client
    run:
      - at: 1ms
        loop:
          count: )" + std::to_string(n) + R"(
          every: 1ms
          concurrent: true
          run:
            - connect: {to: "server:80", as: sock}
            - recv: {socket: sock, bytes: 10}
            - close: sock
)";
}

RunSummary run_summary(const Scenario& sc) {
  Trace t;
  Simulation sim(sc, t);
  sim.run();
  return sim.summary();
}

TEST(SocketSlots, MemoryFollowsLiveSocketsNotSocketsEverMade) {
  const Scenario sc = load_scenario_string(churn(2000), "churn.yaml");
  const RunSummary r = run_summary(sc);
  // 2000 client sockets + 2000 accepted ones + the listener.
  EXPECT_EQ(r.sockets_created, 4001u);
  // ~50 ms of TIME_WAIT at one connection per ms, plus the few in the
  // handshake or closing: far fewer than were made.
  EXPECT_LT(r.sockets_peak, 200u);
  EXPECT_GT(r.sockets_peak, 40u);
}

TEST(SocketSlots, RecycledSlotsKeepEveryConnectionsHistoryIntact) {
  const Trace t = run_scenario(load_scenario_string(churn(500), "churn.yaml"));
  // Ids are never reused: each socket id is registered once, and each
  // connection goes through its whole life, in order, on its own id,
  // although its slot held other sockets before.
  std::set<std::uint32_t> ids;
  for (const auto& s : t.meta.sockets) EXPECT_TRUE(ids.insert(s.id).second) << "socket id " << s.id << " reused";
  std::map<std::uint32_t, std::string> path;
  for (const auto& e : t.events)
    if (e.kind == EventKind::State) path[e.sock] += std::string(state_name(e.to)) + " ";
  std::size_t client_ok = 0, server_ok = 0;
  for (const auto& [id, p] : path) {
    if (p == "SYN_SENT ESTABLISHED FIN_WAIT_1 FIN_WAIT_2 TIME_WAIT CLOSED ") ++client_ok;
    if (p == "SYN_RECEIVED ESTABLISHED CLOSE_WAIT LAST_ACK CLOSED ") ++server_ok;
  }
  EXPECT_EQ(client_ok, 500u);
  EXPECT_EQ(server_ok, 500u);
  // No timer of a destroyed socket fires on the socket now in its slot:
  // every timer event names a socket that is alive (not yet CLOSED).
  std::set<std::uint32_t> closed;
  for (const auto& e : t.events) {
    if (e.kind == EventKind::State && e.to == TcpState::Closed) closed.insert(e.sock);
    if (e.kind == EventKind::Timer && e.timer_op == TimerOp::Fire)
      EXPECT_EQ(closed.count(e.sock), 0u) << "a timer fired for destroyed socket " << e.sock << " at " << e.t;
  }
}

}  // namespace
}  // namespace tcpsim::test
