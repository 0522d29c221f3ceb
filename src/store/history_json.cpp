#include "store/history_json.h"

#include <charconv>

#include "core/time_format.h"

namespace infinity_sync {

using nlohmann::json;

json ToJson(const StoredRun& run) {
  json checks = json::array();
  for (const auto& c : run.checks) {
    checks.push_back({{"check", c.key},
                      {"Status", c.status},
                      {"Details", c.details},
                      {"Data", c.data},
                      {"durationMs", c.duration_ms}});
  }
  return {{"id", run.id},
          {"timestamp", FormatIso8601(run.timestamp)},
          {"durationMs", run.duration_ms},
          {"dryRun", run.dry_run},
          {"host", run.host},
          {"project", run.project},
          {"version", run.version},
          {"checks", std::move(checks)}};
}

json ToJson(const Transition& t) {
  return {{"check", t.check}, {"from", t.from},
          {"to", t.to},       {"timestamp", FormatIso8601(t.at)},
          {"host", t.host},   {"project", t.project},
          {"runId", t.run_id}};
}

Result<json> HistoryDocument(HistoryStore& store, const HistoryQuery& query) {
  auto runs = store.ListRuns(query);
  if (!runs) return Error{runs.error()};
  auto transitions = store.ListTransitions(query);
  if (!transitions) return Error{transitions.error()};
  json out = {{"runs", json::array()}, {"transitions", json::array()}};
  for (const auto& r : *runs) out["runs"].push_back(ToJson(r));
  for (const auto& t : *transitions) out["transitions"].push_back(ToJson(t));
  return out;
}

Result<int> ParseHistoryLimit(const std::string& text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 1 ||
      value > kMaxHistoryLimit) {
    return Error{"limit: expected a whole number from 1 to " + std::to_string(kMaxHistoryLimit) +
                 ", got \"" + text + "\""};
  }
  return value;
}

Status ParseHistorySince(const std::string& text, HistoryQuery* query) {
  auto t = ParseIso8601(text);
  if (!t) {
    return Error{"since: expected an ISO-8601 time such as 2026-01-01T00:00:00Z, got \"" + text +
                 "\""};
  }
  query->since = *t;
  return Ok{};
}

}  // namespace infinity_sync
