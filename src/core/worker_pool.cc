#include "core/worker_pool.h"

#include <spdlog/spdlog.h>

namespace paws {

WorkerPool::WorkerPool(StateQueue* queue, CycleRunner* runner, const RuntimeOptions& options)
    : queue_(queue), runner_(runner), options_(options) {}

WorkerPool::~WorkerPool() { Stop(); }

void WorkerPool::Start() {
  stopping_ = false;
  for (int i = 0; i < options_.workers; ++i) threads_.emplace_back([this] { Loop(); });
}

void WorkerPool::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void WorkerPool::Pause(Duration d) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, d, [this] { return stopping_.load(); });
}

void WorkerPool::Loop() {
  Duration error_pause = std::chrono::milliseconds(100);
  while (!stopping_) {
    auto batch = queue_->Receive(options_.receive_batch, options_.visibility_timeout,
                                 options_.receive_wait);
    if (!batch.ok()) {
      spdlog::warn("receive failed: {}", batch.status().ToString());
      Pause(error_pause);
      error_pause = std::min<Duration>(error_pause * 2, std::chrono::seconds(5));
      continue;
    }
    error_pause = std::chrono::milliseconds(100);
    if (stopping_) {
      // Hand back what this worker received but will not process, so that
      // a restart does not wait out the visibility timeout.
      for (const auto& m : *batch) {
        Status st = queue_->ChangeVisibility(m.receipt, Duration(0));
        if (!st.ok()) spdlog::debug("release of {} failed: {}", m.id, st.ToString());
      }
      break;
    }
    if (!batch->empty()) runner_->ProcessBatch(*batch);
  }
}

}  // namespace paws
