#include "ports/file_system.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "lib/test_support.h"

namespace infinity_sync {
namespace {

TEST(FileSystemTest, WriteAtomicCreatesFoldersAndReplaces) {
  testing::TempDir dir;
  RealFileSystem fs;
  std::string path = dir / "a/b/status.json";
  ASSERT_TRUE(fs.WriteAtomic(path, "one").ok());
  EXPECT_EQ(*fs.ReadFile(path), "one");
  ASSERT_TRUE(fs.WriteAtomic(path, "two").ok());
  EXPECT_EQ(*fs.ReadFile(path), "two");
  // No temp files left behind.
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir / "a/b")) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
  auto info = fs.Stat(path);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->size, 3u);
  EXPECT_FALSE(fs.Stat(dir / "missing").has_value());
}

TEST(FileSystemTest, FailedWriteLeavesThePreviousFile) {
  testing::TempDir dir;
  RealFileSystem fs;
  std::string path = dir / "status.json";
  ASSERT_TRUE(fs.WriteAtomic(path, "previous").ok());
  // The parent of this target is a regular file: the write must fail cleanly.
  auto bad = fs.WriteAtomic(path + "/child.json", "x");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find(path), std::string::npos) << bad.error();
  EXPECT_EQ(*fs.ReadFile(path), "previous");
}

TEST(FileSystemTest, ReadErrorsNameTheFile) {
  RealFileSystem fs;
  auto r = fs.ReadFile("/nonexistent/infinity-sync/x.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "reading /nonexistent/infinity-sync/x.json: No such file or directory");
}

TEST(FileSystemTest, LockIsExclusiveAndReleased) {
  testing::TempDir dir;
  RealFileSystem fs;
  std::string path = dir / "run.lock";
  {
    auto first = fs.TryLock(path);
    ASSERT_TRUE(first.ok()) << first.error;
    auto second = fs.TryLock(path);  // a second open file description: flock refuses
    ASSERT_FALSE(second.ok());
    EXPECT_TRUE(second.contended);
    EXPECT_EQ(second.error, "another infinity-sync run holds the lock " + path + " (pid " +
                                std::to_string(getpid()) + ")");
  }
  EXPECT_TRUE(fs.TryLock(path).ok()) << "released with the first lock";
  auto impossible = fs.TryLock(path + "/under-a-file.lock");
  EXPECT_FALSE(impossible.ok());
  EXPECT_FALSE(impossible.contended);
  EXPECT_FALSE(impossible.error.empty());
}

}  // namespace
}  // namespace infinity_sync
