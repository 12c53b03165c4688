// Requests per cycle and cycles per second of the aws backend against the
// local DynamoDB and SQS servers (dynalite, fauxqs; tests/aws), beside the
// call shape of an upstream PAWS cycle driven directly, in the same run.
//
//   ./build/default/bench/paws_bench --benchmark_filter=Aws --benchmark_counters_tabular=true
//
// The servers are Node.js emulators on this machine: their latency is not
// AWS's. Requests per cycle carries over to AWS; cycles per second only as a
// ratio to BM_AwsRawUpstreamCycleShape of the same run (`vs_raw`).
// docs/benchmarks.md has the figures and what they mean.

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "backends/aws/aws_backend.h"
#include "backends/aws/dynamodb_table.h"
#include "backends/aws/sqs_admin.h"
#include "core/cycle.h"
#include "core/registration.h"
#include "core/worker_pool.h"
#include "testing/aws_local_servers.h"

namespace paws {
namespace {

using aws::AwsBackend;
using aws::AwsClients;
using aws::AwsEnv;
using aws::AwsJsonClient;
using nlohmann::json;

constexpr int kStreams = 64;
// Committed cycles measured per benchmark, after kWarmupCycles that are not.
constexpr int64_t kMeasuredCycles = 2000;
constexpr int64_t kWarmupCycles = 100;
// A benchmark that has not got there by then reports an error instead of
// hanging (the servers stalled, or every cycle fails).
constexpr Duration kGiveUpAfter = std::chrono::minutes(2);
constexpr Duration kVisibility = std::chrono::seconds(900);

// What upstream PAWS (alertlogic/paws-collector, paws_collector.js,
// handlePollRequest) sends to DynamoDB and SQS for one successful cycle:
//   1. SQS ReceiveMessage: the Lambda event source mapping of the state
//      queue (its handler takes event.Records[0], one state per invocation);
//   2. DynamoDB GetItem (ConsistentRead) of the state record
//      (checkStateSqsMessage);
//   3. DynamoDB PutItem of the record as INCOMPLETE (conditional on
//      attribute_not_exists in the current version) when it is new;
//   4. SQS SendMessage of the next state (_storeCollectionState);
//   5. DynamoDB UpdateItem of the record to COMPLETE (updateStateDBEntry);
//   6. SQS DeleteMessage: the event source mapping deletes the message when
//      the invocation succeeds.
// The issue speaks of five calls; the code makes six (the GetItem before
// the put). Not counted: the CloudWatch PutMetricData (CollectionDelay) it
// also sends per cycle when the state holds a timestamp.
constexpr int kUpstreamDynamoDbPerCycle = 3;
constexpr int kUpstreamSqsPerCycle = 3;
constexpr int kUpstreamPerCycle = kUpstreamDynamoDbPerCycle + kUpstreamSqsPerCycle;

// Cycles per second of BM_AwsRawUpstreamCycleShape when it ran earlier in
// this process (it is registered first), for the ratio of the runtime rows.
std::atomic<double> raw_cycles_per_sec{0};

// Dummy credentials and a region; nothing from the process environment or
// the shared AWS files.
AwsEnv BenchEnv() {
  AwsEnv env;
  env.getenv = [](const std::string& name) -> std::optional<std::string> {
    static const std::map<std::string, std::string> vars = {
        {"AWS_ACCESS_KEY_ID", "AKIDBENCH"},
        {"AWS_SECRET_ACCESS_KEY", "bench-secret"},
        {"AWS_REGION", "us-east-1"}};
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  env.read_file = [](const std::string&) -> Result<std::string> {
    return Status::NotFound("No such file or directory");
  };
  return env;
}

// [store] for a table and queue of their own on the local servers, created
// as `paws aws init` creates them. On error the Status says why (the
// servers' own reason when they cannot start).
Result<StoreOptions> FreshTableAndQueue(const std::string& prefix) {
  std::string why;
  testing_aws::AwsLocalServers* servers = testing_aws::SharedAwsLocalServers(&why);
  if (servers == nullptr) {
    return Status::Unavailable("local DynamoDB/SQS servers unavailable: " + why);
  }
  static std::atomic<int> n{0};
  StoreOptions o;
  o.backend = "aws";
  const std::string name = prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
  o.aws.table = name;
  o.aws.queue = name;
  o.aws.dynamodb_endpoint = servers->endpoints().dynamodb;
  o.aws.sqs_endpoint = servers->endpoints().sqs;
  PAWS_ASSIGN_OR_RETURN(AwsClients c, aws::ConnectAws(o, BenchEnv()));
  PAWS_RETURN_IF_ERROR(aws::EnsureStateTable(*c.dynamodb, o.aws.table, [](Duration) {}).status());
  PAWS_RETURN_IF_ERROR(
      aws::EnsureStateQueue(*c.sqs, o.aws.queue, kVisibility, o.retention).status());
  return o;
}

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

// The DynamoDB and SQS request counters and the committed cycles at one
// moment.
struct Snapshot {
  int64_t dynamodb = 0;
  int64_t sqs = 0;
  int64_t cycles = 0;
  MonoTime at{};
};

void ReportRequests(benchmark::State& state, const Snapshot& from, const Snapshot& to) {
  const double cycles = static_cast<double>(to.cycles - from.cycles);
  const double seconds = std::chrono::duration<double>(to.at - from.at).count();
  const double ddb = static_cast<double>(to.dynamodb - from.dynamodb) / cycles;
  const double sqs = static_cast<double>(to.sqs - from.sqs) / cycles;
  state.counters["cycles_per_sec"] = cycles / seconds;
  state.counters["dynamodb_req_per_cycle"] = ddb;
  state.counters["sqs_req_per_cycle"] = sqs;
  state.counters["req_per_cycle"] = ddb + sqs;
  state.counters["upstream_req_per_cycle"] = kUpstreamPerCycle;
}

// The runtime (WorkerPool + CycleRunner) on AwsBackend: N workers receiving
// B messages at a time, 64 streams of one collector, a source that returns
// the same state at once (delay 0) and a sink that drops everything. One
// iteration: kWarmupCycles, then kMeasuredCycles timed and counted.
void BM_AwsRuntimeCycles(benchmark::State& state) {
  auto options = FreshTableAndQueue("paws-bench-runtime");
  if (!options.ok()) return state.SkipWithError(options.status().ToString().c_str());
  Clock* clock = Clock::System();
  auto made = aws::MakeAwsBackend(*options, clock, BenchEnv());
  if (!made.ok()) return state.SkipWithError(made.status().ToString().c_str());
  std::unique_ptr<AwsBackend> backend = std::move(made).value();

  CollectorSpec spec;
  spec.id = "aws-bench";
  spec.type = "noop";
  for (int i = 0; i < kStreams; ++i) spec.streams.push_back("s" + std::to_string(i));
  std::map<std::string, CollectorSet::Entry> entries;
  entries.emplace(spec.id, CollectorSet::Entry{spec, std::make_unique<NoopSource>()});
  CollectorSet collectors(std::move(entries));
  auto registered = RegisterCollectors(backend.get(), collectors, clock);
  if (!registered.ok()) return state.SkipWithError(registered.status().ToString().c_str());

  NoopSink sink;
  RuntimeOptions opts;
  opts.workers = static_cast<int>(state.range(0));
  opts.receive_batch = static_cast<int>(state.range(1));
  opts.visibility_timeout = kVisibility;
  // The runtime's default long poll (1 s): an empty receive waits for a
  // message instead of asking again at once.
  opts.receive_wait = std::chrono::seconds(1);
  CycleCounters counters;
  CycleRunner runner(backend.get(), &collectors, &sink, clock, opts, &counters);
  auto snapshot = [&] {
    return Snapshot{backend->dynamodb_requests(), backend->sqs_requests(),
                    counters.committed.load(), clock->MonotonicNow()};
  };
  const MonoTime give_up = clock->MonotonicNow() + kGiveUpAfter;
  // Waits until `target` cycles are committed; false when it gave up.
  auto wait_for = [&](int64_t target) {
    while (counters.committed.load() < target) {
      if (clock->MonotonicNow() > give_up) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
  };

  for (auto _ : state) {
    WorkerPool pool(backend->queue(), &runner, opts);
    pool.Start();
    bool done = wait_for(kWarmupCycles);
    const Snapshot from = snapshot();
    done = done && wait_for(from.cycles + kMeasuredCycles);
    const Snapshot to = snapshot();
    pool.Stop();
    if (!done) {
      return state.SkipWithError(("gave up after " + std::to_string(kGiveUpAfter.count()) +
                                  " ms with " + std::to_string(counters.committed.load()) +
                                  " cycles committed, " + std::to_string(counters.failed.load()) +
                                  " failed, " + std::to_string(counters.commit_errors.load()) +
                                  " backend errors")
                                     .c_str());
    }
    state.SetIterationTime(std::chrono::duration<double>(to.at - from.at).count());
    ReportRequests(state, from, to);
    const double raw = raw_cycles_per_sec.load();
    if (raw > 0) state.counters["vs_raw"] = state.counters["cycles_per_sec"].value / raw;
  }
  state.counters["failed"] = static_cast<double>(counters.failed.load());
  state.counters["backend_errors"] = static_cast<double>(counters.commit_errors.load());
}

// One upstream cycle (the six calls above) on a received message, with the
// clients directly: no paws store, queue or runtime. The record has
// upstream's attributes; the successor carries the same state.
Status RawUpstreamCycle(AwsJsonClient& ddb, AwsJsonClient& sqs, const std::string& table,
                        const std::string& url, const json& message) {
  const int64_t now_s =
      std::chrono::duration_cast<std::chrono::seconds>(Clock::System()->Now().time_since_epoch())
          .count();
  const std::string now = std::to_string(now_s);
  // Upstream's TTL: 14 days (DDB_TTL_DAYS).
  const std::string expire = std::to_string(now_s + 14 * 24 * 3600);
  const json key = {{"CollectorId", {{"S", "aws-bench"}}},
                    {"MessageId", {{"S", message.value("MessageId", "")}}}};
  PAWS_RETURN_IF_ERROR(
      ddb.Call("GetItem", {{"TableName", table}, {"Key", key}, {"ConsistentRead", true}}).status());
  json item = key;
  item["Updated"] = {{"N", now}};
  item["Cid"] = {{"S", "none"}};
  item["Status"] = {{"S", "INCOMPLETE"}};
  item["ExpireDate"] = {{"N", expire}};
  PAWS_RETURN_IF_ERROR(
      ddb.Call("PutItem",
               {{"TableName", table},
                {"Item", item},
                {"ConditionExpression",
                 "attribute_not_exists(CollectorId) AND attribute_not_exists(MessageId)"}})
          .status());
  PAWS_RETURN_IF_ERROR(
      sqs.Call("SendMessage",
               {{"QueueUrl", url}, {"MessageBody", message.value("Body", "")}, {"DelaySeconds", 0}})
          .status());
  PAWS_RETURN_IF_ERROR(
      ddb.Call("UpdateItem",
               {{"TableName", table},
                {"Key", key},
                {"UpdateExpression", "SET #U = :u, #C = :c, #S = :s"},
                {"ExpressionAttributeNames", {{"#U", "Updated"}, {"#C", "Cid"}, {"#S", "Status"}}},
                {"ExpressionAttributeValues",
                 {{":u", {{"N", now}}}, {":c", {{"S", "none"}}}, {":s", {{"S", "COMPLETE"}}}}}})
          .status());
  return sqs
      .Call("DeleteMessage",
            {{"QueueUrl", url}, {"ReceiptHandle", message.value("ReceiptHandle", "")}})
      .status();
}

// The baseline: upstream's cycle shape, one message at a time from one
// thread, 64 upstream-format state messages in the queue. Same cycle count,
// warm-up and counters as BM_AwsRuntimeCycles.
void BM_AwsRawUpstreamCycleShape(benchmark::State& state) {
  auto options = FreshTableAndQueue("paws-bench-raw");
  if (!options.ok()) return state.SkipWithError(options.status().ToString().c_str());
  auto clients = aws::ConnectAws(*options, BenchEnv());
  if (!clients.ok()) return state.SkipWithError(clients.status().ToString().c_str());
  AwsJsonClient& ddb = *clients->dynamodb;
  AwsJsonClient& sqs = *clients->sqs;
  auto url = aws::QueueUrlOf(sqs, options->aws.queue);
  if (!url.ok()) return state.SkipWithError(url.status().ToString().c_str());
  for (int i = 0; i < kStreams; ++i) {
    const json body = {{"priv_collector_state", {{"stream", "s" + std::to_string(i)}}},
                       {"retry_count", 0}};
    auto sent = sqs.Call("SendMessage", {{"QueueUrl", *url}, {"MessageBody", body.dump()}});
    if (!sent.ok()) return state.SkipWithError(sent.status().ToString().c_str());
  }
  Clock* clock = Clock::System();
  const MonoTime give_up = clock->MonotonicNow() + kGiveUpAfter;
  int64_t cycles = 0;
  // Runs cycles until `target`; an error says which call failed.
  auto run_until = [&](int64_t target) -> Status {
    while (cycles < target) {
      if (clock->MonotonicNow() > give_up) {
        return Status::DeadlineExceeded("gave up after " + std::to_string(cycles) + " cycles");
      }
      PAWS_ASSIGN_OR_RETURN(json got, sqs.Call("ReceiveMessage", {{"QueueUrl", *url},
                                                                  {"MaxNumberOfMessages", 1},
                                                                  {"VisibilityTimeout", 900},
                                                                  {"WaitTimeSeconds", 1}}));
      auto list = got.find("Messages");
      if (list == got.end() || !list->is_array() || list->empty()) continue;
      PAWS_RETURN_IF_ERROR(RawUpstreamCycle(ddb, sqs, options->aws.table, *url, (*list)[0]));
      ++cycles;
    }
    return Status::Ok();
  };
  auto snapshot = [&] {
    return Snapshot{ddb.requests_sent(), sqs.requests_sent(), cycles, clock->MonotonicNow()};
  };

  for (auto _ : state) {
    Status st = run_until(kWarmupCycles);
    const Snapshot from = snapshot();
    if (st.ok()) st = run_until(from.cycles + kMeasuredCycles);
    const Snapshot to = snapshot();
    if (!st.ok()) return state.SkipWithError(st.ToString().c_str());
    state.SetIterationTime(std::chrono::duration<double>(to.at - from.at).count());
    ReportRequests(state, from, to);
    raw_cycles_per_sec = state.counters["cycles_per_sec"].value;
  }
}

// Registered first: the runtime rows divide by its rate (`vs_raw`).
BENCHMARK(BM_AwsRawUpstreamCycleShape)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AwsRuntimeCycles)
    ->ArgNames({"workers", "batch"})
    ->Args({1, 1})
    ->Args({1, 10})
    ->Args({4, 10})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace paws
