// The git check end to end: the real program against real repositories with a
// local bare remote.
#include <filesystem>

#include <gtest/gtest.h>

#include "lib/git_world.h"
#include "lib/program.h"

namespace infinity_sync {
namespace {

using namespace std::chrono_literals;
using namespace testing;

class GitIntegrationTest : public ::testing::Test {
 protected:
  GitWorld world;
  TempDir home;

  std::string Config(const std::string& extra = "") {
    return WriteConfig(home / "cfg/infinity-sync.yaml",
                       "git:\n  repo: " + world.work() + "\n" + extra +
                           "status_file: " + (home / "out/status.json") + "\n");
  }
  ProgramRun Sync(const std::vector<std::string>& flags, const std::string& cfg = "") {
    std::vector<std::string> args = {"run",    "--only",   "git",
                                     "--json", "--config", cfg.empty() ? Config() : cfg};
    args.insert(args.end(), flags.begin(), flags.end());
    return RunProgram(args, world.work(), HermeticEnv(home.str()));
  }
  nlohmann::json Git(const ProgramRun& run) { return run.doc["status"]["GitSync"]; }
};

TEST_F(GitIntegrationTest, SyncedCloneIsSynced) {
  ProgramRun run = Sync({"--dry-run"});
  ASSERT_EQ(run.code(), 0) << run.proc.out << run.proc.err;
  auto git = Git(run);
  EXPECT_EQ(git["Status"], "Synced");
  EXPECT_EQ(git["Data"]["branch"], "main");
  EXPECT_EQ(git["Data"]["upstream"], "origin/main");
  EXPECT_EQ(git["Data"]["head"], world.Head(world.work()));
  EXPECT_EQ(git["Data"]["ahead"], 0);
  EXPECT_EQ(git["Data"]["behind"], 0);
  EXPECT_EQ(git["Data"]["dirty"], 0);
  EXPECT_EQ(git["Data"]["untracked"], 0);
  EXPECT_EQ(git["Data"]["fetched"], true);
  EXPECT_EQ(run.doc["dryRun"], true);
  // The same document is on disk.
  EXPECT_EQ(nlohmann::json::parse(ReadFile(home / "out/status.json")), run.doc);
}

TEST_F(GitIntegrationTest, AheadIsDivergedWithoutAFix) {
  world.Commit(world.work(), "a.txt", "local\n");
  ProgramRun run = Sync({"--yes"});
  EXPECT_EQ(run.code(), 1);
  EXPECT_EQ(Git(run)["Status"], "Diverged");
  EXPECT_EQ(Git(run)["Data"]["ahead"], 1);
  EXPECT_EQ(Git(run)["Data"]["behind"], 0);
  EXPECT_TRUE(run.doc["actions"].empty());
}

TEST_F(GitIntegrationTest, BehindDryRunLeavesEverythingUntouched) {
  std::string remote_head = world.Commit(world.other(), "b.txt", "theirs\n");
  world.Push(world.other());
  std::string before = world.Head(world.work());
  std::string tree_before =
      MustRun({"git", "status", "--porcelain=v2"}, world.work(), GitWorld::Env());
  ProgramRun run = Sync({"--dry-run", "--yes"});
  EXPECT_EQ(run.code(), 1);
  EXPECT_EQ(Git(run)["Status"], "Diverged");
  EXPECT_EQ(Git(run)["Data"]["behind"], 1);
  ASSERT_EQ(run.doc["actions"].size(), 1u);
  EXPECT_EQ(run.doc["actions"][0]["check"], "GitSync");
  EXPECT_EQ(run.doc["actions"][0]["action"], "git rebase @{u}");
  EXPECT_EQ(run.doc["actions"][0]["applied"], false);
  EXPECT_EQ(run.doc["actions"][0]["reason"], "dry run");
  EXPECT_EQ(world.Head(world.work()), before);
  EXPECT_NE(before, remote_head);
  EXPECT_EQ(MustRun({"git", "status", "--porcelain=v2"}, world.work(), GitWorld::Env()),
            tree_before);
  EXPECT_FALSE(std::filesystem::exists(world.work() + "/b.txt"));
}

TEST_F(GitIntegrationTest, BehindWithoutTerminalIsSkippedAndRecorded) {
  world.Commit(world.other(), "b.txt", "theirs\n");
  world.Push(world.other());
  std::string before = world.Head(world.work());
  ProgramRun run = Sync({});
  EXPECT_EQ(run.code(), 1);
  ASSERT_EQ(run.doc["actions"].size(), 1u);
  EXPECT_EQ(run.doc["actions"][0]["applied"], false);
  EXPECT_EQ(run.doc["actions"][0]["reason"], "stdin is not a terminal (use --yes to apply)");
  EXPECT_EQ(world.Head(world.work()), before);
}

TEST_F(GitIntegrationTest, BehindWithYesFastForwards) {
  std::string remote_head = world.Commit(world.other(), "b.txt", "theirs\n");
  world.Push(world.other());
  ProgramRun run = Sync({"--yes"});
  EXPECT_EQ(run.code(), 0) << run.proc.out;
  EXPECT_EQ(Git(run)["Status"], "Synced");
  ASSERT_EQ(run.doc["actions"].size(), 1u);
  EXPECT_EQ(run.doc["actions"][0]["applied"], true);
  EXPECT_EQ(world.Head(world.work()), remote_head);
  EXPECT_EQ(ReadFile(world.work() + "/b.txt"), "theirs\n");
}

TEST_F(GitIntegrationTest, DivergedBothWays) {
  world.Commit(world.other(), "b.txt", "theirs\n");
  world.Push(world.other());
  world.Commit(world.work(), "a.txt", "mine\n");
  ProgramRun run = Sync({"--yes"});
  EXPECT_EQ(run.code(), 1);
  EXPECT_EQ(Git(run)["Status"], "Diverged");
  EXPECT_EQ(Git(run)["Data"]["ahead"], 1);
  EXPECT_EQ(Git(run)["Data"]["behind"], 1);
  EXPECT_TRUE(run.doc["actions"].empty());
}

TEST_F(GitIntegrationTest, DirtyIsDivergedUntrackedAloneIsSynced) {
  WriteFile(world.work() + "/notes.txt", "scratch\n");
  ProgramRun untracked = Sync({"--dry-run"});
  EXPECT_EQ(untracked.code(), 0);
  EXPECT_EQ(Git(untracked)["Status"], "Synced");
  EXPECT_EQ(Git(untracked)["Data"]["untracked"], 1);

  WriteFile(world.work() + "/README.md", "edited\n");
  ProgramRun dirty = Sync({"--dry-run"});
  EXPECT_EQ(dirty.code(), 1);
  EXPECT_EQ(Git(dirty)["Status"], "Diverged");
  EXPECT_EQ(Git(dirty)["Data"]["dirty"], 1);
  bool named = false;
  const nlohmann::json details = Git(dirty)["Details"];
  for (const auto& d : details) {
    named |= d.get<std::string>().find("1 uncommitted change (README.md)") != std::string::npos;
  }
  EXPECT_TRUE(named) << Git(dirty)["Details"].dump();
}

TEST_F(GitIntegrationTest, DetachedNoUpstreamAndNotARepoFailWithAReason) {
  MustRun({"git", "checkout", "--quiet", "--detach"}, world.work(), GitWorld::Env());
  ProgramRun detached = Sync({"--dry-run"});
  EXPECT_EQ(detached.code(), 2);
  EXPECT_EQ(Git(detached)["Status"], "Failed");
  EXPECT_NE(Git(detached)["Details"].back().get<std::string>().find("Detached HEAD"),
            std::string::npos);

  MustRun({"git", "checkout", "--quiet", "-b", "feature"}, world.work(), GitWorld::Env());
  ProgramRun no_upstream = Sync({"--dry-run"});
  EXPECT_EQ(no_upstream.code(), 2);
  EXPECT_NE(
      Git(no_upstream)["Details"].back().get<std::string>().find("Branch feature has no upstream"),
      std::string::npos);

  TempDir plain;
  std::string cfg =
      WriteConfig(home / "plain.yaml", "git:\n  repo: " + plain.str() +
                                           "\nstatus_file: " + (home / "out/plain.json") + "\n");
  ProgramRun not_repo = RunProgram({"run", "--only", "git", "--json", "--config", cfg}, plain.str(),
                                   HermeticEnv(home.str()));
  EXPECT_EQ(not_repo.code(), 2);
  EXPECT_EQ(not_repo.doc["status"]["GitSync"]["Status"], "Failed");
  EXPECT_EQ(not_repo.doc["status"]["GitSync"]["Details"][0],
            "Not a git repository: " + plain.str());
}

TEST_F(GitIntegrationTest, HangingRemoteEndsWithinTheFetchTimeout) {
  // A remote whose transport is a program that sleeps: git's ext:: helper.
  auto env = GitWorld::Env();
  MustRun({"git", "config", "protocol.ext.allow", "always"}, world.work(), env);
  MustRun({"git", "remote", "set-url", "origin", "ext::sh -c sleep% 37"}, world.work(), env);
  std::string cfg = Config("  fetch_timeout: 1s\n");
  auto start = std::chrono::steady_clock::now();
  ProgramRun run = Sync({"--dry-run"}, cfg);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, 6s);
  auto git = Git(run);
  EXPECT_EQ(git["Data"]["fetched"], false);
  EXPECT_EQ(git["Data"]["fetchError"], "timed out after 1s");
  // Still judged on what was fetched before, and says how old that is.
  EXPECT_EQ(git["Status"], "Synced");
  bool warned = false;
  for (const auto& d : git["Details"]) {
    warned |= d.get<std::string>().rfind(
                  "Fetch failed: timed out after 1s; judged on the remote as", 0) == 0;
  }
  EXPECT_TRUE(warned) << git["Details"].dump();
  // No sleeper is left behind.
  ProcessResult ps = testing::Run({"pgrep", "-f", "sleep 37"});
  EXPECT_NE(ps.exit_code, 0) << "a fetch helper outlived the run: " << ps.out;
}

TEST_F(GitIntegrationTest, UnreachableRemoteIsReportedNotFatal) {
  MustRun({"git", "remote", "set-url", "origin", home / "no-such-remote.git"}, world.work(),
          GitWorld::Env());
  ProgramRun run = Sync({"--dry-run"});
  auto git = Git(run);
  EXPECT_EQ(git["Data"]["fetched"], false);
  EXPECT_NE(git["Data"]["fetchError"].get<std::string>().find("exit 128"), std::string::npos);
  EXPECT_EQ(git["Status"], "Synced");
}

bool HasDetail(const nlohmann::json& git, const std::string& text) {
  for (const auto& d : git["Details"]) {
    if (d.get<std::string>() == text) return true;
  }
  return false;
}

TEST_F(GitIntegrationTest, FailedFetchNamesTheLastSuccessfulFetchNotItself) {
  // A successful run leaves the stamp; it is set back 3 hours, as if that run
  // were 3 hours ago, and so is the remote-tracking ref's reflog.
  ASSERT_EQ(Sync({"--dry-run"}).code(), 0);
  std::string stamp = world.work() + "/.git/infinity-sync-last-fetch";
  ASSERT_TRUE(std::filesystem::exists(stamp));
  auto then = std::filesystem::file_time_type::clock::now() - 3h;
  std::filesystem::last_write_time(stamp, then);
  std::string reflog = world.work() + "/.git/logs/refs/remotes/origin/main";
  if (std::filesystem::exists(reflog)) std::filesystem::last_write_time(reflog, then);
  // Now the fetch hangs and is killed; it rewrites FETCH_HEAD on its way.
  auto env = GitWorld::Env();
  MustRun({"git", "config", "protocol.ext.allow", "always"}, world.work(), env);
  MustRun({"git", "remote", "set-url", "origin", "ext::sh -c sleep% 38"}, world.work(), env);
  ProgramRun run = Sync({"--dry-run"}, Config("  fetch_timeout: 1s\n"));
  auto git = Git(run);
  EXPECT_TRUE(HasDetail(
      git,
      "Fetch failed: timed out after 1s; judged on the remote as last fetched successfully "
      "3 hours ago"))
      << git["Details"].dump();
  EXPECT_GE(git["Data"]["lastFetchAgeS"].get<long>(), 3 * 3600);
}

TEST_F(GitIntegrationTest, FailedFetchWithoutAnySuccessSaysNever) {
  std::filesystem::remove_all(world.work() + "/.git/logs/refs/remotes");
  MustRun({"git", "remote", "set-url", "origin", home / "no-such-remote.git"}, world.work(),
          GitWorld::Env());
  ProgramRun run = Sync({"--dry-run"});
  auto git = Git(run);
  EXPECT_FALSE(git["Data"].contains("lastFetchAgeS")) << git.dump(2);
  bool never = false;
  for (const auto& d : git["Details"]) {
    never |= d.get<std::string>().find("judged on the remote as never fetched successfully") !=
             std::string::npos;
  }
  EXPECT_TRUE(never) << git["Details"].dump();
  EXPECT_FALSE(std::filesystem::exists(world.work() + "/.git/infinity-sync-last-fetch"));
}

TEST_F(GitIntegrationTest, RepositoryWithoutARemoteIsNotFetchCompleted) {
  MustRun({"git", "remote", "remove", "origin"}, world.work(), GitWorld::Env());
  ProgramRun run = Sync({"--dry-run"});
  auto git = Git(run);
  EXPECT_TRUE(HasDetail(git, "No remote configured: nothing to fetch")) << git["Details"].dump();
  for (const auto& d : git["Details"]) {
    EXPECT_EQ(d.get<std::string>().find("Fetch completed"), std::string::npos) << d;
  }
  EXPECT_EQ(git["Data"]["fetched"], false);
}

}  // namespace
}  // namespace infinity_sync
