#include "tools/rekeysim/output_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <stdexcept>

#include "tools/rekeysim/interrupt.hpp"

namespace rekeysim::cli {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& option, const std::string& path, const std::string& why) {
  throw std::runtime_error(option + ": cannot write " + path + ": " + why);
}

std::string errno_text(int e) {
  return std::strerror(e);
}

void write_all(int fd, std::string_view content, const std::string& option,
               const std::string& path) {
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      ::close(fd);
      fail(option, path, errno_text(e));
    }
    done += static_cast<std::size_t>(n);
  }
}

// A staged temporary next to its target; removed unless committed.
struct Temp {
  std::string path;
  std::unique_ptr<TempRegistration> registration;
  ~Temp() {
    if (registration) {
      ::unlink(path.c_str());
      registration->release();
    }
  }
};

// Creates a new temporary for `target` in `dir` (registered for removal);
// returns it with its open descriptor.
std::unique_ptr<Temp> open_temp(const std::string& option, const std::string& shown,
                                const std::string& target, const std::string& dir, int& fd_out) {
  static std::atomic<unsigned> counter{0};
  const fs::path t(target);
  auto temp = std::make_unique<Temp>();
  int fd = -1;
  std::random_device rd;
  for (int attempt = 0; fd < 0; ++attempt) {
    // The name is registered before the file exists, so a signal at any
    // moment finds it (unlinking a name not yet created is harmless).
    temp->path = dir + "/." + t.filename().string() + ".rekeysim-partial." +
                 std::to_string(::getpid()) + "." + std::to_string(counter++) + "." +
                 std::to_string(rd() % 100000);
    temp->registration = std::make_unique<TempRegistration>(temp->path);
    fd = ::open(temp->path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      const int e = errno;
      temp->registration.reset();
      if (e != EEXIST || attempt > 100) fail(option, shown, errno_text(e));
    }
  }
  fd_out = fd;
  return temp;
}

// Gives a written temporary the target's permissions and syncs it; closes fd.
void finish_temp(int fd, const std::string& option, const std::string& shown,
                 const std::string& target) {
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0) {
    // Keep the replaced file's permissions (and owner, when we may set it).
    ::fchmod(fd, st.st_mode & 07777);
    if (::geteuid() == 0) {
      if (::fchown(fd, st.st_uid, st.st_gid) != 0) { /* keep ours; not an error */
      }
    }
  } else {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd, 0666 & ~mask);
  }
  if (::fsync(fd) != 0) {
    const int e = errno;
    ::close(fd);
    fail(option, shown, errno_text(e));
  }
  if (::close(fd) != 0) fail(option, shown, errno_text(errno));
}

std::string dir_of(const std::string& target) {
  const fs::path t(target);
  return t.parent_path().empty() ? "." : t.parent_path().string();
}

std::unique_ptr<Temp> stage(const std::string& option, const std::string& shown,
                            const std::string& target, std::string_view content) {
  int fd = -1;
  auto temp = open_temp(option, shown, target, dir_of(target), fd);
  write_all(fd, content, option, shown);
  finish_temp(fd, option, shown, target);
  return temp;
}

int open_through(const std::string& option, const std::string& shown, const std::string& target) {
  // O_NONBLOCK: opening a FIFO without a reader fails (ENXIO) instead of
  // waiting forever; blocking writes are restored right after.
  const int fd = ::open(target.c_str(), O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    fail(option, shown, e == ENXIO ? "no process is reading this FIFO" : errno_text(e));
  }
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  return fd;
}

void write_through(const std::string& option, const std::string& shown, const std::string& target,
                   std::string_view content) {
  const int fd = open_through(option, shown, target);
  write_all(fd, content, option, shown);
  if (::close(fd) != 0) fail(option, shown, errno_text(errno));
}

// A streamed temporary's content to a device or FIFO, a block at a time.
void copy_through(const std::string& option, const std::string& shown, const std::string& target,
                  const std::string& from) {
  std::ifstream in(from, std::ios::binary);
  if (!in) fail(option, shown, "cannot read back " + from);
  const int fd = open_through(option, shown, target);
  std::string block(1 << 16, '\0');
  while (in) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    write_all(fd, std::string_view(block.data(), static_cast<std::size_t>(in.gcount())), option,
              shown);
  }
  if (::close(fd) != 0) fail(option, shown, errno_text(errno));
}

}  // namespace

struct OutputFiles::Streamed {
  std::unique_ptr<Temp> temp;
  std::ofstream out;
};

std::ostream& OutputFiles::stream(std::string_view option) {
  for (auto& o : outputs_) {
    if (o.option != option) continue;
    if (!o.streamed) {
      auto s = std::make_shared<Streamed>();
      int fd = -1;
      const std::string dir =
          o.write_through ? fs::temp_directory_path().string() : dir_of(o.target);
      s->temp = open_temp(o.option, o.path, o.target, dir, fd);
      ::close(fd);
      s->out.open(s->temp->path, std::ios::binary | std::ios::trunc);
      if (!s->out) fail(o.option, o.path, "cannot open " + s->temp->path);
      o.streamed = std::move(s);
    }
    return o.streamed->out;
  }
  throw std::logic_error("OutputFiles::stream: " + std::string(option) + " was not registered");
}

void OutputFiles::add(const std::string& option, const std::string& path) {
  if (path.empty()) fail(option, "\"\"", "empty file name; expected a file path");
  Output out{option, path, path, false, std::nullopt, nullptr};
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    std::error_code ec;
    const fs::path resolved = fs::canonical(path, ec);
    if (ec)
      fail(option, path,
           ec.value() == ELOOP ? "a loop of symbolic links (links are followed)"
                               : "symbolic link to a missing file (links are followed)");
    out.target = resolved.string();
  }
  if (::stat(out.target.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) fail(option, path, "is a directory");
    if (S_ISSOCK(st.st_mode)) fail(option, path, "is a socket");
    out.write_through = !S_ISREG(st.st_mode);
    if (::access(out.target.c_str(), W_OK) != 0) {
      // A regular file we may not write is refused although its directory
      // would let the rename replace it: `echo x > file` fails there too.
      const int e = errno;
      fail(option, path,
           out.write_through
               ? errno_text(e)
               : errno_text(e) + (e == EACCES ? " (it is read-only)" : "") + "; nothing written");
    }
    for (const auto& o : outputs_) {
      struct stat other {};
      if (::stat(o.target.c_str(), &other) == 0 && other.st_dev == st.st_dev &&
          other.st_ino == st.st_ino && S_ISREG(st.st_mode))
        fail(option, path, "the same file as " + o.option);
    }
    for (const auto& in : inputs_) {
      if (S_ISREG(st.st_mode) && in.dev == st.st_dev && in.ino == st.st_ino)
        fail(option, path, "the same file as " + in.what + ", which it reads");
    }
  } else if (errno != ENOENT) {
    fail(option, path, errno_text(errno));
  }
  if (!out.write_through) {
    const fs::path parent = fs::path(out.target).parent_path();
    const std::string dir = parent.empty() ? "." : parent.string();
    struct stat ds {};
    if (::stat(dir.c_str(), &ds) != 0) fail(option, path, "directory " + dir + " does not exist");
    if (!S_ISDIR(ds.st_mode)) fail(option, path, dir + " is not a directory");
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
      fail(option, path, "directory " + dir + ": " + errno_text(errno));
    for (const auto& o : outputs_) {
      // Absolute first: "x.txt" and "./x.txt" name one new file.
      if (fs::weakly_canonical(fs::absolute(o.target)) ==
          fs::weakly_canonical(fs::absolute(out.target)))
        fail(option, path, "the same file as " + o.option);
    }
  }
  outputs_.push_back(std::move(out));
}

void OutputFiles::add_input(const std::string& what, const std::string& path) {
  struct stat st {};
  if (path.empty() || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;
  for (const auto& o : outputs_) {
    struct stat out {};
    if (::stat(o.target.c_str(), &out) == 0 && out.st_dev == st.st_dev && out.st_ino == st.st_ino)
      fail(o.option, o.path, "the same file as " + what + ", which it reads");
  }
  inputs_.push_back({what, st.st_dev, st.st_ino});
}

bool OutputFiles::has(std::string_view option) const {
  for (const auto& o : outputs_)
    if (o.option == option) return true;
  return false;
}

void OutputFiles::put(std::string_view option, std::string content) {
  for (auto& o : outputs_) {
    if (o.option == option) {
      o.content = std::move(content);
      return;
    }
  }
  throw std::logic_error("OutputFiles::put: " + std::string(option) + " was not registered");
}

void OutputFiles::commit() {
  // 1. Stage every regular output: the failures likely here (no space, I/O
  //    errors) then leave every target untouched.
  std::vector<std::pair<const Output*, std::unique_ptr<Temp>>> staged;
  for (const auto& o : outputs_) {
    if (o.content && !o.write_through)
      staged.emplace_back(&o, stage(o.option, o.path, o.target, *o.content));
    if (o.streamed) {
      o.streamed->out.close();
      if (o.streamed->out.fail())
        fail(o.option, o.path, "write error on " + o.streamed->temp->path);
      if (!o.write_through) {
        const int fd = ::open(o.streamed->temp->path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) fail(o.option, o.path, errno_text(errno));
        finish_temp(fd, o.option, o.path, o.target);
        staged.emplace_back(&o, std::move(o.streamed->temp));
      }
    }
  }
  // 2. Devices and FIFOs cannot be staged; written before any rename so that
  //    their failure (e.g. /dev/full) still replaces no regular file.
  for (const auto& o : outputs_) {
    if (o.content && o.write_through) write_through(o.option, o.path, o.target, *o.content);
    if (o.streamed && o.write_through)
      copy_through(o.option, o.path, o.target, o.streamed->temp->path);
  }
  // 3. The renames (atomic each, within one file system).
  for (auto& [o, temp] : staged) {
    if (::rename(temp->path.c_str(), o->target.c_str()) != 0)
      fail(o->option, o->path, errno_text(errno));
    temp->registration->release();
    temp->registration.reset();
  }
  if (stdout_) {
    std::cout << *stdout_;
    std::cout.flush();
    if (!std::cout) throw std::runtime_error("cannot write standard output");
  }
}

}  // namespace rekeysim::cli
