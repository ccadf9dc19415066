// Issue #12 in the GUI: lecture mode on a projector (1024x768, 1280x720:
// both lifelines in view, text of 24 px and up, the current state's label
// the largest), "hide what comes next", the time-scale selector, Chinese
// everywhere, and the command line without a display.
//
// Text sizes are measured, not assumed: a paint device records every text
// item a widget draws with its font's pixel size times the painter's scale.
#include <gtest/gtest.h>

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QPaintEngine>
#include <QPainterPath>
#include <QPaintDevice>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QStatusBar>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QTextItem>
#include <QToolBar>
#include <QToolButton>
#include <QXmlStreamReader>
#include <cmath>
#include <set>

#include "gui_app.hpp"
#include "i18n.hpp"
#include "inspector.hpp"
#include "ladder.hpp"
#include "main_window.hpp"
#include "state_diagram.hpp"
#include "tcpsim/loader.hpp"
#include "tcpsim/simulation.hpp"

using namespace tcpsim;

namespace {

// ---- a paint device that records the text drawn on it ----
struct DrawnText {
  QString text;
  double px;  // font pixel size times the painter's scale
};

class RecordingEngine : public QPaintEngine {
 public:
  RecordingEngine() : QPaintEngine(QPaintEngine::AllFeatures) {}
  bool begin(QPaintDevice*) override { return true; }
  bool end() override { return true; }
  void updateState(const QPaintEngineState&) override {}
  void drawPixmap(const QRectF&, const QPixmap&, const QRectF&) override {}
  void drawTextItem(const QPointF&, const QTextItem& ti) override {
    const QTransform m = painter()->combinedTransform();
    const double scale = std::hypot(m.m11(), m.m12());
    QFontInfo fi(ti.font());
    texts.push_back({ti.text(), fi.pixelSize() * scale});
  }
  void drawPolygon(const QPointF*, int, PolygonDrawMode) override {}
  void drawPath(const QPainterPath&) override {}
  Type type() const override { return QPaintEngine::User; }
  std::vector<DrawnText> texts;
};

class RecordingDevice : public QPaintDevice {
 public:
  explicit RecordingDevice(QSize s) : size_(s) {}
  QPaintEngine* paintEngine() const override { return &engine_; }
  std::vector<DrawnText>& texts() { return engine_.texts; }

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
  mutable RecordingEngine engine_;
};

std::vector<DrawnText> texts_drawn_by(QWidget* w) {
  RecordingDevice dev(w->size());
  w->render(&dev, QPoint(), QRegion(), QWidget::DrawChildren);
  return dev.texts();
}

QString scenario(const char* name) { return QString(TCPSIM_SOURCE_DIR) + "/scenarios/" + name + ".yaml"; }

// A window laid out at a projector's size without a screen.
struct Window {
  gui::MainWindow w;
  Window(QSize size, const char* scn, bool lecture, const QString& lang = "en") {
    QSettings().clear();
    w.setLanguage(lang);
    EXPECT_TRUE(w.openScenario(scenario(scn))) << w.messageText().toStdString();
    w.resize(size);
    w.setLectureMode(lecture);
    w.setAttribute(Qt::WA_DontShowOnScreen);
    w.show();
    QApplication::processEvents();
  }
  ~Window() { render::install_language("en"); }
};

class LectureTest : public ::testing::Test {
 protected:
  void SetUp() override { test::ensure_app(); }
};

// Every lifeline of the timeline lies inside the ladder's visible viewport.
void expect_lifelines_visible(gui::MainWindow& w, const char* what) {
  auto* lad = w.ladder();
  ASSERT_TRUE(lad->isVisible()) << what;
  QScrollArea* sa = lad->scrollArea();
  const int vw = sa->viewport()->width();
  const double canvas_w = sa->widget()->width();
  render::LadderOptions o;
  o.scale = lad->timeScale();
  o.width = canvas_w;
  render::Theme th = w.lectureMode() ? render::presentation_theme() : render::default_theme();
  render::LadderLayout layout(*w.shownView(), th, o);
  const int hosts = static_cast<int>(w.shownView()->trace().meta.hosts.size());
  ASSERT_GE(hosts, 2) << what;
  const int scroll_x = sa->horizontalScrollBar()->value();
  for (int h = 0; h < hosts; ++h) {
    const double x = layout.lifeline_x(h) - scroll_x;
    EXPECT_GT(x, 0) << what << ": lifeline " << h << " left of the viewport (x=" << x << ")";
    EXPECT_LT(x, vw) << what << ": lifeline " << h << " right of the viewport (x=" << x << ", width " << vw << ")";
  }
}

TEST_F(LectureTest, BothLifelinesAreInViewAt1024x768And1280x720) {
  for (QSize size : {QSize(1024, 768), QSize(1280, 720)}) {
    for (const char* scn : {"three-way-handshake", "rst-on-unread-data", "lost-final-ack"}) {
      Window win(size, scn, true);
      win.w.toEnd();
      QApplication::processEvents();
      const std::string what = std::string(scn) + " at " + std::to_string(size.width()) + "x" +
                               std::to_string(size.height());
      // A projector this small starts on the timeline alone (one idea per view)...
      EXPECT_EQ(win.w.lectureView(), gui::MainWindow::LectureView::Timeline) << what;
      expect_lifelines_visible(win.w, (what + ", timeline").c_str());
      // ...and the lifelines still fit beside the two diagrams.
      win.w.setLectureView(gui::MainWindow::LectureView::Both);
      QApplication::processEvents();
      expect_lifelines_visible(win.w, (what + ", both").c_str());
      EXPECT_TRUE(win.w.diagram(0)->isVisible()) << what;
    }
  }
  Window wide(QSize(1920, 1080), "lost-final-ack", true);
  EXPECT_EQ(wide.w.lectureView(), gui::MainWindow::LectureView::Both);
  expect_lifelines_visible(wide.w, "1920x1080, both");
  EXPECT_GE(wide.w.diagram(0)->width(), 500);
}

TEST_F(LectureTest, F6CyclesTimelineDiagramsAndBoth) {
  Window win(QSize(1024, 768), "three-way-handshake", true);
  EXPECT_EQ(win.w.lectureView(), gui::MainWindow::LectureView::Timeline);
  EXPECT_FALSE(win.w.diagram(0)->isVisible());
  EXPECT_GT(win.w.ladder()->width(), 900);
  win.w.action("lectureview")->trigger();
  QApplication::processEvents();
  EXPECT_EQ(win.w.lectureView(), gui::MainWindow::LectureView::Diagrams);
  EXPECT_FALSE(win.w.ladder()->isVisible());
  EXPECT_TRUE(win.w.diagram(0)->isVisible());
  EXPECT_TRUE(win.w.diagram(1)->isVisible());
  EXPECT_GT(win.w.diagram(0)->width(), 450);
  EXPECT_GT(win.w.diagram(1)->width(), 450);
  win.w.action("lectureview")->trigger();
  QApplication::processEvents();
  EXPECT_EQ(win.w.lectureView(), gui::MainWindow::LectureView::Both);
  EXPECT_TRUE(win.w.ladder()->isVisible());
  EXPECT_TRUE(win.w.diagram(0)->isVisible());
}

// Every widget's text and every text the canvases draw is 24 px or more.
void expect_text_at_least_24px(QWidget* canvas, const std::string& what) {
  auto texts = texts_drawn_by(canvas);
  EXPECT_FALSE(texts.empty()) << what;
  int small = 0;
  for (const auto& t : texts) {
    if (t.text.trimmed().isEmpty() || t.px >= 23.5) continue;
    if (++small <= 10) ADD_FAILURE() << what << ": '" << t.text.toStdString() << "' is " << t.px << " px";
  }
  EXPECT_EQ(small, 0) << what << ": texts under 24 px";
}

TEST_F(LectureTest, AllTextIsAtLeast24PixelsInLectureMode) {
  // 1024x768: the timeline view, then the diagrams view (F6); 1920x1080: both.
  struct Case {
    QSize size;
    gui::MainWindow::LectureView view;
  };
  for (Case c : {Case{QSize(1024, 768), gui::MainWindow::LectureView::Timeline},
                 Case{QSize(1024, 768), gui::MainWindow::LectureView::Diagrams},
                 Case{QSize(1280, 720), gui::MainWindow::LectureView::Diagrams},
                 Case{QSize(1920, 1080), gui::MainWindow::LectureView::Both}}) {
    Window win(c.size, "rst-on-unread-data", true);
    win.w.setLectureView(c.view);
    win.w.toEnd();
    QApplication::processEvents();
    const std::string what = std::to_string(c.size.width()) + "x" + std::to_string(c.size.height()) + " view " +
                             std::to_string(static_cast<int>(c.view));
    for (QWidget* w : win.w.findChildren<QWidget*>()) {
      if (!w->isVisibleTo(&win.w)) continue;
      const bool has_text = qobject_cast<QLabel*>(w) || qobject_cast<QToolButton*>(w) || qobject_cast<QComboBox*>(w) ||
                            qobject_cast<QMenuBar*>(w) || qobject_cast<QTabBar*>(w) || qobject_cast<QStatusBar*>(w);
      if (!has_text) continue;
      EXPECT_GE(QFontInfo(w->font()).pixelSize(), 24)
          << what << ": " << w->metaObject()->className() << " '" << w->objectName().toStdString() << "'";
    }
    for (QMenu* m : win.w.menuBar()->findChildren<QMenu*>())
      EXPECT_GE(QFontInfo(m->font()).pixelSize(), 24) << "menu " << m->title().toStdString();
    // The canvases, as drawn.
    if (win.w.ladder()->isVisible()) expect_text_at_least_24px(win.w.ladder()->scrollArea()->widget(), what + " ladder");
    for (int i = 0; i < 2; ++i)
      if (win.w.diagram(i)->isVisible())
        expect_text_at_least_24px(win.w.diagram(i), what + (i ? " server diagram" : " client diagram"));
  }
}

// The highlighted state's label is the largest text on its diagram. The
// current state is the box marked "▶"; a long name may wrap ("▶ TIME-" /
// "WAIT"), so its other line is recognised as a piece of the name.
TEST_F(LectureTest, HighlightedStateLabelIsTheLargestTextOfItsDiagram) {
  for (QSize size : {QSize(1280, 720), QSize(1920, 1080)}) {
    Window win(size, "lost-final-ack", true);
    win.w.setLectureView(size.width() < 1600 ? gui::MainWindow::LectureView::Diagrams
                                             : gui::MainWindow::LectureView::Both);
    for (std::size_t c : {std::size_t(3), win.w.view()->size() / 2, win.w.view()->size()}) {
      win.w.setCursor(c, false);
      win.w.finishAnimations();
      QApplication::processEvents();
      for (int i = 0; i < 2; ++i) {
        ASSERT_TRUE(win.w.diagram(i)->isVisible());
        QString cur = win.w.diagram(i)->highlightedState();
        if (cur.isEmpty()) continue;
        cur.replace('_', '-');
        const auto texts = texts_drawn_by(win.w.diagram(i));
        double cur_px = 0;
        for (const auto& t : texts)
          if (t.text.trimmed().startsWith(QString::fromUtf8("▶"))) cur_px = std::max(cur_px, t.px);
        double other_px = 0;
        QString other;
        for (const auto& t : texts) {
          const QString s = t.text.trimmed();
          if (s.isEmpty() || s.startsWith(QString::fromUtf8("▶"))) continue;
          if (std::abs(t.px - cur_px) < 0.01 && cur.contains(s)) continue;  // the name's second line
          if (t.px > other_px) {
            other_px = t.px;
            other = s;
          }
        }
        EXPECT_GT(cur_px, 0) << "no marked label for " << cur.toStdString() << " at cursor " << c;
        EXPECT_GT(cur_px, other_px) << cur.toStdString() << " at cursor " << c << ": " << cur_px << " px, '"
                                    << other.toStdString() << "' " << other_px << " px";
      }
    }
  }
}

// ---- hide what comes next ----
TEST_F(LectureTest, HideWhatComesNextShowsNothingAfterTheCursorInAnyPane) {
  Window win(QSize(1280, 720), "three-way-handshake", true);
  auto* full = win.w.view();
  ASSERT_GT(full->size(), 6u);
  // Just after the first SYN is sent: the SYN,ACK and ESTABLISHED are future.
  std::size_t c = 0;
  while (c < full->size() && !(full->event(c).kind == EventKind::Segment && full->event(c).seg_op == SegOp::Send)) ++c;
  ++c;
  win.w.setCursor(c, false);
  QApplication::processEvents();
  // Without the switch the log lists the future (greyed) and the ladder's time axis is the whole run.
  EXPECT_EQ(win.w.log()->model()->rowCount(), static_cast<int>(full->size()));
  win.w.setHideNext(true);
  QApplication::processEvents();
  EXPECT_TRUE(win.w.action("hidenext")->isChecked());
  EXPECT_EQ(win.w.shownView()->size(), c);
  EXPECT_EQ(win.w.log()->model()->rowCount(), static_cast<int>(c));
  EXPECT_EQ(win.w.ladder()->drawnArrows(), 1);
  std::set<QString> future_labels;
  for (std::size_t i = c; i < full->size(); ++i)
    if (full->event(i).kind == EventKind::Segment && full->event(i).seg_op == SegOp::Send)
      future_labels.insert(QString::fromStdString(full->segment_label(full->event(i))));
  ASSERT_FALSE(future_labels.empty());
  for (const auto& t : texts_drawn_by(win.w.ladder()->scrollArea()->widget())) {
    for (const auto& f : future_labels) EXPECT_FALSE(t.text.contains(f)) << "future segment drawn: " << t.text.toStdString();
    EXPECT_FALSE(t.text.contains("ESTABLISHED")) << "future state drawn: " << t.text.toStdString();
  }
  for (int i = 0; i < 2; ++i) EXPECT_NE(win.w.diagram(i)->highlightedState(), "ESTABLISHED");
  // The inspector knows the client only as it is now.
  EXPECT_NE(win.w.inspector()->value(QString::fromStdString(full->socket_label(full->connections()[0].a)), "state"),
            "ESTABLISHED");
  // Stepping on reveals one event at a time; switching off shows everything again.
  win.w.stepForward();
  EXPECT_EQ(win.w.log()->model()->rowCount(), static_cast<int>(c + 1));
  win.w.setHideNext(false);
  EXPECT_EQ(win.w.log()->model()->rowCount(), static_cast<int>(full->size()));
}

// ---- time scale ----
TEST_F(LectureTest, TimeScaleSelectorSetsTheLadderAndIsSaved) {
  Window win(QSize(1280, 720), "three-way-handshake", false);
  auto* box = win.w.timeScaleBox();
  ASSERT_EQ(box->count(), 3);
  EXPECT_TRUE(box->isVisibleTo(&win.w));
  box->setCurrentIndex(box->findData(static_cast<int>(render::TimeScale::Textbook)));
  Q_EMIT box->activated(box->currentIndex());
  EXPECT_EQ(win.w.ladder()->timeScale(), render::TimeScale::Textbook);
  EXPECT_EQ(QSettings().value("timeScale").toString(), "textbook");
  EXPECT_TRUE(win.w.action("scale_textbook")->isChecked());
  win.w.action("scale_linear")->trigger();
  EXPECT_EQ(win.w.ladder()->timeScale(), render::TimeScale::Linear);
  EXPECT_EQ(box->currentData().toInt(), static_cast<int>(render::TimeScale::Linear));
  gui::MainWindow again;  // a new window starts with the saved scale
  EXPECT_EQ(again.ladder()->timeScale(), render::TimeScale::Linear);
  QSettings().clear();
}

// ---- Chinese everywhere ----
TEST(Translations, ChineseTsHasNoUnfinishedOrEmptyTranslation) {
  QFile f(QString(TCPSIM_SOURCE_DIR) + "/assets/translations/tcpsim_zh_CN.ts");
  ASSERT_TRUE(f.open(QIODevice::ReadOnly));
  QXmlStreamReader x(&f);
  QString source, context;
  int messages = 0;
  std::vector<std::string> bad;
  while (!x.atEnd()) {
    x.readNext();
    if (!x.isStartElement()) continue;
    if (x.name() == u"name") context = x.readElementText();
    if (x.name() == u"source") source = x.readElementText();
    if (x.name() == u"translation") {
      ++messages;
      const QString type = x.attributes().value("type").toString();
      // Numerus forms are child elements; readElementText gathers them.
      const QString text = x.readElementText(QXmlStreamReader::IncludeChildElements);
      if (type == "unfinished" || type == "vanished" || type == "obsolete")
        bad.push_back(context.toStdString() + ": '" + source.toStdString() + "' is " + type.toStdString());
      else if (text.trimmed().isEmpty())
        bad.push_back(context.toStdString() + ": '" + source.toStdString() + "' has an empty translation");
    }
  }
  ASSERT_FALSE(x.hasError()) << x.errorString().toStdString();
  EXPECT_GT(messages, 100);
  for (const auto& b : bad) ADD_FAILURE() << b;
}

// Latin words that are not technical tokens, in a text with no CJK character.
QString english_only(const QString& text, const std::set<QString>& allowed) {
  static const QRegularExpression cjk("[\\x{3000}-\\x{303F}\\x{4E00}-\\x{9FFF}\\x{FF00}-\\x{FFEF}]");
  if (text.contains(cjk)) return {};
  static const QRegularExpression word("[A-Za-z][A-Za-z0-9_]*(\\()?");
  QStringList bad;
  for (auto it = word.globalMatch(text); it.hasNext();) {
    auto m = it.next();
    QString w = m.captured(0);
    if (w.endsWith('(')) continue;  // a call: close(fd=3)
    if (w.size() <= 1) continue;    // units, flags: s, P
    if (w == w.toUpper()) continue; // TIME_WAIT, ACK, EPIPE, RTO, SND
    if (w.contains('_') || w.contains(QRegularExpression("[0-9]"))) continue;  // tcp_retries2, epoll_wait
    if (allowed.count(w) || allowed.count(w.toLower())) continue;
    bad << w;
  }
  return bad.join(' ');
}

TEST_F(LectureTest, ChineseWindowShowsNoEnglishOnlyText) {
  for (const char* scn : {"rst-on-unread-data", "lost-final-ack"}) {
    Window win(QSize(1600, 1000), scn, false, "zh_CN");
    ASSERT_EQ(render::current_language(), "zh_CN");
    win.w.toEnd();
    win.w.setSelectedArrow(0);
    QApplication::processEvents();
    std::set<QString> allowed = {"tcpsim", "fd", "ms", "us", "seq", "ack", "len", "win", "pid", "English",
                                 "Ctrl", "Shift", "Home", "End", "Space", "Wireshark", "pcap", "Mermaid",
                                 "PlantUML", "Graphviz", "DOT", "JSONL", "CSV", "SVG", "PDF", "PNG", "bytes"};
    const auto& meta = win.w.view()->trace().meta;
    for (const auto& h : meta.hosts)
      for (const auto& part : QString::fromStdString(h.name).split(QRegularExpression("[^A-Za-z0-9_]"))) allowed.insert(part);
    for (const auto& p : meta.processes)
      for (const auto& part : QString::fromStdString(p.name).split(QRegularExpression("[^A-Za-z0-9_]"))) allowed.insert(part);
    for (const auto& s : meta.sockets)
      for (const auto& part : QString::fromStdString(s.label).split(QRegularExpression("[^A-Za-z0-9_]"))) allowed.insert(part);
    std::vector<std::pair<QString, QString>> seen;  // (where, text)
    auto look = [&](const QString& where, const QString& text) {
      QString t = text;
      t.remove('&');
      if (!t.trimmed().isEmpty()) seen.push_back({where, t});
    };
    for (QMenu* m : win.w.menuBar()->findChildren<QMenu*>()) look("menu", m->title());
    for (QAction* a : win.w.findChildren<QAction*>()) {
      look("action", a->text());
      look("action tooltip", a->toolTip());
    }
    for (QLabel* l : win.w.findChildren<QLabel*>()) look("label " + l->objectName(), l->text());
    for (QToolButton* b : win.w.findChildren<QToolButton*>()) look("tool button", b->text());
    for (QComboBox* c : win.w.findChildren<QComboBox*>()) {
      for (int i = 0; i < c->count(); ++i) look("combo", c->itemText(i));
      look("combo tooltip", c->toolTip());
    }
    for (QTabWidget* t : win.w.findChildren<QTabWidget*>())
      for (int i = 0; i < t->count(); ++i) look("tab", t->tabText(i));
    for (QDockWidget* d : win.w.findChildren<QDockWidget*>()) look("dock", d->windowTitle());
    auto* model = win.w.log()->model();
    for (int c = 0; c < model->columnCount(); ++c) look("log header", model->headerData(c, Qt::Horizontal).toString());
    for (int r = 0; r < model->rowCount(); ++r)
      for (int c = 0; c < model->columnCount(); ++c) look("log row " + QString::number(r), model->index(r, c).data().toString());
    auto* in = win.w.inspector();
    for (int c = 0; c < in->columnCount(); ++c) look("inspector header", in->headerItem()->text(c));
    for (int i = 0; i < in->topLevelItemCount(); ++i) {
      auto* top = in->topLevelItem(i);
      look("inspector", top->text(0));
      for (int j = 0; j < top->childCount(); ++j) {
        look("inspector field", top->child(j)->text(0));
        look("inspector value", top->child(j)->text(1));
      }
    }
    look("status bar", win.w.statusBar()->currentMessage());
    look("window title", win.w.windowTitle());
    ASSERT_GT(seen.size(), 50u);
    int bad = 0;
    for (const auto& [where, text] : seen) {
      const QString e = english_only(text, allowed);
      if (!e.isEmpty() && ++bad <= 40)
        ADD_FAILURE() << scn << ": " << where.toStdString() << ": '" << text.toStdString() << "' (English: "
                      << e.toStdString() << ")";
    }
    EXPECT_EQ(bad, 0);
  }
}

// Every catalogue scenario's event log, in Chinese, has no English-only row.
TEST_F(LectureTest, EveryCatalogueScenarioLogsInChinese) {
  ASSERT_TRUE(render::install_language("zh_CN"));
  const QStringList files = QDir(QString(TCPSIM_SOURCE_DIR) + "/scenarios").entryList({"*.yaml"}, QDir::Files, QDir::Name);
  ASSERT_GT(files.size(), 10);
  int bad = 0;
  for (const QString& f : files) {
    if (f == "index.yaml") continue;  // the catalogue's index, not a scenario
    Scenario sc;
    try {
      sc = load_scenario_file((QString(TCPSIM_SOURCE_DIR) + "/scenarios/" + f).toStdString());
    } catch (const std::exception& e) {
      ADD_FAILURE() << f.toStdString() << ": " << e.what();
      continue;
    }
    if (gui::estimated_connections(sc) > 5000) continue;  // counts-only: no log
    auto view = std::make_shared<render::TraceView>(std::make_shared<Trace>(run_scenario(sc)));
    std::set<QString> allowed = {"fd", "ms", "us", "seq", "ack", "len", "win", "pid", "bytes"};
    const auto& meta = view->trace().meta;
    auto allow = [&](const std::string& name) {
      for (const auto& part : QString::fromStdString(name).split(QRegularExpression("[^A-Za-z0-9_]"))) allowed.insert(part);
    };
    for (const auto& h : meta.hosts) allow(h.name);
    for (const auto& p : meta.processes) allow(p.name);
    for (const auto& so : meta.sockets) allow(so.label);
    allow(meta.scenario);
    for (std::size_t i = 0; i < view->size(); ++i) {
      const QString row = QString::fromStdString(render::describe_event(*view, view->event(i)));
      const QString e = english_only(row, allowed);
      if (!e.isEmpty() && ++bad <= 30)
        ADD_FAILURE() << f.toStdString() << " event " << i << ": '" << row.toStdString() << "' (English: " << e.toStdString() << ")";
    }
  }
  render::install_language("en");
  EXPECT_EQ(bad, 0);
}

// ---- the command line with no display ----
struct GuiRun {
  int code;
  QString out, err;
};
GuiRun run_gui(const QStringList& args) {
  QProcess p;
  auto env = QProcessEnvironment::systemEnvironment();
  env.remove("DISPLAY");
  env.remove("WAYLAND_DISPLAY");
  env.remove("QT_QPA_PLATFORM");
  p.setProcessEnvironment(env);
  p.start(TCPSIM_GUI_EXE, args);
  p.waitForFinished(120000);
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
          p.readAllStandardError()};
}

TEST(GuiCommandLine, HelpAndVersionWorkWithoutADisplay) {
  test::ensure_app();
  GuiRun r = run_gui({"--help"});
  EXPECT_EQ(r.code, 0) << r.err.toStdString();
  EXPECT_TRUE(r.out.contains("--screenshot")) << r.out.toStdString();
  EXPECT_TRUE(r.out.contains("--lecture"));
  EXPECT_TRUE(r.out.contains("--hide-next"));
  EXPECT_TRUE(r.out.contains("--time"));
  r = run_gui({"--version"});
  EXPECT_EQ(r.code, 0) << r.err.toStdString();
  EXPECT_TRUE(r.out.contains(TCPSIM_VERSION_STRING)) << r.out.toStdString();
  // The window itself is refused with a message, not an abort.
  r = run_gui({});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(r.err.contains("no display")) << r.err.toStdString();
}

TEST(GuiCommandLine, StepOrTimeBeyondTheTraceIsAnErrorNamingTheRange) {
  test::ensure_app();
  const QString out = test::temp_dir() + "/x.png";
  GuiRun r = run_gui({"--scenario", scenario("three-way-handshake"), "--step", "9999", "--screenshot", out});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(r.err.contains("--step 9999")) << r.err.toStdString();
  EXPECT_TRUE(r.err.contains(QRegularExpression("0 to [0-9]+"))) << r.err.toStdString();
  EXPECT_FALSE(QFile::exists(out));
  r = run_gui({"--scenario", scenario("three-way-handshake"), "--at", "5000s", "--screenshot", out});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(r.err.contains("--at 5000s")) << r.err.toStdString();
  EXPECT_TRUE(r.err.contains("valid times: 0 to")) << r.err.toStdString();
  r = run_gui({"--scenario", scenario("three-way-handshake"), "--time", "sideways", "--screenshot", out});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(r.err.contains("--time")) << r.err.toStdString();
  // The last step itself is fine.
  r = run_gui({"--scenario", scenario("three-way-handshake"), "--step", "0", "--lecture", "--hide-next", "--time",
               "linear", "--screenshot", out, "--size", "1024x768"});
  EXPECT_EQ(r.code, 0) << r.err.toStdString();
  EXPECT_TRUE(QFile::exists(out));
}

}  // namespace
