#pragma once

#include <atomic>
#include <cstdint>

namespace paws {

// Process-wide counters of the cycle. Thread-safe (relaxed atomics: they
// are read for reporting, never to decide anything).
struct CycleCounters {
  std::atomic<int64_t> received{0};
  std::atomic<int64_t> committed{0};      // cycles that claimed and enqueued a successor
  std::atomic<int64_t> failed{0};         // poll or sink errors (a retry was enqueued)
  std::atomic<int64_t> stale{0};          // fenced out and deleted
  std::atomic<int64_t> recovered{0};      // successor recovery after a crash
  std::atomic<int64_t> claims_lost{0};    // the claim's condition failed
  std::atomic<int64_t> duplicates{0};     // record COMPLETE or held elsewhere
  std::atomic<int64_t> poison{0};         // moved to the dead-letter area
  std::atomic<int64_t> commit_errors{0};  // backend errors: the message is redelivered
  std::atomic<int64_t> deferred{0};       // handed back: the batch ran out of lease
  std::atomic<int64_t> events{0};         // events written to the sink
  std::atomic<int64_t> source_warnings{0};  // PollResult::warnings of committed cycles

  static void Inc(std::atomic<int64_t>& c, int64_t by = 1) {
    c.fetch_add(by, std::memory_order_relaxed);
  }
};

}  // namespace paws
