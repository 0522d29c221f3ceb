#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "checks/check.h"
#include "core/result.h"

namespace infinity_sync {

inline constexpr const char* kCloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";
inline constexpr const char* kDefaultGoogleTokenUri = "https://oauth2.googleapis.com/token";

// A credentials file (Application Default Credentials, gcloud's stored
// credential, an impersonation's source), as read. Secrets included: never log it.
struct GoogleCredentialsFile {
  std::string path;  // where it came from, for messages
  // "service_account" | "authorized_user" | "external_account" |
  // "impersonated_service_account" | "external_account_authorized_user"
  std::string type;
  std::string project_id;        // service_account only: the project it belongs to
  std::string quota_project_id;  // billing project (x-goog-user-project), never the project
  std::string token_uri;         // the file's token_uri/token_url, else kDefaultGoogleTokenUri
  // service_account
  std::string client_email;
  std::string private_key_id;
  std::string private_key;
  // authorized_user, external_account_authorized_user (and external_account's client auth)
  std::string client_id;
  std::string client_secret;
  std::string refresh_token;
  // external_account, impersonated_service_account
  std::string audience;
  std::string subject_token_type;
  std::string impersonation_url;       // service_account_impersonation_url; may be empty
  std::string workforce_user_project;  // workforce_pool_user_project
  nlohmann::json credential_source;    // external_account: {file | url, headers, format}
  nlohmann::json source_credentials;   // impersonated_service_account
  std::vector<std::string> delegates;  // impersonated_service_account
};

// Parses a credentials file (pure). Errors name the file and the field:
// "/x/key.json: field \"private_key\" is missing".
Result<GoogleCredentialsFile> ParseCredentialsFile(const std::string& text,
                                                   const std::string& path);

// A token endpoint's answer.
struct TokenAnswer {
  std::string access_token;
  std::int64_t expires_in = 0;  // seconds; 0 when the answer did not say
};

// Parses an OAuth 2.0 token response (pure). A refusal gives "invalid_grant:
// <error_description>"; the error never contains a token.
Result<TokenAnswer> ParseTokenResponse(int http_status, const std::string& body);

// Where Application Default Credentials are looked for.
struct AdcLocation {
  std::string path;
  bool from_env = false;  // GOOGLE_APPLICATION_CREDENTIALS named it
};

// GOOGLE_APPLICATION_CREDENTIALS when set, else the gcloud ADC file
// ($CLOUDSDK_CONFIG, else $HOME/.config/gcloud, /application_default_credentials.json)
// when it exists; nullopt otherwise.
std::optional<AdcLocation> LocateAdcFile(const CheckContext& ctx);

// host[:port] of the metadata server: $GCE_METADATA_HOST, else $GCE_METADATA_ROOT,
// else metadata.google.internal.
std::string MetadataHost(const CheckContext& ctx);

// Where google-auth pings to detect a metadata server: $GCE_METADATA_HOST (or
// $GCE_METADATA_ROOT) when set, else $GCE_METADATA_IP, else 169.254.169.254.
std::string MetadataPingHost(const CheckContext& ctx);

// GET http://MetadataHost/computeMetadata/v1/<path> with "Metadata-Flavor: Google",
// never through a proxy. The answer counts only when it is a 200 carrying the
// response header "Metadata-Flavor: Google"; the body, or why not. The call
// goes through `ctx` (its evidence line carries the URL, never the body).
Result<std::string> MetadataGet(const CheckContext& ctx, const std::string& path);

// The email of a generateAccessToken URL (".../serviceAccounts/EMAIL:generateAccessToken"),
// or "" (pure).
std::string ImpersonatedEmail(const std::string& url);

// What the credential sources yielded.
struct GoogleAuthOutcome {
  bool ok = false;
  std::string access_token;  // secret: never log, print or store it
  std::string method;        // "GOOGLE_OAUTH_ACCESS_TOKEN", "service account file", ...
  std::string account;       // email when known
  // Some source exists (a token, a file, a gcloud account, a metadata server),
  // whether or not it worked. false + !ok: nothing is set up at all.
  bool configured = false;
  std::string quota_project;  // send as x-goog-user-project; empty: none
  std::string problem;        // why no token, one line (when !ok)
  // How the token was had when that needs saying (gcloud's files could not be
  // read and gcloud was asked instead).
  std::vector<std::string> warnings;
};

// Google credentials: the first source that exists is the one (as google-auth
// does it, a source that exists but fails is the error, not a reason to try
// another identity):
//   1. GOOGLE_OAUTH_ACCESS_TOKEN;
//   2. the ADC file (GOOGLE_APPLICATION_CREDENTIALS, else gcloud's
//      application_default_credentials.json): service_account (RS256 JWT),
//      authorized_user (refresh grant), external_account (subject token, STS,
//      impersonation), impersonated_service_account, external_account_authorized_user;
//   3. gcloud's active account, from its files (credentials.db, access_tokens.db:
//      the cached token while valid, else a refresh); `gcloud auth
//      print-access-token` only when those files exist but cannot be read;
//   4. the metadata server, when its ping answers with Metadata-Flavor: Google.
// Token endpoints are retried on 408, 429, 500, 503, 504 within the deadline;
// the back-off between tries ends at once when the check is stopped.
// A working answer is cached in memory until a minute before it expires, a
// failure for a few seconds, so the checks of one run ask once. Thread-safe:
// concurrent callers wait for one fetch.
class GoogleTokenSource {
 public:
  // A token, or why there is none. Every call goes through `ctx`, which gets
  // one evidence line per step (URLs redacted, never a token or a body).
  GoogleAuthOutcome Get(const CheckContext& ctx);

  // Is there a metadata server (google-auth's ping: GET http://MetadataPingHost/
  // answered with Metadata-Flavor: Google; direct, a short timeout, up to 3
  // tries)? Asked once and remembered for a minute, for the project and the token.
  // `why` (when given) gets what the ping saw when there is none ("HTTP 200
  // without Metadata-Flavor: Google", "Connection refused", ...).
  bool MetadataServerPresent(const CheckContext& ctx, std::string* why = nullptr);

 private:
  std::mutex ping_mu_;
  std::optional<bool> ping_;
  std::string ping_why_;
  std::chrono::steady_clock::time_point ping_until_{};
  std::mutex mu_;
  std::optional<GoogleAuthOutcome> cached_;
  std::chrono::steady_clock::time_point cached_until_{};
};

// The run's shared source (ctx.google_tokens) or, when there is none, `local`.
inline GoogleTokenSource& TokenSourceFor(const CheckContext& ctx, GoogleTokenSource& local) {
  return ctx.google_tokens != nullptr ? *ctx.google_tokens : local;
}

}  // namespace infinity_sync
