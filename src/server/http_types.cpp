#include "server/http_types.h"

#include <nlohmann/json.hpp>

namespace infinity_sync {

ServerResponse JsonError(int status, const std::string& message) {
  ServerResponse r;
  r.status = status;
  r.body = nlohmann::json{{"error", message}}.dump();
  return r;
}

}  // namespace infinity_sync
