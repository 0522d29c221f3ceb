#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace infinity_sync {

// "2026-02-18T00:50:37.123Z": ISO-8601, UTC, milliseconds.
std::string FormatIso8601(std::chrono::system_clock::time_point t);
// Parses ISO-8601 with a Z or +hh:mm offset and optional fraction; nullopt if not.
std::optional<std::chrono::system_clock::time_point> ParseIso8601(std::string_view text);
// "2026-02-18 00:50:37" in local time, as the seed's report shows it.
std::string FormatLocalTime(std::chrono::system_clock::time_point t);
// "3 minutes", "2 hours", "45 seconds": a human age.
std::string FormatAge(std::chrono::milliseconds age);

}  // namespace infinity_sync
