// tcpsim — `tcpsim run` filters (issue #15 point 5): --host, --socket,
// --kinds, --from (and --until, which also stops the run), and the TCB of
// each socket event in the text format (--tcb).
#pragma once

#include <cstdio>
#include <string>
#include <unordered_map>
#include <vector>

#include "tcpsim/trace.hpp"

namespace tcpsim::cli {

struct RunFilter {
  std::string host;                 // host name; "" = every host
  std::string socket;               // socket label ("server/conn#2") or id (sid); "" = every socket
  std::vector<std::string> kinds;   // event kind names; empty = every kind
  Time from = 0;                    // first time shown
  bool active() const { return !host.empty() || !socket.empty() || !kinds.empty() || from > 0; }
};

// Prints the events that pass the filter, as text or JSONL. JSONL keeps each
// event's index "i" in the whole trace, so a filtered line names the same
// event as the unfiltered trace does.
class FilteredPrinter : public TraceSink {
 public:
  FilteredPrinter(std::FILE* out, bool jsonl, bool tcb, RunFilter f);
  void on_host(const HostInfo& h) override;
  void on_process(const ProcessInfo& p) override;
  void on_socket(const SocketInfo& s) override;
  void on_event(const Event& e) override;
  bool wants_tcb() const override { return tcb_; }
  std::uint32_t event_kinds() const override;
  // A filter naming a host or socket that never appeared in the run: the
  // message to give (empty when everything named was seen).
  std::string unmatched() const;

 private:
  bool pass(const Event& e) const;
  bool pass_but_socket(const Event& e) const;
  std::string format(const Event& e, std::size_t i) const;
  std::FILE* out_;
  bool jsonl_, tcb_;
  RunFilter f_;
  std::uint32_t kind_mask_ = ~0u;
  std::uint32_t sid_ = 0;   // --socket given as a number
  int host_ = -1;           // --host resolved
  bool socket_seen_ = false;
  TraceMeta meta_;
  std::size_t index_ = 0;
  // A child socket is born in the kernel ("server/lsock~1") and gets its
  // label at accept(): its earlier lines wait here until the label says
  // whether --socket wants them.
  std::unordered_map<std::uint32_t, std::string> unaccepted_;
};

// "segment,state" -> names checked; the error names the option and the
// word that is not a kind ("" when all are kinds).
std::string check_kinds(const std::vector<std::string>& kinds);

// One line for people: the TCB at an event ("    tcb: ESTABLISHED snd_una=...").
std::string format_tcb_text(const TcbSnapshot& t);

}  // namespace tcpsim::cli
