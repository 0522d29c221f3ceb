#include <fmt/format.h>

#include "checks/auth_check.h"

namespace infinity_sync {

// The gcloud program's view of the active account. Native credentials (ADC,
// service-account JWT, metadata server) are not built yet.
AuthSide CheckGoogleAuth(const CheckContext& ctx, std::vector<std::string>* evidence) {
  AuthSide side;
  if (!ctx.ports.process.Exists("gcloud")) {
    side.problem = "gcloud is not installed (native Google credentials: not implemented yet)";
    return side;
  }
  ProcessRequest req;
  req.argv = {"gcloud", "auth", "list", "--format=json"};
  req.env = {{"CLOUDSDK_CORE_DISABLE_PROMPTS", "1"}};
  req.timeout = ctx.Remaining();
  ProcessResult res = ctx.ports.process.Run(req);
  evidence->push_back(fmt::format("gcloud auth list --format=json -> {} ({} ms)",
                                  res.Succeeded() ? "exit 0" : res.Describe(req.argv),
                                  res.duration.count()));
  side.method = "gcloud";
  if (!res.Succeeded()) {
    side.problem = res.Describe(req.argv);
    return side;
  }
  nlohmann::json list = nlohmann::json::parse(res.out, nullptr, false);
  if (!list.is_array()) {
    side.problem = "gcloud auth list printed something that is not a JSON list";
    return side;
  }
  for (const auto& entry : list) {
    if (entry.is_object() && entry.value("status", "") == "ACTIVE") {
      side.authenticated = true;
      side.account = entry.value("account", "");
      return side;
    }
  }
  side.problem = list.empty() ? "gcloud has no account (run: gcloud auth login)"
                              : "gcloud has no active account (run: gcloud config set account ...)";
  return side;
}

}  // namespace infinity_sync
