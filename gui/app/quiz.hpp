// tcpsim — quiz mode (View → Quiz, Q, --quiz; issue #13 point 5).
//
// The quiz walks the trace with the student: before each step that changes
// the state of an endpoint of the shown connection (or sends a segment that
// changes no state), the step is hidden — the window runs with "hide what
// comes next", so every pane is given the trace cut at the cursor — and the
// student picks the next state (or the segment's flags) from 2 to 4 choices
// with 1–4 / A–D or a click. The answer is then revealed: the cursor moves
// past it, and the panel says why, from the trace only: the transition-table
// row taken (FsmRow::label(), "rcv FIN / snd ACK"), the cause the trace
// recorded and the event that triggered it, and the paragraph of the
// scenario's lesson about that state. A score ("3 / 5") is shown all along
// and in the summary at the end (R restarts, Esc leaves the quiz).
//
// The questions are a pure function of (trace, endpoints, cursor):
// next_quiz_question(). Nothing here decides protocol behaviour: the right
// answer is what the trace recorded, the choices come from the FSM table.
#pragma once

#include <QPointer>
#include <QString>
#include <QStringList>
#include <QWidget>
#include <optional>
#include <string>
#include <vector>

#include "trace_view.hpp"

class QAction;
class QLabel;
class QPushButton;
class QScrollArea;
class QShortcut;

namespace tcpsim::gui {

class MainWindow;

struct QuizQuestion {
  enum Kind { State, Flags };
  Kind kind = State;
  std::size_t ask = 0;     // the cursor when asked: events [0, ask) are shown
  std::size_t reveal = 0;  // the cursor once answered: the answer's event is shown
  std::size_t event = 0;   // the event answered: the state change, or the segment's send
  std::uint32_t sock = 0;  // whose state / who sends
  std::optional<TcpState> from;  // the socket's state before the step (nullopt: none yet)
  std::string answer;      // "FIN_WAIT_1" (state_name) or "F." (flags_string)
  std::vector<std::string> options;  // 2 to 4 choices in a fixed order, the answer among them
  // State questions: the row of the transition table the change took (empty
  // when no row has its event), the trace's cause, and the segment the
  // transition sent (its send comes just before the state event), if any.
  std::string row;
  std::string cause;
  std::ptrdiff_t sent = -1;
  // What the student is given with the question: a call the application
  // makes now, which the trace records only when it returns ("close()").
  std::string given;
  // The event that triggered the step (a delivery, a timer, a call), -1 none.
  std::ptrdiff_t trigger = -1;
};

// The first question at or after `from` for the sockets `socks` (the shown
// connection's endpoints; 0 entries are ignored). nullopt: none is left.
std::optional<QuizQuestion> next_quiz_question(const render::TraceView& v, const std::vector<std::uint32_t>& socks,
                                               std::size_t from);
// Every question from `from` to the end, in order.
std::vector<QuizQuestion> quiz_questions(const render::TraceView& v, const std::vector<std::uint32_t>& socks,
                                         std::size_t from = 0);
// The choices for a state question: the states the FSM table reaches from
// `from` (fsm_rows()), padded with the classic wrong answers when fewer than
// three, at most four, `answer` always among them, in the RFC's state order.
std::vector<std::string> quiz_state_options(std::optional<TcpState> from, TcpState answer);
// The choices for a flags question: the flag combinations plausible for a
// sender in `state`, at most four, `answer` always among them, in a fixed order.
std::vector<std::string> quiz_flag_options(std::optional<TcpState> state, const std::string& answer);
// The paragraph of a lesson (paragraphs are separated by blank lines) that
// mentions one of `keys` first, else the first paragraph; Markdown marks
// (**, *, `) removed.
QString quiz_lesson_paragraph(const std::string& lesson, const QStringList& keys);

// The quiz panel (under the centre of the main window) and its controller.
class Quiz : public QWidget {
  Q_OBJECT
 public:
  explicit Quiz(MainWindow* w);
  enum class Phase { Off, Asking, Revealed, Summary };
  Phase phase() const { return phase_; }
  bool active() const { return phase_ != Phase::Off; }
  // Entering starts at the window's cursor (at the start when it is at the
  // end); leaving restores "hide what comes next", the docks and the
  // transport as they were.
  void setActive(bool on);
  // Answers the open question with choice i (0-based); ignored unless asking.
  void answer(int i);
  // Enter / Space: after a revealed answer, the next question (or the summary).
  void goOn();
  // From the summary (R): the same questions again, score zero.
  void restart();
  // The window opened another trace: the quiz starts again on it.
  void traceChanged();
  // Called when the window redraws the lesson: another trace starts the quiz
  // again once the window has shown it.
  void checkTrace();

  int right() const { return right_; }
  int asked() const { return asked_; }
  const std::optional<QuizQuestion>& question() const { return q_; }
  // What the panel shows, for tests.
  QString scoreText() const;
  QString questionText() const;
  QString explanationText() const;
  QPushButton* optionButton(int i) const { return options_[i]; }
  int optionCount() const;
  QAction* toggleAction() const { return act_; }
  // The lesson pane's text while the quiz runs (the lesson tells the story).
  static QString lessonHiddenText();

 protected:
  void changeEvent(QEvent* e) override;
  void resizeEvent(QResizeEvent* e) override;

 private:
  void retranslate();
  void ask(std::optional<QuizQuestion> q);
  void showQuestion();
  void showReveal();
  void showSummary();
  void setShortcutsEnabled(bool on);
  void applyFonts();
  void fitOptions();
  // The explanation's area as tall as its text (up to 45 % of the window):
  // whole without scrolling at 1024x768, in English and Chinese.
  void fitExplanation();
  QString socketName(std::uint32_t sock) const;
  QString optionText(const std::string& o) const;
  void onEnter();

  MainWindow* w_;
  Phase phase_ = Phase::Off;
  std::optional<QuizQuestion> q_;
  int chosen_ = -1;
  int right_ = 0, asked_ = 0;
  std::size_t start_ = 0;
  struct Missed {
    int number;
    QString what;
  };
  std::vector<Missed> missed_;
  // The window as it was before the quiz.
  bool saved_hide_next_ = false;
  bool saved_browser_ = true, saved_bottom_ = true;
  std::shared_ptr<const Trace> trace_;

  QAction* act_ = nullptr;
  QLabel* title_ = nullptr;
  QLabel* score_ = nullptr;
  QLabel* question_ = nullptr;
  QPushButton* options_[4] = {nullptr, nullptr, nullptr, nullptr};
  QLabel* verdict_ = nullptr;
  QLabel* explain_ = nullptr;
  QScrollArea* explain_area_ = nullptr;
  QLabel* hint_ = nullptr;
  QPushButton* restart_btn_ = nullptr;
  QPushButton* leave_btn_ = nullptr;
  std::vector<QShortcut*> keys_;
};

}  // namespace tcpsim::gui
