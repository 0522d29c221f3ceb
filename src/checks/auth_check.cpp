#include "checks/auth_check.h"

#include <future>

#include <fmt/format.h>

namespace infinity_sync {

CheckResult CombineAuth(const AuthSide& github, const AuthSide& google) {
  CheckResult r;
  struct Named {
    const AuthSide& side;
    const char* name;
    const char* key;
  };
  int checked = 0, count = 0;
  for (const Named& n :
       {Named{github, "GitHub", "auth.github"}, Named{google, "Google Cloud", "auth.google"}}) {
    const AuthSide& s = n.side;
    if (!s.checked) {
      r.Info(fmt::format("{} not checked ({}: false)", n.name, n.key));
      continue;
    }
    ++checked;
    if (s.authenticated) {
      ++count;
      r.Ok(fmt::format("{} authenticated{} (via {})", n.name,
                       s.account.empty() ? "" : " as " + s.account, s.method));
    } else {
      r.Err(fmt::format("{} not authenticated: {}", n.name, s.problem));
    }
  }
  if (github.checked && !github.note.empty()) r.Warn("GitHub: " + github.note);
  if (google.checked && !google.note.empty()) r.Warn("Google Cloud: " + google.note);
  r.status = count == checked ? CheckStatus::kSuccess
             : count > 0      ? CheckStatus::kPartial
                              : CheckStatus::kFailed;
  auto side = [](const AuthSide& s) {
    nlohmann::json j = {{"authenticated", s.authenticated}};
    if (!s.account.empty()) j["account"] = s.account;
    if (!s.method.empty()) j["method"] = s.method;
    if (!s.problem.empty()) j["problem"] = s.problem;
    if (!s.note.empty()) j["note"] = s.note;
    return j;
  };
  r.details_object = nlohmann::json::object();
  if (github.checked) r.details_object["GitHubCLI"] = github.authenticated;
  if (google.checked) r.details_object["GCloudCLI"] = google.cli;
  if (!github.account.empty()) r.details_object["GitHubAccount"] = github.account;
  if (!github.method.empty()) r.details_object["GitHubMethod"] = github.method;
  if (!google.account.empty()) r.details_object["GCloudAccount"] = google.account;
  if (!google.method.empty()) r.details_object["GCloudMethod"] = google.method;
  r.data = nlohmann::json::object();
  if (github.checked) r.data["github"] = side(github);
  if (google.checked) r.data["google"] = side(google);
  return r;
}

CheckResult RunAuthCheck(const CheckContext& ctx) {
  AuthSide off;
  off.checked = false;
  // Both sides ask the network or start programs: run them side by side, each
  // in a strand of its own so that its evidence lines stay together.
  CheckContext github_ctx = ctx.Strand();
  CheckContext google_ctx = ctx.Strand();
  std::future<AuthSide> google;
  if (ctx.config.auth.google) {
    google = std::async(std::launch::async, [&] { return CheckGoogleAuth(google_ctx); });
  }
  AuthSide github = ctx.config.auth.github ? CheckGitHubAuth(github_ctx) : off;
  CheckResult r = CombineAuth(github, google.valid() ? google.get() : off);
  r.evidence = github_ctx.TakeEvidence();
  for (auto& line : google_ctx.TakeEvidence()) r.evidence.push_back(std::move(line));
  return r;
}

}  // namespace infinity_sync
