#pragma once

#include <memory>

#include "paws/collector.h"
#include "paws/registry.h"
#include "paws/result.h"
#include "paws/source.h"

namespace paws {

// The source of type "gsuite": Google Workspace audit activities from the
// Admin SDK Reports API (docs/sources/gsuite.md). One stream per
// application ("login", "admin", "drive", "token", ...: the streams the
// collector-type registry lists for gsuite, FindCollectorType("gsuite")).
//
// Auth: a service account with domain-wide delegation, as upstream takes
// it. spec.secret is the service account's JSON key (client_email,
// private_key, private_key_id, token_uri), or only its PEM private key
// with param "client_email". spec.client_id is the Workspace admin to act
// as (the JWT's sub; param "subject" overrides it). A JWT (RS256; iss =
// client_email, sub, scope, aud = the token URL, 1 h) is exchanged with the
// jwt-bearer grant at the token URL: param "token_url", else the key's
// token_uri, else https://oauth2.googleapis.com/token. The token is cached
// across polls and streams; a 401 invalidates it and the request is retried
// once with a fresh one. The key is read at the first poll, not by the
// factory: a key that cannot be used fails polls with kUnauthenticated.
//
// Requests: GET {endpoint}/admin/reports/v1/activity/users/all/
// applications/{application}?startTime=&endTime=&maxResults=[&pageToken=],
// following nextPageToken up to spec.max_pages_per_cycle pages.
//
// State (the newest upstream gsuite collector's; gsuite_state.h):
//   {"stream": APP, "since": T, "until": T,
//    "nextPage": TOKEN | null, "apiQuotaResetDate": T | null,
//    "poll_interval_sec": N}
// Older upstream states name the application in the type's legacy state
// field instead; both are read, only "stream" is written.
// A window [since, until) is collected once until + lag has passed (the
// Reports API's data lag; param "lag_sec", default 600 s, upstream's
// paws_poll_interval_delay); before, a poll returns the state unchanged,
// due then. When pages remain after a cycle, nextPage keeps the window's
// place and the next cycle is due at once. A complete window is followed by
// the next (NextGsuiteWindow), due at once when it has already ended
// (catching up), else when it has. An upstream state (of either
// generation, nextPage or not) is continued exactly where it stands.
// Activities older than 180 days are no longer served: a window starting
// before that is moved up and the poll carries a PAWS000308 warning.
//
// Events: id = "<id.time>/<id.uniqueQualifier>" (the qualifier tells apart
// activities of the same time), timestamp = id.time, type_id = the name of
// the activity's first event ("login_success"), else the application; the
// raw activity as Google sent it.
//
// Rate limits: 429, and 403 (or 400) with reason rateLimitExceeded,
// userRateLimitExceeded or quotaExceeded, are rate limits: on the first
// page kRateLimited (PAWS000302) with Retry-After (60 s when absent); after
// pages were collected the cycle ends with them, the state at the page not
// fetched, due after the retry-after. Reason dailyLimitExceeded sets
// apiQuotaResetDate to the next midnight Pacific (UTC-8) + 60 s, as
// upstream does; cycles return nothing until then, each due at most 10 min
// later.
//
// Parameters (spec.params): "max_results" 1..1000 (default 1000);
// "lag_sec" 0..86400 (default 600); "token_url"; "scope" (space-separated,
// or upstream's JSON list; default https://www.googleapis.com/auth/
// admin.reports.audit.readonly); "client_email"; "subject".
//
// Errors of Poll: 401 (after the retry), 403 of other reasons, a token
// request refused (invalid_grant, unauthorized_client) or a secret that is
// not a usable key -> kUnauthenticated (PAWS000301); rate limits ->
// kRateLimited (PAWS000302); 5xx, 408 and transport failures ->
// kUnavailable (PAWS000303); other statuses, or a body that is not an
// activities list (items of activities with id.time and
// id.uniqueQualifier; nextPageToken a string) -> kInvalidArgument
// (PAWS000304) naming what is wrong; a state it cannot use ->
// kInvalidArgument (PAWS000306); timeouts -> kDeadlineExceeded
// (PAWS000305). Messages name the URL path, never the query, the key, the
// assertion or a token.
//
// The factory returns kInvalidArgument (PAWS000103) naming the collector
// and the key for an endpoint that is not an http(s) URL (empty: the
// default https://admin.googleapis.com), a poll interval under 1 s, no
// secret, no subject, an unknown stream, or a bad parameter.
// Thread-safe. `deps.clock` and `deps.http` must outlive the source.
Result<std::unique_ptr<Source>> MakeGsuiteSource(const CollectorSpec& spec, const SourceDeps& deps);

}  // namespace paws
