#include "server/routes.h"

#include <gtest/gtest.h>

#include <future>
#include <set>

#include <unistd.h>

#include "core/time_format.h"
#include "lib/server_fakes.h"
#include "lib/test_support.h"
#include "ports/file_system.h"

namespace infinity_sync {
namespace {

using std::chrono::milliseconds;
using testing::Answered;

constexpr const char* kSeedDocument = R"({
  "timestamp": "2026-02-18T00:50:37.123Z",
  "status": {
    "GitSync": { "Status": "Synced", "Details": [] },
    "DockerSync": { "Status": "Synced", "Details": [] },
    "GCPSync": { "Status": "Synced", "Details": ["Service URL: https://x"] },
    "CloudflareCheck": { "Status": "Reachable", "Details": ["DNS resolved", "IPs: 104.21.1.1"] },
    "AuthCheck": { "Status": "Success", "Details": { "GitHubCLI": true, "GCloudCLI": true } }
  },
  "dryRun": false
})";

struct ApiHarness {
  testing::TempDir dir;
  Config config;
  testing::SteppedClock clock;
  testing::HeldHttpClient http{[](const HttpRequest& r) {
    return r.url.find("gcp") != std::string::npos ? Answered(503) : Answered(200);
  }};
  RealFileSystem fs;
  SseHub hub;
  RequestMetrics metrics;
  std::vector<std::function<void()>> pending;
  std::unique_ptr<StatusCache> status;
  std::unique_ptr<HeartbeatService> heartbeats;
  std::unique_ptr<LiveLoop> loop;
  std::unique_ptr<Api> api;

  explicit ApiHarness(const std::string& token = "") {
    config.status_file = dir / "status.json";
    config.fresh_for = milliseconds(300'000);
    config.project = "shop";
    config.environment = "staging \"eu\"";  // escaped in the label value
    config.server.token = token;
    config.server.cors_origins = {"https://ops.example"};
    config.heartbeat.targets["github"] = {"GitHub API", "http://gh.test/rate_limit", {}, {}};
    config.heartbeat.targets["gcp"] = {"Google Cloud API", "http://gcp.test/", {}, {}};
    config.heartbeat.targets["cloudflare"] = {"Cloudflare (x.test)", "https://x.test", {}, {}};
    // The wall clock sits one minute after the seed document's timestamp.
    clock.SetWall(std::chrono::system_clock::time_point(milliseconds(1771375837123 + 60'000)));
    status = std::make_unique<StatusCache>(config.status_file, fs);
    heartbeats = std::make_unique<HeartbeatService>(config, http, clock);
    loop = std::make_unique<LiveLoop>(
        milliseconds(0), clock, [] {},
        [this](std::function<void()> w) { pending.push_back(std::move(w)); }, nullptr);
    api = std::make_unique<Api>(ApiDeps{config, clock, *status, *heartbeats, *loop, hub, metrics});
  }

  ServerResponse Call(const std::string& method, const std::string& path,
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
    ServerRequest r;
    r.method = method;
    r.path = path;
    r.headers = std::move(headers);
    auto p = std::make_shared<std::promise<ServerResponse>>();
    auto f = p->get_future();
    api->Handle(r, [p](ServerResponse resp) { p->set_value(std::move(resp)); });
    return f.get();
  }
  nlohmann::json Body(const ServerResponse& r) { return nlohmann::json::parse(r.body); }
  std::string Header(const ServerResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }
};

TEST(Routes, StatusIs404WithJsonErrorWhenThereIsNoFile) {
  ApiHarness h;
  auto r = h.Call("GET", "/api/sync/status");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_NE(h.Body(r)["error"].get<std::string>().find("no sync status"), std::string::npos);
}

TEST(Routes, StatusIs500WhenTheFileIsInvalid) {
  ApiHarness h;
  testing::WriteFile(h.config.status_file, "{ not json");
  auto r = h.Call("GET", "/api/sync/status");
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(h.Body(r)["error"].get<std::string>().find("not a valid status document"),
            std::string::npos);
}

TEST(Routes, StatusServesTheSeedDocumentWithFreshAndRereadsOnlyOnChange) {
  ApiHarness h;
  testing::WriteFile(h.config.status_file, kSeedDocument);
  auto r = h.Call("GET", "/api/sync/status");
  ASSERT_EQ(r.status, 200);
  auto body = h.Body(r);
  EXPECT_EQ(body["fresh"], true);
  EXPECT_EQ(body["status"]["GitSync"]["Status"], "Synced");
  EXPECT_EQ(body["status"]["AuthCheck"]["Details"]["GitHubCLI"], true);
  EXPECT_EQ(body["timestamp"], "2026-02-18T00:50:37.123Z");
  EXPECT_EQ(body["dryRun"], false);
  h.Call("GET", "/api/sync/status");
  h.Call("GET", "/api/sync/status");
  EXPECT_EQ(h.status->Loads(), 1);

  h.clock.Advance(milliseconds(300'000));  // now 6 minutes old
  EXPECT_EQ(h.Body(h.Call("GET", "/api/sync/status"))["fresh"], false);
  EXPECT_EQ(h.status->Loads(), 1);

  std::string changed = kSeedDocument;
  changed.replace(changed.find("\"Synced\""), 8, "\"Diverged\"");
  testing::WriteFile(h.config.status_file, changed);
  EXPECT_EQ(h.Body(h.Call("GET", "/api/sync/status"))["status"]["GitSync"]["Status"], "Diverged");
  EXPECT_EQ(h.status->Loads(), 2);
}

TEST(Routes, HeartbeatListAndSingleTargets) {
  ApiHarness h;
  auto r = h.Call("GET", "/api/sync/heartbeat");
  ASSERT_EQ(r.status, 200);
  auto body = h.Body(r);
  EXPECT_TRUE(body["timestamp"].is_string());
  ASSERT_EQ(body["heartbeats"].size(), 3u);
  EXPECT_EQ(body["heartbeats"][0]["service"], "GitHub API");
  EXPECT_EQ(body["heartbeats"][0]["status"], "healthy");
  EXPECT_FALSE(body["heartbeats"][0].contains("error"));
  EXPECT_EQ(body["heartbeats"][1]["status"], "degraded");
  EXPECT_EQ(body["heartbeats"][1]["error"], "HTTP 503");
  for (const auto& b : body["heartbeats"]) {
    EXPECT_TRUE(b["lastCheck"].is_string());
    EXPECT_TRUE(b["responseTime"].is_number_integer());
  }
  auto one = h.Call("GET", "/api/sync/heartbeat/cloudflare");
  EXPECT_EQ(one.status, 200);
  EXPECT_EQ(h.Body(one)["service"], "Cloudflare (x.test)");
  auto bad = h.Call("GET", "/api/sync/heartbeat/aws");
  EXPECT_EQ(bad.status, 404);
  EXPECT_TRUE(h.Body(bad).contains("error"));
  EXPECT_EQ(h.http.Calls("http://gh.test/rate_limit"), 1);  // cached across the calls
}

TEST(Routes, OverviewHasTheSeedKeys) {
  ApiHarness h;
  auto none = h.Body(h.Call("GET", "/api/sync/overview"));
  EXPECT_TRUE(none["syncStatus"].is_null());
  EXPECT_EQ(none["syncStatusFresh"], false);
  testing::WriteFile(h.config.status_file, kSeedDocument);
  auto body = h.Body(h.Call("GET", "/api/sync/overview"));
  EXPECT_EQ(body["syncStatus"]["status"]["CloudflareCheck"]["Status"], "Reachable");
  EXPECT_EQ(body["syncStatusFresh"], true);
  EXPECT_EQ(body["heartbeats"].size(), 3u);
  EXPECT_TRUE(body["timestamp"].is_string());
}

TEST(Routes, OverviewSaysWhenAMaintenanceWindowHoldsNotifications) {
  ApiHarness h;
  EXPECT_FALSE(h.Body(h.Call("GET", "/api/sync/overview")).contains("syncStatusMaintenance"));
  MaintenanceWindowConfig window;
  window.from = h.clock.Now() - std::chrono::minutes(5);
  window.to = h.clock.Now() + std::chrono::minutes(55);
  h.config.maintenance = {window};
  auto body = h.Body(h.Call("GET", "/api/sync/overview"));
  ASSERT_TRUE(body.contains("syncStatusMaintenance")) << body.dump();
  EXPECT_EQ(body["syncStatusMaintenance"]["until"], FormatIso8601(*window.to));
  EXPECT_TRUE(body["timestamp"].is_string());
}

TEST(Routes, UnknownRoutes404AndWrongMethods405WithAllow) {
  ApiHarness h;
  auto r = h.Call("GET", "/api/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(h.Body(r).contains("error"));
  auto m = h.Call("DELETE", "/api/sync/status");
  EXPECT_EQ(m.status, 405);
  EXPECT_EQ(h.Header(m, "Allow"), "GET, HEAD");
  EXPECT_TRUE(h.Body(m).contains("error"));
  auto g = h.Call("GET", "/api/sync/run");
  EXPECT_EQ(g.status, 405);
  EXPECT_EQ(h.Header(g, "Allow"), "POST");
}

TEST(Routes, RunIs202ThenConflictWhileRunning) {
  ApiHarness h;
  auto first = h.Call("POST", "/api/sync/run");
  EXPECT_EQ(first.status, 202);
  auto second = h.Call("POST", "/api/sync/run");
  EXPECT_EQ(second.status, 409);
  EXPECT_TRUE(h.Body(second).contains("error"));
  for (auto& w : h.pending) w();
  EXPECT_EQ(h.Call("POST", "/api/sync/run").status, 202);
}

TEST(Routes, TokenGuardsEverythingButHealthzAndTheDashboardFiles) {
  ApiHarness h("s3cret-token");
  EXPECT_EQ(h.Call("GET", "/healthz").status, 200);
  auto no = h.Call("GET", "/api/sync/status");
  EXPECT_EQ(no.status, 401);
  EXPECT_TRUE(h.Body(no).contains("error"));
  EXPECT_EQ(h.Call("GET", "/api/sync/overview", {{"authorization", "Bearer wrong-token!"}}).status,
            401);
  // The page and its files carry no data; the page then asks for the token.
  EXPECT_EQ(h.Call("GET", "/").status, 200);
  EXPECT_EQ(h.Call("GET", "/app.js").status, 200);
  EXPECT_EQ(h.Call("GET", "/metrics", {{"authorization", "Basic s3cret-token"}}).status, 401);
  EXPECT_EQ(h.Call("GET", "/api/nope").status, 401);  // no route discovery without the token
  EXPECT_EQ(h.Call("GET", "/api/sync/status", {{"authorization", "Bearer s3cret-token"}}).status,
            404);  // authorized; there is just no document
}

TEST(Routes, PostChecksOriginAndCorsOnlyForConfiguredOrigins) {
  ApiHarness h;
  auto evil = h.Call("POST", "/api/sync/run", {{"origin", "https://evil.example"}});
  EXPECT_EQ(evil.status, 403);
  EXPECT_EQ(h.Header(evil, "Access-Control-Allow-Origin"), "");
  auto same = h.Call("POST", "/api/sync/run",
                     {{"origin", "http://127.0.0.1:3001"}, {"host", "127.0.0.1:3001"}});
  EXPECT_EQ(same.status, 202);
  for (auto& w : h.pending) w();
  h.pending.clear();
  auto ops = h.Call("POST", "/api/sync/run", {{"origin", "https://ops.example"}});
  EXPECT_EQ(ops.status, 202);
  EXPECT_EQ(h.Header(ops, "Access-Control-Allow-Origin"), "https://ops.example");
  auto get = h.Call("GET", "/healthz", {{"origin", "https://evil.example"}});
  EXPECT_EQ(h.Header(get, "Access-Control-Allow-Origin"), "");
  auto pre = h.Call("OPTIONS", "/api/sync/run", {{"origin", "https://ops.example"}});
  EXPECT_EQ(pre.status, 204);
  EXPECT_EQ(h.Header(pre, "Access-Control-Allow-Methods"), "POST");
}

TEST(Routes, MetricsExposeChecksHeartbeatsAndRequests) {
  ApiHarness h;
  testing::WriteFile(h.config.status_file, kSeedDocument);
  h.Call("GET", "/healthz");
  auto r = h.Call("GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, kPrometheusContentType);
  // Every series names the project and environment first.
  const std::string fleet = R"({project="shop",environment="staging \"eu\"")";
  EXPECT_NE(r.body.find("infinity_sync_check_status" + fleet + ",check=\"GitSync\""),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("infinity_sync_status_fresh" + fleet + "} 1\n"), std::string::npos);
  std::string body = testing::WithoutFleetLabels(r.body);
  auto has = [&](const std::string& s) { return body.find(s) != std::string::npos; };
  EXPECT_TRUE(has("infinity_sync_check_status{check=\"GitSync\",status=\"Synced\"} 1\n"));
  EXPECT_TRUE(has("infinity_sync_last_run_timestamp_seconds 1771375837.123\n"));
  EXPECT_TRUE(has("infinity_sync_heartbeat_up{target=\"gcp\",service=\"Google Cloud API\"} 1\n"));
  EXPECT_TRUE(has("infinity_sync_heartbeat_status{target=\"gcp\",status=\"degraded\"} 1\n"));
  EXPECT_TRUE(has("infinity_sync_http_requests_total{route=\"/healthz\",code=\"200\"} 1\n"));
  EXPECT_TRUE(has("infinity_sync_status_fresh 1\n"));
}

TEST(Routes, DashboardIsServedFromTheEmbeddedFiles) {
  ApiHarness h;
  auto r = h.Call("GET", "/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("<!doctype html>"), std::string::npos);
  EXPECT_NE(r.body.find("Sync now"), std::string::npos);
  auto js = h.Call("GET", "/app.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_NE(js.body.find("/api/sync/events"), std::string::npos);
  EXPECT_EQ(h.Call("GET", "/style.css").content_type, "text/css; charset=utf-8");
  EXPECT_EQ(h.Call("POST", "/app.js").status, 405);
}

TEST(Routes, EventsAnswerWithAStream) {
  ApiHarness h;
  auto r = h.Call("GET", "/api/sync/events");
  EXPECT_TRUE(r.event_stream);
}

TEST(Routes, SecretEqualsComparesWholeValues) {
  EXPECT_TRUE(SecretEquals("abc", "abc"));
  EXPECT_TRUE(SecretEquals("", ""));
  EXPECT_FALSE(SecretEquals("abd", "abc"));
  EXPECT_FALSE(SecretEquals("bbc", "abc"));
  EXPECT_FALSE(SecretEquals("ab", "abc"));
  EXPECT_FALSE(SecretEquals("abcd", "abc"));
  EXPECT_FALSE(SecretEquals("", "abc"));
  EXPECT_FALSE(SecretEquals("abc", ""));
  // A prefix, a NUL-padded copy and a case change are all different secrets.
  EXPECT_FALSE(SecretEquals(std::string("abc\0", 4), "abc"));
  EXPECT_FALSE(SecretEquals("ABC", "abc"));
  std::string long_secret(4096, 's');
  EXPECT_TRUE(SecretEquals(long_secret, std::string(4096, 's')));
  std::string last_differs = long_secret;
  last_differs.back() = 't';
  EXPECT_FALSE(SecretEquals(last_differs, long_secret));
}

// Found by fuzz_http_request: a path that is not UTF-8 made the 404 message
// unserializable (an exception instead of an answer).
TEST(Routes, PathsAndOriginsThatAreNotUtf8GetPlainJsonErrors) {
  ApiHarness h;
  auto r = h.Call("GET", "/me\x92\x92trics");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(h.Body(r)["error"].is_string());
  auto target = h.Call("GET", "/api/sync/heartbeat/\xff");
  EXPECT_EQ(target.status, 404);
  EXPECT_TRUE(h.Body(target)["error"].is_string());
  auto post = h.Call("POST", "/api/sync/run", {{"origin", "https://\xc3("}});
  EXPECT_EQ(post.status, 403);
  EXPECT_TRUE(h.Body(post)["error"].is_string());
}

// The cached bodies are byte for byte what serializing the whole object gives
// (nlohmann writes keys sorted; parse + dump is that canonical form).
TEST(Routes, OverviewAndHeartbeatBodiesAreCachedUntilTheirInputsChange) {
  ApiHarness h;
  h.config.fresh_for = milliseconds(90'000);  // the seed is 60 s old: fresh for 30 s more
  auto canonical = [](const std::string& body) { return nlohmann::json::parse(body).dump(); };
  auto none = h.Call("GET", "/api/sync/overview");
  EXPECT_EQ(canonical(none.body), none.body);
  testing::WriteFile(h.config.status_file, kSeedDocument);
  auto first = h.Call("GET", "/api/sync/overview");
  EXPECT_EQ(canonical(first.body), first.body);
  int rebuilds = h.api->BodyRebuilds();
  auto beats = h.Call("GET", "/api/sync/heartbeat");
  EXPECT_EQ(canonical(beats.body), beats.body);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(h.Call("GET", "/api/sync/overview").body, first.body);
    h.Call("GET", "/api/sync/heartbeat");
  }
  EXPECT_EQ(h.api->BodyRebuilds(), rebuilds) << "rebuilt although nothing changed";

  // Time alone changes only "fresh" and "timestamp", without a rebuild.
  EXPECT_EQ(h.Body(first)["syncStatusFresh"], true);
  h.clock.Advance(milliseconds(40'000));  // within the heartbeats' cache window
  auto stale = h.Body(h.Call("GET", "/api/sync/overview"));
  EXPECT_EQ(stale["syncStatusFresh"], false);
  EXPECT_NE(stale["timestamp"], h.Body(first)["timestamp"]);
  EXPECT_EQ(stale["syncStatus"], h.Body(first)["syncStatus"]);
  EXPECT_EQ(h.api->BodyRebuilds(), rebuilds);

  // A new status document: rebuilt once.
  std::string changed = kSeedDocument;
  changed.replace(changed.find("\"Synced\""), 8, "\"Diverged\"");
  testing::WriteFile(h.config.status_file, changed);
  auto after = h.Call("GET", "/api/sync/overview");
  EXPECT_EQ(canonical(after.body), after.body);
  EXPECT_EQ(h.Body(after)["syncStatus"]["status"]["GitSync"]["Status"], "Diverged");
  EXPECT_GT(h.api->BodyRebuilds(), rebuilds);
  rebuilds = h.api->BodyRebuilds();
  h.Call("GET", "/api/sync/overview");
  EXPECT_EQ(h.api->BodyRebuilds(), rebuilds);

  // An invalid document: the error is part of the cached body.
  testing::WriteFile(h.config.status_file, "{ nope");
  auto broken = h.Call("GET", "/api/sync/overview");
  EXPECT_EQ(canonical(broken.body), broken.body);
  EXPECT_TRUE(h.Body(broken)["syncStatus"].is_null());
  EXPECT_NE(h.Body(broken)["syncStatusError"].get<std::string>().find("not a valid"),
            std::string::npos);

  // New heartbeat answers (the cache window passed): rebuilt with them.
  testing::WriteFile(h.config.status_file, kSeedDocument);
  auto before = h.Body(h.Call("GET", "/api/sync/overview"));
  rebuilds = h.api->BodyRebuilds();
  h.clock.Advance(h.config.heartbeat.cache_for + milliseconds(1'000));
  auto fresh_beats = h.Call("GET", "/api/sync/overview");
  EXPECT_EQ(canonical(fresh_beats.body), fresh_beats.body);
  EXPECT_GT(h.api->BodyRebuilds(), rebuilds);
  EXPECT_NE(h.Body(fresh_beats)["heartbeats"][0]["lastCheck"],
            before["heartbeats"][0]["lastCheck"]);
  EXPECT_EQ(h.http.Calls("http://gh.test/rate_limit"), 2);
}

// DNS rebinding: without a token only loopback names and server.allowed_hosts
// may be the Host; the Origin of a POST is held to the same list, never to Host.
TEST(Routes, HostMustNameThisMachineWithoutAToken) {
  ApiHarness h;
  h.config.server.allowed_hosts = {"Dash.Example"};
  for (const char* host : {"localhost", "localhost:3001", "LOCALHOST.", "127.0.0.1:3001",
                           "127.9.8.7", "[::1]:3001", "[::1]", "dash.example:8080"}) {
    EXPECT_EQ(h.Call("GET", "/healthz", {{"host", host}}).status, 200) << host;
  }
  auto evil = h.Call("GET", "/api/sync/status", {{"host", "evil.example:3001"}});
  EXPECT_EQ(evil.status, 403);
  EXPECT_EQ(evil.body, R"({"error":"host not allowed: evil.example:3001"})");
  for (const char* host : {"evil.example", "127.0.0.1.evil.example", "[::2]:80", "10.0.0.1",
                           "localhost:x", "0.0.0.0"}) {
    EXPECT_EQ(h.Call("GET", "/healthz", {{"host", host}}).status, 403) << host;
  }
  // A rebound page POSTs with its own origin and host: both refused.
  auto run = h.Call("POST", "/api/sync/run",
                    {{"host", "evil.example:3001"}, {"origin", "http://evil.example:3001"}});
  EXPECT_EQ(run.status, 403);
  // Same Origin and Host no longer passes on its own.
  auto same = h.Call("POST", "/api/sync/run",
                     {{"host", "localhost:3001"}, {"origin", "http://evil.example:3001"}});
  EXPECT_EQ(same.status, 403);
  EXPECT_EQ(h.Call("POST", "/api/sync/run", {{"origin", "null"}}).status, 403);
  EXPECT_TRUE(h.pending.empty()) << "no run was started";
  auto dash = h.Call("POST", "/api/sync/run",
                     {{"host", "dash.example"}, {"origin", "https://dash.example"}});
  EXPECT_EQ(dash.status, 202) << dash.body;

  // With a token the token is the guard; any Host may carry it.
  ApiHarness t("s3cret-token");
  EXPECT_EQ(t.Call("GET", "/api/sync/status",
                   {{"host", "box.lan:3001"}, {"authorization", "Bearer s3cret-token"}})
                .status,
            404);
}

TEST(Routes, AuthSchemeIsCaseInsensitiveAndHeadIsAGet) {
  ApiHarness h("s3cret-token");
  for (const char* auth : {"Bearer s3cret-token", "bearer s3cret-token", "BEARER s3cret-token"}) {
    EXPECT_EQ(h.Call("GET", "/metrics", {{"authorization", auth}}).status, 200) << auth;
  }
  EXPECT_EQ(h.Call("GET", "/metrics", {{"authorization", "bearers3cret-token"}}).status, 401);
  EXPECT_EQ(h.Call("HEAD", "/healthz").status, 200);
  auto head_run = h.Call("HEAD", "/api/sync/run", {{"authorization", "Bearer s3cret-token"}});
  EXPECT_EQ(head_run.status, 405);
  EXPECT_EQ(h.Header(head_run, "Allow"), "POST");
}

TEST(Routes, ADocumentDatedInTheFutureIsNotFresh) {
  ApiHarness h;
  testing::WriteFile(h.config.status_file, kSeedDocument);
  // The wall clock two hours before the document.
  h.clock.SetWall(std::chrono::system_clock::time_point(milliseconds(1771375837123 - 7'200'000)));
  auto body = h.Body(h.Call("GET", "/api/sync/status"));
  EXPECT_EQ(body["fresh"], false);
  EXPECT_EQ(body["freshDetail"], "dated 2 hours in the future (clock skew?)");
  // 30 s ahead is a clock a little off: fresh.
  h.clock.SetWall(std::chrono::system_clock::time_point(milliseconds(1771375837123 - 30'000)));
  body = h.Body(h.Call("GET", "/api/sync/status"));
  EXPECT_EQ(body["fresh"], true);
  EXPECT_FALSE(body.contains("freshDetail"));
}

TEST(Routes, RunIs409WithThePidWhenAnotherProcessHoldsTheLock) {
  ApiHarness h;
  h.api = std::make_unique<Api>(ApiDeps{h.config, h.clock, *h.status, *h.heartbeats, *h.loop, h.hub,
                                        h.metrics, nullptr, &h.fs});
  std::string lock_path = h.config.status_file + ".lock";
  {
    RealFileSystem other;  // another open file description: as another process would hold it
    auto lock = other.TryLock(lock_path);
    ASSERT_TRUE(lock.ok()) << lock.error;
    auto r = h.Call("POST", "/api/sync/run");
    EXPECT_EQ(r.status, 409);
    EXPECT_EQ(h.Body(r)["pid"], getpid());
    EXPECT_EQ(h.Body(r)["error"], "another infinity-sync run holds the lock " + lock_path +
                                      " (pid " + std::to_string(getpid()) + ")");
    EXPECT_TRUE(h.pending.empty()) << "no run was started";
  }
  EXPECT_EQ(h.Call("POST", "/api/sync/run").status, 202);
}

}  // namespace
}  // namespace infinity_sync

namespace infinity_sync {
namespace {

// The route table is the one place a route is named: every row is in the
// reference (docs/api.md) as "METHOD template", and answers its method
// (not 404 or 405) through Handle.
TEST(RouteTable, EveryRouteIsDocumentedAndAnswersItsMethod) {
  std::string docs = testing::ReadFile(testing::FixturePath("../../docs/api.md"));
  std::set<std::string> labels;
  for (const auto& route : Api::Routes()) {
    std::string named = std::string(route.method) + " " + route.label;
    EXPECT_NE(docs.find("`" + named), std::string::npos) << named << " is not in docs/api.md";
    EXPECT_TRUE(labels.insert(route.label).second) << route.label << " is in the table twice";
  }
  EXPECT_EQ(Api::RouteLabel("/api/sync/heartbeat/gcp"), "/api/sync/heartbeat/{target}");
  EXPECT_EQ(Api::RouteLabel("/badge/git.svg"), "/badge/{check}.svg");
  EXPECT_EQ(Api::RouteLabel("/app.js"), "/{asset}");
  EXPECT_EQ(Api::RouteLabel("/nope"), "other");
}

}  // namespace
}  // namespace infinity_sync
