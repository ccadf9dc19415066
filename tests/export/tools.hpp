// Running the real tools that open tcpsim's exports (tshark, dot, xmllint,
// rsvg-convert, pdfinfo, identify) from the tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tcpsim::testing {

struct RunResult {
  int status = -1;  // exit status; -1 if it could not run or was killed
  std::string out, err;
};
// Runs `argv` (no shell), with stdin from /dev/null.
RunResult run_tool(const std::vector<std::string>& argv);
// Whether `name` is an executable on PATH.
bool have_tool(const std::string& name);

bool file_exists(const std::string& path);
// The scenario files (*.yaml, not index.yaml) in a folder, full paths, sorted.
std::vector<std::string> scenario_files(const std::string& dir);
// Distinct colours in an image (ImageMagick `identify`); 0 if it cannot be read.
long image_colours(const std::string& image);

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& content);
// A fresh empty directory under the test's temporary folder.
std::string temp_dir(const std::string& name);

// One packet as tshark dissects it.
struct TsharkPacket {
  double time = 0;
  std::string src, dst;  // "ip:port"
  unsigned flags = 0;    // tcp.flags
  std::uint32_t seq = 0, ack = 0, len = 0;       // relative (tcp.seq, tcp.ack)
  std::uint32_t seq_raw = 0, ack_raw = 0;
  bool retransmission = false;  // any of tcp.analysis.{,fast_,spurious_}retransmission
  bool ip_checksum_good = false, tcp_checksum_good = false;
  std::string payload_hex;      // tcp.payload
  std::vector<std::string> warnings;  // expert infos of severity warning or error
};
// Reads a pcap with tshark, checksum validation on. Empty + *error on failure.
std::vector<TsharkPacket> tshark_read(const std::string& pcap, std::string* error);
// The warnings a capture of tcpsim segments may carry: RST is a warning in
// Wireshark's expert info ("Connection reset (RST)").
bool expected_warning(const std::string& message);

}  // namespace tcpsim::testing
