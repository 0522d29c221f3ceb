#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "core/sync_status.h"

namespace infinity_sync {

// The one mapping between SyncStatus and the status document (SPEC section 4).
nlohmann::json ToJson(const SyncStatus& status);
nlohmann::json ToJson(const CheckResult& result);
nlohmann::json ToJson(const Action& action);

// A status document as read back (by `status` and the server): the parsed
// JSON plus the facts derived from it. Accepts the seed's shape too.
struct StatusDocument {
  nlohmann::json json;
  std::chrono::system_clock::time_point timestamp;
  bool has_timestamp = false;
  // Exit code per SPEC section 6, from the Status of every check in it.
  int exit_code = 0;
};

// Parses a document's text; the error names what is wrong with it.
Result<StatusDocument> ParseStatusDocument(const std::string& text);

}  // namespace infinity_sync
