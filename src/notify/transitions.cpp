#include "notify/transitions.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <optional>

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

std::vector<PlannedMessage> PlanSender(std::map<std::string, SenderCheckMemory>* told,
                                       const NotifyMemory& settled,
                                       const std::map<std::string, std::string>& before,
                                       const std::vector<std::string>& observed,
                                       const SenderRules& rules,
                                       std::chrono::system_clock::time_point now, bool held) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  std::int64_t now_ms = duration_cast<milliseconds>(now.time_since_epoch()).count();
  std::vector<PlannedMessage> out;
  for (const auto& check : observed) {
    auto found = settled.checks.find(check);
    if (found == settled.checks.end() || found->second.status.empty()) continue;
    const std::string& status = found->second.status;
    auto [it, fresh] = told->try_emplace(check);
    SenderCheckMemory& m = it->second;
    if (fresh) {
      auto b = before.find(check);
      m.told = b == before.end() ? "" : b->second;
      if (!m.told.empty() && IsListed(m.told, rules.on)) m.last_sent = now_ms;
    }
    PlannedMessage msg{check, m.told, status, PlannedMessage::Kind::kChange};
    if (m.told != status) {
      StatusChange change{check, m.told, status, {}, ""};
      if (!ShouldAnnounce(change, rules.on) ||
          (IsRecovery(change, rules.on) && !rules.send_resolved)) {
        m.told = status;  // nothing this sender wants to hear
        m.held = false;
        continue;
      }
      if (IsRecovery(change, rules.on)) msg.kind = PlannedMessage::Kind::kRecovery;
    } else {
      m.held = false;
      bool due = rules.repeat_every.count() > 0 && IsListed(status, rules.on) &&
                 now_ms - m.last_sent >= rules.repeat_every.count();
      if (!due) continue;
      msg.kind = PlannedMessage::Kind::kReminder;
    }
    if (held) {
      if (msg.kind != PlannedMessage::Kind::kReminder) m.held = true;
      continue;  // said once the window is over, if still true then
    }
    m.told = status;
    m.last_sent = now_ms;
    m.held = false;
    out.push_back(std::move(msg));
  }
  return out;
}

namespace {

bool IsBad(const std::string& status) {
  Verdict v = VerdictOfName(status);
  return v == Verdict::kFailed || v == Verdict::kDrift;
}

}  // namespace

std::map<std::string, CausedBy> FoldCauses(const std::vector<Observation>& observations,
                                           const std::string& cloudflare_domain,
                                           const std::map<std::string, std::string>& dns_checks) {
  // Which check depends on which: (dependent, whether a cause failed, why).
  struct Rule {
    const char* dependent;
    std::function<std::optional<CausedBy>(const Observation&)> cause;
  };
  const std::vector<Rule> table = {
      {"GCPSync",
       [](const Observation& o) -> std::optional<CausedBy> {
         bool google_failed = o.check == "AuthCheck" && o.data.is_object() &&
                              o.data.contains("google") && o.data["google"].is_object() &&
                              o.data["google"].value("authenticated", true) == false;
         if (!google_failed) return std::nullopt;
         return CausedBy{"AuthCheck", "GCP Cloud Run: not checked, Google credentials failed"};
       }},
      {"CloudflareCheck",
       [&](const Observation& o) -> std::optional<CausedBy> {
         const std::string prefix = "CustomCheck:";
         if (cloudflare_domain.empty() || o.check.rfind(prefix, 0) != 0 || !IsBad(o.status)) {
           return std::nullopt;
         }
         auto dns = dns_checks.find(o.check.substr(prefix.size()));
         if (dns == dns_checks.end() || dns->second != cloudflare_domain) return std::nullopt;
         return CausedBy{o.check, "Cloudflare: not checked, DNS for " + cloudflare_domain +
                                      " failed (" + o.check + ")"};
       }},
  };
  std::map<std::string, CausedBy> out;
  for (const auto& rule : table) {
    auto dependent = std::find_if(observations.begin(), observations.end(),
                                  [&](const Observation& o) { return o.check == rule.dependent; });
    if (dependent == observations.end() || !IsBad(dependent->status)) continue;
    for (const auto& o : observations) {
      if (auto why = rule.cause(o)) {
        out[rule.dependent] = *why;
        break;
      }
    }
  }
  return out;
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
  nlohmann::json senders = nlohmann::json::object();
  for (const auto& [sender, by_check] : memory.senders) {
    nlohmann::json entries = nlohmann::json::object();
    for (const auto& [key, m] : by_check) {
      nlohmann::json entry = {{"told", m.told}};
      if (m.last_sent != 0) entry["lastSent"] = m.last_sent;
      if (m.held) entry["held"] = true;
      entries[key] = entry;
    }
    senders[sender] = entries;
  }
  return {{"version", 2}, {"checks", checks}, {"senders", senders}};
}

Result<NotifyMemory> ParseNotifyMemory(const std::string& text) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Error{"not JSON"};
  if (!doc.is_object() || !doc.contains("checks") || !doc["checks"].is_object()) {
    return Error{"expected an object with \"checks\""};
  }
  int version =
      doc.value("version", nlohmann::json()).is_number_integer() ? doc["version"].get<int>() : 0;
  if (version != 1 && version != 2) return Error{"unknown version (expected 1 or 2)"};
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
  if (version == 1 || !doc.contains("senders")) return memory;
  if (!doc["senders"].is_object()) return Error{"senders: expected an object"};
  for (const auto& [sender, entries] : doc["senders"].items()) {
    if (!entries.is_object()) return Error{"senders." + sender + ": expected an object"};
    auto& by_check = memory.senders[sender];
    for (const auto& [key, entry] : entries.items()) {
      std::string where = "senders." + sender + "." + key;
      if (!entry.is_object() || !entry.contains("told") || !entry["told"].is_string()) {
        return Error{where + ": expected {\"told\": string}"};
      }
      SenderCheckMemory m;
      m.told = entry["told"].get<std::string>();
      if (entry.contains("lastSent")) {
        if (!entry["lastSent"].is_number_integer()) {
          return Error{where + ".lastSent: expected milliseconds since the epoch"};
        }
        m.last_sent = entry["lastSent"].get<std::int64_t>();
      }
      if (entry.contains("held")) {
        if (!entry["held"].is_boolean()) return Error{where + ".held: expected true or false"};
        m.held = entry["held"].get<bool>();
      }
      by_check[key] = std::move(m);
    }
  }
  return memory;
}

std::string NotifyStatePath(const std::string& status_file) {
  return (std::filesystem::path(status_file).parent_path() / "infinity-sync-notify.json").string();
}

}  // namespace infinity_sync
