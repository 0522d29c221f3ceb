// The shell completions in packaging/completions load and complete what the
// program's own --help lists.
#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "lib/program.h"

namespace infinity_sync {
namespace {

using namespace testing;

std::string Completion(const std::string& file) {
  return FixturePath("../../packaging/completions/" + file);
}

// What bash completes for the words `line` (the last word is the one completed).
std::string BashComplete(const std::string& line) {
  std::string script = "source '" + Completion("infinity-sync.bash") + "' || exit 9; COMP_WORDS=(" +
                       line +
                       "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); "
                       "[[ \"" +
                       line +
                       "\" == *' ' ]] && COMP_WORDS+=('') && COMP_CWORD=$((COMP_CWORD + 1)); "
                       "_infinity_sync; echo \"${COMPREPLY[*]}\"";
  ProcessResult r = testing::Run({"bash", "--norc", "-c", script});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  std::string out = r.out;
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// Subcommand names from the top-level --help ("Subcommands:" block of CLI11).
std::set<std::string> HelpSubcommands() {
  TempDir home;
  ProgramRun help = RunProgram({"--help"}, home.str(), HermeticEnv(home.str()));
  std::set<std::string> names;
  std::istringstream in(help.proc.out);
  std::string line;
  bool in_block = false;
  std::regex entry(R"(^\s{2}([a-z]+)\s)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (line.rfind("Subcommands:", 0) == 0) {
      in_block = true;
      continue;
    }
    if (in_block && std::regex_search(line, m, entry)) names.insert(m[1]);
  }
  return names;
}

TEST(CompletionTest, BashLoadsAndRegisters) {
  ProcessResult r = testing::Run(
      {"bash", "--norc", "-c",
       "source '" + Completion("infinity-sync.bash") + "' && complete -p infinity-sync"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "complete -F _infinity_sync infinity-sync\n");
  EXPECT_EQ(r.err, "");
}

TEST(CompletionTest, BashCompletesEverySubcommandTheProgramHas) {
  std::set<std::string> from_help = HelpSubcommands();
  ASSERT_FALSE(from_help.empty());
  std::string all = BashComplete("infinity-sync ");
  std::set<std::string> completed;
  std::istringstream words(all);
  for (std::string w; words >> w;) completed.insert(w);
  EXPECT_EQ(completed, from_help) << all;
  EXPECT_EQ(BashComplete("infinity-sync s"), "status serve");
  EXPECT_EQ(BashComplete("infinity-sync i"), "init");
}

TEST(CompletionTest, BashCompletesFlagsAndValues) {
  EXPECT_EQ(BashComplete("infinity-sync run --w"), "--watch");
  EXPECT_EQ(BashComplete("infinity-sync run --ex"), "--explain");
  EXPECT_EQ(BashComplete("infinity-sync init --f"), "--force");
  EXPECT_EQ(BashComplete("infinity-sync run --only git,d"), "git,docker");
  EXPECT_EQ(BashComplete("infinity-sync heartbeat c"), "cloudflare");
  EXPECT_EQ(BashComplete("infinity-sync --dry"), "--dry-run");
  // Every run flag the program documents is completed.
  TempDir home;
  ProgramRun help = RunProgram({"run", "--help"}, home.str(), HermeticEnv(home.str()));
  std::string flags = BashComplete("infinity-sync run -");
  std::regex flag(R"(--[a-z-]+)");
  for (auto it = std::sregex_iterator(help.proc.out.begin(), help.proc.out.end(), flag);
       it != std::sregex_iterator(); ++it) {
    std::string f = it->str();
    if (f == "--help" || f == "--config") continue;
    EXPECT_NE(flags.find(f), std::string::npos) << f << " missing from: " << flags;
  }
}

}  // namespace
}  // namespace infinity_sync
