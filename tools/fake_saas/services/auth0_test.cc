#include "tools/fake_saas/services/auth0.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tools/fake_saas/fake_events.h"

namespace paws {
namespace {

using json = nlohmann::json;
using std::chrono::seconds;

constexpr const char* kBase = "http://fake-saas.test/t/acme";
constexpr const char* kAudience = "https://fake-saas.test/t/acme/api/v2/";

class FakeAuth0Test : public ::testing::Test {
 protected:
  explicit FakeAuth0Test(FakeAuth0Options options = {}) {
    api_.AddService(MakeFakeAuth0Service(options));
  }

  FakeResponse Post(const std::string& body, const std::string& type = "") {
    HttpHeaders h;
    if (!type.empty()) h.emplace_back("Content-Type", type);
    return api_.Handle(FakeRequest::FromUrl("POST", std::string(kBase) + "/oauth/token", h, body));
  }
  std::string Token(const std::string& secret = "s3cret") {
    FakeResponse res = Post("grant_type=client_credentials&client_id=app&client_secret=" + secret +
                            "&audience=" + kAudience);
    EXPECT_EQ(res.status, 200) << res.body;
    return json::parse(res.body).value("access_token", "");
  }
  FakeResponse Get(const std::string& query, const std::string& token) {
    return api_.Handle(FakeRequest::FromUrl("GET", std::string(kBase) + "/api/v2/logs?" + query,
                                            {{"Authorization", "Bearer " + token}}));
  }
  static std::string Header(const FakeResponse& res, const std::string& name) {
    return HttpResponse{res.status, res.headers, res.body}.Header(name);
  }

  FakeClock clock_{*ParseRfc3339("2026-01-01T00:00:00Z")};  // 60 events a minute
  FakeApi api_{&clock_};
};

TEST_F(FakeAuth0Test, LogIdsSortAsTheEventsDo) {
  EXPECT_EQ(FakeAuth0LogId(0), "9002000000000000000000000");
  EXPECT_LT(FakeAuth0LogId(9), FakeAuth0LogId(10));
  EXPECT_EQ(ParseFakeAuth0LogId(FakeAuth0LogId(123456789)), 123456789);
  EXPECT_FALSE(ParseFakeAuth0LogId("90020211201185132572079310688835925971249535794074878050"));
  EXPECT_FALSE(ParseFakeAuth0LogId("900200000000000000000000x"));
}

TEST_F(FakeAuth0Test, TokenEndpointChecksTheClientAndAudience) {
  EXPECT_FALSE(Token().empty());
  json body = {{"grant_type", "client_credentials"},
               {"client_id", "app"},
               {"client_secret", "x"},
               {"audience", kAudience}};
  FakeResponse res = Post(body.dump(), "application/json");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(json::parse(res.body)["expires_in"], 60);
  EXPECT_EQ(json::parse(res.body)["token_type"], "Bearer");

  ASSERT_TRUE(api_.ConfigureTenant("acme", std::nullopt, "right").ok());
  EXPECT_EQ(Post(body.dump(), "application/json").status, 401);
  body["client_secret"] = "right";
  EXPECT_EQ(Post(body.dump(), "application/json").status, 200);
  body["client_id"] = "";
  EXPECT_EQ(json::parse(Post(body.dump(), "application/json").body)["error"], "access_denied");
  body["client_id"] = "app";
  body["audience"] = "https://other.test/api/v2/";
  EXPECT_EQ(Post(body.dump(), "application/json").status, 403);
  EXPECT_EQ(Post("client_id=app").status, 400);  // no grant_type
}

TEST_F(FakeAuth0Test, CheckpointPagingServesEveryEventOnceUpToNow) {
  const std::string token = Token();
  const int64_t now_k = ToUnixMillis(clock_.Now()) / 1000;  // one event a second
  FakeResponse res = Get("from=" + FakeAuth0LogId(now_k - 151) + "&take=100", token);
  ASSERT_EQ(res.status, 200) << res.body;
  json page = json::parse(res.body);
  ASSERT_EQ(page.size(), 100u);
  EXPECT_EQ(page[0]["log_id"], FakeAuth0LogId(now_k - 150));
  EXPECT_EQ(page[0]["date"], FormatRfc3339(FromUnixMillis((now_k - 150) * 1000)));
  EXPECT_EQ(page[0]["details"]["fake"]["event_id"], FakeEventId("acme", "auth0", now_k - 150));
  EXPECT_NE(Header(res, "Link").find("from=" + FakeAuth0LogId(now_k - 51)), std::string::npos);
  EXPECT_EQ(Header(res, "X-RateLimit-Remaining"), "1199");

  // The rest, then nothing new: events exist up to now only.
  page = json::parse(Get("from=" + FakeAuth0LogId(now_k - 51), token).body);
  ASSERT_EQ(page.size(), 50u);
  EXPECT_EQ(page.back()["log_id"], FakeAuth0LogId(now_k - 1));
  EXPECT_TRUE(json::parse(Get("from=" + FakeAuth0LogId(now_k - 1), token).body).empty());
  EXPECT_EQ(api_.ServedIds("acme", "auth0").size(), 150u);
  EXPECT_EQ(api_.Requests("acme", "auth0"), 3);

  EXPECT_EQ(Get("from=nope", token).status, 400);
  EXPECT_EQ(Get("from=" + FakeAuth0LogId(1) + "&take=101", token).status, 400);
}

TEST_F(FakeAuth0Test, SearchByDateStartsAtTheDate) {
  const std::string token = Token();
  FakeResponse res =
      Get("q=date%3A%5B2025-12-31T23%3A59%3A00.000Z%20TO%20*%5D&sort=date%3A1"
          "&per_page=100&page=0",
          token);
  ASSERT_EQ(res.status, 200) << res.body;
  json page = json::parse(res.body);
  ASSERT_EQ(page.size(), 60u);  // up to now
  EXPECT_EQ(page[0]["date"], "2025-12-31T23:59:00.000Z");
  EXPECT_EQ(Get("q=date%3A%5Byesterday%20TO%20*%5D", token).status, 400);
  EXPECT_EQ(Get("q=&per_page=100&page=10", token).status, 400);  // past 1000 results
  EXPECT_EQ(Get("sort=date%3A-1", token).status, 400);
}

TEST_F(FakeAuth0Test, TokensExpireAndAreCheckedPerTenant) {
  const std::string token = Token();
  EXPECT_EQ(Get("from=" + FakeAuth0LogId(1), token).status, 200);
  EXPECT_EQ(Get("from=" + FakeAuth0LogId(1), "forged").status, 401);
  FakeResponse other =
      api_.Handle(FakeRequest::FromUrl("GET", "http://fake-saas.test/t/other/api/v2/logs?from=1",
                                       {{"Authorization", "Bearer " + token}}));
  EXPECT_EQ(other.status, 401);
  clock_.Advance(seconds(60));
  FakeResponse res = Get("from=" + FakeAuth0LogId(1), token);
  EXPECT_EQ(res.status, 401);
  EXPECT_EQ(json::parse(res.body)["statusCode"], 401);
  EXPECT_NE(json::parse(res.body)["message"].get<std::string>().find("Expired"), std::string::npos);
}

TEST_F(FakeAuth0Test, FaultsAnswerInAuth0Shapes) {
  const std::string token = Token();
  const std::string q = "from=" + FakeAuth0LogId(1);
  ASSERT_TRUE(api_.SetFault({"acme", "", FakeFaultKind::k429, 7, 0, 1}).ok());
  FakeResponse res = Get(q, token);
  EXPECT_EQ(res.status, 429);
  EXPECT_EQ(json::parse(res.body)["errorCode"], "too_many_requests");
  EXPECT_EQ(Header(res, "X-RateLimit-Remaining"), "0");
  EXPECT_EQ(Header(res, "X-RateLimit-Reset"),
            std::to_string(ToUnixMillis(clock_.Now()) / 1000 + 7));
  ASSERT_TRUE(api_.SetFault({"acme", "auth0", FakeFaultKind::k500, 0, 0, 1}).ok());
  EXPECT_EQ(json::parse(Get(q, token).body)["statusCode"], 500);
  ASSERT_TRUE(api_.SetFault({"acme", "", FakeFaultKind::kMalformed, 0, 0, 1}).ok());
  res = Get(q, token);
  EXPECT_EQ(res.status, 200);
  EXPECT_TRUE(json::parse(res.body, nullptr, false).is_discarded());
  ASSERT_TRUE(api_.SetFault({"acme", "", FakeFaultKind::kSlow, 0, 1500, 1}).ok());
  res = Get(q, token);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.delay, Duration(1500));
  EXPECT_EQ(Get(q, token).delay, Duration(0));
}

class FakeAuth0LimitTest : public FakeAuth0Test {
 protected:
  FakeAuth0LimitTest() : FakeAuth0Test({.rate_limit_per_minute = 2}) {}
};

TEST_F(FakeAuth0LimitTest, TheLastRequestOfAMinuteHasNoneRemainingThenA429) {
  clock_.Advance(seconds(40));  // 00:00:40
  const std::string token = Token();
  const std::string q = "from=" + FakeAuth0LogId(1);
  EXPECT_EQ(Header(Get(q, token), "X-RateLimit-Remaining"), "1");
  FakeResponse res = Get(q, token);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(Header(res, "X-RateLimit-Remaining"), "0");
  EXPECT_EQ(Header(res, "X-RateLimit-Reset"),
            std::to_string(ToUnixMillis(clock_.Now()) / 1000 + 20));
  EXPECT_EQ(Get(q, token).status, 429);
  clock_.Advance(seconds(30));  // 00:01:10, a new minute; the token is still valid
  EXPECT_EQ(Get(q, token).status, 200);
}

}  // namespace
}  // namespace paws
