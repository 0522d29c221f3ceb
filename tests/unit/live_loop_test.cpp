#include "server/live_loop.h"

#include <gtest/gtest.h>

#include "lib/server_fakes.h"

namespace infinity_sync {
namespace {

using std::chrono::milliseconds;

// Drives a LiveLoop by hand: spawned work waits in `pending` until RunPending.
struct LoopHarness {
  testing::SteppedClock clock;
  int syncs = 0;
  std::vector<std::function<void()>> pending;
  milliseconds jitter{0};
  LiveLoop loop{milliseconds(300'000), clock, [this] { ++syncs; },
                [this](std::function<void()> w) { pending.push_back(std::move(w)); },
                [this] { return jitter; }};
  void RunPending() {
    auto work = std::move(pending);
    pending.clear();
    for (auto& w : work) w();
  }
};

TEST(LiveLoop, FirstRunIsDueAtOnceThenEveryPeriodPlusJitter) {
  LoopHarness h;
  h.jitter = milliseconds(1'234);
  auto start = h.clock.SteadyNow();
  auto next = h.loop.Tick();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, start + milliseconds(300'000 + 1'234));
  EXPECT_EQ(h.pending.size(), 1u);
  EXPECT_TRUE(h.loop.Running());
  h.RunPending();
  EXPECT_EQ(h.syncs, 1);
  EXPECT_FALSE(h.loop.Running());

  h.clock.Advance(milliseconds(100'000));
  EXPECT_EQ(*h.loop.Tick(), *next);  // not due yet: nothing starts
  EXPECT_TRUE(h.pending.empty());

  h.clock.Advance(milliseconds(201'234));
  h.loop.Tick();
  EXPECT_EQ(h.pending.size(), 1u);
  h.RunPending();
  EXPECT_EQ(h.syncs, 2);
}

TEST(LiveLoop, NeverTwoAtOnce) {
  LoopHarness h;
  h.loop.Tick();
  ASSERT_TRUE(h.loop.Running());
  EXPECT_FALSE(h.loop.TriggerNow());       // 409
  h.clock.Advance(milliseconds(400'000));  // the next period comes while it still runs
  h.loop.Tick();
  EXPECT_EQ(h.pending.size(), 1u) << "a second run started while one was running";
  h.RunPending();
  EXPECT_TRUE(h.loop.TriggerNow());
  EXPECT_EQ(h.pending.size(), 1u);
  h.RunPending();
  EXPECT_EQ(h.syncs, 2);
  EXPECT_EQ(h.loop.Runs(), 2);
}

TEST(LiveLoop, ZeroPeriodSchedulesNothingButTriggerWorks) {
  testing::SteppedClock clock;
  int syncs = 0;
  std::vector<std::function<void()>> pending;
  LiveLoop loop(
      milliseconds(0), clock, [&] { ++syncs; },
      [&](std::function<void()> w) { pending.push_back(std::move(w)); }, nullptr);
  EXPECT_FALSE(loop.Tick().has_value());
  EXPECT_TRUE(pending.empty());
  EXPECT_TRUE(loop.TriggerNow());
  pending.front()();
  EXPECT_EQ(syncs, 1);
}

TEST(LiveLoop, AThrowingSyncDoesNotWedgeTheLoop) {
  testing::SteppedClock clock;
  std::vector<std::function<void()>> pending;
  LiveLoop loop(
      milliseconds(1000), clock, [] { throw std::runtime_error("boom"); },
      [&](std::function<void()> w) { pending.push_back(std::move(w)); }, nullptr);
  loop.Tick();
  pending.front()();
  EXPECT_FALSE(loop.Running());
}

TEST(LiveLoop, RandomJitterStaysWithinATenthCappedAt30s) {
  auto j = LiveLoop::RandomJitter(milliseconds(10'000));
  for (int i = 0; i < 100; ++i) {
    auto v = j();
    EXPECT_GE(v.count(), 0);
    EXPECT_LE(v.count(), 1'000);
  }
  auto big = LiveLoop::RandomJitter(milliseconds(3'600'000));
  for (int i = 0; i < 100; ++i) EXPECT_LE(big().count(), 30'000);
}

TEST(LiveLoopDriver, RunsInRealTimeAndStopsPromptly) {
  RealClock clock;
  std::atomic<int> syncs{0};
  LiveLoopDriver driver(milliseconds(3'600'000), clock, [&] { ++syncs; });
  for (int i = 0; i < 200 && syncs == 0; ++i) std::this_thread::sleep_for(milliseconds(5));
  EXPECT_EQ(syncs, 1);
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(driver.Stop());
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(500));
}

}  // namespace
}  // namespace infinity_sync
