#include "cli/heartbeat_history.h"

#include <iostream>
#include <memory>
#include <mutex>

#include "engine/runner.h"

namespace infinity_sync {

HeartbeatSample SampleOf(const Heartbeat& h, const Config& config) {
  static const std::string host = HostName();
  HeartbeatSample s;
  s.timestamp = h.last_check;
  s.host = host;
  s.project = config.project;
  s.target = h.key;
  s.state = HeartbeatStateName(h.status);
  s.http_status = h.http_status;
  s.latency_ms = h.response_time_ms;
  s.error = h.error;
  return s;
}

HeartbeatService::ProbeObserver RecordProbes(HistoryRecorder* recorder, const Config& config,
                                             bool report_errors) {
  if (recorder == nullptr) return {};
  struct Reported {
    std::mutex mu;
    std::string last;
  };
  auto reported = std::make_shared<Reported>();
  return [recorder, &config, report_errors, reported](const Heartbeat& h) {
    std::string error = recorder->RecordHeartbeat(SampleOf(h, config));
    if (!report_errors) return;
    std::lock_guard lock(reported->mu);
    if (!error.empty() && error != reported->last) {
      std::cerr << "infinity-sync: heartbeat samples not recorded in the history (kept in "
                   "memory): "
                << error << "\n";
    }
    reported->last = error;
  };
}

}  // namespace infinity_sync
