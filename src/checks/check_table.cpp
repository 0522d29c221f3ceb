#include "checks/check.h"

#include "checks/auth_check.h"
#include "checks/cloudflare_check.h"
#include "checks/custom_check.h"
#include "checks/docker_check.h"
#include "checks/gcp_check.h"
#include "checks/git_check.h"

namespace infinity_sync {

namespace {

// A built-in check's switch, from the config key rows (core/config.h).
const CheckSwitch& BuiltinSwitch(const Config& c, const std::string& name) {
  static const CheckSwitch kOn;
  const CheckSwitch* sw = BuiltinCheckSwitch(c, name);
  return sw ? *sw : kOn;
}

std::vector<CheckSpec> FullTable(const Config& config) {
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
  for (auto& spec : table) spec.required = BuiltinSwitch(config, spec.name).required;
  for (const auto& custom : config.checks) table.push_back(CustomCheckSpec(custom));
  return table;
}

}  // namespace

std::vector<CheckSpec> CheckTable(const Config& config) {
  std::vector<CheckSpec> table;
  std::size_t custom = 0;
  for (auto& spec : FullTable(config)) {
    bool builtin = spec.key.rfind("CustomCheck:", 0) != 0;
    bool enabled =
        builtin ? BuiltinSwitch(config, spec.name).enabled : config.checks[custom++].check.enabled;
    if (enabled) table.push_back(std::move(spec));
  }
  return table;
}

std::vector<std::pair<std::string, std::string>> DisabledChecks(const Config& config) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& name : BuiltinCheckNames()) {
    if (!BuiltinSwitch(config, name).enabled) out.emplace_back(name, name + ".enabled");
  }
  for (std::size_t i = 0; i < config.checks.size(); ++i) {
    if (!config.checks[i].check.enabled) {
      out.emplace_back(config.checks[i].name, "checks[" + std::to_string(i) + "].enabled");
    }
  }
  return out;
}

std::vector<std::string> CheckNames(const Config& config) {
  std::vector<std::string> names;
  for (const auto& spec : CheckTable(config)) names.push_back(spec.name);
  return names;
}

}  // namespace infinity_sync
