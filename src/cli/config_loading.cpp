#include "cli/config_loading.h"

#include <filesystem>
#include <iostream>

#include "engine/runner.h"
#include "store/open_store.h"

namespace infinity_sync {

std::optional<Config> LoadConfigOrReport(const std::string& explicit_file) {
  std::error_code ec;
  auto cwd = std::filesystem::current_path(ec);
  auto loaded = LoadConfig(explicit_file, cwd, ProcessEnv());
  if (auto* err = std::get_if<ConfigError>(&loaded)) {
    std::cerr << "infinity-sync: configuration error: " << err->ToString() << "\n";
    return std::nullopt;
  }
  return std::get<Config>(std::move(loaded));
}

std::optional<std::vector<CheckSpec>> SelectChecksOrReport(const Config& config,
                                                           const std::vector<CheckSpec>& table,
                                                           const CheckChoice& choice) {
  auto selected = SelectChecks(table, choice, DisabledChecks(config));
  if (!selected) {
    std::cerr << "infinity-sync: " << selected.error() << "\n";
    return std::nullopt;
  }
  return std::move(*selected);
}

std::unique_ptr<HistoryStore> OpenStoreOrReport(const Config& config, const std::string& off_hint) {
  auto store = OpenStore(config);
  if (!store) {
    std::cerr << "infinity-sync: " << store.error() << "\n";
    return nullptr;
  }
  if (!*store) std::cerr << "infinity-sync: history is off (store: none); " << off_hint << "\n";
  return std::move(*store);
}

}  // namespace infinity_sync
