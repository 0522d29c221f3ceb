#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "store/history_store.h"

namespace infinity_sync {

// {"id", "timestamp", "durationMs", "dryRun", "host", "project", "version",
//  "checks": [{"check", "Status", "Details", "Data", "durationMs"}]}
nlohmann::json ToJson(const StoredRun& run);
// {"check", "from", "to", "timestamp", "host", "project", "runId"}
nlohmann::json ToJson(const Transition& transition);

// {"runs": [...], "transitions": [...]}: what `history --json` and
// GET /api/sync/history answer. Errors come from the store.
Result<nlohmann::json> HistoryDocument(HistoryStore& store, const HistoryQuery& query);

// Parses a limit ("1".."1000"), a check name, an ISO-8601 since; the error
// names the parameter and what is allowed.
Result<int> ParseHistoryLimit(const std::string& text);
Status ParseHistorySince(const std::string& text, HistoryQuery* query);

}  // namespace infinity_sync
