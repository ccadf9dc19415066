#include "ladder.hpp"

#include <unordered_map>
#include <QCoreApplication>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QPainterPath>
#include <QScrollArea>
#include <QScrollBar>
#include <QToolTip>
#include <QVBoxLayout>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <array>
#include <set>

namespace tcpsim::render {

namespace {
constexpr int kMinWidth = 480;
constexpr double kCell = 48;         // collision index: height of a cell
constexpr double kLinearMaxH = 100000;  // Linear: the tallest ladder (px) before the scale shrinks

// The full time of an instant, never abbreviated: "11.320 ms", "60.118 s".
QString axis_time(Time t) {
  if (t < sec(1)) return QString::number(t / 1000.0, 'f', 3) + " ms";
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

// A segment no TCP sent (scenario fault `inject:`): its send event's text
// says "injected, spoofed as A:P" or "injected, from A:P" (core/src/network.cpp,
// kernel/lab.cpp). "" for every other segment.
QString injected_label(const Event& s) {
  if (s.kind != EventKind::Segment || s.seg_op != SegOp::Send || s.text.rfind("injected, ", 0) != 0) return {};
  const std::string rest = s.text.substr(10);
  if (rest.rfind("spoofed as ", 0) == 0)
    return "⚡ " + QCoreApplication::translate("tcpsim::render", "injected, spoofed as %1")
                      .arg(QString::fromStdString(rest.substr(11)));
  return "⚡ " + QCoreApplication::translate("tcpsim::render", "injected, from %1")
                    .arg(QString::fromStdString(rest.rfind("from ", 0) == 0 ? rest.substr(5) : rest));
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

// A bar across the tip: RST's own end mark (not colour alone).
void reset_bar(QPainter& p, QPointF from, QPointF to, double size, QColor c, double w) {
  QLineF l(from, to);
  QLineF n = l.normalVector().unitVector();
  QPointF d(n.dx() * size, n.dy() * size);
  p.save();
  p.setPen(QPen(c, w, Qt::SolidLine, Qt::FlatCap));
  p.drawLine(to - d, to + d);
  p.restore();
}

// Text widths as the sum of each character's advance, each measured once:
// shaping every label of a 100,000-segment run costs seconds, this costs a
// table look-up per character. Kerning only narrows Latin text, so the sum is
// never short of the drawn width; 1 px is added for rounding.
class TextWidth {
 public:
  explicit TextWidth(const QFont& f) : fm_(f) { ascii_.fill(-1); }
  double operator()(const QString& s) const {
    double w = 0;
    for (QChar c : s) w += of(c);
    return s.isEmpty() ? 0 : w + 1;
  }
  const QFontMetricsF& metrics() const { return fm_; }

 private:
  double of(QChar c) const {
    const char16_t u = c.unicode();
    if (u < 128) {
      double& a = ascii_[u];
      if (a < 0) a = fm_.horizontalAdvance(c);
      return a;
    }
    auto it = other_.find(u);
    if (it == other_.end()) it = other_.emplace(u, fm_.horizontalAdvance(c)).first;
    return it->second;
  }
  QFontMetricsF fm_;
  mutable std::array<double, 128> ascii_;
  mutable std::map<char16_t, double> other_;
};

// Does the segment l touch the box r?
bool line_hits(const QLineF& l, const QRectF& r) {
  if (r.contains(l.p1()) || r.contains(l.p2())) return true;
  const QPointF c[4] = {r.topLeft(), r.topRight(), r.bottomRight(), r.bottomLeft()};
  for (int i = 0; i < 4; ++i)
    if (l.intersects(QLineF(c[i], c[(i + 1) % 4]), nullptr) == QLineF::BoundedIntersection) return true;
  return false;
}

// Greedy word wrap to maxw; breaks at spaces, between CJK characters, and
// inside a word only when the word alone is wider than the line.
QStringList wrap(const QString& text, const TextWidth& tw, double maxw) {
  QStringList out;
  if (!text.contains('\n') && tw(text) <= maxw) return {text};
  for (const QString& para : text.split('\n')) {
    QStringList tokens;
    QString cur;
    // A run of Chinese characters of at most four is kept on one line: it
    // is usually one word ("定时器", "重传"), and a break inside it ("定时 /
    // 器") reads badly. A longer run may break between any two characters.
    QString run;
    const auto end_run = [&] {
      if (run.size() <= 4) {
        if (!run.isEmpty()) tokens << run;
      } else {
        for (QChar r : run) tokens << QString(r);
      }
      run.clear();
    };
    for (QChar c : para) {
      // Chinese closing punctuation never starts a line: it stays with the
      // character before it (the usual line-breaking rule for CJK text).
      if (QStringLiteral("，。、；：！？）》」』】").contains(c) && cur.isEmpty() && (!run.isEmpty() || !tokens.isEmpty())) {
        end_run();
        if (!tokens.isEmpty()) tokens.last() += c;
        continue;
      }
      if (is_cjk(c)) {
        if (!cur.isEmpty()) tokens << cur;
        cur.clear();
        run += c;
        continue;
      }
      end_run();
      if (c == ' ') {
        cur += c;
        tokens << cur;
        cur.clear();
      } else {
        cur += c;
      }
    }
    end_run();
    if (!cur.isEmpty()) tokens << cur;
    QString line;
    for (QString tok : tokens) {
      if (tw((line + tok).trimmed()) <= maxw) {
        line += tok;
        continue;
      }
      if (!line.trimmed().isEmpty()) out << line.trimmed();
      line.clear();
      while (tw(tok.trimmed()) > maxw && tok.size() > 1) {
        // A glued group ("= -1 ECONNRESET") too wide for the line breaks
        // at its no-break spaces first; a single word, by characters.
        int n = tok.lastIndexOf(QChar(0xA0));
        while (n > 0 && tw(tok.left(n)) > maxw) n = tok.lastIndexOf(QChar(0xA0), n - 1);
        if (n > 0) {
          out << tok.left(n);
          tok = tok.mid(n + 1);
          continue;
        }
        n = tok.size() - 1;
        while (n > 1 && tw(tok.left(n)) > maxw) --n;
        // A long word ("10.0.0.1:45232)") breaks after punctuation where it
        // can: after , : ( = > first, then . / - _, within the line's second half.
        [&] {
          for (const char* marks : {",:(=>", "./-_"})
            for (int k = n; k > n / 2; --k)
              if (tok[k - 1].unicode() > 0 && tok[k - 1].unicode() < 128 && std::strchr(marks, tok[k - 1].toLatin1())) {
                n = k;
                return;
              }
        }();
        // Inside a word (a letter on each side), the broken part ends in a
        // hyphen, as typesetters do, so "retransmis-/sion" reads as one word.
        const auto letter = [](QChar c) { return c.isLetter() && !is_cjk(c); };
        if (n > 1 && n < tok.size() && letter(tok[n - 1]) && letter(tok[n])) {
          while (n > 2 && tw(tok.left(n) + '-') > maxw) --n;
          if (letter(tok[n - 1]) && letter(tok[n])) {
            out << tok.left(n) + '-';
            tok = tok.mid(n);
            continue;
          }
        }
        out << tok.left(n);
        tok = tok.mid(n);
      }
      line = tok;
    }
    if (!line.trimmed().isEmpty() || out.isEmpty()) out << line.trimmed();
  }
  return out;
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

// ---------------------------------------------------------------- layout

namespace {
// A host with connections to itself (a segment sent over loopback: its hop is
// its own host, routing.hpp) gets two lifelines, so that each such segment is
// an arrow from one socket's side to the other's and not a label on one line:
// the side of its listening ports (listeners and the sockets they accepted)
// and the side of everything else (the active opens). A socket, a segment end
// or a process goes on a side by its local port (a segment: the sender's
// source port, the receiver's destination port). Returns a copy of the trace
// with those hosts split (hosts renumbered, names "box (clients)" and
// "box (:80)", short enough for the header at 1024x768), events in the same order so event and arrow indices
// stay those of `v`; null when no host talks to itself. `lane_host` gets, per
// host of the copy, the index of its host in `v`.
std::shared_ptr<const TraceView> loopback_lanes(const TraceView& v, std::vector<int>* lane_host) {
  const Trace& tr = v.trace();
  const std::size_t nh = tr.meta.hosts.size();
  std::vector<char> loop(nh, 0);
  bool any = false;
  for (const Event& e : tr.events)
    if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send && !e.forwarded && e.hop >= 0 &&
        e.host < nh && e.hop == static_cast<int>(e.host))
      loop[e.host] = 1, any = true;
  if (!any) return nullptr;
  std::vector<std::set<std::uint16_t>> listening(nh);
  for (const Event& e : tr.events)
    if (e.kind == EventKind::State && e.to == TcpState::Listen && e.host < nh && e.lport != 0)
      listening[e.host].insert(e.lport);
  for (std::size_t h = 0; h < nh; ++h)
    if (listening[h].empty()) loop[h] = 0;  // no listening side (a socket connected to itself)
  std::vector<int> first(nh, 0);
  auto out = std::make_shared<Trace>(tr);
  out->meta.hosts.clear();
  for (std::size_t h = 0; h < nh; ++h) {
    first[h] = static_cast<int>(out->meta.hosts.size());
    HostInfo hi = tr.meta.hosts[h];
    lane_host->push_back(static_cast<int>(h));
    if (!loop[h]) {
      out->meta.hosts.push_back(hi);
      continue;
    }
    lane_host->push_back(static_cast<int>(h));
    QStringList ports;
    for (std::uint16_t p : listening[h]) ports << QString::number(p);
    const QString name = QString::fromStdString(hi.name);
    HostInfo a = hi, b = hi;
    a.name = QCoreApplication::translate("tcpsim::render", "%1 (clients)").arg(name).toStdString();
    b.name = QCoreApplication::translate("tcpsim::render", "%1 (:%2)")
                 .arg(name, ports.join(QStringLiteral(", :")))
                 .toStdString();
    out->meta.hosts.push_back(a);
    out->meta.hosts.push_back(b);
  }
  auto lane = [&](std::size_t h, std::uint16_t port) {
    return first[h] + (loop[h] && listening[h].count(port) ? 1 : 0);
  };
  // Sockets and processes with a local port on the listening side.
  std::set<std::uint32_t> sock_listening;
  std::set<std::int32_t> pid_listening;
  for (const Event& e : tr.events)
    if (e.sock != 0 && e.host < nh && e.kind != EventKind::Segment && lane(e.host, e.lport) != first[e.host]) {
      sock_listening.insert(e.sock);
      if (e.pid != 0) pid_listening.insert(e.pid);
    }
  for (Event& e : out->events) {
    if (e.host >= nh) continue;
    const std::size_t h = e.host;
    int to = first[h];
    if (e.kind == EventKind::Segment)
      to = lane(h, e.seg_op == SegOp::Send ? e.seg.sport : e.seg.dport);
    else if (e.sock != 0)
      to = first[h] + (loop[h] && sock_listening.count(e.sock) ? 1 : 0);
    else if (e.pid != 0)
      to = first[h] + (loop[h] && pid_listening.count(e.pid) ? 1 : 0);
    if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send && e.hop >= 0 &&
        static_cast<std::size_t>(e.hop) < nh)
      e.hop = static_cast<std::int16_t>(lane(static_cast<std::size_t>(e.hop), e.seg.dport));
    e.host = static_cast<std::uint16_t>(to);
  }
  for (auto& s : out->meta.sockets)
    if (s.host < nh) s.host = static_cast<std::uint16_t>(first[s.host] + (loop[s.host] && sock_listening.count(s.id) ? 1 : 0));
  for (auto& p : out->meta.processes)
    if (p.host < nh) p.host = static_cast<std::uint16_t>(first[p.host] + (loop[p.host] && pid_listening.count(p.pid) ? 1 : 0));
  return std::make_shared<const TraceView>(std::shared_ptr<const Trace>(std::move(out)));
}
}  // namespace

LadderLayout::LadderLayout(const TraceView& v0, const Theme& th, LadderOptions o)
    : lanes_(loopback_lanes(v0, &lane_host_)), v_(lanes_ ? *lanes_ : v0), th_(th), o_(o) {
  if (!lanes_) lane_host_.clear();
  const TraceView& v = v_;
  const auto& ev = v.trace().events;
  first_ = v.cursor_for_time(o.from - 1);
  last_ = o.to == kNever ? ev.size() : v.cursor_for_time(o.to);
  QFont f = th.font(9.5);
  QFontMetricsF fm(f);
  line_h_ = fm.lineSpacing() + 3;
  send_slot_ = line_h_ * 1.8;
  break_h_ = line_h_ * 2.4;

  // The time column is as wide as its widest label.
  Time t_end = last_ > first_ ? ev[last_ - 1].t : 0;
  time_col_ = std::max({fm.horizontalAdvance(axis_time(t_end)), fm.horizontalAdvance("888.888 ms"),
                        fm.horizontalAdvance("88.888 s")}) + 14;

  // Lifelines: time | annotations | arrows | annotations.
  int nh = std::max<int>(1, static_cast<int>(v.trace().meta.hosts.size()));
  const double w = std::max<double>(o.width, kMinWidth);
  const double avail = w - time_col_;
  double left = time_col_ + avail * 0.3, right = w - avail * 0.3;
  {
    // The annotation columns are never narrower than the words that must
    // not be broken: a state's name and a failed call's "= -1 ECONNRESET"
    // (each outer column for its own host's calls).
    const TextWidth bold(th.font(9.5, true));
    double need_l = bold("SYN_RECEIVED") + 24, need_r = need_l;
    for (std::size_t i = first_; i < last_; ++i)
      if (ev[i].kind == EventKind::Call && ev[i].err != 0)
        if (const char* n = errno_name(ev[i].err)) {
          const double need = bold(QString("= %1 %2").arg(ev[i].ret).arg(n)) + 24;
          const int h = std::min<int>(ev[i].host, nh - 1);
          if (h == 0) need_l = std::max(need_l, need);
          if (h == nh - 1 && nh > 1) need_r = std::max(need_r, need);
        }
    // Every other annotation of an outer host: its words whole at its font,
    // in at most four lines (prepare's measure-only pass).
    prepare(std::vector<double>(nh, 0.0), &need_l, &need_r);
    // The width at which nothing is squeezed (natural_width()): both outer
    // columns this wide, and lifelines far enough apart for the widest
    // segment label on one line (two lines past 176 px).
    double widest = 0;
    {
      const TextWidth normal(th.font(9.5));
      for (const auto& a : v.arrows()) {
        if (a.send < first_ || a.send >= last_) continue;
        const Event& s = ev[a.send];
        const bool rst = s.seg.flags & kRst;
        QString label = QString::fromStdString(v.segment_label(s));
        if (rst) label = QCoreApplication::translate("tcpsim::render", "RST") + "  " + label;
        if (s.retrans) label += " ⟲ " + QCoreApplication::translate("tcpsim::render", "retransmission");
        const QString inj = injected_label(s);
        if (!inj.isEmpty()) label += " " + inj;
        widest = std::max(widest, (rst || s.retrans || !inj.isEmpty() ? bold : normal)(label));
      }
    }
    const double between = std::clamp(widest + 24, 150.0, 200.0);
    const int gaps = std::max(1, nh - 1);
    natural_w_ = std::max<double>(kMinWidth, time_col_ + need_l + between * gaps + need_r + 6);
    need_l = std::min(need_l, avail * 0.4);
    need_r = std::min(need_r, avail * 0.4);
    left = std::max(left, time_col_ + need_l);
    right = std::min(right, w - need_r);
    // Narrow (under ~1000 px): the lifelines move out towards their columns'
    // limits before a segment label must wrap.
    if (nh > 1 && right - left < between * gaps) {
      const double slack_l = left - (time_col_ + need_l), slack_r = (w - need_r) - right;
      double deficit = between * gaps - (right - left);
      const double dl = std::min(slack_l, std::max(deficit / 2, deficit - slack_r));
      left -= std::max(0.0, dl);
      deficit -= std::max(0.0, dl);
      right += std::max(0.0, std::min(slack_r, deficit));
    }
  }
  for (int i = 0; i < nh; ++i)
    host_x_.push_back(nh == 1 ? (left + right) / 2 : left + (right - left) * i / (nh - 1));
  size_ = QSizeF(w, 0);

  // Title and host headers.
  const QFont titlef = th.font(14, true);
  if (!o.title.isEmpty()) {
    QFontMetricsF tfm(titlef);
    LadderText t;
    t.full = o.title;
    t.lines = wrap(o.title, TextWidth(titlef), w - 24);
    double tw = 0;
    for (const auto& l : t.lines) tw = std::max(tw, tfm.horizontalAdvance(l));
    double th_px = t.lines.size() * tfm.lineSpacing() + 4;
    t.box = QRectF((w - tw) / 2 - 4, 6, tw + 8, th_px);
    t.role = LadderText::Title;
    Style st{titlef, th.black, Qt::transparent, false, 1};
    add_text(t, st);
    title_h_ = th_px + 12;
  }
  const auto& meta = v.trace().meta;
  // The address under a lifeline's name: the host's address, or the
  // addresses its segments really carried when the host talks to itself. A
  // connection over loopback goes from and to 127.0.0.1, not the host's
  // address; one to the host's own address goes over lo too
  // (loopback-tw-reuse: "127.0.0.1, 10.0.0.1", in the order first used in the
  // window). Each segment gives its sender's lifeline its source address and
  // its receiver's its destination address; a segment to or from another host
  // (or a router's copy) gives both the host's address.
  std::vector<QStringList> lane_addrs(host_x_.size());
  if (!lane_host_.empty()) {
    auto add = [&](std::size_t lane, std::uint32_t ip) {
      if (lane >= lane_addrs.size()) return;
      const QString s = QString::fromStdString(ip_string(ip));
      if (!lane_addrs[lane].contains(s)) lane_addrs[lane] << s;
    };
    for (std::size_t i = first_; i < last_; ++i) {
      const Event& e = ev[i];
      if (e.kind != EventKind::Segment || e.seg_op != SegOp::Send || e.hop < 0) continue;
      const std::size_t from = e.host, to = static_cast<std::size_t>(e.hop);
      if (from >= lane_host_.size() || to >= lane_host_.size() || from >= meta.hosts.size() ||
          to >= meta.hosts.size())
        continue;
      if (!e.forwarded && lane_host_[from] == lane_host_[to]) {
        add(from, e.seg.src_ip);
        add(to, e.seg.dst_ip);
      } else {
        add(from, meta.hosts[from].ip);
        add(to, meta.hosts[to].ip);
      }
    }
  }
  const QFont hf = th.font(11, true);
  QFontMetricsF hfm(hf);
  double header_bottom = title_h_ + 8;
  for (std::size_t h = 0; h < host_x_.size(); ++h) {
    double x = host_x_[h];
    QString name = h < meta.hosts.size() ? QString::fromStdString(meta.hosts[h].name) : "?";
    QString ip = !lane_addrs[h].isEmpty() ? lane_addrs[h].join(QStringLiteral(", "))
                 : h < meta.hosts.size()  ? QString::fromStdString(ip_string(meta.hosts[h].ip))
                                          : "";
    double bw = std::max(hfm.horizontalAdvance(name), fm.horizontalAdvance(ip)) + 24;
    // Neighbouring headers never touch: at most the distance to the next lifeline.
    double room = nh == 1 ? w - 20 : (right - left) / (nh - 1) - 12;
    bw = std::min(bw, std::max(room, 60.0));
    LadderText t;
    t.full = name + "\n" + ip;
    t.lines = {hfm.elidedText(name, Qt::ElideRight, bw - 8), fm.elidedText(ip, Qt::ElideRight, bw - 8)};
    t.elided = t.lines[0] != name || t.lines[1] != ip;
    t.box = QRectF(x - bw / 2, title_h_ + 8, bw, hfm.lineSpacing() + fm.lineSpacing() + 10);
    t.role = LadderText::Header;
    Style st{hf, th.black, h == 0 ? th.visited_fill : QColor(0xCC, 0xEE, 0xE2), true, 1};
    header_boxes_.push_back({add_text(t, st), x});
    header_bottom = std::max(header_bottom, t.box.bottom());
  }
  header_h_ = header_bottom + line_h_ * 0.6;

  // The cursor chip ("▶ 3.000 s") lives in the header band, where no text
  // is: left of the first header (above the time axis), else between two
  // headers or right of the last; a row of its own below them when none of
  // these gaps is wide enough. Sized for the widest time of the window.
  {
    const QFont chipf = th.font(9.5, true);
    const TextWidth cw(chipf);
    const double chip_w = std::max({cw("▶ " + axis_time(t_end)), cw("▶ 888.888 ms"), cw("▶ 88.888 s")}) + 14;
    const double chip_h = QFontMetricsF(chipf).height() + 2;
    double top = title_h_ + 8, bot = header_bottom;
    std::vector<std::pair<double, double>> taken;  // x extents of the headers
    for (const auto& hb : header_boxes_) taken.push_back({texts_[hb.first].box.left(), texts_[hb.first].box.right()});
    std::sort(taken.begin(), taken.end());
    std::vector<std::pair<double, double>> gaps;
    double x = 4;
    for (const auto& [l, r] : taken) {
      gaps.push_back({x, l - 8});
      x = std::max(x, r + 8);
    }
    gaps.push_back({x, w - 4});
    bool placed = false;
    if (bot - top >= chip_h)
      for (const auto& [l, r] : gaps)
        if (r - l >= chip_w) {
          chip_slot_ = QRectF(l, top + (bot - top - chip_h) / 2, r - l, chip_h);
          placed = true;
          break;
        }
    if (!placed) {
      chip_slot_ = QRectF(4, header_bottom + 4, w - 8, chip_h);
      header_h_ = chip_slot_.bottom() + line_h_ * 0.6;
    }
  }

  prepare(host_x_);

  // Linear: a constant px per ms, large enough that the shortest flight has
  // room for its label, as long as the ladder stays under kLinearMaxH.
  px_per_ms_ = o.px_per_ms;
  if (o.scale == TimeScale::Linear) {
    Time min_delay = kNever;
    for (const auto& a : v.arrows())
      if (a.send >= first_ && a.send < last_ && a.deliver >= 0 && static_cast<std::size_t>(a.deliver) < last_)
        min_delay = std::min(min_delay, ev[a.deliver].t - ev[a.send].t);
    if (min_delay != kNever && min_delay > 0) px_per_ms_ = std::max(px_per_ms_, send_slot_ * 2.2 / (min_delay / 1000.0));
    Time dur = last_ > first_ ? ev[last_ - 1].t - ev[first_].t : 0;
    if (dur > 0 && dur / 1000.0 * px_per_ms_ > kLinearMaxH)
      px_per_ms_ = kLinearMaxH / (dur / 1000.0);
  }

  // Equal delays, equal slopes: the span each delay needs is the longest any
  // of its arrows needed; a few passes settle it (each pass is linear).
  auto settle = [&] {
    std::map<Time, double> span;
    const int passes = ev.size() > 50000 ? 2 : 4;
    for (int pass = 0; pass < passes; ++pass) {
      layout_pass(span);
      bool changed = false;
      for (std::size_t i = 0; i < v.arrows().size(); ++i) {
        const auto& a = v.arrows()[i];
        const auto& g = ag_[i];
        if (!g.in_window) continue;
        std::ptrdiff_t end = a.deliver >= 0 ? a.deliver : a.drop;
        if (end < 0 || static_cast<std::size_t>(end) >= last_) continue;
        Time d = ev[end].t - ev[a.send].t;
        double s = g.y1 - g.y0;
        // An arrow pushed far (behind a burst of sends) keeps its own
        // length rather than stretching every flight of its delay.
        if (s > span_for(d, {}) + send_slot_ * 2.5) continue;
        if (s > span_for(d, span) + 0.5) {
          auto it = span.find(d);
          if (it == span.end()) span[d] = s;
          else it->second = std::max(it->second, s);
          changed = true;
        }
      }
      if (!changed) break;
    }
  };
  settle();
  if (o.scale == TimeScale::Linear && instants_.size() > 1) {
    // Uniform time: enough px per ms that every instant's events fit before
    // the next instant (up to 120 px/ms, and the height limit).
    double need = px_per_ms_;
    for (std::size_t j = 0; j + 1 < instants_.size(); ++j) {
      const double dt_ms = (instants_[j + 1].t - instants_[j].t) / 1000.0;
      need = std::max(need, std::min(120.0, (instants_[j].bottom - instants_[j].top + line_h_ * 0.6) / dt_ms));
    }
    Time dur = ev[last_ - 1].t - ev[first_].t;
    if (dur > 0) need = std::min(need, std::max(px_per_ms_, kLinearMaxH / (dur / 1000.0)));
    if (need > px_per_ms_ * 1.02) {
      px_per_ms_ = need;
      settle();
    }
  }

  // The lowest point drawn by the events up to each one (its texts, an
  // arrow's end): the cursor line goes below it, never through a label.
  // Only texts that hang from the event's own instant count: a long arrow's
  // label sits at its middle, later in time, and the cursor line must stay
  // at the cursor's time (so-linger-zero: a burst of 10 segments in flight
  // put it 40 ms too low, under labels whose arrows were not drawn yet).
  shown_bottom_.assign(last_ - first_, 0.0);
  for (std::size_t i = first_; i < last_; ++i) shown_bottom_[i - first_] = event_y_[i - first_];
  for (const auto& t : texts_)
    if (t.event >= static_cast<std::ptrdiff_t>(first_) && t.event < static_cast<std::ptrdiff_t>(last_) &&
        (t.role == LadderText::Annotation || t.role == LadderText::SegmentLabel || t.role == LadderText::DropReason ||
         t.role == LadderText::RstBadge) &&
        t.box.top() <= event_y_[t.event - first_] + line_h_)
      shown_bottom_[t.event - first_] = std::max(shown_bottom_[t.event - first_], t.box.bottom());
  for (std::size_t k = 1; k < shown_bottom_.size(); ++k) shown_bottom_[k] = std::max(shown_bottom_[k], shown_bottom_[k - 1]);

  // Collision index no longer needed after layout; paint uses text_order_.
  text_order_.resize(texts_.size());
  for (std::size_t i = 0; i < texts_.size(); ++i) text_order_[i] = i;
  std::sort(text_order_.begin(), text_order_.end(),
            [&](std::size_t a, std::size_t b) { return texts_[a].box.top() < texts_[b].box.top(); });
  for (const auto& t : texts_) max_text_h_ = std::max(max_text_h_, t.box.height());
  for (const auto& g : ag_)
    if (g.in_window) max_span_ = std::max(max_span_, g.y1 - g.y0);
}

// Text of every annotation (state, call, timer, signal, process, fault,
// note), measured and wrapped to its column once.
void LadderLayout::prepare(const std::vector<double>& hx, double* need_l, double* need_r) {
  // need_l / need_r given: measure only. How wide each outer column must be
  // for every annotation of its host to keep its font and fit in four
  // lines (never cut short); nothing is prepared.
  const bool measure_only = need_l && need_r;
  const auto& ev = v_.trace().events;
  const int nh = static_cast<int>(hx.size());
  const double w = size_.width();
  QFont f = th_.font(9.5);
  QFont fb = th_.font(9.5, true);
  std::vector<bool> multi(nh);
  for (int i = 0; i < nh; ++i) multi[i] = is_socket_host_multi(v_, i);
  // Name the socket on a state tag only when it is not an end of a connection
  // (a listener) or the host has several connections.
  std::map<int, int> conns_per_host;
  std::set<std::uint32_t> ends;
  for (const auto& c : v_.connections())
    for (auto s : {c.a, c.b})
      if (s) {
        ends.insert(s);
        if (auto* si = v_.trace().meta.socket(s)) conns_per_host[si->host]++;
      }
  // The column of a host: left of the first lifeline, right of the others.
  auto column = [&](int h, double* lo, double* hi) {
    if (h == 0 && nh > 1) {
      *lo = time_col_ + 4;
      *hi = hx[0] - 8;
    } else {
      *lo = hx[h] + 8;
      *hi = h + 1 < nh ? hx[h + 1] - 8 : w - 6;
    }
  };
  // Many texts repeat (states, calls, flags of a big run): measure each once.
  struct Measured {
    QStringList lines;
    double width;
  };
  std::map<std::pair<QString, int>, Measured> cache;  // (text, font and width key)
  const TextWidth tw_normal(f), tw_bold(fb);
  Measured once;
  auto measure = [&](const QString& text, const QFont& font, double maxw, bool repeats = true) -> const Measured& {
    if (!repeats) {  // segment labels are all different: no cache
      auto& tw = font.bold() ? tw_bold : tw_normal;
      once = Measured{wrap(text, tw, maxw), 0};
      for (const auto& l : once.lines) once.width = std::max(once.width, tw(l));
      return once;
    }
    const int key = static_cast<int>(maxw) * 2 + (font.bold() ? 1 : 0) + font.pixelSize() * 100000;
    auto it = cache.find({text, key});
    if (it != cache.end()) return it->second;
    const TextWidth shrunk(font);
    const TextWidth& tw = font.pixelSize() != f.pixelSize() ? shrunk : font.bold() ? tw_bold : tw_normal;
    Measured m{wrap(text, tw, maxw), 0};
    for (const auto& l : m.lines) m.width = std::max(m.width, tw(l));
    return cache.emplace(std::make_pair(text, key), std::move(m)).first->second;
  };
  auto add = [&](std::size_t i, int host, int kind, const QString& text, const QString& full_first) {
    if (measure_only) {
      if (nh < 2 || (host != 0 && host != nh - 1)) return;
      const Event& e = ev[i];
      const bool bold = kind == 0 || (kind == 1 && e.err != 0);
      const TextWidth& tw = bold ? tw_bold : tw_normal;
      const QString plain = QString(text).replace(QChar(0xA0), ' ');
      double widest = 0;
      for (const QString& word : plain.split(' ', Qt::SkipEmptyParts)) widest = std::max(widest, tw(word));
      if (kind == 1 && e.err != 0) {  // "= -1 ECONNRESET" stays whole
        const int eq = plain.lastIndexOf(" = ");
        if (eq >= 0) widest = std::max(widest, tw(plain.mid(eq + 1)));
      }
      const double pad = kind == 0 ? 6 : 3;
      // Greedy wrapping wastes up to a word a line: a quarter of the text
      // and a fifth more (four lines at most are drawn). The column is
      // 12 px wider than its text.
      const double maxw = std::max(widest, std::min(320.0, tw(plain) / 4 * 1.2));
      double& need = host == 0 ? *need_l : *need_r;
      need = std::max(need, maxw + 2 * pad + 12);
      return;
    }
    Prepared pr;
    pr.event = i;
    pr.host = host;
    pr.kind = kind;
    const Event& e = ev[i];
    bool err = kind == 1 && e.err != 0;
    QFont font = kind == 0 || err ? fb : f;
    double lo, hi;
    column(host, &lo, &hi);
    const double pad = kind == 0 ? 6 : 3;
    double maxw = std::max(60.0, hi - lo - 2 * pad);
    if (kind <= 1) {
      // Words never broken: outside lecture mode every word of a state tag
      // or a call (in a column too narrow for one, the font gets smaller);
      // in lecture mode, which keeps its 24 px and wraps instead, the
      // state's name and a failed call's errno (the glued "= -1 ECONNRESET"
      // breaks before the errno at most; other long words break after
      // punctuation).
      const TextWidth& tw = font.bold() ? tw_bold : tw_normal;
      QStringList words = QString(text).replace(QChar(0xA0), ' ').split(' ', Qt::SkipEmptyParts);
      if (th_.presentation && !words.isEmpty()) words = kind == 0 || err ? QStringList{words.last()} : QStringList{};
      QString widest_word;
      double widest = 0;
      for (const QString& word : words)
        if (tw(word) > widest) {
          widest = tw(word);
          widest_word = word;
        }
      if (widest > maxw && th_.presentation && (host == 0 || host == nh - 1)) {
        // An outer column may widen over the time axis (first host) or to
        // the page's edge (last host), where no arrow runs; the layout keeps
        // the box off every other text.
        const double room = host == 0 && nh > 1 ? hi - 2 - 2 * pad : w - 2 - lo - 2 * pad;
        maxw = std::max(maxw, std::min(widest, room));
      }
      // Still too narrow: a smaller font, down to half, rather than a name
      // or an errno broken in two.
      const int min_px = std::max(8, font.pixelSize() / 2);
      while (widest > maxw && font.pixelSize() > min_px) {
        font.setPixelSize(font.pixelSize() - 1);
        widest = TextWidth(font)(widest_word);
      }
    }
    QFontMetricsF fm(font);
    pr.text.full = QString(text).replace(QChar(0xA0), ' ');
    const Measured& ms = measure(text, font, maxw);
    pr.text.lines = ms.lines;
    constexpr int kMaxLines = 4;
    // Timers, notes, faults and signals are shown whole, however many lines
    // (a NAT's "the NAT forgot the flow, idle 30 s" is the lesson itself).
    if (kind <= 1 && pr.text.lines.size() > kMaxLines) {
      // Where room truly runs out: what matters first (a call's result), the
      // rest elided; the full text stays available for a tooltip.
      QString s = full_first.isEmpty() ? text : full_first;
      QStringList l = wrap(s, TextWidth(font), maxw);
      while (l.size() > kMaxLines) l.removeLast();
      l.last() = fm.elidedText(l.last() + " …", Qt::ElideRight, maxw);
      pr.text.lines = l;
      pr.text.elided = true;
    }
    double tw = ms.width;
    if (pr.text.elided)
      for (const auto& l : pr.text.lines) tw = std::max(tw, fm.horizontalAdvance(l));
    pr.text.box = QRectF(0, 0, tw + 2 * pad, pr.text.lines.size() * fm.lineSpacing() + 3);
    pr.text.event = static_cast<std::ptrdiff_t>(i);
    pr.text.role = LadderText::Annotation;
    pr.style.font = font;
    pr.style.align = host == 0 && nh > 1 ? 2 : 0;
    if (kind == 0) {
      pr.style.border = true;
      pr.style.color = th_.black;
      pr.style.fill = e.to == TcpState::Closed ? th_.light
                      : e.to == TcpState::Established ? QColor(0xCC, 0xEE, 0xE2)
                      : (e.to == TcpState::TimeWait || e.to == TcpState::CloseWait) ? th_.current_fill
                      : th_.visited_fill;
      pr.style.tick_to = hx[host];
      pr.style.align = 1;
    } else {
      pr.style.fill = QColor(255, 255, 255, 230);
      pr.style.color = err ? th_.vermillion.darker(150) : kind == 1 ? QColor(0x20, 0x20, 0x60) : QColor(0x40, 0x40, 0x40);
    }
    prep_.push_back(pr);
  };

  // Timer names and a signal's action as the event log shows them
  // (translated in trace_view.cpp's "describe" context).
  auto timer_name = [](TimerKind k) { return QCoreApplication::translate("tcpsim::render::describe", timer_display_name(k)); };
  for (std::size_t i = first_; i < last_; ++i) {
    const Event& e = ev[i];
    const int host = std::min<int>(e.host, nh - 1);
    switch (e.kind) {
      case EventKind::State: {
        QString text = QString("%1%2")
                           .arg(multi[host] && (!ends.count(e.sock) || conns_per_host[e.host] > 1)
                                    ? binding_of(v_, e.sock) + ": " : QString())
                           .arg(state_name(e.to));
        add(i, host, 0, text, {});
        break;
      }
      case EventKind::Call: {
        if (e.call == "epoll_wait" && e.err == 0) break;
        if (e.err == 0 && !o_.calls_and_timers) break;
        QString text = QString::fromStdString(call_text(e));
        // Shortened, the result leads: "= -1 ECONNRESET  recv(fd=3 ...".
        const int eq = text.lastIndexOf(" = ");
        QString result = text.mid(eq + 1);
        QString first = result + "  " + text.left(eq);
        // Wrapped, "= -1 ECONNRESET" stays on one line (no-break spaces).
        QString unbroken = text.left(eq + 1) + QString(result).replace(' ', QChar(0xA0));
        add(i, host, 1, unbroken, first);
        break;
      }
      case EventKind::Timer: {
        if (!o_.calls_and_timers) break;
        QString text;
        if (e.timer_op == TimerOp::Fire) {
          // One cause per event: when the RTO handler sends a tail loss
          // probe instead of a retransmission, the trace's note says so and
          // is the only label (not "RTO timer fired" as well).
          bool tlp = false;
          auto is_tlp = [&](std::size_t j) {
            return ev[j].kind == EventKind::Note && ev[j].sock == e.sock && ev[j].text.rfind("tail loss probe", 0) == 0;
          };
          for (std::size_t j = i + 1; j < ev.size() && ev[j].t == e.t && !tlp; ++j) tlp = is_tlp(j);
          for (std::size_t j = i; j-- > 0 && ev[j].t == e.t && !tlp;) tlp = is_tlp(j);
          if (tlp) break;
          text = QCoreApplication::translate("tcpsim::render", "%1 timer fired").arg(timer_name(e.timer));
        } else if (e.timer_op == TimerOp::Arm &&
                   (e.timer == TimerKind::TimeWait || e.timer == TimerKind::FinWait2 ||
                    e.timer == TimerKind::Keepalive || e.timer == TimerKind::Linger)) {
          // "60.0 s" is one word: never "60.0" over a lone "s".
          text = QCoreApplication::translate("tcpsim::render", "%1 timer %2").arg(timer_name(e.timer)).arg(QString::fromStdString(format_duration(e.deadline - e.t)).replace(' ', QChar(0xA0)));
        }
        if (!text.isEmpty()) add(i, host, 2, text, {});
        break;
      }
      case EventKind::Signal: {
        QString text = QString("⚡ %1 %2").arg(e.signo == 13 ? QString("SIGPIPE") : QCoreApplication::translate("tcpsim::render", "signal %1").arg(e.signo))
                           .arg(QCoreApplication::translate("tcpsim::render::describe", e.text.c_str()));
        add(i, host, 3, text.trimmed(), {});
        break;
      }
      case EventKind::Process: {
        if (e.proc_op == ProcOp::Start) break;
        QString name;
        if (auto* pi = v_.trace().meta.process(e.pid)) name = QString::fromStdString(pi->name);
        QString what = e.proc_op == ProcOp::Exit ? QCoreApplication::translate("tcpsim::render", "%1 exited (%2)").arg(name).arg(e.status)
                       : e.proc_op == ProcOp::Killed ? QCoreApplication::translate("tcpsim::render", "%1 killed").arg(name)
                       : e.proc_op == ProcOp::Crash ? QCoreApplication::translate("tcpsim::render", "%1 crashed").arg(name)
                                                    : QCoreApplication::translate("tcpsim::render", "%1 rebooted").arg(name);
        add(i, host, 3, what, {});
        break;
      }
      // Core texts (notes, faults, reasons) in the installed language.
      case EventKind::Fault: add(i, host, 3, "⚠ " + QString::fromStdString(translate_text(e.text)), {}); break;
      case EventKind::Note: add(i, host, 3, QString::fromStdString(translate_text(e.text)), {}); break;
      case EventKind::Segment: break;
    }
  }

  if (measure_only) return;
  // Arrow labels and drop reasons.
  const auto& arrows = v_.arrows();
  prep_label_.assign(arrows.size(), -1);
  prep_drop_.assign(arrows.size(), -1);
  for (std::size_t k = 0; k < arrows.size(); ++k) {
    const SegArrow& a = arrows[k];
    if (a.send < first_ || a.send >= last_) continue;
    const Event& s = ev[a.send];
    const bool rst = s.seg.flags & kRst;
    QString label = QString::fromStdString(v_.segment_label(s));
    if (rst) label = QCoreApplication::translate("tcpsim::render", "RST") + "  " + label;
    if (s.retrans) label += " ⟲ " + QCoreApplication::translate("tcpsim::render", "retransmission");
    const QString inj = injected_label(s);
    if (!inj.isEmpty()) label += " " + inj;
    QFont lf = rst || s.retrans || !inj.isEmpty() ? fb : f;
    double x0 = hx[std::min<int>(a.from_host, nh - 1)];
    double x1 = a.to_host >= 0 ? hx[std::min<int>(a.to_host, nh - 1)] : x0 + (x0 < w / 2 ? 200 : -200);
    double maxw = std::max(120.0, std::abs(x1 - x0) - 24);
    Prepared pr;
    pr.event = a.send;
    pr.host = a.from_host;
    pr.kind = 4;
    pr.text.full = label;
    const Measured& ml = measure(label, lf, maxw, false);
    pr.text.lines = ml.lines;
    double tw = ml.width;
    pr.text.box = QRectF(0, 0, tw + 8, pr.text.lines.size() * QFontMetricsF(lf).lineSpacing() + 2);
    pr.text.event = static_cast<std::ptrdiff_t>(a.send);
    pr.text.role = LadderText::SegmentLabel;
    pr.style.font = lf;
    pr.style.color = arrow_colour(a, rst).darker(130);
    pr.style.fill = QColor(255, 255, 255, 235);
    pr.style.align = 1;
    prep_label_[k] = static_cast<int>(prep_.size());
    prep_.push_back(pr);
    if (a.drop >= 0 && static_cast<std::size_t>(a.drop) < last_) {
      QString why = QCoreApplication::translate("tcpsim::render", "dropped");
      const Event& de = ev[a.drop];
      if (!de.text.empty()) why = QCoreApplication::translate("tcpsim::render", "dropped: %1").arg(QString::fromStdString(translate_text(de.text)));
      Prepared dr;
      dr.event = static_cast<std::size_t>(a.drop);
      dr.kind = 5;
      dr.text.full = why;
      const Measured& md = measure(why, f, std::max(120.0, std::abs(x1 - x0) - 24));
      dr.text.lines = md.lines;
      tw = md.width;
      dr.text.box = QRectF(0, 0, tw + 8, dr.text.lines.size() * QFontMetricsF(f).lineSpacing() + 2);
      dr.text.event = a.drop;
      dr.text.role = LadderText::DropReason;
      dr.style.font = f;
      dr.style.color = QColor(0x30, 0x30, 0x30);
      dr.style.fill = QColor(255, 255, 255, 235);
      dr.style.align = 1;
      prep_drop_[k] = static_cast<int>(prep_.size());
      prep_.push_back(dr);
    }
  }
}

QColor LadderLayout::arrow_colour(const SegArrow& a, bool rst) const {
  if (rst) return th_.vermillion;
  // Okabe-Ito: blue from the first host, bluish green from the second,
  // reddish purple and sky blue from others; vermillion is RST's alone.
  switch (a.from_host % 4) {
    case 0: return th_.blue;
    case 1: return th_.green;
    case 2: return th_.purple;
    default: return th_.sky.darker(120);
  }
}

double LadderLayout::gap_height(Time dt, bool flight) const {
  const double ms = dt / 1000.0;
  switch (o_.scale) {
    case TimeScale::Linear: return ms * px_per_ms_;
    case TimeScale::Textbook: return 0;
    case TimeScale::Compressed: {
      const double max_gap = line_h_ * 7;
      double h = ms * px_per_ms_;
      if (h <= max_gap || !flight) return h;
      // A flight is never cut: its idle time is shortened, smoothly.
      return max_gap + line_h_ * std::log2(h / max_gap);
    }
  }
  return 0;
}

double LadderLayout::span_for(Time delay, const std::map<Time, double>& span) const {
  double base = o_.scale == TimeScale::Textbook ? line_h_ * 2.6 : gap_height(delay, true);
  base = std::max(base, line_h_ * 1.2);
  auto it = span.find(delay);
  return it == span.end() ? base : std::max(base, it->second);
}

bool LadderLayout::room_free(const QRectF& r) const {
  if (r.left() < 0 || r.right() > size_.width()) return false;
  const QRectF q = r.adjusted(0.5, 0.5, -0.5, -0.5);
  for (long c = static_cast<long>(std::floor(r.top() / kCell)); c <= static_cast<long>(std::floor(r.bottom() / kCell)); ++c) {
    auto it = grid_.find(c);
    if (it == grid_.end()) continue;
    for (int i : it->second)
      if (texts_[i].box.intersects(q)) return false;
  }
  for (long c = static_cast<long>(std::floor(r.top() / kCell)); c <= static_cast<long>(std::floor(r.bottom() / kCell)); ++c) {
    auto it = cross_grid_.find(c);
    if (it == cross_grid_.end()) continue;
    for (int k : it->second)
      if (ag_[k].cross.intersects(q)) return false;
  }
  return true;
}

// A segment a host threw away when it arrived (a NAT that forgot the flow, a
// crashed host, a host that does not forward) is traced as a drop at that
// host at the arrival time; one lost on the link (a fault rule, random loss,
// a link down, no route) as a drop at the sender at the send time
// (network.cpp: Sim::transmit, Sim::deliver; forwarding.cpp: ct_refused).
bool LadderLayout::dropped_at_host(const SegArrow& a) const {
  if (a.drop < 0 || a.to_host < 0) return false;
  const auto& ev = v_.trace().events;
  const Event& d = ev[a.drop];
  const Event& s = ev[a.send];
  return d.host == a.to_host && (d.host != a.from_host || d.t > s.t);
}

QRectF LadderLayout::drop_cross(int k) const {
  return k >= 0 && static_cast<std::size_t>(k) < ag_.size() ? ag_[k].cross : QRectF();
}

double LadderLayout::find_free(QRectF r, double step, double limit) const {
  const double top = r.top();
  while (!room_free(r) && r.top() - top < limit) r.translate(0, step);
  return r.top();
}

int LadderLayout::add_text(LadderText t, const Style& st) {
  int i = static_cast<int>(texts_.size());
  t.font_px = st.font.pixelSize();
  for (long c = static_cast<long>(std::floor(t.box.top() / kCell)); c <= static_cast<long>(std::floor(t.box.bottom() / kCell)); ++c)
    grid_[c].push_back(i);
  texts_.push_back(std::move(t));
  styles_.push_back(st);
  return i;
}

void LadderLayout::layout_pass(const std::map<Time, double>& span) {
  const auto& ev = v_.trace().events;
  const auto& arrows = v_.arrows();
  const int nh = static_cast<int>(host_x_.size());
  const double w = size_.width();
  // Keep the title and header texts; everything else is placed again.
  std::size_t keep = header_boxes_.size() + (o_.title.isEmpty() ? 0 : 1);
  texts_.resize(keep);
  styles_.resize(keep);
  grid_.clear();
  cross_grid_.clear();
  for (std::size_t i = 0; i < keep; ++i)
    for (long c = static_cast<long>(std::floor(texts_[i].box.top() / kCell)); c <= static_cast<long>(std::floor(texts_[i].box.bottom() / kCell)); ++c)
      grid_[c].push_back(static_cast<int>(i));
  instants_.clear();
  gaps_.clear();
  ag_.assign(arrows.size(), {});
  event_y_.assign(last_ - first_, 0);

  QFont f = th_.font(9.5);
  QFontMetricsF fm(f);
  const double top = header_h_ + line_h_ * 0.5;
  std::vector<double> col(nh, top);
  double mid = top;           // next free y for a send
  double bottom = top;        // lowest thing placed so far
  int inflight = 0;           // arrows sent and not yet ended, inside the window
  std::vector<char> open_end(arrows.size(), 0);
  std::size_t pi = 0;         // next prepared annotation
  QString last_label;
  double last_label_bottom = -1e9;
  double inst_first_y = 1e300;  // the highest event of the current instant
  const TextWidth axis_width(f);
  // Axis label: the full time, level with the instant's first event,
  // strictly increasing, never on another label.
  std::size_t inst_first_event = first_;
  auto axis_label = [&](Time t, double y) {
    QString lab = axis_time(t);
    if (lab == last_label || y - fm.height() / 2 < last_label_bottom) return;
    LadderText tx;
    tx.full = lab;
    tx.lines = {lab};
    double tw = axis_width(lab) + 4;
    tx.box = QRectF(time_col_ - 8 - tw, y - fm.height() / 2, tw, fm.height());
    tx.role = LadderText::TimeLabel;
    tx.event = static_cast<std::ptrdiff_t>(inst_first_event);  // shown once the instant is reached
    if (!room_free(tx.box)) return;
    add_text(tx, Style{th_.font(9.5), QColor(0x44, 0x44, 0x44), Qt::transparent, false, 2});
    last_label = lab;
    last_label_bottom = tx.box.bottom();
  };

  // A free spot for an arrow's label along the line (x0,y0)-(x1,y0+len):
  // just above the line where it is flat enough, so the whole line stays
  // visible; centred on a steep one.
  auto label_spot = [&](double x0, double x1, double y0, double len, double bw, double bh, QRectF* out,
                        const QRectF* avoid = nullptr) {
    const double xmin = std::min(x0, x1) + 4, xmax = std::max(x0, x1) - 4;
    for (double fr : {0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78}) {
      QPointF c(x0 + (x1 - x0) * fr, y0 + len * fr);
      double cx = std::clamp(c.x(), xmin + bw / 2, std::max(xmin + bw / 2, xmax - bw / 2));
      QRectF r(cx - bw / 2, c.y() - bh / 2, bw, bh);
      if (r.left() < 2) r.moveLeft(2);
      if (r.right() > w - 2) r.moveRight(w - 2);
      const double dx = x1 - x0;
      if (std::abs(dx) > 1) {
        auto line_y = [&](double x) { return y0 + len * std::clamp((x - x0) / dx, 0.0, 1.0); };
        const double yl = line_y(r.left()), yr = line_y(r.right());
        if (std::abs(yr - yl) < bh * 1.3) r.moveBottom(std::min(yl, yr) - 1);
      }
      if (room_free(r) && !(avoid && avoid->intersects(r))) {
        *out = r;
        return true;
      }
    }
    return false;
  };
  // A dropped segment's ✕: a box of its own that texts keep off.
  const double cross_half = 7 + (th_.presentation ? 2.6 : 1.6) + 2;
  auto cross_at = [&](double x, double y) { return QRectF(x - cross_half, y - cross_half, 2 * cross_half, 2 * cross_half); };
  auto cross_cells = [&](int k, bool add) {
    const QRectF& b = ag_[k].cross;
    if (b.isNull()) return;
    for (long c = static_cast<long>(std::floor(b.top() / kCell)); c <= static_cast<long>(std::floor(b.bottom() / kCell)); ++c) {
      auto& v = cross_grid_[c];
      if (add) v.push_back(k);
      else v.erase(std::remove(v.begin(), v.end(), k), v.end());
    }
  };
  // Would an arrow along l run through a drop's reason or another drop's ✕
  // (the reason under a cross is a text of its own, not a label on a line)?
  auto line_blocked = [&](const QLineF& l, int self) {
    const double y_top = std::min(l.y1(), l.y2()), y_bot = std::max(l.y1(), l.y2());
    for (long c = static_cast<long>(std::floor(y_top / kCell)); c <= static_cast<long>(std::floor(y_bot / kCell)); ++c) {
      if (auto it = grid_.find(c); it != grid_.end())
        for (int i : it->second)
          if (texts_[i].role == LadderText::DropReason && line_hits(l, texts_[i].box)) return true;
      if (auto it = cross_grid_.find(c); it != cross_grid_.end())
        for (int k : it->second)
          if (k != self && line_hits(l, ag_[k].cross)) return true;
    }
    return false;
  };
  auto unindex = [&](int ti) {
    const QRectF& b = texts_[ti].box;
    for (long c = static_cast<long>(std::floor(b.top() / kCell)); c <= static_cast<long>(std::floor(b.bottom() / kCell)); ++c) {
      auto& v = grid_[c];
      v.erase(std::remove(v.begin(), v.end(), ti), v.end());
    }
  };
  auto reindex = [&](int ti) {
    const QRectF& b = texts_[ti].box;
    for (long c = static_cast<long>(std::floor(b.top() / kCell)); c <= static_cast<long>(std::floor(b.bottom() / kCell)); ++c)
      grid_[c].push_back(ti);
  };

  auto place_annotation = [&](const Prepared& pr, double y) {
    LadderText t = pr.text;
    double bw = t.box.width(), bh = t.box.height();
    double x = host_x_[pr.host];
    QRectF r = pr.style.align == 2 || (pr.kind == 0 && pr.host == 0 && nh > 1) ? QRectF(x - 8 - bw, y, bw, bh)
                                                                              : QRectF(x + 8, y, bw, bh);
    r.moveTop(find_free(r, line_h_ * 0.25, 4000));
    t.box = r;
    add_text(t, pr.style);
    return r;
  };

  for (std::size_t i = first_; i < last_; ++i) {
    const Event& e = ev[i];
    // A new instant: its band starts below everything of the previous one,
    // and at least the scale's distance for the time that passed.
    if (instants_.empty() || e.t != instants_.back().t) {
      double y = top;
      if (!instants_.empty()) {
        Instant& prev = instants_.back();
        prev.bottom = std::max(prev.bottom, bottom);
        axis_label(prev.t, std::min(inst_first_y, prev.bottom));
        inst_first_y = 1e300;
        const Time dt = e.t - prev.t;
        const double h = gap_height(dt, inflight > 0);
        const bool brk = inflight == 0 &&
                         ((o_.scale == TimeScale::Compressed && h > line_h_ * 7) ||
                          (o_.scale == TimeScale::Textbook && dt >= msec(50)));
        if (brk) {
          // "≈ N later": in a band of its own, crossing no arrow (nothing is
          // in flight) and no text (below everything placed).
          LadderText t;
          t.full = QCoreApplication::translate("tcpsim::render", "≈ %1 later").arg(QString::fromStdString(format_duration(dt)));
          t.lines = {t.full};
          double tw = fm.horizontalAdvance(t.full) + 14;
          double cx = nh >= 2 ? (host_x_[0] + host_x_[1]) / 2 : host_x_[0] + 90;
          double yb = bottom + line_h_ * 0.6;
          t.box = QRectF(cx - tw / 2, yb, tw, fm.lineSpacing() + 4);
          t.box.moveTop(find_free(t.box, line_h_ * 0.25, 4000));
          t.role = LadderText::GapMarker;
          t.event = static_cast<std::ptrdiff_t>(i);  // shown once the time after it is reached
          Style st{f, th_.black, th_.light, true, 1};
          int ti = add_text(t, st);
          gaps_.push_back({texts_[ti].box.center().y(), dt, ti});
          y = texts_[ti].box.bottom() + line_h_ * 0.8;
        } else {
          y = std::max(prev.top + h, bottom + line_h_ * 0.25);
        }
      }
      if (o_.align) {
        // A shared time axis: never above where the other run has this instant.
        auto at = o_.align->find(e.t);
        if (at != o_.align->end()) y = std::max(y, at->second);
      }
      instants_.push_back({e.t, y, y});
      inst_first_event = i;
      for (auto& c : col) c = std::max(c, y);
      mid = std::max(mid, y);
      bottom = std::max(bottom, y);
    }
    const Instant& in = instants_.back();
    double ey = in.top;
    const int host = std::min<int>(e.host, nh - 1);

    if (e.kind == EventKind::Segment) {
      const int k = v_.arrow_of_event(i);
      if (k < 0) {
        event_y_[i - first_] = ey;
        continue;
      }
      const SegArrow& a = arrows[k];
      ArrowGeom& g = ag_[k];
      if (e.seg_op == SegOp::Send) {
        g.in_window = true;
        g.x0 = host_x_[std::min<int>(a.from_host, nh - 1)];
        g.x1 = a.to_host >= 0 ? host_x_[std::min<int>(a.to_host, nh - 1)] : g.x0 + (g.x0 < w / 2 ? 200 : -200);
        double y0 = std::max({mid, col[host], in.top});
        std::ptrdiff_t end = a.deliver >= 0 ? a.deliver : a.drop;
        const bool ends = end >= 0 && static_cast<std::size_t>(end) < last_;
        Time delay = ends ? ev[end].t - e.t : 0;
        double len = ends ? span_for(delay, span) : line_h_ * 1.6;
        if (a.drop >= 0 && ends) len = std::max(len, line_h_ * 1.6);
        // The label: on the arrow where it is free; else the send moves down.
        const Prepared& pl = prep_[prep_label_[k]];
        const double bw = pl.text.box.width(), bh = pl.text.box.height();
        // Dropped: lost on the link, its ✕ part way across; dropped by the
        // host it reached (a NAT), its ✕ on that host's lifeline.
        double x1 = a.drop >= 0 && !dropped_at_host(a) ? g.x0 + (g.x1 - g.x0) * 0.55 : g.x1;
        if (!ends && a.drop < 0) x1 = g.x0 + (g.x1 - g.x0) * 0.5;
        const bool crossed = a.drop >= 0 && ends;
        QRectF lab;
        bool found = false;
        for (int tries = 0; tries < 40 && !found; ++tries) {
          // The line, its ✕ and its label each on nothing else.
          const QRectF cross = crossed ? cross_at(x1, y0 + len) : QRectF();
          found = (!crossed || room_free(cross)) && !line_blocked(QLineF(g.x0, y0, x1, y0 + len), k) &&
                  label_spot(g.x0, x1, y0, len, bw, bh, &lab, crossed ? &cross : nullptr);
          if (!found) y0 += line_h_ * 0.5;
        }
        if (crossed) {
          g.cross = cross_at(x1, y0 + len);
          cross_cells(k, true);
        }
        if (!found) {  // should not happen; keep it readable at least below everything
          lab = QRectF(std::clamp((g.x0 + x1) / 2 - bw / 2, 2.0, w - 2 - bw), bottom + 2, bw, bh);
        }
        LadderText t = pl.text;
        t.box = lab;
        g.label = add_text(t, pl.style);
        g.y0 = y0;
        g.y1 = y0 + len;
        if (ends) {
          ++inflight;
          open_end[k] = 1;
        }
        mid = y0 + send_slot_;
        col[host] = std::max(col[host], y0 + line_h_ * 0.3);
        bottom = std::max(bottom, y0 + line_h_ * 0.5);
        if (!ends) bottom = std::max(bottom, g.y1);
        ey = y0;
      } else {
        // The end: the span its delay needs (equal slopes), later only if the
        // receiver's column is still busy.
        if (!g.in_window) {
          event_y_[i - first_] = ey;
          continue;
        }
        double y1 = std::max(g.y1, in.top);
        if (e.seg_op == SegOp::Deliver && a.to_host >= 0) {
          const int to = std::min<int>(a.to_host, nh - 1);
          y1 = std::max(y1, col[to]);
          col[to] = std::max(col[to], y1);
        }
        if (y1 > g.y1 + 2 && g.label >= 0 && e.seg_op == SegOp::Deliver) {
          // The end moved down (the receiver was busy): the label follows
          // the line it belongs to.
          QRectF r;
          unindex(g.label);
          if (label_spot(g.x0, g.x1, g.y0, y1 - g.y0, texts_[g.label].box.width(), texts_[g.label].box.height(), &r))
            texts_[g.label].box = r;
          reindex(g.label);
        }
        if (!g.cross.isNull() && std::abs(g.cross.center().y() - y1) > 0.5) {
          cross_cells(k, false);
          g.cross.moveCenter(QPointF(g.cross.center().x(), y1));
          cross_cells(k, true);
        }
        g.y1 = y1;
        if (open_end[k]) {
          --inflight;
          open_end[k] = 0;
        }
        bottom = std::max(bottom, y1);
        ey = y1;
        if (e.seg_op == SegOp::Drop && prep_drop_[k] >= 0) {
          // The reason under the cross, on the arrow's side of the page.
          const Prepared& pd = prep_[prep_drop_[k]];
          double cx = dropped_at_host(a) ? g.x1 : g.x0 + (g.x1 - g.x0) * 0.55;
          const double xmin = std::min(g.x0, g.x1) + 4, xmax = std::max(g.x0, g.x1) - 4;
          double bw = pd.text.box.width();
          cx = std::clamp(cx, xmin + bw / 2, std::max(xmin + bw / 2, xmax - bw / 2));
          QRectF r(cx - bw / 2, y1 + 12, bw, pd.text.box.height());
          if (r.left() < 2) r.moveLeft(2);
          if (r.right() > w - 2) r.moveRight(w - 2);
          // Free of texts and of the arrows already drawn (a white box on a
          // line would hide part of it); later arrows keep off it (line_blocked).
          for (int tries = 0; tries < 400; ++tries) {
            r.moveTop(find_free(r, line_h_ * 0.25, 4000));
            bool hit = false;
            for (std::size_t j = 0; j < ag_.size() && !hit; ++j) {
              const ArrowGeom& q = ag_[j];
              if (!q.in_window || static_cast<int>(j) == k || q.y1 < r.top() || q.y0 > r.bottom()) continue;
              const double xe = q.cross.isNull() ? q.x1 : q.cross.center().x();
              hit = line_hits(QLineF(q.x0, q.y0, xe, q.y1), r);
            }
            if (!hit) break;
            r.translate(0, line_h_ * 0.25);
          }
          LadderText t = pd.text;
          t.box = r;
          add_text(t, pd.style);
          bottom = std::max(bottom, r.bottom());
        }
      }
      event_y_[i - first_] = ey;
        inst_first_y = std::min(inst_first_y, ey);
      continue;
    }

    // Annotations of this event (prep_ is in event order; labels come after).
    while (pi < prep_.size() && prep_[pi].kind <= 3 && prep_[pi].event < i) ++pi;
    if (pi < prep_.size() && prep_[pi].kind <= 3 && prep_[pi].event == i) {
      const Prepared& pr = prep_[pi++];
      QRectF r = place_annotation(pr, std::max(col[pr.host], in.top));
      col[pr.host] = r.bottom() + 2;
      bottom = std::max(bottom, r.bottom());
      ey = r.top() + std::min(r.height(), line_h_) / 2;
      inst_first_y = std::min(inst_first_y, ey);
    }
    event_y_[i - first_] = ey;
  }
  if (!instants_.empty()) {
    instants_.back().bottom = std::max(instants_.back().bottom, bottom);
    axis_label(instants_.back().t, std::min(inst_first_y, instants_.back().bottom));
  }
  // Arrows still in flight at the end of the window end in a dot, not below the page.
  for (const auto& g : ag_)
    if (g.in_window) bottom = std::max(bottom, g.y1);
  body_bottom_ = bottom + line_h_ * 1.5;
  build_legend(body_bottom_ + line_h_ * 0.5);
}

void LadderLayout::build_legend(double y) {
  legend_samples_.clear();
  legend_h_ = 0;
  if (!o_.legend) {
    size_.setHeight(body_bottom_ + line_h_);
    return;
  }
  QFont f = th_.font(9.5);
  QFontMetricsF fm(f);
  const double w = size_.width();
  const auto& meta = v_.trace().meta;
  struct Item {
    int what;
    QString text;
  };
  std::vector<Item> items;
  const int nh = static_cast<int>(host_x_.size());
  for (int h = 0; h < std::min(nh, 4); ++h)
    items.push_back({h, QCoreApplication::translate("tcpsim::render", "segment from %1").arg(h < static_cast<int>(meta.hosts.size()) ? QString::fromStdString(meta.hosts[h].name) : "?")});
  items.push_back({10, QCoreApplication::translate("tcpsim::render", "RST (reset): thick, bar at the end")});
  items.push_back({11, QCoreApplication::translate("tcpsim::render", "retransmission (dashed)")});
  items.push_back({12, QCoreApplication::translate("tcpsim::render", "dropped (cross)")});
  for (const auto& a : v_.arrows())
    if (!injected_label(v_.trace().events[a.send]).isEmpty()) {
      items.push_back({14, QCoreApplication::translate("tcpsim::render", "⚡ injected segment (dotted)")});
      break;
    }
  if (o_.scale != TimeScale::Linear) items.push_back({13, QCoreApplication::translate("tcpsim::render", "idle time left out")});
  double x = 14, row = y;
  const double sample_w = 46;
  for (const auto& it : items) {
    QStringList lines = wrap(it.text, TextWidth(f), w - 28 - sample_w - 8);
    double tw = 0;
    for (const auto& l : lines) tw = std::max(tw, fm.horizontalAdvance(l));
    double iw = sample_w + 8 + tw + 24;
    if (x > 14 && x + iw - 24 > w - 10) {
      x = 14;
      row += line_h_ * 1.2;
    }
    legend_samples_.push_back({QPointF(x, row + fm.lineSpacing() / 2 + 1), it.what});
    LadderText t;
    t.full = it.text;
    t.lines = lines;
    t.box = QRectF(x + sample_w + 8, row, tw + 4, lines.size() * fm.lineSpacing() + 2);
    t.role = LadderText::Legend;
    add_text(t, Style{f, th_.black, Qt::transparent, false, 0});
    row = std::max(row, row + (lines.size() - 1) * fm.lineSpacing());
    x += iw;
  }
  legend_h_ = row + line_h_ * 1.4 - body_bottom_;
  size_.setHeight(row + line_h_ * 1.6);
}

double LadderLayout::y_of(Time t) const {
  if (instants_.empty()) return header_h_ + line_h_;
  auto it = std::upper_bound(instants_.begin(), instants_.end(), t, [](Time x, const Instant& r) { return x < r.t; });
  if (it == instants_.begin()) return instants_.front().top;
  const Instant& a = *(it - 1);
  if (a.t == t) return a.top;
  if (it == instants_.end()) return a.bottom;
  const Instant& b = *it;
  double f = double(t - a.t) / double(std::max<Time>(1, b.t - a.t));
  return a.bottom + (b.top - a.bottom) * f;
}

std::vector<std::pair<Time, double>> LadderLayout::instant_tops() const {
  std::vector<std::pair<Time, double>> out;
  out.reserve(instants_.size());
  for (const auto& in : instants_) out.emplace_back(in.t, in.top);
  return out;
}

double LadderLayout::event_y(std::size_t i) const {
  if (i < first_) return header_h_ + line_h_ * 0.5;
  if (i >= last_ || i - first_ >= event_y_.size()) return body_bottom_ - line_h_;
  return event_y_[i - first_];
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

QLineF LadderLayout::arrow_geometry(int k) const {
  if (k < 0 || k >= static_cast<int>(ag_.size()) || !ag_[k].in_window) return {};
  bool partial = false;
  return arrow_line(k, v_.trace().events.size(), kNever, &partial);
}

QLineF LadderLayout::arrow_line(int k, std::size_t cursor, Time now, bool* partial) const {
  const auto& ev = v_.trace().events;
  const SegArrow& a = v_.arrows()[k];
  const ArrowGeom& g = ag_[k];
  const Event& s = ev[a.send];
  QPointF p0(g.x0, g.y0), p1;
  *partial = false;
  if (a.deliver >= 0 && static_cast<std::size_t>(a.deliver) < last_) {
    p1 = QPointF(g.x1, g.y1);
    if (static_cast<std::size_t>(a.deliver) >= cursor) {
      double f = double(now - s.t) / double(std::max<Time>(1, ev[a.deliver].t - s.t));
      f = std::clamp(f, 0.04, 0.98);
      // In flight: its end above the cursor line (a compressed axis is not
      // linear in time, so the time's fraction may reach below the line).
      if (cursor <= ev.size() && now < kNever && p1.y() > p0.y() + 1) {
        const double cy = cursor_y(cursor, now) - 6;
        const double len = p1.y() - p0.y();
        if (p0.y() + len * f > cy) f = std::max(std::min(0.04, 8.0 / len), (cy - p0.y()) / len);
      }
      p1 = p0 + (p1 - p0) * f;
      *partial = true;
    }
  } else if (a.drop >= 0 && static_cast<std::size_t>(a.drop) < last_) {
    p1 = QPointF(g.cross.isNull() ? g.x0 + (g.x1 - g.x0) * 0.55 : g.cross.center().x(), g.y1);
    if (static_cast<std::size_t>(a.drop) >= cursor) {
      p1 = p0 + (p1 - p0) * 0.3;
      *partial = true;
    }
  } else {
    // Still in flight at the end of the window.
    p1 = QPointF(g.x0 + (g.x1 - g.x0) * 0.5, g.y1);
    *partial = true;
  }
  return QLineF(p0, p1);
}

void LadderLayout::draw_text(QPainter& p, std::size_t i) const {
  const LadderText& t = texts_[i];
  const Style& st = styles_[i];
  QFontMetricsF fm(st.font);
  if (st.tick_to >= 0) {
    p.setPen(QPen(th_.black, 1.2));
    double y = t.box.center().y();
    p.drawLine(QPointF(st.tick_to < t.box.left() ? t.box.left() : t.box.right(), y), QPointF(st.tick_to, y));
  }
  if (st.fill.alpha() > 0 || st.border) {
    p.setPen(st.border ? QPen(th_.black, 1.2) : QPen(Qt::NoPen));
    p.setBrush(st.fill.alpha() > 0 ? QBrush(st.fill) : QBrush(Qt::NoBrush));
    if (st.border) p.drawRoundedRect(t.box, 4, 4);
    else p.drawRect(t.box);
  }
  p.setFont(st.font);
  p.setPen(st.color);
  // One line at a time, at its baseline: each line is one <text> in SVG.
  const double lh = fm.lineSpacing();
  double y = t.box.top() + (t.box.height() - lh * t.lines.size()) / 2 + fm.ascent();
  for (int k = 0; k < t.lines.size(); ++k) {
    const QString& line = t.lines[k];
    const QFont lf = t.role == LadderText::Header && k == 1 ? th_.font(9.5) : st.font;
    // Bold Chinese under 16 px drawn regular, in the room measured for the
    // bold. Set only when it changes: each change opens a new group in SVG.
    const QFont df = drawn_font(lf, line, lf.pixelSize() * p.worldTransform().m11());
    if (df != p.font()) p.setFont(df);
    QFontMetricsF lfm(p.font());
    double lw = lfm.horizontalAdvance(line);
    double x = st.align == 1 ? t.box.center().x() - lw / 2
               : st.align == 2 ? t.box.right() - 3 - lw
                               : t.box.left() + 3;
    if (t.role == LadderText::Header && k == 1) y = t.box.bottom() - 5 - lfm.descent();
    p.drawText(QPointF(x, y), line);
    y += lh;
  }
}

void LadderLayout::paint(QPainter& p, std::size_t cursor, Time now, int selected, bool show_cursor,
                         const QRectF* whole_within) const {
  const auto& ev = v_.trace().events;
  p.save();
  p.setRenderHint(QPainter::Antialiasing);
  p.setRenderHint(QPainter::TextAntialiasing);
  QFont f = th_.font(9.5);
  QFontMetricsF fm(f);
  const double lw = th_.presentation ? 2.6 : 1.6;
  const double w = size_.width();

  // Only what the painter's clip shows is drawn: a big trace scrolls and plays
  // at the cost of the visible part (bench/gui_bench.cpp).
  const QRectF vis = (p.hasClipping() ? p.clipBoundingRect() : QRectF(QPointF(0, 0), size_)).adjusted(-40, -40, 40, 40);

  // Lifelines.
  for (const auto& hb : header_boxes_) {
    p.setPen(QPen(QColor(0x55, 0x55, 0x55), lw + 0.6));
    p.drawLine(QPointF(hb.second, texts_[hb.first].box.bottom()), QPointF(hb.second, body_bottom_));
  }
  // Breaks: a zigzag across each lifeline at the marker.
  for (const auto& g : gaps_) {
    if (g.y < vis.top() || g.y > vis.bottom()) continue;
    if (static_cast<std::size_t>(texts_[g.text].event) >= cursor) continue;
    p.setPen(QPen(th_.grey, 1, Qt::DotLine));
    p.drawLine(QPointF(time_col_, g.y), QPointF(w - 6, g.y));
    for (double x : host_x_) {
      p.setPen(Qt::NoPen);
      p.setBrush(Qt::white);
      p.drawRect(QRectF(x - 12, g.y - 8, 24, 16));
      p.setPen(QPen(QColor(0x55, 0x55, 0x55), lw));
      QPainterPath zz;
      zz.moveTo(x - 12, g.y - 4);
      zz.lineTo(x - 4, g.y - 8);
      zz.lineTo(x + 4, g.y);
      zz.lineTo(x + 12, g.y - 4);
      zz.moveTo(x - 12, g.y + 4);
      zz.lineTo(x - 4, g.y);
      zz.lineTo(x + 4, g.y + 8);
      zz.lineTo(x + 12, g.y + 4);
      p.setBrush(Qt::NoBrush);
      p.drawPath(zz);
    }
  }

  // Segment arrows (before the texts: a label's white box sits on its line).
  const auto& arrows = v_.arrows();
  const auto first_arrow = std::partition_point(arrows.begin(), arrows.end(), [&](const SegArrow& a) {
    const std::size_t k = &a - arrows.data();
    return a.send < first_ || (ag_[k].in_window && ag_[k].y0 + max_span_ < vis.top());
  });
  for (auto it = first_arrow; it != arrows.end(); ++it) {
    const SegArrow& a = *it;
    const int idx = static_cast<int>(it - arrows.begin());
    const ArrowGeom& g = ag_[idx];
    if (a.send >= last_) break;
    if (!g.in_window) continue;
    if (g.y0 > vis.bottom()) break;
    if (a.send >= cursor) continue;
    const Event& s = ev[a.send];
    bool partial = false;
    QLineF l = arrow_line(idx, cursor, now, &partial);
    if (std::max(l.y1(), l.y2()) < vis.top()) continue;
    const bool rst = s.seg.flags & kRst;
    const bool dropped = a.drop >= 0 && static_cast<std::size_t>(a.drop) < cursor && static_cast<std::size_t>(a.drop) < last_;
    const QColor c = arrow_colour(a, rst);
    if (idx == selected) {
      p.setPen(QPen(QColor(0xF0, 0xE4, 0x42, 200), lw + 8, Qt::SolidLine, Qt::RoundCap));
      p.drawLine(l);
    }
    QPen pen(c, rst ? lw + 1.8 : lw + 0.4);
    if (s.retrans) pen.setStyle(Qt::DashLine);
    if (!injected_label(s).isEmpty()) pen.setStyle(Qt::DotLine);  // crafted: no TCP sent it
    p.setPen(pen);
    p.drawLine(l);
    if (!partial && !dropped) {
      arrow_head(p, l.p1(), l.p2(), 10 + lw, c);
      if (rst) reset_bar(p, l.p1(), l.p2(), 9 + lw, c, lw + 1.8);
    }
    if (partial) {
      p.setPen(Qt::NoPen);
      p.setBrush(c);
      p.drawEllipse(l.p2(), 3 + lw, 3 + lw);
    }
    if (dropped) {
      QPointF x = l.p2();
      double d = 7 + lw;
      p.setPen(QPen(th_.black, lw + 1.4));
      p.drawLine(x + QPointF(-d, -d), x + QPointF(d, d));
      p.drawLine(x + QPointF(-d, d), x + QPointF(d, -d));
    }
  }

  // Texts: the header always, the rest once their event has happened; the
  // labels of segments in flight beside their stubs (in_flight_labels).
  const std::vector<FlightLabel> flying = in_flight_labels(cursor, now, show_cursor);
  std::unordered_map<std::size_t, QRectF> moved;
  for (const auto& fl : flying) moved[fl.text] = fl.box;
  auto first_text = std::partition_point(text_order_.begin(), text_order_.end(), [&](std::size_t i) {
    return texts_[i].box.top() + max_text_h_ < vis.top();
  });
  for (auto it = first_text; it != text_order_.end(); ++it) {
    const LadderText& t = texts_[*it];
    if (t.box.top() > vis.bottom()) break;
    if (!t.box.intersects(vis)) continue;
    if (t.event >= 0 && static_cast<std::size_t>(t.event) >= cursor) continue;
    if (moved.count(*it)) continue;
    // Scrolled: a text the view's edge would cut is left out (scroll to see it).
    if (whole_within && !whole_within->adjusted(-0.5, -0.5, 0.5, 0.5).contains(t.box)) continue;
    draw_text(p, *it);
  }
  for (const auto& fl : flying) {
    if (!fl.placed) continue;  // no free place by its stub: a label away from it would mislead
    if (whole_within && !whole_within->adjusted(-0.5, -0.5, 0.5, 0.5).contains(fl.box)) continue;
    p.save();
    p.translate(fl.box.topLeft() - texts_[fl.text].box.topLeft());
    draw_text(p, fl.text);
    p.restore();
  }

  // Legend samples.
  for (const auto& ls : legend_samples_) {
    QPointF a = ls.at, b = ls.at + QPointF(40, 0);
    QColor c = ls.what < 4 ? arrow_colour(SegArrow{0, -1, -1, static_cast<std::uint16_t>(ls.what), -1}, false)
               : ls.what == 10 ? th_.vermillion : th_.grey.darker(130);
    if (ls.what == 13) {
      p.setPen(QPen(th_.grey, 1));
      p.setBrush(th_.light);
      p.drawRoundedRect(QRectF(a.x(), a.y() - 7, 40, 14), 4, 4);
      p.setPen(th_.black);
      p.setFont(f);
      p.drawText(QRectF(a.x(), a.y() - 7, 40, 14), Qt::AlignCenter, "≈");
      continue;
    }
    QPen pen(c, ls.what == 10 ? lw + 1.8 : lw + 0.4,
             ls.what == 11 ? Qt::DashLine : ls.what == 14 ? Qt::DotLine : Qt::SolidLine);
    p.setPen(pen);
    if (ls.what == 12) b = a + QPointF(30, 0);
    p.drawLine(a, b);
    if (ls.what == 12) {
      p.setPen(QPen(th_.black, lw + 1.4));
      p.drawLine(b + QPointF(-6, -6), b + QPointF(6, 6));
      p.drawLine(b + QPointF(-6, 6), b + QPointF(6, -6));
    } else {
      arrow_head(p, a, b, 10 + lw, c);
      if (ls.what == 10) reset_bar(p, a, b, 9 + lw, c, lw + 1.8);
    }
  }

  // Cursor line across the body; its time chip in the header band, where it
  // covers no text (the line itself runs under labels' white boxes only
  // where they are transparent to it: it is drawn last but thin and dashed).
  if (show_cursor && cursor < ev.size() + 1) {
    const double y = cursor_y(cursor, now);
    p.setPen(QPen(th_.vermillion, lw + 0.8, Qt::DashLine));
    p.drawLine(QPointF(time_col_, y), QPointF(w - 2, y));
    if (cursor_chip_rect(now).intersects(vis)) draw_chip(p, now);
  }
  p.restore();
}

LadderLayout::TextStyle LadderLayout::text_style(std::size_t i) const {
  const Style& st = styles_.at(i);
  return TextStyle{st.font, st.color, st.fill, st.border, st.align, st.tick_to};
}

QColor LadderLayout::arrow_color(int k) const {
  const SegArrow& a = v_.arrows().at(static_cast<std::size_t>(k));
  return arrow_colour(a, v_.trace().events[a.send].seg.flags & kRst);
}

std::vector<std::pair<double, int>> LadderLayout::breaks() const {
  std::vector<std::pair<double, int>> out;
  for (const auto& g : gaps_) out.emplace_back(g.y, g.text);
  return out;
}

std::vector<LadderLayout::FlightLabel> LadderLayout::in_flight_labels(std::size_t cursor, Time now,
                                                                      bool show_cursor) const {
  std::vector<FlightLabel> out;
  const auto& arrows = v_.arrows();
  std::unordered_map<std::ptrdiff_t, int> flying;  // send event -> arrow
  std::unordered_map<int, QLineF> stubs;
  for (std::size_t k = 0; k < arrows.size(); ++k) {
    const SegArrow& a = arrows[k];
    if (a.send < first_ || a.send >= last_ || a.send >= cursor || !ag_[k].in_window) continue;
    bool partial = false;
    const QLineF l = arrow_line(static_cast<int>(k), cursor, now, &partial);
    if (!partial) continue;
    flying[static_cast<std::ptrdiff_t>(a.send)] = static_cast<int>(k);
    stubs[static_cast<int>(k)] = l;
  }
  if (flying.empty()) return out;
  // Everything else shown is in the way: the texts of past events, the axis.
  std::vector<QRectF> taken;
  for (std::size_t i = 0; i < texts_.size(); ++i) {
    const LadderText& t = texts_[i];
    if (t.role == LadderText::Legend || t.role == LadderText::Title || t.role == LadderText::Header) continue;
    if (t.event >= 0 && static_cast<std::size_t>(t.event) >= cursor) continue;
    if (t.role == LadderText::SegmentLabel && flying.count(t.event)) {
      const int k = flying[t.event];
      out.push_back({i, k, stubs[k], t.box, false});
      continue;
    }
    taken.push_back(t.box);
  }
  // The latest sent first: the segment the cursor just sent gets the best place.
  std::sort(out.begin(), out.end(), [&](const FlightLabel& a, const FlightLabel& b) {
    return texts_[a.text].event > texts_[b.text].event;
  });
  const double cy = show_cursor ? cursor_y(cursor, now) : 1e18;
  const double floor_y = cy - 3;  // above the dashed line
  const auto free_at = [&](const QRectF& r) {
    if (r.top() < header_h_ || r.bottom() > floor_y || r.left() < time_col_ || r.right() > size_.width()) return false;
    for (const auto& o : taken)
      if (o.intersects(r)) return false;
    return true;
  };
  for (auto& fl : out) {
    const QRectF b = texts_[fl.text].box;
    const QLineF& l = fl.stub;
    const double top = std::min(l.y1(), l.y2()), bot = std::max(l.y1(), l.y2());
    // Its own place when that is on the stub's stretch and free.
    if (b.center().y() >= top - 2 && b.center().y() <= bot + 2 && free_at(b)) {
      fl.placed = true;
    } else {
      // On the stub (a white box over the line, as mid-arrow labels are),
      // then just above or below it.
      for (double f : {0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.1, 0.9}) {
        const QPointF at = l.pointAt(f);
        for (double dy : {0.0, -b.height() / 2 - 2, b.height() / 2 + 2}) {
          const QRectF r(at.x() - b.width() / 2, at.y() + dy - b.height() / 2, b.width(), b.height());
          if (free_at(r)) {
            fl.box = r;
            fl.placed = true;
            break;
          }
        }
        if (fl.placed) break;
      }
    }
    taken.push_back(fl.box);
  }
  return out;
}

double LadderLayout::cursor_y(std::size_t cursor, Time now) const {
  double y = y_of(now);
  if (cursor > first_ && cursor - 1 < last_ && cursor - 1 >= first_) {
    y = std::max(y, event_y_[cursor - 1 - first_] + line_h_ * 0.6);
    // Below every text and arrow end shown (an instant's top can be above
    // the end of an arrow that arrives at it).
    if (cursor - 1 - first_ < shown_bottom_.size()) y = std::max(y, shown_bottom_[cursor - 1 - first_] + line_h_ * 0.35);
  }
  return y;
}

QRectF LadderLayout::cursor_chip_rect(Time now) const {
  const TextWidth cw(th_.font(9.5, true));
  const double tw = std::min(cw("▶ " + axis_time(now)) + 14, chip_slot_.width());
  return QRectF(chip_slot_.left(), chip_slot_.top(), tw, chip_slot_.height());
}

void LadderLayout::draw_chip(QPainter& p, Time now) const {
  const QRectF r = cursor_chip_rect(now);
  p.save();
  p.setRenderHint(QPainter::Antialiasing);
  p.setPen(Qt::NoPen);
  p.setBrush(th_.vermillion);
  p.drawRoundedRect(r, 3, 3);
  p.setFont(th_.font(9.5, true));
  p.setPen(Qt::white);
  p.drawText(r, Qt::AlignCenter, "▶ " + axis_time(now));
  p.restore();
}

void LadderLayout::paint_header(QPainter& p, Time now, bool show_cursor) const {
  p.save();
  p.setRenderHint(QPainter::Antialiasing);
  p.setRenderHint(QPainter::TextAntialiasing);
  p.fillRect(QRectF(0, 0, size_.width(), header_h_), Qt::white);
  const double lw = th_.presentation ? 2.6 : 1.6;
  for (const auto& hb : header_boxes_) {
    p.setPen(QPen(QColor(0x55, 0x55, 0x55), lw + 0.6));
    p.drawLine(QPointF(hb.second, texts_[hb.first].box.bottom()), QPointF(hb.second, header_h_));
  }
  for (std::size_t i = 0; i < texts_.size(); ++i)
    if (texts_[i].role == LadderText::Header || texts_[i].role == LadderText::Title) draw_text(p, i);
  if (show_cursor) draw_chip(p, now);
  p.restore();
}

int LadderLayout::arrow_at(QPointF pt, std::size_t cursor, Time now) const {
  int best = -1;
  double bd = 10;
  const auto& arrows = v_.arrows();
  for (std::size_t k = 0; k < arrows.size(); ++k) {
    const auto& a = arrows[k];
    if (!ag_[k].in_window || a.send >= cursor) continue;
    bool partial;
    QLineF l = arrow_line(static_cast<int>(k), cursor, now, &partial);
    // Distance from pt to the segment.
    QPointF d = l.p2() - l.p1();
    double len2 = d.x() * d.x() + d.y() * d.y();
    double t = len2 > 0 ? ((pt - l.p1()).x() * d.x() + (pt - l.p1()).y() * d.y()) / len2 : 0;
    t = std::clamp(t, 0.0, 1.0);
    QPointF q = l.p1() + d * t;
    double dist = QLineF(q, pt).length();
    if (dist < bd) {
      bd = dist;
      best = static_cast<int>(k);
    }
  }
  return best;
}

QString LadderLayout::text_at(QPointF pt, std::size_t cursor) const {
  auto it = std::partition_point(text_order_.begin(), text_order_.end(), [&](std::size_t i) {
    return texts_[i].box.top() + max_text_h_ < pt.y();
  });
  for (; it != text_order_.end(); ++it) {
    const LadderText& t = texts_[*it];
    if (t.box.top() > pt.y()) break;
    if (t.event >= 0 && static_cast<std::size_t>(t.event) >= cursor) continue;
    if (t.box.contains(pt)) return t.full;
  }
  return {};
}

// ---- widget ----
// The body: the layout below its header band (canvas y = layout y - header).
class LadderWidget::Canvas : public QWidget {
 public:
  explicit Canvas(LadderWidget* w) : QWidget(w), w_(w) { setMouseTracking(false); }
  void paintEvent(QPaintEvent* e) override {
    QPainter p(this);
    p.fillRect(e->rect(), Qt::white);
    if (!w_->layout_) return;
    // Clip to what is asked and visible, so the layout culls the rest.
    QRect vis(-pos(), w_->scroll_->viewport()->size());
    p.setClipRect(e->rect() & vis);
    p.translate(0, -w_->layout_->header_height());
    if (w_->marker_ >= 0) {
      // Under everything: a band at the marked row, a solid bar at each edge.
      const QRectF band = w_->markerRect().translated(0, w_->layout_->header_height());
      QColor fill = w_->theme_.vermillion;
      fill.setAlpha(48);
      p.fillRect(band, fill);
      p.fillRect(QRectF(band.left(), band.top(), 6, band.height()), w_->theme_.vermillion);
      p.fillRect(QRectF(band.right() - 6, band.top(), 6, band.height()), w_->theme_.vermillion);
    }
    // Texts whole in the viewport or not at all: the top edge, under the
    // sticky header, never shows half a label.
    const QRectF sight = QRectF(vis).translated(0, w_->layout_->header_height());
    w_->layout_->paint(p, w_->cursor_, w_->now_, w_->selected_, true, &sight);
  }
  LadderWidget* w_;
};

// The sticky header: the layout's header band, always at the top of the
// ladder, following the body's horizontal scroll.
class LadderWidget::Strip : public QWidget {
 public:
  explicit Strip(LadderWidget* w) : QWidget(w), w_(w) {
    setAttribute(Qt::WA_OpaquePaintEvent);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
  }
  void paintEvent(QPaintEvent*) override {
    QPainter p(this);
    p.fillRect(rect(), Qt::white);
    if (!w_->layout_) return;
    p.translate(w_->headerOffsetX(), 0);
    w_->layout_->paint_header(p, w_->now_, true);
  }
  LadderWidget* w_;
};

LadderWidget::LadderWidget(QWidget* parent) : QWidget(parent) {
  auto* lay = new QVBoxLayout(this);
  lay->setContentsMargins(0, 0, 0, 0);
  lay->setSpacing(0);
  header_ = new Strip(this);
  header_->setFixedHeight(0);
  lay->addWidget(header_);
  scroll_ = new QScrollArea(this);
  scroll_->setWidgetResizable(false);
  scroll_->setBackgroundRole(QPalette::Base);
  scroll_->setFrameShape(QFrame::NoFrame);
  canvas_ = new Canvas(this);
  scroll_->setWidget(canvas_);
  lay->addWidget(scroll_);
  canvas_->installEventFilter(this);
  scroll_->viewport()->installEventFilter(this);
  connect(scroll_->horizontalScrollBar(), &QScrollBar::valueChanged, header_, qOverload<>(&QWidget::update));
}

QWidget* LadderWidget::header() const { return header_; }

double LadderWidget::headerOffsetX() const {
  return scroll_->viewport()->mapTo(this, QPoint(0, 0)).x() - header_->x() - scroll_->horizontalScrollBar()->value();
}

QRectF LadderWidget::headerToWidget(const QRectF& r) const {
  return r.translated(headerOffsetX() + header_->x(), header_->y());
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
void LadderWidget::setCallsAndTimers(bool on) {
  if (on == calls_and_timers_) return;
  calls_and_timers_ = on;
  relayout();
  ensureCursorVisible();
}
void LadderWidget::relayout() {
  stale_ = false;
  if (view_ && lazy_ && window()->isVisible() && !isVisible()) {
    // Laid out when shown (eventFilter); the old layout refers to the old view.
    layout_.reset();
    stale_ = true;
    return;
  }
  if (!view_) {
    layout_.reset();
    header_->setFixedHeight(0);
    return;
  }
  LadderOptions o;
  o.from = from_;
  o.to = to_;
  o.scale = scale_;
  o.px_per_ms = px_per_ms_;
  o.calls_and_timers = calls_and_timers_;
  o.width = std::max(double(kMinWidth), double(scroll_->viewport()->width()));
  o.align = align_;
  layout_ = std::make_unique<LadderLayout>(*view_, theme_, o);
  const double hh = layout_->header_height();
  header_->setFixedHeight(static_cast<int>(std::ceil(hh)));
  canvas_->resize(QSizeF(layout_->size().width(), std::max(1.0, layout_->size().height() - hh)).toSize());
  canvas_->update();
  header_->update();
  Q_EMIT laidOut();
}
void LadderWidget::setTimeAlignment(std::shared_ptr<const std::map<Time, double>> align) {
  align_ = std::move(align);
  relayout();
}
void LadderWidget::setTimeWindow(Time from, Time to) {
  if (from == from_ && to == to_) return;
  from_ = from;
  to_ = to;
  relayout();
}
void LadderWidget::setMarker(std::ptrdiff_t event) {
  marker_ = event;
  canvas_->update();
}
QRectF LadderWidget::markerRect() const {
  if (!layout_ || marker_ < 0) return {};
  const double y = layout_->event_y(static_cast<std::size_t>(marker_)) - layout_->header_height();
  const double h = QFontMetricsF(theme_.font(9.5)).lineSpacing() * 1.6;
  return QRectF(0, y - h / 2, layout_->size().width(), h);
}
void LadderWidget::setCursor(std::size_t cursor, Time now) {
  cursor_ = cursor;
  now_ = now;
  canvas_->update();
  header_->update();
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
int LadderWidget::naturalWidth() const {
  if (!layout_) return 0;
  return static_cast<int>(std::ceil(layout_->natural_width())) + scroll_->verticalScrollBar()->sizeHint().width() +
         2 * scroll_->frameWidth() + 2;
}
int LadderWidget::drawnArrows() const { return layout_ ? layout_->drawn_arrows(cursor_) : 0; }
void LadderWidget::ensureCursorVisible() {
  if (!layout_) return;
  // The cursor line (below the last event shown), not just its instant.
  int y = static_cast<int>(layout_->cursor_y(cursor_, now_) - layout_->header_height());
  scroll_->ensureVisible(canvas_->width() / 2, y, 10, scroll_->viewport()->height() / 3);
  // The top edge between two texts when the cursor line allows: a label it
  // would cut is not drawn (Canvas::paintEvent), so scroll up to show it.
  QScrollBar* sb = scroll_->verticalScrollBar();
  const double hh = layout_->header_height();
  for (int pass = 0; pass < 4 && sb->value() > 0; ++pass) {
    const double top = sb->value() + hh;
    double up = top;
    for (const auto& t : layout_->texts())
      if (t.event >= 0 && static_cast<std::size_t>(t.event) < cursor_ && t.box.top() < top - 0.5 &&
          t.box.bottom() > top + 0.5)
        up = std::min(up, t.box.top() - 2);
    if (up >= top) break;
    const int v = std::max(0, static_cast<int>(std::floor(up - hh)));
    if (y - v > scroll_->viewport()->height() - 12) break;  // the cursor line would leave the view
    sb->setValue(v);
  }
}

bool LadderWidget::eventFilter(QObject* o, QEvent* e) {
  if (o == scroll_->viewport() && e->type() == QEvent::Show && stale_) relayout();
  if (o == scroll_->viewport() && e->type() == QEvent::Resize && layout_ &&
      std::abs(layout_->size().width() - std::max(kMinWidth, scroll_->viewport()->width())) > 1) {
    relayout();
  }
  if (o == canvas_ && e->type() == QEvent::ToolTip && layout_) {
    // The whole text of a label (a shortened one in particular).
    auto* he = static_cast<QHelpEvent*>(e);
    QString t = layout_->text_at(QPointF(he->pos()) + QPointF(0, layout_->header_height()), cursor_);
    if (t.isEmpty()) QToolTip::hideText();
    else QToolTip::showText(he->globalPos(), t, canvas_);
    return true;
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
        int a = layout_->arrow_at(me->position() + QPointF(0, layout_->header_height()), cursor_, now_);
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
