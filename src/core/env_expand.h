#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace infinity_sync {

// Looks up an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment as an EnvLookup.
EnvLookup ProcessEnv();

// `over` first, then `under`: how the shell is layered over a .env file.
EnvLookup LayerEnv(EnvLookup over, std::map<std::string, std::string> under);

// Expands ${VAR} and ${VAR:-default} (default when unset or empty) in text.
// An unset ${VAR} becomes empty, as in a shell. "$$" is a literal "$".
// An unterminated "${" is an Error.
Result<std::string> ExpandEnv(std::string_view text, const EnvLookup& env);

}  // namespace infinity_sync
