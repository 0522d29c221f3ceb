#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "core/clock.h"

namespace infinity_sync {

// The live loop of `serve` (SPEC section 8) as a step function: Tick() starts
// a sync when one is due and says when to tick next, so tests drive it tick by
// tick with a fake clock. Never two syncs at once, scheduled or asked for.
// Thread-safe.
class LiveLoop {
 public:
  // Runs one sync to its end (blocking).
  using SyncFn = std::function<void()>;
  // Runs `work` in the background (a thread in the program, a list in tests).
  using Spawn = std::function<void(std::function<void()> work)>;
  // The extra delay added to each period, so that many servers do not sync in step.
  using Jitter = std::function<std::chrono::milliseconds()>;

  // `every` = 0: no scheduled runs (TriggerNow still works). The first
  // scheduled run is due at construction.
  LiveLoop(std::chrono::milliseconds every, Clock& clock, SyncFn sync, Spawn spawn, Jitter jitter);

  // Starts a scheduled run when one is due and none is running. Returns the
  // time of the next tick, or nullopt when scheduling is off.
  std::optional<std::chrono::steady_clock::time_point> Tick();
  // Starts a run now. False when one is running (409).
  bool TriggerNow();
  bool Running() const;
  // Runs started so far.
  int Runs() const;

  // The default jitter: uniform in [0, min(every / 10, 30 s)].
  static Jitter RandomJitter(std::chrono::milliseconds every);

 private:
  void Start();  // mu_ held, running_ false

  std::chrono::milliseconds every_;
  Clock& clock_;
  SyncFn sync_;
  Spawn spawn_;
  Jitter jitter_;
  mutable std::mutex mu_;
  bool running_ = false;
  int runs_ = 0;
  std::chrono::steady_clock::time_point next_due_;
};

// Drives a LiveLoop in real time on its own thread and runs its syncs on one
// background thread. Stop() wakes it at once and waits (a while) for a running sync.
class LiveLoopDriver {
 public:
  LiveLoopDriver(std::chrono::milliseconds every, Clock& clock, LiveLoop::SyncFn sync);
  ~LiveLoopDriver();
  LiveLoop& loop() { return loop_; }
  // Stops scheduling and waits up to `grace` for a running sync. Returns false
  // when the sync was still running and its thread was abandoned (the process
  // must then exit without unwinding).
  bool Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2'000));

 private:
  void SpawnWork(std::function<void()> work);
  void Drive();

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread worker_;  // the current (or last) sync
  LiveLoop loop_;
  std::thread driver_;
};

}  // namespace infinity_sync
