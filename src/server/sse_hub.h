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

// Fans events out to the open /api/sync/events streams. Each stream listens
// to one channel (a project's, with `projects:`; "" for a serve of one), so a
// project's events reach only its own streams, while events for everyone
// (fleet) reach all. Holds clients weakly: a closed connection simply
// disappears. Thread-safe.
class SseHub {
 public:
  explicit SseHub(std::size_t max_clients = 4096) : max_clients_(max_clients) {}

  // Adds a client listening to `channel`; false when the hub is full or closed.
  bool Add(const std::shared_ptr<SseSink>& sink, const std::string& channel = "");
  // Sends `event` with `data` (one line of JSON) to every client; clients
  // that cannot take it are closed and dropped.
  void Publish(const std::string& event, const std::string& data);
  // The same for the clients of `channel` only.
  void PublishTo(const std::string& channel, const std::string& event, const std::string& data);
  // Closes every stream and refuses new ones (shutdown).
  void CloseAll();
  // Clients currently held (closed ones may linger until the next Publish).
  std::size_t ClientCount();

  // "event: status\ndata: {...}\n\n"; multi-line data gets one data: per line.
  static std::string Frame(const std::string& event, const std::string& data);

 private:
  struct Client {
    std::weak_ptr<SseSink> sink;
    std::string channel;
    bool expired() const { return sink.expired(); }
    std::shared_ptr<SseSink> lock() const { return sink.lock(); }
  };
  // Sends `frame` to the clients of `channel`, or to all when it is null.
  void Send(const std::string& frame, const std::string* channel);

  std::mutex mu_;
  std::vector<Client> clients_;
  std::size_t max_clients_;
  bool closed_ = false;
};

}  // namespace infinity_sync
