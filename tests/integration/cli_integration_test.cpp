// The command line end to end: flags, exit codes, configuration errors, the
// run lock, the status command, and the status file's atomicity.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "core/config.h"

#include "lib/git_world.h"
#include "lib/program.h"
#include "ports/file_system.h"

extern char** environ;

namespace infinity_sync {
namespace {

using namespace std::chrono_literals;
using namespace testing;

class CliTest : public ::testing::Test {
 protected:
  TempDir home;
  EnvChanges env = HermeticEnv(home.str());
  std::string status_path = home / "out/status.json";

  // A config whose git check runs against a folder that is not a repository:
  // quick and deterministic (Failed).
  std::string PlainConfig(const std::string& extra = "") {
    return WriteConfig(
        home / "infinity-sync.yaml",
        "git:\n  repo: " + home.str() + "\nstatus_file: " + status_path + "\n" + extra);
  }
};

TEST_F(CliTest, VersionAndHelp) {
  ProgramRun v = RunProgram({"--version"}, home.str(), env);
  EXPECT_EQ(v.code(), 0);
  EXPECT_EQ(v.proc.out, "infinity-sync 0.1.0\n");
  ProgramRun h = RunProgram({"--help"}, home.str(), env);
  EXPECT_EQ(h.code(), 0);
  EXPECT_NE(h.proc.out.find("run"), std::string::npos);
  EXPECT_NE(h.proc.out.find("status"), std::string::npos);
  ProgramRun rh = RunProgram({"run", "--help"}, home.str(), env);
  EXPECT_EQ(rh.code(), 0);
  for (const char* flag : {"--dry-run", "--yes", "--verbose", "--json", "--only"}) {
    EXPECT_NE(rh.proc.out.find(flag), std::string::npos) << flag;
  }
}

TEST_F(CliTest, BadCommandLineExits64) {
  ProgramRun bad = RunProgram({"run", "--frobnicate"}, home.str(), env);
  EXPECT_EQ(bad.code(), 64);
  EXPECT_NE(bad.proc.err.find("--frobnicate"), std::string::npos) << bad.proc.err;
  ProgramRun only = RunProgram({"--only", "gti", "--config", PlainConfig()}, home.str(), env);
  EXPECT_EQ(only.code(), 64);
  EXPECT_NE(only.proc.err.find("unknown check \"gti\" (did you mean \"git\"?)"), std::string::npos)
      << only.proc.err;
  EXPECT_FALSE(std::filesystem::exists(status_path));
}

TEST_F(CliTest, HelpCommandExplainsTheProgramOrOneCommand) {
  ProgramRun all = RunProgram({"help"}, home.str(), env);
  EXPECT_EQ(all.code(), 0) << all.proc.err;
  EXPECT_NE(all.proc.out.find("heartbeat"), std::string::npos) << all.proc.out;
  ProgramRun run = RunProgram({"help", "run"}, home.str(), env);
  EXPECT_EQ(run.code(), 0) << run.proc.err;
  EXPECT_NE(run.proc.out.find("--dry-run"), std::string::npos) << run.proc.out;
  EXPECT_EQ(run.proc.out.find("--heartbeats"), std::string::npos) << run.proc.out;
  ProgramRun serve = RunProgram({"help", "serve"}, home.str(), env);
  EXPECT_NE(serve.proc.out.find("--listen"), std::string::npos) << serve.proc.out;
  ProgramRun typo = RunProgram({"help", "stauts"}, home.str(), env);
  EXPECT_EQ(typo.code(), 64);
  EXPECT_NE(typo.proc.err.find("unknown command \"stauts\" (did you mean \"status\"?)"),
            std::string::npos)
      << typo.proc.err;
}

TEST_F(CliTest, HelpConfigListsTheKeysFromTheRowsTheParserReads) {
  ProgramRun all = RunProgram({"help", "config"}, home.str(), env);
  EXPECT_EQ(all.code(), 0) << all.proc.err;
  for (const auto& path : ConfigKeyPaths()) {
    bool listed = all.proc.out.find("\n" + path + "  (default: ") != std::string::npos ||
                  all.proc.out.find("\n" + path + "\n") != std::string::npos;
    EXPECT_TRUE(listed) << path << " is not in help config";
  }
  EXPECT_EQ(all.proc.out.find('`'), std::string::npos) << "Markdown left in the help";
  ProgramRun git = RunProgram({"help", "config", "git"}, home.str(), env);
  EXPECT_EQ(git.code(), 0) << git.proc.err;
  EXPECT_NE(git.proc.out.find("git.fetch_timeout  (default: 30s)\n    deadline of the fetch\n"),
            std::string::npos)
      << git.proc.out;
  EXPECT_EQ(git.proc.out.find("docker."), std::string::npos) << git.proc.out;
  EXPECT_EQ(git.proc.out.find("github."), std::string::npos) << "git is not a prefix of github";
  ProgramRun typo = RunProgram({"help", "config", "git.fetch_timout"}, home.str(), env);
  EXPECT_EQ(typo.code(), 64);
  EXPECT_NE(
      typo.proc.err.find("unknown key \"git.fetch_timout\" (did you mean \"git.fetch_timeout\"?)"),
      std::string::npos)
      << typo.proc.err;
}

TEST_F(CliTest, UnknownCommandsAndOptionsGetDidYouMean) {
  ProgramRun command = RunProgram({"stauts"}, home.str(), env);
  EXPECT_EQ(command.code(), 64);
  EXPECT_NE(command.proc.err.find("unknown command \"stauts\" (did you mean \"status\"?)"),
            std::string::npos)
      << command.proc.err;
  ProgramRun far = RunProgram({"--config", PlainConfig(), "frobnicate"}, home.str(), env);
  EXPECT_EQ(far.code(), 64);
  EXPECT_NE(far.proc.err.find("unknown command \"frobnicate\"\n"), std::string::npos)
      << far.proc.err;
  ProgramRun option = RunProgram({"run", "--dryrun"}, home.str(), env);
  EXPECT_EQ(option.code(), 64);
  EXPECT_NE(option.proc.err.find("unknown option --dryrun (did you mean --dry-run?)"),
            std::string::npos)
      << option.proc.err;
  ProgramRun history = RunProgram({"history", "--limt", "3"}, home.str(), env);
  EXPECT_EQ(history.code(), 64);
  EXPECT_NE(history.proc.err.find("(did you mean --limit?)"), std::string::npos)
      << history.proc.err;
  // A value of an option is no command.
  EXPECT_NE(RunProgram({"--only", "git", "--config", PlainConfig()}, home.str(), env).code(), 64);
}

TEST_F(CliTest, BadListenAddressIsAUsageError) {
  ProgramRun bad =
      RunProgram({"serve", "--listen", "nope", "--config", PlainConfig()}, home.str(), env, 10s);
  EXPECT_EQ(bad.code(), 64) << bad.proc.err;
  EXPECT_NE(bad.proc.err.find("--listen:"), std::string::npos) << bad.proc.err;
}

TEST_F(CliTest, BadConfigurationExits78AndWritesNothing) {
  std::string cfg = WriteConfig(home / "bad.yaml",
                                "status_file: " + status_path + "\ngit:\n  fetch: sometimes\n");
  ProgramRun run = RunProgram({"run", "--config", cfg}, home.str(), env);
  EXPECT_EQ(run.code(), 78);
  EXPECT_EQ(run.proc.err, "infinity-sync: configuration error: " + cfg +
                              ":3:10: git.fetch: expected true or false, got \"sometimes\"\n");
  EXPECT_TRUE(run.proc.out.empty());
  EXPECT_FALSE(std::filesystem::exists(status_path));

  ProgramRun missing = RunProgram({"run", "--config", home / "nope.yaml"}, home.str(), env);
  EXPECT_EQ(missing.code(), 78);
  EXPECT_NE(missing.proc.err.find("no such configuration file"), std::string::npos);
}

TEST_F(CliTest, DiscoversTheConfigInTheRepositoryRoot) {
  GitWorld world;
  WriteFile(world.work() + "/infinity-sync.yaml",
            "project: discovered\nstatus_file: " + status_path + "\n");
  std::filesystem::create_directories(world.work() + "/deep/er");
  ProgramRun run =
      RunProgram({"--only", "git", "--json", "--dry-run"}, world.work() + "/deep/er", env);
  EXPECT_EQ(run.doc["project"], "discovered") << run.proc.err;
  EXPECT_EQ(run.doc["status"]["GitSync"]["Status"], "Synced");  // the config file is untracked only
}

TEST_F(CliTest, DefaultsWithoutAnyConfig) {
  GitWorld world;
  ProgramRun run = RunProgram({"run", "--only", "git", "--dry-run"}, world.work(), env);
  EXPECT_EQ(run.code(), 0) << run.proc.out << run.proc.err;
  std::string doc_path = world.work() + "/readiness/infinity-sync-status.json";
  ASSERT_TRUE(std::filesystem::exists(doc_path));
  auto doc = nlohmann::json::parse(ReadFile(doc_path));
  EXPECT_EQ(doc["project"], "work");
  // The report, plain ASCII without a terminal.
  EXPECT_NE(run.proc.out.find("[2/5: Git Repository Sync]"), std::string::npos) << run.proc.out;
  EXPECT_NE(run.proc.out.find("SYNC STATUS SUMMARY (dry run)"), std::string::npos);
  EXPECT_NE(run.proc.out.find("Git Repository:     Synced"), std::string::npos);
  EXPECT_NE(run.proc.out.find("[OK]"), std::string::npos);
  EXPECT_EQ(run.proc.out.find("\033["), std::string::npos) << "no colour without a terminal";
  EXPECT_EQ(run.proc.out.find("✅"), std::string::npos) << "no emoji without a terminal";
}

TEST_F(CliTest, FullRunReportsEveryCheckAndNeverClaimsUnbuiltOnesAreSynced) {
  ProgramRun run =
      RunProgram({"run", "--dry-run", "--json", "--config", PlainConfig()}, home.str(), env);
  ASSERT_TRUE(run.doc.is_object()) << run.proc.out << run.proc.err;
  for (const char* key : {"AuthCheck", "GitSync", "DockerSync", "GCPSync", "CloudflareCheck"}) {
    ASSERT_TRUE(run.doc["status"].contains(key)) << key;
    EXPECT_TRUE(run.doc["status"][key].contains("Details")) << key;
  }
  EXPECT_EQ(run.code(), 2);
  EXPECT_TRUE(run.doc["timestamp"].is_string());
  EXPECT_TRUE(run.doc["durationMs"].is_number());
  EXPECT_EQ(run.doc["version"], "0.1.0");
}

TEST_F(CliTest, VerbosePrintsEachCallWithItsDuration) {
  GitWorld world;
  ProgramRun run =
      RunProgram({"run", "--only", "git", "--verbose", "--dry-run"}, world.work(), env);
  EXPECT_NE(run.proc.out.find("> git fetch --quiet --no-tags -> exit 0 ("), std::string::npos)
      << run.proc.out;
  EXPECT_NE(run.proc.out.find("> git status --porcelain=v2 --branch -z -> exit 0 ("),
            std::string::npos);
  EXPECT_NE(run.proc.out.find(" ms"), std::string::npos);
}

TEST_F(CliTest, SecondRunWhileLockedExits75) {
  std::string cfg = PlainConfig();
  RealFileSystem fs;
  auto held = fs.TryLock(status_path + ".lock");
  ASSERT_TRUE(held.ok());
  ProgramRun run = RunProgram({"run", "--only", "git", "--config", cfg}, home.str(), env);
  EXPECT_EQ(run.code(), 75);
  EXPECT_NE(run.proc.err.find("another infinity-sync run holds the lock"), std::string::npos)
      << run.proc.err;
  EXPECT_FALSE(std::filesystem::exists(status_path));
}

TEST_F(CliTest, TwoConcurrentRunsOneExits75) {
  // The first run hangs in a fetch for 2 s while the second starts.
  GitWorld world;
  auto genv = GitWorld::Env();
  MustRun({"git", "config", "protocol.ext.allow", "always"}, world.work(), genv);
  MustRun({"git", "remote", "set-url", "origin", "ext::sh -c sleep% 5"}, world.work(), genv);
  std::string cfg = WriteConfig(
      home / "slow.yaml",
      "git: { repo: " + world.work() + ", fetch_timeout: 2s }\nstatus_file: " + status_path + "\n");
  std::atomic<int> first_code{-1};
  std::thread first([&] {
    first_code = RunProgram({"run", "--only", "git", "--config", cfg}, home.str(), env).code();
  });
  std::this_thread::sleep_for(700ms);
  ProgramRun second = RunProgram({"run", "--only", "git", "--config", cfg}, home.str(), env);
  first.join();
  EXPECT_EQ(second.code(), 75);
  EXPECT_EQ(first_code, 0);  // judged on the last fetched state: synced
}

TEST_F(CliTest, StatusCommandReadsTheLastDocument) {
  std::string cfg = PlainConfig("fresh_for: 5m\n");
  ProgramRun none = RunProgram({"status", "--config", cfg}, home.str(), env);
  EXPECT_EQ(none.code(), 2);
  EXPECT_NE(none.proc.err.find("no status yet"), std::string::npos);

  ProgramRun run = RunProgram({"run", "--only", "git", "--config", cfg}, home.str(), env);
  EXPECT_EQ(run.code(), 2);  // not a repository
  ProgramRun status = RunProgram({"status", "--config", cfg}, home.str(), env);
  EXPECT_EQ(status.code(), run.code());
  EXPECT_NE(status.proc.out.find("Git Repository:     Failed"), std::string::npos)
      << status.proc.out;
  EXPECT_NE(status.proc.out.find("fresh (fresh for 5m)"), std::string::npos) << status.proc.out;
  ProgramRun json = RunProgram({"status", "--json", "--config", cfg}, home.str(), env);
  EXPECT_EQ(json.doc["fresh"], true);
  EXPECT_EQ(json.doc["status"]["GitSync"]["Status"], "Failed");

  // A stale document (the seed's shape) still gives its exit code, marked STALE.
  WriteFile(status_path, R"({"timestamp": "2020-01-01T00:00:00.000Z", "dryRun": false,
    "status": {"GitSync": {"Status": "Diverged", "Details": []}}})");
  ProgramRun stale = RunProgram({"status", "--config", cfg}, home.str(), env);
  EXPECT_EQ(stale.code(), 1);
  EXPECT_NE(stale.proc.out.find("STALE"), std::string::npos);
  ProgramRun stale_json = RunProgram({"status", "--json", "--config", cfg}, home.str(), env);
  EXPECT_EQ(stale_json.doc["fresh"], false);

  WriteFile(status_path, "{\"timestamp\": ");
  ProgramRun corrupt = RunProgram({"status", "--config", cfg}, home.str(), env);
  EXPECT_EQ(corrupt.code(), 2);
  EXPECT_NE(corrupt.proc.err.find("is not a valid status document: not valid JSON"),
            std::string::npos)
      << corrupt.proc.err;
}

TEST_F(CliTest, UnwritableStatusFileIsReportedAndExits2) {
  WriteFile(home / "blocker", "a file where a folder is needed");
  std::string cfg =
      WriteConfig(home / "c.yaml", "git: { repo: " + home.str() +
                                       " }\nstatus_file: " + (home / "blocker/s.json") + "\n");
  ProgramRun run = RunProgram({"run", "--only", "git", "--config", cfg}, home.str(), env);
  EXPECT_EQ(run.code(), 2);
  EXPECT_NE(run.proc.err.find("the status file was not written"), std::string::npos)
      << run.proc.err;
  EXPECT_NE(run.proc.out.find("Status NOT saved"), std::string::npos);
}

TEST_F(CliTest, ReadersNeverSeeAHalfWrittenStatusFile) {
  GitWorld world;
  std::string cfg =
      WriteConfig(home / "c.yaml", "git: { repo: " + world.work() +
                                       ", fetch: false }\nstatus_file: " + status_path + "\n");
  ASSERT_EQ(RunProgram({"run", "--only", "git", "--config", cfg}, home.str(), env).code(), 0);
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0}, bad{0};
  std::thread reader([&] {
    while (!stop) {
      std::string text = ReadFile(status_path);
      if (nlohmann::json::parse(text, nullptr, false).is_discarded()) ++bad;
      ++reads;
    }
  });
  for (int i = 0; i < 8; ++i)
    RunProgram({"run", "--only", "git", "--config", cfg}, home.str(), env);
  stop = true;
  reader.join();
  EXPECT_GT(reads.load(), 100);
  EXPECT_EQ(bad.load(), 0);
}

TEST_F(CliTest, KilledRunLeavesThePreviousFileIntact) {
  GitWorld world;
  std::string cfg = WriteConfig(home / "c.yaml",
                                "git: { repo: " + world.work() +
                                    ", fetch_timeout: 20s }\nstatus_file: " + status_path + "\n");
  ASSERT_EQ(RunProgram({"run", "--only", "git", "--config", cfg}, home.str(), env).code(), 0);
  std::string before = ReadFile(status_path);
  auto genv = GitWorld::Env();
  MustRun({"git", "config", "protocol.ext.allow", "always"}, world.work(), genv);
  MustRun({"git", "remote", "set-url", "origin", "ext::sh -c sleep% 9"}, world.work(), genv);

  std::vector<std::string> args = {ProgramPath(), "run", "--only", "git", "--config", cfg};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  ASSERT_EQ(posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ), 0);
  std::this_thread::sleep_for(500ms);
  kill(pid, SIGKILL);
  int status;
  waitpid(pid, &status, 0);
  EXPECT_EQ(ReadFile(status_path), before);
  // The lock died with the process: the next run is not refused.
  MustRun({"git", "remote", "set-url", "origin", world.remote()}, world.work(), genv);
  EXPECT_EQ(RunProgram({"run", "--only", "git", "--config", cfg}, home.str(), env).code(), 0);
}

TEST_F(CliTest, InterruptStopsTheRunAndItsChildren) {
  GitWorld world;
  auto genv = GitWorld::Env();
  MustRun({"git", "config", "protocol.ext.allow", "always"}, world.work(), genv);
  MustRun({"git", "remote", "set-url", "origin", "ext::sh -c sleep% 43"}, world.work(), genv);
  std::string cfg = WriteConfig(
      home / "c.yaml", "git: { repo: " + world.work() + " }\nstatus_file: " + status_path + "\n");
  std::vector<std::string> args = {ProgramPath(), "run", "--only", "git", "--config", cfg};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  ASSERT_EQ(posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ), 0);
  std::this_thread::sleep_for(500ms);
  auto start = std::chrono::steady_clock::now();
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  std::this_thread::sleep_for(100ms);
  EXPECT_NE(testing::Run({"pgrep", "-f", "sleep 43"}).exit_code, 0) << "the fetch outlived Ctrl-C";
}

}  // namespace
}  // namespace infinity_sync
