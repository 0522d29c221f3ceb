#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/check.h"

namespace infinity_sync {

// Where the checkout stands against the branch that is deployed (SPEC 3.4,
// `git.deploy_branch`), as the remote-tracking refs say after the last fetch.
// Read by the gcp check; the git check's own judgement does not use it.
struct DeployBranchFacts {
  std::string head;           // HEAD's full SHA; empty when unknown
  std::string error;          // why HEAD is unknown (not a repository, no commits, ...)
  std::string branch;         // the checked-out branch; empty when detached
  int dirty = 0;              // tracked files changed
  std::string remote;         // "origin"
  std::string remote_url;     // the remote's fetch URL, as configured
  std::string deploy_branch;  // "main"
  // How deploy_branch was chosen: "git.deploy_branch", "origin/HEAD", "default".
  std::string deploy_branch_source;
  std::string tip;        // SHA of <remote>/<deploy_branch>; empty when it does not exist
  std::string tip_error;  // why tip is empty
  bool compared = false;  // ahead/behind are known
  int ahead = 0;          // commits on HEAD not on the tip
  int behind = 0;         // commits on the tip not on HEAD
  // When the remote was last fetched successfully (LastSuccessfulFetch).
  std::optional<std::chrono::system_clock::time_point> fetched_at;

  // "origin/main".
  std::string TipRef() const { return remote + "/" + deploy_branch; }
  // True when HEAD is the tip itself, with no uncommitted change: what a
  // deploy from this checkout would ship is the tip.
  bool AtCleanTip() const { return !head.empty() && head == tip && dirty == 0; }
  // "HEAD on feature-x is 3 ahead of origin/main", "HEAD (main) is origin/main".
  std::string HeadPosition() const;
};

// The deploy branch and its tip from `git for-each-ref --format='%(refname)
// %(objectname) %(symref)' refs/remotes/<remote>/` output (pure): `configured`
// when set; else what refs/remotes/<remote>/HEAD points to; else main, else
// master (whichever exists; "main" when neither does).
struct DeployBranchChoice {
  std::string branch;
  std::string source;
  std::string tip;  // empty when refs/remotes/<remote>/<branch> is not there
};
DeployBranchChoice ChooseDeployBranch(const std::string& configured, const std::string& remote,
                                      std::string_view for_each_ref_output);

// Reads the facts with git (status, for-each-ref, config, rev-list), each call
// through `ctx` (bounded by its deadline, stopped with it, one evidence line per
// call after one naming the folder they run in).
DeployBranchFacts ReadDeployBranch(const CheckContext& ctx);

}  // namespace infinity_sync
