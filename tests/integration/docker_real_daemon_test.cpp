// The docker check against a real Docker Engine: Debian's dockerd, started by
// the suite itself (tests/lib/docker_daemon.h), projects brought up with
// Debian's docker-compose (v1, which sets the same project/service/oneoff
// labels as v2) or labelled `docker run`. One daemon for the whole suite; each
// test removes its containers. Skipped, with the reason printed, where the
// daemon cannot run. ctest runs the suite as one test labelled "docker".
#include <chrono>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lib/docker_daemon.h"
#include "lib/test_support.h"

namespace infinity_sync::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

struct Outcome {
  int exit_code = -1;
  json doc;
  json docker;
  std::string err;
  std::string Details() const {
    std::string s;
    for (const auto& d : docker.value("Details", json::array())) s += "  " + d.dump() + "\n";
    return s + err;
  }
  bool HasDetail(const std::string& text) const {
    for (const auto& d : docker.value("Details", json::array())) {
      if (d.get<std::string>().find(text) != std::string::npos) return true;
    }
    return false;
  }
};

// Two services on the imported busybox image, no network (see docker_daemon.h).
constexpr const char* kCompose = R"(services:
  web:
    image: local/busybox:1
    network_mode: none
  db:
    image: local/busybox:1
    network_mode: none
)";

class DockerRealDaemon : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { daemon_ = new RealDockerDaemon(); }
  static void TearDownTestSuite() {
    delete daemon_;
    daemon_ = nullptr;
  }

  void SetUp() override {
    if (!daemon_->running()) GTEST_SKIP() << "no Docker daemon: " << daemon_->skip_reason();
    project_ = dir_.path() / "rd";
    WriteFile(project_ / "compose.yaml", kCompose);
    WriteFile(project_ / "infinity-sync.yaml", "project: rd\n");
  }
  void TearDown() override {
    if (daemon_->running()) daemon_->RemoveAllContainers();
  }

  void Up(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"up", "-d"};
    args.insert(args.end(), extra.begin(), extra.end());
    daemon_->Compose(project_.string(), args);
  }

  Outcome Check(std::vector<std::string> args = {}) {
    std::vector<std::string> argv = {
        ProgramPath(), "run", "--only", "docker", "--json", "--config", "./infinity-sync.yaml"};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessResult res = infinity_sync::testing::Run(argv, project_.string(), daemon_->Env(), 120s);
    Outcome o;
    o.exit_code = res.exit_code;
    o.err = res.err;
    o.doc = json::parse(res.out, nullptr, false);
    EXPECT_FALSE(o.doc.is_discarded()) << res.out << res.err;
    if (!o.doc.is_discarded()) o.docker = o.doc["status"]["DockerSync"];
    return o;
  }

  // Waits (up to 30 s) until `docker inspect -f FORMAT NAME` prints `want`.
  void WaitFor(const std::string& name, const std::string& format, const std::string& want) {
    auto deadline = std::chrono::steady_clock::now() + 30s;
    std::string got;
    while (std::chrono::steady_clock::now() < deadline) {
      ProcessResult r = infinity_sync::testing::Run({"docker", "inspect", "-f", format, name}, "",
                                                    daemon_->Env(), 10s);
      got = r.out;
      while (!got.empty() && got.back() == '\n') got.pop_back();
      if (got == want) return;
      std::this_thread::sleep_for(200ms);
    }
    ADD_FAILURE() << name << ": " << format << " is \"" << got << "\", waited for \"" << want
                  << "\"";
  }

  static RealDockerDaemon* daemon_;
  TempDir dir_;
  std::filesystem::path project_;
};

RealDockerDaemon* DockerRealDaemon::daemon_ = nullptr;

TEST_F(DockerRealDaemon, AllRunningIsSyncedAndADownProjectIsNot) {
  Up();
  Outcome o = Check();
  EXPECT_EQ(o.exit_code, 0) << o.Details();
  EXPECT_EQ(o.docker["Status"], "Synced") << o.Details();
  EXPECT_EQ(o.docker["Data"]["services"]["web"]["running"], 1);
  EXPECT_EQ(o.docker["Data"]["services"]["web"]["image"], "local/busybox:1");

  daemon_->Compose(project_.string(), {"down"});
  o = Check();
  EXPECT_EQ(o.docker["Status"], "OutOfSync") << o.Details();
  EXPECT_TRUE(o.HasDetail("web: 0/1 running (no container)")) << o.Details();
  EXPECT_TRUE(o.HasDetail("db: 0/1 running (no container)")) << o.Details();
}

TEST_F(DockerRealDaemon, StoppedExitedAndPausedServices) {
  WriteFile(project_ / "compose.yaml", std::string(kCompose) + R"(  job:
    image: local/busybox:1
    network_mode: none
    command: ["/bin/sh", "-c", "exit 3"]
)");
  Up();
  WaitFor("rd_job_1", "{{.State.Status}}", "exited");
  daemon_->Compose(project_.string(), {"stop", "-t", "0", "db"});
  daemon_->Compose(project_.string(), {"pause", "web"});
  Outcome o = Check();
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_EQ(o.docker["Status"], "OutOfSync") << o.Details();
  EXPECT_TRUE(o.HasDetail("db: 0/1 running (exited with code 137")) << o.Details();
  EXPECT_TRUE(o.HasDetail("job: 0/1 running (exited with code 3")) << o.Details();
  EXPECT_TRUE(o.HasDetail("web: 0/1 running (paused)")) << o.Details();
  EXPECT_TRUE(o.HasDetail("3 of 3 services out of sync")) << o.Details();
  EXPECT_EQ(o.docker["Data"]["services"]["web"]["state"], "paused");
}

TEST_F(DockerRealDaemon, RestartingService) {
  WriteFile(project_ / "compose.yaml", std::string(kCompose) + R"(  crash:
    image: local/busybox:1
    network_mode: none
    command: ["/bin/sh", "-c", "exit 1"]
    restart: always
)");
  Up();
  WaitFor("rd_crash_1", "{{.State.Restarting}}", "true");
  Outcome o = Check();
  EXPECT_EQ(o.docker["Status"], "OutOfSync") << o.Details();
  // Between two restarts the daemon may show it up for a moment.
  EXPECT_TRUE(o.HasDetail("crash: 0/1 running (restarting") ||
              o.HasDetail("crash: 0/1 running (exited with code 1"))
      << o.Details();
}

TEST_F(DockerRealDaemon, UnhealthyAndStartingHealthChecks) {
  WriteFile(project_ / "compose.yaml", R"(services:
  sick:
    image: local/busybox:1
    network_mode: none
    healthcheck:
      test: ["CMD", "/bin/false"]
      interval: 1s
      timeout: 1s
      retries: 1
  slow:
    image: local/busybox:1
    network_mode: none
    healthcheck:
      test: ["CMD", "/bin/true"]
      interval: 1h
)");
  Up();
  WaitFor("rd_sick_1", "{{.State.Health.Status}}", "unhealthy");
  Outcome o = Check();
  EXPECT_EQ(o.docker["Status"], "OutOfSync") << o.Details();
  EXPECT_TRUE(o.HasDetail("sick: rd_sick_1 is unhealthy")) << o.Details();
  EXPECT_TRUE(o.HasDetail("slow: rd_slow_1 health check is still starting")) << o.Details();
  EXPECT_EQ(o.docker["Data"]["services"]["sick"]["health"], "unhealthy");
  EXPECT_EQ(o.docker["Data"]["services"]["slow"]["health"], "starting");
  EXPECT_EQ(o.doc["actions"], json::array()) << "an unhealthy container gets no up -d";
}

TEST_F(DockerRealDaemon, OrphanAndOneOffContainers) {
  WriteFile(project_ / "compose.yaml", std::string(kCompose) + R"(  cache:
    image: local/busybox:1
    network_mode: none
)");
  Up();
  daemon_->Compose(project_.string(), {"run", "-d", "db", "/bin/sleep", "1000"});
  WriteFile(project_ / "compose.yaml", kCompose);
  Outcome o = Check();
  EXPECT_EQ(o.docker["Status"], "OutOfSync") << o.Details();
  EXPECT_TRUE(o.HasDetail("orphan container rd_cache_1 (service \"cache\" is not defined)"))
      << o.Details();
  EXPECT_EQ(o.docker["Data"]["orphans"], json::array({"rd_cache_1"}));
  EXPECT_EQ(o.docker["Data"]["services"]["db"]["running"], 1) << "the one-off run is ignored";

  daemon_->Docker({"rm", "-f", "rd_cache_1"});
  o = Check();
  EXPECT_EQ(o.docker["Status"], "Synced") << o.Details();
}

TEST_F(DockerRealDaemon, FewerAndMoreReplicas) {
  WriteFile(project_ / "compose.yaml", R"(services:
  web:
    image: local/busybox:1
    network_mode: none
    scale: 3
  db:
    image: local/busybox:1
    network_mode: none
)");
  Up({"--scale", "web=2", "--scale", "db=2"});
  Outcome o = Check();
  EXPECT_EQ(o.docker["Status"], "OutOfSync") << o.Details();
  EXPECT_TRUE(o.HasDetail("web: 2/3 running (1 not created)")) << o.Details();
  EXPECT_TRUE(o.HasDetail("db: 2/1 running (more than defined)")) << o.Details();
}

TEST_F(DockerRealDaemon, OtherTagAndStaleImage) {
  Up();
  ASSERT_EQ(daemon_->Import("local/busybox:2").rfind("sha256:", 0), 0u);
  WriteFile(project_ / "compose.yaml", R"(services:
  web:
    image: local/busybox:2
    network_mode: none
  db:
    image: local/busybox:1
    network_mode: none
)");
  Outcome o = Check();
  EXPECT_TRUE(o.HasDetail("web: runs local/busybox:1, defined local/busybox:2")) << o.Details();
  EXPECT_FALSE(o.HasDetail("db:")) << o.Details();

  // The tag the db runs now names another image, as after a pull or a rebuild.
  std::string fresh = daemon_->Import("local/busybox:1");
  ASSERT_EQ(fresh.rfind("sha256:", 0), 0u) << fresh;
  o = Check();
  EXPECT_EQ(o.docker["Status"], "OutOfSync") << o.Details();
  EXPECT_TRUE(o.HasDetail("db: image updated since the container started")) << o.Details();
  ASSERT_EQ(o.doc["actions"].size(), 1u);
  std::string fix = o.doc["actions"][0]["action"].get<std::string>();
  EXPECT_NE(fix.find("up -d"), std::string::npos) << fix;
  EXPECT_NE(fix.find("db"), std::string::npos) << fix;
}

TEST_F(DockerRealDaemon, LabelledDockerRunCountsAsTheService) {
  WriteFile(project_ / "compose.yaml", R"(services:
  web:
    image: local/busybox:1
    network_mode: none
)");
  daemon_->Docker({"run", "-d", "--network", "none", "--name", "rd-web-1", "--label",
                   "com.docker.compose.project=rd", "--label", "com.docker.compose.service=web",
                   "--label", "com.docker.compose.container-number=1", "--label",
                   "com.docker.compose.oneoff=False", "local/busybox:1"});
  Outcome o = Check();
  EXPECT_EQ(o.docker["Status"], "Synced") << o.Details();
}

TEST_F(DockerRealDaemon, YesFixStartsTheStoppedService) {
  Up();
  daemon_->Compose(project_.string(), {"stop", "-t", "0", "db"});
  Outcome o = Check({"--yes"});
  ASSERT_EQ(o.doc["actions"].size(), 1u) << o.Details();
  EXPECT_EQ(o.doc["actions"][0]["applied"], true) << o.doc["actions"].dump();
  WaitFor("rd_db_1", "{{.State.Status}}", "running");
  o = Check();
  EXPECT_EQ(o.docker["Status"], "Synced") << o.Details();
}

}  // namespace
}  // namespace infinity_sync::testing
