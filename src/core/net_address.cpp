#include "core/net_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace infinity_sync {
namespace {

// Parses an address literal into 16 bytes; IPv4-mapped IPv6 becomes IPv4.
bool ParseAddress(const std::string& text, std::array<std::uint8_t, 16>* out, bool* v6) {
  out->fill(0);
  in_addr a4{};
  in6_addr a6{};
  if (inet_pton(AF_INET, text.c_str(), &a4) == 1) {
    std::memcpy(out->data(), &a4, 4);
    *v6 = false;
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), &a6) == 1) {
    static const std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(&a6, kMapped, 12) == 0) {
      std::memcpy(out->data(), reinterpret_cast<const std::uint8_t*>(&a6) + 12, 4);
      *v6 = false;
    } else {
      std::memcpy(out->data(), &a6, 16);
      *v6 = true;
    }
    return true;
  }
  return false;
}

std::string AddressText(const std::array<std::uint8_t, 16>& bytes, bool v6) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
  return buf;
}

// Clears every bit past `prefix`; returns true when one was set.
bool ClearHostBits(std::array<std::uint8_t, 16>* bytes, int prefix, int width) {
  bool any = false;
  for (int bit = prefix; bit < width; ++bit) {
    std::uint8_t mask = static_cast<std::uint8_t>(0x80 >> (bit % 8));
    if ((*bytes)[bit / 8] & mask) any = true;
    (*bytes)[bit / 8] &= static_cast<std::uint8_t>(~mask);
  }
  return any;
}

}  // namespace

bool CidrRange::Contains(const std::array<std::uint8_t, 16>& address, bool address_v6) const {
  if (address_v6 != v6) return false;
  int full = prefix / 8;
  if (std::memcmp(address.data(), bytes.data(), static_cast<std::size_t>(full)) != 0) return false;
  int rest = prefix % 8;
  if (rest == 0) return true;
  std::uint8_t mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (address[full] & mask) == (bytes[full] & mask);
}

Result<CidrRange> ParseCidr(const std::string& text) {
  auto fail = [&](const std::string& why) { return Error{"\"" + text + "\": " + why}; };
  if (text.empty()) return Error{"empty range: expected ADDRESS/PREFIX like 104.16.0.0/13"};
  CidrRange range;
  range.text = text;
  auto slash = text.find('/');
  std::string address = text.substr(0, slash);
  if (!ParseAddress(address, &range.bytes, &range.v6) ||
      (address.find(':') != std::string::npos && !range.v6)) {
    // A mapped IPv6 literal would silently become IPv4: refuse it in a range.
    return fail("\"" + address + "\" is not an IPv4 or IPv6 address");
  }
  int width = range.v6 ? 128 : 32;
  range.prefix = width;
  if (slash != std::string::npos) {
    std::string p = text.substr(slash + 1);
    bool digits = !p.empty() && p.size() <= 3 &&
                  std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits) return fail("prefix length \"" + p + "\" is not a number");
    range.prefix = std::stoi(p);
    if (range.prefix > width) {
      return fail("prefix length " + p + " is longer than " + std::to_string(width));
    }
  }
  auto cleared = range.bytes;
  if (ClearHostBits(&cleared, range.prefix, width)) {
    return fail("host bits set: did you mean " + AddressText(cleared, range.v6) + "/" +
                std::to_string(range.prefix) + "?");
  }
  return range;
}

Result<IpRanges> IpRanges::Parse(const std::vector<std::string>& texts) {
  std::vector<CidrRange> ranges;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    auto r = ParseCidr(texts[i]);
    if (!r) return Error{"[" + std::to_string(i) + "] " + r.error()};
    ranges.push_back(std::move(*r));
  }
  return IpRanges(std::move(ranges));
}

bool IpRanges::Contains(const std::string& address) const {
  std::array<std::uint8_t, 16> bytes{};
  bool v6 = false;
  if (!ParseAddress(address, &bytes, &v6)) return false;
  return std::any_of(ranges_.begin(), ranges_.end(),
                     [&](const CidrRange& r) { return r.Contains(bytes, v6); });
}

bool IsIpLiteral(const std::string& text) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

Result<DnsServer> ParseDnsServer(const std::string& text) {
  DnsServer server;
  std::string host = text;
  std::string port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string::npos) return Error{"\"" + text + "\": missing ']'"};
    host = text.substr(1, close - 1);
    std::string rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return Error{"\"" + text + "\": expected ':PORT' after ']'"};
      port = rest.substr(1);
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    host = text.substr(0, text.find(':'));
    port = text.substr(text.find(':') + 1);
  }
  unsigned char buf[sizeof(in6_addr)];
  if (inet_pton(AF_INET, host.c_str(), buf) == 1) {
    server.v6 = false;
  } else if (inet_pton(AF_INET6, host.c_str(), buf) == 1) {
    server.v6 = true;
  } else {
    return Error{"\"" + text + "\" is not an IP address (use IP, IP:PORT or [IPv6]:PORT)"};
  }
  server.address = host;
  if (!text.empty() && text.front() == '[' && !server.v6) {
    return Error{"\"" + text + "\": brackets are for IPv6 addresses"};
  }
  if (!port.empty() || (text.find(':') != std::string::npos && !server.v6)) {
    bool digits =
        !port.empty() && port.size() <= 5 &&
        std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
    int value = digits ? std::stoi(port) : 0;
    if (value < 1 || value > 65535) {
      return Error{"\"" + text + "\": port \"" + port + "\" is not a number from 1 to 65535"};
    }
    server.port = value;
  }
  return server;
}

}  // namespace infinity_sync
