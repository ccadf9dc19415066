// Issue #12, "How it is checked": the SVG ladder of every catalogue scenario,
// in every time scale and both languages, is parsed and measured:
//  - one arrow per segment sent in the trace, none hidden under another;
//  - no text box overlaps another, none leaves the canvas;
//  - every failed call's label holds its errno;
//  - the time axis labels strictly increase from top to bottom.
//
// Arrows: QSvgGenerator writes no ids, so an arrow is counted in the SVG as
// the <polyline> of its line. LadderLayout reports the line it drew for each
// segment (arrow_geometry); the test requires, for every segment sent, a
// polyline in the SVG with those end points, and no two segments sharing one
// (a segment drawn under another is what the issue saw). Text boxes are
// measured from the SVG itself: each <text> has x, y (baseline), font family,
// size and weight; QFontMetricsF on the same font gives its box.
//
// TCPSIM_LADDER_DUMP=<dir> keeps the SVGs (<scenario>-<scale>-<lang>.svg).
#include <gtest/gtest.h>
#include <dirent.h>

#include <QApplication>
#include <QBuffer>
#include <QFile>
#include <QFontMetricsF>
#include <QPainter>
#include <QRegularExpression>
#include <QSvgGenerator>
#include <QTransform>
#include <QXmlStreamReader>
#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <memory>

#include "i18n.hpp"
#include "catalogue.hpp"
#include "ladder.hpp"
#include "tcpsim/loader.hpp"
#include "tcpsim/simulation.hpp"
#include "theme.hpp"
#include "trace_view.hpp"

using namespace tcpsim;
using namespace tcpsim::render;

namespace {

class QtEnv : public ::testing::Environment {
 public:
  void SetUp() override {
    if (!std::getenv("DISPLAY")) ::setenv("QT_QPA_PLATFORM", "offscreen", 1);
    static int argc = 1;
    static char name[] = "tcpsim_ladder_tests";
    static char* argv[] = {name, nullptr};
    if (!QCoreApplication::instance()) app_ = std::make_unique<QApplication>(argc, argv);
  }
  void TearDown() override { app_.reset(); }

 private:
  std::unique_ptr<QApplication> app_;
};
[[maybe_unused]] auto* const kEnv = ::testing::AddGlobalTestEnvironment(new QtEnv);

struct SvgText {
  QRectF box;
  QString text;
};
struct SvgLine {
  QPointF a, b;
};
struct Svg {
  QRectF canvas;
  std::vector<SvgText> texts;
  std::vector<SvgLine> lines;
};

QTransform parse_transform(const QString& s) {
  static const QRegularExpression re(R"(matrix\(([^)]*)\))");
  auto m = re.match(s);
  if (!m.hasMatch()) return {};
  const auto p = m.captured(1).split(',');
  if (p.size() != 6) return {};
  return QTransform(p[0].toDouble(), p[1].toDouble(), p[2].toDouble(), p[3].toDouble(), p[4].toDouble(), p[5].toDouble());
}

// Reads what QSvgGenerator writes: <g> groups carrying transform and font
// attributes, <text x y> at the baseline, <polyline points> for lines.
Svg parse_svg(const QByteArray& data) {
  Svg out;
  QXmlStreamReader r(data);
  struct G {
    QTransform tr;
    QString family, size, weight;
  };
  std::vector<G> stack{G{}};
  std::map<QString, QFontMetricsF> metrics;
  while (!r.atEnd()) {
    r.readNext();
    if (r.isEndElement() && r.name() == QLatin1String("g")) {
      if (stack.size() > 1) stack.pop_back();
      continue;
    }
    if (!r.isStartElement()) continue;
    const auto at = r.attributes();
    if (r.name() == QLatin1String("svg")) {
      const auto vb = at.value("viewBox").toString().split(' ', Qt::SkipEmptyParts);
      if (vb.size() == 4) out.canvas = QRectF(vb[0].toDouble(), vb[1].toDouble(), vb[2].toDouble(), vb[3].toDouble());
    } else if (r.name() == QLatin1String("g")) {
      G g = stack.back();
      if (at.hasAttribute("transform")) g.tr = parse_transform(at.value("transform").toString()) * stack.front().tr;
      if (at.hasAttribute("font-family")) g.family = at.value("font-family").toString();
      if (at.hasAttribute("font-size")) g.size = at.value("font-size").toString();
      if (at.hasAttribute("font-weight")) g.weight = at.value("font-weight").toString();
      stack.push_back(g);
    } else if (r.name() == QLatin1String("text")) {
      G g = stack.back();
      if (at.hasAttribute("font-family")) g.family = at.value("font-family").toString();
      if (at.hasAttribute("font-size")) g.size = at.value("font-size").toString();
      if (at.hasAttribute("font-weight")) g.weight = at.value("font-weight").toString();
      const double x = at.value("x").toDouble(), y = at.value("y").toDouble();
      const QString text = r.readElementText(QXmlStreamReader::IncludeChildElements);
      if (text.trimmed().isEmpty()) continue;
      const QString key = g.family + '|' + g.size + '|' + g.weight;
      auto fit = metrics.find(key);
      if (fit == metrics.end()) {
        QFont f;
        QStringList fams;
        for (QString s : g.family.split(',')) fams << s.trimmed().remove('\'').remove('"');
        f.setFamilies(fams);
        QString sz = g.size;
        sz.remove("px").remove("pt");
        f.setPixelSize(std::max(1, qRound(sz.toDouble())));
        f.setWeight(static_cast<QFont::Weight>(g.weight.toInt() > 0 ? g.weight.toInt() : 400));
        fit = metrics.emplace(key, QFontMetricsF(f)).first;
      }
      const QFontMetricsF& fm = fit->second;
      QRectF box(x, y - fm.ascent(), fm.horizontalAdvance(text), fm.ascent() + fm.descent());
      out.texts.push_back({g.tr.mapRect(box), text});
    } else if (r.name() == QLatin1String("polyline")) {
      const auto pts = at.value("points").toString().split(' ', Qt::SkipEmptyParts);
      if (pts.size() != 2) continue;
      auto pt = [](const QString& s) {
        auto xy = s.split(',');
        return xy.size() == 2 ? QPointF(xy[0].toDouble(), xy[1].toDouble()) : QPointF();
      };
      const QTransform& tr = stack.back().tr;
      out.lines.push_back({tr.map(pt(pts[0])), tr.map(pt(pts[1]))});
    }
  }
  EXPECT_FALSE(r.hasError()) << r.errorString().toStdString();
  return out;
}

// "11.320 ms" / "60.118 s" -> microseconds; -1 if not an axis label.
double axis_value(const QString& s) {
  static const QRegularExpression re(R"(^(\d+\.\d{3}) (ms|s)$)");
  auto m = re.match(s);
  if (!m.hasMatch()) return -1;
  return m.captured(1).toDouble() * (m.captured(2) == "s" ? 1e6 : 1e3);
}

bool near(QPointF a, QPointF b) { return std::abs(a.x() - b.x()) < 0.75 && std::abs(a.y() - b.y()) < 0.75; }

struct Run {
  Scenario scenario;
  std::shared_ptr<const Trace> trace;
};

class LadderSvg : public ::testing::TestWithParam<std::string> {};

TEST_P(LadderSvg, EverySegmentAndEveryWordVisibleWithoutOverlap) {
  const std::string name = GetParam();
  Scenario s = load_scenario_file(std::string(TCPSIM_SCENARIOS) + "/" + name + ".yaml");
  auto trace = std::make_shared<const Trace>(run_scenario(s));
  TraceView v(trace);
  const auto& ev = trace->events;
  std::size_t sends = 0;
  for (const auto& e : ev) sends += e.kind == EventKind::Segment && e.seg_op == SegOp::Send;
  ASSERT_EQ(v.arrows().size(), sends) << "the trace view pairs every send with one arrow";

  const char* dump = std::getenv("TCPSIM_LADDER_DUMP");
  for (const char* lang : {"en", "zh_CN"}) {
    ASSERT_TRUE(install_language(lang)) << lang;
    for (TimeScale scale : {TimeScale::Compressed, TimeScale::Linear, TimeScale::Textbook}) {
      SCOPED_TRACE(name + " " + time_scale_name(scale).toStdString() + " " + lang);
      Theme th = default_theme();
      th.lang = lang;
      LadderOptions lo;
      lo.scale = scale;
      lo.legend = true;
      lo.title = QCoreApplication::translate("tcpsim::render", "Packet timeline: %1")
                     .arg(QString::fromStdString(s.title.get(lang).empty() ? s.name : s.title.get(lang)));
      // The whole ladder, from the layout's own geometry: an arrow for every
      // segment, no two text boxes overlapping, none off the canvas.
      LadderLayout full(v, th, lo);
      for (std::size_t k = 0; k < v.arrows().size(); ++k)
        ASSERT_FALSE(full.arrow_geometry(static_cast<int>(k)).isNull()) << "segment " << k << " has no arrow";
      {
        std::vector<QRectF> boxes;
        for (const auto& t : full.texts()) boxes.push_back(t.box);
        std::sort(boxes.begin(), boxes.end(), [](const QRectF& a, const QRectF& b) { return a.top() < b.top(); });
        for (std::size_t i = 0; i < boxes.size(); ++i) {
          EXPECT_TRUE(QRectF(QPointF(0, 0), full.size()).contains(boxes[i])) << "box off the canvas at y " << boxes[i].top();
          for (std::size_t j = i + 1; j < boxes.size() && boxes[j].top() < boxes[i].bottom(); ++j) {
            const QRectF o = boxes[i].intersected(boxes[j]);
            EXPECT_FALSE(o.width() > 1 && o.height() > 1) << "boxes overlap at y " << boxes[i].top();
          }
        }
      }

      // A "≈ N later" marker crosses no arrow: nothing is in flight across it.
      for (const auto& t : full.texts()) {
        if (t.role != LadderText::GapMarker) continue;
        for (std::size_t k = 0; k < v.arrows().size(); ++k) {
          const QLineF l = full.arrow_geometry(static_cast<int>(k));
          EXPECT_FALSE(std::min(l.y1(), l.y2()) < t.box.bottom() && std::max(l.y1(), l.y2()) > t.box.top())
              << "the marker \"" << t.full.toStdString() << "\" crosses segment " << k;
        }
      }

      // The SVG. A pile-up's ladder (thousands of segments, hundreds of
      // thousands of px) is measured over its first kSvgSegments segments, to
      // keep the test quick under ASan; the layout above covered all of it.
      constexpr std::size_t kSvgSegments = 300;
      std::unique_ptr<LadderLayout> window;
      if (v.arrows().size() > kSvgSegments) {
        lo.to = ev[v.arrows()[kSvgSegments].send].t - 1;
        window = std::make_unique<LadderLayout>(v, th, lo);
      }
      const LadderLayout& lay = window ? *window : full;
      const std::size_t window_end = lo.to == kNever ? ev.size() : v.cursor_for_time(lo.to);

      // Rendered as `tcpsim export --ladder x.svg` does (render_export.cpp).
      QBuffer buf;
      buf.open(QIODevice::WriteOnly);
      QSvgGenerator gen;
      gen.setOutputDevice(&buf);
      gen.setSize(lay.size().toSize());
      gen.setViewBox(QRectF(QPointF(0, 0), lay.size()));
      gen.setResolution(96);
      {
        QPainter p(&gen);
        p.fillRect(QRectF(QPointF(0, 0), lay.size()), Qt::white);
        lay.paint(p, ev.size(), v.end_time(), -1, false);
      }
      buf.close();
      if (dump) {
        QFile f(QString("%1/%2-%3-%4.svg").arg(dump, QString::fromStdString(name), time_scale_name(scale), lang));
        if (f.open(QIODevice::WriteOnly)) f.write(buf.data());
      }
      const Svg svg = parse_svg(buf.data());
      ASSERT_GT(svg.canvas.height(), 0);

      // One arrow per segment sent, each drawn, none on top of another.
      std::multimap<long, SvgLine> lines_by_y;  // SVG lines by the y of their start
      for (const auto& sl : svg.lines) lines_by_y.emplace(std::lround(sl.a.y()), sl);
      std::vector<QLineF> drawn;
      for (std::size_t k = 0; k < v.arrows().size(); ++k) {
        if (v.arrows()[k].send >= window_end) break;
        QLineF l = lay.arrow_geometry(static_cast<int>(k));
        ASSERT_FALSE(l.isNull()) << "segment " << k << " (event " << v.arrows()[k].send << ") has no arrow";
        bool in_svg = false;
        const long cy = std::lround(l.y1());
        for (long y = cy - 1; y <= cy + 1 && !in_svg; ++y) {
          auto [b, e] = lines_by_y.equal_range(y);
          for (auto it = b; it != e && !in_svg; ++it) in_svg = near(it->second.a, l.p1()) && near(it->second.b, l.p2());
        }
        EXPECT_TRUE(in_svg) << "segment " << k << ": no line from (" << l.x1() << "," << l.y1() << ") to ("
                            << l.x2() << "," << l.y2() << ") in the SVG";
        // Arrows are laid out top to bottom: only recent ones can coincide.
        for (std::size_t j = drawn.size() > 64 ? drawn.size() - 64 : 0; j < drawn.size(); ++j) {
          const QLineF& o = drawn[j];
          EXPECT_FALSE(std::abs(o.y1() - l.y1()) < 4 && std::abs(o.x1() - l.x1()) < 1 &&
                       std::abs(o.x2() - l.x2()) < 1 && std::abs(o.y2() - l.y2()) < 4)
              << "segment " << k << " is drawn on top of another one";
        }
        drawn.push_back(l);
      }

      // No text outside the canvas, no two texts overlapping.
      std::vector<SvgText> texts = svg.texts;
      std::sort(texts.begin(), texts.end(), [](const SvgText& a, const SvgText& b) { return a.box.top() < b.box.top(); });
      for (std::size_t i = 0; i < texts.size(); ++i) {
        const QRectF& b = texts[i].box;
        EXPECT_TRUE(b.left() >= -0.5 && b.top() >= -0.5 && b.right() <= svg.canvas.width() + 0.5 &&
                    b.bottom() <= svg.canvas.height() + 0.5)
            << "text outside the canvas: \"" << texts[i].text.toStdString() << "\" at (" << b.left() << ","
            << b.top() << " " << b.width() << "x" << b.height() << ") canvas " << svg.canvas.width() << "x"
            << svg.canvas.height();
        for (std::size_t j = i + 1; j < texts.size() && texts[j].box.top() < b.bottom(); ++j) {
          const QRectF o = b.intersected(texts[j].box);
          EXPECT_FALSE(o.width() > 1 && o.height() > 1)
              << "texts overlap: \"" << texts[i].text.toStdString() << "\" and \"" << texts[j].text.toStdString()
              << "\" at y " << b.top();
        }
      }

      // Every failed call's label holds its errno, and the SVG shows it.
      std::multiset<QString> lines;
      for (const auto& t : svg.texts) lines.insert(t.text);
      for (std::size_t i = 0; i < window_end; ++i) {
        if (ev[i].kind != EventKind::Call || ev[i].err == 0) continue;
        const QString err = errno_name(ev[i].err);
        const auto& lt = lay.texts();
        auto it = std::find_if(lt.begin(), lt.end(), [&](const LadderText& t) {
          return t.event == static_cast<std::ptrdiff_t>(i) && t.role == LadderText::Annotation;
        });
        ASSERT_NE(it, lt.end()) << "failed call at event " << i << " has no label";
        EXPECT_TRUE(it->lines.join(' ').contains(err)) << it->lines.join(" | ").toStdString() << " lacks " << err.toStdString();
        for (const auto& l : it->lines) EXPECT_GT(lines.count(l), 0u) << "line \"" << l.toStdString() << "\" not in the SVG";
        EXPECT_TRUE(std::any_of(svg.texts.begin(), svg.texts.end(), [&](const SvgText& t) { return t.text.contains(err); }));
      }

      // Axis labels: full times, strictly increasing top to bottom.
      std::vector<std::pair<double, double>> axis;  // (y, value)
      for (const auto& t : svg.texts) {
        double val = axis_value(t.text);
        if (val >= 0 && t.box.right() <= lay.time_column_width() + 1) axis.push_back({t.box.top(), val});
      }
      std::sort(axis.begin(), axis.end());
      EXPECT_FALSE(axis.empty());
      for (std::size_t i = 1; i < axis.size(); ++i)
        EXPECT_GT(axis[i].second, axis[i - 1].second) << "axis label at y " << axis[i].first << " does not increase";
    }
  }
  install_language("en");
}

std::shared_ptr<const Trace> run(const std::string& name) { return tcpsim::testing::catalogue_trace(name); }

// Issue #12: the handshake shows 5 arrows and normal-close 10, and arrows
// of equal delay have equal slopes, in every time scale.
TEST(LadderScales, SimultaneousSegmentsAreSeparateArrowsWithEqualSlopes) {
  for (const auto& [name, arrows] : {std::pair<std::string, std::size_t>{"three-way-handshake", 5}, {"normal-close", 10}}) {
    auto trace = run(name);
    TraceView v(trace);
    ASSERT_EQ(v.arrows().size(), arrows) << name;
    for (TimeScale scale : {TimeScale::Compressed, TimeScale::Linear, TimeScale::Textbook}) {
      SCOPED_TRACE(name + " " + time_scale_name(scale).toStdString());
      LadderOptions lo;
      lo.scale = scale;
      LadderLayout lay(v, default_theme(), lo);
      std::map<Time, double> dy_of_delay;
      for (std::size_t k = 0; k < arrows; ++k) {
        const auto& a = v.arrows()[k];
        ASSERT_GE(a.deliver, 0);
        const QLineF l = lay.arrow_geometry(static_cast<int>(k));
        const Time d = trace->events[a.deliver].t - trace->events[a.send].t;
        auto [it, fresh] = dy_of_delay.emplace(scale == TimeScale::Textbook ? 0 : d, l.dy());
        if (!fresh) {
          EXPECT_NEAR(l.dy(), it->second, 0.5) << "segment " << k;
        }
        for (std::size_t j = 0; j < k; ++j) EXPECT_GT(l.y1() - lay.arrow_geometry(static_cast<int>(j)).y1(), 10) << k;
      }
    }
  }
}

// Linear: every delay a constant slope, so exponential backoff is seen
// doubling: the distance between the FIN's transmissions follows their times.
TEST(LadderScales, LinearShowsBackoffDoubling) {
  auto trace = run("lost-fin-retransmission");
  TraceView v(trace);
  LadderOptions lo;
  lo.scale = TimeScale::Linear;
  LadderLayout lay(v, default_theme(), lo);
  std::vector<std::pair<Time, double>> fins;  // (send time, y)
  for (std::size_t k = 0; k < v.arrows().size(); ++k) {
    const Event& e = trace->events[v.arrows()[k].send];
    if (e.seg.flags & kFin) fins.push_back({e.t, lay.arrow_geometry(static_cast<int>(k)).y1()});
  }
  ASSERT_GE(fins.size(), 4u);
  const double px_per_us = (fins.back().second - fins[1].second) / double(fins.back().first - fins[1].first);
  for (std::size_t i = 2; i < fins.size(); ++i) {
    const double dt = double(fins[i].first - fins[i - 1].first), dy = fins[i].second - fins[i - 1].second;
    EXPECT_NEAR(dy, dt * px_per_us, dt * px_per_us * 0.02 + 2) << "transmission " << i;
  }
  // And the time labels follow the same scale.
  std::vector<std::pair<double, double>> axis;
  for (const auto& t : lay.texts())
    if (t.role == LadderText::TimeLabel) axis.push_back({t.box.center().y(), axis_value(t.full)});
  ASSERT_GE(axis.size(), 2u);
  for (std::size_t i = 1; i < axis.size(); ++i) EXPECT_GT(axis[i].second, axis[i - 1].second);
}

// so-linger-zero up to 40 ms: the axis reads full times (11.320 ms, not
// 1.320), increasing.
TEST(LadderScales, AxisShowsFullTimes) {
  auto trace = run("so-linger-zero");
  TraceView v(trace);
  LadderOptions lo;
  lo.to = msec(40);
  LadderLayout lay(v, default_theme(), lo);
  QStringList labels;
  for (const auto& t : lay.texts())
    if (t.role == LadderText::TimeLabel) labels << t.full;
  EXPECT_TRUE(labels.contains("11.320 ms")) << labels.join(", ").toStdString();
  EXPECT_FALSE(labels.contains("1.320 ms")) << labels.join(", ").toStdString();
}

// Where a label had to be shortened, the layout still knows its whole text
// (for the tooltip); and a call's errno stays whole even in a narrow ladder.
TEST(LadderScales, NarrowLadderKeepsErrnoAndFullText) {
  auto trace = run("rst-on-unread-data");
  TraceView v(trace);
  Theme th = presentation_theme();
  LadderOptions lo;
  lo.width = 480;
  LadderLayout lay(v, th, lo);
  bool found = false;
  for (const auto& t : lay.texts()) {
    if (!t.full.contains("ECONNRESET")) continue;
    found = true;
    EXPECT_TRUE(t.lines.join(QChar(0x20)).contains("ECONNRESET")) << t.lines.join(" | ").toStdString() << " box " << t.box.width() << " lifeline " << lay.lifeline_x(0);
    EXPECT_EQ(lay.text_at(t.box.center(), trace->events.size()), t.full);
  }
  EXPECT_TRUE(found);
}

INSTANTIATE_TEST_SUITE_P(Catalogue, LadderSvg, ::testing::ValuesIn(tcpsim::testing::catalogue_names()),
                         [](const ::testing::TestParamInfo<std::string>& i) {
                           std::string n = i.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

}  // namespace
