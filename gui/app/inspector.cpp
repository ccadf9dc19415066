#include "inspector.hpp"

#include <QHeaderView>
#include <map>
#include <set>

namespace tcpsim::gui {

namespace {
constexpr int kKeyRole = Qt::UserRole + 1;
// Timer names (render::timer_display_name) for lupdate.
[[maybe_unused]] const char* const kTimerNames[] = {
    QT_TRANSLATE_NOOP("tcpsim::gui::Inspector", "RTO"),       QT_TRANSLATE_NOOP("tcpsim::gui::Inspector", "delayed ACK"),
    QT_TRANSLATE_NOOP("tcpsim::gui::Inspector", "TIME_WAIT"), QT_TRANSLATE_NOOP("tcpsim::gui::Inspector", "FIN_WAIT_2"),
    QT_TRANSLATE_NOOP("tcpsim::gui::Inspector", "keepalive"), QT_TRANSLATE_NOOP("tcpsim::gui::Inspector", "linger"),
};

QTreeWidgetItem* add(QTreeWidgetItem* parent, const QString& key, const QString& label, const QString& value) {
  auto* it = new QTreeWidgetItem(parent, {label, value});
  it->setData(0, kKeyRole, key);
  return it;
}

// Processes holding a descriptor on the socket at the cursor, from the calls
// in the trace: a successful call naming the socket means the process holds
// it; a successful close() or the process ending means it no longer does.
QStringList holders(const render::TraceView& v, std::uint32_t sock, std::size_t cursor) {
  std::map<std::int32_t, int> held;
  for (std::size_t i = 0; i < cursor && i < v.size(); ++i) {
    const Event& e = v.event(i);
    if (e.kind == EventKind::Call && e.sock == sock && e.err == 0) {
      if (e.call == "close")
        held[e.pid] = std::max(0, held[e.pid] - 1);
      else if (held[e.pid] == 0)
        held[e.pid] = 1;
      if (e.call == "dup") held[e.pid]++;
    }
    if (e.kind == EventKind::Process && e.proc_op != ProcOp::Start) held.erase(e.pid);
  }
  QStringList out;
  for (auto [pid, n] : held)
    if (n > 0) {
      QString name = QString::number(pid);
      if (auto* p = v.trace().meta.process(pid)) name = QString::fromStdString(p->name);
      out << Inspector::tr("%1 (pid %2)").arg(name).arg(pid);
    }
  return out;
}

// Linux's congestion state (icsk_ca_state) in words.
QString caStateText(CaState s, int dupacks) {
  switch (s) {
    case CaState::Open:
      return Inspector::tr("Open (no loss seen)");
    case CaState::Disorder:
      return Inspector::tr("Disorder (%n duplicate ACK(s))", "", dupacks);
    case CaState::Recovery:
      return Inspector::tr("Recovery (fast retransmit)");
    case CaState::Loss:
      return Inspector::tr("Loss (after an RTO)");
  }
  return {};
}
}  // namespace

Inspector::Inspector(QWidget* parent) : QTreeWidget(parent) {
  setColumnCount(2);
  setRootIsDecorated(true);
  setAlternatingRowColors(true);
  retranslate();
  header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
}

void Inspector::retranslate() { setHeaderLabels({tr("Field"), tr("Value")}); }

void Inspector::show(const render::TraceView* v, const std::vector<std::uint32_t>& socks, std::size_t cursor,
                     Time now, int arrow) {
  retranslate();
  clear();
  if (!v) return;
  for (auto s : socks) {
    if (!s) continue;
    QString label = QString::fromStdString(v->socket_label(s));
    auto* top = new QTreeWidgetItem(this, {label, ""});
    top->setData(0, kKeyRole, label);
    QFont bf = top->font(0);
    bf.setBold(true);
    top->setFont(0, bf);
    auto st = v->state_at(s, cursor);
    add(top, "state", tr("State"), st ? state_name(*st) : tr("not created yet"));
    const Event* e = v->tcb_at(s, cursor);
    if (e) {
      if (e->rport) {
        add(top, "local", tr("Local"), QString::fromStdString(endpoint_string(e->lip, e->lport)));
        add(top, "remote", tr("Remote"), QString::fromStdString(endpoint_string(e->rip, e->rport)));
      }
      const TcbSnapshot& t = e->tcb;
      add(top, "ISS", "ISS", QString::number(t.iss));
      add(top, "SND.UNA", "SND.UNA", QString("%1  (+%2)").arg(t.snd_una).arg(t.snd_una - t.iss));
      add(top, "SND.NXT", "SND.NXT", QString("%1  (+%2)").arg(t.snd_nxt).arg(t.snd_nxt - t.iss));
      add(top, "SND.WND", "SND.WND", QString::number(t.snd_wnd));
      add(top, "IRS", "IRS", QString::number(t.irs));
      add(top, "RCV.NXT", "RCV.NXT", QString("%1  (+%2)").arg(t.rcv_nxt).arg(t.rcv_nxt - t.irs));
      add(top, "RCV.WND", "RCV.WND", QString::number(t.rcv_wnd));
      add(top, "snd_buf", tr("Send buffer"), tr("%n byte(s)", "", static_cast<int>(t.snd_buf)));
      add(top, "rcv_buf", tr("Receive buffer (unread)"), tr("%n byte(s)", "", static_cast<int>(t.rcv_buf)));
      add(top, "rto", tr("RTO"), QString::fromStdString(format_duration(t.rto)));
      // Congestion control (RFC 5681) and the RTT estimate (RFC 6298).
      if (t.state != TcpState::Listen && t.state != TcpState::Closed) {
        add(top, "cwnd", tr("cwnd (congestion window)"), tr("%n byte(s)", "", static_cast<int>(t.cwnd)));
        add(top, "ssthresh", tr("ssthresh (slow-start threshold)"),
            t.ssthresh >= kInfiniteSsthresh ? tr("infinite (no loss yet)")
                                            : tr("%n byte(s)", "", static_cast<int>(t.ssthresh)));
        add(top, "srtt", tr("SRTT"),
            t.srtt ? QString::fromStdString(format_duration(t.srtt)) : tr("no RTT sample yet"));
        if (t.srtt) add(top, "rttvar", tr("RTTVAR"), QString::fromStdString(format_duration(t.rttvar)));
        add(top, "ca_state", tr("Congestion state"), caStateText(t.ca_state, t.dupacks));
      }
      if (t.retransmits) add(top, "retransmits", tr("Retransmissions"), QString::number(t.retransmits));
      QStringList timers;
      for (int k = 0; k < kNumTimerKinds; ++k) {
        if (t.timers[k] <= 0) continue;
        QString name = render::timer_display_name(static_cast<TimerKind>(k));
        QString left = QString::fromStdString(format_duration(std::max<Time>(0, t.timers[k] - now)));
        add(top, "timer:" + name, tr("Timer %1").arg(tr(name.toUtf8().constData())), tr("%1 left").arg(left));
        timers << name;
      }
      if (timers.isEmpty()) add(top, "timers", tr("Timers"), tr("none armed"));
      QStringList h = holders(*v, s, cursor);
      add(top, "fds", tr("Held by"),
          t.orphan ? tr("no process (orphan)") : h.isEmpty() ? tr("—") : h.join(", "));
    }
    top->setExpanded(true);
  }
  if (arrow >= 0 && arrow < static_cast<int>(v->arrows().size())) {
    const auto& a = v->arrows()[arrow];
    const Event& e = v->event(a.send);
    auto* top = new QTreeWidgetItem(this, {tr("Selected segment"), QString::fromStdString(flags_string(e.seg.flags))});
    top->setData(0, kKeyRole, "segment");
    add(top, "src", tr("Source"), QString::fromStdString(endpoint_string(e.seg.src_ip, e.seg.sport)));
    add(top, "dst", tr("Destination"), QString::fromStdString(endpoint_string(e.seg.dst_ip, e.seg.dport)));
    add(top, "flags", tr("Flags"), QString("[%1]").arg(QString::fromStdString(flags_string(e.seg.flags))));
    add(top, "seq", tr("Sequence number"), tr("%1  (relative %2)").arg(e.seg.seq).arg(v->relative_seq(e)));
    add(top, "ack", tr("Acknowledgement number"),
        (e.seg.flags & kAck) ? tr("%1  (relative %2)").arg(e.seg.ack).arg(v->relative_ack(e)) : tr("— (no ACK flag)"));
    add(top, "win", tr("Window"), QString::number(e.seg.win));
    add(top, "len", tr("Payload length"), QString::number(e.seg.len));
    add(top, "sent", tr("Sent at"), QString::fromStdString(format_time(e.t)));
    if (a.deliver >= 0)
      add(top, "delivered", tr("Delivered at"), QString::fromStdString(format_time(v->event(a.deliver).t)));
    if (a.drop >= 0) {
      const Event& d = v->event(a.drop);
      add(top, "dropped", tr("Dropped at"),
          QString::fromStdString(format_time(d.t)) + (d.text.empty() ? "" : " (" + QString::fromStdString(render::translate_text(d.text)) + ")"));
    }
    if (e.retrans) add(top, "retrans", tr("Retransmission"), tr("yes"));
    top->setExpanded(true);
  }
}

QString Inspector::value(const QString& group, const QString& field) const {
  for (int i = 0; i < topLevelItemCount(); ++i) {
    auto* top = topLevelItem(i);
    if (top->data(0, kKeyRole).toString() != group) continue;
    for (int j = 0; j < top->childCount(); ++j)
      if (top->child(j)->data(0, kKeyRole).toString() == field) return top->child(j)->text(1);
  }
  return {};
}

}  // namespace tcpsim::gui
