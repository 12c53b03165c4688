#pragma once

#include <memory>

#include "paws/backend.h"
#include "paws/clock.h"
#include "paws/options.h"

namespace paws {

// Opens the backend named by options.backend: "sqlite" (the file at
// options.path), "memory" (nothing persists) or "aws" (the DynamoDB table
// and SQS queue of options.aws, with settings from the process environment
// and the shared AWS files). `clock` is not owned and
// must outlive the backend. An unknown name returns kInvalidArgument with
// codes::kConfigInvalid naming store.backend and the value; otherwise the
// errors of MakeSqliteBackend, MakeMemoryBackend or aws::MakeAwsBackend.
Result<std::unique_ptr<Backend>> OpenBackend(const StoreOptions& options, Clock* clock);

}  // namespace paws
