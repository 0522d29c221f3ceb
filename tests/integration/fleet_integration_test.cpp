// The fleet end to end: separate `infinity-sync run` processes (different
// projects and environments, as laptops and CI jobs would be) writing to one
// real PostgreSQL server; `fleet` and GET /api/fleet read them back side by
// side with their age. Also the SQLite store, and the Prometheus rules
// against the real /metrics exposition.
#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <thread>

#include "lib/git_world.h"
#include "lib/history_postgres.h"
#include "lib/program.h"
#include "lib/server_process.h"
#include "ports/http_client.h"

namespace infinity_sync {
namespace {

using namespace std::chrono_literals;
using namespace testing;

class FleetIntegrationTest : public ::testing::Test {
 protected:
  TempDir home;
  EnvChanges env = HermeticEnv(home.str());

  // One writer: the git check of `repo` (a folder that is no repository fails).
  std::string Writer(const std::string& name, const std::string& project,
                     const std::string& environment, const std::string& repo,
                     const std::string& store, const std::string& extra = "") {
    return WriteConfig(home / (name + ".yaml"),
                       "project: " + project + "\nenvironment: " + environment +
                           "\ngit: { repo: " + repo + ", fetch: false }\nstatus_file: " +
                           (home / (name + "/status.json")) + "\nstore: " + store + "\n" + extra);
  }
  ProgramRun Run(const std::vector<std::string>& args) { return RunProgram(args, home.str(), env); }

  static const nlohmann::json* Row(const nlohmann::json& doc, const std::string& project,
                                   const std::string& environment) {
    for (const auto& r : doc["runs"]) {
      if (r["project"] == project && r["environment"] == environment) return &r;
    }
    return nullptr;
  }
};

TEST_F(FleetIntegrationTest, WritersAnywhereAppearSideBySideThroughOnePostgres) {
  PostgresServer pg;
  ASSERT_EQ(pg.error(), "");
  std::string store = pg.CreateDatabase("fleet");
  GitWorld world;
  std::string head = world.Head(world.work());
  std::vector<std::string> configs = {
      Writer("laptop", "shop", "laptop", world.work(), store),
      Writer("ci", "shop", "ci", home.str(), store),  // not a repository: Failed
      Writer("blog", "blog", "laptop", world.work(), store, "fresh_for: 1ms\n"),
  };
  // Three writers at once, as separate processes.
  std::vector<std::future<ProgramRun>> writers;
  for (const auto& cfg : configs) {
    writers.push_back(std::async(std::launch::async, [&, cfg] {
      return Run({"run", "--only", "git", "--dry-run", "--config", cfg});
    }));
  }
  for (auto& w : writers) {
    ProgramRun r = w.get();
    EXPECT_NE(r.code(), 78) << r.proc.err;
    EXPECT_EQ(r.proc.err.find("not recorded"), std::string::npos) << r.proc.err;
  }
  // A second run of one of them replaces its row, not adds one.
  ProgramRun again = Run({"run", "--only", "git", "--dry-run", "--config", configs[0]});
  EXPECT_EQ(again.code(), 0) << again.proc.out << again.proc.err;

  ProgramRun fleet = Run({"fleet", "--json", "--config", configs[1]});
  ASSERT_EQ(fleet.code(), 0) << fleet.proc.err;
  ASSERT_EQ(fleet.doc["runs"].size(), 3u) << fleet.proc.out;
  // Ordered by project, then environment.
  EXPECT_EQ(fleet.doc["runs"][0]["project"], "blog");
  EXPECT_EQ(fleet.doc["runs"][1]["environment"], "ci");
  EXPECT_EQ(fleet.doc["runs"][2]["environment"], "laptop");

  const nlohmann::json* laptop = Row(fleet.doc, "shop", "laptop");
  ASSERT_NE(laptop, nullptr);
  EXPECT_EQ((*laptop)["overall"], "synced");
  EXPECT_EQ((*laptop)["commit"], head);
  // The deploy branch's commit is read by the gcp check, which did not run.
  EXPECT_TRUE((*laptop)["deployCommit"].is_null()) << laptop->dump();
  EXPECT_TRUE((*laptop)["live"].is_null()) << laptop->dump();
  EXPECT_EQ((*laptop)["statuses"]["GitSync"], "Synced");
  EXPECT_EQ((*laptop)["fresh"], true);
  EXPECT_EQ((*laptop)["stale"], false);
  EXPECT_FALSE((*laptop)["host"].get<std::string>().empty());
  EXPECT_GE((*laptop)["ageSeconds"].get<int>(), 0);
  const nlohmann::json* ci = Row(fleet.doc, "shop", "ci");
  ASSERT_NE(ci, nullptr);
  EXPECT_EQ((*ci)["overall"], "failed");
  EXPECT_EQ((*ci)["statuses"]["GitSync"], "Failed");
  EXPECT_GT((*laptop)["runId"].get<int>(), (*ci)["runId"].get<int>()) << "the second run counts";
  const nlohmann::json* blog = Row(fleet.doc, "blog", "laptop");
  ASSERT_NE(blog, nullptr);
  EXPECT_EQ((*blog)["stale"], true) << "older than its fresh_for of 1 ms";

  ProgramRun table = Run({"fleet", "--config", configs[0]});
  EXPECT_EQ(table.code(), 0) << table.proc.err;
  EXPECT_NE(table.proc.out.find("PROJECT"), std::string::npos) << table.proc.out;
  EXPECT_NE(table.proc.out.find(head.substr(0, 7)), std::string::npos) << table.proc.out;
  EXPECT_NE(table.proc.out.find("(stale)"), std::string::npos) << table.proc.out;
  EXPECT_NE(table.proc.out.find("failed"), std::string::npos) << table.proc.out;

  // One serve reading the same store answers the same fleet.
  ServeProcess serve({"serve", "--config", configs[0], "--listen", "127.0.0.1:0"},
                     {{"HOME", home.str()}});
  ASSERT_TRUE(serve.ready()) << serve.Stderr();
  CurlHttpClient http;
  HttpRequest req;
  req.url = serve.url("/api/fleet");
  HttpResponse answer = http.Send(req);
  ASSERT_EQ(answer.status, 200) << answer.body << answer.error;
  auto doc = nlohmann::json::parse(answer.body);
  EXPECT_EQ(doc["runs"].size(), 3u) << answer.body;
  EXPECT_TRUE(doc.contains("timestamp"));
  std::chrono::milliseconds took{0};
  EXPECT_EQ(serve.Terminate(5s, &took), 0);
}

// serve pushes a `fleet` event when another process records a run: through
// PostgreSQL LISTEN/NOTIFY, so it arrives within a second of the write (no
// polling), and for SQLite by looking at the file once a second.
TEST_F(FleetIntegrationTest, AFleetEventFollowsAnyWritersRun) {
  PostgresServer pg;
  ASSERT_EQ(pg.error(), "");
  GitWorld world;
  for (const std::string& store : {pg.CreateDatabase("events"), "sqlite:" + (home / "e.db")}) {
    SCOPED_TRACE(store);
    std::string reader = Writer("reader", "shop", "server", world.work(), store,
                                "server: { sync_every: 0 }\nheartbeat: { timeout: 1s }\n"
                                "github: { api_url: \"http://127.0.0.1:9\" }\n"
                                "gcp: { api_url: \"http://127.0.0.1:9\" }\n");
    std::string writer = Writer("writer", "blog", "ci", world.work(), store);
    ServeProcess serve({"serve", "--config", reader, "--listen", "127.0.0.1:0"},
                       {{"HOME", home.str()}});
    ASSERT_TRUE(serve.ready()) << serve.Stderr();
    RawConnection events(serve.port());
    ASSERT_TRUE(events.connected());
    events.Send("GET /api/sync/events HTTP/1.1\r\nHost: localhost\r\n\r\n");
    ASSERT_NE(events.ReadUntil("\r\n\r\n", 5s).find("text/event-stream"), std::string::npos);
    // Let the store settle (a SQLite watch reads its first version now).
    std::this_thread::sleep_for(1200ms);
    ProgramRun run = Run({"run", "--only", "git", "--dry-run", "--config", writer});
    ASSERT_EQ(run.code(), 0) << run.proc.out << run.proc.err;
    auto written = std::chrono::steady_clock::now();
    std::string got = events.ReadUntil("event: fleet", 3s);
    auto took = std::chrono::steady_clock::now() - written;
    ASSERT_NE(got.find("event: fleet"), std::string::npos) << got << serve.Stderr();
    if (store.rfind("postgresql://", 0) == 0) {
      EXPECT_LT(took, 1s) << "LISTEN/NOTIFY: the event follows the write at once";
    }
    std::string rest = events.ReadUntil("\n\n", 2s);
    auto data = rest.find("data: ");
    ASSERT_NE(data, std::string::npos) << rest;
    auto doc = nlohmann::json::parse(rest.substr(data + 6, rest.find('\n', data) - data - 6));
    ASSERT_EQ(doc["runs"].size(), 1u) << doc.dump();
    EXPECT_EQ(doc["runs"][0]["project"], "blog");
    EXPECT_EQ(doc["runs"][0]["environment"], "ci");
    std::chrono::milliseconds stopped{0};
    EXPECT_EQ(serve.Terminate(5s, &stopped), 0);
  }
}

TEST_F(FleetIntegrationTest, SqliteStoreEmptyAbsentAndOff) {
  std::string db = home / "state/fleet.db";
  std::string cfg = Writer("a", "shop", "laptop", home.str(), "sqlite:" + db);
  ProgramRun empty = Run({"fleet", "--config", cfg});
  EXPECT_EQ(empty.code(), 0) << empty.proc.err;
  EXPECT_EQ(empty.proc.out, "No runs recorded yet.\n");
  EXPECT_FALSE(std::filesystem::exists(home / "state")) << "a read created the store's folder";
  ProgramRun run = Run({"run", "--only", "git", "--dry-run", "--config", cfg});
  EXPECT_EQ(run.code(), 2) << run.proc.err;  // not a repository
  ProgramRun one = Run({"fleet", "--json", "--config", cfg});
  ASSERT_EQ(one.code(), 0) << one.proc.err;
  ASSERT_EQ(one.doc["runs"].size(), 1u) << one.proc.out;
  EXPECT_EQ(one.doc["runs"][0]["environment"], "laptop");
  EXPECT_TRUE(one.doc["runs"][0]["commit"].is_null());

  std::string off = Writer("off", "shop", "laptop", home.str(), "none");
  ProgramRun no_store = Run({"fleet", "--config", off});
  EXPECT_EQ(no_store.code(), 78);
  EXPECT_NE(no_store.proc.err.find("history is off"), std::string::npos) << no_store.proc.err;
}

TEST_F(FleetIntegrationTest, EnvironmentDefaultsToTheHostName) {
  std::string cfg = WriteConfig(
      home / "d.yaml", "git: { repo: " + home.str() + " }\nstatus_file: " + (home / "d/s.json") +
                           "\nstore: \"sqlite:" + (home / "d.db") + "\"\n");
  Run({"run", "--only", "git", "--dry-run", "--config", cfg});
  ProgramRun fleet = Run({"fleet", "--json", "--config", cfg});
  ASSERT_EQ(fleet.doc["runs"].size(), 1u) << fleet.proc.out << fleet.proc.err;
  EXPECT_EQ(fleet.doc["runs"][0]["environment"], fleet.doc["runs"][0]["host"]);
  EXPECT_FALSE(fleet.doc["runs"][0]["environment"].get<std::string>().empty());
  // From the configuration's default, not the store's fallback: the status
  // document says so too.
  auto doc = nlohmann::json::parse(ReadFile(home / "d/s.json"));
  EXPECT_EQ(doc["environment"], fleet.doc["runs"][0]["host"]) << doc.dump();
}

// The alert rules shipped in packaging/prometheus: valid, their own unit tests
// pass, and every series they use is in the real /metrics answer, labelled
// with project and environment, which promtool accepts as exposition.
TEST_F(FleetIntegrationTest, PrometheusRulesMatchTheRealMetrics) {
  ProcessResult which = testing::Run({"sh", "-c", "command -v promtool"});
  if (which.exit_code != 0) GTEST_SKIP() << "promtool is not installed (Debian: prometheus)";
  std::string rules = FixturePath("../../packaging/prometheus/infinity-sync.rules.yml");
  std::string rules_test = FixturePath("../../packaging/prometheus/infinity-sync.rules.test.yml");
  ProcessResult check = testing::Run({"promtool", "check", "rules", rules});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  ProcessResult unit = testing::Run({"promtool", "test", "rules", rules_test},
                                    std::filesystem::path(rules_test).parent_path().string());
  EXPECT_EQ(unit.exit_code, 0) << unit.out << unit.err;

  GitWorld world;
  std::string cfg = Writer("m", "shop", "prod", world.work(), "none",
                           "server: { sync_every: 0 }\ngithub: { api_url: \"http://127.0.0.1:9\" "
                           "}\ngcp: { api_url: \"http://127.0.0.1:9\" }\n"
                           "heartbeat: { timeout: 1s }\n");
  ASSERT_EQ(Run({"run", "--only", "git", "--dry-run", "--config", cfg}).code(), 0);
  ServeProcess serve({"serve", "--config", cfg, "--listen", "127.0.0.1:0"}, {{"HOME", home.str()}});
  ASSERT_TRUE(serve.ready()) << serve.Stderr();
  CurlHttpClient http;
  HttpRequest req;
  req.url = serve.url("/metrics");
  HttpResponse metrics = http.Send(req);
  ASSERT_EQ(metrics.status, 200) << metrics.error;
  const std::string labels = "project=\"shop\",environment=\"prod\"";
  for (const std::string& series :
       {"infinity_sync_check_status{" + labels + ",check=\"GitSync\",status=\"Synced\"} 1",
        "infinity_sync_status_fresh{" + labels + "} 1",
        "infinity_sync_status_available{" + labels + "} 1"}) {
    EXPECT_NE(metrics.body.find(series), std::string::npos) << series << "\n" << metrics.body;
  }
  std::string file = home / "metrics.txt";
  WriteFile(file, metrics.body);
  ProcessResult lint =
      testing::Run({"sh", "-c", "promtool check metrics < \"$0\"", file}, home.str());
  EXPECT_EQ(lint.exit_code, 0) << lint.out << lint.err;
  std::chrono::milliseconds took{0};
  EXPECT_EQ(serve.Terminate(5s, &took), 0);
}

}  // namespace
}  // namespace infinity_sync
