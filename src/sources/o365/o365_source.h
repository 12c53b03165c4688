#pragma once

#include <memory>

#include "paws/collector.h"
#include "paws/registry.h"
#include "paws/result.h"
#include "paws/source.h"

namespace paws {

// The source of type "o365": the Office 365 Management Activity API
// (docs/sources/o365.md). Its streams are content types, those the
// collector-type registry lists for o365 (FindCollectorType("o365")):
// Audit.AzureActiveDirectory, Audit.Exchange, Audit.SharePoint,
// Audit.General, DLP.All.
//
// Auth: the OAuth2 client credentials grant of Azure AD (v1) at
// {login_url}/{tenant_id}/oauth2/token with spec.client_id, spec.secret and
// resource https://manage.office.com. The token is cached across polls and
// streams; a 401 from the API invalidates it and the request is retried
// once with a fresh one.
//
// Requests, under {endpoint}/api/v1.0/{tenant_id}/activity/feed/, each with
// PublisherIdentifier={publisher_id} as the upstream collector sends it:
//   POST subscriptions/start?contentType=S   once per stream and source
//     instance, before its first listing ("already enabled", AF20024, is
//     fine); again when a listing answers AF20022 or AF20023 (no or a
//     disabled subscription), and that listing is retried once;
//   GET subscriptions/content?contentType=S&startTime=&endTime=   the
//     content blobs created in a window, paged by the NextPageUri header
//     (same origin as the endpoint only);
//   GET <contentUri> of each blob listed (same origin only): a JSON array of
//     audit records. Event id = Id, timestamp = CreationTime (UTC; with or
//     without an offset), type id = RecordType (as a decimal string; the
//     Operation when a record has no RecordType), raw = the record as sent.
//
// State (the upstream PAWS o365 collector's, collectors/o365/
// o365_collector.js):
//   {"stream": S, "since": RFC 3339, "until": RFC 3339,
//    "nextPage": URL or null, "poll_interval_sec": N}
// The upstream o365 collector already named the content type in "stream",
// the normalised field, so its states are read and written as they are;
// the stream is read as StreamOfState reads it.
// [since, until) is the window of contentCreated times; nextPage, while a
// window is being paged, the listing page to fetch next; poll_interval_sec
// the delay the state was written with (1 while catching up).
//
// A cycle collects the window only once `until` has passed (before, it
// returns no events, the same state and the delay until then). A window
// longer than 24 h is collected 24 h at a time (the API's limit per
// request): the next state keeps the rest, due at once. A window starting
// before now - 7 days + 1 min (what the API still serves, with a margin) is
// clamped to that time, its nextPage dropped, and the lost interval is
// reported in PollResult::warnings (PAWS000308). Up to
// spec.max_pages_per_cycle listing pages are fetched per cycle with all of
// their blobs (blobs do not count as pages); when pages remain the state
// keeps the window with nextPage, due at once. A complete window is
// followed by [until, min(until + 24 h, max(until + poll interval, now))):
// due at once when behind, else when it has ended.
//
// Rate limits: a 429, or any response whose error code is AF429 (the API's
// "too many requests", in whichever status), on the first request of a
// cycle is kRateLimited with Retry-After (60 s without it, at most 5 min);
// after a listing page was collected it ends the cycle with the pages so
// far, the state at the page not yet complete, due after that wait. A page
// is all or nothing: events of a page whose blobs were not all fetched are
// dropped and fetched again with the page. The deadline likewise.
//
// Parameters (spec.params): "tenant_id" (required), the Azure AD tenant id,
// a GUID (upstream: paws_collector_param_string_1, azureTenantId);
// "publisher_id", the PublisherIdentifier (default: tenant_id);
// "login_url", the identity platform's base URL (default:
// https://login.microsoftonline.com); "resource" (default:
// https://manage.office.com).
//
// Errors of Poll: 401/403 (after the retry) and a rejected client ->
// kUnauthenticated (PAWS000301); rate limits as above (PAWS000302); 5xx,
// 408 and transport failures -> kUnavailable (PAWS000303); other statuses,
// a body that is not a listing (array of objects with contentUri) or an
// array of audit records with Id and CreationTime, a next page or content
// URI of another origin -> kInvalidArgument (PAWS000304) naming what is
// wrong; a state it cannot use -> kInvalidArgument (PAWS000306); timeouts
// -> kDeadlineExceeded (PAWS000305). Messages name the URL path (never the
// query), quote the API's error code and message, and never contain the
// client secret or a token.
//
// The factory returns kInvalidArgument (PAWS000103) naming the collector
// and the key for: an endpoint or login_url that is not an http(s) URL, a
// tenant_id or publisher_id that is not a GUID, an unknown stream, a poll
// interval under 1 s, a missing client_id or secret.
//
// Thread-safe. `deps.clock` and `deps.http` must outlive the source.
Result<std::unique_ptr<Source>> MakeO365Source(const CollectorSpec& spec, const SourceDeps& deps);

}  // namespace paws
