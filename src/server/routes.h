#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "ports/file_system.h"
#include "server/heartbeat.h"
#include "server/http_types.h"
#include "server/live_loop.h"
#include "server/metrics.h"
#include "server/sse_hub.h"
#include "server/status_cache.h"
#include "store/history_recorder.h"

namespace infinity_sync {

// What the routes read and drive. Everything outlives the Api.
struct ApiDeps {
  const Config& config;
  Clock& clock;
  StatusCache& status;
  HeartbeatService& heartbeats;
  LiveLoop& loop;
  SseHub& hub;
  RequestMetrics& metrics;
  HistoryRecorder* history = nullptr;  // null: no store (history answers 404)
  // Asked who holds the run lock before a POSTed run starts; null: not asked.
  FileSystem* fs = nullptr;
  // serve's configuration reloads (SIGHUP) for /metrics; null: not shown.
  const ConfigReloads* reloads = nullptr;
  // With `projects:`, the rows of GET /api/projects; empty: that route is 404.
  std::function<nlohmann::json()> projects = nullptr;
  // With `projects:`, what GET /metrics answers instead (every project's
  // series); empty: this Api's own.
  std::function<void(Respond)> all_metrics = nullptr;
  // The SseHub channel of this Api's events (status, heartbeat): its
  // /api/sync/events streams listen to it. With `projects:`, the project's name.
  std::string events_channel = {};
};

// One exposition from several: families of the same name become one, their
// samples in order (each project's series already carry its labels).
std::vector<MetricFamily> MergeMetricFamilies(std::vector<std::vector<MetricFamily>> parts);

// One row of GET /api/projects from a project's configuration and its last
// status document: {name, environment, overall, lastRun, commit, fresh}.
nlohmann::json ProjectRow(const Config& config, const StatusCache::Snapshot& snap,
                          std::chrono::system_clock::time_point now);

// The REST API of SPEC section 5 as a request -> response function, free of
// sockets so that tests call it directly. Thread-safe.
class Api {
 public:
  explicit Api(ApiDeps deps) : d_(deps) {}

  const std::string& events_channel() const { return d_.events_channel; }

  // Answers `request` through `respond` (now, or from a heartbeat probe thread).
  // Applies the token rule, the Origin rule on POST, CORS, 404 and 405.
  void Handle(ServerRequest request, Respond respond);

  // The body of /api/sync/status (document + "fresh"), for the SSE status event.
  std::string StatusBody();

  // This project's /metrics families, labelled with its project and
  // environment; `shared`: also the server's own (requests, SSE clients,
  // reloads). Through `done`, now or from a heartbeat probe thread.
  void MetricFamilies(bool shared, std::function<void(std::vector<MetricFamily>)> done);

  // `route` label for metrics: the route template, or "other".
  static std::string RouteLabel(const std::string& path);

  // Who may call a route: with the token (every API route), anyone (/healthz,
  // the dashboard's files, which hold no data), or anyone when
  // server.public_badges is set (the badges).
  enum class Access { kToken, kOpen, kPublicBadge };
  // One row per route, the only place a route is named: matching (an exact
  // path, or a prefix, or a match function), its method, its metrics label
  // and documentation name, who may call it, and what answers it. Handle
  // classifies (404, 405, Allow, the label), applies the token rule and
  // dispatches from it; docs/api.md is checked against it.
  struct Route {
    const char* path;    // exact path, or the prefix when `prefix`
    bool prefix;         // match every path starting with `path`
    const char* method;  // GET (HEAD too) or POST
    const char* label;   // the route template: metrics label, docs
    Access access;
    void (*answer)(Api& api, const ServerRequest& request, const Respond& respond);
  };
  static const std::vector<Route>& Routes();

  // The routes' bodies built from the status snapshot and the heartbeats are
  // serialized once per change of either; only "fresh" and "timestamp" are
  // added per request. Times such a body was rebuilt (for tests).
  int BodyRebuilds() const;

 private:
  // A serialized JSON part and what it was built from.
  struct CachedPart {
    std::shared_ptr<const StatusCache::Snapshot> snap;  // null for heartbeat-only parts
    std::vector<Heartbeat> beats;
    std::shared_ptr<const std::string> text;
  };
  // "[{heartbeat},...]", rebuilt when a heartbeat changed.
  std::shared_ptr<const std::string> HeartbeatsArray(const std::vector<Heartbeat>& beats);
  // The overview without "syncStatusFresh" and "timestamp" and its closing brace.
  std::shared_ptr<const std::string> OverviewPrefix(
      const std::shared_ptr<const StatusCache::Snapshot>& snap,
      const std::vector<Heartbeat>& beats);

  void Heartbeats(const Respond& respond);
  void HeartbeatOf(const std::string& path, const Respond& respond);
  ServerResponse StartRun();
  void Overview(const Respond& respond);
  void Metrics(const Respond& respond);
  ServerResponse History(const std::string& query);
  ServerResponse Timeline(HistoryQuery query, int buckets);
  ServerResponse Fleet();
  ServerResponse Projects();
  ServerResponse Healthz();
  ServerResponse Status();
  ServerResponse Asset(const std::string& path);
  ServerResponse Badge(const std::string& path);

  ApiDeps d_;
  mutable std::mutex cache_mu_;
  CachedPart beats_part_;
  CachedPart overview_part_;
  int rebuilds_ = 0;
};

// Constant-time comparison of a presented secret with the expected one.
bool SecretEquals(const std::string& presented, const std::string& expected);

}  // namespace infinity_sync
