#pragma once

#include <string>
#include <vector>

#include "paws/result.h"
#include "paws/source.h"

namespace paws {

// The events of one cycle of one stream.
struct SinkBatch {
  const std::string& collector_id;
  const std::string& collector_type;
  const std::string& stream;
  const std::vector<Event>& events;
};

// Where events go. Write returns only once the events are durable to the
// degree the sink promises (for a file: written to the kernel, so a killed
// process loses nothing). Thread-safe.
class Sink {
 public:
  virtual ~Sink() = default;
  // kUnavailable on a failure that a retry may fix.
  virtual Status Write(const SinkBatch& batch) = 0;
};

}  // namespace paws
