#include "store/open_store.h"

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

}  // namespace infinity_sync
