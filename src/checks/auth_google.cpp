#include "checks/auth_check.h"
#include "checks/google_credentials.h"

namespace infinity_sync {

// The first Google credential source that exists (see GoogleTokenSource): the
// environment token, the ADC file, gcloud's files, the metadata server. The
// token itself stays inside the source.
AuthSide CheckGoogleAuth(const CheckContext& ctx, std::vector<std::string>* evidence) {
  GoogleTokenSource own;
  GoogleAuthOutcome auth = TokenSourceFor(ctx, own).Get(ctx, evidence);
  AuthSide side;
  side.authenticated = auth.ok;
  side.account = auth.account;
  side.method = auth.method;
  side.problem = auth.problem;
  for (const auto& w : auth.warnings) side.note += (side.note.empty() ? "" : "; ") + w;
  return side;
}

}  // namespace infinity_sync
