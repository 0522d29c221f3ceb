#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "server/http_types.h"
#include "server/sse_hub.h"

namespace infinity_sync {

struct ServerOptions {
  std::string listen = "127.0.0.1:3001";
  int threads = 2;                                    // I/O threads
  std::size_t header_limit = 8 * 1024;                // larger request headers: 431
  std::size_t body_limit = 64 * 1024;                 // larger request bodies: 413
  std::chrono::milliseconds header_timeout{10'000};   // waiting for + reading a request's head
  std::chrono::milliseconds request_timeout{15'000};  // reading its body, once the head is in
  std::chrono::milliseconds write_timeout{10'000};    // writing one response or event
  std::chrono::milliseconds sse_ping{15'000};         // comment line on idle streams
  std::size_t sse_queue_limit = 64;  // frames a stream may lag behind before it is closed
  // Open connections at most. When full, the one that has waited longest
  // without a complete request head is closed to make room for a new one;
  // when none is waiting, the new one is closed.
  std::size_t max_connections = 1024;
  std::chrono::milliseconds shutdown_grace{4'000};  // in-flight requests get this long
};

// The HTTP/1.1 server (Boost.Beast underneath, hidden here): asynchronous on a
// fixed number of threads, keep-alive, size limits and timeouts, SSE streams
// handed to an SseHub, graceful shutdown.
class Server {
 public:
  // `handler` answers every request; `hub` takes the event streams (may be
  // null: then an event_stream response is a 500). Both must outlive Run().
  Server(ServerOptions options, RequestHandler handler, SseHub* hub);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. Error when the address is bad or cannot be bound.
  Status Start();
  // "127.0.0.1:PORT" (brackets for IPv6), valid after Start.
  std::string BoundAddress() const;
  int BoundPort() const;

  // Serves until Stop() (or SIGINT/SIGTERM with `handle_signals`), then stops
  // accepting, closes idle connections and event streams, lets requests in
  // flight finish (at most shutdown_grace), and returns. Blocks the caller.
  // With `handle_signals` and `on_hangup`, SIGHUP calls `on_hangup` (on an I/O
  // thread: it must return at once) and the server goes on.
  void Run(bool handle_signals, std::function<void()> on_hangup = {});
  // Asks Run to stop. Thread-safe, async-signal-unsafe.
  void Stop();
  // Open connections (for tests and /metrics).
  std::size_t ConnectionCount() const;

  struct Impl;  // defined in server.cpp only

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace infinity_sync
