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
}

// Retention and TTL are also enforced lazily by the backends; this keeps the
// tables small when nothing reads them.
void Runtime::Housekeeping() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    auto purged = backend_->queue()->PurgeExpired();
    if (purged.ok() && *purged > 0) {
      spdlog::warn("{} state messages passed the queue retention and were deleted", *purged);
    }
    auto expired = backend_->store()->PurgeExpiredRecords(clock_->Now());
    if (expired.ok() && *expired > 0) spdlog::info("{} state records expired", *expired);
    lock.lock();
    cv_.wait_for(lock, std::chrono::seconds(60), [this] { return stopping_; });
  }
}

}  // namespace paws
