#include "compare_view.hpp"

#include <QEvent>
#include <QResizeEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QScrollArea>
#include <QScrollBar>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <map>

#include "state_diagram.hpp"

namespace tcpsim::render {

namespace {
QString axis_time(Time t) {
  if (t < sec(1)) return QString::number(t / 1000.0, 'f', 3) + " ms";
  return QString::number(t / 1e6, 'f', 3) + " s";
}
}  // namespace

ComparePane::ComparePane(QWidget* parent) : QWidget(parent) {
  auto* l = new QVBoxLayout(this);
  l->setContentsMargins(0, 0, 0, 0);
  l->setSpacing(3);
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
  split_ = new QSplitter(Qt::Vertical, this);
  ladder_ = new LadderWidget(split_);
  auto* row = new QWidget(split_);
  auto* rl = new QHBoxLayout(row);
  rl->setContentsMargins(0, 0, 0, 0);
  rl->setSpacing(2);
  for (auto*& d : diagrams_) {
    d = new StateDiagramWidget(row);
    d->setMinimumSize(120, 130);
    rl->addWidget(d, 1);
  }
  split_->addWidget(ladder_);
  split_->addWidget(row);
  split_->setStretchFactor(0, 3);
  split_->setStretchFactor(1, 2);
  split_->setChildrenCollapsible(false);
  l->addWidget(split_, 1);
  connect(split_, &QSplitter::splitterMoved, this, [this] { user_split_ = true; });
}

void ComparePane::resizeEvent(QResizeEvent* e) {
  QWidget::resizeEvent(e);
  // The timeline is what is compared: it gets most of the height, the two
  // diagrams a row under it (at least 130 px, 40 % at most).
  if (user_split_) return;
  const int h = split_->height();
  const int d = std::clamp(h * 2 / 5, std::min(130, h / 2), 420);
  split_->setSizes({h - d, d});
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
  grid->setRowStretch(2, 1);
  // The ladders scroll together (one axis, one cursor).
  for (int i = 0; i < 2; ++i) {
    QScrollBar* from = panes_[i]->ladder()->scrollArea()->verticalScrollBar();
    QScrollBar* to = panes_[1 - i]->ladder()->scrollArea()->verticalScrollBar();
    connect(from, &QScrollBar::valueChanged, to, [to](int v) {
      if (to->value() != v) to->setValue(v);
    });
  }
  auto* bottom = new QWidget(vsplit_);
  auto* bl = new QVBoxLayout(bottom);
  bl->setContentsMargins(0, 0, 0, 0);
  bl->setSpacing(2);
  list_title_ = new QLabel(bottom);
  QFont bf;
  bf.setBold(true);
  list_title_->setFont(bf);
  list_ = new QListWidget(bottom);
  list_->setObjectName("compareDifferences");
  list_->setWordWrap(true);
  list_->setAlternatingRowColors(true);
  bl->addWidget(list_title_);
  bl->addWidget(list_, 1);
  vsplit_->addWidget(top);
  vsplit_->addWidget(bottom);
  vsplit_->setStretchFactor(0, 5);
  vsplit_->setStretchFactor(1, 1);
  vsplit_->setChildrenCollapsible(false);
  l->addWidget(vsplit_, 1);
  align_timer_ = new QTimer(this);
  align_timer_->setSingleShot(true);
  align_timer_->setInterval(0);
  connect(align_timer_, &QTimer::timeout, this, [this] { alignNow(true); });
  retranslate();
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
    p->view_ = s[i]->trace ? std::make_shared<TraceView>(s[i]->trace) : nullptr;
    // One layout per run: the old alignment goes with the old view.
    p->ladder_->setView(nullptr);
    p->ladder_->setTimeAlignment(nullptr);
    p->ladder_->setView(p->view_);
    p->ladder_->setMarker(identical || !p->view_ ? -1 : static_cast<std::ptrdiff_t>(first_index));
    p->cursor_ = 0;
  }
  aligning_ = false;
  list_->clear();
  for (const auto& d : differences) list_->addItem(QString::fromStdString(d));
  updateLabels();
  alignNow(false);
  refreshPanes();
}

void CompareView::updateLabels() {
  for (int i = 0; i < 2; ++i) {
    ComparePane* p = panes_[i];
    p->title_->setText(i == 0 ? tr("◀ %1").arg(names_[0]) : tr("%1 ▶").arg(names_[1]));
    p->title_->setToolTip(names_[i]);
    const TraceView* v = p->view();
    QString text;
    if (!v) {
      text.clear();
    } else if (identical_) {
      text = tr("No difference: the two runs are the same, event for event.");
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
    const bool mark = !identical_ && v;
    p->diff_->setStyleSheet(mark ? "QLabel{background:#FBE3D2;color:#000;border:2px solid #D55E00;padding:3px}"
                                 : "QLabel{padding:3px}");
  }
  list_title_->setText(identical_ ? tr("Differences: none") : tr("Differences (left | right):"));
}

void CompareView::retranslate() {
  updateLabels();
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

void CompareView::refreshPanes() {
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
    // The display time is the window's; a side whose cursor is behind it
    // (its next event is earlier) shows its own time at the cursor.
    Time now = now_;
    if (c < v->size()) now = std::min(now, v->event(c).t);
    now = std::max(now, v->time_at(c));
    const auto eps = p->endpoints(connection_);
    for (int k = 0; k < 2; ++k) {
      if (eps[k]) p->diagrams_[k]->setState(diagram_state(*v, eps[k], c, now));
      else p->diagrams_[k]->setState(DiagramState{});
    }
    p->ladder_->setCursor(c, now);
  }
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
  const bool big = events > 40000;
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
  }
  aligning_ = false;
  // Level scroll positions after the heights changed.
  const int v = b->scrollArea()->verticalScrollBar()->value();
  a->scrollArea()->verticalScrollBar()->setValue(v);
  a->ensureCursorVisible();
  b->ensureCursorVisible();
}

}  // namespace tcpsim::render
