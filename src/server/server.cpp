// With request_reader.cpp, the only files that know Boost.Beast/Asio: a plain
// asynchronous HTTP/1.1 server in the shape of Beast's "advanced server"
// example (accepting, connections, SSE streams, shutdown); reading a request
// is RequestReader's, answering it the RequestHandler's.
#include "server/server.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <unordered_set>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "core/version.h"
#include "server/listen_address.h"
#include "server/request_reader.h"

namespace infinity_sync {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

class Session;

struct Server::Impl {
  ServerOptions options;
  RequestHandler handler;
  SseHub* hub;

  std::mutex sessions_mu;
  std::unordered_set<Session*> sessions;  // registered in ctor, removed in dtor

  net::io_context ioc;
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::signal_set> signals;
  std::function<void()> on_hangup;  // SIGHUP, when set; else SIGHUP is not taken

  // SIGINT/SIGTERM stop the server; SIGHUP calls on_hangup and waits again.
  void WaitForSignal(Server* server) {
    signals->async_wait([this, server](beast::error_code ec, int sig) {
      if (ec) return;
      if (sig == SIGHUP && on_hangup) {
        on_hangup();
        WaitForSignal(server);
        return;
      }
      server->Stop();
    });
  }
  std::atomic<bool> stopping{false};
  tcp::endpoint bound;

  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stop_requested = false;

  Impl(ServerOptions o, RequestHandler h, SseHub* s)
      : options(std::move(o)), handler(std::move(h)), hub(s), ioc(std::max(1, options.threads)) {}

  void Accept();
  // Makes room for one more connection when the limit is reached: closes the
  // one waiting longest for a complete request head. False when none waits.
  bool MakeRoom();
  void BeginShutdown();
};

// One connection: reads requests, hands them to the handler, writes the
// answers; or, after an event_stream answer, writes SSE frames until closed.
class Session : public SseSink, public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Server::Impl& server)
      : stream_(std::move(socket)),
        server_(server),
        ping_(stream_.get_executor()),
        reader_(server.options) {
    std::lock_guard<std::mutex> lock(server_.sessions_mu);
    server_.sessions.insert(this);
  }
  ~Session() override {
    std::lock_guard<std::mutex> lock(server_.sessions_mu);
    server_.sessions.erase(this);
  }

  void Begin() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

  // From any thread: closes an idle connection now, a busy one after its answer.
  void Shutdown() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      self->keep_alive_ = false;
      if (self->state_ == State::kReading || self->state_ == State::kStreaming) self->CloseNow();
    });
  }

  bool Push(const std::string& frame) override {
    std::lock_guard<std::mutex> lock(queue_mu_);
    if (closed_ || queue_.size() >= server_.options.sse_queue_limit) return false;
    queue_.push_back(frame);
    if (!writing_) {
      writing_ = true;
      net::post(stream_.get_executor(), [self = shared_from_this()] { self->WriteQueued(); });
    }
    return true;
  }

  void Close() override {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->CloseNow(); });
  }

  // Since when (steady clock, ns) the connection waits for a request head;
  // nullopt when it does not (handling, writing, streaming, or chosen to be
  // closed already). From any thread.
  std::optional<std::int64_t> WaitingSince() const {
    if (!waiting_.load(std::memory_order_acquire) || evicted_.load(std::memory_order_acquire)) {
      return std::nullopt;
    }
    return waiting_since_.load(std::memory_order_acquire);
  }

  // From any thread: closes the connection if it still waits for a request head.
  void Evict() {
    evicted_.store(true, std::memory_order_release);
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->waiting_.load(std::memory_order_acquire)) {
        self->CloseNow();
      } else {
        self->evicted_.store(false, std::memory_order_release);  // it got a request in time
      }
    });
  }

 private:
  enum class State { kReading, kHandling, kWriting, kStreaming, kClosed };

  static std::int64_t SteadyNanos() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  void Read() {
    if (server_.stopping) return CloseNow();
    state_ = State::kReading;
    reader_.Next();
    waiting_since_.store(SteadyNanos(), std::memory_order_release);
    waiting_.store(true, std::memory_order_release);
    // The head must be complete within header_timeout of the wait's start
    // (keep-alive idle time included); the body then has request_timeout.
    stream_.expires_after(server_.options.header_timeout);
    Parse();
  }

  // Parses what is buffered; reads more when the request is not complete.
  void Parse() {
    auto data = buffer_.data();
    RequestReader::Fed fed =
        reader_.Feed(std::string_view(static_cast<const char*>(data.data()), data.size()));
    buffer_.consume(fed.used);
    if (fed.error_status != 0) return Fail(fed.error_status, fed.error);
    if (reader_.HeadDone() && waiting_.load(std::memory_order_relaxed)) {
      waiting_.store(false, std::memory_order_release);
      stream_.expires_after(server_.options.request_timeout);
    }
    if (reader_.Done()) return OnRequest();
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->buffer_.commit(n);
                              self->OnReadSome(ec);
                            });
  }

  void OnReadSome(beast::error_code ec) {
    if (state_ == State::kClosed) return;
    if (ec) {
      // The client left, went quiet for too long, or the server closed it.
      return CloseNow();
    }
    Parse();
  }

  void OnRequest() {
    waiting_.store(false, std::memory_order_release);
    RequestReader::Request taken = reader_.Take();
    keep_alive_ = taken.keep_alive && !server_.stopping;
    version_ = taken.version;
    head_ = taken.head;
    ServerRequest request = std::move(taken.request);

    state_ = State::kHandling;
    stream_.expires_never();
    // Keeps the I/O threads alive until the answer is written, even while
    // shutting down: a request in flight is finished.
    auto work = std::make_shared<net::executor_work_guard<net::io_context::executor_type>>(
        server_.ioc.get_executor());
    // dispatch: an answer given at once (the common case) is written without
    // a round trip through the queue; one from another thread is posted.
    Respond respond = [self = shared_from_this(), work](ServerResponse response) {
      net::dispatch(self->stream_.get_executor(), [self, work, r = std::move(response)]() mutable {
        self->Answer(std::move(r));
      });
    };
    try {
      server_.handler(std::move(request), std::move(respond));
    } catch (const std::exception& e) {
      // The handler never answered (or answered twice would be a bug); a
      // second answer is harmless since Answer checks the state.
      Answer(JsonError(500, std::string("internal error: ") + e.what()));
    }
  }

  void Answer(ServerResponse r) {
    if (state_ != State::kHandling) return;
    if (head_) return AnswerHead(std::move(r));
    if (r.event_stream) return StartStream(std::move(r));
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(version_);
    res->result(static_cast<unsigned>(r.status));
    res->set(http::field::server, std::string("infinity-sync/") + kVersion);
    res->set(http::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers) res->insert(k, v);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive_ && !server_.stopping);
    res->prepare_payload();
    Write(res);
  }

  // HEAD: the head GET would have, Content-Length included, and no body
  // (RFC 9110 9.3.2). An event stream's head ends the connection.
  void AnswerHead(ServerResponse r) {
    auto res = std::make_shared<http::response<http::empty_body>>();
    res->version(version_);
    res->result(static_cast<unsigned>(r.status));
    res->set(http::field::server, std::string("infinity-sync/") + kVersion);
    res->set(http::field::content_type, r.event_stream ? "text/event-stream" : r.content_type);
    for (auto& [k, v] : r.headers) res->insert(k, v);
    if (r.event_stream) keep_alive_ = false;
    res->keep_alive(keep_alive_ && !server_.stopping);
    if (!r.event_stream) res->content_length(r.body.size());
    Write(res);
  }

  template <class Body>
  void Write(const std::shared_ptr<http::response<Body>>& res) {
    state_ = State::kWriting;
    stream_.expires_after(server_.options.write_timeout);
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                        if (ec || !res->keep_alive()) return self->CloseNow();
                        self->Read();
                      });
  }

  // Answers a request that could not be read, then closes.
  void Fail(int status, const std::string& message) {
    waiting_.store(false, std::memory_order_release);
    keep_alive_ = false;
    head_ = false;
    state_ = State::kHandling;
    version_ = 11;
    Answer(JsonError(status, message));
  }

  void StartStream(ServerResponse r) {
    if (server_.hub == nullptr || server_.stopping ||
        !server_.hub->Add(std::static_pointer_cast<SseSink>(shared_from_this()),
                          r.stream_channel)) {
      keep_alive_ = false;
      return Answer(JsonError(503, "event streams are not available"));
    }
    state_ = State::kStreaming;
    http::response<http::empty_body> head;
    head.version(version_);
    head.result(static_cast<unsigned>(r.status));
    head.set(http::field::server, std::string("infinity-sync/") + kVersion);
    head.set(http::field::content_type, "text/event-stream");
    head.set(http::field::cache_control, "no-cache");
    for (auto& [k, v] : r.headers) head.insert(k, v);
    head.keep_alive(false);  // the stream ends with the connection
    std::ostringstream os;
    os << head.base();
    {
      std::lock_guard<std::mutex> lock(queue_mu_);
      queue_.push_front(os.str() + "retry: 3000\n" + r.body + ":\n\n");
      writing_ = true;
    }
    WriteQueued();
    WatchForClose();
    SchedulePing();
  }

  // The client sends nothing on a stream; a read completes only when it leaves.
  void WatchForClose() {
    stream_.socket().async_read_some(
        net::buffer(discard_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
          if (ec) return self->CloseNow();
          self->WatchForClose();
        });
  }

  void SchedulePing() {
    ping_.expires_after(server_.options.sse_ping);
    ping_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->state_ != State::kStreaming) return;
      if (!self->Push(":\n\n")) return self->CloseNow();
      self->SchedulePing();
    });
  }

  void WriteQueued() {
    std::string next;
    {
      std::lock_guard<std::mutex> lock(queue_mu_);
      if (queue_.empty() || closed_) {
        writing_ = false;
        return;
      }
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    auto buf = std::make_shared<std::string>(std::move(next));
    stream_.expires_after(server_.options.write_timeout);
    net::async_write(stream_, net::buffer(*buf),
                     [self = shared_from_this(), buf](beast::error_code ec, std::size_t) {
                       self->stream_.expires_never();
                       if (ec) return self->CloseNow();
                       self->WriteQueued();
                     });
  }

  void CloseNow() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    {
      std::lock_guard<std::mutex> lock(queue_mu_);
      closed_ = true;
      queue_.clear();
    }
    ping_.cancel();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  static constexpr std::size_t kReadChunk = 16 * 1024;

  beast::tcp_stream stream_;
  Server::Impl& server_;
  net::steady_timer ping_;
  beast::flat_buffer buffer_;
  RequestReader reader_;  // reused for each request of the connection
  State state_ = State::kReading;
  // Read by the accepting thread to pick a connection to close when full.
  std::atomic<bool> waiting_{false};
  std::atomic<bool> evicted_{false};
  std::atomic<std::int64_t> waiting_since_{0};
  bool head_ = false;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  char discard_[256];

  std::mutex queue_mu_;
  std::deque<std::string> queue_;
  bool writing_ = false;
  bool closed_ = false;
};

void Server::Impl::Accept() {
  acceptor->async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (stopping || ec == net::error::operation_aborted) return;
      // Out of descriptors and the like: keep serving the connections we have.
      std::cerr << "infinity-sync: accept: " << ec.message() << "\n";
    } else {
      std::size_t open;
      {
        std::lock_guard<std::mutex> lock(sessions_mu);
        open = sessions.size();
      }
      if (open < options.max_connections || MakeRoom()) {
        std::make_shared<Session>(std::move(socket), *this)->Begin();
      }
      // else: every connection is busy; this one closes as it goes out of scope.
    }
    if (!stopping) Accept();
  });
}

bool Server::Impl::MakeRoom() {
  std::shared_ptr<Session> oldest;
  std::int64_t since = 0;
  {
    std::lock_guard<std::mutex> lock(sessions_mu);
    for (Session* s : sessions) {
      auto waiting = s->WaitingSince();
      if (!waiting || (oldest && *waiting >= since)) continue;
      // A session being destroyed has no owner left; weak_from_this says so.
      if (auto p = s->weak_from_this().lock()) {
        oldest = std::move(p);
        since = *waiting;
      }
    }
  }
  if (!oldest) return false;
  oldest->Evict();
  return true;
}

void Server::Impl::BeginShutdown() {
  net::post(ioc, [this] {
    stopping = true;
    beast::error_code ec;
    if (acceptor) acceptor->close(ec);
    if (signals) signals->cancel(ec);
    if (hub != nullptr) hub->CloseAll();
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard<std::mutex> lock(sessions_mu);
      for (Session* s : sessions) {
        // A session being destroyed has no owner left; weak_from_this says so.
        if (auto p = s->weak_from_this().lock()) live.push_back(std::move(p));
      }
    }
    for (auto& s : live) s->Shutdown();
  });
}

Server::Server(ServerOptions options, RequestHandler handler, SseHub* hub)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), hub)) {}

Server::~Server() = default;

Status Server::Start() {
  auto parsed = ParseListenAddress(impl_->options.listen);
  if (!parsed) return Error{parsed.error()};
  std::string host = parsed->host;
  if (host == "localhost") host = "127.0.0.1";
  if (host.empty()) host = "::";
  beast::error_code ec;
  auto address = net::ip::make_address(host, ec);
  if (ec) {
    return Error{"listen address \"" + impl_->options.listen +
                 "\": not an IP address (use 127.0.0.1, ::1, 0.0.0.0 or localhost)"};
  }
  tcp::endpoint endpoint(address, static_cast<unsigned short>(parsed->port));
  auto& acc = impl_->acceptor.emplace(impl_->ioc);
  acc.open(endpoint.protocol(), ec);
  if (!ec) acc.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec && address.is_v6() && address.is_unspecified())
    acc.set_option(net::ip::v6_only(false), ec);
  if (!ec) acc.bind(endpoint, ec);
  if (!ec) acc.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    impl_->acceptor.reset();
    return Error{"cannot listen on " + impl_->options.listen + ": " + ec.message()};
  }
  impl_->bound = acc.local_endpoint(ec);
  return Ok{};
}

std::string Server::BoundAddress() const {
  const auto& b = impl_->bound;
  std::string host = b.address().to_string();
  if (b.address().is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(b.port());
}

int Server::BoundPort() const { return impl_->bound.port(); }

void Server::Run(bool handle_signals, std::function<void()> on_hangup) {
  Impl& s = *impl_;
  if (!s.acceptor) return;
  if (handle_signals) {
    s.signals.emplace(s.ioc, SIGINT, SIGTERM);
    if (on_hangup) s.signals->add(SIGHUP);
    s.on_hangup = std::move(on_hangup);
    s.WaitForSignal(this);
  }
  s.Accept();
  std::vector<std::thread> threads;
  std::atomic<int> finished{0};
  for (int i = 0; i < std::max(1, s.options.threads); ++i) {
    threads.emplace_back([&s, &finished] {
      s.ioc.run();
      std::lock_guard<std::mutex> lock(s.stop_mu);
      ++finished;
      s.stop_cv.notify_all();
    });
  }
  {
    std::unique_lock<std::mutex> lock(s.stop_mu);
    s.stop_cv.wait(lock, [&] { return s.stop_requested || finished > 0; });
  }
  s.BeginShutdown();
  {
    // Requests in flight hold work guards; when they are all answered the
    // I/O threads run out of work and return on their own.
    std::unique_lock<std::mutex> lock(s.stop_mu);
    int n = static_cast<int>(threads.size());
    if (!s.stop_cv.wait_for(lock, s.options.shutdown_grace, [&] { return finished == n; })) {
      s.ioc.stop();
    }
  }
  for (auto& t : threads) t.join();
}

void Server::Stop() {
  std::lock_guard<std::mutex> lock(impl_->stop_mu);
  impl_->stop_requested = true;
  impl_->stop_cv.notify_all();
}

std::size_t Server::ConnectionCount() const {
  std::lock_guard<std::mutex> lock(impl_->sessions_mu);
  return impl_->sessions.size();
}

}  // namespace infinity_sync
