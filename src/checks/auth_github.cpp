#include <regex>

#include <fmt/format.h>

#include "checks/auth_check.h"
#include "core/version.h"

namespace infinity_sync {
namespace {

// "Logged in to github.com account octocat (keyring)" (gh >= 2.40) or
// "Logged in to github.com as octocat (oauth_token)" (older).
std::string GhAccount(const std::string& text) {
  static const std::regex re(R"(Logged in to \S+ (?:account|as) ([A-Za-z0-9-]+))");
  std::smatch m;
  if (std::regex_search(text, m, re)) return m[1];
  return "";
}

bool IsGitHubDotCom(const std::string& api_url) {
  return api_url.find("://api.github.com") != std::string::npos;
}

}  // namespace

AuthSide CheckGitHubAuth(const CheckContext& ctx, std::vector<std::string>* evidence) {
  AuthSide side;
  if (ctx.ports.process.Exists("gh")) {
    ProcessRequest req;
    req.argv = {"gh", "auth", "status"};
    req.env = {{"GH_PROMPT_DISABLED", "1"}, {"GH_NO_UPDATE_NOTIFIER", "1"}, {"NO_COLOR", "1"}};
    req.timeout = ctx.Remaining();
    ProcessResult res = ctx.ports.process.Run(req);
    evidence->push_back(fmt::format("gh auth status -> {} ({} ms)",
                                    res.Succeeded() ? "exit 0" : res.Describe(req.argv),
                                    res.duration.count()));
    side.method = "gh";
    // gh's wording changes between versions: the exit code decides.
    if (res.Succeeded()) {
      side.authenticated = true;
      side.account = GhAccount(res.err + res.out);
    } else {
      side.problem =
          res.timed_out ? "gh auth status timed out" : "gh is not logged in (run: gh auth login)";
    }
    return side;
  }

  std::string token_var;
  std::string token;
  std::vector<const char*> vars = {"GH_TOKEN", "GITHUB_TOKEN"};
  if (!IsGitHubDotCom(ctx.config.github.api_url)) vars.insert(vars.begin(), "GH_ENTERPRISE_TOKEN");
  for (const char* var : vars) {
    token = ctx.Env(var);
    if (!token.empty()) {
      token_var = var;
      break;
    }
  }
  if (token.empty()) {
    side.problem = "gh is not installed and neither GH_TOKEN nor GITHUB_TOKEN is set";
    return side;
  }
  side.method = token_var;
  HttpRequest req;
  req.url = ctx.config.github.api_url + "/user";
  req.headers = {{"Authorization", "Bearer " + token},
                 {"Accept", "application/vnd.github+json"},
                 {"X-GitHub-Api-Version", "2022-11-28"},
                 {"User-Agent", std::string("infinity-sync/") + kVersion}};
  req.timeout = ctx.Remaining();
  req.ca_file = ctx.config.tls.ca_file;
  HttpResponse res = ctx.ports.http.Send(req);
  evidence->push_back(fmt::format("GET {} -> {} ({:.0f} ms)", RedactUrl(req.url),
                                  res.answered ? "HTTP " + std::to_string(res.status) : res.error,
                                  res.timings.total_ms));
  if (!res.answered) {
    side.problem = "cannot reach " + RedactUrl(req.url) + ": " + res.error;
    return side;
  }
  nlohmann::json body = nlohmann::json::parse(res.body, nullptr, false);
  std::string message;
  if (body.is_object() && body.contains("message") && body["message"].is_string()) {
    message = body["message"].get<std::string>();
  }
  if (res.status == 200 && body.is_object() && body.contains("login") &&
      body["login"].is_string()) {
    side.authenticated = true;
    side.account = body["login"].get<std::string>();
  } else if (res.status == 401) {
    side.problem = "GitHub rejected the token in " + token_var +
                   (message.empty() ? "" : ": " + message) + " (HTTP 401)";
  } else if (res.status == 200) {
    side.problem = "GitHub answered /user without a login";
  } else {
    side.problem =
        fmt::format("GitHub answered HTTP {}{}", res.status, message.empty() ? "" : ": " + message);
  }
  return side;
}

}  // namespace infinity_sync
