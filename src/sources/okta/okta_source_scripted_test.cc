// The okta source against scripted responses: what Okta itself could answer
// and the fake API does not (okta_source_test.cc runs it against the fake
// API over loopback HTTP).
#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <nlohmann/json.hpp>

#include "paws/codes.h"
#include "sources/okta/okta_source.h"

namespace paws {
namespace {

using json = nlohmann::json;
using std::chrono::seconds;

constexpr const char* kSecret = "ssws-SECRET-4711";
constexpr const char* kEvent = R"({"uuid":"u1","published":"2026-01-01T00:00:00Z"})";

// Answers with the queued responses, then with `response` (or `error`).
class ScriptedHttp : public HttpClient {
 public:
  Result<HttpResponse> Send(const HttpRequest& req) override {
    requests.push_back(req);
    if (!error.ok()) return error;
    if (queue.empty()) return response;
    HttpResponse next = queue.front();
    queue.pop_front();
    return next;
  }
  std::deque<HttpResponse> queue;
  HttpResponse response;
  Status error;
  std::vector<HttpRequest> requests;
};

class OktaScriptedTest : public ::testing::Test {
 protected:
  OktaScriptedTest() {
    spec_.id = "okta-1";
    spec_.type = "okta";
    spec_.endpoint = "https://acme.okta.com";
    spec_.streams = {"okta"};
    spec_.secret = Secret(kSecret);
  }
  std::unique_ptr<Source> Make() {
    auto src = MakeOktaSource(spec_, {&clock_, &http_});
    EXPECT_TRUE(src.ok()) << src.status().ToString();
    return src.ok() ? std::move(src).value() : nullptr;
  }
  MonoTime Deadline() { return clock_.MonotonicNow() + seconds(300); }
  static HttpResponse Page(const std::string& body, HttpHeaders headers = {}) {
    return {200, std::move(headers), body};
  }

  FakeClock clock_;  // 2026-01-01T00:00:00Z
  ScriptedHttp http_;
  CollectorSpec spec_;
};

TEST_F(OktaScriptedTest, InitialStateHasTheUpstreamShape) {
  auto src = Make();
  EXPECT_EQ(json::parse(*src->InitialState("okta")),
            json::parse(R"({"since":"2025-12-31T23:59:00.000Z",
                "until":"2026-01-01T00:00:00.000Z","poll_interval_sec":60})"));
  EXPECT_EQ(src->InitialState("system").status().code(), StatusCode::kInvalidArgument);
  spec_.collection_start = "2025-12-31T12:00:00Z";
  json j = json::parse(*Make()->InitialState("okta"));
  EXPECT_EQ(j["since"], "2025-12-31T12:00:00.000Z");
  EXPECT_EQ(j["until"], "2025-12-31T12:01:00.000Z");
}

TEST_F(OktaScriptedTest, FactoryValidatesTheSpec) {
  for (auto edit : std::vector<std::function<void(CollectorSpec&)>>{
           [](CollectorSpec& s) { s.params["limit"] = "5000"; },
           [](CollectorSpec& s) { s.params["limit"] = "ten"; },
           [](CollectorSpec& s) { s.endpoint = "acme.okta.com"; },
           [](CollectorSpec& s) {
             s.streams = {"okta", "system"};
           },
           [](CollectorSpec& s) { s.poll_interval = Duration(500); },
       }) {
    CollectorSpec spec = spec_;
    edit(spec);
    EXPECT_EQ(MakeOktaSource(spec, {&clock_, &http_}).status().paws_code(), codes::kConfigInvalid);
  }
}

TEST_F(OktaScriptedTest, SendsTheDocumentedRequest) {
  http_.response = Page("[]");
  auto src = Make();
  ASSERT_TRUE(src->Poll(*src->InitialState("okta"), Deadline()).ok());
  ASSERT_EQ(http_.requests.size(), 1u);
  const HttpRequest& req = http_.requests[0];
  EXPECT_EQ(req.url,
            "https://acme.okta.com/api/v1/logs?since=2025-12-31T23%3A59%3A00.000Z"
            "&until=2026-01-01T00%3A00%3A00.000Z&limit=1000&sortOrder=ASCENDING");
  EXPECT_EQ(req.headers.at(0),
            (std::pair<std::string, std::string>("Authorization", std::string("SSWS ") + kSecret)));
}

TEST_F(OktaScriptedTest, AnEmptyPageOrALinkToItselfEndsTheWindow) {
  auto src = Make();
  const std::string state = *src->InitialState("okta");
  const std::string self = "https://acme.okta.com/api/v1/logs?after=x";
  http_.queue = {Page("[]", {{"Link", "<" + self + ">; rel=\"next\""}})};
  auto r = src->Poll(state, Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(json::parse(r->next_state_json)["since"], "2026-01-01T00:00:00.000Z");

  http_.queue = {Page(std::string("[") + kEvent + "]", {{"Link", "<" + self + ">; rel=\"next\""}}),
                 Page(std::string("[") + kEvent + "]", {{"Link", "<" + self + ">; rel=\"next\""}})};
  r = src->Poll(state, Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events.size(), 2u);
  EXPECT_FALSE(json::parse(r->next_state_json).contains("nextPage"));
}

TEST_F(OktaScriptedTest, NoRequestsLeftWithoutAResetWaitsAMinute) {
  auto src = Make();
  http_.queue = {Page(std::string("[") + kEvent + "]",
                      {{"Link", "<https://acme.okta.com/api/v1/logs?after=2>; rel=\"next\""},
                       {"X-Rate-Limit-Remaining", "0"}})};
  auto r = src->Poll(*src->InitialState("okta"), Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->next_delay, seconds(60));
  EXPECT_EQ(json::parse(r->next_state_json)["nextPage"],
            "https://acme.okta.com/api/v1/logs?after=2");
  EXPECT_EQ(http_.requests.size(), 1u);
}

TEST_F(OktaScriptedTest, MalformedResponsesNameWhatIsWrong) {
  auto src = Make();
  const std::string state = *src->InitialState("okta");
  const std::pair<const char*, const char*> cases[] = {
      {"", "not JSON"},
      {R"({"errorCode":"E0000001"})", "not a JSON array"},
      {R"([1])", "event 0 is not an object"},
      {R"([{"published":"2026-01-01T00:00:00Z"}])", "event 0 has no uuid"},
      {R"([{"uuid":"u1","published":"2026-01-01T00:00:00Z"},{"uuid":"u2"}])",
       "event 1 (u2) has no published"},
      {R"([{"uuid":"u1","published":"yesterday"}])", "invalid published time"},
  };
  for (const auto& [body, what] : cases) {
    http_.response = Page(body);
    auto r = src->Poll(state, Deadline());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << body;
    EXPECT_EQ(r.status().paws_code(), codes::kApiMalformed) << body;
    EXPECT_NE(r.status().message().find(what), std::string::npos) << r.status().message();
  }
  http_.response = Page(std::string("[") + kEvent + "]",
                        {{"Link", "<http://evil.test/api/v1/logs?after=1>; rel=\"next\""}});
  EXPECT_EQ(src->Poll(state, Deadline()).status().paws_code(), codes::kApiMalformed);

  http_.response = Page(R"([{"uuid":"u1","published":"2026-01-01T00:00:00Z",)"
                        R"("legacyEventType":"core.user_auth.login_success"}])");
  auto r = src->Poll(state, Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events.at(0).type_id, "core.user_auth.login_success");
}

TEST_F(OktaScriptedTest, TheTokenNeverReachesAnError) {
  auto src = Make();
  const std::string state = *src->InitialState("okta");
  const std::string echo =
      std::string(R"({"errorCode":"E0000011","errorSummary":"bad )") + kSecret + "\"}";
  for (int status : {401, 403, 429, 500, 400}) {
    http_.response = {status, {}, echo};
    auto r = src->Poll(state, Deadline());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message().find(kSecret), std::string::npos) << r.status().message();
  }
  http_.error = Status::Unavailable(std::string("connect failed: SSWS ") + kSecret);
  auto r = src->Poll(state, Deadline());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(r.status().message().find(kSecret), std::string::npos) << r.status().message();
}

TEST_F(OktaScriptedTest, UnusableStatesAreStateMalformed) {
  auto src = Make();
  for (const char* s : {
           "not json",
           "[]",
           R"({"until":"2026-01-01T00:00:00Z"})",
           R"({"since":"x","until":"2026-01-01T00:00:00Z"})",
           R"({"since":"2026-01-01T00:00:01Z","until":"2026-01-01T00:00:00Z"})",
           R"({"stream":"system","since":"2025-12-31T00:00:00Z","until":"2026-01-01T00:00:00Z"})",
           R"({"since":"2025-12-31T00:00:00Z","until":"2026-01-01T00:00:00Z",)"
           R"("nextPage":"http://evil.test/api/v1/logs?after=1"})",
       }) {
    EXPECT_EQ(src->Poll(s, Deadline()).status().paws_code(), codes::kStateMalformed) << s;
  }
  EXPECT_TRUE(http_.requests.empty());
}

}  // namespace
}  // namespace paws
