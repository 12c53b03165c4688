#pragma once

#include <memory>

#include "backends/memory/memory_queue.h"
#include "backends/memory/memory_store.h"
#include "paws/backend.h"
#include "paws/clock.h"

namespace paws {

struct MemoryOptions {
  // Messages older than this are deleted from the queue. Default: 4 days.
  Duration retention = std::chrono::hours(24 * 4);
};

// A Backend held in process memory: the test double and the stand-in for
// the AWS backend in simulations. It keeps the default, step-by-step
// Commit methods of Backend, as a backend without multi-item transactions
// must. `clock` is not owned and must outlive the backend.
Result<std::unique_ptr<Backend>> MakeMemoryBackend(const MemoryOptions& options, Clock* clock);

namespace memory {

// Thread-safe.
class MemoryBackend : public Backend {
 public:
  MemoryBackend(const MemoryOptions& options, Clock* clock)
      : queue_(clock, options.retention) {}

  StateQueue* queue() override { return &queue_; }
  StateStore* store() override { return &store_; }

 private:
  MemoryQueue queue_;
  MemoryStore store_;
};

}  // namespace memory
}  // namespace paws
