// The ladder of a host with connections to itself (a client and a server on
// one host, connecting over loopback): the host gets two lifelines, its
// connecting side (the active opens) and its listening side (the listener and
// the sockets it accepted), and every loopback segment is an arrow from the
// sender's side to the receiver's. Drawn on one lifeline, every segment went
// from the host to itself: no arrow, only a stack of labels.
// A host that talks only to other hosts keeps its single lifeline.
// Runs in the tcpsim_ladder_tests binary (its QtEnv makes the QApplication).
#include <gtest/gtest.h>

#include <QApplication>
#include <cmath>
#include <map>
#include <memory>
#include <string>

#include "i18n.hpp"
#include "ladder.hpp"
#include "tcpsim/loader.hpp"
#include "tcpsim/simulation.hpp"
#include "theme.hpp"
#include "trace_view.hpp"

using namespace tcpsim;
using namespace tcpsim::render;

namespace {

std::shared_ptr<const TraceView> view_of(const std::string& name) {
  return std::make_shared<TraceView>(std::make_shared<const Trace>(
      run_scenario(load_scenario_file(std::string(TCPSIM_SCENARIOS) + "/" + name + ".yaml"))));
}

void ensure_app() {
  static int argc = 1;
  static char name[] = "tcpsim_ladder_tests";
  static char* argv[] = {name, nullptr};
  static std::unique_ptr<QApplication> own;
  if (!QCoreApplication::instance()) own = std::make_unique<QApplication>(argc, argv);
}

}  // namespace

TEST(LadderLoopback, EveryLoopbackSegmentIsAnArrowFromTheSendersSideToTheReceivers) {
  ensure_app();
  auto v = view_of("loopback-tw-reuse");
  const auto& ev = v->trace().events;
  const auto& arrows = v->arrows();
  // The listening port: the port of the socket that entered LISTEN.
  std::uint16_t listen_port = 0;
  for (const Event& e : ev)
    if (e.kind == EventKind::State && e.to == TcpState::Listen) listen_port = e.lport;
  ASSERT_NE(listen_port, 0);
  for (const char* lang : {"en", "zh_CN"}) {
    ASSERT_TRUE(install_language(lang)) << lang;
    for (TimeScale scale : {TimeScale::Compressed, TimeScale::Linear, TimeScale::Textbook})
      for (double width : {600.0, 1040.0}) {
        SCOPED_TRACE(std::string(lang) + " " + time_scale_name(scale).toStdString() + " width " +
                     std::to_string(width));
        LadderOptions lo;
        lo.width = width;
        lo.scale = scale;
        LadderLayout lay(*v, default_theme(), lo);
        ASSERT_EQ(lay.lifeline_count(), v->trace().meta.hosts.size() + 1);
        // Two headers, both naming the host.
        int headers = 0;
        for (const auto& t : lay.texts())
          if (t.role == LadderText::Header && t.full.contains(QString::fromStdString(v->host_name(0)))) ++headers;
        EXPECT_EQ(headers, 2);
        const double x_conn = lay.lifeline_x(0), x_listen = lay.lifeline_x(1);
        ASSERT_GT(std::abs(x_listen - x_conn), 100.0);
        int loopback = 0;
        for (std::size_t k = 0; k < arrows.size(); ++k) {
          const Event& s = ev[arrows[k].send];
          if (s.forwarded || s.hop != static_cast<int>(s.host)) continue;
          ++loopback;
          const QLineF l = lay.arrow_geometry(static_cast<int>(k));
          ASSERT_FALSE(l.isNull()) << "arrow " << k;
          const bool from_listener = s.seg.sport == listen_port;
          EXPECT_NEAR(l.x1(), from_listener ? x_listen : x_conn, 1.0) << v->segment_label(s);
          EXPECT_NEAR(l.x2(), from_listener ? x_conn : x_listen, 1.0) << v->segment_label(s);
          EXPECT_GT(l.y2(), l.y1()) << v->segment_label(s);  // it goes down: time passes
        }
        EXPECT_GT(loopback, 20);
        // Each socket's states are on its side: the client's on the
        // connecting lifeline, the accepted sockets' on the listening one.
        int states = 0;
        for (const auto& t : lay.texts()) {
          if (t.event < 0 || t.role != LadderText::Annotation) continue;
          const Event& e = ev[static_cast<std::size_t>(t.event)];
          if (e.kind != EventKind::State || e.lport == 0) continue;
          ++states;
          const double x = e.lport == listen_port ? x_listen : x_conn;
          const double other = e.lport == listen_port ? x_conn : x_listen;
          EXPECT_LT(std::abs(t.box.center().x() - x), std::abs(t.box.center().x() - other))
              << t.full.toStdString() << " port " << e.lport;
        }
        EXPECT_GT(states, 10);
      }
  }
  ASSERT_TRUE(install_language("en"));
}

// A 4-tuple used again (the TIME_WAIT of 127.0.0.1:40000 reused by the third
// connect()) numbers each connection from its own ISN, as tcpdump does: every
// SYN is "seq 0" and every SYN-ACK "seq 0 ack 1", in the first connection
// too (its labels were counted from the third connection's ISN:
// "S seq 4263717296").
TEST(LadderLoopback, EachConnectionOfAReusedFourTupleIsNumberedFromItsOwnIsn) {
  auto v = view_of("loopback-tw-reuse");
  const auto& ev = v->trace().events;
  int syns = 0;
  std::map<std::pair<std::uint16_t, std::uint16_t>, int> per_tuple;
  for (const SegArrow& a : v->arrows()) {
    const Event& s = ev[a.send];
    if (!(s.seg.flags & kSyn)) continue;
    ++syns;
    ++per_tuple[{s.seg.sport, s.seg.dport}];
    EXPECT_EQ(v->relative_seq(s), 0u) << v->segment_label(s) << " at " << a.send;
    if (s.seg.flags & kAck) EXPECT_EQ(v->relative_ack(s), 1u) << v->segment_label(s) << " at " << a.send;
  }
  EXPECT_GE(syns, 10);
  int reused = 0;
  for (const auto& [tuple, n] : per_tuple) reused += n > 1;
  EXPECT_GT(reused, 0) << "no 4-tuple used twice: the case this test is about is gone";
  // And each socket's peer is the other end of its own connection (the first
  // connection's client was paired with the third one's server: the GUI's
  // connection menu offered "client/a ⇄ server/conn#3").
  int pairs = 0;
  for (auto s : v->sockets()) {
    const auto p = v->peer_of(s);
    if (!p) continue;
    ++pairs;
    EXPECT_EQ(v->peer_of(p), s) << v->socket_label(s) << " -> " << v->socket_label(p);
    const auto ts = v->transitions(s, v->size()), tp = v->transitions(p, v->size());
    ASSERT_FALSE(ts.empty());
    ASSERT_FALSE(tp.empty());
    EXPECT_LT(std::abs(ts.front().t - tp.front().t), msec(1))
        << v->socket_label(s) << " and " << v->socket_label(p) << " began at different times";
  }
  EXPECT_GE(pairs, 10);
}

TEST(LadderLoopback, HostsTalkingToOthersKeepOneLifelineEach) {
  ensure_app();
  for (const char* name : {"three-way-handshake", "nat-idle-timeout"}) {
    auto v = view_of(name);
    LadderLayout lay(*v, default_theme(), LadderOptions{});
    EXPECT_EQ(lay.lifeline_count(), v->trace().meta.hosts.size()) << name;
    EXPECT_EQ(&lay.lane_view(), v.get()) << name;
  }
}

namespace {
// The addresses the segments of one side of `box` carried in [from, to), in
// the order first used, read from the trace itself (the window's ends
// included, as LadderOptions::from/to): the connecting side's
// from the source of what it sends, the listening side's from the source
// of what the listener's port sends.
QString side_addresses(const TraceView& v, std::uint16_t listen_port, bool listening, Time from, Time to) {
  QStringList out;
  for (const Event& e : v.trace().events) {
    if (e.kind != EventKind::Segment || e.seg_op != SegOp::Send || e.t < from || e.t > to) continue;
    if (e.forwarded || e.hop != static_cast<int>(e.host)) continue;
    const bool from_listener = e.seg.sport == listen_port;
    const std::uint32_t ip = from_listener == listening ? e.seg.src_ip : e.seg.dst_ip;
    const QString s = QString::fromStdString(ip_string(ip));
    if (!out.contains(s)) out << s;
  }
  return out.join(", ");
}
}  // namespace

// A lifeline of a host talking to itself is headed by the addresses its
// connections really used: 127.0.0.1 for the connections to 127.0.0.1 (the
// header said the host's 10.0.0.1), then the host's own address, which the
// last connections used over lo too. A time window shows the addresses of
// its own segments. Both languages, projector and page widths; never elided.
TEST(LadderLoopback, HeadersShowTheAddressesTheLoopbackConnectionsUsed) {
  ensure_app();
  auto v = view_of("loopback-tw-reuse");
  std::uint16_t listen_port = 0;
  for (const Event& e : v->trace().events)
    if (e.kind == EventKind::State && e.to == TcpState::Listen) listen_port = e.lport;
  ASSERT_NE(listen_port, 0);
  const QString host_ip = QString::fromStdString(ip_string(v->trace().meta.hosts[0].ip));
  // Windows: the whole run; the three connections to 127.0.0.1 alone; the
  // ones to the host's own address alone.
  Time first_own = kNever;
  for (const Event& e : v->trace().events)
    if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send && e.seg.src_ip == v->trace().meta.hosts[0].ip)
      first_own = std::min(first_own, e.t);
  ASSERT_NE(first_own, kNever);
  const std::vector<std::pair<Time, Time>> windows = {{0, kNever}, {0, first_own - 1}, {first_own, kNever}};
  for (const char* lang : {"en", "zh_CN"}) {
    ASSERT_TRUE(install_language(lang)) << lang;
    for (const auto& [from, to] : windows)
      for (double width : {1024.0, 1040.0}) {
        SCOPED_TRACE(std::string(lang) + " window " + std::to_string(from) + ".." + std::to_string(to) +
                     " width " + std::to_string(width));
        LadderOptions lo;
        lo.width = width;
        lo.from = from;
        lo.to = to;
        LadderLayout lay(*v, default_theme(), lo);
        std::vector<const LadderText*> headers;
        for (const auto& t : lay.texts())
          if (t.role == LadderText::Header) headers.push_back(&t);
        ASSERT_EQ(headers.size(), 2u);
        // Lifeline 0 is the connecting side, 1 the listening side (lane_view()).
        for (int side = 0; side < 2; ++side) {
          const QString want = side_addresses(*v, listen_port, side == 1, from, to);
          ASSERT_FALSE(want.isEmpty());
          ASSERT_EQ(headers[side]->lines.size(), 2);
          EXPECT_EQ(headers[side]->lines[1].toStdString(), want.toStdString()) << "side " << side;
          EXPECT_FALSE(headers[side]->elided) << headers[side]->full.toStdString();
        }
        if (to == first_own - 1) EXPECT_EQ(headers[0]->lines[1].toStdString(), "127.0.0.1");
        if (from == first_own) EXPECT_EQ(headers[0]->lines[1], host_ip);
        if (to == kNever && from == 0)
          EXPECT_EQ(headers[0]->lines[1].toStdString(), "127.0.0.1, " + host_ip.toStdString());
        // The two headers stay apart.
        EXPECT_FALSE(headers[0]->box.intersects(headers[1]->box));
        EXPECT_GE(headers[0]->box.left(), 0.0);
        EXPECT_LE(headers[1]->box.right(), lay.size().width());
      }
  }
  ASSERT_TRUE(install_language("en"));
}

// Hosts that talk to others keep their own address in the header.
TEST(LadderLoopback, HeadersOfHostsTalkingToOthersShowTheHostsAddress) {
  ensure_app();
  for (const char* name : {"three-way-handshake", "nat-idle-timeout"}) {
    auto v = view_of(name);
    LadderLayout lay(*v, default_theme(), LadderOptions{});
    std::size_t h = 0;
    for (const auto& t : lay.texts()) {
      if (t.role != LadderText::Header) continue;
      ASSERT_LT(h, v->trace().meta.hosts.size());
      EXPECT_EQ(t.lines.value(1).toStdString(), ip_string(v->trace().meta.hosts[h].ip)) << name << " host " << h;
      ++h;
    }
    EXPECT_EQ(h, v->trace().meta.hosts.size()) << name;
  }
}
