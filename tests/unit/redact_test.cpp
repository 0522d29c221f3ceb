#include "core/redact.h"

#include <gtest/gtest.h>

#include "core/status_json.h"

namespace infinity_sync {
namespace {

TEST(RedactUrl, UserinfoAndSecretQueryValuesOnly) {
  EXPECT_EQ(RedactUrl("http://user:PASS@host/x?api_key=KEY"), "http://***@host/x?api_key=***");
  EXPECT_EQ(RedactUrl("https://host/x.git?token=T"), "https://host/x.git?token=***");
  EXPECT_EQ(RedactUrl("https://host/p?page=2&Access_Token=a&sig=s&x=1#frag"),
            "https://host/p?page=2&Access_Token=***&sig=***&x=1#frag");
  for (const char* name : {"token", "key", "secret", "password", "passwd", "sig", "signature",
                           "auth", "credential", "code", "X-Amz-Credential", "client_secret"}) {
    EXPECT_EQ(RedactUrl(std::string("https://h/?") + name + "=v&ok=1"),
              std::string("https://h/?") + name + "=***&ok=1")
        << name;
  }
  // Nothing secret: unchanged.
  EXPECT_EQ(RedactUrl("https://example.com:8443/health?verbose=1"),
            "https://example.com:8443/health?verbose=1");
  EXPECT_EQ(RedactUrl("not a url"), "not a url");
  // An @ in the path is no userinfo.
  EXPECT_EQ(RedactUrl("https://host/users/@me"), "https://host/users/@me");
}

TEST(RedactUrl, PathModeHidesWhatWebhooksCarryInThePath) {
  EXPECT_EQ(RedactUrl("https://hooks.slack.com/services/T0/B0/s3cr3t", UrlRedaction::kPath),
            "https://hooks.slack.com/***");
  EXPECT_EQ(RedactUrl("http://user:pw@127.0.0.1:8080/hook?token=x", UrlRedaction::kPath),
            "http://***@127.0.0.1:8080/***");
  EXPECT_EQ(RedactUrl("garbage/secret", UrlRedaction::kPath), "***");
}

TEST(RedactUrlsIn, EveryUrlInFreeText) {
  EXPECT_EQ(RedactUrlsIn("Remote: https://x-access-token:ghp_S@github.com/a/b.git (fetch)"),
            "Remote: https://***@github.com/a/b.git (fetch)");
  EXPECT_EQ(RedactUrlsIn("GET http://u:p@h/x?api_key=K -> HTTP 200; then \"https://h/?code=C\"."),
            "GET http://***@h/x?api_key=*** -> HTTP 200; then \"https://h/?code=***\".");
  EXPECT_EQ(RedactUrlsIn("no urls: a://, ://x, 3://y"), "no urls: a://, ://x, 3://y");
  EXPECT_EQ(RedactUrlsIn(""), "");
}

TEST(RedactSentCredentials, TheTokenSentIsMaskedInTheAnswer) {
  std::vector<std::pair<std::string, std::string>> sent = {
      {"Authorization", "Bearer ya29.secret-access-token"}, {"Accept", "application/json"}};
  EXPECT_EQ(
      RedactSentCredentials("{\"echo\": \"Authorization: Bearer ya29.secret-access-token\", \"t\": "
                            "\"ya29.secret-access-token\", \"accept\": \"application/json\"}",
                            sent),
      "{\"echo\": \"Authorization: ***\", \"t\": \"***\", \"accept\": \"application/json\"}");
  // Short header values are not credentials worth masking everywhere.
  EXPECT_EQ(RedactSentCredentials("x-api-key: k1", {{"X-Api-Key", "k1"}}), "x-api-key: k1");
  EXPECT_EQ(RedactSentCredentials("key=abcdefgh12", {{"X-Api-Key", "abcdefgh12"}}), "key=***");
}

TEST(RedactUrls, ACheckResultLeavesTheRunnerRedacted) {
  CheckResult r;
  r.Err("GET http://user:PASS@127.0.0.1:9/x?api_key=KEY -> refused");
  r.evidence.push_back("git ls-remote https://host/x.git?token=T");
  r.data = {{"url", "http://user:PASS@h/"}, {"list", {"https://h/?secret=S"}}, {"n", 3}};
  r.fix = Fix{"git remote set-url origin https://u:P@h/x", {"git", "https://u:P@h/x"}, "", 1};
  RedactUrls(&r);
  EXPECT_EQ(r.notes[0].text, "GET http://***@127.0.0.1:9/x?api_key=*** -> refused");
  EXPECT_EQ(r.evidence[0], "git ls-remote https://host/x.git?token=***");
  EXPECT_EQ(r.data["url"], "http://***@h/");
  EXPECT_EQ(r.data["list"][0], "https://h/?secret=***");
  EXPECT_EQ(r.data["n"], 3);
  EXPECT_EQ(r.fix->description, "git remote set-url origin https://***@h/x");
  EXPECT_EQ(r.fix->argv[1], "https://u:P@h/x") << "the command that is run stays as it is";
}

}  // namespace
}  // namespace infinity_sync
