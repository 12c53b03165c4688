#include "core/runtime.h"

#include <spdlog/spdlog.h>

#include "backends/open_backend.h"

namespace paws {

Result<std::unique_ptr<Runtime>> Runtime::Open(const Config& config, const RuntimeDeps& deps) {
  std::unique_ptr<Runtime> rt(new Runtime());
  rt->config_ = config;
  rt->clock_ = deps.clock;
  PAWS_ASSIGN_OR_RETURN(rt->backend_, OpenBackend(config.store, deps.clock));
  PAWS_ASSIGN_OR_RETURN(rt->collectors_,
                        CollectorSet::Make(config.collectors, *deps.sources,
                                           SourceDeps{deps.clock, deps.http}));
  PAWS_ASSIGN_OR_RETURN(rt->sink_, deps.sinks->Make(config.sink));
  rt->runner_ = std::make_unique<CycleRunner>(rt->backend_.get(), rt->collectors_.get(),
                                              rt->sink_.get(), deps.clock, config.runtime,
                                              &rt->counters_);
  rt->pool_ = std::make_unique<WorkerPool>(rt->backend_->queue(), rt->runner_.get(),
                                           config.runtime);
  rt->health_ = std::make_unique<HealthChecker>(rt->backend_.get(), config.collectors,
                                                rt->collectors_.get(), deps.clock, config.health);
  return rt;
}

Runtime::~Runtime() { Stop(); }

Result<RegistrationReport> Runtime::Register() {
  return RegisterCollectors(backend_.get(), *collectors_, clock_);
}

void Runtime::Start() {
  started_ = true;
  pool_->Start();
  housekeeping_ = std::thread([this] { Housekeeping(); });
  health_thread_ = std::thread([this] { HealthLoop(); });
}

void Runtime::Stop() {
  if (!started_) return;
  started_ = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  pool_->Stop();
  if (housekeeping_.joinable()) housekeeping_.join();
  if (health_thread_.joinable()) health_thread_.join();
}

bool Runtime::Pause(Duration d) {
  std::unique_lock<std::mutex> lock(mu_);
  return !cv_.wait_for(lock, d, [this] { return stopping_; });
}

// Retention and TTL are also enforced lazily by the backends; this keeps the
// tables small when nothing reads them.
void Runtime::Housekeeping() {
  do {
    auto purged = backend_->queue()->PurgeExpired();
    if (purged.ok() && *purged > 0) {
      spdlog::warn("{} state messages passed the queue retention and were deleted", *purged);
    }
    auto expired = backend_->store()->PurgeExpiredRecords(clock_->Now());
    if (expired.ok() && *expired > 0) spdlog::info("{} state records expired", *expired);
  } while (Pause(std::chrono::seconds(60)));
}

void Runtime::HealthLoop() {
  do {
    RunHealthCheck();
  } while (Pause(config_.health.interval));
}

void Runtime::RunHealthCheck() {
  auto report = health_->Check();
  if (!report.ok()) {
    spdlog::error("health check could not run: {}", report.status().ToString());
    return;
  }
  for (const auto& c : report->collectors) {
    if (!c.healthy) spdlog::warn("[{}] {}", c.code, c.message);
    for (const auto& s : c.streams) {
      if (!s.code.empty()) spdlog::warn("[{}] collector {}: {}", s.code, c.collector_id, s.message);
    }
  }
  if (config_.health.repair) health_->Repair(*report, /*dry_run=*/false);
  std::lock_guard<std::mutex> lock(health_mu_);
  latest_health_ = std::move(report).value();
}

HealthReport Runtime::LatestHealth() {
  std::lock_guard<std::mutex> lock(health_mu_);
  return latest_health_;
}

}  // namespace paws
