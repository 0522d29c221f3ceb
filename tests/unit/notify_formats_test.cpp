// Each sender's body against a saved payload of the real service's shape
// (tests/fixtures/notify), and the mail message's headers.
#include <gtest/gtest.h>

#include <regex>

#include "lib/test_support.h"
#include "notify/senders.h"

namespace infinity_sync {
namespace {

std::chrono::system_clock::time_point RunTime() {
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(1771375837123));
}

Announcement Git() {
  Announcement a;
  a.project = "my-app";
  a.host = "laptop";
  a.check = "GitSync";
  a.from = "Synced";
  a.to = "Diverged";
  a.details = {"Current branch: main", "Behind origin/main by 2 commits"};
  a.reason = "Behind origin/main by 2 commits";
  a.timestamp = RunTime();
  return a;
}

Announcement Docker() {
  Announcement a = Git();
  a.check = "DockerSync";
  a.to = "Failed";
  a.details = {"Docker Engine not reachable at unix:///var/run/docker.sock"};
  a.reason = a.details[0];
  return a;
}

Announcement GcpUnderAuth() {
  Announcement a = Git();
  a.check = "GCPSync";
  a.to = "Failed";
  a.details = {"no Google credentials"};
  a.reason = a.details[0];
  a.caused_by = "AuthCheck";
  a.cause_text = "GCP Cloud Run: not checked, Google credentials failed";
  return a;
}

nlohmann::json Fixture(const std::string& name) {
  return nlohmann::json::parse(testing::ReadFile(testing::FixturePath("notify/" + name)));
}

TEST(NotifyFormats, PagerDutyTrigger) {
  EXPECT_EQ(PagerDutyBody(Docker(), "R0UTINGKEY0123456789ABCDEFGHIJKL"),
            Fixture("pagerduty-trigger.json"));
}

TEST(NotifyFormats, PagerDutyResolveHasTheTriggersDedupKey) {
  Announcement back = Docker();
  back.from = "Failed";
  back.to = "Synced";
  back.recovery = true;
  nlohmann::json resolve = PagerDutyBody(back, "R0UTINGKEY0123456789ABCDEFGHIJKL");
  EXPECT_EQ(resolve, Fixture("pagerduty-resolve.json"));
  EXPECT_EQ(resolve["dedup_key"], PagerDutyBody(Docker(), "k")["dedup_key"]);
  EXPECT_EQ(PagerDutyDedupKey("my-app", "DockerSync"), "infinity-sync/my-app/DockerSync");
}

TEST(NotifyFormats, PagerDutySeverityFollowsTheStatus) {
  EXPECT_EQ(PagerDutyBody(Git(), "k")["payload"]["severity"], "warning");
  EXPECT_EQ(PagerDutyBody(Docker(), "k")["payload"]["severity"], "critical");
}

TEST(NotifyFormats, DiscordOneMessageForTwoChecks) {
  EXPECT_EQ(DiscordBody({Git(), Docker()}), Fixture("discord.json"));
}

TEST(NotifyFormats, DiscordTakesAtMostTenEmbeds) {
  std::vector<Announcement> many(12, Git());
  nlohmann::json body = DiscordBody(many);
  EXPECT_EQ(body["embeds"].size(), 10u);
  EXPECT_LE(body["content"].get<std::string>().size(), 2000u);
}

TEST(NotifyFormats, TeamsAdaptiveCard) {
  EXPECT_EQ(TeamsBody({Git(), GcpUnderAuth()}), Fixture("teams.json"));
}

TEST(NotifyFormats, SlackOneMessageListsGitAndDocker) {
  EXPECT_EQ(SlackBody(std::vector<Announcement>{Git(), Docker()}), Fixture("slack.json"));
}

TEST(NotifyFormats, WebhookWithSeveralChangesListsThemAll) {
  nlohmann::json body = WebhookBody(std::vector<Announcement>{Git(), Docker()});
  EXPECT_EQ(body, Fixture("webhook-two.json"));
  // The top level stays the documented single-change shape.
  EXPECT_EQ(body["check"], "GitSync");
}

TEST(NotifyFormats, FoldedFailureSaysWhatCausedIt) {
  std::string text = AnnouncementText(GcpUnderAuth());
  EXPECT_EQ(text,
            ":link: my-app GCPSync: Synced \u2192 Failed (GCP Cloud Run: not checked, Google "
            "credentials failed) on laptop");
}

TEST(NotifyFormats, ReminderSaysStill) {
  Announcement a = Git();
  a.reminder = true;
  EXPECT_EQ(AnnouncementText(a),
            ":warning: my-app GitSync: still Diverged (Behind origin/main by 2 commits) on laptop");
  EXPECT_EQ(EmailSubject({a}), "[infinity-sync] my-app: GitSync still Diverged");
}

TEST(NotifyFormats, Ntfy) {
  NtfyMessage m = NtfyBody({Git(), Docker()});
  EXPECT_EQ(m.title,
            "infinity-sync: my-app: GitSync Synced -> Diverged, DockerSync Synced -> Failed");
  EXPECT_EQ(m.body,
            "my-app GitSync: Synced \u2192 Diverged (Behind origin/main by 2 commits) on laptop\n"
            "my-app DockerSync: Synced \u2192 Failed (Docker Engine not reachable at "
            "unix:///var/run/docker.sock) on laptop");
  EXPECT_EQ(m.priority, 4);
  EXPECT_EQ(m.tags, (std::vector<std::string>{"x", "infinity-sync"}));
  Announcement back = Git();
  back.from = "Diverged";
  back.to = "Synced";
  back.recovery = true;
  EXPECT_EQ(NtfyBody({back}).priority, 2);
  EXPECT_EQ(NtfyBody({back}).tags[0], "white_check_mark");
}

TEST(NotifyFormats, EmailSubjectAndText) {
  EXPECT_EQ(EmailSubject({Git()}), "[infinity-sync] my-app: GitSync Synced -> Diverged");
  EXPECT_EQ(EmailSubject({Git(), Docker()}),
            "[infinity-sync] my-app: GitSync Synced -> Diverged, DockerSync Synced -> Failed");
  EXPECT_EQ(testing::ReadFile(testing::FixturePath("notify/email-body.txt")),
            EmailText({Git(), Docker(), GcpUnderAuth()}));
}

TEST(NotifyFormats, EmailMessageHasTheRfc5322Headers) {
  std::string msg =
      EmailMessage("infinity-sync@example.com", {"ops@example.com", "dev@example.com"},
                   "[infinity-sync] my-app: GitSync Synced -> Diverged", "line one\nline two\n",
                   RunTime(), "1771375837123.ab@laptop");
  EXPECT_EQ(msg,
            "Date: Wed, 18 Feb 2026 00:50:37 +0000\r\n"
            "From: infinity-sync@example.com\r\n"
            "To: ops@example.com, dev@example.com\r\n"
            "Subject: [infinity-sync] my-app: GitSync Synced -> Diverged\r\n"
            "Message-ID: <1771375837123.ab@laptop>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n"
            "Auto-Submitted: auto-generated\r\n"
            "\r\n"
            "line one\r\nline two\r\n");
}

TEST(NotifyFormats, EmailHeadersCannotBeInjectedAndNonAsciiIsEncoded) {
  std::string msg =
      EmailMessage("a@example.com", {"b@example.com"},
                   "caf\u00e9 \u2192 ok\r\nBcc: evil@example.com", "x", RunTime(), "id@h");
  EXPECT_EQ(msg.find("\r\nBcc:"), std::string::npos) << msg;
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(msg, m, std::regex("Subject: (=\\?UTF-8\\?B\\?[A-Za-z0-9+/=]+\\?=)")))
      << msg;
}

TEST(NotifyFormats, Rfc5322Date) {
  EXPECT_EQ(Rfc5322Date(std::chrono::system_clock::time_point(std::chrono::seconds(0))),
            "Thu, 01 Jan 1970 00:00:00 +0000");
}

}  // namespace
}  // namespace infinity_sync
