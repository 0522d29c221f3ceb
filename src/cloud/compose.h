#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/env_expand.h"
#include "core/result.h"

namespace infinity_sync {

// One service of a compose project, as far as the docker check needs it.
struct ComposeService {
  std::string name;
  std::string image;         // after interpolation; empty for a build-only service
  bool build = false;        // has a `build:` section
  bool healthcheck = false;  // a healthcheck is defined and not disabled
  std::vector<std::string> profiles;
  int replicas = 1;     // scale ?? deploy.replicas ?? 1
  bool enabled = true;  // no profiles, or one of them is active
};

// A compose project: the merged model of its files.
struct ComposeProject {
  std::string name;         // after the project-name rules
  std::string name_source;  // "docker.project_name", "COMPOSE_PROJECT_NAME", "name:", "folder"
  std::string working_dir;  // the project folder (compose's --project-directory)
  std::vector<std::string> files;  // as given, in merge order
  std::vector<std::string> active_profiles;
  std::vector<ComposeService> services;  // sorted by name; disabled ones included

  // The service of that name, or nullptr.
  const ComposeService* Find(const std::string& name) const;
};

// One compose file to load: its path (for messages) and its text.
struct ComposeSource {
  std::string path;
  std::string text;
};

struct ComposeOptions {
  std::string project_name;           // explicit (like `-p`); empty: compose's rules
  std::vector<std::string> profiles;  // explicit (like `--profile`); empty: COMPOSE_PROFILES
  std::string working_dir;            // the project folder; its name is the last resort
  // Reads a file a compose file refers to (include:, extends.file, an
  // include's env_file); absolute paths. Unset: such references are an Error.
  std::function<Result<std::string>(const std::string&)> read_file;
  // Whether a file exists (a service's env_file:). Unset: assumed to exist.
  std::function<bool(const std::string&)> file_exists;
};

// The bounds of what one project may make compose read: a file over
// kMaxComposeFileBytes, or more than kMaxComposeNodes YAML nodes visited with
// aliases expanded (a "billion laughs" bomb), is an Error starting with
// "compose file too large".
inline constexpr std::size_t kMaxComposeFileBytes = 4u << 20;
inline constexpr std::size_t kMaxComposeNodes = 100'000;

// Parses and merges `files` (later files override earlier ones, as compose's
// override files do), interpolating `${...}` from `env` (which should already
// layer the shell over the project's .env), then applies the project-name,
// profile and replica rules. YAML anchors, aliases and `<<:` merge keys are
// honoured; `!reset` in a later file drops a value, `!override` replaces it
// instead of merging. `include:` (local files only) brings in the services
// of other projects as a base the including file overrides; `extends:`
// (same file or another) merges a service onto its base; cycles of either
// are an Error, as are duplicate keys, a required env_file that is missing, a
// depends_on naming an undefined service or making a cycle, and a project
// without any service. Errors carry "file:line:col: key.path: what" and name
// what was expected.
Result<ComposeProject> LoadComposeProject(const std::vector<ComposeSource>& files,
                                          const ComposeOptions& options, const EnvLookup& env);

// Compose's interpolation of one value: $$, $VAR, ${VAR}, ${VAR:-default},
// ${VAR-default}, ${VAR:?error}, ${VAR?error}, ${VAR:+alt}, ${VAR+alt}, with
// nested defaults. An unset variable without a default becomes "". The Error
// names the variable ("required variable DB_PASSWORD is missing a value: set it").
Result<std::string> InterpolateCompose(std::string_view text, const EnvLookup& env);

// Parses a .env file (KEY=VALUE lines, `export`, comments, single quotes
// literal, double quotes with escapes and ${} expansion, unquoted values with
// " #" comments and ${} expansion). `lookup` resolves references to variables
// not defined earlier in the file. Errors name file:line.
Result<std::map<std::string, std::string>> ParseDotEnv(std::string_view text,
                                                       const std::string& file,
                                                       const EnvLookup& lookup);

// The folder-name rule: lowercase, only [a-z0-9_-] kept, leading '_' and '-'
// dropped. May return "" (the caller reports it).
std::string NormalizeProjectName(std::string_view name);

// Whether `name` is a valid explicit project name (non-empty, [a-z0-9_-],
// starting with a letter or digit).
bool IsValidProjectName(std::string_view name);

}  // namespace infinity_sync
