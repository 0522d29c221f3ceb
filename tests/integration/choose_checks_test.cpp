// Choosing what counts, end to end with the real program and a real git
// repository: `enabled: false` leaves a check out of the run and the document,
// `required: false` shows it but leaves the exit code alone, `auth.github` /
// `auth.google` turn one side of the auth check off, `--skip` complements
// `--only`, and both report every unknown name.
#include <gtest/gtest.h>

#include "lib/git_world.h"
#include "lib/program.h"

namespace infinity_sync {
namespace {

using namespace testing;

class ChooseChecksIntegration : public ::testing::Test {
 protected:
  TempDir home;
  EnvChanges env = HermeticEnv(home.str());
  GitWorld world;
  std::string status_path = home / "out/status.json";

  std::string Config(const std::string& extra) {
    return WriteConfig(home / "infinity-sync.yaml", "status_file: " + status_path +
                                                        "\ngit:\n  repo: " + world.work() +
                                                        "\n  fetch: false\n" + extra);
  }
};

TEST_F(ChooseChecksIntegration, DisabledChecksAreNotRunAndRequiredFalseDoesNotFailTheRun) {
  std::string cfg = Config(
      "auth: { enabled: false }\n"
      "docker: { enabled: false }\n"
      "gcp: { enabled: false }\n"
      "cloudflare: { enabled: false }\n"
      "checks:\n"
      "  - { name: flaky, type: command, run: [\"false\"], required: false }\n"
      "  - { name: off, type: command, run: [\"false\"], enabled: false }\n");
  ProgramRun json = RunProgram({"run", "--dry-run", "--json", "--config", cfg}, home.str(), env);
  ASSERT_TRUE(json.doc.is_object()) << json.proc.out << json.proc.err;
  const auto& status = json.doc["status"];
  EXPECT_EQ(status.size(), 2u) << status.dump(2);
  EXPECT_EQ(status["GitSync"]["Status"], "Synced") << status.dump(2);
  EXPECT_EQ(status["CustomCheck:flaky"]["Status"], "Failed");
  EXPECT_EQ(status["CustomCheck:flaky"]["required"], false);
  EXPECT_FALSE(status.contains("CustomCheck:off"));
  EXPECT_FALSE(status.contains("AuthCheck"));
  EXPECT_EQ(json.code(), 0) << "a failed check that is not required leaves the exit code alone";

  // `status` reads the document back the same way.
  ProgramRun st = RunProgram({"status", "--config", cfg}, home.str(), env);
  EXPECT_EQ(st.code(), 0) << st.proc.out << st.proc.err;

  ProgramRun report = RunProgram({"run", "--dry-run", "--config", cfg}, home.str(), env);
  EXPECT_EQ(report.code(), 0);
  EXPECT_NE(report.proc.out.find("[2/2: Custom Check: flaky] (not required)"), std::string::npos)
      << report.proc.out;
  EXPECT_NE(report.proc.out.find("Failed (not required)"), std::string::npos) << report.proc.out;

  // Naming a check that is turned off says which key did it.
  ProgramRun only = RunProgram({"run", "--only", "gcp,off", "--config", cfg}, home.str(), env);
  EXPECT_EQ(only.code(), 64);
  EXPECT_NE(only.proc.err.find("check \"gcp\" is turned off (gcp.enabled: false)"),
            std::string::npos)
      << only.proc.err;
  EXPECT_NE(only.proc.err.find("check \"off\" is turned off (checks[1].enabled: false)"),
            std::string::npos)
      << only.proc.err;

  // Made required again, the same failure fails the run.
  cfg = Config("checks:\n  - { name: flaky, type: command, run: [\"false\"] }\n");
  ProgramRun strict = RunProgram(
      {"run", "--dry-run", "--json", "--only", "git,flaky", "--config", cfg}, home.str(), env);
  EXPECT_EQ(strict.code(), 2) << strict.proc.out;
}

TEST_F(ChooseChecksIntegration, SkipLeavesChecksOutAndEveryUnknownNameIsReported) {
  std::string cfg = Config("");
  ProgramRun run = RunProgram(
      {"run", "--dry-run", "--json", "--skip", "auth,docker,gcp,cloudflare", "--config", cfg},
      home.str(), env);
  ASSERT_TRUE(run.doc.is_object()) << run.proc.err;
  EXPECT_EQ(run.doc["status"].size(), 1u) << run.doc.dump(2);
  EXPECT_EQ(run.doc["status"]["GitSync"]["Status"], "Synced");
  EXPECT_EQ(run.code(), 0);

  ProgramRun bad = RunProgram({"run", "--only", "gti,dokcer", "--skip", "gpc", "--config", cfg},
                              home.str(), env);
  EXPECT_EQ(bad.code(), 64);
  for (const char* part : {"--only: unknown check \"gti\" (did you mean \"git\"?)",
                           "--only: unknown check \"dokcer\" (did you mean \"docker\"?)",
                           "--skip: unknown check \"gpc\" (did you mean \"gcp\"?)"}) {
    EXPECT_NE(bad.proc.err.find(part), std::string::npos) << part << "\n" << bad.proc.err;
  }
}

TEST_F(ChooseChecksIntegration, AuthWithOneSideTurnedOffJudgesTheOtherAlone) {
  // No Google credentials anywhere in the sealed environment; GitHub's token is
  // refused fast (nothing listens on port 9). With Google off, only GitHub counts.
  std::string cfg =
      Config("auth: { google: false }\ngithub: { api_url: \"http://127.0.0.1:9\" }\n");
  ProgramRun run = RunProgram({"run", "--dry-run", "--json", "--only", "auth", "--config", cfg},
                              home.str(), env);
  ASSERT_TRUE(run.doc.is_object()) << run.proc.err;
  const auto& auth = run.doc["status"]["AuthCheck"];
  EXPECT_FALSE(auth["Details"].contains("GCloudCLI")) << auth.dump(2);
  EXPECT_TRUE(auth["Details"].contains("GitHubCLI")) << auth.dump(2);
  EXPECT_FALSE(auth["Data"].contains("google"));
  EXPECT_EQ(auth["Status"], "Failed") << "GitHub, the one side checked, has no credentials";

  ProgramRun both = RunProgram(
      {"run", "--config", Config("auth: { github: false, google: false }\n")}, home.str(), env);
  EXPECT_EQ(both.code(), 78);
  EXPECT_NE(both.proc.err.find("set auth.enabled: false instead"), std::string::npos)
      << both.proc.err;
}

}  // namespace
}  // namespace infinity_sync
