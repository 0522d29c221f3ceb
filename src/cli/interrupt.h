#pragma once

#include <chrono>
#include <memory>
#include <stop_token>

namespace infinity_sync {

// What a command tells main: its exit code (SPEC section 6), and whether
// check threads were abandoned (main must then leave with _exit, so that static
// destructors do not race those threads).
struct CommandOutcome {
  int code = 0;
  bool abandoned = false;
};

// The program's one way to stop on a signal. SIGINT, SIGTERM and SIGHUP are
// taken on one thread (sigwait) and request the stop; a command passes
// token() down to RunSync, and so to the runner and every port call: children
// are killed with their process groups, transfers and DNS questions aborted,
// nothing is written, and the command returns 128 + signal(). When the
// command has not returned `kGrace` after the signal (a prompt blocked on
// stdin), or on a second signal, the watcher exits the process with that code.
// Construct it before any other thread starts (the signals are blocked in the
// constructing thread, and so in every thread it starts later).
class SignalStop {
 public:
  static constexpr std::chrono::milliseconds kGrace{5'000};

  SignalStop();
  SignalStop(const SignalStop&) = delete;
  SignalStop& operator=(const SignalStop&) = delete;

  std::stop_token token() const;
  // The signal that requested the stop, 0 while none did.
  int signal() const;
  // 128 + signal(): the exit code of a command stopped by it (130, 143, 129).
  int ExitCode() const { return 128 + signal(); }
  // Waits `how_long`, or until a signal; true when a signal asked to stop.
  bool WaitFor(std::chrono::milliseconds how_long) const;

  struct State;

 private:
  std::shared_ptr<State> state_;  // shared with the watcher thread
};

}  // namespace infinity_sync
