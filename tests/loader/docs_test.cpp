// The documentation cannot drift from the loader: the worked example in
// scenarios/README.md loads, the README names every key the loader accepts,
// and every scenario in the catalogue loads.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "loader/keys.hpp"
#include "tcpsim/check.hpp"
#include "tcpsim/simulation.hpp"
#include "tcpsim/loader.hpp"

using namespace tcpsim;
namespace fs = std::filesystem;

namespace {

const std::string kReadme = std::string(TCPSIM_SCENARIOS) + "/README.md";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The ```yaml block that follows `marker` in the README.
std::string yaml_block_after(const std::string& md, const std::string& marker) {
  auto m = md.find(marker);
  if (m == std::string::npos) return "";
  auto open = md.find("```yaml\n", m);
  if (open == std::string::npos) return "";
  open += 8;
  auto close = md.find("\n```", open);
  if (close == std::string::npos) return "";
  return md.substr(open, close - open + 1);
}

TEST(ScenarioReadme, WorkedExampleLoads) {
  std::string md = slurp(kReadme);
  ASSERT_FALSE(md.empty()) << kReadme << " is missing";
  std::string yaml = yaml_block_after(md, "<!-- full-example -->");
  ASSERT_FALSE(yaml.empty()) << "no ```yaml block after <!-- full-example --> in README.md";
  Scenario s;
  try {
    s = load_scenario_string(yaml, "README-example.yaml");
  } catch (const LoadError& e) {
    FAIL() << "the README's worked example does not load (line numbers count from the block): "
           << e.what();
  }
  EXPECT_FALSE(s.title.en.empty());
  EXPECT_FALSE(s.title.zh.empty());
  EXPECT_GE(s.hosts.size(), 2u);
  EXPECT_GE(s.processes.size(), 2u);
  EXPECT_FALSE(s.expect.empty());
  EXPECT_FALSE(s.hosts[1].sysctl_overrides.empty());
}

TEST(ScenarioReadme, WorkedExamplePassesItsOwnExpectations) {
  // The README tells the teacher to run `tcpsim check` on the example: it
  // must pass, so the expectations and the narrative describe real output.
  std::string yaml = yaml_block_after(slurp(kReadme), "<!-- full-example -->");
  ASSERT_FALSE(yaml.empty());
  Scenario s = load_scenario_string(yaml, "README-example.yaml");
  Trace t = run_scenario(s);
  auto failures = check_expectations(s, t);
  EXPECT_TRUE(failures.empty()) << format_failures(failures);
}

TEST(ScenarioReadme, DocumentsEveryKeyTheLoaderAccepts) {
  std::string md = slurp(kReadme);
  ASSERT_FALSE(md.empty());
  auto documented = [&](const std::string& word) {
    return md.find("`" + word) != std::string::npos;
  };
  for (const auto& k : loader::top_level_keys()) EXPECT_TRUE(documented(k)) << "top-level key " << k;
  for (const auto& k : loader::step_actions()) EXPECT_TRUE(documented(k)) << "step action " << k;
  for (const auto& k : loader::sysctl_names()) EXPECT_TRUE(documented(k)) << "sysctl " << k;
  for (const auto& k : loader::call_names()) EXPECT_TRUE(md.find(k) != std::string::npos) << "call " << k;
  for (const char* k : {"on_error", "when", "after", "between", "reorder_gap", "time_wait",
                        "profile", "close_on_eof", "max_wakeups", "from_port", "nosignal",
                        "killed_by", "tolerance", "segments_from", "fd_limit", "sigpipe",
                        "forward", "nat", "inside", "policy"})
    EXPECT_TRUE(documented(k)) << k;
}

TEST(ScenarioCatalogue, EveryScenarioFileLoads) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(TCPSIM_SCENARIOS, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".yaml" && it->path().filename() != "index.yaml")
      files.push_back(it->path());
  if (files.empty()) GTEST_SKIP() << "no scenarios in " << TCPSIM_SCENARIOS << " yet";
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    try {
      Scenario s = load_scenario_file(f.string());
      EXPECT_EQ(s.name, f.stem().string());
      EXPECT_FALSE(s.title.en.empty()) << f;
    } catch (const LoadError& e) {
      ADD_FAILURE() << e.what();
    }
  }
  std::vector<std::string> errors;
  auto entries = list_catalogue(TCPSIM_SCENARIOS, &errors);
  EXPECT_EQ(entries.size(), files.size());
  EXPECT_TRUE(errors.empty()) << errors.front();
}

}  // namespace
