// The compose file model: parse, interpolate, merge, and compose's project rules.
#include "cloud/compose.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>

#include <fmt/format.h>

namespace infinity_sync {
namespace {

constexpr int kMaxDepth = 64;

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

// Reads one file: every error is "file:line:col: key.path: message".
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
  YAML::Node Get(const YAML::Node& map, const std::string& key, int depth = 0) const {
    if (!map.IsMap() || depth > kMaxDepth) return YAML::Node(YAML::NodeType::Undefined);
    // std::optional, not Node::operator=: assigning a Node merges the
    // document's whole memory set, which makes lookups quadratic.
    std::optional<YAML::Node> merge;
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (!it->first.IsScalar()) continue;
      const std::string& k = it->first.Scalar();
      if (k == key) return it->second;
      if (k == "<<") merge.emplace(it->second);
    }
    if (!merge) return YAML::Node(YAML::NodeType::Undefined);
    if (merge->IsMap()) return Get(*merge, key, depth + 1);
    if (merge->IsSequence()) {
      for (const auto& m : *merge) {
        YAML::Node found = Get(m, key, depth + 1);
        if (found.IsDefined()) return found;
      }
    }
    return YAML::Node(YAML::NodeType::Undefined);
  }

  // Entries (key, value) of `map` including those brought in by merge keys,
  // in order, once each: the map's own keys win over merged ones, earlier
  // merge sources over later ones. One pass, so large maps stay linear.
  using Entry = std::pair<YAML::Node, YAML::Node>;
  std::vector<Entry> Entries(const YAML::Node& map) const {
    std::vector<Entry> out;
    std::set<std::string> seen;
    AddEntries(map, 0, &seen, &out);
    return out;
  }
  void AddEntries(const YAML::Node& map, int depth, std::set<std::string>* seen,
                  std::vector<Entry>* out) const {
    if (!map.IsMap() || depth > kMaxDepth) return;
    std::optional<YAML::Node> merge;
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (!it->first.IsScalar()) continue;
      if (it->first.Scalar() == "<<") {
        merge.emplace(it->second);
      } else if (seen->insert(it->first.Scalar()).second) {
        out->emplace_back(it->first, it->second);
      }
    }
    if (merge && merge->IsMap()) AddEntries(*merge, depth + 1, seen, out);
    if (merge && merge->IsSequence()) {
      for (const auto& m : *merge) AddEntries(m, depth + 1, seen, out);
    }
  }

  // One walk over the whole document, aliases expanded: every scalar must
  // interpolate (compose checks the whole file, not only the keys it uses),
  // no mapping may repeat a key (compose v2 refuses them; YAML leaves the
  // winner undefined), and `visits` stays under kMaxComposeNodes, so an alias
  // bomb ends in a few milliseconds instead of expanding.
  Status Validate(const YAML::Node& node, const std::string& path, int depth,
                  std::size_t* visits) const {
    if (++*visits > kMaxComposeNodes) {
      return Error{fmt::format(
          "compose file too large: {} expands to more than {} YAML nodes with its aliases "
          "followed",
          file_, kMaxComposeNodes)};
    }
    if (depth > kMaxDepth) return Fail(node, path, "nested too deeply");
    if (node.IsScalar()) {
      auto r = InterpolateCompose(node.Scalar(), env_);
      if (!r) return Fail(node, path, r.error());
    } else if (node.IsSequence()) {
      for (std::size_t i = 0; i < node.size(); ++i) {
        auto r = Validate(node[i], fmt::format("{}[{}]", path, i), depth + 1, visits);
        if (!r) return r;
      }
    } else if (node.IsMap()) {
      std::map<std::string, YAML::Mark> keys;
      for (auto it = node.begin(); it != node.end(); ++it) {
        std::string key = it->first.IsScalar() ? it->first.Scalar() : "?";
        if (it->first.IsScalar()) {
          auto [at, fresh] = keys.emplace(key, it->first.Mark());
          if (!fresh) {
            return Fail(it->first, path.empty() ? key : path + "." + key,
                        fmt::format("duplicate key (first defined at line {}, column {})",
                                    at->second.line + 1, at->second.column + 1));
          }
        }
        auto r = Validate(it->second, path.empty() ? key : path + "." + key, depth + 1, visits);
        if (!r) return r;
      }
    }
    return Ok{};
  }

  static bool IsReset(const YAML::Node& node) { return node.Tag() == "!reset"; }
  static bool IsOverride(const YAML::Node& node) { return node.Tag() == "!override"; }

  Result<std::string> String(const YAML::Node& node, const std::string& path) const {
    if (!node.IsScalar()) return Fail(node, path, "expected a string");
    auto r = InterpolateCompose(node.Scalar(), env_);
    if (!r) return Fail(node, path, r.error());
    return *r;
  }

  Result<int> Count(const YAML::Node& node, const std::string& path) const {
    if (!node.IsScalar()) return Fail(node, path, "expected a whole number");
    auto text = String(node, path);
    if (!text) return Error{text.error()};
    int value = -1;
    const std::string& s = *text;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size() || value < 0) {
      return Fail(node, path, fmt::format("expected a whole number, got \"{}\"", s));
    }
    return value;
  }

  Result<bool> Bool(const YAML::Node& node, const std::string& path) const {
    auto s = String(node, path);
    if (!s) return Error{s.error()};
    if (*s == "true" || *s == "True" || *s == "TRUE") return true;
    if (*s == "false" || *s == "False" || *s == "FALSE") return false;
    return Fail(node, path, "expected true or false, got \"" + *s + "\"");
  }

  Result<std::vector<std::string>> Strings(const YAML::Node& node, const std::string& path) const {
    if (!node.IsSequence()) return Fail(node, path, "expected a list of strings");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < node.size(); ++i) {
      auto s = String(node[i], fmt::format("{}[{}]", path, i));
      if (!s) return Error{s.error()};
      out.push_back(*s);
    }
    return out;
  }

  // A path as a compose file writes it: relative to the file's folder.
  std::string Resolve(const std::string& p) const {
    std::filesystem::path path(p);
    if (path.is_relative()) path = std::filesystem::path(Dir()) / path;
    return path.lexically_normal().string();
  }

  // `env_file:` as a string, a list of strings, or a list of {path, required,
  // format}: a required file that does not exist is an Error naming it.
  Status CheckEnvFiles(const YAML::Node& v, const std::string& kp) const {
    std::vector<std::pair<YAML::Node, std::string>> items;  // node, path
    if (v.IsNull()) return Ok{};
    if (!v.IsScalar() && !v.IsSequence()) {
      return Fail(v, kp, "expected a file, or a list of files or of {path, required}");
    }
    std::vector<YAML::Node> entries;
    if (v.IsScalar()) {
      entries.push_back(v);
    } else {
      for (const auto& e : v) entries.push_back(e);
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const YAML::Node& e = entries[i];
      std::string ep = v.IsScalar() ? kp : fmt::format("{}[{}]", kp, i);
      bool required = true;
      // Initialised, never assigned: assigning a YAML::Node writes through it.
      const YAML::Node path_node = e.IsMap() ? Get(e, "path") : e;
      if (e.IsMap()) {
        if (!path_node.IsDefined()) return Fail(e, ep, "expected a path:");
        if (YAML::Node r = Get(e, "required"); r.IsDefined()) {
          auto b = Bool(r, ep + ".required");
          if (!b) return Error{b.error()};
          required = *b;
        }
        if (YAML::Node f = Get(e, "format"); f.IsDefined()) {
          auto s = String(f, ep + ".format");
          if (!s) return Error{s.error()};
        }
      }
      auto p = String(path_node, ep + (e.IsMap() ? ".path" : ""));
      if (!p) return Error{p.error()};
      std::string file = Resolve(*p);
      if (required && options_.file_exists && !options_.file_exists(file)) {
        return Fail(path_node, ep,
                    fmt::format("env file {} does not exist (write required: false in the long "
                                "form to make it optional)",
                                file));
      }
    }
    return Ok{};
  }

  // Applies one service definition of this file onto `state` (its `extends:`
  // is the caller's).
  Status ApplyService(const YAML::Node& svc, const std::string& path, ServiceState* state) const {
    if (!svc.IsMap()) return Fail(svc, path, "expected a mapping of service settings");
    if (state->where.empty()) state->where = Where(svc);
    for (const auto& [key_node, v] : Entries(svc)) {
      const std::string key = key_node.Scalar();
      std::string kp = path + "." + key;
      bool reset = IsReset(v);
      bool replace = IsOverride(v);
      if (key == "image") {
        if (reset) {
          state->image.reset();
        } else {
          auto s = String(v, kp);
          if (!s) return Error{s.error()};
          state->image = Placed<std::string>{*s, Where(v)};
        }
      } else if (key == "build") {
        state->build = !reset && !v.IsNull();
      } else if (key == "env_file") {
        if (reset) continue;
        if (auto ok = CheckEnvFiles(v, kp); !ok) return ok;
      } else if (key == "depends_on") {
        if (reset || replace) state->depends_on.clear();
        if (reset || v.IsNull()) continue;
        if (v.IsSequence()) {
          auto names = Strings(v, kp);
          if (!names) return Error{names.error()};
          for (std::size_t i = 0; i < names->size(); ++i) {
            state->depends_on.emplace((*names)[i], Where(v[i]));
          }
        } else if (v.IsMap()) {
          for (const auto& [dep_key, dep] : Entries(v)) {
            auto name = String(dep_key, kp);
            if (!name) return Error{name.error()};
            state->depends_on.emplace(*name, Where(dep_key));
          }
        } else {
          return Fail(v, kp, "expected a list of services or a mapping of service: condition");
        }
      } else if (key == "healthcheck") {
        if (reset || replace) {
          state->healthcheck = false;
          state->healthcheck_disabled.reset();
        }
        if (reset) continue;
        if (!v.IsMap()) return Fail(v, kp, "expected a mapping (test, interval, ...)");
        state->healthcheck = true;
        if (YAML::Node d = Get(v, "disable"); d.IsDefined()) {
          auto b = Bool(d, kp + ".disable");
          if (!b) return Error{b.error()};
          state->healthcheck_disabled = *b;
        }
        if (YAML::Node t = Get(v, "test"); t.IsDefined()) {
          bool none =
              (t.IsSequence() && t.size() >= 1 && t[0].IsScalar() && t[0].Scalar() == "NONE") ||
              (t.IsScalar() && t.Scalar() == "NONE");
          if (none) state->healthcheck_disabled = true;
        }
      } else if (key == "profiles") {
        if (reset || replace) state->profiles.reset();
        if (reset) continue;
        auto list = Strings(v, kp);
        if (!list) return Error{list.error()};
        // Sequences merge: the later file's profiles are added, once each.
        auto& have = state->profiles.emplace(state->profiles.value_or(std::vector<std::string>{}));
        for (auto& p : *list) {
          if (std::find(have.begin(), have.end(), p) == have.end()) have.push_back(p);
        }
      } else if (key == "scale") {
        if (reset) {
          state->scale.reset();
        } else {
          auto n = Count(v, kp);
          if (!n) return Error{n.error()};
          state->scale = Placed<int>{*n, Where(v)};
        }
      } else if (key == "deploy") {
        if (reset || replace) state->replicas.reset();
        if (reset || v.IsNull()) continue;
        if (!v.IsMap()) return Fail(v, kp, "expected a mapping (replicas, resources, ...)");
        YAML::Node r = Get(v, "replicas");
        if (!r.IsDefined()) continue;
        if (IsReset(r)) {
          state->replicas.reset();
        } else {
          auto n = Count(r, kp + ".replicas");
          if (!n) return Error{n.error()};
          state->replicas = Placed<int>{*n, Where(r)};
        }
      }
    }
    return Ok{};
  }

 private:
  const std::string& file_;
  const EnvLookup& env_;
  const ComposeOptions& options_;
};

// A parsed, validated compose file.
struct Document {
  std::string path;
  EnvLookup env;
  YAML::Node root;
  std::unique_ptr<FileReader> reader;
};

bool IsRemote(const std::string& path) {
  return path.find("://") != std::string::npos || path.rfind("git@", 0) == 0;
}

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
  Result<Document*> Parse(const std::string& path, const std::string& text, EnvLookup env) {
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

  Result<Document*> ReadAndParse(const std::string& path, const EnvLookup& env,
                                 const std::string& what) {
    if (!options_.read_file) return Error{fmt::format("{}: cannot read {}", what, path)};
    auto text = options_.read_file(path);
    if (!text) return Error{fmt::format("{}: {}", what, text.error())};
    return Parse(path, *text, env);
  }

  // Applies one file: its includes first (their services are the base this
  // file overrides), then its services.
  Status Apply(Document& doc, bool top_level, std::vector<std::string> include_chain) {
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
    if (!services.IsMap())
      return reader.Fail(services, "services", "expected a mapping of services");
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

 private:
  // Applies service `name` of `doc` onto `state`, its extends: base first.
  Status ApplyExtended(Document& doc, const YAML::Node& services, const std::string& name,
                       const YAML::Node& svc, ServiceState* state, std::vector<std::string> chain) {
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
        if (!s.IsDefined())
          return reader.Fail(ext, ep, "expected service: (the service to extend)");
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
                           fmt::format("cannot extend service \"{}\": no service \"{}\" in {}",
                                       name, ref, base_doc->path));
      }
      auto ok = ApplyExtended(*base_doc, base_services, ref, base, state, chain);
      if (!ok) return ok;
    }
    return reader.ApplyService(svc, path, state);
  }

  // include: a list of paths, or of {path (one or a list), project_directory,
  // env_file}. Each included project is loaded with its own .env (or
  // env_file) under the including project's variables.
  Status ApplyIncludes(Document& doc, const YAML::Node& inc,
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
      EnvLookup env = LayerEnvOver(doc.env, std::move(vars));
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

  static EnvLookup LayerEnvOver(EnvLookup over, std::map<std::string, std::string> under) {
    return [over = std::move(over),
            under = std::move(under)](const std::string& name) -> std::optional<std::string> {
      if (auto v = over(name)) return v;
      auto it = under.find(name);
      if (it != under.end()) return it->second;
      return std::nullopt;
    };
  }

  const ComposeOptions& options_;
  std::vector<std::unique_ptr<Document>> docs_;
  std::map<std::string, Document*> cache_;  // extends.file documents by path
  std::size_t visits_ = 0;                  // nodes validated, over every file
};

// A depends_on cycle from `name`, as "a -> b -> a", or "".
std::string FindCycle(const std::string& name, const std::map<std::string, ServiceState>& states,
                      std::map<std::string, int>* color, std::vector<std::string>* stack) {
  (*color)[name] = 1;
  stack->push_back(name);
  auto it = states.find(name);
  if (it != states.end()) {
    for (const auto& [dep, where] : it->second.depends_on) {
      int c = (*color)[dep];
      if (c == 1) {
        std::string out;
        auto from = std::find(stack->begin(), stack->end(), dep);
        for (auto s = from; s != stack->end(); ++s) out += *s + " -> ";
        return out + dep;
      }
      if (c == 0) {
        std::string found = FindCycle(dep, states, color, stack);
        if (!found.empty()) return found;
      }
    }
  }
  stack->pop_back();
  (*color)[name] = 2;
  return "";
}

std::vector<std::string> SplitProfiles(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string p = text.substr(start, comma - start);
    p.erase(0, p.find_first_not_of(" \t"));
    p.erase(p.find_last_not_of(" \t") + 1);
    if (!p.empty()) out.push_back(p);
    start = comma + 1;
  }
  return out;
}

}  // namespace

const ComposeService* ComposeProject::Find(const std::string& name) const {
  for (const auto& s : services) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

Result<ComposeProject> LoadComposeProject(const std::vector<ComposeSource>& files,
                                          const ComposeOptions& options, const EnvLookup& env) {
  if (files.empty()) return Error{"no compose file given"};
  ProjectLoader loader(options);
  for (const auto& source : files) {
    auto doc = loader.Parse(source.path, source.text, env);
    if (!doc) return Error{doc.error()};
    if (auto ok = loader.Apply(**doc, true, {}); !ok) return Error{ok.error()};
  }
  std::map<std::string, ServiceState>& states = loader.states;
  const std::optional<Placed<std::string>>& top_name = loader.top_name;
  std::vector<std::string> paths;
  for (const auto& f : files) paths.push_back(f.path);
  if (states.empty()) {
    if (!loader.v1_files.empty()) {
      return Error{fmt::format(
          "{}: the version 1 format (services at the top level) is not read by compose v2: "
          "put the services under services:",
          loader.v1_files.front())};
    }
    std::string list;
    for (const auto& p : paths) list += (list.empty() ? "" : ", ") + p;
    return Error{fmt::format("no services defined in {}", list)};
  }
  for (const auto& [name, st] : states) {
    for (const auto& [dep, where] : st.depends_on) {
      if (states.count(dep) == 0) {
        return Error{fmt::format("{}: services.{}.depends_on: service \"{}\" is not defined", where,
                                 name, dep)};
      }
    }
  }
  std::map<std::string, int> color;
  for (const auto& [name, st] : states) {
    if (color[name] != 0) continue;
    std::vector<std::string> stack;
    std::string cycle = FindCycle(name, states, &color, &stack);
    if (!cycle.empty()) {
      return Error{fmt::format("{}: services.{}.depends_on: dependency cycle {}",
                               states.at(stack.front()).where, stack.front(), cycle)};
    }
  }

  ComposeProject project;
  for (const auto& f : files) project.files.push_back(f.path);
  project.working_dir = options.working_dir;

  // Project name: explicit > COMPOSE_PROJECT_NAME > name: > the folder.
  std::string env_name = env("COMPOSE_PROJECT_NAME").value_or("");
  if (!options.project_name.empty()) {
    project.name = options.project_name;
    project.name_source = "docker.project_name";
  } else if (!env_name.empty()) {
    project.name = env_name;
    project.name_source = "COMPOSE_PROJECT_NAME";
  } else if (top_name && !NormalizeProjectName(top_name->value).empty()) {
    // compose v2 normalises a name: like a folder name rather than refusing it.
    project.name = NormalizeProjectName(top_name->value);
    project.name_source = "name: (" + top_name->where + ")";
  } else {
    // "/srv/app/." and "/srv/app/" name the folder app, as a relative
    // --config ./infinity-sync.yaml gives them.
    std::filesystem::path dir = std::filesystem::path(options.working_dir).lexically_normal();
    if (dir.filename().empty() && dir.has_parent_path()) dir = dir.parent_path();
    std::string folder = dir.filename().string();
    project.name = NormalizeProjectName(folder);
    project.name_source = "folder";
    if (project.name.empty()) {
      return Error{fmt::format(
          "cannot derive a project name from the folder \"{}\": set name: in the compose file "
          "or docker.project_name",
          folder)};
    }
  }
  if (!IsValidProjectName(project.name)) {
    return Error{fmt::format(
        "project name \"{}\" (from {}) is not valid: use lowercase letters, digits, '-' and '_', "
        "starting with a letter or digit",
        project.name, project.name_source)};
  }

  project.active_profiles = !options.profiles.empty()
                                ? options.profiles
                                : SplitProfiles(env("COMPOSE_PROFILES").value_or(""));
  bool all_profiles = std::find(project.active_profiles.begin(), project.active_profiles.end(),
                                "*") != project.active_profiles.end();

  for (auto& [name, st] : states) {
    ComposeService svc;
    svc.name = name;
    svc.build = st.build.value_or(false);
    if (st.image) svc.image = st.image->value;
    if (svc.image.empty() && !svc.build) {
      return Error{
          fmt::format("{}: services.{}: has neither an image nor a build context", st.where, name)};
    }
    svc.healthcheck = st.healthcheck && !st.healthcheck_disabled.value_or(false);
    svc.profiles = st.profiles.value_or(std::vector<std::string>{});
    if (st.scale && st.replicas && st.scale->value != st.replicas->value) {
      return Error{fmt::format(
          "{}: services.{}: scale ({}) and deploy.replicas ({}, at {}) differ; compose refuses "
          "distinct values",
          st.scale->where, name, st.scale->value, st.replicas->value, st.replicas->where)};
    }
    svc.replicas = st.scale ? st.scale->value : st.replicas ? st.replicas->value : 1;
    svc.enabled = svc.profiles.empty() || all_profiles;
    for (const auto& p : svc.profiles) {
      if (std::find(project.active_profiles.begin(), project.active_profiles.end(), p) !=
          project.active_profiles.end()) {
        svc.enabled = true;
      }
    }
    project.services.push_back(std::move(svc));
  }
  return project;
}

}  // namespace infinity_sync
