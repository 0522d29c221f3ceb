#include "store/history_json.h"

#include <algorithm>
#include <charconv>

#include "core/status_json.h"
#include "core/time_format.h"

namespace infinity_sync {

using nlohmann::json;

namespace {

json ParsedOr(const std::string& text, json fallback) {
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return parsed.is_discarded() ? fallback : parsed;
}

// A JSON string literal, escaped by nlohmann::json.
void AppendString(std::string& out, const std::string& text) { out += json(text).dump(); }

// Stored JSON text as it is when it is JSON of the expected kind, else the
// fallback (a database edited by hand must not break the answer). The check
// is a parse without building anything.
void AppendStored(std::string& out, const std::string& text, char open, const char* fallback) {
  if (!text.empty() && text.front() == open && json::accept(text)) {
    out += text;
  } else {
    out += fallback;
  }
}

// A stored text that may be unknown (empty): the text, or null.
json TextOrNull(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }
json BoolOrNull(const std::optional<bool>& b) { return b ? json(*b) : json(nullptr); }

void AppendSummary(std::string& out, const StoredRun& run) {
  out += ",\"environment\":";
  AppendString(out, run.environment);
  out += ",\"commit\":";
  out += TextOrNull(run.commit).dump();
  out += ",\"deployCommit\":";
  out += TextOrNull(run.deploy_commit).dump();
  out += ",\"overall\":";
  AppendString(out, run.overall);
  out += ",\"live\":";
  out += BoolOrNull(run.live).dump();
  out += ",\"freshForMs\":";
  out += std::to_string(run.fresh_for_ms);
}

void AppendRun(std::string& out, const StoredRun& run) {
  out += "{\"id\":";
  out += std::to_string(run.id);
  out += ",\"timestamp\":\"";
  out += FormatIso8601(run.timestamp);
  out += "\",\"durationMs\":";
  out += std::to_string(run.duration_ms);
  out += ",\"dryRun\":";
  out += run.dry_run ? "true" : "false";
  out += ",\"host\":";
  AppendString(out, run.host);
  out += ",\"project\":";
  AppendString(out, run.project);
  out += ",\"version\":";
  AppendString(out, run.version);
  AppendSummary(out, run);
  out += ",\"checks\":[";
  bool first = true;
  for (const auto& c : run.checks) {
    if (!first) out += ',';
    first = false;
    out += "{\"check\":";
    AppendString(out, c.key);
    out += ",\"Status\":";
    AppendString(out, c.status);
    out += ",\"Details\":";
    AppendStored(out, c.details_json, '[', "[]");
    out += ",\"Data\":";
    AppendStored(out, c.data_json, '{', "{}");
    out += ",\"durationMs\":";
    out += std::to_string(c.duration_ms);
    out += '}';
  }
  out += "]}";
}

void AppendTransition(std::string& out, const Transition& t) {
  out += "{\"check\":";
  AppendString(out, t.check);
  out += ",\"from\":";
  AppendString(out, t.from);
  out += ",\"to\":";
  AppendString(out, t.to);
  out += ",\"timestamp\":\"";
  out += FormatIso8601(t.at);
  out += "\",\"host\":";
  AppendString(out, t.host);
  out += ",\"project\":";
  AppendString(out, t.project);
  out += ",\"runId\":";
  out += std::to_string(t.run_id);
  out += '}';
}

}  // namespace

const char* OverallWord(int exit_code) {
  return exit_code == 0 ? "synced" : exit_code == 1 ? "drift" : "failed";
}

json StoredCheck::Details() const { return ParsedOr(details_json, json::array()); }
json StoredCheck::Data() const { return ParsedOr(data_json, json::object()); }

StoredRun ToStoredRun(const SyncStatus& status) {
  StoredRun run;
  run.timestamp = status.timestamp;
  run.duration_ms = status.duration_ms;
  run.dry_run = status.dry_run;
  run.host = status.host;
  run.project = status.project;
  run.version = status.version;
  run.environment = status.environment;
  run.fresh_for_ms = status.fresh_for_ms;
  std::vector<Verdict> verdicts;
  for (const auto& named : status.results) {
    if (named.required) verdicts.push_back(VerdictOf(named.result.status));
  }
  run.overall = OverallWord(ExitCodeFor(verdicts));
  if (status.lineage) {
    run.deploy_commit = status.lineage->commit;
    if (const LineageHop* local = status.lineage->Find("local")) run.commit = local->commit;
    run.live = status.lineage->live;
  }
  run.checks.reserve(status.results.size());
  for (const auto& named : status.results) {
    json doc = ToJson(named.result);
    run.checks.push_back({named.key, doc["Status"].get<std::string>(), doc["Details"].dump(),
                          doc["Data"].dump(), named.result.duration_ms});
  }
  return run;
}

json ToJson(const StoredRun& run) {
  json checks = json::array();
  for (const auto& c : run.checks) {
    checks.push_back({{"check", c.key},
                      {"Status", c.status},
                      {"Details", c.Details()},
                      {"Data", c.Data()},
                      {"durationMs", c.duration_ms}});
  }
  return {{"id", run.id},
          {"timestamp", FormatIso8601(run.timestamp)},
          {"durationMs", run.duration_ms},
          {"dryRun", run.dry_run},
          {"host", run.host},
          {"project", run.project},
          {"version", run.version},
          {"environment", run.environment},
          {"commit", TextOrNull(run.commit)},
          {"deployCommit", TextOrNull(run.deploy_commit)},
          {"overall", run.overall},
          {"live", BoolOrNull(run.live)},
          {"freshForMs", run.fresh_for_ms},
          {"checks", std::move(checks)}};
}

json ToJson(const Transition& t) {
  return {{"check", t.check}, {"from", t.from},
          {"to", t.to},       {"timestamp", FormatIso8601(t.at)},
          {"host", t.host},   {"project", t.project},
          {"runId", t.run_id}};
}

json ToJson(const HeartbeatSample& h) {
  return {{"timestamp", FormatIso8601(h.timestamp)},
          {"host", h.host},
          {"project", h.project},
          {"target", h.target},
          {"state", h.state},
          {"httpStatus", h.http_status > 0 ? json(h.http_status) : json(nullptr)},
          {"latencyMs", h.latency_ms},
          {"error", h.error}};
}

Result<StoredRun> StoredRunFromJson(const json& j) {
  try {
    StoredRun run;
    auto at = ParseIso8601(j.at("timestamp").get<std::string>());
    if (!at) return Error{"timestamp: not an ISO-8601 time"};
    run.timestamp = *at;
    run.duration_ms = j.at("durationMs").get<std::int64_t>();
    run.dry_run = j.at("dryRun").get<bool>();
    run.host = j.at("host").get<std::string>();
    run.project = j.at("project").get<std::string>();
    run.version = j.at("version").get<std::string>();
    // Written by versions before the fleet: absent, so defaults.
    run.environment = j.value("environment", std::string());
    auto text_or_empty = [&](const char* key) {
      return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
    };
    run.commit = text_or_empty("commit");
    run.deploy_commit = text_or_empty("deployCommit");
    run.overall = text_or_empty("overall");
    if (j.contains("live") && j["live"].is_boolean()) run.live = j["live"].get<bool>();
    run.fresh_for_ms = j.value("freshForMs", std::int64_t{0});
    for (const auto& c : j.at("checks")) {
      run.checks.push_back({c.at("check").get<std::string>(), c.at("Status").get<std::string>(),
                            c.at("Details").dump(), c.at("Data").dump(),
                            c.at("durationMs").get<std::int64_t>()});
    }
    return run;
  } catch (const json::exception& e) {
    return Error{std::string("not a recorded run: ") + e.what()};
  }
}

Result<std::string> HistoryDocumentText(HistoryStore& store, const HistoryQuery& query) {
  auto runs = store.ListRuns(query);
  if (!runs) return Error{runs.error()};
  auto transitions = store.ListTransitions(query);
  if (!transitions) return Error{transitions.error()};
  std::string out;
  out.reserve(1024 + runs->size() * 1024);
  out += "{\"runs\":[";
  for (std::size_t i = 0; i < runs->size(); ++i) {
    if (i > 0) out += ',';
    AppendRun(out, (*runs)[i]);
  }
  out += "],\"transitions\":[";
  for (std::size_t i = 0; i < transitions->size(); ++i) {
    if (i > 0) out += ',';
    AppendTransition(out, (*transitions)[i]);
  }
  out += "]}";
  return out;
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

json FleetRow(const StoredRun& run, std::chrono::system_clock::time_point now) {
  using std::chrono::milliseconds;
  auto age = std::chrono::duration_cast<milliseconds>(now - run.timestamp);
  milliseconds fresh_for(run.fresh_for_ms > 0 ? run.fresh_for_ms : 300'000);
  bool fresh = age <= fresh_for;
  json statuses = json::object();
  for (const auto& c : run.checks) statuses[c.key] = c.status;
  return {{"project", run.project},
          {"environment", run.environment},
          {"host", run.host},
          {"timestamp", FormatIso8601(run.timestamp)},
          {"ageSeconds", std::max<std::int64_t>(0, age.count() / 1000)},
          {"fresh", fresh},
          {"stale", !fresh},
          {"overall", TextOrNull(run.overall)},
          {"commit", TextOrNull(run.commit)},
          {"deployCommit", TextOrNull(run.deploy_commit)},
          {"live", BoolOrNull(run.live)},
          {"dryRun", run.dry_run},
          {"version", run.version},
          {"runId", run.id},
          {"statuses", std::move(statuses)}};
}

Result<json> FleetDocument(HistoryStore& store, std::chrono::system_clock::time_point now) {
  auto runs = store.ListFleet();
  if (!runs) return Error{runs.error()};
  json out = {{"timestamp", FormatIso8601(now)}, {"runs", json::array()}};
  for (const auto& run : *runs) out["runs"].push_back(FleetRow(run, now));
  return out;
}

Result<json> HeartbeatsDocument(HistoryStore& store, const HistoryQuery& query) {
  auto samples = store.ListHeartbeats(query);
  if (!samples) return Error{samples.error()};
  json out = {{"heartbeats", json::array()}};
  for (const auto& h : *samples) out["heartbeats"].push_back(ToJson(h));
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

Status ParseHistoryTarget(const std::string& text, const std::vector<std::string>& targets,
                          HistoryQuery* query) {
  if (std::find(targets.begin(), targets.end(), text) == targets.end()) {
    std::string allowed;
    for (const auto& t : targets) allowed += (allowed.empty() ? "" : ", ") + t;
    return Error{"target: expected one of " + allowed + ", got \"" + text + "\""};
  }
  query->target = text;
  return Ok{};
}

}  // namespace infinity_sync
