#include "tools.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace tcpsim::testing {

namespace {
std::string slurp_fd(int fd) {
  std::string s;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<std::size_t>(n));
  return s;
}
std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> v;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      v.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  v.push_back(cur);
  return v;
}
}  // namespace

RunResult run_tool(const std::vector<std::string>& argv) {
  RunResult r;
  // stdout and stderr go to temporary files: no deadlock on big outputs.
  char out_name[] = "/tmp/tcpsim-tool-out-XXXXXX";
  char err_name[] = "/tmp/tcpsim-tool-err-XXXXXX";
  int out_fd = ::mkstemp(out_name), err_fd = ::mkstemp(err_name);
  if (out_fd < 0 || err_fd < 0) return r;
  pid_t pid = ::fork();
  if (pid == 0) {
    int null_fd = ::open("/dev/null", O_RDONLY);
    ::dup2(null_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::lseek(out_fd, 0, SEEK_SET);
  ::lseek(err_fd, 0, SEEK_SET);
  r.out = slurp_fd(out_fd);
  r.err = slurp_fd(err_fd);
  ::close(out_fd);
  ::close(err_fd);
  ::unlink(out_name);
  ::unlink(err_name);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

bool have_tool(const std::string& name) {
  const char* path = std::getenv("PATH");
  for (const auto& dir : split(path ? path : "/usr/bin:/bin", ':'))
    if (!dir.empty() && ::access((dir + "/" + name).c_str(), X_OK) == 0) return true;
  return false;
}

bool file_exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

std::vector<std::string> scenario_files(const std::string& dir) {
  std::vector<std::string> v;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n.size() > 5 && n.substr(n.size() - 5) == ".yaml" && n != "index.yaml") v.push_back(dir + "/" + n);
    }
    ::closedir(d);
  }
  std::sort(v.begin(), v.end());
  return v;
}

long image_colours(const std::string& image) {
  RunResult r = run_tool({"identify", "-format", "%k", image});
  return r.status == 0 && !r.out.empty() ? std::stol(r.out) : 0;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << content;
}

std::string temp_dir(const std::string& name) {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/tcpsim-export-" + name + "-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data())) throw std::runtime_error("mkdtemp failed");
  return buf.data();
}

std::vector<TsharkPacket> tshark_read(const std::string& pcap, std::string* error) {
  const std::vector<std::string> fields = {
      "frame.time_epoch", "ip.src", "tcp.srcport", "ip.dst", "tcp.dstport", "tcp.flags",
      "tcp.seq", "tcp.ack", "tcp.len", "tcp.seq_raw", "tcp.ack_raw",
      "tcp.analysis.retransmission", "tcp.analysis.fast_retransmission",
      "tcp.analysis.spurious_retransmission", "ip.checksum.status", "tcp.checksum.status",
      "tcp.payload", "_ws.expert.severity", "_ws.expert.message"};
  std::vector<std::string> argv = {"tshark", "-n", "-r", pcap,
                                   "-o", "ip.check_checksum:TRUE",
                                   "-o", "tcp.check_checksum:TRUE",
                                   "-o", "tcp.relative_sequence_numbers:TRUE",
                                   "-o", "tcp.analyze_sequence_numbers:TRUE",
                                   "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a",
                                   "-E", "aggregator=|"};
  for (const auto& f : fields) {
    argv.push_back("-e");
    argv.push_back(f);
  }
  RunResult r = run_tool(argv);
  std::vector<TsharkPacket> packets;
  if (r.status != 0) {
    *error = "tshark exit status " + std::to_string(r.status) + ": " + r.err;
    return packets;
  }
  // tshark complains on stderr about damaged files; root is only a notice.
  for (const auto& line : split(r.err, '\n'))
    if (!line.empty() && line.find("Running as user") == std::string::npos) {
      *error = "tshark stderr: " + line;
      return packets;
    }
  for (const auto& line : split(r.out, '\n')) {
    if (line.empty()) continue;
    auto f = split(line, '\t');
    if (f.size() != fields.size()) {
      *error = "unexpected tshark line: " + line;
      return {};
    }
    TsharkPacket p;
    p.time = std::stod(f[0]);
    p.src = f[1] + ":" + f[2];
    p.dst = f[3] + ":" + f[4];
    p.flags = static_cast<unsigned>(std::stoul(f[5], nullptr, 16));
    p.seq = static_cast<std::uint32_t>(std::stoul(f[6]));
    p.ack = f[7].empty() ? 0 : static_cast<std::uint32_t>(std::stoul(f[7]));
    p.len = static_cast<std::uint32_t>(std::stoul(f[8]));
    p.seq_raw = static_cast<std::uint32_t>(std::stoul(f[9]));
    p.ack_raw = f[10].empty() ? 0 : static_cast<std::uint32_t>(std::stoul(f[10]));
    p.retransmission = !f[11].empty() || !f[12].empty() || !f[13].empty();
    p.ip_checksum_good = f[14] == "1";
    p.tcp_checksum_good = f[15] == "1";
    p.payload_hex = f[16];
    // Severity values: PI_CHAT 0x200000, PI_NOTE 0x400000, PI_WARN 0x600000, PI_ERROR 0x800000.
    auto sev = split(f[17], '|');
    auto msg = split(f[18], '|');
    for (std::size_t i = 0; i < sev.size() && i < msg.size(); ++i)
      if (!sev[i].empty() && std::stoul(sev[i]) >= 0x600000) p.warnings.push_back(msg[i]);
    packets.push_back(std::move(p));
  }
  return packets;
}

bool expected_warning(const std::string& message) {
  return message == "Connection reset (RST)";
}

}  // namespace tcpsim::testing
