#include "cloud/google_jwt.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <array>
#include <memory>

#include <nlohmann/json.hpp>

namespace infinity_sync {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// OpenSSL's last error as one line, and the queue cleared (it is per thread).
std::string OpenSslError() {
  unsigned long code = ERR_get_error();
  std::string text;
  if (code != 0) {
    std::array<char, 256> buf{};
    ERR_error_string_n(code, buf.data(), buf.size());
    text = buf.data();
  }
  ERR_clear_error();
  return text.empty() ? "unknown OpenSSL error" : text;
}

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    std::uint32_t v = (static_cast<unsigned char>(bytes[i]) << 16) |
                      (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                      static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    std::uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (rest == 2) {
    std::uint32_t v = (static_cast<unsigned char>(bytes[i]) << 16) |
                      (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

Result<std::string> Base64UrlDecode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return Error{"base64url text has an impossible length"};
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    auto pos = kAlphabet.find(c);
    if (pos == std::string_view::npos) {
      return Error{std::string("base64url text has an invalid character '") + c + "'"};
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

std::string JwtSigningInput(const std::string& kid, const JwtClaims& claims) {
  // nlohmann keeps keys sorted; order does not matter to verifiers.
  nlohmann::json header = {{"alg", "RS256"}, {"typ", "JWT"}};
  if (!kid.empty()) header["kid"] = kid;
  nlohmann::json body = {{"iss", claims.iss},
                         {"scope", claims.scope},
                         {"aud", claims.aud},
                         {"iat", claims.iat},
                         {"exp", claims.exp}};
  return Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(body.dump());
}

Result<std::string> SignRs256(const std::string& private_key_pem, std::string_view data) {
  ERR_clear_error();
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size())), BIO_free);
  if (!bio) return Error{"cannot read the private key: " + OpenSslError()};
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  if (!key) return Error{"the private key is not a valid PEM private key (" + OpenSslError() + ")"};
  if (EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA) {
    return Error{"the private key is not an RSA key (RS256 needs RSA)"};
  }
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!md || EVP_DigestSignInit(md.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1) {
    return Error{"cannot start signing: " + OpenSslError()};
  }
  std::size_t size = 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  if (EVP_DigestSign(md.get(), nullptr, &size, bytes, data.size()) != 1) {
    return Error{"cannot sign: " + OpenSslError()};
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(signature.data()), &size, bytes,
                     data.size()) != 1) {
    return Error{"cannot sign: " + OpenSslError()};
  }
  signature.resize(size);
  return signature;
}

Result<std::string> MakeSignedJwt(const std::string& private_key_pem, const std::string& kid,
                                  const JwtClaims& claims) {
  std::string input = JwtSigningInput(kid, claims);
  auto signature = SignRs256(private_key_pem, input);
  if (!signature) return Error{signature.error()};
  return input + "." + Base64UrlEncode(*signature);
}

}  // namespace infinity_sync
