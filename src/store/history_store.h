#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "core/sync_status.h"

namespace infinity_sync {

// One check's result as stored: the document's Status, Details and Data.
struct StoredCheck {
  std::string key;  // "GitSync", "CustomCheck:redis", ...
  std::string status;
  nlohmann::json details;
  nlohmann::json data;
  std::int64_t duration_ms = 0;
};

// One recorded run.
struct StoredRun {
  std::int64_t id = 0;
  std::chrono::system_clock::time_point timestamp;
  std::int64_t duration_ms = 0;
  bool dry_run = false;
  std::string host;
  std::string project;
  std::string version;
  std::vector<StoredCheck> checks;  // in report order
};

// A check whose status differs from the previous run of the same host and project.
struct Transition {
  std::string check;
  std::string from;
  std::string to;
  std::chrono::system_clock::time_point at;  // the timestamp of the run that changed it
  std::string host;
  std::string project;
  std::int64_t run_id = 0;
};

// Filters of a history query. Every host and project in the store is listed.
struct HistoryQuery {
  int limit = 20;     // 1..kMaxHistoryLimit
  std::string check;  // empty: every check; else only runs with this check, and only it
  std::optional<std::chrono::system_clock::time_point> since;  // inclusive
};

constexpr int kMaxHistoryLimit = 1000;

// Past runs and status transitions (SQLite or PostgreSQL). Implementations
// are thread-safe; every call may fail (database down, locked, corrupt) and
// says why in the Error, prefixed by Describe().
class HistoryStore {
 public:
  virtual ~HistoryStore() = default;

  // Stores one run (host and project from `status`), the transitions it makes,
  // and prunes what is older than the retention before `status.timestamp`.
  virtual Status Record(const SyncStatus& status) = 0;
  // Runs, newest first.
  virtual Result<std::vector<StoredRun>> ListRuns(const HistoryQuery& query) = 0;
  // Transitions, newest first (`limit` counts transitions).
  virtual Result<std::vector<Transition>> ListTransitions(const HistoryQuery& query) = 0;
  // Deletes runs and transitions older than `cutoff`.
  virtual Status Prune(std::chrono::system_clock::time_point cutoff) = 0;
  // "sqlite:/abs/path.db" or the PostgreSQL URL without its password.
  virtual std::string Describe() const = 0;
};

}  // namespace infinity_sync
