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

// Replaces byte sequences that are not UTF-8 (a program's output, an HTTP
// body) with U+FFFD in every text of `result`, so that the document, the
// history and the notifications can always be written as JSON.
void MakeValidUtf8(CheckResult* result);
std::string ValidUtf8(const std::string& text);

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
