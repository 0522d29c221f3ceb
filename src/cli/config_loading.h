#pragma once

#include <optional>
#include <string>
#include <vector>

#include "checks/check.h"
#include "core/config.h"
#include "engine/runner.h"

namespace infinity_sync {

// Loads the configuration for a command (discovery from the current folder
// unless `explicit_file`); prints the one-line error on stderr and returns
// nullopt when it is bad.
std::optional<Config> LoadConfigOrReport(const std::string& explicit_file);

// The rows of `table` (CheckTable(config)) that --only names (all when empty)
// and --skip does not; prints every problem ("did you mean", "turned off") on
// stderr and returns nullopt when there is one.
std::optional<std::vector<CheckSpec>> SelectChecksOrReport(const Config& config,
                                                           const std::vector<CheckSpec>& table,
                                                           const CheckChoice& choice);

}  // namespace infinity_sync
