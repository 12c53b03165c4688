// An upstream state message of every type that has a source (the
// fixtures of tests/fixtures/legacy/), collected in-process by the cycle
// with the real SQLite backend, the real source and the curl client
// against the fake SaaS API over loopback: the events of the legacy window
// all reach the sink, the successor is in the new form, and the next window
// starts exactly where the legacy one ended (no gap, no event twice).

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "backends/sqlite/sqlite_backend.h"
#include "core/cycle.h"
#include "paws/collector_types.h"
#include "paws/http.h"
#include "paws/registry.h"
#include "sources/salesforce/salesforce_test_key.h"
#include "tools/fake_saas/fake_events.h"
#include "tools/fake_saas/fake_server.h"
#include "tools/fake_saas/services/auth0.h"
#include "tools/fake_saas/services/carbonblack.h"
#include "tools/fake_saas/services/gsuite.h"
#include "tools/fake_saas/services/o365.h"
#include "tools/fake_saas/services/salesforce.h"

namespace paws {
namespace {

using json = nlohmann::json;
using std::chrono::seconds;

constexpr const char* kTenant = "acme";
constexpr const char* kSecret = "legacy-SECRET-4711";
constexpr const char* kOrgKey = "ORG1";
constexpr const char* kTenantId = "8a1c3f52-1b2d-4e5f-9a0b-123456789abc";
constexpr const char* kGsuiteEmail = "paws@acme-project.iam.gserviceaccount.com";
// One event a second on every stream: period 1000 ms. (The auth0 fixture's
// last_log_id is the fake's id of the event at its last_collected_ts at
// this rate.)
constexpr int kRatePerMinute = 60;
// O365 content blobs cover 10 s: the records of the blobs created in
// [from, to) are the events of [from - 10 s, to - 10 s).
constexpr Duration kO365Blob = seconds(10);

const SalesforceTestKey& Key() {
  static const SalesforceTestKey key = SalesforceTestKey::Generate();
  return key;
}

std::string ReadFixture(const std::string& file) {
  std::ifstream in(std::string(PAWS_SOURCE_DIR) + "/tests/fixtures/legacy/" + file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A time of a state; a failure (and the epoch) when it is not one.
WallTime T(const std::string& text) {
  Result<WallTime> t = ParseRfc3339(text);
  EXPECT_TRUE(t.ok()) << "not a time: \"" << text << "\"";
  return t.ok() ? *t : WallTime{};
}

struct LegacyCase {
  const char* fixture;
  const char* type;
  const char* stream;
};

const LegacyCase kCases[] = {
    {"okta.json", "okta", "okta"},
    {"auth0_since.json", "auth0", "auth0"},
    {"auth0_last_log_id.json", "auth0", "auth0"},
    {"salesforce_object.json", "salesforce", "LoginHistory"},
    {"salesforce_stream.json", "salesforce", "ApiEvent"},
    {"o365_stream.json", "o365", "Audit.Exchange"},
    {"carbonblack_apiName.json", "carbonblack", "SearchAlerts"},
    {"carbonblack_stream.json", "carbonblack", "AuditLogEvents"},
    {"gsuite_application.json", "gsuite", "login"},
    {"gsuite_stream.json", "gsuite", "admin"},
};

// Test names and failure messages show the fixture, not the bytes.
void PrintTo(const LegacyCase& c, std::ostream* os) { *os << c.fixture; }

class RecordingSink : public Sink {
 public:
  Status Write(const SinkBatch& b) override {
    for (const auto& e : b.events) ids.push_back(e.id);
    return Status::Ok();
  }
  std::vector<std::string> ids;
};

class LegacyCollectTest : public ::testing::TestWithParam<LegacyCase> {
 protected:
  void SetUp() override {
    const LegacyCase& c = GetParam();
    char dir[] = "/tmp/paws-legacy-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    body_ = ReadFixture(c.fixture);
    ASSERT_FALSE(body_.empty()) << "cannot read fixture " << c.fixture;

    api_ = std::make_unique<FakeApi>(&clock_);
    ASSERT_NO_FATAL_FAILURE(ServeType(c.type));
    auto server = FakeServer::Start(api_.get(), "127.0.0.1", 0);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    http_ = MakeCurlHttpClient();

    // A collector taken over from upstream: no registration; its stream is
    // adopted from the upstream message.
    CollectorSpec spec;
    spec.id = "c-legacy";
    spec.type = c.type;
    spec.streams = {c.stream};
    spec.takeover = true;
    spec.endpoint = server_->url() + "/t/" + kTenant;
    spec.secret = Secret(kSecret);
    spec.poll_interval = seconds(60);
    ConfigureSpec(c.type, &spec);
    SourceRegistry registry;
    RegisterBuiltinSources(&registry);
    auto source = registry.Make(spec, {&clock_, http_.get()});
    ASSERT_TRUE(source.ok()) << source.status().ToString();
    std::map<std::string, CollectorSet::Entry> entries;
    entries.emplace(spec.id, CollectorSet::Entry{spec, std::move(source).value()});
    collectors_ = std::make_unique<CollectorSet>(std::move(entries));

    auto backend = MakeSqliteBackend({.path = dir_ + "/paws.db"}, &clock_);
    ASSERT_TRUE(backend.ok()) << backend.status().ToString();
    backend_ = std::move(backend).value();
    runner_ = std::make_unique<CycleRunner>(backend_.get(), collectors_.get(), &sink_, &clock_,
                                            RuntimeOptions{}, &counters_);
  }

  void TearDown() override {
    runner_.reset();
    backend_.reset();
    collectors_.reset();
    http_.reset();  // closes its connections: the server then stops at once
    server_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  void ServeType(const std::string& type) {
    std::optional<std::string> token;
    if (type == "okta") token = kSecret;  // the SSWS token okta sends
    if (type == "auth0") api_->AddService(MakeFakeAuth0Service());
    if (type == "carbonblack") api_->AddService(MakeFakeCarbonBlackService());
    if (type == "salesforce") {
      ASSERT_FALSE(Key().public_pem.empty());
      FakeSalesforceOptions o;
      o.public_key_pem = Key().public_pem;
      api_->AddService(MakeFakeSalesforceService(o));
    }
    if (type == "gsuite") {
      ASSERT_FALSE(Key().public_pem.empty());
      FakeGsuiteOptions o;
      o.public_key_pem = Key().public_pem;
      api_->AddService(MakeFakeGsuiteService(o));
      token = kGsuiteEmail;  // the service account the fake accepts
    }
    if (type == "o365") {
      api_->AddService(MakeFakeO365Service({.blob_duration = kO365Blob, .page_size = 2}));
    }
    ASSERT_TRUE(api_->ConfigureTenant(kTenant, kRatePerMinute, token).ok());
  }

  // Small pages, so that each window takes several requests.
  void ConfigureSpec(const std::string& type, CollectorSpec* spec) const {
    const std::string tenant_url = server_->url() + "/t/" + kTenant;
    if (type == "okta") spec->endpoint += "/";
    if (type == "auth0") {
      spec->client_id = "app-1";
      spec->params = {{"take", "25"}};
    }
    if (type == "carbonblack") {
      spec->client_id = "APIID0815";
      spec->params = {{"org_key", kOrgKey}, {"rows", "25"}};
    }
    if (type == "salesforce") {
      spec->client_id = "consumer-key";
      spec->secret = Secret(Key().private_pem);
      spec->params = {{"username", "collector@acme.example"}, {"batch_size", "200"}};
    }
    if (type == "gsuite") {
      spec->client_id = "admin@acme.example";
      spec->secret = Secret(json{{"type", "service_account"},
                                 {"private_key_id", "0123456789abcdef"},
                                 {"private_key", Key().private_pem},
                                 {"client_email", kGsuiteEmail},
                                 {"token_uri", "https://oauth2.googleapis.com/token"}}
                                .dump());
      spec->params = {
          {"token_url", tenant_url + "/oauth2/v4/token"}, {"max_results", "25"}, {"lag_sec", "0"}};
    }
    if (type == "o365") {
      spec->client_id = "app-1";
      spec->params = {{"tenant_id", kTenantId}, {"login_url", tenant_url}};
    }
  }

  // The ids of the events a complete collection of the stream's [since,
  // until) delivers.
  std::vector<std::string> Expected(WallTime since, WallTime until) {
    const LegacyCase& c = GetParam();
    const std::string type = c.type;
    if (type == "okta") return api_->EventIds(kTenant, "default", since, until);
    if (type == "o365")
      return api_->EventIds(kTenant, c.stream, since - kO365Blob, until - kO365Blob);
    const int64_t period = api_->Period(kTenant).count();
    const int64_t end = FakeFirstIndexAtOrAfter(ToUnixMillis(until), period);
    std::vector<std::string> ids;
    for (int64_t k = FakeFirstIndexAtOrAfter(ToUnixMillis(since), period); k < end; ++k) {
      if (type == "auth0") ids.push_back(FakeAuth0LogId(k));
      if (type == "carbonblack") {
        ids.push_back(FakeCarbonBlackEventId(kTenant, kOrgKey, c.stream, k, period));
      }
      if (type == "salesforce") ids.push_back(FakeSalesforceId(c.stream, k));
      if (type == "gsuite") ids.push_back(FakeGsuiteEventId(kTenant, c.stream, k, period));
    }
    return ids;
  }

  // Receives what is due and processes it; the outcomes.
  std::vector<CycleOutcome> RunDue() {
    auto msgs = backend_->queue()->Receive(10, seconds(900), Duration(0));
    EXPECT_TRUE(msgs.ok()) << msgs.status().ToString();
    std::vector<CycleOutcome> out;
    if (!msgs.ok()) return out;
    for (const QueueMessage& m : *msgs) out.push_back(runner_->Process(m));
    return out;
  }

  std::vector<StateMessage> Queued() {
    std::vector<StateMessage> out;
    auto all = backend_->queue()->ListAll();
    EXPECT_TRUE(all.ok());
    if (!all.ok()) return out;
    for (const auto& m : *all) {
      auto sm = ParseStateMessage(m.body);
      EXPECT_TRUE(sm.ok()) << m.body;
      if (sm.ok()) out.push_back(*sm);
    }
    return out;
  }

  static std::vector<std::string> Sorted(std::vector<std::string> ids) {
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  std::string dir_;
  std::string body_;
  FakeClock clock_;  // 2026-01-01T00:00:00Z; the fixtures' windows end before
  std::unique_ptr<FakeApi> api_;
  std::unique_ptr<FakeServer> server_;
  std::unique_ptr<HttpClient> http_;
  std::unique_ptr<CollectorSet> collectors_;
  std::unique_ptr<Backend> backend_;
  RecordingSink sink_;
  CycleCounters counters_;
  std::unique_ptr<CycleRunner> runner_;
};

TEST_P(LegacyCollectTest, CollectedContinuedInTheNewFormWithNoGap) {
  const LegacyCase& c = GetParam();
  const CollectorType* type = FindCollectorType(c.type);
  ASSERT_NE(type, nullptr);
  const json legacy = json::parse(body_)["priv_collector_state"];
  ASSERT_TRUE(backend_->queue()->Send(body_, Duration(0)).ok());

  // The legacy message: adopted under its stream and collected.
  ASSERT_EQ(RunDue(), std::vector<CycleOutcome>{CycleOutcome::kCommitted});
  auto row = backend_->store()->GetStream("c-legacy", c.stream);
  ASSERT_TRUE(row.ok() && row->has_value()) << "no row for stream " << c.stream;
  EXPECT_EQ((*row)->epoch, 0);
  EXPECT_EQ((*row)->seq, 1);
  std::vector<StateMessage> queued = Queued();
  ASSERT_EQ(queued.size(), 1u);
  const StateMessage successor = queued[0];
  EXPECT_FALSE(successor.legacy);
  EXPECT_EQ(successor.collector_id, "c-legacy");
  EXPECT_EQ(successor.epoch, 0);
  EXPECT_EQ(successor.seq, 2);
  const json next = json::parse(successor.state_json);
  EXPECT_EQ(StreamOfState(*type, successor.state_json), c.stream);
  if (type->has_streams) {
    // The new form names the stream in "stream", never in a legacy field.
    EXPECT_EQ(next["stream"], c.stream) << successor.state_json;
    EXPECT_FALSE(type->legacy_state_field != "stream" && next.contains(type->legacy_state_field))
        << successor.state_json;
  } else if (next.contains("stream")) {
    EXPECT_EQ(next["stream"], c.stream) << successor.state_json;
  }
  const std::vector<std::string> first = sink_.ids;

  // The legacy window, all of it; the next one starts where it ended.
  const std::string type_name = c.type;
  if (type_name == "auth0") {
    // Auth0's cursor is the last log id: from the legacy state's (its
    // since, or the event after its last_log_id) to the newest event.
    WallTime from = clock_.Now();
    if (legacy.contains("since")) from = T(legacy["since"].get<std::string>());
    if (legacy.contains("last_log_id")) {
      std::optional<int64_t> k = ParseFakeAuth0LogId(legacy["last_log_id"].get<std::string>());
      ASSERT_TRUE(k.has_value()) << legacy;
      from = FromUnixMillis((*k + 1) * api_->Period(kTenant).count());
    }
    EXPECT_EQ(first, Expected(from, clock_.Now()));
    ASSERT_FALSE(first.empty());
    EXPECT_EQ(next["last_log_id"], first.back()) << successor.state_json;
  } else {
    const WallTime since = T(legacy["since"].get<std::string>());
    const WallTime until = T(legacy["until"].get<std::string>());
    EXPECT_EQ(Sorted(first), Sorted(Expected(since, until)));
    EXPECT_GE(first.size(), 50u);  // a minute of events
    EXPECT_EQ(T(next.value("since", "")), until) << successor.state_json;
  }

  // The successor: collected, and the two windows hold every event of
  // their span once.
  clock_.Advance(seconds(60));
  ASSERT_EQ(RunDue(), std::vector<CycleOutcome>{CycleOutcome::kCommitted});
  EXPECT_EQ((*backend_->store()->GetStream("c-legacy", c.stream))->seq, 2);
  queued = Queued();
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].seq, 3);
  EXPECT_GT(sink_.ids.size(), first.size());
  if (type_name != "auth0") {
    EXPECT_EQ(Sorted(sink_.ids),
              Sorted(Expected(T(legacy["since"].get<std::string>()), T(next.value("until", "")))));
  } else {
    std::vector<std::string> unique = Sorted(sink_.ids);
    EXPECT_EQ(std::adjacent_find(unique.begin(), unique.end()), unique.end()) << "an event twice";
    EXPECT_EQ(Sorted(std::vector<std::string>(sink_.ids.begin() + first.size(), sink_.ids.end())),
              Sorted(Expected(FromUnixMillis((*ParseFakeAuth0LogId(first.back()) + 1) *
                                             api_->Period(kTenant).count()),
                              clock_.Now())));
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, LegacyCollectTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<LegacyCase>& info) {
                           std::string name = info.param.fixture;
                           return name.substr(0, name.find('.'));
                         });

// Every type that has a source is collected from a legacy message above.
TEST(LegacyCollect, CoversEveryTypeWithASource) {
  SourceRegistry registry;
  RegisterBuiltinSources(&registry);
  std::set<std::string> covered;
  for (const LegacyCase& c : kCases) covered.insert(c.type);
  for (const CollectorType& t : CollectorTypes()) {
    if (t.upstream && registry.Has(t.name)) {
      EXPECT_TRUE(covered.count(t.name)) << t.name << " has a source but no legacy case";
    }
  }
  EXPECT_EQ(covered.size(), 6u);
}

}  // namespace
}  // namespace paws
