#pragma once

#include <string>
#include <vector>

#include "checks/check.h"
#include "cloud/github_ci.h"

namespace infinity_sync {

// The CI result of `sha` on the GitHub repository `remote_url` names: GET
// {github.api_url}/repos/O/R/commits/SHA/check-runs and .../status with the
// token gh would use (GH_TOKEN, GITHUB_TOKEN, or the Enterprise variables for
// other hosts; else `gh auth token --hostname H`). Skipped, with the reason in
// `detail`, when the remote is not on the API's host or there is no token.
// Informational: it never changes a check's status. The token is never logged;
// every call leaves its line in `ctx`'s evidence.
CommitCi FetchCommitCi(const CheckContext& ctx, const std::string& remote_url,
                       const std::string& sha);

}  // namespace infinity_sync
