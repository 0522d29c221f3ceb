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
// Details and Data are kept as the JSON text written at record time, so that
// answering a history query copies them instead of parsing and re-serializing.
struct StoredCheck {
  std::string key;  // "GitSync", "CustomCheck:redis", ...
  std::string status;
  std::string details_json = "[]";  // a JSON array
  std::string data_json = "{}";     // a JSON object
  std::int64_t duration_ms = 0;

  nlohmann::json Details() const;  // parsed; [] when the stored text is not JSON
  nlohmann::json Data() const;     // parsed; {} when the stored text is not JSON
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
  std::string environment;          // which machine or stage the run spoke for (default: host)
  std::string commit;               // the checkout's HEAD (lineage local hop); empty: unknown
  std::string deploy_commit;        // the deploy branch's tip (lineage commit); empty: unknown
  std::string overall;              // "synced", "drift" or "failed": the worst required status
  std::optional<bool> live;         // the deploy commit serves all traffic; nullopt: cannot tell
  std::int64_t fresh_for_ms = 0;    // how long after `timestamp` the run counts as fresh
  std::vector<StoredCheck> checks;  // in report order
};

// What Record writes for a finished run.
StoredRun ToStoredRun(const SyncStatus& status);

// One heartbeat probe of one target, as the server or `infinity-sync
// heartbeat` made it (only real probes: cached answers are not samples).
struct HeartbeatSample {
  std::chrono::system_clock::time_point timestamp;
  std::string host;
  std::string project;
  std::string target;   // "github", "gcp", "cloudflare"
  std::string state;    // "healthy", "degraded", "down", "unknown"
  int http_status = 0;  // 0: no HTTP answer
  std::int64_t latency_ms = 0;
  std::string error;  // empty when healthy
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

// Filters of a history query. Every host is listed; every project unless
// `project` names one.
struct HistoryQuery {
  std::string project;  // empty: every project
  int limit = 20;       // 1..kMaxHistoryLimit
  std::string check;    // empty: every check; else only runs with this check, and only it
  std::optional<std::chrono::system_clock::time_point> since;  // inclusive
  std::string target;  // heartbeat samples only: empty: every target
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
  virtual Status Record(const StoredRun& run) = 0;
  Status Record(const SyncStatus& status) { return Record(ToStoredRun(status)); }
  // Stores heartbeat samples (one transaction) and prunes like Record.
  virtual Status RecordHeartbeats(const std::vector<HeartbeatSample>& samples) = 0;
  // Runs, newest first.
  virtual Result<std::vector<StoredRun>> ListRuns(const HistoryQuery& query) = 0;
  // Transitions, newest first (`limit` counts transitions).
  virtual Result<std::vector<Transition>> ListTransitions(const HistoryQuery& query) = 0;
  // The latest run of every (project, environment) in the store, whoever
  // wrote it, ordered by project then environment.
  virtual Result<std::vector<StoredRun>> ListFleet() = 0;
  // A number that changes whenever a run is recorded (the newest run's id);
  // 0 for a store with none (or not created yet).
  virtual Result<std::int64_t> FleetVersion() = 0;
  // Heartbeat samples, newest first (`limit`, `since` and `target` apply).
  virtual Result<std::vector<HeartbeatSample>> ListHeartbeats(const HistoryQuery& query) = 0;
  // Deletes runs, transitions and heartbeat samples older than `cutoff`.
  virtual Status Prune(std::chrono::system_clock::time_point cutoff) = 0;
  // "sqlite:/abs/path.db" or the PostgreSQL URL without its password.
  virtual std::string Describe() const = 0;
};

}  // namespace infinity_sync
