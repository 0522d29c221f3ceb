#pragma once

#include <string>

#include "checks/check.h"

namespace infinity_sync {

// One side of the auth check: did it find working credentials, whose, how.
struct AuthSide {
  bool authenticated = false;
  std::string account;  // login or email, when known
  std::string method;   // "gh", "GH_TOKEN", "gcloud", ...
  std::string problem;  // why not, one line
};

// GitHub: `gh auth status` where gh is installed, else GH_TOKEN/GITHUB_TOKEN
// verified with GET {github.api_url}/user.
AuthSide CheckGitHubAuth(const CheckContext& ctx, std::vector<std::string>* evidence);

// Google: see auth_google.cpp for the sources tried.
AuthSide CheckGoogleAuth(const CheckContext& ctx, std::vector<std::string>* evidence);

// Success when both sides are authenticated, Partial when one is, Failed when
// neither; Details keep the seed's {"GitHubCLI", "GCloudCLI"} object (pure).
CheckResult CombineAuth(const AuthSide& github, const AuthSide& google);

// SPEC section 3.1.
CheckResult RunAuthCheck(const CheckContext& ctx);

}  // namespace infinity_sync
