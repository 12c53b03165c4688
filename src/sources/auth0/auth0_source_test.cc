#include "sources/auth0/auth0_source.h"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "paws/codes.h"
#include "tools/fake_saas/fake_events.h"
#include "tools/fake_saas/fake_server.h"
#include "tools/fake_saas/services/auth0.h"

namespace paws {
namespace {

using json = nlohmann::json;
using std::chrono::seconds;

constexpr const char* kSecret = "cs-SECRET-4711";

// The curl client, with hooks: count token requests, act before the n-th
// log request, rewrite log responses.
class HookedHttp : public HttpClient {
 public:
  Result<HttpResponse> Send(const HttpRequest& req) override {
    const bool token = req.url.find("/oauth/token") != std::string::npos;
    if (token) {
      ++token_requests;
    } else {
      ++log_requests;
      if (before_log) before_log(log_requests, req);
    }
    Result<HttpResponse> res = curl_->Send(req);
    if (res.ok() && !token && rewrite) rewrite(&*res, req);
    return res;
  }
  std::function<void(int, const HttpRequest&)> before_log;
  std::function<void(HttpResponse*, const HttpRequest&)> rewrite;
  int token_requests = 0, log_requests = 0;

 private:
  std::unique_ptr<HttpClient> curl_ = MakeCurlHttpClient();
};

class Auth0SourceTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(std::nullopt); }

  // Serves AddFakeServices' services, or only an auth0 service with `options`.
  void StartServer(std::optional<FakeAuth0Options> options) {
    server_.reset();
    api_ = std::make_unique<FakeApi>(&clock_);
    if (options) {
      api_->AddService(MakeFakeAuth0Service(*options));
    } else {
      AddFakeServices(api_.get());
    }
    ASSERT_TRUE(api_->ConfigureTenant("acme", 6000, std::nullopt).ok());  // 100 a second
    auto server = FakeServer::Start(api_.get(), "127.0.0.1", 0);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    spec_.id = "c-auth0";
    spec_.type = "auth0";
    spec_.endpoint = server_->url() + "/t/acme";
    spec_.streams = {"auth0"};
    spec_.client_id = "app-1";
    spec_.secret = Secret(kSecret);
    spec_.poll_interval = seconds(60);
    spec_.collection_start = "2025-12-31T23:59:50Z";  // 1000 events before now
  }

  std::unique_ptr<Source> Make() {
    auto src = MakeAuth0Source(spec_, {&clock_, &http_});
    EXPECT_TRUE(src.ok()) << src.status().ToString();
    return src.ok() ? std::move(src).value() : nullptr;
  }
  MonoTime Deadline() { return clock_.MonotonicNow() + seconds(300); }
  // The log ids of the events in [since, now), oldest first.
  std::vector<std::string> Expected(WallTime since) {
    std::vector<std::string> ids;
    int64_t period = api_->Period("acme").count();
    int64_t end = FakeFirstIndexAtOrAfter(ToUnixMillis(clock_.Now()), period);
    for (int64_t k = FakeFirstIndexAtOrAfter(ToUnixMillis(since), period); k < end; ++k) {
      ids.push_back(FakeAuth0LogId(k));
    }
    return ids;
  }
  static std::vector<std::string> Ids(const PollResult& r) {
    std::vector<std::string> ids;
    for (const Event& e : r.events) ids.push_back(e.id);
    return ids;
  }
  static void ExpectNoSecrets(const Status& s, const std::string& token = "") {
    EXPECT_EQ(s.message().find(kSecret), std::string::npos) << s.message();
    if (!token.empty()) {
      EXPECT_EQ(s.message().find(token), std::string::npos) << s.message();
    }
  }

  FakeClock clock_;  // 2026-01-01T00:00:00Z
  std::unique_ptr<FakeApi> api_;
  std::unique_ptr<FakeServer> server_;
  HookedHttp http_;  // closes its connections first: the server then stops at once
  CollectorSpec spec_;
};

TEST_F(Auth0SourceTest, CollectsEveryPageInOrderAndCatchesUp) {
  spec_.max_pages_per_cycle = 4;
  auto src = Make();
  std::string state = *src->InitialState("auth0");
  EXPECT_EQ(json::parse(state)["since"], "2025-12-31T23:59:50.000Z");
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
  // 10 full pages of 100, then a short one: 4 + 4 + 3 pages.
  EXPECT_EQ(delays, (std::vector<Duration>{Duration(0), Duration(0), seconds(60)}));
  EXPECT_EQ(ids, Expected(*ParseRfc3339("2025-12-31T23:59:50Z")));
  EXPECT_EQ(ids, api_->ServedIds("acme", "auth0"));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 1000u);
  EXPECT_EQ(json::parse(state),
            (json{{"stream", "auth0"}, {"last_log_id", ids.back()}, {"poll_interval_sec", 60}}));
  EXPECT_EQ(http_.token_requests, 1);  // cached across polls

  // One second later: its 100 events, and no gap at the seam.
  clock_.Advance(seconds(1));
  auto r = src->Poll(state, Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->events.size(), 100u);
  EXPECT_EQ(Ids(*r), Expected(*ParseRfc3339("2026-01-01T00:00:00Z")));
  const Event& e = r->events.front();
  EXPECT_EQ(e.timestamp, *ParseRfc3339("2026-01-01T00:00:00Z"));
  json raw = json::parse(e.raw_json);
  EXPECT_EQ(raw["log_id"], e.id);
  EXPECT_EQ(raw["type"], e.type_id);
  EXPECT_FALSE(e.type_id.empty());
}

TEST_F(Auth0SourceTest, ATokenThatExpiresMidWindowIsRefreshed) {
  spec_.max_pages_per_cycle = 5;
  auto src = Make();
  // Before the third page the API's time passes the token's 60 s (ours does
  // not: the cached token still looks good), so that page is answered 401.
  http_.before_log = [&](int n, const HttpRequest&) {
    if (n == 3) clock_.SetWall(clock_.Now() + seconds(120));
  };
  auto r = src->Poll(*src->InitialState("auth0"), Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(http_.token_requests, 2);
  EXPECT_EQ(http_.log_requests, 6);  // one retried
  std::vector<std::string> expected = Expected(*ParseRfc3339("2025-12-31T23:59:50Z"));
  expected.resize(500);
  EXPECT_EQ(Ids(*r), expected);
  EXPECT_EQ(r->next_delay, Duration(0));
}

TEST_F(Auth0SourceTest, RateLimits) {
  auto src = Make();
  const std::string state = *src->InitialState("auth0");
  ASSERT_TRUE(api_->SetFault({"acme", "", FakeFaultKind::k429, 7, 0, 1}).ok());
  auto r = src->Poll(state, Deadline());
  ASSERT_EQ(r.status().code(), StatusCode::kRateLimited) << r.status().ToString();
  EXPECT_EQ(r.status().paws_code(), codes::kApiRateLimited);
  EXPECT_EQ(r.status().retry_after(), seconds(7));
  EXPECT_NE(r.status().message().find("too_many_requests"), std::string::npos);

  // After the first page: the events so far are kept, the next cycle waits.
  http_.before_log = [&](int n, const HttpRequest&) {
    if (n == 3) {
      ASSERT_TRUE(api_->SetFault({"acme", "", FakeFaultKind::k429, 9, 0, 1}).ok());
    }
  };
  r = src->Poll(state, Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events.size(), 100u);
  EXPECT_EQ(r->next_delay, seconds(9));
  EXPECT_EQ(json::parse(r->next_state_json)["last_log_id"], r->events.back().id);
}

TEST_F(Auth0SourceTest, NoneRemainingSlowsDownWithoutError) {
  StartServer(FakeAuth0Options{.rate_limit_per_minute = 2});
  clock_.Advance(seconds(15));  // the limit resets at 00:01:00
  auto src = Make();
  auto r = src->Poll(*src->InitialState("auth0"), Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events.size(), 200u);  // the second page had none remaining
  EXPECT_EQ(r->next_delay, seconds(45));
  EXPECT_EQ(api_->Requests("acme", "auth0"), 2);
}

TEST_F(Auth0SourceTest, CredentialErrors) {
  ASSERT_TRUE(api_->ConfigureTenant("acme", std::nullopt, "the-right-secret").ok());
  auto src = Make();
  auto r = src->Poll(*src->InitialState("auth0"), Deadline());
  ASSERT_EQ(r.status().code(), StatusCode::kUnauthenticated) << r.status().ToString();
  EXPECT_EQ(r.status().paws_code(), codes::kApiUnauthenticated);
  EXPECT_NE(r.status().message().find("/t/acme/oauth/token"), std::string::npos);
  ExpectNoSecrets(r.status());

  // A token the API keeps refusing: one retry, then the error.
  ASSERT_TRUE(api_->ConfigureTenant("acme", std::nullopt, kSecret).ok());
  ASSERT_TRUE(api_->SetFault({"acme", "", FakeFaultKind::k401, 0, 0, -1}).ok());
  r = src->Poll(*src->InitialState("auth0"), Deadline());
  ASSERT_EQ(r.status().code(), StatusCode::kUnauthenticated) << r.status().ToString();
  EXPECT_NE(r.status().message().find("/t/acme/api/v2/logs: HTTP 401 (invalid_token"),
            std::string::npos)
      << r.status().message();
  EXPECT_EQ(api_->Requests("acme", "auth0"), 2);
}

TEST_F(Auth0SourceTest, UpstreamStatesContinueWithNoGap) {
  auto src = Make();
  const int64_t k0 = ToUnixMillis(*ParseRfc3339("2025-12-31T23:59:55Z")) / 10;
  auto r = src->Poll(json{{"last_log_id", FakeAuth0LogId(k0)}, {"poll_interval_sec", 1}}.dump(),
                     Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Ids(*r), Expected(*ParseRfc3339("2025-12-31T23:59:55.010Z")));
  EXPECT_EQ(json::parse(r->next_state_json)["stream"], "auth0");

  r = src->Poll(R"({"since":"2025-12-31T23:59:58.000Z","poll_interval_sec":1})", Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Ids(*r), Expected(*ParseRfc3339("2025-12-31T23:59:58Z")));
  for (const char* bad : {"[]", R"({"stream":"okta","since":"2026-01-01T00:00:00Z"})",
                          R"({"last_log_id":""})", R"({"since":"yesterday"})"}) {
    EXPECT_EQ(src->Poll(bad, Deadline()).status().paws_code(), codes::kStateMalformed) << bad;
  }
}

TEST_F(Auth0SourceTest, MalformedResponsesAndSecretsInErrors) {
  auto src = Make();
  const std::string state = *src->InitialState("auth0");
  ASSERT_TRUE(api_->SetFault({"acme", "", FakeFaultKind::kMalformed, 0, 0, 1}).ok());
  auto r = src->Poll(state, Deadline());
  EXPECT_EQ(r.status().paws_code(), codes::kApiMalformed) << r.status().ToString();
  EXPECT_NE(r.status().message().find("not JSON"), std::string::npos);

  std::string body;
  http_.rewrite = [&](HttpResponse* res, const HttpRequest&) {
    *res = HttpResponse{200, {}, body};
  };
  for (const char* b : {"{}", "[1]", R"([{"date":"2026-01-01T00:00:00Z"}])", R"([{"log_id":"1"}])",
                        R"([{"log_id":"1","date":"soon"}])"}) {
    body = b;
    r = src->Poll(state, Deadline());
    EXPECT_EQ(r.status().paws_code(), codes::kApiMalformed) << b;
    EXPECT_NE(r.status().message().find("/t/acme/api/v2/logs: "), std::string::npos);
  }
  // An API that echoes the credentials gets neither into a message.
  std::string token;
  http_.rewrite = [&](HttpResponse* res, const HttpRequest& req) {
    for (const auto& [k, v] : req.headers) {
      if (k == "Authorization") token = v.substr(std::string("Bearer ").size());
    }
    *res = HttpResponse{500,
                        {},
                        json{{"statusCode", 500},
                             {"error", "Internal Server Error"},
                             {"message", "bad " + token + " / " + kSecret}}
                            .dump()};
  };
  r = src->Poll(state, Deadline());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  ASSERT_FALSE(token.empty());
  ExpectNoSecrets(r.status(), token);
  EXPECT_NE(r.status().message().find(Secret::kRedacted), std::string::npos);
}

TEST_F(Auth0SourceTest, FactoryAndRegistry) {
  SourceRegistry registry;
  RegisterBuiltinSources(&registry);
  ASSERT_TRUE(registry.Has("auth0"));
  auto src = registry.Make(spec_, {&clock_, &http_});
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  EXPECT_EQ((*src)->InitialState("okta").status().code(), StatusCode::kInvalidArgument);
  for (auto edit : std::vector<std::function<void(CollectorSpec*)>>{
           [](CollectorSpec* s) { s->params["take"] = "101"; },
           [](CollectorSpec* s) { s->params["take"] = "x"; },
           [](CollectorSpec* s) { s->client_id = ""; },
           [](CollectorSpec* s) { s->secret = Secret(); },
           [](CollectorSpec* s) { s->endpoint = "acme.auth0.com"; }}) {
    CollectorSpec s = spec_;
    edit(&s);
    EXPECT_EQ(MakeAuth0Source(s, {&clock_, &http_}).status().paws_code(), codes::kConfigInvalid);
  }
}

}  // namespace
}  // namespace paws
