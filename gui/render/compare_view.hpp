// tcpsim — the lab's comparison (issue #13): two runs of a scenario side by
// side, the one branched from (left) and the branch (right), on ONE time
// axis: the two packet timelines have the same scale, every instant the two
// runs share is at the same height (LadderOptions::align), and they scroll
// together. The first event where the runs differ is marked in both ladders
// (a vermillion band with a bar at each edge) and named above them ("first
// difference: event 23 at 112.000 ms").
//
// Under the ladders (a splitter whose default share follows the window's
// size) a tab holds the state diagrams — both endpoints of the focused run,
// large (each zooms on its current state in a narrow pane, state_diagram.hpp),
// or both endpoints of both runs side by side on a wide window — and a tab
// holds the differences, as describe_differences() words them, in a table
// with one column per run. A click on a side focuses that run: its diagrams
// are shown, and the lab's keyboard actions act on it.
//
// A huge run (more than bigEvents() events on a side) is laid out only
// around the cursor (LadderWidget::setTimeWindow), a window that follows the
// cursor, so showing and moving in a branch of a big workload stays bounded.
//
// A view of two immutable traces and one cursor: nothing here decides
// protocol behaviour. The cursor is the right-hand run's (the window's
// current run); the left follows it: event for event up to the first
// difference (their prefixes are the same events), by time after it.
#pragma once

#include <QWidget>
#include <memory>
#include <string>
#include <vector>

#include "ladder.hpp"
#include "theme.hpp"
#include "trace_view.hpp"

class QAbstractButton;
class QButtonGroup;
class QLabel;
class QSplitter;
class QTabWidget;
class QTimer;
class QTableWidget;

namespace tcpsim::render {

class StateDiagramWidget;

// The two endpoints of connection `index` (clamped) of a trace, the one on
// the left-hand lifeline first, as the main window's diagrams show them.
// {0, 0} when there is none; 0 for a peer not in the trace.
std::vector<std::uint32_t> connection_endpoints(const TraceView* v, int index);

// One describe_differences() line split for a table: what differs, the
// left run's value, the right run's ("client/sock: time in TIME_WAIT 60.0 s |
// 60.2 s" -> "client/sock: time in TIME_WAIT", "60.0 s", "60.2 s"). A line
// with no " | " is whole in `what` (left and right empty).
struct DifferenceRow {
  QString what, left, right;
};
DifferenceRow split_difference(const QString& line);

// One side: the run's name, its first difference, its ladder and diagrams.
class ComparePane : public QWidget {
  Q_OBJECT
 public:
  explicit ComparePane(QWidget* parent = nullptr);
  LadderWidget* ladder() const { return ladder_; }
  StateDiagramWidget* diagram(int i) const { return diagrams_[i]; }
  // The frame holding this run's two diagrams (in the comparison's
  // diagrams tab) and its caption.
  QWidget* diagramGroup() const { return group_; }
  QLabel* titleLabel() const { return title_; }
  QLabel* differenceLabel() const { return diff_; }
  // The whole run's view (what the left cursor is computed on).
  const TraceView* view() const { return view_.get(); }
  std::shared_ptr<const TraceView> sharedView() const { return view_; }
  // What the ladder and diagrams draw: the view, or with "hide what comes
  // next" only the events before this side's cursor.
  const TraceView* shownView() const { return shown_ ? shown_.get() : view_.get(); }
  // The two endpoints of connection `index` (clamped), the one on the
  // left-hand lifeline first (as MainWindow shows them). 0 = none.
  std::vector<std::uint32_t> endpoints(int index) const;
  std::size_t cursor() const { return cursor_; }

 private:
  friend class CompareView;
  QLabel* title_ = nullptr;
  QLabel* diff_ = nullptr;
  LadderWidget* ladder_ = nullptr;
  QWidget* group_ = nullptr;
  QLabel* group_title_ = nullptr;
  StateDiagramWidget* diagrams_[2] = {nullptr, nullptr};
  std::shared_ptr<const TraceView> view_;
  std::shared_ptr<const TraceView> shown_;  // hide-next prefix, or null
  std::size_t shown_cursor_ = static_cast<std::size_t>(-1);
  std::size_t cursor_ = 0;
};

class CompareView : public QWidget {
  Q_OBJECT
 public:
  explicit CompareView(QWidget* parent = nullptr);

  struct Side {
    QString name;                    // "Original", "drop 3rd . from client", "linux"
    std::shared_ptr<const Trace> trace;
    // A view of `trace` built beforehand (off the GUI thread); null: built here.
    std::shared_ptr<const TraceView> view;
  };
  // `first_index`: the first differing event (the same index in both);
  // `identical`: no difference at all. `differences`: one line each.
  void setRuns(const Side& left, const Side& right, bool identical, std::size_t first_index,
               const std::vector<std::string>& differences);
  // The right run's cursor and the display time; `connection` as the
  // window's selector.
  void setCursor(std::size_t right_cursor, Time now, int connection);
  void setTheme(const Theme& t);
  void setTimeScale(TimeScale s);
  void setCallsAndTimers(bool on);
  // "Hide what comes next" (the window's View menu): each side shows only
  // the events before its cursor; the first difference is named and the
  // differences listed only once the cursor has passed it.
  void setHideNext(bool on);
  bool hideNext() const { return hide_next_; }

  ComparePane* pane(int side) const { return panes_[side]; }
  // The side the user works on (0 left, 1 right; a click on a side chooses
  // it): its diagrams are shown large, the lab's keys act on it.
  int focusedSide() const { return focused_; }
  void setFocusedSide(int side);
  // Which diagrams the diagrams tab shows.
  enum class Diagrams { Left, Right, Both };
  void setDiagrams(Diagrams d);
  Diagrams diagrams() const { return diagrams_mode_; }
  QTabWidget* tabs() const { return tabs_; }
  QSplitter* splitter() const { return vsplit_; }
  // The differences table: one row per describe_differences() line.
  QTableWidget* differences() const { return table_; }
  int differenceCount() const { return static_cast<int>(diff_lines_.size()); }
  QString differenceLine(int i) const { return QString::fromStdString(diff_lines_.at(static_cast<std::size_t>(i))); }
  // The left run's cursor that goes with the right's.
  std::size_t leftCursorFor(std::size_t right_cursor, Time now) const;
  std::size_t firstDifference() const { return first_; }
  bool identical() const { return identical_; }
  // Runs with more events than this on a side are laid out around the
  // cursor only (default 40000; tests lower it).
  static void setBigEvents(std::size_t n);
  static std::size_t bigEvents();
  // True while the ladders show a time window of a big run.
  bool windowed() const { return windowed_; }
  // Lays both ladders out on one time axis now (it also happens by itself,
  // queued, after each relayout: resize, zoom, theme, scale).
  void alignNow();
  // afresh: start from each run's own axis (after a width change).
  void alignNow(bool afresh);
  int alignPasses() const { return align_passes_; }
  void retranslate();

 Q_SIGNALS:
  // An arrow clicked in one side's ladder (0 left, 1 right).
  void arrowClicked(int side, int arrow);
  void focusedSideChanged(int side);

 protected:
  void changeEvent(QEvent* e) override;
  void resizeEvent(QResizeEvent* e) override;
  bool eventFilter(QObject* o, QEvent* e) override;

 private:
  void refreshPanes();
  void updateLabels();
  void updateDifferences();
  void updateDiagramsShown();
  void placeWindow(std::size_t right_cursor);
  bool firstDifferenceShown() const;
  ComparePane* panes_[2] = {nullptr, nullptr};
  QSplitter* vsplit_ = nullptr;
  QTabWidget* tabs_ = nullptr;
  QWidget* diagram_tab_ = nullptr;
  QButtonGroup* mode_group_ = nullptr;
  QAbstractButton* mode_buttons_[3] = {nullptr, nullptr, nullptr};
  QLabel* mode_label_ = nullptr;
  QLabel* window_note_ = nullptr;
  QTableWidget* table_ = nullptr;
  QLabel* table_note_ = nullptr;
  QTimer* align_timer_ = nullptr;
  bool aligning_ = false;
  int align_passes_ = 0;
  bool themed_ = false;
  bool user_split_ = false;
  bool user_mode_ = false;
  bool hide_next_ = false;
  bool windowed_ = false;
  bool diff_shown_ = false;
  Time win_from_ = 0, win_to_ = kNever;
  int focused_ = 1;
  Diagrams diagrams_mode_ = Diagrams::Right;
  Theme theme_;
  QString names_[2];
  bool identical_ = true;
  std::size_t first_ = 0;
  std::size_t right_cursor_ = 0;
  Time now_ = 0;
  int connection_ = 0;
  std::vector<std::string> diff_lines_;
};

}  // namespace tcpsim::render
