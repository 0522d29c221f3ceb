#include "ports/http_probe.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>

namespace infinity_sync {
namespace {

bool Has(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// "SSL certificate problem: certificate has expired" -> "tls: certificate has expired".
std::string TlsReason(const std::string& text) {
  std::string lower = Lower(text);
  if (Has(lower, "expired")) return "tls: certificate has expired";
  if (Has(lower, "not yet valid")) return "tls: certificate is not yet valid";
  if (Has(lower, "subject name") || Has(lower, "host name") || Has(lower, "hostname")) {
    return "tls: certificate does not match host name";
  }
  if (Has(lower, "self-signed") || Has(lower, "self signed")) {
    return "tls: self-signed certificate not trusted";
  }
  if (Has(lower, "local issuer") || Has(lower, "unknown ca") || Has(lower, "issuer certificate")) {
    return "tls: certificate issuer not trusted";
  }
  const std::string prefix = "ssl certificate problem: ";
  auto at = lower.find(prefix);
  if (at != std::string::npos) return "tls: " + lower.substr(at + prefix.size());
  return "tls: " + lower;
}

}  // namespace

std::string ConnectErrorText(int os_errno) {
  switch (os_errno) {
    case ECONNREFUSED:
      return "connect: refused";
    case ENETUNREACH:
      return "connect: network unreachable";
    case EHOSTUNREACH:
      return "connect: host unreachable";
    case ETIMEDOUT:
      return "timeout";
    default:
      return std::string("connect: ") + Lower(std::strerror(os_errno));
  }
}

std::string ShortTransportError(const HttpResponse& response) {
  if (response.answered) return "";
  const std::string& text = response.error;
  if (response.timed_out || response.error_code == CURLE_OPERATION_TIMEDOUT) return "timeout";
  switch (response.error_code) {
    case CURLE_COULDNT_CONNECT:
      if (response.os_errno == 0) {
        return Has(Lower(text), "refused") ? "connect: refused" : "connect: failed";
      }
      return ConnectErrorText(response.os_errno);
    case CURLE_COULDNT_RESOLVE_HOST:
      return "dns: cannot resolve host";
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return TlsReason(text);
    case CURLE_SSL_CONNECT_ERROR:
      // OpenSSL reports some verification failures here too.
      if (Has(Lower(text), "certificate")) return TlsReason(text);
      return "tls: handshake failed";
    case CURLE_GOT_NOTHING:
      return "empty reply";
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
      return Has(Lower(text), "reset") ? "connection reset" : "connection broken";
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return "bad url";
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED:
      return "answer too large";
    default:
      return text.empty() ? "no answer" : Lower(text);
  }
}

int DaysLeft(std::chrono::system_clock::time_point not_after,
             std::chrono::system_clock::time_point now) {
  double days = std::chrono::duration<double>(not_after - now).count() / 86400.0;
  return static_cast<int>(std::floor(days));
}

std::string ProbeResult::Header(const std::string& name) const {
  std::string want = Lower(name);
  for (const auto& [k, v] : headers) {
    if (k == want) return v;
  }
  return "";
}

Result<ProbeTarget> ParseProbeTarget(const std::string& url) {
  CURLU* u = curl_url();
  if (u == nullptr) return Error{"out of memory"};
  ProbeTarget target;
  CURLUcode rc = curl_url_set(u, CURLUPART_URL, url.c_str(), 0);
  char* part = nullptr;
  if (rc == CURLUE_OK && curl_url_get(u, CURLUPART_SCHEME, &part, 0) == CURLUE_OK) {
    target.scheme = Lower(part);
    curl_free(part);
  }
  if (rc == CURLUE_OK && curl_url_get(u, CURLUPART_HOST, &part, 0) == CURLUE_OK) {
    target.host = part;
    curl_free(part);
  }
  if (rc == CURLUE_OK && curl_url_get(u, CURLUPART_PORT, &part, CURLU_DEFAULT_PORT) == CURLUE_OK) {
    target.port = std::atoi(part);
    curl_free(part);
  }
  curl_url_cleanup(u);
  if (rc != CURLUE_OK) return Error{"\"" + url + "\" is not a URL: " + curl_url_strerror(rc)};
  if (target.scheme != "https" && target.scheme != "http") {
    return Error{"\"" + url + "\": only http and https URLs can be probed"};
  }
  if (target.host.size() > 2 && target.host.front() == '[') {
    target.host = target.host.substr(1, target.host.size() - 2);
  }
  if (target.host.empty()) return Error{"\"" + url + "\" has no host"};
  return target;
}

ProbeResult HttpProbe::Probe(const ProbeRequest& request) const {
  using std::chrono::milliseconds;
  auto start = std::chrono::steady_clock::now();
  ProbeResult result;
  auto target = ParseProbeTarget(request.url);
  if (!target) {
    result.error = "bad url";
    result.error_detail = target.error();
    return result;
  }

  // The DNS step: at most half of the budget, so the exchange keeps the rest.
  result.addresses = request.addresses;
  double dns_ms = 0;
  if (result.addresses.empty() && !IsIpLiteral(target->host)) {
    DnsQuery query{target->host, request.dns_servers,
                   std::max(request.timeout / 2, milliseconds(1)), request.stop};
    DnsResult dns = dns_.Resolve(query);
    dns_ms = dns.elapsed_ms;
    result.timings.dns_ms = dns_ms;
    result.timings.total_ms = dns_ms;
    if (!dns.ok()) {
      result.error = "dns: " + dns.Reason();
      result.error_detail = "resolving " + target->host + ": " + dns.Reason();
      return result;
    }
    result.addresses = dns.Addresses();
  }

  HttpRequest http;
  http.method = request.method;
  http.url = request.url;
  http.ca_file = request.ca_file;
  http.follow_redirects = false;
  http.want_cert_expiry = target->scheme == "https";
  http.max_body = 1 << 20;
  auto spent = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
  http.timeout = std::max(request.timeout - spent, milliseconds(1));
  http.stop = request.stop;
  if (!IsIpLiteral(target->host) && !result.addresses.empty()) {
    // Pin the host to the addresses found, so that DNS and HTTPS describe one path.
    std::string pin = target->host + ":" + std::to_string(target->port) + ":";
    for (std::size_t i = 0; i < result.addresses.size(); ++i) {
      const std::string& a = result.addresses[i];
      pin += (i ? "," : "") + (a.find(':') != std::string::npos ? "[" + a + "]" : a);
    }
    http.resolve.push_back(pin);
  }

  HttpResponse response = http_.Send(http);
  result.answered = response.answered;
  result.status = response.status;
  result.server = response.Header("server");
  result.cf_ray = response.Header("cf-ray");
  result.cf_cache_status = response.Header("cf-cache-status");
  result.location = response.Header("location");
  result.headers = response.headers;
  result.remote_ip = response.remote_ip;
  if (request.keep_body) result.body = response.body;
  result.timings = response.timings;
  result.timings.dns_ms = dns_ms;
  result.timings.total_ms = dns_ms + response.timings.total_ms;
  if (response.cert_not_after) {
    result.cert_days_left = DaysLeft(*response.cert_not_after, std::chrono::system_clock::now());
  }
  if (!response.answered) {
    result.error = ShortTransportError(response);
    result.error_detail = response.error;
  }
  return result;
}

}  // namespace infinity_sync
