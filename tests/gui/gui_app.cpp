#include "gui_app.hpp"

#include <QApplication>
#include <QDir>
#include <QTemporaryDir>
#include <cstdlib>
#include <sys/stat.h>

namespace tcpsim::test {

void ensure_app() {
  if (QCoreApplication::instance()) return;
  if (!std::getenv("QT_QPA_PLATFORM")) setenv("QT_QPA_PLATFORM", "offscreen", 1);
  // Qt warns unless XDG_RUNTIME_DIR is a 0700 folder it owns.
  static char tmpl[] = "/tmp/tcpsim-gui-test-XXXXXX";
  if (char* d = mkdtemp(tmpl)) {
    chmod(d, 0700);
    setenv("XDG_RUNTIME_DIR", d, 1);
  }
  static int argc = 1;
  static char name[] = "tcpsim_gui_tests";
  static char* argv[] = {name, nullptr};
  auto* app = new QApplication(argc, argv);
  QApplication::setOrganizationName("tcpsim-tests");
  QApplication::setApplicationName("tcpsim-gui-tests");
  (void)app;
}

QString temp_dir() {
  static QTemporaryDir* root = new QTemporaryDir;
  static int n = 0;
  QString d = root->filePath(QString("t%1").arg(++n));
  QDir().mkpath(d);
  return d;
}

}  // namespace tcpsim::test
