#pragma once

#include <memory>

#include "core/config.h"
#include "core/result.h"
#include "store/history_recorder.h"
#include "store/history_store.h"

namespace infinity_sync {

// The store named by `config.store`: "sqlite:/abs/path" (config resolves the
// path), "postgresql://..." or "postgres://...", or "none"/"" (returns
// nullptr: history is off). Does not connect: a database that is down is
// reported by the first call, so it never stops a run from starting.
Result<std::unique_ptr<HistoryStore>> OpenStore(const Config& config);

// Where runs that could not be written wait for the next write: beside the
// status file, "infinity-sync-history-pending.jsonl".
std::string PendingHistoryFile(const Config& config);

// The recorder every command that runs checks (`run`, `run --watch`, `serve`)
// writes through, with PendingHistoryFile(config); nullptr when history is
// off. The error is OpenStore's.
Result<std::unique_ptr<HistoryRecorder>> OpenHistoryRecorder(const Config& config);

}  // namespace infinity_sync
