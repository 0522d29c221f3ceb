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

// What Cloudflare's 520-526 answers mean ("cannot reach the origin: ..."), per
// Cloudflare's documentation of 5xx errors; empty for other codes (527 no
// longer exists).
std::string Explain52x(int status);

// The 1xxx error code in the body of Cloudflare's 530 page ("Error 1033"), or 0.
int CloudflareErrorCode(const std::string& body);

// What a 1xxx code means ("1033: the Cloudflare Tunnel is down ..."); a generic
// line for codes not in the table.
std::string Explain1xxx(int code);

// Why an answer that is not 2xx/3xx came, when Cloudflare says: a 530 with its
// 1xxx code, a challenge (403 with cf-mitigated: challenge), 520-526; else "".
std::string ExplainCloudflareAnswer(int status, const std::string& cf_mitigated,
                                    const std::string& body);

// The commit the edge names (cloudflare.version), read from a probe's answer.
struct EdgeCommit {
  std::string commit;  // empty when not found
  std::string error;   // why not: "no x-commit header", "/commit is not in the body", ...
  std::string source;  // "header x-commit of URL", "/commit in URL"
};
EdgeCommit ReadEdgeCommit(const ProbeResult& answer, const std::string& url,
                          const std::string& header, const std::string& json_pointer);

// Everything the cloudflare check found, gathered by its thin fetch.
struct CloudflareFindings {
  std::string domain;
  std::string url;
  DnsResult dns;                     // A and AAAA of `domain`
  bool proxied = false;              // every address of `domain` is in the ranges (false: none)
  std::vector<std::string> outside;  // addresses not in the ranges
  bool probed = false;               // the HTTPS GET was attempted
  ProbeResult probe;
  // cloudflare.version: on when `version_header` or `version_pointer` is set.
  std::string version_url;  // the URL read (the probe's own when the same)
  std::string version_header;
  std::string version_pointer;
  bool version_probed = false;  // a separate GET of version_url was made
  ProbeResult version_probe;    // its answer
};

// The decision table of SPEC 3.5 (pure):
//   DNS gave no address                          -> Unreachable
//   DNS ok, HTTPS failed or not 2xx/3xx          -> PartiallyReachable
//   DNS ok, 2xx/3xx, expect_proxied, not proxied -> PartiallyReachable
//   DNS ok, 2xx/3xx, proxied or not expected     -> Reachable
// with the report lines and Data {ips, proxied, httpStatus, cfRay, certDaysLeft,
// timingsMs {dns, connect, tls, firstByte, total}}, plus edgeCommit when
// cloudflare.version is set (it never changes the status).
CheckResult InterpretCloudflare(const CloudflareFindings& findings, bool expect_proxied);

// Certificates closer to their end than this get a warning line.
inline constexpr int kCertWarnDays = 14;

}  // namespace infinity_sync
