// tcpsim — the scenario writer (scenario_writer.hpp, issue #13): a branch
// saved from the lab must load, run and check like any other scenario and
// reproduce the branch's trace byte for byte.
//
// - WriterRoundTrip/<file>: every catalogue scenario, every valid scenario
//   under tests/data and fuzz/corpus/full-format.yaml: load -> write -> load -> run gives the same
//   JSONL trace byte for byte, the same check results, and writing the
//   reloaded scenario gives the same text (the writer is idempotent).
// - WriterCoverage: the round-tripped files together use every step kind,
//   expectation kind, fault kind, trigger, option and error policy.
// - WriterText: hostile strings, multi-line lessons, Chinese, 200 characters.
// - WriterDurations / WriterNumbers: sub-millisecond times and probabilities
//   are exact.
// - WriterRefuses: what the format cannot say throws std::invalid_argument.
// - WriterCli: the written files run through the real `tcpsim check` / `run`.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tcpsim/check.hpp"
#include "tcpsim/export.hpp"
#include "tcpsim/loader.hpp"
#include "tcpsim/scenario_writer.hpp"
#include "tcpsim/simulation.hpp"

namespace fs = std::filesystem;
using namespace tcpsim;

namespace {

const std::string kScenarios = TCPSIM_SCENARIOS;
const std::string kTestData = TCPSIM_TEST_DATA;
const std::string kTcpsim = std::string(TCPSIM_BINARY_DIR) + "/cli/tcpsim";

// Every scenario file the round trip covers: the catalogue (not its index)
// and every file under tests/data that loads (the malformed ones do not).
std::vector<std::string> round_trip_files() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(kScenarios))
    if (e.path().extension() == ".yaml" && e.path().filename() != "index.yaml")
      out.push_back(e.path().string());
  for (const auto& e : fs::recursive_directory_iterator(kTestData)) {
    if (!e.is_regular_file() || e.path().extension() != ".yaml") continue;
    try {
      load_scenario_file(e.path().string());
      out.push_back(e.path().string());
    } catch (const LoadError&) {
    }
  }
  // The fuzzer's seed that spells every key of the format (link: rather
  // than links:, 5%, CLOSE-WAIT, 2min, ...).
  const std::string full = std::string(TCPSIM_SOURCE_DIR) + "/fuzz/corpus/full-format.yaml";
  if (fs::exists(full)) out.push_back(full);
  std::sort(out.begin(), out.end());
  return out;
}

std::string jsonl(const Scenario& s) {
  Trace t = run_scenario(s);
  std::ostringstream o;
  write_jsonl(t, o);
  return o.str();
}

// Check results without their place in the file (which moves).
std::vector<std::string> checks(const Scenario& s) {
  Trace t = run_scenario(s);
  std::vector<std::string> out;
  for (const auto& f : check_expectations(s, t)) out.push_back(f.what + " | " + f.expected + " | " + f.actual);
  return out;
}

std::string slurp(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The first line where two texts differ, for readable failures.
std::string first_diff(const std::string& a, const std::string& b) {
  std::istringstream ia(a), ib(b);
  std::string la, lb;
  for (int n = 1;; ++n) {
    bool ga = static_cast<bool>(std::getline(ia, la)), gb = static_cast<bool>(std::getline(ib, lb));
    if (!ga && !gb) return "identical";
    if (!ga || !gb || la != lb)
      return "line " + std::to_string(n) + ":\n  " + (ga ? la : "<end>") + "\n  " + (gb ? lb : "<end>");
  }
}

std::string test_name(const std::string& path) {
  std::string rel = path.rfind(kTestData, 0) == 0 ? "data_" + path.substr(kTestData.size() + 1)
                                                  : fs::path(path).stem().string();
  if (rel.size() > 5 && rel.compare(rel.size() - 5, 5, ".yaml") == 0) rel.resize(rel.size() - 5);
  for (char& c : rel)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return rel;
}

// ---- the round trip, per file ----

class WriterRoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(WriterRoundTrip, ReloadedScenarioTracesChecksAndWritesTheSame) {
  const std::string path = GetParam();
  const Scenario original = load_scenario_file(path);
  const std::string text = scenario_to_yaml(original);
  // Loaded under the same path, as the file it came from (diagram titles use the name).
  Scenario reloaded;
  ASSERT_NO_THROW(reloaded = load_scenario_string(text, path)) << text;

  const std::string a = jsonl(original), b = jsonl(reloaded);
  ASSERT_FALSE(a.empty());
  EXPECT_TRUE(a == b) << "traces differ at " << first_diff(a, b) << "\nwritten file:\n" << text;
  EXPECT_EQ(checks(original), checks(reloaded));
  const std::string again = scenario_to_yaml(reloaded);
  EXPECT_TRUE(again == text) << "not idempotent at " << first_diff(text, again);
  EXPECT_EQ(scenario_to_yaml(original), text) << "not deterministic";
}

INSTANTIATE_TEST_SUITE_P(Writer, WriterRoundTrip, ::testing::ValuesIn(round_trip_files()),
                         [](const ::testing::TestParamInfo<std::string>& i) { return test_name(i.param); });

TEST(WriterRoundTripFiles, CoverTheCatalogueAndTestData) {
  const auto files = round_trip_files();
  std::size_t catalogue = 0, data = 0;
  for (const auto& f : files) (f.rfind(kTestData, 0) == 0 ? data : catalogue)++;
  EXPECT_GE(catalogue, 25u);
  EXPECT_GE(data, 2u);  // wrong-expect/normal-close and writer/all-kinds at least
}

// ---- coverage of the format ----

void walk(const std::vector<Step>& steps, const std::function<void(const Step&)>& f) {
  for (const Step& s : steps) {
    f(s);
    walk(s.body, f);
  }
}

TEST(WriterCoverage, RoundTrippedFilesUseEveryStepExpectationAndFaultKind) {
  std::set<int> steps, faults, triggers, opts, on_error, hows;
  std::set<std::string> expects;
  bool at = false, after = false;
  for (const auto& path : round_trip_files()) {
    const Scenario s = load_scenario_file(path);
    for (const auto& p : s.processes)
      walk(p.script, [&](const Step& st) {
        steps.insert(static_cast<int>(st.kind));
        on_error.insert(static_cast<int>(st.on_error));
        if (st.when.kind != Trigger::Kind::None) triggers.insert(static_cast<int>(st.when.kind));
        if (st.kind == StepKind::SetSockOpt) opts.insert(static_cast<int>(st.opt));
        if (st.kind == StepKind::Shutdown) hows.insert(static_cast<int>(st.how));
        at = at || st.at.has_value();
        after = after || st.after.has_value();
      });
    for (const auto& f : s.faults) faults.insert(static_cast<int>(f.kind));
    const Expect& e = s.expect;
    if (!e.states.empty()) expects.insert("states");
    for (const auto& g : e.segments) expects.insert(g.from.empty() ? "segments" : "segments_from");
    if (!e.calls.empty()) expects.insert("calls");
    for (const auto& a : e.at) {
      if (!a.state.empty()) expects.insert("at.state");
      if (!a.state_gone.empty()) expects.insert("at.gone");
      if (!a.count.empty()) expects.insert("at.count");
    }
    if (!e.signals.empty()) expects.insert("signals");
    if (!e.exits.empty()) expects.insert("exits");
    if (!e.counts.empty()) expects.insert("counts");
    if (!e.durations.empty()) expects.insert("durations");
  }
  EXPECT_EQ(steps.size(), 21u) << "a step kind is missing from the round-tripped files";
  EXPECT_EQ(faults.size(), 9u) << "a fault kind is missing";
  EXPECT_EQ(triggers.size(), 6u) << "a 'when' trigger kind is missing";
  EXPECT_EQ(opts.size(), 15u) << "a setsockopt option is missing";
  EXPECT_EQ(on_error.size(), 3u) << "an on_error policy is missing";
  EXPECT_EQ(hows.size(), 3u) << "a shutdown direction is missing";
  EXPECT_TRUE(at && after);
  EXPECT_EQ(expects, (std::set<std::string>{"states", "segments", "segments_from", "calls", "at.state", "at.gone",
                                            "at.count", "signals", "exits", "counts", "durations"}));
}

// ---- text ----

Scenario base() { return load_scenario_file(kScenarios + "/normal-close.yaml"); }

Scenario reload(const Scenario& s) { return load_scenario_string(scenario_to_yaml(s), s.path); }

const std::vector<std::string>& hostile() {
  static const std::vector<std::string> v = {
      "plain",
      "with \"double\" and 'single' quotes",
      "key: value",
      "a # not a comment",
      "#starts with hash",
      "- looks like a list entry",
      "yes", "no", "true", "off", "null", "Null", "~", "",
      "017", "0x1F", "1e3", "-1", ".5", "1.5s",
      "  leading and trailing spaces  ",
      "back\\slash \\n not a newline",
      "tab\there",
      "first line\nsecond line",
      "\n",
      "\n\nstarts with blank lines",
      "ends with blank lines\n\n\n",
      "  indented first line\nsecond",
      "中文：冒号，「引号」# 井号",
      "[not, a, list]", "{not: a map}", "&anchor", "*alias", "!tag", "%directive", "@at", "`tick`",
      "| pipe", "> fold", "...", "---",
      "line sep\xE2\x80\xA8paragraph sep\xE2\x80\xA9" "bom\xEF\xBB\xBF",
      std::string(200, 'x'),
      std::string(67, 'a') + "\xe4\xb8\xad" + std::string(130, 'b'),
  };
  return v;
}

TEST(WriterText, HostileStringsRoundTripExactlyInEveryTextField) {
  for (const auto& h : hostile()) {
    SCOPED_TRACE("text: [" + h + "]");
    Scenario s = base();
    s.title = {"T " + h, h};
    s.summary = {h, h};
    s.lesson = {h + "x", "甲\n" + h};
    s.tags = {h, "t"};
    s.references = {h};
    s.kernel_comparable = false;
    s.kernel_skip_reason = h;
    Scenario r;
    ASSERT_NO_THROW(r = reload(s)) << scenario_to_yaml(s);
    EXPECT_EQ(r.title.en, s.title.en);
    EXPECT_EQ(r.title.zh, s.title.zh);
    EXPECT_EQ(r.summary.en, s.summary.en);
    EXPECT_EQ(r.summary.zh, s.summary.zh);
    EXPECT_EQ(r.lesson.en, s.lesson.en);
    EXPECT_EQ(r.lesson.zh, s.lesson.zh);
    EXPECT_EQ(r.tags, s.tags);
    EXPECT_EQ(r.references, s.references);
    EXPECT_EQ(r.kernel_skip_reason, s.kernel_skip_reason);
    EXPECT_FALSE(r.kernel_comparable);
  }
}

TEST(WriterText, MultiLineLessonsAreWrittenAsBlocksAndKeepEveryNewline) {
  for (const std::string& lesson :
       {std::string("One.\n\nTwo: with colon\n  - indented list\n# hash line\n"),
        std::string("no final newline\nsecond"), std::string("two final newlines\n\n"),
        std::string("中文第一行\n第二行\n")}) {
    Scenario s = base();
    s.lesson = {lesson, lesson};
    const std::string text = scenario_to_yaml(s);
    EXPECT_NE(text.find("en: |"), std::string::npos) << text;
    const Scenario r = load_scenario_string(text, s.path);
    EXPECT_EQ(r.lesson.en, lesson);
    EXPECT_EQ(r.lesson.zh, lesson);
  }
}

// Random texts from the pieces block and quoted scalars trip on: spaces at
// line ends and starts, blank lines, tabs, quotes, YAML indicators, Chinese.
TEST(WriterText, RandomTextsRoundTripExactly) {
  static const char* const kPieces[] = {"a", "Z", " ", "  ", "\n", "\n\n", "\t", "\"", "'", "\\", ": ", "#",
                                        " #", "- ", "? ", "|", ">", "---", "...", "&x", "*x", "!", "%", "@",
                                        "{", "}", "[", "]", ",", "中", "文", "：", "yes", "null", "017", "~"};
  std::uint64_t x = 0x9E3779B97F4A7C15ull;
  auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  Scenario s = base();
  for (int i = 0; i < 250; ++i) {
    std::string t;
    const int n = static_cast<int>(next() % 12);
    for (int k = 0; k < n; ++k) t += kPieces[next() % (sizeof kPieces / sizeof kPieces[0])];
    s.title.en = "t" + t;
    s.lesson = {t, t + "\n"};
    s.summary.en = t;
    Scenario r;
    ASSERT_NO_THROW(r = reload(s)) << "[" << t << "]\n" << scenario_to_yaml(s);
    ASSERT_EQ(r.title.en, s.title.en);
    ASSERT_EQ(r.lesson.en, s.lesson.en) << scenario_to_yaml(s);
    ASSERT_EQ(r.lesson.zh, s.lesson.zh) << scenario_to_yaml(s);
    ASSERT_EQ(r.summary.en, s.summary.en);
  }
}

TEST(WriterText, HeaderCommentIsCommentedOutAndDoesNotChangeTheScenario) {
  Scenario s = base();
  const std::string text = scenario_to_yaml(s, "branch of normal-close.yaml\ndrop: 1st F. from server\n\x1b[2J");
  EXPECT_EQ(text.rfind("# branch of normal-close.yaml\n# drop: 1st F. from server\n# \\x1b[2J\n", 0), 0u) << text;
  EXPECT_EQ(jsonl(load_scenario_string(text, s.path)), jsonl(s));
}

TEST(WriterText, NamesAreWrittenPlainAndFreeTextQuoted) {
  const std::string text = scenario_to_yaml(base());
  EXPECT_NE(text.find("      - close: conn\n"), std::string::npos) << text;
  EXPECT_NE(text.find("connect: {to: \"server:80\", as: sock}"), std::string::npos) << text;
  EXPECT_NE(text.find("  client: {ip: 10.0.0.1}\n"), std::string::npos) << text;
}

// ---- durations and numbers ----

TEST(WriterDurations, SubMillisecondTimesRoundTripToTheMicrosecond) {
  Scenario s = base();
  s.links.at(0).delay = usec(1500);
  s.links.at(0).jitter = usec(1);
  s.processes.at(1).script.at(0).at = usec(10250);
  s.processes.at(0).start = usec(999);
  s.processes.at(1).script.back().after = usec(100001);
  s.hosts.at(0).sysctls.time_wait = usec(30000001);
  s.expect.durations.at(0).tolerance = usec(7);
  const std::string text = scenario_to_yaml(s);
  EXPECT_NE(text.find("delay: 1500us"), std::string::npos) << text;
  EXPECT_NE(text.find("time_wait: 30000001us"), std::string::npos) << text;
  const Scenario r = load_scenario_string(text, s.path);
  EXPECT_EQ(r.links.at(0).delay, usec(1500));
  EXPECT_EQ(r.links.at(0).jitter, usec(1));
  EXPECT_EQ(r.processes.at(1).script.at(0).at, usec(10250));
  EXPECT_EQ(r.processes.at(0).start, usec(999));
  EXPECT_EQ(r.processes.at(1).script.back().after, usec(100001));
  EXPECT_EQ(r.hosts.at(0).sysctls.time_wait, usec(30000001));
  EXPECT_EQ(r.expect.durations.at(0).tolerance, usec(7));
  EXPECT_EQ(jsonl(r), jsonl(s));
}

TEST(WriterDurations, WholeUnitsAreWrittenInTheLargestExactUnit) {
  Scenario s = base();
  s.links.at(0).delay = msec(1500);
  s.duration = sec(200);
  const std::string text = scenario_to_yaml(s);
  EXPECT_NE(text.find("delay: 1500ms"), std::string::npos) << text;
  EXPECT_NE(text.find("duration: 200s"), std::string::npos) << text;
}

TEST(WriterNumbers, ProbabilitiesRatesAndBigNumbersRoundTripExactly) {
  for (double p : {0.1, 0.05, 1e-7, 1.0 / 3, 0.999999999999, 1.0, 5e-324}) {
    Scenario s = base();
    s.links.at(0).loss = p;
    s.links.at(0).duplicate = p / 2;
    s.links.at(0).reorder = p;
    s.links.at(0).rate_bps = 9999999999999ULL;
    s.seed = UINT64_MAX;
    s.isn["client/sock"] = UINT32_MAX;
    const Scenario r = reload(s);
    EXPECT_EQ(r.links.at(0).loss, p);
    EXPECT_EQ(r.links.at(0).duplicate, p / 2);
    EXPECT_EQ(r.links.at(0).reorder, p);
    EXPECT_EQ(r.links.at(0).rate_bps, 9999999999999ULL);
    EXPECT_EQ(r.seed, UINT64_MAX);
    EXPECT_EQ(r.isn.at("client/sock"), UINT32_MAX);
  }
}

TEST(WriterSysctls, OnlyExplicitOrChangedSysctlsAreWrittenUnderTheirLinuxNames) {
  Scenario s = base();
  EXPECT_EQ(scenario_to_yaml(s).find("sysctl"), std::string::npos);
  HostSpec& h = s.hosts.at(1);
  h.sysctls.tcp_fin_timeout = sec(30);
  h.sysctl_overrides["net.ipv4.tcp_fin_timeout"] = "30";
  h.sysctl_overrides["net.core.somaxconn"] = "4096";  // explicit, though the default
  h.sysctls.port_lo = 40000;  // changed without an override entry: still written
  const std::string text = scenario_to_yaml(s);
  EXPECT_NE(text.find("      net.ipv4.tcp_fin_timeout: 30\n"), std::string::npos) << text;
  EXPECT_NE(text.find("      net.core.somaxconn: 4096\n"), std::string::npos) << text;
  EXPECT_NE(text.find("      net.ipv4.ip_local_port_range: \"40000 60999\"\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("tcp_syn_retries"), std::string::npos) << text;
  const Scenario r = load_scenario_string(text, s.path);
  EXPECT_EQ(r.hosts.at(1).sysctls.tcp_fin_timeout, sec(30));
  EXPECT_EQ(r.hosts.at(1).sysctls.port_lo, 40000);
  EXPECT_EQ(r.hosts.at(1).sysctl_overrides.size(), 3u);
}

// ---- faults ----

TEST(WriterFaults, LabelsAreKeptAndUnlabelledRulesKeepTheirFileAndLineInTheTrace) {
  const std::string path = kScenarios + "/lost-final-ack.yaml";
  const Scenario s = load_scenario_file(path);
  ASSERT_FALSE(s.faults.empty());
  const std::string text = scenario_to_yaml(s);
  // The unlabelled rule is named "lost-final-ack.yaml:LINE" in the trace;
  // the written file says so in its label, wherever it is saved.
  EXPECT_NE(text.find("label: \"lost-final-ack.yaml:" + std::to_string(s.faults[0].loc.line) + "\""),
            std::string::npos) << text;
  const Scenario moved = load_scenario_string(text, "/elsewhere/lost-final-ack.yaml");
  EXPECT_EQ(jsonl(moved), jsonl(s));

  Scenario labelled = s;
  labelled.faults[0].label = "drop 1st . from client: \"the last ACK\"";
  const Scenario r = reload(labelled);
  EXPECT_EQ(r.faults[0].label, labelled.faults[0].label);
  EXPECT_NE(jsonl(r).find("the last ACK"), std::string::npos);
}

// ---- refusals ----

void expect_refused(const Scenario& s, const std::string& words) {
  try {
    scenario_to_yaml(s);
    ADD_FAILURE() << "written, but should be refused: " << words;
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
  }
}

TEST(WriterRefuses, WhatTheFileFormatCannotSay) {
  {
    Scenario s = base();
    s.hosts[0].sysctls.rto_min = msec(5);
    expect_refused(s, "rto_min");
  }
  {
    Scenario s = base();
    FaultSpec f;
    f.kind = FaultKind::Drop;
    s.faults.push_back(f);  // neither label nor file position
    expect_refused(s, "give it a label");
  }
  {
    Scenario s = base();
    s.title.en = "bell\a";
    expect_refused(s, "control character 0x07");
  }
  {
    Scenario s = base();
    s.summary.en = "carriage\rreturn";
    expect_refused(s, "control character 0x0d");
  }
  {
    Scenario s = base();
    s.hosts[1].sysctls.tcp_fin_timeout = msec(1500);
    expect_refused(s, "whole seconds");
  }
  {
    Scenario s = base();
    s.links[0].loss = 1.5;
    expect_refused(s, "probability");
  }
  {
    Scenario s = base();
    s.processes[0].script[0].backlog = -1;
    expect_refused(s, "backlog");
  }
  {
    Scenario s = base();
    s.expect.segments.push_back(s.expect.segments.at(0));
    expect_refused(s, "more than one list of segment flags");
  }
  {
    // Caught by loading what was written: a reboot before any crash.
    Scenario s = base();
    FaultSpec f;
    f.kind = FaultKind::Reboot;
    f.host = "server";
    f.at = sec(1);
    s.faults.push_back(f);
    expect_refused(s, "would not load");
  }
}

// ---- the real command line ----

struct Proc {
  int status = -1;
  std::string out;
};

Proc run_cmd(const std::string& cmd) {
  Proc r;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

TEST(WriterCli, WrittenFilesPassTcpsimCheckAndRunToTheSameJsonl) {
  ASSERT_TRUE(fs::exists(kTcpsim)) << kTcpsim << " is not built";
  char tmpl[] = "/tmp/tcpsim-writer-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const fs::path dir = tmpl;
  for (const char* name : {"normal-close", "lost-final-ack", "fork-cloexec-exec", "epoll-close-wait-spin"}) {
    SCOPED_TRACE(name);
    const std::string orig = kScenarios + "/" + name + ".yaml";
    // The same file name, as if it replaced the original.
    const std::string out = (dir / (std::string(name) + ".yaml")).string();
    {
      std::ofstream f(out, std::ios::binary);
      f << scenario_to_yaml(load_scenario_file(orig), std::string("saved from ") + name + ".yaml");
    }
    const Proc check = run_cmd(kTcpsim + " check '" + out + "'");
    EXPECT_EQ(check.status, 0) << check.out;
    const Proc a = run_cmd(kTcpsim + " run --format jsonl '" + orig + "'");
    const Proc b = run_cmd(kTcpsim + " run --format jsonl '" + out + "'");
    EXPECT_EQ(a.status, 0) << a.out;
    EXPECT_FALSE(a.out.empty());
    EXPECT_TRUE(a.out == b.out) << first_diff(a.out, b.out);
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
