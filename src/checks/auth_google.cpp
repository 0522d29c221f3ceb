#include "checks/auth_check.h"
#include "cloud/google_credentials.h"

namespace infinity_sync {

// The first Google credential source that yields a token (see
// GoogleTokenSource): the environment token, the ADC file, gcloud, the
// metadata server. The token itself stays inside the source.
AuthSide CheckGoogleAuth(const CheckContext& ctx, std::vector<std::string>* evidence) {
  GoogleTokenSource own;
  GoogleAuthOutcome auth = TokenSourceFor(ctx, own).Get(ctx, evidence);
  AuthSide side;
  side.authenticated = auth.ok;
  side.account = auth.account;
  side.method = auth.method;
  side.problem = auth.problem;
  for (const auto& w : auth.warnings) evidence->push_back("skipped Google credentials: " + w);
  return side;
}

}  // namespace infinity_sync
