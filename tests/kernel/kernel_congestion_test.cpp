// The kernel runner's sockets run CUBIC, Linux's default and the model's
// (KernelOptions::congestion, docs/kernel-facts.md §62), whatever this
// machine's default is (bbr here: a namespace inherits it and may not make
// cubic its own). Read back with the real `ss -tanoip` in each host's
// namespace: the connecting socket and the accepted one (which inherits its
// listener's algorithm, tcp_ca_openreq_child()) both name cubic; with
// "system" they name net.ipv4.tcp_congestion_control. Needs root.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "kernel_run.hpp"
#include "tcpsim/loader.hpp"
#include "tcpsim/simulation.hpp"

using namespace tcpsim;
using namespace tcpsim::kernel;

namespace {

const char* kScenario = R"(title: "one connection, idle after 10 writes"
duration: 2s
hosts:
  client: {ip: 10.0.0.1}
  server: {ip: 10.0.0.2}
link: {delay: 5ms}
processes:
  server:
    host: server
    run:
      - listen: {port: 80, as: lsock}
      - accept: {socket: lsock, as: conn}
      - recv: {socket: conn, until: eof}
      - close: conn
  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - send: {socket: sock, bytes: 14480}
      - at: 1s
        close: sock
)";

// The algorithm ss -i names for each ESTAB socket of one capture: on the
// information line under the socket's line, the first word that is neither
// an option flag (ts, sack, ecn, ...) nor a name:value.
std::vector<std::string> algorithms(const std::string& ss) {
  std::vector<std::string> out;
  std::istringstream in(ss);
  std::string line;
  bool estab = false;
  while (std::getline(in, line)) {
    if (line.rfind("ESTAB", 0) == 0) {
      estab = true;
      continue;
    }
    if (estab && !line.empty() && (line[0] == '\t' || line[0] == ' ')) {
      std::istringstream w(line);
      std::string word, alg;
      while (w >> word)
        if (word != "ts" && word != "sack" && word != "ecn" && word != "ecnseen" && word != "fastopen" &&
            word != "cong_alg" && word.find(':') == std::string::npos) {
          alg = word;
          break;
        }
      out.push_back(alg);
    }
    estab = false;
  }
  return out;
}

std::vector<std::string> run_and_read_back(const std::string& congestion, std::string* dump) {
  const Scenario sc = load_scenario_string(kScenario, "congestion.yaml");
  Trace kt;
  KernelOptions ko;
  ko.congestion = congestion;
  ko.ss_at = {msec(500)};
  ko.until = msec(700);
  ko.max_duration = sec(5);
  const KernelResult kr = kernel_run(sc, kt, ko);
  EXPECT_TRUE(kr.ok) << kr.error;
  std::vector<std::string> algs;
  for (const auto& c : kr.ss_captures) {
    *dump += "== " + c.host + "\n" + c.output;
    for (const auto& a : algorithms(c.output)) algs.push_back(c.host + ":" + a);
  }
  return algs;
}

// What each getsockopt(TCP_INFO) of a trace read for the congestion window:
// "cwnd=5 ssthresh=8", in call order.
std::vector<std::string> windows_read(const Trace& t) {
  std::vector<std::string> out;
  for (const auto& e : t.events) {
    if (e.kind != EventKind::Call || e.call != "getsockopt") continue;
    const auto at = e.args.find(" cwnd=");
    if (at == std::string::npos) continue;
    std::string w = e.args.substr(at + 1);
    while (!w.empty() && (w.back() == ')' || w.back() == ' ')) w.pop_back();
    out.push_back(w);
  }
  return out;
}

}  // namespace

// docs/kernel-facts.md §63: the cwnd and ssthresh TCP_INFO reads through a
// fast recovery (PRR) and the CUBIC growth after it, on the kernel and in
// the model, read for read. The fact's file pins the model's values and
// compares its segments with the kernel up to 1.9 s; this compares the
// windows over the whole run (the long write's PSH marks differ, §63).
TEST(KernelCongestion, CwndThroughRecoveryAndAfterItIsTheKernels) {
  const Scenario sc =
      load_scenario_file(std::string(TCPSIM_KERNEL_FACTS) + "/cwnd-prr-in-recovery-cubic-after.yaml");
  const auto model = windows_read(run_scenario(sc));
  ASSERT_EQ(model.size(), 5u);
  EXPECT_EQ(model[0], "cwnd=5 ssthresh=8");
  EXPECT_EQ(model[4], "cwnd=11 ssthresh=8");
  if (std::string why = kernel_unavailable_reason(); !why.empty())
    GTEST_SKIP() << "model checked; cannot run on the kernel here: " << why;
  KernelOptions ko;
  ko.max_duration = sec(8);
  // A read lands where the real clock puts it: a run the machine took a CPU
  // from (KernelResult::disturbed, stall_watch.hpp) may read a window one ACK
  // early or late, or follow CUBIC's curve over a longer wait. Such a run is
  // no verdict and is run again; an undisturbed one is judged at once.
  const SettledRun r = kernel_run_settled(sc, ko, [&](const Trace& kt, const KernelResult&) {
    return windows_read(kt) == model;
  });
  for (const auto& e : r.earlier) std::cout << "  set aside, run again: " << e << "\n";
  ASSERT_TRUE(r.result.ok) << r.result.error;
  if (r.unsettled())
    GTEST_SKIP() << "model checked; kernel not judged: every run was disturbed by the machine ("
                 << r.result.disturbed << "), the last read " << ::testing::PrintToString(windows_read(r.trace));
  EXPECT_EQ(windows_read(r.trace), model) << "an undisturbed kernel run";
}

TEST(KernelCongestion, EverySocketOfTheRunnerRunsCubic) {
  if (std::string why = kernel_unavailable_reason(); !why.empty())
    GTEST_SKIP() << "cannot run on the kernel here: " << why;
  std::string dump;
  const auto algs = run_and_read_back("cubic", &dump);
  // The client's connected socket and the server's accepted one.
  ASSERT_EQ(algs.size(), 2u) << dump;
  for (const auto& a : algs) EXPECT_EQ(a.substr(a.find(':') + 1), "cubic") << a << "\n" << dump;
}

TEST(KernelCongestion, SystemKeepsTheNamespaceDefault) {
  if (std::string why = kernel_unavailable_reason(); !why.empty())
    GTEST_SKIP() << "cannot run on the kernel here: " << why;
  std::string def;
  std::ifstream("/proc/sys/net/ipv4/tcp_congestion_control") >> def;
  ASSERT_FALSE(def.empty());
  std::string dump;
  const auto algs = run_and_read_back("system", &dump);
  ASSERT_EQ(algs.size(), 2u) << dump;
  for (const auto& a : algs) EXPECT_EQ(a.substr(a.find(':') + 1), def) << a << "\n" << dump;
  EXPECT_EQ(congestion_text("system"), def + " (the system default)");
  EXPECT_EQ(congestion_text("cubic"), "cubic (TCP_CONGESTION on each socket)");
}

TEST(KernelCongestion, AnUnknownAlgorithmFailsTheRunWithTheReason) {
  if (std::string why = kernel_unavailable_reason(); !why.empty())
    GTEST_SKIP() << "cannot run on the kernel here: " << why;
  const Scenario sc = load_scenario_string(kScenario, "congestion.yaml");
  Trace kt;
  KernelOptions ko;
  ko.congestion = "no-such-cc";
  ko.until = msec(300);
  const KernelResult kr = kernel_run(sc, kt, ko);
  EXPECT_FALSE(kr.ok);
  EXPECT_NE(kr.error.find("TCP_CONGESTION no-such-cc: setsockopt failed"), std::string::npos) << kr.error;
}
