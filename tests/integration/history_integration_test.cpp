// History end to end: real `infinity-sync run` processes writing to SQLite and
// PostgreSQL, concurrent writers, a corrupt database, a PostgreSQL server that
// goes away, the `history` command and GET /api/sync/history.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "cli/heartbeat_history.h"
#include "lib/git_world.h"
#include "lib/history_postgres.h"
#include "lib/program.h"
#include "lib/server_fakes.h"
#include "ports/file_system.h"
#include "server/routes.h"
#include "store/history_recorder.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"

namespace infinity_sync {
namespace {

using namespace std::chrono_literals;
using namespace testing;

class HistoryIntegrationTest : public ::testing::Test {
 protected:
  TempDir home;
  EnvChanges env = HermeticEnv(home.str());

  // A quick run: the git check against a folder that is not a repository (Failed).
  std::string Config(const std::string& name, const std::string& store,
                     const std::string& repo = "") {
    return WriteConfig(home / (name + ".yaml"),
                       "project: demo\ngit:\n  repo: " + (repo.empty() ? home.str() : repo) +
                           "\nstatus_file: " + (home / (name + "/status.json")) +
                           "\nstore: " + store + "\n");
  }
  ProgramRun Run(const std::vector<std::string>& args) { return RunProgram(args, home.str(), env); }
};

TEST_F(HistoryIntegrationTest, RunsAreRecordedAndTheHistoryCommandShowsThem) {
  std::string store = "sqlite:" + (home / "h.db");
  GitWorld world;
  ProgramRun failed = Run({"run", "--only", "git", "--dry-run", "--config", Config("a", store)});
  EXPECT_EQ(failed.code(), 2);
  EXPECT_EQ(failed.proc.err.find("not recorded"), std::string::npos) << failed.proc.err;
  ProgramRun synced =
      Run({"run", "--only", "git", "--dry-run", "--config", Config("b", store, world.work())});
  EXPECT_EQ(synced.code(), 0) << synced.proc.out << synced.proc.err;

  std::string cfg = home / "b.yaml";
  ProgramRun json = Run({"history", "--json", "--config", cfg});
  ASSERT_EQ(json.code(), 0) << json.proc.err;
  ASSERT_EQ(json.doc["runs"].size(), 2u) << json.proc.out;
  EXPECT_EQ(json.doc["runs"][0]["checks"][0]["check"], "GitSync");
  EXPECT_EQ(json.doc["runs"][0]["checks"][0]["Status"], "Synced");
  EXPECT_EQ(json.doc["runs"][1]["checks"][0]["Status"], "Failed");
  EXPECT_EQ(json.doc["runs"][0]["project"], "demo");
  EXPECT_FALSE(json.doc["runs"][0]["host"].get<std::string>().empty());
  ASSERT_EQ(json.doc["transitions"].size(), 1u);
  EXPECT_EQ(json.doc["transitions"][0]["check"], "GitSync");
  EXPECT_EQ(json.doc["transitions"][0]["from"], "Failed");
  EXPECT_EQ(json.doc["transitions"][0]["to"], "Synced");

  ProgramRun table = Run({"history", "--config", cfg});
  ASSERT_EQ(table.code(), 0) << table.proc.err;
  EXPECT_NE(table.proc.out.find("git=Synced"), std::string::npos) << table.proc.out;
  EXPECT_NE(table.proc.out.find("Failed -> Synced"), std::string::npos) << table.proc.out;

  ProgramRun one =
      Run({"history", "--json", "--limit", "1", "--check", "GitSync", "--config", cfg});
  EXPECT_EQ(one.doc["runs"].size(), 1u) << one.proc.out;
  ProgramRun future =
      Run({"history", "--json", "--since", "2100-01-01T00:00:00Z", "--config", cfg});
  EXPECT_TRUE(future.doc["runs"].empty()) << future.proc.out;

  ProgramRun bad_limit = Run({"history", "--limit", "0", "--config", cfg});
  EXPECT_EQ(bad_limit.code(), 64);
  EXPECT_NE(bad_limit.proc.err.find("--limit: expected a whole number from 1 to 1000"),
            std::string::npos)
      << bad_limit.proc.err;
  ProgramRun bad_since = Run({"history", "--since", "yesterday", "--config", cfg});
  EXPECT_EQ(bad_since.code(), 64);
  EXPECT_NE(bad_since.proc.err.find("--since: expected an ISO-8601 time"), std::string::npos);
  ProgramRun off = Run({"history", "--config", Config("c", "none")});
  EXPECT_EQ(off.code(), 78);
  EXPECT_NE(off.proc.err.find("history is off"), std::string::npos);
}

TEST_F(HistoryIntegrationTest, ConcurrentWritersAndAReaderNeverFailWithLocked) {
  std::string db = home / "shared.db";
  std::string store = "sqlite:" + db;
  std::vector<std::string> configs = {Config("one", store), Config("two", store)};
  constexpr int kRunsEach = 5;
  constexpr int kServerWrites = 20;
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::vector<std::string> problems;
  std::mutex problems_mu;
  auto problem = [&](const std::string& p) {
    std::lock_guard lock(problems_mu);
    problems.push_back(p);
  };
  std::vector<std::thread> threads;
  for (const auto& cfg : configs) {
    threads.emplace_back([&, cfg] {
      for (int i = 0; i < kRunsEach; ++i) {
        ProgramRun r = Run({"run", "--only", "git", "--dry-run", "--config", cfg});
        if (r.code() != 2 || r.proc.err.find("not recorded") != std::string::npos) {
          problem("run " + cfg + ": exit " + std::to_string(r.code()) + ": " + r.proc.err);
        }
      }
    });
  }
  // The server: its own writer (the live loop) and reader (the API).
  threads.emplace_back([&] {
    HistoryRecorder recorder(OpenSqliteStore(db, 0ms));
    for (int i = 0; i < kServerWrites; ++i) {
      SyncStatus s;
      s.timestamp = std::chrono::system_clock::now();
      s.host = "server";
      s.project = "demo";
      s.results = {{"GitSync", CheckResult::Failure("x")}};
      if (auto e = recorder.Record(s); !e.empty()) problem("server write: " + e);
      std::this_thread::sleep_for(5ms);
    }
  });
  std::thread reader([&] {
    auto store = OpenSqliteStore(db, 0ms);
    while (!done) {
      HistoryQuery q;
      q.limit = 100;
      auto runs = store->ListRuns(q);
      if (!runs) problem("read: " + runs.error());
      ++reads;
      std::this_thread::sleep_for(2ms);
    }
  });
  for (auto& t : threads) t.join();
  done = true;
  reader.join();
  EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(problems);
  EXPECT_GT(reads.load(), 0);
  HistoryQuery all;
  all.limit = 1000;
  auto runs = OpenSqliteStore(db, 0ms)->ListRuns(all);
  ASSERT_TRUE(runs.ok()) << runs.error();
  EXPECT_EQ(runs->size(), static_cast<std::size_t>(2 * kRunsEach + kServerWrites));
}

TEST_F(HistoryIntegrationTest, ACorruptDatabaseIsReportedAndTheStatusFileIsStillWritten) {
  std::string db = home / "corrupt.db";
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage += static_cast<char>('A' + i % 26);
  WriteFile(db, garbage);
  std::string cfg = Config("a", "sqlite:" + db);
  ProgramRun run = Run({"run", "--only", "git", "--dry-run", "--config", cfg});
  EXPECT_EQ(run.code(), 2) << "the exit code is the checks', not the store's";
  EXPECT_TRUE(std::filesystem::exists(home / "a/status.json"));
  EXPECT_NE(run.proc.out.find("History NOT recorded: history store sqlite:" + db),
            std::string::npos)
      << run.proc.out;
  EXPECT_NE(run.proc.err.find("the run was not recorded in the history"), std::string::npos);
  EXPECT_NE(run.proc.err.find("file is not a database"), std::string::npos) << run.proc.err;
  EXPECT_EQ(ReadFile(db), garbage) << "the corrupt file is left alone";
  ProgramRun history = Run({"history", "--config", cfg});
  EXPECT_EQ(history.code(), 2);
  EXPECT_NE(history.proc.err.find("file is not a database"), std::string::npos);
}

TEST_F(HistoryIntegrationTest, PostgresStoppedMidwayNeverFailsTheRun) {
  if (PostgresServer::BinDir().empty()) {
    GTEST_SKIP() << "PostgreSQL server binaries are not installed (Debian package postgresql)";
  }
  PostgresServer pg;
  ASSERT_EQ(pg.error(), "");
  std::string url = pg.CreateDatabase("midway");
  std::string cfg = Config("a", url);
  ProgramRun first = Run({"run", "--only", "git", "--dry-run", "--config", cfg});
  EXPECT_EQ(first.code(), 2);
  EXPECT_EQ(first.proc.err.find("not recorded"), std::string::npos) << first.proc.err;

  // A long-lived writer (the server) with an open connection, then the database goes away.
  HistoryRecorder recorder(OpenPostgresStore(url, 0ms));
  SyncStatus s;
  s.timestamp = std::chrono::system_clock::now();
  s.host = "server";
  s.project = "demo";
  s.results = {{"GitSync", CheckResult::Failure("x")}};
  ASSERT_EQ(recorder.Record(s), "");
  ASSERT_TRUE(pg.Stop());
  std::string error = recorder.Record(s);
  EXPECT_NE(error.find("history store " + url), std::string::npos) << error;
  EXPECT_EQ(recorder.Pending(), 1u);
  EXPECT_EQ(recorder.LastError(), error);

  auto started = std::chrono::steady_clock::now();
  ProgramRun down = Run({"run", "--only", "git", "--dry-run", "--config", cfg});
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
  EXPECT_EQ(down.code(), 2);
  EXPECT_TRUE(std::filesystem::exists(home / "a/status.json"));
  EXPECT_NE(down.proc.out.find("History NOT recorded"), std::string::npos) << down.proc.out;
  EXPECT_NE(down.proc.err.find("the run was not recorded in the history"), std::string::npos)
      << down.proc.err;

  // Back up: the kept run is written before the next one.
  ASSERT_TRUE(pg.Start()) << pg.error();
  EXPECT_EQ(recorder.Record(s), "");
  EXPECT_EQ(recorder.Pending(), 0u);
  EXPECT_EQ(recorder.LastError(), "");
  HistoryQuery all;
  all.limit = 100;
  auto runs = recorder.store().ListRuns(all);
  ASSERT_TRUE(runs.ok()) << runs.error();
  EXPECT_EQ(runs->size(), 4u);  // the first CLI run + three of the server's

  // The CLI run made while the server was down waited in the pending file:
  // the next run writes it first, then its own, and removes the file.
  std::string pending = home / "a/infinity-sync-history-pending.jsonl";
  ASSERT_TRUE(std::filesystem::exists(pending)) << down.proc.err;
  EXPECT_NE(down.proc.err.find("it waits in " + pending), std::string::npos) << down.proc.err;
  ProgramRun after = Run({"run", "--only", "git", "--dry-run", "--config", cfg});
  EXPECT_EQ(after.proc.err.find("not recorded"), std::string::npos) << after.proc.err;
  EXPECT_FALSE(std::filesystem::exists(pending));
  runs = recorder.store().ListRuns(all);
  ASSERT_TRUE(runs.ok()) << runs.error();
  EXPECT_EQ(runs->size(), 6u);
}

// Writers starting together on a new database (several machines' first runs):
// the schema is created once, under the write lock, and every one of them can
// record. Before, two CREATE TABLE IF NOT EXISTS at once could fail with
// "type \"schema_version\" already exists".
TEST_F(HistoryIntegrationTest, WritersStartingTogetherOnANewPostgresAllGetTheSchema) {
  if (PostgresServer::BinDir().empty()) {
    GTEST_SKIP() << "PostgreSQL server binaries are not installed (Debian package postgresql)";
  }
  PostgresServer pg;
  ASSERT_EQ(pg.error(), "");
  for (int round = 0; round < 5; ++round) {
    std::string url = pg.CreateDatabase("together" + std::to_string(round));
    constexpr int kWriters = 6;
    std::vector<std::unique_ptr<SqlHistoryStore>> stores;
    for (int i = 0; i < kWriters; ++i) stores.push_back(OpenPostgresStore(url, 0ms));
    std::vector<std::string> errors(kWriters);
    std::atomic<int> waiting{kWriters};
    std::vector<std::thread> threads;
    for (int i = 0; i < kWriters; ++i) {
      threads.emplace_back([&, i] {
        waiting.fetch_sub(1);
        while (waiting.load() > 0) std::this_thread::yield();
        if (auto ready = stores[i]->Ready(); !ready) errors[i] = ready.error();
      });
    }
    for (auto& t : threads) t.join();
    for (int i = 0; i < kWriters; ++i)
      EXPECT_EQ(errors[i], "") << "round " << round << " writer " << i;
    StoredRun run;
    run.timestamp = std::chrono::system_clock::now();
    run.host = "h";
    run.project = "demo";
    auto recorded = stores[0]->Record(run);
    EXPECT_TRUE(recorded) << round << ": " << (recorded ? "" : recorded.error());
  }
}

TEST_F(HistoryIntegrationTest, AOneShotRunWhoseStoreIsUnavailableIsWrittenByTheNextRun) {
  // The database's folder is a regular file: no SQLite can open it.
  WriteFile(home / "blocked", "not a folder");
  std::string cfg = Config("a", "sqlite:" + (home / "blocked/h.db"));
  std::string pending = home / "a/infinity-sync-history-pending.jsonl";
  ProgramRun first = Run({"run", "--only", "git", "--dry-run", "--config", cfg});
  EXPECT_EQ(first.code(), 2);
  EXPECT_NE(first.proc.out.find("History NOT recorded"), std::string::npos) << first.proc.out;
  ASSERT_TRUE(std::filesystem::exists(pending));
  std::string kept = ReadFile(pending);
  auto line = nlohmann::json::parse(kept.substr(0, kept.find('\n')));
  EXPECT_EQ(line["checks"][0]["check"], "GitSync");
  EXPECT_EQ(line["checks"][0]["Status"], "Failed");

  std::filesystem::remove(home / "blocked");
  ProgramRun second = Run({"run", "--only", "git", "--dry-run", "--config", cfg});
  EXPECT_EQ(second.proc.err.find("not recorded"), std::string::npos) << second.proc.err;
  EXPECT_FALSE(std::filesystem::exists(pending));
  ProgramRun history = Run({"history", "--json", "--config", cfg});
  ASSERT_EQ(history.code(), 0) << history.proc.err;
  ASSERT_EQ(history.doc["runs"].size(), 2u) << history.proc.out;
  EXPECT_EQ(history.doc["runs"][1]["timestamp"], line["timestamp"]);
  EXPECT_EQ(history.doc["runs"][1]["checks"][0]["Details"], line["checks"][0]["Details"]);
}

TEST_F(HistoryIntegrationTest, TheHeartbeatCommandRecordsEachProbe) {
  FakeHttpServer github{{{"routes", {{{"path", "/rate_limit"}, {"status", 200}, {"body", "x"}}}}}};
  FakeHttpServer gcp{{{"routes", {{{"path", "/"}, {"status", 503}, {"body", "x"}}}}}};
  int closed = FreePort();
  std::string cfg = WriteConfig(
      home / "hb.yaml",
      "project: demo\ngithub: { api_url: \"" + github.url() + "\" }\ngcp: { api_url: \"" +
          gcp.url() +
          "\", project: p }\ncloudflare: { domain: localhost, url: \"http://127.0.0.1:" +
          std::to_string(closed) + "\" }\nheartbeat: { degraded_after: 5s, timeout: 2s }\n" +
          "store: sqlite:" + (home / "h.db") + "\n");
  ProgramRun beat = Run({"heartbeat", "--config", cfg});
  EXPECT_EQ(beat.code(), 2) << beat.proc.out << beat.proc.err;  // cloudflare is down
  EXPECT_EQ(beat.proc.err.find("not recorded"), std::string::npos) << beat.proc.err;
  ProgramRun one = Run({"heartbeat", "github", "--config", cfg});
  EXPECT_EQ(one.code(), 0) << one.proc.err;

  ProgramRun json = Run({"history", "--heartbeats", "--json", "--config", cfg});
  ASSERT_EQ(json.code(), 0) << json.proc.err;
  const auto& samples = json.doc["heartbeats"];
  ASSERT_EQ(samples.size(), 4u) << json.proc.out;
  EXPECT_EQ(samples[0]["target"], "github");
  std::map<std::string, nlohmann::json> first;
  for (std::size_t i = 1; i < samples.size(); ++i) first[samples[i]["target"]] = samples[i];
  EXPECT_EQ(first["github"]["state"], "healthy");
  EXPECT_EQ(first["github"]["httpStatus"], 200);
  EXPECT_EQ(first["gcp"]["state"], "degraded");
  EXPECT_EQ(first["gcp"]["httpStatus"], 503);
  EXPECT_EQ(first["gcp"]["error"], "HTTP 503");
  EXPECT_EQ(first["cloudflare"]["state"], "down");
  EXPECT_TRUE(first["cloudflare"]["httpStatus"].is_null());
  EXPECT_EQ(first["cloudflare"]["error"], "connect: refused");
  EXPECT_EQ(first["cloudflare"]["project"], "demo");
  EXPECT_FALSE(first["cloudflare"]["host"].get<std::string>().empty());
  EXPECT_GE(first["github"]["latencyMs"].get<int>(), 0);

  ProgramRun gcp_only =
      Run({"history", "--heartbeats", "--target", "gcp", "--json", "--config", cfg});
  EXPECT_EQ(gcp_only.doc["heartbeats"].size(), 1u) << gcp_only.proc.out;
  ProgramRun table = Run({"history", "--heartbeats", "--config", cfg});
  EXPECT_NE(table.proc.out.find("HTTP 503"), std::string::npos) << table.proc.out;
  EXPECT_NE(table.proc.out.find("connect: refused"), std::string::npos) << table.proc.out;
  ProgramRun bad = Run({"history", "--heartbeats", "--target", "aws", "--config", cfg});
  EXPECT_EQ(bad.code(), 64);
  EXPECT_NE(bad.proc.err.find("--target: expected one of github, gcp, cloudflare, got \"aws\""),
            std::string::npos)
      << bad.proc.err;
  EXPECT_EQ(Run({"history", "--target", "gcp", "--config", cfg}).code(), 64);
  EXPECT_EQ(Run({"history", "--heartbeats", "--check", "GitSync", "--config", cfg}).code(), 64);
}

// GET /api/sync/history and /healthz, through the Api without sockets.
struct HistoryApi {
  TempDir dir;
  Config config;
  SteppedClock clock;
  HeldHttpClient http{[](const HttpRequest&) { return Answered(200); }};
  RealFileSystem fs;
  SseHub hub;
  RequestMetrics metrics;
  std::unique_ptr<StatusCache> status;
  std::unique_ptr<HistoryRecorder> recorder;  // outlives the probe threads recording into it
  std::unique_ptr<HeartbeatService> heartbeats;
  std::unique_ptr<LiveLoop> loop;
  std::unique_ptr<Api> api;

  explicit HistoryApi(bool with_store = true) {
    config.status_file = dir / "status.json";
    config.project = "demo";
    config.heartbeat.cache_for = 60s;
    config.heartbeat.targets["github"] = {"GitHub API", "http://gh.test/rate_limit", {}, {}};
    config.heartbeat.targets["gcp"] = {"Google Cloud API", "http://gcp.test/", {}, {}};
    status = std::make_unique<StatusCache>(config.status_file, fs);
    if (with_store)
      recorder = std::make_unique<HistoryRecorder>(OpenSqliteStore(dir / "h.db", 0ms));
    // As `serve` wires it: every real probe is recorded.
    heartbeats = std::make_unique<HeartbeatService>(config, http, clock,
                                                    RecordProbes(recorder.get(), config, false));
    loop = std::make_unique<LiveLoop>(
        0ms, clock, [] {}, [](std::function<void()>) {}, nullptr);
    api = std::make_unique<Api>(
        ApiDeps{config, clock, *status, *heartbeats, *loop, hub, metrics, recorder.get()});
  }
  ServerResponse Get(const std::string& path, const std::string& query = "") {
    ServerRequest r;
    r.method = "GET";
    r.path = path;
    r.query = query;
    auto p = std::make_shared<std::promise<ServerResponse>>();
    auto f = p->get_future();
    api->Handle(r, [p](ServerResponse resp) { p->set_value(std::move(resp)); });
    return f.get();
  }
  void Record(int minute, CheckStatus git) {
    SyncStatus s;
    s.timestamp = std::chrono::system_clock::time_point(1'767'225'600'000ms + minute * 60s);
    s.host = "h";
    s.project = "demo";
    CheckResult r;
    r.status = git;
    s.results = {{"GitSync", r}, {"DockerSync", CheckResult::Failure("no engine")}};
    ASSERT_EQ(recorder->Record(s), "");
  }
};

TEST(HistoryApiIntegration, AnswersRunsAndTransitionsWithFilters) {
  HistoryApi h;
  h.Record(0, CheckStatus::kSynced);
  h.Record(1, CheckStatus::kDiverged);
  h.Record(2, CheckStatus::kSynced);
  auto all = h.Get("/api/sync/history");
  ASSERT_EQ(all.status, 200) << all.body;
  auto body = nlohmann::json::parse(all.body);
  ASSERT_EQ(body["runs"].size(), 3u);
  EXPECT_EQ(body["runs"][0]["timestamp"], "2026-01-01T00:02:00.000Z");
  EXPECT_EQ(body["transitions"].size(), 2u);
  EXPECT_EQ(body["transitions"][0]["to"], "Synced");

  auto some = nlohmann::json::parse(
      h.Get("/api/sync/history", "limit=1&check=GitSync&since=2026-01-01T00%3A01%3A00Z").body);
  ASSERT_EQ(some["runs"].size(), 1u);
  EXPECT_EQ(some["runs"][0]["checks"].size(), 1u);
  EXPECT_EQ(some["transitions"].size(), 1u);

  for (const char* bad :
       {"limit=abc", "limit=0", "limit=5000", "since=yesterday", "check=", "colour=red"}) {
    auto r = h.Get("/api/sync/history", bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_TRUE(nlohmann::json::parse(r.body).contains("error")) << r.body;
  }
  auto health = nlohmann::json::parse(h.Get("/healthz").body);
  EXPECT_EQ(health["history"]["store"], "sqlite:" + (h.dir / "h.db"));
  EXPECT_FALSE(health["history"].contains("error"));
}

TEST(HistoryApiIntegration, HealthzShowsTheLastWriteErrorAndStays200) {
  HistoryApi h;
  WriteFile(h.dir / "h.db", std::string(4096, 'x'));
  SyncStatus s;
  s.timestamp = std::chrono::system_clock::now();
  EXPECT_NE(h.recorder->Record(s), "");
  auto health = h.Get("/healthz");
  EXPECT_EQ(health.status, 200);
  auto body = nlohmann::json::parse(health.body);
  EXPECT_NE(body["history"]["error"].get<std::string>().find("file is not a database"),
            std::string::npos)
      << health.body;
  EXPECT_EQ(body["history"]["pendingRuns"], 1);
  auto history = h.Get("/api/sync/history");
  EXPECT_EQ(history.status, 503);
  EXPECT_NE(history.body.find("file is not a database"), std::string::npos);
}

TEST(HistoryApiIntegration, ProbesNotCacheHitsAreHeartbeatSamples) {
  HistoryApi h;
  ASSERT_EQ(h.Get("/api/sync/heartbeat").status, 200);  // probes github, gcp (cloudflare: no URL)
  ASSERT_EQ(h.Get("/api/sync/heartbeat").status, 200);  // cached: no probe, no sample
  ASSERT_EQ(h.heartbeats->ProbeCount(), 2);
  h.clock.Advance(61s);
  ASSERT_EQ(h.Get("/api/sync/heartbeat/gcp").status, 200);  // expired: probed again
  // Samples are written on the probe thread after the callers got their answer.
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (h.recorder->store().ListHeartbeats({})->size() < 3 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  auto r = h.Get("/api/sync/history", "kind=heartbeats");
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = nlohmann::json::parse(r.body);
  EXPECT_FALSE(body.contains("runs"));
  ASSERT_EQ(body["heartbeats"].size(), 3u) << r.body;
  EXPECT_EQ(body["heartbeats"][0]["target"], "gcp");
  EXPECT_EQ(body["heartbeats"][0]["state"], "healthy");
  EXPECT_EQ(body["heartbeats"][0]["httpStatus"], 200);
  EXPECT_EQ(body["heartbeats"][0]["project"], "demo");
  auto github = nlohmann::json::parse(
      h.Get("/api/sync/history", "kind=heartbeats&target=github&limit=5").body);
  EXPECT_EQ(github["heartbeats"].size(), 1u);
  for (const char* bad : {"kind=beats", "kind=heartbeats&check=GitSync", "target=github",
                          "kind=heartbeats&target=aws"}) {
    auto e = h.Get("/api/sync/history", bad);
    EXPECT_EQ(e.status, 400) << bad;
    EXPECT_TRUE(nlohmann::json::parse(e.body).contains("error")) << e.body;
  }
  // The default kind is unchanged: runs and transitions.
  auto runs = nlohmann::json::parse(h.Get("/api/sync/history", "kind=runs").body);
  EXPECT_TRUE(runs.contains("runs"));
  EXPECT_TRUE(runs.contains("transitions"));
}

TEST(HistoryApiIntegration, WithoutAStoreHistoryIs404) {
  HistoryApi h(/*with_store=*/false);
  auto r = h.Get("/api/sync/history");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("history is off"), std::string::npos);
  EXPECT_EQ(h.Get("/healthz").status, 200);
}

}  // namespace
}  // namespace infinity_sync
