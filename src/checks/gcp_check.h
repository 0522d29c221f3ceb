#pragma once

#include <string>
#include <vector>

#include "checks/check.h"
#include "checks/git_deploy.h"
#include "cloud/github_ci.h"

namespace infinity_sync {

// One GET of a revision that serves traffic (or of the latest ready one).
struct RevisionAnswer {
  std::string revision;  // short name
  std::string url;
  HttpResponse response;
};

// Everything the gcp check gathered, ready to be judged.
struct GcpFacts {
  std::string project;
  std::string project_source;
  std::string region;
  std::string
      region_source;  // "gcp.region", "CLOUDSDK_RUN_REGION", "gcloud configuration NAME", "default"
  std::string service;
  std::string auth_method;
  std::string auth_account;
  std::vector<std::string> auth_warnings;
  std::string url;        // the Service's URL that was asked
  HttpResponse response;  // its answer
  // The revisions asked for: every one serving traffic, and the latest ready one.
  std::vector<RevisionAnswer> revisions;
  DeployBranchFacts local;  // HEAD and the deploy branch's tip
  CommitCi ci;              // CI of the deploy branch's tip (informational)
};

// The deploy fix: `gcp.deploy_command` with {service}, {region}, {project}
// filled in and `--labels <commit_label>=<commit>` appended (pure).
Fix DeployFix(const GcpConfig& gcp, const std::string& project, const std::string& region,
              const std::string& service, const std::string& commit, const std::string& repo);

// The verdict (pure): Synced only when every revision serving traffic carries
// the deploy branch's commit; OutOfSync for another commit, a split, a
// rollback or a serving revision without the label; NotDeployed on 404; Failed
// when the API fails or the deploy branch's commit is unknown. Report lines,
// Data (deployBranch, deployBranchCommit, serving, deployedCommit, ci, ...),
// and the deploy fix, offered only from the deploy branch's clean tip.
CheckResult InterpretGcp(const GcpFacts& facts, const GcpConfig& gcp, const std::string& repo);

// SPEC section 3.4: project, credentials, GET the Cloud Run v2 Service and the
// revisions serving it, compare their commit label with the deploy branch's
// tip; meanwhile read git and ask GitHub for that commit's CI result.
// NotConfigured without project or credentials.
CheckResult RunGcpCheck(const CheckContext& ctx);

}  // namespace infinity_sync
