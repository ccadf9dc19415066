// tcpsim-gui: quiz mode (issue #13 point 5). The quiz is driven through the
// real window with key presses (QTest, offscreen): before each answer no pane
// may show the step asked about; right and wrong answers move the score; the
// revealed answer names the transition-table row; the end shows a summary
// that restarts; leaving restores the window. The questions' answers are
// checked against the trace itself for catalogue scenarios.
#include <gtest/gtest.h>

#include <QAbstractItemModel>
#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QLabel>
#include <QImage>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QTableView>
#include <QTest>
#include <QScrollArea>
#include <QScrollBar>
#include <QTextBrowser>
#include <QToolBar>
#include <QToolButton>
#include <cstdlib>
#include <memory>
#include <set>

#include "gui_app.hpp"
#include "inspector.hpp"
#include "ladder.hpp"
#include "main_window.hpp"
#include "quiz.hpp"
#include "state_diagram.hpp"
#include "tcpsim/fsm_table.hpp"
#include "tcpsim/loader.hpp"
#include "tcpsim/simulation.hpp"

using namespace tcpsim;
using gui::Quiz;
using gui::QuizQuestion;

namespace {

class QuizTest : public ::testing::Test {
 protected:
  void SetUp() override { test::ensure_app(); }

  std::unique_ptr<gui::MainWindow> open(const char* scenario, const QString& lang = "en") {
    auto w = std::make_unique<gui::MainWindow>();
    w->setLanguage(lang);
    EXPECT_TRUE(w->openScenario(QString(TCPSIM_SCENARIOS) + "/" + scenario)) << w->messageText().toStdString();
    w->resize(1024, 768);
    w->show();
    // Window shortcuts (the quiz's keys) need the window to be the active one.
    QApplication::setActiveWindow(w.get());
    w->activateWindow();
    EXPECT_TRUE(QTest::qWaitForWindowActive(w.get()));
    return w;
  }
  static void press(gui::MainWindow& w, Qt::Key k) {
    QTest::keyClick(&w, k);
    QApplication::processEvents();
  }
  static Qt::Key digit(int i) { return static_cast<Qt::Key>(Qt::Key_1 + i); }
  static Qt::Key letter(int i) { return static_cast<Qt::Key>(Qt::Key_A + i); }
  static int index_of(const QuizQuestion& q, const std::string& s) {
    for (std::size_t i = 0; i < q.options.size(); ++i)
      if (q.options[i] == s) return static_cast<int>(i);
    return -1;
  }
  static int wrong_index(const QuizQuestion& q) {
    for (std::size_t i = 0; i < q.options.size(); ++i)
      if (q.options[i] != q.answer) return static_cast<int>(i);
    return -1;
  }
  static QTextBrowser* lesson(gui::MainWindow& w) {
    for (auto* b : w.findChildren<QTextBrowser*>())
      if (!w.quiz()->isAncestorOf(b)) return b;
    return nullptr;
  }
  static QDockWidget* dock(gui::MainWindow& w, const char* name) { return w.findChild<QDockWidget*>(name); }

  // Nothing the window shows may give the question's answer away: every
  // pane holds exactly the events before the question's cursor.
  static void expect_answer_hidden(gui::MainWindow& w, const QuizQuestion& q) {
    SCOPED_TRACE("question at event " + std::to_string(q.event) + " answer " + q.answer);
    const render::TraceView& full = *w.view();
    ASSERT_EQ(w.quiz()->phase(), Quiz::Phase::Asking);
    EXPECT_EQ(w.cursor(), q.ask);
    EXPECT_TRUE(w.hideNext());
    ASSERT_NE(w.shownView(), nullptr);
    EXPECT_EQ(w.shownView()->size(), q.ask) << "the panes get the trace cut at the question";
    // Event log: only the rows before the question.
    EXPECT_EQ(w.log()->model()->rowCount(), static_cast<int>(q.ask));
    // Timeline: no text of the step asked about or later, no arrow not yet sent.
    for (const auto& t : w.ladder()->layout()->texts())
      EXPECT_LT(t.event, static_cast<std::ptrdiff_t>(q.ask)) << t.full.toStdString();
    int sends = 0;
    for (std::size_t i = 0; i < q.ask; ++i)
      sends += full.event(i).kind == EventKind::Segment && full.event(i).seg_op == SegOp::Send;
    EXPECT_EQ(w.ladder()->drawnArrows(), sends);
    // Diagrams and inspector: the asked socket is still in its state before the step.
    const auto before = full.state_at(q.sock, q.ask);
    const QString label = QString::fromStdString(full.socket_label(q.sock));
    bool diagram_found = false;
    for (int i = 0; i < 2; ++i) {
      const auto& ds = w.diagram(i)->diagramState();
      if (!ds.title.startsWith(label)) continue;
      diagram_found = true;
      EXPECT_EQ(ds.current, before);
      EXPECT_EQ(ds.path.size(), full.transitions(q.sock, q.ask).size());
      if (q.kind == QuizQuestion::State && ds.current) EXPECT_NE(state_name(*ds.current), q.answer);
    }
    if (before) EXPECT_TRUE(diagram_found) << label.toStdString();
    if (before) EXPECT_EQ(w.inspector()->value(label, "state").toStdString(), state_name(*before));
    // The lesson tells the story: hidden; the panel shows no verdict yet.
    ASSERT_NE(lesson(w), nullptr);
    EXPECT_EQ(lesson(w)->toPlainText(), Quiz::lessonHiddenText());
    EXPECT_TRUE(dock(w, "browserDock")->isHidden());
    EXPECT_EQ(w.quiz()->explanationText().trimmed(), QString());
    // The status bar's time label does not count the events still to come.
    for (auto* l : w.findChildren<QLabel*>())
      if (l->text().startsWith("t = ")) EXPECT_FALSE(l->text().contains(" / ")) << l->text().toStdString();
    // The socket's own notes at that instant explain the step ("ACK it
    // again"): none is shown before the answer.
    for (std::size_t k = q.ask; k-- > 0 && full.event(k).t == full.event(q.event).t;)
      EXPECT_FALSE(full.event(k).kind == EventKind::Note && full.event(k).sock == q.sock) << full.event(k).text;
    // The choices hold the answer.
    EXPECT_GE(index_of(q, q.answer), 0);
  }
};

TEST_F(QuizTest, NextStateIsHiddenEverywhereUntilAnsweredThenShown) {
  auto w = open("normal-close.yaml");
  press(*w, Qt::Key_Q);  // View → Quiz
  ASSERT_TRUE(w->quizMode());
  int n = 0;
  while (w->quiz()->phase() == Quiz::Phase::Asking) {
    const QuizQuestion q = *w->quiz()->question();
    expect_answer_hidden(*w, q);
    press(*w, digit(index_of(q, q.answer)));
    ASSERT_EQ(w->quiz()->phase(), Quiz::Phase::Revealed);
    // Revealed: the views show the step.
    EXPECT_EQ(w->cursor(), q.reveal);
    EXPECT_EQ(w->shownView()->size(), q.reveal);
    if (q.kind == QuizQuestion::State) {
      const auto now = w->view()->state_at(q.sock, w->cursor());
      ASSERT_TRUE(now);
      EXPECT_EQ(state_name(*now), q.answer);
      EXPECT_EQ(w->inspector()->value(QString::fromStdString(w->view()->socket_label(q.sock)), "state").toStdString(),
                q.answer);
    }
    press(*w, (++n % 2) ? Qt::Key_Return : Qt::Key_Space);
  }
  EXPECT_GT(n, 8) << "a normal close has a handshake, data and four state changes a side";
  EXPECT_EQ(w->quiz()->phase(), Quiz::Phase::Summary);
  EXPECT_EQ(w->quiz()->right(), n);
}

TEST_F(QuizTest, RightAndWrongAnswersByKeysMoveTheScoreAndTheExplanationNamesTheRow) {
  auto w = open("normal-close.yaml");
  w->setQuizMode(true);
  EXPECT_EQ(w->quiz()->scoreText(), "Score 0 / 0");
  // Right, with a digit.
  QuizQuestion q = *w->quiz()->question();
  press(*w, digit(index_of(q, q.answer)));
  EXPECT_EQ(w->quiz()->scoreText(), "Score 1 / 1");
  EXPECT_TRUE(w->quiz()->explanationText().contains("✓"));
  if (q.kind == QuizQuestion::State) {
    ASSERT_FALSE(q.row.empty());
    EXPECT_TRUE(w->quiz()->explanationText().contains(QString::fromStdString(q.row)))
        << w->quiz()->explanationText().toStdString();
  }
  press(*w, Qt::Key_Return);
  // Wrong, with a letter; keep going until a state question is answered wrong.
  int asked = 1, right = 1;
  bool wrong_state = false;
  while (!wrong_state && w->quiz()->phase() == Quiz::Phase::Asking) {
    q = *w->quiz()->question();
    const int k = wrong_index(q);
    ASSERT_GE(k, 0) << "every question has a wrong choice";
    press(*w, letter(k));
    ++asked;
    EXPECT_EQ(w->quiz()->scoreText(), QString("Score %1 / %2").arg(right).arg(asked));
    const QString ex = w->quiz()->explanationText();
    EXPECT_TRUE(ex.contains("✗")) << ex.toStdString();
    EXPECT_TRUE(ex.contains(QString::fromStdString(q.answer))) << ex.toStdString();
    EXPECT_TRUE(w->quiz()->optionButton(k)->text().startsWith("✗"));
    EXPECT_TRUE(w->quiz()->optionButton(index_of(q, q.answer))->text().startsWith("✓"));
    if (q.kind == QuizQuestion::State) {
      wrong_state = true;
      EXPECT_TRUE(ex.contains(QString::fromStdString(q.row))) << ex.toStdString();
      EXPECT_TRUE(ex.contains("From the lesson:")) << ex.toStdString();
    }
    // A key that is not a choice, or a second answer, changes nothing.
    press(*w, digit(0));
    EXPECT_EQ(w->quiz()->asked(), asked);
    press(*w, Qt::Key_Space);
  }
  EXPECT_TRUE(wrong_state);
  // The score shows all along, in the panel.
  EXPECT_TRUE(w->quiz()->isVisible());
}

TEST_F(QuizTest, ExplanationQuotesTheRowAndTheLessonParagraphAboutTheState) {
  auto w = open("lost-final-ack.yaml");
  w->setQuizMode(true);
  bool saw_time_wait = false, saw_time_wait_ack = false;
  while (w->quiz()->phase() == Quiz::Phase::Asking) {
    const QuizQuestion q = *w->quiz()->question();
    expect_answer_hidden(*w, q);
    press(*w, digit(index_of(q, q.answer)));
    if (q.kind == QuizQuestion::Flags && q.from == TcpState::TimeWait) {
      // The ACK from TIME_WAIT: the note that says so comes with the answer.
      saw_time_wait_ack = true;
      EXPECT_EQ(q.answer, ".");
      EXPECT_TRUE(w->quiz()->explanationText().contains("received F.")) << w->quiz()->explanationText().toStdString();
    }
    if (q.kind == QuizQuestion::State && q.answer == "TIME_WAIT" && !saw_time_wait) {
      saw_time_wait = true;
      const QString ex = w->quiz()->explanationText();
      EXPECT_TRUE(ex.contains("rcv FIN / snd ACK")) << ex.toStdString();
      const QString para =
          gui::quiz_lesson_paragraph(w->scenario()->lesson.get("en"), {"TIME_WAIT", "TIME-WAIT"});
      EXPECT_TRUE(para.contains("TIME_WAIT"));
      EXPECT_TRUE(ex.contains(para)) << ex.toStdString();
    }
    press(*w, Qt::Key_Return);
  }
  EXPECT_TRUE(saw_time_wait);
  EXPECT_TRUE(saw_time_wait_ack);
}

TEST_F(QuizTest, SummaryAtTheEndRestartsWithR) {
  // TCPSIM_QUIZ_SUMMARY_SHOT=out.png saves the summary (TCPSIM_QUIZ_SUMMARY_LANG=zh_CN in Chinese).
  const char* shot = std::getenv("TCPSIM_QUIZ_SUMMARY_SHOT");
  const char* lang = std::getenv("TCPSIM_QUIZ_SUMMARY_LANG");
  auto w = open("three-way-handshake.yaml", lang ? lang : "en");
  w->setQuizMode(true);
  const std::size_t first = w->quiz()->question()->ask;
  int asked = 0, right = 0;
  while (w->quiz()->phase() == Quiz::Phase::Asking) {
    const QuizQuestion q = *w->quiz()->question();
    const bool ok = asked % 3 != 1;
    press(*w, digit(ok ? index_of(q, q.answer) : wrong_index(q)));
    ++asked;
    right += ok;
    press(*w, Qt::Key_Return);
  }
  ASSERT_EQ(w->quiz()->phase(), Quiz::Phase::Summary);
  if (shot) EXPECT_TRUE(w->grab().save(shot));
  if (lang) {
    w->setLanguage("en");
    return;
  }
  EXPECT_TRUE(w->quiz()->questionText().contains(QString("%1 / %2").arg(right).arg(asked)))
      << w->quiz()->questionText().toStdString();
  EXPECT_EQ(w->quiz()->scoreText(), QString("Score %1 / %2").arg(right).arg(asked));
  if (right < asked) EXPECT_TRUE(w->quiz()->explanationText().contains("Missed question 2"));
  // The summary shows the rest of the run.
  EXPECT_EQ(w->cursor(), w->view()->size());
  EXPECT_EQ(w->shownView()->size(), w->view()->size());
  // Enter does not restart by accident; R does.
  press(*w, Qt::Key_Return);
  EXPECT_EQ(w->quiz()->phase(), Quiz::Phase::Summary);
  press(*w, Qt::Key_R);
  EXPECT_EQ(w->quiz()->phase(), Quiz::Phase::Asking);
  EXPECT_EQ(w->quiz()->scoreText(), "Score 0 / 0");
  EXPECT_EQ(w->cursor(), first);
}

TEST_F(QuizTest, LeavingRestoresTheViews) {
  for (bool hide_before : {false, true}) {
    auto w = open("rst-on-unread-data.yaml");
    w->setHideNext(hide_before);
    w->setCursor(3, false);
    const QString lesson_before = lesson(*w)->toPlainText();
    ASSERT_FALSE(lesson_before.isEmpty());
    press(*w, Qt::Key_Q);
    ASSERT_TRUE(w->quizMode());
    EXPECT_FALSE(w->action("forward")->isEnabled());
    EXPECT_FALSE(w->action("play")->isEnabled());
    press(*w, Qt::Key_1);
    press(*w, Qt::Key_Escape);
    EXPECT_FALSE(w->quizMode());
    EXPECT_EQ(w->quiz()->phase(), Quiz::Phase::Off);
    EXPECT_FALSE(w->quiz()->isVisible());
    EXPECT_EQ(w->hideNext(), hide_before);
    if (!hide_before) EXPECT_EQ(w->shownView(), w->view()) << "the whole trace again";
    EXPECT_FALSE(dock(*w, "browserDock")->isHidden());
    EXPECT_FALSE(dock(*w, "bottomDock")->isHidden());
    EXPECT_EQ(lesson(*w)->toPlainText(), lesson_before);
    for (auto k : {"start", "prevstate", "back", "play", "forward", "nextstate", "end", "hidenext"})
      EXPECT_TRUE(w->action(k)->isEnabled()) << k;
    // The transport works again (Space plays, → steps), and the quiz keys do nothing.
    const std::size_t c = w->cursor();
    press(*w, Qt::Key_Right);
    EXPECT_EQ(w->cursor(), c + 1);
    press(*w, Qt::Key_2);
    EXPECT_EQ(w->quiz()->asked(), 1) << "unchanged since the quiz was left";
  }
}

// A click answers too; opening another scenario starts the quiz again on it.
TEST_F(QuizTest, ClickAnswersAndAnotherScenarioRestartsTheQuiz) {
  auto w = open("normal-close.yaml");
  w->setQuizMode(true);
  const QuizQuestion q = *w->quiz()->question();
  QTest::mouseClick(w->quiz()->optionButton(index_of(q, q.answer)), Qt::LeftButton);
  EXPECT_EQ(w->quiz()->phase(), Quiz::Phase::Revealed);
  EXPECT_EQ(w->quiz()->scoreText(), "Score 1 / 1");
  ASSERT_TRUE(w->openScenario(QString(TCPSIM_SCENARIOS) + "/rst-on-unread-data.yaml"));
  QApplication::processEvents();
  EXPECT_TRUE(w->quizMode());
  EXPECT_EQ(w->quiz()->phase(), Quiz::Phase::Asking);
  EXPECT_EQ(w->quiz()->scoreText(), "Score 0 / 0");
  ASSERT_TRUE(w->quiz()->question());
  expect_answer_hidden(*w, *w->quiz()->question());
}

// On a projector: lecture mode's transport keeps its symbols (a disabled
// action resets its button's text), and the panel's text is 24 px or more.
TEST_F(QuizTest, LectureModeKeepsItsLayoutAndThePanelIsReadable) {
  auto w = open("normal-close.yaml");
  w->setLectureMode(true);
  w->setQuizMode(true);
  auto* fwd = qobject_cast<QToolButton*>(w->transportBar()->widgetForAction(w->action("forward")));
  ASSERT_NE(fwd, nullptr);
  EXPECT_EQ(fwd->text(), "▷");
  EXPECT_FALSE(fwd->isEnabled());
  const QuizQuestion q = *w->quiz()->question();
  press(*w, digit(index_of(q, q.answer)));
  for (auto* x : w->quiz()->findChildren<QWidget*>())
    if (x->isVisible() && (qobject_cast<QLabel*>(x) || qobject_cast<QPushButton*>(x)))
      EXPECT_GE(x->font().pixelSize(), 24) << x->objectName().toStdString();
  press(*w, Qt::Key_Escape);
  EXPECT_EQ(fwd->text(), "▷");
  EXPECT_TRUE(fwd->isEnabled());
  w->setLectureMode(false);
}

// The quiz's right answers are the trace's state changes of the two shown
// endpoints, in order, and every segment they send is asked about once
// (as a state change's segment or as a flags question).
TEST_F(QuizTest, CorrectAnswersAreTheTracesStateChanges) {
  for (const char* name : {"normal-close.yaml", "lost-final-ack.yaml", "rst-on-unread-data.yaml",
                           "simultaneous-close.yaml"}) {
    SCOPED_TRACE(name);
    auto w = open(name);
    const render::TraceView& v = *w->view();
    w->setQuizMode(true);
    ASSERT_TRUE(w->quiz()->question());
    // The endpoints are the first connection's (the one the window shows).
    ASSERT_FALSE(v.connections().empty());
    const std::vector<std::uint32_t> socks = {v.connections()[0].a, v.connections()[0].b};
    std::vector<std::string> want_states, want_flags;
    for (std::size_t i = 0; i < v.size(); ++i) {
      const Event& e = v.event(i);
      if (e.sock != socks[0] && e.sock != socks[1]) continue;
      if (e.kind == EventKind::State) want_states.push_back(std::string(v.socket_label(e.sock)) + ">" + state_name(e.to));
      if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send) want_flags.push_back(flags_string(e.seg.flags));
    }
    std::vector<std::string> got_states, got_flags;
    int asked = 0;
    while (w->quiz()->phase() == Quiz::Phase::Asking) {
      const QuizQuestion q = *w->quiz()->question();
      EXPECT_GE(q.options.size(), 2u);
      EXPECT_LE(q.options.size(), 4u);
      if (q.kind == QuizQuestion::State) {
        got_states.push_back(v.socket_label(q.sock) + ">" + q.answer);
        EXPECT_TRUE(fsm_has_row(*q.from, *parse_state(q.answer))) << q.answer;
        if (q.sent >= 0) got_flags.push_back(flags_string(v.event(q.sent).seg.flags));
      } else {
        got_flags.push_back(q.answer);
        EXPECT_EQ(q.answer, flags_string(v.event(q.event).seg.flags));
      }
      press(*w, letter(index_of(q, q.answer)));
      ++asked;
      press(*w, Qt::Key_Return);
    }
    EXPECT_EQ(got_states, want_states);
    EXPECT_EQ(got_flags, want_flags);
    EXPECT_EQ(w->quiz()->right(), asked);
    // The pure function gives the same questions.
    EXPECT_EQ(gui::quiz_questions(v, socks).size(), static_cast<std::size_t>(asked));
  }
}

// Without the window, for every catalogue scenario and every connection:
// the questions' answers are the endpoints' state changes in order, every
// segment they send is asked once, each question is asked before its step
// and revealed just after it, and its choices are 2 to 4 distinct ones
// holding the answer.
TEST(QuizQuestions, EveryCatalogueScenarioAsksEachStateChangeAndSegmentOnce) {
  const QStringList files = QDir(TCPSIM_SCENARIOS).entryList({"*.yaml"}, QDir::Files, QDir::Name);
  int scenarios = 0;
  for (const QString& f : files) {
    if (f == "index.yaml") continue;
    SCOPED_TRACE(f.toStdString());
    const Scenario sc = load_scenario_file((QString(TCPSIM_SCENARIOS) + "/" + f).toStdString());
    if (gui::estimated_connections(sc) > 5000) continue;  // counts-only in the GUI: no quiz
    const render::TraceView v(std::make_shared<Trace>(run_scenario(sc)));
    ++scenarios;
    for (const auto& c : v.connections()) {
      const std::vector<std::uint32_t> socks = {c.a, c.b};
      std::vector<std::string> want_states, got_states;
      std::vector<std::size_t> want_sends, got_sends;
      for (std::size_t i = 0; i < v.size(); ++i) {
        const Event& e = v.event(i);
        if (!e.sock || (e.sock != c.a && e.sock != c.b)) continue;
        if (e.kind == EventKind::State) want_states.push_back(v.socket_label(e.sock) + ">" + state_name(e.to));
        if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send) want_sends.push_back(i);
      }
      std::size_t last_reveal = 0;
      for (const auto& q : gui::quiz_questions(v, socks)) {
        EXPECT_GE(q.ask, last_reveal);
        EXPECT_LE(q.ask, q.event);
        EXPECT_EQ(q.reveal, q.event + 1);
        last_reveal = q.reveal;
        EXPECT_GE(q.options.size(), 2u);
        EXPECT_LE(q.options.size(), 4u);
        std::set<std::string> distinct(q.options.begin(), q.options.end());
        EXPECT_EQ(distinct.size(), q.options.size());
        EXPECT_EQ(distinct.count(q.answer), 1u);
        if (q.kind == QuizQuestion::State) {
          got_states.push_back(v.socket_label(q.sock) + ">" + q.answer);
          EXPECT_EQ(q.answer, state_name(v.event(q.event).to));
          EXPECT_FALSE(q.row.empty()) << "every traced change is a row of the table: " << q.cause;
          if (q.sent >= 0) got_sends.push_back(static_cast<std::size_t>(q.sent));
        } else {
          EXPECT_EQ(q.answer, flags_string(v.event(q.event).seg.flags));
          got_sends.push_back(q.event);
        }
      }
      EXPECT_EQ(got_states, want_states);
      EXPECT_EQ(got_sends, want_sends);
    }
  }
  EXPECT_GT(scenarios, 20);
}

TEST(QuizChoices, StateChoicesAreTheStatesTheTableReachesPaddedWithClassicMistakes) {
  for (int f = 0; f < kNumTcpStates; ++f) {
    const auto from = static_cast<TcpState>(f);
    std::vector<std::string> successors;
    // A row that changes no state (a challenge ACK) is never a question's answer.
    for (const auto& r : fsm_rows())
      if (r.from == from && !r.internal &&
          std::find(successors.begin(), successors.end(), state_name(r.to)) == successors.end())
        successors.push_back(state_name(r.to));
    for (const auto& r : fsm_rows()) {
      if (r.from != from || r.internal) continue;
      const auto opts = gui::quiz_state_options(from, r.to);
      EXPECT_GE(opts.size(), 3u) << state_name(from);
      EXPECT_LE(opts.size(), 4u);
      EXPECT_NE(std::find(opts.begin(), opts.end(), state_name(r.to)), opts.end());
      EXPECT_EQ(std::find(opts.begin(), opts.end(), state_name(from)), opts.end()) << "the step changes the state";
      if (successors.size() <= 4)
        for (const auto& s : successors) EXPECT_NE(std::find(opts.begin(), opts.end(), s), opts.end()) << s;
    }
  }
  const auto fl = gui::quiz_flag_options(TcpState::Established, "FP.");
  EXPECT_NE(std::find(fl.begin(), fl.end(), "FP."), fl.end());
  EXPECT_EQ(fl.size(), 4u);
}

TEST(QuizLesson, PicksTheParagraphNamingTheStateElseTheFirst) {
  const std::string lesson = "First **one**.\n\nThen `TIME_WAIT` lasts\n2MSL.\n\n在 TIME_WAIT\n中等待。";
  EXPECT_EQ(gui::quiz_lesson_paragraph(lesson, {"TIME_WAIT"}), "Then TIME_WAIT lasts 2MSL.");
  EXPECT_EQ(gui::quiz_lesson_paragraph(lesson, {"LAST_ACK"}), "First one.");
  EXPECT_EQ(gui::quiz_lesson_paragraph("在 TIME_WAIT\n中等待。", {"X"}), "在 TIME_WAIT中等待。");
}

TEST_F(QuizTest, ChineseQuizSpeaksChinese) {
  auto w = open("normal-close.yaml", "zh_CN");
  w->setQuizMode(true);
  const QRegularExpression han("\\p{Han}");
  EXPECT_TRUE(w->quiz()->questionText().contains(han)) << w->quiz()->questionText().toStdString();
  EXPECT_TRUE(w->quiz()->scoreText().contains(han)) << w->quiz()->scoreText().toStdString();
  const QuizQuestion q = *w->quiz()->question();
  press(*w, digit(wrong_index(q)));
  EXPECT_TRUE(w->quiz()->explanationText().contains(han));
  for (auto* b : w->quiz()->findChildren<QPushButton*>())
    if (b->isVisible() && !b->objectName().startsWith("quizOption")) EXPECT_TRUE(b->text().contains(han)) << b->text().toStdString();
  for (auto* l : w->quiz()->findChildren<QLabel*>())
    if (l->isVisible() && !l->text().isEmpty()) EXPECT_TRUE(l->text().contains(han)) << l->text().toStdString();
  w->setLanguage("en");
}

// tcpsim-gui --quiz [--quiz-answer N] --screenshot: the reproducible
// screenshots of docs/gui.md; bad values name the option and exit 2.
TEST(QuizCommandLine, QuizScreenshotsAndBadAnswersExitTwoNamingTheOption) {
  test::ensure_app();
  auto run = [](const QStringList& args) {
    QProcess p;
    p.start(TCPSIM_GUI_EXE, args);
    p.waitForFinished(120000);
    return std::pair<int, QString>{p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
                                   QString::fromUtf8(p.readAllStandardError())};
  };
  const QString scn = QString(TCPSIM_SCENARIOS) + "/normal-close.yaml";
  const QString out = test::temp_dir() + "/quiz.png";
  auto [ok, err] = run({"--scenario", scn, "--at", "114ms", "--size", "1024x768", "--quiz", "--quiz-answer", "4",
                        "--screenshot", out});
  EXPECT_EQ(ok, 0) << err.toStdString();
  EXPECT_EQ(QImage(out).size(), QSize(1024, 768));
  for (const QStringList& bad : {QStringList{"--quiz", "--quiz-answer", "5"}, QStringList{"--quiz-answer", "1"},
                                 QStringList{"--quiz", "--quiz-answer", "x"}}) {
    auto [code, msg] = run(QStringList{"--scenario", scn, "--screenshot", out} + bad);
    EXPECT_EQ(code, 2) << bad.join(' ').toStdString();
    EXPECT_TRUE(msg.contains("--quiz-answer")) << msg.toStdString();
  }
}

// At 1024x768 every answer's explanation — the row, the trigger and the
// lesson's whole paragraph — is shown whole, with no scrolling, in English
// and Chinese (normal-close's CLOSE_WAIT paragraph used to need two lines
// of scrolling).
TEST_F(QuizTest, EveryExplanationFitsWithoutScrollingAt1024x768) {
  int answered = 0;
  for (const QString lang : {"en", "zh_CN"})
    for (const char* scn : {"normal-close.yaml", "lost-final-ack.yaml", "rst-on-unread-data.yaml"}) {
      auto w = open(scn, lang);
      w->setQuizMode(true);
      auto* area = w->quiz()->findChild<QScrollArea*>("quizExplanationArea");
      ASSERT_NE(area, nullptr);
      int n = 0;
      while (w->quiz()->phase() == Quiz::Phase::Asking && n < 12) {
        const QuizQuestion q = *w->quiz()->question();
        press(*w, digit(wrong_index(q) >= 0 ? wrong_index(q) : 0));  // wrong: the longest verdict
        QApplication::processEvents();
        ++n;
        ++answered;
        const std::string where = std::string(scn) + " " + lang.toStdString() + " question " + std::to_string(n);
        EXPECT_TRUE(area->isVisible()) << where;
        EXPECT_EQ(area->verticalScrollBar()->maximum(), 0)
            << where << ": the explanation needs scrolling (" << area->widget()->height() << " px in "
            << area->viewport()->height() << " px)";
        // The whole panel is inside the window.
        const QRect panel(w->quiz()->mapTo(w.get(), QPoint(0, 0)), w->quiz()->size());
        EXPECT_TRUE(w->rect().contains(panel)) << where;
        press(*w, Qt::Key_Return);
      }
      w->setLanguage("en");
    }
  EXPECT_GT(answered, 8);
}

}  // namespace
