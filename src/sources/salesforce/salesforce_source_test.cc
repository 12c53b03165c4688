#include "sources/salesforce/salesforce_source.h"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "paws/codes.h"
#include "paws/collector_types.h"
#include "sources/salesforce/salesforce_test_key.h"
#include "tools/fake_saas/fake_events.h"
#include "tools/fake_saas/fake_server.h"
#include "tools/fake_saas/services/salesforce.h"

namespace paws {
namespace {

using json = nlohmann::json;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const SalesforceTestKey& Key() {
  static const SalesforceTestKey key = SalesforceTestKey::Generate();
  return key;
}

// The curl client, with hooks: count token and query requests, act before
// the n-th query, rewrite responses.
class HookedHttp : public HttpClient {
 public:
  Result<HttpResponse> Send(const HttpRequest& req) override {
    const bool token = req.url.find("/services/oauth2/token") != std::string::npos;
    if (token) {
      ++token_requests;
    } else {
      ++queries;
      if (before_query) before_query(queries, req);
    }
    Result<HttpResponse> res = curl_->Send(req);
    if (res.ok() && token && rewrite_token) rewrite_token(&*res);
    if (res.ok() && !token && rewrite) rewrite(&*res, req);
    return res;
  }
  std::function<void(int, const HttpRequest&)> before_query;
  std::function<void(HttpResponse*, const HttpRequest&)> rewrite;
  std::function<void(HttpResponse*)> rewrite_token;
  int token_requests = 0, queries = 0;

 private:
  std::unique_ptr<HttpClient> curl_ = MakeCurlHttpClient();
};

class SalesforceSourceTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer({}); }

  void StartServer(FakeSalesforceOptions options) {
    server_.reset();
    api_ = std::make_unique<FakeApi>(&clock_);
    options.public_key_pem = Key().public_pem;
    api_->AddService(MakeFakeSalesforceService(options));
    ASSERT_TRUE(api_->ConfigureTenant("acme", 1200, std::nullopt).ok());  // 20 a second
    auto server = FakeServer::Start(api_.get(), "127.0.0.1", 0);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    spec_.id = "c-salesforce";
    spec_.type = "salesforce";
    spec_.endpoint = server_->url() + "/t/acme";
    spec_.streams = {"LoginHistory", "ApiEvent"};
    spec_.client_id = "consumer-key";
    spec_.secret = Secret(Key().private_pem);
    spec_.params = {{"username", "collector@acme.example"}, {"batch_size", "200"}};
    spec_.poll_interval = seconds(60);
    spec_.max_pages_per_cycle = 4;
    spec_.collection_start = "2025-12-31T23:58:00Z";  // two windows of 1200 before now
  }

  std::unique_ptr<Source> Make() {
    auto src = MakeSalesforceSource(spec_, {&clock_, &http_});
    EXPECT_TRUE(src.ok()) << src.status().ToString();
    return src.ok() ? std::move(src).value() : nullptr;
  }
  MonoTime Deadline() { return clock_.MonotonicNow() + seconds(300); }
  // The Ids of the records of `object` in [since, until), oldest first.
  std::vector<std::string> Expected(const std::string& object, const std::string& since,
                                    const std::string& until) {
    std::vector<std::string> ids;
    const int64_t period = api_->Period("acme").count();
    const int64_t end = FakeFirstIndexAtOrAfter(ToUnixMillis(*ParseRfc3339(until)), period);
    for (int64_t k = FakeFirstIndexAtOrAfter(ToUnixMillis(*ParseRfc3339(since)), period); k < end;
         ++k) {
      ids.push_back(FakeSalesforceId(object, k));
    }
    return ids;
  }
  static std::vector<std::string> Ids(const PollResult& r) {
    std::vector<std::string> ids;
    for (const Event& e : r.events) ids.push_back(e.id);
    return ids;
  }
  // Polls from `state` until a poll is not due at once (at most `cycles`).
  std::vector<std::string> Drain(Source* src, std::string* state, std::vector<Duration>* delays,
                                 int cycles = 10) {
    std::vector<std::string> ids;
    for (int cycle = 0; cycle < cycles; ++cycle) {
      auto r = src->Poll(*state, Deadline());
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (!r.ok()) break;
      for (const std::string& id : Ids(*r)) ids.push_back(id);
      delays->push_back(r->next_delay);
      *state = r->next_state_json;
      if (r->next_delay > Duration(0)) break;
    }
    return ids;
  }
  static void ExpectNoSecrets(const Status& s, const std::string& token = "") {
    const std::string& pem = Key().private_pem;
    EXPECT_EQ(s.message().find(pem.substr(pem.find('\n') + 1, 40)), std::string::npos)
        << s.message();
    EXPECT_EQ(s.message().find("PRIVATE KEY"), std::string::npos) << s.message();
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

TEST_F(SalesforceSourceTest, CollectsEveryPageInOrderAndCatchesUp) {
  auto src = Make();
  std::string state = *src->InitialState("LoginHistory");
  EXPECT_EQ(json::parse(state), (json{{"stream", "LoginHistory"},
                                      {"since", "2025-12-31T23:58:00.000Z"},
                                      {"until", "2025-12-31T23:59:00.000Z"},
                                      {"nextPage", nullptr},
                                      {"apiQuotaResetDate", nullptr},
                                      {"poll_interval_sec", 1}}));
  std::vector<Duration> delays;
  std::vector<std::string> ids = Drain(src.get(), &state, &delays);
  // Two windows of 6 pages of 200, 4 pages a cycle; a window per cycle.
  EXPECT_EQ(delays, (std::vector<Duration>{Duration(0), Duration(0), Duration(0), seconds(60)}));
  EXPECT_EQ(ids, Expected("LoginHistory", "2025-12-31T23:58:00Z", "2026-01-01T00:00:00Z"));
  EXPECT_EQ(ids, api_->ServedIds("acme", "LoginHistory"));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 2400u);
  EXPECT_EQ(http_.token_requests, 1);  // cached across polls
  EXPECT_EQ(http_.queries, 12);
  json st = json::parse(state);
  EXPECT_EQ(st["since"], "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(st["until"], "2026-01-01T00:01:00.000Z");
  EXPECT_EQ(st["nextPage"], nullptr);
  EXPECT_EQ(st["poll_interval_sec"], 60);

  // The window has not ended: nothing is sent.
  auto r = src->Poll(state, Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->events.empty());
  EXPECT_EQ(r->next_delay, seconds(60));
  EXPECT_EQ(http_.queries, 12);
  // After it, its records with no gap at the seam.
  clock_.Advance(seconds(60));
  r = src->Poll(state, Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Ids(*r), Expected("LoginHistory", "2026-01-01T00:00:00Z", "2026-01-01T00:00:40Z"));
  const Event& e = r->events.front();
  EXPECT_EQ(e.timestamp, *ParseRfc3339("2026-01-01T00:00:00Z"));
  EXPECT_EQ(e.type_id, "LoginHistory");
  json raw = json::parse(e.raw_json);
  EXPECT_EQ(raw["Id"], e.id);
  EXPECT_EQ(raw["LoginTime"], "2026-01-01T00:00:00.000+0000");
}

TEST_F(SalesforceSourceTest, EventObjectsNewestFirstLoseNothing) {
  spec_.max_pages_per_cycle = 2;
  auto src = Make();
  std::string state = *src->InitialState("ApiEvent");
  std::vector<Duration> delays;
  std::vector<std::string> ids = Drain(src.get(), &state, &delays);
  // 1200 a window; 400 a cycle, less the one left for the next at each pause.
  EXPECT_EQ(delays.size(), 8u);
  EXPECT_EQ(delays.back(), seconds(60));
  std::vector<std::string> expected =
      Expected("ApiEvent", "2025-12-31T23:58:00Z", "2026-01-01T00:00:00Z");
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()),
            std::set<std::string>(expected.begin(), expected.end()));
  EXPECT_EQ(ids.size(), expected.size());  // none twice
  EXPECT_EQ(ids.front(), expected[1199]);  // newest of the first window first
}

TEST_F(SalesforceSourceTest, ASessionThatExpiresMidWindowIsRenewed) {
  FakeSalesforceOptions options;
  options.session_lifetime = minutes(5);
  StartServer(options);
  auto src = Make();
  // Before the third page the API's time passes the session's 5 min (ours
  // does not: the cached token still looks good), so it answers 401.
  http_.before_query = [&](int n, const HttpRequest&) {
    if (n == 3) clock_.SetWall(clock_.Now() + minutes(10));
  };
  auto r = src->Poll(*src->InitialState("LoginHistory"), Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(http_.token_requests, 2);
  EXPECT_EQ(http_.queries, 5);  // one retried
  std::vector<std::string> expected =
      Expected("LoginHistory", "2025-12-31T23:58:00Z", "2025-12-31T23:59:00Z");
  expected.resize(800);
  EXPECT_EQ(Ids(*r), expected);
  EXPECT_EQ(r->next_delay, Duration(0));
  EXPECT_EQ(json::parse(r->next_state_json)["nextPage"], expected.back());
}

TEST_F(SalesforceSourceTest, RateLimitsSlowTheStream) {
  auto src = Make();
  const std::string state = *src->InitialState("LoginHistory");
  ASSERT_TRUE(api_->SetFault({"acme", "LoginHistory", FakeFaultKind::k429, 7, 0, 1}).ok());
  auto r = src->Poll(state, Deadline());
  ASSERT_EQ(r.status().code(), StatusCode::kRateLimited) << r.status().ToString();
  EXPECT_EQ(r.status().paws_code(), codes::kApiRateLimited);
  EXPECT_EQ(r.status().retry_after(), seconds(7));

  // After the first pages: the records so far are kept, the next cycle
  // waits. (Query 1 was the refused one.)
  http_.before_query = [&](int n, const HttpRequest&) {
    if (n == 4) {
      ASSERT_TRUE(api_->SetFault({"acme", "", FakeFaultKind::k429, 9, 0, 1}).ok());
    }
  };
  r = src->Poll(state, Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events.size(), 400u);
  EXPECT_EQ(r->next_delay, seconds(9));
  EXPECT_EQ(json::parse(r->next_state_json)["nextPage"], r->events.back().id);
}

TEST_F(SalesforceSourceTest, RequestLimitExceededWaitsForApiQuotaResetDate) {
  FakeSalesforceOptions options;
  options.daily_request_limit = 3;
  StartServer(options);
  spec_.max_pages_per_cycle = 10;
  auto src = Make();
  auto r = src->Poll(*src->InitialState("LoginHistory"), Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events.size(), 600u);  // the fourth page was refused
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(r->warnings[0].paws_code(), codes::kApiRateLimited);
  EXPECT_NE(r->warnings[0].message().find("REQUEST_LIMIT_EXCEEDED"), std::string::npos);
  EXPECT_EQ(r->next_delay, minutes(15));
  json st = json::parse(r->next_state_json);
  EXPECT_EQ(st["apiQuotaResetDate"], "2026-01-02T01:00:00.000Z");  // upstream's 25 h
  EXPECT_EQ(st["nextPage"], r->events.back().id);
  std::vector<std::string> ids = Ids(*r);

  // Until then nothing is sent.
  const int64_t requests = api_->Requests("acme", "LoginHistory");
  clock_.Advance(hours(24) + minutes(50));
  r = src->Poll(st.dump(), Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->events.empty());
  EXPECT_EQ(r->next_delay, minutes(10));
  EXPECT_EQ(json::parse(r->next_state_json), st);
  EXPECT_EQ(api_->Requests("acme", "LoginHistory"), requests);

  // Then the window goes on where it stopped.
  clock_.Advance(minutes(10));
  r = src->Poll(st.dump(), Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (const std::string& id : Ids(*r)) ids.push_back(id);
  EXPECT_EQ(ids, Expected("LoginHistory", "2025-12-31T23:58:00Z", "2025-12-31T23:59:00Z"));
  EXPECT_EQ(json::parse(r->next_state_json)["apiQuotaResetDate"], nullptr);
  EXPECT_EQ(r->next_delay, Duration(0));  // far behind: catching up
  // More than 24 h behind: a day's window.
  EXPECT_EQ(json::parse(r->next_state_json)["until"], "2026-01-01T23:59:00.000Z");
}

TEST_F(SalesforceSourceTest, CredentialErrors) {
  // A key the connected app does not know.
  spec_.secret = Secret(SalesforceTestKey::Generate().private_pem);
  auto src = Make();
  const std::string state = *src->InitialState("LoginHistory");
  auto r = src->Poll(state, Deadline());
  ASSERT_EQ(r.status().code(), StatusCode::kUnauthenticated) << r.status().ToString();
  EXPECT_EQ(r.status().paws_code(), codes::kApiUnauthenticated);
  EXPECT_NE(r.status().message().find("/t/acme/services/oauth2/token"), std::string::npos);
  EXPECT_NE(r.status().message().find("invalid_grant"), std::string::npos);

  // An unknown consumer key.
  spec_.secret = Secret(Key().private_pem);
  ASSERT_TRUE(api_->ConfigureTenant("acme", std::nullopt, "another-consumer-key").ok());
  src = Make();
  r = src->Poll(state, Deadline());
  ASSERT_EQ(r.status().code(), StatusCode::kUnauthenticated) << r.status().ToString();
  EXPECT_NE(r.status().message().find("invalid_client_id"), std::string::npos);
  ExpectNoSecrets(r.status());

  // Not a key at all: reported by the poll, the text never quoted.
  spec_.secret = Secret("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC");
  src = Make();
  r = src->Poll(state, Deadline());
  ASSERT_EQ(r.status().code(), StatusCode::kUnauthenticated) << r.status().ToString();
  EXPECT_EQ(r.status().message().find("MIIEvQIBADANBgkq"), std::string::npos);

  // A session the API keeps refusing: one retry, then the error.
  ASSERT_TRUE(api_->ConfigureTenant("acme", std::nullopt, "").ok());
  spec_.secret = Secret(Key().private_pem);
  src = Make();
  ASSERT_TRUE(api_->SetFault({"acme", "", FakeFaultKind::k401, 0, 0, -1}).ok());
  r = src->Poll(state, Deadline());
  ASSERT_EQ(r.status().code(), StatusCode::kUnauthenticated) << r.status().ToString();
  EXPECT_NE(r.status().message().find("HTTP 401 (INVALID_SESSION_ID"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(api_->Requests("acme", "LoginHistory"), 2);
}

TEST_F(SalesforceSourceTest, UpstreamStatesContinueWithNoGap) {
  auto src = Make();
  // An older upstream state: the object in "object", nextPage the last Id.
  const int64_t k = ToUnixMillis(*ParseRfc3339("2025-12-31T23:59:10Z")) / 50;
  json legacy = {{"object", "LoginHistory"},
                 {"since", "2025-12-31T23:59:00.000Z"},
                 {"until", "2025-12-31T23:59:30.000Z"},
                 {"nextPage", FakeSalesforceId("LoginHistory", k)},
                 {"apiQuotaResetDate", nullptr},
                 {"poll_interval_sec", 1}};
  auto r = src->Poll(legacy.dump(), Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Ids(*r), Expected("LoginHistory", "2025-12-31T23:59:10.050Z", "2025-12-31T23:59:30Z"));
  json next = json::parse(r->next_state_json);
  // The next state is in the normalised form: the object in "stream" only.
  EXPECT_FALSE(next.contains("object")) << next;
  EXPECT_EQ(next["stream"], "LoginHistory");
  EXPECT_EQ(next["since"], "2025-12-31T23:59:30.000Z");

  // A newer upstream state of an event object: "stream", nextPage the
  // EventDate of the last record upstream collected (newest first).
  json newer = {{"stream", "ApiEvent"},
                {"since", "2025-12-31T23:59:00.000Z"},
                {"until", "2025-12-31T23:59:30.000Z"},
                {"nextPage", "2025-12-31T23:59:10.000+0000"},
                {"apiQuotaResetDate", nullptr},
                {"poll_interval_sec", 1}};
  r = src->Poll(newer.dump(), Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> ids = Ids(*r), expected =
      Expected("ApiEvent", "2025-12-31T23:59:00Z", "2025-12-31T23:59:10Z");
  std::reverse(expected.begin(), expected.end());
  EXPECT_EQ(ids, expected);

  // An upstream state waiting for its quota keeps waiting.
  legacy["apiQuotaResetDate"] = "2026-01-01T00:05:00.000Z";
  const int queries = http_.queries;
  r = src->Poll(legacy.dump(), Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->next_delay, minutes(5));
  EXPECT_EQ(http_.queries, queries);

  for (const char* bad : {
           "[]",
           R"({"object":"Account","since":"2026-01-01T00:00:00Z","until":"2026-01-01T00:00:00Z"})",
           R"({"stream":"ApiEvent","object":"LoginHistory","since":"2026-01-01T00:00:00Z",)"
           R"("until":"2026-01-01T00:00:00Z"})",
           R"({"object":"LoginHistory","since":"yesterday","until":"2026-01-01T00:00:00Z"})",
           R"({"object":"LoginHistory","since":"2026-01-01T00:00:00Z",)"
           R"("until":"2026-01-01T00:00:00Z","nextPage":"x' OR Id != 'y"})",
           R"({"stream":"ApiEvent","since":"2026-01-01T00:00:00Z",)"
           R"("until":"2026-01-01T00:00:10Z","nextPage":"2026-01-02T00:00:00Z"})",
           R"({"stream":"ApiEvent","since":"2026-01-01T00:00:00Z",)"
           R"("until":"2026-01-01T00:00:10Z","apiQuotaResetDate":"soon"})",
       }) {
    EXPECT_EQ(src->Poll(bad, Deadline()).status().paws_code(), codes::kStateMalformed) << bad;
  }
}

TEST_F(SalesforceSourceTest, MalformedResponsesAndSecretsInErrors) {
  auto src = Make();
  const std::string state = *src->InitialState("LoginHistory");
  ASSERT_TRUE(api_->SetFault({"acme", "", FakeFaultKind::kMalformed, 0, 0, 1}).ok());
  auto r = src->Poll(state, Deadline());
  EXPECT_EQ(r.status().paws_code(), codes::kApiMalformed) << r.status().ToString();
  EXPECT_NE(r.status().message().find("not JSON"), std::string::npos);

  std::string body;
  http_.rewrite = [&](HttpResponse* res, const HttpRequest&) {
    *res = HttpResponse{200, {}, body};
  };
  for (const char* b : {
           "[]", "{}", R"({"done":true})", R"({"done":true,"records":[1]})",
           R"({"done":true,"records":[{"LoginTime":"2026-01-01T00:00:00.000+0000"}]})",
           R"({"done":true,"records":[{"Id":"0Ya000000000001AAA"}]})",
           R"({"done":true,"records":[{"Id":"0Ya000000000001AAA","LoginTime":"soon"}]})",
           R"({"done":false,"records":[{"Id":"0Ya000000000001AAA",)"
           R"("LoginTime":"2026-01-01T00:00:00.000+0000"}]})",
           R"({"done":false,"nextRecordsUrl":"http://elsewhere.example/x","records":[{"Id":)"
           R"("0Ya000000000001AAA","LoginTime":"2026-01-01T00:00:00.000+0000"}]})",
       }) {
    body = b;
    r = src->Poll(state, Deadline());
    EXPECT_EQ(r.status().paws_code(), codes::kApiMalformed) << b << " " << r.status().ToString();
    EXPECT_NE(r.status().message().find("/t/acme/services/data/v58.0/query"), std::string::npos);
  }
  http_.rewrite = nullptr;

  // A token response without a usable instance_url.
  for (const char* b : {R"({"access_token":"x"})",
                        R"({"access_token":"x","instance_url":"ftp://acme.example"})"}) {
    auto fresh = Make();
    http_.rewrite_token = [&](HttpResponse* res) { *res = HttpResponse{200, {}, b}; };
    r = fresh->Poll(state, Deadline());
    EXPECT_EQ(r.status().paws_code(), codes::kApiMalformed) << b;
    EXPECT_NE(r.status().message().find("instance_url"), std::string::npos);
  }
  http_.rewrite_token = nullptr;

  // An API that echoes the credentials gets none into a message.
  std::string token;
  const std::string& pem = Key().private_pem;
  http_.rewrite = [&](HttpResponse* res, const HttpRequest& req) {
    for (const auto& [k, v] : req.headers) {
      if (k == "Authorization") token = v.substr(std::string("Bearer ").size());
    }
    *res = HttpResponse{500,
                        {},
                        json::array({{{"errorCode", "UNKNOWN_EXCEPTION"},
                                      {"message", "bad " + token + " " + pem.substr(28, 100)}}})
                            .dump()};
  };
  r = src->Poll(state, Deadline());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  ASSERT_FALSE(token.empty());
  ExpectNoSecrets(r.status(), token);
  EXPECT_NE(r.status().message().find(Secret::kRedacted), std::string::npos);
}

TEST_F(SalesforceSourceTest, FactoryAndRegistry) {
  SourceRegistry registry;
  RegisterBuiltinSources(&registry);
  ASSERT_TRUE(registry.Has("salesforce"));
  auto src = registry.Make(spec_, {&clock_, &http_});
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  EXPECT_EQ((*src)->InitialState("Account").status().code(), StatusCode::kInvalidArgument);
  // Every object the collector-type registry lists, in the normalised form.
  const CollectorType* type = FindCollectorType("salesforce");
  ASSERT_NE(type, nullptr);
  for (const std::string& object : type->streams) {
    auto state = (*src)->InitialState(object);
    ASSERT_TRUE(state.ok()) << object;
    EXPECT_EQ(json::parse(*state)["stream"], object);
    EXPECT_FALSE(json::parse(*state).contains(type->legacy_state_field)) << *state;
  }
  for (auto edit : std::vector<std::function<void(CollectorSpec*)>>{
           [](CollectorSpec* s) { s->streams.push_back("Account"); },
           [](CollectorSpec* s) { s->params.erase("username"); },
           [](CollectorSpec* s) { s->params["batch_size"] = "100"; },
           [](CollectorSpec* s) { s->params["batch_size"] = "lots"; },
           [](CollectorSpec* s) { s->params["api_version"] = "v58"; },
           [](CollectorSpec* s) { s->params["token_url"] = "login.salesforce.com"; },
           [](CollectorSpec* s) { s->params["audience"] = ""; },
           [](CollectorSpec* s) { s->client_id = ""; },
           [](CollectorSpec* s) { s->secret = Secret(); },
           [](CollectorSpec* s) { s->poll_interval = Duration(10); },
           [](CollectorSpec* s) { s->endpoint = "login.salesforce.com"; }}) {
    CollectorSpec s = spec_;
    edit(&s);
    auto made = MakeSalesforceSource(s, {&clock_, &http_});
    EXPECT_EQ(made.status().paws_code(), codes::kConfigInvalid);
    EXPECT_NE(made.status().message().find("c-salesforce"), std::string::npos);
  }
}

}  // namespace
}  // namespace paws
