// The adoption commands end to end: init, run --watch (with SIGINT), --explain.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <filesystem>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "checks/gcloud_files.h"
#include "cli/init_config.h"
#include "core/config.h"
#include "lib/git_world.h"
#include "lib/program.h"

extern char** environ;

namespace infinity_sync {
namespace {

using namespace std::chrono_literals;
using namespace testing;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The built program started in the background with `env` applied to this
// process's environment and stdout/stderr going to files.
class Background {
 public:
  Background(const std::vector<std::string>& args, const EnvChanges& env, const std::string& out,
             const std::string& err) {
    std::map<std::string, std::string> vars;
    for (char** e = environ; *e; ++e) {
      std::string kv = *e;
      auto eq = kv.find('=');
      if (eq != std::string::npos) vars[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (const auto& [k, v] : env) {
      if (v)
        vars[k] = *v;
      else
        vars.erase(k);
    }
    for (const auto& [k, v] : vars) env_strings_.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& s : env_strings_) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> all = {ProgramPath()};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    started_ = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data()) == 0;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Background() {
    if (started_ && !reaped_) {
      kill(pid_, SIGKILL);
      Wait();
    }
  }
  bool started() const { return started_; }
  void Signal(int sig) { kill(pid_, sig); }
  // The wait status.
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    reaped_ = true;
    return status;
  }

 private:
  std::vector<std::string> env_strings_;
  pid_t pid_ = -1;
  bool started_ = false;
  bool reaped_ = false;
};

// Waits up to `limit` for `path` to hold `part`.
bool WaitForText(const std::string& path, const std::string& part,
                 std::chrono::milliseconds limit) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (std::filesystem::exists(path) && Contains(ReadFile(path), part)) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

class AdoptCliTest : public ::testing::Test {
 protected:
  TempDir home;
  EnvChanges env = HermeticEnv(home.str());
};

TEST_F(AdoptCliTest, InitWritesAConfigThatRunLoads) {
  GitWorld world;
  WriteFile(world.work() + "/compose.yaml", "services:\n  web:\n    image: nginx\n");
  WriteFile(world.work() + "/compose.override.yaml", "services: {}\n");
  std::filesystem::create_directories(home / "gcloud/configurations");
  WriteFile(home / "gcloud/configurations/config_default",
            "[core]\naccount = dev@example.com\nproject = acme-prod\n\n[run]\nregion = "
            "europe-west1\n");
  ProgramRun init = RunProgram({"init"}, world.work(), env);
  ASSERT_EQ(init.code(), 0) << init.proc.err;
  EXPECT_TRUE(Contains(init.proc.out, "Wrote " + world.work() + "/infinity-sync.yaml"));
  std::string yaml = ReadFile(world.work() + "/infinity-sync.yaml");
  EXPECT_TRUE(Contains(yaml, "project: \"work\"")) << yaml;
  EXPECT_TRUE(Contains(yaml, "remote: \"origin\"   # found: " + world.remote())) << yaml;
  EXPECT_TRUE(Contains(yaml, "    - \"compose.yaml\"\n    - \"compose.override.yaml\"")) << yaml;
  EXPECT_TRUE(Contains(yaml, "project: \"acme-prod\"")) << yaml;
  EXPECT_TRUE(Contains(yaml, "region: \"europe-west1\"")) << yaml;
  // Nothing to check for Cloudflare (no domain found): off, saying why.
  EXPECT_TRUE(Contains(yaml, "cloudflare:\n  enabled: false       # nothing found to check"))
      << yaml;
  EXPECT_FALSE(Contains(yaml, "gcp:\n  enabled: false")) << "a gcloud project was found";
  EXPECT_TRUE(Contains(yaml, "# auth:\n#   github: true\n#   google: true")) << yaml;

  // The written file is what the next run loads.
  ProgramRun run = RunProgram({"run", "--dry-run", "--json", "--only", "git"}, world.work(), env);
  ASSERT_TRUE(run.doc.is_object()) << run.proc.out << run.proc.err;
  EXPECT_EQ(run.doc["project"], "work");
  auto parsed = LoadConfig("", world.work(), [](const std::string&) { return std::nullopt; });
  ASSERT_TRUE(std::holds_alternative<Config>(parsed)) << std::get<ConfigError>(parsed).ToString();
  const Config& c = std::get<Config>(parsed);
  EXPECT_EQ(c.gcp.project, "acme-prod");
  EXPECT_EQ(c.gcp.region, "europe-west1");
  EXPECT_EQ(c.git.remote, "origin");
  ASSERT_EQ(c.docker.compose_files.size(), 2u);
}

TEST_F(AdoptCliTest, InitTwiceNeedsForce) {
  GitWorld world;
  ASSERT_EQ(RunProgram({"init"}, world.work(), env).code(), 0);
  WriteFile(world.work() + "/infinity-sync.yaml", "project: mine\n");
  ProgramRun again = RunProgram({"init"}, world.work(), env);
  EXPECT_EQ(again.code(), 73);
  EXPECT_TRUE(Contains(again.proc.err, "already exists")) << again.proc.err;
  EXPECT_TRUE(Contains(again.proc.err, "--force")) << again.proc.err;
  EXPECT_EQ(ReadFile(world.work() + "/infinity-sync.yaml"), "project: mine\n");
  ProgramRun forced = RunProgram({"init", "--force"}, world.work(), env);
  EXPECT_EQ(forced.code(), 0) << forced.proc.err;
  EXPECT_TRUE(Contains(ReadFile(world.work() + "/infinity-sync.yaml"), "project: \"work\""));
}

TEST_F(AdoptCliTest, InitNeverCopiesATokenFromTheRemoteUrl) {
  std::filesystem::create_directories(home / "r");
  MustRun({"git", "init", "-q"}, home / "r", env);
  MustRun(
      {"git", "remote", "add", "origin", "https://x-access-token:ghp_SECRET@github.com/a/b.git"},
      home / "r", env);
  ProgramRun init = RunProgram({"init"}, home / "r", env);
  ASSERT_EQ(init.code(), 0) << init.proc.err;
  std::string yaml = ReadFile(home / "r/infinity-sync.yaml");
  EXPECT_TRUE(Contains(yaml, "# found: https://github.com/a/b.git")) << yaml;
  EXPECT_FALSE(Contains(yaml + init.proc.out, "SECRET"));
}

TEST_F(AdoptCliTest, InitOutsideARepositoryIsAClearError) {
  ProgramRun init = RunProgram({"init"}, home.str(), env);
  EXPECT_EQ(init.code(), 66);
  EXPECT_TRUE(Contains(init.proc.err, "is not inside a git repository")) << init.proc.err;
  EXPECT_FALSE(std::filesystem::exists(home / "infinity-sync.yaml"));
}

TEST_F(AdoptCliTest, InitWithoutRemoteOrComposeLeavesThemCommented) {
  std::filesystem::create_directories(home / "bare-repo");
  MustRun({"git", "init", "-q", "-b", "trunk"}, home / "bare-repo", env);
  ProgramRun init = RunProgram({"init"}, home / "bare-repo", env);
  ASSERT_EQ(init.code(), 0) << init.proc.err;
  std::string yaml = ReadFile(home / "bare-repo/infinity-sync.yaml");
  EXPECT_TRUE(Contains(yaml, "# remote: origin")) << yaml;
  EXPECT_TRUE(Contains(yaml, "# branch: \"trunk\"")) << yaml;
  EXPECT_TRUE(Contains(yaml, "# compose_files: []")) << yaml;
  EXPECT_TRUE(Contains(yaml, "# project: \"\"")) << yaml;
  // No gcloud project and no domain: both checks are written turned off, and
  // the next run does not run them.
  EXPECT_TRUE(Contains(yaml, "gcp:\n  enabled: false       # nothing found to check")) << yaml;
  EXPECT_TRUE(Contains(yaml, "cloudflare:\n  enabled: false")) << yaml;
  // Nor is a Google login asked for: only GitHub counts in the auth check.
  EXPECT_TRUE(Contains(yaml, "auth:\n  # github: true\n  google: false")) << yaml;
  ProgramRun run = RunProgram({"run", "--dry-run", "--json"}, home / "bare-repo", env);
  ASSERT_TRUE(run.doc.is_object()) << run.proc.out << run.proc.err;
  EXPECT_FALSE(run.doc["status"].contains("GCPSync")) << run.doc.dump(2);
  EXPECT_FALSE(run.doc["status"].contains("CloudflareCheck")) << run.doc.dump(2);
  const auto& auth = run.doc["status"]["AuthCheck"];
  EXPECT_TRUE(auth["Details"].contains("GitHubCLI")) << auth.dump(2);
  EXPECT_FALSE(auth["Details"].contains("GCloudCLI")) << auth.dump(2);
  EXPECT_FALSE(auth["Data"].contains("google")) << auth.dump(2);
}

TEST(InitConfigTest, GcloudPropertiesAndQuoting) {
  auto props = ParseGcloudIni("; comment\n[core]\n project = p-1 \n[run]\nregion=us-east1\n");
  EXPECT_EQ(props["core/project"], "p-1");
  EXPECT_EQ(props["run/region"], "us-east1");
  RealFileSystem files;
  auto env_of = [](std::map<std::string, std::string> vars) -> EnvLookup {
    return [vars](const std::string& n) -> std::optional<std::string> {
      auto it = vars.find(n);
      return it == vars.end() ? std::nullopt : std::optional(it->second);
    };
  };
  EXPECT_EQ(ReadGcloudConfig(env_of({{"HOME", "/h"}}), files).file,
            "/h/.config/gcloud/configurations/config_default");
  EXPECT_EQ(ReadGcloudConfig(env_of({{"HOME", "/h"},
                                     {"CLOUDSDK_CONFIG", "/c"},
                                     {"CLOUDSDK_ACTIVE_CONFIG_NAME", "work"}}),
                             files)
                .file,
            "/c/configurations/config_work");
  InitFindings odd;
  odd.project = "we\"ird: #name";
  std::string yaml = RenderStarterConfig(odd);
  auto parsed =
      ParseConfig(yaml, "x.yaml", "/tmp", [](const std::string&) { return std::nullopt; });
  ASSERT_TRUE(std::holds_alternative<Config>(parsed))
      << std::get<ConfigError>(parsed).ToString() << "\n"
      << yaml;
  EXPECT_EQ(std::get<Config>(parsed).project, "we\"ird: #name");
}

TEST_F(AdoptCliTest, WatchPrintsOneLinePerRunAndStopsOnSigint) {
  GitWorld world;
  std::string status = home / "out/status.json";
  std::string cfg = WriteConfig(
      home / "c.yaml", "git: { repo: " + world.work() + " }\nstatus_file: " + status + "\n");
  Background prog(
      {"run", "--watch", "--interval", "200ms", "--dry-run", "--only", "git", "--config", cfg}, env,
      home / "out.txt", home / "err.txt");
  ASSERT_TRUE(prog.started());
  ASSERT_TRUE(WaitForText(home / "out.txt", " run 2 (dry run): GitSync=Synced exit=0", 20s))
      << ReadFile(home / "out.txt") << ReadFile(home / "err.txt");
  auto start = std::chrono::steady_clock::now();
  prog.Signal(SIGINT);
  int st = prog.Wait();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  ASSERT_TRUE(WIFEXITED(st));
  // As `run` does: 128 + SIGINT.
  EXPECT_EQ(WEXITSTATUS(st), 130) << ReadFile(home / "err.txt");
  std::string out = ReadFile(home / "out.txt");
  EXPECT_TRUE(Contains(out, " run 1 (dry run): GitSync=Synced exit=0\n")) << out;
  EXPECT_TRUE(Contains(ReadFile(home / "err.txt"), "watch stopped"));
  EXPECT_TRUE(std::filesystem::exists(status));
}

TEST_F(AdoptCliTest, WatchRecordsEveryRunInTheHistory) {
  GitWorld world;
  std::string cfg = WriteConfig(home / "c.yaml", "git: { repo: " + world.work() +
                                                     " }\nstatus_file: " + home / "out/s.json" +
                                                     "\nstore: sqlite:" + home / "h.db\n");
  Background prog(
      {"run", "--watch", "--interval", "200ms", "--dry-run", "--only", "git", "--config", cfg}, env,
      home / "out.txt", home / "err.txt");
  ASSERT_TRUE(prog.started());
  ASSERT_TRUE(WaitForText(home / "out.txt", " run 3 (dry run): GitSync=Synced exit=0", 20s))
      << ReadFile(home / "out.txt") << ReadFile(home / "err.txt");
  prog.Signal(SIGINT);
  prog.Wait();
  EXPECT_FALSE(Contains(ReadFile(home / "out.txt"), "history not recorded"));
  ProgramRun history = RunProgram({"history", "--json", "--config", cfg}, home.str(), env);
  ASSERT_EQ(history.code(), 0) << history.proc.err;
  ASSERT_GE(history.doc["runs"].size(), 3u) << history.proc.out;
  EXPECT_EQ(history.doc["runs"][0]["checks"][0]["check"], "GitSync");
  EXPECT_EQ(history.doc["runs"][0]["checks"][0]["Status"], "Synced");
  EXPECT_TRUE(history.doc["runs"][0]["dryRun"].get<bool>());
}

TEST_F(AdoptCliTest, WatchInterruptedMidRunKillsChildrenAndExits130) {
  GitWorld world;
  auto genv = GitWorld::Env();
  MustRun({"git", "config", "protocol.ext.allow", "always"}, world.work(), genv);
  MustRun({"git", "remote", "set-url", "origin", "ext::sh -c sleep% 47"}, world.work(), genv);
  std::string cfg = WriteConfig(home / "c.yaml", "git: { repo: " + world.work() +
                                                     " }\nstatus_file: " + home / "s.json" + "\n");
  Background prog({"run", "--watch", "--only", "git", "--config", cfg}, env, home / "out.txt",
                  home / "err.txt");
  ASSERT_TRUE(prog.started());
  ASSERT_TRUE(WaitForText(home / "err.txt", "watching every 5m", 10s));
  std::this_thread::sleep_for(500ms);
  auto start = std::chrono::steady_clock::now();
  prog.Signal(SIGINT);
  int st = prog.Wait();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 130);
  EXPECT_TRUE(Contains(ReadFile(home / "err.txt"), "watch stopped")) << ReadFile(home / "err.txt");
  std::this_thread::sleep_for(100ms);
  EXPECT_NE(testing::Run({"pgrep", "-f", "sleep 47"}).exit_code, 0) << "the fetch outlived Ctrl-C";
}

TEST_F(AdoptCliTest, WatchBadFlags) {
  ProgramRun bad = RunProgram({"run", "--watch", "--interval", "soon"}, home.str(), env);
  EXPECT_EQ(bad.code(), 64);
  EXPECT_TRUE(Contains(bad.proc.err, "--interval")) << bad.proc.err;
  EXPECT_TRUE(Contains(bad.proc.err, "\"soon\"")) << bad.proc.err;
  ProgramRun zero = RunProgram({"run", "--watch", "--interval", "0s"}, home.str(), env);
  EXPECT_EQ(zero.code(), 64);
  ProgramRun lone = RunProgram({"run", "--interval", "5m"}, home.str(), env);
  EXPECT_EQ(lone.code(), 64);
  EXPECT_TRUE(Contains(lone.proc.err, "--interval needs --watch"));
  ProgramRun explain = RunProgram({"run", "--watch", "--json", "--explain"}, home.str(), env);
  EXPECT_EQ(explain.code(), 64);
}

TEST_F(AdoptCliTest, WatchJsonPrintsOneStatusDocumentPerLine) {
  GitWorld world;
  std::string status = home / "out/status.json";
  std::string cfg = WriteConfig(
      home / "c.yaml", "git: { repo: " + world.work() + " }\nstatus_file: " + status + "\n");
  Background prog({"run", "--watch", "--json", "--interval", "200ms", "--dry-run", "--only", "git",
                   "--config", cfg},
                  env, home / "out.txt", home / "err.txt");
  ASSERT_TRUE(prog.started());
  auto lines = [&] {
    std::vector<std::string> out;
    std::istringstream in(ReadFile(home / "out.txt"));
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  };
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (lines().size() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  prog.Signal(SIGINT);
  int st = prog.Wait();
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 130) << ReadFile(home / "err.txt");
  std::vector<std::string> docs = lines();
  ASSERT_GE(docs.size(), 2u) << ReadFile(home / "out.txt") << ReadFile(home / "err.txt");
  for (const auto& line : docs) {
    nlohmann::json doc = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(doc.is_object()) << line;
    EXPECT_EQ(doc["status"]["GitSync"]["Status"], "Synced") << line;
    EXPECT_TRUE(doc["dryRun"].get<bool>());
  }
  EXPECT_NE(nlohmann::json::parse(docs[0])["timestamp"],
            nlohmann::json::parse(docs[1])["timestamp"]);
}

TEST_F(AdoptCliTest, ExplainShowsWhyEachCheckGotItsStatus) {
  GitWorld world;
  world.Commit(world.other(), "theirs.txt", "x");
  world.Push(world.other());
  world.Commit(world.work(), "mine.txt", "y");
  ProgramRun run =
      RunProgram({"run", "--dry-run", "--explain", "--only", "git,cloudflare"}, world.work(), env);
  EXPECT_EQ(run.code(), 1) << run.proc.out << run.proc.err;
  const std::string& out = run.proc.out;
  EXPECT_TRUE(Contains(out, "EXPLANATION")) << out;
  EXPECT_TRUE(Contains(out, "Git Repository Sync (GitSync): Diverged\n")) << out;
  EXPECT_TRUE(Contains(out, "  verdict: drift: out of sync, nothing failed (exit 1)")) << out;
  EXPECT_TRUE(Contains(out, "  evidence:\n    git fetch --quiet --no-tags -> exit 0")) << out;
  EXPECT_TRUE(Contains(out, "  compared values:\n")) << out;
  EXPECT_TRUE(Contains(out, "ahead = 1")) << out;
  EXPECT_TRUE(Contains(out, "behind = 1")) << out;
  EXPECT_TRUE(Contains(out, "(CloudflareCheck): NotConfigured")) << out;
  EXPECT_TRUE(Contains(out, "verdict: neutral")) << out;
  EXPECT_TRUE(Contains(out, "fix: none needed")) << out;
  // Diverged both ways: the fix is withheld, and the reason says why.
  EXPECT_TRUE(Contains(out, "  fix withheld: ahead and behind: rebase or merge by hand")) << out;
  ProgramRun json = RunProgram({"run", "--explain", "--json"}, world.work(), env);
  EXPECT_EQ(json.code(), 64);
}

}  // namespace
}  // namespace infinity_sync
