#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "store/sql_history_store.h"

namespace infinity_sync {

// The history store in an SQLite file (created with its folder if missing):
// WAL mode so readers never wait for writers, and a busy timeout so that
// concurrent writers (two runs and the server) queue instead of failing with
// "database is locked".
std::unique_ptr<SqlHistoryStore> OpenSqliteStore(const std::string& path,
                                                 std::chrono::milliseconds keep_for);

// The SQLite connection under it, for tests that prepare databases by hand.
std::unique_ptr<SqlConnection> MakeSqliteConnection(const std::string& path);

}  // namespace infinity_sync
