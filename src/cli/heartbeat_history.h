#pragma once

#include <string>

#include "core/config.h"
#include "server/heartbeat.h"
#include "store/history_recorder.h"

namespace infinity_sync {

// A heartbeat probe as a history sample of this machine and `config.project`.
HeartbeatSample SampleOf(const Heartbeat& heartbeat, const Config& config);

// The HeartbeatService observer that records each real probe through
// `recorder` (nullptr: history is off; the observer does nothing). With
// `report_errors`, a failed write goes to stderr (once per distinct error).
HeartbeatService::ProbeObserver RecordProbes(HistoryRecorder* recorder, const Config& config,
                                             bool report_errors);

}  // namespace infinity_sync
