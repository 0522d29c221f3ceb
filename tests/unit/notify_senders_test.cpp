// Notification bodies, the retry policy (against a fake HttpClient) and URL redaction.
#include <gtest/gtest.h>

#include "lib/fake_ports.h"
#include "notify/senders.h"

namespace infinity_sync {
namespace {

using namespace std::chrono_literals;
using testing::FakeHttpClient;

Announcement Drift() {
  Announcement a;
  a.project = "my-app";
  a.host = "laptop";
  a.check = "GitSync";
  a.from = "Synced";
  a.to = "Diverged";
  a.details = {"Current branch: main", "behind origin/main by 2 commits"};
  a.reason = "behind origin/main by 2 commits";
  a.timestamp = std::chrono::system_clock::time_point(std::chrono::milliseconds(1771375837123));
  return a;
}

HttpResponse Answer(int status) {
  HttpResponse r;
  r.answered = true;
  r.status = status;
  return r;
}

HttpResponse Refused(const std::string& url) {
  HttpResponse r;
  r.error = "Failed to connect to " + url + ": Connection refused";
  return r;
}

TEST(NotifySenders, TextIsOneReadableLine) {
  EXPECT_EQ(AnnouncementText(Drift()),
            ":warning: my-app GitSync: Synced \u2192 Diverged (behind origin/main by 2 commits) "
            "on laptop");
  Announcement back = Drift();
  back.from = "Diverged";
  back.to = "Synced";
  back.recovery = true;
  EXPECT_EQ(AnnouncementText(back),
            ":white_check_mark: my-app GitSync: Diverged \u2192 Synced on laptop");
  Announcement failed = Drift();
  failed.from.clear();
  failed.to = "Failed";
  EXPECT_EQ(AnnouncementText(failed).rfind(":x: my-app GitSync: (first run) \u2192 Failed", 0), 0u);
}

TEST(NotifySenders, SlackBodyHasTextAndBlocks) {
  nlohmann::json body = SlackBody(Drift());
  EXPECT_EQ(body["text"], AnnouncementText(Drift()));
  ASSERT_EQ(body["blocks"].size(), 2u);
  EXPECT_EQ(body["blocks"][0]["type"], "section");
  EXPECT_EQ(body["blocks"][0]["text"]["type"], "mrkdwn");
  EXPECT_EQ(body["blocks"][1]["elements"][0]["text"],
            "Current branch: main\nbehind origin/main by 2 commits");
  EXPECT_EQ(BodyFor("slack", Drift()), body);
}

TEST(NotifySenders, WebhookBodyIsTheDocumentedShape) {
  nlohmann::json body = WebhookBody(Drift());
  EXPECT_EQ(body, nlohmann::json::parse(R"({
    "project": "my-app", "check": "GitSync", "from": "Synced", "to": "Diverged",
    "details": ["Current branch: main", "behind origin/main by 2 commits"],
    "timestamp": "2026-02-18T00:50:37.123Z", "host": "laptop"})"));
  Announcement first = Drift();
  first.from.clear();
  EXPECT_TRUE(WebhookBody(first)["from"].is_null());
  EXPECT_EQ(BodyFor("webhook", Drift()), body);
}

TEST(NotifySenders, RedactionHidesPathQueryAndCredentials) {
  EXPECT_EQ(RedactNotifyUrl("https://hooks.slack.com/services/T0/B0/s3cr3t"),
            "https://hooks.slack.com/***");
  EXPECT_EQ(RedactNotifyUrl("http://user:pw@127.0.0.1:8080/hook?token=x"),
            "http://***@127.0.0.1:8080/***");
  EXPECT_EQ(RedactNotifyUrl("https://example.com"), "https://example.com/***");
  EXPECT_EQ(RedactNotifyUrl("not a url/secret"), "***");
}

class NotifyRetry : public ::testing::Test {
 protected:
  FakeHttpClient http;
  // Moves only when the code under test sleeps or sends.
  testing::SteppedClock clock;
  std::vector<std::chrono::milliseconds> sleeps;
  Sleeper sleep = [this](std::chrono::milliseconds d) {
    sleeps.push_back(d);
    clock.Advance(d);
  };
  std::string url = "http://127.0.0.1:9/hook/s3cr3t";
  RetryPolicy Policy(std::chrono::milliseconds budget) {
    RetryPolicy p;
    p.deadline = clock.SteadyNow() + budget;
    return p;
  }
  SendResult Post(std::chrono::milliseconds budget = 10s) {
    return PostJson(http, clock, sleep, url, "/ca.pem", {{"k", 1}}, Policy(budget));
  }
  // Answers `statuses` in turn (0 = connection refused); the last repeats.
  void Script(std::vector<int> statuses) {
    http.answer = [this, statuses, n = std::make_shared<std::size_t>(0)](const HttpRequest&) {
      int s = statuses[std::min(*n, statuses.size() - 1)];
      ++*n;
      return s == 0 ? Refused(url) : Answer(s);
    };
  }
};

TEST_F(NotifyRetry, FirstSuccessSendsOnceAsJsonPost) {
  Script({204});
  SendResult r = Post();
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.attempts, 1);
  ASSERT_EQ(http.requests().size(), 1u);
  HttpRequest req = http.requests()[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, url);
  EXPECT_EQ(req.ca_file, "/ca.pem");
  EXPECT_EQ(req.body, R"({"k":1})");
  EXPECT_EQ(req.headers[0].first, "Content-Type");
  EXPECT_EQ(req.headers[0].second, "application/json");
  EXPECT_TRUE(sleeps.empty());
}

TEST_F(NotifyRetry, ServerErrorsAndNetworkErrorsAreRetriedWithBackoff) {
  Script({503, 0, 200});
  SendResult r = Post();
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(sleeps, (std::vector<std::chrono::milliseconds>{250ms, 500ms}));
}

TEST_F(NotifyRetry, ClientErrorsAreNotRetried) {
  Script({404});
  SendResult r = Post();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.http_status, 404);
  EXPECT_EQ(r.error, "HTTP 404");
}

TEST_F(NotifyRetry, GivesUpAfterMaxAttempts) {
  Script({500});
  SendResult r = Post();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.attempts, 4);
  EXPECT_EQ(r.error, "HTTP 500");
  EXPECT_EQ(sleeps, (std::vector<std::chrono::milliseconds>{250ms, 500ms, 1000ms}));
}

TEST_F(NotifyRetry, NeverRunsPastTheDeadline) {
  // Each attempt "takes" its whole timeout, as a receiver that hangs would.
  http.answer = [this](const HttpRequest& req) {
    clock.Advance(req.timeout);
    HttpResponse r;
    r.timed_out = true;
    r.error = "Operation timed out";
    return r;
  };
  auto start = clock.SteadyNow();
  SendResult r = Post(1200ms);
  EXPECT_FALSE(r.ok);
  EXPECT_LE(clock.SteadyNow() - start, 1200ms);
  ASSERT_FALSE(http.requests().empty());
  EXPECT_EQ(http.requests()[0].timeout, 1200ms);  // capped by the deadline
  EXPECT_NE(r.error.find("out of time"), std::string::npos) << r.error;
}

TEST_F(NotifyRetry, NothingIsSentWhenNoTimeIsLeft) {
  Script({200});
  SendResult r = Post(0ms);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.attempts, 0);
  EXPECT_TRUE(http.requests().empty());
}

TEST_F(NotifyRetry, TooManyRequestsWaitsForRetryAfter) {
  http.answer = [n = std::make_shared<int>(0)](const HttpRequest&) {
    HttpResponse r = Answer(++*n == 1 ? 429 : 202);
    if (r.status == 429) r.headers = {{"retry-after", "2"}};
    return r;
  };
  SendResult r = Post(10s);
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(sleeps, (std::vector<std::chrono::milliseconds>{2000ms}));
}

TEST_F(NotifyRetry, RetryAfterPastTheDeadlineGivesUp) {
  http.answer = [](const HttpRequest&) {
    HttpResponse r = Answer(429);
    r.headers = {{"retry-after", "60"}};
    return r;
  };
  SendResult r = Post(10s);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_TRUE(sleeps.empty());
  EXPECT_EQ(r.error, "HTTP 429 (retry after 60 s); out of time");
}

TEST_F(NotifyRetry, TooManyRequestsWithoutRetryAfterBacksOff) {
  Script({429, 200});
  SendResult r = Post();
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(sleeps, (std::vector<std::chrono::milliseconds>{250ms}));
}

TEST_F(NotifyRetry, ErrorsNeverQuoteTheUrl) {
  Script({0});
  SendResult r = Post(2s);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error.find("s3cr3t"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("Connection refused"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace infinity_sync
