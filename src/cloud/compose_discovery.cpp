#include "cloud/compose_discovery.h"

#include <fmt/format.h>

namespace infinity_sync {
namespace {

namespace fs = std::filesystem;

const char* const kComposeNames[] = {"compose.yaml", "compose.yml", "docker-compose.yml",
                                     "docker-compose.yaml"};
const char* const kOverrideNames[] = {"compose.override.yml", "compose.override.yaml",
                                      "docker-compose.override.yml",
                                      "docker-compose.override.yaml"};

bool IsFile(FileSystem& files, const fs::path& path) {
  return files.Stat(path.string()).has_value();
}

// "/srv/app/." and "/srv/app/" as "/srv/app".
fs::path Clean(const fs::path& dir) {
  fs::path out = dir.lexically_normal();
  if (out.filename().empty() && out.has_parent_path() && out != out.root_path()) {
    out = out.parent_path();
  }
  return out;
}

// The .env of `dir`, or no variables when it has none.
Result<std::map<std::string, std::string>> ReadDotEnv(const fs::path& dir, const EnvLookup& env,
                                                      FileSystem& files) {
  fs::path path = dir / ".env";
  if (!IsFile(files, path)) return std::map<std::string, std::string>{};
  auto text = ReadComposeText(files, path.string());
  if (!text) return Error{text.error()};
  return ParseDotEnv(*text, path.string(), env);
}

std::vector<std::string> Split(const std::string& text, const std::string& sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    std::size_t at = text.find(sep, start);
    std::string part = text.substr(start, at == std::string::npos ? std::string::npos : at - start);
    if (!part.empty()) out.push_back(part);
    if (at == std::string::npos) break;
    start = at + sep.size();
  }
  return out;
}

}  // namespace

Result<std::string> ReadComposeText(FileSystem& files, const std::string& path) {
  return files.ReadFile(path, kComposeFileLimit);
}

Result<ComposeDiscovery> DiscoverComposeFiles(const fs::path& start_dir,
                                              const std::vector<std::string>& configured,
                                              const EnvLookup& env, FileSystem& files) {
  ComposeDiscovery out;
  const fs::path start = Clean(start_dir);
  std::vector<std::string> explicit_files;
  if (!configured.empty()) {
    out.origin = "docker.compose_files";
    explicit_files = configured;
  } else {
    auto dotenv = ReadDotEnv(start, env, files);
    if (!dotenv) return Error{dotenv.error()};
    EnvLookup layered = LayerEnv(env, *dotenv);
    std::string list = layered("COMPOSE_FILE").value_or("");
    if (!list.empty()) {
      out.origin = "COMPOSE_FILE";
      std::string sep = layered("COMPOSE_PATH_SEPARATOR").value_or("");
      for (auto& f : Split(list, sep.empty() ? ":" : sep)) {
        fs::path p(f);
        explicit_files.push_back((p.is_relative() ? start / p : p).lexically_normal().string());
      }
    }
  }
  if (!explicit_files.empty()) {
    for (const auto& f : explicit_files) {
      if (!IsFile(files, f)) {
        return Error{fmt::format("compose file {} (from {}) does not exist", f, out.origin)};
      }
    }
    out.files = explicit_files;
    out.working_dir = Clean(fs::path(explicit_files.front()).parent_path()).string();
    return out;
  }

  out.origin = "discovered";
  fs::path dir = start;
  while (true) {
    out.searched.push_back(dir.string());
    for (const char* name : kComposeNames) {
      fs::path candidate = dir / name;
      if (!IsFile(files, candidate)) continue;
      out.files.push_back(candidate.string());
      out.working_dir = dir.string();
      // The override named like the file first, then compose's order.
      std::string stem = candidate.stem().string();
      std::string matching = stem + ".override" + candidate.extension().string();
      std::vector<std::string> overrides = {matching};
      for (const char* o : kOverrideNames) overrides.push_back(o);
      for (const auto& o : overrides) {
        if (IsFile(files, dir / o)) {
          out.files.push_back((dir / o).string());
          break;
        }
      }
      out.searched.clear();
      return out;
    }
    if (!dir.has_parent_path() || dir.parent_path() == dir) break;
    dir = dir.parent_path();
  }
  return out;
}

Result<ComposeProject> ReadComposeProject(const ComposeDiscovery& discovery,
                                          const ComposeOptions& options, const EnvLookup& env,
                                          FileSystem& files) {
  auto dotenv = ReadDotEnv(discovery.working_dir, env, files);
  if (!dotenv) return Error{dotenv.error()};
  EnvLookup layered = LayerEnv(env, *dotenv);
  std::vector<ComposeSource> sources;
  for (const auto& f : discovery.files) {
    auto text = ReadComposeText(files, f);
    if (!text) return Error{text.error()};
    sources.push_back({f, *text});
  }
  ComposeOptions opts = options;
  opts.working_dir = discovery.working_dir;
  opts.read_file = [&files](const std::string& path) -> Result<std::string> {
    if (!IsFile(files, path)) return Error{fmt::format("{} does not exist", path)};
    return ReadComposeText(files, path);
  };
  opts.file_exists = [&files](const std::string& path) { return IsFile(files, path); };
  return LoadComposeProject(sources, opts, layered);
}

}  // namespace infinity_sync
