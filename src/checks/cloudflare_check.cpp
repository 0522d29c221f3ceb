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
  // DNS gets at most half of the budget, so that HTTPS keeps the rest.
  DnsQuery query;
  query.name = cf.domain;
  query.servers = cf.dns_servers;
  query.timeout = ctx.Remaining() / 2;
  f.dns = ctx.Resolve(query);
  std::vector<std::string> ips = f.dns.Addresses();
  for (const auto& ip : ips) {
    if (!ranges->Contains(ip)) f.outside.push_back(ip);
  }
  f.proxied = !ips.empty() && f.outside.empty();

  if (f.dns.ok()) {
    ProbeRequest probe;
    probe.url = cf.url;
    probe.ca_file = ctx.config.tls.ca_file;
    probe.dns_servers = cf.dns_servers;
    probe.timeout = ctx.Remaining();
    probe.keep_body = true;  // Cloudflare's 530 page names its 1xxx code
    // The URL's host is the domain: connect to exactly the addresses just found.
    if (CanonicalHost(target->host) == CanonicalHost(cf.domain)) probe.addresses = ips;
    f.probed = true;
    f.probe = ctx.Probe(probe);
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
      probe.timeout = ctx.Remaining();
      probe.keep_body = true;
      if (CanonicalHost(version_target->host) == CanonicalHost(cf.domain)) probe.addresses = ips;
      f.version_probed = true;
      f.version_probe = ctx.Probe(probe);
    }
  }
  return InterpretCloudflare(f, cf.expect_proxied);
}

}  // namespace infinity_sync
