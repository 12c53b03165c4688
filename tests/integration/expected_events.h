#pragma once

#include <set>
#include <string>

#include "paws/clock.h"

namespace paws::testing {

// The ids of the fake API's events of (tenant, stream) published in
// [from, to), at `rate_per_minute` events a minute: what a complete
// collection of that span must hold.
std::set<std::string> ExpectedEventIds(const std::string& tenant, const std::string& stream,
                                       int rate_per_minute, WallTime from, WallTime to);

}  // namespace paws::testing
