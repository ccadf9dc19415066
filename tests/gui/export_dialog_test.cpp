// File → Export…: the dialog writes every export for every catalogue
// scenario, each opened again with its real tool (rsvg-convert, pdfinfo,
// pdftoppm, tshark, dot, plantuml); the preview shows what would be written;
// bad options are errors in the dialog that write nothing.
#include <gtest/gtest.h>

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QJsonDocument>
#include <QPointer>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTabWidget>

#include "export_dialog.hpp"
#include "gui_app.hpp"
#include "i18n.hpp"
#include "main_window.hpp"
#include "tcpsim/loader.hpp"
#include "trace_view.hpp"

using namespace tcpsim;
using tcpsim::gui::ExportKind;
using tcpsim::gui::ExportRequest;

namespace {

double inkFraction(const QImage& img) {
  if (img.isNull()) return 0;
  long ink = 0, n = 0;
  for (int y = 0; y < img.height(); y += 3)
    for (int x = 0; x < img.width(); x += 3, ++n)
      if (qGray(img.pixel(x, y)) < 200) ++ink;
  return n ? double(ink) / n : 0;
}

// Not blank: at least `n` dark pixels (a pile-up's ladder fitted in a box is a thin strip).
bool hasInk(const QImage& img, int n = 200) {
  int ink = 0;
  for (int y = 0; y < img.height(); ++y)
    for (int x = 0; x < img.width(); ++x)
      if (qGray(img.pixel(x, y)) < 160 && ++ink >= n) return true;
  return false;
}

struct ToolRun {
  int status = -1;
  QString out, err;
};
ToolRun run(const QString& prog, const QStringList& args, int timeout_ms = 120000) {
  QProcess p;
  p.setProgram(prog);
  p.setArguments(args);
  p.start();
  ToolRun r;
  if (!p.waitForStarted() || !p.waitForFinished(timeout_ms)) {
    p.kill();
    p.waitForFinished();
    r.err = "did not finish: " + prog;
    return r;
  }
  r.status = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  r.out = QString::fromUtf8(p.readAllStandardOutput());
  r.err = QString::fromUtf8(p.readAllStandardError());
  return r;
}
bool have(const char* tool) { return !QStandardPaths::findExecutable(tool).isEmpty(); }

QStringList catalogueScenarios() {
  QDir d(TCPSIM_SCENARIOS_DIR);
  QStringList out;
  for (const QString& f : d.entryList({"*.yaml"}, QDir::Files, QDir::Name))
    if (f != "index.yaml") out << d.filePath(f);
  return out;
}

QString readAll(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

class ExportDialogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::ensure_app();
    win = std::make_unique<gui::MainWindow>();
    win->setLanguage("en");
    dir = test::temp_dir();
  }
  // Drives the dialog: opens it on the kind, fills the request, presses Export.
  bool exportVia(const ExportRequest& r, QString* error = nullptr) {
    QPointer<gui::ExportDialog> d = win->openExportDialog(r.kind);
    if (!d) {
      if (error) *error = "no dialog: " + win->messageText();
      return false;
    }
    d->setRequest(r);
    bool ok = d->exportNow(false);
    if (error) *error = d ? d->errorText() : QString();
    if (d) d->close();
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    return ok;
  }
  ExportRequest req(ExportKind k, const QString& name) {
    ExportRequest r;
    r.kind = k;
    r.path = dir + "/" + name;
    return r;
  }
  std::unique_ptr<gui::MainWindow> win;
  QString dir;
};

// Every catalogue scenario, every format the dialog offers but frames.
TEST_F(ExportDialogTest, EveryCatalogueScenarioExportsEveryFormatThatItsToolOpens) {
  const bool rsvg = have("rsvg-convert"), pdfinfo = have("pdfinfo"), pdftoppm = have("pdftoppm"),
             tshark = have("tshark"), dot = have("dot"), plantuml = have("plantuml");
  QStringList pumls;
  const QStringList files = catalogueScenarios();
  ASSERT_GE(files.size(), 20);
  for (const QString& file : files) {
    const QString name = QFileInfo(file).completeBaseName();
    SCOPED_TRACE(name.toStdString());
    ASSERT_TRUE(win->openScenario(file)) << win->messageText().toStdString();
    const std::size_t events = win->trace()->events.size();
    QString err;
    auto out = [&](const QString& f) { return dir + "/" + name + "-" + f; };

    ExportRequest r = req(ExportKind::Ladder, name + "-ladder.svg");
    ASSERT_TRUE(exportVia(r, &err)) << err.toStdString();
    r.path = out("ladder.pdf");
    ASSERT_TRUE(exportVia(r, &err)) << err.toStdString();
    r.path = out("ladder.png");
    // The PNG of the first 40 events, 800 px wide (a pile-up's whole ladder
    // is tens of thousands of pixels tall).
    r.width = 800;
    r.to = win->view()->time_at(std::min<std::size_t>(40, events));
    ASSERT_TRUE(exportVia(r, &err)) << err.toStdString();
    QImage png(r.path);
    EXPECT_EQ(png.width(), 800);
    EXPECT_LT(png.height(), 12000);
    EXPECT_TRUE(hasInk(png));

    r = req(ExportKind::Diagram, name + "-diagram.svg");
    r.which = "both";
    ASSERT_TRUE(exportVia(r, &err)) << err.toStdString();
    r = req(ExportKind::Chart, name + "-states.png");
    r.chart = "states";
    ASSERT_TRUE(exportVia(r, &err)) << err.toStdString();
    EXPECT_EQ(QImage(r.path).size(), QSize(1000, 600));
    EXPECT_GT(inkFraction(QImage(r.path)), 0.005);

    for (auto [k, f] : {std::pair{ExportKind::Pcap, "capture.pcap"}, {ExportKind::Mermaid, "sequence.mmd"},
                        {ExportKind::PlantUml, "sequence.puml"}, {ExportKind::Dot, "states.dot"},
                        {ExportKind::Jsonl, "trace.jsonl"}, {ExportKind::Csv, "counts.csv"}}) {
      r = req(k, name + "-" + f);
      ASSERT_TRUE(exportVia(r, &err)) << f << ": " << err.toStdString();
      ASSERT_TRUE(QFileInfo(r.path).size() > 0) << f;
    }

    // Open each with its tool.
    for (const char* svg : {"ladder.svg", "diagram.svg"}) {
      if (!rsvg) break;
      QString to = out(QString(svg) + ".png");
      ToolRun rr = run("rsvg-convert", {"-a", "-w", "600", "-h", "30000", "-o", to, out(svg)});
      EXPECT_EQ(rr.status, 0) << svg << ": " << rr.err.toStdString();
      EXPECT_TRUE(hasInk(QImage(to))) << svg;
    }
    if (pdfinfo) {
      ToolRun rr = run("pdfinfo", {out("ladder.pdf")});
      EXPECT_EQ(rr.status, 0) << rr.err.toStdString();
      EXPECT_TRUE(rr.out.contains(QRegularExpression("Pages:\\s+[1-9]"))) << rr.out.toStdString();
    }
    if (pdftoppm) {
      ToolRun rr = run("pdftoppm", {"-r", "20", "-png", "-singlefile", out("ladder.pdf"), out("ladder-pdf")});
      EXPECT_EQ(rr.status, 0) << rr.err.toStdString();
      EXPECT_TRUE(hasInk(QImage(out("ladder-pdf.png")), 50));
    }
    if (tshark) {
      ToolRun rr = run("tshark", {"-r", out("capture.pcap"), "-o", "ip.check_checksum:TRUE", "-o",
                              "tcp.check_checksum:TRUE"});
      EXPECT_EQ(rr.status, 0);
      // tshark's only remark when run by root is not about the file.
      QStringList errs = rr.err.split('\n', Qt::SkipEmptyParts);
      errs.removeIf([](const QString& l) { return l.startsWith("Running as user"); });
      EXPECT_TRUE(errs.isEmpty()) << errs.join('\n').toStdString();
      EXPECT_FALSE(rr.out.contains("Malformed")) << rr.out.toStdString();
      EXPECT_FALSE(rr.out.contains("incorrect")) << rr.out.toStdString();
    }
    if (dot) {
      ToolRun rr = run("dot", {"-Tsvg", "-o", out("states.svg"), out("states.dot")});
      EXPECT_EQ(rr.status, 0) << rr.err.toStdString();
      EXPECT_TRUE(rr.err.trimmed().isEmpty()) << rr.err.toStdString();
    }
    EXPECT_TRUE(readAll(out("sequence.mmd")).startsWith("sequenceDiagram\n"));
    EXPECT_TRUE(readAll(out("sequence.puml")).startsWith("@startuml"));
    // PlantUML takes seconds per thousand arrows: the pile-ups are left to tests/export.
    if (QFileInfo(out("sequence.puml")).size() < 16000) pumls << out("sequence.puml");
    const QStringList jsonl = readAll(out("trace.jsonl")).split('\n', Qt::SkipEmptyParts);
    EXPECT_EQ(static_cast<std::size_t>(jsonl.size()), events);
    for (const QString& line : jsonl) {
      QJsonParseError pe{};
      QJsonDocument::fromJson(line.toUtf8(), &pe);
      ASSERT_EQ(pe.error, QJsonParseError::NoError) << line.toStdString();
    }
    EXPECT_TRUE(readAll(out("counts.csv")).startsWith("t,host,LISTEN,SYN_SENT,"));
  }
  // One JVM for every PlantUML file.
  if (plantuml) {
    ToolRun rr = run("plantuml", QStringList{"-tsvg", "-failfast2"} + pumls, 600000);
    EXPECT_EQ(rr.status, 0) << rr.err.toStdString() << rr.out.toStdString();
    for (const QString& p : pumls) {
      QString svg = p.left(p.size() - 5) + ".svg";
      EXPECT_TRUE(QFileInfo(svg).size() > 0) << svg.toStdString();
    }
  }
  // The GUI kept its language through the exports.
  EXPECT_EQ(render::current_language(), QString("en"));
}

TEST_F(ExportDialogTest, FramesAreGrabsOfTheMainViewAndTheCursorIsRestored) {
  ASSERT_TRUE(win->openScenario(QString(TCPSIM_SCENARIOS_DIR) + "/three-way-handshake.yaml"));
  win->resize(1280, 800);
  win->show();
  QCoreApplication::processEvents();
  win->setCursor(2);
  const std::size_t events = win->trace()->events.size();
  QString frames = dir + "/frames";
  ExportRequest r = req(ExportKind::Frames, "frames");
  QString err;
  ASSERT_TRUE(exportVia(r, &err)) << err.toStdString();
  QStringList names = QDir(frames).entryList({"frame-*.png"}, QDir::Files, QDir::Name);
  ASSERT_EQ(static_cast<std::size_t>(names.size()), events);
  EXPECT_EQ(names.front(), QString("frame-0001.png"));
  QImage first(QDir(frames).filePath(names.front())), last(QDir(frames).filePath(names.back()));
  EXPECT_EQ(first.size(), win->centralWidget()->size() * win->centralWidget()->devicePixelRatio());
  EXPECT_GT(inkFraction(last), 0.01);
  EXPECT_NE(first, last);
  EXPECT_EQ(win->cursor(), 2u);
  // No temporary folder is left behind.
  EXPECT_EQ(QDir(frames).entryList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden).size(), 0);
  // A second export into the same folder asks first; without overwrite it is refused.
  EXPECT_FALSE(win->exportFrames(frames, 0, kNever, false, &err, false));
  EXPECT_FALSE(err.isEmpty());
  // A window: frames only for the events in it.
  ASSERT_TRUE(win->exportFrames(dir + "/window", 0, msec(1), false, &err, false)) << err.toStdString();
  EXPECT_LT(QDir(dir + "/window").entryList({"frame-*.png"}, QDir::Files).size(), names.size());
}

TEST_F(ExportDialogTest, PreviewShowsTheDrawingOrTheTextThatWillBeWritten) {
  ASSERT_TRUE(win->openScenario(QString(TCPSIM_SCENARIOS_DIR) + "/normal-close.yaml"));
  QPointer<gui::ExportDialog> d = win->openExportDialog(ExportKind::Ladder);
  ASSERT_TRUE(d);
  ExportRequest r = req(ExportKind::Ladder, "p.svg");
  for (ExportKind k : {ExportKind::Ladder, ExportKind::Diagram, ExportKind::Chart}) {
    r.kind = k;
    d->setRequest(r);
    d->updatePreviewNow();
    EXPECT_FALSE(d->previewImage().isNull()) << gui::exportKindName(k).toStdString();
    EXPECT_GT(inkFraction(d->previewImage()), 0.005) << gui::exportKindName(k).toStdString();
    EXPECT_TRUE(d->errorText().isEmpty()) << d->errorText().toStdString();
  }
  r.kind = ExportKind::Mermaid;
  d->setRequest(r);
  d->updatePreviewNow();
  EXPECT_TRUE(d->previewText().startsWith("sequenceDiagram")) << d->previewText().toStdString();
  r.kind = ExportKind::Pcap;
  d->setRequest(r);
  d->updatePreviewNow();
  // A header and one line per packet, SYN first.
  const QStringList lines = d->previewText().split('\n');
  ASSERT_GT(lines.size(), 5);
  EXPECT_TRUE(lines[1].contains("→")) << lines[1].toStdString();
  EXPECT_TRUE(lines[1].contains(" S ")) << lines[1].toStdString();
  int total = 0;
  gui::pcapSummary(*win->trace(), PcapOptions{}, 10000, &total);
  EXPECT_EQ(lines.size(), total + 1);
  // Nothing was written by previewing.
  EXPECT_FALSE(QFileInfo::exists(r.path));
  EXPECT_EQ(QDir(dir).entryList(QDir::Files).size(), 0);
  d->close();
}

TEST_F(ExportDialogTest, PcapSummaryMatchesWhatTsharkReads) {
  if (!have("tshark")) GTEST_SKIP() << "tshark is not installed";
  ASSERT_TRUE(win->openScenario(QString(TCPSIM_SCENARIOS_DIR) + "/lost-fin-retransmission.yaml"));
  ExportRequest r = req(ExportKind::Pcap, "c.pcap");
  QString err;
  ASSERT_TRUE(exportVia(r, &err)) << err.toStdString();
  ToolRun rr = run("tshark", {"-r", r.path, "-T", "fields", "-e", "tcp.seq", "-e", "tcp.len"});
  ASSERT_EQ(rr.status, 0);
  QStringList ts = rr.out.split('\n', Qt::SkipEmptyParts);
  QStringList ours = gui::pcapSummary(*win->trace(), PcapOptions{}, 10000).split('\n').mid(1);
  ASSERT_EQ(ts.size(), ours.size());
  for (int i = 0; i < ts.size(); ++i) {
    QStringList f = ts[i].split('\t');
    QStringList o = ours[i].split(' ', Qt::SkipEmptyParts);
    // ... flags seq ack len: seq is the third from the end, len the last.
    EXPECT_EQ(o[o.size() - 3], f[0]) << ours[i].toStdString();
    EXPECT_EQ(o.back(), f[1]) << ours[i].toStdString();
  }
}

TEST_F(ExportDialogTest, ABadWindowIsAnErrorInTheDialogAndWritesNothing) {
  ASSERT_TRUE(win->openScenario(QString(TCPSIM_SCENARIOS_DIR) + "/normal-close.yaml"));
  for (ExportKind k : {ExportKind::Ladder, ExportKind::Pcap, ExportKind::Csv, ExportKind::Frames}) {
    ExportRequest r = req(k, "bad-" + gui::exportKindName(k) + "." + gui::defaultExtension(k));
    r.from = sec(2);
    r.to = sec(1);
    QPointer<gui::ExportDialog> d = win->openExportDialog(k);
    d->setRequest(r);
    EXPECT_FALSE(d->exportNow(false));
    EXPECT_TRUE(d->errorText().contains("empty")) << d->errorText().toStdString();
    EXPECT_TRUE(d->isVisible());
    d->updatePreviewNow();
    EXPECT_TRUE(d->errorText().contains("empty"));
    d->close();
  }
  EXPECT_EQ(QDir(dir).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).size(), 0);
}

TEST_F(ExportDialogTest, UnwritablePathsAndUnknownFormatsAreErrorsNotCrashes) {
  ASSERT_TRUE(win->openScenario(QString(TCPSIM_SCENARIOS_DIR) + "/normal-close.yaml"));
  QString err;
  ExportRequest r = req(ExportKind::Ladder, "no/such/folder/l.svg");
  EXPECT_FALSE(exportVia(r, &err));
  EXPECT_TRUE(err.contains("does not exist")) << err.toStdString();
  r = req(ExportKind::Ladder, "l.gif");
  EXPECT_FALSE(exportVia(r, &err));
  EXPECT_TRUE(err.contains(".gif")) << err.toStdString();
  r = req(ExportKind::Mermaid, "");
  r.path = dir;  // a folder
  EXPECT_FALSE(exportVia(r, &err));
  EXPECT_FALSE(err.isEmpty());
  // An existing file is kept unless overwriting was confirmed.
  r = req(ExportKind::Csv, "keep.csv");
  {
    QFile f(r.path);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write("mine\n");
  }
  EXPECT_FALSE(gui::performExport(*win->scenario(), *win->trace(), r, &err));
  EXPECT_EQ(readAll(r.path), QString("mine\n"));
  r.overwrite = true;
  EXPECT_TRUE(gui::performExport(*win->scenario(), *win->trace(), r, &err)) << err.toStdString();
  EXPECT_TRUE(readAll(r.path).startsWith("t,host"));
}

TEST_F(ExportDialogTest, ChineseLabelsDoNotChangeTheGuiLanguage) {
  ASSERT_TRUE(win->openScenario(QString(TCPSIM_SCENARIOS_DIR) + "/normal-close.yaml"));
  ExportRequest r = req(ExportKind::Diagram, "zh.png");
  r.lang = "zh_CN";
  QString err;
  ASSERT_TRUE(exportVia(r, &err)) << err.toStdString();
  EXPECT_EQ(render::current_language(), QString("en"));
  EXPECT_EQ(win->language(), QString("en"));
}

TEST_F(ExportDialogTest, MenuActionsOpenTheDialogOnTheirKind) {
  ASSERT_TRUE(win->openScenario(QString(TCPSIM_SCENARIOS_DIR) + "/normal-close.yaml"));
  QPointer<gui::ExportDialog> d = win->openExportDialog(ExportKind::Pcap);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->request().kind, ExportKind::Pcap);
  EXPECT_TRUE(d->request().path.endsWith("normal-close-pcap.pcap")) << d->request().path.toStdString();
  d->kindBox()->setCurrentIndex(d->kindBox()->findData("chart"));
  EXPECT_EQ(d->request().kind, ExportKind::Chart);
  EXPECT_TRUE(d->request().path.endsWith("normal-close-chart-states.svg")) << d->request().path.toStdString();
  d->close();
}

}  // namespace

namespace {
// The dialog with a preview draws (and, with TCPSIM_EXPORT_DIALOG_SHOT=file.png,
// is saved: docs/screenshots/export-dialog.png was made that way).
TEST_F(ExportDialogTest, DialogWithAPreviewRendersToAnImage) {
  if (const char* lang = std::getenv("TCPSIM_EXPORT_DIALOG_LANG")) win->setLanguage(lang);
  ASSERT_TRUE(win->openScenario(QString(TCPSIM_SCENARIOS_DIR) + "/lost-fin-retransmission.yaml"));
  QPointer<gui::ExportDialog> d = win->openExportDialog(ExportKind::Ladder);
  ASSERT_TRUE(d);
  ExportRequest r = req(ExportKind::Ladder, "lost-fin-retransmission-ladder.png");
  r.lang = win->language();
  if (std::getenv("TCPSIM_EXPORT_DIALOG_SHOT")) r.path = QDir::tempPath() + "/lost-fin-retransmission-ladder.png";
  r.width = 1600;
  r.height = 900;
  d->setRequest(r);
  d->resize(1400, 860);
  QCoreApplication::processEvents();
  d->updatePreviewNow();
  QImage shot = d->grab().toImage();
  EXPECT_GT(inkFraction(shot), 0.02);
  if (const char* out = std::getenv("TCPSIM_EXPORT_DIALOG_SHOT")) {
    EXPECT_TRUE(shot.save(out));
    for (auto [k, suffix] : {std::pair{ExportKind::Pcap, "pcap"}, {ExportKind::Diagram, "diagram"}}) {
      r.kind = k;
      r.path = dir + "/x." + gui::defaultExtension(k);
      d->setRequest(r);
      d->updatePreviewNow();
      d->grab().save(QString(out).replace(".png", QString("-") + suffix + ".png"));
    }
  }
  d->close();
  win->setLanguage("en");
}
}  // namespace

namespace {
// A scenario with more connections than the threshold runs counts-only: the
// states chart from the counts, a notice, the trace views disabled.
TEST(BigWorkloadTest, PileupOverTheThresholdRunsCountsOnlyAndShowsTheStatesChart) {
  test::ensure_app();
  gui::MainWindow win;
  win.setLanguage("en");
  const QString pileup = QString(TCPSIM_SOURCE_DIR) + "/bench/workloads/pileup-10k.yaml";
  Scenario s = load_scenario_file(pileup.toStdString());
  EXPECT_EQ(gui::estimated_connections(s), 10000u);
  win.setBigWorkloadThreshold(2000);
  ASSERT_TRUE(win.openScenario(pileup)) << win.messageText().toStdString();
  ASSERT_TRUE(win.bigWorkload());
  ASSERT_NE(win.bigWorkloadCounts(), nullptr);
  EXPECT_FALSE(win.bigWorkloadCounts()->series.samples.empty());
  EXPECT_TRUE(win.bigWorkloadNotice().contains("10000")) << win.bigWorkloadNotice().toStdString();
  EXPECT_TRUE(win.bigWorkloadNotice().contains("2000"));
  // The states chart has lines; the timeline tab is disabled.
  ASSERT_TRUE(win.chartView(1)->chart());
  EXPECT_FALSE(win.chartView(1)->chart()->series().isEmpty());
  EXPECT_FALSE(win.centerTabs()->isTabEnabled(0));
  EXPECT_EQ(win.centerTabs()->currentIndex(), 1);
  EXPECT_EQ(win.view()->size(), 0u);
  // The chart draws (not blank).
  win.resize(1400, 900);
  win.show();
  QCoreApplication::processEvents();
  EXPECT_GT(inkFraction(win.chartView(1)->grab().toImage()), 0.01);
  if (const char* out = std::getenv("TCPSIM_BIG_WORKLOAD_SHOT")) win.grab().save(out);
  // Exports say why they are not available instead of writing empty files.
  EXPECT_EQ(win.openExportDialog(ExportKind::Ladder), nullptr);
  EXPECT_FALSE(win.messageText().isEmpty());
  // A catalogue scenario after it is a normal run again.
  ASSERT_TRUE(win.openScenario(QString(TCPSIM_SCENARIOS_DIR) + "/normal-close.yaml"));
  EXPECT_FALSE(win.bigWorkload());
  EXPECT_TRUE(win.centerTabs()->isTabEnabled(0));
  EXPECT_GT(win.view()->size(), 0u);
}

TEST(BigWorkloadTest, NoCatalogueScenarioIsABigWorkload) {
  test::ensure_app();
  gui::MainWindow win;
  for (const QString& f : catalogueScenarios()) {
    Scenario s = load_scenario_file(f.toStdString());
    EXPECT_LE(gui::estimated_connections(s), win.bigWorkloadThreshold()) << f.toStdString();
  }
}
}  // namespace
