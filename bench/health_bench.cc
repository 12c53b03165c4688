// The health check over 1,000,000 stream rows on the SQLite backend, with
// and without 14 days of state records (one a minute) behind a subset of
// the streams, beside a naive check that derives each stream's health from
// the state records (the proposal as written), measured in the same run.
//
//   ./build/default/bench/paws_bench --benchmark_filter=Health --benchmark_counters_tabular=true
//
// The two stores (rows only; rows and records) are built once, in /tmp,
// and shared by every benchmark of the run (about 5 s and 75 s to build
// here, 2.3 GB with history); docs/benchmarks.md has the figures.

#include <SQLiteCpp/SQLiteCpp.h>
#include <benchmark/benchmark.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>

#include "backends/sqlite/sqlite_backend.h"
#include "core/health.h"

namespace paws {
namespace {

constexpr int kCollectors = 100000;
constexpr int kHistoryCollectors = 50;  // their 500 streams have history
constexpr std::array<const char*, 10> kStreams = {
    "Account", "ApiEvent",     "Case",        "Contact", "EventLogFile",
    "Lead",    "LoginHistory", "Opportunity", "Task",    "User"};
constexpr Duration kInterval = std::chrono::seconds(60);  // one cycle, one record
constexpr Duration kHistory = std::chrono::hours(24 * 14);

// A stream's row: its last success and last attempt, and whether it is
// failing. 97 % ok, 1 % each of failing, stuck and ceased, spread over the
// collectors.
struct Shape {
  int64_t success, attempt;
  bool failing;
};
Shape ShapeOf(int64_t stream_index, int64_t now) {
  const int64_t minute = 60000, hour = 60 * minute, days2 = 48 * hour;
  switch (stream_index * 37 % 100) {
    case 1: return {now - hour, now - minute, true};     // failing
    case 2: return {now - hour, now - minute, false};    // stuck
    case 3: return {now - days2, now - days2, false};    // ceased
    default: return {now - minute, now - minute, false};  // ok
  }
}

std::string CollectorId(int c) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-0000-4000-8000-00000000beef", c);
  return buf;
}

// One store: 1M rows in the backend's own schema, loaded in bulk through
// SQLiteCpp, then opened with the sqlite backend for the checks.
struct HealthFixture {
  std::string dir;
  std::string error;  // setup failed when not empty
  FakeClock clock{FromUnixMillis(1767225600000) + kHistory};  // 2026-01-15
  std::vector<CollectorSpec> specs;
  std::unique_ptr<Backend> backend;
  int64_t records = 0;

  explicit HealthFixture(bool history) {
    char tmpl[] = "/tmp/paws-health-XXXXXX";
    dir = mkdtemp(tmpl);
    SqliteOptions o;
    o.path = dir + "/health.db";
    {
      auto created = MakeSqliteBackend(o, &clock);  // the schema and page size
      if (!created.ok()) {
        error = created.status().ToString();
        return;
      }
    }
    for (int c = 0; c < kCollectors; ++c) {
      CollectorSpec spec;
      spec.id = CollectorId(c);
      spec.type = "salesforce";
      spec.cid = "10000001";
      spec.streams.assign(kStreams.begin(), kStreams.end());
      specs.push_back(std::move(spec));
    }
    try {
      SQLite::Database db(o.path, SQLite::OPEN_READWRITE);
      db.exec("PRAGMA journal_mode = OFF");  // a bulk load; the backend turns WAL back on
      db.exec("PRAGMA synchronous = OFF");
      db.exec("PRAGMA cache_size = -262144");
      SQLite::Transaction tx(db);
      InsertRows(db);
      if (history) InsertRecords(db);
      tx.commit();
    } catch (const std::exception& e) {
      error = e.what();
      return;
    }
    auto opened = MakeSqliteBackend(o, &clock);
    if (!opened.ok()) {
      error = opened.status().ToString();
      return;
    }
    backend = std::move(opened).value();
  }
  ~HealthFixture() {
    backend.reset();
    std::filesystem::remove_all(dir);
  }

  void InsertRows(SQLite::Database& db) {
    const int64_t now = ToUnixMillis(clock.Now());
    const int64_t start = now - kHistory.count();
    SQLite::Statement ins(db,
                          "INSERT INTO stream_rows (collector_id, stream, epoch, seq, checkpoint, "
                          "last_success, last_attempt, last_status, last_error, last_error_at, "
                          "retry_count, due_at, first_seen) VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6, "
                          "?7, ?8, ?9, ?10, ?11, ?12)");
    for (int c = 0; c < kCollectors; ++c) {
      for (int s = 0; s < static_cast<int>(kStreams.size()); ++s) {
        const Shape sh = ShapeOf(int64_t{c} * 10 + s, now);
        ins.bind(1, specs[c].id);
        ins.bind(2, kStreams[s]);
        ins.bind(3, (sh.success - start) / kInterval.count() + 1);
        ins.bind(4, std::string("{\"stream\":\"") + kStreams[s] + "\",\"since\":\"" +
                        FormatRfc3339(FromUnixMillis(sh.success)) + "\"}");
        ins.bind(5, sh.success);
        ins.bind(6, sh.attempt);
        ins.bind(7, sh.failing ? kStreamStatusFailing : kStreamStatusOk);
        ins.bind(8, sh.failing ? "PAWS000402 upstream API: HTTP 503 Service Unavailable" : "");
        if (sh.failing) {
          ins.bind(9, sh.attempt);
        } else {
          ins.bind(9);
        }
        ins.bind(10, sh.failing ? 60 : 0);
        ins.bind(11, sh.success + kInterval.count());  // DueAt: a failure does not move it
        ins.bind(12, start);
        ins.exec();
        ins.reset();
      }
    }
  }

  // One record a minute for 14 days per stream of the first collectors,
  // consistent with each stream's row: up to its last success COMPLETE,
  // then FAILED (failing) or INCOMPLETE (stuck) up to its last attempt;
  // none after that (ceased). In time order, as the runtime writes them;
  // one INSERT ... SELECT, much faster than a statement per record.
  void InsertRecords(SQLite::Database& db) {
    const int64_t now = ToUnixMillis(clock.Now());
    SQLite::Statement ins(db, R"sql(
WITH RECURSIVE
  t(ms) AS (SELECT ?1 UNION ALL SELECT ms + ?2 FROM t WHERE ms + ?2 < ?3),
  s AS (SELECT collector_id, stream, last_success, last_attempt, last_status,
               row_number() OVER (ORDER BY collector_id, stream) AS n
        FROM stream_rows WHERE collector_id <= ?4)
INSERT INTO state_records (collector_id, message_id, cid, expire_date, updated, status, stream,
                           reason)
SELECT s.collector_id,
       printf('%08x-%04x-7%03x-8000-%012x', t.ms / 65536, t.ms % 65536, s.n % 4096, s.n),
       '10000001', t.ms + ?5, t.ms,
       CASE WHEN t.ms <= s.last_success THEN 'COMPLETE'
            WHEN s.last_status = 'FAILING' THEN 'FAILED' ELSE 'INCOMPLETE' END,
       s.stream,
       CASE WHEN t.ms > s.last_success AND s.last_status = 'FAILING'
            THEN 'PAWS000402 HTTP 503' ELSE '' END
FROM t CROSS JOIN s WHERE t.ms <= s.last_attempt)sql");
    ins.bind(1, now - kHistory.count());
    ins.bind(2, kInterval.count());
    ins.bind(3, now);
    ins.bind(4, specs[kHistoryCollectors - 1].id);
    ins.bind(5, kStateRecordTtl.count());
    records = ins.exec();
  }
};

HealthFixture* Fixture(bool history) {
  static std::array<std::unique_ptr<HealthFixture>, 2> fixtures;
  auto& f = fixtures[history ? 1 : 0];
  if (!f) f = std::make_unique<HealthFixture>(history);
  return f.get();
}

// The specs checked: all collectors, or (`subset`) only those with history.
std::vector<CollectorSpec> Specs(const HealthFixture& fx, bool subset) {
  size_t n = subset ? kHistoryCollectors : fx.specs.size();
  return {fx.specs.begin(), fx.specs.begin() + n};
}

void Report(benchmark::State& state, const HealthFixture& fx, int64_t streams,
            int64_t records_read, int64_t unhealthy) {
  state.counters["streams"] = static_cast<double>(streams);
  state.counters["rows"] = static_cast<double>(fx.specs.size() * kStreams.size());
  state.counters["records"] = static_cast<double>(fx.records);
  state.counters["records_read"] = static_cast<double>(records_read);
  state.counters["unhealthy"] = static_cast<double>(unhealthy);
  state.counters["streams_per_sec"] = benchmark::Counter(
      static_cast<double>(streams * state.iterations()), benchmark::Counter::kIsRate);
}

// paws: HealthChecker::Check on the sqlite backend (stream rows only).
void BM_HealthCheck(benchmark::State& state) {
  HealthFixture* fx = Fixture(state.range(0) != 0);
  if (!fx->error.empty()) return state.SkipWithError(fx->error.c_str());
  std::vector<CollectorSpec> specs = Specs(*fx, state.range(1) != 0);
  const int64_t streams = static_cast<int64_t>(specs.size() * kStreams.size());
  HealthChecker checker(fx->backend.get(), std::move(specs), nullptr, &fx->clock, HealthOptions{});
  int64_t unhealthy = 0;
  for (auto _ : state) {
    auto report = checker.Check();
    if (!report.ok()) return state.SkipWithError(report.status().ToString().c_str());
    unhealthy = 0;
    for (const auto& c : report->collectors) {
      for (const auto& s : c.streams) unhealthy += !s.healthy;
    }
  }
  Report(state, *fx, streams, 0, unhealthy);
}

struct Last {
  std::optional<WallTime> complete, failed, any;
};
void Later(std::optional<WallTime>* t, WallTime v) { *t = *t ? std::max(**t, v) : v; }

// The proposal as written: each stream's health from its state records.
// For each collector, all its records (StateStore::ListRecords); per stream
// the last COMPLETE one stands for LastSuccess (DueAt = it + the poll
// interval), the last FAILED one for LastErrorAt, the last of any for
// LastAttempt; then the thresholds of DESIGN.md. A stream without records
// cannot be told from one whose records expired: never_started.
void BM_HealthNaive(benchmark::State& state) {
  HealthFixture* fx = Fixture(state.range(0) != 0);
  if (!fx->error.empty()) return state.SkipWithError(fx->error.c_str());
  const std::vector<CollectorSpec> specs = Specs(*fx, state.range(1) != 0);
  const int64_t streams = static_cast<int64_t>(specs.size() * kStreams.size());
  const HealthOptions opts;
  int64_t unhealthy = 0, read = 0;
  for (auto _ : state) {
    const WallTime now = fx->clock.Now();
    unhealthy = read = 0;
    std::vector<StreamClass> classes;
    classes.reserve(streams);
    for (const CollectorSpec& spec : specs) {
      auto recs = fx->backend->store()->ListRecords(spec.id);
      if (!recs.ok()) return state.SkipWithError(recs.status().ToString().c_str());
      read += static_cast<int64_t>(recs->size());
      std::map<std::string, Last> last;
      for (const StateRecord& r : *recs) {
        Last& l = last[r.stream];
        Later(&l.any, r.updated);
        if (r.status == RecordStatus::kComplete) Later(&l.complete, r.updated);
        if (r.status == RecordStatus::kFailed) Later(&l.failed, r.updated);
      }
      for (const std::string& stream : spec.streams) {
        auto it = last.find(stream);
        StreamClass cls = StreamClass::kNeverStarted;
        if (it != last.end()) {
          const Last& l = it->second;
          if (l.complete && now <= *l.complete + spec.poll_interval + opts.stall_after) {
            cls = StreamClass::kOk;
          } else if (l.failed && now - *l.failed <= opts.stall_after) {
            cls = StreamClass::kFailing;
          } else if (now - *l.any <= opts.stall_after) {
            cls = StreamClass::kStuck;
          } else {
            cls = StreamClass::kCeased;
          }
        }
        classes.push_back(cls);
        unhealthy += cls != StreamClass::kOk;
      }
    }
    benchmark::DoNotOptimize(classes.data());
  }
  Report(state, *fx, streams, read, unhealthy);
}

// The store's part of the check alone, no classification: one ListStreams
// per collector (what Check does; by_collector:1), or one ListAllStreams
// for all (by_collector:0), the floor of reading 1M rows.
void BM_HealthStoreRead(benchmark::State& state) {
  HealthFixture* fx = Fixture(false);
  if (!fx->error.empty()) return state.SkipWithError(fx->error.c_str());
  StateStore* store = fx->backend->store();
  int64_t rows = 0;
  for (auto _ : state) {
    rows = 0;
    if (state.range(0) != 0) {
      for (const CollectorSpec& spec : fx->specs) {
        auto r = store->ListStreams(spec.id);
        if (!r.ok()) return state.SkipWithError(r.status().ToString().c_str());
        rows += static_cast<int64_t>(r->size());
      }
    } else {
      auto r = store->ListAllStreams();
      if (!r.ok()) return state.SkipWithError(r.status().ToString().c_str());
      rows = static_cast<int64_t>(r->size());
    }
  }
  Report(state, *fx, rows, 0, 0);
}

// history: 0 = rows only, 1 = rows + records; subset: 0 = all 1M streams,
// 1 = only the streams with history (kHistoryCollectors x 10).
BENCHMARK(BM_HealthCheck)
    ->ArgNames({"history", "subset"})
    ->Args({0, 0})
    ->Args({1, 0})
    ->Args({0, 1})
    ->Args({1, 1})
    ->Iterations(3)->UseRealTime()->Unit(benchmark::kMillisecond);
// Over all 1M streams with history it would read every record too: the
// subset shows the cost a stream with history adds.
BENCHMARK(BM_HealthNaive)
    ->ArgNames({"history", "subset"})
    ->Args({0, 0})
    ->Args({0, 1})
    ->Args({1, 1})
    ->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HealthStoreRead)
    ->ArgName("by_collector")
    ->Arg(1)
    ->Arg(0)
    ->Iterations(3)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace paws
