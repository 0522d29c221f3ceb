#include "checks/cloudflare_verdict.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include <fmt/format.h>

namespace infinity_sync {
namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

double Ms(double v) { return std::round(v * 10.0) / 10.0; }

std::string DnsExplained(DnsOutcome o) {
  switch (o) {
    case DnsOutcome::kNxDomain:
      return "NXDOMAIN: the name does not exist";
    case DnsOutcome::kServFail:
      return "SERVFAIL: the DNS server failed to answer";
    case DnsOutcome::kRefused:
      return "REFUSED: the DNS server refused the question";
    case DnsOutcome::kTimeout:
      return "timeout: no answer from the DNS server";
    case DnsOutcome::kUnreachable:
      return "the DNS server could not be contacted";
    case DnsOutcome::kNoData:
      return "no A or AAAA records";
    default:
      return "";
  }
}

// A lookup that failed for a reason other than "no such record".
bool Broken(const DnsAnswer& answer) {
  return answer.outcome != DnsOutcome::kOk && answer.outcome != DnsOutcome::kNoData &&
         answer.outcome != DnsOutcome::kNxDomain;
}

}  // namespace

std::optional<CfRay> ParseCfRay(const std::string& header) {
  std::string text = header;
  text.erase(0, text.find_first_not_of(" \t"));
  text.erase(text.find_last_not_of(" \t") + 1);
  auto dash = text.rfind('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 == text.size()) return std::nullopt;
  CfRay ray{text.substr(0, dash), text.substr(dash + 1)};
  if (!std::all_of(ray.id.begin(), ray.id.end(),
                   [](unsigned char c) { return std::isxdigit(c); }) ||
      !std::all_of(ray.colo.begin(), ray.colo.end(),
                   [](unsigned char c) { return std::isalpha(c); })) {
    return std::nullopt;
  }
  std::transform(ray.id.begin(), ray.id.end(), ray.id.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  std::transform(ray.colo.begin(), ray.colo.end(), ray.colo.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  return ray;
}

std::string Explain52x(int status) {
  const char* what = nullptr;
  switch (status) {
    case 520:
      what = "the origin returned an unknown error";
      break;
    case 521:
      what = "the origin web server is down";
      break;
    case 522:
      what = "connection to the origin timed out";
      break;
    case 523:
      what = "the origin is unreachable";
      break;
    case 524:
      what = "the origin took too long to answer";
      break;
    case 525:
      what = "TLS handshake with the origin failed";
      break;
    case 526:
      what = "the origin's certificate is invalid";
      break;
    case 527:
      what = "Railgun connection to the origin failed";
      break;
    default:
      return "";
  }
  return std::string("Cloudflare cannot reach the origin (") + what + ")";
}

CheckResult InterpretCloudflare(const CloudflareFindings& f, bool expect_proxied) {
  CheckResult r;
  const ProbeResult& p = f.probe;
  std::vector<std::string> ips = f.dns.Addresses();
  auto ray = ParseCfRay(p.cf_ray);
  r.data = {{"domain", f.domain}, {"url", f.url}, {"ips", ips}, {"proxied", f.proxied}};
  r.data["httpStatus"] = p.answered ? nlohmann::json(p.status) : nlohmann::json();
  r.data["cfRay"] = p.cf_ray.empty() ? nlohmann::json() : nlohmann::json(p.cf_ray);
  r.data["certDaysLeft"] = p.cert_days_left ? nlohmann::json(*p.cert_days_left) : nlohmann::json();
  double dns_ms = f.dns.elapsed_ms + p.timings.dns_ms;
  r.data["timingsMs"] = {{"dns", Ms(dns_ms)},
                         {"connect", Ms(p.timings.connect_ms)},
                         {"tls", Ms(p.timings.tls_ms)},
                         {"firstByte", Ms(p.timings.first_byte_ms)},
                         {"total", Ms(f.dns.elapsed_ms + p.timings.total_ms)}};
  if (!p.server.empty()) r.data["server"] = p.server;
  if (!p.cf_cache_status.empty()) r.data["cfCacheStatus"] = p.cf_cache_status;

  if (!f.dns.ok()) {
    r.status = CheckStatus::kUnreachable;
    std::string why = f.dns.error.empty() ? DnsExplained(f.dns.Outcome()) : f.dns.error;
    if (why.empty()) why = f.dns.Reason();
    r.data["dnsError"] = f.dns.Reason();
    r.Err(fmt::format("DNS resolution failed for {}: {}", f.domain, why));
    r.Info("HTTPS not tried: no address to connect to");
    return r;
  }
  r.Ok("DNS resolved");
  r.Info("IPs: " + Join(ips));
  for (const DnsAnswer* answer : {&f.dns.a, &f.dns.aaaa}) {
    if (Broken(*answer)) {
      r.Warn(fmt::format("{} lookup failed: {}", answer == &f.dns.a ? "A" : "AAAA",
                         ToString(answer->outcome)));
    }
  }

  std::string ray_text = "no cf-ray header";
  if (ray) {
    ray_text = "cf-ray " + p.cf_ray;
    r.data["cfColo"] = ray->colo;
  } else if (!p.cf_ray.empty()) {
    ray_text = "cf-ray " + p.cf_ray + " not in Cloudflare's form";
  }
  if (f.proxied) {
    r.Ok("Proxied by Cloudflare: yes (" + ray_text + ")");
  } else {
    std::string line = fmt::format("Proxied by Cloudflare: no ({} outside Cloudflare's ranges; {})",
                                   Join(f.outside), ray_text);
    if (expect_proxied) {
      r.Warn(line);
    } else {
      r.Info(line);
    }
  }

  bool https_ok = false;
  if (!f.probed) {
    r.Err("HTTPS not tried");
  } else if (!p.answered) {
    r.data["httpError"] = p.error;
    r.Err(fmt::format("HTTPS connectivity failed for {}: {}", f.url, p.error));
  } else if (p.status >= 200 && p.status < 400) {
    https_ok = true;
    std::string extra = p.status >= 300 && !p.location.empty()
                            ? ", redirect to " + p.location + " not followed"
                            : "";
    r.Ok(fmt::format("HTTPS connectivity successful (Status: {}{})", p.status, extra));
  } else {
    std::string why = Explain52x(p.status);
    r.data["httpError"] = "HTTP " + std::to_string(p.status);
    r.Err(fmt::format("HTTPS answered with Status: {}{}", p.status, why.empty() ? "" : ": " + why));
  }
  if (p.cert_days_left) {
    std::string line = fmt::format("Certificate expires in {} day{}", *p.cert_days_left,
                                   *p.cert_days_left == 1 ? "" : "s");
    if (*p.cert_days_left < kCertWarnDays) {
      r.Warn(line);
    } else {
      r.Info(line);
    }
  }
  if (f.probed) {
    r.Info(
        fmt::format("Timings: dns {:.1f} ms, connect {:.1f} ms, tls {:.1f} ms, first byte {:.1f} "
                    "ms, total {:.1f} ms",
                    dns_ms, p.timings.connect_ms, p.timings.tls_ms, p.timings.first_byte_ms,
                    f.dns.elapsed_ms + p.timings.total_ms));
  }

  if (!https_ok) {
    r.status = CheckStatus::kPartiallyReachable;
  } else if (expect_proxied && !f.proxied) {
    r.status = CheckStatus::kPartiallyReachable;
  } else {
    r.status = CheckStatus::kReachable;
  }
  return r;
}

}  // namespace infinity_sync
