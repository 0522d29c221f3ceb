#include "store/open_store.h"

#include <filesystem>

#include "store/postgres_store.h"
#include "store/sqlite_store.h"

namespace infinity_sync {

Result<std::unique_ptr<HistoryStore>> OpenStore(const Config& config) {
  const std::string& store = config.store;
  if (store.empty() || store == "none") return std::unique_ptr<HistoryStore>();
  if (store.rfind("sqlite:", 0) == 0) {
    std::string path = store.substr(7);
    if (path.empty())
      return Error{"store: sqlite: needs a path, e.g. sqlite:readiness/infinity-sync.db"};
    return std::unique_ptr<HistoryStore>(OpenSqliteStore(path, config.history.keep_for));
  }
  if (store.rfind("postgresql://", 0) == 0 || store.rfind("postgres://", 0) == 0) {
    return std::unique_ptr<HistoryStore>(OpenPostgresStore(store, config.history.keep_for));
  }
  return Error{"store: expected sqlite:PATH, postgresql://... or none, got \"" + store + "\""};
}

std::string PendingHistoryFile(const Config& config) {
  return (std::filesystem::path(config.status_file).parent_path() /
          "infinity-sync-history-pending.jsonl")
      .string();
}

Result<std::unique_ptr<HistoryRecorder>> OpenHistoryRecorder(const Config& config) {
  auto store = OpenStore(config);
  if (!store) return Error{store.error()};
  if (!*store) return std::unique_ptr<HistoryRecorder>();
  return std::make_unique<HistoryRecorder>(std::move(*store), 500, PendingHistoryFile(config));
}

}  // namespace infinity_sync
