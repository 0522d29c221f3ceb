// The only file that knows Boost.Beast/Asio: a plain asynchronous HTTP/1.1
// server in the shape of Beast's "advanced server" example, with the request
// logic kept outside behind RequestHandler.
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

namespace infinity_sync {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

class Session;

namespace {

using RequestParser = http::request_parser<http::string_body>;

void ApplyLimits(RequestParser& parser, const ServerOptions& options) {
  parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
  parser.body_limit(options.body_limit);
}

// The answer to a request that could not be read.
std::pair<int, std::string> ReadErrorAnswer(beast::error_code ec) {
  if (ec == http::error::header_limit) return {431, "request header fields too large"};
  if (ec == http::error::body_limit) return {413, "request body too large"};
  return {400, "bad request: " + ec.message()};
}

// What is wrong with a request head the parser took (status 0: nothing).
struct HeadProblem {
  int status = 0;
  std::string message;
};

// The checks of RFC 9112 the parser leaves to its user. `head` is the bytes
// of the request line and the header fields, as received.
HeadProblem CheckRequestHead(const http::request<http::string_body>& req, std::string_view head) {
  // obs-fold (RFC 9112 5.2): a field line continued on a line that starts
  // with a space or a tab. The parser would join them; a proxy in front may
  // not, so the two would disagree on what was sent.
  for (std::size_t i = 0; i + 1 < head.size(); ++i) {
    if (head[i] == '\n' && (head[i + 1] == ' ' || head[i + 1] == '\t')) {
      return {400, "bad request: a header field is folded onto the next line (obs-fold)"};
    }
  }
  if (req.count(http::field::host) > 1) return {400, "bad request: more than one Host header"};
  // Transfer-Encoding: only "chunked", once and last (RFC 9112 6.1, 7);
  // anything else is a coding this server does not know (501), so where the
  // body ends is unknown and the connection cannot go on.
  bool chunked = false;
  auto range = req.equal_range(http::field::transfer_encoding);
  for (auto it = range.first; it != range.second; ++it) {
    std::string_view value = it->value();
    while (!value.empty()) {
      auto comma = value.find(',');
      std::string_view item = value.substr(0, comma);
      value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
      while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
      while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
      if (item.empty()) continue;
      std::string coding(item.substr(0, 64));
      for (char& c : coding) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (chunked) return {400, "bad request: chunked must be the last transfer coding"};
      if (coding != "chunked") {
        return {501, "transfer coding \"" + coding + "\" is not supported (only chunked)"};
      }
      chunked = true;
    }
  }
  return {};
}

// Feeds `bytes` to `parser` as a connection does: the head on its own first,
// checked by CheckRequestHead once complete, then the body.
struct FeedResult {
  std::size_t used = 0;
  beast::error_code ec;  // a parse error (need_more is not one)
  HeadProblem problem;
};

FeedResult Feed(RequestParser& parser, std::string_view bytes) {
  FeedResult f;
  while (!parser.is_done() && f.used < bytes.size()) {
    bool had_head = parser.is_header_done();
    // Not eager until the head is in, so that put() stops right after it.
    parser.eager(had_head);
    beast::error_code ec;
    std::size_t n = parser.put(net::buffer(bytes.data() + f.used, bytes.size() - f.used), ec);
    if (!had_head && parser.is_header_done()) {
      f.problem = CheckRequestHead(parser.get(), bytes.substr(f.used, n));
      f.used += n;
      if (f.problem.status != 0) return f;
    } else {
      f.used += n;
    }
    if (ec == http::error::need_more) {
      if (n == 0) break;  // the rest is an incomplete line
      continue;
    }
    if (ec) {
      f.ec = ec;
      return f;
    }
  }
  return f;
}

// The parsed request as the handlers see it (header names lowercased). Moves the body.
ServerRequest ToServerRequest(http::request<http::string_body>& req) {
  ServerRequest request;
  request.method = std::string(req.method_string());
  std::string_view target = req.target();
  auto q = target.find('?');
  request.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) request.query = std::string(target.substr(q + 1));
  for (const auto& field : req) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  request.body = std::move(req.body());
  return request;
}

}  // namespace

ParsedServerRequest ParseServerRequest(std::string_view bytes, const ServerOptions& options) {
  ParsedServerRequest out;
  RequestParser parser;
  ApplyLimits(parser, options);
  FeedResult fed = Feed(parser, bytes);
  out.consumed = fed.used;
  if (fed.problem.status != 0) {
    out.error_status = fed.problem.status;
    out.error = std::move(fed.problem.message);
    return out;
  }
  if (fed.ec) {
    auto [status, message] = ReadErrorAnswer(fed.ec);
    out.error_status = status;
    out.error = std::move(message);
    return out;
  }
  if (parser.is_done()) out.request = ToServerRequest(parser.get());
  return out;
}

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
      : stream_(std::move(socket)), server_(server), ping_(stream_.get_executor()) {
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
    parser_.emplace();
    ApplyLimits(*parser_, server_.options);
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
    FeedResult fed =
        Feed(*parser_, std::string_view(static_cast<const char*>(data.data()), data.size()));
    buffer_.consume(fed.used);
    if (fed.problem.status != 0) return Fail(fed.problem.status, fed.problem.message);
    if (fed.ec) {
      auto [status, message] = ReadErrorAnswer(fed.ec);
      return Fail(status, message);
    }
    if (parser_->is_header_done() && waiting_.load(std::memory_order_relaxed)) {
      waiting_.store(false, std::memory_order_release);
      stream_.expires_after(server_.options.request_timeout);
    }
    if (parser_->is_done()) return OnRequest();
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
    auto& req = parser_->get();
    keep_alive_ = req.keep_alive() && !server_.stopping;
    version_ = req.version();
    head_ = req.method() == http::verb::head;
    ServerRequest request = ToServerRequest(req);
    parser_.reset();

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
        !server_.hub->Add(std::static_pointer_cast<SseSink>(shared_from_this()))) {
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
  std::optional<http::request_parser<http::string_body>> parser_;
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
