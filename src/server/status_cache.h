#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "ports/file_system.h"

namespace infinity_sync {

// The status file as the server serves it: read and parsed only when its
// mtime or size changed, so that requests do not pay for parsing. Thread-safe.
class StatusCache {
 public:
  struct Snapshot {
    int http_status = 404;  // 200, 404 (no file) or 500 (unreadable / invalid)
    std::string error;      // for 404 and 500
    nlohmann::json doc;     // the document as written (200 only)
    std::string compact;    // doc.dump(), computed once per change
    std::chrono::system_clock::time_point timestamp;
    bool has_timestamp = false;
    int exit_code = 0;
  };

  StatusCache(std::string path, FileSystem& fs) : path_(std::move(path)), fs_(fs) {}

  // The current document (re-read when the file changed since the last call).
  std::shared_ptr<const Snapshot> Get();
  // Whether a snapshot with `timestamp` is fresh at `now` under `fresh_for`.
  static bool IsFresh(const Snapshot& s, std::chrono::system_clock::time_point now,
                      std::chrono::milliseconds fresh_for);
  // Times the file was read and parsed (for tests).
  int Loads() const;

 private:
  std::string path_;
  FileSystem& fs_;
  mutable std::mutex mu_;
  std::shared_ptr<const Snapshot> current_;
  std::optional<FileInfo> seen_;
  bool have_seen_ = false;
  int loads_ = 0;
};

}  // namespace infinity_sync
