#include "testing/store_conformance.h"

#include <atomic>
#include <thread>

namespace paws::conformance {

int LinkStoreConformance() { return 1; }

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr Duration kLease = seconds(900);

ClaimUpdate Claim(const std::string& stream, int64_t epoch, int64_t seq, WallTime now,
                  const std::string& checkpoint = R"({"n":1})") {
  return ClaimUpdate{"c1", stream, epoch, seq, checkpoint, now, now + seconds(30)};
}

FailureUpdate Failure(const std::string& stream, int64_t epoch, int64_t seq, WallTime now,
                      const std::string& error = "boom") {
  return FailureUpdate{"c1", stream, epoch, seq, error, now, now + seconds(5)};
}

// Starts `n` threads running fn(i) as close to together as a spin allows.
template <typename F>
void Race(int n, F fn) {
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      ++ready;
      while (!go.load()) std::this_thread::yield();
      fn(i);
    });
  }
  while (ready.load() < n) std::this_thread::yield();
  go = true;
  for (auto& t : threads) t.join();
}

}  // namespace

// --- stream rows ---

TEST_P(StoreConformanceTest, GetStreamOfMissingRowIsEmpty) {
  EXPECT_FALSE(Row("c1", "a").has_value());
  auto list = store()->ListStreams("c1");
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
}

TEST_P(StoreConformanceTest, CreateStreamRoundTripsEveryField) {
  StreamRow full = MakeRow("c1", "a", 3, 7);
  full.last_success = clock_.Now() - seconds(10);
  full.last_attempt = clock_.Now() - seconds(5);
  full.last_status = kStreamStatusFailing;
  full.last_error = "[PAWS000303] unavailable: 503";
  full.last_error_at = clock_.Now() - seconds(4);
  full.retry_count = 2;
  full.due_at = clock_.Now() + milliseconds(1234);
  full.first_seen = clock_.Now() - seconds(3600);
  ASSERT_TRUE(store()->CreateStream(full).ok());
  StreamRow sparse = MakeRow("c1", "b", 1, 0);
  ASSERT_TRUE(store()->CreateStream(sparse).ok());
  EXPECT_EQ(Row("c1", "a"), full);
  EXPECT_EQ(Row("c1", "b"), sparse);
}

TEST_P(StoreConformanceTest, GetStreamsReadsEachKeyInOrder) {
  StreamRow a = MakeRow("c1", "a", 1, 3);
  StreamRow b = MakeRow("c1", "b", 2, 0);
  ASSERT_TRUE(store()->CreateStream(a).ok());
  ASSERT_TRUE(store()->CreateStream(b).ok());
  auto got = store()->GetStreams({{"c1", "b"}, {"c1", "x"}, {"c2", "a"}, {"c1", "a"}, {"c1", "b"}});
  ASSERT_EQ(got.size(), 5u);
  for (const auto& r : got) ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*got[0], b);
  EXPECT_FALSE(got[1]->has_value());
  EXPECT_FALSE(got[2]->has_value());
  EXPECT_EQ(*got[3], a);
  EXPECT_EQ(*got[4], b);
  EXPECT_TRUE(store()->GetStreams({}).empty());
}

TEST_P(StoreConformanceTest, GetStreamsSeesTheLatestWrites) {
  ASSERT_TRUE(store()->CreateStream(MakeRow("c1", "a", 1, 0)).ok());
  ASSERT_TRUE(store()->ClaimStream(Claim("a", 1, 1, clock_.Now(), R"({"n":2})")).ok());
  auto got = store()->GetStreams({{"c1", "a"}});
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(got[0].ok() && got[0]->has_value());
  EXPECT_EQ((*got[0])->seq, 1);
  EXPECT_EQ((*got[0])->checkpoint, R"({"n":2})");
  EXPECT_EQ(*got[0], Row("c1", "a"));
}

TEST_P(StoreConformanceTest, CreateStreamTwiceConflictsAndKeepsTheFirst) {
  StreamRow first = MakeRow("c1", "a", 1, 0);
  ASSERT_TRUE(store()->CreateStream(first).ok());
  StreamRow second = MakeRow("c1", "a", 5, 9);
  EXPECT_EQ(store()->CreateStream(second).code(), StatusCode::kConflict);
  EXPECT_EQ(Row("c1", "a"), first);
}

TEST_P(StoreConformanceTest, ListStreamsOrdered) {
  for (auto [c, s] : std::vector<std::pair<std::string, std::string>>{
           {"c1", "b"}, {"c2", "a"}, {"c1", "a"}, {"c10", "x"}}) {
    ASSERT_TRUE(store()->CreateStream(MakeRow(c, s, 1, 0)).ok());
  }
  auto one = store()->ListStreams("c1");
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  ASSERT_EQ(one->size(), 2u);
  EXPECT_EQ((*one)[0].stream, "a");
  EXPECT_EQ((*one)[1].stream, "b");
  auto all = store()->ListAllStreams();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  std::vector<std::string> keys;
  for (const auto& r : *all) keys.push_back(r.collector_id + "/" + r.stream);
  EXPECT_EQ(keys, (std::vector<std::string>{"c1/a", "c1/b", "c10/x", "c2/a"}));
}

TEST_P(StoreConformanceTest, ClaimAdvancesTheRow) {
  StreamRow row = MakeRow("c1", "a", 1, 0);
  row.retry_count = 3;
  row.last_status = kStreamStatusFailing;
  ASSERT_TRUE(store()->CreateStream(row).ok());
  clock_.Advance(seconds(7));
  ASSERT_TRUE(store()->ClaimStream(Claim("a", 1, 1, clock_.Now(), R"({"n":9})")).ok());
  auto got = Row("c1", "a");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->epoch, 1);
  EXPECT_EQ(got->seq, 1);
  EXPECT_EQ(got->checkpoint, R"({"n":9})");
  EXPECT_EQ(got->last_success, clock_.Now());
  EXPECT_EQ(got->last_status, kStreamStatusOk);
  EXPECT_EQ(got->retry_count, 0);
  EXPECT_EQ(got->due_at, clock_.Now() + seconds(30));
  EXPECT_EQ(got->first_seen, row.first_seen);
  ASSERT_TRUE(store()->ClaimStream(Claim("a", 1, 2, clock_.Now())).ok());
  EXPECT_EQ(Row("c1", "a")->seq, 2);
}

TEST_P(StoreConformanceTest, ClaimConflictChangesNothing) {
  StreamRow row = MakeRow("c1", "a", 2, 5);
  ASSERT_TRUE(store()->CreateStream(row).ok());
  clock_.Advance(seconds(1));
  WallTime now = clock_.Now();
  EXPECT_EQ(store()->ClaimStream(Claim("a", 1, 6, now)).code(), StatusCode::kConflict);  // old epoch
  EXPECT_EQ(store()->ClaimStream(Claim("a", 3, 6, now)).code(), StatusCode::kConflict);  // future
  EXPECT_EQ(store()->ClaimStream(Claim("a", 2, 5, now)).code(), StatusCode::kConflict);  // replay
  EXPECT_EQ(store()->ClaimStream(Claim("a", 2, 7, now)).code(), StatusCode::kConflict);  // gap
  EXPECT_EQ(store()->ClaimStream(Claim("a", 0, 1, now)).code(), StatusCode::kConflict);  // legacy
  EXPECT_EQ(Row("c1", "a"), row);
  // No row and not (0, 1): nothing is created.
  EXPECT_EQ(store()->ClaimStream(Claim("b", 1, 1, now)).code(), StatusCode::kConflict);
  EXPECT_EQ(store()->ClaimStream(Claim("b", 0, 2, now)).code(), StatusCode::kConflict);
  EXPECT_FALSE(Row("c1", "b").has_value());
}

TEST_P(StoreConformanceTest, LegacyClaimAdoptsTheStream) {
  clock_.Advance(seconds(3));
  ASSERT_TRUE(store()->ClaimStream(Claim("a", 0, 1, clock_.Now(), R"({"n":4})")).ok());
  auto got = Row("c1", "a");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->epoch, 0);
  EXPECT_EQ(got->seq, 1);
  EXPECT_EQ(got->checkpoint, R"({"n":4})");
  EXPECT_EQ(got->first_seen, clock_.Now());
  EXPECT_EQ(got->last_success, clock_.Now());
  EXPECT_EQ(got->last_status, kStreamStatusOk);
  EXPECT_EQ(got->due_at, clock_.Now() + seconds(30));
  // A second legacy message for the same stream is not adopted again.
  StreamRow before = *got;
  clock_.Advance(seconds(1));
  EXPECT_EQ(store()->ClaimStream(Claim("a", 0, 1, clock_.Now())).code(), StatusCode::kConflict);
  EXPECT_EQ(Row("c1", "a"), before);
  // Its successor goes on as usual.
  EXPECT_TRUE(store()->ClaimStream(Claim("a", 0, 2, clock_.Now())).ok());
}

TEST_P(StoreConformanceTest, RecordFailureCountsRetries) {
  StreamRow row = MakeRow("c1", "a", 1, 3);
  ASSERT_TRUE(store()->CreateStream(row).ok());
  clock_.Advance(seconds(2));
  auto one = store()->RecordFailure(Failure("a", 1, 4, clock_.Now(), "first"));
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(*one, 1);
  clock_.Advance(seconds(2));
  auto two = store()->RecordFailure(Failure("a", 1, 4, clock_.Now(), "second"));
  ASSERT_TRUE(two.ok()) << two.status().ToString();
  EXPECT_EQ(*two, 2);
  auto got = Row("c1", "a");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->retry_count, 2);
  EXPECT_EQ(got->last_error, "second");
  EXPECT_EQ(got->last_error_at, clock_.Now());
  EXPECT_EQ(got->last_status, kStreamStatusFailing);
  EXPECT_EQ(got->due_at, clock_.Now() + seconds(5));
  EXPECT_EQ(got->epoch, 1);
  EXPECT_EQ(got->seq, 3);
  EXPECT_EQ(got->checkpoint, row.checkpoint);
  // A successful claim resets the count.
  ASSERT_TRUE(store()->ClaimStream(Claim("a", 1, 4, clock_.Now())).ok());
  EXPECT_EQ(Row("c1", "a")->retry_count, 0);
}

TEST_P(StoreConformanceTest, RecordFailureWithoutRowOrFence) {
  auto missing = store()->RecordFailure(Failure("a", 0, 1, clock_.Now()));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(Row("c1", "a").has_value());
  StreamRow row = MakeRow("c1", "a", 2, 3);
  ASSERT_TRUE(store()->CreateStream(row).ok());
  for (auto [e, s] : std::vector<std::pair<int64_t, int64_t>>{{1, 4}, {2, 3}, {2, 5}, {3, 4}}) {
    auto lost = store()->RecordFailure(Failure("a", e, s, clock_.Now()));
    ASSERT_FALSE(lost.ok());
    EXPECT_EQ(lost.status().code(), StatusCode::kConflict) << e << "," << s;
  }
  EXPECT_EQ(Row("c1", "a"), row);
}

TEST_P(StoreConformanceTest, BumpEpochIsConditional) {
  StreamRow row = MakeRow("c1", "a", 2, 5);
  ASSERT_TRUE(store()->CreateStream(row).ok());
  WallTime due = clock_.Now() + seconds(1);
  EXPECT_EQ(store()->BumpEpoch("c1", "a", 2, 4, due).code(), StatusCode::kConflict);
  EXPECT_EQ(store()->BumpEpoch("c1", "a", 1, 5, due).code(), StatusCode::kConflict);
  EXPECT_EQ(Row("c1", "a"), row);
  ASSERT_TRUE(store()->BumpEpoch("c1", "a", 2, 5, due).ok());
  auto got = Row("c1", "a");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->epoch, 3);
  EXPECT_EQ(got->seq, 5);
  EXPECT_EQ(got->due_at, due);
  EXPECT_EQ(got->checkpoint, row.checkpoint);
  // The same repair again loses: exactly one checker wins.
  StreamRow after = *got;
  EXPECT_EQ(store()->BumpEpoch("c1", "a", 2, 5, due).code(), StatusCode::kConflict);
  EXPECT_EQ(Row("c1", "a"), after);
  EXPECT_EQ(store()->BumpEpoch("c1", "missing", 0, 0, due).code(), StatusCode::kConflict);
  EXPECT_FALSE(Row("c1", "missing").has_value());
  // The old chain is fenced out; the re-seeded one goes on.
  EXPECT_EQ(store()->ClaimStream(Claim("a", 2, 6, clock_.Now())).code(), StatusCode::kConflict);
  EXPECT_TRUE(store()->ClaimStream(Claim("a", 3, 6, clock_.Now())).ok());
}

TEST_P(StoreConformanceTest, SetStreamStatusIsConditional) {
  StreamRow row = MakeRow("c1", "a", 1, 4);
  ASSERT_TRUE(store()->CreateStream(row).ok());
  EXPECT_EQ(store()->SetStreamStatus("c1", "a", 1, 3, kStreamStatusRetired).code(),
            StatusCode::kConflict);
  EXPECT_EQ(store()->SetStreamStatus("c1", "a", 2, 4, kStreamStatusRetired).code(),
            StatusCode::kConflict);
  EXPECT_EQ(store()->SetStreamStatus("c1", "b", 1, 4, kStreamStatusRetired).code(),
            StatusCode::kConflict);
  EXPECT_EQ(Row("c1", "a"), row);
  ASSERT_TRUE(store()->SetStreamStatus("c1", "a", 1, 4, kStreamStatusRetired).ok());
  row.last_status = kStreamStatusRetired;
  EXPECT_EQ(Row("c1", "a"), row);
}

TEST_P(StoreConformanceTest, RacingClaimsExactlyOneWins) {
  constexpr int kThreads = 8;
  ASSERT_TRUE(store()->CreateStream(MakeRow("c1", "a", 1, 0)).ok());
  std::vector<StatusCode> codes(kThreads);
  WallTime now = clock_.Now();
  Race(kThreads, [&](int i) {
    codes[i] = store()->ClaimStream(Claim("a", 1, 1, now, std::to_string(i))).code();
  });
  int wins = 0, winner = -1;
  for (int i = 0; i < kThreads; ++i) {
    if (codes[i] == StatusCode::kOk) {
      ++wins;
      winner = i;
    } else {
      EXPECT_EQ(codes[i], StatusCode::kConflict);
    }
  }
  ASSERT_EQ(wins, 1);
  EXPECT_EQ(Row("c1", "a")->checkpoint, std::to_string(winner));
  EXPECT_EQ(Row("c1", "a")->seq, 1);
}

TEST_P(StoreConformanceTest, RacingAdoptionsExactlyOneWins) {
  constexpr int kThreads = 8;
  std::atomic<int> wins{0}, conflicts{0};
  WallTime now = clock_.Now();
  Race(kThreads, [&](int i) {
    StatusCode c = store()->ClaimStream(Claim("a", 0, 1, now, std::to_string(i))).code();
    if (c == StatusCode::kOk) ++wins;
    if (c == StatusCode::kConflict) ++conflicts;
  });
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(conflicts.load(), kThreads - 1);
}

// --- state records ---

TEST_P(StoreConformanceTest, AcquireInsertsIncompleteAndSetsLastAttempt) {
  ASSERT_TRUE(store()->CreateStream(MakeRow("c1", "a", 1, 0)).ok());
  clock_.Advance(seconds(10));
  StateRecord rec = MakeRecord("c1", "m1", "a");
  auto got = store()->AcquireRecord(rec, kLease);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, AcquireOutcome::kAcquired);
  EXPECT_EQ(Record("c1", "m1"), rec);
  EXPECT_EQ(Row("c1", "a")->last_attempt, clock_.Now());
}

TEST_P(StoreConformanceTest, AcquireWithoutStreamRowCreatesNoRow) {
  auto got = store()->AcquireRecord(MakeRecord("c1", "m1", "legacy"), kLease);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, AcquireOutcome::kAcquired);
  EXPECT_FALSE(Row("c1", "legacy").has_value());
}

TEST_P(StoreConformanceTest, AcquireHeldElsewhereUntilTheLeaseRunsOut) {
  ASSERT_TRUE(store()->CreateStream(MakeRow("c1", "a", 1, 0)).ok());
  StateRecord first = MakeRecord("c1", "m1", "a");
  ASSERT_EQ(*store()->AcquireRecord(first, kLease), AcquireOutcome::kAcquired);
  WallTime first_attempt = clock_.Now();
  clock_.Advance(kLease - milliseconds(1));
  auto held = store()->AcquireRecord(MakeRecord("c1", "m1", "a"), kLease);
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  EXPECT_EQ(*held, AcquireOutcome::kHeldElsewhere);
  EXPECT_EQ(Record("c1", "m1"), first);
  EXPECT_EQ(Row("c1", "a")->last_attempt, first_attempt);
  // The lease has run out: the worker that held it is presumed dead.
  clock_.Advance(milliseconds(1));
  StateRecord again = MakeRecord("c1", "m1", "a");
  auto taken = store()->AcquireRecord(again, kLease);
  ASSERT_TRUE(taken.ok()) << taken.status().ToString();
  EXPECT_EQ(*taken, AcquireOutcome::kAcquired);
  auto rec = Record("c1", "m1");
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->status, RecordStatus::kIncomplete);
  EXPECT_EQ(rec->updated, clock_.Now());
  EXPECT_EQ(Row("c1", "a")->last_attempt, clock_.Now());
}

TEST_P(StoreConformanceTest, AcquireOfCompleteRecord) {
  ASSERT_TRUE(store()->CreateStream(MakeRow("c1", "a", 1, 0)).ok());
  ASSERT_TRUE(store()->SetRecordStatus("c1", "m1", "a", RecordStatus::kComplete, clock_.Now(), "")
                  .ok());
  StateRecord before = *Record("c1", "m1");
  clock_.Advance(seconds(1));
  auto got = store()->AcquireRecord(MakeRecord("c1", "m1", "a"), kLease);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, AcquireOutcome::kAlreadyComplete);
  EXPECT_EQ(Record("c1", "m1"), before);
  EXPECT_FALSE(Row("c1", "a")->last_attempt.has_value());
}

TEST_P(StoreConformanceTest, AcquireRetakesFailedRecordAtOnce) {
  ASSERT_TRUE(store()->SetRecordStatus("c1", "m1", "a", RecordStatus::kFailed, clock_.Now(),
                                       "sink down")
                  .ok());
  clock_.Advance(seconds(1));  // well within the lease
  auto got = store()->AcquireRecord(MakeRecord("c1", "m1", "a"), kLease);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, AcquireOutcome::kAcquired);
  auto rec = Record("c1", "m1");
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->status, RecordStatus::kIncomplete);
  EXPECT_EQ(rec->updated, clock_.Now());
}

TEST_P(StoreConformanceTest, RacingAcquiresExactlyOneWins) {
  constexpr int kThreads = 8;
  std::atomic<int> acquired{0}, held{0};
  StateRecord rec = MakeRecord("c1", "m1", "a");
  Race(kThreads, [&](int) {
    auto got = store()->AcquireRecord(rec, kLease);
    if (got.ok() && *got == AcquireOutcome::kAcquired) ++acquired;
    if (got.ok() && *got == AcquireOutcome::kHeldElsewhere) ++held;
  });
  EXPECT_EQ(acquired.load(), 1);
  EXPECT_EQ(held.load(), kThreads - 1);
}

TEST_P(StoreConformanceTest, SetRecordStatusUpserts) {
  WallTime t0 = clock_.Now();
  ASSERT_TRUE(
      store()->SetRecordStatus("c1", "m1", "a", RecordStatus::kFailed, t0, "timeout").ok());
  auto made = Record("c1", "m1");
  ASSERT_TRUE(made.has_value());
  EXPECT_EQ(made->collector_id, "c1");
  EXPECT_EQ(made->message_id, "m1");
  EXPECT_EQ(made->stream, "a");
  EXPECT_EQ(made->status, RecordStatus::kFailed);
  EXPECT_EQ(made->reason, "timeout");
  EXPECT_EQ(made->updated, t0);
  EXPECT_EQ(made->expire_date, t0 + kStateRecordTtl);

  ASSERT_EQ(*store()->AcquireRecord(MakeRecord("c1", "m2", "b"), kLease),
            AcquireOutcome::kAcquired);
  clock_.Advance(seconds(5));
  WallTime t1 = clock_.Now();
  ASSERT_TRUE(store()->SetRecordStatus("c1", "m2", "b", RecordStatus::kComplete, t1, "").ok());
  auto done = Record("c1", "m2");
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->status, RecordStatus::kComplete);
  EXPECT_EQ(done->cid, "cid-1");
  EXPECT_EQ(done->stream, "b");
  EXPECT_EQ(done->updated, t1);
  EXPECT_EQ(done->expire_date, t1 + kStateRecordTtl);
}

TEST_P(StoreConformanceTest, ListRecordsOfOneCollector) {
  for (const char* id : {"m2", "m1", "m3"}) {
    ASSERT_TRUE(store()->AcquireRecord(MakeRecord("c1", id, "a"), kLease).ok());
  }
  ASSERT_TRUE(store()->AcquireRecord(MakeRecord("c2", "m9", "a"), kLease).ok());
  auto list = store()->ListRecords("c1");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  std::vector<std::string> ids;
  for (const auto& r : *list) ids.push_back(r.message_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"m1", "m2", "m3"}));
  EXPECT_FALSE(Record("c1", "m9").has_value());
}

TEST_P(StoreConformanceTest, PurgeExpiredRecordsByExpireDate) {
  WallTime now = clock_.Now();
  for (auto [id, expire] : std::vector<std::pair<std::string, WallTime>>{
           {"past", now - milliseconds(1)}, {"now", now}, {"future", now + seconds(1)}}) {
    StateRecord rec = MakeRecord("c1", id, "a");
    rec.expire_date = expire;
    ASSERT_TRUE(store()->AcquireRecord(rec, kLease).ok());
  }
  auto purged = store()->PurgeExpiredRecords(now);
  ASSERT_TRUE(purged.ok()) << purged.status().ToString();
  EXPECT_EQ(*purged, 1);
  EXPECT_FALSE(Record("c1", "past").has_value());
  EXPECT_TRUE(Record("c1", "now").has_value());
  EXPECT_TRUE(Record("c1", "future").has_value());
  auto later = store()->PurgeExpiredRecords(now + kStateRecordTtl);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(*later, 2);
}

// Upstream PawsCollectorStates records have no Stream. They are read as
// they are, never become a stream, and expire by their ExpireDate.
TEST_P(StoreConformanceTest, LegacyRecordsWithoutStreamAreReadAndExpireButAreNoStream) {
  WallTime now = clock_.Now();
  StateRecord legacy = MakeRecord("c1", "upstream-1", "");
  legacy.status = RecordStatus::kComplete;
  ASSERT_TRUE(store()->AcquireRecord(legacy, kLease).ok());
  // Marking it sets ExpireDate to Updated + the TTL, as upstream does.
  ASSERT_TRUE(store()->SetRecordStatus("c1", "upstream-1", "", RecordStatus::kComplete, now, "")
                  .ok());
  auto got = store()->GetRecord("c1", "upstream-1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->stream, "");
  EXPECT_EQ((*got)->status, RecordStatus::kComplete);
  auto listed = store()->ListRecords("c1");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].stream, "");
  auto streams = store()->ListAllStreams();
  ASSERT_TRUE(streams.ok());
  EXPECT_TRUE(streams->empty());
  auto kept = store()->PurgeExpiredRecords(now + kStateRecordTtl - seconds(1));
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(*kept, 0);
  auto purged = store()->PurgeExpiredRecords(now + kStateRecordTtl + seconds(1));
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 1);
  EXPECT_FALSE(Record("c1", "upstream-1").has_value());
}

}  // namespace paws::conformance
