#pragma once

#include "paws/options.h"
#include "paws/status.h"

namespace paws {

// Sets up the process logger (spdlog) from [log]: level and destination
// (standard error, or a file). kInvalidArgument for an unknown level.
Status InitLogging(const LogOptions& options);

}  // namespace paws
