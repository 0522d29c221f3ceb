#include "checks/google_credentials.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "lib/fake_ports.h"

#include "lib/test_support.h"

namespace infinity_sync {
namespace {

TEST(GoogleCredentialsFile, ServiceAccountAndAuthorizedUser) {
  auto sa = ParseCredentialsFile(
      R"({"type":"service_account","project_id":"p","private_key_id":"k","private_key":"PEM",
          "client_email":"sa@p.iam.gserviceaccount.com"})",
      "/k.json");
  ASSERT_TRUE(sa.ok()) << sa.error();
  EXPECT_EQ(sa->client_email, "sa@p.iam.gserviceaccount.com");
  EXPECT_EQ(sa->project_id, "p");
  EXPECT_EQ(sa->token_uri, "https://oauth2.googleapis.com/token");  // default
  auto user = ParseCredentialsFile(
      R"({"type":"authorized_user","client_id":"c","client_secret":"s","refresh_token":"r",
          "quota_project_id":"q","token_uri":"http://127.0.0.1:9/token"})",
      "/adc.json");
  ASSERT_TRUE(user.ok()) << user.error();
  EXPECT_EQ(user->quota_project_id, "q");
  EXPECT_TRUE(user->project_id.empty());
  EXPECT_EQ(user->token_uri, "http://127.0.0.1:9/token");
}

TEST(GoogleCredentialsFile, ErrorsNameTheFileAndTheField) {
  auto err = [](const std::string& text) {
    auto r = ParseCredentialsFile(text, "/x/key.json");
    EXPECT_FALSE(r.ok());
    return r.ok() ? "" : r.error();
  };
  EXPECT_EQ(err("{oops"), "/x/key.json: not valid JSON");
  EXPECT_EQ(err("[]"), "/x/key.json: not a JSON object");
  EXPECT_EQ(err("{}"), "/x/key.json: field \"type\" is missing");
  EXPECT_EQ(err(R"({"type":"service_account","private_key":"x"})"),
            "/x/key.json: field \"client_email\" is missing");
  EXPECT_EQ(err(R"({"type":"service_account","client_email":"e","private_key":""})"),
            "/x/key.json: field \"private_key\" is empty");
  EXPECT_EQ(err(R"({"type":"service_account","client_email":5,"private_key":"x"})"),
            "/x/key.json: field \"client_email\" is not a string");
  EXPECT_EQ(err(R"({"type":"authorized_user","client_id":"c","client_secret":"s"})"),
            "/x/key.json: field \"refresh_token\" is missing");
  EXPECT_EQ(err(R"({"type":"gdch_service_account"})"),
            "/x/key.json: field \"type\" is \"gdch_service_account\"; supported: service_account, "
            "authorized_user, external_account, impersonated_service_account, "
            "external_account_authorized_user");
}

TEST(GoogleTokenResponse, SuccessAndOAuthErrors) {
  auto ok = ParseTokenResponse(
      200, R"({"access_token":"ya29.a","expires_in":3599,"token_type":"Bearer"})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->access_token, "ya29.a");
  EXPECT_EQ(ok->expires_in, 3599);
  auto bad = ParseTokenResponse(
      400, R"({"error":"invalid_grant","error_description":"Invalid JWT Signature."})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), "invalid_grant: Invalid JWT Signature. (HTTP 400)");
  EXPECT_EQ(ParseTokenResponse(502, "<html>").error(), "HTTP 502");
  EXPECT_EQ(ParseTokenResponse(200, R"({"token_type":"Bearer"})").error(),
            "the token answer has no access_token");
  EXPECT_EQ(ParseTokenResponse(200, "nope").error(), "the token answer is not a JSON object");
}

// Ports that count what the token source asks for.
class CountingHttp : public HttpClient {
 public:
  HttpResponse Send(const HttpRequest& request) override {
    ++calls;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let callers overlap
    HttpResponse res;
    res.answered = true;
    res.status = 200;
    if (request.url.find("/token") != std::string::npos) {
      res.body =
          R"({"access_token":"ya29.t)" + std::to_string(calls.load()) + R"(","expires_in":3599})";
    } else {
      res.body = "";
    }
    return res;
  }
  std::atomic<int> calls{0};
};

class NoPrograms : public ProcessRunner {
 public:
  ProcessResult Run(const ProcessRequest&) override { return {}; }
  bool Exists(const std::string&) override { return false; }
};

TEST(GoogleTokenSource, OneFetchForConcurrentCallersUntilShortlyBeforeExpiry) {
  testing::TempDir dir;
  testing::WriteFile(dir / "adc.json",
                     R"({"type":"authorized_user","client_id":"c","client_secret":"s",
                         "refresh_token":"r","token_uri":"http://127.0.0.1:9/token"})");
  CountingHttp http;
  NoPrograms process;
  RealFileSystem fs;
  testing::SteppedClock clock;
  std::map<std::string, std::string> vars = {{"GOOGLE_APPLICATION_CREDENTIALS", dir / "adc.json"}};
  testing::FakeDnsResolver dns;
  Ports ports{
      process, http, dns, fs, clock, [&](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        return it == vars.end() ? std::nullopt : std::optional(it->second);
      }};
  Config config;
  CheckContext ctx{config, ports, clock.SteadyNow() + std::chrono::hours(10)};
  GoogleTokenSource source;
  std::vector<std::thread> threads;
  std::vector<GoogleAuthOutcome> outcomes(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] { outcomes[i] = source.Get(ctx); });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(http.calls.load(), 1);
  for (const auto& o : outcomes) {
    EXPECT_TRUE(o.ok);
    EXPECT_EQ(o.access_token, "ya29.t1");
    EXPECT_EQ(o.method, "authorized user file (refresh token)");
  }
  clock.Advance(std::chrono::seconds(3599 - 61));
  EXPECT_EQ(source.Get(ctx).access_token, "ya29.t1");
  clock.Advance(std::chrono::seconds(2));  // 3599 - 59 s: within a minute of expiry, refreshed
  EXPECT_EQ(source.Get(ctx).access_token, "ya29.t2");
  EXPECT_EQ(http.calls.load(), 2);
  for (const auto& e : ctx.TakeEvidence()) EXPECT_EQ(e.find("ya29."), std::string::npos) << e;
}

}  // namespace
}  // namespace infinity_sync
