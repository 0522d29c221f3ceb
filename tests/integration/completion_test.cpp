// The shell completions in packaging/completions load and complete what the
// program's own --help lists, the checks `run --list-checks` prints (custom
// ones from --config included), comma lists for --only and only *.yaml/*.yml
// files for --config; bash without the bash-completion package.
#include <filesystem>
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

// PATH with the built program's folder first: the completions ask
// `infinity-sync run --list-checks`, found on PATH as the shell would.
EnvChanges WithProgramOnPath() {
  std::string dir = std::filesystem::path(ProgramPath()).parent_path().string();
  const char* path = std::getenv("PATH");
  return {{"PATH", dir + ":" + (path ? path : "/usr/bin:/bin")}};
}

// A folder with a configuration that adds the custom check "redis", other
// files for --config to choose from, and a sub-folder.
struct ConfigFolder {
  TempDir dir;
  ConfigFolder() {
    WriteConfig(dir / "custom.yaml",
                "checks:\n  - { name: redis, type: tcp, address: \"127.0.0.1:6379\" }\n");
    WriteFile(dir / "other.yml", "");
    WriteFile(dir / "notes.txt", "");
    std::filesystem::create_directory(dir / "sub");
  }
};

std::set<std::string> Words(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in(text);
  for (std::string w; in >> w;) out.insert(w);
  return out;
}

// What bash completes for the words `line` (the last word is the one completed),
// run in `cwd` with `env`.
std::string BashComplete(const std::string& line, const std::string& cwd = "",
                         const EnvChanges& env = {}) {
  std::string script = "source '" + Completion("infinity-sync.bash") + "' || exit 9; COMP_WORDS=(" +
                       line +
                       "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); "
                       "[[ \"" +
                       line +
                       "\" == *' ' ]] && COMP_WORDS+=('') && COMP_CWORD=$((COMP_CWORD + 1)); "
                       "_infinity_sync; echo \"${COMPREPLY[*]}\"";
  ProcessResult r = testing::Run({"bash", "--norc", "-c", script}, cwd, env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  std::string out = r.out;
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

bool Have(const std::string& program) {
  return testing::Run({"sh", "-c", "command -v " + program}).exit_code == 0;
}

// What fish completes for `line` (`complete -C`), the candidates without
// their descriptions, one a line.
std::set<std::string> FishComplete(const std::string& line, const std::string& cwd = "",
                                   const EnvChanges& env = {}) {
  ProcessResult r = testing::Run(
      {"fish", "--no-config", "-c",
       "source '" + Completion("infinity-sync.fish") + "'; or exit 9; complete -C '" + line + "'"},
      cwd, env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  std::set<std::string> out;
  std::istringstream in(r.out);
  for (std::string l; std::getline(in, l);) out.insert(l.substr(0, l.find('\t')));
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
  EXPECT_EQ(BashComplete("infinity-sync help co"), "config");
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

TEST(CompletionTest, ListChecksPrintsNamesAndKeysOfTheConfiguration) {
  ConfigFolder folder;
  ProgramRun r = RunProgram({"--config", folder.dir / "custom.yaml", "run", "--list-checks"},
                            folder.dir.str(), HermeticEnv(folder.dir.str()));
  EXPECT_EQ(r.code(), 0) << r.proc.err;
  EXPECT_EQ(r.proc.out,
            "auth        AuthCheck\n"
            "git         GitSync\n"
            "docker      DockerSync\n"
            "gcp         GCPSync\n"
            "cloudflare  CloudflareCheck\n"
            "redis       CustomCheck:redis\n");
  WriteConfig(folder.dir / "bad.yaml", "checks: 3\n");
  ProgramRun bad = RunProgram({"--config", folder.dir / "bad.yaml", "--list-checks"},
                              folder.dir.str(), HermeticEnv(folder.dir.str()));
  EXPECT_EQ(bad.code(), 78);
  EXPECT_EQ(bad.proc.out, "");
  EXPECT_NE(bad.proc.err.find("bad.yaml"), std::string::npos) << bad.proc.err;
}

TEST(CompletionTest, BashCompletesCheckNamesFromTheProgram) {
  ConfigFolder folder;
  EnvChanges env = WithProgramOnPath();
  std::string cwd = folder.dir.str();
  EXPECT_EQ(BashComplete("infinity-sync --config custom.yaml history --check ", cwd, env),
            "AuthCheck GitSync DockerSync GCPSync CloudflareCheck CustomCheck:redis");
  EXPECT_EQ(BashComplete("infinity-sync history --check G", cwd, env), "GitSync GCPSync");
  // bash splits CustomCheck:r at the colon; the reply is what follows it.
  EXPECT_EQ(
      BashComplete("infinity-sync --config custom.yaml history --check CustomCheck : r", cwd, env),
      "redis");
  EXPECT_EQ(BashComplete("infinity-sync --config custom.yaml run --only git,r", cwd, env),
            "git,redis");
  // --config=FILE reaches bash as three words.
  EXPECT_EQ(BashComplete("infinity-sync --config = custom.yaml --only r", cwd, env), "redis");
  // Without the program to ask, the five built-in checks.
  EXPECT_EQ(BashComplete("infinity-sync --config custom.yaml run --only ", cwd,
                         {{"PATH", "/usr/bin:/bin"}}),
            "auth git docker gcp cloudflare");
}

TEST(CompletionTest, BashCompletesConfigFilesWithoutBashCompletion) {
  ConfigFolder folder;
  std::string cwd = folder.dir.str();
  // bash --norc: neither bash-completion's _filedir nor extglob.
  ProcessResult bare =
      testing::Run({"bash", "--norc", "-c", "declare -F _filedir || shopt extglob"}, cwd);
  EXPECT_NE(bare.exit_code, 0) << bare.out;
  EXPECT_EQ(Words(BashComplete("infinity-sync --config ", cwd)),
            (std::set<std::string>{"custom.yaml", "other.yml", "sub"}));
  EXPECT_EQ(Words(BashComplete("infinity-sync status --config o", cwd)),
            (std::set<std::string>{"other.yml"}));
}

TEST(CompletionTest, BashCompletesTheSameWithBashCompletionLoaded) {
  const std::string library = "/usr/share/bash-completion/bash_completion";
  if (!std::filesystem::exists(library)) GTEST_SKIP() << "bash-completion is not installed";
  ConfigFolder folder;
  // As bash calls it: the line and the cursor, the words split at ':' and '='.
  auto complete = [&](const std::string& line, const std::string& words) {
    std::string script = "source " + library + " && source '" + Completion("infinity-sync.bash") +
                         "' || exit 9; COMP_LINE='" + line +
                         "'; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(" + words +
                         "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _infinity_sync; "
                         "echo \"${COMPREPLY[*]}\"";
    ProcessResult r =
        testing::Run({"bash", "--norc", "-c", script}, folder.dir.str(), WithProgramOnPath());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    return Words(r.out);
  };
  EXPECT_EQ(complete("infinity-sync --config custom.yaml history --check CustomCheck:r",
                     "infinity-sync --config custom.yaml history --check CustomCheck : r"),
            (std::set<std::string>{"redis"}));
  EXPECT_EQ(complete("infinity-sync --config=custom.yaml --only git,r",
                     "infinity-sync --config = custom.yaml --only git,r"),
            (std::set<std::string>{"git,redis"}));
  EXPECT_EQ(complete("infinity-sync --config ", "infinity-sync --config ''"),
            (std::set<std::string>{"custom.yaml", "other.yml", "sub"}));
}

TEST(CompletionTest, FishCompletesSubcommandsChecksAndCommaLists) {
  if (!Have("fish")) GTEST_SKIP() << "fish is not installed";
  ConfigFolder folder;
  EnvChanges env = WithProgramOnPath();
  std::string cwd = folder.dir.str();
  EXPECT_EQ(FishComplete("infinity-sync ", cwd, env), HelpSubcommands());
  EXPECT_EQ(FishComplete("infinity-sync run --only git,d", cwd, env),
            (std::set<std::string>{"git,docker"}));
  EXPECT_EQ(FishComplete("infinity-sync --config custom.yaml run --only auth,git,r", cwd, env),
            (std::set<std::string>{"auth,git,redis"}));
  EXPECT_EQ(FishComplete("infinity-sync run --only=git,d", cwd, env),
            (std::set<std::string>{"--only=git,docker"}));
  EXPECT_EQ(FishComplete("infinity-sync --config custom.yaml history --check C", cwd, env),
            (std::set<std::string>{"CloudflareCheck", "CustomCheck:redis"}));
  EXPECT_EQ(FishComplete("infinity-sync --config ", cwd, env),
            (std::set<std::string>{"custom.yaml", "other.yml", "sub/"}));
  EXPECT_EQ(FishComplete("infinity-sync notify ", cwd, env), (std::set<std::string>{"test"}));
}

TEST(CompletionTest, ZshCompletesChecksCommaListsAndConfigFiles) {
  if (!Have("zsh")) GTEST_SKIP() << "zsh is not installed";
  ConfigFolder folder;
  ProcessResult syntax = testing::Run({"zsh", "-n", Completion("_infinity-sync")});
  EXPECT_EQ(syntax.exit_code, 0) << syntax.err;
  // zsh's own completion system in a pseudo-terminal, TAB pressed.
  auto complete = [&](const std::string& line) {
    std::string dir = std::filesystem::path(Completion("_infinity-sync")).parent_path().string();
    ProcessResult r =
        testing::Run({"zsh", "-f", FixturePath("completion/zsh_complete.zsh"), dir, line},
                     folder.dir.str(), WithProgramOnPath());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    return Words(r.out);
  };
  EXPECT_EQ(complete("infinity-sync --config custom.yaml history --check C"),
            (std::set<std::string>{"CloudflareCheck", "CustomCheck:redis"}));
  EXPECT_EQ(complete("infinity-sync --config custom.yaml run --only git,"),
            (std::set<std::string>{"auth", "docker", "gcp", "cloudflare", "redis"}));
  EXPECT_EQ(complete("infinity-sync --config "),
            (std::set<std::string>{"custom.yaml", "other.yml", "sub"}));
}

}  // namespace
}  // namespace infinity_sync
