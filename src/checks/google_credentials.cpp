#include "checks/google_credentials.h"

#include <curl/curl.h>

#include <openssl/evp.h>

#include <cctype>
#include <filesystem>

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

// One source's attempt.
struct Attempt {
  bool present = false;  // the source exists (set, installed, reachable)
  bool ok = false;
  std::string token;
  std::int64_t expires_in = 0;
  std::string method;
  std::string account;
  std::string quota_project;
  std::string problem;
};

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

std::string Outcome(const HttpResponse& res) {
  return res.answered ? "HTTP " + std::to_string(res.status) : res.error;
}

std::string UserAgent() { return std::string("infinity-sync/") + kVersion; }

bool Retryable(int status) {
  return status == 408 || status == 429 || status == 500 || status == 503 || status == 504;
}

// Sends to a token endpoint (OAuth, STS, IAM Credentials): up to 3 tries when
// the answer is 408, 429, 500, 503 or 504, with a growing pause, as long as the
// deadline leaves room for one more exchange.
HttpResponse SendToTokenEndpoint(const CheckContext& ctx, HttpRequest req,
                                 std::vector<std::string>* evidence) {
  milliseconds pause(500);
  for (int attempt = 1;; ++attempt) {
    req.timeout = ctx.Clamp(milliseconds(15'000));
    req.stop = ctx.stop;
    HttpResponse res = ctx.ports.http.Send(req);
    evidence->push_back(fmt::format("{} {} -> {} ({:.0f} ms)", req.method, RedactUrl(req.url),
                                    Outcome(res), res.timings.total_ms));
    if (!res.answered || !Retryable(res.status) || attempt == 3 ||
        ctx.Remaining() < pause + milliseconds(1'000)) {
      return res;
    }
    if (!ctx.Pause(pause)) return res;
    pause *= 2;
  }
}

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
                                  const std::string& form, std::vector<std::string>* evidence,
                                  const std::string& basic_user = "",
                                  const std::string& basic_password = "") {
  HttpRequest req = TokenRequest(url, "application/x-www-form-urlencoded", form);
  req.ca_file = ctx.config.tls.ca_file;
  if (!basic_user.empty()) {
    req.headers.emplace_back("Authorization", "Basic " + Base64(basic_user + ":" + basic_password));
  }
  HttpResponse res = SendToTokenEndpoint(ctx, req, evidence);
  if (!res.answered) return Error{"cannot reach " + RedactUrl(url) + ": " + res.error};
  return ParseTokenResponse(res.status, res.body);
}

// IAM Credentials generateAccessToken for the service account of `url`, with
// `source_token` as the caller.
Result<TokenAnswer> Impersonate(const CheckContext& ctx, const std::string& url,
                                const std::string& source_token,
                                const std::vector<std::string>& delegates,
                                std::vector<std::string>* evidence) {
  nlohmann::json body = {{"scope", {kCloudPlatformScope}}, {"lifetime", "3600s"}};
  if (!delegates.empty()) body["delegates"] = delegates;
  HttpRequest req = TokenRequest(url, "application/json", body.dump());
  req.ca_file = ctx.config.tls.ca_file;
  req.headers.emplace_back("Authorization", "Bearer " + source_token);
  HttpResponse res = SendToTokenEndpoint(ctx, req, evidence);
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
Result<std::string> SubjectToken(const CheckContext& ctx, const GoogleCredentialsFile& f,
                                 std::vector<std::string>* evidence) {
  const nlohmann::json& src = f.credential_source;
  std::string text, where;
  if (src.contains("file")) {
    where = "subject token file " + src["file"].get<std::string>();
    auto read = ctx.ports.fs.ReadFile(src["file"].get<std::string>());
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
    req.timeout = ctx.Clamp(milliseconds(10'000));
    req.stop = ctx.stop;
    req.ca_file = ctx.config.tls.ca_file;
    HttpResponse res = ctx.ports.http.Send(req);
    evidence->push_back(fmt::format("GET {} -> {} ({:.0f} ms)", RedactUrl(req.url), Outcome(res),
                                    res.timings.total_ms));
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
Attempt FromCredential(const CheckContext& ctx, const GoogleCredentialsFile& f,
                       std::vector<std::string>* evidence, int depth = 0) {
  Attempt a;
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
                          "&assertion=" + FormEscape(*jwt),
                      evidence);
  } else if (f.type == "authorized_user") {
    a.method = "authorized user file (refresh token)";
    answer = PostTokenForm(ctx, f.token_uri,
                           "grant_type=refresh_token&client_id=" + FormEscape(f.client_id) +
                               "&client_secret=" + FormEscape(f.client_secret) +
                               "&refresh_token=" + FormEscape(f.refresh_token),
                           evidence);
  } else if (f.type == "external_account_authorized_user") {
    a.method = "external account authorized user (workforce identity)";
    answer = PostTokenForm(ctx, f.token_uri,
                           "grant_type=refresh_token&refresh_token=" + FormEscape(f.refresh_token),
                           evidence, f.client_id, f.client_secret);
  } else if (f.type == "external_account") {
    a.method = std::string("workload identity federation (") +
               (f.credential_source.contains("file") ? "file" : "URL") + "-sourced)";
    a.account = ImpersonatedEmail(f.impersonation_url);
    auto subject = SubjectToken(ctx, f, evidence);
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
    answer = client_auth
                 ? PostTokenForm(ctx, f.token_uri, form, evidence, f.client_id, f.client_secret)
                 : PostTokenForm(ctx, f.token_uri, form, evidence);
    if (answer && !f.impersonation_url.empty()) {
      endpoint = f.impersonation_url;
      answer = Impersonate(ctx, f.impersonation_url, answer->access_token, {}, evidence);
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
    Attempt inner = FromCredential(ctx, *source, evidence, depth + 1);
    if (!inner.ok) {
      a.problem =
          "the source credentials of " + f.path + " (" + inner.method + "): " + inner.problem;
      return a;
    }
    endpoint = f.impersonation_url;
    answer = Impersonate(ctx, f.impersonation_url, inner.token, f.delegates, evidence);
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

Attempt FromEnvToken(const CheckContext& ctx) {
  Attempt a;
  a.method = "GOOGLE_OAUTH_ACCESS_TOKEN";
  a.token = ctx.Env("GOOGLE_OAUTH_ACCESS_TOKEN");
  a.present = a.ok = !a.token.empty();
  if (!a.ok) a.problem = "GOOGLE_OAUTH_ACCESS_TOKEN is not set";
  return a;
}

Attempt FromAdcFile(const CheckContext& ctx, std::vector<std::string>* evidence) {
  Attempt a;
  a.method = "application default credentials";
  auto where = LocateAdcFile(ctx);
  if (!where) {
    a.problem = "no GOOGLE_APPLICATION_CREDENTIALS and no gcloud ADC file";
    return a;
  }
  a.present = true;
  auto read = ctx.ports.fs.ReadFile(where->path, kCredentialsFileLimit);
  if (!read) {
    a.problem = (where->from_env ? "GOOGLE_APPLICATION_CREDENTIALS names " : "") + where->path +
                ", which cannot be read: " + read.error();
    return a;
  }
  auto file = ParseCredentialsFile(*read, where->path);
  if (!file) {
    a.problem = file.error();
    return a;
  }
  return FromCredential(ctx, *file, evidence);
}

// `gcloud auth print-access-token`: only when gcloud's own files exist but
// cannot be read (another layout, a lock held too long).
Attempt FromGcloudProgram(const CheckContext& ctx, const std::string& account,
                          const std::string& why, std::vector<std::string>* evidence) {
  Attempt a;
  a.present = true;
  a.method = "gcloud";
  a.account = account;
  if (!ctx.ports.process.Exists("gcloud")) {
    a.problem = why + " (and gcloud is not installed to ask instead)";
    return a;
  }
  evidence->push_back("gcloud's files cannot be read (" + why + "): asking gcloud");
  ProcessRequest req;
  req.argv = {"gcloud", "auth", "print-access-token"};
  req.env = {{"CLOUDSDK_CORE_DISABLE_PROMPTS", "1"}};
  req.timeout = ctx.Clamp(milliseconds(20'000));
  req.stop = ctx.stop;
  ProcessResult res = ctx.ports.process.Run(req);
  // print-access-token's stdout is the token: only the exit status is logged.
  evidence->push_back(fmt::format("gcloud auth print-access-token -> {} ({} ms)",
                                  res.Succeeded() ? "exit 0" : res.Describe(req.argv),
                                  res.duration.count()));
  std::string text = res.out;
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  if (!res.Succeeded() || text.empty()) {
    a.problem = why + "; gcloud auth print-access-token failed" +
                (account.empty() ? "" : " for " + account) + ": " +
                (res.Succeeded() ? "empty output" : TailLines(res.err, 2));
    return a;
  }
  a.ok = true;
  a.token = text;
  a.expires_in = 300;  // gcloud does not say; it hands out tokens with minutes left
  a.problem = why;
  return a;
}

// gcloud's active account, from credentials.db / access_tokens.db.
Attempt FromGcloudFiles(const CheckContext& ctx, std::vector<std::string>* evidence) {
  Attempt a;
  a.method = "gcloud";
  GcloudConfig cfg = ReadGcloudConfig(ctx);
  if (cfg.dir.empty()) {
    a.problem = "no gcloud configuration (neither CLOUDSDK_CONFIG nor HOME is set)";
    return a;
  }
  if (!cfg.file_error.empty()) return FromGcloudProgram(ctx, "", cfg.file_error, evidence);
  a.account = cfg.Property(ctx, "core", "account");
  if (a.account.empty()) {
    a.problem = "gcloud has no active account (" +
                (cfg.file_exists ? "no [core] account in " + cfg.file : "no " + cfg.file) + ")";
    return a;
  }
  std::string quota = cfg.Property(ctx, "billing", "quota_project");
  if (quota == "CURRENT_PROJECT") quota = cfg.Property(ctx, "core", "project");
  auto stored = ReadGcloudAccount(cfg.dir, a.account);
  if (!stored) return FromGcloudProgram(ctx, a.account, stored.error(), evidence);
  if (!*stored) {
    // On Compute Engine gcloud's account is the VM's service account, served by
    // the metadata server: no stored credentials, the next source answers.
    a.problem = "gcloud's account " + a.account + " has no stored credentials in " + cfg.dir +
                "/credentials.db (run: gcloud auth login)";
    evidence->push_back("gcloud account " + a.account + ": no stored credentials");
    return a;
  }
  a.present = true;
  a.quota_project = quota;
  const GcloudAccountCredentials& creds = **stored;
  auto now = ctx.ports.clock.Now();
  if (!creds.access_token.empty() && *creds.token_expiry > now + seconds(60)) {
    a.ok = true;
    a.token = creds.access_token;
    a.expires_in = std::chrono::duration_cast<seconds>(*creds.token_expiry - now).count();
    evidence->push_back(
        fmt::format("gcloud account {}: cached token from access_tokens.db ({} s left)", a.account,
                    a.expires_in));
    return a;
  }
  evidence->push_back(
      "gcloud account " + a.account +
      (creds.access_token.empty() ? ": no cached token" : ": cached token expired") +
      ", refreshing");
  // gcloud stores user credentials without a "type" (older SDKs): they are
  // authorized_user credentials.
  nlohmann::json j = nlohmann::json::parse(creds.credential_json, nullptr, false);
  if (j.is_object() && !j.contains("type") && j.contains("refresh_token")) {
    j["type"] = "authorized_user";
  }
  auto file = ParseCredentialsFile(j.is_discarded() ? creds.credential_json : j.dump(),
                                   cfg.dir + "/credentials.db (" + a.account + ")");
  if (!file) {
    a.problem = file.error();
    return a;
  }
  Attempt refreshed = FromCredential(ctx, *file, evidence);
  refreshed.method = "gcloud";
  refreshed.account = a.account;
  if (refreshed.quota_project.empty()) refreshed.quota_project = quota;
  return refreshed;
}

Attempt FromMetadata(const CheckContext& ctx, GoogleTokenSource& source,
                     std::vector<std::string>* evidence) {
  Attempt a;
  a.method = "metadata server";
  std::string why;
  if (!source.MetadataServerPresent(ctx, evidence, &why)) {
    a.problem =
        "no metadata server at " + MetadataPingHost(ctx) + (why.empty() ? "" : " (" + why + ")");
    return a;
  }
  a.present = true;
  auto token = MetadataGet(ctx, "instance/service-accounts/default/token", evidence);
  if (!token) {
    a.problem = "the metadata server's token: " + token.error();
    return a;
  }
  auto answer = ParseTokenResponse(200, *token);
  if (!answer) {
    a.problem = "the metadata server's token answer: " + answer.error();
    return a;
  }
  a.ok = true;
  a.token = answer->access_token;
  a.expires_in = answer->expires_in;
  if (auto email = MetadataGet(ctx, "instance/service-accounts/default/email", evidence)) {
    a.account = *email;
  }
  while (!a.account.empty() && std::isspace(static_cast<unsigned char>(a.account.back()))) {
    a.account.pop_back();
  }
  return a;
}

}  // namespace

Result<GoogleCredentialsFile> ParseCredentialsFile(const std::string& text,
                                                   const std::string& path) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return Error{path + ": not valid JSON"};
  if (!j.is_object()) return Error{path + ": not a JSON object"};
  auto field = [&](const char* name, bool required, std::string* out) -> std::optional<Error> {
    auto it = j.find(name);
    if (it == j.end() || it->is_null()) {
      if (required) return Error{path + ": field \"" + name + "\" is missing"};
      return std::nullopt;
    }
    if (!it->is_string()) return Error{path + ": field \"" + name + "\" is not a string"};
    *out = it->get<std::string>();
    if (required && out->empty()) return Error{path + ": field \"" + name + "\" is empty"};
    return std::nullopt;
  };
  auto fields = [&](std::initializer_list<std::pair<const char*, std::string*>> list,
                    bool required) -> std::optional<Error> {
    for (auto [name, out] : list) {
      if (auto e = field(name, required, out)) return e;
    }
    return std::nullopt;
  };
  auto object = [&](const char* name, nlohmann::json* out) -> std::optional<Error> {
    auto it = j.find(name);
    if (it == j.end() || it->is_null()) return Error{path + ": field \"" + name + "\" is missing"};
    if (!it->is_object()) return Error{path + ": field \"" + name + "\" is not an object"};
    *out = *it;
    return std::nullopt;
  };
  GoogleCredentialsFile f;
  f.path = path;
  if (auto e = field("type", true, &f.type)) return *e;
  if (auto e = field("quota_project_id", false, &f.quota_project_id)) return *e;
  if (f.type == "service_account") {
    if (auto e =
            fields({{"client_email", &f.client_email}, {"private_key", &f.private_key}}, true)) {
      return *e;
    }
    if (auto e = fields({{"private_key_id", &f.private_key_id},
                         {"project_id", &f.project_id},
                         {"token_uri", &f.token_uri}},
                        false)) {
      return *e;
    }
  } else if (f.type == "authorized_user") {
    if (auto e = fields({{"client_id", &f.client_id},
                         {"client_secret", &f.client_secret},
                         {"refresh_token", &f.refresh_token}},
                        true)) {
      return *e;
    }
    if (auto e = field("token_uri", false, &f.token_uri)) return *e;
  } else if (f.type == "external_account") {
    if (auto e = fields({{"audience", &f.audience},
                         {"subject_token_type", &f.subject_token_type},
                         {"token_url", &f.token_uri}},
                        true)) {
      return *e;
    }
    if (auto e = fields({{"service_account_impersonation_url", &f.impersonation_url},
                         {"client_id", &f.client_id},
                         {"client_secret", &f.client_secret},
                         {"workforce_pool_user_project", &f.workforce_user_project}},
                        false)) {
      return *e;
    }
    if (auto e = object("credential_source", &f.credential_source)) return *e;
    const nlohmann::json& src = f.credential_source;
    if (src.contains("executable")) {
      return Error{path +
                   ": external_account with an executable-sourced credential_source is "
                   "not supported yet"};
    }
    if (src.contains("environment_id") && src["environment_id"].is_string() &&
        src["environment_id"].get<std::string>().rfind("aws", 0) == 0) {
      return Error{path + ": external_account with an AWS credential_source (environment_id \"" +
                   src["environment_id"].get<std::string>() + "\") is not supported yet"};
    }
    bool has_file = src.contains("file") && src["file"].is_string();
    bool has_url = src.contains("url") && src["url"].is_string();
    if (has_file == has_url) {
      return Error{path +
                   ": field \"credential_source\" needs exactly one of \"file\" and \"url\""};
    }
    if (src.contains("format")) {
      const nlohmann::json& fmt = src["format"];
      std::string type = fmt.is_object() ? fmt.value("type", "text") : "";
      if (type != "text" && type != "json") {
        return Error{path +
                     ": field \"credential_source.format.type\" must be \"text\" or \"json\""};
      }
      if (type == "json" && (!fmt.contains("subject_token_field_name") ||
                             !fmt["subject_token_field_name"].is_string())) {
        return Error{path +
                     ": field \"credential_source.format.subject_token_field_name\" is "
                     "missing"};
      }
    }
  } else if (f.type == "impersonated_service_account") {
    if (auto e = field("service_account_impersonation_url", true, &f.impersonation_url)) return *e;
    if (auto e = object("source_credentials", &f.source_credentials)) return *e;
    if (auto it = j.find("delegates"); it != j.end() && it->is_array()) {
      for (const auto& d : *it) {
        if (d.is_string()) f.delegates.push_back(d.get<std::string>());
      }
    }
  } else if (f.type == "external_account_authorized_user") {
    if (auto e = fields({{"client_id", &f.client_id},
                         {"client_secret", &f.client_secret},
                         {"refresh_token", &f.refresh_token},
                         {"token_url", &f.token_uri}},
                        true)) {
      return *e;
    }
  } else {
    return Error{path + ": field \"type\" is \"" + f.type +
                 "\"; supported: service_account, authorized_user, external_account, "
                 "impersonated_service_account, external_account_authorized_user"};
  }
  if (f.token_uri.empty()) f.token_uri = kDefaultGoogleTokenUri;
  return f;
}

Result<TokenAnswer> ParseTokenResponse(int http_status, const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (http_status != 200) {
    if (j.is_object() && j.contains("error") && j["error"].is_string()) {
      std::string text = j["error"].get<std::string>();
      if (j.contains("error_description") && j["error_description"].is_string()) {
        text += ": " + j["error_description"].get<std::string>();
      }
      return Error{fmt::format("{} (HTTP {})", text, http_status)};
    }
    return Error{fmt::format("HTTP {}", http_status)};
  }
  if (!j.is_object()) return Error{"the token answer is not a JSON object"};
  auto tok = j.find("access_token");
  if (tok == j.end() || !tok->is_string() || tok->get<std::string>().empty()) {
    return Error{"the token answer has no access_token"};
  }
  TokenAnswer answer;
  answer.access_token = tok->get<std::string>();
  auto exp = j.find("expires_in");
  if (exp != j.end() && exp->is_number_integer()) answer.expires_in = exp->get<std::int64_t>();
  if (exp != j.end() && exp->is_string()) {
    answer.expires_in = std::strtoll(exp->get<std::string>().c_str(), nullptr, 10);
  }
  return answer;
}

std::optional<AdcLocation> LocateAdcFile(const CheckContext& ctx) {
  std::string env = ctx.Env("GOOGLE_APPLICATION_CREDENTIALS");
  if (!env.empty()) return AdcLocation{env, true};
  std::string dir = ctx.Env("CLOUDSDK_CONFIG");
  if (dir.empty()) {
    std::string home = ctx.Env("HOME");
    if (home.empty()) return std::nullopt;
    dir = home + "/.config/gcloud";
  }
  std::string path = dir + "/application_default_credentials.json";
  if (!ctx.ports.fs.Stat(path)) return std::nullopt;
  return AdcLocation{path, false};
}

std::string MetadataHost(const CheckContext& ctx) {
  std::string host = ctx.Env("GCE_METADATA_HOST");
  if (host.empty()) host = ctx.Env("GCE_METADATA_ROOT");
  return host.empty() ? "metadata.google.internal" : host;
}

std::string MetadataPingHost(const CheckContext& ctx) {
  std::string host = ctx.Env("GCE_METADATA_HOST");
  if (host.empty()) host = ctx.Env("GCE_METADATA_ROOT");
  if (host.empty()) host = ctx.Env("GCE_METADATA_IP");
  return host.empty() ? "169.254.169.254" : host;
}

namespace {

HttpRequest MetadataRequest(const CheckContext& ctx, const std::string& url, milliseconds timeout) {
  HttpRequest req;
  req.url = url;
  req.headers = {{"Metadata-Flavor", "Google"}};
  req.timeout = ctx.Clamp(timeout);
  req.stop = ctx.stop;
  req.no_proxy = true;  // the metadata server is link-local: a proxy cannot reach it
  return req;
}

bool FromGoogle(const HttpResponse& res) { return res.Header("Metadata-Flavor") == "Google"; }

}  // namespace

Result<std::string> MetadataGet(const CheckContext& ctx, const std::string& path,
                                std::vector<std::string>* evidence) {
  HttpRequest req = MetadataRequest(
      ctx, "http://" + MetadataHost(ctx) + "/computeMetadata/v1/" + path, milliseconds(3'000));
  HttpResponse res = ctx.ports.http.Send(req);
  evidence->push_back(fmt::format("GET {} -> {} ({:.0f} ms)", RedactUrl(req.url), Outcome(res),
                                  res.timings.total_ms));
  if (!res.answered) return Error{"cannot reach " + MetadataHost(ctx) + ": " + res.error};
  if (!FromGoogle(res)) {
    return Error{fmt::format("{} answered HTTP {} without Metadata-Flavor: Google",
                             MetadataHost(ctx), res.status)};
  }
  if (res.status != 200)
    return Error{fmt::format("{} answered HTTP {}", MetadataHost(ctx), res.status)};
  return res.body;
}

std::string ImpersonatedEmail(const std::string& url) {
  const std::string marker = "/serviceAccounts/";
  auto at = url.find(marker);
  if (at == std::string::npos) return "";
  at += marker.size();
  auto end = url.find(':', at);
  return url.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

bool GoogleTokenSource::MetadataServerPresent(const CheckContext& ctx,
                                              std::vector<std::string>* evidence,
                                              std::string* why) {
  std::lock_guard<std::mutex> lock(ping_mu_);
  auto now = ctx.ports.clock.SteadyNow();
  if (!ping_ || now >= ping_until_) {
    std::string host = MetadataPingHost(ctx);
    bool present = false;
    std::string seen;
    for (int attempt = 1; attempt <= 3; ++attempt) {
      HttpRequest req = MetadataRequest(ctx, "http://" + host + "/", milliseconds(1'000));
      HttpResponse res = ctx.ports.http.Send(req);
      evidence->push_back(
          fmt::format("metadata ping GET {} -> {}{} ({:.0f} ms)", RedactUrl(req.url), Outcome(res),
                      res.answered && !FromGoogle(res) ? " without Metadata-Flavor" : "",
                      res.timings.total_ms));
      // An answer settles it: a 200 without the header is a captive portal or
      // a proxy's page, not a metadata server. Timeouts are tried again.
      if (res.answered) {
        present = FromGoogle(res);
        seen = fmt::format("HTTP {} without Metadata-Flavor: Google", res.status);
        break;
      }
      seen = res.error;
      if (!res.timed_out || ctx.Remaining() < milliseconds(100)) break;
    }
    ping_ = present;
    ping_why_ = present ? "" : seen;
    ping_until_ = now + seconds(60);
  }
  if (why != nullptr) *why = ping_why_;
  return *ping_;
}

GoogleAuthOutcome GoogleTokenSource::Get(const CheckContext& ctx,
                                         std::vector<std::string>* evidence) {
  std::lock_guard<std::mutex> lock(mu_);
  auto now = ctx.ports.clock.SteadyNow();
  if (cached_ && now < cached_until_) {
    evidence->push_back(cached_->ok ? "Google token: reused (" + cached_->method + ")"
                                    : "Google credentials: reused the failure of a moment ago");
    return *cached_;
  }
  GoogleAuthOutcome out;
  std::vector<std::string> absent;
  Attempt winner;
  // The first source that exists decides; absent ones only explain "none found".
  for (int step = 0; step < 4; ++step) {
    Attempt a = step == 0   ? FromEnvToken(ctx)
                : step == 1 ? FromAdcFile(ctx, evidence)
                : step == 2 ? FromGcloudFiles(ctx, evidence)
                            : FromMetadata(ctx, *this, evidence);
    if (a.present || a.ok) {
      winner = std::move(a);
      break;
    }
    absent.push_back(a.problem);
  }
  out.configured = winner.present;
  if (winner.ok) {
    out.ok = true;
    out.access_token = winner.token;
    out.method = winner.method;
    out.account = winner.account;
    if (!winner.problem.empty()) out.warnings.push_back(winner.problem);
    std::string quota = ctx.Env("GOOGLE_CLOUD_QUOTA_PROJECT");
    out.quota_project = !quota.empty() ? quota : winner.quota_project;
    evidence->push_back("Google token: from " + out.method +
                        (out.account.empty() ? "" : " (" + out.account + ")") +
                        (out.quota_project.empty() ? "" : ", quota project " + out.quota_project));
    // Until a minute before it expires; a token of unknown life: 5 minutes.
    std::int64_t life =
        winner.expires_in > 0 ? std::max<std::int64_t>(winner.expires_in - 60, 0) : 300;
    cached_until_ = now + seconds(life);
  } else {
    if (winner.present) {
      out.problem = winner.problem;
    } else {
      std::string why;
      for (const auto& w : absent) why += (why.empty() ? "" : "; ") + w;
      out.problem = "no Google credentials found (" + why + ")";
    }
    cached_until_ = now + seconds(5);
  }
  cached_ = out;
  return out;
}

}  // namespace infinity_sync
