// Compose discovery starts in the project's repository (the resolved git.repo),
// not in the folder of the configuration file: a config kept elsewhere finds
// the repository's compose.yaml, and a relative --config works.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lib/program.h"
#include "lib/test_support.h"

namespace infinity_sync::testing {
namespace {

using nlohmann::json;

json DockerSection(const ProgramRun& run) {
  auto doc = json::parse(run.proc.out, nullptr, false);
  if (doc.is_discarded()) return json();
  return doc["status"]["DockerSync"];
}

TEST(ComposeDiscoveryIntegration, AConfigKeptElsewhereFindsTheRepositorysComposeFile) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "srv/app");
  std::filesystem::create_directories(dir.path() / "home/.config/infinity-sync");
  MustRun({"git", "init", "-q"}, dir / "srv/app");
  WriteFile(dir / "srv/app/compose.yaml", "services:\n  web:\n    image: busybox\n");
  std::string cfg = dir / "home/.config/infinity-sync/app.yaml";
  WriteFile(cfg, "git: { repo: " + (dir / "srv/app") + ", fetch: false }\nstatus_file: " +
                     (dir / "status.json") + "\nstore: \"\"\ndocker: { host: \"unix://" +
                     (dir / "no-daemon.sock") + "\" }\n");
  EnvChanges env = HermeticEnv(dir / "home");

  // From anywhere: the compose file of git.repo is the manifest (the daemon is
  // down, so the check fails on that, not on a missing manifest).
  ProgramRun run =
      RunProgram({"run", "--only", "docker", "--json", "--config", cfg}, dir.str(), env);
  json docker = DockerSection(run);
  ASSERT_FALSE(docker.is_null()) << run.proc.out << run.proc.err;
  EXPECT_EQ(docker["Status"], "Failed") << docker.dump(2);
  EXPECT_EQ(docker["Data"]["project"], "app") << docker.dump(2);

  // A relative --config, from the config's own folder.
  ProgramRun relative = RunProgram({"run", "--only", "docker", "--json", "--config", "./app.yaml"},
                                   dir / "home/.config/infinity-sync", env);
  json again = DockerSection(relative);
  ASSERT_FALSE(again.is_null()) << relative.proc.out << relative.proc.err;
  EXPECT_EQ(again["Data"]["project"], "app") << again.dump(2);

  // Without a compose file in the repository there is no manifest, even though
  // one sits beside the configuration.
  std::filesystem::remove(dir / "srv/app/compose.yaml");
  WriteFile(dir / "home/.config/infinity-sync/compose.yaml", "services:\n  other: {image: x}\n");
  ProgramRun none =
      RunProgram({"run", "--only", "docker", "--json", "--config", cfg}, dir.str(), env);
  EXPECT_EQ(DockerSection(none)["Status"], "NoManifest") << none.proc.out << none.proc.err;
}

}  // namespace
}  // namespace infinity_sync::testing
