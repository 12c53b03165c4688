#include "sources/gsuite/gsuite_source.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "paws/codes.h"
#include "paws/collector_types.h"
#include "sources/common/base64.h"
#include "sources/common/paging.h"
#include "tools/fake_saas/fake_events.h"
#include "tools/fake_saas/fake_server.h"
#include "tools/fake_saas/services/gsuite.h"

namespace paws {
namespace {

using json = nlohmann::json;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr const char* kAdmin = "admin@acme.example";
constexpr const char* kEmail = "paws@acme-project.iam.gserviceaccount.com";

// An RSA key pair made once: the private PEM for the service account key,
// the public PEM for the fake's signature check.
struct TestKey {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{EVP_RSA_gen(2048), &EVP_PKEY_free};
  std::string Pem(bool pub) const {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (pub) {
      PEM_write_bio_PUBKEY(bio.get(), key.get());
    } else {
      PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    }
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(len));
  }
};
const TestKey& Key() {
  static const TestKey* key = new TestKey;
  return *key;
}

// The service account JSON key, as Google's console downloads it.
std::string JsonKey(const std::string& private_pem) {
  return json{{"type", "service_account"},
              {"project_id", "acme-project"},
              {"private_key_id", "0123456789abcdef"},
              {"private_key", private_pem},
              {"client_email", kEmail},
              {"client_id", "1234567890"},
              {"token_uri", "https://oauth2.googleapis.com/token"}}
      .dump(2);
}

// The curl client, with hooks: count token requests, act before the n-th
// activities request, rewrite activities responses.
class HookedHttp : public HttpClient {
 public:
  Result<HttpResponse> Send(const HttpRequest& req) override {
    const bool token = req.url.find("/oauth2/v4/token") != std::string::npos;
    if (token) {
      ++token_requests;
      last_assertion = req.body;
    } else {
      ++list_requests;
      if (before_list) before_list(list_requests, req);
    }
    Result<HttpResponse> res = curl_->Send(req);
    if (res.ok() && !token && rewrite) rewrite(&*res, req);
    return res;
  }
  std::function<void(int, const HttpRequest&)> before_list;
  std::function<void(HttpResponse*, const HttpRequest&)> rewrite;
  int token_requests = 0, list_requests = 0;
  std::string last_assertion;

 private:
  std::unique_ptr<HttpClient> curl_ = MakeCurlHttpClient();
};

class GsuiteSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FakeGsuiteOptions options;
    options.public_key_pem = Key().Pem(true);
    StartServer(options);
  }

  void StartServer(const FakeGsuiteOptions& options) {
    server_.reset();
    api_ = std::make_unique<FakeApi>(&clock_);
    api_->AddService(MakeFakeGsuiteService(options));
    ASSERT_TRUE(api_->ConfigureTenant("acme", 6000, kEmail).ok());  // 100 a second
    auto server = FakeServer::Start(api_.get(), "127.0.0.1", 0);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    spec_.id = "c-gsuite";
    spec_.type = "gsuite";
    spec_.endpoint = server_->url() + "/t/acme";
    spec_.streams = {"login", "admin"};
    spec_.client_id = kAdmin;
    spec_.secret = Secret(JsonKey(Key().Pem(false)));
    spec_.poll_interval = seconds(10);
    spec_.max_pages_per_cycle = 4;
    spec_.collection_start = "2025-12-31T23:59:50Z";  // 1000 activities before now
    spec_.params = {{"token_url", server_->url() + "/t/acme/oauth2/v4/token"},
                    {"max_results", "100"},
                    {"lag_sec", "0"}};
  }

  std::unique_ptr<Source> Make() {
    auto src = MakeGsuiteSource(spec_, {&clock_, &http_});
    EXPECT_TRUE(src.ok()) << src.status().ToString();
    return src.ok() ? std::move(src).value() : nullptr;
  }
  MonoTime Deadline() { return clock_.MonotonicNow() + seconds(300); }
  // The ids of `app`'s activities in [since, until).
  std::vector<std::string> Expected(const std::string& app, const std::string& since,
                                    const std::string& until) {
    std::vector<std::string> ids;
    const int64_t period = api_->Period("acme").count();
    const int64_t end = FakeFirstIndexAtOrAfter(ToUnixMillis(*ParseRfc3339(until)), period);
    for (int64_t k = FakeFirstIndexAtOrAfter(ToUnixMillis(*ParseRfc3339(since)), period); k < end;
         ++k) {
      ids.push_back(FakeGsuiteEventId("acme", app, k, period));
    }
    return ids;
  }
  static std::vector<std::string> Sorted(std::vector<std::string> ids) {
    std::sort(ids.begin(), ids.end());
    return ids;
  }
  static void Append(const PollResult& r, std::vector<std::string>* ids) {
    for (const Event& e : r.events) ids->push_back(e.id);
  }
  void ExpectNoSecrets(const Status& s, const std::string& token = "") {
    const std::string pem = Key().Pem(false);
    // Any line of the key's base64 would do; take one from its middle.
    const std::string line = pem.substr(pem.find('\n', 100) + 1, 64);
    for (const std::string& secret : {pem, line, spec_.secret.reveal(), token}) {
      if (!secret.empty()) {
        EXPECT_EQ(s.message().find(secret), std::string::npos) << s.message();
      }
    }
  }

  FakeClock clock_;  // 2026-01-01T00:00:00Z
  std::unique_ptr<FakeApi> api_;
  std::unique_ptr<FakeServer> server_;
  HookedHttp http_;  // closes its connections first: the server then stops at once
  CollectorSpec spec_;
};

TEST_F(GsuiteSourceTest, CollectsAMultiPageWindowCompletelyAndCatchesUp) {
  auto src = Make();
  std::string state = *src->InitialState("login");
  EXPECT_EQ(json::parse(state), (json{{"stream", "login"},
                                      {"since", "2025-12-31T23:59:50.000Z"},
                                      {"until", "2026-01-01T00:00:00.000Z"},
                                      {"nextPage", nullptr},
                                      {"apiQuotaResetDate", nullptr},
                                      {"poll_interval_sec", 1}}));
  std::vector<std::string> ids;
  std::vector<Duration> delays;
  for (int cycle = 0; cycle < 5; ++cycle) {
    auto r = src->Poll(state, Deadline());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    Append(*r, &ids);
    delays.push_back(r->next_delay);
    state = r->next_state_json;
    if (r->next_delay > Duration(0)) break;
    EXPECT_FALSE(json::parse(state)["nextPage"].is_null()) << state;  // inside the window
  }
  // 10 pages of 100: 4 + 4 + 2; then the next window ends in 10 s.
  EXPECT_EQ(delays, (std::vector<Duration>{Duration(0), Duration(0), seconds(10)}));
  EXPECT_EQ(ids.size(), 1000u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 1000u);
  EXPECT_EQ(Sorted(ids), Sorted(Expected("login", "2025-12-31T23:59:50Z", "2026-01-01T00:00:00Z")));
  EXPECT_EQ(Sorted(ids), api_->ServedIds("acme", "login"));
  json st = json::parse(state);
  EXPECT_EQ(st["since"], "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(st["until"], "2026-01-01T00:00:10.000Z");
  EXPECT_TRUE(st["nextPage"].is_null());
  EXPECT_EQ(st["poll_interval_sec"], 10);
  EXPECT_EQ(http_.token_requests, 1);  // cached across polls

  // The assertion is the documented JWT: RS256 with the key's id, the
  // service account as iss, the admin as sub, the audit scope.
  const std::string assertion = QueryParam("?" + http_.last_assertion, "assertion");
  EXPECT_EQ(QueryParam("?" + http_.last_assertion, "grant_type"),
            "urn:ietf:params:oauth:grant-type:jwt-bearer");
  const size_t a = assertion.find('.'), b = assertion.rfind('.');
  json header = json::parse(*Base64UrlDecode(assertion.substr(0, a)));
  json claims = json::parse(*Base64UrlDecode(assertion.substr(a + 1, b - a - 1)));
  EXPECT_EQ(header["kid"], "0123456789abcdef");
  EXPECT_EQ(claims["iss"], kEmail);
  EXPECT_EQ(claims["sub"], kAdmin);
  EXPECT_EQ(claims["scope"], "https://www.googleapis.com/auth/admin.reports.audit.readonly");
  EXPECT_EQ(claims["exp"].get<int64_t>() - claims["iat"].get<int64_t>(), 3600);

  // Ten seconds later: the next window, no gap and no overlap at the seam.
  clock_.Advance(seconds(10));
  ids.clear();
  Event newest;
  for (int cycle = 0; cycle < 5; ++cycle) {
    auto r = src->Poll(state, Deadline());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    if (cycle == 0) newest = r->events.front();
    Append(*r, &ids);
    state = r->next_state_json;
    if (r->next_delay > Duration(0)) break;
  }
  EXPECT_EQ(Sorted(ids), Sorted(Expected("login", "2026-01-01T00:00:00Z", "2026-01-01T00:00:10Z")));
  const Event& e = newest;  // newest first, as Google lists them
  EXPECT_EQ(e.timestamp, *ParseRfc3339("2026-01-01T00:00:09.990Z"));
  json raw = json::parse(e.raw_json);
  EXPECT_EQ(
      raw["id"]["time"].get<std::string>() + "/" + raw["id"]["uniqueQualifier"].get<std::string>(),
      e.id);
  EXPECT_EQ(raw["events"][0]["name"], e.type_id);
  EXPECT_EQ(nlohmann::ordered_json::parse(e.raw_json).begin().key(), "kind");  // order kept
}

TEST_F(GsuiteSourceTest, ATokenThatExpiresMidWindowIsRefreshed) {
  FakeGsuiteOptions options;
  options.public_key_pem = Key().Pem(true);
  options.token_lifetime = seconds(60);
  StartServer(options);
  spec_.max_pages_per_cycle = 5;
  auto src = Make();
  // Before the third page the API's time passes the token's 60 s (ours does
  // not: the cached token still looks good), so that page is answered 401.
  http_.before_list = [&](int n, const HttpRequest&) {
    if (n == 3) clock_.SetWall(clock_.Now() + seconds(120));
  };
  auto r = src->Poll(*src->InitialState("login"), Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(http_.token_requests, 2);
  EXPECT_EQ(http_.list_requests, 6);  // one retried
  EXPECT_EQ(r->events.size(), 500u);
  std::vector<std::string> ids;
  Append(*r, &ids);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 500u);
  EXPECT_EQ(Sorted(ids), api_->ServedIds("acme", "login"));
  EXPECT_EQ(r->next_delay, Duration(0));
}

TEST_F(GsuiteSourceTest, RateLimitsAndQuotaErrorsSlowTheStream) {
  auto src = Make();
  const std::string state = *src->InitialState("login");
  // A 429 on the first page: kRateLimited with Google's Retry-After.
  ASSERT_TRUE(api_->SetFault({"acme", "login", FakeFaultKind::k429, 7, 0, 1}).ok());
  auto r = src->Poll(state, Deadline());
  ASSERT_EQ(r.status().code(), StatusCode::kRateLimited) << r.status().ToString();
  EXPECT_EQ(r.status().paws_code(), codes::kApiRateLimited);
  EXPECT_EQ(r.status().retry_after(), seconds(7));
  EXPECT_NE(r.status().message().find("rateLimitExceeded"), std::string::npos);

  // After the first page: the page is kept, the next cycle waits.
  http_.before_list = [&](int n, const HttpRequest&) {
    if (n == 3) {
      ASSERT_TRUE(api_->SetFault({"acme", "login", FakeFaultKind::k429, 9, 0, 1}).ok());
    }
  };
  r = src->Poll(state, Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events.size(), 100u);
  EXPECT_EQ(r->next_delay, seconds(9));
  EXPECT_FALSE(json::parse(r->next_state_json)["nextPage"].is_null());
}

TEST_F(GsuiteSourceTest, PerMinuteQuotaErrorsAreRateLimitsNotCredentialFailures) {
  FakeGsuiteOptions options;
  options.queries_per_minute = 2;
  StartServer(options);
  auto src = Make();
  auto r = src->Poll(*src->InitialState("login"), Deadline());
  // 403 rateLimitExceeded on the third page: two pages kept, a minute's wait.
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events.size(), 200u);
  EXPECT_EQ(r->next_delay, seconds(60));
  const std::string state = r->next_state_json;
  r = src->Poll(state, Deadline());  // the same minute: on the first page
  ASSERT_EQ(r.status().code(), StatusCode::kRateLimited) << r.status().ToString();
  EXPECT_EQ(r.status().paws_code(), codes::kApiRateLimited);
  EXPECT_EQ(r.status().retry_after(), seconds(60));
  EXPECT_NE(r.status().message().find("HTTP 403 (PERMISSION_DENIED rateLimitExceeded"),
            std::string::npos)
      << r.status().message();
  clock_.Advance(seconds(60));
  r = src->Poll(state, Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events.size(), 200u);
}

TEST_F(GsuiteSourceTest, DailyQuotaWaitsForItsResetAsUpstreamDoes) {
  FakeGsuiteOptions options;
  options.queries_per_day = 1;
  StartServer(options);
  auto src = Make();
  auto r = src->Poll(*src->InitialState("login"), Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events.size(), 100u);
  EXPECT_EQ(r->next_delay, minutes(10));
  json st = json::parse(r->next_state_json);
  // Midnight Pacific (UTC-8) after 2026-01-01T00:00Z, plus a minute.
  EXPECT_EQ(st["apiQuotaResetDate"], "2026-01-01T08:01:00.000Z");
  EXPECT_FALSE(st["nextPage"].is_null());
  const int requests = http_.list_requests;
  clock_.Advance(minutes(10));
  r = src->Poll(st.dump(), Deadline());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->events.empty());
  EXPECT_EQ(http_.list_requests, requests);  // nothing asked before the reset
  EXPECT_EQ(json::parse(r->next_state_json), st);
}

TEST_F(GsuiteSourceTest, CredentialErrors) {
  // A key the service account does not have.
  TestKey other;
  spec_.secret = Secret(JsonKey(other.Pem(false)));
  auto src = Make();
  auto r = src->Poll(*src->InitialState("login"), Deadline());
  ASSERT_EQ(r.status().code(), StatusCode::kUnauthenticated) << r.status().ToString();
  EXPECT_EQ(r.status().paws_code(), codes::kApiUnauthenticated);
  EXPECT_NE(r.status().message().find("/t/acme/oauth2/v4/token"), std::string::npos);
  EXPECT_NE(r.status().message().find("Invalid JWT Signature"), std::string::npos);
  EXPECT_EQ(r.status().message().find(other.Pem(false).substr(40, 60)), std::string::npos);

  // A secret that is no key at all; a PEM without client_email.
  for (const char* secret : {"not-a-key", "{\"type\":\"authorized_user\"}",
                             "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"}) {
    spec_.secret = Secret(secret);
    src = Make();
    r = src->Poll(*src->InitialState("login"), Deadline());
    EXPECT_EQ(r.status().paws_code(), codes::kApiUnauthenticated) << r.status().ToString();
    EXPECT_EQ(r.status().message().find(secret), std::string::npos) << r.status().message();
  }
  // Only the PEM, with the email as a param, works.
  spec_.secret = Secret(Key().Pem(false));
  spec_.params["client_email"] = kEmail;
  src = Make();
  EXPECT_TRUE(src->Poll(*src->InitialState("login"), Deadline()).ok());

  // A token the API keeps refusing: one retry, then the error.
  ASSERT_TRUE(api_->SetFault({"acme", "admin", FakeFaultKind::k401, 0, 0, -1}).ok());
  r = src->Poll(*src->InitialState("admin"), Deadline());
  ASSERT_EQ(r.status().code(), StatusCode::kUnauthenticated) << r.status().ToString();
  EXPECT_NE(r.status().message().find("HTTP 401 (UNAUTHENTICATED authError"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(api_->Requests("acme", "admin"), 2);
}

TEST_F(GsuiteSourceTest, UpstreamStatesContinueWithNoGap) {
  auto src = Make();
  // The older upstream shape: the application in "application"; the next
  // state names it in "stream" only.
  auto r = src->Poll(R"({"application":"login","since":"2025-12-31T23:59:55.000Z",)"
                     R"("until":"2025-12-31T23:59:58.000Z","nextPage":null,)"
                     R"("apiQuotaResetDate":null,"poll_interval_sec":1})",
                     Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> ids;
  Append(*r, &ids);
  EXPECT_EQ(Sorted(ids), Sorted(Expected("login", "2025-12-31T23:59:55Z", "2025-12-31T23:59:58Z")));
  json next = json::parse(r->next_state_json);
  EXPECT_EQ(next["stream"], "login");
  EXPECT_FALSE(next.contains("application")) << next;
  EXPECT_EQ(next["since"], "2025-12-31T23:59:58.000Z");  // where the old window ended

  // The newer shape ("stream"), stopped inside a window at a page token:
  // continued from that page, and what the two parts hold is the window.
  spec_.max_pages_per_cycle = 1;
  src = Make();
  json legacy = {{"stream", "admin"},
                 {"since", "2025-12-31T23:59:57.000Z"},
                 {"until", "2026-01-01T00:00:00.000Z"},
                 {"nextPage", nullptr},
                 {"apiQuotaResetDate", nullptr},
                 {"poll_interval_sec", 1}};
  r = src->Poll(legacy.dump(), Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ids.clear();
  Append(*r, &ids);
  legacy["nextPage"] = json::parse(r->next_state_json)["nextPage"];
  ASSERT_TRUE(legacy["nextPage"].is_string());
  spec_.max_pages_per_cycle = 10;
  src = Make();
  r = src->Poll(legacy.dump(), Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  Append(*r, &ids);
  EXPECT_EQ(ids.size(), 300u);
  EXPECT_EQ(Sorted(ids), Sorted(Expected("admin", "2025-12-31T23:59:57Z", "2026-01-01T00:00:00Z")));

  for (
      const char* bad :
      {"[]", R"({"since":"2026-01-01T00:00:00Z","until":"2026-01-01T00:00:00Z"})",
       R"({"stream":"login","application":"drive","since":"2026-01-01T00:00:00Z","until":"2026-01-01T00:00:00Z"})",
       R"({"stream":"nosuchapp","since":"2026-01-01T00:00:00Z","until":"2026-01-01T00:00:00Z"})",
       R"({"stream":"login","since":"yesterday","until":"2026-01-01T00:00:00Z"})",
       R"({"stream":"login","since":"2026-01-01T00:00:00Z","until":"2025-01-01T00:00:00Z"})",
       R"({"stream":"login","since":"2026-01-01T00:00:00Z","until":"2026-01-01T00:00:00Z","nextPage":5})"}) {
    EXPECT_EQ(src->Poll(bad, Deadline()).status().paws_code(), codes::kStateMalformed) << bad;
  }
}

TEST_F(GsuiteSourceTest, LagAndRetention) {
  spec_.params.erase("lag_sec");  // the default, 10 min
  auto src = Make();
  const std::string state = *src->InitialState("login");
  auto r = src->Poll(state, Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->events.empty());
  EXPECT_EQ(r->next_delay, minutes(10));  // until (now) + 10 min
  json before = json::parse(state), after = json::parse(r->next_state_json);
  EXPECT_EQ(after["since"], before["since"]);
  EXPECT_EQ(after["until"], before["until"]);
  EXPECT_EQ(after["poll_interval_sec"], 600);
  EXPECT_EQ(http_.list_requests, 0);

  // A window older than 180 days: moved up, with a gap warning.
  r = src->Poll(
      R"({"stream":"token","since":"2025-06-01T00:00:00Z","until":"2025-06-01T01:00:00Z"})",
      Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(r->warnings[0].paws_code(), codes::kSourceGap);
  EXPECT_EQ(json::parse(r->next_state_json)["since"], "2025-07-05T00:05:00.000Z");
}

TEST_F(GsuiteSourceTest, MalformedResponsesAndSecretsInErrors) {
  auto src = Make();
  const std::string state = *src->InitialState("login");
  ASSERT_TRUE(api_->SetFault({"acme", "login", FakeFaultKind::kMalformed, 0, 0, 1}).ok());
  auto r = src->Poll(state, Deadline());
  EXPECT_EQ(r.status().paws_code(), codes::kApiMalformed) << r.status().ToString();
  EXPECT_NE(r.status().message().find("not JSON"), std::string::npos);

  std::string body;
  http_.rewrite = [&](HttpResponse* res, const HttpRequest&) {
    *res = HttpResponse{200, {}, body};
  };
  for (const char* b :
       {"[]", R"({"items":{}})", R"({"items":[1]})", R"({"items":[{"kind":"x"}]})",
        R"({"items":[{"id":{"uniqueQualifier":"1"}}]})",
        R"({"items":[{"id":{"time":"soon","uniqueQualifier":"1"}}]})",
        R"({"items":[{"id":{"time":"2026-01-01T00:00:00Z"}}]})", R"({"nextPageToken":5})"}) {
    body = b;
    r = src->Poll(state, Deadline());
    EXPECT_EQ(r.status().paws_code(), codes::kApiMalformed) << b;
    EXPECT_NE(r.status().message().find("/t/acme/admin/reports/v1/activity/users/all/applications/"
                                        "login: "),
              std::string::npos)
        << r.status().message();
  }
  // An API that echoes the credentials gets none into a message.
  std::string token;
  const std::string pem = Key().Pem(false);
  http_.rewrite = [&](HttpResponse* res, const HttpRequest& req) {
    for (const auto& [k, v] : req.headers) {
      if (k == "Authorization") token = v.substr(std::string("Bearer ").size());
    }
    *res = HttpResponse{
        500, {}, json{{"error", {{"code", 500}, {"message", "bad " + token + " " + pem}}}}.dump()};
  };
  r = src->Poll(state, Deadline());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  ASSERT_FALSE(token.empty());
  ExpectNoSecrets(r.status(), token);
  EXPECT_NE(r.status().message().find(Secret::kRedacted), std::string::npos);
}

TEST_F(GsuiteSourceTest, FactoryAndRegistry) {
  SourceRegistry registry;
  RegisterBuiltinSources(&registry);
  ASSERT_TRUE(registry.Has("gsuite"));
  auto src = registry.Make(spec_, {&clock_, &http_});
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  EXPECT_EQ((*src)->InitialState("okta").status().code(), StatusCode::kInvalidArgument);
  // Every application the collector-type registry lists for gsuite, each
  // one the Reports API (the fake) serves.
  const CollectorType* type = FindCollectorType("gsuite");
  ASSERT_NE(type, nullptr);
  EXPECT_EQ(type->streams, FakeGsuiteApplications());
  for (const std::string& app : type->streams) {
    auto state = (*src)->InitialState(app);
    ASSERT_TRUE(state.ok()) << app;
    EXPECT_EQ(json::parse(*state)["stream"], app);
    EXPECT_FALSE(json::parse(*state).contains(type->legacy_state_field)) << *state;
  }
  CollectorSpec defaults = spec_;
  defaults.endpoint = "";
  defaults.params.clear();
  EXPECT_TRUE(MakeGsuiteSource(defaults, {&clock_, &http_}).ok());
  for (auto edit : std::vector<std::function<void(CollectorSpec*)>>{
           [](CollectorSpec* s) { s->params["max_results"] = "1001"; },
           [](CollectorSpec* s) { s->params["max_results"] = "x"; },
           [](CollectorSpec* s) { s->params["lag_sec"] = "-1"; },
           [](CollectorSpec* s) { s->params["token_url"] = "oauth2.googleapis.com/token"; },
           [](CollectorSpec* s) { s->params["scope"] = "[1]"; },
           [](CollectorSpec* s) {
             s->streams = {"login", "logins"};
           },
           [](CollectorSpec* s) { s->client_id = ""; },
           [](CollectorSpec* s) { s->secret = Secret(); },
           [](CollectorSpec* s) { s->endpoint = "admin.googleapis.com"; }}) {
    CollectorSpec s = spec_;
    edit(&s);
    auto made = MakeGsuiteSource(s, {&clock_, &http_});
    EXPECT_EQ(made.status().paws_code(), codes::kConfigInvalid);
    EXPECT_NE(made.status().message().find("c-gsuite"), std::string::npos);
  }
}

}  // namespace
}  // namespace paws
