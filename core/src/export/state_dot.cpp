// tcpsim — the TCP state machine as Graphviz DOT, with the path one socket
// took highlighted and its steps numbered in order.
//
// The edges are RFC 793 Figure 6 (RFC 9293 §3.3.2 Figure 5), with the
// labels of the figure ("rcv SYN / snd SYN,ACK"), plus FIN-WAIT-1 ->
// TIME-WAIT on a FIN that also acknowledges ours (RFC 9293 §3.10.7.4,
// "FIN-WAIT-1 STATE: ... enter TIME-WAIT"). Transitions a socket takes that
// the figure does not draw (RST, retransmission give-up, Linux's orphaned
// FIN_WAIT_2 timeout) are added, dashed, only when visited; so are, as
// dashed self-loops with a count, the transition table's rows that change no
// state when the socket took them (a challenge ACK, an RST or another
// segment outside the window: fsm_loop_of_note()).
#include <algorithm>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "tcpsim/export.hpp"
#include "tcpsim/fsm_table.hpp"

namespace tcpsim {

namespace {

using S = TcpState;
struct RfcEdge {
  S from, to;
  const char* label;
  const char* event;  // the transition table's event (fsm_event_of_cause) the edge stands for
};
constexpr RfcEdge kRfcEdges[] = {
    {S::Closed, S::Listen, "passive OPEN\\ncreate TCB", "listen()"},
    {S::Closed, S::SynSent, "active OPEN\\ncreate TCB / snd SYN", "connect()"},
    {S::Listen, S::Closed, "CLOSE\\ndelete TCB", "close()"},
    {S::Listen, S::SynReceived, "rcv SYN\\nsnd SYN,ACK", "rcv SYN"},
    {S::Listen, S::SynSent, "SEND\\nsnd SYN", "SEND"},
    {S::SynSent, S::Closed, "CLOSE\\ndelete TCB", "close()"},
    {S::SynSent, S::SynReceived, "rcv SYN\\nsnd SYN,ACK", "rcv SYN"},
    {S::SynSent, S::Established, "rcv SYN,ACK\\nsnd ACK", "rcv SYN,ACK"},
    {S::SynReceived, S::Established, "rcv ACK of SYN", "rcv ACK of SYN"},
    {S::SynReceived, S::FinWait1, "CLOSE\\nsnd FIN", "close()"},
    {S::Established, S::FinWait1, "CLOSE\\nsnd FIN", "close()"},
    {S::Established, S::CloseWait, "rcv FIN\\nsnd ACK", "rcv FIN"},
    {S::FinWait1, S::FinWait2, "rcv ACK of FIN", "rcv ACK of FIN"},
    {S::FinWait1, S::Closing, "rcv FIN\\nsnd ACK", "rcv FIN"},
    {S::FinWait1, S::TimeWait, "rcv FIN + ACK of FIN\\nsnd ACK", "rcv FIN"},
    {S::FinWait2, S::TimeWait, "rcv FIN\\nsnd ACK", "rcv FIN"},
    {S::CloseWait, S::LastAck, "CLOSE\\nsnd FIN", "close()"},
    {S::Closing, S::TimeWait, "rcv ACK of FIN", "rcv ACK of FIN"},
    {S::LastAck, S::Closed, "rcv ACK of FIN", "rcv ACK of FIN"},
    {S::TimeWait, S::Closed, "timeout = 2MSL\\ndelete TCB", "2MSL timeout"},
};

std::string dot_escape(const std::string& s) {
  std::string r;
  for (char c : s) {
    if (c == '"' || c == '\\') r += '\\';
    if (c == '\n') {
      r += "\\n";
      continue;
    }
    r += c;
  }
  return r;
}

const char* kPathColours[] = {"#c0392b", "#1f5fa8", "#2e8b57", "#8e44ad"};
const char* kFillColours[] = {"#fde2dd", "#dbe8f8", "#dcf2e5", "#efe0f5"};

// Localizes each line of a DOT label ("\\n" separates lines).
std::string localize_lines(const std::string& label, const std::string& lang) {
  std::string out;
  std::size_t from = 0;
  while (true) {
    const std::size_t nl = label.find("\\n", from);
    out += localize_label(label.substr(from, nl == std::string::npos ? std::string::npos : nl - from), lang);
    if (nl == std::string::npos) break;
    out += "\\n";
    from = nl + 2;
  }
  return out;
}

std::string step_list(const std::vector<int>& steps) {
  std::string s;
  for (int n : steps) s += (s.empty() ? "" : ", ") + std::to_string(n);
  return s;
}

}  // namespace

std::vector<std::uint32_t> resolve_endpoints(const Trace& t, const std::string& which,
                                             std::string* error) {
  const TraceMeta& m = t.meta;
  // The order in which sockets first appear in state events.
  std::vector<std::uint32_t> order;
  std::map<std::uint32_t, std::vector<const Event*>> changes;
  for (const auto& e : t.events)
    if (e.kind == EventKind::State && e.sock != 0) {
      auto& v = changes[e.sock];
      if (v.empty()) order.push_back(e.sock);
      v.push_back(&e);
    }
  auto connected = [&](std::uint32_t id) {  // ever left CLOSED/LISTEN
    for (const Event* e : changes[id])
      if (e->to != S::Closed && e->to != S::Listen) return true;
    return false;
  };
  auto active = [&]() -> std::uint32_t {
    for (auto id : order)
      for (const Event* e : changes[id])
        if (e->to == S::SynSent) return id;
    return 0;
  };
  auto passive = [&]() -> std::uint32_t {
    for (auto id : order)
      for (const Event* e : changes[id])
        if (e->to == S::SynReceived && e->from != S::SynSent) return id;
    // A core that creates the accepted socket only once established.
    for (auto id : order) {
      bool was_syn_sent = false;
      for (const Event* e : changes[id]) was_syn_sent |= e->to == S::SynSent;
      if (!was_syn_sent && connected(id)) return id;
    }
    return 0;
  };

  // 1. A socket label ("server/conn", "server/conn#2"; "#1" is the plain name).
  for (const auto& s : m.sockets)
    if (s.label == which || s.label + "#1" == which || s.label == which + "#1") return {s.id};
  // 2. A process name: its first socket that carried a connection.
  for (auto id : order)
    if (const SocketInfo* s = m.socket(id); s && s->label.rfind(which + "/", 0) == 0 && connected(id))
      return {id};
  // 3. A role.
  if (which == "client" || which == "server" || which == "both") {
    std::vector<std::uint32_t> r;
    if (which != "server")
      if (auto id = active()) r.push_back(id);
    if (which != "client")
      if (auto id = passive()) r.push_back(id);
    if (!r.empty()) return r;
    *error = "no " + which + " socket in this trace (no " +
             (which == "client" ? std::string("active open") : which == "server" ? "passive open" : "connection") + ")";
    return {};
  }
  std::string known;
  for (auto id : order)
    if (const SocketInfo* s = m.socket(id)) known += (known.empty() ? "" : ", ") + s->label;
  *error = "no socket or process named '" + which + "' (try client, server, both" +
           (known.empty() ? "" : ", or one of: " + known) + ")";
  return {};
}

void write_dot(const Trace& t, std::ostream& out, const DotOptions& o) {
  const std::string title = o.title.empty() ? t.meta.scenario : o.title;
  out << "// TCP state machine (RFC 793 Figure 6 / RFC 9293 Figure 5); render: dot -Tsvg\n";
  out << "digraph tcp_states {\n";
  out << "  graph [fontname=\"DejaVu Sans\", rankdir=TB, nodesep=0.5, ranksep=0.45, labelloc=t";
  if (!title.empty()) out << ", label=\"" << dot_escape(title) << "\"";
  out << "];\n";
  out << "  node [fontname=\"DejaVu Sans\", shape=box, style=\"rounded,filled\", fillcolor=white, "
         "fontsize=12];\n";
  out << "  edge [fontname=\"DejaVu Sans\", fontsize=9, color=\"#777777\", fontcolor=\"#555555\"];\n";

  std::vector<std::uint32_t> socks = o.sockets;
  if (socks.empty()) socks.push_back(0);  // the bare diagram
  for (std::size_t k = 0; k < socks.size(); ++k) {
    const std::uint32_t sock = socks[k];
    const std::string colour = kPathColours[k % 4], fill = kFillColours[k % 4];
    const std::string p = socks.size() > 1 ? "s" + std::to_string(k + 1) + "_" : "";
    const std::string ind = socks.size() > 1 ? "    " : "  ";
    std::string label = localize_label("socket", o.lang);
    if (const SocketInfo* si = t.meta.socket(sock)) label = si->label;

    // The socket's path: its state events in the window, numbered. An edge
    // is a pair of states and the event taken between them: a transition
    // joins a figure edge only when its event is the figure's (an RST in
    // TIME-WAIT is not "timeout = 2MSL"); the others are drawn dashed, one
    // per event, labelled with the traced cause: why that arrow was taken.
    using Key = std::tuple<S, S, std::string>;
    std::map<Key, std::vector<int>> steps;
    std::map<Key, std::string> extra;  // visited, not in the figure: cause
    std::vector<Key> extra_order;
    std::set<S> visited;
    std::optional<S> first;
    int n = 0;
    // Rows that change no state, by state and loop label, in the order met.
    std::vector<std::pair<std::pair<S, std::string>, int>> loops;
    if (sock != 0) {
      std::optional<S> now;
      for (const auto& e : t.events) {
        if (e.sock != sock) continue;
        if (e.kind == EventKind::State) now = e.to;
        if (e.kind != EventKind::Note || !now || !o.window.contains(e.t)) continue;
        const std::string loop = fsm_loop_of_note(e.text);
        if (loop.empty()) continue;
        auto it = std::find_if(loops.begin(), loops.end(),
                               [&](const auto& l) { return l.first.first == *now && l.first.second == loop; });
        if (it == loops.end()) loops.push_back({{*now, loop}, 1});
        else ++it->second;
      }
    }
    if (sock != 0)
      for (const auto& e : t.events) {
        if (e.kind != EventKind::State || e.sock != sock || !o.window.contains(e.t)) continue;
        if (e.from == e.to) continue;
        if (!first) first = e.from;
        visited.insert(e.from);
        visited.insert(e.to);
        const std::string ev = fsm_event_of_cause(e.text);
        const RfcEdge* rfc = nullptr;
        for (const auto& r : kRfcEdges)
          if (r.from == e.from && r.to == e.to && (ev.empty() || ev == r.event)) rfc = &r;
        const Key key{e.from, e.to, rfc ? rfc->event : ev};
        steps[key].push_back(++n);
        if (!rfc && !extra.count(key)) {
          extra[key] = localize_label(e.text.empty() ? "not in RFC 793 Figure 6" : e.text, o.lang);
          extra_order.push_back(key);
        }
      }

    if (socks.size() > 1) {
      out << "  subgraph cluster_" << k + 1 << " {\n";
      out << "    label=\"" << dot_escape(label) << "\"; fontsize=14; color=\"#bbbbbb\";\n";
    }
    for (int i = 0; i < kNumTcpStates; ++i) {
      const S s = static_cast<S>(i);
      out << ind << p << state_name(s) << " [label=\"" << state_rfc_name(s) << "\"";
      if (visited.count(s)) {
        out << ", fillcolor=\"" << fill << "\", color=\"" << colour << "\", penwidth=2";
        if (first && *first == s) out << ", peripheries=2";
      }
      out << "];\n";
    }
    // Keep the familiar shape of the figure.
    out << ind << "{ rank=same; " << p << "SYN_RECEIVED; " << p << "SYN_SENT; }\n";
    out << ind << "{ rank=same; " << p << "FIN_WAIT_1; " << p << "CLOSE_WAIT; }\n";
    out << ind << "{ rank=same; " << p << "FIN_WAIT_2; " << p << "CLOSING; " << p << "LAST_ACK; }\n";

    auto edge = [&](const Key& key, const std::string& text, bool dashed) {
      const S from = std::get<0>(key), to = std::get<1>(key);
      out << ind << p << state_name(from) << " -> " << p << state_name(to) << " [label=\""
          << text;
      auto it = steps.find(key);
      if (it != steps.end()) {
        out << "\\n(" << step_list(it->second) << ")\", color=\"" << colour << "\", fontcolor=\""
            << colour << "\", penwidth=2.5";
      } else {
        out << "\"";
      }
      if (dashed) out << ", style=dashed";
      out << "];\n";
    };
    for (const auto& r : kRfcEdges) edge(Key{r.from, r.to, r.event}, localize_lines(r.label, o.lang), false);
    for (const auto& key : extra_order) edge(key, dot_escape(extra[key]), true);
    // One self-loop per state, a line per row: Graphviz lays the labels of
    // several loops on one node over each other.
    for (int i = 0; i < kNumTcpStates; ++i) {
      const S s = static_cast<S>(i);
      std::string lines;
      for (const auto& [what, count] : loops)
        if (what.first == s)
          lines += (lines.empty() ? "" : "\\n") + dot_escape(localize_label(what.second, o.lang)) + " ×" +
                   std::to_string(count);
      if (lines.empty()) continue;
      out << ind << p << state_name(s) << " -> " << p << state_name(s) << " [label=\"" << lines << "\", color=\""
          << colour << "\", fontcolor=\"" << colour << "\", style=dashed, penwidth=1.5];\n";
    }

    if (sock != 0) {
      out << ind << p << "legend [shape=note, style=filled, fillcolor=\"#fffbe6\", fontsize=10, label=\""
          << dot_escape(label) << ": " << n << " "
          << localize_label(n == 1 ? "transition in order" : "transitions in order", o.lang)
          << " (1), (2), ...\\n" << localize_label("double border: first state", o.lang)
          << (o.lang.rfind("zh", 0) == 0 ? "；" : "; ")
          << localize_label("dashed: not in RFC 793 Figure 6", o.lang) << "\"];\n";
    }
    if (socks.size() > 1) out << "  }\n";
  }
  out << "}\n";
}

}  // namespace tcpsim
