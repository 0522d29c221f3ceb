// Fault injection, bytes that are not UTF-8 (issue 9) from the programs the
// run starts: a custom command that prints them, and a branch named with
// them (git allows any byte but a few). JSON text must be UTF-8, so the
// document carries U+FFFD in their place; the run completes, the status file
// is written, and the exit code is the checks'.
#include <gtest/gtest.h>

#include "lib/git_world.h"
#include "lib/program.h"

namespace infinity_sync::testing {
namespace {

using nlohmann::json;

const std::string kReplacement = "\xef\xbf\xbd";  // U+FFFD

class FaultEncoding : public ::testing::Test {
 protected:
  ProgramRun Sync(const std::string& only, const std::string& yaml) {
    std::string cfg = WriteConfig(dir_ / "infinity-sync.yaml",
                                  "status_file: " + (dir_ / "status.json") +
                                      "\ntimeout: 5s\ngit:\n  repo: " + world_.work() +
                                      "\n  fetch: false\n" + yaml);
    ProgramRun run = RunProgram({"run", "--json", "--only", only, "--config", cfg}, world_.work(),
                                HermeticEnv(dir_ / "home"));
    EXPECT_TRUE(run.doc.is_object()) << "stdout: " << run.proc.out << "\nstderr: " << run.proc.err;
    json written = json::parse(ReadFile(dir_ / "status.json"), nullptr, false);
    EXPECT_FALSE(written.is_discarded()) << "no valid status file";
    EXPECT_EQ(written, run.doc);
    return run;
  }
  TempDir dir_;
  GitWorld world_;
};

TEST_F(FaultEncoding, CommandOutputThatIsNotUtf8) {
  ProgramRun run = Sync("git,bytes",
                        "checks:\n  - { name: bytes, type: command, run: [printf, "
                        "'ok \\377\\376 \\303( end\\n'] }\n");
  ASSERT_TRUE(run.doc.is_object());
  const json& check = run.doc["status"]["CustomCheck:bytes"];
  EXPECT_EQ(check["Status"], "Synced") << check.dump();
  std::string all = check["Details"].dump();
  EXPECT_NE(all.find("ok " + kReplacement), std::string::npos) << all;
  EXPECT_NE(all.find("end"), std::string::npos) << all;
  EXPECT_EQ(run.doc["status"]["GitSync"]["Status"], "Synced");
  EXPECT_EQ(run.code(), 0);
}

TEST_F(FaultEncoding, FailingCommandWhoseErrorIsNotUtf8) {
  ProgramRun run = Sync("bytes",
                        "checks:\n  - { name: bytes, type: command, run: [sh, -c, "
                        "\"printf 'bad \\\\377\\\\376\\\\n' >&2; exit 3\"] }\n");
  ASSERT_TRUE(run.doc.is_object());
  const json& check = run.doc["status"]["CustomCheck:bytes"];
  EXPECT_EQ(check["Status"], "Failed") << check.dump();
  EXPECT_NE(check["Details"].dump().find("bad " + kReplacement), std::string::npos) << check.dump();
  EXPECT_EQ(run.code(), 2);
}

TEST_F(FaultEncoding, BranchNameThatIsNotUtf8) {
  std::string branch = "feature-\xff\xfe";
  MustRun({"git", "checkout", "--quiet", "-b", branch}, world_.work(), GitWorld::Env());
  MustRun({"git", "push", "--quiet", "-u", "origin", branch}, world_.work(), GitWorld::Env());
  ProgramRun run = Sync("git", "");
  ASSERT_TRUE(run.doc.is_object());
  const json& git = run.doc["status"]["GitSync"];
  EXPECT_EQ(git["Status"], "Synced") << git.dump();
  EXPECT_EQ(git["Data"]["branch"], "feature-" + kReplacement + kReplacement);
  EXPECT_EQ(run.code(), 0);
}

}  // namespace
}  // namespace infinity_sync::testing
