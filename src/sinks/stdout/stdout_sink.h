#pragma once

#include <cstdio>
#include <memory>
#include <mutex>

#include "paws/options.h"
#include "paws/result.h"
#include "paws/sink.h"

namespace paws {

// The sink of type "stdout": writes one JSON line per event
// (sinks/event_lines.h) to standard output, and flushes it before Write
// returns. Lines of concurrent writers never interleave. kUnavailable
// (PAWS000401) when the stream reports an error. Thread-safe.
class StdoutSink : public Sink {
 public:
  static Result<std::unique_ptr<Sink>> Make(const SinkOptions& options);

  // Writes to `out` instead (tests). Not owned; must outlive the sink.
  explicit StdoutSink(std::FILE* out);

  Status Write(const SinkBatch& batch) override;

 private:
  std::FILE* const out_;
  std::mutex mu_;
};

}  // namespace paws
