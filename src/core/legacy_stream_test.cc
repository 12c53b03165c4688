// Upstream state messages of every collector type (tests/fixtures/legacy/,
// DESIGN.md "Streams and legacy configuration"): parsed as legacy, their
// stream found through the collector-type registry, adopted under that
// stream by the cycle, continued in the new form, and a second upstream
// chain of the same stream (upstream's duplicate-state bug) dropped.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "backends/memory/memory_backend.h"
#include "core/cycle.h"
#include "paws/collector_types.h"

namespace paws {
namespace {

using nlohmann::json;
using std::chrono::seconds;

// One fixture: the upstream body of a type, and the stream it must get.
struct LegacyFixture {
  const char* file;
  const char* type;
  const char* stream;
  // True when the state names its stream in the type's legacy field (the
  // older upstream shape), false when in "stream" or, for single-stream
  // types, nowhere.
  bool legacy_field;
};

const LegacyFixture kFixtures[] = {
    {"salesforce_object.json", "salesforce", "LoginHistory", true},
    {"salesforce_stream.json", "salesforce", "ApiEvent", false},
    {"carbonblack_apiName.json", "carbonblack", "SearchAlerts", true},
    {"carbonblack_stream.json", "carbonblack", "AuditLogEvents", false},
    {"gsuite_application.json", "gsuite", "login", true},
    {"gsuite_stream.json", "gsuite", "admin", false},
    {"o365_stream.json", "o365", "Audit.Exchange", false},
    {"sophossiem_objectName.json", "sophossiem", "Events", true},
    {"sophossiem_stream.json", "sophossiem", "Alerts", false},
    {"ciscoamp_resource.json", "ciscoamp", "AuditLogs", true},
    {"ciscoamp_stream.json", "ciscoamp", "Events", false},
    {"googlestackdriver_resource.json", "googlestackdriver", "projects/acme-prod", true},
    {"googlestackdriver_stream.json", "googlestackdriver", "organizations/1234567890", false},
    {"okta.json", "okta", "okta", false},
    {"auth0_since.json", "auth0", "auth0", false},
    {"auth0_last_log_id.json", "auth0", "auth0", false},
};

std::string ReadFixture(const std::string& file) {
  std::ifstream in(std::string(PAWS_SOURCE_DIR) + "/tests/fixtures/legacy/" + file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A stand-in for a source of any type: it records the state it is given
// and, like the real sources, continues it in the normalised form — the
// stream in "stream" (never in a legacy field) and a counter "n" of
// cycles — returning one event per cycle.
class NormalisingSource : public Source {
 public:
  explicit NormalisingSource(const CollectorType* type) : type_(type) {}
  Result<std::string> InitialState(const std::string& stream) override {
    return json{{"stream", stream}, {"n", 0}}.dump();
  }
  Result<PollResult> Poll(const std::string& state_json, MonoTime) override {
    polled.push_back(state_json);
    json st = json::parse(state_json);
    const std::string stream = StreamOfState(*type_, state_json);
    if (!type_->legacy_state_field.empty() && type_->legacy_state_field != "stream") {
      st.erase(type_->legacy_state_field);
    }
    st["stream"] = stream;
    const int n = st.value("n", 0);
    st["n"] = n + 1;
    PollResult r;
    r.events.push_back(Event{stream + "-" + std::to_string(n), WallTime{}, "t", "{}"});
    r.next_state_json = st.dump();
    r.next_delay = seconds(30);
    return r;
  }
  std::vector<std::string> polled;

 private:
  const CollectorType* type_;
};

// Test names and failure messages show the fixture, not the bytes.
void PrintTo(const LegacyFixture& c, std::ostream* os) { *os << c.file; }

class RecordingSink : public Sink {
 public:
  Status Write(const SinkBatch& b) override {
    for (const auto& e : b.events) ids.push_back(e.id);
    return Status::Ok();
  }
  std::vector<std::string> ids;
};

class LegacyStreamTest : public ::testing::TestWithParam<LegacyFixture> {
 protected:
  void SetUp() override {
    const LegacyFixture& f = GetParam();
    type_ = FindCollectorType(f.type);
    ASSERT_NE(type_, nullptr) << f.type;
    body_ = ReadFixture(f.file);
    ASSERT_FALSE(body_.empty()) << "cannot read fixture " << f.file;
    auto b = MakeMemoryBackend(MemoryOptions{}, &clock_);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    backend_ = std::move(b).value();
    // A collector taken over from upstream, its type the fixture's, so that
    // the cycle resolves the stream the way that type's collectors do.
    CollectorSpec spec;
    spec.id = "c1";
    spec.type = f.type;
    spec.streams = {f.stream};
    spec.takeover = true;
    auto src = std::make_unique<NormalisingSource>(type_);
    source_ = src.get();
    std::map<std::string, CollectorSet::Entry> entries;
    entries.emplace("c1", CollectorSet::Entry{spec, std::move(src)});
    collectors_ = std::make_unique<CollectorSet>(std::move(entries));
    runner_ = std::make_unique<CycleRunner>(backend_.get(), collectors_.get(), &sink_, &clock_,
                                            RuntimeOptions{}, &counters_);
  }

  std::vector<QueueMessage> Receive() {
    auto r = backend_->queue()->Receive(10, seconds(900), Duration(0));
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::vector<QueueMessage>{};
  }
  std::vector<StateMessage> Queued() {
    std::vector<StateMessage> out;
    auto all = backend_->queue()->ListAll();
    EXPECT_TRUE(all.ok());
    for (const auto& m : *all) out.push_back(*ParseStateMessage(m.body));
    return out;
  }
  std::optional<StreamRow> Row(const std::string& stream) {
    auto r = backend_->store()->GetStream("c1", stream);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::nullopt;
  }

  const CollectorType* type_ = nullptr;
  std::string body_;
  FakeClock clock_;
  std::unique_ptr<Backend> backend_;
  NormalisingSource* source_ = nullptr;
  std::unique_ptr<CollectorSet> collectors_;
  RecordingSink sink_;
  CycleCounters counters_;
  std::unique_ptr<CycleRunner> runner_;
};

TEST_P(LegacyStreamTest, ParsesAsAnUpstreamMessageOfItsStream) {
  const LegacyFixture& f = GetParam();
  const json upstream = json::parse(body_);
  // The fixture is an upstream body: the state and the retry count only.
  ASSERT_EQ(upstream.size(), 2u) << body_;
  ASSERT_TRUE(upstream.contains("priv_collector_state") && upstream.contains("retry_count"));
  const json& state = upstream["priv_collector_state"];
  if (f.legacy_field) {
    EXPECT_TRUE(state.contains(type_->legacy_state_field)) << body_;
    EXPECT_FALSE(state.contains("stream")) << body_;
  }

  Result<StateMessage> m = ParseStateMessage(body_);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(m->legacy);
  EXPECT_TRUE(m->adopting());
  EXPECT_EQ(m->epoch, 0);
  EXPECT_EQ(m->seq, 1);
  EXPECT_EQ(m->collector_id, "");
  EXPECT_EQ(m->retry_count, upstream["retry_count"].get<int>());
  EXPECT_EQ(json::parse(m->state_json), state);
  EXPECT_EQ(StreamOfState(*type_, m->state_json), f.stream);
}

TEST_P(LegacyStreamTest, IsAdoptedContinuedInTheNewFormAndItsDuplicateIsStale) {
  const LegacyFixture& f = GetParam();
  ASSERT_TRUE(backend_->queue()->Send(body_, Duration(0)).ok());
  auto msgs = Receive();
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(runner_->Process(msgs[0]), CycleOutcome::kCommitted);

  // The source was given the upstream state as it was.
  ASSERT_EQ(source_->polled.size(), 1u);
  EXPECT_EQ(json::parse(source_->polled[0]), json::parse(body_)["priv_collector_state"]);
  // Adopted: the stream's row was created at (0, 1) under the right stream.
  std::optional<StreamRow> row = Row(f.stream);
  ASSERT_TRUE(row.has_value()) << "no row for stream " << f.stream;
  EXPECT_EQ(row->epoch, 0);
  EXPECT_EQ(row->seq, 1);
  EXPECT_EQ(row->last_status, kStreamStatusOk);
  // Its successor is in the new form.
  std::vector<StateMessage> queued = Queued();
  ASSERT_EQ(queued.size(), 1u);
  const StateMessage& next = queued[0];
  EXPECT_FALSE(next.legacy);
  EXPECT_EQ(next.collector_id, "c1");
  EXPECT_EQ(next.epoch, 0);
  EXPECT_EQ(next.seq, 2);
  const json next_state = json::parse(next.state_json);
  EXPECT_EQ(next_state["stream"], f.stream);
  if (!type_->legacy_state_field.empty() && type_->legacy_state_field != "stream") {
    EXPECT_FALSE(next_state.contains(type_->legacy_state_field)) << next.state_json;
  }
  EXPECT_EQ(json::parse(row->checkpoint), next_state);

  // Upstream's duplicate-state bug: the same stream's state arrives a
  // second time. The stream has a row now: the message is stale.
  ASSERT_TRUE(backend_->queue()->Send(body_, Duration(0)).ok());
  msgs = Receive();
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(runner_->Process(msgs[0]), CycleOutcome::kStale);
  EXPECT_EQ(source_->polled.size(), 1u);
  queued = Queued();
  ASSERT_EQ(queued.size(), 1u) << "one chain only";
  EXPECT_EQ(queued[0].seq, 2);

  // The one chain goes on from the successor.
  clock_.Advance(seconds(30));
  msgs = Receive();
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(runner_->Process(msgs[0]), CycleOutcome::kCommitted);
  EXPECT_EQ(Row(f.stream)->seq, 2);
  queued = Queued();
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].seq, 3);
  EXPECT_EQ(sink_.ids,
            (std::vector<std::string>{std::string(f.stream) + "-0", std::string(f.stream) + "-1"}));
}

INSTANTIATE_TEST_SUITE_P(Fixtures, LegacyStreamTest, ::testing::ValuesIn(kFixtures),
                         [](const ::testing::TestParamInfo<LegacyFixture>& info) {
                           std::string name = info.param.file;
                           name = name.substr(0, name.find('.'));
                           return name;
                         });

// Every upstream type of the DESIGN.md table has a fixture, and every type
// with a legacy state field other than "stream" one in that older shape.
TEST(LegacyFixtures, CoverEveryUpstreamType) {
  std::set<std::string> any, legacy_shaped;
  for (const LegacyFixture& f : kFixtures) {
    any.insert(f.type);
    if (f.legacy_field) legacy_shaped.insert(f.type);
  }
  int upstream_types = 0;
  for (const CollectorType& t : CollectorTypes()) {
    if (!t.upstream) continue;
    ++upstream_types;
    EXPECT_TRUE(any.count(t.name)) << "no fixture for " << t.name;
    if (!t.legacy_state_field.empty() && t.legacy_state_field != "stream") {
      EXPECT_TRUE(legacy_shaped.count(t.name)) << "no fixture in " << t.name << "'s older shape";
    }
  }
  EXPECT_EQ(upstream_types, 9);
}

}  // namespace
}  // namespace paws
