// tcpsim — the lab in the GUI (issue #13, docs/gui.md "Lab: what if"):
// actions at the cursor, branches, and their comparison.
//
// An action is made where the student points: right-click a segment arrow
// (drop, delay by…, duplicate) or a socket — its state diagram, its
// inspector group, its lifeline's header — (close(), shutdown(), send N
// bytes…, SO_LINGER 0 and close, exit the process, crash its host, take the
// link down for…), at the cursor's time. The same QActions are in the Lab
// menu with shortcuts, acting on the selected segment (the clicked arrow,
// else the segment of the event at the cursor) or the selected endpoint
// (Ctrl+1 / Ctrl+2, or a click on its diagram); the menu key and Shift+F10
// open the context menu of the selection.
//
// The GUI only writes the action's text in the lab's grammar and hands it
// to tcpsim::parse_action — the code `tcpsim run --inject` uses — then
// tcpsim::make_branch runs the scenario with the action written in (in a
// thread, behind a progress dialog whose Cancel stops the run). An action
// that is impossible or changes nothing is refused with the core's reason in
// the window's message bar.
//
// Each branch is a tab beside "Original" (QTabBar above the views): a branch
// of a branch stacks, tabs are renamed (F2, double-click) and closed
// (Ctrl+W, closing its own branches too), and File → Save branch as… writes
// the branch's scenario (scenario_to_yaml) through a temporary file, never
// over an existing file unless the user said so. The current tab is shown in
// the window; "Compare with parent" (F7, on whenever a branch is made) puts
// the run and the one it was branched from side by side on one time axis
// (render::CompareView) with the first difference marked and the
// differences listed. Lab → Compare profiles runs the current scenario under
// linux and rfc9293 as two branches compared the same way.
#pragma once

#include <QObject>
#include <QPointer>
#include <QString>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tcpsim/lab.hpp"
#include "tcpsim/scenario.hpp"
#include "tcpsim/trace.hpp"

class QAction;
class QActionGroup;
class QLabel;
class QMenu;
class QPoint;
class QTabBar;
class QToolButton;
class QWidget;

namespace tcpsim::render {
class CompareView;
class TraceView;
}  // namespace tcpsim::render

namespace tcpsim::gui {

class MainWindow;

// One run of the lab: the original scenario's, or a branch.
struct LabRun {
  int id = 0;                       // stable (tabs move; ids do not)
  int parent = -1;                  // id of the run it was branched from; -1: the original
  QString name;                     // tab text: the action's text by default
  std::vector<Action> actions;      // from the root scenario, in order
  QString origin;                   // how it was made, for tooltips and the saved file's header
  std::shared_ptr<const Scenario> scenario;
  std::shared_ptr<const Trace> trace;
  // A view of `trace` built off the GUI thread with the run (null: built
  // when shown).
  std::shared_ptr<const render::TraceView> view;
  Divergence from_parent;           // against the parent's trace
  std::vector<std::string> diffs;   // describe_differences(parent, this), in diff_lang
  std::string diff_lang;
};

class Lab : public QObject {
  Q_OBJECT
 public:
  explicit Lab(MainWindow* w);
  ~Lab() override;

  // What an action acts on: a run (index into runs()), a segment (arrow
  // index in that run's TraceView) and/or a socket (trace socket id).
  struct Target {
    int run = -1;
    int arrow = -1;
    std::uint32_t sock = 0;
  };
  enum class Op { Drop, Delay, Duplicate, Close, ShutWr, ShutRd, ShutRdWr, Send, Abort, Exit, Crash, LinkDown };

  // Runs, in tab order; 0 is the original.
  const std::vector<LabRun>& runs() const { return runs_; }
  int currentRun() const { return current_; }
  void setCurrentRun(int index);
  int indexOfId(int id) const;
  // The comparison of the current run with its parent (shown only for a branch).
  bool comparing() const;
  void setCompare(bool on);
  render::CompareView* compareView() const { return compare_; }
  QTabBar* tabBar() const { return tabs_; }
  QWidget* runBar() const { return bar_; }

  // The Lab's QActions by key: "drop", "delay", "duplicate", "close",
  // "shut_wr", "shut_rd", "shut_rdwr", "send", "abort", "exit", "crash",
  // "link", "ep_left", "ep_right", "next_seg", "prev_seg", "profiles",
  // "compare", "rename", "close_run", "save", "menu" (context menu key).
  QAction* action(const QString& key) const;
  QMenu* menu() const { return menu_; }

  // The context menu for a target, with the same QActions as the Lab menu,
  // enabled for what the target is (built, not shown; popupContextMenu
  // shows it). Triggering one of its actions acts on this target.
  QMenu* contextMenuFor(const Target& t);
  void popupContextMenu(const Target& t, const QPoint& global);
  // What the keyboard acts on: the current run, or while comparing the
  // focused side's run (a click on a side focuses it); the selected segment
  // (the clicked arrow, else the segment of the event at that run's cursor)
  // and the selected endpoint.
  Target selection() const;
  int selectedEndpoint() const { return endpoint_; }  // 0 left, 1 right
  void setSelectedEndpoint(int side);

  // Makes a branch of run `t.run` with the action `op` on the target; the
  // value (delay, bytes, duration) is asked with prompt() when needed.
  // False (and a message in the bar) when refused, cancelled or failed.
  bool act(Op op, const Target& t);
  // Makes a branch of run `run` (-1: the current) with an action in the
  // lab's grammar (--inject). The same path as act().
  bool applyActionText(const QString& text, int run = -1);
  // The current run under linux and under rfc9293, as two branches; the
  // rfc9293 one is selected and compared with the linux one.
  bool compareProfiles();
  bool renameRun(int index, const QString& name);
  // Closes a branch and the branches made from it (never the original).
  bool closeRun(int index);
  // Writes run `index`'s scenario to `path` (safe: temporary file, then
  // rename; an existing file only with `overwrite`). False with *error.
  bool saveRun(int index, const QString& path, bool overwrite, QString* error);
  // The scenario file text saveRun writes.
  std::string scenarioText(int index) const;
  // The action text an op on a target makes (what parse_action is given);
  // empty with *error when the target has no segment or socket for it.
  // `value`: the delay, bytes or duration the op needs.
  QString actionText(Op op, const Target& t, const QString& value, QString* error) const;

  // Asks for a value (delay, bytes, duration, a name): a QInputDialog unless
  // replaced (tests). nullopt: cancelled.
  using Prompt = std::function<std::optional<QString>(const QString& title, const QString& label,
                                                      const QString& initial)>;
  void setPrompt(Prompt p) { prompt_ = std::move(p); }
  // Asks for the file to save to; returns the path and whether an existing
  // file may be replaced (the file dialog asked). nullopt: cancelled.
  using SavePrompt = std::function<std::optional<std::pair<QString, bool>>(const QString& suggested)>;
  void setSavePrompt(SavePrompt p) { save_prompt_ = std::move(p); }
  // Runs longer than this (ms) show the progress dialog (tests lower it).
  void setProgressDelay(int ms) { progress_delay_ms_ = ms; }
  // Set while a branch runs in its thread: the progress dialog, for tests.
  QWidget* progressDialog() const { return progress_; }

  void retranslate();

 Q_SIGNALS:
  void runsChanged();

 protected:
  bool eventFilter(QObject* o, QEvent* e) override;

 private:
  void buildActions();
  void buildWidgets();
  void onTraceShown();
  void onCursorMoved();
  void showCurrent();
  void refreshTabs();
  void refreshCompare();
  void updateEnabled(const Target& t);
  void trigger(Op op);
  void message(const QString& text, bool error);
  QString targetDescription(const Target& t) const;
  const render::TraceView* viewOf(int run) const;
  bool leftFocused() const;
  void selectLeftArrow(int step);
  std::shared_ptr<const render::TraceView> sharedViewOf(int run) const;
  bool branch(int run, const QString& text);
  int addRun(LabRun r);
  QString chainText(const LabRun& r) const;
  std::optional<Target> targetAt(QObject* o, const QPoint& pos) const;
  // Runs `work` in a thread; the window stays responsive behind a progress
  // dialog (after progress_delay_ms_) whose Cancel sets the flag the run
  // polls. False when cancelled; rethrows the work's exception.
  bool runInThread(const QString& what, const std::function<void(const std::atomic<bool>*)>& work);

  MainWindow* win_;
  std::vector<LabRun> runs_;
  int current_ = 0;
  int next_id_ = 1;
  bool compare_on_ = false;
  bool switching_ = false;      // the lab itself is putting a run in the window
  bool updating_tabs_ = false;
  bool busy_ = false;
  int endpoint_ = 0;
  bool restore_docks_[2] = {true, true};
  bool docks_saved_ = false;
  std::optional<Target> menu_target_;
  Prompt prompt_;
  SavePrompt save_prompt_;
  int progress_delay_ms_ = 300;
  int left_arrow_ = -1;         // the arrow selected in the comparison's left ladder
  QPointer<QWidget> progress_;
  QString applied_theme_key_;

  QWidget* bar_ = nullptr;
  QTabBar* tabs_ = nullptr;
  QLabel* target_label_ = nullptr;
  QToolButton* compare_button_ = nullptr;
  render::CompareView* compare_ = nullptr;
  QMenu* menu_ = nullptr;
  QMenu* context_ = nullptr;
  QAction* context_title_ = nullptr;
  QActionGroup* ep_group_ = nullptr;
  std::map<QString, QAction*> actions_;
  std::map<QAction*, Op> ops_;
};

// A time in the lab grammar's duration syntax, exact to the microsecond and
// as short as it can be: "150ms", "1.25s", "112.345ms", "40us".
QString lab_duration(Time t);

}  // namespace tcpsim::gui
