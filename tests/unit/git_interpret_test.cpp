#include "checks/git_check.h"

#include <gtest/gtest.h>

namespace infinity_sync {
namespace {

GitStatusInfo Tracking(int ahead, int behind, int dirty = 0, int untracked = 0) {
  GitStatusInfo info;
  info.oid = "3f2a9c1d0b7e4a5f6c8d9e0a1b2c3d4e5f6a7b8c";
  info.head = "main";
  info.upstream = "origin/main";
  info.has_ab = true;
  info.ahead = ahead;
  info.behind = behind;
  info.dirty = dirty;
  info.untracked = untracked;
  for (int i = 0; i < dirty; ++i) info.dirty_paths.push_back("f" + std::to_string(i));
  return info;
}

GitFetchOutcome Fetched() { return {true, true, "", "", std::nullopt}; }

TEST(GitInterpretTest, SyncedWhenCleanAndEven) {
  CheckResult r = InterpretGitStatus(Tracking(0, 0), Fetched(), "/repo");
  EXPECT_EQ(r.status, CheckStatus::kSynced);
  EXPECT_FALSE(r.fix.has_value());
  EXPECT_EQ(r.data["branch"], "main");
  EXPECT_EQ(r.data["upstream"], "origin/main");
  EXPECT_EQ(r.data["head"], "3f2a9c1d0b7e4a5f6c8d9e0a1b2c3d4e5f6a7b8c");
  EXPECT_EQ(r.data["ahead"], 0);
  EXPECT_EQ(r.data["behind"], 0);
  EXPECT_EQ(r.data["dirty"], 0);
  EXPECT_EQ(r.data["untracked"], 0);
}

TEST(GitInterpretTest, UntrackedAloneStaysSyncedButIsReported) {
  CheckResult r = InterpretGitStatus(Tracking(0, 0, 0, 3), Fetched(), "/repo");
  EXPECT_EQ(r.status, CheckStatus::kSynced);
  EXPECT_EQ(r.data["untracked"], 3);
  bool mentioned = false;
  for (const auto& n : r.notes) mentioned |= n.text.find("3 untracked files") != std::string::npos;
  EXPECT_TRUE(mentioned);
}

TEST(GitInterpretTest, BehindAndCleanOffersRebase) {
  CheckResult r = InterpretGitStatus(Tracking(0, 2), Fetched(), "/repo");
  EXPECT_EQ(r.status, CheckStatus::kDiverged);
  ASSERT_TRUE(r.fix.has_value());
  EXPECT_EQ(r.fix->description, "git rebase @{u}");
  EXPECT_EQ(r.fix->argv, (std::vector<std::string>{"git", "rebase", "@{u}"}));
  EXPECT_EQ(r.fix->cwd, "/repo");
}

TEST(GitInterpretTest, NoFixWhenDirtyAheadOrDiverged) {
  CheckResult dirty = InterpretGitStatus(Tracking(0, 2, 1), Fetched(), "/repo");
  EXPECT_EQ(dirty.status, CheckStatus::kDiverged);
  EXPECT_FALSE(dirty.fix.has_value());
  EXPECT_NE(dirty.fix_withheld.find("uncommitted"), std::string::npos);
  CheckResult ahead = InterpretGitStatus(Tracking(1, 0), Fetched(), "/repo");
  EXPECT_EQ(ahead.status, CheckStatus::kDiverged);
  EXPECT_FALSE(ahead.fix.has_value());
  CheckResult both = InterpretGitStatus(Tracking(1, 1), Fetched(), "/repo");
  EXPECT_EQ(both.status, CheckStatus::kDiverged);
  EXPECT_FALSE(both.fix.has_value());
  EXPECT_EQ(both.fix_withheld, "ahead and behind: rebase or merge by hand");
  CheckResult dirty_even = InterpretGitStatus(Tracking(0, 0, 2), Fetched(), "/repo");
  EXPECT_EQ(dirty_even.status, CheckStatus::kDiverged);
}

TEST(GitInterpretTest, FailedCasesSayWhy) {
  GitStatusInfo detached = Tracking(0, 0);
  detached.detached = true;
  detached.head.clear();
  CheckResult d = InterpretGitStatus(detached, Fetched(), "/repo");
  EXPECT_EQ(d.status, CheckStatus::kFailed);
  EXPECT_EQ(d.notes.back().text,
            "Detached HEAD at 3f2a9c1: check out a branch to compare it with its upstream");

  GitStatusInfo no_upstream = Tracking(0, 0);
  no_upstream.upstream.clear();
  no_upstream.has_ab = false;
  CheckResult n = InterpretGitStatus(no_upstream, Fetched(), "/repo");
  EXPECT_EQ(n.status, CheckStatus::kFailed);
  EXPECT_NE(n.notes.back().text.find("has no upstream"), std::string::npos);

  GitStatusInfo gone = Tracking(0, 0);
  gone.has_ab = false;
  EXPECT_EQ(InterpretGitStatus(gone, Fetched(), "/repo").status, CheckStatus::kFailed);

  GitStatusInfo initial;
  initial.initial = true;
  initial.head = "main";
  CheckResult i = InterpretGitStatus(initial, Fetched(), "/repo");
  EXPECT_EQ(i.status, CheckStatus::kFailed);
  EXPECT_EQ(i.notes.back().text, "No commits yet on branch main: nothing to compare");
}

TEST(GitInterpretTest, FetchFailureIsReportedWithTheAgeOfWhatWasFetched) {
  GitFetchOutcome failed{true, false, "origin", "git fetch: exit 128: fatal: unreachable",
                         std::chrono::seconds(7200)};
  CheckResult r = InterpretGitStatus(Tracking(0, 0), failed, "/repo");
  EXPECT_EQ(r.status, CheckStatus::kSynced);  // still judged on the last known remote
  EXPECT_EQ(r.data["fetched"], false);
  EXPECT_EQ(r.data["fetchError"], "git fetch: exit 128: fatal: unreachable");
  EXPECT_EQ(r.data["lastFetchAgeS"], 7200);
  bool warned = false;
  for (const auto& n : r.notes) {
    warned |= n.level == NoteLevel::kWarn &&
              n.text.find("judged on the remote as last fetched successfully 2 hours ago") !=
                  std::string::npos;
  }
  EXPECT_TRUE(warned);
}

TEST(GitInterpretTest, FetchFailureWithoutAnEarlierSuccessSaysSo) {
  GitFetchOutcome failed{true, false, "", "timed out after 1s", std::nullopt};
  CheckResult r = InterpretGitStatus(Tracking(0, 0), failed, "/repo");
  EXPECT_FALSE(r.data.contains("lastFetchAgeS"));
  bool said = false;
  for (const auto& n : r.notes) {
    said |= n.text ==
            "Fetch failed: timed out after 1s; judged on the remote as never fetched "
            "successfully";
  }
  EXPECT_TRUE(said);
}

TEST(GitInterpretTest, NoRemoteIsNoFetchCompleted) {
  GitFetchOutcome none;
  none.attempted = false;
  none.no_remote = true;
  CheckResult r = InterpretGitStatus(Tracking(0, 0), none, "/repo");
  bool said = false;
  for (const auto& n : r.notes) {
    EXPECT_EQ(n.text.find("Fetch completed"), std::string::npos) << n.text;
    said |= n.level == NoteLevel::kInfo && n.text == "No remote configured: nothing to fetch";
  }
  EXPECT_TRUE(said);
}

}  // namespace
}  // namespace infinity_sync
