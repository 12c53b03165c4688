#pragma once

#include "paws/clock.h"
#include "paws/collector.h"
#include "paws/result.h"

namespace paws {

// Where a new stream's collection starts: the collector's
// `collection_start` when set, else one poll interval before `now`.
// kInvalidArgument (PAWS000103) naming the collector and the key when
// `collection_start` is not RFC 3339.
Result<WallTime> CollectionStart(const CollectorSpec& spec, WallTime now);

}  // namespace paws
