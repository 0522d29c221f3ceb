// Google credentials and the project read from gcloud's own files (written here
// with SQLite, as gcloud writes them), the credential types beyond keys and
// refresh tokens against a loopback STS and IAM Credentials, and the metadata
// server's detection. A `gcloud` stand-in that sleeps 5 s sits on PATH and
// records its calls: resolving credentials must not start it.
#include <filesystem>

#include <gtest/gtest.h>

#include "lib/google_world.h"

namespace infinity_sync::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

json Auth(const json& doc) { return doc["status"]["AuthCheck"]; }
json Gcp(const json& doc) { return doc["status"]["GCPSync"]; }

std::string Details(const json& check) {
  std::string all;
  for (const auto& d : check["Details"]) all += d.get<std::string>() + "\n";
  return all;
}

const json kRefresh = {{"client_id", "cid.apps.googleusercontent.com"},
                       {"client_secret", "d-FL95Q19q7MQmFpd7hHD0Ty"},
                       {"refresh_token", "1//0refresh-token-for-tests"}};
constexpr const char* kAccount = "dev@example.com";
constexpr const char* kCachedToken = "ya29.cached-by-gcloud-for-tests";
constexpr const char* kDeployer = "deploy@demo-project.iam.gserviceaccount.com";

// A sealed world whose PATH has the slow gcloud stand-in, and the fake Google
// serving service "web" of demo-project.
struct GcloudWorld {
  explicit GcloudWorld(json config = json::object()) : fake(Make(std::move(config))) {
    WriteSlowGcloud(w.dir / "bin", calls());
    w.WriteConfig("  service: web\n  api_url: " + fake.url());
  }
  json Make(json config) {
    std::string doc = w.dir / "service.json";
    WriteServiceDoc(doc, "ready.json", w.git.Head(w.git.work()));
    // The serving revision carries the deploy branch's commit (the gcp check
    // judges what serves traffic).
    WriteRevisionDoc(w.dir / "revision.json", "web-00003-xk2", w.git.Head(w.git.work()));
    json base =
        FakeConfig({{ServicePath(), {{"body_file", doc}}},
                    {RevisionPath("web-00003-xk2"), {{"body_file", w.dir / "revision.json"}}}});
    base.update(config);
    return base;
  }
  std::string calls() const { return w.dir / "gcloud-calls.log"; }
  std::string gcloud_dir() const { return w.dir / "gcloud-config"; }
  std::string UserCredential() const {
    json c = kRefresh;
    c["type"] = "authorized_user";
    c["token_uri"] = fake.token_uri();
    return c.dump();
  }
  // The requests that reached Cloud Run.
  std::vector<json> CloudRunRequests() const {
    std::vector<json> out;
    for (const auto& r : fake.Requests()) {
      if (r["path"].get<std::string>().rfind("/v2/", 0) == 0) out.push_back(r);
    }
    return out;
  }
  GcpWorld w;
  GoogleFake fake;
};

TEST(GcloudFilesIntegration, CachedTokenAndProjectAreReadWithoutStartingGcloud) {
  GcloudWorld g(json{{"accept_tokens", {kCachedToken}}});
  WriteGcloudConfiguration(g.gcloud_dir(), "work",
                           "[core]\naccount = dev@example.com\nproject = demo-project\n");
  WriteGcloudConfiguration(g.gcloud_dir(), "default", "[core]\nproject = other-project\n", false);
  WriteGcloudAccount(g.gcloud_dir(), kAccount, g.UserCredential(), kCachedToken,
                     GcloudExpiry(3000s));
  json doc;
  ProcessResult res = g.w.Run({"--only", "auth,gcp"}, &doc);
  EXPECT_EQ(Auth(doc)["Details"]["GCloudCLI"], true) << Auth(doc).dump(2);
  EXPECT_EQ(Auth(doc)["Details"]["GCloudMethod"], "gcloud");
  EXPECT_EQ(Auth(doc)["Details"]["GCloudAccount"], kAccount);
  EXPECT_EQ(Gcp(doc)["Status"], "Synced") << Gcp(doc).dump(2);
  EXPECT_EQ(Gcp(doc)["Data"]["project"], "demo-project");
  EXPECT_EQ(Gcp(doc)["Data"]["projectSource"], "gcloud configuration work");
  EXPECT_EQ(g.fake.Count("/token"), 0) << "the cached token is still good";
  EXPECT_EQ(ReadFile(g.calls()), "") << "gcloud was started";
  for (const std::string& text : {res.out, res.err, ReadFile(g.w.status_path())}) {
    EXPECT_EQ(text.find(kCachedToken), std::string::npos);
  }

  // The default dry run, every check: gcloud is not started either.
  ProcessResult all = g.w.Run({}, &doc);
  EXPECT_EQ(ReadFile(g.calls()), "") << all.out;
  EXPECT_EQ(Gcp(doc)["Status"], "Synced");
}

// gcloud run's region without --region: CLOUDSDK_RUN_REGION, else the active
// configuration's [run] region, else us-central1; gcp.region wins over both.
// GCloudCLI is gcloud's own login (its active account has stored
// credentials), whichever source gave the token.
TEST(GcloudFilesIntegration, RegionComesFromGcloudRunRegionAndGCloudCliIsGcloudsOwnLogin) {
  GcloudWorld g(json{{"accept_tokens", {kCachedToken}}});
  WriteGcloudConfiguration(g.gcloud_dir(), "default",
                           "[core]\naccount = dev@example.com\nproject = demo-project\n"
                           "[run]\nregion = europe-west1\n");
  WriteGcloudAccount(g.gcloud_dir(), kAccount, g.UserCredential(), kCachedToken,
                     GcloudExpiry(3000s));
  json doc;
  g.w.Run({"--only", "auth,gcp"}, &doc);
  // The fake serves web in us-central1 only: the check looked in europe-west1.
  EXPECT_NE(Details(Gcp(doc)).find("not deployed in europe-west1"), std::string::npos)
      << Details(Gcp(doc));
  EXPECT_EQ(Gcp(doc)["Data"]["region"], "europe-west1");
  EXPECT_EQ(Gcp(doc)["Data"]["regionSource"], "gcloud configuration default");
  EXPECT_NE(Details(Gcp(doc)).find("(region europe-west1, from gcloud configuration default)"),
            std::string::npos)
      << Details(Gcp(doc));
  EXPECT_EQ(ReadFile(g.calls()), "") << "gcloud was started";

  // The environment variable beats the file; the region nobody names is us-central1.
  g.w.env["CLOUDSDK_RUN_REGION"] = "asia-east1";
  g.w.Run({"--only", "gcp"}, &doc);
  EXPECT_EQ(Gcp(doc)["Data"]["region"], "asia-east1");
  EXPECT_EQ(Gcp(doc)["Data"]["regionSource"], "CLOUDSDK_RUN_REGION");
  g.w.WriteConfig("  service: web\n  region: us-central1\n  api_url: " + g.fake.url());
  g.w.Run({"--only", "gcp"}, &doc);
  EXPECT_EQ(Gcp(doc)["Data"]["regionSource"], "gcp.region");
  EXPECT_EQ(Gcp(doc)["Status"], "Synced") << Gcp(doc).dump(2);

  // A service-account file gives the token, gcloud's login still counts as GCloudCLI;
  // without a stored credential for the active account it does not.
  g.w.env.erase("CLOUDSDK_RUN_REGION");
  WriteServiceAccountFile(g.w.dir / "sa.json", g.fake.token_uri());
  g.w.env["GOOGLE_APPLICATION_CREDENTIALS"] = g.w.dir / "sa.json";
  g.w.Run({"--only", "auth"}, &doc);
  EXPECT_EQ(Auth(doc)["Details"]["GCloudMethod"], "service account file") << Auth(doc).dump(2);
  EXPECT_EQ(Auth(doc)["Details"]["GCloudCLI"], true) << Auth(doc).dump(2);
  WriteGcloudConfiguration(g.gcloud_dir(), "default", "[core]\naccount = nobody@example.com\n");
  g.w.Run({"--only", "auth"}, &doc);
  EXPECT_EQ(Auth(doc)["Details"]["GCloudCLI"], false) << Auth(doc).dump(2);
  EXPECT_EQ(ReadFile(g.calls()), "") << "gcloud was started";
}

TEST(GcloudFilesIntegration, ExpiredTokenIsRefreshedWithTheStoredCredentialAndQuotaProject) {
  GcloudWorld g(json{{"refresh", kRefresh}});
  WriteGcloudConfiguration(g.gcloud_dir(), "default",
                           "[core]\naccount = dev@example.com\nproject = demo-project\n"
                           "[billing]\nquota_project = billing-project\n");
  WriteGcloudAccount(g.gcloud_dir(), kAccount, g.UserCredential(), kCachedToken,
                     GcloudExpiry(-60s));
  json doc;
  g.w.Run({"--only", "auth,gcp"}, &doc);
  EXPECT_EQ(Auth(doc)["Details"]["GCloudCLI"], true) << Auth(doc).dump(2);
  EXPECT_EQ(Gcp(doc)["Status"], "Synced") << Gcp(doc).dump(2);
  ASSERT_EQ(g.fake.Count("/token"), 1);
  std::string body = g.fake.Requests()[0]["body"];
  EXPECT_NE(body.find("grant_type=refresh_token"), std::string::npos) << body;
  EXPECT_NE(body.find("refresh_token=1%2F%2F0refresh-token-for-tests"), std::string::npos) << body;
  // The service, then its serving revision: both carry the quota project.
  auto cloud_run = g.CloudRunRequests();
  ASSERT_EQ(cloud_run.size(), 2u);
  for (const auto& request : cloud_run) {
    EXPECT_EQ(request["headers"]["x-goog-user-project"], "billing-project") << request.dump();
  }
  EXPECT_EQ(ReadFile(g.calls()), "");
}

TEST(GcloudFilesIntegration, EnvironmentChoosesTheConfigurationAndOverridesItsProperties) {
  GcloudWorld g(json{{"accept_tokens", {kCachedToken}}});
  WriteGcloudConfiguration(g.gcloud_dir(), "default",
                           "[core]\naccount = nobody@example.com\nproject = wrong-project\n");
  WriteGcloudConfiguration(g.gcloud_dir(), "ci",
                           "[core]\naccount = dev@example.com\n"
                           "project = ci-project\n",
                           false);
  WriteGcloudAccount(g.gcloud_dir(), kAccount, g.UserCredential(), kCachedToken,
                     GcloudExpiry(3000s));
  g.w.env["CLOUDSDK_ACTIVE_CONFIG_NAME"] = "ci";
  json doc;
  g.w.Run({"--only", "auth,gcp"}, &doc);
  EXPECT_EQ(Gcp(doc)["Data"]["project"], "ci-project");
  EXPECT_EQ(Auth(doc)["Details"]["GCloudAccount"], kAccount);
  g.w.env["CLOUDSDK_CORE_PROJECT"] = "demo-project";
  g.w.Run({"--only", "gcp"}, &doc);
  EXPECT_EQ(Gcp(doc)["Data"]["projectSource"], "CLOUDSDK_CORE_PROJECT");
  EXPECT_EQ(Gcp(doc)["Status"], "Synced") << Gcp(doc).dump(2);
  g.w.env["CLOUDSDK_CORE_ACCOUNT"] = "nobody@example.com";
  g.w.Run({"--only", "auth"}, &doc);
  EXPECT_EQ(Auth(doc)["Details"]["GCloudCLI"], false);
  EXPECT_NE(Auth(doc)["Data"]["google"]["problem"].get<std::string>().find(
                "gcloud's account nobody@example.com has no stored credentials"),
            std::string::npos)
      << Auth(doc).dump(2);
  EXPECT_EQ(ReadFile(g.calls()), "");
}

TEST(GcloudFilesIntegration, NoAccountIsNotConfiguredAndGcloudIsNotAsked) {
  GcloudWorld g;
  WriteGcloudConfiguration(g.gcloud_dir(), "default", "[core]\ndisable_usage_reporting = true\n");
  json doc;
  ProcessResult res = g.w.Run({"--only", "auth,gcp"}, &doc);
  EXPECT_EQ(Auth(doc)["Details"]["GCloudCLI"], false);
  std::string problem = Auth(doc)["Data"]["google"]["problem"];
  EXPECT_NE(problem.find("gcloud has no active account (no [core] account in " + g.gcloud_dir() +
                         "/configurations/config_default)"),
            std::string::npos)
      << problem;
  EXPECT_EQ(Gcp(doc)["Status"], "NotConfigured") << Gcp(doc).dump(2);
  EXPECT_NE(Details(Gcp(doc)).find("[core] project in " + g.gcloud_dir()), std::string::npos)
      << Details(Gcp(doc));
  EXPECT_EQ(ReadFile(g.calls()), "");
  EXPECT_EQ(res.exit_code, 2) << "auth Failed (no GitHub, no Google)";
}

TEST(GcloudFilesIntegration, UnreadableCredentialsDatabaseAsksGcloudAndSaysSo) {
  GcloudWorld g(json{{"accept_tokens", {"ya29.from-the-gcloud-program"}}});
  WriteSlowGcloud(g.w.dir / "bin", g.calls(), "ya29.from-the-gcloud-program", 0);
  WriteGcloudConfiguration(g.gcloud_dir(), "default",
                           "[core]\naccount = dev@example.com\nproject = demo-project\n");
  WriteFile(g.gcloud_dir() + "/credentials.db", "not a database: a newer gcloud's layout");
  json doc;
  g.w.Run({"--only", "auth,gcp"}, &doc);
  EXPECT_EQ(Auth(doc)["Details"]["GCloudCLI"], true) << Auth(doc).dump(2);
  std::string note = Auth(doc)["Data"]["google"].value("note", "");
  EXPECT_NE(note.find(g.gcloud_dir() + "/credentials.db"), std::string::npos) << Auth(doc).dump(2);
  EXPECT_EQ(Gcp(doc)["Status"], "Synced") << Gcp(doc).dump(2);
  EXPECT_EQ(ReadFile(g.calls()), "auth print-access-token\n") << "asked once for both checks";
}

// --- credential types --------------------------------------------------------

const json kSts = {{"audience",
                    "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/"
                    "github/providers/repo"},
                   {"subject_token", "eyJhbGciOiJSUzI1NiJ9.github-oidc-token.sig"},
                   {"subject_token_type", "urn:ietf:params:oauth:token-type:jwt"}};

json ExternalAccount(const GcloudWorld& g, const json& source, bool impersonate) {
  json f = {{"type", "external_account"},
            {"audience", kSts["audience"]},
            {"subject_token_type", kSts["subject_token_type"]},
            {"token_url", g.fake.url() + "/sts"},
            {"credential_source", source},
            {"universe_domain", "googleapis.com"}};
  if (impersonate) {
    f["service_account_impersonation_url"] =
        g.fake.url() + "/v1/projects/-/serviceAccounts/" + kDeployer + ":generateAccessToken";
  }
  return f;
}

TEST(GoogleCredentialTypesIntegration, FileSourcedFederationExchangesThenImpersonates) {
  GcloudWorld g(json{{"sts", kSts}, {"iam", {{"accounts", {kDeployer}}}}});
  WriteFile(g.w.dir / "oidc-token", kSts["subject_token"].get<std::string>() + "\n");
  WriteFile(g.w.dir / "wif.json",
            ExternalAccount(g, {{"file", g.w.dir / "oidc-token"}}, true).dump(2));
  g.w.env["GOOGLE_APPLICATION_CREDENTIALS"] = g.w.dir / "wif.json";
  g.w.WriteConfig("  project: demo-project\n  service: web\n  api_url: " + g.fake.url());
  json doc;
  ProcessResult res = g.w.Run({"--only", "auth,gcp"}, &doc);
  EXPECT_EQ(Auth(doc)["Data"]["google"]["authenticated"], true) << Auth(doc).dump(2);
  EXPECT_EQ(Auth(doc)["Details"]["GCloudCLI"], false) << "federation is not a gcloud login";
  EXPECT_EQ(Auth(doc)["Details"]["GCloudMethod"], "workload identity federation (file-sourced)");
  EXPECT_EQ(Auth(doc)["Details"]["GCloudAccount"], kDeployer);
  EXPECT_EQ(Gcp(doc)["Status"], "Synced") << Gcp(doc).dump(2);
  EXPECT_EQ(g.fake.Count("/sts"), 1);
  EXPECT_EQ(g.fake.Count("/v1/projects/-/serviceAccounts/"), 1);
  for (const auto& r : g.fake.Requests()) {
    if (r["path"] == "/sts") {
      EXPECT_EQ(r["headers"]["Content-Type"], "application/x-www-form-urlencoded");
    }
  }
  EXPECT_EQ(res.out.find("github-oidc-token"), std::string::npos);
}

TEST(GoogleCredentialTypesIntegration, UrlSourcedJsonSubjectTokenWithoutImpersonation) {
  GcloudWorld g(json{{"sts", kSts},
                     {"subject",
                      {{"token", kSts["subject_token"]},
                       {"format", "json"},
                       {"require_headers", {{"Authorization", "bearer actions-request-token"}}}}}});
  json source = {{"url", g.fake.url() + "/subject"},
                 {"headers", {{"Authorization", "bearer actions-request-token"}}},
                 {"format", {{"type", "json"}, {"subject_token_field_name", "value"}}}};
  WriteFile(g.w.dir / "wif.json", ExternalAccount(g, source, false).dump(2));
  g.w.env["GOOGLE_APPLICATION_CREDENTIALS"] = g.w.dir / "wif.json";
  g.w.WriteConfig("  project: demo-project\n  service: web\n  api_url: " + g.fake.url());
  json doc;
  g.w.Run({"--only", "gcp"}, &doc);
  EXPECT_EQ(Gcp(doc)["Status"], "Synced") << Gcp(doc).dump(2);
  EXPECT_EQ(g.fake.Count("/subject"), 1);
  EXPECT_EQ(g.fake.Count("/sts"), 1);
  EXPECT_EQ(g.fake.Count("/v1/"), 0);
}

TEST(GoogleCredentialTypesIntegration, RefusedSubjectTokenIsTheErrorWithoutFallingThrough) {
  json sts = kSts;
  sts["subject_token"] = "a-different-token";
  GcloudWorld g(json{{"sts", sts}, {"metadata", {{"token", "ya29.md"}, {"project", "p"}}}});
  WriteFile(g.w.dir / "oidc-token", "stale-token");
  WriteFile(g.w.dir / "wif.json",
            ExternalAccount(g, {{"file", g.w.dir / "oidc-token"}}, true).dump(2));
  g.w.env["GOOGLE_APPLICATION_CREDENTIALS"] = g.w.dir / "wif.json";
  g.w.env["GCE_METADATA_HOST"] = g.fake.host();
  g.w.WriteConfig("  project: demo-project\n  service: web\n  api_url: " + g.fake.url());
  json doc;
  g.w.Run({"--only", "auth,gcp"}, &doc);
  EXPECT_EQ(Auth(doc)["Details"]["GCloudCLI"], false);
  std::string problem = Auth(doc)["Data"]["google"]["problem"];
  EXPECT_NE(problem.find("invalid_grant: The subject token is invalid. (HTTP 400)"),
            std::string::npos)
      << problem;
  EXPECT_NE(problem.find(g.w.dir / "wif.json"), std::string::npos) << problem;
  EXPECT_EQ(Gcp(doc)["Status"], "Failed");
  EXPECT_EQ(g.fake.Count("/computeMetadata/"), 0) << "another identity was tried";
}

TEST(GoogleCredentialTypesIntegration, ImpersonatedServiceAccountFromUserCredentials) {
  GcloudWorld g(json{
      {"refresh", kRefresh},
      {"iam",
       {{"accounts", {kDeployer}}, {"delegates", {"hop@demo-project.iam.gserviceaccount.com"}}}}});
  json source = kRefresh;
  source["type"] = "authorized_user";
  source["token_uri"] = g.fake.token_uri();
  json f = {{"type", "impersonated_service_account"},
            {"service_account_impersonation_url",
             g.fake.url() + "/v1/projects/-/serviceAccounts/" + kDeployer + ":generateAccessToken"},
            {"delegates", {"hop@demo-project.iam.gserviceaccount.com"}},
            {"source_credentials", source}};
  WriteFile(g.gcloud_dir() + "/application_default_credentials.json", f.dump(2));
  g.w.WriteConfig("  project: demo-project\n  service: web\n  api_url: " + g.fake.url());
  json doc;
  g.w.Run({"--only", "auth,gcp"}, &doc);
  EXPECT_EQ(Auth(doc)["Details"]["GCloudMethod"], "impersonated service account")
      << Auth(doc).dump(2);
  EXPECT_EQ(Auth(doc)["Details"]["GCloudAccount"], kDeployer);
  EXPECT_EQ(Gcp(doc)["Status"], "Synced") << Gcp(doc).dump(2);
  EXPECT_EQ(g.fake.Count("/token"), 1);
  EXPECT_EQ(g.fake.Count("/v1/projects/-/serviceAccounts/"), 1);
}

TEST(GoogleCredentialTypesIntegration, ImpersonationRefusedShowsIamsMessage) {
  GcloudWorld g(json{{"sts", kSts}, {"iam", {{"accounts", json::array()}}}});
  WriteFile(g.w.dir / "oidc-token", kSts["subject_token"].get<std::string>());
  WriteFile(g.w.dir / "wif.json",
            ExternalAccount(g, {{"file", g.w.dir / "oidc-token"}}, true).dump(2));
  g.w.env["GOOGLE_APPLICATION_CREDENTIALS"] = g.w.dir / "wif.json";
  json doc;
  g.w.Run({"--only", "auth"}, &doc);
  std::string problem = Auth(doc)["Data"]["google"]["problem"];
  EXPECT_NE(problem.find("PERMISSION_DENIED: Permission 'iam.serviceAccounts.getAccessToken' "
                         "denied"),
            std::string::npos)
      << problem;
  EXPECT_NE(problem.find(kDeployer), std::string::npos) << problem;
}

TEST(GoogleCredentialTypesIntegration, ExternalAccountAuthorizedUserUsesBasicClientAuth) {
  GcloudWorld g(json{{"refresh", kRefresh}});
  json f = {{"type", "external_account_authorized_user"},
            {"audience", "//iam.googleapis.com/locations/global/workforcePools/pool/providers/p"},
            {"client_id", kRefresh["client_id"]},
            {"client_secret", kRefresh["client_secret"]},
            {"refresh_token", kRefresh["refresh_token"]},
            {"token_url", g.fake.token_uri()},
            {"quota_project_id", "billing-project"}};
  WriteFile(g.w.dir / "eau.json", f.dump(2));
  g.w.env["GOOGLE_APPLICATION_CREDENTIALS"] = g.w.dir / "eau.json";
  g.w.WriteConfig("  project: demo-project\n  service: web\n  api_url: " + g.fake.url());
  json doc;
  g.w.Run({"--only", "gcp"}, &doc);
  EXPECT_EQ(Gcp(doc)["Status"], "Synced") << Gcp(doc).dump(2);
  ASSERT_EQ(g.fake.Count("/token"), 1);
  auto token_request = g.fake.Requests()[0];
  EXPECT_EQ(token_request["headers"]["Authorization"].get<std::string>().rfind("Basic ", 0), 0u);
  EXPECT_EQ(token_request["body"].get<std::string>().find("client_secret"), std::string::npos);
  EXPECT_EQ(g.CloudRunRequests().at(0)["headers"]["x-goog-user-project"], "billing-project");
}

TEST(GoogleCredentialTypesIntegration, ExecutableSourceIsNotSupportedYet) {
  GcloudWorld g;
  WriteFile(g.w.dir / "wif.json",
            ExternalAccount(g, {{"executable", {{"command", "/usr/bin/true"}}}}, false).dump());
  g.w.env["GOOGLE_APPLICATION_CREDENTIALS"] = g.w.dir / "wif.json";
  json doc;
  g.w.Run({"--only", "auth"}, &doc);
  EXPECT_EQ(Auth(doc)["Data"]["google"]["problem"],
            g.w.dir / "wif.json" +
                ": external_account with an executable-sourced credential_source is not "
                "supported yet");
}

// --- the metadata server -----------------------------------------------------

TEST(MetadataDetectionIntegration, AnAnswerWithoutMetadataFlavorIsNoMetadataServer) {
  GcloudWorld g(json{{"metadata", {{"token", "ya29.portal"}, {"project", "portal-project"}}},
                     {"metadata_flavor", false}});
  g.w.env["GCE_METADATA_HOST"] = g.fake.host();
  json doc;
  g.w.Run({"--only", "auth,gcp"}, &doc);
  EXPECT_EQ(Auth(doc)["Details"]["GCloudCLI"], false);
  std::string problem = Auth(doc)["Data"]["google"]["problem"];
  EXPECT_NE(problem.find("no metadata server at " + g.fake.host()), std::string::npos) << problem;
  EXPECT_EQ(Gcp(doc)["Status"], "NotConfigured") << Gcp(doc).dump(2);
  EXPECT_EQ(g.fake.Count("/computeMetadata/"), 0) << "only the ping, once";
  EXPECT_EQ(g.fake.Count("/"), 1);
}

TEST(MetadataDetectionIntegration, NeverAskedThroughAProxy) {
  GcloudWorld g(json{{"metadata",
                      {{"token", "ya29.metadata-token-for-tests"},
                       {"project", "meta-project"},
                       {"email", "runner@meta-project.iam.gserviceaccount.com"}}}});
  FakeHttpServer proxy(json{{"default", {{"status", 502}, {"body", "proxy: no"}}}});
  g.w.env["GCE_METADATA_HOST"] = g.fake.host();
  g.w.env["http_proxy"] = proxy.url();
  g.w.env["HTTP_PROXY"] = proxy.url();
  json doc;
  g.w.Run({"--only", "auth"}, &doc);
  EXPECT_EQ(Auth(doc)["Details"]["GCloudMethod"], "metadata server") << Auth(doc).dump(2);
  EXPECT_EQ(Auth(doc)["Details"]["GCloudAccount"], "runner@meta-project.iam.gserviceaccount.com");
  EXPECT_TRUE(proxy.Requests().empty()) << proxy.Requests()[0].dump();
  EXPECT_GE(g.fake.Count("/computeMetadata/"), 2);
}

}  // namespace
}  // namespace infinity_sync::testing
