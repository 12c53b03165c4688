#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "paws/codes.h"
#include "sources/common/base64.h"
#include "sources/common/oauth2.h"
#include "sources/common/oauth2_test_fixture.h"

namespace paws {
namespace testing_oauth2 {
namespace {

// An RSA key for the JWT bearer grant, and its PEM.
struct TestKey {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{EVP_RSA_gen(2048), &EVP_PKEY_free};
  std::string Pem() const {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(len));
  }
  bool Verifies(const std::string& jwt) const {
    const size_t dot = jwt.rfind('.');
    Result<std::string> sig = Base64UrlDecode(jwt.substr(dot + 1));
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    return sig.ok() &&
           EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
           EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig->data()),
                            sig->size(), reinterpret_cast<const unsigned char*>(jwt.data()),
                            dot) == 1;
  }
};

TEST_F(OAuth2Test, JwtBearerGrant) {
  TestKey key;
  auto signer = JwtSigner::FromPem(Secret(key.Pem()));
  ASSERT_TRUE(signer.ok()) << signer.status().ToString();
  JwtBearerOptions options;
  options.token_url = server_.url() + "/oauth2/token";
  options.claims.iss = "3MVG9-consumer";
  options.claims.sub = "api@example.test";
  options.claims.aud = "https://login.example.test";
  // Salesforce: no expires_in, an instance_url.
  Answer(200, std::string(R"({"access_token":")") + kToken +
                  R"(","instance_url":"https://acme.my.example.test","token_type":"Bearer"})");
  JwtBearerToken token(&api_, std::move(signer).value(), options);
  Result<AccessToken> t = token.Get(Deadline());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->value.reveal(), kToken);
  EXPECT_EQ(t->lifetime, std::chrono::minutes(15));  // the default
  EXPECT_EQ(t->fields.at("instance_url"), "https://acme.my.example.test");

  const std::string body = LastBody();
  EXPECT_EQ(Field(body, "grant_type"), "urn:ietf:params:oauth:grant-type:jwt-bearer");
  const std::string assertion = Field(body, "assertion");
  ASSERT_TRUE(key.Verifies(assertion));
  const size_t a = assertion.find('.'), b = assertion.rfind('.');
  json claims = json::parse(*Base64UrlDecode(assertion.substr(a + 1, b - a - 1)));
  EXPECT_EQ(claims["iss"], "3MVG9-consumer");
  EXPECT_EQ(claims["sub"], "api@example.test");
  EXPECT_EQ(claims["aud"], "https://login.example.test");
  EXPECT_EQ(claims["iat"], ToUnixMillis(clock_.Now()) / 1000);
  EXPECT_EQ(claims["exp"], ToUnixMillis(clock_.Now()) / 1000 + 180);

  // Cached; a new assertion (with the new time) after the default lifetime.
  ASSERT_TRUE(token.Get(Deadline()).ok());
  EXPECT_EQ(hits_, 1);
  clock_.Advance(std::chrono::minutes(15));
  ASSERT_TRUE(token.Get(Deadline()).ok());
  EXPECT_EQ(hits_, 2);
  EXPECT_NE(Field(LastBody(), "assertion"), assertion);

  // A server that quotes the assertion, or its signature, in an error.
  for (int echo : {1, 2}) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      echo_assertion_ = echo;
      status_ = 400;
    }
    token.Invalidate();
    t = token.Get(Deadline());
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.status().code(), StatusCode::kUnauthenticated);
    EXPECT_NE(t.status().message().find("invalid_grant: bad <redacted>"), std::string::npos)
        << t.status().message();
    const std::string sent = Field(LastBody(), "assertion");
    ExpectClean(t.status(), {sent, sent.substr(sent.rfind('.') + 1)});
  }
}

}  // namespace
}  // namespace testing_oauth2
}  // namespace paws
