#pragma once

#include <string>
#include <string_view>

#include "paws/result.h"

namespace paws {

// Standard base64 with padding (RFC 4648 §4), as HTTP Basic auth uses.
std::string Base64Encode(std::string_view data);

// base64url without padding (RFC 4648 §5, RFC 7515 §2), as JWTs use.
std::string Base64UrlEncode(std::string_view data);

// Accepts base64url with or without padding. kInvalidArgument on any other
// character or a length no encoding gives; the text is not quoted.
Result<std::string> Base64UrlDecode(std::string_view text);

}  // namespace paws
