#include "server/metrics.h"

#include <cmath>

#include <fmt/format.h>

namespace infinity_sync {

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeHelp(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatMetricValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return fmt::format("{}", static_cast<long long>(value));
  }
  return fmt::format("{}", value);
}

std::string FormatPrometheus(const std::vector<MetricFamily>& families) {
  std::string out;
  for (const auto& f : families) {
    out += "# HELP " + f.name + " " + EscapeHelp(f.help) + "\n";
    out += "# TYPE " + f.name + " " + f.type + "\n";
    for (const auto& s : f.samples) {
      out += f.name + s.suffix;
      if (!s.labels.empty()) {
        out += "{";
        for (std::size_t i = 0; i < s.labels.size(); ++i) {
          if (i > 0) out += ",";
          out += s.labels[i].first + "=\"" + EscapeLabelValue(s.labels[i].second) + "\"";
        }
        out += "}";
      }
      out += " " + FormatMetricValue(s.value) + "\n";
    }
  }
  return out;
}

const std::vector<double>& RequestMetrics::Buckets() {
  static const std::vector<double> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                               0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return kBuckets;
}

void RequestMetrics::Record(std::string_view route, int code, std::chrono::microseconds latency) {
  double seconds = static_cast<double>(latency.count()) / 1e6;
  const auto& buckets = Buckets();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = routes_.find(route);
  if (it == routes_.end()) {
    it = routes_.emplace(std::string(route), RouteStats{}).first;
    it->second.counts.assign(buckets.size(), 0);
  }
  RouteStats& r = it->second;
  ++r.codes[code];
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    if (seconds <= buckets[i]) {
      ++r.counts[i];
      break;
    }
  }
  ++r.count;
  r.sum += seconds;
}

void RequestMetrics::AppendTo(std::vector<MetricFamily>* out) const {
  MetricFamily total{"infinity_sync_http_requests_total",
                     "HTTP requests answered, by route and code.",
                     "counter",
                     {}};
  MetricFamily duration{"infinity_sync_http_request_duration_seconds",
                        "Time from a request read to its answer, by route.",
                        "histogram",
                        {}};
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [route, r] : routes_) {
    for (const auto& [code, n] : r.codes) {
      total.samples.push_back(
          {"", {{"route", route}, {"code", std::to_string(code)}}, static_cast<double>(n)});
    }
  }
  for (const auto& [route, l] : routes_) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < Buckets().size(); ++i) {
      cumulative += l.counts[i];
      duration.samples.push_back({"_bucket",
                                  {{"route", route}, {"le", FormatMetricValue(Buckets()[i])}},
                                  static_cast<double>(cumulative)});
    }
    duration.samples.push_back(
        {"_bucket", {{"route", route}, {"le", "+Inf"}}, static_cast<double>(l.count)});
    duration.samples.push_back({"_sum", {{"route", route}}, l.sum});
    duration.samples.push_back({"_count", {{"route", route}}, static_cast<double>(l.count)});
  }
  out->push_back(std::move(total));
  out->push_back(std::move(duration));
}

ConfigReloads::ConfigReloads(std::chrono::system_clock::time_point loaded_at)
    : last_success_(loaded_at) {}

void ConfigReloads::Record(bool ok, std::chrono::system_clock::time_point at) {
  std::lock_guard<std::mutex> lock(mu_);
  last_ok_ = ok;
  if (ok) {
    ++succeeded_;
    last_success_ = at;
  } else {
    ++failed_;
  }
}

void ConfigReloads::AppendTo(std::vector<MetricFamily>* out) const {
  std::lock_guard<std::mutex> lock(mu_);
  MetricFamily total{"infinity_sync_config_reloads_total",
                     "Configuration reloads asked for with SIGHUP, by result.",
                     "counter",
                     {}};
  total.samples.push_back({"", {{"result", "success"}}, static_cast<double>(succeeded_)});
  total.samples.push_back({"", {{"result", "failure"}}, static_cast<double>(failed_)});
  MetricFamily last{"infinity_sync_config_last_reload_successful",
                    "1 when the last configuration load (start-up or SIGHUP) succeeded.",
                    "gauge",
                    {}};
  last.samples.push_back({"", {}, last_ok_ ? 1.0 : 0.0});
  MetricFamily when{"infinity_sync_config_last_reload_success_timestamp_seconds",
                    "When the configuration in use was loaded (Unix time).",
                    "gauge",
                    {}};
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(last_success_.time_since_epoch());
  when.samples.push_back({"", {}, static_cast<double>(ms.count()) / 1000.0});
  out->push_back(std::move(total));
  out->push_back(std::move(last));
  out->push_back(std::move(when));
}

}  // namespace infinity_sync
