// tcpsim property tests — invariants checked after every trace event, and
// at the end of a run over every socket the simulation still has.
//
//  I1 every state change is a row of the transition table (fsm_has_row),
//     and starts from the state the socket was in;
//  I2 sequence space: SND.UNA =< SND.NXT, SND.UNA and RCV.NXT only advance
//     (modulo 2^32, RFC 9293 §3.4);
//  I3 bytes read by the application = bytes the peer wrote, when the
//     connection ended with a FIN in that direction and no RST or abort;
//  I4 no socket left in a non-final state at the end that no process holds,
//     except the leaks a scenario makes on purpose (known by reason);
//  I5 TIME_WAIT lasts exactly 2MSL from its last (re)arming unless reset or
//     reused; an orphaned FIN_WAIT_2 lasts tcp_fin_timeout; the FIN_WAIT_2
//     timer is only ever armed for an orphan (after close(), not after
//     shutdown(SHUT_WR));
//  I6 determinism (checked by the runner: two runs, byte-identical JSONL).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tcpsim/scenario.hpp"
#include "tcpsim/simulation.hpp"
#include "tcpsim/trace.hpp"

namespace tcpsim::prop {

struct Violation {
  std::string invariant;  // "I1" ... "I6", or "run"
  std::string message;
};

class InvariantChecker : public TraceSink {
 public:
  explicit InvariantChecker(const Scenario& sc);

  void on_host(const HostInfo& h) override { meta_.hosts.push_back(h); }
  void on_process(const ProcessInfo& p) override;
  void on_socket(const SocketInfo& s) override;
  void on_event(const Event& e) override;

  // After the run: the end-of-run checks (I3, I4) over the live sockets.
  void finish(const Simulation& sim);

  const std::vector<Violation>& violations() const { return v_; }
  // Notes "ACK for data not yet sent" seen (the ACK war of a reported core bug).
  std::uint64_t ack_not_sent_notes() const { return ack_not_sent_; }

 private:
  struct Track {
    bool has_state = false;
    TcpState state = TcpState::Closed;
    Time entered = 0;
    bool synced = false;              // RCV.NXT is meaningful (the peer's SYN was seen)
    std::uint32_t rcv_nxt = 0;
    bool una_known = false;
    std::uint32_t snd_una = 0;
    Time tw_armed = -1;               // time of the last TIME_WAIT arm
    Time tw_deadline = 0;
    Time fw2_armed = -1;
    Time fw2_len = 0;      // its length: tcp_fin_time() = max(tcp_fin_timeout, 3.5 RTO)
    std::uint64_t sent = 0;           // bytes send() returned
    std::uint64_t read = 0;           // bytes recv() returned
    bool fin_rcvd = false;            // a state change caused by the peer's FIN
    bool eof_after_fin = false;       // recv() returned 0 after that FIN
    bool eof_early = false;           // recv() returned 0 without a FIN (SHUT_RD, close)
    bool unclean = false;             // RST, abort, crash, error
    bool tw_overflow = false;
    std::uint32_t lip = 0, rip = 0;
    std::uint16_t lport = 0, rport = 0;
    std::uint16_t host = 0;
  };
  void fail(const std::string& inv, const Event& e, const std::string& what);
  std::string label(std::uint32_t sock) const;
  Track& track(const Event& e);
  static std::pair<std::uint64_t, std::uint64_t> pair_key(std::uint32_t ip1, std::uint16_t p1,
                                                          std::uint32_t ip2, std::uint16_t p2);

  const Scenario& sc_;
  TraceMeta meta_;
  std::map<std::uint32_t, Track> t_;
  std::set<std::pair<std::uint64_t, std::uint64_t>> reset_pairs_;  // connections an RST travelled on
  std::vector<Violation> v_;
  std::uint64_t ack_not_sent_ = 0;
};

}  // namespace tcpsim::prop
