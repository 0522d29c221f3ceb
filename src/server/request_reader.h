#pragma once
// Reading one HTTP/1.1 request off a connection's bytes: the parser (Beast's,
// hidden in request_reader.cpp), its limits, the checks of the head the
// parser leaves to its user, and the conversion to a ServerRequest.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "server/http_types.h"
#include "server/server.h"

namespace infinity_sync {

// One request read from raw bytes exactly as a connection reads it: the same
// parser, limits, checks of the head and conversion. Either `request` is set,
// or `error_status` (400, 413, 431, 501) and `error` say what the connection
// would answer before closing; with neither, the bytes end before the request
// does. `consumed`: bytes used.
//
// Beyond what the parser checks (RFC 9112): a Transfer-Encoding other than
// "chunked" is 501, "chunked" not last 400; more than one Host is 400, as is
// a header line folded onto the next (obs-fold).
struct ParsedServerRequest {
  std::optional<ServerRequest> request;
  int error_status = 0;
  std::string error;
  std::size_t consumed = 0;
};
ParsedServerRequest ParseServerRequest(std::string_view bytes, const ServerOptions& options);

// The requests of one connection, each read as its bytes arrive. `options`
// (the limits) must outlive the reader.
class RequestReader {
 public:
  explicit RequestReader(const ServerOptions& options);
  ~RequestReader();
  RequestReader(const RequestReader&) = delete;
  RequestReader& operator=(const RequestReader&) = delete;

  // What one Feed took: `used` bytes; with error_status (400, 413, 431, 501)
  // the connection answers `error` and closes.
  struct Fed {
    std::size_t used = 0;
    int error_status = 0;
    std::string error;
  };
  // Starts the next request of the connection (the first is started already).
  void Next();

  // Feeds bytes as they arrive: the head on its own first, checked once it is
  // complete, then the body. Bytes after the request are left unused.
  Fed Feed(std::string_view bytes);

  bool HeadDone() const;  // the request line and header fields are in
  bool Done() const;      // the whole request is in

  // The complete request (Done() only) and what the answer depends on. Moves
  // the body.
  struct Request {
    ServerRequest request;
    bool keep_alive = true;
    unsigned version = 11;  // 10 or 11
    bool head = false;      // a HEAD request: the answer has no body
  };
  Request Take();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace infinity_sync
