// The program on a real (pseudo-)terminal, as a user's shell runs it: the fix
// prompt after the report, the progress line that moves, TERM=dumb and the
// locale, Ctrl-C typed at `run --watch`. tests/fakes/pty_run.py holds the
// terminal and types the answers.
#include <regex>

#include <gtest/gtest.h>

#include "lib/git_world.h"
#include "lib/program.h"

namespace infinity_sync {
namespace {

using namespace std::chrono_literals;
using namespace testing;

class TerminalIntegrationTest : public ::testing::Test {
 protected:
  TempDir home;
  std::string status_path = home / "out/status.json";

  // The environment of a user's terminal: TERM and the locale as given, no NO_COLOR.
  EnvChanges UserTerminal(const std::string& term, const std::string& lang) {
    EnvChanges env = HermeticEnv(home.str());
    env["NO_COLOR"] = std::nullopt;
    env["TERM"] = term;
    env["LANG"] = lang;
    env["LC_ALL"] = std::nullopt;
    env["LC_CTYPE"] = std::nullopt;
    // Else the Python holding the terminal sets LC_CTYPE=C.UTF-8 for a C
    // locale (PEP 538), and the program would see a UTF-8 locale.
    env["PYTHONCOERCECLOCALE"] = "0";
    return env;
  }

  // Runs the program on a terminal; `sends` are (text to wait for, what to type).
  ProcessResult OnTerminal(const std::vector<std::string>& args, const EnvChanges& env,
                           const std::vector<std::pair<std::string, std::string>>& sends = {}) {
    std::vector<std::string> argv = {PythonPath(), FixturePath("../fakes/pty_run.py"), "--timeout",
                                     "40"};
    for (const auto& [wait_for, keys] : sends) {
      argv.insert(argv.end(), {"--send", wait_for, keys});
    }
    argv.push_back("--");
    argv.push_back(ProgramPath());
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::Run(argv, home.str(), env, 50s);
  }

  std::string CustomConfig(const std::string& checks) {
    return WriteConfig(home / "c.yaml",
                       "status_file: " + status_path + "\nstore: \"\"\nchecks:\n" + checks);
  }
};

TEST_F(TerminalIntegrationTest, FixPromptComesAfterTheReportItRefersTo) {
  GitWorld world;
  world.Commit(world.other(), "theirs.txt", "x");
  world.Push(world.other());
  std::string cfg = WriteConfig(
      home / "c.yaml", "git: { repo: " + world.work() + " }\nstatus_file: " + status_path + "\n");
  ProcessResult run = OnTerminal({"run", "--only", "git", "--config", cfg},
                                 UserTerminal("xterm", "C.UTF-8"), {{"[y/N]", "n\\r"}});
  EXPECT_EQ(run.exit_code, 1) << run.out;  // declined: still behind
  const std::string& out = run.out;
  auto behind = out.find("Behind origin/main by 1 commit");
  auto prompt = out.find("apply \"git rebase @{u}\"? [y/N]");
  auto summary = out.find("SYNC STATUS SUMMARY");
  ASSERT_NE(behind, std::string::npos) << out;
  ASSERT_NE(prompt, std::string::npos) << out;
  ASSERT_NE(summary, std::string::npos) << out;
  EXPECT_LT(behind, prompt) << out;
  EXPECT_LT(prompt, summary) << out;
  EXPECT_NE(out.find("Not applied: git rebase @{u} (declined)"), std::string::npos) << out;
  // The section is not printed twice.
  EXPECT_EQ(out.find("Behind origin/main by 1 commit", behind + 1), std::string::npos) << out;
}

TEST_F(TerminalIntegrationTest, ProgressLineMovesWhileAChecksRunsAndNeverTicksAFailure) {
  std::string cfg = CustomConfig(
      "  - { name: slow, type: command, run: [sleep, \"1.5\"] }\n"
      "  - { name: bad, type: command, run: [\"false\"] }\n");
  ProcessResult run =
      OnTerminal({"run", "--only", "slow,bad", "--config", cfg}, UserTerminal("xterm", "C.UTF-8"));
  EXPECT_EQ(run.exit_code, 2) << run.out;
  // Redrawn on a timer: the seconds of the running check count up.
  std::smatch m;
  std::set<std::string> seconds;
  std::string rest = run.out;
  std::regex running("slow ([0-9]+\\.[0-9])s");
  while (std::regex_search(rest, m, running)) {
    seconds.insert(m[1]);
    rest = m.suffix();
  }
  EXPECT_GE(seconds.size(), 5u) << run.out;
  EXPECT_TRUE(seconds.count("1.0")) << run.out;
  EXPECT_NE(run.out.find("bad ✗"), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("bad ✓"), std::string::npos) << run.out;
}

TEST_F(TerminalIntegrationTest, DumbTerminalGetsNoEscapes) {
  std::string cfg = CustomConfig("  - { name: bad, type: command, run: [\"false\"] }\n");
  ProcessResult run =
      OnTerminal({"run", "--only", "bad", "--config", cfg}, UserTerminal("dumb", "C.UTF-8"));
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_NE(run.out.find("SYNC STATUS SUMMARY"), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find('\033'), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("❌"), std::string::npos) << run.out;  // UTF-8 is not an escape
}

TEST_F(TerminalIntegrationTest, MarksAreAsciiUnlessTheLocaleIsUtf8) {
  std::string cfg = CustomConfig("  - { name: bad, type: command, run: [\"false\"] }\n");
  ProcessResult latin =
      OnTerminal({"run", "--only", "bad", "--config", cfg}, UserTerminal("xterm", "C"));
  EXPECT_NE(latin.out.find("[FAIL]"), std::string::npos) << latin.out;
  EXPECT_NE(latin.out.find("\033[31m"), std::string::npos) << latin.out;  // colour is fine
  for (const char* glyph : {"❌", "✅", "ℹ", "═", "─", "⠋", "✗"}) {
    EXPECT_EQ(latin.out.find(glyph), std::string::npos) << glyph << "\n" << latin.out;
  }
  EnvChanges lc_all = UserTerminal("xterm", "C");
  lc_all["LC_ALL"] = "en_US.utf8";
  ProcessResult utf8 = OnTerminal({"run", "--only", "bad", "--config", cfg}, lc_all);
  EXPECT_NE(utf8.out.find("❌"), std::string::npos) << utf8.out;
}

TEST_F(TerminalIntegrationTest, CtrlCTypedAtWatchExits130) {
  std::string cfg = CustomConfig("  - { name: ok, type: command, run: [\"true\"] }\n");
  ProcessResult run = OnTerminal({"run", "--watch", "--only", "ok", "--config", cfg},
                                 UserTerminal("xterm", "C.UTF-8"), {{"next at", "\\x03"}});
  EXPECT_EQ(run.exit_code, 130) << run.out;
  EXPECT_NE(run.out.find("watch stopped"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace infinity_sync
