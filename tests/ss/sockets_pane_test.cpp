// The GUI's Sockets pane (gui/app/sockets_pane.hpp): it shows, for the
// chosen host at the cursor, the rows tcpsim ss prints, and follows the
// cursor and the language.
#include <gtest/gtest.h>

#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QHeaderView>
#include <QMenu>
#include <QTableWidget>

#include "gui_app.hpp"
#include "main_window.hpp"
#include "sockets_pane.hpp"
#include "tcpsim/loader.hpp"
#include "tcpsim/ss.hpp"

using namespace tcpsim;

namespace {
const QString kBacklog = QString(TCPSIM_SCENARIOS) + "/syn-backlog-full.yaml";

QStringList row(QTableWidget* t, int r) {
  QStringList v;
  for (int c = 0; c < t->columnCount(); ++c) v << (t->item(r, c) ? t->item(r, c)->text() : QString());
  return v;
}
}  // namespace

TEST(SocketsPane, HiddenUntilViewSocketsThenShowsTheTableAtTheCursor) {
  test::ensure_app();
  gui::MainWindow w;
  ASSERT_TRUE(w.openScenario(kBacklog)) << w.messageText().toStdString();
  auto* dock = w.findChild<QDockWidget*>("socketsDock");
  ASSERT_NE(dock, nullptr);
  EXPECT_TRUE(dock->isHidden());
  // The View menu carries its toggle.
  bool in_menu = false;
  for (auto* a : w.menu("view")->actions()) in_menu |= a == dock->toggleViewAction();
  EXPECT_TRUE(in_menu);

  w.setCursorTime(sec(4));
  w.resize(1024, 768);
  w.setAttribute(Qt::WA_DontShowOnScreen);
  w.show();
  dock->show();
  dock->raise();
  QApplication::processEvents();
  auto* pane = dock->findChild<gui::SocketsPane*>();
  ASSERT_NE(pane, nullptr);
  pane->refresh();
  QTableWidget* t = pane->table();
  // The server (last host) first: the same rows as tcpsim ss.
  const Scenario sc = load_scenario_file(kBacklog.toStdString());
  const SsTable expect = socket_table(sc, w.displayTime());
  int n = 0;
  for (const auto& r : expect.rows) n += r.host == 1;
  ASSERT_EQ(t->rowCount(), n);
  EXPECT_EQ(row(t, 0).mid(0, 5), (QStringList{"LISTEN", "2", "1", "10.0.0.2:80", "0.0.0.0:*"}));
  EXPECT_EQ(row(t, 0)[5], "server pid=1 fd=3");
  EXPECT_EQ(row(t, 1)[0], "ESTAB");
  EXPECT_EQ(row(t, 1)[1], "100");
  // The client: its third socket still in SYN-SENT with its SYN timer.
  pane->hostBox()->setCurrentIndex(0);
  bool syn = false;
  for (int r = 0; r < t->rowCount(); ++r)
    if (row(t, r)[0] == "SYN-SENT") {
      syn = true;
      EXPECT_EQ(row(t, r)[2], "1");
      EXPECT_TRUE(row(t, r)[6].startsWith("on, ")) << row(t, r)[6].toStdString();
    }
  EXPECT_TRUE(syn);
  // Following the cursor: at the start nothing exists yet.
  w.setCursor(0);
  QApplication::processEvents();
  EXPECT_EQ(t->rowCount(), 0);
}

TEST(SocketsPane, SpeaksChinese) {
  test::ensure_app();
  gui::MainWindow w;
  ASSERT_TRUE(w.openScenario(kBacklog));
  w.setLanguage("zh_CN");
  QApplication::processEvents();  // LanguageChange is posted
  auto* dock = w.findChild<QDockWidget*>("socketsDock");
  ASSERT_NE(dock, nullptr);
  EXPECT_EQ(dock->windowTitle(), QString::fromUtf8("套接字"));
  auto* pane = dock->findChild<gui::SocketsPane*>();
  EXPECT_EQ(pane->table()->horizontalHeaderItem(0)->text(), QString::fromUtf8("状态"));
  w.setLanguage("en");
  QApplication::processEvents();
  EXPECT_EQ(dock->windowTitle(), "Sockets");
}
