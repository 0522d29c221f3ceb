// Custom tcp check: resolve the host (DnsResolver), then a plain non-blocking
// TCP connect bounded by the check's deadline. Nothing is sent.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

#include "checks/custom_types.h"
#include "core/duration.h"
#include "ports/http_probe.h"

namespace infinity_sync {
namespace {

using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string Endpoint(const std::string& ip, int port) {
  return (ip.find(':') != std::string::npos ? "[" + ip + "]" : ip) + ":" + std::to_string(port);
}

// How one connect attempt ended: "" when connected, else the short reason.
// Bounded by `budget` and ended early once `stop` is requested.
std::string ConnectOnce(const std::string& ip, int port, milliseconds budget,
                        const std::stop_token& stop) {
  sockaddr_storage addr{};
  socklen_t len = 0;
  bool v6 = ip.find(':') != std::string::npos;
  if (v6) {
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&addr);
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET6, ip.c_str(), &a6->sin6_addr) != 1) return "bad address " + ip;
    len = sizeof(sockaddr_in6);
  } else {
    auto* a4 = reinterpret_cast<sockaddr_in*>(&addr);
    a4->sin_family = AF_INET;
    a4->sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, ip.c_str(), &a4->sin_addr) != 1) return "bad address " + ip;
    len = sizeof(sockaddr_in);
  }
  int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::string("socket: ") + Lower(std::strerror(errno));
  int err = 0;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    err = errno;
    if (err == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int ready = 0;
      auto until = SteadyClock::now() + budget;
      // Short slices, so that a stop is seen within 50 ms.
      do {
        auto left = std::chrono::duration_cast<milliseconds>(until - SteadyClock::now()).count();
        if (left <= 0 || stop.stop_requested()) break;
        ready = poll(&p, 1, static_cast<int>(std::min<long>(left, 50)));
      } while (ready == 0 || (ready < 0 && errno == EINTR));
      if (ready == 0) {
        close(fd);
        return stop.stop_requested() ? "stopped" : "timeout";
      }
      socklen_t err_len = sizeof err;
      err = 0;
      if (ready < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) != 0) err = errno;
    }
  }
  close(fd);
  if (err == 0) return "";
  return ConnectErrorText(err);
}

}  // namespace

Result<TcpTarget> ParseTcpAddress(const std::string& address) {
  TcpTarget target;
  std::string port;
  if (!address.empty() && address.front() == '[') {
    auto close = address.find(']');
    if (close == std::string::npos) return Error{"\"" + address + "\": missing ']'"};
    target.host = address.substr(1, close - 1);
    if (close + 1 >= address.size() || address[close + 1] != ':') {
      return Error{"\"" + address + "\": expected [IPv6]:PORT"};
    }
    port = address.substr(close + 2);
    if (target.host.find(':') == std::string::npos || !IsIpLiteral(target.host)) {
      return Error{"\"" + address + "\": brackets are for IPv6 addresses"};
    }
  } else {
    auto colon = address.rfind(':');
    if (colon == std::string::npos) return Error{"\"" + address + "\": expected HOST:PORT"};
    target.host = address.substr(0, colon);
    port = address.substr(colon + 1);
    if (target.host.find(':') != std::string::npos) {
      return Error{"\"" + address + "\": write IPv6 addresses as [ADDRESS]:PORT"};
    }
  }
  if (target.host.empty()) return Error{"\"" + address + "\": no host before the port"};
  bool digits = !port.empty() && port.size() <= 5 &&
                std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
  int value = digits ? std::stoi(port) : 0;
  if (value < 1 || value > 65535) {
    return Error{"\"" + address + "\": port \"" + port + "\" is not a number from 1 to 65535"};
  }
  target.port = value;
  return target;
}

CheckResult RunCustomTcp(const CustomCheckConfig& custom, const CheckContext& ctx) {
  auto target = ParseTcpAddress(custom.address);
  if (!target) return CheckResult::Failure("bad address " + target.error());
  auto budget = ctx.Remaining();
  CheckResult result;
  result.data["address"] = custom.address;
  result.data["host"] = target->host;
  result.data["port"] = target->port;

  // The host's addresses: an IP as it is, localhost as loopback (RFC 6761),
  // any other name through the DNS (at most half of the budget).
  std::vector<std::string> ips;
  if (IsIpLiteral(target->host)) {
    ips.push_back(target->host);
  } else if (Lower(target->host) == "localhost") {
    ips = {"127.0.0.1", "::1"};
  } else {
    DnsQuery query;
    query.name = target->host;
    query.servers = custom.servers;
    query.timeout = budget / 2;
    DnsResult dns = ctx.Resolve(query);
    if (!dns.ok()) {
      result.status = CheckStatus::kFailed;
      result.Err("dns: " + dns.Reason() + " (" + target->host + ")");
      return result;
    }
    ips = dns.Addresses();
  }
  result.data["addresses"] = ips;

  std::string last_error;
  for (const std::string& ip : ips) {
    auto left = ctx.Remaining();
    if (left.count() <= 0) {
      last_error = "timeout";
      break;
    }
    auto start = SteadyClock::now();
    std::string error = ConnectOnce(ip, target->port, ctx.Clamp(left), ctx.stop);
    double ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
    ctx.Note(fmt::format("connect {} -> {} ({:.0f} ms)", Endpoint(ip, target->port),
                         error.empty() ? "ok" : error, ms));
    if (error.empty()) {
      result.status = CheckStatus::kSynced;
      result.data["connectedTo"] = ip;
      result.data["connectMs"] = static_cast<int64_t>(ms + 0.5);
      result.Ok("Connected to " + Endpoint(ip, target->port) + " in " +
                std::to_string(static_cast<int64_t>(ms + 0.5)) + " ms");
      return result;
    }
    last_error = error;
  }
  result.status = CheckStatus::kFailed;
  if (last_error == "timeout") {
    last_error = "timeout after " + FormatDuration(custom.timeout.value_or(ctx.config.timeout));
  }
  result.data["error"] = last_error;
  result.Err(last_error + " (" + custom.address + ")");
  return result;
}

}  // namespace infinity_sync
