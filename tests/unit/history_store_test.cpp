// The history store suite, run against SQLite and a real PostgreSQL server:
// records, transitions, filters, retention and schema migrations.
#include <gtest/gtest.h>

#include <atomic>

#include "lib/history_postgres.h"
#include "lib/test_support.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"

namespace infinity_sync {
namespace {

using namespace std::chrono_literals;
using std::chrono::system_clock;
using testing::PostgresServer;
using testing::TempDir;

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
  EXPECT_EQ(newest.checks[0].details, nlohmann::json::array({"branch main"}));
  EXPECT_EQ(newest.checks[0].data["behind"], 2);
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
  EXPECT_EQ(SchemaVersion(), 2);
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
}

TEST_P(HistoryStoreTest, ANewerSchemaIsRefusedWithAClearError) {
  ASSERT_TRUE(Store()->Ready().ok());
  auto db = Connection();
  ASSERT_TRUE(db->Open().ok());
  ASSERT_TRUE(db->Exec("INSERT INTO schema_version (version) VALUES (9)").ok());
  auto store = Store();
  auto ready = store->Ready();
  ASSERT_FALSE(ready.ok());
  EXPECT_NE(ready.error().find("schema version 9, newer than this program's 2"), std::string::npos)
      << ready.error();
  EXPECT_FALSE(store->Record(MakeRun(kT0, CheckStatus::kSynced)).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, HistoryStoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

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
