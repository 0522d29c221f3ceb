#pragma once

#include <cstdint>
#include <string>

#include "checks/check.h"
#include "checks/google_credentials.h"

namespace infinity_sync {

// What one credential source of the chain (google_token_source.cpp) yielded.
// Holds a token: never log it.
struct TokenAttempt {
  bool present = false;  // the source exists (set, installed, reachable)
  bool ok = false;
  std::string token;
  std::int64_t expires_in = 0;
  std::string method;
  std::string account;
  std::string quota_project;
  std::string problem;
};

// A token for a parsed credential, whatever its type: service_account (a
// signed JWT), authorized_user and external_account_authorized_user (a refresh
// grant), external_account (the subject token, STS, then impersonation when
// the file asks for it), impersonated_service_account (its source's token,
// then IAM Credentials). Every exchange goes through `ctx`.
TokenAttempt TokenForCredential(const CheckContext& ctx, const GoogleCredentialsFile& file);

// Sends `req` to a token endpoint (OAuth, STS, IAM Credentials) through `ctx`:
// up to 3 tries when the answer is 408, 429, 500, 503 or 504, with a growing
// pause (CallScope::Pause: it ends when the check is stopped), as long as the
// deadline leaves room for one more exchange.
HttpResponse SendToTokenEndpoint(const CheckContext& ctx, HttpRequest req);

}  // namespace infinity_sync
