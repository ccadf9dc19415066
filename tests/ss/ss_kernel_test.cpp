// tcpsim ss against the real thing: catalogue scenarios replayed on this
// machine's kernel (kernel/kernel_run.hpp), with real `ss -tanoip` run in a
// host's network namespace at a chosen moment, compared with `tcpsim ss` at
// the moment that capture was taken: state, Recv-Q, Send-Q, addresses,
// timer kind and owning process, socket by socket. Ephemeral ports differ
// between the two runs and are compared as "ephemeral"; timer values
// (time left, count) depend on the machine's timing and are not compared.
// Needs root and network namespaces; otherwise skipped with the reason
// (reported by ctest as skipped, never as passed).
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>

#include "kernel_run.hpp"
#include "tcpsim/loader.hpp"
#include "tcpsim/ss.hpp"

using namespace tcpsim;

namespace {

struct Entry {
  std::string state, recv_q, send_q, local, peer, timer, owners;
  std::string str() const {
    return state + " " + recv_q + "/" + send_q + " " + local + " " + peer + " timer=" + timer + " owners=" + owners;
  }
  bool operator<(const Entry& o) const { return str() < o.str(); }
};

// The ports the scenario listens on keep their number; others are ephemeral.
std::string norm_endpoint(const std::string& ep, const std::set<std::string>& listen_ports) {
  const auto c = ep.rfind(':');
  if (c == std::string::npos) return ep;
  const std::string port = ep.substr(c + 1);
  if (port == "*" || listen_ports.count(port)) return ep;
  return ep.substr(0, c) + ":ephemeral";
}

// Rows of ss -tanoip output (the header and -i lines skipped).
std::vector<Entry> parse_ss(const std::string& text, const std::set<std::string>& listen_ports) {
  std::vector<Entry> rows;
  std::istringstream is(text);
  std::string line;
  static const std::regex user(R"re(\("([^"]*)",pid=\d+,fd=\d+\))re");
  static const std::regex timer(R"re(timer:\((\w+),)re");
  while (std::getline(is, line)) {
    if (line.empty() || line[0] == '\t' || line[0] == ' ' || line[0] == '#' || line.rfind("State", 0) == 0) continue;
    std::istringstream ls(line);
    Entry e;
    ls >> e.state >> e.recv_q >> e.send_q >> e.local >> e.peer;
    e.local = norm_endpoint(e.local, listen_ports);
    e.peer = norm_endpoint(e.peer, listen_ports);
    std::set<std::string> names;
    for (std::sregex_iterator it(line.begin(), line.end(), user), end; it != end; ++it) names.insert((*it)[1]);
    for (const auto& n : names) e.owners += (e.owners.empty() ? "" : ",") + n;
    std::smatch m;
    e.timer = std::regex_search(line, m, timer) ? m[1].str() : "-";
    rows.push_back(e);
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

std::string dump(const std::vector<Entry>& v) {
  std::string s;
  for (const auto& e : v) s += "  " + e.str() + "\n";
  return s;
}

struct Moment {
  const char* scenario;
  Time at;
  const char* host;
  const char* what;  // what the moment shows
};

class SsKernel : public ::testing::TestWithParam<Moment> {};

TEST_P(SsKernel, TcpsimSsMatchesRealSs) {
  const Moment& m = GetParam();
  if (std::string why = kernel::kernel_unavailable_reason(); !why.empty())
    GTEST_SKIP() << "cannot run on the kernel here: " << why;
  const Scenario sc = load_scenario_file(std::string(TCPSIM_SCENARIOS) + "/" + m.scenario);
  if (!sc.kernel_comparable) GTEST_SKIP() << "not kernel-comparable: " << sc.kernel_skip_reason;
  std::set<std::string> listen_ports;
  std::function<void(const std::vector<Step>&)> walk = [&](const std::vector<Step>& steps) {
    for (const auto& st : steps) {
      if (st.kind == StepKind::Listen || st.kind == StepKind::Bind) listen_ports.insert(std::to_string(st.port));
      walk(st.body);
    }
  };
  for (const auto& p : sc.processes) walk(p.script);

  Trace kt;
  kernel::KernelOptions ko;
  ko.ss_at = {m.at};
  ko.until = m.at + msec(300);
  ko.max_duration = m.at + sec(5);
  const kernel::KernelResult kr = kernel::kernel_run(sc, kt, ko);
  ASSERT_TRUE(kr.ok) << kr.error;
  const kernel::SsCapture* cap = nullptr;
  for (const auto& c : kr.ss_captures)
    if (c.host == m.host) cap = &c;
  ASSERT_NE(cap, nullptr) << "no ss capture on " << m.host;
  ASSERT_FALSE(cap->output.empty());

  const SsTable t = socket_table(sc, cap->t);
  SsFormat f;
  for (std::size_t i = 0; i < t.hosts.size(); ++i)
    if (t.hosts[i].name == m.host) f.host = static_cast<int>(i);
  f.processes = f.timers = true;
  const std::string ours = format_ss(t, f);

  const auto real = parse_ss(cap->output, listen_ports);
  const auto sim = parse_ss(ours, listen_ports);
  ASSERT_FALSE(real.empty()) << cap->output;
  EXPECT_EQ(dump(sim), dump(real)) << m.what << " (" << m.scenario << " at " << format_time(cap->t) << " s on "
                                   << m.host << ")\nreal ss -tanoip:\n"
                                   << cap->output << "\ntcpsim ss:\n"
                                   << ours;
  std::printf("[ss vs kernel] %s at %s s on %s: %zu sockets compared\n", m.scenario, format_time(cap->t).c_str(),
              m.host, real.size());
}

// Moments chosen away from any transition (nothing changes within 100 ms).
INSTANTIATE_TEST_SUITE_P(
    Catalogue, SsKernel,
    ::testing::Values(
        Moment{"close-wait-pileup.yaml", sec(3), "server",
               "CLOSE_WAIT pile-up: accepted sockets owned by the server, queued ones with unread data and FIN"},
        Moment{"close-wait-pileup.yaml", sec(3), "client", "the clients' orphaned FIN-WAIT-2 time-wait socks"},
        Moment{"normal-close.yaml", sec(2), "client", "TIME-WAIT after a normal close"},
        Moment{"syn-backlog-full.yaml", sec(4), "server", "a listener whose accept queue is full"},
        Moment{"syn-backlog-full.yaml", sec(4), "client", "the third client stuck in SYN-SENT"}),
    [](const ::testing::TestParamInfo<Moment>& i) {
      std::string n = std::string(i.param.scenario) + "_" + i.param.host;
      n = n.substr(0, n.find(".yaml")) + n.substr(n.find(".yaml") + 5);
      for (auto& c : n)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      return n;
    });

}  // namespace
