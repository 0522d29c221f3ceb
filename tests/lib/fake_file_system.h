#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "ports/file_system.h"

namespace infinity_sync::testing {

// Files in memory, for unit tests that need a file system to fail on purpose
// (a full disk, a lock someone holds) or to hold files no test should write
// to disk. Keeps FileSystem's contract: a failed WriteAtomic leaves the old
// content in place; a read past `max_bytes` is refused. Thread-safe.
class FakeFileSystem : public FileSystem {
 public:
  // Set: every WriteAtomic fails with this message (as the real one's errno text).
  std::optional<std::string> write_error;
  // Set: TryLock finds the lock held by this pid.
  std::optional<std::string> lock_held_by;

  void Put(const std::string& path, std::string content) {
    std::lock_guard<std::mutex> lock(mu_);
    files_[path] = std::move(content);
  }
  std::optional<std::string> Get(const std::string& path) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = files_.find(path);
    if (it == files_.end()) return std::nullopt;
    return it->second;
  }
  int writes() const {
    std::lock_guard<std::mutex> lock(mu_);
    return writes_;
  }

  Result<std::string> ReadFile(const std::string& path, std::size_t max_bytes) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = files_.find(path);
    if (it == files_.end()) return Error{"reading " + path + ": No such file or directory"};
    if (it->second.size() > max_bytes) {
      return Error{"reading " + path + ": larger than " + std::to_string(max_bytes) + " bytes"};
    }
    return it->second;
  }
  std::optional<FileInfo> Stat(const std::string& path) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = files_.find(path);
    if (it == files_.end()) return std::nullopt;
    FileInfo info;
    info.size = it->second.size();
    return info;
  }
  Status WriteAtomic(const std::string& path, const std::string& content) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++writes_;
    if (write_error) return Error{"writing " + path + ": " + *write_error};
    files_[path] = content;
    return Ok{};
  }
  LockAttempt TryLock(const std::string& path) override {
    LockAttempt attempt;
    if (lock_held_by) {
      attempt.contended = true;
      attempt.error =
          "another infinity-sync run holds the lock " + path + " (pid " + *lock_held_by + ")";
      return attempt;
    }
    attempt.lock = std::make_unique<FileLock>();
    return attempt;
  }
  std::optional<std::string> LockHolder(const std::string&) override { return lock_held_by; }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string> files_;
  int writes_ = 0;
};

}  // namespace infinity_sync::testing
