#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "core/regular_file.h"
#include "core/result.h"

namespace infinity_sync {

// An exclusive lock; released when destroyed.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

// What TryLock got: the lock, or why not.
struct LockAttempt {
  std::unique_ptr<FileLock> lock;  // null when not taken
  bool contended = false;          // another process holds it
  std::string error;               // why not taken; names the holder when contended

  bool ok() const { return lock != nullptr; }
};

struct FileInfo {
  std::chrono::system_clock::time_point mtime;
  std::uint64_t size = 0;
};

// Files, behind a port. Thread-safe.
class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // The file at `path` under the rule of ReadRegularFile.
  virtual Result<std::string> ReadFile(const std::string& path, std::size_t max_bytes) = 0;
  Result<std::string> ReadFile(const std::string& path) {
    return ReadFile(path, kDefaultReadLimit);
  }
  // Metadata, or nullopt when the file does not exist.
  virtual std::optional<FileInfo> Stat(const std::string& path) = 0;
  // Replaces `path` atomically: a temp file in the same folder, written,
  // fsynced, renamed over `path`, then the folder fsynced. Creates missing
  // parent folders. On failure the previous file is untouched. Temp files
  // of `path` left by processes that no longer exist (killed mid-write) are
  // removed first.
  virtual Status WriteAtomic(const std::string& path, const std::string& content) = 0;
  // Takes an exclusive, non-blocking lock on `path` (created if needed). The
  // lock file is never followed through a symlink and never truncated unless
  // it holds what a lock file holds (a pid, or nothing): anything else there
  // is an error naming it.
  virtual LockAttempt TryLock(const std::string& path) = 0;
  // Who holds the lock on `path` now, without taking it and without creating
  // the file: nullopt when nobody does (or the file does not exist), else the
  // holder's pid as written in the file ("" when unknown). A lock this
  // process holds counts as held.
  virtual std::optional<std::string> LockHolder(const std::string& path) = 0;
};

// The real thing: POSIX calls; the lock is flock(2), so it is released even
// when the process dies.
class RealFileSystem : public FileSystem {
 public:
  using FileSystem::ReadFile;
  Result<std::string> ReadFile(const std::string& path, std::size_t max_bytes) override;
  std::optional<FileInfo> Stat(const std::string& path) override;
  Status WriteAtomic(const std::string& path, const std::string& content) override;
  LockAttempt TryLock(const std::string& path) override;
  std::optional<std::string> LockHolder(const std::string& path) override;
};

}  // namespace infinity_sync
