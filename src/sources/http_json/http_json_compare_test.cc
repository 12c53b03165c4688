// http_json configured for the fake Okta and Auth0 APIs collects what the
// dedicated okta and auth0 sources collect: the same events (ids, times,
// types, raw JSON, order) and, for Okta, the same windows, cycle by cycle.

#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>

#include "sources/auth0/auth0_source.h"
#include "sources/http_json/http_json_source.h"
#include "sources/okta/okta_source.h"
#include "tools/fake_saas/fake_server.h"
#include "tools/fake_saas/fake_service.h"
#include "tools/fake_saas/services/auth0.h"

namespace paws {
namespace {

using json = nlohmann::json;
using std::chrono::seconds;

constexpr const char* kSecret = "cmp-SECRET-4711";

class LoopbackEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { setenv("no_proxy", "127.0.0.1,localhost", 1); }
};
const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new LoopbackEnvironment);

void ExpectSameEvents(const std::vector<Event>& want, const std::vector<Event>& got, int cycle) {
  ASSERT_EQ(want.size(), got.size()) << "cycle " << cycle;
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(want[i].id, got[i].id) << "cycle " << cycle << " event " << i;
    EXPECT_EQ(want[i].timestamp, got[i].timestamp) << want[i].id;
    EXPECT_EQ(want[i].type_id, got[i].type_id) << want[i].id;
    EXPECT_EQ(want[i].raw_json, got[i].raw_json) << want[i].id;
  }
}

class CompareTest : public ::testing::Test {
 protected:
  void Start(bool auth0) {
    api_ = std::make_unique<FakeApi>(&clock_);
    if (auth0) api_->AddService(MakeFakeAuth0Service());
    ASSERT_TRUE(api_->ConfigureTenant("acme", 600, kSecret).ok());  // 10 a second
    auto server = FakeServer::Start(api_.get(), "127.0.0.1", 0);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }
  CollectorSpec Spec(const std::string& type, const std::string& stream) {
    CollectorSpec s;
    s.id = "c-" + type;
    s.type = type;
    s.endpoint = server_->url() + "/t/acme";
    s.streams = {stream};
    s.secret = Secret(kSecret);
    s.client_id = "app-1";
    s.poll_interval = seconds(60);
    return s;
  }
  MonoTime Deadline() { return clock_.MonotonicNow() + seconds(300); }

  FakeClock clock_{*ParseRfc3339("2026-01-01T00:00:20Z")};
  std::unique_ptr<FakeApi> api_;
  std::unique_ptr<FakeServer> server_;
  std::unique_ptr<HttpClient> http_ = MakeCurlHttpClient();
};

TEST_F(CompareTest, SameEventsAndWindowsAsTheOktaSource) {
  Start(false);
  CollectorSpec okta = Spec("okta", "okta");
  okta.max_pages_per_cycle = 2;
  okta.collection_start = "2025-12-31T23:57:20Z";  // three windows behind
  okta.params = {{"limit", "100"}};
  CollectorSpec generic = okta;
  generic.type = "http_json";
  generic.params = {
      {"url", "{endpoint}/api/v1/logs?since={since}&until={until}&limit=100&sortOrder=ASCENDING"},
      {"auth", "header"},
      {"auth_header", "Authorization"},
      {"auth_value", "SSWS {secret}"},
      {"id_field", "uuid"},
      {"timestamp_field", "published"},
      {"type_field", "eventType, legacyEventType"},
      {"paging", "link"}};
  auto a = MakeOktaSource(okta, {&clock_, http_.get()});
  auto b = MakeHttpJsonSource(generic, {&clock_, http_.get()});
  ASSERT_TRUE(a.ok() && b.ok()) << a.status().ToString() << b.status().ToString();
  std::string sa = *(*a)->InitialState("okta");
  std::string sb = *(*b)->InitialState("okta");
  std::vector<std::string> ids;
  int cycles = 0, waits = 0;
  // Three windows of 600 events, 3 cycles each, then two more windows as
  // time passes: 5 windows, 15 cycles.
  for (int cycle = 0; cycle < 40 && waits < 3; ++cycle) {
    auto ra = (*a)->Poll(sa, Deadline());
    auto rb = (*b)->Poll(sb, Deadline());
    ASSERT_TRUE(ra.ok()) << ra.status().ToString();
    ASSERT_TRUE(rb.ok()) << rb.status().ToString();
    ++cycles;
    ExpectSameEvents(ra->events, rb->events, cycle);
    EXPECT_EQ(ra->next_delay, rb->next_delay) << cycle;
    json ja = json::parse(ra->next_state_json), jb = json::parse(rb->next_state_json);
    EXPECT_EQ(ja["since"], jb["since"]) << cycle;
    EXPECT_EQ(ja["until"], jb["until"]) << cycle;
    EXPECT_EQ(ja["poll_interval_sec"], jb["poll_interval_sec"]) << cycle;
    EXPECT_EQ(ja.value("nextPage", ""), jb.value("cursor", "")) << cycle;
    EXPECT_EQ(jb["stream"], "okta");
    for (const Event& e : rb->events) ids.push_back(e.id);
    sa = ra->next_state_json;
    sb = rb->next_state_json;
    if (ra->next_delay > Duration(0)) {
      ++waits;
      clock_.Advance(ra->next_delay);
    }
  }
  EXPECT_EQ(cycles, 15);
  // Every event of [start, the end of the last window) exactly once.
  const WallTime end = *ParseRfc3339(json::parse(sb)["since"].get<std::string>());
  EXPECT_EQ(ids, api_->EventIds("acme", "default", *ParseRfc3339("2025-12-31T23:57:20Z"), end));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 3000u);
}

TEST_F(CompareTest, SameEventsAsTheAuth0SourceWithOAuth2AndPageNumbers) {
  Start(true);
  CollectorSpec auth0 = Spec("auth0", "auth0");
  auth0.max_pages_per_cycle = 4;
  auth0.collection_start = "2025-12-31T23:59:20Z";  // one window, ending now
  CollectorSpec generic = auth0;
  generic.type = "http_json";
  generic.params = {{"url",
                     "{endpoint}/api/v2/logs?q=date%3A%5B{since}%20TO%20*%5D&sort=date%3A1"
                     "&per_page={page_size}"},
                    {"filter_window", "true"},  // the search has no upper bound
                    {"auth", "oauth2"},
                    {"token_url", auth0.endpoint + "/oauth/token"},
                    {"audience", auth0.endpoint + "/api/v2/"},
                    {"id_field", "log_id"},
                    {"timestamp_field", "date"},
                    {"type_field", "type"},
                    {"paging", "offset"},
                    {"offset_param", "page"},
                    {"offset_unit", "pages"},
                    {"page_size", "100"}};
  auto a = MakeAuth0Source(auth0, {&clock_, http_.get()});
  auto b = MakeHttpJsonSource(generic, {&clock_, http_.get()});
  ASSERT_TRUE(a.ok() && b.ok()) << a.status().ToString() << b.status().ToString();
  std::string sa = *(*a)->InitialState("auth0");
  std::string sb = *(*b)->InitialState("auth0");
  // Each source until it waits, over two windows (the token expires in
  // between: the fake's tokens live 60 s).
  auto collect = [&](Source* src, std::string* state) {
    std::vector<Event> events;
    for (int i = 0; i < 10; ++i) {
      auto r = src->Poll(*state, Deadline());
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (!r.ok()) break;
      events.insert(events.end(), r->events.begin(), r->events.end());
      *state = r->next_state_json;
      if (r->next_delay > Duration(0)) break;
    }
    return events;
  };
  for (int window = 0; window < 2; ++window) {
    std::vector<Event> ea = collect(a->get(), &sa);
    std::vector<Event> eb = collect(b->get(), &sb);
    EXPECT_EQ(ea.size(), 600u);
    ExpectSameEvents(ea, eb, window);
    clock_.Advance(seconds(60));
  }
  EXPECT_EQ(json::parse(sb)["since"], "2026-01-01T00:01:20.000Z");
}

}  // namespace
}  // namespace paws
