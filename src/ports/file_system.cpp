#include "ports/file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include <fmt/format.h>

#include "core/own_folders.h"

namespace infinity_sync {
namespace {

namespace fs = std::filesystem;

std::string Errno(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

class FlockLock : public FileLock {
 public:
  explicit FlockLock(int fd) : fd_(fd) {}
  ~FlockLock() override { close(fd_); }

 private:
  int fd_;
};

// Removes "<name>.tmp.<pid>.<hex>" files next to `path` that a process which
// no longer exists left behind (killed between creating and renaming them).
// A live process's temp file is never touched.
void RemoveStaleTempFiles(const std::string& path) {
  fs::path p(path);
  std::string prefix = p.filename().string() + ".tmp.";
  fs::path parent = p.parent_path();
  DIR* dir = opendir(parent.empty() ? "." : parent.c_str());
  if (dir == nullptr) return;
  while (dirent* entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name.rfind(prefix, 0) != 0) continue;
    std::string rest = name.substr(prefix.size());
    auto dot = rest.find('.');
    if (dot == 0 || dot == std::string::npos) continue;
    std::string pid_text = rest.substr(0, dot);
    if (pid_text.find_first_not_of("0123456789") != std::string::npos || pid_text.size() > 9) {
      continue;
    }
    long pid = std::stol(pid_text);
    if (pid <= 0 || pid == getpid()) continue;
    if (kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    unlink((parent / name).c_str());
  }
  closedir(dir);
}

// Whether a lock file holds what TryLock writes: nothing, or a pid and a newline.
bool LooksLikeLockFile(int fd, const struct stat& st) {
  if (st.st_size == 0) return true;
  if (st.st_size > 24) return false;
  char buf[32] = {};
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  if (n < 0) return false;
  for (ssize_t i = 0; i < n; ++i) {
    char c = buf[i];
    if ((c < '0' || c > '9') && c != '\n' && c != ' ') return false;
  }
  return true;
}

}  // namespace

Result<std::string> RealFileSystem::ReadFile(const std::string& path, std::size_t max_bytes) {
  return ReadRegularFile(path, max_bytes);
}

std::optional<FileInfo> RealFileSystem::Stat(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return std::nullopt;
  FileInfo info;
  info.size = static_cast<std::uint64_t>(st.st_size);
  info.mtime = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
  return info;
}

Status RealFileSystem::WriteAtomic(const std::string& path, const std::string& content) {
  if (auto s = CreateFoldersFor(path); !s) return s;
  RemoveStaleTempFiles(path);
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string tmp = fmt::format("{}.tmp.{}.{:x}", path, getpid(), rng() & 0xffffff);
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) return Error{Errno("writing", tmp)};
  auto fail = [&](const std::string& what) -> Status {
    std::string msg = Errno(what, path);
    close(fd);
    unlink(tmp.c_str());
    return Error{msg};
  };
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("writing");
    }
    done += static_cast<std::size_t>(n);
  }
  if (fsync(fd) != 0) return fail("syncing");
  if (close(fd) != 0) {
    std::string msg = Errno("closing", tmp);
    unlink(tmp.c_str());
    return Error{msg};
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    std::string msg = Errno("replacing", path);
    unlink(tmp.c_str());
    return Error{msg};
  }
  fs::path parent = fs::path(path).parent_path();
  int dir = open(parent.empty() ? "." : parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    fsync(dir);
    close(dir);
  }
  return Ok{};
}

LockAttempt RealFileSystem::TryLock(const std::string& path) {
  LockAttempt attempt;
  if (auto s = CreateFoldersFor(path); !s) {
    attempt.error = s.error();
    return attempt;
  }
  // Never through a symlink (it could point at any file, which would then be
  // truncated), never blocking on a FIFO placed there.
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == ELOOP) {
      attempt.error = "lock file " + path +
                      " is a symbolic link; refusing to follow it (remove it if it is not yours)";
    } else {
      attempt.error = Errno("opening lock file", path);
    }
    return attempt;
  }
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
    std::string what = !S_ISREG(st.st_mode)
                           ? "is " + FileKindText(st.st_mode) + ", not a regular file"
                           : "has other hard links";
    close(fd);
    attempt.error = "lock file " + path + " " + what + "; refusing to use it";
    return attempt;
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int saved = errno;
    char buf[32] = {};
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    close(fd);
    if (saved == EWOULDBLOCK) {
      std::string holder = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
      while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
      attempt.contended = true;
      attempt.error = "another infinity-sync run holds the lock " + path +
                      (holder.empty() ? "" : " (pid " + holder + ")");
      return attempt;
    }
    errno = saved;
    attempt.error = Errno("locking", path);
    return attempt;
  }
  // Only a file that holds what a lock file holds is rewritten; anything else
  // was not created by this program.
  if (fstat(fd, &st) != 0 || !LooksLikeLockFile(fd, st)) {
    close(fd);
    attempt.error = "lock file " + path +
                    " holds something other than a pid; refusing to overwrite it (remove it if "
                    "it is not yours)";
    return attempt;
  }
  std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd, 0) == 0) {
    ssize_t ignored = pwrite(fd, pid.data(), pid.size(), 0);
    (void)ignored;
  }
  attempt.lock = std::make_unique<FlockLock>(fd);
  return attempt;
}

std::optional<std::string> RealFileSystem::LockHolder(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return std::nullopt;
  }
  // A shared lock conflicts only with the exclusive one a run holds; taken,
  // it is let go at once.
  if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
    close(fd);
    return std::nullopt;
  }
  if (errno != EWOULDBLOCK) {
    close(fd);
    return std::nullopt;
  }
  std::string holder;
  char buf[32] = {};
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  if (n > 0) holder.assign(buf, static_cast<std::size_t>(n));
  while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
  if (holder.find_first_not_of("0123456789") != std::string::npos) holder.clear();
  close(fd);
  return holder;
}

}  // namespace infinity_sync
