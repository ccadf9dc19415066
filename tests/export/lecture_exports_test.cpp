// Issue #12's exports for a lecture, through the tcpsim program as users run
// it and opened with the real tools:
//  - `--time compressed|linear|textbook` (an unknown value is exit 2 naming
//    the option and the values);
//  - `--slides OUT.pdf`: pdfinfo counts one 16:9 page per step or per state
//    change; `--animation OUT.gif`: ImageMagick counts the frames; both are
//    capped by --frames-max;
//  - `--capture-at HOST`: tshark's tcp.analysis.ack_rtt on a capture at the
//    client of normal-close is twice the scenario's link delay;
//  - `--lang zh_CN`: no English UI word in the Mermaid, PlantUML, DOT and
//    SVG ladder exports nor in `tcpsim replay` of any catalogue scenario
//    (Chinese headings, causes, notes, faults, drop reasons).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <regex>
#include <set>
#include <sstream>

#include "tcpsim/loader.hpp"
#include "tcpsim/scenario.hpp"
#include "tools.hpp"

using namespace tcpsim;
using namespace tcpsim::testing;

namespace {

const std::string kExe = TCPSIM_EXE;
const std::string kScenarios = TCPSIM_SCENARIOS;
const std::string kNormalClose = kScenarios + "/normal-close.yaml";
const std::string kHandshake = kScenarios + "/three-way-handshake.yaml";

RunResult run_tcpsim(std::vector<std::string> args) {
  args.insert(args.begin(), kExe);
  return run_tool(args);
}

std::string stem(const std::string& path) {
  auto slash = path.rfind('/');
  std::string n = path.substr(slash == std::string::npos ? 0 : slash + 1);
  return n.substr(0, n.size() - 5);
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> v;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

// Steps and state changes of a run, from its JSONL trace.
struct Counts {
  std::size_t events = 0, state_changes = 0;
};
Counts count_events(const std::string& scenario, const std::string& dir, double from = 0, double to = 1e18) {
  const std::string jsonl = dir + "/count.jsonl";
  RunResult r = run_tcpsim({"export", scenario, "--jsonl", jsonl, "--force"});
  EXPECT_EQ(r.status, 0) << r.err;
  Counts c;
  for (const auto& l : lines_of(read_file(jsonl))) {
    if (l.empty()) continue;
    std::smatch tm;
    static const std::regex tre("\"t\":([0-9.eE+-]+)");
    if (!std::regex_search(l, tm, tre)) continue;
    const double t = std::stod(tm[1]);
    if (t < from || t > to) continue;
    ++c.events;
    if (l.find("\"kind\":\"state\"") != std::string::npos) {
      // from != to
      std::smatch m;
      static const std::regex re("\"from\":\"([^\"]*)\".*\"to\":\"([^\"]*)\"");
      if (std::regex_search(l, m, re) && m[1] != m[2]) ++c.state_changes;
    }
  }
  return c;
}

int pdf_pages(const std::string& pdf, double* w_pt, double* h_pt) {
  RunResult r = run_tool({"pdfinfo", pdf});
  EXPECT_EQ(r.status, 0) << r.err;
  std::smatch m;
  int pages = -1;
  if (std::regex_search(r.out, m, std::regex("Pages:\\s+(\\d+)"))) pages = std::stoi(m[1]);
  if (std::regex_search(r.out, m, std::regex("Page size:\\s+([0-9.]+) x ([0-9.]+) pts"))) {
    *w_pt = std::stod(m[1]);
    *h_pt = std::stod(m[2]);
  }
  return pages;
}

class LectureExports : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!file_exists(kExe)) GTEST_SKIP() << "the tcpsim program was not built (" << kExe << ")";
    dir_ = temp_dir("lecture");
  }
  void expect_bad_option(const RunResult& r, const std::string& option) {
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find(option), std::string::npos) << "stderr does not name " << option << ": " << r.err;
  }
  std::string dir_;
};

}  // namespace

// ---- --time ----

TEST_F(LectureExports, UnknownTimeScaleNamesTheOptionAndTheValues) {
  RunResult r = run_tcpsim({"export", kNormalClose, "--ladder", dir_ + "/l.svg", "--time", "logarithmic"});
  expect_bad_option(r, "--time");
  for (const char* v : {"compressed", "linear", "textbook"})
    EXPECT_NE(r.err.find(v), std::string::npos) << "the error does not list " << v << ": " << r.err;
  EXPECT_FALSE(file_exists(dir_ + "/l.svg"));
}

TEST_F(LectureExports, EveryTimeScaleWritesALadder) {
#ifndef TCPSIM_TEST_HAVE_RENDER
  GTEST_SKIP() << "graphic exports need the Qt build";
#endif
  for (const char* scale : {"compressed", "linear", "textbook"}) {
    const std::string out = dir_ + "/l-" + scale + ".svg";
    RunResult r = run_tcpsim({"export", kNormalClose, "--ladder", out, "--time", scale});
    ASSERT_EQ(r.status, 0) << scale << ": " << r.err;
    EXPECT_NE(read_file(out).find("<svg"), std::string::npos);
  }
}

// ---- --slides / --animation ----

TEST_F(LectureExports, SlidesHaveOneWidescreenPagePerStep) {
#ifndef TCPSIM_TEST_HAVE_RENDER
  GTEST_SKIP() << "graphic exports need the Qt build";
#endif
  if (!have_tool("pdfinfo")) GTEST_SKIP() << "pdfinfo is not installed (apt-get install poppler-utils)";
  for (const auto& f : {kHandshake, kNormalClose}) {
    SCOPED_TRACE(stem(f));
    const Counts c = count_events(f, dir_);
    ASSERT_GT(c.state_changes, 0u);
    const std::string step = dir_ + "/" + stem(f) + "-step.pdf", state = dir_ + "/" + stem(f) + "-state.pdf";
    RunResult r = run_tcpsim({"export", f, "--slides", step});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find(std::to_string(c.events) + " pages"), std::string::npos) << r.out;
    double w = 0, h = 0;
    EXPECT_EQ(pdf_pages(step, &w, &h), static_cast<int>(c.events));
    EXPECT_NEAR(w / h, 16.0 / 9.0, 0.01);
    EXPECT_NEAR(w, 960, 1);
    r = run_tcpsim({"export", f, "--slides", state, "--slides-per", "state"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(pdf_pages(state, &w, &h), static_cast<int>(c.state_changes));
  }
}

TEST_F(LectureExports, SlidesInAWindowCoverOnlyItsSteps) {
#ifndef TCPSIM_TEST_HAVE_RENDER
  GTEST_SKIP() << "graphic exports need the Qt build";
#endif
  if (!have_tool("pdfinfo")) GTEST_SKIP() << "pdfinfo is not installed (apt-get install poppler-utils)";
  // normal-close's teardown: the state changes between 100 and 200 ms.
  const Counts c = count_events(kNormalClose, dir_, 0.1, 0.2);
  ASSERT_GT(c.state_changes, 0u);
  const std::string out = dir_ + "/close.pdf";
  RunResult r = run_tcpsim({"export", kNormalClose, "--slides", out, "--slides-per", "state", "--from", "100ms",
                            "--to", "200ms"});
  ASSERT_EQ(r.status, 0) << r.err;
  double w = 0, h = 0;
  EXPECT_EQ(pdf_pages(out, &w, &h), static_cast<int>(c.state_changes));
  EXPECT_LT(c.state_changes, count_events(kNormalClose, dir_).state_changes);
}

TEST_F(LectureExports, AnimationHasOneFramePerStateChange) {
#ifndef TCPSIM_TEST_HAVE_RENDER
  GTEST_SKIP() << "graphic exports need the Qt build";
#endif
  if (!have_tool("identify")) GTEST_SKIP() << "ImageMagick is not installed";
  const Counts c = count_events(kNormalClose, dir_);
  const std::string gif = dir_ + "/a.gif";
  RunResult r = run_tcpsim({"export", kNormalClose, "--animation", gif, "--slides-per", "state", "--size", "800x450"});
  ASSERT_EQ(r.status, 0) << r.err;
  RunResult id = run_tool({"identify", "-format", "%w %h %T\n", gif});
  ASSERT_EQ(id.status, 0) << id.err;
  auto frames = lines_of(id.out);
  ASSERT_EQ(frames.size(), c.state_changes);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    std::istringstream in(frames[i]);
    int w = 0, h = 0, delay = 0;
    in >> w >> h >> delay;
    EXPECT_EQ(w, 800);
    EXPECT_EQ(h, 450);
    EXPECT_EQ(delay, i + 1 == frames.size() ? 400 : 100) << "frame " << i + 1;
  }
  // The first and the last frame differ: the animation moves.
  const std::string f0 = dir_ + "/f0.png", fn = dir_ + "/fn.png";
  ASSERT_EQ(run_tool({"convert", gif + "[0]", f0}).status, 0);
  ASSERT_EQ(run_tool({"convert", gif + "[" + std::to_string(frames.size() - 1) + "]", fn}).status, 0);
  EXPECT_NE(read_file(f0), read_file(fn));
  EXPECT_GT(image_colours(f0), 8);
}

TEST_F(LectureExports, TooManyFramesIsAnErrorThatSaysHowMany) {
  const Counts c = count_events(kNormalClose, dir_);
  const std::string out = dir_ + "/many.pdf";
  RunResult r = run_tcpsim({"export", kNormalClose, "--slides", out, "--frames-max", "5"});
#ifdef TCPSIM_TEST_HAVE_RENDER
  expect_bad_option(r, "--slides");
  EXPECT_NE(r.err.find(std::to_string(c.events)), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--frames-max 5"), std::string::npos) << r.err;
#else
  expect_bad_option(r, "--slides");
#endif
  EXPECT_FALSE(file_exists(out));
  expect_bad_option(run_tcpsim({"export", kNormalClose, "--slides", out, "--frames-max", "0"}), "--frames-max");
  expect_bad_option(run_tcpsim({"export", kNormalClose, "--slides", out, "--slides-per", "segment"}), "--slides-per");
  expect_bad_option(run_tcpsim({"export", kNormalClose, "--animation", dir_ + "/a.apng"}), "--animation");
}

// ---- --capture-at ----

TEST_F(LectureExports, AckRttAtTheClientIsTwiceTheLinkDelay) {
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark is not installed";
  const Scenario sc = load_scenario_file(kNormalClose);
  ASSERT_FALSE(sc.links.empty());
  const double delay_s = static_cast<double>(sc.links[0].delay) / 1e6;
  ASSERT_GT(delay_s, 0);
  const std::string pcap = dir_ + "/c.pcap";
  RunResult r = run_tcpsim({"export", kNormalClose, "--pcap", pcap, "--capture-at", "client"});
  ASSERT_EQ(r.status, 0) << r.err;
  RunResult t = run_tool({"tshark", "-n", "-r", pcap, "-o", "tcp.analyze_sequence_numbers:TRUE", "-Y",
                          "tcp.analysis.ack_rtt", "-T", "fields", "-e", "tcp.flags.str", "-e",
                          "tcp.analysis.ack_rtt"});
  ASSERT_EQ(t.status, 0) << t.err;
  auto rows = lines_of(t.out);
  ASSERT_FALSE(rows.empty()) << "tshark found no RTT sample";
  // The SYN-ACK acknowledges the client's SYN one round trip after it left;
  // every ACK the server sends at once does the same.
  bool synack = false;
  int exact = 0;
  for (const auto& row : rows) {
    const double rtt = std::stod(row.substr(row.rfind('\t') + 1));
    EXPECT_GE(rtt, 2 * delay_s - 1e-6) << row;  // never less than a round trip
    if (std::fabs(rtt - 2 * delay_s) < 1e-6) ++exact;
    if (row.find("S") != std::string::npos && row.find("A") != std::string::npos) {
      synack = true;
      EXPECT_NEAR(rtt, 2 * delay_s, 1e-6) << row;
    }
  }
  EXPECT_TRUE(synack);
  EXPECT_GE(exact, 2);
  // Captured at every sender, the same SYN-ACK shows the one-way delay.
  const std::string senders = dir_ + "/s.pcap";
  r = run_tcpsim({"export", kNormalClose, "--pcap", senders, "--capture-at", "senders"});
  ASSERT_EQ(r.status, 0) << r.err;
  t = run_tool({"tshark", "-n", "-r", senders, "-Y", "tcp.flags.syn==1 && tcp.flags.ack==1", "-T", "fields", "-e",
                "tcp.analysis.ack_rtt"});
  ASSERT_EQ(t.status, 0) << t.err;
  EXPECT_NEAR(std::stod(lines_of(t.out).at(0)), delay_s, 1e-6);
}

TEST_F(LectureExports, CaptureAtAnUnknownHostNamesTheHosts) {
  RunResult r = run_tcpsim({"export", kNormalClose, "--pcap", dir_ + "/x.pcap", "--capture-at", "router"});
  expect_bad_option(r, "--capture-at");
  EXPECT_NE(r.err.find("client"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("server"), std::string::npos) << r.err;
  EXPECT_FALSE(file_exists(dir_ + "/x.pcap"));
  expect_bad_option(run_tcpsim({"export", kNormalClose, "--mermaid", dir_ + "/x.mmd", "--capture-at", "client"}),
                    "--capture-at");
}

// ---- --lang zh_CN: no English word a reader sees ----

namespace {

// Technical tokens that stay as tcpdump, the RFC and the kernel write them.
bool technical(const std::string& w, const std::set<std::string>& names) {
  static const std::set<std::string> kWords = {
      // flags and segment fields (tcpdump / Wireshark notation)
      "S", "F", "P", "R", "U", "E", "W", "SYN", "ACK", "FIN", "RST", "PSH", "URG", "seq", "ack", "len", "win",
      "fd",
      // RFC 793/9293 states (both spellings) and RFC vocabulary
      "CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT",
      "CLOSING", "LAST_ACK", "TIME_WAIT", "SYN-SENT", "SYN-RECEIVED", "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT",
      "LAST-ACK", "TIME-WAIT", "TCB", "MSL", "2MSL", "RFC", "RTO", "TLP", "MSS", "TCP", "IP", "HTTP", "Linux", "TW1",
      "epoll",
      // units
      "s", "ms", "us", "min", "KiB", "MiB",
      // scenario keys named in a note: on_error: stop, an epoll step's max_wakeups
      "on_error", "on", "max_wakeups", "SHUT_WR", "SHUT_RD", "SHUT_RDWR", "tcpsim",
      // routers and NAT: a host's `forward: false`, Linux's conntrack and its sysctls
      "forward", "false", "NAT", "conntrack"};
  if (kWords.count(w) || names.count(w)) return true;
  static const std::regex kPatterns(
      "E[A-Z]+|SIG[A-Z]+|SO_[A-Z]+|tcp_[a-z0-9_]+|nf_conntrack_[a-z0-9_]+|[0-9].*|0x[0-9a-f]+|[A-Z]+_[A-Z0-9_]+|h[0-9]+");
  return std::regex_match(w, kPatterns);
}

// English words in `text` that are not technical tokens. A word followed by
// '(' is a call, kept with its arguments: close(), recv(fd=3).
std::vector<std::string> english_words(const std::string& text0, const std::set<std::string>& names) {
  // A scenario file name (a fault rule's "(lost-final-ack.yaml:49)") is a name.
  static const std::regex kFile("[A-Za-z0-9_.-]+\\.yaml(:[0-9]+)?");
  const std::string text = std::regex_replace(text0, kFile, "FILE_NAME");
  std::vector<std::string> bad;
  std::size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (!(std::isalnum(c) || c == '_')) {
      ++i;
      continue;
    }
    std::size_t j = i;
    auto word = [&](std::size_t k) {
      return k < text.size() && (std::isalnum(static_cast<unsigned char>(text[k])) || text[k] == '_');
    };
    // A hyphen inside a word joins it (FIN-WAIT-1, keep-alive).
    while (word(j) || (text[j] == '-' && j > i && word(j + 1))) ++j;
    const std::string w = text.substr(i, j - i);
    if (j < text.size() && text[j] == '(') {  // a call: skip to its ')'
      int depth = 0;
      for (; j < text.size(); ++j) {
        if (text[j] == '(') ++depth;
        if (text[j] == ')' && --depth == 0) {
          ++j;
          break;
        }
      }
    } else if (!technical(w, names)) {
      bad.push_back(w);
    }
    i = j;
  }
  return bad;
}

std::string unescape_xml(std::string s) {
  for (auto [from, to] : {std::pair<std::string, std::string>{"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""},
                          {"&apos;", "'"}, {"&#39;", "'"}, {"&amp;", "&"}}) {
    for (std::size_t p = 0; (p = s.find(from, p)) != std::string::npos;) s.replace(p, from.size(), to), p += to.size();
  }
  return s;
}

// Line breaks of the formats (Mermaid <br/>, PlantUML and DOT \n) as spaces.
std::string unbreak(std::string s) {
  for (const std::string b : {"<br/>", "\\n"})
    for (std::size_t p = 0; (p = s.find(b, p)) != std::string::npos;) s.replace(p, b.size(), " ");
  return s;
}

// The label text of each format (not its syntax).
std::vector<std::string> mermaid_labels(const std::string& s) {
  std::vector<std::string> v;
  for (const auto& l : lines_of(s)) {
    if (l.rfind("    title ", 0) == 0) continue;  // the scenario's own (translated) title
    auto as = l.find(" as ");
    if (l.find("participant ") != std::string::npos && as != std::string::npos) {
      v.push_back(unbreak(l.substr(as + 4)));
      continue;
    }
    auto colon = l.find(": ");
    if (colon != std::string::npos) v.push_back(unbreak(l.substr(colon + 2)));
  }
  return v;
}
std::vector<std::string> plantuml_labels(const std::string& s) {
  std::vector<std::string> v;
  for (const auto& l : lines_of(s)) {
    if (l.rfind("title ", 0) == 0 || l.rfind("skinparam", 0) == 0 || l[0] == '@') continue;
    if (l.rfind("participant \"", 0) == 0) {
      v.push_back(unbreak(l.substr(13, l.find('"', 13) - 13)));
      continue;
    }
    auto colon = l.find(" : ");
    if (colon != std::string::npos) v.push_back(unbreak(l.substr(colon + 3)));
  }
  return v;
}
std::vector<std::string> dot_labels(const std::string& s) {
  std::vector<std::string> v;
  static const std::regex re("label=\"((?:[^\"\\\\]|\\\\.)*)\"");
  for (std::sregex_iterator it(s.begin(), s.end(), re), end; it != end; ++it) {
    v.push_back(unbreak((*it)[1]));
  }
  if (!v.empty()) v.erase(v.begin());  // the graph's label: the scenario's title
  return v;
}
// The texts of an SVG ladder but its heading ("报文时序图：<the scenario's own
// title>", the document's <title>). Qt writes a run of Latin and one of Chinese
// as separate <text> elements, and a wrapped label as one per line: a call
// wrapped inside its parentheses is joined again, so its arguments stay a call's.
std::vector<std::string> svg_texts(const std::string& s) {
  std::vector<std::string> v;
  static const std::regex re("<text[^>]*>([^<]*)</text>"), title("<title>([^<]*)</title>");
  std::smatch tm;
  std::string heading = std::regex_search(s, tm, title) ? unescape_xml(tm[1]) : std::string();
  std::string open;  // a call's text until its ')'
  for (std::sregex_iterator it(s.begin(), s.end(), re), end; it != end; ++it) {
    const std::string t = unescape_xml((*it)[1]);
    if (!t.empty() && heading.rfind(t, 0) == 0) {  // the next piece of the heading
      heading.erase(0, t.size());
      continue;
    }
    heading.clear();
    open += t;
    if (std::count(open.begin(), open.end(), '(') > std::count(open.begin(), open.end(), ')')) {
      open += " ";
      continue;
    }
    v.push_back(open);
    open.clear();
  }
  if (!open.empty()) v.push_back(open);
  return v;
}

// Host, process and socket-label words of a run (they come from the
// scenario), from its JSONL trace.
std::set<std::string> scenario_names(const std::string& jsonl) {
  std::set<std::string> names;
  static const std::regex re("\"(host|process|label)\":\"([^\"]*)\"");
  const std::string s = read_file(jsonl);
  for (std::sregex_iterator it(s.begin(), s.end(), re), end; it != end; ++it) {
    const std::string v = (*it)[2];
    std::string w;
    for (char c : v + " ") {
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') {
        w += c;
      } else if (!w.empty()) {
        names.insert(w);
        w.clear();
      }
    }
  }
  return names;
}

// The lines of `tcpsim replay` a reader sees in the program's words: every
// event line and the headings after them, not the scenario's own title,
// summary and lesson (before the first blank line and under 要点). Segment
// lines keep tcpdump's format ("Flags [S.], seq 0, win 65535, length 0", as
// tcpdump prints it in any locale): that part is taken out, what tcpsim adds
// around it (送达, 丢弃, （重传）, a drop's reason) is checked.
std::vector<std::string> replay_labels(const std::string& out) {
  static const std::regex kTcpdump("Flags \\[[^\\]]*\\](, seq [0-9]+(:[0-9]+)?)?(, ack [0-9]+)?, win [0-9]+, length [0-9]+");
  const auto lines = lines_of(out);
  std::vector<std::string> v;
  std::size_t i = 0;
  while (i < lines.size() && !lines[i].empty()) ++i;  // title and summary
  while (i < lines.size() && lines[i].empty()) ++i;
  for (; i < lines.size() && !lines[i].empty(); ++i) v.push_back(std::regex_replace(lines[i], kTcpdump, ""));
  if (++i < lines.size()) v.push_back(lines[i]);  // the lesson's heading
  if (!lines.empty() && i + 1 < lines.size()) v.push_back(lines.back());  // expectations hold / fail
  return v;
}

class ChineseExports : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST_P(ChineseExports, LabelsHaveNoEnglishWord) {
  if (!file_exists(kExe)) GTEST_SKIP() << "the tcpsim program was not built (" << kExe << ")";
  const std::string file = GetParam(), name = stem(file);
  const std::string dir = temp_dir("zh");
  std::vector<std::string> args = {"export", file, "--lang", "zh_CN", "--jsonl", dir + "/t.jsonl",
                                   "--mermaid", dir + "/s.mmd", "--plantuml", dir + "/s.puml",
                                   "--dot", dir + "/s.dot"};
#ifdef TCPSIM_TEST_HAVE_RENDER
  args.insert(args.end(), {"--ladder", dir + "/l.svg"});
#endif
  RunResult r = run_tcpsim(args);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto names = scenario_names(dir + "/t.jsonl");
  auto check = [&](const char* what, const std::vector<std::string>& labels) {
    std::set<std::string> reported;
    for (const auto& l : labels)
      for (const auto& w : english_words(l, names))
        if (reported.insert(w).second) ADD_FAILURE() << name << " " << what << ": English word '" << w << "' in: " << l;
  };
  check("Mermaid", mermaid_labels(read_file(dir + "/s.mmd")));
  check("PlantUML", plantuml_labels(read_file(dir + "/s.puml")));
  check("DOT", dot_labels(read_file(dir + "/s.dot")));
#ifdef TCPSIM_TEST_HAVE_RENDER
  const std::string svg = read_file(dir + "/l.svg");
  const auto texts = svg_texts(svg);
  EXPECT_GT(texts.size(), 10u);  // labels were checked, not an empty list
  check("SVG ladder", texts);
  // No Chinese in bold under 16 px: there is no bold Chinese face, and the
  // thickened strokes of a small one fill into blots ("重传").
  static const std::regex kText(R"re(<text [^>]*font-size="([0-9.]+)" font-weight="([0-9]+)"[^>]*>([^<]*)</text>)re");
  int cjk_texts = 0;
  for (std::sregex_iterator it(svg.begin(), svg.end(), kText), end; it != end; ++it) {
    const std::string body = (*it)[3];
    const bool cjk = body.find_first_of("\xe4\xe5\xe6\xe7\xe8\xe9") != std::string::npos;  // U+4000..U+9FFF lead bytes
    if (!cjk) continue;
    ++cjk_texts;
    EXPECT_FALSE(std::stoi((*it)[2]) >= 600 && std::stod((*it)[1]) < 16)
        << name << ": bold Chinese at " << (*it)[1] << " px in the SVG ladder: " << body;
  }
  EXPECT_GT(cjk_texts, 0) << name << ": no Chinese text found in the SVG ladder";
#endif
  RunResult rp = run_tcpsim({"replay", file, "--fast", "--lang", "zh_CN"});
  ASSERT_EQ(rp.status, 0) << rp.err;
  const auto replay = replay_labels(rp.out);
  EXPECT_GT(replay.size(), 2u) << rp.out;  // events were checked, not an empty list
  check("replay", replay);
}

INSTANTIATE_TEST_SUITE_P(Catalogue, ChineseExports, ::testing::ValuesIn(scenario_files(kScenarios)),
                         [](const auto& info) {
                           std::string n;
                           for (char c : stem(info.param)) n += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return n;
                         });

// The checker itself: it must catch English and let technical tokens pass.
TEST(ChineseExportsChecker, FindsEnglishAndKeepsTechnicalTokens) {
  const std::set<std::string> names = {"client", "server", "sock"};
  EXPECT_EQ(english_words("收到 FIN / 发送 ACK", names).size(), 0u);
  EXPECT_EQ(english_words("client/sock: FIN_WAIT_1 → TIME_WAIT (收到 FIN)", names).size(), 0u);
  EXPECT_EQ(english_words("recv(fd=3) = -1 ECONNRESET", names).size(), 0u);
  EXPECT_EQ(english_words("S. seq=0 ack=1 len=0（重传）", names).size(), 0u);
  EXPECT_EQ(english_words("rcv FIN", names), (std::vector<std::string>{"rcv"}));
  EXPECT_EQ(english_words("(retransmission)", names), (std::vector<std::string>{"retransmission"}));
  EXPECT_EQ(english_words("timeout = 2MSL", names), (std::vector<std::string>{"timeout"}));
  EXPECT_EQ(english_words("场景的故障规则 (lost-final-ack.yaml:49)", names).size(), 0u);
}

TEST_F(LectureExports, ReplayHeadingsAreChinese) {
  RunResult en = run_tcpsim({"replay", kNormalClose, "--fast"});
  RunResult zh = run_tcpsim({"replay", kNormalClose, "--fast", "--lang", "zh_CN"});
  ASSERT_EQ(en.status, 0) << en.err;
  ASSERT_EQ(zh.status, 0) << zh.err;
  EXPECT_NE(en.out.find("\nLesson\n"), std::string::npos);
  EXPECT_EQ(zh.out.find("Lesson"), std::string::npos) << zh.out;
  EXPECT_NE(zh.out.find("要点"), std::string::npos);
  EXPECT_EQ(zh.out.find("All expectations"), std::string::npos);
  EXPECT_NE(zh.out.find("本场景的所有预期均成立"), std::string::npos);
  // State causes in Chinese; the tcpdump-like segment lines stay as tcpdump prints them.
  EXPECT_NE(zh.out.find("收到 FIN"), std::string::npos) << zh.out;
  EXPECT_EQ(zh.out.find("(rcv FIN"), std::string::npos) << zh.out;
}
