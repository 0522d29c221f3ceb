// Every sender type end to end: the real program over runs of a real git
// repository, announcing to loopback fakes that check each service's real
// format (tests/fakes/http_fake.py "validate") and to a real SMTP server
// (Python's smtpd, tests/fakes/smtp_server.py), plain, STARTTLS and smtps
// with a test CA; and `notify test`.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "core/time_format.h"
#include "lib/cloudflare_world.h"
#include "lib/git_world.h"
#include "lib/program.h"

namespace infinity_sync {
namespace {

using namespace std::chrono_literals;
using namespace testing;

// The standard library's SMTP server on a free loopback port; each message it
// receives lands in a folder. Stopped by the destructor, even on failure.
class SmtpServer {
 public:
  // mode: "" (plain), "--starttls" or "--smtps", with the certificate and key.
  explicit SmtpServer(const std::string& mode = "", const std::string& cert = "",
                      const std::string& key = "", const std::string& reject = "") {
    std::filesystem::create_directories(dir_ / "mail");
    std::vector<std::string> args = {PythonPath(), FixturePath("../fakes/smtp_server.py"),
                                     dir_ / "mail"};
    if (!mode.empty()) args.insert(args.end(), {mode, cert, key});
    if (!reject.empty()) args.insert(args.end(), {"--reject", reject});
    FakeProcess started = StartFakeProcess(args, dir_ / "ready", "smtp_server.py");
    pid_ = started.pid;
    if (pid_ > 0 && !started.where.empty()) port_ = std::stoi(started.where);
  }
  ~SmtpServer() { StopFakeProcess(pid_); }
  int port() const { return port_; }
  struct Mail {
    std::string data;
    nlohmann::json envelope;
  };
  std::vector<Mail> Received() const {
    std::vector<Mail> out;
    for (int n = 1;; ++n) {
      std::string base = dir_ / ("mail/" + std::to_string(n));
      if (!std::filesystem::exists(base + ".json")) break;
      out.push_back({ReadFile(base + ".eml"), nlohmann::json::parse(ReadFile(base + ".json"))});
    }
    return out;
  }

 private:
  TempDir dir_;
  int pid_ = -1;
  int port_ = 0;
};

// The value of header `name` in a received message, "" when absent.
std::string Header(const std::string& mail, const std::string& name) {
  std::smatch m;
  std::regex re("(^|\r?\n)" + name + ": ([^\r\n]*)");
  return std::regex_search(mail, m, re) ? m[2].str() : "";
}

class NotifyChannelsIntegrationTest : public ::testing::Test {
 protected:
  GitWorld world;
  TempDir home;
  std::string status_file = home / "out/status.json";

  ProgramRun Sync(const std::string& notify_yaml, const EnvChanges& extra = {},
                  std::vector<std::string> flags = {}) {
    std::string cfg = WriteConfig(home / "cfg/infinity-sync.yaml",
                                  "project: my-app\ngit:\n  repo: " + world.work() +
                                      "\nstatus_file: " + status_file + "\n" + notify_yaml);
    std::vector<std::string> args = {"run", "--dry-run", "--only", "git", "--config", cfg};
    args.insert(args.end(), flags.begin(), flags.end());
    EnvChanges env = HermeticEnv(home.str());
    for (const auto& [k, v] : extra) env[k] = v;
    return RunProgram(args, world.work(), env);
  }
  ProgramRun NotifyTest(const std::string& notify_yaml, std::vector<std::string> flags = {},
                        const EnvChanges& extra = {}) {
    std::string cfg = WriteConfig(home / "cfg/test.yaml", "project: my-app\n" + notify_yaml);
    std::vector<std::string> args = {"notify", "test", "--config", cfg};
    args.insert(args.end(), flags.begin(), flags.end());
    EnvChanges env = HermeticEnv(home.str());
    for (const auto& [k, v] : extra) env[k] = v;
    return RunProgram(args, home.str(), env);
  }
  void FallBehind() {
    world.Commit(world.other(), "theirs.txt", std::to_string(++commits_) + "\n");
    world.Push(world.other());
  }
  void CatchUp() { MustRun({"git", "pull", "--ff-only", "-q"}, world.work(), GitWorld::Env()); }
  static nlohmann::json Validating(const std::string& kind, const std::string& path,
                                   nlohmann::json answer = nlohmann::json::object()) {
    answer["method"] = "POST";
    answer["path"] = path;
    answer["validate"] = kind;
    return {{"routes", {answer}}};
  }
  static std::vector<nlohmann::json> Bodies(const FakeHttpServer& server) {
    std::vector<nlohmann::json> out;
    for (const auto& r : server.Requests()) {
      out.push_back(nlohmann::json::parse(r["body"].get<std::string>()));
    }
    return out;
  }

 private:
  int commits_ = 0;
};

TEST_F(NotifyChannelsIntegrationTest, PagerDutyTriggerThenResolveWithOneDedupKey) {
  FakeHttpServer pd(Validating("pagerduty", "/v2/enqueue"));
  std::string yaml = "notify:\n  - {type: pagerduty, routing_key: \"${PD_KEY}\", url: \"" +
                     pd.url() + "/v2/enqueue\"}\n";
  EnvChanges env = {{"PD_KEY", "R0UTINGKEY0123456789ABCDEFGHIJKL"}};
  EXPECT_EQ(Sync(yaml, env).code(), 0);
  FallBehind();
  ProgramRun behind = Sync(yaml, env, {"--verbose"});
  EXPECT_EQ(behind.code(), 1) << behind.proc.err;
  EXPECT_NE(behind.proc.out.find("GitSync Synced \u2192 Diverged (trigger): sent (1 attempt)"),
            std::string::npos)
      << behind.proc.out;
  CatchUp();
  ProgramRun back = Sync(yaml, env);
  EXPECT_EQ(back.code(), 0) << back.proc.err;
  EXPECT_EQ(back.proc.err.find("FAILED"), std::string::npos) << back.proc.err;
  auto bodies = Bodies(pd);
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(bodies[0]["event_action"], "trigger");
  EXPECT_EQ(bodies[0]["payload"]["severity"], "warning");
  EXPECT_EQ(bodies[0]["payload"]["component"], "GitSync");
  EXPECT_EQ(bodies[0]["payload"]["group"], "my-app");
  EXPECT_FALSE(bodies[0]["payload"]["custom_details"]["details"].empty());
  EXPECT_EQ(bodies[1]["event_action"], "resolve");
  EXPECT_EQ(bodies[1]["dedup_key"], bodies[0]["dedup_key"]);
  EXPECT_EQ(bodies[1]["dedup_key"], "infinity-sync/my-app/GitSync");
}

TEST_F(NotifyChannelsIntegrationTest, PagerDutyTooManyRequestsIsRetriedAfterRetryAfter) {
  nlohmann::json answer = {
      {"sequence",
       {{{"status", 429}, {"headers", {{"Retry-After", "1"}}}, {"body", {{"status", "throttle"}}}},
        nlohmann::json::object()}}};
  FakeHttpServer pd(Validating("pagerduty", "/v2/enqueue", answer));
  std::string yaml =
      "notify:\n  - {type: pagerduty, routing_key: k, url: \"" + pd.url() + "/v2/enqueue\"}\n";
  FallBehind();
  ProgramRun run = Sync(yaml, {}, {"--verbose"});
  EXPECT_EQ(run.code(), 1) << run.proc.err;
  EXPECT_NE(run.proc.out.find("sent (2 attempts)"), std::string::npos) << run.proc.out;
  auto requests = pd.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_GE(requests[1]["time"].get<double>() - requests[0]["time"].get<double>(), 0.9);
}

TEST_F(NotifyChannelsIntegrationTest, DiscordTeamsAndNtfyGetTheirFormats) {
  FakeHttpServer discord(Validating("discord", "/api/webhooks/1/tok"));
  FakeHttpServer teams(Validating("teams", "/workflows/abc/triggers/manual/paths/invoke"));
  FakeHttpServer ntfy(Validating("ntfy", "/my-topic"));
  std::string yaml = "notify:\n  - {type: discord, url: \"" + discord.url() +
                     "/api/webhooks/1/tok\"}\n  - {type: teams, url: \"" + teams.url() +
                     "/workflows/abc/triggers/manual/paths/invoke\"}\n  - {type: ntfy, url: \"" +
                     ntfy.url() + "/my-topic\"}\n";
  EXPECT_EQ(Sync(yaml).code(), 0);
  FallBehind();
  ProgramRun run = Sync(yaml);
  EXPECT_EQ(run.code(), 1);
  EXPECT_NE(run.proc.out.find("Notifications: 3 sent"), std::string::npos)
      << run.proc.out << run.proc.err;
  ASSERT_EQ(discord.Requests().size(), 1u);
  EXPECT_NE(Bodies(discord)[0]["embeds"][0]["title"].get<std::string>().find("GitSync"),
            std::string::npos);
  ASSERT_EQ(teams.Requests().size(), 1u);
  EXPECT_EQ(Bodies(teams)[0]["attachments"][0]["content"]["type"], "AdaptiveCard");
  ASSERT_EQ(ntfy.Requests().size(), 1u);
  nlohmann::json n = ntfy.Requests()[0];
  EXPECT_EQ(n["headers"]["Priority"], "3");
  EXPECT_NE(n["headers"]["Title"].get<std::string>().find("GitSync Synced -> Diverged"),
            std::string::npos);
  EXPECT_NE(n["body"].get<std::string>().find("Behind origin/main by 1 commit"), std::string::npos)
      << n["body"];
}

TEST_F(NotifyChannelsIntegrationTest, TheFakesRefuseWhatTheServicesRefuse) {
  // A payload the real Discord would refuse gets Discord's 400, which is not retried.
  FakeHttpServer discord(Validating("discord", "/api/webhooks/1/tok"));
  std::string yaml = "notify:\n  - {type: webhook, url: \"" + discord.url() +
                     "/api/webhooks/1/tok\"}\n";  // the webhook shape is not Discord's
  FallBehind();
  ProgramRun run = Sync(yaml);
  EXPECT_NE(run.proc.err.find("FAILED after 1 attempt: HTTP 400"), std::string::npos)
      << run.proc.err;
}

TEST_F(NotifyChannelsIntegrationTest, EmailArrivesWithItsHeaders) {
  SmtpServer smtp;
  std::string yaml =
      "notify:\n  - type: email\n    smtp_url: smtp://127.0.0.1:" + std::to_string(smtp.port()) +
      "\n    from: infinity-sync@example.com\n    to: [ops@example.com, "
      "dev@example.com]\n";
  EXPECT_EQ(Sync(yaml).code(), 0);
  FallBehind();
  ProgramRun run = Sync(yaml, {}, {"--verbose"});
  EXPECT_EQ(run.code(), 1) << run.proc.err;
  EXPECT_NE(run.proc.out.find("Notifications: 1 sent"), std::string::npos)
      << run.proc.out << run.proc.err;
  auto mails = smtp.Received();
  ASSERT_EQ(mails.size(), 1u);
  const std::string& m = mails[0].data;
  EXPECT_EQ(mails[0].envelope["mailfrom"], "infinity-sync@example.com");
  EXPECT_EQ(mails[0].envelope["rcpttos"],
            nlohmann::json::array({"ops@example.com", "dev@example.com"}));
  EXPECT_FALSE(mails[0].envelope["tls"].get<bool>());  // this server offers no STARTTLS
  EXPECT_EQ(Header(m, "Subject"), "[infinity-sync] my-app: GitSync Synced -> Diverged");
  EXPECT_EQ(Header(m, "From"), "infinity-sync@example.com");
  EXPECT_EQ(Header(m, "To"), "ops@example.com, dev@example.com");
  EXPECT_TRUE(
      std::regex_match(Header(m, "Date"), std::regex(R"([A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} )"
                                                     R"(\d\d:\d\d:\d\d \+0000)")))
      << Header(m, "Date");
  EXPECT_TRUE(std::regex_match(Header(m, "Message-ID"), std::regex(R"(<[^@<> ]+@[^@<> ]+>)")))
      << Header(m, "Message-ID");
  EXPECT_NE(m.find("Behind origin/main by 1 commit"), std::string::npos) << m;
}

TEST_F(NotifyChannelsIntegrationTest, EmailUsesStartTlsWhenTheServerOffersIt) {
  std::filesystem::create_directories(home / "ca");
  TestCa ca(home / "ca");
  TestCa::Leaf leaf = ca.Issue("smtp", {"127.0.0.1"}, 30);
  SmtpServer smtp("--starttls", leaf.cert, leaf.key);
  std::string yaml =
      "tls:\n  ca_file: " + ca.ca_file() +
      "\nnotify:\n  - type: email\n    smtp_url: smtp://127.0.0.1:" + std::to_string(smtp.port()) +
      "\n    from: infinity-sync@example.com\n    to: [ops@example.com]\n";
  FallBehind();
  ProgramRun run = Sync(yaml);
  EXPECT_EQ(run.code(), 1) << run.proc.err;
  auto mails = smtp.Received();
  ASSERT_EQ(mails.size(), 1u) << run.proc.err;
  EXPECT_TRUE(mails[0].envelope["tls"].get<bool>());
  EXPECT_EQ(Header(mails[0].data, "Subject"),
            "[infinity-sync] my-app: GitSync (first run) -> Diverged");
}

TEST_F(NotifyChannelsIntegrationTest, EmailStartTlsWithAnUntrustedCertificateIsNotSent) {
  std::filesystem::create_directories(home / "ca");
  TestCa ca(home / "ca");
  TestCa::Leaf leaf = ca.Issue("smtp", {"127.0.0.1"}, 30);
  SmtpServer smtp("--starttls", leaf.cert, leaf.key);
  // No tls.ca_file: the certificate is not trusted, and the mail never goes out in clear.
  std::string yaml =
      "notify:\n  - type: email\n    smtp_url: smtp://127.0.0.1:" + std::to_string(smtp.port()) +
      "\n    from: infinity-sync@example.com\n    to: [ops@example.com]\n";
  FallBehind();
  ProgramRun run = Sync(yaml + "timeout: 3s\n");
  EXPECT_EQ(run.code(), 1);
  EXPECT_NE(run.proc.err.find("infinity-sync: notification email smtp://127.0.0.1:"),
            std::string::npos)
      << run.proc.err;
  EXPECT_TRUE(smtp.Received().empty());
}

TEST_F(NotifyChannelsIntegrationTest, EmailOverSmtps) {
  std::filesystem::create_directories(home / "ca");
  TestCa ca(home / "ca");
  TestCa::Leaf leaf = ca.Issue("smtp", {"127.0.0.1"}, 30);
  SmtpServer smtp("--smtps", leaf.cert, leaf.key);
  std::string yaml =
      "tls:\n  ca_file: " + ca.ca_file() +
      "\nnotify:\n  - type: email\n    smtp_url: smtps://127.0.0.1:" + std::to_string(smtp.port()) +
      "\n    from: infinity-sync@example.com\n    to: [ops@example.com]\n";
  FallBehind();
  ProgramRun run = Sync(yaml);
  EXPECT_EQ(run.code(), 1) << run.proc.err;
  auto mails = smtp.Received();
  ASSERT_EQ(mails.size(), 1u) << run.proc.err;
  EXPECT_TRUE(mails[0].envelope["tls"].get<bool>());
}

TEST_F(NotifyChannelsIntegrationTest, EmailRefusedByTheServerIsReportedOnce) {
  SmtpServer smtp("", "", "", "554");
  std::string yaml =
      "notify:\n  - type: email\n    smtp_url: smtp://127.0.0.1:" + std::to_string(smtp.port()) +
      "\n    from: infinity-sync@example.com\n    to: [ops@example.com]\n";
  FallBehind();
  ProgramRun run = Sync(yaml);
  EXPECT_NE(run.proc.err.find("FAILED after 1 attempt: SMTP 554"), std::string::npos)
      << run.proc.err;
}

TEST_F(NotifyChannelsIntegrationTest, NotifyTestPrintsEachAnswer) {
  FakeHttpServer pd(Validating("pagerduty", "/v2/enqueue"));
  FakeHttpServer ntfy(Validating("ntfy", "/t"));
  SmtpServer smtp;
  std::string yaml =
      "notify:\n  - {type: pagerduty, routing_key: k, url: \"" + pd.url() +
      "/v2/enqueue\"}\n  - {type: ntfy, url: \"" + ntfy.url() +
      "/t\"}\n  - type: email\n    smtp_url: smtp://127.0.0.1:" + std::to_string(smtp.port()) +
      "\n    from: infinity-sync@example.com\n    to: [ops@example.com]\n";
  ProgramRun run = NotifyTest(yaml);
  EXPECT_EQ(run.code(), 0) << run.proc.out << run.proc.err;
  EXPECT_NE(run.proc.out.find("notify[0] pagerduty http://127.0.0.1:"), std::string::npos)
      << run.proc.out;
  EXPECT_NE(run.proc.out.find("(trigger): sent (1 attempt) [answer 202: {\"status\": \"success\", "
                              "\"message\": \"Event processed\", \"dedup_key\": "
                              "\"infinity-sync/my-app/NotifyTest\"}]"),
            std::string::npos)
      << run.proc.out;
  EXPECT_NE(run.proc.out.find("(resolve): sent (1 attempt) [answer 202"), std::string::npos)
      << run.proc.out;
  EXPECT_NE(run.proc.out.find("notify[1] ntfy"), std::string::npos) << run.proc.out;
  EXPECT_NE(run.proc.out.find("[answer 250: 250 accepted for 1 recipient]"), std::string::npos)
      << run.proc.out;
  EXPECT_EQ(pd.Requests().size(), 2u);
  EXPECT_EQ(ntfy.Requests().size(), 1u);
  EXPECT_EQ(smtp.Received().size(), 1u);

  ProgramRun one = NotifyTest(yaml, {"--sender", "ntfy"});
  EXPECT_EQ(one.code(), 0) << one.proc.err;
  EXPECT_EQ(ntfy.Requests().size(), 2u);
  EXPECT_EQ(pd.Requests().size(), 2u);

  ProgramRun unknown = NotifyTest(yaml, {"--sender", "7"});
  EXPECT_EQ(unknown.code(), 64);
  EXPECT_NE(unknown.proc.err.find("no sender \"7\" in notify; the senders are 0 (pagerduty), 1 "
                                  "(ntfy), 2 (email)"),
            std::string::npos)
      << unknown.proc.err;
}

TEST_F(NotifyChannelsIntegrationTest, NotifyTestFailsWhenASenderFails) {
  std::string yaml =
      "notify:\n  - {type: discord, url: \"http://127.0.0.1:" + std::to_string(FreePort()) +
      "/api/webhooks/1/s3cr3t\"}\ntimeout: 2s\n";
  ProgramRun run = NotifyTest(yaml);
  EXPECT_EQ(run.code(), 2);
  EXPECT_NE(run.proc.out.find("FAILED"), std::string::npos) << run.proc.out;
  EXPECT_EQ(run.proc.out.find("s3cr3t"), std::string::npos) << run.proc.out;
  ProgramRun none = NotifyTest("");
  EXPECT_EQ(none.code(), 78);
}

TEST_F(NotifyChannelsIntegrationTest, MaintenanceWindowHoldsThenSends) {
  FakeHttpServer hook(Validating("slack", "/hook"));
  std::string sender = "notify:\n  - {type: slack, url: \"" + hook.url() + "/hook\"}\n";
  auto now = std::chrono::system_clock::now();
  std::string window = "maintenance:\n  - {from: \"" + FormatIso8601(now - 1h) + "\", to: \"" +
                       FormatIso8601(now + 1h) + "\"}\n";
  EXPECT_EQ(Sync(sender).code(), 0);
  FallBehind();
  ProgramRun inside = Sync(sender + window);
  EXPECT_EQ(inside.code(), 1);
  EXPECT_NE(inside.proc.out.find("Maintenance window "), std::string::npos) << inside.proc.out;
  EXPECT_NE(inside.proc.out.find(": notifications held (1)"), std::string::npos) << inside.proc.out;
  EXPECT_TRUE(hook.Requests().empty());
  // The window is over (no longer configured): the change still holds and goes out.
  std::string past = "maintenance:\n  - {from: \"" + FormatIso8601(now - 2h) + "\", to: \"" +
                     FormatIso8601(now - 1h) + "\"}\n";
  ProgramRun after = Sync(sender + past);
  EXPECT_EQ(after.proc.out.find("Maintenance window"), std::string::npos) << after.proc.out;
  ASSERT_EQ(hook.Requests().size(), 1u) << after.proc.err;
  EXPECT_NE(Bodies(hook)[0]["text"].get<std::string>().find("Synced \u2192 Diverged"),
            std::string::npos);
}

}  // namespace
}  // namespace infinity_sync
