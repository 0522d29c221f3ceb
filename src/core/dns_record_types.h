#pragma once

#include <array>
#include <string_view>

namespace infinity_sync {

// The DNS record types a custom dns check may ask for, with their type numbers
// (RFC 1035, RFC 3596): the one list the config parser and the resolver read.
struct DnsRecordType {
  std::string_view name;  // "MX", as `record:` spells it
  int number;             // 15
};

inline constexpr std::array<DnsRecordType, 5> kDnsRecordTypes = {{
    {"A", 1},
    {"AAAA", 28},
    {"MX", 15},
    {"TXT", 16},
    {"CNAME", 5},
}};

// The type number of `name`, or 0 for a type not in the list.
constexpr int DnsTypeNumber(std::string_view name) {
  for (const auto& t : kDnsRecordTypes) {
    if (t.name == name) return t.number;
  }
  return 0;
}

}  // namespace infinity_sync
