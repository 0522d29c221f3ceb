#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace infinity_sync {

// Every status a check can end with, named as in the status document.
enum class CheckStatus {
  kSuccess,
  kPartial,
  kFailed,
  kSynced,
  kDiverged,
  kOutOfSync,
  kNoManifest,
  kNotDeployed,
  kNotConfigured,
  kReachable,
  kPartiallyReachable,
  kUnreachable,
};

// How a status weighs on the run (SPEC section 6).
enum class Verdict { kGood, kNeutral, kDrift, kFailed };

// The document's spelling: "Synced", "OutOfSync", ...
std::string_view ToString(CheckStatus status);
// Every status's spelling, in the enum's order.
const std::vector<std::string>& CheckStatusNames();
// Parses the document's spelling; nullopt for anything else.
std::optional<CheckStatus> ParseCheckStatus(std::string_view text);
Verdict VerdictOf(CheckStatus status);
// Verdict of a status read from a document; an unknown name counts as failed.
Verdict VerdictOfName(std::string_view name);

// Exit codes of `run` and `status` (SPEC section 6).
inline constexpr int kExitOk = 0;
inline constexpr int kExitDrift = 1;
inline constexpr int kExitFailed = 2;
inline constexpr int kExitUsage = 64;
inline constexpr int kExitLocked = 75;
inline constexpr int kExitConfig = 78;

// 0 when all are good or neutral, 1 on any drift, 2 on any failure.
int ExitCodeFor(const std::vector<Verdict>& verdicts);

}  // namespace infinity_sync
