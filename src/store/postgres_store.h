#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "store/sql_history_store.h"

namespace infinity_sync {

// The history store in PostgreSQL (`postgresql://user@host/db`), shared by
// many machines: every row carries the host and project it came from. The
// connection is made on first use and remade after a failure; connecting
// gives up after 5 s unless the URL sets connect_timeout.
std::unique_ptr<SqlHistoryStore> OpenPostgresStore(const std::string& url,
                                                   std::chrono::milliseconds keep_for);

// The PostgreSQL connection under it, for tests that prepare databases by hand.
std::unique_ptr<SqlConnection> MakePostgresConnection(const std::string& url);

// `url` with any password replaced by "***", for messages.
std::string RedactDatabaseUrl(const std::string& url);

}  // namespace infinity_sync
