// SendNotifications: the remembered state on disk and what goes to each sender.
#include <gtest/gtest.h>

#include "lib/fake_ports.h"
#include "lib/test_support.h"
#include "notify/notifier.h"
#include "notify/transitions.h"

namespace infinity_sync {
namespace {

using testing::FakeWorld;
using testing::TempDir;

class Notifier : public ::testing::Test {
 protected:
  FakeWorld world;
  TempDir dir;
  Config config;
  std::vector<std::chrono::milliseconds> sleeps;
  Sleeper sleep = [this](std::chrono::milliseconds d) { sleeps.push_back(d); };

  void SetUp() override {
    config.project = "my-app";
    config.status_file = dir / "readiness/infinity-sync-status.json";
    config.notify = {{"webhook", "http://127.0.0.1:9/hook/s3cr3t", {}},
                     {"slack", "https://hooks.slack.com/services/T/B/x", {"Failed"}}};
    world.http.answer = [](const HttpRequest&) {
      HttpResponse r;
      r.answered = true;
      r.status = 200;
      return r;
    };
  }
  NotifyReport Run(CheckStatus git) {
    SyncStatus status;
    status.host = "laptop";
    CheckResult r;
    r.status = git;
    r.Warn("behind origin/main by 1 commit");
    status.results.push_back({"GitSync", r});
    return SendNotifications(config, world.ports, status, sleep);
  }
};

TEST_F(Notifier, OnlyListedChangesGoToEachSender) {
  EXPECT_EQ(Run(CheckStatus::kSynced).sent, 0);
  NotifyReport drift = Run(CheckStatus::kDiverged);
  EXPECT_EQ(drift.sent, 1);  // the webhook (every drift); slack listens for Failed only
  ASSERT_EQ(drift.lines.size(), 1u);
  EXPECT_EQ(drift.lines[0].text,
            "webhook http://127.0.0.1:9/***: GitSync Synced \u2192 Diverged: sent (1 attempt)");
  EXPECT_EQ(Run(CheckStatus::kDiverged).sent, 0);
  NotifyReport failed = Run(CheckStatus::kFailed);
  EXPECT_EQ(failed.sent, 2);
  auto requests = world.http.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(requests[1].body)["from"], "Diverged");
  EXPECT_EQ(requests[2].url, "https://hooks.slack.com/services/T/B/x");
  EXPECT_NE(nlohmann::json::parse(requests[2].body)["text"].get<std::string>().find(":x:"),
            std::string::npos);
}

TEST_F(Notifier, StateIsSavedBesideTheStatusFile) {
  Run(CheckStatus::kDiverged);
  auto saved = ParseNotifyMemory(testing::ReadFile(dir / "readiness/infinity-sync-notify.json"));
  ASSERT_TRUE(saved) << saved.error();
  EXPECT_EQ(saved->checks["GitSync"].status, "Diverged");
}

TEST_F(Notifier, DamagedStateIsReportedAndReplaced) {
  testing::WriteFile(dir / "readiness/infinity-sync-notify.json", "{oops");
  NotifyReport report = Run(CheckStatus::kSynced);
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_NE(report.problems[0].find("is damaged (not JSON); starting afresh"), std::string::npos);
  EXPECT_TRUE(ParseNotifyMemory(testing::ReadFile(dir / "readiness/infinity-sync-notify.json")));
}

TEST_F(Notifier, NothingIsSentWhenTheStateCannotBeSaved) {
  testing::WriteFile(dir / "readiness", "a file where the folder should be");
  NotifyReport report = Run(CheckStatus::kFailed);
  EXPECT_EQ(report.sent, 0);
  EXPECT_TRUE(world.http.requests().empty());
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_NE(report.problems[0].find("nothing sent"), std::string::npos);
}

TEST_F(Notifier, NoSendersNoStateFile) {
  config.notify.clear();
  Run(CheckStatus::kFailed);
  EXPECT_FALSE(std::filesystem::exists(dir / "readiness/infinity-sync-notify.json"));
}

TEST_F(Notifier, FailedSendsAreCounted) {
  world.http.answer = [](const HttpRequest&) {
    HttpResponse r;
    r.answered = true;
    r.status = 400;
    return r;
  };
  NotifyReport report = Run(CheckStatus::kFailed);
  EXPECT_EQ(report.failed, 2);
  EXPECT_FALSE(report.lines[0].ok);
  EXPECT_NE(report.lines[0].text.find("FAILED after 1 attempt: HTTP 400"), std::string::npos);
}

}  // namespace
}  // namespace infinity_sync
