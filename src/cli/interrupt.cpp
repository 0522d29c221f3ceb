#include "cli/interrupt.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

namespace infinity_sync {

struct SignalStop::State {
  std::stop_source source;
  std::atomic<int> signal{0};
  mutable std::mutex mu;
  mutable std::condition_variable_any cv;
};

SignalStop::SignalStop() : state_(std::make_shared<State>()) {
  // Children run in their own process groups, so a terminal's Ctrl-C does not
  // reach them: the program takes the signal and stops them itself.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set, state = state_] {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) return;
    state->signal.store(sig);
    state->source.request_stop();
    {
      std::lock_guard lock(state->mu);
      state->cv.notify_all();
    }
    // The command normally returns well within the grace; if it does not (or
    // the user insists with a second signal), leave now: the children were
    // already told to stop with the run.
    timespec grace{static_cast<time_t>(kGrace.count() / 1000),
                   static_cast<long>((kGrace.count() % 1000) * 1'000'000)};
    siginfo_t info;
    sigtimedwait(&set, &info, &grace);
    std::fprintf(stderr, "\ninfinity-sync: interrupted\n");
    std::fflush(nullptr);
    _exit(128 + sig);
  }).detach();
}

std::stop_token SignalStop::token() const { return state_->source.get_token(); }

int SignalStop::signal() const { return state_->signal.load(); }

bool SignalStop::WaitFor(std::chrono::milliseconds how_long) const {
  std::unique_lock lock(state_->mu);
  std::stop_token stop = state_->source.get_token();
  return state_->cv.wait_for(lock, stop, how_long, [] { return false; }) || stop.stop_requested();
}

}  // namespace infinity_sync
