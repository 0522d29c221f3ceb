#include "lib/program.h"

#include "lib/git_world.h"

namespace infinity_sync::testing {

EnvChanges HermeticEnv(const std::string& home) {
  EnvChanges env = GitWorld::Env();
  env["HOME"] = home;
  env["CLOUDSDK_CONFIG"] = home + "/gcloud";
  env["GCE_METADATA_ROOT"] = "127.0.0.1:1";
  env["GCE_METADATA_HOST"] = "127.0.0.1:1";
  env["GCE_METADATA_IP"] = "127.0.0.1:1";
  env["NO_COLOR"] = "1";
  for (const char* var :
       {"GH_TOKEN", "GITHUB_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN", "GH_HOST",
        "CLOUDSDK_ACTIVE_CONFIG_NAME", "CLOUDSDK_CORE_ACCOUNT", "GOOGLE_CLOUD_QUOTA_PROJECT",
        "GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_OAUTH_ACCESS_TOKEN", "CLOUDSDK_CORE_PROJECT",
        "GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT", "DOCKER_HOST", "COMPOSE_FILE",
        "COMPOSE_PROJECT_NAME", "COMPOSE_PROFILES", "GIT_SSH_COMMAND", "INFINITY_SYNC_TOKEN"}) {
    env[var] = std::nullopt;
  }
  return env;
}

ProgramRun RunProgram(const std::vector<std::string>& args, const std::string& cwd,
                      const EnvChanges& env, std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = {ProgramPath()};
  argv.insert(argv.end(), args.begin(), args.end());
  ProgramRun run;
  run.proc = Run(argv, cwd, env, timeout);
  run.doc = nlohmann::json::parse(run.proc.out, nullptr, false);
  if (run.doc.is_discarded()) run.doc = nullptr;
  return run;
}

std::string WriteConfig(const std::string& path, const std::string& yaml) {
  WriteFile(path, yaml);
  return path;
}

}  // namespace infinity_sync::testing
