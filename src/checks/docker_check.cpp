#include "checks/docker_check.h"

#include <filesystem>

#include <fmt/format.h>

#include "checks/docker_verdict.h"
#include "cloud/compose_discovery.h"
#include "cloud/docker_engine.h"

namespace infinity_sync {
namespace {

CheckResult FailedWith(std::string reason, nlohmann::json data = nlohmann::json::object()) {
  CheckResult r = CheckResult::Failure(std::move(reason));
  r.data = std::move(data);
  return r;
}

}  // namespace

// Compose discovery starts in the project's repository (git.repo, resolved
// against the config file's folder), then its parents, as `docker compose`
// run there would: a config kept elsewhere still finds the repository's
// compose.yaml, and the result does not depend on the current folder.
// docker.compose_files are relative to the config file (LoadConfig resolves them).
// Every line of evidence, the daemon's calls and the check's own, goes to `ctx`
// in the order it happened.
CheckResult RunDockerCheck(const CheckContext& ctx) {
  const DockerConfig& cfg = ctx.config.docker;
  const std::filesystem::path start = ctx.config.git.repo.empty()
                                          ? ctx.config.base_dir
                                          : std::filesystem::path(ctx.config.git.repo);

  auto discovery = DiscoverComposeFiles(start, cfg.compose_files, ctx.ports.env, ctx.ports.fs);
  if (!discovery) return FailedWith(discovery.error());
  if (discovery->files.empty()) {
    CheckResult r;
    r.status = CheckStatus::kNoManifest;
    std::string where = discovery->searched.empty() ? start.string() : discovery->searched.front();
    r.Info(
        fmt::format("No compose file found (compose.yaml, compose.yml, docker-compose.yml, "
                    "docker-compose.yaml in {} and its parents): nothing to compare",
                    where));
    return r;
  }
  ctx.Note(
      fmt::format("compose files ({}): {}", discovery->origin, fmt::join(discovery->files, ", ")));

  ComposeOptions options;
  options.project_name = cfg.project_name;
  options.profiles = cfg.profiles;
  auto parse_start = ctx.ports.clock.SteadyNow();
  auto project = ReadComposeProject(*discovery, options, ctx.ports.env, ctx.ports.fs);
  if (!project) {
    const std::string& e = project.error();
    // Too large is its own verdict, not a mistake in the file.
    return FailedWith(e.rfind("compose file too large", 0) == 0 ? e : "Compose file error: " + e);
  }
  auto parse_ms = std::chrono::duration_cast<std::chrono::microseconds>(
                      ctx.ports.clock.SteadyNow() - parse_start)
                      .count() /
                  1000.0;
  ctx.Note(fmt::format("project {} (name from {}): {} services, parsed in {:.1f} ms", project->name,
                       project->name_source, project->services.size(), parse_ms));
  nlohmann::json data = {{"project", project->name}};

  auto endpoint = ResolveDockerEndpoint(cfg.host, ctx.ports.env, ctx.ports.fs);
  if (!endpoint) return FailedWith(endpoint.error(), data);

  DockerEngineClient client(ctx, *endpoint);
  PingOutcome ping = client.Ping();
  if (!ping.reachable) {
    CheckResult r = FailedWith("Docker is not running", data);
    std::string why = ping.error;
    if (ping.connect_failed) {
      why = endpoint->unix_socket.empty()       ? "connection refused"
            : ctx.Exists(endpoint->unix_socket) ? "connection refused on the socket"
                                                : "no such socket";
    }
    r.Info(
        fmt::format("Address tried: {} (from {}): {}", endpoint->address, endpoint->source, why));
    r.data["address"] = endpoint->address;
    return r;
  }
  if (!ping.error.empty()) {
    return FailedWith(fmt::format("Docker daemon at {}: {}", endpoint->address, ping.error), data);
  }

  ListOutcome list = client.ListProjectContainers(project->name, ping.api_version);
  if (!list.error.empty()) {
    return FailedWith(fmt::format("Docker daemon at {}: {}", endpoint->address, list.error), data);
  }

  DockerSnapshot snapshot;
  snapshot.address = endpoint->address;
  snapshot.api_version = ping.api_version;
  snapshot.containers = std::move(list.containers);
  // One call per distinct image name running containers were created from:
  // has the name moved to another image since (a pull, a rebuild)?
  for (const auto& ref : ImagesToInspect(*project, snapshot.containers)) {
    if (ctx.Stopped() || ctx.Remaining().count() <= 0) {
      ctx.Note("image " + ref + ": not inspected, the check's time is up");
      continue;
    }
    ImageOutcome image = client.InspectImage(ref, ping.api_version);
    if (!image.error.empty()) {
      ctx.Note("image " + ref + ": " + image.error);
    } else if (image.found) {
      snapshot.image_ids[ref] = image.id;
    }
  }
  snapshot.compose_command = ComposeCommand(ctx.ports.env, ctx.ports.fs);
  return JudgeDockerProject(*project, snapshot);
}

}  // namespace infinity_sync
