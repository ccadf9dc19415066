// tcpsim packetdrill FILE.pkt --kernel (issue #16 point 4, docs/packetdrill.md
// "On the real kernel"): the same script played against this machine's Linux
// TCP in a network namespace of its own (kernel/pkt_player.hpp). Exit 0 when
// every line holds, 1 on the first mismatch, 2 when the script needs something
// the player cannot do, 3 when this machine cannot run it (not root, no TUN).
#include <cstdio>
#include <string>

#include "commands.hpp"
#include "pkt_player.hpp"
#include "tcpsim/packetdrill.hpp"

namespace tcpsim::cli {

namespace {
// The error, the script's packet and the kernel's, each line made safe to print.
void print_each_line(const std::string& m) {
  std::size_t b = 0;
  for (;;) {
    const std::size_t e = m.find('\n', b);
    std::fprintf(stderr, "%s\n", visible_text(m.substr(b, e == std::string::npos ? std::string::npos : e - b)).c_str());
    if (e == std::string::npos) return;
    b = e + 1;
  }
}
}  // namespace

int packetdrill_on_kernel(const packetdrill::Script& script, const std::string& file, bool verbose) {
  kernel::PktKernelOptions o;
  o.verbose = verbose;
  const kernel::PktKernelResult r = kernel::play_on_kernel(script, o);
  for (const auto& w : r.warnings) std::fprintf(stderr, "%s\n", visible_text(w).c_str());
  for (const auto& l : r.log) std::printf("%s\n", visible_text(l).c_str());
  std::fflush(stdout);
  switch (r.status) {
    case kernel::PktKernelResult::Status::Pass:
      std::printf("%s: pass on the kernel (%zu lines)\n", file.c_str(), script.lines.size());
      return kExitOk;
    case kernel::PktKernelResult::Status::Mismatch:
      print_each_line(r.message);
      // A miss while the machine took the CPU may be the machine's, not TCP's.
      if (!r.disturbed.empty())
        std::fprintf(stderr, "%s: note: disturbed run: %s; play it again before trusting a timing miss\n",
                     file.c_str(), r.disturbed.c_str());
      std::fprintf(stderr, "%s: FAIL on the kernel at line %d\n", file.c_str(), r.line);
      return kExitFailed;
    case kernel::PktKernelResult::Status::Unsupported:
      print_each_line(r.message);
      return kExitBadInput;
    case kernel::PktKernelResult::Status::Unavailable:
      std::fprintf(stderr, "tcpsim packetdrill --kernel: %s\n", visible_text(r.message).c_str());
      return kExitLimit;
  }
  return kExitFailed;
}

}  // namespace tcpsim::cli
