#include "core/status_json.h"

#include "core/redact.h"
#include "core/time_format.h"

namespace infinity_sync {

using nlohmann::json;

namespace {

bool AllAscii(const std::string& text) {
  for (unsigned char c : text) {
    if (c >= 0x80) return false;
  }
  return true;
}

// True when every string (and object key) in `value` is plain ASCII, so it cannot
// hold an invalid sequence: the common case, checked without serializing.
bool AllAscii(const json& value) {
  if (value.is_string()) return AllAscii(value.get_ref<const std::string&>());
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      if (!AllAscii(key) || !AllAscii(item)) return false;
    }
  }
  if (value.is_array()) {
    for (const auto& item : value) {
      if (!AllAscii(item)) return false;
    }
  }
  return true;
}

// nlohmann's serializer can replace invalid sequences with U+FFFD; read back.
// In place, so the common all-ASCII value is neither serialized nor copied.
void MakeValidUtf8(json* value) {
  if (AllAscii(*value)) return;
  *value = json::parse(value->dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace

std::string ValidUtf8(const std::string& text) {
  if (AllAscii(text)) return text;
  json value(text);
  MakeValidUtf8(&value);
  return value.get<std::string>();
}

void MakeValidUtf8(CheckResult* result) {
  for (auto& note : result->notes) note.text = ValidUtf8(note.text);
  for (auto& line : result->evidence) line = ValidUtf8(line);
  MakeValidUtf8(&result->details_object);
  MakeValidUtf8(&result->data);
  if (result->fix) result->fix->description = ValidUtf8(result->fix->description);
  result->fix_withheld = ValidUtf8(result->fix_withheld);
}

namespace {

void RedactUrls(json* value) {
  if (value->is_string()) {
    const auto& text = value->get_ref<const std::string&>();
    if (text.find("://") != std::string::npos) *value = RedactUrlsIn(text);
  } else if (value->is_array() || value->is_object()) {
    for (auto& item : *value) RedactUrls(&item);
  }
}

}  // namespace

void RedactUrls(CheckResult* result) {
  for (auto& note : result->notes) note.text = RedactUrlsIn(note.text);
  for (auto& line : result->evidence) line = RedactUrlsIn(line);
  RedactUrls(&result->details_object);
  RedactUrls(&result->data);
  if (result->fix) result->fix->description = RedactUrlsIn(result->fix->description);
  result->fix_withheld = RedactUrlsIn(result->fix_withheld);
}

json ToJson(const CheckResult& result) {
  json out = json::object();
  out["Status"] = std::string(ToString(result.status));
  if (!result.details_object.is_null()) {
    out["Details"] = result.details_object;
  } else {
    json details = json::array();
    for (const auto& note : result.notes) details.push_back(note.text);
    out["Details"] = std::move(details);
  }
  out["Data"] = result.data.is_null() ? json::object() : result.data;
  out["DurationMs"] = result.duration_ms;
  // Why no fix is offered although the check is not in sync (the dashboard shows it).
  if (!result.fix_withheld.empty()) out["FixWithheld"] = result.fix_withheld;
  return out;
}

json ToJson(const Action& action) {
  json out = {{"check", action.check}, {"action", action.action}, {"applied", action.applied}};
  if (!action.reason.empty()) out["reason"] = action.reason;
  return out;
}

json ToJson(const SyncStatus& status) {
  json checks = json::object();
  for (const auto& named : status.results) {
    checks[named.key] = ToJson(named.result);
    if (!named.required) checks[named.key]["required"] = false;
  }
  json actions = json::array();
  for (const auto& a : status.actions) actions.push_back(ToJson(a));
  json out = {
      {"timestamp", FormatIso8601(status.timestamp)},
      {"dryRun", status.dry_run},
      {"durationMs", status.duration_ms},
      {"version", status.version},
      {"status", std::move(checks)},
      {"actions", std::move(actions)},
  };
  if (!status.project.empty()) out["project"] = status.project;
  if (!status.host.empty()) out["host"] = status.host;
  if (!status.environment.empty()) out["environment"] = status.environment;
  if (status.lineage) out["lineage"] = ToJson(*status.lineage);
  return out;
}

Result<StatusDocument> ParseStatusDocument(const std::string& text) {
  StatusDocument doc;
  doc.json = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.json.is_discarded()) return Error{"not valid JSON"};
  if (!doc.json.is_object()) return Error{"not a JSON object"};
  auto ts = doc.json.find("timestamp");
  if (ts != doc.json.end()) {
    if (!ts->is_string()) return Error{"\"timestamp\" is not a string"};
    auto parsed = ParseIso8601(ts->get<std::string>());
    if (!parsed) return Error{"\"timestamp\" is not an ISO-8601 time: " + ts->get<std::string>()};
    doc.timestamp = *parsed;
    doc.has_timestamp = true;
  }
  auto st = doc.json.find("status");
  if (st == doc.json.end() || !st->is_object()) return Error{"no \"status\" object"};
  std::vector<Verdict> verdicts;
  for (const auto& [key, check] : st->items()) {
    if (!check.is_object() || !check.contains("Status") || !check["Status"].is_string()) {
      return Error{"status." + key + " has no \"Status\" string"};
    }
    // A check marked "required": false is shown but does not count.
    if (check.contains("required") && check["required"] == false) continue;
    verdicts.push_back(VerdictOfName(check["Status"].get<std::string>()));
  }
  doc.exit_code = ExitCodeFor(verdicts);
  return doc;
}

Freshness AssessFreshness(bool has_timestamp, std::chrono::system_clock::time_point timestamp,
                          std::chrono::system_clock::time_point now,
                          std::chrono::milliseconds fresh_for) {
  Freshness f;
  if (!has_timestamp) return f;
  if (timestamp - now > kFutureSkewAllowed) {
    f.detail = "dated " +
               FormatAge(std::chrono::duration_cast<std::chrono::milliseconds>(timestamp - now)) +
               " in the future (clock skew?)";
    return f;
  }
  f.fresh = now - timestamp <= fresh_for;
  return f;
}

}  // namespace infinity_sync
