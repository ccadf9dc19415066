// The state diagram tells the truth and stays legible (issue #12).
//
// For every catalogue scenario, in English and Chinese, the diagram of the
// endpoint that changed state is laid out at the cursor just after each state
// change, at the sizes the GUI and the exports use, and checked:
//  - no two texts overlap and none leaves the panel;
//  - the highlighted arrow joins the transition's two states, stands for the
//    event the trace's cause names, is drawn as an RST arrow exactly when an
//    RST was received or sent, and dashed when the state was dropped silently;
//  - the current state's name is the largest text; in lecture mode no text
//    (labels, step numbers, title) is under 24 px.
//
// The texts' boxes come from layout_state_diagram(), the function the
// painter itself draws from, not from parsing the SVG: an SVG <text> carries
// its anchor but not its extent (that needs the font's metrics again), and
// the layout's boxes are exactly what is painted, badges and timer chips
// included.
#include <gtest/gtest.h>

#include <QGuiApplication>
#include <QDir>
#include <QImage>
#include <QLineF>
#include <QPainter>
#include <cstdlib>
#include <map>
#include <memory>
#include <regex>

#include "i18n.hpp"
#include "state_diagram.hpp"
#include "tcpsim/fsm_table.hpp"
#include "tcpsim/loader.hpp"
#include "tcpsim/simulation.hpp"
#include "trace_view.hpp"

using namespace tcpsim;
using namespace tcpsim::render;

namespace {

// The application lives until the process ends: destroying it among the
// static destructors (after Qt's own) crashed the binary on exit (rc 139,
// which ctest counts as a failure).
void ensure_app() {
  if (!QCoreApplication::instance()) {
    static int argc = 1;
    static char name[] = "tcpsim_diagram_tests";
    static char* argv[] = {name, nullptr};
    qputenv("QT_QPA_PLATFORM", "offscreen");
    new QGuiApplication(argc, argv);  // never deleted, on purpose
  }
}

std::vector<std::string> catalogue() {
  std::vector<std::string> out;
  QDir d(TCPSIM_SCENARIOS);
  for (const auto& f : d.entryList({"*.yaml"}, QDir::Files, QDir::Name))
    if (f != "index.yaml") out.push_back(d.filePath(f).toStdString());
  return out;
}

std::shared_ptr<Trace> run(const std::string& path) {
  auto t = std::make_shared<Trace>();
  Scenario sc = load_scenario_file(path);
  Simulation sim(sc, *t);
  sim.run();
  return t;
}

// The test's own reading of a cause: which event of the transition table it
// names (written independently of fsm_event_of_cause: a list, longest first).
std::string named_event(const std::string& cause) {
  static const char* names[] = {"rcv SYN,ACK", "rcv ACK of SYN", "rcv ACK of FIN", "rcv SYN", "rcv FIN",
                                "rcv RST", "listen()", "connect()", "close()", "ABORT", "discard",
                                "give up", "host crashed", "2MSL timeout", "tcp_fin_timeout"};
  for (const char* n : names)
    if (cause.rfind(n, 0) == 0) return n;
  if (cause.rfind("shutdown(", 0) == 0) return "close()";
  return "";
}

struct Size {
  double w, h;
  bool presentation;
};
// The widget's minimum and preferred sizes, a tall and a wide GUI pane, the
// export's panel, and lecture-mode panes at 1024x768 and 1280x720.
const Size kSizes[] = {{200, 220, false}, {420, 460, false}, {300, 700, false}, {900, 420, false},
                       {748, 860, false}, {480, 600, true},  {620, 640, true},  {748, 860, true}};

std::string describe(const DiagramText& t) {
  return "'" + t.text.toStdString() + "' at (" + std::to_string(int(t.box.x())) + "," +
         std::to_string(int(t.box.y())) + " " + std::to_string(int(t.box.width())) + "x" +
         std::to_string(int(t.box.height())) + ")";
}

// Returns a failure description, empty when the geometry is clean.
std::string check_geometry(const DiagramGeometry& g) {
  const QRectF panel = g.target.adjusted(-0.5, -0.5, 0.5, 0.5);
  for (const auto& t : g.texts)
    if (!panel.contains(t.box)) return "outside the panel: " + describe(t);
  for (std::size_t i = 0; i < g.texts.size(); ++i)
    for (std::size_t j = i + 1; j < g.texts.size(); ++j) {
      QRectF a = g.texts[i].box.adjusted(0.5, 0.5, -0.5, -0.5);
      QRectF b = g.texts[j].box.adjusted(0.5, 0.5, -0.5, -0.5);
      if (a.intersects(b)) return "overlap: " + describe(g.texts[i]) + " and " + describe(g.texts[j]);
    }
  double cur = 0, other = 0;
  for (const auto& t : g.texts)
    (t.role == DiagramText::CurrentState ? cur : other) =
        std::max(t.role == DiagramText::CurrentState ? cur : other, t.px);
  if (cur > 0 && cur <= other)
    return "the current state's name (" + std::to_string(cur) + " px) is not the largest text (" +
           std::to_string(other) + " px)";
  return "";
}

class CatalogueDiagram : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { ensure_app(); }
};

TEST_P(CatalogueDiagram, EveryTransitionHighlightsItsTrueArrowAndNoLabelCollides) {
  auto trace = run(GetParam());
  TraceView v(trace);
  const auto& l = DiagramLayout::standard();
  ASSERT_FALSE(l.boxes.empty());
  int checked = 0;
  for (const char* lang : {"en", "zh_CN"}) {
    install_language(lang);
    // Pile-ups repeat one life many times: every socket's transitions are
    // checked at two sizes, the first sockets' at all of them.
    std::map<std::uint32_t, int> nth_socket;
    for (std::size_t idx : v.state_changes()) {
      const Event& e = v.event(idx);
      const std::size_t cursor = idx + 1;
      int& n = nth_socket.try_emplace(e.sock, int(nth_socket.size())).first->second;
      DiagramState ds = diagram_state(v, e.sock, cursor, e.t);
      ASSERT_FALSE(ds.path.empty());
      const Transition& tr = ds.path.back();
      ASSERT_EQ(tr.index, idx);
      const std::string want = named_event(tr.cause);
      ASSERT_FALSE(want.empty()) << "the cause names no event of the table: '" << tr.cause << "'";
      const bool rst = tr.cause.find("RST") != std::string::npos;
      const bool silent = want == "give up" || want == "host crashed" || want == "discard";
      for (const Size& sz : kSizes) {
        if (n >= 3 && !(sz.w == 420 || sz.w == 748)) continue;
        Theme th = sz.presentation ? presentation_theme() : default_theme();
        th.lang = lang;
        const DiagramGeometry g = layout_state_diagram(QRectF(0, 0, sz.w, sz.h), l, ds, th);
        const std::string where = GetParam() + " [" + lang + " " + std::to_string(int(sz.w)) + "x" +
                                  std::to_string(int(sz.h)) + (sz.presentation ? " lecture" : "") +
                                  "] " + state_name(tr.from) + " -> " + state_name(tr.to) + " '" +
                                  tr.cause + "'";
        ASSERT_EQ(g.highlighted_event, want) << where;
        ASSERT_EQ(g.highlighted_from, tr.from) << where;
        ASSERT_EQ(g.highlighted_to, tr.to) << where;
        ASSERT_EQ(g.highlighted_rst, rst) << where << ": drawn " << (g.highlighted_rst ? "" : "not ")
                                          << "as an RST arrow";
        if (silent) ASSERT_TRUE(g.highlighted_dashed) << where << ": a silent abort must be dashed";
        const std::string bad = check_geometry(g);
        ASSERT_EQ(bad, "") << where;
        // A projector: no text under 24 px, step numbers and the title
        // included (rounding to whole canvas units may lose half a pixel).
        if (sz.presentation)
          for (const auto& t : g.texts) ASSERT_GE(t.px, 23.5) << where << ": " << describe(t);
        ++checked;
      }
    }
  }
  install_language("en");
  EXPECT_GT(checked, 0);
}

INSTANTIATE_TEST_SUITE_P(Catalogue, CatalogueDiagram, ::testing::ValuesIn(catalogue()),
                         [](const ::testing::TestParamInfo<std::string>& i) {
                           std::string n = QFileInfo(QString::fromStdString(i.param)).baseName().toStdString();
                           for (auto& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

// Whether a text's box lies on one of the lines of the arrows not taken
// (the test's own segment test: an end inside, or a crossing of a side).
bool on_an_arrow_not_taken(const DiagramGeometry& g, const QRectF& box) {
  const QRectF r = box.adjusted(0.5, 0.5, -0.5, -0.5);
  const QLineF sides[4] = {{r.topLeft(), r.topRight()}, {r.topRight(), r.bottomRight()},
                           {r.bottomRight(), r.bottomLeft()}, {r.bottomLeft(), r.topLeft()}};
  for (const QPolygonF& ln : g.other_lines)
    for (int i = 1; i < ln.size(); ++i) {
      if (r.contains(ln[i - 1]) || r.contains(ln[i])) return true;
      for (const auto& side : sides)
        if (QLineF(ln[i - 1], ln[i]).intersects(side, nullptr) == QLineF::BoundedIntersection) return true;
    }
  return false;
}

// The latest transition's label keeps off the grey arrows, where it would
// read as one of their names: rst-on-unread-data's "rcv RST" lay on LISTEN ->
// SYN-RECEIVED and its abort on two grey lines, lost-fin-retransmission's
// give-up label on SYN-RECEIVED -> FIN-WAIT-1 (exported figures, both
// languages). Elsewhere the standard figure is too dense for it everywhere:
// a label beside a short arrow between two grey ones (CLOSED -> LISTEN)
// still lies on one (docs/gui.md).
TEST(DiagramLabels, LatestLabelKeepsOffTheGreyArrowsWhereThereIsRoom) {
  ensure_app();
  const auto& l = DiagramLayout::standard();
  struct Case {
    const char* scenario;
    const char* label;  // the socket
  };
  int checked = 0;
  for (const Case& c : {Case{"rst-on-unread-data.yaml", "client/sock"}, Case{"rst-on-unread-data.yaml", "server/conn"},
                        Case{"lost-fin-retransmission.yaml", "client/sock"}}) {
    auto trace = run(std::string(TCPSIM_SCENARIOS) + "/" + c.scenario);
    TraceView v(trace);
    std::uint32_t sock = 0;
    for (std::size_t idx : v.state_changes())
      if (v.socket_label(v.event(idx).sock) == c.label) sock = v.event(idx).sock;
    ASSERT_NE(sock, 0u) << c.scenario << " " << c.label;
    const DiagramState ds = diagram_state(v, sock, v.size(), v.event(v.size() - 1).t);
    for (const char* lang : {"en", "zh_CN"}) {
      install_language(lang);
      Theme th = default_theme();
      th.lang = lang;
      const DiagramGeometry g = layout_state_diagram(QRectF(0, 0, 748, 860), l, ds, th);
      ASSERT_FALSE(g.other_lines.empty());
      for (const auto& t : g.texts)
        if (t.role == DiagramText::LatestLabel) {
          EXPECT_FALSE(on_an_arrow_not_taken(g, t.box)) << c.scenario << " " << c.label << " [" << lang << "] "
                                                        << describe(t);
          ++checked;
        }
    }
  }
  install_language("en");
  EXPECT_EQ(checked, 6);
}

// A GUI pane at 1024x768 (about 213x490, zoomed on the current state,
// DiagramFit::focus): at every state change of every catalogue scenario, in
// both languages, none overlapping another or leaving the pane, the true
// arrow lit, both ends of the latest arrow whole with their names, and no
// text under 10 px (rounding aside) — except where even the squeezed figure
// cannot frame the latest arrow at 10 px (DiagramGeometry::reduced): the
// long FIN-WAIT-2 -> CLOSED arrows (9.3 px labels, 8 px step numbers in
// Chinese), simultaneous open's SYN-SENT -> SYN-RECEIVED (8.7 px labels,
// 8 px step numbers), the long give-up / discard labels (9.5 px); 7.5 px is
// their floor here, a known gap. Not yet checked at the 200 px minimum pane
// (192 px inside), where three long labels still overlap a box.
TEST_P(CatalogueDiagram, NarrowGuiPaneKeepsEveryText10PxAndWhole) {
  auto trace = run(GetParam());
  TraceView v(trace);
  const auto& l = DiagramLayout::standard();
  int checked = 0, cut_named = 0, cut_wide = 0, cut_wide_named = 0;
  for (const char* lang : {"en", "zh_CN"}) {
    install_language(lang);
    std::map<std::uint32_t, int> nth_socket;
    for (std::size_t idx : v.state_changes()) {
      const Event& e = v.event(idx);
      int& n = nth_socket.try_emplace(e.sock, int(nth_socket.size())).first->second;
      if (n >= 3) continue;  // pile-ups repeat one life many times
      DiagramState ds = diagram_state(v, e.sock, idx + 1, e.t);
      const Transition& tr = ds.path.back();
      Theme th = default_theme();
      th.lang = lang;
      DiagramFit fit;
      fit.focus = true;
      for (const QSizeF sz : {QSizeF(205, 485)}) {
        const DiagramGeometry g = layout_state_diagram(QRectF(QPointF(0, 0), sz), l, ds, th, fit);
        const std::string where = GetParam() + " [" + lang + " " + std::to_string(int(sz.width())) + "x" +
                                  std::to_string(int(sz.height())) + " focus] " + state_name(tr.from) + " -> " +
                                  state_name(tr.to) + " '" + tr.cause + "'";
        ASSERT_EQ(g.highlighted_event, named_event(tr.cause)) << where;
        ASSERT_EQ(check_geometry(g), "") << where;
        for (const auto& t : g.texts) ASSERT_GE(t.px, g.reduced ? 7.5 : 9.9) << where << ": " << describe(t);
        for (TcpState st : {tr.from, tr.to}) {
          bool whole = false;
          for (const auto& b : g.boxes) whole |= b.state == st && b.named && b.needed;
          ASSERT_TRUE(whole) << where << ": " << state_name(st) << " is not whole with its name";
        }
        // ... with its border: the current state's is 5 px thick, half of
        // it outside the box (a box on the canvas's edge lost a side).
        if (g.zoomed) {
          const QRectF vis(g.origin + g.view.topLeft() * g.scale, g.view.size() * g.scale);
          for (const auto& b : g.boxes)
            if (b.needed)
              ASSERT_TRUE(vis.adjusted(-0.5, -0.5, 0.5, 0.5).contains(b.r.adjusted(-2.5, -2.5, 2.5, 2.5)))
                  << where << ": the border of " << state_name(b.state) << " is cut by the frame";
        }
        // A box the frame cuts carries its own name, shortened ("ESTABLI…"),
        // inside the part of it in view: never another state's, never blank
        // where a long part of it shows.
        for (const auto& t : g.texts) {
          if (t.role != DiagramText::CutState) continue;
          ++cut_named;
          bool in_its_box = false;
          for (const auto& b : g.boxes) {
            if (b.named || !b.r.adjusted(-0.5, -0.5, 0.5, 0.5).contains(t.box)) continue;
            const QString name = QString::fromUtf8(state_rfc_name(b.state));
            QString shown = t.text;
            if (shown.endsWith(QChar(0x2026))) shown.chop(1);
            in_its_box |= !shown.isEmpty() && name.startsWith(shown);
          }
          ASSERT_TRUE(in_its_box) << where << ": '" << t.text.toStdString() << "' is not the name of the cut box under it";
        }
        for (const auto& b : g.boxes) {
          if (b.named || b.r.width() < 40) continue;
          const QRectF pane(0, 0, sz.width(), sz.height());
          if (b.r.intersected(pane).width() < 90) continue;  // room for "ESTABL…" at 10 px and more
          bool named_cut = false;
          for (const auto& t : g.texts) named_cut |= t.role == DiagramText::CutState && b.r.contains(t.box.center());
          bool under_label = false;  // a label beside the box may take the room
          for (const auto& t : g.texts) under_label |= t.role != DiagramText::CutState && t.box.intersects(b.r);
          if (!under_label) ++cut_wide, cut_wide_named += named_cut ? 1 : 0;
        }
        ++checked;
      }
    }
  }
  install_language("en");
  EXPECT_GT(checked, 0);
  // Most cut boxes with a wide part in view are named (a few lose the room
  // to a label over them, or to the view's own inset).
  EXPECT_GE(cut_wide_named * 10, cut_wide * 9) << cut_wide_named << " of " << cut_wide << " wide cut boxes named";
  std::printf("[   NOTE   ] cut boxes: %d texts, %d of %d wide cut boxes named\n", cut_named, cut_wide_named, cut_wide);
}

// A path handed to the diagram directly, as the trace would record it.
DiagramState path_state(std::vector<Transition> path) {
  DiagramState s;
  s.title = "client/sock";
  for (std::size_t i = 0; i < path.size(); ++i) path[i].index = i;
  s.current = path.back().to;
  s.path = std::move(path);
  return s;
}

class DiagramTruth : public ::testing::Test {
 protected:
  void SetUp() override {
    ensure_app();
    install_language("en");
  }
  const DiagramLayout& l = DiagramLayout::standard();
  DiagramGeometry layout(const DiagramState& s) {
    return layout_state_diagram(QRectF(0, 0, 748, 860), l, s, default_theme());
  }
  std::vector<Transition> opened() {
    return {{0, 0, TcpState::Closed, TcpState::SynSent, "connect() / snd SYN"},
            {0, 1, TcpState::SynSent, TcpState::Established, "rcv SYN,ACK / snd ACK"}};
  }
};

TEST_F(DiagramTruth, RtoGiveUpHighlightsADashedNonRstArrow) {
  auto p = opened();
  p.push_back({0, 2, TcpState::Established, TcpState::Closed, "give up: retransmissions exhausted (tcp_retries2)"});
  const auto g = layout(path_state(p));
  EXPECT_EQ(g.highlighted_event, "give up");
  EXPECT_FALSE(g.highlighted_rst);
  EXPECT_TRUE(g.highlighted_dashed);
  EXPECT_NE(g.highlighted_label.indexOf("tcp_retries2"), -1) << g.highlighted_label.toStdString();
  EXPECT_EQ(g.highlighted_label.indexOf("RST"), -1) << g.highlighted_label.toStdString();
  EXPECT_EQ(check_geometry(g), "");
}

TEST_F(DiagramTruth, HostCrashHighlightsADashedNonRstArrow) {
  auto p = opened();
  p.push_back({0, 2, TcpState::Established, TcpState::Closed, "host crashed: state lost"});
  const auto g = layout(path_state(p));
  EXPECT_EQ(g.highlighted_event, "host crashed");
  EXPECT_FALSE(g.highlighted_rst);
  EXPECT_TRUE(g.highlighted_dashed);
  EXPECT_NE(g.highlighted_label.indexOf("host crashed"), -1) << g.highlighted_label.toStdString();
  EXPECT_EQ(g.highlighted_label.indexOf("RST"), -1) << g.highlighted_label.toStdString();
  EXPECT_EQ(check_geometry(g), "");
}

TEST_F(DiagramTruth, ReceivedRstLightsTheRfcArrowAndAbortWithRstIsMarked) {
  auto p = opened();
  p.push_back({0, 2, TcpState::Established, TcpState::Closed, "rcv RST"});
  auto g = layout(path_state(p));
  EXPECT_EQ(g.highlighted_event, "rcv RST");
  EXPECT_TRUE(g.highlighted_rst);
  EXPECT_FALSE(g.highlighted_dashed);
  p.back().cause = "ABORT: close() with unread data / snd RST";
  g = layout(path_state(p));
  EXPECT_EQ(g.highlighted_event, "ABORT");
  EXPECT_TRUE(g.highlighted_rst);
  EXPECT_NE(g.highlighted_label.indexOf("snd RST"), -1) << g.highlighted_label.toStdString();
}

TEST_F(DiagramTruth, SynGiveUpIsNotTheCloseArrow) {
  std::vector<Transition> p = {{0, 0, TcpState::Closed, TcpState::SynSent, "connect() / snd SYN"},
                               {0, 1, TcpState::SynSent, TcpState::Closed,
                                "give up: SYN retries exhausted (tcp_syn_retries)"}};
  const auto g = layout(path_state(p));
  EXPECT_EQ(g.highlighted_event, "give up");
  EXPECT_NE(g.highlighted_label.indexOf("tcp_syn_retries"), -1) << g.highlighted_label.toStdString();
}

TEST_F(DiagramTruth, LectureModeTextIsAtLeast24PxAndTheCurrentStateIsLargest) {
  auto p = opened();
  for (Size sz : {Size{620, 700, true}, Size{748, 860, true}}) {
    const auto g = layout_state_diagram(QRectF(0, 0, sz.w, sz.h), l, path_state(p), presentation_theme());
    double cur = 0;
    for (const auto& t : g.texts) {
      if (t.role == DiagramText::CurrentState) cur = t.px;
      if (t.role == DiagramText::ArrowLabel || t.role == DiagramText::PathLabel ||
          t.role == DiagramText::LatestLabel || t.role == DiagramText::State)
        EXPECT_GE(t.px, 23.5) << describe(t) << " at " << sz.w << "x" << sz.h;
    }
    EXPECT_GE(cur, 28.0);
    EXPECT_EQ(check_geometry(g), "");
  }
}

// The transition table's rows that change no state (tcp_fsm.cpp's internal
// rows) are self-loops on the state they happened in, each named after its
// row and counted: rst-injection's server answers an in-window RST and a SYN
// with challenge ACKs (RFC 5961 §3.2, §4.2) and an injected segment outside
// its window with an ACK, all in ESTABLISHED, before the exact RST ends it.
TEST(DiagramLoops, RowsThatChangeNoStateAreCountedSelfLoops) {
  ensure_app();
  auto trace = run(std::string(TCPSIM_SCENARIOS) + "/rst-injection.yaml");
  TraceView v(trace);
  std::size_t closing = 0;
  for (std::size_t idx : v.state_changes())
    if (v.event(idx).to == TcpState::Closed && v.event(idx).text == "rcv RST") {
      closing = idx;
      break;
    }
  ASSERT_GT(closing, 0u);
  const Event& end = v.event(closing);
  for (const char* lang : {"en", "zh_CN"}) {
    install_language(lang);
    const DiagramState ds = diagram_state(v, end.sock, closing, end.t);
    std::map<std::string, int> loops;
    for (const auto& lp : ds.loops) {
      EXPECT_EQ(lp.state, TcpState::Established) << lp.what.toStdString();
      if (std::string(lang) == "zh_CN") EXPECT_NE(lp.what_zh, lp.what) << "untranslated: " << lp.what.toStdString();
      loops[lp.what.toStdString()] = lp.count;
    }
    EXPECT_EQ(loops, (std::map<std::string, int>{{"rcv RST / snd challenge ACK", 1},
                                                  {"rcv SYN / snd challenge ACK", 1},
                                                  {"rcv out-of-window segment / snd ACK", 1}}));
    // After the socket is gone, nothing is added: the count is what happened.
    const DiagramState after = diagram_state(v, end.sock, v.size(), v.event(v.size() - 1).t);
    EXPECT_EQ(after.loops.size(), 3u);
  }
  install_language("en");
}

}  // namespace
