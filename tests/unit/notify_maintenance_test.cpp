// Maintenance windows: fixed ISO-8601 ones and weekly ones in a named zone of
// the system tz database. Every instant is given in UTC, so nothing depends on
// the machine's own zone.
#include <gtest/gtest.h>

#include "core/config.h"
#include "core/maintenance.h"
#include "core/time_format.h"

namespace infinity_sync {
namespace {

std::chrono::system_clock::time_point At(const std::string& iso) {
  auto t = ParseIso8601(iso);
  EXPECT_TRUE(t) << iso;
  return t.value_or(std::chrono::system_clock::time_point());
}

MaintenanceWindowConfig Weekly(const std::string& every, const std::string& zone) {
  MaintenanceWindowConfig w;
  w.every = every;
  w.timezone = zone;
  return w;
}

TEST(NotifyMaintenance, ParsesWeeklyWindows) {
  auto w = ParseWeeklyWindow("sat 02:00-04:00");
  ASSERT_TRUE(w) << w.error();
  EXPECT_EQ(w->weekday, 6);
  EXPECT_EQ(w->start_min, 120);
  EXPECT_EQ(w->length_min, 120);
  auto late = ParseWeeklyWindow("Sunday 23:00-01:00");
  ASSERT_TRUE(late) << late.error();
  EXPECT_EQ(late->weekday, 0);
  EXPECT_EQ(late->length_min, 120);
  auto whole = ParseWeeklyWindow("mon 00:00-24:00");
  ASSERT_TRUE(whole) << whole.error();
  EXPECT_EQ(whole->length_min, 24 * 60);
}

TEST(NotifyMaintenance, BadWeeklyWindowsSayWhatIsWrong) {
  EXPECT_EQ(ParseWeeklyWindow("saturday").error(),
            "expected \"DAY HH:MM-HH:MM\" (as in \"sat 02:00-04:00\"), got \"saturday\"");
  EXPECT_EQ(ParseWeeklyWindow("sam 02:00-04:00").error(),
            "unknown day \"sam\" (expected mon, tue, ... sun)");
  EXPECT_EQ(ParseWeeklyWindow("sat 25:00-04:00").error(),
            "bad start time \"25:00\" (expected HH:MM, 24-hour)");
  EXPECT_EQ(ParseWeeklyWindow("sat 02:00-4").error(),
            "bad end time \"4\" (expected HH:MM, 24-hour)");
}

TEST(NotifyMaintenance, TimeZonesComeFromTheTzDatabase) {
  EXPECT_EQ(CheckTimeZone("Europe/Berlin"), "");
  EXPECT_EQ(CheckTimeZone("UTC"), "");
  EXPECT_EQ(CheckTimeZone("Europe/Nowhere"),
            "unknown time zone \"Europe/Nowhere\" (expected a tz database name such as "
            "Europe/Berlin)");
}

TEST(NotifyMaintenance, WeeklyWindowInBerlinWinterTime) {
  // 2026-12-05 is a Saturday; Berlin is UTC+1 then: 02:00-04:00 is 01:00Z-03:00Z.
  std::vector<MaintenanceWindowConfig> windows = {Weekly("sat 02:00-04:00", "Europe/Berlin")};
  EXPECT_FALSE(ActiveMaintenanceAt(windows, At("2026-12-05T00:59:59Z")));
  auto active = ActiveMaintenanceAt(windows, At("2026-12-05T01:00:00Z"));
  ASSERT_TRUE(active);
  EXPECT_EQ(FormatIso8601(active->until), "2026-12-05T03:00:00.000Z");
  EXPECT_EQ(active->what, "sat 02:00-04:00 Europe/Berlin");
  EXPECT_TRUE(ActiveMaintenanceAt(windows, At("2026-12-05T02:59:59Z")));
  EXPECT_FALSE(ActiveMaintenanceAt(windows, At("2026-12-05T03:00:00Z")));
  EXPECT_FALSE(ActiveMaintenanceAt(windows, At("2026-12-06T01:30:00Z")));  // Sunday
}

TEST(NotifyMaintenance, WeeklyWindowInBerlinSummerTime) {
  // 2026-07-04 is a Saturday; Berlin is UTC+2 then: 02:00-04:00 is 00:00Z-02:00Z.
  std::vector<MaintenanceWindowConfig> windows = {Weekly("sat 02:00-04:00", "Europe/Berlin")};
  EXPECT_FALSE(ActiveMaintenanceAt(windows, At("2026-07-03T23:59:00Z")));
  EXPECT_TRUE(ActiveMaintenanceAt(windows, At("2026-07-04T00:00:00Z")));
  EXPECT_FALSE(ActiveMaintenanceAt(windows, At("2026-07-04T02:00:00Z")));
}

TEST(NotifyMaintenance, WindowPastMidnightEndsTheNextDay) {
  std::vector<MaintenanceWindowConfig> windows = {Weekly("sun 23:00-01:00", "UTC")};
  // 2026-12-06 is a Sunday.
  EXPECT_TRUE(ActiveMaintenanceAt(windows, At("2026-12-06T23:30:00Z")));
  auto monday = ActiveMaintenanceAt(windows, At("2026-12-07T00:30:00Z"));
  ASSERT_TRUE(monday);
  EXPECT_EQ(FormatIso8601(monday->until), "2026-12-07T01:00:00.000Z");
  EXPECT_FALSE(ActiveMaintenanceAt(windows, At("2026-12-07T01:00:00Z")));
}

TEST(NotifyMaintenance, FixedWindowHoldsFromUntilTo) {
  MaintenanceWindowConfig w;
  w.from = At("2026-12-02T10:00:00+01:00");
  w.to = At("2026-12-02T12:00:00+01:00");
  EXPECT_FALSE(ActiveMaintenanceAt({w}, At("2026-12-02T08:59:59Z")));
  auto active = ActiveMaintenanceAt({w}, At("2026-12-02T09:00:00Z"));
  ASSERT_TRUE(active);
  EXPECT_EQ(FormatIso8601(active->until), "2026-12-02T11:00:00.000Z");
  EXPECT_FALSE(ActiveMaintenanceAt({w}, At("2026-12-02T11:00:00Z")));
}

}  // namespace
}  // namespace infinity_sync
