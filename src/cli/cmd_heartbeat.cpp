#include <algorithm>
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/config_loading.h"
#include "cli/heartbeat_history.h"
#include "core/check_status.h"
#include "core/suggest.h"
#include "core/time_format.h"
#include "server/heartbeat.h"
#include "store/open_store.h"

namespace infinity_sync {

int CmdHeartbeat(const GlobalOptions& global, const std::string& target, bool json) {
  const auto& keys = HeartbeatService::Keys();
  if (!target.empty() && std::find(keys.begin(), keys.end(), target) == keys.end()) {
    std::string hint = ClosestMatch(target, keys);
    std::cerr << "infinity-sync: unknown heartbeat target \"" << target
              << "\" (github, gcp, cloudflare)"
              << (hint.empty() ? "" : "; did you mean \"" + hint + "\"?") << "\n";
    return kExitUsage;
  }
  auto config = LoadConfigOrReport(global.config);
  if (!config) return kExitConfig;

  // Each probe is also a heartbeat sample in the history (when there is one).
  std::unique_ptr<HistoryRecorder> history;
  if (auto store = OpenStore(*config); !store) {
    std::cerr << "infinity-sync: " << store.error() << "; heartbeat samples are not recorded\n";
  } else if (*store) {
    history = std::make_unique<HistoryRecorder>(std::move(*store));
  }
  CurlHttpClient http;
  RealClock clock;
  std::vector<Heartbeat> beats;
  {
    HeartbeatService service(*config, http, clock, RecordProbes(history.get(), *config, false));
    if (target.empty()) {
      beats = service.GetAllNow();
    } else {
      beats.push_back(service.GetNow(target));
    }
  }  // probe threads joined: every sample was written (or failed)
  if (history != nullptr && !history->LastHeartbeatError().empty()) {
    std::cerr << "infinity-sync: heartbeat samples not recorded in the history: "
              << history->LastHeartbeatError() << "\n";
  }

  if (json) {
    if (target.empty()) {
      nlohmann::json out = {{"timestamp", FormatIso8601(clock.Now())},
                            {"heartbeats", nlohmann::json::array()}};
      for (const auto& h : beats) out["heartbeats"].push_back(ToJson(h));
      std::cout << out.dump(2) << "\n";
    } else {
      std::cout << ToJson(beats.front()).dump(2) << "\n";
    }
  } else {
    std::cout << fmt::format("{:<32} {:<9} {:>8}  {}\n", "SERVICE", "STATUS", "TIME", "ERROR");
    for (const auto& h : beats) {
      std::cout << fmt::format("{:<32} {:<9} {:>5} ms  {}\n", h.service,
                               HeartbeatStateName(h.status), h.response_time_ms, h.error);
    }
  }
  // 0 all answered in time (or not configured), 1 something degraded, 2 something down.
  int code = kExitOk;
  for (const auto& h : beats) {
    if (h.status == HeartbeatState::kDown) code = kExitFailed;
    if (h.status == HeartbeatState::kDegraded && code == kExitOk) code = kExitDrift;
  }
  return code;
}

}  // namespace infinity_sync
