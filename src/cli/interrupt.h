#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace infinity_sync {

// How `run --watch` and the SIGINT/SIGTERM thread (StopOnInterrupt) agree on
// stopping: between runs a signal ends the wait and the loop returns 0 by
// itself; during a run the signal thread kills the children and exits 0.
class WatchControl {
 public:
  static WatchControl& Instance();

  // Watch mode on: signals stop the loop with exit 0 instead of 128+signal;
  // with `keep_signal_code` (`wait`), the loop still stops promptly between
  // runs, but a signal during a run exits 128+signal.
  void Enable(bool keep_signal_code = false);
  bool enabled() const;
  bool keep_signal_code() const;
  // The signal that asked to stop; 0 before one arrived.
  int signal() const;

  // Called on the signal thread. True when the loop is between runs and will
  // stop by itself (the caller must then do nothing more); false when the
  // caller must kill the children and exit.
  bool OnSignal(int sig = 0);

  // Marks a run as started; false (and no run) once a signal arrived.
  bool BeginRun();
  void EndRun();

  // Waits `how_long` or until a signal; true when a signal asked to stop.
  bool WaitFor(std::chrono::milliseconds how_long);

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool enabled_ = false;
  bool keep_signal_code_ = false;
  int signal_ = 0;
  bool running_ = false;
  bool stop_ = false;
};

}  // namespace infinity_sync
