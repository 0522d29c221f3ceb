// SendNotifications: the remembered state on disk and what goes to each sender.
#include <gtest/gtest.h>

#include "lib/fake_ports.h"
#include "lib/test_support.h"
#include "notify/notifier.h"
#include "notify/transitions.h"

namespace infinity_sync {
namespace {

using namespace std::chrono_literals;
using testing::FakeWorld;
using testing::TempDir;

NotifyConfig Sender(const std::string& type, const std::string& url,
                    const std::vector<std::string>& on = {}) {
  NotifyConfig n;
  n.type = type;
  n.url = url;
  n.on = on;
  return n;
}

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
    config.notify = {Sender("webhook", "http://127.0.0.1:9/hook/s3cr3t"),
                     Sender("slack", "https://hooks.slack.com/services/T/B/x", {"Failed"})};
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

// A run of several checks through SendNotifications, at a wall time the test sets.
class NotifierRuns : public ::testing::Test {
 protected:
  FakeWorld world;
  TempDir dir;
  Config config;
  Sleeper sleep = [](std::chrono::milliseconds) {};
  std::vector<MailRequest> mails;
  Mailer mail = [this](const MailRequest& m) {
    mails.push_back(m);
    SendResult r;
    r.ok = true;
    r.attempts = 1;
    r.http_status = 250;
    return r;
  };
  std::chrono::system_clock::time_point start{std::chrono::seconds(1'796'000'000)};

  void SetUp() override {
    config.project = "my-app";
    config.status_file = dir / "readiness/infinity-sync-status.json";
    world.http.answer = [](const HttpRequest& r) {
      HttpResponse a;
      a.answered = true;
      a.status = r.url.find("pagerduty") != std::string::npos ? 202 : 200;
      return a;
    };
  }
  NotifyReport Run(std::chrono::minutes at,
                   const std::vector<std::pair<std::string, CheckStatus>>& checks,
                   bool google_ok = true) {
    world.clock.SetWall(start + at);
    SyncStatus status;
    status.host = "laptop";
    status.timestamp = start + at;
    for (const auto& [key, st] : checks) {
      CheckResult r;
      r.status = st;
      r.Warn(key + " says why");
      if (key == "AuthCheck") {
        r.data = {{"github", {{"authenticated", true}}},
                  {"google", {{"authenticated", google_ok}}}};
      }
      status.results.push_back({key, r});
    }
    return SendNotifications(config, world.ports, status, sleep, mail);
  }
  std::vector<nlohmann::json> Bodies() {
    std::vector<nlohmann::json> out;
    for (const auto& r : world.http.requests()) out.push_back(nlohmann::json::parse(r.body));
    return out;
  }
};

TEST_F(NotifierRuns, OneSlackMessageForARunWithTwoTransitions) {
  config.notify = {Sender("slack", "https://hooks.slack.com/services/T/B/x")};
  Run(0min, {{"GitSync", CheckStatus::kSynced}, {"DockerSync", CheckStatus::kSynced}});
  NotifyReport report =
      Run(5min, {{"GitSync", CheckStatus::kDiverged}, {"DockerSync", CheckStatus::kOutOfSync}});
  EXPECT_EQ(report.sent, 1);
  ASSERT_EQ(world.http.requests().size(), 1u);
  std::string text = Bodies()[0]["text"];
  EXPECT_NE(text.find("GitSync: Synced \u2192 Diverged"), std::string::npos) << text;
  EXPECT_NE(text.find("DockerSync: Synced \u2192 OutOfSync"), std::string::npos) << text;
  ASSERT_EQ(report.lines.size(), 1u);
  EXPECT_EQ(report.lines[0].text,
            "slack https://hooks.slack.com/***: GitSync Synced \u2192 Diverged, DockerSync Synced "
            "\u2192 OutOfSync: sent (1 attempt)");
}

TEST_F(NotifierRuns, PagerDutyTriggersThenResolvesWithTheSameDedupKey) {
  NotifyConfig pd;
  pd.type = "pagerduty";
  pd.url = "https://events.pagerduty.com/v2/enqueue";
  pd.routing_key = "R0UTINGKEY";
  config.notify = {pd};
  Run(0min, {{"GitSync", CheckStatus::kSynced}, {"DockerSync", CheckStatus::kSynced}});
  Run(5min, {{"GitSync", CheckStatus::kDiverged}, {"DockerSync", CheckStatus::kFailed}});
  Run(10min, {{"GitSync", CheckStatus::kSynced}, {"DockerSync", CheckStatus::kFailed}});
  auto bodies = Bodies();
  ASSERT_EQ(bodies.size(), 3u);  // one event per check: two triggers, then one resolve
  EXPECT_EQ(bodies[0]["event_action"], "trigger");
  EXPECT_EQ(bodies[0]["payload"]["component"], "GitSync");
  EXPECT_EQ(bodies[0]["payload"]["severity"], "warning");
  EXPECT_EQ(bodies[1]["event_action"], "trigger");
  EXPECT_EQ(bodies[1]["payload"]["component"], "DockerSync");
  EXPECT_EQ(bodies[1]["payload"]["severity"], "critical");
  EXPECT_EQ(bodies[2]["event_action"], "resolve");
  EXPECT_EQ(bodies[2]["dedup_key"], bodies[0]["dedup_key"]);
  EXPECT_NE(bodies[0]["dedup_key"], bodies[1]["dedup_key"]);
}

TEST_F(NotifierRuns, GcpFailureIsFoldedUnderGoogleAuth) {
  NotifyConfig pd;
  pd.type = "pagerduty";
  pd.url = "https://events.pagerduty.com/v2/enqueue";
  pd.routing_key = "k";
  config.notify = {Sender("slack", "https://hooks.slack.com/services/T/B/x"), pd};
  Run(0min, {{"AuthCheck", CheckStatus::kSuccess}, {"GCPSync", CheckStatus::kSynced}});
  Run(5min, {{"AuthCheck", CheckStatus::kPartial}, {"GCPSync", CheckStatus::kFailed}},
      /*google_ok=*/false);
  auto bodies = Bodies();
  ASSERT_EQ(bodies.size(), 2u);  // one Slack message, one PagerDuty incident (auth's)
  std::string text = bodies[0]["text"];
  EXPECT_NE(text.find("AuthCheck: Success \u2192 Partial"), std::string::npos) << text;
  EXPECT_NE(text.find(":link: my-app GCPSync: Synced \u2192 Failed (GCP Cloud Run: not checked, "
                      "Google credentials failed)"),
            std::string::npos)
      << text;
  EXPECT_EQ(bodies[1]["payload"]["component"], "AuthCheck");
}

TEST_F(NotifierRuns, RemindersAtRepeatEveryFromTheInjectedClock) {
  NotifyConfig hook = Sender("webhook", "http://127.0.0.1:9/hook");
  hook.repeat_every = std::chrono::hours(4);
  config.notify = {hook};
  Run(0min, {{"GitSync", CheckStatus::kSynced}});
  Run(5min, {{"GitSync", CheckStatus::kFailed}});
  Run(5min + std::chrono::hours(3), {{"GitSync", CheckStatus::kFailed}});
  EXPECT_EQ(world.http.requests().size(), 1u);
  Run(5min + std::chrono::hours(4), {{"GitSync", CheckStatus::kFailed}});
  auto bodies = Bodies();
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(bodies[1]["reminder"], true);
  EXPECT_EQ(bodies[1]["to"], "Failed");
}

TEST_F(NotifierRuns, NothingInsideAMaintenanceWindowThenTheHeldChange) {
  config.notify = {Sender("webhook", "http://127.0.0.1:9/hook")};
  MaintenanceWindowConfig window;
  window.from = start + 1min;
  window.to = start + 60min;
  config.maintenance = {window};
  Run(0min, {{"GitSync", CheckStatus::kSynced}});
  NotifyReport inside = Run(10min, {{"GitSync", CheckStatus::kDiverged}});
  EXPECT_EQ(inside.sent, 0);
  ASSERT_TRUE(inside.maintenance);
  EXPECT_EQ(inside.maintenance->until, start + 60min);
  EXPECT_EQ(inside.held, 1);
  EXPECT_TRUE(world.http.requests().empty());
  // The state file says what is held.
  auto saved = ParseNotifyMemory(testing::ReadFile(dir / "readiness/infinity-sync-notify.json"));
  ASSERT_TRUE(saved) << saved.error();
  EXPECT_TRUE(saved->senders["0:webhook"]["GitSync"].held);
  EXPECT_EQ(saved->senders["0:webhook"]["GitSync"].told, "Synced");

  NotifyReport after = Run(61min, {{"GitSync", CheckStatus::kDiverged}});
  EXPECT_FALSE(after.maintenance);
  EXPECT_EQ(after.sent, 1);
  auto bodies = Bodies();
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(bodies[0]["from"], "Synced");
  EXPECT_EQ(bodies[0]["to"], "Diverged");
}

TEST_F(NotifierRuns, EmailIsOneMailPerRun) {
  NotifyConfig email;
  email.type = "email";
  email.smtp_url = "smtp://user:pw@mail.example.com:587";
  email.from = "infinity-sync@example.com";
  email.to = {"ops@example.com"};
  config.notify = {email};
  Run(0min, {{"GitSync", CheckStatus::kSynced}, {"DockerSync", CheckStatus::kSynced}});
  NotifyReport report =
      Run(5min, {{"GitSync", CheckStatus::kDiverged}, {"DockerSync", CheckStatus::kFailed}});
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].to, email.to);
  EXPECT_NE(mails[0].message.find(
                "Subject: [infinity-sync] my-app: GitSync Synced -> Diverged, DockerSync Synced "
                "-> Failed\r\n"),
            std::string::npos)
      << mails[0].message;
  EXPECT_NE(mails[0].message.find("Message-ID: <"), std::string::npos);
  ASSERT_EQ(report.lines.size(), 1u);
  EXPECT_EQ(report.lines[0].text.find("pw"), std::string::npos) << report.lines[0].text;
  EXPECT_EQ(report.lines[0].text.rfind("email smtp://***@mail.example.com:587/***: ", 0), 0u)
      << report.lines[0].text;
}

TEST_F(NotifierRuns, SendResolvedFalse) {
  NotifyConfig hook = Sender("webhook", "http://127.0.0.1:9/hook");
  hook.send_resolved = false;
  config.notify = {hook};
  Run(0min, {{"GitSync", CheckStatus::kSynced}});
  Run(5min, {{"GitSync", CheckStatus::kFailed}});
  Run(10min, {{"GitSync", CheckStatus::kSynced}});
  EXPECT_EQ(world.http.requests().size(), 1u);
}

}  // namespace
}  // namespace infinity_sync
