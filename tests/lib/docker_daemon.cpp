#include "lib/docker_daemon.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

namespace infinity_sync::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

bool OnPath(const std::string& program) {
  ProcessResult r = Run({"sh", "-c", "command -v " + program}, "", {}, 5s);
  return r.Succeeded();
}

std::string Tail(const std::string& text, std::size_t lines) {
  std::vector<std::string> all;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) all.push_back(line);
  std::string out;
  for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) {
    out += "\n  " + all[i];
  }
  return out;
}

// Mounts under `dir` the daemon may leave when it is killed (netns files).
void DetachMounts(const std::string& dir) {
  std::ifstream mounts("/proc/self/mounts");
  std::vector<std::string> targets;
  for (std::string line; std::getline(mounts, line);) {
    std::istringstream fields(line);
    std::string source, target;
    fields >> source >> target;
    if (target.rfind(dir + "/", 0) == 0) targets.push_back(target);
  }
  for (auto it = targets.rbegin(); it != targets.rend(); ++it) umount2(it->c_str(), MNT_DETACH);
}

}  // namespace

RealDockerDaemon::RealDockerDaemon() {
  for (const char* program : {"dockerd", "docker", "docker-compose"}) {
    if (!OnPath(program)) {
      skip_reason_ = std::string(program) +
                     " is not installed (scripts/install-deps.sh installs docker.io, "
                     "docker-compose and busybox-static)";
      return;
    }
  }
  std::string busybox;
  for (const char* candidate : {"/bin/busybox", "/usr/bin/busybox"}) {
    if (access(candidate, X_OK) == 0) busybox = candidate;
  }
  if (busybox.empty()) {
    skip_reason_ = "busybox-static is not installed (no /bin/busybox)";
    return;
  }
  if (geteuid() != 0) {
    skip_reason_ = "dockerd needs root (this test runs as uid " + std::to_string(geteuid()) + ")";
    return;
  }
  created_key_ = !fs::exists("/etc/docker/key.json");

  const std::string d = dir_.str();
  const std::string log = d + "/dockerd.log";
  std::vector<std::string> argv = {
      "dockerd",           "--storage-driver", "vfs",         "--iptables=false",
      "--ip6tables=false", "--bridge=none",    "--host",      "unix://" + d + "/docker.sock",
      "--data-root",       d + "/data",        "--exec-root", d + "/exec",
      "--pidfile",         d + "/d.pid"};
  pid_t pid = fork();
  if (pid == 0) {
    setsid();
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  if (pid < 0) {
    skip_reason_ = "cannot fork to start dockerd";
    return;
  }
  pid_ = pid;

  // Ready when the CLI gets the server's version (about 2 s here).
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (true) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      skip_reason_ = "dockerd refused to run here (exit " +
                     std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
                     "); its last log lines:" + Tail(ReadFile(log), 6);
      return;
    }
    if (fs::exists(d + "/docker.sock")) {
      ProcessResult v =
          Run({"docker", "version", "--format", "{{.Server.Version}}"}, "", Env(), 5s);
      if (v.Succeeded()) break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      skip_reason_ =
          "dockerd did not answer within 30 s; its last log lines:" + Tail(ReadFile(log), 6);
      Stop();
      return;
    }
    std::this_thread::sleep_for(100ms);
  }

  // The test image, without a registry: busybox and its links.
  fs::create_directories(d + "/rootfs/bin");
  fs::copy_file(busybox, d + "/rootfs/bin/busybox");
  for (const char* applet : {"sh", "sleep", "true", "false", "ls", "cat", "test", "echo", "kill"}) {
    fs::create_symlink("busybox", d + "/rootfs/bin/" + applet);
  }
  std::string id = Import("local/busybox:1");
  if (id.rfind("sha256:", 0) != 0) {
    skip_reason_ = "docker import of the busybox root folder failed: " + id;
    Stop();
  }
}

RealDockerDaemon::~RealDockerDaemon() { Stop(); }

std::map<std::string, std::optional<std::string>> RealDockerDaemon::Env() const {
  return {
      {"DOCKER_HOST", host()},
      {"DOCKER_CONFIG", dir_ / "cli-config"},
      {"DOCKER_CONTEXT", std::nullopt},
      {"DOCKER_TLS_VERIFY", std::nullopt},
      {"COMPOSE_FILE", std::nullopt},
      {"COMPOSE_PROJECT_NAME", std::nullopt},
      {"COMPOSE_PROFILES", std::nullopt},
      {"COMPOSE_PATH_SEPARATOR", std::nullopt},
      {"NO_COLOR", "1"},
  };
}

std::string RealDockerDaemon::Docker(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {"docker"};
  argv.insert(argv.end(), args.begin(), args.end());
  return MustRun(argv, "", Env());
}

std::string RealDockerDaemon::Compose(const std::string& project_dir,
                                      const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {"docker-compose"};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessResult r = Run(argv, project_dir, Env(), 120s);
  std::string line;
  for (const auto& a : argv) line += a + " ";
  EXPECT_TRUE(r.Succeeded()) << line << "in " << project_dir << "\n" << r.out << r.err;
  return r.out;
}

std::string RealDockerDaemon::Import(const std::string& tag, const std::string& cmd) const {
  ProcessResult r = Run(
      {"sh", "-c", "tar -C \"$ROOTFS\" -c . | docker import -c \"CMD $CMD\" - \"$TAG\""}, "",
      [&] {
        auto env = Env();
        env["ROOTFS"] = dir_ / "rootfs";
        env["CMD"] = cmd;
        env["TAG"] = tag;
        return env;
      }(),
      60s);
  std::string out = r.out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return r.Succeeded() ? out : r.err;
}

void RealDockerDaemon::RemoveAllContainers() const {
  Run({"sh", "-c", "docker ps -aq | xargs -r docker rm -f >/dev/null"}, "", Env(), 60s);
}

void RealDockerDaemon::Stop() {
  if (pid_ > 0) {
    // Containers first, with SIGKILL: `sleep` as PID 1 ignores SIGTERM, and the
    // daemon would wait out each stop timeout.
    RemoveAllContainers();
    // By its pid file (the process we forked is the daemon itself).
    pid_t by_file = pid_;
    std::ifstream pidfile(dir_ / "d.pid");
    if (int p = 0; pidfile >> p && p > 0) by_file = p;
    kill(by_file, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + 20s;
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(-pid_, SIGKILL);  // its process group: containerd too
        waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(50ms);
    }
    pid_ = -1;
  }
  DetachMounts(dir_.str());
  if (created_key_) {
    // dockerd writes its trust key to /etc/docker on first start; the machine
    // had none before this test.
    std::error_code ec;
    fs::remove("/etc/docker/key.json", ec);
    fs::remove("/etc/docker", ec);  // only when empty
    created_key_ = false;
  }
  std::error_code ec;
  fs::remove("/run/docker/plugins", ec);  // empty folders dockerd creates; kept when in use
  fs::remove("/run/docker", ec);
}

}  // namespace infinity_sync::testing
