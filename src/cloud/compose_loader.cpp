// Loading a project's files onto one map of service states: include: and
// extends: followed through the caller's read_file, cycles refused.
#include "cloud/compose_loader.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

namespace infinity_sync::compose_internal {

namespace {

bool IsRemote(const std::string& path) {
  return path.find("://") != std::string::npos || path.rfind("git@", 0) == 0;
}

}  // namespace

Result<Document*> ProjectLoader::Parse(const std::string& path, const std::string& text,
                                       EnvLookup env) {
  if (text.size() > kMaxComposeFileBytes) {
    return Error{fmt::format("compose file too large: {} is {} bytes (the limit is {} MiB)", path,
                             text.size(), kMaxComposeFileBytes >> 20)};
  }
  auto doc = std::make_unique<Document>();
  doc->path = path;
  doc->env = std::move(env);
  try {
    doc->root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Error{fmt::format("{}:{}:{}: {}", path, e.mark.line + 1, e.mark.column + 1, e.msg)};
  }
  doc->reader = std::make_unique<FileReader>(doc->path, doc->env, options_);
  const YAML::Node& root = doc->root;
  if (root.IsNull() || !root.IsDefined()) {
    return Error{path + ": the file is empty (expected a mapping with services:)"};
  }
  if (!root.IsMap()) return doc->reader->Fail(root, "", "expected a mapping with services:");
  if (auto ok = doc->reader->Validate(root, "", 0, &visits_); !ok) return Error{ok.error()};
  docs_.push_back(std::move(doc));
  return docs_.back().get();
}

Result<Document*> ProjectLoader::ReadAndParse(const std::string& path, const EnvLookup& env,
                                              const std::string& what) {
  if (!options_.read_file) return Error{fmt::format("{}: cannot read {}", what, path)};
  auto text = options_.read_file(path);
  if (!text) return Error{fmt::format("{}: {}", what, text.error())};
  return Parse(path, *text, env);
}

Status ProjectLoader::Apply(Document& doc, bool top_level, std::vector<std::string> include_chain) {
  const FileReader& reader = *doc.reader;
  const YAML::Node& root = doc.root;
  include_chain.push_back(doc.path);
  if (top_level) {
    if (YAML::Node n = reader.Get(root, "name"); n.IsDefined() && !n.IsNull()) {
      auto s = reader.String(n, "name");
      if (!s) return Error{s.error()};
      top_name = Placed<std::string>{*s, reader.Where(n)};
    }
  }
  if (YAML::Node inc = reader.Get(root, "include"); inc.IsDefined() && !inc.IsNull()) {
    if (auto ok = ApplyIncludes(doc, inc, include_chain); !ok) return ok;
  }
  YAML::Node services = reader.Get(root, "services");
  if (!services.IsDefined() || services.IsNull()) {
    if (!reader.Get(root, "version").IsDefined() && !reader.Get(root, "include").IsDefined()) {
      // Version 1: services at the top level, each a mapping with image/build.
      for (const auto& [k, v] : reader.Entries(root)) {
        if (v.IsMap() &&
            (reader.Get(v, "image").IsDefined() || reader.Get(v, "build").IsDefined())) {
          v1_files.push_back(doc.path);
          break;
        }
      }
    }
    return Ok{};
  }
  if (!services.IsMap()) return reader.Fail(services, "services", "expected a mapping of services");
  service_files.push_back(doc.path);
  for (const auto& [key_node, svc] : reader.Entries(services)) {
    const std::string name = key_node.Scalar();
    if (FileReader::IsReset(svc)) {
      states.erase(name);
      continue;
    }
    if (!svc.IsMap()) {
      // A bare `web:` has no place of its own: point at the key.
      return reader.Fail(svc.IsNull() ? key_node : svc, "services." + name,
                         "expected a mapping of service settings");
    }
    ServiceState& state = states[name];
    if (FileReader::IsOverride(svc)) state = ServiceState{};
    auto ok = ApplyExtended(doc, services, name, svc, &state, {});
    if (!ok) return ok;
  }
  return Ok{};
}

Status ProjectLoader::ApplyExtended(Document& doc, const YAML::Node& services,
                                    const std::string& name, const YAML::Node& svc,
                                    ServiceState* state, std::vector<std::string> chain) {
  const FileReader& reader = *doc.reader;
  std::string here = doc.path + ":" + name;
  std::string path = "services." + name;
  if (std::find(chain.begin(), chain.end(), here) != chain.end()) {
    std::string shown;
    for (const auto& c : chain) shown += c + " -> ";
    return reader.Fail(svc, path, "extends cycle: " + shown + here);
  }
  chain.push_back(here);
  YAML::Node ext = reader.Get(svc, "extends");
  if (ext.IsDefined() && !ext.IsNull() && !FileReader::IsReset(ext)) {
    std::string ref;
    std::string file;
    std::string ep = path + ".extends";
    if (ext.IsScalar()) {
      auto s = reader.String(ext, ep);
      if (!s) return Error{s.error()};
      ref = *s;
    } else if (ext.IsMap()) {
      YAML::Node s = reader.Get(ext, "service");
      if (!s.IsDefined()) return reader.Fail(ext, ep, "expected service: (the service to extend)");
      auto sv = reader.String(s, ep + ".service");
      if (!sv) return Error{sv.error()};
      ref = *sv;
      if (YAML::Node f = reader.Get(ext, "file"); f.IsDefined() && !f.IsNull()) {
        auto fv = reader.String(f, ep + ".file");
        if (!fv) return Error{fv.error()};
        file = *fv;
      }
    } else {
      return reader.Fail(ext, ep, "expected a service name or {service, file}");
    }
    Document* base_doc = &doc;
    if (!file.empty()) {
      if (IsRemote(file)) return reader.Fail(ext, ep, "remote extends not supported: " + file);
      std::string resolved = reader.Resolve(file);
      auto found = cache_.find(resolved);
      if (found == cache_.end()) {
        auto parsed = ReadAndParse(resolved, doc.env, reader.Where(ext) + ": " + ep + ".file");
        if (!parsed) return Error{parsed.error()};
        found = cache_.emplace(resolved, *parsed).first;
      }
      base_doc = found->second;
    }
    // Initialised, never assigned: assigning a YAML::Node writes through it.
    const YAML::Node base_services =
        file.empty() ? services : base_doc->reader->Get(base_doc->root, "services");
    YAML::Node base = base_doc->reader->Get(base_services, ref);
    if (!base.IsDefined() || !base.IsMap()) {
      return reader.Fail(ext, ep,
                         fmt::format("cannot extend service \"{}\": no service \"{}\" in {}", name,
                                     ref, base_doc->path));
    }
    auto ok = ApplyExtended(*base_doc, base_services, ref, base, state, chain);
    if (!ok) return ok;
  }
  return reader.ApplyService(svc, path, state);
}

Status ProjectLoader::ApplyIncludes(Document& doc, const YAML::Node& inc,
                                    const std::vector<std::string>& chain) {
  const FileReader& reader = *doc.reader;
  if (!inc.IsSequence()) return reader.Fail(inc, "include", "expected a list of files");
  for (std::size_t i = 0; i < inc.size(); ++i) {
    const YAML::Node& entry = inc[i];
    std::string ip = fmt::format("include[{}]", i);
    std::vector<std::pair<YAML::Node, std::string>> paths;
    std::string project_dir;
    std::vector<std::string> env_files;
    if (entry.IsScalar()) {
      auto s = reader.String(entry, ip);
      if (!s) return Error{s.error()};
      paths.emplace_back(entry, *s);
    } else if (entry.IsMap()) {
      YAML::Node p = reader.Get(entry, "path");
      if (!p.IsDefined()) return reader.Fail(entry, ip, "expected path:");
      if (p.IsSequence()) {
        for (std::size_t k = 0; k < p.size(); ++k) {
          auto s = reader.String(p[k], fmt::format("{}.path[{}]", ip, k));
          if (!s) return Error{s.error()};
          paths.emplace_back(p[k], *s);
        }
      } else {
        auto s = reader.String(p, ip + ".path");
        if (!s) return Error{s.error()};
        paths.emplace_back(p, *s);
      }
      if (YAML::Node d = reader.Get(entry, "project_directory"); d.IsDefined() && !d.IsNull()) {
        auto s = reader.String(d, ip + ".project_directory");
        if (!s) return Error{s.error()};
        project_dir = reader.Resolve(*s);
      }
      if (YAML::Node e = reader.Get(entry, "env_file"); e.IsDefined() && !e.IsNull()) {
        if (e.IsSequence()) {
          auto list = reader.Strings(e, ip + ".env_file");
          if (!list) return Error{list.error()};
          for (const auto& f : *list) env_files.push_back(reader.Resolve(f));
        } else {
          auto f = reader.String(e, ip + ".env_file");
          if (!f) return Error{f.error()};
          env_files.push_back(reader.Resolve(*f));
        }
      }
    } else {
      return reader.Fail(entry, ip, "expected a file or {path, project_directory, env_file}");
    }
    if (paths.empty()) return reader.Fail(entry, ip, "expected at least one path");
    for (const auto& [node, p] : paths) {
      if (IsRemote(p)) return reader.Fail(node, ip, "remote include not supported: " + p);
    }
    std::string first = reader.Resolve(paths.front().second);
    if (project_dir.empty()) project_dir = std::filesystem::path(first).parent_path().string();
    if (env_files.empty()) {
      std::string dotenv = (std::filesystem::path(project_dir) / ".env").string();
      if (options_.file_exists && options_.file_exists(dotenv)) env_files.push_back(dotenv);
    }
    std::map<std::string, std::string> vars;
    for (const auto& f : env_files) {
      if (!options_.read_file) return reader.Fail(entry, ip, "cannot read " + f);
      auto text = options_.read_file(f);
      if (!text) return reader.Fail(entry, ip + ".env_file", text.error());
      auto parsed = ParseDotEnv(*text, f, doc.env);
      if (!parsed) return Error{parsed.error()};
      for (auto& [k, v] : *parsed) vars.insert_or_assign(k, v);
    }
    EnvLookup env = LayerEnv(doc.env, std::move(vars));
    for (const auto& [node, p] : paths) {
      std::string file = reader.Resolve(p);
      if (std::find(chain.begin(), chain.end(), file) != chain.end()) {
        std::string shown;
        for (const auto& c : chain) shown += c + " -> ";
        return reader.Fail(node, ip, "include cycle: " + shown + file);
      }
      auto parsed = ReadAndParse(file, env, reader.Where(node) + ": " + ip);
      if (!parsed) return Error{parsed.error()};
      auto ok = Apply(**parsed, false, chain);
      if (!ok) return ok;
    }
  }
  return Ok{};
}

}  // namespace infinity_sync::compose_internal
