#include "sources/carbonblack/carbonblack_source.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "paws/codes.h"
#include "paws/collector_types.h"
#include "tools/fake_saas/fake_events.h"
#include "tools/fake_saas/fake_server.h"
#include "tools/fake_saas/services/carbonblack.h"

namespace paws {
namespace {

using json = nlohmann::json;
using std::chrono::seconds;

constexpr const char* kSecret = "CBSECRETKEY4711";
constexpr const char* kApiId = "APIID0815";
constexpr const char* kOrg = "ORG1";
constexpr const char* kAlerts = "SearchAlerts";

// The curl client, with hooks: act before the n-th request, rewrite
// responses.
class HookedHttp : public HttpClient {
 public:
  Result<HttpResponse> Send(const HttpRequest& req) override {
    ++requests;
    last = req;
    if (before) before(requests, req);
    Result<HttpResponse> res = curl_->Send(req);
    if (res.ok() && rewrite) rewrite(&*res, req);
    return res;
  }
  std::function<void(int, const HttpRequest&)> before;
  std::function<void(HttpResponse*, const HttpRequest&)> rewrite;
  int requests = 0;
  HttpRequest last;

 private:
  std::unique_ptr<HttpClient> curl_ = MakeCurlHttpClient();
};

class CarbonBlackSourceTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer({}, 6000); }  // 100 records a second

  void StartServer(FakeCarbonBlackOptions options, int rate) {
    server_.reset();
    api_ = std::make_unique<FakeApi>(&clock_);
    api_->AddService(MakeFakeCarbonBlackService(options));
    ASSERT_TRUE(api_->ConfigureTenant("acme", rate, std::nullopt).ok());
    auto server = FakeServer::Start(api_.get(), "127.0.0.1", 0);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    spec_.id = "c-cb";
    spec_.type = "carbonblack";
    spec_.endpoint = server_->url() + "/t/acme";
    spec_.streams = {"AuditLogEvents", kAlerts};
    spec_.client_id = kApiId;
    spec_.secret = Secret(kSecret);
    spec_.poll_interval = seconds(10);
    spec_.collection_start = "2025-12-31T23:59:50Z";  // 1000 records before now
    spec_.params = {{"org_key", kOrg}, {"rows", "100"}};
  }

  std::unique_ptr<Source> Make() {
    auto src = MakeCarbonBlackSource(spec_, {&clock_, &http_});
    EXPECT_TRUE(src.ok()) << src.status().ToString();
    return src.ok() ? std::move(src).value() : nullptr;
  }
  MonoTime Deadline() { return clock_.MonotonicNow() + seconds(300); }
  // The ids of the records of `stream` in [since, until), oldest first.
  std::vector<std::string> Expected(const std::string& stream, const std::string& since,
                                    const std::string& until) {
    std::vector<std::string> ids;
    const int64_t period = api_->Period("acme").count();
    const int64_t end = FakeFirstIndexAtOrAfter(ToUnixMillis(*ParseRfc3339(until)), period);
    for (int64_t k = FakeFirstIndexAtOrAfter(ToUnixMillis(*ParseRfc3339(since)), period); k < end;
         ++k) {
      ids.push_back(FakeCarbonBlackEventId("acme", kOrg, stream, k, period));
    }
    return ids;
  }
  static std::vector<std::string> Ids(const PollResult& r) {
    std::vector<std::string> ids;
    for (const Event& e : r.events) ids.push_back(e.id);
    return ids;
  }
  static std::vector<std::string> Sorted(std::vector<std::string> ids) {
    std::sort(ids.begin(), ids.end());
    return ids;
  }
  static json State(const std::string& stream, const std::string& since, const std::string& until,
                    json next_page = nullptr) {
    // The normalised form only: no legacy field is written.
    return {{"stream", stream},
            {"since", since},
            {"until", until},
            {"nextPage", next_page},
            {"poll_interval_sec", 10}};
  }
  static void ExpectNoSecrets(const Status& s) {
    EXPECT_EQ(s.message().find(kSecret), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find(std::string(kSecret) + "/" + kApiId), std::string::npos);
  }

  FakeClock clock_;  // 2026-01-01T00:00:00Z
  std::unique_ptr<FakeApi> api_;
  std::unique_ptr<FakeServer> server_;
  HookedHttp http_;  // closes its connections first: the server then stops at once
  CollectorSpec spec_;
};

TEST_F(CarbonBlackSourceTest, CollectsEveryPageOfAWindowAndCatchesUp) {
  spec_.max_pages_per_cycle = 4;
  auto src = Make();
  std::string state = *src->InitialState(kAlerts);
  EXPECT_EQ(json::parse(state),
            State(kAlerts, "2025-12-31T23:59:50.000Z", "2026-01-01T00:00:00.000Z"));
  std::vector<std::string> ids;
  std::vector<Duration> delays;
  for (int cycle = 0; cycle < 5; ++cycle) {
    auto r = src->Poll(state, Deadline());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (const std::string& id : Ids(*r)) ids.push_back(id);
    delays.push_back(r->next_delay);
    state = r->next_state_json;
    if (r->next_delay > Duration(0)) break;
  }
  // 10 pages of 100: 4 + 4 + 2, then the next window is due when it ends.
  EXPECT_EQ(delays, (std::vector<Duration>{Duration(0), Duration(0), seconds(10)}));
  EXPECT_EQ(http_.requests, 10);
  EXPECT_EQ(ids, Expected(kAlerts, "2025-12-31T23:59:50Z", "2026-01-01T00:00:00Z"));
  EXPECT_EQ(Sorted(ids), api_->ServedIds("acme", kAlerts));  // each served once, all kept
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 1000u);
  EXPECT_EQ(json::parse(state),
            State(kAlerts, "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:10.000Z"));
  const json body = json::parse(http_.last.body);
  EXPECT_EQ(body["criteria"]["create_time"]["end"], "2025-12-31T23:59:59.999Z");
  EXPECT_EQ(body["start"], 901);
  EXPECT_EQ(body["rows"], 100);
  EXPECT_NE(http_.last.url.find("/appservices/v6/orgs/ORG1/alerts/_search"), std::string::npos);

  // Before the window ends: nothing, and the time to its end.
  clock_.Advance(seconds(4));
  auto r = src->Poll(state, Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->events.empty());
  EXPECT_EQ(r->next_delay, seconds(6));
  EXPECT_EQ(r->next_state_json, state);
  // At its end: the seam has no gap.
  clock_.Advance(seconds(6));
  r = src->Poll(state, Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->events.size(), 400u);
  const Event& e = r->events.front();
  EXPECT_EQ(e.timestamp, *ParseRfc3339("2026-01-01T00:00:00Z"));
  json raw = json::parse(e.raw_json);
  EXPECT_EQ(raw["id"], e.id);
  EXPECT_EQ(raw["type"], e.type_id);
  EXPECT_EQ(e.id, Expected(kAlerts, "2026-01-01T00:00:00Z", "2026-01-01T00:00:10Z").front());
}

TEST_F(CarbonBlackSourceTest, AuditLogEventsBySearch) {
  spec_.params["rows"] = "300";
  auto src = Make();
  auto r = src->Poll(*src->InitialState("AuditLogEvents"), Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Ids(*r), Expected("AuditLogEvents", "2025-12-31T23:59:50Z", "2026-01-01T00:00:00Z"));
  EXPECT_EQ(Sorted(Ids(*r)), api_->ServedIds("acme", "AuditLogEvents"));
  EXPECT_EQ(http_.requests, 4);
  EXPECT_EQ(r->events.front().type_id, "audit");
  EXPECT_EQ(r->events.front().timestamp, *ParseRfc3339("2025-12-31T23:59:50Z"));
  EXPECT_EQ(json::parse(r->events.front().raw_json)["org_key"], kOrg);
  EXPECT_NE(http_.last.url.find("/audit_log/v1/orgs/ORG1/logs/_search"), std::string::npos);
  for (const auto& [k, v] : http_.last.headers) {
    if (k == "X-Auth-Token") {
      EXPECT_EQ(v, std::string(kSecret) + "/" + kApiId);
    }
  }
}

TEST_F(CarbonBlackSourceTest, ABehindCollectorCatchesUpToNowAndSplitsLargeWindows) {
  StartServer({}, 60000);  // one record a millisecond
  spec_.collection_start = "2025-12-31T23:59:30Z";
  spec_.params["rows"] = "5000";
  spec_.max_pages_per_cycle = 3;
  auto src = Make();
  // A state far behind: [23:59:30, 23:59:40), then the rest up to now.
  auto r = src->Poll(*src->InitialState(kAlerts), Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events.size(), 10000u);
  EXPECT_EQ(r->next_delay, Duration(0));
  EXPECT_EQ(json::parse(r->next_state_json),
            State(kAlerts, "2025-12-31T23:59:40.000Z", "2026-01-01T00:00:00.000Z"));
  // 20000 records: more than the API pages through, so the window is halved.
  r = src->Poll(r->next_state_json, Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Ids(*r), Expected(kAlerts, "2025-12-31T23:59:40Z", "2025-12-31T23:59:50Z"));
  EXPECT_EQ(json::parse(r->next_state_json)["since"], "2025-12-31T23:59:50.000Z");
  EXPECT_EQ(r->next_delay, Duration(0));
}

TEST_F(CarbonBlackSourceTest, RateLimits) {
  auto src = Make();
  const std::string state = *src->InitialState(kAlerts);
  ASSERT_TRUE(api_->SetFault({"acme", "", FakeFaultKind::k429, 7, 0, 1}).ok());
  auto r = src->Poll(state, Deadline());
  ASSERT_EQ(r.status().code(), StatusCode::kRateLimited) << r.status().ToString();
  EXPECT_EQ(r.status().paws_code(), codes::kApiRateLimited);
  EXPECT_EQ(r.status().retry_after(), seconds(7));
  EXPECT_NE(r.status().message().find("TOO_MANY_REQUESTS"), std::string::npos);

  // After pages were collected: kept, and the next cycle waits, then goes
  // on at the page that was refused.
  http_.before = [&](int n, const HttpRequest&) {
    if (n == 4) {
      ASSERT_TRUE(api_->SetFault({"acme", "", FakeFaultKind::k429, 9, 0, 1}).ok());
    }
  };
  r = src->Poll(state, Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events.size(), 200u);
  EXPECT_EQ(r->next_delay, seconds(9));
  EXPECT_EQ(json::parse(r->next_state_json)["nextPage"], 201);
  std::vector<std::string> ids = Ids(*r);
  http_.before = nullptr;
  r = src->Poll(r->next_state_json, Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (const std::string& id : Ids(*r)) ids.push_back(id);
  EXPECT_EQ(ids, Expected(kAlerts, "2025-12-31T23:59:50Z", "2026-01-01T00:00:00Z"));

  // A 429 without Retry-After waits a minute.
  http_.rewrite = [](HttpResponse* res, const HttpRequest&) {
    *res = HttpResponse{429, {}, R"({"success":false,"message":"slow down","error_code":"X"})"};
  };
  r = src->Poll(state, Deadline());
  EXPECT_EQ(r.status().retry_after(), seconds(60)) << r.status().ToString();
}

TEST_F(CarbonBlackSourceTest, TheServiceLimitSlowsTheStreamWithoutFailingIt) {
  StartServer({.rate_limit_requests = 3}, 6000);
  clock_.Advance(seconds(60));  // the 5-minute window ends at 00:05:00
  spec_.collection_start = "2026-01-01T00:00:30Z";
  auto src = Make();
  auto r = src->Poll(*src->InitialState(kAlerts), Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events.size(), 300u);
  EXPECT_EQ(r->next_delay, seconds(240));
  EXPECT_EQ(json::parse(r->next_state_json)["nextPage"], 301);
  EXPECT_EQ(api_->Requests("acme", kAlerts), 4);
}

TEST_F(CarbonBlackSourceTest, CredentialErrors) {
  ASSERT_TRUE(api_->ConfigureTenant("acme", std::nullopt, "THE-RIGHT-KEY").ok());
  auto src = Make();
  const std::string state = *src->InitialState(kAlerts);
  auto r = src->Poll(state, Deadline());
  ASSERT_EQ(r.status().code(), StatusCode::kUnauthenticated) << r.status().ToString();
  EXPECT_EQ(r.status().paws_code(), codes::kApiUnauthenticated);
  EXPECT_NE(r.status().message().find("POST /t/acme/appservices/v6/orgs/ORG1/alerts/_search: "
                                      "HTTP 401 (UNAUTHORIZED: Invalid API key)"),
            std::string::npos)
      << r.status().message();
  ExpectNoSecrets(r.status());

  // A key revoked in the middle of a window: the cycle fails, nothing is
  // half-committed.
  ASSERT_TRUE(api_->ConfigureTenant("acme", std::nullopt, kSecret).ok());
  http_.before = [&](int n, const HttpRequest&) {
    if (n == 3) {
      ASSERT_TRUE(api_->SetFault({"acme", "", FakeFaultKind::k401, 0, 0, -1}).ok());
    }
  };
  r = src->Poll(state, Deadline());
  EXPECT_EQ(r.status().paws_code(), codes::kApiUnauthenticated) << r.status().ToString();
  http_.before = nullptr;
  http_.rewrite = [](HttpResponse* res, const HttpRequest&) { *res = HttpResponse{403, {}, ""}; };
  r = src->Poll(state, Deadline());
  EXPECT_EQ(r.status().paws_code(), codes::kApiUnauthenticated) << r.status().ToString();
}

TEST_F(CarbonBlackSourceTest, UpstreamStatesContinueWithNoGap) {
  auto src = Make();
  // The older upstream's shape (the API in "apiName"), in the middle of a
  // window; the next state names it in "stream" only.
  auto r = src->Poll(R"({"apiName":"SearchAlerts","since":"2025-12-31T23:59:50.000Z",)"
                     R"("until":"2025-12-31T23:59:55.000Z","nextPage":201,"poll_interval_sec":1})",
                     Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> expected =
      Expected(kAlerts, "2025-12-31T23:59:52Z", "2025-12-31T23:59:55Z");
  EXPECT_EQ(Ids(*r), expected);
  json next = json::parse(r->next_state_json);
  // Less than a poll interval behind: the next window is a poll interval long.
  EXPECT_EQ(next, State(kAlerts, "2025-12-31T23:59:55.000Z", "2026-01-01T00:00:05.000Z"));
  EXPECT_EQ(r->next_delay, seconds(5));

  // The newest upstream's shape (stream), at a window's start.
  r = src->Poll(R"({"stream":"SearchAlertsCBAnalytics","since":"2025-12-31T23:59:58.000Z",)"
                R"("until":"2025-12-31T23:59:59.000Z","nextPage":null,"poll_interval_sec":1})",
                Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Ids(*r),
            Expected("SearchAlertsCBAnalytics", "2025-12-31T23:59:58Z", "2025-12-31T23:59:59Z"));
  EXPECT_EQ(r->events.front().type_id, "CB_ANALYTICS");
  for (
      const char* bad :
      {"[]", R"({"since":"2026-01-01T00:00:00Z","until":"2026-01-01T00:00:00Z"})",
       R"({"stream":"okta","since":"2026-01-01T00:00:00Z","until":"2026-01-01T00:00:00Z"})",
       R"({"stream":"SearchAlerts","apiName":"AuditLogEvents","since":"2026-01-01T00:00:00Z",)"
       R"("until":"2026-01-01T00:00:00Z"})",
       R"({"apiName":"SearchAlerts","since":"yesterday","until":"2026-01-01T00:00:00Z"})",
       R"({"apiName":"SearchAlerts","since":"2026-01-01T00:00:01Z","until":"2026-01-01T00:00:00Z"})",
       R"({"apiName":"SearchAlerts","since":"2026-01-01T00:00:00Z","until":"2026-01-01T00:00:00Z",)"
       R"("nextPage":"x"})"}) {
    EXPECT_EQ(src->Poll(bad, Deadline()).status().paws_code(), codes::kStateMalformed) << bad;
  }
}

TEST_F(CarbonBlackSourceTest, MalformedResponsesAndSecretsInErrors) {
  auto src = Make();
  const std::string state = *src->InitialState(kAlerts);
  ASSERT_TRUE(api_->SetFault({"acme", "", FakeFaultKind::kMalformed, 0, 0, 1}).ok());
  auto r = src->Poll(state, Deadline());
  EXPECT_EQ(r.status().paws_code(), codes::kApiMalformed) << r.status().ToString();
  EXPECT_NE(r.status().message().find("not JSON"), std::string::npos);

  HttpResponse reply;
  http_.rewrite = [&](HttpResponse* res, const HttpRequest&) { *res = reply; };
  for (const char* b :
       {"[]", R"({"results":[]})", R"({"num_found":1})", R"({"num_found":-1,"results":[]})",
        R"({"num_found":1,"results":[1]})", R"({"num_found":1,"results":[{"id":"a"}]})",
        R"({"num_found":1,"results":[{"create_time":"2026-01-01T00:00:00Z"}]})",
        R"({"num_found":1,"results":[{"id":"a","create_time":"soon"}]})"}) {
    reply = HttpResponse{200, {}, b};
    r = src->Poll(state, Deadline());
    EXPECT_EQ(r.status().paws_code(), codes::kApiMalformed) << b;
    EXPECT_NE(r.status().message().find("/t/acme/appservices/v6/orgs/ORG1/alerts/_search: "),
              std::string::npos)
        << r.status().message();
  }
  reply =
      HttpResponse{400, {}, R"({"success":false,"message":"bad field","error_code":"INVALID"})"};
  r = src->Poll(state, Deadline());
  EXPECT_EQ(r.status().paws_code(), codes::kApiMalformed);
  EXPECT_NE(r.status().message().find("(INVALID: bad field)"), std::string::npos);

  // An API that echoes the key gets it into no message.
  http_.rewrite = [&](HttpResponse* res, const HttpRequest& req) {
    std::string token;
    for (const auto& [k, v] : req.headers) {
      if (k == "X-Auth-Token") token = v;
    }
    *res = HttpResponse{
        500, {}, json{{"message", "bad " + token + " / " + kSecret}, {"error_code", "E"}}.dump()};
  };
  r = src->Poll(state, Deadline());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  ExpectNoSecrets(r.status());
  EXPECT_NE(r.status().message().find(Secret::kRedacted), std::string::npos);
}

TEST_F(CarbonBlackSourceTest, FactoryAndRegistry) {
  SourceRegistry registry;
  RegisterBuiltinSources(&registry);
  ASSERT_TRUE(registry.Has("carbonblack"));
  auto src = registry.Make(spec_, {&clock_, &http_});
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  EXPECT_EQ((*src)->InitialState("okta").status().code(), StatusCode::kInvalidArgument);
  // Every stream the collector-type registry lists for carbonblack.
  const CollectorType* type = FindCollectorType("carbonblack");
  ASSERT_NE(type, nullptr);
  EXPECT_EQ(type->streams.size(), 5u);
  for (const std::string& stream : type->streams) {
    auto state = (*src)->InitialState(stream);
    ASSERT_TRUE(state.ok()) << stream;
    EXPECT_EQ(json::parse(*state)["stream"], stream);
    EXPECT_FALSE(json::parse(*state).contains(type->legacy_state_field)) << *state;
  }
  for (auto edit : std::vector<std::function<void(CollectorSpec*)>>{
           [](CollectorSpec* s) { s->params.erase("org_key"); },
           [](CollectorSpec* s) { s->params["org_key"] = "org/1"; },
           [](CollectorSpec* s) { s->params["rows"] = "10001"; },
           [](CollectorSpec* s) { s->params["rows"] = "x"; },
           [](CollectorSpec* s) { s->streams = {"SearchAlertsDeviceControl"}; },
           [](CollectorSpec* s) { s->streams = {}; }, [](CollectorSpec* s) { s->client_id = ""; },
           [](CollectorSpec* s) { s->secret = Secret(); },
           [](CollectorSpec* s) { s->endpoint = "defense.conferdeploy.net"; }}) {
    CollectorSpec s = spec_;
    edit(&s);
    auto made = MakeCarbonBlackSource(s, {&clock_, &http_});
    EXPECT_EQ(made.status().paws_code(), codes::kConfigInvalid);
    EXPECT_NE(made.status().message().find("c-cb"), std::string::npos);
  }
  // An unknown stream is refused with the streams there are.
  CollectorSpec s = spec_;
  s.streams = {"SearchAlertsDeviceControl"};
  auto made = MakeCarbonBlackSource(s, {&clock_, &http_});
  EXPECT_NE(made.status().message().find("SearchAlertsDeviceControl\" is not one of " +
                                         type->StreamList()),
            std::string::npos)
      << made.status().ToString();
}

}  // namespace
}  // namespace paws
