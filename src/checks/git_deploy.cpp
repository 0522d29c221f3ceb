#include "checks/git_deploy.h"

#include <cstdio>

#include <fmt/format.h>

#include "checks/git_check.h"
#include "checks/git_porcelain.h"

namespace infinity_sync {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::string DeployBranchFacts::HeadPosition() const {
  std::string where = branch.empty() ? "HEAD (detached)" : "HEAD on " + branch;
  if (head.empty()) return "HEAD unknown: " + error;
  if (tip.empty()) return where + ": " + TipRef() + " unknown";
  if (head == tip) return where + " is " + TipRef();
  if (!compared) return where + " is not " + TipRef();
  if (ahead > 0 && behind > 0) {
    return fmt::format("{} has diverged from {}: {} ahead, {} behind", where, TipRef(), ahead,
                       behind);
  }
  if (ahead > 0) return fmt::format("{} is {} ahead of {}", where, ahead, TipRef());
  return fmt::format("{} is {} behind {}", where, behind, TipRef());
}

DeployBranchChoice ChooseDeployBranch(const std::string& configured, const std::string& remote,
                                      std::string_view output) {
  const std::string prefix = "refs/remotes/" + remote + "/";
  std::map<std::string, std::string> tips;
  std::string head_target;
  std::size_t pos = 0;
  while (pos < output.size()) {
    std::size_t end = output.find('\n', pos);
    if (end == std::string_view::npos) end = output.size();
    std::string line(output.substr(pos, end - pos));
    pos = end + 1;
    std::size_t a = line.find(' ');
    if (a == std::string::npos) continue;
    std::size_t b = line.find(' ', a + 1);
    std::string ref = line.substr(0, a);
    std::string sha = line.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
    std::string symref = b == std::string::npos ? "" : Trim(line.substr(b + 1));
    if (ref.rfind(prefix, 0) != 0) continue;
    std::string name = ref.substr(prefix.size());
    if (name == "HEAD") {
      if (symref.rfind(prefix, 0) == 0) head_target = symref.substr(prefix.size());
      continue;
    }
    tips[name] = sha;
  }
  DeployBranchChoice choice;
  if (!configured.empty()) {
    choice.branch = configured;
    choice.source = "git.deploy_branch";
  } else if (!head_target.empty()) {
    choice.branch = head_target;
    choice.source = remote + "/HEAD";
  } else {
    choice.branch = tips.count("main") || !tips.count("master") ? "main" : "master";
    choice.source = "default";
  }
  if (auto it = tips.find(choice.branch); it != tips.end()) choice.tip = it->second;
  return choice;
}

DeployBranchFacts ReadDeployBranch(const CheckContext& ctx) {
  const GitConfig& git = ctx.config.git;
  DeployBranchFacts f;
  // Where the commands below run: their own lines name only the argv.
  ctx.Note("git runs in " + git.repo);
  auto run = [&](std::vector<std::string> argv) {
    ProcessRequest req;
    req.argv = std::move(argv);
    req.cwd = git.repo;
    req.env = GitEnvironment(ctx);
    req.timeout = ctx.Remaining();
    return ctx.Run(req);
  };

  ProcessResult st =
      run({"git", "status", "--porcelain=v2", "--branch", "-z", "--untracked-files=no"});
  if (!st.Succeeded()) {
    f.error = st.not_found                                               ? "git is not installed"
              : st.err.find("not a git repository") != std::string::npos ? "not a git repository"
                                                                         : TailLines(st.err, 1);
    return f;
  }
  auto info = ParseGitPorcelainV2(st.out);
  if (!info) {
    f.error = info.error();
    return f;
  }
  if (info->initial) {
    f.error = "no commits yet";
    return f;
  }
  f.head = info->oid;
  f.branch = info->detached ? "" : info->head;
  f.dirty = info->dirty;
  f.remote = !git.remote.empty()       ? git.remote
             : !info->upstream.empty() ? info->upstream.substr(0, info->upstream.find('/'))
                                       : "origin";

  ProcessResult refs = run({"git", "for-each-ref", "--format=%(refname) %(objectname) %(symref)",
                            "refs/remotes/" + f.remote});
  DeployBranchChoice choice =
      ChooseDeployBranch(git.deploy_branch, f.remote, refs.Succeeded() ? refs.out : "");
  f.deploy_branch = choice.branch;
  f.deploy_branch_source = choice.source;
  f.tip = choice.tip;
  if (!refs.Succeeded()) {
    f.tip_error = "git for-each-ref failed: " + refs.Describe({"git", "for-each-ref"});
  } else if (f.tip.empty()) {
    f.tip_error = f.TipRef() + " does not exist (fetch it, or set git.deploy_branch)";
  }

  ProcessResult url = run({"git", "config", "--get", "remote." + f.remote + ".url"});
  if (url.Succeeded()) f.remote_url = Trim(url.out);

  if (!f.tip.empty() && f.tip != f.head) {
    ProcessResult rl = run({"git", "rev-list", "--left-right", "--count", "HEAD..." + f.tip});
    if (rl.Succeeded() && std::sscanf(rl.out.c_str(), "%d %d", &f.ahead, &f.behind) == 2) {
      f.compared = true;
    }
  } else if (!f.tip.empty()) {
    f.compared = true;
  }
  if (auto dir = GitDir(git.repo)) {
    f.fetched_at = LastSuccessfulFetch(ctx.ports.fs, *dir, f.TipRef(), !git.fetch);
  }
  return f;
}

}  // namespace infinity_sync
