#include "server/http_types.h"

#include <nlohmann/json.hpp>

namespace infinity_sync {

ServerResponse JsonError(int status, const std::string& message) {
  ServerResponse r;
  r.status = status;
  // Messages quote what the client sent (a path, an Origin): bytes that are
  // not UTF-8 are replaced (U+FFFD) rather than failing the answer.
  r.body = nlohmann::json{{"error", message}}.dump(-1, ' ', false,
                                                   nlohmann::json::error_handler_t::replace);
  return r;
}

}  // namespace infinity_sync
