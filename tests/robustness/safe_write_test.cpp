// Writes that cannot lie (issue #17): exclusive unpredictable temporaries,
// checked content, no replacing a file that appeared, long names.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "temp_dir.hpp"
#include "tcpsim/export.hpp"

using namespace tcpsim;
using tcpsim::testing::TempDir;
namespace fs = std::filesystem;

namespace {


std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool write_text(const std::string& path, const std::string& tmp_content, std::string* err, bool force = false) {
  return write_file_atomically(
      path, force,
      [&](const std::string& tmp, std::string*) {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        f << tmp_content;
        return static_cast<bool>(f);
      },
      err);
}

}  // namespace

TEST(SafeWrite, TruncatedGraphicFileIsNotRenamedIntoPlace) {
  TempDir d;
  const std::string out = (d.p / "ladder.svg").string();
  std::string err;
  // What Qt leaves on a full disk: the start of an SVG, no closing tag.
  EXPECT_FALSE(write_text(out, "<?xml version=\"1.0\"?><svg width=\"10\"><g>", &err));
  EXPECT_NE(err.find("incomplete"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(out));
  EXPECT_EQ(d.entries(), 0u) << "the temporary file was left behind";
  EXPECT_TRUE(write_text(out, "<svg width=\"10\"></svg>\n", &err)) << err;
  EXPECT_EQ(slurp(out), "<svg width=\"10\"></svg>\n");
  // PDF, PNG and GIF are checked by their endings too.
  EXPECT_FALSE(write_text((d.p / "x.pdf").string(), "%PDF-1.4\n1 0 obj", &err));
  EXPECT_FALSE(write_text((d.p / "x.png").string(), "\x89PNG\r\n\x1a\n....", &err));
  EXPECT_FALSE(write_text((d.p / "x.gif").string(), "GIF89a....", &err));
  EXPECT_FALSE(write_text((d.p / "empty.txt").string(), "", &err));
  EXPECT_NE(err.find("nothing was written"), std::string::npos) << err;
}

TEST(SafeWrite, TemporaryIsUnpredictableExclusiveAndBesideTheTarget) {
  TempDir d;
  const std::string out = (d.p / "trace.jsonl").string();
  std::string seen1, seen2, err;
  auto grab = [&](std::string* seen) {
    return write_file_atomically(
        out, true,
        [&](const std::string& tmp, std::string*) {
          *seen = tmp;
          struct stat st {};
          EXPECT_EQ(::lstat(tmp.c_str(), &st), 0);  // created before the writer runs
          EXPECT_TRUE(S_ISREG(st.st_mode));
          std::ofstream(tmp) << "{}\n";
          return true;
        },
        &err);
  };
  ASSERT_TRUE(grab(&seen1)) << err;
  ASSERT_TRUE(grab(&seen2)) << err;
  EXPECT_NE(seen1, seen2);
  EXPECT_EQ(fs::path(seen1).parent_path(), d.p);
  EXPECT_EQ(seen1.find(std::to_string(::getpid())), std::string::npos) << seen1;
}

TEST(SafeWrite, StreamWriterNeverFollowsASymlinkAtTheTarget) {
  TempDir d;
  const fs::path victim = d.p / "victim.txt";
  std::ofstream(victim) << "precious\n";
  const fs::path out = d.p / "out.csv";
  fs::create_symlink(victim, out);
  std::string err;
  // Without --force the existing name (a symlink) is refused.
  EXPECT_FALSE(write_stream_atomically(out.string(), false, [](std::ostream& f) { f << "a,b\n"; }, &err));
  EXPECT_EQ(slurp(victim), "precious\n");
  // With --force the link itself is replaced, not the file it points to.
  EXPECT_TRUE(write_stream_atomically(out.string(), true, [](std::ostream& f) { f << "a,b\n"; }, &err)) << err;
  EXPECT_EQ(slurp(victim), "precious\n");
  EXPECT_FALSE(fs::is_symlink(out));
  EXPECT_EQ(slurp(out), "a,b\n");
}

TEST(SafeWrite, FileThatAppearsDuringTheRunIsNotReplacedWithoutForce) {
  TempDir d;
  const fs::path out = d.p / "late.csv";
  std::string err;
  EXPECT_FALSE(write_stream_atomically(
      out.string(), false,
      [&](std::ostream& f) {
        std::ofstream(out) << "someone else's\n";  // appears after the exists-check
        f << "ours\n";
      },
      &err));
  EXPECT_NE(err.find("appeared"), std::string::npos) << err;
  EXPECT_EQ(slurp(out), "someone else's\n");
  EXPECT_EQ(d.entries(), 1u);
}

TEST(SafeWrite, LongLegalNameWorks) {
  TempDir d;
  const std::string name = std::string(246, 'n') + ".pcap";  // 250 bytes, NAME_MAX is 255
  std::string err;
  EXPECT_TRUE(write_stream_atomically((d.p / name).string(), false, [](std::ostream& f) { f << "x"; }, &err))
      << err;
  EXPECT_TRUE(fs::exists(d.p / name));
}

TEST(SafeWrite, ShortWriteOnAFullDiskIsReportedAndNothingIsLeft) {
  // A file-size limit makes write() fail part way (EFBIG), as a full disk
  // does (ENOSPC); in a child, so the limit stays there.
  TempDir d;
  const fs::path out = d.p / "big.jsonl";
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl {8192, 8192};
    ::setrlimit(RLIMIT_FSIZE, &rl);
    std::string err;
    const bool ok = write_stream_atomically(out.string(), false,
                                            [](std::ostream& f) { f << std::string(1 << 20, 'x'); }, &err);
    ::_exit(!ok && err.find("disk full") != std::string::npos ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_FALSE(fs::exists(out));
  EXPECT_EQ(d.entries(), 0u);
}
