#pragma once

#include <memory>

#include "paws/collector.h"
#include "paws/registry.h"
#include "paws/result.h"
#include "paws/source.h"

namespace paws {

// The source of type "auth0": collects a tenant's log events from the
// Management API (docs/sources/auth0.md). One stream, "auth0".
//
// Auth: the OAuth2 client credentials grant at {endpoint}/oauth/token with
// spec.client_id and spec.secret (the client secret), audience
// {endpoint}/api/v2/ (param "audience" overrides it). The token is cached
// across polls and streams; a 401 from the log endpoint invalidates it and
// the request is retried once with a fresh one.
//
// State (the upstream PAWS auth0 collector's):
//   {"stream": "auth0", "since": RFC 3339, "poll_interval_sec": N}   before
//     the first event: GET /api/v2/logs?q=date:[since TO *]&sort=date:1&
//     per_page=<take>&page=0;
//   {"stream": "auth0", "last_log_id": ID, "poll_interval_sec": N}   after:
//     GET /api/v2/logs?from=ID&take=<take> (by checkpoint, in log_id order).
// An upstream state without "stream" is continued as is. A poll fetches up
// to spec.max_pages_per_cycle pages. While pages come back full the next
// cycle is due at once (catching up); after a short page it is due in
// spec.poll_interval. A success with X-RateLimit-Remaining: 0 ends the poll
// and delays the next cycle until X-RateLimit-Reset (1 s..5 min; 1 min
// without the header); so does a 429 after the first page, keeping the
// events before it. Reaching the deadline between pages ends the poll with
// what it has (next cycle at once).
//
// Parameters (spec.params): "take", events per page, 1..100 (default 100);
// "audience", the token's audience.
//
// Errors of Poll: 401/403 (after the retry) and a rejected client ->
// kUnauthenticated (PAWS000301); 429 on the first page -> kRateLimited
// with the time to X-RateLimit-Reset (PAWS000302); 5xx, 408 and transport
// failures -> kUnavailable (PAWS000303); other statuses or a body that is
// not an array of log events with log_id and date -> kInvalidArgument
// (PAWS000304); a state it cannot use -> kInvalidArgument (PAWS000306);
// timeouts -> kDeadlineExceeded (PAWS000305). Messages name the URL path,
// never the query, the client secret or a token.
//
// Thread-safe. `deps.clock` and `deps.http` must outlive the source.
Result<std::unique_ptr<Source>> MakeAuth0Source(const CollectorSpec& spec, const SourceDeps& deps);

}  // namespace paws
