#pragma once

// How a source turns what an API answered into the Status the runtime acts
// on (include/paws/source.h, docs/status-codes.md). Written once for every
// source so that a 429 waits the same way and no message leaks a secret.

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "paws/clock.h"
#include "paws/http.h"
#include "paws/status.h"

namespace paws {

// How much of an API error summary a message quotes; longer ones are cut
// and end in "...".
inline constexpr size_t kMaxErrorExcerpt = 200;

// Extracts a short, human-readable summary from an error response body
// ("E0000011 Invalid token provided"), or "" when the body is not an error
// document it knows. Must not throw. The result is capped at
// kMaxErrorExcerpt by the caller.
using ErrorSummarizer = std::function<std::string(const std::string& body)>;

// "GET /api/v1/logs": what a message may say about a request. Only the path
// of `url`: the query string and headers can carry credentials.
std::string RequestName(std::string_view method, std::string_view url);

// The Status for an HTTP response:
//   2xx            -> Ok
//   401, 403       -> kUnauthenticated (PAWS000301)
//   429            -> kRateLimited (PAWS000302), retry_after per RetryAfter()
//   5xx, 408       -> kUnavailable (PAWS000303)
//   anything else  -> kInvalidArgument (PAWS000304)
// The message is "<what>: HTTP <status>", followed by " (<summary>)" when
// `summarize` is given and finds a summary in the body. The body is never
// quoted otherwise. `what` names the request (see RequestName) and must not
// contain the query string or any header. `now` is the wall time for
// reset-time headers.
Status ClassifyHttpStatus(const HttpResponse& res, const std::string& what, WallTime now,
                          const ErrorSummarizer& summarize = nullptr);

// How long a 429 (or 503) response asks the client to wait:
//   Retry-After: delta-seconds or an HTTP-date (RFC 9110 §10.2.3), else
//   X-Rate-Limit-Reset / X-RateLimit-Reset: epoch seconds (Okta, Auth0);
//     a value below 10^9 is taken as delta-seconds, as some APIs send,
// minus `now`; 0 when none is present, unparsable, or in the past.
Duration RetryAfter(const HttpResponse& res, WallTime now);

// Parses an HTTP-date in any of the three forms RFC 9110 §5.6.7 requires a
// recipient to accept (IMF-fixdate, RFC 850, asctime). nullopt otherwise.
std::optional<WallTime> ParseHttpDate(std::string_view text);

// kRateLimited (PAWS000302) for a quota error that an API reports in the
// body of a 200, 400 or 403 (Salesforce REQUEST_LIMIT_EXCEEDED, Google
// quota errors): "<what>: quota exceeded".
Status QuotaExceeded(const std::string& what, Duration retry_after);

// kInvalidArgument (PAWS000304): the response is not what the API
// documents. The message is `what` as is: "<request>: <what is wrong>".
Status Malformed(const std::string& what);

// `inner`, with every occurrence of each non-empty string of `secrets` in
// its result replaced by Secret::kRedacted before the result is cut to
// kMaxErrorExcerpt (a cut secret could no longer be found and replaced).
// Use it whenever the request carried a credential an API might echo.
ErrorSummarizer RedactingSummarizer(ErrorSummarizer inner, std::vector<std::string> secrets);

// `text` cut to kMaxErrorExcerpt bytes on a UTF-8 boundary (then "..."),
// control characters turned into spaces: fit to quote in a message.
std::string ErrorExcerpt(std::string text);

// A summary of the error documents most APIs send, or "":
//   {"errorCode": C, "errorSummary": S}               (Okta)   -> "C S"
//   {"error": C, "error_description": D}             (OAuth2) -> "C: D"
//   {"error": {"code": C, "status": T, "message": M}} (Google, Microsoft
//                                                     Graph)   -> "C T: M"
//   [{"errorCode": C, "message": M}]                 (Salesforce) -> "C: M"
//   {"message": M}                                            -> "M"
// Not capped (ClassifyHttpStatus caps what a summarizer returns; see
// ErrorExcerpt). Anything else (HTML, plain text) gives "".
std::string JsonErrorSummary(const std::string& body);

// `s` with every occurrence of each non-empty string of `secrets` in its
// message replaced by Secret::kRedacted. Code, stable code and retry_after
// are kept. Sources pass their credentials here before returning an error:
// an API or a transport may echo one.
Status RedactSecrets(const Status& s, std::initializer_list<std::string_view> secrets);

// `s` with its message replaced, keeping code, stable code and retry_after.
Status WithMessage(const Status& s, std::string message);

}  // namespace paws
