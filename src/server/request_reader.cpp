// Reading one request (request_reader.h): the only place that knows Beast's
// request parser, besides the connection's use of it through RequestReader.
#include "server/request_reader.h"

#include <cctype>
#include <optional>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>

namespace infinity_sync {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

using RequestParser = http::request_parser<http::string_body>;

void ApplyLimits(RequestParser& parser, const ServerOptions& options) {
  parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
  parser.body_limit(options.body_limit);
}

// What is wrong with a request: its head or its bytes (status 0: nothing).
struct ReadProblem {
  int status = 0;
  std::string message;
};

// The answer to a request that could not be read.
ReadProblem ReadErrorAnswer(beast::error_code ec) {
  if (ec == http::error::header_limit) return {431, "request header fields too large"};
  if (ec == http::error::body_limit) return {413, "request body too large"};
  return {400, "bad request: " + ec.message()};
}

// The checks of RFC 9112 the parser leaves to its user. `head` is the bytes
// of the request line and the header fields, as received.
ReadProblem CheckRequestHead(const http::request<http::string_body>& req, std::string_view head) {
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
RequestReader::Fed Feed(RequestParser& parser, std::string_view bytes) {
  RequestReader::Fed f;
  auto fail = [&f](ReadProblem problem) {
    f.error_status = problem.status;
    f.error = std::move(problem.message);
    return f;
  };
  while (!parser.is_done() && f.used < bytes.size()) {
    bool had_head = parser.is_header_done();
    // Not eager until the head is in, so that put() stops right after it.
    parser.eager(had_head);
    beast::error_code ec;
    std::size_t n =
        parser.put(boost::asio::buffer(bytes.data() + f.used, bytes.size() - f.used), ec);
    if (!had_head && parser.is_header_done()) {
      ReadProblem problem = CheckRequestHead(parser.get(), bytes.substr(f.used, n));
      f.used += n;
      if (problem.status != 0) return fail(std::move(problem));
    } else {
      f.used += n;
    }
    if (ec == http::error::need_more) {
      if (n == 0) break;  // the rest is an incomplete line
      continue;
    }
    if (ec) return fail(ReadErrorAnswer(ec));
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

struct RequestReader::Impl {
  explicit Impl(const ServerOptions& o) : options(o) {}
  const ServerOptions& options;
  std::optional<RequestParser> parser;  // a parser reads one request only
};

RequestReader::RequestReader(const ServerOptions& options)
    : impl_(std::make_unique<Impl>(options)) {
  Next();
}

RequestReader::~RequestReader() = default;

void RequestReader::Next() {
  impl_->parser.emplace();
  ApplyLimits(*impl_->parser, impl_->options);
}

RequestReader::Fed RequestReader::Feed(std::string_view bytes) {
  return infinity_sync::Feed(*impl_->parser, bytes);
}

bool RequestReader::HeadDone() const { return impl_->parser->is_header_done(); }
bool RequestReader::Done() const { return impl_->parser->is_done(); }

RequestReader::Request RequestReader::Take() {
  auto& req = impl_->parser->get();
  Request out;
  out.keep_alive = req.keep_alive();
  out.version = req.version();
  out.head = req.method() == http::verb::head;
  out.request = ToServerRequest(req);
  return out;
}

ParsedServerRequest ParseServerRequest(std::string_view bytes, const ServerOptions& options) {
  ParsedServerRequest out;
  RequestReader reader(options);
  RequestReader::Fed fed = reader.Feed(bytes);
  out.consumed = fed.used;
  out.error_status = fed.error_status;
  out.error = std::move(fed.error);
  if (out.error_status != 0) return out;
  if (reader.Done()) out.request = reader.Take().request;
  return out;
}

}  // namespace infinity_sync
