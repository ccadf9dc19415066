// `tcpsim export` as users run it: option errors exit 2 naming the option
// and never touch existing files; every catalogue scenario exports a pcap
// that tshark reads in agreement with the same run's JSONL trace; graphic
// exports (when built with Qt) open in their real tools.
#include <gtest/gtest.h>

#include <filesystem>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <sstream>

#include "tcpsim/export.hpp"
#include "tools.hpp"

using namespace tcpsim;
using namespace tcpsim::testing;

namespace {

const std::string kExe = TCPSIM_EXE;
const std::string kScenarios = TCPSIM_SCENARIOS;
const std::string kNormalClose = kScenarios + "/normal-close.yaml";

RunResult run_tcpsim(std::vector<std::string> args) {
  args.insert(args.begin(), kExe);
  return run_tool(args);
}

// Top-level "key": value pairs of one JSON object (values raw; strings unquoted).
std::map<std::string, std::string> json_fields(const std::string& line) {
  std::map<std::string, std::string> f;
  std::size_t i = 0;
  int depth = 0;
  auto read_string = [&](std::size_t& k) {
    std::string s;
    for (++k; k < line.size() && line[k] != '"'; ++k) {
      if (line[k] == '\\' && k + 1 < line.size()) ++k;
      s += line[k];
    }
    ++k;
    return s;
  };
  while (i < line.size()) {
    const char c = line[i];
    if (c == '{' || c == '[') {
      ++depth;
      ++i;
    } else if (c == '}' || c == ']') {
      --depth;
      ++i;
    } else if (c == '"' && depth == 1) {
      std::string key = read_string(i);
      if (i < line.size() && line[i] == ':') {
        ++i;
        if (line[i] == '"') {
          f[key] = read_string(i);
        } else if (line[i] == '{' || line[i] == '[') {
          f[key] = "<nested>";
        } else {
          std::size_t e = line.find_first_of(",}", i);
          f[key] = line.substr(i, e - i);
          i = e;
        }
      }
    } else if (c == '"') {
      read_string(i);
    } else {
      ++i;
    }
  }
  return f;
}

const std::string kOwnScenarios = std::string(TCPSIM_SOURCE_DIR) + "/tests/export/scenarios";

// Every catalogue scenario, plus this folder's own (which make sure that
// lost segments, retransmissions and RSTs are covered whatever the
// catalogue holds).
std::vector<std::string> catalogue() {
  auto v = scenario_files(kScenarios);
  for (const auto& f : scenario_files(kOwnScenarios)) v.push_back(f);
  return v;
}

std::string stem(const std::string& path) {
  auto slash = path.rfind('/');
  std::string n = path.substr(slash == std::string::npos ? 0 : slash + 1);
  return n.substr(0, n.size() - 5);
}

class ExportCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!file_exists(kExe)) GTEST_SKIP() << "the tcpsim program was not built (" << kExe << ")";
    dir_ = temp_dir("cli");
  }
  void expect_bad_option(const RunResult& r, const std::string& option) {
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find(option), std::string::npos) << "stderr does not name " << option << ": " << r.err;
  }
  std::string dir_;
};

}  // namespace

TEST_F(ExportCli, UnknownExtensionIsAnErrorNamingTheOption) {
  expect_bad_option(run_tcpsim({"export", kNormalClose, "--pcap", dir_ + "/x.pcapng"}), "--pcap");
  expect_bad_option(run_tcpsim({"export", kNormalClose, "--mermaid", dir_ + "/x.svg"}), "--mermaid");
  expect_bad_option(run_tcpsim({"export", kNormalClose, "--dot", dir_ + "/x"}), "--dot");
  expect_bad_option(run_tcpsim({"export", kNormalClose, "--ladder", dir_ + "/x.gif"}), "--ladder");
  expect_bad_option(run_tcpsim({"export", kNormalClose, "--diagram", "client:" + dir_ + "/x.jpg"}), "--diagram");
  expect_bad_option(run_tcpsim({"export", kNormalClose, "--diagram", dir_ + "/x.svg"}), "--diagram");
  expect_bad_option(run_tcpsim({"export", kNormalClose, "--chart", "pie:" + dir_ + "/x.svg"}), "--chart");
  EXPECT_FALSE(file_exists(dir_ + "/x.pcapng"));
}

TEST_F(ExportCli, ExistingFileIsKeptWithoutForce) {
  const std::string out = dir_ + "/seq.mmd";
  write_file(out, "my notes");
  auto r = run_tcpsim({"export", kNormalClose, "--mermaid", out});
  expect_bad_option(r, "--mermaid");
  EXPECT_NE(r.err.find("--force"), std::string::npos);
  EXPECT_EQ(read_file(out), "my notes");
  if (!file_exists(kNormalClose)) GTEST_SKIP() << "no " << kNormalClose << " to export with --force";
  r = run_tcpsim({"export", kNormalClose, "--mermaid", out, "--force"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(read_file(out).rfind("sequenceDiagram\n", 0), 0u);
  // No temporary files are left beside it.
  int files = 0;
  if (DIR* d = ::opendir(dir_.c_str())) {
    while (dirent* e = ::readdir(d)) files += e->d_name[0] != '.';
    ::closedir(d);
  }
  EXPECT_EQ(files, 1);
}

TEST_F(ExportCli, BadTimeWindowsAreErrorsNamingTheOption) {
  const std::string out = dir_ + "/x.pcap";
  expect_bad_option(run_tcpsim({"export", kNormalClose, "--pcap", out, "--from", "2s", "--to", "1s"}), "--from");
  expect_bad_option(run_tcpsim({"export", kNormalClose, "--pcap", out, "--from", "-1s"}), "--from");
  expect_bad_option(run_tcpsim({"export", kNormalClose, "--pcap", out, "--to", "soon"}), "--to");
  expect_bad_option(run_tcpsim({"export", kNormalClose, "--pcap", out, "--to", "5parsecs"}), "--to");
  EXPECT_FALSE(file_exists(out));
}

TEST_F(ExportCli, UnwritablePathsAndOtherBadValuesAreErrors) {
  expect_bad_option(run_tcpsim({"export", kNormalClose, "--pcap", "/nonexistent-tcpsim-dir/x.pcap"}), "--pcap");
  expect_bad_option(run_tcpsim({"export", kNormalClose, "--csv", dir_}), "--csv");  // a folder
  expect_bad_option(run_tcpsim({"export", kNormalClose, "--pcap", dir_ + "/a.pcap", "--size", "big"}), "--size");
  expect_bad_option(run_tcpsim({"export", kNormalClose, "--pcap", dir_ + "/a.pcap", "--page", "A5"}), "--page");
  expect_bad_option(run_tcpsim({"export", kNormalClose, "--pcap", dir_ + "/a.pcap", "--lang", "fr"}), "--lang");
  expect_bad_option(run_tcpsim({"export", kNormalClose, "--pcap", dir_ + "/a.pcap", "--csv", dir_ + "/a.pcap"}), "--csv");
  auto r = run_tcpsim({"export", kNormalClose});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("nothing to export"), std::string::npos) << r.err;
}

TEST_F(ExportCli, BadScenarioFileIsReportedWithItsLocation) {
  const std::string bad = dir_ + "/bad.yaml";
  write_file(bad, "title: x\nhosts: [\n");
  auto r = run_tcpsim({"export", bad, "--pcap", dir_ + "/x.pcap"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(bad + ":"), std::string::npos) << r.err;
  EXPECT_FALSE(file_exists(dir_ + "/x.pcap"));
}

TEST_F(ExportCli, UnknownEndpointForDotIsAnError) {
  if (!file_exists(kNormalClose)) GTEST_SKIP() << "no " << kNormalClose;
  auto r = run_tcpsim({"export", kNormalClose, "--dot", "nobody:" + dir_ + "/x.dot"});
  expect_bad_option(r, "--dot");
  EXPECT_NE(r.err.find("nobody"), std::string::npos);
}

#ifndef TCPSIM_TEST_HAVE_RENDER
TEST_F(ExportCli, GraphicExportsSayTheyNeedTheQtBuild) {
  auto r = run_tcpsim({"export", kNormalClose, "--ladder", dir_ + "/l.svg"});
  expect_bad_option(r, "--ladder");
  EXPECT_NE(r.err.find("graphic exports need the Qt build"), std::string::npos) << r.err;
}
#endif

// ---- every catalogue scenario: pcap vs the same run's trace, in tshark ----

class CatalogueExport : public ::testing::TestWithParam<std::string> {};

TEST_P(CatalogueExport, PcapAgreesWithTheTraceInTshark) {
  if (!file_exists(kExe)) GTEST_SKIP() << "the tcpsim program was not built (" << kExe << ")";
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark is not installed (apt-get install tshark)";
  const std::string file = GetParam(), name = stem(file);
  const std::string dir = temp_dir("cat");
  const std::string pcap = dir + "/" + name + ".pcap", jsonl = dir + "/" + name + ".jsonl";
  // Captured at every sender: one packet per transmission of the trace.
  auto r = run_tcpsim({"export", file, "--pcap", pcap, "--capture-at", "senders", "--jsonl", jsonl,
                   "--mermaid", dir + "/s.mmd", "--plantuml", dir + "/s.puml", "--dot", dir + "/s.dot",
                   "--csv", dir + "/s.csv"});
  ASSERT_EQ(r.status, 0) << r.err;

  // The trace's own transmissions, from the same run.
  struct Sent {
    Segment seg;
    bool retrans;
    double t;
    bool injected;  // `inject:`: a crafted segment no TCP sent
  };
  std::vector<Sent> sent;
  std::istringstream in(read_file(jsonl));
  std::string line;
  while (std::getline(in, line)) {
    auto f = json_fields(line);
    if (f["kind"] != "segment" || f["event"] != "send") continue;
    Sent s;
    auto ep = [](const std::string& v, std::uint32_t& ip, std::uint16_t& port) {
      auto c = v.rfind(':');
      ip = *parse_ip(v.substr(0, c));
      port = static_cast<std::uint16_t>(std::stoul(v.substr(c + 1)));
    };
    ep(f["src"], s.seg.src_ip, s.seg.sport);
    ep(f["dst"], s.seg.dst_ip, s.seg.dport);
    s.seg.flags = *parse_flags(f["flags"]);
    s.seg.seq = static_cast<std::uint32_t>(std::stoull(f["seq"]));
    s.seg.ack = static_cast<std::uint32_t>(std::stoull(f["ack"]));
    s.seg.len = static_cast<std::uint32_t>(std::stoull(f["len"]));
    s.retrans = f["retrans"] == "true";
    s.t = std::stod(f["t"]);
    s.injected = f["reason"].rfind("injected", 0) == 0;
    sent.push_back(s);
  }
  if (sent.size() > 20000) GTEST_SKIP() << name << ": " << sent.size() << " segments, too many to dissect here";

  std::string err;
  auto got = tshark_read(pcap, &err);
  ASSERT_EQ(err, "");
  ASSERT_EQ(got.size(), sent.size());
  RelativeSeq rel;
  for (std::size_t i = 0; i < sent.size(); ++i) {
    const Segment& s = sent[i].seg;
    SCOPED_TRACE(name + " packet " + std::to_string(i + 1) + " " + flags_string(s.flags));
    const auto rs = rel.add(s);
    EXPECT_EQ(got[i].flags, s.flags);
    EXPECT_EQ(got[i].src, endpoint_string(s.src_ip, s.sport));
    EXPECT_EQ(got[i].seq_raw, s.seq);
    EXPECT_EQ(got[i].seq, rs.seq);
    if (s.has(kAck)) {
      EXPECT_EQ(got[i].ack_raw, s.ack);
      EXPECT_EQ(got[i].ack, rs.ack);
    }
    EXPECT_EQ(got[i].len, s.len);
    // Known disagreement, reported to the core: in a simultaneous open the
    // SYN-ACK re-sends the side's own ISN, which Wireshark marks as a
    // retransmission and tcpsim's trace does not.
    const bool simultaneous_synack = s.flags == (kSyn | kAck) && rs.seq == 0 && got[i].retransmission &&
                                     !sent[i].retrans && [&] {
                                       for (std::size_t k = 0; k < i; ++k)
                                         if (sent[k].seg.flags == kSyn && sent[k].seg.src_ip == s.src_ip &&
                                             sent[k].seg.sport == s.sport && sent[k].seg.seq == s.seq)
                                           return true;
                                       return false;
                                     }();
    // A crafted segment (`inject:`) that repeats sent data is a
    // retransmission to Wireshark, and one that claims sequence space
    // ahead (a blind SYN or RST) moves Wireshark's idea of the next
    // sequence number, so the sender's later real segments look like
    // retransmissions too: its sequence analysis is fooled as a real
    // capture's would be. The trace marks what TCP retransmitted.
    const bool after_injection = [&] {
      for (std::size_t k = 0; k <= i; ++k)
        if (sent[k].injected && sent[k].seg.src_ip == s.src_ip && sent[k].seg.sport == s.sport) return true;
      return false;
    }();
    if (!simultaneous_synack && !(after_injection && got[i].retransmission && !sent[i].retrans)) {
      EXPECT_EQ(got[i].retransmission, sent[i].retrans);
    }
    EXPECT_TRUE(got[i].ip_checksum_good);
    EXPECT_TRUE(got[i].tcp_checksum_good);
    EXPECT_NEAR(got[i].time, sent[i].t, 1e-6);
    // A retransmitted data segment overlaps the data of the original (which
    // the capture holds, dropped or not): Wireshark's reassembly says so.
    for (const auto& w : got[i].warnings)
      EXPECT_TRUE(expected_warning(w) || (sent[i].retrans && w == "New fragment overlaps old data (retransmission?)"))
          << "tshark warning: " << w;
  }
  if (have_tool("dot")) {
    RunResult d = run_tool({"dot", "-Tsvg", "-o", dir + "/s.svg", dir + "/s.dot"});
    EXPECT_EQ(d.status, 0) << d.err;
    EXPECT_EQ(d.err, "");
  }
  EXPECT_EQ(read_file(dir + "/s.csv").rfind("t,host,LISTEN,", 0), 0u);
  EXPECT_EQ(read_file(dir + "/s.mmd").rfind("sequenceDiagram\n", 0), 0u);
}

INSTANTIATE_TEST_SUITE_P(Scenarios, CatalogueExport, ::testing::ValuesIn(catalogue()),
                         [](const auto& info) {
                           std::string n = info.param.rfind(kOwnScenarios, 0) == 0 ? "export_" : "";
                           for (char c : stem(info.param)) n += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return n;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CatalogueExport);

// The end-to-end comparison covers lost segments, retransmissions (data,
// SYN, FIN) and RSTs (abort, refused connection) in real runs.
TEST(CatalogueExportCoverage, IncludesRstsRetransmissionsAndLostSegments) {
  if (!file_exists(kExe)) GTEST_SKIP() << "the tcpsim program was not built (" << kExe << ")";
  bool rst = false, refused = false, retrans = false, syn_retrans = false, fin_retrans = false, drop = false;
  const std::string dir = temp_dir("cov");
  for (const auto& file : scenario_files(kOwnScenarios)) {
    const std::string out = dir + "/" + stem(file) + ".jsonl";
    ASSERT_EQ(run_tcpsim({"export", file, "--jsonl", out}).status, 0) << file;
    std::istringstream in(read_file(out));
    std::string line;
    while (std::getline(in, line)) {
      auto f = json_fields(line);
      if (f["kind"] != "segment") continue;
      drop |= f["event"] == "drop";
      if (f["event"] != "send") continue;
      rst |= f["flags"] == "R." || f["flags"] == "R";
      refused |= f["flags"].rfind("R", 0) == 0 && f["seq"] == "0";
      const bool re = f["retrans"] == "true";
      retrans |= re && f["len"] != "0";
      syn_retrans |= re && f["flags"] == "S";
      fin_retrans |= re && f["flags"].find('F') != std::string::npos;
    }
  }
  EXPECT_TRUE(rst) << "no RST";
  EXPECT_TRUE(refused) << "no RST answering a SYN to a closed port";
  EXPECT_TRUE(retrans) << "no data retransmission";
  EXPECT_TRUE(syn_retrans) << "no SYN retransmission";
  EXPECT_TRUE(fin_retrans) << "no FIN retransmission";
  EXPECT_TRUE(drop) << "no dropped segment";
}

// ---- graphic exports, opened with their real tools ----

class GraphicExport : public ExportCli {
 protected:
  void SetUp() override {
#ifndef TCPSIM_TEST_HAVE_RENDER
    GTEST_SKIP() << "built without the Qt render library (TCPSIM_BUILD_GUI=OFF or Qt missing)";
#endif
    ExportCli::SetUp();
    if (IsSkipped()) return;
    if (!file_exists(kNormalClose)) GTEST_SKIP() << "no " << kNormalClose;
    // No display: the program must switch to the offscreen platform itself.
    ::unsetenv("DISPLAY");
    ::unsetenv("WAYLAND_DISPLAY");
    ::unsetenv("QT_QPA_PLATFORM");
  }
  void expect_svg_ok(const std::string& svg) {
    ASSERT_TRUE(file_exists(svg));
    if (have_tool("xmllint")) {
      RunResult x = run_tool({"xmllint", "--noout", svg});
      EXPECT_EQ(x.status, 0) << x.err;
    }
    if (!have_tool("rsvg-convert")) GTEST_SKIP() << "rsvg-convert is not installed (librsvg2-bin)";
    RunResult c = run_tool({"rsvg-convert", "-b", "white", "-o", svg + ".png", svg});
    ASSERT_EQ(c.status, 0) << c.err;
    if (have_tool("identify")) {
      EXPECT_GT(image_colours(svg + ".png"), 1) << "blank rendering of " << svg;
    }
  }
  void expect_pdf_ok(const std::string& pdf) {
    ASSERT_TRUE(file_exists(pdf));
    if (!have_tool("pdfinfo")) GTEST_SKIP() << "pdfinfo is not installed (poppler-utils)";
    RunResult i = run_tool({"pdfinfo", pdf});
    ASSERT_EQ(i.status, 0) << i.err;
    EXPECT_NE(i.out.find("Pages:"), std::string::npos);
    RunResult p = run_tool({"pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", pdf, pdf + "-page"});
    ASSERT_EQ(p.status, 0) << p.err;
    std::string page;
    for (const char* suffix : {"-1.png", "-01.png", "-001.png"})
      if (file_exists(pdf + "-page" + suffix)) page = pdf + "-page" + suffix;
    ASSERT_FALSE(page.empty());
    if (have_tool("identify")) {
      EXPECT_GT(image_colours(page), 1) << "blank first page of " << pdf;
    }
  }
  void expect_png_ok(const std::string& png, int w, int h) {
    ASSERT_TRUE(file_exists(png));
    if (!have_tool("identify")) GTEST_SKIP() << "identify is not installed (imagemagick)";
    RunResult r = run_tool({"identify", "-format", "%w %h", png});
    ASSERT_EQ(r.status, 0) << r.err;
    if (w > 0) {
      EXPECT_EQ(r.out, std::to_string(w) + " " + std::to_string(h));
    }
    EXPECT_GT(image_colours(png), 1) << "blank " << png;
  }
};

TEST_F(GraphicExport, LadderAsSvgPdfAndPng) {
  auto r = run_tcpsim({"export", kNormalClose, "--ladder", dir_ + "/ladder.svg"});
  ASSERT_EQ(r.status, 0) << r.err;
  expect_svg_ok(dir_ + "/ladder.svg");
  r = run_tcpsim({"export", kNormalClose, "--ladder", dir_ + "/ladder.pdf", "--page", "A4"});
  ASSERT_EQ(r.status, 0) << r.err;
  expect_pdf_ok(dir_ + "/ladder.pdf");
  r = run_tcpsim({"export", kNormalClose, "--ladder", dir_ + "/ladder.png", "--size", "1200x700"});
  ASSERT_EQ(r.status, 0) << r.err;
  expect_png_ok(dir_ + "/ladder.png", 1200, 700);
}

// A long ladder squeezed into a small --size would have text a pixel high:
// refused with what to do instead, and no file written; a window of the
// same run fits.
TEST_F(GraphicExport, LadderTooLongForItsSizeIsRefusedNotShrunkIllegible) {
  const std::string png = dir_ + "/long.png";
  auto r = run_tcpsim({"export", kScenarios + "/loopback-tw-reuse.yaml", "--ladder", png, "--size", "1024x768"});
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("--size 1024x768 would shrink this drawing"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--from/--to"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(png));
  r = run_tcpsim({"export", kScenarios + "/loopback-tw-reuse.yaml", "--ladder", png, "--size", "1024x768", "--from",
                  "2.9s", "--to", "3.1s"});
  ASSERT_EQ(r.status, 0) << r.err;
  expect_png_ok(png, 1024, 768);
}

TEST_F(GraphicExport, StateDiagramsOfEachSideAndBoth) {
  auto r = run_tcpsim({"export", kNormalClose, "--diagram", "client:" + dir_ + "/client.svg", "--diagram",
                   "server:" + dir_ + "/server.pdf", "--diagram", "both:" + dir_ + "/both.png",
                   "--size", "1600x900"});
  ASSERT_EQ(r.status, 0) << r.err;
  expect_svg_ok(dir_ + "/client.svg");
  expect_pdf_ok(dir_ + "/server.pdf");
  expect_png_ok(dir_ + "/both.png", 1600, 900);
}

TEST_F(GraphicExport, ChartsAndChineseLabels) {
  auto r = run_tcpsim({"export", kNormalClose, "--chart", "states:" + dir_ + "/states.svg", "--chart",
                   "seq:" + dir_ + "/seq.png", "--chart", "endpoint:" + dir_ + "/endpoint.pdf",
                   "--size", "800x500", "--lang", "zh_CN"});
  ASSERT_EQ(r.status, 0) << r.err;
  expect_svg_ok(dir_ + "/states.svg");
  expect_png_ok(dir_ + "/seq.png", 800, 500);
  expect_pdf_ok(dir_ + "/endpoint.pdf");
}

TEST_F(GraphicExport, FramesAreNumberedPngs) {
  auto r = run_tcpsim({"export", kNormalClose, "--frames", dir_ + "/frames", "--size", "640x360"});
  ASSERT_EQ(r.status, 0) << r.err;
  expect_png_ok(dir_ + "/frames/frame-0001.png", 640, 360);
  EXPECT_TRUE(file_exists(dir_ + "/frames/frame-0002.png"));
  // A second export into the same folder needs --force.
  r = run_tcpsim({"export", kNormalClose, "--frames", dir_ + "/frames"});
  expect_bad_option(r, "--frames");
}
