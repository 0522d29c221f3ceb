// Fault injection, the server as an attacker tries it (issue 14), each case
// against the real program on a loopback port with real sockets: DNS
// rebinding (a Host or Origin that is not this machine), thousands of
// half-open connections, and requests whose framing two HTTP parsers could
// read differently (unknown transfer codings, two Hosts, folded headers),
// HEAD, and the auth scheme in another case.
//
// Suites are named Fault*, so `ctest -L faults` runs them with the rest.
#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "lib/server_process.h"
#include "lib/test_support.h"

namespace infinity_sync::testing {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// A config whose outside URLs are loopback and closed; no live loop.
std::string ServerConfig(const TempDir& dir, const std::string& server = "") {
  std::string yaml =
      "git: { fetch: false }\n"
      "github: { api_url: \"http://127.0.0.1:9\" }\n"
      "gcp: { api_url: \"http://127.0.0.1:9\" }\n"
      "heartbeat: { timeout: 1s }\n"
      "server: { sync_every: 0" +
      (server.empty() ? std::string() : ", " + server) + " }\n";
  std::string path = dir / "infinity-sync.yaml";
  WriteFile(path, yaml);
  return path;
}

// What the server sent back for `bytes` on one connection, read until it
// closed it (or 3 s passed: then `closed` is false).
struct Answer {
  std::string all;
  int status = 0;
  std::string head;
  std::string body;
  bool closed = false;
  int responses = 0;  // status lines seen
};

Answer Exchange(int port, const std::string& bytes) {
  RawConnection c(port);
  EXPECT_TRUE(c.connected());
  c.Send(bytes);
  auto start = Clock::now();
  Answer a;
  a.all = c.ReadUntil("\x01never\x01", milliseconds(3'000));
  a.closed = Clock::now() - start < milliseconds(2'900);
  if (a.all.rfind("HTTP/1.1 ", 0) == 0) a.status = std::atoi(a.all.c_str() + 9);
  auto end = a.all.find("\r\n\r\n");
  a.head = a.all.substr(0, end);
  if (end != std::string::npos) a.body = a.all.substr(end + 4);
  for (auto p = a.all.find("HTTP/1.1 "); p != std::string::npos;
       p = a.all.find("HTTP/1.1 ", p + 1)) {
    ++a.responses;
  }
  return a;
}

// Before: the server never looked at Host, and took Origin == "http://" + Host
// as same-origin, so a page on evil.example rebound to 127.0.0.1 read the
// status (200) and started syncs (202).
TEST(FaultServer, DnsRebindingHostAndOriginAreRefusedWithoutAToken) {
  TempDir dir;
  ServeProcess serve({"serve", "--config", ServerConfig(dir, "allowed_hosts: [dash.example]"),
                      "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(serve.ready()) << serve.Stderr();
  auto evil =
      Exchange(serve.port(), "GET /api/sync/status HTTP/1.1\r\nHost: evil.example:" +
                                 std::to_string(serve.port()) + "\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(evil.status, 403) << evil.all;
  EXPECT_EQ(evil.body,
            "{\"error\":\"host not allowed: evil.example:" + std::to_string(serve.port()) + "\"}");
  auto run = Exchange(serve.port(),
                      "POST /api/sync/run HTTP/1.1\r\nHost: evil.example\r\nOrigin: "
                      "http://evil.example\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(run.status, 403) << run.all;
  // Host names this machine, Origin does not: still no run.
  auto origin = Exchange(serve.port(),
                         "POST /api/sync/run HTTP/1.1\r\nHost: localhost\r\nOrigin: "
                         "http://evil.example\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(origin.status, 403) << origin.all;
  std::this_thread::sleep_for(milliseconds(500));
  EXPECT_FALSE(std::filesystem::exists(dir / "readiness/infinity-sync-status.json"))
      << "a refused POST started a sync";

  for (const std::string& host : std::vector<std::string>{
           "localhost:" + std::to_string(serve.port()), "127.0.0.1", "[::1]:80", "dash.example"}) {
    auto ok = Exchange(serve.port(),
                       "GET /healthz HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(ok.status, 200) << host << "\n" << ok.all;
  }
  auto dash = Exchange(serve.port(),
                       "POST /api/sync/run HTTP/1.1\r\nHost: dash.example\r\nOrigin: "
                       "https://dash.example\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(dash.status, 202) << dash.all;
  EXPECT_EQ(serve.Terminate(milliseconds(5'000), nullptr), 0);
}

// With a token the token is what guards: any Host that carries it is served.
TEST(FaultServer, WithATokenAnyHostThatCarriesItIsServed) {
  TempDir dir;
  ServeProcess serve(
      {"serve", "--config", ServerConfig(dir, "token: s3cret-token-1"), "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(serve.ready()) << serve.Stderr();
  auto a = Exchange(serve.port(),
                    "GET /metrics HTTP/1.1\r\nHost: box.lan:3001\r\nAuthorization: Bearer "
                    "s3cret-token-1\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(a.status, 200) << a.all;
  // The scheme in any case (RFC 9110 11.1); before, "bearer" was 401.
  auto lower = Exchange(serve.port(),
                        "GET /metrics HTTP/1.1\r\nHost: localhost\r\nAuthorization: bearer "
                        "s3cret-token-1\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(lower.status, 200) << lower.all;
  auto wrong = Exchange(serve.port(),
                        "GET /metrics HTTP/1.1\r\nHost: localhost\r\nAuthorization: bearer "
                        "s3cret-token-2\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(wrong.status, 401) << wrong.all;
  EXPECT_EQ(serve.Terminate(milliseconds(5'000), nullptr), 0);
}

// Before: 8192 half-open sockets from one client made /healthz answer
// nothing until they timed out. Now the one waiting longest without a
// complete request head makes room, so a new request is answered while
// hundreds of half-open connections (far more than the limit) are held.
TEST(FaultServer, HalfOpenConnectionsBeyondTheLimitDoNotStarveNewRequests) {
  TempDir dir;
  ServeProcess serve(
      {"serve", "--config", ServerConfig(dir, "max_connections: 32"), "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(serve.ready()) << serve.Stderr();
  std::vector<std::unique_ptr<RawConnection>> half_open;
  auto open_more = [&](int n) {
    for (int i = 0; i < n; ++i) {
      half_open.push_back(std::make_unique<RawConnection>(serve.port()));
      half_open.back()->Send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n");  // never ends
    }
  };
  for (int round = 0; round < 3; ++round) {
    open_more(300);
    std::this_thread::sleep_for(milliseconds(200));  // let the server accept them all
    auto start = Clock::now();
    auto a = Exchange(serve.port(),
                      "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
    EXPECT_EQ(a.status, 200) << "round " << round << ": " << a.all;
    // The figure is a second; generous for two shared cores.
    EXPECT_LT(took.count(), 2'000) << "round " << round;
  }
  // A keep-alive client that completes its requests keeps its connection.
  RawConnection keep(serve.port());
  keep.Send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_NE(keep.ReadUntil("\"ok\"", milliseconds(3'000)).find("200 OK"), std::string::npos);
  EXPECT_EQ(serve.Terminate(milliseconds(5'000), nullptr), 0);
}

// Before: "Transfer-Encoding: xchunked" or "chunked, identity" got 202 and the
// body was then answered as a second request (request smuggling behind a
// proxy that reads it the other way); two Hosts and folded headers were
// accepted; HEAD was 405.
TEST(FaultServer, FramingTwoParsersCouldReadDifferentlyIsRefusedAndTheConnectionClosed) {
  TempDir dir;
  ServeProcess serve({"serve", "--config", ServerConfig(dir), "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(serve.ready()) << serve.Stderr();
  const std::string smuggled = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";
  struct Case {
    const char* name;
    std::string bytes;
    int status;
  };
  std::vector<Case> cases = {
      {"xchunked",
       "POST /api/sync/run HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: xchunked\r\n\r\n" +
           smuggled,
       501},
      {"chunked, identity",
       "POST /api/sync/run HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked, "
       "identity\r\n\r\n" +
           smuggled,
       400},
      {"gzip then chunked",
       "POST /api/sync/run HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip\r\n"
       "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" +
           smuggled,
       501},
      {"two Hosts",
       "GET /healthz HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n" + smuggled, 400},
      {"obs-fold",
       "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Folded: a\r\n b\r\n\r\n" + smuggled, 400},
  };
  for (const auto& c : cases) {
    auto a = Exchange(serve.port(), c.bytes);
    EXPECT_EQ(a.status, c.status) << c.name << "\n" << a.all;
    EXPECT_EQ(a.responses, 1) << c.name << ": the rest was read as another request\n" << a.all;
    EXPECT_TRUE(a.closed) << c.name << ": the connection stayed open";
    EXPECT_NE(a.head.find("application/json"), std::string::npos) << c.name;
  }
  EXPECT_EQ(std::filesystem::exists(dir / "readiness/infinity-sync-status.json"), false)
      << "a refused POST started a sync";

  // HEAD: GET's head (Content-Length included), no body; the connection goes
  // on, so the next answer starts right after the head.
  auto head = Exchange(serve.port(),
                       "HEAD /healthz HTTP/1.1\r\nHost: localhost\r\n\r\nGET /healthz "
                       "HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(head.status, 200) << head.all;
  EXPECT_EQ(head.responses, 2) << head.all;
  auto get_length = head.all.find("Content-Length: ");
  ASSERT_NE(get_length, std::string::npos) << head.all;
  EXPECT_NE(head.all.find("Content-Length: 0"), get_length) << "HEAD announces GET's length";
  EXPECT_EQ(head.body.rfind("HTTP/1.1 200", 0), 0u) << "HEAD sent a body: " << head.body;
  EXPECT_EQ(serve.Terminate(milliseconds(5'000), nullptr), 0);
}

}  // namespace
}  // namespace infinity_sync::testing
