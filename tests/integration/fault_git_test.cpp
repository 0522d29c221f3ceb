// Fault injection, git (issue 9): a git program that hangs or is killed (a
// wrapper earlier on PATH, which is how the program finds git, like a user's
// shell), and a remote whose upload-pack hangs or dies (the real
// remote.<name>.uploadpack setting). SPEC 3.2: a failed fetch does not make
// GitSync Failed; it is judged on the last fetched state, with the fetch
// error in Data and Details. A git that cannot answer `git status` is Failed.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include <gtest/gtest.h>

#include "lib/git_world.h"
#include "lib/program.h"

namespace infinity_sync::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr double kSlackSeconds = 3.0;  // start-up and writing, generous for ASan

class FaultGit : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "bin");
    env_ = HermeticEnv(dir_ / "home");
    env_["PATH"] = (dir_ / "bin") + ":/usr/bin:/bin";
  }

  // A `git` earlier on PATH running `script` (sh) before the real git.
  void ShimGit(const std::string& script) {
    std::string path = dir_ / "bin/git";
    WriteFile(path, "#!/bin/sh\necho $$ >> " + (dir_ / "pids") + "\n" + script +
                        "\nexec /usr/bin/git \"$@\"\n");
    fs::permissions(path, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
  }

  // An upload-pack for `origin` that runs `script` (sh).
  void ShimUploadPack(const std::string& script) {
    std::string path = dir_ / "upload-pack";
    WriteFile(path, "#!/bin/sh\necho $$ >> " + (dir_ / "pids") + "\n" + script + "\n");
    fs::permissions(path, fs::perms::owner_all);
    MustRun({"git", "config", "remote.origin.uploadpack", path}, world_.work(), GitWorld::Env());
  }

  struct Outcome {
    int code = -1;
    json doc;
    json git;
    double seconds = 0;
  };

  Outcome Sync(const std::string& fetch_timeout = "1s", const std::string& timeout = "2s") {
    std::string cfg = WriteConfig(dir_ / "infinity-sync.yaml",
                                  "status_file: " + (dir_ / "status.json") +
                                      "\ntimeout: " + timeout + "\ngit:\n  repo: " + world_.work() +
                                      "\n  fetch_timeout: " + fetch_timeout + "\n");
    auto start = std::chrono::steady_clock::now();
    ProgramRun run = RunProgram({"run", "--dry-run", "--json", "--only", "git", "--config", cfg},
                                world_.work(), env_);
    Outcome o;
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    o.code = run.code();
    o.doc = run.doc;
    EXPECT_TRUE(o.doc.is_object()) << run.proc.out << "\nstderr: " << run.proc.err;
    if (o.doc.is_object()) o.git = o.doc["status"]["GitSync"];
    json written = json::parse(ReadFile(dir_ / "status.json"), nullptr, false);
    EXPECT_EQ(written, o.doc) << "the status file is not what was printed";
    return o;
  }

  static bool HasDetailStartingWith(const json& check, const std::string& prefix) {
    for (const auto& d : check["Details"]) {
      if (d.get<std::string>().rfind(prefix, 0) == 0) return true;
    }
    return false;
  }

  // No process a shim started (each records its pid, then execs `marker`) outlived the
  // run. By pid, not by name, so parallel tests cannot see each other's processes.
  void ExpectNoSurvivor(const std::string& marker) {
    std::istringstream pids(ReadFile(dir_ / "pids"));
    int checked = 0;
    for (std::string pid; pids >> pid; ++checked) {
      std::ifstream cmdline("/proc/" + pid + "/cmdline");
      std::string args((std::istreambuf_iterator<char>(cmdline)), {});
      std::replace(args.begin(), args.end(), '\0', ' ');
      EXPECT_EQ(args.find(marker), std::string::npos) << "a child outlived the run: " << pid;
    }
    EXPECT_GT(checked, 0) << "no shim ran";
  }

  TempDir dir_;
  GitWorld world_;
  EnvChanges env_;
};

TEST_F(FaultGit, GitHangingInFetchIsJudgedOnTheLastFetchedState) {
  ShimGit("for a in \"$@\"; do [ \"$a\" = fetch ] && exec sleep 41; done");
  Outcome o = Sync("1s");
  EXPECT_LT(o.seconds, 1 + 2 + kSlackSeconds);
  EXPECT_EQ(o.git["Status"], "Synced") << o.git.dump(2);
  EXPECT_EQ(o.git["Data"]["fetched"], false);
  EXPECT_EQ(o.git["Data"]["fetchError"], "timed out after 1s");
  EXPECT_TRUE(
      HasDetailStartingWith(o.git, "Fetch failed: timed out after 1s; judged on the remote as"))
      << o.git["Details"].dump();
  EXPECT_EQ(o.code, 0);
  ExpectNoSurvivor("sleep 41");
}

TEST_F(FaultGit, GitHangingEverywhereIsFailedWithinTheCheckBudget) {
  ShimGit("exec sleep 42");
  Outcome o = Sync("1s", "2s");
  EXPECT_LT(o.seconds, 1 + 2 + kSlackSeconds);
  EXPECT_EQ(o.git["Status"], "Failed") << o.git.dump(2);
  EXPECT_TRUE(HasDetailStartingWith(o.git, "git status failed: git status: timed out after"))
      << o.git["Details"].dump();
  EXPECT_EQ(o.code, 2);
  ExpectNoSurvivor("sleep 42");
}

TEST_F(FaultGit, GitKilledDuringFetchIsReportedAndTheRestStillJudged) {
  ShimGit("for a in \"$@\"; do [ \"$a\" = fetch ] && kill -9 $$; done");
  Outcome o = Sync();
  EXPECT_EQ(o.git["Status"], "Synced") << o.git.dump(2);
  EXPECT_EQ(o.git["Data"]["fetchError"], "git fetch: killed by signal 9");
  EXPECT_EQ(o.code, 0);
}

TEST_F(FaultGit, GitKilledDuringStatusIsFailedWithTheSignal) {
  ShimGit("for a in \"$@\"; do [ \"$a\" = status ] && kill -9 $$; done");
  Outcome o = Sync();
  EXPECT_EQ(o.git["Status"], "Failed") << o.git.dump(2);
  EXPECT_TRUE(HasDetailStartingWith(o.git, "git status failed: git status: killed by signal 9"))
      << o.git["Details"].dump();
  EXPECT_EQ(o.code, 2);
}

TEST_F(FaultGit, HangingUploadPackKeepsWhatWasFetchedBefore) {
  // A teammate pushed, and a real fetch saw it: the clone is 1 behind.
  world_.Commit(world_.other(), "b.txt", "b\n");
  world_.Push(world_.other());
  MustRun({"git", "fetch", "--quiet"}, world_.work(), GitWorld::Env());
  // Then the remote stops answering.
  ShimUploadPack("exec sleep 53");
  Outcome o = Sync("1s");
  EXPECT_LT(o.seconds, 1 + 2 + kSlackSeconds);
  EXPECT_EQ(o.git["Status"], "Diverged") << o.git.dump(2);
  EXPECT_EQ(o.git["Data"]["behind"], 1);
  EXPECT_EQ(o.git["Data"]["fetchError"], "timed out after 1s");
  EXPECT_GE(o.git["Data"]["lastFetchAgeS"].get<long>(), 0);
  EXPECT_EQ(o.code, 1);  // drift, judged on the last fetched state
  ExpectNoSurvivor("sleep 53");
}

TEST_F(FaultGit, UploadPackKilledMidFetchIsAFetchError) {
  ShimUploadPack("kill -9 $$");
  Outcome o = Sync();
  EXPECT_EQ(o.git["Status"], "Synced") << o.git.dump(2);
  std::string error = o.git["Data"]["fetchError"];
  EXPECT_EQ(error.rfind("git fetch: exit 128", 0), 0) << error;
  EXPECT_EQ(o.code, 0);
}

TEST_F(FaultGit, FetchTimeFromTheFutureIsNoNegativeAge) {
  // The clock was set back after the last successful fetch: its stamp is 3 hours "ahead".
  Sync();
  std::string stamp = world_.work() + "/.git/infinity-sync-last-fetch";
  fs::last_write_time(stamp, fs::last_write_time(stamp) + std::chrono::hours(3));
  ShimUploadPack("exit 1");
  Outcome o = Sync();
  EXPECT_EQ(o.git["Status"], "Synced") << o.git.dump(2);
  ASSERT_TRUE(o.git["Data"].contains("lastFetchAgeS")) << o.git.dump(2);
  EXPECT_GE(o.git["Data"]["lastFetchAgeS"].get<long>(), 0);
  for (const auto& d : o.git["Details"]) {
    EXPECT_EQ(d.get<std::string>().find("-"), std::string::npos) << d;
  }
}

}  // namespace
}  // namespace infinity_sync::testing
