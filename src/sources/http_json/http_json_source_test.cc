// http_json against a small log API served by cpp-httplib on loopback: one
// record a second, record k at k s after the epoch, paged by token
// ("next"), offset or page number; the credential checked on every request.

#include "sources/http_json/http_json_source.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdlib>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "paws/codes.h"
#include "sources/common/base64.h"

namespace paws {
namespace {

using json = nlohmann::json;
using std::chrono::seconds;

constexpr const char* kSecret = "k-SECRET-4711";

class LoopbackEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { setenv("no_proxy", "127.0.0.1,localhost", 1); }
};
const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new LoopbackEnvironment);

// The log API. Handlers run on the server's threads, one at a time.
class LogApi {
 public:
  using Override = std::function<bool(const httplib::Request&, httplib::Response&)>;

  LogApi() {
    server_.Get(".*", [this](const httplib::Request& q, httplib::Response& r) { Handle(q, r); });
    server_.Post(".*", [this](const httplib::Request& q, httplib::Response& r) { Handle(q, r); });
    server_.set_keep_alive_timeout(1);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~LogApi() {
    for (int i = 0; i < 10000 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // bounded: 10 s
    }
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // What the API expects (set before polling).
  std::string auth_header = "Authorization";
  std::string auth_value;  // "": no such header allowed
  int limit = 10;
  Override override;                 // answers a request itself when it returns true
  std::string oauth_token = "at-1";  // the token /token issues and /logs takes

  int requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  int token_requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return token_requests_;
  }
  void Rotate(std::string token) {
    std::lock_guard<std::mutex> lock(mu_);
    oauth_token = std::move(token);
  }

 private:
  void Handle(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu_);
    if (req.path == "/token") {
      ++token_requests_;
      const bool ok = req.body.find("client_secret=" + std::string(kSecret)) != std::string::npos;
      res.status = ok ? 200 : 401;
      res.set_content(ok ? json{{"access_token", oauth_token}, {"expires_in", 3600}}.dump()
                         : json{{"error", "invalid_client"}}.dump(),
                      "application/json");
      return;
    }
    ++requests_;
    if (override && override(req, res)) return;
    const std::string got = req.get_header_value(auth_header);
    if (got != auth_value) {
      // An API that echoes what it was sent.
      res.status = 401;
      res.set_content(json{{"message", "invalid credential: " + got}}.dump(), "application/json");
      return;
    }
    const int64_t from = std::stoll(req.get_param_value("from"));
    const int64_t to = std::stoll(req.get_param_value("to"));
    int64_t offset = 0;
    if (req.has_param("offset")) offset = std::stoll(req.get_param_value("offset"));
    if (req.has_param("page")) offset = std::stoll(req.get_param_value("page")) * limit;
    if (req.has_param("next")) offset = std::stoll(req.get_param_value("next").substr(1));
    json items = json::array();
    int64_t k = from + offset;
    for (; k < to && k < from + offset + limit; ++k) {
      items.push_back({{"id", "r" + std::to_string(k)},
                       {"ts", FormatRfc3339(FromUnixMillis(k * 1000))},
                       {"kind", k % 2 ? "login" : "logout"}});
    }
    json body = {{"data", {{"items", items}}}, {"next", nullptr}};
    if (k < to) body["next"] = "p" + std::to_string(k - from);
    res.set_content(body.dump(), "application/json");
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  int requests_ = 0;        // guarded by mu_
  int token_requests_ = 0;  // guarded by mu_
};

class HttpJsonSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spec_.id = "c-json";
    spec_.type = "http_json";
    spec_.endpoint = api_.url();
    spec_.streams = {"audit"};
    spec_.secret = Secret(kSecret);
    spec_.poll_interval = seconds(60);
    spec_.max_pages_per_cycle = 4;
    spec_.collection_start = "2025-12-31T23:58:35Z";  // one 60-record window back
    spec_.params = {{"url", "{endpoint}/logs?from={since}&to={until}"},
                    {"time_format", "epoch_seconds"},
                    {"auth", "bearer"},
                    {"records_path", "data.items"},
                    {"id_field", "id"},
                    {"timestamp_field", "ts"},
                    {"type_field", "kind"},
                    {"paging", "token"},
                    {"next_token_path", "next"},
                    {"token_param", "next"}};
    api_.auth_value = std::string("Bearer ") + kSecret;
  }
  std::unique_ptr<Source> Make() {
    http_ = MakeCurlHttpClient();
    auto src = MakeHttpJsonSource(spec_, {&clock_, http_.get()});
    EXPECT_TRUE(src.ok()) << src.status().ToString();
    return src.ok() ? std::move(src).value() : nullptr;
  }
  MonoTime Deadline() { return clock_.MonotonicNow() + seconds(300); }
  // Record ids of [from, to) in epoch seconds.
  static std::vector<std::string> Expected(int64_t from, int64_t to) {
    std::vector<std::string> ids;
    for (int64_t k = from; k < to; ++k) ids.push_back("r" + std::to_string(k));
    return ids;
  }
  static int64_t Epoch(const std::string& t) { return ToUnixMillis(*ParseRfc3339(t)) / 1000; }
  // Polls up to `max` cycles until one is due later.
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
  void ExpectCollectsFirstWindow(const std::vector<Duration>& expected_delays) {
    auto src = Make();
    ASSERT_NE(src, nullptr);
    std::string state = *src->InitialState("audit");
    std::vector<Duration> delays;
    std::vector<std::string> ids = PollUntilWaiting(src.get(), &state, 10, &delays);
    EXPECT_EQ(ids, Expected(Epoch("2025-12-31T23:58:35Z"), Epoch("2025-12-31T23:59:35Z")));
    EXPECT_EQ(delays, expected_delays);
    EXPECT_EQ(json::parse(state), json::parse(R"({"stream":"audit",
        "since":"2025-12-31T23:59:35.000Z","until":"2026-01-01T00:00:35.000Z",
        "poll_interval_sec":60})"));
  }
  static void ExpectNoSecret(const Status& s) {
    EXPECT_EQ(s.message().find(kSecret), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find(Base64Encode(std::string("app:") + kSecret)), std::string::npos)
        << s.message();
  }

  FakeClock clock_;  // 2026-01-01T00:00:00Z
  LogApi api_;
  std::unique_ptr<HttpClient> http_;
  CollectorSpec spec_;
};

TEST_F(HttpJsonSourceTest, TokenPagingCollectsEveryRecordOnceAcrossCycles) {
  // 60 records, 6 pages, 4 a cycle; the next window ends at 00:00:35.
  ExpectCollectsFirstWindow({Duration(0), seconds(35)});
  EXPECT_EQ(api_.requests(), 6);

  auto src = Make();
  auto r = src->Poll(*src->InitialState("audit"), Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->events.size(), 40u);
  const Event& e = r->events[1];
  EXPECT_EQ(e.id, "r" + std::to_string(Epoch("2025-12-31T23:58:36Z")));
  EXPECT_EQ(e.timestamp, *ParseRfc3339("2025-12-31T23:58:36Z"));
  EXPECT_EQ(e.type_id, "logout");
  EXPECT_EQ(json::parse(e.raw_json)["id"], e.id);
  EXPECT_EQ(e.raw_json.rfind("{\"id\":", 0), 0u);  // as sent, key order kept
  json next = json::parse(r->next_state_json);
  EXPECT_EQ(next["cursor"], "p40");
  EXPECT_EQ(next["since"], "2025-12-31T23:58:35.000Z");
}

TEST_F(HttpJsonSourceTest, OffsetPagingByRecordsAndByPages) {
  spec_.params.erase("next_token_path");
  spec_.params.erase("token_param");
  spec_.params["paging"] = "offset";
  spec_.params["offset_param"] = "offset";
  spec_.params["page_size"] = "10";
  spec_.params["url"] = "{endpoint}/logs?from={since}&to={until}&limit={page_size}";
  spec_.params["auth"] = "basic";
  spec_.client_id = "app";
  api_.auth_value = "Basic " + Base64Encode(std::string("app:") + kSecret);
  // Six full pages and an empty one: 4 + 3 requests.
  ExpectCollectsFirstWindow({Duration(0), seconds(35)});
  EXPECT_EQ(api_.requests(), 7);

  spec_.params["offset_param"] = "page";
  spec_.params["offset_unit"] = "pages";
  spec_.params["offset_start"] = "0";
  ExpectCollectsFirstWindow({Duration(0), seconds(35)});
  auto src = Make();
  auto r = src->Poll(*src->InitialState("audit"), Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(json::parse(r->next_state_json)["cursor"], 4);
}

TEST_F(HttpJsonSourceTest, HeaderAndNoAuth) {
  spec_.params["auth"] = "header";
  spec_.params["auth_header"] = "X-Api-Key";
  spec_.params["auth_value"] = "Key {secret}";
  api_.auth_header = "X-Api-Key";
  api_.auth_value = std::string("Key ") + kSecret;
  ExpectCollectsFirstWindow({Duration(0), seconds(35)});

  spec_.params = {{"url", "{endpoint}/logs?from={since}&to={until}"},
                  {"time_format", "epoch_seconds"},
                  {"auth", "none"},
                  {"records_path", "data.items"},
                  {"id_field", "id"},
                  {"timestamp_field", "ts"}};
  api_.auth_header = "Authorization";
  api_.auth_value = "";
  api_.limit = 100;
  ExpectCollectsFirstWindow({seconds(35)});
}

TEST_F(HttpJsonSourceTest, OAuth2TokenRefusedMidWindowIsRenewedOnce) {
  spec_.params["auth"] = "oauth2";
  spec_.params["token_url"] = api_.url() + "/token";
  spec_.params["scope"] = "logs.read";
  spec_.client_id = "app";
  api_.auth_value = "Bearer at-1";
  int n = 0;
  api_.override = [&](const httplib::Request&, httplib::Response&) {
    if (++n == 3) {  // the API revokes at-1 before the third page
      api_.oauth_token = "at-2";
      api_.auth_value = "Bearer at-2";
    }
    return false;
  };
  ExpectCollectsFirstWindow({Duration(0), seconds(35)});
  EXPECT_EQ(api_.token_requests(), 2);
  EXPECT_EQ(api_.requests(), 7);  // one page asked twice

  // A token the API keeps refusing: one retry, then PAWS000301.
  api_.override = [&](const httplib::Request&, httplib::Response& res) {
    res.status = 401;
    res.set_content(R"({"message":"token at-2 revoked"})", "application/json");
    return true;
  };
  auto src = Make();
  auto r = src->Poll(*src->InitialState("audit"), Deadline());
  EXPECT_EQ(r.status().paws_code(), codes::kApiUnauthenticated) << r.status().ToString();
  EXPECT_EQ(r.status().message().find("at-2"), std::string::npos) << r.status().message();
}

TEST_F(HttpJsonSourceTest, BadCredentialIsUnauthenticatedAndNeverQuoted) {
  for (const char* auth : {"bearer", "basic", "header"}) {
    spec_.params["auth"] = auth;
    spec_.client_id = "app";
    spec_.params.erase("auth_header");
    if (std::string(auth) == "header") spec_.params["auth_header"] = "Authorization";
    api_.auth_value = "the-right-one";
    auto src = Make();
    auto r = src->Poll(*src->InitialState("audit"), Deadline());
    ASSERT_EQ(r.status().code(), StatusCode::kUnauthenticated) << auth;
    EXPECT_EQ(r.status().paws_code(), codes::kApiUnauthenticated);
    EXPECT_NE(r.status().message().find("http_json: GET /logs: HTTP 401 (invalid credential: "),
              std::string::npos)
        << r.status().message();
    EXPECT_NE(r.status().message().find(Secret::kRedacted), std::string::npos);
    EXPECT_EQ(r.status().message().find("from="), std::string::npos);
    ExpectNoSecret(r.status());
  }
  // A refused OAuth2 client.
  spec_.params.erase("auth_header");
  spec_.params["auth"] = "oauth2";
  spec_.params["token_url"] = api_.url() + "/token";
  spec_.secret = Secret("wrong-SECRET");
  auto src = Make();
  auto r = src->Poll(*src->InitialState("audit"), Deadline());
  EXPECT_EQ(r.status().paws_code(), codes::kApiUnauthenticated) << r.status().ToString();
  EXPECT_EQ(r.status().message().find("wrong-SECRET"), std::string::npos);
}

TEST_F(HttpJsonSourceTest, RateLimitsSlowTheStream) {
  auto src = Make();
  const std::string state = *src->InitialState("audit");
  int n = 0;
  int fail_at = 1;
  api_.override = [&](const httplib::Request&, httplib::Response& res) {
    if (++n != fail_at) return false;
    res.status = 429;
    res.set_header("Retry-After", fail_at == 1 ? "7" : "9");
    res.set_content(R"({"message":"slow down"})", "application/json");
    return true;
  };
  auto r = src->Poll(state, Deadline());
  ASSERT_EQ(r.status().code(), StatusCode::kRateLimited) << r.status().ToString();
  EXPECT_EQ(r.status().paws_code(), codes::kApiRateLimited);
  EXPECT_EQ(r.status().retry_after(), seconds(7));

  // A 429 on the third page: the two before are kept, the stream waits.
  n = 0;
  fail_at = 3;
  r = src->Poll(state, Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events.size(), 20u);
  EXPECT_EQ(r->next_delay, seconds(9));
  std::vector<std::string> ids;
  for (const Event& e : r->events) ids.push_back(e.id);
  std::string next = r->next_state_json;
  EXPECT_EQ(json::parse(next)["cursor"], "p20");
  std::vector<Duration> delays;
  for (const std::string& id : PollUntilWaiting(src.get(), &next, 5, &delays)) ids.push_back(id);
  EXPECT_EQ(ids, Expected(Epoch("2025-12-31T23:58:35Z"), Epoch("2025-12-31T23:59:35Z")));

  // A spent budget on a successful page: no error, the next page waits.
  api_.override = [&](const httplib::Request&, httplib::Response& res) {
    res.set_header("X-RateLimit-Remaining", "0");
    res.set_header("X-RateLimit-Reset", std::to_string(Epoch("2026-01-01T00:00:42Z")));
    return false;
  };
  r = src->Poll(state, Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events.size(), 10u);
  EXPECT_EQ(r->next_delay, seconds(42));
  EXPECT_EQ(json::parse(r->next_state_json)["cursor"], "p10");

  // A quota error in the body of a 403.
  spec_.params["quota_error_text"] = "DAILY_QUOTA_EXCEEDED";
  src = Make();
  api_.override = [&](const httplib::Request&, httplib::Response& res) {
    res.status = 403;
    res.set_content(R"({"error":{"code":"DAILY_QUOTA_EXCEEDED"}})", "application/json");
    return true;
  };
  r = src->Poll(state, Deadline());
  ASSERT_EQ(r.status().code(), StatusCode::kRateLimited) << r.status().ToString();
  EXPECT_EQ(r.status().retry_after(), seconds(60));
  EXPECT_NE(r.status().message().find("quota"), std::string::npos);
}

TEST_F(HttpJsonSourceTest, MalformedResponsesAreErrorsNotCrashes) {
  auto src = Make();
  const std::string state = *src->InitialState("audit");
  std::string body;
  api_.override = [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(body, "application/json");
    return true;
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[{\"id\":", "response body is not JSON"},
      {"{}", "response has no data.items"},
      {R"({"data":[]})", "response has no data.items"},
      {R"({"data":{"items":{}}})", "data.items is not a JSON array"},
      {R"({"data":{"items":[1]}})", "record 0 is not an object"},
      {R"({"data":{"items":[{"ts":"2026-01-01T00:00:00Z"}]}})", "record 0 has no id"},
      {R"({"data":{"items":[{"id":{"a":1},"ts":"2026-01-01T00:00:00Z"}]}})", "record 0 has no id"},
      {R"({"data":{"items":[{"id":"a"}]}})", "record 0 (a) has no ts"},
      {R"({"data":{"items":[{"id":"a","ts":"soon"}]}})", "record 0 (a) has an invalid timestamp"},
      {R"({"data":{"items":[]},"next":{"x":1}})", "next is not a string"},
  };
  for (const auto& [b, what] : cases) {
    body = b;
    auto r = src->Poll(state, Deadline());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << b;
    EXPECT_EQ(r.status().paws_code(), codes::kApiMalformed) << b;
    EXPECT_NE(r.status().message().find("http_json: GET /logs: " + what), std::string::npos)
        << r.status().message();
  }
  // Other statuses: a 500 is unavailable, a 404 malformed.
  api_.override = [&](const httplib::Request&, httplib::Response& res) {
    res.status = body == "500" ? 500 : 404;
    res.set_content(std::string("{\"message\":\"no ") + kSecret + "\"}", "application/json");
    return true;
  };
  for (const char* status : {"500", "404"}) {
    body = status;
    auto r = src->Poll(state, Deadline());
    EXPECT_EQ(r.status().paws_code(),
              body == "500" ? codes::kApiUnavailable : codes::kApiMalformed);
    ExpectNoSecret(r.status());
  }
}

TEST_F(HttpJsonSourceTest, StatesContinueWhereTheyStopped) {
  auto src = Make();
  // A window being paged continues at its cursor; no stream: this one's.
  std::string state = R"({"since":"2025-12-31T23:58:35.000Z","until":"2025-12-31T23:59:35.000Z",)"
                      R"("cursor":"p30","poll_interval_sec":60})";
  std::vector<Duration> delays;
  std::vector<std::string> ids = PollUntilWaiting(src.get(), &state, 5, &delays);
  EXPECT_EQ(ids, Expected(Epoch("2025-12-31T23:59:05Z"), Epoch("2025-12-31T23:59:35Z")));
  // An empty window is skipped without a request.
  const int before = api_.requests();
  auto r = src->Poll(R"({"stream":"audit","since":"2025-12-31T23:00:00Z",)"
                     R"("until":"2025-12-31T23:00:00Z","poll_interval_sec":1})",
                     Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(json::parse(r->next_state_json)["until"], "2025-12-31T23:01:00.000Z");
  EXPECT_EQ(r->next_delay, Duration(0));
  EXPECT_EQ(api_.requests(), before);
  for (const char* bad :
       {"[]", "{",
        R"({"stream":"other","since":"2026-01-01T00:00:00Z","until":"2026-01-01T00:00:00Z"})",
        R"({"since":"2026-01-01T00:00:00Z"})",
        R"({"since":"2026-01-01T00:01:00Z","until":"2026-01-01T00:00:00Z"})",
        R"({"since":"2026-01-01T00:00:00Z","until":"2026-01-01T00:00:00Z","cursor":""})"}) {
    EXPECT_EQ(src->Poll(bad, Deadline()).status().paws_code(), codes::kStateMalformed) << bad;
  }
  EXPECT_EQ(src->InitialState("http_json").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(HttpJsonSourceTest, EpochTimestampsAndTheWindowFilter) {
  spec_.params["timestamp_format"] = "epoch_millis";
  spec_.params["filter_window"] = "true";
  spec_.params["url"] = "{endpoint}/logs?from={since}";
  spec_.params["paging"] = "none";
  spec_.params.erase("next_token_path");
  spec_.params.erase("token_param");
  api_.override = [&](const httplib::Request& req, httplib::Response& res) {
    // An API with a lower bound only: it answers up to "now".
    const int64_t from = std::stoll(req.get_param_value("from"));
    json items = json::array();
    for (int64_t k = from; k < from + 90; ++k) {
      items.push_back({{"id", k}, {"ts", k * 1000}});
    }
    res.set_content(json{{"data", {{"items", items}}}}.dump(), "application/json");
    return true;
  };
  auto src = Make();
  auto r = src->Poll(*src->InitialState("audit"), Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->events.size(), 60u);  // the 30 past the window are not its
  EXPECT_EQ(r->events.front().id, std::to_string(Epoch("2025-12-31T23:58:35Z")));
  EXPECT_EQ(r->events.front().timestamp, *ParseRfc3339("2025-12-31T23:58:35Z"));
  EXPECT_EQ(r->events.front().type_id, "");
}

TEST_F(HttpJsonSourceTest, RegisteredAsHttpJson) {
  SourceRegistry registry;
  RegisterBuiltinSources(&registry);
  ASSERT_TRUE(registry.Has("http_json"));
  http_ = MakeCurlHttpClient();
  auto src = registry.Make(spec_, {&clock_, http_.get()});
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  EXPECT_TRUE((*src)->InitialState("audit").ok());
  spec_.params["limit"] = "10";
  EXPECT_EQ(registry.Make(spec_, {&clock_, http_.get()}).status().paws_code(),
            codes::kConfigInvalid);
}

}  // namespace
}  // namespace paws
