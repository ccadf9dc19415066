// tcpsim — static routes over the scenario's links (tcpsim/routing.hpp).
#include "tcpsim/routing.hpp"

#include <deque>

namespace tcpsim {

Routes compute_routes(const Scenario& s) {
  const int n = static_cast<int>(s.hosts.size());
  auto index = [&](const std::string& name) {
    for (int i = 0; i < n; ++i)
      if (s.hosts[i].name == name) return i;
    return -1;
  };
  std::vector<std::vector<bool>> adj(n, std::vector<bool>(n, false));
  for (const LinkSpec& l : s.links) {
    const int a = index(l.a), b = index(l.b);
    if (a < 0 || b < 0 || a == b) continue;
    adj[a][b] = adj[b][a] = true;
  }
  Routes r;
  r.next.assign(n, std::vector<int>(n, -1));
  // One breadth-first search per source; neighbours in declaration order, so
  // the first path found among equally short ones is the declared-first one.
  for (int src = 0; src < n; ++src) {
    std::vector<int> parent(n, -1);
    std::vector<bool> seen(n, false);
    std::deque<int> q{src};
    seen[src] = true;
    while (!q.empty()) {
      const int u = q.front();
      q.pop_front();
      for (int v = 0; v < n; ++v) {
        if (!adj[u][v] || seen[v]) continue;
        seen[v] = true;
        parent[v] = u;
        q.push_back(v);
      }
    }
    r.next[src][src] = src;
    for (int dst = 0; dst < n; ++dst) {
      if (dst == src || !seen[dst]) continue;
      int hop = dst;
      while (parent[hop] != src) hop = parent[hop];
      r.next[src][dst] = hop;
    }
  }
  return r;
}

std::vector<int> Routes::path(int from, int to) const {
  std::vector<int> p;
  const int n = static_cast<int>(next.size());
  if (from < 0 || to < 0 || from >= n || to >= n) return p;
  p.push_back(from);
  int at = from;
  while (at != to) {
    at = next[at][to];
    // Every hop is a shortest-path next hop, so each one is nearer to `to`:
    // a walk longer than n hosts means no path.
    if (at < 0 || static_cast<int>(p.size()) > n) return {};
    p.push_back(at);
  }
  return p;
}

}  // namespace tcpsim
