#include "checks/gcp_check.h"

#include <future>

#include <fmt/format.h>

#include "checks/git_check.h"
#include "checks/git_porcelain.h"
#include "cloud/cloud_run.h"
#include "checks/gcp_project.h"
#include "checks/google_credentials.h"

namespace infinity_sync {
namespace {

std::string Short(const std::string& sha) { return sha.substr(0, 7); }

std::string Fill(std::string text, const std::string& key, const std::string& value) {
  for (std::size_t at = text.find(key); at != std::string::npos;
       at = text.find(key, at + value.size())) {
    text.replace(at, key.size(), value);
  }
  return text;
}

// Why a deploy of HEAD would not be what the label says, or "" when it would be.
std::string DeployBlocker(const LocalCommit& local) {
  if (local.head.empty()) return "local HEAD is unknown: " + local.error;
  if (local.upstream.empty()) return "the branch has no upstream: push HEAD first";
  if (!local.upstream_resolves)
    return "the upstream " + local.upstream + " is gone: push HEAD first";
  if (local.ahead > 0) {
    return fmt::format("HEAD is {} commit{} ahead of {}: push before deploying", local.ahead,
                       local.ahead == 1 ? "" : "s", local.upstream);
  }
  if (local.dirty > 0) {
    return "uncommitted changes would be deployed under HEAD's label: commit or stash them";
  }
  return "";
}

void OfferDeploy(CheckResult& r, const GcpFacts& f, const GcpConfig& gcp, const std::string& repo) {
  std::string blocker = DeployBlocker(f.local);
  if (!blocker.empty()) {
    r.fix_withheld = blocker;
    r.data["deployWithheld"] = blocker;
    return;
  }
  r.fix = DeployFix(gcp, f.project, f.region, f.service, f.local.head, repo);
}

// Reads HEAD, its upstream and ahead count with one porcelain status.
LocalCommit ReadLocalCommit(const CheckContext& ctx, std::vector<std::string>* evidence) {
  LocalCommit local;
  ProcessRequest req;
  req.argv = {"git", "status", "--porcelain=v2", "--branch", "-z", "--untracked-files=no"};
  req.cwd = ctx.config.git.repo;
  req.env = GitEnvironment(ctx);
  req.timeout = std::max(ctx.Remaining(), std::chrono::milliseconds(1));
  ProcessResult res = ctx.ports.process.Run(req);
  evidence->push_back(fmt::format("git status --porcelain=v2 --branch -z (in {}) -> {} ({} ms)",
                                  req.cwd, res.Succeeded() ? "exit 0" : res.Describe(req.argv),
                                  res.duration.count()));
  if (!res.Succeeded()) {
    local.error = res.not_found ? "git is not installed" : TailLines(res.err, 1);
    return local;
  }
  auto info = ParseGitPorcelainV2(res.out);
  if (!info) {
    local.error = info.error();
  } else if (info->initial) {
    local.error = "no commits yet";
  } else {
    local.head = info->oid;
    local.upstream = info->upstream;
    local.upstream_resolves = info->has_ab;
    local.ahead = info->ahead;
    local.dirty = info->dirty;
  }
  return local;
}

}  // namespace

Fix DeployFix(const GcpConfig& gcp, const std::string& project, const std::string& region,
              const std::string& service, const std::string& head, const std::string& repo) {
  Fix fix;
  for (const auto& arg : gcp.deploy_command) {
    fix.argv.push_back(
        Fill(Fill(Fill(arg, "{service}", service), "{region}", region), "{project}", project));
  }
  fix.argv.push_back("--labels");
  fix.argv.push_back(gcp.commit_label + "=" + head);
  for (const auto& a : fix.argv) fix.description += (fix.description.empty() ? "" : " ") + a;
  fix.cwd = repo;
  fix.timeout_ms = 20 * 60 * 1000;  // a source deploy builds an image
  return fix;
}

CheckResult InterpretGcp(const GcpFacts& f, const GcpConfig& gcp, const std::string& repo) {
  CheckResult r;
  r.data = {{"project", f.project},
            {"projectSource", f.project_source},
            {"region", f.region},
            {"service", f.service},
            {"credentials", f.auth_method}};
  if (!f.auth_account.empty()) r.data["account"] = f.auth_account;
  if (!f.local.head.empty()) r.data["head"] = f.local.head;
  r.Info("Current GCP project: " + f.project +
         (f.project_source == "gcp.project" ? "" : " (from " + f.project_source + ")"));
  r.Info("Credentials: " + f.auth_method + (f.auth_account.empty() ? "" : " as " + f.auth_account));
  for (const auto& w : f.auth_warnings) r.Warn("Skipped credentials: " + w);
  r.Info(fmt::format("Checking Cloud Run service: {} (region {})", f.service, f.region));

  const HttpResponse& res = f.response;
  if (!res.answered) {
    r.status = CheckStatus::kFailed;
    r.Err(res.timed_out
              ? "Cloud Run API did not answer in time (" + RedactUrl(f.url) + ")"
              : "Cannot reach the Cloud Run API at " + RedactUrl(f.url) + ": " + res.error);
    return r;
  }
  r.data["httpStatus"] = res.status;
  std::string message = ParseGoogleRpcError(res.body);
  std::string said = message.empty() ? "" : ": " + message;
  if (res.status == 404) {
    r.status = CheckStatus::kNotDeployed;
    r.Warn(fmt::format("Cloud Run service {} is not deployed in {} ({}){}", f.service, f.region,
                       f.project, said));
    if (!f.local.head.empty()) r.Info("Local HEAD: " + Short(f.local.head));
    OfferDeploy(r, f, gcp, repo);
    return r;
  }
  if (res.status != 200) {
    r.status = CheckStatus::kFailed;
    if (res.status == 401 || res.status == 403) {
      r.Err(fmt::format("Cloud Run API refused the credentials (HTTP {}){}", res.status, said));
    } else if (res.status == 429) {
      r.Err("Cloud Run API quota exhausted (HTTP 429)" + said);
    } else {
      r.Err(fmt::format("Cloud Run API answered HTTP {}{}", res.status, said));
    }
    return r;
  }
  auto service = ParseCloudRunService(res.body);
  if (!service) {
    r.status = CheckStatus::kFailed;
    r.Err("Cloud Run API answered something unexpected: " + service.error());
    return r;
  }
  CloudRunAssessment a = AssessCloudRunService(*service, gcp.commit_label);
  std::string image = service->images.empty() ? "" : service->images.front();
  r.data["url"] = service->uri;
  r.data["ready"] = a.ready;
  r.data["reconciling"] = service->reconciling;
  r.data["latestReadyRevision"] = ShortRevision(service->latest_ready_revision);
  r.data["latestCreatedRevision"] = ShortRevision(service->latest_created_revision);
  r.data["image"] = image;
  if (!a.deployed_commit.empty()) r.data["deployedCommit"] = a.deployed_commit;
  if (!a.traffic_split.empty()) r.data["traffic"] = a.traffic_split;

  if (!service->uri.empty()) r.Ok("Cloud Run service is deployed at: " + service->uri);
  if (!service->latest_ready_revision.empty()) {
    r.Info("Latest revision: " + ShortRevision(service->latest_ready_revision));
  }
  if (!image.empty()) r.Info("Image: " + image);
  if (!a.traffic_split.empty()) r.Info("Traffic: " + a.traffic_split);

  if (a.rollout_failed) {
    r.status = CheckStatus::kFailed;
    r.Err("Latest rollout failed: " + a.failure);
    return r;
  }
  if (a.in_progress) {
    r.status = CheckStatus::kOutOfSync;
    r.Warn("Not ready: " + a.failure);
    r.fix_withheld = "wait for the rollout to finish";
    return r;
  }
  if (a.deployed_commit.empty()) {
    r.status = CheckStatus::kSynced;
    r.Warn(fmt::format("Deployed commit unknown: no {} label or annotation on the service",
                       gcp.commit_label));
    return r;
  }
  if (f.local.head.empty()) {
    r.status = CheckStatus::kSynced;
    r.Warn(fmt::format("Deployed commit {}; local HEAD unknown ({}): not compared",
                       Short(a.deployed_commit), f.local.error));
    return r;
  }
  if (CommitsMatch(a.deployed_commit, f.local.head)) {
    r.status = CheckStatus::kSynced;
    r.Ok(fmt::format("Deployed commit {} matches local HEAD ({})", Short(a.deployed_commit),
                     a.commit_source));
    return r;
  }
  r.status = CheckStatus::kOutOfSync;
  r.Warn(fmt::format("Deployed commit {} ({}) differs from local HEAD {}", Short(a.deployed_commit),
                     a.commit_source, Short(f.local.head)));
  OfferDeploy(r, f, gcp, repo);
  return r;
}

CheckResult RunGcpCheck(const CheckContext& ctx) {
  const GcpConfig& gcp = ctx.config.gcp;
  std::vector<std::string> evidence, git_evidence;
  // git is independent of the network steps: read it meanwhile.
  auto local = std::async(std::launch::async, [&] { return ReadLocalCommit(ctx, &git_evidence); });
  auto finish = [&](CheckResult r) {
    local.wait();
    evidence.insert(evidence.end(), git_evidence.begin(), git_evidence.end());
    r.evidence = std::move(evidence);
    return r;
  };

  GcpFacts f;
  f.region = gcp.region;
  f.service = gcp.service.empty() ? ctx.config.project : gcp.service;
  GcpProject project = DiscoverGcpProject(ctx, &evidence);
  if (project.id.empty()) {
    CheckResult r;
    r.status = CheckStatus::kNotConfigured;
    std::string tried;
    for (const auto& t : project.tried) tried += (tried.empty() ? "" : ", ") + t;
    r.Info("No Google Cloud project configured (looked at " + tried +
           "): set gcp.project to check Cloud Run");
    return finish(r);
  }
  f.project = project.id;
  f.project_source = project.source;

  GoogleTokenSource own;
  GoogleAuthOutcome auth = TokenSourceFor(ctx, own).Get(ctx, &evidence);
  if (!auth.ok) {
    CheckResult r;
    r.data = {{"project", f.project}, {"service", f.service}, {"region", f.region}};
    r.Info("Current GCP project: " + f.project);
    if (!auth.configured) {
      r.status = CheckStatus::kNotConfigured;
      r.Info("No Google credentials: " + auth.problem);
    } else {
      r.status = CheckStatus::kFailed;
      r.Err("Google credentials failed: " + auth.problem);
    }
    return finish(r);
  }
  f.auth_method = auth.method;
  f.auth_account = auth.account;
  f.auth_warnings = auth.warnings;

  CloudRunFetch fetch = GetCloudRunService(ctx.ports.http, gcp.api_url, f.project, f.region,
                                           f.service, auth.access_token, ctx.config.tls.ca_file,
                                           std::max(ctx.Remaining(), std::chrono::milliseconds(1)),
                                           auth.quota_project);
  evidence.push_back(fmt::format("GET {} -> {} ({:.0f} ms)", RedactUrl(fetch.url),
                                 fetch.response.answered
                                     ? "HTTP " + std::to_string(fetch.response.status)
                                     : fetch.response.error,
                                 fetch.response.timings.total_ms));
  f.url = fetch.url;
  f.response = std::move(fetch.response);
  f.local = local.get();
  CheckResult r = InterpretGcp(f, gcp, ctx.config.git.repo);
  evidence.insert(evidence.end(), git_evidence.begin(), git_evidence.end());
  r.evidence = std::move(evidence);
  return r;
}

}  // namespace infinity_sync
