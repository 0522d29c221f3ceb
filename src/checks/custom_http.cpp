// Custom http check: one GET through the shared HttpProbe (DNS step, TLS with
// tls.ca_file, redirects not followed), then a pure judgement of the answer.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "checks/custom_types.h"

namespace infinity_sync {

CheckResult InterpretHttpProbe(const CustomCheckConfig& custom, const ProbeResult& probe) {
  CheckResult result;
  result.data["url"] = custom.url;
  result.data["responseMs"] = static_cast<int64_t>(std::llround(probe.timings.total_ms));
  if (!probe.remote_ip.empty()) result.data["ip"] = probe.remote_ip;
  if (!probe.answered) {
    result.status = CheckStatus::kFailed;
    result.data["error"] = probe.error;
    result.Err(probe.error.empty() ? "no answer from " + custom.url
                                   : probe.error + " (" + custom.url + ")");
    return result;
  }
  result.data["httpStatus"] = probe.status;
  bool status_ok = custom.expect_status ? probe.status == *custom.expect_status
                                        : probe.status >= 200 && probe.status < 400;
  bool body_ok =
      custom.body_contains.empty() || probe.body.find(custom.body_contains) != std::string::npos;
  auto ms = std::llround(probe.timings.total_ms);
  std::string line = fmt::format("HTTP {} from {} in {} ms", probe.status, custom.url, ms);
  if (status_ok) {
    result.Ok(line);
  } else {
    result.Err(line);
    result.Err(custom.expect_status
                   ? fmt::format("expected status {}, got {}", *custom.expect_status, probe.status)
                   : fmt::format("expected a 2xx or 3xx status, got {}", probe.status));
  }
  if (!custom.body_contains.empty()) {
    result.data["bodyMatched"] = body_ok;
    if (body_ok) {
      result.Ok("Body contains \"" + custom.body_contains + "\"");
    } else {
      result.Err("Body does not contain \"" + custom.body_contains + "\" (" +
                 std::to_string(probe.body.size()) + " bytes read)");
    }
  }
  if (probe.cert_days_left) {
    result.data["certDaysLeft"] = *probe.cert_days_left;
    result.Info(fmt::format("Certificate expires in {} days", *probe.cert_days_left));
  }
  result.status = status_ok && body_ok ? CheckStatus::kSynced : CheckStatus::kFailed;
  return result;
}

CheckResult RunCustomHttp(const CustomCheckConfig& custom, const CheckContext& ctx) {
  ProbeRequest request;
  request.url = custom.url;
  request.timeout = ctx.Remaining();
  request.ca_file = ctx.config.tls.ca_file;
  request.dns_servers = custom.servers;
  request.keep_body = !custom.body_contains.empty();
  return InterpretHttpProbe(custom, ctx.Probe(request));
}

}  // namespace infinity_sync
