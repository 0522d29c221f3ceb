#pragma once

#include <chrono>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "core/result.h"
#include "ports/dns_resolver.h"
#include "ports/http_client.h"

namespace infinity_sync {

// One probe: a GET of `url`, the way a user's browser would reach it.
struct ProbeRequest {
  std::string url;
  std::chrono::milliseconds timeout{5'000};  // DNS step and exchange together
  std::string ca_file;                       // extra CA bundle (tls.ca_file); empty: none
  std::vector<std::string> dns_servers;      // for the DNS step; empty: the system resolver
  // Addresses the URL's host already resolved to (a DNS step done by the
  // caller). Empty: the probe resolves the host itself (unless it is an IP).
  std::vector<std::string> addresses;
  std::string method = "GET";  // HEAD for a light heartbeat
  bool keep_body = false;      // keep the answer's body (at most 1 MiB) in ProbeResult::body
  std::stop_token stop;        // once requested, the DNS step and the exchange are cancelled
};

// What came back. Timings are per phase (blackbox_exporter's split); `dns` is
// the probe's own DNS step (0 when the caller supplied the addresses).
struct ProbeResult {
  bool answered = false;  // an HTTP status line came back (any status)
  int status = 0;
  std::string server;                  // the `server` header
  std::string cf_ray;                  // the `cf-ray` header, as sent
  std::string cf_cache_status;         // the `cf-cache-status` header
  std::string location;                // the `location` header of a redirect (not followed)
  std::vector<std::string> addresses;  // where the host resolved to (the pinned set)
  std::string remote_ip;               // the address actually connected to
  HttpTimings timings;
  std::optional<int> cert_days_left;  // whole days until notAfter (https only)
  // Short reason when no answer came: "dns: NXDOMAIN", "connect: refused",
  // "timeout", "tls: certificate has expired". Empty when answered.
  std::string error;
  std::string error_detail;  // the full transport error text, for --explain
  std::string body;          // the answer's body, only when ProbeRequest::keep_body
  std::vector<std::pair<std::string, std::string>> headers;  // every header, names lowercased

  // The first header of that name (case-insensitive), or empty.
  std::string Header(const std::string& name) const;
};

// The parts of a URL the probe needs.
struct ProbeTarget {
  std::string scheme;  // "https"
  std::string host;    // no brackets for IPv6
  int port = 0;        // the URL's port or the scheme's default
};

// Parses an http(s) URL with libcurl's own URL parser.
Result<ProbeTarget> ParseProbeTarget(const std::string& url);

// The short error text for a failed exchange (pure; see ProbeResult::error).
std::string ShortTransportError(const HttpResponse& response);

// The short text for a failed TCP connect's errno ("connect: refused",
// "timeout"), shared by the probe and the tcp custom check.
std::string ConnectErrorText(int os_errno);

// Days from `now` to `not_after`, rounded down (negative once expired).
int DaysLeft(std::chrono::system_clock::time_point not_after,
             std::chrono::system_clock::time_point now);

// The HTTP probe that the cloudflare check and the heartbeats share: the DNS
// step through DnsResolver, then one exchange through HttpClient pinned to the
// addresses found (so both describe the same path), TLS verified, redirects not
// followed. Thread-safe when its ports are.
class HttpProbe {
 public:
  HttpProbe(HttpClient& http, DnsResolver& dns) : http_(http), dns_(dns) {}
  // Never throws; returns within request.timeout (plus a few ms).
  ProbeResult Probe(const ProbeRequest& request) const;

 private:
  HttpClient& http_;
  DnsResolver& dns_;
};

}  // namespace infinity_sync
