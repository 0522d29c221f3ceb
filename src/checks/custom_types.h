#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "checks/check.h"
#include "core/result.h"
#include "ports/dns_resolver.h"
#include "ports/http_probe.h"
#include "ports/process_runner.h"

// The four kinds of custom check (SPEC section 3.6). Each is a thin fetch
// through the ports plus a pure interpret function; all end Synced or Failed.
namespace infinity_sync {

// --- tcp: connect to `address` within the deadline ---

struct TcpTarget {
  std::string host;  // IP literal (no brackets) or a host name
  int port = 0;
};

// Parses "host:port", "1.2.3.4:port" or "[v6]:port"; the error says what is wrong.
Result<TcpTarget> ParseTcpAddress(const std::string& address);

// Synced once a TCP connection to one of the target's addresses is made.
CheckResult RunCustomTcp(const CustomCheckConfig& custom, const CheckContext& ctx);

// --- http: one GET through HttpProbe ---

// Judges a probe: Synced when the status equals expect_status (default any
// 2xx or 3xx) and the body holds body_contains (when set).
CheckResult InterpretHttpProbe(const CustomCheckConfig& custom, const ProbeResult& probe);

CheckResult RunCustomHttp(const CustomCheckConfig& custom, const CheckContext& ctx);

// --- dns: one record type through DnsResolver ---

// Whether one answer `value` of record `type` matches `expect`: names compare
// without case and trailing dot; an MX matches by "PRIORITY HOST" or by HOST;
// a TXT record matches when it contains `expect`.
bool DnsValueMatches(const std::string& type, const std::string& value, const std::string& expect);

// Synced when records came back and (if `expect` is set) one of them matches.
CheckResult InterpretDnsRecords(const CustomCheckConfig& custom, const DnsRecords& records);

CheckResult RunCustomDns(const CustomCheckConfig& custom, const CheckContext& ctx);

// --- command: run argv, exit 0 = Synced ---

// How many of the last output lines go to Details.
inline constexpr std::size_t kCommandTailLines = 5;

// Judges a finished program; `timeout` is the limit it ran under.
CheckResult InterpretCommand(const CustomCheckConfig& custom, const ProcessResult& result,
                             std::chrono::milliseconds timeout);

CheckResult RunCustomCommand(const CustomCheckConfig& custom, const CheckContext& ctx);

}  // namespace infinity_sync
