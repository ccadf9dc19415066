// tcpsim packetdrill FILE.pkt [--profile linux|rfc9293] [--verbose]
// (issue #16, docs/packetdrill.md): runs a packetdrill script with the model
// as the kernel under test. Exit 0 when every line holds, 1 on the first
// mismatch (reported as packetdrill reports it), 2 when the script cannot be
// parsed or needs something tcpsim does not model.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>

#include "commands.hpp"
#include "tcpsim/packetdrill.hpp"
#include "tcpsim/packetdrill_run.hpp"

namespace tcpsim::cli {

// --kernel: the script on this machine's Linux TCP (cli/packetdrill_kernel_cmd.cpp).
int packetdrill_on_kernel(const packetdrill::Script& script, const std::string& file, bool verbose);

namespace {

struct PacketdrillArgs {
  std::string file;
  std::string profile = "linux";
  bool verbose = false;
  bool kernel = false;
};

// One message of several lines (the error, the script's packet, the
// model's packet), each line made safe to print.
void print_lines(const std::string& m) {
  std::size_t b = 0;
  for (;;) {
    const std::size_t e = m.find('\n', b);
    std::fprintf(stderr, "%s\n", visible_text(m.substr(b, e == std::string::npos ? std::string::npos : e - b)).c_str());
    if (e == std::string::npos) return;
    b = e + 1;
  }
}

void packetdrill_cmd(const PacketdrillArgs& a) {
  const packetdrill::ParseResult pr = packetdrill::parse_packetdrill_file(a.file);
  if (!pr.ok()) {
    const auto& e = *pr.error;
    if (e.line == 0)
      std::fprintf(stderr, "%s: %s\n", e.file.c_str(), visible_text(e.message).c_str());
    else
      std::fprintf(stderr, "%s\n", visible_text(e.str()).c_str());
    exit_status() = kExitBadInput;
    return;
  }
  if (a.kernel) {
    exit_status() = packetdrill_on_kernel(*pr.script, a.file, a.verbose);
    return;
  }
  packetdrill::RunConfig cfg;
  cfg.profile = a.profile == "rfc9293" ? Profile::Rfc9293 : Profile::Linux;
  cfg.verbose = a.verbose;
  const packetdrill::RunResult r = packetdrill::run_packetdrill(*pr.script, cfg);
  for (const auto& w : r.warnings) std::fprintf(stderr, "%s\n", visible_text(w).c_str());
  for (const auto& l : r.log) std::printf("%s\n", visible_text(l).c_str());
  std::fflush(stdout);
  switch (r.status) {
    case packetdrill::RunResult::Status::Pass:
      std::printf("%s: pass (%zu lines, model profile %s)\n", a.file.c_str(), pr.script->lines.size(),
                  a.profile.c_str());
      exit_status() = kExitOk;
      break;
    case packetdrill::RunResult::Status::Mismatch:
      print_lines(r.message);
      std::fprintf(stderr, "%s: FAIL at line %d (t=%s s, model profile %s)\n", a.file.c_str(), r.line,
                   format_time(r.at).c_str(), a.profile.c_str());
      exit_status() = kExitFailed;
      break;
    case packetdrill::RunResult::Status::Unsupported:
      print_lines(r.message);
      exit_status() = kExitBadInput;
      break;
  }
}

}  // namespace

void add_packetdrill_command(CLI::App& app) {
  auto args = std::make_shared<PacketdrillArgs>();
  CLI::App* pd = app.add_subcommand(
      "packetdrill",
      "Run a packetdrill script with the model as the local kernel (192.168.0.1; the script's "
      "'<' segments come from 192.0.2.1). Exit 0 pass, 1 first mismatch, 2 cannot parse or not "
      "supported (docs/packetdrill.md)");
  pd->add_option("FILE", args->file, "packetdrill script (.pkt)")->required();
  pd->add_option("--profile", args->profile, "model profile: linux (default) or rfc9293")
      ->check(CLI::IsMember({"linux", "rfc9293"}));
  pd->add_flag("--verbose", args->verbose, "print every line as it runs and every segment");
  pd->add_flag("--kernel", args->kernel,
               "play the script against this machine's real Linux TCP instead (root; a network namespace "
               "with a TUN device; exit 3 when unavailable)");
  pd->callback([args] { packetdrill_cmd(*args); });
}

}  // namespace tcpsim::cli
