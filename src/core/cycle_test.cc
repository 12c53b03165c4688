#include "core/cycle.h"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "backends/memory/memory_backend.h"
#include "core/registration.h"
#include "paws/codes.h"

namespace paws {
namespace {

using nlohmann::json;
using std::chrono::seconds;

// A source whose state is {"stream": s, "n": k}: cycle k returns events
// "<stream>-<k>-0" and "<stream>-<k>-1" and the state k+1.
class ScriptedSource : public Source {
 public:
  Result<std::string> InitialState(const std::string& stream) override {
    return json{{"stream", stream}, {"n", 0}}.dump();
  }
  Result<PollResult> Poll(const std::string& state_json, MonoTime) override {
    ++polls;
    if (on_poll) on_poll();
    if (!fail.ok()) return fail;
    json st = json::parse(state_json);
    int n = st["n"];
    std::string stream = st["stream"];
    PollResult r;
    for (int i = 0; i < 2; ++i) {
      r.events.push_back(Event{stream + "-" + std::to_string(n) + "-" + std::to_string(i),
                               WallTime{}, "t", "{}"});
    }
    st["n"] = n + 1;
    r.next_state_json = st.dump();
    r.next_delay = seconds(30);
    r.warnings = warnings;
    return r;
  }
  Status fail;
  std::vector<Status> warnings;
  int polls = 0;
  std::function<void()> on_poll;
};

class RecordingSink : public Sink {
 public:
  Status Write(const SinkBatch& b) override {
    if (before_write) before_write(b.stream);
    if (!fail.ok()) return fail;
    for (const auto& e : b.events) ids.push_back(e.id);
    return Status::Ok();
  }
  Status fail;
  std::function<void(const std::string&)> before_write;
  std::vector<std::string> ids;
};

class CycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto b = MakeMemoryBackend(MemoryOptions{}, &clock_);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    backend_ = std::move(b).value();
    CollectorSpec spec;
    spec.id = "c1";
    spec.type = "scripted";
    spec.streams = {"a", "b"};
    auto src = std::make_unique<ScriptedSource>();
    source_ = src.get();
    std::map<std::string, CollectorSet::Entry> entries;
    entries.emplace("c1", CollectorSet::Entry{spec, std::move(src)});
    collectors_ = std::make_unique<CollectorSet>(std::move(entries));
    options_.min_backoff = seconds(5);
    options_.max_backoff = seconds(300);
    runner_ = std::make_unique<CycleRunner>(backend_.get(), collectors_.get(), &sink_, &clock_,
                                            options_, &counters_);
  }

  std::vector<QueueMessage> ReceiveAll() {
    auto r = backend_->queue()->Receive(10, seconds(900), Duration(0));
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::vector<QueueMessage>{};
  }
  StreamRow Row(const std::string& stream) {
    auto r = backend_->store()->GetStream("c1", stream);
    EXPECT_TRUE(r.ok() && r->has_value());
    return r.ok() && r->has_value() ? **r : StreamRow{};
  }
  std::vector<StateMessage> Queued() {
    std::vector<StateMessage> out;
    auto all = backend_->queue()->ListAll();
    EXPECT_TRUE(all.ok());
    for (const auto& m : *all) out.push_back(*ParseStateMessage(m.body));
    return out;
  }
  std::string Send(const std::string& body) { return *backend_->queue()->Send(body, Duration(0)); }

  FakeClock clock_;
  std::unique_ptr<Backend> backend_;
  ScriptedSource* source_ = nullptr;
  std::unique_ptr<CollectorSet> collectors_;
  RecordingSink sink_;
  RuntimeOptions options_;
  CycleCounters counters_;
  std::unique_ptr<CycleRunner> runner_;
};

TEST_F(CycleTest, RegistrationSeedsEachStreamOnce) {
  auto first = RegisterCollectors(backend_.get(), *collectors_, &clock_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->seeded, 2);
  auto second = RegisterCollectors(backend_.get(), *collectors_, &clock_);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->seeded, 0);
  EXPECT_EQ(second->existing, 2);
  auto q = Queued();
  ASSERT_EQ(q.size(), 2u);
  for (const auto& m : q) {
    EXPECT_EQ(m.epoch, 1);
    EXPECT_EQ(m.seq, 1);
  }
  EXPECT_EQ(Row("a").seq, 0);
  EXPECT_EQ(Row("a").epoch, 1);
}

TEST_F(CycleTest, CommittedCyclesAdvanceSeqByOneAndDeliverEveryEvent) {
  ASSERT_TRUE(RegisterCollectors(backend_.get(), *collectors_, &clock_).ok());
  for (int round = 0; round < 3; ++round) {
    auto msgs = ReceiveAll();
    ASSERT_EQ(msgs.size(), 2u) << "round " << round;
    for (const auto& m : msgs) EXPECT_EQ(runner_->Process(m), CycleOutcome::kCommitted);
    EXPECT_TRUE(ReceiveAll().empty()) << "successor must wait its delay";
    clock_.Advance(seconds(30));
  }
  EXPECT_EQ(Row("a").seq, 3);
  EXPECT_EQ(Row("a").last_status, kStreamStatusOk);
  EXPECT_EQ(sink_.ids.size(), 12u);
  for (const char* id : {"a-0-0", "a-2-1", "b-1-0"}) {
    EXPECT_NE(std::find(sink_.ids.begin(), sink_.ids.end(), id), sink_.ids.end()) << id;
  }
  auto q = Queued();
  ASSERT_EQ(q.size(), 2u) << "one live message per stream";
  EXPECT_EQ(q[0].seq, 4);
  auto records = backend_->store()->ListRecords("c1");
  ASSERT_TRUE(records.ok());
  EXPECT_EQ(records->size(), 6u);
  for (const auto& r : *records) EXPECT_EQ(r.status, RecordStatus::kComplete);
}

TEST_F(CycleTest, APollsWarningsAreCountedAndDoNotFailTheCycle) {
  ASSERT_TRUE(RegisterCollectors(backend_.get(), *collectors_, &clock_).ok());
  source_->warnings = {Status::InvalidArgument("window clamped", codes::kSourceGap)};
  auto msgs = ReceiveAll();
  ASSERT_EQ(msgs.size(), 2u);
  for (const auto& m : msgs) EXPECT_EQ(runner_->Process(m), CycleOutcome::kCommitted);
  EXPECT_EQ(counters_.source_warnings.load(), 2);
  EXPECT_EQ(Row("a").last_status, kStreamStatusOk);
  EXPECT_EQ(sink_.ids.size(), 4u);
}

TEST_F(CycleTest, StaleMessageIsDeletedWithoutPolling) {
  ASSERT_TRUE(RegisterCollectors(backend_.get(), *collectors_, &clock_).ok());
  for (const auto& m : ReceiveAll()) runner_->Process(m);  // rows at (1,1)
  clock_.Advance(seconds(30));
  ReceiveAll();  // hide the live successors
  Send(SerializeStateMessage({"c1", 1, 1, 0, R"({"stream":"a","n":0})", false}));
  Send(SerializeStateMessage({"c1", 0, 5, 0, R"({"stream":"a","n":0})", false}));
  int polls = source_->polls;
  for (const auto& m : ReceiveAll()) EXPECT_EQ(runner_->Process(m), CycleOutcome::kStale);
  EXPECT_EQ(source_->polls, polls);
  EXPECT_EQ(counters_.stale, 2);
}

TEST_F(CycleTest, SuccessorRecoveryAfterACrashBetweenClaimAndEnqueue) {
  ASSERT_TRUE(RegisterCollectors(backend_.get(), *collectors_, &clock_).ok());
  // Simulate the crash: claim (1,1) of stream a by hand, no successor.
  auto msgs = ReceiveAll();
  const QueueMessage* a = nullptr;
  for (const auto& m : msgs) {
    if (StateStringField(ParseStateMessage(m.body)->state_json, "stream") == "a") a = &m;
  }
  ASSERT_NE(a, nullptr);
  WallTime now = clock_.Now();
  StateRecord rec{"c1", a->id, "", now + kStateRecordTtl, now, RecordStatus::kIncomplete, "a", ""};
  ASSERT_TRUE(backend_->store()->AcquireRecord(rec, seconds(900)).ok());
  ClaimUpdate claim{"c1", "a", 1, 1, R"({"stream":"a","n":1})", now, now + seconds(30)};
  ASSERT_TRUE(backend_->store()->ClaimStream(claim).ok());
  // Redelivery of the same message after its visibility timeout.
  ASSERT_TRUE(backend_->queue()->ChangeVisibility(a->receipt, Duration(0)).ok());
  auto again = ReceiveAll();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(runner_->Process(again[0]), CycleOutcome::kStale);
  EXPECT_EQ(counters_.recovered, 1);
  auto q = Queued();
  bool found = false;
  for (const auto& m : q) {
    if (StateStringField(m.state_json, "stream") == "a") {
      EXPECT_EQ(m.epoch, 1);
      EXPECT_EQ(m.seq, 2);
      EXPECT_EQ(json::parse(m.state_json)["n"], 1) << "successor carries the checkpoint";
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

// The aws backend claims, enqueues and completes in separate writes. A
// worker killed after enqueuing the successor but before completing leaves
// its message to come back (after the lease, before the successor is due):
// successor recovery then sends a second copy of the successor. The fence
// must admit exactly one of the two copies: the other never got a record
// (it never reached the dedup step), so it cannot be the cycle that
// claimed, and recovering "for" it would fork the chain for good.
TEST_F(CycleTest, ASecondCopyOfASuccessorIsStaleAndRecoversNothing) {
  ASSERT_TRUE(RegisterCollectors(backend_.get(), *collectors_, &clock_).ok());
  const QueueMessage* a = nullptr;
  auto msgs = ReceiveAll();
  for (const auto& m : msgs) {
    if (StateStringField(ParseStateMessage(m.body)->state_json, "stream") == "a") a = &m;
  }
  ASSERT_NE(a, nullptr);
  // The killed cycle: record, claim (1,1), successor (1,2) sent; not completed.
  WallTime now = clock_.Now();
  StateRecord rec{"c1", a->id, "", now + kStateRecordTtl, now, RecordStatus::kIncomplete, "a", ""};
  ASSERT_TRUE(backend_->store()->AcquireRecord(rec, seconds(900)).ok());
  ClaimUpdate claim{"c1", "a", 1, 1, R"({"stream":"a","n":1})", now, now + seconds(30)};
  ASSERT_TRUE(backend_->store()->ClaimStream(claim).ok());
  ASSERT_TRUE(backend_->queue()
                  ->Send(SerializeStateMessage({"c1", 1, 2, 0, R"({"stream":"a","n":1})", false}),
                         seconds(30))
                  .ok());
  // Its message comes back first and is recovered: a second (1,2).
  ASSERT_TRUE(backend_->queue()->ChangeVisibility(a->receipt, Duration(0)).ok());
  auto again = ReceiveAll();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(runner_->Process(again[0]), CycleOutcome::kStale);
  ASSERT_EQ(counters_.recovered, 1);
  // Both copies come due; one is committed, the other is stale.
  clock_.Advance(seconds(31));
  std::vector<CycleOutcome> outcomes;
  for (const auto& m : ReceiveAll()) {
    if (StateStringField(ParseStateMessage(m.body)->state_json, "stream") != "a") continue;
    outcomes.push_back(runner_->Process(m));
  }
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0], CycleOutcome::kCommitted);
  EXPECT_EQ(outcomes[1], CycleOutcome::kStale);
  EXPECT_EQ(counters_.recovered, 1) << "nothing to recover for a copy that never claimed";
  int live = 0;
  for (const auto& m : Queued()) {
    if (StateStringField(m.state_json, "stream") != "a") continue;
    ++live;
    EXPECT_EQ(m.seq, 3);
  }
  EXPECT_EQ(live, 1) << "one chain: only the successor of (1,2)";
}

TEST_F(CycleTest, DuplicateDeliveryOfACompletedMessageIsDropped) {
  ASSERT_TRUE(RegisterCollectors(backend_.get(), *collectors_, &clock_).ok());
  auto msgs = ReceiveAll();
  WallTime now = clock_.Now();
  ASSERT_TRUE(backend_->store()
                  ->SetRecordStatus("c1", msgs[0].id, "a", RecordStatus::kComplete, now, "")
                  .ok());
  EXPECT_EQ(runner_->Process(msgs[0]), CycleOutcome::kDuplicate);
  EXPECT_EQ(source_->polls, 0);
}

TEST_F(CycleTest, PollFailureRecordsErrorAndRetriesTheSameStateWithBackoff) {
  ASSERT_TRUE(RegisterCollectors(backend_.get(), *collectors_, &clock_).ok());
  WallTime due = Row("a").due_at;
  source_->fail = Status::Unavailable("HTTP 500 from the API", codes::kApiUnavailable);
  clock_.Advance(seconds(1));
  for (const auto& m : ReceiveAll()) EXPECT_EQ(runner_->Process(m), CycleOutcome::kFailed);
  StreamRow a = Row("a");
  EXPECT_EQ(a.due_at, due) << "a failure must not reschedule the stream";
  EXPECT_EQ(a.seq, 0);
  EXPECT_EQ(a.retry_count, 1);
  EXPECT_EQ(a.last_status, kStreamStatusFailing);
  EXPECT_NE(a.last_error.find("HTTP 500"), std::string::npos);
  auto q = Queued();
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0].seq, 1);
  EXPECT_EQ(q[0].retry_count, 1);
  EXPECT_TRUE(ReceiveAll().empty()) << "retry waits for the back-off";
  clock_.Advance(seconds(7));
  source_->fail = Status::Ok();
  for (const auto& m : ReceiveAll()) EXPECT_EQ(runner_->Process(m), CycleOutcome::kCommitted);
  EXPECT_EQ(Row("a").retry_count, 0);
  EXPECT_EQ(Row("a").seq, 1);
  EXPECT_EQ(sink_.ids.size(), 4u);
}

TEST_F(CycleTest, BackoffDoublesUpToTheCap) {
  EXPECT_EQ(CycleRunner::Backoff(options_, 1), seconds(5));
  EXPECT_EQ(CycleRunner::Backoff(options_, 2), seconds(10));
  EXPECT_EQ(CycleRunner::Backoff(options_, 7), seconds(300));
  EXPECT_EQ(CycleRunner::Backoff(options_, 1000), seconds(300));
}

TEST_F(CycleTest, RateLimitWaitsAtLeastRetryAfter) {
  ASSERT_TRUE(RegisterCollectors(backend_.get(), *collectors_, &clock_).ok());
  source_->fail = Status::RateLimited("429", seconds(120));
  for (const auto& m : ReceiveAll()) EXPECT_EQ(runner_->Process(m), CycleOutcome::kFailed);
  clock_.Advance(seconds(119));
  EXPECT_TRUE(ReceiveAll().empty());
  clock_.Advance(seconds(2));
  EXPECT_EQ(ReceiveAll().size(), 2u);
}

TEST_F(CycleTest, SinkFailureIsACycleFailure) {
  ASSERT_TRUE(RegisterCollectors(backend_.get(), *collectors_, &clock_).ok());
  sink_.fail = Status::Unavailable("disk full");
  for (const auto& m : ReceiveAll()) EXPECT_EQ(runner_->Process(m), CycleOutcome::kFailed);
  EXPECT_EQ(Row("b").retry_count, 1);
  EXPECT_EQ(Row("b").seq, 0);
}

TEST_F(CycleTest, PoisonMessagesGoToTheDeadLetterAreaWithTheirCode) {
  Send("{not json");
  Send(R"({"collector_id":"nope","epoch":1,"seq":1,"retry_count":0,"priv_collector_state":{}})");
  Send(R"({"collector_id":"c1","epoch":1,"seq":1,"retry_count":0,"priv_collector_state":{}})");
  for (const auto& m : ReceiveAll()) EXPECT_EQ(runner_->Process(m), CycleOutcome::kPoison);
  auto dead = backend_->queue()->ListDeadLetters();
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 3u);
  std::string reasons;
  for (const auto& d : *dead) reasons += d.reason + "\n";
  EXPECT_NE(reasons.find(codes::kMessageNotJson), std::string::npos) << reasons;
  EXPECT_NE(reasons.find(codes::kMessageUnknownCollector), std::string::npos) << reasons;
  EXPECT_NE(reasons.find(codes::kMessageNoStream), std::string::npos) << reasons;
  EXPECT_TRUE(Queued().empty());
}

TEST_F(CycleTest, LegacyMessageIsAdoptedOnlyWhileTheStreamHasNoRow) {
  // A single-collector queue: the upstream body belongs to that collector.
  Send(R"({"priv_collector_state":{"stream":"a","n":7},"retry_count":0})");
  auto msgs = ReceiveAll();
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(runner_->Process(msgs[0]), CycleOutcome::kCommitted);
  StreamRow a = Row("a");
  EXPECT_EQ(a.epoch, 0);
  EXPECT_EQ(a.seq, 1);
  EXPECT_EQ(json::parse(a.checkpoint)["n"], 8);
  // A second legacy chain for the same stream (upstream's duplicate bug) is stale.
  Send(R"({"priv_collector_state":{"stream":"a","n":3},"retry_count":0})");
  for (const auto& m : ReceiveAll()) {
    if (ParseStateMessage(m.body)->legacy) {
      EXPECT_EQ(runner_->Process(m), CycleOutcome::kStale);
    }
  }
}

TEST_F(CycleTest, UpgradedAdoptionMessagesOfOneStreamCollapseIntoOneChain) {
  // Two upstream chains of stream a, upgraded by `paws migrate` to (0, 1)
  // with the collector named: the first adopts the stream; the second is
  // stale and, unlike a fenced message at the row's seq, starts no
  // successor of its own.
  Send(R"({"collector_id":"c1","epoch":0,"seq":1,"retry_count":0,)"
       R"("priv_collector_state":{"stream":"a","n":7}})");
  Send(R"({"collector_id":"c1","epoch":0,"seq":1,"retry_count":0,)"
       R"("priv_collector_state":{"stream":"a","n":3}})");
  auto msgs = ReceiveAll();
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(runner_->Process(msgs[0]), CycleOutcome::kCommitted);
  EXPECT_EQ(runner_->Process(msgs[1]), CycleOutcome::kStale);
  EXPECT_EQ(Row("a").seq, 1);
  std::vector<StateMessage> queued = Queued();
  ASSERT_EQ(queued.size(), 1u);  // only the successor of the adopted chain
  EXPECT_EQ(queued[0].epoch, 0);
  EXPECT_EQ(queued[0].seq, 2);
  EXPECT_EQ(json::parse(queued[0].state_json)["n"], 8);
  EXPECT_EQ(sink_.ids, (std::vector<std::string>{"a-7-0", "a-7-1"}));
}

TEST_F(CycleTest, ClaimLostToARepairDeletesTheMessageAndEnqueuesNothing) {
  ASSERT_TRUE(RegisterCollectors(backend_.get(), *collectors_, &clock_).ok());
  auto msgs = ReceiveAll();
  // While each cycle is under way, a repair bumps the epoch of its stream.
  sink_.before_write = [&](const std::string& stream) {
    ASSERT_TRUE(backend_->store()->BumpEpoch("c1", stream, 1, 0, clock_.Now()).ok());
  };
  for (const auto& m : msgs) EXPECT_EQ(runner_->Process(m), CycleOutcome::kClaimLost);
  EXPECT_TRUE(Queued().empty());
  EXPECT_EQ(Row("a").epoch, 2);
  EXPECT_EQ(Row("a").seq, 0);
}

TEST_F(CycleTest, ABatchThatRunsOutOfLeaseHandsTheRestBackWithoutPolling) {
  ASSERT_TRUE(RegisterCollectors(backend_.get(), *collectors_, &clock_).ok());
  // Each poll takes 70% of the lease: the second message of the batch has
  // no time left for its own.
  source_->on_poll = [&] { clock_.Advance(options_.visibility_timeout * 7 / 10); };
  auto batch = ReceiveAll();
  ASSERT_EQ(batch.size(), 2u);
  auto outcomes = runner_->ProcessBatch(batch);
  EXPECT_EQ(outcomes[0], CycleOutcome::kCommitted);
  EXPECT_EQ(outcomes[1], CycleOutcome::kDeferred);
  EXPECT_EQ(source_->polls, 1);
  EXPECT_EQ(counters_.failed, 0) << "a deferral is not a failure of the stream";
  source_->on_poll = nullptr;
  auto again = ReceiveAll();
  ASSERT_EQ(again.size(), 1u) << "handed back at once, not after the visibility timeout";
  EXPECT_EQ(again[0].id, batch[1].id);
  EXPECT_EQ(runner_->Process(again[0]), CycleOutcome::kCommitted);
  EXPECT_EQ(Row("a").seq + Row("b").seq, 2);
  EXPECT_EQ(Row("a").retry_count + Row("b").retry_count, 0);
}

}  // namespace
}  // namespace paws
