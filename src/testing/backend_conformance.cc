#include "testing/backend_conformance.h"

#include <atomic>
#include <thread>

namespace paws::conformance {

int LinkConformanceSuites() { return LinkQueueConformance() + LinkStoreConformance(); }

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr Duration kLease = seconds(900);

}  // namespace

namespace {

// A stream "a" of collector "c1" at (epoch, seq) with one received message
// carrying `body`, acquired as the cycle does. Returns the delivery.
QueueMessage Prepare(StateStore* store, StateQueue* queue, FakeClock* clock,
                     std::optional<std::pair<int64_t, int64_t>> row, const std::string& body) {
  if (row) {
    StreamRow r;
    r.collector_id = "c1";
    r.stream = "a";
    r.epoch = row->first;
    r.seq = row->second;
    r.checkpoint = "{}";
    r.due_at = clock->Now();
    r.first_seen = clock->Now();
    EXPECT_TRUE(store->CreateStream(r).ok());
  }
  EXPECT_TRUE(queue->Send(body, Duration(0)).ok());
  auto got = queue->Receive(1, seconds(900), Duration(0));
  EXPECT_TRUE(got.ok() && got->size() == 1u);
  if (!got.ok() || got->empty()) return QueueMessage{};
  StateRecord rec;
  rec.collector_id = "c1";
  rec.message_id = (*got)[0].id;
  rec.updated = clock->Now();
  rec.expire_date = rec.updated + kStateRecordTtl;
  rec.stream = "a";
  auto acquired = store->AcquireRecord(rec, kLease);
  EXPECT_TRUE(acquired.ok() && *acquired == AcquireOutcome::kAcquired);
  return (*got)[0];
}

CycleCommit Commit(const QueueMessage& m, int64_t epoch, int64_t seq, WallTime now,
                   const std::string& successor, Duration delay = seconds(30)) {
  CycleCommit c;
  c.claim = ClaimUpdate{"c1", "a", epoch, seq, R"({"next":true})", now, now + delay};
  c.successor_body = successor;
  c.successor_delay = delay;
  c.message_id = m.id;
  c.receipt = m.receipt;
  return c;
}

FailureCommit Failure(const QueueMessage& m, int64_t epoch, int64_t seq, WallTime now,
                      Duration delay = seconds(5)) {
  FailureCommit f;
  f.failure = FailureUpdate{"c1", "a", epoch, seq, "sink down", now, now + delay};
  f.retry_body = "retry";
  f.retry_delay = delay;
  f.message_id = m.id;
  f.receipt = m.receipt;
  return f;
}

}  // namespace

TEST_P(BackendConformanceTest, CommitCycleAppliesEveryStep) {
  const Duration delay = TimeFor(seconds(30), seconds(2));
  QueueMessage m = Prepare(store(), queue(), &clock_, std::make_pair(1, 0), "m(1,1)");
  clock_.Advance(seconds(2));
  ASSERT_TRUE(backend_->CommitCycle(Commit(m, 1, 1, clock_.Now(), "m(1,2)", delay)).ok());
  auto row = Row("c1", "a");
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->seq, 1);
  EXPECT_EQ(row->checkpoint, R"({"next":true})");
  EXPECT_EQ(row->last_success, clock_.Now());
  EXPECT_EQ(row->due_at, clock_.Now() + delay);
  auto rec = Record("c1", m.id);
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->status, RecordStatus::kComplete);
  EXPECT_EQ(rec->stream, "a");
  // The original is gone; the successor waits for its delay.
  if (!ServerTime()) {
    EXPECT_EQ(Bodies(), std::vector<std::string>{"m(1,2)"});
  }
  QueueCounts c = Counts();
  EXPECT_EQ(c.delayed, 1);
  EXPECT_EQ(c.visible + c.in_flight, 0);
  EXPECT_TRUE(ReceiveNow().empty());
  Pass(TimeFor(delay, delay + milliseconds(300)));
  auto next = ReceiveNow();
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].body, "m(1,2)");
}

TEST_P(BackendConformanceTest, CommitCycleAdoptsLegacyStream) {
  const Duration delay = TimeFor(seconds(30), seconds(2));
  QueueMessage m = Prepare(store(), queue(), &clock_, std::nullopt, "legacy");
  ASSERT_TRUE(backend_->CommitCycle(Commit(m, 0, 1, clock_.Now(), "m(0,2)", delay)).ok());
  auto row = Row("c1", "a");
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->epoch, 0);
  EXPECT_EQ(row->seq, 1);
  EXPECT_EQ(Enqueued(delay), std::vector<std::string>{"m(0,2)"});
}

TEST_P(BackendConformanceTest, CommitCycleConflictOnlyDeletesTheMessage) {
  QueueMessage m = Prepare(store(), queue(), &clock_, std::make_pair(2, 1), "m(1,1)");
  StreamRow before = *Row("c1", "a");
  clock_.Advance(seconds(2));
  EXPECT_EQ(backend_->CommitCycle(Commit(m, 1, 1, clock_.Now(), "m(1,2)")).code(),
            StatusCode::kConflict);
  EXPECT_TRUE(Bodies().empty());
  // ListAll of SQS would not show a (wrongly) enqueued delayed successor.
  if (ServerTime()) {
    EXPECT_EQ(Counts().delayed, 0);
  }
  EXPECT_EQ(Row("c1", "a"), before);
  auto rec = Record("c1", m.id);
  ASSERT_TRUE(rec.has_value());
  EXPECT_NE(rec->status, RecordStatus::kComplete);
}

TEST_P(BackendConformanceTest, CommitFailureRecordsAndRetries) {
  const Duration delay = TimeFor(seconds(5), seconds(2));
  QueueMessage m = Prepare(store(), queue(), &clock_, std::make_pair(1, 3), "m(1,4)");
  clock_.Advance(seconds(2));
  auto count = backend_->CommitFailure(Failure(m, 1, 4, clock_.Now(), delay));
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ(*count, 1);
  auto row = Row("c1", "a");
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->retry_count, 1);
  EXPECT_EQ(row->seq, 3);
  EXPECT_EQ(row->last_status, kStreamStatusFailing);
  EXPECT_EQ(row->last_error, "sink down");
  EXPECT_EQ(row->last_error_at, clock_.Now());
  auto rec = Record("c1", m.id);
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->status, RecordStatus::kFailed);
  EXPECT_EQ(rec->reason, "sink down");
  if (!ServerTime()) {
    EXPECT_EQ(Bodies(), std::vector<std::string>{"retry"});
  }
  EXPECT_EQ(Counts().delayed, 1);
  // The retry fails too: the count goes on.
  Pass(TimeFor(delay, delay + milliseconds(300)));
  auto retry = ReceiveNow(1, seconds(900));
  ASSERT_EQ(retry.size(), 1u);
  if (ServerTime()) {  // Bodies() could not show it
    EXPECT_EQ(retry[0].body, "retry");
  }
  auto again = backend_->CommitFailure(Failure(retry[0], 1, 4, clock_.Now(), delay));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, 2);
  EXPECT_EQ(Enqueued(delay), std::vector<std::string>{"retry"});
}

TEST_P(BackendConformanceTest, CommitFailureWithoutRowStillRetries) {
  const Duration delay = TimeFor(seconds(5), seconds(2));
  QueueMessage m = Prepare(store(), queue(), &clock_, std::nullopt, "legacy");
  auto count = backend_->CommitFailure(Failure(m, 0, 1, clock_.Now(), delay));
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ(*count, -1);
  EXPECT_FALSE(Row("c1", "a").has_value());
  EXPECT_EQ(Record("c1", m.id)->status, RecordStatus::kFailed);
  EXPECT_EQ(Enqueued(delay), std::vector<std::string>{"retry"});
}

TEST_P(BackendConformanceTest, CommitFailureConflictOnlyDeletesTheMessage) {
  QueueMessage m = Prepare(store(), queue(), &clock_, std::make_pair(2, 3), "m(1,4)");
  StreamRow before = *Row("c1", "a");
  auto count = backend_->CommitFailure(Failure(m, 1, 4, clock_.Now()));
  ASSERT_FALSE(count.ok());
  EXPECT_EQ(count.status().code(), StatusCode::kConflict);
  EXPECT_TRUE(Bodies().empty());
  if (ServerTime()) {
    EXPECT_EQ(Counts().delayed, 0);
  }
  EXPECT_EQ(Row("c1", "a"), before);
  EXPECT_NE(Record("c1", m.id)->status, RecordStatus::kFailed);
}

TEST_P(BackendConformanceTest, SeedStreamOnce) {
  StreamSeed seed{MakeRow("c1", "a", 1, 0), "m(1,1)", seconds(0)};
  ASSERT_TRUE(backend_->SeedStream(seed).ok());
  StreamSeed again{MakeRow("c1", "a", 1, 0), "m(1,1) again", seconds(0)};
  again.row.checkpoint = "other";
  EXPECT_EQ(backend_->SeedStream(again).code(), StatusCode::kConflict);
  EXPECT_EQ(Bodies(), std::vector<std::string>{"m(1,1)"});
  EXPECT_EQ(Row("c1", "a"), seed.row);
}

TEST_P(BackendConformanceTest, SeedStreamHonoursDelay) {
  const Duration delay = TimeFor(seconds(10), seconds(2));
  ASSERT_TRUE(backend_->SeedStream({MakeRow("c1", "a", 1, 0), "m", delay}).ok());
  EXPECT_EQ(Counts().delayed, 1);
  EXPECT_TRUE(ReceiveNow().empty());
  Pass(TimeFor(delay, delay + milliseconds(300)));
  EXPECT_EQ(ReceiveNow().size(), 1u);
}

TEST_P(BackendConformanceTest, RacingDuplicateCommitsEnqueueOneSuccessor) {
  // Two deliveries of the same (1, 1) state, as after an SQS duplicate.
  ASSERT_TRUE(store()->CreateStream(MakeRow("c1", "a", 1, 0)).ok());
  constexpr int kCopies = 4;
  for (int i = 0; i < kCopies; ++i) Send("m(1,1)");
  auto got = ReceiveNow(kCopies, seconds(900));
  ASSERT_EQ(got.size(), static_cast<size_t>(kCopies));
  const Duration delay = TimeFor(seconds(30), seconds(2));
  std::atomic<int> ok{0}, lost{0};
  std::vector<std::thread> threads;
  WallTime now = clock_.Now();
  for (int i = 0; i < kCopies; ++i) {
    threads.emplace_back([&, i] {
      StatusCode c = backend_->CommitCycle(Commit(got[i], 1, 1, now, "m(1,2)", delay)).code();
      if (c == StatusCode::kOk) ++ok;
      if (c == StatusCode::kConflict) ++lost;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(lost.load(), kCopies - 1);
  EXPECT_EQ(Enqueued(delay), std::vector<std::string>{"m(1,2)"});
  EXPECT_EQ(Row("c1", "a")->seq, 1);
}

}  // namespace paws::conformance
