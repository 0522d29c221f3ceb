#pragma once

#include <chrono>

namespace infinity_sync {

// Time, behind a port so that tests and the live loop can drive it.
// Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  // Wall time, for timestamps.
  virtual std::chrono::system_clock::time_point Now() const = 0;
  // Monotonic time, for deadlines and durations.
  virtual std::chrono::steady_clock::time_point SteadyNow() const = 0;
};

class RealClock : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::now();
  }
  std::chrono::steady_clock::time_point SteadyNow() const override {
    return std::chrono::steady_clock::now();
  }
};

}  // namespace infinity_sync
