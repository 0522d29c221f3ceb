// Google credentials through the real program: every source, their order, the
// token shared by the auth and gcp checks, and the real gcloud with no account.
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "lib/google_world.h"

namespace infinity_sync::testing {
namespace {

using nlohmann::json;

json Auth(const json& doc) { return doc["status"]["AuthCheck"]; }
json Gcp(const json& doc) { return doc["status"]["GCPSync"]; }

std::string Details(const json& check) {
  std::string all;
  for (const auto& d : check["Details"]) all += d.get<std::string>() + "\n";
  return all;
}

struct AuthWorld {
  explicit AuthWorld(json config = json::object()) : fake(Make(std::move(config))) {
    w.WriteConfig("  project: demo-project\n  service: web\n  api_url: " + fake.url());
  }
  json Make(json config) {
    std::string doc = w.dir / "service.json";
    WriteServiceDoc(doc, "ready.json", w.git.Head(w.git.work()));
    WriteRevisionDoc(w.dir / "revision.json", "web-00003-xk2", w.git.Head(w.git.work()));
    json base =
        FakeConfig({{ServicePath(), {{"body_file", doc}}},
                    {RevisionPath("web-00003-xk2"), {{"body_file", w.dir / "revision.json"}}}});
    base.update(config);
    return base;
  }
  GcpWorld w;
  GoogleFake fake;
};

const json kRefresh = {{"client_id", "cid.apps.googleusercontent.com"},
                       {"client_secret", "d-FL95Q19q7MQmFpd7hHD0Ty"},
                       {"refresh_token", "1//0refresh-token-for-tests"}};
const json kMetadata = {{"token", "ya29.metadata-token-for-tests"},
                        {"project", "meta-project"},
                        {"email", "runner@meta-project.iam.gserviceaccount.com"}};

void WriteAuthorizedUser(const std::string& path, const std::string& token_uri,
                         const std::string& refresh_token) {
  json f = {{"type", "authorized_user"},
            {"client_id", kRefresh["client_id"]},
            {"client_secret", kRefresh["client_secret"]},
            {"refresh_token", refresh_token},
            {"quota_project_id", "adc-project"},
            {"token_uri", token_uri}};
  WriteFile(path, f.dump(2));
}

TEST(GoogleAuthIntegration, EnvironmentTokenComesFirst) {
  AuthWorld s(json{{"accept_tokens", {"ya29.env-token"}}, {"metadata", kMetadata}});
  WriteServiceAccountFile(s.w.dir / "sa.json", s.fake.token_uri());
  s.w.env["GOOGLE_APPLICATION_CREDENTIALS"] = s.w.dir / "sa.json";
  s.w.env["GCE_METADATA_HOST"] = s.fake.host();
  s.w.env["GOOGLE_OAUTH_ACCESS_TOKEN"] = "ya29.env-token";
  json doc;
  ProcessResult res = s.w.Run({"--only", "auth,gcp"}, &doc);
  // GCloudCLI is gcloud's own login, which this world does not have.
  EXPECT_EQ(Auth(doc)["Details"]["GCloudCLI"], false);
  EXPECT_EQ(Auth(doc)["Details"]["GCloudMethod"], "GOOGLE_OAUTH_ACCESS_TOKEN");
  EXPECT_EQ(Gcp(doc)["Status"], "Synced") << Gcp(doc).dump(2);
  EXPECT_EQ(s.fake.Count("/token"), 0);
  EXPECT_EQ(s.fake.Count("/computeMetadata/"), 0);
  EXPECT_EQ(res.out.find("ya29.env-token"), std::string::npos);
  EXPECT_EQ(ReadFile(s.w.status_path()).find("ya29.env-token"), std::string::npos);
}

TEST(GoogleAuthIntegration, ServiceAccountFileBeatsTheMetadataServerAndIsAskedOnce) {
  AuthWorld s(json{{"metadata", kMetadata}});
  WriteServiceAccountFile(s.w.dir / "sa.json", s.fake.token_uri());
  s.w.env["GOOGLE_APPLICATION_CREDENTIALS"] = s.w.dir / "sa.json";
  s.w.env["GCE_METADATA_HOST"] = s.fake.host();
  json doc;
  ProcessResult res = s.w.Run({"--only", "auth,gcp"}, &doc);
  // GitHub has no credentials in the sealed environment: Partial.
  EXPECT_EQ(Auth(doc)["Status"], "Partial");
  EXPECT_EQ(Auth(doc)["Details"]["GCloudCLI"], false) << "no gcloud login here";
  EXPECT_EQ(Auth(doc)["Details"]["GCloudAccount"], kTestSaEmail);
  EXPECT_EQ(Auth(doc)["Details"]["GCloudMethod"], "service account file");
  EXPECT_EQ(Gcp(doc)["Status"], "Synced");
  EXPECT_EQ(s.fake.Count("/token"), 1) << "auth and gcp share one token";
  EXPECT_EQ(s.fake.Count("/computeMetadata/"), 0);
  for (const auto& r : s.fake.Requests()) {
    if (r["path"] != "/token") continue;
    EXPECT_NE(r["body"].get<std::string>().find(
                  "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion="),
              std::string::npos);
    EXPECT_EQ(r["headers"]["Content-Type"], "application/x-www-form-urlencoded");
  }
}

TEST(GoogleAuthIntegration, AuthorizedUserFileInCloudsdkConfigUsesTheRefreshGrant) {
  AuthWorld s(json{{"refresh", kRefresh}});
  WriteAuthorizedUser(s.w.dir / "gcloud-config/application_default_credentials.json",
                      s.fake.token_uri(), kRefresh["refresh_token"]);
  json doc;
  s.w.Run({"--only", "auth,gcp"}, &doc);
  EXPECT_EQ(Auth(doc)["Details"]["GCloudMethod"], "authorized user file (refresh token)");
  EXPECT_EQ(Gcp(doc)["Status"], "Synced") << Gcp(doc).dump(2);
  ASSERT_EQ(s.fake.Count("/token"), 1);
  std::string body = s.fake.Requests()[0]["body"];
  EXPECT_NE(body.find("grant_type=refresh_token"), std::string::npos);
  EXPECT_NE(body.find("refresh_token=1%2F%2F0refresh-token-for-tests"), std::string::npos) << body;
  // The file's quota_project_id is the billing project of the calls, not the project.
  for (const auto& r : s.fake.Requests()) {
    if (r["path"] != ServicePath()) continue;
    EXPECT_EQ(r["headers"]["x-goog-user-project"], "adc-project");
  }
}

TEST(GoogleAuthIntegration, QuotaProjectIsNeverTakenAsTheProject) {
  AuthWorld s(json{{"refresh", kRefresh}});
  WriteAuthorizedUser(s.w.dir / "gcloud-config/application_default_credentials.json",
                      s.fake.token_uri(), kRefresh["refresh_token"]);
  s.w.WriteConfig("  service: web\n  api_url: " + s.fake.url());
  json doc;
  s.w.Run({"--only", "gcp"}, &doc);
  EXPECT_EQ(Gcp(doc)["Status"], "NotConfigured") << Gcp(doc).dump(2);
  EXPECT_FALSE(Gcp(doc)["Data"].contains("project")) << Gcp(doc).dump(2);
}

TEST(GoogleAuthIntegration, AdcFileUnderHomeWhenCloudsdkConfigIsUnset) {
  AuthWorld s(json{{"refresh", kRefresh}});
  WriteAuthorizedUser(s.w.dir / "home/.config/gcloud/application_default_credentials.json",
                      s.fake.token_uri(), kRefresh["refresh_token"]);
  s.w.env["CLOUDSDK_CONFIG"] = std::nullopt;
  json doc;
  s.w.Run({"--only", "gcp"}, &doc);
  EXPECT_EQ(Gcp(doc)["Status"], "Synced") << Gcp(doc).dump(2);
  EXPECT_EQ(Gcp(doc)["Data"]["credentials"], "authorized user file (refresh token)");
}

TEST(GoogleAuthIntegration, RevokedRefreshTokenShowsTheOAuthError) {
  AuthWorld s(json{{"refresh", kRefresh}});
  WriteAuthorizedUser(s.w.dir / "adc.json", s.fake.token_uri(), "1//revoked");
  s.w.env["GOOGLE_APPLICATION_CREDENTIALS"] = s.w.dir / "adc.json";
  json doc;
  s.w.Run({"--only", "auth,gcp"}, &doc);
  EXPECT_EQ(Auth(doc)["Status"], "Failed");
  EXPECT_EQ(Auth(doc)["Details"]["GCloudCLI"], false);
  std::string problem = Auth(doc)["Data"]["google"]["problem"];
  EXPECT_NE(problem.find("invalid_grant: Token has been expired or revoked. (HTTP 400)"),
            std::string::npos)
      << problem;
  EXPECT_EQ(Gcp(doc)["Status"], "Failed");
  EXPECT_NE(Details(Gcp(doc)).find("invalid_grant: Token has been expired or revoked."),
            std::string::npos);
}

TEST(GoogleAuthIntegration, MetadataServerWithItsHeaderGivesTokenAccountAndProject) {
  AuthWorld s(json{{"metadata", kMetadata}});
  s.w.env["GCE_METADATA_HOST"] = s.fake.host();
  s.w.WriteConfig("  service: web\n  api_url: " + s.fake.url());
  json doc;
  s.w.Run({"--only", "auth,gcp"}, &doc);
  EXPECT_EQ(Auth(doc)["Details"]["GCloudMethod"], "metadata server");
  EXPECT_EQ(Auth(doc)["Details"]["GCloudAccount"], kMetadata["email"]);
  EXPECT_EQ(Gcp(doc)["Data"]["project"], "meta-project");
  EXPECT_EQ(Gcp(doc)["Data"]["projectSource"], "metadata server");
  EXPECT_EQ(Gcp(doc)["Status"], "NotDeployed");  // no service in meta-project
  int asked = 0;
  for (const auto& r : s.fake.Requests()) {
    if (r["path"].get<std::string>().rfind("/computeMetadata/", 0) != 0) continue;
    ++asked;
    EXPECT_EQ(r["headers"]["Metadata-Flavor"], "Google");
  }
  EXPECT_GE(asked, 2);
  EXPECT_EQ(ReadFile(s.w.status_path()).find("ya29.metadata-token-for-tests"), std::string::npos);
}

TEST(GoogleAuthIntegration, BrokenAdcFileIsTheErrorNotAFallThroughToTheMetadataServer) {
  AuthWorld s(json{{"metadata", kMetadata}});
  WriteFile(s.w.dir / "adc.json", R"({"type":"authorized_user","client_id":"x"})");
  s.w.env["GOOGLE_APPLICATION_CREDENTIALS"] = s.w.dir / "adc.json";
  s.w.env["GCE_METADATA_HOST"] = s.fake.host();
  json doc;
  s.w.Run({"--only", "gcp"}, &doc);
  EXPECT_EQ(Gcp(doc)["Status"], "Failed") << Gcp(doc).dump(2);
  EXPECT_NE(Details(Gcp(doc)).find("Google credentials failed: " + s.w.dir / "adc.json" +
                                   ": field \"client_secret\" is missing"),
            std::string::npos)
      << Details(Gcp(doc));
  EXPECT_EQ(s.fake.Count("/computeMetadata/v1/instance"), 0) << "another identity was used";
}

TEST(GoogleAuthIntegration, ProjectFromEnvironmentInDocumentedOrder) {
  AuthWorld s;
  WriteServiceAccountFile(s.w.dir / "sa.json", s.fake.token_uri(), "file-project");
  s.w.env["GOOGLE_APPLICATION_CREDENTIALS"] = s.w.dir / "sa.json";
  s.w.WriteConfig("  service: web\n  api_url: " + s.fake.url());
  json doc;
  s.w.Run({"--only", "gcp"}, &doc);
  EXPECT_EQ(Gcp(doc)["Data"]["project"], "file-project");
  s.w.env["GCLOUD_PROJECT"] = "gcloud-project";
  s.w.Run({"--only", "gcp"}, &doc);
  EXPECT_EQ(Gcp(doc)["Data"]["projectSource"], "GCLOUD_PROJECT");
  s.w.env["GOOGLE_CLOUD_PROJECT"] = "google-cloud-project";
  s.w.Run({"--only", "gcp"}, &doc);
  EXPECT_EQ(Gcp(doc)["Data"]["project"], "google-cloud-project");
  s.w.env["CLOUDSDK_CORE_PROJECT"] = "demo-project";
  s.w.Run({"--only", "gcp"}, &doc);
  EXPECT_EQ(Gcp(doc)["Data"]["projectSource"], "CLOUDSDK_CORE_PROJECT");
  EXPECT_EQ(Gcp(doc)["Status"], "Synced");
}

TEST(GoogleAuthIntegration, NoCredentialsAnywhereSaysSoPlainly) {
  GcpWorld w;
  w.WriteConfig("  project: demo-project");
  json doc;
  w.Run({"--only", "auth"}, &doc);
  EXPECT_EQ(Auth(doc)["Status"], "Failed");
  EXPECT_EQ(Auth(doc)["Details"]["GCloudCLI"], false);
  std::string problem = Auth(doc)["Data"]["google"]["problem"];
  EXPECT_NE(problem.find("no Google credentials found (GOOGLE_OAUTH_ACCESS_TOKEN is not set; no "
                         "GOOGLE_APPLICATION_CREDENTIALS and no gcloud ADC file; gcloud has no "
                         "active account (no " +
                         (w.dir / "gcloud-config/configurations/config_default") +
                         "); no metadata server at 127.0.0.1:1 ("),
            std::string::npos)
      << problem;
}

// The real gcloud with an empty configuration: no account, no project.
TEST(GoogleAuthIntegration, RealGcloudWithoutAnAccount) {
  if (access("/usr/bin/gcloud", X_OK) != 0 && access("/usr/local/bin/gcloud", X_OK) != 0) {
    GTEST_SKIP() << "gcloud is not installed";
  }
  GcpWorld w(/*with_gcloud=*/true);
  w.WriteConfig("  service: web");
  json doc;
  ProcessResult res = w.Run({"--only", "auth,gcp"}, &doc);
  EXPECT_EQ(Auth(doc)["Details"]["GCloudCLI"], false);
  std::string problem = Auth(doc)["Data"]["google"]["problem"];
  EXPECT_NE(problem.find("gcloud has no active account"), std::string::npos) << problem;
  EXPECT_EQ(Gcp(doc)["Status"], "NotConfigured") << Gcp(doc).dump(2);
  EXPECT_NE(Details(Gcp(doc)).find("[core] project in "), std::string::npos) << Details(Gcp(doc));
  EXPECT_EQ(res.exit_code, 2) << "auth Failed (no GitHub, no Google)";
}

}  // namespace
}  // namespace infinity_sync::testing
