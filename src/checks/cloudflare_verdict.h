#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/check_result.h"
#include "ports/dns_resolver.h"
#include "ports/http_probe.h"

namespace infinity_sync {

// A `cf-ray` header: "8c5a7f1e9d3b2a41-FRA" is ray 8c5a7f1e9d3b2a41 served by
// the FRA data centre.
struct CfRay {
  std::string id;    // lowercase hex
  std::string colo;  // IATA code, uppercase
};

// Parses a cf-ray value (surrounding blanks ignored); nullopt when it is not
// <hex>-<letters>.
std::optional<CfRay> ParseCfRay(const std::string& header);

// What Cloudflare's 52x answers mean ("cannot reach the origin: ..."); empty for
// other codes.
std::string Explain52x(int status);

// Everything the cloudflare check found, gathered by its thin fetch.
struct CloudflareFindings {
  std::string domain;
  std::string url;
  DnsResult dns;                     // A and AAAA of `domain`
  bool proxied = false;              // every address of `domain` is in the ranges (false: none)
  std::vector<std::string> outside;  // addresses not in the ranges
  bool probed = false;               // the HTTPS GET was attempted
  ProbeResult probe;
};

// The decision table of SPEC 3.5 (pure):
//   DNS gave no address                          -> Unreachable
//   DNS ok, HTTPS failed or not 2xx/3xx          -> PartiallyReachable
//   DNS ok, 2xx/3xx, expect_proxied, not proxied -> PartiallyReachable
//   DNS ok, 2xx/3xx, proxied or not expected     -> Reachable
// with the report lines and Data {ips, proxied, httpStatus, cfRay, certDaysLeft,
// timingsMs {dns, connect, tls, firstByte, total}}.
CheckResult InterpretCloudflare(const CloudflareFindings& findings, bool expect_proxied);

// Certificates closer to their end than this get a warning line.
inline constexpr int kCertWarnDays = 14;

}  // namespace infinity_sync
