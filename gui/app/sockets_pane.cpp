// tcpsim — the Sockets pane (sockets_pane.hpp).
#include "sockets_pane.hpp"

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QTableWidget>
#include <QVBoxLayout>

#include "main_window.hpp"
#include "tcpsim/ss.hpp"

namespace tcpsim::gui {

namespace {
// A run this long is not recomputed at every cursor move; `tcpsim ss` is
// the tool for such moments.
constexpr std::uint64_t kMaxEvents = 3'000'000;
}  // namespace

SocketsPane::SocketsPane(MainWindow* w, QWidget* parent) : QWidget(parent), w_(w) {
  auto* v = new QVBoxLayout(this);
  v->setContentsMargins(4, 4, 4, 4);
  auto* top = new QHBoxLayout;
  host_label_ = new QLabel(this);
  host_ = new QComboBox(this);
  host_->setObjectName("socketsHost");
  host_label_->setBuddy(host_);
  caption_ = new QLabel(this);
  caption_->setObjectName("socketsCaption");
  caption_->setWordWrap(true);
  top->addWidget(host_label_);
  top->addWidget(host_);
  top->addWidget(caption_, 1);
  v->addLayout(top);
  table_ = new QTableWidget(0, 7, this);
  table_->setObjectName("socketsTable");
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setWordWrap(false);
  v->addWidget(table_, 1);
  connect(host_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { refresh(); });
  connect(w_, &MainWindow::cursorMoved, this, [this] { refresh(); });
  retranslate();
}

void SocketsPane::changeEvent(QEvent* e) {
  if (e->type() == QEvent::LanguageChange) retranslate();
  QWidget::changeEvent(e);
}

void SocketsPane::showEvent(QShowEvent* e) {
  QWidget::showEvent(e);
  refresh();
}

void SocketsPane::retranslate() {
  host_label_->setText(tr("&Host:"));
  table_->setHorizontalHeaderLabels({tr("State"), tr("Recv-Q"), tr("Send-Q"), tr("Local Address:Port"),
                                     tr("Peer Address:Port"), tr("Process"), tr("Timer")});
  if (auto* d = qobject_cast<QDockWidget*>(parentWidget())) d->setWindowTitle(tr("Sockets"));
  shown_at_ = -1;  // the caption is worded again
  refresh();
}

void SocketsPane::refresh() {
  const Scenario* sc = w_->scenario();
  if (!isVisible() && shown_at_ >= 0) return;
  if (!sc) {
    host_->clear();
    table_->setRowCount(0);
    caption_->setText(tr("No scenario open."));
    return;
  }
  const std::string key = sc->path + "\n" + sc->name;
  if (key != shown_scenario_ || host_->count() != static_cast<int>(sc->hosts.size())) {
    const QSignalBlocker block(host_);
    host_->clear();
    for (const auto& h : sc->hosts)
      host_->addItem(QString::fromStdString(h.name + " (" + ip_string(h.ip) + ")"));
    // The server side is where pile-ups show: start on the last host.
    host_->setCurrentIndex(host_->count() - 1);
    shown_scenario_ = key;
    shown_at_ = -1;
  }
  const Time at = w_->displayTime();
  const int host = host_->currentIndex();
  if (at == shown_at_ && host == shown_host_) return;
  shown_at_ = at;
  shown_host_ = host;
  RunOptions opt;
  opt.limits.events = kMaxEvents;
  const SsTable t = socket_table(*sc, at, opt);
  const QString when = QString::fromStdString(format_time(at));
  const QString name = host >= 0 ? QString::fromStdString(sc->hosts[host].name) : QString();
  if (!t.stopped_by.empty()) {
    table_->setRowCount(0);
    caption_->setText(tr("Too long a run to recompute at every step (over %1 events before %2 s): "
                         "use tcpsim ss FILE --at %2s --host %3.")
                          .arg(kMaxEvents)
                          .arg(when, name));
    return;
  }
  std::vector<const SsRow*> rows;
  for (const auto& r : t.rows)
    if (r.host == host) rows.push_back(&r);
  caption_->setText(rows.empty() ? tr("At %1 s no socket is listed on %2.").arg(when, name)
                                 : tr("At %1 s on %2, as ss -tanoip would show it. Sockets: %3")
                                       .arg(when, name)
                                       .arg(rows.size()));
  table_->setRowCount(static_cast<int>(rows.size()));
  auto cell = [&](int r, int c, const std::string& text, bool right = false) {
    auto* it = new QTableWidgetItem(QString::fromStdString(text));
    if (right) it->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    table_->setItem(r, c, it);
  };
  for (int i = 0; i < static_cast<int>(rows.size()); ++i) {
    const SsRow& r = *rows[i];
    cell(i, 0, ss_state_name(r.state));
    cell(i, 1, std::to_string(r.recv_q), true);
    cell(i, 2, std::to_string(r.send_q), true);
    cell(i, 3, ip_string(r.lip) + ":" + (r.lport ? std::to_string(r.lport) : "*"));
    cell(i, 4, ip_string(r.rip) + ":" + (r.rport ? std::to_string(r.rport) : "*"));
    std::string users;
    for (const auto& u : r.users)
      users += (users.empty() ? "" : ", ") + u.process + " pid=" + std::to_string(u.pid) + " fd=" + std::to_string(u.fd);
    cell(i, 5, users);
    cell(i, 6, r.timer == SsTimer::Off ? std::string()
                                       : std::string(ss_timer_name(r.timer)) + ", " + ss_ms_timer(r.expires_ms) + ", " +
                                             std::to_string(r.retrans));
    // The socket's label and trace id, for finding it in the log and the JSONL.
    const QString tip = QString::fromStdString((r.label.empty() ? std::string("-") : r.label) + "  sid " + std::to_string(r.sock));
    for (int c = 0; c < 7; ++c)
      if (auto* it = table_->item(i, c)) it->setToolTip(tip);
  }
  table_->resizeColumnsToContents();
}

QDockWidget* install_sockets_pane(MainWindow* w, QMenu* view) {
  auto* dock = new QDockWidget(w);
  dock->setObjectName("socketsDock");
  auto* pane = new SocketsPane(w, dock);
  pane->setObjectName("socketsPane");
  dock->setWidget(pane);
  dock->setWindowTitle(SocketsPane::tr("Sockets"));
  w->addDockWidget(Qt::BottomDockWidgetArea, dock);
  // Beside the event log, so the centre keeps its width at 1024x768.
  for (auto* other : w->findChildren<QDockWidget*>())
    if (other != dock && w->dockWidgetArea(other) == Qt::BottomDockWidgetArea) {
      w->tabifyDockWidget(other, dock);
      break;
    }
  dock->hide();
  if (view) view->addAction(dock->toggleViewAction());
  QObject::connect(dock, &QDockWidget::visibilityChanged, pane, [pane](bool on) {
    if (on) pane->refresh();
  });
  return dock;
}

}  // namespace tcpsim::gui
