#include "cloud/compose_discovery.h"

#include <gtest/gtest.h>

#include "lib/map_env.h"
#include "lib/test_support.h"

namespace infinity_sync {
namespace {

using testing::TempDir;
using testing::WriteFile;

using testing::MapEnv;

constexpr const char* kMini = "services:\n  web:\n    image: nginx\n";

TEST(DockerComposeDiscovery, FindsTheFirstNameInTheFolderThenParents) {
  TempDir dir;
  RealFileSystem fs;
  WriteFile(dir / "repo/docker-compose.yml", kMini);
  WriteFile(dir / "repo/compose.yml", kMini);
  std::filesystem::create_directories(dir.path() / "repo/sub/deeper");

  auto here = DiscoverComposeFiles(dir.path() / "repo", {}, MapEnv({}), fs);
  ASSERT_TRUE(here) << here.error();
  EXPECT_EQ(here->files, (std::vector<std::string>{dir / "repo/compose.yml"}));
  EXPECT_EQ(here->working_dir, dir / "repo");
  EXPECT_EQ(here->origin, "discovered");

  auto below = DiscoverComposeFiles(dir.path() / "repo/sub/deeper", {}, MapEnv({}), fs);
  ASSERT_TRUE(below);
  EXPECT_EQ(below->files, (std::vector<std::string>{dir / "repo/compose.yml"}));
  EXPECT_EQ(below->working_dir, dir / "repo");
}

TEST(DockerComposeDiscovery, AddsTheOverrideBesideIt) {
  TempDir dir;
  RealFileSystem fs;
  WriteFile(dir / "a/compose.yaml", kMini);
  WriteFile(dir / "a/docker-compose.override.yml", kMini);
  auto a = DiscoverComposeFiles(dir.path() / "a", {}, MapEnv({}), fs);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->files, (std::vector<std::string>{dir / "a/compose.yaml",
                                                dir / "a/docker-compose.override.yml"}));

  // The override named like the file comes before compose's default order.
  WriteFile(dir / "b/docker-compose.yaml", kMini);
  WriteFile(dir / "b/compose.override.yml", kMini);
  WriteFile(dir / "b/docker-compose.override.yaml", kMini);
  auto b = DiscoverComposeFiles(dir.path() / "b", {}, MapEnv({}), fs);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->files, (std::vector<std::string>{dir / "b/docker-compose.yaml",
                                                dir / "b/docker-compose.override.yaml"}));
}

TEST(DockerComposeDiscovery, NothingFoundIsNotAnError) {
  TempDir dir;
  RealFileSystem fs;
  auto none = DiscoverComposeFiles(dir.path(), {}, MapEnv({}), fs);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->files.empty());
  ASSERT_FALSE(none->searched.empty());
  EXPECT_EQ(none->searched.front(), dir.str());
  EXPECT_EQ(none->searched.back(), "/");
}

TEST(DockerComposeDiscovery, ComposeFileAndConfiguredFilesWin) {
  TempDir dir;
  RealFileSystem fs;
  WriteFile(dir / "compose.yaml", kMini);
  WriteFile(dir / "deploy/base.yml", kMini);
  WriteFile(dir / "deploy/prod.yml", kMini);

  auto env = DiscoverComposeFiles(
      dir.path(), {}, MapEnv({{"COMPOSE_FILE", "deploy/base.yml:deploy/prod.yml"}}), fs);
  ASSERT_TRUE(env) << env.error();
  EXPECT_EQ(env->origin, "COMPOSE_FILE");
  EXPECT_EQ(env->files,
            (std::vector<std::string>{dir / "deploy/base.yml", dir / "deploy/prod.yml"}));
  EXPECT_EQ(env->working_dir, dir / "deploy");

  auto sep = DiscoverComposeFiles(dir.path(), {},
                                  MapEnv({{"COMPOSE_FILE", "deploy/base.yml;deploy/prod.yml"},
                                          {"COMPOSE_PATH_SEPARATOR", ";"}}),
                                  fs);
  ASSERT_TRUE(sep);
  EXPECT_EQ(sep->files.size(), 2u);

  WriteFile(dir / ".env", "COMPOSE_FILE=deploy/prod.yml\n");
  auto dotenv = DiscoverComposeFiles(dir.path(), {}, MapEnv({}), fs);
  ASSERT_TRUE(dotenv);
  EXPECT_EQ(dotenv->files, (std::vector<std::string>{dir / "deploy/prod.yml"}));

  auto configured = DiscoverComposeFiles(dir.path(), {dir / "deploy/base.yml"},
                                         MapEnv({{"COMPOSE_FILE", "compose.yaml"}}), fs);
  ASSERT_TRUE(configured);
  EXPECT_EQ(configured->origin, "docker.compose_files");
  EXPECT_EQ(configured->files, (std::vector<std::string>{dir / "deploy/base.yml"}));

  auto missing = DiscoverComposeFiles(dir.path(), {dir / "nope.yml"}, MapEnv({}), fs);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error(),
            "compose file " + (dir / "nope.yml") + " (from docker.compose_files) does not exist");
}

TEST(DockerComposeDiscovery, ProjectDotEnvFeedsInterpolationButTheShellWins) {
  TempDir dir;
  RealFileSystem fs;
  WriteFile(dir / "Shop/compose.yaml",
            "services:\n  web:\n    image: nginx:${TAG}\n  db:\n    image: postgres:${PG}\n");
  WriteFile(dir / "Shop/.env", "TAG=1.25\nPG=15\nCOMPOSE_PROJECT_NAME=from-dotenv\n");
  auto found = DiscoverComposeFiles(dir.path() / "Shop", {}, MapEnv({}), fs);
  ASSERT_TRUE(found);
  auto p = ReadComposeProject(*found, {}, MapEnv({{"PG", "16"}}), fs);
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->Find("web")->image, "nginx:1.25");
  EXPECT_EQ(p->Find("db")->image, "postgres:16");
  EXPECT_EQ(p->name, "from-dotenv");
  EXPECT_EQ(p->working_dir, dir / "Shop");

  WriteFile(dir / "Shop/.env", "TAG=1.25\n");
  auto folder = ReadComposeProject(*found, {}, MapEnv({}), fs);
  ASSERT_TRUE(folder);
  EXPECT_EQ(folder->name, "shop");

  WriteFile(dir / "Shop/.env", "1TAG=x\n");
  auto bad = ReadComposeProject(*found, {}, MapEnv({}), fs);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), (dir / "Shop/.env") + ":1: \"1TAG\" is not a valid variable name");
}

}  // namespace
}  // namespace infinity_sync
