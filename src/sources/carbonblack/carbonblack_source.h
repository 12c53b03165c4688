#pragma once

#include <memory>

#include "paws/collector.h"
#include "paws/registry.h"
#include "paws/result.h"
#include "paws/source.h"

namespace paws {

// The source of type "carbonblack": Carbon Black Cloud's audit log and
// alert search APIs (docs/sources/carbonblack.md). Every request carries
// "X-Auth-Token: <spec.secret>/<spec.client_id>" (API Secret Key / API ID),
// as the upstream collector sends it.
//
// Streams, the upstream collector's API names (the registry's list,
// FindCollectorType("carbonblack")->streams), each one search API:
//   AuditLogEvents           POST {endpoint}/audit_log/v1/orgs/{org_key}/logs/_search
//   SearchAlerts             POST {endpoint}/appservices/v6/orgs/{org_key}/alerts/_search
//   SearchAlertsCBAnalytics  .../alerts/cbanalytics/_search
//   SearchAlertsVmware       .../alerts/vmware/_search
//   SearchAlertsWatchlist    .../alerts/watchlist/_search
// with the body {"criteria": {"create_time": {"start": since, "end": until
// - 1 ms}}, "rows": R, "start": S, "sort": [{"field": "create_time",
// "order": "ASC"}]}: the window [since, until) (Carbon Black's range is
// inclusive at both ends), oldest first, rows numbered from 1. (Upstream
// read AuditLogEvents from the deprecated /integrationServices/v3/auditlogs
// queue, which has no time range; the search keeps the window semantics.)
//
// State, the newest upstream collector's shape:
//   {"stream": API, "since": RFC 3339, "until": RFC 3339,
//    "nextPage": S or null, "poll_interval_sec": N}
// Older upstream collectors named the API in the type's legacy state field
// (FindCollectorType("carbonblack")->legacy_state_field); both forms are
// read (when both are present they must agree), only "stream" is written
// (DESIGN.md, "Streams and legacy configuration"). nextPage is the `start`
// of the next request of the window, as upstream keeps it; null at a
// window's beginning.
//
// A cycle collects [since, until) only once until has passed (before, it
// returns no events, the same state and the delay until then), up to
// spec.max_pages_per_cycle pages. A window is complete when a page is empty
// or start - 1 reaches num_found. When pages remain, nextPage keeps the
// place and the next cycle is due at once. When the window is complete the
// next one is [until, until + poll_interval), due when it has ended; when
// the collector is more than a poll interval behind it is [until, now),
// due at once (upstream's "no-cap" catch-up). A fresh window whose first
// page reports more than 10000 results (what start + rows can reach) is
// halved until it fits.
//
// Rate limits: a 429 on the first page of a cycle is kRateLimited with
// the retry-after of Retry-After (60 s without one; at most 5 min); after
// pages were collected it ends the cycle with them, the state at the page
// not yet fetched, due after that retry-after. Reaching the deadline
// between pages ends the cycle the same way, due at once.
//
// Parameters (spec.params): "org_key" (required; upstream
// paws_collector_param_string_2), upper-case letters and digits; "rows",
// records per page, 1..10000 (default 500, upstream's).
//
// Errors of Poll: 401/403 -> kUnauthenticated (PAWS000301); 429 ->
// kRateLimited (PAWS000302); 5xx, 408 and transport failures ->
// kUnavailable (PAWS000303); other statuses, or a body that is not
// {"num_found": N, "results": [records]} with an alert's id and
// create_time (an audit record's create_time, or legacy eventId and
// eventTime) -> kInvalidArgument (PAWS000304) naming what is wrong, with
// Carbon Black's "error_code: message" when the body has one; a state it
// cannot use -> kInvalidArgument (PAWS000306); timeouts ->
// kDeadlineExceeded (PAWS000305). Messages name the URL path, never the
// API secret key or the X-Auth-Token.
//
// Events: id = the alert's `id`; for audit records, which have none in
// the current API, `eventId` when present (v3 records), else "audit-" and
// the FNV-1a 64 hash of the record. Timestamp = create_time (eventTime,
// epoch ms, for v3 records). Type = the alert's `type`, "audit" for audit.
//
// The factory returns kInvalidArgument (PAWS000103) naming the collector
// and key for an endpoint that is not an http(s) URL, a poll interval under
// 1 s, a missing client_id, secret or org_key, a bad rows, or a stream that
// is none of the above. Thread-safe (no mutable state). `deps.clock` and
// `deps.http` must outlive the source.
Result<std::unique_ptr<Source>> MakeCarbonBlackSource(const CollectorSpec& spec,
                                                      const SourceDeps& deps);

}  // namespace paws
