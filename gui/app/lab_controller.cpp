#include "lab_controller.hpp"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QComboBox>
#include <QContextMenuEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QProgressDialog>
#include <QScrollArea>
#include <QSplitter>
#include <QTabBar>
#include <QTimer>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <chrono>
#include <limits>
#include <set>
#include <sstream>
#include <thread>

#include "compare_view.hpp"
#include "inspector.hpp"
#include "ladder.hpp"
#include "main_window.hpp"
#include "state_diagram.hpp"
#include "tcpsim/export.hpp"
#include "tcpsim/scenario_writer.hpp"
#include "tcpsim/simulation.hpp"
#include "trace_view.hpp"

namespace tcpsim::gui {

namespace {

// The inspector's key of a group (inspector.cpp's kKeyRole).
constexpr int kInspectorKeyRole = Qt::UserRole + 1;

bool is_segment_op(Lab::Op op) {
  return op == Lab::Op::Drop || op == Lab::Op::Delay || op == Lab::Op::Duplicate;
}

// "server/conn#2" -> ("server", "conn#2"): the process and the binding, as
// the lab grammar names a socket.
bool split_label(const std::string& label, QString* process, QString* socket) {
  const auto slash = label.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 >= label.size()) return false;
  *process = QString::fromStdString(label.substr(0, slash));
  *socket = QString::fromStdString(label.substr(slash + 1));
  return true;
}

QString axis_time(Time t) {
  if (t < sec(1)) return QString::number(t / 1000.0, 'f', 3) + " ms";
  return QString::number(t / 1e6, 'f', 3) + " s";
}

QString trim_zeros(QString s) {
  if (s.contains('.')) {
    while (s.endsWith('0')) s.chop(1);
    if (s.endsWith('.')) s.chop(1);
  }
  return s;
}

}  // namespace

QString lab_duration(Time t) {
  QString s;
  if (t == 0) s = "0s";
  else if (t % sec(1) == 0) s = QString("%1s").arg(t / sec(1));
  else if (t < sec(1) && t % msec(1) == 0) s = QString("%1ms").arg(t / msec(1));
  else if (t >= sec(1)) s = trim_zeros(QString::number(t / 1e6, 'f', 6)) + "s";
  else s = trim_zeros(QString::number(t / 1e3, 'f', 3)) + "ms";
  // Exact or nothing: the action must happen at the cursor's microsecond.
  auto back = parse_duration(s.toStdString());
  if (!back || *back != t) s = QString("%1us").arg(t);
  return s;
}

Lab::Lab(MainWindow* w) : QObject(w), win_(w) {
  setObjectName("lab");
  buildActions();
  buildWidgets();
  connect(win_, &MainWindow::traceShown, this, &Lab::onTraceShown);
  connect(win_, &MainWindow::cursorMoved, this, &Lab::onCursorMoved);
  prompt_ = [this](const QString& title, const QString& label, const QString& initial) -> std::optional<QString> {
    bool ok = false;
    QString v = QInputDialog::getText(win_, title, label, QLineEdit::Normal, initial, &ok);
    if (!ok) return std::nullopt;
    return v;
  };
  save_prompt_ = [this](const QString& suggested) -> std::optional<std::pair<QString, bool>> {
    // The file dialog asks before replacing a file: an existing path it
    // returns was confirmed.
    QString f = QFileDialog::getSaveFileName(win_, tr("Save branch as"), suggested, tr("Scenarios (*.yaml *.yml)"));
    if (f.isEmpty()) return std::nullopt;
    return std::make_pair(f, true);
  };
}

Lab::~Lab() = default;

void Lab::buildActions() {
  auto add = [this](const QString& key, const QList<QKeySequence>& keys, auto slot) {
    auto* a = new QAction(this);
    a->setObjectName("lab_" + key);
    a->setShortcuts(keys);
    a->setShortcutContext(Qt::WindowShortcut);
    connect(a, &QAction::triggered, this, slot);
    actions_[key] = a;
    return a;
  };
  auto op = [this, &add](const QString& key, Op o, const QKeySequence& ks) {
    QAction* a = add(key, {ks}, [this, o] { trigger(o); });
    ops_[a] = o;
  };
  // Ctrl+Shift+letter: free in the window, and clear of the plain keys a
  // class uses for the transport and the quiz.
  op("drop", Op::Drop, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
  op("delay", Op::Delay, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
  op("duplicate", Op::Duplicate, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_U));
  op("close", Op::Close, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
  op("shut_wr", Op::ShutWr, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_W));
  op("shut_rd", Op::ShutRd, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
  op("shut_rdwr", Op::ShutRdWr, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_B));
  op("send", Op::Send, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N));
  op("abort", Op::Abort, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
  op("exit", Op::Exit, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
  op("crash", Op::Crash, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K));
  op("link", Op::LinkDown, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
  ep_group_ = new QActionGroup(this);
  for (int side = 0; side < 2; ++side) {
    QAction* a = add(side == 0 ? "ep_left" : "ep_right", {QKeySequence(Qt::CTRL | (side == 0 ? Qt::Key_1 : Qt::Key_2))},
                     [this, side] { setSelectedEndpoint(side); });
    a->setCheckable(true);
    a->setChecked(side == 0);
    ep_group_->addAction(a);
  }
  add("next_seg", {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Down)}, [this] {
    if (leftFocused()) return selectLeftArrow(+1);
    const render::TraceView* v = win_->view();
    if (!v || v->arrows().empty()) return;
    const Target t = selection();
    const int a = std::min<int>(t.arrow + 1, static_cast<int>(v->arrows().size()) - 1);
    win_->setSelectedArrow(a);
    // The arrow is drawn once it is sent: the cursor goes past its send.
    if (win_->cursor() <= v->arrows()[a].send) win_->setCursor(v->arrows()[a].send + 1, false);
  });
  add("prev_seg", {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Up)}, [this] {
    if (leftFocused()) return selectLeftArrow(-1);
    const render::TraceView* v = win_->view();
    if (!v || v->arrows().empty()) return;
    const Target t = selection();
    const int a = std::max(0, t.arrow < 0 ? 0 : t.arrow - 1);
    win_->setSelectedArrow(a);
    if (win_->cursor() <= v->arrows()[a].send) win_->setCursor(v->arrows()[a].send + 1, false);
  });
  add("profiles", {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P)}, [this] { compareProfiles(); });
  QAction* cmp = add("compare", {QKeySequence(Qt::Key_F7)}, [this] { setCompare(actions_["compare"]->isChecked()); });
  cmp->setCheckable(true);
  add("rename", {QKeySequence(Qt::Key_F2)}, [this] {
    if (current_ <= 0) {
      message(tr("The original run keeps its name; make a branch first (right-click a segment or a socket)."), true);
      return;
    }
    auto name = prompt_(tr("Rename branch"), tr("Name of the branch:"), runs_[current_].name);
    if (name) renameRun(current_, *name);
  });
  add("close_run", {QKeySequence(Qt::CTRL | Qt::Key_W)}, [this] { closeRun(current_); });
  add("save", {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S)}, [this] {
    if (current_ <= 0) {
      message(tr("The original is a scenario file already; Save branch as… saves a branch."), true);
      return;
    }
    const LabRun& r = runs_[current_];
    QString dir = r.scenario && !r.scenario->path.empty()
                      ? QFileInfo(QString::fromStdString(runs_[0].scenario->path)).absolutePath()
                      : QDir::homePath();
    if (!QFileInfo(dir).isWritable()) dir = QDir::homePath();
    const QString stem = runs_[0].scenario && !runs_[0].scenario->name.empty()
                             ? QString::fromStdString(runs_[0].scenario->name) : QString("scenario");
    auto where = save_prompt_(QDir(dir).filePath(QString("%1-branch-%2.yaml").arg(stem).arg(r.id)));
    if (!where) return;
    QString err;
    if (!saveRun(current_, where->first, where->second, &err)) message(err, true);
  });
  add("next_run", {QKeySequence(Qt::CTRL | Qt::Key_PageDown)}, [this] {
    if (runs_.size() > 1) setCurrentRun((current_ + 1) % static_cast<int>(runs_.size()));
  });
  add("prev_run", {QKeySequence(Qt::CTRL | Qt::Key_PageUp)}, [this] {
    if (runs_.size() > 1) setCurrentRun((current_ + static_cast<int>(runs_.size()) - 1) % static_cast<int>(runs_.size()));
  });
  // The menu key and Shift+F10: the context menu of the selection.
  add("menu", {QKeySequence(Qt::Key_Menu), QKeySequence(Qt::SHIFT | Qt::Key_F10)}, [this] {
    QWidget* at = comparing() ? static_cast<QWidget*>(compare_) : static_cast<QWidget*>(win_->ladder());
    if (!at->isVisible()) at = win_->centralWidget();
    popupContextMenu(selection(), at->mapToGlobal(at->rect().center()));
  });

  menu_ = new QMenu(win_);
  menu_->setObjectName("labMenu");
  for (auto k : {"drop", "delay", "duplicate"}) menu_->addAction(actions_[k]);
  menu_->addAction(actions_["next_seg"]);
  menu_->addAction(actions_["prev_seg"]);
  menu_->addSeparator();
  for (auto k : {"ep_left", "ep_right"}) menu_->addAction(actions_[k]);
  for (auto k : {"close", "shut_wr", "shut_rd", "shut_rdwr", "send", "abort", "exit", "crash", "link"})
    menu_->addAction(actions_[k]);
  menu_->addSeparator();
  menu_->addAction(actions_["menu"]);
  menu_->addSeparator();
  menu_->addAction(actions_["profiles"]);
  menu_->addAction(actions_["compare"]);
  menu_->addAction(actions_["next_run"]);
  menu_->addAction(actions_["prev_run"]);
  menu_->addAction(actions_["rename"]);
  menu_->addAction(actions_["close_run"]);
  // The Lab menu goes before Language; Save branch as… into File, before Quit.
  QMenu* lang = win_->menu("lang");
  if (lang) win_->menuBar()->insertMenu(lang->menuAction(), menu_);
  else win_->menuBar()->addMenu(menu_);
  if (QMenu* file = win_->menu("file")) {
    QAction* before = win_->action("quit");
    const auto acts = file->actions();
    const int qi = acts.indexOf(before);
    if (qi > 0 && acts[qi - 1]->isSeparator()) before = acts[qi - 1];
    file->insertAction(before, actions_["save"]);
  }
  connect(menu_, &QMenu::aboutToShow, this, [this] {
    // The endpoints' names, for the keyboard user choosing one.
    const Target t = selection();
    const render::TraceView* v = viewOf(t.run);
    auto eps = render::connection_endpoints(v, win_->connectionIndex());
    for (int side = 0; side < 2; ++side) {
      QString who = eps[side] && v ? QString::fromStdString(v->socket_label(eps[side])) : tr("none");
      actions_[side == 0 ? "ep_left" : "ep_right"]->setText(side == 0 ? tr("Act on the left endpoint: %1").arg(who)
                                                                        : tr("Act on the right endpoint: %1").arg(who));
    }
    (void)t;
  });
}

void Lab::buildWidgets() {
  // The runs' tab bar, above the views; shown once there is a branch.
  bar_ = new QWidget(win_->centralWidget());
  bar_->setObjectName("labRunBar");
  auto* hl = new QHBoxLayout(bar_);
  hl->setContentsMargins(0, 0, 0, 0);
  tabs_ = new QTabBar(bar_);
  tabs_->setObjectName("labRuns");
  tabs_->setTabsClosable(true);
  tabs_->setExpanding(false);
  tabs_->setElideMode(Qt::ElideMiddle);
  tabs_->setUsesScrollButtons(true);
  tabs_->setDocumentMode(true);
  tabs_->setContextMenuPolicy(Qt::CustomContextMenu);
  target_label_ = new QLabel(bar_);
  target_label_->setObjectName("labTarget");
  target_label_->setTextFormat(Qt::PlainText);
  compare_button_ = new QToolButton(bar_);
  compare_button_->setDefaultAction(actions_["compare"]);
  compare_button_->setToolButtonStyle(Qt::ToolButtonTextOnly);
  hl->addWidget(tabs_, 1);
  hl->addWidget(target_label_);
  hl->addWidget(compare_button_);
  bar_->hide();
  connect(tabs_, &QTabBar::currentChanged, this, [this](int i) {
    if (!updating_tabs_ && !switching_ && i >= 0 && i != current_) setCurrentRun(i);
  });
  connect(tabs_, &QTabBar::tabCloseRequested, this, [this](int i) { closeRun(i); });
  connect(tabs_, &QTabBar::tabBarDoubleClicked, this, [this](int i) {
    if (i > 0) {
      setCurrentRun(i);
      actions_["rename"]->trigger();
    }
  });
  connect(tabs_, &QTabBar::customContextMenuRequested, this, [this](const QPoint& p) {
    const int i = tabs_->tabAt(p);
    if (i < 0) return;
    setCurrentRun(i);
    auto* m = new QMenu(tabs_);
    m->setAttribute(Qt::WA_DeleteOnClose);
    for (auto k : {"compare", "rename", "save", "close_run"}) m->addAction(actions_[k]);
    m->popup(tabs_->mapToGlobal(p));
  });

  compare_ = new render::CompareView(win_->centralWidget());
  compare_->hide();
  if (auto* cl = qobject_cast<QVBoxLayout*>(win_->centralWidget()->layout())) {
    // After the message area and the big-workload notice, before the views.
    cl->insertWidget(std::min(2, cl->count()), bar_);
    cl->addWidget(compare_, 1);
  }
  connect(compare_, &render::CompareView::arrowClicked, this, [this](int side, int arrow) {
    // The right side is the window's run: its selection is the window's.
    if (side == 1) win_->setSelectedArrow(arrow);
    else left_arrow_ = arrow;
    target_label_->setText(targetDescription(selection()));
  });
  // The keys act on the side last clicked.
  connect(compare_, &render::CompareView::focusedSideChanged, this,
          [this] { target_label_->setText(targetDescription(selection())); });
  // While the comparison covers the window's timeline, it is not laid out
  // (a big branch would cost seconds for nothing).
  win_->ladder()->setLazyWhenHidden(true);

  // Right-click targets in the window and in the comparison.
  win_->ladder()->scrollArea()->widget()->installEventFilter(this);
  win_->ladder()->header()->installEventFilter(this);
  for (int i = 0; i < 2; ++i) win_->diagram(i)->installEventFilter(this);
  win_->inspector()->viewport()->installEventFilter(this);
  for (int s = 0; s < 2; ++s) {
    render::ComparePane* p = compare_->pane(s);
    p->ladder()->scrollArea()->widget()->installEventFilter(this);
    p->ladder()->header()->installEventFilter(this);
    for (int i = 0; i < 2; ++i) p->diagram(i)->installEventFilter(this);
  }

  // The comparison follows the window's time scale, calls and timers, zoom.
  auto scale = [this] { QTimer::singleShot(0, this, [this] { compare_->setTimeScale(win_->timeScale()); }); };
  for (auto k : {"scale_compressed", "scale_linear", "scale_textbook"})
    if (QAction* a = win_->action(k)) connect(a, &QAction::triggered, this, scale);
  if (win_->timeScaleBox()) connect(win_->timeScaleBox(), qOverload<int>(&QComboBox::activated), this, scale);
  if (QAction* a = win_->action("calls_timers"))
    connect(a, &QAction::triggered, this, [this](bool on) { compare_->setCallsAndTimers(on); });
  for (auto [k, f] : {std::pair{"zoomin", 1.25}, {"zoomout", 0.8}})
    if (QAction* a = win_->action(k))
      connect(a, &QAction::triggered, this, [this, f = f] {
        for (int s = 0; s < 2; ++s) compare_->pane(s)->ladder()->zoom(f);
      });
}

QAction* Lab::action(const QString& key) const {
  auto it = actions_.find(key);
  return it == actions_.end() ? nullptr : it->second;
}

int Lab::indexOfId(int id) const {
  for (std::size_t i = 0; i < runs_.size(); ++i)
    if (runs_[i].id == id) return static_cast<int>(i);
  return -1;
}

void Lab::message(const QString& text, bool error) { win_->showMessage(text, error); }

const render::TraceView* Lab::viewOf(int run) const {
  if (run == current_) return win_->view();
  if (comparing() && run >= 0 && run < static_cast<int>(runs_.size()) && indexOfId(runs_[current_].parent) == run)
    return compare_->pane(0)->view();
  return nullptr;
}

std::shared_ptr<const render::TraceView> Lab::sharedViewOf(int run) const {
  if (run < 0 || run >= static_cast<int>(runs_.size()) || !runs_[run].trace) return nullptr;
  if (runs_[run].view) return runs_[run].view;
  return std::make_shared<render::TraceView>(runs_[run].trace);
}

// ---------------------------------------------------------------- runs

void Lab::onTraceShown() {
  if (switching_) return;
  // A scenario was opened: a new original, no branches.
  runs_.clear();
  current_ = 0;
  if (win_->scenario()) {
    LabRun r;
    r.id = next_id_++;
    r.scenario = std::make_shared<const Scenario>(*win_->scenario());
    r.trace = win_->trace();
    runs_.push_back(std::move(r));
  }
  compare_on_ = false;
  refreshTabs();
  refreshCompare();
  Q_EMIT runsChanged();
}

void Lab::setCurrentRun(int index) {
  if (index < 0 || index >= static_cast<int>(runs_.size())) return;
  current_ = index;
  showCurrent();
}

void Lab::showCurrent() {
  const LabRun& r = runs_[current_];
  const Time now = win_->displayTime();
  const int conn = win_->connectionIndex();
  // The comparison will cover the centre: hide it first, so the window's
  // timeline is not laid out for nothing (LadderWidget::setLazyWhenHidden).
  if (comparing() && win_->centerSplit()) win_->centerSplit()->setVisible(false);
  switching_ = true;
  win_->setTrace(*r.scenario, r.trace);
  switching_ = false;
  if (win_->view() && conn > 0 && conn < static_cast<int>(win_->view()->connections().size())) win_->setConnection(conn);
  refreshTabs();
  refreshCompare();
  // The same moment in the other run.
  win_->setCursorTime(std::min(now, win_->view() ? win_->view()->end_time() : 0));
  Q_EMIT runsChanged();
}

bool Lab::comparing() const {
  return compare_on_ && current_ > 0 && current_ < static_cast<int>(runs_.size()) &&
         indexOfId(runs_[current_].parent) >= 0;
}

void Lab::setCompare(bool on) {
  compare_on_ = on;
  if (on && current_ <= 0) {
    compare_on_ = false;
    message(tr("Compare with parent needs a branch: right-click a segment or a socket and choose an action, or "
               "use Lab → Compare profiles."),
            true);
  }
  refreshCompare();
  if (comparing()) onCursorMoved();
}

QString Lab::chainText(const LabRun& r) const {
  QStringList chain;
  for (const LabRun* p = &r; p;) {
    chain.prepend(p->parent < 0 ? tr("Original") : p->name);
    const int pi = indexOfId(p->parent);
    p = pi >= 0 ? &runs_[pi] : nullptr;
  }
  return chain.join("  →  ");
}

void Lab::refreshTabs() {
  const bool was = updating_tabs_;
  updating_tabs_ = true;
  while (tabs_->count() > static_cast<int>(runs_.size())) tabs_->removeTab(tabs_->count() - 1);
  for (std::size_t i = 0; i < runs_.size(); ++i) {
    const LabRun& r = runs_[i];
    QString text = i == 0 ? tr("Original") : r.name;
    // A branch of a branch says so: one ↳ per level.
    int depth = 0;
    for (int p = indexOfId(r.parent); p > 0; p = indexOfId(runs_[p].parent)) ++depth;
    if (i > 0) text = QString(depth, QChar(0x21B3)) + (depth ? " " : "") + text;
    if (static_cast<int>(i) >= tabs_->count()) tabs_->addTab(text);
    else tabs_->setTabText(static_cast<int>(i), text);
    tabs_->setTabToolTip(static_cast<int>(i), chainText(r) + (r.origin.isEmpty() ? "" : "\n" + r.origin));
  }
  if (tabs_->count() > 0) {
    // The original cannot be closed.
    if (QWidget* b = tabs_->tabButton(0, QTabBar::RightSide)) b->hide();
    tabs_->setCurrentIndex(current_);
  }
  updating_tabs_ = was;
  bar_->setVisible(runs_.size() > 1);
  actions_["compare"]->setChecked(comparing());
  actions_["compare"]->setEnabled(current_ > 0);
  actions_["rename"]->setEnabled(current_ > 0);
  actions_["close_run"]->setEnabled(current_ > 0);
  actions_["save"]->setEnabled(current_ > 0);
}

void Lab::refreshCompare() {
  const bool show = comparing();
  // The comparison takes the centre; the side docks give it their room and
  // come back as they were afterwards.
  QDockWidget* docks[2] = {win_->findChild<QDockWidget*>("browserDock"), win_->findChild<QDockWidget*>("bottomDock")};
  if (show && !docks_saved_) {
    for (int i = 0; i < 2; ++i)
      if (docks[i]) {
        restore_docks_[i] = docks[i]->isVisible() || !win_->isVisible();
        docks[i]->hide();
      }
    docks_saved_ = true;
  } else if (!show && docks_saved_) {
    for (int i = 0; i < 2; ++i)
      if (docks[i] && restore_docks_[i] && !win_->lectureMode()) docks[i]->show();
    docks_saved_ = false;
  }
  if (win_->centerSplit()) win_->centerSplit()->setVisible(!show);
  compare_->setVisible(show);
  actions_["compare"]->setChecked(show);
  if (!show) return;
  applied_theme_key_ = QString("%1|%2").arg(win_->lectureMode()).arg(win_->language());
  // Its final size before the runs are laid out (not once more after).
  if (QLayout* l = win_->centralWidget()->layout()) l->activate();
  const LabRun& b = runs_[current_];
  const LabRun& a = runs_[indexOfId(b.parent)];
  const std::string lang = win_->language().startsWith("zh") ? "zh_CN" : "en";
  if (b.diff_lang != lang) {
    // Made in another language (or not yet): worded again.
    LabRun& m = runs_[current_];
    m.diffs = b.from_parent.identical ? std::vector<std::string>{} : describe_differences(*a.trace, *b.trace, lang);
    m.diff_lang = lang;
  }
  const std::vector<std::string>& diffs = b.diffs;
  compare_->setTheme([&] {
    render::Theme th = win_->lectureMode() ? render::presentation_theme() : render::default_theme();
    th.lang = win_->language();
    return th;
  }());
  compare_->setTimeScale(win_->timeScale());
  compare_->setCallsAndTimers(win_->action("calls_timers") ? win_->action("calls_timers")->isChecked() : true);
  left_arrow_ = -1;
  compare_->setHideNext(win_->hideNext());
  compare_->setRuns({indexOfId(b.parent) == 0 ? tr("Original") : a.name, a.trace, a.view}, {b.name, b.trace, b.view},
                    b.from_parent.identical, b.from_parent.index, diffs);
  compare_->setCursor(win_->cursor(), win_->displayTime(), win_->connectionIndex());
}

void Lab::onCursorMoved() {
  // The lecture theme or the language changed: the comparison follows.
  const QString key = QString("%1|%2").arg(win_->lectureMode()).arg(win_->language());
  if (key != applied_theme_key_) {
    applied_theme_key_ = key;
    if (comparing()) refreshCompare();
  }
  if (comparing()) {
    compare_->setHideNext(win_->hideNext());
    compare_->setCursor(win_->cursor(), win_->displayTime(), win_->connectionIndex());
  }
  const Target t = selection();
  target_label_->setText(targetDescription(t));
}

int Lab::addRun(LabRun r) {
  r.id = next_id_++;
  // After its parent's last descendant, so a family stays together.
  int at = indexOfId(r.parent);
  std::set<int> family = {r.parent};
  for (int i = at + 1; i < static_cast<int>(runs_.size()); ++i) {
    if (!family.count(runs_[i].parent)) break;
    family.insert(runs_[i].id);
    at = i;
  }
  runs_.insert(runs_.begin() + at + 1, std::move(r));
  if (current_ > at) ++current_;
  return at + 1;
}

bool Lab::renameRun(int index, const QString& name) {
  if (index <= 0 || index >= static_cast<int>(runs_.size())) {
    message(tr("Only a branch can be renamed."), true);
    return false;
  }
  const QString n = name.simplified();
  if (n.isEmpty()) {
    message(tr("A branch needs a name; it keeps “%1”.").arg(runs_[index].name), true);
    return false;
  }
  runs_[index].name = n;
  refreshTabs();
  if (comparing()) refreshCompare();
  Q_EMIT runsChanged();
  return true;
}

bool Lab::closeRun(int index) {
  if (index <= 0 || index >= static_cast<int>(runs_.size())) {
    message(tr("The original run cannot be closed; open another scenario instead."), true);
    return false;
  }
  // The branch and every branch made from it.
  std::set<int> gone = {runs_[index].id};
  for (bool more = true; more;) {
    more = false;
    for (const auto& r : runs_)
      if (gone.count(r.parent) && !gone.count(r.id)) {
        gone.insert(r.id);
        more = true;
      }
  }
  const QString name = runs_[index].name;
  const int cur_id = runs_[current_].id;
  int parent_id = runs_[index].parent;
  runs_.erase(std::remove_if(runs_.begin(), runs_.end(), [&](const LabRun& r) { return gone.count(r.id) > 0; }),
              runs_.end());
  const bool current_gone = gone.count(cur_id) > 0;
  current_ = current_gone ? std::max(0, indexOfId(parent_id)) : indexOfId(cur_id);
  if (current_gone) showCurrent();
  else {
    refreshTabs();
    refreshCompare();
    Q_EMIT runsChanged();
  }
  message(gone.size() > 1 ? tr("Closed the branch “%1” and the %2 branch(es) made from it.").arg(name).arg(gone.size() - 1)
                          : tr("Closed the branch “%1”.").arg(name),
          false);
  return true;
}

std::string Lab::scenarioText(int index) const {
  const LabRun& r = runs_.at(static_cast<std::size_t>(index));
  std::ostringstream head;
  const Scenario& root = *runs_[0].scenario;
  head << "tcpsim lab: the branch \"" << r.name.toStdString() << "\" of "
       << (root.path.empty() ? root.name : QFileInfo(QString::fromStdString(root.path)).fileName().toStdString());
  for (const LabRun* p = &r; p && p->parent >= 0;) {
    if (!p->origin.isEmpty() && p->actions.empty()) head << "\n" << p->origin.toStdString();
    const int pi = indexOfId(p->parent);
    p = pi >= 0 ? &runs_[pi] : nullptr;
  }
  for (const auto& a : r.actions) head << "\naction: " << action_text(a);
  return scenario_to_yaml(*r.scenario, head.str());
}

bool Lab::saveRun(int index, const QString& path, bool overwrite, QString* error) {
  auto fail = [&](const QString& m) {
    if (error) *error = m;
    return false;
  };
  if (index <= 0 || index >= static_cast<int>(runs_.size())) return fail(tr("Only a branch can be saved as a scenario."));
  if (path.isEmpty()) return fail(tr("No file name given."));
  std::string text;
  try {
    text = scenarioText(index);
  } catch (const std::exception& e) {
    return fail(tr("The branch “%1” cannot be written as a scenario file: %2").arg(runs_[index].name, e.what()));
  }
  std::string err;
  if (!write_stream_atomically(path.toStdString(), overwrite, [&](std::ostream& o) { o << text; }, &err))
    return fail(tr("Could not save the branch “%1”: %2").arg(runs_[index].name, QString::fromStdString(err)));
  message(tr("Saved the branch “%1” as %2: it opens, runs and checks like any other scenario (File → Open).")
              .arg(runs_[index].name, path),
          false);
  return true;
}

// ---------------------------------------------------------------- actions

bool Lab::leftFocused() const { return comparing() && compare_->focusedSide() == 0; }

void Lab::selectLeftArrow(int step) {
  const render::TraceView* v = compare_->pane(0)->view();
  if (!v || v->arrows().empty()) return;
  const Target t = selection();
  left_arrow_ = std::clamp(t.arrow < 0 ? 0 : t.arrow + step, 0, static_cast<int>(v->arrows().size()) - 1);
  compare_->pane(0)->ladder()->setSelectedArrow(left_arrow_);
  target_label_->setText(targetDescription(selection()));
}

Lab::Target Lab::selection() const {
  Target t;
  // While comparing, the side last clicked: the left is the parent run.
  const bool left = leftFocused();
  t.run = left ? indexOfId(runs_[current_].parent) : current_;
  const render::TraceView* v = left ? compare_->pane(0)->view() : win_->view();
  if (!v) return t;
  const std::size_t cursor = left ? compare_->pane(0)->cursor() : win_->cursor();
  int a = left ? left_arrow_ : win_->selectedArrow();
  if (a < 0 && cursor > 0) a = v->arrow_of_event(cursor - 1);
  if (a >= static_cast<int>(v->arrows().size())) a = -1;
  t.arrow = a;
  auto eps = render::connection_endpoints(v, win_->connectionIndex());
  t.sock = eps[endpoint_] ? eps[endpoint_] : eps[0];
  return t;
}

void Lab::setSelectedEndpoint(int side) {
  endpoint_ = side == 1 ? 1 : 0;
  actions_[endpoint_ == 0 ? "ep_left" : "ep_right"]->setChecked(true);
  target_label_->setText(targetDescription(selection()));
}

QString Lab::targetDescription(const Target& t) const {
  const render::TraceView* v = viewOf(t.run);
  if (!v) return {};
  QStringList parts;
  if (t.arrow >= 0 && t.arrow < static_cast<int>(v->arrows().size())) {
    const Event& e = v->event(v->arrows()[t.arrow].send);
    parts << tr("segment %1 from %2 at %3")
                 .arg(QString::fromStdString(flags_string(e.seg.flags)),
                      QString::fromStdString(v->host_name(e.host)), axis_time(e.t));
  }
  if (t.sock) parts << tr("socket %1").arg(QString::fromStdString(v->socket_label(t.sock)));
  if (parts.isEmpty()) return QString();
  // While comparing, which of the two runs.
  if (comparing() && t.run >= 0 && t.run < static_cast<int>(runs_.size())) {
    const QString run = t.run == current_ ? tr("%1 ▶").arg(runs_[t.run].name)
                                          : tr("◀ %1").arg(t.run == 0 ? tr("Original") : runs_[t.run].name);
    return tr("Acts on %1: %2").arg(run, parts.join(" · "));
  }
  return tr("Acts on: %1").arg(parts.join(" · "));
}

void Lab::trigger(Op op) {
  Target t = menu_target_ ? *menu_target_ : selection();
  menu_target_.reset();
  act(op, t);
}

QString Lab::actionText(Op op, const Target& t, const QString& value, QString* error) const {
  auto fail = [&](const QString& m) {
    if (error) *error = m;
    return QString();
  };
  if (t.run < 0 || t.run >= static_cast<int>(runs_.size()) || !runs_[t.run].trace)
    return fail(tr("Open a scenario first."));
  const LabRun& r = runs_[t.run];
  auto owned = sharedViewOf(t.run);
  const render::TraceView& v = *owned;
  if (is_segment_op(op)) {
    if (t.arrow < 0 || t.arrow >= static_cast<int>(v.arrows().size()))
      return fail(tr("No segment is selected: click a segment's arrow in the packet timeline (or step the cursor to a "
                     "segment's event), then choose the action again."));
    Time by = 0;
    if (op == Op::Delay) {
      auto d = parse_duration(value.trimmed().toStdString());
      if (!d || *d <= 0) return fail(tr("“%1” is not a delay: give a time above zero such as 200ms or 1.5s.").arg(value));
      by = *d;
    }
    const ActionKind k = op == Op::Drop ? ActionKind::Drop : op == Op::Delay ? ActionKind::Delay : ActionKind::Duplicate;
    try {
      return QString::fromStdString(action_text(segment_action(*r.trace, v.arrows()[t.arrow].send, k, by)));
    } catch (const ActionError& e) {
      return fail(QString::fromStdString(e.message()));
    }
  }
  if (!t.sock) return fail(tr("No socket is selected: right-click a state diagram, a lifeline's header or the "
                              "inspector, or choose the endpoint in the Lab menu (Ctrl+1, Ctrl+2)."));
  const SocketInfo* si = r.trace->meta.socket(t.sock);
  if (!si) return fail(tr("The socket is not in this run."));
  QString proc, sock;
  if (!split_label(si->label, &proc, &sock))
    return fail(tr("The socket %1 has no process and name to act on.").arg(QString::fromStdString(si->label)));
  const QString at = lab_duration(win_->displayTime());
  const QString host = QString::fromStdString(v.host_name(si->host));
  switch (op) {
    case Op::Close: return QString("%1: %2 close %3").arg(at, proc, sock);
    case Op::ShutWr: return QString("%1: %2 shutdown %3 wr").arg(at, proc, sock);
    case Op::ShutRd: return QString("%1: %2 shutdown %3 rd").arg(at, proc, sock);
    case Op::ShutRdWr: return QString("%1: %2 shutdown %3 rdwr").arg(at, proc, sock);
    case Op::Send: return QString("%1: %2 send %3 %4").arg(at, proc, sock, value.trimmed());
    case Op::Abort: return QString("%1: %2 abort %3").arg(at, proc, sock);
    case Op::Exit: return QString("%1: %2 exit").arg(at, proc);
    case Op::Crash: return QString("%1: crash %2").arg(at, host);
    case Op::LinkDown: {
      const std::uint32_t peer = v.peer_of(t.sock);
      const SocketInfo* pi = peer ? r.trace->meta.socket(peer) : nullptr;
      if (pi && pi->host != si->host)
        return QString("%1: link down between %2 %3 for %4")
            .arg(at, host, QString::fromStdString(v.host_name(pi->host)), value.trimmed());
      return QString("%1: link down for %2").arg(at, value.trimmed());
    }
    default: break;
  }
  return fail(tr("Unknown action."));
}

bool Lab::act(Op op, const Target& target) {
  Target t = target;
  if (t.run < 0) t.run = current_;
  if (busy_) {
    message(tr("A branch is running: wait for it, or cancel it."), true);
    return false;
  }
  if (win_->bigWorkload()) {
    message(tr("A big workload keeps no trace, so there is nothing to act on; the lab needs a scenario under the "
               "big-workload threshold."),
            true);
    return false;
  }
  QString value;
  if (op == Op::Delay || op == Op::Send || op == Op::LinkDown) {
    // Check the target before asking for a value.
    QString err;
    if (actionText(op, t, op == Op::Delay ? "1ms" : "1", &err).isEmpty()) {
      message(err, true);
      return false;
    }
    std::optional<QString> v =
        op == Op::Delay ? prompt_(tr("Delay the segment"), tr("Delay it by (e.g. 200ms, 1.5s):"), "200ms")
        : op == Op::Send ? prompt_(tr("send()"), tr("Number of bytes to send:"), "1000")
                         : prompt_(tr("Take the link down"), tr("Down for (e.g. 500ms, 5s):"), "1s");
    if (!v) return false;  // the user cancelled
    value = *v;
  }
  QString err;
  const QString text = actionText(op, t, value, &err);
  if (text.isEmpty()) {
    message(err, true);
    return false;
  }
  return branch(t.run, text);
}

bool Lab::applyActionText(const QString& text, int run) {
  if (busy_) {
    message(tr("A branch is running: wait for it, or cancel it."), true);
    return false;
  }
  return branch(run < 0 ? current_ : run, text);
}

bool Lab::runInThread(const QString& what, const std::function<void(const std::atomic<bool>*)>& work) {
  busy_ = true;
  std::atomic<bool> cancel{false}, done{false};
  std::exception_ptr failure;
  std::thread worker([&] {
    try {
      work(&cancel);
    } catch (...) {
      failure = std::current_exception();
    }
    done = true;
  });
  {
    // Modal to the window after a short while: the window keeps painting,
    // Cancel stops the run at its next event (RunOptions::cancel).
    QProgressDialog dlg(what, tr("Cancel"), 0, 0, win_);
    dlg.setObjectName("labProgress");
    dlg.setWindowModality(Qt::WindowModal);
    // Shown after the delay whether or not a value is ever set (the run's
    // length is not known: a busy bar).
    dlg.setMinimumDuration(std::numeric_limits<int>::max());
    QTimer::singleShot(progress_delay_ms_, &dlg, [&dlg] { dlg.show(); });
    dlg.setAutoReset(false);
    dlg.setAutoClose(false);
    connect(&dlg, &QProgressDialog::canceled, &dlg, [&] {
      cancel = true;
      dlg.setLabelText(tr("Cancelling…"));
    });
    progress_ = &dlg;
    QApplication::setOverrideCursor(Qt::BusyCursor);
    while (!done) {
      QApplication::processEvents(QEventLoop::AllEvents, 30);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    QApplication::restoreOverrideCursor();
    progress_ = nullptr;
  }
  worker.join();
  busy_ = false;
  if (cancel) return false;
  if (failure) std::rethrow_exception(failure);
  return true;
}

bool Lab::branch(int run, const QString& text) {
  if (run < 0 || run >= static_cast<int>(runs_.size()) || !runs_[run].trace) {
    message(tr("Open a scenario first."), true);
    return false;
  }
  auto refuse = [&](const ActionError& e) {
    message(e.col() > 0 ? tr("Cannot do “%1”: column %2: %3").arg(text).arg(e.col()).arg(QString::fromStdString(e.message()))
                        : tr("Cannot do “%1”: %2").arg(text, QString::fromStdString(e.message())),
            true);
    return false;
  };
  // The same parser as `tcpsim run --inject`.
  Action a;
  try {
    a = parse_action(text.toStdString());
  } catch (const ActionError& e) {
    return refuse(e);
  }
  const auto scenario = runs_[run].scenario;
  const auto trace = runs_[run].trace;
  const auto actions = runs_[run].actions;
  const int parent_id = runs_[run].id;
  std::optional<Branch> made;
  std::vector<std::string> diffs;
  std::shared_ptr<const Trace> made_trace;
  std::shared_ptr<const render::TraceView> made_view, parent_view = runs_[run].view;
  const std::string lang = win_->language().startsWith("zh") ? "zh_CN" : "en";
  bool ok = false;
  try {
    // The worker reads the parent's scenario and trace (immutable, shared)
    // and writes only the locals above; the GUI thread takes them after.
    ok = runInThread(tr("Running the branch “%1”…").arg(text), [&](const std::atomic<bool>* cancel) {
      RunOptions opt;
      opt.cancel = cancel;
      made = make_branch(*scenario, *trace, actions, a, opt);
      if (*cancel) return;
      // The differences and the views' indexes too (seconds for a big
      // run), off the GUI thread.
      if (!made->from_parent.identical) diffs = describe_differences(*trace, made->trace, lang);
      if (*cancel) return;
      made_trace = std::make_shared<const Trace>(std::move(made->trace));
      made_view = std::make_shared<const render::TraceView>(made_trace);
      if (!parent_view) parent_view = std::make_shared<const render::TraceView>(trace);
    });
  } catch (const ActionError& e) {
    return refuse(e);
  } catch (const std::exception& e) {
    message(tr("The branch “%1” could not run: %2").arg(text, QString::fromUtf8(e.what())), true);
    return false;
  }
  if (!ok) {
    message(tr("Cancelled: no branch was made."), false);
    return false;
  }
  if (indexOfId(parent_id) < 0 || !made) {
    message(tr("The run “%1” was closed while its branch ran; the branch was discarded.").arg(text), true);
    return false;
  }
  LabRun r;
  r.parent = parent_id;
  r.name = made->name.empty() ? text : QString::fromStdString(made->name);
  r.actions = std::move(made->actions);
  r.origin = tr("action: %1").arg(text);
  r.scenario = std::make_shared<const Scenario>(std::move(made->scenario));
  r.trace = made_trace;
  r.view = made_view;
  r.from_parent = made->from_parent;
  if (const int pi = indexOfId(parent_id); pi >= 0 && !runs_[pi].view) runs_[pi].view = parent_view;
  r.diffs = std::move(diffs);
  r.diff_lang = lang;
  const Divergence d = r.from_parent;
  const QString name = r.name;
  const int idx = addRun(std::move(r));
  compare_on_ = true;
  setCurrentRun(idx);
  message(tr("Branch “%1”: the runs part at event %2 (t = %3); the two are side by side below. F7 switches the "
             "comparison, Ctrl+W closes the branch.")
              .arg(name)
              .arg(d.index)
              .arg(axis_time(d.t)),
          false);
  return true;
}

bool Lab::compareProfiles() {
  if (busy_) {
    message(tr("A branch is running: wait for it, or cancel it."), true);
    return false;
  }
  if (runs_.empty() || !runs_[current_].trace || win_->bigWorkload()) {
    message(tr("Open a scenario first (a big workload keeps no trace to compare)."), true);
    return false;
  }
  const LabRun& base = runs_[current_];
  const auto scenario = base.scenario;
  const auto actions = base.actions;
  const int base_id = base.id;
  const auto base_trace = base.trace;
  Scenario s[2];
  Trace t[2];
  std::shared_ptr<const Trace> st[2];
  std::shared_ptr<const render::TraceView> sv[2];
  std::vector<std::string> diffs;
  const std::string lang = win_->language().startsWith("zh") ? "zh_CN" : "en";
  bool ok = false;
  try {
    ok = runInThread(tr("Running the scenario under linux and rfc9293…"), [&](const std::atomic<bool>* cancel) {
      RunOptions opt;
      opt.cancel = cancel;
      const Profile p[2] = {Profile::Linux, Profile::Rfc9293};
      for (int i = 0; i < 2 && !*cancel; ++i) {
        s[i] = with_profile(*scenario, p[i]);
        t[i] = run_scenario(s[i], opt);
      }
      if (*cancel) return;
      diffs = describe_differences(t[0], t[1], lang);
      for (int i = 0; i < 2 && !*cancel; ++i) {
        st[i] = std::make_shared<const Trace>(std::move(t[i]));
        sv[i] = std::make_shared<const render::TraceView>(st[i]);
      }
    });
  } catch (const std::exception& e) {
    message(tr("The profiles could not be compared: %1").arg(QString::fromUtf8(e.what())), true);
    return false;
  }
  if (!ok) {
    message(tr("Cancelled: no branch was made."), false);
    return false;
  }
  if (indexOfId(base_id) < 0) return false;
  LabRun l;
  l.parent = base_id;
  l.name = "linux";
  l.actions = actions;
  l.origin = tr("every host under the linux profile");
  l.scenario = std::make_shared<const Scenario>(std::move(s[0]));
  l.trace = st[0];
  l.view = sv[0];
  l.from_parent = first_divergence(*base_trace, *l.trace);
  const int li = addRun(std::move(l));
  LabRun r;
  r.parent = runs_[li].id;
  r.name = "rfc9293";
  r.actions = actions;
  r.origin = tr("every host under the rfc9293 profile");
  r.scenario = std::make_shared<const Scenario>(std::move(s[1]));
  r.trace = st[1];
  r.view = sv[1];
  r.from_parent = first_divergence(*runs_[li].trace, *r.trace);
  r.diffs = std::move(diffs);
  r.diff_lang = lang;
  const Divergence d = r.from_parent;
  const int ri = addRun(std::move(r));
  compare_on_ = true;
  setCurrentRun(ri);
  message(d.identical ? tr("linux and rfc9293 give the same run here, event for event.")
                      : tr("linux | rfc9293: the runs part at event %1 (t = %2); the differences are listed below.")
                            .arg(d.index)
                            .arg(axis_time(d.t)),
          false);
  return true;
}

// ---------------------------------------------------------------- context menus

QMenu* Lab::contextMenuFor(const Target& t) {
  if (context_) context_->deleteLater();
  context_ = new QMenu(win_);
  context_->setObjectName("labContextMenu");
  context_->setFont(win_->font());
  menu_target_ = t;
  // A title that says what is acted on (disabled: it does nothing).
  QString what = targetDescription(t);
  if (what.isEmpty()) what = tr("Nothing to act on here");
  context_title_ = context_->addAction(what);
  context_title_->setEnabled(false);
  context_->addSeparator();
  if (t.arrow >= 0)
    for (auto k : {"drop", "delay", "duplicate"}) context_->addAction(actions_[k]);
  if (t.arrow >= 0 && t.sock) context_->addSeparator();
  if (t.sock)
    for (auto k : {"close", "shut_wr", "shut_rd", "shut_rdwr", "send", "abort", "exit", "crash", "link"})
      context_->addAction(actions_[k]);
  // The target lives until the menu is gone; an action triggered from it
  // (delivered before the queued clear) acts on it.
  connect(context_, &QMenu::aboutToHide, this, [this] {
    QTimer::singleShot(0, this, [this] { menu_target_.reset(); });
  });
  return context_;
}

void Lab::popupContextMenu(const Target& t, const QPoint& global) { contextMenuFor(t)->popup(global); }

std::optional<Lab::Target> Lab::targetAt(QObject* o, const QPoint& pos) const {
  // Which run and which ladder / diagram the object belongs to.
  struct Where {
    render::LadderWidget* ladder = nullptr;
    int diagram = -1;
    int run = -1;
    const render::TraceView* view = nullptr;
    std::size_t cursor = 0;
    bool header = false;
  } w;
  auto match_ladder = [&](render::LadderWidget* l, int run, const render::TraceView* v, std::size_t cursor) {
    if (o == l->scrollArea()->widget() || o == l->header()) {
      w.ladder = l;
      w.run = run;
      w.view = v;
      w.cursor = cursor;
      w.header = o == l->header();
      return true;
    }
    return false;
  };
  const int parent = current_ < static_cast<int>(runs_.size()) ? indexOfId(runs_[current_].parent) : -1;
  if (!match_ladder(win_->ladder(), current_, win_->shownView() ? win_->shownView() : win_->view(), win_->cursor())) {
    for (int i = 0; i < 2; ++i)
      if (o == win_->diagram(i)) {
        w.diagram = i;
        w.run = current_;
        w.view = win_->view();
      }
    for (int s = 0; s < 2 && w.run < 0; ++s) {
      render::ComparePane* p = compare_->pane(s);
      const int run = s == 0 ? parent : current_;
      if (match_ladder(p->ladder(), run, p->view(), p->cursor())) break;
      for (int i = 0; i < 2; ++i)
        if (o == p->diagram(i)) {
          w.diagram = i;
          w.run = run;
          w.view = p->view();
        }
    }
  }
  Target t;
  if (o == win_->inspector()->viewport()) {
    t.run = current_;
    QTreeWidgetItem* it = win_->inspector()->itemAt(pos);
    while (it && it->parent()) it = it->parent();
    if (!it || !win_->view()) return std::nullopt;
    const QString key = it->data(0, kInspectorKeyRole).toString();
    if (key == "segment") {
      t.arrow = win_->selectedArrow();
      return t;
    }
    for (const auto& si : win_->view()->trace().meta.sockets)
      if (QString::fromStdString(si.label) == key) t.sock = si.id;
    if (!t.sock) return std::nullopt;
    return t;
  }
  if (w.run < 0 || !w.view) return std::nullopt;
  t.run = w.run;
  const auto eps = render::connection_endpoints(w.view, win_->connectionIndex());
  if (w.diagram >= 0) {
    t.sock = eps[w.diagram];
    return t.sock ? std::optional<Target>(t) : std::nullopt;
  }
  const render::LadderLayout* lay = w.ladder->layout();
  if (!lay) return std::nullopt;
  // The socket of a host: the selected connection's end on it, else the
  // first socket of that host with a name to act on. Hosts are the
  // layout's lifelines (lane_view(): a host talking to itself has two).
  const Trace& lanes = lay->lane_view().trace();
  auto sock_on = [&](int host) -> std::uint32_t {
    for (auto s : eps)
      if (auto* si = s ? lanes.meta.socket(s) : nullptr; si && si->host == host) return s;
    for (auto s : w.view->sockets())
      if (auto* si = lanes.meta.socket(s); si && si->host == host && si->label.find('/') != std::string::npos)
        return s;
    return 0;
  };
  if (w.header) {
    // A lifeline's header box (the host's name and address).
    const QPointF p = QPointF(pos) + w.ladder->header()->pos();
    int host = 0;
    for (const auto& tx : lay->texts()) {
      if (tx.role != render::LadderText::Header) continue;
      if (w.ladder->headerToWidget(tx.box).contains(p)) {
        t.sock = sock_on(host);
        return t.sock ? std::optional<Target>(t) : std::nullopt;
      }
      ++host;
    }
    return std::nullopt;
  }
  const QPointF lp(pos.x(), pos.y() + lay->header_height());
  t.arrow = lay->arrow_at(lp, w.cursor, win_->displayTime());
  if (t.arrow >= 0) return t;
  // Beside a lifeline: that host's socket.
  const int nh = static_cast<int>(lay->lifeline_count());
  int best = -1;
  double bd = 1e9;
  for (int h = 0; h < nh; ++h) {
    const double d = std::abs(lay->lifeline_x(h) - lp.x());
    if (d < bd) {
      bd = d;
      best = h;
    }
  }
  if (best < 0) return std::nullopt;
  t.sock = sock_on(best);
  return t.sock ? std::optional<Target>(t) : std::nullopt;
}

bool Lab::eventFilter(QObject* o, QEvent* e) {
  if (e->type() == QEvent::ContextMenu) {
    auto* ce = static_cast<QContextMenuEvent*>(e);
    if (auto t = targetAt(o, ce->pos())) {
      // A right-clicked arrow of the window's run becomes its selection.
      if (t->arrow >= 0 && t->run == current_ && o == win_->ladder()->scrollArea()->widget())
        win_->setSelectedArrow(t->arrow);
      popupContextMenu(*t, ce->globalPos());
    } else {
      popupContextMenu(Target{current_, -1, 0}, ce->globalPos());
    }
    return true;
  }
  if (e->type() == QEvent::MouseButtonPress) {
    // A click on a diagram of the window chooses that endpoint for the keyboard.
    for (int i = 0; i < 2; ++i)
      if (o == win_->diagram(i)) setSelectedEndpoint(i);
  }
  return QObject::eventFilter(o, e);
}

void Lab::retranslate() {
  auto set = [this](const char* key, const QString& text, const QString& tip = {}) {
    QAction* a = actions_[key];
    a->setText(text);
    QStringList keys;
    for (const auto& ks : a->shortcuts()) keys << ks.toString(QKeySequence::NativeText);
    a->setToolTip((tip.isEmpty() ? QString(text).remove('&') : tip) + (keys.isEmpty() ? "" : " (" + keys.join(", ") + ")"));
  };
  menu_->setTitle(tr("La&b"));
  set("drop", tr("&Drop this segment"));
  set("delay", tr("De&lay this segment by…"));
  set("duplicate", tr("D&uplicate this segment"));
  set("next_seg", tr("Select the ne&xt segment"));
  set("prev_seg", tr("Select the pre&vious segment"));
  set("close", tr("&close() the socket"));
  set("shut_wr", tr("shutdown(SHUT_&WR)"), tr("shutdown(SHUT_WR): no more sending; a FIN goes out"));
  set("shut_rd", tr("shutdown(SHUT_&RD)"), tr("shutdown(SHUT_RD): no more receiving"));
  set("shut_rdwr", tr("shutdown(SHUT_RDWR) (b&oth)"), tr("shutdown(SHUT_RDWR): both directions"));
  set("send", tr("&send() N bytes…"));
  set("abort", tr("SO_LINGER 0 and close() (&abort: RST)"));
  set("exit", tr("&Exit the process"));
  set("crash", tr("Crash the &host (power off)"));
  set("link", tr("Take the lin&k down for…"));
  set("ep_left", tr("Act on the left endpoint"));
  set("ep_right", tr("Act on the right endpoint"));
  set("menu", tr("Actions at the cursor…"), tr("The context menu of the selected segment and endpoint"));
  set("profiles", tr("Compare pro&files (linux | rfc9293)"));
  set("compare", tr("Compare with &parent"), tr("The branch and the run it was made from, side by side"));
  set("next_run", tr("Next run"));
  set("prev_run", tr("Previous run"));
  set("rename", tr("Re&name branch…"));
  set("close_run", tr("Close &branch"));
  set("save", tr("Save &branch as…"), tr("Write the current branch as a scenario file"));
  tabs_->setToolTip(tr("The original run and its branches: F2 renames, Ctrl+W closes, Ctrl+PgDown / Ctrl+PgUp "
                       "switch"));
  if (!runs_.empty()) refreshTabs();
  target_label_->setText(targetDescription(selection()));
  // The lab puts a run in the window itself (it refreshes the comparison
  // after); otherwise the language may have changed the differences' words.
  if (!switching_ && comparing()) {
    const QString key = QString("%1|%2").arg(win_->lectureMode()).arg(win_->language());
    if (key != applied_theme_key_) {
      applied_theme_key_ = key;
      refreshCompare();
    }
  }
  compare_->retranslate();
}

}  // namespace tcpsim::gui
