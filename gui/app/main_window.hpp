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
#include "theme.hpp"
#include "trace_view.hpp"

class QComboBox;
class QLabel;
class QLineEdit;
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
  void setPresentationMode(bool on);
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
  QTreeWidget* catalogue() const { return catalogue_; }
  QString language() const { return lang_; }
  bool presentationMode() const { return theme_.presentation; }
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

 private:
  void buildUi();
  void buildMenus();
  void retranslate();
  void refresh(bool animate);
  void refreshCharts();
  void refreshLesson();
  void refreshCatalogue();
  void showMessage(const QString& text, bool error);
  void playTick();
  std::vector<std::uint32_t> endpoints() const;
  void applyTheme();

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
  std::size_t cursor_ = 0;
  Time now_ = 0;
  int connection_ = 0;
  int arrow_ = -1;
  bool syncing_ = false;
  bool split_restored_ = false;
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
  QChartView* charts_[3] = {nullptr, nullptr, nullptr};
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
};

}  // namespace tcpsim::gui
