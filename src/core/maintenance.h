#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace infinity_sync {

struct MaintenanceWindowConfig;

// "sat 02:00-04:00": a weekly window in local time. An end at or before the
// start runs into the next day ("sun 23:00-01:00" ends on Monday at 01:00).
struct WeeklyWindow {
  int weekday = 0;     // 0 = Sunday ... 6 = Saturday
  int start_min = 0;   // minutes after local midnight
  int length_min = 0;  // > 0
};

// Parses "sat 02:00-04:00" (day names in English, three letters or whole,
// any case; 24-hour times); the error names what is wrong.
Result<WeeklyWindow> ParseWeeklyWindow(const std::string& text);

// An empty string when `name` is a zone of the system's tz database
// (/usr/share/zoneinfo), else why not.
std::string CheckTimeZone(const std::string& name);

// A window that holds `now`, and when it ends.
struct ActiveMaintenance {
  std::chrono::system_clock::time_point until;
  std::string what;  // "sat 02:00-04:00 Europe/Berlin", or "2026-12-05T02:00:00.000Z .. ..."
};

// The first configured window holding `now`, nullopt when none does (or when
// a window names a zone the tz database does not know).
std::optional<ActiveMaintenance> ActiveMaintenanceAt(
    const std::vector<MaintenanceWindowConfig>& windows, std::chrono::system_clock::time_point now);

}  // namespace infinity_sync
