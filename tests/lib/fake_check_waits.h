#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <vector>

#include "engine/check_waits.h"

namespace infinity_sync::testing {

// The runner's waits for unit tests, decided without sleeping. A wait that
// `expire` picks ends at once, as if its time had passed (a check still
// running is stopped, or abandoned); any other wait lasts until the check's
// thread ends or the stop comes, however long that takes (an event, not a
// time: use it only for checks that end). Records what was asked.
// Thread-safe.
class FakeCheckWaits : public CheckWaits {
 public:
  std::function<bool(Phase, std::chrono::milliseconds limit)> expire =
      [](Phase, std::chrono::milliseconds) { return false; };

  bool Wait(Phase phase, std::unique_lock<std::mutex>& lock, std::condition_variable_any& cv,
            std::stop_token stop, std::chrono::milliseconds limit,
            const std::function<bool()>& done) override {
    {
      std::lock_guard<std::mutex> record(mu_);
      asked_.push_back({phase, limit});
    }
    if (expire(phase, limit)) return done();
    cv.wait(lock, stop, done);
    return done();
  }

  struct Asked {
    Phase phase;
    std::chrono::milliseconds limit;
    bool operator==(const Asked&) const = default;
  };
  std::vector<Asked> asked() const {
    std::lock_guard<std::mutex> record(mu_);
    return asked_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Asked> asked_;
};

}  // namespace infinity_sync::testing
