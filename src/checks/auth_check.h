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
  std::string note;     // something worth knowing even when it worked, one line
  // The side's own CLI is logged in: for Google, gcloud's active account has
  // stored credentials (the seed's GCloudCLI), whichever source gave the token.
  bool cli = false;
  bool checked = true;  // false: turned off (auth.github / auth.google: false)
};

// The GitHub host whose credentials count, and its REST API root.
struct GitHubHost {
  std::string host;     // "github.com", "acme.ghe.com", "ghe.example.com:8443"
  std::string api_url;  // without a trailing slash
  bool enterprise =
      false;  // GitHub Enterprise Server (not github.com, *.ghe.com, github.localhost)
};

// The host of `api_url` (api.github.com means github.com, api.X.ghe.com means
// X.ghe.com); when `api_url` is the default and GH_HOST (`gh_host`) names
// another host, that host and its API root, as gh resolves them (pure).
GitHubHost ResolveGitHubHost(const std::string& api_url, const std::string& gh_host);

// The environment variables holding a token for `host`, in gh's order:
// GH_TOKEN, GITHUB_TOKEN; for an Enterprise Server host GH_ENTERPRISE_TOKEN,
// GITHUB_ENTERPRISE_TOKEN (pure).
std::vector<std::string> GitHubTokenVariables(const GitHubHost& host);

// GitHub, as gh resolves a token for the host: an environment token first,
// else gh's stored one (`gh auth token --hostname H`; `gh auth status
// --hostname H` for a gh that predates `auth token`); the token verified with
// GET {api_url}/user. Every call leaves its line in `ctx`'s evidence.
AuthSide CheckGitHubAuth(const CheckContext& ctx);

// Google: see auth_google.cpp for the sources tried. `cli` says whether
// gcloud's active account has usable stored credentials (read from gcloud's
// files, not by starting gcloud).
AuthSide CheckGoogleAuth(const CheckContext& ctx);

// Success when every side checked is authenticated, Partial when one of two
// is, Failed when none; Details keep the seed's {"GitHubCLI", "GCloudCLI"}
// object, without the key of a side that is turned off (pure).
CheckResult CombineAuth(const AuthSide& github, const AuthSide& google);

// SPEC section 3.1.
CheckResult RunAuthCheck(const CheckContext& ctx);

}  // namespace infinity_sync
