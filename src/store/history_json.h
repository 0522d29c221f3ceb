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
// "synced", "drift" or "failed" for an exit code 0, 1, 2 of the required checks.
const char* OverallWord(int exit_code);
// {"check", "from", "to", "timestamp", "host", "project", "runId"}
nlohmann::json ToJson(const Transition& transition);
// {"timestamp", "host", "project", "target", "state", "httpStatus", "latencyMs", "error"}
// (httpStatus null without an HTTP answer; error "" when healthy).
nlohmann::json ToJson(const HeartbeatSample& sample);

// A run back from ToJson(StoredRun) (the pending-runs file); the error says
// what is missing.
Result<StoredRun> StoredRunFromJson(const nlohmann::json& json);

// {"runs": [...], "transitions": [...]}: what `history --json` and
// GET /api/sync/history answer, as compact JSON text. Built by joining JSON
// fragments: the stored Details and Data texts are copied, not re-parsed.
// Errors come from the store.
Result<std::string> HistoryDocumentText(HistoryStore& store, const HistoryQuery& query);
// The same document through nlohmann::json (the reference the text is tested
// against).
Result<nlohmann::json> HistoryDocument(HistoryStore& store, const HistoryQuery& query);
// {"heartbeats": [...]}: GET /api/sync/history?kind=heartbeats, `history --heartbeats`.
// The fleet at `now`: {"timestamp", "runs": [{project, environment, host,
// timestamp, ageSeconds, fresh, stale, overall, commit, deployCommit, live,
// dryRun, version, runId, statuses: {key: Status}}]}, the latest run of every
// (project, environment) in the store. A run older than its fresh_for (5m when
// it recorded none) is stale.
Result<nlohmann::json> FleetDocument(HistoryStore& store,
                                     std::chrono::system_clock::time_point now);
// One fleet row as FleetDocument writes it.
nlohmann::json FleetRow(const StoredRun& run, std::chrono::system_clock::time_point now);

Result<nlohmann::json> HeartbeatsDocument(HistoryStore& store, const HistoryQuery& query);

// Parses a limit ("1".."1000"), a check name, an ISO-8601 since; the error
// names the parameter and what is allowed.
Result<int> ParseHistoryLimit(const std::string& text);
Status ParseHistorySince(const std::string& text, HistoryQuery* query);
// A heartbeat target, one of `targets` (HeartbeatService::Keys()).
Status ParseHistoryTarget(const std::string& text, const std::vector<std::string>& targets,
                          HistoryQuery* query);

}  // namespace infinity_sync
