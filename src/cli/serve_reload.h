#pragma once
// SIGHUP under `serve`: the configuration read again and every state built
// anew from it, or, when it is bad, the running one kept and the reason logged.

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cli/serve_state.h"
#include "core/config.h"
#include "core/result.h"

namespace infinity_sync {

// One configuration a reload replaces: the slot requests take their state
// from, what the state shares, and (the first project of a `projects:` serve)
// its extras.
struct ReloadTarget {
  ServeStates* states;
  ServeShared shared;
  ServeState::Extras extras;
};

// What a reload read: one configuration per target, in the targets' order,
// and where it came from for the log ("/srv/infinity-sync.yaml (2 custom
// checks)").
struct ReloadedConfigs {
  std::vector<Config> configs;
  std::string from;
};
using LoadForReload = std::function<Result<ReloadedConfigs>()>;

// What a reload cannot change without a restart: the keys' names.
std::vector<std::string> NeedRestart(const Config& running, const Config& next);

// Reloads on Request(), on a thread of its own, one reload at a time: every
// target's state is stopped (its running sync cancelled) and replaced, the
// listener, open connections, event streams and history stores stay. All or
// nothing: when `load` fails, no target changes. Each reload is counted in
// the shared ConfigReloads (/metrics).
class Reloader {
 public:
  Reloader(std::vector<ReloadTarget> targets, LoadForReload load);
  ~Reloader();  // a reload under way finishes first
  Reloader(const Reloader&) = delete;
  Reloader& operator=(const Reloader&) = delete;

  // From the signal handler's thread: returns at once.
  void Request();

 private:
  void Loop();
  void Reload();

  std::vector<ReloadTarget> targets_;
  LoadForReload load_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool wanted_ = false;
  bool quitting_ = false;
  std::thread thread_;
};

}  // namespace infinity_sync
