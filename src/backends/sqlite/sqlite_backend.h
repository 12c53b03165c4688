#pragma once

#include <memory>
#include <string>

#include "paws/backend.h"
#include "paws/clock.h"

namespace paws {

struct SqliteOptions {
  // The database file; its parent directories are created. Required.
  std::string path;
  // Messages older than this are deleted from the queue. Default: 4 days.
  Duration retention = std::chrono::hours(24 * 4);
  // How long a write waits for another process holding the database.
  // Default: 5 s.
  Duration busy_timeout = std::chrono::seconds(5);
};

// The embedded backend: queue, dead letters, state records and stream rows
// in one SQLite file, used through one connection. CommitCycle,
// CommitFailure and SeedStream are each one transaction. Several processes
// may open the same file at once. `clock` is not owned and must outlive the
// backend.
//
// Returns kInvalidArgument for an empty path, and the errors of opening the
// file: kInternal with codes::kStoreCorrupt when it is not a paws database,
// kUnavailable or kInternal with codes::kStoreUnavailable otherwise.
Result<std::unique_ptr<Backend>> MakeSqliteBackend(const SqliteOptions& options, Clock* clock);

}  // namespace paws
