#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checks/check.h"
#include "core/config.h"
#include "engine/runner.h"
#include "store/history_store.h"

namespace infinity_sync {

// Loads the configuration for a command (discovery from the current folder
// unless `explicit_file`); prints the one-line error on stderr and returns
// nullopt when it is bad.
std::optional<Config> LoadConfigOrReport(const std::string& explicit_file);

// The history store of `config` for a command that reads it (`history`,
// `fleet`); prints why not (a bad store:, or store: none, with `off_hint` on
// what to set) and returns null when there is none.
std::unique_ptr<HistoryStore> OpenStoreOrReport(const Config& config, const std::string& off_hint);

// The rows of `table` (CheckTable(config)) that --only names (all when empty)
// and --skip does not; prints every problem ("did you mean", "turned off") on
// stderr and returns nullopt when there is one.
std::optional<std::vector<CheckSpec>> SelectChecksOrReport(const Config& config,
                                                           const std::vector<CheckSpec>& table,
                                                           const CheckChoice& choice);

}  // namespace infinity_sync
