// Issue #14 items 9, 11 and 12: flow control as Linux does it (silly-window
// avoidance on both sides, zero-window probes, forced PSH, the ACK of a
// segment that finds a zero window), and the tcp_syncookies sysctl. Each
// test names the behaviour; the kernel facts that prove them are cited.
#include <gtest/gtest.h>

#include <algorithm>

#include "helpers.hpp"
#include "sim.hpp"

namespace tcpsim {
namespace {
using test::callResult;
using test::expectStates;
using test::run_yaml;
using test::segments;
using S = TcpState;

Trace run_file(const std::string& yaml) { return run_scenario(load_scenario_string(yaml, "test.yaml")); }

bool has_note(const Trace& t, const std::string& text) {
  return std::any_of(t.events.begin(), t.events.end(), [&](const Event& e) {
    return e.kind == EventKind::Note && e.text.find(text) != std::string::npos;
  });
}

// ---- net.ipv4.tcp_syncookies (docs/kernel-facts.md §29, §31) ----

// listen(1), three clients whose SYNs arrive while the first two handshakes
// are open: the third finds the request queue full (2 > backlog 1).
std::string three_clients(const std::string& syncookies) {
  return "title: t\nduration: 1800ms\nhosts:\n  server: {ip: 10.0.0.2, sysctl: {net.ipv4.tcp_syncookies: " +
         syncookies +
         "}}\n  c1: {ip: 10.0.0.11}\n  c2: {ip: 10.0.0.12}\n  c3: {ip: 10.0.0.13}\n"
         "links:\n  - {between: [server, c1], delay: 100ms}\n  - {between: [server, c2], delay: 100ms}\n"
         "  - {between: [server, c3], delay: 100ms}\n"
         "processes:\n  server:\n    host: server\n    run:\n      - listen: {port: 80, backlog: 1, as: lsock}\n"
         "  p1:\n    host: c1\n    run:\n      - connect: {to: \"server:80\", as: sock}\n"
         "  p2:\n    host: c2\n    run:\n      - at: 20ms\n        connect: {to: \"server:80\", as: sock}\n"
         "  p3:\n    host: c3\n    run:\n      - at: 40ms\n        connect: {to: \"server:80\", as: sock}\n";
}

TEST(SynCookiesTest, Sysctl0DropsTheSynThatFindsTheRequestQueueFull) {
  const Trace off = run_file(three_clients("0"));
  EXPECT_EQ(segments(off, "server"), (std::vector<std::string>{"S.", "S."}));
  EXPECT_TRUE(has_note(off, "no SYN cookies (tcp_syncookies=0)"));
  expectStates(off, "p3/sock", {S::Closed, S::SynSent});
  // The default answers the same SYN with a cookie.
  const Trace on = run_file(three_clients("1"));
  EXPECT_EQ(segments(on, "server"), (std::vector<std::string>{"S.", "S.", "S."}));
  EXPECT_TRUE(has_note(on, "SYN,ACK with a SYN cookie"));
}

TEST(SynCookiesTest, Sysctl2AnswersEverySynWithACookie) {
  // One client whose handshake ACK is lost: a request socket would re-send
  // its SYN,ACK after 1 s; a cookie keeps nothing to re-send.
  const std::string base =
      "title: t\nduration: 3s\nhosts:\n  client: {ip: 10.0.0.1}\n  server: {ip: 10.0.0.2, sysctl: "
      "{net.ipv4.tcp_syncookies: ";
  const std::string rest =
      "}}\nfaults:\n  - drop: {from: client, flags: ., nth: 1}\nprocesses:\n  server:\n    host: server\n"
      "    run:\n      - listen: {port: 80, backlog: 5, as: lsock}\n  client:\n    host: client\n    run:\n"
      "      - connect: {to: \"server:80\", as: sock}\n";
  const Trace always = run_file(base + "2" + rest);
  EXPECT_EQ(segments(always, "server"), (std::vector<std::string>{"S."}));
  EXPECT_TRUE(has_note(always, "tcp_syncookies=2: SYN,ACK with a SYN cookie"));
  const Trace usual = run_file(base + "1" + rest);
  const auto srv = segments(usual, "server");
  EXPECT_GE(std::count(srv.begin(), srv.end(), "S."), 2) << "a request socket re-sends its SYN,ACK";
}


// ---- data that finds a zero window (issue #14.11; RFC 9293 §3.10.7.4
// "special allowance should be made to accept valid ACKs"; Linux
// tcp_sequence() / tcp_data_queue()) ----

// An ESTABLISHED socket whose receive buffer is full (window 0) and whose own
// 1000 bytes (1001..2001) are in flight.
struct ZeroWindowFixture {
  Scenario sc = test::load_yaml("  p: {host: client, run: [{sleep: 1s}]}\n");
  Trace trace;
  Sim sim{sc, trace, RunOptions{}};
  Sock* s = nullptr;
  ZeroWindowFixture() {
    s = &sim.sock(sim.new_socket(0, 0));
    sim.register_socket(*s, 0, "fixture/sock");
    s->lip = sim.hosts[0].ip;
    s->lport = 40000;
    s->rip = sim.hosts[1].ip;
    s->rport = 80;
    s->iss = 1000;
    s->snd_una = 1001;
    s->snd_nxt = s->snd_max = 2001;
    s->written = s->sent = 1000;
    s->snd_wnd = 65535;
    s->snd_wl1 = 5000;
    s->snd_wl2 = 1001;
    s->cwnd = 14480;
    s->irs = 5000;
    s->rcv_nxt = s->rcv_wup = 5001;
    s->rcv_total = sim.hosts[0].sys.rcvbuf / 2;  // unread: the whole window
    s->rcv_wnd = 0;
    s->state = TcpState::Established;
    s->accepted = true;
    sim.hash_conn(*s);
  }
  Segment data(std::uint32_t seq) const {
    Segment g;
    g.src_ip = s->rip;
    g.dst_ip = s->lip;
    g.sport = 80;
    g.dport = 40000;
    g.seq = seq;
    g.ack = 2001;
    g.flags = kAck | kPsh;
    g.len = 100;
    g.win = 65535;
    return g;
  }
  std::vector<Segment> sent() const {
    std::vector<Segment> out;
    for (const auto& e : trace.events)
      if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send) out.push_back(e.seg);
    return out;
  }
};

TEST(ZeroWindowTest, DataAtRcvNxtIsDroppedButItsAckIsProcessed) {
  ZeroWindowFixture f;
  f.sim.segment_arrives(*f.s, f.data(5001));
  EXPECT_EQ(f.s->snd_una, 2001u) << "the ACK field acknowledged our 1000 bytes";
  EXPECT_EQ(f.s->acked, 1000u);
  EXPECT_EQ(f.s->rcv_nxt, 5001u) << "the text is not taken";
  EXPECT_EQ(f.s->rcv_total, f.sim.hosts[0].sys.rcvbuf / 2);
  const auto out = f.sent();
  ASSERT_EQ(out.size(), 1u) << "one ACK, at once";
  EXPECT_EQ(out[0].flags, kAck);
  EXPECT_EQ(out[0].ack, 5001u);
  EXPECT_TRUE(has_note(f.trace, "data into a zero window"));
}

TEST(ZeroWindowTest, DataBeyondRcvNxtIsNotAcceptableAndItsAckIsIgnored) {
  ZeroWindowFixture f;
  f.sim.segment_arrives(*f.s, f.data(5101));
  EXPECT_EQ(f.s->snd_una, 1001u);
  EXPECT_EQ(f.s->rcv_nxt, 5001u);
  EXPECT_TRUE(has_note(f.trace, "segment not acceptable"));
}

// ---- zero-window probes (issue #14.9; RFC 1122 §4.2.2.17; Linux
// tcp_probe_timer, icsk_probes_out reset by every ACK) ----

// The server never reads: its window closes after rcvbuf/2 bytes. The
// client (tcp_retries2 = 3) has more to send and probes.
std::string never_reads(const std::string& faults) {
  return "title: t\nduration: 60s\nhosts:\n  client: {ip: 10.0.0.1, sysctl: {net.ipv4.tcp_retries2: 3}}\n"
         "  server: {ip: 10.0.0.2}\nlink: {delay: 1ms}\n" +
         faults +
         "processes:\n  server:\n    host: server\n    run:\n      - listen: {port: 80, as: lsock}\n"
         "      - accept: {socket: lsock, as: conn}\n      - sleep: 100s\n"
         "  client:\n    host: client\n    run:\n      - connect: {to: \"server:80\", as: sock}\n"
         "      - send: {socket: sock, bytes: 100000}\n";
}

int probes(const Trace& t) {
  int n = 0;
  for (const auto& e : t.events) n += e.kind == EventKind::Note && e.text.rfind("zero-window probe (", 0) == 0;
  return n;
}

TEST(ZeroWindowTest, ProbesThePeerAnswersNeverEndTheConnection) {
  const Trace t = run_file(never_reads(""));
  EXPECT_GT(probes(t), 3 + 2) << "more probes than tcp_retries2, each answered";
  EXPECT_FALSE(has_note(t, "give up"));
  const auto st = test::states(t, "client/sock");
  ASSERT_FALSE(st.empty());
  EXPECT_EQ(st.back(), S::Established);
  // The interval doubles from the RTO and stops doubling at tcp_retries2
  // (tcp_send_probe0: icsk_backoff < tcp_retries2): RTO x 2, 4, 8, 8, ...
  // (each answer restarts the timer, tcp_ack_probe(), one round trip later).
  std::vector<Time> at;
  for (const auto& e : t.events)
    if (e.kind == EventKind::Note && e.text.rfind("zero-window probe (", 0) == 0) at.push_back(e.t);
  ASSERT_GE(at.size(), 6u);
  EXPECT_GT(at[2] - at[1], at[1] - at[0] + at[1] - at[0] - msec(10));
  EXPECT_GT(at[3] - at[2], at[2] - at[1] + at[2] - at[1] - msec(10));
  EXPECT_EQ(at[4] - at[3], at[3] - at[2]) << "the backoff stops at tcp_retries2 = 3";
  EXPECT_EQ(at[5] - at[4], at[4] - at[3]);
}

TEST(ZeroWindowTest, UnansweredProbesEndTheConnectionAfterTcpRetries2) {
  // The server host loses power once the window is closed: nobody answers.
  const Trace t = run_file(never_reads("faults:\n  - {at: 5s, crash: server}\n"));
  int after_crash = 0;
  for (const auto& e : t.events)
    after_crash += e.t > sec(5) && e.kind == EventKind::Note && e.text.rfind("zero-window probe (", 0) == 0;
  EXPECT_EQ(after_crash, 3) << "tcp_retries2 probes in a row without an answer";
  EXPECT_GT(probes(t), 3) << "the answered probes before the crash did not count";
  const auto st = test::states(t, "client/sock");
  ASSERT_FALSE(st.empty());
  EXPECT_EQ(st.back(), S::Closed);
  const Event* closed = test::stateEvent(t, "client/sock", S::Closed);
  ASSERT_NE(closed, nullptr);
  EXPECT_NE(closed->text.find("zero-window probes unanswered (tcp_retries2)"), std::string::npos) << closed->text;
}

// ---- silly-window-syndrome avoidance (issue #14.9; RFC 9293 §3.8.6.2) ----

// An ESTABLISHED socket with nothing in flight whose peer offered `wnd`
// bytes and which has `queued` bytes to send.
struct SwsFixture : ZeroWindowFixture {
  SwsFixture(Profile p, std::uint32_t wnd, std::uint64_t queued) {
    sim.hosts[0].profile = p;
    s->snd_una = s->snd_nxt = s->snd_max = 2001;
    s->written = s->sent = s->acked = 1000;
    s->written += queued;
    s->snd_wnd = wnd;
    s->rcv_total = 0;
  }
  std::vector<std::uint32_t> lens() const {
    std::vector<std::uint32_t> v;
    for (const auto& g : sent())
      if (g.len) v.push_back(g.len);
    return v;
  }
};

TEST(SillyWindowTest, LinuxSenderBoundsSegmentsToHalfThePeersLargestWindow) {
  SwsFixture f(Profile::Linux, 1000, 3000);
  f.sim.output(*f.s);
  EXPECT_EQ(f.lens(), (std::vector<std::uint32_t>{500, 500}))
      << "tcp_bound_to_half_wnd(): two 500-byte segments, not one of 1000";
}

TEST(SillyWindowTest, LinuxSenderSendsFullSegmentsOnceHalfTheLargestWindowExceedsTheMss) {
  SwsFixture f(Profile::Linux, 4000, 3000);
  f.sim.output(*f.s);
  const std::uint32_t mss = f.sim.hosts[0].sys.mss;
  ASSERT_FALSE(f.lens().empty());
  EXPECT_EQ(f.lens().front(), mss);
}

TEST(SillyWindowTest, Rfc9293SenderSendsHalfTheLargestWindowInOneSegment) {
  SwsFixture f(Profile::Rfc9293, 1000, 3000);
  f.sim.output(*f.s);
  EXPECT_EQ(f.lens(), (std::vector<std::uint32_t>{1000})) << "at least Fs = 1/2 of Max(SND.WND): send it";
}

TEST(SillyWindowTest, Rfc9293SenderHoldsASmallSegmentUnderHalfTheLargestWindow) {
  // The peer once offered 4000; now 300 bytes are usable, 1000 in flight.
  SwsFixture f(Profile::Rfc9293, 4000, 3000);
  f.s->max_sndwnd = 4000;
  f.s->snd_wnd = 1300;
  f.s->snd_nxt = f.s->snd_max = 3001;
  f.s->sent += 1000;
  f.sim.output(*f.s);
  EXPECT_TRUE(f.lens().empty()) << "300 < 4000/2 and not all the queued data: wait for the ACK";
}

TEST(SillyWindowTest, LinuxReceiverOffersZeroRatherThanLessThanOneMss) {
  SwsFixture f(Profile::Linux, 65535, 0);
  const std::uint32_t full = f.sim.hosts[0].sys.rcvbuf / 2;  // what the window is taken from
  const std::uint32_t mss = f.sim.hosts[0].sys.mss;
  f.s->rcv_total = full - (mss - 100);  // free: 100 bytes under one MSS
  f.s->rcv_wnd = 0;
  EXPECT_EQ(f.sim.adv_window(*f.s), 0) << "__tcp_select_window(): no sub-MSS window";
  f.s->rcv_read = 2 * mss;  // the application reads: 2 MSS minus 100 free
  const std::uint16_t w = f.sim.adv_window(*f.s);
  EXPECT_EQ(w % mss, 0u) << "the window opens in whole segments";
}

TEST(SillyWindowTest, Rfc9293ReceiverKeepsTheRightEdgeUntilTheIncreaseReachesOneMss) {
  SwsFixture f(Profile::Rfc9293, 65535, 0);
  const std::uint32_t full = f.sim.hosts[0].sys.rcvbuf / 2;  // what the window is taken from
  const std::uint32_t mss = f.sim.hosts[0].sys.mss;
  f.s->rcv_total = full;  // window closed, advertised 0
  f.s->rcv_wnd = 0;
  f.s->rcv_read = mss - 1;  // the application frees less than one MSS
  EXPECT_EQ(f.sim.adv_window(*f.s), 0) << "RCV.BUFF - RCV.USER - RCV.WND < min(Fr * RCV.BUFF, MSS)";
  f.s->rcv_read = mss;
  EXPECT_EQ(f.sim.adv_window(*f.s), mss);
}

}  // namespace
}  // namespace tcpsim
