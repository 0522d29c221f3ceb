#include "server/timeline.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "core/check_status.h"
#include "core/time_format.h"

namespace infinity_sync {
namespace {

using std::chrono::milliseconds;

int Severity(const std::string& status) {
  switch (VerdictOfName(status)) {
    case Verdict::kGood:
      return 0;
    case Verdict::kNeutral:
      return 1;
    case Verdict::kDrift:
      return 2;
    case Verdict::kFailed:
      break;
  }
  return 3;
}

struct CheckBucket {
  std::string worst;
  std::string last;
  std::chrono::system_clock::time_point last_at;
  int runs = 0;
};

struct BeatBucket {
  int samples = 0;
  int up = 0;
  std::int64_t latency_sum = 0;  // of the samples that answered
};

double Rounded(double v) { return std::round(v * 100.0) / 100.0; }

}  // namespace

nlohmann::json TimelineDocument(const std::vector<StoredRun>& runs,
                                const std::vector<HeartbeatSample>& samples,
                                const TimelineWindow& window) {
  const int n = std::max(window.buckets, 1);
  const auto span = std::max(std::chrono::duration_cast<milliseconds>(window.until - window.since),
                             milliseconds(n));
  const std::int64_t bucket_ms = span.count() / n;
  // The bucket of `t`, or nullopt outside [since, until].
  auto index = [&](std::chrono::system_clock::time_point t) -> std::optional<int> {
    if (t < window.since || t > window.until) return std::nullopt;
    auto off = std::chrono::duration_cast<milliseconds>(t - window.since).count();
    return static_cast<int>(std::min<std::int64_t>(off / bucket_ms, n - 1));
  };

  std::map<std::string, std::vector<CheckBucket>> checks;
  for (const auto& run : runs) {
    auto i = index(run.timestamp);
    if (!i) continue;
    for (const auto& c : run.checks) {
      auto& row = checks[c.key];
      if (row.empty()) row.resize(static_cast<std::size_t>(n));
      CheckBucket& b = row[static_cast<std::size_t>(*i)];
      if (b.runs == 0 || Severity(c.status) > Severity(b.worst)) b.worst = c.status;
      if (b.runs == 0 || run.timestamp >= b.last_at) {
        b.last = c.status;
        b.last_at = run.timestamp;
      }
      ++b.runs;
    }
  }

  std::map<std::string, std::vector<BeatBucket>> beats;
  for (const auto& s : samples) {
    if (s.state == "unknown") continue;
    auto i = index(s.timestamp);
    if (!i) continue;
    auto& row = beats[s.target];
    if (row.empty()) row.resize(static_cast<std::size_t>(n));
    BeatBucket& b = row[static_cast<std::size_t>(*i)];
    ++b.samples;
    if (s.state != "down") {
      ++b.up;
      b.latency_sum += s.latency_ms;
    }
  }

  nlohmann::json doc = {{"since", FormatIso8601(window.since)},
                        {"until", FormatIso8601(window.until)},
                        {"buckets", n},
                        {"bucketMs", bucket_ms},
                        {"checks", nlohmann::json::object()},
                        {"heartbeats", nlohmann::json::object()}};
  for (const auto& [key, row] : checks) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& b : row) {
      out.push_back(b.runs == 0
                        ? nlohmann::json(nullptr)
                        : nlohmann::json{{"status", b.worst}, {"last", b.last}, {"runs", b.runs}});
    }
    doc["checks"][key] = std::move(out);
  }
  for (const auto& [target, row] : beats) {
    int total = 0;
    int up = 0;
    std::int64_t latency_sum = 0;
    std::int64_t latency_max = 0;
    nlohmann::json out = nlohmann::json::array();
    for (const auto& b : row) {
      total += b.samples;
      up += b.up;
      latency_sum += b.latency_sum;
      if (b.samples == 0) {
        out.push_back(nullptr);
        continue;
      }
      nlohmann::json bucket = {{"samples", b.samples}, {"up", b.up}, {"latencyMs", nullptr}};
      if (b.up > 0) {
        std::int64_t mean = b.latency_sum / b.up;
        bucket["latencyMs"] = mean;
        latency_max = std::max(latency_max, mean);
      }
      out.push_back(std::move(bucket));
    }
    nlohmann::json latency = {{"avg", nullptr}, {"max", nullptr}};
    if (up > 0) latency = {{"avg", latency_sum / up}, {"max", latency_max}};
    doc["heartbeats"][target] = {
        {"samples", total},
        {"up", up},
        {"uptimePercent",
         total > 0 ? nlohmann::json(Rounded(100.0 * up / total)) : nlohmann::json(nullptr)},
        {"latencyMs", std::move(latency)},
        {"buckets", std::move(out)}};
  }
  return doc;
}

}  // namespace infinity_sync
