#include "store/sql_history_store.h"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

namespace infinity_sync {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

std::int64_t ToMs(system_clock::time_point t) {
  return std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
}
system_clock::time_point FromMs(std::int64_t ms) {
  return system_clock::time_point(milliseconds(ms));
}
std::int64_t Int(const std::optional<std::string>& v) { return v ? std::stoll(*v) : 0; }
std::string Text(const std::optional<std::string>& v) { return v.value_or(""); }

// Version 1: one row per run, one per check result.
std::vector<std::string> SchemaV1(const std::string& id) {
  return {
      "CREATE TABLE runs (id " + id +
          ", ts_ms BIGINT NOT NULL, duration_ms BIGINT NOT NULL, dry_run INTEGER NOT NULL,"
          " host TEXT NOT NULL, project TEXT NOT NULL, version TEXT NOT NULL)",
      "CREATE INDEX runs_ts ON runs (ts_ms)",
      "CREATE TABLE check_results (run_id BIGINT NOT NULL, position INTEGER NOT NULL,"
      " check_key TEXT NOT NULL, status TEXT NOT NULL, details TEXT NOT NULL,"
      " data TEXT NOT NULL, duration_ms BIGINT NOT NULL, PRIMARY KEY (run_id, position))",
  };
}

// Version 2: transitions kept at write time (so reading them is an index scan),
// the last status per host/project/check, and both back-filled from version 1 rows.
std::vector<std::string> SchemaV2(const std::string& id) {
  return {
      "CREATE TABLE check_state (host TEXT NOT NULL, project TEXT NOT NULL,"
      " check_key TEXT NOT NULL, status TEXT NOT NULL, last_ms BIGINT NOT NULL,"
      " PRIMARY KEY (host, project, check_key))",
      "CREATE TABLE transitions (id " + id +
          ", ts_ms BIGINT NOT NULL, host TEXT NOT NULL, project TEXT NOT NULL,"
          " check_key TEXT NOT NULL, from_status TEXT NOT NULL, to_status TEXT NOT NULL,"
          " run_id BIGINT NOT NULL)",
      "CREATE INDEX transitions_ts ON transitions (ts_ms)",
      "CREATE INDEX check_results_key ON check_results (check_key, run_id)",
      "INSERT INTO transitions (ts_ms, host, project, check_key, from_status, to_status, run_id)"
      " SELECT ts_ms, host, project, check_key, prev, status, run_id FROM ("
      "  SELECT r.ts_ms, r.host, r.project, c.check_key, c.status, c.run_id, r.id AS rid,"
      "   LAG(c.status) OVER (PARTITION BY r.host, r.project, c.check_key"
      "                       ORDER BY r.ts_ms, r.id) AS prev"
      "  FROM check_results c JOIN runs r ON r.id = c.run_id) t"
      " WHERE prev IS NOT NULL AND prev <> status ORDER BY ts_ms, rid",
      "INSERT INTO check_state (host, project, check_key, status, last_ms)"
      " SELECT host, project, check_key, status, ts_ms FROM ("
      "  SELECT r.host, r.project, c.check_key, c.status, r.ts_ms,"
      "   ROW_NUMBER() OVER (PARTITION BY r.host, r.project, c.check_key"
      "                      ORDER BY r.ts_ms DESC, r.id DESC) AS rn"
      "  FROM check_results c JOIN runs r ON r.id = c.run_id) t WHERE rn = 1",
  };
}

// Version 3: heartbeat samples (one row per real probe of a target), and
// indexes that also order by id, so "newest first" is an index walk in
// PostgreSQL too (SQLite's indexes carry the rowid already).
std::vector<std::string> SchemaV3(const std::string& id) {
  return {
      "CREATE TABLE heartbeat_samples (id " + id +
          ", ts_ms BIGINT NOT NULL, host TEXT NOT NULL, project TEXT NOT NULL,"
          " target TEXT NOT NULL, state TEXT NOT NULL"
          " CHECK (state IN ('healthy', 'degraded', 'down', 'unknown')),"
          " http_status INTEGER NOT NULL, latency_ms BIGINT NOT NULL, error TEXT NOT NULL)",
      "CREATE INDEX heartbeat_samples_ts ON heartbeat_samples (ts_ms, id)",
      "CREATE INDEX heartbeat_samples_target ON heartbeat_samples (target, ts_ms, id)",
      "DROP INDEX runs_ts",
      "CREATE INDEX runs_ts ON runs (ts_ms, id)",
      "DROP INDEX transitions_ts",
      "CREATE INDEX transitions_ts ON transitions (ts_ms, id)",
  };
}

// Version 4 (the fleet): what a run speaks for and what it found, on the run
// itself (environment, the checked-out and deploy commits, the overall
// verdict, live, how long it counts as fresh), and the latest run of every
// (project, environment), kept at write time so the fleet is one small read
// however many runs the store holds. Older runs speak for their host.
std::vector<std::string> SchemaV4() {
  return {
      "ALTER TABLE runs ADD COLUMN environment TEXT NOT NULL DEFAULT ''",
      "ALTER TABLE runs ADD COLUMN commit_sha TEXT NOT NULL DEFAULT ''",
      "ALTER TABLE runs ADD COLUMN deploy_commit TEXT NOT NULL DEFAULT ''",
      "ALTER TABLE runs ADD COLUMN overall TEXT NOT NULL DEFAULT ''",
      "ALTER TABLE runs ADD COLUMN live INTEGER",
      "ALTER TABLE runs ADD COLUMN fresh_for_ms BIGINT NOT NULL DEFAULT 0",
      "UPDATE runs SET environment = host",
      "CREATE TABLE fleet_latest (project TEXT NOT NULL, environment TEXT NOT NULL,"
      " run_id BIGINT NOT NULL, ts_ms BIGINT NOT NULL, PRIMARY KEY (project, environment))",
      "INSERT INTO fleet_latest (project, environment, run_id, ts_ms)"
      " SELECT project, environment, id, ts_ms FROM ("
      "  SELECT project, environment, id, ts_ms, ROW_NUMBER() OVER (PARTITION BY project,"
      "   environment ORDER BY ts_ms DESC, id DESC) AS rn FROM runs) t WHERE rn = 1",
  };
}

constexpr const char* kRunColumns =
    "SELECT r.id, r.ts_ms, r.duration_ms, r.dry_run, r.host, r.project, r.version,"
    " r.environment, r.commit_sha, r.deploy_commit, r.overall, r.live, r.fresh_for_ms FROM runs r";

}  // namespace

SqlHistoryStore::SqlHistoryStore(std::unique_ptr<SqlConnection> connection,
                                 std::chrono::milliseconds keep_for)
    : db_(std::move(connection)), keep_for_(keep_for) {}

std::string SqlHistoryStore::Describe() const { return db_->Describe(); }

Status SqlHistoryStore::Fail(const std::string& what, const std::string& error) {
  ready_ = false;  // reconnect and re-check the schema next time
  db_->Exec("ROLLBACK");
  return Error{"history store " + db_->Describe() + ": " + what + ": " + error};
}

Status SqlHistoryStore::Ready() {
  std::lock_guard lock(mu_);
  return ReadyLocked();
}

bool SqlHistoryStore::NotCreatedLocked() const { return !ready_ && !db_->Exists(); }

Status SqlHistoryStore::ReadyLocked() {
  if (ready_) return Ok{};
  if (auto opened = db_->Open(); !opened) return Fail("cannot open", opened.error());
  if (auto migrated = Migrate(); !migrated) return migrated;
  ready_ = true;
  return Ok{};
}

Status SqlHistoryStore::Migrate() {
  auto version_of = [this](int* version) -> Status {
    std::vector<SqlRow> rows;
    if (auto s = db_->Exec("SELECT MAX(version) FROM schema_version", {}, &rows); !s) return s;
    *version = rows.empty() ? 0 : static_cast<int>(Int(rows[0][0]));
    return Ok{};
  };
  auto too_new = [this](int version) {
    return Fail("schema", fmt::format("the database has schema version {}, newer than this "
                                      "program's {}: upgrade infinity-sync",
                                      version, kHistorySchemaVersion));
  };
  // The common case, without a lock: the schema is there and current.
  int version = 0;
  if (version_of(&version) && version >= kHistorySchemaVersion) {
    return version == kHistorySchemaVersion ? Status(Ok{}) : too_new(version);
  }
  // Created or migrated inside the write transaction, so that two processes
  // starting on a new database never create the same table at once
  // (PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe against that).
  if (auto s = db_->BeginWrite(); !s) return Fail("starting the migration", s.error());
  if (auto s = db_->Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
      !s) {
    return Fail("reading the schema version", s.error());
  }
  if (auto s = version_of(&version); !s) return Fail("reading the schema version", s.error());
  if (version > kHistorySchemaVersion) return too_new(version);
  std::vector<std::vector<std::string>> steps = {
      SchemaV1(db_->IdColumn()), SchemaV2(db_->IdColumn()), SchemaV3(db_->IdColumn()), SchemaV4()};
  for (int v = version + 1; v <= kHistorySchemaVersion; ++v) {
    for (const auto& sql : steps[v - 1]) {
      if (auto s = db_->Exec(sql); !s) {
        return Fail(fmt::format("migrating to schema version {}", v), s.error());
      }
    }
    if (auto s = db_->Exec("INSERT INTO schema_version (version) VALUES (?)", {std::int64_t{v}});
        !s) {
      return Fail("recording the schema version", s.error());
    }
  }
  if (auto s = db_->Exec("COMMIT"); !s) return Fail("committing the migration", s.error());
  return Ok{};
}

Status SqlHistoryStore::Record(const StoredRun& run) {
  std::lock_guard lock(mu_);
  if (auto r = ReadyLocked(); !r) return r;
  if (auto s = db_->BeginWrite(); !s) return Fail("starting a write", s.error());
  std::int64_t ts = ToMs(run.timestamp);
  std::vector<SqlRow> rows;
  std::string environment = run.environment.empty() ? run.host : run.environment;
  // live: NULL when unknown, bound as -1 (a parameter cannot be NULL here).
  std::int64_t live = !run.live ? -1 : (*run.live ? 1 : 0);
  auto s = db_->Exec(
      "INSERT INTO runs (ts_ms, duration_ms, dry_run, host, project, version, environment,"
      " commit_sha, deploy_commit, overall, fresh_for_ms, live)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, -1)) RETURNING id",
      {ts, run.duration_ms, std::int64_t{run.dry_run ? 1 : 0}, run.host, run.project, run.version,
       environment, run.commit, run.deploy_commit, run.overall, run.fresh_for_ms, live},
      &rows);
  if (!s || rows.empty()) return Fail("writing the run", s ? "no id returned" : s.error());
  std::int64_t run_id = Int(rows[0][0]);
  // The fleet's latest run of this (project, environment); an older run
  // written late (a pending one) does not replace a newer one.
  s = db_->Exec(
      "INSERT INTO fleet_latest (project, environment, run_id, ts_ms) VALUES (?, ?, ?, ?)"
      " ON CONFLICT (project, environment) DO UPDATE SET run_id = excluded.run_id,"
      " ts_ms = excluded.ts_ms WHERE excluded.ts_ms >= fleet_latest.ts_ms",
      {run.project, environment, run_id, ts});
  if (!s) return Fail("updating the fleet", s.error());
  // Readers that LISTEN (PostgreSQL) hear of it when this transaction commits.
  if (std::string notify = db_->NotifySql(); !notify.empty()) {
    s = db_->Exec(notify, {run.project + "/" + environment});
    if (!s) return Fail("notifying the fleet", s.error());
  }
  // The last status of every check of this host and project, in one query.
  rows.clear();
  s = db_->Exec("SELECT check_key, status FROM check_state WHERE host = ? AND project = ?",
                {run.host, run.project}, &rows);
  if (!s) return Fail("reading the last statuses", s.error());
  std::unordered_map<std::string, std::string> last;
  for (const auto& row : rows) last[Text(row[0])] = Text(row[1]);
  std::int64_t position = 0;
  for (const auto& check : run.checks) {
    s = db_->Exec(
        "INSERT INTO check_results (run_id, position, check_key, status, details, data,"
        " duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
        {run_id, position++, check.key, check.status, check.details_json, check.data_json,
         check.duration_ms});
    if (!s) return Fail("writing the result of " + check.key, s.error());
    auto previous = last.find(check.key);
    if (previous != last.end() && previous->second == check.status) {
      s = db_->Exec(
          "UPDATE check_state SET last_ms = ? WHERE host = ? AND project = ? AND check_key = ?",
          {ts, run.host, run.project, check.key});
      if (!s) return Fail("updating the last status of " + check.key, s.error());
      continue;
    }
    if (previous != last.end()) {
      s = db_->Exec(
          "INSERT INTO transitions (ts_ms, host, project, check_key, from_status, to_status,"
          " run_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
          {ts, run.host, run.project, check.key, previous->second, check.status, run_id});
      if (!s) return Fail("writing a transition of " + check.key, s.error());
    }
    s = db_->Exec(
        "INSERT INTO check_state (host, project, check_key, status, last_ms) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (host, project, check_key) DO UPDATE SET status = excluded.status,"
        " last_ms = excluded.last_ms",
        {run.host, run.project, check.key, check.status, ts});
    if (!s) return Fail("updating the last status of " + check.key, s.error());
    last[check.key] = check.status;
  }
  if (keep_for_.count() > 0) {
    if (auto p = PruneLocked(ts - keep_for_.count()); !p) return p;
  }
  if (auto c = db_->Exec("COMMIT"); !c) return Fail("committing the run", c.error());
  return Ok{};
}

Status SqlHistoryStore::RecordHeartbeats(const std::vector<HeartbeatSample>& samples) {
  if (samples.empty()) return Ok{};
  std::lock_guard lock(mu_);
  // Samples do not make the store's folder: the first run does (a heartbeat
  // round or `serve` before its first run leaves the repository as it is).
  if (NotCreatedLocked() && !db_->CreatableInPlace()) return Ok{};
  if (auto r = ReadyLocked(); !r) return r;
  if (auto s = db_->BeginWrite(); !s) return Fail("starting a write", s.error());
  std::int64_t newest = 0;
  for (const auto& h : samples) {
    std::int64_t ts = ToMs(h.timestamp);
    newest = std::max(newest, ts);
    auto s = db_->Exec(
        "INSERT INTO heartbeat_samples (ts_ms, host, project, target, state, http_status,"
        " latency_ms, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        {ts, h.host, h.project, h.target, h.state, std::int64_t{h.http_status}, h.latency_ms,
         h.error});
    if (!s) return Fail("writing a heartbeat sample of " + h.target, s.error());
  }
  if (keep_for_.count() > 0) {
    if (auto p = PruneLocked(newest - keep_for_.count()); !p) return p;
  }
  if (auto c = db_->Exec("COMMIT"); !c) return Fail("committing heartbeat samples", c.error());
  return Ok{};
}

Status SqlHistoryStore::PruneLocked(std::int64_t cutoff_ms) {
  for (const char* sql :
       {"DELETE FROM check_results WHERE run_id IN (SELECT id FROM runs WHERE ts_ms < ?)",
        "DELETE FROM runs WHERE ts_ms < ?", "DELETE FROM transitions WHERE ts_ms < ?",
        "DELETE FROM heartbeat_samples WHERE ts_ms < ?",
        "DELETE FROM fleet_latest WHERE ts_ms < ?"}) {
    if (auto s = db_->Exec(sql, {cutoff_ms}); !s) return Fail("pruning old runs", s.error());
  }
  return Ok{};
}

Status SqlHistoryStore::Prune(std::chrono::system_clock::time_point cutoff) {
  std::lock_guard lock(mu_);
  if (NotCreatedLocked()) return Ok{};
  if (auto r = ReadyLocked(); !r) return r;
  if (auto s = db_->BeginWrite(); !s) return Fail("starting a write", s.error());
  if (auto p = PruneLocked(ToMs(cutoff)); !p) return p;
  if (auto c = db_->Exec("COMMIT"); !c) return Fail("committing the prune", c.error());
  return Ok{};
}

Result<std::vector<StoredRun>> SqlHistoryStore::ListRuns(const HistoryQuery& query) {
  std::lock_guard lock(mu_);
  if (NotCreatedLocked()) return std::vector<StoredRun>{};
  if (auto r = ReadyLocked(); !r) return Error{r.error()};
  std::string sql = " WHERE 1 = 1";
  std::vector<SqlParam> params;
  if (!query.project.empty()) {
    sql += " AND r.project = ?";
    params.emplace_back(query.project);
  }
  if (query.since) {
    sql += " AND r.ts_ms >= ?";
    params.emplace_back(ToMs(*query.since));
  }
  if (!query.check.empty()) {
    sql += " AND EXISTS (SELECT 1 FROM check_results c WHERE c.run_id = r.id AND c.check_key = ?)";
    params.emplace_back(query.check);
  }
  sql += " ORDER BY r.ts_ms DESC, r.id DESC LIMIT ?";
  params.emplace_back(std::int64_t{query.limit});
  return LoadRunsLocked(sql, std::move(params), query.check);
}

Result<std::vector<StoredRun>> SqlHistoryStore::ListFleet() {
  std::lock_guard lock(mu_);
  if (NotCreatedLocked()) return std::vector<StoredRun>{};
  if (auto r = ReadyLocked(); !r) return Error{r.error()};
  return LoadRunsLocked(
      " JOIN fleet_latest f ON f.run_id = r.id ORDER BY r.project, r.environment, r.id", {}, "");
}

Result<std::int64_t> SqlHistoryStore::FleetVersion() {
  std::lock_guard lock(mu_);
  if (NotCreatedLocked()) return std::int64_t{0};
  if (auto r = ReadyLocked(); !r) return Error{r.error()};
  std::vector<SqlRow> rows;
  if (auto s = db_->Exec("SELECT MAX(run_id) FROM fleet_latest", {}, &rows); !s) {
    return Error{Fail("reading the fleet", s.error()).error()};
  }
  return rows.empty() ? std::int64_t{0} : Int(rows[0][0]);
}

Result<std::vector<StoredRun>> SqlHistoryStore::LoadRunsLocked(const std::string& where_and_order,
                                                               std::vector<SqlParam> params,
                                                               const std::string& check) {
  std::vector<SqlRow> rows;
  if (auto s = db_->Exec(std::string(kRunColumns) + where_and_order, params, &rows); !s) {
    return Error{Fail("listing runs", s.error()).error()};
  }
  std::vector<StoredRun> runs;
  if (rows.empty()) return runs;
  std::string ids;
  std::vector<SqlParam> id_params;
  for (const auto& row : rows) {
    StoredRun run;
    run.id = Int(row[0]);
    run.timestamp = FromMs(Int(row[1]));
    run.duration_ms = Int(row[2]);
    run.dry_run = Int(row[3]) != 0;
    run.host = Text(row[4]);
    run.project = Text(row[5]);
    run.version = Text(row[6]);
    run.environment = Text(row[7]);
    run.commit = Text(row[8]);
    run.deploy_commit = Text(row[9]);
    run.overall = Text(row[10]);
    if (row[11]) run.live = Int(row[11]) != 0;
    run.fresh_for_ms = Int(row[12]);
    runs.push_back(std::move(run));
    ids += ids.empty() ? "?" : ", ?";
    id_params.emplace_back(runs.back().id);
  }
  std::string checks_sql =
      "SELECT run_id, check_key, status, details, data, duration_ms FROM check_results"
      " WHERE run_id IN (" +
      ids + ")";
  if (!check.empty()) {
    checks_sql += " AND check_key = ?";
    id_params.emplace_back(check);
  }
  checks_sql += " ORDER BY run_id, position";
  rows.clear();
  if (auto s = db_->Exec(checks_sql, id_params, &rows); !s) {
    return Error{Fail("listing check results", s.error()).error()};
  }
  std::unordered_map<std::int64_t, StoredRun*> by_id;
  for (auto& run : runs) by_id[run.id] = &run;
  for (const auto& row : rows) {
    auto it = by_id.find(Int(row[0]));
    if (it == by_id.end()) continue;
    it->second->checks.push_back(
        {Text(row[1]), Text(row[2]), row[3].value_or("[]"), row[4].value_or("{}"), Int(row[5])});
  }
  return runs;
}

Result<std::vector<Transition>> SqlHistoryStore::ListTransitions(const HistoryQuery& query) {
  std::lock_guard lock(mu_);
  if (NotCreatedLocked()) return std::vector<Transition>{};
  if (auto r = ReadyLocked(); !r) return Error{r.error()};
  std::string sql =
      "SELECT ts_ms, host, project, check_key, from_status, to_status, run_id FROM transitions"
      " WHERE 1 = 1";
  std::vector<SqlParam> params;
  if (!query.project.empty()) {
    sql += " AND project = ?";
    params.emplace_back(query.project);
  }
  if (query.since) {
    sql += " AND ts_ms >= ?";
    params.emplace_back(ToMs(*query.since));
  }
  if (!query.check.empty()) {
    sql += " AND check_key = ?";
    params.emplace_back(query.check);
  }
  sql += " ORDER BY ts_ms DESC, id DESC LIMIT ?";
  params.emplace_back(std::int64_t{query.limit});
  std::vector<SqlRow> rows;
  if (auto s = db_->Exec(sql, params, &rows); !s) {
    return Error{Fail("listing transitions", s.error()).error()};
  }
  std::vector<Transition> out;
  for (const auto& row : rows) {
    out.push_back({Text(row[3]), Text(row[4]), Text(row[5]), FromMs(Int(row[0])), Text(row[1]),
                   Text(row[2]), Int(row[6])});
  }
  return out;
}

Result<std::vector<HeartbeatSample>> SqlHistoryStore::ListHeartbeats(const HistoryQuery& query) {
  std::lock_guard lock(mu_);
  if (NotCreatedLocked()) return std::vector<HeartbeatSample>{};
  if (auto r = ReadyLocked(); !r) return Error{r.error()};
  std::string sql =
      "SELECT ts_ms, host, project, target, state, http_status, latency_ms, error"
      " FROM heartbeat_samples WHERE 1 = 1";
  std::vector<SqlParam> params;
  if (!query.project.empty()) {
    sql += " AND project = ?";
    params.emplace_back(query.project);
  }
  if (query.since) {
    sql += " AND ts_ms >= ?";
    params.emplace_back(ToMs(*query.since));
  }
  if (!query.target.empty()) {
    sql += " AND target = ?";
    params.emplace_back(query.target);
  }
  sql += " ORDER BY ts_ms DESC, id DESC LIMIT ?";
  params.emplace_back(std::int64_t{query.limit});
  std::vector<SqlRow> rows;
  if (auto s = db_->Exec(sql, params, &rows); !s) {
    return Error{Fail("listing heartbeat samples", s.error()).error()};
  }
  std::vector<HeartbeatSample> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    out.push_back({FromMs(Int(row[0])), Text(row[1]), Text(row[2]), Text(row[3]), Text(row[4]),
                   static_cast<int>(Int(row[5])), Int(row[6]), Text(row[7])});
  }
  return out;
}

}  // namespace infinity_sync
