// The main window shows the trace at the cursor: stepping forward and back
// through a trace, every view must match what the trace recorded at that
// point, and stepping back must restore each view exactly.
#include <gtest/gtest.h>

#include <QChart>
#include <QChartView>
#include <QCoreApplication>
#include <QLineSeries>
#include <QDir>
#include <QFile>
#include <QItemSelectionModel>
#include <QRegularExpression>
#include <QTableView>

#include "demo_trace.hpp"
#include "gui_app.hpp"
#include "i18n.hpp"
#include "inspector.hpp"
#include "ladder.hpp"
#include "main_window.hpp"
#include "state_diagram.hpp"
#include "tcpsim/loader.hpp"
#include "tcpsim/simulation.hpp"
#include "tcpsim/version.hpp"

using namespace tcpsim;

namespace {

// What the trace itself says at a cursor, computed without the views.
struct Expected {
  QString client_state, server_state;
  int arrows = 0;
  int log_row = -1;
  QString client_snd_nxt;
};

Expected expected_at(const Trace& t, std::size_t cursor, std::uint32_t client, std::uint32_t server) {
  Expected x;
  std::uint32_t snd_nxt = 0, iss = 0;
  bool have_tcb = false;
  for (std::size_t i = 0; i < cursor; ++i) {
    const Event& e = t.events[i];
    if (e.kind == EventKind::State && e.sock == client) x.client_state = state_name(e.to);
    if (e.kind == EventKind::State && e.sock == server) x.server_state = state_name(e.to);
    if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send) x.arrows++;
    if (e.sock == client && e.has_tcb) {
      snd_nxt = e.tcb.snd_nxt;
      iss = e.tcb.iss;
      have_tcb = true;
    }
  }
  x.log_row = static_cast<int>(cursor) - 1;
  if (have_tcb) x.client_snd_nxt = QString("%1  (+%2)").arg(snd_nxt).arg(snd_nxt - iss);
  return x;
}

int selected_row(const gui::MainWindow& w) {
  auto rows = w.log()->selectionModel()->selectedRows();
  return rows.isEmpty() ? -1 : rows.front().row();
}

// Everything a view shows that depends on the cursor, as text.
QString snapshot(const gui::MainWindow& w) {
  QString s;
  for (int i = 0; i < 2; ++i) {
    const auto& ds = w.diagram(i)->diagramState();
    s += ds.title + "|" + w.diagram(i)->highlightedState() + "|" + ds.timers.join(",") + "|" +
         QString::number(ds.path.size()) + "\n";
  }
  s += QString::number(w.ladder()->drawnArrows()) + "|" + QString::number(selected_row(w)) + "\n";
  auto* in = w.inspector();
  for (int i = 0; i < in->topLevelItemCount(); ++i) {
    auto* top = in->topLevelItem(i);
    for (int j = 0; j < top->childCount(); ++j) s += top->child(j)->text(0) + "=" + top->child(j)->text(1) + ";";
  }
  return s;
}

class MainWindowTest : public ::testing::Test {
 protected:
  void SetUp() override { test::ensure_app(); }
};

TEST_F(MainWindowTest, SteppingForwardAndBackMatchesTheTraceAtEveryEvent) {
  gui::MainWindow w;
  auto trace = render::demo_normal_close_trace();
  w.setTrace(render::demo_normal_close_scenario(), trace);
  const std::uint32_t client = 2, server = 3;
  std::vector<QString> forward;
  for (std::size_t c = 0; c <= trace->events.size(); ++c) {
    if (c > 0) w.stepForward();
    w.finishAnimations();
    ASSERT_EQ(w.cursor(), c);
    Expected x = expected_at(*trace, c, client, server);
    EXPECT_EQ(w.diagram(0)->highlightedState(), x.client_state) << "cursor " << c;
    EXPECT_EQ(w.diagram(1)->highlightedState(), x.server_state) << "cursor " << c;
    EXPECT_EQ(w.ladder()->drawnArrows(), x.arrows) << "cursor " << c;
    EXPECT_EQ(selected_row(w), x.log_row) << "cursor " << c;
    EXPECT_EQ(w.inspector()->value("client/sock", "SND.NXT"), x.client_snd_nxt) << "cursor " << c;
    forward.push_back(snapshot(w));
  }
  // The end of a normal close: the client went through TIME_WAIT to CLOSED.
  EXPECT_EQ(w.diagram(0)->highlightedState(), "CLOSED");
  EXPECT_EQ(w.diagram(0)->diagramState().path.back().from, TcpState::TimeWait);
  // Step back to the start: each view exactly as it was on the way forward.
  for (std::size_t c = trace->events.size(); c-- > 0;) {
    w.stepBack();
    ASSERT_EQ(w.cursor(), c);
    EXPECT_EQ(snapshot(w), forward[c]) << "cursor " << c;
  }
}

TEST_F(MainWindowTest, TimeWaitCountdownShowsTimeLeftOnTheClientDiagram) {
  gui::MainWindow w;
  auto trace = render::demo_normal_close_trace();
  w.setTrace(render::demo_normal_close_scenario(), trace);
  // 0.118 s: TIME_WAIT entered, 2MSL armed to fire at 60.118 s.
  w.setCursorTime(sec(10) + msec(118));
  w.finishAnimations();
  EXPECT_EQ(w.diagram(0)->highlightedState(), "TIME_WAIT");
  ASSERT_FALSE(w.diagram(0)->diagramState().timers.isEmpty());
  EXPECT_EQ(w.diagram(0)->diagramState().timers.front(), "TIME_WAIT 50.0 s");
  EXPECT_EQ(w.inspector()->value("client/sock", "timer:TIME_WAIT"), "50.0 s left");
}

TEST_F(MainWindowTest, NextAndPreviousStateChangeLandJustAfterAStateEvent) {
  gui::MainWindow w;
  auto trace = render::demo_normal_close_trace();
  w.setTrace(render::demo_normal_close_scenario(), trace);
  w.nextStateChange();
  ASSERT_GT(w.cursor(), 0u);
  EXPECT_EQ(trace->events[w.cursor() - 1].kind, EventKind::State);
  std::size_t first = w.cursor();
  w.nextStateChange();
  EXPECT_EQ(trace->events[w.cursor() - 1].kind, EventKind::State);
  EXPECT_GT(w.cursor(), first);
  w.prevStateChange();
  EXPECT_EQ(w.cursor(), first);
}

TEST_F(MainWindowTest, SelectingALogRowMovesTheCursor) {
  gui::MainWindow w;
  auto trace = render::demo_normal_close_trace();
  w.setTrace(render::demo_normal_close_scenario(), trace);
  auto idx = w.log()->model()->index(9, 0);
  w.log()->selectionModel()->setCurrentIndex(idx, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  EXPECT_EQ(w.cursor(), 10u);
}

TEST_F(MainWindowTest, SelectedSegmentHeaderFieldsAreInTheInspector) {
  gui::MainWindow w;
  auto trace = render::demo_normal_close_trace();
  w.setTrace(render::demo_normal_close_scenario(), trace);
  w.toEnd();
  w.setSelectedArrow(1);  // the SYN-ACK
  EXPECT_EQ(w.inspector()->value("segment", "flags"), "[S.]");
  EXPECT_EQ(w.inspector()->value("segment", "seq"), "5000  (relative 0)");
  EXPECT_EQ(w.inspector()->value("segment", "ack"), "1001  (relative 1)");
}

TEST_F(MainWindowTest, MalformedScenarioShowsFileLineColumnAndKeepsThePreviousOne) {
  gui::MainWindow w;
  auto trace = render::demo_normal_close_trace();
  w.setTrace(render::demo_normal_close_scenario(), trace);
  w.setCursor(12);
  QString bad = test::temp_dir() + "/bad.yaml";
  QFile f(bad);
  ASSERT_TRUE(f.open(QIODevice::WriteOnly));
  f.write("title: broken\nhosts:\n  client: {ip: 10.0.0.1, colour: red}\n");
  f.close();
  EXPECT_FALSE(w.openScenario(bad));
  EXPECT_TRUE(w.messageText().contains(QRegularExpression("bad\\.yaml:\\d+:\\d+"))) << w.messageText().toStdString();
  ASSERT_NE(w.scenario(), nullptr);
  EXPECT_EQ(w.scenario()->name, "normal-close");
  EXPECT_EQ(w.view()->size(), trace->events.size());
  EXPECT_EQ(w.cursor(), 12u);
}

TEST_F(MainWindowTest, MissingScenarioFileIsAnErrorNotACrash) {
  gui::MainWindow w;
  EXPECT_FALSE(w.openScenario("/nonexistent/nothing.yaml"));
  EXPECT_FALSE(w.messageText().isEmpty());
}

TEST_F(MainWindowTest, ChineseTranslationLoadsAndTranslatesTheMenus) {
  ASSERT_TRUE(render::install_language("zh_CN"));
  EXPECT_EQ(QCoreApplication::translate("tcpsim::gui::MainWindow", "&File"), QString::fromUtf8("文件(&F)"));
  EXPECT_EQ(QCoreApplication::translate("tcpsim::render", "dropped"), QString::fromUtf8("丢弃"));
  gui::MainWindow w;
  w.setLanguage("zh_CN");
  EXPECT_EQ(w.language(), "zh_CN");
  w.setLanguage("en");
  EXPECT_EQ(QCoreApplication::translate("tcpsim::gui::MainWindow", "&File"), "&File");
}

TEST_F(MainWindowTest, CatalogueScenarioNormalCloseRunsAndEndsClosed) {
  QString path = QString(TCPSIM_SCENARIOS) + "/normal-close.yaml";
  if (!QFile::exists(path)) GTEST_SKIP() << "scenarios/normal-close.yaml is not in the catalogue yet";
  gui::MainWindow w;
  ASSERT_TRUE(w.openScenario(path)) << w.messageText().toStdString();
  w.toEnd();
  EXPECT_EQ(w.diagram(0)->highlightedState(), "CLOSED");
  EXPECT_GT(w.ladder()->drawnArrows(), 6);
  EXPECT_GT(w.catalogue()->topLevelItemCount(), 0);
}

}  // namespace

// Help -> About (issue #18): the version, the git commit the build was made
// from, and the licence, the same as `tcpsim --version` says.
TEST_F(MainWindowTest, AboutBoxNamesTheVersionTheCommitAndTheLicence) {
  gui::MainWindow w;
  const QString about = w.aboutText();
  EXPECT_TRUE(about.contains(QString::fromUtf8(tcpsim::version()))) << about.toStdString();
  const QString commit = QString::fromUtf8(tcpsim::git_commit());
  EXPECT_TRUE(commit == "unknown" || QRegularExpression("^[0-9a-f]{7,40}(-dirty)?$").match(commit).hasMatch())
      << commit.toStdString();
  EXPECT_TRUE(about.contains(commit)) << about.toStdString();
  EXPECT_TRUE(about.contains("MIT")) << about.toStdString();
}

// Issue #14.10: the inspector shows the sender's congestion state at the
// cursor, and the "cwnd / RTT" chart draws cwnd falling at the fast
// retransmit's recovery end (fast-retransmit: 14480 bytes at first, ssthresh
// 0.7 x 12 segments = 11584 after).
TEST(CongestionViewTest, InspectorAndChartFollowTheFastRetransmit) {
  test::ensure_app();
  QString path = QString(TCPSIM_SCENARIOS) + "/fast-retransmit.yaml";
  ASSERT_TRUE(QFile::exists(path));
  gui::MainWindow w;
  ASSERT_TRUE(w.openScenario(path)) << w.messageText().toStdString();
  w.setLanguage("en");
  w.setCursorTime(msec(1030));
  w.finishAnimations();
  EXPECT_EQ(w.inspector()->value("client/sock", "cwnd"), "14480 byte(s)");
  EXPECT_EQ(w.inspector()->value("client/sock", "ssthresh"), "infinite (no loss yet)");
  EXPECT_EQ(w.inspector()->value("client/sock", "srtt"), "20 ms");
  EXPECT_TRUE(w.inspector()->value("client/sock", "ca_state").startsWith("Open"));
  w.setCursorTime(msec(1045));
  w.finishAnimations();
  EXPECT_EQ(w.inspector()->value("client/sock", "ssthresh"), "11584 byte(s)");
  EXPECT_TRUE(w.inspector()->value("client/sock", "ca_state").startsWith("Recovery"));
  w.setCursorTime(msec(1100));
  w.finishAnimations();
  EXPECT_EQ(w.inspector()->value("client/sock", "cwnd"), "11584 byte(s)");
  EXPECT_TRUE(w.inspector()->value("client/sock", "ca_state").startsWith("Open"));
  // The chart: a cwnd line that reaches above 14480 (slow start, inflation)
  // and ends at 11584; an ssthresh line at 11584.
  QChart* c = w.chartView(3)->chart();
  ASSERT_TRUE(c);
  QLineSeries* cwnd = nullptr;
  QLineSeries* ssthresh = nullptr;
  for (auto* s : c->series()) {
    if (s->name() == "cwnd") cwnd = qobject_cast<QLineSeries*>(s);
    if (s->name() == "ssthresh") ssthresh = qobject_cast<QLineSeries*>(s);
  }
  ASSERT_TRUE(cwnd && ssthresh);
  ASSERT_FALSE(cwnd->points().isEmpty());
  double peak = 0;
  for (const auto& p : cwnd->points()) peak = std::max(peak, p.y());
  EXPECT_GT(peak, 14480);
  EXPECT_EQ(cwnd->points().back().y(), 11584);
  ASSERT_FALSE(ssthresh->points().isEmpty());
  EXPECT_EQ(ssthresh->points().front().y(), 11584);
}
