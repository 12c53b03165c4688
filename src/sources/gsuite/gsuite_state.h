#pragma once

// The state of a gsuite stream and the choice of its next window
// (gsuite_source.h documents the source).

#include <optional>
#include <string>

#include "paws/clock.h"
#include "paws/result.h"

namespace paws {

// Where one application stream stands: the window [since, until) being
// collected, the Reports API's pageToken of the page not yet fetched
// (empty: the window's first page), and when a spent daily quota resets.
struct GsuiteState {
  std::string application;
  WallTime since;
  WallTime until;
  std::string next_page;
  std::optional<WallTime> quota_reset;
};

// Parses a state in the upstream gsuite collector's shapes:
//   {"stream": NAME, "since": RFC 3339, "until": RFC 3339,
//    "nextPage": TOKEN | null, "apiQuotaResetDate": RFC 3339 | null,
//    "poll_interval_sec": N}
// Newer upstream states name the application in "stream", older ones in
// the type's legacy state field (FindCollectorType("gsuite")->
// legacy_state_field); when both are present they must agree. nextPage and
// apiQuotaResetDate may be absent. poll_interval_sec is not used.
// kInvalidArgument (PAWS000306) naming what is wrong; the application is
// not checked against the known ones here.
Result<GsuiteState> ParseGsuiteState(const std::string& state_json);

// The state as JSON in the normalised form: the application in "stream"
// only (DESIGN.md: only the normalised form is written; the newest upstream
// collector reads it too), nextPage and apiQuotaResetDate null when unset,
// and `poll_interval_sec`.
std::string SerializeGsuiteState(const GsuiteState& st, int64_t poll_interval_sec);

// The window after one that ended at `until`, upstream's "hour-day-
// progression": with `horizon` = now - lag (the newest time the Reports API
// is trusted to be complete), a window spans 24 h while the start is more
// than 24 h behind the horizon, 1 h while it is more than 1 h behind, and
// otherwise up to the horizon, at least `poll_interval`.
GsuiteState NextGsuiteWindow(const GsuiteState& done, WallTime now, Duration lag,
                             Duration poll_interval);

}  // namespace paws
