#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <stop_token>
#include <vector>

#include "checks/check.h"
#include "cli/real_ports.h"
#include "core/config.h"
#include "server/heartbeat.h"
#include "server/live_loop.h"
#include "server/metrics.h"
#include "server/routes.h"
#include "server/sse_hub.h"
#include "server/status_cache.h"
#include "store/history_recorder.h"

namespace infinity_sync {

// What every configuration of one `serve` process shares: the ports, the
// event streams, the request counters, the history store and the reload
// counters. All outlive every ServeState.
struct ServeShared {
  RealPorts& real;
  SseHub& hub;
  RequestMetrics& metrics;
  HistoryRecorder* history;  // null: no store
  ConfigReloads& reloads;
  // The hub channel of this configuration's events: the project's name with
  // `projects:`, "" for a serve of one.
  std::string channel = {};
};

// One configuration's worth of `serve`: the check table, the status cache, the
// heartbeat probes, the live loop and the API built on them. A SIGHUP builds a
// new one from the new configuration and retires the old one.
class ServeState {
 public:
  // What only the first project of a serve with projects: answers: the rows
  // of GET /api/projects and every project's /metrics.
  struct Extras {
    std::function<nlohmann::json()> projects;
    std::function<void(Respond)> all_metrics;
  };
  ServeState(Config config, ServeShared shared, Extras extras = {});
  // Stops (see Stop). Must not run while a sync of this state is still
  // running: the owner checks Stop's answer first.
  ~ServeState();
  ServeState(const ServeState&) = delete;
  ServeState& operator=(const ServeState&) = delete;

  const Config& config() const { return config_; }
  Api& api() { return *api_; }
  StatusCache& status() { return status_; }
  bool SyncRunning() { return driver_.loop().Running(); }

  // Stops scheduling and cancels a running sync (its programs killed, its
  // transfers aborted; it writes nothing), waiting up to `grace` for it. False
  // when the sync's thread is still running: this state must then never be
  // destroyed (the process leaves without unwinding, or keeps it).
  bool Stop(std::chrono::milliseconds grace);

 private:
  void Sync();

  Config config_;
  ServeShared shared_;
  std::vector<CheckSpec> checks_;
  std::stop_source stopping_;
  StatusCache status_;
  HeartbeatService heartbeats_;
  std::atomic<Api*> api_for_events_{nullptr};  // set once the Api exists
  LiveLoopDriver driver_;
  std::unique_ptr<Api> api_;
  std::mutex stop_mu_;
  bool stopped_ = false;
  bool sync_ended_ = true;
};

// The `serve` process's current ServeState, swapped on reload. Requests take
// a reference for as long as they are answered, so a retired state lives
// until its last request is done. Thread-safe.
class ServeStates {
 public:
  explicit ServeStates(std::shared_ptr<ServeState> first) : current_(std::move(first)) {}
  std::shared_ptr<ServeState> Current() const;
  // Makes `next` current and returns the one it replaces.
  std::shared_ptr<ServeState> Replace(std::shared_ptr<ServeState> next);

 private:
  mutable std::mutex mu_;
  std::shared_ptr<ServeState> current_;
};

// Keeps `state` alive until the process ends (a state whose sync or requests
// would outlive it).
void KeepForever(std::shared_ptr<ServeState> state);

// Waits up to `patience` for `state` to be held by no one else (its requests
// answered), then destroys it on this thread. False (and `state` kept alive,
// on purpose never destroyed) when it is still in use.
bool Retire(std::shared_ptr<ServeState>& state, std::chrono::milliseconds patience);

}  // namespace infinity_sync
