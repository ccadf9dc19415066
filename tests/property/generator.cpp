// tcpsim property tests — random scenario generator (see generator.hpp).
#include "generator.hpp"

#include <random>
#include <sstream>

namespace tcpsim::prop {

namespace {

using Rng = std::mt19937_64;

int pick(Rng& r, int n) { return static_cast<int>(r() % static_cast<std::uint64_t>(n)); }
bool chance(Rng& r, int percent) { return pick(r, 100) < percent; }

std::string timing(Rng& r) {
  const int p = pick(r, 10);
  if (p < 4) return "";
  if (p < 8) return "after: " + std::to_string(pick(r, 300)) + "ms, ";
  return "after: " + std::to_string(1 + pick(r, 5)) + "s, ";
}

std::string on_error(Rng& r) {
  const int p = pick(r, 10);
  if (p < 7) return ", on_error: continue";
  if (p < 9) return "";
  return ", on_error: exit";
}

std::string bytes(Rng& r) {
  const int p = pick(r, 10);
  if (p < 5) return std::to_string(1 + pick(r, 200));
  if (p < 9) return std::to_string(1 + pick(r, 5000));
  return std::to_string(1 + pick(r, 100000));
}

// One element of a script: one step, or several that belong together
// (dup and its close), separated by '\n'.
std::string random_step(Rng& r, const std::string& b, int uniq) {
  const std::string t = timing(r);
  switch (pick(r, 17)) {
    case 0:
    case 1:
    case 2:
      return "{" + t + "send: {socket: " + b + ", bytes: " + bytes(r) +
             (chance(r, 20) ? ", nosignal: true" : "") + "}" + on_error(r) + "}";
    case 3:
      return "{" + t + "recv: {socket: " + b + "}" + on_error(r) + "}";
    case 4:
      return "{" + t + "recv: {socket: " + b + ", bytes: " + bytes(r) + "}" + on_error(r) + "}";
    case 5:
    case 6:
      return "{" + t + "recv: {socket: " + b + ", until: eof}" + on_error(r) + "}";
    case 7: {
      static const char* how[] = {"wr", "wr", "rd", "rdwr"};
      return "{" + t + "shutdown: {socket: " + b + ", how: " + how[pick(r, 4)] + "}" + on_error(r) + "}";
    }
    case 8: {
      static const char* v[] = {"0", "0", "1", "off"};
      return "{" + t + "setsockopt: {socket: " + b + ", linger: " + v[pick(r, 4)] + "}" + on_error(r) + "}";
    }
    case 9:
    case 10:
      return "{" + t + "close: " + b + on_error(r) + "}";
    case 11: {
      switch (pick(r, 4)) {
        case 0:
          return "{" + t + "fork: {run: [{after: " + std::to_string(pick(r, 2000)) + "ms, close: " + b + "}]}}";
        case 1:
          return "{" + t + "fork: {run: [{recv: {socket: " + b +
                 ", until: eof}, on_error: continue}, {close: " + b + "}]}}";
        case 2:
          return "{" + t + "fork: {run: [{after: " + std::to_string(pick(r, 500)) + "ms, exit: 0}]}}";
        default:
          return "{" + t + "fork: {run: [{send: {socket: " + b + ", bytes: " + bytes(r) +
                 "}, on_error: continue}, {close: " + b + "}]}}";
      }
    }
    case 12: {
      const std::string d = b + "dup" + std::to_string(uniq);
      return "{" + t + "dup: {socket: " + b + ", as: " + d + "}}\n{after: " + std::to_string(pick(r, 1000)) +
             "ms, close: " + d + ", on_error: continue}";
    }
    case 13:
      return "{" + t + "exit: 0}";
    case 14:
      return "{sleep: " + std::to_string(pick(r, 2000)) + "ms}";
    case 15:
      return "{signal: {sigpipe: ignore}}";
    default:
      return "{when: {socket: " + b + ", event: eof}, close: " + b + on_error(r) + "}";
  }
}

void normal_exchange(Rng& r, GenConn& c) {
  // A request/response exchange that ends with both sides closing.
  const std::string req = bytes(r), resp = bytes(r);
  c.client.push_back("{send: {socket: sock, bytes: " + req + "}}");
  if (chance(r, 50)) c.client.push_back("{shutdown: {socket: sock, how: wr}}");
  c.client.push_back("{recv: {socket: sock, until: eof}, on_error: continue}");
  c.client.push_back("{" + timing(r) + "close: sock}");
  c.server.push_back("{recv: {socket: conn, bytes: " + req + "}, on_error: continue}");
  c.server.push_back("{" + timing(r) + "send: {socket: conn, bytes: " + resp + "}, on_error: continue}");
  if (chance(r, 50)) {
    c.server.push_back("{" + timing(r) + "close: conn}");
  } else {
    c.server.push_back("{recv: {socket: conn, until: eof}, on_error: continue}");
    c.server.push_back("{" + timing(r) + "close: conn}");
  }
}

}  // namespace

GenScenario generate(std::uint64_t seed, int max_conns) {
  Rng r(seed * 0x9E3779B97F4A7C15ull + 12345);
  GenScenario g;
  g.gen_seed = seed;
  g.sim_seed = r() % 1000000 + 1;
  const int nh = 2 + pick(r, 3);
  for (int i = 0; i < nh; ++i) {
    GenHost h;
    static const int fin[] = {1, 3, 60};
    static const int tw[] = {1, 5, 60};
    static const int orph[] = {0, 1, 2};
    static const int syn[] = {1, 3, 6};
    if (chance(r, 60)) h.fin_timeout_s = fin[pick(r, 3)];
    if (chance(r, 60)) h.time_wait_s = tw[pick(r, 3)];
    if (chance(r, 40)) h.orphan_retries = orph[pick(r, 3)];
    if (chance(r, 40)) h.syn_retries = syn[pick(r, 3)];
    g.hosts.push_back(h);
  }
  for (int a = 0; a < nh; ++a)
    for (int b = a + 1; b < nh; ++b) {
      GenLink l;
      l.a = a;
      l.b = b;
      l.delay_ms = 1 + pick(r, 20);
      if (chance(r, 30)) l.jitter_ms = pick(r, 10);
      if (chance(r, 40)) l.loss = pick(r, 51) / 100.0;
      if (chance(r, 25)) l.duplicate = pick(r, 21) / 100.0;
      if (chance(r, 25)) l.reorder = pick(r, 31) / 100.0;
      g.links.push_back(l);
    }
  // Mostly few connections, sometimes many.
  const int top = chance(r, 80) ? std::min(max_conns, 6) : max_conns;
  const int nc = 1 + pick(r, std::max(top, 1));
  for (int i = 0; i < nc; ++i) {
    GenConn c;
    c.client_host = pick(r, nh);
    c.server_host = (c.client_host + 1 + pick(r, nh - 1)) % nh;
    c.port = 1000 + i;
    c.server_listens = !chance(r, 5);
    c.connect_at_ms = pick(r, 2000);
    c.accept_after_ms = chance(r, 70) ? 0 : pick(r, 3000);
    if (chance(r, 40)) c.isn = 0xFFFFFFFFu - static_cast<std::uint32_t>(pick(r, 200000));
    if (chance(r, 45)) {
      normal_exchange(r, c);
    } else {
      const int ncs = pick(r, 8), nss = pick(r, 8);
      for (int k = 0; k < ncs; ++k) c.client.push_back(random_step(r, "sock", k));
      for (int k = 0; k < nss; ++k) c.server.push_back(random_step(r, "conn", k));
      if (chance(r, 15))
        c.server.insert(c.server.begin() + pick(r, static_cast<int>(c.server.size()) + 1),
                        "{" + timing(r) + "close: lsock}");
    }
    g.conns.push_back(std::move(c));
  }
  if (chance(r, 10)) {
    const int h = pick(r, nh);
    const int at = 100 + pick(r, 5000);
    g.faults.push_back("{at: " + std::to_string(at) + "ms, crash: h" + std::to_string(h) + "}");
    if (chance(r, 50))
      g.faults.push_back("{at: " + std::to_string(at + 1 + pick(r, 10000)) + "ms, reboot: h" +
                         std::to_string(h) + "}");
  }
  if (chance(r, 10)) {
    static const char* what[] = {"has: F", "has: S", "flags: \".\"", "has: R", "data: true"};
    g.faults.push_back("{drop: {from: h" + std::to_string(pick(r, nh)) + ", " + what[pick(r, 5)] +
                       ", nth: " + std::to_string(1 + pick(r, 3)) + ", count: " +
                       std::to_string(pick(r, 3)) + "}}");
  }
  return g;
}

std::string to_yaml(const GenScenario& g) {
  std::ostringstream o;
  o << "title: \"property scenario (generator seed " << g.gen_seed << ")\"\n";
  o << "seed: " << g.sim_seed << "\n";
  o << "hosts:\n";
  for (std::size_t i = 0; i < g.hosts.size(); ++i) {
    const GenHost& h = g.hosts[i];
    o << "  h" << i << ": {ip: 10.0.0." << (i + 1);
    if (h.time_wait_s != 60) o << ", time_wait: " << h.time_wait_s << "s";
    std::string sys;
    auto add = [&](const std::string& k, int v) {
      if (!sys.empty()) sys += ", ";
      sys += k + ": " + std::to_string(v);
    };
    if (h.fin_timeout_s != 60) add("net.ipv4.tcp_fin_timeout", h.fin_timeout_s);
    if (h.orphan_retries != 0) add("net.ipv4.tcp_orphan_retries", h.orphan_retries);
    if (h.syn_retries != 6) add("net.ipv4.tcp_syn_retries", h.syn_retries);
    if (!sys.empty()) o << ", sysctl: {" << sys << "}";
    o << "}\n";
  }
  o << "links:\n";
  for (const auto& l : g.links) {
    o << "  - {between: [h" << l.a << ", h" << l.b << "], delay: " << l.delay_ms << "ms";
    if (l.jitter_ms) o << ", jitter: " << l.jitter_ms << "ms";
    if (l.loss > 0) o << ", loss: " << l.loss;
    if (l.duplicate > 0) o << ", duplicate: " << l.duplicate;
    if (l.reorder > 0) o << ", reorder: " << l.reorder;
    o << "}\n";
  }
  bool any_isn = false;
  for (std::size_t i = 0; i < g.conns.size(); ++i) {
    if (!g.conns[i].isn) continue;
    o << (any_isn ? ", " : "isn: {") << "c" << i << "/sock: " << *g.conns[i].isn;
    any_isn = true;
  }
  if (any_isn) o << "}\n";
  if (!g.faults.empty()) {
    o << "faults:\n";
    for (const auto& f : g.faults) o << "  - " << f << "\n";
  }
  auto steps = [&](const std::vector<std::string>& v) {
    for (const auto& el : v) {
      std::size_t start = 0;
      for (;;) {
        const std::size_t nl = el.find('\n', start);
        o << "      - " << el.substr(start, nl == std::string::npos ? std::string::npos : nl - start) << "\n";
        if (nl == std::string::npos) break;
        start = nl + 1;
      }
    }
  };
  o << "processes:\n";
  for (std::size_t i = 0; i < g.conns.size(); ++i) {
    const GenConn& c = g.conns[i];
    if (!c.server_listens) continue;
    o << "  s" << i << ":\n    host: h" << c.server_host << "\n    run:\n";
    o << "      - {listen: {port: " << c.port << ", as: lsock}}\n";
    o << "      - {" << (c.accept_after_ms ? "after: " + std::to_string(c.accept_after_ms) + "ms, " : "")
      << "accept: {socket: lsock, as: conn}}\n";
    steps(c.server);
  }
  for (std::size_t i = 0; i < g.conns.size(); ++i) {
    const GenConn& c = g.conns[i];
    o << "  c" << i << ":\n    host: h" << c.client_host << "\n    run:\n";
    o << "      - {at: " << c.connect_at_ms << "ms, connect: {to: \"h" << c.server_host << ":" << c.port
      << "\", as: sock}, on_error: continue}\n";
    steps(c.client);
  }
  return o.str();
}

}  // namespace tcpsim::prop
