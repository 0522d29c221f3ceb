// The compose file model: parse, interpolate, merge, and compose's project rules.
#include "cloud/compose.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
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
  bool extends = false;  // `extends:` is not followed; the image may come from there
  bool healthcheck = false;
  std::optional<bool> healthcheck_disabled;
  std::optional<std::vector<std::string>> profiles;
  std::optional<Placed<int>> scale;
  std::optional<Placed<int>> replicas;
  std::string where;  // where it was first defined
};

// Reads one file: every error is "file:line:col: key.path: message".
class FileReader {
 public:
  FileReader(const std::string& file, const EnvLookup& env) : file_(file), env_(env) {}

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

  // Every scalar value in the document must interpolate, as compose checks
  // the whole file and not only the keys it uses.
  Status CheckInterpolation(const YAML::Node& node, const std::string& path, int depth = 0) const {
    if (depth > kMaxDepth) return Fail(node, path, "nested too deeply");
    if (node.IsScalar()) {
      auto r = InterpolateCompose(node.Scalar(), env_);
      if (!r) return Fail(node, path, r.error());
    } else if (node.IsSequence()) {
      for (std::size_t i = 0; i < node.size(); ++i) {
        auto r = CheckInterpolation(node[i], fmt::format("{}[{}]", path, i), depth + 1);
        if (!r) return r;
      }
    } else if (node.IsMap()) {
      for (auto it = node.begin(); it != node.end(); ++it) {
        std::string key = it->first.IsScalar() ? it->first.Scalar() : "?";
        auto r = CheckInterpolation(it->second, path.empty() ? key : path + "." + key, depth + 1);
        if (!r) return r;
      }
    }
    return Ok{};
  }

  static bool IsReset(const YAML::Node& node) { return node.Tag() == "!reset"; }

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

  // Applies one service definition of this file onto `state`.
  Status ApplyService(const YAML::Node& svc, const std::string& path, ServiceState* state) const {
    if (!svc.IsMap()) return Fail(svc, path, "expected a mapping of service settings");
    if (state->where.empty()) state->where = Where(svc);
    for (const auto& [key_node, v] : Entries(svc)) {
      const std::string key = key_node.Scalar();
      std::string kp = path + "." + key;
      bool reset = IsReset(v);
      if (key == "image") {
        if (reset) {
          state->image.reset();
        } else {
          auto s = String(v, kp);
          if (!s) return Error{s.error()};
          state->image = Placed<std::string>{*s, Where(v)};
        }
      } else if (key == "extends") {
        state->extends = !reset;
      } else if (key == "build") {
        state->build = !reset && !v.IsNull();
      } else if (key == "healthcheck") {
        if (reset) {
          state->healthcheck = false;
          state->healthcheck_disabled.reset();
          continue;
        }
        if (!v.IsMap()) return Fail(v, kp, "expected a mapping (test, interval, ...)");
        state->healthcheck = true;
        if (YAML::Node d = Get(v, "disable"); d.IsDefined()) {
          auto s = String(d, kp + ".disable");
          if (!s) return Error{s.error()};
          if (*s != "true" && *s != "false") {
            return Fail(d, kp + ".disable", "expected true or false, got \"" + *s + "\"");
          }
          state->healthcheck_disabled = *s == "true";
        }
        if (YAML::Node t = Get(v, "test"); t.IsDefined()) {
          bool none =
              (t.IsSequence() && t.size() >= 1 && t[0].IsScalar() && t[0].Scalar() == "NONE") ||
              (t.IsScalar() && t.Scalar() == "NONE");
          if (none) state->healthcheck_disabled = true;
        }
      } else if (key == "profiles") {
        if (reset) {
          state->profiles.reset();
        } else {
          auto list = Strings(v, kp);
          if (!list) return Error{list.error()};
          state->profiles = *list;
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
        if (reset) {
          state->replicas.reset();
          continue;
        }
        if (v.IsNull()) continue;
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
};

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
  std::map<std::string, ServiceState> states;
  std::optional<Placed<std::string>> top_name;

  for (const auto& source : files) {
    FileReader reader(source.path, env);
    YAML::Node root;
    try {
      root = YAML::Load(source.text);
    } catch (const YAML::Exception& e) {
      return Error{
          fmt::format("{}:{}:{}: {}", source.path, e.mark.line + 1, e.mark.column + 1, e.msg)};
    }
    if (root.IsNull() || !root.IsDefined()) {
      return Error{source.path + ": the file is empty (expected a mapping with services:)"};
    }
    if (!root.IsMap()) return reader.Fail(root, "", "expected a mapping with services:");
    if (auto ok = reader.CheckInterpolation(root, ""); !ok) return Error{ok.error()};

    if (YAML::Node n = reader.Get(root, "name"); n.IsDefined() && !n.IsNull()) {
      auto s = reader.String(n, "name");
      if (!s) return Error{s.error()};
      top_name = Placed<std::string>{*s, reader.Where(n)};
    }
    YAML::Node services = reader.Get(root, "services");
    if (!services.IsDefined() || services.IsNull()) continue;
    if (!services.IsMap())
      return reader.Fail(services, "services", "expected a mapping of services");
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
      auto ok = reader.ApplyService(svc, "services." + name, &states[name]);
      if (!ok) return Error{ok.error()};
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
  } else if (top_name && !top_name->value.empty()) {
    project.name = top_name->value;
    project.name_source = "name: (" + top_name->where + ")";
  } else {
    std::string folder = std::filesystem::path(options.working_dir).filename().string();
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
    if (svc.image.empty() && !svc.build && !st.extends) {
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
