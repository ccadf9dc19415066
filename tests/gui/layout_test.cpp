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
  const render::DiagramGeometry& g = d->geometry();
  const QRectF inside = QRectF(d->rect()).adjusted(-0.5, -0.5, 0.5, 0.5);
  double cur_px = 0, latest_px = 0;
  for (const auto& t : g.texts) {
    const std::string txt = t.text.toStdString();
    EXPECT_GE(t.px, 10) << what << ": '" << txt << "' is " << t.px << " px";
    EXPECT_TRUE(inside.contains(t.box)) << what << ": '" << txt << "' is not whole in the pane";
    if (t.role == render::DiagramText::CurrentState) cur_px = t.px;
    if (t.role == render::DiagramText::LatestLabel) latest_px = t.px;
  }
  EXPECT_GE(cur_px, 16) << what << ": the current state's name (" << d->highlightedState().toStdString() << ")";
  if (!d->diagramState().path.empty()) EXPECT_GE(latest_px, 12) << what << ": the latest transition's label";
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
    for (Case c : {Case{"three-way-handshake", msec(14)}, Case{"lost-final-ack", sec(3)}, Case{"normal-close", -1}}) {
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

}  // namespace
