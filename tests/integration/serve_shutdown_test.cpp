// SIGTERM while a sync runs: the real program serving, a custom command check
// that hangs (a shell that starts `sleep 60` and waits), a previous status
// file. serve must kill the sync's children, leave the status file as it was
// and exit 0 within 5 s.
#include <signal.h>
#include <sys/types.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "lib/server_process.h"
#include "lib/test_support.h"
#include "ports/http_client.h"

namespace infinity_sync {
namespace {

using std::chrono::milliseconds;
using testing::ServeProcess;

// Gone = no such process, or a zombie waiting for a reaper (it runs nothing).
bool ShutdownTestProcessGone(int pid) {
  if (kill(pid, 0) != 0) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  return close != std::string::npos && close + 2 < text.size() && text[close + 2] == 'Z';
}

int ShutdownTestReadPid(const std::string& path, milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (std::filesystem::exists(path)) {
      std::string text = testing::ReadFile(path);
      if (!text.empty() && text.back() == '\n' &&
          std::isdigit(static_cast<unsigned char>(text[0]))) {
        return std::stoi(text);
      }
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  return -1;
}

class ServeShutdown : public ::testing::Test {
 protected:
  // `server` is the server: section. The hanging check writes the shell's pid
  // and then its child's pid ("$$" is a literal "$" in the config).
  std::string WriteConfig(const std::string& server) {
    std::string yaml =
        "timeout: 120s\n"
        "git: { fetch: false }\n"
        "github: { api_url: \"http://127.0.0.1:9\" }\n"
        "gcp: { api_url: \"http://127.0.0.1:9\" }\n" +
        server +
        "checks:\n"
        "  - { name: hang, type: command, timeout: 90s, run: [sh, -c, \"echo $$$$ > " +
        (dir_ / "shell.pid") + "; sleep 60 & echo $! > " + (dir_ / "child.pid") + "; wait\"] }\n";
    std::string path = dir_ / "infinity-sync.yaml";
    testing::WriteFile(path, yaml);
    return path;
  }

  void WritePreviousStatus() {
    std::filesystem::create_directories(dir_ / "readiness");
    previous_ = testing::ReadFile(testing::FixturePath("server/seed-status.json"));
    testing::WriteFile(StatusPath(), previous_);
  }
  std::string StatusPath() const { return dir_ / "readiness/infinity-sync-status.json"; }

  // Waits for the hanging check, sends SIGTERM and checks everything the
  // shutdown promises.
  void TerminateDuringTheRun(ServeProcess& serve) {
    int shell = ShutdownTestReadPid(dir_ / "shell.pid", milliseconds(20'000));
    int child = ShutdownTestReadPid(dir_ / "child.pid", milliseconds(5'000));
    ASSERT_GT(shell, 0) << "the hanging check never started\n" << serve.Stderr();
    ASSERT_GT(child, 0) << serve.Stderr();
    ASSERT_FALSE(ShutdownTestProcessGone(child)) << "sleep ended too early";

    milliseconds took{0};
    auto code = serve.Terminate(milliseconds(5'000), &took);
    ASSERT_TRUE(code.has_value()) << "serve did not exit within 5 s\n" << serve.Stderr();
    EXPECT_EQ(*code, 0) << serve.Stderr();
    EXPECT_LT(took.count(), 5'000);
    // The kill is synchronous with the exit; allow the kernel a moment to reap.
    auto until = std::chrono::steady_clock::now() + milliseconds(1'000);
    while ((!ShutdownTestProcessGone(shell) || !ShutdownTestProcessGone(child)) &&
           std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(milliseconds(20));
    }
    EXPECT_TRUE(ShutdownTestProcessGone(shell)) << "the check's shell outlived serve";
    EXPECT_TRUE(ShutdownTestProcessGone(child)) << "the check's sleep outlived serve (orphan)";
    if (!ShutdownTestProcessGone(child)) kill(child, SIGKILL);
    if (!ShutdownTestProcessGone(shell)) kill(shell, SIGKILL);

    EXPECT_EQ(testing::ReadFile(StatusPath()), previous_) << "the status file was rewritten";
    for (const auto& entry : std::filesystem::directory_iterator(dir_ / "readiness")) {
      std::string name = entry.path().filename().string();
      EXPECT_TRUE(name == "infinity-sync-status.json" || name == "infinity-sync-status.json.lock")
          << "left behind: " << name;
    }
    EXPECT_NE(serve.Stderr().find("the running sync was cancelled"), std::string::npos)
        << serve.Stderr();
  }

  testing::TempDir dir_;
  std::string previous_;
};

TEST_F(ServeShutdown, SigtermDuringAPostedRunKillsItsChildrenAndKeepsTheStatusFile) {
  WritePreviousStatus();
  ServeProcess serve(
      {"serve", "--config", WriteConfig("server: { sync_every: 0 }\n"), "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(serve.ready()) << serve.Stderr();
  CurlHttpClient http;
  HttpRequest post;
  post.method = "POST";
  post.url = serve.url("/api/sync/run");
  post.timeout = milliseconds(5'000);
  auto started = http.Send(post);
  ASSERT_EQ(started.status, 202) << started.body;
  TerminateDuringTheRun(serve);
}

TEST_F(ServeShutdown, SigtermDuringAScheduledRunKillsItsChildrenAndKeepsTheStatusFile) {
  WritePreviousStatus();
  // The first scheduled run starts at once.
  ServeProcess serve({"serve", "--config", WriteConfig("server: { sync_every: 1h }\n"), "--listen",
                      "127.0.0.1:0"});
  ASSERT_TRUE(serve.ready()) << serve.Stderr();
  TerminateDuringTheRun(serve);
}

}  // namespace
}  // namespace infinity_sync
