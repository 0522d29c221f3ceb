#pragma once

#include <memory>
#include <mutex>

#include "store/history_store.h"
#include "store/sql_connection.h"

namespace infinity_sync {

// The schema version this program writes. Older databases are migrated on
// first use; a newer one is refused (an older program must not write it).
constexpr int kHistorySchemaVersion = 4;

// The history store over any SqlConnection: one schema, one set of
// migrations and queries for SQLite and PostgreSQL. Connects lazily and
// reconnects after failures, so a database that is down when the program
// starts is used once it is back.
class SqlHistoryStore : public HistoryStore {
 public:
  // `keep_for` <= 0 keeps everything.
  SqlHistoryStore(std::unique_ptr<SqlConnection> connection, std::chrono::milliseconds keep_for);

  using HistoryStore::Record;
  Status Record(const StoredRun& run) override;
  Status RecordHeartbeats(const std::vector<HeartbeatSample>& samples) override;
  Result<std::vector<StoredRun>> ListRuns(const HistoryQuery& query) override;
  Result<std::vector<HeartbeatSample>> ListHeartbeats(const HistoryQuery& query) override;
  Result<std::vector<Transition>> ListTransitions(const HistoryQuery& query) override;
  Result<std::vector<StoredRun>> ListFleet() override;
  Result<std::int64_t> FleetVersion() override;
  Status Prune(std::chrono::system_clock::time_point cutoff) override;
  std::string Describe() const override;

  // Connects and migrates now (normally done by the first call). For tests and
  // the `history` command, which wants a clear error up front.
  Status Ready();

 private:
  Status ReadyLocked();
  // The database is not there yet (a SQLite file no run has written): reads
  // answer empty and create nothing.
  bool NotCreatedLocked() const;
  Status Migrate();
  Status PruneLocked(std::int64_t cutoff_ms);
  // Runs selected by `where_and_order` (SQL after "FROM runs r"), with their
  // checks (only `check` when not empty).
  Result<std::vector<StoredRun>> LoadRunsLocked(const std::string& where_and_order,
                                                std::vector<SqlParam> params,
                                                const std::string& check);
  Status Fail(const std::string& what, const std::string& error);

  std::mutex mu_;
  std::unique_ptr<SqlConnection> db_;
  std::chrono::milliseconds keep_for_;
  bool ready_ = false;
};

}  // namespace infinity_sync
