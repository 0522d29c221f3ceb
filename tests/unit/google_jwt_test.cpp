#include "cloud/google_jwt.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lib/test_support.h"

namespace infinity_sync {
namespace {

using testing::FixturePath;
using testing::ReadFile;

TEST(GoogleJwt, Base64UrlMatchesRfc4648Vectors) {
  // RFC 4648 section 10, in the url alphabet without padding.
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(Base64UrlEncode("fooba"), "Zm9vYmE");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff\xbf"), "-_-_");
  for (std::string s : {"", "a", "ab", "abc", "\x00\xff\xfe\x7f"}) {
    auto back = Base64UrlDecode(Base64UrlEncode(s));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, s);
  }
  EXPECT_EQ(*Base64UrlDecode("Zm8="), "fo");
  EXPECT_FALSE(Base64UrlDecode("Zm+v").ok());
  EXPECT_FALSE(Base64UrlDecode("Z").ok());
}

TEST(GoogleJwt, SigningInputHasGooglesHeaderAndClaims) {
  JwtClaims claims{"sa@p.iam.gserviceaccount.com", "https://www.googleapis.com/auth/cloud-platform",
                   "https://oauth2.googleapis.com/token", 1700000000, 1700003600};
  std::string input = JwtSigningInput("kid-1", claims);
  auto dot = input.find('.');
  ASSERT_NE(dot, std::string::npos);
  auto header = nlohmann::json::parse(*Base64UrlDecode(input.substr(0, dot)));
  auto body = nlohmann::json::parse(*Base64UrlDecode(input.substr(dot + 1)));
  EXPECT_EQ(header, nlohmann::json({{"alg", "RS256"}, {"typ", "JWT"}, {"kid", "kid-1"}}));
  EXPECT_EQ(body["iss"], "sa@p.iam.gserviceaccount.com");
  EXPECT_EQ(body["scope"], "https://www.googleapis.com/auth/cloud-platform");
  EXPECT_EQ(body["aud"], "https://oauth2.googleapis.com/token");
  EXPECT_EQ(body["iat"], 1700000000);
  EXPECT_EQ(body["exp"], 1700003600);
  EXPECT_EQ(input.find('='), std::string::npos);
  std::string no_kid = JwtSigningInput("", claims);
  auto no_kid_header = nlohmann::json::parse(*Base64UrlDecode(no_kid.substr(0, no_kid.find('.'))));
  EXPECT_FALSE(no_kid_header.contains("kid"));
}

// The signature checked by the openssl program with the public key: an
// independent verifier, not our own code.
bool OpensslVerifies(const std::string& pub_fixture, const std::string& data,
                     const std::string& signature) {
  testing::TempDir dir;
  testing::WriteFile(dir / "data", data);
  testing::WriteFile(dir / "sig", signature);
  ProcessResult res =
      testing::Run({"openssl", "dgst", "-sha256", "-verify", FixturePath(pub_fixture), "-signature",
                    dir / "sig", dir / "data"});
  return res.Succeeded();
}

TEST(GoogleJwt, SignedJwtVerifiesWithThePublicKey) {
  std::string key = ReadFile(FixturePath("google/test_sa_key.pem"));
  JwtClaims claims{"sa@p", "s", "http://127.0.0.1/token", 1, 3601};
  auto jwt = MakeSignedJwt(key, "k1", claims);
  ASSERT_TRUE(jwt.ok()) << jwt.error();
  auto last = jwt->rfind('.');
  std::string input = jwt->substr(0, last);
  EXPECT_EQ(input, JwtSigningInput("k1", claims));
  auto signature = Base64UrlDecode(jwt->substr(last + 1));
  ASSERT_TRUE(signature.ok());
  EXPECT_EQ(signature->size(), 256u);  // RSA 2048
  EXPECT_TRUE(OpensslVerifies("google/test_sa_key.pub.pem", input, *signature));
  EXPECT_FALSE(OpensslVerifies("google/test_sa_key.pub.pem", input + "x", *signature));
  // Signed with another key: the public key refuses it.
  auto other = SignRs256(ReadFile(FixturePath("google/other_key.pem")), input);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(OpensslVerifies("google/test_sa_key.pub.pem", input, *other));
}

TEST(GoogleJwt, BadKeysGiveClearErrorsWithoutTheKey) {
  auto not_pem = SignRs256("not a key", "x");
  ASSERT_FALSE(not_pem.ok());
  EXPECT_NE(not_pem.error().find("not a valid PEM private key"), std::string::npos);
  EXPECT_EQ(not_pem.error().find("not a key"), std::string::npos);

  testing::TempDir dir;
  testing::MustRun({"openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-out", dir / "ec.pem"});
  auto ec = SignRs256(ReadFile(dir / "ec.pem"), "x");
  ASSERT_FALSE(ec.ok());
  EXPECT_EQ(ec.error(), "the private key is not an RSA key (RS256 needs RSA)");
}

}  // namespace
}  // namespace infinity_sync
