#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace infinity_sync {

// One open event stream, as the hub sees it. Implemented by the server's
// connection; thread-safe.
class SseSink {
 public:
  virtual ~SseSink() = default;
  // Queues one frame for sending. Returns false when the client is gone or its
  // queue is full (a client that does not read); the hub then drops it.
  virtual bool Push(const std::string& frame) = 0;
  // Ends the stream (the connection is closed).
  virtual void Close() = 0;
};

// Fans events out to every open /api/sync/events stream. Holds clients
// weakly: a closed connection simply disappears. Thread-safe.
class SseHub {
 public:
  explicit SseHub(std::size_t max_clients = 4096) : max_clients_(max_clients) {}

  // Adds a client; false when the hub is full or closed.
  bool Add(const std::shared_ptr<SseSink>& sink);
  // Sends `event` with `data` (one line of JSON) to every client; clients
  // that cannot take it are closed and dropped.
  void Publish(const std::string& event, const std::string& data);
  // Closes every stream and refuses new ones (shutdown).
  void CloseAll();
  // Clients currently held (closed ones may linger until the next Publish).
  std::size_t ClientCount();

  // "event: status\ndata: {...}\n\n"; multi-line data gets one data: per line.
  static std::string Frame(const std::string& event, const std::string& data);

 private:
  std::mutex mu_;
  std::vector<std::weak_ptr<SseSink>> clients_;
  std::size_t max_clients_;
  bool closed_ = false;
};

}  // namespace infinity_sync
