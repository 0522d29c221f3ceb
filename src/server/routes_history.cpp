// GET /api/sync/history, GET /api/fleet and the history part of /healthz.
#include <curl/curl.h>

#include "core/duration.h"
#include "server/routes.h"
#include "server/timeline.h"
#include "store/history_json.h"

namespace infinity_sync {
namespace {

ServerResponse JsonBody(int status, std::string body) {
  ServerResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}
ServerResponse JsonBody(int status, const nlohmann::json& body) {
  return JsonBody(status, body.dump());
}

// Percent-decoding of one query component, by libcurl.
std::string Unescaped(const std::string& text) {
  int length = 0;
  char* out = curl_easy_unescape(nullptr, text.c_str(), static_cast<int>(text.size()), &length);
  if (out == nullptr) return text;
  std::string s(out, static_cast<std::size_t>(length));
  curl_free(out);
  return s;
}

// What kind=timeline reads from the store at most (7 days of a run every 2
// minutes; of a probe every 12 s per target).
constexpr int kTimelineMaxRuns = 5000;
constexpr int kTimelineMaxSamples = 150000;
constexpr int kTimelineMaxBuckets = 500;

}  // namespace

ServerResponse Api::History(const std::string& query) {
  if (d_.history == nullptr) {
    return JsonError(404,
                     "history is off (store: none); set store: sqlite:PATH or postgresql://...");
  }
  HistoryQuery q;
  // A store may be shared (projects:, PostgreSQL): this project's runs only.
  q.project = d_.config.project;
  bool heartbeats = false;
  bool timeline = false;
  int buckets = 0;
  std::size_t start = 0;
  while (start <= query.size() && !query.empty()) {
    std::size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    std::string part = query.substr(start, end - start);
    start = end + 1;
    if (part.empty()) continue;
    std::size_t eq = part.find('=');
    std::string key = Unescaped(part.substr(0, eq));
    std::string value = eq == std::string::npos ? "" : Unescaped(part.substr(eq + 1));
    if (key == "limit") {
      auto limit = ParseHistoryLimit(value);
      if (!limit) return JsonError(400, limit.error());
      q.limit = *limit;
    } else if (key == "check") {
      if (value.empty()) return JsonError(400, "check: expected a check name such as GitSync");
      q.check = value;
    } else if (key == "since") {
      // A duration ("24h", "7d") counts back from now; else an ISO-8601 time.
      if (!value.empty() && value[0] >= '0' && value[0] <= '9' && value.find('-') == value.npos) {
        auto ago = ParseDuration(value);
        if (!ago || ago->count() <= 0) {
          return JsonError(400,
                           "since: expected a duration such as 24h or 7d, or an ISO-8601 "
                           "time, got \"" +
                               value + "\"");
        }
        q.since = d_.clock.Now() - *ago;
      } else if (auto s = ParseHistorySince(value, &q); !s) {
        return JsonError(400, s.error());
      }
    } else if (key == "kind") {
      if (value != "runs" && value != "heartbeats" && value != "timeline") {
        return JsonError(400, "kind: expected runs, heartbeats or timeline, got \"" + value + "\"");
      }
      heartbeats = value == "heartbeats";
      timeline = value == "timeline";
    } else if (key == "buckets") {
      auto n = ParseHistoryLimit(value);
      if (!n || *n > kTimelineMaxBuckets) {
        return JsonError(400, "buckets: expected a number from 1 to " +
                                  std::to_string(kTimelineMaxBuckets) + ", got \"" + value + "\"");
      }
      buckets = *n;
    } else if (key == "target") {
      if (auto t = ParseHistoryTarget(value, HeartbeatService::Keys(), &q); !t) {
        return JsonError(400, t.error());
      }
    } else {
      return JsonError(400, "unknown parameter \"" + key +
                                "\" (allowed: kind, limit, check, since, target, buckets)");
    }
  }
  if (buckets != 0 && !timeline) return JsonError(400, "buckets: only with kind=timeline");
  if (timeline) return Timeline(q, buckets == 0 ? 48 : buckets);
  if (heartbeats && !q.check.empty()) {
    return JsonError(400, "check: only with kind=runs; heartbeat samples take target");
  }
  if (!heartbeats && !q.target.empty()) return JsonError(400, "target: needs kind=heartbeats");
  if (heartbeats) {
    auto doc = HeartbeatsDocument(d_.history->store(), q);
    if (!doc) return JsonError(503, doc.error());
    return JsonBody(200, *doc);
  }
  auto doc = HistoryDocumentText(d_.history->store(), q);
  if (!doc) return JsonError(503, doc.error());
  return JsonBody(200, std::move(*doc));
}

// GET /api/fleet: the latest run of every (project, environment) any writer
// recorded in the store.
ServerResponse Api::Fleet() {
  if (d_.history == nullptr) {
    return JsonError(404,
                     "history is off (store: none); the fleet is read from the store: set store: "
                     "postgresql://... (shared) or sqlite:PATH");
  }
  auto doc = FleetDocument(d_.history->store(), d_.clock.Now());
  if (!doc) return JsonError(503, doc.error());
  return JsonBody(200, *doc);
}

ServerResponse Api::Timeline(HistoryQuery q, int buckets) {
  if (!q.check.empty() || !q.target.empty()) {
    return JsonError(400, "kind=timeline takes since and buckets (every check and target)");
  }
  TimelineWindow window;
  window.until = d_.clock.Now();
  window.since = q.since.value_or(window.until - std::chrono::hours(24));
  if (window.since >= window.until) return JsonError(400, "since: must be in the past");
  window.buckets = buckets;
  q.since = window.since;
  q.limit = kTimelineMaxRuns;
  auto runs = d_.history->store().ListRuns(q);
  if (!runs) return JsonError(503, runs.error());
  q.limit = kTimelineMaxSamples;
  auto samples = d_.history->store().ListHeartbeats(q);
  if (!samples) return JsonError(503, samples.error());
  return JsonBody(200, TimelineDocument(*runs, *samples, window));
}

ServerResponse Api::Healthz() {
  nlohmann::json body = {{"status", "ok"}};
  if (d_.history != nullptr) {
    nlohmann::json history = {{"store", d_.history->store().Describe()}};
    std::string error = d_.history->LastError();
    if (!error.empty()) {
      history["error"] = error;
      history["pendingRuns"] = d_.history->Pending();
    }
    std::string heartbeat_error = d_.history->LastHeartbeatError();
    if (!heartbeat_error.empty()) {
      history["heartbeatError"] = heartbeat_error;
      history["pendingHeartbeats"] = d_.history->PendingHeartbeats();
    }
    body["history"] = std::move(history);
  }
  return JsonBody(200, body);
}

}  // namespace infinity_sync
