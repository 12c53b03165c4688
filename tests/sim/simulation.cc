#include "tests/sim/simulation.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "backends/memory/memory_backend.h"
#include "core/cycle.h"
#include "core/health.h"
#include "core/registration.h"
#include "paws/registry.h"
#include "sources/fake/fake_source.h"
#include "testing/fake_api_http_client.h"
#include "testing/faulty_backend.h"
#include "tools/fake_saas/fake_api.h"

namespace paws::sim {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

struct StreamRef {
  std::string collector;
  std::string tenant;
  std::string stream;
};
const StreamRef kStreams[] = {
    {"c1", "t1", "a"}, {"c1", "t1", "b"}, {"c2", "t2", "s"}, {"c3", "t3", "x"}};

class RecordingSink : public Sink {
 public:
  Status Write(const SinkBatch& b) override {
    for (const auto& e : b.events) ids[b.collector_id + "/" + b.stream].insert(e.id);
    return Status::Ok();
  }
  std::map<std::string, std::set<std::string>> ids;
};

class Sim {
 public:
  explicit Sim(const SimOptions& o) : opts_(o), rng_(o.seed), api_(&clock_, ApiOptions()) {}

  Result<SimReport> Run();

 private:
  static FakeApiOptions ApiOptions() {
    FakeApiOptions o;
    o.rate_per_minute = 6;
    return o;
  }
  Status Setup();
  void Step();
  void WorkerStep(bool faults);
  void HealthStep();
  void LoseAMessage();
  void ApiFault();
  void Quiet(Duration d);
  void Check(SimReport* report);
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  void Log(const std::string& s) {
    if (opts_.verbose) fmt::print(stderr, "[{}] {}\n", FormatRfc3339(clock_.Now()), s);
  }

  SimOptions opts_;
  std::mt19937_64 rng_;
  FakeClock clock_;
  FakeApi api_;
  FakeApiHttpClient http_{&api_};
  WallTime start_;
  double crash_p_ = 0.0;
  FaultyBackend* faulty_ = nullptr;
  std::unique_ptr<Backend> backend_;
  std::vector<CollectorSpec> specs_;
  std::unique_ptr<CollectorSet> collectors_;
  RecordingSink sink_;
  RuntimeOptions runtime_;
  HealthOptions health_;
  CycleCounters counters_;
  std::unique_ptr<CycleRunner> runner_;
  std::unique_ptr<HealthChecker> checker_;
  WallTime next_health_;
  int64_t repairs_ = 0;
};

Status Sim::Setup() {
  start_ = clock_.Now() - minutes(30);
  auto inner = MakeMemoryBackend(MemoryOptions{}, &clock_);
  if (!inner.ok()) return inner.status();
  auto faulty = std::make_unique<FaultyBackend>(std::move(inner).value(), [this](const char* op) {
    if (crash_p_ <= 0 || !Chance(crash_p_)) return FaultAction::kNone;
    FaultAction a = Chance(0.5) ? FaultAction::kCrashBefore : FaultAction::kCrashAfter;
    Log(fmt::format("crash {} {}", a == FaultAction::kCrashBefore ? "before" : "after", op));
    return a;
  });
  faulty_ = faulty.get();
  backend_ = std::move(faulty);
  http_.set_on_delay([this](Duration d) { clock_.Advance(d); });
  std::map<std::string, CollectorSpec> by_id;
  for (const auto& s : kStreams) {
    CollectorSpec& spec = by_id[s.collector];
    spec.id = s.collector;
    spec.type = "fake";
    spec.endpoint = http_.base_url() + "/t/" + s.tenant;
    spec.poll_interval = minutes(1);
    spec.streams.push_back(s.stream);
    spec.max_pages_per_cycle = 2;
    spec.collection_start = FormatRfc3339(start_);
    spec.params["limit"] = "4";
    spec.secret = Secret("sim-token");
  }
  SourceRegistry sources;
  RegisterBuiltinSources(&sources);
  for (auto& [id, spec] : by_id) specs_.push_back(spec);
  PAWS_ASSIGN_OR_RETURN(collectors_,
                        CollectorSet::Make(specs_, sources, SourceDeps{&clock_, &http_}));
  runtime_.visibility_timeout = minutes(2);
  runtime_.min_backoff = seconds(5);
  runtime_.max_backoff = minutes(1);
  runtime_.poll_timeout = seconds(30);
  health_.interval = minutes(5);
  health_.stall_after = minutes(10);
  health_.grace = minutes(15);
  runner_ = std::make_unique<CycleRunner>(backend_.get(), collectors_.get(), &sink_, &clock_,
                                          runtime_, &counters_);
  runner_->set_jitter_seed(opts_.seed);
  checker_ = std::make_unique<HealthChecker>(backend_.get(), specs_, collectors_.get(), &clock_,
                                             health_);
  next_health_ = clock_.Now();
  return RegisterCollectors(backend_.get(), *collectors_, &clock_).status();
}

// One worker receive and its batch, sometimes delivered twice or reordered.
void Sim::WorkerStep(bool faults) {
  int max = Uniform(1, 10);
  auto batch = backend_->queue()->Receive(max, runtime_.visibility_timeout, Duration(0));
  if (!batch.ok() || batch->empty()) {
    clock_.Advance(seconds(Uniform(1, 20)));
    return;
  }
  std::vector<QueueMessage> msgs = *batch;
  if (faults && Chance(0.2)) {
    std::reverse(msgs.begin(), msgs.end());
    Log("reordered a batch");
  }
  if (faults && Chance(0.1)) {
    // Duplicate delivery: the message comes back at once, to a second worker.
    (void)backend_->queue()->ChangeVisibility(msgs[0].receipt, Duration(0));
    auto again = backend_->queue()->Receive(1, runtime_.visibility_timeout, Duration(0));
    if (again.ok() && !again->empty()) {
      Log("duplicate delivery of " + (*again)[0].id);
      runner_->ProcessBatch(*again);
    }
  }
  runner_->ProcessBatch(msgs);
  clock_.Advance(seconds(Uniform(0, 3)));
}

void Sim::HealthStep() {
  auto report = checker_->Check();
  if (!report.ok()) return;
  for (const auto& a : checker_->Repair(*report, false)) {
    if (a.done) {
      ++repairs_;
      Log(a.message);
    }
  }
}

void Sim::LoseAMessage() {
  auto got = backend_->queue()->Receive(10, seconds(1), Duration(0));
  if (!got.ok() || got->empty()) return;
  size_t victim = static_cast<size_t>(Uniform(0, static_cast<int>(got->size()) - 1));
  for (size_t i = 0; i < got->size(); ++i) {
    if (i == victim) {
      (void)backend_->queue()->Delete((*got)[i].receipt);
      Log("lost message " + (*got)[i].id);
    } else {
      (void)backend_->queue()->ChangeVisibility((*got)[i].receipt, Duration(0));
    }
  }
}

void Sim::ApiFault() {
  const StreamRef& s = kStreams[Uniform(0, std::size(kStreams) - 1)];
  FakeFault f;
  f.tenant = s.tenant;
  f.stream = Chance(0.5) ? s.stream : "";
  const FakeFaultKind kinds[] = {FakeFaultKind::k401, FakeFaultKind::k429, FakeFaultKind::k500,
                                 FakeFaultKind::kSlow, FakeFaultKind::kMalformed};
  f.kind = kinds[Uniform(0, 4)];
  f.count = Uniform(1, 6);
  f.retry_after_sec = Uniform(1, 30);
  f.delay_ms = Uniform(100, 40000);
  (void)api_.SetFault(f);
  Log(fmt::format("api fault {} on {}/{} x{}", static_cast<int>(f.kind), f.tenant, f.stream,
                  f.count));
}

void Sim::Step() {
  int r = Uniform(0, 99);
  if (r < 60) {
    WorkerStep(true);
  } else if (r < 72) {
    clock_.Advance(seconds(Uniform(1, 60)));
  } else if (r < 76) {
    // A clock jump of the wall clock only, either way.
    clock_.SetWall(clock_.Now() + seconds(Uniform(-20, 20)));
    Log("wall clock jump");
  } else if (r < 80) {
    HealthStep();
  } else if (r < 83) {
    LoseAMessage();
  } else if (r < 90) {
    ApiFault();
  }
  if (clock_.Now() >= next_health_) {
    HealthStep();
    next_health_ = clock_.Now() + health_.interval;
  }
}

// No faults: workers take every due message, the health check runs on its
// schedule, for `d` of simulated time.
void Sim::Quiet(Duration d) {
  WallTime end = clock_.Now() + d;
  while (clock_.Now() < end) {
    for (int i = 0; i < 50; ++i) {
      auto batch = backend_->queue()->Receive(10, runtime_.visibility_timeout, Duration(0));
      if (!batch.ok() || batch->empty()) break;
      runner_->ProcessBatch(*batch);
    }
    if (clock_.Now() >= next_health_) {
      HealthStep();
      next_health_ = clock_.Now() + health_.interval;
    }
    clock_.Advance(seconds(5));
  }
}

void Sim::Check(SimReport* report) {
  auto& v = report->violations;
  // Never two claims of one (collector, stream, epoch, seq).
  std::set<FaultyBackend::ClaimKey> seen;
  for (const auto& k : faulty_->claims()) {
    if (!seen.insert(k).second) {
      v.push_back(fmt::format("claimed twice: {}/{} ({},{})", std::get<0>(k), std::get<1>(k),
                              std::get<2>(k), std::get<3>(k)));
    }
  }
  auto health = checker_->Check();
  if (!health.ok()) {
    v.push_back("health check failed: " + health.status().ToString());
    return;
  }
  for (const auto& c : health->collectors) {
    for (const auto& s : c.streams) {
      if (!s.healthy) v.push_back("not ok after the quiet period: " + s.message);
    }
  }
  auto all = backend_->queue()->ListAll();
  for (const auto& s : kStreams) {
    std::string key = s.collector + "/" + s.stream;
    auto row = backend_->store()->GetStream(s.collector, s.stream);
    if (!row.ok() || !row->has_value()) {
      v.push_back(key + ": no stream row");
      continue;
    }
    const StreamRow& r = **row;
    // No gap: every event from the start to the checkpoint reached the sink.
    auto cp = nlohmann::json::parse(r.checkpoint, nullptr, false);
    auto since = ParseRfc3339(cp.is_object() ? cp.value("since", "") : "");
    if (!since.ok()) {
      v.push_back(key + ": checkpoint has no since: " + r.checkpoint);
      continue;
    }
    if (*since < clock_.Now() - minutes(5)) {
      v.push_back(key + ": still behind at " + FormatRfc3339(*since));
    }
    int missing = 0;
    for (const auto& id : api_.EventIds(s.tenant, s.stream, start_, *since)) {
      missing += sink_.ids[key].count(id) ? 0 : 1;
    }
    if (missing > 0) v.push_back(fmt::format("{}: {} events missing (gap)", key, missing));
    report->events += static_cast<int64_t>(sink_.ids[key].size());
    // One chain: every message of the stream is the row's successor.
    int live = 0;
    for (const auto& m : all.ok() ? *all : std::vector<QueueMessage>{}) {
      auto sm = ParseStateMessage(m.body);
      if (!sm.ok() || sm->collector_id != s.collector ||
          StateStringField(sm->state_json, "stream") != s.stream) {
        continue;
      }
      ++live;
      if (sm->epoch != r.epoch || sm->seq != r.seq + 1) {
        v.push_back(fmt::format("{}: a second chain: message ({},{}) beside row ({},{})", key,
                                sm->epoch, sm->seq, r.epoch, r.seq));
      }
    }
    if (live == 0) v.push_back(key + ": no message left");
  }
}

Result<SimReport> Sim::Run() {
  PAWS_RETURN_IF_ERROR(Setup());
  crash_p_ = 0.05;
  for (int i = 0; i < opts_.fault_steps; ++i) Step();
  // The faults stop; everything must be ok again within health.interval +
  // stall_after (plus the longest back-off and the lease of a crashed
  // cycle, which are part of "stopping").
  crash_p_ = 0;
  api_.ClearFaults();
  Quiet(health_.interval + health_.stall_after + runtime_.max_backoff +
        runtime_.visibility_timeout + minutes(1));
  SimReport report;
  Check(&report);
  report.cycles = counters_.committed;
  report.crashes = faulty_->crashes();
  report.repairs = repairs_;
  return report;
}

}  // namespace

std::string SimReport::Summary() const {
  return fmt::format("{} cycles, {} crashes, {} repairs, {} events, {} violations", cycles,
                     crashes, repairs, events, violations.size());
}

Result<SimReport> RunSimulation(const SimOptions& options) {
  if (!options.verbose) spdlog::set_level(spdlog::level::off);
  Sim sim(options);
  return sim.Run();
}

}  // namespace paws::sim
