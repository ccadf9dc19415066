#include "state_diagram.hpp"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <QPainterPath>
#include <cmath>

namespace tcpsim::render {

namespace {

QPointF point_along(const QVector<QPointF>& pts, double frac) {
  if (pts.size() < 2) return pts.isEmpty() ? QPointF() : pts[0];
  double total = 0;
  for (int i = 1; i < pts.size(); ++i) total += QLineF(pts[i - 1], pts[i]).length();
  double want = total * std::clamp(frac, 0.0, 1.0);
  for (int i = 1; i < pts.size(); ++i) {
    double len = QLineF(pts[i - 1], pts[i]).length();
    if (want <= len || i == pts.size() - 1) {
      double f = len > 0 ? std::min(1.0, want / len) : 0;
      return pts[i - 1] + (pts[i] - pts[i - 1]) * f;
    }
    want -= len;
  }
  return pts.back();
}

// Where the segment from the centre of r towards `to` leaves r.
QPointF edge_point(const QRectF& r, QPointF to) {
  QPointF c = r.center();
  QPointF d = to - c;
  if (std::abs(d.x()) < 1e-9 && std::abs(d.y()) < 1e-9) return c;
  double sx = d.x() != 0 ? (r.width() / 2) / std::abs(d.x()) : 1e9;
  double sy = d.y() != 0 ? (r.height() / 2) / std::abs(d.y()) : 1e9;
  double s = std::min(sx, sy);
  return c + d * s;
}

void arrow_head(QPainter& p, QPointF from, QPointF to, double size) {
  QLineF l(to, from);
  double a = std::atan2(l.dy(), l.dx());
  QPointF p1 = to + QPointF(std::cos(a + 0.45) * size, std::sin(a + 0.45) * size);
  QPointF p2 = to + QPointF(std::cos(a - 0.45) * size, std::sin(a - 0.45) * size);
  QPolygonF tri;
  tri << to << p1 << p2;
  p.save();
  p.setBrush(p.pen().color());
  QPen pen = p.pen();
  pen.setStyle(Qt::SolidLine);
  p.setPen(pen);
  p.drawPolygon(tri);
  p.restore();
}
}  // namespace

bool DiagramLayout::load_json(const QByteArray& json, QString* error) {
  QJsonParseError pe;
  auto doc = QJsonDocument::fromJson(json, &pe);
  if (doc.isNull()) {
    if (error) *error = pe.errorString();
    return false;
  }
  auto o = doc.object();
  auto cv = o["canvas"].toObject();
  canvas = QSizeF(cv["width"].toDouble(1000), cv["height"].toDouble(1000));
  auto bx = o["box"].toObject();
  box = QSizeF(bx["width"].toDouble(160), bx["height"].toDouble(56));
  boxes.clear();
  arrows.clear();
  for (const auto& v : o["boxes"].toArray()) {
    auto b = v.toObject();
    auto st = parse_state(b["state"].toString().toStdString());
    if (!st) {
      if (error) *error = "unknown state " + b["state"].toString();
      return false;
    }
    boxes.push_back({b["id"].toString(), *st, QPointF(b["x"].toDouble(), b["y"].toDouble())});
  }
  for (const auto& v : o["arrows"].toArray()) {
    auto a = v.toObject();
    DiagramArrow d;
    d.from = a["from"].toString();
    d.to = a["to"].toString();
    int fi = box_index(d.from), ti = box_index(d.to);
    if (fi < 0 || ti < 0) {
      if (error) *error = "arrow between unknown boxes " + d.from + " -> " + d.to;
      return false;
    }
    d.from_state = boxes[fi].state;
    d.to_state = boxes[ti].state;
    d.event = a["event"].toString();
    d.action = a["action"].toString();
    d.event_zh = a["event_zh"].toString(d.event);
    d.action_zh = a["action_zh"].toString(d.action);
    for (const auto& p : a["points"].toArray()) {
      auto pa = p.toArray();
      d.pts.push_back(QPointF(pa[0].toDouble(), pa[1].toDouble()));
    }
    d.label = QPointF(a["lx"].toDouble(), a["ly"].toDouble());
    arrows.push_back(d);
  }
  return true;
}

const DiagramLayout& DiagramLayout::standard() {
  static DiagramLayout l = [] {
    DiagramLayout d;
    QFile f(":/tcpsim/diagram/rfc793.json");
    QString err;
    if (!f.open(QIODevice::ReadOnly) || !d.load_json(f.readAll(), &err))
      qWarning("tcpsim: cannot load the state diagram layout (%s)", qPrintable(err));
    return d;
  }();
  return l;
}

int DiagramLayout::box_index(const QString& id) const {
  for (std::size_t i = 0; i < boxes.size(); ++i)
    if (boxes[i].id == id) return static_cast<int>(i);
  return -1;
}
int DiagramLayout::first_box(TcpState s) const {
  for (std::size_t i = 0; i < boxes.size(); ++i)
    if (boxes[i].state == s) return static_cast<int>(i);
  return -1;
}
int DiagramLayout::nearest_box(TcpState s, QPointF from) const {
  int best = -1;
  double bd = 1e18;
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    if (boxes[i].state != s) continue;
    double d = QLineF(boxes[i].c, from).length();
    if (d < bd) { bd = d; best = static_cast<int>(i); }
  }
  return best;
}
QRectF DiagramLayout::box_rect(int i) const {
  QPointF c = boxes[i].c;
  return QRectF(c.x() - box.width() / 2, c.y() - box.height() / 2, box.width(), box.height());
}

DiagramState diagram_state(const TraceView& v, std::uint32_t sock, std::size_t cursor, Time now) {
  DiagramState s;
  QString label = QString::fromStdString(v.socket_label(sock));
  s.title = label;
  s.path = v.transitions(sock, cursor);
  s.current = v.state_at(sock, cursor);
  if (const Event* e = v.tcb_at(sock, cursor)) {
    s.orphan = e->tcb.orphan;
    if (s.current && *s.current != TcpState::Closed) {
      for (int k = 0; k < kNumTimerKinds; ++k) {
        Time d = e->tcb.timers[k];
        if (d <= 0) continue;
        Time left = std::max<Time>(0, d - now);
        s.timers << QString("%1 %2").arg(timer_display_name(static_cast<TimerKind>(k)))
                        .arg(QString::fromStdString(format_duration(left)));
      }
    }
  }
  return s;
}

ResolvedPath resolve_path(const DiagramLayout& l, const DiagramState& s) {
  ResolvedPath r;
  if (s.path.empty() || l.boxes.empty()) return r;
  int cur = l.first_box(s.path.front().from);
  if (cur < 0) cur = 0;
  r.boxes.push_back(cur);
  for (const auto& t : s.path) {
    const DiagramArrow* found = nullptr;
    for (const auto& a : l.arrows)
      if (a.from == l.boxes[cur].id && a.to_state == t.to) { found = &a; break; }
    if (!found)
      for (const auto& a : l.arrows)
        if (a.from_state == t.from && a.to_state == t.to) { found = &a; break; }
    if (found) {
      r.arrows.push_back(*found);
      cur = l.box_index(found->to);
    } else {
      int to = l.nearest_box(t.to, l.boxes[cur].c);
      if (to < 0) to = cur;
      DiagramArrow d;
      d.dynamic = true;
      d.from = l.boxes[cur].id;
      d.to = l.boxes[to].id;
      d.from_state = t.from;
      d.to_state = t.to;
      d.event = d.event_zh = QString::fromStdString(t.cause);
      QRectF a = l.box_rect(cur), b = l.box_rect(to);
      if (to == cur) {  // a self-loop: draw it over the box's top right corner
        QPointF o = a.topRight();
        d.pts = {o + QPointF(-30, 0), o + QPointF(-30, -30), o + QPointF(20, -30),
                 o + QPointF(20, 10), o + QPointF(0, 10)};
      } else {
        // Offset a little from the centre line so it does not hide a data-file arrow.
        QPointF off(8, 8);
        d.pts = {edge_point(a, b.center() + off), edge_point(b, a.center() + off)};
      }
      d.label = (d.pts.front() + d.pts.back()) / 2 + QPointF(0, -14);
      r.arrows.push_back(d);
      cur = to;
    }
    r.boxes.push_back(cur);
  }
  r.current_box = cur;
  return r;
}

namespace {
void draw_label(QPainter& p, const DiagramArrow& a, const Theme& th, const QFont& f, QColor c,
                bool bold_bg) {
  QString ev = th.zh() ? a.event_zh : a.event;
  QString ac = th.zh() ? a.action_zh : a.action;
  p.setFont(f);
  QFontMetricsF fm(f);
  double w = std::max(fm.horizontalAdvance(ev), fm.horizontalAdvance(ac)) + 6;
  double h = fm.height();
  QRectF r1(a.label.x() - w / 2, a.label.y() - h, w, h);
  QRectF r2(a.label.x() - w / 2, a.label.y() + 1, w, h);
  if (bold_bg) {
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(255, 255, 255, 225));
    p.drawRect(a.dynamic || ac.isEmpty() ? r1 : r1.united(r2));
  }
  p.setPen(c);
  p.drawText(r1, Qt::AlignCenter, ev);
  if (!a.dynamic && !ac.isEmpty()) {
    p.drawLine(QPointF(a.label.x() - w / 2 + 4, a.label.y()), QPointF(a.label.x() + w / 2 - 4, a.label.y()));
    p.drawText(r2, Qt::AlignCenter, ac);
  }
}

void draw_poly(QPainter& p, const QVector<QPointF>& pts, double head) {
  for (int i = 1; i < pts.size(); ++i) p.drawLine(pts[i - 1], pts[i]);
  if (pts.size() >= 2) arrow_head(p, pts[pts.size() - 2], pts.back(), head);
}

void badge(QPainter& p, QPointF c, const QString& text, QColor bg, const QFont& f, double r) {
  p.setFont(f);
  QFontMetricsF fm(f);
  double w = std::max(2 * r, fm.horizontalAdvance(text) + r);
  QRectF rr(c.x() - w / 2, c.y() - r, w, 2 * r);
  p.setPen(QPen(Qt::white, 1.5));
  p.setBrush(bg);
  p.drawRoundedRect(rr, r, r);
  p.setPen(Qt::white);
  p.drawText(rr, Qt::AlignCenter, text);
}
}  // namespace

void paint_state_diagram(QPainter& p, const QRectF& target, const DiagramLayout& l,
                         const DiagramState& s, const Theme& th) {
  p.save();
  p.setRenderHint(QPainter::Antialiasing);
  p.setRenderHint(QPainter::TextAntialiasing);
  // Title line above the canvas.
  QFont tf = th.font(11, true);
  QFontMetricsF tfm(tf);
  double title_h = tfm.height() * 1.6;
  QString title = s.title;
  if (s.current)
    title += QString("  —  %1").arg(state_rfc_name(*s.current));
  else
    title += QString("  —  %1").arg(QCoreApplication::translate("tcpsim::render", "not created yet"));
  if (s.orphan && s.current && *s.current != TcpState::Closed) title += "  " + QCoreApplication::translate("tcpsim::render", "(orphan: no fd)");
  while (tf.pixelSize() > 8 && QFontMetricsF(tf).horizontalAdvance(title) > target.width() - 8)
    tf.setPixelSize(tf.pixelSize() - 1);
  p.setFont(tf);
  p.setPen(th.black);
  p.drawText(QRectF(target.left(), target.top(), target.width(), title_h),
             Qt::AlignHCenter | Qt::AlignVCenter, title);

  QRectF area(target.left(), target.top() + title_h, target.width(), target.height() - title_h);
  double sc = std::min(area.width() / l.canvas.width(), area.height() / l.canvas.height());
  if (sc <= 0) { p.restore(); return; }
  p.translate(area.left() + (area.width() - l.canvas.width() * sc) / 2, area.top());
  p.scale(sc, sc);
  // Sizes below are in canvas units; keep text readable on small widgets.
  double ts = std::max(1.0, 0.55 / sc);
  ts = std::min(ts, 1.6);
  // Presentation mode enlarges text, but never so much that labels collide.
  double fscale = std::min(th.scale * ts, 1.75);
  auto font = [&](double px, bool bold) {
    QFont f = th.font(10, bold);
    f.setPixelSize(std::max(1, int(std::lround(px * fscale))));
    return f;
  };

  ResolvedPath rp = resolve_path(l, s);
  const double lw = th.presentation ? 2.0 : 1.4;

  // 1. Every arrow of the data file, quiet.
  QFont lf = font(15, false);
  for (const auto& a : l.arrows) {
    p.setPen(QPen(QColor(0x9A, 0x9A, 0x9A), lw));
    draw_poly(p, a.pts, 11);
    draw_label(p, a, th, lf, QColor(0x77, 0x77, 0x77), true);
  }
  // 2. The path taken: visited arrows, numbered in order; the latest lit.
  QFont bf = font(14, true);
  std::map<QString, QStringList> numbers;  // arrow key -> "1", "4"
  for (std::size_t i = 0; i < rp.arrows.size(); ++i) {
    const auto& a = rp.arrows[i];
    bool last = i + 1 == rp.arrows.size();
    QColor c = last ? th.vermillion : th.blue;
    QPen pen(c, (last ? 5.0 : 3.5) * (th.presentation ? 1.3 : 1.0));
    if (a.dynamic) pen.setStyle(Qt::DashLine);
    p.setPen(pen);
    draw_poly(p, a.pts, last ? 18 : 15);
    draw_label(p, a, th, font(15, true), c.darker(120), true);
    numbers[a.from + ">" + a.to + a.event] << QString::number(i + 1);
  }
  for (std::size_t i = 0; i < rp.arrows.size(); ++i) {
    const auto& a = rp.arrows[i];
    auto& list = numbers[a.from + ">" + a.to + a.event];
    if (list.isEmpty()) continue;
    QPointF at = point_along(a.pts, 0.5);
    badge(p, at, list.join(","), i + 1 == rp.arrows.size() ? th.vermillion : th.blue, bf, 14);
    list.clear();
  }
  // Marker travelling along the latest arrow.
  if (!rp.arrows.empty() && s.progress < 1.0) {
    QPointF m = point_along(rp.arrows.back().pts, s.progress);
    p.setPen(QPen(Qt::black, 2));
    p.setBrush(th.yellow);
    p.drawEllipse(m, 13, 13);
  }

  // 3. Boxes.
  std::map<int, int> first_visit;
  for (std::size_t i = 0; i < rp.boxes.size(); ++i)
    if (!first_visit.count(rp.boxes[i])) first_visit[rp.boxes[i]] = static_cast<int>(first_visit.size());
  for (std::size_t i = 0; i < l.boxes.size(); ++i) {
    QRectF r = l.box_rect(static_cast<int>(i));
    bool current = static_cast<int>(i) == rp.current_box && s.current && s.progress >= 0.5;
    bool prev_current = static_cast<int>(i) == (rp.boxes.size() >= 2 ? rp.boxes[rp.boxes.size() - 2] : -1) &&
                        s.progress < 0.5;
    if (rp.boxes.empty() && s.current && l.boxes[i].state == *s.current &&
        static_cast<int>(i) == l.first_box(*s.current))
      current = true;
    bool visited = first_visit.count(static_cast<int>(i)) > 0;
    if (current || prev_current) {
      p.setPen(QPen(th.black, 5));
      p.setBrush(th.current_fill);
    } else if (visited) {
      p.setPen(QPen(th.blue, 2.5));
      p.setBrush(th.visited_fill);
    } else {
      p.setPen(QPen(QColor(0x60, 0x60, 0x60), 1.5));
      p.setBrush(Qt::white);
    }
    p.drawRoundedRect(r, 8, 8);
    QString name = state_rfc_name(l.boxes[i].state);
    if (current || prev_current) name = QString("▶ %1").arg(name);
    QFont bfnt = font(18, current || prev_current || visited);
    // Shrink the name until it fits its box.
    while (bfnt.pixelSize() > 6 && QFontMetricsF(bfnt).horizontalAdvance(name) > r.width() - 10)
      bfnt.setPixelSize(bfnt.pixelSize() - 1);
    p.setFont(bfnt);
    p.setPen(th.black);
    p.drawText(r, Qt::AlignCenter, name);
    if (visited && !current) {
      // Order of first visit, in the box's corner.
      badge(p, r.topLeft() + QPointF(4, 2), QString::number(first_visit[static_cast<int>(i)] + 1),
            th.blue, font(12, true), 11);
    }
    if (current && !s.timers.isEmpty()) {
      QFont f = font(15, true);
      p.setFont(f);
      QFontMetricsF fm(f);
      QString tx = s.timers.join("  ");
      double w = fm.horizontalAdvance(tx) + 16;
      QRectF tr(r.center().x() - w / 2, r.bottom() + 6, w, fm.height() + 6);
      if (tr.left() < 0) tr.moveLeft(2);
      if (tr.right() > l.canvas.width()) tr.moveRight(l.canvas.width() - 2);
      p.setPen(QPen(th.black, 1.5));
      p.setBrush(th.yellow);
      p.drawRoundedRect(tr, 6, 6);
      p.drawText(tr, Qt::AlignCenter, tx);
    }
  }
  p.restore();
}

// ---- widget ----
StateDiagramWidget::StateDiagramWidget(QWidget* parent) : QWidget(parent) {
  setAttribute(Qt::WA_OpaquePaintEvent);
}
void StateDiagramWidget::setState(const DiagramState& s) {
  state_ = s;
  update();
}
void StateDiagramWidget::setProgress(double p) {
  state_.progress = p;
  update();
}
void StateDiagramWidget::setTheme(const Theme& t) {
  theme_ = t;
  update();
}
QString StateDiagramWidget::highlightedState() const {
  return state_.current ? QString(state_name(*state_.current)) : QString();
}
void StateDiagramWidget::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), Qt::white);
  paint_state_diagram(p, QRectF(rect()).adjusted(4, 2, -4, -4), DiagramLayout::standard(), state_,
                      theme_);
}

}  // namespace tcpsim::render
