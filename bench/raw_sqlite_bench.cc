// The raw rate of the SQLite transaction shape of the cycle: the same
// statements on the same schema and pragmas as the sqlite backend, issued
// straight through SQLiteCpp from one thread, with no paws code in between.
// The argument is how many cycles share a dedup and a commit transaction:
// 1 is one cycle at a time, 10 is what the runtime does with a received
// batch of 10. It is the baseline BM_RuntimeCycles is compared with
// (docs/benchmarks.md).

#include <SQLiteCpp/SQLiteCpp.h>
#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>

#include "backends/sqlite/sqlite_backend.h"

namespace paws {
namespace {

constexpr int kStreams = 256;
constexpr int kCyclesPerIteration = 20000;

int64_t NowMs() { return ToUnixMillis(Clock::System()->Now()); }

void BM_RawSqliteCycleShape(benchmark::State& state) {
  char tmpl[] = "/tmp/paws-raw-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string path = dir + "/raw.db";
  {
    // Let the backend create the schema and set its persistent pragmas.
    SqliteOptions o;
    o.path = path;
    auto backend = MakeSqliteBackend(o, Clock::System());
    if (!backend.ok()) return state.SkipWithError(backend.status().ToString().c_str());
  }
  SQLite::Database db(path, SQLite::OPEN_READWRITE, 5000);
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA wal_autocheckpoint = 10000");
  db.exec("PRAGMA cache_size = -16000");
  const std::string body =
      R"({"collector_id":"bench","epoch":1,"seq":1,"retry_count":0,"priv_collector_state":{"stream":"sX"}})";
  {
    SQLite::Transaction tx(db);
    for (int i = 0; i < kStreams; ++i) {
      SQLite::Statement ins(db,
                            "INSERT INTO stream_rows (collector_id, stream, epoch, seq, checkpoint, "
                            "last_status, last_error, retry_count, due_at, first_seen) VALUES "
                            "('bench', ?1, 1, 0, '{}', 'NEW', '', 0, 0, 0)");
      ins.bind(1, "s" + std::to_string(i));
      ins.exec();
      SQLite::Statement q(db,
                          "INSERT INTO queue (id, body, sent_at, visible_at, receipt, "
                          "receive_count) VALUES (?1, ?2, ?3, 0, NULL, 0)");
      q.bind(1, "m" + std::to_string(i));
      q.bind(2, body);
      q.bind(3, NowMs());
      q.exec();
    }
    tx.commit();
  }
  SQLite::Statement begin(db, "BEGIN IMMEDIATE"), commit(db, "COMMIT");
  SQLite::Statement due(db,
                        "SELECT seq, id, body, sent_at, receive_count FROM queue WHERE "
                        "visible_at <= ?1 ORDER BY visible_at, seq LIMIT 10");
  SQLite::Statement deliver(db,
                            "UPDATE queue SET visible_at = ?1, receipt = ?2, receive_count = "
                            "receive_count + 1 WHERE seq = ?3");
  SQLite::Statement get(db, "SELECT * FROM stream_rows WHERE collector_id = 'bench' AND stream = ?1");
  SQLite::Statement ins_rec(db,
                            "INSERT INTO state_records (collector_id, message_id, cid, "
                            "expire_date, updated, status, stream, reason) VALUES ('bench', ?1, "
                            "'', ?2, ?3, 'INCOMPLETE', ?4, '')");
  SQLite::Statement attempt(db,
                            "UPDATE stream_rows SET last_attempt = ?1 WHERE collector_id = "
                            "'bench' AND stream = ?2");
  SQLite::Statement claim(db,
                          "UPDATE stream_rows SET seq = seq + 1, checkpoint = ?1, last_success = "
                          "?2, last_status = 'OK', retry_count = 0, due_at = ?2 WHERE "
                          "collector_id = 'bench' AND stream = ?3");
  SQLite::Statement enqueue(db,
                            "INSERT INTO queue (id, body, sent_at, visible_at, receipt, "
                            "receive_count) VALUES (?1, ?2, ?3, ?3, NULL, 0)");
  SQLite::Statement complete(db,
                             "UPDATE state_records SET status = 'COMPLETE', updated = ?1, "
                             "expire_date = ?2 WHERE collector_id = 'bench' AND message_id = ?3");
  SQLite::Statement remove(db, "DELETE FROM queue WHERE seq = ?1 AND receipt = ?2");
  auto exec = [](SQLite::Statement& s) {
    s.exec();
    s.reset();
  };
  int64_t total = 0, next_id = 0;
  for (auto _ : state) {
    int64_t done = 0;
    while (done < kCyclesPerIteration) {
      struct Msg {
        int64_t seq;
        std::string id, receipt;
      };
      std::vector<Msg> batch;
      int64_t now = NowMs();
      exec(begin);
      due.bind(1, now);
      while (due.executeStep()) {
        batch.push_back({due.getColumn(0).getInt64(), due.getColumn(1).getString(),
                         "r" + std::to_string(next_id++)});
      }
      due.reset();
      for (const auto& m : batch) {
        deliver.bind(1, now + 900000);
        deliver.bind(2, m.receipt);
        deliver.bind(3, m.seq);
        exec(deliver);
      }
      exec(commit);
      // Per message, the stream row read; then the dedup writes of the
      // group in one transaction and their commits in another (`group`
      // messages a transaction, as the runtime batches them).
      const size_t group = static_cast<size_t>(state.range(0));
      for (size_t from = 0; from < batch.size(); from += group) {
        size_t to = std::min(batch.size(), from + group);
        std::vector<std::string> streams;
        for (size_t i = from; i < to; ++i) {
          streams.push_back("s" + std::to_string(batch[i].seq % kStreams));
          get.bind(1, streams.back());
          while (get.executeStep()) {
          }
          get.reset();
        }
        now = NowMs();
        exec(begin);
        for (size_t i = from; i < to; ++i) {
          ins_rec.bind(1, batch[i].id);
          ins_rec.bind(2, now + int64_t{14} * 86400000);
          ins_rec.bind(3, now);
          ins_rec.bind(4, streams[i - from]);
          exec(ins_rec);
          attempt.bind(1, now);
          attempt.bind(2, streams[i - from]);
          exec(attempt);
        }
        exec(commit);
        exec(begin);
        for (size_t i = from; i < to; ++i) {
          const std::string& stream = streams[i - from];
          claim.bind(1, "{\"stream\":\"" + stream + "\"}");
          claim.bind(2, now);
          claim.bind(3, stream);
          exec(claim);
          enqueue.bind(1, "n" + std::to_string(next_id++));
          enqueue.bind(2, body);
          enqueue.bind(3, now);
          exec(enqueue);
          complete.bind(1, now);
          complete.bind(2, now + int64_t{14} * 86400000);
          complete.bind(3, batch[i].id);
          exec(complete);
          remove.bind(1, batch[i].seq);
          remove.bind(2, batch[i].receipt);
          exec(remove);
          ++done;
        }
        exec(commit);
      }
    }
    total += done;
  }
  state.counters["cycles_per_sec"] =
      benchmark::Counter(static_cast<double>(total), benchmark::Counter::kIsRate);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_RawSqliteCycleShape)->Arg(1)->Arg(10)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace paws
