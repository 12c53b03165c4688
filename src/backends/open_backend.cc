#include "backends/open_backend.h"

#include "backends/aws/aws_backend.h"
#include "backends/memory/memory_backend.h"
#include "backends/sqlite/sqlite_backend.h"
#include "paws/codes.h"

namespace paws {

Result<std::unique_ptr<Backend>> OpenBackend(const StoreOptions& options, Clock* clock) {
  if (options.backend == "sqlite") {
    SqliteOptions o;
    o.path = options.path;
    o.retention = options.retention;
    return MakeSqliteBackend(o, clock);
  }
  if (options.backend == "memory") {
    MemoryOptions o;
    o.retention = options.retention;
    return MakeMemoryBackend(o, clock);
  }
  if (options.backend == "aws") {
    auto b = aws::MakeAwsBackend(options, clock, aws::AwsEnv::Real());
    if (!b.ok()) return b.status();
    return std::unique_ptr<Backend>(std::move(*b));
  }
  return Status::InvalidArgument(
      "store.backend: unknown backend \"" + options.backend +
          "\" (expected sqlite, memory or aws)",
      codes::kConfigInvalid);
}

}  // namespace paws
