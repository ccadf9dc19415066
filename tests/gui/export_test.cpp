// Graphic exports: each format is written and opened again.
#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QProcess>
#include <QStandardPaths>
#include <QXmlStreamReader>

#include "demo_trace.hpp"
#include "gui_app.hpp"
#include "render_export.hpp"

using namespace tcpsim;

namespace {

double ink_fraction(const QImage& img) {
  long ink = 0;
  for (int y = 0; y < img.height(); y += 2)
    for (int x = 0; x < img.width(); x += 2)
      if (qGray(img.pixel(x, y)) < 200) ++ink;
  return double(ink) / ((img.width() / 2) * (img.height() / 2));
}

bool svg_parses(const QString& path, int* texts) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return false;
  QXmlStreamReader r(&f);
  *texts = 0;
  while (!r.atEnd()) {
    r.readNext();
    if (r.isStartElement() && r.name() == QLatin1String("text")) ++*texts;
  }
  return !r.hasError();
}

class ExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::ensure_app();
    trace = render::demo_normal_close_trace();
    scn = render::demo_normal_close_scenario();
    dir = test::temp_dir();
  }
  std::shared_ptr<Trace> trace;
  Scenario scn;
  QString dir;
  render::ExportOptions opt(const QString& name) {
    render::ExportOptions o;
    o.path = (dir + "/" + name).toStdString();
    return o;
  }
};

TEST_F(ExportTest, LadderPngHasTheRequestedSizeAndIsNotBlank) {
  auto o = opt("ladder.png");
  o.width = 900;
  o.height = 1400;
  std::string err;
  ASSERT_TRUE(render::export_ladder(scn, *trace, o, &err)) << err;
  QImage img(QString::fromStdString(o.path));
  ASSERT_FALSE(img.isNull());
  EXPECT_EQ(img.size(), QSize(900, 1400));
  EXPECT_GT(ink_fraction(img), 0.01);
}

TEST_F(ExportTest, LadderSvgParsesAndKeepsTextAsText) {
  auto o = opt("ladder.svg");
  std::string err;
  ASSERT_TRUE(render::export_ladder(scn, *trace, o, &err)) << err;
  int texts = 0;
  ASSERT_TRUE(svg_parses(QString::fromStdString(o.path), &texts));
  EXPECT_GT(texts, 20);
}

TEST_F(ExportTest, LadderSvgRendersWithRsvgWhenAvailable) {
  QString rsvg = QStandardPaths::findExecutable("rsvg-convert");
  if (rsvg.isEmpty()) GTEST_SKIP() << "rsvg-convert (librsvg2-bin) is not installed";
  auto o = opt("ladder2.svg");
  std::string err;
  ASSERT_TRUE(render::export_ladder(scn, *trace, o, &err)) << err;
  QString png = dir + "/rsvg.png";
  QProcess p;
  p.start(rsvg, {"-o", png, QString::fromStdString(o.path)});
  ASSERT_TRUE(p.waitForFinished(60000));
  ASSERT_EQ(p.exitCode(), 0) << p.readAllStandardError().toStdString();
  QImage img(png);
  ASSERT_FALSE(img.isNull());
  // rsvg renders a transparent background where nothing is drawn; composite on white.
  QImage flat(img.size(), QImage::Format_RGB32);
  flat.fill(Qt::white);
  {
    QPainter pp(&flat);
    pp.drawImage(0, 0, img);
  }
  EXPECT_GT(ink_fraction(flat), 0.01);
}

TEST_F(ExportTest, LadderPdfSplitsOverA4Pages) {
  auto o = opt("ladder.pdf");
  o.page = "A4";
  std::string err;
  ASSERT_TRUE(render::export_ladder(scn, *trace, o, &err)) << err;
  QFile f(QString::fromStdString(o.path));
  ASSERT_TRUE(f.open(QIODevice::ReadOnly));
  EXPECT_TRUE(f.read(5).startsWith("%PDF"));
  QString pdfinfo = QStandardPaths::findExecutable("pdfinfo");
  if (pdfinfo.isEmpty()) GTEST_SKIP() << "pdfinfo (poppler-utils) is not installed";
  QProcess p;
  p.start(pdfinfo, {QString::fromStdString(o.path)});
  ASSERT_TRUE(p.waitForFinished(60000));
  ASSERT_EQ(p.exitCode(), 0);
  QString out = p.readAllStandardOutput();
  EXPECT_TRUE(out.contains("A4")) << out.toStdString();
}

TEST_F(ExportTest, StateDiagramOfBothEndpointsAsSvgPngAndPdf) {
  std::string err;
  for (const char* name : {"diagram.svg", "diagram.png", "diagram.pdf"}) {
    auto o = opt(name);
    ASSERT_TRUE(render::export_state_diagram(scn, *trace, "both", o, &err)) << name << ": " << err;
    EXPECT_GT(QFile(QString::fromStdString(o.path)).size(), 1000) << name;
  }
  QImage img(dir + "/diagram.png");
  EXPECT_EQ(img.width(), 2 * 760);
  EXPECT_GT(ink_fraction(img), 0.01);
}

TEST_F(ExportTest, StateDiagramOfAnUnknownEndpointIsAClearError) {
  std::string err;
  EXPECT_FALSE(render::export_state_diagram(scn, *trace, "nobody", opt("x.svg"), &err));
  EXPECT_NE(err.find("nobody"), std::string::npos);
  EXPECT_NE(err.find("client/sock"), std::string::npos);
}

TEST_F(ExportTest, EveryChartExportsToPng) {
  for (const char* name : {"endpoint", "states", "seq"}) {
    auto o = opt(QString("chart-%1.png").arg(name));
    std::string err;
    ASSERT_TRUE(render::export_chart(scn, *trace, name, o, &err)) << name << ": " << err;
    QImage img(QString::fromStdString(o.path));
    EXPECT_EQ(img.size(), QSize(1000, 600)) << name;
    EXPECT_GT(ink_fraction(img), 0.01) << name;
  }
  std::string err;
  EXPECT_FALSE(render::export_chart(scn, *trace, "pie", opt("pie.png"), &err));
  EXPECT_NE(err.find("pie"), std::string::npos);
}

TEST_F(ExportTest, UnknownFormatAndUnwritablePathAreErrors) {
  std::string err;
  EXPECT_FALSE(render::export_ladder(scn, *trace, opt("ladder.bmp"), &err));
  EXPECT_NE(err.find(".bmp"), std::string::npos);
  render::ExportOptions o;
  o.path = "/nonexistent-dir/ladder.svg";
  EXPECT_FALSE(render::export_ladder(scn, *trace, o, &err));
  EXPECT_NE(err.find("nonexistent-dir"), std::string::npos);
}

TEST_F(ExportTest, FramesAreOneNumberedPngPerEvent) {
  auto o = opt("");
  o.width = 640;  // small frames keep the test quick
  std::string err;
  QString fdir = dir + "/frames";
  ASSERT_TRUE(render::export_frames(scn, *trace, fdir.toStdString(), o, &err)) << err;
  QStringList files = QDir(fdir).entryList({"frame-*.png"}, QDir::Files, QDir::Name);
  ASSERT_EQ(files.size(), static_cast<int>(trace->events.size()));
  EXPECT_EQ(files.front(), "frame-0001.png");
  QImage img(fdir + "/" + files.back());
  EXPECT_EQ(img.size(), QSize(640, 360));
  EXPECT_GT(ink_fraction(img), 0.01);
}

}  // namespace
