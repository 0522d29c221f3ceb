#include "checks/custom_check.h"

#include "checks/custom_types.h"

namespace infinity_sync {

namespace {

CheckResult RunKind(CustomCheckKind kind, const CustomCheckConfig& custom,
                    const CheckContext& ctx) {
  // No default: a kind added to the type rows fails the build here until it runs.
  switch (kind) {
    case CustomCheckKind::kTcp:
      return RunCustomTcp(custom, ctx);
    case CustomCheckKind::kHttp:
      return RunCustomHttp(custom, ctx);
    case CustomCheckKind::kDns:
      return RunCustomDns(custom, ctx);
    case CustomCheckKind::kCommand:
      return RunCustomCommand(custom, ctx);
  }
  return CheckResult::Failure("unknown check kind");
}

}  // namespace

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
    const CustomCheckType* type = FindCustomCheckType(custom.type);
    // The config parser rejects other types; kept for a hand-built Config.
    if (!type) return CheckResult::Failure("unknown check type \"" + custom.type + "\"");
    CheckResult result = RunKind(type->kind, custom, ctx);
    result.data["type"] = custom.type;
    return result;
  };
  return spec;
}

}  // namespace infinity_sync
