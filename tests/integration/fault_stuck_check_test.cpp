// Checks that ignore their deadline (issue: bounded by construction): a program
// that ignores SIGTERM, an HTTP server that trickles a byte at a time, a DNS
// server that never answers. The run must end within timeout + grace, and
// afterwards the process has no extra threads and no child left running.
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "checks/check.h"
#include "cli/real_ports.h"
#include "core/config.h"
#include "engine/runner.h"
#include "engine/sync_job.h"
#include "lib/test_support.h"

namespace infinity_sync::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

int ThreadCount() {
  int n = 0;
  if (DIR* d = opendir("/proc/self/task")) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') ++n;
    }
    closedir(d);
  }
  return n;
}

// Processes whose command line holds `marker` (our own sleeps, by a unique
// duration), anywhere on the machine.
int ProcessesWith(const std::string& marker) {
  int n = 0;
  DIR* d = opendir("/proc");
  if (d == nullptr) return 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    std::ifstream in(std::string("/proc/") + e->d_name + "/cmdline");
    std::string cmd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (auto& c : cmd) {
      if (c == '\0') c = ' ';
    }
    if (cmd.find(marker) != std::string::npos) ++n;
  }
  closedir(d);
  return n;
}

// A socket of `type` bound to a free loopback port; `port` gets the port.
int LoopbackSocket(int type, int* port) {
  int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *port = ntohs(addr.sin_port);
  return fd;
}

// A TCP server on loopback that answers every connection with a status line
// and then one byte every 200 ms, forever (until the test ends).
class TrickleServer {
 public:
  TrickleServer() {
    fd_ = LoopbackSocket(SOCK_STREAM, &port_);
    listen(fd_, 8);
    thread_ = std::thread([this] {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n";
      (void)!send(c, head, sizeof head - 1, MSG_NOSIGNAL);
      while (!stop_) {
        if (send(c, "x", 1, MSG_NOSIGNAL) != 1) break;  // the client hung up
        std::this_thread::sleep_for(milliseconds(200));
      }
      close(c);
    });
  }
  ~TrickleServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// A UDP socket on loopback that takes DNS questions and never answers.
class SilentDns {
 public:
  SilentDns() { fd_ = LoopbackSocket(SOCK_DGRAM, &port_); }
  ~SilentDns() { close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

Config LoadOrDie(const std::string& yaml, const std::string& dir) {
  auto parsed = ParseConfig(yaml, dir + "/infinity-sync.yaml", dir, ProcessEnv());
  if (auto* error = std::get_if<ConfigError>(&parsed)) {
    ADD_FAILURE() << error->ToString();
    return Config{};
  }
  return std::get<Config>(parsed);
}

struct Ended {
  milliseconds took{0};
  SyncOutcome outcome;
};

Ended RunChecks(const Config& config, const std::vector<std::string>& names,
                std::stop_token stop = {}) {
  RealPorts real;
  auto selected = SelectChecks(CheckTable(config), {names, {}});
  EXPECT_TRUE(selected.ok());
  RunOptions options;
  options.dry_run = true;
  options.stop = stop;
  auto start = Clock::now();
  auto outcome = RunSync(config, real.ports, *selected, options, {});
  Ended ended;
  ended.took = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  if (outcome) ended.outcome = std::move(*outcome);
  return ended;
}

// Waits (bounded: a killed process takes a moment to be torn down) until no
// process holds `marker`; false when one still does after 2 s.
bool NoProcessWith(const std::string& marker) {
  auto until = Clock::now() + std::chrono::seconds(2);
  while (ProcessesWith(marker) > 0) {
    if (Clock::now() >= until) return false;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return true;
}

// The process's thread count once a first run has started what lives for the
// whole process (a sanitizer's background thread, libcurl's and c-ares'
// helpers): the baseline that check threads must return to.
int SettledThreadCount() {
  TempDir warm;
  Config config = LoadOrDie(
      "status_file: status.json\nstore: \"\"\nchecks:\n"
      "  - { name: warm, type: command, run: [\"true\"] }\n",
      warm.str());
  RealPorts real;
  auto selected = SelectChecks(CheckTable(config), {{"warm"}, {}});
  RunOptions options;
  options.dry_run = true;
  if (selected) (void)RunSync(config, real.ports, *selected, options, {});
  std::this_thread::sleep_for(milliseconds(100));
  return ThreadCount();
}

// Waits (bounded) for the check threads to have gone.
void ExpectThreadsBackTo(int baseline) {
  auto until = Clock::now() + std::chrono::seconds(3);
  while (ThreadCount() > baseline && Clock::now() < until) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_LE(ThreadCount(), baseline) << "check threads outlived the run";
}

TEST(FaultStuckCheck, ChecksThatIgnoreTheirDeadlineEndWithinTimeoutPlusGraceAndLeaveNothing) {
  TempDir dir;
  TrickleServer trickle;
  SilentDns dns;
  std::string yaml = fmt::format(R"(status_file: status.json
store: ""
checks:
  - {{ name: deaf, type: command, timeout: 1s,
      run: [sh, -c, "trap '' TERM; sleep 31.4159 & sleep 31.4159; wait"] }}
  - {{ name: trickle, type: http, timeout: 1s, url: "http://127.0.0.1:{}/" }}
  - {{ name: silent, type: dns, timeout: 1s, host: example.com, servers: ["127.0.0.1:{}"] }}
  - {{ name: background, type: command, timeout: 5s, run: [sh, -c, "sleep 27.1828 & exit 0"] }}
)",
                                 trickle.port(), dns.port());
  Config config = LoadOrDie(yaml, dir.str());
  int baseline = SettledThreadCount();
  Ended ended = RunChecks(config, {"deaf", "trickle", "silent", "background"});

  EXPECT_LT(ended.took, milliseconds(1'000) + Runner::kGrace + milliseconds(1'500))
      << "the run waited past timeout + grace";
  EXPECT_EQ(ended.outcome.abandoned, 0);
  ASSERT_EQ(ended.outcome.status.results.size(), 4u);
  for (const auto& r : ended.outcome.status.results) {
    if (r.key == "CustomCheck:background") {
      EXPECT_EQ(r.result.status, CheckStatus::kSynced);
    } else {
      EXPECT_EQ(r.result.status, CheckStatus::kFailed) << r.key;
    }
  }
  ExpectThreadsBackTo(baseline);
  EXPECT_TRUE(NoProcessWith("sleep 31.4159")) << "the deaf command's children survived";
  EXPECT_TRUE(NoProcessWith("sleep 27.1828")) << "a check's background child survived it";
}

TEST(FaultStuckCheck, TheRunsStopEndsEveryCheckAtOnceAndWritesNothing) {
  TempDir dir;
  SilentDns dns;
  std::string yaml = fmt::format(R"(status_file: status.json
store: ""
checks:
  - {{ name: deaf, type: command, timeout: 30s, run: [sh, -c, "trap '' TERM; sleep 29.9792"] }}
  - {{ name: silent, type: dns, timeout: 30s, host: example.com, servers: ["127.0.0.1:{}"] }}
)",
                                 dns.port());
  Config config = LoadOrDie(yaml, dir.str());
  int baseline = SettledThreadCount();
  std::stop_source stop;
  std::thread signal([&] {
    std::this_thread::sleep_for(milliseconds(300));
    stop.request_stop();
  });
  RealPorts real;
  auto selected = SelectChecks(CheckTable(config), {{"deaf", "silent"}, {}});
  ASSERT_TRUE(selected.ok());
  RunOptions options;
  options.stop = stop.get_token();
  auto start = Clock::now();
  auto outcome = RunSync(config, real.ports, *selected, options, {});
  auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  signal.join();
  EXPECT_FALSE(outcome.ok()) << "a stopped run must not produce a status";
  EXPECT_LT(took, milliseconds(2'000)) << "the stop did not end the checks promptly";
  EXPECT_FALSE(std::filesystem::exists(dir / "status.json"));
  ExpectThreadsBackTo(baseline);
  EXPECT_TRUE(NoProcessWith("sleep 29.9792")) << "the deaf command survived the stop";
}

}  // namespace
}  // namespace infinity_sync::testing
