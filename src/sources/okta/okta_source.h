#pragma once

#include <memory>

#include "paws/collector.h"
#include "paws/registry.h"
#include "paws/result.h"
#include "paws/source.h"

namespace paws {

// The source of type "okta": Okta's System Log API (docs/sources/okta.md).
// Polls `GET {spec.endpoint}/api/v1/logs?since=&until=&limit=&sortOrder=
// ASCENDING` with "Authorization: SSWS <spec.secret>" and follows
// rel="next" Link headers (same origin only).
//
// Its one stream is "okta". State, the upstream okta collector's shape:
//   {"since": RFC 3339, "until": RFC 3339,
//    "nextPage": URL (only while a window is being paged),
//    "poll_interval_sec": N}
// An upstream state (no nextPage) is continued as is: its window [since,
// until) is collected, then the next. A state may have since == until (the
// upstream initial state can): an empty window, skipped.
//
// A cycle collects [since, until) — only once until has passed; before, it
// returns no events, the same state and the delay until then — following
// next links up to spec.max_pages_per_cycle pages. When pages remain, the
// next state keeps the window with nextPage, due at once (catch-up). When
// the window is complete, the next one is [until, until + poll_interval),
// due when it has ended (at once when it already has).
//
// Rate limits: a page answered with X-Rate-Limit-Remaining: 0 ends the
// cycle without an error; the next state is the page after it and is due at
// X-Rate-Limit-Reset (at most 5 min away; 60 s when the header is missing).
// A 429 on the first page of a cycle is kRateLimited with the retry-after
// of Retry-After / X-Rate-Limit-Reset; a 429 (or the deadline) after pages
// were collected ends the cycle with what it has, the state at the page not
// yet fetched, due after the retry-after.
//
// Parameters (spec.params): "limit", events per page, 1..1000. Default:
// 1000 (the API's maximum). Other parameters are ignored.
//
// Errors of Poll: 401/403 -> kUnauthenticated (PAWS000301); 429 ->
// kRateLimited (PAWS000302); 5xx, 408 and transport failures ->
// kUnavailable (PAWS000303); other statuses, a body that is not an array of
// events each with uuid and published, or a next link to another origin ->
// kInvalidArgument (PAWS000304) naming what is wrong; a state it cannot use
// -> kInvalidArgument (PAWS000306); timeouts and a passed deadline ->
// kDeadlineExceeded (PAWS000305). Messages name the URL path, never the
// query or the token.
//
// The factory returns kInvalidArgument (PAWS000103) for an endpoint that is
// not an http(s) URL, a poll interval under 1 s, a bad limit, or a stream
// other than "okta". Thread-safe (no mutable state). `deps.clock` and
// `deps.http` must outlive the source.
Result<std::unique_ptr<Source>> MakeOktaSource(const CollectorSpec& spec, const SourceDeps& deps);

// The one stream of an okta collector.
inline constexpr const char* kOktaStream = "okta";

}  // namespace paws
