// tcpsim-gui — the GUI, and its headless screenshot mode:
//   tcpsim-gui [FILE]
//   tcpsim-gui --scenario FILE (--at TIME | --step N) --screenshot OUT.png [--size WxH] [--lang zh_CN]
//              [--lecture] [--hide-next] [--time compressed|linear|textbook] [--quiz [--quiz-answer N]]
//   tcpsim-gui --help | --version        (no display needed)
#include <QDockWidget>
#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QImage>
#include <QPixmap>
#include <QSettings>
#include <QTabWidget>
#include <cstdio>
#include <cstdlib>
#include <sys/stat.h>

#include "demo_trace.hpp"
#include "tcpsim/version.hpp"
#include "i18n.hpp"
#include "ladder.hpp"
#include "lab_controller.hpp"
#include "main_window.hpp"
#include "quiz.hpp"

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
bool platform_set() {
  const char* q = std::getenv("QT_QPA_PLATFORM");
  return q && *q;
}

// The command line, shared by the --help/--version path and the GUI.
struct Options {
  QCommandLineParser p;
  QCommandLineOption scn{"scenario", "Scenario file to open.", "FILE"};
  QCommandLineOption at{"at", "Headless: show the state at this virtual time (e.g. 1.5s, 200ms), "
                              "from 0 to the trace's last event.", "TIME"};
  QCommandLineOption step{"step", "Headless: show the state after N events (0 to the number of events).", "N"};
  QCommandLineOption shot{"screenshot", "Render the main window to this PNG and exit (no display needed).",
                          "OUT.png"};
  QCommandLineOption size{"size", "Screenshot size, WxH (default 1600x1000).", "WxH", "1600x1000"};
  QCommandLineOption lang{"lang", "Language: en or zh_CN (default: system).", "LANG"};
  QCommandLineOption lecture{QStringList{"lecture", "presentation"},
                             "Start in lecture mode: text of 24 px and up, both lifelines in view, "
                             "secondary panes hidden."};
  QCommandLineOption view{"lecture-view",
                          "Lecture mode's centre: both (diagrams and timeline), timeline or diagrams "
                          "(default: both on a wide screen, timeline below 1600 px).", "VIEW"};
  QCommandLineOption hide{"hide-next", "Hide what comes next: the next state and the segments not yet sent."};
  QCommandLineOption sockets{"sockets", "Show the Sockets pane (View > Sockets): ss -tanoip at the cursor."};
  QCommandLineOption chart{"chart", "Show the Charts tab with this chart: endpoint, states, seq or cwnd "
                                    "(cwnd, ssthresh, SRTT and RTO).", "NAME"};
  QCommandLineOption quiz{"quiz", "Start in quiz mode (View > Quiz): from the cursor, the next state or segment "
                                  "is hidden until answered."};
  QCommandLineOption quiz_answer{"quiz-answer", "Headless, with --quiz: answer the first question with choice N "
                                                "(1 to 4) and show the revealed answer.", "N"};
  QCommandLineOption time{"time", "Time scale of the packet timeline: compressed, linear or textbook.", "SCALE"};
  QCommandLineOption demo{"demo", "Show the built-in hand-made normal-close trace."};
  QCommandLineOption dir{"catalogue", "Folder of scenarios for the browser.", "DIR"};
  QCommandLineOption inject{"inject", "Lab: make a branch with this action (the grammar of tcpsim run --inject, "
                                      "e.g. \"drop 3rd . from client\"); repeated, each branches the last. The "
                                      "branch is shown beside the run it was made from.", "ACTION"};
  QCommandLineOption profiles{"compare-profiles", "Lab: run the scenario under linux and rfc9293 and show the two "
                                                  "side by side with their differences."};
  Options() {
    p.setApplicationDescription("tcpsim-gui: watch a TCP scenario's state diagrams and packet timeline.");
    p.addHelpOption();
    p.addVersionOption();
    p.addOptions({scn, at, step, shot, size, lang, lecture, view, hide, time, demo, dir, quiz, quiz_answer, inject, profiles, sockets, chart});
    p.addPositionalArgument("FILE", "Scenario file to open.", "[FILE]");
  }
};
}  // namespace

int main(int argc, char** argv) {
  bool headless = false;
  for (int i = 1; i < argc; ++i) {
    QString a = argv[i];
    if (a == "--screenshot" || a.startsWith("--screenshot=")) headless = true;
  }
  // --help and --version need no window system: a QCoreApplication answers
  // them (QCommandLineParser prints and exits) before a QApplication would
  // look for a display and abort.
  for (int i = 1; i < argc; ++i) {
    const QString a = argv[i];
    if (a == "-h" || a == "--help" || a == "--help-all" || a == "-v" || a == "--version") {
      QCoreApplication core(argc, argv);
      QCoreApplication::setApplicationName("tcpsim-gui");
      QCoreApplication::setApplicationVersion(QString::fromStdString(tcpsim::version_line("").substr(1)));
      Options o;
      o.p.process(core);  // exits 0 after the help or version text, 1 on a bad option
      return 0;
    }
  }
  // Headless: render without a window system when there is no display.
  if (headless && !has_display() && !platform_set()) setenv("QT_QPA_PLATFORM", "offscreen", 1);
  // The window itself needs a display: say so instead of Qt's abort (exit 134).
  if (!headless && !has_display() && !platform_set())
    return fail("no display (DISPLAY and WAYLAND_DISPLAY are unset): run it in a desktop session, "
                "or render a picture with --screenshot OUT.png; --help lists the options");
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
  QApplication::setApplicationVersion(QString::fromStdString(tcpsim::version_line("").substr(1)));

  Options opts;
  QCommandLineParser& p = opts.p;
  const auto &o_scn = opts.scn, &o_at = opts.at, &o_step = opts.step, &o_shot = opts.shot, &o_size = opts.size,
             &o_lang = opts.lang, &o_pres = opts.lecture, &o_demo = opts.demo, &o_dir = opts.dir;
  if (!p.parse(app.arguments())) return fail(p.errorText());

  std::optional<tcpsim::gui::MainWindow::LectureView> lview;
  if (p.isSet(opts.view)) {
    const QString v = p.value(opts.view);
    if (v == "both") lview = tcpsim::gui::MainWindow::LectureView::Both;
    else if (v == "timeline") lview = tcpsim::gui::MainWindow::LectureView::Timeline;
    else if (v == "diagrams") lview = tcpsim::gui::MainWindow::LectureView::Diagrams;
    else return fail(QString("--lecture-view: unknown view '%1' (expected both, timeline or diagrams)").arg(v));
  }
  std::optional<tcpsim::render::TimeScale> scale;
  if (p.isSet(opts.time)) {
    scale = tcpsim::render::parse_time_scale(p.value(opts.time));
    if (!scale)
      return fail(QString("--time: unknown time scale '%1' (expected compressed, linear or textbook)")
                      .arg(p.value(opts.time)));
  }

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
  int quiz_answer = 0;
  if (p.isSet(opts.quiz_answer)) {
    bool ok = false;
    quiz_answer = p.value(opts.quiz_answer).toInt(&ok);
    if (!ok || quiz_answer < 1 || quiz_answer > 4)
      return fail(QString("--quiz-answer: expected a choice from 1 to 4, got '%1'").arg(p.value(opts.quiz_answer)));
    if (!p.isSet(opts.quiz) || !headless) return fail("--quiz-answer needs --quiz and --screenshot OUT.png");
  }
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
  if (p.isSet(o_pres)) win.setLectureMode(true);
  if (lview) win.setLectureView(*lview);
  if (p.isSet(opts.hide)) win.setHideNext(true);
  if (p.isSet(opts.sockets))
    if (auto* d = win.findChild<QDockWidget*>("socketsDock")) {
      d->show();
      d->raise();
    }
  // A screenshot shows the scale it was asked for (compressed by default),
  // never one saved by an earlier run.
  if (scale || headless) win.setTimeScale(scale.value_or(tcpsim::render::TimeScale::Compressed));
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
  // The lab (issue #13): branches made from the command line, for
  // reproducible screenshots. A refused action is an error naming it.
  if ((p.isSet(opts.inject) || p.isSet(opts.profiles)) && !win.view())
    return fail("--inject and --compare-profiles need a scenario (--scenario FILE)");
  if (p.isSet(opts.profiles) && !win.lab()->compareProfiles()) return fail("--compare-profiles: " + win.messageText());
  for (const QString& a : p.values(opts.inject))
    if (!win.lab()->applyActionText(a)) return fail(QString("--inject \"%1\": %2").arg(a, win.messageText()));

  if (!headless && p.isSet(opts.quiz)) win.setQuizMode(true);
  if (p.isSet(opts.chart)) {
    // The Charts tab's pages, in the order refreshCharts() builds them.
    const QStringList charts{"endpoint", "states", "seq", "cwnd"};
    const int i = charts.indexOf(p.value(opts.chart));
    if (i < 0) return fail(QString("--chart %1: expected one of %2").arg(p.value(opts.chart), charts.join(", ")));
    win.centerTabs()->setCurrentIndex(1);
    if (auto* ct = qobject_cast<QTabWidget*>(win.centerTabs()->widget(1))) ct->setCurrentIndex(i);
  }
  if (headless) {
    // A cursor beyond the trace is an error that names the valid range.
    const std::size_t n = win.view() ? win.view()->size() : 0;
    if (step > static_cast<long>(n))
      return fail(QString("--step %1: beyond the trace, which has %2 events (valid steps: 0 to %2)").arg(step).arg(n));
    const tcpsim::Time end = win.view() ? win.view()->end_time() : 0;
    if (at && (*at < 0 || *at > end))
      return fail(QString("--at %1: beyond the trace (valid times: 0 to %2 s, the last event)")
                      .arg(p.value(o_at), QString::fromStdString(tcpsim::format_time(end))));
    if (step >= 0) win.setCursor(static_cast<std::size_t>(step), false);
    else if (at) win.setCursorTime(*at);
    else win.setCursor(win.view() ? win.view()->size() : 0, false);
    if (p.isSet(opts.quiz)) {
      // The quiz starts at the first question from this cursor (from the
      // start when the cursor is at the end).
      win.setQuizMode(true);
      if (quiz_answer > 0) {
        if (!win.quiz()->question() || quiz_answer > win.quiz()->optionCount())
          return fail(QString("--quiz-answer %1: the question has %2 choices").arg(quiz_answer).arg(win.quiz()->optionCount()));
        win.quiz()->answer(quiz_answer - 1);
      }
    }
    win.finishAnimations();
    win.resize(w, h);
    // The lecture view follows the size unless one was asked for.
    if (p.isSet(o_pres)) win.setLectureView(lview ? *lview : tcpsim::gui::MainWindow::defaultLectureView(w));
    // Lay the window out without showing it on any screen.
    win.setAttribute(Qt::WA_DontShowOnScreen);
    win.show();
    QApplication::processEvents();
    if (p.isSet(opts.sockets))  // the layout may have raised another tab of the bottom docks
      if (auto* d = win.findChild<QDockWidget*>("socketsDock")) d->raise();
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
