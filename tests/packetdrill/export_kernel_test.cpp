// The packetdrill scripts on the REAL Linux kernel (issue #16 point 4,
// kernel/pkt_player.hpp): every tests/packetdrill/*.pkt must pass there as
// it passes in the model; every mismatch/*.pkt (a deliberately wrong
// expectation) must fail there too, so a pass means something; scripts
// exported from the catalogue with --packetdrill-for-kernel that the kernel
// is known to agree with pass. Needs root, network namespaces and
// /dev/net/tun; otherwise each test is skipped with the reason (ctest shows
// it as skipped, not passed).
#include <gtest/gtest.h>

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "lab.hpp"
#include "pkt_player.hpp"
#include "tcpsim/loader.hpp"
#include "tcpsim/packetdrill.hpp"
#include "tcpsim/packetdrill_writer.hpp"
#include "tcpsim/simulation.hpp"

using namespace tcpsim;
using namespace tcpsim::kernel;

namespace {

std::vector<std::string> pkt_files(const std::string& dir) {
  std::vector<std::string> files;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n.size() > 4 && n.compare(n.size() - 4, 4, ".pkt") == 0) files.push_back(n);
    }
    closedir(d);
  }
  std::sort(files.begin(), files.end());
  return files;
}

const std::string& unavailable() {
  static const std::string why = pkt_kernel_unavailable_reason();
  return why;
}

std::string test_name(const ::testing::TestParamInfo<std::string>& i) {
  std::string n = i.param.substr(0, i.param.rfind('.'));
  for (auto& c : n)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

PktKernelResult play_file(const std::string& path) {
  auto pr = packetdrill::parse_packetdrill_file(path);
  EXPECT_TRUE(pr.ok()) << (pr.error ? pr.error->str() : "");
  if (!pr.ok()) return {};
  return play_on_kernel(*pr.script);
}

// Our namespaces are gone after a run.
void expect_no_namespace_left() {
  std::string out;
  run_command({"ip", "netns", "list"}, &out);
  const std::string mine = "tcpsim-pd-" + std::to_string(getpid()) + "-";
  EXPECT_EQ(out.find(mine), std::string::npos) << out;
}

std::string describe(const PktKernelResult& r) {
  std::string s = r.message;
  for (const auto& w : r.warnings) s += "\n" + w;
  return s;
}

// A miss of packetdrill's 4 ms tolerance ("timing error", or a call "still
// blocked" a few ms after its time): a scheduling delay of this shared
// 2-core machine, not a behaviour.
bool timing_miss(const PktKernelResult& r) {
  return r.status == PktKernelResult::Status::Mismatch &&
         (r.message.find("timing error") != std::string::npos || r.message.find("still blocked at") != std::string::npos);
}

// Plays until the run is evidence: a timing miss, or any mismatch while the
// machine took the CPU from the run (PktKernelResult::disturbed), is played
// again, four runs in all. Any other mismatch is final at once. When the last
// run still missed while disturbed, the test is skipped, saying so: no
// verdict either way (on a quiet machine every run is judged).
// SKIP_IF_DISTURBED's message says what the watch saw.
template <class Play>
PktKernelResult play_settled(Play play) {
  PktKernelResult r = play();
  for (int run = 1; run < 4 && r.status == PktKernelResult::Status::Mismatch &&
                    (timing_miss(r) || !r.disturbed.empty());
       ++run) {
    std::printf("[   NOTE   ] %s, played again: %s\n",
                r.disturbed.empty() ? "timing miss" : ("disturbed run (" + r.disturbed + ")").c_str(),
                r.message.c_str());
    r = play();
  }
  return r;
}

#define SKIP_IF_DISTURBED(r)                                                                            \
  if ((r).status == PktKernelResult::Status::Mismatch && !(r).disturbed.empty())                       \
  GTEST_SKIP() << "not judged: the machine took the CPU from the run that missed (" << (r).disturbed << "): " \
               << (r).message

}  // namespace

class KernelPkt : public ::testing::TestWithParam<std::string> {};

TEST_P(KernelPkt, ScriptPassesOnTheRealKernel) {
  if (!unavailable().empty()) GTEST_SKIP() << "cannot play scripts on the kernel here: " << unavailable();
  // Kernel timers tick in jiffies and this machine is shared: a timing miss
  // or a disturbed run is played again (play_settled()).
  const PktKernelResult r = play_settled([&] { return play_file(std::string(PKT_DIR) + "/" + GetParam()); });
  SKIP_IF_DISTURBED(r);
  EXPECT_EQ(r.status, PktKernelResult::Status::Pass) << describe(r);
  expect_no_namespace_left();
}

INSTANTIATE_TEST_SUITE_P(Scripts, KernelPkt, ::testing::ValuesIn(pkt_files(PKT_DIR)), test_name);

class KernelPktMismatch : public ::testing::TestWithParam<std::string> {};

TEST_P(KernelPktMismatch, WrongExpectationFailsOnTheRealKernelAtItsLine) {
  if (!unavailable().empty()) GTEST_SKIP() << "cannot play scripts on the kernel here: " << unavailable();
  const PktKernelResult r = play_file(std::string(PKT_DIR) + "/mismatch/" + GetParam());
  EXPECT_EQ(r.status, PktKernelResult::Status::Mismatch) << describe(r);
  EXPECT_GT(r.line, 0);
  expect_no_namespace_left();
}

INSTANTIATE_TEST_SUITE_P(Scripts, KernelPktMismatch, ::testing::ValuesIn(pkt_files(std::string(PKT_DIR) + "/mismatch")),
                         test_name);

// Sides of catalogue scenarios exported for the kernel that Linux 6.x plays
// exactly as the model ran them (docs/packetdrill.md lists the others and
// where they differ).
class KernelExported : public ::testing::TestWithParam<std::string> {};

TEST_P(KernelExported, ExportedScriptPassesOnTheRealKernel) {
  if (!unavailable().empty()) GTEST_SKIP() << "cannot play scripts on the kernel here: " << unavailable();
  const std::string spec = GetParam();  // "scenario.yaml:host"
  const std::string file = spec.substr(0, spec.find(':')), host = spec.substr(spec.find(':') + 1);
  const Scenario sc = load_scenario_file(std::string(TCPSIM_SCENARIOS) + "/" + file);
  const Trace tr = run_scenario(sc);
  packetdrill::WriteOptions o;
  o.for_kernel = true;
  const packetdrill::WriteResult w = packetdrill::write_packetdrill(sc, tr, host, o);
  ASSERT_TRUE(w.ok) << w.error;
  auto pr = packetdrill::parse_packetdrill(w.script, spec);
  ASSERT_TRUE(pr.ok()) << pr.error->str();
  const PktKernelResult r = play_settled([&] { return play_on_kernel(*pr.script); });
  SKIP_IF_DISTURBED(r);
  EXPECT_EQ(r.status, PktKernelResult::Status::Pass) << describe(r) << "\n--- script:\n" << w.script;
}

INSTANTIATE_TEST_SUITE_P(
    Catalogue, KernelExported,
    ::testing::Values("normal-close.yaml:client", "normal-close.yaml:server", "three-way-handshake.yaml:client",
                      "three-way-handshake.yaml:server", "simultaneous-close.yaml:client",
                      "simultaneous-close.yaml:server", "simultaneous-open.yaml:a",
                      "rst-on-unread-data.yaml:client", "rst-on-unread-data.yaml:server",
                      "so-linger-zero.yaml:server", "write-after-peer-gone.yaml:client",
                      "lost-final-ack.yaml:client", "connect-timeout.yaml:server",
                      "connect-refused.yaml:client", "epoll-close-wait-fixed.yaml:server"),
    // Not epoll-close-wait-spin.yaml:server: its delayed ACK of the FIN (40 ms)
    // leaves Linux 6.18 4-5 ms late (HZ=250 jiffies), past packetdrill's 4 ms,
    // in most runs on this machine; the model round trip covers it.
    [](const ::testing::TestParamInfo<std::string>& i) {
      std::string n = i.param;
      n.erase(n.find(".yaml"), 5);
      for (auto& c : n)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      return n;
    });
