#include "cli/interrupt.h"

namespace infinity_sync {

WatchControl& WatchControl::Instance() {
  static WatchControl control;
  return control;
}

void WatchControl::Enable(bool keep_signal_code) {
  std::lock_guard lock(mu_);
  enabled_ = true;
  keep_signal_code_ = keep_signal_code;
}

bool WatchControl::keep_signal_code() const {
  std::lock_guard lock(mu_);
  return keep_signal_code_;
}

int WatchControl::signal() const {
  std::lock_guard lock(mu_);
  return signal_;
}

bool WatchControl::enabled() const {
  std::lock_guard lock(mu_);
  return enabled_;
}

bool WatchControl::OnSignal(int sig) {
  std::lock_guard lock(mu_);
  if (!enabled_) return false;
  stop_ = true;
  if (signal_ == 0) signal_ = sig;
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
