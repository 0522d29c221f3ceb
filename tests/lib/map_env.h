#pragma once

#include <map>
#include <optional>
#include <string>

#include "core/env_expand.h"

namespace infinity_sync::testing {

// An environment of exactly these variables.
inline EnvLookup MapEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace infinity_sync::testing
