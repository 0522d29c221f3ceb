#include "checks/docker_verdict.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

namespace infinity_sync {
namespace {

using nlohmann::json;

std::string Join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

// The worst health among containers: unhealthy > starting > healthy > none.
std::string WorstHealth(const std::vector<const DockerContainer*>& containers) {
  int rank = 0;
  for (const auto* c : containers) {
    int r = c->health == "unhealthy"  ? 3
            : c->health == "starting" ? 2
            : c->health == "healthy"  ? 1
                                      : 0;
    rank = std::max(rank, r);
  }
  static const char* const kNames[] = {"none", "healthy", "starting", "unhealthy"};
  return kNames[rank];
}

bool Running(const DockerContainer& c) { return c.state == "running"; }

// Running containers of services not defined: compose's orphans.
bool Alive(const DockerContainer& c) {
  return c.state == "running" || c.state == "restarting" || c.state == "paused";
}

std::string ShownFile(const std::string& file, const std::string& working_dir) {
  std::filesystem::path p(file);
  if (!working_dir.empty() && p.parent_path() == std::filesystem::path(working_dir)) {
    return p.filename().string();
  }
  return file;
}

// The image name `c` runs that `svc` defines (or builds): the defined name,
// else the container's own for a build-only service; "" when they differ.
std::string ComparableImage(const ComposeService& svc, const DockerContainer& c) {
  // Once its name has moved to another image, the Engine lists a container's
  // image by ID ("sha256:..."): the container still is the service's.
  bool by_id = c.image.rfind("sha256:", 0) == 0;
  if (svc.image.empty()) return svc.build && !by_id ? c.image : "";
  if (by_id && NormalizeImageRef(svc.image) != "") return svc.image;
  std::string want = NormalizeImageRef(svc.image);
  if (want.empty() || want != NormalizeImageRef(c.image)) return "";
  return svc.image;
}

}  // namespace

std::vector<std::string> ImagesToInspect(const ComposeProject& project,
                                         const std::vector<DockerContainer>& containers) {
  std::vector<std::string> out;
  for (const auto& c : containers) {
    if (c.oneoff || !Running(c) || c.project != project.name) continue;
    const ComposeService* svc = project.Find(c.service);
    if (svc == nullptr || !svc->enabled) continue;
    std::string ref = ComparableImage(*svc, c);
    if (!ref.empty() && std::find(out.begin(), out.end(), ref) == out.end()) out.push_back(ref);
  }
  return out;
}

std::string NormalizeImageRef(std::string_view ref) {
  if (ref.empty() || ref.find('@') != std::string_view::npos || ref.rfind("sha256:", 0) == 0) {
    return "";
  }
  std::string name(ref);
  std::string tag = "latest";
  auto slash = name.rfind('/');
  auto colon = name.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    tag = name.substr(colon + 1);
    name = name.substr(0, colon);
  }
  auto first_slash = name.find('/');
  std::string first = name.substr(0, first_slash);
  bool has_domain = first_slash != std::string::npos &&
                    (first.find('.') != std::string::npos || first.find(':') != std::string::npos ||
                     first == "localhost");
  if (!has_domain) {
    if (first_slash == std::string::npos) name = "library/" + name;
    name = "docker.io/" + name;
  }
  return name + ":" + tag;
}

std::string DescribeNotRunning(const DockerContainer& c) {
  const std::string& s = c.status;
  if (c.state == "exited") {
    // "Exited (1) 3 minutes ago"
    auto open = s.find('(');
    auto close = s.find(')', open == std::string::npos ? 0 : open);
    if (open != std::string::npos && close != std::string::npos) {
      std::string code = s.substr(open + 1, close - open - 1);
      std::string when = s.substr(close + 1);
      when.erase(0, when.find_first_not_of(' '));
      if (code == "0") return "exited " + when;
      return fmt::format("exited with code {}{}{}", code, when.empty() ? "" : ", ", when);
    }
    return "exited";
  }
  if (c.state == "restarting") {
    auto open = s.find('(');
    auto close = s.find(')', open == std::string::npos ? 0 : open);
    if (open != std::string::npos && close != std::string::npos) {
      return "restarting, last exit code " + s.substr(open + 1, close - open - 1);
    }
    return "restarting";
  }
  if (c.state == "created") return "created, never started";
  if (c.state == "removing") return "being removed";
  return c.state;
}

CheckResult JudgeDockerProject(const ComposeProject& project, const DockerSnapshot& snapshot) {
  CheckResult r;
  // Containers per service, in container-number order.
  std::map<std::string, std::vector<const DockerContainer*>> by_service;
  for (const auto& c : snapshot.containers) {
    if (c.oneoff || (!c.project.empty() && c.project != project.name)) continue;
    by_service[c.service].push_back(&c);
  }
  for (auto& [name, list] : by_service) {
    std::sort(list.begin(), list.end(), [](const DockerContainer* a, const DockerContainer* b) {
      return a->number != b->number ? a->number < b->number : a->name < b->name;
    });
  }

  r.Ok(snapshot.api_version.empty() ? fmt::format("Docker daemon is running ({})", snapshot.address)
                                    : fmt::format("Docker daemon is running (API {}, {})",
                                                  snapshot.api_version, snapshot.address));
  std::vector<std::string> shown_files;
  for (const auto& f : project.files) shown_files.push_back(ShownFile(f, project.working_dir));
  r.Info(fmt::format("Compose project: {} ({})", project.name, Join(shown_files, ", ")));

  json services = json::object();
  std::vector<std::string> problems;
  std::vector<std::string> to_start;
  std::vector<std::string> disabled;
  std::vector<std::string> unhealthy_services;
  int defined_count = 0;
  int running_services = 0;
  int off_services = 0;

  for (const auto& svc : project.services) {
    if (!svc.enabled) {
      disabled.push_back(svc.name);
      continue;
    }
    ++defined_count;
    const auto& list = by_service[svc.name];
    std::vector<const DockerContainer*> running;
    std::vector<const DockerContainer*> stopped;
    for (const auto* c : list) (Running(*c) ? running : stopped).push_back(c);
    if (!running.empty()) ++running_services;
    int n_running = static_cast<int>(running.size());

    std::vector<std::string> why;
    bool needs_up = false;
    if (n_running < svc.replicas) {
      std::vector<std::string> reasons;
      for (const auto* c : stopped) {
        std::string d = DescribeNotRunning(*c);
        if (std::find(reasons.begin(), reasons.end(), d) == reasons.end()) reasons.push_back(d);
      }
      int missing = svc.replicas - static_cast<int>(list.size());
      if (missing > 0) {
        reasons.push_back(list.empty() ? "no container" : fmt::format("{} not created", missing));
      }
      why.push_back(fmt::format("{}: {}/{} running ({})", svc.name, n_running, svc.replicas,
                                Join(reasons, "; ")));
      needs_up = true;
    } else if (n_running > svc.replicas) {
      why.push_back(
          fmt::format("{}: {}/{} running (more than defined)", svc.name, n_running, svc.replicas));
      needs_up = true;
    }
    for (const auto* c : running) {
      if (c->health == "unhealthy") {
        why.push_back(fmt::format("{}: {} is unhealthy ({})", svc.name, c->name, c->status));
        unhealthy_services.push_back(svc.name);
      } else if (c->health == "starting") {
        why.push_back(fmt::format("{}: {} health check is still starting", svc.name, c->name));
      }
    }
    std::string want = NormalizeImageRef(svc.image);
    if (!want.empty()) {
      std::vector<std::string> other;
      for (const auto* c : running) {
        std::string have = NormalizeImageRef(c->image);
        if (!have.empty() && have != want &&
            std::find(other.begin(), other.end(), c->image) == other.end()) {
          other.push_back(c->image);
        }
      }
      if (!other.empty()) {
        why.push_back(
            fmt::format("{}: runs {}, defined {}", svc.name, Join(other, ", "), svc.image));
        needs_up = true;
      }
    }
    // The name is right but it points to another image now.
    std::vector<std::string> stale;
    std::string now_id;
    for (const auto* c : running) {
      std::string ref = ComparableImage(svc, *c);
      auto it = snapshot.image_ids.find(ref);
      if (ref.empty() || it == snapshot.image_ids.end() || c->image_id.empty()) continue;
      if (c->image_id != it->second) {
        stale.push_back(c->name);
        now_id = ref + " is now " + it->second.substr(0, 19);
      }
    }
    if (!stale.empty()) {
      why.push_back(
          fmt::format("{}: image updated since the container started ({}; {} runs the "
                      "previous one)",
                      svc.name, now_id, Join(stale, ", ")));
      needs_up = true;
    }

    std::string state;
    if (n_running >= svc.replicas && n_running > 0) {
      state = "running";
    } else if (svc.replicas == 0 && list.empty()) {
      state = "scaled to 0";
    } else if (!stopped.empty()) {
      state = stopped.front()->state;
    } else {
      state = "missing";
    }
    std::string image = svc.image;
    if (image.empty() && !list.empty()) image = list.front()->image;
    services[svc.name] = {{"defined", svc.replicas},
                          {"running", n_running},
                          {"image", image},
                          {"health", WorstHealth(running)},
                          {"state", state}};
    if (!why.empty()) {
      ++off_services;
      problems.insert(problems.end(), why.begin(), why.end());
    }
    if (needs_up) to_start.push_back(svc.name);
  }

  json orphans = json::array();
  std::vector<std::string> orphan_lines;
  for (const auto& [service, list] : by_service) {
    const ComposeService* svc = project.Find(service);
    if (svc != nullptr) continue;
    for (const auto* c : list) {
      if (!Alive(*c)) continue;
      orphans.push_back(c->name);
      orphan_lines.push_back(
          fmt::format("orphan container {} (service \"{}\" is not defined)", c->name, service));
    }
  }

  r.Info(fmt::format("Defined services: {}", defined_count));
  r.Info(fmt::format("Running services: {}", running_services));
  if (!disabled.empty()) {
    r.Info(fmt::format("Not enabled by the active profiles: {}", Join(disabled, ", ")));
  }
  for (const auto& p : problems) r.Warn(p);
  for (const auto& o : orphan_lines) r.Warn(o);

  r.data = {{"project", project.name}, {"services", services}, {"orphans", orphans}};
  if (problems.empty() && orphans.empty()) {
    r.status = CheckStatus::kSynced;
    r.Ok("All services are running");
    return r;
  }
  r.status = CheckStatus::kOutOfSync;
  std::vector<std::string> summary;
  if (off_services > 0) {
    summary.push_back(fmt::format("{} of {} services out of sync", off_services, defined_count));
  }
  if (!orphans.empty()) summary.push_back(fmt::format("{} orphan containers", orphans.size()));
  r.Warn(Join(summary, ", "));

  if (!to_start.empty()) {
    Fix fix;
    fix.argv = snapshot.compose_command;
    for (const auto& f : project.files) fix.argv.insert(fix.argv.end(), {"-f", f});
    fix.argv.insert(fix.argv.end(), {"-p", project.name});
    for (const auto& p : project.active_profiles) fix.argv.insert(fix.argv.end(), {"--profile", p});
    fix.argv.insert(fix.argv.end(), {"up", "-d"});
    fix.argv.insert(fix.argv.end(), to_start.begin(), to_start.end());
    fix.description = Join(fix.argv, " ");
    fix.cwd = project.working_dir;
    fix.timeout_ms = 300'000;
    r.fix = fix;
  } else if (!unhealthy_services.empty()) {
    r.fix_withheld = fmt::format(
        "restarting does not cure an unhealthy container; see {} -p {} logs {}",
        Join(snapshot.compose_command, " "), project.name, Join(unhealthy_services, " "));
  } else if (!orphans.empty()) {
    r.fix_withheld =
        fmt::format("orphans are not removed automatically; {} -p {} up -d --remove-orphans does",
                    Join(snapshot.compose_command, " "), project.name);
  } else {
    r.fix_withheld = "containers are still starting; run again in a moment";
  }
  return r;
}

}  // namespace infinity_sync
