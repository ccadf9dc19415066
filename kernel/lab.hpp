// tcpsim::kernel — the laboratory a kernel run happens in: network namespaces
// with TUN devices, the userspace wire between them, the tracefs instance
// that reports socket state changes, and the /proc/net/tcp samplers.
// Everything made here is removed by Lab::teardown() (also from the
// destructor), so a failed run leaves nothing behind.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tcpsim/routing.hpp"
#include "tcpsim/scenario.hpp"

namespace tcpsim::kernel {

// Runs a command (no shell); returns its exit status, output in `out`.
int run_command(const std::vector<std::string>& argv, std::string* out = nullptr);

// Creates the TUN device "tun0" inside the network namespace `ns_fd` (a TUN
// device belongs to the namespace of the thread that creates it, so a helper
// thread joins it first). "" and *tun_fd set, or why it failed.
std::string open_tun_in_namespace(int ns_fd, int* tun_fd);

// Listeners of this host bind to INADDR_ANY instead of the host's address:
// a process on it connects to 127.x.x.x, which a listener bound to the
// host's address would refuse (the simulator's listeners take any local
// address).
bool binds_any_address(const Scenario& sc, const std::string& host);

struct LabHost {
  std::string name;
  std::uint32_t ip = 0;
  std::string ns;      // network namespace name
  int ns_fd = -1;
  int tun_fd = -1;
  int lo_fd = -1;      // AF_PACKET socket on the namespace's lo (loopback capture)
  std::atomic<bool> down{false};  // crashed: the wire drops everything to and from it
};

// One IPv4/TCP packet seen by the wire.
struct WirePacket {
  std::int64_t t_send = 0;       // CLOCK_MONOTONIC ns when read from the sender's TUN
  std::int64_t t_deliver = 0;    // when written to the receiver's TUN (0 = not delivered)
  int from = -1, to = -1;        // host indexes of this hop (from == to: over lo)
  std::uint32_t src_ip = 0, dst_ip = 0;
  std::uint16_t sport = 0, dport = 0;
  std::uint32_t seq = 0, ack = 0, len = 0;
  std::uint16_t win = 0;
  std::uint8_t flags = 0;
  bool dropped = false;
  std::string reason;            // why it was dropped
  std::uint32_t id = 0;
  bool loopback = false;         // captured on lo, never on the wire
  bool forwarded = false;        // a router passing on a segment it received (not its TCP's own)
  bool passed_on = false;        // delivered to a router, which passed it on
  std::string injected;          // `inject:`: "injected, spoofed as 10.0.0.1:40000" ("" = a TCP sent it)
};

// `inject:` (kernel_run.cpp): a crafted segment for the socket (lip, lport)
// of host `to` connected to (rip, rport); the wire fills in the numbers
// from what it has forwarded on that connection.
struct Injection {
  int to = -1, from = -1;        // host indexes
  std::uint32_t lip = 0, rip = 0;
  std::uint16_t lport = 0, rport = 0;
  InjectSpec spec;
};

// A state change reported by the sock:inet_sock_set_state tracepoint.
struct TraceLine {
  std::int64_t t = 0;            // CLOCK_MONOTONIC ns
  std::uint32_t saddr = 0, daddr = 0;
  std::uint16_t sport = 0, dport = 0;
  int oldstate = 0, newstate = 0;  // Linux TCP_* values
};

// A change seen by the /proc/net/tcp sampler (state -1 = the entry is gone).
struct SampleChange {
  std::int64_t t = 0;
  int host = 0;
  std::uint32_t lip = 0, rip = 0;
  std::uint16_t lport = 0, rport = 0;
  bool tw = false;               // a time-wait sock (TIME_WAIT, or orphaned FIN_WAIT2)
  int state = -1;
};

class Lab {
 public:
  explicit Lab(const Scenario& sc, std::uint64_t seed);
  ~Lab();
  Lab(const Lab&) = delete;
  Lab& operator=(const Lab&) = delete;

  // Creates namespaces, TUN devices, addresses, routes and sysctls. Returns
  // "" or the reason it failed.
  std::string setup(std::vector<std::string>* notes);
  // Starts the tracer, the samplers and the wire.
  std::string start();
  // Scenario time zero (CLOCK_MONOTONIC ns), for timed link faults.
  void set_t0(std::int64_t t0) { t0_ = t0; }
  // Stops forwarding (nothing more reaches any host).
  void stop_wire();
  // Aborts every socket left (ss -K), removes namespaces and the tracefs instance.
  void teardown();

  std::vector<std::unique_ptr<LabHost>>& hosts() { return hosts_; }
  int host_by_ip(std::uint32_t ip) const;
  // Some host binds its listeners to INADDR_ANY (a process there connects
  // to 127.0.0.1): state changes of 0.0.0.0 and 127.x sockets are traced.
  bool wildcard_addresses() const { return wildcard_; }

  // Collected data (call after stop_wire()).
  std::vector<WirePacket> packets();
  std::vector<TraceLine> trace_lines();
  std::vector<SampleChange> samples();
  std::int64_t last_packet_time() const { return last_packet_.load(); }
  // Sockets in a state that still has a timer (SYN_SENT, SYN_RECV, FIN_WAIT1,
  // CLOSING, LAST_ACK, an orphaned FIN_WAIT2) in any namespace, from the samplers.
  int busy_sockets() const { return busy_.load(); }

  // Queues a crafted segment; the wire sends it at once (after the link delay).
  void inject(const Injection& in);

  // Crash / reboot a host (faults): see kernel_run.cpp.
  void set_down(int host, bool down) { hosts_[host]->down = down; }
  std::string replace_namespace(int host);  // reboot: a fresh namespace, empty tables

 private:
  void wire_loop();
  void trace_loop();
  void sample_loop(int host);
  std::string open_tun(LabHost& h);
  std::string configure(LabHost& h, std::vector<std::string>* notes);
  std::string configure_forwarding(LabHost& h, const HostSpec& hs);
  void read_loopback(int host, std::vector<unsigned char>& buf);

  const Scenario& sc_;
  std::uint64_t seed_;
  std::string tag_;
  std::vector<std::unique_ptr<LabHost>> hosts_;
  Routes routes_;                  // next hop of each (host, destination host)
  bool wildcard_ = false;
  std::vector<std::size_t> lo_pending_;  // loopback packets (packets_) not yet seen arriving
  std::int64_t realtime_to_mono_ = 0;  // CLOCK_MONOTONIC - CLOCK_REALTIME (lo timestamps)
  std::vector<std::string> old_namespaces_;
  std::string trace_dir_;
  int trace_fd_ = -1;
  std::atomic<std::int64_t> t0_{INT64_MAX / 2};
  std::atomic<bool> stop_{false};
  std::atomic<bool> wire_stop_{false};
  std::atomic<std::int64_t> last_packet_{0};
  std::atomic<int> busy_{0};
  std::vector<int> busy_per_host_;
  std::mutex mu_;
  std::vector<WirePacket> packets_;
  std::vector<TraceLine> lines_;
  std::vector<SampleChange> samples_;
  std::vector<std::thread> threads_;
  std::vector<Injection> injections_;  // queued by inject(), taken by the wire (mu_)
  std::thread wire_thread_;
  bool torn_down_ = false;
};

}  // namespace tcpsim::kernel
