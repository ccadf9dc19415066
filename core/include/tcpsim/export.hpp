// tcpsim — Qt-free exporters: pcap, Mermaid, PlantUML, Graphviz DOT, JSONL
// and a CSV of socket-state counts. Each reads a finished Trace (trace.hpp)
// and writes to a std::ostream; none decides protocol behaviour.
// The graphic exports (SVG/PDF/PNG) live in gui/render/render_export.hpp.
//
// docs/exports.md describes every format and what Wireshark shows.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "tcpsim/trace.hpp"
#include "tcpsim/types.hpp"

namespace tcpsim {

// A closed time window [from, to] of virtual time. Events outside it are
// left out of every export (the CSV still starts from the counts at `from`).
struct TimeWindow {
  Time from = 0;
  Time to = kNever;
  bool contains(Time t) const { return t >= from && t <= to; }
};

// ---- payload and sequence numbers shared by the exporters and the GUI ----

// The stream key of the bytes that (src_ip, sport) sends to (dst_ip, dport):
// the key tcpsim::data_byte() takes. One key per direction of a 4-tuple.
std::uint64_t stream_key(std::uint32_t src_ip, std::uint16_t sport, std::uint32_t dst_ip,
                         std::uint16_t dport);

// Relative sequence numbers as Wireshark shows them: per direction of a
// connection, seq - ISN, where the ISN is the seq of the SYN that direction
// sent (a SYN with a different ISN from the same side starts a new
// incarnation of the 4-tuple, as after port reuse). For a
// direction without a SYN (an RST to a closed port) the ISN is taken to be
// its first seq - 1, as Wireshark does (that segment shows seq 1). `ack` is relative to the other
// direction's base; both are raw values when the other side has no base.
// Feed it every Send segment in trace order.
class RelativeSeq {
 public:
  struct Rel {
    std::uint32_t seq = 0, ack = 0;
    std::uint64_t stream = 0;     // stream_key() of the sending direction
    std::uint32_t data_off = 0;   // stream offset of the first payload byte (ISN + 1 is 0)
  };
  Rel add(const Segment& s);

 private:
  struct Dir {
    std::uint64_t key;
    std::uint32_t base;  // ISN, or the first seq seen - 1 without a SYN
    bool syn;
  };
  std::vector<Dir> dirs_;
  Dir* find(std::uint64_t key);
};

// ---- pcap ----
struct PcapOptions {
  TimeWindow window;
  // The capture point: the interface of host `capture_host` (index into
  // TraceMeta::hosts), as tcpdump on that host would see it. A segment the
  // host sends is stamped when it leaves (its send event), one it receives
  // when it arrives (its deliver event; a duplicated segment arrives, and is
  // recorded, twice). A segment the host sent and the link then lost is seen
  // (it left the interface); one lost on its way to the host never is, nor
  // one sent to a host that is down. Segments between two other hosts are
  // not on this interface. kEverySender (-1): each sender's interface, one
  // record per transmission stamped at its send time (the whole network,
  // as if every host ran tcpdump and the files were merged), but a packet
  // once: a router's copy of it on the next link (same addresses, TTL one
  // less) is not written again, or Wireshark takes it for a retransmission;
  // a NAT's copy (other addresses) is a packet of its own and is written.
  static constexpr int kEverySender = -1;
  int capture_host = 0;
  // false: also leave out the transmissions the network dropped that the
  // capture point would have seen (a capture on the wire after the loss
  // point; Wireshark then reports missing segments).
  bool include_dropped = true;
  // The payload is the stream's content, byte k of a stream (k = 0 after
  // the SYN) derived from data_byte(stream_key(...), k):
  //   Text: the letter 'a' + data_byte % 26 (default). Wireshark hands the
  //         payload to the dissector of the port (HTTP on 80, ...), which
  //         reports random binary as malformed; letters are opaque to it.
  //   Raw:  data_byte itself, the exact bytes tcpsim's streams carry.
  enum class Payload : std::uint8_t { Text, Raw } payload = Payload::Text;
};
// The payload byte write_pcap() writes at stream offset `off`.
std::uint8_t pcap_payload_byte(std::uint64_t stream_key, std::uint64_t off, PcapOptions::Payload p);
// Classic pcap (magic a1b2c3d4, microseconds, LINKTYPE_RAW = 101): one
// record per packet seen at the capture point, in time order, raw IPv4 + 20-byte TCP header with valid
// checksums, payload from pcap_payload_byte(). Timestamps are the virtual
// clock: record time = event time since the Unix epoch (0 = 1970-01-01).
// Returns the number of records written.
std::size_t write_pcap(const Trace& t, std::ostream& out, const PcapOptions& o = {});

// ---- labels ----
// The text in the language `lang` ("en": unchanged; "zh_CN": every phrase of
// core/src/export/labels_zh.cpp in Chinese, technical tokens kept: flags,
// SYN/ACK/FIN/RST, RFC state names, errno and sysctl names, call names,
// host and process names, numbers and units).
std::string localize_label(const std::string& text, const std::string& lang);

// ---- text sequence diagrams ----
struct DiagramOptions {
  TimeWindow window;
  std::string title;  // default: the scenario name
  std::string lang = "en";  // "zh_CN": Chinese labels (localize_label)
};
// Mermaid sequenceDiagram: one participant per host, one arrow per
// transmission ("S. seq=0 ack=1 len=0"; lost ones end in a cross, resent
// ones say "retransmission"), state changes as `Note over`.
void write_mermaid(const Trace& t, std::ostream& out, const DiagramOptions& o = {});
// The same as a PlantUML sequence diagram (@startuml ... @enduml).
void write_plantuml(const Trace& t, std::ostream& out, const DiagramOptions& o = {});

// ---- Graphviz DOT of the RFC 793 state machine ----
// Which sockets a state diagram shows: "client" (the first socket that
// opened actively), "server" (the first socket that opened passively and
// reached SYN_RECEIVED), "both" (those two), a socket label
// ("server/conn#2") or a process name (its first connected socket).
// Returns socket ids; empty with *error set when nothing matches.
std::vector<std::uint32_t> resolve_endpoints(const Trace& t, const std::string& which,
                                             std::string* error);

struct DotOptions {
  TimeWindow window;
  std::vector<std::uint32_t> sockets;  // highlighted paths; one cluster each (none: bare diagram)
  std::string title;
  std::string lang = "en";  // "zh_CN": Chinese labels (localize_label)
};
// All eleven states and the transitions of RFC 793 Figure 6 (with RFC 9293's
// FIN-WAIT-1 -> TIME-WAIT); each socket's visited path drawn in colour with
// its steps numbered in order. A transition the socket took that is not in
// the figure (an RST, a timeout, Linux's orphan FIN_WAIT_2 timer) is added
// as a dashed edge labelled with the trace's cause.
void write_dot(const Trace& t, std::ostream& out, const DotOptions& o = {});

// ---- trace data ----
// The JSONL trace (format_jsonl, schema in trace.hpp), events in the window,
// keeping their indexes in the whole trace.
void write_jsonl(const Trace& t, std::ostream& out, const TimeWindow& w = {});

// Socket counts per host and state over time, from the state events:
//   t,host,LISTEN,SYN_SENT,SYN_RECEIVED,ESTABLISHED,FIN_WAIT_1,FIN_WAIT_2,
//   CLOSE_WAIT,CLOSING,LAST_ACK,TIME_WAIT,total
// One row per host at the start of the window, then one row per (time, host)
// whose counts changed, with the counts after every event at that time.
// A socket counts from its first state event until it enters CLOSED (CLOSED
// sockets are gone, as in `ss`). t is in seconds with 6 decimals.
void write_counts_csv(const Trace& t, std::ostream& out, const TimeWindow& w = {});

// ---- safe file output ----
// Produces `path` through a temporary file in the same directory: `write`
// gets the temporary path (same extension as `path`) and fills it; only if
// it returns true is the file renamed over `path`, so a failed export never
// leaves half a file nor destroys an existing one. Refuses an existing
// `path` unless `overwrite`. False with a message in *error.
bool write_file_atomically(const std::string& path, bool overwrite,
                           const std::function<bool(const std::string& tmp, std::string* error)>& write,
                           std::string* error);
// The same for a stream writer.
bool write_stream_atomically(const std::string& path, bool overwrite,
                             const std::function<void(std::ostream&)>& write, std::string* error);
// A fresh folder beside `path` (dir/.tcpsim-frames-XXXXXXXXXX, mkdtemp) for
// numbered frames (frame-0001.png ...); until release_temp_dir(), SIGINT,
// SIGTERM and SIGHUP remove it and its frames. "" with *error on failure.
std::string make_temp_dir_beside(const std::string& path, std::string* error);
void release_temp_dir();
// Whether `path` could be created: its directory exists and is writable and
// `path` is not a directory. False with the reason in *error.
bool check_writable(const std::string& path, std::string* error);

}  // namespace tcpsim
