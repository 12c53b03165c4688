#pragma once

#include <memory>

#include "paws/backend.h"
#include "paws/clock.h"
#include "paws/options.h"

namespace paws {

// Opens the backend named by options.backend: "sqlite" (the file at
// options.path) or "memory" (nothing persists). `clock` is not owned and
// must outlive the backend. An unknown name returns kInvalidArgument with
// codes::kConfigInvalid naming store.backend and the value; otherwise the
// errors of MakeSqliteBackend or MakeMemoryBackend.
Result<std::unique_ptr<Backend>> OpenBackend(const StoreOptions& options, Clock* clock);

}  // namespace paws
