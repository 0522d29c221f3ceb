#pragma once

#include "checks/check.h"

namespace infinity_sync {

// SPEC section 3: the docker check.
CheckResult RunDockerCheck(const CheckContext& ctx);

}  // namespace infinity_sync
