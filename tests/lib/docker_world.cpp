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
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, ready_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    ADD_FAILURE() << "cannot start the fake Docker Engine";
    return;
  }
  pid_ = pid;
  for (int i = 0; i < 500; ++i) {
    std::string ready = ReadFile(ready_path);
    if (ready.rfind("READY ", 0) == 0 && ready.find('\n') != std::string::npos) {
      std::string where = ready.substr(6, ready.find('\n') - 6);
      host_ = tcp ? "tcp://127.0.0.1:" + where : "unix://" + where;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ADD_FAILURE() << "the fake Docker Engine did not start";
}

FakeDockerEngine::~FakeDockerEngine() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int status;
    waitpid(pid_, &status, 0);
  }
}

std::vector<nlohmann::json> FakeDockerEngine::Requests() const {
  std::vector<nlohmann::json> out;
  std::stringstream ss(ReadFile(dir_ / "requests.log"));
  std::string line;
  while (std::getline(ss, line)) {
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  }
  return out;
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
