#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/net_address.h"
#include "core/result.h"

namespace infinity_sync {

// Cloudflare's published IPv4 and IPv6 ranges (cloudflare.com/ips).
const std::vector<std::string>& CloudflarePublishedRanges();

// `configured` (cloudflare.ip_ranges) when not empty, else the published ranges.
Result<IpRanges> CloudflareRanges(const std::vector<std::string>& configured);

}  // namespace infinity_sync
