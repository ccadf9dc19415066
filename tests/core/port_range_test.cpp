// tcpsim core tests — the ephemeral port range (ip_local_port_range) running
// out and coming back. connect() learns that every port to a destination is
// taken from a per-destination count (host.cpp, issue #15), so the count
// must follow sockets into and out of the connection table exactly.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "helpers.hpp"

namespace tcpsim::test {
namespace {

// Ten ephemeral ports, TIME_WAIT 1 s, a connection every 50 ms closed at
// once by the client: the ports run out after half a second, and each
// TIME_WAIT expiry frees one again.
Trace run_exhaustion(int connections) {
  const std::string y = R"(title: t
hosts:
  client:
    ip: 10.0.0.1
    time_wait: 1s
    sysctl: {net.ipv4.ip_local_port_range: "40000 40009"}
  server: {ip: 10.0.0.2}
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
                  - recv: {socket: conn, until: eof}
                  - close: conn
  client:
    host: client
    run:
      - loop:
          count: )" + std::to_string(connections) + R"(
          every: 50ms
          concurrent: true
          run:
            - connect: {to: "server:80", as: sock}
              on_error: continue
            - close: sock
)";
  return run_scenario(load_scenario_string(y, "ports.yaml"));
}

std::vector<const Event*> connects(const Trace& t) {
  std::vector<const Event*> v;
  for (const auto& e : t.events)
    if (e.kind == EventKind::Call && e.call == "connect") v.push_back(&e);
  return v;
}

TEST(EphemeralPorts, ConnectFailsWithEaddrnotavailOnceEveryPortIsInTimeWait) {
  const Trace t = run_exhaustion(15);
  const auto c = connects(t);
  ASSERT_EQ(c.size(), 15u);
  for (std::size_t i = 0; i < 10; ++i) EXPECT_EQ(c[i]->ret, 0) << "connect #" << i + 1;
  for (std::size_t i = 10; i < 15; ++i) EXPECT_EQ(errnoOf(c[i]), "EADDRNOTAVAIL") << "connect #" << i + 1;
}

TEST(EphemeralPorts, PortsComeBackAsTimeWaitExpires) {
  const Trace t = run_exhaustion(60);
  const auto c = connects(t);
  ASSERT_EQ(c.size(), 60u);
  std::size_t failed = 0, ok_after_failure = 0;
  for (const Event* e : c) {
    if (e->ret != 0) ++failed;
    else if (failed) ++ok_after_failure;
  }
  EXPECT_GT(failed, 0u);
  // Three seconds of connections over ten ports held 1 s each: once the
  // first TIME_WAITs expire, about one connect in two succeeds again.
  EXPECT_GE(ok_after_failure, 20u);
  EXPECT_LE(ok_after_failure, 40u);
  // And never more than ten ports are held at once.
  std::size_t tw = 0, peak = 0;
  for (const auto& e : t.events) {
    if (e.kind != EventKind::State || t.meta.hosts[e.host].name != "client") continue;
    if (e.to == TcpState::TimeWait) ++tw;
    if (e.from == TcpState::TimeWait) --tw;
    peak = std::max(peak, tw);
  }
  EXPECT_EQ(peak, 10u);
}

}  // namespace
}  // namespace tcpsim::test
