#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "checks/check.h"
#include "checks/git_porcelain.h"

namespace infinity_sync {

// How the fetch before the comparison went.
struct GitFetchOutcome {
  bool attempted = false;
  bool ok = false;
  std::string remote;  // what was fetched ("" = git's default for the branch)
  std::string error;   // one line, when it failed
  // Age of the remote-tracking knowledge when the fetch failed or was off
  // (from FETCH_HEAD's time); nullopt if never fetched.
  std::optional<std::chrono::seconds> last_fetch_age;
};

// The verdict on a parsed status (pure): Synced / Diverged / Failed, the
// report lines, Data, and the rebase fix when behind and clean.
CheckResult InterpretGitStatus(const GitStatusInfo& info, const GitFetchOutcome& fetch,
                               const std::string& repo);

// SPEC section 3.2: fetch, `git status --porcelain=v2 --branch -z`, interpret.
CheckResult RunGitCheck(const CheckContext& ctx);

// The environment every git call gets: no prompts, no optional locks, C locale,
// ssh in batch mode unless the user chose an ssh command.
std::map<std::string, std::optional<std::string>> GitEnvironment(const CheckContext& ctx);

// Where FETCH_HEAD lives: .git/ or, for worktrees and submodules, the folder a
// ".git" file points to; nullopt when `repo` has neither.
std::optional<std::filesystem::path> GitDir(const std::filesystem::path& repo);

}  // namespace infinity_sync
