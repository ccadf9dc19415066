// The default (non-lecture) main window at a projector's 1024x768, in
// English and Chinese: the packet timeline shows the whole exchange without
// horizontal scrolling (both lifelines, every segment label, every call and
// its errno whole, at the ladder's own font), the two state diagrams are
// legible (the current state's name and the latest transition's label in
// view at a readable size), and the cursor line crosses no text. 1920x1080
// keeps its layout: the browser on the left, the whole diagrams.
//
// Geometry is measured on the real widgets (offscreen), after they painted.
#include <gtest/gtest.h>

#include <QApplication>
#include <QDockWidget>
#include <QPaintEngine>
#include <QTextItem>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QTabWidget>

#include "gui_app.hpp"
#include "i18n.hpp"
#include "ladder.hpp"
#include "main_window.hpp"
#include "state_diagram.hpp"

using namespace tcpsim;

namespace {

QString scenario(const char* name) { return QString(TCPSIM_SOURCE_DIR) + "/scenarios/" + name + ".yaml"; }

struct Window {
  gui::MainWindow w;
  Window(QSize size, const char* scn, const QString& lang, Time at = -1) {
    QSettings().clear();
    w.setLanguage(lang);
    EXPECT_TRUE(w.openScenario(scenario(scn))) << w.messageText().toStdString();
    w.resize(size);
    w.setAttribute(Qt::WA_DontShowOnScreen);
    w.show();
    QApplication::processEvents();  // the docks move, the centre's shares follow (queued)
    QApplication::processEvents();
    if (at >= 0) w.setCursorTime(at);
    else w.toEnd();
    w.finishAnimations();
    QApplication::processEvents();
    for (int i = 0; i < 2; ++i) w.diagram(i)->grab();  // paint: geometry() is the last paint's
  }
  ~Window() { render::install_language("en"); }
};

std::string what(const char* scn, QSize s, const QString& lang) {
  return std::string(scn) + " at " + std::to_string(s.width()) + "x" + std::to_string(s.height()) + " " +
         lang.toStdString();
}

// Both lifelines and every segment label, call, state and note of the
// ladder inside the visible viewport, whole, at the ladder's font.
void expect_ladder_whole_in_view(gui::MainWindow& w, const std::string& what) {
  render::LadderWidget* lad = w.ladder();
  ASSERT_TRUE(lad->isVisible()) << what;
  QScrollArea* sa = lad->scrollArea();
  const int vw = sa->viewport()->width();
  EXPECT_EQ(sa->horizontalScrollBar()->maximum(), 0)
      << what << ": the timeline needs horizontal scrolling (canvas " << sa->widget()->width() << " px, view " << vw
      << " px)";
  const render::LadderLayout* lay = lad->layout();
  ASSERT_NE(lay, nullptr) << what;
  const int hosts = static_cast<int>(w.view()->trace().meta.hosts.size());
  ASSERT_GE(hosts, 2) << what;
  for (int h = 0; h < hosts; ++h) {
    EXPECT_GT(lay->lifeline_x(h), 0) << what << ": lifeline " << h;
    EXPECT_LT(lay->lifeline_x(h), vw) << what << ": lifeline " << h << " beyond the view (" << vw << " px)";
  }
  int labels = 0;
  const int ladder_px = QFontInfo(render::default_theme().font(9.5)).pixelSize();
  for (const auto& t : lay->texts()) {
    if (t.role != render::LadderText::SegmentLabel && t.role != render::LadderText::Annotation &&
        t.role != render::LadderText::DropReason)
      continue;
    labels += t.role == render::LadderText::SegmentLabel;
    const std::string txt = t.full.toStdString();
    EXPECT_GE(t.box.left(), 0) << what << ": '" << txt << "' starts left of the view";
    EXPECT_LE(t.box.right(), vw) << what << ": '" << txt << "' ends at " << t.box.right() << ", view " << vw;
    EXPECT_FALSE(t.elided) << what << ": '" << txt << "' is cut short";
    // Shrunk below the ladder's font only when a column is too narrow for a word.
    if (t.font_px > 0) EXPECT_GE(t.font_px, std::min(ladder_px, 12)) << what << ": '" << txt << "'";
  }
  EXPECT_GT(labels, 0) << what;
}

// The current state's name and the latest transition's label drawn whole
// inside the diagram at a size a projector's back row reads, and no text of
// the diagram smaller than 10 px.
void expect_diagram_legible(render::StateDiagramWidget* d, const std::string& what) {
  ASSERT_TRUE(d->isVisible()) << what;
  // The pane itself inside the window (not pushed past its right edge).
  const QRect in_window(d->mapTo(d->window(), QPoint(0, 0)), d->size());
  EXPECT_TRUE(d->window()->rect().contains(in_window))
      << what << ": the diagram pane (" << in_window.x() << "," << in_window.y() << " " << in_window.width() << "x"
      << in_window.height() << ") leaves the " << d->window()->width() << "x" << d->window()->height() << " window";
  const render::DiagramGeometry& g = d->geometry();
  const QRectF inside = QRectF(d->rect()).adjusted(-0.5, -0.5, 0.5, 0.5);
  double cur_px = 0, latest_px = 0;
  // Zoomed less so that the state just left is whole too (a long latest
  // arrow in a narrow pane): smaller, still readable.
  const double k = g.reduced ? 0.65 : 1.0;
  for (const auto& t : g.texts) {
    const std::string txt = t.text.toStdString();
    EXPECT_GE(t.px, 10 * k) << what << ": '" << txt << "' is " << t.px << " px";
    EXPECT_TRUE(inside.contains(t.box)) << what << ": '" << txt << "' is not whole in the pane";
    if (t.role == render::DiagramText::CurrentState) cur_px = t.px;
    if (t.role == render::DiagramText::LatestLabel) latest_px = t.px;
  }
  EXPECT_GE(cur_px, 16 * k) << what << ": the current state's name (" << d->highlightedState().toStdString() << ")";
  if (!d->diagramState().path.empty()) EXPECT_GE(latest_px, 12 * k) << what << ": the latest transition's label";
}

class LayoutTest : public ::testing::Test {
 protected:
  void SetUp() override { test::ensure_app(); }
};

TEST_F(LayoutTest, DefaultWindowAt1024x768ShowsTheWholeExchangeWithoutHorizontalScrolling) {
  const QSize size(1024, 768);
  for (const QString lang : {"en", "zh_CN"}) {
    Window win(size, "rst-on-unread-data", lang, msec(114));
    const std::string w = what("rst-on-unread-data", size, lang);
    EXPECT_FALSE(win.w.lectureMode()) << w;
    EXPECT_TRUE(win.w.compactLayout()) << w;
    expect_ladder_whole_in_view(win.w, w);
    // The client's failed recv() and its errno, whole on one line.
    bool errno_whole = false;
    for (const auto& t : win.w.ladder()->layout()->texts())
      for (const auto& line : t.lines)
        errno_whole |= QString(line).replace(QChar(0xA0), ' ').contains("= -1 ECONNRESET");
    EXPECT_TRUE(errno_whole) << w << ": '= -1 ECONNRESET' is not drawn whole";
    // The RST arrow's label names it.
    bool rst_label = false;
    for (const auto& t : win.w.ladder()->layout()->texts())
      rst_label |= t.role == render::LadderText::SegmentLabel && t.full.startsWith("RST");
    EXPECT_TRUE(rst_label) << w;
    for (int i = 0; i < 2; ++i) expect_diagram_legible(win.w.diagram(i), w + (i ? " server" : " client"));
    // The right arrows are lit: the client's rcv RST, the server's abort.
    EXPECT_EQ(win.w.diagram(0)->geometry().highlighted_event, "rcv RST") << w;
    EXPECT_TRUE(win.w.diagram(1)->geometry().highlighted_rst) << w;
  }
}

TEST_F(LayoutTest, DiagramsAndTimelineStayLegibleAt1024x768ThroughOtherScenarios) {
  struct Case {
    const char* scn;
    Time at;
  };
  const QSize size(1024, 768);
  for (const QString lang : {"en", "zh_CN"})
    for (Case c : {Case{"three-way-handshake", msec(14)}, Case{"lost-final-ack", sec(3)}, Case{"normal-close", -1},
                   Case{"server-never-closes", sec(1)}}) {
      Window win(size, c.scn, lang, c.at);
      const std::string w = what(c.scn, size, lang);
      expect_ladder_whole_in_view(win.w, w);
      for (int i = 0; i < 2; ++i) expect_diagram_legible(win.w.diagram(i), w + (i ? " server" : " client"));
    }
}

TEST_F(LayoutTest, WideWindowKeepsTheBrowserLeftAndTheWholeDiagrams) {
  const QSize size(1920, 1080);
  Window win(size, "rst-on-unread-data", "en");
  const std::string w = what("rst-on-unread-data", size, "en");
  EXPECT_FALSE(win.w.compactLayout());
  auto* browser = win.w.findChild<QDockWidget*>("browserDock");
  ASSERT_NE(browser, nullptr);
  EXPECT_EQ(win.w.dockWidgetArea(browser), Qt::LeftDockWidgetArea) << w;
  EXPECT_TRUE(browser->isVisible()) << w;
  expect_ladder_whole_in_view(win.w, w);
  for (int i = 0; i < 2; ++i) {
    EXPECT_FALSE(win.w.diagram(i)->geometry().zoomed) << w << ": diagram " << i << " is wide enough for the whole figure";
    expect_diagram_legible(win.w.diagram(i), w + (i ? " server" : " client"));
  }
  // Narrowed to a projector's width, the browser becomes a tab at the bottom; widened again, it comes back.
  win.w.resize(1024, 768);
  QApplication::processEvents();
  QApplication::processEvents();
  EXPECT_EQ(win.w.dockWidgetArea(browser), Qt::BottomDockWidgetArea);
  expect_ladder_whole_in_view(win.w, "narrowed to 1024x768");
  win.w.resize(1920, 1080);
  QApplication::processEvents();
  QApplication::processEvents();
  EXPECT_EQ(win.w.dockWidgetArea(browser), Qt::LeftDockWidgetArea);
}

// The dashed cursor line lies below everything drawn up to the cursor: the
// texts of the events shown and the ends of the arrows that arrived (it used
// to cross the handshake's last ACK, whose arrival instant starts higher).
TEST_F(LayoutTest, CursorLineCrossesNoTextShown) {
  for (const char* scn : {"three-way-handshake", "rst-on-unread-data", "normal-close"}) {
    Window win(QSize(1024, 768), scn, "en");
    const render::TraceView& v = *win.w.view();
    const render::LadderLayout* lay = win.w.ladder()->layout();
    ASSERT_NE(lay, nullptr);
    for (std::size_t c = 1; c <= v.size(); ++c) {
      const double y = lay->cursor_y(c, v.time_at(c));
      for (const auto& t : lay->texts()) {
        if (t.event < 0 || static_cast<std::size_t>(t.event) >= c) continue;
        if (t.role != render::LadderText::SegmentLabel && t.role != render::LadderText::Annotation) continue;
        // A label that hangs from its event's instant; a long arrow's label
        // sits mid-arrow, later in time, where the line must not go (it
        // marks the cursor's time: so-linger-zero's burst put it 40 ms low).
        if (t.box.top() > lay->event_y(static_cast<std::size_t>(t.event)) + t.box.height()) continue;
        EXPECT_GT(y, t.box.bottom()) << scn << " cursor " << c << ": the line crosses '" << t.full.toStdString() << "'";
      }
      for (std::size_t i = 0; i < c; ++i)
        EXPECT_GE(y, lay->event_y(i)) << scn << " cursor " << c << ": event " << i << " is below the line";
    }
  }
}

// The cursor line marks the cursor's time: with ten segments in flight
// (so-linger-zero) it stays within a line of the cursor event's instant.
TEST_F(LayoutTest, CursorLineStaysAtTheCursorsTimeWithSegmentsInFlight) {
  Window win(QSize(1920, 1080), "so-linger-zero", "en");
  const render::TraceView& v = *win.w.view();
  const render::LadderLayout* lay = win.w.ladder()->layout();
  ASSERT_NE(lay, nullptr);
  std::size_t checked = 0;
  for (std::size_t c = 2; c <= v.size(); ++c) {
    const double y = lay->cursor_y(c, v.time_at(c));
    const double at = lay->event_y(c - 1);
    const double next = c < v.size() ? lay->event_y(c) : at + 200;
    // Never more than a text line past the next event's instant (a call's
    // text hanging from this instant may reach a little below it).
    if (next > at + 1) {
      EXPECT_LT(y, next + 24) << "cursor " << c << ": the line is below the next event's time";
      ++checked;
    }
  }
  EXPECT_GT(checked, 20u);
}

// Every box the picture needs — the current state and the latest arrow's
// two ends (the state just left) — is whole inside the pane with its name
// drawn at a size that can be read; a box the zoomed frame cuts shows no
// name (never half of one). At 1024x768 the three-way handshake at 14 ms
// used to cut the client's SYN-SENT and the server's SYN-RECEIVED.
TEST_F(LayoutTest, DiagramsShowTheCurrentAndTheLeftStateWholeWithTheirNames) {
  struct Case {
    const char* scn;
    Time at;
  };
  const Case cases[] = {{"three-way-handshake", msec(14)}, {"three-way-handshake", msec(12)},
                        {"rst-on-unread-data", usec(113500)}, {"rst-on-unread-data", msec(114)},
                        {"lost-final-ack", sec(3)}, {"so-linger-zero", msec(23)}, {"normal-close", msec(115)},
                        {"normal-close", -1}};
  for (const QSize size : {QSize(1024, 768), QSize(1920, 1080)})
    for (const QString lang : {"en", "zh_CN"})
      for (const Case& c : cases) {
        Window win(size, c.scn, lang, c.at);
        for (int i = 0; i < 2; ++i) {
          render::StateDiagramWidget* d = win.w.diagram(i);
          if (!d->isVisible() || !d->diagramState().current) continue;
          const std::string w = what(c.scn, size, lang) + " at " + std::to_string(c.at) + (i ? " server" : " client");
          const render::DiagramGeometry& g = d->geometry();
          const QRectF pane = QRectF(d->rect()).adjusted(-0.5, -0.5, 0.5, 0.5);
          const QRectF frame = g.zoomed ? QRectF(g.origin + g.view.topLeft() * g.scale, g.view.size() * g.scale)
                                        : pane;
          std::vector<TcpState> need{*d->diagramState().current};
          if (!d->diagramState().path.empty()) {
            need.push_back(d->diagramState().path.back().from);
            need.push_back(d->diagramState().path.back().to);
          }
          for (TcpState st : need) {
            bool shown = false;
            for (const auto& b : g.boxes) {
              if (b.state != st || !b.named) continue;
              if (!pane.contains(b.r) || !frame.adjusted(-0.5, -0.5, 0.5, 0.5).contains(b.r)) continue;
              // Its name is among the texts drawn, inside the box.
              for (const auto& t : g.texts)
                shown |= (t.role == render::DiagramText::State || t.role == render::DiagramText::CurrentState) &&
                         b.r.adjusted(-0.5, -0.5, 0.5, 0.5).contains(t.box) &&
                         t.text.contains(QString(state_rfc_name(st)));
              EXPECT_GE(b.name_px, 8) << w << ": " << state_rfc_name(st) << "'s name is " << b.name_px << " px";
            }
            EXPECT_TRUE(shown) << w << ": " << state_rfc_name(st)
                               << " (current state or an end of the latest arrow) is not whole with its name";
          }
          for (const auto& b : g.boxes) {
            if (frame.adjusted(-0.5, -0.5, 0.5, 0.5).contains(b.r)) continue;
            EXPECT_FALSE(b.named) << w << ": " << state_rfc_name(b.state) << " is cut by the frame but named";
            for (const auto& t : g.texts)
              EXPECT_FALSE((t.role == render::DiagramText::State || t.role == render::DiagramText::CurrentState) &&
                           b.r.intersects(t.box))
                  << w << ": the name '" << t.text.toStdString() << "' of a box cut by the frame is drawn";
          }
        }
      }
}

// The default window at a projector's 1024x768: both diagrams draw every
// text at 10 px or more, the current state and the latest transition with
// the state it left whole with their names, the latest transition's label
// whole; nothing overlaps. (The zoom used to fall back to 7 px step numbers
// and 8-9 px labels: lost-final-ack at 3 s, the three-way handshake.)
TEST_F(LayoutTest, DefaultWindowAt1024x768DrawsNoDiagramTextUnder10Px) {
  struct Case {
    const char* scn;
    Time at;
  };
  const Case cases[] = {{"lost-final-ack", sec(3)},       {"three-way-handshake", msec(14)},
                        {"rst-on-unread-data", msec(114)}, {"normal-close", msec(11)},
                        {"normal-close", usec(114500)},    {"normal-close", usec(116500)},
                        {"normal-close", sec(1)},          {"normal-close", -1}};
  const QSize size(1024, 768);
  for (const QString lang : {"en", "zh_CN"})
    for (const Case& c : cases) {
      Window win(size, c.scn, lang, c.at);
      for (int i = 0; i < 2; ++i) {
        render::StateDiagramWidget* d = win.w.diagram(i);
        const std::string w =
            what(c.scn, size, lang) + " at " + std::to_string(c.at) + (i ? " server" : " client");
        ASSERT_TRUE(d->isVisible()) << w;
        if (!d->diagramState().current) continue;
        const render::DiagramGeometry& g = d->geometry();
        const std::string diag = " [pane " + std::to_string(d->width()) + "x" + std::to_string(d->height()) +
                                 ", timeline " + std::to_string(win.w.ladder()->width()) + ", scale " +
                                 std::to_string(g.scale) + (g.zoomed ? ", zoomed" : "") +
                                 (g.reduced ? ", reduced" : "") + "]";
        const QRectF pane = QRectF(d->rect()).adjusted(-0.5, -0.5, 0.5, 0.5);
        bool current = false, latest = false;
        for (const auto& t : g.texts) {
          const std::string txt = t.text.toStdString();
          EXPECT_GE(t.px, 10 - 1e-6) << w << ": '" << txt << "' is " << t.px << " px" << diag;
          EXPECT_TRUE(pane.contains(t.box)) << w << ": '" << txt << "' is not whole in the pane" << diag;
          current |= t.role == render::DiagramText::CurrentState;
          latest |= t.role == render::DiagramText::LatestLabel ||
                    (t.role == render::DiagramText::Loop && !d->diagramState().loops.empty());
        }
        for (std::size_t a = 0; a < g.texts.size(); ++a)
          for (std::size_t b = a + 1; b < g.texts.size(); ++b)
            EXPECT_FALSE(g.texts[a].box.adjusted(0.5, 0.5, -0.5, -0.5).intersects(
                g.texts[b].box.adjusted(0.5, 0.5, -0.5, -0.5)))
                << w << ": '" << g.texts[a].text.toStdString() << "' overlaps '" << g.texts[b].text.toStdString()
                << "'" << diag;
        EXPECT_TRUE(current) << w << ": the current state's name is not drawn" << diag;
        if (!d->diagramState().path.empty()) EXPECT_TRUE(latest) << w << ": the latest transition's label" << diag;
        // The current state and both ends of the latest arrow: whole, named.
        std::vector<TcpState> need{*d->diagramState().current};
        if (!d->diagramState().path.empty()) {
          need.push_back(d->diagramState().path.back().from);
          need.push_back(d->diagramState().path.back().to);
        }
        for (TcpState st : need) {
          bool whole = false;
          for (const auto& b : g.boxes)
            whole |= b.state == st && b.named && pane.contains(b.r) && b.name_px >= 10 - 1e-6;
          EXPECT_TRUE(whole) << w << ": " << state_rfc_name(st) << " is not whole with a 10 px name" << diag;
        }
      }
    }
}

// ---- a paint device that records where each text is drawn ----
class TextPlaces : public QPaintEngine {
 public:
  TextPlaces() : QPaintEngine(QPaintEngine::AllFeatures) {}
  bool begin(QPaintDevice*) override { return true; }
  bool end() override { return true; }
  void updateState(const QPaintEngineState&) override {}
  void drawPixmap(const QRectF&, const QPixmap&, const QRectF&) override {}
  void drawPolygon(const QPointF*, int, PolygonDrawMode) override {}
  void drawPath(const QPainterPath&) override {}
  void drawTextItem(const QPointF& at, const QTextItem& ti) override {
    const QFontMetricsF fm(ti.font());
    const QRectF r(at.x(), at.y() - fm.ascent(), fm.horizontalAdvance(ti.text()), fm.ascent() + fm.descent());
    placed.push_back({ti.text(), painter()->combinedTransform().mapRect(r)});
  }
  Type type() const override { return QPaintEngine::User; }
  std::vector<std::pair<QString, QRectF>> placed;
};
class TextPlacesDevice : public QPaintDevice {
 public:
  explicit TextPlacesDevice(QSize s) : size_(s) {}
  QPaintEngine* paintEngine() const override { return &engine_; }
  const std::vector<std::pair<QString, QRectF>>& placed() const { return engine_.placed; }

 protected:
  int metric(PaintDeviceMetric m) const override {
    switch (m) {
      case PdmWidth: return size_.width();
      case PdmHeight: return size_.height();
      case PdmWidthMM: return size_.width() * 254 / 960;
      case PdmHeightMM: return size_.height() * 254 / 960;
      case PdmDpiX: case PdmDpiY: case PdmPhysicalDpiX: case PdmPhysicalDpiY: return 96;
      case PdmNumColors: return 0xffffff;
      case PdmDepth: return 32;
      case PdmDevicePixelRatio: return 1;
      case PdmDevicePixelRatioScaled: return int(QPaintDevice::devicePixelRatioFScale());
      default: return 0;
    }
  }

 private:
  QSize size_;
  mutable TextPlaces engine_;
};

// Scrolled, the ladder shows each text whole or not at all: nothing is cut
// in half at the top of the view, under the sticky host header, nor at its
// bottom (three-way-handshake at 14 ms, rst-on-unread-data at 113.5 ms
// scroll the body by a part of a label).
TEST_F(LayoutTest, ScrolledLadderCutsNoTextAtTheEdgeOfTheView) {
  struct Case {
    const char* scn;
    Time at;
  };
  int scrolled = 0;
  for (const QString lang : {"en", "zh_CN"})
    for (Case c : {Case{"three-way-handshake", msec(14)}, Case{"rst-on-unread-data", usec(113500)},
                   Case{"rst-on-unread-data", msec(114)}, Case{"so-linger-zero", msec(30)},
                   Case{"lost-final-ack", sec(3)}}) {
      Window win(QSize(1024, 768), c.scn, lang, c.at);
      const std::string w = what(c.scn, QSize(1024, 768), lang) + " at " + std::to_string(c.at);
      render::LadderWidget* lad = win.w.ladder();
      QScrollArea* sa = lad->scrollArea();
      scrolled += sa->verticalScrollBar()->value() > 0;
      for (int shift : {0, 7, 13}) {  // and scrolled a little further by hand
        if (shift) sa->verticalScrollBar()->setValue(sa->verticalScrollBar()->value() + shift);
        // The body (canvas coordinates), where the viewport shows it.
        QWidget* body = sa->widget();
        const QRect shown(-body->pos(), sa->viewport()->size());
        const QRectF view(shown);
        TextPlacesDevice dev(body->size());
        body->render(&dev, shown.topLeft(), QRegion(shown), QWidget::DrawChildren);
        int inside = 0;
        for (const auto& [text, r] : dev.placed()) {
          if (!r.intersects(view.adjusted(0, 1, 0, -1))) continue;
          ++inside;
          EXPECT_TRUE(view.adjusted(-1, -1.5, 1, 1.5).contains(r))
              << w << " +" << shift << " px: '" << text.toStdString() << "' at y " << r.top() << ".." << r.bottom()
              << " is cut by the view (" << view.top() << ".." << view.bottom() << ")";
        }
        EXPECT_GT(inside, 3) << w;
      }
    }
  EXPECT_GT(scrolled, 3) << "the cases must scroll the ladder";
}

// A segment in flight at the cursor has its label beside the part of its
// arrow drawn so far and above the cursor line, on no other text: not
// mid-way along the whole arrow, under the line, where nothing is drawn yet
// (rst-on-unread-data's R. at 113.5 ms; so-linger-zero's R. and its burst
// of ten segments).
TEST_F(LayoutTest, InFlightSegmentLabelsSitBesideTheirStubsAboveTheCursorLine) {
  struct Case {
    const char* scn;
    Time at;
    bool all;  // every label placed (one segment in flight)
  };
  for (const QString lang : {"en", "zh_CN"})
    for (Case c : {Case{"rst-on-unread-data", usec(113500), true}, Case{"normal-close", usec(114500), true},
                   Case{"so-linger-zero", msec(23), false}, Case{"so-linger-zero", msec(30), false}}) {
      Window win(QSize(1024, 768), c.scn, lang, c.at);
      const std::string w = what(c.scn, QSize(1024, 768), lang) + " at " + std::to_string(c.at);
      const render::LadderLayout* lay = win.w.ladder()->layout();
      ASSERT_NE(lay, nullptr);
      const std::size_t cur = win.w.cursor();
      const double cy = lay->cursor_y(cur, c.at);
      const auto flying = lay->in_flight_labels(cur, c.at);
      ASSERT_FALSE(flying.empty()) << w << ": nothing in flight";
      bool rst_placed = false;
      std::vector<QRectF> placed;
      for (const auto& fl : flying) {
        const std::string txt = lay->texts()[fl.text].full.toStdString();
        EXPECT_LT(std::max(fl.stub.y1(), fl.stub.y2()), cy) << w << ": the stub of '" << txt << "' crosses the line";
        if (c.all) EXPECT_TRUE(fl.placed) << w << ": '" << txt << "' found no place";
        if (!fl.placed) continue;
        rst_placed |= txt.rfind("RST", 0) == 0;
        EXPECT_LT(fl.box.bottom(), cy) << w << ": '" << txt << "' is under the cursor line";
        // Beside its stub: the box touches the stretch the stub covers.
        const QRectF stretch = QRectF(fl.stub.p1(), fl.stub.p2()).normalized().adjusted(-4, -4, 4, 4);
        EXPECT_TRUE(fl.box.adjusted(0, -fl.box.height() / 2 - 3, 0, fl.box.height() / 2 + 3).intersects(stretch))
            << w << ": '" << txt << "' is away from its stub";
        for (const auto& o : placed) EXPECT_FALSE(o.intersects(fl.box)) << w << ": '" << txt << "' on another label";
        for (const auto& t : lay->texts()) {
          if (t.event < 0 || static_cast<std::size_t>(t.event) >= cur || &t == &lay->texts()[fl.text]) continue;
          bool other_flying = false;
          for (const auto& g : flying) other_flying |= &lay->texts()[g.text] == &t;
          if (other_flying) continue;
          EXPECT_FALSE(t.box.intersects(fl.box)) << w << ": '" << txt << "' over '" << t.full.toStdString() << "'";
        }
        placed.push_back(fl.box);
      }
      EXPECT_TRUE(rst_placed || std::string(c.scn) == "normal-close") << w << ": the RST's label has no place";
    }
}

}  // namespace
