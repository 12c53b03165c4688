#include "tools/fake_saas/services/salesforce.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sources/common/jwt.h"
#include "sources/common/paging.h"
#include "sources/salesforce/salesforce_test_key.h"
#include "tools/fake_saas/fake_events.h"

namespace paws {
namespace {

using json = nlohmann::json;
using std::chrono::seconds;

constexpr const char* kBase = "http://fake-saas.test/t/acme";
constexpr const char* kQueryPath = "/services/data/v58.0/query";

const SalesforceTestKey& Key() {
  static const SalesforceTestKey key = SalesforceTestKey::Generate();
  return key;
}

class FakeSalesforceTest : public ::testing::Test {
 protected:
  FakeSalesforceTest() {
    FakeSalesforceOptions o;
    o.public_key_pem = Key().public_pem;
    o.session_lifetime = seconds(600);
    o.daily_request_limit = 20;
    api_.AddService(MakeFakeSalesforceService(o));
  }

  // A token response for an assertion with these claims, signed by `pem`.
  FakeResponse TokenFor(JwtClaims claims, const std::string& pem = Key().private_pem) {
    auto signer = JwtSigner::FromPem(Secret(pem));
    EXPECT_TRUE(signer.ok()) << signer.status().ToString();
    auto jwt = (*signer)->Sign(claims.ToJson(clock_.Now()));
    const std::string form = BuildQuery(
        {{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"}, {"assertion", *jwt}});
    return api_.Handle(FakeRequest::FromUrl("POST", std::string(kBase) + "/services/oauth2/token",
                                            {}, form));
  }
  static JwtClaims Claims() {
    JwtClaims c;
    c.iss = "consumer-key";
    c.sub = "collector@acme.example";
    c.aud = "https://login.salesforce.com";
    return c;
  }
  std::string Token() {
    FakeResponse res = TokenFor(Claims());
    EXPECT_EQ(res.status, 200) << res.body;
    json j = json::parse(res.body);
    EXPECT_EQ(j["instance_url"], kBase);
    return j.value("access_token", "");
  }
  FakeResponse Get(const std::string& path_and_query, const std::string& token,
                   const std::string& batch = "") {
    HttpHeaders h = {{"Authorization", "Bearer " + token}};
    if (!batch.empty()) h.emplace_back("Sforce-Query-Options", "batchSize=" + batch);
    return api_.Handle(FakeRequest::FromUrl("GET", "http://fake-saas.test" + path_and_query, h));
  }
  FakeResponse Query(const std::string& soql, const std::string& token,
                     const std::string& batch = "") {
    return Get(AppendQuery(std::string("/t/acme") + kQueryPath, {{"q", soql}}), token, batch);
  }
  static std::string ErrorCode(const FakeResponse& res) {
    json j = json::parse(res.body, nullptr, false);
    return j.is_array() && !j.empty() ? j[0].value("errorCode", "") : "";
  }
  static std::vector<std::string> Ids(const json& page) {
    std::vector<std::string> ids;
    for (const json& r : page["records"]) ids.push_back(r["Id"]);
    return ids;
  }

  FakeClock clock_{*ParseRfc3339("2026-01-01T00:00:00Z")};  // 60 events a minute
  FakeApi api_{&clock_};
};

TEST_F(FakeSalesforceTest, IdsSortAsTheRecordsDo) {
  EXPECT_EQ(FakeSalesforceId("LoginHistory", 7), "0Ya0000000000007AA");
  EXPECT_LT(FakeSalesforceId("ApiEvent", 9), FakeSalesforceId("ApiEvent", 10));
  EXPECT_EQ(ParseFakeSalesforceId(FakeSalesforceId("EventLogFile", 1234567)), 1234567);
  EXPECT_FALSE(ParseFakeSalesforceId("0Ya000000000000x7AA"));
  EXPECT_FALSE(ParseFakeSalesforceId("0Ya0000000000007"));
}

TEST_F(FakeSalesforceTest, TokenEndpointChecksTheAssertion) {
  EXPECT_FALSE(Token().empty());
  auto error = [](const FakeResponse& res) {
    return std::to_string(res.status) + " " + json::parse(res.body).value("error", "");
  };
  EXPECT_EQ(error(TokenFor(Claims(), SalesforceTestKey::Generate().private_pem)),
            "400 invalid_grant");
  JwtClaims c = Claims();
  c.aud = "https://test.salesforce.com";
  EXPECT_EQ(error(TokenFor(c)), "400 invalid_grant");
  c = Claims();
  c.sub = "";
  EXPECT_EQ(error(TokenFor(c)), "400 invalid_grant");
  c = Claims();
  c.lifetime = seconds(-5);
  EXPECT_EQ(error(TokenFor(c)), "400 invalid_grant");
  ASSERT_TRUE(api_.ConfigureTenant("acme", std::nullopt, "the-key").ok());
  EXPECT_EQ(error(TokenFor(Claims())), "400 invalid_client_id");
  FakeResponse res = api_.Handle(FakeRequest::FromUrl(
      "POST", std::string(kBase) + "/services/oauth2/token", {}, "grant_type=password"));
  EXPECT_EQ(error(res), "400 unsupported_grant_type");
}

TEST_F(FakeSalesforceTest, PagesAWindowWithNextRecordsUrl) {
  clock_.Advance(seconds(600));  // 600 records since midnight
  const std::string token = Token();
  FakeResponse res = Query(
      "SELECT Id FROM LoginHistory WHERE UserId in (SELECT Id FROM User) AND LoginTime >= "
      "2026-01-01T00:00:00.000Z AND LoginTime < 2026-01-01T00:08:20.000Z ORDER BY Id ASC",
      token, "200");
  std::vector<std::string> ids;
  for (int page = 0; page < 10; ++page) {
    ASSERT_EQ(res.status, 200) << res.body;
    json j = json::parse(res.body);
    EXPECT_EQ(j["totalSize"], 500);
    for (const std::string& id : Ids(j)) ids.push_back(id);
    if (j["done"] == true) break;
    res = Get(j["nextRecordsUrl"], token);
  }
  ASSERT_EQ(ids.size(), 500u);
  const int64_t k0 = ToUnixMillis(*ParseRfc3339("2026-01-01T00:00:00Z")) / 1000;
  EXPECT_EQ(ids.front(), FakeSalesforceId("LoginHistory", k0));
  EXPECT_EQ(ids.back(), FakeSalesforceId("LoginHistory", k0 + 499));
  EXPECT_EQ(api_.ServedIds("acme", "LoginHistory").size(), 500u);
  json first = json::parse(Query("SELECT Id FROM LoginHistory WHERE LoginTime >= "
                                 "2026-01-01T00:00:00.000Z AND Id > '" +
                                     ids[9] + "' ORDER BY Id ASC LIMIT 3",
                                 token)
                               .body);
  EXPECT_EQ(Ids(first), (std::vector<std::string>{ids[10], ids[11], ids[12]}));
  EXPECT_EQ(first["records"][0]["LoginTime"], "2026-01-01T00:00:10.000+0000");
  EXPECT_EQ(first["records"][0]["attributes"]["type"], "LoginHistory");
}

TEST_F(FakeSalesforceTest, EventObjectsNewestFirst) {
  const std::string token = Token();
  json j = json::parse(Query("SELECT Id, EventDate FROM LoginEvent WHERE EventDate >= "
                             "2025-12-31T23:59:57.000Z AND EventDate < 2026-01-01T00:00:00.000Z "
                             "AND EventDate < 2025-12-31T23:59:59.000Z ORDER BY EventDate DESC",
                             token)
                           .body);
  ASSERT_EQ(j["records"].size(), 2u);
  EXPECT_EQ(j["records"][0]["EventDate"], "2025-12-31T23:59:58.000+0000");
  EXPECT_EQ(j["records"][1]["EventDate"], "2025-12-31T23:59:57.000+0000");
}

TEST_F(FakeSalesforceTest, ErrorsInSalesforcesShape) {
  const std::string token = Token();
  const std::string q = "SELECT Id FROM ApiEvent WHERE EventDate >= 2025-12-31T00:00:00.000Z";
  EXPECT_EQ(ErrorCode(Query(q, "nope")), "INVALID_SESSION_ID");
  EXPECT_EQ(ErrorCode(Query("SELECT Id FROM Account WHERE X >= 1", token)), "INVALID_TYPE");
  EXPECT_EQ(ErrorCode(Query("SELECT Id FROM ApiEvent", token)), "MALFORMED_QUERY");
  // An expired session and an idle locator.
  FakeResponse page = Query(q, token, "200");
  ASSERT_EQ(page.status, 200);
  const std::string next = json::parse(page.body)["nextRecordsUrl"];
  clock_.Advance(seconds(900));
  EXPECT_EQ(ErrorCode(Get(next, Token())), "INVALID_QUERY_LOCATOR");
  FakeResponse expired = Query(q, token);
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(ErrorCode(expired), "INVALID_SESSION_ID");
  // The daily limit (20, some used above).
  const std::string fresh = Token();
  FakeResponse res;
  for (int i = 0; i < 25 && res.status != 403; ++i) res = Query(q, fresh);
  EXPECT_EQ(res.status, 403);
  EXPECT_EQ(ErrorCode(res), "REQUEST_LIMIT_EXCEEDED");
  // Faults.
  clock_.Advance(std::chrono::hours(24));
  const std::string later = Token();
  ASSERT_TRUE(api_.SetFault({"acme", "ApiEvent", FakeFaultKind::k429, 7, 0, 1}).ok());
  res = Query(q, later);
  EXPECT_EQ(res.status, 429);
  EXPECT_EQ((HttpResponse{res.status, res.headers, ""}.Header("Retry-After")), "7");
  ASSERT_TRUE(api_.SetFault({"acme", "ApiEvent", FakeFaultKind::kMalformed, 0, 0, 1}).ok());
  EXPECT_TRUE(json::parse(Query(q, later).body, nullptr, false).is_discarded());
  EXPECT_EQ(Query(q, later).status, 200);
}

}  // namespace
}  // namespace paws
