#pragma once

#include <memory>

#include "paws/collector.h"
#include "paws/registry.h"
#include "paws/result.h"
#include "paws/source.h"

namespace paws {

// The source of type "fake": polls the fake SaaS API (tools/fake_saas),
// which has the shape of Okta's System Log API, at
// `{spec.endpoint}/api/v1/logs` with "Authorization: SSWS <secret>".
//
// State (upstream PAWS style):
//   {"stream": S, "since": RFC 3339, "until": RFC 3339,
//    "nextPage": URL (only while a window is being paged),
//    "poll_interval_sec": N}
// A cycle collects [since, until), following rel="next" links up to
// spec.max_pages_per_cycle pages. When pages remain, the next state keeps the
// window and sets nextPage (delay 0). When the window is complete the next
// window is [until, until + poll_interval), due once it has ended (delay 0
// when it already has: catching up). The poll interval is the collector's
// current one (spec.poll_interval); the state records it.
//
// Parameters (spec.params): "limit", events per page, 1..1000. Default: 1000.
//
// Errors of Poll: 401/403 -> kUnauthenticated (PAWS000301); 429 ->
// kRateLimited with the Retry-After (PAWS000302); 5xx, 408 and transport
// failures -> kUnavailable (PAWS000303); other statuses, a body that is not
// an array of events with uuid and published, or a next link to another
// origin -> kInvalidArgument (PAWS000304); a state it cannot use ->
// kInvalidArgument (PAWS000306); timeouts and a passed deadline ->
// kDeadlineExceeded (PAWS000305). Messages name the URL path, never the
// query or the secret.
//
// Thread-safe (no mutable state). `deps.clock` and `deps.http` must outlive
// the source.
Result<std::unique_ptr<Source>> MakeFakeSource(const CollectorSpec& spec, const SourceDeps& deps);

}  // namespace paws
