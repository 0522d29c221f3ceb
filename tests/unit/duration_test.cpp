#include "core/duration.h"

#include <gtest/gtest.h>

namespace infinity_sync {
namespace {

using std::chrono::milliseconds;

TEST(DurationTest, ParsesUnitsAndSums) {
  EXPECT_EQ(*ParseDuration("500ms"), milliseconds(500));
  EXPECT_EQ(*ParseDuration("30s"), milliseconds(30'000));
  EXPECT_EQ(*ParseDuration("5m"), milliseconds(300'000));
  EXPECT_EQ(*ParseDuration("2h"), milliseconds(7'200'000));
  EXPECT_EQ(*ParseDuration("30d"), milliseconds(30LL * 86'400'000));
  EXPECT_EQ(*ParseDuration("1h30m"), milliseconds(5'400'000));
  EXPECT_EQ(*ParseDuration("0"), milliseconds(0));
}

TEST(DurationTest, RejectsWithTheReason) {
  EXPECT_EQ(ParseDuration("5").error(),
            "expected a duration like 500ms, 30s, 5m, 2h or 30d, got \"5\" (missing unit)");
  EXPECT_EQ(ParseDuration("5x").error(),
            "expected a duration like 500ms, 30s, 5m, 2h or 30d, got \"5x\" (unknown unit \"x\")");
  EXPECT_FALSE(ParseDuration("").ok());
  EXPECT_FALSE(ParseDuration("-5s").ok());
  EXPECT_FALSE(ParseDuration("s").ok());
  EXPECT_FALSE(ParseDuration("99999999999999s").ok());
}

TEST(DurationTest, FormatsShortest) {
  EXPECT_EQ(FormatDuration(milliseconds(300'000)), "5m");
  EXPECT_EQ(FormatDuration(milliseconds(90'000)), "90s");
  EXPECT_EQ(FormatDuration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(FormatDuration(milliseconds(0)), "0");
}

}  // namespace
}  // namespace infinity_sync
