#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lib/test_support.h"

namespace infinity_sync::testing {

// A real Docker Engine of the test's own: Debian's dockerd on a UNIX socket in
// a temp folder, started with
//   dockerd --storage-driver vfs --iptables=false --ip6tables=false
//           --bridge=none --host unix://DIR/docker.sock --data-root DIR/data
//           --exec-root DIR/exec --pidfile DIR/d.pid
// (no bridge, no firewall rules, nothing outside DIR), and the image
// local/busybox:1 imported from a root folder holding busybox-static and its
// links (no registry). Containers must use `network_mode: none` (or
// `--network none`): with --bridge=none there is no default bridge, and a
// compose default network would add a bridge interface to the machine.
// Stop() (and the destructor) removes every container, stops the daemon by
// its pid file and removes DIR, also after a failed test.
class RealDockerDaemon {
 public:
  // Starts the daemon; on failure `skip_reason()` says exactly why (missing
  // program, the daemon's own last log lines) and nothing is left running.
  RealDockerDaemon();
  ~RealDockerDaemon();
  RealDockerDaemon(const RealDockerDaemon&) = delete;
  RealDockerDaemon& operator=(const RealDockerDaemon&) = delete;

  bool running() const { return skip_reason_.empty(); }
  const std::string& skip_reason() const { return skip_reason_; }
  std::string host() const { return "unix://" + (dir_ / "docker.sock"); }
  std::string dir() const { return dir_.str(); }

  // The environment for docker, docker-compose and infinity-sync against
  // this daemon (DOCKER_HOST set, no compose variables of the caller's).
  std::map<std::string, std::optional<std::string>> Env() const;
  // `docker ARGS` against this daemon; fails the test on a non-zero exit.
  std::string Docker(const std::vector<std::string>& args) const;
  // `docker-compose ARGS` in `project_dir`; fails the test on a non-zero exit.
  std::string Compose(const std::string& project_dir, const std::vector<std::string>& args) const;
  // Imports the busybox root folder again as `tag` with CMD `cmd` (a JSON
  // list): a new image ID under the same name, as a pull or rebuild makes.
  std::string Import(const std::string& tag,
                     const std::string& cmd = R"(["/bin/sleep","100000"])") const;
  // Removes every container (docker rm -f), between scenarios.
  void RemoveAllContainers() const;
  void Stop();

 private:
  TempDir dir_;
  std::string skip_reason_;
  int pid_ = -1;
  bool created_key_ = false;  // dockerd wrote /etc/docker/key.json for us
};

}  // namespace infinity_sync::testing
