#include "tools/fake_saas/services/o365.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tools/fake_saas/fake_events.h"

namespace paws {
namespace {

using json = nlohmann::json;
using std::chrono::seconds;

constexpr const char* kBase = "http://fake-saas.test/t/acme";
constexpr const char* kTid = "8a1c3f52-1b2d-4e5f-9a0b-123456789abc";

class FakeO365Test : public ::testing::Test {
 protected:
  void Start(FakeO365Options options) {
    api_ = std::make_unique<FakeApi>(&clock_);
    api_->AddService(MakeFakeO365Service(options));
  }
  void SetUp() override { Start({.blob_duration = seconds(10), .page_size = 4}); }

  FakeResponse PostToken(const std::string& body) {
    return api_->Handle(
        FakeRequest::FromUrl("POST", std::string(kBase) + "/" + kTid + "/oauth2/token",
                             {{"Content-Type", "application/x-www-form-urlencoded"}}, body));
  }
  std::string Token(const std::string& secret = "s3cret") {
    FakeResponse res =
        PostToken("grant_type=client_credentials&client_id=app&client_secret=" + secret +
                  "&resource=https%3A%2F%2Fmanage.office.com");
    EXPECT_EQ(res.status, 200) << res.body;
    return json::parse(res.body).value("access_token", "");
  }
  FakeResponse Call(const std::string& method, const std::string& url, const std::string& token) {
    return api_->Handle(FakeRequest::FromUrl(method, url, {{"Authorization", "Bearer " + token}}));
  }
  std::string Feed() const { return std::string(kBase) + "/api/v1.0/" + kTid + "/activity/feed/"; }
  static std::string Header(const FakeResponse& res, const std::string& name) {
    return HttpResponse{res.status, res.headers, res.body}.Header(name);
  }
  static std::string Code(const FakeResponse& res) {
    json j = json::parse(res.body, nullptr, false);
    return j.is_object() && j.contains("error") && j["error"].is_object()
               ? j["error"].value("code", "")
               : "";
  }

  FakeClock clock_;  // 2026-01-01T00:00:00Z, 60 events a minute
  std::unique_ptr<FakeApi> api_;
};

TEST_F(FakeO365Test, TokenEndpointIsAzureAdV1) {
  FakeResponse res = PostToken(
      "grant_type=client_credentials&client_id=app&client_secret=x&resource=https%3A%2F%2Fmanage."
      "office.com");
  ASSERT_EQ(res.status, 200) << res.body;
  json j = json::parse(res.body);
  EXPECT_EQ(j["expires_in"], "3600");  // a string, as v1 sends it
  EXPECT_EQ(j["token_type"], "Bearer");
  ASSERT_TRUE(api_->ConfigureTenant("acme", std::nullopt, "right").ok());
  res = PostToken(
      "grant_type=client_credentials&client_id=app&client_secret=x&resource=https%3A%2F%2Fmanage."
      "office.com");
  EXPECT_EQ(res.status, 401);
  EXPECT_EQ(json::parse(res.body)["error"], "invalid_client");
  res = PostToken("grant_type=client_credentials&client_id=app&client_secret=right&resource=x");
  EXPECT_EQ(json::parse(res.body)["error"], "invalid_resource");
  EXPECT_EQ(PostToken("grant_type=password").status, 400);
}

TEST_F(FakeO365Test, SubscriptionsStartOnceAndListingNeedsOne) {
  const std::string token = Token();
  const std::string list = Feed() + "subscriptions/content?contentType=Audit.Exchange";
  EXPECT_EQ(Code(Call("GET", list, token)), "AF20022");
  FakeResponse res = Call("POST", Feed() + "subscriptions/start?contentType=Audit.Exchange", token);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(json::parse(res.body)["status"], "enabled");
  res = Call("POST", Feed() + "subscriptions/start?contentType=Audit.Exchange", token);
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(Code(res), "AF20024");
  EXPECT_EQ(Code(Call("POST", Feed() + "subscriptions/start?contentType=Audit.Nope", token)),
            "AF20020");
  res = Call("GET", Feed() + "subscriptions/list", token);
  EXPECT_EQ(json::parse(res.body).size(), 1u);
  EXPECT_EQ(Call("GET", list, token).status, 200);
  EXPECT_EQ(Call("GET", list, "bogus").status, 401);
}

TEST_F(FakeO365Test, ListingPagesAndBlobsServeEveryRecordOnce) {
  Start({.blob_duration = seconds(10), .page_size = 4, .subscribed = true});
  const std::string token = Token();
  // Blobs created in [23:59:00, 00:00:00): 6 of them, records of [23:58:50, 23:59:50).
  std::string url = Feed() +
                    "subscriptions/content?contentType=Audit.General&startTime=2025-12-31T23:59:00"
                    "&endTime=2026-01-01T00:00:00.000Z";
  std::vector<std::string> ids;
  int pages = 0;
  while (!url.empty() && pages < 10) {
    FakeResponse res = Call("GET", url, token);
    ASSERT_EQ(res.status, 200) << res.body;
    ++pages;
    for (const json& blob : json::parse(res.body)) {
      EXPECT_EQ(blob["contentType"], "Audit.General");
      FakeResponse b = Call("GET", blob["contentUri"].get<std::string>(), token);
      ASSERT_EQ(b.status, 200) << b.body;
      for (const json& r : json::parse(b.body)) {
        EXPECT_EQ(r["RecordType"], 25);
        ids.push_back(r["Id"]);
      }
    }
    url = Header(res, "NextPageUri");
  }
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(ids, api_->EventIds("acme", "Audit.General", *ParseRfc3339("2025-12-31T23:58:50Z"),
                                *ParseRfc3339("2025-12-31T23:59:50Z")));
  EXPECT_EQ(api_->ServedIds("acme", "Audit.General").size(), 60u);
}

TEST_F(FakeO365Test, WindowRulesAreTheApis) {
  Start({.subscribed = true});
  const std::string token = Token();
  const std::string list = Feed() + "subscriptions/content?contentType=DLP.All";
  for (const char* q : {"&startTime=2025-12-30T00:00:00",
                        "&startTime=2025-12-30T00:00:00&endTime=2025-12-31T00:00:01",
                        "&startTime=2025-12-24T23:59:59&endTime=2025-12-25T01:00:00",
                        "&startTime=2025-12-31T01:00:00&endTime=2025-12-31T00:00:00",
                        "&startTime=yesterday&endTime=2025-12-31T00:00:00"}) {
    FakeResponse res = Call("GET", list + q, token);
    EXPECT_EQ(res.status, 400) << q;
    EXPECT_EQ(Code(res), "AF20055") << q;
  }
  EXPECT_EQ(Call("GET", list + "&startTime=2025-12-25T00:00:00&endTime=2025-12-26T00:00:00", token)
                .status,
            200);
  EXPECT_EQ(Code(Call("GET", list + "&nextPage=x", token)), "AF20031");
  EXPECT_EQ(Code(Call("GET", Feed() + "audit/x", token)), "AF20052");
  EXPECT_EQ(Code(Call("GET", Feed() + "audit/" + FakeO365ContentId("DLP.All", 1) + "9", token)),
            "AF20052");
  EXPECT_EQ(Code(Call("GET", Feed() + "audit/" + FakeO365ContentId("DLP.All", 0), token)),
            "AF20051");
  EXPECT_EQ(Code(Call("GET", Feed() + "audit/" + FakeO365ContentId("DLP.All", 1LL << 40), token)),
            "AF20050");
  EXPECT_EQ(Code(Call("GET", std::string(kBase) + "/api/v1.0/acme/activity/feed/subscriptions/list",
                      token)),
            "AF20013");
}

TEST_F(FakeO365Test, RateLimitsAndFaults) {
  Start({.rate_limit_per_minute = 2, .subscribed = true});
  const std::string token = Token();
  const std::string list = Feed() + "subscriptions/content?contentType=Audit.SharePoint";
  EXPECT_EQ(Call("GET", list, token).status, 200);
  EXPECT_EQ(Call("GET", list, token).status, 200);
  FakeResponse res = Call("GET", list, token);
  EXPECT_EQ(res.status, 429);
  EXPECT_EQ(Code(res), "AF429");
  EXPECT_EQ(Header(res, "Retry-After"), "");
  clock_.Advance(seconds(60));  // a new minute
  ASSERT_TRUE(api_->SetFault({"acme", "Audit.SharePoint", FakeFaultKind::k429, 7, 0, 1}).ok());
  res = Call("GET", list, token);
  EXPECT_EQ(res.status, 429);
  EXPECT_EQ(Header(res, "Retry-After"), "7");
  ASSERT_TRUE(api_->SetFault({"acme", "", FakeFaultKind::k500, 0, 0, 1}).ok());
  EXPECT_EQ(Code(Call("GET", list, token)), "AF50000");
  EXPECT_EQ(api_->Requests("acme", "Audit.SharePoint"), 5);
}

TEST_F(FakeO365Test, ExpiredTokensAreRefused) {
  Start({.token_lifetime = seconds(60), .subscribed = true});
  const std::string token = Token();
  const std::string list = Feed() + "subscriptions/content?contentType=Audit.Exchange";
  EXPECT_EQ(Call("GET", list, token).status, 200);
  clock_.Advance(seconds(60));
  FakeResponse res = Call("GET", list, token);
  EXPECT_EQ(res.status, 401);
  EXPECT_EQ(json::parse(res.body)["Message"], "Authorization has been denied for this request.");
}

}  // namespace
}  // namespace paws
