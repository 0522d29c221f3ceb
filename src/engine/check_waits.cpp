#include "engine/check_waits.h"

namespace infinity_sync {
namespace {

class RealWaits : public CheckWaits {
 public:
  bool Wait(Phase, std::unique_lock<std::mutex>& lock, std::condition_variable_any& cv,
            std::stop_token stop, std::chrono::milliseconds limit,
            const std::function<bool()>& done) override {
    return cv.wait_for(lock, stop, limit, done);
  }
};

}  // namespace

CheckWaits& RealCheckWaits() {
  static RealWaits waits;
  return waits;
}

}  // namespace infinity_sync
