#pragma once

#include <string>
#include <vector>

#include "core/collector_set.h"
#include "paws/backend.h"
#include "paws/clock.h"

namespace paws {

struct RegistrationReport {
  int seeded = 0;    // streams whose row and first message were created now
  int existing = 0;  // streams that already had a row
  std::vector<std::string> seeded_streams;  // "collector/stream"
  // Streams of taken-over collectors (CollectorSpec::takeover) without a
  // row: left to be adopted from their upstream state message, or seeded by
  // the health check after `grace`.
  int takeover = 0;
  std::vector<std::string> takeover_streams;  // "collector/stream"
};

// Registration (DESIGN.md): for every configured stream without a row,
// creates its row at (1, 0) and enqueues (1, 1, initial state); the streams
// of a taken-over collector are counted, not registered. Idempotent:
// a stream that has a row is left alone, and when several processes race,
// the row's condition lets exactly one enqueue. Stops at the first error.
Result<RegistrationReport> RegisterCollectors(Backend* backend, const CollectorSet& collectors,
                                              Clock* clock);

}  // namespace paws
