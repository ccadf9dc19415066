// tcpsim — graphic exports (render_export.hpp), drawn by the same painters as
// the GUI: LadderLayout, paint_state_diagram and the Qt Charts builders.
#include "render_export.hpp"

#include <QApplication>
#include <QChart>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QGraphicsScene>
#include <QImage>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QScreen>
#include <QSvgGenerator>
#include <cstdlib>
#include <memory>
#include <functional>
#include <sys/stat.h>

#include "charts.hpp"
#include "i18n.hpp"
#include "ladder.hpp"
#include "state_diagram.hpp"
#include "tcpsim/export.hpp"
#include "trace_view.hpp"

namespace tcpsim::render {

namespace {

using PaintFn = std::function<void(QPainter&)>;
// Vertical extents [top, bottom] of text a PDF page break must not cut.
using KeepTogether = std::vector<std::pair<double, double>>;

double logical_dpi() {
  if (auto* s = QGuiApplication::primaryScreen()) return s->logicalDotsPerInch();
  return 96;
}

bool check_writable(const QString& path, std::string* error) {
  QFileInfo fi(path);
  QDir dir = fi.absoluteDir();
  if (!dir.exists()) {
    if (error) *error = "cannot write '" + path.toStdString() + "': folder " + dir.path().toStdString() + " does not exist";
    return false;
  }
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly)) {
    if (error) *error = "cannot write '" + path.toStdString() + "': " + f.errorString().toStdString();
    return false;
  }
  f.close();
  return true;
}

// Renders `paint` (which draws into a size.width() x size.height() logical
// canvas) to the file named by o.path, in the format of its extension.
// The smallest scale a ladder PNG of a given --size may draw at: its
// smallest text is 9-10 px at its natural size. (Frames, slides, diagrams
// and charts have a fixed natural size and lay out for any page.)
constexpr double kMinPngScale = 0.5;

// min_scale: the smallest scale a PNG of an explicit --size may draw at
// (0: any; the ladder, whose length follows the run, passes kMinPngScale).
bool render_to(const ExportOptions& o, QSizeF size, const PaintFn& paint, const QString& title,
               std::string* error, const KeepTogether& keep = {}, double min_scale = 0) {
  QString path = QString::fromStdString(o.path);
  QString ext = QFileInfo(path).suffix().toLower();
  if (ext != "svg" && ext != "pdf" && ext != "png") {
    if (error) *error = "unknown export format '" + (ext.isEmpty() ? std::string("(none)") : "." + ext.toStdString()) +
                        "' for " + o.path + " (expected .svg, .pdf or .png)";
    return false;
  }
  if (!check_writable(path, error)) return false;
  if (ext == "svg") {
    QSvgGenerator gen;
    gen.setFileName(path);
    gen.setSize(size.toSize());
    gen.setViewBox(QRectF(QPointF(0, 0), size));
    // QSvgGenerator defaults to 72 dpi, which shrinks text (PLATFORM.md).
    gen.setResolution(static_cast<int>(logical_dpi()));
    gen.setTitle(title.toHtmlEscaped());  // QSvgGenerator writes <title> unescaped
    gen.setDescription("tcpsim");
    QPainter p;
    if (!p.begin(&gen)) {
      if (error) *error = "cannot write '" + o.path + "'";
      return false;
    }
    p.fillRect(QRectF(QPointF(0, 0), size), Qt::white);
    paint(p);
    p.end();
    return true;
  }
  if (ext == "png") {
    double s = o.dpi > 0 ? o.dpi / 96.0 : 1.0;
    int w = o.width > 0 ? o.width : static_cast<int>(std::ceil(size.width() * s));
    int h = o.height > 0 ? o.height
            : o.width > 0 ? static_cast<int>(std::ceil(size.height() * o.width / size.width()))
                          : static_cast<int>(std::ceil(size.height() * s));
    if (w <= 0 || h <= 0 || static_cast<double>(w) * h > 400e6) {
      if (error) *error = "bad PNG size " + std::to_string(w) + "x" + std::to_string(h);
      return false;
    }
    // A drawing squeezed into a small --size (a long ladder into 1024x768)
    // would be unreadable: refuse, saying what would work, rather than
    // write an image whose text is a pixel high.
    const double fit = std::min(w / size.width(), h / size.height());
    if (o.width > 0 && o.height > 0 && fit < min_scale) {
      if (error)
        *error = "--size " + std::to_string(w) + "x" + std::to_string(h) + " would shrink this drawing (" +
                 std::to_string(static_cast<int>(std::ceil(size.width()))) + "x" +
                 std::to_string(static_cast<int>(std::ceil(size.height()))) + " at its natural size) to " +
                 std::to_string(static_cast<int>(std::round(fit * 100))) +
                 "%, its text under 5 px: export a window with --from/--to, or leave --size out";
      return false;
    }
    QImage img(w, h, QImage::Format_ARGB32_Premultiplied);
    img.fill(Qt::white);
    img.setDotsPerMeterX(static_cast<int>((o.dpi > 0 ? o.dpi : 96) / 0.0254));
    img.setDotsPerMeterY(static_cast<int>((o.dpi > 0 ? o.dpi : 96) / 0.0254));
    QPainter p(&img);
    double k = std::min(w / size.width(), h / size.height());
    p.translate((w - size.width() * k) / 2, (h - size.height() * k) / 2);
    p.scale(k, k);
    paint(p);
    p.end();
    if (!img.save(path, "PNG")) {
      if (error) *error = "cannot write '" + o.path + "'";
      return false;
    }
    return true;
  }
  // PDF
  constexpr double kMaxPdfPagePt = 14400;
  QPdfWriter pdf(path);
  pdf.setTitle(title);
  pdf.setCreator("tcpsim");
  pdf.setResolution(300);
  bool paged = !o.page.empty();
  if (paged) {
    QString pg = QString::fromStdString(o.page).toLower();
    if (pg == "a4")
      pdf.setPageSize(QPageSize(QPageSize::A4));
    else if (pg == "letter")
      pdf.setPageSize(QPageSize(QPageSize::Letter));
    else {
      if (error) *error = "unknown page size '" + o.page + "' (expected A4 or Letter)";
      return false;
    }
    pdf.setPageMargins(QMarginsF(12, 12, 12, 12), QPageLayout::Millimeter);
  } else {
    // One page exactly the size of the drawing (1 logical px = 1/96 in).
    // PDF readers limit a page to 200 in (14,400 pt, ISO 32000-1 Annex C);
    // a longer ladder (a pile-up scenario) is cut into pages of that
    // height, as few as possible, rather than written as a page viewers
    // refuse or shrink.
    const double h_pt = std::min(size.height() * 72 / 96, kMaxPdfPagePt);
    paged = size.height() * 72 / 96 > kMaxPdfPagePt;
    pdf.setPageSize(QPageSize(QSizeF(size.width() * 72 / 96, h_pt), QPageSize::Point, QString(),
                              QPageSize::ExactMatch));
    pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
  }
  QPainter p;
  if (!p.begin(&pdf)) {
    if (error) *error = "cannot write '" + o.path + "'";
    return false;
  }
  QRect page = p.viewport();  // device pixels of the printable area
  double k = page.width() / size.width();
  if (!paged) k = std::min(k, page.height() / size.height());
  double page_h = page.height() / k;  // logical units per page
  // Page breaks: every page_h, moved up above a text box the break would
  // cut in two (as long as the page stays at least half full).
  std::vector<double> breaks{0};
  if (paged)
    while (breaks.back() + page_h < size.height() - 1e-6) {
      double cut = breaks.back() + page_h;
      for (bool moved = true; moved;) {
        moved = false;
        for (const auto& [top, bottom] : keep)
          if (top < cut && cut < bottom && top - 1 > breaks.back() + page_h * 0.5) {
            cut = top - 1;
            moved = true;
          }
      }
      breaks.push_back(cut);
    }
  breaks.push_back(paged ? size.height() : std::max(size.height(), page_h));
  for (std::size_t i = 0; i + 1 < breaks.size(); ++i) {
    if (i > 0) pdf.newPage();
    const double y0 = breaks[i], h = breaks[i + 1] - breaks[i];
    p.save();
    p.scale(k, k);
    p.translate(0, -y0);
    p.setClipRect(QRectF(0, y0, size.width(), h));
    p.fillRect(QRectF(0, y0, size.width(), h), Qt::white);
    paint(p);
    p.restore();
  }
  p.end();
  return true;
}

Theme export_theme(const ExportOptions& o) {
  Theme th = default_theme();
  th.lang = QString::fromStdString(o.lang);
  return th;
}

QString scenario_title(const Scenario& s, const ExportOptions& o) {
  if (!o.title.empty()) return QString::fromStdString(o.title);
  std::string t = s.title.get(o.lang);
  if (t.empty()) t = s.name;
  return QString::fromStdString(t);
}

bool apply_time_scale(const ExportOptions& o, LadderOptions* lo, std::string* error) {
  auto sc = parse_time_scale(QString::fromStdString(o.time_scale));
  if (!sc) {
    if (error) *error = "unknown time scale '" + o.time_scale + "' (expected compressed, linear or textbook)";
    return false;
  }
  lo->scale = *sc;
  lo->calls_and_timers = o.calls_and_timers;
  return true;
}

void apply_language(const ExportOptions& o) {
  if (QString::fromStdString(o.lang) != current_language()) install_language(QString::fromStdString(o.lang));
}

std::shared_ptr<const TraceView> make_view(const Trace& t) {
  // The exports do not own the trace; alias it without copying.
  return std::make_shared<TraceView>(std::shared_ptr<const Trace>(&t, [](const Trace*) {}));
}

// Sockets a diagram export names: a socket label, a process or host name, or
// "both" (the first connection's two ends).
std::vector<std::uint32_t> resolve_which(const TraceView& v, const std::string& which, std::string* error) {
  std::vector<std::uint32_t> out;
  if (which == "both") {
    if (!v.connections().empty()) {
      out.push_back(v.connections()[0].a);
      if (v.connections()[0].b) out.push_back(v.connections()[0].b);
    }
  } else {
    for (auto s : v.sockets())
      if (v.socket_label(s) == which || v.socket_label(s) + "#1" == which) out.push_back(s);
    if (out.empty()) {
      // A process or host name: its end of the first connection, else its first socket.
      std::vector<std::uint32_t> ends;
      for (const auto& c : v.connections()) { ends.push_back(c.a); if (c.b) ends.push_back(c.b); }
      for (auto& pool : {ends, v.sockets()}) {
        for (auto s : pool) {
          std::string l = v.socket_label(s);
          auto* si = v.trace().meta.socket(s);
          bool host_match = si && v.host_name(si->host) == which;
          if (l.rfind(which + "/", 0) == 0 || host_match) { out.push_back(s); break; }
        }
        if (!out.empty()) break;
      }
    }
  }
  if (out.empty() && error) {
    std::string names;
    for (auto s : v.sockets()) names += (names.empty() ? "" : ", ") + v.socket_label(s);
    *error = "no endpoint '" + which + "' in this trace (expected client, server, both, a process, a host or a socket: " +
             names + ")";
  }
  return out;
}

// The title and subtitle, whole: a title wider than the page (a long
// scenario title on one 760-pixel diagram) is set smaller, down to 10 pt,
// and only then elided, so it is never cut at the page's edges.
void paint_header(QPainter& p, const Theme& th, double w, const QString& title, const QString& sub) {
  auto fitted = [&](const QString& text, double pt, double min_pt, bool bold) {
    QFont f = th.font(pt, bold);
    while (pt > min_pt && QFontMetricsF(f).horizontalAdvance(text) > w - 16) {
      pt -= 0.5;
      f = th.font(pt, bold);
    }
    p.setFont(f);
    return QFontMetricsF(f).elidedText(text, Qt::ElideRight, w - 16);
  };
  p.setPen(Qt::black);
  p.drawText(QRectF(0, 6, w, 28), Qt::AlignCenter, fitted(title, 14, 10, true));
  if (!sub.isEmpty()) {
    p.setPen(QColor(0x44, 0x44, 0x44));
    p.drawText(QRectF(0, 34, w, 20), Qt::AlignCenter, fitted(sub, 9.5, 8, false));
  }
}

void paint_diagram_legend(QPainter& p, const Theme& th, QRectF r) {
  p.setFont(th.font(9.5));
  QFontMetricsF fm(p.font());
  double x = r.left() + 10, y = r.center().y();
  auto item = [&](QColor fill, QColor pen, double pw, const QString& t) {
    p.setPen(QPen(pen, pw));
    p.setBrush(fill);
    p.drawRoundedRect(QRectF(x, y - 9, 34, 18), 4, 4);
    p.setPen(Qt::black);
    double tw = fm.horizontalAdvance(t);
    p.drawText(QRectF(x + 40, y - 10, tw + 4, 20), Qt::AlignVCenter, t);
    x += 40 + tw + 26;
  };
  // The same swatch as the diagram's current box (state_diagram.cpp): saturated orange, thick black border.
  item(th.orange, th.black, 4, QCoreApplication::translate("tcpsim::render", "▶ current state"));
  item(th.visited_fill, th.blue, 2, QCoreApplication::translate("tcpsim::render", "visited (numbered in order)"));
  p.setPen(QPen(th.vermillion, 4));
  p.drawLine(QPointF(x, y), QPointF(x + 34, y));
  p.setPen(Qt::black);
  QString t = QCoreApplication::translate("tcpsim::render", "latest transition");
  p.drawText(QRectF(x + 40, y - 10, fm.horizontalAdvance(t) + 4, 20), Qt::AlignVCenter, t);
}
}  // namespace

void ensure_gui_app(int& argc, char** argv) {
  if (QCoreApplication::instance()) return;
  const char* d = std::getenv("DISPLAY");
  const char* wd = std::getenv("WAYLAND_DISPLAY");
  if ((!d || !*d) && (!wd || !*wd) && !(std::getenv("QT_QPA_PLATFORM") && *std::getenv("QT_QPA_PLATFORM"))) setenv("QT_QPA_PLATFORM", "offscreen", 1);
  if (!std::getenv("XDG_RUNTIME_DIR")) {
    static char tmpl[] = "/tmp/tcpsim-xdg-XXXXXX";
    if (char* dir = mkdtemp(tmpl)) {
      chmod(dir, 0700);
      setenv("XDG_RUNTIME_DIR", dir, 1);
    }
  }
  static int s_argc = 1;
  static char s_name[] = "tcpsim";
  static char* s_argv[] = {s_name, nullptr};
  (void)argc;
  (void)argv;
  // QApplication keeps a reference to argc: give it storage that outlives it.
  new QApplication(s_argc, s_argv);
}

bool export_ladder(const Scenario& s, const Trace& t, const ExportOptions& o, std::string* error) {
  apply_language(o);
  if (o.to != kNever && o.to < o.from) {
    if (error) *error = "bad time window: --to is before --from";
    return false;
  }
  auto v = make_view(t);
  Theme th = export_theme(o);
  LadderOptions lo;
  if (!apply_time_scale(o, &lo, error)) return false;
  lo.from = o.from;
  lo.to = o.to;
  lo.title = QCoreApplication::translate("tcpsim::render", "Packet timeline: %1").arg(scenario_title(s, o));
  lo.legend = true;
  LadderLayout lay(*v, th, lo);
  KeepTogether keep;
  for (const auto& tx : lay.texts()) keep.emplace_back(tx.box.top(), tx.box.bottom());
  return render_to(o, lay.size(),
                   [&](QPainter& p) { lay.paint(p, t.events.size(), v->end_time(), -1, false); },
                   lo.title, error, keep, kMinPngScale);
}

bool export_state_diagram(const Scenario& s, const Trace& t, const std::string& which,
                          const ExportOptions& o, std::string* error) {
  apply_language(o);
  auto v = make_view(t);
  auto socks = resolve_which(*v, which, error);
  if (socks.empty()) return false;
  Theme th = export_theme(o);
  const auto& l = DiagramLayout::standard();
  if (l.boxes.empty()) {
    if (error) *error = "the state diagram layout resource is missing";
    return false;
  }
  Time to = o.to == kNever ? v->end_time() : o.to;
  std::size_t cursor = o.to == kNever ? t.events.size() : v->cursor_for_time(o.to);
  const double dw = 760, dh = 860, head = 60, foot = 40;
  QSizeF size(dw * socks.size(), head + dh + foot);
  QString title = QCoreApplication::translate("tcpsim::render", "TCP state diagram: %1").arg(scenario_title(s, o));
  return render_to(o, size, [&](QPainter& p) {
    paint_header(p, th, size.width(), title, QCoreApplication::translate("tcpsim::render", "the path each endpoint took, numbered in order"));
    for (std::size_t i = 0; i < socks.size(); ++i) {
      DiagramState ds = diagram_state(*v, socks[i], cursor, to);
      paint_state_diagram(p, QRectF(dw * i + 6, head, dw - 12, dh), l, ds, th);
    }
    paint_diagram_legend(p, th, QRectF(0, head + dh, size.width(), foot));
  }, title, error);
}

namespace {
// Draws a chart built by charts.hpp to o.path (the scene owns the chart).
bool render_chart(const Scenario& s, QChart* chart, const ExportOptions& o, std::string* error) {
  QSizeF size(1000, 600);
  QGraphicsScene scene;
  scene.addItem(chart);  // the scene owns the chart
  chart->setTitle(chart->title() + " — " + scenario_title(s, o).toHtmlEscaped());  // a chart title is rich text
  chart->setGeometry(QRectF(QPointF(0, 0), size));
  scene.setSceneRect(QRectF(QPointF(0, 0), size));
  // Rendering through the scene avoids QChartView (and its hidden render()).
  return render_to(o, size, [&](QPainter& p) {
    p.setRenderHint(QPainter::Antialiasing);
    scene.render(&p, QRectF(QPointF(0, 0), size), QRectF(QPointF(0, 0), size));
  }, chart->title(), error);
}
}  // namespace

bool export_chart(const Scenario& s, const Trace& t, const std::string& name, const ExportOptions& o,
                  std::string* error) {
  apply_language(o);
  if (o.to != kNever && o.to < o.from) {
    if (error) *error = "bad time window: --to is before --from";
    return false;
  }
  auto v = make_view(t);
  Theme th = export_theme(o);
  QString err;
  QChart* chart = build_chart(*v, name, th, o.from, o.to, {}, &err);
  if (!chart) {
    if (error) *error = err.toStdString();
    return false;
  }
  return render_chart(s, chart, o, error);
}

bool export_counts_chart(const Scenario& s, const CountSeries& series, const ExportOptions& o,
                         std::string* error) {
  apply_language(o);
  if (o.to != kNever && o.to < o.from) {
    if (error) *error = "bad time window: --to is before --from";
    return false;
  }
  Theme th = export_theme(o);
  QString err;
  // A lesson's few hosts (client, server) each get their lines, as in the
  // trace chart; a workload's many hosts are summed per state.
  CountsChartOptions co;
  co.per_host = series.hosts.size() <= 4;
  QChart* chart = build_counts_chart(s, series, th, o.from, o.to, &err, co);
  if (!chart) {
    if (error) *error = err.toStdString();
    return false;
  }
  return render_chart(s, chart, o, error);
}

bool export_frames(const Scenario& s, const Trace& t, const std::string& dir, const ExportOptions& o,
                   std::string* error) {
  apply_language(o);
  QDir d;
  if (!d.mkpath(QString::fromStdString(dir))) {
    if (error) *error = "cannot create folder '" + dir + "'";
    return false;
  }
  auto v = make_view(t);
  Theme th = export_theme(o);
  LadderOptions lo;
  if (!apply_time_scale(o, &lo, error)) return false;
  LadderLayout lay(*v, th, lo);
  const auto& l = DiagramLayout::standard();
  std::vector<std::uint32_t> socks;
  if (!v->connections().empty()) {
    socks.push_back(v->connections()[0].a);
    if (v->connections()[0].b) socks.push_back(v->connections()[0].b);
  }
  const QSizeF size(1600, 900);
  QString title = scenario_title(s, o);
  std::size_t first = v->cursor_for_time(o.from - 1);
  std::size_t last = o.to == kNever ? t.events.size() : v->cursor_for_time(o.to);
  int frame = 0;
  for (std::size_t c = std::max<std::size_t>(first, 1); c <= last; ++c) {
    Time now = v->time_at(c);
    ExportOptions fo = o;
    char name[32];
    std::snprintf(name, sizeof name, "frame-%04d.png", ++frame);
    fo.path = (QDir(QString::fromStdString(dir)).filePath(name)).toStdString();
    bool ok = render_to(fo, size, [&](QPainter& p) {
      QString sub = QString("t = %1   #%2  %3").arg(QString::fromStdString(format_time(now))).arg(c - 1)
                        .arg(QString::fromStdString(describe_event(*v, t.events[c - 1])));
      paint_header(p, th, size.width(), title, sub);
      // Ladder on the left, following the cursor.
      QRectF lr(0, 60, 820, size.height() - 60);
      p.save();
      p.setClipRect(lr);
      double y = lay.y_of(now);
      double off = std::clamp(y - lr.height() * 0.6, 0.0, std::max(0.0, lay.size().height() - lr.height()));
      double k = std::min(1.0, lr.width() / lay.size().width());
      p.translate(lr.left(), lr.top());
      p.scale(k, k);
      p.translate(0, -off);
      lay.paint(p, c, now, -1, true);
      p.restore();
      // The two state diagrams on the right.
      double dh = (size.height() - 60) / std::max<std::size_t>(1, socks.size());
      for (std::size_t i = 0; i < socks.size(); ++i)
        paint_state_diagram(p, QRectF(830, 60 + dh * i, 760, dh - 6), l, diagram_state(*v, socks[i], c, now), th);
    }, title, error);
    if (!ok) return false;
  }
  return true;
}

// ---- slides and animation ----

std::vector<std::size_t> slide_cursors(const Trace& t, const std::string& per, Time from, Time to) {
  std::vector<std::size_t> out;
  if (per != "step" && per != "state") return out;
  for (std::size_t i = 0; i < t.events.size(); ++i) {
    const Event& e = t.events[i];
    if (e.t < from || e.t > to) continue;
    if (per == "state" && !(e.kind == EventKind::State && e.from != e.to)) continue;
    out.push_back(i + 1);  // the cursor just after event i
  }
  return out;
}

namespace {

// One slide: 1024 x 576 logical px (16:9), the size of a 1024-wide
// projector image, so a font's pixel size here is its size on the wall
// (24 px is the floor from the back row; nothing below 20 px). The PDF
// page (960 x 540 pt) and the GIF frame are this canvas scaled.
//
//  - a caption band: "Step N of M   t = …" and the scenario's title, and
//    under it the step's event in full (wrapped, never shrunk below 20 px);
//  - on the left the ladder in the presentation theme, a window of it
//    around the step (not the whole history squeezed), with its host
//    headers kept on top;
//  - on the right the state diagram of the endpoint this step is about
//    (the event's socket, else the one that changed state last), large: the
//    part of the presentation-size diagram around its current state and
//    the arrow it took, at full size; under it the other endpoint's
//    diagram, the same way, in a smaller window.
const QSizeF kSlideSize(1024, 576);
constexpr double kMargin = 10, kLadderW = 660;

QFont slide_font(const Theme& th, int px, bool bold = false) {
  QFont f = th.font(10, bold);
  f.setPixelSize(px);
  return f;
}

class SlideDeck {
 public:
  SlideDeck(const Scenario& s, const Trace& t, const ExportOptions& o) : t_(t), o_(o) {
    v_ = make_view(t);
    th_ = presentation_theme();
    // The ladder's smallest text (9.5 pt) at 20 px rather than 24: two
    // lifelines, their annotation columns and the arrows' labels then fit
    // the slide's left 60 %.
    th_.scale = 20.0 / (9.5 * 96 / 72);
    th_.lang = QString::fromStdString(o.lang);
    title_ = scenario_title(s, o);
    if (!v_->connections().empty()) {
      socks_.push_back(v_->connections()[0].a);
      if (v_->connections()[0].b) socks_.push_back(v_->connections()[0].b);
    }
  }
  // False with *error when there is no step to show or the options are bad.
  bool init(const std::vector<std::size_t>& cursors, std::string* error) {
    if (cursors.empty()) {
      if (error) *error = "no step to show in this time window";
      return false;
    }
    LadderOptions lo;
    if (!apply_time_scale(o_, &lo, error)) return false;
    lo.from = o_.from;
    lo.to = o_.to;
    lo.width = kLadderW;
    lay_ = std::make_unique<LadderLayout>(*v_, th_, lo);
    if (DiagramLayout::standard().boxes.empty()) {
      if (error) *error = "the state diagram layout resource is missing";
      return false;
    }
    return true;
  }
  QString page_title() const { return title_; }

  void paint(QPainter& p, std::size_t cursor, std::size_t index, std::size_t total) const {
    const double W = kSlideSize.width(), H = kSlideSize.height();
    p.fillRect(QRectF(0, 0, W, H), Qt::white);
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::TextAntialiasing);
    const Time now = v_->time_at(cursor);
    const Event* ev = cursor > 0 ? &t_.events[cursor - 1] : nullptr;

    // Caption: "Step 3 of 12   t = 12.000 ms", the title on the right.
    const QString head = QCoreApplication::translate("tcpsim::render", "Step %1 of %2").arg(index + 1).arg(total) +
                         "   t = " + QString::fromStdString(format_time(now)) + " s";
    const QFont hf = slide_font(th_, 26, true);
    p.setFont(hf);
    p.setPen(th_.black);
    const double head_w = QFontMetricsF(hf).horizontalAdvance(head) + 4;
    const double line1 = QFontMetricsF(hf).height() + 4;
    p.drawText(QRectF(kMargin, 4, head_w, line1), Qt::AlignLeft | Qt::AlignVCenter, head);
    // The scenario's title, whole: beside the step when it fits, else on
    // lines of its own under it (20 px, wrapped).
    const QFont tf = slide_font(th_, 20);
    const QFontMetricsF tfm(tf);
    const QRectF tr(kMargin + head_w + 24, 4, W - head_w - 24 - 2 * kMargin, line1);
    double y = 4 + line1;
    p.setFont(tf);
    p.setPen(QColor(0x44, 0x44, 0x44));
    if (tfm.horizontalAdvance(title_) <= tr.width()) {
      p.drawText(tr, Qt::AlignRight | Qt::AlignVCenter, title_);
    } else {
      const QRectF tr2(kMargin + 12, y, W - 2 * kMargin - 12, 200);
      const QRectF tb = tfm.boundingRect(tr2, Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop, title_);
      p.drawText(QRectF(tr2.topLeft(), QSizeF(tr2.width(), tb.height())), Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop,
                 title_);
      y += tb.height() + 2;
    }
    // The step's event, whole, wrapped (22 px, 20 px when it needs more than two lines).
    QString what;
    if (ev) what = QString::fromStdString(localize_label(describe_event(*v_, *ev), o_.lang));
    const QRectF wr0(kMargin + 12, y, W - 2 * kMargin - 12, 200);
    QFont ef = slide_font(th_, 22, true);
    QRectF wb = QFontMetricsF(ef).boundingRect(wr0, Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop, what);
    if (wb.height() > QFontMetricsF(ef).lineSpacing() * 2.5) {
      ef.setPixelSize(20);
      wb = QFontMetricsF(ef).boundingRect(wr0, Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop, what);
    }
    const double cap_bottom = wr0.top() + std::max(wb.height(), QFontMetricsF(ef).height()) + 6;
    p.setPen(QPen(th_.vermillion, 4));
    p.drawLine(QPointF(kMargin + 2, wr0.top() + 2), QPointF(kMargin + 2, cap_bottom - 6));
    p.setFont(ef);
    p.setPen(QColor(0x11, 0x11, 0x11));
    p.drawText(QRectF(wr0.left(), wr0.top(), wr0.width(), cap_bottom - wr0.top()),
               Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop, what);
    p.setPen(QPen(QColor(0xBB, 0xBB, 0xBB), 1));
    p.drawLine(QPointF(kMargin, cap_bottom), QPointF(W - kMargin, cap_bottom));

    // Ladder: its header band on top, the body scrolled so the step sits at
    // 45 % of the panel (the events of its instant below it). Laid out for the panel's width: drawn at full size.
    const QRectF lr(kMargin, cap_bottom + 4, kLadderW, H - cap_bottom - 4 - kMargin / 2);
    const double k = std::min(1.0, lr.width() / lay_->size().width());
    const double hh = lay_->header_height();
    {
      const double visible = lr.height() / k - hh;
      const double y = lay_->y_of(now);
      const double off = std::clamp(y - hh - visible * 0.45, 0.0, std::max(0.0, lay_->size().height() - hh - visible));
      p.save();
      p.setClipRect(QRectF(lr.left(), lr.top() + hh * k, lr.width(), lr.height() - hh * k));
      p.translate(lr.left(), lr.top());
      p.scale(k, k);
      p.translate(0, -off);
      lay_->paint(p, cursor, now, -1, true);
      p.restore();
      p.save();
      p.setClipRect(QRectF(lr.left(), lr.top(), lr.width(), hh * k));
      p.translate(lr.left(), lr.top());
      p.scale(k, k);
      p.fillRect(QRectF(0, 0, lay_->size().width(), hh), Qt::white);
      lay_->paint_header(p, now, true);
      p.restore();
    }
    p.setPen(QPen(QColor(0xBB, 0xBB, 0xBB), 1));
    p.drawLine(QPointF(lr.right() + kMargin / 2, lr.top()), QPointF(lr.right() + kMargin / 2, H - kMargin));

    // Diagrams: the endpoint this step is about, large; the other below.
    std::vector<std::uint32_t> order = socks_;
    const std::uint32_t focus = focus_socket(cursor);
    std::stable_partition(order.begin(), order.end(), [&](std::uint32_t s) { return s == focus; });
    const double dx = lr.right() + kMargin, dw = W - dx - kMargin;
    const double top = lr.top(), avail = H - kMargin / 2 - top;
    const double big = order.size() > 1 ? std::round(avail * 0.6) : avail;
    for (std::size_t i = 0; i < order.size() && i < 2; ++i) {
      const QRectF card = i == 0 ? QRectF(dx, top, dw, big - 4) : QRectF(dx, top + big + 4, dw, avail - big - 4);
      paint_card(p, card, order[i], cursor, now);
    }
  }

 private:
  // The socket the step is about: the event's own socket when it is one
  // of the two ends, else the end that changed state most recently.
  std::uint32_t focus_socket(std::size_t cursor) const {
    if (socks_.empty()) return 0;
    if (cursor > 0) {
      const Event& e = t_.events[cursor - 1];
      for (auto s : socks_)
        if (e.sock == s) return s;
    }
    for (std::size_t i = cursor; i-- > 0;) {
      const Event& e = t_.events[i];
      if (e.kind == EventKind::State)
        for (auto s : socks_)
          if (e.sock == s) return s;
    }
    return socks_[0];
  }

  // One endpoint's diagram in `card`: its title line (socket and state,
  // 22 px), then a window on the presentation-size diagram (24 px text)
  // centred on the current state and the latest arrow's label, drawn at
  // full size (down to 0.82, 20 px, when the two need it), framed.
  void paint_card(QPainter& p, const QRectF& card, std::uint32_t sock, std::size_t cursor, Time now) const {
    const auto& l = DiagramLayout::standard();
    DiagramState ds = diagram_state(*v_, sock, cursor, now);
    const QString state = ds.current ? QString(state_rfc_name(*ds.current))
                                     : QCoreApplication::translate("tcpsim::render", "not created yet");
    QFont cf = slide_font(th_, 20, true);
    QFontMetricsF cfm(cf);
    const QString who = QString::fromStdString(v_->socket_label(sock));
    const double head_h = cfm.height() + 4;
    p.setFont(cf);
    p.setPen(th_.black);
    // The state is never elided; a long socket label is, in its middle.
    p.drawText(QRectF(card.left(), card.top(), card.width(), head_h), Qt::AlignLeft | Qt::AlignVCenter,
               cfm.elidedText(who, Qt::ElideMiddle, card.width() - cfm.horizontalAdvance(": " + state) - 4) +
                   ": " + state);
    const QRectF win(card.left(), card.top() + head_h, card.width(), card.height() - head_h);
    if (win.height() < 40) return;
    // The diagram as the GUI's lecture mode lays it out at 1024 x 768.
    const QRectF virt(0, 0, 560, 720);
    ds.title = who;
    DiagramGeometry g = layout_state_diagram(virt, l, ds, th_);
    QRectF focus;
    QRectF drawn(g.origin, l.canvas * g.scale);
    for (const auto& tx : g.texts) {
      if (tx.role == DiagramText::CurrentState) focus = tx.box;
      if (tx.role != DiagramText::Title) drawn = drawn.united(tx.box);
    }
    QRectF with_label = focus;
    for (const auto& tx : g.texts)
      if (tx.role == DiagramText::LatestLabel) with_label = with_label.isNull() ? tx.box : with_label.united(tx.box);
    if (focus.isNull()) focus = with_label;
    if (focus.isNull()) focus = QRectF(virt.center(), QSizeF(1, 1));
    const QRectF area = with_label.adjusted(-8, -8, 8, 8);
    double s = std::min({1.0, win.width() / area.width(), win.height() / area.height()});
    // Too far apart to show both at 0.82 size or more: full size, centred
    // between them, then moved so the current state is whole (the arrow's
    // label shows as much as the window holds).
    const bool apart = s < 0.82;  // 24 px text stays >= 20 px
    if (apart) s = 1.0;
    const QPointF centre = area.center();
    // The window, in diagram coordinates, kept inside the drawn diagram.
    QSizeF ws(win.width() / s, win.height() / s);
    const QRectF canvas = drawn.adjusted(-6, -6, 6, 6);
    QRectF view(centre.x() - ws.width() / 2, centre.y() - ws.height() / 2, ws.width(), ws.height());
    if (apart) {
      const QRectF f = focus.adjusted(-12, -12, 12, 12);
      if (f.width() <= ws.width()) view.moveLeft(std::clamp(view.left(), f.right() - ws.width(), f.left()));
      if (f.height() <= ws.height()) view.moveTop(std::clamp(view.top(), f.bottom() - ws.height(), f.top()));
    }
    if (ws.width() < canvas.width()) view.moveLeft(std::clamp(view.left(), canvas.left(), canvas.right() - ws.width()));
    if (ws.height() < canvas.height()) view.moveTop(std::clamp(view.top(), canvas.top(), canvas.bottom() - ws.height()));
    p.save();
    p.setClipRect(win);
    p.fillRect(win, Qt::white);
    p.translate(win.topLeft());
    p.scale(s, s);
    p.translate(-view.topLeft());
    paint_state_diagram(p, virt, l, ds, th_);
    p.restore();
    p.setPen(QPen(QColor(0x99, 0x99, 0x99), 1.5));
    p.setBrush(Qt::NoBrush);
    p.drawRoundedRect(win.adjusted(0.75, 0.75, -0.75, -0.75), 6, 6);
  }

  const Trace& t_;
  ExportOptions o_;
  std::shared_ptr<const TraceView> v_;
  Theme th_;
  QString title_;
  std::unique_ptr<LadderLayout> lay_;
  std::vector<std::uint32_t> socks_;
};
}  // namespace

bool export_slides(const Scenario& s, const Trace& t, const std::vector<std::size_t>& cursors,
                   const ExportOptions& o, std::string* error) {
  apply_language(o);
  SlideDeck deck(s, t, o);
  if (!deck.init(cursors, error)) return false;
  const QString path = QString::fromStdString(o.path);
  if (!check_writable(path, error)) return false;
  QPdfWriter pdf(path);
  pdf.setTitle(deck.page_title());
  pdf.setCreator("tcpsim");
  pdf.setResolution(300);
  // PowerPoint's and Beamer's 16:9: 13.333 x 7.5 in.
  pdf.setPageSize(QPageSize(QSizeF(960, 540), QPageSize::Point, QString(), QPageSize::ExactMatch));
  pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
  QPainter p;
  if (!p.begin(&pdf)) {
    if (error) *error = "cannot write '" + o.path + "'";
    return false;
  }
  const QRect page = p.viewport();
  const double k = std::min(page.width() / kSlideSize.width(), page.height() / kSlideSize.height());
  for (std::size_t i = 0; i < cursors.size(); ++i) {
    if (i > 0) pdf.newPage();
    p.save();
    p.scale(k, k);
    p.setClipRect(QRectF(QPointF(0, 0), kSlideSize));
    deck.paint(p, cursors[i], i, cursors.size());
    p.restore();
  }
  p.end();
  return true;
}

bool render_slide_frames(const Scenario& s, const Trace& t, const std::vector<std::size_t>& cursors,
                         const ExportOptions& o, const FrameSink& sink, std::string* error) {
  apply_language(o);
  SlideDeck deck(s, t, o);
  if (!deck.init(cursors, error)) return false;
  // 1600 x 900 by default (render_export.hpp): the 1024 x 576 slide scaled.
  const int w = o.width > 0 ? o.width : 1600;
  const int h = o.height > 0 ? o.height
                : o.width > 0 ? static_cast<int>(std::lround(w * kSlideSize.height() / kSlideSize.width()))
                              : 900;
  QImage img(w, h, QImage::Format_RGBA8888);
  for (std::size_t i = 0; i < cursors.size(); ++i) {
    img.fill(Qt::white);
    QPainter p(&img);
    const double k = std::min(w / kSlideSize.width(), h / kSlideSize.height());
    p.translate((w - kSlideSize.width() * k) / 2, (h - kSlideSize.height() * k) / 2);
    p.scale(k, k);
    deck.paint(p, cursors[i], i, cursors.size());
    p.end();
    if (!sink(w, h, img.constBits(), error)) return false;
  }
  return true;
}

}  // namespace tcpsim::render
