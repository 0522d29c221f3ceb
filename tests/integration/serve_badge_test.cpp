// The status badges (GET /badge/{check}.svg, /badge/overall.svg) and the
// dashboard's long view (GET /api/sync/history?kind=timeline) against the
// real program on a loopback port.
#include <gtest/gtest.h>

#include <thread>

#include "core/time_format.h"
#include "lib/server_process.h"
#include "lib/test_support.h"
#include "ports/http_client.h"

namespace infinity_sync {
namespace {

using std::chrono::milliseconds;
using testing::ServeProcess;

constexpr const char* kToken = "badge-test-token-5b1c";

HttpResponse Get(const std::string& url, bool with_token) {
  CurlHttpClient http;
  HttpRequest r;
  r.method = "GET";
  r.url = url;
  if (with_token) r.headers = {{"Authorization", std::string("Bearer ") + kToken}};
  r.timeout = milliseconds(10'000);
  return http.Send(r);
}

std::string HeaderOf(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

// A document of now: Git drifts, Docker fails but is not required, a custom
// check with XML's special characters in its name is in sync.
std::string Document(const std::string& timestamp) {
  nlohmann::json doc = {
      {"timestamp", timestamp},
      {"status",
       {{"AuthCheck", {{"Status", "Success"}, {"Details", {{"GitHubCLI", true}}}}},
        {"GitSync", {{"Status", "Diverged"}, {"Details", {"Behind origin/main by 1 commit"}}}},
        {"DockerSync", {{"Status", "Failed"}, {"Details", {"no daemon"}}, {"required", false}}},
        {"CustomCheck:a<b&\"c'", {{"Status", "Synced"}, {"Details", nlohmann::json::array()}}},
        {"CustomCheck:redis", {{"Status", "Synced"}, {"Details", nlohmann::json::array()}}}}}};
  return doc.dump();
}

struct BadgeServer {
  testing::TempDir dir;
  std::unique_ptr<ServeProcess> serve;

  explicit BadgeServer(const std::string& server_yaml, const std::string& extra = "") {
    std::string yaml = std::string("git: { fetch: false }\n") +
                       "github: { api_url: \"http://127.0.0.1:9\" }\n" +
                       "gcp: { api_url: \"http://127.0.0.1:9\" }\n" +
                       "heartbeat: { timeout: 1s }\n" + server_yaml + extra;
    testing::WriteFile(dir / "infinity-sync.yaml", yaml);
    testing::WriteFile(dir / "readiness/infinity-sync-status.json",
                       Document(FormatIso8601(std::chrono::system_clock::now())));
    serve = std::make_unique<ServeProcess>(std::vector<std::string>{
        "serve", "--config", dir / "infinity-sync.yaml", "--listen", "127.0.0.1:0"});
  }
  std::string url(const std::string& path) const { return serve->url(path); }
};

TEST(ServeBadgeIntegration, BadgesNeedTheTokenLikeEveryRoute) {
  BadgeServer s(std::string("server: { sync_every: 0, token: ") + kToken + " }\n");
  ASSERT_TRUE(s.serve->ready()) << s.serve->Stderr();
  for (const char* path : {"/badge/overall.svg", "/badge/git.svg", "/badge/nope.svg"}) {
    auto r = Get(s.url(path), false);
    EXPECT_EQ(r.status, 401) << path << ": " << r.body;
    EXPECT_EQ(r.body.find("<svg"), std::string::npos) << path;
  }
  auto r = Get(s.url("/badge/overall.svg"), true);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(HeaderOf(r, "content-type"), "image/svg+xml");
}

TEST(ServeBadgeIntegration, SvgSaysTheStatusInWordsAndColour) {
  BadgeServer s(std::string("server: { sync_every: 0, token: ") + kToken + " }\n");
  ASSERT_TRUE(s.serve->ready()) << s.serve->Stderr();

  // Overall: Git's drift counts, the failed Docker check is not required.
  auto overall = Get(s.url("/badge/overall.svg"), true);
  ASSERT_EQ(overall.status, 200) << overall.body;
  EXPECT_EQ(HeaderOf(overall, "content-type"), "image/svg+xml");
  EXPECT_EQ(HeaderOf(overall, "cache-control"), "no-cache");
  EXPECT_EQ(HeaderOf(overall, "content-security-policy"), "default-src 'none'");
  EXPECT_EQ(overall.body.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u) << overall.body;
  EXPECT_NE(overall.body.find("<title>sync: drift</title>"), std::string::npos) << overall.body;
  EXPECT_NE(overall.body.find("#c48a00"), std::string::npos) << "not yellow: " << overall.body;

  struct Case {
    const char* path;
    const char* title;
    const char* colour;
  };
  for (const Case& c : {Case{"/badge/git.svg", "git: diverged", "#c48a00"},
                        Case{"/badge/GitSync.svg", "git: diverged", "#c48a00"},
                        Case{"/badge/docker.svg", "docker: failing", "#d9453d"},
                        Case{"/badge/auth.svg", "auth: in sync", "#2e9e5b"},
                        Case{"/badge/redis.svg", "redis: in sync", "#2e9e5b"},
                        Case{"/badge/CustomCheck%3Aredis.svg", "redis: in sync", "#2e9e5b"},
                        Case{"/badge/gcp.svg", "gcp: not run", "#8a8a8a"}}) {
    auto r = Get(s.url(c.path), true);
    ASSERT_EQ(r.status, 200) << c.path << ": " << r.body;
    EXPECT_NE(r.body.find(std::string("<title>") + c.title + "</title>"), std::string::npos)
        << c.path << ": " << r.body;
    EXPECT_NE(r.body.find(c.colour), std::string::npos) << c.path << ": " << r.body;
  }

  // A name with XML's special characters is escaped, never written raw.
  auto odd = Get(s.url("/badge/a%3Cb%26%22c%27.svg"), true);
  ASSERT_EQ(odd.status, 200) << odd.body;
  EXPECT_NE(odd.body.find("<title>a&lt;b&amp;&quot;c&apos;: in sync</title>"), std::string::npos)
      << odd.body;
  EXPECT_EQ(odd.body.find("a<b"), std::string::npos) << odd.body;

  // HEAD answers like GET, without the body.
  CurlHttpClient http;
  HttpRequest head;
  head.method = "HEAD";
  head.url = s.url("/badge/git.svg");
  head.headers = {{"Authorization", std::string("Bearer ") + kToken}};
  EXPECT_EQ(http.Send(head).status, 200);
}

TEST(ServeBadgeIntegration, UnknownCheckIsA404JsonError) {
  BadgeServer s("server: { sync_every: 0 }\n");
  ASSERT_TRUE(s.serve->ready()) << s.serve->Stderr();
  for (const char* path : {"/badge/nope.svg", "/badge/git", "/badge/.svg", "/badge/"}) {
    auto r = Get(s.url(path), false);
    EXPECT_EQ(r.status, 404) << path << ": " << r.body;
    EXPECT_EQ(HeaderOf(r, "content-type"), "application/json") << path;
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    ASSERT_TRUE(!j.is_discarded() && j["error"].is_string()) << path << ": " << r.body;
  }
  auto r = Get(s.url("/badge/nope.svg"), false);
  EXPECT_NE(r.body.find("no such check: \\\"nope\\\""), std::string::npos) << r.body;
  // POST is not a badge's method.
  CurlHttpClient http;
  HttpRequest post;
  post.method = "POST";
  post.url = s.url("/badge/git.svg");
  EXPECT_EQ(http.Send(post).status, 405);
}

TEST(ServeBadgeIntegration, PublicBadgesOpenOnlyTheBadges) {
  BadgeServer s(std::string("server: { sync_every: 0, public_badges: true, token: ") + kToken +
                " }\n");
  ASSERT_TRUE(s.serve->ready()) << s.serve->Stderr();
  auto badge = Get(s.url("/badge/overall.svg"), false);
  EXPECT_EQ(badge.status, 200) << badge.body;
  EXPECT_NE(badge.body.find("<title>sync: drift</title>"), std::string::npos) << badge.body;
  EXPECT_EQ(Get(s.url("/badge/nope.svg"), false).status, 404);
  for (const char* path : {"/api/sync/status", "/api/sync/overview", "/metrics"}) {
    EXPECT_EQ(Get(s.url(path), false).status, 401) << path;
  }
}

TEST(ServeBadgeIntegration, TimelineBucketsTheStoredRunsAndSamples) {
  BadgeServer s("server: { sync_every: 0 }\n", "store: sqlite:history.db\n");
  ASSERT_TRUE(s.serve->ready()) << s.serve->Stderr();
  // One heartbeat probe (a sample per target) and one run of the live loop.
  ASSERT_EQ(Get(s.url("/api/sync/heartbeat"), false).status, 200);
  CurlHttpClient http;
  HttpRequest post;
  post.method = "POST";
  post.url = s.url("/api/sync/run");
  ASSERT_EQ(http.Send(post).status, 202);
  nlohmann::json doc;
  for (int i = 0; i < 300; ++i) {
    auto r = Get(s.url("/api/sync/history?kind=timeline&since=24h&buckets=12"), false);
    ASSERT_EQ(r.status, 200) << r.body;
    doc = nlohmann::json::parse(r.body);
    if (doc["checks"].contains("GitSync") && doc["heartbeats"].contains("github")) break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_TRUE(doc["checks"].contains("GitSync")) << doc.dump();
  EXPECT_EQ(doc["buckets"], 12);
  EXPECT_EQ(doc["bucketMs"], 2 * 3'600'000);
  const auto& git = doc["checks"]["GitSync"];
  ASSERT_EQ(git.size(), 12u) << doc.dump();
  EXPECT_TRUE(git[0].is_null()) << doc.dump();  // 24 h ago: nothing yet
  EXPECT_EQ(git[11]["runs"], 1) << doc.dump();  // the run just made, in the newest bucket
  EXPECT_TRUE(git[11]["status"].is_string()) << doc.dump();
  ASSERT_TRUE(doc["heartbeats"].contains("github")) << doc.dump();
  const auto& gh = doc["heartbeats"]["github"];
  // The closed port does not answer: down, 0 % uptime.
  EXPECT_GE(gh["samples"].get<int>(), 1) << doc.dump();
  EXPECT_EQ(gh["up"], 0) << doc.dump();
  EXPECT_EQ(gh["uptimePercent"], 0.0) << doc.dump();
  EXPECT_TRUE(gh["latencyMs"]["avg"].is_null()) << doc.dump();

  for (const char* bad :
       {"kind=timeline&buckets=0", "kind=timeline&buckets=501", "kind=timeline&since=0",
        "kind=timeline&since=5x", "kind=timeline&check=GitSync", "buckets=5"}) {
    auto r = Get(s.url(std::string("/api/sync/history?") + bad), false);
    EXPECT_EQ(r.status, 400) << bad << ": " << r.body;
  }
  // "since" as a duration works for the runs too.
  auto runs = Get(s.url("/api/sync/history?since=1h"), false);
  ASSERT_EQ(runs.status, 200) << runs.body;
  EXPECT_EQ(nlohmann::json::parse(runs.body)["runs"].size(), 1u) << runs.body;
}

}  // namespace
}  // namespace infinity_sync
