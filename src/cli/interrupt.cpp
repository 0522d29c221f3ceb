#include "cli/interrupt.h"

namespace infinity_sync {

WatchControl& WatchControl::Instance() {
  static WatchControl control;
  return control;
}

void WatchControl::Enable() {
  std::lock_guard lock(mu_);
  enabled_ = true;
}

bool WatchControl::enabled() const {
  std::lock_guard lock(mu_);
  return enabled_;
}

bool WatchControl::OnSignal() {
  std::lock_guard lock(mu_);
  if (!enabled_) return false;
  stop_ = true;
  cv_.notify_all();
  return !running_;
}

bool WatchControl::BeginRun() {
  std::lock_guard lock(mu_);
  if (stop_) return false;
  running_ = true;
  return true;
}

void WatchControl::EndRun() {
  std::lock_guard lock(mu_);
  running_ = false;
}

bool WatchControl::WaitFor(std::chrono::milliseconds how_long) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, how_long, [this] { return stop_; });
}

}  // namespace infinity_sync
