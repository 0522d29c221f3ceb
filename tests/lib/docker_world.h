#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/test_support.h"

namespace infinity_sync::testing {

// A loopback Docker Engine (tests/fakes/docker_fake.py) answering from a
// scenario, on a UNIX socket in its own temp folder (or on TCP). Stopped when
// destroyed.
class FakeDockerEngine {
 public:
  explicit FakeDockerEngine(const nlohmann::json& scenario, bool tcp = false);
  ~FakeDockerEngine();
  FakeDockerEngine(const FakeDockerEngine&) = delete;
  FakeDockerEngine& operator=(const FakeDockerEngine&) = delete;

  // "unix:///tmp/.../docker.sock" (or "tcp://127.0.0.1:PORT").
  std::string host() const { return host_; }
  std::string socket_path() const { return dir_ / "docker.sock"; }
  // Every request so far: {method, path, query, headers}.
  std::vector<nlohmann::json> Requests() const;

 private:
  TempDir dir_;
  int pid_ = -1;
  std::string host_;
};

// A container item as GET /containers/json lists it for a compose service.
// `status` defaults from `state` ("Up 2 hours", "Exited (0) 3 minutes ago").
nlohmann::json ComposeContainer(const std::string& project, const std::string& service, int number,
                                const std::string& image, const std::string& state = "running",
                                const std::string& status = "");

// An environment for running the program against `host` with no compose or
// docker variables leaking in from the caller's.
std::map<std::string, std::optional<std::string>> DockerTestEnv(const std::string& docker_host);

}  // namespace infinity_sync::testing
