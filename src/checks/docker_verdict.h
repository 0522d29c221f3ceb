#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cloud/compose.h"
#include "cloud/docker_engine.h"
#include "core/check_result.h"

namespace infinity_sync {

// What the daemon said about the project.
struct DockerSnapshot {
  std::string address;                      // the daemon address asked
  std::string api_version;                  // negotiated from /_ping; may be empty
  std::vector<DockerContainer> containers;  // the project's, stopped ones too
  // The image ID each image name points to now (GET /images/{name}/json),
  // for the names running containers were created from; absent: not asked
  // or not present locally.
  std::map<std::string, std::string> image_ids;
  // How a fix runs compose: {"docker", "compose"} or {"docker-compose"}.
  std::vector<std::string> compose_command = {"docker", "compose"};
};

// The image names whose current ID the verdict compares: for each enabled
// service, its image (or, build-only, the name its running containers were
// created from) when a running container was created from that very name.
std::vector<std::string> ImagesToInspect(const ComposeProject& project,
                                         const std::vector<DockerContainer>& containers);

// Judges a compose project against its containers (SPEC 3.3), purely.
// Synced when every enabled service runs exactly its replicas, healthy (or
// without a health check) and on the image defined, and no container runs
// for a service no longer defined; OutOfSync otherwise, with one Details line
// per service that is off and why ("db: 0/1 running (exited 3 minutes ago)").
// One-off containers (`compose run`) and services disabled by profiles are
// ignored. A running container whose image name now points to another image
// (a pull or rebuild since it started) is "image updated since the container
// started". Data: {project, services: {NAME: {defined, running, image, health,
// state}}, orphans: [names]}. Offers `docker compose -f ... -p ... up -d
// <services>` for services with missing, stopped, surplus or outdated containers.
CheckResult JudgeDockerProject(const ComposeProject& project, const DockerSnapshot& snapshot);

// An image reference in full form for comparison: "nginx" ->
// "docker.io/library/nginx:latest". Returns "" for references that cannot be
// compared by name (digest-pinned "x@sha256:...", or an image ID "sha256:...").
std::string NormalizeImageRef(std::string_view ref);

// "exited 3 minutes ago", "exited with code 3, 3 minutes ago", "restarting",
// "created, never started", ...: why a container is not running, from its
// State and Status.
std::string DescribeNotRunning(const DockerContainer& container);

}  // namespace infinity_sync
