// Fault injection, hostile names (issue 9): shell metacharacters in a branch
// name, a custom command's argv, a custom check's name, the project name, a
// compose project name and a Cloud Run service name are passed literally:
// every program is run with an argument vector, never through a shell
// (SPEC section 3). Each value tries to create a marker file; the marker must
// never appear, and the values must show up unchanged in the document and in
// the argv the fixes ran with.
#include <filesystem>

#include <gtest/gtest.h>

#include "lib/docker_world.h"
#include "lib/git_world.h"
#include "lib/program.h"

namespace infinity_sync::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

class FaultArgv : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = HermeticEnv(dir_ / "home");
    marker_ = dir_ / "pwned";
    // Every way a shell would run `touch MARKER`; ${IFS} because git refuses
    // spaces in branch names.
    std::string touch = "touch${IFS}" + marker_;
    hostile_ = "x;" + touch + ";$(" + touch + ")|`" + touch + "`&&" + touch;
    // Without a '/', for values that end up in a URL path; a shell would
    // create "pwned-rel" in its working folder.
    hostile_flat_ = "web;touch${IFS}pwned-rel;$(touch${IFS}pwned-rel)`touch${IFS}pwned-rel`";
    // A program that records its argv, one argument a line.
    recorder_ = dir_ / "record";
    WriteFile(recorder_, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done >> \"" +
                             (dir_ / "argv.log") + "\"\n");
    fs::permissions(recorder_, fs::perms::owner_all);
  }

  void TearDown() override {
    EXPECT_FALSE(fs::exists(marker_)) << "a value was run by a shell";
    for (const std::string& folder : {dir_.str(), world_.work(), dir_ / "home"}) {
      EXPECT_FALSE(fs::exists(folder + "/pwned-rel")) << "a value was run by a shell in " << folder;
    }
  }

  // A value as the configuration must spell it: "$$" is a literal "$"
  // (SPEC section 2 expands ${VAR} in string values), quoted for YAML.
  static std::string Yaml(const std::string& value) {
    std::string escaped;
    for (char c : value) escaped += c == '$' ? std::string("$$") : std::string(1, c);
    return json(escaped).dump();
  }

  ProgramRun Sync(const std::string& yaml, const std::vector<std::string>& extra,
                  const EnvChanges& more = {}) {
    std::string cfg =
        WriteConfig(dir_ / "infinity-sync.yaml",
                    "status_file: " + (dir_ / "status.json") + "\ntimeout: 5s\n" + yaml);
    std::vector<std::string> args = {"run", "--json", "--config", cfg};
    args.insert(args.end(), extra.begin(), extra.end());
    EnvChanges env = env_;
    for (const auto& [k, v] : more) env[k] = v;
    ProgramRun run = RunProgram(args, world_.work(), env);
    EXPECT_TRUE(run.doc.is_object()) << run.proc.out << "\nstderr: " << run.proc.err;
    EXPECT_EQ(json::parse(ReadFile(dir_ / "status.json"), nullptr, false), run.doc);
    return run;
  }

  std::vector<std::string> RecordedArgv() {
    std::vector<std::string> out;
    std::string text = ReadFile(dir_ / "argv.log");
    std::size_t at = 0;
    while (at < text.size()) {
      auto nl = text.find('\n', at);
      out.push_back(text.substr(at, nl - at));
      at = nl == std::string::npos ? text.size() : nl + 1;
    }
    return out;
  }

  static bool HasDetail(const json& check, const std::string& text) {
    for (const auto& d : check["Details"]) {
      if (d.get<std::string>().find(text) != std::string::npos) return true;
    }
    return false;
  }

  TempDir dir_;
  GitWorld world_;
  EnvChanges env_;
  std::string marker_, hostile_, hostile_flat_, recorder_;
};

TEST_F(FaultArgv, BranchNameIsPassedLiterally) {
  auto genv = GitWorld::Env();
  MustRun({"git", "check-ref-format", "--branch", hostile_}, "", genv);
  MustRun({"git", "checkout", "--quiet", "-b", hostile_}, world_.work(), genv);
  MustRun({"git", "push", "--quiet", "-u", "origin", hostile_}, world_.work(), genv);
  // A teammate pushes to it, so the check offers (and --yes runs) a rebase.
  MustRun({"git", "fetch", "--quiet"}, world_.other(), genv);
  MustRun({"git", "checkout", "--quiet", hostile_}, world_.other(), genv);
  world_.Commit(world_.other(), "b.txt", "b\n");
  world_.Push(world_.other());

  ProgramRun run = Sync(
      "git:\n  repo: " + world_.work() + "\n  remote: origin\n  branch: " + Yaml(hostile_) + "\n",
      {"--only", "git", "--yes"});
  const json& git = run.doc["status"]["GitSync"];
  EXPECT_EQ(git["Data"]["branch"], hostile_) << git.dump(2);
  EXPECT_EQ(git["Data"]["upstream"], "origin/" + hostile_);
  EXPECT_EQ(git["Status"], "Synced") << git.dump(2);  // the rebase was applied
  EXPECT_EQ(run.code(), 0);
  EXPECT_EQ(world_.Head(world_.work()), world_.Head(world_.other()));
}

TEST_F(FaultArgv, CustomCommandArgvIsLiteral) {
  std::string touch = "touch " + marker_;
  std::vector<std::string> words = {"$(" + touch + ")", "`" + touch + "`", "; " + touch,
                                    "| " + touch,       "&& " + touch,     "$HOME ~ * ?"};
  std::string argv = "[printf, \"%s\\n\"";
  for (const auto& w : words) argv += ", " + Yaml(w);
  argv += "]";
  ProgramRun run = Sync(
      "git:\n  repo: " + world_.work() +
          "\n  fetch: false\nchecks:\n  - name: lint\n    type: command\n    run: " + argv + "\n",
      {"--only", "lint"});
  const json& check = run.doc["status"]["CustomCheck:lint"];
  EXPECT_EQ(check["Status"], "Synced") << check.dump(2);
  json expected = json::array({"printf", "%s\n"});
  for (const auto& w : words) expected.push_back(w);
  EXPECT_EQ(check["Data"]["command"], expected);
  // The output's last lines are shown: printed as given, nothing expanded.
  EXPECT_TRUE(HasDetail(check, "> && " + touch)) << check.dump(2);
  EXPECT_TRUE(HasDetail(check, "> $HOME ~ * ?")) << check.dump(2);
  EXPECT_EQ(run.code(), 0);
}

TEST_F(FaultArgv, HostileCheckNameIsAConfigurationError) {
  std::string cfg =
      WriteConfig(dir_ / "infinity-sync.yaml",
                  "status_file: " + (dir_ / "status.json") +
                      "\nchecks:\n  - { name: " + Yaml("lint;$(touch " + marker_ + ")") +
                      ", type: command, run: [\"true\"] }\n");
  ProgramRun run = RunProgram({"run", "--config", cfg}, world_.work(), env_);
  EXPECT_EQ(run.code(), 78);
  // Quoted as written in the file (where "$" is written "$$"), never expanded.
  EXPECT_NE(run.proc.err.find("checks[0].name: \"lint;$$(touch " + marker_ +
                              ")\" may hold only letters, digits"),
            std::string::npos)
      << run.proc.err;
  EXPECT_FALSE(fs::exists(dir_ / "status.json"));
}

TEST_F(FaultArgv, HostileComposeProjectNameIsRefusedByName) {
  FakeDockerEngine engine(json{{"containers", json::array()}});
  WriteFile(dir_ / "compose.yaml", "services:\n  web:\n    image: nginx:1.27\n");
  ProgramRun run =
      Sync("project: " + Yaml(hostile_) + "\ngit:\n  repo: " + world_.work() +
               "\n  fetch: false\ndocker:\n  host: " + engine.host() + "\n  compose_files: [" +
               (dir_ / "compose.yaml") + "]\n  project_name: " + Yaml(hostile_flat_) + "\n",
           {"--only", "docker", "--yes"}, DockerTestEnv(engine.host()));
  EXPECT_EQ(run.doc["project"], hostile_);  // the document's project, literally
  const json& docker = run.doc["status"]["DockerSync"];
  EXPECT_EQ(docker["Status"], "Failed") << docker.dump(2);
  EXPECT_TRUE(HasDetail(
      docker, "project name \"" + hostile_flat_ + "\" (from docker.project_name) is not valid"))
      << docker.dump(2);
  EXPECT_EQ(run.code(), 2);
}

TEST_F(FaultArgv, CloudRunServiceNameReachesTheDeployCommandLiterally) {
  json not_found = {{"error", {{"code", 404}, {"message", "not found"}, {"status", "NOT_FOUND"}}}};
  json scenario = {{"routes", json::array()}, {"default", {{"status", 404}, {"body", not_found}}}};
  FakeHttpServer api(scenario);
  // No gcp.service: it defaults to the project's name.
  ProgramRun run =
      Sync("project: " + Yaml(hostile_flat_) + "\ngit:\n  repo: " + world_.work() +
               "\n  fetch: false\ngcp:\n  project: demo-project\n  api_url: " + api.url() +
               "\n  deploy_command: [" + recorder_ +
               ", deploy, \"{service}\", --project, \"{project}\"]\n",
           {"--only", "gcp", "--yes"}, {{"GOOGLE_OAUTH_ACCESS_TOKEN", "ya29.test"}});
  const json& gcp = run.doc["status"]["GCPSync"];
  EXPECT_EQ(gcp["Data"]["service"], hostile_flat_) << gcp.dump(2);
  std::vector<std::string> argv = RecordedArgv();
  ASSERT_GE(argv.size(), 4u) << "the deploy did not run: " << run.doc.dump(2);
  EXPECT_EQ(argv[0], "deploy");
  EXPECT_EQ(argv[1], hostile_flat_);
  EXPECT_EQ(argv[3], "demo-project");
  ASSERT_EQ(run.doc["actions"].size(), 1u) << run.doc.dump(2);
  EXPECT_NE(run.doc["actions"][0]["action"].get<std::string>().find(hostile_flat_),
            std::string::npos)
      << run.doc["actions"].dump();
  EXPECT_GT(api.Requests().size(), 0u);
}

}  // namespace
}  // namespace infinity_sync::testing
