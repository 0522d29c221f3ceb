#pragma once

#include <chrono>
#include <optional>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "core/redact.h"  // RedactUrl, for the URLs of requests in messages

namespace infinity_sync {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // The whole exchange. Must be positive: a request with no time left is
  // refused, never sent without a limit.
  std::chrono::milliseconds timeout{15'000};
  std::string ca_file;      // extra CA bundle besides the system store; empty: none
  std::string unix_socket;  // non-empty: talk HTTP over this UNIX socket (Docker)
  // Pins host:port to addresses ("example.com:443:127.0.0.1"), so the
  // connection goes where a DNS step said; empty: the system resolver.
  std::vector<std::string> resolve;
  bool follow_redirects = false;
  std::size_t max_body = 16 << 20;  // larger bodies end the exchange with an error
  bool want_cert_expiry = false;    // fill HttpResponse::cert_not_after on https
  bool no_proxy = false;            // connect directly, whatever http_proxy/https_proxy say
  // Once stop is requested the exchange is aborted (within about a second).
  std::stop_token stop;
};

// Phases of one exchange, in milliseconds from its start (blackbox_exporter's split:
// each is the length of its own phase, not a cumulative time).
struct HttpTimings {
  double dns_ms = 0;
  double connect_ms = 0;
  double tls_ms = 0;
  double first_byte_ms = 0;  // from request sent to the first byte of the answer
  double total_ms = 0;
};

struct HttpResponse {
  bool answered = false;  // an HTTP status line came back
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  std::string error;   // transport failure, one line ("Could not connect: Connection refused")
  int error_code = 0;  // libcurl's CURLcode, 0 on success
  int os_errno = 0;    // errno of the failed connect (ECONNREFUSED, ...), 0 if none
  bool timed_out = false;
  bool stopped = false;  // aborted because stop was requested
  HttpTimings timings;
  std::string remote_ip;
  std::optional<std::chrono::system_clock::time_point> cert_not_after;

  // The first header of that name (case-insensitive), or empty.
  std::string Header(const std::string& name) const;
};

// HTTP, behind a port. Thread-safe: each call uses its own handle.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual HttpResponse Send(const HttpRequest& request) = 0;
};

// libcurl, with TLS verification always on.
class CurlHttpClient : public HttpClient {
 public:
  CurlHttpClient();
  HttpResponse Send(const HttpRequest& request) override;
};

}  // namespace infinity_sync
