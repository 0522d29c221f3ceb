// The `notify` entries of each sender type, and `maintenance` windows.
#include <gtest/gtest.h>

#include "core/config.h"
#include "core/time_format.h"
#include "lib/map_env.h"

namespace infinity_sync {
namespace {

std::variant<Config, ConfigError> Parse(const std::string& text,
                                        const std::map<std::string, std::string>& env = {}) {
  return ParseConfig(text, "infinity-sync.yaml", "/repo/my-app", testing::MapEnv(env));
}

Config MustParse(const std::string& text, const std::map<std::string, std::string>& env = {}) {
  auto parsed = Parse(text, env);
  if (auto* err = std::get_if<ConfigError>(&parsed)) {
    ADD_FAILURE() << err->ToString();
    return Config{};
  }
  return std::get<Config>(parsed);
}

std::string ErrorOf(const std::string& text) {
  auto parsed = Parse(text);
  if (auto* err = std::get_if<ConfigError>(&parsed)) return err->ToString();
  return "(no error)";
}

TEST(NotifyConfig, EverySenderType) {
  Config c = MustParse(
      "notify:\n"
      "  - {type: pagerduty, routing_key: \"${PD_KEY}\", on: [Failed], repeat_every: 4h}\n"
      "  - type: email\n"
      "    smtp_url: smtp://mail.example.com:587\n"
      "    from: infinity-sync@example.com\n"
      "    to: [ops@example.com, dev@example.com]\n"
      "    username: bot\n"
      "    password: ${SMTP_PASSWORD}\n"
      "    send_resolved: false\n"
      "  - {type: discord, url: \"https://discord.com/api/webhooks/1/x\"}\n"
      "  - {type: teams, url: \"https://example.logic.azure.com/workflows/x\"}\n"
      "  - {type: ntfy, url: \"https://ntfy.sh/my-topic\"}\n",
      {{"PD_KEY", "R0UTINGKEY"}, {"SMTP_PASSWORD", "pw"}});
  ASSERT_EQ(c.notify.size(), 5u);
  EXPECT_EQ(c.notify[0].routing_key, "R0UTINGKEY");
  EXPECT_EQ(c.notify[0].url, "https://events.pagerduty.com/v2/enqueue");
  EXPECT_EQ(c.notify[0].repeat_every, std::chrono::hours(4));
  EXPECT_TRUE(c.notify[0].send_resolved);
  EXPECT_EQ(c.notify[1].to, (std::vector<std::string>{"ops@example.com", "dev@example.com"}));
  EXPECT_EQ(c.notify[1].password, "pw");
  EXPECT_FALSE(c.notify[1].send_resolved);
  EXPECT_EQ(c.notify[4].type, "ntfy");
}

TEST(NotifyConfig, EachTypeNamesWhatItMisses) {
  EXPECT_EQ(ErrorOf("notify:\n  - {type: pagerduty}\n"),
            "infinity-sync.yaml:2:5: notify[0].routing_key: missing: the PagerDuty integration's "
            "routing key");
  EXPECT_EQ(ErrorOf("notify:\n  - {type: email, from: a@b.c, to: [d@e.f]}\n"),
            "infinity-sync.yaml:2:5: notify[0].smtp_url: missing: the mail server, "
            "smtp://HOST:PORT or smtps://");
  EXPECT_EQ(
      ErrorOf("notify:\n  - {type: email, smtp_url: \"http://x\", from: a@b.c, to: [d@e.f]}\n"),
      "infinity-sync.yaml:2:29: notify[0].smtp_url: expected smtp://HOST[:PORT] or "
      "smtps://HOST[:PORT], got \"http://x\"");
  EXPECT_EQ(ErrorOf("notify:\n  - {type: email, smtp_url: \"smtp://x\", from: a@b.c}\n"),
            "infinity-sync.yaml:2:5: notify[0].to: missing: at least one recipient");
  EXPECT_EQ(
      ErrorOf("notify:\n  - {type: email, smtp_url: \"smtp://x\", from: a@b.c, to: [nobody]}\n"),
      "infinity-sync.yaml:2:59: notify[0].to[0]: expected an address like ops@example.com, "
      "got \"nobody\"");
  EXPECT_EQ(ErrorOf("notify:\n  - {type: discord}\n"),
            "infinity-sync.yaml:2:5: notify[0].url: missing: where to send the notification");
  EXPECT_EQ(
      ErrorOf("notify:\n  - {type: ntfy, url: x, repeat_every: often}\n"),
      "infinity-sync.yaml:2:40: notify[0].repeat_every: expected a duration like 500ms, 30s, 5m, "
      "2h or 30d, got \"often\"");
}

TEST(NotifyConfig, SecretsInTheSmtpUrlAreNotQuoted) {
  std::string err = ErrorOf(
      "notify:\n  - {type: email, smtp_url: \"ftp://u:hunter2@x\", from: a@b.c, to: [d@e.f]}\n");
  EXPECT_EQ(err.find("hunter2"), std::string::npos) << err;
}

TEST(NotifyConfig, MaintenanceWindows) {
  Config c = MustParse(
      "maintenance:\n"
      "  - {from: \"2026-12-05T02:00:00+01:00\", to: \"2026-12-05T04:00:00+01:00\"}\n"
      "  - {every: \"sat 02:00-04:00\", timezone: Europe/Berlin}\n"
      "  - {every: \"sun 23:00-01:00\"}\n");
  ASSERT_EQ(c.maintenance.size(), 3u);
  EXPECT_EQ(FormatIso8601(*c.maintenance[0].from), "2026-12-05T01:00:00.000Z");
  EXPECT_EQ(c.maintenance[1].timezone, "Europe/Berlin");
  EXPECT_EQ(c.maintenance[2].timezone, "");
}

TEST(NotifyConfig, BadMaintenanceWindowsSayWhere) {
  EXPECT_EQ(ErrorOf("maintenance:\n  - {from: tomorrow, to: \"2026-12-05T04:00:00Z\"}\n"),
            "infinity-sync.yaml:2:12: maintenance[0].from: expected an ISO-8601 time with a zone "
            "(2026-12-05T02:00:00Z), got \"tomorrow\"");
  EXPECT_EQ(ErrorOf("maintenance:\n  - {from: \"2026-12-05T02:00:00Z\"}\n"),
            "infinity-sync.yaml:2:5: maintenance[0].to: missing: a window with `from` needs `to`");
  EXPECT_EQ(
      ErrorOf("maintenance:\n  - {from: \"2026-12-05T04:00:00Z\", to: \"2026-12-05T02:00:00Z\"}\n"),
      "infinity-sync.yaml:2:40: maintenance[0].to: must be after `from`");
  EXPECT_EQ(ErrorOf("maintenance:\n  - {every: \"sat 2-4\"}\n"),
            "infinity-sync.yaml:2:13: maintenance[0].every: bad start time \"2\" (expected HH:MM, "
            "24-hour)");
  EXPECT_EQ(ErrorOf("maintenance:\n  - {every: \"sat 02:00-04:00\", timezone: Mars/Olympus}\n"),
            "infinity-sync.yaml:2:42: maintenance[0].timezone: unknown time zone \"Mars/Olympus\" "
            "(expected a tz database name such as Europe/Berlin)");
  EXPECT_EQ(ErrorOf("maintenance:\n  - {timezone: UTC}\n"),
            "infinity-sync.yaml:2:5: maintenance[0]: missing: from and to, or every (as in \"sat "
            "02:00-04:00\")");
  EXPECT_EQ(
      ErrorOf("maintenance:\n  - {every: \"sat 02:00-04:00\", from: \"2026-12-05T02:00:00Z\"}\n"),
      "infinity-sync.yaml:2:5: maintenance[0]: either from and to, or every (with timezone), "
      "not both");
}

}  // namespace
}  // namespace infinity_sync
