#include "engine/runner.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/status_json.h"
#include "engine/sync_job.h"
#include "lib/fake_ports.h"

namespace infinity_sync {
namespace {

using namespace std::chrono_literals;
using testing::FakeWorld;

CheckSpec Spec(std::string name, std::function<CheckResult(const CheckContext&)> run,
               std::chrono::milliseconds budget = 2s) {
  CheckSpec s;
  s.name = name;
  s.key = name + "Key";
  s.title = name + " title";
  s.label = name;
  s.budget = [budget](const Config&) { return budget; };
  s.run = std::move(run);
  return s;
}

CheckResult Synced() {
  CheckResult r;
  r.status = CheckStatus::kSynced;
  return r;
}

CheckResult WithFix() {
  CheckResult r;
  r.status = CheckStatus::kDiverged;
  r.fix = Fix{"git rebase @{u}", {"git", "rebase", "@{u}"}, "/repo", 1000};
  return r;
}

TEST(RunnerTest, RunsChecksInParallel) {
  FakeWorld world;
  Config config;
  Runner runner(config, world.ports);
  auto slow = [](const CheckContext&) {
    std::this_thread::sleep_for(300ms);
    return Synced();
  };
  auto start = std::chrono::steady_clock::now();
  SyncStatus s = runner.Run({Spec("a", slow), Spec("b", slow), Spec("c", slow)}, {}, {});
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(s.results.size(), 3u);
  for (const auto& r : s.results) EXPECT_EQ(r.result.status, CheckStatus::kSynced);
  EXPECT_LT(took, 800ms) << "three 300 ms checks should overlap";
  EXPECT_GE(s.results[0].result.duration_ms, 290);
  EXPECT_EQ(s.results[0].key, "aKey");
  EXPECT_EQ(s.results[2].key, "cKey");
}

TEST(RunnerTest, ThrowingCheckEndsFailedWithTheReason) {
  FakeWorld world;
  Config config;
  Runner runner(config, world.ports);
  SyncStatus s = runner.Run(
      {Spec("boom",
            [](const CheckContext&) -> CheckResult { throw std::runtime_error("bad json"); }),
       Spec("ok", [](const CheckContext&) { return Synced(); })},
      {}, {});
  EXPECT_EQ(s.results[0].result.status, CheckStatus::kFailed);
  EXPECT_EQ(s.results[0].result.notes.at(0).text, "internal error: bad json");
  EXPECT_EQ(s.results[1].result.status, CheckStatus::kSynced);
}

TEST(RunnerTest, HangingCheckIsAbandonedAtItsDeadline) {
  FakeWorld world;
  Config config;
  Runner runner(config, world.ports);
  auto release = std::make_shared<std::atomic<bool>>(false);
  auto start = std::chrono::steady_clock::now();
  SyncStatus s = runner.Run({Spec(
                                 "hang",
                                 [release](const CheckContext&) {
                                   while (!*release) std::this_thread::sleep_for(10ms);
                                   return Synced();
                                 },
                                 200ms),
                             Spec("ok", [](const CheckContext&) { return Synced(); })},
                            {}, {});
  auto took = std::chrono::steady_clock::now() - start;
  *release = true;  // let the abandoned thread finish
  EXPECT_EQ(s.results[0].result.status, CheckStatus::kFailed);
  EXPECT_EQ(s.results[0].result.notes.at(0).text, "timed out after 200ms (check abandoned)");
  EXPECT_EQ(s.results[1].result.status, CheckStatus::kSynced);
  EXPECT_LT(took, 4s);
  EXPECT_EQ(runner.abandoned(), 1);
  std::this_thread::sleep_for(50ms);
}

TEST(RunnerTest, DryRunNeverAppliesAFix) {
  FakeWorld world;
  Config config;
  Runner runner(config, world.ports);
  RunOptions options;
  options.dry_run = true;
  options.yes = true;  // --dry-run wins over --yes
  SyncStatus s = runner.Run({Spec("git", [](const CheckContext&) { return WithFix(); })}, options,
                            [](const std::string&, const Fix&) { return true; });
  EXPECT_TRUE(s.dry_run);
  ASSERT_EQ(s.actions.size(), 1u);
  EXPECT_EQ(s.actions[0].check, "gitKey");
  EXPECT_EQ(s.actions[0].action, "git rebase @{u}");
  EXPECT_FALSE(s.actions[0].applied);
  EXPECT_EQ(s.actions[0].reason, "dry run");
  EXPECT_TRUE(world.process.requests().empty());
}

TEST(RunnerTest, YesAppliesTheFixAndJudgesAgain) {
  FakeWorld world;
  Config config;
  Runner runner(config, world.ports);
  RunOptions options;
  options.yes = true;
  auto runs = std::make_shared<std::atomic<int>>(0);
  SyncStatus s = runner.Run(
      {Spec("git", [runs](const CheckContext&) { return ++*runs == 1 ? WithFix() : Synced(); })},
      options, {});
  ASSERT_EQ(world.process.requests().size(), 1u);
  EXPECT_EQ(world.process.requests()[0].argv, (std::vector<std::string>{"git", "rebase", "@{u}"}));
  EXPECT_EQ(world.process.requests()[0].cwd, "/repo");
  ASSERT_EQ(s.actions.size(), 1u);
  EXPECT_TRUE(s.actions[0].applied);
  EXPECT_EQ(s.results[0].result.status, CheckStatus::kSynced);
  EXPECT_EQ(*runs, 2);
}

TEST(RunnerTest, FailedFixIsRecordedWithTheReason) {
  FakeWorld world;
  world.process.answer = [](const ProcessRequest&) {
    ProcessResult r;
    r.started = true;
    r.exit_code = 1;
    r.err = "error: cannot rebase: You have unstaged changes.\n";
    return r;
  };
  Config config;
  Runner runner(config, world.ports);
  RunOptions options;
  options.yes = true;
  SyncStatus s =
      runner.Run({Spec("git", [](const CheckContext&) { return WithFix(); })}, options, {});
  ASSERT_EQ(s.actions.size(), 1u);
  EXPECT_FALSE(s.actions[0].applied);
  EXPECT_EQ(s.actions[0].reason,
            "git rebase: exit 1: error: cannot rebase: You have unstaged changes.");
  EXPECT_EQ(s.results[0].result.status, CheckStatus::kDiverged);
}

TEST(RunnerTest, NoTerminalSkipsAndTerminalAsks) {
  FakeWorld world;
  Config config;
  Runner runner(config, world.ports);
  auto fixer = Spec("git", [](const CheckContext&) { return WithFix(); });

  SyncStatus skipped = runner.Run({fixer}, {}, [](const std::string&, const Fix&) {
    ADD_FAILURE() << "must not ask without a terminal";
    return true;
  });
  EXPECT_FALSE(skipped.actions.at(0).applied);
  EXPECT_EQ(skipped.actions.at(0).reason, "stdin is not a terminal (use --yes to apply)");

  RunOptions interactive;
  interactive.interactive = true;
  std::string asked;
  SyncStatus declined = runner.Run({fixer}, interactive, [&](const std::string& title, const Fix&) {
    asked = title;
    return false;
  });
  EXPECT_EQ(asked, "git title");
  EXPECT_EQ(declined.actions.at(0).reason, "declined");
  EXPECT_TRUE(world.process.requests().empty());

  SyncStatus accepted =
      runner.Run({fixer}, interactive, [](const std::string&, const Fix&) { return true; });
  EXPECT_TRUE(accepted.actions.at(0).applied);
  EXPECT_EQ(world.process.requests().size(), 1u);
}

TEST(RunnerTest, SelectChecksSuggestsTheClosestName) {
  Config config;
  auto table = CheckTable(config);
  auto picked = SelectChecks(table, {{"git", "auth"}, {}});
  ASSERT_TRUE(picked.ok());
  ASSERT_EQ(picked->size(), 2u);
  EXPECT_EQ((*picked)[0].name, "auth");  // table order, not command-line order
  auto bad = SelectChecks(table, {{"gti"}, {}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(),
            "--only: unknown check \"gti\" (did you mean \"git\"?); checks: auth, git, docker, "
            "gcp, cloudflare");
}

TEST(RunnerTest, SkipIsTheComplementOfOnlyAndEveryUnknownNameIsReported) {
  Config config;
  auto table = CheckTable(config);
  auto rest = SelectChecks(table, {{}, {"gcp", "cloudflare"}});
  ASSERT_TRUE(rest.ok()) << rest.error();
  std::vector<std::string> names;
  for (const auto& s : *rest) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"auth", "git", "docker"}));

  auto both = SelectChecks(table, {{"git", "docker"}, {"docker"}});
  ASSERT_TRUE(both.ok());
  ASSERT_EQ(both->size(), 1u);
  EXPECT_EQ((*both)[0].name, "git");

  auto bad = SelectChecks(table, {{"gti", "dokcer"}, {"cloudflair"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(),
            "--only: unknown check \"gti\" (did you mean \"git\"?); --only: unknown check "
            "\"dokcer\" (did you mean \"docker\"?); --skip: unknown check \"cloudflair\" (did "
            "you mean \"cloudflare\"?); checks: auth, git, docker, gcp, cloudflare");
}

TEST(RunnerTest, DisabledChecksLeaveTheTableAndOnlyNamingOneSaysWhichKey) {
  Config config;
  config.gcp.check.enabled = false;
  CustomCheckConfig redis;
  redis.name = "redis";
  redis.type = "tcp";
  redis.address = "127.0.0.1:6379";
  redis.check.enabled = false;
  CustomCheckConfig web;
  web.name = "web";
  web.type = "tcp";
  web.address = "127.0.0.1:80";
  web.check.required = false;
  config.checks = {redis, web};
  auto table = CheckTable(config);
  std::vector<std::string> names;
  for (const auto& s : table) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"auth", "git", "docker", "cloudflare", "web"}));
  EXPECT_FALSE(table.back().required);
  EXPECT_TRUE(table.front().required);

  auto disabled = DisabledChecks(config);
  auto only_gcp = SelectChecks(table, {{"gcp", "redis"}, {}}, disabled);
  ASSERT_FALSE(only_gcp.ok());
  EXPECT_EQ(only_gcp.error(),
            "--only: check \"gcp\" is turned off (gcp.enabled: false); --only: check \"redis\" "
            "is turned off (checks[0].enabled: false)");
  EXPECT_TRUE(SelectChecks(table, {{}, {"gcp"}}, disabled).ok()) << "skipping it is fine";
}

TEST(RunnerTest, AFailedCheckThatIsNotRequiredLeavesTheExitCodeAlone) {
  SyncStatus status;
  CheckResult ok;
  ok.status = CheckStatus::kSynced;
  CheckResult failed;
  failed.status = CheckStatus::kFailed;
  status.results = {{"GitSync", ok, true}, {"CustomCheck:web", failed, false}};
  EXPECT_EQ(ExitCodeOf(status), kExitOk);
  status.results[1].required = true;
  EXPECT_EQ(ExitCodeOf(status), kExitFailed);

  // The document says so, and `status` reads it back the same way.
  status.results[1].required = false;
  nlohmann::json doc = ToJson(status);
  EXPECT_EQ(doc["status"]["CustomCheck:web"]["required"], false);
  EXPECT_FALSE(doc["status"]["GitSync"].contains("required"));
  auto parsed = ParseStatusDocument(doc.dump());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->exit_code, kExitOk);
}

}  // namespace
}  // namespace infinity_sync
