// tcpsim export --slides: pages a projector can show (issue #12 item 8).
// The PDF's pages are 960 x 540 pt, one per step or per state change; a page
// rendered 1024 px wide (as a projector shows it) is a drawing, not a blank
// page: the ladder fills the left part and the current state's orange box
// (the diagram's highlight) is on the right; no word is under 20 px.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

#include "tools.hpp"

using namespace tcpsim::testing;

namespace {

const std::string kExe = TCPSIM_EXE;
const std::string kScenarios = TCPSIM_SCENARIOS;

struct Image {
  int w = 0, h = 0;
  std::vector<unsigned char> rgb;
  const unsigned char* at(int x, int y) const { return &rgb[(static_cast<std::size_t>(y) * w + x) * 3]; }
};

// A binary PPM (P6, maxval 255) as pdftoppm -ppm writes it.
Image read_ppm(const std::string& path) {
  Image img;
  std::ifstream in(path, std::ios::binary);
  std::string magic;
  int maxval = 0;
  in >> magic >> img.w >> img.h >> maxval;
  in.get();
  if (magic != "P6" || maxval != 255 || img.w <= 0 || img.h <= 0) return {};
  img.rgb.resize(static_cast<std::size_t>(img.w) * img.h * 3);
  in.read(reinterpret_cast<char*>(img.rgb.data()), static_cast<std::streamsize>(img.rgb.size()));
  if (!in) return {};
  return img;
}

int pdf_pages(const std::string& pdf, std::string* size) {
  RunResult r = run_tool({"pdfinfo", pdf});
  std::smatch m;
  if (std::regex_search(r.out, m, std::regex("Page size:\\s+([0-9.]+ x [0-9.]+) pts"))) *size = m[1];
  if (std::regex_search(r.out, m, std::regex("Pages:\\s+([0-9]+)"))) return std::stoi(m[1]);
  return -1;
}

// Page `page` of `pdf` rendered 1024 px wide.
Image render_page(const std::string& pdf, int page, const std::string& dir) {
  const std::string stem = dir + "/page" + std::to_string(page);
  RunResult r = run_tool({"pdftoppm", "-scale-to-x", "1024", "-scale-to-y", "-1", "-singlefile", "-f",
                          std::to_string(page), "-l", std::to_string(page), pdf, stem});
  EXPECT_EQ(r.status, 0) << r.err;
  return read_ppm(stem + ".ppm");
}

bool is_orange(const unsigned char* p) {  // Okabe-Ito orange #E69F00, the current state's box
  return std::abs(p[0] - 0xE6) < 24 && std::abs(p[1] - 0x9F) < 24 && p[2] < 40;
}
bool is_ink(const unsigned char* p) { return p[0] + p[1] + p[2] < 3 * 160; }

// Fractions of ink (dark) and of orange pixels in the columns [x0, x1).
std::pair<double, double> coverage(const Image& img, int x0, int x1) {
  long ink = 0, orange = 0, n = 0;
  for (int y = 0; y < img.h; ++y)
    for (int x = x0; x < x1; ++x, ++n) {
      if (is_ink(img.at(x, y))) ++ink;
      if (is_orange(img.at(x, y))) ++orange;
    }
  return {double(ink) / n, double(orange) / n};
}

class SlidesTest : public ::testing::Test {
 protected:
  void SetUp() override {
#ifndef TCPSIM_TEST_HAVE_RENDER
    GTEST_SKIP() << "tcpsim built without the Qt render library";
#endif
    if (!have_tool("pdfinfo") || !have_tool("pdftoppm")) GTEST_SKIP() << "poppler-utils not installed";
    dir_ = temp_dir("slides");
  }
  // Runs the export and returns the page count it announced ("wrote X (N pages").
  int export_slides(const std::vector<std::string>& extra, const std::string& out) {
    std::vector<std::string> args{kExe, "export"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(), {"--slides", out});
    RunResult r = run_tool(args);
    EXPECT_EQ(r.status, 0) << r.err;
    std::smatch m;
    if (std::regex_search(r.out, m, std::regex("\\(([0-9]+) pages?"))) return std::stoi(m[1]);
    ADD_FAILURE() << "no page count in: " << r.out;
    return -1;
  }
  std::string dir_;
};

TEST_F(SlidesTest, HandshakePagesAre16By9AndOnePerStep) {
  const std::string pdf = dir_ + "/3whs.pdf";
  const int announced = export_slides({kScenarios + "/three-way-handshake.yaml"}, pdf);
  std::string size;
  const int pages = pdf_pages(pdf, &size);
  EXPECT_EQ(size, "960 x 540");
  EXPECT_GT(pages, 5);
  EXPECT_EQ(pages, announced);
}

TEST_F(SlidesTest, PerStateHasFewerPagesThanPerStep) {
  const std::string a = dir_ + "/step.pdf", b = dir_ + "/state.pdf";
  export_slides({kScenarios + "/lost-final-ack.yaml"}, a);
  export_slides({kScenarios + "/lost-final-ack.yaml", "--slides-per", "state"}, b);
  std::string sa, sb;
  const int step = pdf_pages(a, &sa), state = pdf_pages(b, &sb);
  EXPECT_GT(state, 3);
  EXPECT_LT(state, step);
}

// A page at projector size: the ladder (left 60 %) and the diagrams (right)
// both carry ink, and the right part shows the current state's orange box;
// the page is not mostly blank. In both languages.
TEST_F(SlidesTest, ProjectedPageShowsLadderAndCurrentState) {
  for (const std::string lang : {"en", "zh_CN"}) {
    SCOPED_TRACE(lang);
    const std::string pdf = dir_ + "/rst-" + lang + ".pdf";
    const int pages = export_slides({kScenarios + "/rst-on-unread-data.yaml", "--lang", lang,
                                     "--slides-per", "state"}, pdf);
    ASSERT_GT(pages, 2);
    for (int page : {2, pages}) {
      SCOPED_TRACE("page " + std::to_string(page));
      Image img = render_page(pdf, page, dir_);
      ASSERT_EQ(img.w, 1024);
      EXPECT_NEAR(img.h, 576, 1);
      auto [ladder_ink, ladder_orange] = coverage(img, 0, img.w * 6 / 10);
      auto [diag_ink, diag_orange] = coverage(img, img.w * 2 / 3, img.w);
      EXPECT_GT(ladder_ink, 0.02) << "the ladder region is (almost) blank";
      EXPECT_GT(diag_ink, 0.03) << "the diagram region is (almost) blank";
      // The current state's box is filled orange: at least a box of ~120 x 40 px.
      EXPECT_GT(diag_orange * (img.w / 3) * img.h, 120 * 40) << "no current-state box on the right";
      (void)ladder_orange;
    }
  }
}

// Every word of every page, projected 1024 px wide, is at least 20 px tall
// (its box in the PDF's text layer, pdftotext -bbox: a font's box is about
// 1.16 times its pixel size, so a 20 px font is a ~23 px box). The old
// slides drew diagram labels at 8-10 px.
TEST_F(SlidesTest, EveryWordIsAtLeast20PxWhenProjected1024Wide) {
  if (!have_tool("pdftotext")) GTEST_SKIP() << "pdftotext not installed";
  struct Case { std::string file, lang, per; };
  const std::vector<Case> cases{{"three-way-handshake", "en", "step"},
                                {"rst-on-unread-data", "zh_CN", "step"},
                                {"lost-final-ack", "en", "state"},
                                {"so-linger-zero", "zh_CN", "state"}};
  const std::regex word(R"re(<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">([^<]*)</word>)re");
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file + " " + c.lang + " per " + c.per);
    const std::string pdf = dir_ + "/" + c.file + "-" + c.lang + ".pdf", html = pdf + ".html";
    export_slides({kScenarios + "/" + c.file + ".yaml", "--lang", c.lang, "--slides-per", c.per}, pdf);
    std::string size;
    ASSERT_GT(pdf_pages(pdf, &size), 1);
    ASSERT_EQ(size, "960 x 540");
    RunResult r = run_tool({"pdftotext", "-bbox", pdf, html});
    ASSERT_EQ(r.status, 0) << r.err;
    const std::string text = read_file(html);
    int words = 0;
    double smallest = 1e9;
    std::string which;
    for (std::sregex_iterator it(text.begin(), text.end(), word), end; it != end; ++it) {
      const double h = (std::stod((*it)[4]) - std::stod((*it)[2])) * 1024.0 / 960.0;
      ++words;
      if (h < smallest) { smallest = h; which = (*it)[5]; }
    }
    EXPECT_GT(words, 50);
    EXPECT_GE(smallest, 20.0 * 1.1) << "smallest word '" << which << "' is " << smallest << " px tall";
  }
}

}  // namespace
