#include "checks/cloudflare_verdict.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include <regex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

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
      what = "the origin returned an empty, unknown or unexpected answer";
      break;
    case 521:
      what = "the origin web server refused the connection";
      break;
    case 522:
      what = "connection to the origin timed out";
      break;
    case 523:
      what = "the origin is unreachable: no route to its address, or its DNS is wrong";
      break;
    case 524:
      what = "connected, but the origin sent no answer before Cloudflare's timeout";
      break;
    case 525:
      what = "TLS handshake with the origin failed";
      break;
    case 526:
      what = "the origin's certificate is not valid (Full strict mode)";
      break;
    default:
      return "";
  }
  return std::string("Cloudflare cannot reach the origin (") + what + ")";
}

int CloudflareErrorCode(const std::string& body) {
  // Cloudflare's error page: <span class="cf-error-code">1033</span>, titled
  // "... | 1033: Cloudflare Tunnel error"; text answers say "error code: 1033".
  static const std::regex re(R"((?:cf-error-code">|[Ee]rror(?: code)?:? )(1[0-9]{3})\b)");
  std::smatch m;
  std::string head = body.substr(0, 64 * 1024);
  if (std::regex_search(head, m, re)) return std::stoi(m[1]);
  return 0;
}

std::string Explain1xxx(int code) {
  switch (code) {
    case 1000:
      return "1000: the DNS record points to a Cloudflare address (prohibited IP)";
    case 1001:
      return "1001: DNS resolution error: the name is not on Cloudflare";
    case 1003:
      return "1003: direct IP access is not allowed";
    case 1004:
      return "1004: the host is not configured to serve web traffic";
    case 1014:
      return "1014: CNAME cross-user banned (the CNAME points into another account)";
    case 1016:
      return "1016: origin DNS error: Cloudflare cannot resolve the origin's name";
    case 1018:
      return "1018: Cloudflare could not find the host";
    case 1033:
      return "1033: the Cloudflare Tunnel is down (no cloudflared connected)";
    case 1101:
      return "1101: the Worker threw an exception";
    case 1102:
      return "1102: the Worker exceeded its CPU or memory limits";
    default:
      return std::to_string(code) + ": see Cloudflare's 1xxx error documentation";
  }
}

std::string ExplainCloudflareAnswer(int status, const std::string& cf_mitigated,
                                    const std::string& body) {
  if (status == 530) {
    int code = CloudflareErrorCode(body);
    return code == 0 ? "Cloudflare error 530 (no 1xxx code in the page)"
                     : "Cloudflare error " + Explain1xxx(code);
  }
  if (status == 403 && cf_mitigated.find("challenge") != std::string::npos) {
    return "Cloudflare answered with a challenge (cf-mitigated: challenge): a bot check stands "
           "before the site, so a script cannot see it";
  }
  return Explain52x(status);
}

EdgeCommit ReadEdgeCommit(const ProbeResult& answer, const std::string& url,
                          const std::string& header, const std::string& json_pointer) {
  EdgeCommit out;
  std::string shown = RedactUrl(url);
  if (!answer.answered) {
    out.error = "no answer from " + shown + ": " + answer.error;
    return out;
  }
  if (answer.status < 200 || answer.status >= 300) {
    out.error = fmt::format("{} answered HTTP {}", shown, answer.status);
    return out;
  }
  if (!header.empty()) {
    out.source = "header " + header + " of " + shown;
    out.commit = answer.Header(header);
    if (out.commit.empty()) out.error = "no " + header + " header in the answer of " + shown;
  } else {
    out.source = json_pointer + " in " + shown;
    nlohmann::json body = nlohmann::json::parse(answer.body, nullptr, false);
    if (body.is_discarded()) {
      out.error = "the answer of " + shown + " is not JSON";
      return out;
    }
    try {
      nlohmann::json::json_pointer ptr(json_pointer);
      if (!body.contains(ptr)) {
        out.error = json_pointer + " is not in the answer of " + shown;
      } else if (!body.at(ptr).is_string()) {
        out.error = json_pointer + " in the answer of " + shown + " is not a string";
      } else {
        out.commit = body.at(ptr).get<std::string>();
      }
    } catch (const nlohmann::json::exception&) {
      out.error = "cloudflare.version.json_pointer \"" + json_pointer + "\" is not a JSON pointer";
    }
  }
  out.commit.erase(0, out.commit.find_first_not_of(" \t"));
  out.commit.erase(out.commit.find_last_not_of(" \t") + 1);
  if (out.commit.empty() && out.error.empty()) out.error = out.source + " is empty";
  return out;
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
    std::string why = ExplainCloudflareAnswer(p.status, p.Header("cf-mitigated"), p.body);
    r.data["httpError"] = "HTTP " + std::to_string(p.status);
    if (p.status == 530) {
      if (int code = CloudflareErrorCode(p.body)) r.data["cfErrorCode"] = code;
    }
    if (!p.Header("cf-mitigated").empty()) r.data["cfMitigated"] = p.Header("cf-mitigated");
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

  if (!f.version_header.empty() || !f.version_pointer.empty()) {
    EdgeCommit edge = ReadEdgeCommit(f.version_probed ? f.version_probe : p, f.version_url,
                                     f.version_header, f.version_pointer);
    r.data["edgeCommit"] = edge.commit.empty() ? nlohmann::json() : nlohmann::json(edge.commit);
    if (edge.commit.empty()) {
      r.data["edgeCommitError"] = edge.error;
      r.Warn("Edge commit unknown: " + edge.error);
    } else {
      r.data["edgeCommitSource"] = edge.source;
      r.Info("Edge serves commit " + edge.commit.substr(0, 7) + " (" + edge.source + ")");
    }
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
