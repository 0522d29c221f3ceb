// The gcp check, end to end: the real program, a real git repository, and the
// loopback Google stand-in reached only through the settings users have.
#include <gtest/gtest.h>

#include "lib/google_world.h"

namespace infinity_sync::testing {
namespace {

using nlohmann::json;

json Gcp(const json& doc) { return doc["status"]["GCPSync"]; }

std::string Details(const json& check) {
  std::string all;
  for (const auto& d : check["Details"]) all += d.get<std::string>() + "\n";
  return all;
}

// Every token the fake handed out or accepted, from its own log.
std::vector<std::string> TokensSeen(const GoogleFake& fake) {
  std::vector<std::string> out;
  for (const auto& r : fake.Requests()) {
    if (!r["headers"].contains("Authorization")) continue;
    std::string auth = r["headers"]["Authorization"];
    if (auth.rfind("Bearer ", 0) == 0) out.push_back(auth.substr(7));
  }
  return out;
}

void ExpectNoTokenLeak(const GoogleFake& fake, const ProcessResult& res, const GcpWorld& w) {
  std::vector<std::string> tokens = TokensSeen(fake);
  ASSERT_FALSE(tokens.empty()) << "no request carried a token";
  std::string status_file = ReadFile(w.status_path());
  for (const auto& t : tokens) {
    EXPECT_EQ(res.out.find(t), std::string::npos) << "token on stdout";
    EXPECT_EQ(res.err.find(t), std::string::npos) << "token on stderr";
    EXPECT_EQ(status_file.find(t), std::string::npos) << "token in the status file";
  }
}

// A world with a service-account file and the fake serving `fixture` for
// service "web" with its label set to `commit`, and the revisions it names
// (web-00002-abc with kFixtureCommit, web-00003-xk2 with `commit`; no label
// on either when the fixture has none).
struct SaSetup {
  explicit SaSetup(const std::string& fixture, const std::string& commit_or_head = "HEAD",
                   int status = 200)
      : fake(Config(fixture, commit_or_head, status)) {
    WriteServiceAccountFile(w.dir / "sa.json", fake.token_uri());
    w.env["GOOGLE_APPLICATION_CREDENTIALS"] = w.dir / "sa.json";
    w.WriteConfig("  project: demo-project\n  service: web\n  api_url: " + fake.url());
  }
  json Config(const std::string& fixture, const std::string& commit, int status) {
    if (fixture.empty()) return FakeConfig();
    std::string doc = w.dir / "service.json";
    std::string sha = commit == "HEAD" ? w.git.Head(w.git.work()) : commit;
    WriteServiceDoc(doc, fixture, sha);
    bool labelled = fixture != "no_label.json";
    WriteRevisionDoc(w.dir / "rev2.json", "web-00002-abc", labelled ? kFixtureCommit : "");
    WriteRevisionDoc(w.dir / "rev3.json", "web-00003-xk2", labelled ? sha : "");
    return FakeConfig({{ServicePath(), {{"status", status}, {"body_file", doc}}},
                       {RevisionPath("web-00002-abc"), {{"body_file", w.dir / "rev2.json"}}},
                       {RevisionPath("web-00003-xk2"), {{"body_file", w.dir / "rev3.json"}}}});
  }
  GcpWorld w;
  GoogleFake fake;
};

TEST(GcpCheckIntegration, SyncedWhenTheDeployedCommitIsHead) {
  SaSetup s("ready.json");
  json doc;
  ProcessResult res = s.w.Run({"--only", "gcp"}, &doc);
  EXPECT_EQ(res.exit_code, 0) << res.out << res.err;
  json gcp = Gcp(doc);
  EXPECT_EQ(gcp["Status"], "Synced") << gcp.dump(2);
  std::string details = Details(gcp);
  EXPECT_NE(details.find("Cloud Run service is deployed at: https://web-4kq2x7yzpa-uc.a.run.app"),
            std::string::npos);
  EXPECT_NE(details.find("Latest revision: web-00003-xk2"), std::string::npos);
  EXPECT_NE(details.find("Image: us-central1-docker.pkg.dev/demo-project/"), std::string::npos);
  std::string head = s.w.git.Head(s.w.git.work());
  EXPECT_NE(details.find("Cloud Run serves origin/main's commit " + head.substr(0, 7) +
                         " on 100% of traffic"),
            std::string::npos)
      << details;
  EXPECT_NE(details.find("Serving: 100% web-00003-xk2 (" + head.substr(0, 7) + ")"),
            std::string::npos)
      << details;
  EXPECT_EQ(gcp["Data"]["deployBranch"], "origin/main");
  EXPECT_EQ(gcp["Data"]["deployBranchCommit"], head);
  EXPECT_EQ(gcp["Data"]["serving"], json::array({{{"revision", "web-00003-xk2"},
                                                  {"percent", 100},
                                                  {"commit", head},
                                                  {"latest", true},
                                                  {"createTime", "2026-02-17T23:58:41.204113Z"}}}));
  EXPECT_EQ(gcp["Data"]["ci"]["state"], "skipped");
  EXPECT_EQ(doc["lineage"]["live"], true) << doc["lineage"].dump(2);
  EXPECT_EQ(doc["lineage"]["commit"], head);
  EXPECT_EQ(gcp["Data"]["head"], head);
  EXPECT_EQ(gcp["Data"]["credentials"], "service account file");
  EXPECT_EQ(gcp["Data"]["account"], kTestSaEmail);
  EXPECT_TRUE(doc["actions"].empty());
  EXPECT_EQ(s.fake.Count("/token"), 1);
  EXPECT_EQ(s.fake.Count(ServicePath()), 2) << "the service and its one serving revision";
  EXPECT_EQ(s.fake.Count(RevisionPath("web-00003-xk2")), 1);
  ExpectNoTokenLeak(s.fake, res, s.w);
}

TEST(GcpCheckIntegration, OutOfSyncOffersALabelledDeployWhenHeadIsPushed) {
  SaSetup s("ready.json", kFixtureCommit);
  json doc;
  ProcessResult res = s.w.Run({"--only", "gcp", "--dry-run"}, &doc);
  EXPECT_EQ(res.exit_code, 1) << res.out << res.err;
  json gcp = Gcp(doc);
  EXPECT_EQ(gcp["Status"], "OutOfSync");
  std::string head = s.w.git.Head(s.w.git.work());
  EXPECT_NE(Details(gcp).find("Cloud Run serves 100% web-00003-xk2 (3f9a2c1), not origin/main's "
                              "commit " +
                              head.substr(0, 7)),
            std::string::npos)
      << Details(gcp);
  EXPECT_EQ(doc["lineage"]["live"], false);
  ASSERT_EQ(doc["actions"].size(), 1u) << doc.dump(2);
  EXPECT_EQ(doc["actions"][0]["check"], "GCPSync");
  EXPECT_EQ(doc["actions"][0]["action"],
            "gcloud run deploy web --source . --region us-central1 --project demo-project "
            "--labels commit-sha=" +
                head);
  EXPECT_EQ(doc["actions"][0]["applied"], false);
  EXPECT_EQ(doc["actions"][0]["reason"], "dry run");
  ExpectNoTokenLeak(s.fake, res, s.w);
}

TEST(GcpCheckIntegration, DeployIsAppliedWithYesWithPlaceholdersFilled) {
  SaSetup s("no_label.json");
  // A ready service without a label is Synced: make it NotDeployed instead by
  // asking for another service, and record what the deploy command receives.
  std::string record = s.w.dir / "deploy-args";
  s.w.WriteConfig("  project: demo-project\n  service: api\n  region: europe-west1\n  api_url: " +
                  s.fake.url() +
                  "\n  commit_label: deployed-commit\n  deploy_command: [/bin/sh, -c, "
                  "'printf \"%s\\n\" \"$@\" > " +
                  record +
                  "', deploy, '{service}', "
                  "'--region={region}', '{project}']");
  s.w.env["PATH"] = s.w.dir / "bin" + std::string(":/bin:/usr/bin");
  json doc;
  ProcessResult res = s.w.Run({"--only", "gcp", "--yes"}, &doc);
  EXPECT_EQ(Gcp(doc)["Status"], "NotDeployed") << doc.dump(2) << res.err;
  ASSERT_EQ(doc["actions"].size(), 1u) << doc.dump(2);
  EXPECT_EQ(doc["actions"][0]["applied"], true) << doc.dump(2);
  std::string head = s.w.git.Head(s.w.git.work());
  EXPECT_EQ(ReadFile(record),
            "api\n--region=europe-west1\ndemo-project\n--labels\ndeployed-commit=" + head + "\n");
}

TEST(GcpCheckIntegration, DeployWithheldWhileHeadIsAheadOfItsUpstream) {
  SaSetup s("ready.json", kFixtureCommit);
  s.w.git.Commit(s.w.git.work(), "local.txt", "not pushed\n");
  json doc;
  ProcessResult res = s.w.Run({"--only", "gcp", "--dry-run"}, &doc);
  json gcp = Gcp(doc);
  EXPECT_EQ(gcp["Status"], "OutOfSync");
  EXPECT_TRUE(doc["actions"].empty()) << doc.dump(2);
  EXPECT_NE(gcp["Data"]["deployWithheld"].get<std::string>().find(
                "HEAD on main is 1 ahead of origin/main: a deploy is offered only from the tip"),
            std::string::npos)
      << gcp.dump(2);
}

TEST(GcpCheckIntegration, RolloutInProgressIsOutOfSyncWithoutAFix) {
  SaSetup s("reconciling.json");
  json doc;
  s.w.Run({"--only", "gcp", "--dry-run"}, &doc);
  json gcp = Gcp(doc);
  EXPECT_EQ(gcp["Status"], "OutOfSync");
  EXPECT_NE(Details(gcp).find("Not ready: a rollout is in progress"), std::string::npos);
  EXPECT_TRUE(doc["actions"].empty());
}

TEST(GcpCheckIntegration, FailedRolloutIsFailedWithTheReason) {
  SaSetup s("failed_rollout.json");
  json doc;
  ProcessResult res = s.w.Run({"--only", "gcp"}, &doc);
  EXPECT_EQ(res.exit_code, 2);
  json gcp = Gcp(doc);
  EXPECT_EQ(gcp["Status"], "Failed");
  EXPECT_NE(Details(gcp).find("Latest rollout failed: revision web-00004-p9d did not become ready: "
                              "Revision 'web-00004-p9d' is not ready"),
            std::string::npos)
      << Details(gcp);
}

TEST(GcpCheckIntegration, UnlabelledServingRevisionIsUnknownNeverSynced) {
  SaSetup s("no_label.json");
  json doc;
  ProcessResult res = s.w.Run({"--only", "gcp", "--dry-run"}, &doc);
  EXPECT_EQ(res.exit_code, 1);
  json gcp = Gcp(doc);
  EXPECT_EQ(gcp["Status"], "OutOfSync");
  EXPECT_NE(Details(gcp).find("Serving commit unknown: 100% web-00003-xk2 (no commit-sha label or "
                              "annotation)"),
            std::string::npos)
      << Details(gcp);
  EXPECT_TRUE(gcp["Data"]["deployedCommit"].is_null());
  EXPECT_TRUE(doc["lineage"]["live"].is_null()) << doc["lineage"].dump(2);
  EXPECT_EQ(doc["lineage"]["hops"][3]["state"], "unknown");
  EXPECT_TRUE(doc["actions"].empty());
}

TEST(GcpCheckIntegration, LabelOnTheTemplateIsNotWhatServes) {
  // The template's label names the newest revision; the revision's own label decides.
  SaSetup s("label_on_template.json");
  json doc;
  s.w.Run({"--only", "gcp"}, &doc);
  json gcp = Gcp(doc);
  EXPECT_EQ(gcp["Status"], "Synced");
  EXPECT_EQ(gcp["Data"]["templateCommit"], s.w.git.Head(s.w.git.work()));
  EXPECT_EQ(gcp["Data"]["serving"][0]["commit"], s.w.git.Head(s.w.git.work()));
}

TEST(GcpCheckIntegration, SplitTrafficIsOutOfSyncWithThePercentages) {
  SaSetup s("split_traffic.json");
  json doc;
  ProcessResult res = s.w.Run({"--only", "gcp", "--dry-run"}, &doc);
  EXPECT_EQ(res.exit_code, 1);
  json gcp = Gcp(doc);
  EXPECT_EQ(gcp["Status"], "OutOfSync");
  std::string head = s.w.git.Head(s.w.git.work()).substr(0, 7);
  EXPECT_NE(Details(gcp).find("Traffic split: 10% serves origin/main's commit " + head +
                              "; 90% web-00002-abc (3f9a2c1), 10% web-00003-xk2 (" + head +
                              ", tag canary)"),
            std::string::npos)
      << Details(gcp);
  EXPECT_EQ(gcp["Data"]["deployedCommit"], kFixtureCommit) << "the commit with most traffic";
  EXPECT_EQ(doc["lineage"]["live"], false);
  EXPECT_TRUE(doc["actions"].empty()) << "moving traffic is not a deploy";
}

TEST(GcpCheckIntegration, RollbackServesTheOldCommitWhileTheLatestHasTheNew) {
  GcpWorld w;
  std::string head = w.git.Head(w.git.work());
  WriteServiceWithTraffic(w.dir / "service.json", "ready.json", {{"web-00002-abc", 100}},
                          "web-00003-xk2");
  WriteRevisionDoc(w.dir / "rev2.json", "web-00002-abc", kFixtureCommit);
  WriteRevisionDoc(w.dir / "rev3.json", "web-00003-xk2", head);
  GoogleFake fake(
      FakeConfig({{ServicePath(), {{"body_file", w.dir / "service.json"}}},
                  {RevisionPath("web-00002-abc"), {{"body_file", w.dir / "rev2.json"}}},
                  {RevisionPath("web-00003-xk2"), {{"body_file", w.dir / "rev3.json"}}}}));
  WriteServiceAccountFile(w.dir / "sa.json", fake.token_uri());
  w.env["GOOGLE_APPLICATION_CREDENTIALS"] = w.dir / "sa.json";
  w.WriteConfig("  project: demo-project\n  service: web\n  api_url: " + fake.url());
  json doc;
  ProcessResult res = w.Run({"--only", "gcp", "--dry-run"}, &doc);
  EXPECT_EQ(res.exit_code, 1);
  json gcp = Gcp(doc);
  EXPECT_EQ(gcp["Status"], "OutOfSync");
  EXPECT_NE(Details(gcp).find("The latest revision web-00003-xk2 carries origin/main's commit " +
                              head.substr(0, 7) + " but serves no traffic"),
            std::string::npos)
      << Details(gcp);
  EXPECT_EQ(gcp["Data"]["deployedCommit"], kFixtureCommit);
  EXPECT_EQ(fake.Count(RevisionPath("web-00003-xk2")), 1)
      << "the latest is read to tell a rollback";
  EXPECT_EQ(doc["lineage"]["live"], false);
}

TEST(GcpCheckIntegration, FeatureBranchWithMainDeployedIsSynced) {
  SaSetup s("ready.json");
  auto env = GitWorld::Env();
  MustRun({"git", "checkout", "--quiet", "-b", "feature-x"}, s.w.git.work(), env);
  s.w.git.Commit(s.w.git.work(), "a.txt", "a\n");
  s.w.git.Commit(s.w.git.work(), "b.txt", "b\n");
  MustRun({"git", "push", "--quiet", "-u", "origin", "feature-x"}, s.w.git.work(), env);
  json doc;
  ProcessResult res = s.w.Run({"--only", "gcp", "--dry-run"}, &doc);
  EXPECT_EQ(res.exit_code, 0) << res.err;
  json gcp = Gcp(doc);
  EXPECT_EQ(gcp["Status"], "Synced") << Details(gcp);
  EXPECT_NE(Details(gcp).find("HEAD on feature-x is 2 ahead of origin/main"), std::string::npos)
      << Details(gcp);
  EXPECT_TRUE(doc["actions"].empty()) << "never offers to deploy a feature branch";
  EXPECT_EQ(doc["lineage"]["live"], true);
  EXPECT_EQ(doc["lineage"]["hops"][0]["branch"], "feature-x");
  EXPECT_EQ(doc["lineage"]["hops"][1]["state"], "unpushed");
}

TEST(GcpCheckIntegration, DeployBranchFromConfigAndRemoteHead) {
  SaSetup s("ready.json");
  auto env = GitWorld::Env();
  // origin/HEAD names "release", which holds a newer commit than main.
  MustRun({"git", "checkout", "--quiet", "-b", "release"}, s.w.git.work(), env);
  s.w.git.Commit(s.w.git.work(), "r.txt", "r\n");
  MustRun({"git", "push", "--quiet", "origin", "release"}, s.w.git.work(), env);
  MustRun({"git", "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/release"},
          s.w.git.work(), env);
  json doc;
  s.w.Run({"--only", "gcp", "--dry-run"}, &doc);
  EXPECT_EQ(Gcp(doc)["Data"]["deployBranch"], "origin/release");
  EXPECT_EQ(Gcp(doc)["Data"]["deployBranchSource"], "origin/HEAD");
  EXPECT_EQ(Gcp(doc)["Status"], "OutOfSync") << "main's commit serves, release is ahead";
  // git.deploy_branch wins over origin/HEAD.
  s.w.WriteConfig("  project: demo-project\n  service: web\n  api_url: " + s.fake.url(), "");
  std::string text = ReadFile(s.w.config_path());
  text.replace(text.find("  fetch: false"), 14, "  fetch: false\n  deploy_branch: main");
  WriteFile(s.w.config_path(), text);
  s.w.Run({"--only", "gcp", "--dry-run"}, &doc);
  EXPECT_EQ(Gcp(doc)["Data"]["deployBranch"], "origin/main");
  EXPECT_EQ(Gcp(doc)["Status"], "Synced") << Details(Gcp(doc));
}

TEST(GcpCheckIntegration, NotDeployedOn404WithTheDeployFix) {
  SaSetup s("");
  json doc;
  ProcessResult res = s.w.Run({"--only", "gcp", "--dry-run"}, &doc);
  EXPECT_EQ(res.exit_code, 1);
  json gcp = Gcp(doc);
  EXPECT_EQ(gcp["Status"], "NotDeployed");
  EXPECT_NE(
      Details(gcp).find("Cloud Run service web is not deployed in us-central1 (demo-project): "
                        "NOT_FOUND: Resource 'web' of kind 'SERVICE' does not exist."),
      std::string::npos)
      << Details(gcp);
  ASSERT_EQ(doc["actions"].size(), 1u);
}

TEST(GcpCheckIntegration, PermissionDeniedIsFailedWithTheApiMessage) {
  SaSetup s("error_403.json", "HEAD", 403);
  json doc;
  ProcessResult res = s.w.Run({"--only", "gcp"}, &doc);
  EXPECT_EQ(res.exit_code, 2);
  json gcp = Gcp(doc);
  EXPECT_EQ(gcp["Status"], "Failed");
  EXPECT_NE(Details(gcp).find("refused the credentials (HTTP 403): PERMISSION_DENIED: Permission "
                              "'run.services.get' denied"),
            std::string::npos)
      << Details(gcp);
}

TEST(GcpCheckIntegration, ServerErrorAndQuotaAreFailed) {
  for (auto [fixture, status, text] :
       {std::tuple{"error_503.json", 503, "HTTP 503: UNAVAILABLE"},
        std::tuple{"error_429.json", 429, "quota exhausted (HTTP 429): RESOURCE_EXHAUSTED"}}) {
    SaSetup s(fixture, "HEAD", status);
    json doc;
    s.w.Run({"--only", "gcp"}, &doc);
    EXPECT_EQ(Gcp(doc)["Status"], "Failed");
    EXPECT_NE(Details(Gcp(doc)).find(text), std::string::npos) << Details(Gcp(doc));
  }
}

TEST(GcpCheckIntegration, RejectedTokenIsFailedWithUnauthenticated) {
  SaSetup s("ready.json");
  s.w.env["GOOGLE_OAUTH_ACCESS_TOKEN"] = "ya29.not-issued-by-the-fake";
  json doc;
  ProcessResult res = s.w.Run({"--only", "gcp"}, &doc);
  json gcp = Gcp(doc);
  EXPECT_EQ(gcp["Status"], "Failed");
  EXPECT_NE(Details(gcp).find("(HTTP 401): UNAUTHENTICATED"), std::string::npos) << Details(gcp);
  EXPECT_EQ(s.fake.Count("/token"), 0) << "the environment token comes first";
  EXPECT_EQ(res.out.find("ya29.not-issued-by-the-fake"), std::string::npos);
  EXPECT_EQ(res.err.find("ya29.not-issued-by-the-fake"), std::string::npos);
  EXPECT_EQ(ReadFile(s.w.status_path()).find("ya29.not-issued-by-the-fake"), std::string::npos);
}

TEST(GcpCheckIntegration, UnreachableApiIsFailed) {
  SaSetup s("ready.json");
  s.w.WriteConfig("  project: demo-project\n  service: web\n  api_url: http://127.0.0.1:" +
                  std::to_string(FreePort()));
  json doc;
  s.w.Run({"--only", "gcp"}, &doc);
  EXPECT_EQ(Gcp(doc)["Status"], "Failed");
  EXPECT_NE(Details(Gcp(doc)).find("Cannot reach the Cloud Run API at http://127.0.0.1:"),
            std::string::npos)
      << Details(Gcp(doc));
}

TEST(GcpCheckIntegration, SlowApiIsFailedAtTheDeadline) {
  GcpWorld w;
  std::string doc_path = w.dir / "service.json";
  WriteServiceDoc(doc_path, "ready.json", kFixtureCommit);
  GoogleFake fake(FakeConfig({{ServicePath(), {{"body_file", doc_path}, {"delay_ms", 5000}}}}));
  WriteServiceAccountFile(w.dir / "sa.json", fake.token_uri());
  w.env["GOOGLE_APPLICATION_CREDENTIALS"] = w.dir / "sa.json";
  w.WriteConfig("  project: demo-project\n  service: web\n  api_url: " + fake.url(), "");
  WriteFile(w.config_path(), ReadFile(w.config_path()) + "");
  std::string text = ReadFile(w.config_path());
  text.replace(text.find("timeout: 10s"), 12, "timeout: 1s");
  WriteFile(w.config_path(), text);
  json doc;
  auto start = std::chrono::steady_clock::now();
  w.Run({"--only", "gcp"}, &doc);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
  EXPECT_EQ(Gcp(doc)["Status"], "Failed") << Gcp(doc).dump(2);
}

TEST(GcpCheckIntegration, NotConfiguredWithoutAProject) {
  GcpWorld w;
  w.WriteConfig("  service: web");
  json doc;
  ProcessResult res = w.Run({"--only", "gcp"}, &doc);
  EXPECT_EQ(res.exit_code, 0) << "NotConfigured is neutral";
  EXPECT_EQ(Gcp(doc)["Status"], "NotConfigured");
  EXPECT_NE(Details(Gcp(doc)).find("No Google Cloud project configured"), std::string::npos);
}

TEST(GcpCheckIntegration, NotConfiguredWithoutCredentials) {
  GcpWorld w;
  w.WriteConfig("  project: demo-project\n  service: web\n  api_url: http://127.0.0.1:1");
  json doc;
  ProcessResult res = w.Run({"--only", "gcp"}, &doc);
  EXPECT_EQ(res.exit_code, 0);
  EXPECT_EQ(Gcp(doc)["Status"], "NotConfigured");
  EXPECT_NE(Details(Gcp(doc)).find("No Google credentials: no Google credentials found"),
            std::string::npos)
      << Details(Gcp(doc));
}

TEST(GcpCheckIntegration, BadSignatureIsFailedWithInvalidGrant) {
  SaSetup s("ready.json");
  WriteServiceAccountFile(s.w.dir / "sa.json", s.fake.token_uri(), "demo-project",
                          "google/other_key.pem");
  json doc;
  s.w.Run({"--only", "gcp"}, &doc);
  json gcp = Gcp(doc);
  EXPECT_EQ(gcp["Status"], "Failed");
  EXPECT_NE(Details(gcp).find("invalid_grant: Invalid JWT Signature. (HTTP 400)"),
            std::string::npos)
      << Details(gcp);
  EXPECT_NE(Details(gcp).find(s.w.dir / "sa.json"), std::string::npos);
  EXPECT_EQ(s.fake.Count(ServicePath()), 0);
}

TEST(GcpCheckIntegration, BrokenCredentialsFileNamesTheFileAndField) {
  SaSetup s("ready.json");
  std::string path = s.w.dir / "sa.json";
  WriteFile(path, "{not json");
  json doc;
  s.w.Run({"--only", "gcp"}, &doc);
  EXPECT_EQ(Gcp(doc)["Status"], "Failed");
  EXPECT_NE(Details(Gcp(doc)).find(path + ": not valid JSON"), std::string::npos)
      << Details(Gcp(doc));

  json sa = json::parse(R"({"type":"service_account","client_email":"x@y"})");
  WriteFile(path, sa.dump());
  s.w.Run({"--only", "gcp"}, &doc);
  EXPECT_NE(Details(Gcp(doc)).find(path + ": field \"private_key\" is missing"), std::string::npos)
      << Details(Gcp(doc));

  sa["private_key"] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
  WriteFile(path, sa.dump());
  s.w.Run({"--only", "gcp"}, &doc);
  EXPECT_NE(
      Details(Gcp(doc)).find(path + ": field \"private_key\": the private key is not a valid"),
      std::string::npos)
      << Details(Gcp(doc));
}

}  // namespace
}  // namespace infinity_sync::testing
