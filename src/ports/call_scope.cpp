#include "ports/call_scope.h"

#include <algorithm>
#include <condition_variable>

#include <fmt/format.h>

#include "ports/http_probe.h"

namespace infinity_sync {
namespace {

using std::chrono::milliseconds;

std::string ServersText(const std::vector<std::string>& servers) {
  if (servers.empty()) return "the system resolver";
  return fmt::format("{}", fmt::join(servers, ", "));
}

std::string HttpOutcome(const HttpResponse& res) {
  return res.answered ? "HTTP " + std::to_string(res.status) : res.error;
}

}  // namespace

void Evidence::Add(std::string line) {
  std::lock_guard lock(mu_);
  lines_.push_back(std::move(line));
}

std::vector<std::string> Evidence::Lines() const {
  std::lock_guard lock(mu_);
  return lines_;
}

std::vector<std::string> Evidence::Take() {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  out.swap(lines_);
  return out;
}

std::string CommandLine(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
  return line;
}

milliseconds CallScope::Remaining() const {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - ports.clock.SteadyNow());
  return left.count() > 0 ? left : milliseconds(0);
}

milliseconds CallScope::Clamp(milliseconds want) const {
  return std::max(std::min(want, Remaining()), milliseconds(1));
}

bool CallScope::Pause(milliseconds pause) const {
  std::mutex mu;
  std::condition_variable_any woken;
  std::unique_lock lock(mu);
  std::stop_token token = stop;
  woken.wait_for(lock, token, std::min(pause, Remaining()), [] { return false; });
  return !stop.stop_requested();
}

Result<std::string> CallScope::ReadFile(const std::string& path, std::size_t max_bytes) const {
  return ports.fs.ReadFile(path, max_bytes);
}

void CallScope::Note(std::string line) const {
  if (evidence_ != nullptr) evidence_->Add(std::move(line));
}

ProcessResult CallScope::Run(ProcessRequest request) const {
  request.timeout = Clamp(request.timeout);
  request.stop = stop;
  ProcessResult res = ports.process.Run(request);
  Note(fmt::format("{} -> {} ({} ms)", CommandLine(request.argv),
                   res.Succeeded() ? "exit 0" : res.Describe(request.argv), res.duration.count()));
  return res;
}

HttpResponse CallScope::Send(HttpRequest request) const {
  request.timeout = Clamp(request.timeout);
  request.stop = stop;
  HttpResponse res = ports.http.Send(request);
  std::string target = request.unix_socket.empty()
                           ? RedactUrl(request.url)
                           : RedactUrl(request.url) + " via " + request.unix_socket;
  Note(fmt::format("{} {} -> {} ({:.0f} ms)", request.method, target, HttpOutcome(res),
                   res.timings.total_ms));
  return res;
}

DnsResult CallScope::Resolve(DnsQuery query) const {
  query.timeout = Clamp(query.timeout);
  query.stop = stop;
  DnsResult res = ports.dns.Resolve(query);
  Note(fmt::format("DNS A/AAAA {} via {}: A {}, AAAA {} ({:.1f} ms)", query.name,
                   ServersText(query.servers), ToString(res.a.outcome), ToString(res.aaaa.outcome),
                   res.elapsed_ms));
  return res;
}

DnsRecords CallScope::Ask(DnsRecordQuery query) const {
  query.timeout = Clamp(query.timeout);
  query.stop = stop;
  DnsRecords res = ports.dns.ResolveRecords(query);
  bool ok = res.error.empty() && res.outcome == DnsOutcome::kOk;
  Note(fmt::format(
      "DNS {} {} via {}: {} ({:.1f} ms)", query.type, query.name, ServersText(query.servers),
      ok ? fmt::format("{}", fmt::join(res.values, " ")) : res.Reason(query.type), res.elapsed_ms));
  return res;
}

ProbeResult CallScope::Probe(ProbeRequest request) const {
  request.timeout = Clamp(request.timeout);
  request.stop = stop;
  ProbeResult res = HttpProbe(ports.http, ports.dns).Probe(request);
  Note(fmt::format("{} {} -> {} ({:.1f} ms{})", request.method, RedactUrl(request.url),
                   res.answered ? "HTTP " + std::to_string(res.status) : res.error,
                   res.timings.total_ms,
                   res.remote_ip.empty() ? "" : ", connected to " + res.remote_ip));
  if (!res.error_detail.empty()) Note("  " + res.error_detail);
  return res;
}

}  // namespace infinity_sync
