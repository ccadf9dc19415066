#include "charts.hpp"

#include <QCategoryAxis>
#include <QChart>
#include <QCoreApplication>
#include <QLegendMarker>
#include <QLineSeries>
#include <QValueAxis>
#include <algorithm>
#include <array>
#include <cmath>
#include <map>

namespace tcpsim::render {

namespace {
double secs(Time t) { return t / 1e6; }

QList<QColor> palette(const Theme& th) {
  return {th.blue, th.orange, th.green, th.vermillion, th.purple, th.sky, th.black, th.yellow.darker(130)};
}
const Qt::PenStyle kStyles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine};

void style_series(QLineSeries* s, const Theme& th, int i, bool points) {
  QPen pen(palette(th)[i % 8], th.presentation ? 3.5 : 2.2);
  pen.setStyle(kStyles[(i / 2) % 4]);  // never colour alone: dash patterns differ too
  s->setPen(pen);
  s->setPointsVisible(points);
}

QValueAxis* time_axis(const Theme& th, Time from, Time to) {
  auto* ax = new QValueAxis;
  ax->setTitleText(QCoreApplication::translate("tcpsim::render", "time (s)"));
  ax->setRange(secs(from), secs(std::max(to, from + 1000)));
  ax->setLabelsFont(th.font(9));
  ax->setTitleFont(th.font(10, true));
  return ax;
}

// The vertical axis of a count or byte chart: whole numbers.
QValueAxis* integer_axis(const Theme& th, const QString& title) {
  auto* ay = new QValueAxis;
  ay->setTitleText(title);
  ay->setLabelFormat("%d");
  ay->setLabelsFont(th.font(9));
  ay->setTitleFont(th.font(10, true));
  return ay;
}

// A socket-count axis up to ymax: one tick per socket for small counts.
void fit_count_axis(QValueAxis* ay, std::int64_t ymax) {
  ay->setRange(0, ymax <= 10 ? ymax : ymax * 1.05);
  if (ymax <= 10) ay->setTickCount(static_cast<int>(ymax) + 1);
  else ay->applyNiceNumbers();
}
}  // namespace

const std::vector<std::string>& chart_names() {
  static const std::vector<std::string> n = {"endpoint", "states", "seq", "cwnd"};
  return n;
}

QChart* build_chart(const TraceView& v, const std::string& name, const Theme& th, Time from, Time to,
                    const std::vector<std::uint32_t>& sockets_in, QString* error) {
  const auto& ev = v.trace().events;
  if (to == kNever) to = v.end_time();
  if (to < from) to = from;
  auto* chart = new QChart;
  chart->setBackgroundBrush(Qt::white);
  chart->setTitleFont(th.font(12, true));
  chart->legend()->setFont(th.font(9.5));
  chart->legend()->setAlignment(Qt::AlignBottom);
  chart->setMargins(QMargins(6, 6, 6, 6));

  if (name == "endpoint") {
    chart->setTitle(QCoreApplication::translate("tcpsim::render", "State of each endpoint over time"));
    std::vector<std::uint32_t> socks = sockets_in;
    if (socks.empty())
      for (const auto& c : v.connections()) {
        if (socks.size() < 4) socks.push_back(c.a);
        if (c.b && socks.size() < 4) socks.push_back(c.b);
      }
    auto* ax = time_axis(th, from, to);
    auto* ay = new QCategoryAxis;
    ay->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    for (int s = 0; s < kNumTcpStates; ++s)
      ay->append(state_name(static_cast<TcpState>(s)), s);
    ay->setRange(-0.5, kNumTcpStates - 0.5);
    ay->setLabelsFont(th.font(8.5));
    chart->addAxis(ax, Qt::AlignBottom);
    chart->addAxis(ay, Qt::AlignLeft);
    int i = 0;
    for (auto sock : socks) {
      auto* s = new QLineSeries;
      s->setName(QString::fromStdString(v.socket_label(sock)));
      auto tr = v.transitions(sock, ev.size());
      if (!tr.empty()) {
        double prev = static_cast<int>(tr.front().from);
        s->append(secs(std::max(from, std::min(tr.front().t, to))), prev);
        for (const auto& t : tr) {
          if (t.t > to) break;
          double x = secs(std::max(from, t.t));
          s->append(x, prev);
          s->append(x, static_cast<int>(t.to));
          prev = static_cast<int>(t.to);
        }
        s->append(secs(to), prev);
      }
      chart->addSeries(s);
      s->attachAxis(ax);
      s->attachAxis(ay);
      style_series(s, th, i++, false);
    }
    return chart;
  }
  if (name == "states") {
    chart->setTitle(QCoreApplication::translate("tcpsim::render", "Sockets per state on each host"));
    std::size_t nh = v.trace().meta.hosts.size();
    std::vector<std::array<long, kNumTcpStates>> cnt(nh, std::array<long, kNumTcpStates>{});
    std::map<std::pair<int, int>, QLineSeries*> series;
    long ymax = 1;
    auto* ax = time_axis(th, from, to);
    auto* ay = integer_axis(th, QCoreApplication::translate("tcpsim::render", "sockets"));
    chart->addAxis(ax, Qt::AlignBottom);
    chart->addAxis(ay, Qt::AlignLeft);
    int si = 0;
    auto get = [&](int h, int s) {
      auto& p = series[{h, s}];
      if (!p) {
        p = new QLineSeries;
        p->setName(QString("%1 %2").arg(QString::fromStdString(v.host_name(h))).arg(state_name(static_cast<TcpState>(s))));
        p->append(secs(from), 0);
        chart->addSeries(p);
        p->attachAxis(ax);
        p->attachAxis(ay);
        style_series(p, th, si++, false);
      }
      return p;
    };
    // Count each socket in the state it is in now (a child socket's first
    // event says "from LISTEN" but it was never counted as listening).
    std::map<std::uint32_t, TcpState> now_in;
    for (const auto& e : ev) {
      if (e.kind != EventKind::State || e.host >= nh) continue;
      auto& c = cnt[e.host];
      auto it = now_in.find(e.sock);
      TcpState prev = it == now_in.end() ? TcpState::Closed : it->second;
      now_in[e.sock] = e.to;
      int f = static_cast<int>(prev), t = static_cast<int>(e.to);
      double x = secs(std::clamp(e.t, from, to));
      if (prev != TcpState::Closed) {
        auto* s = get(e.host, f);
        s->append(x, c[f]);
        c[f]--;
        s->append(x, c[f]);
      }
      if (e.to != TcpState::Closed) {
        auto* s = get(e.host, t);
        s->append(x, c[t]);
        c[t]++;
        s->append(x, c[t]);
        ymax = std::max(ymax, c[t]);
      }
    }
    for (auto& [k, s] : series) s->append(secs(to), cnt[k.first][k.second]);
    fit_count_axis(ay, ymax);
    return chart;
  }
  if (name == "seq") {
    chart->setTitle(QCoreApplication::translate("tcpsim::render", "Relative sequence and acknowledgement numbers"));
    auto* ax = time_axis(th, from, to);
    auto* ay = integer_axis(th, QCoreApplication::translate("tcpsim::render", "bytes (relative)"));
    chart->addAxis(ax, Qt::AlignBottom);
    chart->addAxis(ay, Qt::AlignLeft);
    std::map<std::pair<std::uint64_t, int>, QLineSeries*> series;
    double ymax = 1;
    int si = 0;
    auto get = [&](const Event& e, bool ack) {
      std::uint64_t k = (std::uint64_t(e.seg.src_ip) << 32) ^ (std::uint64_t(e.seg.sport) << 16) ^ e.seg.dport;
      auto& p = series[{k, ack}];
      if (!p) {
        p = new QLineSeries;
        QString dir = QString("%1 → %2").arg(QString::fromStdString(endpoint_string(e.seg.src_ip, e.seg.sport)))
                          .arg(QString::fromStdString(endpoint_string(e.seg.dst_ip, e.seg.dport)));
        p->setName(QString("%1 %2").arg(ack ? "ack" : "seq").arg(dir));
        chart->addSeries(p);
        p->attachAxis(ax);
        p->attachAxis(ay);
        style_series(p, th, si++, true);
      }
      return p;
    };
    for (const auto& e : ev) {
      if (e.kind != EventKind::Segment || e.seg_op != SegOp::Send || e.t < from || e.t > to) continue;
      if (series.size() >= 8 && !series.count({(std::uint64_t(e.seg.src_ip) << 32) ^ (std::uint64_t(e.seg.sport) << 16) ^ e.seg.dport, 0}))
        continue;
      double s = v.relative_seq(e) + e.seg.seg_len();
      get(e, false)->append(secs(e.t), s);
      ymax = std::max(ymax, s);
      if (e.seg.flags & kAck) {
        double a = v.relative_ack(e);
        get(e, true)->append(secs(e.t), a);
        ymax = std::max(ymax, a);
      }
    }
    ay->setRange(0, ymax * 1.05 + 1);
    return chart;
  }
  if (name == "cwnd") {
    // Congestion control of each sender (RFC 5681) and its RTT estimate
    // (RFC 6298), from the TCB snapshots: cwnd and ssthresh in bytes on the
    // left, SRTT and RTO in milliseconds on the right. The endpoints that
    // sent data (or the first given one when none did).
    chart->setTitle(QCoreApplication::translate("tcpsim::render", "Congestion window, ssthresh, SRTT and RTO"));
    std::vector<std::uint32_t> socks;
    auto sent_data = [&](std::uint32_t sock) {
      for (const auto& e : ev)
        if (e.sock == sock && e.has_tcb && e.tcb.snd_nxt - e.tcb.iss > 2) return true;
      return false;
    };
    std::vector<std::uint32_t> cand = sockets_in;
    if (cand.empty())
      for (const auto& c : v.connections()) {
        cand.push_back(c.a);
        if (c.b) cand.push_back(c.b);
      }
    for (auto sock : cand)
      if (socks.size() < 2 && sent_data(sock)) socks.push_back(sock);
    if (socks.empty() && !cand.empty()) socks.push_back(cand.front());
    auto* ax = time_axis(th, from, to);
    auto* ay = integer_axis(th, QCoreApplication::translate("tcpsim::render", "bytes"));
    auto* ay2 = new QValueAxis;
    ay2->setTitleText(QCoreApplication::translate("tcpsim::render", "ms"));
    ay2->setLabelFormat("%d");
    ay2->setLabelsFont(th.font(9));
    ay2->setTitleFont(th.font(10, true));
    chart->addAxis(ax, Qt::AlignBottom);
    chart->addAxis(ay, Qt::AlignLeft);
    chart->addAxis(ay2, Qt::AlignRight);
    double bmax = 1, mmax = 1;
    int si = 0;
    Time t0 = -1, t1 = 0;  // first synchronized snapshot, last change
    std::vector<std::pair<QLineSeries*, double>> held;
    for (auto sock : socks) {
      const QString who = socks.size() > 1 ? QString::fromStdString(v.socket_label(sock)) + " " : QString();
      QLineSeries* ser[4];
      const char* what[4] = {QT_TRANSLATE_NOOP("tcpsim::render", "cwnd"),
                             QT_TRANSLATE_NOOP("tcpsim::render", "ssthresh"),
                             QT_TRANSLATE_NOOP("tcpsim::render", "SRTT (ms)"),
                             QT_TRANSLATE_NOOP("tcpsim::render", "RTO (ms)")};
      for (int k = 0; k < 4; ++k) {
        ser[k] = new QLineSeries;
        ser[k]->setName(who + QCoreApplication::translate("tcpsim::render", what[k]));
      }
      // Steps: a value holds until the next snapshot changes it. ssthresh
      // starts once it is finite; SRTT once there is an RTT sample.
      double last[4] = {-1, -1, -1, -1};
      std::vector<QList<QPointF>> pts(4);
      for (const auto& e : ev) {
        if (e.sock != sock || !e.has_tcb || e.t < from || e.t > to) continue;
        const TcbSnapshot& t = e.tcb;
        const bool synced = t.state != TcpState::Closed && t.state != TcpState::Listen &&
                            t.state != TcpState::SynSent && t.state != TcpState::SynReceived;
        if (!synced) continue;
        double val[4] = {static_cast<double>(t.cwnd),
                         t.ssthresh >= kInfiniteSsthresh ? -1.0 : static_cast<double>(t.ssthresh),
                         t.srtt ? t.srtt / 1000.0 : -1.0, t.rto / 1000.0};
        if (t0 < 0) t0 = e.t;
        for (int k = 0; k < 4; ++k) {
          if (val[k] < 0 || val[k] == last[k]) continue;
          if (last[k] >= 0) pts[k].append(QPointF(secs(e.t), last[k]));
          pts[k].append(QPointF(secs(e.t), val[k]));
          last[k] = val[k];
          t1 = std::max(t1, e.t);
          (k < 2 ? bmax : mmax) = std::max(k < 2 ? bmax : mmax, val[k]);
        }
      }
      for (int k = 0; k < 4; ++k) {
        ser[k]->replace(pts[k]);
        held.push_back({ser[k], last[k]});
        chart->addSeries(ser[k]);
        ser[k]->attachAxis(ax);
        ser[k]->attachAxis(k < 2 ? ay : ay2);
        // Line style as well as colour: cwnd solid, ssthresh dashed, SRTT
        // dotted, RTO dash-dot (the "now" line is the dashed vermillion).
        static const Qt::PenStyle kStyle[4] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine};
        const QColor kColour[4] = {th.blue, th.orange, th.green, th.purple};
        QPen pen(kColour[k], th.presentation ? 3.5 : 2.4);
        pen.setStyle(kStyle[k]);
        if (si > 0) pen.setColor(pen.color().darker(140));  // the second sender's lines
        ser[k]->setPen(pen);
      }
      ++si;
    }
    // The window shows where the values change (the transfer), not the
    // whole run: a minute of TIME_WAIT would squash it to a line.
    if (t0 >= 0) {
      const Time span = std::max<Time>(t1 - t0, msec(20));
      const Time lo = std::max(from, t0 - span / 10), hi = std::min(to, t1 + span / 2);
      ax->setRange(secs(lo), secs(std::max(hi, lo + 1000)));
      for (auto& [ser, v] : held)
        if (v >= 0) ser->append(secs(std::max(hi, lo + 1000)), v);
    }
    ay->setRange(0, bmax * 1.15 + 1);
    ay->applyNiceNumbers();
    ay2->setRange(0, mmax * 1.15 + 1);
    ay2->applyNiceNumbers();
    return chart;
  }
  delete chart;
  if (error)
    *error = QString("unknown chart '%1' (expected endpoint, states, seq or cwnd)").arg(QString::fromStdString(name));
  return nullptr;
}

QChart* build_counts_chart(const Scenario& scenario, const CountSeries& cs, const Theme& th, Time from,
                           Time to, QString* error, const CountsChartOptions& opt) {
  (void)scenario;  // the caller titles the chart; kept for a per-scenario look later
  if (cs.samples.empty() || cs.hosts.empty()) {
    if (error) *error = QCoreApplication::translate("tcpsim::render", "no socket counts to draw (empty series)");
    return nullptr;
  }
  if (to == kNever) to = std::max(from, cs.samples.back().t);
  if (to < from) to = from;
  const std::size_t nh = cs.hosts.size();
  // A line: one host (or every host, -1) and one state; CLOSED has none (a
  // closed socket is gone, as in `ss` and the CSV).
  struct Line {
    int host;
    int state;
  };
  auto value = [&](const CountSeries::Sample& smp, const Line& l) {
    if (l.host >= 0) return smp.counts[l.host][l.state];
    std::int64_t v = 0;
    for (std::size_t h = 0; h < nh && h < smp.counts.size(); ++h) v += smp.counts[h][l.state];
    return v;
  };
  auto peak = [&](const CountSeries::Sample& smp, const Line& l) {
    return l.host >= 0 ? smp.peak[l.host][l.state] : smp.total_peak[l.state];
  };
  // The samples in the window, after the last one at or before `from` (the
  // counts at `from`).
  std::size_t first = 0;
  while (first + 1 < cs.samples.size() && cs.samples[first + 1].t <= from) ++first;
  std::size_t last = first;
  while (last + 1 < cs.samples.size() && cs.samples[last + 1].t <= to) ++last;

  std::vector<Line> lines;
  std::int64_t ymax = 1;
  for (int h = opt.per_host ? 0 : -1; h < (opt.per_host ? static_cast<int>(nh) : 0); ++h)
    for (int s = 1; s < kNumTcpStates; ++s) {
      const Line l{h, s};
      std::int64_t m = value(cs.samples[first], l);
      for (std::size_t i = first + 1; i <= last; ++i) m = std::max(m, peak(cs.samples[i], l));
      if (m == 0) continue;
      lines.push_back(l);
      ymax = std::max(ymax, m);
    }

  auto* chart = new QChart;
  chart->setBackgroundBrush(Qt::white);
  chart->setTitleFont(th.font(12, true));
  chart->legend()->setFont(th.font(9.5));
  chart->legend()->setAlignment(Qt::AlignBottom);
  chart->setMargins(QMargins(6, 6, 6, 6));
  chart->setTitle(opt.per_host
                      ? QCoreApplication::translate("tcpsim::render", "Sockets per state on each host")
                      : QCoreApplication::translate("tcpsim::render", "Sockets per state, all hosts"));
  auto* ax = time_axis(th, from, to);
  {  // Ticks on round times (1, 2 or 5 x 10^n s), the range kept to the data.
    const double span = std::max(1e-6, secs(std::max(to, from + 1000) - from));
    double step = std::pow(10.0, std::floor(std::log10(span / 5)));
    if (span / step > 25) step *= 5;
    else if (span / step > 10) step *= 2;
    ax->setTickType(QValueAxis::TicksDynamic);
    ax->setTickAnchor(0);
    ax->setTickInterval(step);
    ax->setLabelFormat(step >= 1 ? "%.0f" : step >= 0.1 ? "%.1f" : step >= 0.01 ? "%.2f" : "%.3f");
  }
  if (cs.resolution > 1)
    ax->setTitleText(QCoreApplication::translate("tcpsim::render", "time (s), counts every %1 (spikes: each interval's peak)")
                         .arg(QString::fromStdString(format_duration(cs.resolution))));
  auto* ay = integer_axis(th, QCoreApplication::translate("tcpsim::render", "sockets"));
  chart->addAxis(ax, Qt::AlignBottom);
  chart->addAxis(ay, Qt::AlignLeft);

  int si = 0;
  for (const Line& l : lines) {
    auto* p = new QLineSeries;
    const QString state = state_name(static_cast<TcpState>(l.state));
    p->setName(l.host >= 0 ? QString("%1 %2").arg(QString::fromStdString(cs.hosts[l.host])).arg(state) : state);
    // Steps as the trace chart draws them: at a sample's time the line
    // climbs to the bucket's peak when it is above both ends, then settles
    // on the sample's counts. Samples that change nothing add no point.
    QList<QPointF> pts;
    std::int64_t cur = value(cs.samples[first], l);
    pts.append(QPointF(secs(from), cur));
    for (std::size_t i = first + 1; i <= last; ++i) {
      const auto& smp = cs.samples[i];
      const std::int64_t v = value(smp, l), pk = peak(smp, l);
      if (v == cur && pk <= cur) continue;
      const double x = secs(smp.t);
      pts.append(QPointF(x, cur));
      if (pk > std::max(cur, v)) pts.append(QPointF(x, pk));
      pts.append(QPointF(x, v));
      cur = v;
    }
    pts.append(QPointF(secs(to), cur));
    p->replace(pts);
    chart->addSeries(p);
    p->attachAxis(ax);
    p->attachAxis(ay);
    style_series(p, th, si++, false);
  }
  fit_count_axis(ay, ymax);
  return chart;
}

void set_chart_cursor(QChart* chart, Time now) {
  QLineSeries* line = nullptr;
  for (auto* s : chart->series())
    if (s->objectName() == "tcpsim-now") line = static_cast<QLineSeries*>(s);
  auto axes_x = chart->axes(Qt::Horizontal);
  auto axes_y = chart->axes(Qt::Vertical);
  if (axes_x.isEmpty() || axes_y.isEmpty()) return;
  auto* ay = axes_y.front();
  double y0 = 0, y1 = 1;
  if (auto* va = qobject_cast<QValueAxis*>(ay)) { y0 = va->min(); y1 = va->max(); }
  if (!line) {
    line = new QLineSeries;
    line->setObjectName("tcpsim-now");
    line->setName(QCoreApplication::translate("tcpsim::render", "now"));
    chart->addSeries(line);
    line->attachAxis(axes_x.front());
    line->attachAxis(ay);
    line->setPen(QPen(QColor(0xD5, 0x5E, 0x00), 2, Qt::DashLine));
  }
  line->replace(QList<QPointF>{QPointF(now / 1e6, y0), QPointF(now / 1e6, y1)});
}

}  // namespace tcpsim::render
