// tcpsim-gui — the GUI, and its headless screenshot mode:
//   tcpsim-gui [FILE]
//   tcpsim-gui --scenario FILE (--at TIME | --step N) --screenshot OUT.png [--size WxH] [--lang zh_CN]
#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QImage>
#include <QPixmap>
#include <QSettings>
#include <cstdio>
#include <cstdlib>
#include <sys/stat.h>

#include "demo_trace.hpp"
#include "i18n.hpp"
#include "ladder.hpp"
#include "main_window.hpp"

namespace {
int fail(const QString& msg) {
  std::fprintf(stderr, "tcpsim-gui: %s\n", msg.toLocal8Bit().constData());
  return 2;
}
bool has_display() {
  const char* d = std::getenv("DISPLAY");
  const char* w = std::getenv("WAYLAND_DISPLAY");
  return (d && *d) || (w && *w);
}
}  // namespace

int main(int argc, char** argv) {
  bool headless = false;
  for (int i = 1; i < argc; ++i) {
    QString a = argv[i];
    if (a == "--screenshot" || a.startsWith("--screenshot=")) headless = true;
  }
  // Headless: render without a window system when there is no display.
  if (headless && !has_display() && !(std::getenv("QT_QPA_PLATFORM") && *std::getenv("QT_QPA_PLATFORM"))) setenv("QT_QPA_PLATFORM", "offscreen", 1);
  if (!std::getenv("XDG_RUNTIME_DIR")) {
    static char tmpl[] = "/tmp/tcpsim-xdg-XXXXXX";
    if (char* d = mkdtemp(tmpl)) {
      chmod(d, 0700);
      setenv("XDG_RUNTIME_DIR", d, 1);
    }
  }
  QApplication app(argc, argv);
  QApplication::setOrganizationName("tcpsim");
  QApplication::setApplicationName(headless ? "tcpsim-gui-headless" : "tcpsim-gui");
  QApplication::setApplicationVersion(TCPSIM_VERSION_STRING);

  QCommandLineParser p;
  p.setApplicationDescription("tcpsim-gui: watch a TCP scenario's state diagrams and packet timeline.");
  p.addHelpOption();
  p.addVersionOption();
  QCommandLineOption o_scn("scenario", "Scenario file to open.", "FILE");
  QCommandLineOption o_at("at", "Headless: show the state at this virtual time (e.g. 1.5s, 200ms).", "TIME");
  QCommandLineOption o_step("step", "Headless: show the state after N events.", "N");
  QCommandLineOption o_shot("screenshot", "Render the main window to this PNG and exit.", "OUT.png");
  QCommandLineOption o_size("size", "Screenshot size, WxH (default 1600x1000).", "WxH", "1600x1000");
  QCommandLineOption o_lang("lang", "Language: en or zh_CN (default: system).", "LANG");
  QCommandLineOption o_pres("presentation", "Start in presentation mode (large fonts, thick lines).");
  QCommandLineOption o_demo("demo", "Show the built-in hand-made normal-close trace.");
  QCommandLineOption o_dir("catalogue", "Folder of scenarios for the browser.", "DIR");
  p.addOptions({o_scn, o_at, o_step, o_shot, o_size, o_lang, o_pres, o_demo, o_dir});
  p.addPositionalArgument("FILE", "Scenario file to open.", "[FILE]");
  if (!p.parse(app.arguments())) return fail(p.errorText());
  if (p.isSet("help")) p.showHelp(0);
  if (p.isSet("version")) p.showVersion();

  QString file = p.value(o_scn);
  if (!p.positionalArguments().isEmpty()) {
    if (!file.isEmpty() || p.positionalArguments().size() > 1)
      return fail("give one scenario file (either FILE or --scenario FILE)");
    file = p.positionalArguments().front();
  }
  QString lang = p.value(o_lang);
  if (!lang.isEmpty() && lang != "en" && lang != "zh_CN" && lang != "zh")
    return fail(QString("--lang: unknown language '%1' (expected en or zh_CN)").arg(lang));
  if (!headless && (p.isSet(o_at) || p.isSet(o_step) || p.isSet(o_size)))
    return fail("--at, --step and --size need --screenshot OUT.png");
  if (p.isSet(o_at) && p.isSet(o_step)) return fail("give either --at or --step, not both");
  int w = 1600, h = 1000;
  {
    QStringList wh = p.value(o_size).split('x');
    bool ok1 = false, ok2 = false;
    if (wh.size() == 2) {
      w = wh[0].toInt(&ok1);
      h = wh[1].toInt(&ok2);
    }
    if (!ok1 || !ok2 || w < 200 || h < 150 || w > 10000 || h > 10000)
      return fail(QString("--size: expected WxH between 200x150 and 10000x10000, got '%1'").arg(p.value(o_size)));
  }
  std::optional<tcpsim::Time> at;
  if (p.isSet(o_at)) {
    at = tcpsim::parse_duration(p.value(o_at).toStdString());
    if (!at) return fail(QString("--at: bad time '%1' (examples: 1.5s, 200ms, 40us)").arg(p.value(o_at)));
  }
  long step = -1;
  if (p.isSet(o_step)) {
    bool ok = false;
    step = p.value(o_step).toLong(&ok);
    if (!ok || step < 0) return fail(QString("--step: expected a number of events >= 0, got '%1'").arg(p.value(o_step)));
  }
  if (!file.isEmpty() && !QFileInfo(file).isFile())
    return fail(QString("%1: no such scenario file").arg(file));
  if (headless && file.isEmpty() && !p.isSet(o_demo)) return fail("--screenshot needs --scenario FILE (or --demo)");
  if (headless) {
    QString out = p.value(o_shot);
    if (!out.endsWith(".png", Qt::CaseInsensitive)) return fail(QString("--screenshot: '%1' must end in .png").arg(out));
    if (!QFileInfo(QFileInfo(out).absolutePath()).isDir())
      return fail(QString("--screenshot: folder of '%1' does not exist").arg(out));
  }

  tcpsim::gui::MainWindow win;
  if (p.isSet(o_dir)) win.setCatalogueDir(p.value(o_dir));
  // Headless runs follow --lang or the system locale, never a saved choice.
  QString lang_eff = !lang.isEmpty() || headless ? lang : QSettings().value("language", "").toString();
  win.setLanguage(lang_eff == "zh" ? "zh_CN" : lang_eff);
  if (p.isSet(o_pres)) win.setPresentationMode(true);
  if (p.isSet(o_demo)) {
    win.setTrace(tcpsim::render::demo_normal_close_scenario(), tcpsim::render::demo_normal_close_trace());
  } else if (!file.isEmpty()) {
    if (!win.openScenario(file)) {
      if (headless) return fail(win.messageText());
    }
  } else if (!headless) {
    QString last = QSettings().value("lastScenario").toString();
    if (!last.isEmpty() && QFileInfo(last).isFile()) win.openScenario(last);
  }

  if (headless) {
    if (step >= 0) win.setCursor(static_cast<std::size_t>(step), false);
    else if (at) win.setCursorTime(*at);
    else win.setCursor(win.view() ? win.view()->size() : 0, false);
    win.finishAnimations();
    win.resize(w, h);
    // Lay the window out without showing it on any screen.
    win.setAttribute(Qt::WA_DontShowOnScreen);
    win.show();
    QApplication::processEvents();
    win.ladder()->ensureCursorVisible();
    QApplication::processEvents();
    QPixmap pm = win.grab();
    QString out = p.value(o_shot);
    if (!pm.save(out, "PNG")) return fail(QString("cannot write '%1'").arg(out));
    std::printf("%s\n", out.toLocal8Bit().constData());
    return 0;
  }
  win.show();
  return app.exec();
}
