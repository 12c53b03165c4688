#include "tools/fake_saas/services/gsuite.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <nlohmann/json.hpp>
#include <set>

#include "sources/common/jwt.h"
#include "sources/common/paging.h"
#include "tools/fake_saas/fake_events.h"

namespace paws {
namespace {

using json = nlohmann::json;
using std::chrono::seconds;

constexpr const char* kBase = "http://fake-saas.test/t/acme";
constexpr const char* kScope = "https://www.googleapis.com/auth/admin.reports.audit.readonly";

// A 2048-bit RSA key: its private PEM (for the signer) and public PEM (for
// the fake).
struct TestKey {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{EVP_RSA_gen(2048), &EVP_PKEY_free};
  std::string Pem(bool pub) const {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (pub) {
      PEM_write_bio_PUBKEY(bio.get(), key.get());
    } else {
      PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    }
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(len));
  }
};

const TestKey& Key() {
  static const TestKey* key = new TestKey;
  return *key;
}

class FakeGsuiteTest : public ::testing::Test {
 protected:
  FakeGsuiteTest() {
    FakeGsuiteOptions options;
    options.public_key_pem = Key().Pem(true);
    api_.AddService(MakeFakeGsuiteService(options));
  }

  JwtClaims Claims() const {
    JwtClaims c;
    c.iss = "paws@project.iam.gserviceaccount.com";
    c.sub = "admin@acme.example";
    c.scope = kScope;
    c.aud = std::string(kBase) + "/oauth2/v4/token";
    c.lifetime = seconds(3600);
    return c;
  }
  FakeResponse PostToken(const JwtClaims& claims, const TestKey& key = Key()) {
    auto signer = JwtSigner::FromPem(Secret(key.Pem(false)), "kid-1");
    EXPECT_TRUE(signer.ok()) << signer.status().ToString();
    std::string jwt = *(*signer)->Sign(claims.ToJson(clock_.Now()));
    return api_.Handle(FakeRequest::FromUrl(
        "POST", std::string(kBase) + "/oauth2/v4/token", {},
        BuildQuery(
            {{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"}, {"assertion", jwt}})));
  }
  std::string Token() {
    FakeResponse res = PostToken(Claims());
    EXPECT_EQ(res.status, 200) << res.body;
    return json::parse(res.body).value("access_token", "");
  }
  FakeResponse List(const std::string& app, const QueryParams& q, const std::string& token) {
    return api_.Handle(FakeRequest::FromUrl(
        "GET",
        AppendQuery(std::string(kBase) + "/admin/reports/v1/activity/users/all/applications/" + app,
                    q),
        {{"Authorization", "Bearer " + token}}));
  }
  static std::string Reason(const FakeResponse& res) {
    return json::parse(res.body)["error"]["errors"][0].value("reason", "");
  }

  FakeClock clock_{*ParseRfc3339("2026-01-01T00:00:00Z")};  // one activity a second
  FakeApi api_{&clock_};
};

TEST_F(FakeGsuiteTest, TokenEndpointChecksTheAssertion) {
  FakeResponse res = PostToken(Claims());
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(json::parse(res.body)["expires_in"], 3600);

  TestKey other;
  res = PostToken(Claims(), other);
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(json::parse(res.body)["error_description"], "Invalid JWT Signature.");
  JwtClaims c = Claims();
  c.aud = "https://oauth2.googleapis.com/token";
  EXPECT_EQ(json::parse(PostToken(c).body)["error_description"],
            "Invalid JWT: Failed audience check.");
  c = Claims();
  c.lifetime = seconds(7200);
  EXPECT_EQ(PostToken(c).status, 400);
  c = Claims();
  c.sub = "";
  EXPECT_EQ(json::parse(PostToken(c).body)["error"], "unauthorized_client");
  c = Claims();
  c.scope = "https://www.googleapis.com/auth/admin.directory.user";
  EXPECT_EQ(PostToken(c).status, 401);
  ASSERT_TRUE(api_.ConfigureTenant("acme", std::nullopt, "someone@else.example").ok());
  EXPECT_EQ(json::parse(PostToken(Claims()).body)["error"], "invalid_grant");
  EXPECT_EQ(api_.Handle(FakeRequest::FromUrl("POST", std::string(kBase) + "/oauth2/v4/token", {},
                                             "grant_type=client_credentials"))
                .status,
            400);
}

TEST_F(FakeGsuiteTest, PagesAWindowNewestFirstWithTokens) {
  const std::string token = Token();
  const QueryParams window = {{"startTime", "2025-12-31T23:50:00.000Z"},
                              {"endTime", "2025-12-31T23:55:00.000Z"},
                              {"maxResults", "120"}};
  std::vector<std::string> ids;
  std::string page_token;
  for (int page = 0; page < 10; ++page) {
    QueryParams q = window;
    if (!page_token.empty()) q.emplace_back("pageToken", page_token);
    FakeResponse res = List("login", q, token);
    ASSERT_EQ(res.status, 200) << res.body;
    json body = json::parse(res.body);
    for (const json& a : body["items"]) {
      EXPECT_EQ(a["id"]["applicationName"], "login");
      ids.push_back(a["id"]["time"].get<std::string>() + "/" +
                    a["id"]["uniqueQualifier"].get<std::string>());
    }
    page_token = body.value("nextPageToken", "");
    if (page_token.empty()) break;
  }
  ASSERT_EQ(ids.size(), 300u);
  EXPECT_EQ(ids.front(), FakeGsuiteEventId("acme", "login", 1767225299, 1000));  // 23:54:59
  EXPECT_EQ(ids.back(), FakeGsuiteEventId("acme", "login", 1767225000, 1000));   // 23:50:00
  std::vector<std::string> served = api_.ServedIds("acme", "login");
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()),
            std::set<std::string>(served.begin(), served.end()));

  // A token of another window, a bad application or bad times: 400.
  QueryParams q = {{"startTime", "2025-12-31T23:00:00Z"}, {"pageToken", page_token + "x"}};
  EXPECT_EQ(List("login", q, token).status, 400);
  EXPECT_EQ(List("nosuchapp", window, token).status, 400);
  EXPECT_EQ(List("login", {{"startTime", "yesterday"}}, token).status, 400);
  // An empty window has no items member.
  FakeResponse res = List("drive", {{"startTime", "2026-01-01T00:00:00Z"}}, token);
  ASSERT_EQ(res.status, 200);
  EXPECT_FALSE(json::parse(res.body).contains("items"));
}

TEST_F(FakeGsuiteTest, TokensExpireAndFaultsAnswerInGooglesShape) {
  const std::string token = Token();
  EXPECT_EQ(List("admin", {}, token).status, 200);
  clock_.Advance(seconds(3600));
  FakeResponse res = List("admin", {}, token);
  EXPECT_EQ(res.status, 401);
  EXPECT_EQ(Reason(res), "authError");

  const std::string fresh = Token();
  ASSERT_TRUE(api_.SetFault({"acme", "admin", FakeFaultKind::k429, 7, 0, 1}).ok());
  res = List("admin", {}, fresh);
  EXPECT_EQ(res.status, 429);
  EXPECT_EQ(HttpResponse({res.status, res.headers, res.body}).Header("Retry-After"), "7");
  EXPECT_EQ(Reason(res), "rateLimitExceeded");
  EXPECT_EQ(List("admin", {}, fresh).status, 200);
}

TEST(FakeGsuiteQuota, PerMinuteAndDailyLimits) {
  FakeClock clock{*ParseRfc3339("2026-01-01T00:00:00Z")};
  FakeApi api{&clock};
  FakeGsuiteOptions options;
  options.queries_per_minute = 2;
  options.queries_per_day = 3;
  api.AddService(MakeFakeGsuiteService(options));
  JwtClaims c;
  c.iss = "paws@project.iam.gserviceaccount.com";
  c.sub = "admin@acme.example";
  c.scope = kScope;
  c.aud = std::string(kBase) + "/oauth2/v4/token";
  auto signer = JwtSigner::FromPem(Secret(Key().Pem(false)));
  ASSERT_TRUE(signer.ok());
  FakeResponse t = api.Handle(FakeRequest::FromUrl(
      "POST", std::string(kBase) + "/oauth2/v4/token", {},
      BuildQuery({{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"},
                  {"assertion", *(*signer)->Sign(c.ToJson(clock.Now()))}})));
  ASSERT_EQ(t.status, 200) << t.body;
  const std::string auth = "Bearer " + json::parse(t.body)["access_token"].get<std::string>();
  auto list = [&] {
    return api.Handle(FakeRequest::FromUrl(
        "GET", std::string(kBase) + "/admin/reports/v1/activity/users/all/applications/token",
        {{"Authorization", auth}}));
  };
  auto reason = [](const FakeResponse& r) {
    return json::parse(r.body)["error"]["errors"][0].value("reason", "");
  };
  EXPECT_EQ(list().status, 200);
  EXPECT_EQ(list().status, 200);
  FakeResponse res = list();
  EXPECT_EQ(res.status, 403);
  EXPECT_EQ(reason(res), "rateLimitExceeded");
  clock.Advance(seconds(60));
  EXPECT_EQ(list().status, 200);
  res = list();
  EXPECT_EQ(res.status, 403);
  EXPECT_EQ(reason(res), "dailyLimitExceeded");
}

}  // namespace
}  // namespace paws
