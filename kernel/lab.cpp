// tcpsim::kernel — namespaces, TUN devices, the userspace wire, the tracefs
// state tracer and the /proc/net/tcp samplers (see lab.hpp).
#include "lab.hpp"

#include "packet.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/ethernet.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <queue>
#include <random>
#include <sstream>
#include <tuple>

#include "script_runner.hpp"
#include "tcpsim/types.hpp"

namespace tcpsim::kernel {

namespace {

constexpr const char* kTracefs = "/sys/kernel/tracing";

bool write_file(const std::string& path, const std::string& text) {
  int fd = open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  return ok;
}

int linux_state_from_name(const std::string& s) {
  static const char* names[] = {"",          "ESTABLISHED", "SYN_SENT", "SYN_RECV",
                                "FIN_WAIT1", "FIN_WAIT2",   "TIME_WAIT", "CLOSE",
                                "CLOSE_WAIT", "LAST_ACK",   "LISTEN",   "CLOSING",
                                "NEW_SYN_RECV"};
  for (int i = 1; i <= 12; ++i)
    if (s == names[i]) return i;
  return 0;
}

std::string field(const std::string& line, const std::string& key) {
  auto p = line.find(" " + key + "=");
  if (p == std::string::npos) return {};
  p += key.size() + 2;
  auto e = line.find(' ', p);
  return line.substr(p, e == std::string::npos ? std::string::npos : e - p);
}

}  // namespace

int run_command(const std::vector<std::string>& argv, std::string* out) {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) return -1;
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    dup2(pipefd[1], 1);
    dup2(pipefd[1], 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(pipefd[1]);
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(pipefd[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
  close(pipefd[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (out) *out = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Lab::Lab(const Scenario& sc, std::uint64_t seed) : sc_(sc), seed_(seed) {
  static std::atomic<int> runs{0};
  tag_ = "tcpsim-" + std::to_string(getpid()) + "-" + std::to_string(runs.fetch_add(1));
  for (const auto& h : sc.hosts) {
    auto lh = std::make_unique<LabHost>();
    lh->name = h.name;
    lh->ip = h.ip;
    lh->ns = tag_ + "-" + h.name;
    hosts_.push_back(std::move(lh));
  }
  busy_per_host_.assign(hosts_.size(), 0);
  routes_ = compute_routes(sc);
  for (const auto& h : sc.hosts) wildcard_ = wildcard_ || binds_any_address(sc, h.name);
}

bool binds_any_address(const Scenario& sc, const std::string& host) {
  std::function<bool(const std::vector<Step>&)> loopback = [&](const std::vector<Step>& steps) {
    for (const Step& st : steps)
      if ((st.kind == StepKind::Connect && is_loopback_ip(st.to_ip)) || loopback(st.body)) return true;
    return false;
  };
  for (const auto& p : sc.processes)
    if (p.host == host && loopback(p.script)) return true;
  return false;
}

Lab::~Lab() { teardown(); }

int Lab::host_by_ip(std::uint32_t ip) const {
  for (std::size_t i = 0; i < hosts_.size(); ++i)
    if (hosts_[i]->ip == ip) return static_cast<int>(i);
  return -1;
}

std::string Lab::open_tun(LabHost& h) { return open_tun_in_namespace(h.ns_fd, &h.tun_fd); }

std::string open_tun_in_namespace(int ns_fd, int* tun_fd) {
  std::string err;
  std::thread t([&] {
    if (setns(ns_fd, CLONE_NEWNET) != 0) {
      err = std::string("setns: ") + std::strerror(errno);
      return;
    }
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
      err = std::string("/dev/net/tun: ") + std::strerror(errno);
      return;
    }
    ifreq ifr{};
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    std::strncpy(ifr.ifr_name, "tun0", IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
      err = std::string("TUNSETIFF: ") + std::strerror(errno);
      close(fd);
      return;
    }
    *tun_fd = fd;
  });
  t.join();
  return err;
}

std::string Lab::configure(LabHost& h, std::vector<std::string>* notes) {
  std::string out;
  auto ip = [&](std::vector<std::string> args) -> bool {
    args.insert(args.begin(), {"ip", "-n", h.ns});
    if (run_command(args, &out) != 0) return false;
    return true;
  };
  if (!ip({"link", "set", "lo", "up"}) || !ip({"link", "set", "tun0", "up"}) ||
      !ip({"addr", "add", ip_string(h.ip) + "/32", "dev", "tun0"}))
    return "configuring namespace " + h.ns + ": " + out;
  // A route to each host the links reach (routing.hpp). The wire, not the
  // kernel, picks the next hop; a TUN device has no link layer, so every
  // route is just "dev tun0". A host no path reaches gets none: connect()
  // fails with ENETUNREACH, as on a real host without a route.
  const int self = host_by_ip(h.ip);
  for (std::size_t o = 0; o < hosts_.size(); ++o)
    if (static_cast<int>(o) != self && self >= 0 && routes_.next[self][o] >= 0 &&
        !ip({"route", "add", ip_string(hosts_[o]->ip) + "/32", "dev", "tun0"}))
      return "route in " + h.ns + ": " + out;
  // No IPv6 chatter on the wire.
  run_command({"ip", "netns", "exec", h.ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"});
  for (const auto& hs : sc_.hosts) {
    if (hs.name != h.name) continue;
    if (hs.forward) {
      std::string e = configure_forwarding(h, hs);
      if (!e.empty()) return e;
    }
    for (const auto& [key, value] : hs.sysctl_overrides) {
      std::string v = value;
      // Durations the scenario wrote ("30s") become seconds for Linux.
      if (!v.empty() && !std::isdigit(static_cast<unsigned char>(v.back())) &&
          v.find(' ') == std::string::npos) {
        if (auto d = parse_duration(v)) v = std::to_string(*d / 1000000);
      }
      if (key.rfind("net.", 0) != 0) {
        if (notes) notes->push_back(h.name + ": " + key + " is not a kernel sysctl; not applied");
        continue;
      }
      if (run_command({"ip", "netns", "exec", h.ns, "sysctl", "-qw", key + "=" + v}, &out) != 0)
        return "sysctl " + key + "=" + v + " in " + h.ns + ": " + out;
    }
  }
  return {};
}

// `forward: true`: a router. Its one TUN device is both its way in and its
// way out (the wire delivers each hop), so ICMP redirects ("use the other
// host directly", ip_forward() -> ip_rt_send_redirect()) are turned off.
// `nat:`: nftables in the host's namespace — masquerade of the inside hosts
// (nf_nat: the source port is kept when free) and the policy for a packet
// whose flow conntrack does not know (docs/kernel-facts.md §37): a non-SYN
// packet that would start a flow (ct state new: loose pick-up of a mid-stream
// segment, nf_conntrack_tcp_loose) or that conntrack calls invalid (a FIN or
// RST of no flow), forwarded or addressed to the host itself.
std::string Lab::configure_forwarding(LabHost& h, const HostSpec& hs) {
  std::string out;
  for (const char* kv : {"net.ipv4.ip_forward=1", "net.ipv4.conf.all.send_redirects=0",
                         "net.ipv4.conf.default.send_redirects=0",
                         "net.ipv4.conf.tun0.send_redirects=0"})
    if (run_command({"ip", "netns", "exec", h.ns, "sysctl", "-qw", kv}, &out) != 0)
      return std::string("sysctl ") + kv + " in " + h.ns + ": " + out;
  if (!hs.nat) return {};
  std::string inside;
  for (const auto& name : hs.nat->inside)
    if (const HostSpec* in = sc_.host(name)) inside += (inside.empty() ? "" : ", ") + ip_string(in->ip);
  if (inside.empty()) return {};
  const std::string verdict = hs.nat->policy == NatPolicy::Rst ? "reject with tcp reset" : "drop";
  const std::string unknown = "    ct state invalid " + verdict + "\n" +
                              "    ct state new tcp flags & (fin|syn|rst|ack) != syn " + verdict + "\n";
  std::string rules = "table ip tcpsim {\n"
                      "  chain postrouting {\n"
                      "    type nat hook postrouting priority srcnat; policy accept;\n"
                      "    ip saddr { " + inside + " } ip daddr != { " + inside + " } masquerade\n"
                      "  }\n"
                      "  chain forward {\n"
                      "    type filter hook forward priority filter; policy accept;\n" + unknown +
                      // A new flow from outside to an inside host: no mapping
                      // lets it in (the simulator refuses it the same way).
                      "    ip saddr != { " + inside + " } ip daddr { " + inside + " } ct state new " + verdict + "\n" +
                      "  }\n"
                      "  chain input {\n"
                      "    type filter hook input priority filter; policy accept;\n" + unknown +
                      "  }\n"
                      "}\n";
  char path[] = "/tmp/tcpsim-nft-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return std::string("nft rules file: ") + std::strerror(errno);
  bool ok = write(fd, rules.data(), rules.size()) == static_cast<ssize_t>(rules.size());
  close(fd);
  int rc = ok ? run_command({"ip", "netns", "exec", h.ns, "nft", "-f", path}, &out) : -1;
  unlink(path);
  if (rc != 0) return "nft in " + h.ns + " (is nftables installed?): " + out;
  return {};
}

// An AF_PACKET socket on lo inside the namespace: segments between two
// sockets of one host never reach the TUN device (ip_route_output() picks
// lo for a local address), so the wire reads them here.
static std::string open_lo_capture(int ns_fd, int* lo_fd) {
  std::string err;
  std::thread t([&] {
    if (setns(ns_fd, CLONE_NEWNET) != 0) {
      err = std::string("setns: ") + std::strerror(errno);
      return;
    }
    // ETH_P_ALL: only taps of every protocol see the leaving copy (dev_queue_xmit_nit()).
    int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
    if (fd < 0) {
      err = std::string("AF_PACKET socket: ") + std::strerror(errno);
      return;
    }
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = 1;  // lo is always ifindex 1 (LOOPBACK_IFINDEX, net/core/dev.c)
    int one = 1;
    if (bind(fd, reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) != 0) {
      err = std::string("capture on lo: ") + std::strerror(errno);
      close(fd);
      return;
    }
    *lo_fd = fd;
  });
  t.join();
  return err;
}

std::string Lab::setup(std::vector<std::string>* notes) {
  for (auto& h : hosts_) {
    std::string out;
    if (run_command({"ip", "netns", "add", h->ns}, &out) != 0)
      return "ip netns add " + h->ns + ": " + out;
    h->ns_fd = open(("/var/run/netns/" + h->ns).c_str(), O_RDONLY | O_CLOEXEC);
    if (h->ns_fd < 0) return "open namespace " + h->ns + ": " + std::strerror(errno);
    std::string err = open_tun(*h);
    if (err.empty()) err = open_lo_capture(h->ns_fd, &h->lo_fd);
    if (!err.empty()) return err;
  }
  {
    timespec m{}, r{};
    clock_gettime(CLOCK_MONOTONIC, &m);
    clock_gettime(CLOCK_REALTIME, &r);
    realtime_to_mono_ = (static_cast<std::int64_t>(m.tv_sec) - r.tv_sec) * 1000000000 + (m.tv_nsec - r.tv_nsec);
  }
  for (auto& h : hosts_) {
    std::string err = configure(*h, notes);
    if (!err.empty()) return err;
  }
  return {};
}

std::string Lab::replace_namespace(int host) {
  LabHost& h = *hosts_[host];
  std::lock_guard<std::mutex> g(mu_);
  old_namespaces_.push_back(h.ns);
  int old_tun = h.tun_fd;
  int old_ns = h.ns_fd;
  h.ns = tag_ + "-" + h.name + "-r" + std::to_string(old_namespaces_.size());
  std::string out;
  if (run_command({"ip", "netns", "add", h.ns}, &out) != 0) return "ip netns add: " + out;
  h.ns_fd = open(("/var/run/netns/" + h.ns).c_str(), O_RDONLY | O_CLOEXEC);
  std::string err = open_tun(h);
  int old_lo = h.lo_fd;
  h.lo_fd = -1;
  if (err.empty()) err = open_lo_capture(h.ns_fd, &h.lo_fd);
  if (err.empty()) err = configure(h, nullptr);
  if (old_lo >= 0) close(old_lo);
  close(old_tun);
  close(old_ns);
  return err;
}

std::string Lab::start() {
  // tracefs: a private instance, so other tracing users are not disturbed.
  struct stat st{};
  std::string events = std::string(kTracefs) + "/events";
  if (stat(events.c_str(), &st) != 0) mount("nodev", kTracefs, "tracefs", 0, nullptr);
  trace_dir_ = std::string(kTracefs) + "/instances/" + tag_;
  if (mkdir(trace_dir_.c_str(), 0700) != 0) {
    std::string e = "tracefs instance " + trace_dir_ + ": " + std::strerror(errno);
    trace_dir_.clear();
    return e;
  }
  write_file(trace_dir_ + "/trace_clock", "mono");
  write_file(trace_dir_ + "/buffer_size_kb", "4096");
  if (!write_file(trace_dir_ + "/events/sock/inet_sock_set_state/enable", "1"))
    return "cannot enable sock:inet_sock_set_state";
  trace_fd_ = open((trace_dir_ + "/trace_pipe").c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (trace_fd_ < 0) return "trace_pipe: " + std::string(std::strerror(errno));
  threads_.emplace_back([this] { trace_loop(); });
  for (std::size_t i = 0; i < hosts_.size(); ++i)
    threads_.emplace_back([this, i] { sample_loop(static_cast<int>(i)); });
  wire_thread_ = std::thread([this] { wire_loop(); });
  return {};
}

void Lab::trace_loop() {
  sched_param sp{};
  sp.sched_priority = 5;
  pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
  std::string pending;
  char buf[65536];
  for (;;) {
    pollfd p{trace_fd_, POLLIN, 0};
    poll(&p, 1, 20);
    ssize_t n = read(trace_fd_, buf, sizeof buf);
    if (n > 0) {
      pending.append(buf, static_cast<std::size_t>(n));
      std::size_t pos;
      while ((pos = pending.find('\n')) != std::string::npos) {
        std::string line = pending.substr(0, pos);
        pending.erase(0, pos + 1);
        if (line.find("inet_sock_set_state:") == std::string::npos) continue;
        if (field(line, "protocol") != "IPPROTO_TCP" || field(line, "family") != "AF_INET")
          continue;
        // "<task>-<pid> [cpu] flags  12345.678901: inet_sock_set_state: ..."
        auto colon = line.find(": inet_sock_set_state");
        auto sp = line.rfind(' ', colon);
        double ts = std::atof(line.substr(sp + 1, colon - sp - 1).c_str());
        TraceLine tl;
        tl.t = static_cast<std::int64_t>(ts * 1e9 + 0.5);
        tl.sport = static_cast<std::uint16_t>(std::atoi(field(line, "sport").c_str()));
        tl.dport = static_cast<std::uint16_t>(std::atoi(field(line, "dport").c_str()));
        tl.saddr = parse_ip(field(line, "saddr")).value_or(0);
        tl.daddr = parse_ip(field(line, "daddr")).value_or(0);
        std::string os = field(line, "oldstate"), ns = field(line, "newstate");
        tl.oldstate = linux_state_from_name(os.substr(os.find('_') + 1));
        tl.newstate = linux_state_from_name(ns.substr(ns.find('_') + 1));
        // Sockets of the scenario's addresses only; with listeners on
        // INADDR_ANY also 0.0.0.0 and 127.x (kernel_run.cpp keeps only the
        // ones a script's call names).
        auto ours = [&](std::uint32_t a) {
          return host_by_ip(a) >= 0 || (wildcard_ && (a == 0 || is_loopback_ip(a)));
        };
        if (!ours(tl.saddr)) continue;
        if (tl.daddr != 0 && !ours(tl.daddr)) continue;
        std::lock_guard<std::mutex> g(mu_);
        lines_.push_back(tl);
      }
    } else if (stop_.load()) {
      break;
    }
  }
}

void Lab::sample_loop(int host) {
  // Each sampler thread lives in its host's namespace; /proc/thread-self/net
  // shows that namespace's sockets. After a reboot the namespace changes.
  sched_param sp{};
  sp.sched_priority = 5;  // see wire_loop(): the samplers must not starve either
  pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
  int ns_fd = -1;
  std::map<std::tuple<std::uint32_t, std::uint16_t, std::uint32_t, std::uint16_t, bool>, int> last;
  // Time left on each time-wait sock's timer (clock ticks): a new time-wait
  // sock on the 4-tuple of one a connect() took over (tcp_tw_reuse) may
  // appear between two samples with the same state; its timer starts afresh.
  std::map<std::tuple<std::uint32_t, std::uint16_t, std::uint32_t, std::uint16_t, bool>, long> last_left, left;
  while (!stop_.load()) {
    {
      std::lock_guard<std::mutex> g(mu_);
      if (ns_fd != hosts_[host]->ns_fd) {
        ns_fd = hosts_[host]->ns_fd;
        setns(ns_fd, CLONE_NEWNET);
      }
    }
    std::ifstream f("/proc/thread-self/net/tcp");
    std::string line;
    std::getline(f, line);
    decltype(last) cur;
    int busy = 0;
    while (std::getline(f, line)) {
      std::istringstream is(line);
      std::string sl, local, remote, st, queues, timer;
      is >> sl >> local >> remote >> st >> queues >> timer;
      auto hexip = [](const std::string& s) {
        return ntohl(static_cast<std::uint32_t>(std::stoul(s.substr(0, 8), nullptr, 16)));
      };
      auto hexport = [](const std::string& s) {
        return static_cast<std::uint16_t>(std::stoul(s.substr(9), nullptr, 16));
      };
      int state = std::stoi(st, nullptr, 16);
      bool tw = timer.rfind("03:", 0) == 0;  // timer kind 3: a time-wait sock
      cur[{hexip(local), hexport(local), hexip(remote), hexport(remote), tw}] = state;
      if (tw && timer.size() > 3)
        left[{hexip(local), hexport(local), hexip(remote), hexport(remote), tw}] =
            std::strtol(timer.c_str() + 3, nullptr, 16);
      if (state == 2 || state == 3 || state == 4 || state == 9 || state == 11 ||
          (state == 5 && tw) || state == 12)
        ++busy;
    }
    // When the walk ended: an entry seen was there by then (the walk over the
    // hash table takes up to a millisecond; a socket that appeared during it,
    // e.g. over lo, must not look older than the state change that made it).
    const std::int64_t now = mono_ns();
    std::vector<SampleChange> changes;
    for (const auto& [k, s] : cur) {
      auto it = last.find(k);
      auto was = last_left.find(k);
      bool renewed = std::get<4>(k) && was != last_left.end() && left.count(k) && left[k] > was->second + 1;
      if (it == last.end() || it->second != s || renewed)
        changes.push_back({now, host, std::get<0>(k), std::get<2>(k), std::get<1>(k),
                           std::get<3>(k), std::get<4>(k), s});
    }
    last_left = std::move(left);
    left.clear();
    for (const auto& [k, s] : last)
      if (!cur.count(k))
        changes.push_back({now, host, std::get<0>(k), std::get<2>(k), std::get<1>(k),
                           std::get<3>(k), std::get<4>(k), -1});
    last = std::move(cur);
    {
      std::lock_guard<std::mutex> g(mu_);
      samples_.insert(samples_.end(), changes.begin(), changes.end());
      busy_per_host_[host] = busy;
      int total = 0;
      for (int b : busy_per_host_) total += b;
      busy_ = total;
    }
    usleep(2000);
  }
}

namespace {

bool parse_packet(const unsigned char* p, std::size_t n, WirePacket& w) {
  if (n < 20 || (p[0] >> 4) != 4) return false;
  std::size_t ihl = (p[0] & 15u) * 4u;
  std::size_t tot = (static_cast<std::size_t>(p[2]) << 8) | p[3];
  if (p[9] != 6 || n < ihl + 20 || tot > n) return false;
  const unsigned char* t = p + ihl;
  auto u16 = [](const unsigned char* x) { return static_cast<std::uint16_t>((x[0] << 8) | x[1]); };
  auto u32 = [](const unsigned char* x) {
    return (static_cast<std::uint32_t>(x[0]) << 24) | (static_cast<std::uint32_t>(x[1]) << 16) |
           (static_cast<std::uint32_t>(x[2]) << 8) | x[3];
  };
  w.src_ip = u32(p + 12);
  w.dst_ip = u32(p + 16);
  w.sport = u16(t);
  w.dport = u16(t + 2);
  w.seq = u32(t + 4);
  w.ack = u32(t + 8);
  std::size_t doff = (t[12] >> 4) * 4u;
  w.flags = t[13] & 0x3f;
  w.win = u16(t + 14);
  w.len = static_cast<std::uint32_t>(tot - ihl - doff);
  return true;
}

bool matches(const SegmentMatch& m, const std::string& from, const WirePacket& w) {
  if (!m.from.empty() && m.from != from) return false;
  if (m.flags && w.flags != *m.flags) return false;
  if ((w.flags & m.has) != m.has) return false;
  if (m.data && (*m.data != (w.len > 0))) return false;
  return true;
}

struct Pending {
  std::int64_t due;
  std::uint64_t order;
  std::size_t packet;             // index into packets_
  std::vector<unsigned char> bytes;
  bool operator>(const Pending& o) const {
    return due != o.due ? due > o.due : order > o.order;
  }
};

}  // namespace

void Lab::wire_loop() {
  // The machine is shared with compilers: a real-time priority keeps the
  // wire's timing within tens of microseconds (best effort; root only).
  sched_param sp{};
  sp.sched_priority = 20;
  pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
  std::mt19937_64 rng(seed_);
  std::uniform_real_distribution<double> uni(0.0, 1.0);
  std::priority_queue<Pending, std::vector<Pending>, std::greater<Pending>> q;
  std::uint64_t order = 0;
  std::vector<int> fault_hits(sc_.faults.size(), 0);
  std::map<std::pair<int, int>, std::int64_t> tx_free;  // per direction: serialisation queue
  std::vector<bool> timed_done(sc_.faults.size(), false);
  std::map<std::pair<std::string, std::string>, bool> link_down;
  bool all_down = false;
  std::vector<unsigned char> buf(65536);
  // Segments delivered to each forwarding host, not yet seen leaving it.
  struct Passing {
    std::int64_t t;
    std::uint32_t seq, ack, len;
    std::uint8_t flags;
    std::size_t packet;  // index into packets_
  };
  std::vector<std::vector<Passing>> passing(hosts_.size());
  // What each direction of each connection has sent, for `inject:`: the
  // sequence space it reached (its SND.NXT, the other side's RCV.NXT once
  // delivered), the highest ACK and the last window it wrote.
  struct DirSeen {
    std::uint32_t nxt = 0, ack = 0;
    std::uint16_t win = 0;
    bool any = false, acked = false;
  };
  using DirKey = std::tuple<std::uint32_t, std::uint16_t, std::uint32_t, std::uint16_t>;
  std::map<DirKey, DirSeen> seen;
  auto after = [](std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b) > 0; };

  auto link_for = [&](int a, int b) -> const LinkSpec* {
    for (const auto& l : sc_.links)
      if ((l.a == hosts_[a]->name && l.b == hosts_[b]->name) ||
          (l.b == hosts_[a]->name && l.a == hosts_[b]->name))
        return &l;
    return sc_.links.empty() ? nullptr : &sc_.links.front();
  };
  auto is_down = [&](int a, int b) {
    if (all_down) return true;
    auto x = link_down.find({hosts_[a]->name, hosts_[b]->name});
    if (x != link_down.end() && x->second) return true;
    x = link_down.find({hosts_[b]->name, hosts_[a]->name});
    return x != link_down.end() && x->second;
  };

  while (!wire_stop_.load()) {
    std::int64_t now = mono_ns();
    // Timed link faults.
    for (std::size_t i = 0; i < sc_.faults.size(); ++i) {
      const auto& f = sc_.faults[i];
      if (timed_done[i] || (f.kind != FaultKind::LinkDown && f.kind != FaultKind::LinkUp)) continue;
      if (now - t0_.load() < f.at * 1000) continue;
      timed_done[i] = true;
      bool down = f.kind == FaultKind::LinkDown;
      if (f.link_a.empty()) {
        all_down = down;
        link_down.clear();
      } else {
        link_down[{f.link_a, f.link_b}] = down;
      }
    }
    std::vector<int> fds;
    {
      std::lock_guard<std::mutex> g(mu_);
      for (auto& h : hosts_) fds.push_back(h->tun_fd);
    }
    std::vector<pollfd> pfds;
    for (int fd : fds) pfds.push_back({fd, POLLIN, 0});
    std::vector<pollfd> lo_pfds;  // loopback captures, read after the TUN devices
    {
      std::lock_guard<std::mutex> g(mu_);
      for (auto& h : hosts_) lo_pfds.push_back({h->lo_fd, POLLIN, 0});
    }
    pfds.insert(pfds.end(), lo_pfds.begin(), lo_pfds.end());
    int timeout_ms = 5;
    if (!q.empty()) {
      std::int64_t d = q.top().due - now;
      timeout_ms = d <= 0 ? 0 : static_cast<int>(std::min<std::int64_t>(5, d / 1000000));
    }
    if (timeout_ms > 0 || q.empty()) poll(pfds.data(), pfds.size(), timeout_ms);
    // Busy-wait the last millisecond for sub-millisecond delivery precision.
    for (std::size_t hi = 0; hi < lo_pfds.size(); ++hi)
      if (lo_pfds[hi].fd >= 0) read_loopback(static_cast<int>(hi), buf);
    for (std::size_t hi = 0; hi < fds.size(); ++hi) {
      for (;;) {
        ssize_t n = read(fds[hi], buf.data(), buf.size());
        if (n <= 0) break;
        WirePacket w;
        if (!parse_packet(buf.data(), static_cast<std::size_t>(n), w)) continue;
        w.t_send = mono_ns();
        w.from = static_cast<int>(hi);
        const int dest = host_by_ip(w.dst_ip);
        if (dest < 0 || dest == w.from) continue;  // not for a scenario host: never forwarded
        // Hop by hop (`forward: true` hosts): the next host on the route;
        // a router's kernel forwards it and the wire reads it again from
        // the router's TUN device as the next hop's packet.
        w.to = routes_.next[w.from][dest];
        if (w.to < 0) {
          w.to = dest;
          w.dropped = true;
          w.reason = "no route";
        }
        last_packet_ = w.t_send;
        const LinkSpec* link = link_for(w.from, w.to);
        std::int64_t delay = link ? link->delay * 1000 : 1000000;
        int copies = 1;
        if (w.dropped) {
        } else if (hosts_[w.from]->down) {
          w.dropped = true;
          w.reason = "sender crashed";  // never on the wire (see kernel_run.cpp)
        } else if (hosts_[w.to]->down) {
          w.dropped = true;
          w.reason = "host down";
        } else if (is_down(w.from, w.to)) {
          w.dropped = true;
          w.reason = "link down";
        }
        // A segment a router passes on (it was delivered to this host, which
        // forwards, and comes back with the same numbers, masqueraded or not)
        // is not matched by the segment rules again: they act on the link the
        // sending TCP put it on, as in the simulator (network.cpp).
        bool passed_on = false;
        if (sc_.hosts[hi].forward) {
          auto& pl = passing[hi];
          for (auto it = pl.begin(); it != pl.end();) {
            if (w.t_send - it->t > 2'000'000'000) {  // a copy the router dropped
              it = pl.erase(it);
              continue;
            }
            if (!passed_on && it->seq == w.seq && it->ack == w.ack && it->len == w.len && it->flags == w.flags) {
              passed_on = true;
              w.forwarded = true;
              std::lock_guard<std::mutex> g(mu_);
              packets_[it->packet].passed_on = true;
              it = pl.erase(it);
              continue;
            }
            ++it;
          }
        }
        for (std::size_t i = 0; i < sc_.faults.size() && !w.dropped && !passed_on; ++i) {
          const auto& f = sc_.faults[i];
          if (f.kind != FaultKind::Drop && f.kind != FaultKind::Delay &&
              f.kind != FaultKind::Duplicate)
            continue;
          if (!matches(f.match, hosts_[w.from]->name, w)) continue;
          int k = ++fault_hits[i];
          if (k < f.match.nth || (f.match.count > 0 && k >= f.match.nth + f.match.count)) continue;
          if (f.kind == FaultKind::Drop) {
            w.dropped = true;
            w.reason = "fault: drop";
          } else if (f.kind == FaultKind::Delay) {
            delay += f.delay * 1000;
          } else {
            copies = 2;
          }
        }
        if (!w.dropped && link) {
          if (link->loss > 0 && uni(rng) < link->loss) {
            w.dropped = true;
            w.reason = "link loss";
          }
          if (link->jitter > 0) delay += static_cast<std::int64_t>(uni(rng) * link->jitter * 1000);
          if (link->reorder > 0 && uni(rng) < link->reorder) delay += link->reorder_gap * 1000;
          if (link->duplicate > 0 && uni(rng) < link->duplicate) copies = 2;
        }
        std::int64_t due = w.t_send + delay;
        if (link && link->rate_bps > 0) {
          auto& free_at = tx_free[{w.from, w.to}];
          std::int64_t start = std::max(w.t_send, free_at);
          std::int64_t ser = static_cast<std::int64_t>(n) * 8 * 1000000000 /
                             static_cast<std::int64_t>(link->rate_bps);
          free_at = start + ser;
          due = free_at + delay;
        }
        std::size_t idx;
        {
          std::lock_guard<std::mutex> g(mu_);
          w.id = static_cast<std::uint32_t>(packets_.size() + 1);
          packets_.push_back(w);
          idx = packets_.size() - 1;
        }
        if (w.dropped) continue;
        {
          DirSeen& d = seen[DirKey{w.src_ip, w.sport, w.dst_ip, w.dport}];
          const std::uint32_t end = w.seq + w.len + ((w.flags & 0x02) ? 1 : 0) + ((w.flags & 0x01) ? 1 : 0);
          if (!d.any || after(end, d.nxt)) d.nxt = end;
          if ((w.flags & 0x10) && (!d.acked || after(w.ack, d.ack))) {
            d.ack = w.ack;
            d.acked = true;
          }
          d.win = w.win;
          d.any = true;
        }
        std::vector<unsigned char> bytes(buf.begin(), buf.begin() + n);
        for (int c = 0; c < copies; ++c) {
          std::int64_t extra = 0;
          if (c == 1)
            for (const auto& f : sc_.faults)
              if (f.kind == FaultKind::Duplicate) extra = f.delay * 1000;
          q.push({due + extra, order++, idx, bytes});
        }
      }
    }
    // Crafted segments (`inject:`), numbered from what this wire forwarded.
    std::vector<Injection> todo;
    {
      std::lock_guard<std::mutex> g(mu_);
      todo.swap(injections_);
    }
    for (const Injection& in : todo) {
      const DirSeen& peer = seen[DirKey{in.rip, in.rport, in.lip, in.lport}];  // the peer's sending side
      const DirSeen& own = seen[DirKey{in.lip, in.lport, in.rip, in.rport}];   // the target's sending side
      auto value = [&](const SeqRef& r) -> std::uint32_t {
        std::uint32_t base = 0;
        switch (r.base) {
          case SeqRef::Base::Number: base = 0; break;
          case SeqRef::Base::RcvNxt: base = peer.nxt; break;
          case SeqRef::Base::SndNxt: base = own.nxt; break;
          case SeqRef::Base::SndUna: base = peer.ack; break;
        }
        return base + static_cast<std::uint32_t>(r.offset);
      };
      pkt::Packet k;
      k.src = in.spec.spoof ? in.rip : hosts_[in.from]->ip;
      k.dst = in.lip;
      k.sport = in.rport;
      k.dport = in.lport;
      k.seq = value(in.spec.seq);
      k.ack = value(in.spec.ack);
      k.flags = in.spec.flags;
      k.win = in.spec.win ? *in.spec.win : peer.win;
      k.len = in.spec.len;
      std::vector<std::uint8_t> bytes = pkt::build(k);
      WirePacket w;
      w.t_send = mono_ns();
      w.from = in.from;
      w.to = in.to;
      w.src_ip = k.src;
      w.dst_ip = k.dst;
      w.sport = k.sport;
      w.dport = k.dport;
      w.seq = k.seq;
      w.ack = k.ack;
      w.len = k.len;
      w.win = k.win;
      w.flags = k.flags;
      w.injected = "injected, " + std::string(in.spec.spoof ? "spoofed as " + endpoint_string(in.rip, in.rport)
                                                            : "from " + endpoint_string(k.src, k.sport));
      if (hosts_[in.to]->down || is_down(in.from, in.to)) {
        w.dropped = true;
        w.reason = hosts_[in.to]->down ? "host down" : "link down";
      }
      const LinkSpec* link = link_for(in.from, in.to);
      std::size_t idx;
      {
        std::lock_guard<std::mutex> g(mu_);
        w.id = static_cast<std::uint32_t>(packets_.size() + 1);
        packets_.push_back(w);
        idx = packets_.size() - 1;
      }
      last_packet_ = w.t_send;
      if (!w.dropped) q.push({w.t_send + (link ? link->delay * 1000 : 1000000), order++, idx, bytes});
    }
    // Deliver what is due (busy-wait the last millisecond).
    while (!q.empty()) {
      std::int64_t d = q.top().due - mono_ns();
      if (d > 1000000) break;
      while (d > 0) d = q.top().due - mono_ns();
      Pending p = q.top();
      q.pop();
      int to;
      int fd;
      {
        std::lock_guard<std::mutex> g(mu_);
        to = packets_[p.packet].to;
        fd = hosts_[to]->tun_fd;
      }
      if (hosts_[to]->down) continue;
      {
        // Stamp before write(): the receiving stack runs inside write().
        std::lock_guard<std::mutex> g(mu_);
        if (packets_[p.packet].t_deliver == 0) packets_[p.packet].t_deliver = mono_ns();
      }
      if (sc_.hosts[static_cast<std::size_t>(to)].forward) {
        std::lock_guard<std::mutex> g(mu_);
        const WirePacket& x = packets_[p.packet];
        passing[static_cast<std::size_t>(to)].push_back({mono_ns(), x.seq, x.ack, x.len, x.flags, p.packet});
      }
      ssize_t wr = write(fd, p.bytes.data(), p.bytes.size());
      (void)wr;
    }
  }
}

void Lab::inject(const Injection& in) {
  std::lock_guard<std::mutex> g(mu_);
  injections_.push_back(in);
}

// Segments over lo: the packet socket sees each twice, leaving
// (PACKET_OUTGOING, dev_queue_xmit_nit()) and arriving (PACKET_HOST, after
// loopback_xmit() -> netif_rx()); the first is the send, the second the
// delivery. Times are the kernel's stamps (SO_TIMESTAMPNS, CLOCK_REALTIME),
// so the wire's polling adds no delay. Nothing is delayed or dropped: lo has
// no link and no scenario fault applies to it.
void Lab::read_loopback(int host, std::vector<unsigned char>& buf) {
  for (;;) {
    sockaddr_ll from{};
    iovec iov{buf.data(), buf.size()};
    alignas(cmsghdr) char ctl[256];
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = ctl;
    msg.msg_controllen = sizeof ctl;
    int fd = hosts_[host]->lo_fd;
    ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);
    if (n <= 0) return;
    std::int64_t t = mono_ns();
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
        timespec ts{};
        std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
        std::int64_t k = static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec + realtime_to_mono_;
        if (k > 0 && k <= t) t = k;
      }
    WirePacket w;
    if (!parse_packet(buf.data(), static_cast<std::size_t>(n), w)) continue;
    if (hosts_[host]->down) continue;  // a crashed host's abandoned sockets: not part of the run
    auto same = [&](const WirePacket& o) {
      return o.src_ip == w.src_ip && o.dst_ip == w.dst_ip && o.sport == w.sport && o.dport == w.dport &&
             o.seq == w.seq && o.ack == w.ack && o.flags == w.flags && o.len == w.len;
    };
    std::lock_guard<std::mutex> g(mu_);
    if (from.sll_pkttype == PACKET_OUTGOING) {
      w.t_send = t;
      w.from = w.to = host;
      w.loopback = true;
      w.id = static_cast<std::uint32_t>(packets_.size() + 1);
      packets_.push_back(w);
      lo_pending_.push_back(packets_.size() - 1);
      last_packet_ = t;
    } else {
      for (auto it = lo_pending_.begin(); it != lo_pending_.end(); ++it)
        if (packets_[*it].from == host && same(packets_[*it])) {
          packets_[*it].t_deliver = std::max(t, packets_[*it].t_send);
          lo_pending_.erase(it);
          break;
        }
    }
  }
}

void Lab::stop_wire() {
  wire_stop_ = true;
  if (wire_thread_.joinable()) wire_thread_.join();
}

std::vector<WirePacket> Lab::packets() {
  std::lock_guard<std::mutex> g(mu_);
  return packets_;
}
std::vector<TraceLine> Lab::trace_lines() {
  std::lock_guard<std::mutex> g(mu_);
  return lines_;
}
std::vector<SampleChange> Lab::samples() {
  std::lock_guard<std::mutex> g(mu_);
  return samples_;
}

void Lab::teardown() {
  if (torn_down_) return;
  torn_down_ = true;
  stop_wire();
  // Let the tracer drain what the last milliseconds produced.
  usleep(30000);
  stop_ = true;
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
  if (trace_fd_ >= 0) close(trace_fd_);
  trace_fd_ = -1;
  if (!trace_dir_.empty()) {
    write_file(trace_dir_ + "/events/sock/inet_sock_set_state/enable", "0");
    for (int i = 0; i < 50 && rmdir(trace_dir_.c_str()) != 0; ++i) usleep(20000);
    trace_dir_.clear();
  }
  std::vector<std::string> names = old_namespaces_;
  for (auto& h : hosts_) {
    if (h->tun_fd >= 0) close(h->tun_fd);
    if (h->ns_fd >= 0) close(h->ns_fd);
    if (h->lo_fd >= 0) close(h->lo_fd);
    h->tun_fd = h->ns_fd = h->lo_fd = -1;
    names.push_back(h->ns);
  }
  for (const auto& ns : names) {
    // Abort every socket left (orphans would otherwise go on retransmitting
    // inside the dead namespace for minutes), then remove the namespace.
    run_command({"ip", "netns", "exec", ns, "ss", "-K", "-t", "-a"});
    run_command({"ip", "netns", "del", ns});
  }
}

}  // namespace tcpsim::kernel
