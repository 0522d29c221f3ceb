#include <regex>

#include <fmt/format.h>

#include "checks/auth_check.h"
#include "cloud/github_ci.h"
#include "core/version.h"

namespace infinity_sync {
namespace {

constexpr const char* kDefaultGitHubApi = "https://api.github.com";

// "Logged in to github.com account octocat (keyring)" (gh >= 2.40) or
// "Logged in to github.com as octocat (oauth_token)" (older).
std::string GhAccount(const std::string& text) {
  static const std::regex re(R"(Logged in to \S+ (?:account|as) ([A-Za-z0-9-]+))");
  std::smatch m;
  if (std::regex_search(text, m, re)) return m[1];
  return "";
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

bool IsTenancy(const std::string& host) { return EndsWith(host, ".ghe.com"); }

bool IsEnterprise(const std::string& host) {
  return host != "github.com" && host != "github.localhost" && !IsTenancy(host);
}

// "https://api.github.com/" -> "api.github.com"; "http://h:8080/api/v3" -> "h:8080".
std::string HostOf(const std::string& url) {
  auto start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  auto end = url.find('/', start);
  std::string host = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (auto at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);
  return Lower(host);
}

// The REST root gh uses for a host (go-gh's RESTPrefix).
std::string ApiRootFor(const std::string& host) {
  if (host == "github.com") return kDefaultGitHubApi;
  if (host == "github.localhost") return "http://api.github.localhost";
  if (IsTenancy(host)) return "https://api." + host;
  return "https://" + host + "/api/v3";
}

// gh without prompts, colour or update notices; the scope bounds it and
// records its line (argv and exit status only: stdout may be a token).
ProcessRequest GhRequest(const CheckContext& ctx, std::vector<std::string> argv) {
  ProcessRequest req;
  req.argv = std::move(argv);
  req.env = {{"GH_PROMPT_DISABLED", "1"}, {"GH_NO_UPDATE_NOTIFIER", "1"}, {"NO_COLOR", "1"}};
  req.timeout = ctx.Remaining();
  return req;
}

// gh too old to know `auth token` (before 2.17) says so on stderr.
bool UnknownCommand(const ProcessResult& res) {
  return res.err.find("unknown command \"token\"") != std::string::npos ||
         res.err.find("unknown command 'token'") != std::string::npos;
}

// Old gh: `gh auth status --hostname H`, decided by its exit code (reliable
// before 2.40, which is every gh that lacks `auth token`).
AuthSide FromGhStatus(const CheckContext& ctx, const GitHubHost& target) {
  AuthSide side;
  side.method = "gh";
  ProcessResult res = ctx.Run(GhRequest(ctx, {"gh", "auth", "status", "--hostname", target.host}));
  if (res.Succeeded()) {
    side.authenticated = true;
    side.account = GhAccount(res.err + res.out);
    side.note =
        "this gh predates `gh auth token`: its login was not verified against " + target.api_url;
  } else {
    side.problem = res.timed_out ? "gh auth status timed out"
                                 : "gh is not logged in to " + target.host +
                                       " (run: gh auth login --hostname " + target.host + ")";
  }
  return side;
}

// GET {api_url}/user with the token; `source` names where the token came from.
// The /user call records its own evidence line through the context.
AuthSide VerifyToken(const CheckContext& ctx, const GitHubHost& target, const std::string& token,
                     const std::string& source) {
  AuthSide side;
  side.method = source;
  HttpRequest req;
  req.url = target.api_url + "/user";
  HttpResponse res = GitHubGet(ctx, req.url, token, ctx.config.tls.ca_file);
  if (!res.answered) {
    side.problem = "cannot reach " + RedactUrl(req.url) + ": " + res.error;
    return side;
  }
  nlohmann::json body = nlohmann::json::parse(res.body, nullptr, false);
  std::string message;
  if (body.is_object() && body.contains("message") && body["message"].is_string()) {
    message = body["message"].get<std::string>();
  }
  std::string whose = source == "gh" ? "gh's token for " + target.host : "the token in " + source;
  if (res.status == 200 && body.is_object() && body.contains("login") &&
      body["login"].is_string()) {
    side.authenticated = true;
    side.account = body["login"].get<std::string>();
  } else if (res.status == 403 &&
             message.find("Resource not accessible by integration") != std::string::npos) {
    // An installation token (GitHub Actions' GITHUB_TOKEN) has no user: GitHub
    // refuses /user to it, which proves the token is good.
    side.authenticated = true;
    side.method = "GitHub App installation token";
    side.note = "the token in " + source + " is a GitHub App installation token (no user account)";
    if (source == "gh") side.note = "gh's token for " + target.host + " is an installation token";
  } else if (res.status == 401) {
    side.problem = "GitHub rejected " + whose + (message.empty() ? "" : ": " + message) +
                   " (HTTP 401)" +
                   (source == "gh" ? " (run: gh auth login --hostname " + target.host + ")" : "");
  } else if (res.status == 200) {
    side.problem = "GitHub answered /user without a login";
  } else {
    side.problem =
        fmt::format("GitHub answered HTTP {}{}", res.status, message.empty() ? "" : ": " + message);
  }
  return side;
}

}  // namespace

GitHubHost ResolveGitHubHost(const std::string& api_url, const std::string& gh_host) {
  GitHubHost out;
  std::string url = api_url.empty() ? kDefaultGitHubApi : api_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  std::string wanted = Lower(gh_host);
  while (!wanted.empty() && wanted.back() == '/') wanted.pop_back();
  if (auto scheme = wanted.find("://"); scheme != std::string::npos) wanted = HostOf(wanted);
  if (url == kDefaultGitHubApi && !wanted.empty() && wanted != "github.com") {
    out.host = wanted;
    out.api_url = ApiRootFor(wanted);
  } else {
    std::string host = HostOf(url);
    if (host == "api.github.com") {
      host = "github.com";
    } else if (host.rfind("api.", 0) == 0 && IsTenancy(host)) {
      host = host.substr(4);
    } else if (host == "api.github.localhost") {
      host = "github.localhost";
    }
    out.host = host;
    out.api_url = url;
  }
  out.enterprise = IsEnterprise(out.host);
  return out;
}

std::vector<std::string> GitHubTokenVariables(const GitHubHost& host) {
  if (host.enterprise) return {"GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN"};
  return {"GH_TOKEN", "GITHUB_TOKEN"};
}

AuthSide CheckGitHubAuth(const CheckContext& ctx) {
  GitHubHost target = ResolveGitHubHost(ctx.config.github.api_url, ctx.Env("GH_HOST"));
  std::vector<std::string> vars = GitHubTokenVariables(target);
  // An environment token wins over gh's stored one, as in gh.
  for (const auto& var : vars) {
    std::string token = ctx.Env(var);
    if (!token.empty()) {
      ctx.Note("GitHub token for " + target.host + ": from " + var);
      return VerifyToken(ctx, target, token, var);
    }
  }
  std::string var_list = vars[0] + " nor " + vars[1];
  if (!ctx.Installed("gh")) {
    AuthSide side;
    side.problem =
        "gh is not installed and neither " + var_list + " is set" +
        (target.enterprise ? " (" + target.host + " is a GitHub Enterprise Server host)" : "");
    return side;
  }
  // stdout is the token: the scope's line holds only the argv and the exit status.
  ProcessResult res = ctx.Run(GhRequest(ctx, {"gh", "auth", "token", "--hostname", target.host}));
  if (!res.Succeeded() && UnknownCommand(res)) return FromGhStatus(ctx, target);
  std::string token = res.out;
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  if (!res.Succeeded() || token.empty()) {
    AuthSide side;
    side.method = "gh";
    side.problem = res.timed_out
                       ? "gh auth token timed out"
                       : "gh has no token for " + target.host + " and neither " + var_list +
                             " is set (run: gh auth login --hostname " + target.host + ")";
    return side;
  }
  return VerifyToken(ctx, target, token, "gh");
}

}  // namespace infinity_sync
