#include "server/listen_address.h"

#include <arpa/inet.h>

#include <cctype>
#include <charconv>

namespace infinity_sync {

Result<ListenAddress> ParseListenAddress(const std::string& text) {
  ListenAddress out;
  std::string port;
  if (!text.empty() && text[0] == '[') {
    auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Error{"listen address \"" + text + "\": expected [IPv6]:PORT"};
    }
    out.host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string::npos) {
      return Error{"listen address \"" + text + "\": expected HOST:PORT"};
    }
    out.host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (out.host.find(':') != std::string::npos) {
      return Error{"listen address \"" + text + "\": put an IPv6 address in brackets, [::1]:PORT"};
    }
  }
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), out.port);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || out.port < 0 ||
      out.port > 65535) {
    return Error{"listen address \"" + text + "\": bad port \"" + port + "\""};
  }
  return out;
}

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

std::string HostNameOf(const std::string& authority) {
  std::string host;
  std::string port;
  if (!authority.empty() && authority[0] == '[') {
    auto close = authority.find(']');
    if (close == std::string::npos) return "";
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return "";
      port = authority.substr(close + 2);
    }
    in6_addr v6{};
    if (inet_pton(AF_INET6, host.c_str(), &v6) != 1) return "";
  } else {
    auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return "";
    }
  }
  if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5) return "";
  if (!host.empty() && host.back() == '.') host.pop_back();
  if (host.empty()) return "";
  for (char& c : host) {
    unsigned char u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '-' && c != '.' && c != '_' && c != ':') return "";
    c = static_cast<char>(std::tolower(u));
  }
  return host;
}

std::string OriginHostName(const std::string& origin) {
  auto scheme = origin.find("://");
  if (scheme == std::string::npos || scheme == 0) return "";
  std::string rest = origin.substr(scheme + 3);
  if (rest.find_first_of("/?#@") != std::string::npos) return "";
  return HostNameOf(rest);
}

}  // namespace infinity_sync
