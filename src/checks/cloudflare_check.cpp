#include "checks/cloudflare_check.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "checks/cloudflare_verdict.h"
#include "cloud/cloudflare_ranges.h"
#include "ports/http_probe.h"

namespace infinity_sync {
namespace {

// Host names compare case-insensitively and without the root's trailing dot.
std::string CanonicalHost(std::string host) {
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (!host.empty() && host.back() == '.') host.pop_back();
  return host;
}

std::string ServersText(const std::vector<std::string>& servers) {
  if (servers.empty()) return "the system resolver";
  std::string out;
  for (const auto& s : servers) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

CheckResult RunCloudflareCheck(const CheckContext& ctx) {
  const CloudflareConfig& cf = ctx.config.cloudflare;
  if (cf.domain.empty()) {
    CheckResult r;
    r.status = CheckStatus::kNotConfigured;
    r.Info("No cloudflare.domain configured: nothing to check");
    return r;
  }
  // Settings are checked before anything is asked, so a typo is named.
  auto ranges = CloudflareRanges(cf.ip_ranges);
  if (!ranges) return CheckResult::Failure("cloudflare.ip_ranges" + ranges.error());
  for (std::size_t i = 0; i < cf.dns_servers.size(); ++i) {
    auto server = ParseDnsServer(cf.dns_servers[i]);
    if (!server) {
      return CheckResult::Failure(fmt::format("cloudflare.dns_servers[{}]: {}", i, server.error()));
    }
  }
  auto target = ParseProbeTarget(cf.url);
  if (!target) return CheckResult::Failure("cloudflare.url: " + target.error());

  CloudflareFindings f;
  f.domain = cf.domain;
  f.url = cf.url;
  std::vector<std::string> evidence;

  // DNS gets at most half of the budget, so that HTTPS keeps the rest.
  DnsQuery query{cf.domain, cf.dns_servers,
                 std::max(ctx.Remaining() / 2, std::chrono::milliseconds(1))};
  f.dns = ctx.ports.dns.Resolve(query);
  std::vector<std::string> ips = f.dns.Addresses();
  evidence.push_back(fmt::format("DNS A/AAAA {} via {}: A {}, AAAA {} ({:.1f} ms)", cf.domain,
                                 ServersText(cf.dns_servers), ToString(f.dns.a.outcome),
                                 ToString(f.dns.aaaa.outcome), f.dns.elapsed_ms));
  for (const auto& ip : ips) {
    if (!ranges->Contains(ip)) f.outside.push_back(ip);
  }
  f.proxied = !ips.empty() && f.outside.empty();

  if (f.dns.ok()) {
    ProbeRequest probe;
    probe.url = cf.url;
    probe.ca_file = ctx.config.tls.ca_file;
    probe.dns_servers = cf.dns_servers;
    probe.timeout = std::max(ctx.Remaining(), std::chrono::milliseconds(1));
    probe.keep_body = true;  // Cloudflare's 530 page names its 1xxx code
    // The URL's host is the domain: connect to exactly the addresses just found.
    if (CanonicalHost(target->host) == CanonicalHost(cf.domain)) probe.addresses = ips;
    f.probed = true;
    f.probe = HttpProbe(ctx.ports.http, ctx.ports.dns).Probe(probe);
    evidence.push_back(
        fmt::format("GET {} -> {} ({:.1f} ms{})", RedactUrl(cf.url),
                    f.probe.answered ? "HTTP " + std::to_string(f.probe.status) : f.probe.error,
                    f.probe.timings.total_ms,
                    f.probe.remote_ip.empty() ? "" : ", connected to " + f.probe.remote_ip));
    if (!f.probe.error_detail.empty()) evidence.push_back("  " + f.probe.error_detail);
  }

  if (cf.version.enabled()) {
    f.version_url = cf.version.url.empty() ? cf.url : cf.version.url;
    f.version_header = cf.version.header;
    f.version_pointer = cf.version.json_pointer;
    auto version_target = ParseProbeTarget(f.version_url);
    if (!version_target)
      return CheckResult::Failure("cloudflare.version.url: " + version_target.error());
    if (f.dns.ok() && f.version_url != cf.url) {
      ProbeRequest probe;
      probe.url = f.version_url;
      probe.ca_file = ctx.config.tls.ca_file;
      probe.dns_servers = cf.dns_servers;
      probe.timeout = std::max(ctx.Remaining(), std::chrono::milliseconds(1));
      probe.keep_body = true;
      if (CanonicalHost(version_target->host) == CanonicalHost(cf.domain)) probe.addresses = ips;
      f.version_probed = true;
      f.version_probe = HttpProbe(ctx.ports.http, ctx.ports.dns).Probe(probe);
      evidence.push_back(fmt::format("GET {} -> {} ({:.1f} ms)", RedactUrl(f.version_url),
                                     f.version_probe.answered
                                         ? "HTTP " + std::to_string(f.version_probe.status)
                                         : f.version_probe.error,
                                     f.version_probe.timings.total_ms));
    }
  }

  CheckResult r = InterpretCloudflare(f, cf.expect_proxied);
  r.evidence = std::move(evidence);
  return r;
}

}  // namespace infinity_sync
