#include "sinks/stdout/stdout_sink.h"

#include "paws/codes.h"
#include "sinks/event_lines.h"

namespace paws {

Result<std::unique_ptr<Sink>> StdoutSink::Make(const SinkOptions& options) {
  return std::unique_ptr<Sink>(new StdoutSink(stdout));
}

StdoutSink::StdoutSink(std::FILE* out) : out_(out) {}

Status StdoutSink::Write(const SinkBatch& batch) {
  if (batch.events.empty()) return Status::Ok();
  const std::string lines = FormatEventLines(batch);
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = std::fwrite(lines.data(), 1, lines.size(), out_);
  if (std::fflush(out_) != 0 || n != lines.size()) {
    std::clearerr(out_);
    return Status::Unavailable("stdout sink: write failed", codes::kSinkFailed);
  }
  return Status::Ok();
}

}  // namespace paws
