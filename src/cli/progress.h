#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/runner.h"

namespace infinity_sync {

// One check on the progress line.
struct ProgressItem {
  enum class State { kWaiting, kRunning, kGood, kNeutral, kDrift, kFailed };
  std::string name;
  State state = State::kWaiting;
  std::chrono::milliseconds elapsed{0};  // while running: since it started
};

// The text of the line (pure): "⠋ checks: auth ✓  git 2.4s  docker ✗  2/3";
// ASCII without `unicode` (".. checks: auth ok  git 2.4s  docker FAIL  2/3").
// A check that ended shows its verdict (✓ good, – neutral, ! drift, ✗ failed),
// never a check mark for one that failed.
std::string ProgressText(const std::vector<ProgressItem>& items, int frame, bool unicode);

// The live line on stderr while checks run, drawn only on a terminal that
// takes cursor escapes and erased when done. Redrawn about 10 times a second
// (the spinner turns, the seconds of running checks count up) by its own
// thread, and when a check starts or ends. Thread-safe.
class ProgressLine {
 public:
  static constexpr std::chrono::milliseconds kTick{100};

  ProgressLine(bool enabled, bool unicode, std::vector<CheckSpec> specs);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;
  RunObserver Observer();
  // Erases the line and stops redrawing (before a prompt, and at the end).
  void Finish();

 private:
  void DrawLocked();

  bool enabled_;
  bool unicode_;
  std::vector<CheckSpec> specs_;
  std::vector<ProgressItem> items_;
  std::vector<std::chrono::steady_clock::time_point> started_;
  std::mutex mu_;
  std::condition_variable cv_;
  int frame_ = 0;
  bool finished_ = false;
  std::thread ticker_;
};

}  // namespace infinity_sync
