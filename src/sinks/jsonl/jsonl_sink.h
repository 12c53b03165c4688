#pragma once

#include <memory>

#include "paws/options.h"
#include "paws/result.h"
#include "paws/sink.h"

namespace paws {

// The sink of type "jsonl": appends one JSON line per event
// (sinks/event_lines.h) to options.path, creating its parent directories.
//
// The file is opened with O_APPEND. A batch is written with as few write(2)
// calls as the kernel allows, under a lock, with no user-space buffer: when
// Write returns Ok the lines are in the kernel and survive a killed process
// (with options.fsync, also a power cut). Lines of concurrent writers never
// interleave. If a write fails part way, the partial lines are cut off
// again where possible, so the file keeps whole lines.
//
// Errors: Make and Write return kUnavailable (PAWS000401) naming the path.
// Thread-safe.
class JsonlSink : public Sink {
 public:
  static Result<std::unique_ptr<Sink>> Make(const SinkOptions& options);
  ~JsonlSink() override;

  Status Write(const SinkBatch& batch) override;

 private:
  JsonlSink(std::string path, int fd, bool fsync);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace paws
