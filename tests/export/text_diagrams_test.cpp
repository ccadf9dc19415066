// Mermaid, PlantUML and DOT exports: golden text for the normal close,
// the marks for lost and resent segments, escaping, and Graphviz renders
// the DOT.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tcpsim/export.hpp"
#include "tcpsim/loader.hpp"
#include "tcpsim/simulation.hpp"
#include "tools.hpp"
#include "trace_fixtures.hpp"

using namespace tcpsim;
using namespace tcpsim::testing;

namespace {

const std::string kGolden = std::string(TCPSIM_SOURCE_DIR) + "/tests/export/golden/";

// Compares with a golden file; TCPSIM_UPDATE_GOLDEN=1 rewrites it instead.
void expect_golden(const std::string& name, const std::string& text) {
  const std::string path = kGolden + name;
  if (const char* u = std::getenv("TCPSIM_UPDATE_GOLDEN"); u && std::string(u) == "1") {
    write_file(path, text);
    GTEST_SKIP() << "rewrote " << path;
  }
  const std::string want = read_file(path);
  ASSERT_FALSE(want.empty()) << "missing golden file " << path
                             << " (run with TCPSIM_UPDATE_GOLDEN=1 to create it)";
  EXPECT_EQ(text, want) << "differs from " << path
                        << "; if the change is intended, rerun with TCPSIM_UPDATE_GOLDEN=1";
}

template <class F>
std::string render(F f) {
  std::ostringstream out;
  f(out);
  return out.str();
}

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

}  // namespace

TEST(Mermaid, NormalCloseMatchesGolden) {
  expect_golden("normal-close.mmd",
                render([](std::ostream& o) { write_mermaid(normal_close_trace(), o); }));
}

TEST(PlantUml, NormalCloseMatchesGolden) {
  expect_golden("normal-close.puml",
                render([](std::ostream& o) { write_plantuml(normal_close_trace(), o); }));
}

// Chinese labels (--lang zh_CN): the words are Chinese, the technical tokens
// (flags, seq/ack/len, state names, socket labels) as in English.
TEST(Mermaid, NormalCloseInChineseMatchesGolden) {
  DiagramOptions o;
  o.lang = "zh_CN";
  expect_golden("normal-close.zh_CN.mmd",
                render([&](std::ostream& out) { write_mermaid(normal_close_trace(), out, o); }));
}

TEST(PlantUml, NormalCloseInChineseMatchesGolden) {
  DiagramOptions o;
  o.lang = "zh_CN";
  expect_golden("normal-close.zh_CN.puml",
                render([&](std::ostream& out) { write_plantuml(normal_close_trace(), out, o); }));
}

TEST(Dot, NormalCloseInChineseMatchesGolden) {
  const Trace t = normal_close_trace();
  DotOptions o;
  o.lang = "zh_CN";
  std::string err;
  o.sockets = resolve_endpoints(t, "client", &err);
  expect_golden("normal-close.client.zh_CN.dot", render([&](std::ostream& out) { write_dot(t, out, o); }));
}

TEST(Labels, ChineseKeepsTechnicalTokensAndCallNames) {
  EXPECT_EQ(localize_label("rcv FIN / snd ACK", "zh_CN"), "收到 FIN / 发送 ACK");
  EXPECT_EQ(localize_label("rcv SYN,ACK", "zh_CN"), "收到 SYN,ACK");
  EXPECT_EQ(localize_label("S seq=0 len=0 (retransmission) (lost)", "zh_CN"), "S seq=0 len=0（重传）（丢失）");
  // a call keeps its name, a word inside another word is not a phrase
  EXPECT_EQ(localize_label("send(fd=3, 100 bytes)", "zh_CN"), "send(fd=3, 100 bytes)");
  EXPECT_EQ(localize_label("sender", "zh_CN"), "sender");
  EXPECT_EQ(localize_label("rcv FIN", "en"), "rcv FIN");
  // Chinese joined without spaces, full-width punctuation after a translated
  // phrase; a file name keeps its words ("lost" in lost-final-ack.yaml).
  EXPECT_EQ(localize_label("rcv ACK of SYN", "zh_CN"), "收到对 SYN 的 ACK");
  EXPECT_EQ(localize_label("give up: retransmissions exhausted (tcp_retries2)", "zh_CN"), "放弃：重传已达上限（tcp_retries2）");
  EXPECT_EQ(localize_label("the scenario's fault rule (lost-final-ack.yaml:49)", "zh_CN"),
            "场景的故障规则（lost-final-ack.yaml:49）");
}

TEST(Mermaid, HasOneArrowPerTransmissionAndOneNotePerStateChange) {
  const Trace t = normal_close_trace();
  const std::string m = render([&](std::ostream& o) { write_mermaid(t, o); });
  EXPECT_EQ(m.rfind("sequenceDiagram\n", 0), 0u);
  EXPECT_EQ(count(m, "->>"), 9u);
  EXPECT_EQ(count(m, "Note over"), 12u);
  EXPECT_NE(m.find("client->>server: S seq=0 len=0\n"), std::string::npos);
  EXPECT_NE(m.find("server->>client: S. seq=0 ack=1 len=0\n"), std::string::npos);
  EXPECT_NE(m.find("FIN-WAIT-2 → TIME-WAIT"), std::string::npos);
}

TEST(Mermaid, LostSegmentEndsInACrossAndResendIsMarked) {
  const std::string m = render([](std::ostream& o) { write_mermaid(retransmit_rst_trace(), o); });
  EXPECT_NE(m.find("client-xserver: 49152→80 P. seq=1 ack=1 len=500 (lost)\n"), std::string::npos) << m;
  EXPECT_NE(m.find("client->>server: 49152→80 P. seq=1 ack=1 len=500 (retransmission)\n"),
            std::string::npos);
  EXPECT_NE(m.find("client->>server: 49152→80 R. seq=501 ack=51 len=0\n"), std::string::npos);
}

TEST(PlantUml, LostSegmentIsALostMessage) {
  const std::string p = render([](std::ostream& o) { write_plantuml(retransmit_rst_trace(), o); });
  EXPECT_EQ(p.rfind("@startuml\n", 0), 0u);
  EXPECT_NE(p.find("client ->x server : 49152→80 P. seq=1 ack=1 len=500 (lost)\n"), std::string::npos);
  EXPECT_EQ(p.substr(p.size() - 8), "@enduml\n");
}

TEST(Mermaid, EscapesCharactersItsLexerStopsAt) {
  TraceBuilder b("escape; #test");
  const auto h = b.host("web-1", "10.0.0.1");
  const auto s = b.socket(h, "server/conn#2");
  b.state(0, s, TcpState::Closed, TcpState::Listen, "listen; backlog 5");
  const Trace t = b.finish();
  const std::string m = render([&](std::ostream& o) { write_mermaid(t, o); });
  EXPECT_NE(m.find("title escape#59; #35;test"), std::string::npos) << m;
  EXPECT_NE(m.find("participant web_1 as web-1<br/>10.0.0.1"), std::string::npos) << m;
  EXPECT_NE(m.find("server/conn#35;2: CLOSED → LISTEN (listen#59; backlog 5)"), std::string::npos) << m;
  const std::string p = render([&](std::ostream& o) { write_plantuml(t, o); });
  EXPECT_NE(p.find("participant \"web-1\\n10.0.0.1\" as web_1"), std::string::npos) << p;
}

TEST(Mermaid, TimeWindowKeepsOnlyItsEvents) {
  DiagramOptions o;
  o.window = {msec(100), msec(200)};
  const std::string m = render([&](std::ostream& out) { write_mermaid(normal_close_trace(), out, o); });
  EXPECT_EQ(count(m, "->>"), 4u);  // F. . F. .
  EXPECT_EQ(m.find("S seq=0"), std::string::npos);
  // Relative numbers still count from the SYNs before the window.
  EXPECT_NE(m.find("client->>server: F. seq=101 ack=1 len=0"), std::string::npos) << m;
}

TEST(ResolveEndpoints, FindsClientServerLabelsAndProcesses) {
  const Trace t = normal_close_trace();
  std::string err;
  EXPECT_EQ(resolve_endpoints(t, "client", &err), std::vector<std::uint32_t>{2});
  EXPECT_EQ(resolve_endpoints(t, "server", &err), std::vector<std::uint32_t>{3});
  EXPECT_EQ(resolve_endpoints(t, "both", &err), (std::vector<std::uint32_t>{2, 3}));
  EXPECT_EQ(resolve_endpoints(t, "server/lsock", &err), std::vector<std::uint32_t>{1});
  EXPECT_EQ(resolve_endpoints(t, "server/conn#1", &err), std::vector<std::uint32_t>{3});
  EXPECT_TRUE(resolve_endpoints(t, "nobody", &err).empty());
  EXPECT_NE(err.find("'nobody'"), std::string::npos);
  EXPECT_NE(err.find("client/sock"), std::string::npos) << err;
}

TEST(Dot, HighlightsThePathInOrder) {
  const Trace t = normal_close_trace();
  DotOptions o;
  std::string err;
  o.sockets = resolve_endpoints(t, "client", &err);
  const std::string d = render([&](std::ostream& out) { write_dot(t, out, o); });
  // All eleven states.
  for (int i = 0; i < kNumTcpStates; ++i)
    EXPECT_NE(d.find(std::string("  ") + state_name(static_cast<TcpState>(i)) + " [label=\"" +
                     state_rfc_name(static_cast<TcpState>(i)) + "\""),
              std::string::npos)
        << state_name(static_cast<TcpState>(i));
  EXPECT_NE(d.find("CLOSED -> SYN_SENT [label=\"active OPEN\\ncreate TCB / snd SYN\\n(1)\""), std::string::npos) << d;
  EXPECT_NE(d.find("SYN_SENT -> ESTABLISHED [label=\"rcv SYN,ACK\\nsnd ACK\\n(2)\""), std::string::npos);
  EXPECT_NE(d.find("FIN_WAIT_2 -> TIME_WAIT [label=\"rcv FIN\\nsnd ACK\\n(5)\""), std::string::npos);
  EXPECT_NE(d.find("TIME_WAIT -> CLOSED [label=\"timeout = 2MSL\\ndelete TCB\\n(6)\""), std::string::npos);
  EXPECT_EQ(count(d, "penwidth=2.5"), 6u);  // six transitions, each edge once
}

TEST(Dot, TransitionsOutsideTheFigureAreDashedWithTheirCause) {
  const Trace t = retransmit_rst_trace();
  DotOptions o;
  std::string err;
  o.sockets = resolve_endpoints(t, "both", &err);
  const std::string d = render([&](std::ostream& out) { write_dot(t, out, o); });
  EXPECT_NE(d.find("s1_ESTABLISHED -> s1_CLOSED [label=\"close with 50 unread bytes: RST\\n(3)\""),
            std::string::npos) << d;
  EXPECT_NE(d.find("s2_ESTABLISHED -> s2_CLOSED [label=\"rcv RST\\n(3)\""), std::string::npos);
  EXPECT_EQ(count(d, "style=dashed"), 2u);
  EXPECT_EQ(count(d, "subgraph cluster_"), 2u);
}

// A transition between two states the figure joins, taken by another event
// than the figure's (an RST in TIME-WAIT is not "timeout = 2MSL"), gets a
// dashed edge of its own with the traced cause, guard included; and two
// such events between the same states get one edge each.
TEST(Dot, AnRstInTimeWaitIsNotDrawnOnTheTwoMslEdge) {
  Scenario sc = load_scenario_file(std::string(TCPSIM_SOURCE_DIR) + "/scenarios/rst-in-time-wait.yaml");
  Trace t;
  Simulation sim(sc, t);
  sim.run();
  DotOptions o;
  std::string err;
  o.sockets = resolve_endpoints(t, "client", &err);
  ASSERT_FALSE(o.sockets.empty()) << err;
  const std::string d = render([&](std::ostream& out) { write_dot(t, out, o); });
  EXPECT_NE(d.find("TIME_WAIT -> CLOSED [label=\"timeout = 2MSL\\ndelete TCB\"];"), std::string::npos) << d;
  EXPECT_NE(d.find("TIME_WAIT -> CLOSED [label=\"rcv RST (TIME-WAIT assassination) [tcp_rfc1337=0]\\n(6)\""),
            std::string::npos)
      << d;
  EXPECT_EQ(count(d, "style=dashed"), 1u);
}

// The rows that change no state are dashed self-loops with their count, in
// the socket's colour: rst-injection's server answers an in-window RST and a
// SYN with challenge ACKs (RFC 5961) and an injected segment outside its
// window with an ACK, all in ESTABLISHED. Graphviz draws it, in Chinese too.
TEST(Dot, RowsThatChangeNoStateAreSelfLoopsWithTheirCount) {
  Scenario sc = load_scenario_file(std::string(TCPSIM_SOURCE_DIR) + "/scenarios/rst-injection.yaml");
  Trace t;
  Simulation sim(sc, t);
  sim.run();
  const std::string dir = temp_dir("dot-loops");
  for (const std::string lang : {"en", "zh_CN"}) {
    SCOPED_TRACE(lang);
    DotOptions o;
    o.lang = lang;
    std::string err;
    o.sockets = resolve_endpoints(t, "server", &err);
    ASSERT_FALSE(o.sockets.empty()) << err;
    const std::string d = render([&](std::ostream& out) { write_dot(t, out, o); });
    const bool zh = lang == "zh_CN";
    for (const char* loop : {"rcv RST / snd challenge ACK", "rcv SYN / snd challenge ACK",
                             "rcv out-of-window segment / snd ACK"}) {
      const std::string label = zh ? localize_label(loop, lang) : loop;
      if (zh) EXPECT_EQ(label.find("rcv"), std::string::npos) << "untranslated: " << label;
      EXPECT_NE(d.find(label + " ×1"), std::string::npos) << label << "\n" << d;
    }
    // One loop, a line per row (Graphviz would lay three loops' labels over
    // each other), in the order they happened.
    EXPECT_EQ(count(d, "ESTABLISHED -> ESTABLISHED"), 1u);
    const std::string rst = zh ? localize_label("rcv RST / snd challenge ACK", lang) : "rcv RST / snd challenge ACK";
    const std::string syn = zh ? localize_label("rcv SYN / snd challenge ACK", lang) : "rcv SYN / snd challenge ACK";
    EXPECT_NE(d.find("ESTABLISHED -> ESTABLISHED [label=\"" + rst + " ×1\\n" + syn + " ×1\\n"), std::string::npos)
        << d;
    // The client took none of these rows: its export has no loop.
    DotOptions c = o;
    c.sockets = resolve_endpoints(t, "client", &err);
    EXPECT_EQ(count(render([&](std::ostream& out) { write_dot(t, out, c); }), "ESTABLISHED -> ESTABLISHED"), 0u);
    if (!have_tool("dot")) continue;
    const std::string path = dir + "/server-" + lang + ".dot";
    write_file(path, d);
    RunResult r = run_tool({"dot", "-Tsvg", "-o", path + ".svg", path});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");
    const std::string svg = read_file(path + ".svg");
    EXPECT_NE(svg.find(zh ? "挑战" : "challenge ACK ×1"), std::string::npos);
  }
}

class WithRealTools : public ::testing::TestWithParam<std::string> {};

TEST_P(WithRealTools, GraphvizRendersTheDotToSvgThatParses) {
  if (!have_tool("dot")) GTEST_SKIP() << "Graphviz is not installed (apt-get install graphviz)";
  const Trace t = GetParam() == "normal-close" ? normal_close_trace() : retransmit_rst_trace();
  const std::string dir = temp_dir("dot");
  for (const std::string which : {"", "client", "server", "both"}) {
    SCOPED_TRACE(which.empty() ? "bare" : which);
    DotOptions o;
    std::string err;
    if (!which.empty()) o.sockets = resolve_endpoints(t, which, &err);
    const std::string path = dir + "/states" + which + ".dot";
    {
      std::ofstream f(path);
      write_dot(t, f, o);
    }
    RunResult r = run_tool({"dot", "-Tsvg", "-o", path + ".svg", path});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");  // no Graphviz warnings either
    const std::string svg = read_file(path + ".svg");
    EXPECT_NE(svg.find("<svg"), std::string::npos);
    EXPECT_NE(svg.find("FIN&#45;WAIT&#45;2"), std::string::npos);
    if (have_tool("xmllint")) {
      RunResult x = run_tool({"xmllint", "--noout", path + ".svg"});
      EXPECT_EQ(x.status, 0) << x.err;
    }
  }
}
INSTANTIATE_TEST_SUITE_P(Traces, WithRealTools, ::testing::Values("normal-close", "retransmit-rst"),
                         [](const auto& info) { return info.param == "normal-close" ? "NormalClose" : "RetransmitRst"; });

// PlantUML itself (Debian's plantuml package) parses and draws the export.
TEST_P(WithRealTools, PlantUmlRendersTheSequenceDiagram) {
  if (!have_tool("plantuml")) GTEST_SKIP() << "plantuml is not installed (apt-get install plantuml)";
  const Trace t = GetParam() == "normal-close" ? normal_close_trace() : retransmit_rst_trace();
  const std::string dir = temp_dir("puml");
  const std::string path = dir + "/seq.puml";
  {
    std::ofstream f(path);
    write_plantuml(t, f);
  }
  {
    DiagramOptions zh;
    zh.lang = "zh_CN";
    std::ofstream f(dir + "/seq-zh.puml");
    write_plantuml(t, f, zh);
  }
  RunResult r = run_tool({"plantuml", "-tsvg", "-failfast2", "-nbthread", "1", path, dir + "/seq-zh.puml"});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  const std::string svg = read_file(dir + "/seq.svg");
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_EQ(svg.find("Syntax Error"), std::string::npos);
  EXPECT_NE(svg.find("seq=0 ack=1 len=0"), std::string::npos);
  const std::string zh = read_file(dir + "/seq-zh.svg");
  EXPECT_EQ(zh.find("Syntax Error"), std::string::npos);
  EXPECT_NE(zh.find("收到"), std::string::npos);
}
