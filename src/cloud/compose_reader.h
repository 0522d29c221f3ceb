#pragma once
// Reading one compose file (internal to the compose model: compose.cpp,
// compose_loader.cpp). Every error is "file:line:col: key.path: message".

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "cloud/compose.h"

namespace infinity_sync::compose_internal {

inline constexpr int kMaxDepth = 64;

// A value read from one file, with where it was written.
template <typename T>
struct Placed {
  T value{};
  std::string where;  // "file:line:col"
};

// The merged state of one service while files are applied in order.
struct ServiceState {
  std::optional<Placed<std::string>> image;
  std::optional<bool> build;
  bool healthcheck = false;
  std::optional<bool> healthcheck_disabled;
  std::optional<std::vector<std::string>> profiles;
  std::optional<Placed<int>> scale;
  std::optional<Placed<int>> replicas;
  std::map<std::string, std::string> depends_on;  // service -> where it is named
  std::string where;                              // where it was first defined
};

class FileReader {
 public:
  FileReader(const std::string& file, const EnvLookup& env, const ComposeOptions& options)
      : file_(file), env_(env), options_(options) {}

  const std::string& file() const { return file_; }
  const EnvLookup& env() const { return env_; }
  std::string Dir() const { return std::filesystem::path(file_).parent_path().string(); }

  std::string Where(const YAML::Node& node) const {
    YAML::Mark m = node.Mark();
    if (m.is_null()) return file_;
    return fmt::format("{}:{}:{}", file_, m.line + 1, m.column + 1);
  }
  Error Fail(const YAML::Node& node, const std::string& path, const std::string& what) const {
    return Error{fmt::format("{}: {}{}{}", Where(node), path, path.empty() ? "" : ": ", what)};
  }

  // The value of `key` in mapping `map`, following `<<:` merge keys (a
  // mapping or a list of mappings; earlier ones win, the map's own keys first).
  YAML::Node Get(const YAML::Node& map, const std::string& key, int depth = 0) const;

  // Entries (key, value) of `map` including those brought in by merge keys,
  // in order, once each: the map's own keys win over merged ones, earlier
  // merge sources over later ones. One pass, so large maps stay linear.
  using Entry = std::pair<YAML::Node, YAML::Node>;
  std::vector<Entry> Entries(const YAML::Node& map) const;

  // One walk over the whole document, aliases expanded: every scalar must
  // interpolate (compose checks the whole file, not only the keys it uses),
  // no mapping may repeat a key (compose v2 refuses them; YAML leaves the
  // winner undefined), and `visits` stays under kMaxComposeNodes, so an alias
  // bomb ends in a few milliseconds instead of expanding.
  Status Validate(const YAML::Node& node, const std::string& path, int depth,
                  std::size_t* visits) const;

  static bool IsReset(const YAML::Node& node) { return node.Tag() == "!reset"; }
  static bool IsOverride(const YAML::Node& node) { return node.Tag() == "!override"; }

  // Scalars, interpolated; the Error names the place and what was expected.
  Result<std::string> String(const YAML::Node& node, const std::string& path) const;
  Result<int> Count(const YAML::Node& node, const std::string& path) const;
  Result<bool> Bool(const YAML::Node& node, const std::string& path) const;
  Result<std::vector<std::string>> Strings(const YAML::Node& node, const std::string& path) const;

  // A path as a compose file writes it: relative to the file's folder.
  std::string Resolve(const std::string& p) const;

  // `env_file:` as a string, a list of strings, or a list of {path, required,
  // format}: a required file that does not exist is an Error naming it.
  Status CheckEnvFiles(const YAML::Node& v, const std::string& kp) const;

  // Applies one service definition of this file onto `state` (its `extends:`
  // is the caller's). In compose_service.cpp.
  Status ApplyService(const YAML::Node& svc, const std::string& path, ServiceState* state) const;

 private:
  void AddEntries(const YAML::Node& map, int depth, std::set<std::string>* seen,
                  std::vector<Entry>* out) const;

  const std::string& file_;
  const EnvLookup& env_;
  const ComposeOptions& options_;
};

}  // namespace infinity_sync::compose_internal
