#include "sources/common/jwt.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "paws/codes.h"
#include "sources/common/base64.h"

namespace paws {
namespace {

using json = nlohmann::json;

// A throwaway 2048-bit RSA key made for this test only (openssl genpkey),
// and the RS256 JWT of kKatClaims under it, signed by `openssl dgst
// -sha256 -sign`: RSASSA-PKCS1-v1_5 is deterministic.
constexpr const char* kTestKey = R"(-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCHOKB4cjfMoyAi
aiX56m7+CATglTRbZMLui6Lw5haoP/ZceQVaYhZZu/nCWWN1wnNuhX5uqNwiyhSg
uslb2tPyLTA0Z5xTrBCqckmAy/kdweShmgmShlXYeaXfZCESQvrreBjTpjjvMtAX
qmODMOf3cJdjHuYeK6HYdQnKzPZPGui45rQ919MCqByhE1HeaeHM4KGQ3ZxTRn6V
0/hjp01cj2MqoU0MEsULPsyf1koae/xHdxFBwcAPBEGxtfjYDlrKmS7afUv+KpVx
n5zB7Apo1L7xnn5x48Vb/CwJj6NHofW/I6lsqeyjQJPGTw1O5eMB19SqVJ5R2y3f
llPsAZ5/AgMBAAECggEAAhaORbEVCoHGgNOuEj/xW/iw/x+A2pPIIAiSlc7h7Hy+
gWr/AjL/w9MtdRWN9UUCRx9Gacb8XneyE0BlkDncsJ1UOe++Mjk/bU2XXqblko5/
2ivvE9dn0gfceYJH5NvMh/N4yiQuRzqI0HECLpbzHYo+dlyNwaCl/rwmFJh5vR0H
N/+4xjF4/DaVhHqrJdkdNE8+1e5Ita8j57gQsyfyjyoDXdL9shJkqKKFoqfsdQE2
0OrwZ+Rym2pvSFa0T3MDzjkO0oBILS358fvO1ftB2NsQwClGSOPC8pTkyV3AdOeR
lAKsuu8QMXxTnrLWQsWBps4EvBo7BNR9a7rahWz8gQKBgQC6QBSNrTGYU/L/cYfu
ZiV609TIzuTJAbNUe76EZN3bRdoZRqCbvwTbRq1ooalUd43OdHG4b1tvvgJQuhkB
+oIhwn/ZbJT6o/jY4192tMg+gZf/bKNAwwvAC/CAVTUL4kzhvY3PzmcZq2xmuR4W
8TCeNpDcm9IYm3FJNPmG/XDogQKBgQC53Ft4b0fw6mViBj2Dbkj51Up+FDYhvBLX
sM+bbyV+FZXUe/j9QZkoYl3nmmLpaVbuaJjDiT1aEqsrWQnMhhx+vJ4fzfiBE/f/
S60KkxTy/Xo3ADCg2/fKgZ97I346JFdtNCvvfQHkTvm/On1fsd/2PWsoMF05Brdv
y7SkL5cG/wKBgGOsoZNEqfMMklIUbxutfMdkEE87MgNErrU62DXASV7s3hCC1Lcl
HjM/etQxGA7FQJXJiYabycJeXJzZS0LczsHEdmlki8Iq+KUR4egETdntvuuKN0AU
YfhwK1ByyUXH4T86E2ev3UtGi2faD/lVMKCrMRFvLpvOrGzyNcwBXGiBAoGASeWU
NMFCAEahwqSqhnwt5a9pK9HLaARIFZwGH03EwWnBpbcY21DenVDm9zPKCfXJC4do
3a3OR+bOSbDgFYJpB/bkg8639FJFMysahO7P0ID5u66Gpx5uWgTJrQMCqAlU/WVV
5qV0QBsqb17JBGhLnLL0zQjVt9u0yW1byD/ns28CgYATxUlfb8eeT5hoApT/64e0
fD0s5nkpmJbrE8O3T8AOrldZwqtDsGtcYAnkaQes7qkA6iUQjApdUiLYtYd/6qw1
+9a5kmmwfS8wKwpEYLP/8fkrbL9hfHV9+LuUZKVewcboZD6LG2bTpcU/S6Zo0V0N
koyfBJ7J3q5ZYYYIGgMj7g==
-----END PRIVATE KEY-----
)";
constexpr const char* kKatJwt =
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJwYXdzLXRlc3RAZXhhbXBsZS50ZXN0Iiwic3ViIjoiY"
    "WRtaW5AZXhhbXBsZS50ZXN0IiwiYXVkIjoiaHR0cHM6Ly9vYXV0aDIuZXhhbXBsZS50ZXN0L3Rva2VuIiwic2NvcGU"
    "iOiJsb2dzLnJlYWQiLCJpYXQiOjE3NjcyMjU2MDAsImV4cCI6MTc2NzIyOTIwMH0.XjTPfI-2_G6kHq6S0-y0rkDTy"
    "bhCCAV10Nz_D-Hi8Y17bSrs52EOBoOClAI4SARfnuwocGyghxNpEjTSrUSc3Mvelu-yLq-mJi_IeL_2J3whlnAY-Q3"
    "2PiRjN4QDIAxykDZ_PqGYZcZuJjcX_o8BeSXmWq0hrZYg6xPvdJr09Xi6FYUxWYkDFKbEuSoxLO54QI5O6hYqxngRY"
    "7jgBBtZ8KPSfY7o2vyQ6npJhXDyhb4pYBt6Mfcm_zUbnBj8snRzBUzzs_KG267N33ezkE3JozHra7GeSkD79VOZcEI"
    "7FhcViIbuSrPcrcSrOx-QY5Blb5Q7iXyjjvPUr_7WUkbWJQ";

// 2026-01-01T00:00:00Z
const WallTime kNow = FromUnixMillis(1767225600000);

JwtClaims KatClaims() {
  JwtClaims c;
  c.iss = "paws-test@example.test";
  c.sub = "admin@example.test";
  c.aud = "https://oauth2.example.test/token";
  c.scope = "logs.read";
  c.lifetime = std::chrono::hours(1);
  return c;
}

using PKey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

PKey Generate(int bits) { return PKey(EVP_RSA_gen(bits), &EVP_PKEY_free); }

// PEM of `key`: PKCS#8, PKCS#1 ("traditional"), or the public key.
enum class Form { kPkcs8, kPkcs1, kPublic, kEncrypted };
std::string Pem(EVP_PKEY* key, Form form) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  switch (form) {
    case Form::kPkcs8:
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
      break;
    case Form::kPkcs1:
      PEM_write_bio_PrivateKey_traditional(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
      break;
    case Form::kPublic:
      PEM_write_bio_PUBKEY(bio.get(), key);
      break;
    case Form::kEncrypted: {
      char pass[] = "pass phrase";
      PEM_write_bio_PKCS8PrivateKey(bio.get(), key, EVP_aes_256_cbc(), pass, sizeof(pass) - 1,
                                    nullptr, nullptr);
      break;
    }
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

PKey ReadKey(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  return PKey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
}

bool Verify(EVP_PKEY* key, const std::string& jwt) {
  const size_t dot = jwt.rfind('.');
  Result<std::string> sig = Base64UrlDecode(jwt.substr(dot + 1));
  if (!sig.ok()) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  return EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig->data()),
                          sig->size(), reinterpret_cast<const unsigned char*>(jwt.data()),
                          dot) == 1;
}

// The decoded header and claims of a JWT.
std::pair<json, json> Decode(const std::string& jwt) {
  const size_t a = jwt.find('.'), b = jwt.rfind('.');
  return {json::parse(*Base64UrlDecode(jwt.substr(0, a))),
          json::parse(*Base64UrlDecode(jwt.substr(a + 1, b - a - 1)))};
}

TEST(Base64, Rfc4648Vectors) {
  const char* in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* std64[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (size_t i = 0; i < std::size(in); ++i) {
    EXPECT_EQ(Base64Encode(in[i]), std64[i]);
    std::string url = std64[i];
    url.erase(url.find_last_not_of('=') + 1);
    EXPECT_EQ(Base64UrlEncode(in[i]), url);
    EXPECT_EQ(*Base64UrlDecode(url), in[i]);
    EXPECT_EQ(*Base64UrlDecode(std64[i]), in[i]);  // padding accepted
  }
  EXPECT_EQ(Base64UrlEncode("\xfb\xff\xbf"), "-_-_");
  EXPECT_EQ(Base64Encode("\xfb\xff\xbf"), "+/+/");
  EXPECT_FALSE(Base64UrlDecode("+/+/").ok());
  EXPECT_FALSE(Base64UrlDecode("abcde").ok());
}

TEST(JwtClaims, ToJson) {
  EXPECT_EQ(KatClaims().ToJson(kNow),
            R"({"iss":"paws-test@example.test","sub":"admin@example.test",)"
            R"("aud":"https://oauth2.example.test/token","scope":"logs.read",)"
            R"("iat":1767225600,"exp":1767229200})");
  JwtClaims sf;
  sf.iss = "3MVG9-consumer-key";
  sf.sub = "api@example.test";
  sf.aud = "https://login.example.test";
  sf.with_iat = false;
  sf.extra = {{"jti", "x\"y"}};
  EXPECT_EQ(sf.ToJson(kNow),
            R"({"iss":"3MVG9-consumer-key","sub":"api@example.test",)"
            R"("aud":"https://login.example.test","exp":1767225780,"jti":"x\"y"})");
}

TEST(JwtSigner, KnownAnswer) {
  auto signer = JwtSigner::FromPem(Secret(kTestKey));
  ASSERT_TRUE(signer.ok()) << signer.status().ToString();
  EXPECT_EQ((*signer)->header_json(), R"({"alg":"RS256","typ":"JWT"})");
  Result<std::string> jwt = (*signer)->Sign(KatClaims().ToJson(kNow));
  ASSERT_TRUE(jwt.ok()) << jwt.status().ToString();
  EXPECT_EQ(*jwt, kKatJwt);
}

TEST(JwtSigner, SignsWithPkcs8AndPkcs1KeysVerifiably) {
  PKey key = Generate(2048);
  ASSERT_NE(key, nullptr);
  for (Form form : {Form::kPkcs8, Form::kPkcs1}) {
    const std::string pem = Pem(key.get(), form);
    ASSERT_NE(pem.find(form == Form::kPkcs8 ? "BEGIN PRIVATE KEY" : "BEGIN RSA PRIVATE KEY"),
              std::string::npos);
    auto signer = JwtSigner::FromPem(Secret(pem), "key-id-1");
    ASSERT_TRUE(signer.ok()) << signer.status().ToString();
    Result<std::string> jwt = (*signer)->Sign(KatClaims().ToJson(kNow));
    ASSERT_TRUE(jwt.ok());
    EXPECT_TRUE(Verify(key.get(), *jwt));
    EXPECT_EQ(std::count(jwt->begin(), jwt->end(), '.'), 2);
    EXPECT_EQ(jwt->find('='), std::string::npos);  // no padding
    auto [header, claims] = Decode(*jwt);
    EXPECT_EQ(header, json::parse(R"({"alg":"RS256","typ":"JWT","kid":"key-id-1"})"));
    EXPECT_EQ(claims["iss"], "paws-test@example.test");
    EXPECT_EQ(claims["exp"].get<int64_t>() - claims["iat"].get<int64_t>(), 3600);
    // A changed claim does not verify.
    std::string forged = *jwt;
    forged[forged.find('.') + 3] ^= 1;
    EXPECT_FALSE(Verify(key.get(), forged));
  }
  // The other key does not verify it.
  auto signer = JwtSigner::FromPem(Secret(kTestKey));
  ASSERT_TRUE(signer.ok());
  EXPECT_FALSE(Verify(key.get(), *(*signer)->Sign("{}")));
  EXPECT_TRUE(Verify(ReadKey(kTestKey).get(), *(*signer)->Sign("{}")));
}

TEST(JwtSigner, AcceptsAKeyWithEscapedNewlines) {
  std::string escaped;
  for (const char* p = kTestKey; *p; ++p)
    escaped += *p == '\n' ? std::string("\\n") : std::string(1, *p);
  auto signer = JwtSigner::FromPem(Secret(escaped));
  ASSERT_TRUE(signer.ok()) << signer.status().ToString();
  EXPECT_EQ(*(*signer)->Sign(KatClaims().ToJson(kNow)), kKatJwt);
}

TEST(JwtSigner, BadKeysAreConfigErrorsThatNeverQuoteTheKey) {
  PKey rsa = Generate(2048);
  PKey small = Generate(1024);
  PKey ec(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  ASSERT_TRUE(rsa && small && ec);
  std::string corrupt = Pem(rsa.get(), Form::kPkcs8);
  corrupt.replace(corrupt.size() / 2, 8, "!!!!!!!!");
  const std::pair<std::string, const char*> cases[] = {
      {"", "is empty"},
      {"hunter2-not-a-key", "is not PEM"},
      {Pem(rsa.get(), Form::kPublic), "is not a private key"},
      {Pem(rsa.get(), Form::kEncrypted), "is encrypted"},
      {corrupt, "cannot be read as PEM"},
      {Pem(ec.get(), Form::kPkcs8), "is not an RSA key"},
      {Pem(small.get(), Form::kPkcs8), "has 1024 bits"},
  };
  for (const auto& [pem, expected] : cases) {
    auto signer = JwtSigner::FromPem(Secret(pem));
    ASSERT_FALSE(signer.ok()) << expected;
    const Status& s = signer.status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.paws_code(), codes::kConfigInvalid);
    EXPECT_NE(s.message().find(expected), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find("hunter2"), std::string::npos);
    // No line of the PEM body appears in the message.
    size_t start = pem.find('\n');
    while (start != std::string::npos && start + 1 < pem.size()) {
      size_t end = pem.find('\n', start + 1);
      std::string line = pem.substr(start + 1, end - start - 1);
      if (line.size() > 16 && line[0] != '-') {
        EXPECT_EQ(s.message().find(line.substr(0, 16)), std::string::npos) << s.message();
      }
      start = end;
    }
  }
}

TEST(JwtSigner, SignsConcurrently) {
  auto signer = JwtSigner::FromPem(Secret(kTestKey));
  ASSERT_TRUE(signer.ok());
  const JwtSigner* s = signer->get();
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        Result<std::string> jwt = s->Sign(KatClaims().ToJson(kNow));
        if (jwt.ok() && *jwt == kKatJwt) ++good;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), 20);
}

}  // namespace
}  // namespace paws
