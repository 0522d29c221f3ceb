// SIGHUP, as a terminal closing or an operator reloading sends it (issue:
// hardened, item 5): `run` stops like on SIGTERM (children killed, exit 129);
// `serve` reads its configuration again, keeps the old one when the new one is
// bad, and says so in its log and in /metrics.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lib/server_process.h"
#include "lib/test_support.h"
#include "ports/http_client.h"

extern char** environ;

namespace infinity_sync {
namespace {

using std::chrono::milliseconds;
using testing::ServeProcess;

bool Gone(int pid) {
  if (kill(pid, 0) != 0) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  return close != std::string::npos && close + 2 < text.size() && text[close + 2] == 'Z';
}

int ReadPid(const std::string& path, milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    std::string text = std::filesystem::exists(path) ? testing::ReadFile(path) : "";
    if (!text.empty() && text.back() == '\n') return std::stoi(text);
    std::this_thread::sleep_for(milliseconds(20));
  }
  return -1;
}

bool WaitGone(int pid, milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (!Gone(pid) && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  return Gone(pid);
}

class FaultSighup : public ::testing::Test {
 protected:
  // A config whose one custom check is `check_yaml` (a flow mapping's
  // fields), with no upstream reachable and `server` as the server section.
  std::string WriteConfig(const std::string& check_yaml, const std::string& server) {
    std::string yaml =
        "timeout: 120s\n"
        "git: { fetch: false }\n"
        "github: { api_url: \"http://127.0.0.1:9\" }\n"
        "gcp: { api_url: \"http://127.0.0.1:9\" }\n" +
        server + "checks:\n  - { " + check_yaml + " }\n";
    testing::WriteFile(Path(), yaml);
    return Path();
  }
  std::string Path() const { return dir_ / "infinity-sync.yaml"; }
  std::string HangingCheck(const std::string& name) const {
    return "name: " + name + ", type: command, timeout: 90s, run: [sh, -c, \"echo $$$$ > " +
           (dir_ / (name + ".pid")) + "; sleep 60 & echo $! > " + (dir_ / (name + "-child.pid")) +
           "; wait\"]";
  }

  HttpResponse Get(const ServeProcess& serve, const std::string& path,
                   const std::string& token = "") {
    HttpRequest req;
    req.url = serve.url(path);
    req.timeout = milliseconds(5'000);
    if (!token.empty()) req.headers.emplace_back("Authorization", "Bearer " + token);
    return http_.Send(req);
  }

  // Waits until `path` (with `token`) holds the check `name`.
  bool WaitForCheck(const ServeProcess& serve, const std::string& name, const std::string& token,
                    const std::string& path = "/api/sync/status") {
    auto until = std::chrono::steady_clock::now() + milliseconds(20'000);
    while (std::chrono::steady_clock::now() < until) {
      HttpResponse res = Get(serve, path, token);
      if (res.status == 200 && res.body.find("\"CustomCheck:" + name + "\"") != std::string::npos) {
        return true;
      }
      std::this_thread::sleep_for(milliseconds(50));
    }
    return false;
  }

  testing::TempDir dir_;
  CurlHttpClient http_;
};

TEST_F(FaultSighup, RunStopsLikeOnSigtermAndItsChildrenDie) {
  std::string cfg = WriteConfig(HangingCheck("hang"), "");
  std::vector<std::string> args = {
      testing::ProgramPath(), "run", "--only", "hang", "--config", cfg};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0644);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  int shell = ReadPid(dir_ / "hang.pid", milliseconds(20'000));
  int child = ReadPid(dir_ / "hang-child.pid", milliseconds(5'000));
  ASSERT_GT(shell, 0);
  ASSERT_GT(child, 0);

  kill(pid, SIGHUP);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 129);
  EXPECT_TRUE(WaitGone(shell, milliseconds(1'000))) << "the check's shell outlived SIGHUP";
  EXPECT_TRUE(WaitGone(child, milliseconds(1'000))) << "the check's sleep outlived SIGHUP";
  if (!Gone(child)) kill(child, SIGKILL);
  if (!Gone(shell)) kill(shell, SIGKILL);
}

TEST_F(FaultSighup, ServeReloadsItsConfigurationAndKeepsTheOldOneWhenTheNewOneIsBad) {
  std::string cfg = WriteConfig("name: first, type: command, run: [\"true\"]",
                                "server: { sync_every: 1h, token: token-one }\n");
  ServeProcess serve({"serve", "--config", cfg, "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(serve.ready()) << serve.Stderr();
  ASSERT_TRUE(WaitForCheck(serve, "first", "token-one")) << serve.Stderr();

  // A good new configuration: a new check, a new token, at once.
  WriteConfig("name: second, type: command, run: [\"true\"]",
              "server: { sync_every: 1h, token: token-two }\n");
  serve.Signal(SIGHUP);
  ASSERT_TRUE(serve.WaitForStderr("configuration reloaded from " + cfg, milliseconds(10'000)))
      << serve.Stderr();
  EXPECT_TRUE(WaitForCheck(serve, "second", "token-two")) << serve.Stderr();
  EXPECT_EQ(Get(serve, "/api/sync/status", "token-one").status, 401);
  std::string metrics = testing::WithoutFleetLabels(Get(serve, "/metrics", "token-two").body);
  EXPECT_NE(metrics.find("infinity_sync_config_reloads_total{result=\"success\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("infinity_sync_config_last_reload_successful 1"), std::string::npos);

  // A bad one: logged with its place, the running one kept.
  testing::WriteFile(cfg, "server: { sync_every: 1h, token: token-three }\ntimeout: soon\n");
  serve.Signal(SIGHUP);
  ASSERT_TRUE(serve.WaitForStderr("reload failed", milliseconds(10'000))) << serve.Stderr();
  std::string log = serve.Stderr();
  EXPECT_NE(log.find("infinity-sync.yaml:2"), std::string::npos) << log;
  EXPECT_NE(log.find("the running configuration is kept"), std::string::npos) << log;
  EXPECT_EQ(Get(serve, "/api/sync/status", "token-two").status, 200);
  EXPECT_EQ(Get(serve, "/api/sync/status", "token-three").status, 401);
  metrics = testing::WithoutFleetLabels(Get(serve, "/metrics", "token-two").body);
  EXPECT_NE(metrics.find("infinity_sync_config_reloads_total{result=\"failure\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("infinity_sync_config_last_reload_successful 0"), std::string::npos);

  milliseconds took{0};
  auto code = serve.Terminate(milliseconds(5'000), &took);
  ASSERT_TRUE(code.has_value()) << serve.Stderr();
  EXPECT_EQ(*code, 0) << serve.Stderr();
}

TEST_F(FaultSighup, ServeReloadDuringARunKillsThatRunsChildren) {
  std::string cfg = WriteConfig(HangingCheck("hang"), "server: { sync_every: 1h }\n");
  ServeProcess serve({"serve", "--config", cfg, "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(serve.ready()) << serve.Stderr();
  int shell = ReadPid(dir_ / "hang.pid", milliseconds(20'000));
  int child = ReadPid(dir_ / "hang-child.pid", milliseconds(5'000));
  ASSERT_GT(shell, 0) << serve.Stderr();
  ASSERT_GT(child, 0) << serve.Stderr();

  WriteConfig("name: quick, type: command, run: [\"true\"]", "server: { sync_every: 1h }\n");
  serve.Signal(SIGHUP);
  ASSERT_TRUE(serve.WaitForStderr("configuration reloaded", milliseconds(10'000)))
      << serve.Stderr();
  EXPECT_TRUE(WaitGone(shell, milliseconds(2'000))) << "the old run's shell outlived the reload";
  EXPECT_TRUE(WaitGone(child, milliseconds(2'000))) << "the old run's sleep outlived the reload";
  if (!Gone(child)) kill(child, SIGKILL);
  if (!Gone(shell)) kill(shell, SIGKILL);
  EXPECT_TRUE(WaitForCheck(serve, "quick", "")) << serve.Stderr();
  EXPECT_EQ(Get(serve, "/healthz").status, 200);
  milliseconds took{0};
  auto code = serve.Terminate(milliseconds(5'000), &took);
  ASSERT_TRUE(code.has_value()) << serve.Stderr();
  EXPECT_EQ(*code, 0) << serve.Stderr();
}

// With projects:, a reload reads the top file and every project file again:
// all are replaced, or none when one is bad; a changed list needs a restart.
TEST_F(FaultSighup, ServeWithProjectsReloadsEveryProjectOrNone) {
  auto project = [this](const std::string& name, const std::string& check) {
    std::string file = dir_ / (name + ".yaml");
    testing::WriteFile(file, "project: " + name +
                                 "\nstatus_file: " + (dir_ / (name + "/status.json")) +
                                 "\ngit: { fetch: false }\n"
                                 "github: { api_url: \"http://127.0.0.1:9\" }\n"
                                 "gcp: { api_url: \"http://127.0.0.1:9\" }\n"
                                 "checks:\n  - { name: " +
                                 check + ", type: command, run: [\"true\"] }\n");
    return file;
  };
  project("alpha", "first");
  std::string beta = project("beta", "other");
  std::string top = dir_ / "top.yaml";
  testing::WriteFile(top, "projects: [alpha.yaml, beta.yaml]\nserver: { sync_every: 1h }\n");
  ServeProcess serve({"serve", "--config", top, "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(serve.ready()) << serve.Stderr();
  const std::string alpha_status = "/api/projects/alpha/sync/status";
  ASSERT_TRUE(WaitForCheck(serve, "first", "", alpha_status)) << serve.Stderr();

  // A new check in alpha: reloaded, and beta still answers.
  project("alpha", "second");
  serve.Signal(SIGHUP);
  ASSERT_TRUE(serve.WaitForStderr("configuration reloaded from " + top + " (2 projects)",
                                  milliseconds(10'000)))
      << serve.Stderr();
  EXPECT_TRUE(WaitForCheck(serve, "second", "", alpha_status)) << serve.Stderr();
  EXPECT_TRUE(WaitForCheck(serve, "other", "", "/api/projects/beta/sync/status")) << serve.Stderr();

  // A bad beta: nothing changes, alpha's new check included.
  project("alpha", "third");
  testing::WriteFile(beta, "project: beta\ntimeout: soon\n");
  serve.Signal(SIGHUP);
  ASSERT_TRUE(serve.WaitForStderr("reload failed", milliseconds(10'000))) << serve.Stderr();
  std::string log = serve.Stderr();
  EXPECT_NE(log.find("beta.yaml:2"), std::string::npos) << log;
  EXPECT_NE(log.find("the running configuration is kept"), std::string::npos) << log;
  // A run of alpha after the failed reload still runs the running table.
  auto stamp = [&] {
    auto doc = nlohmann::json::parse(Get(serve, alpha_status).body, nullptr, false);
    return doc.is_object() ? doc.value("timestamp", std::string()) : std::string();
  };
  std::string before = stamp();
  HttpRequest run;
  run.method = "POST";
  run.url = serve.url("/api/projects/alpha/sync/run");
  run.timeout = milliseconds(5'000);
  ASSERT_EQ(http_.Send(run).status, 202);
  auto until = std::chrono::steady_clock::now() + milliseconds(20'000);
  while (stamp() == before && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(milliseconds(50));
  }
  HttpResponse status = Get(serve, alpha_status);
  EXPECT_NE(stamp(), before) << "the run after the failed reload never ended";
  EXPECT_NE(status.body.find("CustomCheck:second"), std::string::npos) << status.body;
  EXPECT_EQ(status.body.find("CustomCheck:third"), std::string::npos) << status.body;

  // Another list of projects: refused until a restart.
  project("beta", "other");
  testing::WriteFile(top, "projects: [alpha.yaml]\nserver: { sync_every: 1h }\n");
  serve.Signal(SIGHUP);
  ASSERT_TRUE(serve.WaitForStderr("the list changed", milliseconds(10'000))) << serve.Stderr();
  std::string metrics = testing::WithoutFleetLabels(Get(serve, "/metrics").body);
  EXPECT_NE(metrics.find("infinity_sync_config_reloads_total{result=\"success\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("infinity_sync_config_reloads_total{result=\"failure\"} 2"),
            std::string::npos)
      << metrics;
  EXPECT_EQ(Get(serve, "/api/projects/beta/sync/status").status, 200);

  milliseconds took{0};
  auto code = serve.Terminate(milliseconds(5'000), &took);
  ASSERT_TRUE(code.has_value()) << serve.Stderr();
  EXPECT_EQ(*code, 0) << serve.Stderr();
}

}  // namespace
}  // namespace infinity_sync
