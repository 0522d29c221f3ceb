#include "checks/auth_check.h"

#include <future>

#include <fmt/format.h>

namespace infinity_sync {

CheckResult CombineAuth(const AuthSide& github, const AuthSide& google) {
  CheckResult r;
  if (github.authenticated) {
    r.Ok(fmt::format("GitHub authenticated{} (via {})",
                     github.account.empty() ? "" : " as " + github.account, github.method));
  } else {
    r.Err("GitHub not authenticated: " + github.problem);
  }
  if (google.authenticated) {
    r.Ok(fmt::format("Google Cloud authenticated{} (via {})",
                     google.account.empty() ? "" : " as " + google.account, google.method));
  } else {
    r.Err("Google Cloud not authenticated: " + google.problem);
  }
  if (!github.note.empty()) r.Warn("GitHub: " + github.note);
  if (!google.note.empty()) r.Warn("Google Cloud: " + google.note);
  int count = (github.authenticated ? 1 : 0) + (google.authenticated ? 1 : 0);
  r.status = count == 2   ? CheckStatus::kSuccess
             : count == 1 ? CheckStatus::kPartial
                          : CheckStatus::kFailed;
  auto side = [](const AuthSide& s) {
    nlohmann::json j = {{"authenticated", s.authenticated}};
    if (!s.account.empty()) j["account"] = s.account;
    if (!s.method.empty()) j["method"] = s.method;
    if (!s.problem.empty()) j["problem"] = s.problem;
    if (!s.note.empty()) j["note"] = s.note;
    return j;
  };
  r.details_object = {{"GitHubCLI", github.authenticated}, {"GCloudCLI", google.cli}};
  if (!github.account.empty()) r.details_object["GitHubAccount"] = github.account;
  if (!github.method.empty()) r.details_object["GitHubMethod"] = github.method;
  if (!google.account.empty()) r.details_object["GCloudAccount"] = google.account;
  if (!google.method.empty()) r.details_object["GCloudMethod"] = google.method;
  r.data = {{"github", side(github)}, {"google", side(google)}};
  return r;
}

CheckResult RunAuthCheck(const CheckContext& ctx) {
  std::vector<std::string> github_evidence, google_evidence;
  // Both sides ask the network or start programs: run them side by side.
  auto google =
      std::async(std::launch::async, [&] { return CheckGoogleAuth(ctx, &google_evidence); });
  AuthSide github = CheckGitHubAuth(ctx, &github_evidence);
  CheckResult r = CombineAuth(github, google.get());
  r.evidence = std::move(github_evidence);
  r.evidence.insert(r.evidence.end(), google_evidence.begin(), google_evidence.end());
  return r;
}

}  // namespace infinity_sync
