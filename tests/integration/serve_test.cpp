// The real program serving on a loopback port: every route over HTTP, the
// token and origin rules, limits, slow clients, SSE and SIGTERM.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "lib/server_process.h"
#include "lib/test_support.h"
#include "ports/http_client.h"

namespace infinity_sync {
namespace {

using std::chrono::milliseconds;
using testing::FakeHttpServer;
using testing::RawConnection;
using testing::ServeProcess;

// The seed guide's own example of GET /api/sync/status (without "fresh").
const std::string kSeedDocument =
    testing::ReadFile(testing::FixturePath("server/seed-status.json"));

nlohmann::json Route(const std::string& path, int status, int delay_ms = 0) {
  return {{"path", path}, {"status", status}, {"body", "x"}, {"delay_ms", delay_ms}};
}

struct Upstreams {
  FakeHttpServer github{{{"routes", {Route("/rate_limit", 200, 150)}}}};
  FakeHttpServer gcp{{{"routes", {Route("/", 503)}}}};
  int closed_port = testing::FreePort();
};

// A config in a temp folder (not a git repo: a sync there ends quickly) whose
// every outside URL is a loopback fake.
std::string WriteConfig(
    const testing::TempDir& dir, const Upstreams& up,
    const std::string& server = "server: { sync_every: 0 }\n",
    const std::string& heartbeat = "heartbeat: { degraded_after: 2s, timeout: 2s }\n") {
  std::string yaml =
      "github: { api_url: \"" + up.github.url() + "\" }\n" + "gcp: { api_url: \"" + up.gcp.url() +
      "\", project: p }\n" +
      "cloudflare: { domain: localhost, url: \"http://127.0.0.1:" + std::to_string(up.closed_port) +
      "\" }\n" + heartbeat + server;
  std::string path = dir / "infinity-sync.yaml";
  testing::WriteFile(path, yaml);
  return path;
}

HttpResponse Get(const std::string& url, std::vector<std::pair<std::string, std::string>> h = {},
                 const std::string& method = "GET") {
  CurlHttpClient http;
  HttpRequest r;
  r.method = method;
  r.url = url;
  r.headers = std::move(h);
  r.timeout = milliseconds(10'000);
  return http.Send(r);
}

nlohmann::json JsonOf(const HttpResponse& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "not JSON: " << r.body;
  return j;
}

TEST(ServeIntegration, EveryRouteAnswersWithItsShapeAndSigtermExitsZero) {
  Upstreams up;
  testing::TempDir dir;
  std::string config = WriteConfig(dir, up);
  ServeProcess serve({"serve", "--config", config, "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(serve.ready()) << serve.Stderr();

  auto health = Get(serve.url("/healthz"));
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(JsonOf(health)["status"], "ok");

  auto missing = Get(serve.url("/api/sync/status"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Header("content-type"), "application/json");
  EXPECT_TRUE(JsonOf(missing)["error"].is_string());

  testing::WriteFile(dir / "readiness/infinity-sync-status.json", "{\"timestamp\": 5");
  auto invalid = Get(serve.url("/api/sync/status"));
  EXPECT_EQ(invalid.status, 500);
  EXPECT_TRUE(JsonOf(invalid)["error"].is_string());

  testing::WriteFile(dir / "readiness/infinity-sync-status.json", kSeedDocument);
  auto status = Get(serve.url("/api/sync/status"));
  ASSERT_EQ(status.status, 200);
  auto doc = JsonOf(status);
  EXPECT_EQ(doc["fresh"], false);  // the seed's timestamp is long past
  EXPECT_EQ(doc["status"]["GitSync"]["Status"], "Synced");

  auto beats = Get(serve.url("/api/sync/heartbeat"));
  ASSERT_EQ(beats.status, 200);
  auto hb = JsonOf(beats);
  ASSERT_EQ(hb["heartbeats"].size(), 3u);
  EXPECT_EQ(hb["heartbeats"][0]["service"], "GitHub API");
  EXPECT_EQ(hb["heartbeats"][0]["status"], "healthy");
  EXPECT_GE(hb["heartbeats"][0]["responseTime"].get<int>(), 150);
  EXPECT_EQ(hb["heartbeats"][1]["status"], "degraded");
  EXPECT_EQ(hb["heartbeats"][1]["error"], "HTTP 503");
  EXPECT_EQ(hb["heartbeats"][2]["service"], "Cloudflare (localhost)");
  EXPECT_EQ(hb["heartbeats"][2]["status"], "down");
  EXPECT_EQ(hb["heartbeats"][2]["error"], "connect: refused");

  for (const std::string target : {"github", "gcp", "cloudflare"}) {
    auto one = Get(serve.url("/api/sync/heartbeat/" + target));
    EXPECT_EQ(one.status, 200);
    auto j = JsonOf(one);
    for (const char* key : {"service", "status", "lastCheck", "responseTime"}) {
      EXPECT_TRUE(j.contains(key)) << target << " " << key;
    }
  }
  EXPECT_EQ(Get(serve.url("/api/sync/heartbeat/aws")).status, 404);

  auto overview = JsonOf(Get(serve.url("/api/sync/overview")));
  EXPECT_EQ(overview["syncStatus"]["status"]["AuthCheck"]["Status"], "Success");
  EXPECT_EQ(overview["syncStatusFresh"], false);
  EXPECT_EQ(overview["heartbeats"].size(), 3u);
  EXPECT_TRUE(overview["timestamp"].is_string());

  auto metrics = Get(serve.url("/metrics"));
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.Header("content-type").find("version=0.0.4"), std::string::npos);
  EXPECT_NE(testing::WithoutFleetLabels(metrics.body)
                .find("infinity_sync_check_status{check=\"GitSync\",status=\"Synced\"} 1"),
            std::string::npos)
      << metrics.body;

  auto page = Get(serve.url("/"));
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.Header("content-type").find("text/html"), std::string::npos);

  auto unknown = Get(serve.url("/api/nothing"));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_TRUE(JsonOf(unknown)["error"].is_string());
  auto wrong = Get(serve.url("/api/sync/status"), {}, "DELETE");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.Header("allow"), "GET, HEAD");

  // Every heartbeat above came from one probe per target.
  EXPECT_EQ(up.github.CountRequests("/rate_limit"), 1);
  EXPECT_EQ(up.gcp.CountRequests("/"), 1);

  milliseconds took{0};
  auto code = serve.Terminate(milliseconds(5'000), &took);
  ASSERT_TRUE(code.has_value()) << "did not exit within 5 s of SIGTERM";
  EXPECT_EQ(*code, 0) << serve.Stderr();
}

TEST(ServeIntegration, TwoHundredConcurrentRequestsOnAColdCacheAskEachTargetOnce) {
  Upstreams up;
  testing::TempDir dir;
  ServeProcess serve({"serve", "--config", WriteConfig(dir, up), "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(serve.ready()) << serve.Stderr();
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 200; ++i) {
    clients.emplace_back([&, i] {
      std::string path = i % 2 == 0 ? "/api/sync/heartbeat" : "/api/sync/overview";
      auto r = Get(serve.url(path));
      if (r.status == 200 && JsonOf(r)["heartbeats"].size() == 3) ++ok;
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok, 200);
  EXPECT_EQ(up.github.CountRequests("/rate_limit"), 1);
  EXPECT_EQ(up.gcp.CountRequests("/"), 1);
}

TEST(ServeIntegration, DegradedByLatency) {
  Upstreams up;  // github answers after 150 ms
  testing::TempDir dir;
  std::string config =
      WriteConfig(dir, up, "server: { sync_every: 0 }\n",
                  "heartbeat: { timeout: 2s, targets: { github: { degraded_after: 50ms } } }\n");
  ServeProcess serve({"serve", "--config", config, "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(serve.ready()) << serve.Stderr();
  auto j = JsonOf(Get(serve.url("/api/sync/heartbeat/github")));
  EXPECT_EQ(j["status"], "degraded");
  EXPECT_NE(j["error"].get<std::string>().find("slow"), std::string::npos);
}

TEST(ServeIntegration, TokenIsRequiredEverywhereButHealthzAndTheDashboardFiles) {
  Upstreams up;
  testing::TempDir dir;
  std::string config =
      WriteConfig(dir, up, "server: { sync_every: 0, token: \"${TEST_TOKEN}\" }\n");
  ServeProcess serve({"serve", "--config", config, "--listen", "127.0.0.1:0"},
                     {{"TEST_TOKEN", "t0ken-for-tests"}});
  ASSERT_TRUE(serve.ready()) << serve.Stderr();
  EXPECT_EQ(Get(serve.url("/healthz")).status, 200);
  for (const char* path :
       {"/api/sync/status", "/api/sync/heartbeat", "/api/sync/events", "/metrics"}) {
    auto r = Get(serve.url(path));
    EXPECT_EQ(r.status, 401) << path;
    EXPECT_TRUE(JsonOf(r)["error"].is_string());
    EXPECT_EQ(Get(serve.url(path), {{"Authorization", "Bearer wrong"}}).status, 401) << path;
  }
  // The page loads without it (it holds no data) and then asks for the token.
  EXPECT_EQ(Get(serve.url("/")).status, 200);
  EXPECT_EQ(Get(serve.url("/style.css")).status, 200);
  EXPECT_EQ(
      Get(serve.url("/api/sync/status"), {{"Authorization", "Bearer t0ken-for-tests"}}).status,
      404);
}

TEST(ServeIntegration, NonLoopbackWithoutTokenIsRefusedAtStart) {
  Upstreams up;
  testing::TempDir dir;
  ServeProcess serve({"serve", "--config", WriteConfig(dir, up), "--listen", "0.0.0.0:0"});
  EXPECT_FALSE(serve.ready());
  auto code = serve.WaitExit(milliseconds(5'000));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 78);
  EXPECT_NE(serve.Stderr().find("without a token"), std::string::npos) << serve.Stderr();
}

TEST(ServeIntegration, OversizedHeadersAndBodiesGet431And413AndKeepAliveWorks) {
  Upstreams up;
  testing::TempDir dir;
  ServeProcess serve({"serve", "--config", WriteConfig(dir, up), "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(serve.ready()) << serve.Stderr();
  RawConnection big_header(serve.port());
  big_header.Send("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: " + std::string(20'000, 'a') +
                  "\r\n\r\n");
  EXPECT_NE(big_header.ReadUntil("\r\n\r\n", milliseconds(3'000)).find("HTTP/1.1 431"),
            std::string::npos);
  RawConnection big_body(serve.port());
  big_body.Send(
      "POST /api/sync/run HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10000000\r\n\r\n" +
      std::string(100'000, 'b'));
  EXPECT_NE(big_body.ReadUntil("\r\n\r\n", milliseconds(3'000)).find("HTTP/1.1 413"),
            std::string::npos);
  RawConnection keep(serve.port());
  keep.Send(
      "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\nGET /healthz HTTP/1.1\r\nHost: "
      "localhost\r\n\r\n");
  keep.ReadUntil("}HTTP/1.1 200 OK", milliseconds(3'000));
  std::string both = keep.ReadUntil("\"ok\"}{never}", milliseconds(300));
  EXPECT_NE(both.find("}HTTP/1.1 200 OK"), std::string::npos) << both;
}

TEST(ServeIntegration, IdleConnectionsAndOpenStreamsDoNotBlockAFreshClient) {
  Upstreams up;
  testing::TempDir dir;
  ServeProcess serve({"serve", "--config", WriteConfig(dir, up), "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(serve.ready()) << serve.Stderr();
  std::vector<std::unique_ptr<RawConnection>> idle, streams;
  for (int i = 0; i < 200; ++i) {
    idle.push_back(std::make_unique<RawConnection>(serve.port()));
    ASSERT_TRUE(idle.back()->connected());
  }
  idle.front()->Send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n");  // stuck mid-headers
  for (int i = 0; i < 200; ++i) {
    streams.push_back(std::make_unique<RawConnection>(serve.port()));
    streams.back()->Send("GET /api/sync/events HTTP/1.1\r\nHost: localhost\r\n\r\n");
  }
  for (auto& s : streams) {
    ASSERT_NE(s->ReadUntil("retry:", milliseconds(5'000)).find("text/event-stream"),
              std::string::npos);
  }
  auto start = std::chrono::steady_clock::now();
  auto r = Get(serve.url("/healthz"));
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.status, 200);
  // Generous for two shared cores; the figure is 100 ms.
  EXPECT_LT(took, milliseconds(1'000));
  milliseconds stop_took{0};
  auto code = serve.Terminate(milliseconds(5'000), &stop_took);
  ASSERT_TRUE(code.has_value()) << "open streams held the shutdown";
  EXPECT_EQ(*code, 0);
}

TEST(ServeIntegration, PostRunStartsADryRunAndStreamsAStatusEvent) {
  Upstreams up;
  testing::TempDir dir;
  ServeProcess serve({"serve", "--config", WriteConfig(dir, up), "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(serve.ready()) << serve.Stderr();
  RawConnection events(serve.port());
  events.Send("GET /api/sync/events HTTP/1.1\r\nHost: localhost\r\n\r\n");
  ASSERT_NE(events.ReadUntil("retry:", milliseconds(3'000)).find("200 OK"), std::string::npos);

  auto evil = Get(serve.url("/api/sync/run"), {{"Origin", "https://evil.example"}}, "POST");
  EXPECT_EQ(evil.status, 403);
  auto started = Get(serve.url("/api/sync/run"), {}, "POST");
  ASSERT_EQ(started.status, 202) << started.body;
  EXPECT_EQ(Get(serve.url("/api/sync/run"), {}, "POST").status, 409);

  events.ReadUntil("event: status\ndata: ", milliseconds(30'000));
  std::string got = events.ReadUntil("}\n\n", milliseconds(2'000));
  auto at = got.find("event: status\ndata: ");
  ASSERT_NE(at, std::string::npos) << got;
  std::string data = got.substr(at + 20, got.find('\n', at + 20) - at - 20);
  auto doc = nlohmann::json::parse(data);
  EXPECT_EQ(doc["dryRun"], true);
  EXPECT_EQ(doc["fresh"], true);
  EXPECT_TRUE(doc["status"].contains("GitSync"));
  auto status = JsonOf(Get(serve.url("/api/sync/status")));
  EXPECT_EQ(status["timestamp"], doc["timestamp"]);
}

}  // namespace
}  // namespace infinity_sync

namespace infinity_sync {
namespace {

TEST(HeartbeatCliIntegration, PrintsATableOrJsonAndExitsByTheWorstStatus) {
  Upstreams up;
  testing::TempDir dir;
  std::string config = WriteConfig(dir, up);
  auto table = testing::Run({testing::ProgramPath(), "heartbeat", "--config", config});
  EXPECT_EQ(table.exit_code, 2) << table.err;  // cloudflare is down
  EXPECT_NE(table.out.find("GitHub API"), std::string::npos);
  EXPECT_NE(table.out.find("connect: refused"), std::string::npos);
  auto one =
      testing::Run({testing::ProgramPath(), "heartbeat", "gcp", "--json", "--config", config});
  EXPECT_EQ(one.exit_code, 1);  // degraded
  auto j = nlohmann::json::parse(one.out);
  EXPECT_EQ(j["service"], "Google Cloud API");
  EXPECT_EQ(j["error"], "HTTP 503");
  auto bad = testing::Run({testing::ProgramPath(), "heartbeat", "githb", "--config", config});
  EXPECT_EQ(bad.exit_code, 64);
  EXPECT_NE(bad.err.find("did you mean \"github\""), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace infinity_sync
