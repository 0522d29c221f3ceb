#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace infinity_sync {

// base64url without padding (RFC 7515 appendix C), as JWTs spell it.
std::string Base64UrlEncode(std::string_view bytes);
// The reverse; accepts input with or without '=' padding. Error on other characters.
Result<std::string> Base64UrlDecode(std::string_view text);

// The claims of a Google service-account assertion (jwt-bearer grant).
struct JwtClaims {
  std::string iss;    // the service account's client_email
  std::string scope;  // space separated
  std::string aud;    // the token endpoint the assertion is posted to
  std::int64_t iat = 0;
  std::int64_t exp = 0;  // iat + 3600
};

// "b64url(header).b64url(claims)" with header {"alg":"RS256","typ":"JWT","kid":kid}
// ("kid" left out when empty). Pure.
std::string JwtSigningInput(const std::string& kid, const JwtClaims& claims);

// RSASSA-PKCS1-v1_5 SHA-256 signature of `data` with a PEM private key (PKCS#8
// or PKCS#1), through OpenSSL's EVP API. Errors say what is wrong with the key;
// they never contain the key. Thread-safe.
Result<std::string> SignRs256(const std::string& private_key_pem, std::string_view data);

// A complete signed JWT: signing input + "." + b64url(signature).
Result<std::string> MakeSignedJwt(const std::string& private_key_pem, const std::string& kid,
                                  const JwtClaims& claims);

}  // namespace infinity_sync
