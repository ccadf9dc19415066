// tcpsim-gui --screenshot: renders without a display; bad options are clear errors.
#include <gtest/gtest.h>

#include <QImage>
#include <QProcess>
#include <QProcessEnvironment>

#include "gui_app.hpp"

namespace {

struct GuiRun {
  int code;
  QString err;
};
GuiRun run_gui(const QStringList& args) {
  QProcess p;
  auto env = QProcessEnvironment::systemEnvironment();
  env.remove("DISPLAY");
  env.remove("WAYLAND_DISPLAY");
  env.remove("QT_QPA_PLATFORM");  // the program must pick offscreen itself
  p.setProcessEnvironment(env);
  p.start(TCPSIM_GUI_EXE, args);
  p.waitForFinished(120000);
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardError()};
}

TEST(HeadlessScreenshot, DemoTraceRendersAPngOfTheRequestedSize) {
  tcpsim::test::ensure_app();
  QString out = tcpsim::test::temp_dir() + "/shot.png";
  GuiRun r = run_gui({"--demo", "--step", "20", "--screenshot", out, "--size", "1280x800"});
  ASSERT_EQ(r.code, 0) << r.err.toStdString();
  QImage img(out);
  EXPECT_EQ(img.size(), QSize(1280, 800));
}

TEST(HeadlessScreenshot, BadOptionsExitNonZeroWithAMessage) {
  tcpsim::test::ensure_app();
  QString out = tcpsim::test::temp_dir() + "/x.png";
  GuiRun r = run_gui({"--demo", "--at", "soon", "--screenshot", out});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(r.err.contains("--at")) << r.err.toStdString();
  r = run_gui({"--scenario", "/no/such.yaml", "--screenshot", out});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(r.err.contains("/no/such.yaml")) << r.err.toStdString();
  r = run_gui({"--demo", "--size", "big", "--screenshot", out});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(r.err.contains("--size"));
  r = run_gui({"--demo", "--bogus", "--screenshot", out});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(r.err.contains("bogus"));
}

}  // namespace
