#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/config.h"
#include "ports/http_client.h"

namespace infinity_sync {

enum class HeartbeatState { kHealthy, kDegraded, kDown, kUnknown };

// "healthy", "degraded", "down", "unknown".
const char* HeartbeatStateName(HeartbeatState state);

// One answer about one target (SPEC section 5).
struct Heartbeat {
  std::string key;      // "github", "gcp", "cloudflare"
  std::string service;  // display name: "GitHub API"
  HeartbeatState status = HeartbeatState::kUnknown;
  std::chrono::system_clock::time_point last_check;
  std::int64_t response_time_ms = 0;
  std::string error;    // empty when healthy
  int http_status = 0;  // the target's answer; 0 when it did not answer

  bool operator==(const Heartbeat&) const = default;
};

// {"service","target","status","lastCheck","responseTime","error"?} (error only when set).
nlohmann::json ToJson(const Heartbeat& heartbeat);

// The one place that asks a target: a GET without redirects under `timeout`,
// trusting tls.ca_file. Kept alone so that a richer probe can replace it.
HttpResponse ProbeTarget(HttpClient& http, const std::string& url,
                         std::chrono::milliseconds timeout, const std::string& ca_file);

// Judges one probe by SPEC's rules: no answer = down (error says why: "timeout",
// "connect: refused", "dns: ...", "tls: ..."); 5xx = degraded ("HTTP 503");
// slower than `degraded_after` = degraded; otherwise healthy.
void JudgeProbe(const HttpResponse& response, std::int64_t elapsed_ms,
                std::chrono::milliseconds degraded_after, Heartbeat* out);

// The heartbeat targets of `heartbeat.targets`, each asked at most once per
// `cache_for` window: however many callers arrive while a target is cold or
// expired, one probe runs and every waiting caller gets its answer. Each
// target probes on its own thread, so a slow one delays only its own callers.
// Thread-safe.
class HeartbeatService {
 public:
  using Callback = std::function<void(Heartbeat)>;
  using AllCallback = std::function<void(std::vector<Heartbeat>)>;

  // Called on a probe thread after each real probe of a configured target
  // (not for cached answers), once the waiting callers have their answer.
  using ProbeObserver = std::function<void(const Heartbeat&)>;

  HeartbeatService(const Config& config, HttpClient& http, Clock& clock,
                   ProbeObserver on_probe = {});
  ~HeartbeatService();  // stops and joins the probe threads
  HeartbeatService(const HeartbeatService&) = delete;
  HeartbeatService& operator=(const HeartbeatService&) = delete;

  // "github", "gcp", "cloudflare".
  static const std::vector<std::string>& Keys();

  // Calls `done` with the heartbeat of `key` (one of Keys()): on this thread
  // when the cache is fresh, else on the probe thread once the probe ends.
  void Get(const std::string& key, Callback done);
  // All targets, in Keys() order; `done` runs once the last one is known.
  void GetAll(AllCallback done);
  // Blocking forms (for the CLI).
  Heartbeat GetNow(const std::string& key);
  std::vector<Heartbeat> GetAllNow();

  // Called (on a probe thread) when a target's status or error changed.
  void SetOnChange(std::function<void(const Heartbeat&)> on_change);
  // Probes started so far (for tests and metrics).
  int ProbeCount() const { return probes_.load(); }

 private:
  struct Slot {
    std::string key;
    HeartbeatTarget target;
    std::optional<Heartbeat> cached;
    std::chrono::steady_clock::time_point checked_at;
    bool in_flight = false;
    std::vector<Callback> waiters;
    std::thread worker;
  };
  void Work(Slot* slot);
  Heartbeat ProbeOnce(const Slot& slot);
  Slot* Find(const std::string& key);

  const Config& config_;
  HttpClient& http_;
  Clock& clock_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::function<void(const Heartbeat&)> on_change_;
  const ProbeObserver on_probe_;
  std::atomic<int> probes_{0};
};

}  // namespace infinity_sync
