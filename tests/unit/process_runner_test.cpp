#include "ports/process_runner.h"

#include <signal.h>

#include <gtest/gtest.h>

#include "lib/test_support.h"

namespace infinity_sync {
namespace {

using namespace std::chrono_literals;

ProcessResult RunIt(ProcessRequest req) {
  RealProcessRunner runner;
  return runner.Run(req);
}

TEST(ProcessRunnerTest, CapturesOutputsAndExitCode) {
  ProcessRequest req;
  req.argv = {"sh", "-c", "echo out; echo err >&2; exit 3"};
  ProcessResult r = RunIt(req);
  EXPECT_TRUE(r.started);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_FALSE(r.Succeeded());
  EXPECT_EQ(r.Describe(req.argv), "sh -c: exit 3: err");
}

TEST(ProcessRunnerTest, ArgumentsArePassedLiterallyNeverThroughAShell) {
  testing::TempDir dir;
  ProcessRequest req;
  std::string evil = "$(touch " + (dir / "pwned") + "); `touch " + (dir / "pwned2") + "`";
  req.argv = {"printf", "%s", evil};
  ProcessResult r = RunIt(req);
  EXPECT_TRUE(r.Succeeded());
  EXPECT_EQ(r.out, evil);
  EXPECT_FALSE(std::filesystem::exists(dir / "pwned"));
  EXPECT_FALSE(std::filesystem::exists(dir / "pwned2"));
}

TEST(ProcessRunnerTest, MissingProgramIsReportedNotThrown) {
  ProcessRequest req;
  req.argv = {"definitely-not-a-program-here", "x"};
  ProcessResult r = RunIt(req);
  EXPECT_FALSE(r.started);
  EXPECT_TRUE(r.not_found);
  EXPECT_EQ(r.Describe(req.argv), "definitely-not-a-program-here x: program not found");
  RealProcessRunner runner;
  EXPECT_FALSE(runner.Exists("definitely-not-a-program-here"));
  EXPECT_TRUE(runner.Exists("sh"));
}

TEST(ProcessRunnerTest, TimeoutKillsTheWholeProcessGroup) {
  testing::TempDir dir;
  std::string marker = dir / "grandchild-survived";
  ProcessRequest req;
  // The grandchild would write the marker after 1.5 s unless its group is killed.
  req.argv = {"sh", "-c", "(sleep 1.5; touch " + marker + ") & sleep 30"};
  req.timeout = 300ms;
  auto start = std::chrono::steady_clock::now();
  ProcessResult r = RunIt(req);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.Succeeded());
  EXPECT_LT(took, 2s);
  EXPECT_NE(r.Describe(req.argv).find("timed out after"), std::string::npos);
  std::this_thread::sleep_for(1700ms);
  EXPECT_FALSE(std::filesystem::exists(marker)) << "the grandchild outlived the timeout";
}

TEST(ProcessRunnerTest, EnvironmentChangesAndFolder) {
  testing::TempDir dir;
  setenv("INFINITY_SYNC_TEST_DROP", "present", 1);
  ProcessRequest req;
  req.argv = {"sh", "-c", "echo \"$A|${INFINITY_SYNC_TEST_DROP:-gone}|$(pwd)\""};
  req.env = {{"A", "set"}, {"INFINITY_SYNC_TEST_DROP", std::nullopt}};
  req.cwd = dir.str();
  ProcessResult r = RunIt(req);
  unsetenv("INFINITY_SYNC_TEST_DROP");
  EXPECT_EQ(r.out, "set|gone|" + std::filesystem::canonical(dir.path()).string() + "\n");
}

TEST(ProcessRunnerTest, StdinIsEmptySoNothingCanPrompt) {
  ProcessRequest req;
  req.argv = {"sh", "-c", "read x; echo \"got:$x:$?\""};
  req.timeout = 2s;
  ProcessResult r = RunIt(req);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.out, "got::1\n");
}

TEST(ProcessRunnerTest, OutputIsCapped) {
  ProcessRequest req;
  req.argv = {"sh", "-c", "head -c 100000 /dev/zero"};
  req.max_output = 1000;
  ProcessResult r = RunIt(req);
  EXPECT_TRUE(r.Succeeded());
  EXPECT_EQ(r.out.size(), 1000u);
}

TEST(ProcessRunnerTest, TailLinesKeepsTheLastNonEmptyLines) {
  EXPECT_EQ(TailLines("a\n\nb\r\nc\n\n", 2), "b | c");
  EXPECT_EQ(TailLines("", 2), "");
}

}  // namespace
}  // namespace infinity_sync
