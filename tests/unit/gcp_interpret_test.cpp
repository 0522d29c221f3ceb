#include <gtest/gtest.h>

#include "checks/gcp_check.h"
#include "lib/test_support.h"

namespace infinity_sync {
namespace {

constexpr const char* kHead = "3f9a2c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39";

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
  f.local.head = kHead;
  f.local.upstream = "origin/main";
  f.local.upstream_resolves = true;
  return f;
}

TEST(GcpInterpret, DeployFixFillsPlaceholdersAndAddsTheLabel) {
  GcpConfig gcp;
  Fix fix = DeployFix(gcp, "p1", "europe-west1", "svc", kHead, "/repo");
  EXPECT_EQ(fix.description,
            std::string("gcloud run deploy svc --source . --region europe-west1 --project p1 "
                        "--labels commit-sha=") +
                kHead);
  EXPECT_EQ(fix.cwd, "/repo");
  gcp.deploy_command = {"deploy.sh", "--to={project}/{region}/{service}"};
  gcp.commit_label = "rev";
  EXPECT_EQ(DeployFix(gcp, "p", "r", "s", "abc", "/").argv,
            (std::vector<std::string>{"deploy.sh", "--to=p/r/s", "--labels", "rev=abc"}));
}

TEST(GcpInterpret, StatusesFromTheAnswer) {
  GcpConfig gcp;
  std::string ready = testing::ReadFile(testing::FixturePath("cloud_run/ready.json"));
  EXPECT_EQ(InterpretGcp(Facts(200, ready), gcp, "/r").status, CheckStatus::kSynced);
  GcpFacts other = Facts(200, ready);
  other.local.head = "0000000000000000000000000000000000000000";
  CheckResult r = InterpretGcp(other, gcp, "/r");
  EXPECT_EQ(r.status, CheckStatus::kOutOfSync);
  ASSERT_TRUE(r.fix.has_value());
  other.local.dirty = 2;
  r = InterpretGcp(other, gcp, "/r");
  EXPECT_FALSE(r.fix.has_value());
  EXPECT_NE(r.fix_withheld.find("uncommitted changes"), std::string::npos);
  other.local.upstream = "";
  EXPECT_EQ(InterpretGcp(other, gcp, "/r").fix_withheld,
            "the branch has no upstream: push HEAD first");

  EXPECT_EQ(InterpretGcp(Facts(404, "{}"), gcp, "/r").status, CheckStatus::kNotDeployed);
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

  GcpFacts unknown_head = Facts(200, ready);
  unknown_head.local = {};
  unknown_head.local.error = "not a git repository";
  CheckResult u = InterpretGcp(unknown_head, gcp, "/r");
  EXPECT_EQ(u.status, CheckStatus::kSynced);
  EXPECT_EQ(u.notes.back().text,
            "Deployed commit 3f9a2c1; local HEAD unknown (not a git repository): not compared");
}

}  // namespace
}  // namespace infinity_sync
