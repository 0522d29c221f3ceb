#include "checks/gcp_ci.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/version.h"

namespace infinity_sync {
namespace {

bool IsDotComLike(const std::string& host) {
  return host == "github.com" ||
         (host.size() > 8 && host.compare(host.size() - 8, 8, ".ghe.com") == 0);
}

std::string Message(const HttpResponse& res) {
  nlohmann::json j = nlohmann::json::parse(res.body, nullptr, false);
  if (j.is_object() && j.contains("message") && j["message"].is_string()) {
    return ": " + j["message"].get<std::string>();
  }
  return "";
}

// The token gh would use for `host`, and where it came from; empty when none.
std::pair<std::string, std::string> TokenFor(const CheckContext& ctx, const std::string& host) {
  std::vector<const char*> vars =
      IsDotComLike(host)
          ? std::vector<const char*>{"GH_TOKEN", "GITHUB_TOKEN"}
          : std::vector<const char*>{"GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN"};
  for (const char* var : vars) {
    std::string token = ctx.Env(var);
    if (!token.empty()) return {token, var};
  }
  if (!ctx.Installed("gh")) return {};
  ProcessRequest req;
  req.argv = {"gh", "auth", "token", "--hostname", host};
  req.env = {{"GH_PROMPT_DISABLED", "1"}, {"GH_NO_UPDATE_NOTIFIER", "1"}, {"NO_COLOR", "1"}};
  req.timeout = ctx.Remaining();
  // stdout is the token: the scope's line holds only the argv and the exit status.
  ProcessResult res = ctx.Run(req);
  std::string token = res.Succeeded() ? res.out : "";
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  if (token.empty()) return {};
  return {token, "gh"};
}

}  // namespace

CommitCi FetchCommitCi(const CheckContext& ctx, const std::string& remote_url,
                       const std::string& sha) {
  CommitCi ci;
  if (sha.empty()) {
    ci.detail = "no commit to ask about";
    return ci;
  }
  if (remote_url.empty()) {
    ci.detail = "the remote has no URL";
    return ci;
  }
  auto repo = ParseGitHubRemote(remote_url);
  if (!repo) {
    ci.detail = repo.error();
    return ci;
  }
  std::string host = GitHubWebHost(ctx.config.github.api_url);
  std::string remote_host = repo->host == "ssh.github.com" ? "github.com" : repo->host;
  if (remote_host != host) {
    ci.detail = "the remote is on " + repo->host + ", not on " + host + " (github.api_url)";
    return ci;
  }
  const std::string token = TokenFor(ctx, host).first;
  if (token.empty()) {
    ci.detail = "no GitHub token for " + host +
                (IsDotComLike(host) ? " (GH_TOKEN, GITHUB_TOKEN or gh auth login)"
                                    : " (GH_ENTERPRISE_TOKEN or gh auth login)");
    return ci;
  }
  std::string base = ctx.config.github.api_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string prefix = fmt::format("{}/repos/{}/{}/commits/{}", base, repo->owner, repo->name, sha);
  auto get = [&](const std::string& url) {
    return GitHubGet(ctx, url, token, ctx.config.tls.ca_file);
  };
  std::string short_sha = sha.substr(0, 7);
  auto unusable = [&](const HttpResponse& res, const std::string& what) {
    CommitCi out;
    out.state = "unknown";
    if (!res.answered) {
      out.detail = "cannot reach " + RedactUrl(base) + ": " + res.error;
    } else if (res.status == 404 || res.status == 422) {
      out.detail =
          fmt::format("GitHub knows no commit {} in {}/{} (HTTP {}{}): not pushed, or no access",
                      short_sha, repo->owner, repo->name, res.status, Message(res));
    } else {
      out.detail = fmt::format("GitHub answered {} with HTTP {}{}", what, res.status, Message(res));
    }
    return out;
  };
  HttpResponse runs_res = get(prefix + "/check-runs?per_page=100");
  if (!runs_res.answered || runs_res.status != 200) return unusable(runs_res, "check-runs");
  HttpResponse status_res = get(prefix + "/status");
  if (!status_res.answered || status_res.status != 200) return unusable(status_res, "status");
  auto runs = ParseCheckRuns(runs_res.body);
  auto combined = ParseCombinedStatus(status_res.body);
  if (!runs || !combined) {
    CommitCi out;
    out.state = "unknown";
    out.detail = !runs ? runs.error() : combined.error();
    return out;
  }
  return CombineCi(*runs, *combined);
}

}  // namespace infinity_sync
