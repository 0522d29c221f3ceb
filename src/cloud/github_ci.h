#pragma once

#include <string>

#include "core/result.h"
#include "ports/call_scope.h"

namespace infinity_sync {

// A repository on a GitHub host, from a git remote URL.
struct GitHubRepo {
  std::string host;  // "github.com"
  std::string owner;
  std::string name;
};

// Parses https://HOST/O/R(.git), ssh://git@HOST[:PORT]/O/R(.git) and the scp
// form git@HOST:O/R(.git) (pure). Errors say why the URL names no repository
// (a local path, a file:// URL, too few path parts).
Result<GitHubRepo> ParseGitHubRemote(const std::string& url);

// The web host (without port) an API URL belongs to (pure): https://api.github.com ->
// github.com, https://HOST/api/v3 -> HOST, https://api.HOST (ghe.com) -> HOST.
std::string GitHubWebHost(const std::string& api_url);

// The CI verdict on one commit, from its check runs and combined status.
struct CommitCi {
  // success | failure | pending | none (nothing reported) | skipped (not asked) |
  // unknown (asked, no usable answer).
  std::string state = "skipped";
  std::string detail;  // one line for the report: "3 check runs passed", the reason skipped
  int check_runs = 0;  // how many check runs were counted
  int statuses = 0;    // how many commit statuses the combined status holds
  std::string failed;  // the first failing check run or status context
};

// GET /repos/O/R/commits/SHA/check-runs body -> counts (pure): runs not yet
// completed are pending; a completed run is failed when its conclusion is
// failure, timed_out, cancelled, action_required or startup_failure.
struct CheckRunsSummary {
  int total = 0;
  int pending = 0;
  int failed = 0;
  std::string first_failed;
};
Result<CheckRunsSummary> ParseCheckRuns(const std::string& body);

// GET /repos/O/R/commits/SHA/status body -> {state, count} (pure). GitHub says
// "pending" for a commit with no statuses at all; count is 0 then.
struct CombinedStatusSummary {
  std::string state;  // success | failure | pending | error
  int count = 0;
  std::string first_failed;
};
Result<CombinedStatusSummary> ParseCombinedStatus(const std::string& body);

// Both answers together (pure): failure wins, then pending, then success;
// none when neither holds anything.
CommitCi CombineCi(const CheckRunsSummary& runs, const CombinedStatusSummary& status);

// GET `url` of the GitHub REST API with `token` (never logged) through
// `scope`: bounded by its deadline, stopped with it, one evidence line.
HttpResponse GitHubGet(const CallScope& scope, const std::string& url, const std::string& token,
                       const std::string& ca_file);

}  // namespace infinity_sync
