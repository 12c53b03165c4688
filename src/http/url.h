#pragma once

#include <string>
#include <string_view>

#include "paws/http.h"

namespace paws {

// Percent-encodes everything but the RFC 3986 unreserved characters, so the
// result is safe as a query parameter value.
std::string UrlEncode(std::string_view text);

// Decodes %XX escapes, and '+' as a space (form encoding of query strings).
// Malformed escapes are kept as they are.
std::string UrlDecode(std::string_view text);

// "scheme://authority" of an absolute URL, lower-cased; "" when `url` is not
// absolute.
std::string UrlOrigin(std::string_view url);

// The path of an absolute URL without query and fragment ("/" when empty).
// Safe for messages: it carries no query parameters.
std::string UrlPath(std::string_view url);

// "scheme://host[:port]/path" of an absolute URL: no user info, query or
// fragment, so it may appear in a message. "" when `url` is not absolute.
std::string UrlForMessage(std::string_view url);

// The target of the first Link header entry with rel="<rel>" among all Link
// headers (RFC 8288: `<url>; rel="next", <url>; rel="self"`), or "".
std::string FindLinkRel(const HttpHeaders& headers, std::string_view rel);

}  // namespace paws
