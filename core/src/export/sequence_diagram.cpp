// tcpsim — the segment exchange as a text sequence diagram: Mermaid
// (https://mermaid.js.org/syntax/sequenceDiagram.html) and PlantUML
// (https://plantuml.com/sequence-diagram). Both are drawn from one list of
// items (arrows and notes) built from the trace, so they always agree.
#include <algorithm>
#include <cctype>
#include <ostream>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "tcpsim/export.hpp"

namespace tcpsim {

namespace {

struct Item {
  enum Kind { Arrow, Note, NoteAll } kind = Note;
  int from = 0, to = 0;  // participant indexes (Arrow); from = the host of a Note
  bool lost = false;
  std::string text;
};

struct Participant {
  std::string name;   // host name (or the address of an unknown host)
  std::string ip;
  std::set<std::uint16_t> ports;  // ports it sent from or received on
  bool used = false;
  // The addresses its segments carried in the window, in the order first
  // used, when they are not just `ip`: a host talking to itself over
  // loopback uses 127.0.0.1 (and its own address over lo too).
  std::vector<std::string> addrs;
};

struct Diagram {
  std::string title;
  std::vector<Participant> parts;
  std::vector<Item> items;
};

int participant_for_ip(Diagram& d, const TraceMeta& m, std::uint32_t ip) {
  for (std::size_t i = 0; i < m.hosts.size(); ++i)
    if (m.hosts[i].ip == ip) return static_cast<int>(i);
  const std::string s = ip_string(ip);
  for (std::size_t i = m.hosts.size(); i < d.parts.size(); ++i)
    if (d.parts[i].ip == s) return static_cast<int>(i);
  d.parts.push_back({s, s, {}, false, {}});
  return static_cast<int>(d.parts.size() - 1);
}

std::string socket_name(const Event& e, const TraceMeta& m) {
  if (const SocketInfo* s = m.socket(e.sock); s && !s->label.empty()) return s->label;
  if (e.lport == 0 && e.rport == 0) return "socket";
  return endpoint_string(e.lip, e.lport) + ">" + endpoint_string(e.rip, e.rport);
}

Diagram build(const Trace& t, const DiagramOptions& o) {
  Diagram d;
  d.title = o.title.empty() ? t.meta.scenario : o.title;
  for (const auto& h : t.meta.hosts) d.parts.push_back({h.name, ip_string(h.ip), {}, false, {}});

  std::unordered_set<std::uint32_t> dropped;
  for (const auto& e : t.events)
    if (e.kind == EventKind::Segment && e.seg_op == SegOp::Drop && e.seg_id != 0)
      dropped.insert(e.seg_id);

  // More than one connection in the window: say which one on every arrow.
  std::set<std::pair<std::uint64_t, std::uint64_t>> conns;
  for (const auto& e : t.events)
    if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send && o.window.contains(e.t)) {
      std::uint64_t a = (std::uint64_t{e.seg.src_ip} << 16) | e.seg.sport;
      std::uint64_t b = (std::uint64_t{e.seg.dst_ip} << 16) | e.seg.dport;
      conns.insert({std::min(a, b), std::max(a, b)});
    }
  const bool show_ports = conns.size() > 1;

  RelativeSeq rel;
  for (const auto& e : t.events) {
    if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send) {
      const Segment& s = e.seg;
      // A crafted SYN (`inject:`, its send event says "injected") opens nothing:
      // it must not become the direction's ISN.
      Segment numbered = s;
      if (e.text.rfind("injected", 0) == 0) numbered.flags &= static_cast<std::uint8_t>(~kSyn);
      const RelativeSeq::Rel r = rel.add(numbered);
      if (!o.window.contains(e.t)) continue;
      Item it;
      it.kind = Item::Arrow;
      // One arrow per link: from the sending host to the link's far end (a
      // router passes segments on, a NAT rewrites addresses; routing.hpp).
      // Traces without hops (the kernel's) go by address.
      const bool hops = e.hop >= 0 && e.host < d.parts.size() && static_cast<std::size_t>(e.hop) < d.parts.size();
      it.from = hops ? static_cast<int>(e.host) : participant_for_ip(d, t.meta, s.src_ip);
      it.to = hops ? static_cast<int>(e.hop) : participant_for_ip(d, t.meta, s.dst_ip);
      d.parts[it.from].used = d.parts[it.to].used = true;
      d.parts[it.from].ports.insert(s.sport);
      d.parts[it.to].ports.insert(s.dport);
      if (hops) {
        // A segment a host sends itself (over lo: routing.hpp) carries the
        // addresses the connection really uses; any other gives both ends
        // the host's own address.
        auto add = [&](int p, const std::string& a) {
          auto& v = d.parts[static_cast<std::size_t>(p)].addrs;
          if (std::find(v.begin(), v.end(), a) == v.end()) v.push_back(a);
        };
        const bool loop = !e.forwarded && e.hop == static_cast<int>(e.host);
        add(it.from, loop ? ip_string(s.src_ip) : d.parts[it.from].ip);
        add(it.to, loop ? ip_string(s.dst_ip) : d.parts[it.to].ip);
      }
      it.lost = e.seg_id != 0 && dropped.count(e.seg_id);
      if (show_ports) it.text = std::to_string(s.sport) + "→" + std::to_string(s.dport) + " ";
      it.text += flags_string(s.flags) + " seq=" + std::to_string(r.seq);
      if (s.has(kAck)) it.text += " ack=" + std::to_string(r.ack);
      it.text += " len=" + std::to_string(s.len);
      if (e.retrans) it.text += " (retransmission)";
      if (it.lost) it.text += " (lost)";
      it.text = localize_label(it.text, o.lang);
      d.items.push_back(std::move(it));
    } else if (e.kind == EventKind::State && o.window.contains(e.t)) {
      Item it;
      it.kind = Item::Note;
      it.from = e.host < t.meta.hosts.size() ? e.host : participant_for_ip(d, t.meta, e.lip);
      d.parts[it.from].used = true;
      it.text = format_time(e.t) + " " + socket_name(e, t.meta) + ": " + state_rfc_name(e.from) +
                " → " + state_rfc_name(e.to);
      if (!e.text.empty()) it.text += " (" + localize_label(e.text, o.lang) + ")";
      d.items.push_back(std::move(it));
    } else if (e.kind == EventKind::Fault && o.window.contains(e.t)) {
      Item it;
      it.kind = Item::NoteAll;
      // A link fault's detail names only the link: say what happened to it.
      std::string what = e.text;
      if (e.call == "link_down" || e.call == "link_up")
        what = std::string(e.call == "link_down" ? "link down" : "link up") + ": " + e.text;
      it.text = format_time(e.t) + " " + localize_label("fault: " + what, o.lang);
      d.items.push_back(std::move(it));
    }
  }
  return d;
}

std::string participant_label(const Participant& p, const char* newline) {
  std::string s = p.name;
  const std::string port = p.ports.size() == 1 ? ":" + std::to_string(*p.ports.begin()) : "";
  if (p.addrs.size() > 1 || (p.addrs.size() == 1 && p.addrs[0] != p.ip)) {
    // "box\n127.0.0.1, 10.0.0.1" (the port after each address)
    for (std::size_t i = 0; i < p.addrs.size(); ++i) s += (i ? ", " : newline) + p.addrs[i] + port;
    return s;
  }
  if (p.ip != p.name) s += newline + p.ip;
  if (p.ports.size() == 1) s += (p.ip != p.name ? ":" : newline) + std::to_string(*p.ports.begin());
  return s;
}

// Identifiers: letters, digits and '_' only; never a keyword of either language.
std::vector<std::string> make_ids(const Diagram& d) {
  static const std::set<std::string> kReserved = {
      "end",   "loop",  "alt",      "else",   "opt",    "par",     "and",   "rect",
      "note",  "over",  "as",       "participant", "actor", "title", "critical", "break",
      "box",   "autonumber", "activate", "deactivate", "create", "destroy", "left",
      "right", "of",    "group",    "ref",    "return", "skinparam", "hide", "show"};
  std::vector<std::string> ids;
  for (const auto& p : d.parts) {
    std::string id;
    for (char c : p.name)
      id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    if (id.empty() || std::isdigit(static_cast<unsigned char>(id[0])) ||
        kReserved.count(id))
      id = "h_" + id;
    std::string base = id;
    for (int n = 2; std::find(ids.begin(), ids.end(), id) != ids.end(); ++n)
      id = base + "_" + std::to_string(n);
    ids.push_back(id);
  }
  return ids;
}

// Mermaid's lexer ends a message at '#' (entity codes) and ';'; its labels
// are HTML, so '<', '>', '&' and quotes become entity codes too (a title
// "<script>" stays text). A newline is the one tag written: <br/>.
std::string mermaid_text(const std::string& s) {
  std::string r;
  for (char c : s) {
    if (c == '#') r += "#35;";
    else if (c == ';') r += "#59;";
    else if (c == '<') r += "#60;";
    else if (c == '>') r += "#62;";
    else if (c == '&') r += "#38;";
    else if (c == '"') r += "#34;";
    else if (c == '\n') r += "<br/>";
    else r += c;
  }
  return r;
}

// PlantUML reads creole markup ("//" italic, "**" bold, "--" strike, "__"
// underline, "~~" wave, '""' monospace) and "\n" in messages: escape with '~'.
std::string plantuml_text(const std::string& s) {
  std::string r;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i + 1 < s.size() && s[i + 1] == c && std::string("/*-_~\"").find(c) != std::string::npos) {
      r += '~';
      r += c;
      r += c;
      ++i;
    } else if (c == '\\') {
      r += "~\\";
    } else if (c == '<' || c == '>') {
      // Creole's HTML-like tags (<b>, <color>, <img:...>) would act: escape.
      r += '~';
      r += c;
    } else if (c == '\n') {
      r += "\\n";
    } else {
      r += c;
    }
  }
  return r;
}

std::string quoted(const std::string& s) {
  std::string r = "\"";
  for (char c : s) r += c == '"' ? '\'' : c;
  return r + "\"";
}

}  // namespace

void write_mermaid(const Trace& t, std::ostream& out, const DiagramOptions& o) {
  const Diagram d = build(t, o);
  const auto ids = make_ids(d);
  out << "sequenceDiagram\n";
  if (!d.title.empty()) out << "    title " << mermaid_text(d.title) << "\n";
  for (std::size_t i = 0; i < d.parts.size(); ++i)
    if (d.parts[i].used)
      out << "    participant " << ids[i] << " as " << mermaid_text(participant_label(d.parts[i], "\n"))
          << "\n";
  std::string all;
  {
    std::vector<std::string> used;
    for (std::size_t i = 0; i < d.parts.size(); ++i)
      if (d.parts[i].used) used.push_back(ids[i]);
    if (!used.empty()) all = used.front() + (used.size() > 1 ? "," + used.back() : "");
  }
  for (const auto& it : d.items) {
    switch (it.kind) {
      case Item::Arrow:
        out << "    " << ids[it.from] << (it.lost ? "-x" : "->>") << ids[it.to] << ": "
            << mermaid_text(it.text) << "\n";
        break;
      case Item::Note:
        out << "    Note over " << ids[it.from] << ": " << mermaid_text(it.text) << "\n";
        break;
      case Item::NoteAll:
        if (!all.empty()) out << "    Note over " << all << ": " << mermaid_text(it.text) << "\n";
        break;
    }
  }
}

void write_plantuml(const Trace& t, std::ostream& out, const DiagramOptions& o) {
  const Diagram d = build(t, o);
  const auto ids = make_ids(d);
  out << "@startuml\n";
  out << "title " << plantuml_text(d.title) << "\n";
  out << "skinparam monochrome true\n";
  out << "skinparam shadowing false\n";
  for (std::size_t i = 0; i < d.parts.size(); ++i)
    if (d.parts[i].used)
      out << "participant " << quoted(participant_label(d.parts[i], "\\n")) << " as " << ids[i]
          << "\n";
  std::string all;
  {
    std::vector<std::string> used;
    for (std::size_t i = 0; i < d.parts.size(); ++i)
      if (d.parts[i].used) used.push_back(ids[i]);
    if (!used.empty()) all = used.front() + (used.size() > 1 ? ", " + used.back() : "");
  }
  for (const auto& it : d.items) {
    switch (it.kind) {
      case Item::Arrow:
        out << ids[it.from] << (it.lost ? " ->x " : " -> ") << ids[it.to] << " : "
            << plantuml_text(it.text) << "\n";
        break;
      case Item::Note:
        out << "note over " << ids[it.from] << " : " << plantuml_text(it.text) << "\n";
        break;
      case Item::NoteAll:
        if (!all.empty()) out << "note over " << all << " : " << plantuml_text(it.text) << "\n";
        break;
    }
  }
  out << "@enduml\n";
}

}  // namespace tcpsim
