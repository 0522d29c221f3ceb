#pragma once

#include "checks/check.h"

namespace infinity_sync {

// The table row for one `checks:` entry (SPEC section 3.6): key
// "CustomCheck:<name>", section title "Custom Check: <name>".
CheckSpec CustomCheckSpec(const CustomCheckConfig& config);

}  // namespace infinity_sync
