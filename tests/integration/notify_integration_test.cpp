// Notifications end to end: the real program over a sequence of runs against a
// real git repository whose state changes between runs, announcing to a
// loopback receiver.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "lib/git_world.h"
#include "lib/program.h"

namespace infinity_sync {
namespace {

using namespace std::chrono_literals;
using namespace testing;

constexpr const char* kSecret = "s3cr3t-hook-token";

class NotifyIntegrationTest : public ::testing::Test {
 protected:
  GitWorld world;
  TempDir home;
  std::string hook_url;  // given to the program through ${NOTIFY_URL}
  std::string status_file = home / "out/status.json";

  std::string Config(const std::string& extra = "") {
    return WriteConfig(home / "cfg/infinity-sync.yaml",
                       "project: my-app\n"
                       "git:\n  repo: " +
                           world.work() + "\n" + "status_file: " + status_file + "\n" +
                           "notify:\n  - type: webhook\n    url: ${NOTIFY_URL}\n" + extra);
  }
  ProgramRun Sync(const std::string& extra = "", std::vector<std::string> flags = {}) {
    std::vector<std::string> args = {"run", "--dry-run", "--only",
                                     "git", "--config",  Config(extra)};
    args.insert(args.end(), flags.begin(), flags.end());
    EnvChanges env = HermeticEnv(home.str());
    env["NOTIFY_URL"] = hook_url;
    ProgramRun run = RunProgram(args, world.work(), env);
    EXPECT_EQ(run.proc.out.find(kSecret), std::string::npos) << run.proc.out;
    EXPECT_EQ(run.proc.err.find(kSecret), std::string::npos) << run.proc.err;
    return run;
  }
  void FallBehind() {
    world.Commit(world.other(), "theirs.txt", std::to_string(++commits_) + "\n");
    world.Push(world.other());
  }
  void CatchUp() { MustRun({"git", "pull", "--ff-only", "-q"}, world.work(), GitWorld::Env()); }
  static std::string HookPath() { return std::string("/hook/") + kSecret; }
  static nlohmann::json Receiver(const nlohmann::json& answer) {
    nlohmann::json route = answer;
    route["method"] = "POST";
    route["path"] = HookPath();
    return {{"routes", {route}}};
  }
  static std::vector<nlohmann::json> Bodies(const FakeHttpServer& server) {
    std::vector<nlohmann::json> out;
    for (const auto& r : server.Requests())
      out.push_back(nlohmann::json::parse(r["body"].get<std::string>()));
    return out;
  }

 private:
  int commits_ = 0;
};

TEST_F(NotifyIntegrationTest, OneMessagePerTransition) {
  FakeHttpServer server(Receiver({{"status", 200}, {"body", "ok"}}));
  hook_url = server.url() + HookPath();

  EXPECT_EQ(Sync().code(), 0);  // Synced: the baseline, nothing to say
  EXPECT_EQ(server.Requests().size(), 0u);

  FallBehind();
  ProgramRun behind = Sync("", {"--verbose"});
  EXPECT_EQ(behind.code(), 1) << behind.proc.out << behind.proc.err;
  EXPECT_NE(behind.proc.out.find("Notifications: 1 sent"), std::string::npos) << behind.proc.out;
  EXPECT_NE(behind.proc.out.find("webhook " + server.url() +
                                 "/***: GitSync Synced \u2192 Diverged: "
                                 "sent (1 attempt)"),
            std::string::npos)
      << behind.proc.out;
  ASSERT_EQ(server.Requests().size(), 1u);

  EXPECT_EQ(Sync().code(), 1);  // still behind: already announced
  EXPECT_EQ(server.Requests().size(), 1u);

  CatchUp();
  EXPECT_EQ(Sync().code(), 0);
  ASSERT_EQ(server.Requests().size(), 2u);

  auto bodies = Bodies(server);
  EXPECT_EQ(bodies[0]["project"], "my-app");
  EXPECT_EQ(bodies[0]["check"], "GitSync");
  EXPECT_EQ(bodies[0]["from"], "Synced");
  EXPECT_EQ(bodies[0]["to"], "Diverged");
  EXPECT_FALSE(bodies[0]["details"].empty());
  EXPECT_TRUE(bodies[0]["timestamp"].is_string());
  EXPECT_FALSE(bodies[0]["host"].get<std::string>().empty());
  EXPECT_EQ(bodies[1]["from"], "Diverged");
  EXPECT_EQ(bodies[1]["to"], "Synced");
  EXPECT_EQ(server.Requests()[0]["headers"]["Content-Type"], "application/json");
}

TEST_F(NotifyIntegrationTest, NotifyAfterTwoWaitsForASecondRun) {
  FakeHttpServer server(Receiver({{"status", 200}}));
  hook_url = server.url() + HookPath();
  EXPECT_EQ(Sync("notify_after: 2\n").code(), 0);
  EXPECT_EQ(Sync("notify_after: 2\n").code(), 0);
  FallBehind();
  EXPECT_EQ(Sync("notify_after: 2\n").code(), 1);
  EXPECT_EQ(server.Requests().size(), 0u);
  EXPECT_EQ(Sync("notify_after: 2\n").code(), 1);
  ASSERT_EQ(server.Requests().size(), 1u);
  EXPECT_EQ(Bodies(server)[0]["to"], "Diverged");
}

TEST_F(NotifyIntegrationTest, SlackGetsAReadableLine) {
  FakeHttpServer server(Receiver({{"status", 200}, {"body", "ok"}}));
  hook_url = server.url() + HookPath();
  FallBehind();
  EnvChanges env = HermeticEnv(home.str());
  env["NOTIFY_URL"] = hook_url;
  std::string cfg = WriteConfig(home / "cfg/slack.yaml",
                                "project: my-app\ngit:\n  repo: " + world.work() +
                                    "\nstatus_file: " + status_file +
                                    "\nnotify:\n  - {type: slack, url: \"${NOTIFY_URL}\"}\n");
  ProgramRun run =
      RunProgram({"run", "--dry-run", "--only", "git", "--config", cfg}, world.work(), env);
  EXPECT_EQ(run.code(), 1);
  ASSERT_EQ(server.Requests().size(), 1u);
  std::string text = Bodies(server)[0]["text"];
  EXPECT_EQ(text.rfind(":warning: my-app GitSync: (first run) \u2192 Diverged (", 0), 0u) << text;
  EXPECT_NE(text.find("(Behind origin/main by 1 commit) on "), std::string::npos) << text;
}

TEST_F(NotifyIntegrationTest, RetriesA503ThenSucceeds) {
  FakeHttpServer server(Receiver({{"sequence", {{{"status", 503}}, {{"status", 200}}}}}));
  hook_url = server.url() + HookPath();
  EXPECT_EQ(Sync().code(), 0);
  FallBehind();
  ProgramRun run = Sync("", {"--verbose"});
  EXPECT_EQ(run.code(), 1);
  EXPECT_NE(run.proc.out.find("sent (2 attempts)"), std::string::npos) << run.proc.out;
  EXPECT_EQ(server.Requests().size(), 2u);
  EXPECT_EQ(run.proc.err.find("FAILED"), std::string::npos) << run.proc.err;
}

TEST_F(NotifyIntegrationTest, ReceiverDownStillCompletesAndWritesTheStatus) {
  hook_url = "http://127.0.0.1:" + std::to_string(FreePort()) + HookPath();
  FallBehind();
  auto start = std::chrono::steady_clock::now();
  ProgramRun run = Sync("timeout: 3s\n");
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(run.code(), 1) << run.proc.err;
  EXPECT_LT(took, 8s);
  EXPECT_TRUE(std::filesystem::exists(status_file));
  EXPECT_NE(run.proc.err.find("infinity-sync: notification webhook http://127.0.0.1:"),
            std::string::npos)
      << run.proc.err;
  EXPECT_NE(run.proc.err.find("FAILED after 4 attempts"), std::string::npos) << run.proc.err;
  EXPECT_NE(run.proc.out.find("Notifications: 0 sent, 1 failed"), std::string::npos)
      << run.proc.out;
}

TEST_F(NotifyIntegrationTest, HangingReceiverCannotHoldTheRunPastItsDeadline) {
  FakeHttpServer server(Receiver({{"hang", true}}));
  hook_url = server.url() + HookPath();
  FallBehind();
  auto start = std::chrono::steady_clock::now();
  ProgramRun run = Sync("timeout: 2s\n", {"--json"});
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(run.code(), 1) << run.proc.err;
  EXPECT_LT(took, 7s);
  EXPECT_EQ(run.doc["status"]["GitSync"]["Status"], "Diverged");  // stdout is only the document
  EXPECT_NE(run.proc.err.find("FAILED after 1 attempt"), std::string::npos) << run.proc.err;
  // The status file was on disk before the receiver was asked.
  ASSERT_EQ(server.Requests().size(), 1u);
  double asked = server.Requests()[0]["time"];
  auto written = std::filesystem::last_write_time(status_file);
  auto written_s =
      std::chrono::duration<double>(std::chrono::file_clock::to_sys(written).time_since_epoch())
          .count();
  EXPECT_LE(written_s, asked);
}

}  // namespace
}  // namespace infinity_sync
