#include "core/migration.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "backends/memory/memory_backend.h"
#include "paws/state.h"

namespace paws {
namespace {

using nlohmann::json;
using std::chrono::seconds;

class MigrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    backend_ = std::move(MakeMemoryBackend(MemoryOptions{}, &clock_)).value();
    CollectorSpec native;
    native.id = "native";
    native.type = "fake";
    native.streams = {"s1"};
    CollectorSpec cb;
    cb.id = "cb";
    cb.type = "carbonblack";
    cb.streams = {"SearchAlerts", "AuditLogEvents", "SearchAlertsVmware"};
    cb.takeover = true;
    cb.upstream_form = true;
    CollectorSpec amp;
    amp.id = "amp";
    amp.type = "ciscoamp";
    amp.streams = {"Events"};
    amp.takeover = true;
    specs_ = {native, cb, amp};
  }
  std::string Send(const std::string& body) { return *backend_->queue()->Send(body, seconds(30)); }
  Result<MigrationPlan> Plan() {
    return PlanMigration(
        specs_, [](const std::string& t) { return t != "ciscoamp"; }, backend_.get(), nullptr);
  }
  const MigrationMessage* Message(const MigrationPlan& p, const std::string& id) {
    for (const auto& m : p.messages) {
      if (m.message_id == id) return &m;
    }
    return nullptr;
  }

  FakeClock clock_;
  std::unique_ptr<Backend> backend_;
  std::vector<CollectorSpec> specs_;
};

TEST_F(MigrationTest, ReportsEveryUpstreamMessageStreamAndRecordAndUpgradesOnlyOnce) {
  StreamRow row;
  row.collector_id = "native";
  row.stream = "s1";
  row.epoch = 1;
  row.seq = 4;
  row.checkpoint = "{}";
  ASSERT_TRUE(backend_->store()->CreateStream(row).ok());
  row.collector_id = "cb";
  row.stream = "SearchAlertsVmware";
  ASSERT_TRUE(backend_->store()->CreateStream(row).ok());
  std::string adopt = Send(R"({"priv_collector_state":{"apiName":"SearchAlerts","since":"a"},)"
                           R"("retry_count":2})");
  std::string dup = Send(R"({"priv_collector_state":{"apiName":"SearchAlerts","since":"b"}})");
  std::string stale = Send(R"({"priv_collector_state":{"apiName":"SearchAlertsVmware"}})");
  std::string amp = Send(R"({"priv_collector_state":{"resource":"Events"}})");
  std::string unowned = Send(R"({"priv_collector_state":{"apiName":"Nope"}})");
  Send(R"({"collector_id":"native","epoch":1,"seq":5,"priv_collector_state":{"stream":"s1"}})");
  for (int i = 0; i < 3; ++i) {
    StateRecord rec{"cb", "upstream-" + std::to_string(i), "", clock_.Now() + kStateRecordTtl,
                    clock_.Now(), RecordStatus::kComplete, "", ""};
    ASSERT_TRUE(backend_->store()->AcquireRecord(rec, seconds(900)).ok());
  }

  auto plan = Plan();
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->messages_scanned, 6);
  ASSERT_EQ(plan->messages.size(), 5u);
  EXPECT_EQ(Message(*plan, adopt)->action, "adopt");
  EXPECT_EQ(Message(*plan, adopt)->stream, "SearchAlerts");
  EXPECT_EQ(Message(*plan, dup)->action, "duplicate");
  EXPECT_EQ(Message(*plan, stale)->action, "stale");
  EXPECT_EQ(Message(*plan, amp)->collector_id, "amp");
  EXPECT_EQ(Message(*plan, amp)->stream, "Events");
  EXPECT_EQ(Message(*plan, unowned)->action, "unowned");
  EXPECT_TRUE(Message(*plan, unowned)->new_body.empty());
  // The upgraded body: the new form, an adoption message, only "stream".
  auto up = ParseStateMessage(Message(*plan, adopt)->new_body);
  ASSERT_TRUE(up.ok());
  EXPECT_FALSE(up->legacy);
  EXPECT_TRUE(up->adopting());
  EXPECT_EQ(up->collector_id, "cb");
  EXPECT_EQ(up->retry_count, 2);
  EXPECT_EQ(json::parse(up->state_json),
            json::parse(R"({"stream":"SearchAlerts","since":"a"})"));

  ASSERT_EQ(plan->collectors.size(), 3u);
  const MigrationCollector& cb = plan->collectors[1];
  EXPECT_EQ(cb.legacy_records, 3);
  ASSERT_EQ(cb.stream_states.size(), 3u);
  EXPECT_EQ(cb.stream_states[0].state, "adoption");
  EXPECT_EQ(cb.stream_states[0].message_id, adopt);
  EXPECT_EQ(cb.stream_states[1].state, "none");  // AuditLogEvents: seeded after grace
  EXPECT_NE(cb.stream_states[1].action.find("after grace"), std::string::npos);
  EXPECT_EQ(cb.stream_states[2].state, "row");
  EXPECT_FALSE(plan->collectors[2].has_source);
  EXPECT_EQ(plan->collectors[0].stream_states[0].state, "row");

  auto applied = ApplyMigration(*plan, backend_->queue(), nullptr);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(applied->upgraded, 4);
  // Twice: nothing left to upgrade, and the streams read the same.
  auto again = Plan();
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->messages.size(), 1u);
  EXPECT_EQ(again->messages[0].action, "unowned");
  EXPECT_EQ(again->collectors[1].stream_states[0].state, "adoption");
  EXPECT_EQ(again->collectors[1].stream_states[0].message_id, adopt);
  auto nothing = ApplyMigration(*again, backend_->queue(), nullptr);
  ASSERT_TRUE(nothing.ok());
  EXPECT_EQ(nothing->upgraded, 0);
}

TEST_F(MigrationTest, AMessageInFlightIsLeftToTheRuntime) {
  std::string id = Send(R"({"priv_collector_state":{"apiName":"SearchAlerts"}})");
  auto plan = Plan();
  ASSERT_TRUE(plan.ok());
  clock_.Advance(seconds(31));
  auto got = backend_->queue()->Receive(1, seconds(60), Duration(0));
  ASSERT_TRUE(got.ok() && got->size() == 1u);
  auto applied = ApplyMigration(*plan, backend_->queue(), nullptr);
  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(applied->upgraded, 0);
  EXPECT_EQ(applied->in_flight, 1);
  ASSERT_TRUE(backend_->queue()->Delete((*got)[0].receipt).ok());
  applied = ApplyMigration(*plan, backend_->queue(), nullptr);
  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(applied->gone, 1);
}

TEST_F(MigrationTest, ProgressIsReportedAsTheQueueIsScannedAndUpgraded) {
  for (int i = 0; i < 2500; ++i) {
    Send(R"({"priv_collector_state":{"apiName":"SearchAlerts","since":")" + std::to_string(i) +
         R"("}})");
  }
  std::vector<std::pair<int64_t, int64_t>> scanned, upgraded;
  auto progress = [&](const std::string& what, int64_t done, int64_t total) {
    if (what == "messages") scanned.emplace_back(done, total);
    if (what == "upgrading messages") upgraded.emplace_back(done, total);
  };
  auto plan = PlanMigration(
      specs_, [](const std::string&) { return true; }, backend_.get(), progress);
  ASSERT_TRUE(plan.ok());
  ASSERT_GE(scanned.size(), 3u);
  EXPECT_EQ(scanned.front(), std::make_pair(int64_t{0}, int64_t{2500}));
  EXPECT_EQ(scanned.back(), std::make_pair(int64_t{2500}, int64_t{2500}));
  auto applied = ApplyMigration(*plan, backend_->queue(), progress);
  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(applied->upgraded, 2500);
  ASSERT_FALSE(upgraded.empty());
  EXPECT_EQ(upgraded.back(), std::make_pair(int64_t{2500}, int64_t{2500}));
}

}  // namespace
}  // namespace paws
