#pragma once
// Loading a project's files (internal to the compose model: compose.cpp).

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cloud/compose_reader.h"

namespace infinity_sync::compose_internal {

// A parsed, validated compose file.
struct Document {
  std::string path;
  EnvLookup env;
  YAML::Node root;
  std::unique_ptr<FileReader> reader;
};

// Loads a project's files onto one map of service states, following include:
// and extends: through the caller's read_file.
class ProjectLoader {
 public:
  explicit ProjectLoader(const ComposeOptions& options) : options_(options) {}

  std::map<std::string, ServiceState> states;
  std::optional<Placed<std::string>> top_name;
  std::vector<std::string> service_files;  // files with a services: mapping
  std::vector<std::string> v1_files;       // files written in the version-1 format

  // Parses `text` as `path` and keeps it (documents are referred to by the
  // readers and nodes of later steps, so they live as long as the loader).
  // A file over kMaxComposeFileBytes, or all files together over
  // kMaxComposeNodes nodes, is "compose file too large".
  Result<Document*> Parse(const std::string& path, const std::string& text, EnvLookup env);

  // Applies one file: its includes first (their services are the base this
  // file overrides), then its services.
  Status Apply(Document& doc, bool top_level, std::vector<std::string> include_chain);

 private:
  Result<Document*> ReadAndParse(const std::string& path, const EnvLookup& env,
                                 const std::string& what);

  // Applies service `name` of `doc` onto `state`, its extends: base first.
  Status ApplyExtended(Document& doc, const YAML::Node& services, const std::string& name,
                       const YAML::Node& svc, ServiceState* state, std::vector<std::string> chain);

  // include: a list of paths, or of {path (one or a list), project_directory,
  // env_file}. Each included project is loaded with its own .env (or
  // env_file) under the including project's variables.
  Status ApplyIncludes(Document& doc, const YAML::Node& inc, const std::vector<std::string>& chain);

  const ComposeOptions& options_;
  std::vector<std::unique_ptr<Document>> docs_;
  std::map<std::string, Document*> cache_;  // extends.file documents by path
  std::size_t visits_ = 0;                  // nodes validated, over every file
};

}  // namespace infinity_sync::compose_internal
