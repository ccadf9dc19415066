// tcpsim property tests — a seeded generator of random scenarios.
//
// A generated scenario is kept as a small structure (connections, each a
// client script and a server script of rendered YAML steps, plus links and
// faults) so that it can be shrunk by dropping parts and printed as a
// scenario file a human can rerun with `tcpsim run`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tcpsim::prop {

struct GenLink {
  int a = 0, b = 1;
  int delay_ms = 1;
  int jitter_ms = 0;
  double loss = 0, duplicate = 0, reorder = 0;
};

struct GenConn {
  int client_host = 0, server_host = 1;
  int port = 1000;
  bool server_listens = true;         // false: connect() to a port with no listener
  int connect_at_ms = 0;
  int accept_after_ms = 0;
  std::optional<std::uint32_t> isn;   // fixed ISS of the client socket (wrap-around)
  std::vector<std::string> client;    // steps after connect (flow-style YAML maps)
  std::vector<std::string> server;    // steps after accept
};

struct GenHost {
  int fin_timeout_s = 60;
  int time_wait_s = 60;
  int orphan_retries = 0;
  int syn_retries = 6;
};

struct GenScenario {
  std::uint64_t gen_seed = 0;          // the generator's seed (for the report)
  std::uint64_t sim_seed = 1;          // the scenario's `seed:` (link randomness)
  std::vector<GenHost> hosts;
  std::vector<GenLink> links;
  std::vector<GenConn> conns;
  std::vector<std::string> faults;     // flow-style YAML fault items
};

// A random scenario: 1–50 connections between 2–4 hosts (sizes scaled by
// `max_conns`), random step orders and timings, link loss 0–50 %,
// duplication, reordering, ISNs near 2^32, host crashes.
GenScenario generate(std::uint64_t seed, int max_conns = 50);

// The scenario file (YAML, scenarios/README.md format).
std::string to_yaml(const GenScenario& g);

}  // namespace tcpsim::prop
