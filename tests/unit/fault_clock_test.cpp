// Fault injection, clock jumps (issue 9): the wall clock set back or forward
// by hours (NTP, a laptop's resume, a wrong RTC), and the monotonic clock
// leaping forward (a process paused for hours). Nothing may hang, crash,
// repeat work in a burst, or show a negative duration or age.
#include <atomic>
#include <chrono>

#include <gtest/gtest.h>

#include "engine/runner.h"
#include "lib/fake_ports.h"
#include "lib/server_fakes.h"
#include "server/heartbeat.h"
#include "server/live_loop.h"

namespace infinity_sync {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

struct FaultClockWorld {
  testing::FakeProcessRunner process;
  testing::FakeHttpClient http;
  testing::FakeDnsResolver dns;
  RealFileSystem fs;
  testing::ShiftedClock clock;  // moved by a test at any moment
  Ports ports{
      process, http,
      dns,     fs,
      clock,   [](const std::string&) -> std::optional<std::string> { return std::nullopt; }};
  Config config;
};

CheckSpec JumpingCheck(const std::string& name, std::function<void()> during) {
  CheckSpec spec;
  spec.name = name;
  spec.key = "CustomCheck:" + name;
  spec.title = name;
  spec.label = name;
  spec.budget = [](const Config&) { return milliseconds(2'000); };
  spec.run = [during](const CheckContext& ctx) {
    during();
    CheckResult r;
    r.status = CheckStatus::kSynced;
    r.Ok("remaining " + std::to_string(ctx.Remaining().count()) + " ms");
    return r;
  };
  return spec;
}

TEST(FaultClock, WallClockSetBackOrForwardDuringARun) {
  for (long long jump : {-5LL * 3'600'000, 5LL * 3'600'000}) {
    FaultClockWorld w;
    auto before = w.clock.Now();
    Runner runner(w.config, w.ports);
    auto start = std::chrono::steady_clock::now();
    SyncStatus status =
        runner.Run({JumpingCheck("a", [&] { w.clock.ShiftWall(milliseconds(jump)); }),
                    JumpingCheck("b", [] {})},
                   RunOptions{}, nullptr, {});
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
    EXPECT_EQ(runner.abandoned(), 0);
    // The document is stamped when the run started, before the jump.
    EXPECT_LT(std::chrono::abs(status.timestamp - before), 1s);
    EXPECT_GE(status.duration_ms, 0);
    EXPECT_LT(status.duration_ms, 1'000);
    for (const auto& r : status.results) {
      EXPECT_EQ(r.result.status, CheckStatus::kSynced) << r.key;
      EXPECT_GE(r.result.duration_ms, 0) << r.key;
    }
  }
}

TEST(FaultClock, MonotonicLeapForwardDuringACheckIsNotATimeout) {
  // The runner waits in real time, so a leap of the checks' clock neither
  // abandons the check nor makes the run wait hours.
  FaultClockWorld w;
  Runner runner(w.config, w.ports);
  auto start = std::chrono::steady_clock::now();
  SyncStatus status =
      runner.Run({JumpingCheck("a", [&] { w.clock.ShiftSteady(3h); })}, RunOptions{}, nullptr, {});
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_EQ(runner.abandoned(), 0);
  const CheckResult& r = status.results.at(0).result;
  EXPECT_EQ(r.status, CheckStatus::kSynced);
  EXPECT_EQ(r.notes.at(0).text, "remaining 0 ms");  // never negative
  EXPECT_GE(r.duration_ms, 0);
  EXPECT_GE(status.duration_ms, 0);
}

TEST(FaultClock, LiveLoopRunsOnceAfterALongPauseAndIgnoresWallJumps) {
  testing::SteppedClock clock;
  int syncs = 0;
  std::vector<std::function<void()>> pending;
  LiveLoop loop(
      milliseconds(300'000), clock, [&] { ++syncs; },
      [&](std::function<void()> w) { pending.push_back(std::move(w)); },
      [] { return milliseconds(0); });
  auto run_pending = [&] {
    auto work = std::move(pending);
    pending.clear();
    for (auto& f : work) f();
  };
  loop.Tick();
  run_pending();
  ASSERT_EQ(syncs, 1);
  // The wall clock jumps both ways: the schedule (monotonic) does not move.
  auto next = *loop.Tick();
  clock.SetWall(clock.Now() - std::chrono::hours(6));
  EXPECT_EQ(*loop.Tick(), next);
  clock.SetWall(clock.Now() + std::chrono::hours(12));
  EXPECT_EQ(*loop.Tick(), next);
  EXPECT_TRUE(pending.empty());
  // Twelve hours pass at once: one run, not a burst of 144 missed ones, and
  // the next is a whole period later.
  clock.Advance(std::chrono::hours(12));
  auto after = *loop.Tick();
  EXPECT_EQ(pending.size(), 1u);
  run_pending();
  EXPECT_EQ(syncs, 2);
  EXPECT_EQ(after, clock.SteadyNow() + milliseconds(300'000));
  loop.Tick();
  EXPECT_TRUE(pending.empty());
}

TEST(FaultClock, HeartbeatCacheFollowsTheMonotonicClockOnly) {
  Config config;
  config.heartbeat.cache_for = milliseconds(60'000);
  config.heartbeat.degraded_after = milliseconds(1'000);
  config.heartbeat.targets["gcp"] = {"Google Cloud API", "http://gcp.test/", {}, {}};
  testing::SteppedClock clock;
  testing::HeldHttpClient http([](const HttpRequest&) { return testing::Answered(200); });
  HeartbeatService service(config, http, clock);
  Heartbeat first = service.GetNow("gcp");
  EXPECT_EQ(http.Calls("http://gcp.test/"), 1);
  // Set back 6 hours: still cached (no probe storm, no "never again").
  clock.SetWall(clock.Now() - std::chrono::hours(6));
  Heartbeat cached = service.GetNow("gcp");
  EXPECT_EQ(http.Calls("http://gcp.test/"), 1);
  EXPECT_EQ(cached.last_check, first.last_check);
  // Forward 6 hours: the window is monotonic, so still cached ...
  clock.SetWall(clock.Now() + std::chrono::hours(12));
  service.GetNow("gcp");
  EXPECT_EQ(http.Calls("http://gcp.test/"), 1);
  // ... until the window really passes; the new answer carries the new time.
  clock.Advance(milliseconds(61'000));
  Heartbeat again = service.GetNow("gcp");
  EXPECT_EQ(http.Calls("http://gcp.test/"), 2);
  EXPECT_GE(again.response_time_ms, 0);
  EXPECT_GT(again.last_check, first.last_check);
  EXPECT_EQ(again.status, HeartbeatState::kHealthy);
}

}  // namespace
}  // namespace infinity_sync
