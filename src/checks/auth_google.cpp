#include "checks/auth_check.h"
#include "checks/gcloud_files.h"
#include "checks/google_credentials.h"

namespace infinity_sync {
namespace {

// gcloud's active account has stored credentials that parse as a credential
// (what `gcloud auth list` would mark active and usable). Nothing is refreshed.
bool GcloudAccountUsable(const CheckContext& ctx) {
  GcloudConfig cfg = ReadGcloudConfig(ctx);
  if (cfg.dir.empty() || !cfg.file_error.empty()) return false;
  std::string account = cfg.Property(ctx, "core", "account");
  if (account.empty()) return false;
  auto stored = ReadGcloudAccount(cfg.dir, account);
  if (!stored || !*stored) return false;
  nlohmann::json j = nlohmann::json::parse((**stored).credential_json, nullptr, false);
  // Older SDKs store user credentials without a "type".
  if (j.is_object() && !j.contains("type") && j.contains("refresh_token")) {
    j["type"] = "authorized_user";
  }
  return !j.is_discarded() && ParseCredentialsFile(j.dump(), "credentials.db").ok();
}

}  // namespace

// The first Google credential source that exists (see GoogleTokenSource): the
// environment token, the ADC file, gcloud's files, the metadata server. The
// token itself stays inside the source.
AuthSide CheckGoogleAuth(const CheckContext& ctx) {
  GoogleTokenSource own;
  GoogleAuthOutcome auth = TokenSourceFor(ctx, own).Get(ctx);
  AuthSide side;
  side.authenticated = auth.ok;
  side.cli = (auth.ok && auth.method == "gcloud") || GcloudAccountUsable(ctx);
  side.account = auth.account;
  side.method = auth.method;
  side.problem = auth.problem;
  for (const auto& w : auth.warnings) side.note += (side.note.empty() ? "" : "; ") + w;
  return side;
}

}  // namespace infinity_sync
