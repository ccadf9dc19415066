// tcpsim — writes that cannot lie (issue #17): every export reaches its
// final name only complete, checked and flushed.
//
//  1. The temporary file is created exclusively (O_CREAT|O_EXCL, so no
//     symlink is followed and nothing existing is reused) under an
//     unpredictable short name in the target's folder: a 250-byte output
//     name still works, and rename() stays atomic.
//  2. The writer fills it. Afterwards the file must be the one created (same
//     device and inode), regular, non-empty, fsync'ed, and for the graphic
//     formats end as a complete file does (SVG's </svg>, PDF's %%EOF, PNG's
//     IEND, GIF's trailer): Qt's SVG/PDF/PNG writers do not report a full
//     disk, so the file itself is the proof.
//  3. Without --force the final rename never replaces a file, even one that
//     appeared during the run (renameat2 RENAME_NOREPLACE, or link+unlink
//     where the filesystem lacks it).
//  4. SIGINT, SIGTERM and SIGHUP remove the temporaries in flight, then the
//     process dies of the signal as it would have.
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <ostream>
#include <streambuf>
#include <random>

#include "tcpsim/export.hpp"

namespace tcpsim {

namespace {

// Temporaries in flight, for the signal handler: fixed storage, no
// allocation, written before a name is used and cleared after.
constexpr int kSlots = 16;
constexpr std::size_t kPathMax = 4096;
char g_tmp[kSlots][kPathMax];
volatile sig_atomic_t g_used[kSlots];

// A temporary folder of numbered frames (frame-0001.png ...): the handler
// removes what can be in it by name, then the folder. Only async-signal-safe
// calls: no opendir, no allocation.
char g_dir[kPathMax];
volatile sig_atomic_t g_dir_used = 0;
constexpr int kDirFramesMax = 100000;

void remove_frames_dir() {
  const std::size_t n = std::strlen(g_dir);
  if (n + 24 >= kPathMax) return;
  char path[kPathMax];
  std::memcpy(path, g_dir, n);
  for (int k = 1; k <= kDirFramesMax; ++k) {
    // path = dir + "/frame-%04d.png", formatted by hand
    char digits[8];
    int len = 0;
    for (int v = k; v > 0; v /= 10) digits[len++] = static_cast<char>('0' + v % 10);
    while (len < 4) digits[len++] = '0';
    std::size_t p = n;
    const char* pre = "/frame-";
    for (const char* c = pre; *c; ++c) path[p++] = *c;
    while (len > 0) path[p++] = digits[--len];
    for (const char* c = ".png"; *c; ++c) path[p++] = *c;
    path[p] = '\0';
    if (::unlink(path) != 0 && errno == ENOENT && k > 1) break;
  }
  ::rmdir(g_dir);
}

extern "C" void remove_temporaries(int sig) {
  for (int i = 0; i < kSlots; ++i)
    if (g_used[i]) ::unlink(g_tmp[i]);
  if (g_dir_used) remove_frames_dir();
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void install_handlers() {
  static bool done = false;
  if (done) return;
  done = true;
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old {};
    ::sigaction(sig, nullptr, &old);
    if (old.sa_handler != SIG_DFL) continue;  // someone else's (the GUI's, a test's)
    struct sigaction sa {};
    sa.sa_handler = remove_temporaries;
    sigemptyset(&sa.sa_mask);
    ::sigaction(sig, &sa, nullptr);
  }
}

class Registered {
 public:
  explicit Registered(const std::string& p) {
    install_handlers();
    if (p.size() >= kPathMax) return;
    for (int i = 0; i < kSlots; ++i)
      if (!g_used[i]) {
        std::memcpy(g_tmp[i], p.c_str(), p.size() + 1);
        g_used[i] = 1;
        slot_ = i;
        return;
      }
  }
  ~Registered() {
    if (slot_ >= 0) g_used[slot_] = 0;
  }
  Registered(const Registered&) = delete;
  Registered& operator=(const Registered&) = delete;

 private:
  int slot_ = -1;
};

std::string dir_part(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string ext_part(const std::string& path) {
  auto slash = path.rfind('/');
  auto dot = path.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string e = path.substr(dot);
  return e.size() <= 12 ? e : "";
}

// Creates dir/.tcpsim-XXXXXXXXXXXX.ext exclusively; fills *st with its identity.
int create_temp(const std::string& path, std::string* tmp, struct stat* st, std::string* err) {
  static std::mt19937_64 rng{std::random_device{}()};
  static const char kAlnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  const std::string dir = dir_part(path), ext = ext_part(path);
  for (int attempt = 0; attempt < 64; ++attempt) {
    std::string name = ".tcpsim-";
    for (int i = 0; i < 12; ++i) name += kAlnum[rng() % 36];
    *tmp = (dir == "/" ? "/" : dir + "/") + name + ext;
    int fd = ::open(tmp->c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd >= 0) {
      if (::fstat(fd, st) != 0) {
        *err = std::string("cannot stat '") + *tmp + "': " + std::strerror(errno);
        ::close(fd);
        ::unlink(tmp->c_str());
        return -1;
      }
      return fd;
    }
    if (errno != EEXIST) {
      *err = std::string("cannot create a temporary file in '") + dir + "': " + std::strerror(errno);
      return -1;
    }
  }
  *err = "cannot create a temporary file in '" + dir + "': every name tried exists";
  return -1;
}

bool read_tail(int fd, off_t size, std::string* tail) {
  const off_t n = std::min<off_t>(size, 1024);
  tail->assign(static_cast<std::size_t>(n), '\0');
  return ::pread(fd, tail->data(), static_cast<std::size_t>(n), size - n) == n;
}

// Whether the file ends as a complete file of its format does.
bool complete_for_format(const std::string& ext, const std::string& tail) {
  auto lower = ext;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == ".svg") return tail.find("</svg>") != std::string::npos;
  if (lower == ".pdf") return tail.find("%%EOF") != std::string::npos;
  if (lower == ".png") return tail.size() >= 12 && tail.compare(tail.size() - 8, 4, "IEND") == 0;
  if (lower == ".gif") return !tail.empty() && tail.back() == ';';
  return true;
}

// The checks of step 2 on the temporary file; the descriptor was kept open.
bool verify(int fd, const std::string& tmp, const struct stat& made, const std::string& ext,
            std::string* err) {
  struct stat now {};
  if (::lstat(tmp.c_str(), &now) != 0 || !S_ISREG(now.st_mode) || now.st_ino != made.st_ino ||
      now.st_dev != made.st_dev) {
    *err = "the temporary file '" + tmp + "' was replaced while it was written";
    return false;
  }
  if (::fstat(fd, &now) != 0 || now.st_size == 0) {
    *err = "nothing was written to '" + tmp + "'";
    return false;
  }
  if (::fsync(fd) != 0) {
    *err = std::string("cannot flush '") + tmp + "' to disk: " + std::strerror(errno);
    return false;
  }
  std::string tail;
  if (!read_tail(fd, now.st_size, &tail) || !complete_for_format(ext, tail)) {
    *err = "the file written is incomplete (" + std::to_string(now.st_size) +
           " bytes; disk full?): nothing was replaced";
    return false;
  }
  return true;
}

bool commit(const std::string& tmp, const std::string& path, bool overwrite, std::string* err) {
  if (overwrite) {
    if (::rename(tmp.c_str(), path.c_str()) == 0) return true;
  } else {
    if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE) == 0) return true;
    if (errno == EINVAL || errno == ENOSYS) {  // a filesystem without RENAME_NOREPLACE
      if (::link(tmp.c_str(), path.c_str()) == 0) {
        ::unlink(tmp.c_str());
        return true;
      }
    }
    if (errno == EEXIST) {
      *err = "'" + path + "' appeared while it was being written; it was not replaced (use --force to overwrite it)";
      return false;
    }
  }
  *err = std::string("cannot rename '") + tmp + "' to '" + path + "': " + std::strerror(errno);
  return false;
}

}  // namespace

namespace {

// An ostream buffer over the temporary's own descriptor: the stream writers
// never reopen the file by name.
class FdBuf : public std::streambuf {
 public:
  explicit FdBuf(int fd) : fd_(fd) { setp(buf_, buf_ + sizeof buf_); }
  bool failed() const { return failed_; }
  int sync() override { return flush_buf() ? 0 : -1; }

 protected:
  int_type overflow(int_type c) override {
    if (!flush_buf()) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }

 private:
  bool flush_buf() {
    const char* p = pbase();
    while (p < pptr()) {
      const ssize_t n = ::write(fd_, p, static_cast<std::size_t>(pptr() - p));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        failed_ = true;
        errno_ = errno;
        setp(buf_, buf_ + sizeof buf_);
        return false;
      }
      p += n;
    }
    setp(buf_, buf_ + sizeof buf_);
    return true;
  }
  int fd_;
  bool failed_ = false;
  int errno_ = 0;
  char buf_[1 << 16];
};

bool write_impl(const std::string& path, bool overwrite,
                const std::function<bool(int fd, const std::string& tmp, std::string*)>& write,
                std::string* error) {
  if (!check_writable(path, error)) return false;
  struct stat st {};
  if (!overwrite && ::lstat(path.c_str(), &st) == 0) {
    *error = "'" + path + "' exists (use --force to overwrite it)";
    return false;
  }
  std::string tmp, err;
  struct stat made {};
  const int fd = create_temp(path, &tmp, &made, &err);
  if (fd < 0) {
    *error = err;
    return false;
  }
  Registered reg(tmp);
  bool ok = write(fd, tmp, &err) && verify(fd, tmp, made, ext_part(path), &err);
  if (::close(fd) != 0 && ok) {
    err = std::string("cannot close '") + tmp + "': " + std::strerror(errno);
    ok = false;
  }
  if (ok) ok = commit(tmp, path, overwrite, &err);
  if (!ok) {
    ::unlink(tmp.c_str());
    *error = err.empty() ? "cannot write '" + path + "'" : err;
  }
  return ok;
}

}  // namespace

bool check_writable(const std::string& path, std::string* error) {
  if (path.empty()) {
    *error = "empty file name";
    return false;
  }
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    *error = "'" + path + "' is a directory";
    return false;
  }
  const std::string dir = dir_part(path);
  if (::stat(dir.c_str(), &st) != 0) {
    *error = "cannot write '" + path + "': directory '" + dir + "' does not exist";
    return false;
  }
  if (!S_ISDIR(st.st_mode)) {
    *error = "cannot write '" + path + "': '" + dir + "' is not a directory";
    return false;
  }
  if (::access(dir.c_str(), W_OK) != 0) {
    *error = "cannot write '" + path + "': directory '" + dir + "' is not writable";
    return false;
  }
  return true;
}

std::string make_temp_dir_beside(const std::string& path, std::string* error) {
  const std::string dir = dir_part(path);
  std::string tmpl = (dir == "/" ? "/" : dir + "/") + ".tcpsim-frames-XXXXXXXXXX";
  if (!::mkdtemp(tmpl.data())) {
    *error = std::string("cannot create a temporary folder in '") + dir + "': " + std::strerror(errno);
    return {};
  }
  install_handlers();
  if (tmpl.size() < kPathMax) {
    std::memcpy(g_dir, tmpl.c_str(), tmpl.size() + 1);
    g_dir_used = 1;
  }
  return tmpl;
}

void release_temp_dir() { g_dir_used = 0; }

bool write_file_atomically(const std::string& path, bool overwrite,
                           const std::function<bool(const std::string&, std::string*)>& write,
                           std::string* error) {
  // Graphic writers (Qt) open the temporary by its name; it was created
  // exclusively under an unpredictable name, and verify() checks it is still
  // the same file afterwards.
  return write_impl(
      path, overwrite, [&](int, const std::string& tmp, std::string* err) { return write(tmp, err); }, error);
}

bool write_stream_atomically(const std::string& path, bool overwrite,
                             const std::function<void(std::ostream&)>& write,
                             std::string* error) {
  return write_impl(
      path, overwrite,
      [&](int fd, const std::string& tmp, std::string* err) {
        FdBuf buf(fd);
        std::ostream f(&buf);
        write(f);
        f.flush();
        if (!f || buf.failed()) {
          *err = "error writing '" + tmp + "' (disk full?): nothing was replaced";
          return false;
        }
        return true;
      },
      error);
}

}  // namespace tcpsim
