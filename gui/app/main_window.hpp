// tcpsim — the main window. It holds one immutable trace (from running a
// scenario with the core) and a cursor into it; every view is a function of
// (trace, cursor, display time). Stepping back is moving the cursor, so each
// view is restored exactly. Nothing here decides protocol behaviour.
#pragma once

#include <QMainWindow>
#include <QPointer>
#include <QTimer>
#include <memory>
#include <optional>

#include "tcpsim/counts.hpp"
#include "tcpsim/scenario.hpp"
#include "ladder.hpp"
#include "theme.hpp"
#include "trace_view.hpp"

class QComboBox;
class QLabel;
class QLineEdit;
class QMenu;
class QSlider;
class QSplitter;
class QTableView;
class QTabWidget;
class QTextBrowser;
class QTreeWidget;
class QToolBar;
class QVariantAnimation;
class QActionGroup;
class QChartView;

namespace tcpsim::render {
class LadderWidget;
class StateDiagramWidget;
}  // namespace tcpsim::render

namespace tcpsim::gui {

// How many connect() calls a scenario's scripts make, loops multiplied out.
std::uint64_t estimated_connections(const Scenario& s);

class EventLogModel;
class ExportDialog;
class Quiz;
class Lab;
class Inspector;
enum class ExportKind;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // Loads and runs a scenario file. On error shows "file:line:col: message"
  // in the message area, keeps the previous scenario and returns false.
  bool openScenario(const QString& path);
  // Shows an already recorded trace (tests, --demo).
  void setTrace(const Scenario& s, std::shared_ptr<const Trace> t);
  void setCursor(std::size_t cursor, bool animate = false);
  void setCursorTime(Time t);
  void setConnection(int index);
  // Lecture mode (View → Lecture mode, Ctrl+P, --lecture; once called
  // presentation mode): text of 24 px and up everywhere, the browser, the
  // log and the charts tab hidden, and the packet timeline given the width
  // both its lifelines need. F6 cycles what the centre shows: the diagrams
  // and the timeline, the timeline alone, the diagrams alone.
  void setLectureMode(bool on);
  void setPresentationMode(bool on) { setLectureMode(on); }
  enum class LectureView { Both, Timeline, Diagrams };
  void setLectureView(LectureView v);
  // Below 1600 px two RFC diagrams and the timeline cannot all have 24 px
  // text: lecture mode then starts on the timeline alone (F6: the diagrams).
  static LectureView defaultLectureView(int window_width) {
    return window_width >= 1600 ? LectureView::Both : LectureView::Timeline;
  }
  LectureView lectureView() const { return lecture_view_; }
  // Below this window width (a 1024x768 or 1280x720 projector) the default
  // layout is compact: the scenarios-and-lesson dock becomes a tab beside
  // the event log at the bottom, so the centre has the window's width for
  // the timeline at its natural width (both lifelines, every label whole)
  // and the two diagrams, zoomed on their current state.
  static constexpr int kCompactWidth = 1400;
  bool compactLayout() const { return compact_; }
  // "Hide what comes next" (View menu, H, --hide-next): every pane shows the
  // trace only up to the cursor — no segment not yet sent, no future state,
  // no future log row, inspector value or chart point.
  void setHideNext(bool on);
  bool hideNext() const { return hide_next_; }
  // View → Quiz (Q, --quiz; gui/app/quiz.hpp): the student picks each next
  // state or segment before it is shown. Leaving restores the views.
  void setQuizMode(bool on);
  bool quizMode() const;
  Quiz* quiz() const { return quiz_; }
  // The packet timeline's time scale (View → Time scale, toolbar); saved.
  void setTimeScale(render::TimeScale s);
  render::TimeScale timeScale() const;
  void setLanguage(const QString& lang);  // "en", "zh_CN", "" = system
  void setCatalogueDir(const QString& dir);
  void setSelectedArrow(int arrow);

  // For tests and the headless screenshot.
  std::size_t cursor() const { return cursor_; }
  Time displayTime() const { return now_; }
  const render::TraceView* view() const { return view_.get(); }
  const Scenario* scenario() const { return scenario_ ? &*scenario_ : nullptr; }
  render::StateDiagramWidget* diagram(int i) const { return diagrams_[i]; }
  render::LadderWidget* ladder() const { return ladder_; }
  QTableView* log() const { return log_; }
  Inspector* inspector() const { return inspector_; }
  QString messageText() const;
  // The message area above the views (load errors, the lab's refusals).
  void showMessage(const QString& text, bool error);
  // The lab (issue #13): actions at the cursor, branches, comparison.
  Lab* lab() const { return lab_; }
  QSplitter* centerSplit() const { return center_split_; }
  QMenu* menu(const QString& key) const {
    auto it = menus_.find(key);
    return it == menus_.end() ? nullptr : it->second;
  }
  int connectionIndex() const { return connection_; }
  int selectedArrow() const { return arrow_; }
  // The About box's text: version, git commit, licence (tcpsim/version.hpp).
  QString aboutText() const;
  QTreeWidget* catalogue() const { return catalogue_; }
  QString language() const { return lang_; }
  bool presentationMode() const { return theme_.presentation; }
  bool lectureMode() const { return theme_.presentation; }
  // What the panes show: the whole trace, or with "hide what comes next"
  // only the events before the cursor.
  const render::TraceView* shownView() const { return shown_.get(); }
  QComboBox* timeScaleBox() const { return scale_box_; }
  QAction* action(const QString& key) const {
    auto it = actions_.find(key);
    return it == actions_.end() ? nullptr : it->second;
  }
  QToolBar* transportBar() const { return transport_; }
  std::shared_ptr<const Trace> trace() const { return trace_; }

  // Big workloads: a scenario whose scripts make more connect() calls than
  // the threshold runs counts-only (tcpsim/counts.hpp): no trace is kept,
  // only socket counts per state, shown in the "Sockets per state" chart; the
  // timeline, the diagrams, the log and the other charts say why they are empty.
  void setBigWorkloadThreshold(std::uint64_t connections) { big_threshold_ = connections; }
  std::uint64_t bigWorkloadThreshold() const { return big_threshold_; }
  bool bigWorkload() const { return big_.has_value(); }
  const CountsRun* bigWorkloadCounts() const { return big_ ? &big_->run : nullptr; }
  QString bigWorkloadNotice() const;
  QChartView* chartView(int i) const { return charts_[i]; }
  QTabWidget* centerTabs() const { return center_tabs_; }

  // File → Export…: opens the export dialog (non-modal) on `kind`.
  ExportDialog* openExportDialog(ExportKind kind);
  // Numbered PNG frames (frame-0001.png, …) of the central view (diagrams,
  // timeline, charts) after each event in [from, to], grabbed from this
  // window while the cursor steps through; the cursor is restored
  // afterwards. Frames are made in a temporary folder inside `dir` and moved
  // in only when all are done, so a failed or cancelled export changes
  // nothing; existing frames are replaced only with `overwrite`.
  // `progress`: show a cancellable progress dialog.
  bool exportFrames(const QString& dir, Time from, Time to, bool overwrite, QString* error,
                    bool progress = true);
  void finishAnimations();

 Q_SIGNALS:
  // After the views were refreshed at the cursor (step, scrub, language, theme).
  void cursorMoved();
  // A new trace is shown (a scenario opened, setTrace).
  void traceShown();

 public Q_SLOTS:
  void stepForward();
  void stepBack();
  void nextStateChange();
  void prevStateChange();
  void toStart();
  void toEnd();
  void togglePlay();
  void openDialog();

 protected:
  void dragEnterEvent(QDragEnterEvent* e) override;
  void dropEvent(QDropEvent* e) override;
  void closeEvent(QCloseEvent* e) override;
  void changeEvent(QEvent* e) override;
  void resizeEvent(QResizeEvent* e) override;
  bool eventFilter(QObject* o, QEvent* e) override;

 private:
  void buildUi();
  void buildMenus();
  void retranslate();
  void refresh(bool animate);
  void refreshCharts();
  void refreshLesson();
  void refreshCatalogue();
  void playTick();
  std::vector<std::uint32_t> endpoints() const;
  void applyTheme();
  void applyLectureLayout();
  void applyCompactDocks();
  void updateShown();

  void showTrace(const Scenario& s, std::shared_ptr<const Trace> t);
  void applyBigWorkload();

  std::optional<Scenario> scenario_;
  struct Big {
    std::uint64_t connections = 0;
    CountsRun run;
  };
  std::optional<Big> big_;
  std::uint64_t big_threshold_ = 5000;
  QLabel* big_notice_ = nullptr;
  std::shared_ptr<const Trace> trace_;
  std::shared_ptr<const render::TraceView> view_;
  std::shared_ptr<const render::TraceView> shown_;  // view_, or its prefix up to the cursor
  std::size_t shown_cursor_ = static_cast<std::size_t>(-1);
  bool hide_next_ = false;
  LectureView lecture_view_ = LectureView::Both;
  QComboBox* scale_box_ = nullptr;
  QLabel* scale_label_ = nullptr;
  QAction* speed_act_ = nullptr;        // the toolbar's speed box (hidden in lecture mode)
  QAction* scale_label_act_ = nullptr;  // the toolbar's "Time scale:" label (idem)
  QAction* scrubber_act_ = nullptr;     // the scrubber (idem)
  QActionGroup* scale_group_ = nullptr;
  std::size_t cursor_ = 0;
  Time now_ = 0;
  int connection_ = 0;
  int arrow_ = -1;
  bool syncing_ = false;
  bool split_restored_ = false;  // the centre's sizes are the user's (restored or dragged)
  bool compact_ = false;
  bool layout_queued_ = false;   // applyLectureLayout() is due after the centre's resize
  int ladder_need_ = 0;          // the widest natural width of the timeline for this trace
  QSplitter* browser_split_ = nullptr;  // the catalogue over (compact: beside) the lesson
  QString lang_ = "en";
  QString catalogue_dir_;
  render::Theme theme_;

  // playback
  QTimer play_timer_;
  bool playing_ = false;
  double speed_ = 1.0;
  double gap_progress_ms_ = 0;
  QVariantAnimation* anim_ = nullptr;

  // widgets
  QLabel* message_ = nullptr;
  QLineEdit* filter_ = nullptr;
  QTreeWidget* catalogue_ = nullptr;
  QTextBrowser* lesson_ = nullptr;
  QComboBox* conn_select_ = nullptr;
  QLabel* conn_label_ = nullptr;
  render::StateDiagramWidget* diagrams_[2] = {nullptr, nullptr};
  render::LadderWidget* ladder_ = nullptr;
  QTabWidget* center_tabs_ = nullptr;
  QChartView* charts_[4] = {nullptr, nullptr, nullptr, nullptr};
  QTableView* log_ = nullptr;
  EventLogModel* log_model_ = nullptr;
  Inspector* inspector_ = nullptr;
  QToolBar* transport_ = nullptr;
  QSlider* scrubber_ = nullptr;
  QLabel* time_label_ = nullptr;
  QComboBox* speed_box_ = nullptr;
  QLabel* event_label_ = nullptr;
  QAction* act_play_ = nullptr;
  QAction* act_presentation_ = nullptr;
  QActionGroup* lang_group_ = nullptr;
  QDockWidget* browser_dock_ = nullptr;
  QDockWidget* bottom_dock_ = nullptr;
  QTabWidget* bottom_tabs_ = nullptr;
  QSplitter* center_split_ = nullptr;
  std::map<QString, QAction*> actions_;
  std::map<QString, QMenu*> menus_;
  // The quiz drives the cursor and hides the docks, the transport and the
  // lesson through the members above.
  Quiz* quiz_ = nullptr;
  friend class Quiz;
  Lab* lab_ = nullptr;
};

}  // namespace tcpsim::gui
