#include "quiz.hpp"

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QScrollBar>
#include <QShortcut>
#include <QSlider>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <algorithm>

#include "main_window.hpp"
#include "tcpsim/fsm_table.hpp"

namespace tcpsim::gui {

namespace {

bool is_shown(const std::vector<std::uint32_t>& socks, std::uint32_t s) {
  return s != 0 && std::find(socks.begin(), socks.end(), s) != socks.end();
}

// The row of the transition table a traced state change took: same states,
// and the event its cause names (fsm_event_of_cause); else any row between
// the two states.
std::string row_of(const Event& e) {
  const std::string ev = fsm_event_of_cause(e.text);
  const FsmRow* any = nullptr;
  for (const auto& r : fsm_rows()) {
    if (r.from != e.from || r.to != e.to) continue;
    if (r.event == ev) return r.label();
    if (!any) any = &r;
  }
  return any ? any->label() : std::string();
}

// A call the application makes at this step, named by the cause ("close() /
// snd FIN", "ABORT: close() with unread data / snd RST", "shutdown(SHUT_WR)
// / snd FIN"). The trace records a call when it returns, after the state
// change it caused, so the question gives it.
std::string call_of_cause(const std::string& cause) {
  std::string c = cause;
  if (c.rfind("ABORT: ", 0) == 0) c = c.substr(7);
  static const QRegularExpression re("^([a-z_]+\\([^)]*\\))");
  auto m = re.match(QString::fromStdString(c));
  return m.hasMatch() ? m.captured(1).toStdString() : std::string();
}

// A call of the socket's process returned at the same instant, before the
// socket's next state change or segment: what the application did now
// ("send(fd=3, 100 bytes)"), without its result.
std::ptrdiff_t call_after(const render::TraceView& v, std::size_t i, std::uint32_t sock) {
  const Event& at = v.event(i);
  for (std::size_t k = i + 1; k < v.size() && v.event(k).t == at.t; ++k) {
    const Event& e = v.event(k);
    if (e.kind == EventKind::Call && e.sock == sock) return static_cast<std::ptrdiff_t>(k);
    if (e.sock == sock && (e.kind == EventKind::State || (e.kind == EventKind::Segment && e.seg_op == SegOp::Send)))
      break;
  }
  return -1;
}

// What set the step off: a segment delivered to the socket's host, a timer
// of the socket firing, a fault, at the same instant just before; else the
// call that returns just after.
std::ptrdiff_t trigger_of(const render::TraceView& v, std::size_t ask, std::size_t event, std::uint32_t sock) {
  const Event& at = v.event(event);
  for (std::size_t k = ask; k-- > 0 && v.event(k).t == at.t;) {
    const Event& e = v.event(k);
    if (e.kind == EventKind::Segment && e.seg_op == SegOp::Deliver && e.host == at.host)
      return static_cast<std::ptrdiff_t>(k);
    if (e.kind == EventKind::Timer && e.timer_op == TimerOp::Fire && e.sock == sock) return static_cast<std::ptrdiff_t>(k);
    if ((e.kind == EventKind::Fault || e.kind == EventKind::Process || e.kind == EventKind::Signal) && e.host == at.host)
      return static_cast<std::ptrdiff_t>(k);
    if (e.sock == sock && (e.kind == EventKind::State || (e.kind == EventKind::Segment && e.seg_op == SegOp::Send)))
      break;
  }
  return call_after(v, event, sock);
}

// The socket's own notes and timer changes just before the step, at the same
// instant, belong to the answer: "retransmitted FIN in TIME_WAIT: ACK it
// again, restart 2MSL" says what the socket will send. The question comes
// before them (and after the trigger: a delivery, a timer firing).
std::size_t ask_before(const render::TraceView& v, std::size_t i, std::uint32_t sock, std::size_t from) {
  const Time t = v.event(i).t;
  std::size_t k = i;
  while (k > from) {
    const Event& p = v.event(k - 1);
    if (p.t != t || p.sock != sock) break;
    if (p.kind != EventKind::Note && !(p.kind == EventKind::Timer && p.timer_op != TimerOp::Fire)) break;
    --k;
  }
  return k;
}

QuizQuestion state_question(const render::TraceView& v, std::size_t j, std::size_t from) {
  const Event& e = v.event(j);
  QuizQuestion q;
  q.kind = QuizQuestion::State;
  q.event = j;
  q.ask = j;
  q.reveal = j + 1;
  q.sock = e.sock;
  q.from = e.from;
  q.answer = state_name(e.to);
  q.options = quiz_state_options(e.from, e.to);
  q.row = row_of(e);
  q.cause = e.text;
  // The segment this transition sent is traced just before it (with the
  // timers it armed or cancelled): the question comes before that send.
  for (std::size_t k = j; k-- > 0;) {
    const Event& p = v.event(k);
    if (p.t != e.t) break;
    if (p.kind == EventKind::Timer && p.sock == e.sock) continue;
    if (p.kind == EventKind::Segment && p.seg_op == SegOp::Drop && p.sock == e.sock) continue;  // lost on the way out
    if (p.kind == EventKind::Segment && p.seg_op == SegOp::Send && p.sock == e.sock) {
      q.sent = static_cast<std::ptrdiff_t>(k);
      if (k >= from) q.ask = k;
    }
    break;
  }
  q.ask = ask_before(v, q.ask, e.sock, from);
  q.given = call_of_cause(e.text);
  q.trigger = trigger_of(v, q.ask, j, e.sock);
  if (q.trigger >= 0 && v.event(q.trigger).kind == EventKind::Call && !q.given.empty()) q.trigger = -1;
  return q;
}

}  // namespace

std::vector<std::string> quiz_state_options(std::optional<TcpState> from, TcpState answer) {
  using S = TcpState;
  const S f = from.value_or(S::Closed);
  std::vector<S> out;
  auto add = [&](S s) {
    if (s != f && std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  };
  for (const auto& r : fsm_rows())
    if (r.from == f && !r.internal) add(r.to);  // internal rows change no state
  // The classic wrong answers, for states the table leaves few ways out of:
  // skipping the handshake, mixing up the active and the passive closer
  // (which of them waits in TIME_WAIT), a server port going "back to LISTEN".
  std::vector<S> extra;
  switch (f) {
    case S::Closed: extra = {S::SynReceived, S::Established}; break;
    case S::Listen: extra = {S::Established, S::SynSent}; break;
    case S::SynSent: extra = {S::Listen}; break;
    case S::SynReceived: break;
    case S::Established: extra = {S::FinWait2, S::TimeWait}; break;
    case S::FinWait1: extra = {S::TimeWait, S::LastAck}; break;
    case S::FinWait2: extra = {S::Closing, S::LastAck}; break;
    case S::CloseWait: extra = {S::FinWait2, S::TimeWait}; break;
    case S::Closing: extra = {S::FinWait2, S::LastAck}; break;
    case S::LastAck: extra = {S::TimeWait, S::Closing}; break;
    case S::TimeWait: extra = {S::Listen, S::Established}; break;
  }
  for (S s : extra)
    if (out.size() < 4) add(s);
  if (std::find(out.begin(), out.end(), answer) == out.end()) {
    if (out.size() >= 4) out.pop_back();
    out.push_back(answer);
  }
  while (out.size() > 4) {
    // Keep the answer: drop the last other choice.
    for (auto it = out.end(); it != out.begin();) {
      --it;
      if (*it != answer) {
        out.erase(it);
        break;
      }
    }
  }
  std::sort(out.begin(), out.end());  // the RFC's order: the position gives nothing away
  std::vector<std::string> names;
  for (S s : out) names.push_back(state_name(s));
  return names;
}

std::vector<std::string> quiz_flag_options(std::optional<TcpState> state, const std::string& answer) {
  using S = TcpState;
  static const std::vector<std::string> order = {"S", "S.", ".", "P.", "F.", "FP.", "R", "R."};
  std::vector<std::string> pool;
  switch (state.value_or(S::Closed)) {
    case S::Closed:
    case S::Listen: pool = {"S", "S.", "R", "R."}; break;
    case S::SynSent: pool = {"S", "S.", ".", "R"}; break;
    case S::SynReceived: pool = {"S.", ".", "R", "R."}; break;
    case S::Established:
    case S::CloseWait: pool = {".", "P.", "F.", "R."}; break;
    case S::FinWait1:
    case S::Closing:
    case S::LastAck: pool = {".", "P.", "F.", "R."}; break;
    case S::FinWait2:
    case S::TimeWait: pool = {".", "F.", "R", "R."}; break;
  }
  if (std::find(pool.begin(), pool.end(), answer) == pool.end()) {
    // Replace the choice least like the answer: the last one.
    pool.pop_back();
    pool.push_back(answer);
  }
  auto rank = [&](const std::string& f) {
    auto it = std::find(order.begin(), order.end(), f);
    return it == order.end() ? static_cast<std::ptrdiff_t>(order.size()) : it - order.begin();
  };
  std::stable_sort(pool.begin(), pool.end(), [&](const std::string& a, const std::string& b) {
    return rank(a) != rank(b) ? rank(a) < rank(b) : a < b;
  });
  return pool;
}

QString quiz_lesson_paragraph(const std::string& lesson, const QStringList& keys) {
  const QStringList lines = QString::fromStdString(lesson).split('\n');
  QStringList paras;
  QString cur;
  auto cjk = [](QChar c) { return c.unicode() >= 0x2E80; };
  for (const QString& raw : lines) {
    const QString l = raw.trimmed();
    if (l.isEmpty()) {
      if (!cur.isEmpty()) paras << cur;
      cur.clear();
      continue;
    }
    // Lines of a wrapped Chinese paragraph join without a space.
    if (!cur.isEmpty() && !(cjk(cur.back()) || cjk(l.front()))) cur += ' ';
    cur += l;
  }
  if (!cur.isEmpty()) paras << cur;
  if (paras.isEmpty()) return {};
  QString pick = paras.front();
  bool found = false;
  for (const QString& k : keys) {
    for (const QString& p : paras)
      if (!k.isEmpty() && p.contains(k)) {
        pick = p;
        found = true;
        break;
      }
    if (found) break;
  }
  pick.remove(QStringLiteral("**"));
  pick.remove('`');
  pick.remove('*');
  return pick;
}

std::optional<QuizQuestion> next_quiz_question(const render::TraceView& v, const std::vector<std::uint32_t>& socks,
                                               std::size_t from) {
  for (std::size_t i = from; i < v.size(); ++i) {
    const Event& e = v.event(i);
    if (!is_shown(socks, e.sock)) continue;
    if (e.kind == EventKind::State) return state_question(v, i, from);
    if (e.kind != EventKind::Segment || e.seg_op != SegOp::Send) continue;
    // A send that is part of a state change (traced just before it, with
    // only the socket's timers, or the segment's own drop, between) is that
    // change's question.
    auto between = [&](const Event& x) {
      return x.t == e.t && x.sock == e.sock &&
             (x.kind == EventKind::Timer || (x.kind == EventKind::Segment && x.seg_op == SegOp::Drop && x.seg_id == e.seg_id));
    };
    std::size_t j = i + 1;
    while (j < v.size() && between(v.event(j))) ++j;
    if (j < v.size() && v.event(j).t == e.t && v.event(j).kind == EventKind::State && v.event(j).sock == e.sock)
      return state_question(v, j, from);
    QuizQuestion q;
    q.kind = QuizQuestion::Flags;
    q.ask = ask_before(v, i, e.sock, from);
    q.event = i;
    q.reveal = i + 1;
    q.sock = e.sock;
    q.from = v.state_at(e.sock, i);
    q.answer = flags_string(e.seg.flags);
    q.options = quiz_flag_options(q.from, q.answer);
    q.sent = static_cast<std::ptrdiff_t>(i);
    const std::ptrdiff_t c = call_after(v, i, e.sock);
    if (c >= 0) q.given = v.event(c).call + "(" + v.event(c).args + ")";
    q.trigger = trigger_of(v, q.ask, i, e.sock);
    if (q.trigger == c) q.trigger = -1;
    return q;
  }
  return std::nullopt;
}

std::vector<QuizQuestion> quiz_questions(const render::TraceView& v, const std::vector<std::uint32_t>& socks,
                                         std::size_t from) {
  std::vector<QuizQuestion> out;
  for (auto q = next_quiz_question(v, socks, from); q; q = next_quiz_question(v, socks, q->reveal))
    out.push_back(*q);
  return out;
}

// ---------------------------------------------------------------- the panel

namespace {
constexpr int kQuizPx = 24;     // the floor for text read from the back row
constexpr int kBigPx = 28;      // the score and the verdict
const char* kGreen = "#009E73";  // Okabe–Ito bluish green: right (also ✓)
const char* kRed = "#D55E00";    // vermillion: the wrong choice (also ✗)
}  // namespace

Quiz::Quiz(MainWindow* w) : QWidget(w->centralWidget()), w_(w) {
  setObjectName("quizPanel");
  setAttribute(Qt::WA_StyledBackground);
  setStyleSheet("QWidget#quizPanel{background:#FFF8E6;border:3px solid #0072B2;border-radius:6px}");
  auto* v = new QVBoxLayout(this);
  v->setContentsMargins(10, 6, 10, 6);
  v->setSpacing(4);
  auto* top = new QHBoxLayout;
  title_ = new QLabel(this);
  score_ = new QLabel(this);
  score_->setObjectName("quizScore");
  question_ = new QLabel(this);
  question_->setObjectName("quizQuestion");
  question_->setWordWrap(true);
  question_->setTextFormat(Qt::PlainText);
  top->addWidget(title_, 0, Qt::AlignTop);
  top->addWidget(question_, 1);
  top->addWidget(score_, 0, Qt::AlignTop);
  v->addLayout(top);
  auto* row = new QHBoxLayout;
  for (int i = 0; i < 4; ++i) {
    options_[i] = new QPushButton(this);
    options_[i]->setObjectName(QString("quizOption%1").arg(i + 1));
    options_[i]->setFocusPolicy(Qt::TabFocus);
    // Four choices share the width at 1024 px: never wider than their share.
    options_[i]->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    options_[i]->setMinimumWidth(120);
    connect(options_[i], &QPushButton::clicked, this, [this, i] { answer(i); });
    row->addWidget(options_[i], 1);
  }
  v->addLayout(row);
  // The verdict, the keys to press and the buttons share one row.
  auto* mid = new QHBoxLayout;
  verdict_ = new QLabel(this);
  verdict_->setObjectName("quizVerdict");
  verdict_->setTextFormat(Qt::PlainText);
  verdict_->setWordWrap(true);
  hint_ = new QLabel(this);
  hint_->setObjectName("quizHint");
  restart_btn_ = new QPushButton(this);
  leave_btn_ = new QPushButton(this);
  for (auto* b : {restart_btn_, leave_btn_}) b->setFocusPolicy(Qt::TabFocus);
  connect(restart_btn_, &QPushButton::clicked, this, &Quiz::restart);
  connect(leave_btn_, &QPushButton::clicked, this, [this] { w_->setQuizMode(false); });
  mid->addWidget(verdict_, 1);
  mid->addWidget(hint_, 0);
  mid->addWidget(restart_btn_);
  mid->addWidget(leave_btn_);
  v->addLayout(mid);
  explain_ = new QLabel;
  explain_->setObjectName("quizExplanation");
  explain_->setWordWrap(true);
  explain_->setTextFormat(Qt::PlainText);  // scenario text: never rich text
  explain_->setAlignment(Qt::AlignLeft | Qt::AlignTop);
  explain_->setStyleSheet("QLabel{background:transparent;border:none}");
  explain_area_ = new QScrollArea(this);
  explain_area_->setObjectName("quizExplanationArea");
  explain_area_->setWidget(explain_);
  explain_area_->setWidgetResizable(true);
  explain_area_->setFrameShape(QFrame::NoFrame);
  explain_area_->setStyleSheet("QScrollArea{background:transparent;border:none}");
  explain_area_->viewport()->setAutoFillBackground(false);
  explain_area_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  v->addWidget(explain_area_, 1);
  if (auto* lay = qobject_cast<QVBoxLayout*>(w->centralWidget()->layout())) lay->addWidget(this, 0);
  hide();

  // View → Quiz (Q).
  act_ = new QAction(w);
  act_->setCheckable(true);
  act_->setShortcut(QKeySequence(Qt::Key_Q));
  connect(act_, &QAction::triggered, this, [this] { w_->setQuizMode(act_->isChecked()); });
  w->actions_["quiz"] = act_;
  if (auto* view = w->menus_["view"]) {
    QAction* after = w->actions_["hidenext"];
    const auto acts = view->actions();
    const int at = acts.indexOf(after);
    view->insertAction(at >= 0 && at + 1 < acts.size() ? acts[at + 1] : nullptr, act_);
  }

  // The keys: 1–4 (keypad too) and A–D answer, Enter / Space / Page Down
  // (a presenter's clicker) go on, R restarts from the summary, Esc leaves.
  auto key = [this](QList<QKeySequence> ks, auto fn) {
    auto* s = new QShortcut(w_);
    s->setKeys(ks);
    s->setContext(Qt::WindowShortcut);
    s->setEnabled(false);
    connect(s, &QShortcut::activated, this, fn);
    keys_.push_back(s);
  };
  for (int i = 0; i < 4; ++i)
    key({QKeySequence(Qt::Key_1 + i), QKeySequence(Qt::KeypadModifier | (Qt::Key_1 + i)), QKeySequence(Qt::Key_A + i)},
        [this, i] { answer(i); });
  key({QKeySequence(Qt::Key_Return), QKeySequence(Qt::KeypadModifier | Qt::Key_Enter), QKeySequence(Qt::Key_Enter),
       QKeySequence(Qt::Key_Space), QKeySequence(Qt::Key_PageDown)},
      [this] { onEnter(); });
  key({QKeySequence(Qt::Key_R)}, [this] {
    if (phase_ == Phase::Summary) restart();
  });
  key({QKeySequence(Qt::Key_Escape)}, [this] { w_->setQuizMode(false); });
  // ↑ / ↓ scroll a long explanation (the lesson's paragraph) line by line.
  for (int dir : {-1, 1})
    key({QKeySequence(dir < 0 ? Qt::Key_Up : Qt::Key_Down)}, [this, dir] {
      if (auto* sb = explain_area_->verticalScrollBar()) sb->setValue(sb->value() + dir * explain_->fontMetrics().lineSpacing());
    });
  applyFonts();
  retranslate();
}

// Bold when the choice fits its share of the width, regular (still 24 px)
// when not: "3·C  F.  (FIN+ACK)" holds in a quarter of 1024 px either way.
void Quiz::fitOptions() {
  for (auto* b : options_) {
    QFont f = b->font();
    f.setPixelSize(kQuizPx);
    f.setBold(true);
    const int room = b->width() - 14;
    if (room > 0 && QFontMetrics(f).horizontalAdvance(b->text()) > room) f.setBold(false);
    b->setFont(f);
    b->setToolTip(b->text());
  }
}

void Quiz::resizeEvent(QResizeEvent* e) {
  QWidget::resizeEvent(e);
  fitOptions();
  fitExplanation();
}

void Quiz::fitExplanation() {
  const int line = QFontMetrics(explain_->font()).lineSpacing();
  int need = line * 5 + 4;  // about five lines even when shorter: the panel does not jump
  const int w = std::max(100, explain_area_->width() - 4);
  if (!explain_->text().isEmpty()) need = std::max(need, explain_->heightForWidth(w) + 4);
  // The lesson's paragraph whole: the views above give up the height.
  const int cap = std::max(line * 6 + 4, window()->height() * 45 / 100);
  const int h = std::min(need, cap);
  if (explain_area_->minimumHeight() != h || explain_area_->maximumHeight() != h) {
    explain_area_->setMinimumHeight(h);
    explain_area_->setMaximumHeight(h);
  }
}

void Quiz::setShortcutsEnabled(bool on) {
  for (auto* s : keys_) s->setEnabled(on);
}

void Quiz::applyFonts() {
  // Every text of the panel is set explicitly: 24 px whatever the window's
  // mode (the panel is made for a projector), the verdict and score bold.
  QFont f = QApplication::font();
  f.setPixelSize(kQuizPx);
  setFont(f);
  for (QWidget* x : std::initializer_list<QWidget*>{question_, explain_, hint_, restart_btn_, leave_btn_}) x->setFont(f);
  QFont b = f;
  b.setBold(true);
  title_->setFont(b);
  for (auto* o : options_) o->setFont(b);
  QFont big = b;
  big.setPixelSize(kBigPx);
  score_->setFont(big);
  verdict_->setFont(big);
  // About five lines of explanation at 1024x768; more scroll.
  const int line = QFontMetrics(f).lineSpacing();
  explain_area_->setMinimumHeight(line * 5 + 4);
  explain_area_->setMaximumHeight(line * 6 + 4);
  fitExplanation();
}

QString Quiz::lessonHiddenText() {
  return tr("The lesson is hidden during the quiz, since it tells what happens next. Each answer shows the "
            "paragraph of the lesson that explains it.");
}

void Quiz::changeEvent(QEvent* e) {
  if (e->type() == QEvent::LanguageChange) retranslate();
  QWidget::changeEvent(e);
}

void Quiz::retranslate() {
  act_->setText(tr("&Quiz"));
  act_->setToolTip(tr("Guess each next state or segment before it is shown, with a score (Q)"));
  title_->setText(tr("Quiz"));
  restart_btn_->setText(tr("Restart (R)"));
  leave_btn_->setText(tr("Leave (Esc)"));
  switch (phase_) {
    case Phase::Off: break;
    case Phase::Asking: showQuestion(); break;
    case Phase::Revealed: showReveal(); break;
    case Phase::Summary: showSummary(); break;
  }
  score_->setText(scoreText());
}

QString Quiz::scoreText() const { return tr("Score %1 / %2").arg(right_).arg(asked_); }
QString Quiz::questionText() const { return question_->text(); }
QString Quiz::explanationText() const { return verdict_->text() + "\n" + explain_->text(); }
int Quiz::optionCount() const { return q_ ? static_cast<int>(q_->options.size()) : 0; }

QString Quiz::socketName(std::uint32_t sock) const {
  const render::TraceView* v = w_->view();
  return v ? QString::fromStdString(v->socket_label(sock)) : QString();
}

// "P." → "P.  (data+ACK)": the notation and its words, big enough to read.
QString Quiz::optionText(const std::string& o) const {
  if (!q_ || q_->kind == QuizQuestion::State) return QString::fromStdString(o);
  QStringList words;
  if (o.find('S') != std::string::npos) words << "SYN";
  if (o.find('F') != std::string::npos) words << "FIN";
  if (o.find('R') != std::string::npos) words << "RST";
  if (o.find('P') != std::string::npos) words << tr("data");
  if (o.find('.') != std::string::npos) words << "ACK";
  return QString::fromStdString(o) + " (" + words.join('+') + ")";
}

void Quiz::setActive(bool on) {
  if (on == active()) {
    act_->setChecked(on);
    return;
  }
  if (on && (!w_->view() || w_->bigWorkload())) {
    act_->setChecked(false);
    w_->showMessage(w_->bigWorkload() ? tr("The quiz needs the trace, which a big workload does not keep.")
                                      : tr("Open a scenario first."),
                    true);
    return;
  }
  act_->setChecked(on);
  if (on) {
    saved_hide_next_ = w_->hideNext();
    saved_browser_ = !w_->browser_dock_->isHidden();
    saved_bottom_ = !w_->bottom_dock_->isHidden();
    w_->browser_dock_->hide();
    w_->bottom_dock_->hide();
    phase_ = Phase::Asking;  // before the lesson and the views are redrawn
    w_->setHideNext(true);
    for (auto k : {"start", "prevstate", "back", "play", "forward", "nextstate", "end", "hidenext"})
      if (auto* a = w_->action(k)) a->setEnabled(false);
    // The scrubber's length is the number of events still to come: a hint.
    if (w_->scrubber_act_) w_->scrubber_act_->setVisible(false);
    // A changed action resets its tool button's text: lecture mode's symbols
    // come back from retranslate() (which also hides the lesson).
    w_->retranslate();
    show();
    setShortcutsEnabled(true);
    trace_ = w_->trace();
    start_ = w_->cursor() >= w_->view()->size() ? 0 : w_->cursor();
    right_ = asked_ = 0;
    missed_.clear();
    ask(next_quiz_question(*w_->view(), w_->endpoints(), start_));
  } else {
    phase_ = Phase::Off;
    q_.reset();
    setShortcutsEnabled(false);
    hide();
    for (auto k : {"start", "prevstate", "back", "play", "forward", "nextstate", "end", "hidenext"})
      if (auto* a = w_->action(k)) a->setEnabled(true);
    w_->browser_dock_->setVisible(saved_browser_);
    w_->bottom_dock_->setVisible(saved_bottom_);
    w_->applyLectureLayout();  // the scrubber as the mode has it
    w_->setHideNext(saved_hide_next_);
    w_->retranslate();
  }
}

void Quiz::traceChanged() {
  if (!active() || w_->trace() == trace_) return;
  if (!w_->view() || w_->bigWorkload()) {
    w_->setQuizMode(false);
    return;
  }
  trace_ = w_->trace();
  start_ = 0;
  right_ = asked_ = 0;
  missed_.clear();
  w_->refreshLesson();
  ask(next_quiz_question(*w_->view(), w_->endpoints(), start_));
}

void Quiz::checkTrace() {
  if (active() && w_->trace() != trace_)
    QMetaObject::invokeMethod(this, &Quiz::traceChanged, Qt::QueuedConnection);
}

void Quiz::ask(std::optional<QuizQuestion> q) {
  q_ = std::move(q);
  chosen_ = -1;
  if (!q_) {
    showSummary();
    return;
  }
  phase_ = Phase::Asking;
  w_->setCursor(q_->ask, false);
  w_->finishAnimations();
  showQuestion();
}

void Quiz::showQuestion() {
  if (!q_ || !w_->view()) return;
  const auto& q = *q_;
  const int n = asked_ + 1;
  const QString who = socketName(q.sock);
  const QString from = q.from ? QString(state_name(*q.from)) : tr("no state yet");
  const QString given = QString::fromStdString(q.given);
  if (q.kind == QuizQuestion::State)
    question_->setText(given.isEmpty()
                           ? tr("Question %1: %2 is in %3. Which state comes next?").arg(n).arg(who, from)
                           : tr("Question %1: %2 is in %3 and its application calls %4. Which state comes next?")
                                 .arg(n)
                                 .arg(who, from, given));
  else
    question_->setText(given.isEmpty()
                           ? tr("Question %1: %2 (in %3) sends a segment. Which flags does it carry?").arg(n).arg(who, from)
                           : tr("Question %1: %2 (in %3) calls %4 and sends a segment. Which flags does it carry?")
                                 .arg(n)
                                 .arg(who, from, given));
  for (int i = 0; i < 4; ++i) {
    auto* b = options_[i];
    const bool used = i < static_cast<int>(q.options.size());
    b->setVisible(used);
    b->setEnabled(true);
    b->setStyleSheet({});
    if (used) b->setText(QString("%1·%2 %3").arg(i + 1).arg(QChar('A' + i)).arg(optionText(q.options[i])));
  }
  fitOptions();
  verdict_->clear();
  verdict_->hide();
  explain_->clear();
  explain_area_->hide();
  restart_btn_->hide();
  leave_btn_->show();
  hint_->setText(tr("Answer with 1–4 or A–D (or a click)."));
  score_->setText(scoreText());
}

void Quiz::answer(int i) {
  if (phase_ != Phase::Asking || !q_ || i < 0 || i >= optionCount()) return;
  chosen_ = i;
  ++asked_;
  const bool ok = q_->options[i] == q_->answer;
  if (ok) ++right_;
  else
    missed_.push_back({asked_, tr("%1 → %2 (you chose %3)")
                                   .arg(socketName(q_->sock), optionText(q_->answer), optionText(q_->options[i]))});
  phase_ = Phase::Revealed;
  // Reveal: the cursor moves past the answer, so every view shows it.
  w_->setCursor(q_->reveal, true);
  showReveal();
}

void Quiz::showReveal() {
  if (!q_ || !w_->view()) return;
  const auto& q = *q_;
  const render::TraceView& v = *w_->view();
  const Event& e = v.event(q.event);
  const QString ans = QString::fromStdString(q.answer);
  for (int i = 0; i < 4; ++i) {
    auto* b = options_[i];
    if (i >= static_cast<int>(q.options.size())) continue;
    const bool right = q.options[i] == q.answer;
    const QString mark = right ? "✓ " : i == chosen_ ? "✗ " : "";
    b->setText(mark + QString("%1·%2 %3").arg(i + 1).arg(QChar('A' + i)).arg(optionText(q.options[i])));
    b->setEnabled(right || i == chosen_);
    b->setStyleSheet(right ? QString("QPushButton{background:%1;color:white;border:3px solid black}").arg(kGreen)
                     : i == chosen_ ? QString("QPushButton{background:%1;color:white;border:3px dashed black}").arg(kRed)
                                    : QString());
  }
  fitOptions();
  const bool ok = chosen_ >= 0 && q.options[chosen_] == q.answer;
  verdict_->setText(ok ? tr("✓ Right: %1").arg(optionText(q.answer))
                       : tr("✗ It is %1, not %2").arg(optionText(q.answer), optionText(q.options[chosen_])));
  verdict_->setStyleSheet(QString("QLabel{color:%1}").arg(ok ? "#00664A" : "#A33F00"));
  verdict_->show();

  QStringList lines;
  const QString who = socketName(q.sock);
  const QString at = QString::fromStdString(format_time(e.t));
  if (q.kind == QuizQuestion::State) {
    const QString from = QString(state_name(e.from));
    if (!q.row.empty())
      lines << tr("Why: the transition-table row %1 → %2 is “%3”.")
                   .arg(from, ans, QString::fromStdString(render::translate_text(q.row)));
    else
      lines << tr("Why: %1 → %2, a change the transition table has no row for.").arg(from, ans);
    if (q.cause != q.row)  // "give up: SYN retries exhausted (tcp_syn_retries)" says more than "give up"
      lines << tr("Cause in the trace (%1 s): %2").arg(at, QString::fromStdString(render::translate_text(q.cause)));
    if (q.sent >= 0)
      lines << tr("The step sent %1.").arg(QString::fromStdString(v.segment_label(v.event(q.sent))));
  } else {
    const QString st = q.from ? QString(state_name(*q.from)) : tr("no state yet");
    lines << tr("Why: %1 sends %2 and stays in %3: no row of the transition table is taken.")
                 .arg(who, QString::fromStdString(v.segment_label(e)), st);
    if (e.retrans) lines << tr("It is a retransmission: nothing acknowledged the first one in time.");
  }
  if (q.trigger >= 0) {
    const Event& t = v.event(q.trigger);
    // A delivery in the student's words: who received which segment.
    const QString what = t.kind == EventKind::Segment && t.seg_op == SegOp::Deliver
                             ? tr("%1 received %2").arg(QString::fromStdString(v.host_name(t.host)),
                                                        QString::fromStdString(v.segment_label(t)))
                             : QString::fromStdString(render::describe_event(v, t));
    lines << tr("In the trace (%1 s): %2").arg(QString::fromStdString(format_time(t.t)), what);
  }
  if (const Scenario* s = w_->scenario()) {
    QStringList keys;
    if (q.kind == QuizQuestion::State) {
      keys << ans << QString(state_rfc_name(e.to));
    } else {
      if (e.seg.flags & kRst) keys << "RST";
      if (e.seg.flags & kSyn) keys << "SYN";
      if (e.seg.flags & kFin) keys << "FIN";
      // Then the sender's state (the paragraph about TIME_WAIT explains its ACK), then any ACK.
      if (q.from && *q.from != TcpState::Established) keys << state_name(*q.from) << state_rfc_name(*q.from);
      keys << "ACK";
    }
    const QString para = quiz_lesson_paragraph(s->lesson.get(w_->language().toStdString()), keys);
    if (!para.isEmpty()) lines << tr("From the lesson: %1").arg(para);
  }
  explain_->setText(lines.join('\n'));
  explain_area_->show();
  fitExplanation();
  restart_btn_->hide();
  hint_->setText(tr("Enter / Space: next"));
  score_->setText(scoreText());
}

void Quiz::showSummary() {
  if (phase_ != Phase::Summary && w_->view()) w_->setCursor(w_->view()->size(), false);  // the rest of the run
  phase_ = Phase::Summary;
  q_.reset();
  for (auto* b : options_) b->hide();
  if (asked_ == 0) {
    question_->setText(tr("No question: nothing changes state after this point."));
  } else {
    const int pct = static_cast<int>(100.0 * right_ / asked_ + 0.5);
    question_->setText(tr("Quiz over: %1 / %2 right (%3 %).").arg(right_).arg(asked_).arg(pct));
  }
  verdict_->hide();
  QStringList lines;
  if (asked_ > 0 && missed_.empty()) lines << tr("Every answer was right.");
  for (const auto& m : missed_) lines << tr("Missed question %1: %2").arg(m.number).arg(m.what);
  explain_->setText(lines.join('\n'));
  explain_area_->setVisible(!lines.isEmpty());
  fitExplanation();
  restart_btn_->show();
  leave_btn_->show();
  hint_->setText(tr("R: restart · Esc: leave the quiz"));
  score_->setText(scoreText());
}

void Quiz::restart() {
  if (!active() || !w_->view()) return;
  if (asked_ == 0) start_ = 0;  // nothing was left to ask from where it began
  right_ = asked_ = 0;
  missed_.clear();
  ask(next_quiz_question(*w_->view(), w_->endpoints(), start_));
}

void Quiz::goOn() {
  if (phase_ != Phase::Revealed || !q_ || !w_->view()) return;
  ask(next_quiz_question(*w_->view(), w_->endpoints(), q_->reveal));
}

void Quiz::onEnter() {
  QWidget* f = QApplication::focusWidget();
  if (phase_ == Phase::Asking) {
    for (int i = 0; i < optionCount(); ++i)
      if (f == options_[i]) answer(i);
  } else if (phase_ == Phase::Revealed) {
    goOn();
  } else if (phase_ == Phase::Summary) {
    if (f == leave_btn_) w_->setQuizMode(false);
    else if (f == restart_btn_) restart();
  }
}

}  // namespace tcpsim::gui
