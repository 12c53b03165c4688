#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "core/collector_set.h"
#include "core/counters.h"
#include "core/cycle.h"
#include "core/health.h"
#include "core/registration.h"
#include "core/worker_pool.h"
#include "paws/backend.h"
#include "paws/options.h"
#include "paws/registry.h"

namespace paws {

// What the runtime is built from. Not owned; all outlive the runtime.
struct RuntimeDeps {
  Clock* clock = nullptr;
  const SourceRegistry* sources = nullptr;
  const SinkRegistry* sinks = nullptr;
  HttpClient* http = nullptr;
};

// `paws run`: the backend, the collectors with their sources, the sink, the
// worker pool and the housekeeping thread (retention and TTL purges).
class Runtime {
 public:
  // Opens the backend and makes every source and the sink. Errors name the
  // collector or key at fault.
  static Result<std::unique_ptr<Runtime>> Open(const Config& config, const RuntimeDeps& deps);
  ~Runtime();

  // Registers every configured stream (idempotent).
  Result<RegistrationReport> Register();
  // Starts the workers and housekeeping. REQUIRES: not started.
  void Start();
  // Lets cycles under way finish, then stops. Idempotent.
  void Stop();

  Backend* backend() { return backend_.get(); }
  const CycleCounters& counters() const { return counters_; }
  // The report of the last health check (empty before the first one).
  HealthReport LatestHealth();

 private:
  Runtime() = default;
  void Housekeeping();
  // The health check thread: every health.interval, independent of the
  // workers (it goes on when every poll fails or crashes).
  void HealthLoop();
  void RunHealthCheck();
  // Waits up to `d` (real time) or until Stop; returns false when stopping.
  bool Pause(Duration d);

  Config config_;
  Clock* clock_ = nullptr;
  std::unique_ptr<Backend> backend_;
  std::unique_ptr<CollectorSet> collectors_;
  std::unique_ptr<Sink> sink_;
  CycleCounters counters_;
  std::unique_ptr<CycleRunner> runner_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<HealthChecker> health_;
  std::mutex health_mu_;
  HealthReport latest_health_;
  std::thread housekeeping_;
  std::thread health_thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool started_ = false;
};

}  // namespace paws
