#include "checks/cloudflare_check.h"

namespace infinity_sync {

CheckResult RunCloudflareCheck(const CheckContext& /*ctx*/) {
  // Not built yet: report it honestly rather than pretend to be in sync.
  return CheckResult::Failure("not implemented yet");
}

}  // namespace infinity_sync
