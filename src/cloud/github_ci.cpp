#include "cloud/github_ci.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/version.h"

namespace infinity_sync {
namespace {

using nlohmann::json;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// "O/R.git/" -> {O, R}; false when it is not two parts.
bool SplitPath(std::string path, GitHubRepo* repo) {
  while (!path.empty() && path.front() == '/') path.erase(0, 1);
  while (!path.empty() && path.back() == '/') path.pop_back();
  if (path.size() > 4 && path.compare(path.size() - 4, 4, ".git") == 0)
    path.resize(path.size() - 4);
  auto slash = path.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == path.size()) return false;
  if (path.find('/', slash + 1) != std::string::npos) return false;
  repo->owner = path.substr(0, slash);
  repo->name = path.substr(slash + 1);
  return true;
}

}  // namespace

Result<GitHubRepo> ParseGitHubRemote(const std::string& url) {
  GitHubRepo repo;
  std::string rest;
  auto scheme_end = url.find("://");
  if (scheme_end != std::string::npos) {
    std::string scheme = Lower(url.substr(0, scheme_end));
    if (scheme != "https" && scheme != "http" && scheme != "ssh" && scheme != "git" &&
        scheme != "git+ssh" && scheme != "ssh+git") {
      return Error{"the remote \"" + url + "\" is not on a GitHub host (" + scheme + " URL)"};
    }
    rest = url.substr(scheme_end + 3);
    auto slash = rest.find('/');
    if (slash == std::string::npos) return Error{"the remote \"" + url + "\" names no repository"};
    std::string authority = rest.substr(0, slash);
    rest = rest.substr(slash);
    if (auto at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
    if (!authority.empty() && authority.front() == '[') {
      authority = authority.substr(1, authority.find(']') - 1);
    } else if (auto colon = authority.find(':'); colon != std::string::npos) {
      authority.resize(colon);
    }
    repo.host = Lower(authority);
  } else {
    // scp form: [user@]host:path, where the host part holds no slash.
    auto colon = url.find(':');
    auto slash = url.find('/');
    if (colon == std::string::npos || (slash != std::string::npos && slash < colon)) {
      return Error{"the remote \"" + url + "\" is a local path, not a GitHub repository"};
    }
    std::string host = url.substr(0, colon);
    if (auto at = host.rfind('@'); at != std::string::npos) host.erase(0, at + 1);
    repo.host = Lower(host);
    rest = url.substr(colon + 1);
  }
  if (repo.host.empty()) return Error{"the remote \"" + url + "\" has no host"};
  if (!SplitPath(rest, &repo)) {
    return Error{"the remote \"" + url + "\" does not name OWNER/REPO"};
  }
  return repo;
}

std::string GitHubWebHost(const std::string& api_url) {
  std::string host = api_url;
  if (auto s = host.find("://"); s != std::string::npos) host.erase(0, s + 3);
  if (auto slash = host.find('/'); slash != std::string::npos) host.resize(slash);
  if (auto at = host.rfind('@'); at != std::string::npos) host.erase(0, at + 1);
  if (!host.empty() && host.front() == '[') {
    host = host.substr(1, host.find(']') - 1);
  } else if (auto colon = host.find(':'); colon != std::string::npos) {
    host.resize(colon);  // remotes name hosts without the API's port
  }
  host = Lower(host);
  if (host == "api.github.com") return "github.com";
  if (host.rfind("api.", 0) == 0 && host.size() > 8 &&
      host.compare(host.size() - 8, 8, ".ghe.com") == 0) {
    return host.substr(4);
  }
  return host;
}

Result<CheckRunsSummary> ParseCheckRuns(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (!j.is_object()) return Error{"the check runs answer is not a JSON object"};
  auto runs = j.find("check_runs");
  if (runs == j.end() || !runs->is_array()) return Error{"the check runs answer has no check_runs"};
  CheckRunsSummary s;
  for (const auto& run : *runs) {
    if (!run.is_object()) continue;
    ++s.total;
    std::string status = run.value("status", "");
    std::string conclusion = run.contains("conclusion") && run["conclusion"].is_string()
                                 ? run["conclusion"].get<std::string>()
                                 : "";
    if (status != "completed") {
      ++s.pending;
    } else if (conclusion == "failure" || conclusion == "timed_out" || conclusion == "cancelled" ||
               conclusion == "action_required" || conclusion == "startup_failure") {
      ++s.failed;
      if (s.first_failed.empty()) s.first_failed = run.value("name", "?") + " " + conclusion;
    }
  }
  return s;
}

Result<CombinedStatusSummary> ParseCombinedStatus(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (!j.is_object()) return Error{"the combined status answer is not a JSON object"};
  CombinedStatusSummary s;
  if (!j.contains("state") || !j["state"].is_string()) {
    return Error{"the combined status answer has no state"};
  }
  s.state = j["state"].get<std::string>();
  if (j.contains("statuses") && j["statuses"].is_array()) {
    for (const auto& st : j["statuses"]) {
      if (!st.is_object()) continue;
      ++s.count;
      std::string state = st.value("state", "");
      if ((state == "failure" || state == "error") && s.first_failed.empty()) {
        s.first_failed = st.value("context", "?") + " " + state;
      }
    }
  }
  return s;
}

CommitCi CombineCi(const CheckRunsSummary& runs, const CombinedStatusSummary& status) {
  CommitCi ci;
  ci.check_runs = runs.total;
  ci.statuses = status.count;
  bool status_failed = status.count > 0 && (status.state == "failure" || status.state == "error");
  bool status_pending = status.count > 0 && status.state == "pending";
  std::string counted =
      fmt::format("{} check run{}, {} status{}", runs.total, runs.total == 1 ? "" : "s",
                  status.count, status.count == 1 ? "" : "es");
  if (runs.failed > 0 || status_failed) {
    ci.state = "failure";
    ci.failed = !runs.first_failed.empty() ? runs.first_failed : status.first_failed;
    ci.detail = "failed: " + (ci.failed.empty() ? status.state : ci.failed) + " (" + counted + ")";
  } else if (runs.pending > 0 || status_pending) {
    ci.state = "pending";
    ci.detail = fmt::format("pending ({} of {} check runs not finished; {})", runs.pending,
                            runs.total, counted);
  } else if (runs.total == 0 && status.count == 0) {
    ci.state = "none";
    ci.detail = "no check runs or statuses reported for this commit";
  } else {
    ci.state = "success";
    ci.detail = "passed (" + counted + ")";
  }
  return ci;
}

HttpResponse GitHubGet(const CallScope& scope, const std::string& url, const std::string& token,
                       const std::string& ca_file) {
  HttpRequest req;
  req.url = url;
  req.headers = {{"Authorization", "Bearer " + token},
                 {"Accept", "application/vnd.github+json"},
                 {"X-GitHub-Api-Version", "2022-11-28"},
                 {"User-Agent", std::string("infinity-sync/") + kVersion}};
  req.timeout = scope.Remaining();
  req.ca_file = ca_file;
  return scope.Send(req);
}

}  // namespace infinity_sync
