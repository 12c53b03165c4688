#include "backends/sqlite/sqlite_backend.h"

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "backends/sqlite/sqlite_db.h"
#include "paws/codes.h"
#include "testing/backend_conformance.h"
#include "paws/clock.h"

namespace paws {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

// A directory of this process's databases, made on first use and removed
// at exit (listing the tests makes none).
class TempDir {
 public:
  static TempDir& Get() {
    static TempDir dir;
    return dir;
  }
  // A path no other test uses.
  std::string NewPath(const std::string& stem) {
    return (path_ / (stem + "-" + std::to_string(++n_) + ".db")).string();
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }

 private:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "paws-sqlite-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    path_ = tmpl;
  }
  fs::path path_;
  std::atomic<int> n_{0};
};

std::unique_ptr<Backend> Open(const std::string& path, Clock* clock) {
  SqliteOptions o;
  o.path = path;
  auto b = MakeSqliteBackend(o, clock);
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  return b.ok() ? std::move(b).value() : nullptr;
}

}  // namespace
}  // namespace paws

PAWS_INSTANTIATE_CONFORMANCE(Sqlite, (::paws::conformance::BackendParam{
                                         "sqlite", [](::paws::FakeClock* clock) {
                                           return ::paws::Open(
                                               ::paws::TempDir::Get().NewPath("conformance"),
                                               clock);
                                         }}))

namespace paws {
namespace {

class SqliteBackendTest : public ::testing::Test {
 protected:
  std::string path_ = TempDir::Get().NewPath("backend");
  FakeClock clock_;
};

TEST_F(SqliteBackendTest, DataSurvivesReopening) {
  StreamRow row;
  row.collector_id = "c1";
  row.stream = "a";
  row.epoch = 1;
  row.checkpoint = "{}";
  row.due_at = clock_.Now();
  row.first_seen = clock_.Now();
  std::string receipt;
  {
    auto b = Open(path_, &clock_);
    ASSERT_NE(b, nullptr);
    ASSERT_TRUE(b->SeedStream({row, "m(1,1)", Duration(0)}).ok());
    ASSERT_TRUE(b->queue()->Send("poison", Duration(0)).ok());
    auto got = b->queue()->Receive(10, seconds(900), Duration(0));
    ASSERT_TRUE(got.ok() && got->size() == 2u);
    ASSERT_TRUE(b->queue()->MoveToDeadLetter((*got)[1].receipt, "bad").ok());
    receipt = (*got)[0].receipt;
    ASSERT_TRUE(b->store()
                    ->SetRecordStatus("c1", (*got)[0].id, "a", RecordStatus::kFailed,
                                      clock_.Now(), "why")
                    .ok());
  }
  auto b = Open(path_, &clock_);
  ASSERT_NE(b, nullptr);
  auto rows = b->store()->ListAllStreams();
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0], row);
  auto counts = b->queue()->Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->in_flight, 1);
  EXPECT_EQ(counts->dead, 1);
  auto records = b->store()->ListRecords("c1");
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].reason, "why");
  // A receipt outlives the process that received the message.
  EXPECT_TRUE(b->queue()->Delete(receipt).ok());
  EXPECT_EQ(b->queue()->Counts()->in_flight, 0);
}

TEST_F(SqliteBackendTest, TwoInstancesShareTheFile) {
  auto a = Open(path_, &clock_);
  auto b = Open(path_, &clock_);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  ASSERT_TRUE(a->queue()->Send("from a", Duration(0)).ok());
  auto got = b->queue()->Receive(10, seconds(900), Duration(0));
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_TRUE(a->queue()->Receive(10, seconds(900), Duration(0))->empty());
  EXPECT_TRUE(a->queue()->Delete((*got)[0].receipt).ok());
  EXPECT_EQ(b->queue()->Counts()->in_flight, 0);

  StreamRow row;
  row.collector_id = "c1";
  row.stream = "a";
  row.epoch = 1;
  row.due_at = clock_.Now();
  row.first_seen = clock_.Now();
  ASSERT_TRUE(a->store()->CreateStream(row).ok());
  EXPECT_EQ(b->store()->CreateStream(row).code(), StatusCode::kConflict);
  ASSERT_TRUE(b->store()->ClaimStream({"c1", "a", 1, 1, "{}", clock_.Now(), clock_.Now()}).ok());
  EXPECT_EQ(a->store()->GetStream("c1", "a")->value().seq, 1);
  EXPECT_EQ(a->store()->ClaimStream({"c1", "a", 1, 1, "{}", clock_.Now(), clock_.Now()}).code(),
            StatusCode::kConflict);
}

TEST_F(SqliteBackendTest, RacingClaimsAcrossInstancesExactlyOneWins) {
  constexpr int kInstances = 4;
  std::vector<std::unique_ptr<Backend>> bs;
  for (int i = 0; i < kInstances; ++i) bs.push_back(Open(path_, &clock_));
  StreamRow row;
  row.collector_id = "c1";
  row.stream = "a";
  row.epoch = 1;
  row.due_at = clock_.Now();
  row.first_seen = clock_.Now();
  ASSERT_TRUE(bs[0]->store()->CreateStream(row).ok());
  std::atomic<int> ok{0}, lost{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kInstances; ++i) {
    threads.emplace_back([&, i] {
      StatusCode c =
          bs[i]->store()->ClaimStream({"c1", "a", 1, 1, "{}", clock_.Now(), clock_.Now()}).code();
      if (c == StatusCode::kOk) ++ok;
      if (c == StatusCode::kConflict) ++lost;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(lost.load(), kInstances - 1);
}

// Concurrent commits may share one transaction (group commit); a writer
// that fails must take only its own writes back.
TEST_F(SqliteBackendTest, ConcurrentCommitsFailAlone) {
  auto b = Open(path_, &clock_);
  ASSERT_NE(b, nullptr);
  constexpr int kStreams = 16;
  std::vector<QueueMessage> msgs;
  for (int i = 0; i < kStreams; ++i) {
    StreamRow row;
    row.collector_id = "c1";
    row.stream = "s" + std::to_string(i);
    row.epoch = 1;
    row.due_at = clock_.Now();
    row.first_seen = clock_.Now();
    ASSERT_TRUE(b->SeedStream({row, row.stream, Duration(0)}).ok());
  }
  auto got = b->queue()->Receive(kStreams, seconds(900), Duration(0));
  ASSERT_TRUE(got.ok() && got->size() == static_cast<size_t>(kStreams));
  std::vector<Status> results(kStreams);
  std::vector<std::thread> threads;
  for (int i = 0; i < kStreams; ++i) {
    threads.emplace_back([&, i] {
      const QueueMessage& m = (*got)[i];
      CycleCommit c;
      c.claim = ClaimUpdate{"c1", m.body, 1, 1, "{}", clock_.Now(), clock_.Now()};
      c.successor_body = m.body + "-next";
      c.message_id = m.id;
      // Odd streams commit with a stale receipt: kNotFound, all undone.
      c.receipt = i % 2 ? m.receipt + "0" : m.receipt;
      results[i] = b->CommitCycle(c);
    });
  }
  for (auto& t : threads) t.join();
  auto all = b->queue()->ListAll();
  ASSERT_TRUE(all.ok());
  std::set<std::string> bodies;
  for (const auto& m : *all) bodies.insert(m.body);
  for (int i = 0; i < kStreams; ++i) {
    const std::string s = "s" + std::to_string(i);
    auto row = b->store()->GetStream("c1", s);
    ASSERT_TRUE(row.ok() && row->has_value());
    if (i % 2) {
      EXPECT_EQ(results[i].code(), StatusCode::kNotFound) << s;
      EXPECT_EQ((*row)->seq, 0) << s;
      EXPECT_TRUE(bodies.count(s)) << s;
      EXPECT_FALSE(bodies.count(s + "-next")) << s;
    } else {
      EXPECT_TRUE(results[i].ok()) << s << " " << results[i].ToString();
      EXPECT_EQ((*row)->seq, 1) << s;
      EXPECT_FALSE(bodies.count(s)) << s;
      EXPECT_TRUE(bodies.count(s + "-next")) << s;
    }
  }
  EXPECT_EQ(all->size(), static_cast<size_t>(kStreams));
}

// One batch commit with a success, a stale receipt (fails after writing:
// undone), a lost claim (kConflict: only the deletion kept), a success and
// another stale receipt: each cycle ends as if committed alone.
TEST_F(SqliteBackendTest, CommitCyclesFailAloneInOneBatch) {
  auto b = Open(path_, &clock_);
  ASSERT_NE(b, nullptr);
  constexpr int kStreams = 5;
  for (int i = 0; i < kStreams; ++i) {
    StreamRow row;
    row.collector_id = "c1";
    row.stream = "s" + std::to_string(i);
    row.epoch = 1;
    row.due_at = row.first_seen = clock_.Now();
    ASSERT_TRUE(b->SeedStream({row, row.stream, Duration(0)}).ok());
  }
  auto got = b->queue()->Receive(kStreams, seconds(900), Duration(0));
  ASSERT_TRUE(got.ok() && got->size() == static_cast<size_t>(kStreams));
  std::vector<CycleCommit> cs;
  for (const QueueMessage& m : *got) {
    CycleCommit c;
    c.claim = ClaimUpdate{"c1", m.body, 1, 1, "{}", clock_.Now(), clock_.Now()};
    c.successor_body = m.body + "-next";
    c.message_id = m.id;
    c.receipt = m.receipt;
    cs.push_back(c);
  }
  auto index = [&](const std::string& s) { return std::stoi(s.substr(1)); };
  for (auto& c : cs) {
    int i = index(c.claim.stream);
    if (i == 1 || i == 4) c.receipt += "0";  // stale: kNotFound after the claim
    if (i == 2) c.claim.epoch = 7;           // lost claim
  }
  std::vector<Status> results = b->CommitCycles(cs);
  ASSERT_EQ(results.size(), cs.size());
  auto all = b->queue()->ListAll();
  ASSERT_TRUE(all.ok());
  std::set<std::string> bodies;
  for (const auto& m : *all) bodies.insert(m.body);
  for (size_t k = 0; k < cs.size(); ++k) {
    const std::string& s = cs[k].claim.stream;
    int i = index(s);
    auto row = b->store()->GetStream("c1", s);
    ASSERT_TRUE(row.ok() && row->has_value());
    auto rec = b->store()->GetRecord("c1", cs[k].message_id);
    ASSERT_TRUE(rec.ok());
    if (i == 1 || i == 4) {
      EXPECT_EQ(results[k].code(), StatusCode::kNotFound) << s;
      EXPECT_EQ((*row)->seq, 0) << s;
      EXPECT_TRUE(bodies.count(s)) << s;
      EXPECT_FALSE(bodies.count(s + "-next")) << s;
      EXPECT_FALSE(rec->has_value()) << s;
    } else if (i == 2) {
      EXPECT_EQ(results[k].code(), StatusCode::kConflict) << s;
      EXPECT_EQ((*row)->seq, 0) << s;
      EXPECT_FALSE(bodies.count(s)) << s;  // the deletion is kept
      EXPECT_FALSE(bodies.count(s + "-next")) << s;
    } else {
      EXPECT_TRUE(results[k].ok()) << s << " " << results[k].ToString();
      EXPECT_EQ((*row)->seq, 1) << s;
      EXPECT_FALSE(bodies.count(s)) << s;
      EXPECT_TRUE(bodies.count(s + "-next")) << s;
      ASSERT_TRUE(rec->has_value()) << s;
      EXPECT_EQ((*rec)->status, RecordStatus::kComplete) << s;
    }
  }
  EXPECT_EQ(all->size(), 4u);  // s1, s4 and the successors of s0, s3
}

// Db::WriteEach on its own: an item that fails (by Status or by exception)
// in the middle of a group is undone, those around it are kept, and a
// kConflict item keeps what it wrote.
TEST_F(SqliteBackendTest, WriteEachUndoesOnlyTheFailingItems) {
  auto db = sqlite::Db::Open(path_, milliseconds(1000));
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  sqlite::Db& d = **db;
  static constexpr const char* kInsert =
      "INSERT INTO dead_letters (id, body, reason, at) VALUES (?1, '', '', 0)";
  auto insert = [&d](const char* id) {
    SQLite::Statement& s = d.Prepare(kInsert);
    s.bind(1, id);
    s.exec();
  };
  std::vector<std::function<Status()>> fns = {
      [&] { insert("a"); return Status::Ok(); },
      [&]() -> Status { insert("b"); throw std::runtime_error("boom"); },
      [&] { insert("c"); return Status::Conflict("lost"); },
      [&] { insert("d"); return Status::Unavailable("later"); },
      [&] { insert("e"); return Status::Ok(); },
  };
  std::vector<Status> st = d.WriteEach("test", fns);
  ASSERT_EQ(st.size(), fns.size());
  EXPECT_TRUE(st[0].ok());
  EXPECT_EQ(st[1].code(), StatusCode::kInternal);
  EXPECT_EQ(st[2].code(), StatusCode::kConflict);
  EXPECT_EQ(st[3].code(), StatusCode::kUnavailable);
  EXPECT_TRUE(st[4].ok());
  std::vector<std::string> kept;
  ASSERT_TRUE(d.Run("list", [&] {
                 SQLite::Statement& s = d.Prepare("SELECT id FROM dead_letters ORDER BY id");
                 while (s.executeStep()) kept.push_back(s.getColumn(0).getString());
                 return Status::Ok();
               }).ok());
  EXPECT_EQ(kept, (std::vector<std::string>{"a", "c", "e"}));
  // All kept: one pass, nothing run twice.
  int runs = 0;
  st = d.WriteEach("test", {[&] { ++runs; insert("f"); return Status::Ok(); },
                            [&] { ++runs; return Status::Conflict("lost"); }});
  EXPECT_EQ(runs, 2);
  EXPECT_TRUE(st[0].ok());
  EXPECT_EQ(st[1].code(), StatusCode::kConflict);
}

TEST_F(SqliteBackendTest, WaitSeesSendOfAnotherInstance) {
  auto a = Open(path_, &clock_);
  auto b = Open(path_, &clock_);
  std::thread sender([&] {
    std::this_thread::sleep_for(milliseconds(100));
    EXPECT_TRUE(a->queue()->Send("late", Duration(0)).ok());
  });
  auto start = Clock::System()->MonotonicNow();
  auto got = b->queue()->Receive(10, seconds(30), seconds(2));
  auto took = Clock::System()->MonotonicNow() - start;
  sender.join();
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->size(), 1u);
  EXPECT_LT(took, milliseconds(1500));
}

TEST_F(SqliteBackendTest, CreatesParentDirectories) {
  std::string nested = path_ + ".d/x/y/paws.db";
  EXPECT_NE(Open(nested, &clock_), nullptr);
  EXPECT_TRUE(fs::exists(nested));
}

TEST_F(SqliteBackendTest, UsesWriteAheadLog) {
  auto b = Open(path_, &clock_);
  ASSERT_NE(b, nullptr);
  SQLite::Database peek(path_, SQLite::OPEN_READONLY);
  EXPECT_EQ(peek.execAndGet("PRAGMA journal_mode").getString(), "wal");
  EXPECT_EQ(peek.execAndGet("PRAGMA user_version").getInt(), 1);
}

TEST_F(SqliteBackendTest, NotADatabaseIsCorrupt) {
  {
    std::ofstream f(path_);
    f << "this is not an SQLite database, just some text that is long enough to have a header"
      << std::string(200, 'x');
  }
  SqliteOptions o;
  o.path = path_;
  auto b = MakeSqliteBackend(o, &clock_);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().paws_code(), codes::kStoreCorrupt);
  EXPECT_NE(b.status().message().find(path_), std::string::npos) << b.status().ToString();
}

TEST_F(SqliteBackendTest, ForeignDatabaseIsRefused) {
  {
    SQLite::Database other(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    other.exec("CREATE TABLE customers (id INTEGER)");
  }
  SqliteOptions o;
  o.path = path_;
  auto b = MakeSqliteBackend(o, &clock_);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().paws_code(), codes::kStoreCorrupt);
}

TEST_F(SqliteBackendTest, NewerSchemaIsRefused) {
  ASSERT_NE(Open(path_, &clock_), nullptr);
  {
    SQLite::Database db(path_, SQLite::OPEN_READWRITE);
    db.exec("PRAGMA user_version = 99");
  }
  SqliteOptions o;
  o.path = path_;
  auto b = MakeSqliteBackend(o, &clock_);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().paws_code(), codes::kStoreCorrupt);
  EXPECT_NE(b.status().message().find("99"), std::string::npos);
}

TEST_F(SqliteBackendTest, RejectsBadOptions) {
  SqliteOptions o;
  EXPECT_EQ(MakeSqliteBackend(o, &clock_).status().code(), StatusCode::kInvalidArgument);
  o.path = path_;
  EXPECT_EQ(MakeSqliteBackend(o, nullptr).status().code(), StatusCode::kInvalidArgument);
  o.retention = Duration(0);
  EXPECT_EQ(MakeSqliteBackend(o, &clock_).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SqliteBackendTest, RetentionIsConfigurable) {
  SqliteOptions o;
  o.path = path_;
  o.retention = std::chrono::hours(1);
  auto b = MakeSqliteBackend(o, &clock_);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)->queue()->retention(), std::chrono::hours(1));
}

}  // namespace
}  // namespace paws
