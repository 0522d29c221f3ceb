#include "cloud/google_credentials.h"

#include <curl/curl.h>

#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cloud/google_jwt.h"
#include "core/version.h"

namespace infinity_sync {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// One source's attempt.
struct Attempt {
  bool present = false;  // the source exists (set, installed, reachable)
  bool ok = false;
  std::string token;
  std::int64_t expires_in = 0;
  std::string method;
  std::string account;
  std::string problem;
};

std::string FormEscape(const std::string& value) {
  char* escaped = curl_easy_escape(nullptr, value.c_str(), static_cast<int>(value.size()));
  std::string out = escaped != nullptr ? escaped : "";
  curl_free(escaped);
  return out;
}

milliseconds Cap(const CheckContext& ctx, milliseconds cap) {
  milliseconds left = ctx.Remaining();
  if (left.count() <= 0) left = milliseconds(1);
  return std::min(left, cap);
}

std::string Outcome(const HttpResponse& res) {
  return res.answered ? "HTTP " + std::to_string(res.status) : res.error;
}

// POSTs a form to a token endpoint and reads the answer.
Result<TokenAnswer> PostTokenForm(const CheckContext& ctx, const std::string& url,
                                  const std::string& form, std::vector<std::string>* evidence) {
  HttpRequest req;
  req.method = "POST";
  req.url = url;
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                 {"Accept", "application/json"},
                 {"User-Agent", std::string("infinity-sync/") + kVersion}};
  req.body = form;
  req.timeout = Cap(ctx, milliseconds(15'000));
  req.ca_file = ctx.config.tls.ca_file;
  HttpResponse res = ctx.ports.http.Send(req);
  evidence->push_back(
      fmt::format("POST {} -> {} ({:.0f} ms)", RedactUrl(url), Outcome(res), res.timings.total_ms));
  if (!res.answered) return Error{"cannot reach " + RedactUrl(url) + ": " + res.error};
  return ParseTokenResponse(res.status, res.body);
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
  std::string text;
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
  Result<TokenAnswer> answer = Error{""};
  if (file->type == "service_account") {
    a.method = "service account file";
    a.account = file->client_email;
    auto now = std::chrono::duration_cast<seconds>(ctx.ports.clock.Now().time_since_epoch());
    JwtClaims claims{file->client_email, kCloudPlatformScope, file->token_uri, now.count(),
                     now.count() + 3600};
    auto jwt = MakeSignedJwt(file->private_key, file->private_key_id, claims);
    if (!jwt) {
      a.problem = where->path + ": field \"private_key\": " + jwt.error();
      return a;
    }
    answer =
        PostTokenForm(ctx, file->token_uri,
                      "grant_type=" + FormEscape("urn:ietf:params:oauth:grant-type:jwt-bearer") +
                          "&assertion=" + FormEscape(*jwt),
                      evidence);
  } else {
    a.method = "authorized user file (refresh token)";
    answer = PostTokenForm(ctx, file->token_uri,
                           "grant_type=refresh_token&client_id=" + FormEscape(file->client_id) +
                               "&client_secret=" + FormEscape(file->client_secret) +
                               "&refresh_token=" + FormEscape(file->refresh_token),
                           evidence);
  }
  if (!answer) {
    a.problem = fmt::format("{} ({}): token endpoint {}: {}", a.method, where->path,
                            RedactUrl(file->token_uri), answer.error());
    return a;
  }
  a.ok = true;
  a.token = answer->access_token;
  a.expires_in = answer->expires_in;
  return a;
}

Attempt FromGcloud(const CheckContext& ctx, std::vector<std::string>* evidence) {
  Attempt a;
  a.method = "gcloud";
  if (!ctx.ports.process.Exists("gcloud")) {
    a.problem = "gcloud is not installed";
    return a;
  }
  auto run = [&](std::vector<std::string> argv) {
    ProcessRequest req;
    req.argv = std::move(argv);
    req.env = {{"CLOUDSDK_CORE_DISABLE_PROMPTS", "1"}};
    req.timeout = Cap(ctx, milliseconds(20'000));
    ProcessResult res = ctx.ports.process.Run(req);
    std::string line;
    for (const auto& s : req.argv) line += (line.empty() ? "" : " ") + s;
    // print-access-token's stdout is the token: only the exit status is logged.
    evidence->push_back(fmt::format("{} -> {} ({} ms)", line,
                                    res.Succeeded() ? "exit 0" : res.Describe(req.argv),
                                    res.duration.count()));
    return res;
  };
  ProcessResult list = run({"gcloud", "auth", "list", "--format=json"});
  if (!list.Succeeded()) {
    a.problem = list.Describe({"gcloud", "auth", "list"});
    return a;
  }
  nlohmann::json accounts = nlohmann::json::parse(list.out, nullptr, false);
  if (!accounts.is_array()) {
    a.problem = "gcloud auth list printed something that is not a JSON list";
    return a;
  }
  for (const auto& entry : accounts) {
    if (entry.is_object() && entry.value("status", "") == "ACTIVE") {
      a.account = entry.value("account", "");
    }
  }
  if (a.account.empty()) {
    a.problem = accounts.empty()
                    ? "gcloud has no account (run: gcloud auth login)"
                    : "gcloud has no active account (run: gcloud config set account ...)";
    return a;
  }
  a.present = true;
  ProcessResult token = run({"gcloud", "auth", "print-access-token"});
  std::string text = token.out;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (!token.Succeeded() || text.empty()) {
    a.problem = "gcloud auth print-access-token failed for " + a.account + ": " +
                (token.Succeeded() ? "empty output" : TailLines(token.err, 2));
    return a;
  }
  a.ok = true;
  a.token = text;
  a.expires_in = 300;  // gcloud does not say; it hands out tokens with minutes left
  return a;
}

// GET on the metadata server, with the header it insists on.
HttpResponse MetadataGet(const CheckContext& ctx, const std::string& path,
                         std::vector<std::string>* evidence) {
  HttpRequest req;
  req.url = "http://" + MetadataHost(ctx) + "/computeMetadata/v1/" + path;
  req.headers = {{"Metadata-Flavor", "Google"}};
  req.timeout = Cap(ctx, milliseconds(3'000));
  HttpResponse res = ctx.ports.http.Send(req);
  evidence->push_back(fmt::format("GET {} -> {} ({:.0f} ms)", RedactUrl(req.url), Outcome(res),
                                  res.timings.total_ms));
  return res;
}

Attempt FromMetadata(const CheckContext& ctx, std::vector<std::string>* evidence) {
  Attempt a;
  a.method = "metadata server";
  HttpResponse res = MetadataGet(ctx, "instance/service-accounts/default/token", evidence);
  if (!res.answered) {
    a.problem = "no metadata server at " + MetadataHost(ctx) + " (" + res.error + ")";
    return a;
  }
  a.present = true;
  if (res.status != 200) {
    a.problem = fmt::format("the metadata server at {} answered HTTP {} for a token",
                            MetadataHost(ctx), res.status);
    return a;
  }
  auto answer = ParseTokenResponse(res.status, res.body);
  if (!answer) {
    a.problem = "the metadata server's token answer: " + answer.error();
    return a;
  }
  a.ok = true;
  a.token = answer->access_token;
  a.expires_in = answer->expires_in;
  HttpResponse email = MetadataGet(ctx, "instance/service-accounts/default/email", evidence);
  if (email.answered && email.status == 200) a.account = email.body;
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
  GoogleCredentialsFile f;
  f.path = path;
  if (auto e = field("type", true, &f.type)) return *e;
  if (auto e = field("token_uri", false, &f.token_uri)) return *e;
  if (f.token_uri.empty()) f.token_uri = kDefaultGoogleTokenUri;
  if (f.type == "service_account") {
    for (auto [name, out] :
         {std::pair{"client_email", &f.client_email}, std::pair{"private_key", &f.private_key}}) {
      if (auto e = field(name, true, out)) return *e;
    }
    if (auto e = field("private_key_id", false, &f.private_key_id)) return *e;
    if (auto e = field("project_id", false, &f.project_id)) return *e;
  } else if (f.type == "authorized_user") {
    for (auto [name, out] :
         {std::pair{"client_id", &f.client_id}, std::pair{"client_secret", &f.client_secret},
          std::pair{"refresh_token", &f.refresh_token}}) {
      if (auto e = field(name, true, out)) return *e;
    }
    if (auto e = field("quota_project_id", false, &f.project_id)) return *e;
  } else {
    return Error{path + ": field \"type\" is \"" + f.type +
                 "\"; supported: service_account, authorized_user"};
  }
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
  auto consider = [&](const Attempt& a) {
    if (a.ok) {
      out.ok = true;
      out.configured = true;
      out.access_token = a.token;
      out.method = a.method;
      out.account = a.account;
      return true;
    }
    if (a.present) {
      out.configured = true;
      out.warnings.push_back(a.problem);
    } else {
      absent.push_back(a.problem);
    }
    return false;
  };
  std::int64_t expires_in = 0;
  for (int step = 0; step < 4 && !out.ok; ++step) {
    Attempt a = step == 0   ? FromEnvToken(ctx)
                : step == 1 ? FromAdcFile(ctx, evidence)
                : step == 2 ? FromGcloud(ctx, evidence)
                            : FromMetadata(ctx, evidence);
    if (consider(a)) expires_in = a.expires_in;
  }
  if (out.ok) {
    evidence->push_back("Google token: from " + out.method +
                        (out.account.empty() ? "" : " (" + out.account + ")"));
    // Until a minute before it expires; a token of unknown life: 5 minutes.
    std::int64_t life = expires_in > 0 ? std::max<std::int64_t>(expires_in - 60, 0) : 300;
    cached_until_ = now + seconds(life);
  } else {
    std::string why;
    for (const auto& w : out.configured ? out.warnings : absent) {
      why += (why.empty() ? "" : "; ") + w;
    }
    out.problem = out.configured ? why : "no Google credentials found (" + why + ")";
    out.warnings.clear();
    cached_until_ = now + seconds(5);
  }
  cached_ = out;
  return out;
}

}  // namespace infinity_sync
