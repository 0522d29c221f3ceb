#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

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
  virtual Result<std::string> ReadFile(const std::string& path) = 0;
  // Metadata, or nullopt when the file does not exist.
  virtual std::optional<FileInfo> Stat(const std::string& path) = 0;
  // Replaces `path` atomically: a temp file in the same folder, written,
  // fsynced, renamed over `path`, then the folder fsynced. Creates missing
  // parent folders. On failure the previous file is untouched. Temp files
  // of `path` left by processes that no longer exist (killed mid-write) are
  // removed first.
  virtual Status WriteAtomic(const std::string& path, const std::string& content) = 0;
  // Takes an exclusive, non-blocking lock on `path` (created if needed).
  virtual LockAttempt TryLock(const std::string& path) = 0;
};

// The real thing: POSIX calls; the lock is flock(2), so it is released even
// when the process dies.
class RealFileSystem : public FileSystem {
 public:
  Result<std::string> ReadFile(const std::string& path) override;
  std::optional<FileInfo> Stat(const std::string& path) override;
  Status WriteAtomic(const std::string& path, const std::string& content) override;
  LockAttempt TryLock(const std::string& path) override;
};

}  // namespace infinity_sync
