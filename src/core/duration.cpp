#include "core/duration.h"

#include <cctype>
#include <cstdint>

namespace infinity_sync {

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  const std::string what = "a duration like 500ms, 30s, 5m, 2h or 30d";
  if (text == "0") return std::chrono::milliseconds(0);
  if (text.empty()) return Error{"expected " + what + ", got an empty value"};
  std::int64_t total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
      return Error{"expected " + what + ", got \"" + std::string(text) + "\""};
    }
    std::int64_t n = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      n = n * 10 + (text[i] - '0');
      if (n > 1'000'000'000) return Error{"duration \"" + std::string(text) + "\" is too large"};
      ++i;
    }
    std::size_t start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string_view unit = text.substr(start, i - start);
    std::int64_t scale;
    if (unit == "ms") {
      scale = 1;
    } else if (unit == "s") {
      scale = 1000;
    } else if (unit == "m") {
      scale = 60'000;
    } else if (unit == "h") {
      scale = 3'600'000;
    } else if (unit == "d") {
      scale = 86'400'000;
    } else if (unit.empty() && i == text.size()) {
      return Error{"expected " + what + ", got \"" + std::string(text) + "\" (missing unit)"};
    } else if (unit.empty()) {
      return Error{"expected " + what + ", got \"" + std::string(text) + "\""};
    } else {
      return Error{"expected " + what + ", got \"" + std::string(text) + "\" (unknown unit \"" +
                   std::string(unit) + "\")"};
    }
    total += n * scale;
  }
  return std::chrono::milliseconds(total);
}

std::string FormatDuration(std::chrono::milliseconds d) {
  std::int64_t ms = d.count();
  if (ms == 0) return "0";
  struct Unit {
    std::int64_t scale;
    const char* name;
  };
  for (Unit u : {Unit{86'400'000, "d"}, Unit{3'600'000, "h"}, Unit{60'000, "m"}, Unit{1000, "s"}}) {
    if (ms % u.scale == 0) return std::to_string(ms / u.scale) + u.name;
  }
  return std::to_string(ms) + "ms";
}

}  // namespace infinity_sync
