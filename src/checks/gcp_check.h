#pragma once

#include <string>
#include <vector>

#include "checks/check.h"

namespace infinity_sync {

// The local side of the comparison, from `git status --porcelain=v2 --branch`.
struct LocalCommit {
  std::string head;      // HEAD's full SHA; empty when unknown
  std::string error;     // why HEAD is unknown
  std::string upstream;  // "origin/main"; empty when none
  bool upstream_resolves = false;
  int ahead = 0;
  int dirty = 0;  // tracked files changed
};

// Everything the gcp check gathered, ready to be judged.
struct GcpFacts {
  std::string project;
  std::string project_source;
  std::string region;
  std::string service;
  std::string auth_method;
  std::string auth_account;
  std::vector<std::string> auth_warnings;
  std::string url;        // the Service's URL that was asked
  HttpResponse response;  // its answer
  LocalCommit local;
};

// The deploy fix: `gcp.deploy_command` with {service}, {region}, {project}
// filled in and `--labels <commit_label>=<head>` appended (pure).
Fix DeployFix(const GcpConfig& gcp, const std::string& project, const std::string& region,
              const std::string& service, const std::string& head, const std::string& repo);

// The verdict on the Service's answer (pure): Synced / OutOfSync / NotDeployed /
// Failed, report lines, Data, and the deploy fix (withheld when HEAD is not pushed).
CheckResult InterpretGcp(const GcpFacts& facts, const GcpConfig& gcp, const std::string& repo);

// SPEC section 3.4: project, credentials, GET the Cloud Run v2 Service, compare
// its commit label with the local HEAD. NotConfigured without project or credentials.
CheckResult RunGcpCheck(const CheckContext& ctx);

}  // namespace infinity_sync
