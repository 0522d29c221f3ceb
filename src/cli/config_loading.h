#pragma once

#include <optional>
#include <string>
#include <vector>

#include "checks/check.h"
#include "core/config.h"

namespace infinity_sync {

// Loads the configuration for a command (discovery from the current folder
// unless `explicit_file`); prints the one-line error on stderr and returns
// nullopt when it is bad.
std::optional<Config> LoadConfigOrReport(const std::string& explicit_file);

// The rows of `table` that `--only` names (all when empty); prints the error
// ("did you mean") on stderr and returns nullopt for an unknown name.
std::optional<std::vector<CheckSpec>> SelectChecksOrReport(const std::vector<CheckSpec>& table,
                                                           const std::vector<std::string>& only);

}  // namespace infinity_sync
