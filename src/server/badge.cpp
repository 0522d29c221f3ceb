#include "server/badge.h"

#include <array>
#include <cmath>
#include <string_view>

#include <fmt/format.h>

#include "core/check_status.h"
#include "core/status_json.h"

namespace infinity_sync {
namespace {

constexpr std::size_t kMaxChars = 48;  // per part; longer texts end in "…"

// The built-in checks: document key and section name (the label).
struct BuiltIn {
  const char* key;
  const char* section;
};
constexpr std::array<BuiltIn, 5> kBuiltIns = {{{"AuthCheck", "auth"},
                                               {"GitSync", "git"},
                                               {"DockerSync", "docker"},
                                               {"GCPSync", "gcp"},
                                               {"CloudflareCheck", "cloudflare"}}};
constexpr std::string_view kCustomPrefix = "CustomCheck:";

const char* ColourHex(BadgeColour colour) {
  switch (colour) {
    case BadgeColour::kGreen:
      return "#2e9e5b";
    case BadgeColour::kYellow:
      return "#c48a00";
    case BadgeColour::kRed:
      return "#d9453d";
    case BadgeColour::kGrey:
      break;
  }
  return "#8a8a8a";
}

// Verdana 11 px advance widths, roughly (the font shields.io measures with).
double CharWidth(unsigned char c) {
  if (c >= 0x80) return c >= 0xC0 ? 7.5 : 0.0;  // one per UTF-8 sequence
  switch (c) {
    case ' ':
      return 3.9;
    case 'i':
    case 'j':
    case 'l':
    case '.':
    case ',':
    case ':':
    case ';':
    case '\'':
    case '!':
    case '|':
      return 3.4;
    case 'f':
    case 't':
    case 'r':
    case 'I':
    case '(':
    case ')':
    case '-':
    case '[':
    case ']':
    case '/':
      return 4.6;
    case 'm':
      return 10.7;
    case 'w':
      return 8.9;
    case 'M':
    case 'W':
      return 11.0;
    default:
      break;
  }
  if (c >= 'A' && c <= 'Z') return 7.6;
  return 6.9;
}

int TextWidth(const std::string& text) {
  double w = 0;
  for (unsigned char c : text) w += CharWidth(c);
  return static_cast<int>(std::lround(w));
}

// Valid UTF-8 without control characters, at most kMaxChars characters.
std::string Cleaned(const std::string& text) {
  std::string valid = ValidUtf8(text);
  std::string out;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < valid.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(valid[i]);
    bool starts_char = c < 0x80 || c >= 0xC0;
    if (starts_char && ++chars > kMaxChars) {
      out += "\xE2\x80\xA6";  // …
      break;
    }
    out += c < 0x20 || c == 0x7F ? ' ' : static_cast<char>(c);
  }
  return out;
}

std::string XmlEscaped(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// "OutOfSync" -> "out of sync", "PartiallyReachable" -> "partially reachable".
std::string Words(std::string_view status) {
  std::string out;
  for (char c : status) {
    if (c >= 'A' && c <= 'Z') {
      if (!out.empty()) out += ' ';
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}

BadgeColour ColourOf(Verdict v) {
  switch (v) {
    case Verdict::kGood:
      return BadgeColour::kGreen;
    case Verdict::kNeutral:
      return BadgeColour::kGrey;
    case Verdict::kDrift:
      return BadgeColour::kYellow;
    case Verdict::kFailed:
      break;
  }
  return BadgeColour::kRed;
}

// The Status string of one entry of the document's "status", or "".
std::string StatusOf(const nlohmann::json& entry) {
  if (!entry.is_object()) return "";
  auto s = entry.find("Status");
  return s != entry.end() && s->is_string() ? s->get<std::string>() : "";
}

const nlohmann::json* Checks(const nlohmann::json* doc) {
  if (doc == nullptr || !doc->is_object()) return nullptr;
  auto st = doc->find("status");
  return st != doc->end() && st->is_object() ? &*st : nullptr;
}

BadgeText Overall(const nlohmann::json* checks) {
  BadgeText b{"sync", "unknown", BadgeColour::kGrey};
  if (checks == nullptr) return b;
  std::vector<Verdict> verdicts;
  for (const auto& [key, entry] : checks->items()) {
    if (entry.is_object() && entry.value("required", true) == false) continue;
    verdicts.push_back(VerdictOfName(StatusOf(entry)));
  }
  switch (ExitCodeFor(verdicts)) {
    case kExitOk:
      return {"sync", "in sync", BadgeColour::kGreen};
    case kExitDrift:
      return {"sync", "drift", BadgeColour::kYellow};
    default:
      return {"sync", "failing", BadgeColour::kRed};
  }
}

}  // namespace

std::string BadgeSvg(const BadgeText& badge) {
  std::string label = Cleaned(badge.label);
  std::string message = Cleaned(badge.message);
  int lw = TextWidth(label) + 12;
  int mw = TextWidth(message) + 12;
  int w = lw + mw;
  std::string l = XmlEscaped(label);
  std::string m = XmlEscaped(message);
  // Text is drawn at 10x scale with textLength, as shields.io does, so the
  // estimate above and the real font agree in every browser.
  return fmt::format(
      R"svg(<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="20" role="img" aria-label="{l}: {m}">)svg"
      R"svg(<title>{l}: {m}</title>)svg"
      R"svg(<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>)svg"
      R"svg(<stop offset="1" stop-opacity=".1"/></linearGradient>)svg"
      R"svg(<clipPath id="r"><rect width="{w}" height="20" rx="3" fill="#fff"/></clipPath>)svg"
      R"svg(<g clip-path="url(#r)"><rect width="{lw}" height="20" fill="#555"/>)svg"
      R"svg(<rect x="{lw}" width="{mw}" height="20" fill="{colour}"/>)svg"
      R"svg(<rect width="{w}" height="20" fill="url(#s)"/></g>)svg"
      R"svg(<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" )svg"
      R"svg(text-rendering="geometricPrecision" font-size="110">)svg"
      R"svg(<text x="{lx}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="{lt}">{l}</text>)svg"
      R"svg(<text x="{lx}" y="140" transform="scale(.1)" fill="#fff" textLength="{lt}">{l}</text>)svg"
      R"svg(<text x="{mx}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="{mt}">{m}</text>)svg"
      R"svg(<text x="{mx}" y="140" transform="scale(.1)" fill="#fff" textLength="{mt}">{m}</text>)svg"
      R"svg(</g></svg>)svg",
      fmt::arg("w", w), fmt::arg("lw", lw), fmt::arg("mw", mw), fmt::arg("l", l), fmt::arg("m", m),
      fmt::arg("colour", ColourHex(badge.colour)), fmt::arg("lx", lw * 5),
      fmt::arg("lt", (lw - 12) * 10), fmt::arg("mx", lw * 10 + mw * 5),
      fmt::arg("mt", (mw - 12) * 10));
}

std::optional<BadgeText> BadgeFor(const nlohmann::json* doc, bool fresh, const std::string& name,
                                  const Config& config) {
  const nlohmann::json* checks = Checks(doc);
  std::optional<BadgeText> badge;
  if (name == "overall") {
    badge = Overall(checks);
  } else {
    // Which document key `name` means, and the badge's label for it.
    std::string key;
    std::string label;
    for (const auto& b : kBuiltIns) {
      if (name == b.key || name == b.section) {
        key = b.key;
        label = b.section;
      }
    }
    if (key.empty()) {
      std::string custom =
          name.rfind(kCustomPrefix, 0) == 0 ? name.substr(kCustomPrefix.size()) : name;
      bool configured = false;
      for (const auto& c : config.checks) configured |= c.name == custom;
      std::string custom_key = std::string(kCustomPrefix) + custom;
      if (configured || (checks != nullptr && checks->contains(custom_key))) {
        key = custom_key;
        label = custom;
      } else if (checks != nullptr && checks->contains(name)) {
        key = name;  // another key a document holds (a seed's extra section)
        label = name;
      }
    }
    if (key.empty()) return std::nullopt;
    if (checks == nullptr) {
      badge = BadgeText{label, "unknown", BadgeColour::kGrey};
    } else if (auto it = checks->find(key); it == checks->end()) {
      badge = BadgeText{label, "not run", BadgeColour::kGrey};
    } else {
      std::string status = StatusOf(*it);
      Verdict v = VerdictOfName(status);
      std::string message = v == Verdict::kGood     ? "in sync"
                            : v == Verdict::kFailed ? "failing"
                                                    : Words(status);
      badge = BadgeText{label, message, ColourOf(v)};
    }
  }
  if (checks != nullptr && !fresh) badge->message += " (stale)";
  return badge;
}

}  // namespace infinity_sync
