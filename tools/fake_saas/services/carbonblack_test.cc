#include "tools/fake_saas/services/carbonblack.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tools/fake_saas/fake_events.h"

namespace paws {
namespace {

using json = nlohmann::json;
using std::chrono::seconds;

constexpr const char* kBase = "http://fake-saas.test/t/acme";

class FakeCarbonBlackTest : public ::testing::Test {
 protected:
  explicit FakeCarbonBlackTest(FakeCarbonBlackOptions options = {}) {
    api_.AddService(MakeFakeCarbonBlackService(options));
  }

  FakeResponse Post(const std::string& path, const json& body,
                    const std::string& token = "KEY/ID1") {
    return api_.Handle(FakeRequest::FromUrl("POST", std::string(kBase) + path,
                                            {{"X-Auth-Token", token}}, body.dump()));
  }
  static json Search(const std::string& start, const std::string& end, int rows, int first) {
    return {{"criteria", {{"create_time", {{"start", start}, {"end", end}}}}},
            {"rows", rows},
            {"start", first},
            {"sort", json::array({{{"field", "create_time"}, {"order", "ASC"}}})}};
  }
  static std::string Header(const FakeResponse& res, const std::string& name) {
    return HttpResponse{res.status, res.headers, res.body}.Header(name);
  }

  FakeClock clock_{*ParseRfc3339("2026-01-01T00:00:00Z")};  // 60 records a minute
  FakeApi api_{&clock_};
};

TEST_F(FakeCarbonBlackTest, AlertSearchPagesAnInclusiveRangeUpToNow) {
  const std::string path = "/appservices/v6/orgs/ORG1/alerts/watchlist/_search";
  // [23:58:00, 23:58:59.999]: 60 records; rows 51..60 on the second page.
  FakeResponse res =
      Post(path, Search("2025-12-31T23:58:00.000Z", "2025-12-31T23:58:59.999Z", 50, 1));
  ASSERT_EQ(res.status, 200) << res.body;
  json page = json::parse(res.body);
  EXPECT_EQ(page["num_found"], 60);
  ASSERT_EQ(page["results"].size(), 50u);
  const int64_t k0 = ToUnixMillis(*ParseRfc3339("2025-12-31T23:58:00Z")) / 1000;
  EXPECT_EQ(page["results"][0]["id"], FakeEventId("acme", "SearchAlertsWatchlist", k0));
  EXPECT_EQ(page["results"][0]["create_time"], "2025-12-31T23:58:00.000Z");
  EXPECT_EQ(page["results"][0]["type"], "WATCHLIST");
  EXPECT_EQ(page["results"][0]["org_key"], "ORG1");
  page = json::parse(
      Post(path, Search("2025-12-31T23:58:00.000Z", "2025-12-31T23:58:59.999Z", 50, 51)).body);
  ASSERT_EQ(page["results"].size(), 10u);
  EXPECT_EQ(page["results"][9]["create_time"], "2025-12-31T23:58:59.000Z");
  EXPECT_EQ(api_.ServedIds("acme", "SearchAlertsWatchlist").size(), 60u);

  // Nothing from the future; an inclusive end.
  page = json::parse(
      Post(path, Search("2025-12-31T23:59:59.000Z", "2026-01-01T01:00:00.000Z", 50, 1)).body);
  EXPECT_EQ(page["num_found"], 1);
  page = json::parse(
      Post(path, Search("2025-12-31T23:59:58.000Z", "2025-12-31T23:59:59.000Z", 50, 1)).body);
  EXPECT_EQ(page["num_found"], 2);
}

TEST_F(FakeCarbonBlackTest, AuditSearchServesRecordsWithoutIds) {
  FakeResponse res = Post("/audit_log/v1/orgs/ORG1/logs/_search",
                          Search("2025-12-31T23:59:00.000Z", "2025-12-31T23:59:09.999Z", 100, 1));
  ASSERT_EQ(res.status, 200) << res.body;
  json page = json::parse(res.body);
  EXPECT_EQ(page["num_found"], 10);
  EXPECT_EQ(page["num_available"], 10);
  const json& r = page["results"][0];
  EXPECT_FALSE(r.contains("id"));
  EXPECT_EQ(r["create_time"], "2025-12-31T23:59:00.000Z");
  EXPECT_TRUE(r["actor"].is_string());
  const int64_t k = ToUnixMillis(*ParseRfc3339("2025-12-31T23:59:00Z")) / 1000;
  // Served exactly as FakeCarbonBlackRecordJson writes it, key order included.
  EXPECT_EQ(nlohmann::ordered_json::parse(res.body)["results"][0].dump(),
            FakeCarbonBlackRecordJson("acme", "ORG1", "AuditLogEvents", k, 1000));
  std::vector<std::string> served = api_.ServedIds("acme", "AuditLogEvents");
  ASSERT_EQ(served.size(), 10u);
  EXPECT_EQ(served[0].rfind("audit-", 0), 0u);
}

TEST_F(FakeCarbonBlackTest, ChecksTheKeyTheOrgAndTheQuery) {
  const std::string path = "/appservices/v6/orgs/ORG1/alerts/_search";
  const json q = Search("2025-12-31T23:59:00.000Z", "2025-12-31T23:59:59.999Z", 10, 1);
  EXPECT_EQ(Post(path, q, "no-slash").status, 401);
  EXPECT_EQ(Post(path, q, "KEY/").status, 401);
  ASSERT_TRUE(api_.ConfigureTenant("acme", std::nullopt, "RIGHT").ok());
  FakeResponse res = Post(path, q, "WRONG/ID1");
  EXPECT_EQ(res.status, 401);
  EXPECT_EQ(json::parse(res.body)["error_code"], "UNAUTHORIZED");
  EXPECT_EQ(Post(path, q, "RIGHT/ID1").status, 200);
  EXPECT_EQ(Post("/appservices/v6/orgs/bad-org/alerts/_search", q, "RIGHT/ID1").status, 401);

  ASSERT_TRUE(api_.ConfigureTenant("acme", std::nullopt, "").ok());
  json bad = q;
  bad["rows"] = 10001;
  EXPECT_EQ(Post(path, bad).status, 400);
  bad = q;
  bad["start"] = 9995;
  EXPECT_EQ(json::parse(Post(path, bad).body)["error_code"], "INVALID_QUERY");
  bad = q;
  bad["criteria"]["create_time"].erase("end");
  EXPECT_EQ(Post(path, bad).status, 400);
  bad = q;
  bad["sort"][0]["order"] = "DESC";
  EXPECT_EQ(Post(path, bad).status, 400);
  EXPECT_EQ(api_.Handle(FakeRequest::FromUrl("GET", std::string(kBase) + path,
                                             {{"X-Auth-Token", "KEY/ID1"}}))
                .status,
            405);
  EXPECT_EQ(Post("/appservices/v6/orgs/ORG1/alerts/other/_search", q).status, 404);
}

class FakeCarbonBlackLimitTest : public FakeCarbonBlackTest {
 protected:
  FakeCarbonBlackLimitTest() : FakeCarbonBlackTest({.rate_limit_requests = 2}) {}
};

TEST_F(FakeCarbonBlackLimitTest, RateLimitAndFaults) {
  const std::string path = "/appservices/v6/orgs/ORG1/alerts/_search";
  const json q = Search("2025-12-31T23:59:00.000Z", "2025-12-31T23:59:59.999Z", 10, 1);
  clock_.Advance(seconds(60));  // the 5-minute window ends in 4 minutes
  EXPECT_EQ(Post(path, q).status, 200);
  EXPECT_EQ(Post(path, q).status, 200);
  FakeResponse res = Post(path, q);
  EXPECT_EQ(res.status, 429);
  EXPECT_EQ(Header(res, "Retry-After"), "240");
  EXPECT_EQ(json::parse(res.body)["error_code"], "TOO_MANY_REQUESTS");
  clock_.Advance(seconds(240));
  EXPECT_EQ(Post(path, q).status, 200);

  ASSERT_TRUE(api_.SetFault({"acme", "SearchAlerts", FakeFaultKind::k429, 7, 0, 1}).ok());
  res = Post(path, q);
  EXPECT_EQ(res.status, 429);
  EXPECT_EQ(Header(res, "Retry-After"), "7");
  ASSERT_TRUE(api_.SetFault({"acme", "", FakeFaultKind::kMalformed, 0, 0, 1}).ok());
  res = Post(path, q);
  EXPECT_EQ(res.status, 200);
  EXPECT_TRUE(json::parse(res.body, nullptr, false).is_discarded());
  EXPECT_EQ(api_.Requests("acme", "SearchAlerts"), 6);
}

}  // namespace
}  // namespace paws
