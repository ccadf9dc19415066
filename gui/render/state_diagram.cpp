#include "state_diagram.hpp"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>

#include "tcpsim/fsm_table.hpp"

namespace tcpsim::render {

namespace {

QString tr_(const char* s) { return QCoreApplication::translate("tcpsim::render", s); }

double poly_length(const QVector<QPointF>& pts) {
  double total = 0;
  for (int i = 1; i < pts.size(); ++i) total += QLineF(pts[i - 1], pts[i]).length();
  return total;
}

// The point at `frac` of the polyline's length, and the direction there.
QPointF point_along(const QVector<QPointF>& pts, double frac, QPointF* dir = nullptr) {
  if (pts.size() < 2) return pts.isEmpty() ? QPointF() : pts[0];
  double want = poly_length(pts) * std::clamp(frac, 0.0, 1.0);
  for (int i = 1; i < pts.size(); ++i) {
    double len = QLineF(pts[i - 1], pts[i]).length();
    if (want <= len || i == pts.size() - 1) {
      double f = len > 0 ? std::min(1.0, want / len) : 0;
      if (dir) *dir = len > 0 ? (pts[i] - pts[i - 1]) / len : QPointF(1, 0);
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

bool segment_hits_rect(QPointF a, QPointF b, const QRectF& r) {
  if (r.contains(a) || r.contains(b)) return true;
  const QLineF l(a, b);
  const QLineF sides[4] = {{r.topLeft(), r.topRight()}, {r.topRight(), r.bottomRight()},
                           {r.bottomRight(), r.bottomLeft()}, {r.bottomLeft(), r.topLeft()}};
  for (const auto& s : sides)
    if (l.intersects(s, nullptr) == QLineF::BoundedIntersection) return true;
  return false;
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

bool is_rst_event(const std::string& ev) { return ev == "rcv RST" || ev == "ABORT"; }
bool is_quiet_abort(const std::string& ev) {
  return ev == "give up" || ev == "host crashed" || ev == "discard";
}

// The pieces of the causes the core traces for transitions drawn from the
// trace (not from the data file), for the translators: the event, the
// detail after its colon, the action after " / ", and the self-loops.
[[maybe_unused]] const char* const kCausePieces[] = {
    QT_TRANSLATE_NOOP("tcpsim::render", "ABORT"),
    QT_TRANSLATE_NOOP("tcpsim::render", "discard"),
    QT_TRANSLATE_NOOP("tcpsim::render", "give up"),
    QT_TRANSLATE_NOOP("tcpsim::render", "host crashed"),
    QT_TRANSLATE_NOOP("tcpsim::render", "rcv RST"),
    QT_TRANSLATE_NOOP("tcpsim::render", "rcv RST (TIME-WAIT assassination)"),
    QT_TRANSLATE_NOOP("tcpsim::render", "close() with unread data"),
    QT_TRANSLATE_NOOP("tcpsim::render", "close() with SO_LINGER {on, 0}"),
    QT_TRANSLATE_NOOP("tcpsim::render", "rcv data after close()"),
    QT_TRANSLATE_NOOP("tcpsim::render", "rcv ACK of SYN"),
    QT_TRANSLATE_NOOP("tcpsim::render", "rcv ACK of FIN"),
    // the guards of the rows (tcp_fsm.cpp), traced in brackets
    QT_TRANSLATE_NOOP("tcpsim::render", "tcp_rfc1337=0"),
    QT_TRANSLATE_NOOP("tcpsim::render", "accept queue full, tcp_abort_on_overflow=1"),
    QT_TRANSLATE_NOOP("tcpsim::render", "tcp_max_tw_buckets reached"),
    QT_TRANSLATE_NOOP("tcpsim::render", "listener closed before accept()"),
    QT_TRANSLATE_NOOP("tcpsim::render", "listener closed"),
    QT_TRANSLATE_NOOP("tcpsim::render", "new SYN for the same 4-tuple (RFC 1122 §4.2.2.13)"),
    QT_TRANSLATE_NOOP("tcpsim::render", "rcv FIN"),
    QT_TRANSLATE_NOOP("tcpsim::render", "TIME_WAIT socket reused for a new connection (tcp_tw_reuse=1)"),
    QT_TRANSLATE_NOOP("tcpsim::render", "SYN retries exhausted (tcp_syn_retries)"),
    QT_TRANSLATE_NOOP("tcpsim::render", "SYN,ACK retries exhausted (tcp_synack_retries)"),
    QT_TRANSLATE_NOOP("tcpsim::render", "zero-window probes unanswered (tcp_retries2)"),
    QT_TRANSLATE_NOOP("tcpsim::render", "zero-window probes unanswered (tcp_orphan_retries)"),
    QT_TRANSLATE_NOOP("tcpsim::render", "retransmissions exhausted (tcp_retries2)"),
    QT_TRANSLATE_NOOP("tcpsim::render", "retransmissions exhausted (tcp_orphan_retries)"),
    QT_TRANSLATE_NOOP("tcpsim::render", "keepalive: peer not answering (tcp_keepalive_probes)"),
    QT_TRANSLATE_NOOP("tcpsim::render", "state lost"),
    QT_TRANSLATE_NOOP("tcpsim::render", "snd RST"),
    QT_TRANSLATE_NOOP("tcpsim::render", "snd ACK"),
    QT_TRANSLATE_NOOP("tcpsim::render", "snd FIN"),
    QT_TRANSLATE_NOOP("tcpsim::render", "snd SYN"),
    QT_TRANSLATE_NOOP("tcpsim::render", "snd SYN,ACK"),
    QT_TRANSLATE_NOOP("tcpsim::render", "retransmit SYN"),
    QT_TRANSLATE_NOOP("tcpsim::render", "retransmit SYN,ACK"),
    QT_TRANSLATE_NOOP("tcpsim::render", "retransmit FIN"),
    QT_TRANSLATE_NOOP("tcpsim::render", "retransmit data"),
    QT_TRANSLATE_NOOP("tcpsim::render", "rcv FIN / snd ACK, restart 2MSL"),
    QT_TRANSLATE_NOOP("tcpsim::render", "rcv RST / snd challenge ACK"),
    QT_TRANSLATE_NOOP("tcpsim::render", "rcv RST, challenge ACK rate-limited"),
    QT_TRANSLATE_NOOP("tcpsim::render", "rcv SYN / snd challenge ACK"),
    QT_TRANSLATE_NOOP("tcpsim::render", "rcv SYN, challenge ACK rate-limited"),
    QT_TRANSLATE_NOOP("tcpsim::render", "rcv RST outside the window"),
    QT_TRANSLATE_NOOP("tcpsim::render", "rcv out-of-window segment / snd ACK"),
    QT_TRANSLATE_NOOP("tcpsim::render", "rcv out-of-window segment, ACK rate-limited"),
    // The title's state part (tr_() is not seen by lupdate).
    QT_TRANSLATE_NOOP("tcpsim::render", "not created yet"),
    QT_TRANSLATE_NOOP("tcpsim::render", "(orphan: no fd)"),
};

QString tr_piece(const QString& s) {
  return QCoreApplication::translate("tcpsim::render", s.toUtf8().constData());
}

// The label of an arrow drawn from the trace: the traced cause, which names
// the event first ("give up: retransmissions exhausted (tcp_retries2)"):
// event and detail over the action after " / ", each piece translated.
void set_cause_label(DiagramArrow& d, const std::string& cause) {
  QString c = QString::fromStdString(cause);
  int slash = c.lastIndexOf(" / ");
  if (slash > 0) {
    d.event = c.left(slash);
    d.action = c.mid(slash + 3);
  } else {
    d.event = c;
    d.action.clear();
  }
  // A guarded row's condition comes last, in brackets ("rcv FIN
  // [tcp_max_tw_buckets reached]"): translated on its own.
  QString ev = d.event, guard_zh;
  const int bracket = ev.lastIndexOf(" [");
  if (bracket > 0 && ev.endsWith(']')) {
    guard_zh = " [" + tr_piece(ev.mid(bracket + 2, ev.size() - bracket - 3)) + "]";
    ev = ev.left(bracket);
  }
  const int colon = ev.indexOf(": ");
  d.event_zh = (colon > 0 ? tr_piece(ev.left(colon)) + "：" + tr_piece(ev.mid(colon + 2)) : tr_piece(ev)) +
               guard_zh;
  d.action_zh = d.action.isEmpty() ? QString() : tr_piece(d.action);
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
    d.fsm = a["fsm"].toString();
    d.rst = is_rst_event(d.fsm.toStdString());
    d.quiet_abort = is_quiet_abort(d.fsm.toStdString());
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
  // Self-loops: retransmitted SYN, SYN,ACK, FIN and data, TIME_WAIT
  // restarting 2MSL when the peer's FIN comes again (every TIME_WAIT arm
  // after the one on entry), and the transition table's rows that change no
  // state (tcp_fsm.cpp's internal rows: RFC 5961's challenge ACKs, an RST
  // or other segment outside the window), read from the note their action
  // traces; counted per state.
  std::optional<TcpState> st;
  bool tw_armed = false;
  const std::size_t end = std::min(cursor, v.size());
  int latest = -1;
  auto bump = [&](TcpState in, const char* what) {
    for (std::size_t i = 0; i < s.loops.size(); ++i)
      if (s.loops[i].state == in && s.loops[i].what == what) {
        ++s.loops[i].count;
        latest = static_cast<int>(i);
        return;
      }
    s.loops.push_back({in, QString(what), tr_piece(what), 1, false});
    latest = static_cast<int>(s.loops.size()) - 1;
  };
  for (std::size_t i = 0; i < end; ++i) {
    const Event& e = v.event(i);
    if (e.sock != sock) continue;
    if (e.kind == EventKind::State) {
      st = e.to;
      tw_armed = false;
      latest = -1;  // a state change is more recent than any loop
    } else if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send && e.retrans && st) {
      const auto f = e.seg.flags;
      if ((f & kSyn) && (f & kAck)) bump(*st, "retransmit SYN,ACK");
      else if (f & kSyn) bump(*st, "retransmit SYN");
      else if (f & kFin) bump(*st, "retransmit FIN");
      else if (e.seg.len > 0) bump(*st, "retransmit data");
    } else if (e.kind == EventKind::Timer && e.timer == TimerKind::TimeWait &&
               e.timer_op == TimerOp::Arm && st == TcpState::TimeWait) {
      if (tw_armed) bump(TcpState::TimeWait, "rcv FIN / snd ACK, restart 2MSL");
      tw_armed = true;
    } else if (e.kind == EventKind::Note && st) {
      const std::string loop = fsm_loop_of_note(e.text);
      if (!loop.empty()) bump(*st, loop.c_str());
    }
  }
  if (latest >= 0) s.loops[latest].latest = true;
  return s;
}

namespace {
// A route from box `a` to box `b` that crosses no other box: straight if
// possible, else one bend (either way round). Empty when none is found.
QVector<QPointF> route_between(const DiagramLayout& l, int a, int b, QPointF off) {
  QRectF ra = l.box_rect(a), rb = l.box_rect(b);
  auto clear = [&](const QVector<QPointF>& pts) {
    for (std::size_t k = 0; k < l.boxes.size(); ++k) {
      if (static_cast<int>(k) == a || static_cast<int>(k) == b) continue;
      QRectF r = l.box_rect(static_cast<int>(k)).adjusted(-6, -6, 6, 6);
      for (int i = 1; i < pts.size(); ++i)
        if (segment_hits_rect(pts[i - 1], pts[i], r)) return false;
    }
    return true;
  };
  QVector<QPointF> straight{edge_point(ra, rb.center() + off), edge_point(rb, ra.center() + off)};
  if (clear(straight)) return straight;
  // One bend: leave a horizontally, enter b vertically, or the other way.
  const double sx = rb.center().x() > ra.center().x() ? 1 : -1;
  const double sy = rb.center().y() > ra.center().y() ? 1 : -1;
  QVector<QPointF> hv{QPointF(ra.center().x() + sx * ra.width() / 2, ra.center().y() + off.y()),
                      QPointF(rb.center().x() + off.x(), ra.center().y() + off.y()),
                      QPointF(rb.center().x() + off.x(), rb.center().y() - sy * rb.height() / 2)};
  if (clear(hv)) return hv;
  QVector<QPointF> vh{QPointF(ra.center().x() + off.x(), ra.center().y() + sy * ra.height() / 2),
                      QPointF(ra.center().x() + off.x(), rb.center().y() + off.y()),
                      QPointF(rb.center().x() - sx * rb.width() / 2, rb.center().y() + off.y())};
  if (clear(vh)) return vh;
  // Two bends through a corridor between the rows or the columns of boxes:
  // the shortest clear one.
  std::vector<double> xs, ys;
  for (const auto& bx : l.boxes) { xs.push_back(bx.c.x()); ys.push_back(bx.c.y()); }
  auto corridors = [](std::vector<double> v, double box, double max) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    std::vector<double> out;
    for (std::size_t i = 1; i < v.size(); ++i) out.push_back((v[i - 1] + v[i]) / 2);
    if (!v.empty()) {
      out.push_back(std::max(4.0, v.front() - box * 0.75));
      out.push_back(std::min(max - 4, v.back() + box * 0.75));
    }
    return out;
  };
  auto length = [](const QVector<QPointF>& p) { return poly_length(p); };
  QVector<QPointF> best;
  for (double xc : corridors(xs, l.box.width(), l.canvas.width())) {
    const double ex = xc < ra.center().x() ? ra.left() : ra.right();
    const double en = xc < rb.center().x() ? rb.left() : rb.right();
    QVector<QPointF> p{QPointF(ex, ra.center().y() + off.y()), QPointF(xc, ra.center().y() + off.y()),
                       QPointF(xc, rb.center().y() + off.y()), QPointF(en, rb.center().y() + off.y())};
    if (clear(p) && (best.isEmpty() || length(p) < length(best))) best = p;
  }
  for (double yc : corridors(ys, l.box.height(), l.canvas.height())) {
    const double ey = yc < ra.center().y() ? ra.top() : ra.bottom();
    const double en = yc < rb.center().y() ? rb.top() : rb.bottom();
    QVector<QPointF> p{QPointF(ra.center().x() + off.x(), ey), QPointF(ra.center().x() + off.x(), yc),
                       QPointF(rb.center().x() + off.x(), yc), QPointF(rb.center().x() + off.x(), en)};
    if (clear(p) && (best.isEmpty() || length(p) < length(best))) best = p;
  }
  return best;
}
}  // namespace

ResolvedPath resolve_path(const DiagramLayout& l, const DiagramState& s) {
  ResolvedPath r;
  if (s.path.empty() || l.boxes.empty()) return r;
  int cur = l.first_box(s.path.front().from);
  if (cur < 0) cur = 0;
  r.boxes.push_back(cur);
  for (const auto& t : s.path) {
    const std::string ev = fsm_event_of_cause(t.cause);
    const QString qev = QString::fromStdString(ev);
    // The arrow of the data file that stands for this event between these
    // states (from the box we are in first). An arrow without an event
    // stands for the one row between its two states.
    auto matches = [&](const DiagramArrow& a) {
      if (a.from_state != t.from || a.to_state != t.to) return false;
      // An arrow without an event stands for the ordinary event between its
      // states, never for an abort.
      if (a.fsm.isEmpty()) return !is_rst_event(ev) && !is_quiet_abort(ev);
      return a.fsm == qev;
    };
    const DiagramArrow* found = nullptr;
    for (const auto& a : l.arrows)
      if (a.from == l.boxes[cur].id && matches(a)) { found = &a; break; }
    if (!found)
      for (const auto& a : l.arrows)
        if (matches(a)) { found = &a; break; }
    if (found) {
      r.arrows.push_back(*found);
      cur = l.box_index(found->to);
    } else {
      // Not drawn in the data file (an abort, a give-up, a crash): routed
      // around the boxes to the nearest box of the target state it can reach.
      std::vector<int> cands;
      for (std::size_t k = 0; k < l.boxes.size(); ++k)
        if (l.boxes[k].state == t.to && static_cast<int>(k) != cur) cands.push_back(static_cast<int>(k));
      std::sort(cands.begin(), cands.end(), [&](int x, int y) {
        return QLineF(l.boxes[x].c, l.boxes[cur].c).length() < QLineF(l.boxes[y].c, l.boxes[cur].c).length();
      });
      DiagramArrow d;
      d.dynamic = true;
      d.from_state = t.from;
      d.to_state = t.to;
      d.fsm = qev;
      d.rst = is_rst_event(ev) || t.cause.find("snd RST") != std::string::npos;
      d.quiet_abort = !d.rst && is_quiet_abort(ev);
      set_cause_label(d, t.cause);
      int to = cands.empty() ? cur : cands.front();
      for (int c : cands) {
        auto pts = route_between(l, cur, c, QPointF(10, 10));
        if (!pts.isEmpty()) { d.pts = pts; to = c; break; }
      }
      QRectF a = l.box_rect(cur);
      if (to == cur) {  // a self-loop over the box's top right corner
        QPointF o = a.topRight();
        d.pts = {o + QPointF(-30, 0), o + QPointF(-30, -30), o + QPointF(20, -30),
                 o + QPointF(20, 10), o + QPointF(0, 10)};
      } else if (d.pts.isEmpty()) {
        QRectF b = l.box_rect(to);
        d.pts = {edge_point(a, b.center()), edge_point(b, a.center())};
      }
      d.from = l.boxes[cur].id;
      d.to = l.boxes[to].id;
      d.label = point_along(d.pts, 0.5);
      r.arrows.push_back(d);
      cur = to;
    }
    r.events.push_back(ev);
    r.boxes.push_back(cur);
  }
  r.current_box = cur;
  return r;
}

// ---- layout ----
namespace {

struct Fonts {
  double label = 15;    // arrow labels, canvas units
  double state = 18;    // state names
  double current = 22;  // the current state's name: the largest text
  double badge = 13;
};

QFont make_font(const Theme& th, double px_canvas, bool bold) {
  QFont f = th.font(10, bold);
  // Font sizes in canvas units; painted under the canvas transform. Qt
  // takes integer pixel sizes, so keep a fractional size via point size.
  f.setPixelSize(std::max(1, int(std::lround(px_canvas))));
  return f;
}

// The current state's name is this much larger than every other text.
constexpr double kCurrentScale = 1.35;
constexpr double kStateScale = 1.1;

double text_width(const QFontMetricsF& fm, const QString& t) {
  double w = 0;
  for (const auto& line : t.split('\n')) w = std::max(w, fm.horizontalAdvance(line));
  return w;
}
int line_count(const QString& t) { return t.isEmpty() ? 0 : int(t.count('\n')) + 1; }

// A state's name in its box: one line, or broken after its first hyphen
// ("SYN-" over "RECEIVED") when big text needs the room; the current
// state's carries a marker.
QString box_name(TcpState st, bool current, bool wrap) {
  QString n = state_rfc_name(st);
  if (wrap) {
    const int h = n.indexOf('-');
    if (h > 0) n = n.left(h + 1) + "\n" + n.mid(h + 1);
  }
  return current ? QString("▶ %1").arg(n) : n;
}

// The largest label font (canvas units) at which no two boxes, grown to
// their names, overlap or leave the canvas, whichever box is the current
// one (so sizes do not jump while stepping). Two boxes clear each other
// when they are apart either sideways or up and down.
// With `current` (a box index), for that box being the current one only
// (a zoomed narrow pane, which frames one moment anyway).
double max_label_font(const DiagramLayout& l, const Theme& th, bool wrap, double state_scale = kStateScale,
                      double current_scale = kCurrentScale, int current = -1) {
  const QFont probe = make_font(th, 100, true);
  const QFontMetricsF fm(probe);
  std::vector<double> w, wc, h, hc;  // per font unit: width and height, normal and current
  for (const auto& b : l.boxes) {
    w.push_back(text_width(fm, box_name(b.state, false, wrap)) / 100 * state_scale);
    wc.push_back(text_width(fm, box_name(b.state, true, wrap)) / 100 * current_scale);
    const int lines = line_count(box_name(b.state, false, wrap));
    h.push_back(fm.height() * lines / 100 * state_scale);
    hc.push_back(fm.height() * lines / 100 * current_scale);
  }
  const double pad = 16, vpad = 10, gap = 12;
  double cap = 1e9;
  for (std::size_t i = 0; i < l.boxes.size(); ++i) {
    const double ex = std::min(l.boxes[i].c.x(), l.canvas.width() - l.boxes[i].c.x());
    const double ey = std::min(l.boxes[i].c.y(), l.canvas.height() - l.boxes[i].c.y());
    const bool ci = current < 0 || current == int(i);
    cap = std::min({cap, (2 * ex - pad) / (ci ? wc[i] : w[i]), (2 * ey - vpad) / (ci ? hc[i] : h[i])});
    for (std::size_t j = i + 1; j < l.boxes.size(); ++j) {
      const double dx = std::abs(l.boxes[i].c.x() - l.boxes[j].c.x());
      const double dy = std::abs(l.boxes[i].c.y() - l.boxes[j].c.y());
      double wx = std::max(wc[i] + w[j], w[i] + wc[j]), hy = std::max(hc[i] + h[j], h[i] + hc[j]);
      if (current >= 0) {
        wx = (current == int(i) ? wc[i] : w[i]) + (current == int(j) ? wc[j] : w[j]);
        hy = (current == int(i) ? hc[i] : h[i]) + (current == int(j) ? hc[j] : h[j]);
      }
      const double fx = (dx - gap - pad) / (wx / 2);
      const double fy = (dy - gap - vpad) / (hy / 2);
      cap = std::min(cap, std::max(fx, fy));
    }
  }
  return cap;
}

// Moves the ends of a polyline that fall inside the grown boxes it joins
// back onto their borders, so that every arrow head stays visible.
QVector<QPointF> trim_to(const QVector<QPointF>& in, const QRectF& from, const QRectF& to) {
  QVector<QPointF> pts = in;
  auto exit_point = [](QPointF a, QPointF b, const QRectF& r) {
    // a inside r: where a->b leaves r (b if it never does).
    double t = 1;
    const QPointF d = b - a;
    if (d.x() > 1e-9) t = std::min(t, (r.right() - a.x()) / d.x());
    if (d.x() < -1e-9) t = std::min(t, (r.left() - a.x()) / d.x());
    if (d.y() > 1e-9) t = std::min(t, (r.bottom() - a.y()) / d.y());
    if (d.y() < -1e-9) t = std::min(t, (r.top() - a.y()) / d.y());
    return a + d * std::clamp(t, 0.0, 1.0);
  };
  auto inside = [](const QRectF& r, QPointF p) { return r.adjusted(0.5, 0.5, -0.5, -0.5).contains(p); };
  while (pts.size() > 2 && inside(from, pts[0]) && inside(from, pts[1])) pts.removeFirst();
  if (pts.size() >= 2 && inside(from, pts[0])) pts[0] = exit_point(pts[0], pts[1], from);
  while (pts.size() > 2 && inside(to, pts.back()) && inside(to, pts[pts.size() - 2])) pts.removeLast();
  const int n = pts.size();
  if (n >= 2 && inside(to, pts[n - 1])) pts[n - 1] = exit_point(pts[n - 1], pts[n - 2], to);
  return pts;
}

struct Placer {
  QRectF canvas;
  std::vector<QRectF> obstacles;  // boxes and badges
  std::vector<QRectF> placed;
  // Lines no text may cover: the path taken and the self-loops (a label
  // over its own arrow hides what it names).
  std::vector<QVector<QPointF>> lines;
  // The lines of the arrows not taken: a label keeps off them where it can,
  // so that "rcv RST" is not read as the name of the grey arrow under it.
  std::vector<QVector<QPointF>> others;
  // Whether r touches one of `set`'s lines (`own` left out).
  static bool hits(const std::vector<QVector<QPointF>>& set, const QRectF& r, const QVector<QPointF>& own = {}) {
    for (const auto& ln : set) {
      if (!own.isEmpty() && ln == own) continue;
      for (int i = 1; i < ln.size(); ++i)
        if (segment_hits_rect(ln[i - 1], ln[i], r)) return true;
    }
    return false;
  }
  bool off_others(const QRectF& r, const QVector<QPointF>& own = {}) const { return !hits(others, r, own); }
  bool free(const QRectF& r) const {
    if (!canvas.contains(r)) return false;
    if (hits(lines, r)) return false;
    for (const auto& o : obstacles)
      if (o.intersects(r)) return false;
    for (const auto& o : placed)
      if (o.intersects(r)) return false;
    return true;
  }
  // The nearest free spot to r on rings around it (r itself when none).
  QRectF around(const QRectF& r) const {
    const double step = std::max(r.height(), 4.0) * 0.7;
    for (int ring = 1; ring <= 24; ++ring)
      for (int k = 0; k < 24; ++k) {
        const double ang = k * M_PI / 12;
        QRectF c = clamp(r.translated(std::cos(ang) * ring * step, std::sin(ang) * ring * step));
        if (free(c)) return c;
      }
    return r;
  }
  // The free spot for r's size nearest to r's place on a fine grid over the
  // whole canvas; null when there is none.
  QRectF nearest_free(const QRectF& r) const {
    const QPointF want = r.center();
    QRectF best;
    double bd = 1e18;
    const double step = 8;
    for (double y = canvas.top(); y + r.height() <= canvas.bottom(); y += step)
      for (double x = canvas.left(); x + r.width() <= canvas.right(); x += step) {
        const QRectF cand(x, y, r.width(), r.height());
        const double d = QLineF(cand.center(), want).length();
        if (d < bd && free(cand)) { bd = d; best = cand; }
      }
    return best;
  }
  QRectF clamp(QRectF r) const {
    if (r.left() < canvas.left()) r.moveLeft(canvas.left());
    if (r.right() > canvas.right()) r.moveRight(canvas.right());
    if (r.top() < canvas.top()) r.moveTop(canvas.top());
    if (r.bottom() > canvas.bottom()) r.moveBottom(canvas.bottom());
    return r;
  }
};

// Candidate centres for an arrow's label: its data-file spot, then along the
// arrow on either side.
std::vector<QPointF> label_candidates(const DiagramArrow& a, QSizeF sz) {
  std::vector<QPointF> c;
  if (!a.dynamic) c.push_back(a.label);
  for (double f : {0.5, 0.35, 0.65, 0.2, 0.8, 0.1, 0.9}) {
    QPointF dir;
    QPointF p = point_along(a.pts, f, &dir);
    QPointF n(-dir.y(), dir.x());
    // Beside the line: far enough that the label's box clears it.
    double off = std::abs(n.x()) * (sz.width() / 2 + 6) + std::abs(n.y()) * (sz.height() / 2 + 6);
    c.push_back(p + n * off);
    c.push_back(p - n * off);
  }
  return c;
}

struct LabelItem {
  QString l1, l2;  // event over action ("\n" between wrapped lines; l2 empty: none)
  QRectF r;
  bool ok = false;
  double px = 0;  // font size (canvas units) when not the default
};


// A label as one line of text ("rcv FIN / snd ACK"), for the tests.
QString flat(const LabelItem& it) {
  QString a = QString(it.l1).replace('\n', ' ');
  QString b = QString(it.l2).replace('\n', ' ');
  return b.isEmpty() ? a : a + " / " + b;
}

QSizeF label_size(const QFont& f, const QString& l1, const QString& l2) {
  QFontMetricsF fm(f);
  double w = std::max(text_width(fm, l1), text_width(fm, l2)) + 8;
  double h = fm.height() * (line_count(l1) + line_count(l2)) + 2;
  return {w, h};
}

// Greedy word wrap so that no line is wider than maxw (a word longer than
// that stays whole: the placer then reports it).
QString wrap_text(const QString& t, const QFontMetricsF& fm, double maxw) {
  if (fm.horizontalAdvance(t) <= maxw) return t;
  // Break at spaces, and after Chinese punctuation (Chinese has no spaces).
  QStringList words;
  QString w;
  for (QChar ch : t) {
    if (ch == ' ') {
      if (!w.isEmpty()) words << w;
      // A space after a Chinese character stays a space ("对 SYN").
      else if (!words.isEmpty() && words.back().endsWith(QChar(0x200B))) words.back().chop(1);
      w.clear();
    } else {
      w += ch;
      // After any Chinese character or mark (： ， included), never
      // right after an opening bracket （.
      if (ch == QChar(0xFF1A) || ch == QChar(0xFF0C) || (ch.unicode() >= 0x2E80 && ch != QChar(0xFF08))) {
        words << w + QChar(0x200B);  // zero-width: glued to the next word
        w.clear();
      }
    }
  }
  if (!w.isEmpty()) words << w;
  QStringList lines;
  QString cur;
  for (const auto& w : words) {
    const bool glue = cur.endsWith(QChar(0x200B));
    QString next = cur.isEmpty() ? w : cur + (glue ? "" : " ") + w;
    if (!cur.isEmpty() && fm.horizontalAdvance(next) > maxw) {
      lines << cur;
      cur = w;
    } else {
      cur = next;
    }
  }
  if (!cur.isEmpty()) lines << cur;
  return lines.join('\n').remove(QChar(0x200B));
}

}  // namespace

namespace {
struct Computed {
  DiagramGeometry g;
  // The layout laid out: the standard one, or, zoomed in a narrow pane,
  // the same figure with its columns closer (squeezed()).
  const DiagramLayout* layout = nullptr;
  ResolvedPath rp;
  Fonts fonts;
  QString title;
  QFont title_font;
  double title_h = 0;
  std::vector<QRectF> box_rects;             // per box, grown to fit its name
  std::vector<QString> box_names;
  std::vector<QFont> box_fonts;              // per box, as its name is drawn
  // Zoomed: a box the frame cuts has its name shortened into the part in
  // view ("ESTABLI…"), or none where not three letters fit (canvas units).
  struct CutName { QString text; QRectF r; };
  std::map<int, CutName> cut_names;
  bool wrap_names = false;
  std::vector<QVector<QPointF>> static_pts;  // data-file arrows, trimmed to the grown boxes
  int current_box = -1, prev_box = -1;
  std::vector<LabelItem> static_labels;      // per l.arrows
  std::vector<LabelItem> path_labels;        // per rp.arrows (first occurrence only)
  std::vector<bool> path_label_drawn;
  struct Badge { QRectF r; QString text; bool latest; };
  std::vector<Badge> badges;                 // visit order and transition numbers
  std::vector<int> path_is_first;
  struct LoopDraw { QVector<QPointF> pts; LabelItem lab; bool latest; };
  std::vector<LoopDraw> loops;
  QRectF timer_r;
  QString timer_text;
  double need_caption = 0;  // target px a caption band needs (first pass)
  bool caption = false;     // the latest label is in the caption band
  std::map<int, int> first_visit;
};

// A zoomed pass (DiagramFit::focus): this scale, labels of want_px, the
// view framed on `want` (the current state, the latest arrow, the state it
// left) when it fits, else on the current state.
struct Zoom {
  double sc = 0;
  double want_px = 0;
  QRectF want;
  QRectF must;  // the current state and its latest self-loop
  double cap = 0;  // the largest label font (canvas units) for this current box; 0: for any
};

Computed compute_pass(const QRectF& target, const DiagramLayout& l, const DiagramState& s, const Theme& th,
                      double caption_h, Zoom zoom = {}) {
  Computed c;
  c.layout = &l;
  c.g.target = target;
  // Title line above the canvas.
  QFont tf = th.font(11, true);
  if (th.presentation) tf.setPixelSize(std::max(tf.pixelSize(), 24));
  QString what = s.current ? QString(state_rfc_name(*s.current)) : tr_("not created yet");
  if (s.orphan && s.current && *s.current != TcpState::Closed) what += "  " + tr_("(orphan: no fd)");
  QString title = s.title + "  —  " + what;
  const QFont tf0 = tf;
  const double room = target.width() - 8;
  // On a projector the title, too, keeps 24 px: it goes onto two lines
  // rather than shrink below.
  // Zoomed in a narrow GUI pane (DiagramFit::focus), 10 px like the rest.
  const int min_title = th.presentation ? 24 : zoom.sc > 0 ? 10 : 9;
  while (tf.pixelSize() > min_title && text_width(QFontMetricsF(tf), title) > room) tf.setPixelSize(tf.pixelSize() - 1);
  if (text_width(QFontMetricsF(tf), title) > room) {
    // Too narrow for one line: the socket over its state; only the socket's
    // label is elided when even that does not fit (the state never is).
    tf = tf0;
    title = s.title + "\n" + what;
    const int min_two = th.presentation ? 24 : zoom.sc > 0 ? 10 : 8;
    while (tf.pixelSize() > min_two && text_width(QFontMetricsF(tf), title) > room) tf.setPixelSize(tf.pixelSize() - 1);
    QFontMetricsF fm(tf);
    if (fm.horizontalAdvance(s.title) > room) title = fm.elidedText(s.title, Qt::ElideMiddle, room) + "\n" + what;
  }
  c.title = title;
  c.title_font = tf;  // capped below the current state's name once the scale is known
  c.title_h = QFontMetricsF(tf).height() * (line_count(title) + 0.4);

  QRectF area(target.left(), target.top() + c.title_h, target.width(), target.height() - c.title_h - caption_h);
  double sc = zoom.sc > 0 ? zoom.sc : std::min(area.width() / l.canvas.width(), area.height() / l.canvas.height());
  if (sc <= 0) sc = 1e-3;
  // Long labels wrap to 60 % of the canvas, or, zoomed, to most of what is in view.
  const double wrap_base = zoom.sc > 0 ? std::min(l.canvas.width(), area.width() / sc * 0.55 / 0.6) : l.canvas.width();
  c.g.scale = sc;
  c.g.origin = QPointF(area.left() + (area.width() - l.canvas.width() * sc) / 2, area.top());
  {
    const QFontMetricsF fm(tf);
    const double tw = text_width(fm, title), h = fm.height() * line_count(title);
    c.g.texts.push_back({DiagramText::Title,
                         QRectF(target.center().x() - tw / 2, target.top() + (c.title_h - h) / 2, tw, h),
                         QString(title).replace('\n', "  —  "), double(tf.pixelSize())});
  }

  // Text sizes: what the eye needs on the target (12 px, 24 px on a
  // projector), in canvas units; capped so that the widest state name still
  // fits between two columns of boxes.
  const double want_px = th.presentation ? 24.0 : zoom.sc > 0 ? zoom.want_px : 12.0 * th.scale;
  double label = want_px / sc;
  double state_scale = kStateScale, current_scale = kCurrentScale;
  if (th.presentation) {
    // A projector: 24 px is the floor for every text, never shrunk below
    // (integer canvas units, rounded up). Room is made by breaking names
    // after their hyphen, then by state names no larger than the labels
    // and a current state only a little larger, never by smaller text:
    // labels of arrows not taken give way instead.
    label = std::ceil(want_px / sc - 1e-6);
    struct Try { bool wrap; double st, cur; };
    const Try tries[] = {{false, kStateScale, kCurrentScale}, {true, kStateScale, kCurrentScale},
                         {true, 1.0, 1.25}, {true, 1.0, 1.15}};
    c.wrap_names = true;
    state_scale = 1.0;
    current_scale = 1.15;
    for (const Try& t : tries)
      if (max_label_font(l, th, t.wrap, t.st, t.cur) >= label) {
        c.wrap_names = t.wrap;
        state_scale = t.st;
        current_scale = t.cur;
        break;
      }
  } else {
    // On a screen, text shrinks (down to 9 canvas units) rather than let
    // state names collide.
    label = std::min(label, zoom.sc > 0 && zoom.cap > 0 ? zoom.cap : max_label_font(l, th, false));
  }
  label = std::max(label, 9.0);
  c.fonts.label = label;
  c.fonts.state = label * state_scale;
  c.fonts.current = label * current_scale;
  // Step numbers: as large as the labels on a projector (24 px).
  // Zoomed in a narrow pane the labels are at their floor: the step
  // numbers no smaller than they.
  c.fonts.badge = th.presentation || zoom.sc > 0 ? label : label * 0.85;
  // The title stays below the current state's name.
  if (s.current && tf.pixelSize() >= c.fonts.current * sc) {
    tf.setPixelSize(std::max(4, int(std::ceil(c.fonts.current * sc)) - 1));
    c.title_font = tf;
    QFontMetricsF tfm(tf);
    const double tw = text_width(tfm, title), h = tfm.height() * line_count(title);
    c.g.texts.front().box = QRectF(target.center().x() - tw / 2, target.top() + (c.title_h - h) / 2, tw, h);
    c.g.texts.front().px = tf.pixelSize();
  }

  c.rp = resolve_path(l, s);
  const auto& rp = c.rp;

  // Boxes, grown to their names.
  for (std::size_t i = 0; i < rp.boxes.size(); ++i)
    if (!c.first_visit.count(rp.boxes[i])) c.first_visit[rp.boxes[i]] = static_cast<int>(c.first_visit.size());
  c.current_box = -1;
  if (s.current) {
    if (rp.current_box >= 0 && s.progress >= 0.5) c.current_box = rp.current_box;
    else if (rp.current_box >= 0 && rp.boxes.size() >= 2) c.current_box = rp.boxes[rp.boxes.size() - 2];
    else if (rp.boxes.empty()) c.current_box = l.first_box(*s.current);
    else c.current_box = rp.current_box;
  }
  Placer pl;
  pl.canvas = QRectF(QPointF(0, 0), l.canvas);
  for (std::size_t i = 0; i < l.boxes.size(); ++i) {
    const bool cur = static_cast<int>(i) == c.current_box;
    const QString name = box_name(l.boxes[i].state, cur, c.wrap_names);
    QFont f = make_font(th, cur ? c.fonts.current : c.fonts.state, cur || c.first_visit.count(int(i)));
    QFontMetricsF fm(f);
    QRectF r = l.box_rect(static_cast<int>(i));
    double w = std::max(r.width(), text_width(fm, name) + 16);
    double h = std::max(r.height(), fm.height() * line_count(name) + 10);
    r = QRectF(r.center().x() - w / 2, r.center().y() - h / 2, w, h);
    r = pl.clamp(r);
    c.box_rects.push_back(r);
    c.box_names.push_back(name);
    c.box_fonts.push_back(f);
    pl.obstacles.push_back(r);
    const double tw = text_width(fm, name), th_ = fm.height() * line_count(name);
    c.g.texts.push_back({cur ? DiagramText::CurrentState : DiagramText::State,
                         QRectF(r.center().x() - tw / 2, r.center().y() - th_ / 2, tw, th_),
                         QString(name).replace('\n', ""), f.pixelSize() * sc});
  }
  // Zoomed: the part of the canvas in view, framed on the latest transition.
  QRectF view_inner;  // where the latest label and the timers go
  const auto crosses = [](const QVector<QPointF>& pts, const QRectF& r) {
    for (int i = 1; i < pts.size(); ++i)
      if (segment_hits_rect(pts[i - 1], pts[i], r)) return true;
    return false;
  };
  if (zoom.sc > 0) {
    const QSizeF vsz(area.width() / sc, area.height() / sc);
    QRectF focus = zoom.want;
    if (c.current_box >= 0 && (focus.width() > vsz.width() + 0.5 || focus.height() > vsz.height() + 0.5))
      focus = zoom.must.isNull() ? c.box_rects[c.current_box].adjusted(-12, -12, 12, 12) : zoom.must;
    QRectF view(focus.center() - QPointF(vsz.width() / 2, vsz.height() / 2), vsz);
    if (focus != zoom.want && !zoom.want.isNull()) {
      // The current state in view; the view slides towards the rest.
      const QPointF d = zoom.want.center() - focus.center();
      const double sx = std::max(0.0, (vsz.width() - focus.width()) / 2), sy = std::max(0.0, (vsz.height() - focus.height()) / 2);
      view.translate(std::clamp(d.x(), -sx, sx), std::clamp(d.y(), -sy, sy));
    }
    // Inside the canvas (centred on it where the pane is larger), with a
    // margin of 4 px beyond its edge: a box on the edge keeps the whole of
    // its border (the current state's is 5 px thick), not a side cut off.
    const double margin = 4 / sc;
    auto place = [margin](double pos, double len, double total) {
      return len >= total + 2 * margin ? (total - len) / 2 : std::clamp(pos, -margin, total - len + margin);
    };
    view.moveLeft(place(view.left(), vsz.width(), l.canvas.width()));
    view.moveTop(place(view.top(), vsz.height(), l.canvas.height()));
    c.g.zoomed = true;
    c.g.view = view;
    c.g.origin = area.topLeft() - view.topLeft() * sc;
    view_inner = view.adjusted(4, 4, -4, -4) & pl.canvas;
  }
  // A data-file arrow the path took (drawn as the path's, not grey).
  const auto on_path = [&](const DiagramArrow& a) {
    for (const auto& pa : rp.arrows)
      if (!pa.dynamic && pa.from == a.from && pa.to == a.to && pa.fsm == a.fsm && pa.event == a.event) return true;
    return false;
  };
  // Arrows end on the grown boxes' borders.
  for (const auto& a : l.arrows)
    c.static_pts.push_back(trim_to(a.pts, c.box_rects[l.box_index(a.from)], c.box_rects[l.box_index(a.to)]));
  for (auto& a : c.rp.arrows) {
    const int fi = l.box_index(a.from), ti = l.box_index(a.to);
    if (fi >= 0 && ti >= 0 && fi != ti) a.pts = trim_to(a.pts, c.box_rects[fi], c.box_rects[ti]);
  }
  // Visit-order badges in the boxes' top left corners (obstacles).
  QFont badge_f = make_font(th, c.fonts.badge, true);
  const double badge_r = QFontMetricsF(badge_f).height() * 0.6;
  for (const auto& [bi, order] : c.first_visit) {
    if (bi == c.current_box) continue;
    // On a projector the numbers on the path's arrows tell the order; the
    // boxes' visit numbers would only crowd it.
    if (th.presentation) continue;
    QRectF br = c.box_rects[bi];
    QString t = QString::number(order + 1);
    double w = std::max(2 * badge_r, QFontMetricsF(badge_f).horizontalAdvance(t) + badge_r);
    // Just outside one of the box's corners (top left first), clear of
    // every name.
    const double h2 = 2 * badge_r;
    QRectF rr;
    for (QPointF at : {QPointF(br.left() - w - 1, br.top() - h2 - 1), QPointF(br.right() + 1, br.top() - h2 - 1),
                       QPointF(br.left() - w - 1, br.bottom() + 1), QPointF(br.right() + 1, br.bottom() + 1)}) {
      QRectF cand = pl.clamp(QRectF(at, QSizeF(w, h2)));
      if (pl.free(cand)) { rr = cand; break; }
    }
    if (rr.isNull()) rr = pl.around(pl.clamp(QRectF(br.left() - w - 1, br.top() - h2 - 1, w, h2)));
    pl.obstacles.push_back(rr);
    c.badges.push_back({rr, t, false});
    c.g.texts.push_back({DiagramText::Badge, rr, t, badge_f.pixelSize() * sc});
  }
  // Path badges at the arrows' middles (obstacles too).
  std::map<QString, QStringList> numbers;
  auto key = [](const DiagramArrow& a) { return a.from + ">" + a.to + a.event + a.fsm; };
  for (std::size_t i = 0; i < rp.arrows.size(); ++i) numbers[key(rp.arrows[i])] << QString::number(i + 1);
  c.path_is_first.assign(rp.arrows.size(), 0);
  for (std::size_t i = 0; i < rp.arrows.size(); ++i) {
    auto it = numbers.find(key(rp.arrows[i]));
    if (it == numbers.end() || it->second.isEmpty()) continue;
    c.path_is_first[i] = 1;
    QString t = it->second.join(",");
    it->second.clear();
    const double w = std::max(2 * badge_r, QFontMetricsF(badge_f).horizontalAdvance(t) + badge_r);
    auto at_frac = [&](double f) {
      QPointF at = point_along(rp.arrows[i].pts, f);
      return pl.clamp(QRectF(at.x() - w / 2, at.y() - badge_r, w, 2 * badge_r));
    };
    // On the arrow, near its middle, clear of boxes and other badges.
    QRectF rr;
    for (double f : {0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8})
      if (pl.free(at_frac(f))) { rr = at_frac(f); break; }
    if (rr.isNull()) rr = pl.around(at_frac(0.5));
    pl.obstacles.push_back(rr);
    c.badges.push_back({rr, t, t.split(',').contains(QString::number(rp.arrows.size()))});
    c.g.texts.push_back({DiagramText::Badge, rr, t, badge_f.pixelSize() * sc});
  }

  // From here on texts keep off the path's lines (the badges sit on them).
  for (const auto& a : rp.arrows) pl.lines.push_back(a.pts);

  // must: 0 only beside the arrow; 1 also the nearest free spot anywhere;
  // 2 that spot even over a line of the path; 3 somewhere in any case.
  // off_lines: Prefer a spot beside the arrow off the other arrows' lines
  // (Placer::others, its own left out), then any free spot beside it; Only
  // the first (the caller tries narrower blocks next). The data-file spot
  // comes first in each round.
  enum class OffLines { Ignore, Prefer, Only };
  auto place_arrow_label = [&](const DiagramArrow& a, const QFont& f, int must, double wrap = 0.6,
                               OffLines off_lines = OffLines::Ignore) {
    LabelItem it;
    const bool zh = th.zh();
    it.l1 = zh ? a.event_zh : a.event;
    it.l2 = zh ? a.action_zh : a.action;
    if (it.l2 == "x") it.l2.clear();  // RFC 793's "no action"
    {
      // At most 60% of the canvas wide (or what the caller asks): long
      // causes wrap.
      QFontMetricsF fm(f);
      it.l1 = wrap_text(it.l1, fm, wrap_base * wrap);
      it.l2 = wrap_text(it.l2, fm, wrap_base * wrap);
    }
    QSizeF sz = label_size(f, it.l1, it.l2);
    std::vector<QRectF> tries;
    for (QPointF p : label_candidates(a, sz))
      tries.push_back(pl.clamp(QRectF(p.x() - sz.width() / 2, p.y() - sz.height() / 2, sz.width(), sz.height())));
    if (off_lines != OffLines::Ignore)
      for (const auto& r : tries)
        if (pl.free(r) && pl.off_others(r, a.pts)) { it.r = r; it.ok = true; break; }
    if (!it.ok && off_lines != OffLines::Only)
      for (const auto& r : tries)
        if (pl.free(r)) { it.r = r; it.ok = true; break; }
    if (!it.ok && must > 0 && !tries.empty()) {
      // No free spot beside the arrow: the nearest one to its middle
      // (or, failing that, the first try: the tests report the overlap).
      const QPointF m = point_along(a.pts, 0.5);
      const QRectF want(m.x() - sz.width() / 2, m.y() - sz.height() / 2, sz.width(), sz.height());
      QRectF r = pl.nearest_free(want);
      if (r.isNull() && must >= 2) {
        const auto lines = pl.lines;
        pl.lines.clear();
        r = pl.nearest_free(want);
        pl.lines = lines;
      }
      if (r.isNull() && must >= 3) r = tries.front();
      if (!r.isNull()) {
        it.r = r;
        it.ok = true;
      }
    }
    if (it.ok) pl.placed.push_back(it.r);
    it.px = f.pixelSize();
    return it;
  };

  // 1. The timer chip beside the current state.
  if (c.current_box >= 0 && !s.timers.isEmpty() && s.progress >= 0.5) {
    QFont f = make_font(th, c.fonts.label, true);
    QFontMetricsF fm(f);
    const QRectF br = c.box_rects[c.current_box];
    int shrink_step = 0;  // a crowded small panel: smaller text, as the labels do
  retry_smaller:
    // One line ("RTO 222 ms  keepalive 22 ms"), else one timer per line
    // when the line finds no free place beside the state (a narrow panel).
    auto tries_for = [&](const QString& text) {
      double w = 0;
      for (const auto& line : text.split('\n')) w = std::max(w, fm.horizontalAdvance(line));
      const QSizeF sz(w + 16, fm.height() * (text.count('\n') + 1) + 6);
      return std::vector<QRectF>{
          QRectF(br.center().x() - sz.width() / 2, br.bottom() + 6, sz.width(), sz.height()),
          QRectF(br.center().x() - sz.width() / 2, br.top() - 6 - sz.height(), sz.width(), sz.height()),
          QRectF(br.right() + 6, br.center().y() - sz.height() / 2, sz.width(), sz.height()),
          QRectF(br.left() - 6 - sz.width(), br.center().y() - sz.height() / 2, sz.width(), sz.height()),
          // Corners: beside the box, level with its top or its bottom.
          QRectF(br.right() + 6, br.top(), sz.width(), sz.height()),
          QRectF(br.right() + 6, br.bottom() - sz.height(), sz.width(), sz.height()),
          QRectF(br.left() - 6 - sz.width(), br.top(), sz.width(), sz.height()),
          QRectF(br.left() - 6 - sz.width(), br.bottom() - sz.height(), sz.width(), sz.height()),
          QRectF(br.left(), br.bottom() + 6, sz.width(), sz.height()),
          QRectF(br.right() - sz.width(), br.bottom() + 6, sz.width(), sz.height()),
          QRectF(br.left(), br.top() - 6 - sz.height(), sz.width(), sz.height()),
          QRectF(br.right() - sz.width(), br.top() - 6 - sz.height(), sz.width(), sz.height())};
    };
    c.timer_r = QRectF();
    const QRectF saved = pl.canvas;
    if (!view_inner.isNull()) pl.canvas = view_inner;  // zoomed: in view
    std::vector<QRectF> tries;
    // Last resort on a crowded panel: the first timer and how many more
    // (the event log and the inspector list them all).
    QStringList variants = {s.timers.join("  "), s.timers.join("\n")};
    if (s.timers.size() > 1) variants << s.timers.front() + QStringLiteral(" (+%1)").arg(s.timers.size() - 1);
    for (const QString& text : variants) {
      c.timer_text = text;
      tries = tries_for(text);
      for (auto r : tries) {
        r = pl.clamp(r);
        if (pl.free(r)) { c.timer_r = r; break; }
      }
      if (!c.timer_r.isNull()) break;
    }
    if (c.timer_r.isNull() && !th.presentation && shrink_step < 2) {
      ++shrink_step;
      f = make_font(th, c.fonts.label * (shrink_step == 1 ? 0.8 : 0.65), true);
      fm = QFontMetricsF(f);
      pl.canvas = saved;
      goto retry_smaller;
    }
    if (c.timer_r.isNull()) c.timer_r = pl.around(pl.clamp(tries[0]));
    pl.canvas = saved;
    pl.placed.push_back(c.timer_r);
    c.g.texts.push_back({DiagramText::Timer, c.timer_r, c.timer_text, f.pixelSize() * sc});
  }
  // The arrows not taken, whose lines the labels keep off where they can.
  for (std::size_t i = 0; i < l.arrows.size(); ++i)
    if (!on_path(l.arrows[i])) pl.others.push_back(c.static_pts[i]);
  // 2. The path's labels, latest first.
  c.path_labels.resize(rp.arrows.size());
  for (std::size_t k = rp.arrows.size(); k-- > 0;) {
    // One label per arrow: the latest transition's, else the first time.
    const bool again_latest = k + 1 != rp.arrows.size() && key(rp.arrows[k]) == key(rp.arrows.back());
    if ((!c.path_is_first[k] || again_latest) && k + 1 != rp.arrows.size()) continue;
    bool latest = k + 1 == rp.arrows.size();
    const QRectF saved_canvas = pl.canvas;
    // Zoomed: the latest label in view, and the others of arrows in view.
    if (!view_inner.isNull() && (latest || crosses(rp.arrows[k].pts, view_inner))) pl.canvas = view_inner;
    // The latest transition's label is always shown: smaller if need be
    // on a crowded small panel. Earlier ones yield when there is no room
    // (their numbers stay on the arrows).
    LabelItem it;
    // A narrower, taller block first, then smaller text.
    // On a projector the text never gets smaller than 24 px: only
    // narrower blocks are tried.
    bool done = false;
    // Zoomed (DiagramFit::focus), too: the zoom is there to make it
    // legible; and the latest label never shrinks (the one label that must
    // be read): a narrower block, else the nearest free spot.
    const bool keep_size = th.presentation || zoom.sc > 0 || latest;
    const std::vector<double> shrinks =
        keep_size ? std::vector<double>{1.0} : std::vector<double>{1.0, 0.85, 0.72, 0.6};
    const std::vector<double> wraps =
        keep_size ? std::vector<double>{0.6, 0.45, 0.32, 0.22} : std::vector<double>{0.6, 0.4, 0.28};
    // First, at full size, a block of any of the widths beside the arrow
    // and off the grey arrows (a label on one reads as its name); then as
    // before, where it may lie on one.
    for (double wrap : wraps) {
      it = place_arrow_label(rp.arrows[k], make_font(th, c.fonts.label, true), 0, wrap, OffLines::Only);
      if (it.ok) { done = true; break; }
    }
    for (double shrink : shrinks) {
      if (done) break;
      for (double wrap : wraps) {
        const bool last_try = shrink == shrinks.back() && wrap == wraps.back();
        it = place_arrow_label(rp.arrows[k], make_font(th, c.fonts.label * shrink, true), 0, wrap);
        // The latest label must show: then anywhere free, over a line of
        // the path if need be, the widest block first.
        // On a projector a label that finds no room near its arrow goes
        // into a caption band under the diagram instead (see below).
        const int max_must = th.presentation ? 1 : 3;
        for (int must = 1; latest && last_try && !it.ok && must <= max_must; ++must)
          for (double w : wraps) {
            it = place_arrow_label(rp.arrows[k], make_font(th, c.fonts.label * shrink, true), must, w);
            if (it.ok) break;
          }
        if (it.ok || (!latest && wrap == wraps.back())) { done = true; break; }
      }
      if (done) break;
    }
    if (latest && !it.ok && th.presentation) {
      // The caption band under the canvas: the label at 24 px as wide as
      // the panel. The first pass only measures it; the caller lays out
      // again with the band reserved.
      QFont f = make_font(th, c.fonts.label, true);
      const double band_w = (target.width() - 12) / sc;  // canvas units
      it.l1 = th.zh() ? rp.arrows[k].event_zh : rp.arrows[k].event;
      it.l2 = th.zh() ? rp.arrows[k].action_zh : rp.arrows[k].action;
      if (it.l2 == "x") it.l2.clear();
      // Away from its arrow, the label names the step number on it: "③".
      const int step = static_cast<int>(k) + 1;
      it.l1 = (step <= 20 ? QString(QChar(0x2460 + step - 1)) : QString("(%1)").arg(step)) + " " + it.l1;
      QFontMetricsF fm(f);
      it.l1 = wrap_text(it.l1, fm, band_w - 10);
      it.l2 = wrap_text(it.l2, fm, band_w - 10);
      const QSizeF sz = label_size(f, it.l1, it.l2);
      it.px = f.pixelSize();
      const double needed = sz.height() * sc + 8;
      if (caption_h >= needed - 0.5) {
        it.r = QRectF(l.canvas.width() / 2 - sz.width() / 2, l.canvas.height() + 4 / sc, sz.width(), sz.height());
        it.ok = true;
        c.caption = true;
      } else {
        c.need_caption = needed;
      }
    }
    pl.canvas = saved_canvas;
    c.path_labels[k] = it;
    if (it.ok)
      c.g.texts.push_back({latest ? DiagramText::LatestLabel : DiagramText::PathLabel, it.r, flat(it), it.px * sc});
    else
      ++c.g.hidden_labels;
    if (latest) {
      c.g.highlighted_from = rp.arrows[k].from_state;
      c.g.highlighted_to = rp.arrows[k].to_state;
      c.g.highlighted_event = k < rp.events.size() ? rp.events[k] : std::string();
      c.g.highlighted_label = flat(it);
      c.g.highlighted_rst = rp.arrows[k].rst;
      c.g.highlighted_dashed = rp.arrows[k].dynamic || rp.arrows[k].quiet_abort;
    }
  }
  // 3. Self-loops on their states' boxes, with counts.
  for (const auto& lp : s.loops) {
    int bi = -1;
    // The box of that state on the path (the last visit), else the first.
    for (std::size_t i = rp.boxes.size(); i-- > 0;)
      if (l.boxes[rp.boxes[i]].state == lp.state) { bi = rp.boxes[i]; break; }
    if (bi < 0) bi = l.first_box(lp.state);
    if (bi < 0) continue;
    QRectF br = c.box_rects[bi];
    const QString what = th.zh() ? lp.what_zh : lp.what;
    const double rr = std::max(14.0, br.height() * 0.35);
    Computed::LoopDraw d;
    d.latest = lp.latest;
    QFont f;
    QString text;
    // Smaller text before giving up on a crowded small panel; on a
    // projector a narrower block instead (24 px is the floor).
    struct Fit { double shrink, wrap; };
    const std::vector<Fit> fits = th.presentation || zoom.sc > 0
        ? std::vector<Fit>{{1.0, 0.45}, {1.0, 0.32}, {1.0, 0.22}}
        : std::vector<Fit>{{1.0, 0.45}, {0.85, 0.45}, {0.72, 0.45}, {0.6, 0.45}};
    // Zoomed: the label in view when its state is (the latest loop's always).
    const QRectF saved_canvas = pl.canvas;
    if (!view_inner.isNull() && (lp.latest || view_inner.intersects(br))) pl.canvas = view_inner;
    for (const Fit& fit : fits) {
      const double shrink = fit.shrink;
      f = make_font(th, c.fonts.label * shrink, lp.latest);
      text = wrap_text(QString("%1 ×%2").arg(what).arg(lp.count), QFontMetricsF(f), wrap_base * fit.wrap);
      const QSizeF sz = label_size(f, text, QString());
      d.lab.l1 = text;
      d.lab.px = f.pixelSize();
      // Corners: the loop leaves and re-enters the box around one corner;
      // its label sits outside that corner.
      struct Corner { QPointF p; double sx, sy; };
      const Corner corners[4] = {{br.topRight(), 1, -1}, {br.bottomRight(), 1, 1},
                                 {br.topLeft(), -1, -1}, {br.bottomLeft(), -1, 1}};
      for (const auto& cn : corners) {
        QPointF a = cn.p + QPointF(-cn.sx * rr * 1.2, 0);
        QPointF b = cn.p + QPointF(0, -cn.sy * rr * 0.6);
        QPointF o = cn.p + QPointF(cn.sx * rr * 0.8, cn.sy * rr * 1.4);
        QVector<QPointF> pts{a, QPointF(a.x(), o.y()), QPointF(o.x(), o.y()), QPointF(o.x(), b.y()), b};
        QPointF lc = QPointF(o.x() + cn.sx * (sz.width() / 2 + 4), o.y() + cn.sy * (sz.height() / 2));
        for (double slide : {0.0, 1.0, -1.0}) {
          QRectF r(lc.x() - sz.width() / 2, lc.y() - sz.height() / 2 + slide * sz.height(), sz.width(), sz.height());
          r = pl.clamp(r);
          if (pl.free(r)) { d.lab.r = r; d.lab.ok = true; break; }
        }
        if (d.lab.ok) { d.pts = pts; break; }
      }
      const QPointF a = br.topRight() + QPointF(-rr * 1.2, 0);
      const QVector<QPointF> top_right{a, a + QPointF(0, -rr * 1.4), br.topRight() + QPointF(rr * 0.8, -rr * 1.4),
                                       br.topRight() + QPointF(rr * 0.8, rr * 0.6),
                                       br.topRight() + QPointF(0, rr * 0.6)};
      const QRectF want = pl.clamp(QRectF(br.right() + rr, br.top() - rr * 1.4 - sz.height(), sz.width(), sz.height()));
      if (!d.lab.ok) {
        // No corner has room: the nearest free spot, the loop on the top right.
        QRectF r = pl.around(want);
        if (pl.free(r)) {
          d.pts = top_right;
          d.lab.r = r;
          d.lab.ok = true;
        }
      }
      if (d.lab.ok) break;
      if (&fit == &fits.back()) {  // reported: the tests see it
        d.pts = top_right;
        d.lab.r = want;
        d.lab.ok = true;
      }
    }
    pl.canvas = saved_canvas;
    pl.placed.push_back(d.lab.r);
    pl.lines.push_back(d.pts);
    c.g.texts.push_back({DiagramText::Loop, d.lab.r, QString(text).replace('\n', ' '), f.pixelSize() * sc});
    c.loops.push_back(d);
  }
  // 4. The other arrows' labels, where there is room.
  c.static_labels.resize(l.arrows.size());
  QFont lf = make_font(th, c.fonts.label, false);
  for (std::size_t i = 0; i < l.arrows.size(); ++i) {
    const auto& a = l.arrows[i];
    if (on_path(a)) continue;
    DiagramArrow trimmed = a;
    trimmed.pts = c.static_pts[i];
    c.static_labels[i] = place_arrow_label(trimmed, lf, 0, 0.6, OffLines::Prefer);
    const auto& it = c.static_labels[i];
    if (it.ok)
      c.g.texts.push_back({DiagramText::ArrowLabel, it.r, flat(it),
                           lf.pixelSize() * sc});
    else
      ++c.g.hidden_labels;
  }
  // Canvas -> target for the reported boxes and lines.
  for (const auto& ln : pl.others) {
    QPolygonF t;
    for (const QPointF& q : ln) t << c.g.origin + q * sc;
    c.g.other_lines.push_back(t);
  }
  for (auto& t : c.g.texts) {
    if (t.role == DiagramText::Title) continue;
    t.box = QRectF(c.g.origin + t.box.topLeft() * sc, t.box.size() * sc);
  }
  return c;
}

void draw_label(QPainter& p, const LabelItem& it, QFont f, QColor c, QColor bg) {
  if (!it.ok) return;
  if (it.px > 0) f.setPixelSize(int(it.px));
  QFontMetricsF fm(f);
  // Bold Chinese under 16 px on the target drawn regular ("收到对 SYN 的
  // ACK"), in the room measured for the bold.
  p.setFont(drawn_font(f, it.l1 + it.l2, f.pixelSize() * p.worldTransform().m11()));
  p.setPen(Qt::NoPen);
  p.setBrush(bg);
  p.drawRect(it.r);
  p.setPen(c);
  if (it.l2.isEmpty()) {
    p.drawText(it.r, Qt::AlignCenter, it.l1);
    return;
  }
  // Event over action, a rule between (RFC 793's "event / action" stacked).
  const double mid = it.r.top() + 1 + fm.height() * line_count(it.l1);
  p.drawText(QRectF(it.r.left(), it.r.top(), it.r.width(), mid - it.r.top()), Qt::AlignCenter, it.l1);
  p.drawLine(QPointF(it.r.left() + 4, mid), QPointF(it.r.right() - 4, mid));
  p.drawText(QRectF(it.r.left(), mid, it.r.width(), it.r.bottom() - mid), Qt::AlignCenter, it.l2);
}

void draw_poly(QPainter& p, const QVector<QPointF>& pts, double head) {
  for (int i = 1; i < pts.size(); ++i) p.drawLine(pts[i - 1], pts[i]);
  if (pts.size() >= 2) arrow_head(p, pts[pts.size() - 2], pts.back(), head);
}

// RST's own mark (not colour alone): two short bars across the line near
// its start, like a cut.
void rst_mark(QPainter& p, const QVector<QPointF>& pts, double size) {
  QPointF dir;
  QPointF at = point_along(pts, 0.25, &dir);
  QPointF n(-dir.y(), dir.x());
  for (double k : {-0.35, 0.35}) {
    QPointF c = at + dir * (k * size);
    p.drawLine(c - n * size, c + n * size);
  }
}

void badge(QPainter& p, const QRectF& rr, const QString& text, QColor bg, const QFont& f) {
  p.setFont(f);
  p.setPen(QPen(Qt::white, 1.5));
  p.setBrush(bg);
  p.drawRoundedRect(rr, rr.height() / 2, rr.height() / 2);
  p.setPen(Qt::white);
  p.drawText(rr, Qt::AlignCenter, text);
}
}  // namespace

// The boxes in sight for DiagramGeometry::boxes (target coordinates).
static void report_boxes(Computed& c, const DiagramLayout& l) {
  c.g.boxes.clear();
  const double sc = c.g.scale;
  const QRectF view = c.g.zoomed ? c.g.view : QRectF(QPointF(0, 0), l.canvas);
  std::vector<bool> needed(l.boxes.size(), false);
  if (c.current_box >= 0) needed[c.current_box] = true;
  if (c.rp.boxes.size() >= 2) {
    for (std::size_t k : {c.rp.boxes.size() - 2, c.rp.boxes.size() - 1})
      if (c.rp.boxes[k] >= 0 && static_cast<std::size_t>(c.rp.boxes[k]) < needed.size()) needed[c.rp.boxes[k]] = true;
  }
  for (std::size_t i = 0; i < l.boxes.size() && i < c.box_rects.size(); ++i) {
    const QRectF r = c.box_rects[i];
    if (!view.intersects(r)) continue;
    const bool cur = static_cast<int>(i) == c.current_box;
    DiagramGeometry::Box b;
    b.state = l.boxes[i].state;
    b.r = QRectF(c.g.origin + r.topLeft() * sc, r.size() * sc);
    b.named = !c.g.zoomed || view.contains(r);
    b.needed = needed[i];
    b.name_px = (cur ? c.fonts.current : c.fonts.state) * sc;
    c.g.boxes.push_back(b);
  }
}

// The figure with its columns of boxes `k` times as far apart (the
// outermost columns keep their margins): a narrow pane's zoom
// (compute_fit). Rows, box sizes and the routes' shapes are kept; arrow
// points and label anchors move with the columns. k = 1: `l` itself.
static const DiagramLayout& squeezed(const DiagramLayout& l, double k) {
  if (k >= 1.0 || l.boxes.empty()) return l;
  static std::mutex mu;
  static std::map<std::pair<const DiagramLayout*, int>, DiagramLayout> cache;
  std::lock_guard<std::mutex> lock(mu);
  const auto key = std::make_pair(&l, int(std::lround(k * 1000)));
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  double x0 = l.boxes.front().c.x(), x1 = x0;
  for (const auto& b : l.boxes) {
    x0 = std::min(x0, b.c.x());
    x1 = std::max(x1, b.c.x());
  }
  const auto f = [&](double x) {
    return x0 + (std::clamp(x, x0, x1) - x0) * k + std::min(0.0, x - x0) + std::max(0.0, x - x1);
  };
  DiagramLayout q = l;
  q.canvas.setWidth(f(l.canvas.width()));
  for (auto& b : q.boxes) b.c.setX(f(b.c.x()));
  for (auto& a : q.arrows) {
    for (auto& pt : a.pts) pt.setX(f(pt.x()));
    a.label.setX(f(a.label.x()));
  }
  return cache.emplace(key, std::move(q)).first->second;
}

// Whether two drawn texts overlap (touching edges, within half a pixel, do not).
static bool boxes_overlap(const QRectF& a, const QRectF& b) {
  return a.adjusted(0.5, 0.5, -0.5, -0.5).intersects(b.adjusted(0.5, 0.5, -0.5, -0.5));
}

// The names of boxes the zoomed frame cuts are not drawn whole: each is
// shortened into the part of its box in view ("ESTABLI…", DiagramText::
// CutState), or left out where not three characters fit. Idempotent.
static void drop_cut_names(Computed& c) {
  report_boxes(c, *c.layout);
  std::vector<DiagramText> kept;
  for (const auto& t : c.g.texts) {
    bool cut = t.role == DiagramText::CutState;
    if (t.role == DiagramText::State || t.role == DiagramText::CurrentState)
      for (const auto& b : c.g.boxes) cut |= !b.named && b.r.contains(t.box.center());
    if (!cut) kept.push_back(t);
  }
  c.g.texts = std::move(kept);
  c.cut_names.clear();
  if (!c.g.zoomed) return;
  const double sc = c.g.scale;
  for (std::size_t i = 0; i < c.box_rects.size() && i < c.box_fonts.size(); ++i) {
    const QRectF& r = c.box_rects[i];
    if (!c.g.view.intersects(r) || c.g.view.contains(r)) continue;
    const QRectF in = r.intersected(c.g.view).adjusted(3 / sc, 0, -3 / sc, 0);
    const QFontMetricsF fm(c.box_fonts[i]);
    if (in.height() < fm.height() || in.width() <= 0) continue;
    const QString name = QString(c.box_names[i]).remove('\n');  // "SYN-\nRECEIVED"
    const QString shown = fm.elidedText(name, Qt::ElideRight, in.width());
    if (shown != name && shown.size() < 4) continue;  // "SY…": not worth a guess
    const double tw = text_width(fm, shown), th = fm.height();
    // Against the edge of the view, so that the shortened name reads as cut.
    const bool cut_left = r.left() < c.g.view.left();
    const double x = cut_left ? in.right() - tw : in.left();
    const QRectF tr(x, r.center().y() - th / 2, tw, th);
    const QRectF target(c.g.origin + tr.topLeft() * sc, tr.size() * sc);
    // Never over another text (a label beside the box): then no name.
    bool clear = true;
    for (const auto& t : c.g.texts)
      clear &= !boxes_overlap(t.box, target);
    if (!clear) continue;
    c.cut_names[static_cast<int>(i)] = {shown, tr};
    c.g.texts.push_back({DiagramText::CutState, target, shown, c.box_fonts[i].pixelSize() * sc});
  }
}

// Whether two texts drawn overlap (a squeezed figure may leave a long
// label no free place).
static bool texts_overlap(const DiagramGeometry& g) {
  for (std::size_t i = 0; i < g.texts.size(); ++i)
    for (std::size_t j = i + 1; j < g.texts.size(); ++j)
      if (boxes_overlap(g.texts[i].box, g.texts[j].box))
        return true;
  return false;
}

// A projector's panel may have no room near the latest arrow for its label
// at 24 px: the diagram is then laid out again with a caption band under it.
static Computed compute_fit(const QRectF& target, const DiagramLayout& l, const DiagramState& s, const Theme& th,
                            const DiagramFit& fit) {
  Computed c = compute_pass(target, l, s, th, 0);
  if (c.need_caption > 0) {
    double h = c.need_caption;
    for (int i = 0; i < 3; ++i) {  // the band's text wraps at the new scale
      c = compute_pass(target, l, s, th, h);
      if (c.caption || c.need_caption <= 0) break;
      h = std::max(h + 10, c.need_caption);
    }
  }
  // A narrow pane (DiagramFit::focus): zoomed until the labels are
  // want_px, framed on the current state.
  if (!fit.focus || th.presentation || !s.current || c.fonts.label * c.g.scale >= fit.min_px) return c;
  // The figure as drawn, then with its columns closer (squeezed()): in a
  // portrait pane (200 px at 1024x768) two boxes side by side — the two
  // ends of most arrows — do not fit at a readable size 330 canvas units
  // apart. The least squeezed figure whose labels reach min_px wins, else
  // the least squeezed one reaching floor_px, else the largest text.
  struct Try {
    const DiagramLayout* l = nullptr;
    double k = 1, zsc = 0, px = 0, cap = 0;
    QRectF want, must;
    bool clean = false;  // no two texts overlap
    Computed z;
  };
  // The zoomed figure of a try: only texts whole in view are drawn (and
  // reported).
  const auto finish = [&](Try& t) {
    if (t.zsc <= c.g.scale + 1e-9) {
      t.z = c;
      t.clean = true;
      return;
    }
    Computed z = compute_pass(target, *t.l, s, th, 0, Zoom{t.zsc, fit.want_px, t.want, t.must, t.cap});
    z.g.reduced = t.px < fit.min_px - 1e-6;
    z.g.squeeze = t.k;
    std::vector<DiagramText> kept;
    const QRectF vis =
        QRectF(z.g.origin + z.g.view.topLeft() * t.zsc, z.g.view.size() * t.zsc).adjusted(-0.5, -0.5, 0.5, 0.5);
    for (const auto& tx : z.g.texts)
      if (tx.role == DiagramText::Title || vis.contains(tx.box)) kept.push_back(tx);
    z.g.texts = std::move(kept);
    drop_cut_names(z);
    t.clean = !texts_overlap(z.g);
    t.z = std::move(z);
  };
  std::vector<Try> tries;
  // Last, the figure as drawn with the font any current state allows:
  // smaller names, more room for a long label (a give-up, a discard).
  struct Squeeze { double k; bool any_current; };
  for (const Squeeze sq : {Squeeze{1.0, false}, Squeeze{0.85, false}, Squeeze{0.72, false}, Squeeze{0.6, false},
                           Squeeze{0.5, false}, Squeeze{1.0, true}}) {
    const double k = sq.k;
    const DiagramLayout& lk = squeezed(l, k);
    // The largest label font the boxes allow (canvas units) with this
    // current state: the scale that makes it want_px shows the most of the
    // figure at that size; down to min_px when that frames the whole
    // latest transition.
    const double cap = std::max(
        9.0, max_label_font(lk, th, false, kStateScale, kCurrentScale, sq.any_current ? -1 : c.current_box));
    const double zsc = fit.want_px / cap;
    if (k == 1.0 && !sq.any_current && zsc <= c.g.scale) return c;
    if (zsc <= c.g.scale) continue;
    Computed z = compute_pass(target, lk, s, th, 0, Zoom{zsc, fit.want_px, {}, {}, cap});
    // What should be in view: the current state, its timers, the latest
    // arrow and the state it left (the latest label is placed in view).
    QRectF want;
    if (z.current_box >= 0) want = z.box_rects[z.current_box];
    if (!z.rp.arrows.empty()) {
      for (QPointF pt : z.rp.arrows.back().pts) want |= QRectF(pt, QSizeF(1, 1));
      if (z.rp.boxes.size() >= 2 && z.rp.boxes[z.rp.boxes.size() - 2] >= 0)
        want |= z.box_rects[z.rp.boxes[z.rp.boxes.size() - 2]];
    }
    QRectF must;
    if (z.current_box >= 0) must = z.box_rects[z.current_box];
    for (const auto& d : z.loops)
      if (d.latest) {
        for (QPointF pt : d.pts) must |= QRectF(pt, QSizeF(1, 1));
        want |= must;
      }
    want.adjust(-16, -16, 16, 16);
    must.adjust(-16, -16, 16, 16);
    const QRectF area(target.left(), target.top() + z.title_h, target.width(), target.height() - z.title_h);
    const double fit_sc = std::min(area.width() / want.width(), area.height() / want.height());
    Try t;
    t.l = &lk;
    t.k = k;
    t.zsc = std::min(fit_sc, zsc);
    t.px = t.zsc * cap;
    t.want = want;
    t.must = must;
    t.cap = cap;
    finish(t);
    tries.push_back(std::move(t));
    if (tries.back().px >= fit.min_px - 1e-6 && tries.back().clean) break;
  }
  // Of the layouts where no two texts overlap (any, when none is clean).
  const Try* pick = nullptr;
  for (const bool need_clean : {true, false}) {
    for (const double floor : {fit.min_px, fit.floor_px})
      for (const Try& t : tries)
        if (!pick && t.px >= floor - 1e-6 && (t.clean || !need_clean)) pick = &t;
    if (!pick)
      for (const Try& t : tries)
        if ((t.clean || !need_clean) && (!pick || t.px > pick->px + 1e-6)) pick = &t;
    if (pick) break;
  }
  // Every box the picture needs — the current state, the state it left,
  // the latest arrow's two ends — is whole with its name: when they do not
  // fit at min_px the zoom falls back (down to the whole figure) rather
  // than cut one of them at the frame.
  return pick->z;
}

static Computed compute(const QRectF& target, const DiagramLayout& l, const DiagramState& s, const Theme& th,
                        const DiagramFit& fit) {
  Computed c = compute_fit(target, l, s, th, fit);
  // The name of a box the frame cuts is not drawn: not reported either.
  drop_cut_names(c);
  return c;
}

DiagramGeometry layout_state_diagram(const QRectF& target, const DiagramLayout& l,
                                     const DiagramState& s, const Theme& th, const DiagramFit& fit) {
  return compute(target, l, s, th, fit).g;
}

DiagramGeometry paint_state_diagram(QPainter& p, const QRectF& target, const DiagramLayout& l0,
                                    const DiagramState& s, const Theme& th, const DiagramFit& fit) {
  if (l0.boxes.empty()) return {};
  Computed c = compute(target, l0, s, th, fit);
  const DiagramLayout& l = *c.layout;  // squeezed when zoomed in a narrow pane
  const auto& rp = c.rp;
  p.save();
  p.setRenderHint(QPainter::Antialiasing);
  p.setRenderHint(QPainter::TextAntialiasing);
  p.setFont(c.title_font);
  p.setPen(th.black);
  p.drawText(QRectF(target.left(), target.top(), target.width(), c.title_h),
             Qt::AlignHCenter | Qt::AlignVCenter, c.title);

  const double sc = c.g.scale;
  p.translate(c.g.origin);
  p.scale(sc, sc);
  // Zoomed: the view alone, and of the texts only those whole in it.
  if (c.g.zoomed) p.setClipRect(c.g.view);
  const auto whole = [&](const QRectF& r) { return !c.g.zoomed || c.g.view.contains(r); };
  // Line widths: at least ~1.2 px on the target, thicker on a projector.
  const double unit = 1.0 / sc;
  const double lw = std::max(1.4, (th.presentation ? 2.2 : 1.3) * unit);
  const double head = std::max(11.0, 7 * unit) * (th.presentation ? 1.3 : 1.0);

  // 1. Every arrow of the data file, quiet grey; RST arrows thick and marked.
  const QColor grey(0x8A, 0x8A, 0x8A);
  for (std::size_t i = 0; i < l.arrows.size(); ++i) {
    const auto& a = l.arrows[i];
    QPen pen(grey, a.rst ? lw * 2 : lw);
    if (a.quiet_abort) pen.setStyle(Qt::DashLine);
    p.setPen(pen);
    draw_poly(p, c.static_pts[i], head);
    if (a.rst) rst_mark(p, c.static_pts[i], head * 0.9);
  }
  // 2. The path taken: blue, the latest vermillion and thickest.
  for (std::size_t i = 0; i < rp.arrows.size(); ++i) {
    const auto& a = rp.arrows[i];
    bool last = i + 1 == rp.arrows.size();
    QColor col = last ? th.vermillion : th.blue;
    double w = (last ? 3.2 : 2.2) * lw * (a.rst ? 1.4 : 1.0);
    QPen pen(col, w);
    if (a.quiet_abort || (a.dynamic && !a.rst)) pen.setStyle(Qt::DashLine);
    pen.setCapStyle(Qt::FlatCap);
    p.setPen(pen);
    draw_poly(p, a.pts, head * (last ? 1.5 : 1.25));
    if (a.rst) rst_mark(p, a.pts, head * 1.2);
  }
  // Self-loops.
  for (const auto& d : c.loops) {
    QColor col = d.latest ? th.vermillion : th.blue;
    QPen pen(col, (d.latest ? 2.6 : 1.8) * lw, Qt::DashLine);  // retransmissions are dashed
    p.setPen(pen);
    draw_poly(p, d.pts, head);
    // A label that found room only away from its loop: a dotted leader
    // from the label to the loop's outer corner says whose it is.
    if (d.lab.ok && d.pts.size() >= 3) {
      const QPointF o = d.pts[2];
      const QRectF near = d.lab.r.adjusted(-30, -30, 30, 30);
      if (!near.contains(o)) {
        p.setPen(QPen(col, lw, Qt::DotLine));
        p.drawLine(edge_point(d.lab.r, o), o);
      }
    }
  }
  // Marker travelling along the latest arrow.
  if (!rp.arrows.empty() && s.progress < 1.0) {
    QPointF m = point_along(rp.arrows.back().pts, s.progress);
    p.setPen(QPen(Qt::black, lw * 1.5));
    p.setBrush(th.yellow);
    double r = std::max(13.0, 8 * unit);
    p.drawEllipse(m, r, r);
  }

  // 3. Boxes: current saturated orange with a thick black border; visited
  // light sky blue; others white.
  for (std::size_t i = 0; i < l.boxes.size(); ++i) {
    const QRectF& r = c.box_rects[i];
    const bool cur = static_cast<int>(i) == c.current_box;
    const bool visited = c.first_visit.count(static_cast<int>(i)) > 0;
    if (cur) {
      p.setPen(QPen(th.black, std::max(5.0, 3.5 * unit)));
      p.setBrush(th.orange);
    } else if (visited) {
      p.setPen(QPen(th.blue, std::max(2.5, 2 * unit)));
      p.setBrush(th.visited_fill);
    } else {
      p.setPen(QPen(QColor(0x60, 0x60, 0x60), std::max(1.5, 1.2 * unit)));
      p.setBrush(Qt::white);
    }
    p.drawRoundedRect(r, 8, 8);
    if (!whole(r)) {
      const auto cn = c.cut_names.find(static_cast<int>(i));
      if (cn == c.cut_names.end()) continue;
      p.setFont(c.box_fonts[i]);
      p.setPen(th.black);
      p.drawText(cn->second.r, Qt::AlignCenter, cn->second.text);
      continue;
    }
    p.setFont(c.box_fonts[i]);
    p.setPen(th.black);
    p.drawText(r, Qt::AlignCenter, c.box_names[i]);
  }
  // Badges: visit order in box corners, transition numbers on the path.
  QFont bf = make_font(th, c.fonts.badge, true);
  for (const auto& b : c.badges)
    if (whole(b.r)) badge(p, b.r, b.text, b.latest ? th.vermillion : th.blue, bf);
  // 4. Labels: others grey, the path dark blue, the latest vermillion-dark.
  const QColor bg(255, 255, 255, 235);
  QFont lf = make_font(th, c.fonts.label, false);
  for (const auto& it : c.static_labels)
    if (whole(it.r)) draw_label(p, it, lf, QColor(0x55, 0x55, 0x55), bg);
  QFont pf = make_font(th, c.fonts.label, true);
  for (std::size_t k = 0; k < c.path_labels.size(); ++k) {
    bool last = k + 1 == c.path_labels.size();
    if (!whole(c.path_labels[k].r)) continue;
    draw_label(p, c.path_labels[k], pf, last ? th.vermillion.darker(135) : th.blue.darker(125), bg);
  }
  for (const auto& d : c.loops) {
    QFont f = make_font(th, c.fonts.label, d.latest);
    if (!whole(d.lab.r)) continue;
    draw_label(p, d.lab, f, d.latest ? th.vermillion.darker(135) : th.blue.darker(125), bg);
  }
  if (!c.timer_r.isNull() && whole(c.timer_r)) {
    QFont f = make_font(th, c.fonts.label, true);
    p.setFont(f);
    p.setPen(QPen(th.black, std::max(1.5, unit)));
    p.setBrush(th.yellow);
    p.drawRoundedRect(c.timer_r, 6, 6);
    p.drawText(c.timer_r, Qt::AlignCenter, c.timer_text);
  }
  p.restore();
  return c.g;
}

// ---- widget ----
StateDiagramWidget::StateDiagramWidget(QWidget* parent) : QWidget(parent) {
  setAttribute(Qt::WA_OpaquePaintEvent);
  setFocusZoom(true);
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
  geom_ = paint_state_diagram(p, QRectF(rect()).adjusted(4, 2, -4, -4), DiagramLayout::standard(), state_,
                              theme_, fit_);
  if (geom_.zoomed) {
    // Zoomed: a frame round the view says the figure goes on beyond it.
    const QRectF v(geom_.origin + geom_.view.topLeft() * geom_.scale, geom_.view.size() * geom_.scale);
    p.setPen(QPen(QColor(0x88, 0x88, 0x88), 1, Qt::DashLine));
    p.setBrush(Qt::NoBrush);
    p.drawRect(v.adjusted(0.5, 0.5, -0.5, -0.5));
  }
}
void StateDiagramWidget::setFocusZoom(bool on) {
  fit_.focus = on;
  setToolTip(on ? tr("Zoomed on the current state when the pane is narrow; double-click for the whole diagram")
                : tr("Double-click to zoom on the current state"));
  update();
}
void StateDiagramWidget::mouseDoubleClickEvent(QMouseEvent* e) {
  setFocusZoom(!fit_.focus);
  QWidget::mouseDoubleClickEvent(e);
}

}  // namespace tcpsim::render
