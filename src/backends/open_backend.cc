#include "backends/open_backend.h"

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
  return Status::InvalidArgument(
      "store.backend: unknown backend \"" + options.backend + "\" (expected sqlite or memory)",
      codes::kConfigInvalid);
}

}  // namespace paws
