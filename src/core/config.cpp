#include "core/config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/config_keys.h"
#include "core/config_walker.h"
#include "core/host_name.h"
#include "core/regular_file.h"

namespace infinity_sync {
namespace {

namespace fs = std::filesystem;

std::string ResolvePath(const fs::path& base, const std::string& p) {
  if (p.empty()) return p;
  fs::path path(p);
  if (path.is_relative()) path = base / path;
  std::string out = path.lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::string ReplaceAll(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t pos = s.find(from); pos != std::string::npos;
       pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

// Fills what defaults to other settings, once every key is read.
// Defaults written in SPEC as ${VAR:-}: they hold before the file is read, so
// a key the file sets wins and an absent one still follows the environment.
void ApplyEnvironmentDefaults(const EnvLookup& env, Config* cfg) {
  cfg->server.token = env("INFINITY_SYNC_TOKEN").value_or("");
}

void ApplyDerivedDefaults(Config* cfg) {
  if (cfg->project.empty()) cfg->project = cfg->base_dir.filename().string();
  if (cfg->environment.empty()) cfg->environment = HostName();
  cfg->status_file = ResolvePath(cfg->base_dir, cfg->status_file);
  cfg->git.repo = ResolvePath(cfg->base_dir, cfg->git.repo);
  cfg->tls.ca_file = ResolvePath(cfg->base_dir, cfg->tls.ca_file);
  for (auto& f : cfg->docker.compose_files) f = ResolvePath(cfg->base_dir, f);
  for (auto& f : cfg->projects) f = ResolvePath(cfg->base_dir, f);
  if (cfg->gcp.service.empty()) cfg->gcp.service = cfg->project;
  if (cfg->cloudflare.url.empty() && !cfg->cloudflare.domain.empty()) {
    cfg->cloudflare.url = "https://" + cfg->cloudflare.domain;
  }
  auto& t = cfg->heartbeat.targets;
  if (t["github"].name.empty()) t["github"].name = "GitHub API";
  if (t["github"].url.empty()) t["github"].url = "{github.api_url}/rate_limit";
  if (t["gcp"].name.empty()) t["gcp"].name = "Google Cloud API";
  if (t["gcp"].url.empty()) t["gcp"].url = "{gcp.api_url}/";
  if (t["cloudflare"].name.empty()) t["cloudflare"].name = "Cloudflare ({cloudflare.domain})";
  if (t["cloudflare"].url.empty()) t["cloudflare"].url = "{cloudflare.url}";
  for (auto& [key, target] : t) {
    for (std::string* s : {&target.name, &target.url}) {
      *s = ReplaceAll(*s, "{github.api_url}", cfg->github.api_url);
      *s = ReplaceAll(*s, "{gcp.api_url}", cfg->gcp.api_url);
      *s = ReplaceAll(*s, "{cloudflare.domain}", cfg->cloudflare.domain);
      *s = ReplaceAll(*s, "{cloudflare.url}", cfg->cloudflare.url);
    }
  }
  if (!cfg->store.empty() && cfg->store.rfind("sqlite:", 0) == 0) {
    cfg->store = "sqlite:" + ResolvePath(cfg->base_dir, cfg->store.substr(7));
  }
}

}  // namespace

std::string ConfigError::ToString() const {
  std::string where = file;
  if (line > 0) where += fmt::format(":{}:{}", line, column);
  std::string out = where + ": ";
  if (!key_path.empty()) out += key_path + ": ";
  return out + message;
}

std::variant<Config, ConfigError> ParseConfig(const std::string& text, const std::string& file,
                                              const fs::path& base_dir, const EnvLookup& env) {
  Config cfg;
  cfg.source = file;
  cfg.base_dir = base_dir;
  ApplyEnvironmentDefaults(env, &cfg);
  config_detail::Walker w(file, env);
  try {
    YAML::Node root = YAML::Load(text);
    if (config_detail::Walker::Present(root)) config_detail::ParseInto(w, root, &cfg);
  } catch (const config_detail::ConfigFailure& f) {
    return f.error;
  } catch (const YAML::Exception& e) {
    ConfigError err;
    err.file = file;
    if (e.mark.line >= 0) {
      err.line = e.mark.line + 1;
      err.column = e.mark.column + 1;
    }
    err.message = "invalid YAML: " + e.msg;
    return err;
  }
  ApplyDerivedDefaults(&cfg);
  return cfg;
}

std::optional<fs::path> FindRepoRoot(const fs::path& start) {
  std::error_code ec;
  fs::path dir = fs::absolute(start, ec).lexically_normal();
  while (true) {
    if (fs::exists(dir / ".git", ec)) return dir;
    if (!dir.has_parent_path() || dir.parent_path() == dir) return std::nullopt;
    dir = dir.parent_path();
  }
}

std::variant<Config, ConfigError> LoadConfig(const std::string& explicit_file, const fs::path& cwd,
                                             const EnvLookup& env) {
  std::error_code ec;
  fs::path file;
  fs::path base;
  if (!explicit_file.empty()) {
    file = fs::path(explicit_file);
    if (file.is_relative()) file = cwd / file;
    base = file.parent_path();
  } else {
    base = FindRepoRoot(cwd).value_or(fs::absolute(cwd, ec).lexically_normal());
    for (const char* name : {"infinity-sync.yaml", "infinity-sync.yml"}) {
      if (fs::exists(base / name, ec)) {
        file = base / name;
        break;
      }
    }
  }
  if (file.empty()) {
    Config cfg;
    cfg.base_dir = base;
    ApplyEnvironmentDefaults(env, &cfg);
    ApplyDerivedDefaults(&cfg);
    return cfg;
  }
  std::string shown = explicit_file.empty() ? file.lexically_relative(cwd).string() : explicit_file;
  if (shown.empty() || shown.rfind("..", 0) == 0) shown = file.string();
  std::string reason;
  auto text = ReadRegularFile(file.string(), kConfigFileLimit, &reason);
  if (!text) {
    ConfigError err;
    err.file = shown;
    err.message = !fs::exists(file, ec) ? "no such configuration file"
                                        : "cannot read the configuration file: " + reason;
    return err;
  }
  return ParseConfig(*text, shown, base.lexically_normal(), env);
}

}  // namespace infinity_sync
