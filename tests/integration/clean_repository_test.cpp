// The program's own files never make the repository it checks dirty: the
// folders a run creates carry a .gitignore holding `*`, and the commands that
// only read (status, history, heartbeat, serve before its first run) create no
// folder at all. Real git, the real program, loopback only.
#include <filesystem>

#include <gtest/gtest.h>

#include "core/own_folders.h"
#include "lib/git_world.h"
#include "lib/program.h"
#include "lib/server_process.h"
#include "ports/http_client.h"

namespace infinity_sync {
namespace {

using namespace std::chrono_literals;
using namespace testing;
namespace fs = std::filesystem;

std::string GitStatus(const std::string& repo) {
  return MustRun({"git", "-C", repo, "status", "--porcelain", "--untracked-files=all"}, "",
                 GitWorld::Env());
}

TEST(CleanRepository, ReadOnlyCommandsCreateNoFolderAndARunsFolderIsIgnored) {
  GitWorld world;
  // The embedded defaults (readiness/ in the repository), outside calls to
  // closed loopback ports. Committed, so the checkout starts clean.
  WriteConfig(world.work() + "/infinity-sync.yaml",
              "git: { fetch: false }\n"
              "github: { api_url: \"http://127.0.0.1:9\" }\n"
              "gcp: { api_url: \"http://127.0.0.1:9\", project: p }\n"
              "cloudflare: { domain: localhost, url: \"http://127.0.0.1:9\" }\n"
              "heartbeat: { timeout: 1s }\n"
              "server: { sync_every: 0 }\n");
  MustRun({"git", "-C", world.work(), "add", "infinity-sync.yaml"}, "", GitWorld::Env());
  MustRun({"git", "-C", world.work(), "commit", "-qm", "config"}, "", GitWorld::Env());
  world.Push(world.work());
  ASSERT_EQ(GitStatus(world.work()), "");
  const fs::path readiness = fs::path(world.work()) / "readiness";
  EnvChanges env = HermeticEnv(world.dir().str());

  for (const std::vector<std::string>& args : {std::vector<std::string>{"status"},
                                               {"status", "--json"},
                                               {"history"},
                                               {"history", "--json"},
                                               {"history", "--heartbeats"},
                                               {"heartbeat"},
                                               {"heartbeat", "gcp"}}) {
    ProgramRun r = RunProgram(args, world.work(), env);
    EXPECT_FALSE(fs::exists(readiness)) << args[0] << " created " << readiness << "\n"
                                        << r.proc.err;
  }
  // An empty history is an answer, not an error.
  ProgramRun empty = RunProgram({"history", "--json"}, world.work(), env);
  EXPECT_EQ(empty.code(), 0) << empty.proc.err;

  {
    ServeProcess serve(
        {"serve", "--config", world.work() + "/infinity-sync.yaml", "--listen", "127.0.0.1:0"},
        {{"HOME", world.dir().str()}});
    ASSERT_TRUE(serve.ready()) << serve.Stderr();
    CurlHttpClient http;
    for (const std::string path :
         {"/api/sync/status", "/api/sync/heartbeat", "/api/sync/history", "/api/sync/overview"}) {
      HttpRequest req;
      req.url = serve.url(path);
      req.timeout = 10s;
      EXPECT_TRUE(http.Send(req).answered) << path;
    }
    std::chrono::milliseconds took{0};
    EXPECT_EQ(serve.Terminate(5s, &took), 0);
  }
  EXPECT_FALSE(fs::exists(readiness)) << "serve before its first run created " << readiness;

  ProgramRun run = RunProgram({"run", "--dry-run", "--only", "git"}, world.work(), env);
  EXPECT_EQ(run.code(), 0) << run.proc.out << run.proc.err;
  EXPECT_TRUE(fs::exists(readiness / "infinity-sync-status.json"));
  EXPECT_EQ(ReadFile((readiness / ".gitignore").string()), "*\n");
  EXPECT_EQ(GitStatus(world.work()), "") << "the run's own files show in git status";
  ProgramRun history = RunProgram({"history", "--json"}, world.work(), env);
  EXPECT_EQ(history.code(), 0) << history.proc.err;
  EXPECT_EQ(history.doc["runs"].size(), 1u) << history.proc.out;
}

TEST(CleanRepository, OnlyTheFoldersTheProgramCreatesGetAGitignore) {
  TempDir dir;
  fs::create_directory(dir.path() / "mine");
  ASSERT_TRUE(CreateFoldersFor(dir / "mine/a/b/status.json").ok());
  EXPECT_FALSE(fs::exists(dir.path() / "mine/.gitignore"));
  EXPECT_EQ(ReadFile(dir / "mine/a/.gitignore"), "*\n");
  EXPECT_EQ(ReadFile(dir / "mine/a/b/.gitignore"), "*\n");
  // Existing folders: nothing is written.
  fs::remove(dir.path() / "mine/a/b/.gitignore");
  ASSERT_TRUE(CreateFoldersFor(dir / "mine/a/b/other.json").ok());
  EXPECT_FALSE(fs::exists(dir.path() / "mine/a/b/.gitignore"));
  // A file where a folder should be: the error names it.
  WriteConfig(dir / "file", "x");
  auto bad = CreateFoldersFor(dir / "file/sub/status.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find(dir / "file/sub"), std::string::npos) << bad.error();
}

}  // namespace
}  // namespace infinity_sync
