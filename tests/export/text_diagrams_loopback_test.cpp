// Mermaid and PlantUML participants of a host talking to itself: the
// participant names the addresses its segments really carried. On
// loopback-tw-reuse the connections to 127.0.0.1 go from and to 127.0.0.1;
// the participant said "box 10.0.0.1", the host's address, which only the
// last connections (to the host's own address, over lo too) used.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "tcpsim/export.hpp"
#include "tcpsim/loader.hpp"
#include "tcpsim/simulation.hpp"

using namespace tcpsim;

namespace {

Trace loopback_run() {
  return run_scenario(load_scenario_file(std::string(TCPSIM_SCENARIOS) + "/loopback-tw-reuse.yaml"));
}

// The participant declaration line of a diagram.
std::string participant_line(const std::string& text) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.find("participant ") != std::string::npos) return line;
  return "";
}

// When the first segment from the host's own address was sent.
Time first_own_address(const Trace& t) {
  for (const Event& e : t.events)
    if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send && e.seg.src_ip == t.meta.hosts[0].ip) return e.t;
  return kNever;
}

}  // namespace

TEST(SequenceDiagramLoopback, ParticipantShowsTheAddressesTheConnectionsUsed) {
  const Trace t = loopback_run();
  const std::string host_ip = ip_string(t.meta.hosts[0].ip);
  const Time own = first_own_address(t);
  ASSERT_NE(own, kNever);
  struct Case {
    TimeWindow w;
    std::string addrs;
  };
  const Case cases[] = {
      {{0, kNever}, "127.0.0.1, " + host_ip},  // in the order first used
      {{0, own - 1}, "127.0.0.1"},             // the connections to 127.0.0.1 alone
      {{own, kNever}, host_ip},                // the ones to the host's own address
  };
  for (const auto& c : cases)
    for (const char* lang : {"en", "zh_CN"}) {
      SCOPED_TRACE(std::string(lang) + " window " + std::to_string(c.w.from) + ".." + std::to_string(c.w.to));
      DiagramOptions o;
      o.window = c.w;
      o.lang = lang;
      std::ostringstream mmd, puml;
      write_mermaid(t, mmd, o);
      write_plantuml(t, puml, o);
      EXPECT_NE(participant_line(mmd.str()).find("as box<br/>" + c.addrs), std::string::npos)
          << participant_line(mmd.str());
      EXPECT_NE(participant_line(puml.str()).find("\"box\\n" + c.addrs + "\""), std::string::npos)
          << participant_line(puml.str());
    }
}
