// The pieces of the lineage, each pure: serving revisions, the deploy branch,
// GitHub remotes and CI, the edge's commit and Cloudflare's errors, the
// lineage itself, the trace of a commit along it, and its one-line form.
#include <gtest/gtest.h>

#include "checks/cloudflare_verdict.h"
#include "checks/git_deploy.h"
#include "cli/report.h"
#include "cli/trace.h"
#include "cloud/cloud_run.h"
#include "cloud/github_ci.h"
#include "core/status_json.h"
#include "engine/lineage_builder.h"
#include "lib/test_support.h"

namespace infinity_sync {
namespace {

using nlohmann::json;

constexpr const char* kTip = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";
constexpr const char* kOld = "5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80";

TEST(ServingTargets, TrafficStatusesNameWhatServesLargestFirst) {
  CloudRunService s;
  s.latest_ready_revision = "projects/p/locations/r/services/web/revisions/web-00003-xk2";
  s.traffic = {{"TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", "", 100, ""}};
  s.traffic_statuses = {{"TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", "web-00002-abc", 10, ""},
                        {"TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", "", 90, "canary"},
                        {"TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", "web-00001-aaa", 0, "old"}};
  auto t = ServingTargets(s);
  ASSERT_EQ(t.size(), 2u);                    // 0% is not serving
  EXPECT_EQ(t[0].revision, "web-00003-xk2");  // LATEST resolves to the latest ready one
  EXPECT_EQ(t[0].percent, 90);
  EXPECT_TRUE(t[0].latest);
  EXPECT_EQ(t[0].tag, "canary");
  EXPECT_EQ(t[1].revision, "web-00002-abc");
  // The same revision reached twice (LATEST and by name) is one target.
  s.traffic_statuses = {{"TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", "web-00003-xk2", 40, ""},
                        {"TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", "web-00003-xk2", 60, ""}};
  t = ServingTargets(s);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].percent, 100);
  // No status yet: the desired traffic stands in.
  s.traffic_statuses.clear();
  t = ServingTargets(s);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].revision, "web-00003-xk2");
}

TEST(CloudRunRevision, ParsesTheV2ShapeAndItsCommitLabel) {
  auto rev =
      ParseCloudRunRevision(testing::ReadFile(testing::FixturePath("cloud_run/revision.json")));
  ASSERT_TRUE(rev.ok()) << rev.error();
  EXPECT_EQ(rev->name,
            "projects/demo-project/locations/us-central1/services/web/revisions/web-00003-xk2");
  EXPECT_EQ(ShortRevision(rev->name), "web-00003-xk2");
  std::string source;
  EXPECT_EQ(RevisionCommit(*rev, "commit-sha", &source),
            "3f9a2c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39");
  EXPECT_EQ(source, "label");
  EXPECT_EQ(rev->create_time, "2026-02-17T23:58:41.204113Z");
  ASSERT_EQ(rev->images.size(), 1u);
  EXPECT_EQ(RevisionCommit(*rev, "deployed-commit"), "");
  rev->annotations["deployed-commit"] = kTip;
  EXPECT_EQ(RevisionCommit(*rev, "deployed-commit", &source), kTip);
  EXPECT_EQ(source, "annotation");
  // The fixtures are what v2 sends: no v1 system annotations in them.
  for (const char* f : {"revision.json", "ready.json", "split_traffic.json", "failed_rollout.json",
                        "no_label.json", "reconciling.json", "label_on_template.json"}) {
    std::string text = testing::ReadFile(testing::FixturePath(std::string("cloud_run/") + f));
    EXPECT_EQ(text.find("run.googleapis.com/"), std::string::npos) << f;
    EXPECT_EQ(text.find("cloud.googleapis.com/"), std::string::npos) << f;
  }
  EXPECT_FALSE(ParseCloudRunRevision("{\"labels\": []}").ok());
  EXPECT_EQ(ParseCloudRunRevision("[").error(), "the Revision is not valid JSON");
}

TEST(DeployBranch, ChosenFromConfigRemoteHeadOrDefault) {
  std::string refs =
      "refs/remotes/origin/HEAD 1111111111111111111111111111111111111111 "
      "refs/remotes/origin/trunk\n"
      "refs/remotes/origin/main 2222222222222222222222222222222222222222 \n"
      "refs/remotes/origin/trunk 3333333333333333333333333333333333333333 \n"
      "refs/remotes/upstream/main 4444444444444444444444444444444444444444 \n";
  auto c = ChooseDeployBranch("", "origin", refs);
  EXPECT_EQ(c.branch, "trunk");
  EXPECT_EQ(c.source, "origin/HEAD");
  EXPECT_EQ(c.tip, "3333333333333333333333333333333333333333");
  c = ChooseDeployBranch("main", "origin", refs);
  EXPECT_EQ(c.source, "git.deploy_branch");
  EXPECT_EQ(c.tip, "2222222222222222222222222222222222222222");
  c = ChooseDeployBranch("", "origin",
                         "refs/remotes/origin/master 5555555555555555555555555555555555555555 \n");
  EXPECT_EQ(c.branch, "master");
  EXPECT_EQ(c.source, "default");
  c = ChooseDeployBranch("", "origin", "");
  EXPECT_EQ(c.branch, "main");
  EXPECT_EQ(c.tip, "");
  c = ChooseDeployBranch("release", "origin", refs);
  EXPECT_EQ(c.tip, "") << "a configured branch that is not there has no tip";

  DeployBranchFacts f;
  f.head = kOld;
  f.branch = "feature-x";
  f.remote = "origin";
  f.deploy_branch = "main";
  f.tip = kTip;
  f.compared = true;
  f.ahead = 3;
  EXPECT_EQ(f.HeadPosition(), "HEAD on feature-x is 3 ahead of origin/main");
  f.behind = 2;
  EXPECT_EQ(f.HeadPosition(), "HEAD on feature-x has diverged from origin/main: 3 ahead, 2 behind");
  f.head = kTip;
  f.branch = "";
  EXPECT_EQ(f.HeadPosition(), "HEAD (detached) is origin/main");
  EXPECT_TRUE(f.AtCleanTip());
  f.dirty = 1;
  EXPECT_FALSE(f.AtCleanTip());
}

TEST(GitHubRemote, HttpsSshAndScpForms) {
  for (const char* url : {"https://github.com/octo/app.git", "https://github.com/octo/app",
                          "https://user@github.com/octo/app/", "ssh://git@github.com/octo/app.git",
                          "ssh://git@github.com:22/octo/app.git", "git@github.com:octo/app.git",
                          "github.com:octo/app"}) {
    auto r = ParseGitHubRemote(url);
    ASSERT_TRUE(r.ok()) << url << ": " << r.error();
    EXPECT_EQ(r->host, "github.com") << url;
    EXPECT_EQ(r->owner, "octo") << url;
    EXPECT_EQ(r->name, "app") << url;
  }
  EXPECT_NE(ParseGitHubRemote("/srv/git/app.git").error().find("local path"), std::string::npos);
  EXPECT_NE(ParseGitHubRemote("file:///srv/app.git").error().find("file URL"), std::string::npos);
  EXPECT_NE(ParseGitHubRemote("https://github.com/octo").error().find("OWNER/REPO"),
            std::string::npos);
  EXPECT_EQ(GitHubWebHost("https://api.github.com"), "github.com");
  EXPECT_EQ(GitHubWebHost("https://ghe.example.com/api/v3"), "ghe.example.com");
  EXPECT_EQ(GitHubWebHost("https://api.octo.ghe.com"), "octo.ghe.com");
  EXPECT_EQ(GitHubWebHost("http://127.0.0.1:8080/api/v3"), "127.0.0.1");
}

TEST(CommitCiResult, SuccessFailurePendingNone) {
  auto runs = [](const char* body) {
    auto r = ParseCheckRuns(body);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : CheckRunsSummary{};
  };
  auto status = [](const char* body) {
    auto r = ParseCombinedStatus(body);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : CombinedStatusSummary{};
  };
  const char* no_statuses = R"({"state":"pending","statuses":[],"total_count":0})";
  CommitCi ci = CombineCi(
      runs(
          R"({"total_count":2,"check_runs":[{"name":"build","status":"completed","conclusion":"success"},{"name":"lint","status":"completed","conclusion":"skipped"}]})"),
      status(no_statuses));
  EXPECT_EQ(ci.state, "success") << "a commit without statuses is not pending";
  EXPECT_EQ(ci.detail, "passed (2 check runs, 0 statuses)");
  ci = CombineCi(
      runs(
          R"({"total_count":2,"check_runs":[{"name":"build","status":"completed","conclusion":"failure"},{"name":"e2e","status":"in_progress","conclusion":null}]})"),
      status(no_statuses));
  EXPECT_EQ(ci.state, "failure");
  EXPECT_EQ(ci.failed, "build failure");
  ci = CombineCi(
      runs(
          R"({"total_count":1,"check_runs":[{"name":"e2e","status":"queued","conclusion":null}]})"),
      status(no_statuses));
  EXPECT_EQ(ci.state, "pending");
  ci = CombineCi(
      runs(R"({"total_count":0,"check_runs":[]})"),
      status(R"({"state":"failure","statuses":[{"state":"failure","context":"ci/jenkins"}]})"));
  EXPECT_EQ(ci.state, "failure");
  EXPECT_EQ(ci.failed, "ci/jenkins failure");
  ci = CombineCi(runs(R"({"total_count":0,"check_runs":[]})"), status(no_statuses));
  EXPECT_EQ(ci.state, "none");
  EXPECT_FALSE(ParseCheckRuns(R"({"message":"Not Found"})").ok());
  EXPECT_FALSE(ParseCombinedStatus("[]").ok());
}

TEST(CloudflareExplained, Error530ChallengeAnd52x) {
  std::string page =
      "<!DOCTYPE html><title>example.com | 1033: Cloudflare Tunnel error</title>"
      "<span class=\"cf-error-code\">1033</span>";
  EXPECT_EQ(CloudflareErrorCode(page), 1033);
  EXPECT_EQ(CloudflareErrorCode("error code: 1016"), 1016);
  EXPECT_EQ(CloudflareErrorCode("<html>nothing</html>"), 0);
  EXPECT_EQ(ExplainCloudflareAnswer(530, "", page),
            "Cloudflare error 1033: the Cloudflare Tunnel is down (no cloudflared connected)");
  EXPECT_NE(ExplainCloudflareAnswer(403, "challenge", "").find("challenge"), std::string::npos);
  EXPECT_EQ(ExplainCloudflareAnswer(403, "", ""), "");
  EXPECT_NE(ExplainCloudflareAnswer(522, "", "").find("timed out"), std::string::npos);
  EXPECT_NE(ExplainCloudflareAnswer(526, "", "").find("certificate"), std::string::npos);
  EXPECT_EQ(Explain52x(527), "") << "527 no longer exists";
}

TEST(EdgeCommitRead, HeaderOrJsonPointer) {
  ProbeResult p;
  p.answered = true;
  p.status = 200;
  p.headers = {{"x-commit", " 1a2b3c4 "}};
  p.body = R"({"build":{"commit":"5d6e7f8"},"n":3})";
  EXPECT_EQ(ReadEdgeCommit(p, "https://a.test/", "X-Commit", "").commit, "1a2b3c4");
  EXPECT_EQ(ReadEdgeCommit(p, "https://a.test/", "", "/build/commit").commit, "5d6e7f8");
  EXPECT_EQ(ReadEdgeCommit(p, "https://a.test/", "x-version", "").error,
            "no x-version header in the answer of https://a.test/");
  EXPECT_EQ(ReadEdgeCommit(p, "https://a.test/", "", "/n").error,
            "/n in the answer of https://a.test/ is not a string");
  EXPECT_EQ(ReadEdgeCommit(p, "https://a.test/", "", "/missing").error,
            "/missing is not in the answer of https://a.test/");
  p.body = "<html>";
  EXPECT_EQ(ReadEdgeCommit(p, "https://a.test/", "", "/build/commit").error,
            "the answer of https://a.test/ is not JSON");
  p.status = 503;
  EXPECT_EQ(ReadEdgeCommit(p, "https://a.test/", "x-commit", "").error,
            "https://a.test/ answered HTTP 503");
}

// A run's results as the checks would leave them.
SyncStatus RunWith(const json& serving, const std::string& edge = "") {
  SyncStatus s;
  CheckResult gcp;
  gcp.status = CheckStatus::kSynced;
  gcp.data = {{"head", kTip},
              {"headBranch", "main"},
              {"dirty", 0},
              {"deployBranch", "origin/main"},
              {"deployBranchCommit", kTip},
              {"headAhead", 0},
              {"headBehind", 0},
              {"headPosition", "HEAD on main is origin/main"},
              {"ci", {{"state", "success"}, {"detail", "passed"}, {"commit", kTip}}},
              {"serving", serving}};
  int top = 0;
  for (const auto& sv : serving) {
    if (sv["percent"].get<int>() > top && sv["commit"].is_string()) {
      top = sv["percent"];
      gcp.data["deployedCommit"] = sv["commit"];
    }
  }
  s.results.push_back({"GCPSync", gcp});
  CheckResult cf;
  cf.status = CheckStatus::kReachable;
  cf.data = {{"edgeCommit", edge.empty() ? json() : json(edge)}};
  if (edge.empty()) cf.data["edgeCommitError"] = "no x-commit header";
  s.results.push_back({"CloudflareCheck", cf});
  return s;
}

Config WithEdge(bool edge) {
  Config c;
  if (edge) {
    c.cloudflare.domain = "example.test";
    c.cloudflare.version.header = "x-commit";
  }
  return c;
}

TEST(LineageBuilt, LiveOnlyWhenTheTipServesAllTraffic) {
  json all_tip = json::array({{{"revision", "web-00042-abc"}, {"percent", 100}, {"commit", kTip}}});
  Lineage l = BuildLineage(RunWith(all_tip), WithEdge(false));
  EXPECT_EQ(l.commit, kTip);
  ASSERT_EQ(l.hops.size(), 4u);
  EXPECT_EQ(l.hops[0].hop, "local");
  EXPECT_EQ(l.hops[0].state, "clean");
  EXPECT_EQ(l.hops[1].state, "pushed");
  EXPECT_EQ(l.hops[2].state, "success");
  EXPECT_EQ(l.hops[3].state, "live");
  EXPECT_EQ(l.live, true);
  EXPECT_EQ(LineageLine(l),
            "HEAD 1a2b3c4 (main, pushed) -> CI passed -> Cloud Run 100% rev 00042: live");

  json split = json::array({{{"revision", "web-00041-old"}, {"percent", 50}, {"commit", kOld}},
                            {{"revision", "web-00042-abc"}, {"percent", 50}, {"commit", kTip}}});
  l = BuildLineage(RunWith(split), WithEdge(false));
  EXPECT_EQ(l.Find("cloudrun")->state, "partial");
  EXPECT_EQ(l.live, false);
  EXPECT_EQ(LineageLine(l),
            "HEAD 1a2b3c4 (main, pushed) -> CI passed -> Cloud Run 50% rev 00041 (5d6e7f8), 50% "
            "rev 00042: not live");

  json unknown =
      json::array({{{"revision", "web-00042-abc"}, {"percent", 100}, {"commit", nullptr}}});
  l = BuildLineage(RunWith(unknown), WithEdge(false));
  EXPECT_EQ(l.Find("cloudrun")->state, "unknown");
  EXPECT_EQ(l.live, std::nullopt) << "never live with a guessed commit";

  // The edge, when configured, must name the tip too.
  l = BuildLineage(RunWith(all_tip, kTip), WithEdge(true));
  EXPECT_EQ(l.Find("edge")->state, "live");
  EXPECT_EQ(l.live, true);
  EXPECT_EQ(LineageLine(l),
            "HEAD 1a2b3c4 (main, pushed) -> CI passed -> Cloud Run 100% rev 00042 -> edge "
            "1a2b3c4: live");
  l = BuildLineage(RunWith(all_tip, kOld), WithEdge(true));
  EXPECT_EQ(l.Find("edge")->state, "stale");
  EXPECT_EQ(l.live, false);
  l = BuildLineage(RunWith(all_tip), WithEdge(true));
  EXPECT_EQ(l.live, std::nullopt);

  // One JSON mapping, read back the same.
  json j = ToJson(BuildLineage(RunWith(split), WithEdge(false)));
  EXPECT_EQ(j["live"], false);
  EXPECT_EQ(j["hops"][3]["serving"][0]["percent"], 50);
  EXPECT_TRUE(j["hops"][2]["at"].is_null());
  auto back = LineageFromJson(j);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(ToJson(*back), j);
}

TEST(LineageBuilt, StaleEdgeIsNamedInCloudflareDetails) {
  json all_tip = json::array({{{"revision", "web-00042-abc"}, {"percent", 100}, {"commit", kTip}}});
  SyncStatus s = RunWith(all_tip, kOld);
  AddLineage(&s, WithEdge(true));
  const CheckResult* cf = s.Find("CloudflareCheck");
  ASSERT_FALSE(cf->notes.empty());
  EXPECT_EQ(cf->notes.back().text,
            "Edge serves 5d6e7f8, Cloud Run serves 1a2b3c4: stale cache or another origin");
  EXPECT_EQ(cf->status, CheckStatus::kReachable) << "the comparison never changes a status";
  EXPECT_EQ(cf->data["edgeMatchesCloudRun"], false);
  EXPECT_EQ(ToJson(s)["lineage"]["live"], false);
}

TEST(TraceOfACommit, LiveNotLiveCannotTell) {
  json all_tip = json::array({{{"revision", "web-00042-abc"}, {"percent", 100}, {"commit", kTip}}});
  // kOld is an ancestor of kTip; nothing else is known.
  ContainsFn contains = [](const std::string& d, const std::string& a) -> std::optional<bool> {
    if (d == kTip && a == kOld) return true;
    if (d == kOld && a == kTip) return false;
    return std::nullopt;
  };
  Lineage l = BuildLineage(RunWith(all_tip), WithEdge(false));
  TraceReport t = TraceCommit(l, kTip, contains);
  EXPECT_EQ(t.ExitCode(), 0) << t.summary;
  t = TraceCommit(l, kOld, contains);
  EXPECT_EQ(t.ExitCode(), 0) << "an older commit is live inside the newer one: " << t.summary;

  json old = json::array({{{"revision", "web-00041-old"}, {"percent", 100}, {"commit", kOld}}});
  l = BuildLineage(RunWith(old), WithEdge(false));
  t = TraceCommit(l, kTip, contains);
  EXPECT_EQ(t.ExitCode(), 1) << t.summary;
  EXPECT_EQ(t.summary,
            "1a2b3c4 is not live (yet): Cloud Run: 100% web-00041-old (5d6e7f8, does not hold it)");

  json unknown =
      json::array({{{"revision", "web-00042-abc"}, {"percent", 100}, {"commit", nullptr}}});
  t = TraceCommit(BuildLineage(RunWith(unknown), WithEdge(false)), kTip, contains);
  EXPECT_EQ(t.ExitCode(), 2) << t.summary;
  t = TraceCommit(Lineage{}, kTip, contains);
  EXPECT_EQ(t.ExitCode(), 2);
  EXPECT_EQ(ToJson(t)["live"], nullptr);
}

}  // namespace
}  // namespace infinity_sync
