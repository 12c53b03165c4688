#pragma once

// What every fake service answers and reads requests with, written once.

#include <cstdint>
#include <string>

#include "tools/fake_saas/fake_api.h"

namespace paws {

// A JSON answer with the service's Content-Type.
FakeResponse FakeJsonResponse(int status, std::string body,
                              const std::string& content_type = "application/json");
// An OAuth 2.0 error answer ({"error", "error_description"}, RFC 6749 5.2).
FakeResponse FakeOAuthError(int status, const std::string& error, const std::string& description,
                            const std::string& content_type = "application/json");
// The first header of that name, case-insensitively, or "".
std::string FakeHeaderOf(const HttpHeaders& headers, const std::string& name);
// The query parameter, or `fallback` when the request has none.
std::string FakeQueryOr(const FakeRequest& req, const std::string& name,
                        std::string fallback = "");
// A count written in 1 to 18 decimal digits (no sign); false otherwise.
bool FakeParseCount(const std::string& text, int64_t* out);

}  // namespace paws
