#pragma once

#include "checks/check.h"

namespace infinity_sync {

// SPEC section 3: the cloudflare check.
CheckResult RunCloudflareCheck(const CheckContext& ctx);

}  // namespace infinity_sync
