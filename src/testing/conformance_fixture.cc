#include "testing/conformance_fixture.h"

#include <thread>

namespace paws::conformance {

void PrintTo(const BackendParam& p, std::ostream* os) { *os << p.name; }

std::string BackendParamName(const ::testing::TestParamInfo<BackendParam>& info) {
  return info.param.name;
}

void BackendFixture::SetUp() {
  backend_ = GetParam().make(&clock_);
  // A factory may skip the test (GTEST_SKIP) when its server cannot start.
  if (IsSkipped()) return;
  ASSERT_NE(backend_, nullptr) << "the factory of " << GetParam().name << " returned null";
}

void BackendFixture::Pass(Duration d) {
  clock_.Advance(d);
  // The one real sleep of the suites: a server-time queue (SQS) runs its
  // delays and visibility timeouts on the server's own clock, which only
  // real time moves. Callers keep d to a few seconds.
  if (ServerTime()) std::this_thread::sleep_for(d);
}

std::string BackendFixture::Send(const std::string& body, Duration delay) {
  auto id = queue()->Send(body, delay);
  EXPECT_TRUE(id.ok()) << id.status().ToString();
  return id.ok() ? *id : std::string();
}

std::vector<QueueMessage> BackendFixture::ReceiveNow(int max, Duration visibility) {
  auto got = queue()->Receive(max, visibility, Duration(0));
  EXPECT_TRUE(got.ok()) << got.status().ToString();
  return got.ok() ? *got : std::vector<QueueMessage>{};
}

std::vector<std::string> BackendFixture::Bodies() {
  auto all = queue()->ListAll();
  EXPECT_TRUE(all.ok()) << all.status().ToString();
  std::vector<std::string> out;
  if (all.ok()) {
    for (const auto& m : *all) out.push_back(m.body);
  }
  return out;
}

std::vector<std::string> BackendFixture::Enqueued(Duration delay) {
  if (!ServerTime()) return Bodies();
  Pass(delay + std::chrono::milliseconds(300));
  std::vector<std::string> out;
  for (const auto& m : ReceiveNow()) out.push_back(m.body);
  return out;
}

QueueCounts BackendFixture::Counts() {
  auto c = queue()->Counts();
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : QueueCounts{};
}

std::optional<StreamRow> BackendFixture::Row(const std::string& collector_id,
                                             const std::string& stream) {
  auto r = store()->GetStream(collector_id, stream);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::nullopt;
}

std::optional<StateRecord> BackendFixture::Record(const std::string& collector_id,
                                                  const std::string& message_id) {
  auto r = store()->GetRecord(collector_id, message_id);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::nullopt;
}

StreamRow BackendFixture::MakeRow(const std::string& collector_id, const std::string& stream,
                                  int64_t epoch, int64_t seq) {
  StreamRow row;
  row.collector_id = collector_id;
  row.stream = stream;
  row.epoch = epoch;
  row.seq = seq;
  row.checkpoint = R"({"stream":")" + stream + R"(","n":0})";
  row.last_status = kStreamStatusNew;
  row.due_at = clock_.Now();
  row.first_seen = clock_.Now();
  return row;
}

StateRecord BackendFixture::MakeRecord(const std::string& collector_id,
                                       const std::string& message_id,
                                       const std::string& stream) {
  StateRecord rec;
  rec.collector_id = collector_id;
  rec.message_id = message_id;
  rec.cid = "cid-1";
  rec.updated = clock_.Now();
  rec.expire_date = rec.updated + kStateRecordTtl;
  rec.status = RecordStatus::kIncomplete;
  rec.stream = stream;
  return rec;
}

}  // namespace paws::conformance
