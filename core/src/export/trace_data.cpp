// tcpsim — the trace as data: JSONL events and a CSV of socket-state counts
// per host over time (for spreadsheets and plotting tools).
#include <array>
#include <map>
#include <ostream>
#include <vector>

#include "tcpsim/export.hpp"

namespace tcpsim {

void write_jsonl(const Trace& t, std::ostream& out, const TimeWindow& w) {
  for (std::size_t i = 0; i < t.events.size(); ++i)
    if (w.contains(t.events[i].t)) out << format_jsonl(t.events[i], i, t.meta) << '\n';
}

void write_counts_csv(const Trace& t, std::ostream& out, const TimeWindow& w) {
  using Counts = std::array<std::int64_t, kNumTcpStates>;
  const std::size_t nhosts = t.meta.hosts.size();
  std::vector<Counts> counts(nhosts, Counts{});
  std::map<std::uint32_t, TcpState> state;  // live sockets (not CLOSED)

  out << "t,host";
  for (int s = 1; s < kNumTcpStates; ++s) out << ',' << state_name(static_cast<TcpState>(s));
  out << ",total\n";
  std::vector<Counts> written(nhosts, Counts{});  // the last row of each host
  auto row = [&](Time at, std::size_t h) {
    written[h] = counts[h];
    out << format_time(at) << ',' << t.meta.hosts[h].name;
    std::int64_t total = 0;
    for (int s = 1; s < kNumTcpStates; ++s) {
      out << ',' << counts[h][s];
      total += counts[h][s];
    }
    out << ',' << total << '\n';
  };

  // The first rows: the counts at `from`, after every event at or before it.
  bool started = false;
  auto start = [&]() {
    if (started) return;
    started = true;
    for (std::size_t h = 0; h < nhosts; ++h) row(w.from, h);
  };

  std::vector<bool> changed(nhosts, false);
  Time pending = -1;  // time of the changes not yet written
  auto flush = [&]() {
    if (pending < 0) return;
    // A host whose changes at this instant cancel out (a connect() that
    // finds no free port: CLOSED -> SYN_SENT -> CLOSED) gets no row.
    for (std::size_t h = 0; h < nhosts; ++h)
      if (changed[h]) {
        if (counts[h] != written[h]) row(pending, h);
        changed[h] = false;
      }
    pending = -1;
  };

  for (const auto& e : t.events) {
    if (e.t > w.to) break;
    if (!started && e.t > w.from) start();
    if (started && e.t != pending) flush();
    if (e.kind != EventKind::State || e.host >= nhosts || e.sock == 0) continue;
    auto it = state.find(e.sock);
    if (it != state.end()) {
      --counts[e.host][static_cast<int>(it->second)];
      state.erase(it);
    }
    if (e.to != TcpState::Closed) {
      state[e.sock] = e.to;
      ++counts[e.host][static_cast<int>(e.to)];
    }
    if (started) {
      changed[e.host] = true;
      pending = e.t;
    }
  }
  start();
  flush();
}

}  // namespace tcpsim
