#include "trace_fixtures.hpp"

#include <algorithm>
#include <stdexcept>

namespace tcpsim::testing {

namespace {
std::pair<std::uint32_t, std::uint16_t> endpoint(const std::string& s) {
  auto colon = s.rfind(':');
  auto ip = parse_ip(s.substr(0, colon));
  if (!ip) throw std::invalid_argument("bad endpoint " + s);
  return {*ip, static_cast<std::uint16_t>(std::stoi(s.substr(colon + 1)))};
}
}  // namespace

TraceBuilder::TraceBuilder(std::string scenario) { t_.meta.scenario = std::move(scenario); }

std::uint16_t TraceBuilder::host(const std::string& name, const std::string& ip) {
  t_.meta.hosts.push_back({name, *parse_ip(ip)});
  return static_cast<std::uint16_t>(t_.meta.hosts.size() - 1);
}

std::uint32_t TraceBuilder::socket(std::uint16_t host, const std::string& label) {
  SocketInfo s;
  s.id = static_cast<std::uint32_t>(t_.meta.sockets.size() + 1);
  s.host = host;
  s.label = label;
  t_.meta.sockets.push_back(s);
  return s.id;
}

void TraceBuilder::state(Time t, std::uint32_t sock, TcpState from, TcpState to,
                         const std::string& cause) {
  Event e;
  e.t = t;
  e.kind = EventKind::State;
  e.sock = sock;
  e.host = t_.meta.sockets.at(sock - 1).host;
  e.from = from;
  e.to = to;
  e.text = cause;
  t_.events.push_back(e);
}

void TraceBuilder::send(Time t, std::uint16_t from_host, const std::string& src,
                        const std::string& dst, const std::string& flags, std::uint32_t seq,
                        std::uint32_t ack, std::uint32_t len, bool retrans, bool dropped) {
  Event e;
  e.t = t;
  e.kind = EventKind::Segment;
  e.host = from_host;
  e.seg_op = SegOp::Send;
  auto [sip, sport] = endpoint(src);
  auto [dip, dport] = endpoint(dst);
  e.lip = sip;
  e.lport = sport;
  e.rip = dip;
  e.rport = dport;
  e.seg.src_ip = sip;
  e.seg.sport = sport;
  e.seg.dst_ip = dip;
  e.seg.dport = dport;
  e.seg.seq = seq;
  e.seg.ack = ack;
  e.seg.len = len;
  e.seg.win = 64240;
  auto f = parse_flags(flags);
  if (!f) throw std::invalid_argument("bad flags " + flags);
  e.seg.flags = *f;
  e.retrans = retrans;
  e.seg_id = ++next_seg_;
  t_.events.push_back(e);
  Event d = e;
  d.t = t + delay_;
  d.seg_op = dropped ? SegOp::Drop : SegOp::Deliver;
  d.retrans = false;
  if (dropped) d.text = "fault: drop rule 1";
  for (std::uint16_t h = 0; h < t_.meta.hosts.size(); ++h)
    if (t_.meta.hosts[h].ip == dip) d.host = h;
  t_.events.push_back(d);
}

void TraceBuilder::fault(Time t, const std::string& detail) {
  Event e;
  e.t = t;
  e.kind = EventKind::Fault;
  e.text = detail;
  t_.events.push_back(e);
}

Trace TraceBuilder::finish() {
  std::stable_sort(t_.events.begin(), t_.events.end(),
                   [](const Event& a, const Event& b) { return a.t < b.t; });
  return t_;
}

Trace normal_close_trace() {
  using S = TcpState;
  TraceBuilder b("normal-close");
  const auto c = b.host("client", "10.0.0.1");
  const auto s = b.host("server", "10.0.0.2");
  const auto lsock = b.socket(s, "server/lsock");
  const auto sock = b.socket(c, "client/sock");
  const auto conn = b.socket(s, "server/conn");
  const std::string C = "10.0.0.1:49152", S_ = "10.0.0.2:80";
  b.state(0, lsock, S::Closed, S::Listen, "listen");
  b.state(10000, sock, S::Closed, S::SynSent, "connect");
  b.send(10000, c, C, S_, "S", 1000, 0, 0);
  b.state(11000, conn, S::Listen, S::SynReceived, "rcv SYN");
  b.send(11000, s, S_, C, "S.", 5000, 1001, 0);
  b.state(12000, sock, S::SynSent, S::Established, "rcv SYN,ACK");
  b.send(12000, c, C, S_, ".", 1001, 5001, 0);
  b.send(12000, c, C, S_, "P.", 1001, 5001, 100);
  b.state(13000, conn, S::SynReceived, S::Established, "rcv ACK of SYN");
  b.send(13000, s, S_, C, ".", 5001, 1101, 0);
  b.state(112000, sock, S::Established, S::FinWait1, "close");
  b.send(112000, c, C, S_, "F.", 1101, 5001, 0);
  b.state(113000, conn, S::Established, S::CloseWait, "rcv FIN");
  b.send(113000, s, S_, C, ".", 5001, 1102, 0);
  b.state(114000, sock, S::FinWait1, S::FinWait2, "rcv ACK of FIN");
  b.state(123000, conn, S::CloseWait, S::LastAck, "close");
  b.send(123000, s, S_, C, "F.", 5001, 1102, 0);
  b.state(124000, sock, S::FinWait2, S::TimeWait, "rcv FIN");
  b.send(124000, c, C, S_, ".", 1102, 5002, 0);
  b.state(125000, conn, S::LastAck, S::Closed, "rcv ACK of FIN");
  b.state(60124000, sock, S::TimeWait, S::Closed, "TIME_WAIT timer");
  return b.finish();
}

Trace retransmit_rst_trace() {
  using S = TcpState;
  TraceBuilder b("retransmit-rst");
  const auto c = b.host("client", "10.0.0.1");
  const auto s = b.host("server", "10.0.0.2");
  const auto lsock = b.socket(s, "server/lsock");
  const auto sock = b.socket(c, "client/sock");
  const auto conn = b.socket(s, "server/conn");
  const auto sock2 = b.socket(c, "client/probe");
  const std::string C = "10.0.0.1:49152", S_ = "10.0.0.2:80";
  b.state(0, lsock, S::Closed, S::Listen, "listen");
  b.state(10000, sock, S::Closed, S::SynSent, "connect");
  // ISS near 2^32: relative numbers and payload offsets must wrap.
  b.send(10000, c, C, S_, "S", 4294967000u, 0, 0);
  b.state(11000, conn, S::Listen, S::SynReceived, "rcv SYN");
  b.send(11000, s, S_, C, "S.", 7000, 4294967001u, 0);
  b.state(12000, sock, S::SynSent, S::Established, "rcv SYN,ACK");
  b.send(12000, c, C, S_, ".", 4294967001u, 7001, 0);
  b.send(12000, c, C, S_, "P.", 4294967001u, 7001, 500, false, /*dropped=*/true);
  b.state(13000, conn, S::SynReceived, S::Established, "rcv ACK of SYN");
  b.send(212000, c, C, S_, "P.", 4294967001u, 7001, 500, /*retrans=*/true);
  b.send(213000, s, S_, C, ".", 7001, 205, 0);  // 4294967001 + 500 wraps to 205
  b.send(220000, s, S_, C, "P.", 7001, 205, 50);
  b.send(221000, c, C, S_, ".", 205, 7051, 0);
  b.state(300000, sock, S::Established, S::Closed, "close with 50 unread bytes: RST");
  b.send(300000, c, C, S_, "R.", 205, 7051, 0);
  b.state(301000, conn, S::Established, S::Closed, "rcv RST");
  // Connection refused: the SYN to a port with no listener draws R.
  b.state(400000, sock2, S::Closed, S::SynSent, "connect");
  b.send(400000, c, "10.0.0.1:49153", "10.0.0.2:81", "S", 123456, 0, 0);
  b.send(401000, s, "10.0.0.2:81", "10.0.0.1:49153", "R.", 0, 123457, 0);
  b.state(402000, sock2, S::SynSent, S::Closed, "rcv RST: ECONNREFUSED");
  return b.finish();
}

}  // namespace tcpsim::testing
