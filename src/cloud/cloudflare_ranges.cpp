#include "cloud/cloudflare_ranges.h"

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

const std::vector<std::string>& CloudflarePublishedRanges() {
  static const std::vector<std::string> kRanges = {
      // IPv4
      "173.245.48.0/20", "103.21.244.0/22", "103.22.200.0/22", "103.31.4.0/22", "141.101.64.0/18",
      "108.162.192.0/18", "190.93.240.0/20", "188.114.96.0/20", "197.234.240.0/22",
      "198.41.128.0/17", "162.158.0.0/15", "104.16.0.0/13", "104.24.0.0/14", "172.64.0.0/13",
      "131.0.72.0/22",
      // IPv6
      "2400:cb00::/32", "2606:4700::/32", "2803:f800::/32", "2405:b500::/32", "2405:8100::/32",
      "2a06:98c0::/29", "2c0f:f248::/32"};
  return kRanges;
}

Result<IpRanges> CloudflareRanges(const std::vector<std::string>& configured) {
  return IpRanges::Parse(configured.empty() ? CloudflarePublishedRanges() : configured);
}

}  // namespace infinity_sync
