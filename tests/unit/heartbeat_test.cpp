#include "server/heartbeat.h"

#include <gtest/gtest.h>

#include <thread>

#include "lib/server_fakes.h"

namespace infinity_sync {
namespace {

using std::chrono::milliseconds;
using testing::Answered;
using testing::HeldHttpClient;
using testing::SteppedClock;

Config TestConfig() {
  Config c;
  c.heartbeat.cache_for = milliseconds(60'000);
  c.heartbeat.degraded_after = milliseconds(1'000);
  c.heartbeat.targets["github"] = {"GitHub API", "http://gh.test/rate_limit", {}, {}};
  c.heartbeat.targets["gcp"] = {"Google Cloud API", "http://gcp.test/", {}, {}};
  c.heartbeat.targets["cloudflare"] = {"Cloudflare (x.test)", "https://x.test", {}, {}};
  return c;
}

TEST(HeartbeatJudge, FollowsTheSpecRules) {
  Heartbeat h;
  JudgeProbe(Answered(200), 120, milliseconds(1000), &h);
  EXPECT_EQ(h.status, HeartbeatState::kHealthy);
  EXPECT_EQ(h.error, "");
  EXPECT_EQ(h.response_time_ms, 120);

  JudgeProbe(Answered(404), 10, milliseconds(1000), &h);  // an answer below 500 is an answer
  EXPECT_EQ(h.status, HeartbeatState::kHealthy);

  JudgeProbe(Answered(503), 10, milliseconds(1000), &h);
  EXPECT_EQ(h.status, HeartbeatState::kDegraded);
  EXPECT_EQ(h.error, "HTTP 503");

  JudgeProbe(Answered(200), 1500, milliseconds(1000), &h);
  EXPECT_EQ(h.status, HeartbeatState::kDegraded);
  EXPECT_NE(h.error.find("slow: 1500 ms"), std::string::npos);

  HttpResponse refused;
  refused.error_code = 7;
  refused.error = "Failed to connect to 127.0.0.1 port 9 after 0 ms: Couldn't connect to server";
  JudgeProbe(refused, 1, milliseconds(1000), &h);
  EXPECT_EQ(h.status, HeartbeatState::kDown);
  EXPECT_EQ(h.error, "connect: refused");

  HttpResponse timeout;
  timeout.timed_out = true;
  timeout.error_code = 28;
  JudgeProbe(timeout, 5000, milliseconds(1000), &h);
  EXPECT_EQ(h.status, HeartbeatState::kDown);
  EXPECT_EQ(h.error, "timeout");

  HttpResponse dns;
  dns.error_code = 6;
  dns.error = "Could not resolve host: nowhere.test";
  JudgeProbe(dns, 1, milliseconds(1000), &h);
  EXPECT_EQ(h.error, "dns: Could not resolve host: nowhere.test");

  HttpResponse tls;
  tls.error_code = 60;
  tls.error = "SSL certificate problem: unable to get local issuer certificate";
  JudgeProbe(tls, 1, milliseconds(1000), &h);
  EXPECT_EQ(h.status, HeartbeatState::kDown);
  EXPECT_EQ(h.error.rfind("tls: ", 0), 0u);
}

TEST(HeartbeatJson, HasTheSeedShapeWithErrorOnlyWhenSet) {
  Heartbeat h;
  h.key = "github";
  h.service = "GitHub API";
  h.status = HeartbeatState::kHealthy;
  h.last_check = std::chrono::system_clock::time_point(std::chrono::milliseconds(1771375837456));
  h.response_time_ms = 234;
  EXPECT_EQ(
      ToJson(h).dump(),
      R"({"lastCheck":"2026-02-18T00:50:37.456Z","responseTime":234,"service":"GitHub API","status":"healthy","target":"github"})");
  h.status = HeartbeatState::kDegraded;
  h.error = "HTTP 503";
  EXPECT_EQ(ToJson(h)["error"], "HTTP 503");
}

TEST(HeartbeatService, TwoHundredConcurrentCallersOnAColdCacheShareOneProbe) {
  Config config = TestConfig();
  SteppedClock clock;
  HeldHttpClient http([](const HttpRequest&) { return Answered(200); });
  http.Hold("http://gh.test/rate_limit");
  HeartbeatService service(config, http, clock);

  std::atomic<int> answered{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < 200; ++i) {
    callers.emplace_back([&] {
      Heartbeat h = service.GetNow("github");
      if (h.status == HeartbeatState::kHealthy && h.service == "GitHub API") ++answered;
    });
  }
  http.WaitForCalls("http://gh.test/rate_limit", 1);
  // Give every caller time to queue up behind the held probe.
  std::this_thread::sleep_for(milliseconds(100));
  http.Release();
  for (auto& t : callers) t.join();
  EXPECT_EQ(answered, 200);
  EXPECT_EQ(http.Calls("http://gh.test/rate_limit"), 1);
  EXPECT_EQ(service.ProbeCount(), 1);
}

TEST(HeartbeatService, CachesForTheWindowThenProbesAgain) {
  Config config = TestConfig();
  SteppedClock clock;
  HeldHttpClient http([](const HttpRequest&) { return Answered(200); });
  HeartbeatService service(config, http, clock);
  service.GetNow("gcp");
  service.GetNow("gcp");
  clock.Advance(milliseconds(59'000));
  service.GetNow("gcp");
  EXPECT_EQ(http.Calls("http://gcp.test/"), 1);
  clock.Advance(milliseconds(2'000));
  service.GetNow("gcp");
  EXPECT_EQ(http.Calls("http://gcp.test/"), 2);
}

TEST(HeartbeatService, ASlowTargetDoesNotDelayTheOthers) {
  Config config = TestConfig();
  SteppedClock clock;
  HeldHttpClient http([](const HttpRequest&) { return Answered(200); });
  http.Hold("https://x.test");
  HeartbeatService service(config, http, clock);
  std::atomic<bool> all_done{false};
  service.GetAll([&](std::vector<Heartbeat>) { all_done = true; });
  // github and gcp answer while cloudflare is still held.
  EXPECT_EQ(service.GetNow("github").status, HeartbeatState::kHealthy);
  EXPECT_EQ(service.GetNow("gcp").status, HeartbeatState::kHealthy);
  EXPECT_FALSE(all_done);
  http.Release();
  Heartbeat cf = service.GetNow("cloudflare");
  EXPECT_EQ(cf.status, HeartbeatState::kHealthy);
  for (int i = 0; i < 200 && !all_done; ++i) std::this_thread::sleep_for(milliseconds(5));
  EXPECT_TRUE(all_done);
}

TEST(HeartbeatService, LatencyFromTheInjectedClockDegradesAndTargetTimeoutIsUsed) {
  Config config = TestConfig();
  config.heartbeat.targets["gcp"].degraded_after = milliseconds(200);
  config.heartbeat.targets["gcp"].timeout = milliseconds(700);
  SteppedClock clock;
  milliseconds seen_timeout{0};
  HeldHttpClient http([&](const HttpRequest& r) {
    seen_timeout = r.timeout;
    EXPECT_FALSE(r.follow_redirects);
    clock.Advance(milliseconds(300));
    return Answered(204);
  });
  HeartbeatService service(config, http, clock);
  Heartbeat h = service.GetNow("gcp");
  EXPECT_EQ(h.status, HeartbeatState::kDegraded);
  EXPECT_EQ(h.response_time_ms, 300);
  EXPECT_EQ(seen_timeout, milliseconds(700));
}

TEST(HeartbeatService, TargetWithoutUrlIsUnknownAndNotProbed) {
  Config config = TestConfig();
  config.heartbeat.targets["cloudflare"].url = "";
  SteppedClock clock;
  HeldHttpClient http([](const HttpRequest&) { return Answered(200); });
  HeartbeatService service(config, http, clock);
  Heartbeat h = service.GetNow("cloudflare");
  EXPECT_EQ(h.status, HeartbeatState::kUnknown);
  EXPECT_NE(h.error.find("cloudflare.domain"), std::string::npos);
  EXPECT_EQ(service.ProbeCount(), 0);
}

TEST(HeartbeatService, ReportsChangesOnly) {
  Config config = TestConfig();
  SteppedClock clock;
  std::atomic<int> status{200};
  HeldHttpClient http([&](const HttpRequest&) { return Answered(status); });
  HeartbeatService service(config, http, clock);
  std::mutex mu;
  std::vector<std::string> changes;
  service.SetOnChange([&](const Heartbeat& h) {
    std::lock_guard<std::mutex> lock(mu);
    changes.push_back(std::string(HeartbeatStateName(h.status)));
  });
  service.GetNow("github");
  clock.Advance(milliseconds(61'000));
  service.GetNow("github");  // same answer: no change
  status = 502;
  clock.Advance(milliseconds(61'000));
  service.GetNow("github");
  // The change callback runs after the waiters are answered: let it land.
  for (int i = 0; i < 100; ++i) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (changes.size() >= 2) break;
    }
    std::this_thread::sleep_for(milliseconds(5));
  }
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(changes, (std::vector<std::string>{"healthy", "degraded"}));
}

}  // namespace
}  // namespace infinity_sync
