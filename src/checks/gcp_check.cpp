#include "checks/gcp_check.h"

#include <algorithm>
#include <future>
#include <map>

#include <fmt/format.h>

#include "checks/gcp_ci.h"
#include "checks/gcp_project.h"
#include "checks/google_credentials.h"
#include "cloud/cloud_run.h"
#include "core/time_format.h"

namespace infinity_sync {
namespace {

using nlohmann::json;

std::string Short(const std::string& sha) { return sha.substr(0, 7); }

std::string Fill(std::string text, const std::string& key, const std::string& value) {
  for (std::size_t at = text.find(key); at != std::string::npos;
       at = text.find(key, at + value.size())) {
    text.replace(at, key.size(), value);
  }
  return text;
}

// Why a deploy from this checkout would not ship the deploy branch's tip, or ""
// when it would.
std::string DeployBlocker(const DeployBranchFacts& local) {
  if (local.head.empty()) return "local HEAD is unknown: " + local.error;
  if (local.tip.empty()) return local.tip_error;
  if (local.head != local.tip) {
    return local.HeadPosition() + ": a deploy is offered only from the tip of " + local.TipRef() +
           " (check it out, clean and pushed)";
  }
  if (local.dirty > 0) {
    return "uncommitted changes would be deployed under " + local.TipRef() +
           "'s label: commit or stash them";
  }
  return "";
}

void Withhold(CheckResult& r, const std::string& why) {
  r.fix_withheld = why;
  r.data["deployWithheld"] = why;
}

void OfferDeploy(CheckResult& r, const GcpFacts& f, const GcpConfig& gcp, const std::string& repo) {
  std::string blocker = DeployBlocker(f.local);
  if (!blocker.empty()) return Withhold(r, blocker);
  r.fix = DeployFix(gcp, f.project, f.region, f.service, f.local.tip, repo);
}

// Data and report lines about git and CI, the same whatever Cloud Run says.
void AddLocalFacts(CheckResult& r, const GcpFacts& f) {
  const DeployBranchFacts& l = f.local;
  if (!l.head.empty()) r.data["head"] = l.head;
  if (!l.branch.empty()) r.data["headBranch"] = l.branch;
  r.data["dirty"] = l.dirty;
  if (!l.deploy_branch.empty()) {
    r.data["deployBranch"] = l.TipRef();
    r.data["deployBranchSource"] = l.deploy_branch_source;
  }
  r.data["deployBranchCommit"] = l.tip.empty() ? json() : json(l.tip);
  if (l.compared) {
    r.data["headAhead"] = l.ahead;
    r.data["headBehind"] = l.behind;
  }
  r.data["headPosition"] = l.head.empty() ? "HEAD unknown: " + l.error : l.HeadPosition();
  if (l.fetched_at) r.data["fetchedAt"] = FormatIso8601(*l.fetched_at);
  json ci = {{"state", f.ci.state}, {"detail", f.ci.detail}};
  if (!l.tip.empty()) ci["commit"] = l.tip;
  r.data["ci"] = ci;

  if (l.head.empty()) {
    r.Warn("Local HEAD unknown: " + l.error);
    return;
  }
  if (l.tip.empty()) {
    r.Warn("Deploy branch: " + l.tip_error);
  } else {
    r.Info(fmt::format("Deploy branch: {} at {}{}", l.TipRef(), Short(l.tip),
                       l.deploy_branch_source == "git.deploy_branch"
                           ? ""
                           : " (from " + l.deploy_branch_source + ")"));
  }
  r.Info(l.HeadPosition() + (l.dirty > 0 ? fmt::format(", {} uncommitted", l.dirty) : ""));
  if (!l.tip.empty()) r.Info("CI of " + Short(l.tip) + ": " + f.ci.state + ": " + f.ci.detail);
}

// One serving revision, as judged.
struct Serving {
  std::string revision;
  int percent = 0;
  bool latest = false;
  std::string tag;
  std::string commit;  // empty: unknown
  std::string why_unknown;
  std::string create_time;
};

const RevisionAnswer* FindAnswer(const GcpFacts& f, const std::string& revision) {
  for (const auto& a : f.revisions) {
    if (a.revision == revision) return &a;
  }
  return nullptr;
}

// The revision's commit from its answer; an error text when the answer is not
// usable (the check is then Failed), "" otherwise.
std::string ReadRevision(const RevisionAnswer* answer, const GcpConfig& gcp, Serving* s) {
  if (answer == nullptr) {
    s->why_unknown = "not asked (deadline)";
    return "";
  }
  const HttpResponse& res = answer->response;
  if (!res.answered) {
    return "Cannot read revision " + s->revision + " (" + RedactUrl(answer->url) +
           "): " + (res.timed_out ? "no answer in time" : res.error);
  }
  if (res.status == 404) {
    s->why_unknown = "the revision was not found";
    return "";
  }
  if (res.status != 200) {
    std::string said = ParseGoogleRpcError(res.body);
    return fmt::format("Cannot read revision {}: HTTP {}{}", s->revision, res.status,
                       said.empty() ? "" : ": " + said);
  }
  auto rev = ParseCloudRunRevision(res.body);
  if (!rev) return "Cannot read revision " + s->revision + ": " + rev.error();
  s->commit = RevisionCommit(*rev, gcp.commit_label);
  s->create_time = rev->create_time;
  if (s->commit.empty()) s->why_unknown = "no " + gcp.commit_label + " label or annotation";
  return "";
}

std::string ServingText(const std::vector<Serving>& serving) {
  std::string out;
  for (const auto& s : serving) {
    out += fmt::format("{}{}% {} ({}{})", out.empty() ? "" : ", ", s.percent, s.revision,
                       s.commit.empty() ? "commit unknown" : Short(s.commit),
                       s.tag.empty() ? "" : ", tag " + s.tag);
  }
  return out;
}

}  // namespace

Fix DeployFix(const GcpConfig& gcp, const std::string& project, const std::string& region,
              const std::string& service, const std::string& commit, const std::string& repo) {
  Fix fix;
  for (const auto& arg : gcp.deploy_command) {
    fix.argv.push_back(
        Fill(Fill(Fill(arg, "{service}", service), "{region}", region), "{project}", project));
  }
  fix.argv.push_back("--labels");
  fix.argv.push_back(gcp.commit_label + "=" + commit);
  for (const auto& a : fix.argv) fix.description += (fix.description.empty() ? "" : " ") + a;
  fix.cwd = repo;
  fix.timeout_ms = 20 * 60 * 1000;  // a source deploy builds an image
  return fix;
}

CheckResult InterpretGcp(const GcpFacts& f, const GcpConfig& gcp, const std::string& repo) {
  CheckResult r;
  r.data = {{"project", f.project}, {"projectSource", f.project_source},
            {"region", f.region},   {"regionSource", f.region_source},
            {"service", f.service}, {"credentials", f.auth_method}};
  if (!f.auth_account.empty()) r.data["account"] = f.auth_account;
  r.Info("Current GCP project: " + f.project +
         (f.project_source == "gcp.project" ? "" : " (from " + f.project_source + ")"));
  r.Info("Credentials: " + f.auth_method + (f.auth_account.empty() ? "" : " as " + f.auth_account));
  for (const auto& w : f.auth_warnings) r.Warn("Skipped credentials: " + w);
  AddLocalFacts(r, f);
  r.Info(fmt::format("Checking Cloud Run service: {} (region {}{})", f.service, f.region,
                     f.region_source == "gcp.region" || f.region_source == "default"
                         ? ""
                         : ", from " + f.region_source));

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
  std::string latest_ready = ShortRevision(service->latest_ready_revision);
  r.data["url"] = service->uri;
  r.data["ready"] = a.ready;
  r.data["reconciling"] = service->reconciling;
  r.data["latestReadyRevision"] = latest_ready;
  r.data["latestCreatedRevision"] = ShortRevision(service->latest_created_revision);
  r.data["image"] = image;
  if (!service->update_time.empty()) r.data["serviceUpdateTime"] = service->update_time;
  if (!a.deployed_commit.empty()) r.data["templateCommit"] = a.deployed_commit;
  if (!a.traffic_split.empty()) r.data["traffic"] = a.traffic_split;

  if (!service->uri.empty()) r.Ok("Cloud Run service is deployed at: " + service->uri);
  if (!latest_ready.empty()) r.Info("Latest revision: " + latest_ready);
  if (!image.empty()) r.Info("Image: " + image);

  // What really serves, and the commit of each serving revision.
  std::vector<Serving> serving;
  std::string read_error;
  for (const auto& t : ServingTargets(*service)) {
    Serving s{t.revision, t.percent, t.latest, t.tag, "", "", ""};
    std::string err = ReadRevision(FindAnswer(f, t.revision), gcp, &s);
    if (read_error.empty()) read_error = err;
    serving.push_back(std::move(s));
  }
  json serving_json = json::array();
  std::map<std::string, int> by_commit;
  for (const auto& s : serving) {
    json item = {{"revision", s.revision},
                 {"percent", s.percent},
                 {"commit", s.commit.empty() ? json() : json(s.commit)}};
    if (!s.tag.empty()) item["tag"] = s.tag;
    if (s.latest) item["latest"] = true;
    if (!s.create_time.empty()) item["createTime"] = s.create_time;
    serving_json.push_back(std::move(item));
    if (!s.commit.empty()) by_commit[s.commit] += s.percent;
  }
  r.data["serving"] = serving_json;
  std::string top_commit;
  int top_percent = 0;
  for (const auto& [commit, percent] : by_commit) {
    if (percent > top_percent) top_commit = commit, top_percent = percent;
  }
  r.data["deployedCommit"] = top_commit.empty() ? json() : json(top_commit);
  if (!serving.empty()) r.Info("Serving: " + ServingText(serving));

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
  if (!read_error.empty()) {
    r.status = CheckStatus::kFailed;
    r.Err(read_error);
    return r;
  }
  if (serving.empty()) {
    r.status = CheckStatus::kOutOfSync;
    r.Warn("No revision serves traffic");
    OfferDeploy(r, f, gcp, repo);
    return r;
  }
  const std::string& tip = f.local.tip;
  if (tip.empty()) {
    r.status = CheckStatus::kFailed;
    r.Err("Cannot tell which commit should be live: " +
          (f.local.head.empty() ? "local HEAD is unknown (" + f.local.error + ")"
                                : f.local.tip_error));
    return r;
  }
  std::string unknown;
  for (const auto& s : serving) {
    if (s.commit.empty()) {
      unknown += fmt::format("{}{}% {} ({})", unknown.empty() ? "" : ", ", s.percent, s.revision,
                             s.why_unknown);
    }
  }
  if (!unknown.empty()) {
    r.status = CheckStatus::kOutOfSync;
    r.Warn("Serving commit unknown: " + unknown + "; not compared with " + f.local.TipRef());
    Withhold(r, "the serving commit is unknown: deploy with --labels " + gcp.commit_label +
                    "=<commit> so that it can be compared");
    return r;
  }
  int tip_percent = 0;
  for (const auto& s : serving) {
    if (CommitsMatch(s.commit, tip)) tip_percent += s.percent;
  }
  if (tip_percent == 100) {
    r.status = CheckStatus::kSynced;
    r.Ok(fmt::format("Cloud Run serves {}'s commit {} on 100% of traffic", f.local.TipRef(),
                     Short(tip)));
    return r;
  }
  r.status = CheckStatus::kOutOfSync;
  std::string latest_commit;
  if (const RevisionAnswer* ans = FindAnswer(f, latest_ready);
      ans != nullptr && ans->response.answered && ans->response.status == 200) {
    if (auto rev = ParseCloudRunRevision(ans->response.body)) {
      latest_commit = RevisionCommit(*rev, gcp.commit_label);
    }
  }
  if (tip_percent > 0) {
    r.Warn(fmt::format("Traffic split: {}% serves {}'s commit {}; {}", tip_percent,
                       f.local.TipRef(), Short(tip), ServingText(serving)));
    Withhold(r, fmt::format("{} already runs {}: move the rest of the traffic to it "
                            "(gcloud run services update-traffic {} --to-latest)",
                            latest_ready, Short(tip), f.service));
    return r;
  }
  if (!latest_commit.empty() && CommitsMatch(latest_commit, tip)) {
    r.Warn(fmt::format(
        "The latest revision {} carries {}'s commit {} but serves no traffic (a rollback or a "
        "--no-traffic deploy): {}",
        latest_ready, f.local.TipRef(), Short(tip), ServingText(serving)));
    Withhold(r, fmt::format("{} already runs {}: route traffic to it "
                            "(gcloud run services update-traffic {} --to-latest)",
                            latest_ready, Short(tip), f.service));
    return r;
  }
  r.Warn(fmt::format("Cloud Run serves {}, not {}'s commit {}", ServingText(serving),
                     f.local.TipRef(), Short(tip)));
  OfferDeploy(r, f, gcp, repo);
  return r;
}

CheckResult RunGcpCheck(const CheckContext& ctx) {
  const GcpConfig& gcp = ctx.config.gcp;
  // git and GitHub are independent of the Cloud Run steps: read them meanwhile,
  // in a strand whose evidence follows the Cloud Run steps' (the context's).
  CheckContext git_ctx = ctx.Strand();
  CommitCi ci;
  auto local = std::async(std::launch::async, [&] {
    DeployBranchFacts facts = ReadDeployBranch(git_ctx);
    ci = FetchCommitCi(git_ctx, facts.remote_url, facts.tip);
    return facts;
  });
  GcpFacts f;
  auto finish = [&](CheckResult r) {
    f.local = local.get();
    f.ci = ci;
    CheckResult with_local;
    with_local.data = json::object();
    AddLocalFacts(with_local, f);
    for (auto& [k, v] : with_local.data.items()) r.data[k] = v;
    for (auto& note : with_local.notes) r.notes.push_back(note);
    r.evidence = git_ctx.TakeEvidence();
    return r;
  };

  GcpRegion region = DiscoverGcpRegion(ctx);
  f.region = region.id;
  f.region_source = region.source;
  f.service = gcp.service.empty() ? ctx.config.project : gcp.service;
  GcpProject project = DiscoverGcpProject(ctx);
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
  GoogleAuthOutcome auth = TokenSourceFor(ctx, own).Get(ctx);
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

  CloudRunFetch fetch =
      GetCloudRunService(ctx, gcp.api_url, f.project, f.region, f.service, auth.access_token,
                         ctx.config.tls.ca_file, auth.quota_project);
  f.url = fetch.url;
  f.response = std::move(fetch.response);
  if (f.response.answered && f.response.status == 200) {
    if (auto service = ParseCloudRunService(f.response.body)) {
      // Every serving revision, and the latest ready one (to tell a rollback).
      std::vector<std::string> wanted;
      for (const auto& t : ServingTargets(*service)) wanted.push_back(t.revision);
      std::string latest = ShortRevision(service->latest_ready_revision);
      if (!latest.empty() && std::find(wanted.begin(), wanted.end(), latest) == wanted.end()) {
        wanted.push_back(latest);
      }
      for (const auto& revision : wanted) {
        if (ctx.Remaining().count() <= 0) break;
        CloudRunFetch rev =
            GetCloudRunRevision(ctx, gcp.api_url, f.project, f.region, f.service, revision,
                                auth.access_token, ctx.config.tls.ca_file, auth.quota_project);
        f.revisions.push_back({revision, rev.url, std::move(rev.response)});
      }
    }
  }
  f.local = local.get();
  f.ci = ci;
  CheckResult r = InterpretGcp(f, gcp, ctx.config.git.repo);
  r.evidence = git_ctx.TakeEvidence();
  return r;
}

}  // namespace infinity_sync
