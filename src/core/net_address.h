#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

// Pure parsers of network addresses, shared by the configuration (which
// validates them at load) and the ports and clients that use them.
namespace infinity_sync {

// One CIDR range, IPv4 or IPv6, with the host bits cleared.
struct CidrRange {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first 4
  int prefix = 0;
  std::string text;  // as written

  // True when `address` (same family) lies in the range. An address of the
  // other family never matches.
  bool Contains(const std::array<std::uint8_t, 16>& address, bool address_v6) const;
};

// Parses "104.16.0.0/13" or "2606:4700::/32". A bare address is a /32 or /128.
// Errors name the text and what is wrong ("prefix length 33 is longer than 32",
// "host bits set: did you mean 10.0.0.0/8?").
Result<CidrRange> ParseCidr(const std::string& text);

// A set of ranges with a pure matcher. Thread-safe once built.
class IpRanges {
 public:
  IpRanges() = default;
  explicit IpRanges(std::vector<CidrRange> ranges) : ranges_(std::move(ranges)) {}

  // Parses every entry; the error names the first bad one by its index
  // ("[2] \"10.0.0.0/33\": prefix length 33 is longer than 32").
  static Result<IpRanges> Parse(const std::vector<std::string>& texts);

  // True when `address` (IPv4 or IPv6 text; IPv4-mapped IPv6 counts as IPv4)
  // is in one of the ranges. Not an address: false.
  bool Contains(const std::string& address) const;
  const std::vector<CidrRange>& ranges() const { return ranges_; }

 private:
  std::vector<CidrRange> ranges_;
};

// A DNS server address from a `dns_servers` entry.
struct DnsServer {
  std::string address;  // IPv4 or IPv6 text, no brackets
  int port = 53;
  bool v6 = false;
};

// Parses "1.2.3.4", "1.2.3.4:5353", "::1", "[::1]:5353". The error says what
// is wrong with `text` (a host name, a bad port, ...).
Result<DnsServer> ParseDnsServer(const std::string& text);

// True when `text` is an IPv4 or IPv6 address literal (no brackets).
bool IsIpLiteral(const std::string& text);

}  // namespace infinity_sync
