#include "ports/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <mutex>

namespace infinity_sync {
namespace {

struct Sink {
  HttpResponse* response;
  std::size_t max_body;
  bool overflow = false;
};

std::size_t OnBody(char* data, std::size_t size, std::size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  std::size_t len = size * n;
  if (sink->response->body.size() + len > sink->max_body) {
    sink->overflow = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  sink->response->body.append(data, len);
  return len;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t n, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  std::size_t len = size * n;
  std::string line(data, len);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  if (line.rfind("HTTP/", 0) == 0) {
    response->headers.clear();  // a new response (after 100-continue or a redirect)
    return len;
  }
  auto colon = line.find(':');
  if (colon == std::string::npos) return len;
  std::string name = line.substr(0, colon);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  std::string value = line.substr(colon + 1);
  value.erase(0, value.find_first_not_of(" \t"));
  response->headers.emplace_back(std::move(name), std::move(value));
  return len;
}

// libcurl calls this while a transfer runs (at least about once a second
// when idle): a non-zero answer aborts it with CURLE_ABORTED_BY_CALLBACK.
int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* stop = static_cast<const std::stop_token*>(user);
  return stop->stop_requested() ? 1 : 0;
}

double Seconds(CURL* h, CURLINFO what) {
  curl_off_t us = 0;
  curl_easy_getinfo(h, what, &us);
  return static_cast<double>(us) / 1000.0;
}

std::optional<std::chrono::system_clock::time_point> CertExpiry(CURL* h) {
  curl_certinfo* info = nullptr;
  if (curl_easy_getinfo(h, CURLINFO_CERTINFO, &info) != CURLE_OK || info == nullptr ||
      info->num_of_certs < 1) {
    return std::nullopt;
  }
  for (curl_slist* s = info->certinfo[0]; s != nullptr; s = s->next) {
    std::string entry(s->data);
    const std::string key = "Expire date:";
    if (entry.rfind(key, 0) != 0) continue;
    std::string value = entry.substr(key.size());
    std::tm tm{};
    // OpenSSL prints "Mar 15 12:00:00 2027 GMT".
    if (strptime(value.c_str(), "%b %d %H:%M:%S %Y", &tm) == nullptr) return std::nullopt;
    return std::chrono::system_clock::from_time_t(timegm(&tm));
  }
  return std::nullopt;
}

}  // namespace

std::string HttpResponse::Header(const std::string& name) const {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  for (const auto& [k, v] : headers) {
    if (k == lower) return v;
  }
  return "";
}

CurlHttpClient::CurlHttpClient() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

HttpResponse CurlHttpClient::Send(const HttpRequest& request) {
  HttpResponse response;
  if (request.timeout.count() <= 0) {
    // libcurl reads 0 as "no limit": never let a spent budget become that.
    response.error =
        "no time left for the request (timeout " + std::to_string(request.timeout.count()) + " ms)";
    response.timed_out = true;
    return response;
  }
  if (request.stop.stop_requested()) {
    response.error = "stopped before it was sent";
    response.stopped = true;
    return response;
  }
  CURL* h = curl_easy_init();
  if (h == nullptr) {
    response.error = "cannot start an HTTP exchange";
    return response;
  }
  char errbuf[CURL_ERROR_SIZE] = {};
  Sink sink{&response, request.max_body};
  curl_slist* headers = nullptr;
  curl_slist* resolve = nullptr;
  for (const auto& [k, v] : request.headers)
    headers = curl_slist_append(headers, (k + ": " + v).c_str());
  for (const auto& r : request.resolve) resolve = curl_slist_append(resolve, r.c_str());

  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &response);
  if (request.stop.stop_possible()) {
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, OnProgress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, const_cast<std::stop_token*>(&request.stop));
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  }
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, request.follow_redirects ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
  // nullptr: libcurl's default, the no_proxy environment variable.
  curl_easy_setopt(h, CURLOPT_NOPROXY, request.no_proxy ? "*" : nullptr);
  if (!request.ca_file.empty()) {
    // The system store stays in force; the extra bundle is added to it.
    curl_easy_setopt(h, CURLOPT_CAINFO, request.ca_file.c_str());
    curl_easy_setopt(h, CURLOPT_CAPATH, "/etc/ssl/certs");
  }
  if (!request.unix_socket.empty()) {
    curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, request.unix_socket.c_str());
  }
  if (resolve != nullptr) curl_easy_setopt(h, CURLOPT_RESOLVE, resolve);
  if (headers != nullptr) curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  if (request.want_cert_expiry) curl_easy_setopt(h, CURLOPT_CERTINFO, 1L);
  if (request.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (request.method == "POST") {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
  } else if (request.method != "GET") {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (!request.body.empty()) {
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.c_str());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
    }
  }

  CURLcode rc = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  response.error_code = static_cast<int>(rc);
  if (rc == CURLE_OK) {
    response.answered = status > 0;
  } else {
    response.timed_out = rc == CURLE_OPERATION_TIMEDOUT;
    long os_errno = 0;
    curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
    response.os_errno = static_cast<int>(os_errno);
    response.stopped = rc == CURLE_ABORTED_BY_CALLBACK;
    if (response.stopped) {
      response.error = "stopped (transfer aborted)";
    } else if (sink.overflow) {
      response.error = "answer larger than " + std::to_string(request.max_body >> 20) + " MB";
    } else {
      response.error = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
    }
  }
  // Phases from libcurl's cumulative marks.
  double dns = Seconds(h, CURLINFO_NAMELOOKUP_TIME_T);
  double connect = Seconds(h, CURLINFO_CONNECT_TIME_T);
  double tls = Seconds(h, CURLINFO_APPCONNECT_TIME_T);
  double pre = Seconds(h, CURLINFO_PRETRANSFER_TIME_T);
  double first = Seconds(h, CURLINFO_STARTTRANSFER_TIME_T);
  double total = Seconds(h, CURLINFO_TOTAL_TIME_T);
  response.timings.dns_ms = dns;
  response.timings.connect_ms = connect > dns ? connect - dns : 0;
  response.timings.tls_ms = tls > connect ? tls - connect : 0;
  response.timings.first_byte_ms = first > pre ? first - pre : 0;
  response.timings.total_ms = total;
  char* ip = nullptr;
  if (curl_easy_getinfo(h, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip != nullptr) {
    response.remote_ip = ip;
  }
  if (request.want_cert_expiry) response.cert_not_after = CertExpiry(h);
  // An answer that echoes the request (an error page, a debugging proxy) must
  // not carry the credentials sent with it into reports and files.
  response.body = RedactSentCredentials(std::move(response.body), request.headers);
  response.error = RedactSentCredentials(std::move(response.error), request.headers);
  for (auto& header : response.headers) {
    header.second = RedactSentCredentials(std::move(header.second), request.headers);
  }

  curl_slist_free_all(headers);
  curl_slist_free_all(resolve);
  curl_easy_cleanup(h);
  return response;
}

}  // namespace infinity_sync
