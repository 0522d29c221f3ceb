#include "checks/custom_check.h"

namespace infinity_sync {

CheckSpec CustomCheckSpec(const CustomCheckConfig& custom) {
  CheckSpec spec;
  spec.name = custom.name;
  spec.key = "CustomCheck:" + custom.name;
  spec.title = "Custom Check: " + custom.name;
  spec.label = custom.name;
  auto timeout = custom.timeout;
  spec.budget = [timeout](const Config& c) { return timeout.value_or(c.timeout); };
  spec.run = [](const CheckContext&) {
    // Custom checks are configured and listed, but not run yet.
    return CheckResult::Failure("custom checks are not implemented yet");
  };
  return spec;
}

}  // namespace infinity_sync
