#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/config.h"

namespace infinity_sync {

enum class BadgeColour { kGreen, kYellow, kRed, kGrey };

// What a status badge says: "git | diverged" in yellow.
struct BadgeText {
  std::string label;
  std::string message;
  BadgeColour colour = BadgeColour::kGrey;
};

// A shields-style two-part SVG (grey label, coloured message), 20 px high,
// widths estimated from Verdana's. Every text is XML-escaped; control
// characters and invalid UTF-8 are replaced, long texts shortened.
std::string BadgeSvg(const BadgeText& badge);

// The badge of `name` for the status document `doc` (null: none yet):
// "overall" is the worst status of the required checks (an entry with
// "required": false does not count), labelled "sync"; otherwise a check by
// its document key ("GitSync", "CustomCheck:redis"), its section name
// ("git", "docker", ...) or a custom check's name. `fresh` false adds
// "(stale)" to the message. nullopt when no such check is known (neither in
// the document nor built in nor configured).
std::optional<BadgeText> BadgeFor(const nlohmann::json* doc, bool fresh, const std::string& name,
                                  const Config& config);

}  // namespace infinity_sync
