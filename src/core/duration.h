#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/result.h"

namespace infinity_sync {

// Parses "500ms", "30s", "5m", "2h", "30d" and sums like "1h30m". A bare "0"
// is zero. Anything else is an Error saying what is accepted.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

// The shortest exact spelling: 90000 ms -> "90s", 300000 -> "5m".
std::string FormatDuration(std::chrono::milliseconds d);

}  // namespace infinity_sync
