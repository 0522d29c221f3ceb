// Custom dns check: one record type through the DnsResolver port (c-ares),
// optionally expecting one value among the answers.
#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "checks/custom_types.h"

namespace infinity_sync {
namespace {

// Lower case, no trailing dot: how DNS names compare.
std::string NormalName(std::string s) {
  while (!s.empty() && (s.back() == '.' || s.back() == ' ')) s.pop_back();
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string Join(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ", ") + v;
  return out;
}

}  // namespace

bool DnsValueMatches(const std::string& type, const std::string& value, const std::string& expect) {
  if (type == "TXT") return value.find(expect) != std::string::npos;
  std::string want = NormalName(expect);
  if (NormalName(value) == want) return true;
  if (type == "MX") {
    auto space = value.find(' ');
    return space != std::string::npos && NormalName(value.substr(space + 1)) == want;
  }
  if (type == "AAAA") {
    // "::1" and "0:0:0:0:0:0:0:1" are one address.
    unsigned char a[16], b[16];
    return inet_pton(AF_INET6, value.c_str(), a) == 1 &&
           inet_pton(AF_INET6, expect.c_str(), b) == 1 && std::equal(a, a + 16, b);
  }
  return false;
}

CheckResult InterpretDnsRecords(const CustomCheckConfig& custom, const DnsRecords& records) {
  CheckResult result;
  result.data["host"] = custom.host;
  result.data["record"] = custom.record;
  result.data["answers"] = records.values;
  result.data["resolveMs"] = static_cast<int64_t>(std::llround(records.elapsed_ms));
  if (!custom.expect.empty()) result.data["expect"] = custom.expect;
  if (records.outcome != DnsOutcome::kOk || records.values.empty()) {
    result.status = CheckStatus::kFailed;
    std::string reason = records.Reason(custom.record);
    result.data["error"] = reason;
    result.Err("dns: " + reason + " (" + custom.record + " " + custom.host + ")");
    return result;
  }
  result.Ok(fmt::format("{} {}: {}", custom.record, custom.host, Join(records.values)));
  if (custom.expect.empty()) {
    result.status = CheckStatus::kSynced;
    return result;
  }
  bool found = std::any_of(records.values.begin(), records.values.end(), [&](const auto& v) {
    return DnsValueMatches(custom.record, v, custom.expect);
  });
  result.data["matched"] = found;
  if (found) {
    result.status = CheckStatus::kSynced;
    result.Ok("Answer contains \"" + custom.expect + "\"");
  } else {
    result.status = CheckStatus::kFailed;
    result.Err("expected \"" + custom.expect + "\" among the " + custom.record + " answers");
  }
  return result;
}

CheckResult RunCustomDns(const CustomCheckConfig& custom, const CheckContext& ctx) {
  DnsRecordQuery query;
  query.name = custom.host;
  query.type = custom.record;
  query.servers = custom.servers;
  query.timeout = ctx.Remaining();
  return InterpretDnsRecords(custom, ctx.Ask(query));
}

}  // namespace infinity_sync
