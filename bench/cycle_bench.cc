// Cycles per second of the runtime on the SQLite backend with a no-op
// source and sink, beside the rate of the backend driven directly (the same
// calls, one thread, no runtime) measured in the same run.
//
//   ./build/default/bench/paws_bench --benchmark_counters_tabular=true
//
// Each benchmark reports `cycles_per_sec`; compare rows of one run only.

#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <thread>

#include "backends/open_backend.h"
#include "core/cycle.h"
#include "core/registration.h"
#include "core/worker_pool.h"

namespace paws {
namespace {

constexpr int kStreams = 256;
constexpr int kCyclesPerIteration = 20000;

class NoopSource : public Source {
 public:
  Result<std::string> InitialState(const std::string& stream) override {
    return "{\"stream\":\"" + stream + "\"}";
  }
  Result<PollResult> Poll(const std::string& state_json, MonoTime) override {
    PollResult r;
    r.next_state_json = state_json;
    return r;
  }
};

class NoopSink : public Sink {
 public:
  Status Write(const SinkBatch&) override { return Status::Ok(); }
};

struct Fixture {
  std::string dir;
  std::unique_ptr<Backend> backend;
  std::unique_ptr<CollectorSet> collectors;

  Fixture() {
    char tmpl[] = "/tmp/paws-bench-XXXXXX";
    dir = mkdtemp(tmpl);
    StoreOptions o;
    o.path = dir + "/bench.db";
    backend = std::move(OpenBackend(o, Clock::System())).value();
    CollectorSpec spec;
    spec.id = "bench";
    spec.type = "noop";
    for (int i = 0; i < kStreams; ++i) spec.streams.push_back("s" + std::to_string(i));
    std::map<std::string, CollectorSet::Entry> entries;
    entries.emplace("bench", CollectorSet::Entry{spec, std::make_unique<NoopSource>()});
    collectors = std::make_unique<CollectorSet>(std::move(entries));
    (void)RegisterCollectors(backend.get(), *collectors, Clock::System());
  }
  ~Fixture() {
    backend.reset();
    std::filesystem::remove_all(dir);
  }
};

// The runtime: N workers, each receiving batches of 10 and running the cycle.
void BM_RuntimeCycles(benchmark::State& state) {
  Fixture fx;
  NoopSink sink;
  RuntimeOptions opts;
  opts.workers = static_cast<int>(state.range(0));
  opts.receive_batch = static_cast<int>(state.range(1));
  opts.receive_wait = std::chrono::milliseconds(5);
  CycleCounters counters;
  CycleRunner runner(fx.backend.get(), fx.collectors.get(), &sink, Clock::System(), opts,
                     &counters);
  int64_t total = 0;
  for (auto _ : state) {
    int64_t target = counters.committed.load() + kCyclesPerIteration;
    WorkerPool pool(fx.backend->queue(), &runner, opts);
    pool.Start();
    while (counters.committed.load() < target) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    pool.Stop();
    total += kCyclesPerIteration;
  }
  state.counters["cycles_per_sec"] = benchmark::Counter(static_cast<double>(total),
                                                        benchmark::Counter::kIsRate);
  state.counters["failed"] = static_cast<double>(counters.failed.load());
}
BENCHMARK(BM_RuntimeCycles)
    ->ArgNames({"workers", "batch"})
    ->Args({1, 10})
    ->Args({2, 10})
    ->Args({4, 10})
    ->Args({8, 10})
    ->Args({1, 1})
    ->Args({2, 50})
    ->UseRealTime()->Unit(benchmark::kMillisecond);

// The same backend calls the runtime makes for a batch (receive 10, read
// the stream rows, acquire the records together, commit them together),
// from one thread, with no runtime around them. batched_reads:0 reads each
// row on its own (GetStream), batched_reads:1 all of them in one call
// (GetStreams).
void BM_BackendDirect(benchmark::State& state) {
  const bool batched_reads = state.range(0) != 0;
  Fixture fx;
  Clock* clock = Clock::System();
  int64_t total = 0;
  for (auto _ : state) {
    int64_t done = 0;
    while (done < kCyclesPerIteration) {
      auto batch = fx.backend->queue()->Receive(10, std::chrono::seconds(900), Duration(0));
      if (!batch.ok()) {
        state.SkipWithError(batch.status().ToString().c_str());
        return;
      }
      WallTime now = clock->Now();
      std::vector<StateMessage> msgs;
      std::vector<std::string> streams;
      std::vector<std::pair<std::string, std::string>> keys;
      std::vector<StateRecord> recs;
      for (const auto& m : *batch) {
        msgs.push_back(*ParseStateMessage(m.body));
        streams.push_back(StateStringField(msgs.back().state_json, "stream"));
        if (batched_reads) {
          keys.emplace_back("bench", streams.back());
        } else {
          (void)fx.backend->store()->GetStream("bench", streams.back());
        }
        recs.push_back(StateRecord{"bench", m.id, "", now + kStateRecordTtl, now,
                                   RecordStatus::kIncomplete, streams.back(), ""});
      }
      if (batched_reads) (void)fx.backend->store()->GetStreams(keys);
      (void)fx.backend->store()->AcquireRecords(recs, std::chrono::seconds(900));
      std::vector<CycleCommit> commits;
      for (size_t i = 0; i < batch->size(); ++i) {
        const StateMessage& sm = msgs[i];
        CycleCommit c;
        c.claim = ClaimUpdate{"bench", streams[i], sm.epoch, sm.seq, sm.state_json, now, now};
        StateMessage next = sm;
        next.seq++;
        c.successor_body = SerializeStateMessage(next);
        c.message_id = (*batch)[i].id;
        c.receipt = (*batch)[i].receipt;
        commits.push_back(std::move(c));
      }
      for (const Status& st : fx.backend->CommitCycles(commits)) {
        if (!st.ok()) return state.SkipWithError(st.ToString().c_str());
        ++done;
      }
    }
    total += done;
  }
  state.counters["cycles_per_sec"] = benchmark::Counter(static_cast<double>(total),
                                                        benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BackendDirect)
    ->ArgName("batched_reads")
    ->Arg(0)
    ->Arg(1)
    ->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace paws

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
