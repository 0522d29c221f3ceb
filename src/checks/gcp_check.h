#pragma once

#include "checks/check.h"

namespace infinity_sync {

// SPEC section 3: the gcp check.
CheckResult RunGcpCheck(const CheckContext& ctx);

}  // namespace infinity_sync
