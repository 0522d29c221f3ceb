// What the terminal gets: colour, emoji and the progress line, decided from the
// environment as other CLIs decide (TERM, NO_COLOR, LC_ALL/LC_CTYPE/LANG).
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "cli/progress.h"
#include "cli/report.h"
#include "cli/terminal.h"

namespace infinity_sync {
namespace {

TerminalEnv Env(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    auto found = vars.find(name);
    if (found == vars.end()) return std::nullopt;
    return found->second;
  };
}

TEST(TerminalTest, Utf8LocaleTakesTheFirstSetOfLcAllLcCtypeLang) {
  EXPECT_TRUE(Utf8Locale(Env({{"LANG", "en_US.UTF-8"}})));
  EXPECT_TRUE(Utf8Locale(Env({{"LANG", "de_DE.utf8"}})));
  EXPECT_TRUE(Utf8Locale(Env({{"LC_CTYPE", "C.Utf-8"}, {"LANG", "C"}})));
  EXPECT_FALSE(Utf8Locale(Env({{"LC_ALL", "C"}, {"LANG", "en_US.UTF-8"}})));
  EXPECT_FALSE(Utf8Locale(Env({{"LC_CTYPE", "POSIX"}, {"LANG", "en_US.UTF-8"}})));
  EXPECT_TRUE(Utf8Locale(Env({{"LC_ALL", ""}, {"LANG", "en_US.UTF-8"}})));  // empty is unset
  EXPECT_FALSE(Utf8Locale(Env({{"LANG", "en_US.ISO-8859-1"}})));
  EXPECT_FALSE(Utf8Locale(Env({})));
}

TEST(TerminalTest, DumbTerminalsGetNoEscapesAndOtherLocalesNoEmoji) {
  auto utf8 = Env({{"TERM", "xterm-256color"}, {"LANG", "C.UTF-8"}});
  TerminalCaps full = DetectTerminal(true, utf8);
  EXPECT_TRUE(full.cursor);
  EXPECT_TRUE(full.colour);
  EXPECT_TRUE(full.unicode);

  TerminalCaps dumb = DetectTerminal(true, Env({{"TERM", "dumb"}, {"LANG", "C.UTF-8"}}));
  EXPECT_FALSE(dumb.cursor);
  EXPECT_FALSE(dumb.colour);
  EXPECT_TRUE(dumb.unicode);  // characters are not escapes

  TerminalCaps latin = DetectTerminal(true, Env({{"TERM", "xterm"}, {"LANG", "de_DE"}}));
  EXPECT_TRUE(latin.colour);
  EXPECT_FALSE(latin.unicode);

  TerminalCaps no_color =
      DetectTerminal(true, Env({{"TERM", "xterm"}, {"LANG", "C.UTF-8"}, {"NO_COLOR", ""}}));
  EXPECT_TRUE(no_color.cursor);
  EXPECT_FALSE(no_color.colour);
  EXPECT_FALSE(no_color.unicode);

  TerminalCaps pipe = DetectTerminal(false, utf8);
  EXPECT_FALSE(pipe.cursor || pipe.colour || pipe.unicode);
}

TEST(TerminalTest, ReportMarksFollowTheLocaleAndColoursTheEscapes) {
  CheckSpec spec;
  spec.key = "GitSync";
  spec.name = "git";
  spec.title = "Git Repository Sync";
  CheckResult result;
  result.status = CheckStatus::kFailed;
  result.Err("broken");
  result.Ok("fine");

  std::ostringstream ascii;
  RenderSection(ascii, ReportStyle{true, false, false}, 2, 5, spec, result);
  EXPECT_NE(ascii.str().find("[FAIL] broken"), std::string::npos) << ascii.str();
  EXPECT_NE(ascii.str().find("[OK]   fine"), std::string::npos) << ascii.str();
  EXPECT_EQ(ascii.str().find("❌"), std::string::npos);
  EXPECT_EQ(ascii.str().find("─"), std::string::npos);
  EXPECT_NE(ascii.str().find("\033[1m"), std::string::npos);  // colour still allowed

  std::ostringstream plain;
  RenderSection(plain, ReportStyle{false, true, false}, 2, 5, spec, result);
  EXPECT_EQ(plain.str().find('\033'), std::string::npos) << plain.str();
  EXPECT_NE(plain.str().find("❌ broken"), std::string::npos) << plain.str();
}

TEST(TerminalTest, ProgressShowsSecondsOfRunningChecksAndNoCheckMarkForFailures) {
  using State = ProgressItem::State;
  std::vector<ProgressItem> items = {{"auth", State::kGood, {}},
                                     {"git", State::kRunning, std::chrono::milliseconds(2460)},
                                     {"docker", State::kFailed, {}},
                                     {"gcp", State::kDrift, {}},
                                     {"cloudflare", State::kWaiting, {}}};
  EXPECT_EQ(ProgressText(items, 0, true),
            "⠋ checks: auth ✓  git 2.5s  docker ✗  gcp !  cloudflare  3/5");
  EXPECT_EQ(ProgressText(items, 1, false),
            "/ checks: auth ok  git 2.5s  docker FAIL  gcp drift  cloudflare  3/5");
  // The spinner turns from frame to frame.
  EXPECT_NE(ProgressText(items, 2, true), ProgressText(items, 3, true));
}

}  // namespace
}  // namespace infinity_sync
