// tcpsim core tests — routers (`forward: true`), the loopback device and
// NAT with connection tracking (core/src/forwarding.cpp, issue #15 point 2).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "helpers.hpp"
#include "tcpsim/routing.hpp"

namespace tcpsim::test {
namespace {

Trace run_text(const std::string& y) { return run_scenario(load_scenario_string(y, "routing.yaml")); }

int host_of(const Trace& t, const std::string& name) {
  for (std::size_t i = 0; i < t.meta.hosts.size(); ++i)
    if (t.meta.hosts[i].name == name) return static_cast<int>(i);
  return -1;
}

// Segment events of one kind, in order.
std::vector<const Event*> seg_events(const Trace& t, SegOp op) {
  std::vector<const Event*> v;
  for (const auto& e : t.events)
    if (e.kind == EventKind::Segment && e.seg_op == op) v.push_back(&e);
  return v;
}

std::vector<std::string> notes(const Trace& t, const std::string& host) {
  std::vector<std::string> v;
  const int h = host_of(t, host);
  for (const auto& e : t.events)
    if (e.kind == EventKind::Note && e.host == h) v.push_back(e.text);
  return v;
}

bool any_contains(const std::vector<std::string>& v, const std::string& s) {
  for (const auto& x : v)
    if (x.find(s) != std::string::npos) return true;
  return false;
}

// ---- routers ----

const char* kRouted = R"(title: t
hosts:
  client: {ip: 192.168.1.2}
  router: {ip: 10.0.0.1, forward: true}
  server: {ip: 10.0.0.2}
links:
  - {between: [client, router], delay: 1ms}
  - {between: [router, server], delay: 10ms}
processes:
  server:
    host: server
    run:
      - listen: {port: 80, as: lsock}
      - accept: {socket: lsock, as: conn}
      - recv: {socket: conn, until: eof}
      - close: conn
  client:
    host: client
    run:
      - at: 1s
        connect: {to: "server:80", as: sock}
      - close: sock
)";

TEST(RouterTest, SegmentForAHostBehindARouterCrossesEachLinkWithItsOwnDelay) {
  const Trace t = run_text(kRouted);
  const int client = host_of(t, "client"), router = host_of(t, "router"), server = host_of(t, "server");
  const auto sends = seg_events(t, SegOp::Send);
  ASSERT_GE(sends.size(), 2u);
  // The client's SYN crosses the link to the router, not to the server.
  EXPECT_EQ(sends[0]->host, client);
  EXPECT_EQ(sends[0]->hop, router);
  EXPECT_FALSE(sends[0]->forwarded);
  // The router passes it on, unchanged, on its link to the server.
  EXPECT_EQ(sends[1]->host, router);
  EXPECT_EQ(sends[1]->hop, server);
  EXPECT_TRUE(sends[1]->forwarded);
  EXPECT_EQ(sends[1]->seg.src_ip, sends[0]->seg.src_ip);
  EXPECT_NE(sends[1]->seg_id, sends[0]->seg_id);
  // The server's SYN_RECEIVED comes 1 ms + 10 ms after the SYN left.
  const Event* synrcvd = stateEvent(t, "server/conn", TcpState::SynReceived);
  ASSERT_NE(synrcvd, nullptr);
  EXPECT_EQ(synrcvd->t - sends[0]->t, msec(11));
  expectStates(t, "client/sock",
               {TcpState::Closed, TcpState::SynSent, TcpState::Established, TcpState::FinWait1,
                TcpState::FinWait2, TcpState::TimeWait, TcpState::Closed});
}

TEST(RouterTest, RouterMarksItsArrivalAndItsSendAsForwardedAndTheCheckerCountsTheSegmentOnce) {
  const Trace t = run_text(kRouted);
  int forwarded_sends = 0, own_sends = 0, forwarded_arrivals = 0;
  for (const auto& e : t.events) {
    if (e.kind != EventKind::Segment) continue;
    if (e.seg_op == SegOp::Send) (e.forwarded ? forwarded_sends : own_sends)++;
    if (e.seg_op == SegOp::Deliver && e.forwarded) ++forwarded_arrivals;
  }
  EXPECT_EQ(forwarded_sends, own_sends);  // every segment crosses the router once
  EXPECT_EQ(forwarded_arrivals, own_sends);
  // `segments:` lists what the TCPs sent, each once (the router's copies not).
  Scenario sc = load_scenario_string(std::string(kRouted) + R"(expect:
  segments: [S, S., ., F., F., .]
)",
                                     "routing.yaml");
  const auto failures = check_expectations(sc, run_scenario(sc));
  EXPECT_TRUE(failures.empty()) << format_failures(failures);
}

TEST(RoutesTest, ShortestPathTiesGoToTheHostDeclaredFirst) {
  // client - a - server and client - b - server: both two hops; a is declared first.
  Scenario sc = load_scenario_string(R"(title: t
hosts:
  client: {ip: 10.0.0.1}
  a: {ip: 10.0.0.2, forward: true}
  b: {ip: 10.0.0.3, forward: true}
  server: {ip: 10.0.0.4}
links:
  - {between: [client, b]}
  - {between: [b, server]}
  - {between: [client, a]}
  - {between: [a, server]}
processes:
  p: {host: client, run: [{sleep: 1s}]}
)",
                                     "routes.yaml");
  const Routes r = compute_routes(sc);
  EXPECT_EQ(r.next[0][3], 1);  // via a
  EXPECT_EQ(r.next[3][0], 1);
  EXPECT_EQ(r.path(0, 3), (std::vector<int>{0, 1, 3}));
  EXPECT_EQ(r.next[0][0], 0);
}

// ---- loopback ----

std::string loopback_yaml(const std::string& to, int tw_reuse, const std::string& ports) {
  return R"(title: t
hosts:
  box:
    ip: 10.0.0.1
    sysctl:
      net.ipv4.tcp_tw_reuse: )" +
         std::to_string(tw_reuse) + R"(
      net.ipv4.ip_local_port_range: ")" + ports + R"("
processes:
  server:
    host: box
    run:
      - listen: {port: 80, as: lsock}
      - loop:
          count: 0
          run:
            - accept: {socket: lsock, as: conn}
            - recv: {socket: conn, until: eof}
            - close: conn
  client:
    host: box
    run:
      - at: 1s
        connect: {to: ")" + to + R"(", as: a}
      - close: a
      - at: 3s
        connect: {to: ")" + to + R"(", as: b}
        on_error: continue
)";
}

TEST(LoopbackTest, ConnectTo127001TakesTheLoopbackAddressAndTenMicrosecondsEachWay) {
  const Trace t = run_text(loopback_yaml("127.0.0.1:80", 2, "40000 40009"));
  const Event* syn_sent = stateEvent(t, "client/a", TcpState::SynSent);
  const Event* est = stateEvent(t, "client/a", TcpState::Established);
  ASSERT_NE(syn_sent, nullptr);
  ASSERT_NE(est, nullptr);
  EXPECT_EQ(syn_sent->lip, 0x7f000001u);
  EXPECT_EQ(syn_sent->rip, 0x7f000001u);
  EXPECT_EQ(est->t - syn_sent->t, 2 * kLoopbackDelay);  // SYN there, SYN-ACK back
  const auto sends = seg_events(t, SegOp::Send);
  ASSERT_FALSE(sends.empty());
  EXPECT_EQ(sends[0]->hop, sends[0]->host);  // no link: the host itself
  // The accepted child has the address the SYN came to.
  const Event* child = stateEvent(t, "server/conn", TcpState::Established);
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(child->lip, 0x7f000001u);
}

TEST(LoopbackTest, ConnectToTheOwnHostNameUsesTheHostAddressOverLoopback) {
  const Trace t = run_text(loopback_yaml("box:80", 2, "40000 40009"));
  const Event* syn_sent = stateEvent(t, "client/a", TcpState::SynSent);
  const Event* est = stateEvent(t, "client/a", TcpState::Established);
  ASSERT_NE(syn_sent, nullptr);
  ASSERT_NE(est, nullptr);
  EXPECT_EQ(syn_sent->lip, 0x0a000001u);
  EXPECT_EQ(est->t - syn_sent->t, 2 * kLoopbackDelay);
}

TEST(LoopbackTest, TwReuse2ReusesATimeWaitPortTowards127001) {
  // One ephemeral port: the second connect() needs the first one's TIME_WAIT 4-tuple.
  const Trace t = run_text(loopback_yaml("127.0.0.1:80", 2, "40000 40000"));
  EXPECT_EQ(errnoOf(callResult(t, "client", "connect", 2)), "none");
  const Event* reused = stateEvent(t, "client/a", TcpState::Closed);
  ASSERT_NE(reused, nullptr);
  EXPECT_NE(reused->text.find("tcp_tw_reuse=2"), std::string::npos) << reused->text;
}

TEST(LoopbackTest, TwReuse2DoesNotReuseTimeWaitTowardsTheHostsOwnAddress) {
  const Trace t = run_text(loopback_yaml("box:80", 2, "40000 40000"));
  EXPECT_EQ(errnoOf(callResult(t, "client", "connect", 2)), "EADDRNOTAVAIL");
}

TEST(LoopbackTest, TwReuse0NeverReusesTimeWaitEvenOverLoopback) {
  const Trace t = run_text(loopback_yaml("127.0.0.1:80", 0, "40000 40000"));
  EXPECT_EQ(errnoOf(callResult(t, "client", "connect", 2)), "EADDRNOTAVAIL");
}

// ---- NAT ----

std::string nat_yaml(const std::string& policy, const std::string& extra_client_steps,
                     const std::string& inside = "[client]") {
  return R"(title: t
hosts:
  client: {ip: 192.168.1.2}
  client2: {ip: 192.168.1.3}
  gw:
    ip: 198.51.100.1
    forward: true
    nat: {inside: )" + inside + R"(, policy: )" + policy + R"(}
    sysctl:
      net.netfilter.nf_conntrack_tcp_timeout_established: 30
  server: {ip: 203.0.113.10}
links:
  - {between: [client, gw], delay: 1ms}
  - {between: [client2, gw], delay: 1ms}
  - {between: [gw, server], delay: 10ms}
processes:
  server:
    host: server
    run:
      - listen: {port: 80, as: lsock}
      - loop:
          count: 2
          run:
            - accept: {socket: lsock, as: conn}
  client:
    host: client
    run:
      - at: 1s
        connect: {to: "server:80", as: sock, from_port: 40000}
)" + extra_client_steps;
}

TEST(NatTest, MasqueradedFlowLeavesWithTheNatAddressAndKeepsItsPort) {
  const Trace t = run_text(nat_yaml("drop", ""));
  const Event* est = stateEvent(t, "server/conn", TcpState::Established);
  ASSERT_NE(est, nullptr);
  EXPECT_EQ(est->rip, 0xc6336401u);  // 198.51.100.1
  EXPECT_EQ(est->rport, 40000);
  EXPECT_TRUE(any_contains(notes(t, "gw"), "new flow, leaves as 198.51.100.1:40000"));
  expectStates(t, "client/sock", {TcpState::Closed, TcpState::SynSent, TcpState::Established});
}

TEST(NatTest, SecondInsideHostWithTheSameSourcePortGetsAnotherPort) {
  std::string y = nat_yaml("drop", "", "[client, client2]");
  y += R"(  client2:
    host: client2
    run:
      - at: 2s
        connect: {to: "server:80", as: sock, from_port: 40000}
)";
  const Trace t = run_text(y);
  const Event* first = stateEvent(t, "server/conn#1", TcpState::Established);
  const Event* second = stateEvent(t, "server/conn#2", TcpState::Established);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(first->rport, 40000);
  EXPECT_NE(second->rport, 40000);
  EXPECT_EQ(second->rip, first->rip);
  expectStates(t, "client2/sock", {TcpState::Closed, TcpState::SynSent, TcpState::Established});
}

TEST(NatTest, EstablishedEntryExpiresAfterTheNatHostsTimeoutWithoutAPacket) {
  const Trace t = run_text(nat_yaml("drop", "      - sleep: 100s\n"));
  const int gw = host_of(t, "gw");
  Time last_through_gw = 0, expired_at = 0;
  for (const auto& e : t.events) {
    if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send && e.forwarded) last_through_gw = e.t;
    if (e.kind == EventKind::Note && e.host == gw && e.text.find("the NAT forgot the flow") != std::string::npos)
      expired_at = e.t;
  }
  ASSERT_GT(expired_at, 0);
  EXPECT_EQ(expired_at - last_through_gw, sec(30));
}

TEST(NatTest, ForgottenFlowIsDroppedSilentlyWithPolicyDrop) {
  const Trace t = run_text(nat_yaml("drop", R"(      - at: 40s
        send: {socket: sock, bytes: 100}
      - at: 45s
        close: sock
)"));
  int refused = 0, rst_from_gw = 0, retrans = 0;
  const int gw = host_of(t, "gw");
  for (const auto& e : t.events) {
    if (e.kind != EventKind::Segment) continue;
    if (e.seg_op == SegOp::Drop && e.text.find("nat policy: drop") != std::string::npos) ++refused;
    if (e.seg_op == SegOp::Send && e.host == gw && !e.forwarded && (e.seg.flags & kRst)) ++rst_from_gw;
    if (e.seg_op == SegOp::Send && e.retrans && !e.forwarded) ++retrans;
  }
  EXPECT_GE(refused, 2);  // the data and its retransmissions
  EXPECT_EQ(rst_from_gw, 0);
  EXPECT_GE(retrans, 1);
}

TEST(NatTest, ForgottenFlowIsAnsweredWithRstWithPolicyRst) {
  const Trace t = run_text(nat_yaml("rst", R"(      - at: 40s
        send: {socket: sock, bytes: 100}
      - recv: {socket: sock}
        on_error: continue
)"));
  EXPECT_EQ(errnoOf(callResult(t, "client", "recv", 1)), "ECONNRESET");
  // The server never hears of it: its socket stays ESTABLISHED.
  expectStates(t, "server/conn", {TcpState::Listen, TcpState::SynReceived, TcpState::Established});
}

TEST(NatTest, ConntrackFollowsTheCloseThroughFinWaitLastAckAndTimeWait) {
  std::string y = nat_yaml("drop", R"(      - at: 2s
        close: sock
)");
  // The server closes when the client's FIN arrives.
  const std::string from = "            - accept: {socket: lsock, as: conn}\n";
  y.replace(y.find(from), from.size(),
            from + "            - recv: {socket: conn, until: eof}\n            - close: conn\n");
  const Trace t = run_text(y);
  const auto n = notes(t, "gw");
  EXPECT_TRUE(any_contains(n, "SYN_RECV -> ESTABLISHED"));
  EXPECT_TRUE(any_contains(n, "ESTABLISHED -> FIN_WAIT"));
  EXPECT_TRUE(any_contains(n, "-> LAST_ACK"));
  EXPECT_TRUE(any_contains(n, "LAST_ACK -> TIME_WAIT"));
}

TEST(NatTest, SegmentFromOutsideToAnInsideHostIsRefusedByTheStatefulFirewall) {
  std::string y = nat_yaml("rst", "");
  y += R"(  prober:
    host: server
    run:
      - at: 2s
        connect: {to: "client:22", as: s}
)";
  const Trace t = run_text(y);
  EXPECT_EQ(errnoOf(callResult(t, "prober", "connect", 1)), "ECONNREFUSED");
  bool refused = false;
  for (const auto& e : t.events)
    if (e.kind == EventKind::Segment && e.seg_op == SegOp::Drop &&
        e.text.find("a flow from outside to an inside host") != std::string::npos)
      refused = true;
  EXPECT_TRUE(refused);
}

}  // namespace
}  // namespace tcpsim::test
