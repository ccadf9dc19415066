// tcpsim — the expectations a saved branch carries (issue #13): what its own
// run did, so that the saved file "loads, runs and checks like any other".
// The parent's expect: block describes the run without the change and would
// fail; this one is written from the branch's trace.
#include <map>
#include <string>
#include <vector>

#include "tcpsim/lab.hpp"

namespace tcpsim {

Expect expect_from_run(const Trace& t) {
  // Sizes that keep the file readable; a big workload gets the states of
  // its first sockets and no segment list.
  constexpr std::size_t kMaxSockets = 24;
  constexpr std::size_t kMaxSegments = 120;
  Expect x;
  std::map<std::uint32_t, std::vector<TcpState>> hist;
  std::vector<std::string> flags;
  std::size_t sends = 0;
  for (const Event& e : t.events) {
    if (e.kind == EventKind::State && e.sock) {
      auto& h = hist[e.sock];
      if (h.empty()) h.push_back(e.from);
      if (h.back() != e.to) h.push_back(e.to);
    }
    if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send && !e.forwarded) {  // a router's forward is no new segment
      ++sends;
      if (sends <= kMaxSegments) flags.push_back(flags_string(e.seg.flags));
    }
  }
  for (const auto& si : t.meta.sockets) {
    if (x.states.size() >= kMaxSockets) break;
    // Only labels a scenario can name (process/binding[#N]): not the
    // kernel's own sockets, nor "~N" incarnations after a reboot.
    if (si.label.empty() || si.label.find('~') != std::string::npos) continue;
    auto it = hist.find(si.id);
    if (it == hist.end()) continue;
    ExpectStates es;
    es.sock = si.label;
    es.states = it->second;
    x.states.push_back(std::move(es));
  }
  if (sends <= kMaxSegments) {
    ExpectSegments sg;
    sg.flags = std::move(flags);
    x.segments.push_back(std::move(sg));
  }
  return x;
}

}  // namespace tcpsim
