// The pure parts of credential resolution (gcloud's files, the credential
// types, GitHub hosts) and the token source's rules against fake ports: retries,
// the metadata ping, the JWT's clock skew, the quota project.
#include <sqlite3.h>

#include <gtest/gtest.h>

#include "checks/auth_check.h"
#include "checks/gcloud_files.h"
#include "checks/google_credentials.h"
#include "cloud/google_jwt.h"
#include "lib/fake_ports.h"
#include "lib/test_support.h"

namespace infinity_sync {
namespace {

using namespace std::chrono_literals;

TEST(GcloudFiles, IniPropertiesBySectionSlashKey) {
  auto props = ParseGcloudIni(
      "[core]\naccount = dev@example.com\nproject=demo-project\n# comment\n; other\n\n"
      "[run]\n  region = europe-west1  \n[compute]\nzone: europe-west1-b\nstray line\n");
  EXPECT_EQ(props["core/account"], "dev@example.com");
  EXPECT_EQ(props["core/project"], "demo-project");
  EXPECT_EQ(props["run/region"], "europe-west1");
  EXPECT_EQ(props["compute/zone"], "europe-west1-b");
  EXPECT_EQ(props.size(), 4u);
  EXPECT_TRUE(ParseGcloudIni("project = x\n").empty()) << "a key outside a section is ignored";
}

TEST(GcloudFiles, TimestampsAsGcloudWritesThem) {
  auto t = ParseGcloudTimestamp("2026-01-02 03:04:05.123456");
  ASSERT_TRUE(t);
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*t), 1767323045);
  EXPECT_EQ(ParseGcloudTimestamp("2026-01-02 03:04:05"), t);
  EXPECT_TRUE(ParseGcloudTimestamp("2026-01-02T03:04:05Z"));
  EXPECT_FALSE(ParseGcloudTimestamp(""));
  EXPECT_FALSE(ParseGcloudTimestamp("yesterday"));
  EXPECT_FALSE(ParseGcloudTimestamp("2026-13-02 03:04:05"));
  EXPECT_FALSE(ParseGcloudTimestamp("2026-01-02 03:04:05+02:00"));
}

void Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << err;
}

TEST(GcloudFiles, AccountRowsFromBothDatabases) {
  testing::TempDir dir;
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "credentials.db").c_str(), &db), SQLITE_OK);
  Exec(db, "CREATE TABLE credentials (account_id TEXT PRIMARY KEY, value BLOB)");
  Exec(db, R"(INSERT INTO credentials VALUES ('dev@example.com', '{"refresh_token":"r"}'))");
  sqlite3_close(db);
  auto only_creds = ReadGcloudAccount(dir.str(), "dev@example.com");
  ASSERT_TRUE(only_creds.ok()) << only_creds.error();
  ASSERT_TRUE(*only_creds);
  EXPECT_EQ((*only_creds)->credential_json, R"({"refresh_token":"r"})");
  EXPECT_TRUE((*only_creds)->access_token.empty());

  ASSERT_EQ(sqlite3_open((dir / "access_tokens.db").c_str(), &db), SQLITE_OK);
  Exec(db,
       "CREATE TABLE access_tokens (account_id TEXT PRIMARY KEY, access_token TEXT, token_expiry "
       "TIMESTAMP, rapt_token TEXT, id_token TEXT)");
  Exec(db,
       "INSERT INTO access_tokens VALUES ('dev@example.com', 'ya29.cached', '2026-01-02 "
       "03:04:05.5', NULL, NULL)");
  sqlite3_close(db);
  auto both = ReadGcloudAccount(dir.str(), "dev@example.com");
  ASSERT_TRUE(both.ok());
  EXPECT_EQ((*both)->access_token, "ya29.cached");
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*(*both)->token_expiry), 1767323045);

  auto other = ReadGcloudAccount(dir.str(), "someone@else.com");
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(*other);
  auto none = ReadGcloudAccount(dir / "missing", "dev@example.com");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);

  testing::WriteFile(dir / "credentials.db", "this is not a database, it is text");
  auto broken = ReadGcloudAccount(dir.str(), "dev@example.com");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().find(dir / "credentials.db"), std::string::npos) << broken.error();
}

TEST(GoogleCredentialsTypes, ExternalAccountAndImpersonation) {
  auto ext = ParseCredentialsFile(R"({
    "type": "external_account",
    "audience": "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/gh",
    "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
    "token_url": "https://sts.googleapis.com/v1/token",
    "service_account_impersonation_url": "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/deploy@p.iam.gserviceaccount.com:generateAccessToken",
    "credential_source": {"url": "http://127.0.0.1:9/token", "headers": {"Authorization": "bearer x"},
                          "format": {"type": "json", "subject_token_field_name": "value"}}})",
                                  "/ext.json");
  ASSERT_TRUE(ext.ok()) << ext.error();
  EXPECT_EQ(ext->token_uri, "https://sts.googleapis.com/v1/token");
  EXPECT_EQ(ImpersonatedEmail(ext->impersonation_url), "deploy@p.iam.gserviceaccount.com");
  EXPECT_TRUE(ext->project_id.empty());

  auto imp = ParseCredentialsFile(R"({
    "type": "impersonated_service_account",
    "service_account_impersonation_url": "https://x/v1/projects/-/serviceAccounts/t@p.iam.gserviceaccount.com:generateAccessToken",
    "delegates": ["d@p.iam.gserviceaccount.com"],
    "source_credentials": {"type": "authorized_user", "client_id": "c", "client_secret": "s",
                           "refresh_token": "r"}})",
                                  "/imp.json");
  ASSERT_TRUE(imp.ok()) << imp.error();
  EXPECT_EQ(imp->delegates, std::vector<std::string>{"d@p.iam.gserviceaccount.com"});
  EXPECT_EQ(imp->source_credentials["type"], "authorized_user");

  auto user = ParseCredentialsFile(
      R"({"type":"authorized_user","client_id":"c","client_secret":"s","refresh_token":"r",
          "quota_project_id":"billing-project"})",
      "/adc.json");
  ASSERT_TRUE(user.ok());
  EXPECT_TRUE(user->project_id.empty()) << "a quota project is not the project";
  EXPECT_EQ(user->quota_project_id, "billing-project");
}

TEST(GoogleCredentialsTypes, UnsupportedSourcesSaySoByName) {
  auto err = [](const std::string& source) {
    auto r = ParseCredentialsFile(
        R"({"type":"external_account","audience":"a","subject_token_type":"t",
            "token_url":"https://sts.googleapis.com/v1/token","credential_source":)" +
            source + "}",
        "/wif.json");
    return r.ok() ? std::string("accepted") : r.error();
  };
  EXPECT_EQ(err(R"({"executable":{"command":"/bin/token"}})"),
            "/wif.json: external_account with an executable-sourced credential_source is not "
            "supported yet");
  EXPECT_EQ(err(R"({"environment_id":"aws1","region_url":"http://169.254.169.254/x"})"),
            "/wif.json: external_account with an AWS credential_source (environment_id \"aws1\") "
            "is not supported yet");
  EXPECT_EQ(err(R"({})"),
            "/wif.json: field \"credential_source\" needs exactly one of \"file\" and \"url\"");
  EXPECT_EQ(err(R"({"file":"/t","format":{"type":"json"}})"),
            "/wif.json: field \"credential_source.format.subject_token_field_name\" is missing");
  auto missing = ParseCredentialsFile(R"({"type":"external_account","audience":"a"})", "/w.json");
  EXPECT_EQ(missing.error(), "/w.json: field \"subject_token_type\" is missing");
  auto eau = ParseCredentialsFile(R"({"type":"external_account_authorized_user","client_id":"c"})",
                                  "/e.json");
  EXPECT_EQ(eau.error(), "/e.json: field \"client_secret\" is missing");
}

TEST(GitHubHosts, AsGhResolvesThem) {
  auto dotcom = ResolveGitHubHost("https://api.github.com", "");
  EXPECT_EQ(dotcom.host, "github.com");
  EXPECT_FALSE(dotcom.enterprise);
  EXPECT_EQ(GitHubTokenVariables(dotcom), (std::vector<std::string>{"GH_TOKEN", "GITHUB_TOKEN"}));

  auto tenancy = ResolveGitHubHost("https://api.acme.ghe.com/", "");
  EXPECT_EQ(tenancy.host, "acme.ghe.com");
  EXPECT_FALSE(tenancy.enterprise);
  EXPECT_EQ(tenancy.api_url, "https://api.acme.ghe.com");

  auto server = ResolveGitHubHost("https://ghe.example.com/api/v3", "");
  EXPECT_EQ(server.host, "ghe.example.com");
  EXPECT_TRUE(server.enterprise);
  EXPECT_EQ(GitHubTokenVariables(server),
            (std::vector<std::string>{"GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN"}));

  // GH_HOST counts only while github.api_url is the default.
  auto by_env = ResolveGitHubHost("https://api.github.com", "GHE.Example.com");
  EXPECT_EQ(by_env.host, "ghe.example.com");
  EXPECT_EQ(by_env.api_url, "https://ghe.example.com/api/v3");
  EXPECT_TRUE(by_env.enterprise);
  EXPECT_EQ(ResolveGitHubHost("https://api.github.com", "acme.ghe.com").api_url,
            "https://api.acme.ghe.com");
  EXPECT_EQ(ResolveGitHubHost("https://api.github.com", "github.com").host, "github.com");
  EXPECT_EQ(ResolveGitHubHost("http://127.0.0.1:8080", "ghe.example.com").host, "127.0.0.1:8080");
  EXPECT_TRUE(ResolveGitHubHost("http://127.0.0.1:8080", "").enterprise);
}

// A world of fake ports for the token source, with an environment to fill.
struct SourceWorld {
  testing::FakeWorld w;
  Config config;
  CheckContext ctx{config, w.ports, std::chrono::steady_clock::now() + 30s};
  SourceWorld() {
    w.env["HOME"] = dir.str();
    w.env["GCE_METADATA_HOST"] = "127.0.0.1:1";
  }
  testing::TempDir dir;
  GoogleAuthOutcome Get() {
    GoogleTokenSource source;
    return source.Get(ctx);
  }
};

HttpResponse Answer(int status, const std::string& body,
                    std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpResponse r;
  r.answered = true;
  r.status = status;
  r.body = body;
  r.headers = std::move(headers);
  return r;
}

TEST(GoogleTokenSourceRules, TokenEndpointIsRetriedOnTransientStatusesOnly) {
  for (int status : {408, 429, 500, 503, 504}) {
    SourceWorld s;
    testing::WriteFile(s.dir / "adc.json",
                       R"({"type":"authorized_user","client_id":"c","client_secret":"s",
                           "refresh_token":"r","token_uri":"http://127.0.0.1:9/token"})");
    s.w.env["GOOGLE_APPLICATION_CREDENTIALS"] = s.dir / "adc.json";
    int calls = 0;
    s.w.http.answer = [&](const HttpRequest&) {
      return ++calls == 1 ? Answer(status, R"({"error":"temporarily_unavailable"})")
                          : Answer(200, R"({"access_token":"ya29.second","expires_in":3599})");
    };
    GoogleAuthOutcome out = s.Get();
    EXPECT_TRUE(out.ok) << status << ": " << out.problem;
    EXPECT_EQ(calls, 2) << status;
  }
  SourceWorld s;
  testing::WriteFile(s.dir / "adc.json",
                     R"({"type":"authorized_user","client_id":"c","client_secret":"s",
                         "refresh_token":"r","token_uri":"http://127.0.0.1:9/token"})");
  s.w.env["GOOGLE_APPLICATION_CREDENTIALS"] = s.dir / "adc.json";
  s.w.http.answer = [](const HttpRequest&) {
    return Answer(400, R"({"error":"invalid_grant","error_description":"Bad Request"})");
  };
  GoogleAuthOutcome refused = s.Get();
  EXPECT_FALSE(refused.ok);
  EXPECT_EQ(s.w.http.requests().size(), 1u) << "a refusal is not retried";
  SourceWorld again;
  testing::WriteFile(again.dir / "adc.json", testing::ReadFile(s.dir / "adc.json"));
  again.w.env["GOOGLE_APPLICATION_CREDENTIALS"] = again.dir / "adc.json";
  again.w.http.answer = [](const HttpRequest&) { return Answer(503, "busy"); };
  GoogleAuthOutcome busy = again.Get();
  EXPECT_FALSE(busy.ok);
  EXPECT_EQ(again.w.http.requests().size(), 3u) << "three tries, then the error";
  EXPECT_NE(busy.problem.find("HTTP 503"), std::string::npos) << busy.problem;
}

TEST(GoogleTokenSourceRules, AssertionIsIssuedTenSecondsInThePast) {
  SourceWorld s;
  nlohmann::json sa = {
      {"type", "service_account"},
      {"client_email", "sa@p.iam.gserviceaccount.com"},
      {"private_key_id", "k1"},
      {"private_key", testing::ReadFile(testing::FixturePath("google/test_sa_key.pem"))},
      {"token_uri", "http://127.0.0.1:9/token"}};
  testing::WriteFile(s.dir / "sa.json", sa.dump());
  s.w.env["GOOGLE_APPLICATION_CREDENTIALS"] = s.dir / "sa.json";
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  s.w.clock.SetWall(now);
  s.w.http.answer = [](const HttpRequest&) {
    return Answer(200, R"({"access_token":"ya29.sa","expires_in":3599})");
  };
  ASSERT_TRUE(s.Get().ok);
  std::string body = s.w.http.requests().at(0).body;
  std::string jwt = body.substr(body.find("assertion=") + 10);
  auto dot1 = jwt.find('.');
  auto dot2 = jwt.find('.', dot1 + 1);
  auto claims = nlohmann::json::parse(*Base64UrlDecode(jwt.substr(dot1 + 1, dot2 - dot1 - 1)));
  EXPECT_EQ(claims["iat"], 1'800'000'000 - 10);
  EXPECT_EQ(claims["exp"], 1'800'000'000 - 10 + 3600);
}

TEST(GoogleTokenSourceRules, QuotaProjectIsCarriedNotTakenAsTheProject) {
  SourceWorld s;
  testing::WriteFile(s.dir / "adc.json",
                     R"({"type":"authorized_user","client_id":"c","client_secret":"s",
                         "refresh_token":"r","quota_project_id":"billing-project"})");
  s.w.env["GOOGLE_APPLICATION_CREDENTIALS"] = s.dir / "adc.json";
  s.w.http.answer = [](const HttpRequest&) {
    return Answer(200, R"({"access_token":"ya29.user","expires_in":3599})");
  };
  EXPECT_EQ(s.Get().quota_project, "billing-project");
  s.w.env["GOOGLE_CLOUD_QUOTA_PROJECT"] = "env-billing";
  EXPECT_EQ(s.Get().quota_project, "env-billing");
}

TEST(GoogleTokenSourceRules, MetadataCountsOnlyWithItsFlavorHeaderAndNeverViaAProxy) {
  const std::vector<std::pair<std::string, std::string>> flavor = {{"metadata-flavor", "Google"}};
  {
    SourceWorld s;
    s.w.http.answer = [&](const HttpRequest& req) {
      if (req.url.find("/token") != std::string::npos) {
        return Answer(200, R"({"access_token":"ya29.md","expires_in":3599})", flavor);
      }
      return Answer(
          200, req.url.find("/email") != std::string::npos ? "vm@p.iam.gserviceaccount.com" : "ok",
          flavor);
    };
    GoogleAuthOutcome out = s.Get();
    EXPECT_TRUE(out.ok) << out.problem;
    EXPECT_EQ(out.method, "metadata server");
    EXPECT_EQ(out.account, "vm@p.iam.gserviceaccount.com");
    auto requests = s.w.http.requests();
    ASSERT_GE(requests.size(), 2u);
    EXPECT_EQ(requests[0].url, "http://127.0.0.1:1/");
    for (const auto& r : requests) EXPECT_TRUE(r.no_proxy) << r.url;
  }
  {
    // A captive portal: 200 with a page, no header. One answer settles it.
    SourceWorld s;
    s.w.http.answer = [](const HttpRequest&) { return Answer(200, "<html>Sign in</html>"); };
    GoogleAuthOutcome out = s.Get();
    EXPECT_FALSE(out.ok);
    EXPECT_FALSE(out.configured);
    EXPECT_NE(out.problem.find("no metadata server at 127.0.0.1:1"), std::string::npos)
        << out.problem;
    EXPECT_EQ(s.w.http.requests().size(), 1u);
  }
  {
    // Timeouts are tried three times; the ping host is GCE_METADATA_IP without a host.
    SourceWorld s;
    s.w.env.erase("GCE_METADATA_HOST");
    s.w.env["GCE_METADATA_IP"] = "127.0.0.9:9";
    s.w.http.answer = [](const HttpRequest&) {
      HttpResponse r;
      r.error = "Timeout was reached";
      r.error_code = 28;
      r.timed_out = true;
      return r;
    };
    EXPECT_FALSE(s.Get().ok);
    auto requests = s.w.http.requests();
    ASSERT_EQ(requests.size(), 3u);
    EXPECT_EQ(requests[0].url, "http://127.0.0.9:9/");
    EXPECT_LE(requests[0].timeout, 1000ms);
  }
}

TEST(GoogleTokenSourceRules, AFailingCredentialsFileIsTheErrorNotAFallThrough) {
  SourceWorld s;
  testing::WriteFile(s.dir / "adc.json", R"({"type":"authorized_user","client_id":"c"})");
  s.w.env["GOOGLE_APPLICATION_CREDENTIALS"] = s.dir / "adc.json";
  GoogleAuthOutcome out = s.Get();
  EXPECT_FALSE(out.ok);
  EXPECT_TRUE(out.configured);
  EXPECT_EQ(out.problem, s.dir / "adc.json" + ": field \"client_secret\" is missing");
  EXPECT_TRUE(s.w.http.requests().empty()) << "the metadata server is not asked";
}

}  // namespace
}  // namespace infinity_sync
