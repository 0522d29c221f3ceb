// The server against hostile or careless clients, each case against the real
// program on a loopback port: path traversal on the dashboard's files, size
// limits, unknown methods, a slow-loris client, and secrets (the token, a
// webhook URL) that must never come back in a response or a log line.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "lib/server_process.h"
#include "lib/test_support.h"
#include "ports/http_client.h"

namespace infinity_sync {
namespace {

using std::chrono::milliseconds;
using testing::RawConnection;
using testing::ServeProcess;

// The answer to one raw request (sent as is, then the connection is read
// until the server closes it).
struct SecurityRawAnswer {
  int status = 0;
  std::string head;
  std::string body;
  std::string all;
};

SecurityRawAnswer SecuritySendRaw(int port, const std::string& bytes) {
  RawConnection c(port);
  EXPECT_TRUE(c.connected());
  c.Send(bytes);
  SecurityRawAnswer a;
  a.all = c.ReadUntil("\x01never\x01", milliseconds(3'000));
  auto sp = a.all.find(' ');
  if (a.all.rfind("HTTP/1.", 0) == 0 && sp != std::string::npos) {
    a.status = std::atoi(a.all.c_str() + sp + 1);
  }
  auto end = a.all.find("\r\n\r\n");
  a.head = a.all.substr(0, end);
  if (end != std::string::npos) a.body = a.all.substr(end + 4);
  return a;
}

// A config in a temp folder whose outside URLs are loopback and closed.
std::string SecurityWriteConfig(const testing::TempDir& dir, const std::string& extra = "") {
  std::string yaml =
      "git: { fetch: false }\n"
      "github: { api_url: \"http://127.0.0.1:9\" }\n"
      "gcp: { api_url: \"http://127.0.0.1:9\" }\n"
      "heartbeat: { timeout: 1s }\n" +
      extra;
  if (extra.find("server:") == std::string::npos) yaml += "server: { sync_every: 0 }\n";
  std::string path = dir / "infinity-sync.yaml";
  testing::WriteFile(path, yaml);
  return path;
}

TEST(ServeSecurityIntegration, PathTraversalNeverReachesTheFileSystem) {
  testing::TempDir dir;
  // A file next to the config that a traversal into the working folder would find.
  testing::WriteFile(dir / "secret.txt", "TRAVERSAL-MARKER\n");
  ServeProcess serve({"serve", "--config", SecurityWriteConfig(dir), "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(serve.ready()) << serve.Stderr();
  const std::vector<std::string> targets = {
      "/../etc/passwd",
      "/../../../../../../etc/passwd",
      "/%2e%2e/%2e%2e/etc/passwd",
      "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
      "/web/../../etc/passwd",
      "/..%2f..%2f..%2fetc%2fpasswd",
      "/..\\..\\etc\\passwd",
      "//etc/passwd",
      "/index.html/../../../etc/passwd",
      "/./secret.txt",
      "/secret.txt",
      "/../secret.txt",
      "/%2e%2e/secret.txt",
      "/infinity-sync.yaml",
      "/%00/etc/passwd",
      "http://127.0.0.1/../../etc/passwd",
      "http://127.0.0.1/secret.txt",
      "file:///etc/passwd",
      "*",
  };
  for (const auto& target : targets) {
    auto a = SecuritySendRaw(
        serve.port(),
        "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    EXPECT_TRUE(a.status == 404 || a.status == 400) << target << " -> " << a.status << "\n"
                                                    << a.all;
    EXPECT_EQ(a.body.find("root:"), std::string::npos) << target;
    EXPECT_EQ(a.body.find("TRAVERSAL-MARKER"), std::string::npos) << target;
    EXPECT_EQ(a.body.find("api_url"), std::string::npos) << target;
    auto j = nlohmann::json::parse(a.body, nullptr, false);
    EXPECT_TRUE(!j.is_discarded() && j["error"].is_string()) << target << ": " << a.body;
  }
  // The dashboard itself is still there.
  auto index = SecuritySendRaw(serve.port(),
                               "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(index.status, 200);
  EXPECT_NE(index.head.find("text/html"), std::string::npos);
}

TEST(ServeSecurityIntegration, OversizedRequestsGet431Or413AndNeverAnAnswer) {
  testing::TempDir dir;
  ServeProcess serve({"serve", "--config", SecurityWriteConfig(dir), "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(serve.ready()) << serve.Stderr();
  // Many small headers add up past the 8 KiB limit just as one big one does.
  std::string many = "GET /api/sync/status HTTP/1.1\r\nHost: localhost\r\n";
  for (int i = 0; i < 400; ++i) many += "X-H" + std::to_string(i) + ": 01234567890123456789\r\n";
  EXPECT_EQ(SecuritySendRaw(serve.port(), many + "\r\n").status, 431);
  auto long_target = SecuritySendRaw(
      serve.port(), "GET /" + std::string(10'000, 'a') + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(long_target.status, 431);
  // A chunked body is counted as it arrives.
  std::string chunked =
      "POST /api/sync/run HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 20; ++i) chunked += "1000\r\n" + std::string(4096, 'c') + "\r\n";
  chunked += "0\r\n\r\n";
  auto big_chunked = SecuritySendRaw(serve.port(), chunked);
  EXPECT_EQ(big_chunked.status, 413) << big_chunked.all;
  auto big_length = SecuritySendRaw(
      serve.port(),
      "POST /api/sync/run HTTP/1.1\r\nHost: localhost\r\nContent-Length: 70000\r\n\r\n");
  EXPECT_EQ(big_length.status, 413) << big_length.all;
  // Neither started a sync.
  auto status = SecuritySendRaw(
      serve.port(), "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  EXPECT_NE(testing::WithoutFleetLabels(status.body).find("infinity_sync_syncs_started_total 0"),
            std::string::npos)
      << status.body;
}

TEST(ServeSecurityIntegration, UnknownMethodsGet405WithAllowAndJson) {
  testing::TempDir dir;
  ServeProcess serve({"serve", "--config", SecurityWriteConfig(dir), "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(serve.ready()) << serve.Stderr();
  for (const std::string method : {"BREW", "DELETE", "PUT", "PATCH", "TRACE", "PROPFIND"}) {
    auto a = SecuritySendRaw(serve.port(), method +
                                               " /api/sync/status HTTP/1.1\r\nHost: localhost\r\n"
                                               "Content-Length: 0\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(a.status, 405) << method << "\n" << a.all;
    EXPECT_NE(a.head.find("Allow: GET"), std::string::npos) << a.head;
    EXPECT_NE(a.head.find("application/json"), std::string::npos) << a.head;
    auto j = nlohmann::json::parse(a.body, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << a.body;
    EXPECT_NE(j["error"].get<std::string>().find("not allowed"), std::string::npos);
  }
  auto get_run = SecuritySendRaw(
      serve.port(), "GET /api/sync/run HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(get_run.status, 405);
  EXPECT_NE(get_run.head.find("Allow: POST"), std::string::npos) << get_run.head;
  // A request line that is not HTTP at all.
  auto junk = SecuritySendRaw(serve.port(), "\x16\x03\x01\x02\x01\xfc\x03\x03\r\n\r\n");
  EXPECT_EQ(junk.status, 400) << junk.all;
}

TEST(ServeSecurityIntegration, SecretsNeverComeBackInAnswersOrLogs) {
  testing::TempDir dir;
  const std::string token = "tok-7f3a9c-SECRET";
  const std::string hook_secret = "hook-5e1d-SECRET";
  // A webhook that fails, so the notification path reports an error somewhere.
  testing::FakeHttpServer hook{
      {{"routes", {{{"path", "/hooks/" + hook_secret}, {"status", 500}, {"body", "no"}}}}}};
  std::string config =
      SecurityWriteConfig(dir,
                          "server: { sync_every: 0, token: \"${SEC_TEST_TOKEN}\" }\n"
                          "notify:\n  - { type: webhook, url: \"${SEC_TEST_HOOK}\" }\n");
  ServeProcess serve(
      {"serve", "--config", config, "--listen", "127.0.0.1:0"},
      {{"SEC_TEST_TOKEN", token}, {"SEC_TEST_HOOK", hook.url() + "/hooks/" + hook_secret}});
  ASSERT_TRUE(serve.ready()) << serve.Stderr();

  auto ok_auth = "Authorization: Bearer " + token + "\r\n";
  auto run =
      SecuritySendRaw(serve.port(), "POST /api/sync/run HTTP/1.1\r\nHost: localhost\r\n" + ok_auth +
                                        "Content-Length: 0\r\nConnection: close\r\n\r\n");
  ASSERT_EQ(run.status, 202) << run.all;
  // Wait for the run to end (the status file appears) and its notification.
  auto until = std::chrono::steady_clock::now() + milliseconds(30'000);
  while (std::chrono::steady_clock::now() < until &&
         (SecuritySendRaw(serve.port(), "GET /api/sync/status HTTP/1.1\r\nHost: localhost\r\n" +
                                            ok_auth + "Connection: close\r\n\r\n")
                  .status != 200 ||
          hook.CountRequests("/hooks/" + hook_secret) == 0)) {
    std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_GT(hook.CountRequests("/hooks/" + hook_secret), 0) << serve.Stderr();

  auto no_secret = [&](const std::string& where, const std::string& text) {
    EXPECT_EQ(text.find(token), std::string::npos) << where << " shows the token:\n" << text;
    EXPECT_EQ(text.find(hook_secret), std::string::npos) << where << " shows the webhook URL:\n"
                                                         << text;
    EXPECT_EQ(text.find("tok-7f3a9c"), std::string::npos) << where << ":\n" << text;
  };
  const std::vector<std::string> paths = {"/healthz",
                                          "/api/sync/status",
                                          "/api/sync/overview",
                                          "/api/sync/heartbeat",
                                          "/api/sync/history",
                                          "/metrics",
                                          "/api/sync/heartbeat/nope",
                                          "/no-such-route",
                                          "/",
                                          "/api/sync/heartbeat/github"};
  for (const auto& path : paths) {
    auto a = SecuritySendRaw(serve.port(), "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" +
                                               ok_auth + "Connection: close\r\n\r\n");
    EXPECT_NE(a.status, 0) << path;
    no_secret(path + " (with the token)", a.all);
  }
  // Wrong tokens, near misses included, are refused without being echoed.
  for (const std::string& wrong :
       std::vector<std::string>{token + "x", token.substr(0, token.size() - 1),
                                std::string("Bearer ") + token, "", "tok-7f3a9c-SECREU"}) {
    for (const std::string path : {"/api/sync/status", "/metrics", "/nope"}) {
      auto a = SecuritySendRaw(serve.port(), "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" +
                                                 "Authorization: Bearer " + wrong +
                                                 "\r\nConnection: close\r\n\r\n");
      EXPECT_EQ(a.status, 401) << path << " with \"" << wrong << "\"";
      no_secret(path + " (wrong token)", a.all);
    }
  }
  auto basic = SecuritySendRaw(
      serve.port(), "GET /api/sync/status HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic " +
                        token + "\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(basic.status, 401);
  no_secret("Basic auth", basic.all);
  auto bad_request = SecuritySendRaw(
      serve.port(), "GET /x HTTP/1.1\r\nAuthorization: Bearer " + token + "\r\nBad Header\r\n\r\n");
  EXPECT_EQ(bad_request.status, 400);
  no_secret("a malformed request", bad_request.all);

  milliseconds took{0};
  EXPECT_EQ(serve.Terminate(milliseconds(5'000), &took), 0);
  no_secret("the server's log", serve.Stderr());
  no_secret("the status file", testing::ReadFile(dir / "readiness/infinity-sync-status.json"));
}

// SPEC: server.token defaults to ${INFINITY_SYNC_TOKEN:-}. A token set in the
// environment guards the API although the file names none (before: ignored,
// every route answered without auth).
TEST(ServeSecurityIntegration, InfinitySyncTokenFromTheEnvironmentGuardsTheApi) {
  testing::TempDir dir;
  const std::string token = "env-token-91c2";
  std::string config = SecurityWriteConfig(dir);
  ServeProcess serve({"serve", "--config", config, "--listen", "127.0.0.1:0"},
                     {{"INFINITY_SYNC_TOKEN", token}});
  ASSERT_TRUE(serve.ready()) << serve.Stderr();
  auto get = [&](const std::string& auth) {
    return SecuritySendRaw(serve.port(), "GET /api/sync/heartbeat HTTP/1.1\r\nHost: localhost\r\n" +
                                             auth + "Connection: close\r\n\r\n");
  };
  EXPECT_EQ(get("").status, 401);
  EXPECT_EQ(get("Authorization: Bearer wrong\r\n").status, 401);
  EXPECT_EQ(get("Authorization: Bearer " + token + "\r\n").status, 200);
  milliseconds took{0};
  EXPECT_EQ(serve.Terminate(milliseconds(5'000), &took), 0);
}

// A client that sends its headers one byte at a time never gets to hold a
// connection past the header timeout: 10 s from the start of the wait to a
// complete request head (before issue 14: 15 s for the whole request).
TEST(ServeSecurityIntegration, SlowLorisIsCutOffByTheHeaderTimeout) {
  testing::TempDir dir;
  ServeProcess serve({"serve", "--config", SecurityWriteConfig(dir), "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(serve.ready()) << serve.Stderr();
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(serve.port()));
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string slow =
      "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + std::string(200, 'z');
  auto start = std::chrono::steady_clock::now();
  std::string got;
  bool closed = false;
  for (std::size_t i = 0; i < slow.size() && !closed; ++i) {
    if (send(fd, &slow[i], 1, MSG_NOSIGNAL) != 1) closed = true;
    pollfd p{fd, POLLIN, 0};
    if (!closed && poll(&p, 1, 250) > 0) {
      char buf[512];
      ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n <= 0) closed = true;
      if (n > 0) got.append(buf, static_cast<std::size_t>(n));
    }
    if (std::chrono::steady_clock::now() - start > milliseconds(25'000)) break;
  }
  auto took = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
  close(fd);
  EXPECT_TRUE(closed) << "the connection was still open after " << took.count() << " ms";
  EXPECT_GE(took.count(), 9'000);
  EXPECT_LT(took.count(), 15'000);
  EXPECT_EQ(got.find("200 OK"), std::string::npos) << got;
  // The server still serves others.
  auto health = SecuritySendRaw(
      serve.port(), "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(health.status, 200);
}

}  // namespace
}  // namespace infinity_sync
