#include "compare_view.hpp"

#include <QButtonGroup>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QRegularExpression>
#include <QResizeEvent>
#include <QScrollArea>
#include <QScrollBar>
#include <QSplitter>
#include <QTabWidget>
#include <QTimer>
#include <QToolButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>

#include "state_diagram.hpp"

namespace tcpsim::render {

namespace {

QString axis_time(Time t) {
  if (t < sec(1)) return QString::number(t / 1000.0, 'f', 3) + " ms";
  return QString::number(t / 1e6, 'f', 3) + " s";
}

std::atomic<std::size_t> g_big_events{40000};

// A big run's ladders show this many events of the right run on each side
// of the cursor (a layout of ~3000 events takes a few hundred ms).
constexpr std::size_t kWindowSpan = 1500;

const char* kFocusStyle = "QLabel{border-bottom:3px solid #0072B2;padding-bottom:1px}";
const char* kPlainStyle = "QLabel{border-bottom:3px solid transparent;padding-bottom:1px}";

}  // namespace

void CompareView::setBigEvents(std::size_t n) { g_big_events = n; }
std::size_t CompareView::bigEvents() { return g_big_events; }

DifferenceRow split_difference(const QString& line) {
  DifferenceRow r;
  const int bar = line.indexOf(" | ");
  if (bar < 0) {
    r.what = line;
    return r;
  }
  const QString head = line.left(bar);
  r.right = line.mid(bar + 3);
  // "subject: [what] left": describe_differences' separator is ": " in
  // English and "：" in Chinese (core/src/lab/compare.cpp).
  int sep = head.indexOf(": ");
  int seplen = 2;
  const int zsep = head.indexOf(QChar(0xFF1A));
  if (zsep >= 0 && (sep < 0 || zsep < sep)) {
    sep = zsep;
    seplen = 1;
  }
  const QString subject = sep >= 0 ? head.left(sep) : QString();
  QString rest = sep >= 0 ? head.mid(sep + seplen) : head;
  // The words that say what is compared (the same for both sides).
  static const QRegularExpression kWhat(
      QStringLiteral("^(states|segments sent|signals|time in \\S+|状态|发送的报文段|信号|在 \\S+ 停留) (.*)$"));
  const auto m = kWhat.match(rest);
  QString what;
  if (m.hasMatch()) {
    what = m.captured(1);
    rest = m.captured(2);
  }
  const QString s = sep >= 0 ? head.mid(sep, seplen) : QString(": ");
  r.what = subject.isEmpty() ? what : what.isEmpty() ? subject : subject + s + what;
  r.left = rest;
  return r;
}

ComparePane::ComparePane(QWidget* parent) : QWidget(parent) {
  auto* l = new QVBoxLayout(this);
  l->setContentsMargins(0, 0, 0, 0);
  l->setSpacing(0);
  // The labels are placed by CompareView, in one grid for both sides, so
  // the two ladders start at the same height.
  title_ = new QLabel(this);
  title_->setObjectName("compareTitle");
  title_->setTextFormat(Qt::PlainText);  // a branch's name is the user's text
  title_->setWordWrap(true);
  QFont bf;  // only the weight: the size follows the window (lecture mode)
  bf.setBold(true);
  title_->setFont(bf);
  diff_ = new QLabel(this);
  diff_->setObjectName("compareDifference");
  diff_->setTextFormat(Qt::PlainText);
  diff_->setWordWrap(true);
  ladder_ = new LadderWidget(this);
  l->addWidget(ladder_, 1);
  // The run's two diagrams: placed by CompareView in its diagrams tab.
  group_ = new QWidget(this);
  group_->setObjectName("compareDiagrams");
  auto* gl = new QVBoxLayout(group_);
  gl->setContentsMargins(0, 0, 0, 0);
  gl->setSpacing(2);
  group_title_ = new QLabel(group_);
  group_title_->setTextFormat(Qt::PlainText);
  group_title_->setFont(bf);
  gl->addWidget(group_title_);
  auto* row = new QHBoxLayout;
  row->setContentsMargins(0, 0, 0, 0);
  row->setSpacing(2);
  for (auto*& d : diagrams_) {
    d = new StateDiagramWidget(group_);
    d->setMinimumSize(160, 150);
    row->addWidget(d, 1);
  }
  gl->addLayout(row, 1);
}

std::vector<std::uint32_t> connection_endpoints(const TraceView* v, int index) {
  if (!v || v->connections().empty()) return {0, 0};
  const auto& c = v->connections()[std::clamp<int>(index, 0, static_cast<int>(v->connections().size()) - 1)];
  auto host = [&](std::uint32_t s) {
    auto* si = v->trace().meta.socket(s);
    return si ? si->host : 0;
  };
  if (c.b && host(c.b) < host(c.a)) return {c.b, c.a};
  return {c.a, c.b};
}

std::vector<std::uint32_t> ComparePane::endpoints(int index) const { return connection_endpoints(view_.get(), index); }

CompareView::CompareView(QWidget* parent) : QWidget(parent) {
  setObjectName("labCompare");
  auto* l = new QVBoxLayout(this);
  l->setContentsMargins(0, 0, 0, 0);
  l->setSpacing(4);
  vsplit_ = new QSplitter(Qt::Vertical, this);
  vsplit_->setObjectName("compareSplit");
  auto* top = new QWidget(vsplit_);
  auto* grid = new QGridLayout(top);
  grid->setContentsMargins(0, 0, 0, 0);
  grid->setHorizontalSpacing(6);
  grid->setVerticalSpacing(3);
  for (int i = 0; i < 2; ++i) {
    // Two equal columns: the same width, the same scale for both runs.
    panes_[i] = new ComparePane(top);
    grid->addWidget(panes_[i]->title_, 0, i);
    grid->addWidget(panes_[i]->diff_, 1, i);
    grid->addWidget(panes_[i], 2, i);
    grid->setColumnStretch(i, 1);
    connect(panes_[i]->ladder(), &LadderWidget::arrowClicked, this, [this, i](int a) { Q_EMIT arrowClicked(i, a); });
    // One time axis: every relayout of either ladder re-aligns both (queued,
    // so a resize that relays out both aligns once).
    connect(panes_[i]->ladder(), &LadderWidget::laidOut, this, [this] {
      if (!aligning_) align_timer_->start();
    });
  }
  window_note_ = new QLabel(top);
  window_note_->setObjectName("compareWindowNote");
  window_note_->setWordWrap(true);
  window_note_->hide();
  grid->addWidget(window_note_, 3, 0, 1, 2);
  grid->setRowStretch(2, 1);
  // The ladders scroll together (one axis, one cursor).
  for (int i = 0; i < 2; ++i) {
    QScrollBar* from = panes_[i]->ladder()->scrollArea()->verticalScrollBar();
    QScrollBar* to = panes_[1 - i]->ladder()->scrollArea()->verticalScrollBar();
    connect(from, &QScrollBar::valueChanged, to, [to](int v) {
      if (to->value() != v) to->setValue(v);
    });
  }

  tabs_ = new QTabWidget(vsplit_);
  tabs_->setObjectName("compareTabs");
  tabs_->setDocumentMode(true);
  // The diagrams: the focused run's two, or all four.
  diagram_tab_ = new QWidget;
  auto* dl = new QVBoxLayout(diagram_tab_);
  dl->setContentsMargins(0, 2, 0, 0);
  dl->setSpacing(2);
  auto* modes = new QHBoxLayout;
  modes->setContentsMargins(4, 0, 4, 0);
  mode_label_ = new QLabel(diagram_tab_);
  modes->addWidget(mode_label_);
  mode_group_ = new QButtonGroup(this);
  for (int m = 0; m < 3; ++m) {
    auto* b = new QToolButton(diagram_tab_);
    b->setCheckable(true);
    b->setAutoRaise(true);
    b->setObjectName(QStringList{"compareShowLeft", "compareShowRight", "compareShowBoth"}[m]);
    mode_group_->addButton(b, m);
    mode_buttons_[m] = b;
    modes->addWidget(b);
  }
  modes->addStretch(1);
  connect(mode_group_, &QButtonGroup::idClicked, this, [this](int id) {
    user_mode_ = true;
    setDiagrams(static_cast<Diagrams>(id));
    if (id < 2) setFocusedSide(id);
  });
  dl->addLayout(modes);
  auto* groups = new QHBoxLayout;
  groups->setContentsMargins(0, 0, 0, 0);
  groups->setSpacing(8);
  for (auto* p : panes_) groups->addWidget(p->group_, 1);
  dl->addLayout(groups, 1);
  tabs_->addTab(diagram_tab_, QString());
  // The differences, one column per run.
  auto* dt = new QWidget;
  auto* tl = new QVBoxLayout(dt);
  tl->setContentsMargins(0, 2, 0, 0);
  tl->setSpacing(2);
  table_note_ = new QLabel(dt);
  table_note_->setWordWrap(true);
  table_ = new QTableWidget(dt);
  table_->setObjectName("compareDifferences");
  table_->setColumnCount(3);
  table_->verticalHeader()->hide();
  table_->setWordWrap(true);
  table_->setAlternatingRowColors(true);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setTextElideMode(Qt::ElideNone);
  table_->setShowGrid(false);
  table_->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
  for (int c = 0; c < 3; ++c) table_->horizontalHeader()->setSectionResizeMode(c, QHeaderView::Stretch);
  // Long values (a socket's states) wrap: the rows' heights follow the
  // columns' widths.
  connect(table_->horizontalHeader(), &QHeaderView::sectionResized, table_,
          [this] { QTimer::singleShot(0, table_, [this] { table_->resizeRowsToContents(); }); });
  tl->addWidget(table_note_);
  tl->addWidget(table_, 1);
  tabs_->addTab(dt, QString());

  vsplit_->addWidget(top);
  vsplit_->addWidget(tabs_);
  vsplit_->setChildrenCollapsible(false);
  connect(vsplit_, &QSplitter::splitterMoved, this, [this] { user_split_ = true; });
  l->addWidget(vsplit_, 1);

  // A click on a side (its ladder, header, diagrams) focuses that run.
  for (int i = 0; i < 2; ++i) {
    ComparePane* p = panes_[i];
    for (QObject* o : {static_cast<QObject*>(p->ladder()->scrollArea()->widget()),
                       static_cast<QObject*>(p->ladder()->scrollArea()->viewport()),
                       static_cast<QObject*>(p->ladder()->header()), static_cast<QObject*>(p->title_),
                       static_cast<QObject*>(p->diff_), static_cast<QObject*>(p->diagrams_[0]),
                       static_cast<QObject*>(p->diagrams_[1]), static_cast<QObject*>(p->group_title_)})
      o->installEventFilter(this);
  }

  align_timer_ = new QTimer(this);
  align_timer_->setSingleShot(true);
  align_timer_->setInterval(0);
  connect(align_timer_, &QTimer::timeout, this, [this] { alignNow(true); });
  setFocusedSide(1);
  retranslate();
}

bool CompareView::eventFilter(QObject* o, QEvent* e) {
  if (e->type() == QEvent::MouseButtonPress || e->type() == QEvent::ContextMenu) {
    for (int i = 0; i < 2; ++i) {
      ComparePane* p = panes_[i];
      auto* w = qobject_cast<QWidget*>(o);
      if (w && (w == p || p->isAncestorOf(w) || w == p->title_ || w == p->diff_ || p->group_->isAncestorOf(w)))
        setFocusedSide(i);
    }
  }
  return QWidget::eventFilter(o, e);
}

void CompareView::setFocusedSide(int side) {
  side = side == 0 ? 0 : 1;
  const bool changed = side != focused_;
  focused_ = side;
  for (int i = 0; i < 2; ++i) {
    panes_[i]->title_->setStyleSheet(i == focused_ ? kFocusStyle : kPlainStyle);
    panes_[i]->group_title_->setStyleSheet(i == focused_ ? kFocusStyle : kPlainStyle);
  }
  if (diagrams_mode_ != Diagrams::Both) setDiagrams(side == 0 ? Diagrams::Left : Diagrams::Right);
  if (changed) Q_EMIT focusedSideChanged(side);
}

void CompareView::setDiagrams(Diagrams d) {
  diagrams_mode_ = d;
  updateDiagramsShown();
}

void CompareView::updateDiagramsShown() {
  panes_[0]->group_->setVisible(diagrams_mode_ != Diagrams::Right);
  panes_[1]->group_->setVisible(diagrams_mode_ != Diagrams::Left);
  // One run: the checked button above says which; both: each says its own.
  for (auto* p : panes_) p->group_title_->setVisible(diagrams_mode_ == Diagrams::Both);
  if (QAbstractButton* b = mode_buttons_[static_cast<int>(diagrams_mode_)]) b->setChecked(true);
}

void CompareView::resizeEvent(QResizeEvent* e) {
  QWidget::resizeEvent(e);
  // Defaults chosen by the size, until the user moves the divider or picks
  // the diagrams: a wide window shows all four diagrams, a narrow one the
  // focused run's two, each about as wide as a ladder; the ladders keep a
  // little more than half of the height.
  if (!user_mode_) {
    const Diagrams want = width() >= 1500 ? Diagrams::Both : (focused_ == 0 ? Diagrams::Left : Diagrams::Right);
    if (want != diagrams_mode_) setDiagrams(want);
  }
  if (!user_split_) {
    const int h = vsplit_->height();
    const int bottom = std::clamp(static_cast<int>(h * (h >= 800 ? 0.42 : 0.46)), std::min(200, h / 2), 560);
    vsplit_->setSizes({h - bottom, bottom});
  }
}

void CompareView::setRuns(const Side& left, const Side& right, bool identical, std::size_t first_index,
                          const std::vector<std::string>& differences) {
  names_[0] = left.name;
  names_[1] = right.name;
  identical_ = identical;
  first_ = first_index;
  diff_lines_ = differences;
  const Side* s[2] = {&left, &right};
  aligning_ = true;
  for (int i = 0; i < 2; ++i) {
    ComparePane* p = panes_[i];
    p->view_ = s[i]->view && s[i]->trace && &s[i]->view->trace() == s[i]->trace.get()
                   ? s[i]->view
                   : (s[i]->trace ? std::make_shared<TraceView>(s[i]->trace) : nullptr);
    p->shown_.reset();
    p->shown_cursor_ = static_cast<std::size_t>(-1);
    // One layout per run: the old alignment goes with the old view.
    p->ladder_->setView(nullptr);
    p->ladder_->setTimeAlignment(nullptr);
    p->cursor_ = 0;
  }
  // A big run is laid out around the first difference (then the cursor).
  win_from_ = 0;
  win_to_ = kNever;
  windowed_ = false;
  placeWindow(identical ? 0 : first_index);
  diff_shown_ = firstDifferenceShown();
  for (int i = 0; i < 2; ++i) {
    ComparePane* p = panes_[i];
    p->ladder_->setView(p->view_);
    p->ladder_->setMarker(identical || !p->view_ || !diff_shown_ ? -1 : static_cast<std::ptrdiff_t>(first_index));
  }
  aligning_ = false;
  updateDifferences();
  updateLabels();
  alignNow(false);
  refreshPanes();
}

void CompareView::placeWindow(std::size_t right_cursor) {
  const TraceView* a = panes_[0]->view();
  const TraceView* b = panes_[1]->view();
  const bool big = a && b && std::max(a->size(), b->size()) > bigEvents();
  Time from = 0, to = kNever;
  if (big && b->size() > 0) {
    const std::size_t c = std::min(right_cursor, b->size() - 1);
    const std::size_t lo = c > kWindowSpan ? c - kWindowSpan : 0;
    const std::size_t hi = std::min(b->size() - 1, c + kWindowSpan);
    from = lo == 0 ? 0 : b->event(lo).t;
    to = hi + 1 >= b->size() ? kNever : b->event(hi).t;
  }
  windowed_ = big;
  if (from == win_from_ && to == win_to_) return;
  win_from_ = from;
  win_to_ = to;
  for (auto* p : panes_) p->ladder_->setTimeWindow(from, to);
  window_note_->setVisible(windowed_);
  updateLabels();
}

bool CompareView::firstDifferenceShown() const { return !hide_next_ || identical_ || right_cursor_ > first_; }

void CompareView::updateDifferences() {
  const bool shown = firstDifferenceShown();
  table_->clearSpans();
  table_->setRowCount(0);
  table_->setHorizontalHeaderLabels({tr("What"), tr("◀ %1").arg(names_[0]), tr("%1 ▶").arg(names_[1])});
  if (shown) {
    table_->setRowCount(static_cast<int>(diff_lines_.size()));
    for (int i = 0; i < static_cast<int>(diff_lines_.size()); ++i) {
      const QString line = QString::fromStdString(diff_lines_[static_cast<std::size_t>(i)]);
      const DifferenceRow r = split_difference(line);
      const QString cells[3] = {r.what, r.left, r.right};
      for (int c = 0; c < 3; ++c) {
        auto* it = new QTableWidgetItem(cells[c]);
        it->setToolTip(line);
        table_->setItem(i, c, it);
      }
      // A line that is not "left | right" spans the row.
      if (r.left.isEmpty() && r.right.isEmpty()) table_->setSpan(i, 0, 1, 3);
    }
    table_->resizeRowsToContents();
  }
  table_->setVisible(shown);
  table_note_->setText(!shown ? tr("Hidden until the cursor passes the first difference (hide what comes next is on).")
                       : identical_ ? tr("No difference: the two runs are the same, event for event.")
                                    : tr("What differs over the whole runs, left | right:"));
  tabs_->setTabText(1, shown && !identical_ ? tr("Differences (%1)").arg(diff_lines_.size()) : tr("Differences"));
}

void CompareView::updateLabels() {
  const bool shown = firstDifferenceShown();
  for (int i = 0; i < 2; ++i) {
    ComparePane* p = panes_[i];
    p->title_->setText(i == 0 ? tr("◀ %1").arg(names_[0]) : tr("%1 ▶").arg(names_[1]));
    p->title_->setToolTip(tr("%1 — click a side to work on it: its diagrams are shown, the Lab's keys act on it")
                              .arg(names_[i]));
    p->group_title_->setText(i == 0 ? tr("◀ %1").arg(names_[0]) : tr("%1 ▶").arg(names_[1]));
    const TraceView* v = p->view();
    QString text;
    if (!v) {
      text.clear();
    } else if (identical_) {
      text = tr("No difference: the two runs are the same, event for event.");
    } else if (!shown) {
      text = tr("◆ first difference: not reached yet (hide what comes next is on)");
    } else if (first_ < v->size()) {
      const Event& e = v->event(first_);
      text = tr("◆ first difference: event %1 at %2 — %3")
                 .arg(first_)
                 .arg(axis_time(e.t))
                 .arg(QString::fromStdString(describe_event(*v, e)));
    } else {
      text = tr("◆ first difference: event %1 — this run has ended (it has %2 events)").arg(first_).arg(v->size());
    }
    p->diff_->setText(text);
    const bool mark = !identical_ && v && shown;
    p->diff_->setStyleSheet(mark ? "QLabel{background:#FBE3D2;color:#000;border:2px solid #D55E00;padding:3px}"
                                 : "QLabel{padding:3px}");
  }
  if (windowed_) {
    const TraceView* b = panes_[1]->view();
    window_note_->setText(
        tr("A big run (%1 | %2 events): the timelines show %3 to %4 around the cursor, and follow it.")
            .arg(panes_[0]->view() ? panes_[0]->view()->size() : 0)
            .arg(b ? b->size() : 0)
            .arg(axis_time(win_from_))
            .arg(win_to_ == kNever ? tr("the end") : axis_time(win_to_)));
  }
  mode_label_->setText(tr("State diagrams of:"));
  mode_buttons_[0]->setText(tr("◀ %1").arg(names_[0]));
  mode_buttons_[1]->setText(tr("%1 ▶").arg(names_[1]));
  mode_buttons_[2]->setText(tr("Both runs"));
  for (int m = 0; m < 3; ++m) mode_buttons_[m]->setToolTip(mode_buttons_[m]->text());
  tabs_->setTabText(0, tr("State diagrams"));
}

void CompareView::retranslate() {
  updateLabels();
  updateDifferences();
  refreshPanes();
}

void CompareView::changeEvent(QEvent* e) {
  if (e->type() == QEvent::LanguageChange) retranslate();
  QWidget::changeEvent(e);
}

std::size_t CompareView::leftCursorFor(std::size_t right_cursor, Time now) const {
  const TraceView* a = panes_[0]->view();
  if (!a) return 0;
  // The same events up to the first difference; after it, by time.
  if (identical_ || right_cursor <= first_) return std::min(right_cursor, a->size());
  return std::max(std::min(first_, a->size()), a->cursor_for_time(now));
}

void CompareView::setCursor(std::size_t right_cursor, Time now, int connection) {
  right_cursor_ = right_cursor;
  now_ = now;
  connection_ = connection;
  refreshPanes();
}

void CompareView::setHideNext(bool on) {
  if (on == hide_next_) return;
  hide_next_ = on;
  for (auto* p : panes_) p->shown_cursor_ = static_cast<std::size_t>(-1);
  refreshPanes();
}

void CompareView::refreshPanes() {
  // A big run's window follows the cursor.
  if (windowed_ && panes_[1]->view()) {
    const TraceView* b = panes_[1]->view();
    const Time t = b->time_at(std::min(right_cursor_, b->size()));
    if (t < win_from_ || (win_to_ != kNever && t > win_to_)) {
      aligning_ = true;
      placeWindow(right_cursor_);
      aligning_ = false;
      alignNow(false);
    }
  }
  // The first difference and the differences reveal what comes next: with
  // hide-next they wait until the cursor has passed it.
  const bool shown = firstDifferenceShown();
  if (shown != diff_shown_) {
    diff_shown_ = shown;
    for (auto* p : panes_)
      p->ladder_->setMarker(identical_ || !p->view_ || !shown ? -1 : static_cast<std::ptrdiff_t>(first_));
    updateLabels();
    updateDifferences();
  }
  bool relaid = false;
  for (int i = 0; i < 2; ++i) {
    ComparePane* p = panes_[i];
    const TraceView* v = p->view();
    if (!v) {
      p->ladder_->setView(nullptr);
      for (auto* d : p->diagrams_) d->setState(DiagramState{});
      continue;
    }
    const std::size_t c = i == 1 ? std::min(right_cursor_, v->size()) : leftCursorFor(right_cursor_, now_);
    p->cursor_ = c;
    // Hide what comes next: this side's events before its cursor only.
    if (hide_next_ && c < v->size()) {
      if (p->shown_cursor_ != c) {
        auto t = std::make_shared<Trace>();
        t->meta = v->trace().meta;
        const auto& ev = v->trace().events;
        t->events.assign(ev.begin(), ev.begin() + static_cast<std::ptrdiff_t>(c));
        p->shown_ = std::make_shared<TraceView>(std::move(t));
        p->shown_cursor_ = c;
        aligning_ = true;
        p->ladder_->setView(p->shown_);
        aligning_ = false;
        relaid = true;
      }
    } else if (p->shown_) {
      p->shown_.reset();
      p->shown_cursor_ = static_cast<std::size_t>(-1);
      aligning_ = true;
      p->ladder_->setView(p->view_);
      aligning_ = false;
      relaid = true;
    }
    const TraceView& sv = *p->shownView();
    // The display time is the window's; a side whose cursor is behind it
    // (its next event is earlier) shows its own time at the cursor.
    Time now = now_;
    if (c < v->size()) now = std::min(now, v->event(c).t);
    now = std::max(now, v->time_at(c));
    const auto eps = p->endpoints(connection_);
    for (int k = 0; k < 2; ++k) {
      if (eps[k]) p->diagrams_[k]->setState(diagram_state(sv, eps[k], c, now));
      else p->diagrams_[k]->setState(DiagramState{});
    }
    p->ladder_->setCursor(c, now);
  }
  if (relaid) alignNow(false);
  // The first difference stays in view with the cursor when both fit: the
  // ladders scroll together, so the right one decides.
  LadderWidget* l = panes_[1]->ladder();
  const TraceView* v = panes_[1]->view();
  if (v && l->layout() && l->marker() >= 0) {
    QScrollBar* sb = l->scrollArea()->verticalScrollBar();
    const int vh = l->scrollArea()->viewport()->height();
    const double top = l->markerRect().top() - 8;
    const double cur = l->layout()->cursor_y(panes_[1]->cursor_, now_) - l->layout()->header_height() + 16;
    if (cur >= top && cur - top <= vh) {
      if (top < sb->value()) sb->setValue(static_cast<int>(top));
      else if (cur > sb->value() + vh) sb->setValue(static_cast<int>(cur) - vh);
    }
  }
}

void CompareView::setTheme(const Theme& t) {
  // Every relayout of a big run costs: only a real change lays out again.
  if (themed_ && t.presentation == theme_.presentation && t.scale == theme_.scale && t.lang == theme_.lang) return;
  themed_ = true;
  theme_ = t;
  aligning_ = true;
  for (auto* p : panes_) {
    p->ladder_->setTheme(t);
    for (auto* d : p->diagrams_) d->setTheme(t);
  }
  aligning_ = false;
  alignNow();
}

void CompareView::setTimeScale(TimeScale s) {
  if (panes_[0]->ladder()->timeScale() == s && panes_[1]->ladder()->timeScale() == s) return;
  aligning_ = true;
  for (auto* p : panes_) p->ladder_->setTimeScale(s);
  aligning_ = false;
  alignNow();
}

void CompareView::setCallsAndTimers(bool on) {
  if (panes_[0]->ladder()->callsAndTimers() == on && panes_[1]->ladder()->callsAndTimers() == on) return;
  aligning_ = true;
  for (auto* p : panes_) p->ladder_->setCallsAndTimers(on);
  aligning_ = false;
  alignNow();
}

// One time axis for two layouts: lay both out on their own, then again with
// every instant no higher than where either run has it, until the instants
// the runs share are level (each pass only moves instants down, so it
// settles; a few passes suffice).
void CompareView::alignNow() { alignNow(true); }

void CompareView::alignNow(bool afresh) {
  align_timer_->stop();
  LadderWidget* a = panes_[0]->ladder();
  LadderWidget* b = panes_[1]->ladder();
  if (!a->layout() || !b->layout() || !panes_[0]->view() || !panes_[1]->view()) return;
  const std::size_t events = panes_[0]->view()->size() + panes_[1]->view()->size();
  // A windowed big run costs a few hundred ms a layout, whatever the window.
  const bool big = events > 40000 || windowed_;
  aligning_ = true;
  // Afresh (the width changed): from each run's own axis, so no stale push
  // leaves gaps; a big run keeps its current layouts (a layout costs).
  if (afresh && !big) {
    a->setTimeAlignment(nullptr);
    b->setTimeAlignment(nullptr);
  }
  constexpr double kStep = 2;  // the least distance between two instants of the union
  // Each pass lays both runs out again: a few for a big run (each pass
  // brings the axes closer; a big run may keep a few px of difference).
  const int max_passes = big ? 1 : 8;
  align_passes_ = 0;
  for (int pass = 0; pass < max_passes; ++pass) {
    ++align_passes_;
    // Every instant of either run, in time order, each no higher than the
    // other run has it and below the one before: a single, monotone axis
    // (after the runs part, an instant of one run sits between the other
    // run's instants before and after it in time).
    std::map<Time, std::pair<double, double>> tops;  // t -> (left top, right top), -1: none
    for (const auto& [t, y] : a->layout()->instant_tops()) tops[t] = {y, -1};
    for (const auto& [t, y] : b->layout()->instant_tops()) {
      auto it = tops.find(t);
      if (it == tops.end()) tops[t] = {-1, y};
      else it->second.second = y;
    }
    auto map = std::make_shared<std::map<Time, double>>();
    bool level = true;
    double prev = -1e9;
    for (const auto& [t, ys] : tops) {
      const double want = std::max({ys.first, ys.second, prev + kStep});
      for (double y : {ys.first, ys.second})
        if (y >= 0 && std::abs(y - want) > 0.5) level = false;
      (*map)[t] = want;
      prev = want;
    }
    if (level) break;
    a->setTimeAlignment(map);
    b->setTimeAlignment(map);
    if (!a->layout() || !b->layout()) break;
  }
  aligning_ = false;
  // Level scroll positions after the heights changed.
  const int v = b->scrollArea()->verticalScrollBar()->value();
  a->scrollArea()->verticalScrollBar()->setValue(v);
  a->ensureCursorVisible();
  b->ensureCursorVisible();
}

}  // namespace tcpsim::render
