#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace infinity_sync {

// One HTTP request as the route handlers see it: no sockets, no Beast.
struct ServerRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // "/api/sync/status", without the query
  std::string query;   // "limit=5", without the '?'
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;

  // The first header of that (lowercase) name, or empty.
  std::string Header(const std::string& lower_name) const {
    for (const auto& [k, v] : headers) {
      if (k == lower_name) return v;
    }
    return "";
  }
};

// The answer to one request. With `event_stream` the server writes the headers,
// then keeps the connection open as a Server-Sent Events stream of the
// SseHub's `stream_channel`.
struct ServerResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool event_stream = false;
  std::string stream_channel;  // with event_stream: the SseHub channel it listens to
};

// Completes a request; may be called from any thread, exactly once.
using Respond = std::function<void(ServerResponse)>;

// Handles one request. Must not block for long: slow work answers later
// through `respond`. Called on a server thread.
using RequestHandler = std::function<void(ServerRequest request, Respond respond)>;

// A JSON {"error": message} response.
ServerResponse JsonError(int status, const std::string& message);

}  // namespace infinity_sync
