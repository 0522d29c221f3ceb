#pragma once

#include <functional>
#include <optional>
#include <string>

namespace infinity_sync {

// What the terminal the program writes to can show, decided as other CLIs do.
struct TerminalCaps {
  bool cursor = false;   // escapes that move the cursor and erase a line
  bool colour = false;   // ANSI colour and bold
  bool unicode = false;  // emoji marks, box rules, the spinner
};

// Reads an environment variable; nullopt when unset. getenv by default.
using TerminalEnv = std::function<std::optional<std::string>(const char* name)>;

// True when the locale's character set is UTF-8: the first of LC_ALL,
// LC_CTYPE and LANG that is set and not empty names "UTF-8" or "utf8" (any
// case), as setlocale(3) picks the character set.
bool Utf8Locale(const TerminalEnv& env);

// For an output stream that is (`is_tty`) or is not a terminal: nothing on a
// non-terminal. On a terminal: no escapes at all when TERM is "dumb"; colour
// unless NO_COLOR is set (any value, https://no-color.org); emoji and box
// characters only in a UTF-8 locale and without NO_COLOR (which keeps its old
// meaning here: plain output).
TerminalCaps DetectTerminal(bool is_tty, const TerminalEnv& env);
TerminalCaps DetectTerminal(bool is_tty);

}  // namespace infinity_sync
