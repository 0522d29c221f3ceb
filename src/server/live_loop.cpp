#include "server/live_loop.h"

#include <random>

namespace infinity_sync {

LiveLoop::LiveLoop(std::chrono::milliseconds every, Clock& clock, SyncFn sync, Spawn spawn,
                   Jitter jitter)
    : every_(every),
      clock_(clock),
      sync_(std::move(sync)),
      spawn_(std::move(spawn)),
      jitter_(std::move(jitter)),
      next_due_(clock.SteadyNow()) {}

std::optional<std::chrono::steady_clock::time_point> LiveLoop::Tick() {
  std::lock_guard<std::mutex> lock(mu_);
  if (every_.count() <= 0) return std::nullopt;
  auto now = clock_.SteadyNow();
  if (now >= next_due_) {
    // A run still going when the next is due is not doubled: the next period
    // starts from now instead.
    if (!running_) Start();
    next_due_ = now + every_ + (jitter_ ? jitter_() : std::chrono::milliseconds(0));
  }
  return next_due_;
}

bool LiveLoop::TriggerNow() {
  std::lock_guard<std::mutex> lock(mu_);
  if (running_) return false;
  Start();
  return true;
}

bool LiveLoop::Running() const {
  std::lock_guard<std::mutex> lock(mu_);
  return running_;
}

int LiveLoop::Runs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return runs_;
}

void LiveLoop::Start() {
  running_ = true;
  ++runs_;
  spawn_([this] {
    try {
      sync_();
    } catch (...) {
      // The sync reports its own failures; the loop must go on regardless.
    }
    std::lock_guard<std::mutex> lock(mu_);
    running_ = false;
  });
}

LiveLoop::Jitter LiveLoop::RandomJitter(std::chrono::milliseconds every) {
  auto cap = std::min<std::int64_t>(every.count() / 10, 30'000);
  return [cap] {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    if (cap <= 0) return std::chrono::milliseconds(0);
    return std::chrono::milliseconds(std::uniform_int_distribution<std::int64_t>(0, cap)(rng));
  };
}

LiveLoopDriver::LiveLoopDriver(std::chrono::milliseconds every, Clock& clock, LiveLoop::SyncFn sync)
    : loop_(
          every, clock, std::move(sync), [this](std::function<void()> w) { SpawnWork(w); },
          LiveLoop::RandomJitter(every)),
      driver_([this] { Drive(); }) {}

LiveLoopDriver::~LiveLoopDriver() { Stop(); }

void LiveLoopDriver::SpawnWork(std::function<void()> work) {
  // Called with the loop's lock held and no run going: the previous worker
  // has finished its work (it may be returning), so joining it is quick.
  if (worker_.joinable()) worker_.join();
  worker_ = std::thread(std::move(work));
}

void LiveLoopDriver::Drive() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    auto next = loop_.Tick();
    lock.lock();
    if (stopping_) break;
    if (next) {
      cv_.wait_until(lock, *next, [this] { return stopping_; });
    } else {
      cv_.wait(lock, [this] { return stopping_; });
    }
  }
}

bool LiveLoopDriver::Stop(std::chrono::milliseconds grace) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (driver_.joinable()) driver_.join();
  // A sync can take as long as its slowest check; shutdown must not.
  auto until = std::chrono::steady_clock::now() + grace;
  while (loop_.Running() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (loop_.Running()) {
    if (worker_.joinable()) worker_.detach();
    return false;
  }
  if (worker_.joinable()) worker_.join();
  return true;
}

}  // namespace infinity_sync
