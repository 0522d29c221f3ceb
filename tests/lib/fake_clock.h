#pragma once

#include <chrono>
#include <mutex>
#include <optional>

#include "core/clock.h"

// The test clocks, in one place: a stepped one for code that must not see
// real time pass, and the real clocks shifted for code that waits in real
// time while a test moves its clock.
namespace infinity_sync::testing {

// A clock that moves only when told: Advance moves wall and steady time
// together. Thread-safe.
class SteppedClock : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return wall_;
  }
  std::chrono::steady_clock::time_point SteadyNow() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return steady_;
  }
  void Advance(std::chrono::milliseconds d) {
    std::lock_guard<std::mutex> lock(mu_);
    wall_ += d;
    steady_ += d;
  }
  void SetWall(std::chrono::system_clock::time_point t) {
    std::lock_guard<std::mutex> lock(mu_);
    wall_ = t;
  }

 private:
  mutable std::mutex mu_;
  std::chrono::system_clock::time_point wall_{std::chrono::seconds(1'800'000'000)};
  std::chrono::steady_clock::time_point steady_{std::chrono::hours(1)};
};

// The real clocks, shifted by offsets a test may change at any moment (a
// clock jump mid-run), with the wall time optionally pinned. Thread-safe.
class ShiftedClock : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return pinned_wall_.value_or(std::chrono::system_clock::now() + wall_shift_);
  }
  std::chrono::steady_clock::time_point SteadyNow() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return std::chrono::steady_clock::now() + steady_shift_;
  }
  // Now() returns `t` from here on.
  void SetWall(std::chrono::system_clock::time_point t) {
    std::lock_guard<std::mutex> lock(mu_);
    pinned_wall_ = t;
  }
  void ShiftWall(std::chrono::milliseconds d) {
    std::lock_guard<std::mutex> lock(mu_);
    wall_shift_ += d;
  }
  void ShiftSteady(std::chrono::milliseconds d) {
    std::lock_guard<std::mutex> lock(mu_);
    steady_shift_ += d;
  }

 private:
  mutable std::mutex mu_;
  std::optional<std::chrono::system_clock::time_point> pinned_wall_;
  std::chrono::milliseconds wall_shift_{0};
  std::chrono::milliseconds steady_shift_{0};
};

}  // namespace infinity_sync::testing
