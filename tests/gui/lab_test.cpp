// tcpsim-gui: the lab (issue #13) driven through the real widgets, offscreen:
// right-clicks on a segment arrow and on a state diagram open the context
// menu whose QActions make the branch; keyboard shortcuts act on the
// selected segment and endpoint; the branch opens beside the run it came
// from on one time axis with the first differing event marked in both
// ladders; branches stack, are renamed, saved (the file reproduces the
// branch's trace byte for byte), closed; refused actions say why.
#include <gtest/gtest.h>

#include <QApplication>
#include <QContextMenuEvent>
#include <QDockWidget>
#include <QFile>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QProgressDialog>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTabBar>
#include <QTabWidget>
#include <QTest>
#include <QToolButton>
#include <QTableWidget>
#include <QTimer>
#include <memory>

#include "compare_view.hpp"
#include "gui_app.hpp"
#include "lab_controller.hpp"
#include "ladder.hpp"
#include "main_window.hpp"
#include "state_diagram.hpp"
#include "tcpsim/lab.hpp"
#include "tcpsim/loader.hpp"
#include "tcpsim/simulation.hpp"

using namespace tcpsim;

namespace {

std::string jsonl(const Trace& t) {
  std::string s;
  for (std::size_t i = 0; i < t.events.size(); ++i) s += format_jsonl(t.events[i], i, t.meta) + "\n";
  return s;
}

// The first event whose line differs, computed here from the two traces
// (not from the Branch the lab was given).
std::size_t first_differing_event(const Trace& a, const Trace& b) {
  const std::size_t n = std::min(a.events.size(), b.events.size());
  for (std::size_t i = 0; i < n; ++i)
    if (format_jsonl(a.events[i], 0, a.meta) != format_jsonl(b.events[i], 0, b.meta)) return i;
  return n;
}

// The last segment `host` sends with exactly these flags (the arrow index).
int last_arrow(const render::TraceView& v, int host, const std::string& flags) {
  int found = -1;
  for (std::size_t k = 0; k < v.arrows().size(); ++k) {
    const Event& e = v.event(v.arrows()[k].send);
    if (e.host == host && flags_string(e.seg.flags) == flags) found = static_cast<int>(k);
  }
  return found;
}

QMenu* popup_menu() {
  QApplication::processEvents();
  return qobject_cast<QMenu*>(QApplication::activePopupWidget());
}

// A click on a menu item: the menu closes, then the action triggers.
void choose(QMenu* m, QAction* a) {
  ASSERT_NE(a, nullptr);
  m->hide();
  a->trigger();
  QApplication::processEvents();
}

QAction* menu_action(QMenu* m, const QString& name) {
  if (!m) return nullptr;
  for (QAction* a : m->actions())
    if (a->objectName() == name) return a;
  return nullptr;
}

// A right-click at `pos` of `w`, as the window system delivers it.
void right_click(QWidget* w, QPoint pos) {
  QContextMenuEvent ev(QContextMenuEvent::Mouse, pos, w->mapToGlobal(pos));
  QApplication::sendEvent(w, &ev);
}

class LabTest : public ::testing::Test {
 protected:
  void SetUp() override { test::ensure_app(); }
  void TearDown() override {
    if (QWidget* p = QApplication::activePopupWidget()) p->close();
  }

  std::unique_ptr<gui::MainWindow> open(const QString& path, const QString& lang = "en") {
    auto w = std::make_unique<gui::MainWindow>();
    w->setLanguage(lang);
    EXPECT_TRUE(w->openScenario(path)) << w->messageText().toStdString();
    w->resize(1280, 900);
    w->show();
    // Window shortcuts need the window to be the active one.
    QApplication::setActiveWindow(w.get());
    w->activateWindow();
    EXPECT_TRUE(QTest::qWaitForWindowActive(w.get()));
    w->lab()->setPrompt([](const QString&, const QString&, const QString& initial) -> std::optional<QString> {
      return initial;
    });
    return w;
  }
  static QString scenario(const char* name) { return QString(TCPSIM_SCENARIOS) + "/" + name; }
  static void press(gui::MainWindow& w, int key, Qt::KeyboardModifiers mods) {
    QTest::keyClick(&w, static_cast<Qt::Key>(key), mods);
    QApplication::processEvents();
  }

  // Right-clicks the middle of arrow `k` in the window's ladder and returns
  // the context menu that opened.
  static QMenu* right_click_arrow(gui::MainWindow& w, int k) {
    render::LadderWidget* l = w.ladder();
    const QLineF line = l->layout()->arrow_geometry(k);
    EXPECT_FALSE(line.isNull());
    const QPointF mid = line.pointAt(0.5) - QPointF(0, l->layout()->header_height());
    right_click(l->scrollArea()->widget(), mid.toPoint());
    return popup_menu();
  }

  // Normal close with the client's final ACK dropped from the ladder's menu.
  std::unique_ptr<gui::MainWindow> branch_without_final_ack(int* arrow = nullptr) {
    auto w = open(scenario("normal-close.yaml"));
    w->setCursor(w->view()->size(), false);
    const int k = last_arrow(*w->view(), 0, ".");
    EXPECT_GE(k, 0);
    QMenu* m = right_click_arrow(*w, k);
    EXPECT_NE(m, nullptr);
    QAction* drop = menu_action(m, "lab_drop");
    EXPECT_NE(drop, nullptr);
    EXPECT_EQ(menu_action(m, "lab_close"), nullptr) << "an arrow's menu has the segment's actions";
    if (m && drop) choose(m, drop);
    if (arrow) *arrow = k;
    return w;
  }
};

TEST_F(LabTest, DroppingAnArrowFromItsContextMenuOpensTheBranchBesideTheOriginal) {
  int k = -1;
  auto w = branch_without_final_ack(&k);
  gui::Lab* lab = w->lab();
  ASSERT_EQ(lab->runs().size(), 2u) << w->messageText().toStdString();
  const gui::LabRun& orig = lab->runs()[0];
  const gui::LabRun& br = lab->runs()[1];
  EXPECT_EQ(lab->currentRun(), 1);
  EXPECT_EQ(br.parent, orig.id);
  // The action is the one on that arrow, in the grammar, through parse_action.
  const Action want = segment_action(*orig.trace, render::TraceView(orig.trace).arrows()[k].send, ActionKind::Drop);
  ASSERT_EQ(br.actions.size(), 1u);
  EXPECT_EQ(br.actions[0], want);
  EXPECT_EQ(br.name.toStdString(), action_text(want));
  EXPECT_EQ(parse_action(br.name.toStdString()), want);
  // The window shows the branch; the comparison replaces the centre.
  EXPECT_EQ(w->trace(), br.trace);
  EXPECT_TRUE(lab->comparing());
  EXPECT_TRUE(lab->compareView()->isVisible());
  EXPECT_FALSE(w->centerSplit()->isVisible());
  EXPECT_TRUE(lab->runBar()->isVisible());
  EXPECT_EQ(lab->tabBar()->count(), 2);
  EXPECT_EQ(lab->tabBar()->tabText(1), br.name);
  // Two runs, each with its ladder and both endpoints' diagrams.
  render::CompareView* cv = lab->compareView();
  ASSERT_NE(cv->pane(0)->view(), nullptr);
  ASSERT_NE(cv->pane(1)->view(), nullptr);
  EXPECT_EQ(&cv->pane(0)->view()->trace(), orig.trace.get());
  EXPECT_EQ(&cv->pane(1)->view()->trace(), br.trace.get());
  // Under them, the diagrams tab shows the focused run's two (the branch
  // at first, on a window under 1500 px) and, chosen there, the other
  // run's or all four.
  EXPECT_EQ(cv->tabs()->currentIndex(), 0);
  EXPECT_EQ(cv->focusedSide(), 1);
  EXPECT_EQ(cv->diagrams(), render::CompareView::Diagrams::Right);
  for (auto [mode, button] : {std::pair{render::CompareView::Diagrams::Right, "compareShowRight"},
                              {render::CompareView::Diagrams::Left, "compareShowLeft"},
                              {render::CompareView::Diagrams::Both, "compareShowBoth"}}) {
    auto* b = cv->findChild<QToolButton*>(button);
    ASSERT_NE(b, nullptr) << button;
    b->click();
    QApplication::processEvents();
    EXPECT_EQ(cv->diagrams(), mode);
    for (int s = 0; s < 2; ++s) {
      const bool want = mode == render::CompareView::Diagrams::Both || (s == 0) == (mode == render::CompareView::Diagrams::Left);
      for (int i = 0; i < 2; ++i) {
        EXPECT_EQ(cv->pane(s)->diagram(i)->isVisible(), want) << button << " " << s << "/" << i;
        EXPECT_TRUE(cv->pane(s)->diagram(i)->diagramState().current.has_value()) << s << "/" << i;
        // Legible: each diagram at least 150 px each way.
        if (want) EXPECT_GE(std::min(cv->pane(s)->diagram(i)->width(), cv->pane(s)->diagram(i)->height()), 150);
      }
    }
  }
  // Choosing the left run's diagrams focused the left run.
  EXPECT_EQ(cv->focusedSide(), 0);
  // The dropped segment really is dropped in the branch.
  int drops = 0;
  for (const Event& e : br.trace->events) drops += e.kind == EventKind::Segment && e.seg_op == SegOp::Drop;
  EXPECT_EQ(drops, 1);
}

TEST_F(LabTest, FirstDifferenceIsMarkedAtTheFirstDifferingEventInBothLadders) {
  auto w = branch_without_final_ack();
  gui::Lab* lab = w->lab();
  ASSERT_EQ(lab->runs().size(), 2u);
  const Trace& a = *lab->runs()[0].trace;
  const Trace& b = *lab->runs()[1].trace;
  const std::size_t first = first_differing_event(a, b);
  ASSERT_LT(first, std::min(a.events.size(), b.events.size()));
  render::CompareView* cv = lab->compareView();
  EXPECT_FALSE(cv->identical());
  EXPECT_EQ(cv->firstDifference(), first);
  for (int s = 0; s < 2; ++s) {
    render::LadderWidget* l = cv->pane(s)->ladder();
    EXPECT_EQ(l->marker(), static_cast<std::ptrdiff_t>(first)) << "side " << s;
    // The band is on the row of that event, inside the ladder.
    const QRectF band = l->markerRect();
    ASSERT_FALSE(band.isEmpty());
    const double y = l->layout()->event_y(first) - l->layout()->header_height();
    EXPECT_LE(band.top(), y);
    EXPECT_GE(band.bottom(), y);
    EXPECT_GE(band.top(), 0);
    // And it is named above the ladder, with the event's number.
    const QString label = cv->pane(s)->differenceLabel()->text();
    EXPECT_TRUE(label.contains(QString("first difference: event %1").arg(first))) << label.toStdString();
    EXPECT_TRUE(cv->pane(s)->differenceLabel()->isVisible());
  }
  // The differences are listed, as the core words them.
  const auto want = describe_differences(a, b, "en");
  ASSERT_FALSE(want.empty());
  ASSERT_EQ(cv->differenceCount(), static_cast<int>(want.size()));
  ASSERT_EQ(cv->differences()->rowCount(), static_cast<int>(want.size()));
  for (int i = 0; i < cv->differenceCount(); ++i) {
    EXPECT_EQ(cv->differenceLine(i).toStdString(), want[i]);
    // In the table, one column per run: a line "x | y" has x's value on the
    // left and y on the right.
    const QTableWidget* t = cv->differences();
    const QString line = QString::fromStdString(want[i]);
    if (line.contains(" | ")) {
      EXPECT_TRUE(line.endsWith(" | " + t->item(i, 2)->text())) << want[i];
      EXPECT_TRUE(line.contains(t->item(i, 1)->text() + " | ")) << want[i];
      EXPECT_FALSE(t->item(i, 0)->text().isEmpty()) << want[i];
    } else {
      EXPECT_EQ(t->item(i, 0)->text(), line);
      EXPECT_EQ(t->columnSpan(i, 0), 3);
    }
  }
}

TEST_F(LabTest, BothLaddersShareOneMonotoneTimeAxis) {
  auto w = branch_without_final_ack();
  render::CompareView* cv = w->lab()->compareView();
  cv->alignNow();
  const auto ta = cv->pane(0)->ladder()->layout()->instant_tops();
  const auto tb = cv->pane(1)->ladder()->layout()->instant_tops();
  // Every instant both runs have is at the same height.
  std::map<Time, double> ya(ta.begin(), ta.end());
  int shared = 0;
  for (const auto& [t, y] : tb)
    if (auto it = ya.find(t); it != ya.end()) {
      ++shared;
      EXPECT_NEAR(it->second, y, 0.51) << "t = " << t;
    }
  EXPECT_GE(shared, 8);
  // And the union of both runs' instants goes down in time order.
  std::map<Time, double> all(ta.begin(), ta.end());
  for (const auto& [t, y] : tb) all[t] = std::max(all.count(t) ? all[t] : y, y);
  double prev = -1;
  for (const auto& [t, y] : all) {
    EXPECT_GT(y, prev) << "t = " << t;
    prev = y;
  }
  // Same scale, same width: the two ladders have the same time column and header.
  EXPECT_DOUBLE_EQ(cv->pane(0)->ladder()->layout()->header_height(), cv->pane(1)->ladder()->layout()->header_height());
  EXPECT_EQ(cv->pane(0)->ladder()->width(), cv->pane(1)->ladder()->width());
}

TEST_F(LabTest, TheCursorMovesBothSidesTogether) {
  auto w = branch_without_final_ack();
  render::CompareView* cv = w->lab()->compareView();
  const std::size_t first = cv->firstDifference();
  const render::TraceView& left = *cv->pane(0)->view();
  for (std::size_t c = 0; c <= w->view()->size(); c += 3) {
    w->setCursor(c, false);
    EXPECT_EQ(cv->pane(1)->cursor(), c);
    if (c <= first) EXPECT_EQ(cv->pane(0)->cursor(), c) << "the same events before the first difference";
    else EXPECT_EQ(cv->pane(0)->cursor(), std::max(first, left.cursor_for_time(w->displayTime())));
    // Each side's diagrams show that side's state at its cursor.
    const auto eps = cv->pane(0)->endpoints(0);
    if (eps[0]) EXPECT_EQ(cv->pane(0)->diagram(0)->diagramState().current, left.state_at(eps[0], cv->pane(0)->cursor()));
  }
}

TEST_F(LabTest, KeyboardActsOnTheSelectedSegmentAndEndpointAndBranchesStack) {
  auto w = open(scenario("normal-close.yaml"));
  gui::Lab* lab = w->lab();
  // Ctrl+Shift+D drops the selected segment.
  const int k = last_arrow(*w->view(), 0, ".");
  w->setCursor(w->view()->size(), false);
  w->setSelectedArrow(k);
  press(*w, Qt::Key_D, Qt::ControlModifier | Qt::ShiftModifier);
  ASSERT_EQ(lab->runs().size(), 2u) << w->messageText().toStdString();
  EXPECT_EQ(lab->runs()[1].actions.at(0).kind, ActionKind::Drop);
  // In the branch: Ctrl+2 picks the right endpoint (the server), Ctrl+Shift+C
  // calls close() on it at the cursor's time: a branch of the branch.
  const render::TraceView& v = *w->view();
  std::size_t at = 0;  // just after the server's first data arrives
  for (std::size_t i = 0; i < v.size() && !at; ++i)
    if (v.event(i).kind == EventKind::Segment && v.event(i).seg_op == SegOp::Deliver && v.event(i).seg.len > 0) at = i + 1;
  ASSERT_GT(at, 0u);
  w->setCursor(at, false);
  press(*w, Qt::Key_2, Qt::ControlModifier);
  EXPECT_EQ(lab->selectedEndpoint(), 1);
  const Time now = w->displayTime();
  press(*w, Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier);
  ASSERT_EQ(lab->runs().size(), 3u) << w->messageText().toStdString();
  const gui::LabRun& b2 = lab->runs()[lab->currentRun()];
  EXPECT_EQ(b2.parent, lab->runs()[1].id);
  ASSERT_EQ(b2.actions.size(), 2u);
  EXPECT_EQ(b2.actions[1].kind, ActionKind::Close);
  EXPECT_EQ(b2.actions[1].at, now);
  EXPECT_EQ(b2.actions[1].process, "server");
  EXPECT_TRUE(b2.name.startsWith(gui::lab_duration(now) + ": server close ")) << b2.name.toStdString();
  EXPECT_TRUE(lab->tabBar()->tabText(2).startsWith(QChar(0x21B3))) << "a branch of a branch says so";
  // Shift+F10 opens the context menu of the selection, with the same QActions.
  press(*w, Qt::Key_F10, Qt::ShiftModifier);
  QMenu* m = popup_menu();
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(menu_action(m, "lab_close"), lab->action("close"));
  m->close();
  // Ctrl+PgUp goes back to the previous run; F7 toggles the comparison.
  press(*w, Qt::Key_PageUp, Qt::ControlModifier);
  EXPECT_EQ(lab->currentRun(), 1);
  EXPECT_TRUE(lab->comparing());
  press(*w, Qt::Key_F7, Qt::NoModifier);
  EXPECT_FALSE(lab->comparing());
  EXPECT_TRUE(w->centerSplit()->isVisible());
}

TEST_F(LabTest, CloseFromTheStateDiagramsMenuHappensAtTheCursorsTime) {
  auto w = open(scenario("server-never-closes.yaml"));
  gui::Lab* lab = w->lab();
  w->setCursorTime(sec(1));
  const Time now = w->displayTime();
  // The right-hand diagram is the server's socket.
  render::StateDiagramWidget* d = w->diagram(1);
  right_click(d, d->rect().center());
  QMenu* m = popup_menu();
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(menu_action(m, "lab_drop"), nullptr) << "a socket's menu has the calls";
  choose(m, menu_action(m, "lab_close"));
  ASSERT_EQ(lab->runs().size(), 2u) << w->messageText().toStdString();
  const gui::LabRun& b = lab->runs()[1];
  ASSERT_EQ(b.actions.size(), 1u);
  EXPECT_EQ(b.actions[0].kind, ActionKind::Close);
  EXPECT_EQ(b.actions[0].at, now);
  const auto* si = lab->runs()[0].trace->meta.socket(render::connection_endpoints(lab->compareView()->pane(0)->view(), 0)[1]);
  ASSERT_NE(si, nullptr);
  EXPECT_EQ("server/" + b.actions[0].socket, si->label);
  // The server now sends a FIN it never sent before.
  auto fins = [](const Trace& t, int host) {
    int n = 0;
    for (const Event& e : t.events)
      n += e.kind == EventKind::Segment && e.seg_op == SegOp::Send && e.host == host && (e.seg.flags & kFin);
    return n;
  };
  EXPECT_EQ(fins(*lab->runs()[0].trace, 1), 0);
  EXPECT_GE(fins(*b.trace, 1), 1);
}

TEST_F(LabTest, RefusedActionsSayWhyInTheMessageBar) {
  auto w = open(scenario("normal-close.yaml"));
  gui::Lab* lab = w->lab();
  // Nothing selected at the start: the keyboard's drop says what to do.
  w->setCursor(0, false);
  press(*w, Qt::Key_D, Qt::ControlModifier | Qt::ShiftModifier);
  EXPECT_TRUE(w->messageText().contains("No segment is selected")) << w->messageText().toStdString();
  // A segment never sent: the core's reason.
  EXPECT_FALSE(lab->applyActionText("drop 9th S from client"));
  EXPECT_TRUE(w->messageText().contains("Cannot do “drop 9th S from client”")) << w->messageText().toStdString();
  // A malformed action names the column.
  EXPECT_FALSE(lab->applyActionText("drop 1st X. from client"));
  EXPECT_TRUE(w->messageText().contains("column 10")) << w->messageText().toStdString();
  // close() before the process holds the socket, from the diagram's menu at t = 0.
  right_click(w->diagram(0), w->diagram(0)->rect().center());
  QMenu* m = popup_menu();
  ASSERT_NE(m, nullptr);
  choose(m, menu_action(m, "lab_close"));
  EXPECT_TRUE(w->messageText().startsWith("⚠ Cannot do “0s: client close")) << w->messageText().toStdString();
  // An action that changes nothing: dropping an already dropped segment.
  EXPECT_TRUE(w->openScenario(scenario("lost-final-ack.yaml")));
  EXPECT_FALSE(lab->applyActionText("drop 3rd . from client"));
  EXPECT_TRUE(w->messageText().contains("Cannot do")) << w->messageText().toStdString();
  EXPECT_EQ(lab->runs().size(), 1u) << "no branch was made";
  EXPECT_FALSE(lab->runBar()->isVisible());
}

TEST_F(LabTest, BranchesAreRenamedSavedReloadedAndClosed) {
  auto w = branch_without_final_ack();
  gui::Lab* lab = w->lab();
  ASSERT_TRUE(lab->applyActionText("delay 1st F. from client by 300ms")) << w->messageText().toStdString();
  ASSERT_EQ(lab->runs().size(), 3u);
  const int b2 = lab->currentRun();
  // Rename (F2 asks for the name), an empty name is refused.
  lab->setPrompt([](const QString&, const QString&, const QString&) -> std::optional<QString> { return "late FIN"; });
  press(*w, Qt::Key_F2, Qt::NoModifier);
  EXPECT_EQ(lab->runs()[b2].name, "late FIN");
  EXPECT_TRUE(lab->tabBar()->tabText(b2).endsWith("late FIN"));
  EXPECT_FALSE(lab->renameRun(b2, "   "));
  EXPECT_EQ(lab->runs()[b2].name, "late FIN");
  // Save: the file loads and runs to the branch's trace, byte for byte.
  const QString file = test::temp_dir() + "/late-fin.yaml";
  QString err;
  ASSERT_TRUE(lab->saveRun(b2, file, false, &err)) << err.toStdString();
  Scenario s = load_scenario_file(file.toStdString());
  EXPECT_EQ(jsonl(run_scenario(s)), jsonl(*lab->runs()[b2].trace));
  // Never over an existing file unless asked.
  QFile f(file);
  ASSERT_TRUE(f.open(QIODevice::ReadOnly));
  const QByteArray before = f.readAll();
  f.close();
  EXPECT_FALSE(lab->saveRun(1, file, false, &err));
  EXPECT_FALSE(err.isEmpty());
  ASSERT_TRUE(f.open(QIODevice::ReadOnly));
  EXPECT_EQ(f.readAll(), before);
  f.close();
  // File → Save branch as… (Ctrl+Shift+S) writes where the dialog says.
  const QString file2 = test::temp_dir() + "/dropped.yaml";
  lab->setCurrentRun(1);
  lab->setSavePrompt([&](const QString&) -> std::optional<std::pair<QString, bool>> { return std::make_pair(file2, false); });
  press(*w, Qt::Key_S, Qt::ControlModifier | Qt::ShiftModifier);
  ASSERT_TRUE(QFile::exists(file2)) << w->messageText().toStdString();
  EXPECT_EQ(jsonl(run_scenario(load_scenario_file(file2.toStdString()))), jsonl(*lab->runs()[1].trace));
  // Closing the first branch closes the one made from it; the original stays.
  EXPECT_FALSE(lab->closeRun(0));
  press(*w, Qt::Key_W, Qt::ControlModifier);
  EXPECT_EQ(lab->runs().size(), 1u);
  EXPECT_EQ(lab->currentRun(), 0);
  EXPECT_EQ(w->trace(), lab->runs()[0].trace);
  EXPECT_FALSE(lab->comparing());
  EXPECT_TRUE(w->centerSplit()->isVisible());
  EXPECT_FALSE(lab->runBar()->isVisible());
  EXPECT_TRUE(w->findChild<QDockWidget*>("bottomDock")->isVisible()) << "the docks come back";
}

TEST_F(LabTest, CompareProfilesShowsLinuxBesideRfc9293WithTheDifferences) {
  auto w = open(scenario("rst-on-unread-data.yaml"));
  gui::Lab* lab = w->lab();
  press(*w, Qt::Key_P, Qt::ControlModifier | Qt::ShiftModifier);
  ASSERT_EQ(lab->runs().size(), 3u) << w->messageText().toStdString();
  const gui::LabRun& r = lab->runs()[lab->currentRun()];
  const gui::LabRun& l = lab->runs()[lab->indexOfId(r.parent)];
  EXPECT_EQ(l.name, "linux");
  EXPECT_EQ(r.name, "rfc9293");
  for (const auto& h : l.scenario->hosts) EXPECT_EQ(h.profile, Profile::Linux);
  for (const auto& h : r.scenario->hosts) EXPECT_EQ(h.profile, Profile::Rfc9293);
  // linux resets on unread data; rfc9293 closes with a FIN.
  auto rsts = [](const Trace& t) {
    int n = 0;
    for (const Event& e : t.events) n += e.kind == EventKind::Segment && e.seg_op == SegOp::Send && (e.seg.flags & kRst);
    return n;
  };
  EXPECT_GT(rsts(*l.trace), 0);
  EXPECT_EQ(rsts(*r.trace), 0);
  render::CompareView* cv = lab->compareView();
  EXPECT_TRUE(cv->isVisible());
  EXPECT_EQ(cv->firstDifference(), first_differing_event(*l.trace, *r.trace));
  EXPECT_EQ(cv->pane(0)->ladder()->marker(), static_cast<std::ptrdiff_t>(cv->firstDifference()));
  EXPECT_EQ(cv->pane(1)->ladder()->marker(), static_cast<std::ptrdiff_t>(cv->firstDifference()));
  EXPECT_TRUE(cv->pane(0)->titleLabel()->text().contains("linux"));
  EXPECT_TRUE(cv->pane(1)->titleLabel()->text().contains("rfc9293"));
  EXPECT_EQ(cv->differenceCount(), static_cast<int>(describe_differences(*l.trace, *r.trace, "en").size()));
  EXPECT_GT(cv->differenceCount(), 0);
}

TEST_F(LabTest, ChineseLabSpeaksChinese) {
  auto w = open(scenario("normal-close.yaml"), "zh_CN");
  gui::Lab* lab = w->lab();
  ASSERT_TRUE(lab->applyActionText("drop 3rd . from client")) << w->messageText().toStdString();
  const QRegularExpression han("\\p{Han}");
  EXPECT_TRUE(lab->menu()->title().contains(han));
  for (const char* k : {"drop", "delay", "duplicate", "close", "shut_wr", "send", "abort", "exit", "crash", "link",
                        "profiles", "compare", "rename", "close_run", "save"})
    EXPECT_TRUE(lab->action(k)->text().contains(han)) << k << ": " << lab->action(k)->text().toStdString();
  EXPECT_TRUE(lab->tabBar()->tabText(0).contains(han));
  EXPECT_TRUE(lab->compareView()->pane(0)->differenceLabel()->text().contains(han));
  EXPECT_TRUE(w->messageText().contains(han));
  // describe_differences in Chinese.
  const auto want = describe_differences(*lab->runs()[0].trace, *lab->runs()[1].trace, "zh_CN");
  ASSERT_GT(lab->compareView()->differenceCount(), 0);
  EXPECT_EQ(lab->compareView()->differenceLine(0).toStdString(), want.at(0));
  w->setLanguage("en");
}

// A branch of a big workload (churn-10k: 10,000 connections, 590,000 events
// recorded) runs in a thread: the window's event loop keeps running (a
// timer ticks, paints happen) behind a progress dialog, and its Cancel
// stops the run and leaves the original as it was.
TEST_F(LabTest, CancelStopsABigBranchWhileTheEventLoopRunsAndKeepsTheOriginal) {
  auto w = std::make_unique<gui::MainWindow>();
  w->setBigWorkloadThreshold(1'000'000);  // a full trace of 10,000 connections
  ASSERT_TRUE(w->openScenario(QString(TCPSIM_SOURCE_DIR) + "/bench/workloads/churn-10k.yaml"));
  w->resize(1024, 768);
  w->show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(w.get()));
  QApplication::processEvents();  // the window's own first layout, not the branch's
  gui::Lab* lab = w->lab();
  const std::shared_ptr<const Trace> original = w->trace();
  const std::size_t events = original->events.size();
  ASSERT_GT(events, 100000u);
  lab->setProgressDelay(0);
  int ticks = 0;
  QTimer tick;
  QObject::connect(&tick, &QTimer::timeout, [&] { ++ticks; });
  tick.start(10);
  bool saw_dialog = false;
  int ticks_at_cancel = -1;
  QTimer::singleShot(300, [&] {
    if (auto* d = qobject_cast<QProgressDialog*>(lab->progressDialog())) {
      saw_dialog = d->isVisible();
      ticks_at_cancel = ticks;
      if (auto* b = d->findChild<QPushButton*>()) b->click();  // its Cancel button
    }
  });
  EXPECT_FALSE(lab->applyActionText("drop 1st S from client"));
  EXPECT_TRUE(saw_dialog) << "the branch ran behind a progress dialog";
  EXPECT_GE(ticks_at_cancel, 3) << "the event loop ran while the branch did";
  EXPECT_TRUE(w->messageText().contains("Cancelled")) << w->messageText().toStdString();
  // The original is intact: one run, shown, the same trace, no comparison.
  EXPECT_EQ(lab->runs().size(), 1u);
  EXPECT_EQ(lab->currentRun(), 0);
  EXPECT_EQ(w->trace(), original);
  EXPECT_EQ(w->trace()->events.size(), events);
  EXPECT_EQ(w->view()->size(), events);
  EXPECT_FALSE(lab->comparing());
  EXPECT_FALSE(lab->compareView()->isVisible());
  EXPECT_TRUE(w->centerSplit()->isVisible());
  EXPECT_FALSE(lab->runBar()->isVisible());
  EXPECT_EQ(lab->progressDialog(), nullptr);
}

// A big run's comparison is laid out around the cursor only: the window
// starts at the first difference and follows the cursor; the event loop
// runs while the branch does.
TEST_F(LabTest, ABigBranchIsComparedInAWindowThatFollowsTheCursor) {
  struct Restore {
    std::size_t n = render::CompareView::bigEvents();
    ~Restore() { render::CompareView::setBigEvents(n); }
  } restore;
  render::CompareView::setBigEvents(2000);
  auto w = open(scenario("close-wait-pileup.yaml"));
  gui::Lab* lab = w->lab();
  lab->setProgressDelay(0);
  int ticks = 0;
  QTimer tick;
  QObject::connect(&tick, &QTimer::timeout, [&] { ++ticks; });
  tick.start(1);
  ASSERT_TRUE(lab->applyActionText("drop 1st S from client")) << w->messageText().toStdString();
  EXPECT_GE(ticks, 1) << "the event loop ran while the branch did";
  ASSERT_TRUE(lab->comparing());
  render::CompareView* cv = lab->compareView();
  ASSERT_TRUE(cv->windowed());
  const Trace& a = *lab->runs()[0].trace;
  const Trace& b = *lab->runs()[1].trace;
  const std::size_t first = first_differing_event(a, b);
  EXPECT_EQ(cv->firstDifference(), first);
  for (int s = 0; s < 2; ++s) {
    render::LadderWidget* l = cv->pane(s)->ladder();
    ASSERT_NE(l->layout(), nullptr);
    // The window holds the first difference, and is not the whole run.
    const Time t = (s == 0 ? a : b).events[first].t;
    EXPECT_LE(l->windowFrom(), t);
    EXPECT_TRUE(l->windowTo() == kNever || l->windowTo() >= t);
    EXPECT_EQ(l->marker(), static_cast<std::ptrdiff_t>(first));
  }
  EXPECT_TRUE(cv->findChild<QLabel*>("compareWindowNote")->isVisible());
  // At the end of the branch the window has moved there.
  w->setCursor(w->view()->size(), false);
  const Time end = b.events.back().t;
  for (int s = 0; s < 2; ++s) {
    render::LadderWidget* l = cv->pane(s)->ladder();
    ASSERT_NE(l->layout(), nullptr);
    EXPECT_TRUE(l->windowTo() == kNever || l->windowTo() >= end);
    EXPECT_LE(l->windowFrom(), end);
  }
}

// A click on the left side of the comparison focuses the run branched
// from: the keys then act on it (its segment, a branch of it).
TEST_F(LabTest, KeysActOnTheSideOfTheComparisonLastClicked) {
  auto w = branch_without_final_ack();
  gui::Lab* lab = w->lab();
  render::CompareView* cv = lab->compareView();
  ASSERT_TRUE(lab->comparing());
  EXPECT_EQ(lab->selection().run, 1);
  QWidget* left = cv->pane(0)->ladder()->scrollArea()->viewport();
  QTest::mouseClick(left, Qt::LeftButton, {}, QPoint(5, 5));
  EXPECT_EQ(cv->focusedSide(), 0);
  const gui::Lab::Target t = lab->selection();
  EXPECT_EQ(t.run, 0) << "the left side is the original";
  EXPECT_TRUE(lab->runBar()->findChild<QLabel*>("labTarget")->text().contains("Original"));
  // Ctrl+Shift+Down selects the left run's next segment; a drop branches the original.
  press(*w, Qt::Key_Down, Qt::ControlModifier | Qt::ShiftModifier);
  const gui::Lab::Target t2 = lab->selection();
  EXPECT_EQ(t2.run, 0);
  ASSERT_GE(t2.arrow, 0);
  press(*w, Qt::Key_D, Qt::ControlModifier | Qt::ShiftModifier);
  ASSERT_EQ(lab->runs().size(), 3u) << w->messageText().toStdString();
  const gui::LabRun& made = lab->runs()[lab->currentRun()];
  EXPECT_EQ(lab->indexOfId(made.parent), 0) << "a branch of the original, not of the branch";
}

// With "hide what comes next" the comparison shows each side up to its
// cursor and names the first difference only once the cursor has passed it.
TEST_F(LabTest, HideNextHidesTheFirstDifferenceUntilTheCursorPassesIt) {
  auto w = branch_without_final_ack();
  render::CompareView* cv = w->lab()->compareView();
  const std::size_t first = cv->firstDifference();
  w->setHideNext(true);
  w->setCursor(first, false);
  EXPECT_TRUE(cv->hideNext());
  for (int s = 0; s < 2; ++s) {
    EXPECT_EQ(cv->pane(s)->ladder()->marker(), -1);
    EXPECT_FALSE(cv->pane(s)->differenceLabel()->text().contains(QString("event %1").arg(first)));
    EXPECT_EQ(cv->pane(s)->shownView()->size(), cv->pane(s)->cursor()) << "nothing after the cursor";
  }
  EXPECT_EQ(cv->differences()->rowCount(), 0);
  w->setCursor(first + 1, false);
  for (int s = 0; s < 2; ++s) {
    EXPECT_EQ(cv->pane(s)->ladder()->marker(), static_cast<std::ptrdiff_t>(first));
    EXPECT_TRUE(cv->pane(s)->differenceLabel()->text().contains(QString("event %1").arg(first)));
  }
  EXPECT_EQ(cv->differences()->rowCount(), cv->differenceCount());
  w->setHideNext(false);
}

TEST(LabDuration, IsExactAndShort) {
  EXPECT_EQ(gui::lab_duration(msec(150)), "150ms");
  EXPECT_EQ(gui::lab_duration(sec(2)), "2s");
  EXPECT_EQ(gui::lab_duration(msec(1250)), "1.25s");
  EXPECT_EQ(gui::lab_duration(112345), "112.345ms");
  EXPECT_EQ(gui::lab_duration(0), "0s");
  for (Time t : {Time(1), Time(999), Time(1001), Time(123456789), sec(60) + 1})
    EXPECT_EQ(parse_duration(gui::lab_duration(t).toStdString()), t) << t;
}

}  // namespace

