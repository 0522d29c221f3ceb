#include "core/env_expand.h"

#include <gtest/gtest.h>

#include "core/suggest.h"

namespace infinity_sync {
namespace {

EnvLookup Vars() {
  return [](const std::string& name) -> std::optional<std::string> {
    if (name == "HOST") return "db.local";
    if (name == "EMPTY") return "";
    return std::nullopt;
  };
}

TEST(EnvExpandTest, ExpandsAndDefaults) {
  EXPECT_EQ(*ExpandEnv("postgresql://${HOST}/x", Vars()), "postgresql://db.local/x");
  EXPECT_EQ(*ExpandEnv("${MISSING:-fallback}", Vars()), "fallback");
  EXPECT_EQ(*ExpandEnv("${EMPTY:-fallback}", Vars()), "fallback");
  EXPECT_EQ(*ExpandEnv("${MISSING}", Vars()), "");
  EXPECT_EQ(*ExpandEnv("${MISSING:-}", Vars()), "");
  EXPECT_EQ(*ExpandEnv("cost: $$5 and $HOME", Vars()), "cost: $5 and $HOME");
  EXPECT_EQ(*ExpandEnv("no vars", Vars()), "no vars");
}

TEST(EnvExpandTest, ErrorsSayWhat) {
  EXPECT_EQ(ExpandEnv("${HOST", Vars()).error(), "unterminated \"${\" in \"${HOST\"");
  EXPECT_EQ(ExpandEnv("${}", Vars()).error(), "empty variable name in \"${}\"");
}

TEST(SuggestTest, ClosestWithinReason) {
  std::vector<std::string> names = {"auth", "git", "docker", "gcp", "cloudflare"};
  EXPECT_EQ(ClosestMatch("gti", names), "git");
  EXPECT_EQ(ClosestMatch("dokcer", names), "docker");
  EXPECT_EQ(ClosestMatch("cloudfare", names), "cloudflare");
  EXPECT_EQ(ClosestMatch("kubernetes", names), "");
}

}  // namespace
}  // namespace infinity_sync
