#pragma once

#include <optional>
#include <string>

#include "core/config.h"

namespace infinity_sync {

// Loads the configuration for a command (discovery from the current folder
// unless `explicit_file`); prints the one-line error on stderr and returns
// nullopt when it is bad.
std::optional<Config> LoadConfigOrReport(const std::string& explicit_file);

}  // namespace infinity_sync
