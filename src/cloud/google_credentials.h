#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "checks/check.h"
#include "core/result.h"

namespace infinity_sync {

inline constexpr const char* kCloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";
inline constexpr const char* kDefaultGoogleTokenUri = "https://oauth2.googleapis.com/token";

// An Application Default Credentials file, as read (secrets included: never log it).
struct GoogleCredentialsFile {
  std::string path;
  std::string type;        // "service_account" | "authorized_user"
  std::string project_id;  // service_account: project_id; authorized_user: quota_project_id
  std::string token_uri;   // the file's, else kDefaultGoogleTokenUri
  // service_account
  std::string client_email;
  std::string private_key_id;
  std::string private_key;
  // authorized_user
  std::string client_id;
  std::string client_secret;
  std::string refresh_token;
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

// What the credential sources yielded.
struct GoogleAuthOutcome {
  bool ok = false;
  std::string access_token;  // secret: never log, print or store it
  std::string method;        // "GOOGLE_OAUTH_ACCESS_TOKEN", "service account file", ...
  std::string account;       // email when known
  // Some source exists (a token, a file, a gcloud account, a metadata server),
  // whether or not it worked. false + !ok: nothing is set up at all.
  bool configured = false;
  std::string problem;                // why no token, one line (when !ok)
  std::vector<std::string> warnings;  // sources that exist but failed before the winner
};

// Google credentials, tried in order, first that works wins:
//   1. GOOGLE_OAUTH_ACCESS_TOKEN;
//   2. the ADC file (service_account: RS256 JWT exchanged at token_uri;
//      authorized_user: refresh-token grant);
//   3. `gcloud auth print-access-token` (account from `gcloud auth list`);
//   4. the metadata server.
// A working answer is cached in memory until a minute before it expires, a
// failure for a few seconds, so the checks of one run ask once. Thread-safe:
// concurrent callers wait for one fetch.
class GoogleTokenSource {
 public:
  // A token, or why there is none. `evidence` gets one line per step (URLs
  // redacted, no token).
  GoogleAuthOutcome Get(const CheckContext& ctx, std::vector<std::string>* evidence);

 private:
  std::mutex mu_;
  std::optional<GoogleAuthOutcome> cached_;
  std::chrono::steady_clock::time_point cached_until_{};
};

// The run's shared source (ctx.google_tokens) or, when there is none, `local`.
inline GoogleTokenSource& TokenSourceFor(const CheckContext& ctx, GoogleTokenSource& local) {
  return ctx.google_tokens != nullptr ? *ctx.google_tokens : local;
}

}  // namespace infinity_sync
