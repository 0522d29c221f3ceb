#include "checks/google_token_exchange.h"

#include <curl/curl.h>

#include <openssl/evp.h>

#include <cctype>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "checks/gcloud_files.h"
#include "cloud/google_jwt.h"
#include "core/version.h"

namespace infinity_sync {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kJwtClockSkewSeconds = 10;  // google-auth's CLOCK_SKEW_SECS
constexpr const char* kTokenExchangeGrant = "urn:ietf:params:oauth:grant-type:token-exchange";
constexpr const char* kAccessTokenType = "urn:ietf:params:oauth:token-type:access_token";

std::string FormEscape(const std::string& value) {
  char* escaped = curl_easy_escape(nullptr, value.c_str(), static_cast<int>(value.size()));
  std::string out = escaped != nullptr ? escaped : "";
  curl_free(escaped);
  return out;
}

std::string Base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(std::max(n, 0)));
  return out;
}

std::string UserAgent() { return std::string("infinity-sync/") + kVersion; }

bool Retryable(int status) {
  return status == 408 || status == 429 || status == 500 || status == 503 || status == 504;
}

}  // namespace

// The pause wakes when the check is stopped: a cancelled check does not sleep
// out its back-off.
HttpResponse SendToTokenEndpoint(const CheckContext& ctx, HttpRequest req) {
  milliseconds pause(500);
  for (int attempt = 1;; ++attempt) {
    req.timeout = milliseconds(15'000);
    HttpResponse res = ctx.Send(req);
    if (!res.answered || !Retryable(res.status) || attempt == 3 ||
        ctx.Remaining() < pause + milliseconds(1'000)) {
      return res;
    }
    if (!ctx.Pause(pause)) return res;
    pause *= 2;
  }
}

namespace {

HttpRequest TokenRequest(const std::string& url, std::string content_type, std::string body) {
  HttpRequest req;
  req.method = "POST";
  req.url = url;
  req.headers = {{"Content-Type", std::move(content_type)},
                 {"Accept", "application/json"},
                 {"User-Agent", UserAgent()}};
  req.body = std::move(body);
  return req;
}

// POSTs a form to an OAuth/STS token endpoint and reads the answer.
Result<TokenAnswer> PostTokenForm(const CheckContext& ctx, const std::string& url,
                                  const std::string& form, const std::string& basic_user = "",
                                  const std::string& basic_password = "") {
  HttpRequest req = TokenRequest(url, "application/x-www-form-urlencoded", form);
  req.ca_file = ctx.config.tls.ca_file;
  if (!basic_user.empty()) {
    req.headers.emplace_back("Authorization", "Basic " + Base64(basic_user + ":" + basic_password));
  }
  HttpResponse res = SendToTokenEndpoint(ctx, req);
  if (!res.answered) return Error{"cannot reach " + RedactUrl(url) + ": " + res.error};
  return ParseTokenResponse(res.status, res.body);
}

// IAM Credentials generateAccessToken for the service account of `url`, with
// `source_token` as the caller.
Result<TokenAnswer> Impersonate(const CheckContext& ctx, const std::string& url,
                                const std::string& source_token,
                                const std::vector<std::string>& delegates) {
  nlohmann::json body = {{"scope", {kCloudPlatformScope}}, {"lifetime", "3600s"}};
  if (!delegates.empty()) body["delegates"] = delegates;
  HttpRequest req = TokenRequest(url, "application/json", body.dump());
  req.ca_file = ctx.config.tls.ca_file;
  req.headers.emplace_back("Authorization", "Bearer " + source_token);
  HttpResponse res = SendToTokenEndpoint(ctx, req);
  std::string where = "impersonating " + ImpersonatedEmail(url) + " at " + RedactUrl(url);
  if (!res.answered) return Error{"cannot reach " + RedactUrl(url) + ": " + res.error};
  nlohmann::json j = nlohmann::json::parse(res.body, nullptr, false);
  if (res.status != 200) {
    std::string message;
    if (j.is_object() && j.contains("error") && j["error"].is_object()) {
      const auto& e = j["error"];
      message = e.value("status", "") + (e.contains("message") && e["message"].is_string()
                                             ? ": " + e["message"].get<std::string>()
                                             : "");
    }
    return Error{
        fmt::format("{}: {}(HTTP {})", where, message.empty() ? "" : message + " ", res.status)};
  }
  if (!j.is_object() || !j.contains("accessToken") || !j["accessToken"].is_string() ||
      j["accessToken"].get<std::string>().empty()) {
    return Error{where + ": the answer has no accessToken"};
  }
  TokenAnswer answer;
  answer.access_token = j["accessToken"].get<std::string>();
  if (j.contains("expireTime") && j["expireTime"].is_string()) {
    if (auto at = ParseGcloudTimestamp(j["expireTime"].get<std::string>())) {
      answer.expires_in = std::chrono::duration_cast<seconds>(*at - ctx.ports.clock.Now()).count();
      if (answer.expires_in <= 0) answer.expires_in = 1;
    }
  }
  return answer;
}

// The subject token an external_account's credential_source names.
Result<std::string> SubjectToken(const CheckContext& ctx, const GoogleCredentialsFile& f) {
  const nlohmann::json& src = f.credential_source;
  std::string text, where;
  if (src.contains("file")) {
    where = "subject token file " + src["file"].get<std::string>();
    auto read = ctx.ReadFile(src["file"].get<std::string>());
    if (!read) return Error{where + " cannot be read: " + read.error()};
    text = *read;
  } else {
    HttpRequest req;
    req.url = src["url"].get<std::string>();
    where = "subject token URL " + RedactUrl(req.url);
    if (src.contains("headers") && src["headers"].is_object()) {
      for (const auto& [k, v] : src["headers"].items()) {
        if (v.is_string()) req.headers.emplace_back(k, v.get<std::string>());
      }
    }
    req.headers.emplace_back("User-Agent", UserAgent());
    req.timeout = milliseconds(10'000);
    req.ca_file = ctx.config.tls.ca_file;
    HttpResponse res = ctx.Send(req);
    if (!res.answered) return Error{where + ": " + res.error};
    if (res.status != 200) return Error{fmt::format("{} answered HTTP {}", where, res.status)};
    text = res.body;
  }
  std::string type = src.contains("format") ? src["format"].value("type", "text") : "text";
  if (type == "json") {
    std::string name = src["format"]["subject_token_field_name"].get<std::string>();
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object()) return Error{where + ": not a JSON object"};
    if (!j.contains(name) || !j[name].is_string() || j[name].get<std::string>().empty()) {
      return Error{where + ": no \"" + name + "\" field"};
    }
    return j[name].get<std::string>();
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  if (text.empty()) return Error{where + " is empty"};
  return text;
}

// A token for a parsed credential, whatever its type. `depth` guards against an
// impersonation whose source is itself an impersonation, and so on.
TokenAttempt FromCredential(const CheckContext& ctx, const GoogleCredentialsFile& f, int depth) {
  TokenAttempt a;
  a.present = true;
  a.quota_project = f.quota_project_id;
  Result<TokenAnswer> answer = Error{""};
  std::string endpoint = f.token_uri;
  if (f.type == "service_account") {
    a.method = "service account file";
    a.account = f.client_email;
    std::int64_t now =
        std::chrono::duration_cast<seconds>(ctx.ports.clock.Now().time_since_epoch()).count();
    // Issued a little in the past, so that a token endpoint whose clock is
    // slightly behind ours still takes the assertion (google-auth does the same).
    std::int64_t iat = now - kJwtClockSkewSeconds;
    JwtClaims claims{f.client_email, kCloudPlatformScope, f.token_uri, iat, iat + 3600};
    auto jwt = MakeSignedJwt(f.private_key, f.private_key_id, claims);
    if (!jwt) {
      a.problem = f.path + ": field \"private_key\": " + jwt.error();
      return a;
    }
    answer =
        PostTokenForm(ctx, f.token_uri,
                      "grant_type=" + FormEscape("urn:ietf:params:oauth:grant-type:jwt-bearer") +
                          "&assertion=" + FormEscape(*jwt));
  } else if (f.type == "authorized_user") {
    a.method = "authorized user file (refresh token)";
    answer = PostTokenForm(ctx, f.token_uri,
                           "grant_type=refresh_token&client_id=" + FormEscape(f.client_id) +
                               "&client_secret=" + FormEscape(f.client_secret) +
                               "&refresh_token=" + FormEscape(f.refresh_token));
  } else if (f.type == "external_account_authorized_user") {
    a.method = "external account authorized user (workforce identity)";
    answer = PostTokenForm(ctx, f.token_uri,
                           "grant_type=refresh_token&refresh_token=" + FormEscape(f.refresh_token),
                           f.client_id, f.client_secret);
  } else if (f.type == "external_account") {
    a.method = std::string("workload identity federation (") +
               (f.credential_source.contains("file") ? "file" : "URL") + "-sourced)";
    a.account = ImpersonatedEmail(f.impersonation_url);
    auto subject = SubjectToken(ctx, f);
    if (!subject) {
      a.problem = a.method + " (" + f.path + "): " + subject.error();
      return a;
    }
    std::string form = "grant_type=" + FormEscape(kTokenExchangeGrant) +
                       "&audience=" + FormEscape(f.audience) +
                       "&scope=" + FormEscape(kCloudPlatformScope) +
                       "&requested_token_type=" + FormEscape(kAccessTokenType) +
                       "&subject_token=" + FormEscape(*subject) +
                       "&subject_token_type=" + FormEscape(f.subject_token_type);
    bool client_auth = !f.client_id.empty() && !f.client_secret.empty();
    if (!client_auth && !f.workforce_user_project.empty()) {
      form += "&options=" +
              FormEscape(nlohmann::json{{"userProject", f.workforce_user_project}}.dump());
    }
    answer = client_auth ? PostTokenForm(ctx, f.token_uri, form, f.client_id, f.client_secret)
                         : PostTokenForm(ctx, f.token_uri, form);
    if (answer && !f.impersonation_url.empty()) {
      endpoint = f.impersonation_url;
      answer = Impersonate(ctx, f.impersonation_url, answer->access_token, {});
    }
  } else if (f.type == "impersonated_service_account") {
    a.method = "impersonated service account";
    a.account = ImpersonatedEmail(f.impersonation_url);
    if (depth > 0) {
      a.problem = f.path + ": an impersonated_service_account's source is itself impersonated";
      return a;
    }
    auto source =
        ParseCredentialsFile(f.source_credentials.dump(), f.path + ": source_credentials");
    if (!source) {
      a.problem = source.error();
      return a;
    }
    TokenAttempt inner = FromCredential(ctx, *source, depth + 1);
    if (!inner.ok) {
      a.problem =
          "the source credentials of " + f.path + " (" + inner.method + "): " + inner.problem;
      return a;
    }
    endpoint = f.impersonation_url;
    answer = Impersonate(ctx, f.impersonation_url, inner.token, f.delegates);
  } else {
    a.problem = f.path + ": credentials of type \"" + f.type + "\" are not supported";
    return a;
  }
  if (!answer) {
    a.problem =
        fmt::format("{} ({}): {}: {}", a.method, f.path,
                    endpoint == f.impersonation_url ? "IAM Credentials"
                                                    : "token endpoint " + RedactUrl(endpoint),
                    answer.error());
    return a;
  }
  a.ok = true;
  a.token = answer->access_token;
  a.expires_in = answer->expires_in;
  return a;
}

}  // namespace

TokenAttempt TokenForCredential(const CheckContext& ctx, const GoogleCredentialsFile& f) {
  return FromCredential(ctx, f, 0);
}

}  // namespace infinity_sync
