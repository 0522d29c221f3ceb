#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/test_support.h"

namespace infinity_sync::testing {

using EnvChanges = std::map<std::string, std::optional<std::string>>;

// An environment that keeps the machine's own setup out of a test: HOME and
// gcloud's config in `home`, no tokens, no global git config, no colour.
EnvChanges HermeticEnv(const std::string& home);

struct ProgramRun {
  ProcessResult proc;
  nlohmann::json doc;  // stdout parsed as JSON when it is JSON, else null
  int code() const { return proc.exit_code; }
};

// Runs the built infinity-sync with `args` in `cwd`.
ProgramRun RunProgram(const std::vector<std::string>& args, const std::string& cwd,
                      const EnvChanges& env,
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(60'000));

// Writes `yaml` to `path` and returns the path.
std::string WriteConfig(const std::string& path, const std::string& yaml);

}  // namespace infinity_sync::testing
