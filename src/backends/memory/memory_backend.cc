#include "backends/memory/memory_backend.h"

namespace paws {

Result<std::unique_ptr<Backend>> MakeMemoryBackend(const MemoryOptions& options, Clock* clock) {
  if (clock == nullptr) return Status::InvalidArgument("memory backend: no clock");
  if (options.retention <= Duration(0)) {
    return Status::InvalidArgument("memory backend: retention must be positive");
  }
  return std::unique_ptr<Backend>(new memory::MemoryBackend(options, clock));
}

}  // namespace paws
