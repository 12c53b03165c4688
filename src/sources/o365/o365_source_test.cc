#include "sources/o365/o365_source.h"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "paws/codes.h"
#include "paws/collector_types.h"
#include "sources/common/paging.h"
#include "tools/fake_saas/fake_events.h"
#include "tools/fake_saas/fake_server.h"
#include "tools/fake_saas/services/o365.h"

namespace paws {
namespace {

using json = nlohmann::json;
using std::chrono::hours;
using std::chrono::seconds;

constexpr const char* kSecret = "o365-SECRET-4711";
constexpr const char* kTid = "8a1c3f52-1b2d-4e5f-9a0b-123456789abc";
constexpr const char* kStream = "Audit.Exchange";

WallTime At(const char* t) { return *ParseRfc3339(t); }

// The curl client, with hooks: count requests by kind, act before the n-th
// API request (not the token's), rewrite API responses.
class HookedHttp : public HttpClient {
 public:
  Result<HttpResponse> Send(const HttpRequest& req) override {
    const bool token = req.url.find("/oauth2/token") != std::string::npos;
    if (token) {
      ++token_requests;
    } else {
      ++api_requests;
      if (req.url.find("/subscriptions/start") != std::string::npos) ++starts;
      if (req.url.find("/subscriptions/content") != std::string::npos) lists.push_back(req.url);
      if (before_api) before_api(api_requests, req);
    }
    Result<HttpResponse> res = curl_->Send(req);
    if (res.ok() && !token && rewrite) rewrite(&*res, req);
    return res;
  }
  std::function<void(int, const HttpRequest&)> before_api;
  std::function<void(HttpResponse*, const HttpRequest&)> rewrite;
  int token_requests = 0, api_requests = 0, starts = 0;
  std::vector<std::string> lists;  // listing URLs requested

 private:
  std::unique_ptr<HttpClient> curl_ = MakeCurlHttpClient();
};

class O365SourceTest : public ::testing::Test {
 protected:
  // 10 s blobs, 5 to a page, 10 events a second: a blob holds 100 events.
  void SetUp() override { StartServer({.blob_duration = seconds(10), .page_size = 5}); }

  void StartServer(FakeO365Options options) {
    server_.reset();
    api_ = std::make_unique<FakeApi>(&clock_);
    api_->AddService(MakeFakeO365Service(options));
    ASSERT_TRUE(api_->ConfigureTenant("acme", 600, std::nullopt).ok());
    auto server = FakeServer::Start(api_.get(), "127.0.0.1", 0);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    spec_.id = "c-o365";
    spec_.type = "o365";
    spec_.endpoint = server_->url() + "/t/acme";
    spec_.streams = {kStream};
    spec_.client_id = "app-1";
    spec_.secret = Secret(kSecret);
    spec_.poll_interval = seconds(60);
    spec_.params = {{"tenant_id", kTid}, {"login_url", server_->url() + "/t/acme"}};
    spec_.collection_start = "2025-12-31T23:50:00Z";  // 60 blobs, 12 pages before now
  }

  std::unique_ptr<Source> Make() {
    auto src = MakeO365Source(spec_, {&clock_, &http_});
    EXPECT_TRUE(src.ok()) << src.status().ToString();
    return src.ok() ? std::move(src).value() : nullptr;
  }
  MonoTime Deadline() { return clock_.MonotonicNow() + seconds(300); }
  // The record ids of the blobs created in [from, to) with 10 s blobs:
  // the events of [from - 10 s, to - 10 s).
  std::vector<std::string> Expected(WallTime from, WallTime to, Duration blob = seconds(10)) {
    return api_->EventIds("acme", kStream, from - blob, to - blob);
  }
  static std::vector<std::string> Ids(const PollResult& r) {
    std::vector<std::string> ids;
    for (const Event& e : r.events) ids.push_back(e.id);
    return ids;
  }
  // Polls until the stream waits (at most `cycles` times).
  std::vector<std::string> Drain(Source* src, std::string* state, int cycles = 20) {
    std::vector<std::string> ids;
    for (int i = 0; i < cycles; ++i) {
      auto r = src->Poll(*state, Deadline());
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (!r.ok()) break;
      for (const std::string& id : Ids(*r)) ids.push_back(id);
      *state = r->next_state_json;
      if (r->next_delay > Duration(0)) break;
    }
    return ids;
  }
  static void ExpectNoSecrets(const Status& s, const std::string& token = "") {
    EXPECT_EQ(s.message().find(kSecret), std::string::npos) << s.message();
    if (!token.empty()) {
      EXPECT_EQ(s.message().find(token), std::string::npos) << s.message();
    }
  }
  static HttpResponse ApiError(int status, const std::string& code) {
    return HttpResponse{status, {}, json{{"error", {{"code", code}, {"message", "m"}}}}.dump()};
  }

  FakeClock clock_;  // 2026-01-01T00:00:00Z
  std::unique_ptr<FakeApi> api_;
  std::unique_ptr<FakeServer> server_;
  HookedHttp http_;  // closes its connections first: the server then stops at once
  CollectorSpec spec_;
};

TEST_F(O365SourceTest, CollectsEveryPageOnceAndCatchesUp) {
  spec_.max_pages_per_cycle = 5;
  auto src = Make();
  std::string state = *src->InitialState(kStream);
  EXPECT_EQ(json::parse(state), (json{{"stream", kStream},
                                      {"since", "2025-12-31T23:50:00.000Z"},
                                      {"until", "2026-01-01T00:00:00.000Z"},
                                      {"nextPage", nullptr},
                                      {"poll_interval_sec", 1}}));
  std::vector<std::string> ids;
  std::vector<Duration> delays;
  for (int cycle = 0; cycle < 5; ++cycle) {
    auto r = src->Poll(state, Deadline());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (const std::string& id : Ids(*r)) ids.push_back(id);
    delays.push_back(r->next_delay);
    state = r->next_state_json;
    if (cycle == 0) {
      EXPECT_FALSE(json::parse(state)["nextPage"].is_null());
    }
    if (r->next_delay > Duration(0)) break;
  }
  // 12 pages: 5 + 5 + 2, then the next window ends in a minute.
  EXPECT_EQ(delays, (std::vector<Duration>{Duration(0), Duration(0), seconds(60)}));
  const std::vector<std::string> expected =
      Expected(At("2025-12-31T23:50:00Z"), At("2026-01-01T00:00:00Z"));
  ASSERT_EQ(expected.size(), 6000u);
  EXPECT_EQ(ids, expected);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()),
            std::set<std::string>(expected.begin(), expected.end()));
  EXPECT_EQ(api_->ServedIds("acme", kStream).size(), 6000u);  // nothing fetched twice
  EXPECT_EQ(json::parse(state), (json{{"stream", kStream},
                                      {"since", "2026-01-01T00:00:00.000Z"},
                                      {"until", "2026-01-01T00:01:00.000Z"},
                                      {"nextPage", nullptr},
                                      {"poll_interval_sec", 60}}));
  EXPECT_EQ(http_.token_requests, 1);
  EXPECT_EQ(http_.starts, 1);  // once per source and stream

  // Before the window has ended: nothing, the same state.
  auto r = src->Poll(state, Deadline());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->events.empty());
  EXPECT_EQ(r->next_delay, seconds(60));
  // A minute later: its blobs, no gap at the seam.
  clock_.Advance(seconds(60));
  r = src->Poll(state, Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Ids(*r), Expected(At("2026-01-01T00:00:00Z"), At("2026-01-01T00:01:00Z")));
  const Event& e = r->events.front();
  EXPECT_EQ(e.timestamp, At("2025-12-31T23:59:50Z"));
  json raw = json::parse(e.raw_json);
  EXPECT_EQ(raw["Id"], e.id);
  EXPECT_EQ(std::to_string(raw["RecordType"].get<int>()), e.type_id);
  EXPECT_EQ(http_.starts, 1);
  // The requests carry the PublisherIdentifier, as upstream's do.
  EXPECT_EQ(QueryParam(http_.lists.back(), "PublisherIdentifier"), kTid);
}

TEST_F(O365SourceTest, ATokenThatExpiresMidWindowIsRefreshed) {
  StartServer({.token_lifetime = seconds(60), .blob_duration = seconds(10), .page_size = 5});
  auto src = Make();
  // Before the 4th API request (a blob) the API's time passes the token's
  // 60 s (ours does not: the cached token still looks good): it is refused.
  http_.before_api = [&](int n, const HttpRequest&) {
    if (n == 4) clock_.SetWall(clock_.Now() + seconds(120));
  };
  std::string state = *src->InitialState(kStream);
  std::vector<std::string> ids = Drain(src.get(), &state);
  EXPECT_EQ(http_.token_requests, 2);
  // The window, then the two minutes the API's clock jumped (caught up).
  const std::vector<std::string> expected =
      Expected(At("2025-12-31T23:50:00Z"), At("2026-01-01T00:02:00Z"));
  EXPECT_EQ(ids, expected);
  EXPECT_EQ(expected.size(), 7200u);
}

TEST_F(O365SourceTest, RateLimitsSlowTheStreamDown) {
  auto src = Make();
  const std::string state = *src->InitialState(kStream);
  // A 429 on the first page: kRateLimited with its Retry-After.
  ASSERT_TRUE(api_->SetFault({"acme", "", FakeFaultKind::k429, 7, 0, 1}).ok());
  auto r = src->Poll(state, Deadline());
  ASSERT_EQ(r.status().code(), StatusCode::kRateLimited) << r.status().ToString();
  EXPECT_EQ(r.status().paws_code(), codes::kApiRateLimited);
  EXPECT_EQ(r.status().retry_after(), seconds(7));
  EXPECT_NE(r.status().message().find("AF429"), std::string::npos);

  // After a page: its events are kept; the next cycle resumes at page 2.
  http_.before_api = [&](int n, const HttpRequest&) {
    if (n == 7) {
      ASSERT_TRUE(api_->SetFault({"acme", "", FakeFaultKind::k429, 9, 0, 1}).ok());
    }
  };
  http_.api_requests = 0;
  r = src->Poll(state, Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events.size(), 500u);
  EXPECT_EQ(r->next_delay, seconds(9));
  std::string next = json::parse(r->next_state_json)["nextPage"];
  EXPECT_NE(next.find("nextPage="), std::string::npos);
  http_.before_api = nullptr;
  std::string rest_state = r->next_state_json;
  std::vector<std::string> ids = Ids(*r);
  for (const std::string& id : Drain(src.get(), &rest_state)) ids.push_back(id);
  EXPECT_EQ(ids, Expected(At("2025-12-31T23:50:00Z"), At("2026-01-01T00:00:00Z")));

  // AF429 in a body of another status is the same quota: no Retry-After, a minute.
  http_.rewrite = [&](HttpResponse* res, const HttpRequest& req) {
    if (req.url.find("/subscriptions/content") != std::string::npos) *res = ApiError(403, "AF429");
  };
  r = src->Poll(state, Deadline());
  ASSERT_EQ(r.status().code(), StatusCode::kRateLimited) << r.status().ToString();
  EXPECT_EQ(r.status().retry_after(), seconds(60));
  int lists = 0;
  http_.rewrite = [&](HttpResponse* res, const HttpRequest& req) {
    if (req.url.find("/subscriptions/content") != std::string::npos && ++lists == 2) {
      *res = ApiError(400, "AF429");
    }
  };
  r = src->Poll(state, Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events.size(), 500u);
  EXPECT_EQ(r->next_delay, seconds(60));
}

TEST_F(O365SourceTest, TheApisOwnLimitSlowsTheStream) {
  // start, a listing and its 5 blobs, the second listing: then 429 AF429.
  StartServer({.blob_duration = seconds(10), .page_size = 5, .rate_limit_per_minute = 8});
  auto src = Make();
  auto r = src->Poll(*src->InitialState(kStream), Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events.size(), 500u);
  EXPECT_EQ(r->next_delay, seconds(60));  // the API sends no Retry-After
}

TEST_F(O365SourceTest, CredentialErrors) {
  ASSERT_TRUE(api_->ConfigureTenant("acme", std::nullopt, "the-right-secret").ok());
  auto src = Make();
  auto r = src->Poll(*src->InitialState(kStream), Deadline());
  ASSERT_EQ(r.status().code(), StatusCode::kUnauthenticated) << r.status().ToString();
  EXPECT_EQ(r.status().paws_code(), codes::kApiUnauthenticated);
  EXPECT_NE(r.status().message().find("/oauth2/token"), std::string::npos);
  EXPECT_NE(r.status().message().find("AADSTS7000215"), std::string::npos);
  ExpectNoSecrets(r.status());

  // A token the API keeps refusing: one retry, then the error.
  ASSERT_TRUE(api_->ConfigureTenant("acme", std::nullopt, kSecret).ok());
  ASSERT_TRUE(api_->SetFault({"acme", "", FakeFaultKind::k401, 0, 0, -1}).ok());
  r = src->Poll(*src->InitialState(kStream), Deadline());
  ASSERT_EQ(r.status().code(), StatusCode::kUnauthenticated) << r.status().ToString();
  EXPECT_NE(
      r.status().message().find("subscriptions/content: HTTP 401 (Authorization has been denied"),
      std::string::npos)
      << r.status().message();
  EXPECT_EQ(api_->Requests("acme", kStream), 2);
}

TEST_F(O365SourceTest, UpstreamStatesContinueWithNoGap) {
  auto src = Make();
  // pawsInitCollectionState's shape, then _getNextCollectionState's (no nextPage).
  auto r = src->Poll(json{{"stream", kStream},
                          {"since", "2025-12-31T23:58:00.000Z"},
                          {"until", "2025-12-31T23:59:00.000Z"},
                          {"nextPage", nullptr},
                          {"poll_interval_sec", 1}}
                         .dump(),
                     Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Ids(*r), Expected(At("2025-12-31T23:58:00Z"), At("2025-12-31T23:59:00Z")));
  EXPECT_EQ(json::parse(r->next_state_json)["since"], "2025-12-31T23:59:00.000Z");
  r = src->Poll(R"({"stream":"Audit.Exchange","since":"2025-12-31T23:59:00.000Z",)"
                R"("until":"2025-12-31T23:59:30.000Z","poll_interval_sec":300})",
                Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Ids(*r), Expected(At("2025-12-31T23:59:00Z"), At("2025-12-31T23:59:30Z")));

  // _getNextCollectionStateWithNextPage's: the page it names, then the rest.
  spec_.max_pages_per_cycle = 1;
  auto one = Make();
  r = one->Poll(*one->InitialState(kStream), Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> ids = Ids(*r);
  const std::string page2 = json::parse(r->next_state_json)["nextPage"];
  std::string state = json{
      {"stream", kStream},
      {"since", "2025-12-31T23:50:00.000Z"},
      {"until", "2026-01-01T00:00:00.000Z"},
      {"nextPage", page2},
      {"poll_interval_sec",
       1}}.dump();
  for (const std::string& id : Drain(src.get(), &state)) ids.push_back(id);
  EXPECT_EQ(ids, Expected(At("2025-12-31T23:50:00Z"), At("2026-01-01T00:00:00Z")));

  for (
      const char* bad :
      {"[]", R"({"since":"2026-01-01T00:00:00Z","until":"2026-01-01T00:00:00Z"})",
       R"({"stream":"Audit.Nope","since":"2026-01-01T00:00:00Z","until":"2026-01-01T00:00:00Z"})",
       R"({"stream":"Audit.Exchange","since":"yesterday","until":"2026-01-01T00:00:00Z"})",
       R"({"stream":"Audit.Exchange","since":"2026-01-01T00:00:00Z","until":"2025-01-01T00:00:00Z"})",
       R"({"stream":"Audit.Exchange","since":"2025-12-31T00:00:00Z","until":"2026-01-01T00:00:00Z",)"
       R"("nextPage":"https://elsewhere.example/api"})"}) {
    EXPECT_EQ(src->Poll(bad, Deadline()).status().paws_code(), codes::kStateMalformed) << bad;
  }
}

TEST_F(O365SourceTest, WindowsOver24HoursAreSplitAndOlderThan7DaysClamped) {
  StartServer({.blob_duration = hours(1), .page_size = 100});
  ASSERT_TRUE(api_->ConfigureTenant("acme", 1, std::nullopt).ok());  // an event a minute
  auto src = Make();
  auto r = src->Poll(json{{"stream", kStream},
                          {"since", "2025-12-29T00:00:00.000Z"},
                          {"until", "2025-12-31T00:00:00.000Z"},
                          {"nextPage", nullptr},
                          {"poll_interval_sec", 1}}
                         .dump(),
                     Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->warnings.empty());
  EXPECT_EQ(QueryParam(http_.lists.back(), "endTime"), "2025-12-30T00:00:00.000Z");
  EXPECT_EQ(Ids(*r), Expected(At("2025-12-29T00:00:00Z"), At("2025-12-30T00:00:00Z"), hours(1)));
  EXPECT_EQ(r->next_delay, Duration(0));
  json next = json::parse(r->next_state_json);
  EXPECT_EQ(next["since"], "2025-12-30T00:00:00.000Z");
  EXPECT_EQ(next["until"], "2025-12-31T00:00:00.000Z");

  // Ten days back: the API serves 7; the lost interval is reported.
  r = src->Poll(json{{"stream", kStream},
                     {"since", "2025-12-22T00:00:00.000Z"},
                     {"until", "2025-12-23T00:00:00.000Z"},
                     {"nextPage", nullptr},
                     {"poll_interval_sec", 1}}
                    .dump(),
                Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->warnings.size(), 1u);
  const Status& gap = r->warnings[0];
  EXPECT_EQ(gap.paws_code(), codes::kSourceGap);
  EXPECT_NE(gap.message().find(kStream), std::string::npos);
  EXPECT_NE(gap.message().find("[2025-12-22T00:00:00.000Z, 2025-12-25T00:01:00.000Z)"),
            std::string::npos)
      << gap.message();
  EXPECT_EQ(QueryParam(http_.lists.back(), "startTime"), "2025-12-25T00:01:00.000Z");
  // Blobs of whole hours: those created in [00:01, 00:01 the next day).
  EXPECT_EQ(Ids(*r), Expected(At("2025-12-25T01:00:00Z"), At("2025-12-26T01:00:00Z"), hours(1)));
  EXPECT_EQ(json::parse(r->next_state_json)["since"], "2025-12-26T00:01:00.000Z");
}

TEST_F(O365SourceTest, SubscriptionsAreStartedAgainWhenGone) {
  StartServer({.blob_duration = seconds(10), .page_size = 5, .subscribed = true});
  spec_.collection_start = "2025-12-31T23:59:00Z";
  auto src = Make();
  std::string state = *src->InitialState(kStream);
  EXPECT_EQ(Drain(src.get(), &state).size(), 600u);  // "already enabled" is fine
  int lists = 0;
  http_.rewrite = [&](HttpResponse* res, const HttpRequest& req) {
    if (req.url.find("/subscriptions/content") != std::string::npos && ++lists == 1) {
      *res = ApiError(400, "AF20022");
    }
  };
  clock_.Advance(seconds(60));
  EXPECT_EQ(Drain(src.get(), &state).size(), 600u);
  EXPECT_EQ(http_.starts, 2);
  EXPECT_EQ(lists, 3);  // the refused one, again, and the window's second page
}

TEST_F(O365SourceTest, MalformedResponsesAndSecretsInErrors) {
  auto src = Make();
  const std::string state = *src->InitialState(kStream);
  ASSERT_TRUE(api_->SetFault({"acme", "", FakeFaultKind::kMalformed, 0, 0, 1}).ok());
  auto r = src->Poll(state, Deadline());
  EXPECT_EQ(r.status().paws_code(), codes::kApiMalformed) << r.status().ToString();
  EXPECT_NE(r.status().message().find("not JSON"), std::string::npos);

  std::string list_body, blob_body, next_header;
  http_.rewrite = [&](HttpResponse* res, const HttpRequest& req) {
    const bool list = req.url.find("/subscriptions/content") != std::string::npos;
    if (list && !list_body.empty()) *res = HttpResponse{200, {}, list_body};
    if (list && !next_header.empty()) res->headers = {{"NextPageUri", next_header}};
    if (!list && !blob_body.empty()) *res = HttpResponse{200, {}, blob_body};
  };
  for (const char* b : {"{}", "[1]", R"([{"contentId":"x"}])",
                        R"([{"contentUri":"https://elsewhere.example/blob"}])"}) {
    list_body = b;
    r = src->Poll(state, Deadline());
    EXPECT_EQ(r.status().paws_code(), codes::kApiMalformed) << b;
    EXPECT_NE(r.status().message().find("/subscriptions/content"), std::string::npos);
  }
  list_body = "";
  next_header = "https://elsewhere.example/next";
  r = src->Poll(state, Deadline());
  EXPECT_EQ(r.status().paws_code(), codes::kApiMalformed) << r.status().ToString();
  EXPECT_NE(r.status().message().find("another origin"), std::string::npos) << r.status().message();
  next_header = "";
  for (const char* b :
       {"{", "{}", "[7]", R"([{"Id":"a"}])", R"([{"Id":"a","CreationTime":"x"}])"}) {
    blob_body = b;
    r = src->Poll(state, Deadline());
    EXPECT_EQ(r.status().paws_code(), codes::kApiMalformed) << b;
    EXPECT_NE(r.status().message().find("/activity/feed/audit/"), std::string::npos);
  }
  // An API that echoes the credentials gets neither into a message.
  std::string token;
  http_.rewrite = [&](HttpResponse* res, const HttpRequest& req) {
    for (const auto& [k, v] : req.headers) {
      if (k == "Authorization") token = v.substr(std::string("Bearer ").size());
    }
    *res = HttpResponse{
        500,
        {},
        json{{"error", {{"code", "AF50000"}, {"message", "bad " + token + " / " + kSecret}}}}
            .dump()};
  };
  r = src->Poll(state, Deadline());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  ASSERT_FALSE(token.empty());
  ExpectNoSecrets(r.status(), token);
  EXPECT_NE(r.status().message().find(Secret::kRedacted), std::string::npos);
}

TEST_F(O365SourceTest, FactoryAndRegistry) {
  SourceRegistry registry;
  RegisterBuiltinSources(&registry);
  ASSERT_TRUE(registry.Has("o365"));
  auto src = registry.Make(spec_, {&clock_, &http_});
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  EXPECT_EQ((*src)->InitialState("okta").status().code(), StatusCode::kInvalidArgument);
  // Every content type the collector-type registry lists for o365, in the
  // normalised form.
  const CollectorType* type = FindCollectorType("o365");
  ASSERT_NE(type, nullptr);
  EXPECT_EQ(type->streams, std::vector<std::string>(std::begin(kFakeO365ContentTypes),
                                                    std::end(kFakeO365ContentTypes)));
  for (const std::string& stream : type->streams) {
    auto state = (*src)->InitialState(stream);
    ASSERT_TRUE(state.ok()) << stream;
    EXPECT_EQ(StreamOfState(*type, *state), stream);
    EXPECT_EQ(json::parse(*state)["stream"], stream);
  }
  for (auto edit : std::vector<std::function<void(CollectorSpec*)>>{
           [](CollectorSpec* s) { s->params.erase("tenant_id"); },
           [](CollectorSpec* s) { s->params["tenant_id"] = "acme.onmicrosoft.com"; },
           [](CollectorSpec* s) { s->params["publisher_id"] = "x"; },
           [](CollectorSpec* s) { s->params["login_url"] = "login.microsoftonline.com"; },
           [](CollectorSpec* s) {
             s->streams = {"Audit.Exchange", "audit.exchange"};
           },
           [](CollectorSpec* s) { s->client_id = ""; },
           [](CollectorSpec* s) { s->secret = Secret(); },
           [](CollectorSpec* s) { s->endpoint = "manage.office.com"; }}) {
    CollectorSpec s = spec_;
    edit(&s);
    auto made = MakeO365Source(s, {&clock_, &http_});
    EXPECT_EQ(made.status().paws_code(), codes::kConfigInvalid) << made.status().ToString();
    EXPECT_NE(made.status().message().find("c-o365"), std::string::npos);
  }
  // An unknown content type is refused with the ones there are.
  CollectorSpec s = spec_;
  s.streams = {"Audit.Nope"};
  auto made = MakeO365Source(s, {&clock_, &http_});
  EXPECT_NE(made.status().message().find(type->StreamList()), std::string::npos)
      << made.status().ToString();
}

}  // namespace
}  // namespace paws
