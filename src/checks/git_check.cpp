#include "checks/git_check.h"

#include <filesystem>

#include <fmt/format.h>

#include "core/duration.h"
#include "core/time_format.h"

namespace infinity_sync {
namespace {

namespace fs = std::filesystem;

std::string Short(const std::string& sha) { return sha.substr(0, 7); }

std::string Plural(int n, const char* word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

// `git remote` answered and listed none.
bool NoRemote(const ProcessResult& remotes) {
  return remotes.Succeeded() && remotes.out.find_first_not_of(" \t\r\n") == std::string::npos;
}

}  // namespace

std::optional<fs::path> GitDir(const fs::path& repo) {
  std::error_code ec;
  fs::path dot = repo / ".git";
  if (fs::is_directory(dot, ec)) return dot;
  if (fs::is_regular_file(dot, ec)) {
    std::FILE* f = std::fopen(dot.c_str(), "r");
    if (f == nullptr) return std::nullopt;
    char buf[4096] = {};
    std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    std::string text(buf, n);
    if (text.rfind("gitdir: ", 0) != 0) return std::nullopt;
    std::string p = text.substr(8);
    while (!p.empty() && (p.back() == '\n' || p.back() == '\r')) p.pop_back();
    fs::path gd(p);
    return gd.is_relative() ? repo / gd : gd;
  }
  return std::nullopt;
}

std::optional<std::chrono::system_clock::time_point> LastSuccessfulFetch(
    FileSystem& files, const fs::path& git_dir, const std::string& tracking_ref,
    bool trust_fetch_head) {
  std::optional<std::chrono::system_clock::time_point> newest;
  auto consider = [&](const fs::path& path) {
    if (auto stat = files.Stat(path.string())) {
      if (!newest || stat->mtime > *newest) newest = stat->mtime;
    }
  };
  consider(git_dir / kLastFetchStamp);
  if (!tracking_ref.empty()) {
    consider(git_dir / "logs/refs/remotes" / tracking_ref);
    // A linked worktree keeps its refs' logs in the common folder.
    if (auto common = files.ReadFile((git_dir / "commondir").string(), 4096)) {
      std::string p = *common;
      while (!p.empty() && (p.back() == '\n' || p.back() == '\r')) p.pop_back();
      fs::path dir(p);
      consider((dir.is_relative() ? git_dir / dir : dir) / "logs/refs/remotes" / tracking_ref);
    }
  }
  if (trust_fetch_head) consider(git_dir / "FETCH_HEAD");
  return newest;
}

std::map<std::string, std::optional<std::string>> GitEnvironment(const CheckContext& ctx) {
  std::map<std::string, std::optional<std::string>> env = {
      {"GIT_TERMINAL_PROMPT", "0"},  {"GCM_INTERACTIVE", "never"},
      {"GIT_OPTIONAL_LOCKS", "0"},   {"LC_ALL", "C"},
      {"LANGUAGE", std::nullopt},    {"GIT_ASKPASS", std::nullopt},
      {"SSH_ASKPASS", std::nullopt},
  };
  if (ctx.Env("GIT_SSH_COMMAND").empty() && ctx.Env("GIT_SSH").empty()) {
    env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes -o ConnectTimeout=10";
  }
  return env;
}

CheckResult InterpretGitStatus(const GitStatusInfo& info, const GitFetchOutcome& fetch,
                               const std::string& repo) {
  CheckResult r;
  r.data = {{"branch", info.head},         {"upstream", info.upstream}, {"head", info.oid},
            {"ahead", info.ahead},         {"behind", info.behind},     {"dirty", info.dirty},
            {"untracked", info.untracked}, {"unmerged", info.unmerged}};
  r.data["fetched"] = fetch.ok;
  if (!fetch.error.empty()) r.data["fetchError"] = fetch.error;
  if (fetch.last_fetch_age) r.data["lastFetchAgeS"] = fetch.last_fetch_age->count();

  if (info.initial) {
    r.status = CheckStatus::kFailed;
    r.Err(fmt::format("No commits yet on branch {}: nothing to compare", info.head));
    return r;
  }
  if (info.detached) {
    r.status = CheckStatus::kFailed;
    r.Err(fmt::format("Detached HEAD at {}: check out a branch to compare it with its upstream",
                      Short(info.oid)));
    return r;
  }
  r.Info("Current branch: " + info.head);

  if (info.dirty == 0) {
    r.Ok(info.untracked == 0 ? "Working directory clean"
                             : fmt::format("Working directory clean ({})",
                                           Plural(info.untracked, "untracked file")));
  } else {
    std::string paths;
    for (const auto& p : info.dirty_paths) paths += (paths.empty() ? "" : ", ") + p;
    if (static_cast<std::size_t>(info.dirty) > info.dirty_paths.size()) paths += ", ...";
    r.Warn(fmt::format(
        "{} ({}){}", Plural(info.dirty, "uncommitted change"), paths,
        info.untracked > 0 ? ", plus " + Plural(info.untracked, "untracked file") : ""));
  }
  if (info.unmerged > 0) r.Warn(Plural(info.unmerged, "unmerged path") + ": finish the merge");

  if (fetch.no_remote) {
    r.Info("No remote configured: nothing to fetch");
  } else if (fetch.attempted && fetch.ok) {
    r.Ok("Fetch completed" + (fetch.remote.empty() ? "" : " (" + fetch.remote + ")"));
  } else if (fetch.attempted) {
    std::string age = fetch.last_fetch_age
                          ? "last fetched successfully " + FormatAge(*fetch.last_fetch_age) + " ago"
                          : "never fetched successfully";
    r.Warn("Fetch failed: " + fetch.error + "; judged on the remote as " + age);
  } else {
    r.Info("Fetch skipped (git.fetch is off)");
  }

  if (info.upstream.empty()) {
    r.status = CheckStatus::kFailed;
    r.Err(fmt::format(
        "Branch {} has no upstream: set one with git branch --set-upstream-to=<remote>/{}",
        info.head, info.head));
    return r;
  }
  if (!info.has_ab) {
    r.status = CheckStatus::kFailed;
    r.Err(fmt::format("Upstream {} is gone (deleted on the remote?)", info.upstream));
    return r;
  }

  bool clean = info.dirty == 0;
  if (info.ahead == 0 && info.behind == 0) {
    r.Ok("Local and remote are in sync (" + info.upstream + ")");
  } else if (info.ahead > 0 && info.behind > 0) {
    r.Warn(fmt::format("Branch has diverged from {}: {} ahead, {} behind", info.upstream,
                       info.ahead, info.behind));
    r.fix_withheld = "ahead and behind: rebase or merge by hand";
  } else if (info.ahead > 0) {
    r.Warn(fmt::format("Ahead of {} by {}: push when ready", info.upstream,
                       Plural(info.ahead, "commit")));
  } else {
    r.Warn(fmt::format("Behind {} by {}", info.upstream, Plural(info.behind, "commit")));
    if (clean) {
      Fix fix;
      fix.description = "git rebase @{u}";
      fix.argv = {"git", "rebase", "@{u}"};
      fix.cwd = repo;
      r.fix = fix;
    } else {
      r.fix_withheld = "uncommitted changes: commit or stash them, then rebase";
    }
  }
  r.status = (clean && info.ahead == 0 && info.behind == 0) ? CheckStatus::kSynced
                                                            : CheckStatus::kDiverged;
  return r;
}

CheckResult RunGitCheck(const CheckContext& ctx) {
  const GitConfig& git = ctx.config.git;
  auto env = GitEnvironment(ctx);
  auto run = [&](std::vector<std::string> argv, std::chrono::milliseconds timeout) {
    ProcessRequest req;
    req.argv = std::move(argv);
    req.cwd = git.repo;
    req.env = env;
    req.timeout = timeout;
    return ctx.Run(req);
  };

  std::error_code ec;
  if (!fs::is_directory(git.repo, ec)) {
    return CheckResult::Failure("Repository folder " + git.repo + " does not exist");
  }

  GitFetchOutcome fetch;
  if (git.fetch) {
    fetch.attempted = true;
    fetch.remote = git.remote;
    std::vector<std::string> argv = {"git", "fetch", "--quiet", "--no-tags"};
    if (!git.remote.empty()) argv.push_back(git.remote);
    ProcessResult res = run(argv, git.fetch_timeout);
    fetch.ok = res.Succeeded();
    if (res.not_found)
      return CheckResult::Failure("git is not installed (program not found on PATH)");
    if (!fetch.ok) {
      fetch.error = res.timed_out ? "timed out after " + FormatDuration(git.fetch_timeout)
                                  : res.Describe(argv);
    } else if (git.remote.empty() && NoRemote(run({"git", "remote"}, git.fetch_timeout))) {
      // `git fetch` in a repository without a remote succeeds having fetched
      // nothing: say so instead of "Fetch completed", and stamp nothing.
      fetch.no_remote = true;
      fetch.attempted = false;
      fetch.ok = false;
    } else if (auto dir = GitDir(git.repo)) {
      // The time of this successful fetch, for a later one that fails: FETCH_HEAD
      // cannot tell (a failed fetch rewrites it too) and the remote-tracking
      // ref's reflog moves only when the remote did. Best effort: without it
      // the reflog is still consulted.
      (void)ctx.ports.fs.WriteAtomic((*dir / kLastFetchStamp).string(),
                                     FormatIso8601(ctx.ports.clock.Now()) + "\n");
    }
  }

  ProcessResult st = run({"git", "status", "--porcelain=v2", "--branch", "-z"}, ctx.Remaining());
  if (st.not_found) return CheckResult::Failure("git is not installed (program not found on PATH)");
  if (!st.Succeeded()) {
    CheckResult r;
    if (st.err.find("not a git repository") != std::string::npos) {
      r = CheckResult::Failure("Not a git repository: " + git.repo);
    } else {
      r = CheckResult::Failure("git status failed: " + st.Describe({"git", "status"}));
    }
    return r;
  }
  auto info = ParseGitPorcelainV2(st.out);
  if (!info) {
    CheckResult r = CheckResult::Failure(info.error());
    return r;
  }

  if (!fetch.ok && !fetch.no_remote) {
    if (auto dir = GitDir(git.repo)) {
      if (auto last = LastSuccessfulFetch(ctx.ports.fs, *dir, info->upstream, !fetch.attempted)) {
        auto age = std::chrono::duration_cast<std::chrono::seconds>(ctx.ports.clock.Now() - *last);
        fetch.last_fetch_age = std::max(age, std::chrono::seconds{0});  // a clock set back
      }
    }
  }

  const std::string current_branch = info->head;
  // A configured remote other than the upstream's: compare with <remote>/<branch>.
  std::string remote_of_upstream = info->upstream.substr(0, info->upstream.find('/'));
  std::string branch = git.branch.empty() ? info->head : git.branch;
  if (!info->detached && !info->initial &&
      ((!git.remote.empty() && !info->upstream.empty() && git.remote != remote_of_upstream) ||
       (!git.branch.empty() && git.branch != info->head))) {
    std::string local = git.branch.empty() ? "HEAD" : git.branch;
    std::string target = git.remote.empty() ? branch + "@{upstream}" : git.remote + "/" + branch;
    ProcessResult rl = run({"git", "rev-list", "--left-right", "--count", local + "..." + target},
                           ctx.Remaining());
    int ahead = 0, behind = 0;
    if (rl.Succeeded() && std::sscanf(rl.out.c_str(), "%d %d", &ahead, &behind) == 2) {
      info->ahead = ahead;
      info->behind = behind;
      info->has_ab = true;
      info->upstream = git.remote.empty() ? info->upstream : git.remote + "/" + branch;
      info->head = branch;
    } else {
      CheckResult r = CheckResult::Failure("Cannot compare " + local + " with " + target + ": " +
                                           rl.Describe({"git", "rev-list"}));
      return r;
    }
  }

  bool other_branch = !git.branch.empty() && git.branch != current_branch;
  CheckResult r = InterpretGitStatus(*info, fetch, git.repo);
  if (other_branch && r.fix) {
    r.fix.reset();
    r.fix_withheld = "branch " + git.branch + " is not checked out";
  }
  return r;
}

}  // namespace infinity_sync
