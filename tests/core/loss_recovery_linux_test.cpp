// tcpsim core tests — loss recovery as Linux does it (issue #14.10): the RTO
// after an acknowledged retransmission, the congestion window through and
// after fast recovery. Each behaviour was measured on Linux 6.18 first
// (docs/kernel-facts.md §58-; the kernel facts in tests/kernel/facts/); the
// rfc9293 profile keeps the RFC's behaviour (Karn's algorithm, RFC 6298).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "helpers.hpp"

namespace tcpsim {
namespace {

using test::send_times;

// Client and server with `profile`, a 10 ms one-way link, the server reading
// until EOF; `client_steps` indented for `run:`.
Trace run_profile(const char* profile, const std::string& faults, const std::string& client_steps) {
  const std::string y = std::string("title: t\nhosts:\n  client: {ip: 10.0.0.1, profile: ") + profile +
                        "}\n  server: {ip: 10.0.0.2, profile: " + profile + "}\nlink: {delay: 10ms}\n" +
                        faults + "processes:\n" + test::kServerAcceptOnly +
                        "      - recv: {socket: conn, until: eof}\n      - close: conn\n" +
                        "  client:\n    host: client\n    run:\n" + client_steps;
  return run_scenario(load_scenario_string(y, "test.yaml"));
}

// Two single-segment sends, 0.9 s apart.
const char* const kTwoSends =
    "      - at: 1s\n        connect: {to: \"server:80\", as: sock}\n"
    "      - at: 1100ms\n        send: {socket: sock, bytes: 1448}\n"
    "      - at: 3s\n        send: {socket: sock, bytes: 1448}\n"
    "      - at: 9s\n        close: sock\n";

// The client's data segments' send times (originals and retransmissions).
std::vector<Time> data_times(const Trace& t) { return send_times(t, "client", "P."); }

// Kernel fact rto-after-acked-retransmission-is-not-backed-off (§58): each
// segment is lost with its loss probe; the RTO retransmission of the first
// is acknowledged, and its ACK is an RTT sample (the timestamp echo,
// tcp_ack_update_rtt()): the second segment's RTO is 220 ms again, not 440.
TEST(LinuxRtoTest, AckedRtoRetransmissionResetsTheBackedOffRto) {
  const std::string drop =
      "faults:\n  - drop: {from: client, data: true, nth: 1, count: 2}\n"
      "  - drop: {from: client, data: true, nth: 2, count: 2}\n";
  const auto d = data_times(run_profile("linux", drop, kTwoSends));
  ASSERT_EQ(d.size(), 6u);
  EXPECT_EQ(d[1] - d[0], msec(220)) << "loss probe, capped by the RTO (SRTT 20 ms + 200 ms)";
  EXPECT_EQ(d[2] - d[1], msec(220)) << "the RTO after the probe (not backed off)";
  EXPECT_EQ(d[4] - d[3], msec(220)) << "the second segment's probe";
  EXPECT_EQ(d[5] - d[4], msec(220)) << "RTO again 220 ms: the ACK of the retransmission reset it";
}

// Karn's algorithm (RFC 6298 §3): "RTT samples MUST NOT be made using
// segments that were retransmitted"; the backed-off RTO collapses only with
// a new measurement, "when new data has been sent and acknowledged" (§5). The rfc9293 profile: RTO 1 s, backed off to 2 s by the
// first loss, still 2 s when the second segment is lost.
TEST(Rfc9293RtoTest, AckedRetransmissionKeepsTheBackedOffRto) {
  const std::string drop =
      "faults:\n  - drop: {from: client, data: true, nth: 1}\n"
      "  - drop: {from: client, data: true, nth: 2}\n";
  const auto d = data_times(run_profile("rfc9293", drop, kTwoSends));
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(d[1] - d[0], sec(1));
  EXPECT_EQ(d[3] - d[2], sec(2)) << "Karn: no sample from the retransmission";
}

// The sample is the retransmission's own round trip (20 ms here), so the
// RTO read after its ACK is SRTT + 200 ms (TCP_INFO's tcpi_rto: 224 ms on
// the kernel, in 4 ms jiffies).
TEST(LinuxRtoTest, RtoRetransmissionAckGivesASampleOfTheRetransmissionsRtt) {
  const std::string drop = "faults:\n  - drop: {from: client, data: true, nth: 1, count: 2}\n";
  const Trace t = run_profile("linux", drop, kTwoSends);
  // The snapshot of the client's socket when the retransmission's ACK arrives.
  const auto d = data_times(t);
  ASSERT_GE(d.size(), 3u);
  std::uint32_t rto = 0;
  for (const auto& e : t.events)
    if (e.has_tcb && e.t >= d[2] + msec(20) && e.t < sec(3) && t.meta.hosts[e.host].name == "client" &&
        e.tcb.state == TcpState::Established)
      rto = e.tcb.rto;
  EXPECT_EQ(rto, static_cast<std::uint32_t>(msec(220)));
}

// Kernel fact fin-waits-behind-a-full-cwnd (§60): ten segments fill the
// initial cwnd; the FIN of close() 2 ms later is a segment of its own and
// waits for the first ACK (tcp_cwnd_test(), no FIN exemption in 6.18). The
// rfc9293 profile sends it at close() (RFC 9293 §3.10.4).
TEST(LinuxFinTest, FinOfItsOwnWaitsWhileCwndIsFull) {
  const std::string steps =
      "      - at: 1s\n        connect: {to: \"server:80\", as: sock}\n"
      "      - loop:\n          count: 10\n          run:\n            - send: {socket: sock, bytes: 1448}\n"
      "      - after: 2ms\n        close: sock\n";
  for (const char* profile : {"linux", "rfc9293"}) {
    const Trace t = run_profile(profile, "", steps);
    const auto data = data_times(t);
    const auto fin = send_times(t, "client", "F.");
    ASSERT_EQ(data.size(), 10u) << profile;
    ASSERT_EQ(fin.size(), 1u) << profile;
    if (std::string(profile) == "linux")
      EXPECT_EQ(fin[0] - data.back(), msec(20)) << "the FIN goes with the first ACK, one round trip later";
    else
      EXPECT_EQ(fin[0] - data.back(), msec(2)) << "the FIN goes at close()";
  }
}

// Kernel fact fin-waits-behind-cwnd-after-an-rto (§60): close() while the
// RTO's retransmission fills the one-segment cwnd. The FIN waits; the next
// RTO retransmits the data alone ([P.]: the FIN was never sent, so nothing
// is merged into the retransmission), and the FIN follows its ACK.
TEST(LinuxFinTest, FinQueuedDuringAnRtoEpisodeWaitsAndTheRetransmissionCarriesOnlyData) {
  const std::string drop = "faults:\n  - drop: {from: client, data: true, nth: 1, count: 3}\n";
  const std::string steps =
      "      - at: 1s\n        connect: {to: \"server:80\", as: sock}\n"
      "      - at: 1100ms\n        send: {socket: sock, bytes: 1448}\n"
      "      - at: 1700ms\n        close: sock\n";
  const Trace t = run_profile("linux", drop, steps);
  EXPECT_EQ(test::segments(t, "client"),
            (std::vector<std::string>{"S", ".", "P.", "P.", "P.", "P.", "F.", "."}));
  const auto data = data_times(t);
  const auto fin = send_times(t, "client", "F.");
  ASSERT_EQ(data.size(), 4u);
  ASSERT_EQ(fin.size(), 1u);
  EXPECT_GT(fin[0], sec(1) + msec(700)) << "not at close()";
  EXPECT_EQ(fin[0] - data.back(), msec(20)) << "after the ACK of the retransmission";
}

}  // namespace
}  // namespace tcpsim
