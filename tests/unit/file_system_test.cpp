#include "ports/file_system.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <set>

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
  // No temp files left behind: the file and the .gitignore of the folder made.
  std::set<std::string> entries;
  for (const auto& e : std::filesystem::directory_iterator(dir / "a/b")) {
    entries.insert(e.path().filename().string());
  }
  EXPECT_EQ(entries, (std::set<std::string>{".gitignore", "status.json"}));
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

// The files the program is given (status, config, compose, credentials) are
// read only when they are regular files, without blocking, and capped.
TEST(FileSystemTest, ReadsOnlyRegularFilesUpToTheCap) {
  testing::TempDir dir;
  RealFileSystem fs;
  std::string fifo = dir / "fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::string reason;
  auto r = ReadRegularFile(fifo, kStatusFileLimit, &reason);  // returns at once: no writer needed
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "reading " + fifo + ": it is a FIFO, not a regular file");
  EXPECT_EQ(reason, "it is a FIFO, not a regular file");

  std::string zero = dir / "zero";
  ASSERT_EQ(symlink("/dev/zero", zero.c_str()), 0);
  auto z = fs.ReadFile(zero, kStatusFileLimit);
  ASSERT_FALSE(z.ok());
  EXPECT_EQ(z.error(), "reading " + zero + ": it is a character device, not a regular file");

  auto d = fs.ReadFile(dir.str(), kConfigFileLimit);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error(), "reading " + dir.str() + ": it is a directory, not a regular file");

  std::string big = dir / "big.json";
  testing::WriteFile(big, std::string(kConfigFileLimit + 1, 'x'));
  auto b = fs.ReadFile(big, kConfigFileLimit);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error(), "reading " + big + ": it is larger than 1 MiB");
  auto fits = fs.ReadFile(big, kComposeFileLimit);
  ASSERT_TRUE(fits.ok()) << fits.error();
  EXPECT_EQ(fits->size(), kConfigFileLimit + 1);
  EXPECT_EQ(FormatByteSize(16 * kMiB), "16 MiB");
  EXPECT_EQ(FormatByteSize(64 * 1024), "64 KiB");
  EXPECT_EQ(FormatByteSize(100), "100 bytes");
}

// A symlink at the lock path would make the lock truncate its target (any
// file, as root): refused, naming it, and the target keeps its content. A
// regular file there that holds something other than a pid is not ours.
TEST(FileSystemTest, LockNeverFollowsASymlinkNorClobbersAForeignFile) {
  testing::TempDir dir;
  RealFileSystem fs;
  std::string victim = dir / "victim.txt";
  testing::WriteFile(victim, "precious\n");
  std::string lock = dir / "status.json.lock";
  ASSERT_EQ(symlink(victim.c_str(), lock.c_str()), 0);
  auto linked = fs.TryLock(lock);
  EXPECT_FALSE(linked.ok());
  EXPECT_FALSE(linked.contended);
  EXPECT_EQ(linked.error, "lock file " + lock +
                              " is a symbolic link; refusing to follow it (remove it if it is "
                              "not yours)");
  EXPECT_EQ(testing::ReadFile(victim), "precious\n");

  std::string foreign = dir / "foreign.lock";
  testing::WriteFile(foreign, "not a pid at all\n");
  auto other = fs.TryLock(foreign);
  EXPECT_FALSE(other.ok());
  EXPECT_NE(other.error.find("holds something other than a pid"), std::string::npos) << other.error;
  EXPECT_EQ(testing::ReadFile(foreign), "not a pid at all\n");

  std::string hard = dir / "hard.lock";
  ASSERT_EQ(link(victim.c_str(), hard.c_str()), 0);
  auto linked_hard = fs.TryLock(hard);
  EXPECT_FALSE(linked_hard.ok());
  EXPECT_NE(linked_hard.error.find("has other hard links"), std::string::npos) << linked_hard.error;
  EXPECT_EQ(testing::ReadFile(victim), "precious\n");

  // A lock file a previous run left (its pid) is taken over as before.
  std::string stale = dir / "stale.lock";
  testing::WriteFile(stale, "4242\n");
  auto taken = fs.TryLock(stale);
  EXPECT_TRUE(taken.ok()) << taken.error;
  EXPECT_EQ(testing::ReadFile(stale), std::to_string(getpid()) + "\n");
}

TEST(FileSystemTest, LockHolderNamesThePidWithoutTakingTheLock) {
  testing::TempDir dir;
  RealFileSystem fs;
  std::string path = dir / "run.lock";
  EXPECT_FALSE(fs.LockHolder(path).has_value()) << "no file: nobody";
  EXPECT_FALSE(std::filesystem::exists(path)) << "asking creates nothing";
  {
    auto lock = fs.TryLock(path);
    ASSERT_TRUE(lock.ok()) << lock.error;
    auto holder = fs.LockHolder(path);
    ASSERT_TRUE(holder.has_value());
    EXPECT_EQ(*holder, std::to_string(getpid()));
    EXPECT_TRUE(fs.TryLock(path).contended) << "asking did not release it";
  }
  EXPECT_FALSE(fs.LockHolder(path).has_value());
  EXPECT_TRUE(fs.TryLock(path).ok()) << "asking did not keep it";
}

}  // namespace
}  // namespace infinity_sync
