// `infinity-sync init`: looks at the repository and writes a starter config.
#include <filesystem>
#include <iostream>

#include "checks/gcloud_files.h"
#include "cli/commands.h"
#include "cli/init_config.h"
#include "core/check_status.h"
#include "core/config.h"
#include "core/env_expand.h"
#include "ports/file_system.h"
#include "ports/process_runner.h"

namespace infinity_sync {
namespace {

namespace fs = std::filesystem;

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// One git query in `repo`; empty when it fails (no such remote, no commit yet).
std::string GitQuery(ProcessRunner& runner, const fs::path& repo,
                     const std::vector<std::string>& args) {
  ProcessRequest req;
  req.argv = {"git"};
  req.argv.insert(req.argv.end(), args.begin(), args.end());
  req.cwd = repo.string();
  req.timeout = std::chrono::milliseconds(10'000);
  ProcessResult r = runner.Run(req);
  return r.Succeeded() ? Trimmed(r.out) : "";
}

// The URL without user:password@ (a token in a remote URL must not end up in
// a file that gets committed).
std::string WithoutCredentials(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  auto host_start = scheme + 3;
  auto at = url.find('@', host_start);
  auto slash = url.find('/', host_start);
  if (at == std::string::npos || (slash != std::string::npos && at > slash)) return url;
  return url.substr(0, host_start) + url.substr(at + 1);
}

// Compose files in the repository root, the way `docker compose` picks them:
// the first main file found, plus its override.
std::vector<std::string> ComposeFilesIn(const fs::path& root) {
  std::error_code ec;
  std::vector<std::string> out;
  const std::pair<const char*, const char*> kNames[] = {
      {"compose.yaml", "compose.override.yaml"},
      {"compose.yml", "compose.override.yml"},
      {"docker-compose.yml", "docker-compose.override.yml"},
      {"docker-compose.yaml", "docker-compose.override.yaml"}};
  for (const auto& [main, over] : kNames) {
    if (!fs::is_regular_file(root / main, ec)) continue;
    out.emplace_back(main);
    if (fs::is_regular_file(root / over, ec)) out.emplace_back(over);
    break;
  }
  return out;
}

// gcloud's active configuration, found as the auth check finds it; only the
// file's own values (a starter config records what is configured, not the
// shell's CLOUDSDK_* overrides of the moment).
void ReadGcloud(const EnvLookup& env, FileSystem& files, InitFindings& found) {
  GcloudConfig gcloud = ReadGcloudConfig(env, files);
  if (!gcloud.file_exists || !gcloud.file_error.empty()) return;
  found.gcloud_config = gcloud.file;
  const auto& props = gcloud.properties;
  if (auto it = props.find("core/project"); it != props.end()) found.gcp_project = it->second;
  if (auto it = props.find("run/region"); it != props.end()) found.gcp_region = it->second;
}

}  // namespace

int CmdInit(const GlobalOptions& global, bool force) {
  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  auto root = FindRepoRoot(cwd);
  if (!root) {
    std::cerr << "infinity-sync: init: " << cwd.string()
              << " is not inside a git repository (no .git here or in a parent folder);\n"
                 "  run 'infinity-sync init' in your repository, or 'git init' first\n";
    return kExitNotRepo;
  }
  fs::path target = global.config.empty() ? *root / "infinity-sync.yaml" : fs::path(global.config);
  if (target.is_relative()) target = cwd / target;
  RealFileSystem files;
  for (const fs::path& existing :
       {target, global.config.empty() ? *root / "infinity-sync.yml" : target}) {
    if (!force && files.Stat(existing.string())) {
      std::cerr << "infinity-sync: init: " << existing.string()
                << " already exists; not overwriting it (use --force to replace it)\n";
      return kExitCantCreate;
    }
  }

  RealProcessRunner runner;
  InitFindings found;
  found.project = root->filename().string();
  found.remote_url = WithoutCredentials(GitQuery(runner, *root, {"remote", "get-url", "origin"}));
  if (!found.remote_url.empty()) found.remote = "origin";
  found.branch = GitQuery(runner, *root, {"symbolic-ref", "--quiet", "--short", "HEAD"});
  found.compose_files = ComposeFilesIn(*root);
  ReadGcloud(ProcessEnv(), files, found);

  Status written = files.WriteAtomic(target.string(), RenderStarterConfig(found));
  if (!written) {
    std::cerr << "infinity-sync: init: cannot write " << target.string() << ": " << written.error()
              << "\n";
    return kExitCantCreate;
  }
  std::cout << "Wrote " << target.string() << "\n"
            << "  project: " << found.project << "\n"
            << "  git remote: " << (found.remote.empty() ? "(none named origin)" : found.remote_url)
            << (found.branch.empty() ? "" : ", branch " + found.branch) << "\n"
            << "  compose files: ";
  if (found.compose_files.empty()) std::cout << "(none in the repository root)";
  for (std::size_t i = 0; i < found.compose_files.size(); ++i) {
    std::cout << (i ? ", " : "") << found.compose_files[i];
  }
  std::cout << "\n  gcloud: "
            << (found.gcloud_config.empty()
                    ? "(no configuration found)"
                    : "project " +
                          (found.gcp_project.empty() ? std::string("?") : found.gcp_project) +
                          ", region " +
                          (found.gcp_region.empty() ? std::string("default") : found.gcp_region))
            << "\nNext: infinity-sync run --dry-run\n";
  return kExitOk;
}

}  // namespace infinity_sync
