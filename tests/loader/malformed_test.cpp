// The malformed corpus (tests/data/malformed/): every NAME.yaml is rejected
// with exactly the error line in NAME.expected ("NAME.yaml:line:col: message").
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tcpsim/loader.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kDir = std::string(TCPSIM_TEST_DATA) + "/malformed";

std::vector<std::string> corpus() {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(kDir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".yaml") names.push_back(it->path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string shown(const tcpsim::LoadError& e) {
  return fs::path(e.loc().file).filename().string() + ":" + std::to_string(e.loc().line) + ":" +
         std::to_string(e.loc().col) + ": " + e.message();
}

class MalformedScenario : public ::testing::TestWithParam<std::string> {};

TEST_P(MalformedScenario, IsRejectedWithTheExpectedErrorLine) {
  const std::string name = GetParam();
  const std::string yaml = kDir + "/" + name + ".yaml";
  std::string expected = slurp(kDir + "/" + name + ".expected");
  while (!expected.empty() && (expected.back() == '\n' || expected.back() == '\r'))
    expected.pop_back();
  ASSERT_FALSE(expected.empty()) << name << ".expected is missing or empty";
  try {
    tcpsim::load_scenario_file(yaml);
    FAIL() << name << ".yaml loaded, but should fail with: " << expected;
  } catch (const tcpsim::LoadError& e) {
    EXPECT_EQ(shown(e), expected);
    EXPECT_GE(e.loc().line, 1);
    EXPECT_GE(e.loc().col, 1);
    // The first line of what() is this error; more lines only for more errors.
    const std::string what = e.what();
    EXPECT_EQ(what.substr(0, what.find('\n')), e.loc().str() + ": " + e.message());
    EXPECT_EQ(e.count(), static_cast<std::size_t>(std::count(what.begin(), what.end(), '\n') + 1));
  }
  // Loading the same bytes from a string gives the same error.
  try {
    tcpsim::load_scenario_string(slurp(yaml), name + ".yaml");
    FAIL() << "load_scenario_string accepted " << name;
  } catch (const tcpsim::LoadError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.substr(0, what.find('\n')), expected);
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, MalformedScenario, ::testing::ValuesIn(corpus()),
                         [](const ::testing::TestParamInfo<std::string>& i) {
                           std::string n = i.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

TEST(MalformedCorpus, HasAtLeastFiftyFilesEachWithAnExpectedLine) {
  auto names = corpus();
  EXPECT_GE(names.size(), 50u);
  for (const auto& n : names) EXPECT_TRUE(fs::exists(kDir + "/" + n + ".expected")) << n;
  std::error_code ec;
  for (fs::directory_iterator it(kDir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".expected") {
      EXPECT_TRUE(fs::exists(kDir + "/" + it->path().stem().string() + ".yaml")) << it->path();
    }
}

}  // namespace

namespace {

// The fuzzer's seed corpus (fuzz/corpus/: the catalogue, this malformed
// corpus, the README example, and any input that once crashed the loader)
// replayed under the normal build and the asan preset: each input loads, or
// fails with a LoadError that has a position.
TEST(FuzzSeedCorpus, EveryInputLoadsOrFailsWithAPosition) {
  const std::string dir = std::string(TCPSIM_SOURCE_DIR) + "/fuzz/corpus";
  int n = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    ++n;
    try {
      tcpsim::Scenario s = tcpsim::load_scenario_string(slurp(it->path().string()), "fuzz.yaml");
      EXPECT_FALSE(s.hosts.empty());
      EXPECT_FALSE(s.processes.empty());
    } catch (const tcpsim::LoadError& e) {
      EXPECT_GE(e.loc().line, 1) << it->path();
      EXPECT_GE(e.loc().col, 1) << it->path();
      EXPECT_EQ(e.loc().file, "fuzz.yaml");
    }
  }
  EXPECT_GE(n, 50) << "seed corpus missing in " << dir;
}

}  // namespace
