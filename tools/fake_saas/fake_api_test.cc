#include "tools/fake_saas/fake_api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "http/url.h"
#include "tools/fake_saas/fake_events.h"
#include "tools/fake_saas/fake_service.h"

namespace paws {
namespace {

using json = nlohmann::json;

constexpr const char* kBase = "http://fake.test/t/acme/api/v1/logs";

std::string Header(const FakeResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

class FakeApiTest : public ::testing::Test {
 protected:
  // 2026-01-01T00:00:00Z; default rate 60/min: one event a second.
  FakeClock clock_;
  FakeApi api_{&clock_};

  FakeResponse Get(const std::string& url, const std::string& token = "tok") {
    HttpHeaders headers;
    if (!token.empty()) headers.emplace_back("Authorization", "SSWS " + token);
    return api_.Handle(FakeRequest::FromUrl("GET", url, headers));
  }
  FakeResponse Window(const std::string& since, const std::string& until,
                      const std::string& extra = "") {
    return Get(std::string(kBase) + "?stream=s1&since=" + UrlEncode(since) +
               "&until=" + UrlEncode(until) + extra);
  }
  FakeResponse Admin(const std::string& method, const std::string& path,
                     const std::string& body = "") {
    return api_.Handle(FakeRequest::FromUrl(method, "http://fake.test" + path, {}, body));
  }
  // Follows rel="next" from `url`; returns every event id, in order.
  std::vector<std::string> Collect(const std::string& url, int* pages) {
    std::vector<std::string> ids;
    std::string next = url;
    for (*pages = 0; !next.empty() && *pages < 100; ++*pages) {
      FakeResponse r = Get(next);
      EXPECT_EQ(r.status, 200) << r.body;
      for (const auto& e : json::parse(r.body)) ids.push_back(e.at("uuid"));
      next = FindLinkRel(r.headers, "next");
    }
    return ids;
  }
};

TEST_F(FakeApiTest, WindowIsSinceInclusiveUntilExclusiveOldestFirst) {
  FakeResponse r = Window("2025-12-31T23:00:00Z", "2025-12-31T23:00:05Z");
  ASSERT_EQ(r.status, 200) << r.body;
  json events = json::parse(r.body);
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0]["published"], "2025-12-31T23:00:00.000Z");
  EXPECT_EQ(events[4]["published"], "2025-12-31T23:00:04.000Z");
  for (const auto& e : events) {
    EXPECT_TRUE(e.contains("eventType") && e.contains("displayMessage") && e.contains("actor") &&
                e.contains("outcome"));
    EXPECT_EQ(e["debugContext"]["debugData"]["stream"], "s1");
  }
  EXPECT_EQ(Header(r, "Content-Type"), "application/json");
  EXPECT_TRUE(FindLinkRel(r.headers, "next").empty());
  EXPECT_EQ(FindLinkRel(r.headers, "self").rfind("http://fake.test/t/acme/api/v1/logs?", 0), 0u);
  EXPECT_EQ(Header(r, "X-Rate-Limit-Limit"), "1200");
  EXPECT_FALSE(Header(r, "X-Rate-Limit-Remaining").empty());
  EXPECT_FALSE(Header(r, "X-Rate-Limit-Reset").empty());
  // The same window twice gives the same events.
  EXPECT_EQ(Window("2025-12-31T23:00:00Z", "2025-12-31T23:00:05Z").body, r.body);
}

TEST_F(FakeApiTest, IdsAreUuidShapedUniqueAndDeterministic) {
  std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int64_t k = 0; k < 5000; ++k) {
    std::string id = FakeEventId("acme", "s1", k);
    EXPECT_TRUE(std::regex_match(id, uuid)) << id;
    EXPECT_TRUE(seen.insert(id).second) << id;
    EXPECT_TRUE(seen.insert(FakeEventId("acme", "s2", k)).second);
  }
  EXPECT_EQ(FakeEventId("acme", "s1", 7), FakeEventId("acme", "s1", 7));
}

TEST_F(FakeApiTest, PagingIsCompleteWithoutDuplicatesOrGaps) {
  std::string url = std::string(kBase) + "?stream=s1&since=" + UrlEncode("2025-12-31T22:00:00Z") +
                    "&until=" + UrlEncode("2025-12-31T22:04:10Z") + "&limit=100";
  int pages = 0;
  std::vector<std::string> ids = Collect(url, &pages);
  EXPECT_EQ(pages, 3);
  std::vector<std::string> expected = api_.EventIds(
      "acme", "s1", *ParseRfc3339("2025-12-31T22:00:00Z"), *ParseRfc3339("2025-12-31T22:04:10Z"));
  ASSERT_EQ(expected.size(), 250u);
  EXPECT_EQ(ids, expected);  // same order: oldest first, no gap, no duplicate
  std::vector<std::string> served = api_.ServedIds("acme", "s1");
  EXPECT_EQ(std::set<std::string>(served.begin(), served.end()),
            std::set<std::string>(expected.begin(), expected.end()));
  EXPECT_EQ(api_.Requests("acme", "s1"), 3);
}

TEST_F(FakeApiTest, LimitDefaultsTo100AndIsCappedAt1000) {
  FakeResponse r = Window("2025-12-31T20:00:00Z", "2025-12-31T21:00:00Z");
  EXPECT_EQ(json::parse(r.body).size(), 100u);
  r = Window("2025-12-31T20:00:00Z", "2025-12-31T21:00:00Z", "&limit=5000");
  EXPECT_EQ(json::parse(r.body).size(), 1000u);
  EXPECT_NE(FindLinkRel(r.headers, "next").find("limit=1000"), std::string::npos);
}

TEST_F(FakeApiTest, UntilIsClampedToNow) {
  // Now is 2026-01-01T00:00:00Z: only the 10 events before it exist.
  int pages = 0;
  std::string url = std::string(kBase) +
                    "?stream=s1&limit=4&since=" + UrlEncode("2025-12-31T23:59:50Z") +
                    "&until=" + UrlEncode("2026-01-01T01:00:00Z");
  std::vector<std::string> ids = Collect(url, &pages);
  EXPECT_EQ(ids.size(), 10u);
  EXPECT_EQ(pages, 3);
  FakeResponse first = Get(url);
  EXPECT_NE(FindLinkRel(first.headers, "next").find("until=2026-01-01T00%3A00%3A00.000Z"),
            std::string::npos);
  // Later, the rest of the window appears.
  clock_.Advance(std::chrono::seconds(5));
  EXPECT_EQ(Collect(url, &pages).size(), 15u);
  // A window wholly in the future is empty.
  EXPECT_EQ(Window("2026-02-01T00:00:00Z", "2026-02-02T00:00:00Z").body, "[]");
}

TEST_F(FakeApiTest, RatePerTenantChangesThePeriod) {
  ASSERT_TRUE(api_.ConfigureTenant("acme", 600, std::nullopt).ok());
  EXPECT_EQ(api_.Period("acme"), Duration(100));
  EXPECT_EQ(api_.Period("other"), Duration(1000));
  FakeResponse r = Window("2025-12-31T23:00:00Z", "2025-12-31T23:00:01Z");
  EXPECT_EQ(json::parse(r.body).size(), 10u);
  EXPECT_FALSE(api_.ConfigureTenant("acme", 0, std::nullopt).ok());
}

TEST_F(FakeApiTest, BadParametersAre400InOktaFormat) {
  for (const std::string& url :
       {std::string(kBase) + "?until=2026-01-01T00:00:00Z",
        std::string(kBase) + "?since=2026-01-01T00:00:00Z",
        std::string(kBase) + "?since=yesterday&until=2026-01-01T00:00:00Z",
        std::string(kBase) + "?since=2026-01-01T00:00:00Z&until=2025-01-01T00:00:00Z",
        std::string(kBase) + "?since=2025-01-01T00:00:00Z&until=2026-01-01T00:00:00Z&limit=x",
        std::string(kBase) + "?since=2025-01-01T00:00:00Z&until=2026-01-01T00:00:00Z&after=-1"}) {
    FakeResponse r = Get(url);
    EXPECT_EQ(r.status, 400) << url;
    json body = json::parse(r.body);
    EXPECT_EQ(body["errorCode"], "E0000001");
    EXPECT_TRUE(body["errorSummary"].is_string());
  }
  EXPECT_EQ(Get("http://fake.test/t/acme/api/v1/users").status, 404);
  EXPECT_EQ(Get("http://fake.test/healthz").status, 200);
}

TEST_F(FakeApiTest, AuthNeedsAnSswsTokenAndTheConfiguredOne) {
  const std::string url =
      std::string(kBase) + "?since=2025-12-31T23:00:00Z&until=" + "2025-12-31T23:00:01Z";
  FakeResponse r = Get(url, "");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(json::parse(r.body)["errorCode"], "E0000011");
  EXPECT_EQ(json::parse(r.body)["errorSummary"], "Invalid token provided");
  r = api_.Handle(FakeRequest::FromUrl("GET", url, {{"Authorization", "Bearer tok"}}));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Get(url, "anything").status, 200);

  ASSERT_EQ(Admin("POST", "/admin/config", R"({"tenant":"acme","token":"s3cret"})").status, 200);
  EXPECT_EQ(Get(url, "anything").status, 401);
  EXPECT_EQ(Get(url, "s3cret").status, 200);
  ASSERT_TRUE(api_.ConfigureTenant("acme", std::nullopt, "").ok());
  EXPECT_EQ(Get(url, "anything").status, 200);
}

TEST_F(FakeApiTest, EveryFaultKind) {
  const std::string since = "2025-12-31T23:00:00Z", until = "2025-12-31T23:00:03Z";
  auto set = [&](const std::string& body) {
    FakeResponse r = Admin("POST", "/admin/faults", body);
    ASSERT_EQ(r.status, 200) << r.body;
  };

  set(R"({"tenant":"acme","kind":"401"})");
  FakeResponse r = Window(since, until);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(json::parse(r.body)["errorCode"], "E0000011");

  set(R"({"tenant":"acme","kind":"429","retry_after_sec":7})");
  r = Window(since, until);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(Header(r, "Retry-After"), "7");
  EXPECT_EQ(Header(r, "X-Rate-Limit-Remaining"), "0");
  EXPECT_EQ(json::parse(r.body)["errorCode"], "E0000047");

  set(R"({"tenant":"acme","kind":"500"})");
  EXPECT_EQ(Window(since, until).status, 500);

  set(R"({"tenant":"acme","kind":"malformed"})");
  r = Window(since, until);
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(json::accept(r.body));

  set(R"({"tenant":"acme","kind":"crash"})");
  r = Window(since, until);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body).size(), 0u);

  set(R"({"tenant":"acme","kind":"slow","delay_ms":2500})");
  r = Window(since, until);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.delay, Duration(2500));
  EXPECT_EQ(json::parse(r.body).size(), 3u);

  set(R"({"tenant":"acme","kind":"none"})");
  r = Window(since, until);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.delay, Duration(0));
  // Faulted requests count as requests but serve nothing.
  EXPECT_EQ(api_.Requests("acme", "s1"), 7);
  EXPECT_EQ(api_.ServedIds("acme", "s1").size(), 3u);
}

TEST_F(FakeApiTest, CountLimitedAndStreamScopedFaults) {
  const std::string since = "2025-12-31T23:00:00Z", until = "2025-12-31T23:00:03Z";
  ASSERT_EQ(Admin("POST", "/admin/faults", R"({"tenant":"acme","kind":"500","count":2})").status,
            200);
  ASSERT_TRUE(api_.SetFault({"acme", "s2", FakeFaultKind::k429, 3, 0, -1}).ok());
  json listed = json::parse(Admin("GET", "/admin/faults").body)["faults"];
  EXPECT_EQ(listed.size(), 2u);

  EXPECT_EQ(Window(since, until).status, 500);
  EXPECT_EQ(Window(since, until).status, 500);
  EXPECT_EQ(Window(since, until).status, 200);  // the count ran out
  // The stream-scoped fault stays, and only for its stream.
  std::string s2 = std::string(kBase) + "?stream=s2&since=" + since + "&until=" + until;
  EXPECT_EQ(Get(s2).status, 429);
  EXPECT_EQ(Get(s2).status, 429);
  EXPECT_EQ(Admin("DELETE", "/admin/faults").status, 200);
  EXPECT_EQ(Get(s2).status, 200);
  EXPECT_TRUE(json::parse(Admin("GET", "/admin/faults").body)["faults"].empty());

  EXPECT_EQ(Admin("POST", "/admin/faults", R"({"tenant":"acme","kind":"teapot"})").status, 400);
  EXPECT_EQ(Admin("POST", "/admin/faults", R"({"kind":"500"})").status, 400);
  EXPECT_EQ(Admin("POST", "/admin/faults", R"({"tenant":"acme","kind":"500","count":"x"})").status,
            400);
  EXPECT_EQ(Admin("POST", "/admin/faults", "not json").status, 400);
}

TEST_F(FakeApiTest, ServedRecordOverAdmin) {
  ASSERT_EQ(Window("2025-12-31T23:00:00Z", "2025-12-31T23:00:02Z").status, 200);
  json one = json::parse(Admin("GET", "/admin/served?tenant=acme&stream=s1").body);
  EXPECT_EQ(one["ids"].size(), 2u);
  EXPECT_EQ(one["requests"], 1);
  json all = json::parse(Admin("GET", "/admin/served").body);
  ASSERT_EQ(all["streams"].size(), 1u);
  EXPECT_EQ(all["streams"][0]["served"], 2);
  json expected = json::parse(Admin("GET",
                                    "/admin/events?tenant=acme&stream=s1&since=2025-12-31T23:00:00Z"
                                    "&until=2025-12-31T23:00:02Z")
                                  .body);
  EXPECT_EQ(expected["count"], 2);
  EXPECT_EQ(Admin("POST", "/admin/reset").status, 200);
  EXPECT_TRUE(json::parse(Admin("GET", "/admin/served").body)["streams"].empty());
  EXPECT_EQ(Admin("GET", "/admin/nothing").status, 404);
}

}  // namespace
}  // namespace paws

namespace paws {
namespace {

// A service answering /t/<tenant>/echo/<stream> with the ids of the
// stream's first two events, through the context.
class EchoService : public FakeService {
 public:
  std::string_view name() const override { return "echo"; }
  std::optional<FakeResponse> Handle(const std::string& tenant, const std::string& rest,
                                     const FakeRequest& req, FakeServiceContext& ctx) override {
    if (rest.rfind("/echo/", 0) != 0) return std::nullopt;
    const std::string stream = rest.substr(6);
    FakeResponse res;
    if (auto fault = ctx.BeginRequest(tenant, stream)) {
      res.status = fault->kind == FakeFaultKind::k500 ? 500 : 400;
      return res;
    }
    std::vector<std::string> ids = {FakeEventId(tenant, stream, 0), FakeEventId(tenant, stream, 1)};
    ctx.RecordServed(tenant, stream, ids);
    res.body = ids[0] + "," + ids[1] + "," + std::to_string(ctx.PeriodMs(tenant)) + "," +
               ctx.RequiredToken(tenant);
    return res;
  }
};

TEST(FakeServiceTest, ServicesGetTheirPathsAndShareFaultsAndTheServedRecord) {
  FakeClock clock;
  FakeApi api(&clock);
  api.AddService(std::make_unique<EchoService>());
  ASSERT_TRUE(api.ConfigureTenant("acme", 120, std::string("sekret")).ok());
  auto get = [&](const std::string& path) {
    return api.Handle(FakeRequest::FromUrl("GET", "http://fake.test" + path));
  };
  FakeResponse r = get("/t/acme/echo/s1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, FakeEventId("acme", "s1", 0) + "," + FakeEventId("acme", "s1", 1) +
                        ",500,sekret");
  EXPECT_EQ(api.ServedIds("acme", "s1").size(), 2u);
  ASSERT_TRUE(api.SetFault({"acme", "", FakeFaultKind::k500, 1, 0, 1}).ok());
  EXPECT_EQ(get("/t/acme/echo/s1").status, 500);
  EXPECT_EQ(get("/t/acme/echo/s1").status, 200) << "the fault was for one request";
  EXPECT_EQ(api.Requests("acme", "s1"), 3);
  EXPECT_EQ(get("/t/acme/other").status, 404) << "not a path of any service";
}

}  // namespace
}  // namespace paws
