// The gcp verdict, pure: saved v2 Service and Revision documents against the
// deploy branch's tip, in each scenario of a real deploy pipeline.
#include <gtest/gtest.h>

#include "checks/gcp_check.h"
#include "lib/test_support.h"

namespace infinity_sync {
namespace {

using nlohmann::json;

constexpr const char* kTip = "3f9a2c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39";
constexpr const char* kOld = "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c";
constexpr const char* kNew = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d";

json Fixture(const std::string& name) {
  return json::parse(testing::ReadFile(testing::FixturePath("cloud_run/" + name)));
}

// A Service whose trafficStatuses are `traffic` ({revision, percent, latest}).
std::string Service(const std::vector<json>& traffic,
                    const std::string& latest_ready = "web-00003-xk2") {
  json s = Fixture("ready.json");
  s["latestReadyRevision"] = s["latestCreatedRevision"] =
      "projects/demo-project/locations/us-central1/services/web/revisions/" + latest_ready;
  s["trafficStatuses"] = json(traffic);
  return s.dump();
}

json To(const std::string& revision, int percent, bool latest = false) {
  json t = {{"type", latest ? "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"
                            : "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION"},
            {"revision", revision}};
  if (percent != 0) t["percent"] = percent;  // omitted at 0, as v2 sends it
  return t;
}

RevisionAnswer Revision(const std::string& name, const std::string& commit) {
  json r = Fixture("revision.json");
  r["name"] = "projects/demo-project/locations/us-central1/services/web/revisions/" + name;
  if (commit.empty()) {
    r["labels"].erase("commit-sha");
  } else {
    r["labels"]["commit-sha"] = commit;
  }
  RevisionAnswer a;
  a.revision = name;
  a.url = "https://run.googleapis.com/v2/.../revisions/" + name;
  a.response.answered = true;
  a.response.status = 200;
  a.response.body = r.dump();
  return a;
}

GcpFacts Facts(int status, const std::string& body) {
  GcpFacts f;
  f.project = "demo-project";
  f.project_source = "gcp.project";
  f.region = "us-central1";
  f.service = "web";
  f.auth_method = "service account file";
  f.url = "https://run.googleapis.com/v2/projects/demo-project/locations/us-central1/services/web";
  f.response.answered = true;
  f.response.status = status;
  f.response.body = body;
  f.local.head = kTip;
  f.local.branch = "main";
  f.local.remote = "origin";
  f.local.deploy_branch = "main";
  f.local.deploy_branch_source = "origin/HEAD";
  f.local.tip = kTip;
  f.local.compared = true;
  return f;
}

std::string Notes(const CheckResult& r) {
  std::string all;
  for (const auto& n : r.notes) all += n.text + "\n";
  return all;
}

bool Has(const CheckResult& r, const std::string& text) {
  return Notes(r).find(text) != std::string::npos;
}

TEST(GcpInterpret, DeployFixFillsPlaceholdersAndAddsTheLabel) {
  GcpConfig gcp;
  Fix fix = DeployFix(gcp, "p1", "europe-west1", "svc", kTip, "/repo");
  EXPECT_EQ(fix.description,
            std::string("gcloud run deploy svc --source . --region europe-west1 --project p1 "
                        "--labels commit-sha=") +
                kTip);
  EXPECT_EQ(fix.cwd, "/repo");
  gcp.deploy_command = {"deploy.sh", "--to={project}/{region}/{service}"};
  gcp.commit_label = "rev";
  EXPECT_EQ(DeployFix(gcp, "p", "r", "s", "abc", "/").argv,
            (std::vector<std::string>{"deploy.sh", "--to=p/r/s", "--labels", "rev=abc"}));
}

TEST(GcpInterpret, HundredPercentOnTheDeployCommitIsSynced) {
  GcpFacts f = Facts(200, Service({To("web-00003-xk2", 100, true)}));
  f.revisions = {Revision("web-00003-xk2", kTip)};
  CheckResult r = InterpretGcp(f, GcpConfig{}, "/r");
  EXPECT_EQ(r.status, CheckStatus::kSynced) << Notes(r);
  EXPECT_TRUE(Has(r, "Cloud Run serves origin/main's commit 3f9a2c1 on 100% of traffic"))
      << Notes(r);
  EXPECT_TRUE(Has(r, "Serving: 100% web-00003-xk2 (3f9a2c1)")) << Notes(r);
  EXPECT_EQ(r.data["deployBranch"], "origin/main");
  EXPECT_EQ(r.data["deployBranchCommit"], kTip);
  EXPECT_EQ(r.data["deployedCommit"], kTip);
  ASSERT_EQ(r.data["serving"].size(), 1u);
  EXPECT_EQ(r.data["serving"][0]["revision"], "web-00003-xk2");
  EXPECT_EQ(r.data["serving"][0]["percent"], 100);
  EXPECT_EQ(r.data["serving"][0]["commit"], kTip);
  EXPECT_FALSE(r.fix.has_value());
}

TEST(GcpInterpret, FeatureBranchWithMainDeployedIsSyncedAndOffersNoDeploy) {
  GcpFacts f = Facts(200, Service({To("web-00003-xk2", 100, true)}));
  f.revisions = {Revision("web-00003-xk2", kTip)};
  f.local.head = kNew;
  f.local.branch = "feature-x";
  f.local.ahead = 3;
  CheckResult r = InterpretGcp(f, GcpConfig{}, "/r");
  EXPECT_EQ(r.status, CheckStatus::kSynced) << Notes(r);
  EXPECT_TRUE(Has(r, "HEAD on feature-x is 3 ahead of origin/main")) << Notes(r);
  EXPECT_EQ(r.data["headPosition"], "HEAD on feature-x is 3 ahead of origin/main");
  EXPECT_FALSE(r.fix.has_value());

  // And when main moved on while the feature branch is checked out: the deploy
  // is withheld, never offered from the feature branch.
  f.local.tip = kNew;
  f.local.head = kOld;
  r = InterpretGcp(f, GcpConfig{}, "/r");
  EXPECT_EQ(r.status, CheckStatus::kOutOfSync) << Notes(r);
  EXPECT_FALSE(r.fix.has_value());
  EXPECT_NE(r.fix_withheld.find("a deploy is offered only from the tip of origin/main"),
            std::string::npos)
      << r.fix_withheld;
}

TEST(GcpInterpret, AnotherCommitOffersTheDeployOnlyFromTheCleanTip) {
  GcpFacts f = Facts(200, Service({To("web-00003-xk2", 100, true)}));
  f.revisions = {Revision("web-00003-xk2", kOld)};
  CheckResult r = InterpretGcp(f, GcpConfig{}, "/r");
  EXPECT_EQ(r.status, CheckStatus::kOutOfSync);
  EXPECT_TRUE(Has(r,
                  "Cloud Run serves 100% web-00003-xk2 (0b1c2d3), not origin/main's commit "
                  "3f9a2c1"))
      << Notes(r);
  ASSERT_TRUE(r.fix.has_value());
  EXPECT_NE(r.fix->description.find(std::string("--labels commit-sha=") + kTip), std::string::npos);
  f.local.dirty = 2;
  r = InterpretGcp(f, GcpConfig{}, "/r");
  EXPECT_FALSE(r.fix.has_value());
  EXPECT_NE(r.fix_withheld.find("uncommitted changes"), std::string::npos);
}

TEST(GcpInterpret, FiftyFiftySplitIsOutOfSyncWithThePercentages) {
  GcpFacts f = Facts(200, Service({To("web-00002-abc", 50), To("web-00003-xk2", 50, true)}));
  f.revisions = {Revision("web-00002-abc", kOld), Revision("web-00003-xk2", kTip)};
  CheckResult r = InterpretGcp(f, GcpConfig{}, "/r");
  EXPECT_EQ(r.status, CheckStatus::kOutOfSync);
  EXPECT_TRUE(Has(r,
                  "Traffic split: 50% serves origin/main's commit 3f9a2c1; 50% web-00002-abc "
                  "(0b1c2d3), 50% web-00003-xk2 (3f9a2c1)"))
      << Notes(r);
  EXPECT_EQ(r.data["serving"].size(), 2u);
  EXPECT_FALSE(r.fix.has_value()) << "the commit is deployed: traffic is to move, not a deploy";
  EXPECT_NE(r.fix_withheld.find("update-traffic web --to-latest"), std::string::npos);
}

TEST(GcpInterpret, RollbackIsOutOfSyncThoughTheLatestRevisionHasTheCommit) {
  // The latest ready revision carries the tip; 100% of traffic is on the old one.
  GcpFacts f = Facts(200, Service({To("web-00002-abc", 100)}, "web-00003-xk2"));
  f.revisions = {Revision("web-00002-abc", kOld), Revision("web-00003-xk2", kTip)};
  CheckResult r = InterpretGcp(f, GcpConfig{}, "/r");
  EXPECT_EQ(r.status, CheckStatus::kOutOfSync) << Notes(r);
  EXPECT_TRUE(Has(r,
                  "The latest revision web-00003-xk2 carries origin/main's commit 3f9a2c1 but "
                  "serves no traffic (a rollback or a --no-traffic deploy): 100% "
                  "web-00002-abc (0b1c2d3)"))
      << Notes(r);
  EXPECT_EQ(r.data["deployedCommit"], kOld);
  // The service's own labels name the newest revision: never taken for what serves.
  EXPECT_EQ(r.data["templateCommit"], kTip);
}

TEST(GcpInterpret, NoTrafficDeployKeepsServingTheOldCommit) {
  // gcloud run deploy --no-traffic: a new ready revision, the LATEST target
  // replaced by the revision that served before.
  json doc = json::parse(Service({To("web-00003-xk2", 100)}, "web-00004-new"));
  doc["traffic"] = doc["trafficStatuses"];
  doc["template"]["labels"]["commit-sha"] = kNew;
  GcpFacts f = Facts(200, doc.dump());
  f.local.tip = f.local.head = kNew;
  f.revisions = {Revision("web-00003-xk2", kTip), Revision("web-00004-new", kNew)};
  CheckResult r = InterpretGcp(f, GcpConfig{}, "/r");
  EXPECT_EQ(r.status, CheckStatus::kOutOfSync) << Notes(r);
  EXPECT_TRUE(Has(r,
                  "The latest revision web-00004-new carries origin/main's commit 9e8d7c6 but "
                  "serves no traffic"))
      << Notes(r);
  EXPECT_EQ(r.data["deployedCommit"], kTip);
}

TEST(GcpInterpret, UnlabelledServingRevisionIsNeverSyncedWithAGuessedCommit) {
  GcpFacts f = Facts(200, Service({To("web-00003-xk2", 100, true)}));
  f.revisions = {Revision("web-00003-xk2", "")};
  CheckResult r = InterpretGcp(f, GcpConfig{}, "/r");
  EXPECT_EQ(r.status, CheckStatus::kOutOfSync) << Notes(r);
  EXPECT_TRUE(Has(r,
                  "Serving commit unknown: 100% web-00003-xk2 (no commit-sha label or "
                  "annotation); not compared with origin/main"))
      << Notes(r);
  EXPECT_TRUE(r.data["deployedCommit"].is_null());
  EXPECT_TRUE(r.data["serving"][0]["commit"].is_null());
  EXPECT_FALSE(r.fix.has_value());
}

TEST(GcpInterpret, UnreadableRevisionOrUnknownTipIsFailed) {
  GcpFacts f = Facts(200, Service({To("web-00003-xk2", 100, true)}));
  RevisionAnswer denied = Revision("web-00003-xk2", kTip);
  denied.response.status = 403;
  denied.response.body = testing::ReadFile(testing::FixturePath("cloud_run/error_403.json"));
  f.revisions = {denied};
  CheckResult r = InterpretGcp(f, GcpConfig{}, "/r");
  EXPECT_EQ(r.status, CheckStatus::kFailed);
  EXPECT_TRUE(Has(r, "Cannot read revision web-00003-xk2: HTTP 403: PERMISSION_DENIED"))
      << Notes(r);

  f.revisions = {Revision("web-00003-xk2", kTip)};
  f.local.tip.clear();
  f.local.tip_error = "origin/main does not exist (fetch it, or set git.deploy_branch)";
  r = InterpretGcp(f, GcpConfig{}, "/r");
  EXPECT_EQ(r.status, CheckStatus::kFailed);
  EXPECT_TRUE(Has(r, "Cannot tell which commit should be live: origin/main does not exist"))
      << Notes(r);
}

TEST(GcpInterpret, StatusesFromTheAnswer) {
  GcpConfig gcp;
  EXPECT_EQ(InterpretGcp(Facts(404, "{}"), gcp, "/r").status, CheckStatus::kNotDeployed);
  EXPECT_TRUE(InterpretGcp(Facts(404, "{}"), gcp, "/r").fix.has_value());
  EXPECT_EQ(InterpretGcp(Facts(401, "{}"), gcp, "/r").status, CheckStatus::kFailed);
  EXPECT_EQ(InterpretGcp(Facts(500, "oops"), gcp, "/r").notes.back().text,
            "Cloud Run API answered HTTP 500");
  CheckResult junk = InterpretGcp(Facts(200, R"({"generation":{}})"), gcp, "/r");
  EXPECT_EQ(junk.status, CheckStatus::kFailed);
  EXPECT_EQ(
      junk.notes.back().text,
      "Cloud Run API answered something unexpected: the Service's generation is not an integer");
  GcpFacts timeout = Facts(0, "");
  timeout.response.answered = false;
  timeout.response.timed_out = true;
  EXPECT_EQ(InterpretGcp(timeout, gcp, "/r").status, CheckStatus::kFailed);
  // A CI result is shown, never a status of its own.
  GcpFacts ci = Facts(200, Service({To("web-00003-xk2", 100, true)}));
  ci.revisions = {Revision("web-00003-xk2", kTip)};
  ci.ci.state = "failure";
  ci.ci.detail = "failed: build failure (1 check run, 0 statuses)";
  CheckResult r = InterpretGcp(ci, gcp, "/r");
  EXPECT_EQ(r.status, CheckStatus::kSynced);
  EXPECT_TRUE(Has(r, "CI of 3f9a2c1: failure: failed: build failure")) << Notes(r);
  EXPECT_EQ(r.data["ci"]["state"], "failure");
}

}  // namespace
}  // namespace infinity_sync
