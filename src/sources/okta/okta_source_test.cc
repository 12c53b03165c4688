#include "sources/okta/okta_source.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "paws/codes.h"
#include "tools/fake_saas/fake_server.h"

namespace paws {
namespace {

using json = nlohmann::json;
using std::chrono::seconds;

constexpr const char* kSecret = "ssws-SECRET-4711";

// Loopback requests must not go through a proxy from the environment.
class LoopbackEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { setenv("no_proxy", "127.0.0.1,localhost", 1); }
};
const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new LoopbackEnvironment);

// The curl client, with a hook run after each request (to set a fault
// between two pages of one cycle).
class HookedHttp : public HttpClient {
 public:
  Result<HttpResponse> Send(const HttpRequest& req) override {
    Result<HttpResponse> res = curl_->Send(req);
    ++sent;
    if (after) after(sent);
    return res;
  }
  std::unique_ptr<HttpClient> curl_ = MakeCurlHttpClient();
  std::function<void(int)> after;
  int sent = 0;
};

class OktaSourceTest : public ::testing::Test {
 protected:
  // The fake API's clock starts at 00:00:20, a third into a minute: its rate
  // limit resets at 00:01:00.
  void Start(FakeApiOptions options = {}) {
    api_ = std::make_unique<FakeApi>(&clock_, options);
    auto server = FakeServer::Start(api_.get(), "127.0.0.1", 0);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    spec_.id = "okta-1";
    spec_.type = "okta";
    spec_.endpoint = server_->url() + "/t/acme/";
    spec_.streams = {"okta"};
    spec_.secret = Secret(kSecret);
    spec_.poll_interval = seconds(60);
    ASSERT_TRUE(api_->ConfigureTenant("acme", 600, kSecret).ok());  // 10 a second
  }
  std::unique_ptr<Source> Make(HttpClient* http = nullptr) {
    auto src = MakeOktaSource(spec_, {&clock_, http ? http : &http_});
    EXPECT_TRUE(src.ok()) << src.status().ToString();
    return src.ok() ? std::move(src).value() : nullptr;
  }
  MonoTime Deadline() { return clock_.MonotonicNow() + seconds(300); }
  static WallTime T(const std::string& text) { return *ParseRfc3339(text); }
  std::vector<std::string> Ids(const std::string& since, const std::string& until) {
    return api_->EventIds("acme", "default", T(since), T(until));
  }
  // Polls up to `max` cycles, until one is due later; collects the ids and
  // the delays.
  std::vector<std::string> PollUntilWaiting(Source* src, std::string* state, int max,
                                            std::vector<Duration>* delays) {
    std::vector<std::string> ids;
    for (int i = 0; i < max; ++i) {
      auto r = src->Poll(*state, Deadline());
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (!r.ok()) break;
      for (const Event& e : r->events) ids.push_back(e.id);
      *state = r->next_state_json;
      delays->push_back(r->next_delay);
      if (r->next_delay > Duration(0)) break;
    }
    return ids;
  }
  static void ExpectNoSecret(const Status& s) {
    EXPECT_EQ(s.message().find(kSecret), std::string::npos) << s.message();
  }

  FakeClock clock_{T("2026-01-01T00:00:20Z")};
  std::unique_ptr<FakeApi> api_;
  std::unique_ptr<FakeServer> server_;
  HookedHttp http_;
  CollectorSpec spec_;
};

TEST_F(OktaSourceTest, MultiPageWindowIsCollectedAcrossCyclesWithThePageLimit) {
  Start();
  spec_.max_pages_per_cycle = 2;
  spec_.params["limit"] = "100";
  auto src = Make();
  std::string state = *src->InitialState("okta");
  std::vector<Duration> delays;
  std::vector<std::string> ids = PollUntilWaiting(src.get(), &state, 10, &delays);
  // 600 events, 6 pages, 2 a cycle; then the next window, due when it ends.
  EXPECT_EQ(delays, (std::vector<Duration>{Duration(0), Duration(0), seconds(60)}));
  EXPECT_EQ(ids, Ids("2025-12-31T23:59:20Z", "2026-01-01T00:00:20Z"));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 600u);
  EXPECT_EQ(api_->ServedIds("acme", "default").size(), 600u);  // no stream param sent
  EXPECT_EQ(api_->Requests("acme", "default"), 6);
  EXPECT_EQ(json::parse(state), json::parse(R"({"since":"2026-01-01T00:00:20.000Z",
      "until":"2026-01-01T00:01:20.000Z","poll_interval_sec":60})"));

  // The window not yet ended is not collected: no request, same state.
  auto r = src->Poll(state, Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->events.empty());
  EXPECT_EQ(r->next_state_json, state);
  EXPECT_EQ(r->next_delay, seconds(60));
  EXPECT_EQ(api_->Requests("acme", "default"), 6);
}

TEST_F(OktaSourceTest, EventsCarryUuidPublishedAndEventType) {
  Start();
  auto src = Make();
  auto r = src->Poll(*src->InitialState("okta"), Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->events.size(), 600u);  // one page of up to 1000
  const Event& e = r->events.front();
  json raw = json::parse(e.raw_json);
  EXPECT_EQ(raw["uuid"], e.id);
  EXPECT_EQ(e.timestamp, T(raw["published"].get<std::string>()));
  EXPECT_EQ(e.timestamp, T("2025-12-31T23:59:20Z"));
  EXPECT_EQ(raw["eventType"], e.type_id);
  EXPECT_FALSE(e.type_id.empty());
}

TEST_F(OktaSourceTest, UpstreamStateIsContinuedWithoutGap) {
  Start();
  auto src = Make();
  // What alertlogic/paws-collector's okta collector leaves in its queue.
  std::string state = R"({"since":"2025-12-31T23:50:00.000Z","until":"2025-12-31T23:55:07.123Z",)"
                      R"("poll_interval_sec":300})";
  std::vector<Duration> delays;
  std::vector<std::string> ids = PollUntilWaiting(src.get(), &state, 20, &delays);
  EXPECT_EQ(ids, Ids("2025-12-31T23:50:00Z", "2026-01-01T00:00:07.123Z"));
  EXPECT_EQ(delays.back(), Duration(47123));  // [00:00:07.123, 00:01:07.123) ends
  EXPECT_EQ(json::parse(state)["since"], "2026-01-01T00:00:07.123Z");
  EXPECT_EQ(json::parse(state)["poll_interval_sec"], 60);

  // Its initial state can be an empty window: skipped, nothing requested.
  const int64_t before = api_->Requests("acme", "default");
  auto r = src->Poll(R"({"since":"2026-01-01T00:00:00.000Z","until":"2026-01-01T00:00:00.000Z",)"
                     R"("poll_interval_sec":1})",
                     Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(json::parse(r->next_state_json)["since"], "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(json::parse(r->next_state_json)["until"], "2026-01-01T00:01:00.000Z");
  EXPECT_EQ(api_->Requests("acme", "default"), before);
}

TEST_F(OktaSourceTest, A429SlowsTheStream) {
  Start();
  spec_.params["limit"] = "100";
  auto src = Make();
  const std::string state = *src->InitialState("okta");
  ASSERT_TRUE(api_->SetFault({"acme", "", FakeFaultKind::k429, 7, 0, 1}).ok());
  auto r = src->Poll(state, Deadline());
  ASSERT_EQ(r.status().code(), StatusCode::kRateLimited) << r.status().ToString();
  EXPECT_EQ(r.status().paws_code(), codes::kApiRateLimited);
  EXPECT_EQ(r.status().retry_after(), seconds(7));
  ExpectNoSecret(r.status());

  // A 429 on the third page: the cycle keeps its two pages and waits.
  http_.sent = 0;
  http_.after = [&](int sent) {
    if (sent == 2) {
      ASSERT_TRUE(api_->SetFault({"acme", "", FakeFaultKind::k429, 9, 0, 1}).ok());
    }
  };
  r = src->Poll(state, Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events.size(), 200u);
  EXPECT_EQ(r->next_delay, seconds(9));
  std::string next = r->next_state_json;
  EXPECT_TRUE(json::parse(next).contains("nextPage"));
  std::vector<std::string> ids;
  for (const Event& e : r->events) ids.push_back(e.id);
  std::vector<Duration> delays;
  for (const std::string& id : PollUntilWaiting(src.get(), &next, 5, &delays)) ids.push_back(id);
  EXPECT_EQ(ids, Ids("2025-12-31T23:59:20Z", "2026-01-01T00:00:20Z"));
}

TEST_F(OktaSourceTest, ExhaustedRateLimitSlowsTheStreamWithoutAnError) {
  Start({.rate_limit_per_minute = 3});  // X-Rate-Limit-Remaining: 0 on the third request
  spec_.params["limit"] = "100";
  auto src = Make();
  std::string state = *src->InitialState("okta");
  auto r = src->Poll(state, Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events.size(), 300u);
  EXPECT_EQ(r->next_delay, seconds(40));  // X-Rate-Limit-Reset: 00:01:00
  EXPECT_TRUE(json::parse(r->next_state_json).contains("nextPage"));
  std::vector<std::string> ids;
  for (const Event& e : r->events) ids.push_back(e.id);

  clock_.Advance(seconds(40));  // a new minute: 3 more requests
  r = src->Poll(r->next_state_json, Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (const Event& e : r->events) ids.push_back(e.id);
  EXPECT_EQ(ids, Ids("2025-12-31T23:59:20Z", "2026-01-01T00:00:20Z"));
  // The window is complete on the last allowed page; the next one ends at
  // 00:01:20, but requests are back only at 00:02:00.
  EXPECT_FALSE(json::parse(r->next_state_json).contains("nextPage"));
  EXPECT_EQ(r->next_delay, seconds(60));
}

TEST_F(OktaSourceTest, BadTokenIsUnauthenticated) {
  Start();
  ASSERT_TRUE(api_->ConfigureTenant("acme", std::nullopt, "the-right-token").ok());
  auto src = Make();
  auto r = src->Poll(*src->InitialState("okta"), Deadline());
  EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated) << r.status().ToString();
  EXPECT_EQ(r.status().paws_code(), codes::kApiUnauthenticated);
  EXPECT_NE(r.status().message().find("/t/acme/api/v1/logs"), std::string::npos);
  EXPECT_EQ(r.status().message().find("since="), std::string::npos);
  ExpectNoSecret(r.status());
}

TEST_F(OktaSourceTest, MalformedResponsesAreErrorsNotCrashes) {
  Start();
  auto src = Make();
  const std::string state = *src->InitialState("okta");
  ASSERT_TRUE(api_->SetFault({"acme", "", FakeFaultKind::kMalformed, 0, 0, 1}).ok());
  auto r = src->Poll(state, Deadline());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().paws_code(), codes::kApiMalformed);
  EXPECT_NE(r.status().message().find("not JSON"), std::string::npos) << r.status().message();
  ExpectNoSecret(r.status());
  ASSERT_TRUE(api_->SetFault({"acme", "", FakeFaultKind::k500, 0, 0, 1}).ok());
  r = src->Poll(state, Deadline());
  EXPECT_EQ(r.status().paws_code(), codes::kApiUnavailable);
  ExpectNoSecret(r.status());
  // The faults are gone: the same state collects its window.
  EXPECT_TRUE(src->Poll(state, Deadline()).ok());
}

TEST_F(OktaSourceTest, RegisteredAsOkta) {
  Start();
  SourceRegistry registry;
  RegisterBuiltinSources(&registry);
  ASSERT_TRUE(registry.Has("okta"));
  auto src = registry.Make(spec_, {&clock_, &http_});
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  EXPECT_TRUE((*src)->InitialState("okta").ok());
}

}  // namespace
}  // namespace paws
