#include "ladder.hpp"

#include <QCoreApplication>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QScrollArea>
#include <QScrollBar>
#include <QVBoxLayout>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace tcpsim::render {

namespace {
constexpr int kMinWidth = 480;

QString short_time(Time t) {
  if (t < sec(1)) return QString::number(t / 1000.0, 'f', t % 1000 ? 3 : 0) + " ms";
  return QString::number(t / 1e6, 'f', 3) + " s";
}

bool is_socket_host_multi(const TraceView& v, int host) {
  int n = 0;
  for (auto s : v.sockets())
    if (auto* si = v.trace().meta.socket(s); si && si->host == host) ++n;
  return n > 1;
}

QString binding_of(const TraceView& v, std::uint32_t sock) {
  QString l = QString::fromStdString(v.socket_label(sock));
  int i = l.indexOf('/');
  return i >= 0 ? l.mid(i + 1) : l;
}

void arrow_head(QPainter& p, QPointF from, QPointF to, double size, QColor c) {
  QLineF l(to, from);
  double a = std::atan2(l.dy(), l.dx());
  QPolygonF tri;
  tri << to << to + QPointF(std::cos(a + 0.4) * size, std::sin(a + 0.4) * size)
      << to + QPointF(std::cos(a - 0.4) * size, std::sin(a - 0.4) * size);
  p.save();
  p.setPen(Qt::NoPen);
  p.setBrush(c);
  p.drawPolygon(tri);
  p.restore();
}
}  // namespace

std::optional<TimeScale> parse_time_scale(const QString& s) {
  if (s == "compressed") return TimeScale::Compressed;
  if (s == "linear") return TimeScale::Linear;
  if (s == "textbook") return TimeScale::Textbook;
  return std::nullopt;
}

QString time_scale_name(TimeScale s) {
  switch (s) {
    case TimeScale::Compressed: return "compressed";
    case TimeScale::Linear: return "linear";
    case TimeScale::Textbook: return "textbook";
  }
  return "compressed";
}

LadderLayout::LadderLayout(const TraceView& v, const Theme& th, LadderOptions o)
    : v_(v), th_(th), o_(o) {
  const auto& ev = v.trace().events;
  first_ = v.cursor_for_time(o.from - 1);
  last_ = o.to == kNever ? ev.size() : v.cursor_for_time(o.to);
  QFont f = th.font(9.5);
  QFontMetricsF fm(f);
  time_col_ = QFontMetricsF(f).horizontalAdvance("60.118 s") + 12;
  line_h_ = fm.height() * 1.25;
  break_h_ = line_h_ * 2.2;
  title_h_ = o.title.isEmpty() ? 0 : th.font(14, true).pixelSize() * 2.2;
  QFontMetricsF hfm(th.font(11, true));
  header_h_ = title_h_ + hfm.height() * 2 + 26;
  legend_h_ = o.legend ? line_h_ * 2.5 : 0;

  // Lifelines.
  int nh = std::max<int>(1, static_cast<int>(v.trace().meta.hosts.size()));
  double w = o.width;
  // Time labels | annotations | arrows | annotations.
  double left = time_col_ + (w - time_col_) * 0.31, right = w - (w - time_col_) * 0.31;
  for (int i = 0; i < nh; ++i)
    host_x_.push_back(nh == 1 ? (left + right) / 2 : left + (right - left) * i / (nh - 1));

  // Annotations.
  std::vector<bool> multi(nh);
  for (int i = 0; i < nh; ++i) multi[i] = is_socket_host_multi(v, i);
  // Name the socket on a state tag only when it is not an end of a connection
  // (a listener) or the host has several connections.
  std::map<int, int> conns_per_host;
  std::set<std::uint32_t> ends;
  for (const auto& c : v.connections())
    for (auto s : {c.a, c.b})
      if (s) {
        ends.insert(s);
        if (auto* si = v.trace().meta.socket(s)) conns_per_host[si->host]++;
      }
  for (std::size_t i = first_; i < last_; ++i) {
    const Event& e = ev[i];
    QString text;
    int kind = 3;
    switch (e.kind) {
      case EventKind::State:
        text = QString("%1%2")
                   .arg(multi[std::min<int>(e.host, nh - 1)] && (!ends.count(e.sock) || conns_per_host[e.host] > 1)
                            ? binding_of(v, e.sock) + ": " : QString())
                   .arg(state_name(e.to));
        kind = 0;
        break;
      case EventKind::Call:
        if (e.call == "epoll_wait" && e.err == 0) break;
        text = QString::fromStdString(call_text(e));
        kind = 1;
        break;
      case EventKind::Timer:
        if (e.timer_op == TimerOp::Fire)
          text = QString("%1 %2").arg(timer_display_name(e.timer)).arg(QCoreApplication::translate("tcpsim::render", "timer fired"));
        else if (e.timer_op == TimerOp::Arm &&
                 (e.timer == TimerKind::TimeWait || e.timer == TimerKind::FinWait2 ||
                  e.timer == TimerKind::Keepalive || e.timer == TimerKind::Linger))
          text = QString("%1 %2 %3").arg(timer_display_name(e.timer)).arg(QCoreApplication::translate("tcpsim::render", "timer"))
                     .arg(QString::fromStdString(format_duration(e.deadline - e.t)));
        kind = 2;
        break;
      case EventKind::Signal:
        text = QString("⚡ %1 %2").arg(e.signo == 13 ? "SIGPIPE" : QString("signal %1").arg(e.signo))
                   .arg(QString::fromStdString(e.text));
        break;
      case EventKind::Process: {
        QString name;
        if (auto* pi = v.trace().meta.process(e.pid)) name = QString::fromStdString(pi->name);
        if (e.proc_op == ProcOp::Start) break;
        text = name + " " + (e.proc_op == ProcOp::Exit ? QCoreApplication::translate("tcpsim::render", "exited") + QString(" (%1)").arg(e.status)
                             : e.proc_op == ProcOp::Killed ? QCoreApplication::translate("tcpsim::render", "killed")
                             : e.proc_op == ProcOp::Crash ? QCoreApplication::translate("tcpsim::render", "crashed") : QCoreApplication::translate("tcpsim::render", "rebooted"));
        break;
      }
      case EventKind::Fault: text = "⚠ " + QString::fromStdString(e.text); break;
      case EventKind::Note: text = QString::fromStdString(e.text); break;
      case EventKind::Segment: break;
    }
    if (!text.isEmpty()) annots_.push_back({i, std::min<int>(e.host, nh - 1), text, kind});
  }

  // Rows: one per distinct time; gaps proportional to time, long ones broken.
  double y = header_h_ + line_h_;
  const double max_gap = line_h_ * 7;
  std::size_t ai = 0;
  for (std::size_t i = first_; i < last_; ++i) {
    Time t = ev[i].t;
    if (!rows_.empty() && rows_.back().t == t) continue;
    Row r;
    r.t = t;
    if (!rows_.empty()) {
      const Row& pr = rows_.back();
      double need = pr.lines * line_h_ + line_h_ * 0.4;
      Time dt = t - pr.t;
      double h = dt / 1000.0 * o.px_per_ms;
      if (h > max_gap) {
        r.break_before = true;
        r.gap = dt;
        h = std::max(need, line_h_ * 1.2) + break_h_;
      } else {
        h = std::max({h, need, line_h_ * 0.5});
      }
      y += h;
    }
    r.y = y;
    rows_.push_back(r);
  }
  // Lines per row per host.
  for (auto& r : rows_) {
    std::vector<int> per(nh, 0);
    while (ai < annots_.size() && ev[annots_[ai].index].t == r.t) {
      per[annots_[ai].host]++;
      ++ai;
    }
    r.lines = *std::max_element(per.begin(), per.end());
  }
  // Second pass: the first pass did not know the line counts.
  y = header_h_ + line_h_;
  for (std::size_t k = 0; k < rows_.size(); ++k) {
    if (k > 0) {
      const Row& pr = rows_[k - 1];
      double need = pr.lines * line_h_ + line_h_ * 0.4;
      Time dt = rows_[k].t - pr.t;
      double h = dt / 1000.0 * o.px_per_ms;
      if (h > max_gap) {
        rows_[k].break_before = true;
        rows_[k].gap = dt;
        h = std::max(need, line_h_ * 1.2) + break_h_;
      } else {
        rows_[k].break_before = false;
        h = std::max({h, need, line_h_ * 0.5});
      }
      y += h;
    }
    rows_[k].y = y;
  }
  double bottom = rows_.empty() ? y : rows_.back().y + rows_.back().lines * line_h_ + line_h_ * 2;
  size_ = QSizeF(w, bottom + legend_h_);
  // The tallest arrow, so paint() can start at the first arrow that may reach the view.
  for (const auto& a : v.arrows()) {
    const std::ptrdiff_t end = a.deliver >= 0 ? a.deliver : a.drop;
    if (end >= 0) max_span_ = std::max(max_span_, y_of(ev[end].t) - y_of(ev[a.send].t));
  }
}

int LadderLayout::row_of(Time t) const {
  auto it = std::upper_bound(rows_.begin(), rows_.end(), t, [](Time x, const Row& r) { return x < r.t; });
  return static_cast<int>(it - rows_.begin()) - 1;
}

double LadderLayout::y_of(Time t) const {
  if (rows_.empty()) return header_h_ + line_h_;
  int k = row_of(t);
  if (k < 0) return rows_.front().y;
  if (k + 1 >= static_cast<int>(rows_.size())) {
    return rows_.back().y + std::min(double(t - rows_.back().t) / 1000.0 * o_.px_per_ms, line_h_ * 2);
  }
  const Row& a = rows_[k];
  const Row& b = rows_[k + 1];
  double f = double(t - a.t) / double(std::max<Time>(1, b.t - a.t));
  return a.y + (b.y - a.y) * f;
}

double LadderLayout::lifeline_x(int host) const {
  if (host < 0 || host >= static_cast<int>(host_x_.size())) return host_x_.empty() ? 0 : host_x_.back();
  return host_x_[host];
}

int LadderLayout::drawn_arrows(std::size_t cursor) const {
  int n = 0;
  for (const auto& a : v_.arrows())
    if (a.send >= first_ && a.send < last_ && a.send < cursor) ++n;
  return n;
}

QLineF LadderLayout::arrow_line(const SegArrow& a, std::size_t cursor, Time now, bool* partial) const {
  const auto& ev = v_.trace().events;
  const Event& s = ev[a.send];
  double x0 = lifeline_x(a.from_host);
  double x1 = a.to_host >= 0 ? lifeline_x(a.to_host) : x0 + (x0 < size_.width() / 2 ? 200 : -200);
  double y0 = y_of(s.t);
  QPointF p0(x0, y0), p1;
  *partial = false;
  if (a.deliver >= 0 && static_cast<std::size_t>(a.deliver) < last_) {
    p1 = QPointF(x1, y_of(ev[a.deliver].t));
    if (static_cast<std::size_t>(a.deliver) >= cursor) {
      double f = double(now - s.t) / double(std::max<Time>(1, ev[a.deliver].t - s.t));
      f = std::clamp(f, 0.04, 0.98);
      p1 = p0 + (p1 - p0) * f;
      *partial = true;
    }
  } else if (a.drop >= 0) {
    double yd = std::max(y_of(ev[a.drop].t), y0 + line_h_ * 1.6);
    p1 = QPointF(x0 + (x1 - x0) * 0.55, yd);
    if (static_cast<std::size_t>(a.drop) >= cursor) {
      p1 = p0 + (p1 - p0) * 0.3;
      *partial = true;
    }
  } else {
    // Still in flight at the end of the window.
    p1 = QPointF(x0 + (x1 - x0) * 0.5, y0 + line_h_ * 1.6);
    *partial = true;
  }
  return QLineF(p0, p1);
}

void LadderLayout::paint(QPainter& p, std::size_t cursor, Time now, int selected, bool show_cursor) const {
  const auto& ev = v_.trace().events;
  const auto& meta = v_.trace().meta;
  p.save();
  p.setRenderHint(QPainter::Antialiasing);
  p.setRenderHint(QPainter::TextAntialiasing);
  QFont f = th_.font(9.5);
  QFont fb = th_.font(9.5, true);
  QFontMetricsF fm(f);
  double lw = th_.presentation ? 2.6 : 1.6;

  if (!o_.title.isEmpty()) {
    p.setFont(th_.font(14, true));
    p.setPen(th_.black);
    p.drawText(QRectF(0, 4, size_.width(), title_h_), Qt::AlignCenter, o_.title);
  }
  double bottom = size_.height() - legend_h_ - line_h_;
  // Host headers and lifelines.
  for (std::size_t h = 0; h < host_x_.size(); ++h) {
    double x = host_x_[h];
    QString name = h < meta.hosts.size() ? QString::fromStdString(meta.hosts[h].name) : "?";
    QString ip = h < meta.hosts.size() ? QString::fromStdString(ip_string(meta.hosts[h].ip)) : "";
    QFont hf = th_.font(11, true);
    QFontMetricsF hfm(hf);
    double bw = std::max(hfm.horizontalAdvance(name), hfm.horizontalAdvance(ip)) + 30;
    QRectF r(x - bw / 2, title_h_ + 8, bw, hfm.height() * 2 + 10);
    p.setPen(QPen(th_.black, 1.5));
    p.setBrush(h == 0 ? th_.visited_fill : QColor(0xFD, 0xEB, 0xC8));
    p.drawRoundedRect(r, 6, 6);
    p.setFont(hf);
    p.drawText(r.adjusted(0, 4, 0, -hfm.height() - 4), Qt::AlignHCenter | Qt::AlignTop, name);
    p.setFont(th_.font(9.5));
    p.drawText(r.adjusted(0, hfm.height() + 4, 0, -4), Qt::AlignCenter, ip);
    p.setPen(QPen(QColor(0x55, 0x55, 0x55), lw + 0.6));
    p.drawLine(QPointF(x, r.bottom()), QPointF(x, bottom));
  }

  // Only what the painter's clip shows is drawn: a big trace scrolls and plays
  // at the cost of the visible part (bench/gui_bench.cpp).
  const QRectF vis = (p.hasClipping() ? p.clipBoundingRect() : QRectF(QPointF(0, 0), size_))
                         .adjusted(-40, -4 * line_h_ - break_h_, 40, 4 * line_h_ + break_h_);
  // Breaks (compressed idle time) and time labels.
  double last_label_y = -1e9;
  p.setFont(f);
  for (std::size_t k = 0; k < rows_.size(); ++k) {
    const Row& r = rows_[k];
    if (r.y < vis.top() || r.y > vis.bottom()) continue;
    bool reached = k == 0 || v_.cursor_for_time(r.t - 1) < cursor || cursor >= ev.size();
    if (r.break_before && k > 0) {
      double yb = r.y - break_h_ * 0.75;
      // A zigzag across each lifeline and a label with the skipped time.
      p.setPen(QPen(th_.grey, 1.5));
      for (double x : host_x_) {
        p.setBrush(Qt::white);
        p.setPen(Qt::NoPen);
        p.drawRect(QRectF(x - 12, yb - 6, 24, 12));
        p.setPen(QPen(QColor(0x55, 0x55, 0x55), lw));
        QPainterPath zz;
        zz.moveTo(x - 12, yb - 6);
        zz.lineTo(x - 4, yb - 10);
        zz.lineTo(x + 4, yb - 2);
        zz.lineTo(x + 12, yb - 6);
        zz.moveTo(x - 12, yb + 6);
        zz.lineTo(x - 4, yb + 2);
        zz.lineTo(x + 4, yb + 10);
        zz.lineTo(x + 12, yb + 6);
        p.setBrush(Qt::NoBrush);
        p.drawPath(zz);
      }
      p.setPen(QPen(th_.grey, 1, Qt::DotLine));
      p.drawLine(QPointF(time_col_, yb), QPointF(size_.width() - 10, yb));
      QString txt = QString("≈ %1 %2").arg(QString::fromStdString(format_duration(r.gap))).arg(QCoreApplication::translate("tcpsim::render", "later"));
      double tw = fm.horizontalAdvance(txt) + 12;
      double cx = host_x_.size() >= 2 ? (host_x_[0] + host_x_[1]) / 2 : host_x_[0] + 80;
      QRectF tr(cx - tw / 2, yb - fm.height() / 2 - 1, tw, fm.height() + 2);
      p.setPen(QPen(th_.grey, 1));
      p.setBrush(th_.light);
      p.drawRoundedRect(tr, 4, 4);
      p.setPen(th_.black);
      p.drawText(tr, Qt::AlignCenter, txt);
    }
    if (reached && r.y - last_label_y >= line_h_ * 0.95) {
      p.setPen(QColor(0x44, 0x44, 0x44));
      p.setFont(f);
      p.drawText(QRectF(0, r.y - fm.height() / 2, time_col_ - 6, fm.height()), Qt::AlignRight | Qt::AlignVCenter,
                 short_time(r.t));
      p.setPen(QPen(QColor(0xDD, 0xDD, 0xDD), 1));
      p.drawLine(QPointF(time_col_ - 4, r.y), QPointF(time_col_, r.y));
      last_label_y = r.y;
    }
  }

  // Annotations on lifelines.
  std::map<std::pair<Time, int>, int> slot;
  // Annotations are in time order: start at the first one that can be visible.
  auto first_annot = std::partition_point(annots_.begin(), annots_.end(), [&](const Annot& a) {
    return y_of(ev[a.index].t) < vis.top();
  });
  for (auto it = first_annot; it != annots_.end(); ++it) {
    const Annot& a = *it;
    const Event& e = ev[a.index];
    if (y_of(e.t) > vis.bottom()) break;
    const double y0 = y_of(e.t);
    if (y0 < vis.top() || y0 > vis.bottom()) continue;
    int n = slot[{e.t, a.host}]++;
    if (a.index >= cursor) continue;
    double x = lifeline_x(a.host);
    double y = y0 + n * line_h_ + 1;
    bool left = a.host == 0 && host_x_.size() > 1;
    double maxw = left ? x - time_col_ - 4 : size_.width() - x - 10;
    QFont af = a.kind == 0 ? fb : f;
    if (a.kind == 0) {  // a state name is shrunk to fit rather than cut
      int min_px = af.pixelSize() * 7 / 10;
      while (af.pixelSize() > min_px && QFontMetricsF(af).horizontalAdvance(a.text) > maxw - 14)
        af.setPixelSize(af.pixelSize() - 1);
    }
    p.setFont(af);
    QFontMetricsF afm(af);
    QString text = afm.elidedText(a.text, Qt::ElideRight, maxw - 14);
    double tw = afm.horizontalAdvance(text) + 12;
    QRectF r = left ? QRectF(x - 8 - tw, y, tw, afm.height() + 2) : QRectF(x + 8, y, tw, afm.height() + 2);
    if (a.kind == 0) {  // state change: a filled tag with a tick on the lifeline
      p.setPen(QPen(th_.black, 1.2));
      p.setBrush(e.to == TcpState::Closed ? th_.light
                 : e.to == TcpState::Established ? QColor(0xCC, 0xEE, 0xE2)
                 : (e.to == TcpState::TimeWait || e.to == TcpState::CloseWait) ? th_.current_fill
                 : th_.visited_fill);
      p.drawRoundedRect(r, 4, 4);
      p.drawLine(QPointF(left ? r.right() : r.left(), r.center().y()), QPointF(x, r.center().y()));
      p.setPen(th_.black);
    } else if (a.kind == 1) {
      bool err = e.err != 0;
      p.setPen(err ? th_.vermillion.darker(130) : QColor(0x20, 0x20, 0x60));
      if (err) {
        QFont ef = fb;
        p.setFont(ef);
      }
    } else {
      p.setPen(QColor(0x50, 0x50, 0x50));
    }
    p.drawText(r, Qt::AlignCenter, text);
  }

  // Segment arrows.
  const auto& arrows = v_.arrows();
  const auto first_arrow = std::partition_point(arrows.begin(), arrows.end(), [&](const SegArrow& a) {
    return y_of(ev[a.send].t) + max_span_ < vis.top();
  });
  int ai = static_cast<int>(first_arrow - arrows.begin());
  for (auto it = first_arrow; it != arrows.end(); ++it) {
    const SegArrow& a = *it;
    int idx = ai++;
    if (y_of(ev[a.send].t) > vis.bottom()) break;
    if (a.send < first_ || a.send >= last_ || a.send >= cursor) continue;
    const Event& s = ev[a.send];
    bool partial = false;
    QLineF l = arrow_line(a, cursor, now, &partial);
    if (std::max(l.y1(), l.y2()) < vis.top() || std::min(l.y1(), l.y2()) > vis.bottom()) continue;
    bool rst = s.seg.flags & kRst;
    bool dropped = a.drop >= 0 && static_cast<std::size_t>(a.drop) < cursor;
    QColor c = rst ? th_.vermillion : (a.from_host == 0 ? th_.blue : QColor(0x9A, 0x5B, 0x00));
    if (idx == selected) {
      p.setPen(QPen(QColor(0xF0, 0xE4, 0x42, 200), lw + 8, Qt::SolidLine, Qt::RoundCap));
      p.drawLine(l);
    }
    QPen pen(c, rst ? lw + 1.2 : lw + 0.4);
    if (s.retrans) pen.setStyle(Qt::DashLine);
    p.setPen(pen);
    p.drawLine(l);
    if (!partial && !dropped) arrow_head(p, l.p1(), l.p2(), 10 + lw, c);
    if (partial) {
      p.setPen(Qt::NoPen);
      p.setBrush(c);
      p.drawEllipse(l.p2(), 4 + lw, 4 + lw);
    }
    if (dropped) {
      QPointF x = l.p2();
      double d = 8 + lw;
      p.setPen(QPen(th_.vermillion, lw + 1.6));
      p.drawLine(x + QPointF(-d, -d), x + QPointF(d, d));
      p.drawLine(x + QPointF(-d, d), x + QPointF(d, -d));
      QString why = QCoreApplication::translate("tcpsim::render", "dropped");
      const Event& de = ev[a.drop];
      if (!de.text.empty()) why += ": " + QString::fromStdString(de.text);
      // Beside the cross, on the side the segment was heading to, on one
      // line (below it the next row's gap marker would collide), elided to
      // the room left and on a white box so lifelines do not cross it.
      const bool rightwards = l.dx() >= 0;
      const double gap = d + 6;
      const double room = rightwards ? size_.width() - 10 - (x.x() + gap) : x.x() - gap - time_col_;
      why = fm.elidedText(why, Qt::ElideRight, std::max(40.0, room));
      const double tw = fm.horizontalAdvance(why) + 6;
      QRectF box(rightwards ? x.x() + gap : x.x() - gap - tw, x.y() - fm.height() / 2 - 1, tw, fm.height() + 2);
      p.setPen(Qt::NoPen);
      p.setBrush(QColor(255, 255, 255, 225));
      p.drawRoundedRect(box, 3, 3);
      p.setFont(f);
      p.setPen(th_.vermillion.darker(130));
      p.drawText(box, Qt::AlignCenter, why);
    }
    // Label along the arrow, upright.
    QString label = QString::fromStdString(v_.segment_label(s));
    if (s.retrans) label += " ⟲ " + QCoreApplication::translate("tcpsim::render", "retransmission");
    QLineF full = l;
    if (partial) {
      bool pp = false;
      QLineF whole = arrow_line(a, ev.size(), kNever, &pp);
      full = whole;
    }
    double ang = std::atan2(full.dy(), full.dx()) * 180 / M_PI;
    bool flip = full.dx() < 0;
    QPointF mid = full.pointAt(0.5);
    p.save();
    p.translate(mid);
    p.rotate(flip ? ang + 180 : ang);
    QFont lf = rst || s.retrans ? fb : f;
    p.setFont(lf);
    QFontMetricsF lfm(lf);
    double tw = lfm.horizontalAdvance(label);
    QRectF tr(-tw / 2 - 3, -lfm.height() - 2, tw + 6, lfm.height());
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(255, 255, 255, 215));
    p.drawRect(tr);
    p.setPen(c.darker(125));
    p.drawText(tr, Qt::AlignCenter, label);
    p.restore();
  }

  // Cursor line.
  if (show_cursor && cursor < ev.size() + 1) {
    double y = y_of(now);
    p.setPen(QPen(th_.vermillion, lw + 0.8, Qt::DashLine));
    p.drawLine(QPointF(2, y), QPointF(size_.width() - 2, y));
    QString t = "▶ " + short_time(now);
    p.setFont(fb);
    double tw = fm.horizontalAdvance(t) + 14;
    QRectF r(2, y - fm.height() - 3, tw, fm.height() + 2);
    p.setPen(Qt::NoPen);
    p.setBrush(th_.vermillion);
    p.drawRoundedRect(r, 3, 3);
    p.setPen(Qt::white);
    p.drawText(r, Qt::AlignCenter, t);
  }

  if (o_.legend) {
    double y = size_.height() - legend_h_ + line_h_ * 0.5;
    p.setFont(f);
    double x = 20;
    auto sample = [&](QColor c, Qt::PenStyle st, bool cross, const QString& txt) {
      p.setPen(QPen(c, lw + 0.4, st));
      p.drawLine(QPointF(x, y), QPointF(x + 40, y));
      if (cross) {
        p.setPen(QPen(th_.vermillion, lw + 1));
        p.drawLine(QPointF(x + 34, y - 6), QPointF(x + 46, y + 6));
        p.drawLine(QPointF(x + 34, y + 6), QPointF(x + 46, y - 6));
      } else {
        arrow_head(p, QPointF(x, y), QPointF(x + 40, y), 10, c);
      }
      p.setPen(th_.black);
      double tw = fm.horizontalAdvance(txt);
      p.drawText(QRectF(x + 50, y - fm.height() / 2, tw + 4, fm.height()), Qt::AlignVCenter, txt);
      x += 50 + tw + 30;
    };
    sample(th_.blue, Qt::SolidLine, false, QCoreApplication::translate("tcpsim::render", "segment (flags seq ack len, relative)"));
    sample(th_.blue, Qt::DashLine, false, QCoreApplication::translate("tcpsim::render", "retransmission"));
    sample(th_.grey, Qt::SolidLine, true, QCoreApplication::translate("tcpsim::render", "dropped"));
    sample(th_.vermillion, Qt::SolidLine, false, QCoreApplication::translate("tcpsim::render", "reset (R)"));
    p.setPen(th_.black);
    p.drawText(QRectF(20, y + line_h_ * 0.6, size_.width() - 40, fm.height()), Qt::AlignVCenter,
               QCoreApplication::translate("tcpsim::render", "≈ marks compressed idle time; boxes on lifelines are TCP states"));
  }
  p.restore();
}

int LadderLayout::arrow_at(QPointF pt, std::size_t cursor, Time now) const {
  int best = -1;
  double bd = 10;
  int i = 0;
  for (const auto& a : v_.arrows()) {
    int idx = i++;
    if (a.send < first_ || a.send >= last_ || a.send >= cursor) continue;
    bool partial;
    QLineF l = arrow_line(a, cursor, now, &partial);
    // Distance from pt to the segment.
    QPointF d = l.p2() - l.p1();
    double len2 = d.x() * d.x() + d.y() * d.y();
    double t = len2 > 0 ? ((pt - l.p1()).x() * d.x() + (pt - l.p1()).y() * d.y()) / len2 : 0;
    t = std::clamp(t, 0.0, 1.0);
    QPointF q = l.p1() + d * t;
    double dist = QLineF(q, pt).length();
    if (dist < bd) { bd = dist; best = idx; }
  }
  return best;
}

// ---- widget ----
class LadderWidget::Canvas : public QWidget {
 public:
  explicit Canvas(LadderWidget* w) : QWidget(w), w_(w) { setMouseTracking(false); }
  void paintEvent(QPaintEvent*) override {
    QPainter p(this);
    p.fillRect(rect(), Qt::white);
    if (w_->layout_) w_->layout_->paint(p, w_->cursor_, w_->now_, w_->selected_, true);
  }
  LadderWidget* w_;
};

LadderWidget::LadderWidget(QWidget* parent) : QWidget(parent) {
  auto* lay = new QVBoxLayout(this);
  lay->setContentsMargins(0, 0, 0, 0);
  scroll_ = new QScrollArea(this);
  scroll_->setWidgetResizable(false);
  scroll_->setBackgroundRole(QPalette::Base);
  canvas_ = new Canvas(this);
  scroll_->setWidget(canvas_);
  lay->addWidget(scroll_);
  canvas_->installEventFilter(this);
  scroll_->viewport()->installEventFilter(this);
}

void LadderWidget::setView(std::shared_ptr<const TraceView> v) {
  view_ = std::move(v);
  selected_ = -1;
  cursor_ = 0;
  now_ = 0;
  relayout();
}
void LadderWidget::setTheme(const Theme& t) {
  theme_ = t;
  relayout();
}
void LadderWidget::setTimeScale(TimeScale s) {
  scale_ = s;
  relayout();
}
void LadderWidget::relayout() {
  if (!view_) {
    layout_.reset();
    return;
  }
  LadderOptions o;
  o.scale = scale_;
  o.px_per_ms = px_per_ms_;
  o.width = std::max(double(kMinWidth), double(scroll_->viewport()->width()));
  layout_ = std::make_unique<LadderLayout>(*view_, theme_, o);
  canvas_->resize(layout_->size().toSize());
  canvas_->update();
}
void LadderWidget::setCursor(std::size_t cursor, Time now) {
  cursor_ = cursor;
  now_ = now;
  canvas_->update();
  ensureCursorVisible();
}
void LadderWidget::setSelectedArrow(int a) {
  selected_ = a;
  canvas_->update();
}
void LadderWidget::zoom(double factor) {
  px_per_ms_ = std::clamp(px_per_ms_ * factor, 0.5, 2000.0);
  relayout();
  ensureCursorVisible();
}
int LadderWidget::drawnArrows() const { return layout_ ? layout_->drawn_arrows(cursor_) : 0; }
void LadderWidget::ensureCursorVisible() {
  if (!layout_) return;
  int y = static_cast<int>(layout_->y_of(now_));
  scroll_->ensureVisible(canvas_->width() / 2, y, 10, scroll_->viewport()->height() / 3);
}

bool LadderWidget::eventFilter(QObject* o, QEvent* e) {
  if (o == scroll_->viewport() && e->type() == QEvent::Resize && layout_ &&
      std::abs(layout_->size().width() - std::max(kMinWidth, scroll_->viewport()->width())) > 1) {
    relayout();
  }
  if (o == canvas_ || o == scroll_->viewport()) {
    if (e->type() == QEvent::Wheel) {
      auto* we = static_cast<QWheelEvent*>(e);
      if (we->modifiers() & Qt::ControlModifier) {
        zoom(we->angleDelta().y() > 0 ? 1.25 : 0.8);
        return true;
      }
    } else if (e->type() == QEvent::MouseButtonPress) {
      auto* me = static_cast<QMouseEvent*>(e);
      drag_start_ = me->globalPosition().toPoint();
      dragging_ = false;
      return true;
    } else if (e->type() == QEvent::MouseMove) {
      auto* me = static_cast<QMouseEvent*>(e);
      if (me->buttons() & Qt::LeftButton) {
        QPoint d = me->globalPosition().toPoint() - drag_start_;
        if (d.manhattanLength() > 3) dragging_ = true;
        if (dragging_) {
          scroll_->horizontalScrollBar()->setValue(scroll_->horizontalScrollBar()->value() - d.x());
          scroll_->verticalScrollBar()->setValue(scroll_->verticalScrollBar()->value() - d.y());
          drag_start_ = me->globalPosition().toPoint();
        }
        return true;
      }
    } else if (e->type() == QEvent::MouseButtonRelease && o == canvas_) {
      auto* me = static_cast<QMouseEvent*>(e);
      if (!dragging_ && layout_) {
        int a = layout_->arrow_at(me->position(), cursor_, now_);
        if (a >= 0) {
          selected_ = a;
          canvas_->update();
          Q_EMIT arrowClicked(a);
        }
      }
      dragging_ = false;
      return true;
    }
  }
  return QWidget::eventFilter(o, e);
}

}  // namespace tcpsim::render
