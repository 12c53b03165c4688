#pragma once

#include <memory>

#include "paws/collector.h"
#include "paws/registry.h"
#include "paws/result.h"
#include "paws/source.h"

namespace paws {

// The source of type "salesforce": SOQL queries over the REST API, one
// stream per object (docs/sources/salesforce.md). Streams: the objects
// the collector-type registry lists for salesforce (FindCollectorType),
// LoginHistory, EventLogFile, ApiEvent, LoginEvent, LogoutEvent,
// LoginAsEvent (the upstream collector's objects; salesforce_soql.h has
// their queries, one for each).
//
// Auth: the OAuth 2.0 JWT bearer flow. The assertion (RS256, signed with
// spec.secret, the connected app's private key in PEM) has iss =
// spec.client_id (the consumer key), sub = param "username", aud = param
// "audience" (default https://login.salesforce.com, or
// https://test.salesforce.com when the endpoint's host is
// test.salesforce.com) and a 3 min lifetime; it is POSTed to param
// "token_url" (default {spec.endpoint}/services/oauth2/token; spec.endpoint
// is the login URL). The response's access_token and instance_url are
// cached across polls and streams for 15 min (Salesforce sends no
// expires_in); a 401 (INVALID_SESSION_ID) invalidates the token and the
// request is retried once with a fresh one.
//
// State, the newest upstream salesforce collector's shape:
//   {"stream": OBJECT, "since": RFC 3339, "until": RFC 3339,
//    "nextPage": null | cursor, "apiQuotaResetDate": null | RFC 3339,
//    "poll_interval_sec": N}
// Older upstream states name the object in the type's legacy state field
// (FindCollectorType("salesforce")->legacy_state_field) instead; both are
// read (when both are present they must agree), only "stream" is written
// (DESIGN.md, "Streams and legacy configuration"). nextPage has upstream's
// meaning: for LoginHistory and EventLogFile (ORDER BY Id ASC) the last Id
// collected of the window, the rest being "Id > 'nextPage'"; for the event
// objects (ORDER BY EventDate DESC) a time T, the rest of the window being
// [since, T). So an upstream state continues where it stopped, and an
// upstream collector could continue ours.
//
// A cycle waits until `until` has passed, then sends
//   GET {instance_url}/services/data/v{api_version}/query?q=<SOQL for the
//   rest of [since, until)>   with Sforce-Query-Options: batchSize=N
// and follows nextRecordsUrl (same origin as instance_url) until done, up to
// spec.max_pages_per_cycle pages. When the page limit, the deadline or a
// rate limit stops it inside the window, the next state keeps the window
// with nextPage and is due at once (after the rate limit's wait). For the
// event objects, records sharing the EventDate of the last one collected are
// left for the next cycle (nextPage = that EventDate + 1 ms) so that none is
// skipped. A complete window is followed by [until, until + size), size
// being 24 h when more than 24 h behind, 1 h when more than 1 h behind,
// else the poll interval (upstream's catch-up), due when it has ended.
//
// Quota: 403 REQUEST_LIMIT_EXCEEDED (the org's 24 h API request limit) is
// not an error: the poll keeps what it collected, sets apiQuotaResetDate to
// now + 25 h (upstream's rule) and returns a PAWS000302 warning; until that
// date, polls send nothing and return the same state, due again in
// min(15 min, the time left). A REQUEST_LIMIT_EXCEEDED about concurrent
// requests, a 429 or a 503 with Retry-After on the first page is
// kRateLimited (PAWS000302) with its retry-after; after the first page it
// ends the cycle with what it has, due after the retry-after (at most 5 min).
//
// Parameters (spec.params): "username" (required; upstream
// paws_collector_param_string_1), "audience", "token_url", "api_version"
// ("NN.N", default 58.0), "batch_size" (200..2000, default 2000).
//
// Errors of Poll: a refused assertion (invalid_grant, invalid_client_id),
// 401/403 after the retry, or a private key that is not an RSA PEM ->
// kUnauthenticated (PAWS000301); 5xx, 408 and transport failures ->
// kUnavailable (PAWS000303); other statuses, a body that is not a query
// result whose records have Id and the object's date field, an instance_url
// or nextRecordsUrl of another origin -> kInvalidArgument (PAWS000304); a
// state it cannot use -> kInvalidArgument (PAWS000306); timeouts ->
// kDeadlineExceeded (PAWS000305). Messages name the URL path, never the
// query, the private key, the assertion or a token.
//
// The factory returns kInvalidArgument (PAWS000103) naming the collector and
// key for an endpoint that is not an http(s) URL, a poll interval under
// 1 s, a missing client_id, secret or username, a bad parameter, or a stream
// that is not one of the objects above. Thread-safe. `deps.clock` and
// `deps.http` must outlive the source.
Result<std::unique_ptr<Source>> MakeSalesforceSource(const CollectorSpec& spec,
                                                     const SourceDeps& deps);

}  // namespace paws
