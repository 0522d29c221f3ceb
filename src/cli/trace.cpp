#include "cli/trace.h"

#include <map>

#include <fmt/format.h>

namespace infinity_sync {
namespace {

using nlohmann::json;

std::string Short(const std::string& sha) { return sha.substr(0, 7); }

std::string Holds(const std::optional<bool>& contains) {
  return !contains   ? "cannot tell whether it holds it"
         : *contains ? "holds it"
                     : "does not hold it";
}

std::map<std::string, std::optional<std::string>> GitEnv() {
  return {{"GIT_TERMINAL_PROMPT", "0"}, {"GIT_OPTIONAL_LOCKS", "0"}, {"LC_ALL", "C"}};
}

}  // namespace

Result<std::string> ResolveCommit(ProcessRunner& process, const std::string& repo,
                                  const std::string& name) {
  ProcessRequest req;
  req.argv = {"git", "rev-parse", "--verify", "--quiet", "--end-of-options", name + "^{commit}"};
  req.cwd = repo;
  req.env = GitEnv();
  req.timeout = std::chrono::milliseconds(10'000);
  ProcessResult res = process.Run(req);
  if (res.not_found) return Error{"git is not installed"};
  std::string out = res.out;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  if (!res.Succeeded() || out.empty()) {
    return Error{"\"" + name + "\" names no commit in " + repo};
  }
  return out;
}

ContainsFn GitContains(ProcessRunner& process, const std::string& repo) {
  return [&process, repo](const std::string& descendant,
                          const std::string& ancestor) -> std::optional<bool> {
    ProcessRequest req;
    req.argv = {"git", "merge-base", "--is-ancestor", "--end-of-options", ancestor, descendant};
    req.cwd = repo;
    req.env = GitEnv();
    req.timeout = std::chrono::milliseconds(10'000);
    ProcessResult res = process.Run(req);
    if (res.started && !res.timed_out && res.signal == 0 && res.exit_code == 0) return true;
    if (res.started && !res.timed_out && res.signal == 0 && res.exit_code == 1) return false;
    return std::nullopt;  // 128: a commit this repository does not have
  };
}

TraceReport TraceCommit(const Lineage& l, const std::string& commit, const ContainsFn& contains) {
  TraceReport t;
  t.commit = commit;
  auto holds = [&](const std::string& at) -> std::optional<bool> {
    if (at.empty()) return std::nullopt;
    if (at == commit || (at.size() >= 7 && commit.rfind(at, 0) == 0)) return true;
    return contains(at, commit);
  };
  for (const auto& h : l.hops) {
    TraceHop hop{h.hop, h.commit, std::nullopt, h.state, ""};
    if (h.hop == "local") {
      hop.contains = holds(h.commit);
      hop.text = h.commit.empty()
                     ? "HEAD unknown"
                     : "HEAD " + Short(h.commit) + (h.branch.empty() ? "" : " on " + h.branch) +
                           ": " + Holds(hop.contains);
    } else if (h.hop == "remote") {
      hop.contains = holds(h.commit);
      hop.text = h.commit.empty()
                     ? "deploy branch: " + h.detail
                     : l.deploy_branch + " at " + Short(h.commit) + ": " + Holds(hop.contains);
    } else if (h.hop == "ci") {
      hop.contains = holds(h.commit);
      hop.text = h.commit.empty()
                     ? "CI " + h.state + ": " + h.detail
                     : fmt::format("CI of {}: {}: {}", Short(h.commit), h.state, h.detail);
    } else if (h.hop == "cloudrun") {
      int with = 0, without = 0;
      std::string parts;
      for (const auto& s : h.serving) {
        std::optional<bool> c = holds(s.commit);
        if (c == true) with += s.percent;
        if (c == false) without += s.percent;
        parts += fmt::format("{}{}% {} ({}, {})", parts.empty() ? "" : ", ", s.percent, s.revision,
                             s.commit.empty() ? "commit unknown" : Short(s.commit), Holds(c));
      }
      if (h.serving.empty()) {
        hop.text = "Cloud Run: " + (h.detail.empty() ? h.state : h.detail);
      } else {
        hop.text = "Cloud Run: " + parts;
        if (with == 100) hop.contains = true;
        if (without > 0) hop.contains = false;
      }
    } else if (h.hop == "edge") {
      hop.contains = holds(h.commit);
      hop.text = h.commit.empty() ? "edge: " + h.detail
                                  : "edge serves " + Short(h.commit) + ": " + Holds(hop.contains);
    } else {
      continue;
    }
    t.hops.push_back(std::move(hop));
  }

  const TraceHop* run = nullptr;
  const TraceHop* edge = nullptr;
  for (const auto& h : t.hops) {
    if (h.hop == "cloudrun") run = &h;
    if (h.hop == "edge") edge = &h;
  }
  std::string c = Short(commit);
  if (run == nullptr || !run->contains) {
    t.summary =
        run == nullptr ? "cannot tell: Cloud Run was not read" : "cannot tell: " + run->text;
    if (run != nullptr && run->contains == std::nullopt && edge != nullptr &&
        edge->contains == false) {
      t.live = false;
      t.summary = c + " is not live: " + edge->text;
    }
  } else if (*run->contains == false) {
    t.live = false;
    t.summary = c + " is not live (yet): " + run->text;
  } else if (edge != nullptr && edge->contains != true) {
    if (edge->contains == false) {
      t.live = false;
      t.summary = c + " serves 100% of Cloud Run traffic, but not at the edge: " + edge->text;
    } else {
      t.summary = "cannot tell: " + c + " serves 100% of Cloud Run traffic; " + edge->text;
    }
  } else {
    t.live = true;
    t.summary = c + " is live: 100% of Cloud Run traffic" +
                (edge != nullptr ? " and the edge" : "") + " serve it";
  }
  return t;
}

json ToJson(const TraceReport& t) {
  json hops = json::array();
  for (const auto& h : t.hops) {
    hops.push_back({{"hop", h.hop},
                    {"commit", h.commit.empty() ? json() : json(h.commit)},
                    {"contains", h.contains ? json(*h.contains) : json()},
                    {"state", h.state},
                    {"detail", h.text}});
  }
  return {{"commit", t.commit},
          {"live", t.live ? json(*t.live) : json()},
          {"summary", t.summary},
          {"hops", std::move(hops)}};
}

}  // namespace infinity_sync
