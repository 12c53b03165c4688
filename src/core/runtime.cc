#include "core/runtime.h"

#include <spdlog/spdlog.h>

#include <cstdio>

#include "backends/open_backend.h"
#include "paws/codes.h"

namespace paws {

Result<std::unique_ptr<Runtime>> Runtime::Open(const Config& config, const RuntimeDeps& deps) {
  std::unique_ptr<Runtime> rt(new Runtime());
  rt->config_ = config;
  rt->clock_ = deps.clock;
  StoreOptions store = config.store;
  for (const auto& c : config.collectors) {
    if (!c.upstream_queue.empty()) store.aws.attached.emplace_back(c.id, c.upstream_queue);
  }
  PAWS_ASSIGN_OR_RETURN(rt->backend_, OpenBackend(store, deps.clock));
  PAWS_ASSIGN_OR_RETURN(rt->collectors_,
                        CollectorSet::Make(config.collectors, *deps.sources,
                                           SourceDeps{deps.clock, deps.http}));
  PAWS_ASSIGN_OR_RETURN(rt->sink_, deps.sinks->Make(config.sink));
  rt->runner_ = std::make_unique<CycleRunner>(rt->backend_.get(), rt->collectors_.get(),
                                              rt->sink_.get(), deps.clock, config.runtime,
                                              &rt->counters_);
  rt->runner_->set_observer(rt.get());
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

Status Runtime::Start() {
  if (config_.status.enabled) {
    PAWS_ASSIGN_OR_RETURN(server_, StatusServer::Start(StatusServerOptions{config_.status.host,
                                                                           config_.status.port},
                                                       this));
    if (!config_.status.port_file.empty()) {
      std::string tmp = config_.status.port_file + ".tmp";
      if (FILE* f = std::fopen(tmp.c_str(), "w")) {
        std::fprintf(f, "%d\n", server_->port());
        std::fclose(f);
        std::rename(tmp.c_str(), config_.status.port_file.c_str());
      }
    }
    spdlog::info("status server on http://{}:{}", config_.status.host, server_->port());
  }
  if (!config_.health.webhook_url.empty()) {
    webhook_http_ = MakeCurlHttpClient();
    WebhookOptions w;
    w.url = config_.health.webhook_url;
    webhook_ = std::make_unique<WebhookNotifier>(w, webhook_http_.get(), clock_);
  }
  started_ = true;
  // The first check runs before any worker: a stream removed from the
  // config is retired before a cycle of it could be polled.
  health_->SetProcessStart(clock_->Now());
  RunHealthCheck();
  pool_->Start();
  housekeeping_ = std::thread([this] { Housekeeping(); });
  health_thread_ = std::thread([this] { HealthLoop(); });
  return Status::Ok();
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
  if (webhook_) webhook_->Stop();
  if (server_) server_->Stop();
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
  while (Pause(config_.health.interval)) RunHealthCheck();
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
  if (config_.health.repair) {
    for (const auto& a : health_->Repair(*report, /*dry_run=*/false)) {
      if (a.done || a.code == codes::kRepairLost) metrics_.CountRepair(a.collector_id, a.stream, a.code);
    }
  }
  std::lock_guard<std::mutex> lock(health_mu_);
  if (webhook_) webhook_->Notify(latest_health_, *report);
  latest_health_ = std::move(report).value();
}

void Runtime::OnCycle(const std::string& collector, const std::string& stream,
                      CycleOutcome outcome, int64_t events) {
  metrics_.CountCycle(collector, stream, outcome);
  if (events > 0) metrics_.CountEvents(collector, stream, events);
}

HealthReport Runtime::LatestHealth() {
  std::lock_guard<std::mutex> lock(health_mu_);
  return latest_health_;
}

}  // namespace paws
