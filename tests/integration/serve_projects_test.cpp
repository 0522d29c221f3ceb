// One `serve` for several projects (`projects:`): each its own repository,
// status file and live loop, one listener; the seed's /api/sync/* routes
// answer for the first. Real git, the real program, loopback only.
#include <gtest/gtest.h>

#include <thread>

#include "lib/git_world.h"
#include "lib/program.h"
#include "lib/server_process.h"
#include "ports/http_client.h"

namespace infinity_sync {
namespace {

using namespace std::chrono_literals;
using namespace testing;

class ServeProjectsTest : public ::testing::Test {
 protected:
  TempDir home;
  GitWorld world;

  std::string Project(const std::string& name, const std::string& repo) {
    return WriteConfig(home / (name + ".yaml"),
                       "project: " + name + "\ngit: { repo: " + repo +
                           ", fetch: false }\nstatus_file: " + (home / (name + "/status.json")) +
                           "\nstore: \"sqlite:" + (home / "shared.db") +
                           "\"\ngithub: { api_url: \"http://127.0.0.1:9\" }\n"
                           "gcp: { api_url: \"http://127.0.0.1:9\" }\n"
                           "auth: { enabled: false }\ndocker: { enabled: false }\n"
                           "gcp: { enabled: false }\ncloudflare: { enabled: false }\n"
                           "checks: [{ name: slow, type: command, run: [sleep, \"0.3\"] }]\n");
  }
  HttpResponse Send(const ServeProcess& serve, const std::string& method, const std::string& path) {
    CurlHttpClient http;
    HttpRequest req;
    req.method = method;
    req.url = serve.url(path);
    req.timeout = 10s;
    return http.Send(req);
  }
  nlohmann::json Json(const ServeProcess& serve, const std::string& path) {
    HttpResponse r = Send(serve, "GET", path);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return nlohmann::json::parse(r.body, nullptr, false);
  }
  bool WaitForStatus(const ServeProcess& serve, const std::string& path) {
    for (int i = 0; i < 200; ++i) {
      if (Send(serve, "GET", path).status == 200) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
};

TEST_F(ServeProjectsTest, EachProjectHasItsRoutesAndARunStartsOnlyItsOwn) {
  std::string alpha = Project("alpha", world.work());
  std::string beta = Project("beta", home.str());  // not a repository: GitSync Failed
  std::string top = WriteConfig(home / "top.yaml",
                                "projects: [alpha.yaml, beta.yaml]\nserver: { sync_every: 0 }\n");
  ServeProcess serve({"serve", "--config", top, "--listen", "127.0.0.1:0"}, {{"HOME", home.str()}});
  ASSERT_TRUE(serve.ready()) << serve.Stderr();

  nlohmann::json rows = Json(serve, "/api/projects")["projects"];
  ASSERT_EQ(rows.size(), 2u) << rows.dump();
  EXPECT_EQ(rows[0]["name"], "alpha");
  EXPECT_EQ(rows[1]["name"], "beta");
  EXPECT_TRUE(rows[0]["overall"].is_null());
  EXPECT_EQ(rows[0]["fresh"], false);

  // A run of beta starts beta's only.
  EXPECT_EQ(Send(serve, "POST", "/api/projects/beta/sync/run").status, 202);
  ASSERT_TRUE(WaitForStatus(serve, "/api/projects/beta/sync/status")) << serve.Stderr();
  EXPECT_EQ(Send(serve, "GET", "/api/projects/alpha/sync/status").status, 404);
  EXPECT_EQ(Send(serve, "GET", "/api/sync/status").status, 404) << "the first project is alpha";
  nlohmann::json beta_status = Json(serve, "/api/projects/beta/sync/status");
  EXPECT_EQ(beta_status["status"]["GitSync"]["Status"], "Failed") << beta_status.dump();

  // beta failing does not touch alpha's answers.
  EXPECT_EQ(Send(serve, "POST", "/api/projects/alpha/sync/run").status, 202);
  ASSERT_TRUE(WaitForStatus(serve, "/api/sync/status")) << serve.Stderr();
  nlohmann::json alpha_status = Json(serve, "/api/projects/alpha/sync/status");
  EXPECT_EQ(alpha_status["status"]["GitSync"]["Status"], "Synced") << alpha_status.dump();
  EXPECT_EQ(Json(serve, "/api/sync/status")["status"]["GitSync"]["Status"], "Synced");
  EXPECT_EQ(Json(serve, "/api/projects/beta/sync/heartbeat")["heartbeats"].size(), 3u);

  rows = Json(serve, "/api/projects")["projects"];
  EXPECT_EQ(rows[0]["overall"], "synced") << rows.dump();
  EXPECT_EQ(rows[0]["commit"], world.Head(world.work()));
  EXPECT_EQ(rows[0]["fresh"], true);
  EXPECT_EQ(rows[1]["overall"], "failed") << rows.dump();
  EXPECT_TRUE(rows[1]["lastRun"].is_string());
  // Both recorded in their shared store: the fleet holds both.
  nlohmann::json fleet = Json(serve, "/api/fleet");
  EXPECT_EQ(fleet["runs"].size(), 2u) << fleet.dump();
  // ... and each project's history is its own, though the store is shared.
  for (const std::string name : {"alpha", "beta"}) {
    nlohmann::json runs = Json(serve, "/api/projects/" + name + "/sync/history")["runs"];
    ASSERT_EQ(runs.size(), 1u) << name << ": " << runs.dump();
    EXPECT_EQ(runs[0]["project"], name);
  }

  // One /metrics for every project: each family once, each project's series
  // under its own labels, the server's own series once.
  HttpResponse metrics = Send(serve, "GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  for (const std::string name : {"alpha", "beta"}) {
    EXPECT_NE(metrics.body.find("infinity_sync_check_status{project=\"" + name + "\","),
              std::string::npos)
        << name << "\n"
        << metrics.body;
  }
  auto count = [&](const std::string& what) {
    std::size_t n = 0;
    for (auto p = metrics.body.find(what); p != std::string::npos;
         p = metrics.body.find(what, p + 1)) {
      ++n;
    }
    return n;
  };
  EXPECT_EQ(count("# TYPE infinity_sync_check_status gauge"), 1u) << metrics.body;
  EXPECT_EQ(count("\ninfinity_sync_sse_clients{"), 1u) << metrics.body;
  EXPECT_EQ(count("\ninfinity_sync_syncs_started_total{"), 2u) << metrics.body;
  if (testing::Run({"sh", "-c", "command -v promtool"}).exit_code == 0) {
    WriteFile(home / "metrics.txt", metrics.body);
    ProcessResult lint = testing::Run(
        {"sh", "-c", "promtool check metrics < \"$0\"", home / "metrics.txt"}, home.str());
    EXPECT_EQ(lint.exit_code, 0) << lint.out << lint.err;
  }

  EXPECT_EQ(Send(serve, "GET", "/api/projects/gamma/sync/status").status, 404);
  EXPECT_EQ(Send(serve, "GET", "/api/projects/alpha").status, 404);
  std::chrono::milliseconds took{0};
  EXPECT_EQ(serve.Terminate(5s, &took), 0) << serve.Stderr();
}

TEST_F(ServeProjectsTest, EachProjectsEventStreamCarriesOnlyItsOwnEvents) {
  std::string alpha = Project("alpha", world.work());
  std::string beta = Project("beta", home.str());
  std::string top = WriteConfig(home / "top.yaml",
                                "projects: [alpha.yaml, beta.yaml]\nserver: { sync_every: 0 }\n");
  ServeProcess serve({"serve", "--config", top, "--listen", "127.0.0.1:0"}, {{"HOME", home.str()}});
  ASSERT_TRUE(serve.ready()) << serve.Stderr();
  RawConnection alpha_events(serve.port());
  alpha_events.Send("GET /api/projects/alpha/sync/events HTTP/1.1\r\nHost: localhost\r\n\r\n");
  ASSERT_NE(alpha_events.ReadUntil("retry:", 3s).find("200 OK"), std::string::npos);
  RawConnection beta_events(serve.port());
  beta_events.Send("GET /api/projects/beta/sync/events HTTP/1.1\r\nHost: localhost\r\n\r\n");
  ASSERT_NE(beta_events.ReadUntil("retry:", 3s).find("200 OK"), std::string::npos);

  // beta's run: its status reaches beta's stream, not alpha's; the fleet of
  // their shared store reaches both.
  ASSERT_EQ(Send(serve, "POST", "/api/projects/beta/sync/run").status, 202);
  std::string beta_got = beta_events.ReadUntil("event: fleet", 20s);
  EXPECT_NE(beta_got.find("event: status\ndata: "), std::string::npos) << beta_got;
  EXPECT_NE(beta_got.find("event: fleet\n"), std::string::npos) << beta_got;
  std::string alpha_got = alpha_events.ReadUntil("event: fleet", 5s);
  EXPECT_NE(alpha_got.find("event: fleet\n"), std::string::npos) << alpha_got;
  EXPECT_EQ(alpha_got.find("event: status"), std::string::npos)
      << "beta's status reached alpha's stream:\n"
      << alpha_got;

  ASSERT_EQ(Send(serve, "POST", "/api/projects/alpha/sync/run").status, 202);
  alpha_got = alpha_events.ReadUntil("event: status\ndata: ", 20s);
  EXPECT_NE(alpha_got.find("event: status\ndata: "), std::string::npos) << alpha_got;
  std::chrono::milliseconds took{0};
  EXPECT_EQ(serve.Terminate(5s, &took), 0) << serve.Stderr();
}

TEST_F(ServeProjectsTest, BadProjectFilesAreConfigurationErrorsNamingThem) {
  std::string alpha = Project("alpha", world.work());
  WriteConfig(home / "broken.yaml", "timeout: soon\n");
  EnvChanges env = HermeticEnv(home.str());
  std::string top = WriteConfig(home / "top.yaml", "projects: [alpha.yaml, broken.yaml]\n");
  ProgramRun bad =
      RunProgram({"serve", "--config", top, "--listen", "127.0.0.1:0"}, home.str(), env);
  EXPECT_EQ(bad.code(), 78);
  EXPECT_NE(bad.proc.err.find("broken.yaml"), std::string::npos) << bad.proc.err;
  std::string missing = WriteConfig(home / "top2.yaml", "projects: [alpha.yaml, nope.yaml]\n");
  ProgramRun absent =
      RunProgram({"serve", "--config", missing, "--listen", "127.0.0.1:0"}, home.str(), env);
  EXPECT_EQ(absent.code(), 78);
  EXPECT_NE(absent.proc.err.find("nope.yaml"), std::string::npos) << absent.proc.err;
  std::string twice = WriteConfig(home / "top3.yaml", "projects: [alpha.yaml, alpha.yaml]\n");
  ProgramRun same =
      RunProgram({"serve", "--config", twice, "--listen", "127.0.0.1:0"}, home.str(), env);
  EXPECT_EQ(same.code(), 78);
  EXPECT_NE(same.proc.err.find("\"alpha\" is taken"), std::string::npos) << same.proc.err;
}

}  // namespace
}  // namespace infinity_sync
