// The history store suite, run against SQLite and a real PostgreSQL server:
// records, transitions, filters, retention and schema migrations.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>

#include "lib/history_postgres.h"
#include "lib/test_support.h"
#include "store/history_json.h"
#include "store/history_recorder.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"

namespace infinity_sync {
namespace {

using namespace std::chrono_literals;
using std::chrono::system_clock;
using testing::PostgresServer;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

const system_clock::time_point kT0 = system_clock::time_point(1'767'225'600'000ms);  // 2026-01-01

SyncStatus MakeRun(system_clock::time_point at, CheckStatus git,
                   CheckStatus docker = CheckStatus::kSynced, const std::string& host = "laptop") {
  SyncStatus s;
  s.timestamp = at;
  s.duration_ms = 1234;
  s.dry_run = true;
  s.version = "0.1.0";
  s.project = "demo";
  s.host = host;
  CheckResult g;
  g.status = git;
  g.Info("branch main");
  g.data = {{"ahead", 0}, {"behind", git == CheckStatus::kSynced ? 0 : 2}};
  g.duration_ms = 40;
  CheckResult d;
  d.status = docker;
  d.duration_ms = 7;
  s.results = {{"GitSync", g}, {"DockerSync", d}};
  return s;
}

PostgresServer* SharedPostgres() {
  static PostgresServer* server = new PostgresServer();  // stopped at exit, below
  static bool registered = [] {
    std::atexit([] { delete server; });
    return true;
  }();
  (void)registered;
  return server;
}

// Makes a fresh, empty store of one kind for each test.
class HistoryStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  TempDir dir;
  std::string target;  // the sqlite path or the PostgreSQL URL

  void SetUp() override {
    if (GetParam() == "sqlite") {
      target = dir / "history.db";
      return;
    }
    if (PostgresServer::BinDir().empty()) {
      GTEST_SKIP() << "PostgreSQL server binaries are not installed (Debian package postgresql): "
                      "the PostgreSQL half of the store suite did not run";
    }
    ASSERT_EQ(SharedPostgres()->error(), "");
    static std::atomic<int> counter{0};
    target = SharedPostgres()->CreateDatabase("hist_" + std::to_string(getpid()) + "_" +
                                              std::to_string(counter++));
  }

  std::unique_ptr<SqlHistoryStore> Store(std::chrono::milliseconds keep_for = 0ms) {
    return GetParam() == "sqlite" ? OpenSqliteStore(target, keep_for)
                                  : OpenPostgresStore(target, keep_for);
  }
  std::unique_ptr<SqlConnection> Connection() {
    return GetParam() == "sqlite" ? MakeSqliteConnection(target) : MakePostgresConnection(target);
  }
  int SchemaVersion() {
    auto db = Connection();
    EXPECT_TRUE(db->Open().ok());
    std::vector<SqlRow> rows;
    EXPECT_TRUE(db->Exec("SELECT MAX(version) FROM schema_version", {}, &rows).ok());
    return rows.empty() || !rows[0][0] ? 0 : std::stoi(*rows[0][0]);
  }
};

TEST_P(HistoryStoreTest, RecordsRunsAndListsThemNewestFirst) {
  auto store = Store();
  ASSERT_TRUE(store->Record(MakeRun(kT0, CheckStatus::kSynced)).ok());
  ASSERT_TRUE(store->Record(MakeRun(kT0 + 60s, CheckStatus::kDiverged)).ok());
  auto runs = store->ListRuns({});
  ASSERT_TRUE(runs.ok()) << runs.error();
  ASSERT_EQ(runs->size(), 2u);
  const StoredRun& newest = (*runs)[0];
  EXPECT_EQ(newest.timestamp, kT0 + 60s);
  EXPECT_EQ(newest.duration_ms, 1234);
  EXPECT_TRUE(newest.dry_run);
  EXPECT_EQ(newest.host, "laptop");
  EXPECT_EQ(newest.project, "demo");
  EXPECT_EQ(newest.version, "0.1.0");
  ASSERT_EQ(newest.checks.size(), 2u);
  EXPECT_EQ(newest.checks[0].key, "GitSync");
  EXPECT_EQ(newest.checks[0].status, "Diverged");
  EXPECT_EQ(newest.checks[0].Details(), nlohmann::json::array({"branch main"}));
  EXPECT_EQ(newest.checks[0].Data()["behind"], 2);
  EXPECT_EQ(newest.checks[0].duration_ms, 40);
  EXPECT_EQ(newest.checks[1].key, "DockerSync");
  EXPECT_EQ((*runs)[1].timestamp, kT0);
  EXPECT_EQ(store->Describe().find("password"), std::string::npos);
}

TEST_P(HistoryStoreTest, TransitionsAreChangesPerCheckAndHost) {
  auto store = Store();
  // Synced -> Diverged -> Diverged -> Synced: two transitions of GitSync.
  std::vector<CheckStatus> git = {CheckStatus::kSynced, CheckStatus::kDiverged,
                                  CheckStatus::kDiverged, CheckStatus::kSynced};
  for (std::size_t i = 0; i < git.size(); ++i) {
    ASSERT_TRUE(store->Record(MakeRun(kT0 + i * 60s, git[i])).ok());
  }
  // Another machine's first run is not a transition, even though it differs.
  ASSERT_TRUE(
      store->Record(MakeRun(kT0 + 300s, CheckStatus::kFailed, CheckStatus::kSynced, "ci")).ok());
  auto transitions = store->ListTransitions({});
  ASSERT_TRUE(transitions.ok()) << transitions.error();
  ASSERT_EQ(transitions->size(), 2u);
  EXPECT_EQ((*transitions)[0].check, "GitSync");
  EXPECT_EQ((*transitions)[0].from, "Diverged");
  EXPECT_EQ((*transitions)[0].to, "Synced");
  EXPECT_EQ((*transitions)[0].at, kT0 + 180s);
  EXPECT_EQ((*transitions)[1].from, "Synced");
  EXPECT_EQ((*transitions)[1].to, "Diverged");
  EXPECT_EQ((*transitions)[1].at, kT0 + 60s);
  EXPECT_EQ((*transitions)[1].host, "laptop");
}

TEST_P(HistoryStoreTest, LimitCheckAndSinceFilter) {
  auto store = Store();
  for (int i = 0; i < 5; ++i) {
    auto run = MakeRun(kT0 + i * 60s, i % 2 ? CheckStatus::kDiverged : CheckStatus::kSynced);
    if (i == 4) run.results.pop_back();  // the newest has no DockerSync
    ASSERT_TRUE(store->Record(run).ok());
  }
  HistoryQuery q;
  q.limit = 2;
  auto runs = store->ListRuns(q);
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].timestamp, kT0 + 240s);

  q = {};
  q.check = "DockerSync";
  runs = store->ListRuns(q);
  ASSERT_EQ(runs->size(), 4u);
  EXPECT_EQ((*runs)[0].timestamp, kT0 + 180s);
  ASSERT_EQ((*runs)[0].checks.size(), 1u);
  EXPECT_EQ((*runs)[0].checks[0].key, "DockerSync");
  EXPECT_TRUE(store->ListTransitions(q)->empty());

  q = {};
  q.since = kT0 + 120s;
  runs = store->ListRuns(q);
  EXPECT_EQ(runs->size(), 3u);
  auto transitions = store->ListTransitions(q);
  EXPECT_EQ(transitions->size(), 3u);  // at 120 s, 180 s, 240 s
  q.check = "GitSync";
  q.limit = 1;
  transitions = store->ListTransitions(q);
  ASSERT_EQ(transitions->size(), 1u);
  EXPECT_EQ((*transitions)[0].at, kT0 + 240s);
}

TEST_P(HistoryStoreTest, RetentionIsPrunedOnWrite) {
  auto store = Store(std::chrono::hours(24));
  ASSERT_TRUE(store->Record(MakeRun(kT0, CheckStatus::kSynced)).ok());
  ASSERT_TRUE(store->Record(MakeRun(kT0 + 1h, CheckStatus::kDiverged)).ok());
  EXPECT_EQ(store->ListRuns({})->size(), 2u);
  // Two days later: both older runs and their transition go.
  ASSERT_TRUE(store->Record(MakeRun(kT0 + 48h, CheckStatus::kSynced)).ok());
  auto runs = store->ListRuns({});
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].timestamp, kT0 + 48h);
  EXPECT_EQ(store->ListTransitions({})->size(), 1u);  // Diverged -> Synced at 48 h
  auto db = Connection();
  ASSERT_TRUE(db->Open().ok());
  std::vector<SqlRow> rows;
  ASSERT_TRUE(db->Exec("SELECT COUNT(*) FROM check_results", {}, &rows).ok());
  EXPECT_EQ(*rows[0][0], "2");
}

TEST_P(HistoryStoreTest, MigratesAnEmptyDatabase) {
  auto store = Store();
  ASSERT_TRUE(store->Ready().ok());
  EXPECT_EQ(SchemaVersion(), kHistorySchemaVersion);
  EXPECT_TRUE(store->ListRuns({})->empty());
  // Opening again does not migrate twice.
  auto again = Store();
  ASSERT_TRUE(again->Ready().ok());
  auto db = Connection();
  ASSERT_TRUE(db->Open().ok());
  std::vector<SqlRow> rows;
  ASSERT_TRUE(db->Exec("SELECT COUNT(*) FROM schema_version", {}, &rows).ok());
  EXPECT_EQ(*rows[0][0], std::to_string(kHistorySchemaVersion));
}

TEST_P(HistoryStoreTest, MigratesFromVersionOneAndBackfillsTransitions) {
  {
    // A version-1 database as the previous release left it, made by hand.
    auto db = Connection();
    ASSERT_TRUE(db->Open().ok());
    std::string id = db->IdColumn();
    for (const std::string& sql : std::vector<std::string>{
             "CREATE TABLE schema_version (version INTEGER NOT NULL)",
             "INSERT INTO schema_version (version) VALUES (1)",
             "CREATE TABLE runs (id " + id +
                 ", ts_ms BIGINT NOT NULL, duration_ms BIGINT NOT NULL, dry_run INTEGER NOT NULL,"
                 " host TEXT NOT NULL, project TEXT NOT NULL, version TEXT NOT NULL)",
             std::string("CREATE INDEX runs_ts ON runs (ts_ms)"),
             std::string("CREATE TABLE check_results (run_id BIGINT NOT NULL, position INTEGER NOT "
                         "NULL, check_key TEXT NOT NULL, status TEXT NOT NULL, details TEXT NOT "
                         "NULL, data TEXT NOT NULL, duration_ms BIGINT NOT NULL, PRIMARY KEY "
                         "(run_id, position))"),
         }) {
      ASSERT_TRUE(db->Exec(sql).ok()) << sql;
    }
    const char* states[] = {"Synced", "Diverged", "Synced"};
    for (int i = 0; i < 3; ++i) {
      std::vector<SqlRow> rows;
      ASSERT_TRUE(db->Exec("INSERT INTO runs (ts_ms, duration_ms, dry_run, host, project, version)"
                           " VALUES (?, 10, 0, 'old-host', 'demo', '0.0.9') RETURNING id",
                           {std::int64_t{1'767'225'600'000 + i * 1000}}, &rows)
                      .ok());
      ASSERT_TRUE(db->Exec("INSERT INTO check_results VALUES (?, 0, 'GitSync', ?, '[]', '{}', 5)",
                           {std::stoll(*rows[0][0]), std::string(states[i])})
                      .ok());
    }
  }
  auto store = Store();
  ASSERT_TRUE(store->Ready().ok()) << store->Ready().error();
  EXPECT_EQ(SchemaVersion(), kHistorySchemaVersion);
  auto runs = store->ListRuns({});
  ASSERT_EQ(runs->size(), 3u);
  EXPECT_EQ((*runs)[0].version, "0.0.9");
  auto transitions = store->ListTransitions({});
  ASSERT_EQ(transitions->size(), 2u);
  EXPECT_EQ((*transitions)[0].from, "Diverged");
  EXPECT_EQ((*transitions)[0].to, "Synced");
  // The last known state came across: a new Failed run of that host is a transition.
  SyncStatus next = MakeRun(kT0 + 10s, CheckStatus::kFailed, CheckStatus::kSynced, "old-host");
  ASSERT_TRUE(store->Record(next).ok());
  transitions = store->ListTransitions({});
  ASSERT_EQ(transitions->size(), 3u);
  EXPECT_EQ((*transitions)[0].from, "Synced");
  EXPECT_EQ((*transitions)[0].to, "Failed");
  // Version 4 back-filled the fleet: old runs speak for their host.
  auto fleet = store->ListFleet();
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  ASSERT_EQ(fleet->size(), 1u);
  EXPECT_EQ((*fleet)[0].environment, "old-host");
  EXPECT_EQ((*fleet)[0].timestamp, kT0 + 10s);
}

TEST_P(HistoryStoreTest, FleetHoldsTheLatestRunOfEveryProjectAndEnvironment) {
  auto store = Store(std::chrono::hours(24));
  auto run = [](system_clock::time_point at, const std::string& project,
                const std::string& environment, CheckStatus git) {
    SyncStatus s = MakeRun(at, git);
    s.project = project;
    s.environment = environment;
    s.fresh_for_ms = 60'000;
    Lineage lineage;
    lineage.commit = "d3p10y";
    lineage.hops.push_back({"local", "h3ad", "clean", "", "main", std::nullopt, {}});
    lineage.live = git == CheckStatus::kSynced;
    s.lineage = lineage;
    return s;
  };
  ASSERT_TRUE(store->Record(run(kT0, "shop", "ci", CheckStatus::kSynced)).ok());
  ASSERT_TRUE(store->Record(run(kT0 + 1s, "shop", "prod", CheckStatus::kDiverged)).ok());
  ASSERT_TRUE(store->Record(run(kT0 + 2s, "shop", "ci", CheckStatus::kFailed)).ok());
  // Written late (from a pending file): older than the row it would replace.
  ASSERT_TRUE(store->Record(run(kT0 - 1s, "shop", "ci", CheckStatus::kSynced)).ok());
  auto fleet = store->ListFleet();
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  ASSERT_EQ(fleet->size(), 2u);
  const StoredRun& ci = (*fleet)[0];
  EXPECT_EQ(ci.environment, "ci");
  EXPECT_EQ(ci.timestamp, kT0 + 2s);
  EXPECT_EQ(ci.overall, "failed");
  EXPECT_EQ(ci.live, false);
  EXPECT_EQ(ci.commit, "h3ad");
  EXPECT_EQ(ci.deploy_commit, "d3p10y");
  EXPECT_EQ(ci.fresh_for_ms, 60'000);
  ASSERT_EQ(ci.checks.size(), 2u);
  EXPECT_EQ(ci.checks[0].status, "Failed");
  EXPECT_EQ((*fleet)[1].environment, "prod");
  EXPECT_EQ((*fleet)[1].overall, "drift");
  // The fleet document: ages from `now`, stale past fresh_for.
  auto doc = FleetDocument(*store, kT0 + 62s);
  ASSERT_TRUE(doc.ok()) << doc.error();
  EXPECT_EQ((*doc)["runs"][0]["ageSeconds"], 60);
  EXPECT_EQ((*doc)["runs"][0]["stale"], false);
  EXPECT_EQ((*doc)["runs"][1]["ageSeconds"], 61);
  EXPECT_EQ((*doc)["runs"][1]["stale"], true);
  EXPECT_EQ((*doc)["runs"][1]["statuses"]["GitSync"], "Diverged");
  // Pruned with its run two days later: only the new run's row is left.
  ASSERT_TRUE(store->Record(run(kT0 + 48h, "blog", "laptop", CheckStatus::kSynced)).ok());
  fleet = store->ListFleet();
  ASSERT_EQ(fleet->size(), 1u);
  EXPECT_EQ((*fleet)[0].project, "blog");
  EXPECT_EQ((*fleet)[0].overall, "synced");
  EXPECT_EQ((*fleet)[0].live, true);
}

TEST_P(HistoryStoreTest, ANewerSchemaIsRefusedWithAClearError) {
  ASSERT_TRUE(Store()->Ready().ok());
  auto db = Connection();
  ASSERT_TRUE(db->Open().ok());
  ASSERT_TRUE(db->Exec("INSERT INTO schema_version (version) VALUES (9)").ok());
  auto store = Store();
  auto ready = store->Ready();
  ASSERT_FALSE(ready.ok());
  EXPECT_NE(ready.error().find("schema version 9, newer than this program's " +
                               std::to_string(kHistorySchemaVersion)),
            std::string::npos)
      << ready.error();
  EXPECT_FALSE(store->Record(MakeRun(kT0, CheckStatus::kSynced)).ok());
}

// Version 2 as the previous release left it (its tables, made by hand), with one run.
TEST_P(HistoryStoreTest, MigratesFromVersionTwoAndRecordsHeartbeats) {
  {
    auto db = Connection();
    ASSERT_TRUE(db->Open().ok());
    std::string id = db->IdColumn();
    for (const std::string& sql : std::vector<std::string>{
             "CREATE TABLE schema_version (version INTEGER NOT NULL)",
             "INSERT INTO schema_version (version) VALUES (1)",
             "INSERT INTO schema_version (version) VALUES (2)",
             "CREATE TABLE runs (id " + id +
                 ", ts_ms BIGINT NOT NULL, duration_ms BIGINT NOT NULL, dry_run INTEGER NOT NULL,"
                 " host TEXT NOT NULL, project TEXT NOT NULL, version TEXT NOT NULL)",
             std::string("CREATE INDEX runs_ts ON runs (ts_ms)"),
             std::string("CREATE TABLE check_results (run_id BIGINT NOT NULL, position INTEGER NOT "
                         "NULL, check_key TEXT NOT NULL, status TEXT NOT NULL, details TEXT NOT "
                         "NULL, data TEXT NOT NULL, duration_ms BIGINT NOT NULL, PRIMARY KEY "
                         "(run_id, position))"),
             std::string("CREATE TABLE check_state (host TEXT NOT NULL, project TEXT NOT NULL,"
                         " check_key TEXT NOT NULL, status TEXT NOT NULL, last_ms BIGINT NOT NULL,"
                         " PRIMARY KEY (host, project, check_key))"),
             "CREATE TABLE transitions (id " + id +
                 ", ts_ms BIGINT NOT NULL, host TEXT NOT NULL, project TEXT NOT NULL,"
                 " check_key TEXT NOT NULL, from_status TEXT NOT NULL, to_status TEXT NOT NULL,"
                 " run_id BIGINT NOT NULL)",
             std::string("CREATE INDEX transitions_ts ON transitions (ts_ms)"),
             std::string("CREATE INDEX check_results_key ON check_results (check_key, run_id)"),
             std::string("INSERT INTO runs (ts_ms, duration_ms, dry_run, host, project, version)"
                         " VALUES (1767225600000, 10, 0, 'laptop', 'demo', '0.0.9')"),
             std::string("INSERT INTO check_results VALUES (1, 0, 'GitSync', 'Synced',"
                         " '[\"old\"]', '{\"ahead\":1}', 5)"),
             std::string("INSERT INTO check_state VALUES ('laptop', 'demo', 'GitSync', 'Synced',"
                         " 1767225600000)"),
         }) {
      ASSERT_TRUE(db->Exec(sql).ok()) << sql;
    }
  }
  auto store = Store();
  ASSERT_TRUE(store->Ready().ok()) << store->Ready().error();
  EXPECT_EQ(SchemaVersion(), kHistorySchemaVersion);
  auto runs = store->ListRuns({});
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].checks[0].Details(), nlohmann::json::array({"old"}));
  EXPECT_EQ((*runs)[0].checks[0].Data()["ahead"], 1);
  // The last state came across: Diverged now is a transition.
  ASSERT_TRUE(store->Record(MakeRun(kT0 + 60s, CheckStatus::kDiverged)).ok());
  ASSERT_EQ(store->ListTransitions({})->size(), 1u);
  HeartbeatSample h{kT0, "laptop", "demo", "github", "healthy", 200, 42, ""};
  ASSERT_TRUE(store->RecordHeartbeats({h}).ok());
  auto samples = store->ListHeartbeats({});
  ASSERT_TRUE(samples.ok()) << samples.error();
  ASSERT_EQ(samples->size(), 1u);
  EXPECT_EQ((*samples)[0].latency_ms, 42);
}

TEST_P(HistoryStoreTest, HeartbeatSamplesAreListedFilteredAndPruned) {
  auto store = Store(std::chrono::hours(24));
  std::vector<HeartbeatSample> first = {
      {kT0, "laptop", "demo", "github", "healthy", 200, 80, ""},
      {kT0 + 1s, "laptop", "demo", "gcp", "degraded", 503, 120, "HTTP 503"},
      {kT0 + 2s, "laptop", "demo", "cloudflare", "down", 0, 5000, "timeout"},
  };
  ASSERT_TRUE(store->RecordHeartbeats(first).ok());
  ASSERT_TRUE(
      store->RecordHeartbeats({{kT0 + 60s, "ci", "demo", "github", "unknown", 0, 0, "x"}}).ok());
  auto all = store->ListHeartbeats({});
  ASSERT_TRUE(all.ok()) << all.error();
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[0].host, "ci");
  EXPECT_EQ((*all)[0].state, "unknown");
  const HeartbeatSample& gcp = (*all)[2];
  EXPECT_EQ(gcp.target, "gcp");
  EXPECT_EQ(gcp.state, "degraded");
  EXPECT_EQ(gcp.http_status, 503);
  EXPECT_EQ(gcp.latency_ms, 120);
  EXPECT_EQ(gcp.error, "HTTP 503");
  EXPECT_EQ(gcp.timestamp, kT0 + 1s);
  EXPECT_EQ(gcp.project, "demo");
  HistoryQuery q;
  q.target = "github";
  EXPECT_EQ(store->ListHeartbeats(q)->size(), 2u);
  q.limit = 1;
  EXPECT_EQ(store->ListHeartbeats(q)->front().host, "ci");
  q = {};
  q.since = kT0 + 2s;
  EXPECT_EQ(store->ListHeartbeats(q)->size(), 2u);
  // A state the schema does not know is refused.
  EXPECT_FALSE(store->RecordHeartbeats({{kT0, "h", "p", "github", "fine", 200, 1, ""}}).ok());
  // Two days later a run prunes the old samples, and a sample prunes too.
  ASSERT_TRUE(store->Record(MakeRun(kT0 + 48h, CheckStatus::kSynced)).ok());
  EXPECT_TRUE(store->ListHeartbeats({})->empty());
  ASSERT_TRUE(store->RecordHeartbeats({{kT0 + 48h, "h", "p", "gcp", "healthy", 204, 3, ""}}).ok());
  ASSERT_TRUE(store->RecordHeartbeats({{kT0 + 96h, "h", "p", "gcp", "healthy", 204, 3, ""}}).ok());
  EXPECT_EQ(store->ListHeartbeats({})->size(), 1u);
}

// The history text is built from JSON fragments; it must be the same document
// as the one nlohmann::json builds, for awkward strings and stored text too.
TEST_P(HistoryStoreTest, HistoryTextIsTheSameDocumentAsTheJsonTree) {
  auto store = Store();
  SyncStatus s = MakeRun(kT0, CheckStatus::kSynced, CheckStatus::kSynced, "h\"ost\\\n\u00e9");
  s.project = "d\"emo </script>";
  s.results[0].result.Info("quote \" backslash \\ tab \t \u2603");
  s.results[0].result.data = {{"nested", {{"a", {1, 2.5, nullptr, true}}}}, {"s", "\u00fc"}};
  ASSERT_TRUE(store->Record(s).ok());
  SyncStatus next = MakeRun(kT0 + 1s, CheckStatus::kDiverged, CheckStatus::kSynced, s.host);
  next.project = s.project;
  ASSERT_TRUE(store->Record(next).ok());
  {
    // A row edited by hand: not JSON. The answer stays valid JSON.
    auto db = Connection();
    ASSERT_TRUE(db->Open().ok());
    ASSERT_TRUE(
        db->Exec("UPDATE check_results SET details = 'not json', data = '[1' WHERE position = 1")
            .ok());
  }
  HistoryQuery q;
  auto text = HistoryDocumentText(*store, q);
  ASSERT_TRUE(text.ok()) << text.error();
  auto tree = HistoryDocument(*store, q);
  ASSERT_TRUE(tree.ok());
  auto parsed = nlohmann::json::parse(*text, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << *text;
  EXPECT_EQ(parsed, *tree) << *text << "\n" << tree->dump();
  EXPECT_EQ(parsed["runs"][1]["host"], "h\"ost\\\n\u00e9");
  EXPECT_EQ(parsed["runs"][1]["checks"][0]["Data"]["nested"]["a"][1], 2.5);
  EXPECT_EQ(parsed["runs"][0]["checks"][1]["Details"], nlohmann::json::array());
  EXPECT_EQ(parsed["runs"][0]["checks"][1]["Data"], nlohmann::json::object());
  EXPECT_EQ(parsed["transitions"].size(), 1u);
}

// A one-shot process whose store is unavailable keeps its run in the pending
// file; the next process writes it first and removes the file.
TEST_P(HistoryStoreTest, PendingFileKeepsRunsUntilTheStoreIsBack) {
  std::string pending = dir / "readiness/pending.jsonl";
  std::string real_target = target;
  if (GetParam() == "sqlite") {
    // Unavailable: the database's folder is a regular file.
    WriteFile(dir / "blocked", "x");
    target = dir / "blocked/history.db";
  } else {
    target = "postgresql://postgres@127.0.0.1:1/nowhere?connect_timeout=2";
  }
  {
    HistoryRecorder recorder(Store(), 500, pending);
    std::string error = recorder.Record(MakeRun(kT0, CheckStatus::kSynced));
    EXPECT_NE(error, "");
    EXPECT_EQ(recorder.Pending(), 1u);
  }
  {
    HistoryRecorder recorder(Store(), 500, pending);  // the next process, still down
    std::string error = recorder.Record(MakeRun(kT0 + 1s, CheckStatus::kDiverged));
    EXPECT_NE(error.find("2 runs kept in " + pending), std::string::npos) << error;
  }
  ASSERT_TRUE(std::filesystem::exists(pending));
  auto lines = ReadFile(pending);
  EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 2);
  target = real_target;
  HistoryRecorder recorder(Store(), 500, pending);
  EXPECT_EQ(recorder.Record(MakeRun(kT0 + 2s, CheckStatus::kSynced)), "");
  EXPECT_EQ(recorder.Pending(), 0u);
  EXPECT_FALSE(std::filesystem::exists(pending));
  auto runs = recorder.store().ListRuns({});
  ASSERT_EQ(runs->size(), 3u);
  EXPECT_EQ((*runs)[2].timestamp, kT0);
  EXPECT_EQ((*runs)[1].checks[0].status, "Diverged");
  EXPECT_EQ((*runs)[1].checks[0].Data()["behind"], 2);
  EXPECT_EQ(recorder.store().ListTransitions({})->size(), 2u);
}

TEST_P(HistoryStoreTest, AnUnreadablePendingLineIsDroppedAndNamed) {
  std::string pending = dir / "pending.jsonl";
  WriteFile(pending, "{\"not\": \"a run\"}\n");
  HistoryRecorder recorder(Store(), 500, pending);
  std::string error = recorder.Record(MakeRun(kT0, CheckStatus::kSynced));
  EXPECT_NE(error.find(pending + " line 1: not a recorded run"), std::string::npos) << error;
  EXPECT_FALSE(std::filesystem::exists(pending));
  EXPECT_EQ(recorder.store().ListRuns({})->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, HistoryStoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

TEST(HistoryStoreSqlite, AZeroByteFileIsMigratedLikeAnEmptyDatabase) {
  TempDir dir;
  WriteFile(dir / "empty.db", "");
  auto store = OpenSqliteStore(dir / "empty.db", 0ms);
  ASSERT_TRUE(store->Ready().ok()) << store->Ready().error();
  ASSERT_TRUE(store->RecordHeartbeats({{kT0, "h", "p", "github", "healthy", 200, 1, ""}}).ok());
  EXPECT_EQ(store->ListHeartbeats({})->size(), 1u);
}

// The queries the API runs walk an index (no full scan, no sort of the table).
TEST(HistoryStoreSqlite, HistoryQueriesUseIndexes) {
  TempDir dir;
  ASSERT_TRUE(OpenSqliteStore(dir / "h.db", 0ms)->Ready().ok());
  auto db = MakeSqliteConnection(dir / "h.db");
  ASSERT_TRUE(db->Open().ok());
  for (const std::string& sql : {
           std::string("SELECT id FROM runs r WHERE 1 = 1 AND ts_ms >= 0 ORDER BY ts_ms DESC, id "
                       "DESC LIMIT 100"),
           std::string("SELECT id FROM transitions WHERE 1 = 1 ORDER BY ts_ms DESC, id DESC LIMIT "
                       "100"),
           std::string("SELECT id FROM heartbeat_samples WHERE 1 = 1 AND target = 'gcp' ORDER BY "
                       "ts_ms DESC, id DESC LIMIT 100"),
           std::string("SELECT run_id FROM check_results WHERE run_id IN (1, 2) ORDER BY run_id, "
                       "position"),
       }) {
    std::vector<SqlRow> rows;
    ASSERT_TRUE(db->Exec("EXPLAIN QUERY PLAN " + sql, {}, &rows).ok()) << sql;
    std::string plan;
    for (const auto& row : rows) plan += row.back().value_or("") + "\n";
    EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << sql << "\n" << plan;
    EXPECT_EQ(plan.find("SCAN r\n"), std::string::npos) << plan;
    EXPECT_NE(plan.find("INDEX"), std::string::npos) << sql << "\n" << plan;
  }
}

TEST(HistoryStoreUrl, PasswordsAreNeverShown) {
  EXPECT_EQ(RedactDatabaseUrl("postgresql://u:secret@db.example:5432/h"),
            "postgresql://u:***@db.example:5432/h");
  EXPECT_EQ(RedactDatabaseUrl("postgres://u@db/h"), "postgres://u@db/h");
  EXPECT_EQ(RedactDatabaseUrl("postgresql://db/h?user=u&password=secret&sslmode=require"),
            "postgresql://db/h?user=u&password=***&sslmode=require");
  EXPECT_EQ(
      OpenPostgresStore("postgresql://u:secret@127.0.0.1:1/h", 0ms)->Describe().find("secret"),
      std::string::npos);
}

}  // namespace
}  // namespace infinity_sync
