// tcpsim property tests — runner, shrinker, sweep (see runner.hpp).
#include "runner.hpp"

#include <algorithm>
#include <sstream>

#include "tcpsim/loader.hpp"
#include "tcpsim/simulation.hpp"

namespace tcpsim::prop {

namespace {

// The first kDeterminismLines lines of a run's JSONL, as `tcpsim run
// --format jsonl` prints them, kept as one 64-bit hash per line (FNV-1a), so
// two runs are compared line by line without holding the text.
class JsonlHashSink : public TraceSink {
 public:
  std::vector<std::uint64_t> lines;
  std::uint64_t events = 0;  // all of them, also past the lines kept
  void on_host(const HostInfo& h) override { meta_.hosts.push_back(h); }
  void on_process(const ProcessInfo& p) override {
    if (static_cast<std::size_t>(p.pid) > meta_.processes.size()) meta_.processes.resize(p.pid);
    meta_.processes[p.pid - 1] = p;
  }
  void on_socket(const SocketInfo& s) override {
    if (s.id > meta_.sockets.size()) meta_.sockets.resize(s.id);
    meta_.sockets[s.id - 1] = s;
  }
  void on_event(const Event& e) override {
    if (events++ >= kDeterminismLines) return;
    const std::string line = format_jsonl(e, lines.size(), meta_);
    std::uint64_t h = 14695981039346656037ull;
    for (const unsigned char c : line) h = (h ^ c) * 1099511628211ull;
    lines.push_back(h);
  }

 private:
  TraceMeta meta_;
};

constexpr std::uint64_t kMaxEvents = 2'000'000;
constexpr std::uint64_t kStormNotes = 2000;

}  // namespace

Outcome check(const GenScenario& g, bool determinism) {
  Outcome o;
  Scenario sc;
  try {
    sc = load_scenario_string(to_yaml(g), "generated.yaml");
  } catch (const LoadError& e) {
    o.load_error = true;
    o.load_message = e.what();
    return o;
  }
  RunOptions opt;
  opt.max_events = kMaxEvents;
  InvariantChecker checker(sc);
  JsonlHashSink first;
  std::vector<TraceSink*> sinks{&checker};
  if (determinism) sinks.push_back(&first);
  TeeSink tee(sinks);
  Simulation sim(sc, tee, opt);
  bool storm = false;
  while (sim.step()) {
    // An endless ACK exchange: stop early instead of running to max_events.
    if (checker.ack_not_sent_notes() > kStormNotes) {
      storm = true;
      break;
    }
  }
  o.events = sim.summary().events;
  if (storm) {
    o.violations = checker.violations();
    o.violations.push_back({"run", "ACK war: more than " + std::to_string(kStormNotes) +
                                       " 'ACK for data not yet sent' notes; the run never ends"});
    return o;
  }
  checker.finish(sim);
  o.violations = checker.violations();
  if (o.events >= kMaxEvents)
    o.violations.push_back({"run", "the run did not end within " + std::to_string(kMaxEvents) + " events"});
  if (determinism) {
    JsonlHashSink second;
    Simulation again(sc, second, opt);
    again.run();
    if (first.lines != second.lines) {
      std::size_t line = 0;
      while (line < first.lines.size() && line < second.lines.size() && first.lines[line] == second.lines[line]) ++line;
      o.violations.push_back({"I6", "the same scenario and seed gave different JSONL traces (first difference at line " +
                                        std::to_string(line + 1) + ")"});
    } else if (first.events != second.events) {
      o.violations.push_back({"I6", "the same scenario and seed gave " + std::to_string(first.events) + " and " +
                                        std::to_string(second.events) + " events"});
    }
  }
  return o;
}

namespace {
bool has(const Outcome& o, const std::string& inv) {
  for (const auto& v : o.violations)
    if (v.invariant == inv) return true;
  return false;
}
}  // namespace

GenScenario shrink(const GenScenario& g0, const std::string& inv, int budget) {
  GenScenario best = g0;
  const bool det = inv == "I6";
  auto fails = [&](const GenScenario& c) {
    if (budget-- <= 0) return false;
    const Outcome o = check(c, det);
    return !o.load_error && has(o, inv);
  };
  bool progress = true;
  while (progress && budget > 0) {
    progress = false;
    // Whole connections, last first.
    for (std::size_t i = best.conns.size(); i-- > 0 && best.conns.size() > 1;) {
      GenScenario c = best;
      c.conns.erase(c.conns.begin() + static_cast<long>(i));
      for (std::size_t k = 0; k < c.conns.size(); ++k) c.conns[k].port = 1000 + static_cast<int>(k);
      if (fails(c)) { best = c; progress = true; }
    }
    for (std::size_t i = best.faults.size(); i-- > 0;) {
      GenScenario c = best;
      c.faults.erase(c.faults.begin() + static_cast<long>(i));
      if (fails(c)) { best = c; progress = true; }
    }
    for (std::size_t i = 0; i < best.links.size(); ++i) {
      GenLink& l = best.links[i];
      if (l.loss > 0 || l.duplicate > 0 || l.reorder > 0 || l.jitter_ms > 0) {
        GenScenario c = best;
        c.links[i].loss = c.links[i].duplicate = c.links[i].reorder = 0;
        c.links[i].jitter_ms = 0;
        if (fails(c)) { best = c; progress = true; }
      }
    }
    for (std::size_t i = 0; i < best.conns.size(); ++i) {
      for (int side = 0; side < 2; ++side) {
        for (std::size_t s = (side ? best.conns[i].server : best.conns[i].client).size(); s-- > 0;) {
          GenScenario c = best;
          auto& v = side ? c.conns[i].server : c.conns[i].client;
          v.erase(v.begin() + static_cast<long>(s));
          if (fails(c)) { best = c; progress = true; }
        }
      }
      if (best.conns[i].isn) {
        GenScenario c = best;
        c.conns[i].isn.reset();
        if (fails(c)) { best = c; progress = true; }
      }
      if (best.conns[i].accept_after_ms) {
        GenScenario c = best;
        c.conns[i].accept_after_ms = 0;
        if (fails(c)) { best = c; progress = true; }
      }
    }
  }
  return best;
}

std::string report(const GenScenario& g, const Outcome& o) {
  std::ostringstream r;
  r << "---- failing scenario (generator seed " << g.gen_seed << ", shrunk) ----\n" << to_yaml(g);
  r << "---- violations ----\n";
  if (o.load_error) r << "load error: " << o.load_message << "\n";
  for (const auto& v : o.violations) r << v.invariant << ": " << v.message << "\n";
  return r.str();
}

SweepResult sweep(std::uint64_t first, std::uint64_t count, int max_conns, int determinism_every,
                  const std::function<std::string(const Violation&)>& known_bug,
                  std::vector<std::string>* known_hits, std::size_t max_reports) {
  SweepResult res;
  for (std::uint64_t seed = first; seed < first + count; ++seed) {
    const GenScenario g = generate(seed, max_conns);
    const bool det = determinism_every > 0 && seed % static_cast<std::uint64_t>(determinism_every) == 0;
    Outcome o = check(g, det);
    ++res.scenarios;
    res.events += o.events;
    if (!o.load_error && known_bug) {
      std::vector<Violation> rest;
      for (const auto& v : o.violations) {
        const std::string bug = known_bug(v);
        if (bug.empty()) {
          rest.push_back(v);
        } else if (known_hits) {
          known_hits->push_back("seed " + std::to_string(seed) + ": " + bug);
        }
      }
      o.violations = rest;
    }
    if (!o.load_error && o.violations.empty()) continue;
    ++res.failed;
    if (res.reports.size() >= max_reports) continue;
    if (o.load_error) {
      res.reports.push_back(report(g, o));
      continue;
    }
    const GenScenario small = shrink(g, o.violations.front().invariant);
    Outcome so = check(small, o.violations.front().invariant == "I6");
    res.reports.push_back(so.violations.empty() ? report(g, o) : report(small, so));
  }
  return res;
}

}  // namespace tcpsim::prop
