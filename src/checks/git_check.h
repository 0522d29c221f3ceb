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
  // Age of the last successful fetch when this one failed or was off (see
  // LastSuccessfulFetch); nullopt if none is known.
  std::optional<std::chrono::seconds> last_fetch_age;
  bool no_remote = false;  // the repository has no remote: nothing was fetched
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

// The stamp written (atomically, in the git folder) after every fetch of the
// program that succeeded; its time is the time of that fetch.
inline constexpr const char* kLastFetchStamp = "infinity-sync-last-fetch";

// When the remote was last fetched successfully: the newest of the stamp, the
// reflog of `tracking_ref` (e.g. "origin/main"; git writes it only when a
// fetch or push moved the ref) and, only when `trust_fetch_head` (the program
// runs no fetch of its own, git.fetch off), FETCH_HEAD's time. FETCH_HEAD
// alone is not trusted otherwise: git rewrites it when a fetch starts, so a
// fetch that timed out or failed leaves it "just now". nullopt: none known.
std::optional<std::chrono::system_clock::time_point> LastSuccessfulFetch(
    FileSystem& fs, const std::filesystem::path& git_dir, const std::string& tracking_ref,
    bool trust_fetch_head);

// Where FETCH_HEAD lives: .git/ or, for worktrees and submodules, the folder a
// ".git" file points to; nullopt when `repo` has neither.
std::optional<std::filesystem::path> GitDir(const std::filesystem::path& repo);

}  // namespace infinity_sync
