// tcpsim — the scenario loader: YAML (format in scenarios/README.md) ->
// tcpsim::Scenario, with every problem reported as "file:line:col: message".
//
// Reading happens in two layers: yaml_tree.cpp turns the text into a small
// tree (rejecting what yaml-cpp would silently accept), and this file maps
// the tree onto Scenario, key by key, with the static checks the format
// promises: known hosts, bound sockets, labels that name real bindings,
// unique IPs, times that never go backwards.
#include "tcpsim/loader.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <unordered_set>

#include "tcpsim/routing.hpp"
#include "loader/keys.hpp"
#include "loader/profile_defaults.hpp"
#include "loader/values.hpp"
#include "loader/yaml_tree.hpp"

namespace tcpsim {

std::string Loc::str() const {
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(col);
}

LoadError LoadError::several(std::vector<LoadError> errors, const std::string& note) {
  // File order: a reader fixes them top to bottom.
  std::stable_sort(errors.begin(), errors.end(), [](const LoadError& a, const LoadError& b) {
    return std::make_pair(a.loc().line, a.loc().col) < std::make_pair(b.loc().line, b.loc().col);
  });
  std::string what;
  for (const auto& e : errors) what += (what.empty() ? "" : "\n") + std::string(e.what());
  if (!note.empty()) what += "\n" + visible_text(note);
  const LoadError& first = errors.front();
  return LoadError(what, first.loc(), first.message(), errors.size());
}

namespace loader {

const std::vector<std::string>& top_level_keys() {
  static const std::vector<std::string> k = {
      "title", "summary", "tags",  "lesson", "references", "kernel",    "seed", "duration",
      "isn",   "hosts",   "link",  "links",  "faults",     "processes", "expect"};
  return k;
}

const std::vector<std::string>& step_actions() {
  static const std::vector<std::string> k = {
      "socket", "bind", "listen", "accept", "connect", "send",  "recv",  "shutdown", "close",
      "setsockopt", "dup", "fork", "exec", "exit",    "sleep", "wait",  "epoll",    "loop",
      "spawn",  "signal", "getsockopt"};
  return k;
}

const std::vector<std::string>& call_names() {
  static const std::vector<std::string> k = {
      "socket", "bind", "listen", "accept", "connect", "send", "recv", "shutdown",
      "close", "setsockopt", "getsockopt", "fcntl", "dup", "fork", "exec", "execve", "exit", "epoll_create", "epoll_wait", "signal"};
  return k;
}

namespace {

constexpr std::int64_t kIntMax = INT_MAX;
constexpr std::int64_t kI64Max = INT64_MAX;
constexpr std::int64_t kI64Min = INT64_MIN;
constexpr std::uint64_t kMaxBytes = std::uint64_t{1} << 40;   // 1 TiB per call
constexpr std::int64_t kMaxCount = 1000000000;                 // loop iterations, nth, ...

// ---- sysctls ----
struct SysctlDef {
  const char* name;
  enum Kind { Int, Seconds, PortRange } kind;
  int Sysctls::*i;
  Time Sysctls::*t;
  std::int64_t lo, hi;
};
// Ranges follow Linux (net/ipv4/sysctl_net_ipv4.c); second-valued ones are
// written in seconds (proc_dointvec_jiffies), so they must be whole seconds.
const std::vector<SysctlDef>& sysctl_defs() {
  static const std::vector<SysctlDef> d = {
      {"net.ipv4.tcp_fin_timeout", SysctlDef::Seconds, nullptr, &Sysctls::tcp_fin_timeout, 0, INT_MAX / 1000},
      {"net.ipv4.tcp_syn_retries", SysctlDef::Int, &Sysctls::tcp_syn_retries, nullptr, 1, 127},
      {"net.ipv4.tcp_synack_retries", SysctlDef::Int, &Sysctls::tcp_synack_retries, nullptr, 0, 255},
      {"net.ipv4.tcp_retries2", SysctlDef::Int, &Sysctls::tcp_retries2, nullptr, 0, 255},
      {"net.ipv4.tcp_orphan_retries", SysctlDef::Int, &Sysctls::tcp_orphan_retries, nullptr, 0, 255},
      {"net.ipv4.tcp_syn_linear_timeouts", SysctlDef::Int, &Sysctls::tcp_syn_linear_timeouts, nullptr, 0, 127},
      {"net.ipv4.tcp_tw_reuse", SysctlDef::Int, &Sysctls::tcp_tw_reuse, nullptr, 0, 2},
      {"net.ipv4.tcp_max_tw_buckets", SysctlDef::Int, &Sysctls::tcp_max_tw_buckets, nullptr, 0, kIntMax},
      {"net.ipv4.tcp_keepalive_time", SysctlDef::Seconds, nullptr, &Sysctls::tcp_keepalive_time, 1, INT_MAX / 1000},
      {"net.ipv4.tcp_keepalive_intvl", SysctlDef::Seconds, nullptr, &Sysctls::tcp_keepalive_intvl, 1, INT_MAX / 1000},
      {"net.ipv4.tcp_keepalive_probes", SysctlDef::Int, &Sysctls::tcp_keepalive_probes, nullptr, 1, 127},
      {"net.ipv4.tcp_rfc1337", SysctlDef::Int, &Sysctls::tcp_rfc1337, nullptr, 0, 1},
      {"net.ipv4.tcp_abort_on_overflow", SysctlDef::Int, &Sysctls::tcp_abort_on_overflow, nullptr, 0, 1},
      {"net.ipv4.tcp_syncookies", SysctlDef::Int, &Sysctls::tcp_syncookies, nullptr, 0, 2},
      {"net.core.somaxconn", SysctlDef::Int, &Sysctls::somaxconn, nullptr, 0, kIntMax},
      {"net.ipv4.ip_local_port_range", SysctlDef::PortRange, nullptr, nullptr, 1, 65535},
      // Connection tracking timeouts (seconds; nf_conntrack_proto_tcp.c), used by `nat:` hosts.
      {"net.netfilter.nf_conntrack_tcp_timeout_established", SysctlDef::Seconds, nullptr, &Sysctls::ct_established, 1, INT_MAX / 1000},
      {"net.netfilter.nf_conntrack_tcp_timeout_syn_sent", SysctlDef::Seconds, nullptr, &Sysctls::ct_syn_sent, 1, INT_MAX / 1000},
      {"net.netfilter.nf_conntrack_tcp_timeout_syn_recv", SysctlDef::Seconds, nullptr, &Sysctls::ct_syn_recv, 1, INT_MAX / 1000},
      {"net.netfilter.nf_conntrack_tcp_timeout_fin_wait", SysctlDef::Seconds, nullptr, &Sysctls::ct_fin_wait, 1, INT_MAX / 1000},
      {"net.netfilter.nf_conntrack_tcp_timeout_close_wait", SysctlDef::Seconds, nullptr, &Sysctls::ct_close_wait, 1, INT_MAX / 1000},
      {"net.netfilter.nf_conntrack_tcp_timeout_last_ack", SysctlDef::Seconds, nullptr, &Sysctls::ct_last_ack, 1, INT_MAX / 1000},
      {"net.netfilter.nf_conntrack_tcp_timeout_time_wait", SysctlDef::Seconds, nullptr, &Sysctls::ct_time_wait, 1, INT_MAX / 1000},
      {"net.netfilter.nf_conntrack_tcp_timeout_close", SysctlDef::Seconds, nullptr, &Sysctls::ct_close, 1, INT_MAX / 1000},
  };
  return d;
}

}  // namespace

const std::vector<std::string>& sysctl_names() {
  static const std::vector<std::string> k = [] {
    std::vector<std::string> v;
    for (const auto& d : sysctl_defs()) v.push_back(d.name);
    return v;
  }();
  return k;
}

namespace {

// Socket names visible at a point of a script, in binding order. A body
// (loop, spawn, fork) binds on top and pops back to its mark when it ends.
class Scope {
 public:
  bool has(const std::string& n) const { return set_.count(n) > 0; }
  void bind(const std::string& n) {
    if (set_.insert(n).second) names_.push_back(n);
  }
  std::size_t mark() const { return names_.size(); }
  void pop_to(std::size_t m) {
    while (names_.size() > m) {
      set_.erase(names_.back());
      names_.pop_back();
    }
  }
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::vector<std::string> names_;
  std::unordered_set<std::string> set_;
};

// Hostile files must not make the checks quadratic: these bound the work.
constexpr std::size_t kMaxHosts = 64;
constexpr std::size_t kMaxBindingsPerProcess = 10000;
constexpr int kMaxForkSteps = 1000;

// "a, b, c" with at most 20 names.
std::string list_some(const std::vector<std::string>& v) {
  if (v.size() <= 20) return join(v);
  std::vector<std::string> first(v.begin(), v.begin() + 20);
  return join(first) + ", ... (" + std::to_string(v.size()) + " in all)";
}

// What the static checks need to know about one process (declared, or a
// fork child): its host and every binding its script makes.
struct ProcInfo {
  std::string host;
  std::set<std::string> bindings;
  const YNode* node = nullptr;
};

class ScenarioReader {
 public:
  ScenarioReader(const std::string& file) { c_.file = file; }

  Scenario read(const YDoc& doc, Scenario s);

 private:
  // Every error in the file, not only the first (issue #15 point 6): each
  // host, link list, process step, fault and expectation section is read
  // under attempt(), which records its error and goes on with the next one.
  // An error that leaves nothing sensible to read on (the top level is not
  // a map, say) still ends the reading at once.
  static constexpr std::size_t kMaxErrors = 20;
  struct TooManyErrors {};
  std::vector<LoadError> errors_;
  template <class F>
  bool attempt(F&& f) {
    try {
      f();
      return true;
    } catch (const LoadError& e) {
      errors_.push_back(e);
      if (errors_.size() >= kMaxErrors) throw TooManyErrors{};
      return false;
    }
  }
  void read_body(const YDoc& doc, Scenario& s);
  // kernel: {variant:} (docs/catalogue.md): read after the whole file, on a
  // copy of its tree with the overridden values, into s.kernel_variant.
  const YNode* variant_node_ = nullptr;
  void read_kernel_variant(const YDoc& doc, Scenario& s);
  // A step that failed still binds the name in its `as:` (so that later
  // steps using it do not each report "not bound").
  void bind_as_of_failed(const YNode* item, Scope& scope, ProcInfo& info) const;
  bool lenient_bindings_ = false;  // a step of the process being read failed

  Ctx c_;
  Scenario* s_ = nullptr;
  std::vector<std::string> host_names_;
  std::map<std::string, ProcInfo> procs_;
  std::vector<std::string> declared_procs_;
  Time duration_ = 0;                  // scenario duration (0 = none)
  mutable std::optional<Routes> routes_;  // computed on first use, after the links
  const YNode* duration_node_ = nullptr;

  void read_hosts(const YNode* key, const YNode* n);
  void read_sysctls(const YNode* n, HostSpec& h);
  FaultSpec read_sysctl_fault(const YNode* item);
  void read_nat(const YNode* key, const YNode* n, HostSpec& h);
  void check_route(const YNode* n, const std::string& from, const std::string& to) const;
  void read_links(const MapIn& top);
  LinkSpec read_link(const YNode* n, const YNode* owner, bool between_required);
  void read_faults(const YNode* n);
  void read_inject(const YNode* n, const YNode* key, InjectSpec& in);
  void read_processes(const YNode* key, const YNode* n);
  int fork_steps_ = 0;
  std::vector<Step> read_script(const YNode* n, Scope& scope,
                                const std::string& proc, ProcInfo& info, const YNode* start);
  Step read_step(const YNode* n, Scope& scope, const std::string& proc,
                 ProcInfo& info, const YNode** at_node);
  Trigger read_trigger(const YNode* n, const std::string& key,
                       const Scope& scope);
  void read_expect(const YNode* key, const YNode* n);
  void read_call_fields(const YNode* n, const YNode* key, ExpectCall& ec);

  std::string host_ref(const YNode* n, const std::string& key) const;
  std::string process_ref(const YNode* n, const std::string& key) const;
  std::string label_ref(const YNode* n, const std::string& key) const;
  std::string use_binding(const YNode* n, const std::string& key,
                          const Scope& scope) const;
  std::string make_binding(const YNode* n, Scope& scope, ProcInfo& info) const;
  void check_at_in_run(const YNode* n, Time at, const std::string& key) const;
};

std::string ScenarioReader::host_ref(const YNode* n, const std::string& key) const {
  std::string h = get_string(c_, n, key);
  if (std::find(host_names_.begin(), host_names_.end(), h) == host_names_.end())
    c_.fail(n, "unknown host '" + h.substr(0, 60) + "' (hosts: " + list_some(host_names_) + ")");
  return h;
}

std::string ScenarioReader::process_ref(const YNode* n, const std::string& key) const {
  std::string p = get_string(c_, n, key);
  if (!procs_.count(p)) {
    std::vector<std::string> names;
    for (const auto& [k, v] : procs_) names.push_back(k);
    c_.fail(n, "unknown process '" + p.substr(0, 60) + "' (processes: " + list_some(names) + ")");
  }
  return p;
}

// "process/binding" or "process/binding#N".
std::string ScenarioReader::label_ref(const YNode* n, const std::string& key) const {
  std::string l = get_string(c_, n, key);
  auto slash = l.find('/');
  if (slash == std::string::npos)
    c_.fail(n, "'" + key + "' must be a socket label like client/sock (process/binding), got " +
                   shown(n));
  std::string proc = l.substr(0, slash), bind = l.substr(slash + 1);
  auto hash = bind.find('#');
  if (hash != std::string::npos) {
    std::string num = bind.substr(hash + 1);
    bind = bind.substr(0, hash);
    bool ok = !num.empty() && num.size() <= 9 && num[0] != '0';
    for (char ch : num)
      if (ch < '0' || ch > '9') ok = false;
    if (!ok)
      c_.fail(n, "in socket label " + shown(n) + " the number after '#' must be 1 or more");
  }
  auto it = procs_.find(proc);
  if (it == procs_.end()) {
    std::vector<std::string> names;
    for (const auto& [k, v] : procs_) names.push_back(k);
    c_.fail(n, "unknown process '" + proc.substr(0, 60) + "' in socket label " + shown(n) +
                   " (processes: " + list_some(names) + ")");
  }
  if (!it->second.bindings.count(bind)) {
    std::vector<std::string> b(it->second.bindings.begin(), it->second.bindings.end());
    c_.fail(n, "process '" + proc + "' makes no socket '" + bind.substr(0, 60) + "' (bindings: " +
                   (b.empty() ? std::string("none") : list_some(b)) + ")");
  }
  return l;
}

std::string ScenarioReader::use_binding(const YNode* n, const std::string& key,
                                        const Scope& scope) const {
  std::string b = get_string(c_, n, key);
  // After a failed step in this process, a name it would have bound is
  // not reported again ("not bound here" would only echo that error).
  if (!scope.has(b) && !lenient_bindings_)
    c_.fail(n, "socket '" + b.substr(0, 60) + "' is not bound here (" +
                   (scope.names().empty() ? std::string("no socket is bound yet")
                                          : "bindings: " + list_some(scope.names())) +
                   ")");
  return b;
}

std::string ScenarioReader::make_binding(const YNode* n, Scope& scope, ProcInfo& info) const {
  std::string b = get_name(c_, n, "as");
  scope.bind(b);
  info.bindings.insert(b);
  if (info.bindings.size() > kMaxBindingsPerProcess)
    c_.fail(n, "too many socket names in one process (more than " +
                   std::to_string(kMaxBindingsPerProcess) + ")");
  return b;
}

void ScenarioReader::check_at_in_run(const YNode* n, Time at, const std::string& key) const {
  if (duration_ > 0 && at > duration_)
    c_.fail(n, "'" + key + "' " + n->value + " is after the end of the run (duration: " +
                   duration_node_->value + " at line " + std::to_string(duration_node_->line) +
                   ")");
}

// ---- hosts ----
void ScenarioReader::read_hosts(const YNode* key, const YNode* n) {
  if (!n->is_map() || n->pairs.empty())
    c_.fail(n, "'hosts' must be a map of host names, like {client: {ip: 10.0.0.1}}, got " +
                   shown(n));
  if (n->pairs.size() > kMaxHosts)
    c_.fail(n->pairs[kMaxHosts].first,
            "too many hosts (at most " + std::to_string(kMaxHosts) + ")");
  std::map<std::uint32_t, std::string> ips;
  for (const auto& [k, v] : n->pairs) {
    if (!valid_name(k->value))
      c_.fail(k, "host name " + shown(k) +
                     " must use only letters, digits, '_', '-' and '.' (at most 64 bytes)");
    host_names_.push_back(k->value);
  }
  for (const auto& [k, v] : n->pairs) {
    HostSpec h;
    h.name = k->value;
    h.loc = c_.loc(k);
    // A host whose description has an error is still added (the others refer to it).
    attempt([&, k = k, v = v] {
    MapIn m(c_, v, "host '" + h.name + "'",
            {"ip", "profile", "sysctl", "time_wait", "forward", "nat"}, k);
    const YNode* ipn = m.need("ip");
    std::string ip = get_string(c_, ipn, "ip");
    auto addr = parse_ip(ip);
    if (!addr) c_.fail(ipn, "'ip' must be an IPv4 address like 10.0.0.1, got " + shown(ipn));
    if ((*addr >> 24) == 0 || (*addr >> 24) >= 224)
      c_.fail(ipn, "'ip' must be a unicast address (not 0.x.x.x, multicast or broadcast), got " +
                       shown(ipn));
    if (ips.count(*addr))
      c_.fail(ipn, "host '" + h.name + "' has the same IP " + ip + " as host '" + ips[*addr] + "'");
    ips[*addr] = h.name;
    h.ip = *addr;
    if (auto p = m.get("profile"))
      h.profile = get_choice(c_, p, "profile", {"linux", "rfc9293"}) == 0 ? Profile::Linux
                                                                          : Profile::Rfc9293;
    // The rfc9293 profile starts from the RFC's own values, not Linux's
    // (docs/model.md); `sysctl:` and `time_wait:` below still override them.
    h.sysctls = profile_defaults(h.profile);
    if (auto sy = m.get("sysctl")) read_sysctls(sy, h);
    if (auto tw = m.get("time_wait")) h.sysctls.time_wait = get_duration(c_, tw, "time_wait", 1);
    if (auto f = m.get("forward")) h.forward = get_bool(c_, f, "forward");
    if (auto x = m.get("nat")) read_nat(m.key("nat"), x, h);
    });
    s_->hosts.push_back(std::move(h));
  }
}

// `nat: {inside: [client], policy: drop}` on a forwarding host.
void ScenarioReader::read_nat(const YNode* key, const YNode* n, HostSpec& h) {
  if (!h.forward)
    c_.fail(key, "host '" + h.name + "' has 'nat' but does not forward: add forward: true "
                 "(a NAT passes the inside hosts' segments on)");
  MapIn m(c_, n, "nat", {"inside", "policy"}, key);
  NatSpec nat;
  nat.loc = c_.loc(key);
  const YNode* in = m.need("inside");
  const auto& items = get_list(c_, in, "inside");
  if (items.empty()) c_.fail(in, "'inside' must name at least one host, like [client]");
  for (const YNode* item : items) {
    std::string name = host_ref(item, "inside");
    if (name == h.name) c_.fail(item, "a NAT host cannot be inside itself ('" + name + "')");
    if (std::find(nat.inside.begin(), nat.inside.end(), name) != nat.inside.end())
      c_.fail(item, "host '" + name + "' is named twice in 'inside'");
    nat.inside.push_back(name);
  }
  if (auto p = m.get("policy"))
    nat.policy = get_choice(c_, p, "policy", {"drop", "rst"}) == 0 ? NatPolicy::Drop : NatPolicy::Rst;
  h.nat = std::move(nat);
}

void ScenarioReader::read_sysctls(const YNode* n, HostSpec& h) {
  if (!n->is_map())
    c_.fail(n, "'sysctl' must be a map of Linux sysctl names, like {net.ipv4.tcp_fin_timeout: "
               "30}, got " + shown(n));
  for (const auto& [k, v] : n->pairs) {
    const SysctlDef* def = nullptr;
    for (const auto& d : sysctl_defs())
      if (k->value == d.name) def = &d;
    // Sysctls Linux no longer has: refused with the reason, not as a typo.
    if (k->value == "net.ipv4.tcp_tw_recycle")
      c_.fail(k, "sysctl 'net.ipv4.tcp_tw_recycle' was removed in Linux 4.12 (it dropped SYNs from "
                 "clients behind a NAT, whose timestamps are not monotonic); for outgoing "
                 "connections use net.ipv4.tcp_tw_reuse");
    if (!def)
      c_.fail(k, "unknown sysctl '" + k->value.substr(0, 60) + "'; expected one of: " +
                     join(sysctl_names()));
    const std::string name = def->name;
    std::string canonical;
    switch (def->kind) {
      case SysctlDef::Int: {
        auto x = get_int(c_, v, name, def->lo, def->hi);
        h.sysctls.*(def->i) = static_cast<int>(x);
        canonical = std::to_string(x);
        break;
      }
      case SysctlDef::Seconds: {
        Time t = get_duration(c_, v, name);
        if (t % sec(1) != 0)
          c_.fail(v, "'" + name + "' must be a whole number of seconds (Linux counts it in "
                                  "seconds), got " + shown(v));
        std::int64_t secs = t / sec(1);
        if (secs < def->lo || secs > def->hi)
          c_.fail(v, "'" + name + "' must be between " + std::to_string(def->lo) + " and " +
                         std::to_string(def->hi) + " seconds, got " + shown(v));
        h.sysctls.*(def->t) = t;
        canonical = std::to_string(secs);
        break;
      }
      case SysctlDef::PortRange: {
        const std::string expected = "two port numbers like \"32768 60999\"";
        std::string s = v->is_scalar() ? v->value : std::string();
        std::istringstream in(s);
        std::string a, b, extra;
        in >> a >> b >> extra;
        auto num = [](const std::string& x, long& out) {
          if (x.empty() || x.size() > 5) return false;
          for (char ch : x)
            if (ch < '0' || ch > '9') return false;
          out = std::stol(x);
          return true;
        };
        long lo = 0, hi = 0;
        if (!v->is_scalar() || !num(a, lo) || !num(b, hi) || !extra.empty())
          c_.fail(v, "'" + name + "' must be " + expected + ", got " + shown(v));
        if (lo < 1 || hi > 65535 || lo > hi)
          c_.fail(v, "'" + name + "' must be two ports from 1 to 65535 with the first not above "
                                  "the second, got " + shown(v));
        h.sysctls.port_lo = static_cast<std::uint16_t>(lo);
        h.sysctls.port_hi = static_cast<std::uint16_t>(hi);
        canonical = std::to_string(lo) + " " + std::to_string(hi);
        break;
      }
    }
    h.sysctl_overrides[name] = canonical;
  }
}

// A connect() from host `from` to host `to` follows the static routes
// (routing.hpp); every host in the middle must forward. Routes never change
// during a run, so this is decided here, once.
void ScenarioReader::check_route(const YNode* n, const std::string& from, const std::string& to) const {
  if (from == to || from.empty()) return;
  if (!routes_) routes_ = compute_routes(*s_);
  int a = -1, b = -1;
  for (std::size_t i = 0; i < s_->hosts.size(); ++i) {
    if (s_->hosts[i].name == from) a = static_cast<int>(i);
    if (s_->hosts[i].name == to) b = static_cast<int>(i);
  }
  const std::vector<int> path = routes_->path(a, b);
  // No path at all: the segments are dropped at run time ("no route"), as
  // scenarios about an unreachable host want.
  for (std::size_t i = 1; i + 1 < path.size(); ++i) {
    const HostSpec& mid = s_->hosts[path[i]];
    if (!mid.forward)
      c_.fail(n, "the route from '" + from + "' to '" + to + "' passes host '" + mid.name +
                     "', which does not forward: add forward: true to host '" + mid.name +
                     "' (at line " + std::to_string(mid.loc.line) + ") or a link between '" +
                     from + "' and '" + to + "'");
  }
}

// ---- links ----
static const std::vector<std::string> kLinkKeys = {"between", "delay",   "jitter", "loss",
                                                   "duplicate", "reorder", "reorder_gap", "rate"};

LinkSpec ScenarioReader::read_link(const YNode* n, const YNode* owner, bool between_required) {
  MapIn m(c_, n, "link", kLinkKeys, owner);
  LinkSpec l;
  l.loc = c_.loc(owner);
  if (auto b = between_required ? m.need("between") : m.get("between")) {
    const auto& items = get_list(c_, b, "between");
    if (items.size() != 2)
      c_.fail(b, "'between' must be a list of two host names like [client, server], got " +
                     std::to_string(items.size()) + " names");
    l.a = host_ref(items[0], "between");
    l.b = host_ref(items[1], "between");
    if (l.a == l.b) c_.fail(items[1], "a link cannot join host '" + l.a + "' to itself");
  } else {
    if (host_names_.size() != 2)
      c_.fail(owner, "'link' without 'between' needs exactly two hosts, and there are " +
                         std::to_string(host_names_.size()) + " (" + list_some(host_names_) +
                         "); add between: [a, b] or use 'links'");
    l.a = host_names_[0];
    l.b = host_names_[1];
  }
  if (auto x = m.get("delay")) l.delay = get_duration(c_, x, "delay");
  if (auto x = m.get("jitter")) l.jitter = get_duration(c_, x, "jitter");
  if (auto x = m.get("loss")) l.loss = get_probability(c_, x, "loss");
  if (auto x = m.get("duplicate")) l.duplicate = get_probability(c_, x, "duplicate");
  if (auto x = m.get("reorder")) l.reorder = get_probability(c_, x, "reorder");
  if (auto x = m.get("reorder_gap")) l.reorder_gap = get_duration(c_, x, "reorder_gap");
  if (auto x = m.get("rate")) l.rate_bps = get_rate(c_, x, "rate");
  return l;
}

void ScenarioReader::read_links(const MapIn& top) {
  const YNode* one = top.get("link");
  const YNode* many = top.get("links");
  if (one && many) c_.fail(top.key("links"), "give either 'link' or 'links', not both");
  std::vector<std::pair<LinkSpec, const YNode*>> links;
  if (one) links.emplace_back(read_link(one, top.key("link"), false), top.key("link"));
  if (many) {
    for (const YNode* item : get_list(c_, many, "links"))
      links.emplace_back(read_link(item, item, true), item);
  }
  if (!one && !many) {
    // No link given: every pair of hosts is joined by a default link.
    for (std::size_t i = 0; i < s_->hosts.size(); ++i)
      for (std::size_t j = i + 1; j < s_->hosts.size(); ++j) {
        LinkSpec l;
        l.a = s_->hosts[i].name;
        l.b = s_->hosts[j].name;
        l.loc = s_->hosts[j].loc;
        s_->links.push_back(l);
      }
    return;
  }
  for (std::size_t i = 0; i < links.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      const LinkSpec& a = links[j].first;
      const LinkSpec& b = links[i].first;
      if ((a.a == b.a && a.b == b.b) || (a.a == b.b && a.b == b.a))
        c_.fail(links[i].second, "a link between '" + b.a + "' and '" + b.b +
                                     "' is already given at line " + std::to_string(a.loc.line));
    }
    s_->links.push_back(links[i].first);
  }
}

// ---- faults ----
// `{at: 5s, sysctl: {host: server, net.ipv4.tcp_fin_timeout: 5}}`: the host
// writes these sysctls at that time (checked as under hosts: sysctl:).
FaultSpec ScenarioReader::read_sysctl_fault(const YNode* item) {
  MapIn m(c_, item, "fault", {"sysctl", "at", "label"});
  FaultSpec f;
  f.kind = FaultKind::Sysctl;
  f.loc = c_.loc(item);
  if (auto x = m.get("label")) {
    f.label = get_string(c_, x, "label");
    if (f.label.empty() || f.label.size() > 200)
      c_.fail(x, "'label' must be between 1 and 200 characters, got " + std::to_string(f.label.size()));
  }
  const YNode* atn = m.need("at");
  f.at = get_duration(c_, atn, "at");
  check_at_in_run(atn, f.at, "at");
  const YNode* v = m.get("sysctl");
  if (!v->is_map())
    c_.fail(v, "'sysctl' must be a map with the host and the new values, like {host: server, "
               "net.ipv4.tcp_fin_timeout: 5}, got " + shown(v));
  const YNode* hn = v->find("host");
  if (!hn) c_.fail(m.key("sysctl"), "missing key 'host' in sysctl: which host changes its sysctls?");
  f.host = host_ref(hn, "host");
  YNode values = *v;  // the sysctls alone, checked by read_sysctls()
  values.pairs.clear();
  for (const auto& kv : v->pairs)
    if (kv.first->value != "host") values.pairs.push_back(kv);
  if (values.pairs.empty())
    c_.fail(v, "'sysctl' needs at least one sysctl besides 'host', like net.ipv4.tcp_fin_timeout: 5");
  HostSpec h;
  for (const auto& hs : s_->hosts)
    if (hs.name == f.host) h = hs;
  h.sysctl_overrides.clear();
  read_sysctls(&values, h);
  f.sysctls = h.sysctl_overrides;
  return f;
}

void ScenarioReader::read_faults(const YNode* n) {
  static const std::vector<std::string> kFaultKeys = {"drop",   "delay", "duplicate", "link",
                                                      "crash",  "reboot", "inject",   "at",
                                                      "between", "label"};
  std::vector<std::pair<const FaultSpec*, const YNode*>> reboots;
  for (const YNode* item : get_list(c_, n, "faults")) attempt([&] {
    if (item->is_map() && item->find("sysctl")) {
      s_->faults.push_back(read_sysctl_fault(item));
      return;
    }
    MapIn m(c_, item, "fault", kFaultKeys);
    FaultSpec f;
    f.loc = c_.loc(item);
    if (auto x = m.get("label")) {
      f.label = get_string(c_, x, "label");
      if (f.label.empty() || f.label.size() > 200)
        c_.fail(x, "'label' must be between 1 and 200 characters, got " + std::to_string(f.label.size()));
    }
    const YNode* kind_key = nullptr;
    for (const char* k : {"drop", "delay", "duplicate", "link", "crash", "reboot", "inject"}) {
      if (!m.key(k)) continue;
      if (kind_key)
        c_.fail(m.key(k), "a fault has one kind; this one has both '" + kind_key->value +
                              "' and '" + k + "'");
      kind_key = m.key(k);
    }
    if (!kind_key)
      c_.fail(item, "a fault needs one of: drop, delay, duplicate, link, crash, reboot, inject");
    const std::string kind = kind_key->value;
    const YNode* v = m.get(kind);
    if (kind == "drop" || kind == "delay" || kind == "duplicate") {
      f.kind = kind == "drop" ? FaultKind::Drop : kind == "delay" ? FaultKind::Delay
                                                                  : FaultKind::Duplicate;
      for (const char* k : {"at", "between"})
        if (m.key(k))
          c_.fail(m.key(k), "'" + std::string(k) + "' is only for link, crash and reboot faults");
      std::vector<std::string> keys = {"from", "flags", "has", "data", "nth", "count"};
      if (kind != "drop") keys.push_back("by");
      MapIn mm(c_, v, kind, keys, kind_key);
      if (auto x = mm.get("from")) f.match.from = host_ref(x, "from");
      if (auto x = mm.get("flags")) f.match.flags = get_flags(c_, x, "flags");
      if (auto x = mm.get("has")) f.match.has = get_flags(c_, x, "has");
      if (auto x = mm.get("data")) f.match.data = get_bool(c_, x, "data");
      if (auto x = mm.get("nth")) f.match.nth = static_cast<int>(get_int(c_, x, "nth", 1, kMaxCount));
      if (auto x = mm.get("count"))
        f.match.count = static_cast<int>(get_int(c_, x, "count", 0, kMaxCount));
      if (kind == "delay") f.delay = get_duration(c_, mm.need("by"), "by", 1);
      if (kind == "duplicate")
        if (auto x = mm.get("by")) f.delay = get_duration(c_, x, "by");
    } else {
      if (kind != "link" && m.key("between"))
        c_.fail(m.key("between"), "'between' is only for link faults");
      const YNode* atn = m.need("at");
      f.at = get_duration(c_, atn, "at");
      check_at_in_run(atn, f.at, "at");
      if (kind == "link") {
        f.kind = get_choice(c_, v, "link", {"down", "up"}) == 0 ? FaultKind::LinkDown
                                                                : FaultKind::LinkUp;
        if (auto b = m.get("between")) {
          const auto& items = get_list(c_, b, "between");
          if (items.size() != 2)
            c_.fail(b, "'between' must be a list of two host names like [client, server], got " +
                           std::to_string(items.size()) + " names");
          f.link_a = host_ref(items[0], "between");
          f.link_b = host_ref(items[1], "between");
          bool found = false;
          for (const auto& l : s_->links)
            if ((l.a == f.link_a && l.b == f.link_b) || (l.a == f.link_b && l.b == f.link_a))
              found = true;
          if (!found)
            c_.fail(b, "no link between '" + f.link_a + "' and '" + f.link_b + "'");
        }
      } else if (kind == "inject") {
        f.kind = FaultKind::Inject;
        read_inject(v, kind_key, f.inject);
      } else {
        f.kind = kind == "crash" ? FaultKind::Crash : FaultKind::Reboot;
        f.host = host_ref(v, kind);
      }
    }
    s_->faults.push_back(f);
    if (f.kind == FaultKind::Reboot) reboots.emplace_back(nullptr, item);
  });
  // A host can only come back after it crashed. (Checked when every fault
  // was read: s_->faults[i] is then the ith item.)
  for (std::size_t i = 0; s_->faults.size() == n->items.size() && i < s_->faults.size(); ++i) {
    const FaultSpec& r = s_->faults[i];
    if (r.kind != FaultKind::Reboot) continue;
    bool crashed = false;
    for (const auto& f : s_->faults)
      if (f.kind == FaultKind::Crash && f.host == r.host && f.at < r.at) crashed = true;
    if (!crashed) {
      const YNode* item = n->items[i];
      c_.fail(item->find("at"), "host '" + r.host + "' reboots at " + item->find("at")->value +
                                    " but has not crashed before then");
    }
  }
}

// `inject: {to: server/conn, flags: R, seq: rcv_nxt+1000, ack: snd_nxt, from: client,
// spoof: true, bytes: 0, window: 502}`: sequence numbers are relative to the
// target socket's TCB when the segment is made.
void ScenarioReader::read_inject(const YNode* n, const YNode* key, InjectSpec& in) {
  MapIn m(c_, n, "inject", {"to", "flags", "seq", "ack", "from", "spoof", "bytes", "window"}, key);
  in.to = label_ref(m.need("to"), "to");
  if (in.to.size() > 2 && in.to.compare(in.to.size() - 2, 2, "#1") == 0) in.to.resize(in.to.size() - 2);
  in.flags = get_flags(c_, m.need("flags"), "flags");
  if (!in.flags) c_.fail(m.need("flags"), "an injected segment needs at least one flag, like R, S or .");
  auto seq_ref = [&](const YNode* x, const std::string& k) {
    const std::string text = get_string(c_, x, k);
    SeqRef r;
    static const std::pair<const char*, SeqRef::Base> kBases[] = {
        {"rcv_nxt", SeqRef::Base::RcvNxt}, {"snd_nxt", SeqRef::Base::SndNxt}, {"snd_una", SeqRef::Base::SndUna}};
    std::string rest = text;
    bool based = false;
    for (const auto& [name, base] : kBases)
      if (text.rfind(name, 0) == 0) {
        r.base = base;
        rest = text.substr(std::string(name).size());
        based = true;
      }
    const bool digits_only = !rest.empty() && rest.size() <= 10 &&
                             std::all_of(rest.begin(), rest.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
    if (based && rest.empty()) return r;
    if (based && rest.size() > 1 && (rest[0] == '+' || rest[0] == '-')) {
      const std::string num = rest.substr(1);
      const bool ok = !num.empty() && num.size() <= 10 &&
                      std::all_of(num.begin(), num.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
      if (ok && std::stoll(num) <= 4294967295LL) {
        r.offset = rest[0] == '-' ? -std::stoll(num) : std::stoll(num);
        return r;
      }
    } else if (!based && digits_only && std::stoll(rest) <= 4294967295LL) {
      r.base = SeqRef::Base::Number;
      r.offset = std::stoll(rest);
      return r;
    }
    c_.fail(x, "'" + k + "' must be a number from 0 to 4294967295, or rcv_nxt, snd_nxt or snd_una of the "
                         "target socket with an optional +N or -N (like rcv_nxt+1000), got " + shown(x));
    return r;
  };
  if (auto x = m.get("seq")) in.seq = seq_ref(x, "seq");
  if (auto x = m.get("ack")) {
    if (!(in.flags & kAck))
      c_.fail(m.key("ack"), "'ack' needs the ACK flag in 'flags' (like \"R.\" or \".\"); without it the "
                            "acknowledgement field is not read");
    in.ack = seq_ref(x, "ack");
  } else if (!(in.flags & kAck)) {
    in.ack = SeqRef{SeqRef::Base::Number, 0};
  }
  if (auto x = m.get("from")) in.from = host_ref(x, "from");
  if (auto x = m.get("spoof")) in.spoof = get_bool(c_, x, "spoof");
  if (!in.spoof && in.from.empty())
    c_.fail(m.key("spoof"), "with 'spoof: false' the segment carries its sender's own address: name "
                            "the sending host with 'from'");
  if (auto x = m.get("bytes")) in.len = static_cast<std::uint32_t>(get_int(c_, x, "bytes", 0, 1448));
  if (auto x = m.get("window")) in.win = static_cast<std::uint16_t>(get_int(c_, x, "window", 0, 65535));
}

// ---- processes and scripts ----
void ScenarioReader::read_processes(const YNode* key, const YNode* n) {
  if (!n->is_map() || n->pairs.empty())
    c_.fail(n, "'processes' must be a map of process names, like {server: {host: server, run: "
               "[...]}}, got " + shown(n));
  for (const auto& [k, v] : n->pairs) {
    if (!valid_name(k->value))
      c_.fail(k, "process name " + shown(k) +
                     " must use only letters, digits, '_', '-' and '.' (at most 64 bytes)");
    declared_procs_.push_back(k->value);
    procs_[k->value].node = k;
  }
  for (const auto& [k, v] : n->pairs) attempt([&, k = k, v = v] {
    lenient_bindings_ = false;
    ProcessSpec p;
    p.name = k->value;
    p.loc = c_.loc(k);
    MapIn m(c_, v, "process '" + p.name + "'", {"host", "sigpipe", "fd_limit", "start", "run"}, k);
    p.host = host_ref(m.need("host"), "host");
    procs_[p.name].host = p.host;
    if (auto x = m.get("sigpipe"))
      p.ignore_sigpipe = get_choice(c_, x, "sigpipe", {"default", "ignore"}) == 1;
    if (auto x = m.get("fd_limit"))
      p.fd_limit = static_cast<int>(get_int(c_, x, "fd_limit", 1, 1048576));
    if (auto x = m.get("start")) {
      p.start = get_duration(c_, x, "start");
      check_at_in_run(x, p.start, "start");
    }
    Scope scope;
    p.script = read_script(m.need("run"), scope, p.name, procs_[p.name], m.get("start"));
    s_->processes.push_back(std::move(p));
  });
}

void ScenarioReader::bind_as_of_failed(const YNode* item, Scope& scope, ProcInfo& info) const {
  if (!item || !item->is_map()) return;
  for (const auto& [k, v] : item->pairs) {
    if (!v || !v->is_map()) continue;
    const YNode* as = v->find("as");
    if (as && !as->is_map() && !as->is_seq() && !as->value.empty() && as->value.size() <= 64) {
      scope.bind(as->value);
      info.bindings.insert(as->value);
    }
  }
}

std::vector<Step> ScenarioReader::read_script(const YNode* n, Scope& scope,
                                              const std::string& proc, ProcInfo& info,
                                              const YNode* start_node) {
  Time start = start_node ? get_duration(c_, start_node, "start") : 0;
  const std::size_t mark = scope.mark();  // names bound in this body stay in it
  std::vector<Step> steps;
  const YNode* prev_at = nullptr;
  Time prev = 0;
  for (const YNode* item : get_list(c_, n, "run")) {
    const YNode* at_node = nullptr;
    Step st;
    if (!attempt([&] { st = read_step(item, scope, proc, info, &at_node); })) {
      bind_as_of_failed(item, scope, info);
      lenient_bindings_ = true;
      continue;
    }
    if (st.at) {
      if (start_node && *st.at < start)
        c_.fail(at_node, "'at' " + at_node->value + " is before the process starts (start: " +
                             start_node->value + ")");
      if (prev_at && *st.at < prev)
        c_.fail(at_node, "'at' " + at_node->value + " is earlier than the 'at' " +
                             prev_at->value + " of a previous step (line " +
                             std::to_string(prev_at->line) +
                             "); times in a script must not go backwards");
      prev_at = at_node;
      prev = *st.at;
    }
    steps.push_back(std::move(st));
  }
  scope.pop_to(mark);
  return steps;
}

Trigger ScenarioReader::read_trigger(const YNode* n, const std::string& key,
                                     const Scope& scope) {
  MapIn m(c_, n, "'" + key + "'", {"socket", "state", "event"});
  Trigger t;
  t.sock = use_binding(m.need("socket"), "socket", scope);
  const YNode* st = m.get("state");
  const YNode* ev = m.get("event");
  if (st && ev) c_.fail(m.key("event"), "give either 'state' or 'event' in '" + key + "', not both");
  if (!st && !ev) c_.fail(n, "'" + key + "' needs 'state' (like CLOSE_WAIT) or 'event' (eof, "
                             "readable, writable, closed, reset)");
  if (st) {
    t.kind = Trigger::Kind::State;
    t.state = get_state(c_, st, "state");
  } else {
    static const Trigger::Kind kinds[] = {Trigger::Kind::Eof, Trigger::Kind::Readable,
                                          Trigger::Kind::Closed, Trigger::Kind::Reset,
                                          Trigger::Kind::Writable};
    t.kind = kinds[get_choice(c_, ev, "event", {"eof", "readable", "closed", "reset", "writable"})];
  }
  return t;
}

Step ScenarioReader::read_step(const YNode* n, Scope& scope,
                               const std::string& proc, ProcInfo& info, const YNode** at_node) {
  std::vector<std::string> keys = {"at", "after", "when", "on_error", "retry"};
  for (const auto& a : step_actions()) keys.push_back(a);
  if (!n->is_map())
    c_.fail(n, "a step must be a map with one action, like {close: sock}, got " + shown(n));
  MapIn m(c_, n, "step", keys);
  const YNode* action_key = nullptr;
  for (const auto& [k, v] : n->pairs) {
    if (k->value == "at" || k->value == "after" || k->value == "when" || k->value == "on_error" ||
        k->value == "retry")
      continue;
    if (action_key)
      c_.fail(k, "a step has one action; this one has both '" + action_key->value + "' and '" +
                     k->value + "' (give each its own step)");
    action_key = k;
  }
  if (!action_key)
    c_.fail(n, "a step needs an action; expected one of: " + join(step_actions()));
  Step st;
  st.loc = c_.loc(action_key);
  if (auto x = m.get("at")) {
    st.at = get_duration(c_, x, "at");
    check_at_in_run(x, *st.at, "at");
    *at_node = x;
  }
  if (auto x = m.get("after")) {
    if (st.at) c_.fail(m.key("after"), "give either 'at' or 'after' on a step, not both");
    st.after = get_duration(c_, x, "after");
  }
  if (auto x = m.get("when")) st.when = read_trigger(x, "when", scope);
  if (auto x = m.get("retry")) {
    MapIn rm(c_, x, "retry", {"count", "backoff", "factor"}, m.key("retry"));
    st.retry_count = static_cast<int>(get_int(c_, rm.need("count"), "count", 1, 1000));
    if (auto y = rm.get("backoff")) st.retry_backoff = get_duration(c_, y, "backoff");
    if (auto y = rm.get("factor")) st.retry_factor = static_cast<int>(get_int(c_, y, "factor", 1, 16));
  }
  if (auto x = m.get("on_error")) {
    static const OnError policies[] = {OnError::Stop, OnError::Continue, OnError::Exit};
    st.on_error = policies[get_choice(c_, x, "on_error", {"stop", "continue", "exit"})];
  }

  const std::string a = action_key->value;
  const YNode* v = m.get(a);
  auto sock = [&](const MapIn& mm) { return use_binding(mm.need("socket"), "socket", scope); };
  // `as` is bound after the step's own arguments are checked.
  const YNode* as_node = nullptr;

  if (a == "socket") {
    st.kind = StepKind::Socket;
    MapIn mm(c_, v, "socket", {"as"}, action_key);
    as_node = mm.need("as");
  } else if (a == "bind") {
    st.kind = StepKind::Bind;
    MapIn mm(c_, v, "bind", {"socket", "port"}, action_key);
    st.sock = sock(mm);
    st.port = static_cast<std::uint16_t>(get_int(c_, mm.need("port"), "port", 0, 65535));
  } else if (a == "listen") {
    st.kind = StepKind::Listen;
    MapIn mm(c_, v, "listen", {"port", "backlog", "as", "socket"}, action_key);
    if (auto s = mm.get("socket")) {
      for (const char* k : {"port", "as"})
        if (mm.key(k))
          c_.fail(mm.key(k), std::string("'") + k + "' is for listen on a new socket; with "
                                         "'socket' the socket is already bound");
      st.sock = use_binding(s, "socket", scope);
    } else {
      st.port = static_cast<std::uint16_t>(get_int(c_, mm.need("port"), "port", 1, 65535));
      as_node = mm.need("as");
    }
    if (auto b = mm.get("backlog")) st.backlog = static_cast<int>(get_int(c_, b, "backlog", 0, kIntMax));
  } else if (a == "accept") {
    st.kind = StepKind::Accept;
    MapIn mm(c_, v, "accept", {"socket", "as"}, action_key);
    st.sock = sock(mm);
    as_node = mm.need("as");
  } else if (a == "connect") {
    st.kind = StepKind::Connect;
    MapIn mm(c_, v, "connect", {"to", "port", "as", "socket", "from_port"}, action_key);
    if (auto s = mm.get("socket")) {
      if (mm.key("as"))
        c_.fail(mm.key("as"), "'as' is for connect on a new socket; with 'socket' the socket "
                              "already has a name");
      st.sock = use_binding(s, "socket", scope);
    } else {
      as_node = mm.need("as");
    }
    const YNode* to = mm.need("to");
    std::string target = get_string(c_, to, "to");
    auto colon = target.rfind(':');
    std::string host = colon == std::string::npos ? target : target.substr(0, colon);
    if (std::find(host_names_.begin(), host_names_.end(), host) != host_names_.end()) {
      st.to_host = host;
    } else if (auto ip = parse_ip(host)) {
      // An address: 127.x.x.x is the process's own host over loopback;
      // otherwise it must be a host's ip.
      st.to_ip = *ip;
      if (is_loopback_ip(*ip)) {
        st.to_host = info.host;
      } else {
        for (const HostSpec& h : s_->hosts)
          if (h.ip == *ip) st.to_host = h.name;
        if (st.to_host.empty())
          c_.fail(to, "no host has the address " + host + " (hosts: " + list_some(host_names_) +
                          "; 127.0.0.1 is the process's own host)");
      }
    } else {
      c_.fail(to, "unknown host '" + host.substr(0, 60) + "' (hosts: " + list_some(host_names_) + ")");
    }
    check_route(to, info.host, st.to_host);
    if (colon != std::string::npos) {
      if (mm.key("port"))
        c_.fail(mm.key("port"), "the port is given twice: in 'to' and in 'port'");
      std::string p = target.substr(colon + 1);
      bool ok = !p.empty() && p.size() <= 5;
      for (char ch : p)
        if (ch < '0' || ch > '9') ok = false;
      long port = ok ? std::stol(p) : 0;
      if (!ok || port < 1 || port > 65535)
        c_.fail(to, "'to' must be host:port with a port from 1 to 65535, like server:80, got " +
                        shown(to));
      st.port = static_cast<std::uint16_t>(port);
    } else if (auto p = mm.get("port")) {
      st.port = static_cast<std::uint16_t>(get_int(c_, p, "port", 1, 65535));
    } else {
      c_.fail(to, "'to' needs a port: write to: " + host + ":80, or add port: 80");
    }
    if (auto fp = mm.get("from_port"))
      st.from_port = static_cast<std::uint16_t>(get_int(c_, fp, "from_port", 1, 65535));
  } else if (a == "send") {
    st.kind = StepKind::Send;
    MapIn mm(c_, v, "send", {"socket", "bytes", "nosignal"}, action_key);
    st.sock = sock(mm);
    st.bytes = get_uint(c_, mm.need("bytes"), "bytes", kMaxBytes);
    if (auto x = mm.get("nosignal")) st.nosignal = get_bool(c_, x, "nosignal");
  } else if (a == "recv") {
    st.kind = StepKind::Recv;
    MapIn mm(c_, v, "recv", {"socket", "bytes", "until"}, action_key);
    st.sock = sock(mm);
    if (mm.get("bytes") && mm.get("until"))
      c_.fail(mm.key("until"), "give either 'bytes' or 'until' in recv, not both");
    if (auto x = mm.get("bytes")) st.bytes = get_uint(c_, x, "bytes", kMaxBytes);
    if (auto x = mm.get("until")) {
      get_choice(c_, x, "until", {"eof"});
      st.until_eof = true;
    }
  } else if (a == "shutdown") {
    st.kind = StepKind::Shutdown;
    MapIn mm(c_, v, "shutdown", {"socket", "how"}, action_key);
    st.sock = sock(mm);
    if (auto x = mm.get("how")) {
      static const ShutHow hows[] = {ShutHow::Rd, ShutHow::Wr, ShutHow::RdWr};
      st.how = hows[get_choice(c_, x, "how", {"rd", "wr", "rdwr"})];
    }
  } else if (a == "close") {
    st.kind = StepKind::Close;
    if (v->is_map()) {
      MapIn mm(c_, v, "close", {"socket"}, action_key);
      st.sock = sock(mm);
    } else {
      st.sock = use_binding(v, "close", scope);
    }
  } else if (a == "setsockopt") {
    st.kind = StepKind::SetSockOpt;
    static const std::vector<std::string> opts = {
        "linger",   "reuseaddr", "keepalive",    "nodelay",  "cloexec",  "nonblock", "rcvbuf",
        "keepidle", "keepintvl", "keepcnt",      "user_timeout", "rcvtimeo", "sndtimeo",
        "quickack", "linger2"};
    std::vector<std::string> k2 = {"socket"};
    k2.insert(k2.end(), opts.begin(), opts.end());
    MapIn mm(c_, v, "setsockopt", k2, action_key);
    st.sock = sock(mm);
    const YNode* opt_key = nullptr;
    for (const auto& [k, val] : v->pairs) {
      if (k->value == "socket") continue;
      if (opt_key)
        c_.fail(k, "setsockopt sets one option per step; this one has both '" + opt_key->value +
                       "' and '" + k->value + "'");
      opt_key = k;
    }
    if (!opt_key)
      c_.fail(action_key, "setsockopt needs an option; expected one of: " + join(opts));
    const std::string o = opt_key->value;
    const YNode* ov = v->find(o);
    if (o == "linger") {
      st.opt = SockOpt::Linger;
      if (ov->is_scalar() && ov->value == "off") {
        st.on = false;
      } else {
        if (ov->is_scalar() && !ov->value.empty() && !std::isdigit(static_cast<unsigned char>(ov->value[0])) && ov->value[0] != '-')
          c_.fail(ov, "'linger' must be a number of seconds (SO_LINGER on) or off, got " + shown(ov));
        st.value = get_int(c_, ov, "linger", 0, kIntMax);
      }
    } else if (o == "rcvbuf") {
      st.opt = SockOpt::RcvBuf;
      st.value = get_int(c_, ov, "rcvbuf", 1, kIntMax);
    } else if (o == "keepidle" || o == "keepintvl") {
      // TCP_KEEPIDLE / TCP_KEEPINTVL: whole seconds, 1 to MAX_TCP_KEEPIDLE /
      // MAX_TCP_KEEPINTVL (32767); Linux refuses others with EINVAL.
      st.opt = o == "keepidle" ? SockOpt::KeepIdle : SockOpt::KeepIntvl;
      const Time t = get_duration(c_, ov, o);
      if (t % sec(1) != 0 || t < sec(1) || t > sec(32767))
        c_.fail(ov, "'" + o + "' must be a whole number of seconds from 1 to 32767 (Linux counts it "
                    "in seconds), got " + shown(ov));
      st.value = t / sec(1);
    } else if (o == "keepcnt") {
      st.opt = SockOpt::KeepCnt;  // MAX_TCP_KEEPCNT
      st.value = get_int(c_, ov, "keepcnt", 1, 127);
    } else if (o == "user_timeout") {
      // TCP_USER_TIMEOUT is in milliseconds; 0 turns it off.
      st.opt = SockOpt::UserTimeout;
      st.value = get_duration(c_, ov, o);
      if (st.value % msec(1) != 0 || st.value > msec(kIntMax))
        c_.fail(ov, "'user_timeout' must be a whole number of milliseconds (0 = off), at most "
                    "2147483647ms, got " + shown(ov));
    } else if (o == "rcvtimeo" || o == "sndtimeo") {
      st.opt = o == "rcvtimeo" ? SockOpt::RcvTimeo : SockOpt::SndTimeo;
      st.value = get_duration(c_, ov, o);  // 0 = block for ever
      if (st.value > sec(kIntMax / 1000))
        c_.fail(ov, "'" + o + "' must be at most " + std::to_string(kIntMax / 1000) + "s, got " + shown(ov));
    } else if (o == "linger2") {
      // TCP_LINGER2 seconds: negative = no orphaned FIN_WAIT_2 (RST), 0 = tcp_fin_timeout.
      st.opt = SockOpt::Linger2;
      st.value = get_int(c_, ov, "linger2", -kIntMax - 1, kIntMax);
    } else if (o == "quickack") {
      st.opt = SockOpt::QuickAck;
      st.on = get_bool(c_, ov, o);
      st.value = st.on ? 1 : 0;
    } else {
      static const std::map<std::string, SockOpt> bools = {
          {"reuseaddr", SockOpt::ReuseAddr}, {"keepalive", SockOpt::KeepAlive},
          {"nodelay", SockOpt::NoDelay},     {"cloexec", SockOpt::CloExec},
          {"nonblock", SockOpt::NonBlock}};
      st.opt = bools.at(o);
      st.on = get_bool(c_, ov, o);
      st.value = st.on ? 1 : 0;
    }
  } else if (a == "getsockopt") {
    st.kind = StepKind::GetSockOpt;
    MapIn mm(c_, v, "getsockopt", {"socket", "option"}, action_key);
    st.sock = sock(mm);
    st.getopt = get_choice(c_, mm.need("option"), "option", {"so_error", "tcp_info"}) == 0 ? GetOpt::Error
                                                                                          : GetOpt::TcpInfo;
  } else if (a == "dup") {
    st.kind = StepKind::Dup;
    MapIn mm(c_, v, "dup", {"socket", "as"}, action_key);
    st.sock = sock(mm);
    as_node = mm.need("as");
  } else if (a == "fork") {
    st.kind = StepKind::Fork;
    MapIn mm(c_, v, "fork", {"run", "name"}, action_key);
    // The child's process name travels in `as` (the name the fork's result gets).
    st.as = proc + "-child";
    if (auto x = mm.get("name")) st.as = get_name(c_, x, "name");
    if (std::find(declared_procs_.begin(), declared_procs_.end(), st.as) != declared_procs_.end())
      c_.fail(mm.get("name") ? mm.get("name") : action_key,
              "the forked child's name '" + st.as + "' is already a declared process; give the "
              "fork another 'name'");
    ProcInfo& child = procs_[st.as];
    child.host = info.host;
    child.node = action_key;
    if (++fork_steps_ > kMaxForkSteps)
      c_.fail(action_key, "too many fork steps (more than " + std::to_string(kMaxForkSteps) + ")");
    for (const auto& b : scope.names()) child.bindings.insert(b);
    st.body = read_script(mm.need("run"), scope, st.as, child, nullptr);
  } else if (a == "exec") {
    st.kind = StepKind::Exec;
    if (v->is_map()) {
      MapIn mm(c_, v, "exec", {}, action_key);
    } else if (!v->is_null() && !(v->is_scalar() && get_bool(c_, v, "exec"))) {
      c_.fail(v, "'exec' must be true or {}, got " + shown(v));
    }
  } else if (a == "exit") {
    st.kind = StepKind::Exit;
    st.status = static_cast<int>(get_int(c_, v, "exit", 0, 255));
  } else if (a == "sleep") {
    st.kind = StepKind::Sleep;
    st.duration = get_duration(c_, v, "sleep");
  } else if (a == "wait") {
    st.kind = StepKind::Wait;
    st.when = read_trigger(v, "wait", scope);
    if (m.get("when"))
      c_.fail(m.key("when"), "a 'wait' step gives its condition as its value; remove 'when'");
  } else if (a == "epoll") {
    st.kind = StepKind::Epoll;
    MapIn mm(c_, v, "epoll",
             {"socket", "events", "edge", "close_on_eof", "max_wakeups", "timeout", "on_in", "as"},
             action_key);
    st.sock = st.epoll.sock = sock(mm);
    if (auto x = mm.get("on_in")) {
      static const EpollOnIn kOnIn[] = {EpollOnIn::Read, EpollOnIn::Accept, EpollOnIn::Ignore};
      st.epoll.on_in = kOnIn[get_choice(c_, x, "on_in", {"read", "accept", "ignore"})];
    }
    // accept() needs a name for the connections it takes; nothing else binds one.
    if (st.epoll.on_in == EpollOnIn::Accept) {
      as_node = mm.need("as");
      if (mm.get("close_on_eof"))
        c_.fail(mm.key("close_on_eof"), "'close_on_eof' is for on_in: read; a listener never reads end of file");
    } else if (mm.get("as")) {
      c_.fail(mm.key("as"), "'as' names the connections accept() takes; it is only for on_in: accept");
    }
    std::uint32_t events = 0;
    bool et = false;
    if (auto ev = mm.get("events")) {
      static const std::vector<std::string> names = {"in", "out", "rdhup", "hup", "err", "et"};
      static const std::uint32_t bits[] = {0x001, 0x004, 0x2000, 0x010, 0x008, 1u << 31};
      for (const YNode* e : get_list(c_, ev, "events")) {
        std::size_t i = get_choice(c_, e, "events", names);
        events |= bits[i];
        if (names[i] == "et") et = true;
      }
    } else {
      events = 0x001;  // EPOLLIN
    }
    if (auto x = mm.get("edge")) et = get_bool(c_, x, "edge") || et;
    st.epoll.edge = et;
    if (et) events |= 1u << 31;
    st.epoll.events = events;
    if (auto x = mm.get("close_on_eof")) st.epoll.close_on_eof = get_bool(c_, x, "close_on_eof");
    if (auto x = mm.get("max_wakeups"))
      st.epoll.max_wakeups = static_cast<int>(get_int(c_, x, "max_wakeups", 1, kMaxCount));
    if (auto x = mm.get("timeout")) st.epoll.timeout = get_duration(c_, x, "timeout");
  } else if (a == "loop") {
    st.kind = StepKind::Loop;
    MapIn mm(c_, v, "loop", {"count", "every", "concurrent", "run"}, action_key);
    st.count = 0;
    if (auto x = mm.get("count")) st.count = static_cast<std::uint64_t>(get_int(c_, x, "count", 0, kMaxCount));
    if (auto x = mm.get("every")) st.every = get_duration(c_, x, "every");
    if (auto x = mm.get("concurrent")) st.concurrent = get_bool(c_, x, "concurrent");
    st.body = read_script(mm.need("run"), scope, proc, info, nullptr);
  } else if (a == "spawn") {
    st.kind = StepKind::Spawn;
    MapIn mm(c_, v, "spawn", {"run"}, action_key);
    st.body = read_script(mm.need("run"), scope, proc, info, nullptr);
  } else if (a == "signal") {
    st.kind = StepKind::Signal;
    MapIn mm(c_, v, "signal", {"sigpipe"}, action_key);
    st.ignore = get_choice(c_, mm.need("sigpipe"), "sigpipe", {"default", "ignore"}) == 1;
  }
  if (as_node) st.as = make_binding(as_node, scope, info);
  return st;
}

// ---- expect ----
// `fields:` of an expected getsockopt: what SO_ERROR (`error`) or TCP_INFO
// (`state`, `retransmits`, `probes`, `rto`, `unacked`, `total_retrans`,
// `cwnd`, `ssthresh`) read,
// in the form the trace writes after "->".
void ScenarioReader::read_call_fields(const YNode* n, const YNode* key, ExpectCall& ec) {
  if (ec.call != "getsockopt")
    c_.fail(key, "'fields' is only for call: getsockopt, not " + ec.call);
  MapIn m(c_, n, "fields",
          {"error", "state", "retransmits", "probes", "rto", "unacked", "total_retrans", "cwnd", "ssthresh"}, key);
  if (auto x = m.get("error")) {
    std::string en = get_string(c_, x, "error");
    if (en == "none") en = "0";
    if (en != "0" && !parse_errno(en))
      c_.fail(x, "'error' must be an errno name like ECONNREFUSED, or 0 (none); got " + shown(x));
    ec.fields["error"] = en;
  }
  if (auto x = m.get("state")) ec.fields["state"] = state_name(get_state(c_, x, "state"));
  for (const char* k : {"retransmits", "probes", "unacked", "total_retrans", "cwnd"})
    if (auto x = m.get(k)) ec.fields[k] = std::to_string(get_int(c_, x, k, 0, kIntMax));
  if (auto x = m.get("ssthresh")) {
    // A count of segments, or `inf` (TCP_INFINITE_SSTHRESH: no loss yet).
    if (x->is_scalar() && x->value == "inf")
      ec.fields["ssthresh"] = "inf";
    else
      ec.fields["ssthresh"] = std::to_string(get_int(c_, x, "ssthresh", 0, kIntMax));
  }
  if (auto x = m.get("rto")) ec.rto = get_duration(c_, x, "rto");
  if (ec.fields.count("error") && (ec.fields.size() > 1 || ec.rto))
    c_.fail(m.key("error"), "'error' is read with SO_ERROR and the other fields with TCP_INFO: "
                            "expect them of separate getsockopt calls");
  if (ec.fields.empty() && !ec.rto) c_.fail(n, "'fields' needs at least one field");
}

void ScenarioReader::read_expect(const YNode* key, const YNode* n) {
  MapIn m(c_, n, "expect",
          {"states", "segments", "segments_from", "calls", "at", "signals", "exits", "counts",
           "durations"},
          key);
  Expect& e = s_->expect;
  auto flag_list = [&](const YNode* list, const std::string& k) {
    std::vector<std::string> out;
    for (const YNode* f : get_list(c_, list, k)) out.push_back(flags_string(get_flags(c_, f, k)));
    return out;
  };
  if (auto x = m.get("states")) {
    if (!x->is_map()) c_.fail(x, "'states' must be a map of socket label -> list of states, got " + shown(x));
    for (const auto& [k, v] : x->pairs) {
      ExpectStates es;
      es.sock = label_ref(k, "states");
      es.loc = c_.loc(k);
      for (const YNode* st : get_list(c_, v, es.sock)) es.states.push_back(get_state(c_, st, "states"));
      e.states.push_back(std::move(es));
    }
  }
  if (auto x = m.get("segments")) {
    ExpectSegments es;
    es.flags = flag_list(x, "segments");
    es.loc = c_.loc(x);
    e.segments.push_back(std::move(es));
  }
  if (auto x = m.get("segments_from")) {
    if (!x->is_map()) c_.fail(x, "'segments_from' must be a map of host -> list of flags, got " + shown(x));
    for (const auto& [k, v] : x->pairs) {
      ExpectSegments es;
      es.from = host_ref(k, "segments_from");
      es.flags = flag_list(v, "segments_from");
      es.loc = c_.loc(k);
      e.segments.push_back(std::move(es));
    }
  }
  if (auto x = m.get("calls")) {
    for (const YNode* item : get_list(c_, x, "calls")) {
      MapIn mm(c_, item, "expect.calls", {"process", "call", "nth", "ret", "errno", "fields", "tolerance"});
      ExpectCall ec;
      ec.loc = c_.loc(item);
      ec.process = process_ref(mm.need("process"), "process");
      ec.call = call_names()[get_choice(c_, mm.need("call"), "call", call_names())];
      if (auto y = mm.get("nth")) ec.nth = static_cast<int>(get_int(c_, y, "nth", 0, kMaxCount));
      if (auto y = mm.get("ret")) ec.ret = get_int(c_, y, "ret", kI64Min, kI64Max);
      if (auto y = mm.get("errno")) {
        std::string en = get_string(c_, y, "errno");
        if (en != "none" && !parse_errno(en))
          c_.fail(y, "'errno' must be an errno name like EPIPE or ECONNRESET, or none; got " + shown(y));
        ec.err = en;
      }
      if (auto y = mm.get("fields")) read_call_fields(y, mm.key("fields"), ec);
      if (auto y = mm.get("tolerance")) {
        if (!ec.rto) c_.fail(mm.key("tolerance"), "'tolerance' is for fields: {rto: ...}; this call expects no rto");
        ec.tolerance = get_duration(c_, y, "tolerance");
      }
      if (!ec.ret && !ec.err && ec.fields.empty() && !ec.rto)
        c_.fail(item, "an expected call needs 'ret', 'errno' or 'fields'");
      e.calls.push_back(std::move(ec));
    }
  }
  if (auto x = m.get("at")) {
    for (const YNode* item : get_list(c_, x, "at")) {
      MapIn mm(c_, item, "expect.at", {"time", "state", "gone", "count"});
      ExpectAt ea;
      ea.loc = c_.loc(item);
      const YNode* tn = mm.need("time");
      ea.t = get_duration(c_, tn, "time");
      check_at_in_run(tn, ea.t, "time");
      if (auto y = mm.get("state")) {
        if (!y->is_map()) c_.fail(y, "'state' must be a map of socket label -> state, got " + shown(y));
        for (const auto& [k, v] : y->pairs) ea.state[label_ref(k, "state")] = get_state(c_, v, "state");
      }
      if (auto y = mm.get("gone")) ea.state_gone = label_ref(y, "gone");
      if (auto y = mm.get("count")) {
        if (!y->is_map()) c_.fail(y, "'count' must be a map of host -> {STATE: number}, got " + shown(y));
        for (const auto& [k, v] : y->pairs) {
          std::string h = host_ref(k, "count");
          if (!v->is_map()) c_.fail(v, "'count' of host '" + h + "' must be a map of state -> number, got " + shown(v));
          for (const auto& [sk, sv] : v->pairs)
            ea.count[h][get_state(c_, sk, "count")] = get_int(c_, sv, "count", 0, kI64Max);
        }
      }
      if (ea.state.empty() && ea.state_gone.empty() && ea.count.empty())
        c_.fail(item, "an 'at' expectation needs 'state', 'gone' or 'count'");
      e.at.push_back(std::move(ea));
    }
  }
  if (auto x = m.get("signals")) {
    for (const YNode* item : get_list(c_, x, "signals")) {
      MapIn mm(c_, item, "expect.signals", {"process", "signal", "action", "absent"});
      ExpectSignal es;
      es.loc = c_.loc(item);
      es.process = process_ref(mm.need("process"), "process");
      if (auto y = mm.get("signal")) get_choice(c_, y, "signal", {"SIGPIPE"});
      if (auto y = mm.get("action"))
        es.action = get_choice(c_, y, "action", {"killed", "ignored"}) == 0 ? "killed" : "ignored";
      if (auto y = mm.get("absent")) es.absent = get_bool(c_, y, "absent");
      e.signals.push_back(std::move(es));
    }
  }
  if (auto x = m.get("exits")) {
    for (const YNode* item : get_list(c_, x, "exits")) {
      MapIn mm(c_, item, "expect.exits", {"process", "status", "killed_by"});
      ExpectExit ex;
      ex.loc = c_.loc(item);
      ex.process = process_ref(mm.need("process"), "process");
      if (auto y = mm.get("status")) ex.status = static_cast<int>(get_int(c_, y, "status", 0, 255));
      if (auto y = mm.get("killed_by")) {
        get_choice(c_, y, "killed_by", {"SIGPIPE"});
        ex.killed_by = y->value;
      }
      if (ex.status && !ex.killed_by.empty())
        c_.fail(mm.key("killed_by"), "give either 'status' or 'killed_by', not both");
      if (!ex.status && ex.killed_by.empty())
        c_.fail(item, "an expected exit needs 'status' or 'killed_by'");
      e.exits.push_back(std::move(ex));
    }
  }
  if (auto x = m.get("counts")) {
    for (const YNode* item : get_list(c_, x, "counts")) {
      MapIn mm(c_, item, "expect.counts", {"what", "host", "state", "flags", "min", "max"});
      ExpectCount ec;
      ec.loc = c_.loc(item);
      static const std::vector<std::string> whats = {"segments", "retransmissions", "rst",
                                                     "wakeups", "peak"};
      ec.what = whats[get_choice(c_, mm.need("what"), "what", whats)];
      if (auto y = mm.get("host")) ec.host = host_ref(y, "host");
      if (auto y = mm.get("state")) {
        if (ec.what != "peak") c_.fail(mm.key("state"), "'state' is only for what: peak");
        ec.state = get_state(c_, y, "state");
      }
      if (ec.what == "peak" && !ec.state) c_.fail(item, "missing key 'state' in expect.counts (what: peak)");
      if (auto y = mm.get("flags")) {
        if (ec.what != "segments") c_.fail(mm.key("flags"), "'flags' is only for what: segments");
        ec.flags = flags_string(get_flags(c_, y, "flags"));
      }
      const YNode* mn = mm.get("min");
      const YNode* mx = mm.get("max");
      if (!mn && !mx) c_.fail(item, "an expected count needs 'min' or 'max' (or both)");
      if (mn) ec.min = get_int(c_, mn, "min", 0, kI64Max);
      if (mx) ec.max = get_int(c_, mx, "max", 0, kI64Max);
      if (ec.min > ec.max) c_.fail(mx, "'max' " + mx->value + " is below 'min' " + mn->value);
      e.counts.push_back(std::move(ec));
    }
  }
  if (auto x = m.get("durations")) {
    for (const YNode* item : get_list(c_, x, "durations")) {
      MapIn mm(c_, item, "expect.durations", {"socket", "state", "equals", "tolerance"});
      ExpectDuration ed;
      ed.loc = c_.loc(item);
      ed.sock = label_ref(mm.need("socket"), "socket");
      ed.state = get_state(c_, mm.need("state"), "state");
      ed.duration = get_duration(c_, mm.need("equals"), "equals");
      if (auto y = mm.get("tolerance")) ed.tolerance = get_duration(c_, y, "tolerance");
      e.durations.push_back(std::move(ed));
    }
  }
}

// ---- the whole file ----
Scenario ScenarioReader::read(const YDoc& doc, Scenario s) {
  std::string note;
  try {
    read_body(doc, s);
    if (errors_.empty() && variant_node_) read_kernel_variant(doc, s);
  } catch (const TooManyErrors&) {
    note = c_.file + ": stopped after " + std::to_string(kMaxErrors) + " errors";
  } catch (const LoadError& e) {  // one that leaves nothing to read on
    errors_.push_back(e);
  }
  s_ = nullptr;
  if (!errors_.empty()) throw LoadError::several(std::move(errors_), note);
  return s;
}

void ScenarioReader::read_body(const YDoc& doc, Scenario& s) {
  s_ = &s;
  if (!doc.root || doc.root->is_null())
    throw LoadError(Loc{c_.file, 1, 1},
                    "the file is empty; a scenario needs at least 'title', 'hosts' and "
                    "'processes'");
  const YNode* root = doc.root;
  if (!root->is_map())
    // Not echoed: a file that is not a scenario (say /etc/shadow) must not
    // have its contents printed in an error message.
    c_.fail(root, std::string("this is not a scenario file: the top level must be a map of keys like "
                              "title:, hosts:, processes:, but it is ") +
                      (root->is_seq() ? "a list" : "plain text"));
  // A map none of whose keys is a scenario key is some other file (a
  // password file reads as a map): say so without echoing its keys.
  bool any_known = false;
  for (const auto& [k, v] : root->pairs)
    for (const auto& known : top_level_keys()) any_known = any_known || k->value == known;
  // The catalogue's generated index (scenarios/index.yaml) lists scenarios
  // under `scenarios:`; given where a scenario is expected, say what it is.
  if (!any_known && root->pairs.size() == 1 && root->pairs[0].first->value == "scenarios")
    c_.fail(root, "this is the catalogue index (a list of the scenario files, scripts/gen-index.sh), "
                  "not a scenario; give one of the files it lists, such as normal-close.yaml");
  if (!any_known)
    c_.fail(root, "this is not a scenario file: none of its top-level keys is one tcpsim knows (title:, "
                  "hosts:, processes:, ...)");
  MapIn top(c_, root, "the top level", top_level_keys());
  attempt([&] {
    s.title = get_text(c_, top.need("title"), "title");
    if (s.title.en.empty()) c_.fail(top.need("title"), "'title' must not be empty");
  });
  if (auto x = top.get("summary")) attempt([&] { s.summary = get_text(c_, x, "summary"); });
  if (auto x = top.get("lesson")) attempt([&] { s.lesson = get_text(c_, x, "lesson"); });
  if (auto x = top.get("tags")) attempt([&] {
    for (const YNode* t : get_list(c_, x, "tags")) s.tags.push_back(get_string(c_, t, "tags"));
  });
  if (auto x = top.get("references")) attempt([&] {
    for (const YNode* t : get_list(c_, x, "references"))
      s.references.push_back(get_string(c_, t, "references"));
  });
  if (auto x = top.get("kernel")) attempt([&] {
    MapIn k(c_, x, "kernel", {"compare", "reason", "horizon", "variant"}, top.key("kernel"));
    if (auto y = k.get("compare")) s.kernel_comparable = get_bool(c_, y, "compare");
    if (auto y = k.get("reason")) s.kernel_skip_reason = get_string(c_, y, "reason");
    // horizon: compare with the kernel only up to this time (docs/fidelity.md).
    if (auto y = k.get("horizon")) s.kernel_horizon = get_duration(c_, y, "horizon", 1);
    // variant: YAML path -> value, the smaller scenario the kernel runs
    // (read_kernel_variant, once the whole file has been read).
    if (auto y = k.get("variant")) {
      if (!y->is_map() || y->pairs.empty())
        c_.fail(y, "'variant' must be a map of YAML path -> value, such as "
                   "{processes.server.fd_limit: 10}, got " + shown(y));
      if (!s.kernel_comparable)
        c_.fail(k.key("variant"), "a kernel variant is there to be compared with the kernel: it "
                                  "cannot go with compare: false");
      variant_node_ = y;
    }
  });
  if (auto x = top.get("seed")) attempt([&] { s.seed = get_uint(c_, x, "seed", UINT64_MAX); });
  if (auto x = top.get("duration")) attempt([&] {
    s.duration = get_duration(c_, x, "duration", 1);  // 0 would mean "no limit": refuse it
    duration_ = s.duration;
    duration_node_ = x;
  });
  // Without hosts nothing else can be checked: that error ends the reading.
  read_hosts(top.key("hosts"), top.need("hosts"));
  attempt([&] { read_links(top); });
  attempt([&] { read_processes(top.key("processes"), top.need("processes")); });
  // Faults after processes only so that errors come in file order for
  // typical files; faults refer to hosts and links only.
  if (auto x = top.get("faults")) attempt([&] { read_faults(x); });
  if (auto x = top.get("isn")) attempt([&] {
    if (!x->is_map()) c_.fail(x, "'isn' must be a map of socket label -> number, got " + shown(x));
    for (const auto& [k, v] : x->pairs)
      attempt([&, k = k, v = v] {
        s.isn[label_ref(k, "isn")] = static_cast<std::uint32_t>(get_uint(c_, v, "isn", UINT32_MAX));
      });
  });
  if (auto x = top.get("expect")) attempt([&] { read_expect(top.key("expect"), x); });
}

// ---- kernel: {variant:} ----

// The tree `root` with the single value at the YAML path `key` (map keys
// and list positions from 0, joined by '.') replaced by `value`. A map key
// may itself hold dots (a sysctl name): the longest key that fits is taken.
// The nodes on the way are copied into `arena`; the rest is shared.
const YNode* with_override(const Ctx& c, const YNode* root, const YNode* key, const YNode* value,
                           std::vector<std::unique_ptr<YNode>>& arena) {
  const std::string& path = key->value;
  const std::string head = "kernel.variant: '" + path + "': ";
  std::vector<std::pair<const YNode*, std::size_t>> way;  // container, position of the child taken
  const YNode* cur = root;
  std::string rest = path, done;
  auto where = [&] { return done.empty() ? std::string("the top level") : "'" + done + "'"; };
  for (;;) {
    if (rest.empty() || rest[0] == '.')
      c.fail(key, head + "an empty part in the path; write map keys and list positions (from 0) "
                         "joined by '.', such as processes.client.run.0.loop.count");
    std::size_t taken = 0, at = 0;
    if (cur->is_map()) {
      for (std::size_t i = 0; i < cur->pairs.size(); ++i) {
        const std::string& k = cur->pairs[i].first->value;
        if (k.size() > taken && (rest == k || rest.compare(0, k.size() + 1, k + ".") == 0)) {
          taken = k.size();
          at = i;
        }
      }
      if (!taken) {
        std::vector<std::string> keys;
        for (const auto& [k, v] : cur->pairs) keys.push_back(k->value);
        c.fail(key, head + where() + " has no key '" + rest.substr(0, rest.find('.')) + "' (it has " +
                        join(keys) + ")");
      }
      if (done.empty() && (cur->pairs[at].first->value == "kernel" || cur->pairs[at].first->value == "expect"))
        c.fail(key, head + "the variant has no " + cur->pairs[at].first->value +
                        ": block to change (it is the kernel comparison's run; the scenario's expect: "
                        "describes the full run and is not checked on the variant)");
      done += (done.empty() ? "" : ".") + cur->pairs[at].first->value;
      way.emplace_back(cur, at);
      cur = cur->pairs[at].second;
    } else if (cur->is_seq()) {
      const std::string part = rest.substr(0, rest.find('.'));
      if (part.size() > 9 || !std::all_of(part.begin(), part.end(), [](char ch) { return ch >= '0' && ch <= '9'; }) ||
          (part.size() > 1 && part[0] == '0'))
        c.fail(key, head + where() + " is a list: the next part of the path must be a position from 0, "
                        "got '" + part + "'");
      at = std::stoul(part);
      if (at >= cur->items.size())
        c.fail(key, head + where() + " has no item " + part + " (it has " + std::to_string(cur->items.size()) +
                        (cur->items.size() == 1 ? " item" : " items") + ", numbered from 0)");
      taken = part.size();
      done += "." + part;
      way.emplace_back(cur, at);
      cur = cur->items[at];
    } else {
      c.fail(key, head + where() + " is a single value; it has no '" + rest + "'");
    }
    if (rest.size() == taken) break;
    rest.erase(0, taken + 1);
  }
  if (cur->kind != YNode::Kind::Scalar)
    c.fail(key, head + "this is " + (cur->is_map() ? "a map" : cur->is_seq() ? "a list" : "empty") +
                    ", not a single value: a variant replaces single values (name one inside it)");
  if (!value->is_scalar())
    c.fail(value, head + "the new value must be a single value like the one it replaces, got " + shown(value));
  const YNode* child = value;
  for (auto it = way.rbegin(); it != way.rend(); ++it) {
    arena.push_back(std::make_unique<YNode>(*it->first));
    YNode* copy = arena.back().get();
    if (copy->is_map()) copy->pairs[it->second].second = child;
    else copy->items[it->second] = child;
    child = copy;
  }
  return child;
}

// The variant is the file itself with the overridden values, read by a
// reader of its own: a value of the wrong kind is reported where the
// variant gives it ("with kernel.variant's values: 'fd_limit' must be ...").
// It has no kernel: block (its horizon and reason are the scenario's) and
// no expect: (they describe the full run).
void ScenarioReader::read_kernel_variant(const YDoc& doc, Scenario& s) {
  std::vector<std::unique_ptr<YNode>> arena;
  const YNode* root = doc.root;
  std::vector<KernelOverride> overrides;
  for (const auto& [k, v] : variant_node_->pairs)
    attempt([&, k = k, v = v] {
      root = with_override(c_, root, k, v, arena);
      overrides.push_back({k->value, v->value, v->quoted});
    });
  if (!errors_.empty()) return;
  arena.push_back(std::make_unique<YNode>(*root));
  YNode* top = arena.back().get();
  top->pairs.erase(std::remove_if(top->pairs.begin(), top->pairs.end(),
                                  [](const auto& kv) {
                                    return kv.first->value == "kernel" || kv.first->value == "expect";
                                  }),
                   top->pairs.end());
  YDoc variant_doc;
  variant_doc.root = top;
  Scenario v;
  v.name = s.name;
  v.path = s.path;
  ScenarioReader r(c_.file);
  try {
    r.read_body(variant_doc, v);
  } catch (const TooManyErrors&) {
  } catch (const LoadError& e) {
    r.errors_.push_back(e);
  }
  for (const LoadError& e : r.errors_)
    attempt([&] { throw LoadError(e.loc(), "with kernel.variant's values: " + e.message()); });
  if (!errors_.empty()) return;
  v.kernel_horizon = s.kernel_horizon;
  v.kernel_skip_reason = s.kernel_skip_reason;
  s.kernel_variant_overrides = std::move(overrides);
  s.kernel_variant = std::make_shared<const Scenario>(std::move(v));
}

std::string stem_of(const std::string& path) {
  return std::filesystem::path(path).stem().string();
}

}  // namespace
}  // namespace loader

Scenario load_scenario_string(const std::string& text, const std::string& path) {
  loader::YDoc doc = loader::parse_yaml(text, path);
  Scenario s;
  s.name = loader::stem_of(path);
  s.path = path;
  loader::ScenarioReader r(path);
  return r.read(doc, std::move(s));
}

namespace {
const char* file_kind(mode_t m) {
  if (S_ISDIR(m)) return "a directory";
  if (S_ISFIFO(m)) return "a FIFO (named pipe)";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}
}  // namespace

std::string check_regular_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::string("cannot open: ") + std::strerror(errno);
  if (!S_ISREG(st.st_mode))
    return std::string("is ") + file_kind(st.st_mode) + ", not a scenario file; give a regular file";
  return {};
}

Scenario load_scenario_file(const std::string& path) {
  // Only regular files: opening a FIFO blocks until a writer comes, a device
  // may never end. O_NONBLOCK keeps open() itself from blocking on a FIFO
  // that replaced the file after stat(); fstat on the open descriptor decides.
  if (std::string why = check_regular_file(path); !why.empty()) throw LoadError(Loc{path, 0, 0}, why);
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) throw LoadError(Loc{path, 0, 0}, std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw LoadError(Loc{path, 0, 0}, std::string("is ") + file_kind(st.st_mode) +
                                         ", not a scenario file; give a regular file");
  }
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      throw LoadError(Loc{path, 0, 0}, std::string("cannot read the file: ") + std::strerror(err));
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > loader::kMaxFileBytes + 1) break;  // parse_yaml reports it
  }
  ::close(fd);
  return load_scenario_string(text, path);
}

bool is_catalogue_index(const std::string& path) {
  return std::filesystem::path(path).filename() == "index.yaml";
}

std::vector<CatalogueEntry> list_catalogue(const std::string& dir,
                                           std::vector<std::string>* errors) {
  namespace fs = std::filesystem;
  std::vector<CatalogueEntry> out;
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    std::error_code ec2;
    if (p.extension() == ".yaml" && it->is_regular_file(ec2) && !is_catalogue_index(p.string()))
      files.push_back(p);
  }
  if (ec) {
    if (errors) errors->push_back(dir + ": cannot read the directory: " + ec.message());
    return out;
  }
  std::sort(files.begin(), files.end());
  for (const auto& p : files) {
    try {
      Scenario s = load_scenario_file(p.string());
      CatalogueEntry e;
      e.name = s.name;
      e.path = s.path;
      e.title = s.title;
      e.summary = s.summary;
      e.tags = s.tags;
      out.push_back(std::move(e));
    } catch (const LoadError& e) {
      if (errors) errors->push_back(e.what());
    }
  }
  return out;
}

}  // namespace tcpsim
