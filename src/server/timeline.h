#pragma once

#include <chrono>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/history_store.h"

namespace infinity_sync {

// A time window cut into equal buckets, oldest first.
struct TimelineWindow {
  std::chrono::system_clock::time_point since;
  std::chrono::system_clock::time_point until;
  int buckets = 48;
};

// The dashboard's long view (GET /api/sync/history?kind=timeline):
//   {"since", "until", "buckets", "bucketMs",
//    "checks": {"GitSync": [null | {"status", "last", "runs"}, ...]},
//    "heartbeats": {"github": {"samples", "up", "uptimePercent",
//                              "latencyMs": {"avg", "max"},
//                              "buckets": [null | {"samples", "up", "latencyMs"}, ...]}}}
// per check, each bucket's worst status (failed > drift > neutral > good),
// its last one and how many runs it holds; per heartbeat target, the samples
// that answered ("healthy" or "degraded") against all that were judged
// ("unknown" is not counted), and the mean latency of the answered ones.
// A bucket without runs or samples is null; uptimePercent is null without
// samples. Runs and samples outside the window are left out; order does not
// matter.
nlohmann::json TimelineDocument(const std::vector<StoredRun>& runs,
                                const std::vector<HeartbeatSample>& samples,
                                const TimelineWindow& window);

}  // namespace infinity_sync
