#include "notify/transitions.h"

#include <algorithm>
#include <filesystem>

#include "core/check_status.h"

namespace infinity_sync {

std::vector<StatusChange> Advance(NotifyMemory* memory,
                                  const std::vector<Observation>& observations, int notify_after) {
  int needed = std::max(1, notify_after);
  std::vector<StatusChange> changes;
  for (const auto& seen : observations) {
    CheckMemory& m = memory->checks[seen.check];
    if (seen.status == m.status) {
      m.candidate.clear();  // back where it was: whatever was pending is cancelled
      m.runs = 0;
      continue;
    }
    if (m.status.empty()) {
      m.runs = needed;  // first sighting: nothing to debounce against, it settles at once
      m.candidate = seen.status;
    } else if (seen.status == m.candidate) {
      ++m.runs;
    } else {
      m.candidate = seen.status;
      m.runs = 1;
    }
    if (m.runs >= needed) {
      changes.push_back({seen.check, m.status, m.candidate, seen.details, seen.reason});
      m.status = m.candidate;
      m.candidate.clear();
      m.runs = 0;
    }
  }
  return changes;
}

bool IsListed(const std::string& status, const std::vector<std::string>& on) {
  if (status.empty()) return false;
  if (!on.empty()) return std::find(on.begin(), on.end(), status) != on.end();
  Verdict v = VerdictOfName(status);
  return v == Verdict::kDrift || v == Verdict::kFailed;
}

bool ShouldAnnounce(const StatusChange& change, const std::vector<std::string>& on) {
  return IsListed(change.to, on) || IsListed(change.from, on);
}

bool IsRecovery(const StatusChange& change, const std::vector<std::string>& on) {
  return IsListed(change.from, on) && !IsListed(change.to, on);
}

nlohmann::json NotifyMemoryToJson(const NotifyMemory& memory) {
  nlohmann::json checks = nlohmann::json::object();
  for (const auto& [key, m] : memory.checks) {
    nlohmann::json entry = {{"status", m.status}};
    if (!m.candidate.empty()) {
      entry["candidate"] = m.candidate;
      entry["runs"] = m.runs;
    }
    checks[key] = entry;
  }
  return {{"version", 1}, {"checks", checks}};
}

Result<NotifyMemory> ParseNotifyMemory(const std::string& text) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Error{"not JSON"};
  if (!doc.is_object() || !doc.contains("checks") || !doc["checks"].is_object()) {
    return Error{"expected an object with \"checks\""};
  }
  if (doc.value("version", 0) != 1) return Error{"unknown version (expected 1)"};
  NotifyMemory memory;
  for (const auto& [key, entry] : doc["checks"].items()) {
    if (!entry.is_object() || !entry.contains("status") || !entry["status"].is_string()) {
      return Error{"checks." + key + ": expected {\"status\": string}"};
    }
    CheckMemory m;
    m.status = entry["status"].get<std::string>();
    if (entry.contains("candidate")) {
      if (!entry["candidate"].is_string() ||
          !entry.value("runs", nlohmann::json()).is_number_integer()) {
        return Error{"checks." + key + ": candidate must be a string with integer runs"};
      }
      m.candidate = entry["candidate"].get<std::string>();
      m.runs = std::max(0, entry["runs"].get<int>());
    }
    memory.checks[key] = std::move(m);
  }
  return memory;
}

std::string NotifyStatePath(const std::string& status_file) {
  return (std::filesystem::path(status_file).parent_path() / "infinity-sync-notify.json").string();
}

}  // namespace infinity_sync
