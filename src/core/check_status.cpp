#include "core/check_status.h"

#include <algorithm>
#include <array>
#include <utility>

namespace infinity_sync {
namespace {

constexpr std::array<std::pair<CheckStatus, std::string_view>, 12> kNames = {{
    {CheckStatus::kSuccess, "Success"},
    {CheckStatus::kPartial, "Partial"},
    {CheckStatus::kFailed, "Failed"},
    {CheckStatus::kSynced, "Synced"},
    {CheckStatus::kDiverged, "Diverged"},
    {CheckStatus::kOutOfSync, "OutOfSync"},
    {CheckStatus::kNoManifest, "NoManifest"},
    {CheckStatus::kNotDeployed, "NotDeployed"},
    {CheckStatus::kNotConfigured, "NotConfigured"},
    {CheckStatus::kReachable, "Reachable"},
    {CheckStatus::kPartiallyReachable, "PartiallyReachable"},
    {CheckStatus::kUnreachable, "Unreachable"},
}};

}  // namespace

std::string_view ToString(CheckStatus status) {
  for (const auto& [s, name] : kNames) {
    if (s == status) return name;
  }
  return "Failed";
}

const std::vector<std::string>& CheckStatusNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& [s, name] : kNames) out.emplace_back(name);
    return out;
  }();
  return names;
}

std::optional<CheckStatus> ParseCheckStatus(std::string_view text) {
  for (const auto& [s, name] : kNames) {
    if (name == text) return s;
  }
  return std::nullopt;
}

Verdict VerdictOf(CheckStatus status) {
  switch (status) {
    case CheckStatus::kSuccess:
    case CheckStatus::kSynced:
    case CheckStatus::kReachable:
      return Verdict::kGood;
    case CheckStatus::kNotConfigured:
    case CheckStatus::kNoManifest:
      return Verdict::kNeutral;
    case CheckStatus::kPartial:
    case CheckStatus::kDiverged:
    case CheckStatus::kOutOfSync:
    case CheckStatus::kNotDeployed:
    case CheckStatus::kPartiallyReachable:
    case CheckStatus::kUnreachable:
      return Verdict::kDrift;
    case CheckStatus::kFailed:
      return Verdict::kFailed;
  }
  return Verdict::kFailed;
}

Verdict VerdictOfName(std::string_view name) {
  auto status = ParseCheckStatus(name);
  return status ? VerdictOf(*status) : Verdict::kFailed;
}

int ExitCodeFor(const std::vector<Verdict>& verdicts) {
  if (std::find(verdicts.begin(), verdicts.end(), Verdict::kFailed) != verdicts.end()) {
    return kExitFailed;
  }
  if (std::find(verdicts.begin(), verdicts.end(), Verdict::kDrift) != verdicts.end()) {
    return kExitDrift;
  }
  return kExitOk;
}

}  // namespace infinity_sync
