#include "checks/git_porcelain.h"

#include <gtest/gtest.h>

namespace infinity_sync {
namespace {

// Outputs as `git status --porcelain=v2 --branch -z` prints them (git 2.39).
std::string Z(std::initializer_list<std::string> records) {
  std::string out;
  for (const auto& r : records) out += r + '\0';
  return out;
}

constexpr const char* kOid = "# branch.oid 3f2a9c1d0b7e4a5f6c8d9e0a1b2c3d4e5f6a7b8c";

TEST(GitPorcelainTest, SyncedCleanBranch) {
  auto info = ParseGitPorcelainV2(
      Z({kOid, "# branch.head main", "# branch.upstream origin/main", "# branch.ab +0 -0"}));
  ASSERT_TRUE(info.ok()) << info.error();
  EXPECT_EQ(info->oid, "3f2a9c1d0b7e4a5f6c8d9e0a1b2c3d4e5f6a7b8c");
  EXPECT_EQ(info->head, "main");
  EXPECT_EQ(info->upstream, "origin/main");
  EXPECT_TRUE(info->has_ab);
  EXPECT_EQ(info->ahead, 0);
  EXPECT_EQ(info->behind, 0);
  EXPECT_EQ(info->dirty, 0);
  EXPECT_FALSE(info->detached);
}

TEST(GitPorcelainTest, AheadBehindAndDiverged) {
  auto ahead = ParseGitPorcelainV2(
      Z({kOid, "# branch.head main", "# branch.upstream origin/main", "# branch.ab +3 -0"}));
  EXPECT_EQ(ahead->ahead, 3);
  EXPECT_EQ(ahead->behind, 0);
  auto behind = ParseGitPorcelainV2(
      Z({kOid, "# branch.head main", "# branch.upstream origin/main", "# branch.ab +0 -12"}));
  EXPECT_EQ(behind->behind, 12);
  auto both = ParseGitPorcelainV2(
      Z({kOid, "# branch.head dev", "# branch.upstream upstream/dev", "# branch.ab +2 -5"}));
  EXPECT_EQ(both->ahead, 2);
  EXPECT_EQ(both->behind, 5);
  EXPECT_EQ(both->upstream, "upstream/dev");
}

TEST(GitPorcelainTest, DetachedHead) {
  auto info = ParseGitPorcelainV2(Z({kOid, "# branch.head (detached)"}));
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->detached);
  EXPECT_TRUE(info->head.empty());
  EXPECT_TRUE(info->upstream.empty());
}

TEST(GitPorcelainTest, InitialCommitAndUntracked) {
  auto info = ParseGitPorcelainV2(
      Z({"# branch.oid (initial)", "# branch.head main", "? notes.txt", "? build/"}));
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->initial);
  EXPECT_TRUE(info->oid.empty());
  EXPECT_EQ(info->untracked, 2);
  EXPECT_EQ(info->dirty, 0);
}

TEST(GitPorcelainTest, NoUpstreamAndGoneUpstream) {
  auto none = ParseGitPorcelainV2(Z({kOid, "# branch.head feature"}));
  EXPECT_TRUE(none->upstream.empty());
  EXPECT_FALSE(none->has_ab);
  // The upstream is still named when its remote branch is gone, without ab.
  auto gone =
      ParseGitPorcelainV2(Z({kOid, "# branch.head feature", "# branch.upstream origin/feature"}));
  EXPECT_EQ(gone->upstream, "origin/feature");
  EXPECT_FALSE(gone->has_ab);
}

TEST(GitPorcelainTest, ChangedRenamedUnmergedEntries) {
  const std::string h =
      "100644 100644 100644 e69de29bb2d1d6434b8b29ae775ad8c2e48c5391 "
      "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";
  auto info = ParseGitPorcelainV2(
      Z({kOid, "# branch.head main", "# branch.upstream origin/main", "# branch.ab +0 -0",
         "1 .M N... " + h + " src/app.cpp",
         "1 A. N... 000000 100644 100644 0000000000000000000000000000000000000000 "
         "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391 new file.txt",
         "2 R. N... " + h + " R100 docs/new name.md", "docs/old name.md",
         "u UU N... 100644 100644 100644 100644 e69de29bb2d1d6434b8b29ae775ad8c2e48c5391 "
         "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391 e69de29bb2d1d6434b8b29ae775ad8c2e48c5391 "
         "conflict.txt",
         "? untracked.log", "! ignored.o"}));
  ASSERT_TRUE(info.ok()) << info.error();
  EXPECT_EQ(info->dirty, 4);
  EXPECT_EQ(info->staged, 2 + 0);  // "A." and "R."; "UU" counts as unmerged
  EXPECT_EQ(info->unstaged, 1);
  EXPECT_EQ(info->unmerged, 1);
  EXPECT_EQ(info->untracked, 1);
  ASSERT_EQ(info->dirty_paths.size(), 4u);
  EXPECT_EQ(info->dirty_paths[1], "new file.txt");  // spaces kept with -z
  EXPECT_EQ(info->dirty_paths[2], "docs/new name.md");
  EXPECT_EQ(info->dirty_paths[3], "conflict.txt");
}

TEST(GitPorcelainTest, NewlineSeparatedRenameKeepsNewPath) {
  const std::string h =
      "100644 100644 100644 e69de29bb2d1d6434b8b29ae775ad8c2e48c5391 "
      "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";
  auto info = ParseGitPorcelainV2(std::string(kOid) + "\n# branch.head main\n2 R. N... " + h +
                                  " R100 b.txt\ta.txt\n");
  ASSERT_TRUE(info.ok()) << info.error();
  ASSERT_EQ(info->dirty_paths.size(), 1u);
  EXPECT_EQ(info->dirty_paths[0], "b.txt");
}

TEST(GitPorcelainTest, RejectsGarbageWithTheRecord) {
  auto bad = ParseGitPorcelainV2(Z({kOid, "# branch.head main", "# branch.ab three -1"}));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), "unexpected git status record (branch.ab): \"# branch.ab three -1\"");
  auto unknown = ParseGitPorcelainV2(Z({kOid, "# branch.head main", "7 what"}));
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().find("unknown kind"), std::string::npos);
  auto empty = ParseGitPorcelainV2("");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().find("no branch header"), std::string::npos);
  auto short_entry = ParseGitPorcelainV2(Z({kOid, "# branch.head main", "1 .M N... 100644"}));
  EXPECT_FALSE(short_entry.ok());
}

}  // namespace
}  // namespace infinity_sync
