#pragma once

#include <memory>

#include "paws/collector.h"
#include "paws/registry.h"
#include "paws/result.h"
#include "paws/source.h"

namespace paws {

// The source of type "http_json": a JSON API over HTTP GET, configured
// rather than coded (docs/sources/http_json.md; the keys are read by
// http_json_config.h). For APIs without a dedicated source.
//
// Requests: GET <url>, `url` being the template of params.url with
// {endpoint}, {since}, {until} (the window, in params.time_format:
// rfc3339, epoch_seconds or epoch_millis), {cursor} and {page_size}
// filled in, values URL-encoded; "Accept: application/json" and the
// credential of params.auth:
//   none;  header: <auth_header>: <auth_value with {secret}>;
//   bearer: "Authorization: Bearer <secret>";
//   basic: "Authorization: Basic base64(client_id:secret)";
//   oauth2: the client credentials grant at params.token_url (scope,
//     audience, resource, token_auth post|basic), the token cached until
//     shortly before it expires; a 401 invalidates it and the request is
//     retried once with a fresh one.
//
// Records: the array at params.records_path of the body (empty: the body
// is the array). Each must be an object with params.id_field (a string or
// a number) and params.timestamp_field (params.timestamp_format); the type
// is params.type_field when given. Field params may list paths separated by
// commas ("eventType, legacyEventType"): the first present one counts.
// Event: {id, timestamp, type, the record as the API sent it}.
//
// Paging (params.paging): none; link (rel="next" Link header, same origin
// only; an empty page or a link to the same URL ends the window); token
// (params.next_token_path in the body, sent back as params.token_param or
// into {cursor}; a missing, empty or repeated token ends the window);
// offset (params.offset_param or {cursor}, starting at offset_start and
// advanced by the records of a page, or by 1 when offset_unit = pages; a
// page shorter than params.page_size ends the window).
//
// State (one stream, the collector's single stream entry, default
// "http_json"; the shape of the upstream okta collector's windows, with the
// stream and the page cursor):
//   {"stream": S, "since": RFC 3339, "until": RFC 3339,
//    "cursor": link URL | token | offset (only while a window is paged),
//    "poll_interval_sec": N}
// A state without "stream" is taken as this collector's; one with since ==
// until is an empty window, skipped.
//
// Windows as the okta source's: [since, until) is collected only once until
// has passed (before, the same state and the delay until then), up to
// spec.max_pages_per_cycle pages; with pages left the next state keeps the
// window and the cursor, due at once. A complete window is followed by
// [until, until + poll_interval), due when it has ended (at once when it
// has: catch-up). With params.filter_window = true, records whose timestamp
// is outside [since, until) are skipped (for APIs with only a lower bound).
//
// Rate limits: a page with X-Rate-Limit-Remaining, X-RateLimit-Remaining
// or RateLimit-Remaining at 0 ends the cycle without an error, the next
// state at the page after it, due at the reset (Retry-After,
// X-Rate-Limit-Reset, X-RateLimit-Reset or RateLimit-Reset; 60 s without
// one; at most 5 min). A 429 — or a non-2xx response whose body contains
// params.quota_error_text (retry after quota_retry_sec unless a header says)
// — is kRateLimited (PAWS000302) with its retry-after on the first page of
// a cycle; after pages were collected it ends the cycle with them, the
// state at the page that failed, due after the retry-after (at most 5 min).
// The deadline between pages ends the cycle likewise, due at once.
//
// Errors of Poll: 401/403 (after the OAuth2 retry) or a refused client ->
// kUnauthenticated (PAWS000301); 5xx, 408, transport -> kUnavailable
// (PAWS000303); other statuses, a body that is not JSON, no array at the
// records path, a record without id or timestamp, a bad next token or a
// next link to another origin -> kInvalidArgument (PAWS000304) naming what
// is wrong; a state it cannot use -> kInvalidArgument (PAWS000306);
// timeouts -> kDeadlineExceeded (PAWS000305). Messages name the URL path,
// never its query, the secret, the Basic credential or a token.
//
// The factory returns kInvalidArgument (PAWS000103) naming the collector
// and the key for a bad or unknown param, an endpoint that is not an
// http(s) URL, a poll interval under 1 s, more than one stream, or missing
// credentials. Thread-safe. `deps.clock` and `deps.http` must outlive the
// source.
Result<std::unique_ptr<Source>> MakeHttpJsonSource(const CollectorSpec& spec,
                                                   const SourceDeps& deps);

}  // namespace paws
