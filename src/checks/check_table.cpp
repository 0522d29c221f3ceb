#include "checks/check.h"

#include "checks/auth_check.h"
#include "checks/cloudflare_check.h"
#include "checks/custom_check.h"
#include "checks/docker_check.h"
#include "checks/gcp_check.h"
#include "checks/git_check.h"

namespace infinity_sync {

std::vector<CheckSpec> CheckTable(const Config& config) {
  auto plain = [](const Config& c) { return c.timeout; };
  std::vector<CheckSpec> table = {
      {"auth", "AuthCheck", "Authentication Check", "Authentication", plain, RunAuthCheck},
      {"git", "GitSync", "Git Repository Sync", "Git Repository",
       [](const Config& c) { return (c.git.fetch ? c.git.fetch_timeout : Millis(0)) + c.timeout; },
       RunGitCheck},
      {"docker", "DockerSync", "Docker Container Sync", "Docker Containers", plain, RunDockerCheck},
      {"gcp", "GCPSync", "Google Cloud Platform Sync", "GCP Cloud Run", plain, RunGcpCheck},
      {"cloudflare", "CloudflareCheck", "Cloudflare Reachability Check", "Cloudflare", plain,
       RunCloudflareCheck},
  };
  for (const auto& custom : config.checks) table.push_back(CustomCheckSpec(custom));
  return table;
}

std::vector<std::string> CheckNames(const Config& config) {
  std::vector<std::string> names;
  for (const auto& spec : CheckTable(config)) names.push_back(spec.name);
  return names;
}

}  // namespace infinity_sync
