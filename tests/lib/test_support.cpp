#include "lib/test_support.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

extern char** environ;

namespace infinity_sync::testing {

namespace fs = std::filesystem;

TempDir::TempDir() {
  static std::mt19937_64 rng{std::random_device{}()};
  path_ = fs::temp_directory_path() / ("infinity-sync-test-" + std::to_string(getpid()) + "-" +
                                       std::to_string(rng() % 100000000));
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void WriteFile(const std::string& path, const std::string& content) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out << content;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ProcessResult Run(const std::vector<std::string>& argv, const std::string& cwd,
                  const std::map<std::string, std::optional<std::string>>& env,
                  std::chrono::milliseconds timeout) {
  RealProcessRunner runner;
  ProcessRequest req;
  req.argv = argv;
  req.cwd = cwd;
  req.env = env;
  req.timeout = timeout;
  ProcessResult res = runner.Run(req);
  EXPECT_TRUE(res.started) << argv[0] << ": " << res.error;
  return res;
}

std::string MustRun(const std::vector<std::string>& argv, const std::string& cwd,
                    const std::map<std::string, std::optional<std::string>>& env) {
  ProcessResult res = Run(argv, cwd, env);
  std::string line;
  for (const auto& a : argv) line += a + " ";
  EXPECT_TRUE(res.Succeeded()) << line << "-> " << res.Describe(argv) << "\n" << res.err;
  std::string out = res.out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string ProgramPath() { return INFINITY_SYNC_BINARY; }
std::string FixturePath(const std::string& relative) {
  return std::string(INFINITY_SYNC_FIXTURES) + "/" + relative;
}
std::string PythonPath() {
  return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

FakeHttpServer::FakeHttpServer(const nlohmann::json& scenario, const Options& options) {
  std::string scenario_path = dir_ / "scenario.json";
  std::string log_path = dir_ / "requests.log";
  std::string ready_path = dir_ / "ready";
  WriteFile(scenario_path, scenario.dump());
  WriteFile(log_path, "");
  std::string script = std::string(INFINITY_SYNC_FIXTURES) + "/../fakes/http_fake.py";
  std::vector<std::string> args = {PythonPath(), script, scenario_path, log_path};
  if (!options.unix_socket.empty()) {
    args.push_back("--unix");
    args.push_back(options.unix_socket);
  }
  if (!options.tls_cert.empty()) {
    args.insert(args.end(), {"--tls", options.tls_cert, options.tls_key});
    tls_ = true;
  }
  FakeProcess started = StartFakeProcess(args, ready_path, "http_fake.py");
  pid_ = started.pid;
  if (pid_ > 0 && options.unix_socket.empty()) port_ = std::stoi(started.where);
}

FakeHttpServer::~FakeHttpServer() { StopFakeProcess(pid_); }

std::string FakeHttpServer::url() const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
}

std::vector<nlohmann::json> FakeHttpServer::Requests() const {
  return ReadRequestLog(dir_ / "requests.log");
}

FakeProcess StartFakeProcess(std::vector<std::string> args, const std::string& ready_path,
                             const std::string& what) {
  FakeProcess started;
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
    ADD_FAILURE() << "cannot start " << what;
    return started;
  }
  started.pid = pid;
  for (int i = 0; i < 500; ++i) {
    std::string ready = ReadFile(ready_path);
    if (ready.rfind("READY ", 0) == 0 && ready.find('\n') != std::string::npos) {
      started.where = ready.substr(6, ready.find('\n') - 6);
      return started;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ADD_FAILURE() << what << " did not start";
  return started;
}

void StopFakeProcess(int pid) {
  if (pid <= 0) return;
  kill(pid, SIGKILL);
  int status;
  waitpid(pid, &status, 0);
}

std::vector<nlohmann::json> ReadRequestLog(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::stringstream ss(ReadFile(path));
  std::string line;
  while (std::getline(ss, line)) {
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

int FakeHttpServer::CountRequests(const std::string& path) const {
  int n = 0;
  for (const auto& r : Requests()) n += r["path"] == path ? 1 : 0;
  return n;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

std::string WithoutFleetLabels(const std::string& metrics) {
  const std::string pair = R"re(project="(?:[^"\\]|\\.)*",environment="(?:[^"\\]|\\.)*")re";
  static const std::regex first("\\{" + pair + ",");
  static const std::regex only("\\{" + pair + "\\}");
  return std::regex_replace(std::regex_replace(metrics, first, "{"), only, "");
}

}  // namespace infinity_sync::testing
