#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "paws/http.h"
#include "paws/result.h"

namespace paws {

// Query parameters in order, not yet encoded.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// "a=1&b=x%20y": names and values percent-encoded (UrlEncode, http/url.h).
// Also the body of an application/x-www-form-urlencoded request.
std::string BuildQuery(const QueryParams& params);

// `url` with `params` appended after "?" (or "&" when it has a query
// already). A fragment of `url` is dropped. `url` is returned as is when
// `params` is empty.
std::string AppendQuery(std::string_view url, const QueryParams& params);

// The decoded value of the first query parameter `name` of `url` (a cursor
// in a next link: "after", "pageToken"), or "" when it has none.
std::string QueryParam(std::string_view url, std::string_view name);

// Whether `a` and `b` have the same scheme, host and port (case-insensitive;
// 80 for http and 443 for https are the default ports). User info counts:
// "https://x@host" is not the origin of "https://host". False when either
// is not an absolute URL.
bool SameOrigin(std::string_view a, std::string_view b);

// The next page of a response whose request went to `request_url`: the
// Link header's rel="next" target (FindLinkRel, http/url.h), resolved
// against `request_url` when it is an absolute path ("/api/v1/logs?after=x").
// "" when there is no next link. A next link to another origin, or one that
// is neither absolute nor an absolute path, is kInvalidArgument
// (PAWS000304): following it would send the credential elsewhere. `what`
// names the request for the message (RequestName).
Result<std::string> NextLink(const HttpHeaders& headers, const std::string& request_url,
                             const std::string& what);

// Ok when `next_url` has the origin of `base_url`, else kInvalidArgument
// (PAWS000304) "<what>: next link points to another origin". For next-page
// URLs that come in a body (Okta-style "next" members, Google nextLink).
Status CheckSameOrigin(const std::string& next_url, const std::string& base_url,
                       const std::string& what);

}  // namespace paws
