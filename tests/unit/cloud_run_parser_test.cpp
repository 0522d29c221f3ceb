#include "cloud/cloud_run.h"

#include <gtest/gtest.h>

#include "lib/test_support.h"

namespace infinity_sync {
namespace {

constexpr const char* kCommit = "3f9a2c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39";

CloudRunService Load(const std::string& name) {
  auto s = ParseCloudRunService(testing::ReadFile(testing::FixturePath("cloud_run/" + name)));
  EXPECT_TRUE(s.ok()) << name << ": " << (s.ok() ? "" : s.error());
  return s.ok() ? *s : CloudRunService{};
}

TEST(CloudRunParser, ReadyService) {
  CloudRunService s = Load("ready.json");
  EXPECT_EQ(s.name, "projects/demo-project/locations/us-central1/services/web");
  EXPECT_EQ(s.uri, "https://web-4kq2x7yzpa-uc.a.run.app");
  EXPECT_EQ(s.generation, 3);  // "3" on the wire
  EXPECT_EQ(s.observed_generation, 3);
  EXPECT_FALSE(s.reconciling);  // omitted = false
  EXPECT_EQ(s.terminal.state, "CONDITION_SUCCEEDED");
  EXPECT_EQ(ShortRevision(s.latest_ready_revision), "web-00003-xk2");
  ASSERT_EQ(s.images.size(), 1u);
  EXPECT_EQ(s.images[0].rfind("us-central1-docker.pkg.dev/demo-project/", 0), 0u);
  CloudRunAssessment a = AssessCloudRunService(s, "commit-sha");
  EXPECT_TRUE(a.ready);
  EXPECT_FALSE(a.rollout_failed);
  EXPECT_FALSE(a.in_progress);
  EXPECT_EQ(a.deployed_commit, kCommit);
  EXPECT_EQ(a.commit_source, "service label");
  EXPECT_EQ(a.traffic_split, "");
}

TEST(CloudRunParser, ReconcilingIsInProgress) {
  CloudRunAssessment a = AssessCloudRunService(Load("reconciling.json"), "commit-sha");
  EXPECT_FALSE(a.ready);
  EXPECT_FALSE(a.rollout_failed);
  EXPECT_TRUE(a.in_progress);
  EXPECT_EQ(a.failure, "a rollout is in progress");
}

TEST(CloudRunParser, FailedRollout) {
  CloudRunService s = Load("failed_rollout.json");
  CloudRunAssessment a = AssessCloudRunService(s, "commit-sha");
  EXPECT_FALSE(a.ready);
  EXPECT_TRUE(a.rollout_failed);
  EXPECT_EQ(a.failure.rfind("revision web-00004-p9d did not become ready: Revision 'web-00004-p9d' "
                            "is not ready and cannot serve traffic.",
                            0),
            0u)
      << a.failure;
  // A failed condition while the new revision is not ready also counts,
  // even when the terminal condition has not caught up.
  s.terminal.state = "CONDITION_SUCCEEDED";
  a = AssessCloudRunService(s, "commit-sha");
  EXPECT_TRUE(a.rollout_failed);
  EXPECT_NE(a.failure.find("ConfigurationsReady: Revision"), std::string::npos) << a.failure;
}

TEST(CloudRunParser, GenerationNotObservedIsNotReady) {
  CloudRunService s = Load("ready.json");
  s.generation = 4;
  CloudRunAssessment a = AssessCloudRunService(s, "commit-sha");
  EXPECT_FALSE(a.ready);
  EXPECT_TRUE(a.in_progress);
  EXPECT_EQ(a.failure, "generation 4 is not yet observed (at 3)");
}

TEST(CloudRunParser, SplitTraffic) {
  CloudRunAssessment a = AssessCloudRunService(Load("split_traffic.json"), "commit-sha");
  EXPECT_TRUE(a.ready);
  EXPECT_EQ(a.traffic_split, "90% web-00002-abc, 10% latest (tag canary)");
}

TEST(CloudRunParser, LabelOnTemplateOnlyAndNoLabel) {
  CloudRunAssessment t = AssessCloudRunService(Load("label_on_template.json"), "commit-sha");
  EXPECT_EQ(t.deployed_commit, kCommit);
  EXPECT_EQ(t.commit_source, "template label");
  CloudRunAssessment n = AssessCloudRunService(Load("no_label.json"), "commit-sha");
  EXPECT_TRUE(n.ready);
  EXPECT_EQ(n.deployed_commit, "");
  // Another label key is honoured.
  CloudRunService s = Load("no_label.json");
  s.annotations["app/revision"] = "abcdef0";
  EXPECT_EQ(AssessCloudRunService(s, "app/revision").commit_source, "service annotation");
}

TEST(CloudRunParser, CommitsMatchFullOrShort) {
  EXPECT_TRUE(CommitsMatch(kCommit, kCommit));
  EXPECT_TRUE(CommitsMatch("3f9a2c1", kCommit));
  EXPECT_FALSE(CommitsMatch("3f9a2c", kCommit));  // too short to trust
  EXPECT_FALSE(CommitsMatch("3f9a2c2", kCommit));
}

TEST(CloudRunParser, WrongTypesAreNamed) {
  auto bad = ParseCloudRunService(R"({"generation": true})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), "the Service's generation is not an integer");
  bad = ParseCloudRunService(R"({"template": {"containers": [{"image": 5}]}})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), "the Service's template.containers[0].image is not a string");
  bad = ParseCloudRunService(R"({"traffic": [{"percent": "x"}]})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), "the Service's traffic[0].percent is not an integer");
  EXPECT_FALSE(ParseCloudRunService("<html>").ok());
  EXPECT_FALSE(ParseCloudRunService("[]").ok());
  // An empty object is a Service with everything at its default.
  auto empty = ParseCloudRunService("{}");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(AssessCloudRunService(*empty, "commit-sha").ready);
}

TEST(CloudRunParser, GoogleRpcErrors) {
  auto read = [](const char* f) {
    return ParseGoogleRpcError(
        testing::ReadFile(testing::FixturePath(std::string("cloud_run/") + f)));
  };
  EXPECT_EQ(read("error_404.json"),
            "NOT_FOUND: Resource 'web' of kind 'SERVICE' in region 'us-central1' in project "
            "'demo-project' does not exist.");
  EXPECT_EQ(
      read("error_403.json").rfind("PERMISSION_DENIED: Permission 'run.services.get' denied", 0),
      0u);
  EXPECT_EQ(read("error_401.json").rfind("UNAUTHENTICATED: Request had invalid authentication", 0),
            0u);
  EXPECT_EQ(read("error_429.json").rfind("RESOURCE_EXHAUSTED: Quota exceeded", 0), 0u);
  EXPECT_EQ(read("error_503.json"), "UNAVAILABLE: The service is currently unavailable.");
  EXPECT_EQ(ParseGoogleRpcError(R"({"error":{"message":"only a message"}})"), "only a message");
  EXPECT_EQ(ParseGoogleRpcError("<html>Bad Gateway</html>"), "");
  EXPECT_EQ(ParseGoogleRpcError(R"({"error":"invalid_grant"})"), "");
}

}  // namespace
}  // namespace infinity_sync
