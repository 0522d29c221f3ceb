#include "core/maintenance.h"

#include <algorithm>
#include <array>
#include <cctype>

#include <date/tz.h>
#include <fmt/format.h>

#include "core/config.h"
#include "core/time_format.h"

namespace infinity_sync {
namespace {

constexpr std::array<const char*, 7> kDays = {"sunday",   "monday", "tuesday", "wednesday",
                                              "thursday", "friday", "saturday"};

// "02:00" -> 120; -1 when it is not HH:MM with HH < 24 (or exactly 24:00 when `end`).
int ParseClock(const std::string& s, bool end) {
  if (s.size() != 5 || s[2] != ':') return -1;
  for (int i : {0, 1, 3, 4}) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return -1;
  }
  int h = (s[0] - '0') * 10 + (s[1] - '0');
  int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (m > 59) return -1;
  if (h == 24 && m == 0 && end) return 24 * 60;
  if (h > 23) return -1;
  return h * 60 + m;
}

const date::time_zone* Zone(const std::string& name) {
  try {
    return date::locate_zone(name.empty() ? "UTC" : name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

}  // namespace

Result<WeeklyWindow> ParseWeeklyWindow(const std::string& text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto space = lower.find(' ');
  auto dash = lower.find('-', space == std::string::npos ? 0 : space);
  if (space == std::string::npos || dash == std::string::npos) {
    return Error{"expected \"DAY HH:MM-HH:MM\" (as in \"sat 02:00-04:00\"), got \"" + text + "\""};
  }
  std::string day = lower.substr(0, space);
  std::string from = lower.substr(space + 1, dash - space - 1);
  std::string to = lower.substr(dash + 1);
  WeeklyWindow w;
  w.weekday = -1;
  for (int i = 0; i < 7; ++i) {
    std::string name = kDays[static_cast<std::size_t>(i)];
    if (day == name || (day.size() == 3 && name.compare(0, 3, day) == 0)) w.weekday = i;
  }
  if (w.weekday < 0) {
    return Error{"unknown day \"" + text.substr(0, space) + "\" (expected mon, tue, ... sun)"};
  }
  int start = ParseClock(from, false);
  int end = ParseClock(to, true);
  if (start < 0) return Error{"bad start time \"" + from + "\" (expected HH:MM, 24-hour)"};
  if (end < 0) return Error{"bad end time \"" + to + "\" (expected HH:MM, 24-hour)"};
  w.start_min = start;
  w.length_min = end > start ? end - start : end + 24 * 60 - start;
  return w;
}

std::string CheckTimeZone(const std::string& name) {
  if (Zone(name) != nullptr) return "";
  return "unknown time zone \"" + name + "\" (expected a tz database name such as Europe/Berlin)";
}

std::optional<ActiveMaintenance> ActiveMaintenanceAt(
    const std::vector<MaintenanceWindowConfig>& windows,
    std::chrono::system_clock::time_point now) {
  using namespace std::chrono;
  for (const auto& cfg : windows) {
    if (cfg.from && cfg.to) {
      if (*cfg.from <= now && now < *cfg.to) {
        return ActiveMaintenance{*cfg.to,
                                 FormatIso8601(*cfg.from) + " .. " + FormatIso8601(*cfg.to)};
      }
      continue;
    }
    auto weekly = ParseWeeklyWindow(cfg.every);
    const date::time_zone* zone = Zone(cfg.timezone);
    if (!weekly || zone == nullptr) continue;
    // Local wall time now; the window may have opened today or, when it runs
    // past midnight, up to six days ago: look at the starts of the last 7 days.
    auto local = zone->to_local(time_point_cast<seconds>(now));
    auto today = date::floor<date::days>(local);
    for (int back = 0; back < 7; ++back) {
      auto day = today - date::days(back);
      if (date::weekday(day).c_encoding() != static_cast<unsigned>(weekly->weekday)) continue;
      auto start_local = day + minutes(weekly->start_min);
      auto end_local = start_local + minutes(weekly->length_min);
      // Wall times that a DST change skips or repeats map to the earlier instant.
      auto start = zone->to_sys(start_local, date::choose::earliest);
      auto end = zone->to_sys(end_local, date::choose::earliest);
      if (start <= now && now < end) {
        std::string tz = cfg.timezone.empty() ? "UTC" : cfg.timezone;
        return ActiveMaintenance{time_point_cast<system_clock::duration>(end),
                                 cfg.every + " " + tz};
      }
    }
  }
  return std::nullopt;
}

}  // namespace infinity_sync
