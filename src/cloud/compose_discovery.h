#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "cloud/compose.h"
#include "core/env_expand.h"
#include "core/result.h"
#include "ports/file_system.h"

namespace infinity_sync {

// Which compose files make the project, and where they were found.
struct ComposeDiscovery {
  std::vector<std::string> files;     // absolute, in merge order; empty: none found
  std::string working_dir;            // the folder of the first file
  std::string origin;                 // "docker.compose_files", "COMPOSE_FILE" or "discovered"
  std::vector<std::string> searched;  // the folders looked in, when nothing was found
};

// Finds the compose files the way `docker compose` does, starting in `start`:
// `configured` (docker.compose_files, absolute paths) wins; else COMPOSE_FILE
// (split on COMPOSE_PATH_SEPARATOR, default ':'; relative to `start`); else the
// first of compose.yaml, compose.yml, docker-compose.yml, docker-compose.yaml in
// `start`, then in each parent, plus the override file beside it (the one named
// like it, e.g. compose.override.yaml, else the first of compose.override.yml|yaml,
// docker-compose.override.yml|yaml). `env` is the shell's; COMPOSE_FILE may also
// come from `start`/.env. A configured or COMPOSE_FILE file that does not exist
// is an Error; finding nothing is not (files is empty).
Result<ComposeDiscovery> DiscoverComposeFiles(const std::filesystem::path& start,
                                              const std::vector<std::string>& configured,
                                              const EnvLookup& env, FileSystem& fs);

// Reads the discovered files and the project folder's .env through `fs`, and
// loads the project with the shell environment `env` layered over the .env
// (the shell wins, as in compose).
Result<ComposeProject> ReadComposeProject(const ComposeDiscovery& discovery,
                                          const ComposeOptions& options, const EnvLookup& env,
                                          FileSystem& fs);

// Reads a compose file, a .env or an env_file: the one place compose text
// comes from the file system.
Result<std::string> ReadComposeText(FileSystem& fs, const std::string& path);

}  // namespace infinity_sync
