#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace infinity_sync {

// One line of the exposition: name suffix ("_bucket", "_sum", "" ...), labels, value.
struct MetricSample {
  std::string suffix;
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
};

// One metric family: "# HELP" and "# TYPE" then its samples.
struct MetricFamily {
  std::string name;
  std::string help;
  std::string type;  // gauge | counter | histogram | untyped
  std::vector<MetricSample> samples;
};

// Prometheus text exposition format 0.0.4.
std::string FormatPrometheus(const std::vector<MetricFamily>& families);
// A label value with \\, \" and \n escaped, as the format requires.
std::string EscapeLabelValue(std::string_view value);
// HELP text with \\ and \n escaped.
std::string EscapeHelp(std::string_view text);
// 3, 0.25, +Inf, -Inf, NaN.
std::string FormatMetricValue(double value);

// The content type of FormatPrometheus's output.
inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

// Request counts and latencies by route and code. Thread-safe.
class RequestMetrics {
 public:
  // Allocates only the first time a route is seen.
  void Record(std::string_view route, int code, std::chrono::microseconds latency);
  // infinity_sync_http_requests_total{route,code} and
  // infinity_sync_http_request_duration_seconds{route} (histogram).
  void AppendTo(std::vector<MetricFamily>* out) const;

  static const std::vector<double>& Buckets();  // seconds, upper bounds

 private:
  struct RouteStats {
    std::map<int, std::uint64_t> codes;  // requests by status code
    std::vector<std::uint64_t> counts;   // per latency bucket (not cumulative)
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::string, RouteStats, std::less<>> routes_;
};

// What `serve` did with its configuration on SIGHUP, as Prometheus's own
// server exposes it. The start-up load counts as the first success.
// Thread-safe.
class ConfigReloads {
 public:
  explicit ConfigReloads(std::chrono::system_clock::time_point loaded_at);
  void Record(bool ok, std::chrono::system_clock::time_point at);
  // infinity_sync_config_reloads_total{result="success"|"failure"},
  // infinity_sync_config_last_reload_successful and
  // infinity_sync_config_last_reload_success_timestamp_seconds.
  void AppendTo(std::vector<MetricFamily>* out) const;

 private:
  mutable std::mutex mu_;
  std::uint64_t succeeded_ = 0;
  std::uint64_t failed_ = 0;
  bool last_ok_ = true;
  std::chrono::system_clock::time_point last_success_;
};

}  // namespace infinity_sync
