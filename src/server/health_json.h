#pragma once

#include <string>

#include "core/health.h"

namespace paws {

// The JSON form of a health report, shared by `GET /v1/status` and
// `paws check --json`:
//
//   {"healthy": false, "checked_at": "2026-01-14T12:00:00.000Z",
//    "collectors": [<collector>, ...]}
//
// A collector (also `GET /v1/collectors/{id}`):
//
//   {"collector_id", "collector_type", "healthy", "code", "message",
//    "streams": [<stream>, ...]}
//
// A stream:
//
//   {"stream", "class", "healthy", "code", "message", "epoch", "seq",
//    "last_success", "last_attempt", "due_at", "retry_count", "last_status",
//    "last_error", "last_error_at"}
//
// Times are RFC 3339 (UTC, milliseconds). A value that is not known is
// null: every row field of a stream without a row, a time that never
// happened, an empty code or last_error. "message" is always a string ("" when
// healthy). "checked_at" is null for the empty report of a process whose
// first check has not run yet (HealthReport::at at the epoch).
//
// Bytes that are not UTF-8 (an API's error text, say) are replaced with
// U+FFFD. Never throws. Compact, one line, no trailing newline.
std::string HealthReportJson(const HealthReport& report);
std::string CollectorHealthJson(const CollectorHealth& collector);

}  // namespace paws
