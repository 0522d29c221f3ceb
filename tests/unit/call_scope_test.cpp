// CallScope: every port call a check makes is clamped to [1 ms, Remaining()],
// carries the scope's stop token and leaves one evidence line. A spent budget
// must never reach a port as 0 (libcurl reads 0 as "no limit").
#include "ports/call_scope.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "checks/check.h"
#include "checks/custom_check.h"
#include "lib/fake_ports.h"
#include "ports/http_probe.h"

namespace infinity_sync::testing {
namespace {

using std::chrono::milliseconds;

TEST(CallScope, AnExpiredDeadlineStillGivesEveryCallAPositiveBoundedTimeout) {
  FakeWorld world;
  Evidence evidence;
  CallScope scope(world.ports, std::chrono::steady_clock::now() - std::chrono::seconds(5), {},
                  &evidence);
  EXPECT_EQ(scope.Remaining(), milliseconds(0));
  EXPECT_EQ(scope.Clamp(milliseconds(30'000)), milliseconds(1));

  ProcessRequest p;
  p.argv = {"git", "fetch"};
  p.timeout = milliseconds(0);
  scope.Run(p);
  HttpRequest h;
  h.url = "https://example.com/x?token=secret";
  h.timeout = milliseconds(0);
  scope.Send(h);
  DnsQuery d;
  d.name = "example.com";
  d.timeout = milliseconds(0);
  scope.Resolve(d);
  DnsRecordQuery r;
  r.name = "example.com";
  r.type = "MX";
  r.timeout = milliseconds(-7);
  scope.Ask(r);

  ASSERT_EQ(world.process.requests().size(), 1u);
  EXPECT_EQ(world.process.requests()[0].timeout, milliseconds(1));
  ASSERT_EQ(world.http.requests().size(), 1u);
  EXPECT_EQ(world.http.requests()[0].timeout, milliseconds(1));
  ASSERT_GE(world.dns.queries().size(), 1u);
  for (const auto& q : world.dns.queries()) EXPECT_EQ(q.timeout, milliseconds(1));

  // One line per call, URLs redacted.
  auto lines = evidence.Lines();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].rfind("git fetch -> ", 0), 0u) << lines[0];
  EXPECT_EQ(lines[1].find("secret"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("GET https://example.com/x"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find("DNS A/AAAA example.com"), std::string::npos) << lines[2];
  EXPECT_NE(lines[3].find("DNS MX example.com"), std::string::npos) << lines[3];
}

TEST(CallScope, ARequestsOwnShorterTimeoutIsKeptAndALongerOneIsCut) {
  FakeWorld world;
  CallScope scope(world.ports, std::chrono::steady_clock::now() + std::chrono::seconds(10));
  ProcessRequest shorter;
  shorter.argv = {"true"};
  shorter.timeout = milliseconds(2'000);
  scope.Run(shorter);
  ProcessRequest longer;
  longer.argv = {"true"};
  longer.timeout = milliseconds(60'000);
  scope.Run(longer);
  auto requests = world.process.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].timeout, milliseconds(2'000));
  EXPECT_LE(requests[1].timeout, milliseconds(10'000));
  EXPECT_GT(requests[1].timeout, milliseconds(9'000));
}

TEST(CallScope, EveryCallCarriesTheScopesStopToken) {
  FakeWorld world;
  std::stop_source source;
  CallScope scope(world.ports, std::chrono::steady_clock::now() + std::chrono::seconds(10),
                  source.get_token());
  ProcessRequest p;
  p.argv = {"true"};
  scope.Run(p);
  HttpRequest h;
  h.url = "http://127.0.0.1:1/";
  scope.Send(h);
  DnsQuery d;
  d.name = "example.com";
  scope.Resolve(d);
  source.request_stop();
  EXPECT_TRUE(scope.Stopped());
  EXPECT_TRUE(world.process.requests()[0].stop.stop_requested());
  EXPECT_TRUE(world.http.requests()[0].stop.stop_requested());
  EXPECT_TRUE(world.dns.queries()[0].stop.stop_requested());
}

// Each custom check type through its real Run function, with no time left: the
// fake ports see a bounded, positive timeout.
TEST(CallScope, EveryCustomCheckKindAsksWithABoundedTimeoutWhenNoTimeIsLeft) {
  for (const std::string type : {"command", "http", "dns", "tcp"}) {
    FakeWorld world;
    Config config;
    CustomCheckConfig custom;
    custom.name = "c";
    custom.type = type;
    custom.run = {"make", "lint"};
    custom.url = "http://svc.example:8080/health";
    custom.host = "svc.example";
    custom.address = "svc.example:6379";
    CheckContext ctx(config, world.ports, std::chrono::steady_clock::now() - milliseconds(1));
    CustomCheckSpec(custom).run(ctx);
    for (const auto& r : world.process.requests()) {
      EXPECT_GE(r.timeout, milliseconds(1)) << type;
      EXPECT_LE(r.timeout, milliseconds(1)) << type;
    }
    for (const auto& r : world.http.requests()) EXPECT_EQ(r.timeout, milliseconds(1)) << type;
    for (const auto& q : world.dns.queries()) EXPECT_EQ(q.timeout, milliseconds(1)) << type;
    EXPECT_FALSE(world.process.requests().empty() && world.http.requests().empty() &&
                 world.dns.queries().empty())
        << type << " made no call at all";
  }
}

TEST(CurlHttpClient, RefusesANonPositiveTimeoutInsteadOfSendingWithoutALimit) {
  CurlHttpClient http;
  HttpRequest request;
  request.url = "http://127.0.0.1:1/";
  request.timeout = milliseconds(0);
  HttpResponse response = http.Send(request);
  EXPECT_FALSE(response.answered);
  EXPECT_TRUE(response.timed_out);
  EXPECT_NE(response.error.find("no time left"), std::string::npos) << response.error;
}

// A retry's back-off (the Google token endpoints) ends when the scope is
// stopped, not when the pause would have: a cancelled check leaves at once.
TEST(CallScope, PauseEndsAtOnceWhenTheScopeIsStopped) {
  FakeWorld world;
  std::stop_source stop;
  CallScope scope(world.ports, world.ports.clock.SteadyNow() + std::chrono::seconds(60),
                  stop.get_token());
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(scope.Pause(milliseconds(20)));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, milliseconds(20));

  std::thread stopper([&] {
    std::this_thread::sleep_for(milliseconds(50));
    stop.request_stop();
  });
  t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(scope.Pause(milliseconds(60'000)));
  // Woken by the stop, far sooner than the minute asked for.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(30));
  stopper.join();
  EXPECT_FALSE(scope.Pause(milliseconds(60'000))) << "a stopped scope does not pause";
}

// A check reads a file through its context: a FIFO or a device where a
// credentials file should be is an error that names it, at once (no reader
// blocked on a pipe nobody writes), and leaves no evidence line of its own.
TEST(CallScope, ReadFileRefusesAFifoAtOnceAndReadsARegularFile) {
  FakeWorld world;
  Evidence evidence;
  CallScope scope(world.ports, std::chrono::steady_clock::now() + std::chrono::seconds(5), {},
                  &evidence);
  auto dir =
      std::filesystem::temp_directory_path() / ("call-scope-read-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);  // a run that failed half-way
  std::filesystem::create_directories(dir);
  std::string fifo = (dir / "credentials.json").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto refused = scope.ReadFile(fifo);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().find(fifo), std::string::npos) << refused.error();
  EXPECT_TRUE(scope.Exists(fifo));

  std::string file = (dir / "token").string();
  ASSERT_TRUE(world.fs.WriteAtomic(file, "abc").ok());
  auto read = scope.ReadFile(file, 3);
  ASSERT_TRUE(read.ok()) << read.error();
  EXPECT_EQ(*read, "abc");
  EXPECT_FALSE(scope.ReadFile(file, 2).ok()) << "over the limit";
  EXPECT_FALSE(scope.Exists((dir / "missing").string()));
  EXPECT_TRUE(evidence.Lines().empty());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace infinity_sync::testing
