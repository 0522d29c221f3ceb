#include "cli/terminal.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace infinity_sync {

bool Utf8Locale(const TerminalEnv& env) {
  for (const char* name : {"LC_ALL", "LC_CTYPE", "LANG"}) {
    std::string value = env(name).value_or("");
    if (value.empty()) continue;
    std::transform(value.begin(), value.end(), value.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return value.find("utf-8") != std::string::npos || value.find("utf8") != std::string::npos;
  }
  return false;
}

TerminalCaps DetectTerminal(bool is_tty, const TerminalEnv& env) {
  TerminalCaps caps;
  if (!is_tty) return caps;
  caps.cursor = env("TERM").value_or("") != "dumb";
  caps.colour = caps.cursor && !env("NO_COLOR").has_value();
  caps.unicode = !env("NO_COLOR").has_value() && Utf8Locale(env);
  return caps;
}

TerminalCaps DetectTerminal(bool is_tty) {
  return DetectTerminal(is_tty, [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  });
}

}  // namespace infinity_sync
