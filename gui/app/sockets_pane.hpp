// tcpsim — the Sockets pane (View > Sockets): for one host, the socket table
// at the cursor with the columns `ss -tanoip` prints (issue #15.1). The
// table comes from tcpsim::socket_table() (core/include/tcpsim/ss.hpp), the
// same code as `tcpsim ss`, which reads the model run up to the cursor's
// time: the pane decides nothing about TCP.
#pragma once

#include <QDockWidget>
#include <QWidget>

#include "tcpsim/types.hpp"

class QComboBox;
class QLabel;
class QMenu;
class QTableWidget;

namespace tcpsim::gui {

class MainWindow;

class SocketsPane : public QWidget {
  Q_OBJECT
 public:
  explicit SocketsPane(MainWindow* w, QWidget* parent = nullptr);
  // Recomputes the table for the window's scenario and cursor time (only
  // while the pane is visible).
  void refresh();
  QTableWidget* table() const { return table_; }
  QComboBox* hostBox() const { return host_; }

 protected:
  void changeEvent(QEvent* e) override;
  void showEvent(QShowEvent* e) override;

 private:
  void retranslate();
  MainWindow* w_;
  QLabel* host_label_;
  QComboBox* host_;
  QLabel* caption_;
  QTableWidget* table_;
  std::string shown_scenario_;  // the scenario whose hosts the box lists
  Time shown_at_ = -1;
  int shown_host_ = -1;
};

// The dock holding the pane, hidden until View > Sockets shows it; its
// toggle goes into `view`. Object name "socketsDock".
QDockWidget* install_sockets_pane(MainWindow* w, QMenu* view);

}  // namespace tcpsim::gui
