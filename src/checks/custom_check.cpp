#include "checks/custom_check.h"

#include "checks/custom_types.h"

namespace infinity_sync {

CheckSpec CustomCheckSpec(const CustomCheckConfig& custom) {
  CheckSpec spec;
  spec.name = custom.name;
  spec.key = "CustomCheck:" + custom.name;
  spec.title = "Custom Check: " + custom.name;
  spec.label = custom.name;
  spec.required = custom.check.required;
  auto timeout = custom.timeout;
  spec.budget = [timeout](const Config& c) { return timeout.value_or(c.timeout); };
  spec.run = [custom](const CheckContext& ctx) {
    CheckResult result;
    if (custom.type == "tcp") {
      result = RunCustomTcp(custom, ctx);
    } else if (custom.type == "http") {
      result = RunCustomHttp(custom, ctx);
    } else if (custom.type == "dns") {
      result = RunCustomDns(custom, ctx);
    } else if (custom.type == "command") {
      result = RunCustomCommand(custom, ctx);
    } else {
      // The config parser rejects other types; kept for a hand-built Config.
      return CheckResult::Failure("unknown check type \"" + custom.type + "\"");
    }
    result.data["type"] = custom.type;
    return result;
  };
  return spec;
}

}  // namespace infinity_sync
