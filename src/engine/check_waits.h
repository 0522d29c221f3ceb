#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stop_token>

namespace infinity_sync {

// How the runner waits for a check's thread. The product waits in real time:
// the deadline is a promise to the user, whatever clock the checks are given.
// A unit test gives waits of its own that decide at once, so it never sleeps.
class CheckWaits {
 public:
  // Which wait: for the check's budget (ended early by the run's stop), or
  // for the grace its thread gets to end after its stop was requested.
  enum class Phase { kBudget, kGrace };

  virtual ~CheckWaits() = default;
  // Waits on `cv` under `lock` until `done()` holds, `stop` is requested or
  // `limit` has passed; returns done(). `cv` is notified when done changes.
  virtual bool Wait(Phase phase, std::unique_lock<std::mutex>& lock,
                    std::condition_variable_any& cv, std::stop_token stop,
                    std::chrono::milliseconds limit, const std::function<bool()>& done) = 0;
};

// Real time, on the condition variable.
CheckWaits& RealCheckWaits();

}  // namespace infinity_sync
