#include "lib/docker_world.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

extern char** environ;

namespace infinity_sync::testing {

FakeDockerEngine::FakeDockerEngine(const nlohmann::json& scenario, bool tcp) {
  std::string scenario_path = dir_ / "scenario.json";
  std::string log_path = dir_ / "requests.log";
  std::string ready_path = dir_ / "ready";
  WriteFile(scenario_path, scenario.dump());
  WriteFile(log_path, "");
  std::string script = FixturePath("../fakes/docker_fake.py");
  std::vector<std::string> args = {PythonPath(), script, scenario_path, log_path};
  if (tcp) {
    args.push_back("--tcp");
  } else {
    args.insert(args.end(), {"--unix", socket_path()});
  }
  FakeProcess started = StartFakeProcess(args, ready_path, "the fake Docker Engine");
  pid_ = started.pid;
  if (pid_ > 0) host_ = tcp ? "tcp://127.0.0.1:" + started.where : "unix://" + started.where;
}

FakeDockerEngine::~FakeDockerEngine() { StopFakeProcess(pid_); }

std::vector<nlohmann::json> FakeDockerEngine::Requests() const {
  return ReadRequestLog(dir_ / "requests.log");
}

nlohmann::json ComposeContainer(const std::string& project, const std::string& service, int number,
                                const std::string& image, const std::string& state,
                                const std::string& status) {
  std::string name = project + "-" + service + "-" + std::to_string(number);
  std::string shown = status;
  if (shown.empty()) {
    shown = state == "running"   ? "Up 2 hours"
            : state == "exited"  ? "Exited (0) 3 minutes ago"
            : state == "created" ? "Created"
                                 : state;
  }
  std::string id;
  for (char c : name + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef") {
    id += "0123456789abcdef"[static_cast<unsigned char>(c) % 16];
    if (id.size() == 64) break;
  }
  return {{"Id", id},
          {"Names", {"/" + name}},
          {"Image", image},
          {"ImageID", "sha256:" + id},
          {"Command", "/docker-entrypoint.sh"},
          {"Created", 1771375837},
          {"Ports", nlohmann::json::array()},
          {"State", state},
          {"Status", shown},
          {"Labels",
           {{"com.docker.compose.project", project},
            {"com.docker.compose.service", service},
            {"com.docker.compose.container-number", std::to_string(number)},
            {"com.docker.compose.oneoff", "False"},
            {"com.docker.compose.version", "2.33.1"},
            {"com.docker.compose.config-hash", "0f3e" + id.substr(0, 20)},
            {"com.docker.compose.project.config_files", "/srv/" + project + "/compose.yaml"},
            {"com.docker.compose.project.working_dir", "/srv/" + project}}},
          {"NetworkSettings", {{"Networks", {{project + "_default", nlohmann::json::object()}}}}},
          {"Mounts", nlohmann::json::array()}};
}

std::map<std::string, std::optional<std::string>> DockerTestEnv(const std::string& docker_host) {
  std::map<std::string, std::optional<std::string>> env = {
      {"COMPOSE_FILE", std::nullopt},
      {"COMPOSE_PROJECT_NAME", std::nullopt},
      {"COMPOSE_PROFILES", std::nullopt},
      {"COMPOSE_PATH_SEPARATOR", std::nullopt},
      {"DOCKER_CONTEXT", std::nullopt},
      {"DOCKER_TLS_VERIFY", std::nullopt},
      {"DOCKER_CONFIG", "/nonexistent/docker-config"},
      {"NO_COLOR", "1"},
  };
  if (docker_host.empty()) {
    env["DOCKER_HOST"] = std::nullopt;
  } else {
    env["DOCKER_HOST"] = docker_host;
  }
  return env;
}

}  // namespace infinity_sync::testing
