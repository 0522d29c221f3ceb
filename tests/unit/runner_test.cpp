#include "engine/runner.h"

#include <gtest/gtest.h>

#include <latch>
#include <thread>

#include "core/status_json.h"
#include "engine/sync_job.h"
#include "lib/fake_check_waits.h"
#include "lib/fake_ports.h"

namespace infinity_sync {
namespace {

using namespace std::chrono_literals;
using testing::FakeCheckWaits;
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

// A check that waits for its stop and then ends Failed saying `says`.
CheckResult UntilStopped(const CheckContext& ctx, const std::string& says) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  std::stop_token stop = ctx.stop;
  cv.wait(lock, stop, [] { return false; });
  return CheckResult::Failure(says);
}

TEST(RunnerTest, RunsChecksInParallel) {
  FakeWorld world;
  Config config;
  Runner runner(config, world.ports);
  // Each check waits for the other two to start: one after the other, the
  // first would wait forever and end "timed out".
  auto started = std::make_shared<std::latch>(3);
  auto together = [started](const CheckContext&) {
    started->arrive_and_wait();
    return Synced();
  };
  SyncStatus s =
      runner.Run({Spec("a", together), Spec("b", together), Spec("c", together)}, {}, {});
  ASSERT_EQ(s.results.size(), 3u);
  for (const auto& r : s.results) EXPECT_EQ(r.result.status, CheckStatus::kSynced);
  EXPECT_EQ(s.results[0].key, "aKey");
  EXPECT_EQ(s.results[2].key, "cKey");
  EXPECT_EQ(runner.abandoned(), 0);
}

TEST(RunnerTest, DurationIsReadOffThePortsClock) {
  FakeWorld world;
  Config config;
  FakeCheckWaits waits;
  Runner runner(config, world.ports, waits);
  SyncStatus s = runner.Run({Spec("a",
                                  [&world](const CheckContext&) {
                                    world.clock.ShiftSteady(1500ms);
                                    return Synced();
                                  })},
                            {}, {});
  EXPECT_GE(s.results.at(0).result.duration_ms, 1500);
  EXPECT_LT(s.results.at(0).result.duration_ms, 1500 + 1000);
  EXPECT_EQ(waits.asked(),
            (std::vector<FakeCheckWaits::Asked>{{CheckWaits::Phase::kBudget, 2000ms}}));
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
  FakeCheckWaits waits;
  // The hanging check's 200 ms pass, then its grace; the other check ends.
  waits.expire = [](CheckWaits::Phase phase, std::chrono::milliseconds limit) {
    return phase == CheckWaits::Phase::kGrace || limit == 200ms;
  };
  Runner runner(config, world.ports, waits);
  // A check that ignores its stop until the test lets it go.
  auto release = std::make_shared<std::atomic<bool>>(false);
  auto ended = std::make_shared<std::atomic<bool>>(false);
  auto deaf = [release, ended](const CheckContext&) {
    release->wait(false);
    ended->store(true);
    ended->notify_all();
    return Synced();
  };
  SyncStatus s = runner.Run(
      {Spec("hang", deaf, 200ms), Spec("ok", [](const CheckContext&) { return Synced(); })}, {},
      {});
  EXPECT_EQ(s.results[0].result.status, CheckStatus::kFailed);
  EXPECT_EQ(s.results[0].result.notes.at(0).text, "timed out after 200ms (check abandoned)");
  EXPECT_EQ(s.results[1].result.status, CheckStatus::kSynced);
  EXPECT_EQ(runner.abandoned(), 1);
  auto asked = waits.asked();
  EXPECT_EQ(std::count(asked.begin(), asked.end(),
                       FakeCheckWaits::Asked{CheckWaits::Phase::kBudget, 200ms}),
            1);
  EXPECT_EQ(std::count(asked.begin(), asked.end(),
                       FakeCheckWaits::Asked{CheckWaits::Phase::kGrace, Runner::kGrace}),
            1);
  release->store(true);  // let the abandoned thread finish before the test ends
  release->notify_all();
  ended->wait(false);
}

// A check that honours its stop: stopped at its deadline, it ends within the
// grace, is not abandoned, and what it says is kept.
TEST(RunnerTest, CheckStoppedAtItsDeadlineEndsWithinTheGrace) {
  FakeWorld world;
  Config config;
  FakeCheckWaits waits;
  waits.expire = [](CheckWaits::Phase phase, std::chrono::milliseconds) {
    return phase == CheckWaits::Phase::kBudget;
  };
  Runner runner(config, world.ports, waits);
  auto listening = [](const CheckContext& ctx) { return UntilStopped(ctx, "git fetch: stopped"); };
  SyncStatus s = runner.Run({Spec("git", listening, 300ms)}, {}, {});
  EXPECT_EQ(s.results.at(0).result.status, CheckStatus::kFailed);
  EXPECT_EQ(s.results.at(0).result.notes.at(0).text, "git fetch: stopped");
  EXPECT_EQ(runner.abandoned(), 0);
  EXPECT_EQ(waits.asked(),
            (std::vector<FakeCheckWaits::Asked>{{CheckWaits::Phase::kBudget, 300ms},
                                                {CheckWaits::Phase::kGrace, Runner::kGrace}}));
}

// The run's stop (a signal, the server stopping) ends the budget wait at
// once and reaches every check's own stop.
TEST(RunnerTest, TheRunsStopReachesEveryCheck) {
  FakeWorld world;
  Config config;
  FakeCheckWaits waits;  // both waits last until the check ends or the stop
  Runner runner(config, world.ports, waits);
  std::stop_source run_stop;
  auto started = std::make_shared<std::latch>(2);
  auto listening = [started](const CheckContext& ctx) {
    started->count_down();
    return UntilStopped(ctx, "stopped");
  };
  std::thread stopper([&] {
    started->wait();
    run_stop.request_stop();
  });
  RunOptions options;
  options.stop = run_stop.get_token();
  SyncStatus s = runner.Run({Spec("a", listening, 1h), Spec("b", listening, 1h)}, options, {});
  stopper.join();
  ASSERT_EQ(s.results.size(), 2u);
  for (const auto& r : s.results) EXPECT_EQ(r.result.notes.at(0).text, "stopped");
  EXPECT_EQ(runner.abandoned(), 0);
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
  // The fix ran like a check's program: under its timeout, with the run's
  // stop, and said so in one line after the decision.
  EXPECT_LE(world.process.requests()[0].timeout, 1000ms);
  EXPECT_GT(world.process.requests()[0].timeout, 500ms);
  const auto& evidence = s.results[0].result.evidence;
  ASSERT_GE(evidence.size(), 2u);
  EXPECT_EQ(evidence[0], "fix: git rebase @{u}");
  EXPECT_EQ(evidence[1], "git rebase @{u} -> exit 0 (0 ms)");
}

TEST(RunnerTest, AFixWithoutATimeoutIsStillBounded) {
  FakeWorld world;
  Config config;
  Runner runner(config, world.ports);
  RunOptions options;
  options.yes = true;
  std::stop_source run_stop;
  options.stop = run_stop.get_token();
  CheckResult fixable = WithFix();
  fixable.fix->timeout_ms = 0;
  runner.Run({Spec("git", [fixable](const CheckContext&) { return fixable; })}, options, {});
  ASSERT_EQ(world.process.requests().size(), 1u);
  EXPECT_EQ(world.process.requests()[0].timeout, 1ms) << "0 must never mean no limit";
  run_stop.request_stop();
  EXPECT_TRUE(world.process.requests()[0].stop.stop_requested()) << "the run's stop reaches it";
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
