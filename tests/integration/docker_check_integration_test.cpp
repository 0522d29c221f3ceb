// The docker check end to end: the real program against a loopback Docker
// Engine on a UNIX socket, with real compose files in a temp folder.
#include <filesystem>
#include <set>

#include <gtest/gtest.h>

#include "lib/docker_world.h"
#include "lib/test_support.h"

namespace infinity_sync::testing {
namespace {

using nlohmann::json;

constexpr const char* kCompose = R"(name: shop
services:
  web:
    image: nginx:1.27
    scale: 2
  db:
    image: postgres:16
    healthcheck:
      test: ["CMD", "pg_isready", "-U", "postgres"]
  worker:
    build: ./worker
  debug:
    image: busybox
    profiles: [debug]
)";

json Healthy() {
  return json::array(
      {ComposeContainer("shop", "web", 1, "nginx:1.27"),
       ComposeContainer("shop", "web", 2, "nginx:1.27"),
       ComposeContainer("shop", "db", 1, "postgres:16", "running", "Up 2 hours (healthy)"),
       ComposeContainer("shop", "worker", 1, "shop-worker")});
}

// Healthy() with the db container replaced (or removed when `db` is null).
json WithDb(const json& db) {
  json list = json::array();
  for (const auto& c : Healthy()) {
    if (c["Labels"]["com.docker.compose.service"] == "db") {
      if (!db.is_null()) list.push_back(db);
    } else {
      list.push_back(c);
    }
  }
  return list;
}

struct Outcome {
  int exit_code = -1;
  json doc;
  json docker;  // doc.status.DockerSync
  std::string out;
  std::string err;
  std::string Details() const {
    std::string s;
    for (const auto& d : docker.value("Details", json::array())) {
      s += "  " + d.get<std::string>() + "\n";
    }
    return s;
  }
  bool HasDetail(const std::string& text) const {
    for (const auto& d : docker.value("Details", json::array())) {
      if (d.get<std::string>().find(text) != std::string::npos) return true;
    }
    return false;
  }
};

class DockerCheckIntegration : public ::testing::Test {
 protected:
  void SetUp() override { WriteFile(dir_ / "compose.yaml", kCompose); }

  // Runs `infinity-sync run --only docker [--json] --config <dir>/infinity-sync.yaml ARGS`.
  Outcome RunCheck(const std::string& config, const std::string& docker_host,
                   std::vector<std::string> args = {}, bool json_output = true,
                   std::map<std::string, std::optional<std::string>> extra_env = {}) {
    WriteFile(dir_ / "infinity-sync.yaml", config);
    std::vector<std::string> argv = {ProgramPath(), "run",      "--only",
                                     "docker",      "--config", dir_ / "infinity-sync.yaml"};
    if (json_output) argv.push_back("--json");
    argv.insert(argv.end(), args.begin(), args.end());
    auto env = DockerTestEnv(docker_host);
    for (auto& [k, v] : extra_env) env[k] = v;
    ProcessResult res =
        infinity_sync::testing::Run(argv, dir_.str(), env, std::chrono::milliseconds(30'000));
    Outcome o;
    o.exit_code = res.exit_code;
    o.out = res.out;
    o.err = res.err;
    if (json_output) {
      o.doc = json::parse(res.out, nullptr, false);
      EXPECT_FALSE(o.doc.is_discarded()) << res.out << res.err;
      if (!o.doc.is_discarded()) o.docker = o.doc["status"]["DockerSync"];
    }
    return o;
  }

  Outcome RunWith(const json& containers, json extra = json::object()) {
    json scenario = {
        {"api_version", "1.47"}, {"min_api_version", "1.44"}, {"containers", containers}};
    scenario.update(extra);
    FakeDockerEngine engine(scenario);
    return RunCheck("project: shop\n", engine.host());
  }

  TempDir dir_;
};

TEST_F(DockerCheckIntegration, AllRunningIsSynced) {
  FakeDockerEngine engine({{"api_version", "1.47"}, {"containers", Healthy()}});
  Outcome o = RunCheck("project: shop\n", engine.host());
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.docker["Status"], "Synced") << o.Details();
  EXPECT_TRUE(o.HasDetail("Docker daemon is running (API 1.47, " + engine.host() + ")"));
  EXPECT_TRUE(o.HasDetail("Defined services: 3"));
  EXPECT_TRUE(o.HasDetail("Running services: 3"));
  EXPECT_TRUE(o.HasDetail("Not enabled by the active profiles: debug"));
  EXPECT_TRUE(o.HasDetail("All services are running"));
  json data = o.docker["Data"];
  EXPECT_EQ(data["project"], "shop");
  EXPECT_EQ(data["orphans"], json::array());
  EXPECT_EQ(data["services"]["web"], json({{"defined", 2},
                                           {"running", 2},
                                           {"image", "nginx:1.27"},
                                           {"health", "none"},
                                           {"state", "running"}}));
  EXPECT_EQ(data["services"]["db"]["health"], "healthy");
  EXPECT_EQ(data["services"]["worker"]["image"], "shop-worker");
  EXPECT_TRUE(o.docker["DurationMs"].is_number_integer());
  EXPECT_EQ(o.doc["actions"], json::array());

  // The Engine was asked the way the docker CLI asks: ping first, then the
  // project's containers by label, with a proper Host header.
  // Then one image lookup per distinct image name running containers use
  // (the build-only worker's by its container's image name).
  auto requests = engine.Requests();
  ASSERT_EQ(requests.size(), 5u);
  EXPECT_EQ(requests[0]["method"], "HEAD");
  EXPECT_EQ(requests[0]["path"], "/_ping");
  EXPECT_EQ(requests[1]["path"], "/v1.47/containers/json");
  std::set<std::string> images;
  for (std::size_t i = 2; i < requests.size(); ++i) images.insert(requests[i]["path"]);
  EXPECT_EQ(images, (std::set<std::string>{"/v1.47/images/nginx:1.27/json",
                                           "/v1.47/images/postgres:16/json",
                                           "/v1.47/images/shop-worker/json"}));
  EXPECT_NE(requests[1]["query"].get<std::string>().find("all=1"), std::string::npos);
  EXPECT_NE(requests[1]["query"].get<std::string>().find("com.docker.compose.project%3Dshop"),
            std::string::npos);
  EXPECT_EQ(requests[1]["headers"]["Host"], "docker");
}

TEST_F(DockerCheckIntegration, OutOfSyncScenariosNameTheService) {
  struct Case {
    std::string name;
    json containers;
    std::string detail;
    bool fix;
  };
  std::vector<Case> cases = {
      {"one missing", WithDb(nullptr), "db: 0/1 running (no container)", true},
      {"exited",
       WithDb(
           ComposeContainer("shop", "db", 1, "postgres:16", "exited", "Exited (0) 3 minutes ago")),
       "db: 0/1 running (exited 3 minutes ago)", true},
      {"unhealthy",
       WithDb(
           ComposeContainer("shop", "db", 1, "postgres:16", "running", "Up 5 minutes (unhealthy)")),
       "db: shop-db-1 is unhealthy (Up 5 minutes (unhealthy))", false},
      {"restarting",
       WithDb(ComposeContainer("shop", "db", 1, "postgres:16", "restarting",
                               "Restarting (1) 4 seconds ago")),
       "db: 0/1 running (restarting, last exit code 1)", true},
      {"image mismatch", WithDb(ComposeContainer("shop", "db", 1, "postgres:15")),
       "db: runs postgres:15, defined postgres:16", true},
      {"fewer replicas",
       json::array({ComposeContainer("shop", "web", 1, "nginx:1.27"),
                    ComposeContainer("shop", "db", 1, "postgres:16"),
                    ComposeContainer("shop", "worker", 1, "shop-worker")}),
       "web: 1/2 running (1 not created)", true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Outcome o = RunWith(c.containers);
    EXPECT_EQ(o.exit_code, 1) << o.err;
    EXPECT_EQ(o.docker["Status"], "OutOfSync");
    EXPECT_TRUE(o.HasDetail(c.detail)) << "want: " << c.detail << "\n" << o.Details();
    EXPECT_TRUE(o.HasDetail("1 of 3 services out of sync")) << o.Details();
    ASSERT_EQ(o.doc["actions"].size(), c.fix ? 1u : 0u);
    if (c.fix) {
      EXPECT_EQ(o.doc["actions"][0]["applied"], false);
      EXPECT_EQ(o.doc["actions"][0]["reason"], "stdin is not a terminal (use --yes to apply)");
    }
  }
}

TEST_F(DockerCheckIntegration, StaleImageIsOutOfSync) {
  json containers = Healthy();
  for (auto& c : containers) c["ImageID"] = "sha256:" + std::string(64, 'a');
  // postgres:16 was pulled again since the db container started.
  FakeDockerEngine engine({{"api_version", "1.47"},
                           {"containers", containers},
                           {"images",
                            {{"nginx:1.27", "sha256:" + std::string(64, 'a')},
                             {"postgres:16", "sha256:" + std::string(64, 'b')}}}});
  Outcome o = RunCheck("project: shop\n", engine.host());
  EXPECT_EQ(o.docker["Status"], "OutOfSync") << o.Details();
  EXPECT_TRUE(
      o.HasDetail("db: image updated since the container started (postgres:16 is now "
                  "sha256:bbbbbbbbbbbb; shop-db-1 runs the previous one)"))
      << o.Details();
  EXPECT_TRUE(o.HasDetail("1 of 3 services out of sync")) << o.Details();
  ASSERT_EQ(o.doc["actions"].size(), 1u);
  EXPECT_NE(o.doc["actions"][0]["action"].get<std::string>().find("up -d db"), std::string::npos);
}

TEST_F(DockerCheckIntegration, OrphanIsOutOfSync) {
  json containers = Healthy();
  containers.push_back(ComposeContainer("shop", "cache", 1, "redis:7"));
  json oneoff = ComposeContainer("shop", "db", 2, "postgres:16", "exited", "Exited (1) 1 hour ago");
  oneoff["Labels"]["com.docker.compose.oneoff"] = "True";
  containers.push_back(oneoff);
  containers.push_back(ComposeContainer("elsewhere", "db", 1, "postgres:9"));
  Outcome o = RunWith(containers);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_EQ(o.docker["Status"], "OutOfSync");
  EXPECT_EQ(o.docker["Data"]["orphans"], json::array({"shop-cache-1"}));
  EXPECT_TRUE(o.HasDetail("orphan container shop-cache-1 (service \"cache\" is not defined)"))
      << o.Details();
  EXPECT_FALSE(o.HasDetail("db:")) << o.Details();  // the one-off container is ignored
}

TEST_F(DockerCheckIntegration, DaemonDownIsFailedWithTheAddress) {
  std::string socket = dir_ / "no-docker.sock";
  Outcome o = RunCheck("project: shop\n", "unix://" + socket);
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(o.docker["Status"], "Failed");
  ASSERT_GE(o.docker["Details"].size(), 2u);
  EXPECT_EQ(o.docker["Details"][0], "Docker is not running");
  EXPECT_EQ(o.docker["Details"][1],
            "Address tried: unix://" + socket + " (from DOCKER_HOST): no such socket");
  EXPECT_EQ(o.docker["Data"]["address"], "unix://" + socket);
}

TEST_F(DockerCheckIntegration, HostFromConfigOrEnvironment) {
  FakeDockerEngine engine({{"api_version", "1.47"}, {"containers", Healthy()}});
  // docker.host in the config file, DOCKER_HOST unset.
  Outcome from_config = RunCheck("docker:\n  host: " + engine.host() + "\n", "");
  EXPECT_EQ(from_config.docker["Status"], "Synced") << from_config.Details();
  // DOCKER_HOST, no docker.host.
  Outcome from_env = RunCheck("project: shop\n", engine.host());
  EXPECT_EQ(from_env.docker["Status"], "Synced") << from_env.Details();
  // Both: the configuration wins.
  Outcome both =
      RunCheck("docker:\n  host: " + engine.host() + "\n", "unix://" + (dir_ / "x.sock"));
  EXPECT_EQ(both.docker["Status"], "Synced") << both.Details();
  EXPECT_EQ(engine.Requests().size(), 15u);  // each run: ping, list, three images
  // ${VAR} in the config is expanded from the environment.
  Outcome expanded =
      RunCheck("docker:\n  host: ${MY_DOCKER}\n", "", {}, true, {{"MY_DOCKER", engine.host()}});
  EXPECT_EQ(expanded.docker["Status"], "Synced") << expanded.Details();
}

TEST_F(DockerCheckIntegration, TcpHost) {
  FakeDockerEngine engine({{"api_version", "1.46"}, {"containers", Healthy()}}, /*tcp=*/true);
  Outcome o = RunCheck("project: shop\n", engine.host());
  EXPECT_EQ(o.docker["Status"], "Synced") << o.Details();
  EXPECT_EQ(engine.Requests()[1]["path"], "/v1.46/containers/json");
}

TEST_F(DockerCheckIntegration, NoComposeFileIsNoManifest) {
  std::filesystem::remove(dir_ / "compose.yaml");
  FakeDockerEngine engine(json{{"containers", Healthy()}});
  Outcome o = RunCheck("project: shop\n", engine.host());
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_EQ(o.docker["Status"], "NoManifest");
  EXPECT_TRUE(o.HasDetail("No compose file found")) << o.Details();
  EXPECT_TRUE(engine.Requests().empty());
}

TEST_F(DockerCheckIntegration, MalformedComposeFileFailsAndTheRunCompletes) {
  WriteFile(dir_ / "compose.yaml", "services:\n  web:\n    image: nginx\n    scale: [2\n");
  FakeDockerEngine engine(json{{"containers", Healthy()}});
  Outcome o = RunCheck("project: shop\nstatus_file: out/status.json\n", engine.host());
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(o.docker["Status"], "Failed");
  ASSERT_EQ(o.docker["Details"].size(), 1u);
  std::string detail = o.docker["Details"][0];
  EXPECT_EQ(detail, "Compose file error: " + (dir_ / "compose.yaml") +
                        ":5:1: end of sequence flow not found")
      << detail;
  EXPECT_TRUE(std::filesystem::exists(dir_ / "out/status.json"));

  WriteFile(dir_ / "compose.yaml", "services:\n  db:\n    image: postgres:${PG_TAG:?set PG_TAG}\n");
  Outcome missing_var = RunCheck("project: shop\n", engine.host());
  EXPECT_EQ(missing_var.docker["Details"][0],
            "Compose file error: " + (dir_ / "compose.yaml") +
                ":3:12: services.db.image: required variable PG_TAG is missing a value: set "
                "PG_TAG");
  EXPECT_TRUE(engine.Requests().empty());
}

TEST_F(DockerCheckIntegration, BadDaemonAnswersFailWithAReason) {
  struct Case {
    json list;
    std::string detail;
  };
  std::vector<Case> cases = {
      {{{"raw", "{not json"}}, "the daemon sent an unreadable container list: not valid JSON"},
      {{{"raw", R"([{"Id": "x", "State": true}])"}},
       "the daemon sent an unreadable container list: item 0: \"State\" is not a string"},
      {{{"oversized_mb", 20}}, "listing containers failed: answer larger than 16 MB"},
      {{{"reset", true}}, "listing containers failed: "},
      {{{"status", 500}, {"body", {{"message", "Error response from daemon: i/o timeout"}}}},
       "the daemon answered HTTP 500: Error response from daemon: i/o timeout"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.list.dump());
    Outcome o = RunWith(Healthy(), {{"list", c.list}});
    EXPECT_EQ(o.exit_code, 2);
    EXPECT_EQ(o.docker["Status"], "Failed");
    EXPECT_TRUE(o.HasDetail(c.detail)) << o.Details();
  }
}

TEST_F(DockerCheckIntegration, ReportSectionLooksLikeTheSeed) {
  FakeDockerEngine engine({{"api_version", "1.47"}, {"containers", WithDb(nullptr)}});
  Outcome o = RunCheck("project: shop\n", engine.host(), {}, /*json_output=*/false);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_NE(o.out.find("[3/5: Docker Container Sync]"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("[OK]   Docker daemon is running"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("[INFO] Defined services: 3"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("[INFO] Running services: 2"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("[WARN] db: 0/1 running (no container)"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("Docker Containers:  OutOfSync"), std::string::npos) << o.out;
}

class DockerFixIntegration : public DockerCheckIntegration {
 protected:
  // A stand-in `docker` first on PATH that records its argv, one per line.
  std::map<std::string, std::optional<std::string>> StandInDocker() {
    std::string script = dir_ / "bin/docker";
    WriteFile(script, "#!/bin/sh\nprintf '%s\\n' \"$@\" >> '" + (dir_ / "argv.txt") + "'\n");
    std::filesystem::permissions(script, std::filesystem::perms::owner_all);
    // The compose v2 plugin is installed: fixes run `docker compose`.
    WriteFile(dir_ / "docker-config/cli-plugins/docker-compose", "");
    const char* path = std::getenv("PATH");
    return {{"PATH", (dir_ / "bin") + ":" + (path ? path : "/usr/bin:/bin")},
            {"DOCKER_CONFIG", dir_ / "docker-config"}};
  }
};

// Without the v2 plugin, the fix runs the compose v1 program found on PATH.
TEST_F(DockerFixIntegration, WithoutThePluginTheFixRunsDockerCompose) {
  std::string script = dir_ / "bin/docker-compose";
  WriteFile(script, "#!/bin/sh\nprintf '%s\\n' \"$@\" >> '" + (dir_ / "argv.txt") + "'\n");
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  FakeDockerEngine engine({{"api_version", "1.47"}, {"containers", WithDb(nullptr)}});
  Outcome o = RunCheck("project: shop\n", engine.host(), {"--yes"}, true,
                       {{"PATH", (dir_ / "bin") + ":/usr/bin:/bin"}});
  std::string compose = dir_ / "compose.yaml";
  EXPECT_EQ(ReadFile(dir_ / "argv.txt"), "-f\n" + compose + "\n-p\nshop\nup\n-d\ndb\n");
  ASSERT_EQ(o.doc["actions"].size(), 1u);
  EXPECT_EQ(o.doc["actions"][0]["action"], "docker-compose -f " + compose + " -p shop up -d db");
}

TEST_F(DockerFixIntegration, YesStartsTheMissingService) {
  FakeDockerEngine engine({{"api_version", "1.47"}, {"containers", WithDb(nullptr)}});
  Outcome o = RunCheck("project: shop\n", engine.host(), {"--yes"}, true, StandInDocker());
  std::string compose = dir_ / "compose.yaml";
  EXPECT_EQ(ReadFile(dir_ / "argv.txt"), "compose\n-f\n" + compose + "\n-p\nshop\nup\n-d\ndb\n");
  ASSERT_EQ(o.doc["actions"].size(), 1u);
  EXPECT_EQ(o.doc["actions"][0]["check"], "DockerSync");
  EXPECT_EQ(o.doc["actions"][0]["action"], "docker compose -f " + compose + " -p shop up -d db");
  EXPECT_EQ(o.doc["actions"][0]["applied"], true);
  // Judged again after the fix: the stand-in started nothing, so still out of sync.
  EXPECT_EQ(o.docker["Status"], "OutOfSync");
  EXPECT_TRUE(o.HasDetail("Applied: docker compose -f " + compose + " -p shop up -d db"));
}

TEST_F(DockerFixIntegration, DryRunChangesNothing) {
  FakeDockerEngine engine({{"api_version", "1.47"}, {"containers", WithDb(nullptr)}});
  Outcome o = RunCheck("project: shop\n", engine.host(), {"--dry-run"}, true, StandInDocker());
  EXPECT_FALSE(std::filesystem::exists(dir_ / "argv.txt"));
  EXPECT_EQ(o.doc["dryRun"], true);
  ASSERT_EQ(o.doc["actions"].size(), 1u);
  EXPECT_EQ(o.doc["actions"][0]["applied"], false);
  EXPECT_EQ(o.doc["actions"][0]["reason"], "dry run");
  EXPECT_EQ(o.exit_code, 1);
}

}  // namespace
}  // namespace infinity_sync::testing
