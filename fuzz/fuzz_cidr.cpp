// libFuzzer target: CIDR ranges, cf-ray headers and DNS server addresses.
#include <cstddef>
#include <cstdint>
#include <string>

#include "checks/cloudflare_verdict.h"
#include "cloud/cloudflare_ranges.h"
#include "ports/dns_resolver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto ranges = infinity_sync::IpRanges::Parse({text});
  if (ranges.ok()) (void)ranges->Contains("104.16.0.1");
  auto published = infinity_sync::CloudflareRanges({});
  if (published.ok()) (void)published->Contains(text);
  (void)infinity_sync::ParseCfRay(text);
  (void)infinity_sync::ParseDnsServer(text);
  return 0;
}
