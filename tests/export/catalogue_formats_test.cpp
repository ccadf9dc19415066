// Issue 5, "Done when": every export works from the command line for every
// catalogue scenario. One `tcpsim export` per scenario writes every format
// (the pcap has its own tshark comparison in cli_export_test.cpp), with no
// display, and each file is opened with its real tool: rsvg-convert for
// SVG, pdfinfo/pdftoppm for PDF, ImageMagick for PNG, Graphviz dot for
// DOT, PlantUML for the .puml files (one JVM for the whole catalogue), and
// the Mermaid, JSONL and CSV text checked for their shape.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "tools.hpp"

using namespace tcpsim::testing;

namespace {

const std::string kExe = TCPSIM_EXE;
const std::string kScenarios = TCPSIM_SCENARIOS;

// Scenario names (file stems) of the catalogue.
std::vector<std::string> catalogue() {
  std::vector<std::string> v;
  for (const auto& path : scenario_files(kScenarios)) {
    const auto slash = path.rfind('/');
    v.push_back(path.substr(slash + 1, path.size() - slash - 1 - 5));
  }
  return v;
}

std::string out_root() {
  static const std::string d = temp_dir("catalogue-formats");
  return d;
}

std::size_t count_lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

class CatalogueFormats : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
#ifndef TCPSIM_TEST_HAVE_RENDER
    GTEST_SKIP() << "built without the Qt render library (TCPSIM_BUILD_GUI=OFF or Qt missing)";
#endif
    if (!file_exists(kExe)) GTEST_SKIP() << "the tcpsim program was not built (" << kExe << ")";
    for (const char* tool : {"rsvg-convert", "pdfinfo", "pdftoppm", "identify", "dot"})
      if (!have_tool(tool)) GTEST_SKIP() << tool << " is not installed (scripts/install-deps.sh --test)";
    ::unsetenv("DISPLAY");
    ::unsetenv("WAYLAND_DISPLAY");
    ::unsetenv("QT_QPA_PLATFORM");
  }
};

TEST_P(CatalogueFormats, EveryFormatExportsAndOpensInItsTool) {
  const std::string name = GetParam();
  const std::string d = out_root() + "/" + name;
  ASSERT_EQ(::system(("mkdir -p '" + d + "'").c_str()), 0);
  RunResult r = run_tool({kExe, "export", kScenarios + "/" + name + ".yaml", "--force",
                          "--ladder", d + "/ladder.pdf",
                          "--diagram", "both:" + d + "/diagram.svg",
                          "--chart", "endpoint:" + d + "/endpoint.png",
                          "--chart", "seq:" + d + "/seq.svg",
                          "--mermaid", d + "/" + name + ".mmd",
                          "--plantuml", d + "/" + name + ".puml",
                          "--dot", d + "/machine.dot",
                          "--jsonl", d + "/trace.jsonl",
                          "--csv", d + "/counts.csv"});
  ASSERT_EQ(r.status, 0) << r.err;

  // PDF: poppler reads it and its first page is not blank.
  RunResult info = run_tool({"pdfinfo", d + "/ladder.pdf"});
  ASSERT_EQ(info.status, 0) << info.err;
  // No page over the 200-inch limit of PDF readers (a pile-up's ladder is
  // cut into several tall pages instead).
  const auto at = info.out.find("Page size:");
  ASSERT_NE(at, std::string::npos) << info.out;
  double w_pt = 0, h_pt = 0;
  ASSERT_EQ(std::sscanf(info.out.c_str() + at, "Page size: %lf x %lf", &w_pt, &h_pt), 2) << info.out;
  EXPECT_LE(h_pt, 14400.5) << name;
  EXPECT_GT(h_pt, 50) << name;
  // (-scale-to: a long scenario is one tall page, too tall for ImageMagick's
  // default pixel limits at a fixed resolution.)
  RunResult page = run_tool({"pdftoppm", "-png", "-scale-to", "1600", "-singlefile", "-f", "1", "-l", "1", d + "/ladder.pdf", d + "/ladder"});
  ASSERT_EQ(page.status, 0) << page.err;
  EXPECT_GT(image_colours(d + "/ladder.png"), 1) << "blank ladder PDF for " << name;

  // SVG: librsvg renders both to non-blank images.
  for (const char* svg : {"diagram", "seq"}) {
    const std::string f = d + "/" + svg + ".svg";
    RunResult c = run_tool({"rsvg-convert", "-b", "white", "-o", f + ".png", f});
    ASSERT_EQ(c.status, 0) << f << ": " << c.err;
    EXPECT_GT(image_colours(f + ".png"), 1) << "blank rendering of " << f;
  }

  // PNG: readable and not blank.
  EXPECT_GT(image_colours(d + "/endpoint.png"), 1) << "blank endpoint chart for " << name;

  // DOT: Graphviz lays it out.
  RunResult dot = run_tool({"dot", "-Tsvg", "-o", d + "/machine.dot.svg", d + "/machine.dot"});
  EXPECT_EQ(dot.status, 0) << dot.err;
  EXPECT_TRUE(dot.err.empty()) << "dot warnings: " << dot.err;

  // Mermaid (no renderer in Debian): the diagram type and one arrow per message.
  const std::string mmd = read_file(d + "/" + name + ".mmd");
  EXPECT_EQ(mmd.rfind("sequenceDiagram", 0), 0u) << name;
  // Delivered (->>) or lost (-x: connect-timeout loses every segment).
  EXPECT_TRUE(mmd.find("->>") != std::string::npos || mmd.find("-x") != std::string::npos)
      << name << ": no message arrow";

  // JSONL: one object per line, the first one the run's metadata.
  const std::string jsonl = read_file(d + "/trace.jsonl");
  ASSERT_FALSE(jsonl.empty());
  std::istringstream in(jsonl);
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    ASSERT_FALSE(line.empty()) << "empty line " << n;
    EXPECT_EQ(line.front(), '{') << "line " << n;
    EXPECT_EQ(line.back(), '}') << "line " << n;
  }
  EXPECT_GT(n, 2u);

  // CSV: the header and at least one sample, every row as wide as the header.
  const std::string csv = read_file(d + "/counts.csv");
  EXPECT_EQ(csv.rfind("t,host,", 0), 0u) << csv.substr(0, 80);
  EXPECT_GE(count_lines(csv), 2u);
  std::istringstream cin(csv);
  std::getline(cin, line);
  const auto columns = std::count(line.begin(), line.end(), ',');
  while (std::getline(cin, line)) EXPECT_EQ(std::count(line.begin(), line.end(), ','), columns) << line;
}

INSTANTIATE_TEST_SUITE_P(Scenarios, CatalogueFormats, ::testing::ValuesIn(catalogue()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n;
                           for (char c : info.param) n += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return n;
                         });

// PlantUML is a JVM: one run renders every scenario's sequence diagram.
TEST(CatalogueFormatsPlantUml, EveryScenariosSequenceDiagramRenders) {
  if (!file_exists(kExe)) GTEST_SKIP() << "the tcpsim program was not built (" << kExe << ")";
  if (!have_tool("plantuml")) GTEST_SKIP() << "plantuml is not installed (scripts/install-deps.sh --test)";
  const std::string d = temp_dir("catalogue-plantuml");
  std::vector<std::string> args = {"plantuml", "-tsvg", "-failfast2", "-nbthread", "1"};
  for (const auto& name : catalogue()) {
    const std::string f = d + "/" + name + ".puml";
    RunResult r = run_tool({kExe, "export", kScenarios + "/" + name + ".yaml", "--plantuml", f});
    ASSERT_EQ(r.status, 0) << name << ": " << r.err;
    args.push_back(f);
  }
  ASSERT_GT(args.size(), 5u) << "no catalogue scenarios in " << kScenarios;
  RunResult r = run_tool(args);
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  for (const auto& name : catalogue()) {
    const std::string svg = d + "/" + name + ".svg";
    ASSERT_TRUE(file_exists(svg)) << "plantuml wrote no " << svg;
    const std::string text = read_file(svg);
    EXPECT_EQ(text.find("Syntax Error"), std::string::npos) << name;
    EXPECT_NE(text.find("<svg"), std::string::npos) << name;
  }
}

}  // namespace
