#pragma once

#include "tools/paws/commands.h"

namespace paws::cli {

// `paws aws init` (docs/aws.md): creates the state table (key schema, TTL,
// on-demand) and the state queue with its dead-letter queue (visibility
// timeout, retention) when missing, and checks them when present. Exit 0
// when both are there and as paws needs them, 1 when AWS refused or a
// check failed, 2 for a bad command line or configuration (or a backend
// other than aws).
int AwsInitCommand(const CommonFlags& flags);

// `paws aws status`: what is there — the table, its key schema, TTL and
// size, the queues and their counts, the region, endpoints and where the
// credentials came from (never the credentials). Exit 0 when all is as
// paws needs it, 1 when something is missing or different, 2 as above.
int AwsStatusCommand(const CommonFlags& flags);

}  // namespace paws::cli
