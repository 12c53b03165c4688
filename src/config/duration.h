#pragma once

#include <string>
#include <string_view>

#include "paws/clock.h"
#include "paws/result.h"

namespace paws {

// The longest duration ParseDuration accepts: 100 years. Longer values are
// certainly typos, and the limit keeps every later sum far from overflow.
inline constexpr Duration kMaxConfigDuration = std::chrono::hours(24 * 365 * 100);

// Parses the text form of a duration, as written in the configuration and on
// the command line:
//   - a whole number of seconds: "60";
//   - numbers with units, largest unit first, each unit at most once:
//     "500ms", "30s", "15m", "2h", "4d", "1h30m", "1d12h", "2m30s500ms".
// Units are ms, s, m, h, d (lower case; no spaces, signs or fractions).
// Zero ("0", "0s") is accepted; whether zero is allowed is the caller's rule.
// Returns kInvalidArgument with the message
//   expected a duration like "60s" or 60, got "<text>"
// for anything else, and "... is longer than 100 years" past
// kMaxConfigDuration.
Result<Duration> ParseDuration(std::string_view text);

// A whole number of seconds, as a TOML integer duration is read. Returns
// kInvalidArgument for a negative value or one past kMaxConfigDuration.
Result<Duration> DurationFromSeconds(int64_t seconds);

// The shortest text that ParseDuration reads back as `d`: "0s", "500ms",
// "1h30m", "4d". REQUIRES: d >= 0.
std::string FormatDuration(Duration d);

}  // namespace paws
