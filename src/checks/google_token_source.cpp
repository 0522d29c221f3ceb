#include "checks/google_credentials.h"

#include <cctype>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "checks/gcloud_files.h"
#include "checks/google_token_exchange.h"

namespace infinity_sync {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TokenAttempt FromEnvToken(const CheckContext& ctx) {
  TokenAttempt a;
  a.method = "GOOGLE_OAUTH_ACCESS_TOKEN";
  a.token = ctx.Env("GOOGLE_OAUTH_ACCESS_TOKEN");
  a.present = a.ok = !a.token.empty();
  if (!a.ok) a.problem = "GOOGLE_OAUTH_ACCESS_TOKEN is not set";
  return a;
}

TokenAttempt FromAdcFile(const CheckContext& ctx) {
  TokenAttempt a;
  a.method = "application default credentials";
  auto where = LocateAdcFile(ctx);
  if (!where) {
    a.problem = "no GOOGLE_APPLICATION_CREDENTIALS and no gcloud ADC file";
    return a;
  }
  a.present = true;
  auto read = ctx.ReadFile(where->path, kCredentialsFileLimit);
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
  return TokenForCredential(ctx, *file);
}

// `gcloud auth print-access-token`: only when gcloud's own files exist but
// cannot be read (another layout, a lock held too long).
TokenAttempt FromGcloudProgram(const CheckContext& ctx, const std::string& account,
                               const std::string& why) {
  TokenAttempt a;
  a.present = true;
  a.method = "gcloud";
  a.account = account;
  if (!ctx.Installed("gcloud")) {
    a.problem = why + " (and gcloud is not installed to ask instead)";
    return a;
  }
  ctx.Note("gcloud's files cannot be read (" + why + "): asking gcloud");
  ProcessRequest req;
  req.argv = {"gcloud", "auth", "print-access-token"};
  req.env = {{"CLOUDSDK_CORE_DISABLE_PROMPTS", "1"}};
  req.timeout = milliseconds(20'000);
  // print-access-token's stdout is the token: the scope's line holds only the
  // argv and the exit status.
  ProcessResult res = ctx.Run(req);
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
TokenAttempt FromGcloudFiles(const CheckContext& ctx) {
  TokenAttempt a;
  a.method = "gcloud";
  GcloudConfig cfg = ReadGcloudConfig(ctx);
  if (cfg.dir.empty()) {
    a.problem = "no gcloud configuration (neither CLOUDSDK_CONFIG nor HOME is set)";
    return a;
  }
  if (!cfg.file_error.empty()) return FromGcloudProgram(ctx, "", cfg.file_error);
  a.account = cfg.Property(ctx, "core", "account");
  if (a.account.empty()) {
    a.problem = "gcloud has no active account (" +
                (cfg.file_exists ? "no [core] account in " + cfg.file : "no " + cfg.file) + ")";
    return a;
  }
  std::string quota = cfg.Property(ctx, "billing", "quota_project");
  if (quota == "CURRENT_PROJECT") quota = cfg.Property(ctx, "core", "project");
  auto stored = ReadGcloudAccount(cfg.dir, a.account);
  if (!stored) return FromGcloudProgram(ctx, a.account, stored.error());
  if (!*stored) {
    // On Compute Engine gcloud's account is the VM's service account, served by
    // the metadata server: no stored credentials, the next source answers.
    a.problem = "gcloud's account " + a.account + " has no stored credentials in " + cfg.dir +
                "/credentials.db (run: gcloud auth login)";
    ctx.Note("gcloud account " + a.account + ": no stored credentials");
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
    ctx.Note(fmt::format("gcloud account {}: cached token from access_tokens.db ({} s left)",
                         a.account, a.expires_in));
    return a;
  }
  ctx.Note("gcloud account " + a.account +
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
  TokenAttempt refreshed = TokenForCredential(ctx, *file);
  refreshed.method = "gcloud";
  refreshed.account = a.account;
  if (refreshed.quota_project.empty()) refreshed.quota_project = quota;
  return refreshed;
}

TokenAttempt FromMetadata(const CheckContext& ctx, GoogleTokenSource& source) {
  TokenAttempt a;
  a.method = "metadata server";
  std::string why;
  if (!source.MetadataServerPresent(ctx, &why)) {
    a.problem =
        "no metadata server at " + MetadataPingHost(ctx) + (why.empty() ? "" : " (" + why + ")");
    return a;
  }
  a.present = true;
  auto token = MetadataGet(ctx, "instance/service-accounts/default/token");
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
  if (auto email = MetadataGet(ctx, "instance/service-accounts/default/email")) {
    a.account = *email;
  }
  while (!a.account.empty() && std::isspace(static_cast<unsigned char>(a.account.back()))) {
    a.account.pop_back();
  }
  return a;
}

}  // namespace

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

HttpRequest MetadataRequest(const std::string& url, milliseconds timeout) {
  HttpRequest req;
  req.url = url;
  req.headers = {{"Metadata-Flavor", "Google"}};
  req.timeout = timeout;
  req.no_proxy = true;  // the metadata server is link-local: a proxy cannot reach it
  return req;
}

bool FromGoogle(const HttpResponse& res) { return res.Header("Metadata-Flavor") == "Google"; }

}  // namespace

Result<std::string> MetadataGet(const CheckContext& ctx, const std::string& path) {
  HttpRequest req = MetadataRequest("http://" + MetadataHost(ctx) + "/computeMetadata/v1/" + path,
                                    milliseconds(3'000));
  HttpResponse res = ctx.Send(req);
  if (!res.answered) return Error{"cannot reach " + MetadataHost(ctx) + ": " + res.error};
  if (!FromGoogle(res)) {
    return Error{fmt::format("{} answered HTTP {} without Metadata-Flavor: Google",
                             MetadataHost(ctx), res.status)};
  }
  if (res.status != 200)
    return Error{fmt::format("{} answered HTTP {}", MetadataHost(ctx), res.status)};
  return res.body;
}

bool GoogleTokenSource::MetadataServerPresent(const CheckContext& ctx, std::string* why) {
  std::lock_guard<std::mutex> lock(ping_mu_);
  auto now = ctx.ports.clock.SteadyNow();
  if (!ping_ || now >= ping_until_) {
    std::string host = MetadataPingHost(ctx);
    bool present = false;
    std::string seen;
    for (int attempt = 1; attempt <= 3; ++attempt) {
      HttpRequest req = MetadataRequest("http://" + host + "/", milliseconds(1'000));
      HttpResponse res = ctx.Send(req);
      // An answer settles it: a 200 without the header is a captive portal or
      // a proxy's page, not a metadata server. Timeouts are tried again.
      if (res.answered) {
        present = FromGoogle(res);
        seen = fmt::format("HTTP {} without Metadata-Flavor: Google", res.status);
        break;
      }
      seen = res.error;
      if (!res.timed_out || ctx.Stopped() || ctx.Remaining() < milliseconds(100)) break;
    }
    ctx.Note(present ? "metadata ping " + host + ": a metadata server answers"
                     : "metadata ping " + host + ": no metadata server (" + seen + ")");
    ping_ = present;
    ping_why_ = present ? "" : seen;
    ping_until_ = now + seconds(60);
  }
  if (why != nullptr) *why = ping_why_;
  return *ping_;
}

GoogleAuthOutcome GoogleTokenSource::Get(const CheckContext& ctx) {
  std::lock_guard<std::mutex> lock(mu_);
  auto now = ctx.ports.clock.SteadyNow();
  if (cached_ && now < cached_until_) {
    ctx.Note(cached_->ok ? "Google token: reused (" + cached_->method + ")"
                         : "Google credentials: reused the failure of a moment ago");
    return *cached_;
  }
  GoogleAuthOutcome out;
  std::vector<std::string> absent;
  TokenAttempt winner;
  // The first source that exists decides; absent ones only explain "none found".
  for (int step = 0; step < 4; ++step) {
    TokenAttempt a = step == 0   ? FromEnvToken(ctx)
                     : step == 1 ? FromAdcFile(ctx)
                     : step == 2 ? FromGcloudFiles(ctx)
                                 : FromMetadata(ctx, *this);
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
    ctx.Note("Google token: from " + out.method +
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
