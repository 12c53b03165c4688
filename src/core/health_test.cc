#include "core/health.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "backends/memory/memory_backend.h"
#include "core/cycle.h"
#include "core/registration.h"
#include "paws/codes.h"

namespace paws {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

class CountingSource : public Source {
 public:
  Result<std::string> InitialState(const std::string& stream) override {
    return nlohmann::json{{"stream", stream}, {"n", 0}}.dump();
  }
  Result<PollResult> Poll(const std::string& state_json, MonoTime) override {
    if (!fail.ok()) return fail;
    auto st = nlohmann::json::parse(state_json);
    st["n"] = st["n"].get<int>() + 1;
    PollResult r;
    r.next_state_json = st.dump();
    r.next_delay = minutes(1);
    return r;
  }
  Status fail;
};

class NullSink : public Sink {
 public:
  Status Write(const SinkBatch&) override { return Status::Ok(); }
};

class HealthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    backend_ = std::move(MakeMemoryBackend(MemoryOptions{}, &clock_)).value();
    spec_.id = "c1";
    spec_.type = "counting";
    spec_.streams = {"a", "b"};
    auto src = std::make_unique<CountingSource>();
    source_ = src.get();
    std::map<std::string, CollectorSet::Entry> entries;
    entries.emplace("c1", CollectorSet::Entry{spec_, std::move(src)});
    collectors_ = std::make_unique<CollectorSet>(std::move(entries));
    runtime_.visibility_timeout = minutes(5);
    runtime_.min_backoff = seconds(30);
    runtime_.max_backoff = seconds(60);
    runner_ = std::make_unique<CycleRunner>(backend_.get(), collectors_.get(), &sink_, &clock_,
                                            runtime_, &counters_);
    ASSERT_TRUE(RegisterCollectors(backend_.get(), *collectors_, &clock_).ok());
  }

  std::unique_ptr<HealthChecker> Checker(const std::vector<CollectorSpec>& specs) {
    return std::make_unique<HealthChecker>(backend_.get(), specs, collectors_.get(), &clock_,
                                           health_);
  }
  HealthReport Check(const std::vector<CollectorSpec>& specs) {
    auto r = Checker(specs)->Check();
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : HealthReport{};
  }
  const StreamHealth& Stream(const HealthReport& r, const std::string& name) {
    for (const auto& s : r.collectors.at(0).streams) {
      if (s.stream == name) return s;
    }
    ADD_FAILURE() << "no stream " << name;
    static StreamHealth none;
    return none;
  }
  // Runs every due cycle, advancing the clock a minute at a time.
  void RunFor(Duration d) {
    for (Duration t{0}; t < d; t += minutes(1)) {
      auto batch = backend_->queue()->Receive(10, runtime_.visibility_timeout, Duration(0));
      ASSERT_TRUE(batch.ok());
      if (!batch->empty()) runner_->ProcessBatch(*batch);
      clock_.Advance(minutes(1));
    }
  }
  int64_t QueueSize() {
    auto all = backend_->queue()->ListAll();
    return all.ok() ? static_cast<int64_t>(all->size()) : -1;
  }

  FakeClock clock_;
  std::unique_ptr<Backend> backend_;
  CollectorSpec spec_;
  CountingSource* source_ = nullptr;
  std::unique_ptr<CollectorSet> collectors_;
  NullSink sink_;
  RuntimeOptions runtime_;
  HealthOptions health_;
  CycleCounters counters_;
  std::unique_ptr<CycleRunner> runner_;
};

TEST_F(HealthTest, CollectingStreamsAreOk) {
  RunFor(minutes(30));
  HealthReport r = Check({spec_});
  EXPECT_TRUE(r.healthy);
  EXPECT_EQ(Stream(r, "a").cls, StreamClass::kOk);
  EXPECT_TRUE(Stream(r, "a").code.empty());
}

TEST_F(HealthTest, LegacyRecordsWithoutStreamAreNeverTakenForAStream) {
  // Upstream PawsCollectorStates records of this collector, with no Stream,
  // some INCOMPLETE (as a crashed upstream invocation leaves them).
  for (int i = 0; i < 5; ++i) {
    StateRecord rec{"c1", "upstream-" + std::to_string(i), "cid", clock_.Now() + kStateRecordTtl,
                    clock_.Now(), RecordStatus::kIncomplete, "", ""};
    ASSERT_TRUE(backend_->store()->AcquireRecord(rec, minutes(5)).ok());
  }
  RunFor(minutes(30));
  HealthReport r = Check({spec_});
  EXPECT_TRUE(r.healthy);
  ASSERT_EQ(r.collectors.at(0).streams.size(), 2u);  // a and b, nothing else
  EXPECT_EQ(Stream(r, "a").cls, StreamClass::kOk);
  EXPECT_EQ(Stream(r, "b").cls, StreamClass::kOk);
  auto rows = backend_->store()->ListStreams("c1");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 2u);
}

TEST_F(HealthTest, LostMessageIsCeasedAndRepairedFromTheCheckpointWithoutASecondChain) {
  RunFor(minutes(10));
  int64_t seq_before = backend_->store()->GetStream("c1", "a")->value().seq;
  // The message of stream a disappears (retention, a hand, a bug).
  auto queued = backend_->queue()->ListAll();
  ASSERT_TRUE(queued.ok());
  for (const auto& m : *queued) {
    if (StateStringField(ParseStateMessage(m.body)->state_json, "stream") == "a") {
      auto got = backend_->queue()->Receive(10, minutes(5), Duration(0));
      for (const auto& g : *got) {
        if (g.id == m.id) ASSERT_TRUE(backend_->queue()->Delete(g.receipt).ok());
        else ASSERT_TRUE(backend_->queue()->ChangeVisibility(g.receipt, Duration(0)).ok());
      }
    }
  }
  RunFor(minutes(20));  // b goes on collecting
  HealthReport r = Check({spec_});
  EXPECT_EQ(Stream(r, "b").cls, StreamClass::kOk);
  const StreamHealth& a = Stream(r, "a");
  EXPECT_EQ(a.cls, StreamClass::kCeased);
  EXPECT_EQ(a.code, codes::kStreamCeased);
  EXPECT_NE(a.message.find("stream a ceased: no collection since"), std::string::npos)
      << a.message;
  EXPECT_FALSE(r.healthy);
  EXPECT_EQ(r.collectors[0].code, codes::kCollectorUnhealthy);

  auto actions = Checker({spec_})->Repair(r, /*dry_run=*/false);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_TRUE(actions[0].done);
  EXPECT_EQ(actions[0].code, codes::kRepairReseeded);
  StreamRow row = backend_->store()->GetStream("c1", "a")->value();
  EXPECT_EQ(row.epoch, 2);
  EXPECT_EQ(row.seq, seq_before);
  RunFor(minutes(5));
  row = backend_->store()->GetStream("c1", "a")->value();
  EXPECT_GT(row.seq, seq_before);
  EXPECT_EQ(nlohmann::json::parse(row.checkpoint)["n"], row.seq) << "no cycle skipped";
  EXPECT_TRUE(Check({spec_}).healthy);
  EXPECT_EQ(QueueSize(), 2) << "one chain per stream";
}

// A daemon restarted after downtime: every stream is overdue with no
// attempt, so it looks ceased, but its message is still queued. The
// daemon's checker leaves it to the workers for stall_after; once they ran,
// it is ok again and nothing was re-seeded.
TEST_F(HealthTest, ADaemonDoesNotReseedAtStartWhatItsWorkersWillCollect) {
  RunFor(minutes(5));
  clock_.Advance(hours(2));  // the daemon was down
  auto checker = Checker({spec_});
  checker->SetProcessStart(clock_.Now());
  auto at_start = checker->Check();
  ASSERT_TRUE(at_start.ok());
  EXPECT_EQ(Stream(*at_start, "a").cls, StreamClass::kCeased);
  EXPECT_TRUE(checker->Repair(*at_start, false).empty()) << "deferred while the workers start";
  RunFor(minutes(2));
  auto later = checker->Check();
  ASSERT_TRUE(later.ok());
  EXPECT_TRUE(later->healthy);
  EXPECT_EQ(backend_->store()->GetStream("c1", "a")->value().epoch, 1) << "never re-seeded";
  EXPECT_EQ(QueueSize(), 2);
}

// Past stall_after, a stream that really lost its message is re-seeded by
// the same daemon.
TEST_F(HealthTest, ADaemonReseedsALostMessageOnceItHasRunStallAfter) {
  RunFor(minutes(5));
  auto checker = Checker({spec_});
  checker->SetProcessStart(clock_.Now());
  clock_.Advance(minutes(1));  // both messages due: take them away
  auto got = backend_->queue()->Receive(10, minutes(5), Duration(0));
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);
  for (const auto& g : *got) ASSERT_TRUE(backend_->queue()->Delete(g.receipt).ok());
  clock_.Advance(health_.stall_after + minutes(2));
  auto r = checker->Check();
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(Stream(*r, "a").cls, StreamClass::kCeased);
  auto actions = checker->Repair(*r, false);
  ASSERT_EQ(actions.size(), 2u);
  for (const auto& a : actions) EXPECT_EQ(a.code, codes::kRepairReseeded) << a.message;
}

TEST_F(HealthTest, BadCredentialIsFailingWithACollectorLevelCode) {
  RunFor(minutes(5));
  source_->fail = Status::Unauthenticated("HTTP 401", codes::kApiUnauthenticated);
  RunFor(minutes(25));
  HealthReport r = Check({spec_});
  const StreamHealth& a = Stream(r, "a");
  EXPECT_EQ(a.cls, StreamClass::kFailing);
  EXPECT_EQ(a.code, codes::kStreamFailing);
  EXPECT_NE(a.message.find("HTTP 401"), std::string::npos) << a.message;
  EXPECT_EQ(r.collectors[0].code, codes::kCollectorCredential) << r.collectors[0].message;
  EXPECT_TRUE(Checker({spec_})->Repair(r, false).empty()) << "failing is reported, not repaired";
  // The credential is fixed: everything resumes, nothing to repair.
  source_->fail = Status::Ok();
  RunFor(minutes(5));
  EXPECT_TRUE(Check({spec_}).healthy);
}

TEST_F(HealthTest, AttemptsThatNeverFinishAreStuck) {
  RunFor(minutes(5));
  // A crash loop: every few minutes a worker takes the message, records the
  // attempt, and dies before finishing.
  for (int i = 0; i < 6; ++i) {
    clock_.Advance(minutes(5));
    auto got = backend_->queue()->Receive(10, minutes(5), Duration(0));
    for (const auto& m : *got) {
      WallTime now = clock_.Now();
      auto st = ParseStateMessage(m.body);
      StateRecord rec{"c1", m.id, "", now + kStateRecordTtl, now, RecordStatus::kIncomplete,
                      StateStringField(st->state_json, "stream"), ""};
      ASSERT_TRUE(backend_->store()->AcquireRecord(rec, Duration(0)).ok());
    }
  }
  HealthReport r = Check({spec_});
  EXPECT_EQ(Stream(r, "a").cls, StreamClass::kStuck);
  EXPECT_EQ(Stream(r, "a").code, codes::kStreamStuck);
  EXPECT_EQ(r.collectors[0].code, codes::kCollectorCrashLoop);
}

TEST_F(HealthTest, AddedStreamStartsAfterGraceAndRemovedStreamIsRetired) {
  RunFor(minutes(5));
  CollectorSpec changed = spec_;
  changed.streams = {"a", "c"};  // b removed, c added
  auto checker = Checker({changed});
  auto first = checker->Check();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(Stream(*first, "c").cls, StreamClass::kOk) << "within grace";
  EXPECT_EQ(Stream(*first, "b").cls, StreamClass::kUnexpected);
  EXPECT_TRUE(first->healthy) << "unexpected is reported, not unhealthy";
  clock_.Advance(health_.grace + minutes(1));
  auto later = checker->Check();
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(Stream(*later, "c").cls, StreamClass::kNeverStarted);
  EXPECT_EQ(Stream(*later, "c").code, codes::kStreamNeverStarted);
  auto actions = checker->Repair(*later, false);
  int seeded = 0, retired = 0;
  for (const auto& a : actions) {
    seeded += a.done && a.code == codes::kRepairSeeded;
    retired += a.done && a.code == codes::kRepairRetired;
  }
  EXPECT_EQ(seeded, 1);
  EXPECT_EQ(retired, 1);
  EXPECT_EQ(backend_->store()->GetStream("c1", "b")->value().last_status, kStreamStatusRetired);
  // b's old message is stale under the bumped epoch: b is no longer polled.
  RunFor(minutes(5));
  EXPECT_EQ(backend_->store()->GetStream("c1", "b")->value().last_status, kStreamStatusRetired);
  EXPECT_GE(backend_->store()->GetStream("c1", "c")->value().seq, 1);
  auto after = checker->Check();
  EXPECT_TRUE(after->healthy);
  for (const auto& s : after->collectors[0].streams) EXPECT_NE(s.stream, "b");
}

// Check moves each row into the report: a stream listed twice must still
// get its row both times, and the rows of the others stay whole.
TEST_F(HealthTest, StreamListedTwiceGetsItsRowEachTime) {
  RunFor(minutes(5));
  CollectorSpec twice = spec_;
  twice.streams = {"b", "a", "b"};
  HealthReport r = Check({twice});
  ASSERT_EQ(r.collectors.at(0).streams.size(), 3u);
  for (const auto& s : r.collectors[0].streams) {
    ASSERT_TRUE(s.row.has_value()) << s.stream;
    EXPECT_EQ(s.row->stream, s.stream);
    EXPECT_EQ(s.row->collector_id, "c1");
    EXPECT_FALSE(s.row->checkpoint.empty());
    EXPECT_EQ(s.cls, StreamClass::kOk);
  }
}

TEST_F(HealthTest, TwoCheckersRepairALostStreamExactlyOnce) {
  RunFor(minutes(5));
  auto all = backend_->queue()->Receive(10, minutes(5), Duration(0));
  for (const auto& m : *all) ASSERT_TRUE(backend_->queue()->Delete(m.receipt).ok());
  clock_.Advance(minutes(20));
  auto one = Checker({spec_});
  auto two = Checker({spec_});
  auto r1 = one->Check();
  auto r2 = two->Check();
  auto a1 = one->Repair(*r1, false);
  auto a2 = two->Repair(*r2, false);
  int done = 0, lost = 0;
  for (const auto& a : a1) done += a.done, lost += a.code == codes::kRepairLost;
  for (const auto& a : a2) done += a.done, lost += a.code == codes::kRepairLost;
  EXPECT_EQ(done, 2) << "one repair per stream";
  EXPECT_EQ(lost, 2);
  EXPECT_EQ(QueueSize(), 2);
}

TEST_F(HealthTest, DryRunChangesNothingAndPerCollectorThresholdsApply) {
  RunFor(minutes(5));
  auto all = backend_->queue()->Receive(10, minutes(5), Duration(0));
  for (const auto& m : *all) ASSERT_TRUE(backend_->queue()->Delete(m.receipt).ok());
  clock_.Advance(minutes(5));
  EXPECT_TRUE(Check({spec_}).healthy) << "within the default stall_after";
  CollectorSpec strict = spec_;
  strict.stall_after = minutes(2);
  HealthReport r = Check({strict});
  EXPECT_FALSE(r.healthy);
  EXPECT_EQ(r.collectors[0].code, codes::kCollectorStopped);
  auto actions = Checker({strict})->Repair(r, /*dry_run=*/true);
  EXPECT_EQ(actions.size(), 2u);
  for (const auto& a : actions) EXPECT_FALSE(a.done);
  EXPECT_EQ(QueueSize(), 0);
  EXPECT_EQ(backend_->store()->GetStream("c1", "a")->value().epoch, 1);
}

}  // namespace
}  // namespace paws
