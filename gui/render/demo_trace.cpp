#include "demo_trace.hpp"

#include <map>

namespace tcpsim::render {

namespace {
constexpr std::uint32_t kCip = 0x0A000001, kSip = 0x0A000002;
constexpr std::uint16_t kCport = 49152, kSport = 80;

struct Builder {
  Trace& tr;
  std::map<std::uint32_t, TcbSnapshot> tcb;
  std::uint32_t next_seg = 1;

  Event base(Time t, EventKind k, std::uint16_t host, std::uint32_t sock) {
    Event e;
    e.t = t;
    e.kind = k;
    e.host = host;
    e.sock = sock;
    if (sock == 2) { e.lip = kCip; e.lport = kCport; e.rip = kSip; e.rport = kSport; }
    if (sock == 3) { e.lip = kSip; e.lport = kSport; e.rip = kCip; e.rport = kCport; }
    if (sock == 1) { e.lip = kSip; e.lport = kSport; }
    if (sock) { e.has_tcb = true; e.tcb = tcb[sock]; }
    return e;
  }
  void state(Time t, std::uint16_t host, std::uint32_t sock, TcpState from, TcpState to,
             const char* cause) {
    tcb[sock].state = to;
    Event e = base(t, EventKind::State, host, sock);
    e.from = from;
    e.to = to;
    e.text = cause;
    tr.events.push_back(e);
  }
  std::uint32_t send(Time t, std::uint16_t host, std::uint32_t sock, std::uint8_t flags,
                     std::uint32_t seq, std::uint32_t ack, std::uint32_t len) {
    Event e = base(t, EventKind::Segment, host, sock);
    e.seg_op = SegOp::Send;
    bool client = sock == 2;
    e.seg.src_ip = client ? kCip : kSip;
    e.seg.dst_ip = client ? kSip : kCip;
    e.seg.sport = client ? kCport : kSport;
    e.seg.dport = client ? kSport : kCport;
    e.seg.flags = flags;
    e.seg.seq = seq;
    e.seg.ack = ack;
    e.seg.len = len;
    e.seg.win = 64240;
    e.seg_id = next_seg++;
    tr.events.push_back(e);
    return e.seg_id;
  }
  void deliver(Time t, std::uint32_t id, std::uint32_t sock) {
    Event e;
    for (const auto& x : tr.events)
      if (x.kind == EventKind::Segment && x.seg_id == id) e = x;
    std::uint16_t host = e.host == 0 ? 1 : 0;
    Event d = base(t, EventKind::Segment, host, sock);
    d.seg_op = SegOp::Deliver;
    d.seg = e.seg;
    d.seg_id = id;
    tr.events.push_back(d);
  }
  void call(Time t, std::uint16_t host, std::int32_t pid, std::uint32_t sock, const char* name,
            const char* args, std::int64_t ret, int err = 0) {
    Event e = base(t, EventKind::Call, host, sock);
    e.pid = pid;
    e.call = name;
    e.args = args;
    e.ret = ret;
    e.err = err;
    e.start = t;
    tr.events.push_back(e);
  }
  void timer(Time t, std::uint16_t host, std::uint32_t sock, TimerKind k, TimerOp op,
             Time deadline) {
    auto& tb = tcb[sock];
    tb.timers[static_cast<int>(k)] = op == TimerOp::Arm ? deadline : 0;
    Event e = base(t, EventKind::Timer, host, sock);
    e.timer = k;
    e.timer_op = op;
    e.deadline = deadline;
    tr.events.push_back(e);
  }
};
}  // namespace

std::shared_ptr<Trace> demo_normal_close_trace() {
  auto tr = std::make_shared<Trace>();
  tr->meta.scenario = "normal-close";
  tr->meta.hosts = {{"client", kCip}, {"server", kSip}};
  tr->meta.processes = {{1, 1, "server"}, {2, 0, "client"}};
  tr->meta.sockets = {{1, 1, 1, "server/lsock"}, {2, 0, 2, "client/sock"}, {3, 1, 0, "server/conn"}};
  Builder b{*tr, {}, 1};
  const std::uint32_t ciss = 1000, siss = 5000;
  auto& c = b.tcb[2];
  auto& s = b.tcb[3];
  b.tcb[1].rcv_wnd = 64240;

  b.state(0, 1, 1, TcpState::Closed, TcpState::Listen, "listen");
  b.call(0, 1, 1, 1, "listen", "fd=3, backlog=128", 0);
  c.iss = ciss; c.snd_una = ciss; c.snd_nxt = ciss + 1; c.rcv_wnd = 64240; c.rto = 1000000;
  b.state(msec(10), 0, 2, TcpState::Closed, TcpState::SynSent, "connect");
  auto syn = b.send(msec(10), 0, 2, kSyn, ciss, 0, 0);
  b.timer(msec(10), 0, 2, TimerKind::Retransmit, TimerOp::Arm, msec(1010));
  s.iss = siss; s.irs = ciss; s.rcv_nxt = ciss + 1; s.snd_una = siss; s.snd_nxt = siss + 1;
  s.snd_wnd = 64240; s.rcv_wnd = 64240; s.rto = 1000000;
  b.deliver(msec(11), syn, 3);
  b.state(msec(11), 1, 3, TcpState::Listen, TcpState::SynReceived, "rcv SYN");
  auto synack = b.send(msec(11), 1, 3, kSyn | kAck, siss, ciss + 1, 0);
  b.timer(msec(11), 1, 3, TimerKind::Retransmit, TimerOp::Arm, msec(1011));
  b.deliver(msec(12), synack, 2);
  c.irs = siss; c.rcv_nxt = siss + 1; c.snd_una = ciss + 1; c.snd_wnd = 64240; c.rto = 203000;
  b.timer(msec(12), 0, 2, TimerKind::Retransmit, TimerOp::Cancel, 0);
  b.state(msec(12), 0, 2, TcpState::SynSent, TcpState::Established, "rcv SYN,ACK");
  auto ack1 = b.send(msec(12), 0, 2, kAck, ciss + 1, siss + 1, 0);
  b.call(msec(12), 0, 2, 2, "connect", "fd=3, 10.0.0.2:80", 0);
  b.deliver(msec(13), ack1, 3);
  s.snd_una = siss + 1; s.rto = 203000;
  b.timer(msec(13), 1, 3, TimerKind::Retransmit, TimerOp::Cancel, 0);
  b.state(msec(13), 1, 3, TcpState::SynReceived, TcpState::Established, "rcv ACK of SYN");
  b.call(msec(13), 1, 1, 3, "accept", "fd=3", 4);
  c.snd_nxt = ciss + 101; c.snd_buf = 100;
  b.call(msec(13), 0, 2, 2, "send", "fd=3, 100 bytes", 100);
  auto data = b.send(msec(13), 0, 2, kPsh | kAck, ciss + 1, siss + 1, 100);
  b.timer(msec(13), 0, 2, TimerKind::Retransmit, TimerOp::Arm, msec(216));
  s.rcv_nxt = ciss + 101; s.rcv_buf = 100;
  b.deliver(msec(14), data, 3);
  auto dack = b.send(msec(14), 1, 3, kAck, siss + 1, ciss + 101, 0);
  s.rcv_buf = 0;
  b.call(msec(14), 1, 1, 3, "recv", "fd=4", 100);
  b.deliver(msec(15), dack, 2);
  c.snd_una = ciss + 101; c.snd_buf = 0;
  b.timer(msec(15), 0, 2, TimerKind::Retransmit, TimerOp::Cancel, 0);
  // client closes
  c.snd_nxt = ciss + 102;
  b.call(msec(115), 0, 2, 2, "close", "fd=3", 0);
  b.state(msec(115), 0, 2, TcpState::Established, TcpState::FinWait1, "close");
  auto fin1 = b.send(msec(115), 0, 2, kFin | kAck, ciss + 101, siss + 1, 0);
  c.orphan = true;
  b.timer(msec(115), 0, 2, TimerKind::Retransmit, TimerOp::Arm, msec(318));
  s.rcv_nxt = ciss + 102;
  b.deliver(msec(116), fin1, 3);
  b.state(msec(116), 1, 3, TcpState::Established, TcpState::CloseWait, "rcv FIN");
  auto ack2 = b.send(msec(116), 1, 3, kAck, siss + 1, ciss + 102, 0);
  b.call(msec(116), 1, 1, 3, "recv", "fd=4", 0);
  b.deliver(msec(117), ack2, 2);
  c.snd_una = ciss + 102;
  b.timer(msec(117), 0, 2, TimerKind::Retransmit, TimerOp::Cancel, 0);
  b.state(msec(117), 0, 2, TcpState::FinWait1, TcpState::FinWait2, "rcv ACK of FIN");
  b.timer(msec(117), 0, 2, TimerKind::FinWait2, TimerOp::Arm, msec(117) + sec(60));
  s.snd_nxt = siss + 2;
  b.call(msec(117), 1, 1, 3, "close", "fd=4", 0);
  b.state(msec(117), 1, 3, TcpState::CloseWait, TcpState::LastAck, "close");
  auto fin2 = b.send(msec(117), 1, 3, kFin | kAck, siss + 1, ciss + 102, 0);
  s.orphan = true;
  b.timer(msec(117), 1, 3, TimerKind::Retransmit, TimerOp::Arm, msec(320));
  c.rcv_nxt = siss + 2;
  b.deliver(msec(118), fin2, 2);
  b.timer(msec(118), 0, 2, TimerKind::FinWait2, TimerOp::Cancel, 0);
  b.state(msec(118), 0, 2, TcpState::FinWait2, TcpState::TimeWait, "rcv FIN");
  b.timer(msec(118), 0, 2, TimerKind::TimeWait, TimerOp::Arm, msec(118) + sec(60));
  auto ack3 = b.send(msec(118), 0, 2, kAck, ciss + 102, siss + 2, 0);
  b.deliver(msec(119), ack3, 3);
  s.snd_una = siss + 2;
  b.timer(msec(119), 1, 3, TimerKind::Retransmit, TimerOp::Cancel, 0);
  b.state(msec(119), 1, 3, TcpState::LastAck, TcpState::Closed, "rcv ACK of FIN");
  b.timer(msec(118) + sec(60), 0, 2, TimerKind::TimeWait, TimerOp::Fire, 0);
  b.state(msec(118) + sec(60), 0, 2, TcpState::TimeWait, TcpState::Closed, "TIME_WAIT timeout");
  return tr;
}

Scenario demo_normal_close_scenario() {
  Scenario s;
  s.name = "normal-close";
  s.title.en = "Normal connection and four-way close (demo trace)";
  s.title.zh = "正常连接与四次挥手（演示轨迹）";
  s.lesson.en =
      "The client connects, sends 100 bytes and closes first, so **it** waits in "
      "`TIME_WAIT` for 2MSL (60 s on Linux). The server reads EOF and closes: "
      "CLOSE_WAIT, then LAST_ACK.";
  s.lesson.zh = "客户端先关闭，因此由**客户端**在 `TIME_WAIT` 中等待 2MSL（Linux 上为 60 秒）。"
                "服务器读到 EOF 后关闭：CLOSE_WAIT，然后 LAST_ACK。";
  s.tags = {"close", "timers"};
  s.references = {"RFC 9293 §3.6"};
  return s;
}

}  // namespace tcpsim::render
