// tcpsim — the README's commands work as written (issue #14, "The
// comparison itself").
//
// - ReadmeCommand/<line>: every `tcpsim ...` (and `tcpsim-gui ...`) command
//   line in README.md's code blocks is run exactly as written by /bin/sh, in
//   a scratch folder that looks like the source tree (its folders linked in)
//   with build/default/cli/tcpsim being the binary under test. Lines that
//   need root and the kernel (sudo, kernel-run, kernel-diff) run only with
//   TCPSIM_README_KERNEL=1 and otherwise are skipped with the reason printed;
//   a GUI line that opens a window for a person is skipped with its reason.
//   Skips are reported as skipped, never as passes.
// - GlobCommands.*: every command that takes several scenario files skips
//   the catalogue's index (scenarios/index.yaml) the same way, and a command
//   that takes one names it.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

const std::string kSource = TCPSIM_SOURCE_DIR;
const std::string kCli = TCPSIM_CLI_EXE;
#ifdef TCPSIM_GUI_EXE
const std::string kGui = TCPSIM_GUI_EXE;
#else
const std::string kGui;
#endif

struct Command {
  int line = 0;          // in README.md
  std::string text;      // as written (continuations joined)
};

void PrintTo(const Command& c, std::ostream* os) { *os << "README.md:" << c.line << ": " << c.text; }

std::string slurp(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> w;
  for (std::string x; in >> x;) w.push_back(x);
  return w;
}

std::string base_name(const std::string& p) {
  const auto slash = p.find_last_of('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

// The program a command line runs: its first word, after `sudo`.
std::string program_of(const Command& c) {
  auto w = words(c.text);
  if (!w.empty() && w[0] == "sudo") w.erase(w.begin());
  return w.empty() ? "" : base_name(w[0]);
}

// Every line of a ``` block in README.md that runs tcpsim or tcpsim-gui.
std::vector<Command> readme_commands() {
  std::istringstream in(slurp(kSource + "/README.md"));
  std::vector<Command> out;
  bool in_block = false;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    const auto first = line.find_first_not_of(' ');
    if (first != std::string::npos && line.compare(first, 3, "```") == 0) {
      in_block = !in_block;
      continue;
    }
    if (!in_block) continue;
    Command c{n, line.substr(first == std::string::npos ? line.size() : first)};
    while (!c.text.empty() && c.text.back() == '\\' && std::getline(in, line)) {
      ++n;
      c.text.pop_back();
      c.text += line;
    }
    const std::string prog = program_of(c);
    if (prog == "tcpsim" || prog == "tcpsim-gui") out.push_back(c);
  }
  return out;
}

struct Result {
  int status = -1;
  std::string out;
};

// Runs `script` with /bin/sh in `dir`, stdout and stderr together.
Result run_sh(const fs::path& dir, const std::string& script, const std::string& env = "") {
  const fs::path file = dir / ".readme-command.sh";
  {
    std::ofstream f(file);
    f << script << "\n";
  }
  Result r;
  const std::string cmd = "cd '" + dir.string() + "' && " + env + " timeout 900 /bin/sh '" + file.string() + "' 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  std::size_t got;
  while ((got = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, got);
  const int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  fs::remove(file);
  return r;
}

std::string tail(const std::string& s, std::size_t n = 3000) {
  return s.size() <= n ? s : "..." + s.substr(s.size() - n);
}

// A scratch folder that looks like the source tree to a command written
// for it: every top-level folder and file linked in, and build/default/cli/
// tcpsim (and gui/tcpsim-gui) linking to the binaries under test.
class Sandbox {
 public:
  Sandbox() {
    char tmpl[] = "/tmp/tcpsim-readme-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    for (const auto& e : fs::directory_iterator(kSource)) {
      const std::string n = e.path().filename().string();
      if (n == "build" || n == ".git") continue;
      fs::create_symlink(e.path(), dir_ / n);
    }
    fs::create_directories(dir_ / "build/default/cli");
    fs::create_symlink(kCli, dir_ / "build/default/cli/tcpsim");
    if (!kGui.empty()) {
      fs::create_directories(dir_ / "build/default/gui");
      fs::create_symlink(kGui, dir_ / "build/default/gui/tcpsim-gui");
    }
    fs::create_directories(dir_ / "xdg");
    fs::permissions(dir_ / "xdg", fs::perms::owner_all);
  }
  ~Sandbox() {
    std::error_code ec;
    fs::remove_all(dir_, ec);  // removes the links, not what they point at
  }
  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
};

bool on_path(const std::string& prog) {
  return std::system(("command -v " + prog + " >/dev/null 2>&1").c_str()) == 0;
}

// ---- the README's lines ----

class ReadmeCommand : public ::testing::TestWithParam<Command> {};

TEST_P(ReadmeCommand, RunsAsWritten) {
  const Command& c = GetParam();
  std::string script = c.text;
  const auto w = words(c.text);
  const bool sudo = !w.empty() && w[0] == "sudo";
  const bool gui = program_of(c) == "tcpsim-gui";
  const bool kernel = sudo || c.text.find(" kernel-run") != std::string::npos ||
                      c.text.find(" kernel-diff") != std::string::npos;
  std::printf("README.md:%d: %s\n", c.line, c.text.c_str());

  if (kernel) {
    const char* on = std::getenv("TCPSIM_README_KERNEL");
    if (!on || std::string(on) != "1")
      GTEST_SKIP() << "needs root and the real kernel (network namespaces) and takes minutes; "
                      "run with TCPSIM_README_KERNEL=1 as root to include it";
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (TCPSIM_README_KERNEL=1 is set, but this is not root)";
    if (sudo && !on_path("sudo")) {
      // Root already: `sudo X` is X.
      std::printf("  (root without sudo installed: running the line without its 'sudo')\n");
      script = script.substr(script.find("sudo") + 4);
    }
  }
  std::string env;
  if (gui) {
    if (kGui.empty()) GTEST_SKIP() << "the GUI is not built (TCPSIM_BUILD_GUI=OFF)";
    if (c.text.find("--screenshot") == std::string::npos)
      GTEST_SKIP() << "opens an interactive window for a person; needs a display";
  }
  Sandbox box;
  if (gui) env = "QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR='" + (box.dir() / "xdg").string() + "'";
  const Result r = run_sh(box.dir(), script, env);
  // `tcpsim diff` exits 1 when the two runs differ, which is what the
  // README's line is there to show; every other line must exit 0.
  const std::size_t sub = sudo ? 2 : 1;
  const bool diff = w.size() > sub && w[sub] == "diff";
  if (diff && r.status == 1) {
    EXPECT_NE(r.out.find("differences"), std::string::npos) << tail(r.out);
  } else {
    EXPECT_EQ(r.status, 0) << "README.md:" << c.line << ": " << c.text << "\n" << tail(r.out);
  }
  // Files the line writes (out.png, ladder.svg, slides.pdf, ...) exist and
  // are not empty.
  bool wrote_file = false;
  for (const auto& x : w) {
    if (x.empty() || x[0] == '-' || x.find('/') != std::string::npos) continue;
    const auto dot = x.rfind('.');
    if (dot == std::string::npos) continue;
    const std::string ext = x.substr(dot);
    if (ext != ".svg" && ext != ".pdf" && ext != ".png" && ext != ".gif" && ext != ".pcap") continue;
    wrote_file = true;
    std::error_code ec;
    EXPECT_TRUE(fs::is_regular_file(box.dir() / x)) << x << " was not written";
    EXPECT_GT(fs::file_size(box.dir() / x, ec), 0u) << x << " is empty";
  }
  if (!wrote_file) {
    EXPECT_FALSE(r.out.empty()) << "the command printed nothing";
  }
}

std::string line_name(const ::testing::TestParamInfo<Command>& i) {
  const auto w = words(i.param.text);
  std::string n = "line" + std::to_string(i.param.line);
  std::size_t k = !w.empty() && w[0] == "sudo" ? 1 : 0;
  n += "_" + program_of(i.param);
  if (k + 1 < w.size()) n += "_" + w[k + 1];
  for (char& ch : n)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(Readme, ReadmeCommand, ::testing::ValuesIn(readme_commands()), line_name);

TEST(ReadmeCommands, AreFoundInTheReadme) {
  const auto cmds = readme_commands();
  std::map<std::string, int> sub;
  for (const auto& c : cmds) {
    auto w = words(c.text);
    if (!w.empty() && w[0] == "sudo") w.erase(w.begin());
    if (w.size() > 1 && program_of(c) == "tcpsim") ++sub[w[1]];
  }
  // The README shows these; if it stops, this test should be looked at.
  for (const char* s : {"list", "run", "check", "replay", "export", "kernel-diff"})
    EXPECT_GT(sub[s], 0) << "no `tcpsim " << s << "` line found in README.md's code blocks";
}

// ---- the catalogue index, alike everywhere ----

// Subcommands of the CLI (from `tcpsim --help`).
std::vector<std::string> subcommands() {
  Sandbox box;
  const Result r = run_sh(box.dir(), "build/default/cli/tcpsim --help");
  std::vector<std::string> out;
  std::istringstream in(r.out);
  bool in_list = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Subcommands:", 0) == 0) {
      in_list = true;
      continue;
    }
    if (in_list && line.size() > 2 && line[0] == ' ' && line[1] == ' ' && line[2] != ' ')
      out.push_back(words(line)[0]);
  }
  return out;
}

// Commands that take several scenario files, with what else they need.
const std::map<std::string, std::string>& glob_commands() {
  static const std::map<std::string, std::string> m = {
      {"check", ""},
      {"kernel-diff", ""},
      {"site", "site-out"},  // tcpsim site OUT FILES...
  };
  return m;
}

TEST(GlobCommands, EveryCommandTakingSeveralFilesIsCoveredHere) {
  Sandbox box;
  const auto subs = subcommands();
  ASSERT_GE(subs.size(), 5u);
  for (const auto& s : subs) {
    const Result r = run_sh(box.dir(), "build/default/cli/tcpsim " + s + " --help");
    // CLI11 marks a positional that takes several values with "...".
    std::istringstream in(r.out);
    bool many = false, positionals = false;
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("Positionals:", 0) == 0) positionals = true;
      else if (positionals && line.empty()) positionals = false;
      else if (positionals && line.find(" ... ") != std::string::npos) many = true;
    }
    if (many) {
      EXPECT_TRUE(glob_commands().count(s)) << "'tcpsim " << s << "' takes several files: add it to glob_commands() "
                                                "and make it use scenario_file_args() (cli/commands.hpp)";
    }
  }
}

TEST(GlobCommands, SkipTheCatalogueIndexAlike) {
  const auto subs = subcommands();
  for (const auto& [cmd, extra] : glob_commands()) {
    if (std::find(subs.begin(), subs.end(), cmd) == subs.end()) continue;  // not in this build
    SCOPED_TRACE(cmd);
    Sandbox box;
    // Only the index: nothing to do, said so, exit 2, before any run (so
    // kernel-diff needs no root here).
    const Result r = run_sh(box.dir(), "build/default/cli/tcpsim " + cmd + " " + extra + " scenarios/index.yaml");
    EXPECT_EQ(r.status, 2) << r.out;
    EXPECT_NE(r.out.find("scenarios/index.yaml: the catalogue index, not a scenario (skipped)"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("no scenario file among the arguments"), std::string::npos) << r.out;
  }
  // With scenarios beside it, the index is skipped and the rest is checked.
  Sandbox box;
  const Result r = run_sh(box.dir(), "build/default/cli/tcpsim check scenarios/index.yaml scenarios/normal-close.yaml");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("scenarios/index.yaml: the catalogue index, not a scenario (skipped)"), std::string::npos);
  EXPECT_NE(r.out.find("1 passed, 0 failed"), std::string::npos) << r.out;
}

// index.yaml is reserved for the catalogue's index in any folder: a file of
// that name among the arguments is skipped even if it holds a scenario.
TEST(GlobCommands, IndexYamlIsReservedInAnyFolder) {
  Sandbox box;
  fs::create_directories(box.dir() / "mine");
  fs::copy_file(kSource + "/scenarios/normal-close.yaml", box.dir() / "mine/index.yaml");
  fs::copy_file(kSource + "/scenarios/half-close.yaml", box.dir() / "mine/half-close.yaml");
  const Result r = run_sh(box.dir(), "build/default/cli/tcpsim check mine/*.yaml");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("mine/index.yaml: the catalogue index, not a scenario (skipped)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 passed, 0 failed"), std::string::npos) << r.out;
}

TEST(SingleFileCommands, NameTheIndexWhenGivenIt) {
  Sandbox box;
  for (const char* cmd : {"run", "replay", "export --jsonl out.jsonl"}) {
    const Result r = run_sh(box.dir(), std::string("build/default/cli/tcpsim ") + cmd + " scenarios/index.yaml");
    EXPECT_EQ(r.status, 2) << cmd << ": " << r.out;
    EXPECT_NE(r.out.find("this is the catalogue index"), std::string::npos) << cmd << ": " << r.out;
  }
}

}  // namespace
