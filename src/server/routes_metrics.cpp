// GET /metrics: the status document, the heartbeats and the server's own
// request counters in Prometheus text format, every series labelled with the
// project and environment.
#include "server/routes.h"

#include <algorithm>

namespace infinity_sync {

void Api::Metrics(const Respond& respond) {
  if (d_.all_metrics) return d_.all_metrics(respond);  // projects: every project's series
  MetricFamilies(/*shared=*/true, [respond](std::vector<MetricFamily> families) {
    ServerResponse r;
    r.content_type = kPrometheusContentType;
    r.body = FormatPrometheus(families);
    respond(std::move(r));
  });
}

void Api::MetricFamilies(bool shared, std::function<void(std::vector<MetricFamily>)> done) {
  d_.heartbeats.GetAll([this, shared, done](std::vector<Heartbeat> beats) {
    std::vector<MetricFamily> families;
    auto snap = d_.status.Get();

    MetricFamily checks{"infinity_sync_check_status",
                        "1 for each check with its current status in the last status document.",
                        "gauge",
                        {}};
    MetricFamily last_run{"infinity_sync_last_run_timestamp_seconds",
                          "When the last status document was written (Unix time).",
                          "gauge",
                          {}};
    MetricFamily duration{
        "infinity_sync_last_run_duration_seconds", "How long the last run took.", "gauge", {}};
    MetricFamily fresh{"infinity_sync_status_fresh",
                       "1 when the last status document is younger than fresh_for.",
                       "gauge",
                       {}};
    MetricFamily available{
        "infinity_sync_status_available", "1 when a valid status document exists.", "gauge", {}};
    available.samples.push_back({"", {}, snap->http_status == 200 ? 1.0 : 0.0});
    if (snap->http_status == 200) {
      if (snap->doc.contains("status") && snap->doc["status"].is_object()) {
        for (const auto& [key, check] : snap->doc["status"].items()) {
          std::string status =
              check.is_object() && check.contains("Status") && check["Status"].is_string()
                  ? check["Status"].get<std::string>()
                  : "unknown";
          checks.samples.push_back({"", {{"check", key}, {"status", status}}, 1});
        }
      }
      if (snap->has_timestamp) {
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      snap->timestamp.time_since_epoch())
                      .count();
        last_run.samples.push_back({"", {}, static_cast<double>(ms) / 1000.0});
      }
      if (snap->doc.contains("durationMs") && snap->doc["durationMs"].is_number()) {
        duration.samples.push_back({"", {}, snap->doc["durationMs"].get<double>() / 1000.0});
      }
    }
    fresh.samples.push_back(
        {"", {}, StatusCache::IsFresh(*snap, d_.clock.Now(), d_.config.fresh_for) ? 1.0 : 0.0});
    families.push_back(std::move(checks));
    families.push_back(std::move(last_run));
    families.push_back(std::move(duration));
    families.push_back(std::move(fresh));
    families.push_back(std::move(available));

    MetricFamily up{"infinity_sync_heartbeat_up",
                    "1 when the target answered the last heartbeat (healthy or degraded).",
                    "gauge",
                    {}};
    MetricFamily state{"infinity_sync_heartbeat_status",
                       "1 for each heartbeat target with its current status.",
                       "gauge",
                       {}};
    MetricFamily latency{"infinity_sync_heartbeat_response_seconds",
                         "Response time of the last heartbeat.",
                         "gauge",
                         {}};
    for (const auto& h : beats) {
      bool answered = h.status == HeartbeatState::kHealthy || h.status == HeartbeatState::kDegraded;
      up.samples.push_back({"", {{"target", h.key}, {"service", h.service}}, answered ? 1.0 : 0.0});
      state.samples.push_back(
          {"", {{"target", h.key}, {"status", HeartbeatStateName(h.status)}}, 1});
      latency.samples.push_back(
          {"", {{"target", h.key}}, static_cast<double>(h.response_time_ms) / 1000.0});
    }
    families.push_back(std::move(up));
    families.push_back(std::move(state));
    families.push_back(std::move(latency));

    MetricFamily running{"infinity_sync_sync_running", "1 while a sync runs.", "gauge", {}};
    running.samples.push_back({"", {}, d_.loop.Running() ? 1.0 : 0.0});
    MetricFamily runs{
        "infinity_sync_syncs_started_total", "Syncs started by this server.", "counter", {}};
    runs.samples.push_back({"", {}, static_cast<double>(d_.loop.Runs())});
    families.push_back(std::move(running));
    families.push_back(std::move(runs));
    if (shared) {
      MetricFamily clients{
          "infinity_sync_sse_clients", "Open /api/sync/events streams.", "gauge", {}};
      clients.samples.push_back({"", {}, static_cast<double>(d_.hub.ClientCount())});
      families.push_back(std::move(clients));
      d_.metrics.AppendTo(&families);
      if (d_.reloads != nullptr) d_.reloads->AppendTo(&families);
    }
    // Every series names the project and environment it speaks for, so one
    // scrape config (and one alert rule) covers a fleet of servers.
    // (The server's own series, shared by every project, name the first.)
    for (auto& family : families) {
      for (auto& sample : family.samples) {
        sample.labels.insert(sample.labels.begin(), {{"project", d_.config.project},
                                                     {"environment", d_.config.environment}});
      }
    }
    done(std::move(families));
  });
}

std::vector<MetricFamily> MergeMetricFamilies(std::vector<std::vector<MetricFamily>> parts) {
  std::vector<MetricFamily> out;
  for (auto& part : parts) {
    for (auto& family : part) {
      auto same = std::find_if(out.begin(), out.end(),
                               [&](const MetricFamily& f) { return f.name == family.name; });
      if (same == out.end()) {
        out.push_back(std::move(family));
      } else {
        for (auto& sample : family.samples) same->samples.push_back(std::move(sample));
      }
    }
  }
  return out;
}

}  // namespace infinity_sync
