#include "sources/fake/fake_source.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "paws/codes.h"
#include "testing/fake_api_http_client.h"

namespace paws {
namespace {

using json = nlohmann::json;
using std::chrono::seconds;

constexpr const char* kSecret = "tok-SECRET-4711";
constexpr const char* kBase = "http://fake-saas.test";

// Answers every request with one scripted response.
class ScriptedHttp : public HttpClient {
 public:
  Result<HttpResponse> Send(const HttpRequest& req) override { return response; }
  HttpResponse response;
};

class FakeSourceTest : public ::testing::Test {
 protected:
  FakeSourceTest() {
    spec_.id = "c-1";
    spec_.type = "fake";
    spec_.endpoint = std::string(kBase) + "/t/acme";
    spec_.streams = {"s1", "s2"};
    spec_.secret = Secret(kSecret);
    spec_.poll_interval = seconds(60);
  }

  std::unique_ptr<Source> Make(HttpClient* http = nullptr) {
    auto src = MakeFakeSource(spec_, {&clock_, http ? http : &http_});
    EXPECT_TRUE(src.ok()) << src.status().ToString();
    return src.ok() ? std::move(src).value() : nullptr;
  }
  MonoTime Deadline(Duration d = seconds(300)) { return clock_.MonotonicNow() + d; }
  static WallTime T(const std::string& text) { return *ParseRfc3339(text); }
  static std::string State(const std::string& since, const std::string& until) {
    return json{{"stream", "s1"}, {"since", since}, {"until", until}}.dump();
  }
  // Polls until the stream has caught up (a positive delay), at most
  // `max_cycles` cycles; returns the collected ids in order.
  std::vector<std::string> PollUntilWaiting(Source* src, std::string* state, int max_cycles,
                                            int* cycles, Duration* delay) {
    std::vector<std::string> ids;
    for (*cycles = 0; *cycles < max_cycles;) {
      auto r = src->Poll(*state, Deadline());
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (!r.ok()) break;
      ++*cycles;
      for (const Event& e : r->events) ids.push_back(e.id);
      *state = r->next_state_json;
      *delay = r->next_delay;
      if (r->next_delay > Duration(0)) break;
    }
    return ids;
  }

  FakeClock clock_;  // 2026-01-01T00:00:00Z
  FakeApi api_{&clock_};
  FakeApiHttpClient http_{&api_, kBase};
  CollectorSpec spec_;
};

TEST_F(FakeSourceTest, InitialStateIsTheLastIntervalOrCollectionStart) {
  auto src = Make();
  auto st = src->InitialState("s1");
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  json j = json::parse(*st);
  EXPECT_EQ(j["stream"], "s1");
  EXPECT_EQ(j["since"], "2025-12-31T23:59:00.000Z");
  EXPECT_EQ(j["until"], "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(j["poll_interval_sec"], 60);
  EXPECT_FALSE(j.contains("nextPage"));
  EXPECT_EQ(src->InitialState("s9").status().code(), StatusCode::kInvalidArgument);

  spec_.collection_start = "2025-12-31T12:00:00Z";
  j = json::parse(*Make()->InitialState("s2"));
  EXPECT_EQ(j["since"], "2025-12-31T12:00:00.000Z");
  EXPECT_EQ(j["until"], "2025-12-31T12:01:00.000Z");
}

TEST_F(FakeSourceTest, FactoryValidatesTheSpec) {
  spec_.params["limit"] = "5000";
  EXPECT_EQ(MakeFakeSource(spec_, {&clock_, &http_}).status().paws_code(), codes::kConfigInvalid);
  spec_.params["limit"] = "abc";
  EXPECT_FALSE(MakeFakeSource(spec_, {&clock_, &http_}).ok());
  spec_.params.clear();
  spec_.endpoint = "fake-saas.test/t/acme";
  EXPECT_EQ(MakeFakeSource(spec_, {&clock_, &http_}).status().paws_code(), codes::kConfigInvalid);
}

TEST_F(FakeSourceTest, MultiPageWindowIsCollectedCompletely) {
  ASSERT_TRUE(api_.ConfigureTenant("acme", 1200, std::nullopt).ok());  // 20 a second
  spec_.params["limit"] = "250";
  auto src = Make();
  auto r = src->Poll(*src->InitialState("s1"), Deadline());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> ids;
  for (const Event& e : r->events) ids.push_back(e.id);
  EXPECT_EQ(ids, api_.EventIds("acme", "s1", T("2025-12-31T23:59:00Z"), T("2026-01-01T00:00:00Z")));
  EXPECT_EQ(ids.size(), 1200u);
  EXPECT_EQ(http_.requests().size(), 5u);  // 250 a page

  const Event& e = r->events.front();
  EXPECT_EQ(e.timestamp, T("2025-12-31T23:59:00Z"));
  json raw = json::parse(e.raw_json);
  EXPECT_EQ(raw["uuid"], e.id);
  EXPECT_EQ(raw["eventType"], e.type_id);
  EXPECT_FALSE(e.type_id.empty());

  // The next window starts where this one ended and is due when it ends.
  json next = json::parse(r->next_state_json);
  EXPECT_EQ(next["since"], "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(next["until"], "2026-01-01T00:01:00.000Z");
  EXPECT_FALSE(next.contains("nextPage"));
  EXPECT_EQ(r->next_delay, seconds(60));

  for (const HttpRequest& req : http_.requests()) {
    EXPECT_EQ(req.headers.at(0), (std::pair<std::string, std::string>(
                                     "Authorization", std::string("SSWS ") + kSecret)));
    EXPECT_EQ(req.timeout, seconds(30));  // min(deadline, 30 s)
  }
  EXPECT_NE(http_.requests()[0].url.find("/t/acme/api/v1/logs?stream=s1&"), std::string::npos);
  EXPECT_NE(http_.requests()[0].url.find("limit=250"), std::string::npos);
}

TEST_F(FakeSourceTest, PagesBeyondTheCycleLimitContinueInTheNextCycle) {
  ASSERT_TRUE(api_.ConfigureTenant("acme", 600, std::nullopt).ok());  // 10 a second
  spec_.max_pages_per_cycle = 2;
  spec_.params["limit"] = "100";
  auto src = Make();
  std::string state = *src->InitialState("s1");
  std::vector<std::string> ids;
  std::vector<Duration> delays;
  for (int cycle = 0; cycle < 10; ++cycle) {
    auto r = src->Poll(state, Deadline());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (const Event& e : r->events) ids.push_back(e.id);
    delays.push_back(r->next_delay);
    state = r->next_state_json;
    if (!json::parse(state).contains("nextPage")) break;
    EXPECT_EQ(json::parse(state)["since"], "2025-12-31T23:59:00.000Z");
  }
  EXPECT_EQ(delays, (std::vector<Duration>{Duration(0), Duration(0), seconds(60)}));
  EXPECT_EQ(ids, api_.EventIds("acme", "s1", T("2025-12-31T23:59:00Z"), T("2026-01-01T00:00:00Z")));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 600u);
}

TEST_F(FakeSourceTest, CatchesUpWithoutDelayThenWaitsForTheWindowToEnd) {
  spec_.collection_start = "2025-12-31T23:40:10Z";
  auto src = Make();
  std::string state = *src->InitialState("s1");
  int cycles = 0;
  Duration delay{0};
  std::vector<std::string> ids = PollUntilWaiting(src.get(), &state, 100, &cycles, &delay);
  // 19 windows end before now; the 20th ends at 00:00:10, 10 s from now,
  // and is not collected before.
  EXPECT_EQ(cycles, 19);
  EXPECT_EQ(delay, seconds(10));
  EXPECT_EQ(ids, api_.EventIds("acme", "s1", T("2025-12-31T23:40:10Z"), T("2025-12-31T23:59:10Z")));
  EXPECT_EQ(json::parse(state)["since"], "2025-12-31T23:59:10.000Z");
  EXPECT_EQ(json::parse(state)["until"], "2026-01-01T00:00:10.000Z");

  // The due time comes: that window, then a full interval's wait.
  clock_.Advance(seconds(10));
  ids = PollUntilWaiting(src.get(), &state, 100, &cycles, &delay);
  EXPECT_EQ(cycles, 1);
  EXPECT_EQ(ids.size(), 60u);
  EXPECT_EQ(delay, seconds(60));
  // No event was served twice, none skipped.
  EXPECT_EQ(api_.ServedIds("acme", "s1").size(), 1200u);
}

TEST_F(FakeSourceTest, ApiErrorsMapToStatusCodes) {
  auto src = Make();
  const std::string state = *src->InitialState("s1");
  struct Case {
    FakeFault fault;
    StatusCode code;
    const char* paws_code;
  };
  const Case cases[] = {
      {{"acme", "", FakeFaultKind::k401, 0, 0, 1},
       StatusCode::kUnauthenticated,
       codes::kApiUnauthenticated},
      {{"acme", "", FakeFaultKind::k429, 7, 0, 1},
       StatusCode::kRateLimited,
       codes::kApiRateLimited},
      {{"acme", "", FakeFaultKind::k500, 0, 0, 1},
       StatusCode::kUnavailable,
       codes::kApiUnavailable},
      {{"acme", "", FakeFaultKind::kMalformed, 0, 0, 1},
       StatusCode::kInvalidArgument,
       codes::kApiMalformed},
      {{"acme", "", FakeFaultKind::kSlow, 0, 60000, 1},
       StatusCode::kDeadlineExceeded,
       codes::kApiTimeout},
  };
  for (const Case& c : cases) {
    ASSERT_TRUE(api_.SetFault(c.fault).ok());
    auto r = src->Poll(state, Deadline());
    SCOPED_TRACE(std::string(FakeFaultKindName(c.fault.kind)));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), c.code) << r.status().ToString();
    EXPECT_EQ(r.status().paws_code(), c.paws_code) << r.status().ToString();
    EXPECT_NE(r.status().message().find("/t/acme/api/v1/logs"), std::string::npos);
    EXPECT_EQ(r.status().message().find(kSecret), std::string::npos);
    EXPECT_EQ(r.status().message().find("since="), std::string::npos);
    if (c.code == StatusCode::kRateLimited) {
      EXPECT_EQ(r.status().retry_after(), seconds(7));
    }
  }
  // A configured token that the collector does not have.
  ASSERT_TRUE(api_.ConfigureTenant("acme", std::nullopt, "other").ok());
  EXPECT_EQ(src->Poll(state, Deadline()).status().code(), StatusCode::kUnauthenticated);
  ASSERT_TRUE(api_.ConfigureTenant("acme", std::nullopt, kSecret).ok());
  EXPECT_TRUE(src->Poll(state, Deadline()).ok());
}

TEST_F(FakeSourceTest, TransportFailuresAndDeadlines) {
  auto src = Make();
  const std::string state = *src->InitialState("s1");
  http_.FailNext(Status::Unavailable("GET http://fake-saas.test/t/acme: connection reset"));
  auto r = src->Poll(state, Deadline());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(r.status().paws_code(), codes::kApiUnavailable);

  size_t sent = http_.requests().size();
  r = src->Poll(state, clock_.MonotonicNow());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(http_.requests().size(), sent);  // nothing sent past the deadline

  // The request timeout is what is left of the deadline when under 30 s.
  ASSERT_TRUE(src->Poll(state, Deadline(seconds(5))).ok());
  EXPECT_EQ(http_.requests().back().timeout, seconds(5));

  // A slow answer within the timeout is fine.
  ASSERT_TRUE(api_.SetFault({"acme", "", FakeFaultKind::kSlow, 0, 2000, 1}).ok());
  EXPECT_TRUE(src->Poll(state, Deadline()).ok());

  // Another host's endpoint: refused.
  spec_.endpoint = "http://elsewhere.test/t/acme";
  auto other = Make();
  EXPECT_EQ(other->Poll(*other->InitialState("s1"), Deadline()).status().code(),
            StatusCode::kUnavailable);
}

TEST_F(FakeSourceTest, MalformedResponses) {
  ScriptedHttp http;
  auto src = Make(&http);
  const std::string state = *src->InitialState("s1");
  const char* bodies[] = {
      "",
      R"({"uuid":"x"})",
      R"([1])",
      R"([{"published":"2026-01-01T00:00:00Z"}])",
      R"([{"uuid":"","published":"2026-01-01T00:00:00Z"}])",
      R"([{"uuid":"a"}])",
      R"([{"uuid":"a","published":"yesterday"}])",
  };
  for (const char* body : bodies) {
    http.response = HttpResponse{200, {}, body};
    auto r = src->Poll(state, Deadline());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << body;
    EXPECT_EQ(r.status().paws_code(), codes::kApiMalformed) << body;
  }
  // Other statuses.
  http.response = HttpResponse{404, {}, R"({"errorCode":"E0000007","errorSummary":"Not found"})"};
  auto r = src->Poll(state, Deadline());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("HTTP 404 (E0000007 Not found)"), std::string::npos);
  http.response = HttpResponse{403, {}, ""};
  EXPECT_EQ(src->Poll(state, Deadline()).status().code(), StatusCode::kUnauthenticated);
  http.response = HttpResponse{503, {}, "<html>"};
  EXPECT_EQ(src->Poll(state, Deadline()).status().code(), StatusCode::kUnavailable);
  // A next link to another origin would leak the token: refused.
  http.response = HttpResponse{200, {{"Link", "<http://evil.test/x>; rel=\"next\""}}, "[]"};
  r = src->Poll(state, Deadline());
  EXPECT_EQ(r.status().paws_code(), codes::kApiMalformed);
  // An API that echoes the credential does not get it into a message.
  http.response = HttpResponse{
      401,
      {},
      std::string(R"({"errorCode":"E0000011","errorSummary":"bad token )") + kSecret + "\"}"};
  r = src->Poll(state, Deadline());
  EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(r.status().message().find(kSecret), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find(Secret::kRedacted), std::string::npos);
  http.response = HttpResponse{429, {}, std::string("{\"errorSummary\":\"") + kSecret + "\"}"};
  r = src->Poll(state, Deadline());
  EXPECT_EQ(r.status().code(), StatusCode::kRateLimited);
  EXPECT_EQ(r.status().message().find(kSecret), std::string::npos);
}

TEST_F(FakeSourceTest, UnusableStatesAreStateMalformed) {
  auto src = Make();
  const std::string states[] = {
      "not json",
      "[]",
      R"({"since":"2026-01-01T00:00:00Z","until":"2026-01-01T00:01:00Z"})",
      R"({"stream":"s1","until":"2026-01-01T00:01:00Z"})",
      R"({"stream":"s1","since":"x","until":"2026-01-01T00:01:00Z"})",
      R"({"stream":"s1","since":"2026-01-01T00:01:00Z","until":"2026-01-01T00:01:00Z"})",
      R"({"stream":"s1","since":"2026-01-01T00:00:00Z","until":"2026-01-01T00:01:00Z",)"
      R"("nextPage":"http://evil.test/t/acme/api/v1/logs?after=1"})",
  };
  for (const std::string& s : states) {
    auto r = src->Poll(s, Deadline());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << s;
    EXPECT_EQ(r.status().paws_code(), codes::kStateMalformed) << s;
  }
  EXPECT_TRUE(http_.requests().empty());
}

TEST_F(FakeSourceTest, RegisteredAsFake) {
  SourceRegistry registry;
  RegisterBuiltinSources(&registry);
  ASSERT_TRUE(registry.Has("fake"));
  auto src = registry.Make(spec_, {&clock_, &http_});
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  EXPECT_TRUE((*src)->InitialState("s1").ok());
}

}  // namespace
}  // namespace paws
