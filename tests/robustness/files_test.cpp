// Only regular files are read as scenarios; messages show what is invisible;
// the grammar is strict (issue #17).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "temp_dir.hpp"
#include "tcpsim/loader.hpp"

using namespace tcpsim;
using tcpsim::testing::TempDir;
namespace fs = std::filesystem;

namespace {


std::string load_error(const std::string& path) {
  try {
    load_scenario_file(path);
  } catch (const LoadError& e) {
    return e.what();
  }
  return "";
}

const char* kMinimal =
    "title: Minimal\nhosts:\n  a: {ip: 10.0.0.1}\n  b: {ip: 10.0.0.2}\nprocesses:\n  p:\n    host: a\n"
    "    run:\n      - connect: {to: b:80, as: s}\n";

}  // namespace

TEST(ScenarioFiles, FifoIsRefusedAtOnceWithoutOpeningIt) {
  TempDir d;
  const std::string fifo = (d.p / "pipe.yaml").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // No writer ever comes: a blocking open() would hang this test for ever.
  const std::string e = load_error(fifo);
  EXPECT_NE(e.find("FIFO"), std::string::npos) << e;
  EXPECT_NE(e.find("not a scenario file"), std::string::npos) << e;
  EXPECT_EQ(check_regular_file(fifo).empty(), false);
}

TEST(ScenarioFiles, DirectoryAndDeviceAreRefused) {
  TempDir d;
  EXPECT_NE(load_error(d.p.string()).find("a directory"), std::string::npos);
  EXPECT_NE(load_error("/dev/null").find("a character device"), std::string::npos);
  EXPECT_NE(load_error("/dev/zero").find("a character device"), std::string::npos);
}

TEST(ScenarioFiles, CrOnlyAndCrlfLineEndsLoad) {
  for (const char* eol : {"\r", "\r\n"}) {
    std::string text;
    for (const char* c = kMinimal; *c; ++c) {
      if (*c == '\n') text += eol;
      else text += *c;
    }
    Scenario s = load_scenario_string(text, "eol.yaml");
    EXPECT_EQ(s.title.en, "Minimal");
    EXPECT_EQ(s.processes.size(), 1u);
  }
  // An error in a CR-only file still names the right line.
  std::string bad = std::string(kMinimal) + "link: {delay: fast}\n";
  for (auto& c : bad)
    if (c == '\n') c = '\r';
  try {
    load_scenario_string(bad, "cr.yaml");
    FAIL();
  } catch (const LoadError& e) {
    EXPECT_EQ(e.loc().line, 10);
  }
}

TEST(ScenarioFiles, ErrorMessagesShowControlAndInvisibleCharactersVisibly) {
  // A file name with ESC and a newline cannot paint the terminal or fake a
  // second error line.
  try {
    load_scenario_string("title: x\nhosts: [1\n", "evil\x1b]52;c;bad\x07\nfake.yaml:1:1");
    FAIL();
  } catch (const LoadError& e) {
    const std::string w = e.what();
    EXPECT_EQ(w.find('\x1b'), std::string::npos) << w;
    EXPECT_EQ(w.find('\n'), std::string::npos) << w;
    EXPECT_EQ(w.find('\x07'), std::string::npos) << w;
    EXPECT_NE(w.find("\\x1b"), std::string::npos) << w;
  }
  EXPECT_EQ(visible_text("a\xEF\xBB\xBF" "b"), "aU+FEFFb");
  EXPECT_EQ(visible_text("\xE2\x80\xAE" "txt"), "U+202Etxt");
  EXPECT_EQ(visible_text("好\tok"), "好\\tok");
  EXPECT_EQ(visible_text(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(visible_text("\xff"), "\\xff");
}
