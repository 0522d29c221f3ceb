#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ports/process_runner.h"

namespace infinity_sync::testing {

// A fresh folder under the system temp folder, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

void WriteFile(const std::string& path, const std::string& content);
std::string ReadFile(const std::string& path);

// Runs a program (no shell) and returns what it did; fails the test if it
// cannot start. `env` changes the inherited environment.
ProcessResult Run(const std::vector<std::string>& argv, const std::string& cwd = "",
                  const std::map<std::string, std::optional<std::string>>& env = {},
                  std::chrono::milliseconds timeout = std::chrono::milliseconds(60'000));

// Runs and asserts exit 0; returns stdout with the trailing newline removed.
std::string MustRun(const std::vector<std::string>& argv, const std::string& cwd = "",
                    const std::map<std::string, std::optional<std::string>>& env = {});

// The built infinity-sync program.
std::string ProgramPath();
// tests/fixtures/<relative>.
std::string FixturePath(const std::string& relative);

// A /metrics answer without the `project` and `environment` labels that
// every series carries, so that a test can look for a series by its own
// labels: `x{project="p",environment="e",check="GitSync"} 1` -> `x{check="GitSync"} 1`,
// `x{project="p",environment="e"} 1` -> `x 1`.
std::string WithoutFleetLabels(const std::string& metrics);
// The Python that runs the fake servers (Debian's, with its packages).
std::string PythonPath();

// A fake server process (one of tests/fakes/*.py) that prints "READY <where>"
// on stdout once it accepts connections.
struct FakeProcess {
  int pid = -1;
  std::string where;  // what followed READY: a port or a socket path
};
// Starts `args` with stdout in `ready_path` and waits up to 5 s for READY;
// a failure is a test failure naming `what`.
FakeProcess StartFakeProcess(std::vector<std::string> args, const std::string& ready_path,
                             const std::string& what);
// Kills and reaps a process started by StartFakeProcess (no-op for pid -1).
void StopFakeProcess(int pid);
// The JSON-lines request log the fakes write, oldest first.
std::vector<nlohmann::json> ReadRequestLog(const std::string& path);

// A loopback HTTP(S) server answering from a scenario (tests/fakes/http_fake.py).
class FakeHttpServer {
 public:
  struct Options {
    std::string unix_socket;  // listen on this UNIX socket instead of TCP
    std::string tls_cert;     // serve HTTPS with this certificate ...
    std::string tls_key;      // ... and key
  };
  explicit FakeHttpServer(const nlohmann::json& scenario) : FakeHttpServer(scenario, Options{}) {}
  FakeHttpServer(const nlohmann::json& scenario, const Options& options);
  ~FakeHttpServer();
  int port() const { return port_; }
  // "http://127.0.0.1:PORT" (https when TLS).
  std::string url() const;
  // Every request so far, oldest first: {method, path, query, headers, body}.
  std::vector<nlohmann::json> Requests() const;
  int CountRequests(const std::string& path) const;

 private:
  TempDir dir_;
  int pid_ = -1;
  int port_ = 0;
  bool tls_ = false;
};

// A free TCP port on 127.0.0.1 (bound and released; racy but fine for tests).
int FreePort();

}  // namespace infinity_sync::testing
