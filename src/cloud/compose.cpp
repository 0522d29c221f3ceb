// The compose file model: the project rules (names, profiles, replicas,
// depends_on) over the services compose_loader.cpp merged from the files.
#include "cloud/compose.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "cloud/compose_loader.h"

namespace infinity_sync {
namespace {

using compose_internal::Placed;
using compose_internal::ProjectLoader;
using compose_internal::ServiceState;

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
