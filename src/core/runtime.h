#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "core/collector_set.h"
#include "core/counters.h"
#include "core/cycle.h"
#include "core/health.h"
#include "core/metrics.h"
#include "server/status_server.h"
#include "server/webhook.h"
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
class Runtime : public StatusSource, public CycleObserver {
 public:
  // Opens the backend and makes every source and the sink. Errors name the
  // collector or key at fault.
  static Result<std::unique_ptr<Runtime>> Open(const Config& config, const RuntimeDeps& deps);
  ~Runtime();

  // Registers every configured stream (idempotent).
  Result<RegistrationReport> Register();
  // Starts the workers, housekeeping, the health check and the status
  // server. Fails (and starts nothing) when the status server cannot bind.
  // REQUIRES: not started.
  Status Start();
  // Lets cycles under way finish, then stops. Idempotent.
  void Stop();

  Backend* backend() { return backend_.get(); }
  const CycleCounters& counters() const { return counters_; }
  // The port of the status server, or 0 when it is off. REQUIRES: Start.
  int status_port() const { return server_ ? server_->port() : 0; }

  // StatusSource: the report of the last health check (empty before the
  // first one), the metrics, the time.
  HealthReport LatestHealth() override;
  Metrics::Snapshot MetricsSnapshot() override { return metrics_.TakeSnapshot(); }
  WallTime Now() override { return clock_->Now(); }

  // CycleObserver.
  void OnCycle(const std::string& collector, const std::string& stream, CycleOutcome outcome,
               int64_t events) override;

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
  Metrics metrics_;
  std::unique_ptr<HttpClient> webhook_http_;
  std::unique_ptr<WebhookNotifier> webhook_;
  std::unique_ptr<StatusServer> server_;
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
