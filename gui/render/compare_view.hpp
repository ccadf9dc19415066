// tcpsim — the lab's comparison (issue #13): two runs of a scenario side by
// side, the one branched from (left) and the branch (right), each with its
// packet timeline and the state diagrams of both endpoints, on ONE time axis:
// the two ladders have the same scale, every instant the two runs share is at
// the same height (LadderOptions::align), and they scroll together. The
// first event where the runs differ is marked in both ladders (a vermillion
// band with a bar at each edge) and named above them ("first difference:
// event 23 at 112.000 ms"); the differences, as describe_differences() words
// them, are listed below.
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

class QLabel;
class QListWidget;
class QSplitter;
class QTimer;

namespace tcpsim::render {

class StateDiagramWidget;

// The two endpoints of connection `index` (clamped) of a trace, the one on
// the left-hand lifeline first, as the main window's diagrams show them.
// {0, 0} when there is none; 0 for a peer not in the trace.
std::vector<std::uint32_t> connection_endpoints(const TraceView* v, int index);

// One side: the run's name, its first difference, its ladder and diagrams.
class ComparePane : public QWidget {
  Q_OBJECT
 public:
  explicit ComparePane(QWidget* parent = nullptr);
  LadderWidget* ladder() const { return ladder_; }
  StateDiagramWidget* diagram(int i) const { return diagrams_[i]; }
  QLabel* titleLabel() const { return title_; }
  QLabel* differenceLabel() const { return diff_; }
  const TraceView* view() const { return view_.get(); }
  std::shared_ptr<const TraceView> sharedView() const { return view_; }
  // The two endpoints of connection `index` (clamped), the one on the
  // left-hand lifeline first (as MainWindow shows them). 0 = none.
  std::vector<std::uint32_t> endpoints(int index) const;
  std::size_t cursor() const { return cursor_; }

 protected:
  void resizeEvent(QResizeEvent* e) override;

 private:
  friend class CompareView;
  QLabel* title_ = nullptr;
  QLabel* diff_ = nullptr;
  LadderWidget* ladder_ = nullptr;
  StateDiagramWidget* diagrams_[2] = {nullptr, nullptr};
  QSplitter* split_ = nullptr;
  std::shared_ptr<const TraceView> view_;
  std::size_t cursor_ = 0;
  bool user_split_ = false;  // the divider was moved: keep it where it is
};

class CompareView : public QWidget {
  Q_OBJECT
 public:
  explicit CompareView(QWidget* parent = nullptr);

  struct Side {
    QString name;                    // "Original", "drop 3rd . from client", "linux"
    std::shared_ptr<const Trace> trace;
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

  ComparePane* pane(int side) const { return panes_[side]; }
  QListWidget* differences() const { return list_; }
  // The left run's cursor that goes with the right's.
  std::size_t leftCursorFor(std::size_t right_cursor, Time now) const;
  std::size_t firstDifference() const { return first_; }
  bool identical() const { return identical_; }
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

 protected:
  void changeEvent(QEvent* e) override;

 private:
  void refreshPanes();
  void updateLabels();
  ComparePane* panes_[2] = {nullptr, nullptr};
  QLabel* list_title_ = nullptr;
  QListWidget* list_ = nullptr;
  QSplitter* vsplit_ = nullptr;
  QTimer* align_timer_ = nullptr;
  bool aligning_ = false;
  int align_passes_ = 0;
  bool themed_ = false;
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
