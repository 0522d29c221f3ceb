// The compose conformance suite: each project of
// tests/fixtures/compose-conformance/ read as the docker check reads it
// (discovery in the project folder, its .env, COMPOSE_FILE from meta.json),
// compared with the expected.json beside it. Those come from Debian's
// `docker-compose config` where compose v1 and v2 agree, and from the compose
// specification where they differ ("source" in each file says which);
// generate.py there writes them, so this test needs no docker-compose.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cloud/compose_discovery.h"
#include "lib/test_support.h"
#include "ports/file_system.h"

namespace infinity_sync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json Normalized(const ComposeProject& p) {
  json services = json::object();
  for (const auto& s : p.services) {
    services[s.name] = {{"image", s.image},
                        {"build", s.build},
                        {"replicas", s.replicas},
                        {"profiles", s.profiles},
                        {"healthcheck", s.healthcheck}};
  }
  return {{"name", p.name}, {"services", services}};
}

TEST(DockerComposeConformance, EveryProjectReadsAsComposeDoes) {
  fs::path root = FixturePath("compose-conformance");
  int projects = 0, from_v1 = 0;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (!entry.is_directory()) continue;
    const fs::path dir = entry.path();
    SCOPED_TRACE(dir.filename().string());
    ++projects;
    json expected = json::parse(ReadFile((dir / "expected.json").string()));
    json meta = fs::exists(dir / "meta.json") ? json::parse(ReadFile((dir / "meta.json").string()))
                                              : json::object();
    std::map<std::string, std::string> shell;
    const json vars = meta.contains("env") ? meta["env"] : json::object();
    for (auto it = vars.begin(); it != vars.end(); ++it) shell[it.key()] = it->get<std::string>();
    EnvLookup env = [&shell](const std::string& name) -> std::optional<std::string> {
      auto it = shell.find(name);
      if (it == shell.end()) return std::nullopt;
      return it->second;
    };
    if (expected["source"].get<std::string>().rfind("docker-compose config", 0) == 0) ++from_v1;

    RealFileSystem files;
    std::string error;
    json got;
    auto discovery = DiscoverComposeFiles(dir, {}, env, files);
    if (!discovery) {
      error = discovery.error();
    } else {
      ASSERT_FALSE(discovery->files.empty());
      auto project = ReadComposeProject(*discovery, ComposeOptions{}, env, files);
      if (project) {
        got = Normalized(*project);
      } else {
        error = project.error();
      }
    }
    if (expected.contains("error")) {
      std::string want = expected["error"];
      EXPECT_NE(error.find(want), std::string::npos)
          << "want an error with: " << want << "\ngot: " << (error.empty() ? got.dump() : error)
          << "\n(" << expected["source"] << ")";
      continue;
    }
    ASSERT_EQ(error, "") << expected["source"];
    EXPECT_EQ(got["name"], expected["name"]) << expected["source"];
    EXPECT_EQ(got["services"], expected["services"]) << expected["source"];
  }
  EXPECT_GE(projects, 40);
  EXPECT_GE(from_v1, 25) << "most expectations come from docker-compose itself";
}

}  // namespace
}  // namespace infinity_sync::testing
