#include "main_window.hpp"

#include "tcpsim/paths.hpp"
#include "tcpsim/version.hpp"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMenuBar>
#include <QTabBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressDialog>
#include <QTemporaryDir>
#include <QGuiApplication>
#include <QScreen>
#include <QSettings>
#include <QTextDocument>
#include <QSignalBlocker>
#include <QSlider>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QToolBar>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QVariantAnimation>
#include <atomic>
#include <chrono>
#include <thread>

#include "charts.hpp"
#include "event_log_model.hpp"
#include "export_dialog.hpp"
#include "i18n.hpp"
#include "inspector.hpp"
#include "sockets_pane.hpp"
#include "quiz.hpp"
#include "lab_controller.hpp"
#include "ladder.hpp"
#include "render_export.hpp"
#include "state_diagram.hpp"
#include "tcpsim/loader.hpp"
#include "tcpsim/simulation.hpp"

namespace tcpsim::gui {

namespace {
// Lecture mode: the smallest text (px) and the timeline's smallest width,
// enough for its two lifelines, the time column and a label between them.
constexpr int kLecturePx = 24;
constexpr int kLectureLadderMin = 560;
// How many connect() calls the scripts make, loops multiplied out (a loop
// forever counts as unbounded): the measure of a "big workload".
std::uint64_t connects_in(const std::vector<Step>& steps) {
  const std::uint64_t kHuge = std::uint64_t(1) << 40;
  std::uint64_t n = 0;
  for (const auto& st : steps) {
    if (st.kind == StepKind::Connect) ++n;
    if (!st.body.empty()) {
      std::uint64_t b = connects_in(st.body);
      std::uint64_t times = st.kind == StepKind::Loop ? (st.count == 0 ? kHuge : st.count) : 1;
      n += b && times > kHuge / b ? kHuge : b * times;
    }
    n = std::min(n, kHuge);
  }
  return n;
}
}  // namespace

std::uint64_t estimated_connections(const Scenario& s) {
  std::uint64_t n = 0;
  for (const auto& p : s.processes) n += connects_in(p.script);
  return n;
}

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setObjectName("tcpsim-main");
  setAcceptDrops(true);
  buildUi();
  buildMenus();
  QSettings st;
  speed_ = st.value("speed", 1.0).toDouble();
  if (auto sc = render::parse_time_scale(st.value("timeScale", "compressed").toString())) ladder_->setTimeScale(*sc);
  {
    const bool calls = st.value("callsAndTimers", true).toBool();
    ladder_->setCallsAndTimers(calls);
    actions_["calls_timers"]->setChecked(calls);
  }
  if (!restoreGeometry(st.value("geometry").toByteArray())) {
    // First start: most of the screen (a projector at 1024x768 included),
    // not the widgets' cramped size hint, which squeezes the lesson pane
    // into a column of single letters.
    if (const QScreen* sc = QGuiApplication::primaryScreen()) {
      const QRect r = sc->availableGeometry();
      resize(r.width() * 9 / 10, r.height() * 9 / 10);
      move(r.x() + r.width() / 20, r.y() + r.height() / 20);
    }
  }
  restoreState(st.value("windowState").toByteArray());
  if (center_split_) split_restored_ = center_split_->restoreState(st.value("centerSplit").toByteArray());
  connect(&play_timer_, &QTimer::timeout, this, &MainWindow::playTick);
  play_timer_.setInterval(30);
  anim_ = new QVariantAnimation(this);
  anim_->setStartValue(0.0);
  anim_->setEndValue(1.0);
  connect(anim_, &QVariantAnimation::valueChanged, this, [this](const QVariant& v) {
    for (auto* d : diagrams_) d->setProgress(v.toDouble());
  });
  setCatalogueDir(QString::fromStdString(catalogue_dir(TCPSIM_SCENARIOS_DIR)));
  lab_ = new Lab(this);
  quiz_ = new Quiz(this);
  retranslate();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildUi() {
  // Message area (load errors) above the central views.
  auto* central = new QWidget(this);
  auto* cl = new QVBoxLayout(central);
  cl->setContentsMargins(4, 4, 4, 4);
  cl->setSpacing(4);
  message_ = new QLabel(central);
  message_->setObjectName("message");
  message_->setWordWrap(true);
  message_->setTextFormat(Qt::PlainText);  // it quotes file names and scenario text: never rich text
  message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  message_->hide();
  cl->addWidget(message_);
  big_notice_ = new QLabel(central);
  big_notice_->setObjectName("bigWorkloadNotice");
  big_notice_->setWordWrap(true);
  big_notice_->setStyleSheet("QLabel{background:#E3F1FB;border:2px solid #0072B2;padding:8px;font-size:12pt}");
  big_notice_->hide();
  cl->addWidget(big_notice_);

  auto* sel = new QHBoxLayout;
  conn_label_ = new QLabel(central);
  conn_select_ = new QComboBox(central);
  conn_select_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  sel->addWidget(conn_label_);
  sel->addWidget(conn_select_);
  sel->addStretch(1);
  cl->addLayout(sel);
  connect(conn_select_, qOverload<int>(&QComboBox::activated), this, &MainWindow::setConnection);

  // Diagram | ladder & charts | diagram: the two endpoints either side of the
  // timeline, as its lifelines are.
  center_split_ = new QSplitter(Qt::Horizontal, central);
  diagrams_[0] = new render::StateDiagramWidget(center_split_);
  center_tabs_ = new QTabWidget(center_split_);
  ladder_ = new render::LadderWidget(center_tabs_);
  center_tabs_->addTab(ladder_, "");
  auto* chart_tabs = new QTabWidget(center_tabs_);
  for (int i = 0; i < 4; ++i) {
    charts_[i] = new QChartView(chart_tabs);
    charts_[i]->setRenderHint(QPainter::Antialiasing);
    chart_tabs->addTab(charts_[i], "");
  }
  center_tabs_->addTab(chart_tabs, "");
  diagrams_[1] = new render::StateDiagramWidget(center_split_);
  center_split_->addWidget(diagrams_[0]);
  center_split_->addWidget(center_tabs_);
  center_split_->addWidget(diagrams_[1]);
  center_split_->setStretchFactor(0, 3);
  center_split_->setStretchFactor(1, 4);
  center_split_->setStretchFactor(2, 3);
  center_split_->setChildrenCollapsible(false);
  cl->addWidget(center_split_, 1);
  // A dragged handle is the user's choice: kept while the timeline still
  // gets the width its lifelines need.
  connect(center_split_, &QSplitter::splitterMoved, this, [this] { split_restored_ = true; });
  center_split_->installEventFilter(this);
  setCentralWidget(central);
  connect(ladder_, &render::LadderWidget::arrowClicked, this, &MainWindow::setSelectedArrow);
  // A wider timeline than before (a new trace, language, scale, text size):
  // the centre's shares follow.
  connect(ladder_, &render::LadderWidget::laidOut, this, [this] {
    if (ladder_->naturalWidth() > ladder_need_) {
      ladder_need_ = ladder_->naturalWidth();
      applyLectureLayout();
    }
  });

  // Scenario browser and lesson, left.
  browser_dock_ = new QDockWidget(this);
  browser_dock_->setObjectName("browserDock");
  auto* bw = new QSplitter(Qt::Vertical, browser_dock_);
  browser_split_ = bw;
  auto* top = new QWidget(bw);
  auto* tl = new QVBoxLayout(top);
  tl->setContentsMargins(2, 2, 2, 2);
  filter_ = new QLineEdit(top);
  filter_->setClearButtonEnabled(true);
  catalogue_ = new QTreeWidget(top);
  catalogue_->setColumnCount(1);
  catalogue_->setRootIsDecorated(false);
  catalogue_->setUniformRowHeights(false);
  catalogue_->setWordWrap(true);
  catalogue_->header()->setSectionResizeMode(0, QHeaderView::Stretch);
  tl->addWidget(filter_);
  tl->addWidget(catalogue_);
  lesson_ = new QTextBrowser(bw);
  lesson_->setOpenExternalLinks(true);
  bw->addWidget(top);
  bw->addWidget(lesson_);
  bw->setStretchFactor(0, 2);
  bw->setStretchFactor(1, 3);
  browser_dock_->setWidget(bw);
  addDockWidget(Qt::LeftDockWidgetArea, browser_dock_);
  connect(filter_, &QLineEdit::textChanged, this, [this](const QString& f) {
    for (int i = 0; i < catalogue_->topLevelItemCount(); ++i) {
      auto* it = catalogue_->topLevelItem(i);
      QString hay = it->text(0) + " " + it->data(0, Qt::UserRole + 1).toString();
      it->setHidden(!f.isEmpty() && !hay.contains(f, Qt::CaseInsensitive));
    }
  });
  connect(catalogue_, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* it, int) {
    openScenario(it->data(0, Qt::UserRole).toString());
  });
  connect(catalogue_, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem* it, int) {
    openScenario(it->data(0, Qt::UserRole).toString());
  });

  // Event log and inspector, bottom.
  bottom_dock_ = new QDockWidget(this);
  bottom_dock_->setObjectName("bottomDock");
  auto* bs = new QSplitter(Qt::Horizontal, bottom_dock_);
  log_ = new QTableView(bs);
  log_model_ = new EventLogModel(log_);
  log_->setModel(log_model_);
  log_->setSelectionBehavior(QAbstractItemView::SelectRows);
  log_->setSelectionMode(QAbstractItemView::SingleSelection);
  log_->verticalHeader()->hide();
  log_->verticalHeader()->setDefaultSectionSize(log_->fontMetrics().height() + 4);
  log_->horizontalHeader()->setStretchLastSection(true);
  log_->setWordWrap(false);
  inspector_ = new Inspector(bs);
  bs->addWidget(log_);
  bs->addWidget(inspector_);
  bs->setStretchFactor(0, 3);
  bs->setStretchFactor(1, 2);
  bottom_dock_->setWidget(bs);
  addDockWidget(Qt::BottomDockWidgetArea, bottom_dock_);
  resizeDocks({browser_dock_}, {250}, Qt::Horizontal);
  resizeDocks({bottom_dock_}, {230}, Qt::Vertical);
  connect(log_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& cur, const QModelIndex&) {
            if (syncing_ || !cur.isValid()) return;
            setCursor(static_cast<std::size_t>(cur.row()) + 1, false);
          });

  // Transport controls.
  transport_ = addToolBar("transport");
  transport_->setObjectName("transport");
  auto mk = [this](const QString& key, const QKeySequence& ks, auto slot) {
    auto* a = new QAction(this);
    a->setShortcut(ks);
    a->setShortcutContext(Qt::WindowShortcut);
    connect(a, &QAction::triggered, this, slot);
    actions_[key] = a;
    transport_->addAction(a);
    return a;
  };
  mk("start", QKeySequence(Qt::Key_Home), &MainWindow::toStart);
  mk("prevstate", QKeySequence(Qt::SHIFT | Qt::Key_Left), &MainWindow::prevStateChange);
  mk("back", QKeySequence(Qt::Key_Left), &MainWindow::stepBack);
  act_play_ = mk("play", QKeySequence(Qt::Key_Space), &MainWindow::togglePlay);
  mk("forward", QKeySequence(Qt::Key_Right), &MainWindow::stepForward);
  mk("nextstate", QKeySequence(Qt::SHIFT | Qt::Key_Right), &MainWindow::nextStateChange);
  mk("end", QKeySequence(Qt::Key_End), &MainWindow::toEnd);
  transport_->addSeparator();
  speed_box_ = new QComboBox(transport_);
  for (double s : {0.25, 0.5, 1.0, 2.0, 4.0, 8.0}) speed_box_->addItem(QString("%1×").arg(s), s);
  speed_act_ = transport_->addWidget(speed_box_);
  connect(speed_box_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int i) {
    speed_ = speed_box_->itemData(i).toDouble();
  });
  transport_->addSeparator();
  scale_label_ = new QLabel(transport_);
  scale_label_act_ = transport_->addWidget(scale_label_);
  scale_box_ = new QComboBox(transport_);
  scale_box_->setObjectName("timeScale");
  for (auto sc : {render::TimeScale::Compressed, render::TimeScale::Linear, render::TimeScale::Textbook})
    scale_box_->addItem(QString(), static_cast<int>(sc));
  transport_->addWidget(scale_box_);
  connect(scale_box_, qOverload<int>(&QComboBox::activated), this, [this](int i) {
    setTimeScale(static_cast<render::TimeScale>(scale_box_->itemData(i).toInt()));
  });
  transport_->addSeparator();
  scrubber_ = new QSlider(Qt::Horizontal, transport_);
  scrubber_->setMinimumWidth(260);
  scrubber_act_ = transport_->addWidget(scrubber_);
  connect(scrubber_, &QSlider::valueChanged, this, [this](int v) {
    if (!syncing_) setCursor(static_cast<std::size_t>(v), false);
  });
  time_label_ = new QLabel(transport_);
  time_label_->setMinimumWidth(220);
  QFont tf = time_label_->font();
  tf.setBold(true);
  time_label_->setFont(tf);
  transport_->addWidget(time_label_);
  event_label_ = new QLabel(this);
  statusBar()->addWidget(event_label_, 1);
}

void MainWindow::buildMenus() {
  auto add = [this](const QString& key, auto slot, const QKeySequence& ks = {}) {
    auto* a = new QAction(this);
    if (!ks.isEmpty()) a->setShortcut(ks);
    connect(a, &QAction::triggered, this, slot);
    actions_[key] = a;
    return a;
  };
  add("open", &MainWindow::openDialog, QKeySequence::Open);
  add("export", [this] { openExportDialog(ExportKind::Ladder); }, QKeySequence(Qt::CTRL | Qt::Key_E));
  add("export_ladder", [this] { openExportDialog(ExportKind::Ladder); });
  add("export_diagram", [this] { openExportDialog(ExportKind::Diagram); });
  add("export_chart", [this] { openExportDialog(ExportKind::Chart); });
  add("export_frames", [this] { openExportDialog(ExportKind::Frames); });
  add("export_pcap", [this] { openExportDialog(ExportKind::Pcap); });
  add("export_mermaid", [this] { openExportDialog(ExportKind::Mermaid); });
  add("export_plantuml", [this] { openExportDialog(ExportKind::PlantUml); });
  add("export_dot", [this] { openExportDialog(ExportKind::Dot); });
  add("export_jsonl", [this] { openExportDialog(ExportKind::Jsonl); });
  add("export_csv", [this] { openExportDialog(ExportKind::Csv); });
  add("quit", &QWidget::close, QKeySequence::Quit);
  act_presentation_ = add("presentation", [this] { setPresentationMode(act_presentation_->isChecked()); },
                          QKeySequence(Qt::CTRL | Qt::Key_P));
  act_presentation_->setCheckable(true);
  add("hidenext", [this] { setHideNext(actions_["hidenext"]->isChecked()); }, QKeySequence(Qt::Key_H));
  actions_["hidenext"]->setCheckable(true);
  add("lectureview", [this] {
    setLectureView(lecture_view_ == LectureView::Both       ? LectureView::Timeline
                   : lecture_view_ == LectureView::Timeline ? LectureView::Diagrams
                                                            : LectureView::Both);
  }, QKeySequence(Qt::Key_F6));
  scale_group_ = new QActionGroup(this);
  for (auto [key, sc] : {std::pair{"scale_compressed", render::TimeScale::Compressed},
                         {"scale_linear", render::TimeScale::Linear},
                         {"scale_textbook", render::TimeScale::Textbook}}) {
    auto* a = new QAction(this);
    a->setCheckable(true);
    a->setData(static_cast<int>(sc));
    scale_group_->addAction(a);
    const render::TimeScale v = sc;
    connect(a, &QAction::triggered, this, [this, v] { setTimeScale(v); });
    actions_[key] = a;
  }
  // Textbook figures leave successful calls and timers out (failed calls,
  // states, drops and notes stay); saved like the time scale.
  add("calls_timers", [this] {
    const bool on = actions_["calls_timers"]->isChecked();
    ladder_->setCallsAndTimers(on);
    QSettings().setValue("callsAndTimers", on);
  });
  actions_["calls_timers"]->setCheckable(true);
  actions_["calls_timers"]->setChecked(true);
  add("fullscreen", [this] { isFullScreen() ? showNormal() : showFullScreen(); }, QKeySequence(Qt::Key_F11));
  add("zoomin", [this] { ladder_->zoom(1.25); }, QKeySequence::ZoomIn);
  add("zoomout", [this] { ladder_->zoom(0.8); }, QKeySequence::ZoomOut);
  add("about", [this] {
    QMessageBox::about(this, tr("About tcpsim"), aboutText());
  });
  lang_group_ = new QActionGroup(this);
  for (auto [key, code] : {std::pair{"lang_system", ""}, {"lang_en", "en"}, {"lang_zh", "zh_CN"}}) {
    auto* a = new QAction(this);
    a->setCheckable(true);
    a->setData(QString(code));
    lang_group_->addAction(a);
    QString c = code;
    connect(a, &QAction::triggered, this, [this, c] { setLanguage(c); });
    actions_[key] = a;
  }
  auto* file = menus_["file"] = menuBar()->addMenu(QString());
  file->addAction(actions_["open"]);
  file->addAction(actions_["export"]);
  auto* ex = menus_["export"] = file->addMenu(QString());
  for (auto k : {"export_ladder", "export_diagram", "export_chart", "export_frames"}) ex->addAction(actions_[k]);
  ex->addSeparator();
  for (auto k : {"export_pcap", "export_mermaid", "export_plantuml", "export_dot", "export_jsonl", "export_csv"})
    ex->addAction(actions_[k]);
  file->addSeparator();
  file->addAction(actions_["quit"]);
  auto* view = menus_["view"] = menuBar()->addMenu(QString());
  view->addAction(actions_["presentation"]);
  view->addAction(actions_["lectureview"]);
  view->addAction(actions_["hidenext"]);
  auto* scales = menus_["scale"] = view->addMenu(QString());
  for (auto k : {"scale_compressed", "scale_linear", "scale_textbook"}) scales->addAction(actions_[k]);
  view->addAction(actions_["calls_timers"]);
  view->addSeparator();
  view->addAction(actions_["fullscreen"]);
  view->addAction(actions_["zoomin"]);
  view->addAction(actions_["zoomout"]);
  view->addSeparator();
  view->addAction(browser_dock_->toggleViewAction());
  view->addAction(bottom_dock_->toggleViewAction());
  install_sockets_pane(this, view);  // View > Sockets: ss -tanoip at the cursor (sockets_pane.hpp)
  auto* play = menus_["play"] = menuBar()->addMenu(QString());
  for (auto k : {"play", "forward", "back", "nextstate", "prevstate", "start", "end"}) play->addAction(actions_[k]);
  auto* lang = menus_["lang"] = menuBar()->addMenu(QString());
  for (auto k : {"lang_system", "lang_en", "lang_zh"}) lang->addAction(actions_[k]);
  auto* help = menus_["help"] = menuBar()->addMenu(QString());
  help->addAction(actions_["about"]);
}

void MainWindow::retranslate() {
  setWindowTitle(scenario_ ? tr("tcpsim — %1").arg(QString::fromStdString(scenario_->title.get(lang_.toStdString())))
                           : tr("tcpsim"));
  // The menus are made once (buildMenus); here they only get their titles,
  // so no stale menu in the old language is left behind.
  menus_["file"]->setTitle(tr("&File"));
  menus_["export"]->setTitle(tr("&Export as"));
  menus_["view"]->setTitle(tr("&View"));
  menus_["scale"]->setTitle(tr("&Time scale"));
  menus_["play"]->setTitle(tr("&Playback"));
  menus_["lang"]->setTitle(tr("&Language"));
  menus_["help"]->setTitle(tr("&Help"));
  if (lab_) lab_->retranslate();
  // Menus are windows of their own: they do not inherit the lecture font.
  for (QMenu* m : menuBar()->findChildren<QMenu*>()) m->setFont(font());

  actions_["open"]->setText(tr("&Open scenario…"));
  actions_["export_ladder"]->setText(tr("Packet timeline (SVG, PDF, PNG)…"));
  actions_["export_diagram"]->setText(tr("State diagrams (SVG, PDF, PNG)…"));
  actions_["export_chart"]->setText(tr("Chart (SVG, PDF, PNG)…"));
  actions_["export_frames"]->setText(tr("Animation frames (PNG sequence)…"));
  actions_["export"]->setText(tr("&Export…"));
  actions_["export_pcap"]->setText(tr("Capture for Wireshark (pcap)…"));
  actions_["export_mermaid"]->setText(tr("Mermaid sequence diagram…"));
  actions_["export_plantuml"]->setText(tr("PlantUML sequence diagram…"));
  actions_["export_dot"]->setText(tr("Graphviz DOT state machine…"));
  actions_["export_jsonl"]->setText(tr("JSONL trace…"));
  actions_["export_csv"]->setText(tr("CSV of socket counts…"));
  actions_["quit"]->setText(tr("&Quit"));
  actions_["presentation"]->setText(tr("&Lecture mode"));
  actions_["presentation"]->setToolTip(tr("Large text and both lifelines for a projector (Ctrl+P)"));
  actions_["lectureview"]->setText(tr("Lecture view: diagrams and timeline / timeline / diagrams"));
  actions_["hidenext"]->setText(tr("&Hide what comes next"));
  actions_["hidenext"]->setToolTip(tr("Hide the next state and the segments not yet sent (H)"));
  actions_["scale_compressed"]->setText(tr("Compressed (long idle periods cut)"));
  actions_["scale_linear"]->setText(tr("Linear (uniform time)"));
  actions_["scale_textbook"]->setText(tr("Textbook (one row per segment)"));
  scale_label_->setText(tr("Time scale:"));
  scale_box_->setItemText(0, tr("Compressed"));
  scale_box_->setItemText(1, tr("Linear"));
  scale_box_->setItemText(2, tr("Textbook"));
  scale_box_->setToolTip(tr("How time maps to the packet timeline's vertical axis"));
  {
    const int cur = static_cast<int>(ladder_->timeScale());
    scale_box_->setCurrentIndex(scale_box_->findData(cur));
    for (auto* a : scale_group_->actions()) a->setChecked(a->data().toInt() == cur);
  }
  actions_["calls_timers"]->setText(tr("Show calls and timers"));
  actions_["calls_timers"]->setToolTip(
      tr("Successful system calls and timers on the packet timeline (a textbook figure leaves them out; "
         "failed calls, states, drops and notes are always shown)"));
  actions_["fullscreen"]->setText(tr("&Full screen"));
  actions_["zoomin"]->setText(tr("Zoom timeline in"));
  actions_["zoomout"]->setText(tr("Zoom timeline out"));
  actions_["about"]->setText(tr("&About tcpsim"));
  actions_["lang_system"]->setText(tr("System language"));
  actions_["lang_en"]->setText("English");
  actions_["lang_zh"]->setText("简体中文");
  actions_["start"]->setText(tr("|◀ Start"));
  actions_["prevstate"]->setText(tr("◀◀ State"));
  actions_["back"]->setText(tr("◀ Step"));
  actions_["forward"]->setText(tr("Step ▶"));
  actions_["nextstate"]->setText(tr("State ▶▶"));
  actions_["end"]->setText(tr("End ▶|"));
  act_play_->setText(playing_ ? tr("❚❚ Pause") : tr("▶ Play"));
  // Lecture mode: at 24 px the transport fits 1024 px only with its symbols
  // (the words stay in the tooltips and the Playback menu's shortcuts).
  if (theme_.presentation)
    for (auto [k, sym] : {std::pair{"start", "|◀"}, {"prevstate", "◀◀"}, {"back", "◁"}, {"forward", "▷"},
                          {"nextstate", "▶▶"}, {"end", "▶|"}, {"play", playing_ ? "❚❚" : "▶"}})
      if (auto* b = qobject_cast<QToolButton*>(transport_->widgetForAction(actions_[k]))) b->setText(sym);
  actions_["start"]->setToolTip(tr("Go to the start (Home)"));
  actions_["prevstate"]->setToolTip(tr("Previous state change (Shift+Left)"));
  actions_["back"]->setToolTip(tr("One event back (Left)"));
  act_play_->setToolTip(tr("Play / pause (Space)"));
  actions_["forward"]->setToolTip(tr("One event forward (Right)"));
  actions_["nextstate"]->setToolTip(tr("Next state change (Shift+Right)"));
  actions_["end"]->setToolTip(tr("Go to the end (End)"));
  transport_->setWindowTitle(tr("Playback controls"));
  browser_dock_->setWindowTitle(tr("Scenarios and lesson"));
  bottom_dock_->setWindowTitle(tr("Event log and inspector"));
  filter_->setPlaceholderText(tr("Filter by name, title or tag…"));
  catalogue_->setHeaderLabels({tr("Scenario (tags)")});
  center_tabs_->setTabText(0, tr("Packet timeline"));
  center_tabs_->setTabText(1, tr("Charts"));
  if (auto* ct = qobject_cast<QTabWidget*>(center_tabs_->widget(1))) {
    ct->setTabText(0, tr("Endpoint states"));
    ct->setTabText(1, tr("Sockets per state"));
    ct->setTabText(2, tr("Seq / ack"));
    ct->setTabText(3, tr("cwnd / RTT"));
  }
  conn_label_->setText(tr("Connection:"));
  speed_box_->setToolTip(tr("Playback speed"));
  scrubber_->setToolTip(tr("Time scrubber: drag to move through the events"));
  for (int i = 0; i < speed_box_->count(); ++i)
    if (std::abs(speed_box_->itemData(i).toDouble() - speed_) < 1e-9) speed_box_->setCurrentIndex(i);
  for (auto* a : lang_group_->actions()) {
    QSettings st;
    a->setChecked(a->data().toString() == st.value("language", "").toString());
  }
  refreshCatalogue();
  refreshLesson();
  if (view_) {
    refresh(false);
    refreshCharts();
  }
}

void MainWindow::resizeEvent(QResizeEvent* e) {
  QMainWindow::resizeEvent(e);
  // Every mode recomputes the timeline's share for the new width (a split
  // the user chose stays while it leaves the timeline its natural width).
  applyCompactDocks();
  applyLectureLayout();
}

// The centre's shares are set once the splitter has its new width (a dock
// moved or the window resized), after QSplitter's own redistribution.
bool MainWindow::eventFilter(QObject* o, QEvent* e) {
  if (o == center_split_ && e->type() == QEvent::Resize && !layout_queued_) {
    layout_queued_ = true;
    QMetaObject::invokeMethod(this, [this] {
      layout_queued_ = false;
      applyLectureLayout();
    }, Qt::QueuedConnection);
  }
  return QMainWindow::eventFilter(o, e);
}

void MainWindow::changeEvent(QEvent* e) {
  if (e->type() == QEvent::LanguageChange) retranslate();
  QMainWindow::changeEvent(e);
}

void MainWindow::setLanguage(const QString& lang) {
  QSettings().setValue("language", lang);
  QString eff = lang.isEmpty() ? render::system_language() : lang;
  render::install_language(eff);
  lang_ = render::current_language();
  theme_.lang = lang_;
  for (auto* d : diagrams_) d->setTheme(theme_);
  ladder_->setTheme(theme_);
  retranslate();
}

void MainWindow::setCatalogueDir(const QString& dir) {
  catalogue_dir_ = dir;
  refreshCatalogue();
}

void MainWindow::refreshCatalogue() {
  if (!catalogue_) return;
  catalogue_->clear();
  if (catalogue_dir_.isEmpty() || !QFileInfo(catalogue_dir_).isDir()) return;
  std::vector<std::string> errors;
  std::vector<CatalogueEntry> entries;
  try {
    entries = list_catalogue(catalogue_dir_.toStdString(), &errors);
  } catch (const std::exception& e) {
    errors.push_back(e.what());
  }
  for (const auto& c : entries) {
    QString title = QString::fromStdString(c.title.get(lang_.toStdString()));
    QStringList tags;
    for (const auto& t : c.tags) tags << QString::fromStdString(t);
    // Title, then its tags on a second line.
    auto* it = new QTreeWidgetItem(catalogue_, {(title.isEmpty() ? QString::fromStdString(c.name) : title) + "\n    " +
                                                tags.join(" · ")});
    it->setData(0, Qt::UserRole, QString::fromStdString(c.path));
    it->setData(0, Qt::UserRole + 1, QString::fromStdString(c.name));
    it->setToolTip(0, QString::fromStdString(c.name + ": " + c.summary.get(lang_.toStdString())));
  }
  if (!filter_->text().isEmpty()) Q_EMIT filter_->textChanged(filter_->text());
}

void MainWindow::showMessage(const QString& text, bool error) {
  if (text.isEmpty()) {
    message_->hide();
    message_->clear();
    return;
  }
  message_->setText((error ? "⚠ " : "") + text);
  message_->setStyleSheet(error ? "QLabel{background:#FDE3D0;color:#7A2E00;border:2px solid #D55E00;padding:6px;font-weight:bold}"
                                : "QLabel{background:#E3F1FB;border:1px solid #0072B2;padding:6px}");
  message_->show();
}

QString MainWindow::aboutText() const {
  return tr("<p><b>tcpsim %1</b> — a TCP state-machine simulator for teaching and for understanding production "
            "incidents.</p><p>Built from git commit <tt>%2</tt>.<br>Licence: %3 (see /usr/share/doc/tcpsim/copyright "
            "or LICENSE in the source).</p>")
      .arg(QString::fromUtf8(tcpsim::version()), QString::fromUtf8(tcpsim::git_commit()),
           QString::fromUtf8(tcpsim::licence()));
}

QString MainWindow::messageText() const { return message_->isVisible() || !message_->text().isEmpty() ? message_->text() : QString(); }

bool MainWindow::openScenario(const QString& path) {
  Scenario s;
  try {
    s = load_scenario_file(path.toStdString());
  } catch (const LoadError& e) {
    showMessage(tr("Could not load %1 (the previous scenario stays loaded):\n%2").arg(path, QString::fromUtf8(e.what())), true);
    return false;
  } catch (const std::exception& e) {
    showMessage(tr("Could not load %1 (the previous scenario stays loaded):\n%2").arg(path, QString::fromUtf8(e.what())), true);
    return false;
  }
  const std::uint64_t conns = estimated_connections(s);
  if (conns > big_threshold_) {
    // Too big to record: keep only the counts (bounded memory whatever the run).
    // A million connections take seconds: the core runs in a thread (it
    // touches no Qt) while the window keeps painting behind a busy dialog.
    Big big;
    big.connections = conns;
    std::string failure;
    std::atomic<bool> done{false};
    std::thread worker([&] {
      try {
        big.run = run_counts(s);
      } catch (const std::exception& e) {
        failure = e.what();
      }
      done = true;
    });
    {
      QProgressDialog busy(tr("Running %1 counts-only (%2 connections)…").arg(QFileInfo(path).fileName()).arg(conns),
                           QString(), 0, 0, this);
      busy.setWindowModality(Qt::WindowModal);
      busy.setMinimumDuration(400);
      QApplication::setOverrideCursor(Qt::WaitCursor);
      while (!done) {
        QApplication::processEvents(QEventLoop::AllEvents, 30);
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      worker.join();
      QApplication::restoreOverrideCursor();
    }
    if (!failure.empty()) {
      showMessage(tr("Could not run %1 (the previous scenario stays loaded):\n%2").arg(path, QString::fromStdString(failure)), true);
      return false;
    }
    showMessage({}, false);
    big_ = std::move(big);
    showTrace(s, std::make_shared<Trace>());
    QSettings().setValue("lastScenario", QFileInfo(path).absoluteFilePath());
    return true;
  }
  std::shared_ptr<Trace> t;
  try {
    t = std::make_shared<Trace>(run_scenario(s));
  } catch (const std::exception& e) {
    showMessage(tr("Could not run %1 (the previous scenario stays loaded):\n%2").arg(path, QString::fromUtf8(e.what())), true);
    return false;
  }
  // A run limit (issue #17) cut the run: say so above the views, which
  // still show what happened up to that point.
  if (!t->meta.stopped_by.empty())
    showMessage(tr("The run was cut short, so the views end early: %1").arg(QString::fromStdString(t->meta.stopped_by)),
                false);
  else
    showMessage({}, false);
  big_.reset();
  showTrace(s, t);
  // Show which catalogue entry is open.
  QString abs = QFileInfo(path).absoluteFilePath();
  for (int i = 0; i < catalogue_->topLevelItemCount(); ++i) {
    auto* it = catalogue_->topLevelItem(i);
    if (QFileInfo(it->data(0, Qt::UserRole).toString()).absoluteFilePath() == abs) {
      QSignalBlocker block(catalogue_);
      catalogue_->setCurrentItem(it);
      catalogue_->scrollToItem(it);
    }
  }
  QSettings().setValue("lastScenario", QFileInfo(path).absoluteFilePath());
  return true;
}

void MainWindow::setTrace(const Scenario& s, std::shared_ptr<const Trace> t) {
  big_.reset();
  showTrace(s, std::move(t));
}

void MainWindow::showTrace(const Scenario& s, std::shared_ptr<const Trace> t) {
  if (playing_) togglePlay();
  scenario_ = s;
  trace_ = std::move(t);
  view_ = std::make_shared<render::TraceView>(trace_);
  arrow_ = -1;
  connection_ = 0;
  ladder_need_ = 0;  // measured again by the ladder's next layout
  conn_select_->clear();
  for (const auto& c : view_->connections()) {
    QString l = QString::fromStdString(view_->socket_label(c.a));
    if (c.b) l += "  ⇄  " + QString::fromStdString(view_->socket_label(c.b));
    conn_select_->addItem(l);
  }
  conn_select_->setVisible(view_->connections().size() > 1);
  conn_label_->setVisible(view_->connections().size() > 1);
  shown_.reset();
  cursor_ = 0;
  now_ = 0;
  updateShown();
  log_->resizeColumnsToContents();
  {
    // The sizes above come from the rows in sight; the last row has the
    // most digits ("591", "61.914000"), in bold when it is a state change.
    QFont bf = log_->font();
    bf.setBold(true);
    const QFontMetrics fm(bf);
    const int last = log_model_->rowCount() - 1;
    for (int col : {int(EventLogModel::Index), int(EventLogModel::Time)})
      if (last >= 0)
        log_->setColumnWidth(col, std::max(log_->columnWidth(col),
                                           fm.horizontalAdvance(log_model_->index(last, col).data().toString()) + 16));
  }
  scrubber_->setRange(0, static_cast<int>(view_->size()));
  refreshLesson();
  refreshCharts();
  retranslate();
  setCursor(0, false);
  Q_EMIT traceShown();
}

void MainWindow::refreshLesson() {
  if (!lesson_) return;
  if (quiz_ && quiz_->active()) {  // the lesson tells what comes next
    lesson_->setPlainText(Quiz::lessonHiddenText());
    quiz_->checkTrace();
    return;
  }
  if (!scenario_) {
    lesson_->setMarkdown(tr("Pick a scenario from the list, open a file (File → Open) or drop one here."));
    return;
  }
  std::string lang = lang_.toStdString();
  QString md = "## " + QString::fromStdString(scenario_->title.get(lang)) + "\n\n";
  if (!scenario_->summary.get(lang).empty()) md += "*" + QString::fromStdString(scenario_->summary.get(lang)) + "*\n\n";
  md += QString::fromStdString(scenario_->lesson.get(lang)) + "\n\n";
  if (!scenario_->references.empty()) {
    md += "### " + tr("References") + "\n\n";
    for (const auto& r : scenario_->references) md += "- " + QString::fromStdString(r) + "\n";
  }
  // Markdown, but no HTML: a scenario's text never becomes tags (<img>, <a>).
  lesson_->document()->setMarkdown(
      md, QTextDocument::MarkdownFeatures(QTextDocument::MarkdownDialectGitHub | QTextDocument::MarkdownNoHTML));
}

std::vector<std::uint32_t> MainWindow::endpoints() const {
  if (!view_ || view_->connections().empty()) return {0, 0};
  const auto& c = view_->connections()[std::clamp<int>(connection_, 0, view_->connections().size() - 1)];
  // Keep the endpoint on the ladder's left lifeline on the left.
  auto host = [&](std::uint32_t s) { auto* si = view_->trace().meta.socket(s); return si ? si->host : 0; };
  if (c.b && host(c.b) < host(c.a)) return {c.b, c.a};
  return {c.a, c.b};
}

void MainWindow::setConnection(int index) {
  connection_ = index;
  refresh(false);
  refreshCharts();
}

void MainWindow::setSelectedArrow(int arrow) {
  arrow_ = arrow;
  ladder_->setSelectedArrow(arrow);
  refresh(false);
}

void MainWindow::refresh(bool animate) {
  if (!view_) return;
  updateShown();
  const render::TraceView& sv = shown_ ? *shown_ : *view_;
  // Hiding what comes next hides connections not opened yet from the selector too.
  if (auto* lv = qobject_cast<QListView*>(conn_select_->view())) {
    const auto& socks = sv.sockets();
    for (int i = 0; i < conn_select_->count() && i < static_cast<int>(view_->connections().size()); ++i) {
      const auto& c = view_->connections()[i];
      const bool exists = std::find(socks.begin(), socks.end(), c.a) != socks.end() ||
                          (c.b && std::find(socks.begin(), socks.end(), c.b) != socks.end());
      lv->setRowHidden(i, hide_next_ && !exists && i != connection_);
    }
  }
  auto eps = endpoints();
  const bool diagrams_on = !theme_.presentation || lecture_view_ != LectureView::Timeline;
  for (int i = 0; i < 2; ++i) {
    if (eps[i]) {
      auto ds = render::diagram_state(sv, eps[i], cursor_, now_);
      ds.progress = animate ? 0.0 : 1.0;
      diagrams_[i]->setState(ds);
      diagrams_[i]->setVisible(diagrams_on);
    } else {
      diagrams_[i]->setState(render::DiagramState{});
      diagrams_[i]->setVisible(i == 0 && diagrams_on);
    }
  }
  if (animate && anim_) {
    // Only animate when this step changed one of the shown endpoints' states.
    bool changed = cursor_ > 0 && view_->event(cursor_ - 1).kind == EventKind::State &&
                   (view_->event(cursor_ - 1).sock == eps[0] || view_->event(cursor_ - 1).sock == eps[1]);
    anim_->stop();
    if (changed) {
      anim_->setDuration(static_cast<int>(500 / std::max(0.25, speed_)));
      anim_->start();
    } else {
      for (auto* d : diagrams_) d->setProgress(1.0);
    }
  }
  ladder_->setCursor(cursor_, now_);
  inspector_->show(&sv, {eps[0], eps[1]}, cursor_, now_,
                   arrow_ < static_cast<int>(sv.arrows().size()) ? arrow_ : -1);
  log_model_->setCursor(cursor_);
  syncing_ = true;
  if (cursor_ > 0) {
    QModelIndex idx = log_model_->index(static_cast<int>(cursor_ - 1), 0);
    log_->selectionModel()->setCurrentIndex(idx, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    log_->scrollTo(idx);
  } else {
    log_->selectionModel()->clearSelection();
    log_->selectionModel()->setCurrentIndex(QModelIndex(), QItemSelectionModel::Clear);
  }
  scrubber_->setValue(static_cast<int>(cursor_));
  syncing_ = false;
  time_label_->setText(hide_next_ ? tr("t = %1 s   event %2").arg(QString::fromStdString(format_time(now_))).arg(cursor_)
                                  : tr("t = %1 s   event %2 / %3")
                                        .arg(QString::fromStdString(format_time(now_)))
                                        .arg(cursor_)
                                        .arg(view_->size()));
  event_label_->setText(cursor_ > 0 ? QString::fromStdString(render::describe_event(*view_, view_->event(cursor_ - 1)))
                                    : tr("At the start: nothing has happened yet."));
  if (big_) {
    for (auto* d : diagrams_) d->hide();
    Q_EMIT cursorMoved();
    return;
  }
  for (auto* cv : charts_)
    if (cv && cv->chart()) render::set_chart_cursor(cv->chart(), now_);
  Q_EMIT cursorMoved();
}

void MainWindow::refreshCharts() {
  if (!view_) return;
  applyBigWorkload();
  if (big_) return;
  const char* names[4] = {"endpoint", "states", "seq", "cwnd"};
  auto eps = endpoints();
  std::vector<std::uint32_t> socks;
  for (auto s : eps)
    if (s) socks.push_back(s);
  const render::TraceView& sv = shown_ ? *shown_ : *view_;
  for (int i = 0; i < 4; ++i) {
    QString err;
    QChart* c = render::build_chart(sv, names[i], theme_, 0, kNever, socks, &err);
    QChart* old = charts_[i]->chart();
    charts_[i]->setChart(c);
    delete old;
    render::set_chart_cursor(c, now_);
  }
}

void MainWindow::setCursor(std::size_t cursor, bool animate) {
  if (!view_) return;
  cursor_ = std::min(cursor, view_->size());
  now_ = view_->time_at(cursor_);
  gap_progress_ms_ = 0;
  refresh(animate);
}

void MainWindow::setCursorTime(Time t) {
  if (!view_) return;
  setCursor(view_->cursor_for_time(t), false);
  now_ = std::max(now_, t);
  if (cursor_ < view_->size()) now_ = std::min(t, view_->event(cursor_).t);
  refresh(false);
}

void MainWindow::finishAnimations() {
  if (anim_) anim_->stop();
  for (auto* d : diagrams_) d->setProgress(1.0);
}

void MainWindow::stepForward() {
  if (view_ && cursor_ < view_->size()) setCursor(cursor_ + 1, true);
}
void MainWindow::stepBack() {
  if (view_ && cursor_ > 0) setCursor(cursor_ - 1, false);
}
void MainWindow::nextStateChange() {
  if (!view_) return;
  if (auto c = view_->next_state_change(cursor_)) setCursor(*c, true);
}
void MainWindow::prevStateChange() {
  if (!view_) return;
  if (auto c = view_->prev_state_change(cursor_)) setCursor(*c, false);
  else setCursor(0, false);
}
void MainWindow::toStart() { setCursor(0, false); }
void MainWindow::toEnd() {
  if (view_) setCursor(view_->size(), false);
}

void MainWindow::togglePlay() {
  playing_ = !playing_;
  if (playing_) {
    if (view_ && cursor_ >= view_->size()) setCursor(0, false);
    gap_progress_ms_ = 0;
    play_timer_.start();
  } else {
    play_timer_.stop();
  }
  act_play_->setText(playing_ ? tr("❚❚ Pause") : tr("▶ Play"));
  if (theme_.presentation)
    if (auto* b = qobject_cast<QToolButton*>(transport_->widgetForAction(act_play_))) b->setText(playing_ ? "❚❚" : "▶");
}

// Virtual time is mapped to animation time: each event gets a short beat,
// a short gap plays in proportion, and a long idle period (a 60 s TIME_WAIT)
// is fast-forwarded in a couple of seconds with its countdown ticking.
void MainWindow::playTick() {
  if (!view_ || cursor_ >= view_->size()) {
    if (playing_) togglePlay();
    return;
  }
  gap_progress_ms_ += play_timer_.interval() * speed_;
  Time cur_t = view_->time_at(cursor_);
  Time next_t = view_->event(cursor_).t;
  Time gap = next_t - cur_t;
  double budget = gap == 0 ? 350 : gap < sec(1) ? 350 + gap / 1000.0 * 2 : 2500;
  budget = std::min(budget, 2500.0);
  if (gap_progress_ms_ >= budget) {
    setCursor(cursor_ + 1, true);
    return;
  }
  now_ = cur_t + static_cast<Time>(gap * (gap_progress_ms_ / budget));
  auto eps = endpoints();
  for (int i = 0; i < 2; ++i)
    if (eps[i]) {
      auto ds = render::diagram_state(shown_ ? *shown_ : *view_, eps[i], cursor_, now_);
      ds.progress = diagrams_[i]->diagramState().progress;
      diagrams_[i]->setState(ds);
    }
  ladder_->setCursor(cursor_, now_);
  time_label_->setText(hide_next_ ? tr("t = %1 s   event %2").arg(QString::fromStdString(format_time(now_))).arg(cursor_)
                                  : tr("t = %1 s   event %2 / %3")
                                        .arg(QString::fromStdString(format_time(now_)))
                                        .arg(cursor_)
                                        .arg(view_->size()));
}

void MainWindow::openDialog() {
  QString dir = catalogue_dir_;
  QString f = QFileDialog::getOpenFileName(this, tr("Open scenario"), dir, tr("Scenarios (*.yaml *.yml)"));
  if (!f.isEmpty()) openScenario(f);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
  if (e->mimeData()->hasUrls()) e->acceptProposedAction();
}
void MainWindow::dropEvent(QDropEvent* e) {
  for (const auto& u : e->mimeData()->urls())
    if (u.isLocalFile()) {
      openScenario(u.toLocalFile());
      break;
    }
}

void MainWindow::closeEvent(QCloseEvent* e) {
  QSettings st;
  st.setValue("geometry", saveGeometry());
  st.setValue("windowState", saveState());
  st.setValue("centerSplit", center_split_->saveState());
  st.setValue("speed", speed_);
  QMainWindow::closeEvent(e);
}

void MainWindow::applyTheme() {
  for (auto* d : diagrams_) d->setTheme(theme_);
  ladder_->setTheme(theme_);
  // Lecture mode: 24 px is the floor for text seen from the back row, so
  // every widget of the window (menus, toolbar, status bar, tabs, log,
  // inspector) gets it; the canvases scale with the theme.
  QFont f = QApplication::font();
  if (theme_.presentation) f.setPixelSize(kLecturePx);
  else f.setPointSizeF(10);
  setFont(theme_.presentation ? f : QFont());
  for (QWidget* w : {static_cast<QWidget*>(log_), static_cast<QWidget*>(inspector_), static_cast<QWidget*>(lesson_),
                     static_cast<QWidget*>(catalogue_), static_cast<QWidget*>(transport_), static_cast<QWidget*>(message_),
                     static_cast<QWidget*>(menuBar()), static_cast<QWidget*>(statusBar()),
                     static_cast<QWidget*>(conn_select_), static_cast<QWidget*>(conn_label_),
                     static_cast<QWidget*>(scale_box_), static_cast<QWidget*>(speed_box_),
                     static_cast<QWidget*>(scale_label_), static_cast<QWidget*>(event_label_)})
    w->setFont(f);
  QFont tf = f;
  tf.setBold(true);
  time_label_->setFont(tf);
  for (QMenu* m : menuBar()->findChildren<QMenu*>()) m->setFont(f);
  log_->verticalHeader()->setDefaultSectionSize(QFontMetrics(f).height() + 4);
  log_->horizontalHeader()->setFont(f);
  inspector_->header()->setFont(f);
  refreshCharts();
  refresh(false);
}

void MainWindow::setLectureMode(bool on) {
  theme_ = on ? render::presentation_theme() : render::default_theme();
  theme_.lang = lang_;
  if (act_presentation_) act_presentation_->setChecked(on);
  // On a projector the diagrams and the timeline get the room; the browser,
  // the log and the charts come back from the View menu.
  browser_dock_->setVisible(!on);
  bottom_dock_->setVisible(!on);
  lecture_view_ = on ? defaultLectureView(width()) : LectureView::Both;
  applyTheme();
  applyLectureLayout();
  retranslate();
}

void MainWindow::setLectureView(LectureView v) {
  lecture_view_ = v;
  if (!theme_.presentation) setLectureMode(true);
  else {
    applyLectureLayout();
    refresh(false);
  }
}

// The centre in lecture mode: one idea per view. The charts tab is hidden
// (the timeline is the view). Both: the timeline gets the width its two
// lifelines and their labels need (560 px, 42 %), the diagrams share the
// rest — at 1920 px each diagram has ~550 px. Below
// 1600 px that is not possible, so lecture mode starts on the timeline
// alone and F6 switches to the two diagrams side by side.
void MainWindow::applyLectureLayout() {
  const bool lecture = theme_.presentation;
  center_tabs_->tabBar()->setVisible(!lecture);
  if (speed_act_) speed_act_->setVisible(!lecture);
  if (scale_label_act_) scale_label_act_->setVisible(!lecture);
  // The scrubber gives its room to the time label (the keys move the cursor).
  if (scrubber_act_) scrubber_act_->setVisible(!lecture && !quizMode());  // its length hints at what is to come
  time_label_->setMinimumWidth(lecture ? 0 : 220);
  if (lecture && !big_) center_tabs_->setCurrentIndex(0);
  const bool timeline = !lecture || lecture_view_ != LectureView::Diagrams;
  const bool diagrams = !lecture || lecture_view_ != LectureView::Timeline;
  center_tabs_->setVisible(timeline);
  auto eps = endpoints();
  for (int i = 0; i < 2; ++i) diagrams_[i]->setVisible(diagrams && (eps[i] || i == 0) && !big_);
  const int W = std::max(center_split_->width(), width() - 20);
  if (lecture) {
    if (lecture_view_ == LectureView::Both) {
      const int ladder = std::min(W - 2 * 200, std::max(W * 42 / 100, kLectureLadderMin));
      const int side = std::max(200, (W - ladder) / 2);
      center_split_->setSizes({side, ladder, side});
    } else {
      center_split_->setSizes({W / 2, W, W / 2});
    }
  } else {
    // The default layout: 30 % | 40 % | 30 %, but the timeline never below
    // its natural width (both lifelines and every label whole, no
    // horizontal scrolling) while each diagram keeps 200 px; the diagrams
    // zoom on their current state when narrow (StateDiagramWidget).
    const int frame = center_tabs_->width() - ladder_->width();  // the tab widget's frame
    const int need = std::max(ladder_need_, ladder_->naturalWidth()) +
                     (ladder_->width() > 100 && frame >= 0 && frame <= 24 ? frame : 6);
    const QList<int> cur = center_split_->sizes();
    if (split_restored_ && cur.size() == 3 && cur[1] >= need) return;
    const int n_diag = (diagrams_[0]->isVisibleTo(center_split_) ? 1 : 0) + (diagrams_[1]->isVisibleTo(center_split_) ? 1 : 0);
    const int avail = (center_split_->width() > 0 ? center_split_->width() : W) -
                      2 * center_split_->handleWidth();
    int ladder = std::max(avail * 4 / 10, need);
    if (n_diag > 0) ladder = std::min(ladder, avail - n_diag * 200);
    const int side = n_diag > 0 ? std::max(200, (avail - ladder) / n_diag) : 0;
    center_split_->setSizes({side, ladder, side});
  }
}

// Below kCompactWidth the scenarios-and-lesson dock moves from the left to a
// tab beside the event log (catalogue and lesson side by side), and back
// above it. Only the default places are changed: a dock the user floated or
// put elsewhere stays where it is.
void MainWindow::applyCompactDocks() {
  const bool compact = width() < kCompactWidth;
  const bool left = !browser_dock_->isFloating() && dockWidgetArea(browser_dock_) == Qt::LeftDockWidgetArea;
  const bool tabbed = !browser_dock_->isFloating() && dockWidgetArea(browser_dock_) == Qt::BottomDockWidgetArea &&
                      tabifiedDockWidgets(browser_dock_).contains(bottom_dock_);
  compact_ = compact;
  if (compact && left) {
    addDockWidget(Qt::BottomDockWidgetArea, browser_dock_);
    tabifyDockWidget(bottom_dock_, browser_dock_);
    bottom_dock_->raise();
    browser_split_->setOrientation(Qt::Horizontal);
    browser_split_->setSizes({2000, 3000});
    resizeDocks({bottom_dock_}, {std::max(150, height() / 4)}, Qt::Vertical);
    // The log is shorter now: its cursor row back in sight once laid out.
    QMetaObject::invokeMethod(this, [this] {
      if (log_->currentIndex().isValid()) log_->scrollTo(log_->currentIndex());
    }, Qt::QueuedConnection);
  } else if (!compact && tabbed) {
    addDockWidget(Qt::LeftDockWidgetArea, browser_dock_);
    browser_split_->setOrientation(Qt::Vertical);
    browser_split_->setSizes({2000, 3000});
    resizeDocks({browser_dock_}, {250}, Qt::Horizontal);
    resizeDocks({bottom_dock_}, {230}, Qt::Vertical);
  }
}

void MainWindow::setHideNext(bool on) {
  hide_next_ = on;
  if (auto* a = action("hidenext")) a->setChecked(on);
  shown_cursor_ = static_cast<std::size_t>(-1);
  if (!view_) return;
  updateShown();
  refresh(false);
}

void MainWindow::setQuizMode(bool on) {
  if (playing_) togglePlay();
  quiz_->setActive(on);
}
bool MainWindow::quizMode() const { return quiz_ && quiz_->active(); }

// With "hide what comes next" every pane gets a trace cut at the cursor:
// nothing after it can be drawn, listed or counted, whatever a view does
// with in-flight segments or the next state.
void MainWindow::updateShown() {
  if (!view_) {
    shown_.reset();
    return;
  }
  std::shared_ptr<const render::TraceView> want;
  if (!hide_next_ || cursor_ >= view_->size()) {
    want = view_;
    if (shown_ == view_) return;
  } else {
    if (shown_ && shown_ != view_ && shown_cursor_ == cursor_) return;
    auto t = std::make_shared<Trace>();
    t->meta = view_->trace().meta;
    const auto& ev = view_->trace().events;
    t->events.assign(ev.begin(), ev.begin() + static_cast<std::ptrdiff_t>(cursor_));
    want = std::make_shared<render::TraceView>(std::move(t));
  }
  shown_ = want;
  shown_cursor_ = cursor_;
  ladder_->setView(shown_);
  if (arrow_ >= 0 && arrow_ < static_cast<int>(shown_->arrows().size())) ladder_->setSelectedArrow(arrow_);
  log_model_->setView(shown_);
  log_model_->setCursor(cursor_);
  refreshCharts();
}

void MainWindow::setTimeScale(render::TimeScale sc) {
  ladder_->setTimeScale(sc);
  QSettings().setValue("timeScale", render::time_scale_name(sc));
  const int v = static_cast<int>(sc);
  {
    QSignalBlocker b(scale_box_);
    scale_box_->setCurrentIndex(scale_box_->findData(v));
  }
  for (auto* a : scale_group_->actions()) a->setChecked(a->data().toInt() == v);
  if (view_) ladder_->setCursor(cursor_, now_);
}

render::TimeScale MainWindow::timeScale() const { return ladder_->timeScale(); }

QString MainWindow::bigWorkloadNotice() const {
  if (!big_) return {};
  return tr("Big workload: this scenario opens about %1 connections, more than %2. Only the socket counts per "
            "state were kept (no trace), so the Sockets per state chart shows the run; the packet timeline, the "
            "state diagrams, the event log and the other charts need a scenario under %2 connections.")
      .arg(big_->connections)
      .arg(big_threshold_);
}

// Counts-only: the notice, the counts chart in the "Sockets per state" tab,
// every view that needs the trace disabled.
void MainWindow::applyBigWorkload() {
  big_notice_->setText("ℹ " + bigWorkloadNotice());
  big_notice_->setVisible(big_.has_value());
  auto* ct = qobject_cast<QTabWidget*>(center_tabs_->widget(1));
  center_tabs_->setTabEnabled(0, !big_);
  if (ct) {
    ct->setTabEnabled(0, !big_);
    ct->setTabEnabled(2, !big_);
  }
  if (!big_) return;
  for (auto* d : diagrams_) d->hide();
  center_tabs_->setCurrentIndex(1);
  if (ct) ct->setCurrentIndex(1);
  for (int i = 0; i < 3; ++i) {
    QChart* c = nullptr;
    if (i == 1) {
      QString err;
      c = render::build_counts_chart(*scenario_, big_->run.series, theme_, 0, kNever, &err);
      if (!c) showMessage(err, true);
    }
    if (!c) c = new QChart;
    QChart* old = charts_[i]->chart();
    charts_[i]->setChart(c);
    delete old;
  }
}

ExportDialog* MainWindow::openExportDialog(ExportKind kind) {
  if (!scenario_ || !trace_) {
    showMessage(tr("Open a scenario first."), true);
    return nullptr;
  }
  if (big_) {
    showMessage(tr("Exports need the trace, which a big workload does not keep. Use tcpsim export --chart states "
                   "or --csv on the command line; they run counts-only too."), true);
    return nullptr;
  }
  // Non-modal: the cursor can still move ("up to the cursor", frames).
  auto* d = new ExportDialog(this, kind);
  d->setAttribute(Qt::WA_DeleteOnClose);
  connect(d, &ExportDialog::exported, this, [this](const QString& m) { showMessage(m, false); });
  d->show();
  return d;
}

bool MainWindow::exportFrames(const QString& dir, Time from, Time to, bool overwrite, QString* error,
                              bool progress) {
  auto fail = [&](const QString& m) {
    if (error) *error = m;
    return false;
  };
  if (!view_) return fail(tr("Open a scenario first."));
  if (to != kNever && from > to) return fail(tr("The time window is empty."));
  if (!QDir().mkpath(dir)) return fail(tr("Cannot create the folder %1.").arg(dir));
  QDir target(dir);
  if (!overwrite && !target.entryList({"frame-*.png"}, QDir::Files).isEmpty())
    return fail(tr("%1 already has frames.").arg(dir));
  QTemporaryDir tmp(target.filePath(".tcpsim-frames-XXXXXX"));
  if (!tmp.isValid()) return fail(tr("Cannot write to %1: %2").arg(dir, tmp.errorString()));

  if (playing_) togglePlay();
  const std::size_t saved_cursor = cursor_;
  const Time saved_now = now_;
  const std::size_t first = std::max<std::size_t>(view_->cursor_for_time(from - 1), 1);
  const std::size_t last = to == kNever ? view_->size() : view_->cursor_for_time(to);
  const int n = last >= first ? static_cast<int>(last - first + 1) : 0;
  std::unique_ptr<QProgressDialog> pd;
  if (progress) {
    pd = std::make_unique<QProgressDialog>(tr("Saving the frames…"), tr("Cancel"), 0, n, this);
    pd->setWindowModality(Qt::WindowModal);
    pd->setMinimumDuration(300);
  }
  QString err;
  int frame = 0;
  QWidget* area = centralWidget();
  for (std::size_t c = first; c <= last && err.isEmpty(); ++c) {
    setCursor(c, false);
    finishAnimations();
    QPixmap pm = area->grab();
    QString name = QString("frame-%1.png").arg(++frame, 4, 10, QChar('0'));
    if (!pm.save(QDir(tmp.path()).filePath(name), "PNG")) err = tr("Cannot write %1.").arg(name);
    if (pd) {
      pd->setValue(frame);
      if (pd->wasCanceled()) err = tr("Cancelled; no frames were written.");
    }
  }
  // Back where the user was.
  setCursor(saved_cursor, false);
  now_ = saved_now;
  refresh(false);
  if (pd) pd->reset();
  if (!err.isEmpty()) return fail(err);
  // Every frame is made: move them in (replacing old ones only now).
  const QStringList names = QDir(tmp.path()).entryList({"frame-*.png"}, QDir::Files, QDir::Name);
  for (const QString& old : target.entryList({"frame-*.png"}, QDir::Files)) target.remove(old);
  for (const QString& f : names)
    if (!QFile::rename(QDir(tmp.path()).filePath(f), target.filePath(f)))
      return fail(tr("Cannot move %1 into %2.").arg(f, dir));
  return true;
}

}  // namespace tcpsim::gui
